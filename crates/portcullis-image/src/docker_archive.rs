//! `docker save` archives (`docker-archive:`), and the same format streamed
//! by the Docker Engine's `GET /images/{name}/get`.
//!
//! Format: a tar with `manifest.json` = `[{"Config": "...", "RepoTags": [...],
//! "Layers": ["<id>/layer.tar" | "blobs/sha256/<hex>", ...]}]`, the config
//! JSON and one uncompressed tar per layer; duplicate layers may be links.
//! A plain archive is indexed and its layers read in parallel; a gzip one can
//! only be read front to back.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::sync::Arc;

use serde::Deserialize;

use crate::oci::{self, StoredLayer};
use crate::tar_index::{clean, join_relative, TarIndex};
use crate::{blob, BlobStore, Image, ImageError, Layers, VisitError};

const MAX_DOCUMENT: u64 = 16 << 20;

#[derive(Debug, Deserialize, Clone)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct SaveManifest {
    pub(crate) config: String,
    #[serde(default)]
    pub(crate) repo_tags: Option<Vec<String>>,
    pub(crate) layers: Vec<String>,
}

/// Which members of a streamed archive are layers.
pub(crate) enum Selector {
    /// The manifest was read beforehand: these paths, in layer order.
    Paths(Vec<String>),
    /// Unknown until the stream ends (Docker engine export): every member
    /// that is not JSON is visited, and `manifest.json` orders them at the end.
    FromManifest {
        /// `name:tag` to pick from the manifest, if several images.
        tag: Option<String>,
    },
}

struct Indexed(TarIndex);

impl BlobStore for Indexed {
    fn open(&self, layer: &StoredLayer) -> Result<Box<dyn Read + Send + '_>, ImageError> {
        let member = self
            .0
            .get(&layer.locator)
            .ok_or_else(|| ImageError::MissingBlob(layer.locator.clone()))?;
        Ok(Box::new(self.0.open(member)?))
    }
}

pub(crate) fn open(path: &Path, tag: Option<&str>) -> Result<Image, ImageError> {
    let mut head = [0u8; 2];
    let mut file = File::open(path).map_err(|e| ImageError::io(path, e))?;
    let n = file.read(&mut head).map_err(|e| ImageError::io(path, e))?;
    if n == 2 && head == [0x1f, 0x8b] {
        return open_gzip(path, tag);
    }
    let index = TarIndex::build(path)?;
    let manifest_bytes = index
        .read_small("manifest.json", MAX_DOCUMENT)
        .map_err(|e| match e {
            ImageError::MissingBlob(_) => ImageError::NotFound(format!(
                "{} has no manifest.json: not a docker-archive",
                path.display()
            )),
            other => other,
        })?;
    let entry = pick(&manifest_bytes, tag)?;
    let config = index.read_small(&entry.config, MAX_DOCUMENT)?;
    let layers = entry
        .layers
        .iter()
        .map(|l| {
            let member = index
                .get(l)
                .ok_or_else(|| ImageError::MissingBlob(l.clone()))?;
            Ok(StoredLayer {
                digest: None,
                locator: clean(l),
                size: member.size,
                media_type: None,
            })
        })
        .collect::<Result<Vec<_>, ImageError>>()?;
    let metadata = finish_metadata(&config, &entry, &layers)?;
    Ok(Image {
        metadata,
        layers: Layers::Blobs {
            store: Arc::new(Indexed(index)),
            layers,
        },
    })
}

fn open_gzip(path: &Path, tag: Option<&str>) -> Result<Image, ImageError> {
    let reopen = {
        let path = path.to_path_buf();
        move || -> Result<Box<dyn Read + Send>, ImageError> {
            let f = File::open(&path).map_err(|e| ImageError::io(&path, e))?;
            Ok(Box::new(flate2::read::MultiGzDecoder::new(
                std::io::BufReader::new(f),
            )))
        }
    };
    // First pass: only the small JSON documents, to learn the layer order.
    let docs = collect_documents(
        reopen()?,
        &|_: &str, _: &[u8]| false,
        |_: &mut dyn Read, _| Ok(()),
    )?
    .documents;
    let manifest = docs.get("manifest.json").ok_or_else(|| {
        ImageError::NotFound(format!(
            "{} has no manifest.json: not a docker-archive",
            path.display()
        ))
    })?;
    let entry = pick(manifest, tag)?;
    let config = docs
        .get(&clean(&entry.config))
        .ok_or_else(|| ImageError::MissingBlob(entry.config.clone()))?;
    let layers: Vec<StoredLayer> = entry
        .layers
        .iter()
        .map(|l| StoredLayer {
            digest: None,
            locator: clean(l),
            size: 0,
            media_type: None,
        })
        .collect();
    let metadata = finish_metadata(config, &entry, &layers)?;
    let selector = Selector::Paths(layers.iter().map(|l| l.locator.clone()).collect());
    Ok(Image {
        metadata,
        layers: Layers::DockerSave {
            open: Box::new(reopen),
            selector,
        },
    })
}

