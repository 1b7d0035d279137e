//! Rpm packages (RHEL, CentOS, Rocky, Alma, Fedora, Amazon Linux, SUSE ...),
//! from the installed-package database, without librpm or any process.
//!
//! Paths read, in each of `var/lib/rpm/`, `usr/lib/sysimage/rpm/` (newer
//! Fedora and SUSE; often the target of a `var/lib/rpm` symlink) and
//! `usr/share/rpm/` (rpm-ostree images):
//!
//! | file           | format                                  | used by                      |
//! |----------------|-----------------------------------------|------------------------------|
//! | `rpmdb.sqlite` | SQLite, table `Packages(hnum, blob)`     | rpm >= 4.16 (RHEL 9, Fedora 33+, AL2023) |
//! | `Packages`     | Berkeley DB hash, key = header number   | rpm < 4.16 (CentOS 7/8, RHEL 8, AL2) |
//! | `Packages.db`  | rpm's own NDB (`lib/backend/ndb`)        | SUSE / openSUSE              |
//!
//! Every value is an rpm header blob ([`header`]); the three backends only
//! differ in how they store blobs, see [`sqlite`], [`bdb`] and [`ndb`]. From
//! each header we keep NAME, EPOCH, VERSION, RELEASE, ARCH, SOURCERPM,
//! LICENSE, VENDOR and MODULARITYLABEL. `gpg-pubkey` entries are the keys
//! imported with `rpm --import`, not packages, and are skipped.
//!
//! Versions: the package version is rpm's `%{EVR}`, `[EPOCH:]VERSION-RELEASE`,
//! where the epoch is shown whenever the EPOCH tag exists (so `0:` too, as
//! rpm prints it). The source package comes from SOURCERPM
//! (`NAME-VERSION-RELEASE.src.rpm`, split from the right). A source rpm file
//! name never carries the epoch, but source and binary packages of one spec
//! share it, and advisories (RHSA/ALSA/RLSA fixed versions) compare full
//! EVRs: dropping it would make every fixed package with an epoch look older
//! than its fix. So the source version keeps the binary's epoch, as Trivy
//! and Grype do.
//!
//! When several databases hold the same package (a leftover BDB beside the
//! sqlite database, or copies at two paths), it is reported once: databases
//! are read newest format first, and later sightings only add their path to
//! `locations`. A database that cannot be read becomes an "unknown" with the
//! reason; single bad headers are reported the same way while the rest of
//! the database is still used. Not read: an uncheckpointed `rpmdb.sqlite-wal`
//! (rpm folds it in when it closes the database, so images rarely have one).
//!
//! The packages' file lists, for ownership by file overlap, come from the
//! same headers: see [`files`].

pub mod bdb;
pub mod files;
pub mod header;
pub mod ndb;
pub mod sqlite;

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

use portcullis_catalog::{
    CatalogContext, CatalogOutput, Cataloger, EntryInfo, FileOwners, Found, Want,
};
use portcullis_types::Ecosystem;

use crate::util::{introduced_in, PackageFacts};
use header::Header;

/// Directories that hold an rpmdb (no leading slash, no trailing slash).
const DB_DIRS: [&str; 3] = ["var/lib/rpm", "usr/lib/sysimage/rpm", "usr/share/rpm"];
/// Per-header problems reported for one database before summarising.
const MAX_PROBLEMS: usize = 10;

/// Why an rpm database or header could not be read.
#[derive(Debug, thiserror::Error)]
pub enum RpmError {
    /// A header blob violates the header format.
    #[error("malformed header: {0}")]
    Header(String),
    /// A header lacks a tag every package has.
    #[error("header has no {0} tag")]
    MissingTag(&'static str),
    /// The Berkeley DB file is not a readable hash database.
    #[error("Berkeley DB: {0}")]
    Bdb(String),
    /// The NDB file is corrupt.
    #[error("NDB: {0}")]
    Ndb(String),
    /// SQLite refused the file or the `Packages` table is not rpm's.
    #[error("SQLite: {0}")]
    Sqlite(String),
}

/// The on-disk rpmdb formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum DbFormat {
    /// `rpmdb.sqlite` (rpm >= 4.16).
    Sqlite,
    /// `Packages.db` (NDB, SUSE).
    Ndb,
    /// `Packages` (Berkeley DB hash, rpm < 4.16).
    BerkeleyDb,
}

