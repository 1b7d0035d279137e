//! OCI image layouts: a directory (`oci-dir:`) or a tar of one (`oci-archive:`).
//!
//! Spec: OCI image-spec `image-layout.md`. Blobs live at
//! `blobs/<alg>/<hex>`; `index.json` names the manifests, tagged with the
//! `org.opencontainers.image.ref.name` annotation.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use portcullis_types::Digest;

use crate::oci::{self, Descriptor, Index, Manifest, StoredLayer, INDEX_TYPES};
use crate::tar_index::TarIndex;
use crate::{blob, BlobStore, Image, ImageError, Layers, OpenOptions};

/// Largest manifest, index or config we read into memory.
const MAX_DOCUMENT: u64 = 16 << 20;
const REF_NAME: &str = "org.opencontainers.image.ref.name";

trait Layout: BlobStore {
    fn read_file(&self, name: &str) -> Result<Vec<u8>, ImageError>;
}

fn blob_path(digest: &Digest) -> String {
    // The digest is validated hex, so this cannot climb out of `blobs/`.
    format!("blobs/{}/{}", digest.algorithm(), digest.hex())
}

struct DirLayout(PathBuf);

impl BlobStore for DirLayout {
    fn open(&self, layer: &StoredLayer) -> Result<Box<dyn Read + Send + '_>, ImageError> {
        let path = self.0.join(&layer.locator);
        match File::open(&path) {
            Ok(f) => Ok(Box::new(f)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                Err(ImageError::MissingBlob(layer.locator.clone()))
            }
            Err(e) => Err(ImageError::io(path, e)),
        }
    }
}

impl Layout for DirLayout {
    fn read_file(&self, name: &str) -> Result<Vec<u8>, ImageError> {
        let path = self.0.join(name);
        let file = File::open(&path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound if name.starts_with("blobs/") => {
                ImageError::MissingBlob(name.to_owned())
            }
            std::io::ErrorKind::NotFound => ImageError::NotFound(format!(
                "{} has no {name}: not an OCI image layout",
                self.0.display()
            )),
            _ => ImageError::io(&path, e),
        })?;
        let mut buf = Vec::new();
        file.take(MAX_DOCUMENT + 1)
            .read_to_end(&mut buf)
            .map_err(|e| ImageError::io(&path, e))?;
        if buf.len() as u64 > MAX_DOCUMENT {
            return Err(ImageError::malformed(
                name,
                "larger than the 16 MiB limit for a metadata document",
            ));
        }
        Ok(buf)
    }
}

struct ArchiveLayout(TarIndex);

impl BlobStore for ArchiveLayout {
    fn open(&self, layer: &StoredLayer) -> Result<Box<dyn Read + Send + '_>, ImageError> {
        let member = self
            .0
            .get(&layer.locator)
            .ok_or_else(|| ImageError::MissingBlob(layer.locator.clone()))?;
        Ok(Box::new(self.0.open(member)?))
    }
}

impl Layout for ArchiveLayout {
    fn read_file(&self, name: &str) -> Result<Vec<u8>, ImageError> {
        if self.0.get(name).is_none() && !name.starts_with("blobs/") {
            return Err(ImageError::NotFound(format!(
                "{} has no {name}: not an OCI image layout archive",
                self.0.path.display()
            )));
        }
        self.0.read_small(name, MAX_DOCUMENT)
    }
}

pub(crate) fn open_dir(
    path: &Path,
    tag: Option<&str>,
    options: &OpenOptions,
) -> Result<Image, ImageError> {
    if !path.is_dir() {
        return Err(ImageError::NotFound(format!(
            "{} is not a directory",
            path.display()
        )));
    }
    open_layout(Arc::new(DirLayout(path.to_path_buf())), tag, options)
}

pub(crate) fn open_archive(
    path: &Path,
    tag: Option<&str>,
    options: &OpenOptions,
) -> Result<Image, ImageError> {
    open_layout(
        Arc::new(ArchiveLayout(TarIndex::build(path)?)),
        tag,
        options,
    )
}

fn read_verified(layout: &dyn Layout, digest: &Digest) -> Result<Vec<u8>, ImageError> {
    let bytes = layout.read_file(&blob_path(digest))?;
    blob::verify_bytes(&bytes, digest)?;
    Ok(bytes)
}

fn open_layout<L: Layout + 'static>(
    layout: Arc<L>,
    tag: Option<&str>,
    options: &OpenOptions,
) -> Result<Image, ImageError> {
    let index: Index = oci::parse("index.json", &layout.read_file("index.json")?)?;
    let mut chosen: Descriptor = match tag {
        Some(t) => index
            .manifests
            .iter()
            .find(|m| m.annotations.get(REF_NAME).map(String::as_str) == Some(t))
            .cloned()
            .ok_or_else(|| ImageError::NotFound(format!("no image tagged {t:?} in the layout")))?,
        None => oci::choose_manifest(&index, &options.platform, "index.json")?.clone(),
    };
    let ref_name = chosen.annotations.get(REF_NAME).cloned();
    // An index may point at another index (multi-platform image): descend.
    for _ in 0..4 {
        if !chosen
            .media_type
            .as_deref()
            .is_some_and(|m| INDEX_TYPES.contains(&m))
        {
            break;
        }
        let nested: Index = oci::parse(
            &format!("index {}", chosen.digest),
            &read_verified(layout.as_ref(), &chosen.digest)?,
        )?;
        chosen = oci::choose_manifest(
            &nested,
            &options.platform,
            &format!("index {}", chosen.digest),
        )?
        .clone();
    }
    let manifest_bytes = read_verified(layout.as_ref(), &chosen.digest)?;
    let manifest: Manifest = oci::parse(&format!("manifest {}", chosen.digest), &manifest_bytes)?;
    if manifest
        .media_type
        .as_deref()
        .is_some_and(|m| INDEX_TYPES.contains(&m))
    {
        return Err(ImageError::Unsupported(
            "index nested more than 4 deep".into(),
        ));
    }
    let config = read_verified(layout.as_ref(), &manifest.config.digest)?;
    let layers: Vec<StoredLayer> = manifest
        .layers
        .iter()
        .map(|d| StoredLayer {
            digest: Some(d.digest.clone()),
            locator: blob_path(&d.digest),
            size: d.size,
            media_type: d.media_type.clone(),
        })
        .collect();
    let mut metadata = oci::metadata_from_config(&config, manifest.config.digest.clone(), &layers)?;
    metadata.manifest_digest = Some(chosen.digest.clone());
    if let Some(name) = chosen
        .annotations
        .get("io.containerd.image.name")
        .or(ref_name
            .as_ref()
            .filter(|n| n.contains(':') || n.contains('/')))
    {
        metadata.repo_tags.push(name.clone());
    }
    Ok(Image {
        metadata,
        layers: Layers::Blobs {
            store: layout,
            layers,
        },
    })
}
