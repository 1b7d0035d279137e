//! The software condition: presence, `=` regexes and the version operators
//! in each package's own scheme.

use portcullis_types::Ecosystem::{Apk, Deb, Npm, Pypi, Rpm};
use regex::Regex;

use super::support::*;
use crate::{Policy, SoftwareOp, SoftwareRule};

fn rule(name: &str, op: SoftwareOp, version: Option<&str>) -> SoftwareRule {
    SoftwareRule {
        text: format!("{name}{op:?}{}", version.unwrap_or("")),
        name: Regex::new(&format!("(?i)^(?:{name})$")).unwrap(),
        op,
        version: version.map(str::to_owned),
    }
}

fn policy(rules: Vec<SoftwareRule>) -> Policy {
    Policy {
        fail_software: rules,
        ..Policy::default()
    }
}

#[test]
fn presence_name_regex_and_eq_regex() {
    let fx = Fixture::packages(vec![
        package(Deb, "openssl", "1.1.1n-0+deb11u3"),
        package(Deb, "libssl1.1", "1.1.1n-0+deb11u3"),
        package(Rpm, "rpm-libs", "4.8.0-55.el6"),
    ]);
    // (rule, found)
    let table = [
        (
            rule("openssl", SoftwareOp::Any, None),
            Some("openssl=1.1.1n-0+deb11u3"),
        ),
        (
            rule("OpenSSL", SoftwareOp::Any, None),
            Some("openssl=1.1.1n-0+deb11u3"),
        ),
        // Whole-name: "ssl" does not match "openssl".
        (rule("ssl", SoftwareOp::Any, None), None),
        (
            rule("lib.*", SoftwareOp::Any, None),
            Some("libssl1.1=1.1.1n-0+deb11u3"),
        ),
        (
            rule("rpm-libs", SoftwareOp::Eq, Some("4.8.0-55.el6")),
            Some("rpm-libs=4.8.0-55.el6"),
        ),
        // Whole-version: a prefix is not enough.
        (rule("rpm-libs", SoftwareOp::Eq, Some("4.8.0")), None),
        (
            rule(".*", SoftwareOp::Eq, Some("1\\..*")),
            Some("libssl1.1=1.1.1n-0+deb11u3, openssl=1.1.1n-0+deb11u3"),
        ),
    ];
    for (r, found) in table {
        let text = r.text.clone();
        let ev = fx.eval(&policy(vec![r]));
        assert_eq!(ev.software.found.as_deref(), found, "{text}");
        assert_eq!(ev.pass, found.is_none(), "{text}");
        assert!(ev.errors.is_empty());
    }
}

#[test]
fn operators_compare_in_the_package_scheme() {
    let fx = Fixture::packages(vec![
        package(Deb, "openssl", "1.1.1n-0+deb11u3"),
        package(Pypi, "django", "4.2rc1"),
        package(Npm, "lodash", "4.17.21"),
        package(Rpm, "openssl-libs", "1:3.0.7-16.el9"),
        package(Apk, "busybox", "1.36.1-r2"),
    ]);
    // (name, op, version, matches)
    let table = [
        // deb: `n` sorts after the bare version; `~` before it.
        ("openssl", SoftwareOp::Lt, "3.0.7", true),
        ("openssl", SoftwareOp::Lt, "1.1.1m", false),
        ("openssl", SoftwareOp::Gt, "1.1.1", true),
        // No revision in the rule: the upstream version is compared.
        ("openssl", SoftwareOp::Le, "1.1.1n", true),
        ("openssl", SoftwareOp::Ge, "1.1.1n", true),
        ("openssl", SoftwareOp::Lt, "1.1.1n", false),
        // With a revision: the full version.
        ("openssl", SoftwareOp::Lt, "1.1.1n-0+deb11u4", true),
        ("openssl", SoftwareOp::Gt, "1.1.1n-0+deb11u3", false),
        ("openssl", SoftwareOp::Ge, "1.1.1n-0+deb11u3", true),
        // PEP 440: a release candidate precedes the release.
        ("django", SoftwareOp::Lt, "4.2", true),
        ("django", SoftwareOp::Ge, "4.2a1", true),
        ("django", SoftwareOp::Gt, "4.2", false),
        // SemVer: numeric, not lexical.
        ("lodash", SoftwareOp::Lt, "4.17.100", true),
        ("lodash", SoftwareOp::Le, "4.17.21", true),
        ("lodash", SoftwareOp::Gt, "4.9.0", true),
        // rpm: epoch first; the release only when the rule names one.
        ("openssl-libs", SoftwareOp::Lt, "1:3.0.8", true),
        ("openssl-libs", SoftwareOp::Le, "1:3.0.7", true),
        ("openssl-libs", SoftwareOp::Lt, "1:3.0.7-17.el9", true),
        ("openssl-libs", SoftwareOp::Gt, "3.1", true),
        // apk: -rN is the package release.
        ("busybox", SoftwareOp::Le, "1.36.1", true),
        ("busybox", SoftwareOp::Lt, "1.36.1-r3", true),
        ("busybox", SoftwareOp::Lt, "1.36.1-r2", false),
    ];
    for (name, op, version, matched) in table {
        let ev = fx.eval(&policy(vec![rule(name, op, Some(version))]));
        assert!(
            ev.errors.is_empty(),
            "{name} {op:?} {version}: {:?}",
            ev.errors
        );
        assert_eq!(ev.pass, !matched, "{name} {op:?} {version}");
    }
}

