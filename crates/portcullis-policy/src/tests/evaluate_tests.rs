//! Conditions and their boundaries.

use std::collections::BTreeMap;

use portcullis_advisory::CvssVersion::{V2, V3};
use portcullis_match::TypeDetected;
use time::Duration;

use super::support::*;
use crate::{CvssMode, CvssRule, FindingVerdict, Policy, QidRange, RiskRule, SeverityCondition};

fn limits(pairs: &[(u8, u64)]) -> BTreeMap<u8, u64> {
    pairs.iter().copied().collect()
}

#[test]
fn default_policy_passes_and_counts_everything() {
    let fx = Fixture::new(vec![
        finding("CVE-2024-0001", 5),
        finding("CVE-2024-0002", 1),
    ]);
    let ev = fx.eval(&Policy::default());
    assert!(ev.pass);
    assert!(ev.reasons.is_empty() && ev.errors.is_empty() && ev.warnings.is_empty());
    assert_eq!(verdict_names(&ev), ["counted", "counted"]);
    assert_eq!(ev.severities.len(), 5);
    assert_eq!(ev.severities[&5].found, Some(1));
    assert_eq!(ev.severities[&3].found, None);
    assert!(ev.qids.result && ev.cves.result && ev.software.result && ev.cvss.result);
    assert_eq!(ev.qids.configured, None);
    // Risk is reported with the default weights even when not configured.
    assert_eq!(ev.risk.found, 3);
    assert!(ev.risk.result);
}

#[test]
fn severity_limit_is_strictly_greater_than() {
    // (limit, findings of severity 5, pass)
    let table = [
        (0, 0, true),
        (0, 1, false),
        (2, 2, true),
        (2, 3, false),
        (5, 0, true),
    ];
    for (limit, n, pass) in table {
        let fx = Fixture::new(
            (0..n)
                .map(|i| finding(&format!("CVE-2024-{i:04}"), 5))
                .collect(),
        );
        let policy = Policy {
            fail_severity: limits(&[(5, limit)]),
            ..Policy::default()
        };
        let ev = fx.eval(&policy);
        assert_eq!(ev.pass, pass, "limit {limit}, {n} findings");
        assert_eq!(
            ev.severities[&5],
            SeverityCondition {
                configured: Some(limit),
                found: Some(n),
                result: pass
            }
        );
        let expected = if pass { "counted" } else { "blocking" };
        assert!(verdict_names(&ev).iter().all(|v| *v == expected));
    }
}

#[test]
fn severity_found_is_none_only_without_count_and_limit() {
    let fx = Fixture::new(vec![finding("CVE-2024-0001", 3)]);
    let policy = Policy {
        fail_severity: limits(&[(4, 0), (5, 0)]),
        ..Policy::default()
    };
    let ev = fx.eval(&policy);
    let found: Vec<Option<u64>> = ev.severities.values().map(|c| c.found).collect();
    assert_eq!(found, [None, None, Some(1), Some(0), Some(0)]);
    assert!(ev.pass);
}

#[test]
fn severity_reasons_most_severe_first() {
    let fx = Fixture::new(vec![
        finding("CVE-2024-0001", 4),
        finding("CVE-2024-0002", 5),
        finding("CVE-2024-0003", 5),
    ]);
    let policy = Policy {
        fail_severity: limits(&[(4, 0), (5, 1)]),
        ..Policy::default()
    };
    let ev = fx.eval(&policy);
    assert_eq!(
        ev.reasons,
        [
            "2 findings of severity 5 (limit 1)",
            "1 finding of severity 4 (limit 0)"
        ]
    );
}

#[test]
fn severity_outside_range_is_an_error_when_it_matters() {
    let fx = Fixture::new(vec![finding("CVE-2024-0001", 7)]);
    assert!(fx.eval(&Policy::default()).pass);
    let policy = Policy {
        fail_severity: limits(&[(5, 0)]),
        ..Policy::default()
    };
    let ev = fx.eval(&policy);
    assert!(!ev.pass);
    assert!(ev.reasons.is_empty());
    assert!(
        ev.errors[0].contains("CVE-2024-0001 in pkg 1.0-1 (severity 7)"),
        "{:?}",
        ev.errors
    );
    assert_eq!(ev.counts.total, 1);
    assert_eq!(ev.counts.confirmed_by_severity.values().sum::<u64>(), 0);
}

