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

mod counts;
mod findings;
mod names;
mod paint;

use std::fmt::Write as _;

use super::{ImageResult, ScanReport};
use crate::ReportError;
use counts::{write_counts, write_messages};
use findings::write_findings;
use paint::{clean, Painter, BOLD, BOLD_RED};

pub(super) use names::{
    display_order, distro_text, image_passed, references, severity_name, type_name,
};

/// How the console table may decorate its output.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TableStyle {
    /// ANSI colours (only on a TTY, never with `NO_COLOR`).
    pub color: bool,
    /// List excluded and ignored findings too, instead of one summary line.
    pub all_findings: bool,
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
