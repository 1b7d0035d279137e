//! `db update` against a real HTTP/1.1 server on loopback, serving real
//! advisory records from `../shared/vulndata` (zipped here the way OSV
//! exports them): conditional requests and 304s, dropped and stalled
//! connections, garbage with a 200, server errors, proxies with
//! credentials, local mirrors. Whatever fails, the DB already in place must
//! stay byte-identical and usable, and no scratch file may be left behind.

use std::collections::HashMap;
use std::fs;
use std::io::{BufRead, BufReader, Cursor, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use portcullis_db::update::{
    parse_source, resolve_feeds, update, FeedFailure, Progress, SourceOverride, SourceTarget,
    UpdateError, UpdateOptions, UpdateSummary,
};
use portcullis_db::Db;

// ---------------------------------------------------------------- test data

/// `<workspace>/../shared/vulndata`, or `None` (test skipped) when it is
/// not there, except under CI where its absence is a failure.
fn vulndata() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/vulndata");
    if dir.is_dir() {
        return Some(dir);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "vulndata missing at {}",
        dir.display()
    );
    #[allow(clippy::print_stderr)]
    {
        eprintln!("skipped: no vulndata at {}", dir.display());
    }
    None
}

/// Go vulndb records (one OSV record per file), sorted, `skip` then `take`.
fn golang(data: &Path, skip: usize, take: usize) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(data.join("golang/data/osv"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files.into_iter().skip(skip).take(take).collect()
}

/// The four GHSA records.
fn ghsa(data: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![data.join("ghsa/advisories")];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|e| e == "json") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// A zip of the files, flat and deflated, like an OSV `all.zip`.
fn zip_of(files: &[PathBuf]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for f in files {
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        w.start_file(name, opts).unwrap();
        w.write_all(&fs::read(f).unwrap()).unwrap();
    }
    w.finish().unwrap().into_inner()
}

/// An OSV export of 20 Go + 4 GHSA records, and its record count.
fn export_a(data: &Path) -> (Vec<u8>, u64) {
    let mut files = golang(data, 0, 20);
    files.extend(ghsa(data));
    assert_eq!(files.len(), 24);
    (zip_of(&files), files.len() as u64)
}

// -------------------------------------------------------------- HTTP server

#[derive(Clone)]
enum Reply {
    /// 200 with validators; 304 when the request's If-None-Match matches.
    Ok {
        body: Arc<Vec<u8>>,
        etag: Option<String>,
        last_modified: Option<String>,
    },
    /// Promises the whole body, sends half, closes.
    DropHalf(Arc<Vec<u8>>),
    /// Promises the whole body, sends half, then nothing (until the client
    /// hangs up, or 60 s).
    StallHalf(Arc<Vec<u8>>),
    /// Just a status (500, 407, ...).
    Status(u16),
    /// 302 to another path on this server.
    Redirect(String),
}

#[derive(Clone, Debug)]
struct Seen {
    /// Request target as sent (absolute-form through a proxy).
    target: String,
    headers: HashMap<String, String>,
}

/// A scriptable HTTP/1.1 server: one request per connection, routes by path
/// (absolute-form targets are accepted, so it can play a proxy too).
struct Server {
    addr: SocketAddr,
    routes: Arc<Mutex<HashMap<String, Reply>>>,
    seen: Arc<Mutex<Vec<(String, Seen)>>>,
}

impl Server {
    fn start() -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let routes: Arc<Mutex<HashMap<String, Reply>>> = Arc::default();
        let seen: Arc<Mutex<Vec<(String, Seen)>>> = Arc::default();
        let (r, s) = (routes.clone(), seen.clone());
        thread::spawn(move || {
            for conn in listener.incoming() {
                let Ok(conn) = conn else { continue };
                let (r, s) = (r.clone(), s.clone());
                thread::spawn(move || serve(conn, &r, &s));
            }
        });
        Server { addr, routes, seen }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    fn set(&self, path: &str, reply: Reply) {
        self.routes.lock().unwrap().insert(path.to_owned(), reply);
    }

    fn ok(&self, path: &str, body: Vec<u8>, etag: Option<&str>) {
        self.set(
            path,
            Reply::Ok {
                body: Arc::new(body),
                etag: etag.map(str::to_owned),
                last_modified: Some("Wed, 21 Oct 2026 07:28:00 GMT".into()),
            },
        );
    }

    fn requests(&self, path: &str) -> Vec<Seen> {
        self.seen
            .lock()
            .unwrap()
            .iter()
            .filter(|(p, _)| p == path)
            .map(|(_, s)| s.clone())
            .collect()
    }
}

fn serve(
    mut conn: TcpStream,
    routes: &Mutex<HashMap<String, Reply>>,
    seen: &Mutex<Vec<(String, Seen)>>,
) {
    let _ = conn.set_read_timeout(Some(Duration::from_secs(10)));
    let Ok(read_half) = conn.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(read_half);
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() {
        return;
    }
    let target = line.split_whitespace().nth(1).unwrap_or("/").to_owned();
    let mut headers = HashMap::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).unwrap_or(0) == 0 || h == "\r\n" {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_owned());
        }
    }
    // Origin-form or absolute-form (`http://host/path`, as sent to a proxy).
    let path_and_query = match target.split_once("://") {
        Some((_, rest)) => rest.find('/').map_or("/", |i| &rest[i..]).to_owned(),
        None => target.clone(),
    };
    let path = path_and_query
        .split('?')
        .next()
        .unwrap_or_default()
        .to_owned();
    seen.lock().unwrap().push((
        path.clone(),
        Seen {
            target: target.clone(),
            headers: headers.clone(),
        },
    ));
    let reply = routes.lock().unwrap().get(&path).cloned();
    let head = |status: &str, extra: &str, len: usize| {
        format!("HTTP/1.1 {status}\r\nContent-Length: {len}\r\nConnection: close\r\n{extra}\r\n")
    };
    let _ = match reply {
        None => conn.write_all(head("404 Not Found", "", 0).as_bytes()),
        Some(Reply::Ok {
            body,
            etag,
            last_modified,
        }) => {
            let mut extra = String::new();
            if let Some(e) = &etag {
                extra.push_str(&format!("ETag: {e}\r\n"));
            }
            if let Some(lm) = &last_modified {
                extra.push_str(&format!("Last-Modified: {lm}\r\n"));
            }
            let fresh = match (&etag, headers.get("if-none-match")) {
                (Some(e), Some(inm)) => e == inm,
                (None, None) => {
                    last_modified.is_some()
                        && headers.get("if-modified-since") == last_modified.as_ref()
                }
                _ => false,
            };
            if fresh {
                conn.write_all(head("304 Not Modified", &extra, 0).as_bytes())
            } else {
                conn.write_all(head("200 OK", &extra, body.len()).as_bytes())
                    .and_then(|()| conn.write_all(&body))
            }
        }
        Some(Reply::DropHalf(body)) => conn
            .write_all(head("200 OK", "", body.len()).as_bytes())
            .and_then(|()| conn.write_all(&body[..body.len() / 2]))
            .and_then(|()| conn.flush()),
        Some(Reply::StallHalf(body)) => {
            let _ = conn
                .write_all(head("200 OK", "", body.len()).as_bytes())
                .and_then(|()| conn.write_all(&body[..body.len() / 2]))
                .and_then(|()| conn.flush());
            // Hold the connection open, sending nothing, until the client
            // gives up (read returns 0 or an error) or a minute passes.
            let _ = conn.set_read_timeout(Some(Duration::from_millis(100)));
            let start = Instant::now();
            let mut buf = [0u8; 64];
            while start.elapsed() < Duration::from_secs(60) {
                match conn.read(&mut buf) {
                    Ok(0) => break,
                    Ok(_) => {}
                    Err(e)
                        if matches!(
                            e.kind(),
                            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                        ) => {}
                    Err(_) => break,
                }
            }
            Ok(())
        }
        Some(Reply::Status(code)) => {
            let extra = if code == 407 {
                "Proxy-Authenticate: Basic realm=\"proxy\"\r\n"
            } else {
                ""
            };
            conn.write_all(head(&format!("{code} Status"), extra, 0).as_bytes())
        }
        Some(Reply::Redirect(to)) => {
            conn.write_all(head("302 Found", &format!("Location: {to}\r\n"), 0).as_bytes())
        }
    };
    let _ = conn.flush();
    let _ = conn.shutdown(Shutdown::Both);
}

