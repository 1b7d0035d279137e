//! Which findings count (SPEC §5, §11; reference §4.2 with its defects
//! fixed): POTENTIAL findings, exclusions by QID *and* by CVE, distro
//! statuses, base-image layers, the baseline, ignore rules and
//! ignore-unfixed. A finding that is not counted gets its verdict here, with
//! the reason; the others are left to the conditions.

use portcullis_match::{Finding, TypeDetected};
use time::{Date, OffsetDateTime, UtcOffset};

use crate::model::{IgnoreRule, Policy};
use crate::result::{finding_key, FindingVerdict, Subject};
use crate::scope::{path_matches, purl_matches};

/// How many days before its expiry an ignore rule starts to warn.
pub(crate) const EXPIRY_WARNING_DAYS: i64 = 7;

/// The calendar day `now` falls on, in UTC, so the verdict does not depend
/// on the offset the caller's clock happens to carry.
pub(crate) fn today(now: OffsetDateTime) -> Date {
    now.to_offset(UtcOffset::UTC).date()
}

/// `YYYY-MM-DD`.
pub(crate) fn iso(date: Date) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

/// Whether `id` is shaped like a CVE id (case-insensitive `CVE-` prefix).
pub(crate) fn is_cve(id: &str) -> bool {
    id.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("CVE-"))
}

/// Whether a rule's image scope covers this image (a prefix, so a
/// repository covers all of its tags and digests).
fn in_scope(rule: &IgnoreRule, image: &str) -> bool {
    rule.image
        .as_deref()
        .is_none_or(|scope| image.starts_with(scope))
}

/// Warnings about the ignore rules that concern this image: expired ones
/// (they no longer apply, and a forgotten exception must be visible) and
/// ones expiring within [`EXPIRY_WARNING_DAYS`]. In rule order.
pub(crate) fn rule_warnings(policy: &Policy, image: &str, today: Date) -> Vec<String> {
    let mut out = Vec::new();
    for rule in &policy.ignore {
        let Some(expires) = rule.expires else {
            continue;
        };
        if !in_scope(rule, image) {
            continue;
        }
        let owner = rule
            .owner
            .as_deref()
            .map(|o| format!(" (owner {o})"))
            .unwrap_or_default();
        let days = (expires - today).whole_days();
        if days < 0 {
            out.push(format!(
                "ignore rule for {} expired on {}{owner} and no longer applies",
                rule.id,
                iso(expires)
            ));
        } else if days <= EXPIRY_WARNING_DAYS {
            let when = match days {
                0 => "today".to_owned(),
                1 => "in 1 day".to_owned(),
                n => format!("in {n} days"),
            };
            out.push(format!(
                "ignore rule for {} expires on {} ({when}){owner}",
                rule.id,
                iso(expires)
            ));
        }
    }
    out
}

/// Whether `rule` applies to `f` on `today`: every scope it gives holds.
fn rule_applies(rule: &IgnoreRule, f: &Finding, image: &str, today: Date) -> bool {
    in_scope(rule, image)
        && f.ids().any(|id| id.eq_ignore_ascii_case(&rule.id))
        && rule
            .package
            .as_deref()
            .is_none_or(|p| p.eq_ignore_ascii_case(&f.package.name))
        && rule
            .purl
            .as_deref()
            .is_none_or(|p| purl_matches(p, &f.package.purl))
        && rule
            .path
            .as_deref()
            .is_none_or(|p| path_matches(p, &f.package.locations))
        && (!rule.only_unfixed || !f.patch_available)
        // The expiry day itself is still covered.
        && rule.expires.is_none_or(|last| today <= last)
}

/// The ids that CVE exclusion looks at: the finding's CVEs, or all of its
/// ids when it has no CVE (a GHSA-only advisory can be excluded by its id).
fn exclusion_ids(f: &Finding) -> Vec<&str> {
    let cves: Vec<&str> = f.ids().filter(|id| is_cve(id)).collect();
    if cves.is_empty() {
        f.ids().collect()
    } else {
        cves
    }
}

/// The verdict of a finding that does not count, or `None` when it counts.
/// The first reason that applies wins, in a fixed order, so the report
/// says the same thing on every run.
pub(crate) fn exclusion(
    f: &Finding,
    subject: &Subject<'_>,
    policy: &Policy,
    today: Date,
) -> Option<FindingVerdict> {
    let excluded = |reason: String| Some(FindingVerdict::Excluded { reason });
    if f.type_detected == TypeDetected::Potential && !policy.include_potential {
        return excluded("POTENTIAL findings are not counted".to_owned());
    }
    if let Some(qid) = f.qid {
        if policy.exclude_qids.iter().any(|r| r.contains(qid)) {
            return excluded(format!("QID {qid} is excluded"));
        }
    }
    if !policy.exclude_cves.is_empty() {
        let ids = exclusion_ids(f);
        let all = ids.iter().all(|id| {
            policy
                .exclude_cves
                .iter()
                .any(|e| e.eq_ignore_ascii_case(id))
        });
        if all {
            return excluded(format!("excluded by id: {}", ids.join(", ")));
        }
    }
    if policy.ignore_statuses.iter().any(|s| s == &f.status) {
        return excluded(format!("status {} is not counted", f.status));
    }
    if policy.ignore_base
        && f.layer
            .as_ref()
            .is_some_and(|l| subject.base_layers.contains(l))
    {
        return excluded("from the base image".to_owned());
    }
    if subject
        .baseline
        .is_some_and(|keys| keys.contains(&finding_key(f)))
    {
        return excluded("present in the baseline".to_owned());
    }
    if let Some(rule) = policy
        .ignore
        .iter()
        .find(|r| rule_applies(r, f, subject.image, today))
    {
        return Some(FindingVerdict::Ignored {
            reason: rule.reason.clone(),
            owner: rule.owner.clone(),
            until: rule.expires.map(iso),
        });
    }
    if policy.ignore_unfixed && !f.patch_available {
        return Some(FindingVerdict::Ignored {
            reason: "no fix available yet".to_owned(),
            owner: None,
            until: None,
        });
    }
    None
}
