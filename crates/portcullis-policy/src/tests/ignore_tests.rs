//! Ignore rules: matching, scope, only-unfixed, expiry and its warnings.

use time::macros::date;

use super::support::*;
use crate::{FindingVerdict, IgnoreRule, Policy};

fn rule(id: &str) -> IgnoreRule {
    IgnoreRule {
        id: id.to_owned(),
        owner: Some("alice".to_owned()),
        reason: "not reachable".to_owned(),
        package: None,
        image: None,
        purl: None,
        path: None,
        only_unfixed: false,
        expires: None,
        vex_justification: None,
    }
}

fn policy(rules: Vec<IgnoreRule>) -> Policy {
    Policy {
        fail_severity: [(5, 0)].into(),
        ignore: rules,
        ..Policy::default()
    }
}

#[test]
fn rule_matches_id_or_alias_case_insensitively() {
    let fx = Fixture::new(vec![
        finding_with("GHSA-aaaa-bbbb-cccc", 5, |f| {
            f.aliases = vec!["CVE-2024-0001".into()]
        }),
        finding("cve-2024-0001", 5),
        finding("CVE-2024-0002", 5),
    ]);
    let ev = fx.eval(&policy(vec![rule("CVE-2024-0001")]));
    assert_eq!(verdict_names(&ev), ["ignored", "ignored", "blocking"]);
    assert_eq!(
        ev.verdicts[0],
        FindingVerdict::Ignored {
            reason: "not reachable".into(),
            owner: Some("alice".into()),
            until: None
        }
    );
}

#[test]
fn package_image_and_unfixed_scopes() {
    let fx = Fixture::new(vec![
        finding("CVE-2024-0001", 5),
        finding_with("CVE-2024-0001", 5, |f| f.package.name = "other".into()),
        finding_with("CVE-2024-0001", 5, |f| f.patch_available = false),
    ]);
    // (rule, verdicts)
    let table: Vec<(IgnoreRule, [&str; 3])> = vec![
        (
            IgnoreRule {
                package: Some("PKG".into()),
                ..rule("CVE-2024-0001")
            },
            ["ignored", "blocking", "ignored"],
        ),
        (
            IgnoreRule {
                image: Some("registry.example/team/".into()),
                ..rule("CVE-2024-0001")
            },
            ["ignored", "ignored", "ignored"],
        ),
        (
            IgnoreRule {
                image: Some("registry.example/other".into()),
                ..rule("CVE-2024-0001")
            },
            ["blocking", "blocking", "blocking"],
        ),
        (
            IgnoreRule {
                only_unfixed: true,
                ..rule("CVE-2024-0001")
            },
            ["blocking", "blocking", "ignored"],
        ),
    ];
    for (r, expected) in table {
        let ev = fx.eval(&policy(vec![r.clone()]));
        assert_eq!(verdict_names(&ev), expected, "{r:?}");
    }
}

#[test]
fn expiry_is_inclusive_then_the_rule_stops_and_warns() {
    let fx = Fixture::new(vec![finding("CVE-2024-0001", 5)]);
    let expiring = |d| IgnoreRule {
        expires: Some(d),
        ..rule("CVE-2024-0001")
    };
    // NOW is 2026-06-15.
    let ev = fx.eval(&policy(vec![expiring(date!(2026 - 06 - 15))]));
    assert!(ev.pass);
    assert_eq!(
        ev.verdicts[0],
        FindingVerdict::Ignored {
            reason: "not reachable".into(),
            owner: Some("alice".into()),
            until: Some("2026-06-15".into())
        }
    );
    assert_eq!(
        ev.warnings,
        ["ignore rule for CVE-2024-0001 expires on 2026-06-15 (today) (owner alice)"]
    );

    let ev = fx.eval(&policy(vec![expiring(date!(2026 - 06 - 14))]));
    assert!(!ev.pass);
    assert_eq!(verdict_names(&ev), ["blocking"]);
    assert_eq!(
        ev.warnings,
        ["ignore rule for CVE-2024-0001 expired on 2026-06-14 (owner alice) and no longer applies"]
    );

    // Within 7 days warns; 8 days ahead does not.
    let ev = fx.eval(&policy(vec![expiring(date!(2026 - 06 - 22))]));
    assert_eq!(
        ev.warnings,
        ["ignore rule for CVE-2024-0001 expires on 2026-06-22 (in 7 days) (owner alice)"]
    );
    assert!(fx
        .eval(&policy(vec![expiring(date!(2026 - 06 - 23))]))
        .warnings
        .is_empty());
}

