use serde::{Deserialize, Serialize};

use crate::{Digest, Ecosystem, ImageMetadata};

/// Version of the inventory JSON document; bump when a field changes meaning.
pub const INVENTORY_SCHEMA_VERSION: u32 = 1;

/// The operating system an image claims to be, from `os-release` and friends.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Distro {
    /// `ID=` (e.g. `debian`, `alpine`, `rhel`).
    pub id: String,
    /// `VERSION_ID=` (e.g. `12`, `3.18.4`).
    pub version_id: Option<String>,
    /// `VERSION_CODENAME=` (e.g. `bookworm`).
    pub codename: Option<String>,
    /// `PRETTY_NAME=`.
    pub pretty_name: Option<String>,
    /// `ID_LIKE=` split on spaces.
    pub id_like: Vec<String>,
}

/// One installed package.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Package {
    /// Which package world it belongs to.
    pub ecosystem: Ecosystem,
    /// Name as the ecosystem spells it (PEP 503-normalised for Python).
    pub name: String,
    /// Installed version, verbatim.
    pub version: String,
    /// Source package name (OS packages; equals `name` when the DB gives none).
    pub source_name: Option<String>,
    /// Source package version (OS packages; equals `version` when the DB gives none).
    pub source_version: Option<String>,
    /// CPU architecture, where the package DB records one.
    pub arch: Option<String>,
    /// Package URL (purl-spec).
    pub purl: String,
    /// Licences, when cheap to read.
    pub licenses: Vec<String>,
    /// diff_id of the layer that introduced the package.
    pub layer: Option<Digest>,
    /// Files (paths in the image) that evidence the package.
    pub locations: Vec<String>,
    /// Id of the cataloger that found it.
    pub cataloger: String,
    /// For a language package (PyPI, npm, Go, Maven ...) that the distro's
    /// package manager installed: the OS package whose file list contains
    /// this package's metadata file, as `<ecosystem>:<name>`
    /// (`deb:python3-pip`). Such a package is matched with the distro's
    /// advisories only (through its owner), never the upstream ecosystem's,
    /// because distros backport fixes without changing the upstream version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owned_by: Option<String>,
}

impl Package {
    /// The sort key that makes every report deterministic.
    pub fn sort_key(&self) -> (Ecosystem, &str, &str, &[String]) {
        (self.ecosystem, &self.name, &self.version, &self.locations)
    }
}

/// A file that should have told us something but could not be read.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Unknown {
    /// Path in the image (or the layer/blob concerned).
    pub location: String,
    /// diff_id of the layer holding the file, where known.
    pub layer: Option<Digest>,
    /// Which cataloger or stage hit the problem.
    pub cataloger: String,
    /// Human-readable reason.
    pub reason: String,
}

/// What is installed in one image: the unit that is stored and matched.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inventory {
    /// [`INVENTORY_SCHEMA_VERSION`] at the time of writing.
    pub schema_version: u32,
    /// The image the packages were read from.
    pub image: ImageMetadata,
    /// Operating system, when one was recognised.
    pub distro: Option<Distro>,
    /// Packages, sorted by [`Package::sort_key`].
    pub packages: Vec<Package>,
    /// Files that could not be parsed; the scan carried on without them.
    pub unknowns: Vec<Unknown>,
}

impl Inventory {
    /// Sorts packages and unknowns so that output does not depend on
    /// layer-processing order.
    pub fn normalize(&mut self) {
        for p in &mut self.packages {
            p.locations.sort();
            p.locations.dedup();
            p.licenses.sort();
            p.licenses.dedup();
        }
        self.packages
            .sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        self.unknowns.sort();
        self.unknowns.dedup();
    }
}
