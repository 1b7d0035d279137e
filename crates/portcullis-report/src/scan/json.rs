//! The native scan report (`portcullis scan -o json`, SPEC §13), and the
//! helpers every scan writer shares.
//!
//! Layout (every key is always present; absent values are `null`):
//!
//! * `schema_version`, `tool {name, version}`, `generated_at` (RFC 3339 UTC),
//!   `backend`, `db {built_at, sources[{name, imported_at}]}` (null for
//!   platform backends), `pass`, `verdict` (`pass`|`fail`), `ci`, `policy`;
//! * `images[]`, in the order the user named them: `references[]`,
//!   `image_id`, `image` (the image metadata), `distro`, `base_layers[]`,
//!   `evaluation` (per condition configured / found / result, `counts`,
//!   `reasons`, `errors`, `warnings`), `findings[]`, `not_matched[]`,
//!   `packages[]`, `error`.
//!
//! Each finding carries `id`, `qid`, `aliases[]`, `package {ecosystem,
//! name, version, source_name, source_version, purl, locations}`,
//! `fixed_version`, `status`, `severity` (1-5), `severity_source`, `cvss
//! {v2, v3}` (each `{score, vector}` or null), `type_detected`,
//! `patch_available`, `layer`, `in_base_image`, `title`, `links`,
//! `evidence`, `verdict` (`blocking`|`counted`|`excluded`|`ignored`) and
//! `verdict_detail {reason, owner, until, conditions}`.
//!
//! **Baseline contract** (`--baseline REPORT.json`): the baseline reader
//! uses only `images[].findings[].id`, `.package.ecosystem` and
//! `.package.name` (the parts of `portcullis_policy::finding_key`); those
//! three keys keep their names and meaning in every later version.

use std::collections::BTreeMap;

use portcullis_match::{Finding, NotMatched};
use portcullis_policy::{
    Counts, CvssCondition, FindingVerdict, FreshnessCondition, ListCondition, Policy,
    RiskCondition, SeverityCondition,
};
use portcullis_types::{Distro, ImageMetadata, Package};
use serde::Serialize;
use time::{OffsetDateTime, UtcOffset};

use super::{CiMetadata, ImageResult, ScanReport};
use crate::common::{Prepared, TIMESTAMP};
use crate::{ReportError, SbomContext};

/// Version of this document's layout.
const SCHEMA_VERSION: u32 = 1;

// ---------------------------------------------------------------------------
// Shared helpers
// ---------------------------------------------------------------------------

/// Pretty JSON ending with a newline.
pub(super) fn to_bytes<T: Serialize>(
    format: &'static str,
    doc: &T,
) -> Result<Vec<u8>, ReportError> {
    let mut bytes = serde_json::to_vec_pretty(doc)
        .map_err(|source| ReportError::ScanSerialize { format, source })?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// `2024-05-01T10:30:45Z`.
pub(super) fn timestamp(t: OffsetDateTime) -> Result<String, ReportError> {
    Ok(t.to_offset(UtcOffset::UTC).format(TIMESTAMP)?)
}

/// Milliseconds since the epoch, as the CS API writes them (a string).
pub(super) fn epoch_ms(t: OffsetDateTime) -> String {
    (t.unix_timestamp_nanos() / 1_000_000).to_string()
}

/// An RFC 3339 string (image `created`) as epoch milliseconds.
pub(super) fn rfc3339_epoch_ms(s: &str) -> Option<String> {
    OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
        .ok()
        .map(epoch_ms)
}

/// The SBOM context the scan writers hand to the SBOM builders.
pub(super) fn sbom_context(report: &ScanReport) -> SbomContext {
    SbomContext::new(
        report.tool_name.clone(),
        report.tool_version.clone(),
        report.generated_at,
    )
}

/// One finding with its verdict and its image.
pub(super) struct Row<'a> {
    pub(super) image: &'a ImageResult,
    pub(super) finding: &'a Finding,
    pub(super) verdict: Option<&'a FindingVerdict>,
}

