//! Real jars from Debian's libcommons-lang3-java (oracle: `unzip -p` of its
//! pom.properties), fat jars built with the `zip` tool, and hostile
//! archives built in memory.

use std::io::{Cursor, Write};
use std::process::Command;

use portcullis_catalog::{
    CatalogContext, CatalogOutput, Cataloger, EntryInfo, LayerFiles, Recorded, Snapshot,
};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

use super::*;
use crate::golang::test_support::{debian_package, have_tool, run, Dribble};

/// Runs `summarize` as the walk would, on a reader of odd-sized chunks.
fn summarize(path: &str, bytes: &[u8]) -> Result<Option<Vec<u8>>, String> {
    let info = EntryInfo {
        size: bytes.len() as u64,
        mode: 0o644,
    };
    JavaCataloger.summarize(
        path,
        &info,
        &mut Dribble {
            data: bytes,
            calls: 0,
        },
    )
}

/// Catalogs files (path, bytes) summarized into one layer.
fn catalog(files: &[(&str, &[u8])]) -> CatalogOutput {
    let mut layer = LayerFiles::default();
    for (path, bytes) in files {
        let summary = summarize(path, bytes).unwrap().unwrap();
        layer.entries.insert(
            (*path).to_owned(),
            Recorded::File {
                content: summary.into(),
                owner: 0,
                summary: true,
            },
        );
    }
    let snapshot = Snapshot::squash(vec![layer]);
    let mut out = CatalogOutput::default();
    JavaCataloger.catalog(
        &CatalogContext {
            snapshot: &snapshot,
            distro: None,
            index: 0,
        },
        &mut out,
    );
    out
}

fn found(out: &CatalogOutput) -> Vec<(String, String, Vec<String>)> {
    let mut v: Vec<_> = out
        .found
        .iter()
        .map(|f| {
            (
                f.package.purl.clone(),
                f.package.version.clone(),
                f.package.locations.clone(),
            )
        })
        .collect();
    v.sort();
    v
}

/// An in-memory zip of `(name, data, compressed)` entries.
fn zip_of(entries: &[(&str, &[u8], bool)]) -> Vec<u8> {
    let mut w = ZipWriter::new(Cursor::new(Vec::new()));
    for (name, data, deflate) in entries {
        let method = if *deflate {
            CompressionMethod::Deflated
        } else {
            CompressionMethod::Stored
        };
        w.start_file(
            *name,
            SimpleFileOptions::default()
                .compression_method(method)
                .large_file(data.len() > u32::MAX as usize),
        )
        .unwrap();
        w.write_all(data).unwrap();
    }
    w.finish().unwrap().into_inner()
}

const POM: &[u8] =
    b"#Created by Apache Maven\ngroupId=com.example\nartifactId=app\nversion=1.0.0\n";

/// The jar of libcommons-lang3-java and its coordinates per `unzip -p`.
fn debian_lang3() -> Option<(Vec<u8>, (String, String))> {
    if !have_tool("unzip", "-v") {
        return None;
    }
    let deb = debian_package("libcommons-lang3-java")?;
    let jar = deb
        .find("/share/java/commons-lang3.jar")
        .expect("jar in package");
    let props = run(Command::new("unzip")
        .arg("-p")
        .arg(jar)
        .arg("META-INF/maven/*/*/pom.properties"));
    let props = String::from_utf8(props).unwrap();
    let get = |k: &str| {
        props
            .lines()
            .find_map(|l| l.strip_prefix(k)?.strip_prefix('='))
            .unwrap()
            .trim()
            .to_owned()
    };
    let coords = (
        format!("{}:{}", get("groupId"), get("artifactId")),
        get("version"),
    );
    Some((std::fs::read(jar).unwrap(), coords))
}

