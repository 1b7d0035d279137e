//! Inline SVG charts, generated here so the report needs no chart library
//! and no network. Numbers are formatted with fixed precision so the
//! output is byte-for-byte deterministic.

use super::escape::Esc;
use super::w;
use crate::scan::table::severity_name;

/// Colour of a severity level (also used by the stylesheet).
pub(super) fn severity_color(level: u8) -> &'static str {
    match level {
        5 => "#b91c1c",
        4 => "#ea580c",
        3 => "#d97706",
        2 => "#2563eb",
        _ => "#64748b",
    }
}

/// Horizontal stacked bars, one per level 5..1: CONFIRMED solid,
/// POTENTIAL lighter. `confirmed[i]` / `potential[i]` are level `i + 1`.
pub(super) fn severity_bars(confirmed: [u64; 5], potential: [u64; 5]) -> String {
    const LABEL: f64 = 96.0;
    const BAR: f64 = 300.0;
    const ROW: f64 = 30.0;
    let max = (0..5)
        .map(|i| confirmed[i] + potential[i])
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let height = ROW * 5.0 + 30.0;
    let mut s = String::new();
    w!(
        s,
        "<svg class=\"chart bars\" viewBox=\"0 0 460 {height:.0}\" role=\"img\" aria-label=\"Findings by severity\">"
    );
    for (row, level) in (1..=5u8).rev().enumerate() {
        let i = usize::from(level - 1);
        let y = row as f64 * ROW + 4.0;
        let (c, p) = (confirmed[i], potential[i]);
        let wc = BAR * c as f64 / max;
        let wp = BAR * p as f64 / max;
        let color = severity_color(level);
        w!(
            s,
            "<text x=\"0\" y=\"{ty:.1}\" class=\"lbl\">{level} {name}</text>\
<rect x=\"{LABEL:.1}\" y=\"{y:.1}\" width=\"{BAR:.1}\" height=\"20\" rx=\"3\" fill=\"#f1f5f9\"/>",
            ty = y + 14.5,
            name = severity_name(level)
        );
        if c > 0 {
            w!(
                s,
                "<rect x=\"{LABEL:.1}\" y=\"{y:.1}\" width=\"{wc:.1}\" height=\"20\" rx=\"3\" fill=\"{color}\"><title>{c} confirmed</title></rect>"
            );
        }
        if p > 0 {
            w!(
                s,
                "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{wp:.1}\" height=\"20\" rx=\"3\" fill=\"{color}\" fill-opacity=\"0.4\"><title>{p} potential</title></rect>",
                x = LABEL + wc
            );
        }
        w!(
            s,
            "<text x=\"{x:.1}\" y=\"{ty:.1}\" class=\"val\">{total}</text>",
            x = LABEL + BAR + 8.0,
            ty = y + 14.5,
            total = c + p
        );
    }
    let ly = ROW * 5.0 + 16.0;
    w!(
        s,
        "<rect x=\"{LABEL:.1}\" y=\"{ry:.1}\" width=\"12\" height=\"12\" rx=\"2\" fill=\"#475569\"/>\
<text x=\"{tx:.1}\" y=\"{ly:.1}\" class=\"lbl\">Confirmed</text>\
<rect x=\"{px:.1}\" y=\"{ry:.1}\" width=\"12\" height=\"12\" rx=\"2\" fill=\"#475569\" fill-opacity=\"0.4\"/>\
<text x=\"{ptx:.1}\" y=\"{ly:.1}\" class=\"lbl\">Potential</text></svg>",
        ry = ly - 10.0,
        tx = LABEL + 18.0,
        px = LABEL + 110.0,
        ptx = LABEL + 128.0
    );
    s
}

/// A donut with a legend: `(label, value, colour)` segments and the text
/// in the middle.
pub(super) fn donut(title: &str, segments: &[(&str, u64, &str)], center: &str) -> String {
    let total: u64 = segments.iter().map(|s| s.1).sum();
    let mut s = String::new();
    w!(
        s,
        "<figure class=\"donut\"><svg viewBox=\"0 0 42 42\" role=\"img\" aria-label=\"{t}\"><title>{t}</title>\
<circle cx=\"21\" cy=\"21\" r=\"15.9155\" fill=\"none\" stroke=\"#e2e8f0\" stroke-width=\"6\"/>",
        t = Esc(title)
    );
    // The circle's circumference is 100, so dash lengths are percentages;
    // segments start at 12 o'clock (offset 25) and go clockwise.
    let mut start = 0.0f64;
    if total > 0 {
        for (label, value, color) in segments {
            if *value == 0 {
                continue;
            }
            let pct = 100.0 * *value as f64 / total as f64;
            w!(
                s,
                "<circle cx=\"21\" cy=\"21\" r=\"15.9155\" fill=\"none\" stroke=\"{color}\" stroke-width=\"6\" \
stroke-dasharray=\"{pct:.3} {rest:.3}\" stroke-dashoffset=\"{off:.3}\"><title>{l}: {value}</title></circle>",
                rest = 100.0 - pct,
                off = 25.0 - start,
                l = Esc(label)
            );
            start += pct;
        }
    }
    w!(
        s,
        "<text x=\"21\" y=\"22.5\" text-anchor=\"middle\" class=\"donut-num\">{}</text></svg>",
        Esc(center)
    );
    w!(s, "<figcaption><strong>{}</strong><ul>", Esc(title));
    for (label, value, color) in segments {
        w!(
            s,
            "<li><span class=\"swatch\" style=\"background:{color}\"></span>{} <b>{value}</b></li>",
            Esc(label)
        );
    }
    s.push_str("</ul></figcaption></figure>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn donut_segments_cover_the_circle() {
        let svg = donut(
            "t",
            &[("a", 1, "#000"), ("b", 3, "#111"), ("c", 0, "#222")],
            "4",
        );
        assert!(svg.contains("stroke-dasharray=\"25.000 75.000\" stroke-dashoffset=\"25.000\""));
        assert!(svg.contains("stroke-dasharray=\"75.000 25.000\" stroke-dashoffset=\"0.000\""));
        assert_eq!(
            svg.matches("stroke-dasharray").count(),
            2,
            "empty segments are not drawn"
        );
    }

    #[test]
    fn empty_charts_render() {
        assert!(donut("none", &[("a", 0, "#000")], "0").contains("</svg>"));
        let bars = severity_bars([0; 5], [0; 5]);
        assert!(bars.starts_with("<svg") && bars.ends_with("</svg>"));
    }
}
