//! (being written)
use portcullis_catalog::{CatalogContext, CatalogOutput, Cataloger, EntryInfo, Want};

/// Finds Npm packages.
pub struct NpmCataloger;

impl Cataloger for NpmCataloger {
    fn id(&self) -> &'static str {
        "npm"
    }

    fn wants(&self, _path: &str, _info: &EntryInfo) -> Option<Want> {
        None
    }

    fn catalog(&self, _ctx: &CatalogContext<'_>, _out: &mut CatalogOutput) {}
}
