//! The HTML report (SPEC §6): one self-contained file with the five views
//! of the vendor's reports — Build Summary, Image Statistics,
//! Vulnerabilities, Installed Software and Layers.
//!
//! * No external asset and no network: CSS and JS are inlined, charts are
//!   SVG generated here, and a Content-Security-Policy forbids every load
//!   (the script runs only because its hash is in the policy).
//! * Readable without JS: every view is in the document, one after the
//!   other; the script turns them into tabs (the URL fragment — `#summary`,
//!   `#statistics`, `#vulnerabilities`, `#software`, `#layers` — selects the
//!   view on load), adds the image selector, table sorting and filters.
//! * Every string from the image, the advisories or the policy is escaped
//!   ([`escape::Esc`]); links are followed only when they are `http(s)`.
//! * Deterministic: a pure function of the report.
//!
//! The views live in submodules of a few hundred lines each; the stylesheet
//! and the script are `include_str!` assets next to them.

mod charts;
mod escape;
mod inventory;
mod stats;
mod summary;
mod vulns;

use std::collections::BTreeMap;

use portcullis_match::Finding;
use portcullis_policy::FindingVerdict;
use portcullis_types::Digest;
use sha2::{Digest as _, Sha256};
use time::OffsetDateTime;

use self::escape::Esc;
use super::table::{display_order, image_passed, references};
use super::{ImageResult, ScanReport};
use crate::ReportError;

const STYLE: &str = include_str!("html/style.css");
const SCRIPT: &str = include_str!("html/script.js");

/// Appends formatted text to a `String` (writing to a `String` cannot fail).
macro_rules! w {
    ($out:expr, $($arg:tt)*) => {{
        use std::fmt::Write as _;
        let _ = write!($out, $($arg)*);
    }};
}
pub(crate) use w;

/// The five views: fragment id and tab label.
pub(super) const VIEWS: [(&str, &str); 5] = [
    ("summary", "Build Summary"),
    ("statistics", "Image Statistics"),
    ("vulnerabilities", "Vulnerabilities"),
    ("software", "Installed Software"),
    ("layers", "Layers"),
];

/// What every view needs about one image, computed once.
pub(super) struct ImageView<'a> {
    /// `img-1`, `img-2`, … (selector value, element ids).
    pub(super) key: String,
    pub(super) image: &'a ImageResult,
    /// Findings in display order (severity desc, natural id).
    pub(super) order: Vec<usize>,
    /// diff_id → (1-based layer index, is base).
    pub(super) layers: BTreeMap<&'a Digest, (usize, bool)>,
}

impl<'a> ImageView<'a> {
    fn new(n: usize, image: &'a ImageResult) -> Self {
        let layers = image
            .inventory
            .image
            .layers
            .iter()
            .enumerate()
            .map(|(i, l)| (&l.diff_id, (i + 1, image.base_layers.contains(&l.diff_id))))
            .collect();
        ImageView {
            key: format!("img-{}", n + 1),
            image,
            order: display_order(&image.findings),
            layers,
        }
    }

    pub(super) fn pass(&self) -> bool {
        image_passed(self.image)
    }

    pub(super) fn verdict(&self, i: usize) -> Option<&'a FindingVerdict> {
        self.image.evaluation.verdicts.get(i)
    }

    /// `#2 · own` style label of a layer, with whether it is a base layer.
    pub(super) fn layer_label(&self, layer: Option<&Digest>) -> Option<(usize, bool)> {
        layer.and_then(|d| self.layers.get(d).copied())
    }

    /// The heading naming the image inside each view.
    pub(super) fn heading(&self, out: &mut String, view: &str) {
        let refs = references(self.image);
        w!(
            out,
            "<h2 class=\"image-title\" id=\"{view}-{key}\">{badge}<span class=\"refs\">",
            key = self.key,
            badge = verdict_badge(self.pass(), self.image.error.is_some()),
        );
        for (i, r) in refs.iter().enumerate() {
            if i > 0 {
                out.push_str("<span class=\"sep\">, </span>");
            }
            w!(out, "<span class=\"ref\">{}</span>", Esc(r));
        }
        out.push_str("</span>");
        let id = self.image.image_id();
        if !id.is_empty() {
            w!(out, "<code class=\"image-id\">{}</code>", Esc(id));
        }
        out.push_str("</h2>\n");
    }

    /// Opens the per-image block (the image selector shows/hides it).
    pub(super) fn open(&self, out: &mut String) {
        w!(
            out,
            "<div class=\"image-block\" data-image=\"{}\">\n",
            self.key
        );
    }
}

/// PASS / FAIL / ERROR pill.
pub(super) fn verdict_badge(pass: bool, error: bool) -> &'static str {
    match (pass, error) {
        (_, true) => "<span class=\"badge fail\">ERROR</span>",
        (true, false) => "<span class=\"badge pass\">PASS</span>",
        (false, false) => "<span class=\"badge fail\">FAIL</span>",
    }
}

/// The severity pill of a level.
pub(super) fn severity_badge(level: u8) -> String {
    format!(
        "<span class=\"sev sev{l}\" title=\"severity {l}\">{l} {name}</span>",
        l = level.min(9),
        name = super::table::severity_name(level)
    )
}

