//! TLS is verified by default, and an extra CA bundle makes a private CA
//! trusted (SPEC §7). The server is real rustls on loopback; its
//! certificate (for IP 127.0.0.1, valid 100 years) is signed by the test CA
//! in `tests/tls/` (test fixtures only: the key protects nothing).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use portcullis_notify::{post_webhook, WebhookOptions};
use serde_json::json;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/tls")
        .join(name)
}

/// An HTTPS server answering every request with 200; returns its URL.
fn https_server() -> String {
    let certs = rustls_pemfile::certs(&mut &std::fs::read(fixture("server.pem")).unwrap()[..])
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    let key = rustls_pemfile::private_key(&mut &std::fs::read(fixture("server.key")).unwrap()[..])
        .unwrap()
        .unwrap();
    let config = Arc::new(
        rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .unwrap(),
    );
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for tcp in listener.incoming().flatten() {
            let config = config.clone();
            std::thread::spawn(move || {
                tcp.set_read_timeout(Some(Duration::from_secs(5))).ok();
                let conn = rustls::ServerConnection::new(config).unwrap();
                let mut tls = rustls::StreamOwned::new(conn, tcp);
                let mut reader = BufReader::new(&mut tls);
                let mut len = 0usize;
                loop {
                    let mut line = String::new();
                    // A client refusing the certificate ends here.
                    if reader.read_line(&mut line).is_err() || line.is_empty() {
                        return;
                    }
                    if line == "\r\n" {
                        break;
                    }
                    if let Some((k, v)) = line.split_once(':') {
                        if k.eq_ignore_ascii_case("content-length") {
                            len = v.trim().parse().unwrap_or(0);
                        }
                    }
                }
                let mut body = vec![0; len];
                if reader.read_exact(&mut body).is_err() {
                    return;
                }
                let _ = tls.write_all(
                    b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                );
                let _ = tls.flush();
                tls.conn.send_close_notify();
                let _ = tls.flush();
            });
        }
    });
    format!("https://127.0.0.1:{port}/hook")
}

fn opts() -> WebhookOptions {
    WebhookOptions {
        attempts: 1,
        attempt_timeout: Duration::from_secs(5),
        deadline: Duration::from_secs(10),
        env_proxy: false,
        ..WebhookOptions::default()
    }
}

#[test]
fn untrusted_certificate_is_refused() {
    let url = https_server();
    let out = post_webhook(&url, &json!({}), &opts());
    assert!(!out.delivered, "{out}");
    assert_eq!(out.final_status(), None);
    let err = out.error.as_deref().unwrap().to_ascii_lowercase();
    assert!(
        err.contains("certificate") || err.contains("issuer"),
        "{err}"
    );
}

#[test]
fn extra_ca_bundle_is_trusted() {
    let url = https_server();
    let opts = WebhookOptions {
        ca_bundle: Some(fixture("ca.pem")),
        ..opts()
    };
    let out = post_webhook(&url, &json!({"a": 1}), &opts);
    assert!(out.delivered, "{out}");
    assert_eq!(out.final_status(), Some(200));
}

#[test]
fn a_bundle_without_certificates_is_an_error() {
    let opts = WebhookOptions {
        ca_bundle: Some(fixture("server.key")),
        ..opts()
    };
    let out = post_webhook("https://127.0.0.1:9/x", &json!({}), &opts);
    assert!(!out.delivered && out.attempts.is_empty());
    assert!(out.to_string().contains("CA bundle"), "{out}");
}
