//! The text package databases: dpkg status, apk installed, Python core
//! metadata, npm manifests and lockfiles, os-release. None may panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use portcullis_ecosystems::{apk, dpkg, npm, os_release, pypi};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = dpkg::parse_status(&text);
    let _ = apk::parse_installed(&text);
    apk::for_each_path(&text, |package, dir, file| {
        let _ = (package.len(), dir.len(), file.map(str::len));
    });
    let _ = pypi::parse_metadata(&text);
    let _ = os_release::parse_os_release(&text);
    let _ = npm::parse_package_json(data);
    let _ = npm::parse_lockfile(data);
});
