//! Ownership by file overlap on the real test images, against dpkg's own
//! answer: `dpkg-query -S PATH` over the image's unpacked rootfs names the
//! package whose file list holds PATH. A language package is `owned_by`
//! exactly the deb package dpkg names for its location, or by none when
//! dpkg names none.

mod support;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use serde_json::Value;
use support::{code, fixtures, portcullis, stderr};

fn sbom(reference: &str) -> Value {
    let out = portcullis(&["sbom", reference, "-q", "-o", "json"]);
    assert_eq!(code(&out), 0, "{reference}: {}", stderr(&out));
    serde_json::from_slice(&out.stdout).expect("sbom -o json is JSON")
}

/// `dpkg-query -S` for every path at once: path → the owning packages
/// (architecture qualifiers dropped). Paths no package lists are absent.
fn dpkg_owners(rootfs: &Path, paths: &[&str]) -> BTreeMap<String, Vec<String>> {
    let out = Command::new("dpkg-query")
        .arg(format!(
            "--admindir={}",
            rootfs.join("var/lib/dpkg").display()
        ))
        .arg("-S")
        .args(paths)
        .output()
        .expect("run dpkg-query");
    // 1: some path had no owner (reported on stderr), which is an answer too.
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "dpkg-query -S: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut owners = BTreeMap::new();
    for line in String::from_utf8(out.stdout).unwrap().lines() {
        if line.starts_with("diversion by ") {
            continue;
        }
        // `pkg1, pkg2:amd64: /path` (no package name contains ": ").
        let (packages, path) = line.split_once(": ").expect("dpkg-query -S line");
        let packages = packages
            .split(", ")
            .map(|p| p.split(':').next().unwrap_or(p).to_owned())
            .collect();
        owners.insert(path.to_owned(), packages);
    }
    owners
}

/// (ecosystem, name, version, location) → owned_by, for language packages.
type Marks = BTreeMap<(String, String, String, String), Option<String>>;

fn check_image(fixtures: &Path, image: &str) -> Marks {
    let doc = sbom(&format!(
        "oci-dir:{}",
        fixtures.join(format!("{image}.oci")).display()
    ));
    let language: Vec<&Value> = doc["packages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| !["deb", "apk", "rpm"].contains(&p["ecosystem"].as_str().unwrap()))
        .collect();
    let s = |v: &Value| v.as_str().unwrap().to_owned();
    let mut ours = Marks::new();
    let mut paths = Vec::new();
    for p in &language {
        let locations = p["locations"].as_array().unwrap();
        assert_eq!(locations.len(), 1, "{p}");
        paths.push(locations[0].as_str().unwrap());
        let key = (
            s(&p["ecosystem"]),
            s(&p["name"]),
            s(&p["version"]),
            s(&locations[0]),
        );
        ours.insert(key, p["owned_by"].as_str().map(str::to_owned));
    }
    let dpkg = dpkg_owners(&fixtures.join(format!("{image}.rootfs")), &paths);
    let expected: Marks = ours
        .keys()
        .map(|key| {
            // Of several claimants, the smallest name (as portcullis picks).
            let owner = dpkg.get(&key.3).and_then(|o| o.iter().min());
            (key.clone(), owner.map(|o| format!("deb:{o}")))
        })
        .collect();
    assert_eq!(ours, expected, "{image}: owned_by vs dpkg-query -S");
    ours
}

fn owned<'a>(marks: &'a Marks, ecosystem: &str) -> BTreeMap<&'a str, Option<&'a str>> {
    marks
        .iter()
        .filter(|(k, _)| k.0 == ecosystem)
        .map(|(k, v)| (k.1.as_str(), v.as_deref()))
        .collect()
}

#[test]
fn debian_python_packages_are_owned_and_pip_installed_ones_not() {
    let Some(f) = fixtures() else { return };
    let marks = check_image(&f, "python");
    let pypi = owned(&marks, "pypi");
    assert_eq!(pypi["pip"], Some("deb:python3-pip"));
    assert_eq!(pypi["setuptools"], Some("deb:python3-setuptools"));
    assert_eq!(pypi["wheel"], Some("deb:python3-wheel"));
    for name in ["requests", "urllib3", "django", "pyyaml", "jinja2"] {
        assert_eq!(pypi[name], None, "{name} was installed by pip");
    }
    assert_eq!(pypi.values().filter(|o| o.is_some()).count(), 3, "{pypi:?}");
}

#[test]
fn debian_node_modules_are_owned_and_the_app_ones_not() {
    let Some(f) = fixtures() else { return };
    let marks = check_image(&f, "node");
    let mut debian = 0;
    for ((_, name, _, location), owner) in &marks {
        if location.starts_with("/usr/share/nodejs/") {
            assert!(
                owner.as_deref().is_some_and(|o| o.starts_with("deb:")),
                "{name}"
            );
            debian += 1;
        } else {
            assert!(location.starts_with("/app/"), "{location}");
            assert_eq!(*owner, None, "{location}");
        }
    }
    assert!(debian >= 20, "Debian node-* modules: {debian}");
    let npm = owned(&marks, "npm");
    assert_eq!(npm["acorn"], Some("deb:node-acorn"));
    assert_eq!(npm["undici"], Some("deb:node-undici"));
}

#[test]
fn images_without_distro_language_packages_own_nothing() {
    let Some(f) = fixtures() else { return };
    for image in ["apps", "rpm", "rpm-bdb", "apk"] {
        let doc = sbom(&format!(
            "oci-dir:{}",
            f.join(format!("{image}.oci")).display()
        ));
        for p in doc["packages"].as_array().unwrap() {
            assert!(p["owned_by"].is_null(), "{image}: {p}");
        }
    }
}
