//! Validates the CycloneDX and SPDX output against the official schemas
//! (and SPDX's own validator) with `tests/validate_schemas.py`.
//!
//! Needs python3 and, the first time, PyPI; so it runs only when
//! `PORTCULLIS_SCHEMA_CHECK=1`. `PORTCULLIS_SCHEMA_VENV` names where the
//! script installs its packages (default: a directory under Cargo's
//! target dir, reused across runs).

mod common;

use portcullis_report::{write_sbom, SbomFormat};
use portcullis_types::{Ecosystem, Inventory, Package, INVENTORY_SCHEMA_VERSION};

/// Names and licences that stress ID sanitising and licence handling.
fn hostile() -> Inventory {
    let package = |name: &str, version: &str, licenses: &[&str]| Package {
        ecosystem: Ecosystem::Npm,
        name: name.into(),
        version: version.into(),
        source_name: None,
        source_version: None,
        arch: None,
        purl: String::new(),
        licenses: licenses.iter().map(|l| (*l).into()).collect(),
        layer: None,
        locations: vec!["/srv/a b/\u{e9}\n/package.json".into()],
        cataloger: "npm".into(),
        owned_by: None,
    };
    Inventory {
        schema_version: INVENTORY_SCHEMA_VERSION,
        image: Default::default(),
        distro: None,
        packages: vec![
            package("weird name/\u{e9}:*", "", &["MIT", "(broken"]),
            package("weird name/\u{e9}:*", "", &["MIT", "(broken"]),
            package("", "1.0", &["GPL-2.0+", "MIT OR Apache-2.0"]),
            package(
                "x",
                "2",
                &["LicenseRef-Custom WITH Classpath-exception-2.0"],
            ),
        ],
        unknowns: Vec::new(),
    }
}

#[test]
fn cyclonedx_and_spdx_output_is_schema_valid() {
    if !common::schema_check("CycloneDX/SPDX schema validation") {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let ctx = common::context();
    let mut standard_files = Vec::new();
    for (name, inv) in [("fixture", common::inventory()), ("hostile", hostile())] {
        for format in SbomFormat::ALL {
            let path = dir.path().join(format!("{name}{}", format.file_suffix()));
            let mut file = std::fs::File::create(&path).expect("create output");
            write_sbom(format, &inv, &ctx, &mut file).expect("write sbom");
            if format == SbomFormat::Json {
                // No published schema: it must at least be JSON.
                let text = std::fs::read(&path).expect("read back");
                serde_json::from_slice::<serde_json::Value>(&text).expect("native JSON parses");
            } else {
                standard_files.push(path);
            }
        }
    }
    common::validate_schemas(&standard_files);
}
