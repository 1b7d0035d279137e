use super::*;
use crate::walk::{LayerFiles, Recorded};
use crate::{CatalogOutput, Cataloger, DistroDetector, EntryInfo, Want};

fn file(content: &str) -> Recorded {
    Recorded::File {
        content: content.as_bytes().into(),
        owner: 0,
        summary: false,
    }
}

fn layer(entries: &[(&str, Recorded)], whiteouts: &[&str]) -> LayerFiles {
    LayerFiles {
        entries: entries
            .iter()
            .cloned()
            .map(|(p, r)| (p.to_owned(), r))
            .collect(),
        whiteouts: whiteouts.iter().map(|s| (*s).to_owned()).collect(),
        ..LayerFiles::default()
    }
}

fn package(ecosystem: Ecosystem, name: &str, location: &str) -> Package {
    Package {
        ecosystem,
        name: name.into(),
        version: "1".into(),
        source_name: None,
        source_version: None,
        arch: None,
        purl: String::new(),
        licenses: vec![],
        layer: None,
        locations: vec![location.into()],
        cataloger: "test".into(),
        owned_by: None,
    }
}

#[test]
fn evidence_is_the_file_and_a_python_metadata_dir_only() {
    let dist = "/usr/lib/python3/dist-packages/pip-23.0.1.dist-info/METADATA";
    assert_eq!(
        candidate_keys(dist),
        [
            &dist[1..],
            "usr/lib/python3/dist-packages/pip-23.0.1.dist-info"
        ]
    );
    assert_eq!(
        candidate_keys("/usr/lib/python3/dist-packages/six-1.16.0.egg-info/PKG-INFO").len(),
        2
    );
    // A single-file egg-info and an npm manifest: their folders hold other things.
    assert_eq!(
        candidate_keys("/usr/local/lib/python3.11/dist-packages/x-1.0.egg-info"),
        ["usr/local/lib/python3.11/dist-packages/x-1.0.egg-info"]
    );
    assert_eq!(
        candidate_keys("/usr/share/nodejs/acorn/package.json"),
        ["usr/share/nodejs/acorn/package.json"]
    );
    assert_eq!(
        candidate_keys("/opt/app.jar!/BOOT-INF/lib/inner.jar"),
        ["opt/app.jar"]
    );
    assert!(candidate_keys("/../..").is_empty());
}

#[test]
fn claims_match_through_symlinked_directories() {
    let snap = Snapshot::squash(vec![layer(
        &[
            ("lib", Recorded::Symlink("usr/lib".into())),
            ("usr/lib/node_modules/npm/package.json", file("{}")),
            ("usr/share/java/a-1.0.jar", file("")),
        ],
        &[],
    )]);
    let pkgs = [
        package(
            Ecosystem::Npm,
            "npm",
            "/usr/lib/node_modules/npm/package.json",
        ),
        package(Ecosystem::Maven, "a", "/usr/share/java/a-1.0.jar"),
        package(Ecosystem::Deb, "ignored", "/var/lib/dpkg/status"),
    ];
    let mut owners = FileOwners::new(&snap, &pkgs);
    assert!(owners.wants_name("package.json") && owners.wants_name("a-1.0.jar"));
    assert!(
        !owners.wants_name("status"),
        "OS packages are not candidates"
    );
    owners.claim("/lib/node_modules/npm/package.json", Ecosystem::Deb, "npm");
    owners.claim(
        "/usr/lib/node_modules/other/package.json",
        Ecosystem::Deb,
        "x",
    );
    owners.claim_in("/usr/share/java/", "a-1.0.jar", Ecosystem::Rpm, "a-java");
    owners.claim("usr/share/java/a-1.0.jar", Ecosystem::Rpm, "a-java");
    owners.claim("", Ecosystem::Rpm, "empty");
    owners.claim("/../../etc", Ecosystem::Rpm, "escapes");
    let reported: BTreeSet<(Ecosystem, &str)> =
        [(Ecosystem::Deb, "npm"), (Ecosystem::Rpm, "a-java")].into();
    assert_eq!(
        owners.owner_of(&pkgs[0], &reported).as_deref(),
        Some("deb:npm")
    );
    assert_eq!(
        owners.owner_of(&pkgs[1], &reported).as_deref(),
        Some("rpm:a-java")
    );
    let nobody = BTreeSet::new();
    assert_eq!(
        owners.owner_of(&pkgs[0], &nobody),
        None,
        "owner must be reported"
    );
}

/// A package manager whose `status` names installed packages and whose
/// `lists/NAME` holds one path per line.
struct FakeOs;

