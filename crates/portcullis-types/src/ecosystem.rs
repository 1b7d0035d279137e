use std::fmt;

use serde::{Deserialize, Serialize};

/// The closed set of package ecosystems portcullis understands.
///
/// Adding a variant makes the compiler point at every `match` that must
/// learn about it (version scheme, purl type, matcher).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Ecosystem {
    /// Debian/Ubuntu dpkg packages.
    Deb,
    /// Alpine/Wolfi apk packages.
    Apk,
    /// RPM packages (RHEL family, Fedora, SUSE, Amazon).
    Rpm,
    /// Python distributions (PyPI).
    Pypi,
    /// npm packages.
    Npm,
    /// Go modules (and the Go standard library as `stdlib`).
    Go,
    /// Java artifacts identified by Maven coordinates.
    Maven,
    /// Rust crates.
    Cargo,
}

impl Ecosystem {
    /// The lowercase name used in reports (`deb`, `apk`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Ecosystem::Deb => "deb",
            Ecosystem::Apk => "apk",
            Ecosystem::Rpm => "rpm",
            Ecosystem::Pypi => "pypi",
            Ecosystem::Npm => "npm",
            Ecosystem::Go => "go",
            Ecosystem::Maven => "maven",
            Ecosystem::Cargo => "cargo",
        }
    }

    /// The name as the ecosystem compares it: PEP 503 for Python
    /// (`Jinja2` → `jinja2`, `zope.interface` → `zope-interface`), because
    /// advisories and installers spell the same distribution differently;
    /// verbatim elsewhere.
    pub fn normalize_name(self, name: &str) -> String {
        if self != Ecosystem::Pypi {
            return name.to_owned();
        }
        let mut out = String::with_capacity(name.len());
        let mut in_separator = false;
        for c in name.trim().chars() {
            if matches!(c, '-' | '_' | '.') {
                if !in_separator {
                    out.push('-');
                }
                in_separator = true;
            } else {
                out.extend(c.to_lowercase());
                in_separator = false;
            }
        }
        out
    }

    /// Whether the packages come from an operating-system package manager
    /// (matched against the distro's own advisories, by source package).
    pub fn is_os(self) -> bool {
        matches!(self, Ecosystem::Deb | Ecosystem::Apk | Ecosystem::Rpm)
    }
}

impl fmt::Display for Ecosystem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
