//! Hand-built findings, packages and subjects for the tests.

use std::collections::BTreeSet;

use portcullis_advisory::{Cvss, CvssVersion};
use portcullis_match::{Finding, FindingPackage, TypeDetected};
use portcullis_types::{Digest, Ecosystem, Package};
use time::macros::datetime;
use time::OffsetDateTime;

use crate::{evaluate, Evaluation, Policy, Subject};

/// The fixed "now" of the tests.
pub(super) const NOW: OffsetDateTime = datetime!(2026-06-15 12:00 UTC);

/// The image the tests scan.
pub(super) const IMAGE: &str = "registry.example/team/app:1.0";

/// A CONFIRMED, patchable finding of `id` in deb package `pkg` 1.0-1.
pub(super) fn finding(id: &str, severity: u8) -> Finding {
    Finding {
        id: id.to_owned(),
        qid: None,
        aliases: Vec::new(),
        package: FindingPackage {
            ecosystem: Ecosystem::Deb,
            name: "pkg".to_owned(),
            version: "1.0-1".to_owned(),
            source_name: None,
            source_version: None,
            purl: "pkg:deb/debian/pkg@1.0-1".to_owned(),
            locations: Vec::new(),
        },
        fixed_version: Some("1.0-2".to_owned()),
        status: "fixed".to_owned(),
        severity,
        severity_source: "debian".to_owned(),
        cvss_v2: None,
        cvss_v3: None,
        type_detected: TypeDetected::Confirmed,
        patch_available: true,
        layer: None,
        title: None,
        links: Vec::new(),
        evidence: Vec::new(),
    }
}

/// `finding` with changes.
pub(super) fn finding_with(id: &str, severity: u8, change: impl FnOnce(&mut Finding)) -> Finding {
    let mut f = finding(id, severity);
    change(&mut f);
    f
}

/// A CVSS block with this score.
pub(super) fn cvss(version: CvssVersion, score: f64) -> Option<Cvss> {
    Some(Cvss {
        version,
        vector: String::new(),
        score,
    })
}

/// A layer digest made of one repeated hex digit.
pub(super) fn layer(digit: char) -> Digest {
    Digest::sha256_hex(&digit.to_string().repeat(64)).unwrap()
}

/// An installed package.
pub(super) fn package(ecosystem: Ecosystem, name: &str, version: &str) -> Package {
    Package {
        ecosystem,
        name: name.to_owned(),
        version: version.to_owned(),
        source_name: None,
        source_version: None,
        arch: None,
        purl: format!("pkg:{}/{name}@{version}", ecosystem.as_str()),
        licenses: Vec::new(),
        layer: None,
        locations: Vec::new(),
        cataloger: "test".to_owned(),
        owned_by: None,
    }
}

/// Everything a [`Subject`] borrows, owned.
pub(super) struct Fixture {
    pub(super) image: String,
    pub(super) findings: Vec<Finding>,
    pub(super) packages: Vec<Package>,
    pub(super) base_layers: BTreeSet<Digest>,
    pub(super) baseline: Option<BTreeSet<String>>,
    pub(super) db_built_at: Option<OffsetDateTime>,
}

impl Fixture {
    pub(super) fn new(findings: Vec<Finding>) -> Self {
        Fixture {
            image: IMAGE.to_owned(),
            findings,
            packages: Vec::new(),
            base_layers: BTreeSet::new(),
            baseline: None,
            db_built_at: None,
        }
    }

    pub(super) fn packages(packages: Vec<Package>) -> Self {
        Fixture {
            packages,
            ..Fixture::new(Vec::new())
        }
    }

    pub(super) fn eval_at(&self, policy: &Policy, now: OffsetDateTime) -> Evaluation {
        let subject = Subject {
            image: &self.image,
            findings: &self.findings,
            packages: &self.packages,
            base_layers: &self.base_layers,
            baseline: self.baseline.as_ref(),
            db_built_at: self.db_built_at,
        };
        evaluate(&subject, policy, now)
    }

    pub(super) fn eval(&self, policy: &Policy) -> Evaluation {
        self.eval_at(policy, NOW)
    }
}

/// The verdict names, in finding order.
pub(super) fn verdict_names(ev: &Evaluation) -> Vec<&'static str> {
    ev.verdicts.iter().map(|v| v.name()).collect()
}
