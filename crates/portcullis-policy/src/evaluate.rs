//! `evaluate`: one image's findings and packages against a policy.

use std::collections::BTreeMap;

use portcullis_match::{Finding, TypeDetected};
use time::OffsetDateTime;

use crate::conditions::{self, Counted};
use crate::model::Policy;
use crate::result::{Counts, Evaluation, FindingVerdict, Subject};
use crate::{select, software};

/// Evaluates `policy` against one image. A pure function: the same inputs
/// give the same [`Evaluation`], byte for byte once serialised.
///
/// The image fails when any condition fails (`reasons`) or when a
/// condition could not be evaluated (`errors`: a finding without any CVSS
/// score in max mode, an installed version its scheme cannot read, a
/// severity outside 1..=5). The vendor connector let such errors pass the
/// build (reference §4.4); here they fail it, with a message saying why.
///
/// `now` decides ignore-rule expiry (the calendar day in UTC) and the DB's
/// age.
pub fn evaluate(subject: &Subject<'_>, policy: &Policy, now: OffsetDateTime) -> Evaluation {
    let today = select::today(now);
    let findings = subject.findings;
    let mut ev = Evaluation {
        potential_checked: policy.include_potential,
        counts: counts(findings),
        warnings: select::rule_warnings(policy, subject.image, today),
        ..Evaluation::default()
    };

    let exclusions: Vec<Option<FindingVerdict>> = findings
        .iter()
        .map(|f| select::exclusion(f, subject, policy, today))
        .collect();
    let mut counted = Counted {
        findings,
        indexes: (0..findings.len())
            .filter(|&i| exclusions[i].is_none())
            .collect(),
        blocking: vec![Vec::new(); findings.len()],
    };

    // The order of the reasons and of each finding's blocking conditions.
    conditions::severity(policy, &mut counted, &mut ev);
    conditions::cves(policy, &mut counted, &mut ev);
    conditions::qids(policy, &mut counted, &mut ev);
    software::software(policy, subject.packages, &mut ev);
    conditions::cvss(policy, &mut counted, &mut ev);
    conditions::risk(policy, &mut counted, &mut ev);
    conditions::freshness(policy, subject.db_built_at, now, &mut ev);

    ev.verdicts = exclusions
        .into_iter()
        .zip(counted.blocking)
        .map(|(excluded, blocking)| match excluded {
            Some(verdict) => verdict,
            None if blocking.is_empty() => FindingVerdict::Counted,
            None => FindingVerdict::Blocking {
                conditions: blocking.into_iter().map(str::to_owned).collect(),
            },
        })
        .collect();
    ev.pass = ev.reasons.is_empty() && ev.errors.is_empty();
    ev
}

/// Counts over all findings, before any exclusion (reference §4.3): every
/// level 1..=5 is present; a finding outside 1..=5 is only in `total` and
/// the patchability counts.
fn counts(findings: &[Finding]) -> Counts {
    let levels = || (1..=5u8).map(|l| (l, 0u64)).collect::<BTreeMap<_, _>>();
    let mut counts = Counts {
        confirmed_by_severity: levels(),
        potential_by_severity: levels(),
        ..Counts::default()
    };
    for f in findings {
        let by_severity = match f.type_detected {
            TypeDetected::Confirmed => &mut counts.confirmed_by_severity,
            TypeDetected::Potential => &mut counts.potential_by_severity,
        };
        if let Some(n) = by_severity.get_mut(&f.severity) {
            *n += 1;
        }
        if f.patch_available {
            counts.patchable += 1;
        } else {
            counts.not_patchable += 1;
        }
        counts.total += 1;
    }
    counts
}
