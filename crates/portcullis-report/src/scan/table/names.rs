//! How findings and images are named and ordered: severity and type
//! names, verdict text, the display order, and the image's references and
//! distro. The HTML report shares these with the table.

use std::cmp::Ordering;
use std::fmt::Write as _;

use portcullis_match::{Finding, TypeDetected};
use portcullis_policy::FindingVerdict;

use crate::scan::ImageResult;

/// The name of a severity level (SPEC §4).
pub(in crate::scan) fn severity_name(level: u8) -> &'static str {
    match level {
        5 => "Critical",
        4 => "High",
        3 => "Medium",
        2 => "Low",
        1 => "Minimal",
        _ => "Unknown",
    }
}

/// `CONFIRMED` / `POTENTIAL`.
pub(in crate::scan) fn type_name(t: TypeDetected) -> &'static str {
    match t {
        TypeDetected::Confirmed => "CONFIRMED",
        TypeDetected::Potential => "POTENTIAL",
    }
}

/// The verdict with its reason, in one line (`blocking: severity, cve`).
pub(super) fn verdict_text(v: &FindingVerdict) -> String {
    match v {
        FindingVerdict::Blocking { conditions } if conditions.is_empty() => "blocking".into(),
        FindingVerdict::Blocking { conditions } => format!("blocking: {}", conditions.join(", ")),
        FindingVerdict::Counted => "counted".into(),
        FindingVerdict::Excluded { reason } => format!("excluded: {reason}"),
        FindingVerdict::Ignored {
            reason,
            owner,
            until,
        } => {
            let mut s = format!("ignored: {reason}");
            match (owner, until) {
                (Some(o), Some(u)) => write!(s, " ({o}, until {u})"),
                (Some(o), None) => write!(s, " ({o})"),
                (None, Some(u)) => write!(s, " (until {u})"),
                (None, None) => Ok(()),
            }
            .ok();
            s
        }
    }
}

/// Display order of findings: severity descending, then id, then the
/// report's own order (package) for ties.
pub(in crate::scan) fn display_order(findings: &[Finding]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..findings.len()).collect();
    order.sort_by(|&a, &b| {
        let (fa, fb) = (&findings[a], &findings[b]);
        fb.severity
            .cmp(&fa.severity)
            .then_with(|| natural_cmp(&fa.id, &fb.id))
            .then(a.cmp(&b))
    });
    order
}

/// Compares ids so that numbers sort as numbers (`CVE-2023-5363` before
/// `CVE-2023-47038`).
pub(super) fn natural_cmp(a: &str, b: &str) -> Ordering {
    fn chunks(s: &str) -> impl Iterator<Item = (bool, &str)> {
        let mut rest = s;
        std::iter::from_fn(move || {
            let first = rest.chars().next()?;
            let digit = first.is_ascii_digit();
            let end = rest
                .find(|c: char| c.is_ascii_digit() != digit)
                .unwrap_or(rest.len());
            let (head, tail) = rest.split_at(end);
            rest = tail;
            Some((digit, head))
        })
    }
    let mut ca = chunks(a);
    let mut cb = chunks(b);
    loop {
        match (ca.next(), cb.next()) {
            (None, None) => return a.cmp(b),
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some((true, x)), Some((true, y))) => {
                let (x, y) = (x.trim_start_matches('0'), y.trim_start_matches('0'));
                let o = x.len().cmp(&y.len()).then_with(|| x.cmp(y));
                if o != Ordering::Equal {
                    return o;
                }
            }
            (Some((_, x)), Some((_, y))) => {
                if x != y {
                    return x.cmp(y);
                }
            }
        }
    }
}

/// Whether the image passed (scanned and no failing condition).
pub(in crate::scan) fn image_passed(image: &ImageResult) -> bool {
    image.error.is_none() && image.evaluation.pass
}

/// The distro in one phrase: `Debian GNU/Linux 12 (bookworm)` or `debian 12`.
pub(in crate::scan) fn distro_text(image: &ImageResult) -> Option<String> {
    let d = image.inventory.distro.as_ref()?;
    if let Some(p) = d.pretty_name.as_deref().filter(|p| !p.trim().is_empty()) {
        return Some(p.to_owned());
    }
    Some(match &d.version_id {
        Some(v) => format!("{} {v}", d.id),
        None => d.id.clone(),
    })
}

/// The references naming the image: the user's, else the inventory's.
pub(in crate::scan) fn references(image: &ImageResult) -> Vec<&str> {
    if image.references.is_empty() {
        vec![image.inventory.image.reference.as_str()]
    } else {
        image.references.iter().map(String::as_str).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_sort_naturally() {
        let mut ids = vec!["CVE-2023-47038", "GHSA-x", "CVE-2023-5363", "CVE-2022-0001"];
        ids.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(
            ids,
            ["CVE-2022-0001", "CVE-2023-5363", "CVE-2023-47038", "GHSA-x"]
        );
    }

    #[test]
    fn ignored_verdict_mentions_owner_and_expiry() {
        let v = FindingVerdict::Ignored {
            reason: "not reachable".into(),
            owner: Some("sec-team".into()),
            until: Some("2030-01-01".into()),
        };
        assert_eq!(
            verdict_text(&v),
            "ignored: not reachable (sec-team, until 2030-01-01)"
        );
    }
}
