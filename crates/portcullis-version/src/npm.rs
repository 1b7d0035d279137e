//! npm versions: Semantic Versioning 2.0.0 precedence with npm's leniency,
//! and npm range syntax evaluated the way node-semver does it.
//!
//! Precedence (semver.org §11): major, minor, patch numerically; a version
//! with a pre-release is lower than the same version without; pre-release
//! identifiers are compared left to right, numeric ones as numbers and below
//! alphanumeric ones, and a shorter identifier list is lower when all shared
//! identifiers are equal. Build metadata never affects precedence.
//!
//! Ranges: `||` unions of comparator sets; a set is space-separated
//! comparators that must all hold, or a hyphen range `A - B`; comparators may
//! be X-ranges (`1.x`, `1.2.*`, `*`), tilde (`~1.2.3`) or caret (`^0.2.3`)
//! shorthands. A pre-release version only satisfies a set when some
//! comparator of that set has a pre-release on the same `major.minor.patch`
//! (node-semver's default, without `includePrerelease`).

use std::cmp::Ordering;

use crate::VersionError;

fn err(scheme: &'static str, version: &str, reason: impl Into<String>) -> VersionError {
    VersionError {
        scheme,
        version: version.to_string(),
        reason: reason.into(),
    }
}

/// One dot-separated pre-release identifier.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Identifier {
    /// All digits: compared numerically.
    Numeric(u64),
    /// Anything else: compared by ASCII order.
    AlphaNumeric(String),
}

impl Ord for Identifier {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (Identifier::Numeric(a), Identifier::Numeric(b)) => a.cmp(b),
            (Identifier::AlphaNumeric(a), Identifier::AlphaNumeric(b)) => a.cmp(b),
            // semver §11.4.3: numeric identifiers have lower precedence.
            (Identifier::Numeric(_), Identifier::AlphaNumeric(_)) => Ordering::Less,
            (Identifier::AlphaNumeric(_), Identifier::Numeric(_)) => Ordering::Greater,
        }
    }
}

impl PartialOrd for Identifier {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// A semantic version. Equality and order ignore build metadata.
#[derive(Clone, Debug)]
pub struct SemVer {
    /// Major version.
    pub major: u64,
    /// Minor version.
    pub minor: u64,
    /// Patch version.
    pub patch: u64,
    /// Pre-release identifiers (empty for a release).
    pub pre: Vec<Identifier>,
    /// Build metadata identifiers (ignored for precedence).
    pub build: Vec<String>,
}

impl SemVer {
    /// Parses a version with npm's leniency: surrounding whitespace and a
    /// leading `=` and/or `v` are accepted.
    pub fn parse(input: &str) -> Result<Self, VersionError> {
        let s = input.trim();
        let s = s.strip_prefix('=').unwrap_or(s).trim_start();
        let s = s.strip_prefix(['v', 'V']).unwrap_or(s);
        parse_core(s, "npm", input)
    }

    /// True when there is a pre-release part.
    pub fn is_prerelease(&self) -> bool {
        !self.pre.is_empty()
    }

    fn triple(&self) -> (u64, u64, u64) {
        (self.major, self.minor, self.patch)
    }

    fn new(major: u64, minor: u64, patch: u64, pre: Vec<Identifier>) -> SemVer {
        SemVer {
            major,
            minor,
            patch,
            pre,
            build: Vec::new(),
        }
    }
}

impl Ord for SemVer {
    fn cmp(&self, other: &Self) -> Ordering {
        self.triple().cmp(&other.triple()).then_with(|| {
            match (self.pre.is_empty(), other.pre.is_empty()) {
                (true, true) => Ordering::Equal,
                // A release outranks any of its pre-releases.
                (true, false) => Ordering::Greater,
                (false, true) => Ordering::Less,
                // Lexicographic slice order is §11.4 exactly, including
                // "a shorter list is lower when it is a prefix".
                (false, false) => self.pre.cmp(&other.pre),
            }
        })
    }
}

impl PartialOrd for SemVer {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for SemVer {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for SemVer {}

impl std::fmt::Display for SemVer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)?;
        if !self.pre.is_empty() {
            let p: Vec<String> = self
                .pre
                .iter()
                .map(|i| match i {
                    Identifier::Numeric(n) => n.to_string(),
                    Identifier::AlphaNumeric(s) => s.clone(),
                })
                .collect();
            write!(f, "-{}", p.join("."))?;
        }
        if !self.build.is_empty() {
            write!(f, "+{}", self.build.join("."))?;
        }
        Ok(())
    }
}

