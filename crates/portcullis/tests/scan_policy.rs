//! The CI gate through the real CLI on a real test image (issue 4): one
//! table of conditions and boundaries, each checked by exit code and by the
//! `summary-json` fields a pipeline reads.
//!
//! The thresholds are derived from an ungated run of the same image (the
//! native JSON report): what is tested here is the gate's arithmetic at
//! its boundaries (N passes, N+1 fails; a score equal to the threshold
//! fails), not the matcher, which `matching.rs` checks against oracles.

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde_json::Value;
use support::{
    code, db_import, fixtures, gate_db, portcullis, regex_escape, stderr, ungated_report, vulndata,
};

/// An OSV record (schema 1.6) for the image's Django, known by two CVEs,
/// rated critical by its CVSS v3.1 vector (9.8).
const TWO_CVES: &str = r#"{
  "schema_version": "1.6.0",
  "id": "PORTCULLIS-TEST-0001",
  "modified": "2026-01-01T00:00:00Z",
  "published": "2026-01-01T00:00:00Z",
  "aliases": ["CVE-2099-0001", "CVE-2099-0002"],
  "summary": "Test advisory known by two CVEs",
  "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],
  "affected": [{
    "package": {"ecosystem": "PyPI", "name": "django"},
    "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "99.0"}]}]
  }]
}
"#;

/// An OSV record with no range at all: whether the installed version is
/// affected cannot be decided, so the finding is POTENTIAL (SPEC §4).
const POTENTIAL: &str = r#"{
  "schema_version": "1.6.0",
  "id": "PORTCULLIS-TEST-0002",
  "modified": "2026-01-01T00:00:00Z",
  "aliases": ["CVE-2099-0003"],
  "summary": "Test advisory without ranges",
  "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:N"}],
  "affected": [{"package": {"ecosystem": "PyPI", "name": "sqlparse"}}]
}
"#;

struct Fixture {
    _dir: tempfile::TempDir,
    dir: PathBuf,
    db: PathBuf,
    /// DB without NVD scores (for the max-mode evaluation error).
    db_unscored: PathBuf,
    image: String,
    /// The ungated native report.
    report: Value,
    report_path: PathBuf,
}

fn fixture() -> Option<&'static Fixture> {
    static F: OnceLock<Option<Fixture>> = OnceLock::new();
    F.get_or_init(|| {
        let (fx, data) = (fixtures()?, vulndata()?);
        let dir = tempfile::tempdir().unwrap();
        // The corpus has no finding for these images known by two CVEs;
        // one OSV record in the published format supplies it.
        let extra = dir.path().join("extra");
        std::fs::create_dir(&extra).unwrap();
        std::fs::write(extra.join("two-cves.json"), TWO_CVES).unwrap();
        std::fs::write(extra.join("potential.json"), POTENTIAL).unwrap();
        let db = gate_db(dir.path(), &data, &[extra]);
        let db_unscored = dir.path().join("unscored.db");
        db_import(&db_unscored, &[data.join("pypa")]);
        let image = format!("oci-dir:{}", fx.join("python.oci").display());
        let report_path = dir.path().join("base.json");
        let report = ungated_report(&image, &db, &report_path);
        Some(Fixture {
            dir: dir.path().to_owned(),
            _dir: dir,
            db,
            db_unscored,
            image,
            report,
            report_path,
        })
    })
    .as_ref()
}

impl Fixture {
    fn findings(&self) -> &Vec<Value> {
        self.report["images"][0]["findings"]
            .as_array()
            .expect("images[0].findings[]")
    }

    fn confirmed(&self) -> impl Iterator<Item = &Value> {
        self.findings()
            .iter()
            .filter(|f| f["type_detected"] == "CONFIRMED")
    }

    /// CONFIRMED findings per severity level.
    fn counts(&self) -> BTreeMap<u64, u64> {
        let mut c = BTreeMap::new();
        for f in self.confirmed() {
            *c.entry(f["severity"].as_u64().unwrap()).or_default() += 1;
        }
        c
    }

