//! The client against the machine's real Docker engine: over its unix
//! socket, and over TCP+TLS through a `socat` TLS front (OpenSSL, requiring
//! a client certificate) that forwards to the socket. Timeouts are checked
//! against a TCP peer that accepts and then says nothing, which no real
//! engine can be made to do on demand.

mod support;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use portcullis_docker::{
    ContainerListOptions, Docker, DockerConfig, DockerError, Endpoint, TlsSettings, DEFAULT_SOCKET,
};
use sha2::{Digest, Sha256};
use support::{
    cert_dir, docker_cli, free_port, have, issue, local, missing, root_ca, tls_front, Container,
};

fn sha256(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// A one-layer `docker save` archive with unique content, tagged `tag`.
/// Returns the archive and the expected image ID and diff_id.
fn tiny_archive(tag: &str) -> (Vec<u8>, String, String) {
    let append = |b: &mut tar::Builder<Vec<u8>>, name: &str, data: &[u8]| {
        let mut h = tar::Header::new_ustar();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_mtime(1_700_000_000);
        h.set_cksum();
        b.append_data(&mut h, name, data).expect("append");
    };
    let mut layer = tar::Builder::new(Vec::new());
    let stamp = format!(
        "{} {:?}\n",
        std::process::id(),
        std::time::SystemTime::now()
    );
    append(&mut layer, "hello.txt", stamp.as_bytes());
    let layer = layer.into_inner().expect("layer tar");
    let diff_id = sha256(&layer);
    let config = serde_json::json!({
        "architecture": "amd64", "os": "linux", "created": "2023-11-14T22:13:20Z", "config": {},
        "rootfs": {"type": "layers", "diff_ids": [format!("sha256:{diff_id}")]},
        "history": [{"created": "2023-11-14T22:13:20Z", "created_by": "portcullis client test"}]
    });
    let config = serde_json::to_vec(&config).expect("json");
    let config_hex = sha256(&config);
    let manifest = serde_json::json!([{
        "Config": format!("{config_hex}.json"), "RepoTags": [tag], "Layers": [format!("{diff_id}/layer.tar")]
    }]);
    let mut archive = tar::Builder::new(Vec::new());
    append(&mut archive, &format!("{diff_id}/layer.tar"), &layer);
    append(&mut archive, &format!("{config_hex}.json"), &config);
    append(
        &mut archive,
        "manifest.json",
        &serde_json::to_vec(&manifest).expect("json"),
    );
    (
        archive.into_inner().expect("archive"),
        format!("sha256:{config_hex}"),
        format!("sha256:{diff_id}"),
    )
}

#[test]
fn negotiates_version_and_reports_missing_objects() {
    let Some(docker) = local("negotiates_version_and_reports_missing_objects") else {
        return;
    };
    let version = docker.version().expect("version");
    assert!(!version.version.is_empty());
    let (major, minor) = version.api_version.split_once('.').expect("api version");
    let server = (
        major.parse::<u32>().expect("major"),
        minor.parse::<u32>().expect("minor"),
    );
    let (want_major, want_minor) = server.min(portcullis_docker::MAX_API_VERSION);
    assert_eq!(
        docker.api_version().expect("negotiated"),
        format!("{want_major}.{want_minor}")
    );

    let err = docker
        .image_inspect("portcullis-test/no-such-image:never")
        .expect_err("missing image");
    assert!(err.is_not_found(), "{err}");
    assert!(
        err.to_string().contains("No such image") && err.to_string().contains(DEFAULT_SOCKET),
        "{err}"
    );
    let err = docker
        .container_inspect("portcullis-test-no-such-container")
        .expect_err("missing container");
    assert!(err.is_not_found(), "{err}");
    let mut options = ContainerListOptions {
        all: true,
        ..ContainerListOptions::default()
    };
    options
        .filters
        .insert("label".into(), vec!["portcullis.test=never-set".into()]);
    assert!(docker.containers(&options).expect("list").is_empty());
    assert!(matches!(
        docker.image_inspect("bad name?x"),
        Err(DockerError::InvalidName(_))
    ));
}

#[test]
fn load_inspect_tag_export_remove() {
    let Some(docker) = local("load_inspect_tag_export_remove") else {
        return;
    };
    let repo = format!("portcullis-test/client-{}", std::process::id());
    let tag = format!("{repo}:1");
    let (archive, id, diff_id) = tiny_archive(&tag);
    let loaded = docker
        .image_load(std::io::Cursor::new(archive))
        .expect("load");
    assert_eq!(loaded, std::slice::from_ref(&tag));

    let inspect = docker.image_inspect(&tag).expect("inspect");
    assert_eq!(inspect.id, id);
    assert_eq!(inspect.root_fs.layers, std::slice::from_ref(&diff_id));
    assert_eq!(
        (inspect.os.as_str(), inspect.architecture.as_str()),
        ("linux", "amd64")
    );
    assert_eq!(inspect.repo_tags, std::slice::from_ref(&tag));
    let history = docker.image_history(&id).expect("history");
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].created_by, "portcullis client test");
    assert_eq!(history[0].created, 1_700_000_000);

    if have("docker") {
        check_containers(&docker, &tag, &id);
    } else {
        missing(
            "load_inspect_tag_export_remove (containers part)",
            "no docker CLI to create a container",
        );
    }

    docker.image_tag(&id, &repo, "2").expect("tag");
    assert_eq!(
        docker
            .image_inspect(&format!("{repo}:2"))
            .expect("inspect new tag")
            .id,
        id
    );

    // The export streams a docker-save tar holding our layer.
    let mut export = docker.image_export(&id).expect("export");
    let mut members = Vec::new();
    let mut layer_digest = None;
    for entry in tar::Archive::new(&mut export).entries().expect("tar") {
        let mut entry = entry.expect("entry");
        let name = entry.path().expect("path").to_string_lossy().into_owned();
        if name.ends_with("layer.tar") {
            let mut data = Vec::new();
            entry.read_to_end(&mut data).expect("read layer");
            layer_digest = Some(format!("sha256:{}", sha256(&data)));
        }
        members.push(name);
    }
    assert!(members.iter().any(|m| m == "manifest.json"), "{members:?}");
    assert_eq!(layer_digest, Some(diff_id));

    docker
        .image_remove(&format!("{repo}:2"), false)
        .expect("untag");
    docker.image_remove(&tag, true).expect("remove");
    assert!(docker
        .image_inspect(&id)
        .expect_err("removed")
        .is_not_found());
}

