//! [CycloneDX 1.5 JSON](https://cyclonedx.org/docs/1.5/json/) writer.
//!
//! Layout: the image is `metadata.component` (type `container`), the distro
//! an `operating-system` component, every package a `library` component
//! identified by its purl. What CycloneDX has no field for (source package,
//! layer, file locations, cataloger, the OS package that installed a
//! language package, image layers) goes into `properties`
//! under the `portcullis:` namespace, as the CycloneDX property taxonomy
//! asks of tool-specific data. Files that could not be read make the BOM
//! declare itself `incomplete` in `compositions`.
//!
//! No `dependencies` graph is written: the catalogers record what is
//! installed, not what depends on what, and an empty graph would claim
//! that nothing depends on anything.

use portcullis_types::{Digest, Distro, ImageMetadata, Package};
use serde::Serialize;

use crate::common::{classify_license, combined_expression, group_and_name, LicenseForm, Prepared};
use crate::SbomContext;

const SPEC_VERSION: &str = "1.5";
const SCHEMA_URI: &str = "http://cyclonedx.org/schema/bom-1.5.schema.json";

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Bom<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    bom_format: &'static str,
    spec_version: &'static str,
    serial_number: String,
    version: u32,
    metadata: Metadata<'a>,
    components: Vec<Component<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    compositions: Vec<Composition>,
}

#[derive(Serialize)]
struct Metadata<'a> {
    timestamp: &'a str,
    tools: Tools<'a>,
    component: Component<'a>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    properties: Vec<Property>,
}

/// The 1.5 form of `tools` (an object of components); the bare array is
/// deprecated since 1.5.
#[derive(Serialize)]
struct Tools<'a> {
    components: Vec<Component<'a>>,
}

#[derive(Serialize)]
struct Component<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(rename = "bom-ref", skip_serializing_if = "Option::is_none")]
    bom_ref: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    group: Option<&'a str>,
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    hashes: Vec<Hash>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    licenses: Vec<LicenseChoice<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    purl: Option<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    properties: Vec<Property>,
}

impl<'a> Component<'a> {
    fn new(kind: &'static str, name: &'a str) -> Self {
        Component {
            kind,
            bom_ref: None,
            group: None,
            name,
            version: None,
            description: None,
            hashes: Vec::new(),
            licenses: Vec::new(),
            purl: None,
            properties: Vec::new(),
        }
    }
}

#[derive(Serialize)]
struct Hash {
    alg: &'static str,
    content: String,
}

/// The schema allows either licence objects or exactly one expression.
#[derive(Serialize)]
#[serde(untagged)]
enum LicenseChoice<'a> {
    License { license: License<'a> },
    Expression { expression: String },
}

