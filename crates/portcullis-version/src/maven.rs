//! Maven version ordering, following Maven 3's `ComparableVersion`
//! (the algorithm of maven-artifact 3.x up to 3.8; checked against the
//! 3.8 jar by `tests/maven_oracle.rs`).
//!
//! A version is split into items at `.` and `-` and at every transition
//! between digits and letters. Numbers compare numerically; qualifiers
//! compare by a fixed ladder `alpha < beta < milestone < rc < snapshot <
//! "" (= ga = final = release) < sp`, unknown qualifiers after all known
//! ones, lexically. `a1`/`b1`/`m1` (a single letter directly followed by a
//! digit) mean alpha/beta/milestone, and `cr` means `rc`. A `-` (or a
//! digit/letter transition) opens a nested sub-list, so `1-1 < 1.1`.
//! Trailing "null" items (0, "", empty list) are dropped, so
//! `1 == 1.0 == 1.0.0`. A trailing qualifier after `.` is treated as after
//! `-` (`1.beta == 1-beta`). Every string is a valid Maven version.
//!
//! Maven 3.9 changed some edge cases (e.g. `X-1` read as `X1`); those are
//! not reproduced here.

use std::cmp::Ordering;

#[derive(Clone, Debug)]
enum Item {
    /// Decimal digits without leading zeros ("" is zero), so arbitrarily
    /// long numbers compare correctly without overflow.
    Int(String),
    Str(String),
    List(Vec<Item>),
}

/// Rank of a qualifier on the ladder; unknown qualifiers sort after every
/// known one and then lexically (Maven builds the string `"7-" + q`; a
/// tuple expresses the same order).
fn qualifier_rank(q: &str) -> (usize, &str) {
    const LADDER: [&str; 7] = ["alpha", "beta", "milestone", "rc", "snapshot", "", "sp"];
    match LADDER.iter().position(|l| *l == q) {
        Some(i) => (i, ""),
        None => (LADDER.len(), q),
    }
}

const RELEASE_RANK: usize = 5;

fn make_string(s: &str, followed_by_digit: bool) -> Item {
    let s = if followed_by_digit && s.len() == 1 {
        match s {
            "a" => "alpha",
            "b" => "beta",
            "m" => "milestone",
            other => other,
        }
    } else {
        s
    };
    let s = match s {
        "ga" | "final" | "release" => "",
        "cr" => "rc",
        other => other,
    };
    Item::Str(s.to_string())
}

fn make_item(is_digit: bool, s: &str) -> Item {
    if is_digit {
        Item::Int(s.trim_start_matches('0').to_string())
    } else {
        make_string(s, false)
    }
}

impl Item {
    fn is_null(&self) -> bool {
        match self {
            Item::Int(n) => n.is_empty(),
            Item::Str(s) => qualifier_rank(s).0 == RELEASE_RANK,
            Item::List(l) => l.is_empty(),
        }
    }

    /// `other == None` stands for "no item here" (the shorter version ran
    /// out), which Maven compares like the item's null value.
    fn compare(&self, other: Option<&Item>) -> Ordering {
        match (self, other) {
            (Item::Int(n), None) => {
                if n.is_empty() {
                    Ordering::Equal
                } else {
                    Ordering::Greater
                }
            }
            (Item::Int(a), Some(Item::Int(b))) => a.len().cmp(&b.len()).then_with(|| a.cmp(b)),
            (Item::Int(_), Some(_)) => Ordering::Greater,
            (Item::Str(s), None) => qualifier_rank(s).cmp(&(RELEASE_RANK, "")),
            (Item::Str(_), Some(Item::Int(_))) => Ordering::Less,
            (Item::Str(a), Some(Item::Str(b))) => qualifier_rank(a).cmp(&qualifier_rank(b)),
            (Item::Str(_), Some(Item::List(_))) => Ordering::Less,
            // Against "nothing", the first item that differs from its own
            // null value decides (an empty list equals nothing).
            (Item::List(l), None) => l
                .iter()
                .map(|i| i.compare(None))
                .find(|o| *o != Ordering::Equal)
                .unwrap_or(Ordering::Equal),
            (Item::List(_), Some(Item::Int(_))) => Ordering::Less,
            (Item::List(_), Some(Item::Str(_))) => Ordering::Greater,
            (Item::List(a), Some(Item::List(b))) => {
                for i in 0..a.len().max(b.len()) {
                    let r = match (a.get(i), b.get(i)) {
                        (Some(l), r) => l.compare(r),
                        (None, Some(r)) => r.compare(None).reverse(),
                        (None, None) => Ordering::Equal,
                    };
                    if r != Ordering::Equal {
                        return r;
                    }
                }
                Ordering::Equal
            }
        }
    }
}

