//! Alpine (and Wolfi) packages, from `lib/apk/db/installed`.
//!
//! Format (apk-tools "installed database"): blank-line separated records of
//! `X:value` lines; `P` name, `V` version, `A` arch, `o` origin (the source
//! package), `L` licence, `F`/`R` files. Version scheme: apk-tools' own.
//!
//! The same records are the packages' file lists, for ownership by file
//! overlap: an `F:` line names a directory (relative to the root) and the
//! `R:` lines after it the files installed there.

use portcullis_catalog::{
    CatalogContext, CatalogOutput, Cataloger, EntryInfo, FileOwners, Found, Want,
};
use portcullis_types::Ecosystem;

use crate::util::{introduced_in, PackageFacts};

const INSTALLED: &str = "lib/apk/db/installed";

/// The apk cataloger.
pub struct ApkCataloger;

/// One record of the installed database.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct ApkEntry {
    /// `P:`.
    pub name: String,
    /// `V:`.
    pub version: String,
    /// `A:`.
    pub arch: Option<String>,
    /// `o:` (defaults to the package name).
    pub origin: Option<String>,
    /// `L:`.
    pub license: Option<String>,
}

/// Parses the installed database.
pub fn parse_installed(text: &str) -> (Vec<ApkEntry>, Vec<String>) {
    let mut entries = Vec::new();
    let mut problems = Vec::new();
    for (n, record) in text.split("\n\n").enumerate() {
        if record.trim().is_empty() {
            continue;
        }
        let mut e = ApkEntry::default();
        for line in record.lines() {
            let Some((key, value)) = line.split_once(':') else {
                continue;
            };
            let value = value.to_owned();
            match key {
                "P" => e.name = value,
                "V" => e.version = value,
                "A" => e.arch = Some(value),
                "o" => e.origin = Some(value),
                "L" => e.license = Some(value),
                _ => {}
            }
        }
        if e.name.is_empty() || e.version.is_empty() {
            problems.push(format!("record {} has no P:/V: field", n + 1));
        } else {
            entries.push(e);
        }
    }
    (entries, problems)
}

impl Cataloger for ApkCataloger {
    fn id(&self) -> &'static str {
        "apk"
    }

    fn wants(&self, path: &str, _info: &EntryInfo) -> Option<Want> {
        (path == INSTALLED).then_some(Want::Content)
    }

    fn catalog(&self, ctx: &CatalogContext<'_>, out: &mut CatalogOutput) {
        let Some(file) = ctx
            .snapshot
            .owned_by(ctx.index)
            .find(|f| f.path == INSTALLED)
        else {
            return;
        };
        let (entries, problems) = parse_installed(&String::from_utf8_lossy(file.content));
        for p in problems {
            out.unknown(self.id(), file.path, Some(file.layer), p);
        }
        let layers = introduced_in(ctx.snapshot.history(INSTALLED), |c| {
            parse_installed(&String::from_utf8_lossy(c)).0
        });
        for entry in entries {
            let layer_index = layers.get(&entry).copied().unwrap_or(file.layer);
            let origin = entry.origin.clone().unwrap_or_else(|| entry.name.clone());
            let package = PackageFacts {
                source: Some((origin, entry.version.clone())),
                name: entry.name,
                version: entry.version,
                arch: entry.arch,
                licenses: entry.license.into_iter().collect(),
                locations: vec![file.path.to_owned()],
                distro: ctx.distro,
            }
            .build(Ecosystem::Apk, self.id());
            out.found.push(Found {
                package,
                layer_index,
            });
        }
    }

    fn claim_files(&self, ctx: &CatalogContext<'_>, owners: &mut FileOwners<'_>) {
        let Some(file) = ctx
            .snapshot
            .owned_by(ctx.index)
            .find(|f| f.path == INSTALLED)
        else {
            return;
        };
        for_each_path(
            &String::from_utf8_lossy(file.content),
            |package, dir, name| match name {
                Some(name) => owners.claim_in(dir, name, Ecosystem::Apk, package),
                None => owners.claim(dir, Ecosystem::Apk, package),
            },
        );
    }
}

/// Calls `f(package, dir, None)` for every `F:` directory and
/// `f(package, dir, Some(file))` for every `R:` file of the installed
/// database. Files before any `F:` line are at the root.
pub fn for_each_path(text: &str, mut f: impl FnMut(&str, &str, Option<&str>)) {
    for record in text.split("\n\n") {
        let Some(package) = record.lines().find_map(|l| l.strip_prefix("P:")) else {
            continue;
        };
        let mut dir = "";
        for line in record.lines() {
            if let Some(d) = line.strip_prefix("F:") {
                dir = d;
                f(package, dir, None);
            } else if let Some(file) = line.strip_prefix("R:") {
                f(package, dir, Some(file));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_lists_pair_directories_and_files() {
        let text = "P:py3-pip\nV:1\nR:top\nF:usr/lib/python3.11/site-packages/pip-23.1.2.dist-info\nR:METADATA\nR:RECORD\nF:usr/bin\nR:pip\n\nV:2\nF:orphan\nR:x\n";
        let mut seen = Vec::new();
        for_each_path(text, |p, d, n| seen.push(format!("{p} {d} {n:?}")));
        assert_eq!(
            seen,
            [
                "py3-pip  Some(\"top\")",
                "py3-pip usr/lib/python3.11/site-packages/pip-23.1.2.dist-info None",
                "py3-pip usr/lib/python3.11/site-packages/pip-23.1.2.dist-info Some(\"METADATA\")",
                "py3-pip usr/lib/python3.11/site-packages/pip-23.1.2.dist-info Some(\"RECORD\")",
                "py3-pip usr/bin None",
                "py3-pip usr/bin Some(\"pip\")",
            ]
        );
    }

    #[test]
    fn parses_origin() {
        let (e, p) = parse_installed("C:Q1abc=\nP:libssl3\nV:3.1.4-r0\nA:x86_64\no:openssl\nL:Apache-2.0\n\nP:musl\nV:1.2.4-r2\n\nV:1\n");
        assert_eq!(e.len(), 2);
        assert_eq!(e[0].origin.as_deref(), Some("openssl"));
        assert_eq!(p.len(), 1);
    }
}
