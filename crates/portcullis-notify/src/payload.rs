//! The webhook payload (SPEC §6; reference §4.6 with its defects fixed):
//! every image is looked up by its own result (no `{}` entries), the
//! status covers all images (not the last one evaluated), and a failing
//! image lists every failed criterion, evaluation errors included.

use std::collections::BTreeMap;

use portcullis_match::TypeDetected;
use portcullis_policy::Evaluation;
use portcullis_report::scan::{ImageResult, ScanReport};
use serde_json::{json, Map, Value};
use time::format_description::well_known::Rfc3339;

/// Builds the JSON document POSTed to `--webhook-url`.
///
/// Top level: `buildNumber`, `jobName`, `jobUrl` (CI metadata),
/// `buildStatus` (`Success` only when every image passed and none failed
/// to scan), `failReason[]` (only when failed), `images[]`, and the
/// additions `ciSystem`, `tool {name, version}`, `backend`, `generatedAt`.
/// Absent values are omitted, never `null`.
pub fn webhook_payload(report: &ScanReport) -> Value {
    let mut top = Map::new();
    put(&mut top, "buildNumber", report.ci.build_number.clone());
    put(&mut top, "jobName", report.ci.job_name.clone());
    put(&mut top, "jobUrl", report.ci.job_url.clone());
    put(&mut top, "ciSystem", report.ci.system.clone());
    let pass = report.pass();
    top.insert(
        "buildStatus".into(),
        Value::from(if pass { "Success" } else { "Failed" }),
    );
    if !pass {
        let reasons: Vec<Value> = report
            .images
            .iter()
            .filter(|i| image_failed(i))
            .map(fail_reason)
            .collect();
        top.insert("failReason".into(), Value::Array(reasons));
    }
    top.insert(
        "images".into(),
        Value::Array(report.images.iter().map(image_entry).collect()),
    );
    top.insert(
        "tool".into(),
        json!({"name": report.tool_name, "version": report.tool_version}),
    );
    put_str(&mut top, "backend", &report.backend);
    if let Ok(t) = report.generated_at.format(&Rfc3339) {
        top.insert("generatedAt".into(), Value::from(t));
    }
    Value::Object(top)
}

/// Whether an image fails the build (a scan error fails it too).
fn image_failed(image: &ImageResult) -> bool {
    image.error.is_some() || !image.evaluation.pass
}

/// `{imageId, <failed criteria>…, errors[], reasons[]}` for a failing image.
fn fail_reason(image: &ImageResult) -> Value {
    let e: &Evaluation = &image.evaluation;
    let mut m = Map::new();
    put_str(&mut m, "imageId", image.image_id());
    if image.image_id().is_empty() {
        if let Some(r) = image.references.first() {
            put_str(&mut m, "reference", r);
        }
    }
    if image.error.is_none() {
        let mut sev = Map::new();
        for (level, c) in &e.severities {
            if !c.result {
                let mut s = Map::new();
                put(&mut s, "configured", c.configured);
                put(&mut s, "found", c.found);
                sev.insert(level.to_string(), Value::Object(s));
            }
        }
        if !sev.is_empty() {
            m.insert("severity".into(), Value::Object(sev));
        }
        for (key, c) in [
            ("qids", &e.qids),
            ("cve", &e.cves),
            ("software", &e.software),
        ] {
            if !c.result {
                let mut s = Map::new();
                put(&mut s, "configured", c.configured.clone());
                put(&mut s, "found", c.found.clone());
                m.insert(key.into(), Value::Object(s));
            }
        }
        if !e.cvss.result {
            let mut s = Map::new();
            put(&mut s, "configured", e.cvss.configured);
            s.insert("found".into(), Value::from(e.cvss.found));
            if let Some(v) = e.cvss.version.as_deref() {
                // 2 and 3 as numbers (the vendor's shape); "max" stays a
                // string instead of the vendor's misleading 2.
                let v = v
                    .parse::<u64>()
                    .map(Value::from)
                    .unwrap_or_else(|_| Value::from(v));
                s.insert("version".into(), v);
            }
            if !e.cvss.found_map.is_empty() {
                s.insert("foundMap".into(), json!(e.cvss.found_map));
            }
            m.insert("cvss".into(), Value::Object(s));
        }
        if !e.risk.result {
            let mut s = Map::new();
            put(&mut s, "configured", e.risk.configured);
            s.insert("found".into(), Value::from(e.risk.found));
            m.insert("risk".into(), Value::Object(s));
        }
        if !e.freshness.result {
            let mut s = Map::new();
            put(&mut s, "configured", e.freshness.fail_days);
            put(&mut s, "found", e.freshness.age_days);
            m.insert("dbFreshness".into(), Value::Object(s));
        }
    }
    let errors: Vec<Value> = image
        .error
        .iter()
        .chain(e.errors.iter())
        .map(|s| Value::from(s.as_str()))
        .collect();
    if !errors.is_empty() {
        m.insert("errors".into(), Value::Array(errors));
    }
    if !e.reasons.is_empty() {
        m.insert("reasons".into(), json!(e.reasons));
    }
    Value::Object(m)
}