/// A numeric field: digits only, no leading zero (semver §2), fits in u64.
fn num(part: &str, scheme: &'static str, orig: &str) -> Result<u64, VersionError> {
    if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
        return Err(err(scheme, orig, format!("{part:?} is not a number")));
    }
    if part.len() > 1 && part.starts_with('0') {
        return Err(err(scheme, orig, "leading zero in a numeric field"));
    }
    part.parse()
        .map_err(|_| err(scheme, orig, "number too large"))
}

fn ident_ok(id: &str) -> bool {
    !id.is_empty() && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// Parses the pre-release part (after `-`, before `+`).
pub(crate) fn parse_pre(
    pre: &str,
    scheme: &'static str,
    orig: &str,
) -> Result<Vec<Identifier>, VersionError> {
    pre.split('.')
        .map(|id| {
            if !ident_ok(id) {
                Err(err(
                    scheme,
                    orig,
                    format!("bad pre-release identifier {id:?}"),
                ))
            } else if id.bytes().all(|b| b.is_ascii_digit()) {
                num(id, scheme, orig).map(Identifier::Numeric)
            } else {
                Ok(Identifier::AlphaNumeric(id.to_string()))
            }
        })
        .collect()
}

/// Parses strict `MAJOR.MINOR.PATCH[-PRE][+BUILD]` (shared with Go).
pub(crate) fn parse_core(
    s: &str,
    scheme: &'static str,
    orig: &str,
) -> Result<SemVer, VersionError> {
    let (rest, build) = match s.split_once('+') {
        Some((r, b)) => {
            let build: Vec<String> = b.split('.').map(str::to_string).collect();
            if !build.iter().all(|id| ident_ok(id)) {
                return Err(err(scheme, orig, "bad build metadata"));
            }
            (r, build)
        }
        None => (s, Vec::new()),
    };
    let (core, pre) = match rest.split_once('-') {
        Some((c, p)) => (c, parse_pre(p, scheme, orig)?),
        None => (rest, Vec::new()),
    };
    let mut parts = core.split('.');
    let (Some(ma), Some(mi), Some(pa), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(err(scheme, orig, "expected MAJOR.MINOR.PATCH"));
    };
    Ok(SemVer {
        major: num(ma, scheme, orig)?,
        minor: num(mi, scheme, orig)?,
        patch: num(pa, scheme, orig)?,
        pre,
        build,
    })
}

/// Compares two npm versions by SemVer precedence.
pub fn compare(a: &str, b: &str) -> Result<Ordering, VersionError> {
    Ok(SemVer::parse(a)?.cmp(&SemVer::parse(b)?))
}

/// Comparison operator of a primitive comparator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `=`
    Eq,
}

/// A primitive comparator such as `>=1.2.3`; every shorthand desugars to
/// these.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Comparator {
    /// The operator.
    pub op: Op,
    /// The version operand.
    pub version: SemVer,
}

impl Comparator {
    fn new(op: Op, version: SemVer) -> Self {
        Comparator { op, version }
    }

    fn matches(&self, v: &SemVer) -> bool {
        let o = v.cmp(&self.version);
        match self.op {
            Op::Lt => o == Ordering::Less,
            Op::Le => o != Ordering::Greater,
            Op::Gt => o == Ordering::Greater,
            Op::Ge => o != Ordering::Less,
            Op::Eq => o == Ordering::Equal,
        }
    }
}

