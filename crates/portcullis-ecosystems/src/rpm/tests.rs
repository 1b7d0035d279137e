//! Fixture tests: databases written by the real rpm tools
//! (`testdata/make-fixtures.sh`), checked against `rpm -qa` output
//! (`testdata/expected-qa.txt`), plus the cataloger over a layered snapshot.

use std::sync::Arc;

use portcullis_catalog::{
    CatalogContext, CatalogOutput, Cataloger, EntryInfo, LayerFiles, Recorded, Snapshot, Want,
};
use proptest::prelude::*;

use super::*;

const SQLITE: &[u8] = include_bytes!("testdata/rpmdb.sqlite");
const NDB: &[u8] = include_bytes!("testdata/Packages.db");
const BDB_LE: &[u8] = include_bytes!("testdata/Packages");
const BDB_BE: &[u8] = include_bytes!("testdata/Packages-be");
const ORACLE: &str = include_str!("testdata/expected-qa.txt");

const FIXTURES: [(&str, DbFormat, &[u8]); 4] = [
    ("rpmdb.sqlite", DbFormat::Sqlite, SQLITE),
    ("Packages.db", DbFormat::Ndb, NDB),
    ("Packages", DbFormat::BerkeleyDb, BDB_LE),
    ("Packages-be", DbFormat::BerkeleyDb, BDB_BE),
];

/// One line of the oracle: what rpm itself printed for a package.
#[derive(Debug, PartialEq)]
struct QaLine {
    name: String,
    evr: String,
    arch: Option<String>,
    source_rpm: Option<String>,
    license: Option<String>,
    vendor: Option<String>,
    modularity_label: Option<String>,
    epoch: Option<u32>,
    version: String,
    release: String,
}

fn oracle() -> Vec<QaLine> {
    let none = |s: &str| (s != "(none)").then(|| s.to_owned());
    ORACLE
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split('|').collect();
            assert_eq!(f.len(), 10, "oracle line {l}");
            QaLine {
                name: f[0].into(),
                evr: f[1].into(),
                arch: none(f[2]),
                source_rpm: none(f[3]),
                license: none(f[4]),
                vendor: none(f[5]),
                modularity_label: none(f[6]),
                epoch: none(f[7]).map(|e| e.parse().unwrap()),
                version: f[8].into(),
                release: f[9].into(),
            }
        })
        .collect()
}

fn as_qa(p: &RpmPackage) -> QaLine {
    QaLine {
        name: p.name.clone(),
        evr: p.evr(),
        arch: p.arch.clone(),
        source_rpm: p.source_rpm.clone(),
        license: p.license.clone(),
        vendor: p.vendor.clone(),
        modularity_label: p.modularity_label.clone(),
        epoch: p.epoch,
        version: p.version.clone(),
        release: p.release.clone(),
    }
}

