//! RPM versions: `rpmvercmp` and `[epoch:]version[-release]` (EVR)
//! comparison, following rpm 4.18 (`rpmio/rpmvercmp.c`, `rpmio/rpmver.c`).
//!
//! `rpmvercmp` splits both strings into maximal runs of ASCII digits or
//! ASCII letters; every other character is a separator and only delimits
//! runs, except:
//!
//! * `~` sorts before everything, including the end of the string
//!   (`1.0~rc1 < 1.0`);
//! * `^` sorts after the end of the string but before any further segment
//!   (`1.0 < 1.0^git1 < 1.0.1`).
//!
//! A numeric run beats an alphabetic one, numeric runs compare as numbers of
//! any length (leading zeros ignored), alphabetic runs compare bytewise, and
//! when all runs agree the string with runs left over is newer.
//!
//! EVR strings are split like rpm's `parseEVR`: the epoch is a leading run
//! of digits followed by `:` (missing means `0`), the release is what
//! follows the last `-`. Epochs and versions compare with `rpmvercmp`. For
//! the release there are two rules in rpm, and both are offered:
//!
//! * [`compare`] (and [`Evr::compare`]) uses the rule rpm applies to
//!   dependency ranges (`rpmverOverlap`, the successor of the old
//!   `rpmdsCompare` logic): releases are compared **only when both sides
//!   have a non-empty release**. So `1.0` equals both `1.0-1` and `1.0-2`:
//!   a bare version covers every release, which is what advisories mean by
//!   "fixed in 1.0". This is the scanner's rule. Its equality is not
//!   transitive across release-less versions; among EVRs that all have a
//!   release (installed packages always do) it is a total order.
//! * [`vercmp`] (and [`Evr::compare_full`]) is rpm's `rpmverCmp`, what the
//!   Lua `rpm.vercmp` returns: a missing release sorts before any release,
//!   even an empty one (`1.0 < 1.0- < 1.0-0`). A total order.
//!
//! Every string is a valid RPM version, so nothing here fails.

use std::cmp::Ordering;
use std::fmt;

/// rpm's notion of a letter or digit: ASCII only, whatever the locale.
fn is_alnum(c: u8) -> bool {
    c.is_ascii_alphanumeric()
}

/// rpm 4.18's `rpmvercmp`.
pub fn rpmvercmp(a: &str, b: &str) -> Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a == b {
        return Ordering::Equal;
    }
    let (mut i, mut j) = (0, 0);
    let is_sep = |c: u8| !is_alnum(c) && c != b'~' && c != b'^';

    while i < a.len() || j < b.len() {
        while i < a.len() && is_sep(a[i]) {
            i += 1;
        }
        while j < b.len() && is_sep(b[j]) {
            j += 1;
        }
        let (ca, cb) = (a.get(i).copied(), b.get(j).copied());

        // Tilde sorts before anything, the end of the string included.
        if ca == Some(b'~') || cb == Some(b'~') {
            if ca != Some(b'~') {
                return Ordering::Greater;
            }
            if cb != Some(b'~') {
                return Ordering::Less;
            }
            i += 1;
            j += 1;
            continue;
        }

        // Caret is like tilde except that a string that has ended (the base
        // version) is older than one continuing with a caret.
        if ca == Some(b'^') || cb == Some(b'^') {
            if ca.is_none() {
                return Ordering::Less;
            }
            if cb.is_none() {
                return Ordering::Greater;
            }
            if ca != Some(b'^') {
                return Ordering::Greater;
            }
            if cb != Some(b'^') {
                return Ordering::Less;
            }
            i += 1;
            j += 1;
            continue;
        }

        if ca.is_none() || cb.is_none() {
            break;
        }

        // The kind of run is decided by `a`; `b` contributes a run of the
        // same kind, possibly empty.
        let numeric = a[i].is_ascii_digit();
        let kind: fn(&u8) -> bool = if numeric {
            u8::is_ascii_digit
        } else {
            u8::is_ascii_alphabetic
        };
        let run = |s: &[u8], k: usize| k + s[k..].iter().take_while(|c| kind(c)).count();
        let (ei, ej) = (run(a, i), run(b, j));
        let (mut sa, mut sb) = (&a[i..ei], &b[j..ej]);

        // An empty run in `b` means `b` has the other kind of run here:
        // numbers are newer than letters.
        if sb.is_empty() {
            return if numeric {
                Ordering::Greater
            } else {
                Ordering::Less
            };
        }

        if numeric {
            // Compare as unbounded numbers: drop leading zeros, then the
            // longer number is bigger.
            sa = strip_zeros(sa);
            sb = strip_zeros(sb);
            match sa.len().cmp(&sb.len()) {
                Ordering::Equal => {}
                other => return other,
            }
        }
        match sa.cmp(sb) {
            Ordering::Equal => {}
            other => return other,
        }
        i = ei;
        j = ej;
    }

    // All runs matched; separators may still have differed, which does not
    // matter. Otherwise the side with something left is newer.
    match (i >= a.len(), j >= b.len()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Less,
        _ => Ordering::Greater,
    }
}

fn strip_zeros(s: &[u8]) -> &[u8] {
    let zeros = s.iter().take_while(|&&c| c == b'0').count();
    &s[zeros..]
}

