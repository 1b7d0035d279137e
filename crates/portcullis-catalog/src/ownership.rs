//! Ownership by file overlap: a language package (PyPI, npm, Go, Maven ...)
//! whose evidence file was installed by the distro's package manager
//! (Debian's `python3-pip` ships `pip-23.0.1.dist-info/METADATA`, its
//! `node-*` packages ship `package.json` files under `/usr/share/nodejs/`)
//! is marked [`Package::owned_by`] that OS package, so it is matched with
//! the distro's advisories only: distros backport fixes without changing
//! the upstream version, so upstream advisories would report fixed code.
//!
//! Why a pass after cataloging rather than file lists emitted with the
//! packages: which paths matter is only known once every cataloger ran,
//! and an image's OS packages may own 100k+ files. So the OS catalogers
//! are *asked* ([`Cataloger::claim_files`]) about the few candidate paths
//! and walk their file lists (dpkg `*.list`, apk `R:` lines, rpm
//! BASENAMES) straight from the snapshot; nothing proportional to the
//! number of owned files is ever built. The lists are read from the
//! squashed snapshot, so layers and whiteouts apply to them exactly as to
//! the package databases (a purged package's `.list` is gone with it).

use std::collections::{BTreeMap, BTreeSet, HashSet};

use portcullis_types::{Distro, Ecosystem, Package};

use crate::path::{normalize, NormalizedPath};
use crate::{CatalogContext, CatalogSet, Found, Snapshot};

/// An OS package that claims a file: ecosystem and package name.
type Owner = (Ecosystem, String);

/// The candidate paths of one ownership pass and the claims made on them.
///
/// Paths are compared after lexical normalisation and symlink resolution
/// in the snapshot, because file lists name paths as the package installed
/// them (`/lib/...` on a merged-`/usr` system whose `lib` is a link to
/// `usr/lib`), while catalogers report where the file really is.
pub struct FileOwners<'a> {
    snapshot: &'a Snapshot,
    /// Canonical candidate path (no leading slash) → OS packages claiming it.
    claims: BTreeMap<String, BTreeSet<Owner>>,
    /// Last components of the candidates: the cheap first test applied to
    /// every listed path, so only a handful of them are ever resolved.
    names: HashSet<String>,
}

impl<'a> FileOwners<'a> {
    /// Candidates are the evidence paths of every package of `packages`
    /// that does not come from an OS package manager.
    pub fn new<'p>(
        snapshot: &'a Snapshot,
        packages: impl IntoIterator<Item = &'p Package>,
    ) -> Self {
        let mut owners = FileOwners {
            snapshot,
            claims: BTreeMap::new(),
            names: HashSet::new(),
        };
        for p in packages.into_iter().filter(|p| !p.ecosystem.is_os()) {
            for key in p.locations.iter().flat_map(|l| candidate_keys(l)) {
                let key = owners.canonical(&key);
                if let Some(name) = last_component(&key) {
                    owners.names.insert(name.to_owned());
                }
                owners.claims.entry(key).or_default();
            }
        }
        owners
    }

    /// True when there is nothing to ask about (no language packages).
    pub fn is_empty(&self) -> bool {
        self.claims.is_empty()
    }

    /// Whether a listed path whose last component is `name` can matter:
    /// lets catalogers skip building the path of every other file.
    pub fn wants_name(&self, name: &str) -> bool {
        self.names.contains(name.trim_end_matches('/'))
    }

    /// Records that OS package `package` of `ecosystem` installed `path`
    /// (absolute or relative to the image root, as its file list spells it).
    pub fn claim(&mut self, path: &str, ecosystem: Ecosystem, package: &str) {
        if !last_component(path).is_some_and(|n| self.wants_name(n)) {
            return;
        }
        let NormalizedPath::Inside(lexical) = normalize(path) else {
            return;
        };
        let key = if self.claims.contains_key(&lexical) {
            lexical
        } else {
            self.canonical(&lexical)
        };
        if let Some(owners) = self.claims.get_mut(&key) {
            owners.insert((ecosystem, package.to_owned()));
        }
    }

    /// [`FileOwners::claim`] for lists that store a directory and a file
    /// name apart (rpm DIRNAMES/BASENAMES, apk `F:`/`R:`): the path is only
    /// built when the name is a candidate's.
    pub fn claim_in(&mut self, dir: &str, name: &str, ecosystem: Ecosystem, package: &str) {
        if self.wants_name(name) {
            let path = format!("{}/{name}", dir.trim_end_matches('/'));
            self.claim(&path, ecosystem, package);
        }
    }

    /// The owner of a language package: an OS package from `reported`
    /// that claimed one of its evidence paths. Several claimants (a file
    /// listed by two packages) resolve to the smallest, for stable output.
    fn owner_of(&self, p: &Package, reported: &BTreeSet<(Ecosystem, &str)>) -> Option<String> {
        p.locations
            .iter()
            .flat_map(|l| candidate_keys(l))
            .filter_map(|key| self.claims.get(&self.canonical(&key)))
            .flatten()
            .filter(|(eco, name)| reported.contains(&(*eco, name.as_str())))
            .min()
            .map(|(eco, name)| format!("{eco}:{name}"))
    }

    /// The path a process in the container would reach (symlinks followed);
    /// the lexical form when resolution fails (a loop).
    fn canonical(&self, path: &str) -> String {
        self.snapshot
            .resolve(path)
            .filter(|p| !p.is_empty())
            .unwrap_or_else(|| path.to_owned())
    }
}

