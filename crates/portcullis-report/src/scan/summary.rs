//! `summary-json`: the shape of the vendor connector's
//! `qualys_images_summary.json` (reference §4.3, §4.4), so scripts written
//! for the connector's artifact read ours unchanged.
//!
//! `{"scanResult": {<imageId12>: result}, "trendingData": [...]}` with, per
//! image, exactly the vendor's keys: `imageId`, `imageSummary`, `qids`,
//! `cveIds`, `severities`, `confirmedVulnsBySev`, `potentialVulnsBySev`,
//! `patchability`, `totalVulnerabilities`, `potentialVulnsChecked`,
//! `typeDetected`, `cvss`, `software`. Vendor conventions kept on purpose:
//! `severities[s].found` is `null` when the count is 0 and no limit is set
//! but `0` when a limit is set; `software.configured` is `""` (not null)
//! when the condition is off; `cvss.version` is `""` for v2, `"3"`, or
//! `"maxOfv2andv3"`; `cvss.foundMap` is present only when the condition
//! failed; the counts by severity, type and patchability cover **all**
//! findings, before exclusions.
//!
//! Our additions: top-level `pass` and `buildStatus` (`Success`/`Failed`,
//! the webhook's word), and per image `risk`, `reasons`, `errors`,
//! `warnings`, `dbFreshness` and `error` (set when the image could not be
//! scanned; such an image has `imageSummary.pass: false` and, having no
//! image ID, is keyed by the reference the user gave).
//!
//! Left out: the vendor's `vulnsTable` and `softwaresTable` (raw copies of
//! the whole details document, which `-o qualys-json` writes on its own) —
//! they made the vendor's summary huge and slow to load in CI output
//! variables. `layersTable` is kept (small, and it carries our base-layer
//! attribution), as are `qidExcludeFound`/`cveExcludeFound` (always null).

use portcullis_policy::{Evaluation, ListCondition};
use serde_json::{json, Map, Value};

use super::json::{image_key, os_name, rfc3339_epoch_ms, to_bytes};
use super::{ImageResult, ScanReport};
use crate::ReportError;

/// The summary as a JSON value (the CI output variables carry it).
pub fn summary_value(report: &ScanReport) -> Value {
    let mut scan_result = Map::new();
    let mut trending = Vec::new();
    for img in &report.images {
        let key = image_key(img);
        trending.push(json!({
            "imageId": key,
            "confirmedVulns": (1..=5u8)
                .map(|s| img.evaluation.counts.confirmed_by_severity.get(&s).copied().unwrap_or(0))
                .collect::<Vec<_>>(),
            "repos": repos(img).iter().map(|r| r.repository.clone()).collect::<Vec<_>>(),
        }));
        scan_result.insert(key, image_result(img));
    }
    let pass = report.pass();
    json!({
        "pass": pass,
        "buildStatus": if pass { "Success" } else { "Failed" },
        "scanResult": scan_result,
        "trendingData": trending,
    })
}

pub(crate) fn render(report: &ScanReport) -> Result<Vec<u8>, ReportError> {
    to_bytes("summary-json", &summary_value(report))
}

/// `registry/repository:tag` split as the CS API's `repo[]` entries.
pub(super) struct Repo {
    pub(super) registry: Option<String>,
    pub(super) repository: String,
    pub(super) tag: Option<String>,
}

impl Repo {
    pub(super) fn to_value(&self) -> Value {
        json!({"registry": self.registry, "repository": self.repository, "tag": self.tag})
    }
}

/// Splits a tagged reference; the first path component is a registry only
/// when it looks like a host (a dot, a port, or `localhost`), as Docker
/// decides.
pub(super) fn parse_repo(reference: &str) -> Repo {
    let (name, tag) = match reference.rsplit_once(':') {
        Some((n, t)) if !t.contains('/') => (n, Some(t.to_owned())),
        _ => (reference, None),
    };
    let (registry, repository) = match name.split_once('/') {
        Some((first, rest))
            if first.contains('.') || first.contains(':') || first == "localhost" =>
        {
            (Some(first.to_owned()), rest.to_owned())
        }
        _ => (None, name.to_owned()),
    };
    Repo {
        registry,
        repository,
        tag,
    }
}

/// The image's tags as `repo[]`, sorted.
pub(super) fn repos(img: &ImageResult) -> Vec<Repo> {
    let mut tags = img.inventory.image.repo_tags.clone();
    tags.sort();
    tags.dedup();
    tags.iter().map(|t| parse_repo(t)).collect()
}

/// The vendor's `layersTable` / details `layers[]` entry.
pub(super) fn layers(img: &ImageResult) -> Vec<Value> {
    let meta = &img.inventory.image;
    // History entries that made a layer pair with the layers in order.
    let created: Vec<Option<&str>> = meta
        .history
        .iter()
        .filter(|h| !h.empty_layer)
        .map(|h| h.created.as_deref())
        .collect();
    meta.layers
        .iter()
        .enumerate()
        .map(|(i, l)| {
            json!({
                "id": l.diff_id.to_string(),
                "sha": l.digest.as_ref().map(|d| d.hex().to_owned()),
                "size": l.size.to_string(),
                "created": created.get(i).copied().flatten().and_then(rfc3339_epoch_ms),
                "createdBy": l.created_by,
                "comment": "",
                "isBaseLayer": img.base_layers.contains(&l.diff_id),
                "layerNumber": i,
            })
        })
        .collect()
}

