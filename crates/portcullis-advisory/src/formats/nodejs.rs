//! The Node.js security working group's `vuln/` tree.
//!
//! - `vuln/npm/N.json` → id `NSWG-ECO-N`, namespace `npm`, package
//!   `module_name`.
//! - `vuln/core/N.json` → id `NSWG-COR-N` (the ids the security-wg README
//!   defines), namespace `nodejs-core`, package `node`. That namespace is
//!   never an installed package's, so a Debian-packaged nodejs (matched in
//!   `debian:*` only) can never meet these records (SPEC §4).
//! - `vuln/deps/` (CVEs in bundled dependencies, each judged *not* to
//!   affect Node.js) and the `index.json` files (copies of the per-file
//!   records) are not imported: the walker recognises and ignores them.
//!
//! Version ranges are node-semver expressions and are kept verbatim as
//! [`RangeKind::NpmRange`](crate::RangeKind::NpmRange) ranges
//! (`vulnerable_versions`/`vulnerable` and, when given,
//! `patched_versions`/`patched`), because node-semver's rules do not
//! convert exactly to OSV events.
//!
//! The CVSS score is computed from `cvss_vector`, not taken from
//! `cvss_score`: 22 npm records state a score their own vector does not give
//! (e.g. 516: `…/C:L/I:L/A:L` is 6.3, the record says 7.4), and the vector is
//! the detailed claim. Core records write the vector without its `CVSS:`
//! prefix (`3.0/AV:N/…`); it is restored.

use serde::Deserialize;

use super::common::{self, Scalar, Syntax};
use super::Parsed;
use crate::{cvss, Advisory, Affected, ImportItem, Namespace, Range, Reference, Severity};

/// The `source` of every security-wg record.
pub(crate) const SOURCE: &str = "nodejs-security-wg";

#[derive(Deserialize)]
struct NpmRecord {
    #[serde(default)]
    id: Scalar,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    overview: Option<String>,
    #[serde(default)]
    recommendation: Option<String>,
    #[serde(default)]
    created_at: Option<String>,
    #[serde(default)]
    updated_at: Option<String>,
    module_name: String,
    #[serde(default)]
    cves: Option<Vec<String>>,
    #[serde(default)]
    vulnerable_versions: Option<String>,
    #[serde(default)]
    patched_versions: Option<String>,
    #[serde(default)]
    references: Option<Vec<String>>,
    #[serde(default)]
    cvss_vector: Option<String>,
}

#[derive(Deserialize)]
struct CoreRecord {
    #[serde(default)]
    cve: Option<Vec<String>>,
    #[serde(default, rename = "ref")]
    reference: Option<String>,
    vulnerable: String,
    #[serde(default)]
    patched: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    overview: Option<String>,
    #[serde(default)]
    severity: Option<String>,
    #[serde(default)]
    cvss: Option<String>,
    #[serde(default)]
    publish_date: Option<String>,
}

/// Parses a `vuln/npm/N.json` record.
pub(crate) fn parse_npm(bytes: &[u8], origin: &str) -> Result<Parsed, String> {
    let r: NpmRecord = common::decode(Syntax::Json, bytes)?;
    let number =
        r.id.0
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .or_else(|| file_stem(origin))
            .ok_or("no `id`")?;
    let id = format!("NSWG-ECO-{number}");
    let package =
        Namespace::ecosystem(portcullis_types::Ecosystem::Npm).normalize_package(&r.module_name);
    if package.is_empty() {
        return Err("empty `module_name`".into());
    }
    let details = match (r.overview, r.recommendation.and_then(non_empty)) {
        (Some(o), Some(rec)) => Some(format!("{}\n\nRecommendation: {rec}", o.trim_end())),
        (o, _) => o,
    };
    let advisory = Advisory {
        aliases: common::aliases(&id, r.cves.unwrap_or_default()),
        summary: common::text(r.title),
        details: common::text(details),
        published: common::rfc3339(r.created_at),
        modified: common::rfc3339(r.updated_at),
        withdrawn: None,
        references: web_links(r.references.unwrap_or_default()),
        cvss: r
            .cvss_vector
            .and_then(|v| cvss::parse(&v).ok())
            .into_iter()
            .collect(),
        vendor_severity: None,
        affected: vec![Affected {
            namespace: Namespace::ecosystem(portcullis_types::Ecosystem::Npm),
            package,
            ranges: npm_range(r.vulnerable_versions, r.patched_versions),
            versions: Vec::new(),
            status: None,
            severity: None,
        }],
        origin: origin.to_owned(),
        source: SOURCE.into(),
        id,
    };
    Ok(single(advisory))
}

