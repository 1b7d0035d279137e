//! Report stage: turns an [`Inventory`] into documents other tools read.
//!
//! This crate currently holds the SBOM writers behind
//! `portcullis sbom IMAGE -o json|cyclonedx-json|spdx-json[=PATH]`:
//!
//! * [`SbomFormat::Json`]: the native document (SPEC §13): the inventory plus
//!   the tool that wrote it. It deserialises back into an [`Inventory`].
//! * [`SbomFormat::CycloneDxJson`]: [CycloneDX 1.5 JSON](https://cyclonedx.org/docs/1.5/json/).
//! * [`SbomFormat::SpdxJson`]: [SPDX 2.3 JSON](https://spdx.github.io/spdx-spec/v2.3/).
//!
//! Packages are identified across all three by their
//! [Package URL](https://github.com/package-url/purl-spec).
//!
//! Every writer is a pure function of the inventory and an [`SbomContext`]:
//! no clock, no randomness, no environment. Identifiers that the formats want
//! to be unique (CycloneDX `serialNumber`, SPDX `documentNamespace`) are UUID
//! v5 over the content and the caller's timestamp, so the same inputs always
//! give byte-identical output (reports diff cleanly, snapshots are stable),
//! while two runs at different times still get different serials.
//!
//! Each format lives in its own module with private serde layout structs
//! built from the inventory: the layout of a format is visible in one place,
//! and no template can produce invalid JSON.
#![warn(missing_docs)]

mod common;
mod cyclonedx;
mod json;
mod read;
pub mod scan;
mod spdx_json;

use std::fmt;
use std::io::Write;
use std::str::FromStr;

use portcullis_types::Inventory;
use time::OffsetDateTime;

pub use read::read_sbom;

/// Why a report could not be produced.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReportError {
    /// The `-o` value names no SBOM format.
    #[error("unknown SBOM format {0:?} (expected json, cyclonedx-json or spdx-json)")]
    UnknownFormat(String),
    /// The `-o` value names no scan format.
    #[error("unknown report format {0:?} (expected table, json, summary-json, qualys-json, html, junit, sarif, gitlab, cyclonedx-json or spdx-json)")]
    UnknownScanFormat(String),
    /// The document could not be turned into JSON.
    #[error("could not serialise the {format} document: {source}")]
    Serialize {
        /// The format being written.
        format: SbomFormat,
        /// What serde_json reported.
        source: serde_json::Error,
    },
    /// The creation timestamp could not be formatted (e.g. a year beyond 9999).
    #[error("could not format the creation timestamp: {0}")]
    Timestamp(#[from] time::error::Format),
    /// An SBOM given as scan input could not be read.
    #[error("cannot read the SBOM: {0}")]
    SbomInput(String),
    /// The writer for this format is not part of this build.
    #[error("the {0} writer is not available in this build")]
    Unavailable(&'static str),
    /// A scan document could not be turned into JSON.
    #[error("could not serialise the {format} report: {source}")]
    ScanSerialize {
        /// The format being written.
        format: &'static str,
        /// What serde_json reported.
        source: serde_json::Error,
    },
    /// Writing to the destination failed.
    #[error("could not write the report: {0}")]
    Io(#[from] std::io::Error),
}

/// The SBOM formats `portcullis sbom -o FORMAT` accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SbomFormat {
    /// The native portcullis inventory document (`json`).
    Json,
    /// CycloneDX 1.5 JSON (`cyclonedx-json`, alias `cyclonedx`).
    CycloneDxJson,
    /// SPDX 2.3 JSON (`spdx-json`, alias `spdx`).
    SpdxJson,
}

impl SbomFormat {
    /// Every format, in the order the CLI documents them.
    pub const ALL: [SbomFormat; 3] = [
        SbomFormat::Json,
        SbomFormat::CycloneDxJson,
        SbomFormat::SpdxJson,
    ];

    /// The canonical `-o` name (`json`, `cyclonedx-json`, `spdx-json`).
    pub fn as_str(self) -> &'static str {
        match self {
            SbomFormat::Json => "json",
            SbomFormat::CycloneDxJson => "cyclonedx-json",
            SbomFormat::SpdxJson => "spdx-json",
        }
    }

    /// The file suffix the ecosystem's tools look for when guessing a
    /// format from a name (`.cdx.json`, `.spdx.json`).
    pub fn file_suffix(self) -> &'static str {
        match self {
            SbomFormat::Json => ".json",
            SbomFormat::CycloneDxJson => ".cdx.json",
            SbomFormat::SpdxJson => ".spdx.json",
        }
    }
}

