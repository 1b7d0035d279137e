//! What every writer needs, computed once: a totally ordered copy of the
//! inventory, stable per-package keys, the document UUID, the timestamp and
//! the licence classification.

use std::cmp::Ordering;
use std::io;

use portcullis_types::{Inventory, Package, Unknown};
use sha2::{Digest as _, Sha256};
use time::format_description::BorrowedFormatItem;
use time::macros::format_description;
use time::UtcOffset;
use uuid::Uuid;

use crate::{ReportError, SbomContext};

/// UTC, second precision, `Z` suffix: the only form SPDX 2.3 allows for
/// `created`, and a valid JSON-schema `date-time` for CycloneDX.
pub(crate) const TIMESTAMP: &[BorrowedFormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");

/// Identifies the name space of the UUID v5 serials this crate derives, so
/// they cannot collide with v5 UUIDs other tools derive from the same bytes.
const UUID_NAMESPACE_NAME: &[u8] = b"https://example.invalid/portcullis/sbom";

/// One package with the key that names it inside a document.
pub(crate) struct Entry {
    pub(crate) package: Package,
    /// 16 hex digits from a hash of what identifies the package, unique in
    /// the document (a `-N` suffix separates packages that hash alike).
    pub(crate) key: String,
}

/// The inventory as every writer sees it.
pub(crate) struct Prepared {
    /// Normalised copy: sorted, deduplicated tags, digests and unknowns.
    pub(crate) inventory: Inventory,
    /// Packages in total order, with their keys.
    pub(crate) entries: Vec<Entry>,
    /// The caller's timestamp in [`TIMESTAMP`] form.
    pub(crate) created: String,
    /// Deterministic document identity, see [`document_uuid`].
    pub(crate) uuid: Uuid,
    /// Human name of the image for document and component names.
    pub(crate) image_name: String,
}

impl Prepared {
    pub(crate) fn new(inventory: &Inventory, ctx: &SbomContext) -> Result<Self, ReportError> {
        let mut inv = inventory.clone();
        inv.normalize();
        inv.image.repo_tags.sort();
        inv.image.repo_tags.dedup();
        inv.image.repo_digests.sort();
        inv.image.repo_digests.dedup();
        // `normalize` orders by `sort_key` only; packages equal on it (same
        // name and version from two catalogers, say) would keep input order.
        inv.packages.sort_by(total_order);
        inv.packages.dedup();

        let created = ctx.created.to_offset(UtcOffset::UTC).format(TIMESTAMP)?;
        let uuid = document_uuid(&inv, ctx, &created)?;
        let image_name = image_name(&inv);
        let entries = keyed(&inv.packages);
        Ok(Prepared {
            inventory: inv,
            entries,
            created,
            uuid,
            image_name,
        })
    }
}

/// Orders packages by every field, so ties on `sort_key` are broken the
/// same way whatever order the catalogers produced them in.
fn total_order(a: &Package, b: &Package) -> Ordering {
    a.sort_key()
        .cmp(&b.sort_key())
        .then_with(|| a.purl.cmp(&b.purl))
        .then_with(|| a.arch.cmp(&b.arch))
        .then_with(|| a.source_name.cmp(&b.source_name))
        .then_with(|| a.source_version.cmp(&b.source_version))
        .then_with(|| a.layer.cmp(&b.layer))
        .then_with(|| a.cataloger.cmp(&b.cataloger))
        .then_with(|| a.licenses.cmp(&b.licenses))
}

/// Gives each package a key derived from its identity only (not from its
/// position), so adding a package to an image does not rename the others.
fn keyed(packages: &[Package]) -> Vec<Entry> {
    let mut seen = std::collections::HashSet::new();
    packages
        .iter()
        .map(|p| {
            let mut h = Sha256::new();
            for part in [p.ecosystem.as_str(), &p.name, &p.version, &p.purl] {
                h.update(part.as_bytes());
                h.update([0]);
            }
            if let Some(layer) = &p.layer {
                h.update(layer.to_string().as_bytes());
            }
            for loc in &p.locations {
                h.update([0]);
                h.update(loc.as_bytes());
            }
            let base = hex::encode(&h.finalize()[..8]);
            let mut key = base.clone();
            let mut n = 1;
            while !seen.insert(key.clone()) {
                n += 1;
                key = format!("{base}-{n}");
            }
            Entry {
                package: p.clone(),
                key,
            }
        })
        .collect()
}

/// UUID v5 over the tool, the timestamp and the whole normalised inventory:
/// the same scan written twice gets the same serial, a rescan at another
/// time or of changed content gets a new one, as CycloneDX asks.
fn document_uuid(inv: &Inventory, ctx: &SbomContext, created: &str) -> io::Result<Uuid> {
    let mut h = Sha256::new();
    for part in [ctx.tool_name.as_str(), &ctx.tool_version, created] {
        h.update(part.as_bytes());
        h.update([0]);
    }
    serde_json::to_writer(HashWriter(&mut h), inv)?;
    let namespace = Uuid::new_v5(&Uuid::NAMESPACE_URL, UUID_NAMESPACE_NAME);
    Ok(Uuid::new_v5(&namespace, &h.finalize()))
}

/// Feeds serialised bytes straight into the hash instead of a buffer.
struct HashWriter<'a>(&'a mut Sha256);

