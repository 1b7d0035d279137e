//! [SARIF 2.1.0](https://docs.oasis-open.org/sarif/sarif/v2.1.0/) for
//! GitHub code scanning.
//!
//! One run. `tool.driver.rules[]` has one rule per vulnerability id (over
//! all images, sorted), with `properties.security-severity` (the highest
//! CVSS base score of its findings, else the 1-5 severity mapped 5 → 9.5,
//! 4 → 7.5, 3 → 5.0, 2 → 3.0, 1 → 0.0, which GitHub buckets as critical,
//! high, medium, low, none) and `tags`. `results[]` has one result per
//! finding and image:
//!
//! * `level`: `error` for a blocking finding, `warning` for a counted one
//!   (or one without verdict), `note` for excluded and ignored findings,
//!   which also carry `suppressions[{kind: external, status: accepted,
//!   justification}]` so code scanning shows them as dismissed;
//! * `locations`: the package's first evidence file (relative, as code
//!   scanning wants a path), else a path derived from the image reference;
//!   region line 1;
//! * `partialFingerprints.portcullisFinding/v1`: SHA-256 of the finding key
//!   (id, ecosystem, package) and the image name — stable across rescans
//!   and package upgrades, so alerts are tracked, not duplicated;
//! * `properties`: image, package, version, fixed version, verdict.

use std::collections::BTreeMap;

use portcullis_match::TypeDetected;
use serde_json::{json, Value};

use super::json::{
    advisory_url, best_score, finding_identity, image_name, rows, score_text, to_bytes, Row,
};
use super::ScanReport;
use crate::ReportError;

const SCHEMA_URI: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
const INFORMATION_URI: &str = "https://example.invalid/portcullis";

/// GitHub's security-severity for a finding without a CVSS score.
fn mapped_severity(severity: u8) -> f64 {
    match severity {
        5 => 9.5,
        4 => 7.5,
        3 => 5.0,
        2 => 3.0,
        _ => 0.0,
    }
}

/// What one rule gathers from the findings with its id.
struct RuleData<'a> {
    title: Option<&'a str>,
    links: &'a [String],
    score: Option<f64>,
    severity: u8,
    ecosystems: std::collections::BTreeSet<&'static str>,
    potential_only: bool,
}

