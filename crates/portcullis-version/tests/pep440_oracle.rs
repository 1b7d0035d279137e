//! Cross-checks the PEP 440 ordering and normalisation against Python's
//! `packaging` library (the reference implementation used by pip), when it
//! is installed. Skips with a message otherwise.

mod common;

use std::cmp::Ordering;
use std::io::Write;
use std::process::{Command, Stdio};

use common::Lcg;
use portcullis_version::pep440::{compare, Pep440Version};

/// Versions in the permissive syntax, deliberately mixing spellings and
/// including close neighbours (trailing zeros, implicit numbers).
fn generate(n: usize) -> Vec<String> {
    let mut r = Lcg(0x5eed);
    (0..n)
        .map(|_| {
            let mut s = String::new();
            if r.below(8) == 0 {
                s.push('v');
            }
            if r.below(10) == 0 {
                s.push_str("1!");
            }
            let segs = 1 + r.below(4);
            let rel: Vec<String> = (0..segs)
                .map(|_| r.pick(&["0", "1", "2", "10"]).to_string())
                .collect();
            s.push_str(&rel.join("."));
            if r.below(2) == 0 {
                s.push_str(r.pick(&["", ".", "-", "_"]));
                s.push_str(r.pick(&["a", "alpha", "b", "beta", "rc", "c", "pre", "preview", "RC"]));
                s.push_str(r.pick(&["", "0", "1", "2", "11"]));
            }
            if r.below(3) == 0 {
                match r.below(3) {
                    0 => s.push_str(&format!("-{}", r.below(3))),
                    _ => {
                        s.push_str(r.pick(&[".", "-", "_", ""]));
                        s.push_str(r.pick(&["post", "rev", "r"]));
                        s.push_str(r.pick(&["", "0", "1", "3"]));
                    }
                }
            }
            if r.below(3) == 0 {
                s.push_str(r.pick(&[".dev", "dev", "-dev", "_DEV"]));
                s.push_str(r.pick(&["", "0", "1", "5"]));
            }
            if r.below(4) == 0 {
                s.push('+');
                s.push_str(r.pick(&["abc", "1", "abc.5", "abc.z", "2", "10", "a-1", "ubuntu_2"]));
            }
            // Some deliberately malformed inputs, to compare what is accepted.
            if r.below(15) == 0 {
                s.push_str(r.pick(&["..", "+", "-", "foo", "_", ".post.", "+a..b", "!"]));
            }
            s
        })
        .collect()
}

const SCRIPT: &str = r#"
import sys
from packaging.version import Version
from packaging.version import InvalidVersion
out = []
vs = []
for l in sys.stdin.read().split("\n"):
    try:
        v = Version(l)
        vs.append(v)
        out.append(str(v))
    except InvalidVersion:
        out.append("INVALID")
cmp = []
for i in range(len(vs)):
    for j in range(i + 1, len(vs)):
        a, b = vs[i], vs[j]
        cmp.append("<" if a < b else (">" if a > b else "="))
out.append("".join(cmp))
print("\n".join(out))
"#;

#[test]
#[allow(clippy::print_stderr)]
fn ordering_matches_python_packaging() {
    let ok = Command::new("python3")
        .args(["-c", "import packaging.version"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        eprintln!("SKIP: python3 with `packaging` not available; PEP 440 oracle not run");
        return;
    }
    let generated = generate(400);
    let child = Command::new("python3")
        .args(["-c", SCRIPT])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let Ok(mut child) = child else {
        eprintln!("SKIP: python3 not available; PEP 440 oracle not run");
        return;
    };
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(generated.join("\n").as_bytes())
            .expect("write to python");
    }
    let out = child.wait_with_output().expect("python output");
    assert!(
        out.status.success(),
        "oracle failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).expect("utf-8");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), generated.len() + 1, "unexpected oracle output");

    // Acceptance and normal form must agree for every input.
    let mut versions = Vec::new();
    let mut invalid = 0;
    for (v, normal) in generated.iter().zip(&lines) {
        let ours = Pep440Version::parse(v);
        if *normal == "INVALID" {
            assert!(ours.is_err(), "{v:?} is invalid for packaging but parsed");
            invalid += 1;
            continue;
        }
        let ours = ours.unwrap_or_else(|e| panic!("{v}: {e}"));
        assert_eq!(ours.to_string(), *normal, "normal form of {v}");
        versions.push(v.clone());
    }
    let mut k = 0;
    let mut checked = 0;
    let expected = lines[generated.len()].as_bytes();
    for i in 0..versions.len() {
        for j in i + 1..versions.len() {
            let want = match expected[k] {
                b'<' => Ordering::Less,
                b'>' => Ordering::Greater,
                _ => Ordering::Equal,
            };
            k += 1;
            let got = compare(&versions[i], &versions[j]).expect("parse");
            assert_eq!(got, want, "{} vs {}", versions[i], versions[j]);
            checked += 1;
        }
    }
    eprintln!(
        "PEP 440 oracle: {} valid + {invalid} invalid inputs, {checked} ordered pairs agree with packaging",
        versions.len()
    );
}
