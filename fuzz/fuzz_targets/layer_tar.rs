//! A whole layer through the real pipeline: the streaming tar walk (hostile
//! names, links, whiteouts), the squash, and every cataloger on the result.
#![no_main]

use libfuzzer_sys::fuzz_target;
use portcullis_catalog::{walk_tar, CatalogContext, CatalogOutput, Limits, Snapshot};

fuzz_target!(|data: &[u8]| {
    let set = portcullis_ecosystems::catalog_set();
    let limits = Limits { max_layer_bytes: 64 << 20, max_file_bytes: 16 << 20, ..Limits::default() };
    let mut reader = data;
    let Ok(layer) = walk_tar(&mut reader, Some(data.len() as u64), &set, &limits) else { return };
    let snapshot = Snapshot::squash(vec![layer.clone(), layer]);
    let distro = set.distro.detect(&snapshot);
    let mut out = CatalogOutput::default();
    for (index, cataloger) in set.catalogers.iter().enumerate() {
        cataloger.catalog(&CatalogContext { snapshot: &snapshot, distro: distro.as_ref(), index }, &mut out);
    }
});
