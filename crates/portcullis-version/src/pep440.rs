//! PEP 440 (Python package versions): parsing, normalisation and the total
//! order defined by the specification, plus a small evaluator for version
//! specifier sets (`>=1.0,<2.0`, `==1.*`, `~=1.4.2`, `!=1.3`).
//!
//! The accepted syntax is the "permissive" one of PEP 440's appendix
//! (the form `pip` accepts): case-insensitive, optional leading `v`,
//! alternative spellings (`alpha`, `beta`, `c`, `pre`, `preview`, `rev`,
//! `r`), `-`/`_`/`.` separators and implicit numbers.

use std::cmp::Ordering;

use crate::VersionError;

fn err(version: &str, reason: impl Into<String>) -> VersionError {
    VersionError {
        scheme: "pep440",
        version: version.to_string(),
        reason: reason.into(),
    }
}

/// Pre-release phase; the declaration order is the PEP 440 order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PreKind {
    /// `a`, `alpha`.
    Alpha,
    /// `b`, `beta`.
    Beta,
    /// `rc`, `c`, `pre`, `preview`.
    Rc,
}

/// One dot-separated part of a local version label.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum LocalSegment {
    /// An all-digit part, compared numerically.
    Num(u64),
    /// Any other part, compared lexically (already lower-cased).
    Str(String),
}

impl Ord for LocalSegment {
    fn cmp(&self, other: &Self) -> Ordering {
        // PEP 440: numeric segments sort after alphanumeric ones.
        match (self, other) {
            (LocalSegment::Num(a), LocalSegment::Num(b)) => a.cmp(b),
            (LocalSegment::Str(a), LocalSegment::Str(b)) => a.cmp(b),
            (LocalSegment::Num(_), LocalSegment::Str(_)) => Ordering::Greater,
            (LocalSegment::Str(_), LocalSegment::Num(_)) => Ordering::Less,
        }
    }
}

impl PartialOrd for LocalSegment {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// A parsed, normalised PEP 440 version.
///
/// Equality is PEP 440 equality, not textual: `1.0 == 1.0.0`, `1.0a == 1.0a0`.
#[derive(Clone, Debug)]
pub struct Pep440Version {
    /// The epoch (`N!`), 0 when absent.
    pub epoch: u64,
    /// Release segments as written (trailing zeros kept; they are ignored
    /// when comparing).
    pub release: Vec<u64>,
    /// Pre-release phase and number.
    pub pre: Option<(PreKind, u64)>,
    /// Post-release number.
    pub post: Option<u64>,
    /// Development-release number.
    pub dev: Option<u64>,
    /// Local version label segments (empty when there is none).
    pub local: Vec<LocalSegment>,
}

/// A small cursor over the lower-cased input; every step is bounds-checked
/// so that no input can make the parser panic.
struct Cursor<'a> {
    s: &'a [u8],
    i: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }
    fn peek_at(&self, k: usize) -> Option<u8> {
        self.s.get(self.i + k).copied()
    }
    fn eat_sep(&mut self) -> bool {
        if matches!(self.peek(), Some(b'.' | b'-' | b'_')) {
            self.i += 1;
            true
        } else {
            false
        }
    }
    fn eat_word(&mut self, w: &str) -> bool {
        if self.s[self.i..].starts_with(w.as_bytes()) {
            self.i += w.len();
            true
        } else {
            false
        }
    }
    /// Digits as a number; `Ok(None)` when there are no digits here.
    fn number(&mut self, orig: &str) -> Result<Option<u64>, VersionError> {
        let start = self.i;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.i += 1;
        }
        if start == self.i {
            return Ok(None);
        }
        // The slice is ASCII digits, so from_utf8 cannot fail.
        let digits = std::str::from_utf8(&self.s[start..self.i]).unwrap_or("0");
        digits
            .parse::<u64>()
            .map(Some)
            .map_err(|_| err(orig, "number too large"))
    }
    /// `[-_.]?N?`: the optional number after a pre/post/dev label. In
    /// PEP 440's regex the separator and the number are independently
    /// optional, so a dangling separator is consumed too (`1.0b-` is
    /// `1.0b0`, `1.0a..post1` is `1.0a0.post1`).
    fn label_number(&mut self, orig: &str) -> Result<u64, VersionError> {
        self.eat_sep();
        Ok(self.number(orig)?.unwrap_or(0))
    }
}

