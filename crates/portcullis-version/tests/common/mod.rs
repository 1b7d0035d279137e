//! Shared by the version-scheme tests: the laws every ordering must obey,
//! and one small reproducible generator for the oracle runs.
#![allow(dead_code, unreachable_pub)]

use std::cmp::Ordering;

use proptest::test_runner::TestCaseError;
use proptest::{prop_assert_eq, prop_assert_ne};

/// A version equals itself.
pub fn reflexive(cmp: impl Fn(&str, &str) -> Ordering, a: &str) -> Result<(), TestCaseError> {
    prop_assert_eq!(cmp(a, a), Ordering::Equal, "{} vs itself", a);
    Ok(())
}

/// Swapping the arguments reverses the result.
pub fn antisymmetric(
    cmp: impl Fn(&str, &str) -> Ordering,
    a: &str,
    b: &str,
) -> Result<(), TestCaseError> {
    prop_assert_eq!(cmp(a, b), cmp(b, a).reverse(), "{} vs {}", a, b);
    Ok(())
}

/// Once sorted, no version is greater than one after it: a cycle in the
/// ordering (a < b < c < a) shows up here.
pub fn transitive(
    cmp: impl Fn(&str, &str) -> Ordering,
    mut versions: Vec<String>,
) -> Result<(), TestCaseError> {
    versions.sort_by(|a, b| cmp(a, b));
    for i in 0..versions.len() {
        for j in i + 1..versions.len() {
            prop_assert_ne!(
                cmp(&versions[i], &versions[j]),
                Ordering::Greater,
                "{} vs {}",
                versions[i],
                versions[j]
            );
        }
    }
    Ok(())
}

/// A linear congruential generator (Knuth's MMIX constants): the oracle runs
/// must test the same inputs every time, and need nothing stronger.
pub struct Lcg(pub u64);

impl Lcg {
    /// A number below `n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }

    /// One of `xs`.
    pub fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len() as u64) as usize]
    }

    /// One character of `chars`.
    pub fn pick_char(&mut self, chars: &[u8]) -> char {
        chars[self.below(chars.len() as u64) as usize] as char
    }
}
