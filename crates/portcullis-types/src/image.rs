use serde::{Deserialize, Serialize};

use crate::Digest;

/// What every report says about the scanned image, whatever source it came from.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageMetadata {
    /// The reference the user gave (e.g. `oci-dir:images/python.oci`).
    pub reference: String,
    /// Which source read the image (`docker-archive`, `oci-dir`, `registry`, …).
    pub source: String,
    /// Docker-style image ID: the first 12 hex of the config digest.
    pub image_id: String,
    /// sha256 of the image config blob; the identity of the image.
    pub config_digest: Option<Digest>,
    /// Digest of the manifest, where the source knows it.
    pub manifest_digest: Option<Digest>,
    /// `name:tag` references pointing at the image.
    pub repo_tags: Vec<String>,
    /// `name@sha256:…` references pointing at the image.
    pub repo_digests: Vec<String>,
    /// `linux`, `windows`, …
    pub os: String,
    /// `amd64`, `arm64`, …
    pub architecture: String,
    /// RFC 3339 creation time from the config.
    pub created: Option<String>,
    /// Docker version that built the image, when the config records it.
    pub docker_version: Option<String>,
    /// Filesystem layers, bottom first.
    pub layers: Vec<LayerMetadata>,
    /// Build history from the config, including empty layers.
    pub history: Vec<HistoryEntry>,
    /// Sum of the layer blob sizes.
    pub total_size: u64,
}

/// One filesystem layer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LayerMetadata {
    /// Digest of the uncompressed layer tar (the config's `rootfs.diff_ids`);
    /// the same whichever way the image is stored, so packages point at it.
    pub diff_id: Digest,
    /// Digest of the blob as stored (compressed for OCI/registry sources).
    pub digest: Option<Digest>,
    /// Size of the stored blob in bytes.
    pub size: u64,
    /// Media type of the stored blob.
    pub media_type: Option<String>,
    /// The history `created_by` that produced this layer.
    pub created_by: Option<String>,
}

/// One entry of the image config's `history`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    /// RFC 3339 time.
    pub created: Option<String>,
    /// The command that produced the entry.
    pub created_by: Option<String>,
    /// True when the entry produced no filesystem layer.
    pub empty_layer: bool,
}
