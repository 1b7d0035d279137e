//! Is this installed version inside this affected entry? OSV range semantics
//! (introduced / fixed / last_affected / limit / versions), evaluated in the
//! package's own version scheme, with every comparison written down as
//! evidence.

use std::cmp::Ordering;

use portcullis_advisory::{Affected, DistroStatus, Event, Range, RangeKind};
use portcullis_types::Ecosystem;
use portcullis_version::{apk, deb, golang, maven, npm, pep440, rpm, VersionError};

/// A version comparator: one per scheme.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Comparator {
    /// dpkg, lenient like `dpkg --compare-versions`.
    Dpkg,
    /// rpmvercmp with the range rule: a bound without a release matches any
    /// release of that version (advisories often give `1.2.3` for a fix).
    Rpm,
    /// apk-tools.
    Apk,
    /// PEP 440.
    Pep440,
    /// SemVer 2.0 as npm orders it (npm, crates, generic SEMVER ranges).
    Semver,
    /// Go module versions (`v` prefix optional, pseudo-versions, `go1.x`).
    Go,
    /// Maven ComparableVersion.
    Maven,
}

impl Comparator {
    /// The comparator of an ecosystem's ECOSYSTEM ranges.
    pub(crate) fn for_ecosystem(ecosystem: Ecosystem) -> Comparator {
        match ecosystem {
            Ecosystem::Deb => Comparator::Dpkg,
            Ecosystem::Rpm => Comparator::Rpm,
            Ecosystem::Apk => Comparator::Apk,
            Ecosystem::Pypi => Comparator::Pep440,
            Ecosystem::Npm | Ecosystem::Cargo => Comparator::Semver,
            Ecosystem::Go => Comparator::Go,
            Ecosystem::Maven => Comparator::Maven,
        }
    }

    /// The comparator for a range of `kind` on a package of `ecosystem`:
    /// SEMVER ranges on Go modules still use Go's reading (OSV's Go data
    /// omits the `v`), elsewhere plain SemVer.
    pub(crate) fn for_range(ecosystem: Ecosystem, kind: RangeKind) -> Comparator {
        match (kind, ecosystem) {
            (RangeKind::Semver, Ecosystem::Go) => Comparator::Go,
            (RangeKind::Semver | RangeKind::NpmRange, _) => Comparator::Semver,
            _ => Comparator::for_ecosystem(ecosystem),
        }
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            Comparator::Dpkg => "dpkg",
            Comparator::Rpm => "rpmvercmp",
            Comparator::Apk => "apk",
            Comparator::Pep440 => "pep440",
            Comparator::Semver => "semver",
            Comparator::Go => "go-semver",
            Comparator::Maven => "maven",
        }
    }

    pub(crate) fn compare(self, a: &str, b: &str) -> Result<Ordering, VersionError> {
        match self {
            Comparator::Dpkg => deb::compare_lenient(a, b),
            Comparator::Rpm => Ok(rpm::compare(a, b)),
            Comparator::Apk => apk::compare(a, b),
            Comparator::Pep440 => pep440::compare(a, b),
            Comparator::Semver => npm::compare(a, b),
            Comparator::Go => golang::compare(a, b),
            Comparator::Maven => Ok(maven::compare(a, b)),
        }
    }
}

/// The verdict on one affected entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// The installed version is outside every range.
    NotAffected {
        /// The comparisons that showed it.
        comparisons: Vec<String>,
    },
    /// Inside a range (or listed, or the distro says every version is).
    Affected {
        /// `false` when it could not be decided (POTENTIAL).
        confirmed: bool,
        /// The first fixing version above the installed one, if any.
        fixed: Option<String>,
        /// What was compared, for evidence.
        comparisons: Vec<String>,
        /// Why it is only potential, when it is.
        doubt: Option<String>,
    },
}

