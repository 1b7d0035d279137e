//! The scan report: everything one `portcullis scan` run learned, which
//! every scan writer renders. It is built once by the binary and never
//! changed by a writer, so all formats of one run agree.

use std::collections::BTreeSet;

use portcullis_match::{Finding, NotMatched};
use portcullis_policy::{Evaluation, Policy};
use portcullis_types::{Digest, Inventory};
use time::OffsetDateTime;

/// One run: several images, one policy, one verdict.
#[derive(Clone, Debug)]
pub struct ScanReport {
    /// `portcullis`.
    pub tool_name: String,
    /// Version of the producing tool.
    pub tool_version: String,
    /// When the run happened (the writers never read the clock).
    pub generated_at: OffsetDateTime,
    /// `local`, `qualys` or `server`.
    pub backend: String,
    /// The DB the findings came from (local backend).
    pub db: Option<DbStamp>,
    /// The policy every image was evaluated against.
    pub policy: Policy,
    /// Images, in the order the user named them (duplicates merged).
    pub images: Vec<ImageResult>,
    /// CI metadata read from the environment (pipeline, job, build, URL).
    pub ci: CiMetadata,
}

impl ScanReport {
    /// True when every image passed (and none failed to scan).
    pub fn pass(&self) -> bool {
        self.images
            .iter()
            .all(|i| i.error.is_none() && i.evaluation.pass)
    }
}

/// The DB stamp every report carries (SPEC §11: reproducibility).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DbStamp {
    /// RFC 3339 build time.
    pub built_at: String,
    /// Feeds: name and when each was imported (RFC 3339).
    pub sources: Vec<(String, String)>,
}

/// One image of the run.
#[derive(Clone, Debug)]
pub struct ImageResult {
    /// Every reference the user gave that resolved to this image.
    pub references: Vec<String>,
    /// What is installed, with the image's metadata (`inventory.image`).
    pub inventory: Inventory,
    /// Every finding, sorted; the gate never filters this list.
    pub findings: Vec<Finding>,
    /// Packages that could not be matched, and why.
    pub not_matched: Vec<NotMatched>,
    /// The policy's verdict; `evaluation.verdicts[i]` is `findings[i]`'s.
    pub evaluation: Evaluation,
    /// diff_ids of the layers attributed to the base image.
    pub base_layers: BTreeSet<Digest>,
    /// Set when the image could not be scanned (exit code 3); the other
    /// fields are then empty.
    pub error: Option<String>,
}

impl ImageResult {
    /// The 12-hex image id the vendor reports key everything by.
    pub fn image_id(&self) -> &str {
        &self.inventory.image.image_id
    }

    /// The image's sha256 (config digest) in hex, when known.
    pub fn sha(&self) -> Option<&str> {
        self.inventory.image.config_digest.as_ref().map(Digest::hex)
    }
}

/// CI metadata (SPEC §6, webhook): whatever the CI system exposes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CiMetadata {
    /// `github`, `gitlab`, `azure`, `jenkins`, `bamboo`, or none.
    pub system: Option<String>,
    /// Pipeline / job name.
    pub job_name: Option<String>,
    /// Build or run number.
    pub build_number: Option<String>,
    /// Link to the build.
    pub job_url: Option<String>,
}
