//! Our changelog-derived list (`vulndata/debian-derived/*.json`): entries
//! `{source, installed_in_images, fixed_version, distribution, urgency,
//! cves[], date}` read from bookworm-security `changelog.Debian.gz` files.
//!
//! One advisory per CVE (source `debian-changelog`); each entry says the
//! CVE is fixed in `fixed_version` of the release its `distribution` names
//! (`bookworm-security` → bookworm → `debian:12`).

use std::cmp::Ordering;
use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;

use super::common::{text, Collector, Verdict};
use super::Parsed;
use crate::Severity;

const SOURCE: &str = "debian-changelog";

#[derive(Deserialize)]
struct Entry {
    source: String,
    fixed_version: String,
    #[serde(default)]
    distribution: Option<String>,
    #[serde(default)]
    urgency: Option<String>,
    #[serde(default)]
    cves: Vec<String>,
    #[serde(default)]
    date: Option<String>,
}

/// The fix kept for one (CVE, package, release).
struct Fix {
    version: String,
    severity: Option<Severity>,
    published: Option<String>,
}

/// Parses the list.
pub(super) fn parse(bytes: &[u8], origin: &str) -> Result<Parsed, String> {
    let entries: Vec<Value> =
        serde_json::from_slice(bytes).map_err(|e| format!("not a changelog-derived list: {e}"))?;
    let mut warnings = Vec::new();
    let mut fixes: BTreeMap<(String, String, String), Fix> = BTreeMap::new();
    for (index, value) in entries.into_iter().enumerate() {
        let entry: Entry = match serde_json::from_value(value) {
            Ok(e) => e,
            Err(e) => {
                warnings.push(format!("entry {index}: {e}; skipped"));
                continue;
            }
        };
        let (Some(package), Some(version)) =
            (text(Some(&entry.source)), text(Some(&entry.fixed_version)))
        else {
            warnings.push(format!(
                "entry {index}: empty source or fixed_version; skipped"
            ));
            continue;
        };
        // `bookworm-security`, `bookworm-proposed-updates` → `bookworm`.
        let Some(release) = entry
            .distribution
            .as_deref()
            .and_then(|d| d.trim().split('-').next())
            .filter(|r| !r.is_empty())
            .map(str::to_owned)
        else {
            warnings.push(format!("entry {index}: no distribution; skipped"));
            continue;
        };
        let severity = entry.urgency.as_deref().and_then(Severity::from_word);
        let published = entry.date.as_deref().and_then(rfc2822_to_rfc3339);
        for cve in entry.cves.iter().filter_map(|c| text(Some(c))) {
            let fix = Fix {
                version: version.clone(),
                severity,
                published: published.clone(),
            };
            // A CVE named by several entries of one package keeps the LOWEST
            // version: that is where the fix first landed, which is what the
            // tracker records as `fixed_version`. Later entries that name the
            // CVE again are follow-ups (a regression fix, a further
            // hardening); taking the highest would call the versions in
            // between vulnerable although they carry the fix.
            match fixes.entry((cve, package.clone(), release.clone())) {
                std::collections::btree_map::Entry::Vacant(slot) => {
                    slot.insert(fix);
                }
                std::collections::btree_map::Entry::Occupied(mut slot) => {
                    if lower(&fix.version, &slot.get().version) {
                        slot.insert(fix);
                    }
                }
            }
        }
    }
    let mut collector = Collector::new(origin);
    for ((cve, package, release), fix) in fixes {
        let advisory = collector.entry(SOURCE, &cve);
        let earlier = match (&fix.published, &advisory.published) {
            (Some(new), Some(old)) => new < old,
            (Some(_), None) => true,
            (None, _) => false,
        };
        if earlier {
            advisory.published = fix.published.clone();
        }
        let verdict = Verdict::fixed_at(Some(&fix.version), fix.severity);
        advisory
            .affected
            .push(verdict.into_affected(&release, &package));
    }
    Ok(Parsed {
        items: collector.finish(),
        warnings,
    })
}

