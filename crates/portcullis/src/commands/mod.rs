//! One module per subcommand; each stays thin: resolve settings, call the
//! libraries, render, return an exit status.

mod db;
mod db_update;
mod explain;
mod sbom;
mod scan;
mod source;

use crate::cli::{Cli, Command, PolicyCommand};
use crate::exit::ExitStatus;
use crate::printer::Printer;

pub(crate) fn run(cli: Cli, printer: &Printer) -> anyhow::Result<ExitStatus> {
    match cli.command {
        Command::Sbom(args) => sbom::run(&args, printer),
        Command::Db(command) => db::run(&command, printer),
        Command::Scan(args) => scan::run(&args, printer),
        Command::Policy(PolicyCommand::Check(args)) => scan::policy_check(&args, printer),
        Command::Explain(args) => explain::run(&args, printer),
        Command::Version => {
            #[allow(clippy::print_stdout)]
            {
                println!("portcullis {}", env!("CARGO_PKG_VERSION"));
            }
            Ok(ExitStatus::Success)
        }
    }
}
