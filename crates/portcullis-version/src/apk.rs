//! Alpine package versions, following apk-tools' `src/version.c` as
//! rewritten for apk-tools 2.14/3.x (the current implementation; earlier 2.x
//! releases had a tokenizer with leading-zero quirks, e.g. they ordered
//! `1.0_rc1` after `1.0`). The grammar is Gentoo's, plus a commit hash:
//!
//! ```text
//! digits{.digits}...{letter}{_suffix{digits}}...{~hexhash}{-rdigits}
//! ```
//!
//! Tokens are compared pairwise while both versions have a token of the
//! same kind:
//!
//! * numbers compare numerically, except that a `.`-component where either
//!   side has a leading zero compares as a string, as Gentoo specifies
//!   (`1.01 < 1.1`, `1.0 < 1.00`);
//! * the optional single lowercase letter compares by character;
//! * suffixes order `_alpha < _beta < _pre < _rc < (none) < _cvs < _svn <
//!   _git < _hg < _p`, each with an optional number;
//! * the `~hash` commit hash (lowercase hex) compares as a string;
//! * `-rN` is the package revision.
//!
//! When one version runs out of tokens (or the kinds differ) first, the one
//! with more is newer, unless its next token is a pre-release suffix. Since
//! the kinds appear in a fixed order, "has more" means "its next kind comes
//! earlier in the grammar".
//!
//! Versions that apk's `apk_version_validate` rejects are [`VersionError`]s.
//! Numbers compare exactly at any length (apk reads them into 64 bits).

use std::cmp::Ordering;

use crate::VersionError;

/// Token kinds in grammar order; the order itself is used when one version
/// runs out first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    InitialDigit,
    Digit,
    Letter,
    Suffix,
    SuffixNo,
    CommitHash,
    RevisionNo,
    End,
}

/// Suffix words in their order; `None` (no suffix) sits between the
/// pre-release and the post-release ones.
const SUFFIXES: [&str; 9] = ["alpha", "beta", "pre", "rc", "cvs", "svn", "git", "hg", "p"];
/// Index in [`SUFFIXES`] of the first post-release suffix.
const FIRST_POST_SUFFIX: usize = 4;

#[derive(Clone, Copy, Debug)]
struct Token<'a> {
    kind: Kind,
    /// The token's text: digits, the letter, the suffix word or the hash.
    text: &'a [u8],
    /// For suffixes, the index in [`SUFFIXES`].
    suffix: usize,
}

/// Splits `s` into its tokens, or says where it stops following the grammar.
fn tokenize(s: &str) -> Result<Vec<Token<'_>>, String> {
    let b = s.as_bytes();
    let run = |from: usize, class: fn(&u8) -> bool| {
        from + b[from..].iter().take_while(|c| class(c)).count()
    };
    let is_hex = |c: &u8| c.is_ascii_digit() || (b'a'..=b'f').contains(c);

    let mut tokens = Vec::new();
    let end = run(0, u8::is_ascii_digit);
    if end == 0 {
        return Err("does not start with a digit".into());
    }
    tokens.push(Token {
        kind: Kind::InitialDigit,
        text: &b[..end],
        suffix: 0,
    });
    let mut i = end;
    let mut prev = Kind::InitialDigit;
    while i < b.len() {
        let bad = |what: &str| Err(format!("{what} at byte {i}"));
        let (kind, start, end, suffix) = match b[i] {
            b'a'..=b'z' if prev <= Kind::Digit => (Kind::Letter, i, i + 1, 0),
            b'.' if prev <= Kind::Digit => {
                let end = run(i + 1, u8::is_ascii_digit);
                if end == i + 1 {
                    return bad("no digits after '.'");
                }
                (Kind::Digit, i + 1, end, 0)
            }
            // Digits directly after a suffix word are its number; anywhere
            // else they would have been consumed already, or follow a letter,
            // which the grammar does not allow.
            b'0'..=b'9' if prev == Kind::Suffix => {
                (Kind::SuffixNo, i, run(i, u8::is_ascii_digit), 0)
            }
            b'_' if prev <= Kind::SuffixNo => {
                let end = run(i + 1, u8::is_ascii_lowercase);
                let word = &b[i + 1..end];
                match SUFFIXES.iter().position(|w| w.as_bytes() == word) {
                    Some(n) => (Kind::Suffix, i + 1, end, n),
                    None => return bad("unknown suffix"),
                }
            }
            b'~' if prev < Kind::CommitHash => {
                let end = run(i + 1, is_hex);
                if end == i + 1 {
                    return bad("no lowercase hex digits after '~'");
                }
                (Kind::CommitHash, i + 1, end, 0)
            }
            b'-' if prev < Kind::RevisionNo => {
                if b.get(i + 1) != Some(&b'r') {
                    return bad("'-' not followed by 'r'");
                }
                let end = run(i + 2, u8::is_ascii_digit);
                if end == i + 2 {
                    return bad("no digits after '-r'");
                }
                (Kind::RevisionNo, i + 2, end, 0)
            }
            _ => return bad("unexpected character"),
        };
        tokens.push(Token {
            kind,
            text: &b[start..end],
            suffix,
        });
        prev = kind;
        i = end;
    }
    Ok(tokens)
}

