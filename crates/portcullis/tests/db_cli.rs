//! `db import`, `db status` and `explain` through the real binary: exit
//! codes, messages, and the DB never left half-written.

mod support;

use std::path::Path;

use support::{code, db_import, fixtures, portcullis, stderr, vulndata};

fn status_json(db: &Path) -> serde_json::Value {
    let out = portcullis(&["db", "status", "--db", &db.display().to_string(), "--json"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Independent count of the records of an OSV tree: its JSON files.
fn json_files(dir: &Path) -> u64 {
    let mut n = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            n += json_files(&path);
        } else if path.extension().is_some_and(|x| x == "json") {
            n += 1;
        }
    }
    n
}

fn temp_leftovers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect()
}

#[test]
fn import_counts_every_record_and_status_reports_them() {
    let Some(data) = vulndata() else { return };
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("v.db");
    db_import(&db, &[data.join("golang")]);
    let s = status_json(&db);
    // Independent count: one advisory per OSV file with an "id".
    let files = std::fs::read_dir(data.join("golang/data/osv"))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "json")
        })
        .count() as u64;
    assert_eq!(s["advisories"], files, "{s}");
    assert_eq!(s["advisories_by_source"]["osv"], files);
    assert_eq!(s["sources"][0]["name"], "golang");
    assert_eq!(s["sources"][0]["records"], files);
    assert!(s["age_seconds"].as_i64().unwrap() < 600);
    let text = portcullis(&["db", "status", "--db", &db.display().to_string()]);
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(text.contains(&format!("advisories:     {files}")), "{text}");
}

#[test]
fn a_failed_import_leaves_the_db_as_it_was() {
    let Some(data) = vulndata() else { return };
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("v.db");
    db_import(&db, &[data.join("ghsa")]);
    let before = std::fs::read(&db).unwrap();
    let missing = dir.path().join("no-such-dir");
    let out = portcullis(&[
        "db",
        "import",
        "--db",
        &db.display().to_string(),
        &data.join("pypa").display().to_string(),
        &missing.display().to_string(),
    ]);
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    assert!(stderr(&out).contains("no-such-dir"), "{}", stderr(&out));
    assert_eq!(std::fs::read(&db).unwrap(), before, "DB untouched");
    assert!(temp_leftovers(dir.path()).is_empty());
    assert_eq!(
        status_json(&db)["advisories"],
        json_files(&data.join("ghsa"))
    );
}

#[test]
fn corrupt_files_are_named_and_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let feed = dir.path().join("feed");
    std::fs::create_dir(&feed).unwrap();
    let good = r#"{"id":"GHSA-aaaa-bbbb-cccc","modified":"2024-01-01T00:00:00Z",
        "affected":[{"package":{"ecosystem":"PyPI","name":"Demo_Pkg"},
        "ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"1.2"}]}]}]}"#;
    std::fs::write(feed.join("good.json"), good).unwrap();
    std::fs::write(feed.join("truncated.json"), &good[..60]).unwrap();
    std::fs::write(
        feed.join("deep.json"),
        format!("{}{}", "[".repeat(100_000), "]".repeat(100_000)),
    )
    .unwrap();
    std::fs::write(
        feed.join("types.json"),
        r#"{"id":"GHSA-x","modified":"2024","affected":"not a list"}"#,
    )
    .unwrap();
    std::fs::write(feed.join("bad.yaml"), "id: [unclosed\n  affected: {").unwrap();
    let db = dir.path().join("v.db");
    let out = db_import(&db, std::slice::from_ref(&feed));
    let err = stderr(&out);
    for name in ["truncated.json", "deep.json", "types.json", "bad.yaml"] {
        assert!(
            err.lines()
                .any(|l| l.contains("skipped") && l.contains(name)),
            "{name} not reported:\n{err}"
        );
    }
    assert!(!err.contains("good.json"), "{err}");
    let s = status_json(&db);
    assert_eq!(s["advisories"], 1);
    assert_eq!(s["sources"][0]["skipped"], 4);
}

#[test]
fn a_missing_or_foreign_db_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("none.db");
    let out = portcullis(&["db", "status", "--db", &db.display().to_string()]);
    assert_eq!(code(&out), 3);
    assert!(stderr(&out).contains("db update"), "{}", stderr(&out));
    let junk = dir.path().join("junk.db");
    std::fs::write(&junk, b"definitely not sqlite").unwrap();
    let out = portcullis(&["db", "status", "--db", &junk.display().to_string()]);
    assert_eq!(code(&out), 3);
    assert!(
        stderr(&out).contains("not a usable vulnerability DB"),
        "{}",
        stderr(&out)
    );
    // Importing over a foreign file refuses and keeps it.
    let feed = dir.path().join("empty");
    std::fs::create_dir(&feed).unwrap();
    let out = portcullis(&[
        "db",
        "import",
        "--db",
        &junk.display().to_string(),
        &feed.display().to_string(),
    ]);
    assert_eq!(code(&out), 3);
    assert_eq!(std::fs::read(&junk).unwrap(), b"definitely not sqlite");
}

