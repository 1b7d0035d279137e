//! Ownership by file overlap through the real catalogers, one package
//! manager at a time: layers as the walk keeps them, squashed, cataloged,
//! then marked by the ownership pass, all as `catalog_image` does.

use std::collections::BTreeMap;
use std::sync::Arc;

use portcullis_catalog::{catalog_snapshot, EntryInfo, LayerFiles, Recorded, Snapshot};

use crate::catalog_set;
use crate::rpm::header::tests::{build, s};
use crate::rpm::header::{
    TAG_BASENAMES, TAG_DIRINDEXES, TAG_DIRNAMES, TAG_NAME, TAG_RELEASE, TAG_VERSION,
};

enum E<'a> {
    File(&'a str, &'a [u8]),
    Link(&'a str, &'a str),
    Whiteout(&'a str),
}

/// One layer as the walk would keep it: each file owned by the first
/// cataloger that wants it (the runner's rule), symlinks, whiteouts.
fn layer(entries: &[E<'_>]) -> LayerFiles {
    let set = catalog_set();
    let mut l = LayerFiles::default();
    for e in entries {
        match e {
            E::File(path, data) => {
                let info = EntryInfo {
                    size: data.len() as u64,
                    mode: 0o644,
                };
                let owner = set
                    .catalogers
                    .iter()
                    .position(|c| c.wants(path, &info).is_some())
                    .unwrap_or_else(|| panic!("no cataloger wants {path}"));
                let content = Recorded::File {
                    content: Arc::from(*data),
                    owner,
                    summary: false,
                };
                l.entries.insert((*path).to_owned(), content);
            }
            E::Link(path, target) => {
                let link = Recorded::Symlink((*target).to_owned());
                l.entries.insert((*path).to_owned(), link);
            }
            E::Whiteout(path) => l.whiteouts.push((*path).to_owned()),
        }
    }
    l
}

/// `ecosystem:name@location` → `owned_by`, for every package found.
fn owned(layers: Vec<LayerFiles>) -> BTreeMap<String, Option<String>> {
    let (_, out) = catalog_snapshot(&catalog_set(), &Snapshot::squash(layers));
    assert!(out.unknowns.is_empty(), "{:?}", out.unknowns);
    out.found
        .into_iter()
        .map(|f| {
            let p = f.package;
            (
                format!("{}:{}@{}", p.ecosystem, p.name, p.locations.join(",")),
                p.owned_by,
            )
        })
        .collect()
}

fn metadata(name: &str) -> Vec<u8> {
    format!("Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n\n").into_bytes()
}

const PIP: &str = "usr/lib/python3/dist-packages/pip-23.0.1.dist-info/METADATA";
const LOCAL: &str = "usr/local/lib/python3.11/dist-packages/requests-2.19.1.dist-info/METADATA";
const NODE: &str = "usr/share/nodejs/acorn/package.json";

fn stanza(name: &str) -> String {
    format!("Package: {name}\nStatus: install ok installed\nVersion: 1\nArchitecture: all\n\n")
}

#[test]
fn dpkg_lists_own_debian_python_and_node_modules() {
    let status = [
        stanza("python3-pip"),
        stanza("node-acorn"),
        stanza("python3.11"),
    ]
    .concat();
    let base = layer(&[
        // Merged /usr: lists may name the path through the `lib` link.
        E::Link("lib", "usr/lib"),
        E::File("var/lib/dpkg/status", status.as_bytes()),
        E::File(
            "var/lib/dpkg/info/python3-pip.list",
            b"/.\n/usr\n/lib/python3/dist-packages/pip-23.0.1.dist-info\n/lib/python3/dist-packages/pip-23.0.1.dist-info/METADATA\n",
        ),
        E::File("var/lib/dpkg/info/node-acorn:amd64.list", format!("/{NODE}\n").as_bytes()),
        // Debian's python3.11 owns the folder pip installs into, not what is in it.
        E::File("var/lib/dpkg/info/python3.11.list", b"/usr/local/lib/python3.11/dist-packages\n"),
        E::File(PIP, &metadata("pip")),
        E::File(LOCAL, &metadata("requests")),
        E::File(NODE, br#"{"name":"acorn","version":"8.8.1"}"#),
        E::File("app/node_modules/acorn/package.json", br#"{"name":"acorn","version":"8.0.0"}"#),
    ]);
    let got = owned(vec![base]);
    assert_eq!(
        got[&format!("pypi:pip@/{PIP}")].as_deref(),
        Some("deb:python3-pip")
    );
    assert_eq!(
        got[&format!("npm:acorn@/{NODE}")].as_deref(),
        Some("deb:node-acorn")
    );
    assert_eq!(got[&format!("pypi:requests@/{LOCAL}")], None);
    assert_eq!(got["npm:acorn@/app/node_modules/acorn/package.json"], None);
    assert_eq!(got["deb:python3-pip@/var/lib/dpkg/status"], None);
}

#[test]
fn dpkg_purge_in_a_later_layer_ends_ownership() {
    let status = [stanza("python3-pip"), stanza("node-acorn")].concat();
    let base = layer(&[
        E::File("var/lib/dpkg/status", status.as_bytes()),
        E::File(
            "var/lib/dpkg/info/python3-pip.list",
            format!("/{PIP}\n").as_bytes(),
        ),
        E::File(
            "var/lib/dpkg/info/node-acorn.list",
            format!("/{NODE}\n").as_bytes(),
        ),
        E::File(PIP, &metadata("pip")),
        E::File(NODE, br#"{"name":"acorn","version":"8.8.1"}"#),
    ]);
    // Layer 2 purges python3-pip (list gone) and rewrites the status without
    // node-acorn while its list stays behind: neither owns anything now,
    // though both files are still there (put back by pip and npm, say).
    let purge = layer(&[
        E::File("var/lib/dpkg/status", b""),
        E::Whiteout("var/lib/dpkg/info/python3-pip.list"),
    ]);
    let got = owned(vec![base, purge]);
    assert_eq!(got[&format!("pypi:pip@/{PIP}")], None);
    assert_eq!(got[&format!("npm:acorn@/{NODE}")], None);
}

#[test]
fn distroless_md5sums_are_file_lists() {
    let md5 = format!("0123456789abcdef0123456789abcdef  {PIP}\n");
    let got = owned(vec![layer(&[
        E::File(
            "var/lib/dpkg/status.d/python3-pip",
            stanza("python3-pip").as_bytes(),
        ),
        E::File("var/lib/dpkg/status.d/python3-pip.md5sums", md5.as_bytes()),
        E::File(PIP, &metadata("pip")),
    ])]);
    assert_eq!(got.len(), 2, "the md5sums file is not a package: {got:?}");
    assert_eq!(
        got[&format!("pypi:pip@/{PIP}")].as_deref(),
        Some("deb:python3-pip")
    );
}

#[test]
fn apk_r_lines_own_alpine_python_packages() {
    let dist = "usr/lib/python3.11/site-packages/pip-23.1.2.dist-info";
    let installed = format!(
        "P:py3-pip\nV:23.1.2-r0\nA:noarch\nF:usr/bin\nR:pip\nF:{dist}\nR:METADATA\nR:RECORD\n\nP:musl\nV:1.2.4-r2\nF:lib\nR:libc.musl-x86_64.so.1\n\n"
    );
    let mine = "usr/lib/python3.11/site-packages/mine-1.0.dist-info/METADATA";
    let got = owned(vec![layer(&[
        E::File("lib/apk/db/installed", installed.as_bytes()),
        E::File(&format!("{dist}/METADATA"), &metadata("pip")),
        E::File(mine, &metadata("mine")),
    ])]);
    assert_eq!(
        got[&format!("pypi:pip@/{dist}/METADATA")].as_deref(),
        Some("apk:py3-pip")
    );
    assert_eq!(got[&format!("pypi:mine@/{mine}")], None);
}

#[test]
fn rpm_headers_own_packaged_python_and_npm() {
    let header = |name: &str, dirs: &[&str], files: &[(u32, &str)]| {
        let indexes: Vec<u8> = files.iter().flat_map(|(i, _)| i.to_be_bytes()).collect();
        let bases: Vec<u8> = files.iter().flat_map(|(_, b)| s(b)).collect();
        let dirnames: Vec<u8> = dirs.iter().flat_map(|d| s(d)).collect();
        build(&[
            (TAG_NAME, 6, s(name), 1),
            (TAG_VERSION, 6, s("1"), 1),
            (TAG_RELEASE, 6, s("1.el9"), 1),
            (TAG_DIRINDEXES, 4, indexes, files.len() as u32),
            (TAG_BASENAMES, 8, bases, files.len() as u32),
            (TAG_DIRNAMES, 8, dirnames, dirs.len() as u32),
        ])
    };
    let site = "/usr/lib/python3.9/site-packages/";
    let blobs = [
        header(
            "python3-pip",
            &[
                site,
                "/usr/lib/python3.9/site-packages/pip-21.3.1.dist-info/",
            ],
            &[(0, "pip-21.3.1.dist-info"), (1, "METADATA")],
        ),
        header(
            "nodejs-npm",
            &["/usr/lib/node_modules/npm/"],
            &[(0, "package.json")],
        ),
    ];
    let conn = rusqlite::Connection::open_in_memory().unwrap();
    conn.execute_batch(
        "CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL);",
    )
    .unwrap();
    for blob in &blobs {
        conn.execute("INSERT INTO Packages (blob) VALUES (?1)", [blob])
            .unwrap();
    }
    let db = conn
        .serialize(rusqlite::DatabaseName::Main)
        .unwrap()
        .to_vec();
    let pip = "usr/lib/python3.9/site-packages/pip-21.3.1.dist-info/METADATA";
    let npm = "usr/lib/node_modules/npm/package.json";
    let got = owned(vec![layer(&[
        E::File("var/lib/rpm/rpmdb.sqlite", &db),
        E::File(pip, &metadata("pip")),
        E::File(npm, br#"{"name":"npm","version":"8.19.4"}"#),
        E::File(
            "usr/local/lib/node_modules/npm/package.json",
            br#"{"name":"npm","version":"10.0.0"}"#,
        ),
    ])]);
    assert_eq!(
        got[&format!("pypi:pip@/{pip}")].as_deref(),
        Some("rpm:python3-pip")
    );
    assert_eq!(
        got[&format!("npm:npm@/{npm}")].as_deref(),
        Some("rpm:nodejs-npm")
    );
    assert_eq!(
        got["npm:npm@/usr/local/lib/node_modules/npm/package.json"],
        None
    );
}