/// The paths that evidence a package found at `location`: the file itself
/// (nested archives by their outermost file, `a.jar!/lib/b.jar` → `a.jar`)
/// and, for Python core metadata, its `*.dist-info` / `*.egg-info`
/// directory, which every installer records as well. Other parent
/// directories are not evidence: `/usr/local/lib/python3.11/dist-packages`
/// belongs to Debian's `python3.11` yet holds what `pip` installed.
fn candidate_keys(location: &str) -> Vec<String> {
    let file = location
        .split_once('!')
        .map_or(location, |(outer, _)| outer);
    let NormalizedPath::Inside(file) = normalize(file) else {
        return Vec::new();
    };
    let metadata_dir = file
        .rsplit_once('/')
        .map(|(dir, _)| dir)
        .filter(|dir| {
            last_component(dir)
                .is_some_and(|n| n.ends_with(".dist-info") || n.ends_with(".egg-info"))
        })
        .map(str::to_owned);
    std::iter::once(file).chain(metadata_dir).collect()
}

fn last_component(path: &str) -> Option<&str> {
    path.trim_end_matches('/')
        .rsplit('/')
        .next()
        .filter(|n| !n.is_empty())
}

/// The ownership pass over everything the catalogers found: asks each
/// cataloger to claim candidate paths, then sets `owned_by` on the
/// language packages. Only OS packages that are themselves reported can
/// own: a leftover `.list` of a package whose status entry is gone must not
/// hide a language package from every matcher.
pub(crate) fn mark_owned(
    set: &CatalogSet,
    snapshot: &Snapshot,
    distro: Option<&Distro>,
    found: &mut [Found],
) {
    let mut owners = FileOwners::new(snapshot, found.iter().map(|f| &f.package));
    if owners.is_empty() {
        return;
    }
    for (index, cataloger) in set.catalogers.iter().enumerate() {
        let ctx = CatalogContext {
            snapshot,
            distro,
            index,
        };
        cataloger.claim_files(&ctx, &mut owners);
    }
    let reported: BTreeSet<(Ecosystem, &str)> = found
        .iter()
        .map(|f| &f.package)
        .filter(|p| p.ecosystem.is_os())
        .map(|p| (p.ecosystem, p.name.as_str()))
        .collect();
    let marks: Vec<Option<String>> = found
        .iter()
        .map(|f| {
            let p = &f.package;
            if p.ecosystem.is_os() {
                None
            } else {
                owners.owner_of(p, &reported)
            }
        })
        .collect();
    for (f, mark) in found.iter_mut().zip(marks) {
        if mark.is_some() {
            f.package.owned_by = mark;
        }
    }
}

#[cfg(test)]
mod tests;
