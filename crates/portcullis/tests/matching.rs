//! Acceptance of the matcher on the real test images and the real advisory
//! corpus (issue 3). Expected sets come from the advisory records through
//! independent oracles (Python's `packaging`, dpkg), never from our code.

mod support;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use portcullis_db::Db;
use portcullis_match::match_inventory;
use portcullis_types::{Ecosystem, Inventory};
use support::{db_import, fixtures, inventory, vulndata};

fn findings(db: &Path, inventory: &Inventory) -> Vec<portcullis_match::Finding> {
    let db = Db::open(db).unwrap();
    match_inventory(&db, inventory).unwrap().findings
}

#[test]
fn pypa_advisories_match_exactly_the_pip_installed_versions() {
    let (Some(fx), Some(data)) = (fixtures(), vulndata()) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("v.db");
    db_import(&db, &[data.join("pypa")]);
    let image = format!("oci-dir:{}", fx.join("python.oci").display());
    let inv = inventory(&image);

    let oracle = Command::new("python3")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/oracles/pypa_expected.py"))
        .arg(fx.join("python.rootfs"))
        .arg(data.join("pypa"))
        .output()
        .expect("python3 with packaging and PyYAML (installed by .ci/run)");
    assert!(
        oracle.status.success(),
        "{}",
        String::from_utf8_lossy(&oracle.stderr)
    );
    let expected: BTreeSet<(String, String, String)> =
        serde_json::from_slice::<Vec<(String, String, String)>>(&oracle.stdout)
            .unwrap()
            .into_iter()
            .collect();

    let found = findings(&db, &inv);
    let actual: BTreeSet<(String, String, String)> = found
        .iter()
        .filter(|f| f.package.ecosystem == Ecosystem::Pypi)
        .flat_map(|f| {
            f.evidence.iter().map(|e| {
                (
                    f.package.name.clone(),
                    f.package.version.clone(),
                    e.advisory.clone(),
                )
            })
        })
        .collect();
    let missing: Vec<_> = expected.difference(&actual).collect();
    let extra: Vec<_> = actual.difference(&expected).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "missing {missing:?}\nextra {extra:?}"
    );
    // The data README counts 46 including Debian's pip; pip is a Debian
    // package here and is left to Debian's data.
    assert_eq!(expected.len(), 45, "the oracle agrees with the data README");
    assert!(found.iter().all(|f| f.package.name != "pip"));
    // Every PyPA finding is confirmed, carries its fix and its layer.
    for f in found
        .iter()
        .filter(|f| f.package.ecosystem == Ecosystem::Pypi)
    {
        assert_eq!(
            f.type_detected,
            portcullis_match::TypeDetected::Confirmed,
            "{}",
            f.id
        );
        assert!(f.layer.is_some(), "{}", f.id);
        assert!(f
            .evidence
            .iter()
            .all(|e| e.namespace == "pypi" && e.comparator == "pep440"));
    }
}

/// (source package, source version) of every installed dpkg package, by
/// `dpkg-query` over the image's own status file.
fn dpkg_sources(rootfs: &Path) -> BTreeSet<(String, String)> {
    let out = Command::new("dpkg-query")
        .arg(format!(
            "--admindir={}",
            rootfs.join("var/lib/dpkg").display()
        ))
        .args([
            "-W",
            "-f",
            "${source:Package}\t${source:Version}\t${db:Status-Status}\n",
        ])
        .output()
        .expect("dpkg-query");
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            (f.len() == 3 && f[2] == "installed").then(|| (f[0].to_owned(), f[1].to_owned()))
        })
        .collect()
}

fn dpkg_lt(a: &str, b: &str) -> bool {
    Command::new("dpkg")
        .args(["--compare-versions", a, "lt", b])
        .status()
        .expect("dpkg")
        .success()
}

