//! Reading SBOMs back into an [`Inventory`], for `portcullis scan
//! sbom:FILE` (SPEC §11: "SBOM in, gaps visible"): the native JSON
//! document, CycloneDX JSON (1.4–1.6) and SPDX 2.x JSON, from portcullis or
//! from other tools (Syft, Trivy).
//!
//! Packages are taken from their purls, the one identifier all three
//! formats share. A component without a purl, or with a purl of a type
//! portcullis does not match, is not dropped: it becomes an
//! [`Unknown`](portcullis_types::Unknown) naming the component and the
//! reason, so the report shows what was not checked.

use portcullis_types::{
    Distro, Ecosystem, Inventory, Package, Purl, Unknown, INVENTORY_SCHEMA_VERSION,
};
use serde_json::Value;

use crate::ReportError;

/// Purl types that name the image itself, not a package in it.
const IMAGE_TYPES: [&str; 2] = ["oci", "docker"];

/// Reads an SBOM document (format recognised by content). `reference` is
/// what the user typed, kept as the image reference of the inventory.
pub fn read_sbom(bytes: &[u8], reference: &str) -> Result<Inventory, ReportError> {
    let bad = |why: String| ReportError::SbomInput(why);
    let doc: Value = serde_json::from_slice(bytes).map_err(|e| bad(format!("not JSON: {e}")))?;
    let mut inventory = if doc.get("bomFormat").and_then(Value::as_str) == Some("CycloneDX") {
        cyclonedx(&doc)
    } else if doc
        .get("spdxVersion")
        .and_then(Value::as_str)
        .is_some_and(|v| v.starts_with("SPDX-2"))
    {
        spdx(&doc)
    } else if doc.get("packages").is_some() && doc.get("schema_version").is_some() {
        serde_json::from_value::<Inventory>(doc)
            .map_err(|e| bad(format!("not a portcullis inventory document: {e}")))?
    } else {
        return Err(bad(
            "neither CycloneDX JSON, SPDX 2 JSON nor a portcullis inventory (`sbom -o json`)"
                .into(),
        ));
    };
    inventory.image.reference = reference.to_owned();
    inventory.image.source = "sbom".to_owned();
    inventory.normalize();
    Ok(inventory)
}

/// What the SBOM says about one component.
struct Component<'a> {
    /// How to name it in an unknown (`name@version` or its id).
    label: String,
    purl: Option<&'a str>,
    /// The OS package that installed it, when the SBOM says so (our
    /// CycloneDX property): such a package is left to the distro's data.
    owned_by: Option<&'a str>,
}

/// The CycloneDX property portcullis writes for [`Package::owned_by`].
const OWNED_BY_PROPERTY: &str = "portcullis:package:owned_by";

fn cyclonedx(doc: &Value) -> Inventory {
    let mut components = Vec::new();
    let mut distro = None;
    collect_cyclonedx(doc.get("components"), &mut components, &mut distro);
    build(components, distro)
}

fn collect_cyclonedx<'a>(
    list: Option<&'a Value>,
    out: &mut Vec<Component<'a>>,
    distro: &mut Option<Distro>,
) {
    for c in list.and_then(Value::as_array).into_iter().flatten() {
        let text = |k: &str| c.get(k).and_then(Value::as_str);
        if text("type") == Some("operating-system") {
            // Syft and Trivy describe the OS as a component of its own.
            distro.get_or_insert_with(|| Distro {
                id: text("name").unwrap_or("").to_ascii_lowercase(),
                version_id: text("version").map(str::to_owned),
                ..Distro::default()
            });
        } else {
            let owned_by = c
                .get("properties")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .find(|p| p.get("name").and_then(Value::as_str) == Some(OWNED_BY_PROPERTY))
                .and_then(|p| p.get("value").and_then(Value::as_str));
            out.push(Component {
                label: label(text("name"), text("version"), text("bom-ref")),
                purl: text("purl"),
                owned_by,
            });
        }
        collect_cyclonedx(c.get("components"), out, distro);
    }
}

fn spdx(doc: &Value) -> Inventory {
    let described: Vec<&str> = doc
        .get("documentDescribes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let mut components = Vec::new();
    for p in doc
        .get("packages")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let text = |k: &str| p.get(k).and_then(Value::as_str);
        let purl = p
            .get("externalRefs")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .find(|r| r.get("referenceType").and_then(Value::as_str) == Some("purl"))
            .and_then(|r| r.get("referenceLocator").and_then(Value::as_str));
        // The package the document describes is the image itself.
        if purl.is_none() && text("SPDXID").is_some_and(|id| described.contains(&id)) {
            continue;
        }
        components.push(Component {
            label: label(text("name"), text("versionInfo"), text("SPDXID")),
            purl,
            owned_by: None,
        });
    }
    build(components, None)
}

fn label(name: Option<&str>, version: Option<&str>, id: Option<&str>) -> String {
    match (name, version) {
        (Some(n), Some(v)) => format!("{n}@{v}"),
        (Some(n), None) => n.to_owned(),
        _ => id.unwrap_or("(unnamed component)").to_owned(),
    }
}

fn build(components: Vec<Component<'_>>, mut distro: Option<Distro>) -> Inventory {
    let mut packages = Vec::new();
    let mut unknowns = Vec::new();
    let mut unknown = |location: String, reason: String| {
        unknowns.push(Unknown {
            location,
            layer: None,
            cataloger: "sbom".into(),
            reason,
        })
    };
    for c in components {
        let Some(text) = c.purl else {
            unknown(c.label, "no purl: cannot be matched".into());
            continue;
        };
        let purl = match Purl::parse(text) {
            Ok(p) => p,
            Err(e) => {
                unknown(c.label, e.to_string());
                continue;
            }
        };
        if IMAGE_TYPES.contains(&purl.ty.as_str()) {
            continue;
        }
        let Some((ecosystem, name)) = purl.package() else {
            unknown(c.label, format!("purl type {:?} is not matched", purl.ty));
            continue;
        };
        let Some(version) = purl.version.clone() else {
            unknown(c.label, "purl without a version: cannot be matched".into());
            continue;
        };
        if ecosystem.is_os() && distro.is_none() {
            distro = purl.distro();
        }
        let mut p = package(ecosystem, &name, version, &purl, text);
        p.owned_by = c.owned_by.map(str::to_owned);
        packages.push(p);
    }
    Inventory {
        schema_version: INVENTORY_SCHEMA_VERSION,
        image: Default::default(),
        distro,
        packages,
        unknowns,
    }
}

fn package(ecosystem: Ecosystem, name: &str, version: String, purl: &Purl, text: &str) -> Package {
    // OS packages are matched by source package; a purl names it only when
    // it differs from the binary package.
    let (source_name, source_version) = if ecosystem.is_os() {
        let (n, v) = purl.upstream().unwrap_or((name.to_owned(), None));
        (Some(n), Some(v.unwrap_or_else(|| version.clone())))
    } else {
        (None, None)
    };
    Package {
        ecosystem,
        name: ecosystem.normalize_name(name),
        version,
        source_name,
        source_version,
        arch: purl.qualifiers.get("arch").cloned(),
        purl: text.to_owned(),
        licenses: Vec::new(),
        layer: None,
        locations: Vec::new(),
        cataloger: "sbom".into(),
        owned_by: None,
    }
}
