//! One module per upstream format. Each turns the bytes of one file into
//! [`ImportItem`]s; none of them touches the file system (the walker in
//! [`crate::import`] does), so every importer can be fed a zip entry as
//! easily as a file.

pub(crate) mod alpine;
pub(crate) mod common;
pub(crate) mod debian;
pub(crate) mod nodejs;
pub(crate) mod nvd;
pub(crate) mod osv;

use crate::ImportItem;

/// What one file yielded: its records, and the records inside it that were
/// skipped (each reason names which record).
#[derive(Debug, Default)]
pub(crate) struct Parsed {
    /// The records read.
    pub(crate) items: Vec<ImportItem>,
    /// One reason per record that could not be read; the rest of the file
    /// was still imported.
    pub(crate) skipped: Vec<String>,
}

impl Parsed {
    /// Records the outcome of converting one record of a multi-record file.
    pub(crate) fn push(
        &mut self,
        what: impl FnOnce() -> String,
        result: Result<ImportItem, String>,
    ) {
        match result {
            Ok(item) => self.items.push(item),
            Err(reason) => self.skipped.push(format!("{}: {reason}", what())),
        }
    }
}
