//! Merging the rows that matched one package into findings: one finding per
//! vulnerability, however many feeds reported it (SPEC §4: "aliases
//! merged"), with its severity, status and fix chosen by fixed rules.

use std::cmp::Ordering;
use std::collections::{BTreeSet, HashMap};
use std::rc::Rc;

use portcullis_advisory::{Advisory, Cvss, CvssVersion, DistroStatus, Severity};
use portcullis_db::{Candidate, Db};
use portcullis_types::Package;

use crate::evaluate::Comparator;
use crate::matcher::{Cache, LookupKeys};
use crate::{Evidence, Finding, FindingPackage, MatchError, TypeDetected};

/// One matched row.
pub(crate) struct Hit {
    pub(crate) advisory: Rc<Advisory>,
    pub(crate) candidate: Candidate,
    pub(crate) confirmed: bool,
    pub(crate) fixed: Option<String>,
    pub(crate) comparisons: Vec<String>,
    pub(crate) doubt: Option<String>,
    pub(crate) comparator: Comparator,
}

/// How much a feed's word counts for status and rating when several distro
/// feeds disagree: the tracker is the distro's own per-CVE verdict; the
/// changelog-derived list only knows which upload fixed what, and its
/// "urgency" rates the upload, not the vulnerability.
fn feed_rank(source: &str) -> u8 {
    match source {
        "debian-tracker" => 0,
        "vuln-list-debian" => 1,
        "debian-changelog" => 3,
        _ => 2,
    }
}

/// Groups hits whose id sets intersect (union-find over ids) and builds a
/// finding per group.
pub(crate) fn merge(
    db: &Db,
    cache: &mut Cache,
    package: &Package,
    keys: &LookupKeys,
    hits: Vec<Hit>,
) -> Result<Vec<Finding>, MatchError> {
    let mut parent: Vec<usize> = (0..hits.len()).collect();
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    let mut owner_of_id: HashMap<&str, usize> = HashMap::new();
    for (i, hit) in hits.iter().enumerate() {
        let ids = std::iter::once(&hit.advisory.id).chain(&hit.advisory.aliases);
        for id in ids {
            match owner_of_id.get(id.as_str()) {
                Some(&j) => {
                    let (a, b) = (root(&mut parent, i), root(&mut parent, j));
                    parent[a] = b;
                }
                None => {
                    owner_of_id.insert(id, i);
                }
            }
        }
    }
    let mut groups: HashMap<usize, Vec<&Hit>> = HashMap::new();
    for (i, hit) in hits.iter().enumerate() {
        groups.entry(root(&mut parent, i)).or_default().push(hit);
    }
    let mut findings = Vec::with_capacity(groups.len());
    for (_, mut group) in groups {
        group.sort_by(|a, b| {
            (
                feed_rank(&a.advisory.source),
                &a.advisory.id,
                a.candidate.row,
            )
                .cmp(&(
                    feed_rank(&b.advisory.source),
                    &b.advisory.id,
                    b.candidate.row,
                ))
        });
        findings.push(finding(db, cache, package, keys, &group)?);
    }
    Ok(findings)
}

fn finding(
    db: &Db,
    cache: &mut Cache,
    package: &Package,
    keys: &LookupKeys,
    group: &[&Hit],
) -> Result<Finding, MatchError> {
    let ids: BTreeSet<&str> = group
        .iter()
        .flat_map(|h| std::iter::once(&h.advisory.id).chain(&h.advisory.aliases))
        .map(String::as_str)
        .collect();
    let id = preferred_id(&ids).to_owned();
    let aliases = ids
        .iter()
        .filter(|i| **i != id)
        .map(|i| (*i).to_owned())
        .collect();

    let comparator = group[0].comparator;
    let fixed_version = group
        .iter()
        .filter_map(|h| h.fixed.clone())
        .max_by(|a, b| comparator.compare(a, b).unwrap_or(Ordering::Equal));
    // The distro's own status, from its most authoritative feed.
    let distro_status = group.iter().find_map(|h| h.candidate.affected.status);
    let status = match (distro_status, &fixed_version) {
        (_, Some(_)) => "fixed".to_owned(),
        (Some(s), None) if s != DistroStatus::Fixed => s.as_str().to_owned(),
        _ => "affected".to_owned(),
    };
    let patch_available =
        fixed_version.is_some() && distro_status != Some(DistroStatus::WillNotFix);
    let type_detected = if group.iter().any(|h| h.confirmed) {
        TypeDetected::Confirmed
    } else {
        TypeDetected::Potential
    };

    let scores = Scores::gather(db, cache, &ids, group)?;
    let (severity, severity_source) = severity(group, &scores);
    let title = group
        .iter()
        .find_map(|h| h.advisory.summary.clone())
        .or_else(|| scores.description.clone().map(|d| first_sentence(&d)));
    let links: BTreeSet<String> = group
        .iter()
        .flat_map(|h| h.advisory.references.iter().map(|r| r.url.clone()))
        .collect();
    let mut evidence: Vec<Evidence> = group
        .iter()
        .map(|h| Evidence {
            advisory: h.advisory.id.clone(),
            source: h.advisory.source.clone(),
            record: h.advisory.origin.clone(),
            db_row: h.candidate.row,
            namespace: h.candidate.affected.namespace.to_string(),
            package: h.candidate.affected.package.clone(),
            version: keys.version.clone(),
            comparator: h.comparator.name().to_owned(),
            comparisons: h.comparisons.clone(),
            fix_state: match (&h.fixed, h.candidate.affected.status) {
                (Some(v), _) => format!("fixed in {v}"),
                (None, Some(s)) => s.as_str().to_owned(),
                (None, None) => "no fix known".to_owned(),
            },
            doubt: h.doubt.clone(),
        })
        .collect();
    evidence.sort_by(|a, b| {
        (&a.source, &a.advisory, a.db_row).cmp(&(&b.source, &b.advisory, b.db_row))
    });
    Ok(Finding {
        id,
        qid: None,
        aliases,
        package: FindingPackage {
            ecosystem: package.ecosystem,
            name: package.name.clone(),
            version: package.version.clone(),
            source_name: package.source_name.clone(),
            source_version: package.source_version.clone(),
            purl: package.purl.clone(),
            locations: package.locations.clone(),
        },
        fixed_version,
        status,
        severity,
        severity_source,
        cvss_v2: scores.v2,
        cvss_v3: scores.v3,
        type_detected,
        patch_available,
        layer: package.layer.clone(),
        title,
        links: links.into_iter().take(32).collect(),
        evidence,
    })
}

