//! The conditions over counted findings: severity counts, CVE and QID
//! lists, CVSS, risk score; and the DB freshness. Each fills its part of the
//! [`Evaluation`], adds one reason when it fails, and marks the findings
//! that make it fail as blocking.

use std::collections::{BTreeMap, BTreeSet};

use portcullis_match::Finding;
use time::OffsetDateTime;

use crate::model::{CvssMode, Policy, RiskRule};
use crate::result::{
    CvssCondition, Evaluation, FreshnessCondition, ListCondition, RiskCondition, SeverityCondition,
};

/// How many items an error lists before it says "and N more".
const LIST_CAP: usize = 10;

/// The counted findings and, per finding, the conditions it trips.
pub(crate) struct Counted<'a> {
    /// All findings of the subject.
    pub(crate) findings: &'a [Finding],
    /// Indexes of the counted ones, ascending.
    pub(crate) indexes: Vec<usize>,
    /// Per finding (all of them), the failing conditions it contributes to.
    pub(crate) blocking: Vec<Vec<&'static str>>,
}

impl Counted<'_> {
    fn iter(&self) -> impl Iterator<Item = (usize, &Finding)> + '_ {
        self.indexes.iter().map(|&i| (i, &self.findings[i]))
    }

    fn block(&mut self, i: usize, condition: &'static str) {
        if !self.blocking[i].contains(&condition) {
            self.blocking[i].push(condition);
        }
    }
}

/// `CVE-1 in openssl 1.1.1n`: how errors name a finding.
fn describe(f: &Finding) -> String {
    format!("{} in {} {}", f.id, f.package.name, f.package.version)
}

/// Joins at most [`LIST_CAP`] items, then says how many were left out.
pub(crate) fn capped(items: &[String]) -> String {
    let mut out = items
        .iter()
        .take(LIST_CAP)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if items.len() > LIST_CAP {
        out.push_str(&format!(" and {} more", items.len() - LIST_CAP));
    }
    out
}