// ------------------------------------------------------------------ helpers

fn opts(db: &Path, sources: &[(&str, &str)]) -> UpdateOptions {
    UpdateOptions {
        db: db.to_owned(),
        sources: sources
            .iter()
            .map(|(n, u)| parse_source(&format!("{n}={u}")).unwrap())
            .collect(),
        no_defaults: true,
        stall_timeout: Duration::from_secs(10),
        connect_timeout: Duration::from_secs(5),
        ..UpdateOptions::default()
    }
}

fn run(o: &UpdateOptions) -> (Result<UpdateSummary, UpdateError>, Vec<Progress>) {
    let mut events = Vec::new();
    let r = update(o, &mut |p| events.push(p));
    (r, events)
}

fn records(summary: &UpdateSummary) -> Vec<(String, u64, bool)> {
    summary
        .feeds
        .iter()
        .map(|f| (f.name.clone(), f.records, f.from_cache))
        .collect()
}

/// Every file under `dir`, relative names.
fn files_in(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = fs::read_dir(&d) else { continue };
        for e in rd {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p.strip_prefix(dir).unwrap().display().to_string());
            }
        }
    }
    out.sort();
    out
}

/// No download or DB scratch file anywhere beside the DB.
fn assert_no_scratch(dir: &Path) {
    let stray: Vec<String> = files_in(dir)
        .into_iter()
        .filter(|f| f.contains(".part") || f.ends_with(".tmp"))
        .collect();
    assert!(stray.is_empty(), "scratch files left: {stray:?}");
}

