//! The console table (`portcullis scan`, default output): snapshots of a
//! realistic two-image run, without and with colours, with every finding
//! listed, and with an image that could not be scanned. The run is
//! `common::scan_fixture::report()`, as in `scan_html.rs`.

mod common;

use common::scan_fixture::{report, worker_image};
use portcullis_policy::Evaluation;
use portcullis_report::scan::{render_scan, ScanFormat, ScanReport, TableStyle};
use portcullis_types::ImageMetadata;

fn table(report: &ScanReport, style: TableStyle) -> String {
    match render_scan(ScanFormat::Table, report, style) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(s) => s,
            Err(e) => panic!("table is not UTF-8: {e}"),
        },
        Err(e) => panic!("table: {e}"),
    }
}

/// Removes `ESC [ … m` sequences.
fn strip_ansi(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(start) = rest.find("\x1b[") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let end = after.find('m').map_or(after.len(), |i| i + 1);
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

#[test]
fn plain() {
    let out = table(&report(), TableStyle::default());
    assert!(!out.contains('\x1b'), "no colour codes without colour");
    assert!(out.ends_with("FAIL: 1 of 2 images failed\n"));
    insta::assert_snapshot!("plain", out);
}

#[test]
fn colored() {
    let out = table(
        &report(),
        TableStyle {
            color: true,
            ..TableStyle::default()
        },
    );
    assert!(out.contains("\x1b[1;31mFAIL\x1b[0m"));
    assert!(out.contains("\x1b[1;32mPASS\x1b[0m"));
    // Without the escape codes it is the plain table.
    let stripped = strip_ansi(&out);
    assert_eq!(stripped, table(&report(), TableStyle::default()));
    insta::assert_snapshot!("colored", out);
}

#[test]
fn all_findings() {
    let out = table(
        &report(),
        TableStyle {
            all_findings: true,
            ..TableStyle::default()
        },
    );
    assert!(
        out.contains("ignored: minizip is not built into zlib1g (platform-team, until 2024-05-10)")
    );
    assert!(!out.contains("not counted ("));
    insta::assert_snapshot!("all_findings", out);
}

#[test]
fn passing_run_and_unscannable_image() {
    let mut pass = report();
    pass.images.remove(0);
    let out = table(&pass, TableStyle::default());
    assert!(out.ends_with("PASS: 1 image\n"), "{out}");

    let mut broken = report();
    let mut failed = worker_image();
    failed.references = vec!["oci-dir:broken.oci".into()];
    failed.findings.clear();
    failed.inventory.packages.clear();
    failed.inventory.distro = None;
    failed.inventory.image = ImageMetadata {
        reference: "oci-dir:broken.oci".into(),
        ..ImageMetadata::default()
    };
    failed.evaluation = Evaluation::default();
    failed.error = Some("layer 2: gzip stream truncated\x1b[2J".into());
    broken.images = vec![worker_image(), failed];
    let mut with_errors = worker_image();
    with_errors.evaluation.pass = false;
    with_errors.evaluation.errors =
        vec!["CVSS max mode: CVE-2016-2781 has no CVSS v2 score".into()];
    broken.images.push(with_errors);
    let out = table(&broken, TableStyle::default());
    assert!(!out.contains('\x1b'), "control characters are neutralised");
    insta::assert_snapshot!("errors", out);
}
