//! The findings table of one image, with the summary line for the
//! findings that do not count.

use std::fmt::Write as _;

use portcullis_policy::FindingVerdict;

use super::names::{display_order, severity_name, type_name, verdict_text};
use super::paint::{severity_color, Cell, Grid, Painter, DIM, RED};
use super::TableStyle;
use crate::scan::ImageResult;

pub(super) fn write_findings(
    out: &mut String,
    image: &ImageResult,
    style: TableStyle,
    p: &Painter,
) {
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
