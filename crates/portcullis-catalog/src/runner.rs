//! Runs the catalogers over an image: walk layers (in parallel), squash,
//! detect the distro, catalog, and assemble a sorted [`Inventory`].

use portcullis_image::{Image, ImageError};
use portcullis_types::{Distro, Inventory, Unknown, INVENTORY_SCHEMA_VERSION};

use crate::walk::{walk_dir, walk_tar, LayerFiles, Limits, DISTRO_OWNER};
use crate::{CatalogContext, CatalogOutput, Cataloger, DistroDetector, EntryInfo, Snapshot, Want};

/// The explicit list of what runs: one distro detector and the catalogers.
pub struct CatalogSet {
    /// Recognises the OS.
    pub distro: Box<dyn DistroDetector>,
    /// Package catalogers, in a fixed order (the first that wants a file owns it).
    pub catalogers: Vec<Box<dyn Cataloger>>,
}

impl CatalogSet {
    /// Who wants this entry, and how. The distro detector comes first
    /// because everything else depends on it.
    pub(crate) fn select(&self, path: &str, info: &EntryInfo) -> Option<(usize, Want)> {
        if self.distro.wants(path) {
            return Some((DISTRO_OWNER, Want::Content));
        }
        self.catalogers
            .iter()
            .enumerate()
            .find_map(|(i, c)| c.wants(path, info).map(|w| (i, w)))
    }
}

/// Why cataloging an image failed as a whole.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    /// The image could not be read.
    #[error(transparent)]
    Image(#[from] ImageError),
    /// An unpacked root filesystem could not be walked.
    #[error("cannot walk {path}")]
    Rootfs {
        /// The directory.
        path: String,
        /// The cause.
        #[source]
        source: crate::WalkError,
    },
}

/// Runs `set` over a squashed view: detects the distro, runs every
/// cataloger, then the ownership pass that marks language packages
/// installed by an OS package manager ([`crate::FileOwners`]). Packages
/// keep their layer indexes (the caller maps them to digests).
pub fn catalog_snapshot(set: &CatalogSet, snapshot: &Snapshot) -> (Option<Distro>, CatalogOutput) {
    let distro: Option<Distro> = set.distro.detect(snapshot);
    let mut output = CatalogOutput::default();
    for (index, cataloger) in set.catalogers.iter().enumerate() {
        let ctx = CatalogContext {
            snapshot,
            distro: distro.as_ref(),
            index,
        };
        cataloger.catalog(&ctx, &mut output);
    }
    crate::ownership::mark_owned(set, snapshot, distro.as_ref(), &mut output.found);
    (distro, output)
}

/// Catalogs one image with `threads` layers in flight.
pub fn catalog_image(
    image: &Image,
    set: &CatalogSet,
    limits: &Limits,
    threads: usize,
) -> Result<Inventory, CatalogError> {
    let layers: Vec<LayerFiles> = match image.rootfs_dir() {
        Some(dir) => vec![
            walk_dir(dir, set, limits).map_err(|source| CatalogError::Rootfs {
                path: dir.display().to_string(),
                source,
            })?,
        ],
        None => image.visit_layers(threads, |reader, compressed| {
            walk_tar(reader, compressed, set, limits).map_err(Into::into)
        })?,
    };
    let layer_digest = |i: Option<usize>| {
        i.and_then(|i| image.metadata.layers.get(i))
            .map(|l| l.diff_id.clone())
    };

    let mut unknowns: Vec<Unknown> = Vec::new();
    for (i, layer) in layers.iter().enumerate() {
        for (path, reason) in &layer.issues {
            let location = if path.starts_with('/') {
                path.clone()
            } else {
                format!("/{path}")
            };
            unknowns.push(Unknown {
                location,
                layer: layer_digest(Some(i)),
                cataloger: "layer".into(),
                reason: reason.clone(),
            });
        }
    }
    let snapshot = Snapshot::squash(layers);
    let (distro, output) = catalog_snapshot(set, &snapshot);
    let packages = output
        .found
        .into_iter()
        .map(|f| {
            let mut p = f.package;
            p.layer = layer_digest(Some(f.layer_index));
            p
        })
        .collect();
    unknowns.extend(output.unknowns.into_iter().map(|(mut u, layer)| {
        u.layer = layer_digest(layer);
        u
    }));
    let mut inventory = Inventory {
        schema_version: INVENTORY_SCHEMA_VERSION,
        image: image.metadata.clone(),
        distro,
        packages,
        unknowns,
    };
    inventory.normalize();
    Ok(inventory)
}
