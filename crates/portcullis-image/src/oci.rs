//! OCI image-spec and Docker schema-2 documents, and the image model built
//! from them. One reader serves every source, so the same image yields the
//! same metadata whichever way it is stored.
//!
//! Specs: OCI image-spec v1.1 (`index.json`, manifest, config) and Docker
//! image manifest v2 schema 2 (same shapes, different media types).

use std::collections::BTreeMap;

use portcullis_types::{Digest, HistoryEntry, ImageMetadata, LayerMetadata};
use serde::Deserialize;

use crate::ImageError;

/// Media types of manifests we can read.
pub(crate) const MANIFEST_TYPES: &[&str] = &[
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json",
];
/// Media types of indexes (multi-platform lists).
pub(crate) const INDEX_TYPES: &[&str] = &[
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
];

#[derive(Debug, Deserialize, Clone)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Descriptor {
    #[serde(default)]
    pub(crate) media_type: Option<String>,
    pub(crate) digest: Digest,
    #[serde(default)]
    pub(crate) size: u64,
    #[serde(default)]
    pub(crate) platform: Option<Platform>,
    #[serde(default)]
    pub(crate) annotations: BTreeMap<String, String>,
}

#[derive(Debug, Deserialize, Clone)]
pub(crate) struct Platform {
    #[serde(default)]
    pub(crate) architecture: String,
    #[serde(default)]
    pub(crate) os: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Index {
    #[serde(default)]
    pub(crate) manifests: Vec<Descriptor>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Manifest {
    #[serde(default)]
    pub(crate) media_type: Option<String>,
    pub(crate) config: Descriptor,
    #[serde(default)]
    pub(crate) layers: Vec<Descriptor>,
}

#[derive(Debug, Deserialize)]
struct Config {
    #[serde(default)]
    architecture: String,
    #[serde(default)]
    os: String,
    #[serde(default)]
    created: Option<String>,
    #[serde(default)]
    docker_version: Option<String>,
    rootfs: RootFs,
    #[serde(default)]
    history: Vec<History>,
}

#[derive(Debug, Deserialize)]
struct RootFs {
    #[serde(default)]
    diff_ids: Vec<Digest>,
}

#[derive(Debug, Deserialize)]
struct History {
    #[serde(default)]
    created: Option<String>,
    #[serde(default)]
    created_by: Option<String>,
    #[serde(default)]
    empty_layer: bool,
}

/// The platform to pick from a multi-platform index.
#[derive(Clone, Debug)]
pub struct PlatformChoice {
    /// e.g. `linux`.
    pub os: String,
    /// e.g. `amd64`.
    pub architecture: String,
}

impl Default for PlatformChoice {
    fn default() -> Self {
        let architecture = match std::env::consts::ARCH {
            "x86_64" => "amd64",
            "aarch64" => "arm64",
            other => other,
        };
        PlatformChoice {
            os: "linux".into(),
            architecture: architecture.into(),
        }
    }
}

pub(crate) fn parse<'a, T: Deserialize<'a>>(what: &str, bytes: &'a [u8]) -> Result<T, ImageError> {
    serde_json::from_slice(bytes).map_err(|e| ImageError::malformed(what, e))
}

/// Picks the manifest for `platform` from an index; an index of one entry
/// is taken as is (single-platform OCI layouts often omit `platform`).
pub(crate) fn choose_manifest<'a>(
    index: &'a Index,
    platform: &PlatformChoice,
    what: &str,
) -> Result<&'a Descriptor, ImageError> {
    if index.manifests.len() == 1 {
        return Ok(&index.manifests[0]);
    }
    index
        .manifests
        .iter()
        .find(|m| {
            m.platform
                .as_ref()
                .is_some_and(|p| p.os == platform.os && p.architecture == platform.architecture)
        })
        .ok_or_else(|| {
            let available: Vec<String> = index
                .manifests
                .iter()
                .filter_map(|m| m.platform.as_ref())
                .map(|p| format!("{}/{}", p.os, p.architecture))
                .collect();
            ImageError::NotFound(format!(
                "{what}: no manifest for {}/{} (available: {})",
                platform.os,
                platform.architecture,
                available.join(", ")
            ))
        })
}

/// A layer as a source stores it.
#[derive(Clone, Debug)]
pub(crate) struct StoredLayer {
    /// Digest of the stored blob, verified while reading when present.
    pub(crate) digest: Option<Digest>,
    /// Source-specific locator (blob path, archive member, URL).
    pub(crate) locator: String,
    pub(crate) size: u64,
    pub(crate) media_type: Option<String>,
}

/// Builds the image model from the config blob and the stored layers.
pub(crate) fn metadata_from_config(
    config: &[u8],
    config_digest: Digest,
    layers: &[StoredLayer],
) -> Result<ImageMetadata, ImageError> {
    let what = format!("config {config_digest}");
    let parsed: Config = parse(&what, config)?;
    if parsed.rootfs.diff_ids.len() != layers.len() {
        return Err(ImageError::malformed(
            what,
            format!(
                "config lists {} diff_ids but the manifest has {} layers",
                parsed.rootfs.diff_ids.len(),
                layers.len()
            ),
        ));
    }
    let mut producing = parsed
        .history
        .iter()
        .filter(|h| !h.empty_layer)
        .map(|h| h.created_by.clone());
    let layer_meta = parsed
        .rootfs
        .diff_ids
        .iter()
        .zip(layers)
        .map(|(diff_id, stored)| LayerMetadata {
            diff_id: diff_id.clone(),
            digest: stored.digest.clone(),
            size: stored.size,
            media_type: stored.media_type.clone(),
            created_by: producing.next().flatten(),
        })
        .collect();
    Ok(ImageMetadata {
        image_id: config_digest.short().to_owned(),
        config_digest: Some(config_digest),
        os: parsed.os,
        architecture: parsed.architecture,
        created: parsed.created,
        docker_version: parsed.docker_version.filter(|v| !v.is_empty()),
        total_size: layers.iter().map(|l| l.size).sum(),
        layers: layer_meta,
        history: parsed
            .history
            .into_iter()
            .map(|h| HistoryEntry {
                created: h.created,
                created_by: h.created_by,
                empty_layer: h.empty_layer,
            })
            .collect(),
        ..ImageMetadata::default()
    })
}
