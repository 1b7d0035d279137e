//! Every report format from one real scan run (issue 4): all written at
//! once, the machine-read ones validated by their published schemas and a
//! JUnit parser, the console table snapshotted; and the exit codes of runs
//! that cannot complete.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use serde_json::Value;
use support::{code, fixtures, gate_db, portcullis, regex_escape, stderr, vulndata};

struct Fixture {
    _dir: tempfile::TempDir,
    dir: PathBuf,
    db: PathBuf,
    fixtures: PathBuf,
}

fn fixture() -> Option<&'static Fixture> {
    static F: OnceLock<Option<Fixture>> = OnceLock::new();
    F.get_or_init(|| {
        let (fx, data) = (fixtures()?, vulndata()?);
        let dir = tempfile::tempdir().unwrap();
        let db = gate_db(dir.path(), &data, &[]);
        Some(Fixture {
            dir: dir.path().to_owned(),
            _dir: dir,
            db,
            fixtures: fx,
        })
    })
    .as_ref()
}

impl Fixture {
    fn image(&self, name: &str) -> String {
        format!(
            "oci-dir:{}",
            self.fixtures.join(format!("{name}.oci")).display()
        )
    }
}

const FORMATS: [(&str, &str); 10] = [
    ("table", "table.txt"),
    ("json", "report.json"),
    ("summary-json", "summary.json"),
    ("qualys-json", "qualys.json"),
    ("html", "report.html"),
    ("junit", "junit.xml"),
    ("sarif", "report.sarif"),
    ("gitlab", "gl-container-scanning-report.json"),
    ("cyclonedx-json", "bom.cdx.json"),
    ("spdx-json", "bom.spdx.json"),
];

#[test]
fn one_run_writes_every_format_and_they_validate() {
    let Some(f) = fixture() else { return };
    let out_dir = f.dir.join("all");
    std::fs::create_dir_all(&out_dir).unwrap();
    let mut args = vec![
        "scan".to_owned(),
        f.image("python"),
        f.image("debian-base"),
        "--db".into(),
        f.db.display().to_string(),
        "--no-config".into(),
        "--fail-severity".into(),
        "4=0".into(),
    ];
    for (format, file) in FORMATS {
        args.push("-o".into());
        args.push(format!("{format}={}", out_dir.join(file).display()));
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = portcullis(&args);
    assert_eq!(
        code(&out),
        1,
        "high findings fail the gate: {}",
        stderr(&out)
    );
    assert!(out.stdout.is_empty(), "every output went to a file");
    for (format, file) in FORMATS {
        let bytes = std::fs::read(out_dir.join(file)).unwrap_or_default();
        assert!(bytes.len() > 100, "{format} was written");
    }

    // All formats tell the same story: two images, the python one failing.
    let summary: Value = read_json(&out_dir.join("summary.json"));
    assert_eq!(summary["buildStatus"], "Failed");
    assert_eq!(summary["scanResult"].as_object().unwrap().len(), 2);
    let native: Value = read_json(&out_dir.join("report.json"));
    let images = native["images"].as_array().unwrap();
    assert_eq!(images.len(), 2);
    let findings: usize = images
        .iter()
        .map(|i| i["findings"].as_array().unwrap().len())
        .sum();
    let qualys: Value = read_json(&out_dir.join("qualys.json"));
    let vulns: usize = qualys
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["vulnerabilities"].as_array().unwrap().len())
        .sum();
    assert_eq!(vulns, findings, "qualys-json lists every finding");
    let sarif: Value = read_json(&out_dir.join("report.sarif"));
    assert_eq!(
        sarif["runs"][0]["results"].as_array().unwrap().len(),
        findings,
        "SARIF has one result per finding"
    );
    let table = std::fs::read_to_string(out_dir.join("table.txt")).unwrap();
    assert!(table.contains("FAIL"), "{table}");
    assert!(!table.contains('\x1b'), "no colour in a file");

    validate(&[
        out_dir.join("junit.xml"),
        out_dir.join("report.sarif"),
        out_dir.join("gl-container-scanning-report.json"),
        out_dir.join("bom.cdx.json"),
        out_dir.join("bom.spdx.json"),
    ]);
}

