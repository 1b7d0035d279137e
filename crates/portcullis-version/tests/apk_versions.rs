//! apk version properties, and agreement with a real `apk version -t` when
//! one is installed.

mod common;

use std::cmp::Ordering;
use std::process::Command;

use portcullis_version::apk;
use proptest::prelude::*;
use proptest::strategy::ValueTree;

fn version() -> impl Strategy<Value = String> {
    "[0-9]{1,2}(\\.[0-9]{1,2}){0,2}[a-c]?(_(alpha|beta|pre|rc|cvs|svn|git|hg|p)[0-9]?){0,2}(~[0-9a-f]{1,3})?(-r[0-9]{1,2})?"
}

/// The scheme's comparison on versions the generator made valid.
fn order(a: &str, b: &str) -> Ordering {
    apk::compare(a, b).unwrap()
}

proptest! {
    #[test]
    fn generated_versions_are_valid(a in version()) {
        prop_assert!(apk::validate(&a).is_ok(), "{}", a);
    }

    #[test]
    fn reflexive(a in version()) {
        common::reflexive(order, &a)?;
    }

    #[test]
    fn antisymmetric(a in version(), b in version()) {
        common::antisymmetric(order, &a, &b)?;
    }

    #[test]
    fn transitive(a in version(), b in version(), c in version()) {
        common::transitive(order, vec![a, b, c])?;
    }

    #[test]
    fn never_panics(s in "\\PC{0,12}", t in "[ -~]{0,12}") {
        let _ = apk::compare(&s, &t);
        let _ = apk::validate(&t);
    }
}

/// `apk version -t A B` prints `<`, `=` or `>`; `None` when apk is absent.
fn apk_order(a: &str, b: &str) -> Option<Ordering> {
    let out = Command::new("apk")
        .args(["version", "-t", a, b])
        .output()
        .ok()?;
    match String::from_utf8_lossy(&out.stdout).trim() {
        "<" => Some(Ordering::Less),
        "=" => Some(Ordering::Equal),
        ">" => Some(Ordering::Greater),
        _ => None,
    }
}

#[test]
#[allow(clippy::print_stderr)] // says what was checked or skipped
fn agrees_with_apk_when_installed() {
    if apk_order("1", "2").is_none() {
        eprintln!("apk not found: skipping the apk oracle");
        return;
    }
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let pairs = (version(), version());
    for _ in 0..300 {
        let (a, b) = pairs.new_tree(&mut runner).unwrap().current();
        assert_eq!(
            apk::compare(&a, &b).ok(),
            apk_order(&a, &b),
            "{a:?} vs {b:?}"
        );
    }
}
