//! Helpers every scan writer shares: rows of findings with their verdicts,
//! names and keys of images, scores, URLs, stable identities.

use portcullis_match::Finding;
use portcullis_policy::FindingVerdict;
use portcullis_types::Distro;
use serde::Serialize;
use time::{OffsetDateTime, UtcOffset};

use crate::common::TIMESTAMP;
use crate::scan::{ImageResult, ScanReport};
use crate::{ReportError, SbomContext};

/// Pretty JSON ending with a newline.
pub(in crate::scan) fn to_bytes<T: Serialize>(
    format: &'static str,
    doc: &T,
) -> Result<Vec<u8>, ReportError> {
    let mut bytes = serde_json::to_vec_pretty(doc)
        .map_err(|source| ReportError::ScanSerialize { format, source })?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// `2024-05-01T10:30:45Z`.
pub(in crate::scan) fn timestamp(t: OffsetDateTime) -> Result<String, ReportError> {
    Ok(t.to_offset(UtcOffset::UTC).format(TIMESTAMP)?)
}

/// Milliseconds since the epoch, as the CS API writes them (a string).
pub(in crate::scan) fn epoch_ms(t: OffsetDateTime) -> String {
    (t.unix_timestamp_nanos() / 1_000_000).to_string()
}

/// An RFC 3339 string (image `created`) as epoch milliseconds.
pub(in crate::scan) fn rfc3339_epoch_ms(s: &str) -> Option<String> {
    OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
        .ok()
        .map(epoch_ms)
}

/// The SBOM context the scan writers hand to the SBOM builders.
pub(in crate::scan) fn sbom_context(report: &ScanReport) -> SbomContext {
    SbomContext::new(
        report.tool_name.clone(),
        report.tool_version.clone(),
        report.generated_at,
    )
}

/// One finding with its verdict and its image.
pub(in crate::scan) struct Row<'a> {
    pub(in crate::scan) image: &'a ImageResult,
    pub(in crate::scan) finding: &'a Finding,
    pub(in crate::scan) verdict: Option<&'a FindingVerdict>,
}

impl Row<'_> {
    /// `blocking`, `counted`, `excluded`, `ignored`; `unevaluated` when the
    /// evaluation gave no verdict for it (an evaluation error).
    pub(in crate::scan) fn verdict_name(&self) -> &'static str {
        self.verdict.map_or("unevaluated", FindingVerdict::name)
    }

    /// Whether the finding comes from a base-image layer.
    pub(in crate::scan) fn in_base_image(&self) -> bool {
        self.finding
            .layer
            .as_ref()
            .is_some_and(|l| self.image.base_layers.contains(l))
    }

    /// The reason an excluded/ignored finding does not count.
    pub(in crate::scan) fn suppression_reason(&self) -> Option<String> {
        match self.verdict? {
            FindingVerdict::Excluded { reason } => Some(reason.clone()),
            FindingVerdict::Ignored {
                reason,
                owner,
                until,
            } => {
                let mut text = reason.clone();
                if let Some(o) = owner {
                    text.push_str(&format!(" (owner {o})"));
                }
                if let Some(u) = until {
                    text.push_str(&format!(" (until {u})"));
                }
                Some(text)
            }
            _ => None,
        }
    }
}

/// The findings of one image, each with its verdict, in report order
/// (sorted by `Finding::sort_key`, ties kept stable).
pub(in crate::scan) fn rows(image: &ImageResult) -> Vec<Row<'_>> {
    let mut rows: Vec<Row<'_>> = image
        .findings
        .iter()
        .enumerate()
        .map(|(i, finding)| Row {
            image,
            finding,
            verdict: image.evaluation.verdicts.get(i),
        })
        .collect();
    rows.sort_by(|a, b| a.finding.sort_key().cmp(&b.finding.sort_key()));
    rows
}

/// The name people know an image by: what they typed, else a tag, else
/// its ID.
pub(in crate::scan) fn image_name(image: &ImageResult) -> String {
    let meta = &image.inventory.image;
    image
        .references
        .first()
        .cloned()
        .or_else(|| meta.repo_tags.first().cloned())
        .or_else(|| Some(meta.reference.clone()).filter(|r| !r.is_empty()))
        .or_else(|| Some(meta.image_id.clone()).filter(|i| !i.is_empty()))
        .unwrap_or_else(|| "image".to_owned())
}

/// The key the vendor reports use for an image: its 12-hex ID, or the
/// reference when the image could not be read.
pub(in crate::scan) fn image_key(image: &ImageResult) -> String {
    Some(image.image_id().to_owned())
        .filter(|i| !i.is_empty())
        .unwrap_or_else(|| image_name(image))
}

