//! The run the scan-writer tests render (`scan_writers*.rs`): one
//! synthetic but realistic run of two images (a Debian 12 web app whose base
//! layer is attributed to the base image, and a small worker image), deb
//! and pypi findings of several severities, CONFIRMED and POTENTIAL, every
//! verdict kind, a fixed clock; an image that could not be scanned; the run
//! with hostile data; and the render helpers.

mod findings;
mod images;

use std::collections::{BTreeMap, BTreeSet};

use portcullis_policy::{
    CvssMode, CvssRule, Evaluation, FindingVerdict, IgnoreRule, Policy, RiskRule,
};
use portcullis_report::scan::{
    render_scan, CiMetadata, DbStamp, ImageResult, ScanFormat, ScanReport, TableStyle,
};
use portcullis_types::{ImageMetadata, Inventory, INVENTORY_SCHEMA_VERSION};
use serde_json::Value;
use time::macros::date;

use crate::common;
use images::{webapp, worker};

pub(crate) fn policy() -> Policy {
    Policy {
        fail_severity: BTreeMap::from([(5, 0), (4, 2)]),
        fail_cves: vec!["CVE-2099-0001".into()],
        fail_cvss: Some(CvssRule {
            threshold: 9.0,
            mode: CvssMode::V3,
        }),
        risk: Some(RiskRule {
            threshold: 10,
            weights: RiskRule::default_weights(),
        }),
        ignore: vec![IgnoreRule {
            id: "GHSA-3WW4-GG4F-JR7F".into(),
            owner: Some("platform-team".into()),
            reason: "RSA decryption is not used by the app".into(),
            package: Some("cryptography".into()),
            image: None,
            purl: None,
            path: None,
            only_unfixed: false,
            expires: Some(date!(2024 - 06 - 30)),
            vex_justification: Some("vulnerable_code_not_in_execute_path".into()),
        }],
        db_warn_days: Some(7),
        db_fail_days: Some(30),
        conditions_configured: true,
        ..Policy::default()
    }
}

pub(crate) fn report() -> ScanReport {
    ScanReport {
        tool_name: "portcullis".into(),
        tool_version: "0.1.0".into(),
        // The SBOM tests' clock, so both families of documents share a time.
        generated_at: common::context().created,
        backend: "local".into(),
        db: Some(DbStamp {
            built_at: "2024-04-29T06:00:00Z".into(),
            sources: vec![
                ("debian-tracker".into(), "2024-04-29T05:40:00Z".into()),
                ("osv-pypi".into(), "2024-04-29T05:45:00Z".into()),
            ],
        }),
        policy: policy(),
        images: vec![webapp(), worker()],
        ci: CiMetadata {
            system: Some("gitlab".into()),
            job_name: Some("container-scan".into()),
            build_number: Some("1234".into()),
            job_url: Some("https://ci.example/team/webapp/-/jobs/1234".into()),
        },
    }
}

/// An image that could not be scanned.
pub(crate) fn broken() -> ImageResult {
    ImageResult {
        references: vec!["registry.example/team/missing:1.0".into()],
        inventory: Inventory {
            schema_version: INVENTORY_SCHEMA_VERSION,
            image: ImageMetadata::default(),
            distro: None,
            packages: Vec::new(),
            unknowns: Vec::new(),
        },
        findings: Vec::new(),
        not_matched: Vec::new(),
        evaluation: Evaluation::default(),
        base_layers: BTreeSet::new(),
        error: Some("manifest unknown: registry.example/team/missing:1.0".into()),
    }
}

/// The run plus untrusted data at its worst: ids, links and titles with
/// markup, quotes, spaces and control characters, a finding whose package
/// is not in the inventory (as platform backends report), and an image that
/// could not be scanned.
pub(crate) fn hostile() -> ScanReport {
    let mut r = report();
    r.images.push(broken());
    let worker = &mut r.images[1];
    let mut weird = worker.findings[0].clone();
    weird.id = "CVE-2024-35195 <x>\u{7}".into();
    weird.aliases = vec!["weird id/\u{fc}".into(), "GHSA-\"quoted\"".into()];
    weird.links = vec![
        "javascript:alert(1)".into(),
        "https://ok.example/a b".into(),
    ];
    weird.title = Some("\u{1}control & <b>bold</b> ]]> \"q\" 'a'".into());
    let mut ghost = worker.findings[0].clone();
    ghost.package.name = "ghost".into();
    ghost.package.version = "1.0".into();
    ghost.package.purl = "pkg:pypi/ghost@1.0".into();
    ghost.package.locations = Vec::new();
    worker.findings.push(weird);
    worker.evaluation.verdicts.push(FindingVerdict::Blocking {
        conditions: vec!["cve".into()],
    });
    worker.findings.push(ghost);
    worker.evaluation.verdicts.push(FindingVerdict::Counted);
    worker.evaluation.pass = false;
    worker.evaluation.cves.found = Some("CVE-2024-35195 <x>\u{7}".into());
    worker.evaluation.cves.result = false;
    r
}

pub(crate) fn render(format: ScanFormat, report: &ScanReport) -> String {
    let bytes = render_scan(format, report, TableStyle::default()).expect("render");
    String::from_utf8(bytes).expect("utf-8")
}

pub(crate) fn json_of(format: ScanFormat, report: &ScanReport) -> Value {
    serde_json::from_str(&render(format, report)).expect("valid JSON")
}