#[test]
fn debian_jar_matches_unzip() {
    let Some((jar, (name, version))) = debian_lang3() else {
        return;
    };
    let summary: ArchiveSummary = serde_json::from_slice(
        &summarize("usr/share/java/commons-lang3.jar", &jar)
            .unwrap()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(summary.archives.len(), 1);
    assert_eq!(
        coordinates(&summary.archives[0], "commons-lang3.jar"),
        [(name.clone(), version.clone())]
    );
    // The manifest fallback agrees with pom.properties on this jar.
    let manifest_only = ArchiveInfo {
        poms: vec![],
        ..summary.archives[0].clone()
    };
    let (_, fallback_version) = coordinates(&manifest_only, "commons-lang3.jar").remove(0);
    assert_eq!(fallback_version, version);

    let out = catalog(&[("usr/share/java/commons-lang3.jar", &jar)]);
    let (group, artifact) = name.split_once(':').unwrap();
    assert_eq!(
        found(&out),
        [(
            format!("pkg:maven/{group}/{artifact}@{version}"),
            version,
            vec!["/usr/share/java/commons-lang3.jar".to_owned()]
        )]
    );
    assert!(out.unknowns.is_empty());
}

#[test]
fn fat_jar_built_with_zip_nests_and_deduplicates() {
    let Some((lang3, (name, version))) = debian_lang3() else {
        return;
    };
    if !have_tool("zip", "-v") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let put = |rel: &str, data: &[u8]| {
        let p = dir.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, data).unwrap();
    };
    put("META-INF/MANIFEST.MF", b"Manifest-Version: 1.0\r\nImplementation-Title: app\r\nImplementation-Version: 1.0.0\r\n\r\n");
    put("META-INF/maven/com.example/app/pom.properties", POM);
    put(&format!("BOOT-INF/lib/commons-lang3-{version}.jar"), &lang3);
    // The same library twice (a copy elsewhere), and a jar with only a manifest.
    put("BOOT-INF/lib/extra/lang3-copy.jar", &lang3);
    put(
        "BOOT-INF/lib/nopom-2.1.jar",
        &zip_of(&[(
            "META-INF/MANIFEST.MF",
            b"Manifest-Version: 1.0\nBundle-SymbolicName: org.nopom\n",
            true,
        )]),
    );
    put(
        "BOOT-INF/classes/application.properties",
        b"greeting=hello\n",
    );
    let app = dir.path().join("app.jar");
    run(Command::new("zip")
        .args(["-q", "-r", "-X", "-n", ".jar"])
        .arg(&app)
        .args(["META-INF", "BOOT-INF"])
        .current_dir(dir.path()));
    let app = std::fs::read(app).unwrap();

    let out = catalog(&[("opt/app/app.jar", &app)]);
    assert!(out.unknowns.is_empty(), "{:?}", out.unknowns);
    let (group, artifact) = name.split_once(':').unwrap();
    let outer = "/opt/app/app.jar".to_owned();
    assert_eq!(
        found(&out),
        [
            (
                "pkg:maven/com.example/app@1.0.0".to_owned(),
                "1.0.0".to_owned(),
                vec![outer.clone()]
            ),
            (
                "pkg:maven/nopom@2.1".to_owned(),
                "2.1".to_owned(),
                vec![format!("{outer}!/BOOT-INF/lib/nopom-2.1.jar")]
            ),
            (
                format!("pkg:maven/{group}/{artifact}@{version}"),
                version.clone(),
                vec![
                    format!("{outer}!/BOOT-INF/lib/commons-lang3-{version}.jar"),
                    format!("{outer}!/BOOT-INF/lib/extra/lang3-copy.jar")
                ]
            ),
        ]
    );
}

#[test]
fn deep_nesting_stops_at_the_depth_limit() {
    let mut inner = zip_of(&[(
        "META-INF/maven/g/level6/pom.properties",
        b"version=6\n",
        true,
    )]);
    for level in (1..=5).rev() {
        let pom = format!("version={level}\n");
        let pom_path = format!("META-INF/maven/g/level{level}/pom.properties");
        inner = zip_of(&[
            (pom_path.as_str(), pom.as_bytes(), true),
            ("lib/inner.jar", &inner, false),
        ]);
    }
    let out = catalog(&[("app.ear", &inner)]);
    let names: Vec<String> = found(&out).into_iter().map(|(p, _, _)| p).collect();
    assert_eq!(
        names,
        [
            "pkg:maven/g/level1@1",
            "pkg:maven/g/level2@2",
            "pkg:maven/g/level3@3",
            "pkg:maven/g/level4@4",
            "pkg:maven/g/level5@5"
        ]
    );
    assert_eq!(out.unknowns.len(), 1);
    assert_eq!(
        out.unknowns[0].0.location,
        "/app.ear!/lib/inner.jar!/lib/inner.jar!/lib/inner.jar!/lib/inner.jar!/lib/inner.jar"
    );
}

#[test]
fn zip_bombs_are_cut_off_by_the_budget() {
    // 24 nested "jars" of 8 MiB of zeros each (~8 KiB compressed): 192 MiB
    // if inflated, against a 32 MiB budget.
    let zeros = vec![0u8; 8 << 20];
    let one = zip_of(&[("lib/bomb0.jar", &zeros, true)]);
    let mut w = ZipWriter::new(Cursor::new(Vec::new()));
    let mut source = zip::ZipArchive::new(Cursor::new(&one)).unwrap();
    for i in 0..24 {
        w.raw_copy_file_rename(source.by_index(0).unwrap(), format!("lib/bomb{i}.jar"))
            .unwrap();
    }
    let bomb = w.finish().unwrap().into_inner();
    assert!(bomb.len() < 1 << 20);
    let limits = Limits {
        max_total_bytes: 32 << 20,
        ..Limits::default()
    };
    let summary = summarize_archive(&bomb, &limits).unwrap();
    let problems: Vec<&str> = summary
        .archives
        .iter()
        .filter_map(|a| a.problem.as_deref())
        .collect();
    assert_eq!(problems.len(), 24);
    let over_budget = problems
        .iter()
        .filter(|p| p.contains("past the budget"))
        .count();
    assert_eq!(over_budget, 24 - 4, "four fit in 32 MiB: {problems:?}");
}