fn feed_failure(e: &UpdateError) -> (&str, &FeedFailure) {
    match e {
        UpdateError::Feed { feed, reason, .. } => (feed.as_str(), reason),
        other => panic!("expected a feed error, got {other:?}"),
    }
}

// -------------------------------------------------------------------- tests

#[test]
fn first_update_builds_then_304_rebuilds_from_cache() {
    let Some(data) = vulndata() else { return };
    let (zip_a, n_a) = export_a(&data);
    let single = fs::read(&golang(&data, 100, 1)[0]).unwrap();
    let server = Server::start();
    server.ok("/osv/A/all.zip", zip_a, Some("\"a1\""));
    // No extension and no ETag: the content says JSON, Last-Modified is
    // the validator.
    server.ok("/feeds/b", single, None);
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("db/portcullis.db");
    let o = opts(
        &db,
        &[
            ("b-single", &server.url("/feeds/b")),
            ("a-osv", &server.url("/osv/A/all.zip")),
        ],
    );

    let (r, events) = run(&o);
    let s = r.unwrap();
    assert_eq!(
        records(&s),
        vec![("a-osv".into(), n_a, false), ("b-single".into(), 1, false)]
    );
    assert_eq!(s.advisories, n_a + 1);
    assert!(events.contains(&Progress::Validated {
        feed: "a-osv".into(),
        bytes: fs::metadata(tmp.path().join("db/downloads/a-osv.zip"))
            .unwrap()
            .len(),
        records: n_a,
    }));
    assert!(
        matches!(events.last(), Some(Progress::Finished { advisories }) if *advisories == n_a + 1)
    );
    let status = Db::open(&db).unwrap().status().unwrap();
    let sources: Vec<(String, u64)> = status
        .sources
        .iter()
        .map(|s| (s.name.clone(), s.records))
        .collect();
    assert_eq!(sources, vec![("a-osv".into(), n_a), ("b-single".into(), 1)]);
    assert_eq!(status.advisories, n_a + 1);
    assert_eq!(
        files_in(&tmp.path().join("db/downloads")),
        vec!["a-osv.meta", "a-osv.zip", "b-single.json", "b-single.meta"]
    );

    let (r, events) = run(&o);
    let s = r.unwrap();
    assert_eq!(
        records(&s),
        vec![("a-osv".into(), n_a, true), ("b-single".into(), 1, true)]
    );
    for feed in ["a-osv", "b-single"] {
        assert!(events.contains(&Progress::NotModified { feed: feed.into() }));
    }
    let a = server.requests("/osv/A/all.zip");
    assert_eq!(a.len(), 2);
    assert_eq!(a[0].headers.get("if-none-match"), None);
    assert_eq!(
        a[1].headers.get("if-none-match").map(String::as_str),
        Some("\"a1\"")
    );
    let b = server.requests("/feeds/b");
    assert_eq!(
        b[1].headers.get("if-modified-since").map(String::as_str),
        Some("Wed, 21 Oct 2026 07:28:00 GMT")
    );
    let status = Db::open(&db).unwrap().status().unwrap();
    assert_eq!(status.advisories, n_a + 1);
    assert_no_scratch(tmp.path());
}

