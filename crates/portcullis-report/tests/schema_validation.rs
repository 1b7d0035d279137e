//! Validates the CycloneDX and SPDX output against the official schemas
//! (and SPDX's own validator) with `tests/validate_schemas.py`.
//!
//! Needs python3 and, the first time, PyPI; so it runs only when
//! `PORTCULLIS_SCHEMA_CHECK=1`. `PORTCULLIS_SCHEMA_VENV` names where the
//! script installs its packages (default: a directory under Cargo's
//! target dir, reused across runs).

mod common;

use std::io::Write as _;
use std::path::Path;
use std::process::Command;

use portcullis_report::{write_sbom, SbomFormat};
use portcullis_types::{Ecosystem, Inventory, Package, INVENTORY_SCHEMA_VERSION};

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/validate_schemas.py");

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
    if std::env::var("PORTCULLIS_SCHEMA_CHECK").as_deref() != Ok("1") {
        // Straight to the stream, not `eprintln!`: the test harness swallows
        // the output of passing tests, and this skip must be seen.
        let _ = writeln!(
            std::io::stderr(),
            "\n!!!!!!!! SKIPPED: CycloneDX/SPDX schema validation !!!!!!!!\n\
             set PORTCULLIS_SCHEMA_CHECK=1 (needs python3 and PyPI or the \
             pre-installed packages) to run it\n"
        );
        return;
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

    let mut cmd = Command::new("python3");
    cmd.arg(SCRIPT).args(&standard_files);
    if std::env::var_os("PORTCULLIS_SCHEMA_VENV").is_none() {
        let cache = Path::new(env!("CARGO_TARGET_TMPDIR")).join("schema-venv");
        cmd.env("PORTCULLIS_SCHEMA_VENV", cache);
    }
    let out = cmd.output().expect("run validate_schemas.py");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "schema validation failed ({}):\n{stdout}\n{stderr}",
        out.status
    );
    assert_eq!(
        stdout.lines().filter(|l| l.contains(": valid ")).count(),
        standard_files.len(),
        "every file reported valid:\n{stdout}"
    );
}
