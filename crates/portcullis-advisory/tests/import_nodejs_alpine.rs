//! nodejs security-wg and Alpine secdb data of `../shared/vulndata` through
//! the public walker, and the whole corpus at once. Expected facts come from
//! the raw files (generic JSON values, line scans), not from the importers.
#![allow(clippy::print_stderr)] // says what was measured or skipped

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

use portcullis_advisory::{Advisory, CvssVersion, DistroStatus, Event, Range, RangeKind, Severity};
use portcullis_version::npm;
use support::{files_under, import, read_text, vulndata};

/// Whether `version` is affected under an `NpmRange` (vulnerable and not
/// patched), as the matcher evaluates it.
fn npm_affected(range: &Range, version: &str) -> bool {
    let (vulnerable, patched) = range.npm_expressions().expect("an npm range");
    let sat = |expr: &str| npm::Range::parse(expr).is_ok_and(|r| r.satisfies(version));
    sat(vulnerable) && !patched.is_some_and(sat)
}

#[test]
fn nodejs_security_wg() {
    let Some(data) = vulndata() else { return };
    let root = data.join("nodejs-security-wg");
    let got = import(&root);
    assert!(got.report.skipped.is_empty(), "{:?}", got.report.skipped);
    let records = |sub: &str| -> Vec<_> {
        files_under(&root.join("vuln").join(sub))
            .into_iter()
            .filter(|p| p.file_name().is_some_and(|n| n != "index.json"))
            .collect()
    };
    let (npm_files, core_files) = (records("npm"), records("core"));
    let all_files = files_under(&root).len() as u64;
    let eco: Vec<&Advisory> = got
        .advisories
        .iter()
        .filter(|a| a.id.starts_with("NSWG-ECO-"))
        .collect();
    let core: Vec<&Advisory> = got
        .advisories
        .iter()
        .filter(|a| a.id.starts_with("NSWG-COR-"))
        .collect();
    assert_eq!(eco.len(), npm_files.len());
    assert_eq!(core.len(), core_files.len());
    assert_eq!(got.advisories.len(), eco.len() + core.len());
    // deps/ assessments, the three index.json copies, README and LICENSE.
    assert_eq!(
        got.report.ignored,
        all_files - (eco.len() + core.len()) as u64
    );

    // Every npm record keeps its module, CVEs and ranges verbatim.
    for path in &npm_files {
        let raw: serde_json::Value = serde_json::from_str(&read_text(path)).expect("JSON");
        let id = format!("NSWG-ECO-{}", raw["id"]);
        let a = got.advisory(&id);
        assert_eq!(a.source, "nodejs-security-wg");
        let x = &a.affected[0];
        assert_eq!(
            (x.namespace.as_str(), x.package.as_str()),
            ("npm", raw["module_name"].as_str().unwrap())
        );
        let mut cves: Vec<String> = raw["cves"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap().to_owned())
            .collect();
        cves.sort();
        cves.dedup();
        assert_eq!(a.aliases, cves, "{id}");
        let (vulnerable, patched) = x.ranges[0].npm_expressions().expect("npm range");
        assert_eq!(
            vulnerable,
            raw["vulnerable_versions"].as_str().unwrap().trim(),
            "{id}"
        );
        assert_eq!(
            patched,
            raw["patched_versions"]
                .as_str()
                .map(str::trim)
                .filter(|p| !p.is_empty()),
            "{id}"
        );
    }

    // The one record that matches the Node image's lodash 4.17.15 (vulndata
    // README), scored from its vector (6.3), not its stated 7.4.
    let a = got.advisory("NSWG-ECO-516");
    assert_eq!(
        a.affected[0].ranges,
        [Range::npm(">=4.17.15 <4.17.19", Some(">=4.17.19"))]
    );
    assert_eq!(a.affected[0].ranges[0].kind, RangeKind::NpmRange);
    assert_eq!(a.cvss[0].version, CvssVersion::V3);
    assert_eq!(a.cvss[0].score, 6.3);
    assert_eq!(a.published.as_deref(), Some("2019-10-11T00:00:00Z"));
    let lodash_hits: Vec<&str> = eco
        .iter()
        .filter(|a| a.affected[0].package == "lodash")
        .filter(|a| {
            a.affected[0]
                .ranges
                .iter()
                .any(|r| npm_affected(r, "4.17.15"))
        })
        .map(|a| a.id.as_str())
        .collect();
    assert_eq!(lodash_hits, ["NSWG-ECO-516"]);

    // Core: Node.js itself, in a namespace no installed package has.
    let c = got.advisory("NSWG-COR-1");
    assert_eq!(c.aliases, ["CVE-2017-1000381"]);
    assert_eq!(c.vendor_severity, Some(Severity(4)));
    let x = &c.affected[0];
    assert_eq!(
        (x.namespace.as_str(), x.package.as_str()),
        ("nodejs-core", "node")
    );
    assert_eq!(
        x.ranges,
        [Range::npm(
            "8.x || 7.x || 4.x || 6.x || 5.x",
            Some("^8.1.4 || ^7.10.1 || ^4.8.4 || ^6.11.1")
        )]
    );
    // The vulndata README: 38 core records match Node 18.20.4 by semver
    // (their `vulnerable` range); all but 2 of them list 18.20.4 as patched.
    let vulnerable_only = core
        .iter()
        .filter(|a| {
            let (v, _) = a.affected[0].ranges[0].npm_expressions().unwrap();
            npm::Range::parse(v).is_ok_and(|r| r.satisfies("18.20.4"))
        })
        .count();
    assert_eq!(vulnerable_only, 38);
    let affected: Vec<&str> = core
        .iter()
        .filter(|a| npm_affected(&a.affected[0].ranges[0], "18.20.4"))
        .map(|a| a.id.as_str())
        .collect();
    eprintln!("Node 18.20.4: {vulnerable_only} core records by `vulnerable`, {affected:?} once `patched` is applied");
    assert_eq!(affected.len(), 2);
    // Core vectors lack `CVSS:`; two records carry one.
    assert_eq!(core.iter().filter(|a| !a.cvss.is_empty()).count(), 2);
}

