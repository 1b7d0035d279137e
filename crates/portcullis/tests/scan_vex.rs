//! VEX documents through the real CLI on the real python image (SPEC §11):
//! `--vex FILE` and a policy file's `vex` key turn not-affected statements
//! into ignore rules that lift a `--fail-cves` gate, while `affected`
//! statements, statements about other packages and broken documents do
//! not.
//!
//! The CVE is taken from an ungated run of the same image (a CONFIRMED
//! PyPI finding whose CVE only that package carries), so the test checks
//! the gate and the VEX reading, not the matcher.

mod support;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

use serde_json::{json, Value};
use support::{code, fixtures, gate_db, portcullis, stderr, ungated_report, vulndata};

const JUSTIFICATION: &str = "vulnerable_code_not_in_execute_path";

struct Fixture {
    _dir: tempfile::TempDir,
    dir: PathBuf,
    db: PathBuf,
    image: String,
    /// The CVE gated on.
    cve: String,
    /// The purl of the one package carrying it, as reported.
    purl: String,
}

fn fixture() -> Option<&'static Fixture> {
    static F: OnceLock<Option<Fixture>> = OnceLock::new();
    F.get_or_init(|| {
        let (fx, data) = (fixtures()?, vulndata()?);
        let dir = tempfile::tempdir().unwrap();
        let db = gate_db(dir.path(), &data, &[]);
        let image = format!("oci-dir:{}", fx.join("python.oci").display());
        let report_path = dir.path().join("ungated.json");
        let report = ungated_report(&image, &db, &report_path);
        let (cve, purl) = pick(&report).expect("a PyPI CVE carried by one package");
        Some(Fixture {
            dir: dir.path().to_owned(),
            _dir: dir,
            db,
            image,
            cve,
            purl,
        })
    })
    .as_ref()
}

/// The ids of a finding: its id, then its aliases.
fn ids(f: &Value) -> impl Iterator<Item = &str> {
    std::iter::once(&f["id"])
        .chain(f["aliases"].as_array().into_iter().flatten())
        .filter_map(Value::as_str)
}

/// A CVE of a CONFIRMED PyPI finding that no finding of another package
/// carries, and that package's purl.
fn pick(report: &Value) -> Option<(String, String)> {
    let findings = report["images"][0]["findings"].as_array()?;
    findings
        .iter()
        .filter(|f| f["type_detected"] == "CONFIRMED" && f["package"]["ecosystem"] == "pypi")
        .find_map(|f| {
            let cve = ids(f).find(|id| id.starts_with("CVE-"))?;
            let purl = f["package"]["purl"].as_str()?;
            let only_here = findings
                .iter()
                .filter(|g| ids(g).any(|id| id == cve))
                .all(|g| g["package"]["purl"] == purl);
            only_here.then(|| (cve.to_owned(), purl.to_owned()))
        })
}

/// `pkg:pypi/name@1.0?q` → `pkg:pypi/name`.
fn versionless(purl: &str) -> &str {
    purl.split(['@', '?']).next().unwrap()
}

impl Fixture {
    /// A fresh file in the fixture's directory.
    fn file(&self, name: &str, content: &str) -> PathBuf {
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = self
            .dir
            .join(format!("case-{}", N.fetch_add(1, Ordering::Relaxed)));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        std::fs::write(&path, content).unwrap();
        path
    }

    /// A gated scan (`--fail-cves CVE` plus `args`): exit code, native
    /// report, stderr.
    fn gate(&self, args: &[&str]) -> (i32, Value, String) {
        let report = self.file("report.json", "");
        let o = format!("json={}", report.display());
        let mut all = vec![
            "scan",
            self.image.as_str(),
            "--db",
            self.db.to_str().unwrap(),
            "--no-config",
            "-q",
            "-o",
            o.as_str(),
            "--fail-cves",
            self.cve.as_str(),
        ];
        all.extend(args);
        let out = portcullis(&all);
        let value = std::fs::read(&report)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or(Value::Null);
        (code(&out), value, stderr(&out))
    }

    /// The findings carrying the CVE.
    fn targets<'a>(&self, report: &'a Value) -> Vec<&'a Value> {
        let all = report["images"][0]["findings"]
            .as_array()
            .expect("images[0].findings[]");
        let found: Vec<&Value> = all
            .iter()
            .filter(|f| ids(f).any(|id| id == self.cve))
            .collect();
        assert!(!found.is_empty(), "{} is reported", self.cve);
        found
    }

    /// An OpenVEX 0.2.0 document with one statement about the CVE.
    fn openvex(&self, product: &str, status: &str) -> String {
        let mut statement = json!({
            "vulnerability": {"@id": format!("https://nvd.nist.gov/vuln/detail/{}", self.cve),
                              "name": self.cve},
            "products": [{"@id": product}],
            "status": status,
        });
        if status == "not_affected" {
            statement["justification"] = json!(JUSTIFICATION);
            statement["impact_statement"] = json!("The vulnerable function is never called.");
        }
        json!({
            "@context": "https://openvex.dev/ns/v0.2.0",
            "@id": "https://example.com/vex/python-image-1",
            "author": "Platform Security",
            "role": "Document Creator",
            "timestamp": "2026-01-10T10:00:00Z",
            "version": 1,
            "statements": [statement]
        })
        .to_string()
    }
}

