//! Hostile and broken images: each must end with a clear message and the
//! documented exit code (0 with an "unknown", or 3), within bounded time and
//! memory, never a panic and never a write outside the tool's own folders.

mod support;

use std::time::{Duration, Instant};

use support::oci::{gzip, header, sha256, tar, write_layout, Entry, Layer};
use support::{code, portcullis, stderr};

const STATUS: &[u8] =
    b"Package: hello\nStatus: install ok installed\nVersion: 2.10-3\nArchitecture: amd64\n\n";

fn sbom_json(dir: &std::path::Path) -> (i32, serde_json::Value, String) {
    let out = portcullis(&["sbom", &format!("oci-dir:{}", dir.display()), "-o", "json"]);
    let json = serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null);
    (code(&out), json, stderr(&out))
}

#[test]
fn traversal_and_absolute_entries_are_contained() {
    let tmp = tempfile::tempdir().unwrap();
    let layer = tar(&[
        Entry::File("../../../../tmp/portcullis-escape-canary", b"pwned"),
        Entry::File("a/../../escape-too", b"pwned"),
        Entry::File("/etc/os-release", b"ID=debian\nVERSION_ID=\"12\"\n"),
        Entry::File("./var/lib/dpkg/status", STATUS),
    ]);
    let image = tmp.path().join("image");
    write_layout(&image, &[Layer::gzipped(&layer)]);
    let (code, json, err) = sbom_json(&image);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("escapes the layer root"), "{err}");
    assert_eq!(
        json["distro"]["id"], "debian",
        "absolute path read as inside the image"
    );
    assert_eq!(json["packages"][0]["name"], "hello");
    let unknowns = json["unknowns"].as_array().unwrap();
    assert_eq!(unknowns.len(), 2, "{unknowns:?}");
    assert!(!std::path::Path::new("/tmp/portcullis-escape-canary").exists());
    assert!(!tmp.path().join("escape-too").exists());
}

#[test]
fn symlink_loops_end() {
    let tmp = tempfile::tempdir().unwrap();
    let layer = tar(&[
        Entry::Symlink("etc/os-release", "loop1"),
        Entry::Symlink("etc/loop1", "loop2"),
        Entry::Symlink("etc/loop2", "/etc/loop1"),
        Entry::Symlink("usr", "usr"),
        Entry::Symlink("lib", "usr/lib"),
        Entry::File("var/lib/dpkg/status", STATUS),
    ]);
    let image = tmp.path().join("image");
    write_layout(&image, &[Layer::gzipped(&layer)]);
    let started = Instant::now();
    let (code, json, err) = sbom_json(&image);
    assert_eq!(code, 0, "{err}");
    assert!(started.elapsed() < Duration::from_secs(20));
    assert!(json["distro"].is_null());
    assert_eq!(json["packages"].as_array().unwrap().len(), 1);
}

#[test]
fn gzip_bomb_is_refused() {
    // 1 GiB of zeros in about 1 MiB: a tar header for one huge file, then the
    // same gzip member of 16 MiB of zeros repeated (gzip allows members to be
    // concatenated), so the test builds it in milliseconds.
    let tmp = tempfile::tempdir().unwrap();
    let size: u64 = 1 << 30;
    let chunk = {
        use std::io::Write;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        gz.write_all(&vec![0u8; 16 << 20]).unwrap();
        gz.finish().unwrap()
    };
    let mut blob = gzip(&header("big", b'0', size, ""));
    for _ in 0..(size >> 24) {
        blob.extend_from_slice(&chunk);
    }
    assert!(
        size / blob.len() as u64 > 500,
        "the test must build a real bomb: ratio {}",
        size / blob.len() as u64
    );
    let image = tmp.path().join("image");
    write_layout(
        &image,
        &[Layer {
            blob,
            diff_id: sha256(b"not checked"),
        }],
    );
    let started = Instant::now();
    let reference = format!("oci-dir:{}", image.display());
    let (out, rss_kib) = support::portcullis_measured(&["sbom", &reference, "-o", "json"]);
    let err = stderr(&out);
    assert_eq!(code(&out), 3, "{err}");
    assert!(err.contains("decompression bomb"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(60));
    assert!(
        rss_kib < 150 * 1024,
        "peak RSS {rss_kib} KiB while refusing a bomb"
    );
}

#[test]
fn truncated_layer_is_an_error_naming_the_layer() {
    let tmp = tempfile::tempdir().unwrap();
    let mut files = vec![];
    let big: Vec<u8> = (0..200_000u32).flat_map(|i| i.to_le_bytes()).collect();
    files.push(Entry::File("data.bin", &big));
    files.push(Entry::File("var/lib/dpkg/status", STATUS));
    let full = gzip(&tar(&files));
    let cut = full[..full.len() / 2].to_vec();
    let digest = sha256(&cut);
    let image = tmp.path().join("image");
    write_layout(
        &image,
        &[Layer {
            blob: cut,
            diff_id: sha256(b"x"),
        }],
    );
    let (code, _, err) = sbom_json(&image);
    assert_eq!(code, 3, "{err}");
    assert!(err.contains(&digest), "the message names the layer: {err}");
    assert!(err.contains("cannot read layer"), "{err}");
}

#[test]
fn missing_and_corrupt_blobs_are_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let layer = Layer::gzipped(&tar(&[Entry::File("var/lib/dpkg/status", STATUS)]));
    let blob_digest = sha256(&layer.blob);
    let image = tmp.path().join("image");
    write_layout(&image, &[layer]);
    let blob_path = image.join("blobs/sha256").join(&blob_digest[7..]);

    let mut bytes = std::fs::read(&blob_path).unwrap();
    let last = bytes.len() - 10;
    bytes[last] ^= 0xff;
    std::fs::write(&blob_path, &bytes).unwrap();
    let (code, _, err) = sbom_json(&image);
    assert_eq!(code, 3, "{err}");
    assert!(
        err.contains("corrupt") || err.contains("cannot read layer"),
        "{err}"
    );

    std::fs::remove_file(&blob_path).unwrap();
    let (code, _, err) = sbom_json(&image);
    assert_eq!(code, 3, "{err}");
    assert!(
        err.contains("missing") && err.contains(&blob_digest[7..]),
        "{err}"
    );
}

