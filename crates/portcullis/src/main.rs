//! The `portcullis` binary: parses the command line, runs one command and
//! turns its outcome into an exit code. Presentation and exit codes live
//! here and nowhere else; the libraries return typed errors.

mod cli;
mod commands;
mod exit;
mod output;
mod printer;

use std::process::ExitCode;

use clap::Parser;

use crate::exit::{ExitStatus, UsageError};

// Matching and cataloging allocate and free millions of small strings
// (advisory records, paths); glibc's allocator spent a quarter of the match
// time in free/consolidate, mimalloc a fraction of it (bench/match.sh).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = match cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // clap prints help/version to stdout and errors to stderr.
            let _ = e.print();
            return if e.use_stderr() {
                ExitStatus::Usage.into()
            } else {
                ExitStatus::Success.into()
            };
        }
    };
    let printer = printer::Printer::new(cli.quiet);
    match commands::run(cli, &printer) {
        Ok(status) => status.into(),
        Err(err) => {
            if is_broken_pipe(&err) {
                // `portcullis sbom img | head` is not a failure.
                return ExitStatus::Success.into();
            }
            printer.error(&err);
            if err
                .chain()
                .any(|c| c.downcast_ref::<UsageError>().is_some())
            {
                ExitStatus::Usage.into()
            } else {
                ExitStatus::Incomplete.into()
            }
        }
    }
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
