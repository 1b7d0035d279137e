//! Debian: the security tracker's JSON, its DSA/DLA/DTSA text lists,
//! vuln-list-debian records and our changelog-derived list.
//! One module per upstream format.

use crate::ImportItem;

/// Which Debian format a file is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(dead_code)] // the import walker dispatches here; bodies are in progress
pub(crate) enum DebianFormat {
    /// The security tracker's `data/json`.
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

/// Recognises a Debian file from its name and first KiB.
#[allow(dead_code)]
pub(crate) fn sniff(_name: &str, _bytes: &[u8]) -> Option<DebianFormat> {
    None
}

/// Parses a file of the given format.
#[allow(dead_code)]
pub(crate) fn parse(
    _format: DebianFormat,
    _bytes: &[u8],
    _origin: &str,
) -> Result<Vec<ImportItem>, String> {
    Ok(Vec::new())
}
