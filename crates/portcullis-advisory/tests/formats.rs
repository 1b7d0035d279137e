//! Mapping details of the OSV, NVD, nodejs and Alpine importers that the
//! real corpus does not exercise, fed through `import_bytes`.

use portcullis_advisory::import::{import_bytes, ImportReport};
use portcullis_advisory::{
    Advisory, CvssVersion, DistroStatus, Event, ImportItem, Range, RangeKind, Severity,
};

fn items(name: &str, text: &str) -> (Vec<ImportItem>, ImportReport) {
    let mut out = Vec::new();
    let report = import_bytes(name, text.as_bytes(), &mut |i| out.push(i));
    (out, report)
}

fn one_advisory(name: &str, text: &str) -> Advisory {
    let (items, report) = items(name, text);
    assert!(report.skipped.is_empty(), "{:?}", report.skipped);
    match <[ImportItem; 1]>::try_from(items) {
        Ok([ImportItem::Advisory(a)]) => a,
        other => panic!("expected one advisory, got {other:?}"),
    }
}

#[test]
fn osv_severity_aliases_and_odd_entries() {
    let a = one_advisory(
        "x/GHSA-1.json",
        r#"{
          "id": "GHSA-1", "modified": "2024-01-01T00:00:00Z",
          "aliases": ["CVE-2", "GHSA-1", "CVE-1", "CVE-2"],
          "severity": [
            {"type": "CVSS_V4", "score": "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"},
            {"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/X:H"},
            {"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"},
            {"type": "CVSS_V2", "score": "AV:N/AC:L/Au:N/C:P/I:P/A:P"},
            {"type": "Ubuntu", "score": "medium"}
          ],
          "affected": [
            {"package": {"ecosystem": "PyPI", "name": "Jinja2"},
             "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"limit": "3"}]},
                        {"type": "WEIRD", "events": [{"introduced": "0"}]},
                        {"type": "GIT", "repo": "r", "events": [{"introduced": "abc"}]}],
             "database_specific": {"severity": {"nested": true}}},
            {"ranges": [{"type": "GIT", "events": [{"introduced": "abc"}]}]},
            {"package": {"ecosystem": "", "name": "x"}}
          ],
          "database_specific": {"severity": "MODERATE", "cwe_ids": ["CWE-79"]},
          "references": [{"url": "https://a.example"}, {"type": "FIX"}]
        }"#,
    );
    assert_eq!(a.aliases, ["CVE-1", "CVE-2"]);
    // v4 ignored, the invalid v3 vector dropped, the next v3 kept, v2 kept.
    let scores: Vec<(CvssVersion, f64)> = a.cvss.iter().map(|c| (c.version, c.score)).collect();
    assert_eq!(scores, [(CvssVersion::V3, 9.8), (CvssVersion::V2, 7.5)]);
    assert_eq!(a.vendor_severity, Some(Severity(3)));
    // Entries without a package or ecosystem are dropped; so are unknown range types.
    assert_eq!(a.affected.len(), 1);
    assert_eq!(a.affected[0].package, "jinja2");
    let kinds: Vec<RangeKind> = a.affected[0].ranges.iter().map(|r| r.kind).collect();
    assert_eq!(kinds, [RangeKind::Ecosystem, RangeKind::Git]);
    assert_eq!(a.affected[0].ranges[0].events[1], Event::Limit("3".into()));
    assert_eq!(a.references.len(), 1);
    assert_eq!(a.references[0].kind, "WEB");
}

#[test]
fn debian_osv_urgency_is_the_package_severity() {
    let a = one_advisory(
        "DSA-1.json",
        r#"{"id":"DSA-1","modified":"x","affected":[
            {"package":{"ecosystem":"Debian:12","name":"openssl"},
             "ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"3.0.11-1~deb12u2"}]}],
             "ecosystem_specific":{"urgency":"high"}},
            {"package":{"ecosystem":"Debian:11","name":"openssl"},
             "database_specific":{"urgency":"not yet assigned"}},
            {"package":{"ecosystem":"PyPI","name":"x"},"ecosystem_specific":{"urgency":"high"}}]}"#,
    );
    let sev: Vec<(&str, Option<Severity>)> = a
        .affected
        .iter()
        .map(|x| (x.namespace.as_str(), x.severity))
        .collect();
    assert_eq!(
        sev,
        [
            ("debian:12", Some(Severity(4))),
            ("debian:11", None),
            ("pypi", None)
        ]
    );
}