/// Evaluates one affected entry against an installed version.
pub(crate) fn evaluate(affected: &Affected, ecosystem: Ecosystem, installed: &str) -> Verdict {
    let mut comparisons = Vec::new();
    if affected.status == Some(DistroStatus::NotAffected) {
        comparisons.push("distro status: not-affected".to_owned());
        return Verdict::NotAffected { comparisons };
    }
    let base = Comparator::for_ecosystem(ecosystem);
    let mut doubt = None;
    let mut fixed: Option<String> = None;
    let mut hit = false;

    for listed in &affected.versions {
        match base.compare(installed, listed) {
            Ok(Ordering::Equal) => {
                comparisons.push(format!("{installed} == {listed} (listed as affected)"));
                hit = true;
                break;
            }
            Ok(_) => {}
            Err(e) => doubt = Some(e.to_string()),
        }
    }
    let evaluable: Vec<&Range> = affected
        .ranges
        .iter()
        .filter(|r| r.kind != RangeKind::Git)
        .collect();
    for range in &evaluable {
        if let Some((vulnerable, patched)) = range.npm_expressions() {
            match in_npm_range(vulnerable, patched, installed, &mut comparisons) {
                Ok(true) => hit = true,
                Ok(false) => {}
                Err(e) => doubt = Some(e.to_string()),
            }
            continue;
        }
        let cmp = Comparator::for_range(ecosystem, range.kind);
        match in_range(range, cmp, installed, &mut comparisons) {
            Ok(RangeHit::Inside { fixed: f }) => {
                hit = true;
                fixed = lowest(cmp, fixed, f);
            }
            Ok(RangeHit::Outside) => {}
            Err(e) => doubt = Some(e.to_string()),
        }
    }
    let no_ranges = evaluable.is_empty() && affected.versions.is_empty();
    let status = affected.status;
    if no_ranges {
        // Nothing to compare: the distro's word decides, and an advisory with
        // neither ranges nor versions (or only git ranges) is POTENTIAL.
        return match status {
            Some(DistroStatus::Undetermined) | None => Verdict::Affected {
                confirmed: false,
                fixed: None,
                comparisons: vec!["no version ranges to compare".to_owned()],
                doubt: Some(match status {
                    Some(_) => "the distro has not determined the status yet".to_owned(),
                    None => "the advisory gives no evaluable version range".to_owned(),
                }),
            },
            Some(s) => Verdict::Affected {
                confirmed: true,
                fixed: None,
                comparisons: vec![format!("distro status: {} (all versions)", s.as_str())],
                doubt: None,
            },
        };
    }
    if hit {
        let undetermined = status == Some(DistroStatus::Undetermined);
        return Verdict::Affected {
            confirmed: !undetermined,
            fixed,
            comparisons,
            doubt: undetermined.then(|| "the distro has not determined the status yet".to_owned()),
        };
    }
    match doubt {
        Some(reason) => Verdict::Affected {
            confirmed: false,
            fixed: None,
            comparisons,
            doubt: Some(reason),
        },
        None => Verdict::NotAffected { comparisons },
    }
}

/// node-semver expressions (nodejs security-wg): affected when `vulnerable`
/// is satisfied and `patched` is not. No single fixed version can be read
/// off an expression, so none is reported from these ranges.
fn in_npm_range(
    vulnerable: &str,
    patched: Option<&str>,
    installed: &str,
    log: &mut Vec<String>,
) -> Result<bool, VersionError> {
    npm::SemVer::parse(installed)?;
    if !npm::Range::parse(vulnerable)?.satisfies(installed) {
        log.push(format!(
            "{installed} does not satisfy {vulnerable:?} (vulnerable, node-semver)"
        ));
        return Ok(false);
    }
    log.push(format!(
        "{installed} satisfies {vulnerable:?} (vulnerable, node-semver)"
    ));
    if let Some(p) = patched.filter(|p| !p.trim().is_empty()) {
        if npm::Range::parse(p)?.satisfies(installed) {
            log.push(format!(
                "{installed} satisfies {p:?} (patched, node-semver)"
            ));
            return Ok(false);
        }
        log.push(format!(
            "{installed} does not satisfy {p:?} (patched, node-semver)"
        ));
    }
    Ok(true)
}

enum RangeHit {
    Inside { fixed: Option<String> },
    Outside,
}

fn is_zero(v: &str) -> bool {
    v == "0"
}

