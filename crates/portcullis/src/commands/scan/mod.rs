//! `portcullis scan IMAGE...`: scan, match, evaluate, report (SPEC §5, §6).
//!
//! The order of work is chosen so that mistakes cost nothing: outputs and
//! policy are validated, and the DB opened, before any image is read; every
//! report is rendered from one `ScanReport`, so all formats agree; the
//! webhook and CI variables come last and never change the verdict.

mod base;
mod baseline;
mod deliver;
mod images;
mod platform;
mod policy;

use std::collections::BTreeSet;

use portcullis_db::Db;
use portcullis_policy::{evaluate, Evaluation, Policy, Subject};
use portcullis_report::scan::{DbStamp, ImageResult, ScanFormat, ScanReport};
use portcullis_types::ImageMetadata;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::cli::ScanArgs;
use crate::exit::{ExitStatus, UsageError};
use crate::output::parse_outputs;
use crate::printer::Printer;

pub(crate) use policy::check as policy_check;

pub(crate) fn run(args: &ScanArgs, printer: &Printer) -> anyhow::Result<ExitStatus> {
    let outputs = parse_outputs::<ScanFormat>(&args.outputs)?;
    let platform = match args.backend.as_str() {
        "local" => None,
        "qualys" | "server" => Some(platform::settings(args, printer)?),
        other => {
            return Err(UsageError(format!(
                "--backend {other}: expected local, qualys or server"
            ))
            .into())
        }
    };
    deliver::validate(args)?;
    let policy = policy::resolve(args, printer)?;
    let baseline = match &args.conditions.baseline {
        Some(path) => Some(baseline::read(path)?),
        None => None,
    };
    // The platform backends read no DB: the platform matched.
    let backend = match platform {
        None => Backend::Local(Db::open(&args.db.path())?),
        Some(settings) => Backend::Platform(settings),
    };
    let stamp = match &backend {
        Backend::Local(db) => Some(db_stamp(db)?),
        Backend::Platform(_) => None,
    };
    let db_built_at = stamp
        .as_ref()
        .and_then(|s| OffsetDateTime::parse(&s.built_at, &Rfc3339).ok());
    let base = match &args.conditions.base_image {
        Some(reference) => Some(super::source::open(reference, &args.source, printer)?.metadata),
        None => None,
    };

    let scanned = match &backend {
        Backend::Local(db) => images::scan_all(&args.images, db, &args.source, printer)?,
        Backend::Platform(settings) => {
            platform::scan_all(args, settings, policy.conditions_configured, printer)?
        }
    };
    let now = super::sbom::creation_time();
    let gate = Gate {
        policy: &policy,
        baseline: baseline.as_ref(),
        base: base.as_ref(),
        db_built_at,
        now,
        printer,
    };
    let results: Vec<ImageResult> = scanned.into_iter().map(|i| gate.assess(i)).collect();

    let report = ScanReport {
        tool_name: "portcullis".into(),
        tool_version: env!("CARGO_PKG_VERSION").into(),
        generated_at: now,
        backend: args.backend.clone(),
        db: stamp,
        policy,
        images: results,
        ci: deliver::ci_metadata(),
    };
    deliver::outputs(&report, &outputs, args.all_findings)?;
    deliver::notify(&report, args, printer);
    Ok(exit_status(&report))
}

/// What every image of the run is evaluated with.
struct Gate<'a> {
    policy: &'a Policy,
    baseline: Option<&'a BTreeSet<String>>,
    /// The `--base-image`'s metadata, when given.
    base: Option<&'a ImageMetadata>,
    db_built_at: Option<OffsetDateTime>,
    now: OffsetDateTime,
    printer: &'a Printer,
}

impl Gate<'_> {
    /// Attributes layers, evaluates the policy and reports its warnings.
    fn assess(&self, image: images::Scanned) -> ImageResult {
        let found = match image.outcome {
            Ok(found) => found,
            Err(message) => return failed_image(image.references, message),
        };
        let name = &image.references[0];
        let base_layers = match self.base {
            Some(b) => base::from_base_image(&found.inventory.image, b).unwrap_or_else(|| {
                self.printer.warn(&format!(
                    "{name} is not built on the base image {}: no layer is attributed to the base",
                    b.reference
                ));
                BTreeSet::new()
            }),
            None => base::from_history(&found.inventory.image),
        };
        let subject = Subject {
            image: name,
            findings: &found.findings,
            packages: &found.inventory.packages,
            base_layers: &base_layers,
            baseline: self.baseline,
            db_built_at: self.db_built_at,
        };
        let mut evaluation = evaluate(&subject, self.policy, self.now);
        evaluation.warnings.extend(found.no_data);
        for w in &evaluation.warnings {
            self.printer.warn(&format!("{name}: {w}"));
        }
        for e in &evaluation.errors {
            self.printer.warn(&format!("{name}: evaluation error: {e}"));
        }
        ImageResult {
            references: image.references,
            inventory: found.inventory,
            findings: found.findings,
            not_matched: found.not_matched,
            evaluation,
            base_layers,
            error: None,
        }
    }
}

/// Where findings come from.
enum Backend {
    /// This machine's DB.
    Local(Db),
    /// A Qualys CS-compatible platform.
    Platform(platform::Settings),
}

/// 3 when an image could not be scanned (its verdict is unknown, which a
/// gate must not mistake for a pass), else 1 when one failed, else 0.
fn exit_status(report: &ScanReport) -> ExitStatus {
    if report.images.iter().any(|i| i.error.is_some()) {
        ExitStatus::Incomplete
    } else if report.pass() {
        ExitStatus::Success
    } else {
        ExitStatus::PolicyFailed
    }
}

fn failed_image(references: Vec<String>, message: String) -> ImageResult {
    let inventory = portcullis_types::Inventory {
        schema_version: portcullis_types::INVENTORY_SCHEMA_VERSION,
        image: portcullis_types::ImageMetadata {
            reference: references[0].clone(),
            ..Default::default()
        },
        distro: None,
        packages: Vec::new(),
        unknowns: Vec::new(),
    };
    ImageResult {
        references,
        inventory,
        findings: Vec::new(),
        not_matched: Vec::new(),
        evaluation: Evaluation {
            pass: false,
            errors: vec![message.clone()],
            ..Evaluation::default()
        },
        base_layers: BTreeSet::new(),
        error: Some(message),
    }
}

fn db_stamp(db: &Db) -> anyhow::Result<DbStamp> {
    let status = db.status()?;
    Ok(DbStamp {
        built_at: status.built_at,
        sources: status
            .sources
            .into_iter()
            .map(|s| (s.name, s.imported_at))
            .collect(),
    })
}
