//! CycloneDX 1.4–1.6 VEX: `vulnerabilities[]` with an `analysis` and the
//! `affects[].ref` it applies to.
//!
//! A ref is a `bom-ref` of this document's components (nested ones too,
//! and `metadata.component`), possibly as a BOM-Link
//! (`urn:cdx:serial/version#bom-ref`, of which the part after `#` is the
//! bom-ref); the component's purl is the rule's scope, or its name when it
//! has no purl. A ref that is itself a purl is taken as one, since many
//! VEX-only documents use purls as bom-refs without listing components.

use std::collections::HashMap;

use serde::Deserialize;
use serde_json::Value;

use super::{statement_rules, Scope, Statement, VexError};
use crate::model::IgnoreRule;

const FORMAT: &str = "CycloneDX";

/// The analysis states of the specification; the first four suppress
/// (`resolved_with_pedigree` is 1.5's resolved with the patch's proof).
const STATES: &[&str] = &[
    "not_affected",
    "false_positive",
    "resolved",
    "resolved_with_pedigree",
    "exploitable",
    "in_triage",
];

/// Whether the tree is a CycloneDX document.
pub(super) fn is_cyclonedx(root: &Value) -> bool {
    root.get("bomFormat").and_then(Value::as_str) == Some("CycloneDX")
}

#[derive(Deserialize)]
struct Bom {
    metadata: Option<Metadata>,
    #[serde(default)]
    components: Vec<Component>,
    #[serde(default)]
    vulnerabilities: Vec<Vulnerability>,
}

#[derive(Deserialize)]
struct Metadata {
    #[serde(default)]
    authors: Vec<Contact>,
    /// 1.6.
    manufacturer: Option<Contact>,
    /// 1.4–1.5 (deprecated in 1.6).
    manufacture: Option<Contact>,
    supplier: Option<Contact>,
    component: Option<Component>,
}

/// An organizational contact or entity: both have a name.
#[derive(Deserialize)]
struct Contact {
    name: Option<String>,
    email: Option<String>,
}

#[derive(Deserialize)]
struct Component {
    #[serde(rename = "bom-ref")]
    bom_ref: Option<String>,
    name: Option<String>,
    purl: Option<String>,
    #[serde(default)]
    components: Vec<Component>,
}

#[derive(Deserialize)]
struct Vulnerability {
    id: Option<String>,
    #[serde(default)]
    references: Vec<Reference>,
    analysis: Option<Analysis>,
    #[serde(default)]
    affects: Vec<Affects>,
}

/// The same vulnerability in another database (an alias).
#[derive(Deserialize)]
struct Reference {
    id: Option<String>,
}

#[derive(Deserialize)]
struct Analysis {
    state: Option<String>,
    justification: Option<String>,
    detail: Option<String>,
}

#[derive(Deserialize)]
struct Affects {
    #[serde(rename = "ref")]
    reference: String,
}

/// The ignore rules of a CycloneDX VEX document.
pub(super) fn rules(text: &str, source: &str) -> Result<Vec<IgnoreRule>, VexError> {
    let bom: Bom = serde_json::from_str(text).map_err(|e| VexError::Shape {
        format: FORMAT,
        message: e.to_string(),
    })?;
    let mut components = HashMap::new();
    let meta_component = bom.metadata.as_ref().and_then(|m| m.component.as_ref());
    for c in meta_component.into_iter().chain(&bom.components) {
        index(c, &mut components);
    }
    let owner = bom.metadata.as_ref().and_then(owner);
    let mut out = Vec::new();
    for (i, v) in bom.vulnerabilities.iter().enumerate() {
        let Some(analysis) = &v.analysis else {
            continue;
        };
        let Some(state) = analysis.state.as_deref() else {
            continue;
        };
        if !STATES.contains(&state) {
            return Err(VexError::invalid(
                format!("vulnerabilities[{i}].analysis.state"),
                state,
                format!("expected one of {}", STATES.join(", ")),
            ));
        }
        if !matches!(
            state,
            "not_affected" | "false_positive" | "resolved" | "resolved_with_pedigree"
        ) {
            continue;
        }
        let ids: Vec<String> =
            v.id.iter()
                .chain(v.references.iter().filter_map(|r| r.id.as_ref()))
                .filter(|s| !s.trim().is_empty())
                .cloned()
                .collect();
        let at = format!("vulnerabilities[{i}].id");
        if ids.is_empty() {
            return Err(VexError::invalid(at, "", "a vulnerability needs an id"));
        }
        let scopes = v
            .affects
            .iter()
            .filter_map(|a| resolve(&a.reference, &components))
            .collect();
        out.extend(statement_rules(
            Statement {
                ids,
                at,
                status: state,
                justification: analysis.justification.as_deref(),
                detail: analysis.detail.as_deref(),
                owner: owner.as_deref(),
                scopes,
            },
            source,
        )?);
    }
    Ok(out)
}

/// bom-ref → component, depth first.
fn index<'a>(c: &'a Component, out: &mut HashMap<&'a str, &'a Component>) {
    if let Some(r) = c.bom_ref.as_deref() {
        out.entry(r).or_insert(c);
    }
    for sub in &c.components {
        index(sub, out);
    }
}

/// The scope an `affects[].ref` stands for, if any.
fn resolve(reference: &str, components: &HashMap<&str, &Component>) -> Option<Scope> {
    let reference = reference.trim();
    let bom_ref = match reference.strip_prefix("urn:cdx:") {
        Some(link) => link.split_once('#').map(|(_, r)| r)?,
        None => reference,
    };
    match components.get(bom_ref) {
        Some(c) => match (c.purl.as_deref(), c.name.as_deref()) {
            (Some(purl), _) => Some(Scope::of_id(purl)),
            (None, Some(name)) => Some(Scope {
                package: Some(name.to_owned()),
                ..Scope::default()
            }),
            (None, None) => None,
        },
        None if crate::scope::purl_key(bom_ref).is_some() => Some(Scope::of_id(bom_ref)),
        None => None,
    }
}

/// Who stands behind the document: its first author, else the
/// manufacturer or supplier.
fn owner(m: &Metadata) -> Option<String> {
    let named = |c: &Contact| {
        c.name
            .as_deref()
            .or(c.email.as_deref())
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    m.authors
        .iter()
        .find_map(named)
        .or_else(|| m.manufacturer.as_ref().and_then(named))
        .or_else(|| m.manufacture.as_ref().and_then(named))
        .or_else(|| m.supplier.as_ref().and_then(named))
}