    /// Runs a gated scan; returns the exit code, the summary and stderr.
    fn scan(&self, db: &Path, args: &[&str]) -> (i32, Value, String) {
        let summary = self.dir.join(format!(
            "summary-{}.json",
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos()
        ));
        let mut all = vec![
            "scan",
            self.image.as_str(),
            "--db",
            db.to_str().unwrap(),
            "--no-config",
            "-q",
        ];
        let o = format!("summary-json={}", summary.display());
        all.extend(["-o", o.as_str()]);
        all.extend(args);
        let out = portcullis(&all);
        let value = std::fs::read(&summary)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or(Value::Null);
        (code(&out), value, stderr(&out))
    }

    fn gate(&self, args: &[&str]) -> (i32, Value, String) {
        self.scan(&self.db, args)
    }
}

/// The one image's result object in `summary-json`.
fn result(summary: &Value) -> &Value {
    let results = summary["scanResult"].as_object().expect("scanResult{}");
    assert_eq!(results.len(), 1, "one image: {summary}");
    results.values().next().unwrap()
}

#[test]
fn severity_counts_fail_strictly_above_the_limit() {
    let Some(f) = fixture() else { return };
    let counts = f.counts();
    assert!(!counts.is_empty(), "the python image has findings");
    for (&level, &n) in &counts {
        let at = format!("{level}={n}");
        let (c, s, e) = f.gate(&["--fail-severity", &at]);
        assert_eq!(c, 0, "count == limit passes ({at}): {e}");
        let sev = &result(&s)["severities"][level.to_string()];
        assert_eq!(sev["configured"], n, "{sev}");
        assert_eq!(sev["found"], n, "{sev}");
        assert_eq!(sev["result"], true, "{sev}");

        let below = format!("{level}={}", n - 1);
        let (c, s, e) = f.gate(&["--fail-severity", &below]);
        assert_eq!(c, 1, "count == limit + 1 fails ({below}): {e}");
        let sev = &result(&s)["severities"][level.to_string()];
        assert_eq!(sev["result"], false, "{sev}");
        assert_eq!(result(&s)["imageSummary"]["pass"], false);
    }
    // A level without findings and no limit reports found = null; with a
    // limit, 0.
    if let Some(empty) = (1..=5u64).find(|l| !counts.contains_key(l)) {
        let (c, s, _) = f.gate(&["--fail-severity", &format!("{empty}=0")]);
        assert_eq!(c, 0);
        assert_eq!(result(&s)["severities"][empty.to_string()]["found"], 0);
        let (_, s, _) = f.gate(&[]);
        assert_eq!(
            result(&s)["severities"][empty.to_string()]["found"],
            Value::Null
        );
    }
}

#[test]
fn cve_list_is_trimmed_and_case_insensitive() {
    let Some(f) = fixture() else { return };
    let cve = f
        .confirmed()
        .filter_map(|x| x["id"].as_str())
        .find(|id| id.starts_with("CVE-"))
        .expect("a CVE finding");
    let (c, s, _) = f.gate(&[
        "--fail-cves",
        &format!(" {} ,CVE-1999-0001", cve.to_lowercase()),
    ]);
    assert_eq!(c, 1);
    let cves = &result(&s)["cveIds"];
    assert_eq!(cves["result"], false, "{cves}");
    assert!(cves["found"].as_str().unwrap().contains(cve), "{cves}");
    let (c, s, _) = f.gate(&["--fail-cves", "CVE-1999-0001"]);
    assert_eq!(c, 0);
    assert_eq!(result(&s)["cveIds"]["result"], true);
}

#[test]
fn exclusion_needs_every_cve_of_a_finding() {
    let Some(f) = fixture() else { return };
    let finding = f
        .findings()
        .iter()
        .find(|x| x["id"].as_str().is_some_and(|i| i.starts_with("CVE-2099-")))
        .expect("the two-CVE finding");
    assert_eq!(finding["severity"], 5, "{finding}");
    let critical = f.counts()[&5];
    let limit = format!("5={}", critical - 1);
    let (c, _, _) = f.gate(&["--fail-severity", &limit]);
    assert_eq!(c, 1, "counted without exclusions");
    for one in ["CVE-2099-0001", "cve-2099-0002"] {
        let (c, _, _) = f.gate(&["--fail-severity", &limit, "--exclude-cves", one]);
        assert_eq!(c, 1, "only {one} excluded: still counted");
    }
    let (c, s, e) = f.gate(&[
        "--fail-severity",
        &limit,
        "--exclude-cves",
        "CVE-2099-0001, CVE-2099-0002",
    ]);
    assert_eq!(c, 0, "both CVEs excluded: not counted: {e}");
    assert_eq!(result(&s)["severities"]["5"]["result"], true);
    assert_eq!(result(&s)["severities"]["5"]["found"], critical - 1);
}

