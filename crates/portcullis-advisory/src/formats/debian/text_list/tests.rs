use super::*;
use crate::{Advisory, DistroStatus, Event, ImportItem};

fn advisories(text: &str) -> (Vec<Advisory>, Vec<String>) {
    let parsed = parse(text.as_bytes(), "DSA/list").expect("a list");
    let advisories = parsed
        .items
        .into_iter()
        .map(|item| match item {
            ImportItem::Advisory(a) => a,
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    (advisories, parsed.warnings)
}

const SAMPLE: &str = "\
[17 Mar 2023] DSA-5356-2 sox - regression update
\t[bullseye] - sox 14.4.2+git20190427-2+deb11u2
[25 Mar 2023] DSA-5378-1 xen - security update
\t{CVE-2022-23824 CVE-2022-42331}
\t[bullseye] - xen 4.14.5+94-ge49571868d-1
\tNOTE: a note
[01 Feb 2023] DSA-5000-1 xen - first update
\t{CVE-2022-42331 }
\t[bullseye] - xen 4.14.5-1 (bug #1; high)
\t[buster] - xen <not-affected> (Vulnerable code not present)
\t[buster] - xen-old <removed>
[November 3rd, 2005] DTSA-20-1 foo - bar
\t{CVE-2005-0001}
\t[etch] - foo <unfixed> (unimportant)
";

#[test]
fn blocks_expand_per_cve_and_merge() {
    let (advisories, warnings) = advisories(SAMPLE);
    assert!(warnings.is_empty(), "{warnings:?}");
    let ids: Vec<_> = advisories
        .iter()
        .map(|a| (a.source.as_str(), a.id.as_str()))
        .collect();
    assert_eq!(
        ids,
        [
            ("debian-dsa", "CVE-2022-23824"),
            ("debian-dsa", "CVE-2022-42331"),
            ("debian-dsa", "DSA-5356-2"),
            ("debian-dtsa", "CVE-2005-0001"),
        ]
    );
    let merged = &advisories[1];
    assert_eq!(merged.aliases, ["DSA-5000-1", "DSA-5378-1"]);
    // The oldest advisory gives title and date.
    assert_eq!(merged.summary.as_deref(), Some("xen - first update"));
    assert_eq!(merged.published.as_deref(), Some("2023-02-01T00:00:00Z"));
    let statuses: Vec<_> = merged
        .affected
        .iter()
        .map(|a| {
            (
                a.namespace.as_str(),
                a.package.as_str(),
                a.status,
                a.severity,
            )
        })
        .collect();
    assert_eq!(
        statuses,
        [
            ("debian:10", "xen", Some(DistroStatus::NotAffected), None),
            ("debian:11", "xen", Some(DistroStatus::Fixed), None),
            (
                "debian:11",
                "xen",
                Some(DistroStatus::Fixed),
                Some(Severity(4))
            ),
        ]
    );
    let no_cve = &advisories[2];
    assert!(no_cve.aliases.is_empty());
    assert_eq!(
        no_cve.affected[0].ranges[0].events[1],
        Event::Fixed("14.4.2+git20190427-2+deb11u2".into())
    );
    let dtsa = &advisories[3];
    assert_eq!(dtsa.published.as_deref(), Some("2005-11-03T00:00:00Z"));
    assert_eq!(dtsa.affected[0].namespace.as_str(), "debian:4");
    assert_eq!(dtsa.affected[0].status, Some(DistroStatus::Unimportant));
}

#[test]
fn bad_blocks_are_skipped_and_reported() {
    let text = "\
[01 Jan 2020] DSA-1-1 a - ok
\t{CVE-2020-0001}
\t[buster] - a 1.0
[garbage header
\t{CVE-2020-0002}
[02 Jan 2020] DSA-2-1 b - bad body
\t{CVE-2020-0003
\t[buster] - b 1.0
[03 Jan 2020] DSA-3-1 c - unknown tag
\t[buster] - c <frobbed>
[04 Jan 2020] DSA-4-1 d - no release
\t- d 1.0
";
    let (advisories, warnings) = advisories(text);
    assert_eq!(advisories.len(), 1);
    assert_eq!(advisories[0].id, "CVE-2020-0001");
    assert_eq!(warnings.len(), 4, "{warnings:?}");
    assert!(
        warnings[0].starts_with("line 4: expected '[DD Mon YYYY]"),
        "{}",
        warnings[0]
    );
    assert!(
        warnings[1].contains("DSA-2-1 (line 6) skipped"),
        "{}",
        warnings[1]
    );
}

#[test]
fn dla_lines_without_release_take_the_lts_release_of_their_date() {
    let text = "\
[10 Jan 2021] DLA-2500-1 a - security update
\t{CVE-2021-0001}
\t- a 1.0+deb9u1
[10 Jan 2013] DLA-1-1 b - before LTS
\t- b 1.0
";
    let parsed = parse(text.as_bytes(), "DLA/list").expect("a list");
    assert_eq!(parsed.warnings.len(), 1, "{:?}", parsed.warnings);
    let [ImportItem::Advisory(a)] = parsed.items.as_slice() else {
        panic!("{:?}", parsed.items);
    };
    assert_eq!(a.source, "debian-dla");
    assert_eq!(a.affected[0].namespace.as_str(), "debian:9");
}

#[test]
fn a_file_that_is_not_a_list_is_an_error() {
    let err = parse(b"hello\nworld\n", "x").unwrap_err();
    assert!(err.starts_with("not a DSA/DLA/DTSA list: line 1:"), "{err}");
    assert!(parse(b"", "x").expect("empty").items.is_empty());
    assert!(parse(b"\t{CVE-1}\n", "x").is_err());
    assert!(looks_like_list(
        b"[29 Mar 2023] DSA-5380-1 xorg-server - security update\n"
    ));
    assert!(looks_like_list(
        b"[August 26th, 2005] DTSA-1-1 kismet - various"
    ));
    assert!(!looks_like_list(b"[{\"source\": \"apt\"}]"));
    assert!(!looks_like_list(b"[1, 2]"));
}
