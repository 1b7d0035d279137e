//! Snapshot and property tests of the three SBOM writers over one fixture.

mod common;

use std::collections::HashSet;
use std::io;

use portcullis_report::{render_sbom, write_sbom, ReportError, SbomFormat};
use portcullis_types::Inventory;
use serde_json::{json, Value};

fn render(format: SbomFormat, inv: &Inventory) -> String {
    let bytes = render_sbom(format, inv, &common::context()).expect("render");
    String::from_utf8(bytes).expect("utf-8")
}

fn json(format: SbomFormat, inv: &Inventory) -> Value {
    serde_json::from_str(&render(format, inv)).expect("valid JSON")
}

fn strings<'a>(v: &'a Value, pointer: &str, field: &str) -> Vec<&'a str> {
    v.pointer(pointer)
        .and_then(Value::as_array)
        .expect("array")
        .iter()
        .filter_map(|x| x.get(field).and_then(Value::as_str))
        .collect()
}

#[test]
fn native_json_snapshot() {
    insta::assert_snapshot!(
        "native_json",
        render(SbomFormat::Json, &common::inventory())
    );
}

#[test]
fn cyclonedx_json_snapshot() {
    insta::assert_snapshot!(
        "cyclonedx_json",
        render(SbomFormat::CycloneDxJson, &common::inventory())
    );
}

#[test]
fn spdx_json_snapshot() {
    insta::assert_snapshot!(
        "spdx_json",
        render(SbomFormat::SpdxJson, &common::inventory())
    );
}

#[test]
fn output_does_not_depend_on_input_order() {
    let inv = common::inventory();
    let mut shuffled = inv.clone();
    shuffled.packages.reverse();
    shuffled.packages.rotate_left(3);
    shuffled.image.repo_tags.reverse();
    for p in &mut shuffled.packages {
        p.licenses.reverse();
    }
    for format in SbomFormat::ALL {
        assert_eq!(render(format, &inv), render(format, &shuffled), "{format}");
    }
}

#[test]
fn native_json_reads_back_as_the_inventory() {
    let mut inv = common::inventory();
    let back: Inventory =
        serde_json::from_str(&render(SbomFormat::Json, &inv)).expect("deserialises as Inventory");
    inv.normalize();
    inv.image.repo_tags.sort();
    assert_eq!(back, inv);
    let doc = json(SbomFormat::Json, &inv);
    // SPEC §13: these keys are present on every package, null or not.
    for p in doc["packages"].as_array().expect("packages") {
        for key in [
            "ecosystem",
            "name",
            "version",
            "source_name",
            "source_version",
            "purl",
            "layer",
            "owned_by",
        ] {
            assert!(p.get(key).is_some(), "{key} missing in {p}");
        }
        assert!(p["locations"].is_array());
    }
    let owned: Vec<(&Value, &Value)> = doc["packages"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|p| !p["owned_by"].is_null())
        .map(|p| (&p["name"], &p["owned_by"]))
        .collect();
    assert_eq!(owned, [(&json!("pip"), &json!("deb:python3-pip"))]);
    assert_eq!(doc["tool"]["name"], "portcullis");
}

#[test]
fn cyclonedx_identities_are_unique_and_groups_split() {
    let doc = json(SbomFormat::CycloneDxJson, &common::inventory());
    let refs = strings(&doc, "/components", "bom-ref");
    assert_eq!(refs.len(), 11, "10 packages and the OS");
    assert_eq!(
        refs.iter().collect::<HashSet<_>>().len(),
        refs.len(),
        "{refs:?}"
    );

    let by_purl = |purl: &str| {
        doc["components"]
            .as_array()
            .and_then(|cs| cs.iter().find(|c| c["purl"] == purl))
            .cloned()
            .unwrap_or(Value::Null)
    };
    let maven = by_purl("pkg:maven/org.apache.commons/commons-lang3@3.12.0");
    assert_eq!(
        (maven["group"].as_str(), maven["name"].as_str()),
        (Some("org.apache.commons"), Some("commons-lang3"))
    );
    let npm = by_purl("pkg:npm/%40types/node@18.18.14");
    assert_eq!(
        (npm["group"].as_str(), npm["name"].as_str()),
        (Some("@types"), Some("node"))
    );
    let pip = by_purl("pkg:pypi/pip@23.0.1");
    let owner = pip["properties"]
        .as_array()
        .and_then(|ps| {
            ps.iter()
                .find(|p| p["name"] == "portcullis:package:owned_by")
        })
        .map(|p| p["value"].clone());
    assert_eq!(owner, Some(json!("deb:python3-pip")));

    let serial = doc["serialNumber"].as_str().unwrap_or_default();
    assert!(
        serial.starts_with("urn:uuid:") && serial.len() == 45,
        "{serial}"
    );
    assert_eq!(doc["metadata"]["timestamp"], "2024-05-01T10:30:45Z");
    assert_eq!(doc["compositions"][0]["aggregate"], "incomplete");
}

