//! `scan sbom:FILE` (SPEC §11, "SBOM in, gaps visible"): an SBOM written
//! by `portcullis sbom` in each format gives the same findings as scanning
//! the image itself, and components that cannot be matched are reported.

mod support;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::Value;
use support::{code, db_import, fixtures, portcullis, stderr, vulndata};

fn findings(report: &Path) -> BTreeSet<(String, String, String, String)> {
    let r: Value = serde_json::from_slice(&std::fs::read(report).unwrap()).unwrap();
    r["images"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let s = |v: &Value| v.as_str().unwrap_or("").to_owned();
            (
                s(&f["id"]),
                s(&f["package"]["ecosystem"]),
                s(&f["package"]["name"]),
                s(&f["package"]["version"]),
            )
        })
        .collect()
}

fn scan(target: &str, db: &Path, report: &Path) -> std::process::Output {
    portcullis(&[
        "scan",
        target,
        "--db",
        db.to_str().unwrap(),
        "--no-config",
        "-q",
        "-o",
        &format!("json={}", report.display()),
    ])
}

#[test]
fn an_sbom_scans_like_its_image() {
    let (Some(fx), Some(data)) = (fixtures(), vulndata()) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("v.db");
    db_import(&db, &[data.join("pypa"), data.join("debian-derived")]);
    let image = format!("oci-dir:{}", fx.join("python.oci").display());
    let direct = dir.path().join("direct.json");
    let out = scan(&image, &db, &direct);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let want = findings(&direct);
    assert!(want.len() > 40, "the image has findings: {}", want.len());

    // CycloneDX and the native document carry everything the matcher
    // needs (source packages, distro, and which OS package owns pip).
    for format in ["json", "cyclonedx-json"] {
        let sbom: PathBuf = dir.path().join(format!("sbom.{format}"));
        let out = portcullis(&[
            "sbom",
            &image,
            "-o",
            &format!("{format}={}", sbom.display()),
        ]);
        assert_eq!(code(&out), 0, "{}", stderr(&out));
        let report = dir.path().join(format!("from-{format}.json"));
        let out = scan(&format!("sbom:{}", sbom.display()), &db, &report);
        assert_eq!(code(&out), 0, "{format}: {}", stderr(&out));
        let got = findings(&report);
        let missing: Vec<_> = want.difference(&got).collect();
        let extra: Vec<_> = got.difference(&want).collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "{format}: missing {missing:?}, extra {extra:?}"
        );
    }

    // SPDX has no field for the owning OS package: the same findings, plus
    // what PyPI says about Debian's own pip (which the image scan leaves to
    // Debian's data).
    let sbom = dir.path().join("sbom.spdx.json");
    let out = portcullis(&[
        "sbom",
        &image,
        "-o",
        &format!("spdx-json={}", sbom.display()),
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let report = dir.path().join("from-spdx.json");
    let out = scan(&format!("sbom:{}", sbom.display()), &db, &report);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let got = findings(&report);
    assert!(
        want.is_subset(&got),
        "{:?}",
        want.difference(&got).collect::<Vec<_>>()
    );
    assert!(
        got.difference(&want)
            .all(|(_, eco, name, _)| eco == "pypi" && name == "pip"),
        "{:?}",
        got.difference(&want).collect::<Vec<_>>()
    );
}

#[test]
fn components_that_cannot_be_matched_are_reported() {
    let Some(data) = vulndata() else { return };
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("v.db");
    db_import(&db, &[data.join("pypa")]);
    let sbom = dir.path().join("bom.cdx.json");
    std::fs::write(
        &sbom,
        r#"{
  "bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1,
  "components": [
    {"type": "library", "name": "django", "version": "2.2", "purl": "pkg:pypi/django@2.2"},
    {"type": "library", "name": "vendored-thing", "version": "1.0"},
    {"type": "library", "name": "openssl", "version": "3.0.0", "purl": "pkg:generic/openssl@3.0.0"},
    {"type": "library", "name": "requests", "purl": "pkg:pypi/requests"}
  ]
}"#,
    )
    .unwrap();
    let report = dir.path().join("r.json");
    let out = scan(&format!("sbom:{}", sbom.display()), &db, &report);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(findings(&report)
        .iter()
        .any(|(_, _, name, _)| name == "django"));
    let r: Value = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    let unknowns = r["images"][0]["unknowns"].as_array().unwrap();
    let text = serde_json::to_string(unknowns).unwrap();
    for (component, why) in [
        ("vendored-thing@1.0", "no purl"),
        ("openssl@3.0.0", "generic"),
        ("requests", "without a version"),
    ] {
        assert!(
            unknowns
                .iter()
                .any(|u| u["location"] == component
                    && u["reason"].as_str().unwrap_or("").contains(why)),
            "{component} ({why}) in {text}"
        );
    }

    // Not an SBOM at all: the run cannot complete (exit 3) and says why.
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, r#"{"hello": "world"}"#).unwrap();
    let out = scan(&format!("sbom:{}", bad.display()), &db, &report);
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    assert!(stderr(&out).contains("bad.json"), "{}", stderr(&out));
}