#[test]
fn cvss_threshold_is_inclusive() {
    let Some(f) = fixture() else { return };
    let max = f.confirmed().filter_map(cvss_v3).fold(0.0_f64, f64::max);
    assert!(max > 0.0, "NVD scores were imported");
    let at = format!("{max:.1}");
    let (c, s, _) = f.gate(&["--fail-cvss", &at, "--cvss-version", "3"]);
    assert_eq!(c, 1, "a score equal to the threshold fails");
    let cvss = &result(&s)["cvss"];
    assert_eq!(cvss["result"], false, "{cvss}");
    assert!(cvss["found"].as_u64().unwrap() >= 1);
    let above = format!("{:.1}", max + 0.1);
    let (c, s, _) = f.gate(&["--fail-cvss", &above, "--cvss-version", "3"]);
    assert_eq!(c, 0);
    assert_eq!(result(&s)["cvss"]["result"], true);
}

fn cvss_v3(finding: &Value) -> Option<f64> {
    finding["cvss"]["v3"]["score"].as_f64()
}

#[test]
fn risk_score_fails_only_above_the_threshold() {
    let Some(f) = fixture() else { return };
    let counts = f.counts();
    let risk = 3 * counts.get(&5).copied().unwrap_or(0) + counts.get(&4).copied().unwrap_or(0);
    assert!(
        risk > 0,
        "the image has high or critical findings: {counts:?}"
    );
    let (c, _, e) = f.gate(&["--risk-threshold", &risk.to_string()]);
    assert_eq!(c, 0, "risk == threshold passes: {e}");
    let (c, _, _) = f.gate(&["--risk-threshold", &(risk - 1).to_string()]);
    assert_eq!(c, 1, "risk > threshold fails");
    // Custom weights: 1 per finding of any level.
    let total: u64 = counts.values().sum();
    let w = "5=1,4=1,3=1,2=1,1=1";
    let (c, _, _) = f.gate(&["--risk-threshold", &total.to_string(), "--risk-weights", w]);
    assert_eq!(c, 0);
    let (c, _, _) = f.gate(&[
        "--risk-threshold",
        &(total - 1).to_string(),
        "--risk-weights",
        w,
    ]);
    assert_eq!(c, 1);
}

#[test]
fn software_rules_compare_in_the_packages_scheme() {
    let Some(f) = fixture() else { return };
    let pkg = f
        .confirmed()
        .find(|x| x["package"]["ecosystem"] == "pypi")
        .map(|x| {
            (
                x["package"]["name"].as_str().unwrap().to_owned(),
                x["package"]["version"].as_str().unwrap().to_owned(),
            )
        })
        .expect("a PyPI package");
    let (name, version) = (&pkg.0, &pkg.1);
    for (rule, want) in [
        (name.clone(), 1),
        (format!("{name}={}", regex_escape(version)), 1),
        (format!("{name}<99999"), 1),
        (format!("{name}<={version}"), 1),
        (format!("{name}>={version}"), 1),
        (format!("{name}<{version}"), 0),
        (format!("{name}>{version}"), 0),
        (format!("{name}<0.0.1"), 0),
        (format!("{}.*", &name[..2]), 1),
        ("no-such-package-anywhere".to_owned(), 0),
    ] {
        let (c, s, e) = f.gate(&["--fail-software", &rule]);
        assert_eq!(c, want, "--fail-software {rule}: {e}");
        let sw = &result(&s)["software"];
        assert_eq!(sw["result"], want == 0, "{rule}: {sw}");
    }
}

