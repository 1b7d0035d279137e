//! CVSS v3.0/v3.1 base score (v3.1 specification §7.1, Appendix A).

use super::Metrics;

const BASE: &[&str] = &["AV", "AC", "PR", "UI", "S", "C", "I", "A"];
const NON_BASE: &[&str] = &[
    "E", "RL", "RC", "CR", "IR", "AR", "MAV", "MAC", "MPR", "MUI", "MS", "MC", "MI", "MA",
];

const AV: &[(&str, f64)] = &[("N", 0.85), ("A", 0.62), ("L", 0.55), ("P", 0.2)];
const AC: &[(&str, f64)] = &[("L", 0.77), ("H", 0.44)];
const PR_UNCHANGED: &[(&str, f64)] = &[("N", 0.85), ("L", 0.62), ("H", 0.27)];
// Privileges matter more when the impact crosses a security scope.
const PR_CHANGED: &[(&str, f64)] = &[("N", 0.85), ("L", 0.68), ("H", 0.5)];
const UI: &[(&str, f64)] = &[("N", 0.85), ("R", 0.62)];
const CIA: &[(&str, f64)] = &[("H", 0.56), ("L", 0.22), ("N", 0.0)];

pub(super) fn base_score(given: &[(&str, &str)]) -> Result<f64, String> {
    let m = Metrics::check(given, BASE, NON_BASE)?;
    let changed = match m.value("S") {
        Some("U") => false,
        Some("C") => true,
        other => {
            return Err(format!(
                "invalid value {:?} for metric S",
                other.unwrap_or("")
            ))
        }
    };
    let av = m.weight("AV", AV)?;
    let ac = m.weight("AC", AC)?;
    let pr = m.weight("PR", if changed { PR_CHANGED } else { PR_UNCHANGED })?;
    let ui = m.weight("UI", UI)?;
    let c = m.weight("C", CIA)?;
    let i = m.weight("I", CIA)?;
    let a = m.weight("A", CIA)?;

    let iss = 1.0 - (1.0 - c) * (1.0 - i) * (1.0 - a);
    let impact = if changed {
        7.52 * (iss - 0.029) - 3.25 * (iss - 0.02).powi(15)
    } else {
        6.42 * iss
    };
    let exploitability = 8.22 * av * ac * pr * ui;
    if impact <= 0.0 {
        return Ok(0.0);
    }
    let raw = if changed {
        1.08 * (impact + exploitability)
    } else {
        impact + exploitability
    };
    Ok(roundup(raw.min(10.0)))
}

/// Appendix A `Roundup`: the smallest one-decimal number >= the input,
/// computed on integers so that e.g. 4.000000000000001 does not become 4.1.
pub(super) fn roundup(input: f64) -> f64 {
    let int_input = (input * 100_000.0).round() as i64;
    if int_input % 10_000 == 0 {
        int_input as f64 / 100_000.0
    } else {
        ((int_input / 10_000) + 1) as f64 / 10.0
    }
}

#[cfg(test)]
mod tests {
    use super::roundup;

    #[test]
    fn roundup_follows_appendix_a() {
        assert_eq!(roundup(4.02), 4.1);
        assert_eq!(roundup(4.00), 4.0);
        // The float noise the integer step exists for.
        assert_eq!(roundup(4.000_000_000_000_001), 4.0);
        assert_eq!(roundup(0.0), 0.0);
        assert_eq!(roundup(10.0), 10.0);
    }
}
