//! The domain model shared by every stage of the pipeline
//! (source → catalog → inventory → match → policy → report).
//!
//! This crate does no I/O: it only names things, so that every other crate
//! agrees on what an image, a layer, a package and an inventory are.
#![warn(missing_docs)]

mod digest;
mod ecosystem;
mod image;
mod inventory;
mod purl;
mod purl_parse;

pub use digest::{Digest, DigestError};
pub use ecosystem::Ecosystem;
pub use image::{HistoryEntry, ImageMetadata, LayerMetadata};
pub use inventory::{Distro, Inventory, Package, Unknown, INVENTORY_SCHEMA_VERSION};
pub use purl::purl_for;
pub use purl_parse::{Purl, PurlError};
