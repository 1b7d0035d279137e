//! OSV (JSON or YAML): the pypa, Go and GitHub advisory databases, and the
//! per-ecosystem OSV exports.
//!
//! Mapping notes:
//! - `withdrawn` is kept; the matcher ignores withdrawn records.
//! - `severity[]` entries of type `CVSS_V3`/`CVSS_V2` are scored with
//!   [`crate::cvss::parse`]; a vector we cannot parse is dropped (the record
//!   stays). `CVSS_V4` and unknown types are ignored. A per-package
//!   `affected[].severity` fills a version the record-level list lacks.
//! - GHSA's `database_specific.severity` becomes `vendor_severity`.
//! - Debian's OSV export carries the tracker's urgency in
//!   `affected[].ecosystem_specific.urgency` (or `database_specific`); it
//!   becomes the affected entry's severity, as the tracker's would.
//! - Other `ecosystem_specific`/`database_specific` content (Go symbols,
//!   CWE ids…) is not needed for matching and is not read.
//! - An affected entry with no package or an empty ecosystem is dropped:
//!   there is nothing an installed package could be matched against.
//!   Range types other than ECOSYSTEM/SEMVER/GIT are dropped likewise.

use serde::Deserialize;

use super::common::{self, LooseStr, Raw, Syntax};
use super::Parsed;
use crate::{
    cvss, Advisory, Affected, Cvss, Event, ImportItem, Namespace, Range, RangeKind, Reference,
    Severity,
};

/// The `source` of every OSV record.
pub(crate) const SOURCE: &str = "osv";

#[derive(Deserialize)]
struct Record {
    id: String,
    #[serde(default)]
    modified: Option<String>,
    #[serde(default)]
    published: Option<String>,
    #[serde(default)]
    withdrawn: Option<String>,
    #[serde(default)]
    aliases: Option<Vec<String>>,
    #[serde(default)]
    summary: Option<String>,
    #[serde(default)]
    details: Option<String>,
    #[serde(default)]
    severity: Option<Vec<SeverityEntry>>,
    #[serde(default)]
    affected: Option<Vec<AffectedEntry>>,
    #[serde(default)]
    references: Option<Vec<ReferenceEntry>>,
    #[serde(default)]
    database_specific: Option<Specific>,
}

#[derive(Deserialize)]
struct SeverityEntry {
    #[serde(rename = "type", default)]
    kind: LooseStr,
    #[serde(default)]
    score: LooseStr,
}

#[derive(Deserialize)]
struct AffectedEntry {
    #[serde(default)]
    package: Option<Package>,
    #[serde(default)]
    severity: Option<Vec<SeverityEntry>>,
    #[serde(default)]
    ranges: Option<Vec<RangeEntry>>,
    #[serde(default)]
    versions: Option<Vec<String>>,
    #[serde(default)]
    ecosystem_specific: Option<Specific>,
    #[serde(default)]
    database_specific: Option<Specific>,
}

#[derive(Deserialize)]
struct Package {
    #[serde(default)]
    ecosystem: String,
    #[serde(default)]
    name: String,
}

#[derive(Deserialize)]
struct RangeEntry {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    events: Vec<EventEntry>,
}

// Versions are typed `String` on purpose: YAML then hands over the text as
// written (`1.10` stays `1.10`), where a looser type would let it become the
// float 1.1. JSON numbers are refused, as OSV requires strings.
#[derive(Deserialize)]
struct EventEntry {
    #[serde(default)]
    introduced: Option<String>,
    #[serde(default)]
    fixed: Option<String>,
    #[serde(default)]
    last_affected: Option<String>,
    #[serde(default)]
    limit: Option<String>,
}

/// The parts of the free-form objects we read; everything else is skipped.
#[derive(Deserialize, Default)]
struct Specific {
    #[serde(default)]
    severity: LooseStr,
    #[serde(default)]
    urgency: LooseStr,
}

#[derive(Deserialize)]
struct ReferenceEntry {
    #[serde(rename = "type", default)]
    kind: Option<String>,
    #[serde(default)]
    url: Option<String>,
}

/// Parses a file holding one OSV record.
pub(crate) fn parse(syntax: Syntax, bytes: &[u8], origin: &str) -> Result<Parsed, String> {
    let record: Record = common::decode(syntax, bytes)?;
    let advisory = convert(record, origin)?;
    Ok(Parsed {
        items: vec![ImportItem::Advisory(advisory)],
        skipped: Vec::new(),
    })
}