/// A parsed npm range: a union of comparator sets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Range {
    /// The alternatives (`||`); each inner list must hold entirely. An
    /// empty list is node-semver's "any" (every release).
    pub sets: Vec<Vec<Comparator>>,
}

/// `-0` is the lowest possible pre-release, so `<X.Y.Z-0` excludes every
/// pre-release of X.Y.Z too; node-semver writes its exclusive upper bounds
/// this way and so do we, to inherit its exact behaviour.
fn zero_pre() -> Vec<Identifier> {
    vec![Identifier::Numeric(0)]
}

/// A possibly partial version as written in a range: missing or wildcard
/// (`x`, `X`, `*`) fields are `None`.
#[derive(Debug)]
struct Partial {
    major: Option<u64>,
    minor: Option<u64>,
    patch: Option<u64>,
    pre: Vec<Identifier>,
}

fn parse_partial(s: &str, orig: &str) -> Result<Partial, VersionError> {
    let s = s.trim();
    let s = s.strip_prefix('=').unwrap_or(s);
    let s = s.strip_prefix(['v', 'V']).unwrap_or(s);
    if s.is_empty() {
        return Err(err("npm", orig, "missing version"));
    }
    // Build metadata is meaningless in ranges; drop it.
    let s = s.split_once('+').map_or(s, |(a, _)| a);
    // The pre-release may only follow a full MAJOR.MINOR.PATCH; splitting at
    // the first `-` is safe because numeric fields cannot contain one.
    let (core, pre) = match s.split_once('-') {
        Some((c, p)) => (c, parse_pre(p, "npm", orig)?),
        None => (s, Vec::new()),
    };
    let mut fields = [None, None, None];
    let mut wild = false;
    let parts: Vec<&str> = core.split('.').collect();
    if parts.len() > 3 {
        return Err(err("npm", orig, "too many version fields"));
    }
    for (i, p) in parts.iter().enumerate() {
        if matches!(*p, "x" | "X" | "*") {
            wild = true;
        } else if wild {
            // `1.x.3` is not meaningful; node-semver treats everything after
            // a wildcard as wildcard too, which we mirror.
            num(p, "npm", orig)?;
        } else {
            fields[i] = Some(num(p, "npm", orig)?);
        }
    }
    if !pre.is_empty() && fields[2].is_none() {
        return Err(err("npm", orig, "pre-release on a partial version"));
    }
    Ok(Partial {
        major: fields[0],
        minor: fields[1],
        patch: fields[2],
        pre,
    })
}

fn bump(n: u64, orig: &str) -> Result<u64, VersionError> {
    n.checked_add(1)
        .ok_or_else(|| err("npm", orig, "version field overflows"))
}

/// node-semver's "any" comparator (`*`, `x`, an empty set): represented as
/// a set with no comparators, which admits every release but, having no
/// pre-release comparator, no pre-release.
fn any() -> Vec<Comparator> {
    Vec::new()
}

/// Comparators matching nothing.
fn none() -> Vec<Comparator> {
    vec![Comparator::new(Op::Lt, SemVer::new(0, 0, 0, zero_pre()))]
}

/// The half-open interval `[lo, hi)` an incomplete partial stands for, as
/// `(lower bound, exclusive upper bound)`. `None` means no bound.
fn partial_bounds(
    p: &Partial,
    orig: &str,
) -> Result<(Option<SemVer>, Option<SemVer>), VersionError> {
    Ok(match (p.major, p.minor, p.patch) {
        (None, _, _) => (None, None),
        (Some(ma), None, _) => (
            Some(SemVer::new(ma, 0, 0, Vec::new())),
            Some(SemVer::new(bump(ma, orig)?, 0, 0, zero_pre())),
        ),
        (Some(ma), Some(mi), None) => (
            Some(SemVer::new(ma, mi, 0, Vec::new())),
            Some(SemVer::new(ma, bump(mi, orig)?, 0, zero_pre())),
        ),
        (Some(ma), Some(mi), Some(pa)) => (Some(SemVer::new(ma, mi, pa, p.pre.clone())), None),
    })
}

