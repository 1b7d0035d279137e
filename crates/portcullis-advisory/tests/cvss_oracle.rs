//! Exhaustive cross-check of every v2 and v3 base vector against the Python
//! `cvss` library (Red Hat's implementation, PyPI `cvss`), when it is
//! installed. Skips with a message otherwise.
#![allow(clippy::print_stderr)] // says what was checked or skipped

use std::io::Write;
use std::process::{Command, Stdio};

use portcullis_advisory::cvss;

fn all_v3() -> Vec<String> {
    let mut out = Vec::new();
    for av in ["N", "A", "L", "P"] {
        for ac in ["L", "H"] {
            for pr in ["N", "L", "H"] {
                for ui in ["N", "R"] {
                    for s in ["U", "C"] {
                        for c in ["H", "L", "N"] {
                            for i in ["H", "L", "N"] {
                                for a in ["H", "L", "N"] {
                                    // Alternate the minor version: both share the formula.
                                    let ver = if out.len() % 2 == 0 { "3.1" } else { "3.0" };
                                    out.push(format!(
                                        "CVSS:{ver}/AV:{av}/AC:{ac}/PR:{pr}/UI:{ui}/S:{s}/C:{c}/I:{i}/A:{a}"
                                    ));
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    out
}

fn all_v2() -> Vec<String> {
    let mut out = Vec::new();
    for av in ["L", "A", "N"] {
        for ac in ["H", "M", "L"] {
            for au in ["M", "S", "N"] {
                for c in ["N", "P", "C"] {
                    for i in ["N", "P", "C"] {
                        for a in ["N", "P", "C"] {
                            out.push(format!("AV:{av}/AC:{ac}/Au:{au}/C:{c}/I:{i}/A:{a}"));
                        }
                    }
                }
            }
        }
    }
    out
}

const SCRIPT: &str = r#"
import sys
from cvss import CVSS2, CVSS3
for line in sys.stdin:
    v = line.strip()
    s = CVSS3(v).scores()[0] if v.startswith("CVSS:3") else CVSS2(v).scores()[0]
    print(s)
"#;

fn oracle_available() -> bool {
    Command::new("python3")
        .args(["-c", "import cvss"])
        .stderr(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

#[test]
fn every_base_vector_matches_the_python_cvss_library() {
    if !oracle_available() {
        if std::env::var_os("PORTCULLIS_CVSS_ORACLE").is_some() {
            panic!("PORTCULLIS_CVSS_ORACLE is set but python3 cannot import cvss");
        }
        eprintln!("SKIPPED: python3 with the `cvss` package is not installed (pip install cvss)");
        return;
    }
    let vectors: Vec<String> = all_v3().into_iter().chain(all_v2()).collect();
    assert_eq!(vectors.len(), 2592 + 729);
    let mut child = Command::new("python3")
        .args(["-c", SCRIPT])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3 runs");
    let input = vectors.join("\n") + "\n";
    let mut stdin = child.stdin.take().expect("stdin");
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child.wait_with_output().expect("python3 output");
    writer.join().expect("writer").expect("write");
    assert!(out.status.success(), "oracle failed");
    let text = String::from_utf8(out.stdout).expect("utf-8");
    let want: Vec<f64> = text.lines().map(|l| l.parse().expect("score")).collect();
    assert_eq!(want.len(), vectors.len());
    let mut bad = Vec::new();
    for (v, w) in vectors.iter().zip(&want) {
        let got = cvss::parse(v).expect(v).score;
        if got != *w {
            bad.push(format!("{v}: ours {got}, oracle {w}"));
        }
    }
    assert!(
        bad.is_empty(),
        "{} disagreements:\n{}",
        bad.len(),
        bad.join("\n")
    );
    eprintln!("{} vectors agree with the oracle", vectors.len());
}