#[test]
fn the_gate_fails_without_vex() {
    let Some(f) = fixture() else { return };
    let (c, r, e) = f.gate(&[]);
    assert_eq!(c, 1, "{e}");
    for t in f.targets(&r) {
        assert_eq!(t["verdict"], "blocking", "{t}");
    }
}

#[test]
fn openvex_not_affected_ignores_the_finding_with_its_justification() {
    let Some(f) = fixture() else { return };
    // Version-less, as VEX products often are; and the exact purl.
    for product in [versionless(&f.purl), f.purl.as_str()] {
        let vex = f.file("app.openvex.json", &f.openvex(product, "not_affected"));
        let (c, r, e) = f.gate(&["--vex", vex.to_str().unwrap()]);
        assert_eq!(c, 0, "{product}: {e}");
        for t in f.targets(&r) {
            assert_eq!(t["verdict"], "ignored", "{t}");
            let detail = &t["verdict_detail"];
            let reason = detail["reason"].as_str().unwrap_or_default();
            assert!(reason.contains(JUSTIFICATION), "{detail}");
            assert!(reason.contains("app.openvex.json"), "{detail}");
            assert_eq!(detail["owner"], "Platform Security", "{detail}");
        }
    }
}

#[test]
fn openvex_affected_or_about_another_package_still_fails() {
    let Some(f) = fixture() else { return };
    let cases = [
        (f.openvex(versionless(&f.purl), "affected"), "affected"),
        (
            f.openvex(versionless(&f.purl), "under_investigation"),
            "under_investigation",
        ),
        (
            f.openvex("pkg:pypi/portcullis-no-such-package", "not_affected"),
            "another package",
        ),
        (
            f.openvex(&format!("{}@0.0.0", versionless(&f.purl)), "not_affected"),
            "another version",
        ),
    ];
    for (doc, what) in cases {
        let vex = f.file("app.openvex.json", &doc);
        let (c, r, e) = f.gate(&["--vex", vex.to_str().unwrap()]);
        assert_eq!(c, 1, "{what}: {e}");
        for t in f.targets(&r) {
            assert_eq!(t["verdict"], "blocking", "{what}: {t}");
        }
    }
}

#[test]
fn cyclonedx_vex_not_affected_passes() {
    let Some(f) = fixture() else { return };
    let doc = json!({
        "bomFormat": "CycloneDX",
        "specVersion": "1.5",
        "serialNumber": "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79",
        "version": 1,
        "metadata": {"authors": [{"name": "Product Security"}]},
        "components": [{"type": "library", "bom-ref": "the-package", "name": "x",
                        "purl": f.purl}],
        "vulnerabilities": [{
            "id": f.cve,
            "source": {"name": "NVD"},
            "analysis": {"state": "not_affected", "justification": "code_not_reachable",
                         "detail": "Not reachable from the service."},
            "affects": [{"ref": "the-package"}]
        }]
    });
    let vex = f.file("app.cdx.json", &doc.to_string());
    let (c, r, e) = f.gate(&["--vex", vex.to_str().unwrap()]);
    assert_eq!(c, 0, "{e}");
    for t in f.targets(&r) {
        assert_eq!(t["verdict"], "ignored", "{t}");
        assert_eq!(t["verdict_detail"]["owner"], "Product Security", "{t}");
    }
    // The same document saying `exploitable` suppresses nothing.
    let mut exploitable = doc.clone();
    exploitable["vulnerabilities"][0]["analysis"] = json!({"state": "exploitable"});
    let vex = f.file("app.cdx.json", &exploitable.to_string());
    let (c, _, e) = f.gate(&["--vex", vex.to_str().unwrap()]);
    assert_eq!(c, 1, "{e}");
}

#[test]
fn a_policy_file_names_vex_documents_relative_to_itself() {
    let Some(f) = fixture() else { return };
    let vex = f.file("app.openvex.json", &f.openvex(&f.purl, "not_affected"));
    let dir = vex.parent().unwrap();
    let policy = dir.join("portcullis.toml");
    std::fs::write(&policy, "vex = [\"app.openvex.json\"]\n").unwrap();
    let (c, _, e) = f.gate(&["--policy", policy.to_str().unwrap()]);
    assert_eq!(c, 0, "{e}");
}

#[test]
fn a_malformed_vex_document_is_a_configuration_error_naming_it() {
    let Some(f) = fixture() else { return };
    let cases: [(&str, &str); 3] = [
        (
            "truncated.openvex.json",
            "{\"@context\": \"https://openvex.dev/ns/v0.2.0\",",
        ),
        ("not-vex.json", "{\"hello\": \"world\"}"),
        (
            "bad-status.openvex.json",
            r#"{"@context": "https://openvex.dev/ns/v0.2.0", "statements": [
                {"vulnerability": {"name": "CVE-2024-0001"}, "status": "maybe"}]}"#,
        ),
    ];
    for (name, text) in cases {
        let vex = f.file(name, text);
        let (c, _, e) = f.gate(&["--vex", vex.to_str().unwrap()]);
        assert_eq!(c, 2, "{name}: {e}");
        assert!(e.contains(name), "{name}: {e}");
    }
    let missing: &Path = Path::new("no-such-vex-document.json");
    let (c, _, e) = f.gate(&["--vex", missing.to_str().unwrap()]);
    assert_eq!(c, 2, "{e}");
    assert!(e.contains("no-such-vex-document.json"), "{e}");
}
