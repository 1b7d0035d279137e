//! Layer semantics on small hand-built images: distroless dpkg databases,
//! opaque directories, and which layer a package is attributed to.

mod support;

use support::oci::{tar, write_layout, Entry, Layer};
use support::{code, portcullis, stderr};

fn sbom(dir: &std::path::Path) -> serde_json::Value {
    let out = portcullis(&["sbom", &format!("oci-dir:{}", dir.display()), "-q"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn stanza(name: &str, version: &str) -> String {
    format!("Package: {name}\nStatus: install ok installed\nVersion: {version}\nArchitecture: amd64\n\n")
}

#[test]
fn distroless_status_d_is_read_and_md5sums_ignored() {
    let tmp = tempfile::tempdir().unwrap();
    let base = stanza("base-files", "12.4+deb12u5");
    let libc = "Package: libc6\nStatus: install ok installed\nVersion: 2.36-9+deb12u4\nSource: glibc\nArchitecture: amd64\n";
    let layer = tar(&[
        Entry::File("var/lib/dpkg/status.d/base-files", base.as_bytes()),
        Entry::File(
            "var/lib/dpkg/status.d/base-files.md5sums",
            b"d41d8cd98f00b204e9800998ecf8427e  etc/issue\n",
        ),
        Entry::File("var/lib/dpkg/status.d/libc6", libc.as_bytes()),
    ]);
    let image = tmp.path().join("image");
    write_layout(&image, &[Layer::gzipped(&layer)]);
    let doc = sbom(&image);
    let packages = doc["packages"].as_array().unwrap();
    assert_eq!(packages.len(), 2, "{packages:?}");
    let libc = packages.iter().find(|p| p["name"] == "libc6").unwrap();
    assert_eq!(libc["source_name"], "glibc");
    assert_eq!(libc["source_version"], "2.36-9+deb12u4");
    assert_eq!(libc["locations"][0], "/var/lib/dpkg/status.d/libc6");
    assert!(doc["unknowns"].as_array().unwrap().is_empty());
}

#[test]
fn packages_are_attributed_to_the_layer_that_introduced_them() {
    let tmp = tempfile::tempdir().unwrap();
    let one = format!("{}{}", stanza("a", "1.0"), stanza("b", "1.0"));
    let two = format!(
        "{}{}{}",
        stanza("a", "1.0"),
        stanza("b", "1.1"),
        stanza("c", "3")
    );
    let layers = [
        Layer::gzipped(&tar(&[
            Entry::File("var/lib/dpkg/status", one.as_bytes()),
            Entry::File(
                "usr/lib/python3/dist-packages/old-1.0.dist-info/METADATA",
                b"Name: old\nVersion: 1.0\n",
            ),
        ])),
        // An opaque directory hides everything the lower layer had below it.
        Layer::gzipped(&tar(&[
            Entry::File("var/lib/dpkg/status", two.as_bytes()),
            Entry::File("usr/lib/python3/dist-packages/.wh..wh..opq", b""),
            Entry::File(
                "usr/lib/python3/dist-packages/new-2.0.dist-info/METADATA",
                b"Name: new\nVersion: 2.0\n",
            ),
        ])),
    ];
    let diff_ids: Vec<String> = layers.iter().map(|l| l.diff_id.clone()).collect();
    let image = tmp.path().join("image");
    write_layout(&image, &layers);
    let doc = sbom(&image);
    let layer_of = |name: &str| {
        let p = doc["packages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name)
            .unwrap_or_else(|| panic!("{name} missing"));
        p["layer"].as_str().unwrap().to_owned()
    };
    assert_eq!(layer_of("a"), diff_ids[0], "unchanged since layer 1");
    assert_eq!(layer_of("b"), diff_ids[1], "upgraded in layer 2");
    assert_eq!(layer_of("c"), diff_ids[1], "new in layer 2");
    assert_eq!(layer_of("new"), diff_ids[1]);
    assert!(
        !doc["packages"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["name"] == "old"),
        "hidden by the opaque directory"
    );
}