/// Exactly one of `id` (from the SPDX list) or `name` (free text).
#[derive(Serialize)]
enum License<'a> {
    #[serde(rename = "id")]
    Id(&'a str),
    #[serde(rename = "name")]
    Name(&'a str),
}

#[derive(Serialize)]
struct Property {
    name: String,
    value: String,
}

fn prop(props: &mut Vec<Property>, name: &str, value: impl Into<String>) {
    props.push(Property {
        name: format!("portcullis:{name}"),
        value: value.into(),
    });
}

#[derive(Serialize)]
struct Composition {
    aggregate: &'static str,
    assemblies: Vec<String>,
}

pub(crate) fn document<'a>(prep: &'a Prepared, ctx: &'a SbomContext) -> Bom<'a> {
    let inv = &prep.inventory;
    let image = image_component(&inv.image, &prep.image_name);
    let image_ref = image.bom_ref.clone().unwrap_or_default();

    let mut tool = Component::new("application", &ctx.tool_name);
    tool.version = Some(ctx.tool_version.clone());

    let mut components = Vec::with_capacity(prep.entries.len() + 1);
    components.extend(inv.distro.as_ref().map(os_component));
    components.extend(
        prep.entries
            .iter()
            .map(|e| package_component(&e.package, &e.key)),
    );

    let mut properties = Vec::new();
    for u in &inv.unknowns {
        prop(
            &mut properties,
            "unknown",
            crate::common::describe_unknown(u),
        );
    }
    // Files we could not read mean packages may be missing: say so in the
    // standard way, not only in a tool-specific property.
    let compositions = if inv.unknowns.is_empty() {
        Vec::new()
    } else {
        vec![Composition {
            aggregate: "incomplete",
            assemblies: vec![image_ref],
        }]
    };

    Bom {
        schema: SCHEMA_URI,
        bom_format: "CycloneDX",
        spec_version: SPEC_VERSION,
        serial_number: format!("urn:uuid:{}", prep.uuid),
        version: 1,
        metadata: Metadata {
            timestamp: &prep.created,
            tools: Tools {
                components: vec![tool],
            },
            component: image,
            properties,
        },
        components,
        compositions,
    }
}

fn image_component<'a>(img: &'a ImageMetadata, name: &'a str) -> Component<'a> {
    let mut c = Component::new("container", name);
    let identity = img
        .config_digest
        .as_ref()
        .map(ToString::to_string)
        .or_else(|| Some(img.image_id.clone()).filter(|i| !i.is_empty()));
    c.bom_ref = Some(format!("image:{}", identity.as_deref().unwrap_or(name)));
    c.version = identity;
    c.hashes.extend(img.config_digest.as_ref().map(hash));

    let p = &mut c.properties;
    prop(p, "image:reference", &img.reference);
    prop(p, "image:source", &img.source);
    prop(p, "image:image_id", &img.image_id);
    if let Some(d) = &img.manifest_digest {
        prop(p, "image:manifest_digest", d.to_string());
    }
    for t in &img.repo_tags {
        prop(p, "image:repo_tag", t);
    }
    for d in &img.repo_digests {
        prop(p, "image:repo_digest", d);
    }
    prop(p, "image:os", &img.os);
    prop(p, "image:architecture", &img.architecture);
    if let Some(created) = &img.created {
        prop(p, "image:created", created);
    }
    if let Some(v) = &img.docker_version {
        prop(p, "image:docker_version", v);
    }
    prop(p, "image:total_size", img.total_size.to_string());
    // Indexed, in order: layer order is meaningful and properties have no
    // structure of their own.
    for (i, l) in img.layers.iter().enumerate() {
        prop(
            p,
            &format!("image:layer:{i}:diff_id"),
            l.diff_id.to_string(),
        );
        if let Some(d) = &l.digest {
            prop(p, &format!("image:layer:{i}:digest"), d.to_string());
        }
        prop(p, &format!("image:layer:{i}:size"), l.size.to_string());
        if let Some(by) = &l.created_by {
            prop(p, &format!("image:layer:{i}:created_by"), by);
        }
    }
    c.properties.retain(|p| !p.value.is_empty());
    c
}

fn hash(d: &Digest) -> Hash {
    let alg = match d.algorithm() {
        "sha512" => "SHA-512",
        _ => "SHA-256",
    };
    Hash {
        alg,
        content: d.hex().to_owned(),
    }
}

fn os_component(d: &Distro) -> Component<'_> {
    let mut c = Component::new("operating-system", &d.id);
    let version = d.version_id.clone();
    c.bom_ref = Some(format!("os:{}@{}", d.id, version.as_deref().unwrap_or("")));
    c.version = version;
    c.description = d.pretty_name.as_deref();
    if let Some(codename) = &d.codename {
        prop(&mut c.properties, "distro:codename", codename);
    }
    if !d.id_like.is_empty() {
        prop(&mut c.properties, "distro:id_like", d.id_like.join(" "));
    }
    c
}

fn package_component<'a>(p: &'a Package, key: &str) -> Component<'a> {
    let (group, name) = group_and_name(p);
    let mut c = Component::new("library", name);
    c.bom_ref = Some(format!("{}:{}@{}:{key}", p.ecosystem, p.name, p.version));
    c.group = group;
    c.version = Some(p.version.clone()).filter(|v| !v.is_empty());
    c.licenses = licenses(&p.licenses);
    c.purl = Some(p.purl.as_str()).filter(|u| !u.is_empty());

    let props = &mut c.properties;
    prop(props, "package:ecosystem", p.ecosystem.as_str());
    if let Some(arch) = &p.arch {
        prop(props, "package:arch", arch);
    }
    if let Some(s) = &p.source_name {
        prop(props, "package:source_name", s);
    }
    if let Some(s) = &p.source_version {
        prop(props, "package:source_version", s);
    }
    if let Some(layer) = &p.layer {
        prop(props, "package:layer", layer.to_string());
    }
    for loc in &p.locations {
        prop(props, "package:location", loc);
    }
    prop(props, "package:cataloger", &p.cataloger);
    if let Some(owner) = &p.owned_by {
        prop(props, "package:owned_by", owner);
    }
    c.properties.retain(|p| !p.value.is_empty());
    c
}

/// SPDX identifiers become `license.id`, free text `license.name`; a
/// compound expression can only be written as the single `expression`, so
/// when one is present all licences are folded into one expression.
fn licenses(list: &[String]) -> Vec<LicenseChoice<'_>> {
    let forms: Vec<LicenseForm<'_>> = list.iter().map(|l| classify_license(l)).collect();
    if forms
        .iter()
        .any(|f| matches!(f, LicenseForm::Expression(_)))
    {
        if let Some(expression) = combined_expression(list) {
            return vec![LicenseChoice::Expression { expression }];
        }
    }
    forms
        .into_iter()
        .map(|f| {
            let license = match f {
                LicenseForm::Id(id) => License::Id(id),
                LicenseForm::Expression(text) | LicenseForm::Name(text) => License::Name(text),
            };
            LicenseChoice::License { license }
        })
        .collect()
}
