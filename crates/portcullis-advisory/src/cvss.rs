//! CVSS v2 and v3.x base scores, computed from vectors.
//!
//! OSV and GHSA publish only the vector, so the score that decides a
//! finding's severity (and the `--fail-cvss` condition) is ours to compute.

use crate::{Cvss, CvssVersion};

/// A vector that is not a valid CVSS v2 or v3 base vector.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid CVSS vector {vector:?}: {reason}")]
pub struct CvssError {
    /// The input.
    pub vector: String,
    /// What is wrong.
    pub reason: String,
}

/// Parses a v2 or v3 base vector and computes its base score.
pub fn parse(vector: &str) -> Result<Cvss, CvssError> {
    // Placeholder until the calculator lands (helper task).
    let _ = CvssVersion::V3;
    Err(CvssError {
        vector: vector.to_owned(),
        reason: "calculator not written yet".into(),
    })
}
