//! Reading Package URLs back (SBOMs given to `scan sbom:FILE`): the inverse
//! of [`crate::purl_for`] for the ecosystems portcullis matches.

use std::collections::BTreeMap;

use crate::{Distro, Ecosystem};

/// A purl split into its parts, percent-decoded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Purl {
    /// `deb`, `pypi`, `golang`, …
    pub ty: String,
    /// Namespace segments joined with `/` (`debian`, `@types`, `org.apache`).
    pub namespace: Option<String>,
    /// Name.
    pub name: String,
    /// Version, when given.
    pub version: Option<String>,
    /// Qualifiers (`arch`, `distro`, `upstream`, …).
    pub qualifiers: BTreeMap<String, String>,
}

/// Why a string is not a purl portcullis can use.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PurlError {
    /// Not of the form `pkg:type/…/name[@version][?qualifiers][#subpath]`.
    #[error("not a package URL: {0:?}")]
    Syntax(String),
    /// A `%` escape that is not two hex digits or not UTF-8.
    #[error("bad percent-encoding in {0:?}")]
    Encoding(String),
}

impl Purl {
    /// Parses `pkg:type/namespace/name@version?qualifiers#subpath`.
    pub fn parse(text: &str) -> Result<Purl, PurlError> {
        let syntax = || PurlError::Syntax(text.to_owned());
        let rest = text.strip_prefix("pkg:").ok_or_else(syntax)?;
        let rest = rest.split_once('#').map_or(rest, |(r, _)| r);
        let (rest, qualifiers) = match rest.split_once('?') {
            Some((r, q)) => (r, q),
            None => (rest, ""),
        };
        let (ty, path) = rest
            .trim_start_matches('/')
            .split_once('/')
            .ok_or_else(syntax)?;
        // The version follows the last `@` of the last segment (a scoped
        // npm namespace starts with an encoded `@`).
        let (path, version) = match path.rsplit_once('@') {
            Some((p, _)) if p.is_empty() || p.ends_with('/') => return Err(syntax()),
            Some((p, v)) => (p, Some(decode(v, text)?)),
            None => (path, None),
        };
        let mut segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        let name = decode(segments.pop().ok_or_else(syntax)?, text)?;
        let namespace = if segments.is_empty() {
            None
        } else {
            Some(
                segments
                    .iter()
                    .map(|s| decode(s, text))
                    .collect::<Result<Vec<_>, _>>()?
                    .join("/"),
            )
        };
        let mut q = BTreeMap::new();
        for pair in qualifiers.split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').ok_or_else(syntax)?;
            q.insert(k.to_ascii_lowercase(), decode(v, text)?);
        }
        if ty.is_empty() || name.is_empty() {
            return Err(syntax());
        }
        Ok(Purl {
            ty: ty.to_ascii_lowercase(),
            namespace,
            name,
            version: version.filter(|v| !v.is_empty()),
            qualifiers: q,
        })
    }

    /// The ecosystem and the package name as portcullis spells it
    /// (`group:artifact` for Maven, `@scope/name` for npm, the module path
    /// for Go), or `None` for a type portcullis does not match.
    pub fn package(&self) -> Option<(Ecosystem, String)> {
        let joined = |sep: &str| match &self.namespace {
            Some(ns) => format!("{ns}{sep}{}", self.name),
            None => self.name.clone(),
        };
        let eco = match self.ty.as_str() {
            "deb" => Ecosystem::Deb,
            "apk" => Ecosystem::Apk,
            "rpm" => Ecosystem::Rpm,
            "pypi" => Ecosystem::Pypi,
            "npm" => return Some((Ecosystem::Npm, joined("/"))),
            "golang" => return Some((Ecosystem::Go, joined("/"))),
            "maven" => return Some((Ecosystem::Maven, joined(":"))),
            "cargo" => Ecosystem::Cargo,
            _ => return None,
        };
        Some((eco, self.name.clone()))
    }

    /// The OS release an OS package's purl names (`distro=debian-12`, with
    /// the namespace as the id when the qualifier has none).
    pub fn distro(&self) -> Option<Distro> {
        let value = self.qualifiers.get("distro")?;
        let namespace = self.namespace.as_deref().unwrap_or("");
        let (id, version) = match value.split_once('-') {
            Some((id, v)) if !id.is_empty() => (id.to_owned(), Some(v.to_owned())),
            // `distro=bookworm` style values: keep the text as the codename.
            _ => (namespace.to_owned(), None),
        };
        let codename = version.is_none().then(|| value.clone());
        Some(Distro {
            id: if id.is_empty() {
                namespace.to_owned()
            } else {
                id
            },
            version_id: version,
            codename,
            ..Distro::default()
        })
    }

    /// The source package (`upstream=openssl` or `openssl@3.0.11-1`).
    pub fn upstream(&self) -> Option<(String, Option<String>)> {
        let value = self.qualifiers.get("upstream")?;
        Some(match value.split_once('@') {
            Some((n, v)) => (n.to_owned(), Some(v.to_owned())),
            None => (value.clone(), None),
        })
    }
}

fn decode(s: &str, whole: &str) -> Result<String, PurlError> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(|| PurlError::Encoding(whole.to_owned()))?;
            out.push(hex);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| PurlError::Encoding(whole.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::purl_for;

    #[test]
    fn reads_back_what_purl_for_writes() {
        let debian = Distro {
            id: "debian".into(),
            version_id: Some("12".into()),
            ..Distro::default()
        };
        let cases = [
            (
                Ecosystem::Deb,
                "libssl3",
                "3.0.11-1~deb12u2",
                Some(("openssl", "3.0.11-1~deb12u2")),
            ),
            (
                Ecosystem::Deb,
                "bsdutils",
                "1:2.38.1-5",
                Some(("util-linux", "2.38.1-5")),
            ),
            (Ecosystem::Pypi, "django", "2.2", None),
            (Ecosystem::Npm, "@types/node", "18.18.14", None),
            (Ecosystem::Go, "github.com/gin-gonic/gin", "v1.9.0", None),
            (
                Ecosystem::Maven,
                "org.apache.commons:commons-lang3",
                "3.12.0",
                None,
            ),
        ];
        for (eco, name, version, source) in cases {
            let distro = eco.is_os().then_some(&debian);
            let text = purl_for(eco, name, version, Some("amd64"), source, distro);
            let p = Purl::parse(&text).unwrap();
            assert_eq!(p.package(), Some((eco, name.to_owned())), "{text}");
            assert_eq!(p.version.as_deref(), Some(version), "{text}");
            if eco.is_os() {
                assert_eq!(p.distro().unwrap().version_id.as_deref(), Some("12"));
                let up = p.upstream().map(|(n, _)| n);
                assert_eq!(up.as_deref(), source.map(|(n, _)| n).filter(|n| *n != name));
            }
        }
    }

    #[test]
    fn rejects_what_is_not_a_purl() {
        for bad in [
            "",
            "pkg:",
            "pkg:deb",
            "npm/left-pad@1",
            "pkg:pypi/x%zz@1",
            "pkg:pypi/@1",
        ] {
            assert!(Purl::parse(bad).is_err(), "{bad:?}");
        }
        let odd = Purl::parse("pkg:generic/openssl@3.0.0").unwrap();
        assert_eq!(odd.package(), None, "unknown types are not matched");
    }
}
