//! Tests against the real data in `../shared/vulndata` (never copied into the
//! repository) and our fixture `tests/fixtures/debian-tracker.json`.
//! Expected numbers are computed here from the raw files by simple scans,
//! independently of the parsers.

mod lists;
mod records;
mod robustness;

use std::path::{Path, PathBuf};

use super::{parse_with_warnings, sniff, DebianFormat};
use crate::{Advisory, ImportItem};

/// `../shared/vulndata`, or `None` (with a message) when it is absent; in CI
/// its absence is a failure.
#[allow(clippy::print_stderr)] // says what was skipped
fn vulndata() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/vulndata");
    if dir.is_dir() {
        return Some(dir);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "test data missing: {} (required when CI is set)",
        dir.display()
    );
    eprintln!("skipping: test data {} not found", dir.display());
    None
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn fixture(name: &str) -> Vec<u8> {
    read(
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name),
    )
}

/// Parses, asserting no warnings, and returns the advisories.
fn advisories(format: DebianFormat, bytes: &[u8], origin: &str) -> Vec<Advisory> {
    let parsed =
        parse_with_warnings(format, bytes, origin).unwrap_or_else(|e| panic!("{origin}: {e}"));
    assert!(
        parsed.warnings.is_empty(),
        "{origin}: {:?}",
        parsed.warnings
    );
    parsed
        .items
        .into_iter()
        .map(|item| match item {
            ImportItem::Advisory(a) => a,
            other => panic!("{origin}: unexpected {other:?}"),
        })
        .collect()
}

/// Every file under `dir`, sorted.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn sniff_recognises_every_debian_file_and_nothing_else() {
    let Some(root) = vulndata() else { return };
    let expected = |rel: &str| -> Option<DebianFormat> {
        if rel.ends_with("/list") {
            Some(DebianFormat::TextList)
        } else if rel.ends_with("distributions.json") {
            Some(DebianFormat::Distributions)
        } else if rel.starts_with("debian/vuln-list-debian/tracker/") {
            Some(DebianFormat::VulnList)
        } else if rel.starts_with("debian-derived/") {
            Some(DebianFormat::ChangelogDerived)
        } else {
            None
        }
    };
    let mut checked = 0;
    for (n, path) in files_under(&root).iter().enumerate() {
        let rel = path.strip_prefix(&root).unwrap_or(path).to_string_lossy();
        // All Debian files, and every 7th of the others (thousands of OSV
        // records, YAML, NVD, nodejs, Alpine) as the "must not claim" set.
        if expected(&rel).is_none() && n % 7 != 0 {
            continue;
        }
        let bytes = read(path);
        // Sniffing by content alone (a neutral name) and with the real name.
        assert_eq!(sniff("upload", &bytes), expected(&rel), "{rel} by content");
        assert_eq!(sniff(&rel, &bytes), expected(&rel), "{rel} by name");
        checked += 1;
    }
    assert!(checked > 500, "only {checked} files checked");
    let tracker = fixture("debian-tracker.json");
    assert_eq!(sniff("json", &tracker), Some(DebianFormat::TrackerJson));
    // A damaged list is still claimed by its name, so the error is reported.
    assert_eq!(
        sniff("data/DSA/list", b"garbage"),
        Some(DebianFormat::TextList)
    );
    assert_eq!(sniff("x.json", b"{\"id\": \"GHSA-1\"}"), None);
    assert_eq!(sniff("x", b""), None);
}

#[test]
fn every_debian_file_parses_through_the_dispatch() {
    let Some(root) = vulndata() else { return };
    let mut files = 0;
    for dir in ["debian", "debian-derived"] {
        for path in files_under(&root.join(dir)) {
            let bytes = read(&path);
            let name = path.to_string_lossy();
            let Some(format) = sniff(&name, &bytes) else {
                assert!(name.ends_with(".tsv"), "{name} not recognised");
                continue;
            };
            let items = super::parse(format, &bytes, &name).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(
                items.is_empty(),
                format == DebianFormat::Distributions,
                "{name}"
            );
            files += 1;
        }
    }
    assert_eq!(files, 3 + 9 + 1);
}