impl Pep440Version {
    /// Parses a version in PEP 440's permissive syntax.
    pub fn parse(input: &str) -> Result<Self, VersionError> {
        let lower = input.trim().to_ascii_lowercase();
        let mut c = Cursor {
            s: lower.as_bytes(),
            i: 0,
        };
        if c.peek() == Some(b'v') {
            c.i += 1;
        }
        // Epoch or first release segment.
        let first = c
            .number(input)?
            .ok_or_else(|| err(input, "expected a release number"))?;
        let mut epoch = 0;
        let mut release = Vec::new();
        if c.peek() == Some(b'!') {
            c.i += 1;
            epoch = first;
            release.push(
                c.number(input)?
                    .ok_or_else(|| err(input, "expected a release number after the epoch"))?,
            );
        } else {
            release.push(first);
        }
        // A `.` only continues the release when a digit follows; otherwise it
        // is the separator of a pre/post/dev label.
        while c.peek() == Some(b'.') && matches!(c.peek_at(1), Some(b'0'..=b'9')) {
            c.i += 1;
            match c.number(input)? {
                Some(n) => release.push(n),
                None => return Err(err(input, "empty release segment")),
            }
        }

        // Pre-release. Longer spellings are tried first so that `alpha` is
        // not read as `a` followed by garbage.
        let mut pre = None;
        let save = c.i;
        c.eat_sep();
        let kind = [
            ("alpha", PreKind::Alpha),
            ("a", PreKind::Alpha),
            ("beta", PreKind::Beta),
            ("b", PreKind::Beta),
            ("preview", PreKind::Rc),
            ("pre", PreKind::Rc),
            ("rc", PreKind::Rc),
            ("c", PreKind::Rc),
        ]
        .into_iter()
        .find(|(w, _)| c.eat_word(w));
        match kind {
            Some((_, k)) => pre = Some((k, c.label_number(input)?)),
            None => c.i = save,
        }

        // Post-release: either the implicit `-N` form or a spelled label.
        let mut post = None;
        if c.peek() == Some(b'-') && matches!(c.peek_at(1), Some(b'0'..=b'9')) {
            c.i += 1;
            post = c.number(input)?;
        } else {
            let save = c.i;
            c.eat_sep();
            if ["post", "rev", "r"].iter().any(|w| c.eat_word(w)) {
                post = Some(c.label_number(input)?);
            } else {
                c.i = save;
            }
        }

        // Development release.
        let mut dev = None;
        let save = c.i;
        c.eat_sep();
        if c.eat_word("dev") {
            dev = Some(c.label_number(input)?);
        } else {
            c.i = save;
        }

        // Local version label.
        let mut local = Vec::new();
        if c.peek() == Some(b'+') {
            let label = &lower[c.i + 1..];
            for part in label.split(['.', '-', '_']) {
                if part.is_empty() || !part.bytes().all(|b| b.is_ascii_alphanumeric()) {
                    return Err(err(input, "invalid local version label"));
                }
                local.push(if part.bytes().all(|b| b.is_ascii_digit()) {
                    LocalSegment::Num(
                        part.parse()
                            .map_err(|_| err(input, "number too large in local label"))?,
                    )
                } else {
                    LocalSegment::Str(part.to_string())
                });
            }
            c.i = c.s.len();
        }
        if c.i != c.s.len() {
            return Err(err(input, format!("unexpected text at byte {}", c.i)));
        }
        Ok(Pep440Version {
            epoch,
            release,
            pre,
            post,
            dev,
            local,
        })
    }

    /// True for pre-releases and development releases (PEP 440 treats both
    /// as "pre-releases" for specifier purposes).
    pub fn is_prerelease(&self) -> bool {
        self.pre.is_some() || self.dev.is_some()
    }

    /// The release without trailing zeros: `1.0.0` and `1` are the same.
    fn trimmed_release(&self) -> &[u64] {
        let mut n = self.release.len();
        while n > 0 && self.release[n - 1] == 0 {
            n -= 1;
        }
        &self.release[..n]
    }

    /// This version without its local label.
    pub fn public(&self) -> Pep440Version {
        Pep440Version {
            local: Vec::new(),
            ..self.clone()
        }
    }

    /// Epoch and release only (Python `packaging`'s `base_version`), used
    /// by the exclusive-ordering rules of specifiers.
    fn base_version(&self) -> Pep440Version {
        Pep440Version {
            epoch: self.epoch,
            release: self.release.clone(),
            pre: None,
            post: None,
            dev: None,
            local: Vec::new(),
        }
    }
}

