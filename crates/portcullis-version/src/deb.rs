//! Debian package versions, as specified by deb-version(7) and implemented
//! by dpkg (`lib/dpkg/version.c`, `lib/dpkg/parsehelp.c`).
//!
//! A version is `[epoch:]upstream_version[-debian_revision]`:
//!
//! * the epoch is the decimal number before the *first* colon (0 if absent);
//! * the revision is everything after the *last* hyphen (empty if absent, and
//!   an absent revision compares like the empty string, which in turn
//!   compares equal to `0`, exactly as dpkg does);
//! * upstream and revision are compared with dpkg's `verrevcmp`: the strings
//!   are consumed as alternating runs of non-digits and digits; non-digit
//!   runs compare character by character where `~` sorts before everything
//!   (even the end of the string), letters sort before non-letters, and the
//!   end of the string sorts before anything but `~`; digit runs compare
//!   numerically (so leading zeros are ignored and lengths are unbounded).
//!
//! dpkg distinguishes hard parse errors (empty version, non-numeric epoch,
//! empty revision, …) from syntax *warnings* (upstream not starting with a
//! digit, characters outside the allowed set). `dpkg --compare-versions`
//! still compares versions that only have warnings. This module mirrors
//! that: [`DebVersion::parse_lenient`] returns the parsed version together
//! with the warning, [`compare_lenient`] behaves like
//! `dpkg --compare-versions`, while the strict [`DebVersion::parse`] and
//! [`compare`] report warnings as [`VersionError`] too.

use std::cmp::Ordering;
use std::fmt;

use crate::VersionError;

const SCHEME: &str = "deb";

/// A parsed Debian version.
///
/// Equality and ordering are dpkg's: `1.0`, `0:1.0` and `1.0-0` are equal.
#[derive(Debug, Clone)]
pub struct DebVersion {
    /// The epoch (0 when absent).
    pub epoch: u32,
    /// The upstream version (everything between the epoch and the last `-`).
    pub upstream: String,
    /// The Debian revision (after the last `-`; empty when absent).
    pub revision: String,
}

fn error(version: &str, reason: &str) -> VersionError {
    VersionError {
        scheme: SCHEME,
        version: version.to_owned(),
        reason: reason.to_owned(),
    }
}

impl DebVersion {
    /// Parses strictly: anything dpkg would error *or warn* about is an error.
    pub fn parse(s: &str) -> Result<Self, VersionError> {
        match Self::parse_lenient(s)? {
            (v, None) => Ok(v),
            (_, Some(warning)) => Err(warning),
        }
    }

    /// Parses like dpkg's `parseversion`: hard errors are `Err`; syntax
    /// problems dpkg only warns about are returned next to the version,
    /// which is still usable for comparison.
    pub fn parse_lenient(s: &str) -> Result<(Self, Option<VersionError>), VersionError> {
        // dpkg trims surrounding whitespace but rejects embedded whitespace.
        let trimmed = s.trim_matches(|c: char| c.is_ascii_whitespace());
        if trimmed.is_empty() {
            return Err(error(s, "version string is empty"));
        }
        if trimmed.bytes().any(|b| b.is_ascii_whitespace()) {
            return Err(error(s, "version string has embedded spaces"));
        }

        // The epoch ends at the first colon; later colons belong to upstream.
        let (epoch, rest) = match trimmed.split_once(':') {
            Some((e, rest)) => {
                if e.is_empty() {
                    return Err(error(s, "epoch in version is empty"));
                }
                // dpkg uses strtol, which would also accept a sign; a sign
                // never appears in real epochs, so only digits are accepted.
                if !e.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(error(s, "epoch in version is not number"));
                }
                // dpkg caps epochs at INT_MAX.
                let epoch = e
                    .parse::<u32>()
                    .ok()
                    .filter(|&n| n <= i32::MAX as u32)
                    .ok_or_else(|| error(s, "epoch in version is too big"))?;
                if rest.is_empty() {
                    return Err(error(s, "nothing after colon in version number"));
                }
                (epoch, rest)
            }
            None => (0, trimmed),
        };

        // The revision starts after the *last* hyphen, so upstream may
        // contain hyphens whenever a revision is present.
        let (upstream, revision) = match rest.rsplit_once('-') {
            Some((_, "")) => return Err(error(s, "revision number is empty")),
            Some((u, r)) => (u, r),
            None => (rest, ""),
        };
        if upstream.is_empty() {
            return Err(error(s, "upstream version is empty"));
        }

        let version = DebVersion {
            epoch,
            upstream: upstream.to_owned(),
            revision: revision.to_owned(),
        };

        // Warnings, checked in dpkg's order; only the first is reported.
        let warning = if !upstream.as_bytes()[0].is_ascii_digit() {
            Some(error(s, "version number does not start with digit"))
        } else if !upstream
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b".-+~:".contains(&b))
        {
            Some(error(s, "invalid character in version number"))
        } else if !revision
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b".+~".contains(&b))
        {
            Some(error(s, "invalid character in revision number"))
        } else {
            None
        };
        Ok((version, warning))
    }

    /// dpkg's `dpkg_version_compare`: epoch, then upstream, then revision.
    pub fn compare(&self, other: &Self) -> Ordering {
        self.epoch
            .cmp(&other.epoch)
            .then_with(|| verrevcmp(&self.upstream, &other.upstream))
            .then_with(|| verrevcmp(&self.revision, &other.revision))
    }
}

