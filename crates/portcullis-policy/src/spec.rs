//! `PolicySpec`: the policy as written, one layer of it (a file, the
//! environment, the flags), every field optional so layers can be merged
//! before the result is validated into a [`Policy`].

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::error::PolicyError;
use crate::model::{CvssMode, CvssRule, IgnoreRule, Policy, QidRange, RiskRule, SoftwareRule};
use crate::parse;

/// The keys of the policy section, kebab-case like the CLI flags.
pub const POLICY_KEYS: &[&str] = &[
    "fail-severity",
    "fail-qids",
    "fail-cves",
    "fail-software",
    "fail-cvss",
    "cvss-version",
    "risk-threshold",
    "risk-weights",
    "include-potential",
    "exclude-qids",
    "exclude-cves",
    "ignore-unfixed",
    "ignore-statuses",
    "ignore-base",
    "db-warn-days",
    "db-fail-days",
    "ignore",
];

/// The key naming VEX documents whose statements become ignore rules. It
/// is not among [`POLICY_KEYS`]: it names files rather than setting a
/// condition, so it has no `PORTCULLIS_*` variable.
pub(crate) const VEX_KEY: &str = "vex";

/// Whether `key` is accepted in a policy section.
pub(crate) fn is_policy_key(key: &str) -> bool {
    key == VEX_KEY || POLICY_KEYS.contains(&key)
}

/// The keys of an `[[ignore]]` rule.
const IGNORE_KEYS: &[&str] = &[
    "id",
    "reason",
    "owner",
    "package",
    "image",
    "purl",
    "path",
    "unfixed",
    "expires",
    "vex-justification",
];

/// One layer of policy: `None` means "not said here", so a higher layer
/// only overrides what it says ([`PolicySpec::merge`]). Values are parsed
/// when set (errors name the key), and checked again as a whole by
/// [`PolicySpec::into_policy`].
#[derive(Clone, Debug, Default)]
pub struct PolicySpec {
    /// `fail-severity`: level → greatest count allowed.
    pub fail_severity: Option<BTreeMap<u8, u64>>,
    /// `fail-qids`.
    pub fail_qids: Option<Vec<QidRange>>,
    /// `fail-cves` (upper-cased).
    pub fail_cves: Option<Vec<String>>,
    /// `fail-software`.
    pub fail_software: Option<Vec<SoftwareRule>>,
    /// `fail-cvss`: threshold.
    pub fail_cvss: Option<f64>,
    /// `cvss-version` (default v3).
    pub cvss_version: Option<CvssMode>,
    /// `risk-threshold`.
    pub risk_threshold: Option<u64>,
    /// `risk-weights` (default 5 → 3, 4 → 1).
    pub risk_weights: Option<BTreeMap<u8, u64>>,
    /// `include-potential`.
    pub include_potential: Option<bool>,
    /// `exclude-qids`.
    pub exclude_qids: Option<Vec<QidRange>>,
    /// `exclude-cves` (upper-cased).
    pub exclude_cves: Option<Vec<String>>,
    /// `ignore-unfixed`.
    pub ignore_unfixed: Option<bool>,
    /// `ignore-statuses`.
    pub ignore_statuses: Option<Vec<String>>,
    /// `ignore-base`.
    pub ignore_base: Option<bool>,
    /// `db-warn-days`.
    pub db_warn_days: Option<u32>,
    /// `db-fail-days`.
    pub db_fail_days: Option<u32>,
    /// `[[ignore]]` rules; layers add up rather than override, since
    /// exceptions come from several places (repository file, platform).
    pub ignore: Vec<IgnoreRule>,
    /// `vex`: VEX documents not read yet. [`PolicySpec::from_path`] reads
    /// them relative to the policy file's directory; the ones left (a
    /// section parsed from text) are read by [`PolicySpec::into_policy`],
    /// relative to the working directory. Layers add up.
    pub vex: Vec<PathBuf>,
}

impl PolicySpec {
    /// Sets `key` from a flag or environment string (`fail-severity`,
    /// `"5=0,4=2"`). Lists are comma-separated; booleans are
    /// `true`/`false`/`yes`/`no`/`1`/`0`. Ignore rules come only from files.
    pub fn set(&mut self, key: &str, text: &str) -> Result<(), PolicyError> {
        if key == "ignore" {
            return Err(PolicyError::invalid(
                key,
                text,
                "ignore rules are written as tables in a policy file",
            ));
        }
        self.set_value(key, &Value::String(text.to_owned()))
    }

