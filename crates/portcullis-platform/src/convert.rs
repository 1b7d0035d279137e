//! Image details (reference §2) → our inventory and findings, so platform
//! results go through the same policy and reports as local scans.

use std::collections::BTreeMap;

use portcullis_advisory::{Cvss, CvssVersion};
use portcullis_match::{Evidence, Finding, FindingPackage, TypeDetected};
use portcullis_types::{
    purl_for, Digest, Distro, Ecosystem, HistoryEntry, ImageMetadata, Inventory, LayerMetadata,
    Package, INVENTORY_SCHEMA_VERSION,
};
use serde::Deserialize;
use serde_json::Value;

use crate::{guess, PlatformError};

/// What one image's details say, in our terms.
#[derive(Debug, Clone)]
pub struct PlatformScan {
    /// Image metadata and the platform's software list.
    pub inventory: Inventory,
    /// One finding per platform vulnerability, in the platform's order.
    pub findings: Vec<Finding>,
    /// Things the caller should tell the user (guessed ecosystems,
    /// unexpected values kept as they were).
    pub notes: Vec<String>,
}

/// One `softwares[]` entry.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Software {
    name: Option<String>,
    version: Option<String>,
    fix_version: Option<String>,
    package_path: Option<String>,
    /// Unused beyond validation: which QIDs hit the package.
    #[serde(default)]
    #[allow(dead_code)]
    vulnerabilities: Option<SoftwareVulns>,
}

/// `softwares[].vulnerabilities` is an array of `{qid}` in the v1.1 schema
/// and the vendor's report code, but a `severityNCount` object in the newer
/// software endpoint; both are accepted (reference §2.1).
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
#[allow(dead_code)]
enum SoftwareVulns {
    /// `[{"qid": 178393}, …]`.
    List(Vec<BTreeMap<String, Value>>),
    /// `{"severity5Count": 0, …}`.
    Counts(BTreeMap<String, Value>),
}

/// Converts a complete image-details JSON (as [`crate::PollResult::Complete`]
/// returns it). Fails only when the document is not an object or a
/// vulnerability has neither a QID nor a CVE; odd values are kept or
/// defaulted and reported in `notes`.
pub fn details_to_scan(details: &Value) -> Result<PlatformScan, PlatformError> {
    let obj = details
        .as_object()
        .ok_or_else(|| PlatformError::Details("not a JSON object".into()))?;
    let mut notes = Vec::new();
    let os_name = text(obj.get("operatingSystem")).unwrap_or_default();
    let (distro, os_eco) = match guess::distro(&os_name) {
        Some((d, e)) => (Some(d), Some(e)),
        None => (None, None),
    };

    // A malformed entry has no usable name; it is skipped and reported
    // rather than failing the whole image.
    let softwares: Vec<Software> = match obj.get("softwares") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .filter_map(|(i, item)| match Software::deserialize(item) {
                Ok(s) => Some(s),
                Err(e) => {
                    notes.push(format!("softwares[{i}] skipped: {e}"));
                    None
                }
            })
            .collect(),
        Some(_) => return Err(PlatformError::Details("`softwares` is not an array".into())),
    };
    let mut assumed = 0usize;
    let mut packages = Vec::new();
    for s in &softwares {
        let name = s.name.clone().unwrap_or_default();
        let version = s.version.clone().unwrap_or_default();
        if name.is_empty() {
            continue;
        }
        let (eco, was_assumed) = guess::ecosystem(os_eco, &version, s.package_path.as_deref());
        assumed += usize::from(was_assumed);
        packages.push(package(
            eco,
            &name,
            &version,
            s.package_path.as_deref(),
            distro.as_ref(),
        ));
    }
    if assumed > 0 {
        notes.push(format!(
            "{assumed} package(s): ecosystem unknown (operating system `{os_name}` not recognised); assumed deb"
        ));
    }

    let sha = text(obj.get("sha")).unwrap_or_default();
    let findings = match obj.get("vulnerabilities") {
        Some(Value::Array(vulns)) => vulns
            .iter()
            .enumerate()
            .map(|(i, v)| finding(i, v, &sha, &softwares, os_eco, distro.as_ref(), &mut notes))
            .collect::<Result<Vec<_>, _>>()?,
        _ => {
            return Err(PlatformError::Details(
                "`vulnerabilities` is not an array".into(),
            ))
        }
    };

    let mut inventory = Inventory {
        schema_version: INVENTORY_SCHEMA_VERSION,
        image: metadata(obj, &sha, &os_name),
        distro,
        packages,
        unknowns: Vec::new(),
    };
    inventory
        .packages
        .dedup_by(|a, b| a.sort_key() == b.sort_key());
    inventory.normalize();
    inventory
        .packages
        .dedup_by(|a, b| a.sort_key() == b.sort_key());
    Ok(PlatformScan {
        inventory,
        findings,
        notes,
    })
}

