//! Policy stage: findings + policy → verdict with reasons (SPEC §5, §11).
//!
//! The evaluation is a pure function of the [`Subject`] (one image's
//! findings and packages), the [`Policy`] and the current time: no I/O, no
//! clock, so every condition and boundary is testable in a table.
//!
//! Where the vendor connectors have defects (reference §4.4, §7.8) this
//! crate does the right thing instead: an evaluation error fails the image,
//! and the software operators `<`, `<=`, `>`, `>=` compare versions in the
//! package's own scheme.
#![warn(missing_docs)]

mod conditions;
mod error;
mod evaluate;
mod model;
mod result;
mod select;
mod software;
#[cfg(test)]
mod tests;

pub use error::PolicyError;
pub use evaluate::evaluate;
pub use model::{
    CvssMode, CvssRule, IgnoreRule, Policy, QidRange, RiskRule, SoftwareOp, SoftwareRule,
};
pub use result::{
    finding_key, Counts, CvssCondition, Evaluation, FindingVerdict, FreshnessCondition,
    ListCondition, RiskCondition, SeverityCondition, Subject,
};
