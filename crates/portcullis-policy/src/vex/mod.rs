//! VEX documents as ignore rules (SPEC §11): OpenVEX 0.2.0 and CycloneDX
//! 1.4–1.6 VEX, both JSON, told apart by their content.
//!
//! A statement that the product is **not affected**, is a **false
//! positive**, or has the vulnerability **fixed** (resolved) becomes one
//! [`IgnoreRule`] per vulnerability id (and alias) and product: the reason
//! is the justification and impact statement, the owner the document's
//! author, the scope the product's purl (or image). Statements saying
//! affected, under investigation, exploitable or in triage suppress
//! nothing: a VEX document may lower the gate, never raise it, and only
//! where it says so.
//!
//! Products that name nothing we can match (a bom-ref that resolves to no
//! component, a subcomponent that is not a purl) give no rule, so the
//! finding stays counted. Fields we do not read are ignored, as VEX
//! documents carry many; a document that is not JSON, is neither format,
//! or has a value of the wrong shape is an error naming the file.

mod cyclonedx;
mod openvex;

use std::io::Read;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::file::MAX_FILE_BYTES;
use crate::model::IgnoreRule;
use crate::parse;

/// Why a VEX document could not be used.
#[derive(Debug, thiserror::Error)]
pub enum VexError {
    /// The file could not be read.
    #[error("cannot read VEX document {}: {source}", .path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The text is not JSON.
    #[error("not valid JSON: {0}")]
    Json(String),
    /// JSON, but neither an OpenVEX nor a CycloneDX document.
    #[error(
        "not a VEX document: expected OpenVEX (an `@context` of openvex.dev and `statements`) \
         or CycloneDX (`\"bomFormat\": \"CycloneDX\"` with `vulnerabilities`)"
    )]
    UnknownFormat,
    /// The document's shape is wrong for its format (a serde message with
    /// line and column).
    #[error("not a valid {format} document: {message}")]
    Shape {
        /// `OpenVEX` or `CycloneDX`.
        format: &'static str,
        /// What is wrong.
        message: String,
    },
    /// A value that the format does not allow.
    #[error("{at}: invalid value {value:?}: {reason}")]
    Invalid {
        /// Where (`statements[2].status`).
        at: String,
        /// The value.
        value: String,
        /// What is wrong with it.
        reason: String,
    },
    /// Any of the above, found in a file.
    #[error("VEX document {}: {source}", .path.display())]
    InFile {
        /// The file.
        path: PathBuf,
        /// What was wrong in it.
        source: Box<VexError>,
    },
}

impl VexError {
    fn invalid(at: String, value: &str, reason: impl Into<String>) -> Self {
        VexError::Invalid {
            at,
            value: value.to_owned(),
            reason: reason.into(),
        }
    }
}

/// Reads a VEX document into ignore rules. Files over 4 MiB are refused,
/// like policy files (hostile input, SPEC §12).
pub fn read_vex(path: &Path) -> Result<Vec<IgnoreRule>, VexError> {
    let mut text = String::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_FILE_BYTES + 1).read_to_string(&mut text))
        .map_err(|source| VexError::Read {
            path: path.to_owned(),
            source,
        })?;
    let in_file = |e| VexError::InFile {
        path: path.to_owned(),
        source: Box::new(e),
    };
    if text.len() as u64 > MAX_FILE_BYTES {
        return Err(in_file(VexError::Json(format!(
            "larger than {MAX_FILE_BYTES} bytes"
        ))));
    }
    // Only the file name goes into the reasons: reports stay the same
    // wherever the checkout is.
    let name = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    parse_vex(&text, &name).map_err(in_file)
}

