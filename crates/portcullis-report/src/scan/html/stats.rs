//! Image Statistics: counts by severity and type, patchability, verdicts
//! and origin (base image or own layers), with inline SVG charts. The
//! counts are the vendor's: over **all** findings, before exclusions.

use std::collections::BTreeMap;

use portcullis_policy::FindingVerdict;

use super::charts::{donut, severity_bars};
use super::{from_base, severity_badge, w, ImageView};

pub(super) fn view(out: &mut String, views: &[ImageView<'_>]) {
    for v in views {
        v.open(out);
        v.heading(out, "statistics");
        if v.image.error.is_some() {
            out.push_str("<p class=\"muted\">The image could not be scanned; see the Build Summary.</p>\n</div>\n");
            continue;
        }
        image_stats(out, v);
        out.push_str("</div>\n");
    }
}

fn tile(out: &mut String, class: &str, value: u64, label: &str) {
    w!(
        out,
        "<div class=\"tile {class}\"><span class=\"num\">{value}</span><span class=\"lbl\">{label}</span></div>"
    );
}

fn image_stats(out: &mut String, v: &ImageView<'_>) {
    let image = v.image;
    let counts = &image.evaluation.counts;
    let level = |m: &BTreeMap<u8, u64>| -> [u64; 5] {
        std::array::from_fn(|i| m.get(&((i + 1) as u8)).copied().unwrap_or(0))
    };
    let confirmed = level(&counts.confirmed_by_severity);
    let potential = level(&counts.potential_by_severity);
    let (mut blocking, mut counted, mut excluded, mut ignored) = (0u64, 0u64, 0u64, 0u64);
    for (i, _) in image.findings.iter().enumerate() {
        match v.verdict(i) {
            Some(FindingVerdict::Blocking { .. }) => blocking += 1,
            Some(FindingVerdict::Counted) | None => counted += 1,
            Some(FindingVerdict::Excluded { .. }) => excluded += 1,
            Some(FindingVerdict::Ignored { .. }) => ignored += 1,
        }
    }
    let (mut base, mut own, mut unknown) = (0u64, 0u64, 0u64);
    for f in &image.findings {
        match from_base(v, f) {
            Some(true) => base += 1,
            Some(false) => own += 1,
            None => unknown += 1,
        }
    }
    let total_confirmed: u64 = confirmed.iter().sum();
    let total_potential: u64 = potential.iter().sum();
    let total = counts.total.max(total_confirmed + total_potential);

    out.push_str("<div class=\"tiles\">");
    tile(out, "", total, "Vulnerabilities");
    tile(
        out,
        if blocking > 0 { "bad" } else { "good" },
        blocking,
        "Blocking",
    );
    tile(out, "", total_confirmed, "Confirmed");
    tile(out, "", total_potential, "Potential");
    tile(out, "", counts.patchable, "Patchable");
    tile(out, "", image.inventory.packages.len() as u64, "Packages");
    out.push_str("</div>\n");

    out.push_str("<div class=\"grid2\"><div class=\"card\"><h3>Vulnerabilities by severity</h3>");
    out.push_str(&severity_bars(confirmed, potential));
    out.push_str("</div><div class=\"card\"><h3>Counts by severity and type</h3><table class=\"counts\"><thead><tr><th>Severity</th><th class=\"n\">Confirmed</th><th class=\"n\">Potential</th><th class=\"n\">Total</th></tr></thead><tbody>");
    for l in (1..=5u8).rev() {
        let i = usize::from(l - 1);
        w!(
            out,
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            severity_badge(l),
            confirmed[i],
            potential[i],
            confirmed[i] + potential[i]
        );
    }
    w!(
        out,
        "</tbody><tfoot><tr><th>Total</th><td class=\"n\">{total_confirmed}</td><td class=\"n\">{total_potential}</td><td class=\"n\">{total}</td></tr></tfoot></table>"
    );
    w!(
        out,
        "<p class=\"muted\">Patchable: <b>{}</b> yes, <b>{}</b> no. Counts cover every finding, before exclusions (as the vendor's summary does).</p></div></div>\n",
        counts.patchable,
        counts.not_patchable
    );

    out.push_str("<div class=\"card donuts\">");
    out.push_str(&donut(
        "Type detected",
        &[
            ("Confirmed", total_confirmed, "#334155"),
            ("Potential", total_potential, "#94a3b8"),
        ],
        &total.to_string(),
    ));
    out.push_str(&donut(
        "Patchability",
        &[
            ("Fix available", counts.patchable, "#16a34a"),
            ("No fix", counts.not_patchable, "#dc2626"),
        ],
        &total.to_string(),
    ));
    out.push_str(&donut(
        "Policy verdict",
        &[
            ("Blocking", blocking, "#b91c1c"),
            ("Counted", counted, "#f59e0b"),
            ("Excluded", excluded, "#94a3b8"),
            ("Ignored", ignored, "#7c3aed"),
        ],
        &total.to_string(),
    ));
    let mut origin = vec![
        ("Base image", base, "#0ea5e9"),
        ("Own layers", own, "#6366f1"),
    ];
    if unknown > 0 {
        origin.push(("Unknown layer", unknown, "#cbd5e1"));
    }
    out.push_str(&donut("Origin", &origin, &total.to_string()));
    out.push_str("</div>\n");
    ecosystems(out, v);
}

fn ecosystems(out: &mut String, v: &ImageView<'_>) {
    // ecosystem → (packages, findings, highest severity)
    let mut rows: BTreeMap<&str, (u64, u64, u8)> = BTreeMap::new();
    for p in &v.image.inventory.packages {
        rows.entry(p.ecosystem.as_str()).or_default().0 += 1;
    }
    for f in &v.image.findings {
        let r = rows.entry(f.package.ecosystem.as_str()).or_default();
        r.1 += 1;
        r.2 = r.2.max(f.severity);
    }
    if rows.is_empty() {
        return;
    }
    out.push_str("<div class=\"card\"><h3>By ecosystem</h3><table class=\"counts\"><thead><tr><th>Ecosystem</th><th class=\"n\">Packages</th><th class=\"n\">Findings</th><th>Highest severity</th></tr></thead><tbody>");
    for (eco, (packages, findings, top)) in rows {
        let top = if findings == 0 {
            "<span class=\"muted\">—</span>".to_owned()
        } else {
            super::severity_badge(top)
        };
        w!(
            out,
            "<tr><td><code>{eco}</code></td><td class=\"n\">{packages}</td><td class=\"n\">{findings}</td><td>{top}</td></tr>"
        );
    }
    out.push_str("</tbody></table></div>\n");
}
