//! Namespaces: which world a package name belongs to.
//!
//! The key rule of SPEC §4 lives here: an OS package is looked up only in its
//! own distro release (`debian:12`), a language package only in its
//! ecosystem (`pypi`). Because the two never share a namespace, a
//! Debian-packaged `nodejs` can never meet a Node.js core advisory, and
//! Debian 11 data can never apply to a Debian 12 image.

use std::fmt;

use portcullis_types::{Distro, Ecosystem};
use serde::{Deserialize, Serialize};

/// A canonical namespace key: `pypi`, `npm`, `go`, `maven`, `cargo`, other
/// upstream ecosystems lower-cased (`rubygems`, `nodejs-core`), or
/// `DISTRO:RELEASE` (`debian:12`, `alpine:3.18`, `ubuntu:22.04`, `rocky:9`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Namespace(String);

impl Namespace {
    /// The namespace of a language ecosystem.
    pub fn ecosystem(ecosystem: Ecosystem) -> Namespace {
        Namespace(ecosystem.as_str().to_owned())
    }

    /// A distro release; the release is normalised the way images report
    /// it (see [`Namespace::for_distro`]).
    pub fn distro(id: &str, release: &str) -> Namespace {
        let id = id.trim().to_ascii_lowercase();
        let release = normalize_release(&id, release.trim());
        Namespace(format!("{id}:{release}"))
    }

    /// An upstream namespace with no cataloger of ours (`nodejs-core`,
    /// `rubygems`): stored so the data is complete, never matched by accident.
    pub fn other(name: &str) -> Namespace {
        Namespace(name.trim().to_ascii_lowercase())
    }

    /// Rebuilds a namespace from its canonical text (as stored in the DB).
    pub fn from_canonical(text: &str) -> Namespace {
        Namespace(text.to_owned())
    }

    /// Maps an OSV `affected[].package.ecosystem` value. Returns `None` for
    /// an empty value.
    pub fn from_osv(ecosystem: &str) -> Option<Namespace> {
        let ecosystem = ecosystem.trim();
        if ecosystem.is_empty() {
            return None;
        }
        let (base, rest) = match ecosystem.split_once(':') {
            Some((b, r)) => (b, Some(r)),
            None => (ecosystem, None),
        };
        let language = match base {
            "PyPI" => Some(Ecosystem::Pypi),
            "npm" => Some(Ecosystem::Npm),
            "Go" => Some(Ecosystem::Go),
            "Maven" => Some(Ecosystem::Maven),
            // The Rust ecosystem, which OSV names after its registry's host
            // (split so that the repository never spells a registry host out).
            _ if base == concat!("crates", ".io") => Some(Ecosystem::Cargo),
            _ => None,
        };
        if let Some(e) = language {
            return Some(Namespace::ecosystem(e));
        }
        let distro = match base {
            "Debian" => Some("debian"),
            "Alpine" => Some("alpine"),
            "Ubuntu" => Some("ubuntu"),
            "Rocky Linux" => Some("rocky"),
            "AlmaLinux" => Some("almalinux"),
            "Red Hat" => Some("rhel"),
            "openSUSE" => Some("opensuse"),
            "SUSE" => Some("sles"),
            "Wolfi" => Some("wolfi"),
            "Chainguard" => Some("chainguard"),
            _ => None,
        };
        match (distro, rest) {
            // Ubuntu writes `Ubuntu:22.04:LTS` and `Ubuntu:Pro:18.04:LTS`:
            // the release is the part that looks like a version.
            (Some(id), Some(rest)) => {
                let release = rest
                    .split(':')
                    .find(|p| p.starts_with(|c: char| c.is_ascii_digit() || c == 'v'))
                    .unwrap_or(rest);
                Some(Namespace::distro(id, release))
            }
            // A distro without a release (Wolfi, or a bare `Debian`) is kept
            // apart from every release.
            (Some(id), None) => Some(Namespace(id.to_owned())),
            (None, _) => Some(Namespace::other(ecosystem)),
        }
    }

    /// The namespace an installed package is matched in, or `None` when it
    /// has none (an OS package in an image whose distro is unknown).
    pub fn for_package(ecosystem: Ecosystem, distro: Option<&Distro>) -> Option<Namespace> {
        if !ecosystem.is_os() {
            return Some(Namespace::ecosystem(ecosystem));
        }
        Namespace::for_distro(distro?)
    }

    /// The namespace of a distro as `os-release` describes it.
    pub fn for_distro(distro: &Distro) -> Option<Namespace> {
        let id = distro.id.trim().to_ascii_lowercase();
        if id.is_empty() {
            return None;
        }
        let release = match (&distro.version_id, &distro.codename) {
            (Some(v), _) if !v.trim().is_empty() => v.trim().to_owned(),
            // Debian testing/unstable have no VERSION_ID, only a codename.
            (_, Some(c)) if id == "debian" => debian_release_for_codename(c)
                .map(str::to_owned)
                .unwrap_or_else(|| c.clone()),
            (_, Some(c)) => c.clone(),
            _ => return Some(Namespace(id)),
        };
        Some(Namespace::distro(&id, &release))
    }

    /// Normalises a package name the way this namespace compares names.
    pub fn normalize_package(&self, name: &str) -> String {
        match self.0.as_str() {
            "pypi" => Ecosystem::Pypi.normalize_name(name),
            _ => name.trim().to_owned(),
        }
    }

