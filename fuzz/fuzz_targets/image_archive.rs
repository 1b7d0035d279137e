//! A whole docker-archive: tar index, manifest.json and config parsing, the
//! layer streams and the walk. Written to a temporary file because the
//! archive reader seeks.
#![no_main]

use libfuzzer_sys::fuzz_target;
use portcullis_catalog::{catalog_image, Limits};
use portcullis_image::{Image, ImageRef, OpenOptions};

fuzz_target!(|data: &[u8]| {
    let Ok(mut file) = tempfile::NamedTempFile::new() else { return };
    if std::io::Write::write_all(&mut file, data).is_err() {
        return;
    }
    let reference = ImageRef::DockerArchive { path: file.path().to_path_buf(), tag: None };
    let Ok(image) = Image::open(&reference, &OpenOptions::default()) else { return };
    let limits = Limits { max_layer_bytes: 64 << 20, max_file_bytes: 16 << 20, ..Limits::default() };
    let _ = catalog_image(&image, &portcullis_ecosystems::catalog_set(), &limits, 1);
});
