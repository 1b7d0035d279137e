//! The Debian data of `../shared/vulndata` through the public import walker:
//! every file recognised, nothing skipped, and as many records per source as
//! a plain scan of the raw files predicts.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use portcullis_advisory::{Advisory, DistroStatus};
use support::vulndata;

/// Every record of `path`, which must all be advisories and all readable.
fn import(path: &Path) -> Vec<Advisory> {
    let imported = support::import(path);
    assert!(
        imported.report.skipped.is_empty(),
        "{:?}",
        imported.report.skipped
    );
    assert!(imported.cvss.is_empty(), "unexpected CVSS records");
    imported.advisories
}

fn by_source(advisories: &[Advisory]) -> BTreeMap<&str, usize> {
    let mut counts = BTreeMap::new();
    for a in advisories {
        *counts.entry(a.source.as_str()).or_default() += 1;
    }
    counts
}

/// Records a list should give: its distinct CVEs plus its advisories that
/// name none.
fn list_records(path: &Path) -> usize {
    let text = std::fs::read_to_string(path).expect("list");
    let mut cves = BTreeSet::new();
    let mut without = 0;
    let mut current_has_cves = true;
    for line in text.lines() {
        if line.starts_with('[') {
            without += usize::from(!current_has_cves);
            current_has_cves = false;
        } else if let Some(ids) = line.trim().strip_prefix('{') {
            current_has_cves = true;
            cves.extend(
                ids.trim_end_matches('}')
                    .split_whitespace()
                    .map(str::to_owned),
            );
        }
    }
    without += usize::from(!current_has_cves);
    cves.len() + without
}

#[test]
fn debian_tree_imports_completely() {
    let Some(root) = vulndata() else { return };
    let advisories = import(&root.join("debian"));
    let lists = root.join("debian/security-tracker/data");
    let want = BTreeMap::from([
        ("debian-dla", list_records(&lists.join("DLA/list"))),
        ("debian-dsa", list_records(&lists.join("DSA/list"))),
        ("debian-dtsa", list_records(&lists.join("DTSA/list"))),
        ("vuln-list-debian", 8),
    ]);
    assert_eq!(by_source(&advisories), want);
    // Debian 11 data stays in Debian 11: a bullseye fix is never a Debian 12 entry.
    let dsa = advisories
        .iter()
        .find(|a| a.source == "debian-dsa" && a.id == "CVE-2023-1393")
        .expect("CVE-2023-1393");
    assert!(dsa
        .affected
        .iter()
        .all(|e| e.namespace.as_str() == "debian:11"));
}

#[test]
fn changelog_list_imports_one_record_per_cve() {
    let Some(root) = vulndata() else { return };
    let dir = root.join("debian-derived");
    let path = dir.join("bookworm-security-changelog-cves.json");
    let raw: Vec<serde_json::Value> =
        serde_json::from_slice(&std::fs::read(path).expect("list")).expect("JSON");
    let cves: BTreeSet<&str> = raw
        .iter()
        .flat_map(|e| e["cves"].as_array().into_iter().flatten())
        .filter_map(|c| c.as_str())
        .collect();
    let advisories = import(&dir);
    assert_eq!(
        by_source(&advisories),
        BTreeMap::from([("debian-changelog", cves.len())])
    );
    assert!(advisories
        .iter()
        .flat_map(|a| &a.affected)
        .all(|e| e.namespace.as_str() == "debian:12" && e.status == Some(DistroStatus::Fixed)));
}

#[test]
fn tracker_fixture_imports() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/debian-tracker.json");
    let raw: BTreeMap<String, BTreeMap<String, serde_json::Value>> =
        serde_json::from_slice(&std::fs::read(&path).expect("fixture")).expect("JSON");
    let ids: BTreeSet<&String> = raw.values().flat_map(|issues| issues.keys()).collect();
    let advisories = import(&path);
    assert_eq!(
        by_source(&advisories),
        BTreeMap::from([("debian-tracker", ids.len())])
    );
}