/// Parses a VEX document; `source` names it in the rules' reasons.
pub fn parse_vex(text: &str, source: &str) -> Result<Vec<IgnoreRule>, VexError> {
    let root: Value = serde_json::from_str(text).map_err(|e| VexError::Json(e.to_string()))?;
    // Told apart on the tree, then read again into the format's types, so
    // that shape errors carry a line and column.
    if openvex::is_openvex(&root) {
        openvex::rules(text, source)
    } else if cyclonedx::is_cyclonedx(&root) {
        cyclonedx::rules(text, source)
    } else {
        Err(VexError::UnknownFormat)
    }
}

/// What a VEX product resolves to: an image, a package purl, or a package
/// name (a CycloneDX component with no purl).
#[derive(Clone, Debug, Default, PartialEq)]
struct Scope {
    image: Option<String>,
    purl: Option<String>,
    package: Option<String>,
}

impl Scope {
    /// The scope of a product id: a purl is a package, except `pkg:oci`,
    /// which is an image (its `repository_url` qualifier, or any image
    /// when it has none: the document was given for the image scanned);
    /// anything else is taken for an image reference, which matches
    /// nothing when it is some other IRI.
    fn of_id(id: &str) -> Scope {
        let id = id.trim();
        if id
            .get(..8)
            .is_some_and(|p| p.eq_ignore_ascii_case("pkg:oci/"))
        {
            let repository = id
                .split_once('?')
                .map(|(_, q)| q.split('#').next().unwrap_or_default())
                .and_then(|q| {
                    q.split('&')
                        .find_map(|kv| kv.strip_prefix("repository_url="))
                })
                .map(|r| r.replace("%2F", "/").replace("%2f", "/"));
            Scope {
                image: repository,
                ..Scope::default()
            }
        } else if crate::scope::purl_key(id).is_some() {
            Scope {
                purl: Some(id.to_owned()),
                ..Scope::default()
            }
        } else {
            Scope {
                image: Some(id.to_owned()),
                ..Scope::default()
            }
        }
    }
}

/// One suppressing statement, format-neutral.
struct Statement<'a> {
    /// The vulnerability id and its aliases, as written.
    ids: Vec<String>,
    /// Where the id is, for errors (`statements[2].vulnerability`).
    at: String,
    /// `not_affected`, `fixed`, `false_positive`, `resolved`.
    status: &'a str,
    justification: Option<&'a str>,
    /// The impact statement (OpenVEX) or analysis detail (CycloneDX).
    detail: Option<&'a str>,
    owner: Option<&'a str>,
    scopes: Vec<Scope>,
}

/// The rules of one suppressing statement: one per id and scope.
fn statement_rules(st: Statement<'_>, source: &str) -> Result<Vec<IgnoreRule>, VexError> {
    let mut ids = Vec::new();
    for id in &st.ids {
        let id = parse::vuln_id(&st.at, id).map_err(|_| {
            VexError::invalid(
                st.at.clone(),
                id,
                "expected a vulnerability id such as CVE-2023-12345 or GHSA-xxxx-xxxx-xxxx",
            )
        })?;
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    let justification = st.justification.map(str::trim).filter(|j| !j.is_empty());
    let mut reason = format!("VEX {source}: {}", st.status);
    if let Some(j) = justification {
        reason.push_str(&format!(" ({j})"));
    }
    if let Some(d) = st.detail.map(str::trim).filter(|d| !d.is_empty()) {
        reason.push_str(&format!(": {d}"));
    }
    // Only the justifications both formats define are carried as such;
    // another one still shows in the reason.
    let vex_justification =
        justification.and_then(|j| parse::vex_justification("", &Value::from(j)).ok());
    let owner = st.owner.map(str::trim).filter(|o| !o.is_empty());
    let mut out = Vec::new();
    for id in &ids {
        for scope in &st.scopes {
            out.push(IgnoreRule {
                id: id.clone(),
                owner: owner.map(str::to_owned),
                reason: reason.clone(),
                package: scope.package.clone(),
                image: scope.image.clone(),
                purl: scope.purl.clone(),
                path: None,
                only_unfixed: false,
                expires: None,
                vex_justification: vex_justification.clone(),
            });
        }
    }
    Ok(out)
}