/// Parses a `vuln/core/N.json` record.
pub(crate) fn parse_core(bytes: &[u8], origin: &str) -> Result<Parsed, String> {
    let r: CoreRecord = common::decode(Syntax::Json, bytes)?;
    let number = file_stem(origin).ok_or("cannot tell the record number from the file name")?;
    let id = format!("NSWG-COR-{number}");
    let vector = r.cvss.map(|v| {
        let v = v.trim();
        if v.starts_with("3.") {
            format!("CVSS:{v}")
        } else {
            v.to_owned()
        }
    });
    // Newer records have a one-line `description` and a long `overview`;
    // older ones only the overview.
    let (summary, details) = match (r.description.and_then(non_empty), r.overview) {
        (Some(d), o) => (Some(d), o),
        (None, Some(o)) => (o.lines().next().map(str::to_owned), Some(o)),
        (None, None) => (None, None),
    };
    let advisory = Advisory {
        aliases: common::aliases(&id, r.cve.unwrap_or_default()),
        summary: common::text(summary),
        details: common::text(details),
        published: common::rfc3339(r.publish_date),
        modified: None,
        withdrawn: None,
        references: web_links(r.reference),
        cvss: vector
            .and_then(|v| cvss::parse(&v).ok())
            .into_iter()
            .collect(),
        vendor_severity: r.severity.and_then(|w| Severity::from_word(&w)),
        affected: vec![Affected {
            namespace: Namespace::other("nodejs-core"),
            package: "node".into(),
            ranges: npm_range(Some(r.vulnerable), r.patched),
            versions: Vec::new(),
            status: None,
            severity: None,
        }],
        origin: origin.to_owned(),
        source: SOURCE.into(),
        id,
    };
    Ok(single(advisory))
}

fn single(advisory: Advisory) -> Parsed {
    Parsed {
        items: vec![ImportItem::Advisory(advisory)],
        skipped: Vec::new(),
    }
}

fn non_empty(s: String) -> Option<String> {
    (!s.trim().is_empty()).then_some(s)
}

/// The ranges of one package: none when the record names no vulnerable
/// range (the matcher then reports it as POTENTIAL).
fn npm_range(vulnerable: Option<String>, patched: Option<String>) -> Vec<Range> {
    let Some(vulnerable) = vulnerable.and_then(non_empty) else {
        return Vec::new();
    };
    let patched = patched.and_then(non_empty);
    vec![Range::npm(
        vulnerable.trim(),
        patched.as_deref().map(str::trim),
    )]
}

fn web_links(urls: impl IntoIterator<Item = String>) -> Vec<Reference> {
    urls.into_iter()
        .map(|u| u.trim().to_owned())
        .filter(|u| !u.is_empty())
        .map(|url| Reference {
            kind: "WEB".into(),
            url,
        })
        .collect()
}

/// `…/vuln/core/12.json` → `12` (also after a zip's `!`).
fn file_stem(origin: &str) -> Option<String> {
    let name = origin.rsplit(['/', '\\', '!']).next()?;
    let stem = name.strip_suffix(".json").unwrap_or(name).trim();
    (!stem.is_empty()).then(|| stem.to_owned())
}

#[cfg(test)]
mod tests {
    use super::file_stem;

    #[test]
    fn stems() {
        assert_eq!(file_stem("a/vuln/core/12.json").as_deref(), Some("12"));
        assert_eq!(file_stem("x.zip!vuln/core/7.json").as_deref(), Some("7"));
        assert_eq!(file_stem("5.json").as_deref(), Some("5"));
    }
}
