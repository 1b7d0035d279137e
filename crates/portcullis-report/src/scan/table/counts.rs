//! The severity counts block and the messages (reasons, evaluation
//! errors, warnings) of one image.

use std::fmt::Write as _;

use super::names::severity_name;
use super::paint::{clean, severity_color, Cell, Grid, Painter, BOLD_RED, YELLOW};
use crate::scan::ImageResult;

pub(super) fn write_counts(out: &mut String, image: &ImageResult, p: &Painter) {
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

pub(super) fn write_messages(out: &mut String, image: &ImageResult, p: &Painter) {
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
