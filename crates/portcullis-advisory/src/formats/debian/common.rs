//! What the Debian formats share: building affected entries from a verdict,
//! and gathering advisories by id.

use std::collections::BTreeMap;

use crate::{
    Advisory, Affected, DistroStatus, Event, ImportItem, Namespace, Range, RangeKind, Severity,
};

/// One package's verdict in one release, before it becomes an [`Affected`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Verdict {
    /// `Fixed` always comes with `fixed`; the other statuses never do.
    pub(super) status: DistroStatus,
    pub(super) fixed: Option<String>,
    pub(super) severity: Option<Severity>,
}

impl Verdict {
    /// A fix at `version`; the tracker writes `0` (and the text lists leave
    /// the version out) when the release never had the flaw.
    pub(super) fn fixed_at(version: Option<&str>, severity: Option<Severity>) -> Verdict {
        match version.map(str::trim) {
            Some(v) if !v.is_empty() && v != "0" => Verdict {
                status: DistroStatus::Fixed,
                fixed: Some(v.to_owned()),
                severity,
            },
            _ => Verdict::status(DistroStatus::NotAffected, severity),
        }
    }

    /// A verdict without a fixed version.
    pub(super) fn status(status: DistroStatus, severity: Option<Severity>) -> Verdict {
        Verdict {
            status,
            fixed: None,
            severity,
        }
    }

    /// The entry for `package` in Debian `release` (codename or number).
    pub(super) fn into_affected(self, release: &str, package: &str) -> Affected {
        let namespace = Namespace::distro("debian", release);
        let package = namespace.normalize_package(package);
        let introduced = Event::Introduced("0".to_owned());
        let events = match (self.status, self.fixed) {
            (DistroStatus::Fixed, Some(fixed)) => Some(vec![introduced, Event::Fixed(fixed)]),
            // Not affected: nothing to match. Undetermined: no range, so
            // that the matcher can only call it POTENTIAL.
            (DistroStatus::NotAffected | DistroStatus::Undetermined, _) => None,
            // Open-like: every version of the release is affected.
            _ => Some(vec![introduced]),
        };
        Affected {
            namespace,
            package,
            ranges: events
                .map(|events| {
                    vec![Range {
                        kind: RangeKind::Ecosystem,
                        events,
                    }]
                })
                .unwrap_or_default(),
            versions: Vec::new(),
            status: Some(self.status),
            severity: self.severity,
        }
    }
}

/// What an annotation tag (`<unfixed>`, vuln-list `Kind`) says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Tag {
    /// A verdict on the package.
    Status(DistroStatus),
    /// `<removed>`, `<itp>`: the package is gone from (or not yet in) the
    /// archive, which says nothing about an installed copy.
    Skip,
}

/// Maps a tag name without its angle brackets; `None` for a tag we do not
/// know. `unfixed` rated `unimportant` is [`DistroStatus::Unimportant`].
pub(super) fn tag(name: &str, severity_word: Option<&str>) -> Option<Tag> {
    let status = match name.trim().to_ascii_lowercase().as_str() {
        "unfixed" => match severity_word.map(|w| w.trim().to_ascii_lowercase()) {
            Some(w) if w == "unimportant" => DistroStatus::Unimportant,
            _ => DistroStatus::Open,
        },
        "not-affected" => DistroStatus::NotAffected,
        "no-dsa" => DistroStatus::NoDsa,
        "ignored" => DistroStatus::WillNotFix,
        "postponed" => DistroStatus::Postponed,
        "end-of-life" => DistroStatus::EndOfLife,
        "undetermined" => DistroStatus::Undetermined,
        "removed" | "itp" => return Some(Tag::Skip),
        _ => return None,
    };
    Some(Tag::Status(status))
}

/// Trimmed text, `None` when empty.
pub(super) fn text(s: Option<&str>) -> Option<String> {
    s.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// Advisories gathered by `(source, id)`: several blocks or files may
/// speak of one CVE, and the model wants one record per id.
#[derive(Debug)]
pub(super) struct Collector {
    origin: String,
    records: BTreeMap<(&'static str, String), Advisory>,
}

impl Collector {
    pub(super) fn new(origin: &str) -> Collector {
        Collector {
            origin: origin.to_owned(),
            records: BTreeMap::new(),
        }
    }

    /// The advisory `id` of `source`, created empty on first use.
    pub(super) fn entry(&mut self, source: &'static str, id: &str) -> &mut Advisory {
        self.records
            .entry((source, id.to_owned()))
            .or_insert_with(|| Advisory {
                id: id.to_owned(),
                source: source.to_owned(),
                aliases: Vec::new(),
                summary: None,
                details: None,
                published: None,
                modified: None,
                withdrawn: None,
                references: Vec::new(),
                cvss: Vec::new(),
                vendor_severity: None,
                affected: Vec::new(),
                origin: self.origin.clone(),
            })
    }

    /// The records, with aliases sorted and deduplicated and affected
    /// entries in a stable order (duplicates dropped).
    pub(super) fn finish(self) -> Vec<ImportItem> {
        self.records
            .into_values()
            .map(|mut advisory| {
                let id = advisory.id.clone();
                advisory.aliases.retain(|a| *a != id);
                advisory.aliases.sort();
                advisory.aliases.dedup();
                advisory.affected.sort_by(|a, b| {
                    (a.namespace.as_str(), &a.package, a.status)
                        .cmp(&(b.namespace.as_str(), &b.package, b.status))
                        .then_with(|| fixed_of(a).cmp(&fixed_of(b)))
                });
                advisory.affected.dedup();
                ImportItem::Advisory(advisory)
            })
            .collect()
    }
}

/// The first fixed version of an entry, for ordering only.
fn fixed_of(affected: &Affected) -> Option<&str> {
    affected
        .ranges
        .iter()
        .flat_map(|r| &r.events)
        .find_map(|e| match e {
            Event::Fixed(v) => Some(v.as_str()),
            _ => None,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdicts_build_the_documented_ranges() {
        let fixed = Verdict::fixed_at(Some("1.2-1"), None).into_affected("bookworm", "x");
        assert_eq!(fixed.namespace.as_str(), "debian:12");
        assert_eq!(fixed.status, Some(DistroStatus::Fixed));
        assert_eq!(
            fixed.ranges[0].events,
            vec![Event::Introduced("0".into()), Event::Fixed("1.2-1".into())]
        );
        let zero = Verdict::fixed_at(Some("0"), None).into_affected("sid", "x");
        assert_eq!(zero.namespace.as_str(), "debian:unstable");
        assert_eq!(zero.status, Some(DistroStatus::NotAffected));
        assert!(zero.ranges.is_empty());
        let open = Verdict::status(DistroStatus::NoDsa, None).into_affected("11", "x");
        assert_eq!(open.ranges[0].events, vec![Event::Introduced("0".into())]);
        let und = Verdict::status(DistroStatus::Undetermined, None).into_affected("12", "x");
        assert!(und.ranges.is_empty());
    }

    #[test]
    fn tags_map_by_name() {
        assert_eq!(tag("unfixed", None), Some(Tag::Status(DistroStatus::Open)));
        assert_eq!(
            tag("unfixed", Some("unimportant")),
            Some(Tag::Status(DistroStatus::Unimportant))
        );
        assert_eq!(
            tag("ignored", None),
            Some(Tag::Status(DistroStatus::WillNotFix))
        );
        assert_eq!(tag("removed", None), Some(Tag::Skip));
        assert_eq!(tag("frobbed", None), None);
    }
}
