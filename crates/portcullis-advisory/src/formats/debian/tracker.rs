//! The Debian security tracker's JSON (`security-tracker.debian.org/tracker/data/json`):
//! `{ "<source package>": { "<CVE or TEMP id>": { "description", "releases":
//! { "<codename>": { "status", "fixed_version", "urgency", "nodsa",
//! "nodsa_reason", … } } } } }`.
//!
//! The real file is about 70 MB. It is read in one pass with typed structs,
//! one package at a time (a streaming map visitor), so no `Value` tree of the
//! whole document is ever built; fields we do not use (`repositories`,
//! `scope`, `debianbug`) are skipped by serde without being stored.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{Deserializer as _, MapAccess, Visitor};
use serde::Deserialize;

use super::common::{text, Collector, Verdict};
use super::Parsed;
use crate::{DistroStatus, Severity};

const SOURCE: &str = "debian-tracker";

#[derive(Deserialize)]
struct Issue {
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    releases: Option<BTreeMap<String, Release>>,
}

#[derive(Deserialize)]
struct Release {
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    fixed_version: Option<String>,
    #[serde(default)]
    urgency: Option<String>,
    #[serde(default)]
    nodsa: Option<String>,
    #[serde(default)]
    nodsa_reason: Option<String>,
}

/// Whether the start of a file has the tracker's shape: an object whose
/// first value is an object whose first key is a CVE or TEMP id. No other
/// format we read nests like that (OSV's first value is a string).
pub(super) fn looks_like_tracker(head: &[u8]) -> bool {
    let mut rest = head.trim_ascii_start();
    let expect = |prefix: u8, rest: &mut &[u8]| -> bool {
        match rest.split_first() {
            Some((&b, tail)) if b == prefix => {
                *rest = tail.trim_ascii_start();
                true
            }
            _ => false,
        }
    };
    if !expect(b'{', &mut rest) || !expect(b'"', &mut rest) {
        return false;
    }
    // Skip the package name, honouring backslash escapes.
    let mut escaped = false;
    let Some(end) = rest.iter().position(|&b| {
        let closes = b == b'"' && !escaped;
        escaped = b == b'\\' && !escaped;
        closes
    }) else {
        return false;
    };
    rest = rest[end + 1..].trim_ascii_start();
    expect(b':', &mut rest)
        && expect(b'{', &mut rest)
        && expect(b'"', &mut rest)
        && (rest.starts_with(b"CVE-") || rest.starts_with(b"TEMP-"))
}

/// Parses the whole tracker JSON into one advisory per issue id.
pub(super) fn parse(bytes: &[u8], origin: &str) -> Result<Parsed, String> {
    let mut visitor = TrackerVisitor {
        collector: Collector::new(origin),
        warnings: Vec::new(),
    };
    let mut de = serde_json::Deserializer::from_slice(bytes);
    de.deserialize_map(&mut visitor)
        .and_then(|()| de.end())
        .map_err(|e| format!("not Debian tracker JSON: {e}"))?;
    Ok(Parsed {
        items: visitor.collector.finish(),
        warnings: visitor.warnings,
    })
}

struct TrackerVisitor {
    collector: Collector,
    warnings: Vec<String>,
}

impl<'de> Visitor<'de> for &mut TrackerVisitor {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object of source packages")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(package) = map.next_key::<String>()? {
            let issues: BTreeMap<String, Issue> = map.next_value()?;
            let package = package.trim();
            if package.is_empty() {
                self.warnings
                    .push("an entry with an empty package name was skipped".to_owned());
                continue;
            }
            for (id, issue) in issues {
                self.add(package, id.trim(), issue);
            }
        }
        Ok(())
    }
}

impl TrackerVisitor {
    fn add(&mut self, package: &str, id: &str, issue: Issue) {
        if id.is_empty() {
            self.warnings
                .push(format!("{package}: an issue with an empty id was skipped"));
            return;
        }
        let advisory = self.collector.entry(SOURCE, id);
        if advisory.summary.is_none() {
            advisory.summary = text(issue.description.as_deref());
        }
        for (codename, release) in issue.releases.unwrap_or_default() {
            let codename = codename.trim();
            if codename.is_empty() {
                continue;
            }
            advisory
                .affected
                .push(verdict(&release).into_affected(codename, package));
        }
    }
}

/// The status mapping documented in the parent module.
fn verdict(release: &Release) -> Verdict {
    let urgency = release.urgency.as_deref().map(str::trim).unwrap_or("");
    let severity = Severity::from_word(urgency);
    let status = release.status.as_deref().map(str::trim).unwrap_or("");
    let status = match status {
        "resolved" => return resolved(release.fixed_version.as_deref(), severity),
        "open" => {
            let reason = release.nodsa_reason.as_deref().map(str::trim);
            if urgency.eq_ignore_ascii_case("unimportant") {
                DistroStatus::Unimportant
            } else if urgency.eq_ignore_ascii_case("end-of-life") {
                DistroStatus::EndOfLife
            } else if reason == Some("postponed") {
                DistroStatus::Postponed
            } else if reason == Some("ignored") {
                DistroStatus::WillNotFix
            } else if release.nodsa.is_some() {
                DistroStatus::NoDsa
            } else {
                DistroStatus::Open
            }
        }
        // `undetermined`, and any status a future tracker may add: the
        // matcher must not decide either way.
        _ => DistroStatus::Undetermined,
    };
    Verdict::status(status, severity)
}

/// `resolved`: fixed at a version, or not affected (`"0"`). A resolved entry
/// without a version gives no way to tell fixed from unfixed copies, so it is
/// undetermined rather than silently not affected.
fn resolved(fixed_version: Option<&str>, severity: Option<Severity>) -> Verdict {
    match fixed_version.map(str::trim) {
        None | Some("") => Verdict::status(DistroStatus::Undetermined, severity),
        Some(v) => Verdict::fixed_at(Some(v), severity),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_the_shape() {
        assert!(looks_like_tracker(
            br#"{ "ap\"t" : {"CVE-2011-3374": {"description": "x"#
        ));
        assert!(looks_like_tracker(br#"{"x":{"TEMP-0000000-1A2B3C":{}}}"#));
        assert!(!looks_like_tracker(
            br#"{"id": "GHSA-xxxx", "affected": []}"#
        ));
        assert!(!looks_like_tracker(br#"{"schema_version":"1.4.0"}"#));
        assert!(!looks_like_tracker(b"{\"unterminated"));
        assert!(!looks_like_tracker(b""));
    }

    #[test]
    fn wrong_shapes_are_errors_not_panics() {
        for bad in [
            &b"[]"[..],
            b"{\"a\": []}",
            b"{\"a\": {\"CVE-1\": {\"releases\": {\"sid\": {\"status\": 5}}}}}",
            b"{\"a\": {\"CVE-1\": {}}",
            b"{} trailing",
            b"\xff\xfe",
        ] {
            assert!(
                parse(bad, "t").is_err(),
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
        let ok = parse(b"{\"a\": {\"CVE-1\": {\"releases\": null}}}", "t").unwrap();
        assert_eq!(ok.items.len(), 1);
    }
}
