//! Building a DB: into a temporary file beside the destination, swapped in
//! with one rename at the very end.

use std::fs;
use std::path::{Path, PathBuf};

use portcullis_advisory::{Advisory, Cvss, CvssVersion, ImportItem};
use rusqlite::{params, Connection, OpenFlags, OptionalExtension};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::schema::{CREATE, SCHEMA_VERSION};
use crate::{sqlite_error, DbError};

/// One feed's line in the `sources` table (what `db status` lists).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SourceRecord {
    /// Feed name (`pypa`, `osv-PyPI`, `debian-tracker`, or the import path's
    /// last component).
    pub name: String,
    /// Path or URL it was read from (never with credentials).
    pub location: String,
    /// Records imported from it.
    pub records: u64,
    /// Files or records skipped as unreadable.
    pub skipped: u64,
    /// HTTP validators of the download, for the next conditional request.
    pub etag: Option<String>,
    /// HTTP `Last-Modified` of the download.
    pub last_modified: Option<String>,
}

/// Writes a DB aside and swaps it in on [`DbBuilder::finish`]. Dropping an
/// unfinished builder deletes the temporary file, so an error anywhere
/// leaves the destination untouched.
pub struct DbBuilder {
    conn: Option<Connection>,
    tmp: PathBuf,
    dest: PathBuf,
    advisories: u64,
}

impl DbBuilder {
    /// Starts an empty DB that will replace `dest`.
    pub fn create(dest: &Path) -> Result<DbBuilder, DbError> {
        let tmp = temp_path_for(dest)?;
        DbBuilder::start(dest, tmp, true)
    }

    /// Starts from a copy of the DB at `dest` (or an empty one when there is
    /// none): `db import` extends, and the original stays readable meanwhile.
    pub fn extend(dest: &Path) -> Result<DbBuilder, DbError> {
        if !dest.exists() {
            return DbBuilder::create(dest);
        }
        // Check before copying, so a foreign file gets a clear message.
        crate::Db::open(dest)?;
        let tmp = temp_path_for(dest)?;
        fs::copy(dest, &tmp).map_err(|source| DbError::Io {
            path: tmp.clone(),
            source,
        })?;
        DbBuilder::start(dest, tmp, false)
    }

    fn start(dest: &Path, tmp: PathBuf, fresh: bool) -> Result<DbBuilder, DbError> {
        let mut builder = DbBuilder {
            conn: None,
            tmp,
            dest: dest.to_owned(),
            advisories: 0,
        };
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(&builder.tmp, flags).map_err(builder.err())?;
        // The file is private until the rename, so durability during the
        // build buys nothing: the rename happens only after an fsync.
        conn.execute_batch(
            "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -65536;",
        )
        .map_err(builder.err())?;
        if fresh {
            conn.execute_batch(CREATE).map_err(builder.err())?;
            conn.pragma_update(None, "user_version", SCHEMA_VERSION)
                .map_err(builder.err())?;
        }
        conn.execute_batch("BEGIN").map_err(builder.err())?;
        builder.conn = Some(conn);
        Ok(builder)
    }

