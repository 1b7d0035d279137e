//! The console table: the default output of `portcullis scan` (SPEC §6).
//!
//! Per image: a header (references, image id, distro, verdict), the
//! severity counts (levels 5..1, CONFIRMED / POTENTIAL), patchability, the
//! reasons of a failure, evaluation errors and warnings, then the findings
//! that count (blocking and counted), most severe first. Excluded and
//! ignored findings are summarised in one line unless
//! [`TableStyle::all_findings`] asks for them. The last line is the verdict
//! of the whole run.
//!
//! Column widths are computed from the content; ANSI colours are written
//! only when [`TableStyle::color`] is set. Control characters coming from
//! the image (package names, versions, reasons) are replaced so that a
//! hostile image cannot drive the terminal.

use std::cmp::Ordering;
use std::fmt::Write as _;

use portcullis_match::{Finding, TypeDetected};
use portcullis_policy::FindingVerdict;

use super::{ImageResult, ScanReport};
use crate::ReportError;

/// How the console table may decorate its output.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TableStyle {
    /// ANSI colours (only on a TTY, never with `NO_COLOR`).
    pub color: bool,
    /// List excluded and ignored findings too, instead of one summary line.
    pub all_findings: bool,
}

/// The name of a severity level (SPEC §4).
pub(super) fn severity_name(level: u8) -> &'static str {
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
pub(super) fn type_name(t: TypeDetected) -> &'static str {
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
pub(super) fn display_order(findings: &[Finding]) -> Vec<usize> {
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
pub(super) fn image_passed(image: &ImageResult) -> bool {
    image.error.is_none() && image.evaluation.pass
}

/// The distro in one phrase: `Debian GNU/Linux 12 (bookworm)` or `debian 12`.
pub(super) fn distro_text(image: &ImageResult) -> Option<String> {
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
pub(super) fn references(image: &ImageResult) -> Vec<&str> {
    if image.references.is_empty() {
        vec![image.inventory.image.reference.as_str()]
    } else {
        image.references.iter().map(String::as_str).collect()
    }
}

const RED: &str = "\x1b[31m";
const BOLD_RED: &str = "\x1b[1;31m";
const YELLOW: &str = "\x1b[33m";
const GREEN: &str = "\x1b[1;32m";
const BOLD: &str = "\x1b[1m";
const DIM: &str = "\x1b[2m";
const RESET: &str = "\x1b[0m";

/// Writes with or without colour.
struct Painter {
    color: bool,
}

impl Painter {
    fn paint(&self, code: &str, text: &str) -> String {
        if self.color && !code.is_empty() {
            format!("{code}{text}{RESET}")
        } else {
            text.to_owned()
        }
    }

    fn verdict(&self, pass: bool) -> String {
        if pass {
            self.paint(GREEN, "PASS")
        } else {
            self.paint(BOLD_RED, "FAIL")
        }
    }
}

fn severity_color(level: u8) -> &'static str {
    match level {
        5 => RED,
        4 => YELLOW,
        _ => "",
    }
}

/// Replaces control characters (escape sequences, newlines inside a cell)
/// so that the image's strings cannot move the cursor or recolour the
/// terminal.
pub(super) fn clean(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { '\u{fffd}' } else { c })
        .collect()
}

fn width(s: &str) -> usize {
    s.chars().count()
}

/// One cell: its text and an optional colour applied after padding.
struct Cell {
    text: String,
    color: &'static str,
}

impl Cell {
    fn plain(text: impl AsRef<str>) -> Cell {
        Cell {
            text: clean(text.as_ref()),
            color: "",
        }
    }

    fn colored(text: impl AsRef<str>, color: &'static str) -> Cell {
        Cell {
            text: clean(text.as_ref()),
            color,
        }
    }
}

/// Right-aligned columns (numbers), by index.
struct Grid {
    header: Vec<&'static str>,
    right: Vec<usize>,
    rows: Vec<Vec<Cell>>,
}