/// A created (never started) container, found by label and inspected.
/// The CLI creates it: the client has no create call, the scanner needs none.
fn check_containers(docker: &Docker, image: &str, image_id: &str) {
    let name = format!("portcullis-test-{}", std::process::id());
    let label = format!("portcullis.test={}", std::process::id());
    // Removed when dropped, also when an assertion fails.
    let created = Container {
        id: docker_cli(&["create", "--name", &name, "--label", &label, image, "/none"]),
        name,
    };
    let (name, cid) = (created.name.as_str(), created.id.as_str());
    let mut options = ContainerListOptions {
        all: true,
        ..ContainerListOptions::default()
    };
    options.filters.insert("label".into(), vec![label.clone()]);
    let found = docker.containers(&options).expect("list");
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].id, cid);
    assert_eq!(found[0].names, [format!("/{name}")]);
    assert_eq!(found[0].image_id, image_id);
    assert_eq!(found[0].state, "created");
    // Running only: a created container is not listed.
    let running = ContainerListOptions {
        all: false,
        filters: options.filters.clone(),
    };
    assert!(docker.containers(&running).expect("list").is_empty());
    let inspect = docker.container_inspect(name).expect("inspect");
    assert_eq!(
        (inspect.id.as_str(), inspect.image.as_str()),
        (cid, image_id)
    );
    assert_eq!(inspect.name, format!("/{name}"));
    assert!(!inspect.state.running);
    assert_eq!(inspect.state.status, "created");
    assert_eq!(
        inspect
            .config
            .labels
            .get("portcullis.test")
            .map(String::as_str),
        Some(label.split_once('=').map_or("", |(_, v)| v))
    );
}

/// CA, server certificate for 127.0.0.1, and a client certificate, in `dir`
/// under `prefix`.
fn make_pki(dir: &Path, prefix: &str) {
    let p = |s: &str| format!("{prefix}{s}");
    root_ca(dir, &p("ca"));
    for (who, ext) in [
        (
            "server",
            "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth",
        ),
        ("client", "extendedKeyUsage=clientAuth"),
    ] {
        issue(dir, &p(who), &p("ca"), ext, false);
    }
}

/// A directory in the Docker cert-dir layout: the CA of `ca`'s PKI, the
/// client certificate and key of `client`'s.
fn client_cert_dir(base: &Path, name: &str, ca: &str, client: Option<&str>) -> PathBuf {
    let ca = format!("{ca}ca");
    let client = client.map(|c| format!("{c}client"));
    let certs: Vec<&str> = client.as_deref().into_iter().collect();
    cert_dir(base, name, &ca, &certs, client.as_deref())
}

