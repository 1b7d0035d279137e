//! `-o FORMAT[=PATH]` destinations.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;

use crate::exit::UsageError;

/// One requested output.
#[derive(Debug)]
pub(crate) struct OutputSpec<F> {
    pub(crate) format: F,
    pub(crate) path: Option<PathBuf>,
}

/// Parses `FORMAT[=PATH]`; at most one output may go to stdout.
pub(crate) fn parse_outputs<F: std::str::FromStr>(
    specs: &[String],
) -> Result<Vec<OutputSpec<F>>, UsageError>
where
    F::Err: std::fmt::Display,
{
    let mut out = Vec::new();
    let mut to_stdout = 0;
    for spec in specs {
        let (format, path) = match spec.split_once('=') {
            Some((f, p)) if !p.is_empty() => (f, Some(PathBuf::from(p))),
            Some((f, _)) => return Err(UsageError(format!("output {f:?}: empty path after '='"))),
            None => (spec.as_str(), None),
        };
        let format = format
            .parse::<F>()
            .map_err(|e| UsageError(format!("output {spec:?}: {e}")))?;
        to_stdout += usize::from(path.is_none());
        out.push(OutputSpec { format, path });
    }
    if to_stdout > 1 {
        return Err(UsageError(
            "only one output can go to stdout; give the others a path (-o FORMAT=PATH)".into(),
        ));
    }
    Ok(out)
}

/// Writes a finished document. Files are written beside their final name
/// and renamed, so a reader never sees half a report.
pub(crate) fn deliver(path: Option<&PathBuf>, bytes: &[u8]) -> anyhow::Result<()> {
    match path {
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout.write_all(bytes)?;
            stdout.flush()?;
        }
        Some(path) => {
            let dir = path
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or_else(|| std::path::Path::new("."));
            let mut tmp = tempfile::NamedTempFile::new_in(dir)
                .with_context(|| format!("cannot write {}", path.display()))?;
            tmp.write_all(bytes)
                .with_context(|| format!("cannot write {}", path.display()))?;
            tmp.persist(path)
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
    }
    Ok(())
}