/// Sort key of the pre-release slot. A dev release of a final version
/// (`1.0.dev0`) sorts before all of its pre-releases, a final version after
/// them; this mirrors the PEP 440 summary ordering.
#[derive(PartialEq, Eq, PartialOrd, Ord)]
enum PreKey {
    DevOnly,
    Pre(PreKind, u64),
    Final,
}

impl Ord for Pep440Version {
    fn cmp(&self, other: &Self) -> Ordering {
        fn pre_key(v: &Pep440Version) -> PreKey {
            match (v.pre, v.post, v.dev) {
                (None, None, Some(_)) => PreKey::DevOnly,
                (Some((k, n)), _, _) => PreKey::Pre(k, n),
                _ => PreKey::Final,
            }
        }
        // `None < Some(_)` gives "no post release sorts first"; for dev the
        // opposite holds, so it is wrapped to make "no dev" the greatest.
        let dev_key = |v: &Pep440Version| match v.dev {
            Some(n) => (0, n),
            None => (1, 0),
        };
        self.epoch
            .cmp(&other.epoch)
            .then_with(|| self.trimmed_release().cmp(other.trimmed_release()))
            .then_with(|| pre_key(self).cmp(&pre_key(other)))
            .then_with(|| self.post.cmp(&other.post))
            .then_with(|| dev_key(self).cmp(&dev_key(other)))
            // Slice order is exactly PEP 440's local order: segment-wise,
            // then the shorter label (or no label) first.
            .then_with(|| self.local.cmp(&other.local))
    }
}

impl PartialOrd for Pep440Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Pep440Version {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Pep440Version {}

impl std::fmt::Display for Pep440Version {
    /// The normalised form (`1.0a1.post2.dev3+abc.5`).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.epoch != 0 {
            write!(f, "{}!", self.epoch)?;
        }
        let rel: Vec<String> = self.release.iter().map(u64::to_string).collect();
        f.write_str(&rel.join("."))?;
        if let Some((k, n)) = self.pre {
            let l = match k {
                PreKind::Alpha => "a",
                PreKind::Beta => "b",
                PreKind::Rc => "rc",
            };
            write!(f, "{l}{n}")?;
        }
        if let Some(n) = self.post {
            write!(f, ".post{n}")?;
        }
        if let Some(n) = self.dev {
            write!(f, ".dev{n}")?;
        }
        if !self.local.is_empty() {
            let parts: Vec<String> = self
                .local
                .iter()
                .map(|s| match s {
                    LocalSegment::Num(n) => n.to_string(),
                    LocalSegment::Str(s) => s.clone(),
                })
                .collect();
            write!(f, "+{}", parts.join("."))?;
        }
        Ok(())
    }
}

/// Compares two PEP 440 versions.
pub fn compare(a: &str, b: &str) -> Result<Ordering, VersionError> {
    Ok(Pep440Version::parse(a)?.cmp(&Pep440Version::parse(b)?))
}

/// Whether `version` satisfies a comma-separated PEP 440 specifier set
/// (`>=1.0,<2.0`, `==1.*`, `~=1.4.2`, `!=1.3`, `===foo`).
///
/// Unlike an installer, pre-releases are *not* excluded by default: for
/// vulnerability matching a vulnerable `2.0rc1` must match `<2.0.1` like any
/// other version. The exclusive-ordering rules of PEP 440 (`<V` excludes
/// pre-releases of `V`, `>V` excludes post-releases and local versions of
/// `V`) are applied. An empty set matches everything.
pub fn satisfies(version: &str, specifier_set: &str) -> Result<bool, VersionError> {
    let v = Pep440Version::parse(version)?;
    for spec in specifier_set.split(',') {
        let spec = spec.trim();
        if spec.is_empty() {
            continue;
        }
        if !satisfies_one(version, &v, spec)? {
            return Ok(false);
        }
    }
    Ok(true)
}

