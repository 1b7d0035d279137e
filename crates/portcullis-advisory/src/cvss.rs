//! CVSS v2 and v3.x base scores, computed from vectors.
//!
//! OSV and GHSA publish only the vector, so the score that decides a
//! finding's severity (and the `--fail-cvss` condition) is ours to compute.
//! The formulas are FIRST's: CVSS v2 "Complete Guide" §3.2.1 and CVSS v3.1
//! specification §7.1 with Appendix A's `Roundup`. v3.0 and v3.1 share the
//! base formula; v3.0's "round up to one decimal" is the same function, so
//! the floating-point-safe v3.1 `Roundup` serves both.
//!
//! Temporal and environmental metrics are accepted and ignored (a base score
//! is what every source publishes and what the policy compares). CVSS v4 is
//! refused: its scoring is a lookup over macro-vectors, not a formula, and no
//! source we read publishes v4 alone.

mod v2;
mod v3;

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
///
/// Accepted forms: `CVSS:3.0/AV:N/…`, `CVSS:3.1/AV:N/…`, and v2 as NVD
/// publishes it (`AV:N/AC:L/Au:N/C:P/I:P/A:P`), optionally wrapped in
/// parentheses or prefixed `CVSS:2.0/` (some feeds write it so). The vector
/// kept in the result is the input, trimmed.
pub fn parse(vector: &str) -> Result<Cvss, CvssError> {
    let trimmed = vector.trim();
    let fail = |reason: String| CvssError {
        vector: vector.to_owned(),
        reason,
    };
    let (version, body) = if let Some(rest) = trimmed.strip_prefix("CVSS:") {
        let (ver, body) = rest.split_once('/').unwrap_or((rest, ""));
        match ver {
            "3.0" | "3.1" => (CvssVersion::V3, body),
            "2.0" | "2" => (CvssVersion::V2, body),
            "4.0" => return Err(fail("CVSS v4 vectors are not scored".into())),
            other => return Err(fail(format!("unknown CVSS version {other:?}"))),
        }
    } else {
        let body = trimmed
            .strip_prefix('(')
            .and_then(|b| b.strip_suffix(')'))
            .unwrap_or(trimmed);
        (CvssVersion::V2, body)
    };
    let metrics = split_metrics(body).map_err(fail)?;
    let score = match version {
        CvssVersion::V3 => v3::base_score(&metrics),
        CvssVersion::V2 => v2::base_score(&metrics),
    }
    .map_err(fail)?;
    Ok(Cvss {
        version,
        vector: trimmed.to_owned(),
        score,
    })
}

/// `AV:N/AC:L/…` → `[("AV","N"), ("AC","L"), …]`, rejecting empty parts and
/// duplicate metric names (the specs allow each metric once).
fn split_metrics(body: &str) -> Result<Vec<(&str, &str)>, String> {
    if body.is_empty() {
        return Err("no metrics".into());
    }
    let mut out: Vec<(&str, &str)> = Vec::new();
    for part in body.split('/') {
        let Some((name, value)) = part.split_once(':') else {
            return Err(format!("metric {part:?} is not NAME:VALUE"));
        };
        if name.is_empty() || value.is_empty() {
            return Err(format!("metric {part:?} is not NAME:VALUE"));
        }
        if out.iter().any(|(n, _)| *n == name) {
            return Err(format!("metric {name} given twice"));
        }
        out.push((name, value));
    }
    Ok(out)
}

/// How a version's metric table reads: the base metrics with their allowed
/// values, and the names of the non-base metrics that are skipped.
struct Metrics<'a> {
    given: &'a [(&'a str, &'a str)],
}

impl<'a> Metrics<'a> {
    /// Checks that every metric is either a base metric or one of `ignored`,
    /// and that all of `base` are present.
    fn check(
        given: &'a [(&'a str, &'a str)],
        base: &[&str],
        ignored: &[&str],
    ) -> Result<Metrics<'a>, String> {
        for (name, _) in given {
            if !base.contains(name) && !ignored.contains(name) {
                return Err(format!("unknown metric {name}"));
            }
        }
        let missing: Vec<&str> = base
            .iter()
            .copied()
            .filter(|b| !given.iter().any(|(n, _)| n == b))
            .collect();
        if !missing.is_empty() {
            return Err(format!("missing base metric(s) {}", missing.join(", ")));
        }
        Ok(Metrics { given })
    }

    /// The weight of base metric `name`, looked up in `table`.
    fn weight(&self, name: &str, table: &[(&str, f64)]) -> Result<f64, String> {
        // `check` guarantees presence; a missing one still errors rather than panics.
        let value = self
            .given
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| *v)
            .ok_or_else(|| format!("missing base metric {name}"))?;
        table
            .iter()
            .find(|(v, _)| *v == value)
            .map(|(_, w)| *w)
            .ok_or_else(|| format!("invalid value {value:?} for metric {name}"))
    }

    fn value(&self, name: &str) -> Option<&'a str> {
        self.given.iter().find(|(n, _)| *n == name).map(|(_, v)| *v)
    }
}
