//! The real OSV, NVD, nodejs security-wg and Alpine data of
//! `../shared/vulndata`, imported through the public walker. Every expected
//! number is computed here from the raw files by plain text scans, not by
//! the parsers under test.
#![allow(clippy::print_stderr)] // says what was measured or skipped

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use portcullis_advisory::{Advisory, CvssVersion, Event, Namespace, Range, RangeKind, Severity};
use support::{files_under, import, read_text, vulndata};

const EVENT_KINDS: [&str; 4] = ["introduced", "fixed", "last_affected", "limit"];

/// `(event kind, version)` pairs the raw text of one record shows. YAML
/// (pypa): lines like `- fixed: '1.2'`, as written. JSON: the generic
/// `serde_json::Value` of `affected[].ranges[].events[]` (a text scan would
/// also catch Go's `ecosystem_specific.custom_ranges`).
fn raw_events(text: &str, json: bool) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    if json {
        let v: serde_json::Value = serde_json::from_str(text).expect("valid JSON");
        let affected = v["affected"].as_array().into_iter().flatten();
        for range in affected.flat_map(|a| a["ranges"].as_array().into_iter().flatten()) {
            for event in range["events"].as_array().into_iter().flatten() {
                for kind in EVENT_KINDS {
                    if let Some(v) = event[kind].as_str() {
                        out.insert((kind.to_owned(), v.to_owned()));
                    }
                }
            }
        }
        return out;
    }
    for line in text.lines() {
        let line = line.trim().trim_start_matches("- ");
        for kind in EVENT_KINDS {
            if let Some(v) = line.strip_prefix(&format!("{kind}:")) {
                let v = v.trim().trim_matches(['"', '\'']);
                out.insert((kind.to_owned(), v.to_owned()));
            }
        }
    }
    out
}

fn parsed_events(a: &Advisory) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    for range in a.affected.iter().flat_map(|x| &x.ranges) {
        for e in &range.events {
            let (k, v) = match e {
                Event::Introduced(v) => ("introduced", v),
                Event::Fixed(v) => ("fixed", v),
                Event::LastAffected(v) => ("last_affected", v),
                Event::Limit(v) => ("limit", v),
            };
            out.insert((k.to_owned(), v.clone()));
        }
    }
    out
}

/// The `id:` of a YAML record / `"id":` of a JSON one (the first one).
fn raw_id(text: &str) -> String {
    for line in text.lines() {
        if let Some(v) = line.strip_prefix("id: ") {
            return v.trim().to_owned();
        }
        if let Some(v) = line.trim().strip_prefix("\"id\": ") {
            return v.trim().trim_end_matches(',').trim_matches('"').to_owned();
        }
    }
    panic!("no id line")
}

/// Imports an OSV folder and checks it against the raw files: one record per
/// file, ids, withdrawn count, and every range event as written.
fn check_osv_folder(dir: &Path, ext: &str, withdrawn_marker: &str) -> Vec<Advisory> {
    let got = import(dir);
    assert!(got.report.skipped.is_empty(), "{:?}", got.report.skipped);
    let files: Vec<_> = files_under(dir)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == ext))
        .collect();
    assert_eq!(
        got.advisories.len(),
        files.len(),
        "one advisory per record file"
    );
    assert_eq!(got.report.files, files.len() as u64);
    let by_id: BTreeMap<&str, &Advisory> =
        got.advisories.iter().map(|a| (a.id.as_str(), a)).collect();
    assert_eq!(by_id.len(), files.len(), "ids are unique");
    let mut withdrawn = 0;
    for path in &files {
        let text = read_text(path);
        let id = raw_id(&text);
        let a = by_id
            .get(id.as_str())
            .unwrap_or_else(|| panic!("{id} missing"));
        assert_eq!(a.source, "osv");
        assert!(a
            .origin
            .ends_with(&*path.file_name().unwrap().to_string_lossy()));
        assert_eq!(
            parsed_events(a),
            raw_events(&text, ext == "json"),
            "{id}: range events as written"
        );
        if text
            .lines()
            .any(|l| l.trim_start().starts_with(withdrawn_marker))
        {
            withdrawn += 1;
        }
    }
    let parsed_withdrawn = got
        .advisories
        .iter()
        .filter(|a| a.withdrawn.is_some())
        .count();
    assert_eq!(parsed_withdrawn, withdrawn);
    eprintln!(
        "{}: {} records, {withdrawn} withdrawn",
        dir.display(),
        files.len()
    );
    got.advisories
}

