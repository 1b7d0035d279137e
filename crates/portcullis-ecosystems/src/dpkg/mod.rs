//! Debian and Ubuntu packages, from the dpkg database.
//!
//! Reads `var/lib/dpkg/status` (the format of deb-status(5): RFC 822-style
//! stanzas) and, for distroless images, every file of
//! `var/lib/dpkg/status.d/` (one stanza per package; `*.md5sums` skipped).
//! Version scheme: deb-version(7).
//!
//! Only packages whose state says their files are on disk are reported
//! (`installed`, `half-installed`, `unpacked`, `half-configured`,
//! `triggers-awaited`, `triggers-pending`): `config-files` and
//! `not-installed` entries are leftovers, as `dpkg -l` shows with `rc`.
//! The source package comes from `Source:`, which may carry its own version
//! in parentheses (binNMUs); without it the source is the package itself.
//!
//! File lists, for ownership by file overlap (`portcullis-catalog`'s
//! ownership pass): `var/lib/dpkg/info/PKG.list` and, for multiarch
//! packages, `PKG:ARCH.list` (one absolute path per line, directories
//! included, as `dpkg -L` prints them); distroless images have no `.list`
//! files, only `status.d/PKG.md5sums` (`MD5  relative/path`, regular files
//! only). They are kept whole: they are the only record of what dpkg
//! installed, and are small next to the layers (a few MB for 700 packages).

use portcullis_catalog::{CatalogContext, CatalogOutput, Cataloger, EntryInfo, FileOwners, Want};
use portcullis_types::Ecosystem;

use crate::util::{introduced_in, rfc822_fields, PackageFacts};

const STATUS: &str = "var/lib/dpkg/status";
const STATUS_D: &str = "var/lib/dpkg/status.d/";
const INFO: &str = "var/lib/dpkg/info/";

/// The dpkg cataloger.
pub struct DpkgCataloger;

/// One package stanza of a dpkg database.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct DpkgEntry {
    /// `Package:`.
    pub name: String,
    /// `Version:`.
    pub version: String,
    /// `Architecture:`.
    pub arch: Option<String>,
    /// Source name and version.
    pub source: (String, String),
}

/// Parses a status file; returns entries and the problems met.
pub fn parse_status(text: &str) -> (Vec<DpkgEntry>, Vec<String>) {
    let mut entries = Vec::new();
    let mut problems = Vec::new();
    for (n, stanza) in text.split("\n\n").enumerate() {
        if stanza.trim().is_empty() {
            continue;
        }
        let fields = rfc822_fields(stanza);
        let get = |k: &str| {
            fields
                .iter()
                .find(|(f, _)| f.eq_ignore_ascii_case(k))
                .map(|(_, v)| v.as_str())
        };
        let (Some(name), Some(version)) = (get("Package"), get("Version")) else {
            // Entries that were never unpacked legitimately lack a Version.
            if get("Package").is_some() && get("Status").is_some_and(|s| !on_disk(s)) {
                continue;
            }
            problems.push(format!("stanza {} has no Package/Version field", n + 1));
            continue;
        };
        if get("Status").is_some_and(|s| !on_disk(s)) {
            continue;
        }
        let source = match get("Source") {
            Some(s) => match s.split_once('(') {
                Some((src, v)) => (
                    src.trim().to_owned(),
                    v.trim_end_matches(')').trim().to_owned(),
                ),
                None => (s.trim().to_owned(), version.to_owned()),
            },
            None => (name.to_owned(), version.to_owned()),
        };
        entries.push(DpkgEntry {
            name: name.to_owned(),
            version: version.to_owned(),
            arch: get("Architecture").map(str::to_owned),
            source,
        });
    }
    (entries, problems)
}

/// `Status: want flag state`; the third word says whether files are there.
fn on_disk(status: &str) -> bool {
    matches!(
        status.split_whitespace().nth(2),
        Some(
            "installed"
                | "half-installed"
                | "unpacked"
                | "half-configured"
                | "triggers-awaited"
                | "triggers-pending"
        )
    )
}

