//! NDB `Packages.db` files (SUSE): never a panic or an out-of-bounds read.
#![no_main]

use libfuzzer_sys::fuzz_target;
use portcullis_ecosystems::rpm::{parse_rpmdb, DbFormat};

fuzz_target!(|data: &[u8]| {
    let _ = parse_rpmdb(DbFormat::Ndb, data);
});