#[test]
fn ignore_rules_expire() {
    let Some(f) = fixture() else { return };
    let cve = f
        .confirmed()
        .filter_map(|x| x["id"].as_str())
        .find(|id| id.starts_with("CVE-"))
        .unwrap();
    let policy = |expires: &str| {
        let p = f.dir.join(format!("ignore-{expires}.toml"));
        std::fs::write(
            &p,
            format!(
                "fail-cves = \"{cve}\"\n\n[[ignore]]\nid = \"{cve}\"\nreason = \"not reachable\"\nowner = \"sec-team\"\nexpires = \"{expires}\"\n"
            ),
        )
        .unwrap();
        p
    };
    let future = policy("2999-01-01");
    let (c, _, e) = f.gate(&["--policy", future.to_str().unwrap()]);
    assert_eq!(c, 0, "a live ignore rule applies: {e}");
    let past = policy("2000-01-01");
    let (c, _, e) = f.gate(&["--policy", past.to_str().unwrap()]);
    assert_eq!(c, 1, "an expired rule no longer applies");
    assert!(e.contains("expired"), "the expired rule is reported: {e}");
}

#[test]
fn evaluation_errors_fail_closed() {
    let Some(f) = fixture() else { return };
    // Without NVD data the PyPA findings carry no CVSS score: max mode
    // cannot decide, and the image must fail, not pass silently.
    let (c, s, e) = f.scan(
        &f.db_unscored,
        &["--fail-cvss", "9.9", "--cvss-version", "max"],
    );
    assert_eq!(c, 1, "{e}");
    assert_eq!(result(&s)["imageSummary"]["pass"], false);
    assert!(
        e.to_lowercase().contains("score"),
        "the message names the problem: {e}"
    );
    // An unparseable policy value is a configuration error.
    for bad in [
        ["--fail-severity", "5=many"],
        ["--fail-severity", "9=0"],
        ["--fail-cvss", "high"],
        ["--fail-qids", "20-10"],
        ["--fail-software", "open(ssl"],
    ] {
        let (c, _, e) = f.gate(&bad);
        assert_eq!(c, 2, "{bad:?}: {e}");
        assert!(e.contains(bad[1]) || e.contains(bad[0]), "{bad:?}: {e}");
    }
}

#[test]
fn potential_findings_count_only_when_asked() {
    let Some(f) = fixture() else { return };
    let potential: Vec<&Value> = f
        .findings()
        .iter()
        .filter(|x| x["type_detected"] == "POTENTIAL")
        .collect();
    assert_eq!(potential.len(), 1, "the range-less record: {potential:?}");
    let p = potential[0];
    assert_eq!(p["verdict"], "excluded", "{p}");
    let level = p["severity"].as_u64().unwrap();
    let n = f.counts().get(&level).copied().unwrap_or(0);
    let limit = format!("{level}={n}");
    let (c, s, _) = f.gate(&["--fail-severity", &limit]);
    assert_eq!(c, 0, "POTENTIAL is not counted by default");
    assert_eq!(result(&s)["potentialVulnsChecked"], false);
    assert_eq!(result(&s)["potentialVulnsBySev"][level.to_string()], 1);
    let (c, s, _) = f.gate(&["--fail-severity", &limit, "--include-potential"]);
    assert_eq!(c, 1, "with --include-potential it is");
    assert_eq!(result(&s)["severities"][level.to_string()]["found"], n + 1);
    // QIDs: local findings carry none, so a QID list never matches, and
    // the condition reports what was configured.
    let (c, s, _) = f.gate(&["--fail-qids", "1-999999", "--include-potential"]);
    assert_eq!(c, 0);
    assert_eq!(result(&s)["qids"]["result"], true);
    assert_eq!(result(&s)["qids"]["configured"], "1-999999");
}

#[test]
fn potential_ignore_unfixed_and_baseline() {
    let Some(f) = fixture() else { return };
    let counts = f.counts();
    let (&level, &n) = counts.iter().next_back().unwrap();
    let limit = format!("{level}={}", n - 1);
    // Baseline: every finding is already in the ungated report.
    let (c, _, e) = f.gate(&[
        "--fail-severity",
        &limit,
        "--baseline",
        f.report_path.to_str().unwrap(),
    ]);
    assert_eq!(c, 0, "no new findings against the baseline: {e}");
    // Unfixed: only findings without a fix are ignored.
    let fixed_at_level = f
        .confirmed()
        .filter(|x| x["severity"] == level && x["patch_available"] == true)
        .count() as u64;
    let (c, s, _) = f.gate(&["--fail-severity", &limit, "--ignore-unfixed"]);
    let found = result(&s)["severities"][level.to_string()]["found"].as_u64();
    assert_eq!(found, Some(fixed_at_level));
    assert_eq!(c, i32::from(fixed_at_level > n - 1));
}

