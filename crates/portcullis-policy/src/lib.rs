//! Policy stage: findings + policy → verdict with reasons (SPEC §5, §11).
//!
//! The evaluation is a pure function of the [`Subject`] (one image's
//! findings and packages), the [`Policy`] and the current time: no I/O, no
//! clock, so every condition and boundary is testable in a table.
//!
//! Where the vendor connectors have defects (reference §4.4, §7.8) this
//! crate does the right thing instead: an evaluation error fails the image,
//! the software operators `<`, `<=`, `>`, `>=` compare versions in the
//! package's own scheme, QID and CVE exclusions work together, and the
//! QID/CVE lists are trimmed and case-insensitive.
//!
//! # Writing a policy
//!
//! A [`PolicySpec`] is one layer of policy (a file, the environment, the
//! flags). The CLI builds one per layer and merges them, lowest first:
//!
//! ```no_run
//! # use portcullis_policy::*;
//! # fn main() -> Result<(), PolicyError> {
//! let file = PolicySpec::from_path(std::path::Path::new("portcullis.toml"))?;
//! let mut flags = PolicySpec::default();
//! flags.set("fail-severity", "5=0,4=2")?; // a flag's or PORTCULLIS_* variable's text
//! let policy = PolicySpec::default().merge(file).merge(flags).into_policy()?;
//! # let _ = policy; Ok(()) }
//! ```
//!
//! Keys (files, [`PolicySpec::set`]) are kebab-case like the flags:
//! `fail-severity` (`{"5" = 0}` or `"5=0,4=2"`), `fail-qids` (numbers and
//! `"a-b"` ranges, or `"1-100,200"`), `fail-cves`, `fail-software`
//! (`name`, `name=versionRegex`, `name<v`, `<=`, `>`, `>=`), `fail-cvss`,
//! `cvss-version` (`2`, `3`, `max`; default 3), `risk-threshold`,
//! `risk-weights` (default `5=3,4=1`), `include-potential`, `exclude-qids`,
//! `exclude-cves`, `ignore-unfixed`, `ignore-statuses`, `ignore-base`,
//! `db-warn-days`, `db-fail-days`, and `[[ignore]]` tables (`id`, `reason`
//! (mandatory), `owner`, `package`, `image`, `purl`, `path`, `unfixed`,
//! `expires = "YYYY-MM-DD"`, `vex-justification`; every scope given must
//! hold), and `vex = ["file.json", …]`: OpenVEX or CycloneDX VEX
//! documents, relative to the policy file, whose not-affected, false
//! positive and fixed statements become ignore rules ([`read_vex`]). A file may hold them at its top
//! level or in a `policy` section. In the comma-separated string form a
//! software regex cannot contain a comma; use a list in a file for that.
//!
//! The `parse_*` functions read single flag strings into typed values for
//! callers that fill [`PolicySpec`]'s fields directly; their errors name
//! the `fail-…` key (use [`PolicySpec::set`] for the `exclude-…` keys).
#![warn(missing_docs)]

mod conditions;
mod error;
mod evaluate;
mod file;
mod model;
mod parse;
mod result;
mod scope;
mod select;
mod software;
mod spec;
#[cfg(test)]
mod tests;
mod vex;

use std::collections::BTreeMap;

use serde_json::Value;

pub use error::PolicyError;
pub use evaluate::evaluate;
pub use file::FileFormat;
pub use model::{
    CvssMode, CvssRule, IgnoreRule, Policy, QidRange, RiskRule, SoftwareOp, SoftwareRule,
};
pub use result::{
    finding_key, Counts, CvssCondition, Evaluation, FindingVerdict, FreshnessCondition,
    ListCondition, RiskCondition, SeverityCondition, Subject,
};
pub use spec::{PolicySpec, POLICY_KEYS};
pub use vex::{parse_vex, read_vex, VexError};

fn text(s: &str) -> Value {
    Value::String(s.to_owned())
}

/// `5=0,4=2` → level → limit (`--fail-severity`).
pub fn parse_severity_limits(s: &str) -> Result<BTreeMap<u8, u64>, PolicyError> {
    parse::levels("fail-severity", &text(s))
}

/// `1-100,200` → QID ranges (`--fail-qids`).
pub fn parse_qids(s: &str) -> Result<Vec<QidRange>, PolicyError> {
    parse::qids("fail-qids", &text(s))
}

/// `CVE-2023-1234, cve-2023-5678` → trimmed, upper-cased ids (`--fail-cves`).
pub fn parse_cves(s: &str) -> Result<Vec<String>, PolicyError> {
    parse::vuln_ids("fail-cves", &text(s))
}

/// `openssl<3.0.7,curl` → software rules (`--fail-software`).
pub fn parse_software(s: &str) -> Result<Vec<SoftwareRule>, PolicyError> {
    parse::software("fail-software", &text(s))
}

/// `5=3,4=1` → level → weight (`--risk-weights`).
pub fn parse_risk_weights(s: &str) -> Result<BTreeMap<u8, u64>, PolicyError> {
    parse::levels("risk-weights", &text(s))
}

/// `2`, `3`, `max` (or the vendor's `maxOfv2andv3`) (`--cvss-version`).
pub fn parse_cvss_mode(s: &str) -> Result<CvssMode, PolicyError> {
    parse::cvss_mode("cvss-version", &text(s))
}