fn package(
    eco: Ecosystem,
    name: &str,
    version: &str,
    path: Option<&str>,
    distro: Option<&Distro>,
) -> Package {
    let name = eco.normalize_name(name);
    Package {
        ecosystem: eco,
        purl: purl_for(eco, &name, version, None, None, distro),
        source_name: None,
        source_version: None,
        arch: None,
        licenses: Vec::new(),
        layer: None,
        locations: path.map(|p| vec![p.to_owned()]).unwrap_or_default(),
        cataloger: "qualys-cs".to_owned(),
        owned_by: None,
        name,
        version: version.to_owned(),
    }
}

fn metadata(obj: &serde_json::Map<String, Value>, sha: &str, os_name: &str) -> ImageMetadata {
    let repo_tags: Vec<String> = obj
        .get("repo")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|r| {
            let repository = text(r.get("repository"))?;
            let tag = text(r.get("tag")).unwrap_or_else(|| "latest".into());
            Some(match text(r.get("registry")) {
                Some(reg) => format!("{reg}/{repository}:{tag}"),
                None => format!("{repository}:{tag}"),
            })
        })
        .collect();
    let layers_json = obj
        .get("layers")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let layers = layers_json
        .iter()
        .filter_map(|l| {
            Some(LayerMetadata {
                diff_id: digest(l.get("sha"))?,
                digest: None,
                size: number(l.get("size")).map_or(0, |n| n as u64),
                media_type: None,
                created_by: text(l.get("createdBy")),
            })
        })
        .collect();
    let history = layers_json
        .iter()
        .map(|l| HistoryEntry {
            created: epoch_ms(l.get("created")),
            created_by: text(l.get("createdBy")),
            empty_layer: number(l.get("size")) == Some(0.0),
        })
        .collect();
    let lower = os_name.to_ascii_lowercase();
    ImageMetadata {
        reference: repo_tags
            .iter()
            .find(|t| !t.starts_with("qualys_scan_target:"))
            .cloned()
            .unwrap_or_else(|| format!("sha256:{sha}")),
        source: "qualys".to_owned(),
        image_id: text(obj.get("imageId"))
            .unwrap_or_else(|| sha.get(..12).unwrap_or(sha).to_owned()),
        config_digest: Digest::sha256_hex(sha).ok(),
        manifest_digest: None,
        repo_tags,
        repo_digests: obj
            .get("repoDigests")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|d| text(Some(d)))
            .collect(),
        os: if lower.contains("windows") {
            "windows"
        } else if os_name.is_empty() {
            ""
        } else {
            "linux"
        }
        .to_owned(),
        architecture: text(obj.get("architecture")).unwrap_or_default(),
        created: epoch_ms(obj.get("created")),
        docker_version: text(obj.get("dockerVersion")),
        layers,
        history,
        total_size: number(obj.get("size")).map_or(0, |n| n as u64),
    }
}