#[test]
fn explain_shows_the_comparison_or_why_not() {
    let (Some(fx), Some(data)) = (fixtures(), vulndata()) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("v.db");
    db_import(&db, &[data.join("pypa"), data.join("nvd")]);
    let image = format!("oci-dir:{}", fx.join("python.oci").display());
    let db_arg = db.display().to_string();
    let out = portcullis(&["explain", &image, "CVE-2018-18074", "--db", &db_arg]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("CVE-2018-18074 ("), "{text}");
    assert!(
        text.contains("evidence: PYSEC-2018-28 [osv] from pypa/vulns/requests/PYSEC-2018-28.yaml"),
        "{text}"
    );
    assert!(text.contains("CONFIRMED"), "{text}");
    assert!(text.contains("requests 2.19.1"), "{text}");
    assert!(text.contains("2.19.1 < 2.20.0 (fixed, pep440)"), "{text}");
    assert!(
        text.contains("nvd-cvss-v3"),
        "NVD enrichment decides the severity:\n{text}"
    );
    // pip 23.0.1 is inside PYSEC-2023-228's range, but Debian installed it.
    let out = portcullis(&[
        "explain",
        &image,
        "PYSEC-2023-228",
        "--db",
        &db_arg,
        "--json",
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let e: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(e["findings"].as_array().unwrap().len(), 0);
    let verdicts = e["rows"][0]["verdicts"].to_string();
    assert!(verdicts.contains("deb:python3-pip"), "{verdicts}");
}

#[test]
fn update_from_mirrors_and_fail_closed() {
    let Some(data) = vulndata() else { return };
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("v.db");
    let db_arg = db.display().to_string();
    let mirror = format!("ghsa={}", data.join("ghsa").display());
    let out = portcullis(&[
        "db",
        "update",
        "--db",
        &db_arg,
        "--no-default-sources",
        "--source",
        &mirror,
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(
        status_json(&db)["advisories"],
        json_files(&data.join("ghsa"))
    );
    let before = std::fs::read(&db).unwrap();
    // Malformed --source: a usage error.
    let out = portcullis(&[
        "db",
        "update",
        "--db",
        &db_arg,
        "--source",
        "no-equals-sign",
    ]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    // An unreachable feed: the update fails, naming the feed; the DB stays.
    let out = portcullis(&[
        "db",
        "update",
        "--db",
        &db_arg,
        "--no-default-sources",
        "--source",
        &mirror,
        "--source",
        "dead=http://127.0.0.1:9/all.zip",
    ]);
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    assert!(stderr(&out).contains("dead"), "{}", stderr(&out));
    assert_eq!(std::fs::read(&db).unwrap(), before);
}
