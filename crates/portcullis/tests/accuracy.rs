//! Accuracy on the real test images (tests/images/build.sh), against
//! independent oracles: the distro's own tools run over the unpacked rootfs
//! (dpkg-query, pip), never our own code.

mod support;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use serde_json::Value;
use support::{code, fixtures, portcullis, stderr};

fn sbom(reference: &str) -> Value {
    let out = portcullis(&["sbom", reference, "-q", "-o", "json"]);
    assert_eq!(code(&out), 0, "{reference}: {}", stderr(&out));
    serde_json::from_slice(&out.stdout).expect("sbom -o json is JSON")
}

fn packages(doc: &Value, ecosystem: &str) -> Vec<Value> {
    doc["packages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["ecosystem"] == ecosystem)
        .cloned()
        .collect()
}

/// (name, version) of the packages of one ecosystem.
fn name_versions(doc: &Value, ecosystem: &str) -> BTreeSet<(String, String)> {
    packages(doc, ecosystem)
        .iter()
        .map(|p| {
            (
                p["name"].as_str().unwrap().to_owned(),
                p["version"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn oracle(cmd: &mut Command) -> String {
    let out = cmd.output().expect("run oracle");
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// `dpkg-query` over the image's rootfs: (name, version, source, source version).
fn dpkg_oracle(rootfs: &Path) -> BTreeSet<(String, String, String, String)> {
    let text = oracle(Command::new("dpkg-query").arg(format!("--admindir={}", rootfs.join("var/lib/dpkg").display())).args([
        "-W",
        "-f",
        "${Package}\t${Version}\t${source:Package}\t${source:Version}\t${db:Status-Status}\n",
    ]));
    text.lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            let on_disk = [
                "installed",
                "half-installed",
                "unpacked",
                "half-configured",
                "triggers-awaited",
                "triggers-pending",
            ];
            on_disk
                .contains(&f[4])
                .then(|| (f[0].into(), f[1].into(), f[2].into(), f[3].into()))
        })
        .collect()
}

fn deb_set(doc: &Value) -> BTreeSet<(String, String, String, String)> {
    packages(doc, "deb")
        .iter()
        .map(|p| {
            let s = |k: &str| p[k].as_str().unwrap_or_default().to_owned();
            (
                s("name"),
                s("version"),
                s("source_name"),
                s("source_version"),
            )
        })
        .collect()
}

#[test]
fn dpkg_packages_equal_dpkg_query() {
    let Some(f) = fixtures() else { return };
    for image in ["debian-base", "python", "node", "apps"] {
        let doc = sbom(&format!(
            "oci-dir:{}",
            f.join(format!("{image}.oci")).display()
        ));
        let expected = dpkg_oracle(&f.join(format!("{image}.rootfs")));
        assert!(
            expected.len() > 80,
            "{image}: oracle found only {}",
            expected.len()
        );
        assert_eq!(deb_set(&doc), expected, "{image}");
        assert_eq!(
            packages(&doc, "deb").len(),
            expected.len(),
            "{image}: duplicates"
        );
        assert_eq!(doc["distro"]["id"], "debian");
        assert_eq!(doc["distro"]["version_id"], "12");
    }
}

fn pep503(name: &str) -> String {
    let mut out = String::new();
    for part in name
        .to_lowercase()
        .split(['-', '_', '.'])
        .filter(|p| !p.is_empty())
    {
        if !out.is_empty() {
            out.push('-');
        }
        out.push_str(part);
    }
    out
}

#[test]
fn python_packages_equal_pip_list() {
    let Some(f) = fixtures() else { return };
    let rootfs = f.join("python.rootfs");
    // Every folder of the rootfs that holds distribution metadata.
    let dirs = oracle(Command::new("find").arg(&rootfs).args([
        "-name",
        "*.dist-info",
        "-o",
        "-name",
        "*.egg-info",
    ]));
    let mut site: BTreeSet<String> = dirs
        .lines()
        .filter_map(|l| Path::new(l).parent())
        .map(|p| p.display().to_string())
        .collect();
    assert!(site.len() >= 2, "{site:?}");
    let mut pip = Command::new("python3");
    pip.args([
        "-m",
        "pip",
        "list",
        "--format",
        "json",
        "--disable-pip-version-check",
    ]);
    for d in std::mem::take(&mut site) {
        pip.args(["--path", &d]);
    }
    let listed: Vec<Value> = serde_json::from_str(&oracle(&mut pip)).unwrap();
    let expected: BTreeSet<(String, String)> = listed
        .iter()
        .map(|p| {
            (
                pep503(p["name"].as_str().unwrap()),
                p["version"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let doc = sbom(&format!("oci-dir:{}", f.join("python.oci").display()));
    let got = name_versions(&doc, "pypi");
    assert_eq!(got, expected);
    assert!(
        got.contains(&("requests".into(), "2.19.1".into()))
            && got.contains(&("pyyaml".into(), "5.3".into()))
    );
}

#[test]
fn npm_packages_equal_the_manifests_on_disk() {
    let Some(f) = fixtures() else { return };
    let walk = r#"
import json, os, sys
for base, dirs, files in os.walk(sys.argv[1]):
    if "package.json" in files:
        try:
            d = json.load(open(os.path.join(base, "package.json")))
        except Exception:
            continue
        if isinstance(d.get("name"), str) and isinstance(d.get("version"), str) and d["name"].strip() and d["version"].strip():
            print(d["name"].strip() + "\t" + d["version"].strip() + "\t" + os.path.relpath(base, sys.argv[1]))
"#;
    let text = oracle(
        Command::new("python3")
            .args(["-c", walk])
            .arg(f.join("node.rootfs")),
    );
    let expected: BTreeSet<(String, String, String)> = text
        .lines()
        .map(|l| {
            let v: Vec<&str> = l.split('\t').collect();
            (
                v[0].to_owned(),
                v[1].to_owned(),
                format!("/{}/package.json", v[2]),
            )
        })
        .collect();
    let doc = sbom(&format!("oci-dir:{}", f.join("node.oci").display()));
    let got: BTreeSet<(String, String, String)> = packages(&doc, "npm")
        .iter()
        .map(|p| {
            (
                p["name"].as_str().unwrap().to_owned(),
                p["version"].as_str().unwrap().to_owned(),
                p["locations"][0].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(got, expected);
    assert!(got.iter().any(|(n, v, _)| n == "lodash" && v == "4.17.15"));
}

#[test]
fn purged_package_is_absent_and_layers_are_attributed() {
    let Some(f) = fixtures() else { return };
    let base = sbom(&format!("oci-dir:{}", f.join("debian-base.oci").display()));
    let node = sbom(&format!("oci-dir:{}", f.join("node.oci").display()));
    let has = |doc: &Value, name: &str| packages(doc, "deb").iter().any(|p| p["name"] == name);
    assert!(has(&base, "tzdata"), "tzdata is in the base image");
    assert!(
        !has(&node, "tzdata"),
        "tzdata was purged in the node image's top layer"
    );
    let layers: Vec<String> = node["image"]["layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["diff_id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(layers.len(), 2);
    let layer_of = |name: &str| {
        packages(&node, "deb")
            .into_iter()
            .find(|p| p["name"] == name)
            .map(|p| p["layer"].as_str().unwrap().to_owned())
            .unwrap()
    };
    assert_eq!(layer_of("bash"), layers[0]);
    assert_eq!(layer_of("nodejs"), layers[1]);
    for p in packages(&node, "npm")
        .iter()
        .filter(|p| p["locations"][0].as_str().unwrap().starts_with("/app/"))
    {
        assert_eq!(p["layer"], layers[1].as_str(), "{p}");
    }
}

/// Everything but the parts of the document that name the source.
fn comparable(mut doc: Value) -> Value {
    let image = doc["image"].as_object_mut().unwrap();
    for k in [
        "reference",
        "source",
        "manifest_digest",
        "repo_tags",
        "repo_digests",
        "total_size",
    ] {
        image.remove(k);
    }
    for layer in image["layers"].as_array_mut().unwrap() {
        let l = layer.as_object_mut().unwrap();
        for k in ["digest", "size", "media_type"] {
            l.remove(k);
        }
    }
    doc.as_object_mut().unwrap().remove("created");
    doc
}

#[test]
fn every_local_source_gives_the_same_inventory() {
    let Some(f) = fixtures() else { return };
    for image in ["python", "node"] {
        let p = |suffix: &str| f.join(format!("{image}{suffix}")).display().to_string();
        let reference = comparable(sbom(&format!("oci-dir:{}", p(".oci"))));
        for other in [
            format!("oci-archive:{}", p(".oci.tar")),
            format!("docker-archive:{}", p(".docker.tar")),
            format!("docker-archive:{}", p(".docker.tar.gz")),
            p(".oci"),
        ] {
            let doc = comparable(sbom(&other));
            assert_eq!(
                doc["image"]["config_digest"], reference["image"]["config_digest"],
                "{other}"
            );
            assert_eq!(doc["packages"], reference["packages"], "{other}");
            assert_eq!(
                doc["image"]["layers"], reference["image"]["layers"],
                "{other}"
            );
        }
    }
}

#[test]
fn rootfs_source_reads_an_unpacked_tree() {
    let Some(f) = fixtures() else { return };
    let rootfs = f.join("debian-base.rootfs");
    let doc = sbom(&format!("dir:{}", rootfs.display()));
    assert_eq!(deb_set(&doc), dpkg_oracle(&rootfs));
}

/// A registry started with tests/images/registry.sh, stopped on drop.
struct Registry {
    dir: tempfile::TempDir,
    address: String,
}

impl Registry {
    fn script() -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/images/registry.sh")
    }

    fn start(fixtures: &Path) -> Registry {
        let dir = tempfile::tempdir().unwrap();
        let out = Command::new("bash")
            .arg(Self::script())
            .arg("start")
            .arg(dir.path())
            .env("PORTCULLIS_FIXTURES", fixtures)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "registry.sh: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let address = String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .last()
            .unwrap()
            .trim()
            .to_owned();
        Registry { dir, address }
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = Command::new("bash")
            .arg(Self::script())
            .arg("stop")
            .arg(self.dir.path())
            .output();
    }
}

#[test]
fn docker_engine_and_registry_give_the_same_inventory() {
    let Some(f) = fixtures() else { return };
    let registry = Registry::start(&f);
    for image in ["python", "node"] {
        let reference = comparable(sbom(&format!(
            "oci-dir:{}",
            f.join(format!("{image}.oci")).display()
        )));
        for other in [
            format!("docker:portcullis-fixture/{image}:latest"),
            format!("registry:{}/fixture/{image}:latest", registry.address),
        ] {
            let doc = comparable(sbom(&other));
            assert_eq!(
                doc["image"]["config_digest"], reference["image"]["config_digest"],
                "{other}"
            );
            assert_eq!(doc["packages"], reference["packages"], "{other}");
            assert_eq!(doc["distro"], reference["distro"], "{other}");
        }
    }
}

/// `rpm -qa` over a copy of the image's rpmdb (rpm writes lock and WAL files
/// next to a database it opens, so the cached rootfs is not touched).
fn rpm_oracle(db_dir: &Path, backend: &str) -> BTreeSet<(String, String, String)> {
    let copy = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(db_dir).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), copy.path().join(entry.file_name())).unwrap();
    }
    let text = oracle(
        Command::new("rpm")
            .arg("--define")
            .arg(format!("_db_backend {backend}"))
            .arg("--dbpath")
            .arg(copy.path())
            .args(["-qa", "--qf", "%{NAME}\t%{EVR}\t%{SOURCERPM}\n"]),
    );
    text.lines()
        .filter(|l| !l.starts_with("gpg-pubkey"))
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            (f[0].to_owned(), f[1].to_owned(), f[2].to_owned())
        })
        .collect()
}

fn rpm_set(doc: &Value) -> BTreeSet<(String, String, String)> {
    packages(doc, "rpm")
        .iter()
        .map(|p| {
            let s = |k: &str| p[k].as_str().unwrap_or_default().to_owned();
            // The source rpm file name is NAME-VERSION-RELEASE.src.rpm, no epoch.
            let source_version = s("source_version");
            let source_version = source_version
                .split_once(':')
                .map_or(source_version.as_str(), |(_, v)| v);
            (
                s("name"),
                s("version"),
                format!("{}-{source_version}.src.rpm", s("source_name")),
            )
        })
        .collect()
}

#[test]
fn rpm_packages_equal_rpm_query() {
    let Some(f) = fixtures() else { return };
    for (image, backend) in [("rpm", "sqlite"), ("rpm-bdb", "bdb_ro")] {
        let doc = sbom(&format!(
            "oci-dir:{}",
            f.join(format!("{image}.oci")).display()
        ));
        let expected = rpm_oracle(&f.join(format!("{image}.rootfs/var/lib/rpm")), backend);
        assert!(expected.len() >= 4, "{image}: oracle found {expected:?}");
        assert_eq!(rpm_set(&doc), expected, "{image}");
        assert_eq!(
            packages(&doc, "rpm").len(),
            expected.len(),
            "{image}: each package once"
        );
        // The Debian packages of the same image are still all there.
        assert_eq!(
            deb_set(&doc),
            dpkg_oracle(&f.join(format!("{image}.rootfs"))),
            "{image}"
        );
    }
}

#[test]
fn apk_packages_equal_the_installed_database() {
    let Some(f) = fixtures() else { return };
    // Independent reading of the apk-tools database format with awk.
    let text = oracle(Command::new("awk").args([
        "-F:",
        r#"/^P:/{p=substr($0,3)} /^V:/{v=substr($0,3)} /^o:/{o=substr($0,3)} /^$/{if(p!="")print p"\t"v"\t"(o==""?p:o); p="";v="";o=""} END{if(p!="")print p"\t"v"\t"(o==""?p:o)}"#,
    ]).arg(f.join("apk.rootfs/lib/apk/db/installed")));
    let expected: BTreeSet<(String, String, String)> = text
        .lines()
        .map(|l| {
            let v: Vec<&str> = l.split('\t').collect();
            (v[0].to_owned(), v[1].to_owned(), v[2].to_owned())
        })
        .collect();
    let doc = sbom(&format!("oci-dir:{}", f.join("apk.oci").display()));
    let got: BTreeSet<(String, String, String)> = packages(&doc, "apk")
        .iter()
        .map(|p| {
            (
                p["name"].as_str().unwrap().to_owned(),
                p["version"].as_str().unwrap().to_owned(),
                p["source_name"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert!(expected.len() >= 5);
    assert_eq!(got, expected);
    assert_eq!(doc["distro"]["id"], "alpine");
}

#[test]
fn go_modules_equal_go_version_m() {
    let Some(f) = fixtures() else { return };
    let binary = f.join("apps.rootfs/usr/local/bin/gohello");
    let text = oracle(Command::new("go").arg("version").arg("-m").arg(&binary));
    let go_version = text
        .lines()
        .next()
        .unwrap()
        .rsplit(' ')
        .next()
        .unwrap()
        .trim_start_matches("go")
        .to_owned();
    let deps: BTreeSet<(String, String)> = text
        .lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            (f.first() == Some(&"dep")).then(|| (f[1].to_owned(), f[2].to_owned()))
        })
        .collect();
    assert!(!deps.is_empty(), "{text}");
    let doc = sbom(&format!("oci-dir:{}", f.join("apps.oci").display()));
    let go = packages(&doc, "go");
    let got = name_versions(&doc, "go");
    for dep in &deps {
        assert!(got.contains(dep), "missing {dep:?} in {got:?}");
    }
    let stdlib = go
        .iter()
        .find(|p| p["name"] == "stdlib")
        .expect("stdlib reported");
    assert_eq!(
        stdlib["version"].as_str().unwrap().trim_start_matches('v'),
        go_version
    );
    assert!(go
        .iter()
        .all(|p| p["locations"][0] == "/usr/local/bin/gohello"));
}

/// Maven coordinates of every pom.properties in a jar and, recursively, in
/// the jars it nests, read with `unzip`.
fn pom_coordinates(jar: &Path, out: &mut BTreeSet<(String, String)>) {
    let listing = oracle(Command::new("unzip").arg("-Z1").arg(jar));
    for member in listing.lines() {
        if member.starts_with("META-INF/maven/") && member.ends_with("/pom.properties") {
            let props = oracle(Command::new("unzip").arg("-p").arg(jar).arg(member));
            let get = |k: &str| {
                props
                    .lines()
                    .find_map(|l| l.strip_prefix(&format!("{k}=")))
                    .unwrap()
                    .trim()
                    .to_owned()
            };
            out.insert((
                format!("{}:{}", get("groupId"), get("artifactId")),
                get("version"),
            ));
        } else if member.ends_with(".jar") {
            let dir = tempfile::tempdir().unwrap();
            oracle(
                Command::new("unzip")
                    .arg("-q")
                    .arg(jar)
                    .arg(member)
                    .arg("-d")
                    .arg(dir.path()),
            );
            pom_coordinates(&dir.path().join(member), out);
        }
    }
}

#[test]
fn java_coordinates_equal_the_pom_properties() {
    let Some(f) = fixtures() else { return };
    let rootfs = f.join("apps.rootfs");
    let jars = oracle(
        Command::new("find")
            .arg(&rootfs)
            .args(["-name", "*.jar", "-type", "f"]),
    );
    let mut expected = BTreeSet::new();
    for jar in jars.lines() {
        pom_coordinates(Path::new(jar), &mut expected);
    }
    assert!(expected.len() >= 2, "{expected:?}");
    let doc = sbom(&format!("oci-dir:{}", f.join("apps.oci").display()));
    let got = name_versions(&doc, "maven");
    assert_eq!(got, expected);
}