/// An RPM `[epoch:]version[-release]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Evr {
    /// The epoch digits, if the string had an epoch (`":1.0"` has epoch `"0"`).
    pub epoch: Option<String>,
    /// The version.
    pub version: String,
    /// The release (after the last `-`), if present.
    pub release: Option<String>,
}

impl Evr {
    /// Splits an EVR string the way rpm's `parseEVR` does: the epoch is a
    /// leading run of digits followed by `:`; the release is whatever
    /// follows the last `-`. Never fails.
    pub fn parse(s: &str) -> Self {
        let digits = s.bytes().take_while(u8::is_ascii_digit).count();
        let (epoch, rest) = match s[digits..].strip_prefix(':') {
            Some(rest) => {
                let e = &s[..digits];
                (Some(if e.is_empty() { "0" } else { e }.to_owned()), rest)
            }
            None => (None, s),
        };
        let (version, release) = match rest.rsplit_once('-') {
            Some((v, r)) => (v, Some(r.to_owned())),
            None => (rest, None),
        };
        Evr {
            epoch,
            version: version.to_owned(),
            release,
        }
    }

    /// Range comparison: releases only count when both are non-empty (see
    /// the module documentation).
    pub fn compare(&self, other: &Self) -> Ordering {
        self.epoch_and_version(other).then_with(|| {
            match (self.release.as_deref(), other.release.as_deref()) {
                (Some(r1), Some(r2)) if !r1.is_empty() && !r2.is_empty() => rpmvercmp(r1, r2),
                _ => Ordering::Equal,
            }
        })
    }

    /// rpm's `rpmverCmp` (Lua `rpm.vercmp`): a missing release is older than
    /// any release, an empty one included.
    pub fn compare_full(&self, other: &Self) -> Ordering {
        self.epoch_and_version(other).then_with(|| {
            match (self.release.as_deref(), other.release.as_deref()) {
                (Some(r1), Some(r2)) => rpmvercmp(r1, r2),
                (Some(_), None) => Ordering::Greater,
                (None, Some(_)) => Ordering::Less,
                (None, None) => Ordering::Equal,
            }
        })
    }

    fn epoch_and_version(&self, other: &Self) -> Ordering {
        let e1 = self.epoch.as_deref().unwrap_or("0");
        let e2 = other.epoch.as_deref().unwrap_or("0");
        rpmvercmp(e1, e2).then_with(|| rpmvercmp(&self.version, &other.version))
    }
}

impl fmt::Display for Evr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(e) = &self.epoch {
            write!(f, "{e}:")?;
        }
        f.write_str(&self.version)?;
        if let Some(r) = &self.release {
            write!(f, "-{r}")?;
        }
        Ok(())
    }
}

/// Compares two EVR strings with the range rule: releases only count when
/// both sides have one (see the module documentation).
pub fn compare(a: &str, b: &str) -> Ordering {
    Evr::parse(a).compare(&Evr::parse(b))
}

/// Compares two EVR strings exactly like rpm's `rpmverCmp` / Lua
/// `rpm.vercmp`: a missing release sorts before any release.
pub fn vercmp(a: &str, b: &str) -> Ordering {
    Evr::parse(a).compare_full(&Evr::parse(b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use Ordering::{Equal, Greater, Less};

    #[test]
    fn evr_parse() {
        let e = Evr::parse("2:1.0-3.el9");
        assert_eq!(e.epoch.as_deref(), Some("2"));
        assert_eq!(e.version, "1.0");
        assert_eq!(e.release.as_deref(), Some("3.el9"));
        assert_eq!(e.to_string(), "2:1.0-3.el9");
        let e = Evr::parse(":1.0");
        assert_eq!(e.epoch.as_deref(), Some("0"));
        let e = Evr::parse("a:1.0-1-2");
        assert_eq!(e.epoch, None);
        assert_eq!(e.version, "a:1.0-1");
        assert_eq!(e.release.as_deref(), Some("2"));
        assert_eq!(Evr::parse("").version, "");
    }

    #[test]
    fn evr_compare() {
        for (a, b, want) in [
            ("1:1.0", "2.0", Greater),
            ("0:1.0", "1.0", Equal),
            ("1.0-1", "1.0-2", Less),
            ("1.0", "1.0-2", Equal),
            ("1.0-", "1.0-2", Equal),
            ("1.0-1.el9", "1.0-1.el9_1", Less),
            ("01:1.0", "1:1.0", Equal),
            ("1.0-10", "1.0-9", Greater),
            ("2:0.1", "10:0.1", Less),
        ] {
            assert_eq!(compare(a, b), want, "{a} vs {b}");
            assert_eq!(compare(b, a), want.reverse(), "{b} vs {a}");
        }
    }

    /// Checked against rpm 4.18's `rpm.vercmp`.
    #[test]
    fn full_compare() {
        for (a, b, want) in [
            ("1.0", "1.0-", Less),
            ("1.0-", "1.0-0", Less),
            ("1.0", "1.0-0", Less),
            (":1", "0:1", Equal),
            ("1.0", "0:1.0", Equal),
            ("1.0-1", "1.0", Greater),
            ("1.0-~", "1.0", Greater),
            ("1.0-~", "1.0-", Less),
            ("1.0", "1:1.0", Less),
            ("1-2:3", "1-2:3", Equal),
        ] {
            assert_eq!(vercmp(a, b), want, "{a} vs {b}");
            assert_eq!(vercmp(b, a), want.reverse(), "{b} vs {a}");
        }
    }
}
