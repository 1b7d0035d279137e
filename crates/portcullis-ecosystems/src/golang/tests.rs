//! Real Go binaries, built here with the system `go` and a module vendored
//! from Debian's golang-github-google-uuid-dev; the oracle is
//! `go version -m`, parsed independently of the code under test.

use std::path::{Path, PathBuf};
use std::process::Command;

use portcullis_catalog::{
    CatalogContext, CatalogOutput, Cataloger, EntryInfo, LayerFiles, Recorded, Snapshot,
};

use super::test_support::{debian_package, have_tool, run, Dribble};
use super::*;

const MAIN_GO: &str = include_str!("testdata/gohello/main.go");

/// `go version -m` output: the go version and `(kind, fields)` lines.
struct Oracle {
    go_version: String,
    lines: Vec<(String, Vec<String>)>,
}

fn oracle(binary: &Path) -> Oracle {
    let text =
        String::from_utf8(run(Command::new("go").arg("version").arg("-m").arg(binary))).unwrap();
    let mut lines = text.lines();
    let first = lines.next().unwrap();
    let go_version = first.rsplit(": ").next().unwrap().to_owned();
    // Go's BuildInfo.String() emits an empty line after each replacement.
    let lines = lines
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let mut f = l.strip_prefix('\t').unwrap().split('\t').map(str::to_owned);
            (f.next().unwrap(), f.collect())
        })
        .collect();
    Oracle { go_version, lines }
}

/// Builds `example.com/gohello` with uuid vendored; `replace_dir` adds a
/// `replace github.com/google/uuid => ./<dir>` pointing at a copy.
fn build(work: &Path, uuid_src: &Path, version: &str, replace_dir: Option<&str>) -> PathBuf {
    let module_dir = work.join(replace_dir.unwrap_or("plain"));
    let vendor = module_dir.join("vendor/github.com/google/uuid");
    std::fs::create_dir_all(&vendor).unwrap();
    let mut copy_to = vec![vendor];
    if let Some(dir) = replace_dir {
        copy_to.push(module_dir.join(dir));
    }
    for dest in &copy_to {
        std::fs::create_dir_all(dest).unwrap();
        for entry in std::fs::read_dir(uuid_src).unwrap().flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if (name.ends_with(".go") && !name.ends_with("_test.go")) || name == "go.mod" {
                std::fs::copy(entry.path(), dest.join(&name)).unwrap();
            }
        }
    }
    std::fs::write(module_dir.join("main.go"), MAIN_GO).unwrap();
    // `go mod vendor` marks a replaced module on its line and repeats the
    // go.mod directive on a line of its own; `-mod=vendor` checks both.
    let (replace, marker, directive) = match replace_dir {
        Some(d) => (
            format!("replace github.com/google/uuid => ./{d}\n"),
            format!(" => ./{d}"),
            format!("# github.com/google/uuid => ./{d}\n"),
        ),
        None => Default::default(),
    };
    let go_mod = format!("module example.com/gohello\n\ngo 1.19\n\nrequire github.com/google/uuid {version}\n{replace}");
    std::fs::write(module_dir.join("go.mod"), go_mod).unwrap();
    let modules_txt = format!(
        "# github.com/google/uuid {version}{marker}\n## explicit\ngithub.com/google/uuid\n{directive}"
    );
    std::fs::write(module_dir.join("vendor/modules.txt"), modules_txt).unwrap();
    let out = module_dir.join("gohello");
    run(Command::new("go")
        .args(["build", "-trimpath", "-o"])
        .arg(&out)
        .arg(".")
        .current_dir(&module_dir)
        .env("GOFLAGS", "-mod=vendor -buildvcs=false")
        .env("GOPROXY", "off")
        .env("GOSUMDB", "off")
        .env("GO111MODULE", "on")
        .env("GOTOOLCHAIN", "local")
        .env("CGO_ENABLED", "0")
        .env("GOPATH", work.join("gopath"))
        .env(
            "GOCACHE",
            std::env::temp_dir().join("portcullis-test-gocache"),
        ));
    out
}

fn summarize(bytes: &[u8]) -> Result<Option<Vec<u8>>, String> {
    let info = EntryInfo {
        size: bytes.len() as u64,
        mode: 0o755,
    };
    GoCataloger.summarize(
        "usr/local/bin/gohello",
        &info,
        &mut Dribble {
            data: bytes,
            calls: 0,
        },
    )
}