fn tls_client(port: u16, dir: &Path) -> Result<Docker, DockerError> {
    Docker::new(DockerConfig::new(
        Endpoint::Tcp {
            host: "127.0.0.1".into(),
            port,
        },
        Some(TlsSettings {
            cert_dir: dir.to_path_buf(),
        }),
    ))
}

#[test]
fn tls_requires_the_right_client_certificate() {
    let test = "tls_requires_the_right_client_certificate";
    let Some(docker) = local(test) else { return };
    if !have("socat") || !have("openssl") {
        missing(
            test,
            "needs socat and openssl (apt packages socat, openssl)",
        );
        return;
    }
    let pki = tempfile::tempdir().expect("tempdir");
    make_pki(pki.path(), "");
    make_pki(pki.path(), "rogue-");
    let good = client_cert_dir(pki.path(), "good", "", Some(""));
    let no_client_cert = client_cert_dir(pki.path(), "nocert", "", None);
    let rogue_client = client_cert_dir(pki.path(), "rogueclient", "", Some("rogue-"));
    let rogue_ca = client_cert_dir(pki.path(), "rogueca", "rogue-", Some(""));
    let engine_version = docker.version().expect("local version").version;

    // Default (TLS 1.3), then a front limited to TLS 1.2.
    for extra in ["", ",openssl-max-proto-version=TLS1.2"] {
        let (_socat, port) = tls_front(pki.path(), "server", extra);
        let client = tls_client(port, &good).expect("client");
        assert_eq!(
            client.version().expect("version over TLS").version,
            engine_version,
            "{extra}"
        );
        let err = client
            .image_inspect("portcullis-test/no-such-image:never")
            .expect_err("404");
        assert!(err.is_not_found(), "{err:?}");
        let from_env_style = Docker::new(
            DockerConfig::with_overrides(Some(&format!("tcp://127.0.0.1:{port}")), Some(&good))
                .expect("config"),
        )
        .expect("client");
        from_env_style.version().expect("version with overrides");

        for (name, dir) in [
            ("no client certificate", &no_client_cert),
            ("untrusted client certificate", &rogue_client),
            ("untrusted engine", &rogue_ca),
        ] {
            let err = tls_client(port, dir)
                .expect("client")
                .version()
                .expect_err(name);
            assert!(
                matches!(err, DockerError::Tls { .. }),
                "{name}{extra}: {err:?}"
            );
            let text = err.to_string();
            assert!(
                text.contains(&format!("127.0.0.1:{port}")) && !text.contains("PRIVATE KEY"),
                "{text}"
            );
        }
    }
    // Plain HTTP to a TLS port fails cleanly too.
    let (_socat, port) = tls_front(pki.path(), "server", "");
    let plain = Docker::new(DockerConfig::new(
        Endpoint::Tcp {
            host: "127.0.0.1".into(),
            port,
        },
        None,
    ))
    .expect("client");
    assert!(plain.version().is_err());
}

#[test]
fn stalled_engine_times_out_and_refused_port_is_reported() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    // Accepts, answers an export with headers and five bytes, then stalls;
    // every other request gets no answer at all.
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().take(3) {
            let Ok(mut s) = stream else { continue };
            let mut buf = [0u8; 4096];
            let n = s.read(&mut buf).unwrap_or(0);
            if String::from_utf8_lossy(&buf[..n]).contains("/get ") {
                let _ = s.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: application/x-tar\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n");
            }
            held.push(s);
        }
        std::thread::sleep(Duration::from_secs(30));
    });
    let mut config = DockerConfig::new(
        Endpoint::Tcp {
            host: "127.0.0.1".into(),
            port,
        },
        None,
    );
    config.response_timeout = Duration::from_secs(1);
    config.stream_timeout = Duration::from_secs(1);
    config.api_version = Some("1.41".into());
    let docker = Docker::new(config).expect("client");
    let start = Instant::now();
    let err = docker.version().expect_err("stalled");
    assert!(matches!(err, DockerError::Timeout { .. }), "{err:?}");
    assert!(start.elapsed() < Duration::from_secs(5));

    let mut export = docker.image_export("anything").expect("headers arrive");
    let mut got = Vec::new();
    let err = export.read_to_end(&mut got).expect_err("stalled body");
    assert_eq!(err.kind(), std::io::ErrorKind::TimedOut, "{err}");
    assert_eq!(got, b"hello");

    let refused = Docker::new(DockerConfig::new(
        Endpoint::Tcp {
            host: "127.0.0.1".into(),
            port: free_port(),
        },
        None,
    ))
    .expect("client");
    let err = refused.version().expect_err("nothing listens");
    assert!(matches!(err, DockerError::Connect { .. }), "{err:?}");
}
