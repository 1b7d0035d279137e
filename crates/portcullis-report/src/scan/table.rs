//! Placeholder until the writer lands.

use super::ScanReport;
use crate::ReportError;

/// How the console table may decorate its output.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TableStyle {
    /// ANSI colours (only on a TTY, never with `NO_COLOR`).
    pub color: bool,
}

pub(crate) fn render(_report: &ScanReport, _style: TableStyle) -> Result<Vec<u8>, ReportError> {
    Err(ReportError::Unavailable("table"))
}
