//! The platform reports an operating-system name and bare package
//! name/version pairs, not ecosystems. Reports, purls and the software
//! condition's version comparison need one, so it is guessed here, best
//! effort, in this order:
//!
//! 1. the package's `packagePath`, when the platform gives one (language
//!    packages: `.jar` → maven, `site-packages`/`.dist-info` → pypi,
//!    `node_modules`/`package.json` → npm);
//! 2. the image's OS: Debian/Ubuntu → deb, Alpine/Wolfi → apk, the RHEL
//!    family, Fedora, Amazon, SUSE, Photon, Mariner → rpm;
//! 3. the version's distro markers (`+deb`, `ubuntu` → deb; `-rN` → apk;
//!    `.elN`, `.fcN`, `.amznN` → rpm);
//! 4. otherwise deb, and the caller is told how many packages were assumed.

use portcullis_types::{Distro, Ecosystem};

/// The distro and its package ecosystem from `operatingSystem`
/// (`Debian Linux 11.6`, `Ubuntu 22.04.3 LTS`, `Alpine Linux 3.18.4`, …).
pub(crate) fn distro(os: &str) -> Option<(Distro, Ecosystem)> {
    let lower = os.to_ascii_lowercase();
    const TABLE: &[(&str, &str, Ecosystem)] = &[
        ("ubuntu", "ubuntu", Ecosystem::Deb),
        ("debian", "debian", Ecosystem::Deb),
        ("alpine", "alpine", Ecosystem::Apk),
        ("wolfi", "wolfi", Ecosystem::Apk),
        ("red hat", "rhel", Ecosystem::Rpm),
        ("rhel", "rhel", Ecosystem::Rpm),
        ("centos", "centos", Ecosystem::Rpm),
        ("rocky", "rocky", Ecosystem::Rpm),
        ("alma", "almalinux", Ecosystem::Rpm),
        ("oracle", "ol", Ecosystem::Rpm),
        ("amazon", "amzn", Ecosystem::Rpm),
        ("fedora", "fedora", Ecosystem::Rpm),
        ("opensuse", "opensuse", Ecosystem::Rpm),
        ("suse", "sles", Ecosystem::Rpm),
        ("photon", "photon", Ecosystem::Rpm),
        ("mariner", "mariner", Ecosystem::Rpm),
        ("azure linux", "azurelinux", Ecosystem::Rpm),
    ];
    let (_, id, eco) = TABLE.iter().find(|(needle, _, _)| lower.contains(needle))?;
    let mut version = os
        .split_whitespace()
        .find(|w| w.starts_with(|c: char| c.is_ascii_digit()))
        .map(str::to_owned);
    // Debian's os-release VERSION_ID is the major release only.
    if *id == "debian" {
        version = version.map(|v| v.split('.').next().unwrap_or_default().to_owned());
    }
    let distro = Distro {
        id: (*id).to_owned(),
        version_id: version,
        codename: None,
        pretty_name: Some(os.to_owned()),
        id_like: Vec::new(),
    };
    Some((distro, *eco))
}

/// The ecosystem of one package, and whether it was only assumed (rule 4).
pub(crate) fn ecosystem(
    os_ecosystem: Option<Ecosystem>,
    version: &str,
    path: Option<&str>,
) -> (Ecosystem, bool) {
    if let Some(eco) = path.and_then(from_path) {
        return (eco, false);
    }
    if let Some(eco) = os_ecosystem {
        return (eco, false);
    }
    if let Some(eco) = from_version(version) {
        return (eco, false);
    }
    (Ecosystem::Deb, true)
}

fn from_path(path: &str) -> Option<Ecosystem> {
    let p = path.to_ascii_lowercase();
    if p.ends_with(".jar") || p.ends_with(".war") || p.ends_with(".ear") || p.contains(".jar!") {
        Some(Ecosystem::Maven)
    } else if p.contains("site-packages")
        || p.contains("dist-packages")
        || p.contains(".dist-info")
        || p.contains(".egg-info")
    {
        Some(Ecosystem::Pypi)
    } else if p.contains("node_modules") || p.ends_with("package.json") {
        Some(Ecosystem::Npm)
    } else {
        None
    }
}

fn from_version(v: &str) -> Option<Ecosystem> {
    let l = v.to_ascii_lowercase();
    if l.contains("+deb") || l.contains("ubuntu") {
        return Some(Ecosystem::Deb);
    }
    if let Some((_, rel)) = l.rsplit_once("-r") {
        if !rel.is_empty() && rel.bytes().all(|b| b.is_ascii_digit()) {
            return Some(Ecosystem::Apk);
        }
    }
    let rpm_marker = [".el", ".fc", ".amzn", ".cm", ".ph"].iter().any(|m| {
        l.match_indices(m)
            .any(|(i, _)| l[i + m.len()..].starts_with(|c: char| c.is_ascii_digit()))
    });
    rpm_marker.then_some(Ecosystem::Rpm)
}

#[cfg(test)]
mod tests {
    use portcullis_types::Ecosystem;

    use super::{distro, ecosystem};

    #[test]
    fn distros() {
        let (d, e) = distro("Debian Linux 11.6").unwrap();
        assert_eq!(
            (d.id.as_str(), d.version_id.as_deref(), e),
            ("debian", Some("11"), Ecosystem::Deb)
        );
        let (d, e) = distro("Ubuntu 22.04.3 LTS").unwrap();
        assert_eq!(
            (d.id.as_str(), d.version_id.as_deref(), e),
            ("ubuntu", Some("22.04.3"), Ecosystem::Deb)
        );
        assert_eq!(distro("Alpine Linux 3.18.4").unwrap().1, Ecosystem::Apk);
        assert_eq!(distro("Red Hat Enterprise Linux 9.2").unwrap().0.id, "rhel");
        assert_eq!(distro("Amazon Linux 2").unwrap().1, Ecosystem::Rpm);
        assert!(distro("Windows Server 2022").is_none());
        assert!(distro("").is_none());
    }

    #[test]
    fn packages() {
        assert_eq!(
            ecosystem(Some(Ecosystem::Deb), "1", Some("/app/lib/x.jar")),
            (Ecosystem::Maven, false)
        );
        assert_eq!(
            ecosystem(
                Some(Ecosystem::Deb),
                "1",
                Some("/usr/lib/python3/site-packages/x")
            ),
            (Ecosystem::Pypi, false)
        );
        assert_eq!(
            ecosystem(Some(Ecosystem::Apk), "1", None),
            (Ecosystem::Apk, false)
        );
        assert_eq!(
            ecosystem(None, "1.1.1n-0+deb11u3", None),
            (Ecosystem::Deb, false)
        );
        assert_eq!(ecosystem(None, "3.1.2-r0", None), (Ecosystem::Apk, false));
        assert_eq!(
            ecosystem(None, "1.0.2k-26.el7_9", None),
            (Ecosystem::Rpm, false)
        );
        assert_eq!(ecosystem(None, "1.2.3", None), (Ecosystem::Deb, true));
    }
}