impl Grid {
    fn write(&self, out: &mut String, indent: &str, p: &Painter) {
        let n = self.header.len();
        let mut widths: Vec<usize> = self.header.iter().map(|h| width(h)).collect();
        for row in &self.rows {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(width(&cell.text));
            }
        }
        let line = |out: &mut String, cells: Vec<(&str, &'static str)>| {
            let mut s = String::from(indent);
            for (i, (text, color)) in cells.into_iter().enumerate() {
                let pad = widths[i].saturating_sub(width(text));
                let last = i + 1 == n;
                if self.right.contains(&i) {
                    s.push_str(&" ".repeat(pad));
                    s.push_str(&p.paint(color, text));
                } else {
                    s.push_str(&p.paint(color, text));
                    if !last {
                        s.push_str(&" ".repeat(pad));
                    }
                }
                if !last {
                    s.push_str("  ");
                }
            }
            out.push_str(s.trim_end());
            out.push('\n');
        };
        line(out, self.header.iter().map(|h| (*h, DIM)).collect());
        for row in &self.rows {
            line(
                out,
                row.iter().map(|c| (c.text.as_str(), c.color)).collect(),
            );
        }
    }
}

/// Renders the console table for the whole run.
pub(crate) fn render(report: &ScanReport, style: TableStyle) -> Result<Vec<u8>, ReportError> {
    let p = Painter { color: style.color };
    let mut out = String::new();
    for (n, image) in report.images.iter().enumerate() {
        if n > 0 {
            out.push('\n');
        }
        write_image(&mut out, image, style, &p);
    }
    if !report.images.is_empty() {
        out.push('\n');
    }
    let total = report.images.len();
    let failed = report.images.iter().filter(|i| !image_passed(i)).count();
    let errors = report.images.iter().filter(|i| i.error.is_some()).count();
    let plural = |n: usize| if n == 1 { "image" } else { "images" };
    if failed == 0 {
        writeln!(out, "{}: {total} {}", p.verdict(true), plural(total)).ok();
    } else {
        write!(
            out,
            "{}: {failed} of {total} {} failed",
            p.verdict(false),
            plural(total)
        )
        .ok();
        if errors > 0 {
            write!(out, " ({errors} could not be scanned)").ok();
        }
        out.push('\n');
    }
    Ok(out.into_bytes())
}

fn write_image(out: &mut String, image: &ImageResult, style: TableStyle, p: &Painter) {
    let pass = image_passed(image);
    let refs = references(image).join(", ");
    writeln!(
        out,
        "{} {}  {}",
        p.paint(BOLD, "Image"),
        p.paint(BOLD, &clean(&refs)),
        p.verdict(pass)
    )
    .ok();
    let mut facts = Vec::new();
    if !image.image_id().is_empty() {
        facts.push(format!("id {}", image.image_id()));
    }
    if let Some(d) = distro_text(image) {
        facts.push(d);
    }
    let meta = &image.inventory.image;
    if !meta.os.is_empty() || !meta.architecture.is_empty() {
        facts.push(format!("{}/{}", meta.os, meta.architecture));
    }
    if !image.inventory.packages.is_empty() {
        facts.push(format!("{} packages", image.inventory.packages.len()));
    }
    if !facts.is_empty() {
        writeln!(out, "  {}", clean(&facts.join("  ·  "))).ok();
    }
    if let Some(err) = &image.error {
        writeln!(
            out,
            "  {} {}",
            p.paint(BOLD_RED, "Could not scan:"),
            clean(err)
        )
        .ok();
        return;
    }
    out.push('\n');
    write_counts(out, image, p);
    write_messages(out, image, p);
    write_findings(out, image, style, p);
}

fn write_counts(out: &mut String, image: &ImageResult, p: &Painter) {
    let counts = &image.evaluation.counts;
    let get = |m: &std::collections::BTreeMap<u8, u64>, l: u8| m.get(&l).copied().unwrap_or(0);
    let mut rows = Vec::new();
    let (mut tc, mut tp) = (0, 0);
    for level in (1..=5).rev() {
        let c = get(&counts.confirmed_by_severity, level);
        let pt = get(&counts.potential_by_severity, level);
        tc += c;
        tp += pt;
        let color = if c + pt > 0 {
            severity_color(level)
        } else {
            ""
        };
        rows.push(vec![
            Cell::colored(format!("{level} {}", severity_name(level)), color),
            Cell::plain(c.to_string()),
            Cell::plain(pt.to_string()),
            Cell::plain((c + pt).to_string()),
        ]);
    }
    rows.push(vec![
        Cell::plain("Total"),
        Cell::plain(tc.to_string()),
        Cell::plain(tp.to_string()),
        Cell::plain(counts.total.max(tc + tp).to_string()),
    ]);
    Grid {
        header: vec!["SEVERITY", "CONFIRMED", "POTENTIAL", "TOTAL"],
        right: vec![1, 2, 3],
        rows,
    }
    .write(out, "  ", p);
    writeln!(
        out,
        "  Patchable: yes {}, no {}",
        counts.patchable, counts.not_patchable
    )
    .ok();
}

