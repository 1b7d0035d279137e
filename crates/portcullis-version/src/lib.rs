//! Version schemes: how each ecosystem orders its versions.
//!
//! Matching is only as right as these comparisons, so every scheme follows
//! its published specification and is tested with that specification's own
//! edge cases and with properties (total order, antisymmetry, transitivity).
//! Pure functions, no I/O.
#![warn(missing_docs)]

pub mod apk;
pub mod deb;
pub mod golang;
pub mod maven;
pub mod npm;
pub mod pep440;
pub mod rpm;

use std::cmp::Ordering;

/// A version string that does not follow its scheme.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {scheme} version {version:?}: {reason}")]
pub struct VersionError {
    /// The scheme (`deb`, `rpm`, …).
    pub scheme: &'static str,
    /// The offending input.
    pub version: String,
    /// What is wrong with it.
    pub reason: String,
}

/// The schemes, one per ecosystem family.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scheme {
    /// deb-version(7).
    Deb,
    /// rpmvercmp with epoch and release.
    Rpm,
    /// apk-tools.
    Apk,
    /// PEP 440.
    Pep440,
    /// Semantic Versioning 2.0.0 as npm uses it.
    Npm,
    /// Go module versions (semver with a `v` prefix).
    Go,
    /// Maven ComparableVersion.
    Maven,
}

impl Scheme {
    /// Compares two versions of this scheme.
    pub fn compare(self, a: &str, b: &str) -> Result<Ordering, VersionError> {
        match self {
            Scheme::Deb => deb::compare(a, b),
            Scheme::Rpm => Ok(rpm::compare(a, b)),
            Scheme::Apk => apk::compare(a, b),
            Scheme::Pep440 => pep440::compare(a, b),
            Scheme::Npm => npm::compare(a, b),
            Scheme::Go => golang::compare(a, b),
            Scheme::Maven => Ok(maven::compare(a, b)),
        }
    }
}
