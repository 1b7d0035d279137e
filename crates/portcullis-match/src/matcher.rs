//! Walks an inventory, looks each package up by index and evaluates the
//! rows found.

use std::collections::HashMap;
use std::rc::Rc;

use portcullis_advisory::{Advisory, Namespace};
use portcullis_db::{Candidate, Db, NvdScores};
use portcullis_types::{Distro, Ecosystem, Inventory, Package};
use serde::Serialize;

use crate::evaluate::{evaluate, Comparator, Verdict};
use crate::merge::{merge, Hit};
use crate::{Finding, MatchError};

/// A package that was not matched, and why (SPEC §11: gaps are visible).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NotMatched {
    /// Ecosystem.
    pub ecosystem: Ecosystem,
    /// Name.
    pub name: String,
    /// Version.
    pub version: String,
    /// Why.
    pub reason: String,
}

/// The findings of one inventory, plus the packages that could not be matched.
#[derive(Clone, Debug, PartialEq)]
pub struct MatchOutcome {
    /// Findings, sorted.
    pub findings: Vec<Finding>,
    /// Packages left unmatched, sorted.
    pub not_matched: Vec<NotMatched>,
}

/// How a package is looked up: namespace, names to try, version to compare.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LookupKeys {
    /// Namespace (`debian:12`, `pypi`).
    pub namespace: Namespace,
    /// Names to look up: the source package first for OS packages (rpm also
    /// tries the binary name, as some distros' data is keyed that way).
    pub names: Vec<String>,
    /// The version compared: the source version for dpkg (the tracker's
    /// fixed versions are source versions; binNMUs add `+bN` to binaries).
    pub version: String,
}

/// The lookup keys of a package, or the reason it has none.
pub fn lookup_keys(package: &Package, distro: Option<&Distro>) -> Result<LookupKeys, String> {
    let ecosystem = package.ecosystem;
    if !ecosystem.is_os() {
        if let Some(owner) = &package.owned_by {
            return Err(format!(
                "installed by the OS package {owner}: matched through the distro's data only"
            ));
        }
    }
    let namespace = Namespace::for_package(ecosystem, distro).ok_or_else(|| {
        "the image's distro is unknown, so its OS packages cannot be matched".to_owned()
    })?;
    let (names, version) = match ecosystem {
        Ecosystem::Deb | Ecosystem::Apk => {
            let source = package
                .source_name
                .clone()
                .unwrap_or_else(|| package.name.clone());
            let version = match ecosystem {
                Ecosystem::Deb => package.source_version.clone(),
                _ => None,
            };
            (
                vec![source],
                version.unwrap_or_else(|| package.version.clone()),
            )
        }
        Ecosystem::Rpm => {
            let mut names = vec![package
                .source_name
                .clone()
                .unwrap_or_else(|| package.name.clone())];
            if !names.contains(&package.name) {
                names.push(package.name.clone());
            }
            (names, package.version.clone())
        }
        _ => (
            vec![namespace.normalize_package(&package.name)],
            package.version.clone(),
        ),
    };
    if version.trim().is_empty() {
        return Err("no version recorded".to_owned());
    }
    Ok(LookupKeys {
        namespace,
        names,
        version,
    })
}

/// Per-run caches: several binaries share one source package, and one
/// advisory concerns many packages.
#[derive(Default)]
pub(crate) struct Cache {
    candidates: HashMap<(Namespace, String), Rc<Vec<Candidate>>>,
    advisories: HashMap<i64, Rc<Advisory>>,
    // A CVE shared by many packages (one source package's binaries, a
    // library vendored twice) is scored once per run.
    nvd: HashMap<String, Option<Rc<NvdScores>>>,
}

impl Cache {
    pub(crate) fn candidates(
        &mut self,
        db: &Db,
        namespace: &Namespace,
        name: &str,
    ) -> Result<Rc<Vec<Candidate>>, MatchError> {
        let key = (namespace.clone(), name.to_owned());
        if let Some(c) = self.candidates.get(&key) {
            return Ok(c.clone());
        }
        let found = Rc::new(db.candidates(namespace, name)?);
        self.candidates.insert(key, found.clone());
        Ok(found)
    }

    pub(crate) fn nvd(&mut self, db: &Db, cve: &str) -> Result<Option<Rc<NvdScores>>, MatchError> {
        if let Some(n) = self.nvd.get(cve) {
            return Ok(n.clone());
        }
        let n = db.nvd(cve)?.map(Rc::new);
        self.nvd.insert(cve.to_owned(), n.clone());
        Ok(n)
    }

    pub(crate) fn advisory(&mut self, db: &Db, key: i64) -> Result<Rc<Advisory>, MatchError> {
        if let Some(a) = self.advisories.get(&key) {
            return Ok(a.clone());
        }
        let a = Rc::new(db.advisory(key)?);
        self.advisories.insert(key, a.clone());
        Ok(a)
    }
}

/// Matches every package of an inventory.
pub fn match_inventory(db: &Db, inventory: &Inventory) -> Result<MatchOutcome, MatchError> {
    let _snapshot = db.snapshot()?;
    let mut cache = Cache::default();
    let mut findings = Vec::new();
    let mut not_matched = Vec::new();
    for package in &inventory.packages {
        let keys = match lookup_keys(package, inventory.distro.as_ref()) {
            Ok(k) => k,
            Err(reason) => {
                not_matched.push(NotMatched {
                    ecosystem: package.ecosystem,
                    name: package.name.clone(),
                    version: package.version.clone(),
                    reason,
                });
                continue;
            }
        };
        let hits = package_hits(db, &mut cache, package, &keys)?;
        if !hits.is_empty() {
            findings.extend(merge(db, &mut cache, package, &keys, hits)?);
        }
    }
    findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    not_matched.sort_by(|a, b| {
        (a.ecosystem, &a.name, &a.version).cmp(&(b.ecosystem, &b.name, &b.version))
    });
    Ok(MatchOutcome {
        findings,
        not_matched,
    })
}

/// The rows that say this package is affected.
pub(crate) fn package_hits(
    db: &Db,
    cache: &mut Cache,
    package: &Package,
    keys: &LookupKeys,
) -> Result<Vec<Hit>, MatchError> {
    let mut hits = Vec::new();
    for name in &keys.names {
        for candidate in cache.candidates(db, &keys.namespace, name)?.iter() {
            let advisory = cache.advisory(db, candidate.advisory)?;
            if advisory.withdrawn.is_some() {
                continue;
            }
            let verdict = evaluate(&candidate.affected, package.ecosystem, &keys.version);
            if let Verdict::Affected {
                confirmed,
                fixed,
                comparisons,
                doubt,
            } = verdict
            {
                hits.push(Hit {
                    advisory,
                    candidate: candidate.clone(),
                    confirmed,
                    fixed,
                    comparisons,
                    doubt,
                    comparator: Comparator::for_ecosystem(package.ecosystem),
                });
            }
        }
    }
    Ok(hits)
}