#[test]
fn dropped_connection_fails_and_leaves_everything_as_it_was() {
    let Some(data) = vulndata() else { return };
    let (zip_a, n_a) = export_a(&data);
    let server = Server::start();
    server.ok("/a.zip", zip_a, Some("\"v1\""));
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("portcullis.db");
    let o = opts(&db, &[("osv-a", &server.url("/a.zip"))]);
    run(&o).0.unwrap();
    let db_before = fs::read(&db).unwrap();
    let cache_before = fs::read(tmp.path().join("downloads/osv-a.zip")).unwrap();

    // A new version is announced, but the connection drops halfway.
    let newer = zip_of(&golang(&data, 200, 30));
    server.set("/a.zip", Reply::DropHalf(Arc::new(newer.clone())));
    let (r, _) = run(&o);
    let e = r.unwrap_err();
    let (feed, reason) = feed_failure(&e);
    assert_eq!(feed, "osv-a");
    assert!(
        matches!(reason, FeedFailure::Interrupted { got, .. } if *got <= newer.len() as u64 / 2),
        "{e}"
    );
    assert!(e.to_string().contains("osv-a"), "{e}");
    assert_eq!(fs::read(&db).unwrap(), db_before, "DB is byte-identical");
    let status = Db::open(&db).unwrap().status().unwrap();
    assert_eq!(status.advisories, n_a);
    assert_eq!(
        fs::read(tmp.path().join("downloads/osv-a.zip")).unwrap(),
        cache_before
    );
    assert_no_scratch(tmp.path());
}

#[test]
fn stalled_download_times_out_without_creating_a_db() {
    let Some(data) = vulndata() else { return };
    let (zip_a, _) = export_a(&data);
    let server = Server::start();
    server.set("/a.zip", Reply::StallHalf(Arc::new(zip_a)));
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("portcullis.db");
    let mut o = opts(&db, &[("osv-a", &server.url("/a.zip"))]);
    o.stall_timeout = Duration::from_secs(1);
    let start = Instant::now();
    let (r, _) = run(&o);
    let took = start.elapsed();
    let e = r.unwrap_err();
    let (feed, reason) = feed_failure(&e);
    assert_eq!(feed, "osv-a");
    assert!(
        matches!(reason, FeedFailure::Stalled { got, .. } if *got > 0),
        "{e}"
    );
    assert!(took < Duration::from_secs(15), "took {took:?}");
    assert!(!db.exists());
    assert_no_scratch(tmp.path());
}