#[test]
fn malformed_documents_are_named() {
    let tmp = tempfile::tempdir().unwrap();
    let image = tmp.path().join("image");
    write_layout(&image, &[Layer::gzipped(&tar(&[]))]);
    std::fs::write(image.join("index.json"), b"{\"manifests\": [").unwrap();
    let (code, _, err) = sbom_json(&image);
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("index.json"), "{err}");

    let junk = tmp.path().join("junk.tar");
    std::fs::write(&junk, vec![7u8; 4096]).unwrap();
    let out = portcullis(&["sbom", &format!("docker-archive:{}", junk.display())]);
    assert_eq!(support::code(&out), 3, "{}", stderr(&out));
    assert!(!stderr(&out).contains("panicked"));
}

#[test]
fn unparseable_package_files_become_unknowns() {
    let tmp = tempfile::tempdir().unwrap();
    let layer = tar(&[
        Entry::File("var/lib/dpkg/status", b"Package: ok\nStatus: install ok installed\nVersion: 1\n\nPackage: broken\nStatus: install ok installed\n"),
        Entry::File("app/node_modules/x/package.json", b"{\"name\": \"x\", \"version\": "),
        Entry::File("usr/lib/python3/dist-packages/y-1.0.dist-info/METADATA", b"Metadata-Version: 2.1\nSummary: no name\n"),
        Entry::Dir("empty"),
    ]);
    let image = tmp.path().join("image");
    write_layout(&image, &[Layer::gzipped(&layer)]);
    let (code, json, err) = sbom_json(&image);
    assert_eq!(code, 0, "{err}");
    let reasons: Vec<String> = json["unknowns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| format!("{} {}", u["location"], u["reason"]))
        .collect();
    assert_eq!(reasons.len(), 3, "{reasons:?}");
    assert!(
        reasons
            .iter()
            .any(|r| r.contains("package.json") && r.contains("invalid JSON")),
        "{reasons:?}"
    );
    assert_eq!(json["packages"].as_array().unwrap().len(), 1);
}

#[test]
fn usage_errors_exit_2() {
    let out = portcullis(&["sbom", "oci-dir:/nonexistent", "-o", "yaml"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    let out = portcullis(&["sbom"]);
    assert_eq!(code(&out), 2);
    let out = portcullis(&[
        "sbom",
        "oci-dir:/nonexistent/x",
        "-o",
        "json",
        "-o",
        "spdx-json",
    ]);
    assert_eq!(code(&out), 2, "two outputs to stdout: {}", stderr(&out));
}

#[test]
fn a_million_files_keep_memory_bounded() {
    // One million empty files (plus the dpkg database): memory must not grow
    // with the number of entries, because unwanted entries are not kept.
    let tmp = tempfile::tempdir().unwrap();
    let mut layer = Vec::with_capacity(520 << 20);
    for i in 0..1_000_000u32 {
        layer.extend_from_slice(&header(
            &format!("usr/share/many/{:03}/{i}", i % 1000),
            b'0',
            0,
            "",
        ));
    }
    layer.extend_from_slice(&tar(&[Entry::File("var/lib/dpkg/status", STATUS)]));
    let image = tmp.path().join("image");
    write_layout(&image, &[Layer::gzipped(&layer)]);
    drop(layer);
    let reference = format!("oci-dir:{}", image.display());
    let (out, rss_kib) = support::portcullis_measured(&["sbom", &reference, "-q", "-o", "json"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["packages"][0]["name"], "hello");
    assert!(
        rss_kib < 150 * 1024,
        "peak RSS {rss_kib} KiB for a million files"
    );
}
