//! Hostile and broken inputs: each must end as the right `skipped` entry (or
//! a bounded record), never as a panic, a hang, a stack overflow or a file
//! written anywhere.

use std::fs;
use std::io::Write;
use std::path::Path;

use portcullis_advisory::import::{import_path, import_path_with, ImportReport, Limits};
use portcullis_advisory::{Advisory, ImportItem};
use zip::write::SimpleFileOptions;

fn run(path: &Path, limits: &Limits) -> (Vec<Advisory>, ImportReport) {
    let mut out = Vec::new();
    let report = import_path_with(path, limits, &mut |item| {
        if let ImportItem::Advisory(a) = item {
            out.push(a);
        }
    })
    .expect("the root is readable");
    (out, report)
}

fn reason_for<'a>(report: &'a ImportReport, file_suffix: &str) -> &'a str {
    report
        .skipped
        .iter()
        .find(|s| s.file.ends_with(file_suffix))
        .map(|s| s.reason.as_str())
        .unwrap_or_else(|| panic!("no skip for {file_suffix}: {:?}", report.skipped))
}

const OSV: &str = r#"{"id":"OSV-1","modified":"2024-01-01T00:00:00Z","affected":[]}"#;

#[test]
fn broken_files_are_skipped_with_their_reason_and_the_rest_imports() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fs::write(d.join("good.json"), OSV).unwrap();
    fs::write(d.join("truncated.json"), r#"{"id": "X", "modified":"#).unwrap();
    fs::write(d.join("empty.json"), "").unwrap();
    fs::write(d.join("wrong-type.json"), r#"{"id": 5, "modified": "x"}"#).unwrap();
    fs::write(
        d.join("wrong-shape.json"),
        r#"{"id":"X","modified":"y","affected":"nope"}"#,
    )
    .unwrap();
    fs::write(
        d.join("bad-utf8.json"),
        b"{\"id\":\"X\",\"modified\":\"\xff\xfe\"}",
    )
    .unwrap();
    fs::write(d.join("bad-utf8.yaml"), b"id: X\nmodified: \xff\xfe\n").unwrap();
    fs::write(d.join("bad.yaml"), "id: [unclosed\nmodified: x\n").unwrap();
    fs::write(
        d.join("unknown.json"),
        r#"{"name":"left-pad","version":"1.0.0"}"#,
    )
    .unwrap();
    fs::write(d.join("scalar.json"), "42").unwrap();
    fs::write(d.join("nvd-1.1.json"), r#"{"CVE_Items":[]}"#).unwrap();
    // Not data: passed over without a word.
    fs::write(d.join("README.md"), "# hello").unwrap();
    fs::write(d.join("LICENSE"), "MIT").unwrap();
    fs::write(d.join("main.go"), "package main").unwrap();
    fs::create_dir(d.join(".git")).unwrap();
    fs::write(d.join(".git/config.json"), "{not json").unwrap();

    let (advisories, report) = run(d, &Limits::default());
    assert_eq!(advisories.len(), 1);
    assert_eq!(report.records, 1);
    assert_eq!(report.ignored, 3);
    assert!(reason_for(&report, "truncated.json").starts_with("invalid JSON: EOF"));
    assert!(reason_for(&report, "empty.json").starts_with("invalid JSON"));
    assert!(reason_for(&report, "wrong-type.json").contains("invalid type: integer `5`"));
    assert!(reason_for(&report, "wrong-shape.json").contains("invalid type: string \"nope\""));
    assert!(reason_for(&report, "bad-utf8.json").contains("invalid JSON"));
    assert!(reason_for(&report, "bad-utf8.yaml").contains("UTF-8"));
    assert!(reason_for(&report, "bad.yaml").starts_with("invalid YAML"));
    assert!(reason_for(&report, "unknown.json").contains("top-level keys: name, version"));
    assert!(reason_for(&report, "scalar.json").contains("not a JSON/YAML object"));
    assert!(reason_for(&report, "nvd-1.1.json").contains("NVD 1.1"));
    assert_eq!(report.skipped.len(), 10, "{:?}", report.skipped);
}

#[test]
fn deep_nesting_is_refused_without_overflowing_the_stack() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    fs::write(d.join("deep.json"), &deep).unwrap();
    let inside = format!(r#"{{"id":"X","modified":"y","details":{deep}}}"#);
    fs::write(d.join("deep-inside.json"), inside).unwrap();
    let objects = format!("{}1{}", r#"{"a":"#.repeat(10_000), "}".repeat(10_000));
    fs::write(d.join("deep-objects.json"), objects).unwrap();
    fs::write(d.join("deep.yaml"), format!("id: {deep}\n")).unwrap();
    let page = format!(r#"{{"vulnerabilities":[{{"cve":{{"id":"CVE-1","x":{deep}}}}}]}}"#);
    fs::write(d.join("deep-page.json"), page).unwrap();
    fs::write(
        d.join("deep-secdb.yaml"),
        format!("distroversion: v3.1\npackages: {deep}\n"),
    )
    .unwrap();
    let ignored = format!(
        r#"{{"id":"X","modified":"y","affected":[{{"package":{{"ecosystem":"PyPI","name":"x"}},"database_specific":{{"x":{deep}}}}}]}}"#
    );
    fs::write(d.join("deep-ignored.json"), ignored).unwrap();

    // A small stack makes unbounded recursion fail loudly here: 10,000
    // levels would need several MiB, while the parsers' bounded 128 levels
    // fit (building YAML values is the deepest, about 600 KiB in a debug
    // build).
    let path = d.to_path_buf();
    let (advisories, report) = std::thread::Builder::new()
        .stack_size(1024 * 1024)
        .spawn(move || run(&path, &Limits::default()))
        .unwrap()
        .join()
        .expect("no stack overflow");
    let expect = [
        ("deep.json", "a list of records of no known format"),
        (
            "deep-inside.json",
            "invalid type: sequence, expected a string",
        ),
        ("deep-objects.json", "not a known advisory format"),
        ("deep.yaml", "not a known advisory format"),
        // Records kept undecoded are built as values: the parsers' depth
        // limit (128) stops them.
        ("deep-page.json", "recursion limit exceeded"),
        ("deep-secdb.yaml", "recursion limit exceeded"),
    ];
    for (file, reason) in expect {
        assert!(
            reason_for(&report, file).contains(reason),
            "{file}: {:?}",
            report.skipped
        );
    }
    assert_eq!(report.skipped.len(), expect.len());
    // Deep content in a field nobody reads is stepped over, iteratively.
    assert_eq!(advisories.len(), 1);
}

#[test]
fn huge_text_is_truncated_and_oversized_files_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let huge = "é".repeat(50 << 20); // 100 MiB of two-byte characters
    let record = format!(r#"{{"id":"BIG-1","modified":"y","summary":"s","details":"{huge}"}}"#);
    fs::write(d.join("big.json"), record).unwrap();
    drop(huge);
    let (advisories, report) = run(d, &Limits::default());
    assert!(report.skipped.is_empty(), "{:?}", report.skipped);
    let details = advisories[0].details.as_deref().unwrap();
    assert!(details.len() <= 64 * 1024 + 32, "{}", details.len());
    assert!(details.ends_with("[…truncated]"));
    assert!(details.starts_with("éé"));

    // The same file over a smaller limit is refused before it is read.
    let limits = Limits {
        max_file_bytes: 1 << 20,
        ..Limits::default()
    };
    let (advisories, report) = run(d, &limits);
    assert!(advisories.is_empty());
    assert!(reason_for(&report, "big.json").contains("over the 1048576-byte limit"));
}

#[test]
fn yaml_alias_bombs_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut bomb = String::from("id: X\nmodified: y\na0: &a0 [x, x, x, x, x, x, x, x, x]\n");
    for i in 1..12 {
        let p = i - 1;
        bomb.push_str(&format!(
            "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
        ));
    }
    fs::write(dir.path().join("bomb.yaml"), &bomb).unwrap();
    fs::write(
        dir.path().join("bomb-typed.yaml"),
        bomb.clone() + "aliases: *a11\n",
    )
    .unwrap();
    let secdb = bomb.replace("id: X\nmodified: y\n", "distroversion: v3.1\n") + "packages: *a11\n";
    fs::write(dir.path().join("bomb-secdb.yaml"), secdb).unwrap();
    let start = std::time::Instant::now();
    let (advisories, report) = run(dir.path(), &Limits::default());
    assert!(start.elapsed().as_secs() < 10, "no expansion");
    // Anchors under keys nobody reads are never expanded: the record imports.
    assert_eq!(advisories.len(), 1);
    // Read as a list of strings: refused at the first nested list.
    assert!(reason_for(&report, "bomb-typed.yaml").contains("invalid type: sequence"));
    // Built as values: serde_yaml_ng's repetition limit stops the expansion.
    assert!(reason_for(&report, "bomb-secdb.yaml").contains("repetition limit exceeded"));
}

#[test]
fn a_bad_record_skips_only_itself() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let page = r#"{"resultsPerPage":3,"vulnerabilities":[
        {"cve":{"id":"CVE-2020-1","descriptions":[]}},
        {"cve":{"id":7}},
        {"nope":true}]}"#;
    fs::write(d.join("page.json"), page).unwrap();
    let secdb = "distroversion: v3.18\npackages:\n  - pkg: just-a-string\n  - pkg:\n      name: zlib\n      secfixes:\n        1.2.12-r0:\n          - CVE-2018-25032\n        0:\n          - CVE-2000-1\n";
    fs::write(d.join("main.yaml"), secdb).unwrap();
    fs::write(
        d.join("list.json"),
        format!("[{OSV}, {{\"id\": 1, \"modified\": 2}}]"),
    )
    .unwrap();

    let mut cves = Vec::new();
    let mut advisories = Vec::new();
    let report = import_path(d, &mut |item| match item {
        ImportItem::Cvss { cve, .. } => cves.push(cve),
        ImportItem::Advisory(a) => advisories.push(a),
    })
    .unwrap();
    assert_eq!(cves, ["CVE-2020-1"]);
    let reasons: Vec<String> = report.skipped.iter().map(|s| s.reason.clone()).collect();
    assert!(
        reasons
            .iter()
            .any(|r| r.starts_with("vulnerabilities[1]: invalid type")),
        "{reasons:?}"
    );
    assert!(reasons
        .iter()
        .any(|r| r.starts_with("vulnerabilities[2]: missing field `cve`")));
    assert!(reasons
        .iter()
        .any(|r| r.starts_with("packages[0]: invalid type")));
    assert!(reasons
        .iter()
        .any(|r| r.starts_with("record 1: invalid type")));
    assert_eq!(report.skipped.len(), 3 + 1);
    let zlib = advisories
        .iter()
        .find(|a| a.id == "CVE-2018-25032")
        .unwrap();
    assert_eq!(zlib.affected[0].namespace.as_str(), "alpine:3.18");
    let not_affected = advisories.iter().find(|a| a.id == "CVE-2000-1").unwrap();
    assert_eq!(
        not_affected.affected[0].status,
        Some(portcullis_advisory::DistroStatus::NotAffected)
    );
    assert!(not_affected.affected[0].ranges.is_empty());
    assert!(advisories.iter().any(|a| a.id == "OSV-1"));
}

