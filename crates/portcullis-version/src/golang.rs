//! Go module versions (`go help modules`, golang.org/x/mod/semver):
//! Semantic Versioning 2.0.0 with a mandatory `v` prefix.
//!
//! Pseudo-versions (`v0.0.0-20191109021931-daa7c04131f5`,
//! `v1.2.4-0.20191109021931-daa7c04131f5`) are ordinary pre-releases and so
//! order correctly by semver precedence alone. `+incompatible` is build
//! metadata and therefore ignored. Go also accepts the shorthands `v1` and
//! `v1.2` for `v1.0.0` and `v1.2.0`.
//!
//! Beyond module versions this accepts, because vulnerability data uses them:
//! the OSV spelling without `v` (`1.2.3`), and Go toolchain names of the
//! standard library (`go1.19.8` → 1.19.8, `go1.21rc2` → 1.21.0-rc.2,
//! `go1.9beta1` → 1.9.0-beta.1, `go1.21` → 1.21.0).

use std::cmp::Ordering;

use crate::npm::{parse_core, parse_pre, SemVer};
use crate::VersionError;

fn err(version: &str, reason: &str) -> VersionError {
    VersionError {
        scheme: "go",
        version: version.to_string(),
        reason: reason.to_string(),
    }
}

/// Parses a toolchain name after its `go` prefix, e.g. `1.21rc2`.
fn parse_toolchain(s: &str, orig: &str) -> Result<SemVer, VersionError> {
    // The numeric part ends where the first letter (the pre-release kind)
    // starts.
    let split = s.find(|c: char| c.is_ascii_alphabetic()).unwrap_or(s.len());
    let (nums, tail) = s.split_at(split);
    let fields: Vec<&str> = nums.split('.').collect();
    if fields.is_empty() || fields.len() > 3 {
        return Err(err(orig, "bad toolchain version"));
    }
    let mut padded = fields.clone();
    padded.resize(3, "0");
    let mut v = parse_core(&padded.join("."), "go", orig)?;
    if !tail.is_empty() {
        // `rc2` → `rc.2`: kind letters then an optional number.
        let d = tail
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(tail.len());
        let (kind, n) = tail.split_at(d);
        let pre = if n.is_empty() {
            kind.to_string()
        } else {
            format!("{kind}.{n}")
        };
        v.pre = parse_pre(&pre, "go", orig)?;
    }
    Ok(v)
}

/// Parses a Go version in any of the accepted spellings.
pub fn parse(input: &str) -> Result<SemVer, VersionError> {
    let s = input.trim();
    if let Some(t) = s.strip_prefix("go") {
        return parse_toolchain(t, input);
    }
    let s = s.strip_prefix('v').unwrap_or(s);
    // Expand the `v1` / `v1.2` shorthands (only valid without suffixes).
    let core_len = s.find(['-', '+']).unwrap_or(s.len());
    let dots = s[..core_len].matches('.').count();
    let expanded;
    let s = if core_len == s.len() && dots < 2 {
        expanded = format!("{s}{}", ".0".repeat(2 - dots));
        expanded.as_str()
    } else {
        s
    };
    parse_core(s, "go", input)
}

/// Compares two Go module (or toolchain) versions.
pub fn compare(a: &str, b: &str) -> Result<Ordering, VersionError> {
    Ok(parse(a)?.cmp(&parse(b)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lt(a: &str, b: &str) {
        assert_eq!(compare(a, b).unwrap(), Ordering::Less, "{a} < {b}");
        assert_eq!(compare(b, a).unwrap(), Ordering::Greater, "{b} > {a}");
    }

    #[test]
    fn module_versions() {
        let seq = [
            "v0.0.0-20191109021931-daa7c04131f5",
            "v0.0.0-20200101000000-aaaaaaaaaaaa",
            "v0.0.1",
            "v1.0.0-alpha",
            "v1.0.0-alpha.1",
            "v1.0.0-rc.1",
            "v1.0.0",
            "v1.2.3",
            "v1.2.4-0.20191109021931-daa7c04131f5",
            "v1.2.4",
            "v1.10.0",
            "v2.0.0+incompatible",
            "v2.1.0",
        ];
        for w in seq.windows(2) {
            lt(w[0], w[1]);
        }
        let eq = [
            ("v2.0.0+incompatible", "v2.0.0"),
            ("1.2.3", "v1.2.3"),
            ("v1", "v1.0.0"),
            ("v1.2", "v1.2.0"),
            ("go1.19.8", "1.19.8"),
            ("go1.21rc2", "1.21.0-rc.2"),
            ("go1.21", "v1.21.0"),
            ("go1.9beta1", "1.9.0-beta.1"),
        ];
        for (a, b) in eq {
            assert_eq!(compare(a, b).unwrap(), Ordering::Equal, "{a} == {b}");
        }
        lt("go1.21rc2", "go1.21.0");
        lt("go1.20.14", "go1.21rc1");
        lt("go1.9beta1", "go1.9rc1");
    }

    #[test]
    fn invalid() {
        for bad in [
            "",
            "v",
            "vx.y.z",
            "v1.2.3.4",
            "v01.2.3",
            "go",
            "gox",
            "v1.2-pre",
            "go1.2.3.4",
        ] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
    }
}
