//! Reading the DB: read-only, by index, one package at a time.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use portcullis_advisory::{Advisory, Affected, Cvss, CvssVersion, Namespace};
use rusqlite::{Connection, OpenFlags, OptionalExtension};
use serde::Serialize;

use crate::schema::SCHEMA_VERSION;
use crate::{sqlite_error, DbError};

/// An open DB. Opened read-only, so any number of scans may share the file
/// while `db update` builds its successor beside it.
pub struct Db {
    conn: Connection,
    path: PathBuf,
}

/// One affected-package row that concerns a looked-up package.
#[derive(Clone, Debug, PartialEq)]
pub struct Candidate {
    /// Row id in `affected` (cited as evidence).
    pub row: i64,
    /// Key of the advisory in `advisories`.
    pub advisory: i64,
    /// The affected entry: ranges, versions, distro status.
    pub affected: Affected,
}

/// NVD's scores for one CVE.
#[derive(Clone, Debug, PartialEq)]
pub struct NvdScores {
    /// Where they were read from.
    pub origin: String,
    /// CVSS v2, when NVD has one.
    pub v2: Option<Cvss>,
    /// CVSS v3.x, when NVD has one.
    pub v3: Option<Cvss>,
    /// NVD's description.
    pub description: Option<String>,
}

/// One feed as `db status` shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SourceStatus {
    /// Feed name.
    pub name: String,
    /// Path or URL.
    pub location: String,
    /// Records imported.
    pub records: u64,
    /// Files or records skipped.
    pub skipped: u64,
    /// When it was imported (RFC 3339).
    pub imported_at: String,
}

/// What `db status` reports.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Status {
    /// The file.
    pub path: String,
    /// [`SCHEMA_VERSION`] of the file.
    pub schema_version: u32,
    /// When the file was built (RFC 3339).
    pub built_at: String,
    /// The feeds it was built from.
    pub sources: Vec<SourceStatus>,
    /// Advisories per record source label (`osv`, `debian-tracker`, …).
    pub advisories_by_source: BTreeMap<String, u64>,
    /// Total advisories.
    pub advisories: u64,
    /// Affected-package rows.
    pub affected_rows: u64,
    /// Distinct namespaces.
    pub namespaces: u64,
    /// CVEs with NVD scores.
    pub cvss_records: u64,
}

