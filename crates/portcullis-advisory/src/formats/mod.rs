//! One module per upstream format.

pub(crate) mod debian;
