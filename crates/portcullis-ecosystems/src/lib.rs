//! The ecosystems portcullis knows, one module each. Every module documents
//! the paths it reads and keeps its parsing and fixtures together.
//!
//! [`catalog_set`] is the one explicit registry: adding an ecosystem means a
//! module here and a line there.
#![warn(missing_docs)]

pub mod apk;
pub mod dpkg;
pub mod golang;
pub mod java;
pub mod npm;
pub mod os_release;
pub mod pypi;
pub mod rpm;
mod util;

#[cfg(test)]
mod ownership_tests;

use portcullis_catalog::CatalogSet;

/// Every cataloger, in the order that decides who owns a wanted file.
pub fn catalog_set() -> CatalogSet {
    CatalogSet {
        distro: Box::new(os_release::OsRelease),
        catalogers: vec![
            Box::new(dpkg::DpkgCataloger),
            Box::new(apk::ApkCataloger),
            Box::new(rpm::RpmCataloger),
            Box::new(pypi::PythonCataloger),
            Box::new(npm::NpmCataloger),
            Box::new(java::JavaCataloger),
            Box::new(golang::GoCataloger),
        ],
    }
}
