//! The policy: which findings count, and which conditions fail an image
//! (SPEC §5, §11). A `Policy` is already validated: every list is parsed,
//! every regex compiled, every level checked, so evaluating it can only
//! fail on what the *findings* carry (a missing score, an unparseable
//! installed version), never on the policy's own syntax.

use std::collections::BTreeMap;

use serde::Serialize;
use time::Date;

/// A validated build-failure policy. `Policy::default()` has no condition
/// enabled: every image passes, and the report still lists every finding.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Policy {
    /// Per severity level 1..=5, the greatest count allowed (`> N` fails).
    pub fail_severity: BTreeMap<u8, u64>,
    /// QIDs whose presence fails (platform backends).
    pub fail_qids: Vec<QidRange>,
    /// CVE (or any vulnerability) ids whose presence fails, upper-cased.
    pub fail_cves: Vec<String>,
    /// Installed software whose presence fails, with or without findings.
    pub fail_software: Vec<SoftwareRule>,
    /// CVSS base score `>=` threshold.
    pub fail_cvss: Option<CvssRule>,
    /// Weighted risk score `>` threshold.
    pub risk: Option<RiskRule>,
    /// Whether POTENTIAL findings count (default: no).
    pub include_potential: bool,
    /// Findings carrying one of these QIDs do not count.
    pub exclude_qids: Vec<QidRange>,
    /// Findings whose ids are *all* in this list do not count (upper-cased).
    pub exclude_cves: Vec<String>,
    /// Auditable exceptions.
    pub ignore: Vec<IgnoreRule>,
    /// Findings with no fix yet do not count.
    pub ignore_unfixed: bool,
    /// Findings whose distro status is one of these (`no-dsa`,
    /// `unimportant`, …) do not count.
    pub ignore_statuses: Vec<String>,
    /// Findings from base-image layers do not count (`--ignore-base`).
    pub ignore_base: bool,
    /// DB freshness: warn after this many days.
    pub db_warn_days: Option<u32>,
    /// DB freshness: fail after this many days.
    pub db_fail_days: Option<u32>,
    /// Whether any failure condition is configured at all; platform backends
    /// use it to decide whether a timeout fails (SPEC §5).
    pub conditions_configured: bool,
}

/// One QID or an inclusive range of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct QidRange {
    /// First QID.
    pub start: u64,
    /// Last QID (== start for a single one).
    pub end: u64,
}

impl QidRange {
    /// Whether `qid` is inside.
    pub fn contains(&self, qid: u64) -> bool {
        (self.start..=self.end).contains(&qid)
    }
}

/// The comparison of a software rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum SoftwareOp {
    /// Name only: any installed version.
    Any,
    /// `=`: the version part is a regex, matched on the whole version.
    Eq,
    /// `<`, in the package's own version scheme.
    Lt,
    /// `<=`.
    Le,
    /// `>`.
    Gt,
    /// `>=`.
    Ge,
}

/// `name`, `name=version`, `name<version`, … (SPEC §5).
#[derive(Clone, Debug, Serialize)]
pub struct SoftwareRule {
    /// The rule as written (for reports).
    pub text: String,
    /// Whole-name, case-insensitive regex.
    #[serde(skip)]
    pub name: regex::Regex,
    /// The comparison.
    pub op: SoftwareOp,
    /// The version part (a regex for `=`).
    pub version: Option<String>,
}

/// Which CVSS score the CVSS condition reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum CvssMode {
    /// v2 base score.
    V2,
    /// v3 base score.
    V3,
    /// The greater of both (a finding with only one is an evaluation error,
    /// as in the vendor connector, but it fails closed).
    Max,
}

/// `--fail-cvss T [--cvss-version 2|3|max]`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct CvssRule {
    /// Threshold (inclusive).
    pub threshold: f64,
    /// Which score.
    pub mode: CvssMode,
}

/// `--risk-threshold T [--risk-weights 5=3,4=1]`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RiskRule {
    /// Fails when the weighted sum is greater than this.
    pub threshold: u64,
    /// Weight per severity level; absent levels weigh 0.
    pub weights: BTreeMap<u8, u64>,
}

impl RiskRule {
    /// The default weights of SPEC §5: 5 → 3, 4 → 1.
    pub fn default_weights() -> BTreeMap<u8, u64> {
        BTreeMap::from([(5, 3), (4, 1)])
    }
}

/// An auditable exception (SPEC §11). Every scope that is given must hold.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct IgnoreRule {
    /// The vulnerability id (any alias of the finding matches), upper-cased.
    pub id: String,
    /// Who owns the exception.
    pub owner: Option<String>,
    /// Why (mandatory).
    pub reason: String,
    /// Only for this package name (whole-name, case-insensitive), if given.
    pub package: Option<String>,
    /// Only for this image reference or repository (prefix match), if given.
    pub image: Option<String>,
    /// Only for packages with this Package URL, if given: qualifiers and
    /// subpath are not compared, and a purl without a version covers every
    /// version (VEX products are often written that way).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub purl: Option<String>,
    /// Only for packages found under this path (a plain prefix of one of
    /// the package's `locations`, no glob), if given: the same library
    /// vendored in two places may be reachable in one and not the other.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Only while no fix exists.
    pub only_unfixed: bool,
    /// Last day the rule applies (inclusive).
    #[serde(serialize_with = "iso_date")]
    pub expires: Option<Date>,
    /// VEX justification to emit (e.g. `vulnerable_code_not_in_execute_path`).
    pub vex_justification: Option<String>,
}

/// `YYYY-MM-DD`, the form rules are written in.
fn iso_date<S: serde::Serializer>(date: &Option<Date>, s: S) -> Result<S::Ok, S::Error> {
    match date {
        Some(d) => s.collect_str(&format_args!(
            "{:04}-{:02}-{:02}",
            d.year(),
            u8::from(d.month()),
            d.day()
        )),
        None => s.serialize_none(),
    }
}

impl std::fmt::Display for QidRange {
    /// `123` or `100-200`, the form the lists are written in.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.start == self.end {
            write!(f, "{}", self.start)
        } else {
            write!(f, "{}-{}", self.start, self.end)
        }
    }
}
