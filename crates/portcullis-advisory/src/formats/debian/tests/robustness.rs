//! Hostile input: every parser returns, with records or an error, and never
//! panics (SPEC §12).

use super::{fixture, read, vulndata};
use crate::formats::debian::{parse_with_warnings, DebianFormat};

const FORMATS: [DebianFormat; 5] = [
    DebianFormat::TrackerJson,
    DebianFormat::TextList,
    DebianFormat::VulnList,
    DebianFormat::Distributions,
    DebianFormat::ChangelogDerived,
];

/// Runs every parser on `bytes`; the result does not matter, returning does.
fn survives(bytes: &[u8]) {
    for format in FORMATS {
        let _ = parse_with_warnings(format, bytes, "fuzz");
    }
    let _ = super::sniff("fuzz", bytes);
}

/// xorshift64*, so that failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}

#[test]
fn random_bytes_and_mutations() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for _ in 0..300 {
        let len = (rng.next() % 600) as usize;
        let bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        survives(&bytes);
    }
    // Single-byte mutations of a valid tracker file.
    let tracker = fixture("debian-tracker.json");
    let tracker = &tracker[..tracker.len().min(3000)];
    for _ in 0..300 {
        let mut bytes = tracker.to_vec();
        let at = (rng.next() as usize) % bytes.len();
        bytes[at] = rng.next() as u8;
        survives(&bytes);
    }
    let alphabet = b"[]{}<>-\t\n ()CVE-DSA-DLA-0123 bookworm ;#\"";
    for _ in 0..300 {
        let len = (rng.next() % 400) as usize;
        let bytes: Vec<u8> = (0..len)
            .map(|_| alphabet[(rng.next() as usize) % alphabet.len()])
            .collect();
        survives(&bytes);
    }
}

#[test]
fn truncated_real_files() {
    let mut files = vec![fixture("debian-tracker.json")];
    if let Some(root) = vulndata() {
        files.push(read(
            &root.join("debian-derived/bookworm-security-changelog-cves.json"),
        ));
        let dir = root.join("debian/vuln-list-debian/tracker");
        files.push(read(&dir.join("DSA/DSA-5514-1.json")));
        files.push(read(&dir.join("CVE/2024/CVE-2024-28757.json")));
        files.push(read(&dir.join("distributions.json")));
        let dtsa = read(&root.join("debian/security-tracker/data/DTSA/list"));
        files.push(dtsa[..dtsa.len().min(8000)].to_vec());
    }
    for bytes in &files {
        let step = (bytes.len() / 400).max(1);
        for cut in (0..bytes.len()).step_by(step) {
            survives(&bytes[..cut]);
        }
    }
}

#[test]
fn wrong_json_types_are_errors_or_warnings() {
    let cases: [(DebianFormat, &[u8]); 8] = [
        (
            DebianFormat::TrackerJson,
            b"{\"a\": {\"CVE-1\": {\"releases\": {\"sid\": \"x\"}}}}",
        ),
        (
            DebianFormat::TrackerJson,
            b"{\"a\": {\"CVE-1\": {\"description\": 7}}}",
        ),
        (DebianFormat::TrackerJson, b"[\"CVE-1\"]"),
        (DebianFormat::VulnList, b"{\"Header\": {\"ID\": 5}}"),
        (
            DebianFormat::VulnList,
            b"{\"Header\": {\"ID\": \"CVE-1\"}, \"Annotations\": 3}",
        ),
        (DebianFormat::ChangelogDerived, b"{\"source\": \"x\"}"),
        (DebianFormat::ChangelogDerived, b"[[1,2],[3]] "),
        (DebianFormat::Distributions, b"\"bookworm\""),
    ];
    for (format, bytes) in cases {
        match parse_with_warnings(format, bytes, "t") {
            Err(e) => assert!(!e.is_empty()),
            Ok(parsed) => {
                assert!(parsed.items.is_empty(), "{format:?}");
                assert!(!parsed.warnings.is_empty(), "{format:?}: silently accepted");
            }
        }
    }
}

#[test]
fn deep_nesting_is_refused() {
    let depth = 100_000;
    let mut deep = b"{\"a\": {\"CVE-1\": {\"releases\": {\"sid\": {\"repositories\": ".to_vec();
    deep.extend(std::iter::repeat_n(b'[', depth));
    deep.extend(std::iter::repeat_n(b']', depth));
    deep.extend(b"}}}}}");
    // Skipped fields are skipped without recursion; either outcome is fine,
    // returning is what counts.
    let _ = parse_with_warnings(DebianFormat::TrackerJson, &deep, "t");
    let mut deep = b"{\"Header\": {\"ID\": \"CVE-1\"}, \"Annotations\": [".to_vec();
    deep.extend(std::iter::repeat_n(b'[', depth));
    deep.extend(std::iter::repeat_n(b']', depth));
    deep.extend(b"]}");
    assert!(parse_with_warnings(DebianFormat::VulnList, &deep, "t").is_err());
    let nested: Vec<u8> = std::iter::repeat_n(b'[', depth).collect();
    survives(&nested);
}

#[test]
fn a_fifty_megabyte_line() {
    let big = 50 * 1024 * 1024;
    let mut list = b"[29 Mar 2023] DSA-5380-1 xorg-server - security update\n\t{".to_vec();
    list.extend(std::iter::repeat_n(b'A', big));
    list.extend(b"}\n\t[bullseye] - xorg-server 1.0\n");
    let parsed = parse_with_warnings(DebianFormat::TextList, &list, "t").expect("a list");
    assert_eq!(parsed.items.len(), 1);
    let mut json = b"{\"a\": {\"CVE-1\": {\"description\": \"".to_vec();
    json.extend(std::iter::repeat_n(b'x', big));
    json.extend(b"\"}}}");
    let parsed = parse_with_warnings(DebianFormat::TrackerJson, &json, "t").expect("tracker");
    assert_eq!(parsed.items.len(), 1);
    let mut line = vec![b'['; 1];
    line.extend(std::iter::repeat_n(b'x', big));
    survives(&line);
}