fn list_condition(c: &ListCondition, excluded_key: bool) -> Value {
    let mut v = json!({"configured": c.configured, "found": c.found, "result": c.result});
    if excluded_key {
        v["excluded"] = json!(c.excluded);
    }
    v
}

fn by_severity(counts: &std::collections::BTreeMap<u8, u64>) -> Value {
    let mut m = Map::new();
    for s in 1..=5u8 {
        m.insert(s.to_string(), json!(counts.get(&s).copied().unwrap_or(0)));
    }
    Value::Object(m)
}

fn severities(ev: &Evaluation) -> Value {
    let mut m = Map::new();
    for s in 1..=5u8 {
        let c = ev.severities.get(&s).copied().unwrap_or_default();
        // The vendor's rule, enforced here whatever the evaluation says:
        // null when nothing was found and no limit is set, 0 with a limit.
        let found = match (c.configured, c.found) {
            (None, Some(0) | None) => None,
            (Some(_), None) => Some(0),
            (_, f) => f,
        };
        let result = c.result || c.configured.is_none();
        m.insert(
            s.to_string(),
            json!({"configured": c.configured, "found": found, "result": result}),
        );
    }
    Value::Object(m)
}

fn cvss(ev: &Evaluation) -> Value {
    let c = &ev.cvss;
    let version = c.version.as_deref().map(|v| match v {
        "2" => "",
        "3" => "3",
        _ => "maxOfv2andv3",
    });
    let mut v = json!({
        "configured": c.configured,
        "found": c.found,
        "version": version,
        "result": c.result,
    });
    if !c.result && !c.found_map.is_empty() {
        v["foundMap"] = json!(c.found_map);
    }
    v
}

fn image_result(img: &ImageResult) -> Value {
    let meta = &img.inventory.image;
    let ev = &img.evaluation;
    let pass = img.error.is_none() && ev.pass;
    let repos = repos(img);
    let counts = &ev.counts;
    let confirmed: u64 = counts.confirmed_by_severity.values().sum();
    let potential: u64 = counts.potential_by_severity.values().sum();
    let software = &ev.software;
    json!({
        "imageId": image_key(img),
        "imageSummary": {
            "pass": pass,
            "Tags": repos.iter().filter_map(|r| r.tag.clone()).collect::<Vec<_>>(),
            "size": meta.total_size,
            "uuid": null,
            "sha": img.sha(),
            "repo": repos.iter().map(Repo::to_value).collect::<Vec<_>>(),
            "operatingSystem": os_name(img.inventory.distro.as_ref()),
            "layersCount": meta.layers.len(),
            "dockerVersion": meta.docker_version,
            "architecture": Some(&meta.architecture).filter(|a| !a.is_empty()),
        },
        "qids": list_condition(&ev.qids, true),
        "cveIds": list_condition(&ev.cves, true),
        "severities": severities(ev),
        "confirmedVulnsBySev": by_severity(&counts.confirmed_by_severity),
        "potentialVulnsBySev": by_severity(&counts.potential_by_severity),
        "patchability": {"yes": counts.patchable, "no": counts.not_patchable},
        "totalVulnerabilities": counts.total,
        "potentialVulnsChecked": ev.potential_checked,
        "typeDetected": {"Confirmed": confirmed, "Potential": potential},
        "cvss": cvss(ev),
        "software": {
            "configured": software.configured.clone().unwrap_or_default(),
            "found": software.found.clone().unwrap_or_default(),
            "result": software.result,
        },
        "layersTable": layers(img),
        "qidExcludeFound": null,
        "cveExcludeFound": null,
        "risk": {
            "configured": ev.risk.configured,
            "found": ev.risk.found,
            "weights": ev.risk.weights.iter().map(|(k, v)| (k.to_string(), json!(v))).collect::<Map<_, _>>(),
            "result": ev.risk.result,
        },
        "dbFreshness": {
            "ageDays": ev.freshness.age_days,
            "warnDays": ev.freshness.warn_days,
            "failDays": ev.freshness.fail_days,
            "result": ev.freshness.result,
        },
        "reasons": ev.reasons,
        "errors": ev.errors,
        "warnings": ev.warnings,
        "error": img.error,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repo_references_split_like_docker() {
        let r = parse_repo("registry.example/team/webapp:1.4.2");
        assert_eq!(r.registry.as_deref(), Some("registry.example"));
        assert_eq!(r.repository, "team/webapp");
        assert_eq!(r.tag.as_deref(), Some("1.4.2"));
        let r = parse_repo("localhost:5000/app");
        assert_eq!(r.registry.as_deref(), Some("localhost:5000"));
        assert_eq!(r.repository, "app");
        assert_eq!(r.tag, None);
        let r = parse_repo("team/webapp:latest");
        assert_eq!(r.registry, None);
        assert_eq!(r.repository, "team/webapp");
    }
}
