//! Snapshots and behaviour of the SBOM writers with findings: CycloneDX
//! (VEX) and SPDX, over `common::writers_fixture::report()`.

mod common;

use std::collections::BTreeSet;

use common::writers_fixture::{json_of, render, report};
use portcullis_report::scan::ScanFormat;
use serde_json::Value;

// ---------------------------------------------------------------------------
// (a) snapshots: the reviewed .snap files are the specification
// ---------------------------------------------------------------------------

#[test]
fn cyclonedx_vex_snapshot() {
    insta::assert_snapshot!(
        "cyclonedx_json",
        render(ScanFormat::CycloneDxJson, &report())
    );
}

#[test]
fn spdx_json_snapshot() {
    insta::assert_snapshot!("spdx_json", render(ScanFormat::SpdxJson, &report()));
}

// ---------------------------------------------------------------------------
// (d) behaviour
// ---------------------------------------------------------------------------

/// Every `bom-ref` anywhere in a CycloneDX document.
fn bom_refs(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, val) in m {
                match (k.as_str(), val) {
                    ("bom-ref", Value::String(s)) => out.push(s.clone()),
                    _ => bom_refs(val, out),
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|x| bom_refs(x, out)),
        _ => {}
    }
}

#[test]
fn cyclonedx_vex_analysis_and_refs() {
    let bom = json_of(ScanFormat::CycloneDxJson, &report());
    assert_eq!(bom["specVersion"], "1.5");
    let mut refs = Vec::new();
    bom_refs(&bom, &mut refs);
    let unique: BTreeSet<&String> = refs.iter().collect();
    assert_eq!(unique.len(), refs.len(), "bom-refs are unique");
    // The second image is a container component holding its packages.
    let worker = bom["components"]
        .as_array()
        .expect("components")
        .iter()
        .find(|c| c["type"] == "container")
        .expect("worker image component");
    assert_eq!(worker["name"], "registry.example/team/worker:2.0");
    // Its operating system and its two packages.
    assert_eq!(worker["components"].as_array().map(Vec::len), Some(3));
    let vulns = bom["vulnerabilities"].as_array().expect("vulnerabilities");
    assert_eq!(vulns.len(), 6);
    for v in vulns {
        let r = v["affects"][0]["ref"].as_str().expect("affects ref");
        assert!(unique.contains(&r.to_owned()), "dangling affects ref {r}");
        assert!(
            !r.starts_with("image:"),
            "{r} points at a package, not the image"
        );
    }
    let state = |id: &str| {
        vulns
            .iter()
            .find(|v| v["id"] == id)
            .unwrap_or_else(|| panic!("{id}"))["analysis"]
            .clone()
    };
    assert_eq!(state("CVE-2024-0727")["state"], "exploitable");
    assert_eq!(state("CVE-2024-0727")["response"][0], "update");
    let ignored = state("GHSA-3ww4-gg4f-jr7f");
    assert_eq!(ignored["state"], "not_affected");
    assert_eq!(ignored["justification"], "code_not_reachable");
    assert!(ignored["detail"]
        .as_str()
        .is_some_and(|d| d.contains("platform-team") && d.contains("2024-06-30")));
    assert_eq!(state("PYSEC-2023-228")["state"], "in_triage");
    let ssl = vulns
        .iter()
        .find(|v| v["id"] == "CVE-2024-0727")
        .expect("libssl3");
    assert_eq!(ssl["ratings"][0]["method"], "CVSSv31");
    assert_eq!(ssl["ratings"][0]["severity"], "critical");
    assert_ne!(
        bom["serialNumber"],
        serde_json::from_slice::<Value>(
            &portcullis_report::render_sbom(
                portcullis_report::SbomFormat::CycloneDxJson,
                &common::inventory(),
                &common::context()
            )
            .expect("sbom")
        )
        .expect("sbom json")["serialNumber"],
        "the scan BOM has its own serial"
    );
}

#[test]
fn spdx_references_findings_on_their_packages() {
    let doc = json_of(ScanFormat::SpdxJson, &report());
    let packages = doc["packages"].as_array().expect("packages");
    let ids: Vec<&str> = packages
        .iter()
        .filter_map(|p| p["SPDXID"].as_str())
        .collect();
    let unique: BTreeSet<&str> = ids.iter().copied().collect();
    assert_eq!(unique.len(), ids.len(), "SPDX ids are unique");
    let describes: Vec<&str> = doc["relationships"]
        .as_array()
        .expect("relationships")
        .iter()
        .filter(|r| r["relationshipType"] == "DESCRIBES")
        .filter_map(|r| r["relatedSpdxElement"].as_str())
        .collect();
    assert_eq!(describes, ["SPDXRef-Image", "SPDXRef-Image1-Image"]);
    let security = |name: &str| -> Vec<String> {
        packages
            .iter()
            .filter(|p| p["name"] == name)
            .flat_map(|p| p["externalRefs"].as_array().cloned().unwrap_or_default())
            .filter(|r| r["referenceCategory"] == "SECURITY")
            .filter_map(|r| r["referenceLocator"].as_str().map(str::to_owned))
            .collect()
    };
    assert_eq!(
        security("cryptography"),
        ["https://osv.dev/vulnerability/GHSA-3ww4-gg4f-jr7f"]
    );
    assert_eq!(security("libssl3").len(), 2);
    assert_eq!(security("requests").len(), 1);
    assert!(security("bash").is_empty());
}
