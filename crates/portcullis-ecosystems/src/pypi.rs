//! (being written)
use portcullis_catalog::{CatalogContext, CatalogOutput, Cataloger, EntryInfo, Want};

/// Finds Python packages.
pub struct PythonCataloger;

impl Cataloger for PythonCataloger {
    fn id(&self) -> &'static str {
        "pypi"
    }

    fn wants(&self, _path: &str, _info: &EntryInfo) -> Option<Want> {
        None
    }

    fn catalog(&self, _ctx: &CatalogContext<'_>, _out: &mut CatalogOutput) {}
}
