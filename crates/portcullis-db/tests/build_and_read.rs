//! The DB file's life cycle: build aside, swap, read by index, refuse what
//! is not ours, and never leave a half-written file behind.

use portcullis_advisory::{
    Advisory, Affected, Cvss, CvssVersion, DistroStatus, Event, ImportItem, Namespace, Range,
    RangeKind,
};
use portcullis_db::{Db, DbBuilder, DbError, SourceRecord};

fn advisory(source: &str, id: &str, package: &str, fixed: &str) -> Advisory {
    Advisory {
        id: id.into(),
        source: source.into(),
        aliases: vec!["CVE-2024-0001".into()],
        summary: Some(format!("{id} in {package}")),
        details: None,
        published: None,
        modified: None,
        withdrawn: None,
        references: vec![],
        cvss: vec![],
        vendor_severity: None,
        affected: vec![
            Affected {
                namespace: Namespace::from_osv("PyPI").unwrap(),
                package: package.into(),
                ranges: vec![Range {
                    kind: RangeKind::Ecosystem,
                    events: vec![Event::Introduced("0".into()), Event::Fixed(fixed.into())],
                }],
                versions: vec![],
                status: None,
                severity: None,
            },
            Affected {
                namespace: Namespace::distro("debian", "12"),
                package: format!("python-{package}"),
                ranges: vec![],
                versions: vec![],
                status: Some(DistroStatus::Open),
                severity: None,
            },
        ],
        origin: format!("test/{id}.json"),
    }
}

fn build(path: &std::path::Path, items: &[ImportItem]) {
    let mut b = DbBuilder::create(path).unwrap();
    for item in items {
        b.add(item).unwrap();
    }
    b.record_source(&SourceRecord {
        name: "test".into(),
        location: "memory".into(),
        records: items.len() as u64,
        ..SourceRecord::default()
    })
    .unwrap();
    b.finish().unwrap();
}

fn leftovers(dir: &std::path::Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect()
}

#[test]
fn lookups_go_by_namespace_and_package() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db").join("portcullis.db");
    build(
        &path,
        &[
            ImportItem::Advisory(advisory("osv", "PYSEC-1", "urllib3", "1.24.2")),
            ImportItem::Advisory(advisory("osv", "PYSEC-2", "requests", "2.20.0")),
        ],
    );
    let db = Db::open(&path).unwrap();
    let pypi = Namespace::from_osv("PyPI").unwrap();
    let hits = db.candidates(&pypi, "urllib3").unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].affected.package, "urllib3");
    let record = db.advisory(hits[0].advisory).unwrap();
    assert_eq!(record.id, "PYSEC-1");
    assert!(
        record.affected.is_empty(),
        "the body is stored without its rows"
    );
    assert_eq!(
        db.advisory_full(hits[0].advisory).unwrap().affected.len(),
        2
    );
    // The same name in another namespace is another package.
    assert!(db
        .candidates(&Namespace::distro("debian", "12"), "urllib3")
        .unwrap()
        .is_empty());
    assert_eq!(
        db.candidates(&Namespace::distro("debian", "12"), "python-urllib3")
            .unwrap()
            .len(),
        1
    );
    assert!(db
        .candidates(&Namespace::distro("debian", "11"), "python-urllib3")
        .unwrap()
        .is_empty());
    // Any id or alias finds the record, whatever its case.
    assert_eq!(db.keys_for_id("pysec-1").unwrap().len(), 1);
    assert_eq!(db.keys_for_id("CVE-2024-0001").unwrap().len(), 2);
    let status = db.status().unwrap();
    assert_eq!(status.advisories, 2);
    assert_eq!(status.affected_rows, 4);
    assert_eq!(status.namespaces, 2);
    assert_eq!(status.sources.len(), 1);
    assert_eq!(status.advisories_by_source.get("osv"), Some(&2));
    assert!(!status.built_at.is_empty());
    assert!(leftovers(path.parent().unwrap()).is_empty());
}

