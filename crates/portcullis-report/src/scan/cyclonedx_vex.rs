//! `cyclonedx-json` for a scan: a CycloneDX 1.5 BOM of the scanned
//! packages (built by the SBOM writer, so `portcullis sbom` and `portcullis
//! scan` describe components identically) plus `vulnerabilities[]` with
//! VEX analysis.
//!
//! **Several images, one BOM.** CycloneDX has one `metadata.component`, and
//! Dependency-Track and the CycloneDX CLI take one BOM per upload, so the
//! first image is `metadata.component` with its packages as top-level
//! `components` (exactly the SBOM layout), and every further image is a
//! top-level `container` component whose packages are nested in its own
//! `components`. Their `bom-ref`s get an `imageN/` prefix: two images that
//! share a base layer contain the same package, and bom-refs must be unique
//! in a BOM.
//!
//! **One vulnerability per finding** (id × package × image), so that each
//! carries its own analysis: `affects[].ref` is the package component's
//! bom-ref (the image's when the package is not in the inventory, as with
//! platform backends). Ratings: the CVSS v3/v2 scores with their vectors
//! (`CVSSv31`/`CVSSv3`/`CVSSv2`), and the finding's 1-5 severity as a rating
//! of method `other` whose source is the severity source (`debian`, ...).
//!
//! **Analysis mapping** (verdict → `analysis`):
//!
//! | verdict | state | justification / response |
//! |---|---|---|
//! | blocking, counted | `exploitable` | response `update` when a fix exists |
//! | excluded (potential, base layer, status, QID/CVE exclusion, baseline) | `in_triage` | — (the policy did not assess exploitability) |
//! | ignored, rule with a VEX justification | `not_affected` | the justification, mapped from OpenVEX names (`vulnerable_code_not_in_execute_path` → `code_not_reachable`, `vulnerable_code_not_present`/`component_not_present` → `code_not_present`, `vulnerable_code_cannot_be_controlled_by_adversary`/`inline_mitigations_already_exist` → `protected_by_mitigating_control`) or taken as is when already a CycloneDX name |
//! | ignored, justification `false_positive` | `false_positive` | — |
//! | ignored, no justification (accepted risk, ignore-unfixed) | `exploitable` | response `will_not_fix` (`can_not_fix` when no fix exists) |
//!
//! `detail` always states the verdict and its reason, owner and expiry.
//! `resolved` is never used: a finding means the installed version is
//! affected.

use serde_json::{json, Map, Value};

use portcullis_policy::{FindingVerdict, Policy};
use portcullis_types::{Inventory, INVENTORY_SCHEMA_VERSION};

use super::json::{
    finding_identity, id_url, image_name, named_inventory, rows, sbom_context, severity_word,
    stable_uuid, to_bytes, type_word, web_links, Row,
};
use super::{ImageResult, ScanReport};
use crate::common::{Entry, Prepared};
use crate::{cyclonedx, ReportError};

const FORMAT: &str = "cyclonedx-json";

fn serialize_err(source: serde_json::Error) -> ReportError {
    ReportError::ScanSerialize {
        format: FORMAT,
        source,
    }
}

/// The index in `entries` of the package a finding concerns.
pub(super) fn entry_of(entries: &[Entry], row: &Row<'_>) -> Option<usize> {
    let f = &row.finding.package;
    let same = |e: &Entry| {
        e.package.ecosystem == f.ecosystem
            && e.package.name == f.name
            && e.package.version == f.version
    };
    entries
        .iter()
        .position(|e| {
            same(e)
                && e.package.purl == f.purl
                && e.package.layer == row.finding.layer
                && e.package.locations == f.locations
        })
        .or_else(|| entries.iter().position(same))
}

/// An inventory for a run without images.
pub(super) fn empty_inventory() -> Inventory {
    Inventory {
        schema_version: INVENTORY_SCHEMA_VERSION,
        image: Default::default(),
        distro: None,
        packages: Vec::new(),
        unknowns: Vec::new(),
    }
}

fn source(id: &str) -> Value {
    let name = if id.starts_with("CVE-") {
        "NVD"
    } else if id.starts_with("GHSA-") {
        "GitHub"
    } else {
        "OSV"
    };
    json!({"name": name, "url": id_url(id)})
}

fn band(score: f64) -> &'static str {
    match score {
        s if s >= 9.0 => "critical",
        s if s >= 7.0 => "high",
        s if s >= 4.0 => "medium",
        s if s > 0.0 => "low",
        _ => "none",
    }
}