impl Db {
    /// Opens an existing DB read-only, checking that it is ours and of this
    /// schema version.
    pub fn open(path: &Path) -> Result<Db, DbError> {
        if !path.is_file() {
            return Err(DbError::Missing {
                path: path.to_owned(),
            });
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).map_err(sqlite_error(path))?;
        let incompatible = |reason: String| DbError::Incompatible {
            path: path.to_owned(),
            reason,
        };
        // A non-SQLite file fails here ("file is not a database").
        let version: u32 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(|e| incompatible(e.to_string()))?;
        let has_meta: bool = conn
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'meta'",
                [],
                |r| r.get::<_, i64>(0),
            )
            .map(|n| n > 0)
            .map_err(|e| incompatible(e.to_string()))?;
        if !has_meta {
            return Err(incompatible("not a portcullis DB (no meta table)".into()));
        }
        if version != SCHEMA_VERSION {
            return Err(incompatible(format!(
                "schema version {version}, this portcullis reads {SCHEMA_VERSION}; \
                 rebuild it with `portcullis db update` or `db import`"
            )));
        }
        // Reads through a memory map: matching does thousands of small
        // indexed reads, and copying each page through read(2) dominated.
        conn.pragma_update(None, "mmap_size", 256_i64 << 20)
            .map_err(sqlite_error(path))?;
        Ok(Db {
            conn,
            path: path.to_owned(),
        })
    }

    /// Holds one read transaction until the returned guard is dropped.
    ///
    /// Outside a transaction SQLite takes and releases its shared file lock
    /// (fcntl) and checks for a hot journal (stat) around every statement;
    /// matching runs thousands of small queries, and that bookkeeping was a
    /// third of its time. One transaction also gives every query of a scan
    /// the same view of the file.
    pub fn snapshot(&self) -> Result<Snapshot<'_>, DbError> {
        self.conn.execute_batch("BEGIN").map_err(self.err())?;
        Ok(Snapshot { db: self })
    }

    /// The file this DB was opened from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn err(&self) -> impl FnOnce(rusqlite::Error) -> DbError + '_ {
        sqlite_error(&self.path)
    }

    fn corrupt(&self, what: String, e: serde_json::Error) -> DbError {
        DbError::Corrupt {
            path: self.path.clone(),
            what,
            reason: e.to_string(),
        }
    }

    /// The affected rows of one package in one namespace (by index).
    pub fn candidates(
        &self,
        namespace: &Namespace,
        package: &str,
    ) -> Result<Vec<Candidate>, DbError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT key, advisory, entry FROM affected
                 WHERE namespace = ?1 AND package = ?2 ORDER BY key",
            )
            .map_err(self.err())?;
        let rows = stmt
            .query_map([namespace.as_str(), package], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, String>(2)?,
                ))
            })
            .map_err(self.err())?;
        let mut out = Vec::new();
        for row in rows {
            let (row, advisory, entry) = row.map_err(self.err())?;
            let affected = serde_json::from_str(&entry)
                .map_err(|e| self.corrupt(format!("affected row {row}"), e))?;
            out.push(Candidate {
                row,
                advisory,
                affected,
            });
        }
        Ok(out)
    }

    /// An advisory's record without its affected list (titles, aliases,
    /// CVSS, links).
    pub fn advisory(&self, key: i64) -> Result<Advisory, DbError> {
        let body: String = self
            .conn
            .prepare_cached("SELECT body FROM advisories WHERE key = ?1")
            .and_then(|mut s| s.query_row([key], |r| r.get(0)))
            .map_err(self.err())?;
        serde_json::from_str(&body).map_err(|e| self.corrupt(format!("advisory {key}"), e))
    }

    /// An advisory with every affected entry, for `explain`.
    pub fn advisory_full(&self, key: i64) -> Result<Advisory, DbError> {
        let mut advisory = self.advisory(key)?;
        let mut stmt = self
            .conn
            .prepare_cached("SELECT key, entry FROM affected WHERE advisory = ?1 ORDER BY key")
            .map_err(self.err())?;
        let rows = stmt
            .query_map([key], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))
            .map_err(self.err())?;
        for row in rows {
            let (row, entry) = row.map_err(self.err())?;
            advisory.affected.push(
                serde_json::from_str(&entry)
                    .map_err(|e| self.corrupt(format!("affected row {row}"), e))?,
            );
        }
        Ok(advisory)
    }

    /// Keys of the advisories whose id or alias is `id` (case-insensitive
    /// for the usual upper-case ids).
    pub fn keys_for_id(&self, id: &str) -> Result<Vec<i64>, DbError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT DISTINCT advisory FROM aliases WHERE alias = ?1 OR alias = ?2 ORDER BY advisory",
            )
            .map_err(self.err())?;
        let rows = stmt
            .query_map([id.trim(), &id.trim().to_ascii_uppercase()], |r| r.get(0))
            .map_err(self.err())?;
        rows.collect::<Result<_, _>>().map_err(self.err())
    }

    /// NVD's scores for a CVE.
    pub fn nvd(&self, cve: &str) -> Result<Option<NvdScores>, DbError> {
        self.conn
            .prepare_cached(
                "SELECT origin, v2_vector, v2_score, v3_vector, v3_score, description
                 FROM cvss WHERE cve = ?1",
            )
            .and_then(|mut s| {
                s.query_row([cve], |r| {
                    let score = |version, vector: Option<String>, score: Option<f64>| {
                        Some(Cvss {
                            version,
                            vector: vector?,
                            score: score?,
                        })
                    };
                    Ok(NvdScores {
                        origin: r.get(0)?,
                        v2: score(CvssVersion::V2, r.get(1)?, r.get(2)?),
                        v3: score(CvssVersion::V3, r.get(3)?, r.get(4)?),
                        description: r.get(5)?,
                    })
                })
                .optional()
            })
            .map_err(self.err())
    }

    /// When the file was built (RFC 3339).
    pub fn built_at(&self) -> Result<String, DbError> {
        self.meta("built_at").map(Option::unwrap_or_default)
    }

    fn meta(&self, key: &str) -> Result<Option<String>, DbError> {
        self.conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()
            .map_err(self.err())
    }

    /// Age, sources and counts.
    pub fn status(&self) -> Result<Status, DbError> {
        let count = |sql: &str| -> Result<u64, DbError> {
            self.conn
                .query_row(sql, [], |r| r.get::<_, i64>(0))
                .map(|n| n.max(0) as u64)
                .map_err(self.err())
        };
        let mut stmt = self
            .conn
            .prepare(
                "SELECT name, location, records, skipped, imported_at FROM sources ORDER BY name",
            )
            .map_err(self.err())?;
        let sources = stmt
            .query_map([], |r| {
                Ok(SourceStatus {
                    name: r.get(0)?,
                    location: r.get(1)?,
                    records: r.get(2)?,
                    skipped: r.get(3)?,
                    imported_at: r.get(4)?,
                })
            })
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
            .map_err(self.err())?;
        let mut stmt = self
            .conn
            .prepare("SELECT source, count(*) FROM advisories GROUP BY source ORDER BY source")
            .map_err(self.err())?;
        let by_source = stmt
            .query_map([], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?.max(0) as u64))
            })
            .and_then(|rows| rows.collect::<Result<BTreeMap<_, _>, _>>())
            .map_err(self.err())?;
        Ok(Status {
            path: self.path.display().to_string(),
            schema_version: SCHEMA_VERSION,
            built_at: self.built_at()?,
            sources,
            advisories_by_source: by_source,
            advisories: count("SELECT count(*) FROM advisories")?,
            affected_rows: count("SELECT count(*) FROM affected")?,
            namespaces: count("SELECT count(DISTINCT namespace) FROM affected")?,
            cvss_records: count("SELECT count(*) FROM cvss")?,
        })
    }
}

/// A read transaction; see [`Db::snapshot`].
#[must_use = "the transaction ends when the guard is dropped"]
pub struct Snapshot<'a> {
    db: &'a Db,
}

impl Drop for Snapshot<'_> {
    fn drop(&mut self) {
        // A read-only transaction has nothing to lose; a failure here only
        // means SQLite already ended it.
        let _ = self.db.conn.execute_batch("COMMIT");
    }
}