/// Drops trailing null items, scanning back past nested lists the way
/// Maven's `ListItem.normalize` does.
fn normalize(list: &mut Vec<Item>) {
    let mut i = list.len();
    while i > 0 {
        i -= 1;
        if list[i].is_null() {
            list.remove(i);
        } else if !matches!(list[i], Item::List(_)) {
            break;
        }
    }
}

/// Builder state: a stack of open lists; each `-` or digit/letter
/// transition opens a new list nested in the current one.
struct Builder {
    stack: Vec<Vec<Item>>,
}

impl Builder {
    fn current(&mut self) -> &mut Vec<Item> {
        // The stack is never empty: the root is pushed first and only
        // `finish` pops it.
        let n = self.stack.len();
        &mut self.stack[n - 1]
    }
    fn push(&mut self, item: Item) {
        self.current().push(item);
    }
    fn open(&mut self) {
        self.stack.push(Vec::new());
    }
    /// Closes every open list, normalising innermost first, and returns the
    /// root.
    fn finish(mut self) -> Vec<Item> {
        while self.stack.len() > 1 {
            let mut inner = self.stack.pop().unwrap_or_default();
            normalize(&mut inner);
            self.push(Item::List(inner));
        }
        let mut root = self.stack.pop().unwrap_or_default();
        normalize(&mut root);
        root
    }
}

fn parse(version: &str) -> Vec<Item> {
    let v = version.to_lowercase();
    let chars: Vec<char> = v.chars().collect();
    let mut b = Builder {
        stack: vec![Vec::new()],
    };
    let mut is_digit = false;
    let mut start = 0;
    let text = |from: usize, to: usize| chars[from..to].iter().collect::<String>();
    for (i, &c) in chars.iter().enumerate() {
        if c == '.' || c == '-' {
            if i == start {
                b.push(Item::Int(String::new()));
            } else {
                b.push(make_item(is_digit, &text(start, i)));
            }
            start = i + 1;
            if c == '-' {
                b.open();
            }
        } else if c.is_ascii_digit() {
            if !is_digit && i > start {
                // A qualifier directly followed by a number (`rc1`) goes
                // into a list of its own, as does the number after it.
                if !b.current().is_empty() {
                    b.open();
                }
                b.push(make_string(&text(start, i), true));
                start = i;
                b.open();
            }
            is_digit = true;
        } else {
            if is_digit && i > start {
                b.push(make_item(true, &text(start, i)));
                start = i;
                b.open();
            }
            is_digit = false;
        }
    }
    if chars.len() > start {
        // A trailing qualifier after `.` is treated like one after `-`
        // (`1.0.0.x1 < 1.0.0-x2` in Maven's words).
        if !is_digit && !b.current().is_empty() {
            b.open();
        }
        b.push(make_item(is_digit, &text(start, chars.len())));
    }
    b.finish()
}

