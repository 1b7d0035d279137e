//! Conversion of the reference's example image details (§2.2).

use portcullis_match::TypeDetected;
use portcullis_platform::details_to_scan;
use portcullis_types::Ecosystem;
use serde_json::{json, Value};

fn example() -> Value {
    serde_json::from_str(include_str!("fixtures/image-details.json")).unwrap()
}

#[test]
fn image_metadata_and_packages() {
    let scan = details_to_scan(&example()).unwrap();
    let inv = &scan.inventory;
    assert_eq!(inv.image.image_id, "4f67c83422ec");
    assert_eq!(
        inv.image.config_digest.as_ref().unwrap().hex(),
        "4f67c83422ec747235357c04556616234e66fc3fa39cb4f40b2d4441ddd8f100"
    );
    assert_eq!(inv.image.reference, "registry.example.com/team/app:1.4.2");
    assert_eq!(inv.image.repo_tags.len(), 2);
    assert_eq!(inv.image.architecture, "amd64");
    assert_eq!(inv.image.os, "linux");
    assert_eq!(inv.image.total_size, 187_667_860);
    assert_eq!(inv.image.created.as_deref(), Some("2024-05-29T23:55:01Z"));
    assert_eq!(inv.image.docker_version.as_deref(), Some("20.10.23"));
    // Layer shas are null in the example: history only.
    assert!(inv.image.layers.is_empty());
    assert_eq!(inv.image.history.len(), 2);
    assert!(inv.image.history[1].empty_layer);
    let distro = inv.distro.as_ref().unwrap();
    assert_eq!(
        (distro.id.as_str(), distro.version_id.as_deref()),
        ("debian", Some("11"))
    );
    let names: Vec<_> = inv
        .packages
        .iter()
        .map(|p| (p.ecosystem, p.name.as_str(), p.version.as_str()))
        .collect();
    assert_eq!(
        names,
        [
            (Ecosystem::Deb, "bash", "5.1-2+deb11u1"),
            (Ecosystem::Deb, "libexpat1", "2.2.10-2+deb11u4"),
            (Ecosystem::Deb, "openssl", "1.1.1n-0+deb11u3"),
        ]
    );
    assert_eq!(
        inv.packages[2].purl,
        "pkg:deb/debian/openssl@1.1.1n-0+deb11u3?distro=debian-11"
    );
    assert!(scan.notes.is_empty(), "{:?}", scan.notes);
}

#[test]
fn findings() {
    let scan = details_to_scan(&example()).unwrap();
    assert_eq!(scan.findings.len(), 3);
    let f = &scan.findings[0];
    assert_eq!(f.id, "CVE-2023-0286");
    assert_eq!(f.qid, Some(178393));
    assert_eq!(f.aliases, ["CVE-2023-0215", "QID-178393"]);
    assert_eq!(f.severity, 4);
    assert_eq!(f.type_detected, TypeDetected::Confirmed);
    assert!(f.patch_available);
    assert_eq!(f.cvss_v2.as_ref().unwrap().score, 7.1);
    assert_eq!(f.cvss_v3.as_ref().unwrap().score, 7.4);
    assert_eq!(f.cvss_v3.as_ref().unwrap().vector, "");
    assert_eq!(
        (f.package.name.as_str(), f.package.version.as_str()),
        ("openssl", "1.1.1n-0+deb11u3")
    );
    assert_eq!(f.package.ecosystem, Ecosystem::Deb);
    assert_eq!(f.fixed_version.as_deref(), Some("1.1.1n-0+deb11u4"));
    assert_eq!(f.status, "fixed");
    assert_eq!(
        f.title.as_deref(),
        Some("Debian Security Update for openssl (DSA 5343-1)")
    );
    assert_eq!(f.evidence[0].source, "qualys-cs");
    assert_eq!(f.evidence[0].advisory, "QID-178393");

    let e = &scan.findings[1];
    assert_eq!((e.id.as_str(), e.qid), ("CVE-2022-40674", Some(178400)));
    assert_eq!(e.aliases, ["QID-178400"]);
    assert_eq!(e.severity, 3);

    let p = &scan.findings[2];
    assert_eq!(p.id, "QID-45097");
    assert!(p.aliases.is_empty());
    assert_eq!(p.type_detected, TypeDetected::Potential);
    assert!(!p.patch_available);
    assert_eq!(p.status, "affected");
    assert_eq!(p.package.name, "");
    assert!(p.evidence[0].doubt.is_some());
}

