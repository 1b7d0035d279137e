//! Vulnerabilities: every finding (the gate never filters the report) with
//! its verdict and reason, most severe first; sortable and filterable when
//! the script runs.

use portcullis_match::Finding;
use portcullis_policy::FindingVerdict;

use super::escape::{safe_url, Esc};
use super::{severity_badge, short_digest, w, ImageView};
use crate::scan::table::type_name;

pub(super) fn view(out: &mut String, views: &[ImageView<'_>]) {
    for v in views {
        v.open(out);
        v.heading(out, "vulnerabilities");
        if v.image.findings.is_empty() {
            let what = if v.image.error.is_some() {
                "The image could not be scanned."
            } else {
                "No vulnerabilities found."
            };
            w!(out, "<p class=\"empty\">{what}</p>\n</div>\n");
            continue;
        }
        table(out, v);
        out.push_str("</div>\n");
    }
}

/// The filter bar of a table (shown only when the script runs).
pub(super) fn toolbar(out: &mut String, table_id: &str, extra: &str) {
    w!(
        out,
        "<div class=\"toolbar js-only\" data-for=\"{table_id}\"><input type=\"search\" placeholder=\"Filter…\" aria-label=\"Filter rows\" data-filter=\"text\">{extra}<span class=\"shown\"></span></div>\n"
    );
}

const VULN_FILTERS: &str = "<select data-filter=\"sev\" aria-label=\"Severity\"><option value=\"\">All severities</option><option value=\"5\">5 Critical</option><option value=\"4\">4 High</option><option value=\"3\">3 Medium</option><option value=\"2\">2 Low</option><option value=\"1\">1 Minimal</option></select>\
<select data-filter=\"verdict\" aria-label=\"Verdict\"><option value=\"\">All verdicts</option><option>blocking</option><option>counted</option><option>excluded</option><option>ignored</option></select>\
<select data-filter=\"type\" aria-label=\"Type\"><option value=\"\">All types</option><option>CONFIRMED</option><option>POTENTIAL</option></select>";

fn table(out: &mut String, v: &ImageView<'_>) {
    let id = format!("table-vulns-{}", v.key);
    toolbar(out, &id, VULN_FILTERS);
    w!(
        out,
        "<div class=\"scroll\"><table class=\"data sortable vulns\" id=\"{id}\"><thead><tr>\
<th data-sort=\"num\">Severity</th><th data-sort=\"text\">Vulnerability</th><th data-sort=\"text\">Package</th>\
<th data-sort=\"text\">Installed</th><th data-sort=\"text\">Fixed in</th><th data-sort=\"text\">Status</th>\
<th data-sort=\"text\">Type</th><th data-sort=\"num\">CVSS v2</th><th data-sort=\"num\">CVSS v3</th>\
<th data-sort=\"num\">Layer</th><th data-sort=\"text\">Verdict</th></tr></thead><tbody>\n"
    );
    for &i in &v.order {
        row(out, v, &v.image.findings[i], v.verdict(i));
    }
    out.push_str("</tbody></table></div>\n");
}

fn row(out: &mut String, v: &ImageView<'_>, f: &Finding, verdict: Option<&FindingVerdict>) {
    let vname = verdict.map_or("counted", FindingVerdict::name);
    w!(
        out,
        "<tr data-sev=\"{sev}\" data-verdict=\"{vname}\" data-type=\"{ty}\" class=\"v-{vname}\">\
<td data-v=\"{sev}\">{badge}</td><td class=\"vid\">",
        sev = f.severity,
        ty = type_name(f.type_detected),
        badge = severity_badge(f.severity)
    );
    id_cell(out, f);
    w!(
        out,
        "</td><td><span class=\"pkg\">{}</span> <span class=\"eco\">{}</span></td><td><code>{}</code></td>",
        Esc(&f.package.name),
        f.package.ecosystem.as_str(),
        Esc(&f.package.version)
    );
    match &f.fixed_version {
        Some(fix) => w!(out, "<td><code class=\"fix\">{}</code></td>", Esc(fix)),
        None => out.push_str("<td><span class=\"muted\">no fix</span></td>"),
    }
    w!(
        out,
        "<td>{}</td><td><span class=\"type {ty}\">{ty}</span></td>",
        Esc(&f.status),
        ty = type_name(f.type_detected)
    );
    cvss_cell(
        out,
        f.cvss_v2.as_ref().map(|c| (c.score, c.vector.as_str())),
    );
    cvss_cell(
        out,
        f.cvss_v3.as_ref().map(|c| (c.score, c.vector.as_str())),
    );
    match (v.layer_label(f.layer.as_ref()), &f.layer) {
        (Some((n, base)), Some(d)) => w!(
            out,
            "<td class=\"nowrap\" data-v=\"{n}\"><span title=\"{full}\">#{n}</span> <span class=\"origin {o}\">{o}</span></td>",
            full = Esc(&d.to_string()),
            o = if base { "base" } else { "own" }
        ),
        (None, Some(d)) => w!(
            out,
            "<td data-v=\"999\"><code title=\"{}\">{}</code></td>",
            Esc(&d.to_string()),
            Esc(&short_digest(d))
        ),
        _ => out.push_str("<td data-v=\"999\"><span class=\"muted\">—</span></td>"),
    }
    out.push_str("<td>");
    verdict_cell(out, verdict);
    out.push_str("</td></tr>\n");
}

fn id_cell(out: &mut String, f: &Finding) {
    let links: Vec<&str> = f.links.iter().filter_map(|l| safe_url(l)).collect();
    let link_for = |id: &str| {
        let needle = id.to_ascii_lowercase();
        links
            .iter()
            .copied()
            .find(|l| l.to_ascii_lowercase().contains(&needle))
    };
    let main = link_for(&f.id).or_else(|| links.first().copied());
    match main {
        Some(url) => w!(
            out,
            "<a class=\"id\" href=\"{}\" rel=\"noreferrer noopener\" target=\"_blank\">{}</a>",
            Esc(url),
            Esc(&f.id)
        ),
        None => w!(out, "<span class=\"id\">{}</span>", Esc(&f.id)),
    }
    if let Some(q) = f.qid {
        w!(out, " <span class=\"qid\">QID {q}</span>");
    }
    if !f.aliases.is_empty() {
        out.push_str("<div class=\"aliases\">");
        for (n, a) in f.aliases.iter().enumerate() {
            if n > 0 {
                out.push_str(", ");
            }
            match link_for(a) {
                Some(url) => w!(
                    out,
                    "<a href=\"{}\" rel=\"noreferrer noopener\" target=\"_blank\">{}</a>",
                    Esc(url),
                    Esc(a)
                ),
                None => w!(out, "{}", Esc(a)),
            }
        }
        out.push_str("</div>");
    }
    if let Some(t) = f.title.as_deref().filter(|t| !t.trim().is_empty()) {
        w!(out, "<div class=\"title\">{}</div>", Esc(t));
    }
}

/// Score and vector.
fn cvss_cell(out: &mut String, c: Option<(f64, &str)>) {
    match c {
        Some((score, vector)) => {
            let class = match score {
                s if s >= 9.0 => "crit",
                s if s >= 7.0 => "high",
                s if s >= 4.0 => "med",
                _ => "low",
            };
            w!(
                out,
                "<td data-v=\"{s:.1}\"><span class=\"score {class}\" title=\"{vec}\">{s:.1}</span></td>",
                s = score,
                vec = Esc(vector)
            );
        }
        None => out.push_str("<td data-v=\"-1\"><span class=\"muted\">—</span></td>"),
    }
}

pub(super) fn verdict_cell(out: &mut String, verdict: Option<&FindingVerdict>) {
    match verdict {
        Some(FindingVerdict::Blocking { conditions }) => {
            out.push_str("<span class=\"verdict blocking\">blocking</span>");
            if !conditions.is_empty() {
                w!(
                    out,
                    "<div class=\"why\">fails: {}</div>",
                    Esc(&conditions.join(", "))
                );
            }
        }
        Some(FindingVerdict::Counted) | None => {
            out.push_str("<span class=\"verdict counted\">counted</span>");
        }
        Some(FindingVerdict::Excluded { reason }) => w!(
            out,
            "<span class=\"verdict excluded\">excluded</span><div class=\"why\">{}</div>",
            Esc(reason)
        ),
        Some(FindingVerdict::Ignored {
            reason,
            owner,
            until,
        }) => {
            w!(
                out,
                "<span class=\"verdict ignored\">ignored</span><div class=\"why\">{}",
                Esc(reason)
            );
            if let Some(o) = owner {
                w!(out, " · {}", Esc(o));
            }
            if let Some(u) = until {
                w!(out, " · until {}", Esc(u));
            }
            out.push_str("</div>");
        }
    }
}
