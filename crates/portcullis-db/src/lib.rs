//! The vulnerability DB: one SQLite file (SPEC §3).
//!
//! * **Built aside, swapped in.** [`DbBuilder`] writes a temporary file next
//!   to the destination and renames it over the old DB only once everything
//!   is in and synced; a failed or interrupted build leaves the previous DB
//!   as it was (SPEC §3: "no half-written DB").
//! * **Read by index.** Scans open the file read-only ([`Db::open`]) and ask
//!   for the advisories of one `(namespace, package)` at a time; several
//!   scans can share one file.
//! * **Deduplicated.** Each advisory is stored once; one small row per
//!   affected package points at it.

mod build;
mod read;
mod schema;
pub mod update;

use std::path::{Path, PathBuf};

pub use build::{DbBuilder, SourceRecord};
pub use read::{Candidate, Db, NvdScores, Snapshot, SourceStatus, Status};
pub use schema::SCHEMA_VERSION;

/// Everything that can go wrong with the DB file.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// No DB at the path.
    #[error("no vulnerability DB at {path}: run `portcullis db update` or `portcullis db import`")]
    Missing {
        /// Where we looked.
        path: PathBuf,
    },
    /// The file is not a DB of ours, or of another schema version.
    #[error("{path} is not a usable vulnerability DB: {reason}")]
    Incompatible {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// SQLite failed.
    #[error("vulnerability DB {path}: {source}")]
    Sqlite {
        /// The file.
        path: PathBuf,
        /// Cause.
        #[source]
        source: rusqlite::Error,
    },
    /// A stored record does not decode (the file was altered).
    #[error("vulnerability DB {path}: corrupt record {what}: {reason}")]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// Which record.
        what: String,
        /// Decoder message.
        reason: String,
    },
    /// File-system error while building or swapping.
    #[error("vulnerability DB {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Cause.
        #[source]
        source: std::io::Error,
    },
}

/// Where the DB lives when `--db` is not given: `$PORTCULLIS_DB`, else
/// `$XDG_CACHE_HOME/portcullis/db/portcullis.db`, else under `~/.cache`.
pub fn default_path() -> PathBuf {
    if let Some(p) = std::env::var_os("PORTCULLIS_DB").filter(|p| !p.is_empty()) {
        return PathBuf::from(p);
    }
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cache")))
        .unwrap_or_else(|| PathBuf::from("."));
    cache.join("portcullis").join("db").join("portcullis.db")
}

fn sqlite_error(path: &Path) -> impl FnOnce(rusqlite::Error) -> DbError + '_ {
    move |source| DbError::Sqlite {
        path: path.to_owned(),
        source,
    }
}
