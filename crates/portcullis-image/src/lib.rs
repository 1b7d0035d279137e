//! Source stage: opens a container image wherever it lives and streams its
//! layers. Every source yields the same [`Image`] model, so the package set
//! and the image digest do not depend on how the image was stored.
//!
//! Nothing is extracted to disk: layers are handed to a visitor as
//! decompressed tar streams, several at a time where the source allows
//! random access. Blob digests are verified as the bytes stream by.
#![warn(missing_docs)]

mod blob;
mod docker;
mod docker_archive;
mod error;
mod oci;
mod oci_layout;
mod reference;
mod registry;
mod tar_index;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

pub use docker::DockerOptions;
pub use error::{ImageError, VisitError};
pub use oci::PlatformChoice;
pub use portcullis_types::ImageMetadata;
pub use reference::ImageRef;
pub use registry::{Credentials, RegistryOptions};

use oci::StoredLayer;

/// Settings for opening images.
#[derive(Clone, Debug, Default)]
pub struct OpenOptions {
    /// Platform picked from multi-platform indexes.
    pub platform: PlatformChoice,
    /// How to reach the Docker engine (`docker:` references).
    pub docker: DockerOptions,
    /// Registry access: insecure hosts, CA bundle, credentials (`registry:`).
    pub registry: RegistryOptions,
}

/// An opened image: its metadata, and access to its layers.
pub struct Image {
    /// What reports say about the image.
    pub metadata: ImageMetadata,
    layers: Layers,
}

/// Random access to stored blobs (files, archive members, registry URLs).
pub(crate) trait BlobStore: Send + Sync {
    fn open(&self, layer: &StoredLayer) -> Result<Box<dyn Read + Send + '_>, ImageError>;
}

type StreamOpener = Box<dyn Fn() -> Result<Box<dyn Read + Send>, ImageError> + Send + Sync>;

pub(crate) enum Layers {
    /// Layers readable independently, hence in parallel.
    Blobs {
        store: Arc<dyn BlobStore>,
        layers: Vec<StoredLayer>,
    },
    /// A `docker save` stream read front to back: layers come in archive
    /// order and are put back in manifest order at the end.
    DockerSave {
        open: StreamOpener,
        selector: docker_archive::Selector,
    },
    /// An unpacked root filesystem.
    Rootfs(PathBuf),
}

impl Image {
    /// Opens the image a reference points at.
    pub fn open(reference: &ImageRef, options: &OpenOptions) -> Result<Image, ImageError> {
        let mut image = match reference {
            ImageRef::OciDir { path, tag } => oci_layout::open_dir(path, tag.as_deref(), options)?,
            ImageRef::OciArchive { path, tag } => {
                oci_layout::open_archive(path, tag.as_deref(), options)?
            }
            ImageRef::DockerArchive { path, tag } => docker_archive::open(path, tag.as_deref())?,
            ImageRef::Rootfs(path) => open_rootfs(path)?,
            ImageRef::Docker(name) => docker::open(name, &options.docker)?,
            ImageRef::Registry(spec) => registry::open(spec, options)?,
        };
        image.metadata.reference = reference.to_string();
        image.metadata.source = reference.scheme().to_owned();
        Ok(image)
    }

    /// The root directory, when the image is an unpacked filesystem rather
    /// than layers.
    pub fn rootfs_dir(&self) -> Option<&Path> {
        match &self.layers {
            Layers::Rootfs(p) => Some(p),
            _ => None,
        }
    }

    /// Calls `visit` once per layer with the decompressed tar stream and the
    /// stored (compressed) size, using up to `threads` threads when the
    /// source allows. Returns the results in layer order (bottom first).
    ///
    /// The visitor should read the stream to its end: the blob digest is
    /// checked on what was read plus whatever is left.
    pub fn visit_layers<T, F>(&self, threads: usize, visit: F) -> Result<Vec<T>, ImageError>
    where
        T: Send + Clone,
        F: Fn(&mut dyn Read, Option<u64>) -> Result<T, VisitError> + Sync,
    {
        match &self.layers {
            Layers::Blobs { store, layers } => visit_blobs(store.as_ref(), layers, threads, &visit),
            Layers::DockerSave { open, selector } => {
                docker_archive::visit_stream(open()?, selector, &visit)
            }
            Layers::Rootfs(p) => Err(ImageError::Unsupported(format!(
                "{} is a directory, not a layered image",
                p.display()
            ))),
        }
    }
}

fn visit_blobs<T, F>(
    store: &dyn BlobStore,
    layers: &[StoredLayer],
    threads: usize,
    visit: &F,
) -> Result<Vec<T>, ImageError>
where
    T: Send,
    F: Fn(&mut dyn Read, Option<u64>) -> Result<T, VisitError> + Sync,
{
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<Result<T, ImageError>>>> =
        Mutex::new((0..layers.len()).map(|_| None).collect());
    let one = |layer: &StoredLayer| -> Result<T, ImageError> {
        let raw = store.open(layer)?;
        let name = layer
            .digest
            .as_ref()
            .map_or_else(|| layer.locator.clone(), ToString::to_string);
        let wrap = |source: VisitError| ImageError::Layer {
            layer: name.clone(),
            source,
        };
        match &layer.digest {
            Some(digest) => {
                let mut hashing = blob::HashingReader::new(raw, digest.clone());
                let value = {
                    let mut plain = blob::decompress(&mut hashing).map_err(|e| wrap(e.into()))?;
                    visit(&mut plain, Some(layer.size)).map_err(wrap)?
                };
                hashing.finish()?;
                Ok(value)
            }
            None => {
                let mut plain = blob::decompress(raw).map_err(|e| wrap(e.into()))?;
                visit(&mut plain, Some(layer.size)).map_err(wrap)
            }
        }
    };
    std::thread::scope(|scope| {
        for _ in 0..threads.clamp(1, layers.len().max(1)) {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= layers.len() {
                    break;
                }
                let r = one(&layers[i]);
                let failed = r.is_err();
                results
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)[i] = Some(r);
                if failed {
                    // Stop handing out work: the first error is what we report.
                    next.store(layers.len(), Ordering::Relaxed);
                }
            });
        }
    });
    let results = results
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let mut out = Vec::with_capacity(layers.len());
    let mut first_error = None;
    for r in results {
        match r {
            Some(Ok(v)) => out.push(v),
            Some(Err(e)) => {
                first_error.get_or_insert(e);
            }
            None => {}
        }
    }
    match first_error {
        Some(e) => Err(e),
        None => Ok(out),
    }
}

fn open_rootfs(path: &Path) -> Result<Image, ImageError> {
    let meta = std::fs::metadata(path).map_err(|e| ImageError::io(path, e))?;
    if !meta.is_dir() {
        return Err(ImageError::NotFound(format!(
            "{} is not a directory",
            path.display()
        )));
    }
    Ok(Image {
        metadata: ImageMetadata {
            os: "linux".into(),
            ..ImageMetadata::default()
        },
        layers: Layers::Rootfs(path.to_path_buf()),
    })
}