#[cfg(unix)]
#[test]
fn symlinks_loop_or_leave_the_tree_are_skipped() {
    use std::os::unix::fs::symlink;
    let outside = tempfile::tempdir().unwrap();
    fs::write(outside.path().join("secret.json"), OSV).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fs::create_dir(d.join("sub")).unwrap();
    fs::write(d.join("sub/real.json"), OSV).unwrap();
    symlink("loop-b", d.join("loop-a")).unwrap();
    symlink("loop-a", d.join("loop-b")).unwrap();
    symlink("..", d.join("sub/up")).unwrap(); // a directory cycle
    symlink(outside.path().join("secret.json"), d.join("escape.json")).unwrap();
    symlink("sub/real.json", d.join("alias.json")).unwrap();
    symlink("missing.json", d.join("dangling.json")).unwrap();

    let (advisories, report) = run(d, &Limits::default());
    // real.json, and alias.json pointing at it inside the tree.
    assert_eq!(advisories.len(), 2);
    assert!(reason_for(&report, "loop-a").contains("cannot be resolved"));
    assert!(reason_for(&report, "loop-b").contains("cannot be resolved"));
    assert!(reason_for(&report, "sub/up").contains("symlinked directory not followed"));
    assert!(reason_for(&report, "escape.json").contains("outside the import tree"));
    assert!(reason_for(&report, "dangling.json").contains("cannot be resolved"));
    assert_eq!(report.skipped.len(), 5);
}