impl Cataloger for DpkgCataloger {
    fn id(&self) -> &'static str {
        "dpkg"
    }

    fn wants(&self, path: &str, _info: &EntryInfo) -> Option<Want> {
        (is_status(path) || file_list_owner(path).is_some()).then_some(Want::Content)
    }

    fn catalog(&self, ctx: &CatalogContext<'_>, out: &mut CatalogOutput) {
        for file in ctx.snapshot.owned_by(ctx.index) {
            if !is_status(file.path) {
                continue;
            }
            let (entries, problems) = parse_status(&String::from_utf8_lossy(file.content));
            for p in problems {
                out.unknown(self.id(), file.path, Some(file.layer), p);
            }
            let layers = if file.path == STATUS {
                introduced_in(ctx.snapshot.history(STATUS), |c| {
                    parse_status(&String::from_utf8_lossy(c)).0
                })
            } else {
                Default::default()
            };
            for entry in entries {
                let layer_index = layers.get(&entry).copied().unwrap_or(file.layer);
                let package = PackageFacts {
                    name: entry.name,
                    version: entry.version,
                    source: Some(entry.source),
                    arch: entry.arch,
                    locations: vec![file.path.to_owned()],
                    distro: ctx.distro,
                    ..PackageFacts::default()
                }
                .build(Ecosystem::Deb, self.id());
                out.found.push(portcullis_catalog::Found {
                    package,
                    layer_index,
                });
            }
        }
    }

    fn claim_files(&self, ctx: &CatalogContext<'_>, owners: &mut FileOwners<'_>) {
        for file in ctx.snapshot.owned_by(ctx.index) {
            let Some((package, md5sums)) = file_list_owner(file.path) else {
                continue;
            };
            for line in String::from_utf8_lossy(file.content).lines() {
                let path = if md5sums {
                    // `<32 hex digits><two spaces><path>`; paths may hold spaces.
                    match line.split_once(' ') {
                        Some((_, rest)) => rest.trim_start_matches([' ', '*']),
                        None => continue,
                    }
                } else {
                    line
                };
                owners.claim(path, Ecosystem::Deb, package);
            }
        }
    }
}

/// A package database: `status`, or a stanza file of `status.d/`.
fn is_status(path: &str) -> bool {
    path == STATUS
        || path
            .strip_prefix(STATUS_D)
            .is_some_and(|name| !name.contains('/') && !name.ends_with(".md5sums"))
}

/// For a file list, the package it belongs to and whether it is in the
/// `md5sums` form. `PKG:ARCH.list` names the package `PKG` (a package name
/// never contains `:`).
fn file_list_owner(path: &str) -> Option<(&str, bool)> {
    let (stem, md5sums) = if let Some(name) = path.strip_prefix(INFO) {
        (name.strip_suffix(".list")?, false)
    } else {
        (path.strip_prefix(STATUS_D)?.strip_suffix(".md5sums")?, true)
    };
    let package = stem.split(':').next().unwrap_or(stem);
    (!package.is_empty() && !stem.contains('/')).then_some((package, md5sums))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_lists_name_their_package() {
        let list = |p| file_list_owner(p);
        assert_eq!(
            list("var/lib/dpkg/info/python3-pip.list"),
            Some(("python3-pip", false))
        );
        assert_eq!(
            list("var/lib/dpkg/info/libc6:amd64.list"),
            Some(("libc6", false))
        );
        assert_eq!(
            list("var/lib/dpkg/status.d/libssl3.md5sums"),
            Some(("libssl3", true))
        );
        assert_eq!(list("var/lib/dpkg/info/bash.md5sums"), None);
        assert_eq!(list("var/lib/dpkg/info/sub/x.list"), None);
        assert_eq!(list("var/lib/dpkg/info/.list"), None);
        assert!(is_status("var/lib/dpkg/status.d/libssl3"));
        assert!(!is_status("var/lib/dpkg/status.d/libssl3.md5sums"));
        assert!(!is_status("var/lib/dpkg/info/bash.list"));
    }

    #[test]
    fn reads_source_with_version_and_skips_config_files() {
        let text = "Package: libbrotli1\nStatus: install ok installed\nArchitecture: amd64\nSource: brotli (1.0.9-2)\nVersion: 1.0.9-2+b6\nDescription: x\n continued\n\n\
Package: tzdata\nStatus: deinstall ok config-files\nVersion: 2024a-0+deb12u1\n\n\
Package: bash\nStatus: install ok installed\nVersion: 5.2.15-2+b13\nSource: bash\n\n\
Package: broken\nStatus: install ok installed\n";
        let (entries, problems) = parse_status(text);
        assert_eq!(entries.len(), 2);
        assert_eq!(
            entries[0].source,
            ("brotli".to_owned(), "1.0.9-2".to_owned())
        );
        assert_eq!(
            entries[1].source,
            ("bash".to_owned(), "5.2.15-2+b13".to_owned())
        );
        assert_eq!(problems.len(), 1);
    }
}
