//! `scan --backend qualys` end to end (issue 5): the real Docker engine
//! (fixture images, a sensor container started from a test image), the
//! real CLI, and a fake CS API on loopback scripted per reference §1–§3.
//! Exit codes and `summary-json` are checked in each case.
//!
//! One test function: the cases share the engine's containers (the sensor
//! check sees every running container), so they must not overlap.

mod support;

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use portcullis_fakecs::{image_details, FakeConfig, FakeCs, Step, Vuln, WhenExhausted};
use serde_json::Value;
use support::{code, stderr};

const IMAGE: &str = "portcullis-fixture/debian-base:latest";
const PASSWORD: &str = "p&ss+w%rd with spaces=1";

fn docker(args: &[&str]) -> Output {
    Command::new("docker")
        .args(args)
        .output()
        .expect("docker CLI")
}

/// Whether the engine and the fixture image are there; under CI their
/// absence is a failure (.ci/run loads the images).
#[allow(clippy::print_stderr)] // a skip must be visible in the test log
fn engine_ready() -> bool {
    let ok = docker(&["image", "inspect", IMAGE]).status.success();
    if !ok && std::env::var_os("CI").is_some() {
        panic!("the Docker engine must hold {IMAGE} under CI (tests/images/load-docker.sh)");
    }
    if !ok {
        eprintln!("SKIPPED: no Docker engine or {IMAGE} not loaded");
    }
    ok
}

/// A running sensor container; removed on drop.
struct Sensor(String);

impl Sensor {
    fn start(cicd: bool) -> Sensor {
        let name = format!("pc-cli-sensor-{}-{}", std::process::id(), u8::from(cicd));
        let mut args = vec![
            "run",
            "-d",
            "--name",
            &name,
            "--label",
            "VersionInfo=Qualys Sensor 1.30.0",
            IMAGE,
            "sh",
            "-c",
            "sleep 600",
            "sensor",
        ];
        if cicd {
            args.push("--cicd-deployed-sensor");
        }
        let out = docker(&args);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        Sensor(name)
    }
}

impl Drop for Sensor {
    fn drop(&mut self) {
        let _ = docker(&["rm", "-f", &self.0]);
    }
}

struct Case<'a> {
    backend: &'a str,
    fake: &'a FakeCs,
    dir: &'a Path,
    args: &'a [&'a str],
}

/// Runs `scan --backend qualys` against the fake; returns the output and
/// the summary.
fn run(case: Case<'_>) -> (Output, Value) {
    let summary = case.dir.join("summary.json");
    let _ = std::fs::remove_file(&summary);
    let url = case.fake.url();
    let o = format!("summary-json={}", summary.display());
    let mut args = vec![
        "scan",
        IMAGE,
        "--backend",
        case.backend,
        "--api-url",
        url.as_str(),
        "--username",
        "user",
        "--no-config",
        "-o",
        o.as_str(),
    ];
    args.extend(case.args);
    let out = Command::new(env!("CARGO_BIN_EXE_portcullis"))
        .args(&args)
        .env("PORTCULLIS_PASSWORD", PASSWORD)
        .env("PORTCULLIS_TEST_POLL_INTERVAL_MS", "50")
        .env("NO_COLOR", "1")
        .env_remove("HTTPS_PROXY")
        .env_remove("https_proxy")
        .env_remove("HTTP_PROXY")
        .env_remove("http_proxy")
        .env_remove("ALL_PROXY")
        .output()
        .unwrap();
    let value = std::fs::read(&summary)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or(Value::Null);
    (out, value)
}

fn one(summary: &Value) -> &Value {
    let r = summary["scanResult"].as_object().expect("scanResult");
    assert_eq!(r.len(), 1, "{summary}");
    r.values().next().unwrap()
}

fn fake(sha: &str, steps: Vec<Step>) -> FakeCs {
    FakeCs::start(
        FakeConfig::default()
            .credentials("user", PASSWORD)
            .script(sha, steps),
    )
}

