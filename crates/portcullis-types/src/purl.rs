//! Package URLs, per <https://github.com/package-url/purl-spec>.
//!
//! Only the characters the spec requires are percent-encoded, so the output
//! matches what Syft and Trivy print and purls can be compared as strings.

use std::fmt::Write;

use crate::{Distro, Ecosystem};

/// Builds the purl of a package.
///
/// For Maven the name is `group:artifact`; for npm a scoped name keeps its
/// `@scope/` as the namespace; OS packages carry the distro qualifier.
pub fn purl_for(
    ecosystem: Ecosystem,
    name: &str,
    version: &str,
    arch: Option<&str>,
    source: Option<(&str, &str)>,
    distro: Option<&Distro>,
) -> String {
    let (ty, namespace, name) = match ecosystem {
        Ecosystem::Deb => ("deb", distro.map(|d| d.id.clone()), name.to_owned()),
        Ecosystem::Apk => ("apk", distro.map(|d| d.id.clone()), name.to_owned()),
        Ecosystem::Rpm => ("rpm", distro.map(|d| d.id.clone()), name.to_owned()),
        Ecosystem::Pypi => ("pypi", None, name.to_lowercase()),
        Ecosystem::Npm => match name.strip_prefix('@').and_then(|n| n.split_once('/')) {
            Some((scope, rest)) => ("npm", Some(format!("@{scope}")), rest.to_owned()),
            None => ("npm", None, name.to_owned()),
        },
        Ecosystem::Go => match name.rsplit_once('/') {
            Some((ns, rest)) => ("golang", Some(ns.to_owned()), rest.to_owned()),
            None => ("golang", None, name.to_owned()),
        },
        Ecosystem::Maven => match name.split_once(':') {
            Some((group, artifact)) => ("maven", Some(group.to_owned()), artifact.to_owned()),
            None => ("maven", None, name.to_owned()),
        },
        Ecosystem::Cargo => ("cargo", None, name.to_owned()),
    };
    let mut out = format!("pkg:{ty}/");
    if let Some(ns) = namespace {
        for (i, seg) in ns.split('/').enumerate() {
            if i > 0 {
                out.push('/');
            }
            encode_into(&mut out, seg);
        }
        out.push('/');
    }
    encode_into(&mut out, &name);
    if !version.is_empty() {
        out.push('@');
        encode_into(&mut out, version);
    }
    let mut qualifiers: Vec<(&str, String)> = Vec::new();
    if let Some(arch) = arch.filter(|a| !a.is_empty()) {
        qualifiers.push(("arch", arch.to_owned()));
    }
    if ecosystem.is_os() {
        if let Some(d) = distro {
            let v = d.version_id.as_deref().unwrap_or("");
            qualifiers.push((
                "distro",
                format!("{}-{}", d.id, v).trim_end_matches('-').to_owned(),
            ));
        }
        if let Some((src, src_version)) = source {
            if src != name || src_version != version {
                let value = if src_version == version {
                    src.to_owned()
                } else {
                    format!("{src}@{src_version}")
                };
                qualifiers.push(("upstream", value));
            }
        }
    }
    qualifiers.sort();
    for (i, (k, v)) in qualifiers.iter().enumerate() {
        out.push(if i == 0 { '?' } else { '&' });
        out.push_str(k);
        out.push('=');
        encode_into(&mut out, v);
    }
    out
}

fn encode_into(out: &mut String, s: &str) {
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'~' | b'+') {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purls_follow_the_spec_examples() {
        let debian = Distro {
            id: "debian".into(),
            version_id: Some("12".into()),
            ..Distro::default()
        };
        assert_eq!(
            purl_for(
                Ecosystem::Deb,
                "libssl3",
                "3.0.11-1~deb12u2",
                Some("amd64"),
                Some(("openssl", "3.0.11-1~deb12u2")),
                Some(&debian)
            ),
            "pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12&upstream=openssl"
        );
        assert_eq!(
            purl_for(
                Ecosystem::Deb,
                "bsdutils",
                "1:2.38.1-5",
                None,
                None,
                Some(&debian)
            ),
            "pkg:deb/debian/bsdutils@1%3A2.38.1-5?distro=debian-12"
        );
        assert_eq!(
            purl_for(Ecosystem::Npm, "@types/node", "18.18.14", None, None, None),
            "pkg:npm/%40types/node@18.18.14"
        );
        assert_eq!(
            purl_for(
                Ecosystem::Maven,
                "org.apache.commons:commons-lang3",
                "3.12.0",
                None,
                None,
                None
            ),
            "pkg:maven/org.apache.commons/commons-lang3@3.12.0"
        );
        assert_eq!(
            purl_for(
                Ecosystem::Go,
                "github.com/google/uuid",
                "v1.3.0",
                None,
                None,
                None
            ),
            "pkg:golang/github.com/google/uuid@v1.3.0"
        );
        assert_eq!(
            purl_for(Ecosystem::Pypi, "PyYAML", "5.3", None, None, None),
            "pkg:pypi/pyyaml@5.3"
        );
    }
}
