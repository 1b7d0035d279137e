//! Build Summary: the run verdict, then per image the facts, the reasons,
//! errors and warnings, and the criteria (configured vs found vs result per
//! condition, the vendor's `qualys_images_summary.json`); then the DB stamp
//! and the policy the run used.

use portcullis_policy::{CvssMode, ListCondition, Policy, QidRange};

use super::escape::Esc;
use super::{human_size, utc, w, ImageView};
use crate::scan::table::{distro_text, severity_name};
use crate::scan::ScanReport;

pub(super) fn view(out: &mut String, report: &ScanReport, views: &[ImageView<'_>]) {
    banner(out, report, views);
    for v in views {
        v.open(out);
        v.heading(out, "summary");
        image_card(out, v);
        out.push_str("</div>\n");
    }
    out.push_str("<div class=\"grid2\">\n");
    db_card(out, report);
    policy_card(out, &report.policy);
    out.push_str("</div>\n");
}

fn banner(out: &mut String, report: &ScanReport, views: &[ImageView<'_>]) {
    let total = views.len();
    let failed = views.iter().filter(|v| !v.pass()).count();
    let (class, title, detail) = if failed == 0 {
        (
            "pass",
            "Build passed",
            format!(
                "{total} image{} passed the policy",
                if total == 1 { "" } else { "s" }
            ),
        )
    } else {
        (
            "fail",
            "Build failed",
            format!(
                "{failed} of {total} image{} failed the policy",
                if total == 1 { "" } else { "s" }
            ),
        )
    };
    w!(
        out,
        "<div class=\"banner {class}\"><div class=\"banner-main\"><strong>{title}</strong><span>{detail}</span></div><dl class=\"facts inline\">"
    );
    fact(out, "Generated", &utc(report.generated_at));
    fact(
        out,
        "Tool",
        &format!("{} {}", report.tool_name, report.tool_version),
    );
    fact(out, "Backend", &report.backend);
    let ci = &report.ci;
    if let Some(s) = &ci.system {
        fact(out, "CI", s);
    }
    if let Some(j) = &ci.job_name {
        fact(out, "Job", j);
    }
    if let Some(b) = &ci.build_number {
        match ci.job_url.as_deref().and_then(super::escape::safe_url) {
            Some(url) => w!(
                out,
                "<div><dt>Build</dt><dd><a href=\"{}\">{}</a></dd></div>",
                Esc(url),
                Esc(b)
            ),
            None => fact(out, "Build", b),
        }
    }
    out.push_str("</dl></div>\n");
}

pub(super) fn fact(out: &mut String, name: &str, value: &str) {
    w!(
        out,
        "<div><dt>{}</dt><dd>{}</dd></div>",
        Esc(name),
        Esc(value)
    );
}

fn image_card(out: &mut String, v: &ImageView<'_>) {
    let image = v.image;
    let meta = &image.inventory.image;
    out.push_str("<div class=\"card\">\n<dl class=\"facts\">");
    if let Some(sha) = image.sha() {
        w!(
            out,
            "<div class=\"wide\"><dt>Config digest</dt><dd><code>sha256:{}</code></dd></div>",
            Esc(sha)
        );
    }
    if let Some(d) = distro_text(image) {
        fact(out, "Operating system", &d);
    }
    if !meta.os.is_empty() {
        fact(
            out,
            "Platform",
            &format!("{}/{}", meta.os, meta.architecture),
        );
    }
    if let Some(c) = &meta.created {
        fact(out, "Created", c);
    }
    fact(out, "Size", &human_size(meta.total_size));
    fact(out, "Layers", &meta.layers.len().to_string());
    fact(out, "Packages", &image.inventory.packages.len().to_string());
    fact(out, "Findings", &image.findings.len().to_string());
    if !meta.source.is_empty() {
        fact(out, "Source", &meta.source);
    }
    out.push_str("</dl>\n");
    if let Some(err) = &image.error {
        messages(
            out,
            "error",
            "The image could not be scanned",
            std::slice::from_ref(err),
        );
        out.push_str("</div>\n");
        return;
    }
    let ev = &image.evaluation;
    counts_strip(out, v);
    messages(out, "error", "Failure reasons", &ev.reasons);
    messages(
        out,
        "error",
        "Evaluation errors (the image fails closed)",
        &ev.errors,
    );
    messages(out, "warn", "Warnings", &ev.warnings);
    criteria(out, v);
    out.push_str("</div>\n");
}

/// One line of counts: per level (all findings, before exclusions),
/// patchability, and how many findings block.
fn counts_strip(out: &mut String, v: &ImageView<'_>) {
    let c = &v.image.evaluation.counts;
    out.push_str("<div class=\"strip\">");
    for level in (1..=5u8).rev() {
        let n = c.confirmed_by_severity.get(&level).copied().unwrap_or(0)
            + c.potential_by_severity.get(&level).copied().unwrap_or(0);
        w!(
            out,
            "<span class=\"chip{}\"><span class=\"sev sev{level}\">{level} {}</span><b>{n}</b></span>",
            if n == 0 { " zero" } else { "" },
            severity_name(level)
        );
    }
    let blocking = v
        .image
        .evaluation
        .verdicts
        .iter()
        .filter(|x| matches!(x, portcullis_policy::FindingVerdict::Blocking { .. }))
        .count();
    w!(
        out,
        "<span class=\"chip plain\">patchable <b>{}</b> / {}</span><span class=\"chip plain\">blocking <b>{blocking}</b></span></div>\n",
        c.patchable,
        c.total
    );
}

fn messages(out: &mut String, class: &str, title: &str, items: &[String]) {
    if items.is_empty() {
        return;
    }
    w!(
        out,
        "<div class=\"msg {class}\"><strong>{}</strong><ul>",
        Esc(title)
    );
    for item in items {
        w!(out, "<li>{}</li>", Esc(item));
    }
    out.push_str("</ul></div>\n");
}

/// One criteria row; `result` is `None` when the condition is off.
fn row(out: &mut String, name: &str, configured: &str, found: &str, result: Option<bool>) {
    let res = match result {
        Some(true) => "<span class=\"res pass\">PASS</span>",
        Some(false) => "<span class=\"res fail\">FAIL</span>",
        None => "<span class=\"res off\">not configured</span>",
    };
    let class = match result {
        Some(false) => " class=\"failed\"",
        None => " class=\"off\"",
        Some(true) => "",
    };
    w!(
        out,
        "<tr{class}><th scope=\"row\">{}</th><td>{}</td><td>{}</td><td>{res}</td></tr>\n",
        Esc(name),
        Esc(configured),
        Esc(found)
    );
}

fn dash(s: Option<&str>) -> &str {
    s.filter(|s| !s.is_empty()).unwrap_or("—")
}

fn list_row(out: &mut String, name: &str, c: &ListCondition) {
    let configured = c.configured.as_deref().filter(|s| !s.is_empty());
    let mut conf = dash(configured).to_owned();
    if let Some(ex) = c.excluded.as_deref().filter(|s| !s.is_empty()) {
        conf.push_str(&format!(" (excluded: {ex})"));
    }
    let result = (configured.is_some() || !c.result).then_some(c.result);
    row(out, name, &conf, dash(c.found.as_deref()), result);
}

fn criteria(out: &mut String, v: &ImageView<'_>) {
    let ev = &v.image.evaluation;
    out.push_str("<table class=\"criteria\"><caption>Failure conditions</caption><thead><tr><th>Condition</th><th>Configured</th><th>Found</th><th>Result</th></tr></thead><tbody>\n");
    for level in (1..=5u8).rev() {
        let c = ev.severities.get(&level).copied().unwrap_or_default();
        let configured = c
            .configured
            .map_or_else(|| "—".to_owned(), |n| format!("at most {n}"));
        let found = c.found.map_or_else(|| "—".to_owned(), |n| n.to_string());
        let result = (c.configured.is_some() || !c.result).then_some(c.result);
        row(
            out,
            &format!("Severity {level} ({})", severity_name(level)),
            &configured,
            &found,
            result,
        );
    }
    list_row(out, "QIDs", &ev.qids);
    list_row(out, "CVEs", &ev.cves);
    list_row(out, "Software", &ev.software);
    let cvss = &ev.cvss;
    let version = match cvss.version.as_deref() {
        Some("2") => " (CVSS v2)".to_owned(),
        Some("3") => " (CVSS v3)".to_owned(),
        Some("max") => " (max of v2 and v3)".to_owned(),
        Some(other) => format!(" ({other})"),
        None => String::new(),
    };
    let conf = cvss
        .configured
        .map_or_else(|| "—".to_owned(), |t| format!("score ≥ {t:.1}{version}"));
    let mut found = cvss.found.to_string();
    if !cvss.found_map.is_empty() {
        let parts: Vec<String> = cvss
            .found_map
            .iter()
            .map(|(score, n)| format!("{score}: {n}"))
            .collect();
        found.push_str(&format!(" ({})", parts.join(", ")));
    }
    let result = (cvss.configured.is_some() || !cvss.result).then_some(cvss.result);
    row(out, "CVSS base score", &conf, &found, result);
    let risk = &ev.risk;
    let weights: Vec<String> = risk
        .weights
        .iter()
        .rev()
        .map(|(l, w)| format!("{l}→{w}"))
        .collect();
    let conf = risk.configured.map_or_else(
        || "—".to_owned(),
        |t| format!("sum > {t} fails (weights {})", weights.join(", ")),
    );
    let result = (risk.configured.is_some() || !risk.result).then_some(risk.result);
    row(out, "Risk score", &conf, &risk.found.to_string(), result);
    let fr = &ev.freshness;
    let conf = match (fr.warn_days, fr.fail_days) {
        (None, None) => "—".to_owned(),
        (Some(w), None) => format!("warn after {w} days"),
        (None, Some(f)) => format!("fail after {f} days"),
        (Some(w), Some(f)) => format!("warn after {w} days, fail after {f}"),
    };
    let found = fr
        .age_days
        .map_or_else(|| "—".to_owned(), |d| format!("{d} days old"));
    let result = (fr.fail_days.is_some() || !fr.result).then_some(fr.result);
    row(out, "Vulnerability DB age", &conf, &found, result);
    let potential = if ev.potential_checked {
        "counted"
    } else {
        "not counted"
    };
    w!(
        out,
        "<tr class=\"note\"><th scope=\"row\">POTENTIAL findings</th><td colspan=\"3\">{potential}</td></tr>\n"
    );
    out.push_str("</tbody></table>\n");
}

fn db_card(out: &mut String, report: &ScanReport) {
    out.push_str("<div class=\"card\"><h3>Vulnerability database</h3>");
    match &report.db {
        Some(db) => {
            out.push_str("<dl class=\"facts\">");
            fact(out, "Built", &db.built_at);
            out.push_str("</dl>");
            if !db.sources.is_empty() {
                out.push_str("<table class=\"plain\"><thead><tr><th>Feed</th><th>Imported</th></tr></thead><tbody>");
                for (name, at) in &db.sources {
                    w!(out, "<tr><td>{}</td><td>{}</td></tr>", Esc(name), Esc(at));
                }
                out.push_str("</tbody></table>");
            }
        }
        None => w!(
            out,
            "<p class=\"muted\">Findings came from the {} backend.</p>",
            Esc(&report.backend)
        ),
    }
    out.push_str("</div>\n");
}

fn qids(list: &[QidRange]) -> String {
    let parts: Vec<String> = list
        .iter()
        .map(|r| {
            if r.start == r.end {
                r.start.to_string()
            } else {
                format!("{}-{}", r.start, r.end)
            }
        })
        .collect();
    parts.join(", ")
}

fn policy_card(out: &mut String, p: &Policy) {
    out.push_str("<div class=\"card\"><h3>Policy</h3><dl class=\"facts\">");
    if !p.conditions_configured {
        fact(out, "Conditions", "none configured: every image passes");
    }
    let sev: Vec<String> = p
        .fail_severity
        .iter()
        .rev()
        .map(|(l, n)| format!("{l} > {n}"))
        .collect();
    let settings = [
        ("Fail on severity", sev.join(", ")),
        ("Fail on QIDs", qids(&p.fail_qids)),
        ("Fail on CVEs", p.fail_cves.join(", ")),
        (
            "Fail on software",
            p.fail_software
                .iter()
                .map(|s| s.text.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        ),
        (
            "Fail on CVSS",
            p.fail_cvss.map_or_else(String::new, |c| {
                let mode = match c.mode {
                    CvssMode::V2 => "v2",
                    CvssMode::V3 => "v3",
                    CvssMode::Max => "max of v2 and v3",
                };
                format!("≥ {:.1} ({mode})", c.threshold)
            }),
        ),
        (
            "Risk threshold",
            p.risk
                .as_ref()
                .map_or_else(String::new, |r| format!("> {}", r.threshold)),
        ),
        ("Exclude QIDs", qids(&p.exclude_qids)),
        ("Exclude CVEs", p.exclude_cves.join(", ")),
        ("Ignored statuses", p.ignore_statuses.join(", ")),
    ];
    for (name, value) in settings {
        if !value.is_empty() {
            fact(out, name, &value);
        }
    }
    let flags = [
        (
            "POTENTIAL findings",
            p.include_potential,
            "counted",
            "not counted",
        ),
        ("Unfixed findings", p.ignore_unfixed, "ignored", "counted"),
        ("Base-image findings", p.ignore_base, "ignored", "counted"),
    ];
    for (name, on, yes, no) in flags {
        fact(out, name, if on { yes } else { no });
    }
    out.push_str("</dl>");
    if !p.ignore.is_empty() {
        out.push_str("<h4>Ignore rules</h4><table class=\"plain\"><thead><tr><th>Vulnerability</th><th>Scope</th><th>Reason</th><th>Owner</th><th>Expires</th></tr></thead><tbody>");
        for r in &p.ignore {
            let mut scope = Vec::new();
            if let Some(pk) = &r.package {
                scope.push(format!("package {pk}"));
            }
            if let Some(im) = &r.image {
                scope.push(format!("image {im}"));
            }
            if r.only_unfixed {
                scope.push("while unfixed".into());
            }
            let expires = r.expires.map_or_else(
                || "never".to_owned(),
                |d| format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day()),
            );
            w!(
                out,
                "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td class=\"nowrap\">{}</td></tr>",
                Esc(&r.id),
                Esc(dash(Some(&scope.join(", ")))),
                Esc(&r.reason),
                Esc(dash(r.owner.as_deref())),
                Esc(&expires)
            );
        }
        out.push_str("</tbody></table>");
    }
    out.push_str("</div>\n");
}
