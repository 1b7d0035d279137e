//! Parses every range of the Node.js security working group's npm advisory
//! data (`vulnerable_versions`, `patched_versions`) when the data set is
//! present next to the repository. Skips with a message otherwise.

use std::path::PathBuf;

use portcullis_version::npm::Range;

fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/vulndata/nodejs-security-wg/vuln/npm")
}

/// Every string value of `"key": "..."` in a JSON text. A full JSON parser
/// is not a dependency of this crate, and these two keys only ever hold a
/// string or `null`, so a scan for the key is enough.
fn string_values(json: &str, key: &str) -> Vec<String> {
    let needle = format!("\"{key}\"");
    let mut out = Vec::new();
    let mut rest = json;
    while let Some(pos) = rest.find(&needle) {
        rest = &rest[pos + needle.len()..];
        let after = rest
            .trim_start()
            .strip_prefix(':')
            .unwrap_or("")
            .trim_start();
        let Some(body) = after.strip_prefix('"') else {
            continue; // null
        };
        let mut value = String::new();
        let mut chars = body.chars();
        while let Some(c) = chars.next() {
            match c {
                '"' => break,
                '\\' => {
                    if let Some(e) = chars.next() {
                        value.push(match e {
                            'n' => '\n',
                            't' => '\t',
                            other => other,
                        });
                    }
                }
                c => value.push(c),
            }
        }
        out.push(value);
    }
    out
}

#[test]
#[allow(clippy::print_stderr)]
fn every_advisory_range_parses() {
    let dir = data_dir();
    let Ok(entries) = std::fs::read_dir(&dir) else {
        eprintln!(
            "SKIP: nodejs-security-wg data not found at {}",
            dir.display()
        );
        return;
    };
    let mut count = 0;
    let mut failures = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("read advisory");
        for key in ["vulnerable_versions", "patched_versions"] {
            for range in string_values(&text, key) {
                count += 1;
                if let Err(e) = Range::parse(&range) {
                    failures.push(format!("{}: {key} {range:?}: {e}", path.display()));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {count} ranges failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(count > 400, "suspiciously few ranges: {count}");
    eprintln!("npm advisory data: {count} ranges parsed");
}

#[test]
#[allow(clippy::print_stderr)]
fn lodash_516() {
    let Ok(text) = std::fs::read_to_string(data_dir().join("516.json")) else {
        eprintln!("SKIP: advisory 516 not found");
        return;
    };
    let vulnerable = &string_values(&text, "vulnerable_versions")[0];
    assert_eq!(vulnerable, ">=4.17.15 <4.17.19");
    let r = Range::parse(vulnerable).expect("parse");
    assert!(r.satisfies("4.17.15"));
    assert!(r.satisfies("4.17.18"));
    assert!(!r.satisfies("4.17.19"));
    assert!(!r.satisfies("4.17.14"));
    let patched = Range::parse(&string_values(&text, "patched_versions")[0]).expect("parse");
    assert!(patched.satisfies("4.17.19"));
    assert!(!patched.satisfies("4.17.18"));
}