fn satisfies_one(raw: &str, v: &Pep440Version, spec: &str) -> Result<bool, VersionError> {
    // Longest operators first so `===` is not read as `==`.
    let ops = ["===", "~=", "==", "!=", "<=", ">=", "<", ">"];
    let op = ops
        .iter()
        .find(|o| spec.starts_with(**o))
        .ok_or_else(|| err(spec, "specifier without an operator"))?;
    let target = spec[op.len()..].trim();
    if *op == "===" {
        // Arbitrary equality is a case-insensitive string comparison.
        return Ok(raw.trim().eq_ignore_ascii_case(target));
    }
    match *op {
        "==" | "!=" => {
            let eq = if let Some(prefix) = target.strip_suffix(".*") {
                prefix_match(v, &Pep440Version::parse(prefix)?, spec)?
            } else {
                let t = Pep440Version::parse(target)?;
                // Without a local label in the specifier, the candidate's
                // local label is ignored (`==1.0` matches `1.0+cpu`).
                if t.local.is_empty() {
                    v.public() == t
                } else {
                    *v == t
                }
            };
            Ok(if *op == "==" { eq } else { !eq })
        }
        "~=" => {
            let t = Pep440Version::parse(target)?;
            if t.release.len() < 2 {
                return Err(err(spec, "~= needs at least two release segments"));
            }
            // `~=X.Y.Z` means `>=X.Y.Z, ==X.Y.*`.
            let prefix = Pep440Version {
                epoch: t.epoch,
                release: t.release[..t.release.len() - 1].to_vec(),
                pre: None,
                post: None,
                dev: None,
                local: Vec::new(),
            };
            Ok(v.public() >= t && prefix_match(v, &prefix, spec)?)
        }
        "<=" => Ok(v.public() <= Pep440Version::parse(target)?),
        ">=" => Ok(v.public() >= Pep440Version::parse(target)?),
        "<" => {
            let t = Pep440Version::parse(target)?;
            if v.public() >= t {
                return Ok(false);
            }
            // `<V` must not admit pre-releases of V itself unless V is one.
            Ok(t.is_prerelease() || !(v.is_prerelease() && v.base_version() == t.base_version()))
        }
        ">" => {
            let t = Pep440Version::parse(target)?;
            if v.public() <= t {
                return Ok(false);
            }
            // `>V` must not admit post-releases of V unless V is one, nor
            // local versions of V's release (as `packaging` does it).
            let same_base = v.base_version() == t.base_version();
            if same_base && ((t.post.is_none() && v.post.is_some()) || !v.local.is_empty()) {
                return Ok(false);
            }
            Ok(true)
        }
        _ => Err(err(spec, "unknown operator")),
    }
}