impl Row<'_> {
    /// `blocking`, `counted`, `excluded`, `ignored`; `unevaluated` when the
    /// evaluation gave no verdict for it (an evaluation error).
    pub(super) fn verdict_name(&self) -> &'static str {
        self.verdict.map_or("unevaluated", FindingVerdict::name)
    }

    /// Whether the finding comes from a base-image layer.
    pub(super) fn in_base_image(&self) -> bool {
        self.finding
            .layer
            .as_ref()
            .is_some_and(|l| self.image.base_layers.contains(l))
    }

    /// The reason an excluded/ignored finding does not count.
    pub(super) fn suppression_reason(&self) -> Option<String> {
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
pub(super) fn rows(image: &ImageResult) -> Vec<Row<'_>> {
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
pub(super) fn image_name(image: &ImageResult) -> String {
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
pub(super) fn image_key(image: &ImageResult) -> String {
    Some(image.image_id().to_owned())
        .filter(|i| !i.is_empty())
        .unwrap_or_else(|| image_name(image))
}

/// The highest CVSS base score of a finding (v3 before v2 on ties).
pub(super) fn best_score(f: &Finding) -> Option<f64> {
    match (f.cvss_v3.as_ref(), f.cvss_v2.as_ref()) {
        (Some(a), Some(b)) => Some(a.score.max(b.score)),
        (Some(a), None) | (None, Some(a)) => Some(a.score),
        (None, None) => None,
    }
}

/// A CVSS score with one decimal, as every format writes it.
pub(super) fn score_text(score: f64) -> String {
    format!("{score:.1}")
}

/// A distro as the vendor names it (`Debian GNU/Linux 12 (bookworm)`).
pub(super) fn os_name(distro: Option<&Distro>) -> Option<String> {
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
pub(super) fn advisory_url(id: &str, links: &[String]) -> String {
    match web_links(links).next() {
        Some(l) => l.to_owned(),
        None => id_url(id),
    }
}

/// The links that are plain `http(s)` URLs every format's URI checks
/// accept: advisory data is untrusted input, and a `javascript:` link or
/// one with spaces must not reach a report that tools render.
pub(super) fn web_links(links: &[String]) -> impl Iterator<Item = &str> {
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
pub(super) fn id_url(id: &str) -> String {
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
pub(super) fn named_inventory(
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

// ---------------------------------------------------------------------------
// The native document
// ---------------------------------------------------------------------------

#[derive(Serialize)]
struct Document<'a> {
    schema_version: u32,
    tool: Tool<'a>,
    generated_at: String,
    backend: &'a str,
    db: Option<Db<'a>>,
    pass: bool,
    verdict: &'static str,
    ci: Ci<'a>,
    policy: &'a Policy,
    images: Vec<Image<'a>>,
}

#[derive(Serialize)]
struct Tool<'a> {
    name: &'a str,
    version: &'a str,
}

#[derive(Serialize)]
struct Db<'a> {
    built_at: &'a str,
    sources: Vec<DbSource<'a>>,
}

#[derive(Serialize)]
struct DbSource<'a> {
    name: &'a str,
    imported_at: &'a str,
}

#[derive(Serialize)]
struct Ci<'a> {
    system: Option<&'a str>,
    job_name: Option<&'a str>,
    build_number: Option<&'a str>,
    job_url: Option<&'a str>,
}

#[derive(Serialize)]
struct Image<'a> {
    references: &'a [String],
    image_id: &'a str,
    pass: bool,
    image: &'a ImageMetadata,
    distro: Option<&'a Distro>,
    base_layers: Vec<String>,
    evaluation: Evaluation<'a>,
    findings: Vec<JsonFinding<'a>>,
    not_matched: &'a [NotMatched],
    packages: Vec<Package>,
    error: Option<&'a str>,
}

/// The evaluation without its `verdicts` (each finding carries its own).
#[derive(Serialize)]
struct Evaluation<'a> {
    pass: bool,
    severities: &'a BTreeMap<u8, SeverityCondition>,
    qids: &'a ListCondition,
    cves: &'a ListCondition,
    software: &'a ListCondition,
    cvss: &'a CvssCondition,
    risk: &'a RiskCondition,
    freshness: &'a FreshnessCondition,
    potential_checked: bool,
    counts: &'a Counts,
    reasons: &'a [String],
    errors: &'a [String],
    warnings: &'a [String],
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    id: &'a str,
    qid: Option<u64>,
    aliases: &'a [String],
    package: &'a portcullis_match::FindingPackage,
    fixed_version: Option<&'a str>,
    status: &'a str,
    severity: u8,
    severity_source: &'a str,
    cvss: CvssPair,
    type_detected: portcullis_match::TypeDetected,
    patch_available: bool,
    layer: Option<String>,
    in_base_image: bool,
    title: Option<&'a str>,
    links: &'a [String],
    evidence: &'a [portcullis_match::Evidence],
    verdict: &'static str,
    verdict_detail: VerdictDetail<'a>,
}

#[derive(Serialize)]
struct CvssPair {
    v2: Option<Score>,
    v3: Option<Score>,
}

#[derive(Serialize)]
struct Score {
    score: f64,
    vector: String,
}

#[derive(Serialize, Default)]
struct VerdictDetail<'a> {
    reason: Option<&'a str>,
    owner: Option<&'a str>,
    until: Option<&'a str>,
    conditions: Option<&'a [String]>,
}

fn verdict_detail(v: Option<&FindingVerdict>) -> VerdictDetail<'_> {
    match v {
        Some(FindingVerdict::Blocking { conditions }) => VerdictDetail {
            conditions: Some(conditions),
            ..Default::default()
        },
        Some(FindingVerdict::Excluded { reason }) => VerdictDetail {
            reason: Some(reason),
            ..Default::default()
        },
        Some(FindingVerdict::Ignored {
            reason,
            owner,
            until,
        }) => VerdictDetail {
            reason: Some(reason),
            owner: owner.as_deref(),
            until: until.as_deref(),
            conditions: None,
        },
        Some(FindingVerdict::Counted) | None => VerdictDetail::default(),
    }
}