impl DbFormat {
    /// The format of a database path, if it is one this module reads.
    pub fn from_path(path: &str) -> Option<DbFormat> {
        let (dir, name) = path.rsplit_once('/')?;
        if !DB_DIRS.contains(&dir) {
            return None;
        }
        match name {
            "rpmdb.sqlite" => Some(DbFormat::Sqlite),
            "Packages.db" => Some(DbFormat::Ndb),
            "Packages" => Some(DbFormat::BerkeleyDb),
            _ => None,
        }
    }
}

impl fmt::Display for DbFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DbFormat::Sqlite => "sqlite",
            DbFormat::Ndb => "ndb",
            DbFormat::BerkeleyDb => "bdb",
        })
    }
}

/// Header blobs read from a database, with the package number rpm gave each.
#[derive(Debug, Default)]
pub struct HeaderBlobs<'a> {
    /// `(header number, blob)` in database order.
    pub blobs: Vec<(u32, Cow<'a, [u8]>)>,
    /// Records that could not be read; the others are still good.
    pub problems: Vec<String>,
}

/// The facts of one installed package.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct RpmPackage {
    /// NAME.
    pub name: String,
    /// EPOCH, when the tag exists.
    pub epoch: Option<u32>,
    /// VERSION.
    pub version: String,
    /// RELEASE.
    pub release: String,
    /// ARCH (absent for `gpg-pubkey`).
    pub arch: Option<String>,
    /// SOURCERPM, e.g. `glibc-2.34-60.el9.src.rpm`.
    pub source_rpm: Option<String>,
    /// LICENSE, verbatim (an expression such as `GPLv2+ and LGPLv2+`).
    pub license: Option<String>,
    /// VENDOR.
    pub vendor: Option<String>,
    /// MODULARITYLABEL (`name:stream:version:context`).
    pub modularity_label: Option<String>,
}

impl RpmPackage {
    /// Reads the package facts from one header blob.
    pub fn from_header(blob: &[u8]) -> Result<RpmPackage, RpmError> {
        let h = Header::parse(blob)?;
        let text = |tag| h.string(tag).map(Cow::into_owned);
        let required = |tag, what| text(tag).ok_or(RpmError::MissingTag(what));
        Ok(RpmPackage {
            name: required(header::TAG_NAME, "NAME")?,
            epoch: h.u32(header::TAG_EPOCH),
            version: required(header::TAG_VERSION, "VERSION")?,
            release: required(header::TAG_RELEASE, "RELEASE")?,
            arch: text(header::TAG_ARCH),
            source_rpm: text(header::TAG_SOURCERPM),
            license: text(header::TAG_LICENSE),
            vendor: text(header::TAG_VENDOR),
            modularity_label: text(header::TAG_MODULARITYLABEL),
        })
    }

    /// `[EPOCH:]VERSION-RELEASE`, exactly as rpm's `%{EVR}`.
    pub fn evr(&self) -> String {
        evr(self.epoch, &self.version, &self.release)
    }

    /// Source package name and version (with this package's epoch, see the
    /// module doc), from SOURCERPM.
    pub fn source(&self) -> Option<(String, String)> {
        let (name, version, release) = split_source_rpm(self.source_rpm.as_deref()?)?;
        Some((name.to_owned(), evr(self.epoch, version, release)))
    }

    /// Imported signing keys, which rpm stores as pseudo-packages.
    pub fn is_gpg_pubkey(&self) -> bool {
        self.name == "gpg-pubkey"
    }

    /// Identity used to recognise the same package across databases and layers.
    fn key(&self) -> (String, String, Option<String>) {
        (self.name.clone(), self.evr(), self.arch.clone())
    }
}

fn evr(epoch: Option<u32>, version: &str, release: &str) -> String {
    match epoch {
        Some(e) => format!("{e}:{version}-{release}"),
        None => format!("{version}-{release}"),
    }
}

/// Splits a source rpm file name `NAME-VERSION-RELEASE.ARCH.rpm` (ARCH is
/// `src` or `nosrc`) from the right, since NAME may itself contain dashes.
pub fn split_source_rpm(file: &str) -> Option<(&str, &str, &str)> {
    let stem = file.strip_suffix(".rpm")?;
    let (nvr, _arch) = stem.rsplit_once('.')?;
    let (nv, release) = nvr.rsplit_once('-')?;
    let (name, version) = nv.rsplit_once('-')?;
    (!name.is_empty() && !version.is_empty() && !release.is_empty())
        .then_some((name, version, release))
}

/// Parses one header blob (also the fuzzing entry point).
pub fn parse_header(blob: &[u8]) -> Result<RpmPackage, RpmError> {
    RpmPackage::from_header(blob)
}