/// dpkg order; a version dpkg cannot parse never displaces one it can.
fn lower(candidate: &str, kept: &str) -> bool {
    use portcullis_version::deb::compare_lenient;
    match compare_lenient(candidate, kept) {
        Ok(order) => order == Ordering::Less,
        Err(_) => {
            compare_lenient(kept, kept).is_err() && compare_lenient(candidate, candidate).is_ok()
        }
    }
}

/// `Mon, 02 Nov 2026 13:55:59 +0100` → `2026-11-02T13:55:59+01:00`.
fn rfc2822_to_rfc3339(date: &str) -> Option<String> {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let words: Vec<&str> = date.split_whitespace().collect();
    let [_, day, month, year, time, zone] = words.as_slice() else {
        return None;
    };
    let day: u8 = day.parse().ok().filter(|d| (1..=31).contains(d))?;
    let month = MONTHS.iter().position(|m| m == month)? + 1;
    let year: u16 = year.parse().ok().filter(|y| *y >= 1990)?;
    let hms: Vec<u8> = time
        .split(':')
        .map(str::parse)
        .collect::<Result<_, _>>()
        .ok()?;
    let [h, m, s] = hms.as_slice() else {
        return None;
    };
    let (sign, offset) = zone.split_at_checked(1)?;
    if !matches!(sign, "+" | "-")
        || offset.len() != 4
        || !offset.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let (oh, om) = offset.split_at(2);
    Some(format!(
        "{year:04}-{month:02}-{day:02}T{h:02}:{m:02}:{s:02}{sign}{oh}:{om}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changelog_dates_become_rfc3339() {
        assert_eq!(
            rfc2822_to_rfc3339("Mon, 02 Nov 2026 13:55:59 +0100").as_deref(),
            Some("2026-11-02T13:55:59+01:00")
        );
        assert_eq!(rfc2822_to_rfc3339("Mon, 02 Nov 2026 13:55 +0100"), None);
        assert_eq!(rfc2822_to_rfc3339("Mon, 02 Foo 2026 13:55:59 +0100"), None);
        assert_eq!(rfc2822_to_rfc3339("Mon, 02 Nov 2026 13:55:59 +01"), None);
        assert_eq!(rfc2822_to_rfc3339("Mon, 02 Nov 2026 13:55:59 é100"), None);
    }

    #[test]
    fn the_first_fix_wins_and_bad_entries_are_skipped() {
        let list = br#"[
          {"source": "x", "fixed_version": "1.0-2", "distribution": "bookworm-security", "urgency": "medium", "cves": ["CVE-1"]},
          {"source": "x", "fixed_version": "1.0-1+deb12u1", "distribution": "bookworm-security", "urgency": "high", "cves": ["CVE-1", " "]},
          {"source": "x", "fixed_version": "1.0-3", "distribution": "bookworm-security", "cves": ["CVE-1"]},
          {"source": "x", "fixed_version": 3, "cves": ["CVE-2"]},
          {"source": "x", "fixed_version": "1", "cves": ["CVE-3"]},
          "junk"
        ]"#;
        let parsed = parse(list, "t").expect("list");
        assert_eq!(parsed.warnings.len(), 3, "{:?}", parsed.warnings);
        let [crate::ImportItem::Advisory(a)] = parsed.items.as_slice() else {
            panic!("{:?}", parsed.items);
        };
        assert_eq!(a.affected.len(), 1);
        assert_eq!(a.affected[0].namespace.as_str(), "debian:12");
        assert_eq!(
            a.affected[0].ranges[0].events[1],
            crate::Event::Fixed("1.0-1+deb12u1".into())
        );
        assert_eq!(a.affected[0].severity, Some(Severity(4)));
        assert!(parse(b"{}", "t").is_err());
    }

    #[test]
    fn unparseable_versions_never_displace_good_ones() {
        assert!(lower("1.0", "2.0"));
        assert!(!lower("2.0", "1.0"));
        assert!(!lower("not a version!", "1.0"));
        assert!(lower("1.0", "not a version!"));
    }
}
