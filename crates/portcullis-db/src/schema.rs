//! The table layout. Bump [`SCHEMA_VERSION`] whenever a table or the JSON of
//! a stored record changes meaning: older binaries then refuse the file with
//! a clear message instead of misreading it.

/// Schema of the DB file, also stored as SQLite's `user_version`.
pub const SCHEMA_VERSION: u32 = 1;

/// Creates the tables of an empty DB.
///
/// * `advisories.body` is the advisory as JSON *without* its affected list;
///   each affected entry is a row of `affected`, so a lookup reads only the
///   entries of the package asked for.
/// * `aliases` lets `explain` and alias merging find a record by any id.
/// * `cvss` holds NVD's scores by CVE id, which enrich every advisory naming
///   the CVE.
pub(crate) const CREATE: &str = "
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE sources (
    name          TEXT PRIMARY KEY,
    location      TEXT NOT NULL,
    records       INTEGER NOT NULL,
    skipped       INTEGER NOT NULL,
    imported_at   TEXT NOT NULL,
    etag          TEXT,
    last_modified TEXT
) WITHOUT ROWID;
CREATE TABLE advisories (
    key    INTEGER PRIMARY KEY,
    source TEXT NOT NULL,
    id     TEXT NOT NULL,
    body   TEXT NOT NULL,
    UNIQUE (source, id)
);
CREATE TABLE affected (
    key       INTEGER PRIMARY KEY,
    advisory  INTEGER NOT NULL REFERENCES advisories (key),
    namespace TEXT NOT NULL,
    package   TEXT NOT NULL,
    entry     TEXT NOT NULL
);
CREATE INDEX affected_by_package ON affected (namespace, package);
CREATE INDEX affected_by_advisory ON affected (advisory);
CREATE TABLE aliases (
    alias    TEXT NOT NULL,
    advisory INTEGER NOT NULL REFERENCES advisories (key)
);
CREATE INDEX aliases_by_alias ON aliases (alias);
CREATE INDEX aliases_by_advisory ON aliases (advisory);
CREATE TABLE cvss (
    cve         TEXT PRIMARY KEY,
    origin      TEXT NOT NULL,
    v2_vector   TEXT,
    v2_score    REAL,
    v3_vector   TEXT,
    v3_score    REAL,
    description TEXT
) WITHOUT ROWID;
";
