//! Property tests for Go module versions: total order, pseudo-versions as
//! pre-releases, `+incompatible` ignored, and no panics.

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

proptest! {
    #[test]
    fn reflexive(v in version()) {
        prop_assert_eq!(compare(&v, &v).unwrap(), Ordering::Equal);
    }

    #[test]
    fn antisymmetric(a in version(), b in version()) {
        prop_assert_eq!(compare(&a, &b).unwrap(), compare(&b, &a).unwrap().reverse());
    }

    #[test]
    fn transitive(mut vs in prop::collection::vec(version(), 2..10)) {
        vs.sort_by(|a, b| compare(a, b).unwrap());
        for i in 0..vs.len() {
            for j in i + 1..vs.len() {
                prop_assert_ne!(compare(&vs[i], &vs[j]).unwrap(), Ordering::Greater);
            }
        }
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