fn write_zip(path: &Path, entries: &[(&str, &[u8])]) {
    let mut zip = zip::ZipWriter::new(fs::File::create(path).unwrap());
    let options = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(false);
    for (name, data) in entries {
        zip.start_file(*name, options).unwrap();
        zip.write_all(data).unwrap();
    }
    zip.finish().unwrap();
}

#[test]
fn zip_entry_names_are_only_labels() {
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().join("work");
    fs::create_dir(&work).unwrap();
    let zip_path = work.join("osv.zip");
    write_zip(
        &zip_path,
        &[
            ("../../evil.json", OSV.as_bytes()),
            ("/etc/passwd.json", OSV.replace("OSV-1", "OSV-2").as_bytes()),
            ("__MACOSX/._x.json", b"junk"),
            ("nested.zip", b"PK\x03\x04"),
            ("README", b"hello"),
        ],
    );
    let before: Vec<_> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    let (advisories, report) = run(&zip_path, &Limits::default());
    let after: Vec<_> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(before, after, "nothing written");
    assert!(report.skipped.is_empty(), "{:?}", report.skipped);
    assert_eq!(report.ignored, 3);
    let origins: Vec<&str> = advisories.iter().map(|a| a.origin.as_str()).collect();
    // Origins are relative to the folder of what was imported.
    assert_eq!(
        origins,
        ["osv.zip!../../evil.json", "osv.zip!/etc/passwd.json"]
    );
}

