//! Snapshots and behaviour of the CI writers: SARIF, GitLab container
//! scanning and JUnit, over `common::writers_fixture::report()`.

mod common;

use std::collections::BTreeSet;

use common::writers_fixture::{broken, json_of, render, report};
use portcullis_report::scan::ScanFormat;

// ---------------------------------------------------------------------------
// (a) snapshots: the reviewed .snap files are the specification
// ---------------------------------------------------------------------------

#[test]
fn sarif_snapshot() {
    insta::assert_snapshot!("sarif", render(ScanFormat::Sarif, &report()));
}

#[test]
fn gitlab_snapshot() {
    insta::assert_snapshot!("gitlab", render(ScanFormat::Gitlab, &report()));
}

#[test]
fn junit_snapshot() {
    insta::assert_snapshot!("junit", render(ScanFormat::Junit, &report()));
}

// ---------------------------------------------------------------------------
// (d) behaviour
// ---------------------------------------------------------------------------

#[test]
fn sarif_levels_follow_the_verdicts() {
    let doc = json_of(ScanFormat::Sarif, &report());
    let run = &doc["runs"][0];
    let results = run["results"].as_array().expect("results");
    let by_rule = |id: &str| {
        results
            .iter()
            .find(|r| r["ruleId"] == id)
            .unwrap_or_else(|| panic!("result {id}"))
    };
    assert_eq!(by_rule("CVE-2024-0727")["level"], "error");
    assert_eq!(by_rule("CVE-2024-2511")["level"], "warning");
    let ignored = by_rule("GHSA-3ww4-gg4f-jr7f");
    assert_eq!(ignored["level"], "note");
    assert_eq!(ignored["suppressions"][0]["kind"], "external");
    assert!(
        by_rule("PYSEC-2023-228")["suppressions"][0]["justification"]
            .as_str()
            .is_some_and(|j| j.contains("POTENTIAL"))
    );
    let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
    let rule = |id: &str| {
        rules
            .iter()
            .find(|r| r["id"] == id)
            .unwrap_or_else(|| panic!("rule {id}"))
    };
    assert_eq!(
        rule("CVE-2024-0727")["properties"]["security-severity"],
        "9.8"
    );
    // No CVSS: mapped from the severity (1 → 0.0).
    assert_eq!(
        rule("CVE-2010-4756")["properties"]["security-severity"],
        "0.0"
    );
    for r in results {
        let index = r["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(rules[index]["id"], r["ruleId"]);
    }
}

#[test]
fn gitlab_severities_and_ids() {
    let doc = json_of(ScanFormat::Gitlab, &report());
    let vulns = doc["vulnerabilities"].as_array().expect("vulnerabilities");
    let sev = |name: &str| {
        vulns
            .iter()
            .find(|v| v["name"].as_str().is_some_and(|n| n.starts_with(name)))
            .unwrap_or_else(|| panic!("vulnerability {name}"))["severity"]
            .clone()
    };
    assert_eq!(sev("CVE-2024-0727"), "Critical");
    assert_eq!(sev("GHSA-3ww4-gg4f-jr7f"), "High");
    assert_eq!(sev("CVE-2024-2511"), "Medium");
    assert_eq!(sev("PYSEC-2023-228"), "Low");
    // Severity source `unknown`: GitLab's Unknown, not Info.
    assert_eq!(sev("CVE-2010-4756"), "Unknown");
    let ids: BTreeSet<&str> = vulns.iter().filter_map(|v| v["id"].as_str()).collect();
    assert_eq!(ids.len(), vulns.len(), "ids are unique");
    assert_eq!(doc["scan"]["start_time"], "2024-05-01T10:30:45");
    let requests = vulns
        .iter()
        .find(|v| v["name"] == "CVE-2024-35195 in requests")
        .expect("requests");
    let types: Vec<&str> = requests["identifiers"]
        .as_array()
        .expect("identifiers")
        .iter()
        .filter_map(|i| i["type"].as_str())
        .collect();
    assert_eq!(types, ["cve", "qid", "ghsa"]);
}

#[test]
fn junit_escapes_titles_and_counts_conditions() {
    let xml = render(ScanFormat::Junit, &report());
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites "));
    // The blocking finding's title is listed in the severity failure.
    assert!(xml.contains(
        "OpenSSL: &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &apos;AES-SIV&apos; misuse"
    ));
    assert!(!xml.contains("<script>"));
    assert_eq!(xml.matches("<testsuite ").count(), 2);
    assert_eq!(xml.matches("<failure ").count(), 2);
    assert!(xml.contains("name=\"severity\" time=\"0\">\n      <failure message=\"The vulnerabilities count by severity exceeded a configured threshold. Configured: Severity 5&gt;0; Severity 4&gt;2. Found: Severity 5: 1; Severity 4: 0\""));
    // QIDs are not configured: skipped, not passed.
    assert!(xml.contains("name=\"qids\" time=\"0\">\n      <skipped message=\"not configured\"/>"));

    let mut r = report();
    r.images.push(broken());
    let xml = render(ScanFormat::Junit, &r);
    assert!(xml.contains("<error message=\"manifest unknown: registry.example/team/missing:1.0\" type=\"scan-error\">"));
    assert!(
        xml.contains("tests=\"17\" failures=\"2\" errors=\"1\" skipped=\"4\""),
        "{xml}"
    );
}
