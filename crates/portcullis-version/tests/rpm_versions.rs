//! rpmvercmp and EVR comparison: rpm's own test cases (`tests/rpmvercmp.at`),
//! properties, and agreement with the real `rpm` (its Lua `rpm.vercmp`)
//! when it is installed.

mod common;

use std::cmp::Ordering::{self, Equal, Greater, Less};
use std::process::Command;

use common::Lcg;
use portcullis_version::rpm::{self, rpmvercmp, Evr};
use proptest::prelude::*;

/// The cases of rpm's `tests/rpmvercmp.at`.
const RPMVERCMP_AT: &[(&str, &str, Ordering)] = &[
    ("1.0", "1.0", Equal),
    ("1.0", "2.0", Less),
    ("2.0", "1.0", Greater),
    ("2.0.1", "2.0.1", Equal),
    ("2.0", "2.0.1", Less),
    ("2.0.1", "2.0", Greater),
    ("2.0.1a", "2.0.1a", Equal),
    ("2.0.1a", "2.0.1", Greater),
    ("2.0.1", "2.0.1a", Less),
    ("5.5p1", "5.5p1", Equal),
    ("5.5p1", "5.5p2", Less),
    ("5.5p2", "5.5p1", Greater),
    ("5.5p10", "5.5p10", Equal),
    ("5.5p1", "5.5p10", Less),
    ("5.5p10", "5.5p1", Greater),
    ("10xyz", "10.1xyz", Less),
    ("10.1xyz", "10xyz", Greater),
    ("xyz10", "xyz10", Equal),
    ("xyz10", "xyz10.1", Less),
    ("xyz10.1", "xyz10", Greater),
    ("xyz.4", "xyz.4", Equal),
    ("xyz.4", "8", Less),
    ("8", "xyz.4", Greater),
    ("xyz.4", "2", Less),
    ("2", "xyz.4", Greater),
    ("5.5p2", "5.6p1", Less),
    ("5.6p1", "5.5p2", Greater),
    ("5.6p1", "6.5p1", Less),
    ("6.5p1", "5.6p1", Greater),
    ("6.0.rc1", "6.0", Greater),
    ("6.0", "6.0.rc1", Less),
    ("10b2", "10a1", Greater),
    ("10a2", "10b2", Less),
    ("1.0aa", "1.0aa", Equal),
    ("1.0a", "1.0aa", Less),
    ("1.0aa", "1.0a", Greater),
    ("10.0001", "10.0001", Equal),
    ("10.0001", "10.1", Equal),
    ("10.1", "10.0001", Equal),
    ("10.0001", "10.0039", Less),
    ("10.0039", "10.0001", Greater),
    ("4.999.9", "5.0", Less),
    ("5.0", "4.999.9", Greater),
    ("20101121", "20101121", Equal),
    ("20101121", "20101122", Less),
    ("20101122", "20101121", Greater),
    ("2_0", "2_0", Equal),
    ("2.0", "2_0", Equal),
    ("2_0", "2.0", Equal),
    ("a", "a", Equal),
    ("a+", "a+", Equal),
    ("a+", "a_", Equal),
    ("a_", "a+", Equal),
    ("+a", "+a", Equal),
    ("+a", "_a", Equal),
    ("_a", "+a", Equal),
    ("+_", "+_", Equal),
    ("_+", "+_", Equal),
    ("_+", "_", Equal),
    ("+", "_", Equal),
    ("_", "+", Equal),
    ("1.0~rc1", "1.0~rc1", Equal),
    ("1.0~rc1", "1.0", Less),
    ("1.0", "1.0~rc1", Greater),
    ("1.0~rc1", "1.0~rc2", Less),
    ("1.0~rc2", "1.0~rc1", Greater),
    ("1.0~rc1~git123", "1.0~rc1~git123", Equal),
    ("1.0~rc1~git123", "1.0~rc1", Less),
    ("1.0~rc1", "1.0~rc1~git123", Greater),
    ("1.0^", "1.0^", Equal),
    ("1.0^", "1.0", Greater),
    ("1.0", "1.0^", Less),
    ("1.0^git1", "1.0^git1", Equal),
    ("1.0^git1", "1.0", Greater),
    ("1.0", "1.0^git1", Less),
    ("1.0^git1", "1.0^git2", Less),
    ("1.0^git2", "1.0^git1", Greater),
    ("1.0^git1", "1.01", Less),
    ("1.01", "1.0^git1", Greater),
    ("1.0^20160101", "1.0^20160101", Equal),
    ("1.0^20160101", "1.0.1", Less),
    ("1.0.1", "1.0^20160101", Greater),
    ("1.0^20160101^git1", "1.0^20160101^git1", Equal),
    ("1.0^20160102", "1.0^20160101^git1", Greater),
    ("1.0^20160101^git1", "1.0^20160102", Less),
    ("1.0~rc1^git1", "1.0~rc1^git1", Equal),
    ("1.0~rc1^git1", "1.0~rc1", Greater),
    ("1.0~rc1", "1.0~rc1^git1", Less),
    ("1.0^git1~pre", "1.0^git1~pre", Equal),
    ("1.0^git1", "1.0^git1~pre", Greater),
    ("1.0^git1~pre", "1.0^git1", Less),
    // The "sane" cases with letters next to numbers, and non-ASCII.
    ("1b.fc17", "1b.fc17", Equal),
    ("1b.fc17", "1.fc17", Less),
    ("1.fc17", "1b.fc17", Greater),
    ("1g.fc17", "1g.fc17", Equal),
    ("1g.fc17", "1.fc17", Greater),
    ("1.fc17", "1g.fc17", Less),
    ("1.1.α", "1.1.α", Equal),
    ("1.1.α", "1.1.β", Equal),
    ("1.1.αα", "1.1.α", Equal),
    // Beyond 64 bits.
    (
        "1.99999999999999999999999",
        "1.99999999999999999999998",
        Greater,
    ),
];

