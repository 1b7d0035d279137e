//! npm packages: every `package.json` that names a package (as Syft does for
//! images: installed modules under `node_modules/`, Debian's modules under
//! `usr/share/nodejs/`, and application roots), plus `package-lock.json`
//! entries (lockfileVersion 1-3) for packages the lock names but whose
//! `package.json` is absent from the image. Version scheme: semver.

use std::collections::BTreeSet;

use portcullis_catalog::{CatalogContext, CatalogOutput, Cataloger, EntryInfo, Found, Want};
use portcullis_types::Ecosystem;
use serde_json::Value;

use crate::util::PackageFacts;

/// The npm cataloger.
pub struct NpmCataloger;

/// Largest manifest read; real ones are a few KB.
const MAX_MANIFEST: u64 = 8 << 20;

/// Name, version and licence of a `package.json`; `Ok(None)` for manifests
/// that are not packages (no name or version, e.g. `{"type": "module"}`).
pub fn parse_package_json(
    bytes: &[u8],
) -> Result<Option<(String, String, Option<String>)>, String> {
    let v: Value = serde_json::from_slice(bytes).map_err(|e| format!("invalid JSON: {e}"))?;
    let s = |k: &str| {
        v.get(k)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let license = s("license").or_else(|| {
        v.get("license")
            .and_then(|l| l.get("type"))
            .and_then(Value::as_str)
            .map(str::to_owned)
    });
    Ok(match (s("name"), s("version")) {
        (Some(n), Some(ver)) => Some((n, ver, license)),
        _ => None,
    })
}

/// `(name, version)` pairs of a package-lock.json, any lockfileVersion.
pub fn parse_lockfile(bytes: &[u8]) -> Result<Vec<(String, String)>, String> {
    let v: Value = serde_json::from_slice(bytes).map_err(|e| format!("invalid JSON: {e}"))?;
    let mut out = Vec::new();
    if let Some(packages) = v.get("packages").and_then(Value::as_object) {
        for (key, entry) in packages {
            // "" is the project itself; links point at workspace folders.
            if key.is_empty() || entry.get("link").and_then(Value::as_bool) == Some(true) {
                continue;
            }
            let name = entry
                .get("name")
                .and_then(Value::as_str)
                .map(str::to_owned)
                .or_else(|| key.rsplit("node_modules/").next().map(str::to_owned));
            if let (Some(name), Some(version)) =
                (name, entry.get("version").and_then(Value::as_str))
            {
                out.push((name, version.to_owned()));
            }
        }
    } else if let Some(deps) = v.get("dependencies").and_then(Value::as_object) {
        // lockfileVersion 1: nested "dependencies" objects.
        let mut stack: Vec<&serde_json::Map<String, Value>> = vec![deps];
        while let Some(map) = stack.pop() {
            for (name, entry) in map {
                if let Some(version) = entry.get("version").and_then(Value::as_str) {
                    out.push((name.clone(), version.to_owned()));
                }
                if let Some(nested) = entry.get("dependencies").and_then(Value::as_object) {
                    stack.push(nested);
                }
            }
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}

impl Cataloger for NpmCataloger {
    fn id(&self) -> &'static str {
        "npm"
    }

    fn wants(&self, path: &str, info: &EntryInfo) -> Option<Want> {
        let name = path.rsplit('/').next().unwrap_or(path);
        (matches!(name, "package.json" | "package-lock.json") && info.size <= MAX_MANIFEST)
            .then_some(Want::Content)
    }

    fn catalog(&self, ctx: &CatalogContext<'_>, out: &mut CatalogOutput) {
        let mut seen: BTreeSet<(String, String, String)> = BTreeSet::new();
        let mut locks = Vec::new();
        for file in ctx.snapshot.owned_by(ctx.index) {
            if file.path.ends_with("package-lock.json") {
                locks.push(file);
                continue;
            }
            match parse_package_json(file.content) {
                Ok(Some((name, version, license))) => {
                    let root = project_root(file.path).to_owned();
                    seen.insert((root, name.clone(), version.clone()));
                    let package = PackageFacts {
                        name,
                        version,
                        licenses: license.into_iter().collect(),
                        locations: vec![file.path.to_owned()],
                        ..PackageFacts::default()
                    }
                    .build(Ecosystem::Npm, self.id());
                    out.found.push(Found {
                        package,
                        layer_index: file.layer,
                    });
                }
                Ok(None) => {}
                Err(reason) => out.unknown(self.id(), file.path, Some(file.layer), reason),
            }
        }
        for lock in locks {
            let root = lock.path.rsplit_once('/').map_or("", |(d, _)| d).to_owned();
            match parse_lockfile(lock.content) {
                Ok(entries) => {
                    for (name, version) in entries {
                        if seen.contains(&(root.clone(), name.clone(), version.clone())) {
                            continue;
                        }
                        let package = PackageFacts {
                            name,
                            version,
                            locations: vec![lock.path.to_owned()],
                            ..PackageFacts::default()
                        }
                        .build(Ecosystem::Npm, self.id());
                        out.found.push(Found {
                            package,
                            layer_index: lock.layer,
                        });
                    }
                }
                Err(reason) => out.unknown(self.id(), lock.path, Some(lock.layer), reason),
            }
        }
    }
}

/// The project a manifest belongs to: the folder above its first
/// `node_modules`, or its own folder.
fn project_root(path: &str) -> &str {
    match path.find("node_modules/") {
        Some(0) => "",
        Some(i) => &path[..i - 1],
        None => path.rsplit_once('/').map_or("", |(d, _)| d),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifests_and_locks() {
        assert_eq!(
            parse_package_json(br#"{"name":"lodash","version":"4.17.15","license":"MIT"}"#)
                .unwrap(),
            Some(("lodash".into(), "4.17.15".into(), Some("MIT".into())))
        );
        assert_eq!(parse_package_json(br#"{"type":"module"}"#).unwrap(), None);
        assert!(parse_package_json(b"{not json").is_err());
        let lock = br#"{"lockfileVersion":3,"packages":{"":{"name":"app"},"node_modules/a":{"version":"1.0.0"},"node_modules/a/node_modules/@s/b":{"version":"2.0.0"}}}"#;
        assert_eq!(
            parse_lockfile(lock).unwrap(),
            [
                ("@s/b".to_owned(), "2.0.0".to_owned()),
                ("a".to_owned(), "1.0.0".to_owned())
            ]
        );
        let v1 = br#"{"lockfileVersion":1,"dependencies":{"x":{"version":"1.2.3","dependencies":{"y":{"version":"0.1.0"}}}}}"#;
        assert_eq!(parse_lockfile(v1).unwrap().len(), 2);
        assert_eq!(project_root("app/node_modules/a/package.json"), "app");
        assert_eq!(project_root("app/package.json"), "app");
    }
}