impl fmt::Display for DebVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.epoch != 0 {
            write!(f, "{}:", self.epoch)?;
        }
        f.write_str(&self.upstream)?;
        if !self.revision.is_empty() {
            write!(f, "-{}", self.revision)?;
        }
        Ok(())
    }
}

impl PartialEq for DebVersion {
    fn eq(&self, other: &Self) -> bool {
        self.compare(other) == Ordering::Equal
    }
}

impl Eq for DebVersion {}

impl PartialOrd for DebVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for DebVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        self.compare(other)
    }
}

/// Compares two Debian versions strictly: any version dpkg would reject or
/// warn about is an error.
pub fn compare(a: &str, b: &str) -> Result<Ordering, VersionError> {
    Ok(DebVersion::parse(a)?.compare(&DebVersion::parse(b)?))
}

/// Compares like `dpkg --compare-versions`: versions with mere syntax
/// warnings (e.g. an upstream starting with a letter) are still compared;
/// only hard parse errors fail.
pub fn compare_lenient(a: &str, b: &str) -> Result<Ordering, VersionError> {
    let (a, _) = DebVersion::parse_lenient(a)?;
    let (b, _) = DebVersion::parse_lenient(b)?;
    Ok(a.compare(&b))
}

/// The weight of one character in a non-digit run (dpkg's `order`).
///
/// `None` (end of string) and digits weigh 0, `~` weighs -1 so it sorts even
/// before the end, letters weigh their code, everything else its code plus
/// 256 so it sorts after all letters. dpkg works on `char`, which is signed
/// on the platforms it targets, so bytes >= 0x80 become negative codes and
/// land between letters and ASCII punctuation; mirrored here so that even
/// invalid input orders exactly as dpkg orders it.
fn order(c: Option<u8>) -> i32 {
    match c {
        None => 0,
        Some(c) if c.is_ascii_digit() => 0,
        Some(c) if c.is_ascii_alphabetic() => i32::from(c),
        Some(b'~') => -1,
        Some(c) => i32::from(c as i8) + 256,
    }
}

/// dpkg's `verrevcmp` over upstream versions or revisions.
fn verrevcmp(a: &str, b: &str) -> Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j) = (0, 0);
    let is_digit = |s: &[u8], k: usize| s.get(k).is_some_and(u8::is_ascii_digit);
    let is_non_digit = |s: &[u8], k: usize| s.get(k).is_some_and(|c| !c.is_ascii_digit());

    while i < a.len() || j < b.len() {
        // Non-digit run: compared position by position until both sides
        // reach a digit (or the end).
        while is_non_digit(a, i) || is_non_digit(b, j) {
            let (ac, bc) = (order(a.get(i).copied()), order(b.get(j).copied()));
            if ac != bc {
                return ac.cmp(&bc);
            }
            // Equal weights here imply the same non-digit byte on both
            // sides (one side at least is a non-digit, whose weight is
            // never 0), so both advance.
            i += 1;
            j += 1;
        }
        // Digit run: numeric value, i.e. skip leading zeros, then the longer
        // run wins, and for equal lengths the first differing digit decides.
        while a.get(i) == Some(&b'0') {
            i += 1;
        }
        while b.get(j) == Some(&b'0') {
            j += 1;
        }
        let mut first_diff = Ordering::Equal;
        while is_digit(a, i) && is_digit(b, j) {
            if first_diff == Ordering::Equal {
                first_diff = a[i].cmp(&b[j]);
            }
            i += 1;
            j += 1;
        }
        if is_digit(a, i) {
            return Ordering::Greater;
        }
        if is_digit(b, j) {
            return Ordering::Less;
        }
        if first_diff != Ordering::Equal {
            return first_diff;
        }
    }
    Ordering::Equal
}

#[cfg(test)]
mod tests {
    use super::*;
    use Ordering::{Equal, Greater, Less};