    /// Sets `key` from a value of a parsed file (numbers, lists, maps, or
    /// the same strings [`PolicySpec::set`] takes). `ignore` adds rules.
    pub fn set_value(&mut self, key: &str, v: &Value) -> Result<(), PolicyError> {
        match key {
            "fail-severity" => self.fail_severity = Some(parse::levels(key, v)?),
            "fail-qids" => self.fail_qids = Some(parse::qids(key, v)?),
            "fail-cves" => self.fail_cves = Some(parse::vuln_ids(key, v)?),
            "fail-software" => self.fail_software = Some(parse::software(key, v)?),
            "fail-cvss" => self.fail_cvss = Some(parse::cvss_threshold(key, v)?),
            "cvss-version" => self.cvss_version = Some(parse::cvss_mode(key, v)?),
            "risk-threshold" => self.risk_threshold = Some(parse::uint(key, v)?),
            "risk-weights" => self.risk_weights = Some(parse::levels(key, v)?),
            "include-potential" => self.include_potential = Some(parse::boolean(key, v)?),
            "exclude-qids" => self.exclude_qids = Some(parse::qids(key, v)?),
            "exclude-cves" => self.exclude_cves = Some(parse::vuln_ids(key, v)?),
            "ignore-unfixed" => self.ignore_unfixed = Some(parse::boolean(key, v)?),
            "ignore-statuses" => self.ignore_statuses = Some(parse::statuses(key, v)?),
            "ignore-base" => self.ignore_base = Some(parse::boolean(key, v)?),
            "db-warn-days" => self.db_warn_days = Some(parse::days(key, v)?),
            "db-fail-days" => self.db_fail_days = Some(parse::days(key, v)?),
            VEX_KEY => self.vex.extend(parse::paths(key, v)?),
            "ignore" => {
                let rules = match v {
                    Value::Array(rules) => rules.as_slice(),
                    Value::Object(_) => std::slice::from_ref(v),
                    other => {
                        return Err(PolicyError::invalid(
                            key,
                            other.to_string(),
                            "expected a list of tables ([[ignore]])",
                        ))
                    }
                };
                let first = self.ignore.len();
                for (i, rule) in rules.iter().enumerate() {
                    self.ignore.push(ignore_rule(first + i, rule)?);
                }
            }
            _ => {
                return Err(PolicyError::UnknownKey {
                    key: key.to_owned(),
                    known: format!("{}, {VEX_KEY}", POLICY_KEYS.join(", ")),
                })
            }
        }
        Ok(())
    }

    /// Sets every key of a policy section (a map).
    pub fn from_section(section: &serde_json::Map<String, Value>) -> Result<Self, PolicyError> {
        let mut spec = PolicySpec::default();
        for (key, v) in section {
            spec.set_value(key, v)?;
        }
        Ok(spec)
    }

    /// Layers `higher` over `self`: what `higher` says wins, ignore rules
    /// add up (`self`'s first).
    pub fn merge(self, higher: PolicySpec) -> PolicySpec {
        let mut ignore = self.ignore;
        ignore.extend(higher.ignore);
        let mut vex = self.vex;
        vex.extend(higher.vex);
        PolicySpec {
            fail_severity: higher.fail_severity.or(self.fail_severity),
            fail_qids: higher.fail_qids.or(self.fail_qids),
            fail_cves: higher.fail_cves.or(self.fail_cves),
            fail_software: higher.fail_software.or(self.fail_software),
            fail_cvss: higher.fail_cvss.or(self.fail_cvss),
            cvss_version: higher.cvss_version.or(self.cvss_version),
            risk_threshold: higher.risk_threshold.or(self.risk_threshold),
            risk_weights: higher.risk_weights.or(self.risk_weights),
            include_potential: higher.include_potential.or(self.include_potential),
            exclude_qids: higher.exclude_qids.or(self.exclude_qids),
            exclude_cves: higher.exclude_cves.or(self.exclude_cves),
            ignore_unfixed: higher.ignore_unfixed.or(self.ignore_unfixed),
            ignore_statuses: higher.ignore_statuses.or(self.ignore_statuses),
            ignore_base: higher.ignore_base.or(self.ignore_base),
            db_warn_days: higher.db_warn_days.or(self.db_warn_days),
            db_fail_days: higher.db_fail_days.or(self.db_fail_days),
            ignore,
            vex,
        }
    }