#[test]
fn zip_bombs_are_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let zeros = vec![b' '; 8 << 20];
    let padded = |id: &str| {
        let mut v = format!(r#"{{"id":"{id}","modified":"y"}}"#).into_bytes();
        v.extend(std::iter::repeat_n(b' ', 900 << 10));
        v
    };
    let (a, b, c, e) = (padded("A"), padded("B"), padded("C"), padded("E"));
    write_zip(
        &d.join("bomb.zip"),
        &[
            ("declared.json", &zeros),
            ("a.json", &a),
            ("b.json", &b),
            ("c.json", &c),
            ("e.json", &e),
        ],
    );
    let limits = Limits {
        max_file_bytes: 1 << 20,
        max_archive_bytes: 3 << 20,
    };
    let (advisories, report) = run(&d.join("bomb.zip"), &limits);
    assert!(reason_for(&report, "bomb.zip!declared.json").contains("declared size 8388608 bytes"));
    // a, b and c fit the archive budget (the refused entry cost its first KiB);
    // e would pass it, so reading stops.
    let ids: Vec<&str> = advisories.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(ids, ["A", "B", "C"]);
    assert!(reason_for(&report, "bomb.zip").contains("the rest was not read"));

    // A header that lies about the size: the entry is cut off at the limit.
    let mut bytes = fs::read(d.join("bomb.zip")).unwrap();
    let small = 1000u32.to_le_bytes();
    let declared = (8u32 << 20).to_le_bytes();
    let mut patched = 0;
    for i in 0..bytes.len() - 4 {
        if bytes[i..i + 4] == declared {
            bytes[i..i + 4].copy_from_slice(&small);
            patched += 1;
        }
    }
    assert_eq!(patched, 2, "local and central headers");
    fs::write(d.join("liar.zip"), bytes).unwrap();
    let (_, report) = run(&d.join("liar.zip"), &limits);
    let reason = reason_for(&report, "liar.zip!declared.json");
    assert!(
        reason.contains("over the limit")
            || reason.contains("cannot inflate")
            || reason.contains("invalid JSON"),
        "{reason}"
    );

    let garbage = d.join("garbage.zip");
    fs::write(&garbage, b"PK\x03\x04 this is not a zip").unwrap();
    let (_, report) = run(&garbage, &limits);
    assert!(reason_for(&report, "garbage.zip").contains("not a readable zip"));
}

#[test]
fn a_missing_root_is_an_error() {
    let err = import_path(Path::new("/nonexistent/portcullis"), &mut |_| {}).unwrap_err();
    assert!(err.to_string().contains("/nonexistent/portcullis"));
}