    /// Cases from deb-version(7) and dpkg's own test suite (t-version.c).
    const CASES: &[(&str, &str, Ordering)] = &[
        ("1.0", "1.0", Equal),
        ("0:1.0", "1.0", Equal),
        ("1.0", "1.0-0", Equal),
        ("1.0~rc1", "1.0", Less),
        ("1:0.9", "2.0", Greater),
        ("1.0-1", "1.0-1.1", Less),
        ("2.36-9+deb12u3", "2.36-9+deb12u4", Less),
        ("1.0~~", "1.0~", Less),
        ("1.0~", "1.0", Less),
        ("1.0~~a", "1.0~", Less),
        ("1.0", "1.0a", Less),
        ("1.0a", "1.0+", Less),
        ("1.0+", "1.0.", Less),
        ("1", "1.0", Less),
        ("1.0", "1.00", Equal),
        ("1.001", "1.1", Equal),
        ("1.2", "1.10", Less),
        ("0:0-0", "0:0-0", Equal),
        ("0:0-0", "0:0-1", Less),
        ("0:0.0-0", "0:0-0", Greater),
        ("0:0-00", "0:0-0", Equal),
        ("1:0-0", "0:0-0", Greater),
        ("2:1.0", "10:0.1", Less),
        ("0:1a", "0:1b", Less),
        ("0:0.0", "0:0.0", Equal),
        ("0:0.1", "0:0.0", Greater),
        ("0:0.0a", "0:0.0", Greater),
        ("0:0.0~", "0:0.0", Less),
        ("0:1.2-3", "0:1.2-3", Equal),
        ("1.2-3-4", "1.2-3-5", Less),
        ("1.2-3-4", "1.2-3", Greater),
        ("7.6p2-4", "7.6-0", Greater),
        ("1.0.3-3", "1.0-1", Greater),
        ("1.3", "1.2.2-2", Greater),
        ("1.3", "1.2.2", Greater),
        ("0-pre", "0-pre", Equal),
        ("0-pre", "0-pree", Less),
        ("1.1.6r2-2", "1.1.6r-1", Greater),
        ("2.6b2-1", "2.6b-2", Greater),
        ("98.1p5-1", "98.1-pre2-b6-2", Less),
        ("0.4a6-2", "0.4-1", Greater),
        ("1:3.0.5-2", "1:3.0.5.1", Less),
        ("10.3", "1:0.4", Less),
        ("1:1.25-4", "1:1.25-8", Less),
        ("0:1.18.36", "1.18.36", Equal),
        ("1.18.36", "1.18.35", Greater),
        ("0:1.18.36", "1.18.35", Greater),
        ("9:1.18.36:5.4-20", "10:0.5.1-22", Less),
        ("9:1.18.36:5.4-20", "9:1.18.36:5.5-1", Less),
        ("9:1.18.36:5.4-20", " 9:1.18.37:4.3-22", Less),
        ("1.18.36-0.17.35-18", "1.18.36-19", Greater),
        ("1:1.2.13-3", "1:1.2.13-3.1", Less),
        ("2.0.7pre1-4", "2.0.7r-1", Less),
        ("0:0-a.1", "0:0-a", Greater),
        ("0:0-a.0", "0:0-a", Greater),
        ("1.0~beta1~svn1245", "1.0~beta1", Less),
        ("1.0~beta1", "1.0", Less),
        ("1.2.3+dfsg", "1.2.3", Greater),
        ("1.2.3+dfsg-1~bpo12+1", "1.2.3+dfsg-1", Less),
        ("1:2.0~rc1-1", "1:2.0-1", Less),
        ("18446744073709551616", "18446744073709551615", Greater),
        ("1.000000000000000000000001", "1.1", Equal),
    ];

    #[test]
    fn table() {
        for &(a, b, want) in CASES {
            assert_eq!(compare(a, b), Ok(want), "{a} vs {b}");
            assert_eq!(compare(b, a), Ok(want.reverse()), "{b} vs {a}");
        }
    }

    #[test]
    fn parse_fields() {
        let v = DebVersion::parse("2:1.2-3-4").unwrap();
        assert_eq!((v.epoch, &*v.upstream, &*v.revision), (2, "1.2-3", "4"));
        assert!(DebVersion::parse("1.18.36:5.4").is_err()); // epoch must be a number
                                                            // Only the first colon ends the epoch.
        let v = DebVersion::parse("9:1.18.36:5.4-20").unwrap();
        assert_eq!(
            (v.epoch, &*v.upstream, &*v.revision),
            (9, "1.18.36:5.4", "20")
        );
        assert_eq!(v.to_string(), "9:1.18.36:5.4-20");
        assert_eq!(DebVersion::parse("  1.0  ").unwrap().upstream, "1.0");
    }

    #[test]
    fn hard_errors() {
        for bad in [
            "",
            "  ",
            "1.0-",
            ":1.0",
            "a:1.0",
            "-1:1.0",
            "1:",
            "-1",
            "1 0",
            "2147483648:1",
            "1:-1",
        ] {
            assert!(DebVersion::parse_lenient(bad).is_err(), "{bad:?}");
            assert!(compare(bad, "1").is_err(), "{bad:?}");
            assert!(compare_lenient("1", bad).is_err(), "{bad:?}");
        }
        assert!(DebVersion::parse("2147483647:1").is_ok());
    }

    #[test]
    fn warnings_are_errors_only_when_strict() {
        for (bad, other, want) in [
            ("a1.0", "1.0", Greater),
            ("1.0_1", "1.0", Greater),
            ("1.0-1_1", "1.0-1", Greater),
            ("1.0-1/1", "1.0-1", Greater),
            ("1.0é", "1.0z", Greater),
            ("1.0é", "1.0.", Less),
        ] {
            let (_, warning) = DebVersion::parse_lenient(bad).unwrap();
            assert!(warning.is_some(), "{bad:?}");
            assert!(compare(bad, other).is_err(), "{bad:?}");
            assert_eq!(compare_lenient(bad, other), Ok(want), "{bad:?}");
        }
    }
}