#[test]
fn odd_values_are_kept_or_defaulted_and_noted() {
    let details = json!({
        "sha": "ab", "operatingSystem": "SomethingOS 1",
        "softwares": [
            {"name": "x", "version": "1.2", "vulnerabilities": {"severity5Count": 1}},
            {"name": "y", "version": "2.0-r3", "vulnerabilities": null}
        ],
        "vulnerabilities": [
            {"qid": 1, "severity": 9, "typeDetected": "INFO", "cveids": null,
             "cvssInfo": {"baseScore": 5}, "cvss3Info": {"baseScore": "n/a"},
             "software": [{"name": "x", "version": "1.2"}]},
            {"qid": "2", "severity": "5", "typeDetected": "POTENTIAL", "patchAvailable": null,
             "cveids": ["CVE-1", "CVE-2", "CVE-3"]}
        ]
    });
    let scan = details_to_scan(&details).unwrap();
    let a = &scan.findings[0];
    assert_eq!(
        (a.id.as_str(), a.severity, a.type_detected),
        ("QID-1", 9, TypeDetected::Confirmed)
    );
    assert_eq!(a.cvss_v2.as_ref().unwrap().score, 5.0);
    assert!(a.cvss_v3.is_none());
    assert!(!a.patch_available);
    let b = &scan.findings[1];
    assert_eq!((b.id.as_str(), b.qid, b.severity), ("CVE-1", Some(2), 5));
    assert_eq!(b.aliases, ["CVE-2", "CVE-3", "QID-2"]);
    let eco: Vec<_> = scan
        .inventory
        .packages
        .iter()
        .map(|p| (p.name.as_str(), p.ecosystem))
        .collect();
    assert_eq!(eco, [("x", Ecosystem::Deb), ("y", Ecosystem::Apk)]);
    let notes = scan.notes.join("\n");
    assert!(notes.contains("severity 9"), "{notes}");
    assert!(notes.contains("`INFO`"), "{notes}");
    assert!(notes.contains("1 package(s)"), "{notes}");
}

#[test]
fn malformed_details_are_errors() {
    assert!(details_to_scan(&json!([])).is_err());
    assert!(details_to_scan(&json!({"vulnerabilities": null})).is_err());
    assert!(details_to_scan(&json!({"vulnerabilities": [{"severity": 3}]})).is_err());
    assert!(details_to_scan(&json!({"vulnerabilities": [], "softwares": "x"})).is_err());
    let ok = details_to_scan(&json!({"vulnerabilities": []})).unwrap();
    assert!(ok.findings.is_empty() && ok.inventory.packages.is_empty());
}

#[test]
fn hostile_values_never_panic() {
    let details = json!({
        "sha": "../../etc", "imageId": 5, "created": "1e300", "size": -4,
        "operatingSystem": {"x": 1}, "repo": [null, 3, {"repository": null}, {"repository": "r", "tag": null}],
        "layers": [{"sha": "zz", "size": "1e400", "created": -1e300}, null],
        "repoDigests": [null, 1],
        "softwares": [{"name": null, "version": null}, {"name": "", "version": "1"}, null, 4, {"name": 5}],
        "vulnerabilities": [
            {"qid": 1e30, "severity": -3, "cveids": [null, 7, "CVE-9"], "cvssInfo": "x",
             "cvss3Info": {"baseScore": "NaN"}, "software": [null], "layerSha": "sha256:bad"},
            {"qid": -1, "cveids": ["CVE-1"], "severity": 1e10, "software": "x"}
        ]
    });
    let scan = details_to_scan(&details).unwrap();
    assert_eq!(scan.findings.len(), 2);
    assert_eq!(scan.findings[0].severity, 0);
    assert_eq!(scan.findings[1].severity, 255);
    assert_eq!(scan.findings[1].qid, None);
    assert!(scan.findings[0].cvss_v3.is_none());
    assert_eq!(scan.inventory.image.created, None);
    assert!(scan.inventory.packages.is_empty());
    assert_eq!(
        scan.notes.iter().filter(|n| n.contains("skipped")).count(),
        3,
        "{:?}",
        scan.notes
    );
}
