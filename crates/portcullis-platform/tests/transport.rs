//! TLS verification, extra CA bundles and proxies (SPEC §7), over real
//! loopback connections. The certificate in `tests/tls/` (for IP
//! 127.0.0.1) is signed by the test CA there; test fixtures only.

mod common;

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use base64::Engine;
use common::{fast, password, SHA_A};
use portcullis_fakecs::{image_details, FakeConfig, FakeCs, Step};
use portcullis_platform::{poll_image, Client, ClientOptions, PlatformError, PollResult};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/tls")
        .join(name)
}

fn tls_fake() -> FakeCs {
    FakeCs::start_tls(
        FakeConfig::default().script(SHA_A, Step::ready(image_details(SHA_A, None, &[], &[]))),
        &std::fs::read(fixture("server.pem")).unwrap(),
        &std::fs::read(fixture("server.key")).unwrap(),
    )
}

fn options(url: String) -> ClientOptions {
    let mut o = ClientOptions::new(url, password("user", "pass"));
    o.use_env_proxy = false;
    o.auth_attempts = 1;
    o
}

#[test]
fn tls_is_verified_by_default() {
    let fake = tls_fake();
    let err = Client::new(options(fake.url()))
        .unwrap()
        .authenticate()
        .unwrap_err();
    assert!(matches!(err, PlatformError::Transport { .. }), "{err}");
    assert_eq!(
        fake.auth_count(),
        0,
        "nothing was sent over an unverified connection"
    );
}

#[test]
fn an_extra_ca_bundle_makes_a_private_ca_trusted() {
    let fake = tls_fake();
    let mut o = options(fake.url());
    o.ca_bundles = vec![fixture("ca.pem")];
    let c = Client::new(o).unwrap();
    c.authenticate().unwrap();
    let out = poll_image(&c, SHA_A, SystemTime::now(), &fast());
    assert!(
        matches!(out.result, PollResult::Complete(_)),
        "{:?}",
        out.result
    );
}

#[test]
fn bad_ca_bundles_are_configuration_errors() {
    let dir = std::env::temp_dir().join(format!("pc-platform-ca-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let empty = dir.join("empty.pem");
    std::fs::write(&empty, "no certificates here\n").unwrap();
    for path in [empty, dir.join("missing.pem")] {
        let mut o = options("http://127.0.0.1:9".into());
        o.ca_bundles = vec![path.clone()];
        let err = Client::new(o).unwrap_err();
        assert!(
            matches!(err, PlatformError::Config(_)),
            "{}: {err}",
            path.display()
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn an_explicit_proxy_with_credentials_carries_every_call() {
    let fake = FakeCs::start(
        FakeConfig::default().script(SHA_A, Step::ready(image_details(SHA_A, None, &[], &[]))),
    );
    let addr = fake.url().trim_start_matches("http://").to_owned();
    // The gateway name does not resolve: only the proxy can reach it.
    let mut o = options("http://cs-gateway.invalid".into());
    o.proxy = Some(format!("http://proxy-user:p%40ss%3Aword@{addr}"));
    let debug = format!("{o:?}");
    assert!(!debug.contains("p%40ss"), "{debug}");
    let c = Client::new(o).unwrap();
    c.authenticate().unwrap();
    let out = poll_image(&c, SHA_A, SystemTime::now(), &fast());
    assert!(
        matches!(out.result, PollResult::Complete(_)),
        "{:?}",
        out.result
    );
    let expected = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode("proxy-user:p@ss:word")
    );
    let reqs = fake.requests();
    assert_eq!(reqs.len(), 3);
    for r in &reqs {
        assert_eq!(
            r.header("proxy-authorization"),
            Some(expected.as_str()),
            "{}",
            r.path
        );
    }
}

#[test]
fn a_bare_host_and_port_proxy_means_http() {
    let fake = FakeCs::start(FakeConfig::default());
    let mut o = options("http://cs-gateway.invalid".into());
    o.proxy = Some(fake.url().trim_start_matches("http://").to_owned());
    Client::new(o).unwrap().authenticate().unwrap();
    assert_eq!(fake.auth_count(), 1);
}
