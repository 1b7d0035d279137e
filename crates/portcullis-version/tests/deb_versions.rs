//! deb-version(7) properties, and agreement with the real `dpkg` when it is
//! installed.

mod common;

use std::cmp::Ordering;
use std::process::Command;

use common::Lcg;
use portcullis_version::deb::{self, DebVersion};
use proptest::prelude::*;

/// Versions dpkg accepts without warnings, biased towards the characters
/// whose order is subtle (`~`, `+`, `.`, letters, leading zeros).
fn version() -> impl Strategy<Value = String> {
    "([0-9]{1,2}:)?[0-9][0-9a-c.+~]{0,6}(-[0-9a-c.+~]{1,4})?"
}

/// The scheme's comparison on versions the generator made valid.
fn order(a: &str, b: &str) -> Ordering {
    deb::compare(a, b).unwrap()
}

proptest! {
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
        let _ = deb::compare(&s, &t);
        let _ = deb::compare_lenient(&t, &s);
        let _ = DebVersion::parse_lenient(&s);
    }

    #[test]
    fn display_round_trips(a in version()) {
        let v = DebVersion::parse(&a).unwrap();
        prop_assert_eq!(DebVersion::parse(&v.to_string()).unwrap().compare(&v), Ordering::Equal);
    }
}

fn random_version(r: &mut Lcg) -> String {
    let mut s = String::new();
    if r.below(4) == 0 {
        s.push_str(&r.below(3).to_string());
        s.push(':');
    }
    s.push(r.pick_char(b"0123456789"));
    for _ in 0..r.below(7) {
        s.push(r.pick_char(b"0012345789aAz.+~~"));
    }
    if r.below(2) == 0 {
        s.push('-');
        s.push(r.pick_char(b"0123456789ab~+."));
        for _ in 0..r.below(4) {
            s.push(r.pick_char(b"0123456789ab~+."));
        }
    }
    s
}

/// `dpkg --compare-versions` as an oracle; `None` when dpkg is absent.
fn dpkg_order(a: &str, b: &str) -> Option<Ordering> {
    let holds = |op: &str| {
        Command::new("dpkg")
            .args(["--compare-versions", a, op, b])
            .status()
            .ok()
            .map(|s| s.code())
    };
    match holds("lt")? {
        Some(0) => Some(Ordering::Less),
        Some(1) => match holds("eq")? {
            Some(0) => Some(Ordering::Equal),
            Some(1) => Some(Ordering::Greater),
            other => panic!("dpkg failed on {a:?} {b:?}: {other:?}"),
        },
        other => panic!("dpkg failed on {a:?} {b:?}: {other:?}"),
    }
}

#[test]
#[allow(clippy::print_stderr)] // says what was checked or skipped
fn agrees_with_dpkg() {
    if dpkg_order("1", "1").is_none() {
        eprintln!("dpkg not found: skipping the dpkg oracle");
        return;
    }
    let mut r = Lcg(0x5eed_0dec_0de5_1234);
    let mut pairs: Vec<(String, String)> = [
        ("1.0~rc1", "1.0"),
        ("1:0.9", "2.0"),
        ("1.0-1", "1.0-1.1"),
        ("2.36-9+deb12u3", "2.36-9+deb12u4"),
        ("1.0~~", "1.0~"),
        ("1.0", "1.0-0"),
        ("1.0a", "1.0+"),
    ]
    .iter()
    .map(|&(a, b)| (a.to_owned(), b.to_owned()))
    .collect();
    for _ in 0..300 {
        let a = random_version(&mut r);
        // Half of the pairs share a prefix so that comparisons go deep.
        let b = if r.below(2) == 0 {
            let cut = r.below(a.len() as u64 + 1) as usize;
            let mut b = a[..cut].to_owned();
            if b.is_empty() || b.ends_with(':') || b.ends_with('-') {
                b.push('1');
            }
            for _ in 0..r.below(3) {
                b.push(r.pick_char(b"019a~+."));
            }
            b
        } else {
            random_version(&mut r)
        };
        pairs.push((a, b));
    }
    let mut checked = 0;
    for (a, b) in &pairs {
        // Skip what dpkg itself rejects or warns about; the strict API
        // refuses those, and the lenient one is covered by unit tests.
        let (Ok(ours), Ok(_)) = (deb::compare(a, b), deb::compare(b, a)) else {
            continue;
        };
        let theirs = dpkg_order(a, b).unwrap();
        assert_eq!(ours, theirs, "{a:?} vs {b:?}");
        checked += 1;
    }
    eprintln!("dpkg oracle: {checked} pairs agree");
    assert!(checked > 200, "only {checked} comparable pairs");
}