/// The packages of one database.
#[derive(Debug, Default)]
pub struct Rpmdb {
    /// Installed packages (no `gpg-pubkey`), in database order.
    pub packages: Vec<RpmPackage>,
    /// Records or headers that could not be read.
    pub problems: Vec<String>,
}

/// Reads the header blobs of a database in the given format.
pub fn read_blobs(format: DbFormat, bytes: &[u8]) -> Result<HeaderBlobs<'_>, RpmError> {
    match format {
        DbFormat::Sqlite => sqlite::read_sqlite(bytes),
        DbFormat::Ndb => ndb::read_ndb(bytes),
        DbFormat::BerkeleyDb => bdb::read_packages(bytes),
    }
}

/// Reads every package of a database.
pub fn parse_rpmdb(format: DbFormat, bytes: &[u8]) -> Result<Rpmdb, RpmError> {
    let raw = read_blobs(format, bytes)?;
    let mut db = Rpmdb {
        packages: Vec::new(),
        problems: raw.problems,
    };
    for (hnum, blob) in &raw.blobs {
        match RpmPackage::from_header(blob) {
            Ok(p) if p.is_gpg_pubkey() => {}
            Ok(p) => db.packages.push(p),
            Err(e) => db.problems.push(format!("package {hnum}: {e}")),
        }
    }
    Ok(db)
}

/// The rpm cataloger.
pub struct RpmCataloger;

impl Cataloger for RpmCataloger {
    fn id(&self) -> &'static str {
        "rpm"
    }

    fn wants(&self, path: &str, _info: &EntryInfo) -> Option<Want> {
        DbFormat::from_path(path).map(|_| Want::Content)
    }

    fn catalog(&self, ctx: &CatalogContext<'_>, out: &mut CatalogOutput) {
        let mut files: Vec<_> = ctx
            .snapshot
            .owned_by(ctx.index)
            .filter_map(|f| Some((DbFormat::from_path(f.path)?, f)))
            .collect();
        // Newest format first: a stale BDB left beside rpmdb.sqlite only adds
        // locations to what the live database reports.
        files.sort_by(|(fa, a), (fb, b)| (fa, a.path).cmp(&(fb, b.path)));
        // Package key -> index of its row in `out.found`.
        let mut seen: BTreeMap<(String, String, Option<String>), usize> = BTreeMap::new();
        for (format, file) in files {
            let db = match parse_rpmdb(format, file.content) {
                Ok(db) => db,
                Err(e) => {
                    out.unknown(
                        self.id(),
                        file.path,
                        Some(file.layer),
                        format!("cannot read {format} rpmdb: {e}"),
                    );
                    continue;
                }
            };
            report_problems(out, self.id(), file.path, file.layer, &db.problems);
            let layers = introduced_in(ctx.snapshot.history(file.path), |content| {
                parse_rpmdb(format, content)
                    .map(|d| d.packages.iter().map(RpmPackage::key).collect())
                    .unwrap_or_default()
            });
            let location = format!("/{}", file.path);
            for pkg in db.packages {
                let key = pkg.key();
                if let Some(&row) = seen.get(&key) {
                    let locations = &mut out.found[row].package.locations;
                    if !locations.contains(&location) {
                        locations.push(location.clone());
                    }
                    continue;
                }
                let layer_index = layers.get(&key).copied().unwrap_or(file.layer);
                let source = pkg.source();
                let package = PackageFacts {
                    version: pkg.evr(),
                    name: pkg.name,
                    source,
                    arch: pkg.arch,
                    licenses: pkg.license.into_iter().collect(),
                    locations: vec![file.path.to_owned()],
                    distro: ctx.distro,
                }
                .build(Ecosystem::Rpm, self.id());
                seen.insert(key, out.found.len());
                out.found.push(Found {
                    package,
                    layer_index,
                });
            }
        }
    }

    fn claim_files(&self, ctx: &CatalogContext<'_>, owners: &mut FileOwners<'_>) {
        files::claim_files(ctx, owners);
    }
}

fn report_problems(
    out: &mut CatalogOutput,
    id: &str,
    path: &str,
    layer: usize,
    problems: &[String],
) {
    for p in problems.iter().take(MAX_PROBLEMS) {
        out.unknown(id, path, Some(layer), p.clone());
    }
    if problems.len() > MAX_PROBLEMS {
        out.unknown(
            id,
            path,
            Some(layer),
            format!("{} more unreadable records", problems.len() - MAX_PROBLEMS),
        );
    }
}

#[cfg(test)]
mod tests;
