//! Operating-system identification.
//!
//! Reads `etc/os-release` (falling back to `usr/lib/os-release`, as the
//! os-release(5) man page prescribes), then the distro-specific files
//! `etc/debian_version`, `etc/alpine-release`, `etc/redhat-release`,
//! `etc/system-release` for images that lack os-release.

use portcullis_catalog::{DistroDetector, Snapshot};
use portcullis_types::Distro;

/// The distro detector.
pub struct OsRelease;

const PATHS: &[&str] = &[
    "etc/os-release",
    "usr/lib/os-release",
    "etc/debian_version",
    "etc/alpine-release",
    "etc/redhat-release",
    "etc/system-release",
];

impl DistroDetector for OsRelease {
    fn wants(&self, path: &str) -> bool {
        PATHS.contains(&path)
    }

    fn detect(&self, snapshot: &Snapshot) -> Option<Distro> {
        for path in ["etc/os-release", "usr/lib/os-release"] {
            if let Some(d) = snapshot
                .get(path)
                .and_then(|f| parse_os_release(&String::from_utf8_lossy(f.content)))
            {
                return Some(d);
            }
        }
        let text = |p: &str| {
            snapshot
                .get(p)
                .map(|f| String::from_utf8_lossy(f.content).trim().to_owned())
        };
        if let Some(v) = text("etc/alpine-release") {
            return Some(Distro {
                id: "alpine".into(),
                version_id: Some(v),
                ..Distro::default()
            });
        }
        if let Some(v) = text("etc/debian_version") {
            let major = v.split('.').next().unwrap_or(&v).to_owned();
            return Some(Distro {
                id: "debian".into(),
                version_id: Some(major),
                ..Distro::default()
            });
        }
        text("etc/redhat-release")
            .or_else(|| text("etc/system-release"))
            .and_then(|t| parse_redhat_release(&t))
    }
}

/// Parses the shell-like `KEY=value` syntax of os-release(5).
pub fn parse_os_release(text: &str) -> Option<Distro> {
    let mut d = Distro::default();
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('#') {
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        let value = unquote(value.trim());
        match key.trim() {
            "ID" => d.id = value.to_lowercase(),
            "VERSION_ID" => d.version_id = Some(value),
            "VERSION_CODENAME" => d.codename = Some(value),
            "PRETTY_NAME" => d.pretty_name = Some(value),
            "ID_LIKE" => d.id_like = value.split_whitespace().map(str::to_owned).collect(),
            _ => {}
        }
    }
    (!d.id.is_empty()).then_some(d)
}

fn unquote(v: &str) -> String {
    let inner = v
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .or_else(|| v.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')))
        .unwrap_or(v);
    inner.replace("\\\"", "\"").replace("\\\\", "\\")
}

/// `Rocky Linux release 9.2 (Blue Onyx)` → rocky 9.2.
fn parse_redhat_release(text: &str) -> Option<Distro> {
    let lower = text.to_lowercase();
    let id = [
        ("rocky", "rocky"),
        ("alma", "almalinux"),
        ("centos", "centos"),
        ("fedora", "fedora"),
        ("amazon", "amzn"),
        ("red hat", "rhel"),
    ]
    .iter()
    .find(|(needle, _)| lower.contains(needle))
    .map(|(_, id)| *id)?;
    let version = lower
        .split_once("release ")
        .map(|(_, rest)| rest.split_whitespace().next().unwrap_or("").to_owned());
    Some(Distro {
        id: id.into(),
        version_id: version,
        pretty_name: Some(text.to_owned()),
        ..Distro::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_debian_and_quotes() {
        let d = parse_os_release("PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\nVERSION_CODENAME=bookworm\nID=debian\n").unwrap();
        assert_eq!(
            (
                d.id.as_str(),
                d.version_id.as_deref(),
                d.codename.as_deref()
            ),
            ("debian", Some("12"), Some("bookworm"))
        );
        assert_eq!(
            d.pretty_name.as_deref(),
            Some("Debian GNU/Linux 12 (bookworm)")
        );
        assert!(parse_os_release("garbage\n=\n").is_none());
    }

    #[test]
    fn parses_redhat_release() {
        let d = parse_redhat_release("Rocky Linux release 9.2 (Blue Onyx)").unwrap();
        assert_eq!(
            (d.id.as_str(), d.version_id.as_deref()),
            ("rocky", Some("9.2"))
        );
    }
}
