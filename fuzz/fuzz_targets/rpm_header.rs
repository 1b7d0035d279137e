//! rpm header blobs: every input must give a package or an error, never a
//! panic, an out-of-bounds read or a huge allocation.
#![no_main]

use libfuzzer_sys::fuzz_target;
use portcullis_ecosystems::rpm::{files::for_each_file, header::Header, parse_header};

fuzz_target!(|data: &[u8]| {
    if let Ok(package) = parse_header(data) {
        let _ = (package.evr(), package.source());
    }
    if let Ok(header) = Header::parse(data) {
        for entry in header.entries() {
            let _ = (entry.first_string(), entry.first_u32());
            let _ = (entry.strings().count(), entry.u32s().count(), entry.bytes());
        }
        // File lists index one array with another: hostile indexes and
        // lengths must only drop files.
        for_each_file(&header, |dir, base| {
            let _ = (dir.len(), base.len());
        });
    }
});