#[test]
fn garbage_is_rejected_and_the_good_cached_copy_is_kept() {
    let Some(data) = vulndata() else { return };
    let (zip_a, n_a) = export_a(&data);
    let server = Server::start();
    server.ok("/all.zip", zip_a.clone(), Some("\"good\""));
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("portcullis.db");
    let o = opts(&db, &[("osv-a", &server.url("/all.zip"))]);
    run(&o).0.unwrap();
    let db_before = fs::read(&db).unwrap();
    let cached = tmp.path().join("downloads/osv-a.zip");
    let cache_before = fs::read(&cached).unwrap();

    let html = b"<!DOCTYPE html><html><body><h1>Service unavailable</h1></body></html>".to_vec();
    let random: Vec<u8> = (0..50_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    // A zip cut short but served with an honest Content-Length: no central
    // directory, so nothing in it can be read.
    let truncated = zip_a[..zip_a.len() * 6 / 10].to_vec();
    for (label, garbage) in [("html", html), ("random", random), ("truncated", truncated)] {
        server.ok("/all.zip", garbage, Some(&format!("\"{label}\"")));
        let (r, _) = run(&o);
        let e = r.unwrap_err();
        let (feed, reason) = feed_failure(&e);
        assert_eq!(feed, "osv-a");
        assert!(matches!(reason, FeedFailure::Invalid(_)), "{label}: {e}");
        assert_eq!(fs::read(&db).unwrap(), db_before, "{label}: DB unchanged");
        assert_eq!(
            fs::read(&cached).unwrap(),
            cache_before,
            "{label}: cache kept"
        );
        assert_no_scratch(tmp.path());
    }
    Db::open(&db).unwrap().status().unwrap();

    // The server recovers: the cached copy's ETag is still the one sent.
    server.ok("/all.zip", zip_a, Some("\"good\""));
    let s = run(&o).0.unwrap();
    assert_eq!(records(&s), vec![("osv-a".into(), n_a, true)]);
    let last = server.requests("/all.zip").pop().unwrap();
    assert_eq!(
        last.headers.get("if-none-match").map(String::as_str),
        Some("\"good\"")
    );
}

#[test]
fn server_error_fails_naming_the_feed_and_hiding_secrets() {
    let Some(data) = vulndata() else { return };
    let (zip_a, _) = export_a(&data);
    let server = Server::start();
    server.ok("/good.zip", zip_a, Some("\"g\""));
    server.set("/broken.zip", Reply::Status(500));
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("portcullis.db");
    let secret_url = format!(
        "http://mirroruser:M1rrorPass@{}/broken.zip?token=T0kenValue",
        server.addr
    );
    let o = opts(
        &db,
        &[("good", &server.url("/good.zip")), ("mirror", &secret_url)],
    );
    let (r, events) = run(&o);
    let e = r.unwrap_err();
    let (feed, reason) = feed_failure(&e);
    assert_eq!(feed, "mirror");
    assert_eq!(reason, &FeedFailure::Http { status: 500 });
    let text = e.to_string();
    assert!(text.contains("mirror") && text.contains("500"), "{text}");
    let shown = format!("{text} {e:?} {events:?}");
    for secret in ["M1rrorPass", "T0kenValue", "mirroruser"] {
        assert!(!shown.contains(secret), "{secret} leaked: {shown}");
    }
    // The request did carry the credentials (basic auth from the URL).
    let req = server.requests("/broken.zip").pop().unwrap();
    assert!(req
        .headers
        .get("authorization")
        .is_some_and(|a| a.starts_with("Basic ")));
    assert!(!db.exists());
    assert_no_scratch(tmp.path());
}

#[test]
fn redirects_are_followed() {
    let Some(data) = vulndata() else { return };
    let (zip_a, n_a) = export_a(&data);
    let server = Server::start();
    server.ok("/real/all.zip", zip_a, Some("\"r\""));
    server.set("/moved", Reply::Redirect("/real/all.zip".into()));
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("portcullis.db");
    // The redirect target's name (all.zip) is not known up front: the
    // content decides the cached file's type.
    let s = run(&opts(&db, &[("moved", &server.url("/moved"))]))
        .0
        .unwrap();
    assert_eq!(records(&s), vec![("moved".into(), n_a, false)]);
}

#[test]
fn source_off_and_no_defaults() {
    let Some(data) = vulndata() else { return };
    let (zip_a, n_a) = export_a(&data);
    let server = Server::start();
    server.ok("/a.zip", zip_a, Some("\"a\""));
    server.set("/b.zip", Reply::Status(500));
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("portcullis.db");
    let mut o = opts(
        &db,
        &[("a", &server.url("/a.zip")), ("b", &server.url("/b.zip"))],
    );
    o.sources.push(parse_source("B=off").unwrap());
    let s = run(&o).0.unwrap();
    assert_eq!(records(&s), vec![("a".into(), n_a, false)]);
    assert!(server.requests("/b.zip").is_empty());

    let none = UpdateOptions {
        db: db.clone(),
        no_defaults: true,
        ..UpdateOptions::default()
    };
    assert!(matches!(run(&none).0, Err(UpdateError::NoFeeds)));
}

#[test]
fn default_feeds_can_be_switched_off_or_mirrored() {
    let with = |args: &[&str]| UpdateOptions {
        sources: args.iter().map(|a| parse_source(a).unwrap()).collect(),
        ..UpdateOptions::default()
    };
    let names = |o: &UpdateOptions| -> Vec<String> {
        resolve_feeds(o)
            .unwrap()
            .into_iter()
            .map(|f| f.name)
            .collect()
    };
    let all = names(&with(&[]));
    assert!(all.contains(&"osv-PyPI".to_string()));
    assert!(all.contains(&"debian-tracker".to_string()));
    assert!(all.iter().any(|n| n.starts_with("alpine-v3.")));
    assert!(!all.contains(&"nvd".to_string()), "NVD is off by default");
    let mut sorted = all.clone();
    sorted.sort();
    assert_eq!(all, sorted);

    let o = with(&[
        "osv-pypi=off",
        "nvd=/srv/mirror/nvd.zip",
        "debian-tracker=https://mirror.example/debian.json",
        "extra=https://mirror.example/extra.zip",
    ]);
    let feeds = resolve_feeds(&o).unwrap();
    assert!(!feeds.iter().any(|f| f.name == "osv-PyPI"));
    let url_of = |n: &str| feeds.iter().find(|f| f.name == n).map(|f| f.url.as_str());
    assert_eq!(url_of("nvd"), Some("/srv/mirror/nvd.zip"));
    assert_eq!(
        url_of("debian-tracker"),
        Some("https://mirror.example/debian.json")
    );
    assert_eq!(url_of("extra"), Some("https://mirror.example/extra.zip"));
    assert_eq!(feeds.len(), all.len() + 1);

    let typo = with(&["osv-PyPl=off"]);
    assert!(matches!(
        resolve_feeds(&typo),
        Err(UpdateError::BadSource { .. })
    ));
    // A built-in name switched off when there are no defaults is fine.
    let quiet = UpdateOptions {
        no_defaults: true,
        ..with(&["osv-PyPI=off"])
    };
    assert!(resolve_feeds(&quiet).unwrap().is_empty());
}

#[test]
fn malformed_source_arguments_are_usage_errors() {
    for bad in ["osv-PyPI", "=x", "a b=x", "a=", "a=ftp://h/x", "a=https://"] {
        assert!(
            matches!(parse_source(bad), Err(UpdateError::BadSource { .. })),
            "{bad}"
        );
    }
    assert_eq!(
        parse_source("nvd=off").unwrap(),
        SourceOverride {
            name: "nvd".into(),
            target: SourceTarget::Off
        }
    );
}

#[test]
fn local_file_and_directory_sources() {
    let Some(data) = vulndata() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let mirror = tmp.path().join("mirror");
    fs::create_dir_all(mirror.join("tree")).unwrap();
    let (zip_a, n_a) = export_a(&data);
    fs::write(mirror.join("export.zip"), &zip_a).unwrap();
    let one = golang(&data, 300, 1);
    fs::copy(&one[0], mirror.join("one.json")).unwrap();
    for f in golang(&data, 400, 5) {
        fs::copy(&f, mirror.join("tree").join(f.file_name().unwrap())).unwrap();
    }
    let db = tmp.path().join("db/portcullis.db");
    let file_url = format!("file://{}", mirror.join("one.json").display());
    let o = opts(
        &db,
        &[
            ("path-zip", mirror.join("export.zip").to_str().unwrap()),
            ("file-url", &file_url),
            ("tree", mirror.join("tree").to_str().unwrap()),
        ],
    );
    let s = run(&o).0.unwrap();
    assert_eq!(
        records(&s),
        vec![
            ("file-url".into(), 1, false),
            ("path-zip".into(), n_a, false),
            ("tree".into(), 5, false),
        ]
    );
    assert_eq!(s.advisories, n_a + 6);
    // Unchanged files are not copied again.
    let (r, events) = run(&o);
    let s = r.unwrap();
    assert_eq!(s.advisories, n_a + 6);
    assert!(events.contains(&Progress::NotModified {
        feed: "path-zip".into()
    }));
    assert_no_scratch(tmp.path());

    // A missing mirror file is an error naming the feed.
    fs::remove_file(mirror.join("export.zip")).unwrap();
    let e = run(&o).0.unwrap_err();
    assert_eq!(feed_failure(&e).0, "path-zip");
}

#[test]
fn proxy_is_used_and_its_credentials_never_shown() {
    let Some(data) = vulndata() else { return };
    let (zip_a, n_a) = export_a(&data);
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("portcullis.db");
    const SECRET: &str = "Pr0xyS3cret";
    let check = |text: &str| {
        assert!(
            !text.contains(SECRET) && !text.contains("proxyuser"),
            "leaked: {text}"
        );
    };

    // A working proxy: the feed's host does not resolve, only the proxy
    // can fetch it, and it receives the credentials.
    let proxy = Server::start();
    proxy.ok("/osv/all.zip", zip_a, Some("\"p\""));
    let mut o = opts(&db, &[("osv", "http://feeds.invalid/osv/all.zip")]);
    o.proxy = Some(format!("http://proxyuser:{SECRET}@{}", proxy.addr));
    let (r, events) = run(&o);
    let s = r.unwrap();
    assert_eq!(records(&s), vec![("osv".into(), n_a, false)]);
    check(&format!("{s:?} {events:?}"));
    let seen = proxy.requests("/osv/all.zip").pop().unwrap();
    assert_eq!(seen.target, "http://feeds.invalid/osv/all.zip");
    assert!(seen
        .headers
        .get("proxy-authorization")
        .is_some_and(|v| v.starts_with("Basic ")));

    // The proxy refuses (407).
    proxy.set("/osv/all.zip", Reply::Status(407));
    let (r, events) = run(&o);
    let e = r.unwrap_err();
    check(&format!("{e} {e:?} {events:?}"));

    // The proxy is not there at all.
    let closed = TcpListener::bind("127.0.0.1:0").unwrap();
    let dead = closed.local_addr().unwrap();
    drop(closed);
    o.proxy = Some(format!("http://proxyuser:{SECRET}@{dead}"));
    let (r, events) = run(&o);
    let e = r.unwrap_err();
    assert!(
        matches!(feed_failure(&e).1, FeedFailure::Unreachable(_)),
        "{e}"
    );
    check(&format!("{e} {e:?} {events:?}"));

    // A malformed proxy URL is a usage error that does not echo it.
    o.proxy = Some(format!("http://proxyuser:{SECRET}@[::1"));
    let e = run(&o).0.unwrap_err();
    assert!(matches!(e, UpdateError::BadOption(_)), "{e}");
    check(&format!("{e} {e:?}"));
}

#[test]
fn options_are_checked_and_downloads_are_bounded() {
    let Some(data) = vulndata() else { return };
    let (zip_a, n_a) = export_a(&data);
    let server = Server::start();
    server.ok("/a.zip", zip_a.clone(), Some("\"a\""));
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("portcullis.db");
    let base = opts(&db, &[("osv-a", &server.url("/a.zip"))]);

    let missing = tmp.path().join("no-such-ca.pem");
    let o = UpdateOptions {
        ca_bundle: Some(missing.clone()),
        ..base.clone()
    };
    let e = run(&o).0.unwrap_err();
    assert!(matches!(e, UpdateError::BadOption(_)), "{e}");
    assert!(e.to_string().contains("no-such-ca.pem"), "{e}");
    let not_pem = tmp.path().join("ca.pem");
    fs::write(&not_pem, b"this is not a certificate\n").unwrap();
    let o = UpdateOptions {
        ca_bundle: Some(not_pem),
        ..base.clone()
    };
    assert!(matches!(run(&o).0, Err(UpdateError::BadOption(_))));

    // A body over the limit is refused from its Content-Length.
    let o = UpdateOptions {
        max_bytes: zip_a.len() as u64 - 1,
        ..base.clone()
    };
    let e = run(&o).0.unwrap_err();
    assert!(
        matches!(feed_failure(&e).1, FeedFailure::TooLarge { .. }),
        "{e}"
    );
    assert!(!db.exists());

    // Scratch files of a killed earlier run are cleared.
    let downloads = tmp.path().join("downloads");
    fs::create_dir_all(&downloads).unwrap();
    fs::write(downloads.join("osv-a.part"), b"half").unwrap();
    fs::write(downloads.join("osv-a.part.zip"), b"half").unwrap();
    let s = run(&base).0.unwrap();
    assert_eq!(records(&s), vec![("osv-a".into(), n_a, false)]);
    assert_no_scratch(tmp.path());

    // A cached file damaged on disk is not trusted: the next update
    // downloads again, unconditionally.
    fs::write(downloads.join("osv-a.zip"), b"damaged").unwrap();
    let s = run(&base).0.unwrap();
    assert_eq!(records(&s), vec![("osv-a".into(), n_a, false)]);
    let last = server.requests("/a.zip").pop().unwrap();
    assert_eq!(last.headers.get("if-none-match"), None);
}

#[test]
fn other_formats_are_recognised_whatever_the_url() {
    let Some(data) = vulndata() else { return };
    let count = |p: &Path| {
        portcullis_advisory::import::import_path(p, &mut |_| {})
            .unwrap()
            .records
    };
    let alpine = data.join("alpine/v3.11/main.yaml");
    let dsa = data.join("debian/security-tracker/data/DSA/list");
    let nvd = data.join("nvd/vuln-list-nvd/api/2021/CVE-2021-44906.json");
    let expected = [count(&alpine), count(&dsa), count(&nvd)];
    assert!(expected.iter().all(|n| *n > 0), "{expected:?}");

    let server = Server::start();
    server.ok(
        "/alpine/v3.11/main.yaml",
        fs::read(&alpine).unwrap(),
        Some("\"y\""),
    );
    // Neither has a known extension: the cached file is named from its
    // content (DSA's text list starts with '[' and is recognised by content).
    server.ok(
        "/security-tracker/DSA/list",
        fs::read(&dsa).unwrap(),
        Some("\"d\""),
    );
    server.ok("/nvd/cves", fs::read(&nvd).unwrap(), Some("\"n\""));
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("portcullis.db");
    let o = opts(
        &db,
        &[
            ("alpine-v3.11-main", &server.url("/alpine/v3.11/main.yaml")),
            ("debian-dsa", &server.url("/security-tracker/DSA/list")),
            ("nvd", &server.url("/nvd/cves")),
        ],
    );
    let s = run(&o).0.unwrap();
    assert_eq!(
        records(&s),
        vec![
            ("alpine-v3.11-main".into(), expected[0], false),
            ("debian-dsa".into(), expected[1], false),
            ("nvd".into(), expected[2], false),
        ]
    );
    assert_eq!(
        files_in(&tmp.path().join("downloads")),
        vec![
            "alpine-v3.11-main.meta",
            "alpine-v3.11-main.yaml",
            "debian-dsa.json",
            "debian-dsa.meta",
            "nvd.json",
            "nvd.meta"
        ]
    );
}
