//! Property tests: SemVer precedence is a total order, range parsing and
//! evaluation never panic, and simple ranges agree with direct comparison.

mod common;

use std::cmp::Ordering;

use portcullis_version::npm::{compare, Range, SemVer};
use proptest::prelude::*;

fn num() -> impl Strategy<Value = String> {
    prop_oneof![Just("0".to_string()), "[1-9][0-9]{0,1}"]
}

fn ident() -> impl Strategy<Value = String> {
    prop_oneof![
        num(),
        "[a-z][a-z0-9-]{0,3}",
        Just("alpha".to_string()),
        Just("beta".to_string())
    ]
}

fn version() -> impl Strategy<Value = String> {
    (
        num(),
        num(),
        num(),
        prop::collection::vec(ident(), 0..4),
        prop::option::of("[a-z0-9]{1,4}"),
    )
        .prop_map(|(a, b, c, pre, build)| {
            let mut s = format!("{a}.{b}.{c}");
            if !pre.is_empty() {
                s.push('-');
                s.push_str(&pre.join("."));
            }
            if let Some(b) = build {
                s.push('+');
                s.push_str(&b);
            }
            s
        })
}

/// A release (no pre-release), for which the pre-release rule of ranges
/// does not apply.
fn release() -> impl Strategy<Value = String> {
    (num(), num(), num()).prop_map(|(a, b, c)| format!("{a}.{b}.{c}"))
}

/// The scheme's comparison on versions the generator made valid.
fn order(a: &str, b: &str) -> Ordering {
    compare(a, b).unwrap()
}

proptest! {
    #[test]
    fn reflexive(v in version()) {
        common::reflexive(order, &v)?;
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
    fn primitive_ranges_agree_with_compare(a in release(), b in version()) {
        // For releases the pre-release rule does not interfere, so `<B` and
        // `>=B` must agree exactly with precedence.
        let o = compare(&a, &b).unwrap();
        prop_assert_eq!(Range::parse(&format!("<{b}")).unwrap().satisfies(&a), o == Ordering::Less);
        prop_assert_eq!(Range::parse(&format!(">={b}")).unwrap().satisfies(&a), o != Ordering::Less);
        // A range and its complement split the releases.
        let r = Range::parse(&format!("<{b} || >={b}")).unwrap();
        prop_assert!(r.satisfies(&a));
    }

    #[test]
    fn no_panic_on_any_input(s in "\\PC{0,24}", t in "[0-9xX*.^~<>=| v-]{0,24}") {
        let _ = SemVer::parse(&s);
        for r in [&s, &t] {
            if let Ok(range) = Range::parse(r) {
                let _ = range.satisfies("1.2.3");
                let _ = range.satisfies("1.2.3-beta.1");
            }
        }
    }
}
