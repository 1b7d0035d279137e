//! The one fixture every writer test uses: a Debian 12 image with a Node
//! app, a Java jar and a Python tool, shaped like what the catalogers
//! produce for a real `python:3.12-slim`-style image; the scan-report
//! fixture and builders in [`scan_fixture`]; the run the scan-writer tests
//! render in [`writers_fixture`]; the schema validator's driver.
//!
//! Every test binary includes this module and uses part of it.
#![allow(dead_code)]

pub(crate) mod scan_fixture;
pub(crate) mod writers_fixture;

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use portcullis_report::SbomContext;
use portcullis_types::{
    purl_for, Digest, Distro, Ecosystem, HistoryEntry, ImageMetadata, Inventory, LayerMetadata,
    Package, Unknown, INVENTORY_SCHEMA_VERSION,
};
use time::macros::datetime;

const CONFIG: &str = "b79606fb3afea5bd1609ed40b622142f1c98125abcfe89a76a661b0e8e343910";
const MANIFEST: &str = "05b3abf2579a5eb66403cd78be557fd860633a1fe2103c7642030defe32c657f";
/// diff_ids, bottom first: base OS, Node app, Java + Python tooling.
const LAYERS: [&str; 3] = [
    "48dbc45a6738318c9e35db13781199f18495e5a61272ff94b60b30b8079da5c1",
    "2804bad6fe94a55f18b2b37e300919a5fd517b95aa81e95db574c0ba069a3740",
    "8a1cee436cbac1489a1883c9d886fcfc46f302c55ed4106ae31729e4f4eb9041",
];
const BLOBS: [&str; 3] = [
    "c02c0b965e023abee808f2b548d8d5193a8b5229be6f3121a6f16e2d41a449b3",
    "7dc96f776c8423e57a2785489a3f9c43fb6e756876d6ad9a9cac4aa4e72ec193",
    "4814d92093ac8a0f4a2163ab87dee509ba306a58f5888be0edcb2fcd0712028b",
];

pub(crate) fn digest(hex: &str) -> Digest {
    match Digest::sha256_hex(hex) {
        Ok(d) => d,
        Err(e) => panic!("fixture digest {hex}: {e}"),
    }
}

/// The context every snapshot is written with: fixed, so output is fixed.
pub(crate) fn context() -> SbomContext {
    SbomContext::new(
        "portcullis",
        "0.1.0",
        datetime!(2024-05-01 12:30:45.123 +02:00),
    )
}

pub(crate) fn debian() -> Distro {
    Distro {
        id: "debian".into(),
        version_id: Some("12".into()),
        codename: Some("bookworm".into()),
        pretty_name: Some("Debian GNU/Linux 12 (bookworm)".into()),
        id_like: Vec::new(),
    }
}

/// A package of a Debian 12 image.
pub(crate) struct Pkg<'a> {
    pub(crate) ecosystem: Ecosystem,
    pub(crate) name: &'a str,
    pub(crate) version: &'a str,
    pub(crate) source: Option<(&'a str, &'a str)>,
    pub(crate) licenses: &'a [&'a str],
    /// Index into the image's layers.
    pub(crate) layer: usize,
    pub(crate) location: &'a str,
    pub(crate) cataloger: &'a str,
}

fn package(p: Pkg<'_>) -> Package {
    package_on(p, &LAYERS)
}

/// The package `p` of an image whose layers' diff_ids are `layers`.
pub(crate) fn package_on(p: Pkg<'_>, layers: &[&str]) -> Package {
    let distro = debian();
    let arch = p.ecosystem.is_os().then_some("amd64");
    Package {
        ecosystem: p.ecosystem,
        name: p.name.into(),
        version: p.version.into(),
        source_name: p.source.map(|s| s.0.into()),
        source_version: p.source.map(|s| s.1.into()),
        arch: arch.map(Into::into),
        purl: purl_for(
            p.ecosystem,
            p.name,
            p.version,
            arch,
            p.source,
            Some(&distro),
        ),
        licenses: p.licenses.iter().map(|l| (*l).into()).collect(),
        layer: Some(digest(layers[p.layer])),
        locations: vec![p.location.into()],
        cataloger: p.cataloger.into(),
        owned_by: None,
    }
}

