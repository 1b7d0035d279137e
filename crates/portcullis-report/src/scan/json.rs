//! The native scan report (`portcullis scan -o json`, SPEC §13); its
//! submodule `shared` holds the helpers every scan writer uses.
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
//!   `unknowns[]`, `packages[]`, `error`.
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

use portcullis_match::NotMatched;
use portcullis_policy::{
    Counts, CvssCondition, FindingVerdict, FreshnessCondition, ListCondition, Policy,
    RiskCondition, SeverityCondition,
};
use portcullis_types::{Distro, ImageMetadata, Package, Unknown};
use serde::Serialize;

use super::{CiMetadata, ImageResult, ScanReport};
use crate::common::Prepared;
use crate::{ReportError, SbomContext};

/// Version of this document's layout.
const SCHEMA_VERSION: u32 = 1;

mod shared;

pub(super) use self::shared::*;

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
    /// Files or SBOM components that could not be read or matched: what
    /// the scan did not check (SPEC §11).
    unknowns: &'a [Unknown],
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
        unknowns: &img.inventory.unknowns,
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