/// The highest CVSS base score of a finding (v3 before v2 on ties).
pub(in crate::scan) fn best_score(f: &Finding) -> Option<f64> {
    match (f.cvss_v3.as_ref(), f.cvss_v2.as_ref()) {
        (Some(a), Some(b)) => Some(a.score.max(b.score)),
        (Some(a), None) | (None, Some(a)) => Some(a.score),
        (None, None) => None,
    }
}

/// A CVSS score with one decimal, as every format writes it.
pub(in crate::scan) fn score_text(score: f64) -> String {
    format!("{score:.1}")
}

/// A distro as the vendor names it (`Debian GNU/Linux 12 (bookworm)`).
pub(in crate::scan) fn os_name(distro: Option<&Distro>) -> Option<String> {
    let d = distro?;
    d.pretty_name.clone().or_else(|| {
        Some(match &d.version_id {
            Some(v) => format!("{} {v}", d.id),
            None => d.id.clone(),
        })
    })
}

/// A web page for a vulnerability id: the first advisory link when there
/// is a usable one, else the canonical page of the id's database.
pub(in crate::scan) fn advisory_url(id: &str, links: &[String]) -> String {
    match web_links(links).next() {
        Some(l) => l.to_owned(),
        None => id_url(id),
    }
}

/// The links that are plain `http(s)` URLs every format's URI checks
/// accept: advisory data is untrusted input, and a `javascript:` link or
/// one with spaces must not reach a report that tools render.
pub(in crate::scan) fn web_links(links: &[String]) -> impl Iterator<Item = &str> {
    links.iter().map(String::as_str).filter(|l| {
        let rest = l
            .strip_prefix("https://")
            .or_else(|| l.strip_prefix("http://"));
        rest.is_some_and(|r| {
            !r.is_empty()
                && !r.starts_with('/')
                && r.bytes().all(|b| {
                    b.is_ascii_graphic()
                        && !matches!(
                            b,
                            b'"' | b'<' | b'>' | b'\\' | b'^' | b'`' | b'{' | b'|' | b'}'
                        )
                })
        })
    })
}

/// The canonical page of a vulnerability id (the id percent-encoded).
pub(in crate::scan) fn id_url(id: &str) -> String {
    let mut encoded = String::with_capacity(id.len());
    for b in id.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            encoded.push(char::from(b));
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    if id.starts_with("CVE-") {
        format!("https://nvd.nist.gov/vuln/detail/{encoded}")
    } else if id.starts_with("GHSA-") {
        format!("https://github.com/advisories/{encoded}")
    } else {
        format!("https://osv.dev/vulnerability/{encoded}")
    }
}

/// The inventory to describe an image by: one that could not be scanned
/// has an empty inventory, which is then named by the reference the user
/// gave instead of a generic `image`.
pub(in crate::scan) fn named_inventory(
    img: &ImageResult,
) -> std::borrow::Cow<'_, portcullis_types::Inventory> {
    if img.inventory.image.reference.is_empty() && img.inventory.image.repo_tags.is_empty() {
        let mut inv = img.inventory.clone();
        inv.image.reference = image_name(img);
        std::borrow::Cow::Owned(inv)
    } else {
        std::borrow::Cow::Borrowed(&img.inventory)
    }
}

/// SHA-256 over NUL-separated parts, in hex: stable identities.
pub(in crate::scan) fn fingerprint(parts: &[&str]) -> String {
    use sha2::{Digest as _, Sha256};
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update([0]);
    }
    hex::encode(h.finalize())
}

/// A UUID v5 over NUL-separated parts, in this crate's scan name space.
pub(in crate::scan) fn stable_uuid(parts: &[&str]) -> uuid::Uuid {
    let namespace = uuid::Uuid::new_v5(
        &uuid::Uuid::NAMESPACE_URL,
        b"https://example.invalid/portcullis/scan",
    );
    uuid::Uuid::new_v5(&namespace, fingerprint(parts).as_bytes())
}

/// The identity of a finding in one image, across runs: the finding key
/// (id, ecosystem, package name) and the image's name.
pub(in crate::scan) fn finding_identity(row: &Row<'_>) -> String {
    fingerprint(&[
        &portcullis_policy::finding_key(row.finding),
        &image_name(row.image),
    ])
}

/// GitLab's and CycloneDX's words for a 1-5 severity.
pub(in crate::scan) fn severity_word(f: &Finding) -> &'static str {
    if f.severity_source == "unknown" {
        return "Unknown";
    }
    match f.severity {
        5 => "Critical",
        4 => "High",
        3 => "Medium",
        2 => "Low",
        1 => "Info",
        _ => "Unknown",
    }
}

/// `CONFIRMED` or `POTENTIAL`, as every format spells it.
pub(in crate::scan) fn type_word(t: portcullis_match::TypeDetected) -> &'static str {
    match t {
        portcullis_match::TypeDetected::Confirmed => "CONFIRMED",
        portcullis_match::TypeDetected::Potential => "POTENTIAL",
    }
}
