//! Go build info: any executable bytes must give build info, nothing, or an
//! error, never a panic or an allocation beyond the scanner's window; the
//! modinfo text parser and the toolchain-version mapping likewise.
#![no_main]

use libfuzzer_sys::fuzz_target;
use portcullis_ecosystems::golang::{packages_of, parse_modinfo, scan_buildinfo, stdlib_version};

fuzz_target!(|data: &[u8]| {
    // Prefix the ELF magic so the whole input is scanned, not rejected
    // after four bytes.
    let mut file = b"\x7fELF".to_vec();
    file.extend_from_slice(data);
    if let Ok(Some(raw)) = scan_buildinfo(&mut file.as_slice()) {
        let (info, _) = parse_modinfo(&raw.go_version, &raw.modinfo);
        let _ = packages_of(&info);
    }
    let text = String::from_utf8_lossy(data);
    let (info, _) = parse_modinfo(&text, &text);
    let _ = packages_of(&info);
    let _ = stdlib_version(&text);
});