/// Compares two Maven versions. Total: every string is a version.
pub fn compare(a: &str, b: &str) -> Ordering {
    Item::List(parse(a)).compare(Some(&Item::List(parse(b))))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ascending(seq: &[&str]) {
        for i in 0..seq.len() {
            for j in i + 1..seq.len() {
                assert_eq!(
                    compare(seq[i], seq[j]),
                    Ordering::Less,
                    "{} < {}",
                    seq[i],
                    seq[j]
                );
                assert_eq!(
                    compare(seq[j], seq[i]),
                    Ordering::Greater,
                    "{} > {}",
                    seq[j],
                    seq[i]
                );
            }
        }
    }

    #[test]
    fn comparable_version_test_qualifiers() {
        // Maven's ComparableVersionTest, VERSIONS_QUALIFIER.
        ascending(&[
            "1-alpha2snapshot",
            "1-alpha2",
            "1-alpha-123",
            "1-beta-2",
            "1-beta123",
            "1-m2",
            "1-m11",
            "1-rc",
            "1-cr2",
            "1-rc123",
            "1-SNAPSHOT",
            "1",
            "1-sp",
            "1-sp2",
            "1-sp123",
            "1-abc",
            "1-def",
            "1-pom-1",
            "1-1-snapshot",
            "1-1",
            "1-2",
            "1-123",
        ]);
    }

    #[test]
    fn comparable_version_test_numbers() {
        // Maven's ComparableVersionTest, VERSIONS_NUMBER (3.8 behaviour:
        // a trailing `.a` is treated as `-a`, so `2.0.a == 2.0.0.a < 2-1`).
        ascending(&[
            "2.0", "2.0.a", "2-1", "2.0.2", "2.0.123", "2.1.0", "2.1-a", "2.1b", "2.1-c", "2.1-1",
            "2.1.0.1", "2.2", "2.123", "11.a2", "11.a11", "11.b2", "11.b11", "11.m2", "11.m11",
            "11", "11.a", "11b", "11c", "11m",
        ]);
    }

    #[test]
    fn comparable_version_test_equal() {
        let eq = [
            ("1", "1.0"),
            ("1", "1.0.0"),
            ("1.0", "1.0.0"),
            ("1", "1-0"),
            ("1", "1.0-0"),
            ("1.0", "1.0-0"),
            ("1a", "1-a"),
            ("1a", "1.0-a"),
            ("1a", "1.0.0-a"),
            ("1.0a", "1-a"),
            ("1.0.0a", "1-a"),
            ("1x", "1-x"),
            ("1x", "1.0-x"),
            ("1.0.0x", "1-x"),
            ("1cr", "1rc"),
            ("1a1", "1-alpha-1"),
            ("1b2", "1-beta-2"),
            ("1m3", "1-milestone-3"),
            ("1X", "1x"),
            ("1A", "1a"),
            ("1B", "1b"),
            ("1M", "1m"),
            ("1Ga", "1"),
            ("1GA", "1"),
            ("1RELEASE", "1"),
            ("1release", "1"),
            ("1FINAL", "1"),
            ("1final", "1"),
            ("1Cr", "1Rc"),
            ("1cR", "1rC"),
            ("1m3", "1Milestone3"),
            ("1.0.0-SNAPSHOT", "1-snapshot"),
            ("2.0.a", "2.0.0.a"),
            ("1.beta", "1-beta"),
            ("00001", "1"),
            ("1.0.0000000000000000000000000000001", "1.0.1"),
        ];
        for (a, b) in eq {
            assert_eq!(compare(a, b), Ordering::Equal, "{a} == {b}");
        }
        assert_eq!(compare("1-1", "1.1"), Ordering::Less);
        // A cycle that follows from Maven's normalisation (the `ga` before
        // the sub-list is dropped); reproduced on purpose, see maven_props.
        assert_eq!(compare("1", "1-sp"), Ordering::Less);
        assert_eq!(compare("1-sp", "1-ga-rc"), Ordering::Less);
        assert_eq!(compare("1-ga-rc", "1"), Ordering::Less);
        assert_eq!(
            compare(
                "1.0.0.99999999999999999999999999",
                "1.0.0.99999999999999999999999998"
            ),
            Ordering::Greater
        );
        // Degenerate inputs are versions too and must not panic.
        for odd in ["", ".", "-", "--..", "é-1", "1..2", "ü"] {
            let _ = compare(odd, "1");
        }
    }
}