/// Packages deliberately out of order, with a duplicate npm package at two
/// paths, so the tests see the writers sort and keep identities apart.
pub(crate) fn inventory() -> Inventory {
    let dpkg = "/var/lib/dpkg/status";
    let deb = |name, version, source, licenses| Pkg {
        ecosystem: Ecosystem::Deb,
        name,
        version,
        source: Some(source),
        licenses,
        layer: 0,
        location: dpkg,
        cataloger: "dpkg",
    };
    let packages = vec![
        package(Pkg {
            ecosystem: Ecosystem::Npm,
            name: "lodash",
            version: "4.17.21",
            source: None,
            licenses: &["MIT"],
            layer: 1,
            location: "/app/node_modules/lodash/package.json",
            cataloger: "npm",
        }),
        package(deb(
            "libssl3",
            "3.0.11-1~deb12u2",
            ("openssl", "3.0.11-1~deb12u2"),
            &["Apache-2.0"],
        )),
        package(deb(
            "bsdutils",
            "1:2.38.1-5+b1",
            ("util-linux", "2.38.1-5"),
            &["BSD-2-Clause", "GPL-2.0-or-later", "public-domain"],
        )),
        package(deb(
            "libc6",
            "2.36-9+deb12u4",
            ("glibc", "2.36-9+deb12u4"),
            &["GPL-2.0", "LGPL-2.1"],
        )),
        package(Pkg {
            ecosystem: Ecosystem::Npm,
            name: "@types/node",
            version: "18.18.14",
            source: None,
            licenses: &["MIT"],
            layer: 1,
            location: "/app/node_modules/@types/node/package.json",
            cataloger: "npm",
        }),
        package(Pkg {
            ecosystem: Ecosystem::Maven,
            name: "org.apache.commons:commons-lang3",
            version: "3.12.0",
            source: None,
            licenses: &["Apache-2.0"],
            layer: 2,
            location: "/opt/app/lib/commons-lang3-3.12.0.jar",
            cataloger: "java",
        }),
        package(Pkg {
            ecosystem: Ecosystem::Pypi,
            name: "cryptography",
            version: "41.0.7",
            source: None,
            licenses: &["Apache-2.0 OR BSD-3-Clause"],
            layer: 2,
            location:
                "/usr/local/lib/python3.12/site-packages/cryptography-41.0.7.dist-info/METADATA",
            cataloger: "python",
        }),
        package(Pkg {
            ecosystem: Ecosystem::Npm,
            name: "lodash",
            version: "4.17.21",
            source: None,
            licenses: &["MIT"],
            layer: 1,
            location: "/app/node_modules/eslint/node_modules/lodash/package.json",
            cataloger: "npm",
        }),
        // Debian's pip: the deb and the distribution it installed.
        package(deb(
            "python3-pip",
            "23.0.1+dfsg-1",
            ("python-pip", "23.0.1+dfsg-1"),
            &["MIT"],
        )),
        Package {
            owned_by: Some("deb:python3-pip".into()),
            ..package(Pkg {
                ecosystem: Ecosystem::Pypi,
                name: "pip",
                version: "23.0.1",
                source: None,
                licenses: &["MIT"],
                layer: 0,
                location: "/usr/lib/python3/dist-packages/pip-23.0.1.dist-info/METADATA",
                cataloger: "python",
            })
        },
    ];
    let layers = (0..3)
        .map(|i| LayerMetadata {
            diff_id: digest(LAYERS[i]),
            digest: Some(digest(BLOBS[i])),
            size: [29_150_000, 4_200_000, 12_800_000][i],
            media_type: Some("application/vnd.oci.image.layer.v1.tar+gzip".into()),
            created_by: Some(
                [
                    "/bin/sh -c #(nop) ADD file:6e2ca5 in / ",
                    "COPY app/ /app/ # buildkit",
                    "RUN /bin/sh -c pip install cryptography==41.0.7 # buildkit",
                ][i]
                    .into(),
            ),
        })
        .collect();
    let history = vec![
        HistoryEntry {
            created: Some("2024-04-23T00:00:00Z".into()),
            created_by: Some("/bin/sh -c #(nop) ADD file:6e2ca5 in / ".into()),
            empty_layer: false,
        },
        HistoryEntry {
            created: Some("2024-04-23T00:00:00Z".into()),
            created_by: Some("/bin/sh -c #(nop)  CMD [\"bash\"]".into()),
            empty_layer: true,
        },
        HistoryEntry {
            created: Some("2024-04-30T09:15:02Z".into()),
            created_by: Some("COPY app/ /app/ # buildkit".into()),
            empty_layer: false,
        },
        HistoryEntry {
            created: Some("2024-04-30T09:15:40Z".into()),
            created_by: Some("RUN /bin/sh -c pip install cryptography==41.0.7 # buildkit".into()),
            empty_layer: false,
        },
    ];
    Inventory {
        schema_version: INVENTORY_SCHEMA_VERSION,
        image: ImageMetadata {
            reference: "oci-dir:images/webapp.oci".into(),
            source: "oci-dir".into(),
            image_id: CONFIG[..12].into(),
            config_digest: Some(digest(CONFIG)),
            manifest_digest: Some(digest(MANIFEST)),
            repo_tags: vec![
                "registry.example/team/webapp:1.4.2".into(),
                "webapp:latest".into(),
            ],
            repo_digests: vec![format!("registry.example/team/webapp@sha256:{MANIFEST}")],
            os: "linux".into(),
            architecture: "amd64".into(),
            created: Some("2024-04-30T09:15:40Z".into()),
            docker_version: None,
            layers,
            history,
            total_size: 46_150_000,
        },
        distro: Some(debian()),
        packages,
        unknowns: vec![Unknown {
            location: "/usr/local/lib/python3.12/site-packages/broken-1.0.dist-info/METADATA"
                .into(),
            layer: Some(digest(LAYERS[2])),
            cataloger: "python".into(),
            reason: "invalid UTF-8 in header line 3".into(),
        }],
    }
}

