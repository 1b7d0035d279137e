//! `portcullis db update`.

use crate::cli::DbUpdateArgs;
use crate::exit::ExitStatus;
use crate::printer::Printer;

pub(crate) fn run(args: &DbUpdateArgs, printer: &Printer) -> anyhow::Result<ExitStatus> {
    let _ = (args, printer);
    anyhow::bail!("db update: wiring pending")
}