/// Compares our decoding of `binary` with `go version -m`.
fn check_against_oracle(binary: &Path) -> BuildInfo {
    let bytes = std::fs::read(binary).unwrap();
    let summary = summarize(&bytes).unwrap().expect("Go build info found");
    let raw = decode_summary(&summary).unwrap();
    let (info, problems) = parse_modinfo(&raw.go_version, &raw.modinfo);
    assert!(problems.is_empty(), "{problems:?}");
    let want = oracle(binary);
    assert_eq!(info.go_version, want.go_version);
    // Rebuild the oracle's view from our structure, line by line.
    let mut ours: Vec<(String, Vec<String>)> = Vec::new();
    let module_fields = |m: &Module| {
        let mut f = vec![m.path.clone(), m.version.clone()];
        f.extend(m.sum.clone());
        f
    };
    ours.extend(
        info.path
            .iter()
            .map(|p| ("path".to_owned(), vec![p.clone()])),
    );
    for (kind, m) in info
        .main
        .iter()
        .map(|m| ("mod", m))
        .chain(info.deps.iter().map(|d| ("dep", d)))
    {
        ours.push((kind.to_owned(), module_fields(m)));
        ours.extend(
            m.replace
                .iter()
                .map(|r| ("=>".to_owned(), module_fields(r))),
        );
    }
    ours.extend(info.settings.iter().map(|(k, v)| {
        let quoted = if v.contains([' ', '\t', '"', '`']) {
            format!("{v:?}")
        } else {
            v.clone()
        };
        ("build".to_owned(), vec![format!("{k}={quoted}")])
    }));
    // `go version -m` drops empty trailing columns; so do we for comparison.
    let trim = |v: Vec<(String, Vec<String>)>| -> Vec<(String, Vec<String>)> {
        v.into_iter()
            .map(|(k, mut f)| {
                while f.last().is_some_and(String::is_empty) {
                    f.pop();
                }
                (k, f)
            })
            .collect()
    };
    assert_eq!(trim(ours), trim(want.lines));
    info
}