#[test]
fn debian_derived_cves_are_reported_for_bookworm_sources_only() {
    let (Some(fx), Some(data)) = (fixtures(), vulndata()) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("v.db");
    // Debian 12 data plus the tracker's bullseye/buster lists for the same
    // packages: only the former may apply to a Debian 12 image.
    db_import(
        &db,
        &[
            data.join("debian-derived"),
            data.join("debian/security-tracker"),
            data.join("debian/vuln-list-debian"),
        ],
    );
    let records: serde_json::Value = serde_json::from_slice(
        &std::fs::read(
            std::fs::read_dir(data.join("debian-derived"))
                .unwrap()
                .find_map(|e| {
                    let p = e.unwrap().path();
                    (p.extension().is_some_and(|x| x == "json")).then_some(p)
                })
                .unwrap(),
        )
        .unwrap(),
    )
    .unwrap();
    let mut checked = 0;
    for name in ["debian-base", "python", "node"] {
        let sources = dpkg_sources(&fx.join(format!("{name}.rootfs")));
        let inv = inventory(&format!(
            "oci-dir:{}",
            fx.join(format!("{name}.oci")).display()
        ));
        let found = findings(&db, &inv);
        // Expected: every CVE of every changelog entry whose fix is newer than
        // the installed source version (dpkg decides), for that source.
        let mut expected = BTreeSet::new();
        for entry in records.as_array().unwrap() {
            let source = entry["source"].as_str().unwrap();
            let fixed = entry["fixed_version"].as_str().unwrap();
            for (s, v) in sources.iter().filter(|(s, _)| s == source) {
                if dpkg_lt(v, fixed) {
                    for cve in entry["cves"].as_array().unwrap() {
                        expected.insert((s.clone(), cve.as_str().unwrap().to_owned()));
                    }
                }
            }
        }
        let actual: BTreeSet<(String, String)> = found
            .iter()
            .filter(|f| f.package.ecosystem == Ecosystem::Deb)
            .flat_map(|f| {
                let source = f.package.source_name.clone().unwrap_or_default();
                f.ids()
                    .map(move |i| (source.clone(), i.to_owned()))
                    .collect::<Vec<_>>()
            })
            .collect();
        let missing: Vec<_> = expected.difference(&actual).collect();
        assert!(missing.is_empty(), "{name}: missing {missing:?}");
        checked += expected.len();
        for f in &found {
            for e in &f.evidence {
                assert_eq!(
                    e.namespace, "debian:12",
                    "{name}: {} matched through {}",
                    f.id, e.namespace
                );
            }
        }
    }
    assert!(
        checked > 0,
        "the images carry packages the derived data concerns"
    );
}

#[test]
fn upstream_advisories_never_apply_to_distro_packaged_components() {
    let (Some(fx), Some(data)) = (fixtures(), vulndata()) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("v.db");
    db_import(
        &db,
        &[
            data.join("nodejs-security-wg"),
            data.join("pypa"),
            data.join("ghsa"),
        ],
    );
    let inv = inventory(&format!("oci-dir:{}", fx.join("node.oci").display()));
    let nodejs = inv
        .packages
        .iter()
        .find(|p| p.ecosystem == Ecosystem::Deb && p.name == "nodejs");
    assert!(nodejs.is_some(), "the node image has Debian's nodejs");
    let found = findings(&db, &inv);
    assert!(
        !found.is_empty(),
        "the /app npm packages do match (lodash, minimist)"
    );
    for f in &found {
        assert_ne!(
            f.package.ecosystem,
            Ecosystem::Deb,
            "{} on a Debian package from upstream data",
            f.id
        );
        for e in &f.evidence {
            assert_ne!(
                e.namespace, "nodejs-core",
                "{}: Node.js core advisory applied",
                f.id
            );
        }
        assert!(
            f.package.locations.iter().all(|l| l.starts_with("/app/")),
            "{} matched {} at {:?}, which Debian installed",
            f.id,
            f.package.name,
            f.package.locations
        );
    }
    let lodash: Vec<_> = found
        .iter()
        .filter(|f| f.package.name == "lodash")
        .collect();
    assert!(lodash
        .iter()
        .any(|f| f.ids().any(|i| i == "GHSA-p6mc-m468-83gw")));
}