/// CVE first (the id every tool and policy speaks), then GHSA, then the rest.
fn preferred_id<'a>(ids: &BTreeSet<&'a str>) -> &'a str {
    ids.iter()
        .copied()
        .min_by_key(|id| {
            let rank = if id.starts_with("CVE-") {
                0
            } else if id.starts_with("GHSA-") {
                1
            } else {
                2
            };
            (rank, *id)
        })
        .unwrap_or("")
}

/// CVSS for a finding: NVD's scores for its CVEs first (the reference every
/// policy threshold is written against), else the highest the advisories carry.
struct Scores {
    v2: Option<Cvss>,
    v3: Option<Cvss>,
    from_nvd: (bool, bool),
    description: Option<String>,
}

impl Scores {
    fn gather(
        db: &Db,
        cache: &mut Cache,
        ids: &BTreeSet<&str>,
        group: &[&Hit],
    ) -> Result<Scores, MatchError> {
        let mut s = Scores {
            v2: None,
            v3: None,
            from_nvd: (false, false),
            description: None,
        };
        for cve in ids.iter().filter(|i| i.starts_with("CVE-")) {
            if let Some(nvd) = cache.nvd(db, cve)? {
                if s.v3.is_none() && nvd.v3.is_some() {
                    s.v3.clone_from(&nvd.v3);
                    s.from_nvd.1 = true;
                }
                if s.v2.is_none() && nvd.v2.is_some() {
                    s.v2.clone_from(&nvd.v2);
                    s.from_nvd.0 = true;
                }
                if s.description.is_none() {
                    s.description.clone_from(&nvd.description);
                }
            }
        }
        let best = |version: CvssVersion| {
            group
                .iter()
                .flat_map(|h| h.advisory.cvss.iter())
                .filter(|c| c.version == version)
                .max_by(|a, b| {
                    a.score
                        .total_cmp(&b.score)
                        .then_with(|| b.vector.cmp(&a.vector))
                })
                .cloned()
        };
        s.v3 = s.v3.or_else(|| best(CvssVersion::V3));
        s.v2 = s.v2.or_else(|| best(CvssVersion::V2));
        Ok(s)
    }
}

/// SPEC §4: the distro's rating where it gives one, else CVSS v3, else v2,
/// else a vendor word, else 1 (unknown). A distro rating is never replaced
/// by NVD's (SPEC §11).
fn severity(group: &[&Hit], scores: &Scores) -> (u8, String) {
    let distro = group
        .iter()
        .filter(|h| h.candidate.affected.severity.is_some())
        .min_by_key(|h| feed_rank(&h.advisory.source));
    if let Some(hit) = distro {
        let rank = feed_rank(&hit.advisory.source);
        let level = group
            .iter()
            .filter(|h| feed_rank(&h.advisory.source) == rank)
            .filter_map(|h| h.candidate.affected.severity)
            .max()
            .unwrap_or(Severity(1));
        let who = hit
            .candidate
            .affected
            .namespace
            .distro_id()
            .unwrap_or("distro")
            .to_owned();
        return (level.0, who);
    }
    let from = |nvd: bool, v: &str| format!("{}-cvss-{v}", if nvd { "nvd" } else { "advisory" });
    if let Some(c) = &scores.v3 {
        return (
            Severity::from_cvss(c.version, c.score).0,
            from(scores.from_nvd.1, "v3"),
        );
    }
    if let Some(c) = &scores.v2 {
        return (
            Severity::from_cvss(c.version, c.score).0,
            from(scores.from_nvd.0, "v2"),
        );
    }
    if let Some(s) = group
        .iter()
        .filter_map(|h| h.advisory.vendor_severity)
        .max()
    {
        return (s.0, "vendor".to_owned());
    }
    (1, "unknown".to_owned())
}

fn first_sentence(text: &str) -> String {
    let line = text.lines().next().unwrap_or("").trim();
    let cut = line
        .char_indices()
        .nth(200)
        .map(|(i, _)| i)
        .unwrap_or(line.len());
    line[..cut].to_owned()
}
