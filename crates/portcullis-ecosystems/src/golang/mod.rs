//! Go modules and the Go standard library, from the build info that the Go
//! toolchain (1.18 and later) embeds in every executable it links.
//!
//! Reads executable regular files of any path (Go programs live anywhere:
//! `usr/local/bin`, `/app`, `/ko-app`, ...), between [`MIN_SIZE`] and
//! [`MAX_SIZE`] bytes, once, as they stream out of the layer; only the
//! toolchain version and the module-info text are kept. Format references:
//! Go's `debug/buildinfo` (the blob, see [`buildinfo`]) and
//! `runtime/debug.ParseBuildInfo` (the text, see [`modinfo`]).
//!
//! Reported per binary, with the binary as location:
//! - the main module (`mod` line). A binary built from a checkout records
//!   the placeholder `(devel)`, which is no version: it is reported with an
//!   empty version (as Trivy does) so nothing ever compares against it.
//! - each dependency module (`dep` line). A replacement (`=>`) by another
//!   module wins, path and version. A replacement by a local directory
//!   (`=> ../fork`) keeps the original module path with an empty version:
//!   the code is a local copy whose version is unknown, and a directory is
//!   not a package name.
//! - the standard library as `stdlib`, versioned from the toolchain in the
//!   `v`-prefixed semver form the modules use (see [`stdlib_version`]):
//!   `go1.19.8` → `v1.19.8`, as Trivy reports it (Syft keeps `go1.19.8`
//!   with purl `pkg:golang/stdlib@1.19.8`). Also for binaries built outside
//!   module mode, which have no module info at all.
//!
//! Binaries older than Go 1.18 keep their build info behind pointers, which
//! one forward pass cannot follow; they become "unknowns" (see
//! [`buildinfo`]).

pub mod buildinfo;
pub mod modinfo;
#[cfg(test)]
pub(crate) mod test_support;
#[cfg(test)]
mod tests;

use std::io::Read;

use portcullis_catalog::{CatalogContext, CatalogOutput, Cataloger, EntryInfo, Found, Want};
use portcullis_types::Ecosystem;

pub use buildinfo::{scan_buildinfo, GoError, RawBuildInfo};
pub use modinfo::{parse_modinfo, stdlib_version, BuildInfo, Module};

use crate::util::PackageFacts;

/// Smallest file considered: every Go program carries the runtime and is
/// several hundred KB even stripped; this skips scripts and tiny helpers
/// without reading them.
pub const MIN_SIZE: u64 = 64 << 10;
/// Largest file considered; larger executables are left alone.
pub const MAX_SIZE: u64 = 512 << 20;

/// The Go binary cataloger.
pub struct GoCataloger;

/// Serialises build info as the summary kept during the walk:
/// `go version NUL modinfo`.
pub fn encode_summary(raw: &RawBuildInfo) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.go_version.len() + 1 + raw.modinfo.len());
    out.extend(raw.go_version.as_bytes());
    out.push(0);
    out.extend(raw.modinfo.as_bytes());
    out
}

/// Reverses [`encode_summary`]; `None` if the bytes are not one.
pub fn decode_summary(bytes: &[u8]) -> Option<RawBuildInfo> {
    let text = std::str::from_utf8(bytes).ok()?;
    let (go_version, modinfo) = text.split_once('\0')?;
    Some(RawBuildInfo {
        go_version: go_version.to_owned(),
        modinfo: modinfo.to_owned(),
    })
}

/// Module paths replaced by directories (`replace x => ../x`) start like
/// filesystem paths; module paths never do.
fn is_directory(path: &str) -> bool {
    path.starts_with(['.', '/', '\\']) || path.as_bytes().get(1) == Some(&b':')
}

/// The `(name, version)` pairs a binary's build info reports, main module
/// first, then dependencies, then `stdlib`. The second list holds problems.
pub fn packages_of(info: &BuildInfo) -> (Vec<(String, String)>, Vec<String>) {
    let clean = |v: &str| {
        if v == "(devel)" {
            String::new()
        } else {
            v.to_owned()
        }
    };
    let mut out = Vec::new();
    let mut problems = Vec::new();
    if let Some(main) = &info.main {
        out.push((main.path.clone(), clean(&main.version)));
    }
    for dep in &info.deps {
        match dep.replace.as_deref() {
            Some(r) if is_directory(&r.path) => out.push((dep.path.clone(), String::new())),
            Some(r) => out.push((r.path.clone(), clean(&r.version))),
            None => out.push((dep.path.clone(), clean(&dep.version))),
        }
    }
    match stdlib_version(&info.go_version) {
        Some(v) => out.push(("stdlib".to_owned(), v)),
        None => problems.push(format!(
            "Go toolchain version {:?} is not a release; stdlib not reported",
            info.go_version
        )),
    }
    (out, problems)
}

impl Cataloger for GoCataloger {
    fn id(&self) -> &'static str {
        "golang"
    }

    fn wants(&self, path: &str, info: &EntryInfo) -> Option<Want> {
        // Kernel pseudo-filesystems never hold programs in an image.
        let pseudo = ["proc/", "sys/", "dev/"]
            .iter()
            .any(|p| path.starts_with(p));
        (info.is_executable() && (MIN_SIZE..=MAX_SIZE).contains(&info.size) && !pseudo)
            .then_some(Want::Summary)
    }

    fn summarize(
        &self,
        _path: &str,
        info: &EntryInfo,
        content: &mut dyn Read,
    ) -> Result<Option<Vec<u8>>, String> {
        let mut bounded = content.take(info.size);
        match scan_buildinfo(&mut bounded) {
            Ok(found) => Ok(found.map(|raw| encode_summary(&raw))),
            Err(e) => Err(e.to_string()),
        }
    }

    fn catalog(&self, ctx: &CatalogContext<'_>, out: &mut CatalogOutput) {
        for file in ctx.snapshot.owned_by(ctx.index) {
            let Some(raw) = decode_summary(file.content) else {
                out.unknown(
                    self.id(),
                    file.path,
                    Some(file.layer),
                    "undecodable Go build-info summary",
                );
                continue;
            };
            let (info, mut problems) = parse_modinfo(&raw.go_version, &raw.modinfo);
            let (packages, more) = packages_of(&info);
            problems.extend(more);
            for p in problems {
                out.unknown(self.id(), file.path, Some(file.layer), p);
            }
            for (name, version) in packages {
                let package = PackageFacts {
                    name,
                    version,
                    locations: vec![file.path.to_owned()],
                    ..PackageFacts::default()
                }
                .build(Ecosystem::Go, self.id());
                out.found.push(Found {
                    package,
                    layer_index: file.layer,
                });
            }
        }
    }
}
