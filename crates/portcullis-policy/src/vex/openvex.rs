//! OpenVEX 0.2.0 (`https://openvex.dev/ns/v0.2.0`). The 0.0.x drafts'
//! plain-string vulnerabilities and products are read too, as tools still
//! emit them.
//!
//! When several statements speak of the same vulnerability and product,
//! the latest one (by `timestamp`, the statement's or else the document's;
//! then by position) is the one that holds, as the specification says: a
//! product first `under_investigation`, then `not_affected`, is not
//! affected; the reverse order is not.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use super::{statement_rules, Scope, Statement, VexError};
use crate::model::IgnoreRule;

const FORMAT: &str = "OpenVEX";

/// The statuses of the specification; the first two suppress.
const STATUSES: &[&str] = &["not_affected", "fixed", "affected", "under_investigation"];

/// Whether the tree is an OpenVEX document: its `@context` names the
/// OpenVEX namespace.
pub(super) fn is_openvex(root: &Value) -> bool {
    root.get("@context")
        .and_then(Value::as_str)
        .is_some_and(|c| c.to_ascii_lowercase().contains("openvex"))
}

#[derive(Deserialize)]
struct Document {
    author: Option<String>,
    timestamp: Option<String>,
    #[serde(default)]
    statements: Vec<StatementDoc>,
}

#[derive(Deserialize)]
struct StatementDoc {
    vulnerability: Vulnerability,
    #[serde(default)]
    products: Vec<Product>,
    status: String,
    justification: Option<String>,
    impact_statement: Option<String>,
    timestamp: Option<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Vulnerability {
    /// 0.0.x: the id itself.
    Id(String),
    Object {
        name: Option<String>,
        #[serde(rename = "@id")]
        id: Option<String>,
        #[serde(default)]
        aliases: Vec<String>,
    },
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Product {
    /// 0.0.x: the id itself.
    Id(String),
    Object {
        #[serde(rename = "@id")]
        id: Option<String>,
        identifiers: Option<Identifiers>,
        #[serde(default)]
        subcomponents: Vec<Product>,
    },
}

#[derive(Deserialize)]
struct Identifiers {
    purl: Option<String>,
}

impl Product {
    /// The product's id: `@id`, or its purl identifier.
    fn id(&self) -> Option<&str> {
        match self {
            Product::Id(id) => Some(id),
            Product::Object {
                id, identifiers, ..
            } => id
                .as_deref()
                .or_else(|| identifiers.as_ref()?.purl.as_deref()),
        }
    }

    fn subcomponents(&self) -> &[Product] {
        match self {
            Product::Id(_) => &[],
            Product::Object { subcomponents, .. } => subcomponents,
        }
    }

    /// The scopes this product covers: the product itself, or each of its
    /// subcomponents (packages) inside it (an image).
    fn scopes(&self) -> Vec<Scope> {
        let Some(outer) = self.id().map(Scope::of_id) else {
            return Vec::new();
        };
        if self.subcomponents().is_empty() {
            return vec![outer];
        }
        self.subcomponents()
            .iter()
            .filter_map(Product::id)
            .map(Scope::of_id)
            // A subcomponent is a package; one that is not a purl names
            // nothing we can match.
            .filter(|s| s.purl.is_some())
            .map(|s| Scope {
                image: outer.image.clone(),
                ..s
            })
            .collect()
    }
}

/// The ignore rules of an OpenVEX document.
pub(super) fn rules(text: &str, source: &str) -> Result<Vec<IgnoreRule>, VexError> {
    let doc: Document = serde_json::from_str(text).map_err(|e| VexError::Shape {
        format: FORMAT,
        message: e.to_string(),
    })?;
    let parse_time = |t: &Option<String>| {
        t.as_deref()
            .and_then(|t| OffsetDateTime::parse(t.trim(), &Rfc3339).ok())
    };
    let doc_time = parse_time(&doc.timestamp);
    // (vulnerability, product) → (time, position) of the statement that
    // holds.
    let mut latest: BTreeMap<(String, String), (Option<OffsetDateTime>, usize)> = BTreeMap::new();
    for (i, st) in doc.statements.iter().enumerate() {
        if !STATUSES.contains(&st.status.as_str()) {
            return Err(VexError::invalid(
                format!("statements[{i}].status"),
                &st.status,
                format!("expected one of {}", STATUSES.join(", ")),
            ));
        }
        let when = (parse_time(&st.timestamp).or(doc_time), i);
        let vuln = vuln_ids(&st.vulnerability)
            .first()
            .cloned()
            .unwrap_or_default();
        for product in &st.products {
            let key = (
                vuln.to_ascii_uppercase(),
                product.id().unwrap_or_default().to_owned(),
            );
            latest
                .entry(key)
                .and_modify(|held| *held = (*held).max(when))
                .or_insert(when);
        }
    }
    let mut out = Vec::new();
    for (i, st) in doc.statements.iter().enumerate() {
        if !matches!(st.status.as_str(), "not_affected" | "fixed") {
            continue;
        }
        let ids = vuln_ids(&st.vulnerability);
        let vuln = ids.first().cloned().unwrap_or_default();
        let at = format!("statements[{i}].vulnerability");
        if ids.is_empty() {
            return Err(VexError::invalid(
                at,
                "",
                "a statement needs a vulnerability name",
            ));
        }
        // Only the products for which this statement is the latest word.
        let scopes = st
            .products
            .iter()
            .filter(|p| {
                let key = (
                    vuln.to_ascii_uppercase(),
                    p.id().unwrap_or_default().to_owned(),
                );
                latest.get(&key).is_some_and(|&(_, pos)| pos == i)
            })
            .flat_map(Product::scopes)
            .collect();
        out.extend(statement_rules(
            Statement {
                ids,
                at,
                status: &st.status,
                justification: st.justification.as_deref(),
                detail: st.impact_statement.as_deref(),
                owner: doc.author.as_deref(),
                scopes,
            },
            source,
        )?);
    }
    Ok(out)
}

/// The vulnerability's name (or `@id` when it has none), then its aliases.
fn vuln_ids(v: &Vulnerability) -> Vec<String> {
    match v {
        Vulnerability::Id(id) => vec![id.clone()],
        Vulnerability::Object { name, id, aliases } => {
            // An `@id` is an IRI; its last segment is the id
            // (`https://nvd.nist.gov/vuln/detail/CVE-2023-1234`).
            let from_iri = name
                .is_none()
                .then(|| id.as_deref()?.trim_end_matches('/').rsplit('/').next())
                .flatten()
                .map(str::to_owned);
            name.iter()
                .cloned()
                .chain(from_iri)
                .chain(aliases.iter().cloned())
                .filter(|s| !s.trim().is_empty())
                .collect()
        }
    }
}
