//! NVD CVE API 2.0: a single CVE object (vuln-list-nvd's layout) or an API
//! response page `{"vulnerabilities": [{"cve": {…}}, …]}`.
//!
//! NVD has no affected packages we can match (CPEs are not package names),
//! so each CVE becomes [`ImportItem::Cvss`]: its scores enrich every
//! advisory that names the CVE. Per version we keep one score, NVD's own:
//! the `Primary` entry of `cvssMetricV31`, else of `cvssMetricV30`, else
//! the first entry of either (a CNA's `Secondary` score); v2 likewise from
//! `cvssMetricV2`. v4 metrics are not read. Rejected CVEs yield nothing.

use serde::Deserialize;

use super::common::{self, LooseStr};
use super::Parsed;
use crate::{cvss, Cvss, CvssVersion, ImportItem};

#[derive(Deserialize)]
struct Page {
    vulnerabilities: Vec<serde_json::Value>,
}

#[derive(Deserialize)]
struct PageEntry {
    cve: Cve,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Cve {
    id: String,
    #[serde(default)]
    vuln_status: LooseStr,
    #[serde(default)]
    descriptions: Option<Vec<Description>>,
    #[serde(default)]
    metrics: Option<Metrics>,
}

#[derive(Deserialize)]
struct Description {
    #[serde(default)]
    lang: LooseStr,
    #[serde(default)]
    value: LooseStr,
}

#[derive(Deserialize, Default)]
struct Metrics {
    #[serde(default, rename = "cvssMetricV31")]
    v31: Option<Vec<Metric>>,
    #[serde(default, rename = "cvssMetricV30")]
    v30: Option<Vec<Metric>>,
    #[serde(default, rename = "cvssMetricV2")]
    v2: Option<Vec<Metric>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Metric {
    #[serde(default, rename = "type")]
    kind: LooseStr,
    cvss_data: CvssData,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CvssData {
    vector_string: String,
    #[serde(default)]
    base_score: Option<f64>,
}

/// Parses a file holding one CVE object.
pub(crate) fn parse_cve(bytes: &[u8], origin: &str) -> Result<Parsed, String> {
    let cve: Cve = common::decode(common::Syntax::Json, bytes)?;
    let mut parsed = Parsed::default();
    if let Some(item) = convert(cve, origin)? {
        parsed.items.push(item);
    }
    Ok(parsed)
}

/// Parses an API 2.0 response page; a malformed entry skips only itself.
pub(crate) fn parse_page(bytes: &[u8], origin: &str) -> Result<Parsed, String> {
    let page: Page = common::decode(common::Syntax::Json, bytes)?;
    let mut parsed = Parsed::default();
    for (i, value) in page.vulnerabilities.into_iter().enumerate() {
        match serde_json::from_value::<PageEntry>(value)
            .map_err(|e| e.to_string())
            .and_then(|e| convert(e.cve, origin))
        {
            Ok(Some(item)) => parsed.items.push(item),
            Ok(None) => {}
            Err(reason) => parsed
                .skipped
                .push(format!("vulnerabilities[{i}]: {reason}")),
        }
    }
    Ok(parsed)
}

fn convert(cve: Cve, origin: &str) -> Result<Option<ImportItem>, String> {
    let id = cve.id.trim().to_owned();
    if id.is_empty() {
        return Err("empty `id`".into());
    }
    if cve.vuln_status.0.as_deref() == Some("Rejected") {
        return Ok(None);
    }
    let description = cve
        .descriptions
        .unwrap_or_default()
        .into_iter()
        .find(|d| d.lang.0.as_deref() == Some("en"))
        .and_then(|d| common::text(d.value.0));
    let metrics = cve.metrics.unwrap_or_default();
    let mut scores = Vec::new();
    let v3 = pick(metrics.v31.as_deref()).or_else(|| pick(metrics.v30.as_deref()));
    if let Some(c) = v3.and_then(|m| score(m, CvssVersion::V3)) {
        scores.push(c);
    }
    if let Some(c) = pick(metrics.v2.as_deref()).and_then(|m| score(m, CvssVersion::V2)) {
        scores.push(c);
    }
    Ok(Some(ImportItem::Cvss {
        cve: id,
        origin: origin.to_owned(),
        scores,
        description,
    }))
}

/// NVD's own (`Primary`) metric, else the first one listed.
fn pick(list: Option<&[Metric]>) -> Option<&Metric> {
    let list = list?;
    list.iter()
        .find(|m| m.kind.0.as_deref() == Some("Primary"))
        .or_else(|| list.first())
}

/// NVD publishes both vector and score: the score is taken as published,
/// and computed only when absent. A vector we cannot parse is still kept
/// when NVD gives its score (NVD is the authority on its own numbers), but
/// a vector of the wrong version is dropped.
fn score(m: &Metric, version: CvssVersion) -> Option<Cvss> {
    let vector = m.cvss_data.vector_string.trim();
    match cvss::parse(vector) {
        Ok(c) if c.version != version => None,
        Ok(c) => Some(Cvss {
            score: m.cvss_data.base_score.unwrap_or(c.score),
            ..c
        }),
        Err(_) => m.cvss_data.base_score.map(|score| Cvss {
            version,
            vector: vector.to_owned(),
            score,
        }),
    }
}