#[test]
fn rpmvercmp_at() {
    for &(a, b, want) in RPMVERCMP_AT {
        assert_eq!(rpmvercmp(a, b), want, "{a} vs {b}");
        // Without '-' and ':' an EVR is just a version.
        assert_eq!(rpm::compare(a, b), want, "{a} vs {b} as EVR");
    }
}

fn version() -> impl Strategy<Value = String> {
    "[0-9a-c.+_~^]{0,8}"
}

proptest! {
    #[test]
    fn reflexive(a in version()) {
        common::reflexive(rpmvercmp, &a)?;
        common::reflexive(rpm::compare, &a)?;
        common::reflexive(rpm::vercmp, &a)?;
    }

    #[test]
    fn antisymmetric(a in version(), b in version()) {
        common::antisymmetric(rpmvercmp, &a, &b)?;
    }

    #[test]
    fn transitive(a in version(), b in version(), c in version()) {
        common::transitive(rpmvercmp, vec![a, b, c])?;
    }

    // With every side carrying a release the EVR order is total too
    // (a missing release is a wildcard, which cannot be transitive).
    #[test]
    fn evr_transitive_with_releases(
        a in "([0-9]:)?[0-9a.~^]{1,4}-[0-9a.]{1,3}",
        b in "([0-9]:)?[0-9a.~^]{1,4}-[0-9a.]{1,3}",
        c in "([0-9]:)?[0-9a.~^]{1,4}-[0-9a.]{1,3}",
    ) {
        common::antisymmetric(rpm::compare, &a, &b)?;
        common::transitive(rpm::compare, vec![a, b, c])?;
    }

    #[test]
    fn full_evr_is_a_total_order(
        a in "([0-9]:)?[0-9a.~^]{1,4}(-[0-9a.~]{0,3})?",
        b in "([0-9]:)?[0-9a.~^]{1,4}(-[0-9a.~]{0,3})?",
        c in "([0-9]:)?[0-9a.~^]{1,4}(-[0-9a.~]{0,3})?",
    ) {
        common::antisymmetric(rpm::vercmp, &a, &b)?;
        common::transitive(rpm::vercmp, vec![a, b, c])?;
    }

    #[test]
    fn never_panics(s in "\\PC{0,12}", t in "[ -~]{0,12}") {
        let _ = rpm::compare(&s, &t);
        let _ = rpmvercmp(&t, &s);
    }
}