impl Cataloger for FakeOs {
    fn id(&self) -> &'static str {
        "fake-os"
    }
    fn wants(&self, path: &str, _: &EntryInfo) -> Option<Want> {
        (path == "status" || path.starts_with("lists/")).then_some(Want::Content)
    }
    fn catalog(&self, ctx: &CatalogContext<'_>, out: &mut CatalogOutput) {
        if let Some(f) = ctx.snapshot.get("status") {
            for name in String::from_utf8_lossy(f.content).lines() {
                out.found.push(Found {
                    package: package(Ecosystem::Deb, name, "/status"),
                    layer_index: f.layer,
                });
            }
        }
    }
    fn claim_files(&self, ctx: &CatalogContext<'_>, owners: &mut FileOwners<'_>) {
        for f in ctx.snapshot.files() {
            if let Some(name) = f.path.strip_prefix("lists/") {
                for line in String::from_utf8_lossy(f.content).lines() {
                    owners.claim(line, Ecosystem::Deb, name);
                }
            }
        }
    }
}

/// Reports a PyPI package for every `METADATA` file.
struct FakePython;

impl Cataloger for FakePython {
    fn id(&self) -> &'static str {
        "fake-python"
    }
    fn wants(&self, path: &str, _: &EntryInfo) -> Option<Want> {
        path.ends_with("/METADATA").then_some(Want::Content)
    }
    fn catalog(&self, ctx: &CatalogContext<'_>, out: &mut CatalogOutput) {
        for f in ctx
            .snapshot
            .files()
            .filter(|f| f.path.ends_with("/METADATA"))
        {
            let name = f.path.split('/').nth(1).unwrap_or_default();
            out.found.push(Found {
                package: package(Ecosystem::Pypi, name, &format!("/{}", f.path)),
                layer_index: f.layer,
            });
        }
    }
}

struct NoDistro;

impl DistroDetector for NoDistro {
    fn wants(&self, _: &str) -> bool {
        false
    }
    fn detect(&self, _: &Snapshot) -> Option<Distro> {
        None
    }
}

fn run(layers: Vec<LayerFiles>) -> BTreeMap<String, Option<String>> {
    let set = CatalogSet {
        distro: Box::new(NoDistro),
        catalogers: vec![Box::new(FakeOs), Box::new(FakePython)],
    };
    let snap = Snapshot::squash(layers);
    let mut out = CatalogOutput::default();
    for (index, c) in set.catalogers.iter().enumerate() {
        let ctx = CatalogContext {
            snapshot: &snap,
            distro: None,
            index,
        };
        c.catalog(&ctx, &mut out);
    }
    mark_owned(&set, &snap, None, &mut out.found);
    out.found
        .into_iter()
        .map(|f| {
            (
                format!("{}:{}", f.package.ecosystem, f.package.name),
                f.package.owned_by,
            )
        })
        .collect()
}

#[test]
fn marks_language_packages_from_reported_owners_only() {
    let got = run(vec![layer(
        &[
            ("status", file("python3-pip\npython3-wheel\nzz-dup\naa-dup")),
            // The METADATA itself is listed.
            (
                "lists/python3-pip",
                file("/usr\n/d/pip/pip.dist-info\n/d/pip/pip.dist-info/METADATA\n"),
            ),
            // Only the metadata directory is listed.
            ("lists/python3-wheel", file("/d/wheel/wheel.dist-info\n")),
            // Listed by a package that is not installed (leftover list).
            ("lists/ghost", file("/d/ghost/g.dist-info/METADATA\n")),
            // Listed by two packages: the smallest name wins.
            ("lists/zz-dup", file("/d/dup/dup.dist-info/METADATA\n")),
            ("lists/aa-dup", file("/d/dup/dup.dist-info/METADATA\n")),
            ("d/pip/pip.dist-info/METADATA", file("")),
            ("d/wheel/wheel.dist-info/METADATA", file("")),
            ("d/ghost/g.dist-info/METADATA", file("")),
            ("d/dup/dup.dist-info/METADATA", file("")),
            ("d/requests/r.dist-info/METADATA", file("")),
        ],
        &[],
    )]);
    assert_eq!(got["pypi:pip"].as_deref(), Some("deb:python3-pip"));
    assert_eq!(got["pypi:wheel"].as_deref(), Some("deb:python3-wheel"));
    assert_eq!(got["pypi:ghost"], None);
    assert_eq!(got["pypi:dup"].as_deref(), Some("deb:aa-dup"));
    assert_eq!(got["pypi:requests"], None);
    assert_eq!(got["deb:python3-pip"], None, "OS packages are never owned");
}

#[test]
fn file_lists_follow_layers_and_whiteouts() {
    let base = layer(
        &[
            ("status", file("python3-pip")),
            ("lists/python3-pip", file("/d/pip/pip.dist-info/METADATA\n")),
            ("d/pip/pip.dist-info/METADATA", file("")),
        ],
        &[],
    );
    assert_eq!(
        run(vec![base.clone()])["pypi:pip"].as_deref(),
        Some("deb:python3-pip")
    );
    // A later layer removes the list (the package's files were replaced by
    // something else): the same METADATA is no longer owned.
    let got = run(vec![base, layer(&[], &["lists/python3-pip"])]);
    assert_eq!(got["pypi:pip"], None);
}