#[test]
fn rules_for_other_images_do_not_warn() {
    let fx = Fixture::new(Vec::new());
    let r = IgnoreRule {
        image: Some("registry.example/other".into()),
        owner: None,
        expires: Some(date!(2020 - 01 - 01)),
        ..rule("CVE-2024-0001")
    };
    assert!(fx.eval(&policy(vec![r.clone()])).warnings.is_empty());
    let r = IgnoreRule { image: None, ..r };
    assert_eq!(
        fx.eval(&policy(vec![r])).warnings,
        ["ignore rule for CVE-2024-0001 expired on 2020-01-01 and no longer applies"]
    );
}

#[test]
fn exclusions_take_precedence_over_ignore_rules() {
    let fx = Fixture::new(vec![finding_with("CVE-2024-0001", 5, |f| {
        f.status = "no-dsa".into()
    })]);
    let p = Policy {
        ignore_statuses: vec!["no-dsa".into()],
        ..policy(vec![rule("CVE-2024-0001")])
    };
    assert_eq!(verdict_names(&fx.eval(&p)), ["excluded"]);
}

#[test]
fn purl_and_path_scopes_and_all_given_scopes_must_hold() {
    let fx = Fixture::new(vec![
        finding_with("CVE-2024-0001", 5, |f| {
            f.package.purl = "pkg:pypi/django@4.2.1".into();
            f.package.locations = vec!["/app/venv/lib/site-packages/django".into()];
        }),
        finding_with("CVE-2024-0001", 5, |f| {
            f.package.purl = "pkg:pypi/django@4.2.1".into();
            f.package.locations = vec!["/usr/lib/python3/dist-packages/django".into()];
        }),
        finding_with("CVE-2024-0001", 5, |f| {
            f.package.purl = "pkg:pypi/django@5.0?extra=1".into();
            f.package.locations = vec!["/app/other/django".into()];
        }),
    ]);
    let table: Vec<(IgnoreRule, [&str; 3])> = vec![
        (
            IgnoreRule {
                purl: Some("pkg:pypi/django".into()),
                ..rule("CVE-2024-0001")
            },
            ["ignored", "ignored", "ignored"],
        ),
        (
            IgnoreRule {
                purl: Some("pkg:pypi/Django@4.2.1?foo=bar#sub".into()),
                ..rule("CVE-2024-0001")
            },
            ["ignored", "ignored", "blocking"],
        ),
        (
            IgnoreRule {
                path: Some("/app/".into()),
                ..rule("CVE-2024-0001")
            },
            ["ignored", "blocking", "ignored"],
        ),
        (
            IgnoreRule {
                purl: Some("pkg:pypi/django@4.2.1".into()),
                path: Some("/app/".into()),
                ..rule("CVE-2024-0001")
            },
            ["ignored", "blocking", "blocking"],
        ),
        (
            IgnoreRule {
                purl: Some("pkg:pypi/django".into()),
                package: Some("other".into()),
                ..rule("CVE-2024-0001")
            },
            ["blocking", "blocking", "blocking"],
        ),
        (
            IgnoreRule {
                purl: Some("pkg:npm/django".into()),
                ..rule("CVE-2024-0001")
            },
            ["blocking", "blocking", "blocking"],
        ),
    ];
    for (r, expected) in table {
        let ev = fx.eval(&policy(vec![r.clone()]));
        assert_eq!(verdict_names(&ev), expected, "{r:?}");
    }
}
