//! Berkeley DB hash `Packages` files: never a panic, a loop or an unbounded
//! allocation, whatever the pages say.
#![no_main]

use libfuzzer_sys::fuzz_target;
use portcullis_ecosystems::rpm::{parse_rpmdb, DbFormat};

fuzz_target!(|data: &[u8]| {
    let _ = parse_rpmdb(DbFormat::BerkeleyDb, data);
});
