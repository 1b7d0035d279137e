//! The real DSA, DLA and DTSA lists.

use std::collections::{BTreeMap, BTreeSet};

use super::{advisories, read, vulndata};
use crate::formats::debian::text_list::{lts_release_at, Date};
use crate::formats::debian::DebianFormat;
use crate::{Advisory, DistroStatus, Event, Severity};

/// What a plain scan of a list finds: headers, and per advisory id its
/// CVEs and its `[release] - package version` lines.
struct Scan {
    headers: usize,
    blocks: BTreeMap<String, RawBlock>,
}

/// CVEs, and `(release, package, "version-or-tag rating")` lines.
type RawBlock = (Vec<String>, Vec<(String, String, String)>);

fn scan(text: &str) -> Scan {
    let mut scan = Scan {
        headers: 0,
        blocks: BTreeMap::new(),
    };
    let mut current = String::new();
    for line in text.lines() {
        if line.starts_with('[') {
            scan.headers += 1;
            current = line
                .split_whitespace()
                .nth(3)
                .unwrap_or_default()
                .to_owned();
            scan.blocks.entry(current.clone()).or_default();
            continue;
        }
        let body = line.trim();
        let Some(block) = scan.blocks.get_mut(&current) else {
            continue;
        };
        if body.starts_with('{') {
            let ids = body.trim_matches(|c| c == '{' || c == '}');
            block.0.extend(ids.split_whitespace().map(str::to_owned));
        } else if body.starts_with('[') {
            let words: Vec<&str> = body.split_whitespace().collect();
            let release = words[0].trim_matches(|c| c == '[' || c == ']');
            // The rating, if any, is a word of the parenthesised notes.
            let rating = body.split_once('(').map_or("", |(_, notes)| {
                notes
                    .split([';', ')'])
                    .map(str::trim)
                    .find(|w| ["unimportant", "low", "medium", "high"].contains(w))
                    .unwrap_or("")
            });
            let what = format!("{} {rating}", words[3]);
            block.1.push((release.into(), words[2].into(), what));
        }
    }
    scan
}

fn load(list: &str) -> Option<(String, Vec<Advisory>)> {
    let root = vulndata()?;
    let path = root
        .join("debian/security-tracker/data")
        .join(list)
        .join("list");
    let bytes = read(&path);
    let parsed = advisories(DebianFormat::TextList, &bytes, &format!("{list}/list"));
    Some((
        String::from_utf8(bytes).expect("the lists are UTF-8"),
        parsed,
    ))
}

/// The counts every list must show: one record per distinct CVE plus one
/// per advisory without CVEs; every advisory id accounted for as an alias
/// or an id; every package line present.
fn check_counts(list: &str, source: &str, headers: usize) -> Option<(Scan, Vec<Advisory>)> {
    let (text, parsed) = load(list)?;
    let scan = scan(&text);
    assert_eq!(scan.headers, headers, "{list}: header lines");
    let cves: BTreeSet<&str> = scan
        .blocks
        .values()
        .flat_map(|b| &b.0)
        .map(String::as_str)
        .collect();
    let without_cves = scan.blocks.values().filter(|b| b.0.is_empty()).count();
    assert_eq!(parsed.len(), cves.len() + without_cves, "{list}: records");
    assert!(parsed.iter().all(|a| a.source == source));
    let mut seen_ids: BTreeSet<&str> = BTreeSet::new();
    for a in &parsed {
        if a.id.starts_with("CVE-") {
            seen_ids.extend(a.aliases.iter().map(String::as_str));
        } else {
            seen_ids.insert(&a.id);
        }
    }
    assert_eq!(
        seen_ids,
        scan.blocks.keys().map(String::as_str).collect(),
        "{list}: ids"
    );
    // Package lines: each distinct (record id, release, package, version or
    // tag) of the raw text is one affected entry (`<removed>` has none).
    let mut raw = BTreeSet::new();
    for (id, (cves, lines)) in &scan.blocks {
        let ids = if cves.is_empty() {
            vec![id.clone()]
        } else {
            cves.clone()
        };
        for cve in ids {
            for (release, package, what) in lines.iter().filter(|l| !l.2.starts_with("<removed>")) {
                raw.insert((cve.clone(), release.clone(), package.clone(), what.clone()));
            }
        }
    }
    let entries: usize = parsed.iter().map(|a| a.affected.len()).sum();
    assert_eq!(entries, raw.len(), "{list}: affected entries");
    Some((scan, parsed))
}

fn find<'a>(parsed: &'a [Advisory], id: &str) -> &'a Advisory {
    parsed
        .iter()
        .find(|a| a.id == id)
        .unwrap_or_else(|| panic!("{id} missing"))
}

