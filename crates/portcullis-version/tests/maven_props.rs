//! Property tests for Maven ComparableVersion ordering: total order on
//! generated versions and no panics on arbitrary strings.

mod common;

use std::cmp::Ordering;

use portcullis_version::maven::compare;
use proptest::prelude::*;

/// Generated versions for the order properties.
///
/// Maven's algorithm itself is not transitive when a null item (`0`, `ga`,
/// `final`) is followed by a `-` sub-list that starts with a qualifier:
/// normalisation drops the null item, giving `1 < 1-sp < 1-ga-rc < 1`.
/// This implementation reproduces that faithfully, so the generator avoids
/// such inputs instead of asserting a property Maven does not have.
fn version() -> impl Strategy<Value = String> {
    "[0-9]{1,2}(\\.[0-9]{1,2}){0,3}([.-]?(alpha|beta|a|b|m|rc|cr|snapshot|sp|foo|x)[0-9]{0,2})?(-[1-9][0-9]?){0,2}"
}

proptest! {
    #[test]
    fn reflexive(v in version()) {
        common::reflexive(compare, &v)?;
    }

    #[test]
    fn antisymmetric(a in version(), b in version()) {
        common::antisymmetric(compare, &a, &b)?;
    }

    #[test]
    fn transitive(vs in prop::collection::vec(version(), 2..10)) {
        common::transitive(compare, vs)?;
    }

    #[test]
    fn trailing_zeros_are_insignificant(v in "[1-9][0-9]?(\\.[1-9][0-9]?){0,2}", n in 1usize..4) {
        prop_assert_eq!(compare(&v, &format!("{v}{}", ".0".repeat(n))), Ordering::Equal);
    }

    #[test]
    fn no_panic_on_any_input(a in "\\PC{0,24}", b in "[0-9a-zA-Z.-]{0,24}") {
        let _ = compare(&a, &b);
        prop_assert_eq!(compare(&a, &a), Ordering::Equal);
    }
}
