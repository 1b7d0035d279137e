//! CVSS, risk score, blocking conditions and DB freshness.

use std::collections::BTreeMap;

use portcullis_advisory::CvssVersion::{V2, V3};
use time::Duration;

use super::support::*;
use crate::{CvssMode, CvssRule, FindingVerdict, Policy, QidRange, RiskRule};

fn limits(pairs: &[(u8, u64)]) -> BTreeMap<u8, u64> {
    pairs.iter().copied().collect()
}

fn cvss_policy(threshold: f64, mode: CvssMode) -> Policy {
    Policy {
        fail_cvss: Some(CvssRule { threshold, mode }),
        ..Policy::default()
    }
}

#[test]
fn cvss_threshold_is_inclusive_per_version() {
    let f = finding_with("CVE-2024-0001", 4, |f| {
        f.cvss_v2 = cvss(V2, 6.8);
        f.cvss_v3 = cvss(V3, 8.1);
    });
    let fx = Fixture::new(vec![f]);
    // (threshold, mode, pass)
    let table = [
        (8.1, CvssMode::V3, false),
        (8.2, CvssMode::V3, true),
        (6.8, CvssMode::V2, false),
        (6.9, CvssMode::V2, true),
        (8.1, CvssMode::Max, false),
        (8.2, CvssMode::Max, true),
    ];
    for (threshold, mode, pass) in table {
        let ev = fx.eval(&cvss_policy(threshold, mode));
        assert_eq!(ev.pass, pass, "{threshold} {mode:?}");
        assert_eq!(ev.cvss.found, u64::from(!pass));
        assert_eq!(ev.cvss.found_map.is_empty(), pass);
        assert!(ev.errors.is_empty());
    }
}

#[test]
fn cvss_reason_and_found_map() {
    let scored = |id: &str, s: f64| finding_with(id, 4, |f| f.cvss_v3 = cvss(V3, s));
    let fx = Fixture::new(vec![
        scored("CVE-2024-0001", 8.1),
        scored("CVE-2024-0002", 7.5),
        scored("CVE-2024-0003", 8.1),
        scored("CVE-2024-0004", 10.0),
        scored("CVE-2024-0005", 6.9),
        // V3 mode ignores a finding without a v3 score.
        finding_with("CVE-2024-0006", 4, |f| f.cvss_v2 = cvss(V2, 9.0)),
    ]);
    let ev = fx.eval(&cvss_policy(7.0, CvssMode::V3));
    assert_eq!(
        ev.reasons,
        ["CVSS v3 >= 7.0: 4 findings (10.0: 1, 8.1: 2, 7.5: 1)"]
    );
    assert_eq!(ev.cvss.version.as_deref(), Some("3"));
    assert_eq!(
        ev.cvss.found_map,
        BTreeMap::from([("10.0".into(), 1), ("7.5".into(), 1), ("8.1".into(), 2)])
    );
    assert_eq!(
        verdict_names(&ev),
        ["blocking", "blocking", "blocking", "blocking", "counted", "counted"]
    );
}

#[test]
fn cvss_max_mode_uses_the_one_score_present_and_fails_closed_without_any() {
    let fx = Fixture::new(vec![finding_with("CVE-2024-0001", 4, |f| {
        f.cvss_v2 = cvss(V2, 7.5)
    })]);
    assert!(!fx.eval(&cvss_policy(7.0, CvssMode::Max)).pass);

    let fx = Fixture::new(vec![finding("CVE-2024-0002", 4)]);
    let ev = fx.eval(&cvss_policy(7.0, CvssMode::Max));
    assert!(!ev.pass);
    assert!(ev.reasons.is_empty());
    assert_eq!(
        ev.errors,
        [
            "CVSS max(v2, v3) cannot be evaluated: 1 counted finding without any CVSS score: \
          CVE-2024-0002 in pkg 1.0-1"
        ]
    );
    // An excluded finding without scores is no error.
    let policy = Policy {
        exclude_cves: vec!["CVE-2024-0002".into()],
        ..cvss_policy(7.0, CvssMode::Max)
    };
    assert!(fx.eval(&policy).pass);
    // V2 / V3 modes skip unscored findings, as the vendor does.
    assert!(fx.eval(&cvss_policy(7.0, CvssMode::V3)).pass);
}