fn plural(n: u64, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// Severity counts per level: fails when a level's count is greater than
/// its limit (reference §4.2: strictly greater). A counted finding outside
/// 1..=5 cannot be placed, which is an evaluation error when severities
/// matter (the vendor connector silently passed instead, §4.4).
pub(crate) fn severity(policy: &Policy, counted: &mut Counted<'_>, ev: &mut Evaluation) {
    let mut count: BTreeMap<u8, u64> = (1..=5).map(|l| (l, 0)).collect();
    let mut outside = Vec::new();
    for (_, f) in counted.iter() {
        match count.get_mut(&f.severity) {
            Some(n) => *n += 1,
            None => outside.push(format!("{} (severity {})", describe(f), f.severity)),
        }
    }
    if !outside.is_empty() && (!policy.fail_severity.is_empty() || policy.risk.is_some()) {
        let n = outside.len();
        let (noun, verb) = if n == 1 {
            ("finding", "has")
        } else {
            ("findings", "have")
        };
        ev.errors.push(format!(
            "{n} counted {noun} {verb} a severity outside 1-5, so the severity and \
             risk conditions cannot be evaluated: {}",
            capped(&outside)
        ));
    }
    let mut failing = BTreeSet::new();
    for (&level, &n) in &count {
        let limit = policy.fail_severity.get(&level).copied();
        let result = limit.is_none_or(|limit| n <= limit);
        ev.severities.insert(
            level,
            SeverityCondition {
                configured: limit,
                found: (n > 0 || limit.is_some()).then_some(n),
                result,
            },
        );
        if let (false, Some(limit)) = (result, limit) {
            failing.insert(level);
            ev.reasons.push(format!(
                "{} of severity {level} (limit {limit})",
                plural(n, "finding")
            ));
        }
    }
    // Most severe first in the reasons.
    let first = ev.reasons.len() - failing.len();
    ev.reasons[first..].reverse();
    for i in counted.indexes.clone() {
        if failing.contains(&counted.findings[i].severity) {
            counted.block(i, "severity");
        }
    }
}

/// The CVE list: fails when a counted finding carries one of the ids (as
/// its id or an alias, case-insensitively).
pub(crate) fn cves(policy: &Policy, counted: &mut Counted<'_>, ev: &mut Evaluation) {
    let mut found = BTreeSet::new();
    let mut hits = Vec::new();
    for (i, f) in counted.iter() {
        let matched: Vec<&String> = policy
            .fail_cves
            .iter()
            .filter(|c| f.ids().any(|id| id.eq_ignore_ascii_case(c)))
            .collect();
        if !matched.is_empty() {
            hits.push(i);
            found.extend(matched.into_iter().cloned());
        }
    }
    for i in hits {
        counted.block(i, "cve");
    }
    let found: Vec<String> = found.into_iter().collect();
    if !found.is_empty() {
        ev.reasons.push(format!("{} found", found.join(", ")));
    }
    ev.cves = ListCondition {
        configured: join_nonempty(&policy.fail_cves),
        result: found.is_empty(),
        found: join_nonempty(&found),
        excluded: join_nonempty(&policy.exclude_cves),
    };
}

/// The QID list: fails when a counted finding carries one. Unlike the
/// vendor connector, `found` lists only counted QIDs, once each.
pub(crate) fn qids(policy: &Policy, counted: &mut Counted<'_>, ev: &mut Evaluation) {
    let mut found = BTreeSet::new();
    let mut hits = Vec::new();
    for (i, f) in counted.iter() {
        if let Some(qid) = f.qid {
            if policy.fail_qids.iter().any(|r| r.contains(qid)) {
                found.insert(qid);
                hits.push(i);
            }
        }
    }
    for i in hits {
        counted.block(i, "qid");
    }
    let found: Vec<String> = found.iter().map(u64::to_string).collect();
    if !found.is_empty() {
        let word = if found.len() == 1 { "QID" } else { "QIDs" };
        ev.reasons
            .push(format!("{word} {} found", found.join(", ")));
    }
    let ranges = |r: &[crate::QidRange]| r.iter().map(|q| q.to_string()).collect::<Vec<_>>();
    ev.qids = ListCondition {
        configured: join_nonempty(&ranges(&policy.fail_qids)),
        result: found.is_empty(),
        found: join_nonempty(&found),
        excluded: join_nonempty(&ranges(&policy.exclude_qids)),
    };
}

fn join_nonempty(items: &[String]) -> Option<String> {
    (!items.is_empty()).then(|| items.join(", "))
}

/// The score the CVSS condition reads. `Err` in max mode when the finding
/// has neither score: the vendor connector threw and then passed the build
/// (§4.4); here the image fails with an error instead.
fn score(f: &Finding, mode: CvssMode) -> Result<Option<f64>, ()> {
    let v2 = f
        .cvss_v2
        .as_ref()
        .map(|c| c.score)
        .filter(|s| s.is_finite());
    let v3 = f
        .cvss_v3
        .as_ref()
        .map(|c| c.score)
        .filter(|s| s.is_finite());
    match mode {
        CvssMode::V2 => Ok(v2),
        CvssMode::V3 => Ok(v3),
        CvssMode::Max => match (v2, v3) {
            (None, None) => Err(()),
            (a, b) => Ok(a.into_iter().chain(b).reduce(f64::max)),
        },
    }
}

/// CVSS: fails when a counted finding's score is at or above the threshold
/// (inclusive, as the vendor's help says).
pub(crate) fn cvss(policy: &Policy, counted: &mut Counted<'_>, ev: &mut Evaluation) {
    let Some(rule) = policy.fail_cvss else {
        ev.cvss = CvssCondition {
            result: true,
            ..CvssCondition::default()
        };
        return;
    };
    let (version, label) = match rule.mode {
        CvssMode::V2 => ("2", "CVSS v2"),
        CvssMode::V3 => ("3", "CVSS v3"),
        CvssMode::Max => ("max", "CVSS max(v2, v3)"),
    };
    let mut scores: BTreeMap<String, (f64, u64)> = BTreeMap::new();
    let mut hits = Vec::new();
    let mut unscored = Vec::new();
    for (i, f) in counted.iter() {
        match score(f, rule.mode) {
            Ok(Some(s)) if s >= rule.threshold => {
                scores.entry(format!("{s:.1}")).or_insert((s, 0)).1 += 1;
                hits.push(i);
            }
            Ok(_) => {}
            Err(()) => unscored.push(describe(f)),
        }
    }
    if !unscored.is_empty() {
        ev.errors.push(format!(
            "{label} cannot be evaluated: {} without any CVSS score: {}",
            plural(unscored.len() as u64, "counted finding"),
            capped(&unscored)
        ));
    }
    for &i in &hits {
        counted.block(i, "cvss");
    }
    let found = hits.len() as u64;
    if found > 0 {
        let mut by_score: Vec<(&String, &(f64, u64))> = scores.iter().collect();
        by_score.sort_by(|a, b| b.1 .0.total_cmp(&a.1 .0));
        let detail: Vec<String> = by_score
            .iter()
            .map(|(s, (_, n))| format!("{s}: {n}"))
            .collect();
        ev.reasons.push(format!(
            "{label} >= {:.1}: {} ({})",
            rule.threshold,
            plural(found, "finding"),
            detail.join(", ")
        ));
    }
    ev.cvss = CvssCondition {
        configured: Some(rule.threshold),
        found,
        version: Some(version.to_owned()),
        result: found == 0,
        found_map: scores.into_iter().map(|(s, (_, n))| (s, n)).collect(),
    };
}

/// Risk score: the weighted sum by severity over counted findings; fails
/// when greater than the threshold. Without a rule the sum is still
/// reported, with the default weights.
pub(crate) fn risk(policy: &Policy, counted: &mut Counted<'_>, ev: &mut Evaluation) {
    let weights = policy
        .risk
        .as_ref()
        .map_or_else(RiskRule::default_weights, |r| r.weights.clone());
    let weight = |f: &Finding| weights.get(&f.severity).copied().unwrap_or(0);
    let sum = counted
        .iter()
        .fold(0u64, |acc, (_, f)| acc.saturating_add(weight(f)));
    let threshold = policy.risk.as_ref().map(|r| r.threshold);
    let result = threshold.is_none_or(|t| sum <= t);
    if let (false, Some(t)) = (result, threshold) {
        ev.reasons.push(format!("risk score {sum} > {t}"));
        for i in counted.indexes.clone() {
            if weight(&counted.findings[i]) > 0 {
                counted.block(i, "risk");
            }
        }
    }
    ev.risk = RiskCondition {
        configured: threshold,
        found: sum,
        weights,
        result,
    };
}

/// DB freshness: age in whole days; a warning after `db_warn_days`, a
/// failure after `db_fail_days`. Platform backends have no DB build time,
/// hence no check.
pub(crate) fn freshness(
    policy: &Policy,
    built: Option<OffsetDateTime>,
    now: OffsetDateTime,
    ev: &mut Evaluation,
) {
    let age = built.map(|b| (now - b).whole_days());
    let mut result = true;
    if let Some(age) = age {
        let over = |limit: Option<u32>| limit.filter(|&l| age > i64::from(l));
        if let Some(limit) = over(policy.db_fail_days) {
            result = false;
            ev.reasons.push(format!(
                "vulnerability DB is {} old (limit {})",
                plural(age as u64, "day"),
                plural(u64::from(limit), "day")
            ));
        } else if let Some(limit) = over(policy.db_warn_days) {
            ev.warnings.push(format!(
                "vulnerability DB is {} old (warn after {})",
                plural(age as u64, "day"),
                plural(u64::from(limit), "day")
            ));
        }
    }
    ev.freshness = FreshnessCondition {
        age_days: age,
        warn_days: policy.db_warn_days,
        fail_days: policy.db_fail_days,
        result,
    };
}