/// Random digit/letter/`~`/`^`/`+`/`.`/`_` strings, sometimes as a full EVR.
fn random_version(r: &mut Lcg, evr: bool) -> String {
    let mut s = String::new();
    if evr && r.below(3) == 0 {
        s.push_str(&r.below(3).to_string());
        s.push(':');
    }
    s.push(r.pick_char(b"0123456789az~^"));
    for _ in 0..r.below(7) {
        s.push(r.pick_char(b"00123456789abz..~^+_"));
    }
    if evr && r.below(2) == 0 {
        s.push('-');
        for _ in 0..r.below(4) {
            s.push(r.pick_char(b"0123456789ab.~^"));
        }
    }
    s
}

/// Runs `rpm.vercmp` over all pairs in one `rpm --eval`; `None` when rpm
/// is absent or does not have the Lua `rpm.vercmp` (rpm < 4.7).
fn rpm_vercmp(pairs: &[(String, String)]) -> Option<Vec<Ordering>> {
    let dir = std::env::temp_dir().join(format!("pcv-rpm-oracle-{}", std::process::id()));
    std::fs::create_dir_all(&dir).ok()?;
    let data = dir.join("pairs.tsv");
    let script = dir.join("cmp.lua");
    let lines: String = pairs.iter().map(|(a, b)| format!("{a}\t{b}\n")).collect();
    std::fs::write(&data, lines).ok()?;
    // Data travels through a file, so no version string is ever parsed as
    // a macro or as Lua source.
    let lua = format!(
        "for line in io.lines({:?}) do\n  local a, b = line:match('^([^\\t]*)\\t([^\\t]*)$')\n  print(rpm.vercmp(a, b) .. ' ')\nend\n",
        data.to_str()?
    );
    std::fs::write(&script, lua).ok()?;
    let out = Command::new("rpm")
        .arg("--eval")
        .arg(format!("%{{lua: dofile({:?})}}", script.to_str()?))
        .output()
        .ok()?;
    let _ = std::fs::remove_dir_all(&dir);
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8(out.stdout).ok()?;
    let results: Vec<Ordering> = text
        .split_whitespace()
        .map(|n| n.parse::<i32>().map(|n| n.cmp(&0)))
        .collect::<Result<_, _>>()
        .ok()?;
    (results.len() == pairs.len()).then_some(results)
}

#[test]
#[allow(clippy::print_stderr)] // says what was checked or skipped
fn agrees_with_rpm() {
    let mut r = Lcg(0x0dd_ba11_cafe_f00d);
    let mut pairs: Vec<(String, String)> = RPMVERCMP_AT
        .iter()
        .filter(|(a, b, _)| a.is_ascii() && b.is_ascii())
        .map(|&(a, b, _)| (a.to_owned(), b.to_owned()))
        .collect();
    for i in 0..400 {
        let evr = i % 2 == 0;
        let a = random_version(&mut r, evr);
        let b = if r.below(2) == 0 {
            // Shared prefix, different tail: the interesting comparisons.
            let cut = 1 + r.below(a.len() as u64) as usize;
            let mut b = a[..cut].to_owned();
            for _ in 0..r.below(3) {
                b.push(r.pick_char(b"019a~^."));
            }
            b
        } else {
            random_version(&mut r, evr)
        };
        pairs.push((a, b));
    }
    let Some(theirs) = rpm_vercmp(&pairs) else {
        eprintln!("rpm (with Lua rpm.vercmp) not available: skipping the rpm oracle");
        return;
    };
    // Some(true): non-empty release, Some(false): empty, None: no release.
    let release_shape = |v: &str| Evr::parse(v).release.map(|r| !r.is_empty());
    let mut same_release_shape = 0;
    for ((a, b), want) in pairs.iter().zip(theirs) {
        assert_eq!(rpm::vercmp(a, b), want, "vercmp {a:?} vs {b:?}");
        // The range rule only differs when exactly one side has a non-empty
        // release.
        let shapes = (release_shape(a), release_shape(b));
        if matches!(shapes, (Some(true), Some(true)) | (None, None)) {
            assert_eq!(rpm::compare(a, b), want, "compare {a:?} vs {b:?}");
            same_release_shape += 1;
        }
    }
    eprintln!(
        "rpm oracle: {} pairs agree with vercmp, {same_release_shape} with compare",
        pairs.len()
    );
}