impl io::Write for HashWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.update(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The name people know the image by: a tag, else what they typed, else
/// its digest or ID.
fn image_name(inv: &Inventory) -> String {
    let img = &inv.image;
    img.repo_tags
        .first()
        .cloned()
        .or_else(|| Some(img.reference.clone()).filter(|r| !r.is_empty()))
        .or_else(|| img.config_digest.as_ref().map(|d| d.to_string()))
        .or_else(|| Some(img.image_id.clone()).filter(|i| !i.is_empty()))
        .unwrap_or_else(|| "image".to_owned())
}

/// The ecosystem-specific group of a package, as CycloneDX `group` wants
/// it: the Maven groupId, or the npm `@scope`.
pub(crate) fn group_and_name(p: &Package) -> (Option<&str>, &str) {
    use portcullis_types::Ecosystem;
    match p.ecosystem {
        Ecosystem::Maven => match p.name.split_once(':') {
            Some((group, artifact)) => (Some(group), artifact),
            None => (None, &p.name),
        },
        Ecosystem::Npm if p.name.starts_with('@') => match p.name.split_once('/') {
            Some((scope, name)) => (Some(scope), name),
            None => (None, &p.name),
        },
        _ => (None, &p.name),
    }
}

/// How one licence string can be written.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum LicenseForm<'a> {
    /// A single identifier from the SPDX licence list, spelled exactly.
    Id(&'a str),
    /// A valid compound SPDX expression (`MIT OR Apache-2.0`).
    Expression(&'a str),
    /// Anything else (`GPL`, `see LICENSE`): kept as free text.
    Name(&'a str),
}

/// Strict SPDX syntax and the official list, but deprecated identifiers
/// (`GPL-2.0`, `GPL-2.0+`) stay valid: they are still on the list and
/// Debian and RPM metadata use them.
const SPDX_MODE: ::spdx::ParseMode = ::spdx::ParseMode {
    allow_deprecated: true,
    allow_postfix_plus_on_gpl: true,
    ..::spdx::ParseMode::STRICT
};

pub(crate) fn classify_license(s: &str) -> LicenseForm<'_> {
    // `license_id` ignores a trailing `+`; an `id` field must be exact.
    if ::spdx::license_id(s).is_some_and(|id| id.name == s) {
        return LicenseForm::Id(s);
    }
    if ::spdx::Expression::parse_mode(s, SPDX_MODE).is_ok() {
        return LicenseForm::Expression(s);
    }
    LicenseForm::Name(s)
}

/// One SPDX expression covering all of a package's licences (joined with
/// `AND`: a package carries every licence it declares), or `None` when any
/// of them is not valid SPDX.
pub(crate) fn combined_expression(licenses: &[String]) -> Option<String> {
    let mut parts = Vec::with_capacity(licenses.len());
    for l in licenses {
        match classify_license(l) {
            LicenseForm::Id(id) => parts.push(id.to_owned()),
            LicenseForm::Expression(e) if licenses.len() == 1 => parts.push(e.to_owned()),
            LicenseForm::Expression(e) => parts.push(format!("({e})")),
            LicenseForm::Name(_) => return None,
        }
    }
    (!parts.is_empty()).then(|| parts.join(" AND "))
}

/// Whether a valid expression names only licences and exceptions from the
/// SPDX list: a `LicenseRef-` is only valid in an SPDX document that also
/// defines it, which the inventory gives us nothing to do with.
pub(crate) fn only_listed(expression: &str) -> bool {
    ::spdx::Expression::parse_mode(expression, SPDX_MODE).is_ok_and(|e| {
        e.requirements().all(|r| {
            r.req.license.id().is_some() && r.req.addition.iter().all(|a| a.id().is_some())
        })
    })
}

/// The SPDX licence list version the classification uses, as `M.N`.
pub(crate) fn license_list_version() -> Option<&'static str> {
    let v = ::spdx::identifiers::VERSION;
    let mut dots = v.match_indices('.').map(|(i, _)| i);
    match (dots.next(), dots.next()) {
        (Some(_), Some(second)) => Some(&v[..second]),
        (Some(_), None) => Some(v),
        _ => None,
    }
}

/// One line describing a file that could not be read, the same in every format.
pub(crate) fn describe_unknown(u: &Unknown) -> String {
    let layer = u
        .layer
        .as_ref()
        .map(|l| format!(", layer {l}"))
        .unwrap_or_default();
    format!(
        "{}: {} (cataloger {}{layer})",
        u.location, u.reason, u.cataloger
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn licenses_are_classified() {
        assert_eq!(classify_license("MIT"), LicenseForm::Id("MIT"));
        assert_eq!(classify_license("GPL-2.0"), LicenseForm::Id("GPL-2.0"));
        assert_eq!(
            classify_license("MIT OR Apache-2.0"),
            LicenseForm::Expression("MIT OR Apache-2.0")
        );
        assert_eq!(
            classify_license("GPL-2.0+"),
            LicenseForm::Expression("GPL-2.0+")
        );
        assert_eq!(classify_license("GPL"), LicenseForm::Name("GPL"));
        assert_eq!(classify_license("mit"), LicenseForm::Name("mit"));
        assert_eq!(
            combined_expression(&["Apache-2.0".into(), "MIT OR BSD-3-Clause".into()]).as_deref(),
            Some("Apache-2.0 AND (MIT OR BSD-3-Clause)")
        );
        assert_eq!(
            combined_expression(&["MIT".into(), "Artistic".into()]),
            None
        );
        assert_eq!(combined_expression(&[]), None);
        assert!(only_listed(
            "GPL-2.0-or-later WITH Classpath-exception-2.0 OR MIT"
        ));
        assert!(!only_listed("LicenseRef-Custom OR MIT"));
        assert!(!only_listed("(broken"));
        assert!(license_list_version().is_some_and(|v| v.split('.').count() == 2));
    }
}
