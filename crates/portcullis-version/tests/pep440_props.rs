//! Property tests: PEP 440 comparison is a total order and parsing never
//! panics.

mod common;

use std::cmp::Ordering;

use portcullis_version::pep440::{compare, satisfies, Pep440Version};
use proptest::prelude::*;

/// Valid versions in the permissive syntax with small numbers, so that
/// equal and near-equal versions are common.
fn version() -> impl Strategy<Value = String> {
    "(v)?([12]!)?[0-9]{1,2}(\\.[0-9]{1,2}){0,3}([-_.]?(a|alpha|b|beta|rc|c|pre)[0-9]?)?((\\.post[0-9]?)|(-[0-9])|(rev[0-9]))?([-_.]?dev[0-9]?)?(\\+[a-z0-9]{1,3}([._-][a-z0-9]{1,3}){0,2})?"
}

/// The scheme's comparison on versions the generator made valid.
fn order(a: &str, b: &str) -> Ordering {
    compare(a, b).unwrap()
}

proptest! {
    #[test]
    fn generated_versions_parse(v in version()) {
        prop_assert!(Pep440Version::parse(&v).is_ok(), "{}", v);
    }

    #[test]
    fn reflexive_and_normal_form_is_equal(v in version()) {
        common::reflexive(order, &v)?;
        // Re-parsing the normal form gives an equal version.
        let normal = Pep440Version::parse(&v).unwrap().to_string();
        prop_assert_eq!(compare(&v, &normal).unwrap(), Ordering::Equal);
    }

    #[test]
    fn antisymmetric(a in version(), b in version()) {
        common::antisymmetric(order, &a, &b)?;
    }

    #[test]
    fn transitive(vs in prop::collection::vec(version(), 2..10)) {
        common::transitive(order, vs)?;
    }

    #[test]
    fn no_panic_on_any_input(s in "\\PC{0,24}", t in "[0-9a-z.!+_*=<>~, -]{0,24}") {
        let _ = Pep440Version::parse(&s);
        let _ = Pep440Version::parse(&t);
        let _ = satisfies(&t, &s);
        let _ = satisfies("1.0", &t);
    }
}
