use std::io::Read;

use portcullis_types::{Distro, Package, Unknown};

use crate::{FileOwners, Snapshot};

/// What a cataloger wants kept from a layer entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Want {
    /// The whole file content (bounded by [`crate::Limits::max_file_bytes`]).
    Content,
    /// Only what [`Cataloger::summarize`] extracts while the file streams by:
    /// for large files (binaries, archives) that must not stay in memory.
    Summary,
}

/// Header facts about a layer entry, for the cheap [`Cataloger::wants`] test.
#[derive(Clone, Copy, Debug)]
pub struct EntryInfo {
    /// Size of the file content in bytes.
    pub size: u64,
    /// Unix permission bits.
    pub mode: u32,
}

impl EntryInfo {
    /// True when any execute bit is set.
    pub fn is_executable(&self) -> bool {
        self.mode & 0o111 != 0
    }
}

/// A package found by a cataloger, with the layer it was attributed to.
#[derive(Clone, Debug)]
pub struct Found {
    /// The package; its `layer` is filled in by the runner from `layer_index`.
    pub package: Package,
    /// Index (bottom = 0) of the layer that introduced the package.
    pub layer_index: usize,
}

/// What catalogers append to.
#[derive(Debug, Default)]
pub struct CatalogOutput {
    /// Packages found.
    pub found: Vec<Found>,
    /// Files that could not be read, with the layer index where known.
    pub unknowns: Vec<(Unknown, Option<usize>)>,
}

impl CatalogOutput {
    /// Records a file that failed to parse.
    pub fn unknown(
        &mut self,
        cataloger: &str,
        location: &str,
        layer: Option<usize>,
        reason: impl Into<String>,
    ) {
        self.unknowns.push((
            Unknown {
                location: format!("/{location}"),
                layer: None,
                cataloger: cataloger.to_owned(),
                reason: reason.into(),
            },
            layer,
        ));
    }
}

/// What a cataloger sees when it runs.
pub struct CatalogContext<'a> {
    /// The squashed filesystem (wanted files only).
    pub snapshot: &'a Snapshot,
    /// The OS the image claims to be.
    pub distro: Option<&'a Distro>,
    /// Index of this cataloger in the set, to find the files it owns.
    pub index: usize,
}

/// Finds packages of one kind in an image.
pub trait Cataloger: Send + Sync {
    /// Stable id; appears in every package it finds.
    fn id(&self) -> &'static str;

    /// Cheap test run on every layer entry during the walk. `path` is
    /// normalised (`usr/lib/os-release`, no leading slash).
    fn wants(&self, path: &str, info: &EntryInfo) -> Option<Want>;

    /// For [`Want::Summary`]: read the file as it streams and keep only what
    /// matters. `Ok(None)` drops the entry (e.g. an executable that is not a
    /// Go binary); `Err` becomes an "unknown" with that reason.
    fn summarize(
        &self,
        _path: &str,
        _info: &EntryInfo,
        _content: &mut dyn Read,
    ) -> Result<Option<Vec<u8>>, String> {
        Ok(None)
    }

    /// Reads the squashed view and reports packages.
    fn catalog(&self, ctx: &CatalogContext<'_>, out: &mut CatalogOutput);

    /// OS package managers only: offer every path the file lists of the
    /// packages reported by [`Cataloger::catalog`] name to `owners`
    /// ([`FileOwners::claim`]), which keeps the few that evidence a
    /// language package. Runs after every cataloger's `catalog`, and only
    /// when some language package was found (see the `ownership` module).
    fn claim_files(&self, _ctx: &CatalogContext<'_>, _owners: &mut FileOwners<'_>) {}
}

/// Recognises the operating system before the catalogers run, because purls
/// and later matching depend on it.
pub trait DistroDetector: Send + Sync {
    /// The paths it reads (kept whole during the walk).
    fn wants(&self, path: &str) -> bool;
    /// Reads them from the snapshot.
    fn detect(&self, snapshot: &Snapshot) -> Option<Distro>;
}
