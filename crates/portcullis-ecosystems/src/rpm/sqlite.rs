//! `rpmdb.sqlite` (rpm >= 4.16, `lib/backend/sqlite.c`): the header blobs
//! are the rows of `Packages(hnum INTEGER PRIMARY KEY, blob BLOB NOT NULL)`;
//! the other tables are indexes we do not need.
//!
//! The file bytes are handed to SQLite as an in-memory, read-only database
//! (`sqlite3_deserialize`): nothing touches the disk. The file is untrusted,
//! so SQLite runs in defensive mode with `trusted_schema` off, strict cell
//! checks, a cap on value sizes, and a step budget so a crafted schema (a
//! view or generated column that computes forever) cannot hang the scan.

use std::borrow::Cow;
use std::io::Read;

use rusqlite::config::DbConfig;
use rusqlite::limits::Limit;
use rusqlite::{Connection, DatabaseName, OpenFlags};

use super::{HeaderBlobs, RpmError};

/// Largest value SQLite may produce: rpm's own header limit is 256 MiB.
const MAX_VALUE: i32 = 256 << 20;
/// SQLite calls the progress handler every this many VM steps ...
const STEPS_PER_CALL: i32 = 10_000;
/// ... and we stop after this many calls (10^9 steps, seconds of work on a
/// real database with tens of thousands of packages are ~10^6 steps).
const MAX_CALLS: u64 = 100_000;

/// Reads the `Packages` rows of an rpm sqlite database.
pub fn read_sqlite(bytes: &[u8]) -> Result<HeaderBlobs<'static>, RpmError> {
    let err = |e: rusqlite::Error| RpmError::Sqlite(e.to_string());
    if bytes.len() < 100 || !bytes.starts_with(b"SQLite format 3\0") {
        return Err(RpmError::Sqlite("not an SQLite 3 database".into()));
    }
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let mut conn = Connection::open_in_memory_with_flags(flags).map_err(err)?;
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_DEFENSIVE, true)
        .map_err(err)?;
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_TRUSTED_SCHEMA, false)
        .map_err(err)?;
    conn.set_limit(Limit::SQLITE_LIMIT_LENGTH, MAX_VALUE)
        .map_err(err)?;
    let mut calls = 0u64;
    conn.progress_handler(
        STEPS_PER_CALL,
        Some(move || {
            calls += 1;
            calls > MAX_CALLS
        }),
    );
    // rpm leaves the database in WAL mode (header bytes 18 and 19 = 2). An
    // in-memory database has no WAL file, and SQLite refuses to open a WAL
    // database there; saying "rollback journal" (1) instead reads the main
    // file exactly as a WAL reader would after a checkpoint.
    let mut patched = [0u8; 100];
    patched.copy_from_slice(&bytes[..100]);
    if patched[18] == 2 && patched[19] == 2 {
        patched[18] = 1;
        patched[19] = 1;
    }
    let reader = patched.as_slice().chain(&bytes[100..]);
    conn.deserialize_read_exact(DatabaseName::Main, reader, bytes.len(), true)
        .map_err(err)?;
    conn.pragma_update(None, "cell_size_check", true)
        .map_err(err)?;
    conn.pragma_update(None, "query_only", true).map_err(err)?;

    // Only rpm's table: a view or virtual table named Packages is not an rpmdb.
    let kind: Option<String> = conn
        .query_row(
            "SELECT type FROM sqlite_master WHERE name = 'Packages' COLLATE NOCASE",
            [],
            |r| r.get(0),
        )
        .map_err(|e| match e {
            rusqlite::Error::QueryReturnedNoRows => RpmError::Sqlite("no Packages table".into()),
            e => err(e),
        })?;
    if kind.as_deref() != Some("table") {
        return Err(RpmError::Sqlite("Packages is not a table".into()));
    }

    let mut out = HeaderBlobs::default();
    let mut stmt = conn
        .prepare("SELECT hnum, blob FROM Packages ORDER BY hnum")
        .map_err(err)?;
    let mut rows = stmt.query([]).map_err(err)?;
    while let Some(row) = rows.next().map_err(err)? {
        let hnum: i64 = match row.get(0) {
            Ok(h) => h,
            Err(e) => {
                out.problems.push(format!("row with unreadable hnum: {e}"));
                continue;
            }
        };
        let Ok(hnum) = u32::try_from(hnum) else {
            out.problems
                .push(format!("package number {hnum} out of range"));
            continue;
        };
        match row.get_ref(1).map(|v| v.as_blob().map(<[u8]>::to_vec)) {
            Ok(Ok(blob)) => out.blobs.push((hnum, Cow::Owned(blob))),
            Ok(Err(_)) | Err(_) => out
                .problems
                .push(format!("package {hnum}: blob column is not a BLOB")),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn db(sql: &str) -> Vec<u8> {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(sql).unwrap();
        conn.serialize(DatabaseName::Main).unwrap().to_vec()
    }

    #[test]
    fn reads_rows_and_reports_bad_ones() {
        let bytes = db(
            "CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL);
             INSERT INTO Packages VALUES (3, x'0102'), (1, x'03'), (7, 'text');",
        );
        let got = read_sqlite(&bytes).unwrap();
        let blobs: Vec<_> = got.blobs.iter().map(|(h, b)| (*h, b.to_vec())).collect();
        assert_eq!(blobs, vec![(1, vec![3]), (3, vec![1, 2])]);
        assert_eq!(got.problems.len(), 1);
    }

    #[test]
    fn refuses_views_missing_tables_and_garbage() {
        let view = db("CREATE VIEW Packages AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c) SELECT x AS hnum, x AS blob FROM c;");
        assert!(matches!(read_sqlite(&view), Err(RpmError::Sqlite(_))));
        assert!(read_sqlite(&db("CREATE TABLE Other (x);")).is_err());
        assert!(read_sqlite(b"SQLite format 3\0").is_err());
        let mut garbage = db("CREATE TABLE Packages (hnum INTEGER PRIMARY KEY, blob BLOB);");
        for b in garbage.iter_mut().skip(100) {
            *b = 0xa5;
        }
        assert!(read_sqlite(&garbage).is_err());
    }

    #[test]
    fn step_budget_leaves_room_for_large_databases() {
        // Far more packages than any real image: the budget must not bite.
        let bytes = db(
            "CREATE TABLE Packages (hnum INTEGER PRIMARY KEY, blob BLOB);
             WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c LIMIT 20000)
             INSERT INTO Packages SELECT x, zeroblob(1) FROM c;",
        );
        assert_eq!(read_sqlite(&bytes).unwrap().blobs.len(), 20_000);
    }
}
