//! `spdx-json` for a scan: SPDX 2.3 of the scanned images' packages, built
//! by the SBOM writer, with each finding referenced on its package.
//!
//! SPDX 2.3 has no vulnerability section; annex F's `SECURITY` external
//! references are the standard way to point from a package to an advisory.
//! Every finding adds one to the package it concerns (the image package
//! when the package is not in the inventory): `referenceType` `advisory`,
//! `referenceLocator` the advisory page (its first link, else the id's
//! NVD/GitHub/OSV page), and a `comment` with the id, severity, CVSS,
//! detection type, fixed version and the policy verdict.
//!
//! **Several images, one document.** The document `DESCRIBES` every image;
//! the first image keeps the SBOM's SPDX ids, the elements of image N > 0
//! are renamed `SPDXRef-ImageN-…` (ids must be unique, and images sharing a
//! base layer contain the same packages). The namespace gets a `-scan-`
//! UUID over the SBOMs' namespaces and the findings, so it never equals the
//! plain SBOM's.

use serde_json::{json, Value};

use super::cyclonedx_vex::{empty_inventory, entry_of};
use super::json::{
    advisory_url, best_score, image_name, named_inventory, rows, sbom_context, score_text,
    stable_uuid, to_bytes, type_word, Row,
};
use super::ScanReport;
use crate::common::Prepared;
use crate::{spdx_json, ReportError};

const FORMAT: &str = "spdx-json";
const DOCUMENT_ID: &str = "SPDXRef-DOCUMENT";

fn serialize_err(source: serde_json::Error) -> ReportError {
    ReportError::ScanSerialize {
        format: FORMAT,
        source,
    }
}

/// `SPDXRef-X` → `SPDXRef-ImageN-X` for every element id in `v`.
fn rename_ids(v: &mut Value, image: usize) {
    match v {
        Value::Object(m) => {
            for (k, val) in m.iter_mut() {
                match (k.as_str(), &mut *val) {
                    ("SPDXID" | "spdxElementId" | "relatedSpdxElement", Value::String(s)) => {
                        if s != DOCUMENT_ID {
                            if let Some(rest) = s.strip_prefix("SPDXRef-") {
                                *s = format!("SPDXRef-Image{image}-{rest}");
                            }
                        }
                    }
                    _ => rename_ids(val, image),
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(|x| rename_ids(x, image)),
        _ => {}
    }
}

fn comment(row: &Row<'_>) -> String {
    let f = row.finding;
    let mut text = format!("{} severity {}", f.id, f.severity);
    if let Some(s) = best_score(f) {
        text.push_str(&format!(", CVSS {}", score_text(s)));
    }
    text.push_str(&format!(", {}", type_word(f.type_detected)));
    match &f.fixed_version {
        Some(v) => text.push_str(&format!(", fixed in {v}")),
        None => text.push_str(", no fix yet"),
    }
    text.push_str(&format!(
        "; image {}; verdict {}",
        image_name(row.image),
        row.verdict_name()
    ));
    if let Some(r) = row.suppression_reason() {
        text.push_str(&format!(" ({r})"));
    }
    text
}

fn add_ref(package: &mut Value, locator: String, comment: String) {
    let Some(obj) = package.as_object_mut() else {
        return;
    };
    let refs = obj.entry("externalRefs").or_insert_with(|| json!([]));
    if let Some(list) = refs.as_array_mut() {
        let duplicate = list.iter().any(|r| {
            r["referenceLocator"] == locator.as_str() && r["referenceCategory"] == "SECURITY"
        });
        if !duplicate {
            list.push(json!({
                "referenceCategory": "SECURITY",
                "referenceType": "advisory",
                "referenceLocator": locator,
                "comment": comment,
            }));
        }
    }
}

pub(crate) fn render(report: &ScanReport) -> Result<Vec<u8>, ReportError> {
    let ctx = sbom_context(report);
    let mut base: Option<Value> = None;
    let mut namespaces = Vec::new();
    let mut comments = Vec::new();
    for (i, img) in report.images.iter().enumerate() {
        let prep = Prepared::new(&named_inventory(img), &ctx)?;
        let mut doc =
            serde_json::to_value(spdx_json::document(&prep, &ctx)).map_err(serialize_err)?;
        namespaces.push(
            doc["documentNamespace"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
        );
        // packages = [image, os?, entries...], in the SBOM writer's order.
        let offset = 1 + usize::from(prep.inventory.distro.is_some());
        for row in rows(img) {
            let index = entry_of(&prep.entries, &row).map_or(0, |j| offset + j);
            let locator = advisory_url(&row.finding.id, &row.finding.links);
            if let Some(p) = doc["packages"].get_mut(index) {
                add_ref(p, locator, comment(&row));
            }
        }
        if i > 0 {
            rename_ids(&mut doc, i);
        }
        if let Some(c) = doc["comment"].as_str() {
            comments.push(format!("{}: {c}", image_name(img)));
        }
        match &mut base {
            None => base = Some(doc),
            Some(b) => {
                for key in ["packages", "relationships"] {
                    if let (Some(list), Value::Array(extra)) =
                        (b[key].as_array_mut(), doc[key].take())
                    {
                        list.extend(extra);
                    }
                }
            }
        }
    }
    let mut doc = match base {
        Some(d) => d,
        None => {
            let prep = Prepared::new(&empty_inventory(), &ctx)?;
            serde_json::to_value(spdx_json::document(&prep, &ctx)).map_err(serialize_err)?
        }
    };
    let refs = serde_json::to_string(&doc["packages"]).map_err(serialize_err)?;
    let mut parts: Vec<&str> = vec!["spdx-scan"];
    parts.extend(namespaces.iter().map(String::as_str));
    parts.push(&refs);
    let uuid = stable_uuid(&parts);
    if let Some(ns) = doc["documentNamespace"].as_str() {
        doc["documentNamespace"] = json!(format!("{ns}-scan-{uuid}"));
    }
    if report.images.len() > 1 {
        let first = doc["name"].as_str().unwrap_or_default().to_owned();
        doc["name"] = json!(format!(
            "{first} and {} more images",
            report.images.len() - 1
        ));
        if !comments.is_empty() {
            doc["comment"] = json!(comments.join("\n"));
        }
    }
    to_bytes(FORMAT, &doc)
}
