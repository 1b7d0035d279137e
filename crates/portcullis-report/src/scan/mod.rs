//! Scan writers (SPEC §6): one [`ScanReport`] rendered in every format a CI
//! system reads. Each writer is a pure function of the report: no clock,
//! no environment, sorted output, so reports diff cleanly.

mod model;

mod cyclonedx_vex;
mod gitlab;
mod html;
mod json;
mod junit;
mod qualys;
mod sarif;
mod spdx;
mod summary;
mod table;

use std::fmt;
use std::str::FromStr;

pub use model::{CiMetadata, DbStamp, ImageResult, ScanReport};
pub use summary::summary_value;
pub use table::TableStyle;

use crate::ReportError;

/// The formats `portcullis scan -o FORMAT[=PATH]` writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ScanFormat {
    /// Console summary table (default, stdout).
    Table,
    /// Native JSON report (SPEC §13).
    Json,
    /// `qualys_images_summary.json` shape plus a top-level verdict.
    SummaryJson,
    /// Per-image details in the CS API's field names.
    QualysJson,
    /// Self-contained HTML with the five views.
    Html,
    /// JUnit XML: one test case per image and condition.
    Junit,
    /// SARIF 2.1.0.
    Sarif,
    /// GitLab container-scanning report.
    Gitlab,
    /// CycloneDX 1.5 JSON with VEX.
    CycloneDxJson,
    /// SPDX 2.3 JSON.
    SpdxJson,
}

impl ScanFormat {
    /// Every format, in the order the CLI documents them.
    pub const ALL: [ScanFormat; 10] = [
        ScanFormat::Table,
        ScanFormat::Json,
        ScanFormat::SummaryJson,
        ScanFormat::QualysJson,
        ScanFormat::Html,
        ScanFormat::Junit,
        ScanFormat::Sarif,
        ScanFormat::Gitlab,
        ScanFormat::CycloneDxJson,
        ScanFormat::SpdxJson,
    ];

    /// The canonical `-o` name.
    pub fn as_str(self) -> &'static str {
        match self {
            ScanFormat::Table => "table",
            ScanFormat::Json => "json",
            ScanFormat::SummaryJson => "summary-json",
            ScanFormat::QualysJson => "qualys-json",
            ScanFormat::Html => "html",
            ScanFormat::Junit => "junit",
            ScanFormat::Sarif => "sarif",
            ScanFormat::Gitlab => "gitlab",
            ScanFormat::CycloneDxJson => "cyclonedx-json",
            ScanFormat::SpdxJson => "spdx-json",
        }
    }
}

impl fmt::Display for ScanFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ScanFormat {
    type Err = ReportError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let lower = s.trim().to_ascii_lowercase();
        let alias = match lower.as_str() {
            "cyclonedx" => "cyclonedx-json",
            "spdx" => "spdx-json",
            "junit-xml" | "xml" => "junit",
            "sarif-json" => "sarif",
            "gitlab-json" | "container-scanning" => "gitlab",
            other => other,
        };
        ScanFormat::ALL
            .into_iter()
            .find(|f| f.as_str() == alias)
            .ok_or_else(|| ReportError::UnknownScanFormat(s.to_owned()))
    }
}

/// Renders `report` in `format`. `style` only affects the table (colours).
/// The whole document is built in memory, so a failure never leaves half a
/// file behind.
pub fn render_scan(
    format: ScanFormat,
    report: &ScanReport,
    style: TableStyle,
) -> Result<Vec<u8>, ReportError> {
    match format {
        ScanFormat::Table => table::render(report, style),
        ScanFormat::Json => json::render(report),
        ScanFormat::SummaryJson => summary::render(report),
        ScanFormat::QualysJson => qualys::render(report),
        ScanFormat::Html => html::render(report),
        ScanFormat::Junit => junit::render(report),
        ScanFormat::Sarif => sarif::render(report),
        ScanFormat::Gitlab => gitlab::render(report),
        ScanFormat::CycloneDxJson => cyclonedx_vex::render(report),
        ScanFormat::SpdxJson => spdx::render(report),
    }
}
