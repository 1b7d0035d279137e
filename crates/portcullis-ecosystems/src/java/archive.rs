//! Walking a Java archive and the archives nested in it, within limits.
//!
//! A jar/war/ear is a zip file (JAR File Specification). Zip needs random
//! access to its central directory at the end, so each archive is held in
//! memory while it is read; nested archives (`BOOT-INF/lib/*.jar`,
//! `WEB-INF/lib/*.jar`, `lib/*.jar` of an ear, ...) are read into memory
//! one at a time, depth first.
//!
//! Hostile archives are bounded three ways: nesting depth, a budget of
//! decompressed bytes for the whole outer archive, and per entry both the
//! size the central directory declares (checked before reading) and the
//! size actually produced (reading stops one byte past the declaration, so
//! a lying header cannot make us inflate a bomb).

use std::io::{Cursor, Read};

use serde::{Deserialize, Serialize};
use zip::ZipArchive;

use super::meta::{
    is_pom_properties, parse_manifest, parse_pom_properties, Manifest, PomProperties,
};

/// Bounds for reading one outer archive.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Largest archive (outer, or one nested entry) read.
    pub max_archive_bytes: u64,
    /// Most levels of archives inside the outer one.
    pub max_depth: usize,
    /// Decompressed bytes read from entries, across all nesting levels.
    pub max_total_bytes: u64,
    /// Most entries in one archive's central directory.
    pub max_entries: usize,
    /// Largest `pom.properties` or `MANIFEST.MF` read.
    pub max_meta_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_archive_bytes: 512 << 20,
            // Real nesting stops at 2 (ear > war > jar); 4 leaves room.
            max_depth: 4,
            // Fat jars and wars of a few hundred MB exist; a bomb goes far past.
            max_total_bytes: 1 << 30,
            max_entries: 1 << 20,
            max_meta_bytes: 1 << 20,
        }
    }
}

/// Why an archive could not be read at all.
#[derive(Debug, thiserror::Error)]
pub enum JavaError {
    /// Not a zip, or a zip too damaged to list.
    #[error("not a readable zip archive: {0}")]
    Zip(#[from] zip::result::ZipError),
    /// More entries than [`Limits::max_entries`].
    #[error("archive lists {found} entries, more than the limit of {limit}")]
    TooManyEntries {
        /// Entries listed.
        found: usize,
        /// The limit.
        limit: usize,
    },
    /// Larger than [`Limits::max_archive_bytes`].
    #[error("archive of {size} bytes exceeds the {limit}-byte limit; not read")]
    TooLarge {
        /// Its size.
        size: u64,
        /// The limit.
        limit: u64,
    },
}

/// What was found in one archive of the nest.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArchiveInfo {
    /// Entry names leading from the outer archive to this one; empty for
    /// the outer archive itself.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub nesting: Vec<String>,
    /// Every `META-INF/maven/**/pom.properties` that parsed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub poms: Vec<PomProperties>,
    /// The main manifest section, if the archive has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manifest: Option<Manifest>,
    /// What could not be read (this archive, or some of its entries).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
}

/// Everything kept of one outer archive: a few hundred bytes per nested jar
/// instead of the archive itself.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArchiveSummary {
    /// The outer archive first, then nested ones depth first.
    pub archives: Vec<ArchiveInfo>,
}

/// Whether an entry or file name is a Java archive by its extension.
pub fn is_archive_name(name: &str) -> bool {
    let Some((_, ext)) = name.rsplit_once('.') else {
        return false;
    };
    ["jar", "war", "ear", "jpi", "hpi"]
        .iter()
        .any(|e| ext.eq_ignore_ascii_case(e))
}

/// Reads an archive held in memory and everything nested in it.
/// `Err` only when the outer archive itself cannot be listed; problems
/// further down are recorded in [`ArchiveInfo::problem`].
pub fn summarize_archive(bytes: &[u8], limits: &Limits) -> Result<ArchiveSummary, JavaError> {
    if bytes.len() as u64 > limits.max_archive_bytes {
        return Err(JavaError::TooLarge {
            size: bytes.len() as u64,
            limit: limits.max_archive_bytes,
        });
    }
    let mut summary = ArchiveSummary::default();
    let mut budget = limits.max_total_bytes;
    walk(bytes, &[], limits, &mut budget, &mut summary.archives)?;
    Ok(summary)
}