#[test]
fn same_image_twice_is_scanned_once_and_any_failure_fails_the_build() {
    let Some(f) = fixture() else { return };
    let fx = fixtures().unwrap();
    let archive = format!("oci-archive:{}", fx.join("python.oci.tar").display());
    let other = format!("oci-dir:{}", fx.join("debian-base.oci").display());
    let summary = f.dir.join("multi.json");
    let o = format!("summary-json={}", summary.display());
    let out = portcullis(&[
        "scan",
        &f.image,
        &archive,
        &other,
        "--db",
        f.db.to_str().unwrap(),
        "--no-config",
        "--fail-severity",
        "5=0,4=0,3=0",
        "-o",
        &o,
    ]);
    let s: Value = serde_json::from_slice(&std::fs::read(&summary).unwrap()).unwrap();
    assert_eq!(
        s["scanResult"].as_object().unwrap().len(),
        2,
        "python twice + debian-base = 2 images: {}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("scanned once"), "{}", stderr(&out));
    let failing = s["scanResult"]
        .as_object()
        .unwrap()
        .values()
        .filter(|r| r["imageSummary"]["pass"] == false)
        .count();
    assert!(failing >= 1);
    assert_eq!(code(&out), 1);
}

#[test]
fn db_freshness_warns_then_fails() {
    let Some(f) = fixture() else { return };
    // SOURCE_DATE_EPOCH moves "now" 40 days past the DB's build.
    let later = (std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 40 * 86_400)
        .to_string();
    let run = |args: &[&str]| {
        let mut all = vec![
            "scan",
            f.image.as_str(),
            "--db",
            f.db.to_str().unwrap(),
            "--no-config",
        ];
        all.extend(args);
        std::process::Command::new(env!("CARGO_BIN_EXE_portcullis"))
            .args(&all)
            .env("SOURCE_DATE_EPOCH", &later)
            .env("NO_COLOR", "1")
            .output()
            .unwrap()
    };
    let out = run(&["--db-warn-days", "30"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stderr(&out).contains("days"), "{}", stderr(&out));
    let out = run(&["--db-fail-days", "30"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let out = run(&["--db-fail-days", "60"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
}

#[test]
fn policy_check_validates_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("portcullis.toml");
    std::fs::write(
        &good,
        "[policy]\nfail-severity = { \"5\" = 0, \"4\" = 2 }\nfail-software = [\"openssl<3.0.7\"]\n\n[[policy.ignore]]\nid = \"CVE-2023-45803\"\nreason = \"internal only\"\nexpires = \"2027-03-31\"\n",
    )
    .unwrap();
    let out = portcullis(&["policy", "check", good.to_str().unwrap()]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("valid policy") && text.contains("openssl<3.0.7"),
        "{text}"
    );

    for (name, body, needle) in [
        (
            "typo.toml",
            "fail-severty = { \"5\" = 0 }\n",
            "fail-severty",
        ),
        (
            "level.yaml",
            "fail-severity:\n  \"7\": 0\n",
            "fail-severity",
        ),
        ("reason.toml", "[[ignore]]\nid = \"CVE-2023-1\"\n", "reason"),
        (
            "date.toml",
            "[[ignore]]\nid = \"CVE-2023-1\"\nreason = \"x\"\nexpires = \"31/03/2027\"\n",
            "expires",
        ),
        ("broken.json", "{\"fail-cves\": [", "broken.json"),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, body).unwrap();
        let out = portcullis(&["policy", "check", path.to_str().unwrap()]);
        assert_eq!(code(&out), 2, "{name}: {}", stderr(&out));
        assert!(stderr(&out).contains(needle), "{name}: {}", stderr(&out));
    }
}