fn finding(
    index: usize,
    v: &Value,
    sha: &str,
    softwares: &[Software],
    os_eco: Option<Ecosystem>,
    distro: Option<&Distro>,
    notes: &mut Vec<String>,
) -> Result<Finding, PlatformError> {
    let qid = number(v.get("qid"))
        .filter(|n| *n >= 0.0 && n.fract() == 0.0)
        .map(|n| n as u64);
    let mut cves: Vec<String> = v
        .get("cveids")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|c| text(Some(c)))
        .collect();
    cves.dedup();
    let qid_id = qid.map(|q| format!("QID-{q}"));
    let (id, mut aliases) = match (cves.split_first(), &qid_id) {
        (Some((first, rest)), _) => (
            first.clone(),
            rest.iter()
                .cloned()
                .chain(qid_id.clone())
                .collect::<Vec<_>>(),
        ),
        (None, Some(q)) => (q.clone(), Vec::new()),
        (None, None) => {
            return Err(PlatformError::Details(format!(
                "vulnerabilities[{index}] has neither a qid nor a CVE"
            )))
        }
    };
    aliases.sort();
    aliases.dedup();
    let label = qid_id.clone().unwrap_or_else(|| id.clone());

    let severity = match number(v.get("severity")) {
        Some(n) if (1.0..=5.0).contains(&n) && n.fract() == 0.0 => n as u8,
        Some(n) => {
            notes.push(format!("{label}: severity {n} outside 1-5 kept as given"));
            n.clamp(0.0, 255.0) as u8
        }
        None => {
            notes.push(format!("{label}: no severity; recorded as 0"));
            0
        }
    };
    let raw_type = text(v.get("typeDetected")).unwrap_or_default();
    let type_detected = match raw_type.as_str() {
        "CONFIRMED" => TypeDetected::Confirmed,
        "POTENTIAL" => TypeDetected::Potential,
        other => {
            notes.push(format!("{label}: typeDetected `{other}` is neither CONFIRMED nor POTENTIAL; treated as CONFIRMED"));
            TypeDetected::Confirmed
        }
    };
    let patch_available = match v.get("patchAvailable") {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => s.eq_ignore_ascii_case("true"),
        _ => false,
    };
    let cvss = |field: &str, version: CvssVersion| {
        number(v.get(field).and_then(|c| c.get("baseScore"))).map(|score| Cvss {
            version,
            vector: String::new(),
            score,
        })
    };

    let sw = v
        .get("software")
        .and_then(Value::as_array)
        .and_then(|a| a.first());
    let name = text(sw.and_then(|s| s.get("name"))).unwrap_or_default();
    let version = text(sw.and_then(|s| s.get("version"))).unwrap_or_default();
    let listed = softwares
        .iter()
        .find(|s| s.name.as_deref() == Some(&name) && s.version.as_deref() == Some(&version));
    // The vulnerability's own software entry first, then the image's list.
    let fixed_version = text(sw.and_then(|s| s.get("fixVersion"))).or_else(|| {
        listed
            .and_then(|s| s.fix_version.clone())
            .filter(|f| !f.trim().is_empty())
    });
    let path = listed.and_then(|s| s.package_path.as_deref());
    let (eco, _) = guess::ecosystem(os_eco, &version, path);
    let pkg = package(eco, &name, &version, path, distro);
    let fix_state = if fixed_version.is_some() || patch_available {
        "fixed"
    } else {
        "affected"
    };
    let status = text(v.get("status")).unwrap_or_else(|| fix_state.to_owned());

    let evidence = Evidence {
        advisory: label,
        source: "qualys-cs".to_owned(),
        record: format!("GET /csapi/v1.3/images/{sha}"),
        db_row: 0,
        namespace: text(v.get("category")).unwrap_or_default(),
        package: pkg.name.clone(),
        version: pkg.version.clone(),
        comparator: "platform".to_owned(),
        comparisons: text(v.get("result")).into_iter().collect(),
        fix_state: fix_state.to_owned(),
        doubt: (type_detected == TypeDetected::Potential)
            .then(|| "reported as POTENTIAL by the platform".to_owned()),
    };
    Ok(Finding {
        id,
        qid,
        aliases,
        package: FindingPackage {
            ecosystem: pkg.ecosystem,
            name: pkg.name,
            version: pkg.version,
            source_name: None,
            source_version: None,
            purl: pkg.purl,
            locations: pkg.locations,
        },
        fixed_version,
        status,
        severity,
        severity_source: "qualys".to_owned(),
        cvss_v2: cvss("cvssInfo", CvssVersion::V2),
        cvss_v3: cvss("cvss3Info", CvssVersion::V3),
        type_detected,
        patch_available,
        layer: digest(v.get("layerSha")),
        title: text(v.get("title")),
        links: Vec::new(),
        evidence: vec![evidence],
    })
}

/// A non-empty string, or a number written as text.
fn text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A number given as a JSON number or a numeric string (the platform's
/// swagger types scores and sizes as strings; live answers vary).
fn number(v: Option<&Value>) -> Option<f64> {
    match v? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse::<f64>().ok().filter(|f| f.is_finite()),
        _ => None,
    }
}

fn digest(v: Option<&Value>) -> Option<Digest> {
    let s = text(v)?;
    s.parse().ok().or_else(|| Digest::sha256_hex(&s).ok())
}

/// Epoch milliseconds (string or number) → RFC 3339.
fn epoch_ms(v: Option<&Value>) -> Option<String> {
    let ms = number(v)?;
    let nanos = (ms.trunc() as i128).checked_mul(1_000_000)?;
    let t = time::OffsetDateTime::from_unix_timestamp_nanos(nanos).ok()?;
    t.format(&time::format_description::well_known::Rfc3339)
        .ok()
}