fn finding<'a>(row: &Row<'a>) -> JsonFinding<'a> {
    let f = row.finding;
    JsonFinding {
        id: &f.id,
        qid: f.qid,
        aliases: &f.aliases,
        package: &f.package,
        fixed_version: f.fixed_version.as_deref(),
        status: &f.status,
        severity: f.severity,
        severity_source: &f.severity_source,
        cvss: CvssPair {
            v2: f.cvss_v2.as_ref().map(|c| Score {
                score: c.score,
                vector: c.vector.clone(),
            }),
            v3: f.cvss_v3.as_ref().map(|c| Score {
                score: c.score,
                vector: c.vector.clone(),
            }),
        },
        type_detected: f.type_detected,
        patch_available: f.patch_available,
        layer: f.layer.as_ref().map(ToString::to_string),
        in_base_image: row.in_base_image(),
        title: f.title.as_deref(),
        links: &f.links,
        evidence: &f.evidence,
        verdict: row.verdict_name(),
        verdict_detail: verdict_detail(row.verdict),
    }
}

fn image<'a>(img: &'a ImageResult, ctx: &SbomContext) -> Result<Image<'a>, ReportError> {
    let ev = &img.evaluation;
    let packages = Prepared::new(&img.inventory, ctx)?
        .entries
        .into_iter()
        .map(|e| e.package)
        .collect();
    Ok(Image {
        references: &img.references,
        image_id: img.image_id(),
        pass: img.error.is_none() && ev.pass,
        image: &img.inventory.image,
        distro: img.inventory.distro.as_ref(),
        base_layers: img.base_layers.iter().map(ToString::to_string).collect(),
        evaluation: Evaluation {
            pass: ev.pass,
            severities: &ev.severities,
            qids: &ev.qids,
            cves: &ev.cves,
            software: &ev.software,
            cvss: &ev.cvss,
            risk: &ev.risk,
            freshness: &ev.freshness,
            potential_checked: ev.potential_checked,
            counts: &ev.counts,
            reasons: &ev.reasons,
            errors: &ev.errors,
            warnings: &ev.warnings,
        },
        findings: rows(img).iter().map(finding).collect(),
        not_matched: &img.not_matched,
        packages,
        error: img.error.as_deref(),
    })
}

fn ci(c: &CiMetadata) -> Ci<'_> {
    Ci {
        system: c.system.as_deref(),
        job_name: c.job_name.as_deref(),
        build_number: c.build_number.as_deref(),
        job_url: c.job_url.as_deref(),
    }
}

pub(crate) fn render(report: &ScanReport) -> Result<Vec<u8>, ReportError> {
    let ctx = sbom_context(report);
    let pass = report.pass();
    let doc = Document {
        schema_version: SCHEMA_VERSION,
        tool: Tool {
            name: &report.tool_name,
            version: &report.tool_version,
        },
        generated_at: timestamp(report.generated_at)?,
        backend: &report.backend,
        db: report.db.as_ref().map(|d| Db {
            built_at: &d.built_at,
            sources: d
                .sources
                .iter()
                .map(|(name, imported_at)| DbSource { name, imported_at })
                .collect(),
        }),
        pass,
        verdict: if pass { "pass" } else { "fail" },
        ci: ci(&report.ci),
        policy: &report.policy,
        images: report
            .images
            .iter()
            .map(|i| image(i, &ctx))
            .collect::<Result<_, _>>()?,
    };
    to_bytes("json", &doc)
}

/// SHA-256 over NUL-separated parts, in hex: stable identities.
pub(super) fn fingerprint(parts: &[&str]) -> String {
    use sha2::{Digest as _, Sha256};
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update([0]);
    }
    hex::encode(h.finalize())
}

/// A UUID v5 over NUL-separated parts, in this crate's scan name space.
pub(super) fn stable_uuid(parts: &[&str]) -> uuid::Uuid {
    let namespace = uuid::Uuid::new_v5(
        &uuid::Uuid::NAMESPACE_URL,
        b"https://example.invalid/portcullis/scan",
    );
    uuid::Uuid::new_v5(&namespace, fingerprint(parts).as_bytes())
}

/// The identity of a finding in one image, across runs: the finding key
/// (id, ecosystem, package name) and the image's name.
pub(super) fn finding_identity(row: &Row<'_>) -> String {
    fingerprint(&[
        &portcullis_policy::finding_key(row.finding),
        &image_name(row.image),
    ])
}

/// GitLab's and CycloneDX's words for a 1-5 severity.
pub(super) fn severity_word(f: &Finding) -> &'static str {
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
pub(super) fn type_word(t: portcullis_match::TypeDetected) -> &'static str {
    match t {
        portcullis_match::TypeDetected::Confirmed => "CONFIRMED",
        portcullis_match::TypeDetected::Potential => "POTENTIAL",
    }
}