    /// Validates the merged layers into a [`Policy`]. The fields are public
    /// (the CLI may fill them directly), so everything is checked again
    /// here: levels 1–5, QID ranges, CVSS 0–10, id shapes, statuses, ignore
    /// reasons. `conditions_configured` is set when any failure condition
    /// (severity, QIDs, CVEs, software, CVSS, risk) is; DB freshness is not
    /// one, since platform backends have no DB.
    pub fn into_policy(mut self) -> Result<Policy, PolicyError> {
        self.read_vex(None)?;
        let levels = |key: &str, map: Option<BTreeMap<u8, u64>>| {
            let map = map.unwrap_or_default();
            for level in map.keys() {
                parse::level(key, &level.to_string())?;
            }
            Ok::<_, PolicyError>(map)
        };
        let ranges = |key: &str, list: Option<Vec<QidRange>>| {
            list.unwrap_or_default()
                .into_iter()
                .map(|r| parse::check_range(key, r))
                .collect::<Result<Vec<_>, _>>()
        };
        let ids = |key: &str, list: Option<Vec<String>>| {
            list.unwrap_or_default()
                .iter()
                .map(|s| parse::vuln_id(key, s))
                .collect::<Result<Vec<_>, _>>()
        };
        let fail_cvss = match self.fail_cvss {
            Some(t) => Some(CvssRule {
                threshold: parse::check_cvss("fail-cvss", t)?,
                mode: self.cvss_version.unwrap_or(CvssMode::V3),
            }),
            None => None,
        };
        let risk = match self.risk_threshold {
            Some(threshold) => Some(RiskRule {
                threshold,
                weights: match self.risk_weights {
                    Some(w) => levels("risk-weights", Some(w))?,
                    None => RiskRule::default_weights(),
                },
            }),
            None => None,
        };
        let ignore_statuses = self
            .ignore_statuses
            .unwrap_or_default()
            .iter()
            .map(|s| parse::status("ignore-statuses", s))
            .collect::<Result<Vec<_>, _>>()?;
        let mut ignore = self.ignore;
        for (i, rule) in ignore.iter_mut().enumerate() {
            rule.id = parse::vuln_id(&format!("ignore[{i}].id"), &rule.id)?;
            if let Some(purl) = &rule.purl {
                parse::purl(&format!("ignore[{i}].purl"), purl)?;
            }
            if rule.reason.trim().is_empty() {
                return Err(PolicyError::invalid(
                    &format!("ignore[{i}].reason"),
                    &rule.reason,
                    "every ignore rule needs a reason",
                ));
            }
        }
        let mut policy = Policy {
            fail_severity: levels("fail-severity", self.fail_severity)?,
            fail_qids: ranges("fail-qids", self.fail_qids)?,
            fail_cves: ids("fail-cves", self.fail_cves)?,
            fail_software: self.fail_software.unwrap_or_default(),
            fail_cvss,
            risk,
            include_potential: self.include_potential.unwrap_or(false),
            exclude_qids: ranges("exclude-qids", self.exclude_qids)?,
            exclude_cves: ids("exclude-cves", self.exclude_cves)?,
            ignore,
            ignore_unfixed: self.ignore_unfixed.unwrap_or(false),
            ignore_statuses,
            ignore_base: self.ignore_base.unwrap_or(false),
            db_warn_days: self.db_warn_days,
            db_fail_days: self.db_fail_days,
            conditions_configured: false,
        };
        policy.conditions_configured = !policy.fail_severity.is_empty()
            || !policy.fail_qids.is_empty()
            || !policy.fail_cves.is_empty()
            || !policy.fail_software.is_empty()
            || policy.fail_cvss.is_some()
            || policy.risk.is_some();
        Ok(policy)
    }
}

impl PolicySpec {
    /// Reads the pending VEX documents into ignore rules (after the rules
    /// of the same layer), relative paths against `base` when given.
    pub(crate) fn read_vex(&mut self, base: Option<&Path>) -> Result<(), PolicyError> {
        for path in std::mem::take(&mut self.vex) {
            let path = match base {
                Some(dir) if path.is_relative() => dir.join(path),
                _ => path,
            };
            self.ignore.extend(crate::vex::read_vex(&path)?);
        }
        Ok(())
    }
}

/// One `[[ignore]]` table; `reason` and `id` are mandatory.
fn ignore_rule(index: usize, v: &Value) -> Result<IgnoreRule, PolicyError> {
    let at = |k: &str| format!("ignore[{index}].{k}");
    let Value::Object(table) = v else {
        return Err(PolicyError::invalid(
            &format!("ignore[{index}]"),
            v.to_string(),
            "expected a table with id and reason",
        ));
    };
    let mut rule = IgnoreRule {
        id: String::new(),
        owner: None,
        reason: String::new(),
        package: None,
        image: None,
        purl: None,
        path: None,
        only_unfixed: false,
        expires: None,
        vex_justification: None,
    };
    for (k, v) in table {
        let key = at(k);
        match k.as_str() {
            "id" => rule.id = parse::vuln_id(&key, &parse::text(&key, v)?)?,
            "reason" => rule.reason = parse::text(&key, v)?,
            "owner" => rule.owner = Some(parse::text(&key, v)?),
            "package" => rule.package = Some(parse::text(&key, v)?),
            "image" => rule.image = Some(parse::text(&key, v)?),
            "purl" => rule.purl = Some(parse::purl(&key, &parse::text(&key, v)?)?),
            "path" => rule.path = Some(parse::text(&key, v)?),
            "unfixed" => rule.only_unfixed = parse::boolean(&key, v)?,
            "expires" => rule.expires = Some(parse::date(&key, v)?),
            "vex-justification" => {
                rule.vex_justification = Some(parse::vex_justification(&key, v)?)
            }
            _ => {
                return Err(PolicyError::UnknownKey {
                    key,
                    known: IGNORE_KEYS.join(", "),
                })
            }
        }
    }
    for (field, missing, what) in [
        ("id", rule.id.is_empty(), "an id"),
        ("reason", rule.reason.is_empty(), "a reason"),
    ] {
        if missing {
            return Err(PolicyError::invalid(
                &at(field),
                "",
                format!("every ignore rule needs {what}"),
            ));
        }
    }
    Ok(rule)
}