/// Prefix matching for `==V.*`: the candidate's release, zero-padded, must
/// start with the prefix's release (in the same epoch). Only release-only
/// prefixes are supported, which covers every form PEP 440 shows.
fn prefix_match(
    v: &Pep440Version,
    prefix: &Pep440Version,
    spec: &str,
) -> Result<bool, VersionError> {
    if prefix.pre.is_some() || prefix.post.is_some() || prefix.dev.is_some() {
        return Err(err(
            spec,
            "prefix match on a non-release prefix is unsupported",
        ));
    }
    if !prefix.local.is_empty() {
        return Err(err(spec, "prefix match cannot carry a local label"));
    }
    if v.epoch != prefix.epoch {
        return Ok(false);
    }
    Ok(prefix
        .release
        .iter()
        .enumerate()
        .all(|(i, p)| v.release.get(i).copied().unwrap_or(0) == *p))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lt(a: &str, b: &str) {
        assert_eq!(compare(a, b).unwrap(), Ordering::Less, "{a} < {b}");
        assert_eq!(compare(b, a).unwrap(), Ordering::Greater, "{b} > {a}");
    }

    #[test]
    fn pep440_summary_ordering() {
        // The ordering example from PEP 440's "Summary of permitted suffixes
        // and relative ordering".
        let seq = [
            "1.dev0",
            "1.0.dev456",
            "1.0a1",
            "1.0a2.dev456",
            "1.0a12.dev456",
            "1.0a12",
            "1.0b1.dev456",
            "1.0b2",
            "1.0b2.post345.dev456",
            "1.0b2.post345",
            "1.0rc1.dev456",
            "1.0rc1",
            "1.0",
            "1.0+abc.5",
            "1.0+abc.7",
            "1.0+5",
            "1.0.post456.dev34",
            "1.0.post456",
            "1.0.15",
            "1.1.dev1",
        ];
        for w in seq.windows(2) {
            lt(w[0], w[1]);
        }
        for w in ["1.0.dev0", "1.0a1", "1.0b1", "1.0rc1", "1.0", "1.0.post1"].windows(2) {
            lt(w[0], w[1]);
        }
        lt("1.0", "1.0+local");
        lt("2.0", "1!0.1");
    }

    #[test]
    fn normalisation_equalities() {
        let eq = [
            ("1.0", "1.0.0"),
            ("1", "1.0.0.0"),
            ("1.0a", "1.0a0"),
            ("1.0alpha1", "1.0a1"),
            ("1.0-a-1", "1.0a1"),
            ("1.0_beta_2", "1.0b2"),
            ("1.0.c1", "1.0rc1"),
            ("1.0pre1", "1.0rc1"),
            ("1.0preview1", "1.0rc1"),
            ("1.0-1", "1.0.post1"),
            ("1.0rev", "1.0.post0"),
            ("1.0r2", "1.0.post2"),
            ("1.0.post", "1.0.post0"),
            ("1.0-dev", "1.0.dev0"),
            ("1.0DEV2", "1.0.dev2"),
            ("v1.0", "1.0"),
            ("  V1.0RC1 ", "1.0rc1"),
            ("0!1.0", "1.0"),
            ("1.0+ubuntu-1", "1.0+ubuntu.1"),
            ("1.0+01", "1.0+1"),
            ("1.0a.post1", "1.0a0.post1"),
            ("1.0a..post1", "1.0a0.post1"),
            ("0_b-", "0b0"),
            ("1.0-dev-", "1.0.dev0"),
        ];
        for (a, b) in eq {
            assert_eq!(compare(a, b).unwrap(), Ordering::Equal, "{a} == {b}");
        }
        assert_eq!(
            Pep440Version::parse("1.0-Alpha_3.REV4-dev5+Ubuntu-1")
                .unwrap()
                .to_string(),
            "1.0a3.post4.dev5+ubuntu.1"
        );
    }

    #[test]
    fn local_segments() {
        lt("1.0+abc", "1.0+abc.1");
        lt("1.0+abc.z", "1.0+abc.1");
        lt("1.0+2", "1.0+10");
        lt("1.0+a", "1.0+b");
    }

    #[test]
    fn invalid_inputs_are_errors() {
        for bad in [
            "",
            "v",
            "1.",
            "1..0",
            "1.0+",
            "1.0+a..b",
            "1.0-",
            "a1",
            "1.0foo",
            "1!",
            "1.0+a+b",
            "1.0 .1",
            "99999999999999999999999",
        ] {
            assert!(Pep440Version::parse(bad).is_err(), "{bad:?} should fail");
        }
    }

    #[test]
    fn specifier_sets() {
        let cases = [
            ("1.5", ">=1.0,<2.0", true),
            ("2.0", ">=1.0,<2.0", false),
            ("1.9.9", ">=1.0, <2.0", true),
            ("1.4.5", "~=1.4.2", true),
            ("1.5.0", "~=1.4.2", false),
            ("1.4.1", "~=1.4.2", false),
            ("2.2", "~=2.2", true),
            ("3.0", "~=2.2", false),
            ("1.1", "==1.*", true),
            ("1.1a1", "==1.1.*", true),
            ("1.10", "==1.1.*", false),
            ("2.0", "==1.*", false),
            ("1.3", "!=1.3", false),
            ("1.3.0", "!=1.3", false),
            ("1.3.1", "!=1.3", true),
            ("1.0+cpu", "==1.0", true),
            ("1.0+cpu", "==1.0+gpu", false),
            ("2.0rc1", "<2.0", false),
            ("2.0rc1", "<2.0rc2", true),
            ("1.9", "<2.0", true),
            ("1.0.post1", ">1.0", false),
            ("1.0.1", ">1.0", true),
            ("1.0+local", ">1.0", false),
            ("1.0.post2", ">1.0.post1", true),
            ("1.0a2+local", ">1.0a1", false),
            ("1.0.1+local", ">1.0", true),
            ("2.0.post1.dev1", "<2.0.post2", false),
            ("2.0rc1", "<2.0.1", true),
            ("anything", "===anything", true),
            ("1.0", "", true),
        ];
        for (v, s, want) in cases {
            if v == "anything" {
                // Not a PEP 440 version, so only `===` could match it; the
                // evaluator requires a parseable version.
                assert!(satisfies(v, s).is_err());
                continue;
            }
            assert_eq!(satisfies(v, s).unwrap(), want, "{v} in {s}");
        }
        assert!(satisfies("1.0", "~=1").is_err());
        assert!(satisfies("1.0", "1.0").is_err());
    }
}
