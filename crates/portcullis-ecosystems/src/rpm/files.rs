//! The file lists of installed rpm packages, for ownership by file overlap
//! (`portcullis-catalog`'s ownership pass): which language packages rpm
//! itself installed (`python3-pip`'s `pip-21.3.1.dist-info`).
//!
//! rpm >= 4 stores a header's files "compressed": file `i` is
//! `DIRNAMES[DIRINDEXES[i]] + BASENAMES[i]`, every dirname ending in `/`;
//! directories the package owns are files of the list too. Headers from
//! before that list full OLDFILENAMES. FILESTATES, when present, says
//! whether each file is on disk; as `rpm -qf` does (its installed-file
//! index keeps `RPMFILE_IS_INSTALLED` files), only normal and net-shared
//! files count: a file "replaced" by another package, "not installed"
//! (`--excludedocs`, another language) or of the "wrong colour" (the other
//! architecture of a multilib pair) is not this package's.
//!
//! The header is hostile: a DIRINDEXES value beyond DIRNAMES, or arrays of
//! different lengths, only drop the files concerned.

use std::borrow::Cow;

use portcullis_catalog::{CatalogContext, FileOwners};
use portcullis_types::Ecosystem;

use super::header::{self, Header};
use super::{read_blobs, DbFormat};

/// Calls `f(dir, name)` for every installed file of a header (`dir` is
/// empty for OLDFILENAMES, whose names are full paths).
pub fn for_each_file(h: &Header<'_>, mut f: impl FnMut(&str, &str)) {
    let states = h.get(header::TAG_FILESTATES).map(|e| e.bytes());
    let installed =
        |i: usize| states.is_none_or(|s| s.get(i).is_none_or(|&st| matches!(st, 0 | 3)));
    if let Some(basenames) = h.get(header::TAG_BASENAMES) {
        let dirs: Vec<Cow<'_, str>> = h
            .get(header::TAG_DIRNAMES)
            .map(|e| e.strings().collect())
            .unwrap_or_default();
        let indexes = h
            .get(header::TAG_DIRINDEXES)
            .into_iter()
            .flat_map(|e| e.u32s());
        for (i, (base, dir)) in basenames.strings().zip(indexes).enumerate() {
            if let Some(dir) = usize::try_from(dir).ok().and_then(|d| dirs.get(d)) {
                if installed(i) {
                    f(dir, &base);
                }
            }
        }
    } else if let Some(old) = h.get(header::TAG_OLDFILENAMES) {
        for (i, path) in old.strings().enumerate() {
            if installed(i) {
                f("", &path);
            }
        }
    }
}

