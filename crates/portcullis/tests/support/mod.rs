//! Shared helpers for the CLI integration tests.
#![allow(dead_code, unreachable_pub, clippy::print_stderr)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Runs the real `portcullis` binary.
pub fn portcullis(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_portcullis"))
        .args(args)
        .env("NO_COLOR", "1")
        .env_remove("PORTCULLIS_QUIET")
        .output()
        .expect("run portcullis")
}

/// Runs the binary under GNU time; returns the output and the peak RSS in KiB.
pub fn portcullis_measured(args: &[&str]) -> (Output, u64) {
    let report = tempfile::NamedTempFile::new().unwrap();
    let out = Command::new("/usr/bin/time")
        .arg("-o")
        .arg(report.path())
        .args(["-f", "%M"])
        .arg(env!("CARGO_BIN_EXE_portcullis"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("run /usr/bin/time (Debian package `time`)");
    let text = std::fs::read_to_string(report.path()).unwrap();
    let rss = text
        .lines()
        .last()
        .and_then(|l| l.trim().parse().ok())
        .expect("time -f %M prints the peak RSS");
    (out, rss)
}

/// The exit code, with stderr shown when the assertion fails.
pub fn code(out: &Output) -> i32 {
    out.status.code().unwrap_or(-1)
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Where CI put the real test images (tests/images/build.sh). Locally the
/// tests that need them are skipped with a message; under CI they fail.
pub fn fixtures() -> Option<PathBuf> {
    match std::env::var_os("PORTCULLIS_FIXTURES") {
        Some(p) if Path::new(&p).join(".complete").exists() => Some(PathBuf::from(p)),
        _ if std::env::var_os("CI").is_some() => {
            panic!("PORTCULLIS_FIXTURES must point at built test images under CI")
        }
        _ => {
            eprintln!(
                "SKIPPED: PORTCULLIS_FIXTURES is not set (run tests/images/build.sh, or .ci/run)"
            );
            None
        }
    }
}

pub mod oci;

/// The shared advisory corpus (`../shared/vulndata` beside the repository).
/// Never copied into the repository; under CI its absence is a failure.
pub fn vulndata() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/vulndata");
    if dir.join("README.md").exists() {
        return Some(dir);
    }
    if std::env::var_os("CI").is_some() {
        panic!("../shared/vulndata must sit beside the repository under CI");
    }
    eprintln!("SKIPPED: ../shared/vulndata is not beside the repository");
    None
}

/// `portcullis db import PATHS --db DB`, asserting success.
pub fn db_import(db: &Path, paths: &[PathBuf]) -> Output {
    let mut args = vec![
        "db".to_owned(),
        "import".to_owned(),
        "--db".to_owned(),
        db.display().to_string(),
    ];
    args.extend(paths.iter().map(|p| p.display().to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = portcullis(&args);
    assert_eq!(code(&out), 0, "db import failed: {}", stderr(&out));
    out
}

/// The inventory of an image, read through `portcullis sbom -o json`.
pub fn inventory(image: &str) -> portcullis_types::Inventory {
    let out = portcullis(&["sbom", image, "-o", "json"]);
    assert_eq!(code(&out), 0, "sbom {image}: {}", stderr(&out));
    serde_json::from_slice(&out.stdout).expect("sbom -o json is an Inventory")
}

/// `s` as a regex matching itself (insta filters, software rules).
pub fn regex_escape(s: &str) -> String {
    s.chars()
        .flat_map(|c| {
            let special = "\\.+*?()|[]{}^$".contains(c);
            special
                .then_some('\\')
                .into_iter()
                .chain(std::iter::once(c))
        })
        .collect()
}

/// The DB the scan tests gate with: PyPA, the Debian-derived bookworm data
/// (as Debian 12 advisories) and NVD scores, plus `extra` paths, imported
/// into `dir/v.db`.
pub fn gate_db(dir: &Path, data: &Path, extra: &[PathBuf]) -> PathBuf {
    let db = dir.join("v.db");
    let mut paths = vec![
        data.join("pypa"),
        data.join("debian-derived"),
        data.join("nvd"),
    ];
    paths.extend_from_slice(extra);
    db_import(&db, &paths);
    db
}

/// Scans `image` with no policy into the native report at `path`
/// (asserting the run passes) and returns the report.
pub fn ungated_report(image: &str, db: &Path, path: &Path) -> serde_json::Value {
    let out = portcullis(&[
        "scan",
        image,
        "--db",
        db.to_str().unwrap(),
        "--no-config",
        "-q",
        "-o",
        &format!("json={}", path.display()),
    ]);
    assert_eq!(code(&out), 0, "ungated scan: {}", stderr(&out));
    serde_json::from_slice(&std::fs::read(path).unwrap()).expect("the native report is JSON")
}