fn interval(lo: Option<SemVer>, hi: Option<SemVer>) -> Vec<Comparator> {
    let mut out = Vec::new();
    if let Some(l) = lo {
        out.push(Comparator::new(Op::Ge, l));
    }
    if let Some(h) = hi {
        out.push(Comparator::new(Op::Lt, h));
    }
    if out.is_empty() {
        any()
    } else {
        out
    }
}

/// Desugars one comparator token (operator already split off).
fn desugar(op: &str, p: &Partial, orig: &str) -> Result<Vec<Comparator>, VersionError> {
    let full = p.patch.is_some();
    let ver = |p: &Partial| {
        SemVer::new(
            p.major.unwrap_or(0),
            p.minor.unwrap_or(0),
            p.patch.unwrap_or(0),
            p.pre.clone(),
        )
    };
    Ok(match op {
        "" | "=" => {
            if full {
                vec![Comparator::new(Op::Eq, ver(p))]
            } else {
                let (lo, hi) = partial_bounds(p, orig)?;
                interval(lo, hi)
            }
        }
        ">=" => match p.major {
            None => any(),
            Some(_) => vec![Comparator::new(Op::Ge, ver(p))],
        },
        "<" => match p.major {
            None => none(),
            // `<1.2` means below 1.2.0 including its pre-releases.
            Some(_) if !full => vec![Comparator::new(
                Op::Lt,
                SemVer {
                    pre: zero_pre(),
                    ..ver(p)
                },
            )],
            Some(_) => vec![Comparator::new(Op::Lt, ver(p))],
        },
        ">" => match p.major {
            None => none(),
            Some(_) if full => vec![Comparator::new(Op::Gt, ver(p))],
            // `>1.2` means at least the next minor.
            Some(_) => match partial_bounds(p, orig)?.1 {
                Some(hi) => vec![Comparator::new(
                    Op::Ge,
                    SemVer {
                        pre: Vec::new(),
                        ..hi
                    },
                )],
                None => none(),
            },
        },
        "<=" => match p.major {
            None => any(),
            Some(_) if full => vec![Comparator::new(Op::Le, ver(p))],
            Some(_) => interval(None, partial_bounds(p, orig)?.1),
        },
        "~" | "~>" => match (p.major, p.minor) {
            (None, _) => any(),
            // `~1` is `1.x`; `~1.2` and `~1.2.3` allow patch-level changes.
            (Some(_), None) => {
                let (lo, hi) = partial_bounds(p, orig)?;
                interval(lo, hi)
            }
            (Some(ma), Some(mi)) => interval(
                Some(ver(p)),
                Some(SemVer::new(ma, bump(mi, orig)?, 0, zero_pre())),
            ),
        },
        "^" => match (p.major, p.minor, p.patch) {
            (None, _, _) => any(),
            (Some(_), None, _) => {
                let (lo, hi) = partial_bounds(p, orig)?;
                interval(lo, hi)
            }
            // Caret allows changes that do not touch the left-most non-zero
            // field; for `^0.0` the minor is the left-most given field.
            (Some(0), Some(mi), None) => interval(
                Some(ver(p)),
                Some(SemVer::new(0, bump(mi, orig)?, 0, zero_pre())),
            ),
            (Some(ma), Some(_), None) => interval(
                Some(ver(p)),
                Some(SemVer::new(bump(ma, orig)?, 0, 0, zero_pre())),
            ),
            (Some(0), Some(0), Some(pa)) => interval(
                Some(ver(p)),
                Some(SemVer::new(0, 0, bump(pa, orig)?, zero_pre())),
            ),
            (Some(0), Some(mi), Some(_)) => interval(
                Some(ver(p)),
                Some(SemVer::new(0, bump(mi, orig)?, 0, zero_pre())),
            ),
            (Some(ma), Some(_), Some(_)) => interval(
                Some(ver(p)),
                Some(SemVer::new(bump(ma, orig)?, 0, 0, zero_pre())),
            ),
        },
        _ => return Err(err("npm", orig, format!("unknown operator {op:?}"))),
    })
}