impl fmt::Display for SbomFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SbomFormat {
    type Err = ReportError;

    /// Accepts the canonical names and the short aliases Syft and Trivy
    /// users type, case-insensitively.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "json" => Ok(SbomFormat::Json),
            "cyclonedx-json" | "cyclonedx" => Ok(SbomFormat::CycloneDxJson),
            "spdx-json" | "spdx" => Ok(SbomFormat::SpdxJson),
            _ => Err(ReportError::UnknownFormat(s.to_owned())),
        }
    }
}

/// What the writers need besides the inventory, supplied by the caller so
/// that the writers themselves stay deterministic.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SbomContext {
    /// Name of the producing tool (`portcullis`).
    pub tool_name: String,
    /// Version of the producing tool.
    pub tool_version: String,
    /// When the document is created; written in UTC with second precision,
    /// the form SPDX 2.3 requires and CycloneDX accepts.
    pub created: OffsetDateTime,
}

impl SbomContext {
    /// A context for `tool_name` `tool_version` creating documents at `created`.
    pub fn new(
        tool_name: impl Into<String>,
        tool_version: impl Into<String>,
        created: OffsetDateTime,
    ) -> Self {
        SbomContext {
            tool_name: tool_name.into(),
            tool_version: tool_version.into(),
            created,
        }
    }
}

/// Writes `inventory` as an SBOM in `format` to `out`.
///
/// The document is built and serialised in memory first, so a failure never
/// leaves half a document behind; the bytes end with a newline.
///
/// ```
/// use portcullis_report::{write_sbom, ReportError, SbomContext, SbomFormat};
/// # fn demo(inventory: &portcullis_types::Inventory) -> Result<(), ReportError> {
/// // The caller owns the clock: tests pass a fixed time, the CLI `now_utc()`.
/// let ctx = SbomContext::new("portcullis", "0.1.0", time::OffsetDateTime::UNIX_EPOCH);
/// let format: SbomFormat = "cyclonedx".parse()?;
/// write_sbom(format, inventory, &ctx, &mut std::io::stdout().lock())?;
/// # Ok(())
/// # }
/// ```
pub fn write_sbom(
    format: SbomFormat,
    inventory: &Inventory,
    ctx: &SbomContext,
    out: &mut dyn Write,
) -> Result<(), ReportError> {
    let bytes = render_sbom(format, inventory, ctx)?;
    out.write_all(&bytes)?;
    out.flush()?;
    Ok(())
}

/// Renders `inventory` as an SBOM in `format` and returns the bytes
/// (pretty-printed JSON ending with a newline).
pub fn render_sbom(
    format: SbomFormat,
    inventory: &Inventory,
    ctx: &SbomContext,
) -> Result<Vec<u8>, ReportError> {
    let prepared = common::Prepared::new(inventory, ctx)?;
    let serialized = match format {
        SbomFormat::Json => serde_json::to_vec_pretty(&json::document(&prepared, ctx)),
        SbomFormat::CycloneDxJson => {
            serde_json::to_vec_pretty(&cyclonedx::document(&prepared, ctx))
        }
        SbomFormat::SpdxJson => serde_json::to_vec_pretty(&spdx_json::document(&prepared, ctx)),
    };
    let mut bytes = serialized.map_err(|source| ReportError::Serialize { format, source })?;
    bytes.push(b'\n');
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_parse_with_aliases() {
        for (name, want) in [
            ("json", SbomFormat::Json),
            ("cyclonedx-json", SbomFormat::CycloneDxJson),
            ("CycloneDX", SbomFormat::CycloneDxJson),
            ("spdx-json", SbomFormat::SpdxJson),
            ("spdx", SbomFormat::SpdxJson),
        ] {
            assert_eq!(name.parse::<SbomFormat>().ok(), Some(want), "{name}");
        }
        for f in SbomFormat::ALL {
            assert_eq!(f.as_str().parse::<SbomFormat>().ok(), Some(f));
        }
        let err = "cyclonedx-xml".parse::<SbomFormat>().err();
        assert!(matches!(err, Some(ReportError::UnknownFormat(s)) if s == "cyclonedx-xml"));
    }
}
