//! Vulnerability data, normalised.
//!
//! Every upstream format (OSV JSON/YAML, the Debian security tracker in its
//! JSON and text forms, vuln-list-debian, Alpine secdb, NVD API 2.0, the
//! nodejs security-wg) is parsed into one model, [`Advisory`], so that the DB
//! and the matcher know nothing of where a record came from. Importers live
//! one folder per source under `formats/`; [`import`] walks files, trees and
//! zips and dispatches to them.
#![warn(missing_docs)]

pub mod cvss;
mod formats;
pub mod import;
mod model;
mod namespace;

pub use model::{
    Advisory, Affected, Cvss, CvssVersion, DistroStatus, Event, ImportItem, Range, RangeKind,
    Reference, Severity,
};
pub use namespace::{debian_release_for_codename, Namespace};
