//! `portcullis sbom IMAGE -o FORMAT[=PATH]...`

use portcullis_report::{render_sbom, SbomContext, SbomFormat};
use time::OffsetDateTime;

use crate::cli::SbomArgs;
use crate::exit::ExitStatus;
use crate::output::{deliver, parse_outputs};
use crate::printer::Printer;

pub(crate) fn run(args: &SbomArgs, printer: &Printer) -> anyhow::Result<ExitStatus> {
    // Validate the outputs before the (possibly long) scan.
    let outputs = parse_outputs::<SbomFormat>(&args.outputs)?;
    let inventory = super::source::inventory(&args.image, &args.source, printer)?;
    let context = SbomContext::new("portcullis", env!("CARGO_PKG_VERSION"), creation_time());
    for output in &outputs {
        let bytes = render_sbom(output.format, &inventory, &context)?;
        deliver(output.path.as_ref(), &bytes)?;
    }
    Ok(ExitStatus::Success)
}

/// `SOURCE_DATE_EPOCH` makes documents reproducible (reproducible-builds.org).
pub(crate) fn creation_time() -> OffsetDateTime {
    std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
        .and_then(|s| OffsetDateTime::from_unix_timestamp(s).ok())
        .unwrap_or_else(OffsetDateTime::now_utc)
}