#[test]
fn reason_names_the_rule_and_sorted_packages() {
    let fx = Fixture::packages(vec![
        package(Deb, "openssl", "1.1.1n-0+deb11u3"),
        package(Deb, "curl", "7.74.0-1.3+deb11u7"),
    ]);
    let mut lt = rule("openssl", SoftwareOp::Lt, Some("3.0.7"));
    lt.text = "openssl<3.0.7".into();
    let mut any = rule("curl|openssl", SoftwareOp::Any, None);
    any.text = "curl|openssl".into();
    let ev = fx.eval(&policy(vec![lt, any]));
    assert_eq!(
        ev.reasons,
        [
            "software openssl<3.0.7 installed: openssl=1.1.1n-0+deb11u3",
            "software curl|openssl installed: curl=7.74.0-1.3+deb11u7, openssl=1.1.1n-0+deb11u3"
        ]
    );
    assert_eq!(
        ev.software.found.as_deref(),
        Some("curl=7.74.0-1.3+deb11u7, openssl=1.1.1n-0+deb11u3")
    );
    assert_eq!(
        ev.software.configured.as_deref(),
        Some("openssl<3.0.7, curl|openssl")
    );
}

#[test]
fn unreadable_versions_fail_closed() {
    let fx = Fixture::packages(vec![package(Pypi, "django", "not a version!")]);
    let ev = fx.eval(&policy(vec![rule("django", SoftwareOp::Lt, Some("4.2"))]));
    assert!(!ev.pass);
    assert!(ev.reasons.is_empty());
    assert!(
        ev.errors[0]
            .starts_with("software rule djangoLt4.2 cannot be evaluated: pypi package django"),
        "{:?}",
        ev.errors
    );
    // A rule version the scheme cannot read, too.
    let fx = Fixture::packages(vec![package(Npm, "lodash", "4.17.21")]);
    let ev = fx.eval(&policy(vec![rule("lodash", SoftwareOp::Ge, Some("four"))]));
    assert!(!ev.pass && !ev.errors.is_empty());
    // Packages the rule does not name are never compared.
    let ev = fx.eval(&policy(vec![rule("django", SoftwareOp::Ge, Some("four"))]));
    assert!(ev.pass);
}

#[test]
fn software_ignores_findings_and_exclusions() {
    let mut fx = Fixture::packages(vec![package(Deb, "openssl", "3.0.11-1")]);
    fx.findings = vec![finding_with("CVE-2024-0001", 5, |f| {
        f.type_detected = portcullis_match::TypeDetected::Potential
    })];
    let ev = fx.eval(&policy(vec![rule("openssl", SoftwareOp::Any, None)]));
    assert!(!ev.pass);
    assert_eq!(verdict_names(&ev), ["excluded"]);
}