    fn err(&self) -> impl FnOnce(rusqlite::Error) -> DbError + '_ {
        sqlite_error(&self.tmp)
    }

    fn conn(&self) -> &Connection {
        // Invariant: `conn` is only None before `start` returns and after
        // `finish` consumed the builder.
        self.conn.as_ref().expect("builder connection is open")
    }

    /// Adds one imported item. An advisory with the same `(source, id)` as a
    /// stored one replaces it.
    pub fn add(&mut self, item: &ImportItem) -> Result<(), DbError> {
        match item {
            ImportItem::Advisory(a) => self.add_advisory(a),
            ImportItem::Cvss {
                cve,
                origin,
                scores,
                description,
            } => self.add_cvss(cve, origin, scores, description.as_deref()),
        }
    }

    fn add_advisory(&mut self, advisory: &Advisory) -> Result<(), DbError> {
        let conn = self.conn();
        let body = Advisory {
            affected: Vec::new(),
            ..advisory.clone()
        };
        let body = serde_json::to_string(&body).map_err(|e| corrupt(&self.tmp, &advisory.id, e))?;
        let key: i64 = conn
            .prepare_cached(
                "INSERT INTO advisories (source, id, body) VALUES (?1, ?2, ?3)
                 ON CONFLICT (source, id) DO UPDATE SET body = excluded.body
                 RETURNING key",
            )
            .and_then(|mut s| {
                s.query_row(params![advisory.source, advisory.id, body], |r| r.get(0))
            })
            .map_err(sqlite_error(&self.tmp))?;
        for table in ["affected", "aliases"] {
            conn.prepare_cached(&format!("DELETE FROM {table} WHERE advisory = ?1"))
                .and_then(|mut s| s.execute([key]))
                .map_err(sqlite_error(&self.tmp))?;
        }
        let mut insert_affected = conn
            .prepare_cached(
                "INSERT INTO affected (advisory, namespace, package, entry) VALUES (?1, ?2, ?3, ?4)",
            )
            .map_err(sqlite_error(&self.tmp))?;
        for entry in &advisory.affected {
            let json =
                serde_json::to_string(entry).map_err(|e| corrupt(&self.tmp, &advisory.id, e))?;
            insert_affected
                .execute(params![key, entry.namespace.as_str(), entry.package, json])
                .map_err(sqlite_error(&self.tmp))?;
        }
        let mut insert_alias = conn
            .prepare_cached("INSERT INTO aliases (alias, advisory) VALUES (?1, ?2)")
            .map_err(sqlite_error(&self.tmp))?;
        for alias in std::iter::once(&advisory.id).chain(&advisory.aliases) {
            insert_alias
                .execute(params![alias, key])
                .map_err(sqlite_error(&self.tmp))?;
        }
        drop(insert_alias);
        drop(insert_affected);
        self.advisories += 1;
        Ok(())
    }

    fn add_cvss(
        &mut self,
        cve: &str,
        origin: &str,
        scores: &[Cvss],
        description: Option<&str>,
    ) -> Result<(), DbError> {
        let pick = |v: CvssVersion| scores.iter().find(|c| c.version == v);
        let (v2, v3) = (pick(CvssVersion::V2), pick(CvssVersion::V3));
        self.conn()
            .prepare_cached(
                "INSERT OR REPLACE INTO cvss
                 (cve, origin, v2_vector, v2_score, v3_vector, v3_score, description)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )
            .and_then(|mut s| {
                s.execute(params![
                    cve,
                    origin,
                    v2.map(|c| &c.vector),
                    v2.map(|c| c.score),
                    v3.map(|c| &c.vector),
                    v3.map(|c| c.score),
                    description,
                ])
            })
            .map_err(sqlite_error(&self.tmp))?;
        Ok(())
    }

    /// Records (or replaces) a feed's line in `sources`.
    pub fn record_source(&mut self, source: &SourceRecord) -> Result<(), DbError> {
        self.conn()
            .execute(
                "INSERT OR REPLACE INTO sources
                 (name, location, records, skipped, imported_at, etag, last_modified)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    source.name,
                    source.location,
                    source.records,
                    source.skipped,
                    now_rfc3339(),
                    source.etag,
                    source.last_modified,
                ],
            )
            .map_err(sqlite_error(&self.tmp))?;
        Ok(())
    }

    /// The validators stored for a feed by an earlier build (extend mode).
    pub fn previous_source(&self, name: &str) -> Result<Option<SourceRecord>, DbError> {
        self.conn()
            .query_row(
                "SELECT location, records, skipped, etag, last_modified FROM sources WHERE name = ?1",
                [name],
                |r| {
                    Ok(SourceRecord {
                        name: name.to_owned(),
                        location: r.get(0)?,
                        records: r.get(1)?,
                        skipped: r.get(2)?,
                        etag: r.get(3)?,
                        last_modified: r.get(4)?,
                    })
                },
            )
            .optional()
            .map_err(sqlite_error(&self.tmp))
    }

    /// Advisories added so far by this builder.
    pub fn advisories_added(&self) -> u64 {
        self.advisories
    }

    /// Commits, syncs and atomically replaces the destination.
    pub fn finish(mut self) -> Result<(), DbError> {
        let conn = self.conn.take().expect("builder connection is open");
        let tmp = self.tmp.clone();
        let stamp = now_rfc3339();
        let meta = [
            ("schema_version", SCHEMA_VERSION.to_string()),
            ("built_at", stamp),
            (
                "built_by",
                format!("portcullis {}", env!("CARGO_PKG_VERSION")),
            ),
        ];
        for (k, v) in meta {
            conn.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)",
                params![k, v],
            )
            .map_err(sqlite_error(&tmp))?;
        }
        conn.execute_batch("COMMIT; ANALYZE;")
            .map_err(sqlite_error(&tmp))?;
        // With STAT4 samples SQLite re-plans a statement each time a new
        // value is bound (to pick a plan for that value); the lookups by
        // (namespace, package) have one good plan, and re-planning them cost
        // a fifth of the match time. The index statistics of sqlite_stat1
        // stay.
        let stat4: bool = conn
            .query_row(
                "SELECT count(*) > 0 FROM sqlite_schema WHERE name = 'sqlite_stat4'",
                [],
                |r| r.get(0),
            )
            .map_err(sqlite_error(&tmp))?;
        if stat4 {
            conn.execute_batch("DELETE FROM sqlite_stat4; ANALYZE sqlite_schema;")
                .map_err(sqlite_error(&tmp))?;
        }
        conn.execute_batch("PRAGMA journal_mode = DELETE;")
            .map_err(sqlite_error(&tmp))?;
        conn.close().map_err(|(_, e)| DbError::Sqlite {
            path: tmp.clone(),
            source: e,
        })?;
        let io = |path: &Path| {
            let path = path.to_owned();
            move |source| DbError::Io { path, source }
        };
        fs::File::open(&tmp)
            .and_then(|f| f.sync_all())
            .map_err(io(&tmp))?;
        fs::rename(&tmp, &self.dest).map_err(io(&self.dest))?;
        // The rename itself must survive a crash too.
        if let Some(dir) = self.dest.parent().filter(|d| !d.as_os_str().is_empty()) {
            if let Ok(d) = fs::File::open(dir) {
                let _ = d.sync_all();
            }
        }
        Ok(())
    }
}

impl Drop for DbBuilder {
    fn drop(&mut self) {
        if self.conn.take().is_some() || self.tmp.exists() {
            let _ = fs::remove_file(&self.tmp);
        }
    }
}

fn corrupt(path: &Path, id: &str, e: serde_json::Error) -> DbError {
    DbError::Corrupt {
        path: path.to_owned(),
        what: id.to_owned(),
        reason: e.to_string(),
    }
}

/// A fresh name beside `dest`, so the final rename never crosses file systems.
fn temp_path_for(dest: &Path) -> Result<PathBuf, DbError> {
    let dir = dest
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    fs::create_dir_all(dir).map_err(|source| DbError::Io {
        path: dir.to_owned(),
        source,
    })?;
    let name = dest
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "portcullis.db".into());
    let nanos = OffsetDateTime::now_utc().unix_timestamp_nanos();
    Ok(dir.join(format!(".{name}.{}-{nanos}.tmp", std::process::id())))
}

pub(crate) fn now_rfc3339() -> String {
    OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .unwrap_or_else(|_| OffsetDateTime::now_utc())
        .format(&Rfc3339)
        .unwrap_or_default()
}