/// The rpm cataloger's side of the ownership pass: every database it read
/// (all copies say the same, and a claim is a set insertion).
pub(super) fn claim_files(ctx: &CatalogContext<'_>, owners: &mut FileOwners<'_>) {
    for file in ctx.snapshot.owned_by(ctx.index) {
        let Some(format) = DbFormat::from_path(file.path) else {
            continue;
        };
        // An unreadable database was already reported by `catalog`.
        let Ok(raw) = read_blobs(format, file.content) else {
            continue;
        };
        for (_, blob) in &raw.blobs {
            let Ok(h) = Header::parse(blob) else { continue };
            let Some(name) = h.string(header::TAG_NAME) else {
                continue;
            };
            if name == "gpg-pubkey" {
                continue;
            }
            for_each_file(&h, |dir, base| {
                if dir.is_empty() {
                    owners.claim(base, Ecosystem::Rpm, &name);
                } else {
                    owners.claim_in(dir, base, Ecosystem::Rpm, &name);
                }
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::header::tests::{build, s};
    use super::*;

    fn files_of(blob: &[u8]) -> Vec<String> {
        let h = Header::parse(blob).unwrap();
        let mut out = Vec::new();
        for_each_file(&h, |d, b| out.push(format!("{d}{b}")));
        out
    }

    fn u32s(v: &[u32]) -> Vec<u8> {
        v.iter().flat_map(|x| x.to_be_bytes()).collect()
    }

    #[test]
    fn compressed_lists_join_dirs_and_skip_files_not_installed() {
        let dirs = [
            s("/usr/lib/python3.9/site-packages/"),
            s("/usr/lib/python3.9/site-packages/pip-21.3.1.dist-info/"),
        ]
        .concat();
        let bases = [
            s("pip-21.3.1.dist-info"),
            s("METADATA"),
            s("LICENSE.txt"),
            s("RECORD"),
            s("x"),
        ]
        .concat();
        let blob = build(&[
            (header::TAG_NAME, 6, s("python3-pip"), 1),
            (header::TAG_FILESTATES, 1, vec![0, 3, 2, 1, 0], 5),
            (header::TAG_DIRINDEXES, 4, u32s(&[0, 1, 1, 1, 7]), 5),
            (header::TAG_BASENAMES, 8, bases, 5),
            (header::TAG_DIRNAMES, 8, dirs, 2),
        ]);
        assert_eq!(
            files_of(&blob),
            [
                "/usr/lib/python3.9/site-packages/pip-21.3.1.dist-info",
                "/usr/lib/python3.9/site-packages/pip-21.3.1.dist-info/METADATA",
            ],
            "not installed, replaced and out-of-range entries are dropped"
        );
    }

    /// `rpm --dbpath testdata -qa --qf '[%{=NAME}\t%{FILENAMES}\n]'` over
    /// the sqlite fixture (every file's state is "normal"), sorted.
    const RPM_QL: &str = "\
alpha\t/usr/share/alpha
alpha\t/usr/share/alpha/alpha.txt
delta\t/usr/share/delta
delta\t/usr/share/delta/delta.txt
gamma\t/usr/share/gamma
gamma\t/usr/share/gamma/gamma.txt
libgamma\t/usr/share/libgamma
libgamma\t/usr/share/libgamma/libgamma.txt
";

    #[test]
    fn fixture_databases_list_what_rpm_lists() {
        for (db, format, bytes) in [
            (
                "rpmdb.sqlite",
                DbFormat::Sqlite,
                &include_bytes!("testdata/rpmdb.sqlite")[..],
            ),
            (
                "Packages.db",
                DbFormat::Ndb,
                include_bytes!("testdata/Packages.db"),
            ),
            (
                "Packages",
                DbFormat::BerkeleyDb,
                include_bytes!("testdata/Packages"),
            ),
            (
                "Packages-be",
                DbFormat::BerkeleyDb,
                include_bytes!("testdata/Packages-be"),
            ),
        ] {
            let mut lines = Vec::new();
            for (_, blob) in read_blobs(format, bytes).unwrap().blobs {
                let h = Header::parse(&blob).unwrap();
                let name = h.string(header::TAG_NAME).unwrap().into_owned();
                for_each_file(&h, |d, b| lines.push(format!("{name}\t{d}{b}\n")));
            }
            lines.sort();
            assert_eq!(lines.concat(), RPM_QL, "{db}");
        }
    }

    #[test]
    fn old_lists_and_headers_without_files() {
        let blob = build(&[
            (header::TAG_NAME, 6, s("old"), 1),
            (
                header::TAG_OLDFILENAMES,
                8,
                [s("/a"), s("/b/c")].concat(),
                2,
            ),
        ]);
        assert_eq!(files_of(&blob), ["/a", "/b/c"]);
        let none = build(&[(header::TAG_NAME, 6, s("meta"), 1)]);
        assert!(files_of(&none).is_empty());
        // Wrong types are ignored, not misread.
        let odd = build(&[
            (header::TAG_BASENAMES, 6, s("x"), 1),
            (header::TAG_DIRINDEXES, 4, u32s(&[0]), 1),
            (header::TAG_DIRNAMES, 8, s("/"), 1),
        ]);
        assert!(files_of(&odd).is_empty());
    }
}