/// Rewrites the uncompressed size the central directory gives the first entry.
fn lie_about_size(zip: &mut [u8], size: u32) {
    let cd = zip.windows(4).position(|w| w == b"PK\x01\x02").unwrap();
    zip[cd + 24..cd + 28].copy_from_slice(&size.to_le_bytes());
}

#[test]
fn lying_truncated_and_bogus_archives_become_unknowns() {
    let nested = zip_of(&[("META-INF/maven/g/a/pom.properties", b"version=1\n", true)]);
    // Declares 10 bytes but holds more: stops after 11.
    let mut small_lie = zip_of(&[("lib/a.jar", &nested, true)]);
    lie_about_size(&mut small_lie, 10);
    // Declares 3 GiB: refused before reading.
    let mut big_lie = zip_of(&[("lib/a.jar", &nested, true)]);
    lie_about_size(&mut big_lie, 3 << 30);
    // A truncated nested jar.
    let truncated_inner = zip_of(&[("lib/a.jar", &nested[..nested.len() / 2], false)]);
    let out = catalog(&[
        ("small.jar", &small_lie),
        ("big.jar", &big_lie),
        ("trunc.war", &truncated_inner),
    ]);
    assert!(out.found.is_empty(), "{:?}", found(&out));
    let mut reasons: Vec<(String, String)> = out
        .unknowns
        .iter()
        .map(|(u, _)| (u.location.clone(), u.reason.clone()))
        .collect();
    reasons.sort();
    assert_eq!(reasons.len(), 3, "{reasons:?}");
    assert_eq!(reasons[0].0, "/big.jar!/lib/a.jar");
    assert!(reasons[0].1.contains("more than the"), "{reasons:?}");
    assert_eq!(reasons[1].0, "/small.jar!/lib/a.jar");
    assert!(
        reasons[1].1.contains("not the 10 its header declares"),
        "{reasons:?}"
    );
    assert_eq!(reasons[2].0, "/trunc.war!/lib/a.jar");
    assert!(reasons[2].1.contains("not a readable zip"), "{reasons:?}");

    // The outer archive itself: truncated, not a zip, empty, oversized.
    let whole = zip_of(&[("META-INF/maven/g/a/pom.properties", b"version=1\n", true)]);
    for cut in [0, 1, 22, whole.len() / 2, whole.len() - 1] {
        assert!(summarize("x.jar", &whole[..cut]).is_err(), "cut {cut}");
    }
    assert!(summarize("x.jar", b"just text").is_err());
    let huge = EntryInfo {
        size: 600 << 20,
        mode: 0o644,
    };
    let err = JavaCataloger
        .summarize("x.jar", &huge, &mut std::io::empty())
        .unwrap_err();
    assert!(err.contains("limit"), "{err}");
}

#[test]
fn file_name_and_manifest_fallbacks() {
    let info = |m: Manifest| ArchiveInfo {
        manifest: Some(m),
        ..ArchiveInfo::default()
    };
    let none = Manifest::default();
    assert_eq!(
        coordinates(&info(none.clone()), "log4j-1.2-api-2.17.1.jar"),
        [("log4j-1.2-api".into(), "2.17.1".into())]
    );
    assert_eq!(
        coordinates(&info(none.clone()), "foo-1.0-SNAPSHOT.jar"),
        [("foo".into(), "1.0-SNAPSHOT".into())]
    );
    assert!(coordinates(&info(none.clone()), "plain.jar").is_empty());
    let titled = Manifest {
        implementation_title: Some("tool".into()),
        implementation_version: Some("3.1".into()),
        ..none
    };
    assert_eq!(
        coordinates(&info(titled), "whatever.jar"),
        [("tool".into(), "3.1".into())]
    );
    assert_eq!(
        location("a.ear", &["b.war".into(), "WEB-INF/lib/c.jar".into()]),
        "a.ear!/b.war!/WEB-INF/lib/c.jar"
    );
}

#[test]
fn wants_java_archives_by_extension() {
    let f = EntryInfo {
        size: 1000,
        mode: 0o644,
    };
    for p in [
        "opt/app.jar",
        "srv/x.WAR",
        "a/b.ear",
        "var/jenkins/plugins/git.jpi",
        "p/old.HPI",
    ] {
        assert_eq!(JavaCataloger.wants(p, &f), Some(Want::Summary), "{p}");
    }
    for p in ["opt/jar", "opt/app.jar.sha1", "opt/app.zip", "opt/.jar/x"] {
        assert_eq!(JavaCataloger.wants(p, &f), None, "{p}");
    }
}
