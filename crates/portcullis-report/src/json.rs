//! The native SBOM document (`portcullis sbom -o json`, SPEC §13).
//!
//! It is the [`Inventory`](portcullis_types::Inventory) layout plus a `tool`
//! object, so it reads back into an `Inventory` with serde (the unknown
//! `tool` key is ignored). Absent values are written as `null` rather than
//! left out: scripts can rely on every key being present.

use portcullis_types::{Ecosystem, HistoryEntry, LayerMetadata, INVENTORY_SCHEMA_VERSION};
use serde::Serialize;

use crate::common::Prepared;
use crate::SbomContext;

#[derive(Serialize)]
pub(crate) struct Document<'a> {
    schema_version: u32,
    tool: Tool<'a>,
    image: Image<'a>,
    distro: Option<Distro<'a>>,
    packages: Vec<Package<'a>>,
    unknowns: Vec<Unknown<'a>>,
}

#[derive(Serialize)]
struct Tool<'a> {
    name: &'a str,
    version: &'a str,
}

/// Spelled out field by field (not `ImageMetadata` itself) so that a field
/// added to the domain type does not silently change this contract.
#[derive(Serialize)]
struct Image<'a> {
    reference: &'a str,
    source: &'a str,
    image_id: &'a str,
    config_digest: Option<String>,
    manifest_digest: Option<String>,
    repo_tags: &'a [String],
    repo_digests: &'a [String],
    os: &'a str,
    architecture: &'a str,
    created: Option<&'a str>,
    docker_version: Option<&'a str>,
    layers: Vec<Layer<'a>>,
    history: Vec<History<'a>>,
    total_size: u64,
}

#[derive(Serialize)]
struct Distro<'a> {
    id: &'a str,
    version_id: Option<&'a str>,
    codename: Option<&'a str>,
    pretty_name: Option<&'a str>,
    id_like: &'a [String],
}

#[derive(Serialize)]
struct Layer<'a> {
    diff_id: String,
    digest: Option<String>,
    size: u64,
    media_type: Option<&'a str>,
    created_by: Option<&'a str>,
}

#[derive(Serialize)]
struct History<'a> {
    created: Option<&'a str>,
    created_by: Option<&'a str>,
    empty_layer: bool,
}

#[derive(Serialize)]
struct Package<'a> {
    ecosystem: Ecosystem,
    name: &'a str,
    version: &'a str,
    source_name: Option<&'a str>,
    source_version: Option<&'a str>,
    arch: Option<&'a str>,
    purl: &'a str,
    licenses: &'a [String],
    layer: Option<String>,
    locations: &'a [String],
    cataloger: &'a str,
    /// `<ecosystem>:<name>` of the OS package that installed this language
    /// package (its metadata file is in that package's file list).
    owned_by: Option<&'a str>,
}

#[derive(Serialize)]
struct Unknown<'a> {
    location: &'a str,
    layer: Option<String>,
    cataloger: &'a str,
    reason: &'a str,
}

pub(crate) fn document<'a>(prep: &'a Prepared, ctx: &'a SbomContext) -> Document<'a> {
    let inv = &prep.inventory;
    let img = &inv.image;
    Document {
        // The document is the inventory layout, so it shares its version.
        schema_version: INVENTORY_SCHEMA_VERSION,
        tool: Tool {
            name: &ctx.tool_name,
            version: &ctx.tool_version,
        },
        image: Image {
            reference: &img.reference,
            source: &img.source,
            image_id: &img.image_id,
            config_digest: img.config_digest.as_ref().map(ToString::to_string),
            manifest_digest: img.manifest_digest.as_ref().map(ToString::to_string),
            repo_tags: &img.repo_tags,
            repo_digests: &img.repo_digests,
            os: &img.os,
            architecture: &img.architecture,
            created: img.created.as_deref(),
            docker_version: img.docker_version.as_deref(),
            layers: img.layers.iter().map(layer).collect(),
            history: img.history.iter().map(history).collect(),
            total_size: img.total_size,
        },
        distro: inv.distro.as_ref().map(|d| Distro {
            id: &d.id,
            version_id: d.version_id.as_deref(),
            codename: d.codename.as_deref(),
            pretty_name: d.pretty_name.as_deref(),
            id_like: &d.id_like,
        }),
        packages: prep
            .entries
            .iter()
            .map(|e| {
                let p = &e.package;
                Package {
                    ecosystem: p.ecosystem,
                    name: &p.name,
                    version: &p.version,
                    source_name: p.source_name.as_deref(),
                    source_version: p.source_version.as_deref(),
                    arch: p.arch.as_deref(),
                    purl: &p.purl,
                    licenses: &p.licenses,
                    layer: p.layer.as_ref().map(ToString::to_string),
                    locations: &p.locations,
                    cataloger: &p.cataloger,
                    owned_by: p.owned_by.as_deref(),
                }
            })
            .collect(),
        unknowns: inv
            .unknowns
            .iter()
            .map(|u| Unknown {
                location: &u.location,
                layer: u.layer.as_ref().map(ToString::to_string),
                cataloger: &u.cataloger,
                reason: &u.reason,
            })
            .collect(),
    }
}

/// Layers keep their order: bottom first is meaningful, not arbitrary.
fn layer(l: &LayerMetadata) -> Layer<'_> {
    Layer {
        diff_id: l.diff_id.to_string(),
        digest: l.digest.as_ref().map(ToString::to_string),
        size: l.size,
        media_type: l.media_type.as_deref(),
        created_by: l.created_by.as_deref(),
    }
}

fn history(h: &HistoryEntry) -> History<'_> {
    History {
        created: h.created.as_deref(),
        created_by: h.created_by.as_deref(),
        empty_layer: h.empty_layer,
    }
}
