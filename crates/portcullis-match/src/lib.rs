//! Match stage: inventory + vulnerability DB → findings.
//!
//! The rules that make findings trustworthy (SPEC §4, §11):
//! * an OS package is looked up by its **source package** in its own distro
//!   release only; a language package in its ecosystem only; a language
//!   package that an OS package installed (`owned_by`) is left to the distro
//!   data, because distros backport fixes without changing upstream versions;
//! * OSV range semantics, in the package's own version scheme;
//! * withdrawn records never match; `not-affected` distro rows never match;
//! * records naming the same vulnerability (by id or alias) merge into one
//!   finding per package;
//! * severity: the distro's rating, else CVSS v3, else v2 (NVD first), else
//!   a vendor word, else 1.

mod evaluate;
mod explain;
mod finding;
mod matcher;
mod merge;
#[cfg(test)]
mod tests;

pub use explain::{explain, Explanation, RowExplanation};
pub use finding::{Evidence, Finding, FindingPackage, TypeDetected};
pub use matcher::{lookup_keys, match_inventory, MatchOutcome, NotMatched};

/// The match stage failed (the DB could not be read).
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct MatchError(#[from] pub portcullis_db::DbError);