fn read_json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The report crate's validator: published JSON schemas (SARIF 2.1.0,
/// GitLab container scanning, CycloneDX 1.5, SPDX 2.3) and junitparser.
#[allow(clippy::print_stderr)] // the skip must be visible in the test log
fn validate(files: &[PathBuf]) {
    if std::env::var("PORTCULLIS_SCHEMA_CHECK").as_deref() != Ok("1") {
        eprintln!("SKIPPED: schema validation (set PORTCULLIS_SCHEMA_CHECK=1, as .ci/run does)");
        return;
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../portcullis-report/tests/validate_schemas.py");
    let out = Command::new("python3")
        .arg(script)
        .args(files)
        .output()
        .expect("python3");
    assert!(
        out.status.success(),
        "validation failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn console_table_snapshot() {
    let Some(f) = fixture() else { return };
    let image = f.image("debian-base");
    let out = portcullis(&[
        "scan",
        &image,
        "--db",
        f.db.to_str().unwrap(),
        "--no-config",
        "-q",
        "--fail-severity",
        "4=0",
        "--ignore-status",
        "no-dsa",
    ]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let text = String::from_utf8(out.stdout).unwrap();
    insta::with_settings!({filters => vec![(regex_escape(&image).as_str(), "[IMAGE]")]}, {
        insta::assert_snapshot!(text);
    });
}

#[test]
fn runs_that_cannot_complete_exit_3() {
    let Some(f) = fixture() else { return };
    // No DB: nothing can be matched, so no verdict.
    let missing = f.dir.join("no-such.db");
    let out = portcullis(&[
        "scan",
        &f.image("python"),
        "--db",
        missing.to_str().unwrap(),
    ]);
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    assert!(stderr(&out).contains("no-such.db"), "{}", stderr(&out));

    // One unreadable image among good ones: the others are still reported,
    // and the run is incomplete (a gate must not read it as a pass).
    let summary = f.dir.join("partial.json");
    let broken = format!("oci-dir:{}", f.dir.join("not-an-image").display());
    let out = portcullis(&[
        "scan",
        &f.image("debian-base"),
        &broken,
        "--db",
        f.db.to_str().unwrap(),
        "--no-config",
        "-o",
        &format!("summary-json={}", summary.display()),
    ]);
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    assert!(stderr(&out).contains("not-an-image"), "{}", stderr(&out));
    let s = read_json(&summary);
    assert_eq!(s["scanResult"].as_object().unwrap().len(), 2, "{s}");
    assert_eq!(s["buildStatus"], "Failed");

    // Usage errors are 2, before any image is read.
    for bad in [
        vec!["scan", "oci-dir:/nonexistent", "-o", "pdf"],
        vec!["scan", "oci-dir:/nonexistent", "--backend", "elsewhere"],
        vec!["scan", "oci-dir:/nonexistent", "-o", "json", "-o", "sarif"],
    ] {
        let out = portcullis(&bad);
        assert_eq!(code(&out), 2, "{bad:?}: {}", stderr(&out));
    }
}

#[test]
fn ignore_base_counts_only_the_projects_layers() {
    let Some(f) = fixture() else { return };
    // The python image is debian-base plus its own layers: with the base
    // named, Debian's findings are attributed to the base and --ignore-base
    // leaves only what the project added.
    let report = f.dir.join("base.json");
    let out = portcullis(&[
        "scan",
        &f.image("python"),
        "--base-image",
        &f.image("debian-base"),
        "--db",
        f.db.to_str().unwrap(),
        "--no-config",
        "--ignore-base",
        "-o",
        &format!("json={}", report.display()),
    ]);
    assert!(matches!(code(&out), 0 | 1), "{}", stderr(&out));
    let r = read_json(&report);
    let findings = r["images"][0]["findings"].as_array().unwrap();
    let base: Vec<&Value> = findings
        .iter()
        .filter(|x| x["in_base_image"] == true)
        .collect();
    let own = findings.len() - base.len();
    assert!(
        !base.is_empty() && own > 0,
        "both kinds: {} base, {own} own",
        base.len()
    );
    for x in &base {
        assert_eq!(x["verdict"], "excluded", "{x}");
    }
    // Everything from PyPI was installed by the project, never by the base.
    assert!(base.iter().all(|x| x["package"]["ecosystem"] == "deb"));
}

/// A one-route HTTP server on loopback answering every POST with
/// `status`; returns its URL and the bodies received.
fn webhook_server(status: u16) -> (String, std::sync::mpsc::Receiver<Vec<u8>>) {
    use std::io::{BufRead, BufReader, Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!(
        "http://user:secret@{}/hook?token=hush",
        listener.local_addr().unwrap()
    );
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut length = 0;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap_or(0);
                }
            }
            let mut body = vec![0; length];
            let _ = reader.read_exact(&mut body);
            let _ = tx.send(body);
            let _ = write!(
                stream,
                "HTTP/1.1 {status} X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            );
        }
    });
    (url, rx)
}