const SCHEMA_SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/validate_schemas.py");

/// Whether the schema checks run (`PORTCULLIS_SCHEMA_CHECK=1`); says loudly
/// that `what` was skipped when not. Asked for, they need python3.
pub(crate) fn schema_check(what: &str) -> bool {
    if std::env::var("PORTCULLIS_SCHEMA_CHECK").as_deref() != Ok("1") {
        // Straight to the stream, not `eprintln!`: the test harness swallows
        // the output of passing tests, and this skip must be seen.
        let _ = writeln!(
            std::io::stderr(),
            "\n!!!!!!!! SKIPPED: {what} !!!!!!!!\n\
             set PORTCULLIS_SCHEMA_CHECK=1 (needs python3 and PyPI or the \
             pre-installed packages) to run it\n"
        );
        return false;
    }
    // The caller asked for the check: a missing interpreter is a failure,
    // not a reason to pass quietly.
    let python_ok = Command::new("python3")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        python_ok,
        "PORTCULLIS_SCHEMA_CHECK=1 but python3 is not available"
    );
    true
}

/// Runs `tests/validate_schemas.py` on `files`, asserts that it succeeds and
/// reports each file valid, and returns its output. `PORTCULLIS_SCHEMA_VENV`
/// names where it installs its packages (default: a directory under Cargo's
/// target dir, reused across runs).
pub(crate) fn validate_schemas(files: &[PathBuf]) -> String {
    let mut cmd = Command::new("python3");
    cmd.arg(SCHEMA_SCRIPT).args(files);
    if std::env::var_os("PORTCULLIS_SCHEMA_VENV").is_none() {
        let cache = Path::new(env!("CARGO_TARGET_TMPDIR")).join("schema-venv");
        cmd.env("PORTCULLIS_SCHEMA_VENV", cache);
    }
    let out = cmd.output().expect("run validate_schemas.py");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "schema validation failed ({}):\n{stdout}\n{stderr}",
        out.status
    );
    assert_eq!(
        stdout.lines().filter(|l| l.contains(": valid ")).count(),
        files.len(),
        "every file reported valid:\n{stdout}"
    );
    stdout
}