fn details(sha: &str) -> Value {
    image_details(
        sha,
        None,
        &[
            Vuln::new(178393, 4)
                .cves(&["CVE-2023-0286", "CVE-2023-0215"])
                .cvss(Some(7.1), Some(7.4))
                .patch(true)
                .software("openssl", "3.0.11-1~deb12u2", Some("3.0.13-1~deb12u1")),
            Vuln::new(45097, 2).type_detected("POTENTIAL"),
        ],
        &[("bash", "5.2.15-2+b2")],
    )
}

fn assert_no_secret(out: &Output, dir: &Path) {
    for text in [
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
        std::fs::read_to_string(dir.join("summary.json"))
            .unwrap_or_default()
            .into(),
    ] {
        assert!(!text.contains(PASSWORD), "the password leaked: {text}");
    }
}

#[test]
fn qualys_backend_end_to_end() {
    if !engine_ready() {
        return;
    }
    let inspect = docker(&["image", "inspect", "--format", "{{.Id}}", IMAGE]);
    let sha = String::from_utf8_lossy(&inspect.stdout)
        .trim()
        .trim_start_matches("sha256:")
        .to_owned();
    assert_eq!(sha.len(), 64);
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let _untag = Untag(sha.clone());

    // No sensor: the run stops before tagging (exit 3) and says why.
    let f = fake(&sha, Step::ready(details(&sha)));
    let (out, _) = run(Case {
        backend: "qualys",
        fake: &f,
        dir,
        args: &[],
    });
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    assert!(stderr(&out).contains("not running"), "{}", stderr(&out));

    // A sensor not in CI/CD mode, then a paused one, are rejected.
    {
        let general = Sensor::start(false);
        let (out, _) = run(Case {
            backend: "qualys",
            fake: &f,
            dir,
            args: &[],
        });
        assert_eq!(code(&out), 3, "{}", stderr(&out));
        assert!(stderr(&out).contains("CICD"), "{}", stderr(&out));
        drop(general);
        let paused = Sensor::start(true);
        assert!(docker(&["pause", &paused.0]).status.success());
        let (out, _) = run(Case {
            backend: "qualys",
            fake: &f,
            dir,
            args: &[],
        });
        assert_eq!(code(&out), 3, "{}", stderr(&out));
        assert!(stderr(&out).contains("paused"), "{}", stderr(&out));
    }
    let _sensor = Sensor::start(true);

    // 204 twice, then a scanned image whose details are not processed yet
    // (vulnerabilities null), then complete: the QID and severity gate use
    // the platform's values; the special-character password authenticates.
    let f = fake(
        &sha,
        [
            Step::pending(2),
            vec![
                Step::ListOk,
                Step::Details(portcullis_fakecs::pending_details(&sha)),
            ],
            Step::ready(details(&sha)),
        ]
        .concat(),
    );
    let (out, s) = run(Case {
        backend: "qualys",
        fake: &f,
        dir,
        args: &["--fail-qids", "178000-178999", "--fail-severity", "4=1"],
    });
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let r = one(&s);
    assert_eq!(r["qids"]["result"], false, "{r}");
    assert!(
        r["qids"]["found"].as_str().unwrap().contains("178393"),
        "{r}"
    );
    assert_eq!(r["severities"]["4"]["found"], 1);
    assert_eq!(r["severities"]["4"]["result"], true);
    assert_eq!(r["confirmedVulnsBySev"]["4"], 1);
    assert_eq!(r["potentialVulnsBySev"]["2"], 1);
    let lists = f.requests().iter().filter(|q| q.is_list()).count();
    assert!(lists >= 4, "polled until complete: {lists} list calls");
    let auth = f.requests().into_iter().find(|q| q.is_auth()).unwrap();
    assert_eq!(auth.form_field("password"), Some(PASSWORD));
    assert_eq!(auth.form_field("token"), Some("true"));
    assert_no_secret(&out, dir);
    let tags = docker(&["image", "inspect", "--format", "{{json .RepoTags}}", IMAGE]);
    let tags = String::from_utf8_lossy(&tags.stdout);
    assert!(
        tags.contains(&format!("qualys_scan_target:{sha}")),
        "{tags}"
    );

    // An expired token (the server expires it after two uses) is renewed.
    let f = FakeCs::start(FakeConfig {
        token_max_uses: Some(2),
        ..FakeConfig::default().credentials("user", PASSWORD).script(
            &sha,
            [Step::pending(3), Step::ready(details(&sha))].concat(),
        )
    });
    let (out, s) = run(Case {
        backend: "qualys",
        fake: &f,
        dir,
        args: &["--fail-cves", "CVE-2023-0215"],
    });
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert_eq!(one(&s)["cveIds"]["result"], false);
    assert!(
        f.auth_count() >= 2,
        "renewed: {} auth requests",
        f.auth_count()
    );

    // `--backend server` is the same flow against a `portcullis serve`
    // (the same API); here, the fake.
    let f = fake(&sha, Step::ready(details(&sha)));
    let (out, s) = run(Case {
        backend: "server",
        fake: &f,
        dir,
        args: &["--fail-severity", "4=0"],
    });
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert_eq!(one(&s)["severities"]["4"]["result"], false);

    // 500 bursts and connection resets keep polling.
    let f = fake(
        &sha,
        [
            vec![Step::Status(500), Step::Status(503), Step::ResetConnection],
            vec![Step::Status(500), Step::ResetConnection],
            Step::ready(details(&sha)),
        ]
        .concat(),
    );
    let (out, s) = run(Case {
        backend: "qualys",
        fake: &f,
        dir,
        args: &["--fail-severity", "5=0"],
    });
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(one(&s)["imageSummary"]["pass"], true);

    // A timeout: with a condition configured the image fails (exit 3, the
    // run is incomplete); without, it passes with a warning.
    let never = || {
        FakeCs::start(
            FakeConfig::default()
                .credentials("user", PASSWORD)
                .when_exhausted(WhenExhausted::NotReady),
        )
    };
    let f = never();
    let started = Instant::now();
    let (out, s) = run(Case {
        backend: "qualys",
        fake: &f,
        dir,
        args: &["--timeout", "2", "--fail-severity", "5=0"],
    });
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    assert!(stderr(&out).contains("Timeout reached"), "{}", stderr(&out));
    assert_eq!(one(&s)["imageSummary"]["pass"], false);
    assert!(started.elapsed() < Duration::from_secs(30));
    let f = never();
    let (out, s) = run(Case {
        backend: "qualys",
        fake: &f,
        dir,
        args: &["--timeout", "2"],
    });
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("No vulnerabilities data"),
        "{}",
        stderr(&out)
    );
    assert_eq!(one(&s)["imageSummary"]["pass"], true);

    // Wrong password: exit 3 with the platform's reason, and no secret.
    let f = FakeCs::start(FakeConfig::default().credentials("user", "something else"));
    let (out, _) = run(Case {
        backend: "qualys",
        fake: &f,
        dir,
        args: &[],
    });
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    assert!(
        stderr(&out).to_lowercase().contains("credentials"),
        "{}",
        stderr(&out)
    );
    assert_no_secret(&out, dir);

    // The password is never in the process's argument list.
    let f = never();
    let url = f.url();
    let mut child = Command::new(env!("CARGO_BIN_EXE_portcullis"))
        .args([
            "scan",
            IMAGE,
            "--backend",
            "qualys",
            "--api-url",
            &url,
            "--username",
            "user",
            "--password-stdin",
            "--timeout",
            "3",
            "--no-config",
        ])
        .env("PORTCULLIS_TEST_POLL_INTERVAL_MS", "50")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        writeln!(stdin, "{PASSWORD}").unwrap();
    }
    std::thread::sleep(Duration::from_millis(800));
    let cmdline = std::fs::read(format!("/proc/{}/cmdline", child.id())).unwrap_or_default();
    let out = child.wait_with_output().unwrap();
    assert!(!cmdline.is_empty(), "read the command line while it ran");
    assert!(!String::from_utf8_lossy(&cmdline).contains(PASSWORD));
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(f.auth_count() >= 1, "authenticated with the stdin password");
}

/// Removes the scan tags the runs made (the fixture tag stays).
struct Untag(String);

impl Drop for Untag {
    fn drop(&mut self) {
        for repo in ["qualys_scan_target", "portcullis_scan_target"] {
            let _ = docker(&["rmi", &format!("{repo}:{}", self.0)]);
        }
    }
}
