//! CVSS v2 base score (CVSS v2 Complete Guide §3.2.1).

use super::Metrics;

const BASE: &[&str] = &["AV", "AC", "Au", "C", "I", "A"];
const NON_BASE: &[&str] = &["E", "RL", "RC", "CDP", "TD", "CR", "IR", "AR"];

const AV: &[(&str, f64)] = &[("L", 0.395), ("A", 0.646), ("N", 1.0)];
const AC: &[(&str, f64)] = &[("H", 0.35), ("M", 0.61), ("L", 0.71)];
const AU: &[(&str, f64)] = &[("M", 0.45), ("S", 0.56), ("N", 0.704)];
const CIA: &[(&str, f64)] = &[("N", 0.0), ("P", 0.275), ("C", 0.660)];

pub(super) fn base_score(given: &[(&str, &str)]) -> Result<f64, String> {
    let m = Metrics::check(given, BASE, NON_BASE)?;
    let av = m.weight("AV", AV)?;
    let ac = m.weight("AC", AC)?;
    let au = m.weight("Au", AU)?;
    let c = m.weight("C", CIA)?;
    let i = m.weight("I", CIA)?;
    let a = m.weight("A", CIA)?;

    let impact = 10.41 * (1.0 - (1.0 - c) * (1.0 - i) * (1.0 - a));
    let exploitability = 20.0 * av * ac * au;
    let f_impact = if impact == 0.0 { 0.0 } else { 1.176 };
    let raw = (0.6 * impact + 0.4 * exploitability - 1.5) * f_impact;
    Ok(round_to_1_decimal(raw))
}

/// v2 rounds half up to one decimal. The products above carry float noise
/// (a true x.x5 can come out as x.x4999999), so round on a value nudged by
/// far less than any real score difference.
fn round_to_1_decimal(x: f64) -> f64 {
    let r = (x * 10.0 + 1e-9).round() / 10.0;
    // `-0.0` would print oddly; no v2 base score is negative.
    r.max(0.0)
}
