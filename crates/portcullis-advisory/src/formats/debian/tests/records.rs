//! vuln-list-debian records, the changelog-derived list and the tracker
//! fixture.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::{advisories, files_under, fixture, read, vulndata};
use crate::formats::debian::DebianFormat;
use crate::{Advisory, DistroStatus, Event, Severity};

type Entry = (
    String,
    String,
    Option<DistroStatus>,
    Option<String>,
    Option<Severity>,
);

/// (namespace, package, status, fixed version, severity) of every entry.
fn entries(advisory: &Advisory) -> BTreeSet<Entry> {
    advisory
        .affected
        .iter()
        .map(|a| {
            let fixed = a
                .ranges
                .iter()
                .flat_map(|r| &r.events)
                .find_map(|e| match e {
                    Event::Fixed(v) => Some(v.clone()),
                    _ => None,
                });
            (
                a.namespace.as_str().to_owned(),
                a.package.clone(),
                a.status,
                fixed,
                a.severity,
            )
        })
        .collect()
}

fn str_of<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

/// The kind mapping of the module docs, restated for the test.
fn expected_status(kind: &str, version: &str, severity: &str) -> Option<DistroStatus> {
    Some(match kind {
        "fixed" if version.is_empty() || version == "0" => DistroStatus::NotAffected,
        "fixed" => DistroStatus::Fixed,
        "unfixed" if severity == "unimportant" => DistroStatus::Unimportant,
        "unfixed" => DistroStatus::Open,
        "not-affected" => DistroStatus::NotAffected,
        "no-dsa" => DistroStatus::NoDsa,
        "ignored" => DistroStatus::WillNotFix,
        "postponed" => DistroStatus::Postponed,
        "end-of-life" => DistroStatus::EndOfLife,
        "removed" | "itp" => return None,
        other => panic!("kind {other} not in the data"),
    })
}

