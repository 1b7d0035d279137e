//! What evaluating a policy gives: a verdict per image with the reasons,
//! per condition "configured vs found" (the shape the vendor connector's
//! `qualys_images_summary.json` reports), and a verdict per finding (SPEC
//! §11: the gate never filters the report).

use std::collections::{BTreeMap, BTreeSet};

use portcullis_match::Finding;
use portcullis_types::{Digest, Package};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// Everything the policy looks at for one image. The evaluation is a pure
/// function of this, the policy and `now`.
#[derive(Clone, Copy, Debug)]
pub struct Subject<'a> {
    /// The image reference as the user gave it (ignore-rule scopes).
    pub image: &'a str,
    /// Every finding of the image, sorted.
    pub findings: &'a [Finding],
    /// Every installed package (the software condition).
    pub packages: &'a [Package],
    /// diff_ids of the layers that belong to the base image.
    pub base_layers: &'a BTreeSet<Digest>,
    /// Findings of the baseline report: keys of [`finding_key`]. `None`
    /// when no baseline was given.
    pub baseline: Option<&'a BTreeSet<String>>,
    /// When the DB was built (freshness); `None` for platform backends.
    pub db_built_at: Option<OffsetDateTime>,
}

/// The identity of a finding across runs (baseline comparison, SARIF
/// fingerprints): vulnerability id, ecosystem, package name. The installed
/// version is left out on purpose: upgrading a package that stays
/// vulnerable to the same CVE is not a *new* finding.
pub fn finding_key(f: &Finding) -> String {
    format!(
        "{}|{}|{}",
        f.id,
        f.package.ecosystem.as_str(),
        f.package.name
    )
}

/// What the gate made of one finding.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "verdict", rename_all = "lowercase")]
pub enum FindingVerdict {
    /// Counted, and it makes a failing condition fail.
    Blocking {
        /// The conditions it trips (`severity`, `cve`, `cvss`, `qid`, `risk`).
        conditions: Vec<String>,
    },
    /// Counted by the conditions, but none of them fails because of it.
    Counted,
    /// Not counted: excluded by the policy (QID/CVE exclusion, potential,
    /// base layer, status, baseline).
    Excluded {
        /// Why, e.g. `POTENTIAL findings are not counted`.
        reason: String,
    },
    /// Not counted: an ignore rule (or ignore-unfixed) applies.
    Ignored {
        /// The rule's reason.
        reason: String,
        /// Its owner, if any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        owner: Option<String>,
        /// Its expiry (YYYY-MM-DD), if any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        until: Option<String>,
    },
}

impl FindingVerdict {
    /// `blocking`, `counted`, `excluded` or `ignored` (SPEC §13).
    pub fn name(&self) -> &'static str {
        match self {
            FindingVerdict::Blocking { .. } => "blocking",
            FindingVerdict::Counted => "counted",
            FindingVerdict::Excluded { .. } => "excluded",
            FindingVerdict::Ignored { .. } => "ignored",
        }
    }
}

/// `configured` / `found` / `result` of one condition, as the vendor's
/// summary reports it (`result: true` means the condition passed).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ListCondition {
    /// The configured items joined with `", "`; `None` when off.
    pub configured: Option<String>,
    /// The matching items found, joined with `", "`; `None` when none.
    pub found: Option<String>,
    /// True when the condition passed (or is off).
    pub result: bool,
    /// Configured exclusions, joined (QIDs/CVEs), when any.
    pub excluded: Option<String>,
}

/// One severity level's condition.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeverityCondition {
    /// The limit, when set.
    pub configured: Option<u64>,
    /// Counted findings of that level; `None` when 0 and no limit is set.
    pub found: Option<u64>,
    /// True when passed.
    pub result: bool,
}

/// The CVSS condition.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CvssCondition {
    /// Threshold, when set.
    pub configured: Option<f64>,
    /// Counted findings at or above it.
    pub found: u64,
    /// `2`, `3` or `max`.
    pub version: Option<String>,
    /// True when passed.
    pub result: bool,
    /// Score (formatted with one decimal) → count, for the failing ones.
    pub found_map: BTreeMap<String, u64>,
}

/// The risk-score condition.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RiskCondition {
    /// Threshold, when set.
    pub configured: Option<u64>,
    /// The weighted sum over counted findings.
    pub found: u64,
    /// Weights used.
    pub weights: BTreeMap<u8, u64>,
    /// True when passed.
    pub result: bool,
}

/// DB freshness.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FreshnessCondition {
    /// Age of the DB in whole days, when known.
    pub age_days: Option<i64>,
    /// Warn threshold.
    pub warn_days: Option<u32>,
    /// Fail threshold.
    pub fail_days: Option<u32>,
    /// True when passed.
    pub result: bool,
}

/// Counts over **all** findings, before any exclusion (the vendor's
/// `confirmedVulnsBySev`, `potentialVulnsBySev`, `patchability`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    /// Level (1..=5) → CONFIRMED findings.
    pub confirmed_by_severity: BTreeMap<u8, u64>,
    /// Level (1..=5) → POTENTIAL findings.
    pub potential_by_severity: BTreeMap<u8, u64>,
    /// Findings with a fix available.
    pub patchable: u64,
    /// Findings without.
    pub not_patchable: u64,
    /// All findings.
    pub total: u64,
}

/// The result of evaluating a policy against one image.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    /// False when any condition failed or an evaluation error occurred.
    pub pass: bool,
    /// Level 1..=5 → its condition (all five always present).
    pub severities: BTreeMap<u8, SeverityCondition>,
    /// QID list.
    pub qids: ListCondition,
    /// CVE list.
    pub cves: ListCondition,
    /// Software list.
    pub software: ListCondition,
    /// CVSS threshold.
    pub cvss: CvssCondition,
    /// Risk score.
    pub risk: RiskCondition,
    /// DB freshness.
    pub freshness: FreshnessCondition,
    /// Whether POTENTIAL findings were counted.
    pub potential_checked: bool,
    /// Counts before exclusions.
    pub counts: Counts,
    /// One verdict per finding, in the order of `Subject::findings`.
    pub verdicts: Vec<FindingVerdict>,
    /// Human-readable reasons of the failure, one per failing condition.
    pub reasons: Vec<String>,
    /// Evaluation errors; any one fails the image (fail closed).
    pub errors: Vec<String>,
    /// Warnings: expired or soon-expiring ignore rules, stale DB, ….
    pub warnings: Vec<String>,
}
