//! Reading the images of one run: open each reference, merge references
//! that are the same image (same config digest), catalog and match each
//! image once. An image that cannot be read is recorded with its error and
//! the run goes on with the others (the run then ends with exit code 3).

use portcullis_db::Db;
use portcullis_match::{match_inventory, Finding, NotMatched};
use portcullis_types::Inventory;

use crate::cli::SourceArgs;
use crate::printer::Printer;

/// One distinct image and what was learned from it.
pub(super) struct Scanned {
    /// Every reference the user gave that resolved to this image.
    pub(super) references: Vec<String>,
    /// `Err` with the message when the image could not be scanned.
    pub(super) outcome: Result<ScannedImage, String>,
}

pub(super) struct ScannedImage {
    pub(super) inventory: Inventory,
    pub(super) findings: Vec<Finding>,
    pub(super) not_matched: Vec<NotMatched>,
    /// Set when a platform had no result for the image and that is not a
    /// failure (no condition configured): the warning to report.
    pub(super) no_data: Option<String>,
}

impl ScannedImage {
    /// An image known only by its sha, with nothing found about it.
    pub(super) fn no_data(sha: &str, warning: String) -> ScannedImage {
        let config_digest = portcullis_types::Digest::sha256_hex(sha).ok();
        ScannedImage {
            inventory: Inventory {
                schema_version: portcullis_types::INVENTORY_SCHEMA_VERSION,
                image: portcullis_types::ImageMetadata {
                    image_id: sha.get(..12).unwrap_or(sha).to_owned(),
                    config_digest,
                    ..Default::default()
                },
                distro: None,
                packages: Vec::new(),
                unknowns: Vec::new(),
            },
            findings: Vec::new(),
            not_matched: Vec::new(),
            no_data: Some(warning),
        }
    }
}

/// What a reference gave: an image to catalog, or an SBOM's inventory.
enum Source {
    Image(portcullis_image::Image),
    Sbom(Inventory),
}

/// References resolved to one image (or its open error), with its identity.
type Opened = (Vec<String>, Option<String>, Result<Source, String>);

/// Largest SBOM file read (a hostile "SBOM" must not exhaust memory).
const MAX_SBOM_BYTES: u64 = 256 << 20;

/// `sbom:FILE`: the packages an SBOM lists, with its unmatchable
/// components as unknowns (SPEC §11).
fn read_sbom(reference: &str, path: &str) -> Result<Inventory, String> {
    use std::io::Read;
    let file = std::fs::File::open(path).map_err(|e| format!("cannot read {path}: {e}"))?;
    let mut bytes = Vec::new();
    file.take(MAX_SBOM_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read {path}: {e}"))?;
    if bytes.len() as u64 > MAX_SBOM_BYTES {
        return Err(format!("{path}: larger than {} MiB", MAX_SBOM_BYTES >> 20));
    }
    portcullis_report::read_sbom(&bytes, reference).map_err(|e| format!("{path}: {e}"))
}

/// Opens every reference, dedupes by image identity, catalogs and matches.
pub(super) fn scan_all(
    references: &[String],
    db: &Db,
    args: &SourceArgs,
    printer: &Printer,
) -> anyhow::Result<Vec<Scanned>> {
    let mut opened: Vec<Opened> = Vec::new();
    for reference in references {
        if let Some(path) = reference.strip_prefix("sbom:") {
            let sbom = read_sbom(reference, path).map(Source::Sbom);
            opened.push((vec![reference.clone()], None, sbom));
            continue;
        }
        match super::super::source::open(reference, args, printer) {
            Ok(image) => {
                let identity = identity(&image.metadata);
                if let Some(seen) = opened
                    .iter_mut()
                    .find(|(_, id, _)| id.is_some() && *id == identity)
                {
                    printer.progress(&format!(
                        "{reference} is the same image as {}; scanned once",
                        seen.0[0]
                    ));
                    seen.0.push(reference.clone());
                    continue;
                }
                opened.push((vec![reference.clone()], identity, Ok(Source::Image(image))));
            }
            Err(err) if is_usage(&err) => return Err(err),
            Err(err) => opened.push((vec![reference.clone()], None, Err(chain(&err)))),
        }
    }
    let mut scanned = Vec::with_capacity(opened.len());
    for (refs, _, image) in opened {
        let outcome = image.and_then(|source| {
            let inventory = match source {
                Source::Image(image) => {
                    super::super::source::catalog(&image, &refs[0], args, printer)
                        .map_err(|e| chain(&e))?
                }
                Source::Sbom(inventory) => inventory,
            };
            let matched = match_inventory(db, &inventory)
                .map_err(|e| format!("cannot match {}: {e}", refs[0]))?;
            printer.progress(&format!("{}: {} findings", refs[0], matched.findings.len()));
            Ok(ScannedImage {
                inventory,
                findings: matched.findings,
                not_matched: matched.not_matched,
                no_data: None,
            })
        });
        if let Err(message) = &outcome {
            printer.warn(&format!("image could not be scanned: {message}"));
        }
        scanned.push(Scanned {
            references: refs,
            outcome,
        });
    }
    Ok(scanned)
}

/// The identity two references must share to be "the same image": the
/// config digest (what `docker images` calls the image ID). Images without
/// one (an unpacked root filesystem) are never merged.
fn identity(metadata: &portcullis_types::ImageMetadata) -> Option<String> {
    metadata.config_digest.as_ref().map(ToString::to_string)
}

fn is_usage(err: &anyhow::Error) -> bool {
    err.chain()
        .any(|c| c.downcast_ref::<crate::exit::UsageError>().is_some())
}

/// The error with its causes on one line, for reports.
pub(super) fn chain(err: &anyhow::Error) -> String {
    err.chain()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(": ")
}
