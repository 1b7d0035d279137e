//! Python distributions installed anywhere in the image.
//!
//! Reads the core metadata of each installed distribution: `*.dist-info/METADATA`
//! (wheels, PEP 376/627), `*.egg-info/PKG-INFO` and single-file `*.egg-info`
//! (setuptools, as Debian's python3-* packages ship them). The format is the
//! Core Metadata spec: RFC 822 headers, body after the first blank line.
//! Names are normalised per PEP 503 (`Jinja2` → `jinja2`, `zope.interface` →
//! `zope-interface`) because advisories and `pip` compare them that way.
//! Version scheme: PEP 440.

use portcullis_catalog::{CatalogContext, CatalogOutput, Cataloger, EntryInfo, Found, Want};
use portcullis_types::Ecosystem;

use crate::util::{rfc822_fields, PackageFacts};

/// The Python cataloger.
pub struct PythonCataloger;

/// PEP 503 name normalisation (kept here for callers of this crate; the
/// rule itself lives with [`Ecosystem`] so that advisories share it).
pub fn normalize_name(name: &str) -> String {
    Ecosystem::Pypi.normalize_name(name)
}

/// Name, version and licences from a METADATA / PKG-INFO document.
pub fn parse_metadata(text: &str) -> Result<(String, String, Vec<String>), String> {
    let headers = text.split("\n\n").next().unwrap_or("");
    let fields = rfc822_fields(headers);
    let get = |k: &str| {
        fields
            .iter()
            .find(|(f, _)| f.eq_ignore_ascii_case(k))
            .map(|(_, v)| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    let name = get("Name").ok_or("no Name header")?;
    let version = get("Version").ok_or("no Version header")?;
    let mut licenses: Vec<String> = Vec::new();
    if let Some(expr) = get("License-Expression") {
        licenses.push(expr);
    } else if let Some(l) =
        get("License").filter(|l| l != "UNKNOWN" && !l.contains('\n') && l.len() < 100)
    {
        licenses.push(l);
    }
    for (k, v) in &fields {
        if k.eq_ignore_ascii_case("Classifier") {
            if let Some(l) = v
                .strip_prefix("License :: OSI Approved :: ")
                .or_else(|| v.strip_prefix("License :: "))
            {
                licenses.push(l.to_owned());
            }
        }
    }
    Ok((name, version, licenses))
}

impl Cataloger for PythonCataloger {
    fn id(&self) -> &'static str {
        "python"
    }

    fn wants(&self, path: &str, info: &EntryInfo) -> Option<Want> {
        let wanted = path.ends_with(".dist-info/METADATA")
            || path.ends_with(".egg-info/PKG-INFO")
            || (path.ends_with(".egg-info") && info.size < (1 << 20));
        wanted.then_some(Want::Content)
    }

    fn catalog(&self, ctx: &CatalogContext<'_>, out: &mut CatalogOutput) {
        for file in ctx.snapshot.owned_by(ctx.index) {
            match parse_metadata(&String::from_utf8_lossy(file.content)) {
                Ok((name, version, licenses)) => {
                    let package = PackageFacts {
                        name: normalize_name(&name),
                        version,
                        licenses,
                        locations: vec![file.path.to_owned()],
                        distro: ctx.distro,
                        ..PackageFacts::default()
                    }
                    .build(Ecosystem::Pypi, self.id());
                    out.found.push(Found {
                        package,
                        layer_index: file.layer,
                    });
                }
                Err(reason) => out.unknown(self.id(), file.path, Some(file.layer), reason),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_names() {
        assert_eq!(normalize_name("Jinja2"), "jinja2");
        assert_eq!(normalize_name("zope.interface"), "zope-interface");
        assert_eq!(normalize_name("Foo__Bar-.baz"), "foo-bar-baz");
    }

    #[test]
    fn parses_metadata_headers_only() {
        let (n, v, l) = parse_metadata("Metadata-Version: 2.1\nName: PyYAML\nVersion: 5.3\nLicense: MIT\nClassifier: License :: OSI Approved :: MIT License\n\nName: not-this\n").unwrap();
        assert_eq!((n.as_str(), v.as_str()), ("PyYAML", "5.3"));
        assert_eq!(l, ["MIT", "MIT License"]);
        assert!(parse_metadata("Name: x\n").is_err());
    }
}