#[test]
fn vuln_list_records_map_every_annotation() {
    let Some(root) = vulndata() else { return };
    let mut records = 0;
    let mut kinds = BTreeSet::new();
    for path in files_under(&root.join("debian/vuln-list-debian/tracker")) {
        if path.ends_with("distributions.json") {
            continue;
        }
        let bytes = read(&path);
        let raw: Value = serde_json::from_slice(&bytes).expect("JSON");
        let parsed = advisories(DebianFormat::VulnList, &bytes, &path.to_string_lossy());
        let [advisory] = parsed.as_slice() else {
            panic!("{}: {parsed:?}", path.display());
        };
        let id = str_of(&raw["Header"], "ID");
        assert_eq!(
            (advisory.id.as_str(), advisory.source.as_str()),
            (id, "vuln-list-debian")
        );
        let mut want = BTreeSet::new();
        let mut aliases = Vec::new();
        for note in raw["Annotations"].as_array().expect("Annotations") {
            if str_of(note, "Type") == "xref" {
                aliases.extend(
                    note["Bugs"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(Value::as_str),
                );
            }
            if str_of(note, "Type") != "package" {
                continue;
            }
            let (kind, version, severity) = (
                str_of(note, "Kind"),
                str_of(note, "Version"),
                str_of(note, "Severity"),
            );
            kinds.insert(kind.to_owned());
            let Some(status) = expected_status(kind, version, severity) else {
                continue;
            };
            let release = match str_of(note, "Release") {
                "" => "unstable",
                "bookworm" => "12",
                "bullseye" => "11",
                "buster" => "10",
                other => panic!("release {other} not in the data"),
            };
            let fixed = (status == DistroStatus::Fixed).then(|| version.to_owned());
            want.insert((
                format!("debian:{release}"),
                str_of(note, "Package").to_owned(),
                Some(status),
                fixed,
                Severity::from_word(severity),
            ));
        }
        assert_eq!(entries(advisory), want, "{id}");
        assert_eq!(advisory.aliases, aliases, "{id}");
        records += 1;
    }
    assert_eq!(records, 8);
    let all: Vec<_> = kinds.iter().map(String::as_str).collect();
    assert_eq!(
        all,
        ["fixed", "ignored", "not-affected", "removed", "unfixed"]
    );
}

#[test]
fn vuln_list_known_records() {
    let Some(root) = vulndata() else { return };
    let dir = root.join("debian/vuln-list-debian/tracker");
    let one = |rel: &str| {
        let parsed = advisories(DebianFormat::VulnList, &read(&dir.join(rel)), rel);
        parsed.into_iter().next().expect("one record")
    };
    let dsa = one("DSA/DSA-5514-1.json");
    assert_eq!(dsa.aliases, ["CVE-2023-4911"]);
    assert_eq!(dsa.summary.as_deref(), Some("glibc - security update"));
    let bookworm = (
        "debian:12".into(),
        "glibc".into(),
        Some(DistroStatus::Fixed),
    );
    assert!(entries(&dsa)
        .iter()
        .any(|e| (e.0.clone(), e.1.clone(), e.2) == bookworm
            && e.3.as_deref() == Some("2.36-9+deb12u3")));
    let tar = one("CVE/2005/CVE-2005-2541.json");
    assert_eq!(tar.affected[0].status, Some(DistroStatus::Unimportant));
    assert_eq!(tar.affected[0].severity, Some(Severity(1)));
    assert_eq!(
        tar.affected[0].ranges[0].events,
        [Event::Introduced("0".into())]
    );
    let glibc = one("CVE/2023/CVE-2023-4911.json");
    assert_eq!(
        glibc.summary.as_deref(),
        Some("buffer overflow in dynamic loader's processing of the GLIBC_TUNABLES environment variable")
    );
}

#[test]
fn changelog_derived_list() {
    let Some(root) = vulndata() else { return };
    let bytes = read(&root.join("debian-derived/bookworm-security-changelog-cves.json"));
    let raw: Vec<Value> = serde_json::from_slice(&bytes).expect("JSON");
    // Independent facts of the raw list.
    let mentions: usize = raw
        .iter()
        .map(|e| e["cves"].as_array().map_or(0, Vec::len))
        .sum();
    let sources: BTreeSet<&str> = raw.iter().map(|e| str_of(e, "source")).collect();
    assert_eq!((mentions, sources.len()), (81, 11));
    let mut pairs: BTreeMap<(String, String), Vec<&str>> = BTreeMap::new();
    for e in &raw {
        for cve in e["cves"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            let key = (cve.to_owned(), str_of(e, "source").to_owned());
            pairs
                .entry(key)
                .or_default()
                .push(str_of(e, "fixed_version"));
        }
    }
    let cves: BTreeSet<&str> = pairs.keys().map(|(c, _)| c.as_str()).collect();
    let parsed = advisories(DebianFormat::ChangelogDerived, &bytes, "debian-derived");
    assert_eq!(parsed.len(), cves.len());
    let entries_total: usize = parsed.iter().map(|a| a.affected.len()).sum();
    assert_eq!(entries_total, pairs.len());
    assert_eq!(pairs.len(), 80, "one CVE is named twice for expat");
    for a in &parsed {
        assert_eq!(a.source, "debian-changelog");
        for (namespace, package, status, fixed, _) in entries(a) {
            assert_eq!(
                (namespace.as_str(), status),
                ("debian:12", Some(DistroStatus::Fixed))
            );
            let versions = &pairs[&(a.id.clone(), package)];
            let lowest = versions
                .iter()
                .min_by(|x, y| portcullis_version::deb::compare(x, y).expect("dpkg versions"))
                .map(|v| v.to_string());
            assert_eq!(fixed, lowest, "{}", a.id);
        }
    }
    let twice = parsed
        .iter()
        .find(|a| a.id == "CVE-2025-59375")
        .expect("CVE-2025-59375");
    assert_eq!(
        entries(twice).into_iter().next().map(|e| (e.3, e.4)),
        Some((Some("2.5.0-1+deb12u4".into()), Some(Severity(4))))
    );
    assert_eq!(
        twice.published.as_deref(),
        Some("2026-09-27T21:38:19+02:00")
    );
}

#[test]
fn tracker_fixture_status_mapping() {
    let bytes = fixture("debian-tracker.json");
    let raw: BTreeMap<String, BTreeMap<String, Value>> =
        serde_json::from_slice(&bytes).expect("JSON");
    let ids: BTreeSet<&str> = raw
        .values()
        .flat_map(|issues| issues.keys())
        .map(String::as_str)
        .collect();
    let lines: usize = raw
        .values()
        .flat_map(|issues| issues.values())
        .map(|issue| issue["releases"].as_object().map_or(0, |r| r.len()))
        .sum();
    let parsed = advisories(DebianFormat::TrackerJson, &bytes, "debian-tracker.json");
    assert_eq!(parsed.len(), ids.len());
    assert_eq!(
        parsed.iter().map(|a| a.affected.len()).sum::<usize>(),
        lines
    );
    assert!(parsed.iter().all(|a| a.source == "debian-tracker"));
    let entry = |id: &str, release: &str, package: &str| -> Entry {
        let a = parsed
            .iter()
            .find(|a| a.id == id)
            .unwrap_or_else(|| panic!("{id}"));
        entries(a)
            .into_iter()
            .find(|e| e.0 == format!("debian:{release}") && e.1 == package)
            .unwrap_or_else(|| panic!("{id} {release} {package}"))
    };
    let status = |id, release, package| entry(id, release, package).2;
    use DistroStatus::*;
    let glibc = entry("CVE-2023-4911", "12", "glibc");
    assert_eq!(
        (glibc.2, glibc.3.as_deref()),
        (Some(Fixed), Some("2.36-9+deb12u3"))
    );
    assert_eq!(status("CVE-2023-4911", "10", "glibc"), Some(NotAffected));
    assert_eq!(status("CVE-2023-4911", "unstable", "glibc"), Some(Open));
    assert_eq!(status("CVE-2011-3374", "12", "apt"), Some(Unimportant));
    assert_eq!(
        status("CVE-2024-28757", "12", "libxmltok"),
        Some(WillNotFix)
    );
    assert_eq!(status("TEMP-0000000-D4E5F6", "11", "expat"), Some(NoDsa));
    assert_eq!(
        status("TEMP-0000000-D4E5F6", "10", "expat"),
        Some(Postponed)
    );
    assert_eq!(
        status("TEMP-0000000-0F1E2D", "11", "openssl"),
        Some(WillNotFix)
    );
    assert_eq!(
        status("TEMP-0000000-0F1E2D", "10", "openssl"),
        Some(EndOfLife)
    );
    assert_eq!(
        status("TEMP-0000000-A1B2C3", "10", "glibc"),
        Some(Undetermined)
    );
    assert_eq!(
        status("TEMP-0000000-A1B2C3", "12", "glibc"),
        Some(NotAffected)
    );
    let low = entry("TEMP-0000000-A1B2C3", "11", "glibc");
    assert_eq!(
        (low.2, low.4),
        (Some(Open), Some(Severity(2))),
        "urgency low**"
    );
    let expat = parsed
        .iter()
        .find(|a| a.id == "CVE-2023-4911")
        .expect("glibc");
    assert_eq!(
        expat.summary.as_deref(),
        Some("buffer overflow in dynamic loader's processing of the GLIBC_TUNABLES environment variable")
    );
    assert_eq!(
        entry("CVE-2023-4911", "12", "glibc").4,
        None,
        "not yet assigned"
    );
}

/// The fixture's bookworm lines are the changelog list's facts.
#[test]
fn tracker_fixture_agrees_with_the_changelog_list() {
    let Some(root) = vulndata() else { return };
    let derived = read(&root.join("debian-derived/bookworm-security-changelog-cves.json"));
    let derived = advisories(DebianFormat::ChangelogDerived, &derived, "derived");
    let tracker = advisories(
        DebianFormat::TrackerJson,
        &fixture("debian-tracker.json"),
        "t",
    );
    for d in &derived {
        let t = tracker
            .iter()
            .find(|t| t.id == d.id)
            .unwrap_or_else(|| panic!("{}", d.id));
        let in_tracker = entries(t);
        for e in entries(d) {
            assert!(
                in_tracker.contains(&e),
                "{}: {e:?} not in the fixture",
                d.id
            );
        }
    }
}
