//! GitLab container-scanning report, security report schema 15.0.7
//! (`gl-container-scanning-report.json`).
//!
//! Every finding of every image is one vulnerability (the report shows
//! everything; the gate's verdict is stated in the description):
//!
//! * `id`: UUID v5 of the finding key and the image — stable across runs,
//!   so GitLab tracks the same vulnerability instead of re-creating it;
//! * `severity`: 5 → `Critical`, 4 → `High`, 3 → `Medium`, 2 → `Low`,
//!   1 → `Info`, and `Unknown` when the finding's severity source is
//!   `unknown` (no rating anywhere) or out of range;
//! * `identifiers`: the id and its aliases (type `cve`, `ghsa`, else the
//!   id's lower-cased prefix: `dsa`, `dla`, `pysec`, ...), plus the `qid`
//!   when the finding has one; at most 20, as the schema allows;
//! * `location`: `dependency {package {name}, version}`,
//!   `operating_system` (`debian 12`, `Unknown` without a distro) and
//!   `image` (the reference the user gave).
//!
//! `scan.start_time`/`end_time` are the run's time in the schema's form
//! (`YYYY-MM-DDTHH:MM:SS`, UTC); the writer reads no clock.

use serde_json::{json, Value};

use super::json::{
    id_url, image_name, rows, severity_word, stable_uuid, to_bytes, type_word, web_links, Row,
};
use super::{ImageResult, ScanReport};
use crate::ReportError;

const SCHEMA_VERSION: &str = "15.0.7";
const MAX_IDENTIFIERS: usize = 20;

fn truncate(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

fn identifier_type(id: &str) -> String {
    let prefix = id.split('-').next().unwrap_or(id);
    if prefix.is_empty() || prefix == id {
        "vulnerability".to_owned()
    } else {
        prefix.to_ascii_lowercase()
    }
}

fn identifiers(row: &Row<'_>) -> Vec<Value> {
    let f = row.finding;
    let mut out: Vec<Value> = f
        .ids()
        .filter(|id| !id.is_empty())
        .map(|id| {
            json!({
                "type": identifier_type(id),
                "name": truncate(id, 255),
                "value": truncate(id, 255),
                "url": id_url(id),
            })
        })
        .collect();
    if let Some(q) = f.qid {
        out.insert(
            1.min(out.len()),
            json!({"type": "qid", "name": format!("QID {q}"), "value": q.to_string()}),
        );
    }
    out.truncate(MAX_IDENTIFIERS);
    out
}

fn operating_system(img: &ImageResult) -> String {
    match &img.inventory.distro {
        Some(d) => match &d.version_id {
            Some(v) => format!("{} {v}", d.id),
            None => d.id.clone(),
        },
        None => "Unknown".to_owned(),
    }
}

fn description(row: &Row<'_>) -> String {
    let f = row.finding;
    let mut text = f
        .title
        .clone()
        .unwrap_or_else(|| format!("{} affects {} {}", f.id, f.package.name, f.package.version));
    text.push_str(&format!("\n\nPolicy verdict: {}", row.verdict_name()));
    if let Some(reason) = row.suppression_reason() {
        text.push_str(&format!(" ({reason})"));
    }
    if let Some(portcullis_policy::FindingVerdict::Blocking { conditions }) = row.verdict {
        text.push_str(&format!(" ({})", conditions.join(", ")));
    }
    text.push_str(&format!(
        "\nDistro status: {}. Detection: {}.",
        f.status,
        type_word(f.type_detected)
    ));
    if row.in_base_image() {
        text.push_str(" Introduced by the base image.");
    }
    text
}

fn vulnerability(row: &Row<'_>) -> Value {
    let f = row.finding;
    let image = image_name(row.image);
    let id = stable_uuid(&[&portcullis_policy::finding_key(f), &image]);
    let solution = match &f.fixed_version {
        Some(v) => format!("Upgrade {} to {v}", f.package.name),
        None => "No fix is available yet".to_owned(),
    };
    json!({
        "id": id.to_string(),
        "name": truncate(&format!("{} in {}", f.id, f.package.name), 255),
        "description": description(row),
        "severity": severity_word(f),
        "solution": solution,
        "identifiers": identifiers(row),
        "links": web_links(&f.links).map(|l| json!({"url": l})).collect::<Vec<_>>(),
        "location": {
            "dependency": {
                "package": {"name": f.package.name},
                "version": f.package.version,
            },
            "operating_system": operating_system(row.image),
            "image": image,
        },
    })
}

pub(crate) fn render(report: &ScanReport) -> Result<Vec<u8>, ReportError> {
    let time = report.generated_at.to_offset(time::UtcOffset::UTC).format(
        time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]"),
    )?;
    let tool = json!({
        "id": "portcullis",
        "name": report.tool_name,
        "version": report.tool_version,
        "vendor": {"name": "portcullis"},
    });
    let vulnerabilities: Vec<Value> = report
        .images
        .iter()
        .flat_map(rows)
        .map(|r| vulnerability(&r))
        .collect();
    let doc = json!({
        "version": SCHEMA_VERSION,
        "schema": format!(
            "https://gitlab.com/gitlab-org/security-products/security-report-schemas/-/raw/v{SCHEMA_VERSION}/dist/container-scanning-report-format.json"
        ),
        "scan": {
            "analyzer": tool,
            "scanner": tool,
            "type": "container_scanning",
            "start_time": time,
            "end_time": time,
            "status": "success",
        },
        "vulnerabilities": vulnerabilities,
    });
    to_bytes("gitlab", &doc)
}
