//! `portcullis db update`: download the public feeds (or mirrors) and
//! rebuild the DB. Fail-closed: if any enabled feed fails, the old DB stays
//! exactly as it was.

use portcullis_db::update::{parse_source, update, Progress, UpdateError, UpdateOptions};

use crate::cli::DbUpdateArgs;
use crate::exit::{ExitStatus, UsageError};
use crate::printer::Printer;

pub(crate) fn run(args: &DbUpdateArgs, printer: &Printer) -> anyhow::Result<ExitStatus> {
    let sources = args
        .sources
        .iter()
        .map(|s| parse_source(s))
        .collect::<Result<Vec<_>, _>>()
        .map_err(usage)?;
    let options = UpdateOptions {
        db: args.db.path(),
        sources,
        no_defaults: args.no_default_sources,
        proxy: args.proxy.clone(),
        ca_bundle: args.ca_bundle.clone(),
        ..UpdateOptions::default()
    };
    let summary = update(&options, &mut |p| report(printer, p)).map_err(usage)?;
    printer.progress(&format!(
        "DB written to {} ({} advisories from {} feeds)",
        summary.db.display(),
        summary.advisories,
        summary.feeds.len()
    ));
    Ok(ExitStatus::Success)
}

/// Option mistakes are usage errors (exit 2); everything else means the
/// update could not be completed (exit 3).
fn usage(e: UpdateError) -> anyhow::Error {
    match e {
        UpdateError::BadSource { .. } | UpdateError::BadOption(_) | UpdateError::NoFeeds => {
            UsageError(e.to_string()).into()
        }
        other => other.into(),
    }
}

fn report(printer: &Printer, p: Progress) {
    match p {
        Progress::FeedStarted { feed, location } => {
            printer.progress(&format!("{feed}: fetching {location}"));
        }
        Progress::NotModified { feed } => {
            printer.progress(&format!("{feed}: not modified, using the cached copy"));
        }
        Progress::Validated {
            feed,
            bytes,
            records,
        } => {
            printer.progress(&format!("{feed}: {bytes} bytes, {records} records"));
        }
        Progress::Imported {
            feed,
            records,
            skipped,
        } => {
            if skipped > 0 {
                printer.warn(&format!("{feed}: {skipped} files or records skipped"));
            }
            printer.progress(&format!("{feed}: imported {records} records"));
        }
        _ => {}
    }
}