pub(crate) fn pick(manifest: &[u8], tag: Option<&str>) -> Result<SaveManifest, ImageError> {
    let entries: Vec<SaveManifest> = oci::parse("manifest.json", manifest)?;
    let found = match tag {
        Some(t) => entries.iter().find(|e| {
            e.repo_tags
                .iter()
                .flatten()
                .any(|r| r == t || r.rsplit_once(':').is_some_and(|(_, tag)| tag == t))
        }),
        None => entries.first(),
    };
    found.cloned().ok_or_else(|| match tag {
        Some(t) => ImageError::NotFound(format!("no image tagged {t:?} in the archive")),
        None => ImageError::malformed("manifest.json", "lists no image"),
    })
}

pub(crate) fn finish_metadata(
    config: &[u8],
    entry: &SaveManifest,
    layers: &[StoredLayer],
) -> Result<portcullis_types::ImageMetadata, ImageError> {
    let mut metadata = oci::metadata_from_config(config, blob::sha256_of(config), layers)?;
    metadata.repo_tags = entry.repo_tags.clone().unwrap_or_default();
    Ok(metadata)
}

pub(crate) struct StreamContents<T> {
    pub(crate) documents: HashMap<String, Vec<u8>>,
    pub(crate) layers: HashMap<String, T>,
    links: HashMap<String, String>,
}

impl<T: Clone> StreamContents<T> {
    fn layer(&self, path: &str) -> Option<T> {
        let mut name = clean(path);
        for _ in 0..16 {
            if let Some(v) = self.layers.get(&name) {
                return Some(v.clone());
            }
            name = self.links.get(&name)?.clone();
        }
        None
    }
}

/// Reads a docker-save stream once: JSON members are kept (bounded), and
/// members that `is_layer` accepts (given the name and first bytes) go to
/// `visit`.
pub(crate) fn collect_documents<T>(
    reader: Box<dyn Read + Send>,
    is_layer: &dyn Fn(&str, &[u8]) -> bool,
    visit: impl Fn(&mut dyn Read, Option<u64>) -> Result<T, VisitError>,
) -> Result<StreamContents<T>, ImageError> {
    let mut contents = StreamContents {
        documents: HashMap::new(),
        layers: HashMap::new(),
        links: HashMap::new(),
    };
    let mut archive = tar::Archive::new(reader);
    let stream_err =
        |e: std::io::Error| ImageError::Remote(format!("reading image archive stream: {e}"));
    for entry in archive.entries().map_err(stream_err)? {
        let entry = entry.map_err(stream_err)?;
        let name = clean(&String::from_utf8_lossy(&entry.path_bytes()));
        let kind = entry.header().entry_type();
        if kind.is_symlink() || kind.is_hard_link() {
            if let Some(target) = entry.link_name_bytes() {
                let target = String::from_utf8_lossy(&target);
                let resolved = if kind.is_symlink() {
                    join_relative(&name, &target)
                } else {
                    clean(&target)
                };
                contents.links.insert(name, resolved);
            }
            continue;
        }
        if !kind.is_file() {
            continue;
        }
        let size = entry.size();
        let mut buffered = BufReader::with_capacity(64 * 1024, entry);
        let head = buffered.fill_buf().map_err(stream_err)?;
        if is_layer(&name, head) {
            let value = {
                let mut plain = blob::decompress(&mut buffered).map_err(stream_err)?;
                visit(&mut plain, Some(size)).map_err(|source| ImageError::Layer {
                    layer: name.clone(),
                    source,
                })?
            };
            contents.layers.insert(name, value);
            continue;
        }
        let is_document = matches!(head.first(), Some(b'{' | b'['))
            || name.ends_with(".json")
            || name == "repositories"
            || name == "oci-layout";
        if is_document && size <= MAX_DOCUMENT {
            let mut buf = Vec::with_capacity(size as usize);
            buffered.read_to_end(&mut buf).map_err(stream_err)?;
            contents.documents.insert(name, buf);
        }
    }
    Ok(contents)
}

/// A tar (ustar magic at offset 257, or the all-zero end blocks of an empty
/// layer) or a compressed stream; not JSON, not `VERSION` files.
fn looks_like_layer(head: &[u8]) -> bool {
    let compressed = head.starts_with(&[0x1f, 0x8b]) || head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]);
    let ustar = head.get(257..262) == Some(b"ustar");
    let empty_tar = head.len() >= 1024 && head[..1024].iter().all(|&b| b == 0);
    compressed || ustar || empty_tar
}

/// Visits the layers of a docker-save stream and returns them in layer order.
pub(crate) fn visit_stream<T: Clone>(
    reader: Box<dyn Read + Send>,
    selector: &Selector,
    visit: &(impl Fn(&mut dyn Read, Option<u64>) -> Result<T, VisitError> + Sync),
) -> Result<Vec<T>, ImageError> {
    let is_layer = |name: &str, head: &[u8]| match selector {
        Selector::Paths(paths) => paths.iter().any(|p| p == name),
        Selector::FromManifest { .. } => looks_like_layer(head),
    };
    let contents = collect_documents(reader, &is_layer, visit)?;
    let order: Vec<String> = match selector {
        Selector::Paths(p) => p.clone(),
        Selector::FromManifest { tag } => {
            let manifest = contents
                .documents
                .get("manifest.json")
                .ok_or_else(|| ImageError::malformed("image archive stream", "no manifest.json"))?;
            pick(manifest, tag.as_deref())?.layers
        }
    };
    order
        .iter()
        .map(|p| {
            contents
                .layer(p)
                .ok_or_else(|| ImageError::MissingBlob(p.clone()))
        })
        .collect()
}