#[test]
fn every_format_matches_what_rpm_prints() {
    let expected: Vec<QaLine> = oracle()
        .into_iter()
        .filter(|q| q.name != "gpg-pubkey")
        .collect();
    assert_eq!(expected.len(), 4);
    for (name, format, bytes) in FIXTURES {
        let db = parse_rpmdb(format, bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(db.problems.is_empty(), "{name}: {:?}", db.problems);
        let mut got: Vec<QaLine> = db.packages.iter().map(as_qa).collect();
        got.sort_by(|a, b| a.name.cmp(&b.name));
        assert_eq!(got, expected, "{name}");
    }
}

#[test]
fn all_formats_hold_the_same_blobs_including_the_gpg_key() {
    let reference: Vec<(u32, Vec<u8>)> = read_blobs(DbFormat::Sqlite, SQLITE)
        .unwrap()
        .blobs
        .into_iter()
        .map(|(h, b)| (h, b.into_owned()))
        .collect();
    assert_eq!(
        reference.len(),
        oracle().len(),
        "gpg-pubkey is in the database, only skipped later"
    );
    for (name, format, bytes) in FIXTURES {
        let got: Vec<(u32, Vec<u8>)> = read_blobs(format, bytes)
            .unwrap()
            .blobs
            .into_iter()
            .map(|(h, b)| (h, b.into_owned()))
            .collect();
        assert_eq!(got, reference, "{name}");
    }
}

#[test]
fn source_packages_keep_the_binary_epoch() {
    let db = parse_rpmdb(DbFormat::Sqlite, SQLITE).unwrap();
    let by_name = |n: &str| db.packages.iter().find(|p| p.name == n).unwrap();
    assert_eq!(
        by_name("libgamma").source(),
        Some(("gamma".into(), "0.9.7-12.el9_3".into()))
    );
    assert_eq!(
        by_name("alpha").source(),
        Some(("alpha".into(), "2:1.4-3.fc40".into()))
    );
    assert_eq!(
        by_name("delta").source(),
        Some(("delta".into(), "0:5~rc1-0.1".into()))
    );
}

#[test]
fn source_rpm_names_split_from_the_right() {
    assert_eq!(
        split_source_rpm("python3-libs-3.9.18-1.el9.src.rpm"),
        Some(("python3-libs", "3.9.18", "1.el9"))
    );
    assert_eq!(
        split_source_rpm("kernel-5.14.0-362.8.1.el9_3.nosrc.rpm"),
        Some(("kernel", "5.14.0", "362.8.1.el9_3"))
    );
    for bad in [
        "",
        ".rpm",
        "x.src.rpm",
        "a-b.src.rpm",
        "-1-2.src.rpm",
        "a--2.src.rpm",
        "a-1-2.src",
        "a-1-.src.rpm",
    ] {
        assert_eq!(split_source_rpm(bad), None, "{bad}");
    }
}

#[test]
fn wants_only_rpmdb_files() {
    let info = EntryInfo {
        size: 1,
        mode: 0o644,
    };
    for p in [
        "var/lib/rpm/Packages",
        "var/lib/rpm/rpmdb.sqlite",
        "usr/lib/sysimage/rpm/Packages.db",
        "usr/share/rpm/rpmdb.sqlite",
    ] {
        assert_eq!(RpmCataloger.wants(p, &info), Some(Want::Content), "{p}");
    }
    for p in [
        "var/lib/rpm/Name",
        "var/lib/rpm/rpmdb.sqlite-wal",
        "opt/var/lib/rpm/Packages",
        "var/lib/rpm/x/Packages",
        "Packages",
    ] {
        assert_eq!(RpmCataloger.wants(p, &info), None, "{p}");
    }
}

fn layer(files: &[(&str, &[u8])], symlinks: &[(&str, &str)]) -> LayerFiles {
    let mut l = LayerFiles::default();
    for (path, content) in files {
        l.entries.insert(
            (*path).into(),
            Recorded::File {
                content: Arc::from(*content),
                owner: 0,
                summary: false,
            },
        );
    }
    for (path, target) in symlinks {
        l.entries
            .insert((*path).into(), Recorded::Symlink((*target).into()));
    }
    l
}

fn run(layers: Vec<LayerFiles>) -> CatalogOutput {
    let snapshot = Snapshot::squash(layers);
    let mut out = CatalogOutput::default();
    RpmCataloger.catalog(
        &CatalogContext {
            snapshot: &snapshot,
            distro: None,
            index: 0,
        },
        &mut out,
    );
    out
}

/// An rpm-style sqlite database holding the fixture headers of `names`.
fn sqlite_with(names: &[&str]) -> Vec<u8> {
    let conn = rusqlite::Connection::open_in_memory().unwrap();
    conn.execute_batch(
        "CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL);",
    )
    .unwrap();
    for (hnum, blob) in read_blobs(DbFormat::Sqlite, SQLITE).unwrap().blobs {
        if names.contains(&parse_header(&blob).unwrap().name.as_str()) {
            conn.execute(
                "INSERT INTO Packages VALUES (?1, ?2)",
                rusqlite::params![hnum, blob.as_ref()],
            )
            .unwrap();
        }
    }
    conn.serialize(rusqlite::DatabaseName::Main)
        .unwrap()
        .to_vec()
}

#[test]
fn catalog_reports_each_package_once_across_databases() {
    let out = run(vec![
        layer(&[("var/lib/rpm/Packages", BDB_LE)], &[]),
        layer(
            &[
                ("usr/lib/sysimage/rpm/rpmdb.sqlite", SQLITE),
                ("usr/lib/sysimage/rpm/Packages.db", NDB),
            ],
            &[],
        ),
    ]);
    assert!(out.unknowns.is_empty(), "{:?}", out.unknowns);
    let mut rows: Vec<_> = out
        .found
        .iter()
        .map(|f| (f.package.name.as_str(), f))
        .collect();
    rows.sort_by_key(|(n, _)| *n);
    assert_eq!(
        rows.iter().map(|(n, _)| *n).collect::<Vec<_>>(),
        ["alpha", "delta", "gamma", "libgamma"]
    );
    let (_, lib) = rows[3];
    let p = &lib.package;
    assert_eq!(p.version, "0.9.7-12.el9_3");
    assert_eq!(
        (p.source_name.as_deref(), p.source_version.as_deref()),
        (Some("gamma"), Some("0.9.7-12.el9_3"))
    );
    assert_eq!(p.arch.as_deref(), Some("noarch"));
    assert_eq!(p.licenses, ["BSD-3-Clause"]);
    assert_eq!(p.cataloger, "rpm");
    assert!(
        p.purl.starts_with("pkg:rpm/libgamma@0.9.7-12.el9_3"),
        "{}",
        p.purl
    );
    assert_eq!(
        p.locations,
        [
            "/usr/lib/sysimage/rpm/rpmdb.sqlite",
            "/usr/lib/sysimage/rpm/Packages.db",
            "/var/lib/rpm/Packages"
        ]
    );
    assert_eq!(
        lib.layer_index, 1,
        "attributed from the preferred (sqlite) database"
    );
    assert_eq!(rows[0].1.package.version, "2:1.4-3.fc40");
}

#[test]
fn catalog_follows_a_symlinked_dbpath_and_attributes_layers() {
    let first = sqlite_with(&["alpha", "gamma"]);
    let second = sqlite_with(&["alpha", "gamma", "libgamma", "delta"]);
    let out = run(vec![
        layer(
            &[("usr/lib/sysimage/rpm/rpmdb.sqlite", &first)],
            &[("var/lib/rpm", "../../usr/lib/sysimage/rpm")],
        ),
        layer(&[("usr/lib/sysimage/rpm/rpmdb.sqlite", &second)], &[]),
    ]);
    assert!(out.unknowns.is_empty(), "{:?}", out.unknowns);
    let mut got: Vec<_> = out
        .found
        .iter()
        .map(|f| (f.package.name.clone(), f.layer_index))
        .collect();
    got.sort();
    assert_eq!(
        got,
        [
            ("alpha".into(), 0),
            ("delta".into(), 1),
            ("gamma".into(), 0),
            ("libgamma".into(), 1)
        ]
    );
}

#[test]
fn unreadable_databases_become_unknowns() {
    // Break the blob head of the first NDB record (slot 2 at byte 32, its
    // blkoff at 40): one record lost, the database still read.
    let mut ndb = NDB.to_vec();
    let blkoff = u32::from_le_bytes([ndb[40], ndb[41], ndb[42], ndb[43]]) as usize;
    ndb[blkoff * 16] = b'X';
    let out = run(vec![layer(
        &[
            ("var/lib/rpm/rpmdb.sqlite", b"SQLite format 3\0garbage"),
            ("var/lib/rpm/Packages", b"short"),
            ("usr/share/rpm/Packages.db", &ndb),
        ],
        &[],
    )]);
    let reasons: Vec<_> = out
        .unknowns
        .iter()
        .map(|(u, _)| format!("{} {}", u.location, u.reason))
        .collect();
    assert_eq!(reasons.len(), 3, "{reasons:?}");
    assert!(
        reasons
            .iter()
            .any(|r| r.starts_with("/var/lib/rpm/rpmdb.sqlite cannot read sqlite rpmdb")),
        "{reasons:?}"
    );
    assert!(
        reasons
            .iter()
            .any(|r| r.starts_with("/var/lib/rpm/Packages cannot read bdb rpmdb")),
        "{reasons:?}"
    );
    assert!(reasons.iter().any(|r| r.contains("BlbS")), "{reasons:?}");
    assert_eq!(out.found.len(), 3, "the other NDB records still count");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = parse_header(&bytes);
        let _ = bdb::read_hash(&bytes);
        let _ = ndb::read_ndb(&bytes);
        let _ = sqlite::read_sqlite(&bytes);
    }

    #[test]
    fn mutated_real_databases_never_panic(
        which in 0usize..4,
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..16),
    ) {
        let (_, format, bytes) = FIXTURES[which];
        let mut f = bytes.to_vec();
        for (at, v) in &flips {
            let i = at.index(f.len());
            f[i] = *v;
        }
        if let Ok(raw) = read_blobs(format, &f) {
            for (_, blob) in &raw.blobs {
                let _ = parse_header(blob);
            }
        }
    }

    #[test]
    fn mutated_real_headers_never_panic(
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
        cut in any::<prop::sample::Index>(),
        pick in any::<prop::sample::Index>(),
    ) {
        let blobs = read_blobs(DbFormat::Ndb, NDB).unwrap().blobs;
        let mut blob = blobs[pick.index(blobs.len())].1.to_vec();
        for (at, v) in &flips {
            let i = at.index(blob.len());
            blob[i] = *v;
        }
        let _ = parse_header(&blob);
        let _ = parse_header(&blob[..cut.index(blob.len())]);
        // File lists index DIRNAMES with DIRINDEXES: flipped bytes there
        // must only drop files.
        if let Ok(h) = header::Header::parse(&blob) {
            files::for_each_file(&h, |d, b| {
                let _ = (d.len(), b.len());
            });
        }
    }
}