fn walk(
    bytes: &[u8],
    nesting: &[String],
    limits: &Limits,
    budget: &mut u64,
    out: &mut Vec<ArchiveInfo>,
) -> Result<(), JavaError> {
    let mut zip = ZipArchive::new(Cursor::new(bytes))?;
    if zip.len() > limits.max_entries {
        return Err(JavaError::TooManyEntries {
            found: zip.len(),
            limit: limits.max_entries,
        });
    }
    let (mut poms, mut manifest, mut nested) = (Vec::new(), None, Vec::new());
    for i in 0..zip.len() {
        let Some(name) = zip.name_for_index(i) else {
            continue;
        };
        if is_pom_properties(name) {
            poms.push(i);
        } else if name.eq_ignore_ascii_case("META-INF/MANIFEST.MF") {
            manifest.get_or_insert(i);
        } else if is_archive_name(name) && !name.ends_with('/') {
            nested.push(i);
        }
    }

    let mut info = ArchiveInfo {
        nesting: nesting.to_vec(),
        ..ArchiveInfo::default()
    };
    let mut problems = Vec::new();
    for i in poms {
        match read_entry(&mut zip, i, limits.max_meta_bytes, budget) {
            Ok((name, data)) => info.poms.extend(parse_pom_properties(&data, &name)),
            Err(e) => problems.push(e),
        }
    }
    if let Some(i) = manifest {
        match read_entry(&mut zip, i, limits.max_meta_bytes, budget) {
            Ok((_, data)) => info.manifest = Some(parse_manifest(&data)),
            Err(e) => problems.push(e),
        }
    }
    let this = out.len();
    out.push(info);

    for i in nested {
        let name = zip.name_for_index(i).unwrap_or_default().to_owned();
        let mut chain = nesting.to_vec();
        chain.push(name);
        let problem = if nesting.len() >= limits.max_depth {
            Some(format!(
                "archives nested more than {} deep; not read",
                limits.max_depth
            ))
        } else {
            match read_entry(&mut zip, i, limits.max_archive_bytes, budget) {
                // Recursion depth is bounded by max_depth.
                Ok((_, inner)) => walk(&inner, &chain, limits, budget, out)
                    .err()
                    .map(|e| e.to_string()),
                Err(e) => Some(e),
            }
        };
        if let Some(problem) = problem {
            out.push(ArchiveInfo {
                nesting: chain,
                problem: Some(problem),
                ..ArchiveInfo::default()
            });
        }
    }
    if !problems.is_empty() {
        out[this].problem = Some(problems.join("; "));
    }
    Ok(())
}

/// Reads entry `i` whole if it declares at most `max` bytes and fits the
/// budget; fails if the data does not match the declared size.
fn read_entry(
    zip: &mut ZipArchive<Cursor<&[u8]>>,
    i: usize,
    max: u64,
    budget: &mut u64,
) -> Result<(String, Vec<u8>), String> {
    let mut entry = zip.by_index(i).map_err(|e| format!("entry {i}: {e}"))?;
    let name = entry.name().to_owned();
    let declared = entry.size();
    if declared > max {
        return Err(format!(
            "{name}: declares {declared} bytes, more than the {max}-byte limit; not read"
        ));
    }
    if declared > *budget {
        return Err(format!("{name}: declares {declared} bytes, past the budget for this archive (zip bomb?); not read"));
    }
    // Capacity from a header we do not trust yet: start small.
    let mut data = Vec::with_capacity(declared.min(1 << 20) as usize);
    let read = (&mut entry).take(declared + 1).read_to_end(&mut data);
    *budget = budget.saturating_sub(data.len() as u64);
    read.map_err(|e| format!("{name}: {e}"))?;
    if data.len() as u64 != declared {
        return Err(format!(
            "{name}: holds {}{} bytes, not the {declared} its header declares",
            data.len(),
            if data.len() as u64 > declared {
                "+"
            } else {
                ""
            }
        ));
    }
    Ok((name, data))
}
