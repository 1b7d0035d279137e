//! Cross-checks Maven ordering against Maven's own `ComparableVersion`
//! (the `maven-artifact` jar's command-line entry point) when `mvn` and
//! `java` are installed. Skips with a message otherwise.

mod common;

use std::cmp::Ordering;
use std::path::PathBuf;
use std::process::Command;

use common::Lcg;
use portcullis_version::maven::compare;

/// The maven-artifact jar of the installed Maven, found via `mvn -v`.
fn artifact_jar() -> Option<PathBuf> {
    let out = Command::new("mvn").arg("-v").output().ok()?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let home = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("Maven home:"))?
        .trim()
        .to_string();
    std::fs::read_dir(PathBuf::from(home).join("lib"))
        .ok()?
        .flatten()
        .map(|e| e.path())
        .find(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("maven-artifact") && n.ends_with(".jar"))
        })
}

fn generate(n: usize) -> Vec<String> {
    let mut r = Lcg(0xa11ce);
    let tokens = [
        "0", "1", "2", "10", "alpha", "beta", "a", "b", "m", "rc", "cr", "snapshot", "ga", "final",
        "release", "sp", "foo", "x", "SNAPSHOT", "Final", "RC",
    ];
    (0..n)
        .map(|_| {
            let mut s = r.pick(&["1", "2", "1.0", "1.1", "10"]).to_string();
            for _ in 0..r.below(5) {
                s.push_str(r.pick(&[".", "-", ""]));
                s.push_str(r.pick(&tokens));
            }
            s
        })
        .collect()
}

#[test]
#[allow(clippy::print_stderr)]
fn ordering_matches_maven_comparable_version() {
    let Some(jar) = artifact_jar() else {
        eprintln!("SKIP: mvn/maven-artifact jar not found; Maven oracle not run");
        return;
    };
    let versions = generate(1500);
    let Ok(out) = Command::new("java")
        .arg("-jar")
        .arg(&jar)
        .args(&versions)
        .output()
    else {
        eprintln!("SKIP: java not available; Maven oracle not run");
        return;
    };
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    // The jar prints, for each consecutive pair, an indented line
    // `A <op> B` with op one of `<`, `==`, `>`.
    let mut checked = 0;
    for (k, line) in text.lines().filter(|l| l.starts_with("   ")).enumerate() {
        let (a, b) = (&versions[k], &versions[k + 1]);
        let expected = format!("   {a} ");
        let rest = line.strip_prefix(&expected).expect("oracle line");
        let want = if rest.starts_with("< ") {
            Ordering::Less
        } else if rest.starts_with("> ") {
            Ordering::Greater
        } else {
            Ordering::Equal
        };
        assert_eq!(compare(a, b), want, "{a} vs {b}");
        checked += 1;
    }
    assert_eq!(checked, versions.len() - 1, "unexpected oracle output");
    eprintln!("Maven oracle: {checked} pairs agree with maven-artifact");
}