/// `(release, package, fixed version, id)` for every secfixes entry that is a
/// plain `CVE-N-N`, by a line scan of the secdb YAML.
fn raw_secfixes(text: &str) -> (String, BTreeSet<(String, String, String)>) {
    let mut release = String::new();
    let mut out = BTreeSet::new();
    let (mut package, mut version) = (String::new(), String::new());
    for line in text.lines() {
        let t = line.trim();
        if let Some(r) = line.strip_prefix("distroversion: ") {
            release = r.trim().trim_start_matches('v').to_owned();
        } else if let Some(n) = t.strip_prefix("name: ") {
            package = n.trim().to_owned();
        } else if let Some(id) = t.strip_prefix("- ") {
            let id = id.trim();
            let plain = id.starts_with("CVE-")
                && id[4..].split('-').count() == 2
                && id[4..]
                    .split('-')
                    .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
            if plain && !version.is_empty() {
                out.insert((package.clone(), version.clone(), id.to_owned()));
            }
        } else if t.ends_with(':') && line.starts_with("        ") && !t.starts_with('-') {
            version = t.trim_end_matches(':').trim_matches(['"', '\'']).to_owned();
        } else if t == "secfixes:" || t.starts_with("- pkg:") {
            version.clear();
        }
    }
    (release, out)
}

#[test]
fn alpine_secdb() {
    let Some(data) = vulndata() else { return };
    let root = data.join("alpine");
    let got = import(&root);
    assert!(got.report.skipped.is_empty(), "{:?}", got.report.skipped);
    let mut by_origin: BTreeMap<&str, Vec<&Advisory>> = BTreeMap::new();
    for a in &got.advisories {
        assert!(a.source.starts_with("alpine-secdb:v3.1"), "{}", a.source);
        by_origin.entry(a.origin.as_str()).or_default().push(a);
    }
    let yamls: Vec<_> = files_under(&root)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    assert_eq!(by_origin.len(), yamls.len());
    let mut triples_checked = 0;
    for path in &yamls {
        let (release, raw) = raw_secfixes(&read_text(path));
        // Origins name the file relative to the folder imported.
        let origin = path.strip_prefix(&data).unwrap().display().to_string();
        let advisories = by_origin
            .get(origin.as_str())
            .unwrap_or_else(|| panic!("{origin}"));
        let ids: BTreeSet<&str> = advisories.iter().map(|a| a.id.as_str()).collect();
        assert_eq!(ids.len(), advisories.len(), "one advisory per id per file");
        let mut parsed = BTreeSet::new();
        for a in advisories {
            for x in &a.affected {
                assert_eq!(x.namespace.as_str(), format!("alpine:{release}"));
                for r in &x.ranges {
                    assert_eq!(r.events[0], Event::Introduced("0".into()));
                    if let Event::Fixed(v) = &r.events[1] {
                        parsed.insert((x.package.clone(), v.clone(), a.id.clone()));
                    }
                }
            }
        }
        let missing: Vec<_> = raw.difference(&parsed).collect();
        assert!(missing.is_empty(), "{origin}: {missing:?}");
        let raw_ids: BTreeSet<&str> = raw.iter().map(|(_, _, id)| id.as_str()).collect();
        assert!(raw_ids.is_subset(&ids));
        triples_checked += raw.len();
    }
    assert!(triples_checked > 3000, "{triples_checked}");
    eprintln!(
        "alpine: {} advisories, {triples_checked} plain CVE entries checked",
        got.advisories.len()
    );

    let main311 = by_origin
        .iter()
        .find(|(o, _)| o.ends_with("v3.11/main.yaml"))
        .expect("v3.11 main")
        .1;
    let a = main311
        .iter()
        .find(|a| a.id == "CVE-2019-14904")
        .expect("ansible CVE");
    assert_eq!(a.affected.len(), 1);
    let x = &a.affected[0];
    assert_eq!(
        (x.namespace.as_str(), x.package.as_str()),
        ("alpine:3.11", "ansible")
    );
    assert_eq!(x.status, Some(DistroStatus::Fixed));
    assert_eq!(
        x.ranges[0].events,
        [
            Event::Introduced("0".into()),
            Event::Fixed("2.9.3-r0".into())
        ]
    );
    // Free-text entries: `CVE-2018-7540 XSA-252` yields both ids.
    assert!(main311.iter().any(|a| a.id == "XSA-252"));
    assert!(!main311
        .iter()
        .any(|a| a.id.contains('?') || a.id.contains('(')));
}

#[test]
fn the_whole_corpus_imports_without_a_skip() {
    let Some(data) = vulndata() else { return };
    let start = Instant::now();
    let got = import(&data);
    let elapsed = start.elapsed();
    assert!(got.report.skipped.is_empty(), "{:?}", got.report.skipped);
    let files = files_under(&data).len() as u64;
    assert_eq!(
        got.report.files + got.report.ignored,
        files,
        "every file is read or ignored"
    );
    eprintln!(
        "whole vulndata: {} files, {} records, {} ignored in {:.2} s ({} build; \
         `cargo run --release --example import_time` for the release figure)",
        got.report.files,
        got.report.records,
        got.report.ignored,
        elapsed.as_secs_f64(),
        if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        },
    );
}