/// OSV's algorithm: sort the events, walk them, toggle "affected" at each
/// event the installed version has reached; `limit` bounds the range.
fn in_range(
    range: &Range,
    cmp: Comparator,
    installed: &str,
    log: &mut Vec<String>,
) -> Result<RangeHit, VersionError> {
    // Sort by version ("0" first); at equal versions an introduction comes
    // before the fix, so an empty [v, v) interval stays empty.
    // `limit: "*"` is "no limit" and not a version of any scheme.
    let mut events: Vec<&Event> = range
        .events
        .iter()
        .filter(|e| !matches!(e, Event::Limit(v) if v == "*"))
        .collect();
    let mut error = None;
    events.sort_by(|a, b| {
        let (va, vb) = (event_version(a), event_version(b));
        let by_version = match (
            is_zero(va) && is_introduced(a),
            is_zero(vb) && is_introduced(b),
        ) {
            (true, true) => Ordering::Equal,
            (true, false) => Ordering::Less,
            (false, true) => Ordering::Greater,
            _ => cmp.compare(va, vb).unwrap_or_else(|e| {
                error.get_or_insert(e);
                Ordering::Equal
            }),
        };
        by_version.then(event_rank(a).cmp(&event_rank(b)))
    });
    if let Some(e) = error {
        return Err(e);
    }
    let name = cmp.name();
    let mut affected = false;
    let mut fixed = None;
    let mut limits = Vec::new();
    for event in events {
        match event {
            Event::Introduced(v) => {
                if is_zero(v) {
                    log.push(format!("{installed} >= 0 (introduced, {name})"));
                    affected = true;
                } else if cmp.compare(installed, v)? != Ordering::Less {
                    log.push(format!("{installed} >= {v} (introduced, {name})"));
                    affected = true;
                } else if affected {
                    // Not reached: the walk is over for this version.
                    break;
                }
            }
            Event::Fixed(v) => {
                if cmp.compare(installed, v)? != Ordering::Less {
                    if affected {
                        log.push(format!("{installed} >= {v} (fixed, {name})"));
                    }
                    affected = false;
                } else if affected {
                    log.push(format!("{installed} < {v} (fixed, {name})"));
                    fixed.get_or_insert_with(|| v.clone());
                    break;
                }
            }
            Event::LastAffected(v) => {
                if cmp.compare(installed, v)? == Ordering::Greater {
                    if affected {
                        log.push(format!("{installed} > {v} (last_affected, {name})"));
                    }
                    affected = false;
                } else if affected {
                    log.push(format!("{installed} <= {v} (last_affected, {name})"));
                    break;
                }
            }
            Event::Limit(v) => limits.push(v),
        }
    }
    if affected {
        if !limits.is_empty() {
            let mut below_any = false;
            for limit in limits {
                if cmp.compare(installed, limit)? == Ordering::Less {
                    log.push(format!("{installed} < {limit} (limit, {name})"));
                    below_any = true;
                }
            }
            if !below_any {
                log.push(format!("{installed} is at or above every limit ({name})"));
                return Ok(RangeHit::Outside);
            }
        }
        return Ok(RangeHit::Inside { fixed });
    }
    Ok(RangeHit::Outside)
}

fn event_version(e: &Event) -> &str {
    match e {
        Event::Introduced(v) | Event::Fixed(v) | Event::LastAffected(v) | Event::Limit(v) => v,
    }
}

fn is_introduced(e: &Event) -> bool {
    matches!(e, Event::Introduced(_))
}

fn event_rank(e: &Event) -> u8 {
    match e {
        Event::Introduced(_) => 0,
        Event::LastAffected(_) => 1,
        Event::Fixed(_) => 2,
        Event::Limit(_) => 3,
    }
}

/// The lower of two optional fixed versions (the nearest upgrade).
fn lowest(cmp: Comparator, a: Option<String>, b: Option<String>) -> Option<String> {
    match (a, b) {
        (Some(a), Some(b)) => match cmp.compare(&a, &b) {
            Ok(Ordering::Greater) => Some(b),
            _ => Some(a),
        },
        (a, b) => a.or(b),
    }
}