fn level(row: &Row<'_>) -> &'static str {
    match row.verdict_name() {
        "blocking" => "error",
        "excluded" | "ignored" => "note",
        _ => "warning",
    }
}

/// A relative path for the result: the package's first file, else one
/// made from the image reference (`image/registry.example/team/app/1.4.2`).
fn artifact_uri(row: &Row<'_>) -> String {
    if let Some(loc) = row.finding.package.locations.first() {
        let trimmed = loc.trim_start_matches('/');
        if !trimmed.is_empty() {
            return trimmed.to_owned();
        }
    }
    let name: String = image_name(row.image)
        .chars()
        .map(|c| if c == ':' || c == '@' { '/' } else { c })
        .collect();
    format!("image/{}", name.trim_start_matches('/'))
}

fn message(row: &Row<'_>) -> String {
    let f = row.finding;
    let mut text = format!(
        "{} in {} {} (image {}, severity {}",
        f.id,
        f.package.name,
        f.package.version,
        image_name(row.image),
        f.severity
    );
    if let Some(s) = best_score(f) {
        text.push_str(&format!(", CVSS {}", score_text(s)));
    }
    text.push_str(match f.type_detected {
        TypeDetected::Confirmed => ", CONFIRMED)",
        TypeDetected::Potential => ", POTENTIAL)",
    });
    match &f.fixed_version {
        Some(v) => text.push_str(&format!(". Fixed in {v}.")),
        None => text.push_str(". No fix available yet."),
    }
    text.push_str(&format!(" Verdict: {}", row.verdict_name()));
    if let Some(reason) = row.suppression_reason() {
        text.push_str(&format!(" ({reason})"));
    }
    if let Some(portcullis_policy::FindingVerdict::Blocking { conditions }) = row.verdict {
        text.push_str(&format!(" ({})", conditions.join(", ")));
    }
    text.push('.');
    text
}

fn result(row: &Row<'_>, rule_index: usize) -> Value {
    let f = row.finding;
    let mut r = json!({
        "ruleId": f.id,
        "ruleIndex": rule_index,
        "level": level(row),
        "message": {"text": message(row)},
        "locations": [{
            "physicalLocation": {
                "artifactLocation": {"uri": artifact_uri(row)},
                "region": {"startLine": 1},
            },
        }],
        "partialFingerprints": {"portcullisFinding/v1": finding_identity(row)},
        "properties": {
            "image": image_name(row.image),
            "package": f.package.name,
            "ecosystem": f.package.ecosystem.as_str(),
            "version": f.package.version,
            "fixed": f.fixed_version,
            "typeDetected": f.type_detected,
            "verdict": row.verdict_name(),
            "inBaseImage": row.in_base_image(),
        },
    });
    if let Some(justification) = row.suppression_reason() {
        r["suppressions"] = json!([{
            "kind": "external",
            "status": "accepted",
            "justification": justification,
        }]);
    }
    r
}

fn rule(id: &str, d: &RuleData<'_>) -> Value {
    let score = d.score.unwrap_or_else(|| mapped_severity(d.severity));
    let mut tags = vec!["security", "vulnerability", "container"];
    tags.extend(d.ecosystems.iter().copied());
    let short = match d.title {
        Some(t) => format!("{id}: {t}"),
        None => id.to_owned(),
    };
    let title = d.title.unwrap_or("no description in the advisory data");
    json!({
        "id": id,
        "shortDescription": {"text": short},
        "fullDescription": {"text": title},
        "helpUri": advisory_url(id, d.links),
        "help": {
            "text": format!("{id}: {title}. See {}", advisory_url(id, d.links)),
            "markdown": format!("**{id}**: {title}\n\n[Advisory]({})", advisory_url(id, d.links)),
        },
        "defaultConfiguration": {"level": if d.severity >= 4 { "error" } else { "warning" }},
        "properties": {
            "security-severity": score_text(score),
            "precision": if d.potential_only { "medium" } else { "high" },
            "tags": tags,
        },
    })
}

pub(crate) fn render(report: &ScanReport) -> Result<Vec<u8>, ReportError> {
    let all: Vec<Row<'_>> = report.images.iter().flat_map(rows).collect();
    let mut rules: BTreeMap<&str, RuleData<'_>> = BTreeMap::new();
    for row in &all {
        let f = row.finding;
        let d = rules.entry(&f.id).or_insert_with(|| RuleData {
            title: None,
            links: &f.links,
            score: None,
            severity: 0,
            ecosystems: Default::default(),
            potential_only: true,
        });
        d.title = d.title.or(f.title.as_deref());
        if d.links.is_empty() {
            d.links = &f.links;
        }
        d.score = match (d.score, best_score(f)) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        d.severity = d.severity.max(f.severity);
        d.ecosystems.insert(f.package.ecosystem.as_str());
        d.potential_only &= f.type_detected == TypeDetected::Potential;
    }
    let index: BTreeMap<&str, usize> = rules.keys().enumerate().map(|(i, k)| (*k, i)).collect();
    let results: Vec<Value> = all
        .iter()
        .map(|row| result(row, index[row.finding.id.as_str()]))
        .collect();
    let doc = json!({
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": report.tool_name,
                "version": report.tool_version,
                "informationUri": INFORMATION_URI,
                "rules": rules.iter().map(|(id, d)| rule(id, d)).collect::<Vec<_>>(),
            }},
            "results": results,
            "properties": {
                "pass": report.pass(),
                "images": report.images.iter().map(image_name).collect::<Vec<_>>(),
            },
        }],
    });
    to_bytes("sarif", &doc)
}
