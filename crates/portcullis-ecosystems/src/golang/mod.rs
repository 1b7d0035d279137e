//! Go packages. (Being written.)

use portcullis_catalog::{CatalogContext, CatalogOutput, Cataloger, EntryInfo, Want};

/// Finds Go packages.
pub struct GoCataloger;

impl Cataloger for GoCataloger {
    fn id(&self) -> &'static str {
        "golang"
    }

    fn wants(&self, _path: &str, _info: &EntryInfo) -> Option<Want> {
        None
    }

    fn catalog(&self, _ctx: &CatalogContext<'_>, _out: &mut CatalogOutput) {}
}