#[test]
fn cve_list_matches_ids_and_aliases_case_insensitively() {
    let fx = Fixture::new(vec![
        finding_with("GHSA-aaaa-bbbb-cccc", 3, |f| {
            f.aliases = vec!["cve-2023-1234".into()]
        }),
        finding("CVE-2023-9999", 3),
        finding("CVE-2023-1234", 2),
    ]);
    let policy = Policy {
        fail_cves: vec!["CVE-2023-1234".into(), "CVE-2020-0001".into()],
        ..Policy::default()
    };
    let ev = fx.eval(&policy);
    assert!(!ev.pass);
    assert_eq!(ev.reasons, ["CVE-2023-1234 found"]);
    assert_eq!(ev.cves.found.as_deref(), Some("CVE-2023-1234"));
    assert_eq!(
        ev.cves.configured.as_deref(),
        Some("CVE-2023-1234, CVE-2020-0001")
    );
    assert_eq!(verdict_names(&ev), ["blocking", "counted", "blocking"]);
    assert_eq!(
        ev.verdicts[0],
        FindingVerdict::Blocking {
            conditions: vec!["cve".into()]
        }
    );
}

#[test]
fn qid_ranges_are_inclusive_and_found_lists_counted_qids_once() {
    let with_qid = |id: &str, qid| finding_with(id, 3, |f| f.qid = Some(qid));
    let fx = Fixture::new(vec![
        with_qid("CVE-2024-0001", 170_590),
        with_qid("CVE-2024-0002", 170_590),
        with_qid("CVE-2024-0003", 170_591),
        with_qid("CVE-2024-0004", 179_203),
        with_qid("CVE-2024-0005", 178_393),
    ]);
    let policy = Policy {
        fail_qids: vec![
            QidRange {
                start: 170_560,
                end: 170_590,
            },
            QidRange {
                start: 178_393,
                end: 178_393,
            },
        ],
        exclude_qids: vec![QidRange {
            start: 178_393,
            end: 178_393,
        }],
        ..Policy::default()
    };
    let ev = fx.eval(&policy);
    assert_eq!(ev.reasons, ["QID 170590 found"]);
    assert_eq!(ev.qids.configured.as_deref(), Some("170560-170590, 178393"));
    assert_eq!(ev.qids.excluded.as_deref(), Some("178393"));
    assert_eq!(
        verdict_names(&ev),
        ["blocking", "blocking", "counted", "counted", "excluded"]
    );
}

#[test]
fn cve_exclusion_needs_all_cves_and_works_with_qid_exclusion() {
    let fx = Fixture::new(vec![
        // Both CVEs excluded → excluded.
        finding_with("CVE-2024-0001", 5, |f| {
            f.aliases = vec!["CVE-2024-0002".into()]
        }),
        // One of two excluded → counted.
        finding_with("CVE-2024-0001", 5, |f| {
            f.aliases = vec!["CVE-2024-0003".into()]
        }),
        // Non-CVE aliases do not keep a finding counted.
        finding_with("CVE-2024-0002", 5, |f| {
            f.aliases = vec!["DSA-5000-1".into()]
        }),
        // No CVE: its own ids decide.
        finding("GHSA-xxxx-yyyy-zzzz", 5),
        finding("PYSEC-2024-1", 5),
        // QID exclusion in the same policy.
        finding_with("CVE-2024-0009", 5, |f| f.qid = Some(42)),
    ]);
    let policy = Policy {
        fail_severity: limits(&[(5, 0)]),
        exclude_cves: vec![
            "CVE-2024-0001".into(),
            "CVE-2024-0002".into(),
            "GHSA-XXXX-YYYY-ZZZZ".into(),
        ],
        exclude_qids: vec![QidRange { start: 42, end: 42 }],
        ..Policy::default()
    };
    let ev = fx.eval(&policy);
    assert_eq!(
        verdict_names(&ev),
        ["excluded", "blocking", "excluded", "excluded", "blocking", "excluded"]
    );
    assert_eq!(ev.reasons, ["2 findings of severity 5 (limit 0)"]);
    assert_eq!(
        ev.verdicts[5],
        FindingVerdict::Excluded {
            reason: "QID 42 is excluded".into()
        }
    );
}

