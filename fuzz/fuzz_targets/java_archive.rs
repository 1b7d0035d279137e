//! Java archives: any bytes must give a summary or an error, never a panic,
//! and reading stays within the decompression budget; the manifest and
//! properties parsers likewise.
#![no_main]

use libfuzzer_sys::fuzz_target;
use portcullis_ecosystems::java::{
    coordinates, parse_manifest, parse_properties, summarize_archive, Limits,
};

fuzz_target!(|data: &[u8]| {
    // A smaller budget than the default keeps each run fast.
    let limits = Limits {
        max_total_bytes: 64 << 20,
        ..Limits::default()
    };
    if let Ok(summary) = summarize_archive(data, &limits) {
        for archive in &summary.archives {
            let _ = coordinates(archive, "fuzz-1.0.jar");
        }
    }
    let _ = parse_manifest(data);
    let _ = parse_properties(data);
});