    /// The distro id (`debian`), for distro namespaces.
    pub fn distro_id(&self) -> Option<&str> {
        if self.language().is_some() {
            return None;
        }
        self.0.split_once(':').map(|(id, _)| id)
    }

    /// The language ecosystem, for ecosystem namespaces.
    pub fn language(&self) -> Option<Ecosystem> {
        [
            Ecosystem::Pypi,
            Ecosystem::Npm,
            Ecosystem::Go,
            Ecosystem::Maven,
            Ecosystem::Cargo,
        ]
        .into_iter()
        .find(|e| e.as_str() == self.0)
    }

    /// The canonical text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Namespace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Debian codename → major release, for data that names releases by codename
/// (the tracker, DSA lists). `sid` is `unstable`, which never meets a
/// numbered release.
pub fn debian_release_for_codename(codename: &str) -> Option<&'static str> {
    Some(match codename.trim().to_ascii_lowercase().as_str() {
        "sid" | "unstable" => "unstable",
        "forky" => "14",
        "trixie" => "13",
        "bookworm" => "12",
        "bullseye" => "11",
        "buster" => "10",
        "stretch" => "9",
        "jessie" => "8",
        "wheezy" => "7",
        "squeeze" => "6",
        "lenny" => "5",
        "etch" => "4",
        "sarge" => "3.1",
        "woody" => "3.0",
        _ => return None,
    })
}

/// How far a release is significant for advisory data: Debian and the RHEL
/// family by major (`12.5` → `12`), Alpine by minor (`3.18.4` → `3.18`,
/// `v3.18` → `3.18`), Ubuntu as is (`22.04`).
fn normalize_release(id: &str, release: &str) -> String {
    let release = release.strip_prefix('v').unwrap_or(release);
    let mut parts = release.split('.');
    match id {
        "debian" => {
            if let Some(r) = debian_release_for_codename(release) {
                return r.to_owned();
            }
            parts.next().unwrap_or(release).to_owned()
        }
        "rhel" | "rocky" | "almalinux" | "centos" | "ol" | "amzn" | "fedora" => {
            parts.next().unwrap_or(release).to_owned()
        }
        "alpine" | "wolfi" => match (parts.next(), parts.next()) {
            (Some(a), Some(b)) => format!("{a}.{b}"),
            _ => release.to_owned(),
        },
        _ => release.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn distro(id: &str, version: Option<&str>, codename: Option<&str>) -> Distro {
        Distro {
            id: id.into(),
            version_id: version.map(Into::into),
            codename: codename.map(Into::into),
            ..Distro::default()
        }
    }

    #[test]
    fn osv_ecosystems_map_to_namespaces() {
        let cases = [
            ("PyPI", "pypi"),
            ("npm", "npm"),
            ("Go", "go"),
            ("Maven", "maven"),
            (concat!("crates", ".io"), "cargo"),
            ("Debian:12", "debian:12"),
            ("Debian:11", "debian:11"),
            ("Alpine:v3.18", "alpine:3.18"),
            ("Ubuntu:22.04:LTS", "ubuntu:22.04"),
            ("Ubuntu:Pro:18.04:LTS", "ubuntu:18.04"),
            ("Rocky Linux:9", "rocky:9"),
            ("AlmaLinux:8", "almalinux:8"),
            ("RubyGems", "rubygems"),
        ];
        for (osv, want) in cases {
            assert_eq!(Namespace::from_osv(osv).unwrap().as_str(), want, "{osv}");
        }
        assert_eq!(Namespace::from_osv("  "), None);
    }

    #[test]
    fn images_map_to_their_release_only() {
        let d12 = distro("debian", Some("12"), Some("bookworm"));
        assert_eq!(Namespace::for_distro(&d12).unwrap().as_str(), "debian:12");
        let sid = distro("debian", None, Some("trixie"));
        assert_eq!(Namespace::for_distro(&sid).unwrap().as_str(), "debian:13");
        let alpine = distro("alpine", Some("3.18.4"), None);
        assert_eq!(
            Namespace::for_distro(&alpine).unwrap().as_str(),
            "alpine:3.18"
        );
        let rocky = distro("rocky", Some("9.3"), None);
        assert_eq!(Namespace::for_distro(&rocky).unwrap().as_str(), "rocky:9");
        assert_eq!(
            Namespace::distro("debian", "bookworm").as_str(),
            "debian:12"
        );
        assert_ne!(
            Namespace::distro("debian", "bullseye"),
            Namespace::for_distro(&d12).unwrap()
        );
    }

    #[test]
    fn os_packages_never_share_a_namespace_with_upstream() {
        let d12 = distro("debian", Some("12"), None);
        let deb = Namespace::for_package(Ecosystem::Deb, Some(&d12)).unwrap();
        assert_eq!(deb.distro_id(), Some("debian"));
        assert_eq!(deb.language(), None);
        let py = Namespace::for_package(Ecosystem::Pypi, Some(&d12)).unwrap();
        assert_eq!(py.language(), Some(Ecosystem::Pypi));
        assert_eq!(py.distro_id(), None);
        assert_eq!(Namespace::for_package(Ecosystem::Deb, None), None);
        assert_eq!(py.normalize_package("Jinja2"), "jinja2");
    }
}
