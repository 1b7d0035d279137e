//! [SPDX 2.3 JSON](https://spdx.github.io/spdx-spec/v2.3/) writer.
//!
//! Layout: the document `DESCRIBES` the image, a package with
//! `primaryPackagePurpose` `CONTAINER`; the image `CONTAINS` the
//! operating-system package and every installed package. Each package
//! carries its purl as a `PACKAGE-MANAGER` external reference (SPDX 2.3
//! annex F) and names the layer that introduced it in `sourceInfo`. A
//! language package that an OS package installed (`owned_by`) is also
//! contained by that OS package: `python3-pip CONTAINS pip`.
//!
//! Licences: `licenseDeclared` is what the package metadata says when it is
//! a valid SPDX expression over listed licences, `NOASSERTION` otherwise
//! (the raw text then goes to `licenseComments`). `licenseConcluded` is always `NOASSERTION`: SPDX
//! reserves it for a licence the document creator concluded from analysing
//! the files, and portcullis analyses none.

use std::collections::BTreeMap;

use portcullis_types::{Distro, ImageMetadata, Package};
use serde::Serialize;

use crate::common::{combined_expression, license_list_version, only_listed, Prepared};
use crate::SbomContext;

const NOASSERTION: &str = "NOASSERTION";
const DOCUMENT_ID: &str = "SPDXRef-DOCUMENT";
const IMAGE_ID: &str = "SPDXRef-Image";
const OS_ID: &str = "SPDXRef-OperatingSystem";
/// `example.invalid` can never resolve, which is what a namespace that only
/// has to be unique wants: nobody mistakes it for a download location.
const NAMESPACE_BASE: &str = "https://example.invalid/portcullis/spdx";

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Document<'a> {
    spdx_version: &'static str,
    data_license: &'static str,
    #[serde(rename = "SPDXID")]
    spdx_id: &'static str,
    name: &'a str,
    document_namespace: String,
    creation_info: CreationInfo<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    comment: Option<String>,
    packages: Vec<SpdxPackage<'a>>,
    relationships: Vec<Relationship>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CreationInfo<'a> {
    created: &'a str,
    creators: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    license_list_version: Option<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SpdxPackage<'a> {
    name: &'a str,
    #[serde(rename = "SPDXID")]
    spdx_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    version_info: Option<String>,
    download_location: &'static str,
    files_analyzed: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    checksums: Vec<Checksum>,
    license_concluded: &'static str,
    license_declared: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    license_comments: Option<String>,
    copyright_text: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    source_info: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    comment: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    external_refs: Vec<ExternalRef<'a>>,
    primary_package_purpose: &'static str,
}

