//! OSV range semantics and distro statuses, case by case.

use portcullis_advisory::{Affected, DistroStatus, Event, Namespace, Range, RangeKind};
use portcullis_types::Ecosystem;

use crate::evaluate::{evaluate, Verdict};

fn entry(kind: RangeKind, events: &[Event], versions: &[&str]) -> Affected {
    Affected {
        namespace: Namespace::ecosystem(Ecosystem::Pypi),
        package: "p".into(),
        ranges: if events.is_empty() {
            vec![]
        } else {
            vec![Range {
                kind,
                events: events.to_vec(),
            }]
        },
        versions: versions.iter().map(|v| (*v).to_owned()).collect(),
        status: None,
        severity: None,
    }
}

fn intro(v: &str) -> Event {
    Event::Introduced(v.into())
}
fn fixed(v: &str) -> Event {
    Event::Fixed(v.into())
}
fn last(v: &str) -> Event {
    Event::LastAffected(v.into())
}
fn limit(v: &str) -> Event {
    Event::Limit(v.into())
}

/// (confirmed?, fixed) when affected; None when not.
fn judge(a: &Affected, eco: Ecosystem, v: &str) -> Option<(bool, Option<String>)> {
    match evaluate(a, eco, v) {
        Verdict::NotAffected { .. } => None,
        Verdict::Affected {
            confirmed, fixed, ..
        } => Some((confirmed, fixed)),
    }
}

#[test]
fn introduced_fixed_is_half_open() {
    let a = entry(RangeKind::Ecosystem, &[intro("1.0"), fixed("1.5")], &[]);
    let eco = Ecosystem::Pypi;
    assert_eq!(judge(&a, eco, "0.9"), None);
    assert_eq!(judge(&a, eco, "1.0"), Some((true, Some("1.5".into()))));
    assert_eq!(judge(&a, eco, "1.4.9"), Some((true, Some("1.5".into()))));
    assert_eq!(judge(&a, eco, "1.5"), None);
    assert_eq!(judge(&a, eco, "1.5.0"), None, "PEP 440 1.5 == 1.5.0");
    assert_eq!(judge(&a, eco, "2.0"), None);
    // A pre-release of the fix is still before the fix.
    assert_eq!(judge(&a, eco, "1.5rc1"), Some((true, Some("1.5".into()))));
}

#[test]
fn several_intervals_in_one_range_in_any_order() {
    // Events given out of order, as some feeds do: the matcher sorts.
    let a = entry(
        RangeKind::Ecosystem,
        &[fixed("2.2.5"), intro("2.2"), fixed("1.11.20"), intro("0")],
        &[],
    );
    let eco = Ecosystem::Pypi;
    assert_eq!(
        judge(&a, eco, "1.11.19"),
        Some((true, Some("1.11.20".into())))
    );
    assert_eq!(judge(&a, eco, "1.11.20"), None);
    assert_eq!(judge(&a, eco, "2.1"), None);
    assert_eq!(judge(&a, eco, "2.2"), Some((true, Some("2.2.5".into()))));
    assert_eq!(judge(&a, eco, "2.2.5"), None);
}

#[test]
fn last_affected_is_inclusive_and_has_no_fix() {
    let a = entry(RangeKind::Ecosystem, &[intro("0"), last("3.0.1")], &[]);
    assert_eq!(judge(&a, Ecosystem::Pypi, "3.0.1"), Some((true, None)));
    assert_eq!(judge(&a, Ecosystem::Pypi, "3.0.2"), None);
}

#[test]
fn limit_bounds_the_range() {
    let a = entry(RangeKind::Ecosystem, &[intro("1.0"), limit("2.0")], &[]);
    assert_eq!(judge(&a, Ecosystem::Pypi, "1.9"), Some((true, None)));
    assert_eq!(judge(&a, Ecosystem::Pypi, "2.0"), None);
    let star = entry(RangeKind::Ecosystem, &[intro("1.0"), limit("*")], &[]);
    assert_eq!(judge(&star, Ecosystem::Pypi, "9.0"), Some((true, None)));
}

#[test]
fn explicit_versions_match_exactly() {
    let a = entry(
        RangeKind::Git,
        &[intro("abc123"), fixed("def456")],
        &["2.19.1", "2.19.0"],
    );
    assert_eq!(judge(&a, Ecosystem::Pypi, "2.19.1"), Some((true, None)));
    assert_eq!(
        judge(&a, Ecosystem::Pypi, "2.20"),
        None,
        "git ranges are not evaluated"
    );
    let only_git = entry(RangeKind::Git, &[intro("abc123")], &[]);
    assert_eq!(
        judge(&only_git, Ecosystem::Pypi, "1.0"),
        Some((false, None)),
        "POTENTIAL"
    );
}

