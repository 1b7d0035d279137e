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
