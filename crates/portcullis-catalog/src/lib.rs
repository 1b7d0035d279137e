//! Catalog stage: turns the layers of an image into an [`Inventory`].
//!
//! Each layer is read once, as a stream, in parallel with the others. During
//! that walk every [`Cataloger`] says which entries it wants; only those are
//! kept (whole content, or a small summary computed on the fly), so memory
//! depends on what the catalogers need, not on the size of the image. The
//! layers are then squashed (whiteouts and opaque directories applied) into a
//! [`Snapshot`] that catalogers read. Nothing is ever written to disk.
//!
//! This crate defines the seams; the ecosystems live in `portcullis-ecosystems`.
#![warn(missing_docs)]

mod cataloger;
mod ownership;
mod path;
mod runner;
mod snapshot;
mod walk;

pub use cataloger::{
    CatalogContext, CatalogOutput, Cataloger, DistroDetector, EntryInfo, Found, Want,
};
pub use ownership::FileOwners;
pub use path::{normalize, NormalizedPath};
pub use runner::{catalog_image, catalog_snapshot, CatalogError, CatalogSet};
pub use snapshot::{FileRef, Snapshot, Version};
pub use walk::{walk_dir, walk_tar, LayerFiles, Limits, Recorded, WalkError};

pub use portcullis_types::Inventory;
