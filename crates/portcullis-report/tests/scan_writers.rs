//! Snapshot, schema and behaviour tests of the scan writers over one
//! synthetic but realistic run: two images (a Debian 12 web app whose base
//! layer is attributed to the base image, and a small worker image), deb
//! and pypi findings of several severities, CONFIRMED and POTENTIAL, every
//! verdict kind, a fixed clock.
//!
//! Schema validation runs `tests/validate_schemas.py` (SARIF 2.1.0, GitLab
//! container scanning 15.0.x, CycloneDX 1.5, SPDX 2.3, JUnit through
//! junitparser) only when `PORTCULLIS_SCHEMA_CHECK=1`, like
//! `schema_validation.rs`; `PORTCULLIS_SCHEMA_VENV` names its package cache.
//!
//! The snapshot and behaviour tests of each family of writers are in
//! `scan_writers_json.rs` (native JSON, summary, Qualys), `scan_writers_ci.rs`
//! (SARIF, GitLab, JUnit) and `scan_writers_sbom.rs` (CycloneDX VEX, SPDX);
//! the run is `common::writers_fixture`. This file holds what concerns every
//! writer: hostile data, determinism and schema validation.

mod common;

use common::writers_fixture::{hostile, json_of, render, report};
use portcullis_report::scan::{render_scan, ScanFormat, TableStyle};
use serde_json::Value;

#[test]
fn hostile_data_is_escaped_and_links_filtered() {
    let r = hostile();
    for format in written_formats() {
        render(format, &r);
    }
    let xml = render(ScanFormat::Junit, &r);
    assert!(xml.contains(
        "\u{fffd}control &amp; &lt;b&gt;bold&lt;/b&gt; ]]&gt; &quot;q&quot; &apos;a&apos;"
    ));
    assert!(!xml.contains('\u{7}') && !xml.contains('\u{1}'));
    let gitlab = json_of(ScanFormat::Gitlab, &r);
    let links: Vec<&Value> = gitlab["vulnerabilities"]
        .as_array()
        .expect("vulnerabilities")
        .iter()
        .flat_map(|v| v["links"].as_array().into_iter().flatten())
        .collect();
    assert!(links.iter().all(|l| l["url"]
        .as_str()
        .is_some_and(|u| u.starts_with("https://") && !u.contains(' '))));
    let sarif = json_of(ScanFormat::Sarif, &r);
    let rule = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .find(|r| r["id"] == "CVE-2024-35195 <x>\u{7}")
        .expect("weird rule");
    assert_eq!(
        rule["helpUri"],
        "https://nvd.nist.gov/vuln/detail/CVE-2024-35195%20%3Cx%3E%07"
    );
    // A package missing from the inventory is attributed to its image.
    let bom = json_of(ScanFormat::CycloneDxJson, &r);
    let ghost = bom["vulnerabilities"]
        .as_array()
        .expect("vulnerabilities")
        .iter()
        .find(|v| v["affects"][0]["versions"][0]["version"] == "1.0")
        .expect("ghost finding");
    assert!(ghost["affects"][0]["ref"]
        .as_str()
        .is_some_and(|r| r.starts_with("image1/image:sha256:")));
    // The unscanned image is named by its reference, not "image".
    let missing = bom["components"]
        .as_array()
        .expect("components")
        .iter()
        .find(|c| c["type"] == "container" && c["name"] == "registry.example/team/missing:1.0");
    assert!(missing.is_some(), "{}", bom["components"]);
}

#[test]
fn every_writer_is_deterministic_and_ends_with_a_newline() {
    let r = report();
    let mut shuffled = report();
    for img in &mut shuffled.images {
        // Findings and verdicts move together; the writers sort.
        let mut pairs: Vec<_> = img
            .findings
            .drain(..)
            .zip(img.evaluation.verdicts.drain(..))
            .collect();
        pairs.reverse();
        for (f, v) in pairs {
            img.findings.push(f);
            img.evaluation.verdicts.push(v);
        }
        img.inventory.packages.reverse();
    }
    for format in written_formats() {
        let a = render(format, &r);
        assert!(a.ends_with('\n'), "{format}");
        assert_eq!(a, render(format, &shuffled), "{format}");
    }
}

/// The formats this file covers (table and html have their own tests).
fn written_formats() -> Vec<ScanFormat> {
    ScanFormat::ALL
        .into_iter()
        .filter(|f| !matches!(f, ScanFormat::Table | ScanFormat::Html))
        .filter(|f| render_scan(*f, &report(), TableStyle::default()).is_ok())
        .collect()
}

// ---------------------------------------------------------------------------
// (b), (c) schema validation and JUnit parsing
// ---------------------------------------------------------------------------

#[test]
fn scan_outputs_are_schema_valid() {
    if !common::schema_check(
        "scan report schema validation (SARIF, GitLab, CycloneDX, SPDX, JUnit)",
    ) {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let mut files = Vec::new();
    for (name, r) in [("run", report()), ("hostile", hostile())] {
        for format in [
            ScanFormat::Sarif,
            ScanFormat::Gitlab,
            ScanFormat::CycloneDxJson,
            ScanFormat::SpdxJson,
            ScanFormat::Junit,
        ] {
            let Ok(bytes) = render_scan(format, &r, TableStyle::default()) else {
                continue;
            };
            let ext = if format == ScanFormat::Junit {
                "xml"
            } else {
                "json"
            };
            let path = dir.path().join(format!("{name}-{format}.{ext}"));
            std::fs::write(&path, bytes).expect("write");
            files.push(path);
        }
    }
    let stdout = common::validate_schemas(&files);
    for (name, suites, failures) in [("run", 2, 2), ("hostile", 3, 3)] {
        if !files
            .iter()
            .any(|f| f.ends_with(format!("{name}-junit.xml")))
        {
            continue;
        }
        let line = stdout
            .lines()
            .find(|l| l.contains(&format!("{name}-junit.xml: valid JUnit")))
            .unwrap_or_else(|| panic!("junit line for {name}:\n{stdout}"));
        assert!(
            line.contains(&format!("{suites} suites"))
                && line.contains(&format!("{failures} failures")),
            "{line}"
        );
    }
}