#[test]
fn pypa_osv_yaml() {
    let Some(data) = vulndata() else { return };
    let all = check_osv_folder(&data.join("pypa"), "yaml", "withdrawn:");
    assert!(all.iter().filter(|a| a.withdrawn.is_some()).count() >= 10);
    let a = all
        .iter()
        .find(|a| a.id == "PYSEC-2007-1")
        .expect("PYSEC-2007-1");
    assert_eq!(a.aliases, ["CVE-2007-5712"]);
    assert_eq!(a.published.as_deref(), Some("2007-10-30T19:46:00Z"));
    assert_eq!(a.affected.len(), 1);
    let x = &a.affected[0];
    assert_eq!(x.namespace, Namespace::from_osv("PyPI").unwrap());
    assert_eq!(x.package, "django");
    assert_eq!(
        x.ranges,
        [Range {
            kind: RangeKind::Ecosystem,
            events: vec![Event::Introduced("0".into()), Event::Fixed("1.1".into())],
        }]
    );
    assert_eq!(x.versions, ["1.0.1", "1.0.2", "1.0.3", "1.0.4"]);
    assert_eq!(a.references.len(), 12);
    assert_eq!(a.references[0].kind, "ARTICLE");
    // A last_affected range and a long explicit version list.
    let py = all
        .iter()
        .find(|a| a.id == "PYSEC-2022-42969")
        .expect("PYSEC-2022-42969");
    assert_eq!(
        py.affected[0].ranges[0].events,
        [
            Event::Introduced("0".into()),
            Event::LastAffected("1.11.0".into())
        ]
    );
    assert_eq!(py.affected[0].versions[0], "0.8.0-alpha2");
    // Names are PEP 503-normalised for matching.
    assert!(all
        .iter()
        .flat_map(|a| &a.affected)
        .all(|x| x.package == x.package.to_ascii_lowercase() && !x.package.contains('_')));
    // GIT ranges are kept (the matcher cannot evaluate them, but they are data).
    assert!(all
        .iter()
        .flat_map(|a| &a.affected)
        .flat_map(|x| &x.ranges)
        .any(|r| r.kind == RangeKind::Git));
}

#[test]
fn golang_osv_json() {
    let Some(data) = vulndata() else { return };
    let all = check_osv_folder(&data.join("golang"), "json", "\"withdrawn\":");
    let a = all
        .iter()
        .find(|a| a.id == "GO-2021-0159")
        .expect("GO-2021-0159");
    assert_eq!(
        a.aliases,
        ["CVE-2015-5739", "CVE-2015-5740", "CVE-2015-5741"]
    );
    assert_eq!(
        a.summary.as_deref(),
        Some("Request smuggling due to improper header parsing in net/http")
    );
    let x = &a.affected[0];
    assert_eq!((x.namespace.as_str(), x.package.as_str()), ("go", "stdlib"));
    assert_eq!(
        x.ranges,
        [Range {
            kind: RangeKind::Semver,
            events: vec![Event::Introduced("0".into()), Event::Fixed("1.4.3".into())],
        }]
    );
    assert_eq!(a.references.len(), 11);
}

#[test]
fn ghsa_osv_json() {
    let Some(data) = vulndata() else { return };
    let all = check_osv_folder(&data.join("ghsa"), "json", "\"withdrawn\":");
    assert_eq!(all.len(), 4);
    let a = all
        .iter()
        .find(|a| a.id == "GHSA-p6mc-m468-83gw")
        .expect("lodash GHSA");
    assert_eq!(a.aliases, ["CVE-2020-8203"]);
    assert_eq!(
        a.vendor_severity,
        Some(Severity(4)),
        "database_specific.severity HIGH"
    );
    assert_eq!(a.cvss.len(), 1);
    assert_eq!(a.cvss[0].version, CvssVersion::V3);
    assert_eq!(
        a.cvss[0].vector,
        "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:H/A:H"
    );
    assert_eq!(a.cvss[0].score, 7.4);
    let packages: Vec<&str> = a.affected.iter().map(|x| x.package.as_str()).collect();
    assert_eq!(packages, ["lodash", "lodash-es"]);
    for x in &a.affected {
        assert_eq!(x.namespace.as_str(), "npm");
        assert_eq!(x.ranges[0].events[1], Event::Fixed("4.17.20".into()));
    }
}

#[test]
fn nvd_api_records() {
    let Some(data) = vulndata() else { return };
    let got = import(&data.join("nvd"));
    assert!(got.report.skipped.is_empty(), "{:?}", got.report.skipped);
    assert!(got.advisories.is_empty());
    let records = files_under(&data.join("nvd"))
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .count();
    assert_eq!(got.cvss.len(), records);
    let (_, scores, description) = got
        .cvss
        .iter()
        .find(|(cve, ..)| cve == "CVE-2018-18074")
        .expect("CVE-2018-18074");
    assert_eq!(scores.len(), 2);
    assert_eq!(scores[0].version, CvssVersion::V3);
    assert_eq!(
        scores[0].vector,
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N"
    );
    assert_eq!(scores[0].score, 7.5);
    assert_eq!(scores[1].version, CvssVersion::V2);
    assert_eq!(scores[1].vector, "AV:N/AC:L/Au:N/C:P/I:N/A:N");
    assert_eq!(scores[1].score, 5.0);
    assert!(description
        .as_deref()
        .unwrap()
        .starts_with("The Requests package before 2.20.0"));
    let (_, scores, _) = got
        .cvss
        .iter()
        .find(|(cve, ..)| cve == "CVE-2021-44906")
        .expect("minimist");
    assert_eq!(scores[0].score, 9.8);
}
