//! Alpine secdb (`v3.11/main.yaml`, or the JSON that secdb.alpinelinux.org
//! serves in the same shape): `packages[].pkg.{name, secfixes{VERSION:
//! [ID…]}}` for one release and repository.
//!
//! One advisory per vulnerability id per file (id = the CVE, source
//! `alpine-secdb`), with one affected entry per package (the origin package,
//! which is what secdb names) in `alpine:<release>`: status `Fixed`, range
//! `introduced 0, fixed VERSION`. The secfixes key `"0"` means "never
//! affected" and gives status `NotAffected` with no range.
//!
//! Id lists are free text in places: an entry may hold several ids
//! (`CVE-2018-7540 XSA-252`), a comment (`CVE-2019-15167 (VRRP)`), a
//! placeholder (`CVE-????-?????`) or a typo (`CVE_2019-2426`). Every token
//! that looks like an id is taken, placeholders and comments are dropped, and
//! `CVE_` is read as `CVE-`.
//!
//! The same CVE appears in the files of several releases; all of them carry
//! `(alpine-secdb, CVE)` as their identity, so the DB has to keep the
//! affected entries of every release (merge them), not let the last file win.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::common::{self, Raw, Scalar, Syntax};
use super::Parsed;
use crate::{Advisory, Affected, DistroStatus, Event, ImportItem, Namespace, Range, RangeKind};

/// The `source` of every secdb record, followed by `:<release>/<repo>`:
/// one CVE is listed by every release file that fixed it, and `(source, id)`
/// identifies a record in the DB, so each file must be its own source or
/// the last file read would replace the others' rows.
pub(crate) const SOURCE: &str = "alpine-secdb";

#[derive(Deserialize)]
struct SecDb<V> {
    #[serde(default)]
    distroversion: Scalar,
    #[serde(default)]
    reponame: Scalar,
    #[serde(default)]
    packages: Option<Vec<V>>,
}

#[derive(Deserialize)]
struct PackageEntry {
    pkg: Pkg,
}

#[derive(Deserialize)]
struct Pkg {
    name: String,
    #[serde(default)]
    secfixes: Option<BTreeMap<Scalar, Option<Vec<Scalar>>>>,
}

/// What one file says about one (id, package).
#[derive(Default)]
struct Verdict {
    fixed: Vec<String>,
    not_affected: bool,
}

/// Parses a secdb file. A malformed package entry skips only itself.
pub(crate) fn parse(syntax: Syntax, bytes: &[u8], origin: &str) -> Result<Parsed, String> {
    let (release, repo, raws) = match syntax {
        Syntax::Json => {
            let db: SecDb<serde_json::Value> = common::decode(syntax, bytes)?;
            let raws: Vec<Raw> = db
                .packages
                .unwrap_or_default()
                .into_iter()
                .map(Raw::Json)
                .collect();
            (db.distroversion, db.reponame, raws)
        }
        Syntax::Yaml => {
            let db: SecDb<serde_yaml_ng::Value> = common::decode(syntax, bytes)?;
            let raws: Vec<Raw> = db
                .packages
                .unwrap_or_default()
                .into_iter()
                .map(Raw::Yaml)
                .collect();
            (db.distroversion, db.reponame, raws)
        }
    };
    let release = release
        .0
        .map(|r| r.trim().to_owned())
        .filter(|r| !r.is_empty())
        .ok_or("no `distroversion`")?;
    let namespace = Namespace::distro("alpine", &release);
    let repo = repo
        .0
        .map(|r| r.trim().to_owned())
        .filter(|r| !r.is_empty());
    let source = match repo {
        Some(repo) => format!("{SOURCE}:{release}/{repo}"),
        None => format!("{SOURCE}:{release}"),
    };

    let mut parsed = Parsed::default();
    // id → package → verdict; BTreeMaps keep the output order stable.
    let mut by_id: BTreeMap<String, BTreeMap<String, Verdict>> = BTreeMap::new();
    for (i, raw) in raws.into_iter().enumerate() {
        let entry = match raw.decode::<PackageEntry>() {
            Ok(e) => e,
            Err(reason) => {
                parsed.skipped.push(format!("packages[{i}]: {reason}"));
                continue;
            }
        };
        let name = entry.pkg.name.trim().to_owned();
        if name.is_empty() {
            parsed
                .skipped
                .push(format!("packages[{i}]: empty package name"));
            continue;
        }
        for (version, ids) in entry.pkg.secfixes.unwrap_or_default() {
            let Some(version) = version
                .0
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
            else {
                continue;
            };
            for text in ids.unwrap_or_default().into_iter().filter_map(|s| s.0) {
                for id in ids_in(&text) {
                    let verdict = by_id
                        .entry(id)
                        .or_default()
                        .entry(name.clone())
                        .or_default();
                    if version == "0" {
                        verdict.not_affected = true;
                    } else if !verdict.fixed.contains(&version) {
                        verdict.fixed.push(version.clone());
                    }
                }
            }
        }
    }
    for (id, packages) in by_id {
        let affected = packages
            .into_iter()
            .map(|(package, verdict)| affected(&namespace, package, verdict))
            .collect();
        parsed.items.push(ImportItem::Advisory(Advisory {
            id,
            source: source.clone(),
            aliases: Vec::new(),
            summary: None,
            details: None,
            published: None,
            modified: None,
            withdrawn: None,
            references: Vec::new(),
            cvss: Vec::new(),
            vendor_severity: None,
            affected,
            origin: origin.to_owned(),
        }));
    }
    Ok(parsed)
}

fn affected(namespace: &Namespace, package: String, verdict: Verdict) -> Affected {
    // A fix listed next to "0" is the more specific claim: keep the ranges.
    let (status, ranges) = if verdict.fixed.is_empty() && verdict.not_affected {
        (DistroStatus::NotAffected, Vec::new())
    } else {
        let ranges = verdict
            .fixed
            .into_iter()
            .map(|v| Range {
                kind: RangeKind::Ecosystem,
                events: vec![Event::Introduced("0".into()), Event::Fixed(v)],
            })
            .collect();
        (DistroStatus::Fixed, ranges)
    };
    Affected {
        namespace: namespace.clone(),
        package,
        ranges,
        versions: Vec::new(),
        status: Some(status),
        severity: None,
    }
}

/// The vulnerability ids in one secfixes entry.
fn ids_in(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for token in text.split_whitespace() {
        if token.starts_with('(') {
            // A comment: `(VRRP)`; nothing after it is an id either.
            break;
        }
        let token = token.trim_end_matches([',', ';', ':']);
        let token = match token.strip_prefix("CVE_") {
            Some(rest) => format!("CVE-{rest}"),
            None => token.to_owned(),
        };
        let looks_like_id = token.starts_with(|c: char| c.is_ascii_alphabetic())
            && token.contains('-')
            && token
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
        if looks_like_id {
            out.push(token);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::ids_in;

    #[test]
    fn ids_are_read_from_free_text() {
        assert_eq!(
            ids_in("CVE-2018-7540 XSA-252"),
            ["CVE-2018-7540", "XSA-252"]
        );
        assert_eq!(ids_in("CVE-2019-15167 (VRRP)"), ["CVE-2019-15167"]);
        assert_eq!(ids_in("CVE-????-?????  XSA-295"), ["XSA-295"]);
        assert_eq!(ids_in("CVE_2019-2426"), ["CVE-2019-2426"]);
        assert!(ids_in("").is_empty());
    }
}