fn ratings(row: &Row<'_>) -> Vec<Value> {
    let f = row.finding;
    let mut out = Vec::new();
    if let Some(c) = &f.cvss_v3 {
        let method = if c.vector.starts_with("CVSS:3.1/") {
            "CVSSv31"
        } else {
            "CVSSv3"
        };
        out.push(json!({"score": c.score, "severity": band(c.score), "method": method, "vector": c.vector}));
    }
    if let Some(c) = &f.cvss_v2 {
        let severity = if c.score >= 7.0 {
            "high"
        } else {
            band(c.score)
        };
        out.push(
            json!({"score": c.score, "severity": severity, "method": "CVSSv2", "vector": c.vector}),
        );
    }
    out.push(json!({
        "source": {"name": f.severity_source},
        "severity": severity_word(f).to_ascii_lowercase(),
        "method": "other",
        "justification": format!("portcullis severity {} of 5", f.severity),
    }));
    out
}

/// The ignore rule behind an `Ignored` verdict, found by reason and id.
fn vex_justification<'a>(policy: &'a Policy, row: &Row<'_>, reason: &str) -> Option<&'a str> {
    policy
        .ignore
        .iter()
        .find(|r| r.reason == reason && row.finding.ids().any(|id| id.eq_ignore_ascii_case(&r.id)))
        .and_then(|r| r.vex_justification.as_deref())
}

fn cyclonedx_justification(j: &str) -> Option<&'static str> {
    Some(match j {
        "vulnerable_code_not_in_execute_path" | "code_not_reachable" => "code_not_reachable",
        "vulnerable_code_not_present" | "component_not_present" | "code_not_present" => {
            "code_not_present"
        }
        "vulnerable_code_cannot_be_controlled_by_adversary"
        | "inline_mitigations_already_exist"
        | "protected_by_mitigating_control" => "protected_by_mitigating_control",
        "requires_configuration" => "requires_configuration",
        "requires_dependency" => "requires_dependency",
        "requires_environment" => "requires_environment",
        "protected_by_compiler" => "protected_by_compiler",
        "protected_at_runtime" => "protected_at_runtime",
        "protected_at_perimeter" => "protected_at_perimeter",
        _ => return None,
    })
}

fn analysis(policy: &Policy, row: &Row<'_>) -> Value {
    let f = row.finding;
    let detail = match (row.verdict, row.suppression_reason()) {
        (Some(FindingVerdict::Blocking { conditions }), _) => {
            format!("blocking: fails the policy ({})", conditions.join(", "))
        }
        (_, Some(reason)) => format!("{}: {reason}", row.verdict_name()),
        _ => format!("{}: counted by the policy", row.verdict_name()),
    };
    let mut a = Map::new();
    match row.verdict {
        Some(FindingVerdict::Excluded { .. }) => {
            a.insert("state".into(), json!("in_triage"));
        }
        Some(FindingVerdict::Ignored { reason, .. }) => {
            match vex_justification(policy, row, reason) {
                Some("false_positive") => {
                    a.insert("state".into(), json!("false_positive"));
                }
                Some(j) => {
                    a.insert("state".into(), json!("not_affected"));
                    if let Some(cj) = cyclonedx_justification(j) {
                        a.insert("justification".into(), json!(cj));
                    }
                }
                None => {
                    a.insert("state".into(), json!("exploitable"));
                    let response = if f.patch_available {
                        "will_not_fix"
                    } else {
                        "can_not_fix"
                    };
                    a.insert("response".into(), json!([response]));
                }
            }
        }
        _ => {
            a.insert("state".into(), json!("exploitable"));
            if f.patch_available {
                a.insert("response".into(), json!(["update"]));
            }
        }
    }
    a.insert("detail".into(), json!(detail));
    Value::Object(a)
}

fn vulnerability(policy: &Policy, row: &Row<'_>, component: &str) -> Value {
    let f = row.finding;
    let mut v = json!({
        "bom-ref": format!("vuln:{}:{}", f.id, &finding_identity(row)[..16]),
        "id": f.id,
        "source": source(&f.id),
        "ratings": ratings(row),
        "affects": [{
            "ref": component,
            "versions": [{"version": f.package.version, "status": "affected"}],
        }],
        "analysis": analysis(policy, row),
        "properties": [
            {"name": "portcullis:verdict", "value": row.verdict_name()},
            {"name": "portcullis:image", "value": image_name(row.image)},
            {"name": "portcullis:type_detected", "value": type_word(f.type_detected)},
            {"name": "portcullis:status", "value": f.status},
            {"name": "portcullis:in_base_image", "value": row.in_base_image().to_string()},
        ],
    });
    if !f.aliases.is_empty() {
        v["references"] = json!(f
            .aliases
            .iter()
            .map(|a| json!({"id": a, "source": source(a)}))
            .collect::<Vec<_>>());
    }
    if let Some(t) = &f.title {
        v["description"] = json!(t);
    }
    let advisories: Vec<Value> = web_links(&f.links).map(|l| json!({"url": l})).collect();
    if !advisories.is_empty() {
        v["advisories"] = json!(advisories);
    }
    if let Some(fix) = &f.fixed_version {
        v["recommendation"] = json!(format!("Upgrade {} to {fix}", f.package.name));
    }
    v
}

