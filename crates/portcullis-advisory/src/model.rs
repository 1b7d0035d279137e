//! The normalised advisory: what every importer produces and the DB stores.
//!
//! The shape follows OSV (it is the richest of the formats and a superset of
//! the others' facts) with two additions OSV lacks: the distro's own status
//! and rating per affected package, which SPEC §11 requires us to keep.

use serde::{Deserialize, Serialize};

use crate::Namespace;

/// One advisory record from one source.
///
/// `(source, id)` identifies a record: importing the same record again
/// replaces it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Advisory {
    /// The record's own identifier (`PYSEC-2019-1`, `GO-2022-0001`,
    /// `CVE-2023-1234`, `NSWG-ECO-516`, …).
    pub id: String,
    /// Which feed it came from (`osv`, `debian-tracker`, `debian-dsa`,
    /// `debian-dla`, `debian-dtsa`, `vuln-list-debian`, `debian-changelog`,
    /// `alpine-secdb`, `nodejs-security-wg`). Free text, but stable: it
    /// appears in evidence and in `db status`.
    pub source: String,
    /// Other identifiers of the same vulnerability (CVE, GHSA, DSA…), sorted,
    /// without `id` itself.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// One-line title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// Longer description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<String>,
    /// RFC 3339 time, when the source gives one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    /// RFC 3339 time, when the source gives one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modified: Option<String>,
    /// Set when the source withdrew the record; withdrawn records never match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub withdrawn: Option<String>,
    /// Links.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<Reference>,
    /// CVSS vectors the record carries (at most one per version).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cvss: Vec<Cvss>,
    /// A vendor rating that is not a distro's (GHSA's `database_specific.severity`,
    /// nodejs core `severity`); used only when no CVSS score is known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vendor_severity: Option<Severity>,
    /// The packages it concerns.
    pub affected: Vec<Affected>,
    /// Where it was read from (path inside the import root, or URL and entry
    /// name), for evidence. Never holds credentials.
    pub origin: String,
}

/// A link.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reference {
    /// OSV reference type (`WEB`, `ADVISORY`, `FIX`, …) or `WEB`.
    pub kind: String,
    /// The URL.
    pub url: String,
}

/// A CVSS base vector and score.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Cvss {
    /// v2 or v3 (3.0 and 3.1 share the base formula).
    pub version: CvssVersion,
    /// The vector string as published (`CVSS:3.1/AV:N/…` or `AV:N/AC:L/…`).
    pub vector: String,
    /// The base score; computed from the vector when the source gives none.
    pub score: f64,
}

/// CVSS major version.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum CvssVersion {
    /// CVSS v2.
    #[serde(rename = "2")]
    V2,
    /// CVSS v3.0 / v3.1.
    #[serde(rename = "3")]
    V3,
}

/// Severity 1–5, as SPEC §4 defines it (5 critical/urgent … 1 minimal or unknown).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Severity(pub u8);

impl Severity {
    /// Maps a CVSS base score to 1–5 (v3 bands: 9.0 critical, 7.0 high,
    /// 4.0 medium, 0.1 low). v2 has no "critical" band, so v2 tops out at 4.
    pub fn from_cvss(version: CvssVersion, score: f64) -> Severity {
        let level = if score >= 9.0 && version == CvssVersion::V3 {
            5
        } else if score >= 7.0 {
            4
        } else if score >= 4.0 {
            3
        } else if score > 0.0 {
            2
        } else {
            1
        };
        Severity(level)
    }

    /// Maps a word rating (Debian urgency, GHSA, Alpine, nodejs core) to
    /// 1–5; `None` for "not yet assigned" and other non-ratings, so that the
    /// caller falls back to CVSS.
    pub fn from_word(word: &str) -> Option<Severity> {
        let level = match word.trim().to_ascii_lowercase().trim_end_matches('*') {
            "critical" | "urgent" | "emergency" => 5,
            "high" | "important" => 4,
            "medium" | "moderate" => 3,
            "low" => 2,
            "unimportant" | "negligible" | "minimal" | "minor" => 1,
            _ => return None,
        };
        Some(Severity(level))
    }
}

/// The distro's own verdict on a package, kept verbatim in meaning (SPEC §11).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DistroStatus {
    /// Fixed in `fixed_version` (the affected range ends there).
    Fixed,
    /// Affected, no fix yet.
    Open,
    /// Affected; the distro will not issue a security advisory (minor issue).
    NoDsa,
    /// Affected; fix postponed to a later point release.
    Postponed,
    /// Affected in theory; the distro rates it unimportant.
    Unimportant,
    /// Affected; the distro decided not to fix (Debian `<ignored>`).
    WillNotFix,
    /// The release is out of support for this package.
    EndOfLife,
    /// The distro's package is not affected (code not built, already patched).
    NotAffected,
    /// The distro has not decided yet: findings are POTENTIAL.
    Undetermined,
}

