//! Findings built on an inventory package: the package, its layer and the
//! evidence a matcher would record.

use portcullis_advisory::Cvss;
use portcullis_match::{Evidence, Finding, FindingPackage, TypeDetected};
use portcullis_types::{Digest, Ecosystem, Inventory};

use crate::common::scan_fixture::finding_package;

/// The finding's package, copied from the inventory package it concerns.
fn package_of(inv: &Inventory, ecosystem: Ecosystem, name: &str) -> (FindingPackage, Digest) {
    let p = inv
        .packages
        .iter()
        .find(|p| p.ecosystem == ecosystem && p.name == name)
        .unwrap_or_else(|| panic!("fixture package {name}"));
    (finding_package(p), p.layer.clone().expect("fixture layer"))
}

pub(crate) struct F<'a> {
    pub(crate) id: &'a str,
    pub(crate) aliases: &'a [&'a str],
    pub(crate) ecosystem: Ecosystem,
    pub(crate) package: &'a str,
    pub(crate) fixed: Option<&'a str>,
    pub(crate) status: &'a str,
    pub(crate) severity: u8,
    pub(crate) source: &'a str,
    pub(crate) cvss_v2: Option<Cvss>,
    pub(crate) cvss_v3: Option<Cvss>,
    pub(crate) potential: bool,
    pub(crate) title: Option<&'a str>,
}

pub(crate) fn finding(inv: &Inventory, f: F<'_>) -> Finding {
    let (package, layer) = package_of(inv, f.ecosystem, f.package);
    let comparator = if f.ecosystem == Ecosystem::Deb {
        "dpkg"
    } else {
        "pep440"
    };
    Finding {
        id: f.id.into(),
        qid: None,
        aliases: f.aliases.iter().map(|a| (*a).into()).collect(),
        fixed_version: f.fixed.map(Into::into),
        status: f.status.into(),
        severity: f.severity,
        severity_source: f.source.into(),
        cvss_v2: f.cvss_v2,
        cvss_v3: f.cvss_v3,
        type_detected: if f.potential {
            TypeDetected::Potential
        } else {
            TypeDetected::Confirmed
        },
        patch_available: f.fixed.is_some(),
        layer: Some(layer),
        title: f.title.map(Into::into),
        links: vec![format!("https://osv.dev/vulnerability/{}", f.id)],
        evidence: vec![Evidence {
            advisory: f.id.into(),
            source: if f.ecosystem == Ecosystem::Deb {
                "debian-tracker".into()
            } else {
                "osv".into()
            },
            record: format!("{}.json", f.id),
            db_row: 42,
            namespace: if f.ecosystem == Ecosystem::Deb {
                "debian:12".into()
            } else {
                "pypi".into()
            },
            package: package
                .source_name
                .clone()
                .unwrap_or_else(|| package.name.clone()),
            version: package
                .source_version
                .clone()
                .unwrap_or_else(|| package.version.clone()),
            comparator: comparator.into(),
            comparisons: match f.fixed {
                Some(fix) => vec![format!("{} < {fix}", package.version)],
                None => vec!["no fixed version: every version is affected".into()],
            },
            fix_state: if f.fixed.is_some() {
                "fixed"
            } else {
                "not-fixed"
            }
            .into(),
            doubt: f
                .potential
                .then(|| "the installed version could not be parsed exactly".into()),
        }],
        package,
    }
}
