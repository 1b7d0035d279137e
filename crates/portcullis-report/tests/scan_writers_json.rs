//! Snapshots and behaviour of the JSON writers: native JSON, the summary
//! and the Qualys CS API shape, over `common::writers_fixture::report()`.

mod common;

use std::collections::BTreeSet;

use common::writers_fixture::{broken, json_of, render, report};
use portcullis_report::scan::{summary_value, ScanFormat};

// ---------------------------------------------------------------------------
// (a) snapshots: the reviewed .snap files are the specification
// ---------------------------------------------------------------------------

#[test]
fn native_json_snapshot() {
    insta::assert_snapshot!("json", render(ScanFormat::Json, &report()));
}

#[test]
fn summary_json_snapshot() {
    insta::assert_snapshot!("summary_json", render(ScanFormat::SummaryJson, &report()));
}

#[test]
fn qualys_json_snapshot() {
    insta::assert_snapshot!("qualys_json", render(ScanFormat::QualysJson, &report()));
}

// ---------------------------------------------------------------------------
// (d) behaviour
// ---------------------------------------------------------------------------

#[test]
fn native_json_has_the_baseline_fields_and_verdicts() {
    let doc = json_of(ScanFormat::Json, &report());
    assert_eq!(doc["verdict"], "fail");
    let findings = doc["images"][0]["findings"].as_array().expect("findings");
    let verdicts: BTreeSet<&str> = findings
        .iter()
        .filter_map(|f| f["verdict"].as_str())
        .collect();
    assert_eq!(
        verdicts,
        BTreeSet::from(["blocking", "counted", "excluded", "ignored"])
    );
    for f in findings {
        for key in [
            "id",
            "aliases",
            "fixed_version",
            "severity",
            "type_detected",
            "status",
            "layer",
        ] {
            assert!(f.get(key).is_some(), "{key} in {f}");
        }
        for key in ["ecosystem", "name", "version", "source_name"] {
            assert!(f["package"].get(key).is_some(), "package.{key}");
        }
    }
    let ssl = &findings
        .iter()
        .find(|f| f["id"] == "CVE-2024-0727")
        .expect("libssl3 finding");
    assert_eq!(ssl["in_base_image"], true);
    assert_eq!(ssl["verdict_detail"]["conditions"][0], "severity");
    let ignored = findings
        .iter()
        .find(|f| f["verdict"] == "ignored")
        .expect("ignored");
    assert_eq!(ignored["verdict_detail"]["owner"], "platform-team");
    assert_eq!(ignored["verdict_detail"]["until"], "2024-06-30");
    assert_eq!(ignored["in_base_image"], false);
}

#[test]
fn summary_follows_the_vendor_null_and_zero_rules() {
    let v = summary_value(&report());
    assert_eq!(v["buildStatus"], "Failed");
    assert_eq!(v["pass"], false);
    let web = &v["scanResult"]["b79606fb3afe"];
    // Limit set, nothing found: 0. No limit, nothing found: null.
    assert_eq!(web["severities"]["4"]["found"], 0);
    assert!(web["severities"]["2"]["found"].is_null());
    assert_eq!(web["severities"]["3"]["found"], 1);
    assert_eq!(web["severities"]["5"]["result"], false);
    assert_eq!(web["software"]["configured"], "");
    assert_eq!(web["cvss"]["version"], "3");
    assert_eq!(web["cvss"]["foundMap"]["9.8"], 1);
    assert_eq!(web["imageSummary"]["pass"], false);
    assert_eq!(web["imageSummary"]["Tags"][0], "1.4.2");
    assert_eq!(web["typeDetected"]["Potential"], 1);
    let worker = &v["scanResult"]["5d0da3dc9764"];
    assert_eq!(worker["imageSummary"]["pass"], true);
    assert!(worker["cvss"].get("foundMap").is_none());
    assert_eq!(v["trendingData"][1]["repos"][0], "team/worker");

    let mut r = report();
    r.images.push(broken());
    let v = summary_value(&r);
    let missing = &v["scanResult"]["registry.example/team/missing:1.0"];
    assert_eq!(missing["imageSummary"]["pass"], false);
    assert_eq!(
        missing["error"],
        "manifest unknown: registry.example/team/missing:1.0"
    );
}

#[test]
fn qualys_json_uses_the_cs_api_field_conventions() {
    let doc = json_of(ScanFormat::QualysJson, &report());
    let web = &doc[0];
    assert_eq!(web["imageId"], "b79606fb3afe");
    assert_eq!(web["created"], "1714468540000");
    assert_eq!(web["lastScanned"], "1714559445123");
    assert_eq!(web["layers"][0]["isBaseLayer"], true);
    assert_eq!(web["layers"][0]["size"], "29150000");
    let vulns = web["vulnerabilities"].as_array().expect("vulnerabilities");
    let ssl = vulns
        .iter()
        .find(|v| v["id"] == "CVE-2024-0727")
        .expect("libssl3");
    assert!(ssl["qid"].is_null());
    assert_eq!(ssl["cvss3Info"]["baseScore"], "9.8");
    assert!(ssl["cvssInfo"]["baseScore"].is_null());
    assert_eq!(ssl["cveids"][0], "CVE-2024-0727");
    let pip = vulns
        .iter()
        .find(|v| v["id"] == "PYSEC-2023-228")
        .expect("pip");
    assert_eq!(pip["typeDetected"], "POTENTIAL");
    assert_eq!(pip["cveids"][0], "CVE-2023-5752");
    let no_cve = vulns
        .iter()
        .find(|v| v["id"] == "CVE-2024-2511")
        .expect("no-dsa");
    assert_eq!(no_cve["cvssInfo"]["accessVector"], "Network");
    let worker = &doc[1];
    assert_eq!(worker["vulnerabilities"][0]["qid"], 5_001_234);
    let requests = worker["softwares"]
        .as_array()
        .expect("softwares")
        .iter()
        .find(|s| s["name"] == "requests")
        .expect("requests");
    assert_eq!(requests["fixVersion"], "2.32.0");
    assert_eq!(requests["vulnerabilities"][0]["qid"], 5_001_234);
}
