//! `portcullis db import|update|status`.

use std::io::Write;
use std::path::Path;

use anyhow::Context;
use portcullis_advisory::import::import_path;
use portcullis_db::{Db, DbBuilder, SourceRecord, Status};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::cli::{DbCommand, DbImportArgs, DbStatusArgs};
use crate::exit::ExitStatus;
use crate::printer::Printer;

pub(crate) fn run(command: &DbCommand, printer: &Printer) -> anyhow::Result<ExitStatus> {
    match command {
        DbCommand::Import(args) => import(args, printer),
        DbCommand::Update(args) => super::db_update::run(args, printer),
        DbCommand::Status(args) => status(args),
    }
}

/// Extends the DB with every record under the given paths. The new DB is
/// built aside and swapped in only when every path was read, so an error
/// leaves the old one as it was. Unreadable data files are reported and
/// skipped (the import goes on); an unreadable path fails the command.
fn import(args: &DbImportArgs, printer: &Printer) -> anyhow::Result<ExitStatus> {
    let dest = args.db.path();
    let mut builder = DbBuilder::extend(&dest)?;
    let mut names = std::collections::BTreeSet::new();
    for path in &args.paths {
        printer.progress(&format!("importing {}", path.display()));
        let mut failure = None;
        let report = import_path(path, &mut |item| {
            if failure.is_none() {
                if let Err(e) = builder.add(&item) {
                    failure = Some(e);
                }
            }
        })?;
        if let Some(e) = failure {
            return Err(e.into());
        }
        for skipped in &report.skipped {
            printer.warn(&format!("skipped {}: {}", skipped.file, skipped.reason));
        }
        if report.records == 0 {
            printer.warn(&format!("{}: no advisory records found", path.display()));
        }
        printer.progress(&format!(
            "{}: {} records from {} files, {} skipped",
            path.display(),
            report.records,
            report.files,
            report.skipped.len()
        ));
        builder.record_source(&SourceRecord {
            name: source_name(path, &mut names),
            location: path.display().to_string(),
            records: report.records,
            skipped: report.skipped.len() as u64,
            etag: None,
            last_modified: None,
        })?;
    }
    builder
        .finish()
        .with_context(|| format!("writing {}", dest.display()))?;
    printer.progress(&format!("DB written to {}", dest.display()));
    Ok(ExitStatus::Success)
}

/// The feed name of an import path: its last component, made unique.
fn source_name(path: &Path, taken: &mut std::collections::BTreeSet<String>) -> String {
    let base = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    let mut name = base.clone();
    let mut n = 2;
    while !taken.insert(name.clone()) {
        name = format!("{base}-{n}");
        n += 1;
    }
    name
}

fn status(args: &DbStatusArgs) -> anyhow::Result<ExitStatus> {
    let db = Db::open(&args.db.path())?;
    let status = db.status()?;
    let age = age_seconds(&status.built_at);
    let mut out = std::io::stdout().lock();
    if args.json {
        let mut value = serde_json::to_value(&status)?;
        value["age_seconds"] = age.into();
        serde_json::to_writer_pretty(&mut out, &value)?;
        writeln!(out)?;
    } else {
        write_status(&mut out, &status, age)?;
    }
    Ok(ExitStatus::Success)
}

pub(crate) fn age_seconds(built_at: &str) -> Option<i64> {
    let built = OffsetDateTime::parse(built_at, &Rfc3339).ok()?;
    Some((OffsetDateTime::now_utc() - built).whole_seconds().max(0))
}

fn human_age(seconds: i64) -> String {
    match seconds {
        s if s < 120 => format!("{s} seconds"),
        s if s < 7200 => format!("{} minutes", s / 60),
        s if s < 172_800 => format!("{} hours", s / 3600),
        s => format!("{} days", s / 86_400),
    }
}

fn write_status(out: &mut dyn Write, s: &Status, age: Option<i64>) -> std::io::Result<()> {
    let age = age
        .map(|a| format!(" ({} ago)", human_age(a)))
        .unwrap_or_default();
    writeln!(out, "DB:             {}", s.path)?;
    writeln!(out, "schema:         {}", s.schema_version)?;
    writeln!(out, "built:          {}{age}", s.built_at)?;
    writeln!(out, "advisories:     {}", s.advisories)?;
    for (source, n) in &s.advisories_by_source {
        writeln!(out, "  {source:<22} {n}")?;
    }
    writeln!(out, "affected rows:  {}", s.affected_rows)?;
    writeln!(out, "namespaces:     {}", s.namespaces)?;
    writeln!(out, "CVSS records:   {}", s.cvss_records)?;
    writeln!(out, "sources:")?;
    for src in &s.sources {
        writeln!(
            out,
            "  {:<22} {} records, {} skipped, imported {} from {}",
            src.name, src.records, src.skipped, src.imported_at, src.location
        )?;
    }
    Ok(())
}