#[test]
fn webhook_reports_the_run_and_never_changes_the_verdict() {
    let Some(f) = fixture() else { return };
    let scan = |url: &str| {
        portcullis(&[
            "scan",
            &f.image("debian-base"),
            "--db",
            f.db.to_str().unwrap(),
            "--no-config",
            "--fail-severity",
            "4=0",
            "--webhook-url",
            url,
        ])
    };
    let (url, bodies) = webhook_server(200);
    let out = scan(&url);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let body: Value = serde_json::from_slice(&bodies.recv().unwrap()).unwrap();
    assert_eq!(body["buildStatus"], "Failed", "{body}");
    assert_eq!(body["images"].as_array().unwrap().len(), 1);
    assert!(body["failReason"][0]["severity"]["4"].is_object(), "{body}");

    // A failing endpoint: retried, reported, and the exit code is the
    // policy's. Its credentials never reach the output.
    let (url, bodies) = webhook_server(500);
    let started = std::time::Instant::now();
    let out = scan(&url);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(bodies.try_iter().count() >= 2, "retried");
    assert!(started.elapsed() < std::time::Duration::from_secs(60));
    let err = stderr(&out);
    assert!(err.contains("webhook"), "{err}");
    assert!(!err.contains("secret") && !err.contains("hush"), "{err}");
}

#[test]
fn ci_output_variables_for_azure_github_and_gitlab() {
    let Some(f) = fixture() else { return };
    let github = f.dir.join("github-output");
    let dotenv = f.dir.join("portcullis.env");
    let out = Command::new(env!("CARGO_BIN_EXE_portcullis"))
        .args([
            "scan",
            &f.image("debian-base"),
            "--db",
            f.db.to_str().unwrap(),
            "--no-config",
            "-q",
            "--fail-severity",
            "4=0",
            "--output-variable",
            "scanSummary",
            "--ci-dotenv",
            dotenv.to_str().unwrap(),
            "-o",
            &format!("json={}", f.dir.join("ci.json").display()),
        ])
        .env("TF_BUILD", "True")
        .env("GITHUB_OUTPUT", &github)
        .env("GITLAB_CI", "true")
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    // Azure DevOps: one logging command per variable on stdout, the
    // summary as one escaped line of JSON.
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout
        .lines()
        .find(|l| l.starts_with("##vso[task.setvariable variable=scanSummary;isOutput=true]"))
        .unwrap_or_else(|| panic!("no Azure variable in {stdout}"));
    let value = line.split_once(']').unwrap().1;
    assert!(
        !value.contains('\n') && value.contains("buildStatus"),
        "{line}"
    );
    // GitHub Actions: appended to $GITHUB_OUTPUT.
    let gh = std::fs::read_to_string(&github).unwrap();
    assert!(gh.contains("passed=false"), "{gh}");
    assert!(gh.contains("scanSummary<<"), "{gh}");
    // GitLab: a dotenv file.
    let env = std::fs::read_to_string(&dotenv).unwrap();
    assert!(env.lines().any(|l| l == "PORTCULLIS_PASSED=false"), "{env}");
    assert!(
        env.lines().any(|l| l == "PORTCULLIS_FAILED_IMAGES=1"),
        "{env}"
    );
}