#[test]
fn yaml_versions_keep_their_text() {
    let a = one_advisory(
        "PYSEC-1.yaml",
        "id: PYSEC-1\nmodified: x\nwithdrawn: '2024-01-01T00:00:00Z'\naffected:\n- package:\n    name: Foo_Bar\n    ecosystem: PyPI\n  ranges:\n  - type: ECOSYSTEM\n    events:\n    - introduced: 1.10\n    - fixed: 2.0\n  versions:\n  - 1.10\n  - 1.20\n",
    );
    assert_eq!(a.withdrawn.as_deref(), Some("2024-01-01T00:00:00Z"));
    let x = &a.affected[0];
    assert_eq!(x.package, "foo-bar");
    assert_eq!(
        x.ranges[0].events,
        [Event::Introduced("1.10".into()), Event::Fixed("2.0".into())]
    );
    assert_eq!(x.versions, ["1.10", "1.20"]);
}

#[test]
fn summary_and_details_are_capped() {
    let long = "x".repeat(70_000);
    let a = one_advisory(
        "A.json",
        &format!(r#"{{"id":"A","modified":"m","summary":"{long}","details":"  short  "}}"#),
    );
    assert!(a.summary.unwrap().len() < 66_000);
    assert_eq!(a.details.as_deref(), Some("short"));
}

#[test]
fn nvd_prefers_primary_v31_then_v30_and_skips_rejected() {
    let page = r#"{"format":"NVD_CVE","vulnerabilities":[
      {"cve":{"id":"CVE-1","descriptions":[{"lang":"es","value":"hola"},{"lang":"en","value":"hello"}],
        "metrics":{
          "cvssMetricV30":[{"type":"Primary","cvssData":{"vectorString":"CVSS:3.0/AV:L/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H","baseScore":8.4}}],
          "cvssMetricV31":[
            {"type":"Secondary","cvssData":{"vectorString":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N","baseScore":5.3}},
            {"type":"Primary","cvssData":{"vectorString":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H","baseScore":9.8}}],
          "cvssMetricV40":[{"type":"Primary","cvssData":{"vectorString":"CVSS:4.0/AV:N","baseScore":9.3}}]}}},
      {"cve":{"id":"CVE-2","metrics":{
          "cvssMetricV30":[{"type":"Secondary","cvssData":{"vectorString":"CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N"}}],
          "cvssMetricV2":[{"type":"Primary","cvssData":{"vectorString":"AV:N/AC:L/Au:N/C:P/I:P/A:P","baseScore":7.5}}]}}},
      {"cve":{"id":"CVE-3","vulnStatus":"Rejected","descriptions":[{"lang":"en","value":"** REJECT **"}]}}]}"#;
    let (items, report) = items("nvd/page-0.json", page);
    assert!(report.skipped.is_empty(), "{:?}", report.skipped);
    type Scores = Vec<(CvssVersion, String, f64)>;
    let got: Vec<(String, Scores, Option<String>)> = items
        .into_iter()
        .map(|i| match i {
            ImportItem::Cvss {
                cve,
                scores,
                description,
                ..
            } => (
                cve,
                scores
                    .into_iter()
                    .map(|c| (c.version, c.vector, c.score))
                    .collect(),
                description,
            ),
            other => panic!("{other:?}"),
        })
        .collect();
    let v = |s: &str| s.to_owned();
    assert_eq!(
        got,
        [
            (
                v("CVE-1"),
                vec![(
                    CvssVersion::V3,
                    v("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"),
                    9.8
                )],
                Some(v("hello"))
            ),
            (
                v("CVE-2"),
                vec![
                    // No score published: computed from the vector.
                    (
                        CvssVersion::V3,
                        v("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N"),
                        5.3
                    ),
                    (CvssVersion::V2, v("AV:N/AC:L/Au:N/C:P/I:P/A:P"), 7.5)
                ],
                None
            ),
        ]
    );
}

#[test]
fn nodejs_records() {
    let npm = one_advisory(
        "vuln/npm/9.json",
        r#"{"id":"9","title":"t","overview":"o","recommendation":"Update","created_at":"2020-01-02",
            "module_name":"qs","cves":["CVE-2"],"vulnerable_versions":"<1.0.0 || >2.0.0 <2.1.0",
            "patched_versions":null,"references":null,"cvss_vector":null,"cvss_score":null}"#,
    );
    assert_eq!(npm.id, "NSWG-ECO-9");
    assert_eq!(npm.details.as_deref(), Some("o\n\nRecommendation: Update"));
    assert_eq!(
        npm.affected[0].ranges,
        [Range::npm("<1.0.0 || >2.0.0 <2.1.0", None)]
    );
    assert!(npm.cvss.is_empty());

    let core = one_advisory(
        "vuln/core/12.json",
        r#"{"cve":["CVE-3"],"vulnerable":"4.x","patched":"^4.1.2",
            "cvss":"3.0/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:N/A:H","cvss_score":5.9,
            "overview":"First line.\nMore.","severity":"unknown"}"#,
    );
    assert_eq!(core.id, "NSWG-COR-12");
    assert_eq!(core.summary.as_deref(), Some("First line."));
    assert_eq!(
        core.cvss[0].vector,
        "CVSS:3.0/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:N/A:H"
    );
    assert_eq!(core.cvss[0].score, 5.9);
    assert_eq!(core.vendor_severity, None, "`unknown` is no rating");
    assert_eq!(core.affected[0].namespace.as_str(), "nodejs-core");

    // deps/ assessments and index files are recognised and passed over.
    let (items, report) = items("vuln/deps/1.json", r#"{"cve":["CVE-1"],"reason":"x"}"#);
    assert!(items.is_empty() && report.skipped.is_empty());
    assert_eq!(report.ignored, 1);
}

#[test]
fn alpine_secdb_json() {
    let (items, report) = items(
        "v3.18/main.json",
        r#"{"distroversion":"v3.18","reponame":"main","packages":[
            {"pkg":{"name":"openssl","secfixes":{"3.1.4-r0":["CVE-2023-5363 CVE-2023-5678"],
                                                  "3.1.2-r0":["CVE-2023-5363"],
                                                  "0":["CVE-2000-1"]}}},
            {"pkg":{"name":"zlib","secfixes":{"0":["CVE-2000-1"]}}},
            {"pkg":{"name":"empty","secfixes":null}}]}"#,
    );
    assert!(report.skipped.is_empty(), "{:?}", report.skipped);
    let advisories: Vec<Advisory> = items
        .into_iter()
        .map(|i| match i {
            ImportItem::Advisory(a) => a,
            other => panic!("{other:?}"),
        })
        .collect();
    let ids: Vec<&str> = advisories.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(ids, ["CVE-2000-1", "CVE-2023-5363", "CVE-2023-5678"]);
    let not = &advisories[0];
    let statuses: Vec<(&str, Option<DistroStatus>)> = not
        .affected
        .iter()
        .map(|x| (x.package.as_str(), x.status))
        .collect();
    assert_eq!(
        statuses,
        [
            ("openssl", Some(DistroStatus::NotAffected)),
            ("zlib", Some(DistroStatus::NotAffected))
        ]
    );
    // Listed under two fixed versions: both ranges are kept (their union is
    // "before 3.1.4-r0").
    let twice = &advisories[1].affected[0];
    assert_eq!(twice.namespace.as_str(), "alpine:3.18");
    let fixed: Vec<&Event> = twice.ranges.iter().map(|r| &r.events[1]).collect();
    assert_eq!(
        fixed,
        [
            &Event::Fixed("3.1.2-r0".into()),
            &Event::Fixed("3.1.4-r0".into())
        ]
    );
}