/// One `images[]` entry: identity, metadata and counts.
fn image_entry(image: &ImageResult) -> Value {
    let meta = &image.inventory.image;
    let mut m = Map::new();
    put_str(&mut m, "imageId", image.image_id());
    if let Some(r) = image.references.first() {
        put_str(&mut m, "reference", r);
    }
    if let Some(sha) = image.sha() {
        let uuid = uuid::Uuid::new_v5(
            &uuid::Uuid::NAMESPACE_URL,
            format!("urn:portcullis:image:sha256:{sha}").as_bytes(),
        );
        m.insert("uuid".into(), Value::from(uuid.to_string()));
        put_str(&mut m, "sha", sha);
    }
    m.insert(
        "status".into(),
        Value::from(if image.error.is_some() {
            "Error"
        } else if image.evaluation.pass {
            "Success"
        } else {
            "Failed"
        }),
    );
    if image.error.is_some() {
        return Value::Object(m);
    }
    m.insert("size".into(), Value::from(meta.total_size));
    let repos: Vec<Value> = meta
        .repo_tags
        .iter()
        .filter_map(|t| repo_entry(t))
        .collect();
    if !repos.is_empty() {
        m.insert("repo".into(), Value::Array(repos));
    }
    let os = image.inventory.distro.as_ref().and_then(|d| {
        d.pretty_name.clone().or_else(|| {
            Some(match &d.version_id {
                Some(v) => format!("{} {}", d.id, v),
                None => d.id.clone(),
            })
        })
    });
    match os {
        Some(os) if !os.trim().is_empty() => put_str(&mut m, "operatingSystem", &os),
        _ => put_str(&mut m, "operatingSystem", &meta.os),
    }
    m.insert("layersCount".into(), Value::from(meta.layers.len()));
    put(&mut m, "dockerVersion", meta.docker_version.clone());
    put_str(&mut m, "architecture", &meta.architecture);
    m.insert("vulnerabilities".into(), vulnerability_counts(image));
    Value::Object(m)
}

/// Counts over **all** findings, before any exclusion (the vendor's
/// `confirmedVulnsBySev` / `potentialVulnsBySev` / `patchability`).
fn vulnerability_counts(image: &ImageResult) -> Value {
    let zero = || -> BTreeMap<String, u64> { (1..=5).map(|l: u8| (l.to_string(), 0)).collect() };
    let (mut confirmed, mut potential) = (zero(), zero());
    let (mut yes, mut no) = (0u64, 0u64);
    for f in &image.findings {
        let by_sev = match f.type_detected {
            TypeDetected::Confirmed => &mut confirmed,
            TypeDetected::Potential => &mut potential,
        };
        *by_sev.entry(f.severity.to_string()).or_default() += 1;
        if f.patch_available {
            yes += 1;
        } else {
            no += 1;
        }
    }
    let sum = |m: &BTreeMap<String, u64>| m.values().sum::<u64>();
    json!({
        "totalVulnerabilities": image.findings.len(),
        "typeDetected": {"Confirmed": sum(&confirmed), "Potential": sum(&potential)},
        "severity": {"Potential": potential, "Confirmed": confirmed},
        "patchable": {"yes": yes, "no": no},
    })
}

/// `registry/repo/name:tag` → `{registry, repository, tag}`. The registry
/// is only reported when the reference names one (a first component with
/// a `.` or `:`, or `localhost`); no default registry is invented.
fn repo_entry(reference: &str) -> Option<Value> {
    let reference = reference.split('@').next().unwrap_or(reference);
    if reference.is_empty() {
        return None;
    }
    let last_slash = reference.rfind('/').map_or(0, |i| i + 1);
    let (name, tag) = match reference[last_slash..].rfind(':') {
        Some(i) => (
            &reference[..last_slash + i],
            Some(&reference[last_slash + i + 1..]),
        ),
        None => (reference, None),
    };
    let (registry, repository) = match name.split_once('/') {
        Some((first, rest))
            if first.contains('.') || first.contains(':') || first == "localhost" =>
        {
            (Some(first), rest)
        }
        _ => (None, name),
    };
    let mut m = Map::new();
    if let Some(r) = registry {
        put_str(&mut m, "registry", r);
    }
    put_str(&mut m, "repository", repository);
    if let Some(t) = tag {
        put_str(&mut m, "tag", t);
    }
    Some(Value::Object(m))
}

fn put<T: Into<Value>>(m: &mut Map<String, Value>, key: &str, value: Option<T>) {
    if let Some(v) = value {
        m.insert(key.to_owned(), v.into());
    }
}

fn put_str(m: &mut Map<String, Value>, key: &str, value: &str) {
    if !value.is_empty() {
        m.insert(key.to_owned(), Value::from(value));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repo_references_split() {
        assert_eq!(
            repo_entry("registry.example.com:5000/team/app:1.2").unwrap(),
            json!({"registry": "registry.example.com:5000", "repository": "team/app", "tag": "1.2"})
        );
        assert_eq!(
            repo_entry("library/nginx:latest").unwrap(),
            json!({"repository": "library/nginx", "tag": "latest"})
        );
        assert_eq!(repo_entry("app").unwrap(), json!({"repository": "app"}));
        assert_eq!(
            repo_entry("localhost/app:dev").unwrap(),
            json!({"registry": "localhost", "repository": "app", "tag": "dev"})
        );
        assert!(repo_entry("").is_none());
    }
}
