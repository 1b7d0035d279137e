//! The package scopes of an ignore rule: a Package URL and a path prefix
//! (SPEC §11). Both are compared loosely on purpose where the purl
//! specification leaves room (qualifiers, subpath, percent-encoding, case,
//! PyPI name normalisation), because the purl in a rule or a VEX document
//! is written by a person or another tool, not by our cataloguer.

/// A purl cut into what a rule compares: `type/namespace/name` (decoded,
/// lower-cased, PyPI names normalised) and the decoded version, if any.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct PurlKey {
    /// `pypi/django`, `deb/debian/openssl`, `npm/@angular/core`.
    pub(crate) name: String,
    /// `4.2.1`, or `None` for a version-less purl.
    pub(crate) version: Option<String>,
}

/// Parses `pkg:type/namespace/name@version?qualifiers#subpath`; `None`
/// when it is not a purl (no `pkg:` scheme, no type or no name).
pub(crate) fn purl_key(purl: &str) -> Option<PurlKey> {
    let rest = purl.trim();
    let rest = rest
        .get(..4)
        .filter(|s| s.eq_ignore_ascii_case("pkg:"))
        .map(|_| &rest[4..])?;
    let rest = rest.trim_start_matches('/');
    let rest = rest.split('#').next().unwrap_or_default();
    let rest = rest.split('?').next().unwrap_or_default();
    // The version follows the last `@` of the last segment: a namespace
    // such as npm's `@angular` may hold one unencoded.
    let last_slash = rest.rfind('/')?;
    let (path, version) = match rest[last_slash..].find('@') {
        Some(at) => (
            &rest[..last_slash + at],
            Some(decode(&rest[last_slash + at + 1..])),
        ),
        None => (rest, None),
    };
    let mut segments: Vec<String> = path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|s| decode(s).to_lowercase())
        .collect();
    if segments.len() < 2 {
        return None;
    }
    if segments[0] == "pypi" {
        // PEP 503: `Foo_Bar`, `foo.bar` and `foo-bar` are one project.
        let last = segments.len() - 1;
        segments[last] = segments[last].replace(['_', '.'], "-");
    }
    Some(PurlKey {
        name: segments.join("/"),
        version: version.filter(|v| !v.is_empty()),
    })
}

/// Whether a rule's purl covers a package's purl: same type, namespace and
/// name, and the same version unless the rule gives none.
pub(crate) fn purl_matches(rule: &str, package: &str) -> bool {
    let (Some(rule), Some(package)) = (purl_key(rule), purl_key(package)) else {
        return false;
    };
    rule.name == package.name
        && rule
            .version
            .is_none_or(|v| package.version.as_deref() == Some(v.as_str()))
}

/// Whether one of the package's locations is under `prefix`. A leading
/// `/` is not significant: catalogued locations are image paths, which a
/// rule may write as absolute or relative.
pub(crate) fn path_matches(prefix: &str, locations: &[String]) -> bool {
    let prefix = prefix.trim().trim_start_matches('/');
    locations
        .iter()
        .any(|l| l.trim_start_matches('/').starts_with(prefix))
}

/// Percent-decoding (`%40` → `@`, `%7E` → `~`); an invalid escape is kept
/// as written.
fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            if let Some(b) = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
            {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purls_compare_without_qualifiers_subpath_or_encoding() {
        let cases = [
            ("pkg:pypi/django", "pkg:pypi/django@4.2.1", true),
            ("pkg:pypi/Django@4.2.1", "pkg:pypi/django@4.2.1", true),
            ("pkg:pypi/django@4.2.0", "pkg:pypi/django@4.2.1", false),
            (
                "pkg:pypi/zope_interface",
                "pkg:pypi/zope.interface@6.0",
                true,
            ),
            ("pkg:pypi/flask", "pkg:pypi/django@4.2.1", false),
            ("pkg:npm/django", "pkg:pypi/django@4.2.1", false),
            (
                "pkg:deb/debian/openssl@3.0.11-1~deb12u2",
                "pkg:deb/debian/openssl@3.0.11-1%7Edeb12u2?arch=amd64&distro=debian-12",
                true,
            ),
            (
                "pkg:deb/debian/openssl?arch=arm64",
                "pkg:deb/debian/openssl@3.0",
                true,
            ),
            (
                "pkg:deb/ubuntu/openssl",
                "pkg:deb/debian/openssl@3.0",
                false,
            ),
            (
                "pkg:npm/%40angular/core",
                "pkg:npm/@angular/core@17.0.0",
                true,
            ),
            (
                "pkg:npm/@angular/core@17.0.0",
                "pkg:npm/%40angular/core@17.0.0",
                true,
            ),
            ("pkg:golang/a/b#sub/dir", "pkg:golang/a/b@v1.0.0", true),
            ("django", "pkg:pypi/django@4.2.1", false),
            ("pkg:pypi", "pkg:pypi/django@4.2.1", false),
        ];
        for (rule, package, want) in cases {
            assert_eq!(purl_matches(rule, package), want, "{rule} vs {package}");
        }
    }

    #[test]
    fn paths_are_prefixes_of_a_location() {
        let locs = vec!["usr/local/lib/python3.12/site-packages/django".to_owned()];
        assert!(path_matches("/usr/local/lib/", &locs));
        assert!(path_matches("usr/local", &locs));
        assert!(path_matches("/", &locs));
        assert!(!path_matches("/app/", &locs));
        assert!(!path_matches("/usr/lib/", &locs));
        assert!(!path_matches("/app/", &[]));
    }
}
