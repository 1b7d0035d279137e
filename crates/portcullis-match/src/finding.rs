//! What the match stage produces: findings, each with its evidence.

use portcullis_advisory::Cvss;
use portcullis_types::{Digest, Ecosystem};
use serde::{Deserialize, Serialize};

/// CONFIRMED when the installed version is definitely inside an affected
/// range; POTENTIAL when it could not be decided (SPEC §4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TypeDetected {
    /// Definitely affected.
    Confirmed,
    /// Could not be decided.
    Potential,
}

/// The package a finding concerns (as the inventory recorded it).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingPackage {
    /// Ecosystem.
    pub ecosystem: Ecosystem,
    /// Name.
    pub name: String,
    /// Installed version.
    pub version: String,
    /// Source package (OS packages).
    pub source_name: Option<String>,
    /// Source version (OS packages).
    pub source_version: Option<String>,
    /// Package URL.
    pub purl: String,
    /// Files that evidence it.
    pub locations: Vec<String>,
}

/// Why a finding matched: one entry per advisory row that matched.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    /// The advisory's id.
    pub advisory: String,
    /// Its feed (`osv`, `debian-tracker`, …).
    pub source: String,
    /// The file or URL entry it was imported from.
    pub record: String,
    /// Row of the DB's `affected` table that matched.
    pub db_row: i64,
    /// Namespace and package looked up (`debian:12` / `openssl`).
    pub namespace: String,
    /// Package name as looked up (the source package for OS packages).
    pub package: String,
    /// The version compared (the source version for OS packages).
    pub version: String,
    /// Comparator used (`dpkg`, `pep440`, …).
    pub comparator: String,
    /// The comparisons made, in order.
    pub comparisons: Vec<String>,
    /// Fix state according to this row.
    pub fix_state: String,
    /// Why the finding is only POTENTIAL, when it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doubt: Option<String>,
}

/// One vulnerability in one package of one image.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// The preferred id: a CVE when there is one.
    pub id: String,
    /// The platform's QID, when the finding came from a platform backend
    /// (the local matcher has none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub qid: Option<u64>,
    /// Every other id of the same vulnerability, sorted.
    pub aliases: Vec<String>,
    /// The package.
    pub package: FindingPackage,
    /// The version the nearest fix ships in, if any.
    pub fixed_version: Option<String>,
    /// The distro's status (`open`, `no-dsa`, …), or `fixed` (a fix exists)
    /// / `affected` (none yet) for ecosystem packages.
    pub status: String,
    /// 1–5 (SPEC §4).
    pub severity: u8,
    /// Where the severity came from (`debian`, `nvd-cvss-v3`, `advisory-cvss-v3`,
    /// `cvss-v2`, `vendor`, `unknown`).
    pub severity_source: String,
    /// CVSS v2 base score and vector.
    pub cvss_v2: Option<Cvss>,
    /// CVSS v3 base score and vector.
    pub cvss_v3: Option<Cvss>,
    /// CONFIRMED or POTENTIAL.
    pub type_detected: TypeDetected,
    /// Whether a fixed version exists (and the distro intends to ship it).
    pub patch_available: bool,
    /// diff_id of the layer that introduced the package.
    pub layer: Option<Digest>,
    /// Title.
    pub title: Option<String>,
    /// Links, sorted.
    pub links: Vec<String>,
    /// Why it matched.
    pub evidence: Vec<Evidence>,
}

impl Finding {
    /// Every id the finding is known by (id first, then aliases).
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.id.as_str()).chain(self.aliases.iter().map(String::as_str))
    }

    /// Sort key making reports deterministic.
    pub fn sort_key(&self) -> (Ecosystem, &str, &str, &str, &[String]) {
        (
            self.package.ecosystem,
            &self.package.name,
            &self.package.version,
            &self.id,
            &self.package.locations,
        )
    }
}