/// Whether apk-tools would accept `v` as a version.
pub fn validate(v: &str) -> Result<(), VersionError> {
    tokenize(v).map(|_| ()).map_err(|reason| error(v, reason))
}

fn error(v: &str, reason: String) -> VersionError {
    VersionError {
        scheme: "apk",
        version: v.to_owned(),
        reason,
    }
}

/// Numeric comparison of unbounded digit strings.
fn cmp_numbers(a: &[u8], b: &[u8]) -> Ordering {
    let strip = |s: &[u8]| -> usize { s.iter().take_while(|&&c| c == b'0').count() };
    let (a, b) = (&a[strip(a)..], &b[strip(b)..]);
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

/// Compares two tokens of the same kind.
fn cmp_tokens(a: &Token<'_>, b: &Token<'_>) -> Ordering {
    match a.kind {
        // Gentoo: a leading zero in either component means string order.
        Kind::Digit if a.text[0] == b'0' || b.text[0] == b'0' => a.text.cmp(b.text),
        Kind::InitialDigit | Kind::Digit | Kind::SuffixNo | Kind::RevisionNo => {
            cmp_numbers(a.text, b.text)
        }
        Kind::Suffix => a.suffix.cmp(&b.suffix),
        Kind::Letter | Kind::CommitHash | Kind::End => a.text.cmp(b.text),
    }
}

/// Compares two apk versions; either being invalid is an error.
pub fn compare(a: &str, b: &str) -> Result<Ordering, VersionError> {
    let ta = tokenize(a).map_err(|r| error(a, r))?;
    let tb = tokenize(b).map_err(|r| error(b, r))?;
    let end = Token {
        kind: Kind::End,
        text: b"",
        suffix: 0,
    };
    let mut i = 0;
    loop {
        let (x, y) = (ta.get(i).unwrap_or(&end), tb.get(i).unwrap_or(&end));
        if x.kind != y.kind {
            // A pre-release suffix makes the longer version older.
            let pre = |t: &Token<'_>| t.kind == Kind::Suffix && t.suffix < FIRST_POST_SUFFIX;
            if pre(x) {
                return Ok(Ordering::Less);
            }
            if pre(y) {
                return Ok(Ordering::Greater);
            }
            // Otherwise the side whose next token comes earlier in the
            // grammar has more version, so it is newer.
            return Ok(y.kind.cmp(&x.kind));
        }
        if x.kind == Kind::End {
            return Ok(Ordering::Equal);
        }
        match cmp_tokens(x, y) {
            Ordering::Equal => i += 1,
            other => return Ok(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Ordering::{Equal, Greater, Less};

    /// A selection of apk-tools' `test/version.data`, plus suffix, leading
    /// zero and commit-hash cases.
    const CASES: &[(&str, &str, Ordering)] = &[
        ("2.34", "0.1.0_alpha", Greater),
        ("0.1.0_alpha", "0.1.0_alpha", Equal),
        ("0.1.0_alpha2", "0.1.0_alpha", Greater),
        ("0.1.0_alpha", "2.2.39-r1", Less),
        ("1.0.4-r3", "1.0.4-r4", Less),
        ("1.1", "1.1_alpha1", Greater),
        ("1.2.1", "1.2", Greater),
        ("1.2", "1.3_alpha", Less),
        ("0.8_beta4", "4.8-r1", Less),
        ("3.10.18-r1", "2.3.0b-r1", Greater),
        ("2.3.0b-r1", "2.3.0b-r2", Less),
        ("0.12.3", "0.12", Greater),
        ("0.12", "0.13_beta1", Less),
        ("3.1_p16", "3.1_p17", Less),
        ("3.1_p17", "1.06-r6", Greater),
        ("1.06-r6", "006", Less),
        ("1.2.2-r1", "1.2.2", Greater),
        ("2.59", "20050718-r1", Less),
        ("3.9.8-r5", "2.01.01_alpha10", Greater),
        ("1.0", "0.99.3.20040818", Greater),
        ("1.39", "1.00_beta2", Greater),
        ("20060720", "3.0.20060720", Greater),
        ("2.5.1-r8", "2.5.1a-r1", Less),
        ("3.0.0-r2", "021109-r3", Less),
        ("0.9.16-r1", "3.9_pre20060124", Less),
        ("0.01", "0.06", Less),
        ("0.10.0-r1", "0.10.0", Greater),
        ("0.10.0", "0.10.1_rc1", Less),
        ("1.1a", "1.3a", Less),
        ("0.15.1b-r2", "0.15.1b", Greater),
        ("22.7-r1", "22.7.3-r1", Less),
        ("2.10.1", "02.08.01b", Greater),
        ("3.81", "1.6d", Greater),
        ("1.2.07.8", "1.2.12.04", Less),
        ("1.07-r1", "1.07.5", Less),
        ("0.1_pre20060817", "1.0.3", Less),
        ("0.59s-r11", "0.65", Less),
        ("4.20", "0.20070118", Greater),
        ("0.20070118", "0.20070207_rc1", Less),
        ("4.3_p2-r5", "4.4_p1-r6", Less),
        ("4.5_p1", "4.5_p1-r1", Less),
        ("0.9.8c-r1", "0.9.8d", Less),
        ("1.7", "1.7b", Less),
        ("1.8.5", "1.8.5_p2", Less),
        ("2.2.3-r2", "013", Less),
        ("013", "014-r1", Less),
        ("2.9.11_pre20051101-r3", "2.9.11_pre20051101", Greater),
        ("1.6.8_p12-r1", "1.6.8_p9-r2", Greater),
        ("0.9.28.1", "087-r1", Less),
        ("104-r11", "104-r9", Greater),
        ("20040406-r1", "2.12r-r4", Greater),
        ("7.0.17", "7.0.174", Less),
        ("1.3-r0", "1.3.1-r0", Less),
        ("1.3_pre1-r1", "1.3.2", Less),
        ("1.0_p10-r0", "1.0_p9-r0", Greater),
        ("0.1.0_alpha_pre2", "0.1.0_alpha", Less),
        (
            "1.0.0_pre20191002222144-r0",
            "1.0.0_pre20210530193627-r0",
            Less,
        ),
        // Suffix order.
        ("1.0_alpha", "1.0_beta", Less),
        ("1.0_beta", "1.0_pre", Less),
        ("1.0_pre", "1.0_rc", Less),
        ("1.0_rc", "1.0", Less),
        ("1.0", "1.0_cvs", Less),
        ("1.0_cvs", "1.0_svn", Less),
        ("1.0_svn", "1.0_git", Less),
        ("1.0_git", "1.0_hg", Less),
        ("1.0_hg", "1.0_p", Less),
        ("1.0_p1", "1.0-r1", Greater),
        ("1.0_rc1-r5", "1.0", Less),
        ("1.0-r0", "1.0", Greater),
        ("1.01", "1.1", Less),
        ("1.001", "1.01", Less),
        ("1.0", "1", Greater),
        ("1.0", "1.00", Less),
        ("1.0~abc1", "1.0", Greater),
        ("1.0~abc1", "1.0~abd", Less),
        ("1.0~abc1-r1", "1.0_p1", Less),
        ("1.0~abc1-r1", "1.0-r2", Greater),
        ("1.2.3_alpha1", "1.2.3_alpha", Greater),
        (
            "99999999999999999999999",
            "99999999999999999999998",
            Greater,
        ),
    ];

    #[test]
    fn table() {
        for &(a, b, want) in CASES {
            assert_eq!(compare(a, b), Ok(want), "{a} vs {b}");
            assert_eq!(compare(b, a), Ok(want.reverse()), "{b} vs {a}");
        }
    }

    #[test]
    fn invalid() {
        for bad in [
            "",
            "23_foo",
            "1.0bc",
            "1.0-1",
            "1.0-r",
            "1.0_",
            "1.0_alpha.1",
            "1.0-r1.1",
            "1.0-r1_p1",
            "1.0A",
            "v1.0",
            "1..0_",
            "1.0_p1a",
            "1 0",
            "1.0-r1-r2",
            "1a2",
            "1.0~",
            "1.0~ABC",
            "1.0_rcx",
            "1.a",
            ".1",
            "1.0-r1~ab",
        ] {
            assert!(validate(bad).is_err(), "{bad:?} should be invalid");
            assert!(compare(bad, "1.0").is_err(), "{bad:?}");
            assert!(compare("1.0", bad).is_err(), "{bad:?}");
        }
        for good in ["1", "1.0a", "1.0_alpha_pre2", "1.0_p", "1.0-r0", "20240101"] {
            assert_eq!(validate(good), Ok(()), "{good:?}");
        }
    }
}
