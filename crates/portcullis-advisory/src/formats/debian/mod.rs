//! Debian: the security tracker's JSON, its DSA/DLA/DTSA text lists,
//! vuln-list-debian records and our changelog-derived list.
//! One module per upstream format; all of them produce affected entries in
//! `debian:<release>` namespaces keyed by SOURCE package, with the tracker's
//! own status and urgency kept on every entry (SPEC §11).
//!
//! # Status mapping
//!
//! The tracker JSON (`releases.<codename>`), following what Grype's vunnel
//! and Trivy do with the same data:
//!
//! | status         | other fields                          | [`DistroStatus`] | range            |
//! |----------------|---------------------------------------|------------------|------------------|
//! | `resolved`     | `fixed_version` `"0"`                 | `NotAffected`    | none             |
//! | `resolved`     | `fixed_version` V                     | `Fixed`          | `0` … fixed V    |
//! | `resolved`     | no `fixed_version`                    | `Undetermined`   | none             |
//! | `open`         | `urgency` `unimportant`               | `Unimportant`    | `0` …            |
//! | `open`         | `urgency` `end-of-life`               | `EndOfLife`      | `0` …            |
//! | `open`         | `nodsa_reason` `postponed`            | `Postponed`      | `0` …            |
//! | `open`         | `nodsa_reason` `ignored`              | `WillNotFix`     | `0` …            |
//! | `open`         | `nodsa` present, other/empty reason   | `NoDsa`          | `0` …            |
//! | `open`         | none of the above                     | `Open`           | `0` …            |
//! | `undetermined` | (or any status we do not know)        | `Undetermined`   | none             |
//!
//! The text lists and vuln-list-debian spell the same verdicts as
//! annotations: a version is `Fixed` (`"0"` or none: `NotAffected`),
//! `<unfixed>` is `Open` (`Unimportant` when rated so), `<not-affected>`,
//! `<no-dsa>`, `<ignored>` (`WillNotFix`), `<postponed>`, `<end-of-life>`
//! map by name, and `<removed>`/`<itp>` (the package left or never entered
//! the archive) say nothing about an installed package and are skipped.
//!
//! Open-like statuses carry a range `introduced "0"` with no end, because
//! every version of the release is affected. `Undetermined` and
//! `NotAffected` carry no range: an undetermined entry must come out as a
//! POTENTIAL finding, never a CONFIRMED one (SPEC §4).
//!
//! Severity is `Severity::from_word(urgency)`; `not yet assigned` gives none,
//! so the matcher falls back to CVSS.

mod changelog;
mod common;
mod text_list;
mod tracker;
mod vuln_list;

#[cfg(test)]
mod tests;

use crate::ImportItem;

/// Which Debian format a file is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum DebianFormat {
    /// The security tracker's `tracker/data/json`.
    TrackerJson,
    /// The tracker's `data/DSA/list`, `data/DLA/list`, `data/DTSA/list`.
    TextList,
    /// A vuln-list-debian CVE or DSA record.
    VulnList,
    /// vuln-list-debian `distributions.json`: no advisories, yields nothing.
    Distributions,
    /// The vulndata/debian-derived JSON list.
    ChangelogDerived,
}

/// What a parse produced: the records, and the problems it stepped over
/// (a malformed block of a text list, an entry of the wrong type…), each
/// naming where it was.
#[derive(Debug, Default)]
pub(crate) struct Parsed {
    /// The records.
    pub(crate) items: Vec<ImportItem>,
    /// One line per skipped part, e.g. `line 12: expected '[DD Mon YYYY] DSA-…'`.
    pub(crate) warnings: Vec<String>,
}

/// How much of a file [`sniff`] looks at.
const SNIFF_LEN: usize = 1024;

/// Recognises a Debian file from its name and its first KiB; `None` when it
/// is not one of ours (OSV and the others never match: the checks look for
/// keys and shapes only these formats have).
pub(crate) fn sniff(name: &str, bytes: &[u8]) -> Option<DebianFormat> {
    let head = &bytes[..bytes.len().min(SNIFF_LEN)];
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let head = head.trim_ascii_start();
    let name = name.replace('\\', "/");
    // The lists are recognised by name too, so that a damaged list is
    // reported as such instead of being silently passed over.
    if ["DSA/list", "DLA/list", "DTSA/list"]
        .iter()
        .any(|suffix| name.ends_with(suffix))
        || text_list::looks_like_list(head)
    {
        return Some(DebianFormat::TextList);
    }
    let has = |needle: &[u8]| head.windows(needle.len()).any(|w| w == needle);
    match head.first() {
        Some(b'{') if has(b"\"Header\"") && (has(b"\"Annotations\"") || has(b"\"ID\"")) => {
            Some(DebianFormat::VulnList)
        }
        Some(b'{') if has(b"\"major-version\"") => Some(DebianFormat::Distributions),
        Some(b'{') if tracker::looks_like_tracker(head) => Some(DebianFormat::TrackerJson),
        Some(b'[')
            if has(b"\"installed_in_images\"")
                || (has(b"\"fixed_version\"") && has(b"\"distribution\"") && has(b"\"cves\"")) =>
        {
            Some(DebianFormat::ChangelogDerived)
        }
        _ => None,
    }
}

/// Parses a file of the given format. Parts of a file that are damaged but
/// leave the rest readable are skipped; see [`parse_with_warnings`] to learn
/// which. The error names the problem when the file as a whole is unreadable.
#[allow(dead_code)] // the walker calls `parse_with_warnings`; this is the short form
pub(crate) fn parse(
    format: DebianFormat,
    bytes: &[u8],
    origin: &str,
) -> Result<Vec<ImportItem>, String> {
    parse_with_warnings(format, bytes, origin).map(|parsed| parsed.items)
}

/// [`parse`], also returning the parts that were skipped, one reason each
/// (`line 12: expected '[DD Mon YYYY] DSA-…'; block skipped`,
/// `Annotations[3]: unknown Kind "frobbed"; skipped`).
pub(crate) fn parse_with_warnings(
    format: DebianFormat,
    bytes: &[u8],
    origin: &str,
) -> Result<Parsed, String> {
    match format {
        DebianFormat::TrackerJson => tracker::parse(bytes, origin),
        DebianFormat::TextList => text_list::parse(bytes, origin),
        DebianFormat::VulnList => vuln_list::parse(bytes, origin),
        DebianFormat::Distributions => vuln_list::parse_distributions(bytes),
        DebianFormat::ChangelogDerived => changelog::parse(bytes, origin),
    }
}