#[test]
fn risk_score_fails_above_threshold_only() {
    // 2 × severity 5 (3 each) + 1 × severity 4 (1) = 7 with the default weights.
    let fx = Fixture::new(vec![
        finding("CVE-2024-0001", 5),
        finding("CVE-2024-0002", 5),
        finding("CVE-2024-0003", 4),
        finding("CVE-2024-0004", 2),
    ]);
    for (threshold, pass) in [(7, true), (6, false), (0, false)] {
        let policy = Policy {
            risk: Some(RiskRule {
                threshold,
                weights: RiskRule::default_weights(),
            }),
            ..Policy::default()
        };
        let ev = fx.eval(&policy);
        assert_eq!(ev.pass, pass, "threshold {threshold}");
        assert_eq!(ev.risk.found, 7);
        if !pass {
            assert_eq!(ev.reasons, [format!("risk score 7 > {threshold}")]);
            // Severity 2 weighs nothing, so it does not block.
            assert_eq!(
                verdict_names(&ev),
                ["blocking", "blocking", "blocking", "counted"]
            );
        }
    }
    let policy = Policy {
        risk: Some(RiskRule {
            threshold: 3,
            weights: limits(&[(2, 4)]),
        }),
        ..Policy::default()
    };
    let ev = fx.eval(&policy);
    assert_eq!(ev.risk.found, 4);
    assert_eq!(ev.reasons, ["risk score 4 > 3"]);
}

#[test]
fn blocking_lists_every_condition_in_order() {
    let fx = Fixture::new(vec![finding_with("CVE-2024-0001", 5, |f| {
        f.qid = Some(7);
        f.cvss_v3 = cvss(V3, 9.8);
    })]);
    let policy = Policy {
        fail_severity: limits(&[(5, 0)]),
        fail_cves: vec!["CVE-2024-0001".into()],
        fail_qids: vec![QidRange { start: 7, end: 7 }],
        fail_cvss: Some(CvssRule {
            threshold: 9.0,
            mode: CvssMode::V3,
        }),
        risk: Some(RiskRule {
            threshold: 0,
            weights: RiskRule::default_weights(),
        }),
        ..Policy::default()
    };
    let ev = fx.eval(&policy);
    assert_eq!(
        ev.verdicts[0],
        FindingVerdict::Blocking {
            conditions: ["severity", "cve", "qid", "cvss", "risk"]
                .map(String::from)
                .to_vec()
        }
    );
    assert_eq!(ev.reasons.len(), 5);
}

#[test]
fn db_freshness_warns_then_fails() {
    let mut fx = Fixture::new(Vec::new());
    let policy = Policy {
        db_warn_days: Some(3),
        db_fail_days: Some(7),
        ..Policy::default()
    };
    assert_eq!(fx.eval(&policy).freshness.age_days, None);
    // (age in days, pass, warnings)
    for (age, pass, warned) in [
        (3, true, false),
        (4, true, true),
        (7, true, true),
        (8, false, false),
    ] {
        fx.db_built_at = Some(NOW - Duration::days(age) - Duration::hours(1));
        let ev = fx.eval(&policy);
        assert_eq!(ev.freshness.age_days, Some(age));
        assert_eq!(
            (ev.pass, !ev.warnings.is_empty()),
            (pass, warned),
            "age {age}"
        );
        assert_eq!(ev.freshness.result, pass);
    }
    assert_eq!(
        fx.eval(&policy).reasons,
        ["vulnerability DB is 8 days old (limit 7 days)"]
    );
}