impl<'a> SpdxPackage<'a> {
    fn new(name: &'a str, spdx_id: String, purpose: &'static str) -> Self {
        SpdxPackage {
            name,
            spdx_id,
            version_info: None,
            download_location: NOASSERTION,
            // Files are not listed, so SPDX requires this to be false.
            files_analyzed: false,
            checksums: Vec::new(),
            license_concluded: NOASSERTION,
            license_declared: NOASSERTION.to_owned(),
            license_comments: None,
            copyright_text: NOASSERTION,
            description: None,
            source_info: None,
            comment: None,
            external_refs: Vec::new(),
            primary_package_purpose: purpose,
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Checksum {
    algorithm: &'static str,
    checksum_value: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ExternalRef<'a> {
    reference_category: &'static str,
    reference_type: &'static str,
    reference_locator: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Relationship {
    spdx_element_id: String,
    relationship_type: &'static str,
    related_spdx_element: String,
}

fn relationship(from: &str, kind: &'static str, to: &str) -> Relationship {
    Relationship {
        spdx_element_id: from.to_owned(),
        relationship_type: kind,
        related_spdx_element: to.to_owned(),
    }
}

pub(crate) fn document<'a>(prep: &'a Prepared, ctx: &'a SbomContext) -> Document<'a> {
    let inv = &prep.inventory;
    let mut packages = Vec::with_capacity(prep.entries.len() + 2);
    let mut relationships = vec![relationship(DOCUMENT_ID, "DESCRIBES", IMAGE_ID)];

    packages.push(image_package(&inv.image, &prep.image_name));
    if let Some(d) = &inv.distro {
        packages.push(os_package(d));
        relationships.push(relationship(IMAGE_ID, "CONTAINS", OS_ID));
    }
    // `<ecosystem>:<name>` of OS packages → their ids (several for a
    // multi-arch package), and the owned packages waiting for them.
    let mut os_ids: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut owned: Vec<(&str, String)> = Vec::new();
    for e in &prep.entries {
        let pkg = package(&e.package, &e.key);
        relationships.push(relationship(IMAGE_ID, "CONTAINS", &pkg.spdx_id));
        if e.package.ecosystem.is_os() {
            let key = format!("{}:{}", e.package.ecosystem, e.package.name);
            os_ids.entry(key).or_default().push(pkg.spdx_id.clone());
        }
        if let Some(owner) = &e.package.owned_by {
            owned.push((owner, pkg.spdx_id.clone()));
        }
        packages.push(pkg);
    }
    for (owner, id) in owned {
        for owner_id in os_ids.get(owner).into_iter().flatten() {
            relationships.push(relationship(owner_id, "CONTAINS", &id));
        }
    }

    let comment = (!inv.unknowns.is_empty()).then(|| {
        let mut text = String::from("Files that could not be read; packages may be missing:");
        for u in &inv.unknowns {
            text.push_str(
                "
- ",
            );
            text.push_str(&crate::common::describe_unknown(u));
        }
        text
    });

    Document {
        spdx_version: "SPDX-2.3",
        data_license: "CC0-1.0",
        spdx_id: DOCUMENT_ID,
        name: &prep.image_name,
        document_namespace: format!(
            "{NAMESPACE_BASE}/{}-{}",
            sanitize(&prep.image_name, 128),
            prep.uuid
        ),
        creation_info: CreationInfo {
            created: &prep.created,
            creators: vec![format!("Tool: {}-{}", ctx.tool_name, ctx.tool_version)],
            license_list_version: license_list_version(),
        },
        comment,
        packages,
        relationships,
    }
}

fn image_package<'a>(img: &'a ImageMetadata, name: &'a str) -> SpdxPackage<'a> {
    let mut p = SpdxPackage::new(name, IMAGE_ID.to_owned(), "CONTAINER");
    p.version_info = img
        .config_digest
        .as_ref()
        .map(ToString::to_string)
        .or_else(|| Some(img.image_id.clone()).filter(|i| !i.is_empty()));
    if let Some(d) = &img.config_digest {
        p.checksums.push(Checksum {
            algorithm: if d.algorithm() == "sha512" {
                "SHA512"
            } else {
                "SHA256"
            },
            checksum_value: d.hex().to_owned(),
        });
    }
    // SPDX has no place for layers; packages name their layer by diff_id in
    // `sourceInfo`, so list the diff_ids here to make those resolvable.
    let mut comment = format!(
        "Container image {} read from {}; platform {}/{}.",
        img.reference, img.source, img.os, img.architecture
    );
    for (i, l) in img.layers.iter().enumerate() {
        comment.push_str(&format!("\nLayer {i}: {}", l.diff_id));
        if let Some(by) = &l.created_by {
            comment.push_str(&format!(" ({by})"));
        }
    }
    p.comment = Some(comment);
    p
}

fn os_package(d: &Distro) -> SpdxPackage<'_> {
    let mut p = SpdxPackage::new(&d.id, OS_ID.to_owned(), "OPERATING_SYSTEM");
    p.version_info = d.version_id.clone();
    p.description = d.pretty_name.as_deref();
    p
}

fn package<'a>(pkg: &'a Package, key: &str) -> SpdxPackage<'a> {
    let id = format!(
        "SPDXRef-Package-{}-{}-{key}",
        pkg.ecosystem,
        sanitize(&pkg.name, 64)
    );
    let mut p = SpdxPackage::new(&pkg.name, id, "LIBRARY");
    p.version_info = Some(pkg.version.clone()).filter(|v| !v.is_empty());
    match combined_expression(&pkg.licenses).filter(|e| only_listed(e)) {
        Some(expr) => p.license_declared = expr,
        None if !pkg.licenses.is_empty() => {
            p.license_comments = Some(format!(
                "Declared licences (not all are SPDX identifiers): {}",
                pkg.licenses.join("; ")
            ));
        }
        None => {}
    }
    if !pkg.purl.is_empty() {
        p.external_refs.push(ExternalRef {
            reference_category: "PACKAGE-MANAGER",
            reference_type: "purl",
            reference_locator: &pkg.purl,
        });
    }
    p.source_info = Some(source_info(pkg));
    p
}

/// Where the package was found and what it was built from, in words: SPDX
/// has no fields for the layer, the cataloger or the source package.
fn source_info(p: &Package) -> String {
    let mut text = format!("acquired package info by {}", p.cataloger);
    if !p.locations.is_empty() {
        text.push_str(&format!(" from {}", p.locations.join(", ")));
    }
    if let Some(layer) = &p.layer {
        text.push_str(&format!(" in layer {layer}"));
    }
    if let Some(src) = &p.source_name {
        let version = p.source_version.as_deref().unwrap_or(&p.version);
        text.push_str(&format!("; source package {src} {version}"));
    }
    text
}

/// Keeps what an SPDX idstring (and a URI path segment) allows, letters,
/// digits, `.` and `-`, replacing the rest, capped at `max` characters.
fn sanitize(s: &str, max: usize) -> String {
    let out: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '-'
            }
        })
        .take(max)
        .collect();
    if out.is_empty() {
        "unnamed".to_owned()
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_valid_idstrings() {
        assert_eq!(sanitize("@types/node", 64), "-types-node");
        assert_eq!(sanitize("org.apache:x", 64), "org.apache-x");
        assert_eq!(sanitize("", 64), "unnamed");
        assert_eq!(sanitize(&"é".repeat(100), 64).len(), 64);
    }
}