#[test]
fn go_semver_ranges_accept_both_spellings() {
    let a = entry(RangeKind::Semver, &[intro("0"), fixed("1.19.9")], &[]);
    assert_eq!(
        judge(&a, Ecosystem::Go, "v1.19.8"),
        Some((true, Some("1.19.9".into())))
    );
    assert_eq!(judge(&a, Ecosystem::Go, "v1.20.0"), None);
}

#[test]
fn dpkg_compares_epochs_and_tildes() {
    let mut a = entry(
        RangeKind::Ecosystem,
        &[intro("0"), fixed("3.0.11-1~deb12u2")],
        &[],
    );
    a.namespace = Namespace::distro("debian", "12");
    a.status = Some(DistroStatus::Fixed);
    let eco = Ecosystem::Deb;
    assert_eq!(
        judge(&a, eco, "3.0.11-1~deb12u1"),
        Some((true, Some("3.0.11-1~deb12u2".into())))
    );
    assert_eq!(judge(&a, eco, "3.0.11-1~deb12u2"), None);
    assert_eq!(judge(&a, eco, "3.0.11-1"), None, "~ sorts before the end");
    assert_eq!(
        judge(&a, eco, "1:1.0-1"),
        None,
        "an epoch outranks everything"
    );
}

#[test]
fn rpm_fix_without_release_covers_every_release() {
    let a = entry(RangeKind::Ecosystem, &[intro("0"), fixed("1.2.3")], &[]);
    assert_eq!(judge(&a, Ecosystem::Rpm, "1.2.3-4.el9"), None);
    assert_eq!(
        judge(&a, Ecosystem::Rpm, "1.2.2-9.el9"),
        Some((true, Some("1.2.3".into())))
    );
    assert_eq!(judge(&a, Ecosystem::Rpm, "1:1.0-1.el9"), None);
}

#[test]
fn distro_statuses_decide_when_there_is_no_range() {
    for (status, confirmed) in [
        (DistroStatus::Open, true),
        (DistroStatus::NoDsa, true),
        (DistroStatus::Postponed, true),
        (DistroStatus::Unimportant, true),
        (DistroStatus::WillNotFix, true),
        (DistroStatus::EndOfLife, true),
        (DistroStatus::Undetermined, false),
    ] {
        let mut a = entry(RangeKind::Ecosystem, &[], &[]);
        a.status = Some(status);
        assert_eq!(
            judge(&a, Ecosystem::Deb, "1.0-1"),
            Some((confirmed, None)),
            "{status:?}"
        );
    }
    let mut not = entry(RangeKind::Ecosystem, &[intro("0")], &[]);
    not.status = Some(DistroStatus::NotAffected);
    assert_eq!(judge(&not, Ecosystem::Deb, "1.0-1"), None);
    let bare = entry(RangeKind::Ecosystem, &[], &[]);
    assert_eq!(
        judge(&bare, Ecosystem::Pypi, "1.0"),
        Some((false, None)),
        "no ranges: POTENTIAL"
    );
}

#[test]
fn unparseable_versions_make_a_potential_finding() {
    let a = entry(RangeKind::Ecosystem, &[intro("0"), fixed("2.0")], &[]);
    match evaluate(&a, Ecosystem::Pypi, "not a version!") {
        Verdict::Affected {
            confirmed, doubt, ..
        } => {
            assert!(!confirmed);
            assert!(doubt.unwrap().contains("not a version!"));
        }
        v => panic!("expected POTENTIAL, got {v:?}"),
    }
}

#[test]
fn npm_ranges_use_node_semver() {
    let a = entry(RangeKind::NpmRange, &[], &[]);
    let a = Affected {
        ranges: vec![Range::npm(">=4.17.15 <4.17.19", Some(">=4.17.19"))],
        ..a
    };
    assert_eq!(judge(&a, Ecosystem::Npm, "4.17.15"), Some((true, None)));
    assert_eq!(judge(&a, Ecosystem::Npm, "4.17.19"), None);
    assert_eq!(judge(&a, Ecosystem::Npm, "4.17.14"), None);
}

#[test]
fn comparisons_are_written_down() {
    let a = entry(RangeKind::Ecosystem, &[intro("1.0"), fixed("1.5")], &[]);
    match evaluate(&a, Ecosystem::Pypi, "1.2") {
        Verdict::Affected { comparisons, .. } => assert_eq!(
            comparisons,
            vec![
                "1.2 >= 1.0 (introduced, pep440)",
                "1.2 < 1.5 (fixed, pep440)"
            ]
        ),
        v => panic!("{v:?}"),
    }
}
