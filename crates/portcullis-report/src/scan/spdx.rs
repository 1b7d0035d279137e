//! Placeholder until the writer lands.

use super::ScanReport;
use crate::ReportError;

pub(crate) fn render(_report: &ScanReport) -> Result<Vec<u8>, ReportError> {
    Err(ReportError::Unavailable("spdx"))
}