#[test]
fn potential_findings_count_only_when_asked() {
    let fx = Fixture::new(vec![finding_with("CVE-2024-0001", 5, |f| {
        f.type_detected = TypeDetected::Potential
    })]);
    for (include, pass) in [(false, true), (true, false)] {
        let policy = Policy {
            fail_severity: limits(&[(5, 0)]),
            include_potential: include,
            ..Policy::default()
        };
        let ev = fx.eval(&policy);
        assert_eq!(ev.pass, pass);
        assert_eq!(ev.potential_checked, include);
        assert_eq!(ev.counts.potential_by_severity[&5], 1);
    }
}

#[test]
fn statuses_base_layers_and_baseline_exclude() {
    let mut fx = Fixture::new(vec![
        finding_with("CVE-2024-0001", 5, |f| f.status = "no-dsa".into()),
        finding_with("CVE-2024-0002", 5, |f| f.layer = Some(layer('a'))),
        finding_with("CVE-2024-0003", 5, |f| f.layer = Some(layer('b'))),
        finding("CVE-2024-0004", 5),
    ]);
    fx.base_layers.insert(layer('a'));
    fx.baseline = Some([crate::finding_key(&fx.findings[3])].into());
    let policy = Policy {
        fail_severity: limits(&[(5, 0)]),
        ignore_statuses: vec!["no-dsa".into()],
        ignore_base: true,
        ..Policy::default()
    };
    let ev = fx.eval(&policy);
    assert_eq!(
        verdict_names(&ev),
        ["excluded", "excluded", "blocking", "excluded"]
    );
    let reasons: Vec<String> = ev
        .verdicts
        .iter()
        .filter_map(|v| match v {
            FindingVerdict::Excluded { reason } => Some(reason.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(
        reasons,
        [
            "status no-dsa is not counted",
            "from the base image",
            "present in the baseline"
        ]
    );
    // Without ignore_base the base layer counts.
    let ev = fx.eval(&Policy {
        ignore_base: false,
        ..policy
    });
    assert_eq!(verdict_names(&ev)[1], "blocking");
}

#[test]
fn ignore_unfixed() {
    let fx = Fixture::new(vec![
        finding_with("CVE-2024-0001", 5, |f| f.patch_available = false),
        finding("CVE-2024-0002", 5),
    ]);
    let policy = Policy {
        fail_severity: limits(&[(5, 0)]),
        ignore_unfixed: true,
        ..Policy::default()
    };
    let ev = fx.eval(&policy);
    assert_eq!(
        ev.verdicts[0],
        FindingVerdict::Ignored {
            reason: "no fix available yet".into(),
            owner: None,
            until: None
        }
    );
    assert_eq!(ev.reasons, ["1 finding of severity 5 (limit 0)"]);
    assert_eq!((ev.counts.patchable, ev.counts.not_patchable), (1, 1));
}

#[test]
fn counts_cover_all_findings_before_exclusion() {
    let fx = Fixture::new(vec![
        finding("CVE-2024-0001", 3),
        finding_with("CVE-2024-0002", 2, |f| {
            f.type_detected = TypeDetected::Potential
        }),
        finding_with("CVE-2024-0003", 4, |f| f.patch_available = false),
    ]);
    let policy = Policy {
        exclude_cves: vec!["CVE-2024-0001".into()],
        ..Policy::default()
    };
    let c = fx.eval(&policy).counts;
    assert_eq!(
        c.confirmed_by_severity,
        limits(&[(1, 0), (2, 0), (3, 1), (4, 1), (5, 0)])
    );
    assert_eq!(
        c.potential_by_severity,
        limits(&[(1, 0), (2, 1), (3, 0), (4, 0), (5, 0)])
    );
    assert_eq!((c.patchable, c.not_patchable, c.total), (2, 1, 3));
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
