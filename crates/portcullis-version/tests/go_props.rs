//! Property tests for Go module versions: total order, pseudo-versions as
//! pre-releases, `+incompatible` ignored, and no panics.

mod common;

use std::cmp::Ordering;

use portcullis_version::golang::{compare, parse};
use proptest::prelude::*;

fn num() -> impl Strategy<Value = String> {
    prop_oneof![Just("0".to_string()), "[1-9][0-9]{0,1}"]
}

fn version() -> impl Strategy<Value = String> {
    (
        prop::bool::ANY,
        num(),
        num(),
        num(),
        prop_oneof![
            Just(String::new()),
            "-(alpha|beta|rc)(\\.[1-9])?",
            // Pseudo-version forms.
            "-20[12][0-9]{11}-[0-9a-f]{12}",
            "-0\\.20[12][0-9]{11}-[0-9a-f]{12}",
        ],
        prop_oneof![Just(""), Just("+incompatible")],
    )
        .prop_map(|(v, a, b, c, pre, build)| {
            format!("{}{a}.{b}.{c}{pre}{build}", if v { "v" } else { "" })
        })
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
    fn pseudo_version_precedes_its_base(a in 0u32..50, b in 0u32..50, ts in "20[12][0-9]{11}") {
        let pseudo = format!("v{a}.{b}.1-0.{ts}-abcdefabcdef");
        prop_assert_eq!(compare(&pseudo, &format!("v{a}.{b}.1")).unwrap(), Ordering::Less);
        prop_assert_eq!(compare(&pseudo, &format!("v{a}.{b}.0")).unwrap(), Ordering::Greater);
    }

    #[test]
    fn no_panic_on_any_input(s in "\\PC{0,24}", t in "(go|v)?[0-9a-z.+-]{0,16}") {
        let _ = parse(&s);
        let _ = parse(&t);
    }
}