/// Prefixes every `bom-ref` (and composition assembly) in `v`.
fn prefix_refs(v: &mut Value, prefix: &str) {
    match v {
        Value::Object(m) => {
            for (k, val) in m.iter_mut() {
                match (k.as_str(), &mut *val) {
                    ("bom-ref", Value::String(s)) => *s = format!("{prefix}{s}"),
                    ("assemblies", Value::Array(a)) => {
                        for s in a.iter_mut() {
                            if let Value::String(s) = s {
                                *s = format!("{prefix}{s}");
                            }
                        }
                    }
                    _ => prefix_refs(val, prefix),
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(|x| prefix_refs(x, prefix)),
        _ => {}
    }
}

/// The BOM of one image and the bom-ref of each of its inventory entries.
fn image_bom(img: &ImageResult, report: &ScanReport) -> Result<(Value, Prepared), ReportError> {
    let ctx = sbom_context(report);
    let prep = Prepared::new(&named_inventory(img), &ctx)?;
    let doc = serde_json::to_value(cyclonedx::document(&prep, &ctx)).map_err(serialize_err)?;
    Ok((doc, prep))
}

fn component_ref(doc: &Value, prep: &Prepared, entry: Option<usize>) -> String {
    let offset = usize::from(prep.inventory.distro.is_some());
    entry
        .and_then(|j| doc["components"][offset + j]["bom-ref"].as_str())
        .or_else(|| doc["metadata"]["component"]["bom-ref"].as_str())
        .unwrap_or_default()
        .to_owned()
}

pub(crate) fn render(report: &ScanReport) -> Result<Vec<u8>, ReportError> {
    let mut base: Option<Value> = None;
    let mut vulnerabilities = Vec::new();
    let mut serials = Vec::new();
    for (i, img) in report.images.iter().enumerate() {
        let (mut doc, prep) = image_bom(img, report)?;
        serials.push(doc["serialNumber"].as_str().unwrap_or_default().to_owned());
        let prefix = if i == 0 {
            String::new()
        } else {
            format!("image{i}/")
        };
        for row in rows(img) {
            let r = component_ref(&doc, &prep, entry_of(&prep.entries, &row));
            vulnerabilities.push(vulnerability(&report.policy, &row, &format!("{prefix}{r}")));
        }
        match &mut base {
            None => base = Some(doc),
            Some(b) => {
                prefix_refs(&mut doc, &prefix);
                let mut comp = doc["metadata"]["component"].take();
                let unknowns = doc["metadata"]["properties"].take();
                if let (Some(props), Value::Array(extra)) =
                    (comp["properties"].as_array_mut(), unknowns)
                {
                    props.extend(extra);
                }
                comp["components"] = doc["components"].take();
                if let Some(list) = b["components"].as_array_mut() {
                    list.push(comp);
                }
                if let Value::Array(extra) = doc["compositions"].take() {
                    match b["compositions"].as_array_mut() {
                        Some(list) => list.extend(extra),
                        None => b["compositions"] = Value::Array(extra),
                    }
                }
            }
        }
    }
    let mut bom = match base {
        Some(b) => b,
        None => {
            let ctx = sbom_context(report);
            let prep = Prepared::new(&empty_inventory(), &ctx)?;
            serde_json::to_value(cyclonedx::document(&prep, &ctx)).map_err(serialize_err)?
        }
    };
    // A scan BOM is not the SBOM of the same image: its own serial, from
    // the SBOMs' serials and the findings.
    let findings = serde_json::to_string(&vulnerabilities).map_err(serialize_err)?;
    let mut parts: Vec<&str> = vec!["cyclonedx-vex"];
    parts.extend(serials.iter().map(String::as_str));
    parts.push(&findings);
    bom["serialNumber"] = json!(format!("urn:uuid:{}", stable_uuid(&parts)));
    let pass = report.pass();
    let props = bom["metadata"]
        .as_object_mut()
        .map(|m| m.entry("properties").or_insert_with(|| json!([])));
    if let Some(Value::Array(props)) = props {
        props.push(
            json!({"name": "portcullis:scan:verdict", "value": if pass { "pass" } else { "fail" }}),
        );
        if let Some(db) = &report.db {
            props.push(json!({"name": "portcullis:db:built_at", "value": db.built_at}));
        }
    }
    bom["vulnerabilities"] = Value::Array(vulnerabilities);
    to_bytes(FORMAT, &bom)
}