/// Parses a file holding a list of OSV records (a JSON array, as some
/// exports and API dumps write them); a bad record skips only itself.
pub(crate) fn parse_list(syntax: Syntax, bytes: &[u8], origin: &str) -> Result<Parsed, String> {
    let raws: Vec<Raw> = match syntax {
        Syntax::Json => common::decode::<Vec<serde_json::Value>>(syntax, bytes)?
            .into_iter()
            .map(Raw::Json)
            .collect(),
        Syntax::Yaml => common::decode::<Vec<serde_yaml_ng::Value>>(syntax, bytes)?
            .into_iter()
            .map(Raw::Yaml)
            .collect(),
    };
    let mut parsed = Parsed::default();
    for (i, raw) in raws.into_iter().enumerate() {
        let result = raw
            .decode::<Record>()
            .and_then(|r| convert(r, origin))
            .map(ImportItem::Advisory);
        parsed.push(|| format!("record {i}"), result);
    }
    Ok(parsed)
}

fn convert(r: Record, origin: &str) -> Result<Advisory, String> {
    let id = r.id.trim().to_owned();
    if id.is_empty() {
        return Err("empty `id`".into());
    }
    let mut cvss = Vec::new();
    add_scores(&mut cvss, r.severity.as_deref().unwrap_or_default());
    let mut affected = Vec::new();
    for a in r.affected.unwrap_or_default() {
        add_scores(&mut cvss, a.severity.as_deref().unwrap_or_default());
        if let Some(entry) = convert_affected(a) {
            affected.push(entry);
        }
    }
    let references = r
        .references
        .unwrap_or_default()
        .into_iter()
        .filter_map(|x| {
            let url = x.url?.trim().to_owned();
            (!url.is_empty()).then(|| Reference {
                kind: x
                    .kind
                    .map(|k| k.trim().to_owned())
                    .filter(|k| !k.is_empty())
                    .unwrap_or_else(|| "WEB".into()),
                url,
            })
        })
        .collect();
    let vendor_severity = r
        .database_specific
        .and_then(|d| d.severity.0)
        .and_then(|w| Severity::from_word(&w));
    Ok(Advisory {
        aliases: common::aliases(&id, r.aliases.unwrap_or_default()),
        id,
        source: SOURCE.into(),
        summary: common::text(r.summary),
        details: common::text(r.details),
        published: common::rfc3339(r.published),
        modified: common::rfc3339(r.modified),
        withdrawn: common::rfc3339(r.withdrawn),
        references,
        cvss,
        vendor_severity,
        affected,
        origin: origin.to_owned(),
    })
}

/// Adds the scorable vectors of `entries`, at most one per CVSS version
/// (the first wins: OSV lists the preferred one first).
fn add_scores(out: &mut Vec<Cvss>, entries: &[SeverityEntry]) {
    for e in entries {
        let (Some(kind), Some(score)) = (&e.kind.0, &e.score.0) else {
            continue;
        };
        if kind != "CVSS_V3" && kind != "CVSS_V2" {
            continue;
        }
        if let Ok(c) = cvss::parse(score) {
            if !out.iter().any(|have| have.version == c.version) {
                out.push(c);
            }
        }
    }
}

fn convert_affected(a: AffectedEntry) -> Option<Affected> {
    let package = a.package?;
    let namespace = Namespace::from_osv(&package.ecosystem)?;
    let name = namespace.normalize_package(&package.name);
    if name.is_empty() {
        return None;
    }
    let ranges = a
        .ranges
        .unwrap_or_default()
        .into_iter()
        .filter_map(convert_range)
        .collect();
    let versions = a
        .versions
        .unwrap_or_default()
        .into_iter()
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
        .collect();
    // Only Debian's export carries the tracker urgency; elsewhere a field of
    // that name would mean something we do not know.
    let severity = if namespace.distro_id() == Some("debian") {
        [a.ecosystem_specific, a.database_specific]
            .into_iter()
            .flatten()
            .find_map(|s| s.urgency.0)
            .and_then(|w| Severity::from_word(&w))
    } else {
        None
    };
    Some(Affected {
        namespace,
        package: name,
        ranges,
        versions,
        status: None,
        severity,
    })
}

fn convert_range(r: RangeEntry) -> Option<Range> {
    let kind = match r.kind.trim() {
        "ECOSYSTEM" => RangeKind::Ecosystem,
        "SEMVER" => RangeKind::Semver,
        "GIT" => RangeKind::Git,
        _ => return None,
    };
    let mut events = Vec::new();
    for e in r.events {
        let pairs = [
            (e.introduced, Event::Introduced as fn(String) -> Event),
            (e.fixed, Event::Fixed),
            (e.last_affected, Event::LastAffected),
            (e.limit, Event::Limit),
        ];
        for (value, make) in pairs {
            if let Some(v) = value {
                let v = v.trim();
                if !v.is_empty() {
                    events.push(make(v.to_owned()));
                }
            }
        }
    }
    (!events.is_empty()).then_some(Range { kind, events })
}