#[test]
fn reimporting_a_record_replaces_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("portcullis.db");
    build(
        &path,
        &[ImportItem::Advisory(advisory(
            "osv", "PYSEC-1", "urllib3", "1.24.2",
        ))],
    );
    let mut b = DbBuilder::extend(&path).unwrap();
    let mut newer = advisory("osv", "PYSEC-1", "urllib3", "1.24.3");
    newer.affected.truncate(1);
    b.add(&ImportItem::Advisory(newer)).unwrap();
    b.add(&ImportItem::Advisory(advisory(
        "other", "PYSEC-1", "urllib3", "9",
    )))
    .unwrap();
    b.finish().unwrap();
    let db = Db::open(&path).unwrap();
    let status = db.status().unwrap();
    assert_eq!(
        status.advisories, 2,
        "same (source, id) replaced, other source kept"
    );
    assert_eq!(
        status.affected_rows, 3,
        "the replaced record's old rows are gone"
    );
    let fixed: Vec<_> = db
        .candidates(&Namespace::from_osv("PyPI").unwrap(), "urllib3")
        .unwrap()
        .into_iter()
        .map(|c| c.affected.ranges[0].events[1].clone())
        .collect();
    assert_eq!(
        fixed,
        vec![Event::Fixed("1.24.3".into()), Event::Fixed("9".into())]
    );
}

#[test]
fn an_unfinished_build_leaves_the_old_db_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("portcullis.db");
    build(
        &path,
        &[ImportItem::Advisory(advisory(
            "osv", "PYSEC-1", "urllib3", "1.24.2",
        ))],
    );
    let before = std::fs::read(&path).unwrap();
    let reader = Db::open(&path).unwrap();
    {
        let mut b = DbBuilder::create(&path).unwrap();
        b.add(&ImportItem::Advisory(advisory(
            "osv", "PYSEC-9", "django", "3",
        )))
        .unwrap();
        assert_eq!(leftovers(dir.path()).len(), 1, "the new DB is built aside");
        // Dropped without finish(): an error or an interrupt.
    }
    assert_eq!(std::fs::read(&path).unwrap(), before);
    assert!(
        leftovers(dir.path()).is_empty(),
        "the temporary file is removed"
    );
    assert_eq!(reader.status().unwrap().advisories, 1);
}

#[test]
fn a_reader_keeps_working_across_a_swap() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("portcullis.db");
    build(
        &path,
        &[ImportItem::Advisory(advisory(
            "osv", "PYSEC-1", "urllib3", "1.24.2",
        ))],
    );
    let old = Db::open(&path).unwrap();
    build(
        &path,
        &[
            ImportItem::Advisory(advisory("osv", "PYSEC-1", "urllib3", "1.24.2")),
            ImportItem::Advisory(advisory("osv", "PYSEC-2", "django", "3")),
        ],
    );
    assert_eq!(
        old.status().unwrap().advisories,
        1,
        "the open file is the old one"
    );
    assert_eq!(Db::open(&path).unwrap().status().unwrap().advisories, 2);
}

#[test]
fn nvd_scores_are_kept_by_cve() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("portcullis.db");
    let v3 = Cvss {
        version: CvssVersion::V3,
        vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N".into(),
        score: 7.5,
    };
    build(
        &path,
        &[ImportItem::Cvss {
            cve: "CVE-2018-18074".into(),
            origin: "nvd/CVE-2018-18074.json".into(),
            scores: vec![v3.clone()],
            description: Some("requests leaks credentials".into()),
        }],
    );
    let db = Db::open(&path).unwrap();
    let scores = db.nvd("CVE-2018-18074").unwrap().unwrap();
    assert_eq!(scores.v3, Some(v3));
    assert_eq!(scores.v2, None);
    assert!(db.nvd("CVE-0000-0000").unwrap().is_none());
}

#[test]
fn foreign_and_missing_files_are_refused_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope.db");
    assert!(matches!(Db::open(&missing), Err(DbError::Missing { .. })));
    let junk = dir.path().join("junk.db");
    std::fs::write(&junk, vec![b'x'; 8192]).unwrap();
    let err = Db::open(&junk).err().unwrap();
    assert!(matches!(err, DbError::Incompatible { .. }), "{err}");
    let other = dir.path().join("other.db");
    rusqlite::Connection::open(&other)
        .unwrap()
        .execute_batch("CREATE TABLE t (x)")
        .unwrap();
    let err = Db::open(&other).err().unwrap();
    assert!(err.to_string().contains("not a portcullis DB"), "{err}");
    // Extending a foreign file fails before anything is written.
    assert!(DbBuilder::extend(&junk).is_err());
    assert_eq!(std::fs::read(&junk).unwrap(), vec![b'x'; 8192]);
}
