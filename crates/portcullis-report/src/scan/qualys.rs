//! `qualys-json`: per-image details in the CS API's field names
//! (reference §2.1, §2.2), so tools written against the vendor's
//! `qualys_<imageId>.json` artifacts read ours.
//!
//! A JSON array with one object per image, in the order the user named
//! them. Vendor conventions kept: timestamps (`created`, `lastScanned`,
//! layer `created`, `firstFound`, `lastFound`) are epoch milliseconds as
//! **strings**; layer `size` is a string; `cvssInfo.baseScore` and
//! `cvss3Info.baseScore` are strings with one decimal (null without a
//! score); `cveids` is an empty array, never null; `uuid` is null (there is
//! no platform). `qid` is null for findings of the local matcher; every
//! vulnerability also carries our `id` (the CVE or advisory id) so
//! entries without a QID stay identifiable, plus `verdict`.
//!
//! `firstFound`/`lastFound` are the run's time: a single scan knows no
//! history. `softwares[].fixVersion` is the greatest (by string order)
//! fixed version among the package's findings — an approximation when a
//! package has several fixes in different version lines.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Value};

use super::json::{
    epoch_ms, image_key, os_name, rfc3339_epoch_ms, rows, score_text, to_bytes, type_word, Row,
};
use super::summary::{layers, repos, Repo};
use super::{ImageResult, ScanReport};
use crate::ReportError;

/// `AV:N` → `Network`, as the CS API's `cvssInfo.accessVector`.
fn access_vector(vector: &str) -> Option<&'static str> {
    let av = vector
        .split('/')
        .find_map(|part| part.strip_prefix("AV:"))?;
    Some(match av {
        "N" => "Network",
        "A" => "Adjacent Network",
        "L" => "Local",
        "P" => "Physical",
        _ => return None,
    })
}

fn vulnerability(row: &Row<'_>, found: &str) -> Value {
    let f = row.finding;
    let cveids: Vec<&str> = f.ids().filter(|id| id.starts_with("CVE-")).collect();
    json!({
        "qid": f.qid,
        "id": f.id,
        "cveids": cveids,
        "title": f.title.clone().unwrap_or_else(|| format!("{} in {}", f.id, f.package.name)),
        "severity": f.severity,
        "customerSeverity": f.severity,
        "typeDetected": type_word(f.type_detected),
        "category": f.package.ecosystem.as_str(),
        "patchAvailable": f.patch_available,
        "cvssInfo": {
            "baseScore": f.cvss_v2.as_ref().map(|c| score_text(c.score)),
            "temporalScore": null,
            "accessVector": f.cvss_v2.as_ref().and_then(|c| access_vector(&c.vector)),
        },
        "cvss3Info": {
            "baseScore": f.cvss_v3.as_ref().map(|c| score_text(c.score)),
            "temporalScore": null,
        },
        "software": [{
            "name": f.package.name,
            "version": f.package.version,
            "fixVersion": f.fixed_version,
        }],
        "firstFound": found,
        "lastFound": found,
        "layerSha": f.layer.as_ref().map(|l| l.hex().to_owned()),
        "status": f.status,
        "verdict": row.verdict_name(),
    })
}

/// One entry per installed (name, version), with the findings against it.
fn softwares(img: &ImageResult, rows: &[Row<'_>]) -> Vec<Value> {
    #[derive(Default)]
    struct Sw<'a> {
        fixes: BTreeSet<&'a str>,
        vulns: Vec<Value>,
    }
    let mut map: BTreeMap<(&str, &str), Sw<'_>> = BTreeMap::new();
    for p in &img.inventory.packages {
        map.entry((p.name.as_str(), p.version.as_str()))
            .or_default();
    }
    for row in rows {
        let f = row.finding;
        let sw = map
            .entry((f.package.name.as_str(), f.package.version.as_str()))
            .or_default();
        sw.fixes.extend(f.fixed_version.as_deref());
        sw.vulns.push(json!({"qid": f.qid, "id": f.id}));
    }
    map.into_iter()
        .map(|((name, version), sw)| {
            json!({
                "name": name,
                "version": version,
                "fixVersion": sw.fixes.last(),
                "vulnerabilities": sw.vulns,
            })
        })
        .collect()
}

fn image(img: &ImageResult, scanned: &str) -> Value {
    let meta = &img.inventory.image;
    let rows = rows(img);
    json!({
        "imageId": image_key(img),
        "sha": img.sha(),
        "uuid": null,
        "created": meta.created.as_deref().and_then(rfc3339_epoch_ms),
        "lastScanned": scanned,
        "architecture": Some(&meta.architecture).filter(|a| !a.is_empty()),
        "dockerVersion": meta.docker_version,
        "operatingSystem": os_name(img.inventory.distro.as_ref()),
        "size": meta.total_size,
        "layersCount": meta.layers.len(),
        "source": ["CICD"],
        "repo": repos(img).iter().map(Repo::to_value).collect::<Vec<_>>(),
        "repoDigests": meta.repo_digests,
        "layers": layers(img),
        "softwares": softwares(img, &rows),
        "vulnerabilities": rows.iter().map(|r| vulnerability(r, scanned)).collect::<Vec<_>>(),
        "totalVulCount": rows.len(),
        "error": img.error,
    })
}

pub(crate) fn render(report: &ScanReport) -> Result<Vec<u8>, ReportError> {
    let scanned = epoch_ms(report.generated_at);
    let doc: Vec<Value> = report.images.iter().map(|i| image(i, &scanned)).collect();
    to_bytes("qualys-json", &doc)
}

#[cfg(test)]
mod tests {
    use super::access_vector;

    #[test]
    fn access_vectors_are_named() {
        assert_eq!(access_vector("AV:N/AC:L/Au:N/C:P/I:P/A:P"), Some("Network"));
        assert_eq!(access_vector("CVSS:3.1/AV:L/AC:H"), Some("Local"));
        assert_eq!(access_vector("garbage"), None);
    }
}
