//! Java packages. (Being written.)

use portcullis_catalog::{CatalogContext, CatalogOutput, Cataloger, EntryInfo, Want};

/// Finds Java packages.
pub struct JavaCataloger;

impl Cataloger for JavaCataloger {
    fn id(&self) -> &'static str {
        "java"
    }

    fn wants(&self, _path: &str, _info: &EntryInfo) -> Option<Want> {
        None
    }

    fn catalog(&self, _ctx: &CatalogContext<'_>, _out: &mut CatalogOutput) {}
}