/// `2024-05-01 12:30:45 UTC`.
pub(super) fn utc(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02} UTC",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// Bytes in decimal units (`29.1 MB`).
pub(super) fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "kB", "MB", "GB", "TB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1000.0 && unit + 1 < UNITS.len() {
        value /= 1000.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

/// The short form of a digest (`sha256:48dbc45a6738`).
pub(super) fn short_digest(d: &Digest) -> String {
    let hex = d.hex();
    format!("{}:{}", d.algorithm(), hex.get(..12).unwrap_or(hex))
}

/// Whether a finding's layer is one of the base image's.
pub(super) fn from_base(view: &ImageView<'_>, f: &Finding) -> Option<bool> {
    view.layer_label(f.layer.as_ref()).map(|(_, base)| base)
}

/// Renders the whole document.
pub(crate) fn render(report: &ScanReport) -> Result<Vec<u8>, ReportError> {
    let views: Vec<ImageView<'_>> = report
        .images
        .iter()
        .enumerate()
        .map(|(n, i)| ImageView::new(n, i))
        .collect();
    let mut out = String::with_capacity(64 * 1024);
    head(&mut out, report);
    top_bar(&mut out, report, &views);
    out.push_str("<main>\n");
    section(&mut out, 0, |o| summary::view(o, report, &views));
    section(&mut out, 1, |o| stats::view(o, &views));
    section(&mut out, 2, |o| vulns::view(o, &views));
    section(&mut out, 3, |o| inventory::software_view(o, &views));
    section(&mut out, 4, |o| inventory::layers_view(o, &views));
    out.push_str("</main>\n");
    w!(
        out,
        "<footer>Generated by {} {} on {} · backend {}</footer>\n",
        Esc(&report.tool_name),
        Esc(&report.tool_version),
        utc(report.generated_at),
        Esc(&report.backend)
    );
    w!(out, "<script>{SCRIPT}</script>\n</body>\n</html>\n");
    Ok(out.into_bytes())
}

fn section(out: &mut String, n: usize, body: impl FnOnce(&mut String)) {
    let (id, label) = VIEWS[n];
    w!(
        out,
        "<section class=\"view\" id=\"{id}\" aria-labelledby=\"{id}-h\">\n<h1 id=\"{id}-h\" class=\"view-title\">{label}</h1>\n"
    );
    body(out);
    out.push_str("</section>\n");
}

fn head(out: &mut String, report: &ScanReport) {
    let hash = base64_sha256(SCRIPT);
    let subject = match report.images.as_slice() {
        [one] => references(one).first().copied().unwrap_or("").to_owned(),
        many => format!("{} images", many.len()),
    };
    w!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'sha256-{hash}'\">\n\
<meta name=\"generator\" content=\"{tool} {version}\">\n\
<title>{verdict} · {subject} · {tool} scan report</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n",
        tool = Esc(&report.tool_name),
        version = Esc(&report.tool_version),
        verdict = if report.pass() { "PASS" } else { "FAIL" },
        subject = Esc(&subject),
    );
}

fn base64_sha256(text: &str) -> String {
    escape::base64(&Sha256::digest(text.as_bytes()))
}

fn top_bar(out: &mut String, report: &ScanReport, views: &[ImageView<'_>]) {
    let pass = report.pass();
    out.push_str("<header class=\"top\">\n<div class=\"brand\"><svg class=\"logo\" viewBox=\"0 0 24 24\" aria-hidden=\"true\"><path d=\"M3 21V5l9-3 9 3v16h-4v-7H7v7z\" fill=\"currentColor\" opacity=\".9\"/><path d=\"M9 14v7M12 14v7M15 14v7\" stroke=\"#0f172a\" stroke-width=\"1.4\"/></svg>");
    w!(
        out,
        "<span class=\"name\">{}</span><span class=\"kind\">Container image scan report</span></div>\n",
        Esc(&report.tool_name)
    );
    w!(
        out,
        "<div class=\"run\">{}<span class=\"when\">{}</span></div>\n",
        verdict_badge(pass, false),
        utc(report.generated_at)
    );
    out.push_str("</header>\n<nav class=\"tabs\" aria-label=\"Report views\">\n");
    for (id, label) in VIEWS {
        w!(out, "<a href=\"#{id}\" data-view=\"{id}\">{label}</a>\n");
    }
    if views.len() > 1 {
        out.push_str("<label class=\"picker js-only\">Image <select id=\"image-select\"><option value=\"\">All images</option>");
        for v in views {
            let refs = references(v.image);
            w!(
                out,
                "<option value=\"{}\">{}</option>",
                v.key,
                Esc(refs.first().copied().unwrap_or(""))
            );
        }
        out.push_str("</select></label>\n");
    }
    out.push_str("</nav>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_are_human() {
        assert_eq!(human_size(0), "0 B");
        assert_eq!(human_size(999), "999 B");
        assert_eq!(human_size(29_124_506), "29.1 MB");
        assert_eq!(human_size(1_500_000_000), "1.5 GB");
    }

    #[test]
    fn csp_hash_is_of_the_inlined_script() {
        // The hash must be over exactly the bytes between <script> and </script>.
        let h = base64_sha256(SCRIPT);
        assert_eq!(h.len(), 44);
        assert!(!SCRIPT.contains("</script"));
    }
}
