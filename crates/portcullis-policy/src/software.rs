//! The software condition: fails when a package matching a rule is
//! installed, whether or not it has findings and whatever was excluded
//! (reference §4.2). Unlike the vendor connector, whose `<`, `<=`, `>`,
//! `>=` were parsed but never matched (§7.8), the operators compare in the
//! package's own version scheme, and a version the scheme cannot read is an
//! evaluation error (fail closed) rather than a silent non-match.

use std::cmp::Ordering;
use std::collections::BTreeSet;

use portcullis_types::{Ecosystem, Package};
use portcullis_version::{deb, Scheme, VersionError};
use regex::Regex;

use crate::conditions::capped;
use crate::model::{Policy, SoftwareOp, SoftwareRule};
use crate::result::{Evaluation, ListCondition};

/// Compares two versions of `ecosystem` with the comparator the matcher
/// uses for that ecosystem's ranges (portcullis-match `Comparator::
/// for_ecosystem`, which is crate-private there): dpkg lenient like `dpkg
/// --compare-versions`, SemVer for npm and crates, and each other
/// ecosystem's own scheme.
pub(crate) fn compare(ecosystem: Ecosystem, a: &str, b: &str) -> Result<Ordering, VersionError> {
    let scheme = match ecosystem {
        Ecosystem::Deb => return deb::compare_lenient(a, b),
        Ecosystem::Rpm => Scheme::Rpm,
        Ecosystem::Apk => Scheme::Apk,
        Ecosystem::Pypi => Scheme::Pep440,
        Ecosystem::Npm | Ecosystem::Cargo => Scheme::Npm,
        Ecosystem::Go => Scheme::Go,
        Ecosystem::Maven => Scheme::Maven,
    };
    scheme.compare(a, b)
}

/// The installed version to compare with a rule version. OS package
/// versions carry a distro revision (`3.0.7-1`, `3.0.7-1.el9`, `3.0.7-r0`);
/// a rule that names none (`openssl<=3.0.7`) means the upstream version,
/// so the installed revision is dropped too — otherwise `3.0.7-1` would be
/// "greater than 3.0.7" and `<=` would never match the release it names.
fn comparable<'v>(ecosystem: Ecosystem, installed: &'v str, rule: &str) -> &'v str {
    let revision_sep = match ecosystem {
        Ecosystem::Deb | Ecosystem::Rpm => "-",
        Ecosystem::Apk => "-r",
        _ => return installed,
    };
    if rule.contains(revision_sep) {
        return installed;
    }
    match installed.rfind(revision_sep) {
        Some(at)
            if ecosystem != Ecosystem::Apk
                || installed[at + 2..].chars().all(|c| c.is_ascii_digit()) =>
        {
            &installed[..at]
        }
        _ => installed,
    }
}

/// Whether `pkg` matches `rule`; `Err` with a message when its version
/// cannot be compared.
fn matches(rule: &SoftwareRule, version_re: Option<&Regex>, pkg: &Package) -> Result<bool, String> {
    if !rule.name.is_match(&pkg.name) {
        return Ok(false);
    }
    let wanted = match (rule.op, rule.version.as_deref()) {
        (SoftwareOp::Any, _) => return Ok(true),
        (SoftwareOp::Eq, _) => return Ok(version_re.is_some_and(|re| re.is_match(&pkg.version))),
        (_, Some(v)) => v,
        (_, None) => return Err("the rule has no version to compare with".to_owned()),
    };
    let installed = comparable(pkg.ecosystem, &pkg.version, wanted);
    let order = compare(pkg.ecosystem, installed, wanted).map_err(|e| {
        format!(
            "{} package {} {}: {e}",
            pkg.ecosystem.as_str(),
            pkg.name,
            pkg.version
        )
    })?;
    Ok(match rule.op {
        SoftwareOp::Lt => order == Ordering::Less,
        SoftwareOp::Le => order != Ordering::Greater,
        SoftwareOp::Gt => order == Ordering::Greater,
        SoftwareOp::Ge => order != Ordering::Less,
        SoftwareOp::Any | SoftwareOp::Eq => unreachable!("handled above"),
    })
}

/// The `=` rule's version regex, anchored on the whole version
/// (case-sensitive, as the vendor's `String.matches`).
fn version_regex(rule: &SoftwareRule) -> Result<Option<Regex>, String> {
    match (rule.op, rule.version.as_deref()) {
        (SoftwareOp::Eq, Some(v)) => Regex::new(&format!("^(?:{v})$"))
            .map(Some)
            .map_err(|e| format!("invalid version regex {v:?}: {e}")),
        (SoftwareOp::Eq, None) => Err("the rule has no version regex".to_owned()),
        _ => Ok(None),
    }
}

/// Evaluates every software rule over the installed packages.
pub(crate) fn software(policy: &Policy, packages: &[Package], ev: &mut Evaluation) {
    let mut found = BTreeSet::new();
    for rule in &policy.fail_software {
        let version_re = match version_regex(rule) {
            Ok(re) => re,
            Err(e) => {
                ev.errors.push(format!("software rule {}: {e}", rule.text));
                continue;
            }
        };
        let mut hits = BTreeSet::new();
        let mut errors = Vec::new();
        for pkg in packages {
            match matches(rule, version_re.as_ref(), pkg) {
                Ok(true) => {
                    hits.insert(format!("{}={}", pkg.name, pkg.version));
                }
                Ok(false) => {}
                Err(e) => errors.push(e),
            }
        }
        if !errors.is_empty() {
            errors.sort();
            errors.dedup();
            ev.errors.push(format!(
                "software rule {} cannot be evaluated: {}",
                rule.text,
                capped(&errors)
            ));
        }
        if !hits.is_empty() {
            let hits: Vec<String> = hits.into_iter().collect();
            ev.reasons.push(format!(
                "software {} installed: {}",
                rule.text,
                hits.join(", ")
            ));
            found.extend(hits);
        }
    }
    let found: Vec<String> = found.into_iter().collect();
    let configured: Vec<&str> = policy
        .fail_software
        .iter()
        .map(|r| r.text.as_str())
        .collect();
    ev.software = ListCondition {
        configured: (!configured.is_empty()).then(|| configured.join(", ")),
        result: found.is_empty(),
        found: (!found.is_empty()).then(|| found.join(", ")),
        excluded: None,
    };
}
