//! `portcullis explain IMAGE VULN-ID`: the evidence behind one finding, or
//! why there is none.

use std::io::Write;

use portcullis_db::Db;
use portcullis_match::{explain, Explanation, TypeDetected};

use crate::cli::ExplainArgs;
use crate::exit::ExitStatus;
use crate::printer::Printer;

pub(crate) fn run(args: &ExplainArgs, printer: &Printer) -> anyhow::Result<ExitStatus> {
    // Open the DB first: a missing DB should not cost a whole image read.
    let db = Db::open(&args.db.path())?;
    let inventory = super::source::inventory(&args.image, &args.source, printer)?;
    let explanation = explain(&db, &inventory, &args.vuln_id)?;
    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer_pretty(&mut out, &explanation)?;
        writeln!(out)?;
    } else {
        write_text(&mut out, &explanation)?;
    }
    Ok(ExitStatus::Success)
}

fn write_text(out: &mut dyn Write, e: &Explanation) -> std::io::Result<()> {
    if e.findings.is_empty() {
        writeln!(out, "{}: not reported for this image", e.id)?;
    }
    for f in &e.findings {
        writeln!(
            out,
            "{} ({}) reported for {} {} ({}), layer {}",
            f.id,
            f.aliases.join(", "),
            f.package.name,
            f.package.version,
            f.package.ecosystem,
            f.layer
                .as_ref()
                .map(|l| l.to_string())
                .unwrap_or_else(|| "unknown".into()),
        )?;
        writeln!(
            out,
            "  severity {} ({}), {}, status {}, fixed in {}",
            f.severity,
            f.severity_source,
            match f.type_detected {
                TypeDetected::Confirmed => "CONFIRMED",
                TypeDetected::Potential => "POTENTIAL",
            },
            f.status,
            f.fixed_version.as_deref().unwrap_or("(no fix)"),
        )?;
        if !f.package.locations.is_empty() {
            writeln!(out, "  package files: {}", f.package.locations.join(", "))?;
        }
        for ev in &f.evidence {
            writeln!(
                out,
                "  evidence: {} [{}] from {} (DB row {}), {} {} {} with {}: {}; {}",
                ev.advisory,
                ev.source,
                ev.record,
                ev.db_row,
                ev.namespace,
                ev.package,
                ev.version,
                ev.comparator,
                ev.comparisons.join("; "),
                ev.fix_state,
            )?;
            if let Some(d) = &ev.doubt {
                writeln!(out, "    potential because: {d}")?;
            }
        }
    }
    if e.rows.is_empty() {
        writeln!(out, "{}: no advisory in the DB has this id or alias", e.id)?;
        return Ok(());
    }
    writeln!(out, "advisory rows for {}:", e.id)?;
    for row in &e.rows {
        let withdrawn = if row.withdrawn {
            " (withdrawn: never matches)"
        } else {
            ""
        };
        writeln!(
            out,
            "  {} [{}] {} {} from {}{withdrawn}",
            row.advisory, row.source, row.namespace, row.package, row.record
        )?;
        for v in &row.verdicts {
            writeln!(out, "    {v}")?;
        }
    }
    Ok(())
}