fn fixed(advisory: &Advisory, namespace: &str, package: &str) -> Vec<String> {
    advisory
        .affected
        .iter()
        .filter(|a| a.namespace.as_str() == namespace && a.package == package)
        .flat_map(|a| &a.ranges)
        .flat_map(|r| &r.events)
        .filter_map(|e| match e {
            Event::Fixed(v) => Some(v.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn dsa_list() {
    let Some((scan, parsed)) = check_counts("DSA", "debian-dsa", 5406) else {
        return;
    };
    // DSA-5380-1, checked against its raw lines.
    let (cves, lines) = &scan.blocks["DSA-5380-1"];
    assert_eq!(cves, &["CVE-2023-1393"]);
    assert_eq!(
        lines[0],
        (
            "bullseye".into(),
            "xorg-server".into(),
            "2:1.20.11-1+deb11u6 ".into()
        )
    );
    let a = find(&parsed, "CVE-2023-1393");
    assert!(a.aliases.contains(&"DSA-5380-1".to_owned()));
    assert_eq!(
        fixed(a, "debian:11", "xorg-server"),
        ["2:1.20.11-1+deb11u6"]
    );
    // The oldest advisory (DSA) of the CVE gives the date and title.
    assert_eq!(a.published.as_deref(), Some("2023-03-29T00:00:00Z"));
    assert_eq!(a.summary.as_deref(), Some("xorg-server - security update"));
    // One CVE in two advisories (thunderbird, firefox-esr): one record.
    let merged = find(&parsed, "CVE-2023-25751");
    assert_eq!(merged.aliases, ["DSA-5374-1", "DSA-5375-1"]);
    assert_eq!(
        fixed(merged, "debian:11", "firefox-esr"),
        ["102.9.0esr-1~deb11u1"]
    );
    assert_eq!(
        fixed(merged, "debian:11", "thunderbird"),
        ["1:102.9.0-1~deb11u1"]
    );
    // Several packages in one block, an old release, a release-numbered namespace.
    let old = find(&parsed, "CVE-2002-0655");
    assert_eq!(fixed(old, "debian:3.0", "openssl094"), ["0.9.4-6.woody.2"]);
    assert_eq!(fixed(old, "debian:3.0", "openssl"), ["0.9.6c-2.woody.1"]);
    // A regression update without CVEs keeps its own id.
    let sox = find(&parsed, "DSA-5356-2");
    assert_eq!(
        fixed(sox, "debian:11", "sox"),
        ["14.4.2+git20190427-2+deb11u2"]
    );
    // Tags: <unfixed>, <not-affected>, <end-of-life>; ratings in notes.
    let status = |id: &str, package: &str| {
        let a = find(&parsed, id);
        let e = a
            .affected
            .iter()
            .find(|e| e.package == package)
            .expect("entry");
        (e.namespace.as_str().to_owned(), e.status, e.severity)
    };
    assert_eq!(
        status("CVE-2005-2869", "phpmyadmin"),
        ("debian:3.0".into(), Some(DistroStatus::Open), None)
    );
    assert_eq!(
        status("DSA-3699-1", "virtualbox").1,
        Some(DistroStatus::EndOfLife)
    );
    let not_affected = parsed
        .iter()
        .flat_map(|a| &a.affected)
        .filter(|e| e.status == Some(DistroStatus::NotAffected))
        .count();
    assert!(not_affected >= 52, "{not_affected}");
    assert!(parsed
        .iter()
        .flat_map(|a| &a.affected)
        .any(|e| e.severity == Some(Severity(4))));
}

#[test]
fn dla_list() {
    let Some((scan, parsed)) = check_counts("DLA", "debian-dla", 3534) else {
        return;
    };
    let (cves, lines) = &scan.blocks["DLA-3380-1"];
    assert_eq!(cves.len(), 11);
    for cve in cves {
        let a = find(&parsed, cve);
        assert!(a.aliases.contains(&"DLA-3380-1".to_owned()), "{cve}");
        assert_eq!(
            fixed(a, "debian:10", "firmware-nonfree"),
            [lines[0].2.trim()]
        );
    }
    assert_eq!(
        find(&parsed, "DLA-372-1").affected[0].status,
        Some(DistroStatus::EndOfLife)
    );
}

/// Every DLA line of the real list names its release; the rule used for
/// lines that do not must give that same release for every one of them.
#[test]
fn lts_release_rule_agrees_with_every_dla_line() {
    let Some(root) = vulndata() else { return };
    let text = String::from_utf8(read(&root.join("debian/security-tracker/data/DLA/list")))
        .expect("UTF-8");
    let mut date = None;
    let mut lines = 0;
    let expected = text
        .lines()
        .filter(|l| l.trim_start().starts_with('[') && !l.starts_with('['))
        .count();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix('[') {
            date = rest.split_once(']').and_then(|(d, _)| Date::parse(d));
            assert!(date.is_some(), "{line}");
        } else if let Some(rest) = line.trim().strip_prefix('[') {
            let release = rest.split_once(']').map(|(r, _)| r);
            assert_eq!(date.and_then(lts_release_at), release, "{line}");
            lines += 1;
        }
    }
    assert_eq!((lines, expected), (3535, 3535));
}

#[test]
fn dtsa_list() {
    let Some((scan, parsed)) = check_counts("DTSA", "debian-dtsa", 208) else {
        return;
    };
    let (cves, _) = &scan.blocks["DTSA-1-1"];
    assert_eq!(cves, &["CVE-2005-2626", "CVE-2005-2627"]);
    let a = find(&parsed, "CVE-2005-2626");
    assert_eq!(a.published.as_deref(), Some("2005-08-26T00:00:00Z"));
    let e = &a.affected[0];
    assert_eq!(
        (e.namespace.as_str(), e.package.as_str()),
        ("debian:4", "kismet")
    );
    assert_eq!(fixed(a, "debian:4", "kismet"), ["2005.08.R1-0.1etch1"]);
    assert_eq!(e.severity, Some(Severity(4)), "(high)");
}
