//! Everything the binary says on stderr. stdout carries only report data.
#![allow(clippy::print_stderr)]

use std::io::IsTerminal;

/// Writes progress, warnings and errors to stderr.
pub(crate) struct Printer {
    quiet: bool,
    color: bool,
}

impl Printer {
    pub(crate) fn new(quiet: bool) -> Self {
        // https://no-color.org: any non-empty NO_COLOR disables colour.
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Printer {
            quiet,
            color: !no_color && std::io::stderr().is_terminal(),
        }
    }

    fn paint(&self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }

    /// A step of a long operation.
    pub(crate) fn progress(&self, message: &str) {
        if !self.quiet {
            eprintln!("{} {message}", self.paint("2", "•"));
        }
    }

    /// Something the user should know; never suppressed by `--quiet`.
    pub(crate) fn warn(&self, message: &str) {
        eprintln!("{} {message}", self.paint("33;1", "warning:"));
    }

    /// The error that ends the command, with its causes.
    pub(crate) fn error(&self, err: &anyhow::Error) {
        eprintln!("{} {err}", self.paint("31;1", "error:"));
        for cause in err.chain().skip(1) {
            eprintln!("  {} {cause}", self.paint("2", "caused by:"));
        }
    }
}