fn write_messages(out: &mut String, image: &ImageResult, p: &Painter) {
    let ev = &image.evaluation;
    let sections: [(&str, &'static str, &[String]); 3] = [
        ("Failed because:", BOLD_RED, &ev.reasons),
        ("Evaluation errors:", BOLD_RED, &ev.errors),
        ("Warnings:", YELLOW, &ev.warnings),
    ];
    for (title, color, items) in sections {
        if items.is_empty() {
            continue;
        }
        writeln!(out, "\n  {}", p.paint(color, title)).ok();
        for item in items {
            // A reason may span lines (configured / found): indent them all.
            for (i, line) in item.lines().enumerate() {
                let bullet = if i == 0 { "- " } else { "  " };
                writeln!(out, "    {bullet}{}", clean(line)).ok();
            }
        }
    }
}

fn write_findings(out: &mut String, image: &ImageResult, style: TableStyle, p: &Painter) {
    let verdicts = &image.evaluation.verdicts;
    let counted = |v: Option<&FindingVerdict>| {
        matches!(
            v,
            None | Some(FindingVerdict::Blocking { .. } | FindingVerdict::Counted)
        )
    };
    let mut rows = Vec::new();
    let (mut excluded, mut ignored) = (0usize, 0usize);
    for i in display_order(&image.findings) {
        let f = &image.findings[i];
        let v = verdicts.get(i);
        if !style.all_findings && !counted(v) {
            match v {
                Some(FindingVerdict::Ignored { .. }) => ignored += 1,
                _ => excluded += 1,
            }
            continue;
        }
        let (verdict, vcolor) = match v {
            Some(v @ FindingVerdict::Blocking { .. }) => (verdict_text(v), RED),
            Some(v) => (verdict_text(v), ""),
            None => ("-".to_owned(), ""),
        };
        rows.push(vec![
            Cell::colored(
                format!("{} {}", f.severity, severity_name(f.severity)),
                severity_color(f.severity),
            ),
            Cell::plain(&f.id),
            Cell::plain(&f.package.name),
            Cell::plain(&f.package.version),
            Cell::plain(f.fixed_version.as_deref().unwrap_or("-")),
            Cell::plain(&f.status),
            Cell::plain(type_name(f.type_detected)),
            Cell::colored(verdict, vcolor),
        ]);
    }
    out.push('\n');
    if image.findings.is_empty() {
        writeln!(out, "  No vulnerabilities found.").ok();
        return;
    }
    if rows.is_empty() {
        writeln!(out, "  No finding counts against the policy.").ok();
    } else {
        Grid {
            header: vec![
                "SEVERITY",
                "ID",
                "PACKAGE",
                "INSTALLED",
                "FIXED",
                "STATUS",
                "TYPE",
                "VERDICT",
            ],
            right: vec![],
            rows,
        }
        .write(out, "  ", p);
    }
    if excluded + ignored > 0 {
        let n = excluded + ignored;
        let noun = if n == 1 { "finding" } else { "findings" };
        writeln!(
            out,
            "  {}",
            p.paint(
                DIM,
                &format!("+ {n} more {noun} not counted ({excluded} excluded, {ignored} ignored)")
            )
        )
        .ok();
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
    fn clean_replaces_control_characters() {
        assert_eq!(clean("a\x1b[31mb\nc"), "a\u{fffd}[31mb\u{fffd}c");
        assert_eq!(clean("plain é"), "plain é");
    }

    #[test]
    fn grid_pads_and_aligns() {
        let mut out = String::new();
        Grid {
            header: vec!["A", "NUM", "LAST"],
            right: vec![1],
            rows: vec![
                vec![Cell::plain("long"), Cell::plain("7"), Cell::plain("x")],
                vec![Cell::plain("s"), Cell::plain("1234"), Cell::plain("")],
            ],
        }
        .write(&mut out, "", &Painter { color: false });
        assert_eq!(out, "A      NUM  LAST\nlong     7  x\ns     1234\n");
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
