//! Which findings count; severity, CVE and QID conditions; counts.

use std::collections::BTreeMap;

use portcullis_match::TypeDetected;

use super::support::*;
use crate::{FindingVerdict, Policy, QidRange, SeverityCondition};

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
