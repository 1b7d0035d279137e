//! aquasecurity/vuln-list-debian records: `tracker/CVE/YYYY/CVE-*.json` and
//! `tracker/DSA/DSA-*.json`, the tracker's `data/CVE/list` and `data/DSA/list`
//! entries parsed into `Header{ID, Description}` and `Annotations[]`.
//!
//! One record becomes one advisory with the record's own id (source
//! `vuln-list-debian`); ids named in `xref` annotations (the CVEs of a DSA,
//! the DSAs of a CVE) become aliases. A DSA record is deliberately *not*
//! expanded per CVE as the text lists are: within this one source the CVE
//! record of the same id exists too, and `(source, id)` must stay unique or
//! one would replace the other in the DB. Alias merging in the matcher
//! makes the two one finding.
//!
//! A package annotation without `Release` speaks of sid (`debian:unstable`).
//! Records with no package annotation at all (`NOT-FOR-US`, `RESERVED`,
//! `REJECTED`) concern no Debian package and yield nothing.

use serde::de::IgnoredAny;
use serde::Deserialize;
use serde_json::Value;

use super::common::{tag, text, Collector, Tag, Verdict};
use super::Parsed;
use crate::Severity;

const SOURCE: &str = "vuln-list-debian";

#[derive(Deserialize)]
struct Record {
    #[serde(rename = "Header")]
    header: Header,
    /// Read entry by entry so that one odd annotation costs only itself.
    #[serde(rename = "Annotations", default)]
    annotations: Option<Vec<Value>>,
}

#[derive(Deserialize)]
struct Header {
    #[serde(rename = "ID")]
    id: String,
    #[serde(rename = "Description", default)]
    description: Option<String>,
}

#[derive(Deserialize)]
struct Annotation {
    #[serde(rename = "Type", default)]
    kind_of_line: Option<String>,
    #[serde(rename = "Release", default)]
    release: Option<String>,
    #[serde(rename = "Package", default)]
    package: Option<String>,
    #[serde(rename = "Kind", default)]
    kind: Option<String>,
    #[serde(rename = "Version", default)]
    version: Option<String>,
    #[serde(rename = "Severity", default)]
    severity: Option<String>,
    #[serde(rename = "Bugs", default)]
    bugs: Option<Vec<String>>,
}

/// Parses one record.
pub(super) fn parse(bytes: &[u8], origin: &str) -> Result<Parsed, String> {
    let record: Record =
        serde_json::from_slice(bytes).map_err(|e| format!("not a vuln-list-debian record: {e}"))?;
    let id = record.header.id.trim();
    if id.is_empty() {
        return Err("not a vuln-list-debian record: empty Header.ID".to_owned());
    }
    let mut warnings = Vec::new();
    let mut aliases = Vec::new();
    let mut affected = Vec::new();
    for (index, value) in record
        .annotations
        .unwrap_or_default()
        .into_iter()
        .enumerate()
    {
        let annotation: Annotation = match serde_json::from_value(value) {
            Ok(a) => a,
            Err(e) => {
                warnings.push(format!("Annotations[{index}]: {e}; skipped"));
                continue;
            }
        };
        match annotation.kind_of_line.as_deref().map(str::trim) {
            Some("xref") => aliases.extend(
                annotation
                    .bugs
                    .unwrap_or_default()
                    .into_iter()
                    .map(|b| b.trim().to_owned())
                    .filter(|b| !b.is_empty()),
            ),
            Some("package") => match package(&annotation) {
                Ok(Some(entry)) => affected.push(entry),
                Ok(None) => {}
                Err(problem) => warnings.push(format!("Annotations[{index}]: {problem}; skipped")),
            },
            _ => {}
        }
    }
    if affected.is_empty() {
        return Ok(Parsed {
            items: Vec::new(),
            warnings,
        });
    }
    let mut collector = Collector::new(origin);
    let advisory = collector.entry(SOURCE, id);
    advisory.summary = text(record.header.description.as_deref().map(unwrap_title));
    advisory.aliases = aliases;
    advisory.affected = affected;
    Ok(Parsed {
        items: collector.finish(),
        warnings,
    })
}

/// One `package` annotation; `Ok(None)` for `removed`/`itp`.
fn package(annotation: &Annotation) -> Result<Option<crate::Affected>, String> {
    let package = text(annotation.package.as_deref()).ok_or("no Package")?;
    // vuln-list leaves Release empty for sid's line `- pkg …`.
    let release = text(annotation.release.as_deref()).unwrap_or_else(|| "sid".to_owned());
    let rating = annotation.severity.as_deref();
    let severity = rating.and_then(Severity::from_word);
    let kind = annotation.kind.as_deref().map(str::trim).unwrap_or("");
    let verdict = if kind == "fixed" {
        Verdict::fixed_at(annotation.version.as_deref(), severity)
    } else {
        match tag(kind, rating) {
            Some(Tag::Status(status)) => Verdict::status(status, severity),
            Some(Tag::Skip) => return Ok(None),
            None => return Err(format!("unknown Kind {kind:?}")),
        }
    };
    Ok(Some(verdict.into_affected(&release, &package)))
}

/// The tracker writes a CVE's title as `(NVD text …)` or `[own title]`.
fn unwrap_title(description: &str) -> &str {
    let d = description.trim();
    d.strip_prefix('(')
        .and_then(|d| d.strip_suffix(')'))
        .or_else(|| d.strip_prefix('[').and_then(|d| d.strip_suffix(']')))
        .unwrap_or(d)
}

/// `distributions.json` carries no advisories; it is only checked to be the
/// object of codenames it should be. The codename → release table lives in
/// [`crate::debian_release_for_codename`].
pub(super) fn parse_distributions(bytes: &[u8]) -> Result<Parsed, String> {
    serde_json::from_slice::<std::collections::BTreeMap<String, IgnoredAny>>(bytes)
        .map_err(|e| format!("not a vuln-list-debian distributions.json: {e}"))?;
    Ok(Parsed::default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_lose_their_brackets() {
        assert_eq!(unwrap_title("(MiniZip in zlib ...)"), "MiniZip in zlib ...");
        assert_eq!(unwrap_title(" [buffer overflow] "), "buffer overflow");
        assert_eq!(
            unwrap_title("glibc - security update"),
            "glibc - security update"
        );
    }

    #[test]
    fn odd_annotations_cost_only_themselves() {
        let record = br#"{"Header": {"ID": "CVE-1"}, "Annotations": [
            {"Type": "package", "Package": "a", "Kind": "fixed", "Version": 5},
            {"Type": "package", "Package": "b", "Kind": "frobbed"},
            {"Type": "package", "Kind": "fixed"},
            {"Type": "package", "Package": "c", "Kind": "unfixed"},
            7
        ]}"#;
        let parsed = parse(record, "t").expect("record");
        assert_eq!(parsed.items.len(), 1);
        assert_eq!(parsed.warnings.len(), 4, "{:?}", parsed.warnings);
        for bad in [&b"{}"[..], b"[]", b"{\"Header\": {\"ID\": \" \"}}", b"nope"] {
            assert!(parse(bad, "t").is_err());
        }
        assert!(parse_distributions(b"[1]").is_err());
        assert!(parse_distributions(b"{}").expect("object").items.is_empty());
    }
}