const OPERATORS: [&str; 8] = ["<=", ">=", "~>", "<", ">", "=", "~", "^"];

fn split_op(tok: &str) -> (&str, &str) {
    for op in OPERATORS {
        if let Some(rest) = tok.strip_prefix(op) {
            return (op, rest);
        }
    }
    ("", tok)
}

fn parse_set(set: &str, orig: &str) -> Result<Vec<Comparator>, VersionError> {
    let mut out = parse_set_raw(set, orig)?;
    // node-semver rewrites every `>=0.0.0` comparator to "any" (its
    // `replaceGTE0`). Within a set that changes nothing, but a set left
    // empty becomes "any", which matters for the union collapse in
    // `Range::parse` (`>=0.x || >=2.0.0-rc.1` rejects `2.0.0-rc.1`).
    let zero = SemVer::new(0, 0, 0, Vec::new());
    out.retain(|c| !(c.op == Op::Ge && c.version == zero && !c.version.is_prerelease()));
    Ok(out)
}

fn parse_set_raw(set: &str, orig: &str) -> Result<Vec<Comparator>, VersionError> {
    let words: Vec<&str> = set.split_whitespace().collect();
    if words.is_empty() {
        return Ok(any());
    }
    // Hyphen range: the whole set is `A - B`.
    if words.len() == 3 && words[1] == "-" {
        let a = parse_partial(words[0], orig)?;
        let b = parse_partial(words[2], orig)?;
        let lo = match a.major {
            None => None,
            Some(_) => Some(SemVer::new(
                a.major.unwrap_or(0),
                a.minor.unwrap_or(0),
                a.patch.unwrap_or(0),
                a.pre.clone(),
            )),
        };
        let mut out = Vec::new();
        if let Some(l) = lo {
            out.push(Comparator::new(Op::Ge, l));
        }
        if b.patch.is_some() {
            out.push(Comparator::new(
                Op::Le,
                SemVer::new(
                    b.major.unwrap_or(0),
                    b.minor.unwrap_or(0),
                    b.patch.unwrap_or(0),
                    b.pre,
                ),
            ));
        } else if let (_, Some(hi)) = partial_bounds(&b, orig)? {
            // An incomplete upper end includes everything it stands for.
            out.push(Comparator::new(Op::Lt, hi));
        }
        return Ok(if out.is_empty() { any() } else { out });
    }
    // node-semver lets an operator be separated from its version by spaces
    // (`>= 1.2.3`); glue such pairs back together first.
    let mut tokens: Vec<String> = Vec::new();
    let mut pending: Option<&str> = None;
    for w in words {
        if let Some(op) = pending.take() {
            tokens.push(format!("{op}{w}"));
        } else if OPERATORS.contains(&w) {
            pending = Some(w);
        } else {
            tokens.push(w.to_string());
        }
    }
    if pending.is_some() {
        return Err(err("npm", orig, "operator without a version"));
    }
    let mut out = Vec::new();
    for t in tokens {
        let (op, rest) = split_op(&t);
        out.extend(desugar(op, &parse_partial(rest, orig)?, orig)?);
    }
    Ok(out)
}

impl Range {
    /// Parses an npm range expression.
    pub fn parse(input: &str) -> Result<Self, VersionError> {
        let mut sets = input
            .split("||")
            .map(|s| parse_set(s, input))
            .collect::<Result<Vec<_>, _>>()?;
        // node-semver collapses a union containing an "any" set to just that
        // set. That is not a no-op: it drops alternatives that could admit a
        // pre-release (`>=1.2.3-beta.1 || *` rejects `1.2.3-beta.1`).
        if sets.len() > 1 && sets.iter().any(Vec::is_empty) {
            sets = vec![Vec::new()];
        }
        Ok(Range { sets })
    }