#[test]
fn real_go_binaries_match_go_version_m() {
    if !have_tool("go", "version") {
        return;
    }
    let Some(deb) = debian_package("golang-github-google-uuid-dev") else {
        return;
    };
    let uuid_src = deb
        .find("/github.com/google/uuid/uuid.go")
        .unwrap()
        .parent()
        .unwrap()
        .to_owned();
    // Debian version 1.3.0-1 → module version v1.3.0.
    let upstream = deb
        .version
        .split_once(':')
        .map_or(deb.version.as_str(), |(_, v)| v);
    let upstream = upstream.rsplit_once('-').map_or(upstream, |(v, _)| v);
    let module_version = format!("v{}", upstream.split(['+', '~']).next().unwrap());
    let work = tempfile::tempdir().unwrap();

    let plain = build(work.path(), &uuid_src, &module_version, None);
    let info = check_against_oracle(&plain);
    let go_version = info.go_version.clone();
    let (packages, problems) = packages_of(&info);
    assert!(problems.is_empty());
    let stdlib = stdlib_version(&go_version).unwrap();
    let expected = [
        ("example.com/gohello".to_owned(), String::new()),
        ("github.com/google/uuid".to_owned(), module_version.clone()),
        ("stdlib".to_owned(), stdlib.clone()),
    ];
    assert_eq!(packages, expected);

    let replaced = build(work.path(), &uuid_src, &module_version, Some("localuuid"));
    let info = check_against_oracle(&replaced);
    assert_eq!(
        info.deps[0].replace.as_ref().map(|r| r.path.as_str()),
        Some("./localuuid")
    );
    let (packages, _) = packages_of(&info);
    assert_eq!(
        packages[1],
        ("github.com/google/uuid".to_owned(), String::new()),
        "directory replacement"
    );

    // Through the cataloger as the runner drives it: summary in a layer,
    // squashed, cataloged.
    let bytes = std::fs::read(&plain).unwrap();
    let summary = summarize(&bytes).unwrap().unwrap();
    let mut layer = LayerFiles::default();
    layer.entries.insert(
        "usr/local/bin/gohello".into(),
        Recorded::File {
            content: summary.into(),
            owner: 0,
            summary: true,
        },
    );
    let snapshot = Snapshot::squash(vec![LayerFiles::default(), layer]);
    let mut out = CatalogOutput::default();
    GoCataloger.catalog(
        &CatalogContext {
            snapshot: &snapshot,
            distro: None,
            index: 0,
        },
        &mut out,
    );
    assert!(out.unknowns.is_empty());
    let got: Vec<(String, String, usize, Vec<String>)> = out
        .found
        .iter()
        .map(|f| {
            (
                f.package.purl.clone(),
                f.package.version.clone(),
                f.layer_index,
                f.package.locations.clone(),
            )
        })
        .collect();
    let loc = vec!["/usr/local/bin/gohello".to_owned()];
    assert_eq!(
        got,
        [
            (
                "pkg:golang/example.com/gohello".to_owned(),
                String::new(),
                1,
                loc.clone()
            ),
            (
                format!("pkg:golang/github.com/google/uuid@{module_version}"),
                module_version.clone(),
                1,
                loc.clone()
            ),
            (
                format!("pkg:golang/stdlib@{stdlib}"),
                stdlib.clone(),
                1,
                loc
            ),
        ]
    );

    // Every truncation ends without panic; one that cuts the blob finds nothing.
    let blob_at = bytes
        .windows(buildinfo::MAGIC.len())
        .enumerate()
        .find(|(i, w)| i % 16 == 0 && *w == buildinfo::MAGIC)
        .map(|(i, _)| i)
        .unwrap();
    for cut in [
        0,
        3,
        4,
        100,
        blob_at,
        blob_at + 20,
        blob_at + 40,
        bytes.len() / 2,
        bytes.len() - 1,
    ] {
        let result = GoCataloger.summarize(
            "x",
            &EntryInfo {
                size: cut as u64,
                mode: 0o755,
            },
            &mut &bytes[..cut],
        );
        if cut <= blob_at + 40 {
            assert_eq!(result, Ok(None), "cut at {cut}");
        }
    }
}

#[test]
fn the_go_tool_itself_matches_go_version_m() {
    // A non-module build (no `mod` line) that links debug/buildinfo, so its
    // read-only data holds a second, aligned copy of the magic.
    if !have_tool("go", "version") {
        return;
    }
    let goroot = String::from_utf8(run(Command::new("go").args(["env", "GOROOT"]))).unwrap();
    let info = check_against_oracle(&Path::new(goroot.trim()).join("bin/go"));
    assert_eq!(info.path.as_deref(), Some("cmd/go"));
    let (packages, _) = packages_of(&info);
    assert_eq!(packages.len(), 1 + info.deps.len(), "stdlib plus deps");
}

#[test]
fn non_go_executables_are_dropped() {
    // This test program: ELF, not Go, and its read-only data holds a copy of
    // the magic (the MAGIC constant), which must not be mistaken for a header.
    let me = std::fs::read(std::env::current_exe().unwrap()).unwrap();
    assert_eq!(summarize(&me), Ok(None));
    if have_tool("ls", "--version") {
        let ls = String::from_utf8(run(Command::new("sh").args(["-c", "command -v ls"]))).unwrap();
        let bytes = std::fs::read(ls.trim()).unwrap();
        assert_eq!(summarize(&bytes), Ok(None));
    }
    assert_eq!(summarize(b"#!/bin/sh\nexec true\n"), Ok(None));
}

#[test]
fn wants_only_sizable_executables() {
    let exe = |size| EntryInfo { size, mode: 0o755 };
    assert_eq!(
        GoCataloger.wants("usr/local/bin/app", &exe(2 << 20)),
        Some(Want::Summary)
    );
    assert_eq!(
        GoCataloger.wants(
            "usr/local/bin/app",
            &EntryInfo {
                size: 2 << 20,
                mode: 0o644
            }
        ),
        None
    );
    assert_eq!(GoCataloger.wants("usr/bin/tiny", &exe(1000)), None);
    assert_eq!(GoCataloger.wants("usr/bin/huge", &exe(MAX_SIZE + 1)), None);
    assert_eq!(GoCataloger.wants("proc/1/exe", &exe(2 << 20)), None);
}