impl DistroStatus {
    /// The spelling used in reports and policies.
    pub fn as_str(self) -> &'static str {
        match self {
            DistroStatus::Fixed => "fixed",
            DistroStatus::Open => "open",
            DistroStatus::NoDsa => "no-dsa",
            DistroStatus::Postponed => "postponed",
            DistroStatus::Unimportant => "unimportant",
            DistroStatus::WillNotFix => "will-not-fix",
            DistroStatus::EndOfLife => "end-of-life",
            DistroStatus::NotAffected => "not-affected",
            DistroStatus::Undetermined => "undetermined",
        }
    }
}

/// One package an advisory concerns, in one namespace.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Affected {
    /// Ecosystem or distro release the package name belongs to.
    pub namespace: Namespace,
    /// Package name, normalised for its namespace (see
    /// [`Namespace::normalize_package`]): source package for distros,
    /// PEP 503 name for PyPI, module path for Go, `group:artifact` for Maven.
    pub package: String,
    /// Affected version ranges (OSV semantics: any range containing the
    /// version makes it affected).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ranges: Vec<Range>,
    /// Explicitly affected versions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub versions: Vec<String>,
    /// The distro's status, for distro namespaces.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<DistroStatus>,
    /// The distro's rating for this package (Debian urgency), which takes
    /// precedence over CVSS (SPEC §4).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<Severity>,
}

/// An OSV range: ordered events over one version scheme.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Range {
    /// How to compare the event versions.
    pub kind: RangeKind,
    /// Events in the order the source gave them (the matcher sorts).
    pub events: Vec<Event>,
}

impl Range {
    /// A node-semver range: affected when `vulnerable` is satisfied and
    /// `patched` (when given) is not. See [`RangeKind::NpmRange`].
    pub fn npm(vulnerable: &str, patched: Option<&str>) -> Range {
        let mut events = vec![Event::Introduced(vulnerable.to_owned())];
        if let Some(p) = patched {
            events.push(Event::Fixed(p.to_owned()));
        }
        Range {
            kind: RangeKind::NpmRange,
            events,
        }
    }

    /// For an [`RangeKind::NpmRange`] range: `(vulnerable, patched)`
    /// expressions. `None` for any other kind.
    pub fn npm_expressions(&self) -> Option<(&str, Option<&str>)> {
        if self.kind != RangeKind::NpmRange {
            return None;
        }
        let mut vulnerable = None;
        let mut patched = None;
        for e in &self.events {
            match e {
                Event::Introduced(v) => vulnerable = Some(v.as_str()),
                Event::Fixed(p) => patched = Some(p.as_str()),
                Event::LastAffected(_) | Event::Limit(_) => {}
            }
        }
        Some((vulnerable?, patched))
    }
}

/// OSV range type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RangeKind {
    /// The namespace's own version scheme.
    Ecosystem,
    /// SemVer 2.0 (Go's OSV data, npm).
    Semver,
    /// Commit hashes: cannot be evaluated against an installed version.
    Git,
    /// node-semver range expressions, kept verbatim because node-semver's
    /// semantics (exclusive lower bounds, `||` unions, prerelease rules) do
    /// not convert exactly to OSV events. Used by the nodejs security-wg
    /// importer. The range holds `Introduced(EXPR)`: versions that satisfy
    /// EXPR are affected, and optionally `Fixed(EXPR)`: versions that satisfy
    /// that EXPR are not (security-wg `patched_versions` / core `patched`).
    /// Evaluate with `portcullis_version::npm::Range::satisfies`; see
    /// [`Range::npm`] and [`Range::npm_expressions`].
    NpmRange,
}

/// An OSV range event. `Introduced("0")` means "from the beginning".
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Event {
    /// Versions at or above are affected.
    Introduced(String),
    /// Versions at or above are not affected.
    Fixed(String),
    /// Versions above are not affected (no fix known).
    LastAffected(String),
    /// Upper bound of the range, exclusive (`*` = none).
    Limit(String),
}

/// What an importer yields for each record it reads.
#[derive(Clone, Debug, PartialEq)]
pub enum ImportItem {
    /// An advisory.
    Advisory(Advisory),
    /// CVSS scores for a CVE with no affected packages of its own (NVD):
    /// they enrich every advisory that names the CVE.
    Cvss {
        /// `CVE-…`.
        cve: String,
        /// Where the scores were read from.
        origin: String,
        /// One per CVSS version, the primary (NVD) score when there are several.
        scores: Vec<Cvss>,
        /// NVD's description, used as a title when an advisory has none.
        description: Option<String>,
    },
}