    /// Whether a parsed version is in the range.
    pub fn contains(&self, v: &SemVer) -> bool {
        self.sets.iter().any(|set| {
            set.iter().all(|c| c.matches(v))
                && (!v.is_prerelease()
                    || set
                        .iter()
                        .any(|c| c.version.is_prerelease() && c.version.triple() == v.triple()))
        })
    }

    /// Whether `version` is in the range; unparseable versions are not.
    pub fn satisfies(&self, version: &str) -> bool {
        SemVer::parse(version).is_ok_and(|v| self.contains(&v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn semver_spec_precedence() {
        let seq = [
            "1.0.0-alpha",
            "1.0.0-alpha.1",
            "1.0.0-alpha.beta",
            "1.0.0-beta",
            "1.0.0-beta.2",
            "1.0.0-beta.11",
            "1.0.0-rc.1",
            "1.0.0",
            "2.0.0",
            "2.1.0",
            "2.1.1",
        ];
        for w in seq.windows(2) {
            assert_eq!(
                compare(w[0], w[1]).unwrap(),
                Ordering::Less,
                "{} < {}",
                w[0],
                w[1]
            );
            assert_eq!(compare(w[1], w[0]).unwrap(), Ordering::Greater);
        }
        assert_eq!(
            compare("1.0.0+build.1", "1.0.0+other").unwrap(),
            Ordering::Equal
        );
        assert_eq!(compare(" v1.2.3 ", "=1.2.3").unwrap(), Ordering::Equal);
        assert_eq!(compare("1.2.3-0", "1.2.3-alpha").unwrap(), Ordering::Less);
    }

    #[test]
    fn invalid_versions() {
        for bad in [
            "",
            "1",
            "1.2",
            "1.2.3.4",
            "01.2.3",
            "1.2.3-",
            "1.2.3-a..b",
            "1.2.3+",
            "a.b.c",
            "1.2.3-01",
        ] {
            assert!(SemVer::parse(bad).is_err(), "{bad:?}");
        }
    }

    fn check(range: &str, yes: &[&str], no: &[&str]) {
        let r = Range::parse(range).unwrap_or_else(|e| panic!("{range}: {e}"));
        for v in yes {
            assert!(r.satisfies(v), "{v} should satisfy {range}");
        }
        for v in no {
            assert!(!r.satisfies(v), "{v} should not satisfy {range}");
        }
    }

    #[test]
    fn node_semver_range_examples() {
        check(
            ">=1.2.7",
            &["1.2.7", "1.2.8", "2.5.3", "1.3.9"],
            &["1.2.6", "1.1.0"],
        );
        check(
            ">=1.2.7 <1.3.0",
            &["1.2.7", "1.2.8", "1.2.99"],
            &["1.2.6", "1.3.0", "1.1.0"],
        );
        check(
            "1.2.7 || >=1.2.9 <2.0.0",
            &["1.2.7", "1.2.9", "1.4.6"],
            &["1.2.8", "2.0.0"],
        );
        check(
            ">1.2.3-alpha.3",
            &["1.2.3-alpha.7", "3.4.5"],
            &["3.4.5-alpha.9", "1.2.3-alpha.3"],
        );
        check("1.2.3 - 2.3.4", &["1.2.3", "2.3.4"], &["1.2.2", "2.3.5"]);
        check("1.2 - 2.3.4", &["1.2.0"], &["1.1.9"]);
        check("1.2.3 - 2.3", &["2.3.99"], &["2.4.0", "2.4.0-0"]);
        check("1.2.3 - 2", &["2.99.99"], &["3.0.0"]);
        check("*", &["0.0.0", "9.9.9"], &["1.0.0-beta"]);
        check("", &["1.2.3"], &[]);
        check(
            "1.x",
            &["1.0.0", "1.9.9"],
            &["2.0.0", "0.9.9", "2.0.0-alpha"],
        );
        check("1.2.*", &["1.2.0", "1.2.9"], &["1.3.0"]);
        check("1", &["1.0.0", "1.9.9"], &["2.0.0"]);
        check("~1.2.3", &["1.2.3", "1.2.9"], &["1.3.0", "1.2.2"]);
        check("~1.2", &["1.2.0", "1.2.9"], &["1.3.0"]);
        check("~1", &["1.0.0", "1.9.0"], &["2.0.0"]);
        check("~0.2", &["0.2.0", "0.2.5"], &["0.3.0"]);
        check(
            "~1.2.3-beta.2",
            &["1.2.3-beta.4", "1.2.3", "1.2.9"],
            &["1.2.4-beta.2"],
        );
        check("^1.2.3", &["1.2.3", "1.9.9"], &["2.0.0", "1.2.2"]);
        check("^0.2.3", &["0.2.3", "0.2.9"], &["0.3.0"]);
        check("^0.0.3", &["0.0.3"], &["0.0.4"]);
        check(
            "^1.2.3-beta.2",
            &["1.2.3-beta.4", "1.2.4"],
            &["1.2.4-beta.2"],
        );
        check("^0.0.3-beta", &["0.0.3-pr.2"], &["0.0.4"]);
        check("^1.2.x", &["1.2.0", "1.9.9"], &["2.0.0"]);
        check("^0.0.x", &["0.0.0", "0.0.9"], &["0.1.0"]);
        check("^0.0", &["0.0.9"], &["0.1.0"]);
        check("^1.x", &["1.0.0", "1.9.9"], &["2.0.0"]);
        check("^0.x", &["0.0.0", "0.9.9"], &["1.0.0"]);
        check(">= 1.2.3 <= 2.0.0", &["1.2.3", "2.0.0"], &["2.0.1"]);
        check(">=3.4.6 < 4.0.0|| >=4.0.5", &["3.4.6", "4.0.5"], &["4.0.0"]);
        check(">1", &["2.0.0"], &["1.9.9"]);
        check(">1.2", &["1.3.0"], &["1.2.9"]);
        check("<1.2", &["1.1.9"], &["1.2.0", "1.2.0-0"]);
        check("<=1.2", &["1.2.9"], &["1.3.0"]);
        check(
            ">=v2.0.0-alpha8",
            &["2.0.0-alpha9", "2.0.0"],
            &["2.0.0-alpha10", "2.0.1-alpha9"],
        );
        check("=1.2.3", &["1.2.3", "v1.2.3"], &["1.2.4"]);
        check("<0.0.0", &[], &["0.0.0", "1.0.0"]);
        check(">=0.x || >=2.0.0-rc.1", &["2.0.0"], &["2.0.0-rc.1"]);
        check(">=0.0.0 || >=2.0.0-rc.1", &["0.0.0"], &["2.0.0-rc.1"]);
        // node-semver collapses a union with `*` to `*`, pre-release rule
        // included.
        check(
            ">=1.2.3-beta.1 || *",
            &["1.2.3", "0.0.1"],
            &["1.2.3-beta.1"],
        );
        check(
            ">=1.2.3-beta.1 || >=2.0.0",
            &["1.2.3-beta.1"],
            &["1.2.3-alpha"],
        );
    }

    #[test]
    fn bad_ranges() {
        for bad in [
            ">=",
            "1.2.3 -",
            ">=a.b.c",
            "~1.2.3.4",
            "1.x-beta",
            "^99999999999999999999",
        ] {
            assert!(Range::parse(bad).is_err(), "{bad:?}");
        }
        // Unparseable candidate versions are simply outside every range.
        assert!(!Range::parse("*").unwrap().satisfies("not-a-version"));
    }
}
