//! Java artifacts (Maven coordinates) from Java archives.
//!
//! Reads every regular file named `*.jar`, `*.war`, `*.ear`, `*.jpi` or
//! `*.hpi` (Jenkins plugins), any case, up to 512 MiB (larger ones become
//! "unknowns"), and the archives nested in them (`BOOT-INF/lib/`,
//! `WEB-INF/lib/`, any entry with one of those extensions) down to four
//! levels. From each archive: every
//! `META-INF/maven/<group>/<artifact>/pom.properties` and the main section
//! of `META-INF/MANIFEST.MF` (formats: JAR File Specification; Maven
//! Archiver's pom.properties, a java.util.Properties file). The archive
//! itself is dropped once summarized (see [`archive`] for limits).
//!
//! Packages, ecosystem `maven`, named `groupId:artifactId`:
//! - one per `pom.properties` of an archive (a shaded jar carries several);
//! - for an archive without one, a best guess: name from the file name when
//!   it has the Maven repository form `artifactId-version.jar`, else
//!   `Bundle-SymbolicName`, `Implementation-Title`, `Specification-Title`,
//!   the file name without extension; version from `Implementation-Version`,
//!   `Bundle-Version`, `Specification-Version`, the file name. These carry
//!   no groupId (a manifest has no reliable one: `Implementation-Vendor-Id`
//!   is often an organisation prefix), so they document the inventory more
//!   than they match advisories. Without any version nothing is reported.
//!
//! Locations use the `jar:` URL separator of java.net.JarURLConnection
//! (also what Spring Boot prints): `/opt/app/app.jar!/BOOT-INF/lib/x.jar`
//! (Syft writes `/opt/app/app.jar:BOOT-INF/lib/x.jar`).
//! Identical coordinates within one outer archive are reported once, with
//! all their locations.

pub mod archive;
pub mod meta;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;

use portcullis_catalog::{CatalogContext, CatalogOutput, Cataloger, EntryInfo, Found, Want};
use portcullis_types::Ecosystem;

pub use archive::{
    is_archive_name, summarize_archive, ArchiveInfo, ArchiveSummary, JavaError, Limits,
};
pub use meta::{parse_manifest, parse_pom_properties, parse_properties, Manifest, PomProperties};

use crate::util::PackageFacts;

/// The Java archive cataloger.
pub struct JavaCataloger;

/// Location of a (possibly nested) archive: outer path, then `!/entry` per level.
pub fn location(outer: &str, nesting: &[String]) -> String {
    let mut loc = outer.to_owned();
    for n in nesting {
        loc.push_str("!/");
        loc.push_str(n);
    }
    loc
}

/// Splits `commons-lang3-3.12.0.jar` into `("commons-lang3", Some("3.12.0"))`:
/// at the last `-` followed by a digit (artifact ids may contain `-digit`
/// themselves, e.g. `log4j-1.2-api-2.17.1`, versions rarely do).
fn split_file_name(file_name: &str) -> (&str, Option<(&str, &str)>) {
    let stem = file_name.rsplit_once('.').map_or(file_name, |(s, _)| s);
    let split = stem
        .char_indices()
        .rev()
        .find(|&(i, c)| c == '-' && stem[i + 1..].starts_with(|d: char| d.is_ascii_digit()));
    (
        stem,
        split
            .map(|(i, _)| (&stem[..i], &stem[i + 1..]))
            .filter(|(a, _)| !a.is_empty()),
    )
}

/// The `(name, version)` pairs one archive stands for; `file_name` is its
/// own name (last component of its path or entry name).
pub fn coordinates(info: &ArchiveInfo, file_name: &str) -> Vec<(String, String)> {
    if !info.poms.is_empty() {
        return info
            .poms
            .iter()
            .map(|p| {
                let name = if p.group_id.is_empty() {
                    p.artifact_id.clone()
                } else {
                    format!("{}:{}", p.group_id, p.artifact_id)
                };
                (name, p.version.clone())
            })
            .collect();
    }
    let m = info.manifest.clone().unwrap_or_default();
    let (stem, from_name) = split_file_name(file_name);
    let version = m
        .implementation_version
        .or(m.bundle_version)
        .or(m.specification_version)
        .or_else(|| from_name.map(|(_, v)| v.to_owned()));
    let name = from_name
        .map(|(a, _)| a.to_owned())
        .or(m.bundle_symbolic_name)
        .or(m.implementation_title)
        .or(m.specification_title)
        .unwrap_or_else(|| stem.to_owned());
    match version {
        Some(v) if !v.is_empty() && !name.is_empty() => vec![(name, v)],
        _ => Vec::new(),
    }
}

impl Cataloger for JavaCataloger {
    fn id(&self) -> &'static str {
        "java"
    }

    fn wants(&self, path: &str, _info: &EntryInfo) -> Option<Want> {
        // Oversized archives are still claimed: summarize turns them into an
        // "unknown" rather than letting them vanish from the report.
        let name = path.rsplit('/').next().unwrap_or(path);
        is_archive_name(name).then_some(Want::Summary)
    }

    fn summarize(
        &self,
        _path: &str,
        info: &EntryInfo,
        content: &mut dyn Read,
    ) -> Result<Option<Vec<u8>>, String> {
        let limits = Limits::default();
        if info.size > limits.max_archive_bytes {
            return Err(JavaError::TooLarge {
                size: info.size,
                limit: limits.max_archive_bytes,
            }
            .to_string());
        }
        let mut bytes = Vec::with_capacity(info.size as usize);
        content
            .take(info.size)
            .read_to_end(&mut bytes)
            .map_err(|e| format!("read error: {e}"))?;
        let summary = summarize_archive(&bytes, &limits).map_err(|e| e.to_string())?;
        drop(bytes);
        serde_json::to_vec(&summary)
            .map(Some)
            .map_err(|e| e.to_string())
    }

    fn catalog(&self, ctx: &CatalogContext<'_>, out: &mut CatalogOutput) {
        for file in ctx.snapshot.owned_by(ctx.index) {
            let summary: ArchiveSummary = match serde_json::from_slice(file.content) {
                Ok(s) => s,
                Err(e) => {
                    out.unknown(
                        self.id(),
                        file.path,
                        Some(file.layer),
                        format!("undecodable archive summary: {e}"),
                    );
                    continue;
                }
            };
            // Identical coordinates within the archive: one package, every
            // location (sorted, so zip entry order does not show).
            let mut packages: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
            for info in &summary.archives {
                let loc = location(file.path, &info.nesting);
                if let Some(problem) = &info.problem {
                    out.unknown(self.id(), &loc, Some(file.layer), problem.clone());
                }
                let own_name = info.nesting.last().map_or(file.path, String::as_str);
                let own_name = own_name.rsplit('/').next().unwrap_or(own_name);
                for key in coordinates(info, own_name) {
                    packages.entry(key).or_default().insert(loc.clone());
                }
            }
            for ((name, version), locations) in packages {
                let package = PackageFacts {
                    name,
                    version,
                    locations: locations.into_iter().collect(),
                    ..PackageFacts::default()
                }
                .build(Ecosystem::Maven, self.id());
                out.found.push(Found {
                    package,
                    layer_index: file.layer,
                });
            }
        }
    }
}