#[test]
fn spdx_ids_are_valid_unique_and_related() {
    let doc = json(SbomFormat::SpdxJson, &common::inventory());
    let ids = strings(&doc, "/packages", "SPDXID");
    assert_eq!(ids.len(), 12, "image, OS and 10 packages");
    let unique: HashSet<&str> = ids.iter().copied().collect();
    assert_eq!(unique.len(), ids.len(), "{ids:?}");
    for id in &ids {
        let rest = id.strip_prefix("SPDXRef-").unwrap_or("");
        assert!(
            !rest.is_empty()
                && rest
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-'),
            "invalid idstring {id}"
        );
    }
    for rel in doc["relationships"].as_array().expect("relationships") {
        for end in ["spdxElementId", "relatedSpdxElement"] {
            let id = rel[end].as_str().unwrap_or_default();
            assert!(
                id == "SPDXRef-DOCUMENT" || unique.contains(id),
                "dangling {id}"
            );
        }
    }
    // The deb that installed pip contains it, besides the image.
    let containers: Vec<&str> = doc["relationships"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| {
            r["relationshipType"] == "CONTAINS"
                && r["relatedSpdxElement"]
                    .as_str()
                    .is_some_and(|id| id.starts_with("SPDXRef-Package-pypi-pip-"))
        })
        .filter_map(|r| r["spdxElementId"].as_str())
        .collect();
    assert_eq!(containers.len(), 2, "{containers:?}");
    assert!(
        containers[0] == "SPDXRef-Image"
            && containers[1].starts_with("SPDXRef-Package-deb-python3-pip-")
    );
    assert_eq!(doc["creationInfo"]["created"], "2024-05-01T10:30:45Z");
    let ns = doc["documentNamespace"].as_str().unwrap_or_default();
    assert!(
        ns.starts_with("https://example.invalid/portcullis/spdx/"),
        "{ns}"
    );
}

#[test]
fn serial_changes_with_time_and_content_only() {
    let inv = common::inventory();
    let ctx = common::context();
    let serial = |inv: &Inventory, ctx| {
        let bytes = render_sbom(SbomFormat::CycloneDxJson, inv, ctx).expect("render");
        let v: Value = serde_json::from_slice(&bytes).expect("json");
        v["serialNumber"].as_str().map(ToOwned::to_owned)
    };
    assert_eq!(serial(&inv, &ctx), serial(&inv, &ctx));
    let mut later = ctx.clone();
    later.created += time::Duration::seconds(1);
    assert_ne!(serial(&inv, &ctx), serial(&inv, &later));
    let mut fewer = inv.clone();
    fewer.packages.pop();
    assert_ne!(serial(&inv, &ctx), serial(&fewer, &ctx));
}

#[test]
fn empty_inventory_still_gives_valid_documents() {
    let inv = Inventory {
        schema_version: portcullis_types::INVENTORY_SCHEMA_VERSION,
        image: Default::default(),
        distro: None,
        packages: Vec::new(),
        unknowns: Vec::new(),
    };
    for format in SbomFormat::ALL {
        let doc = json(format, &inv);
        assert!(doc.is_object(), "{format}");
    }
    assert_eq!(json(SbomFormat::SpdxJson, &inv)["name"], "image");
}

struct Broken;

impl io::Write for Broken {
    fn write(&mut self, _: &[u8]) -> io::Result<usize> {
        Err(io::Error::new(io::ErrorKind::BrokenPipe, "closed"))
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[test]
fn write_errors_are_reported_not_panicked() {
    let err = write_sbom(
        SbomFormat::Json,
        &common::inventory(),
        &common::context(),
        &mut Broken,
    );
    assert!(matches!(err, Err(ReportError::Io(e)) if e.kind() == io::ErrorKind::BrokenPipe));
    let mut out = Vec::new();
    write_sbom(
        SbomFormat::SpdxJson,
        &common::inventory(),
        &common::context(),
        &mut out,
    )
    .expect("write");
    assert!(out.ends_with(b"}\n"));
}
