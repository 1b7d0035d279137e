//! Rpm packages. (Being written.)

use portcullis_catalog::{CatalogContext, CatalogOutput, Cataloger, EntryInfo, Want};

/// Finds Rpm packages.
pub struct RpmCataloger;

impl Cataloger for RpmCataloger {
    fn id(&self) -> &'static str {
        "rpm"
    }

    fn wants(&self, _path: &str, _info: &EntryInfo) -> Option<Want> {
        None
    }

    fn catalog(&self, _ctx: &CatalogContext<'_>, _out: &mut CatalogOutput) {}
}
