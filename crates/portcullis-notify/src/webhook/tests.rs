//! Redaction, URL checks and the token's `Debug`.

use super::options::{SecretToken, WebhookOptions};
use super::redact::{check_webhook_url, percent_decode, redact_url, Redactor};

#[test]
fn urls_are_redacted() {
    assert_eq!(
        redact_url("https://user:pa%40ss@hooks.example.com:8443/a/b?token=s3cret#frag"),
        "https://[redacted]@hooks.example.com:8443/a/b?[redacted]"
    );
    assert_eq!(
        redact_url("http://hooks.example.com/x"),
        "http://hooks.example.com/x"
    );
    assert_eq!(redact_url("ftp://u:p@[::1"), "ftp://[redacted]");
    assert_eq!(redact_url("no url at all secret"), "[unparseable URL]");
}

#[test]
fn url_check() {
    assert!(check_webhook_url("https://hooks.example.com/x").is_ok());
    let err = check_webhook_url("ftp://u:secretpw@hooks.example.com/x?k=v").unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("only http and https"), "{msg}");
    assert!(!msg.contains("secretpw") && !msg.contains("k=v"), "{msg}");
    assert!(check_webhook_url("not a url").is_err());
}

#[test]
fn token_debug_is_redacted() {
    let opts = WebhookOptions {
        token: Some(SecretToken::new("tok-very-secret")),
        ..WebhookOptions::default()
    };
    let dbg = format!("{opts:?}");
    assert!(!dbg.contains("tok-very-secret"), "{dbg}");
}

#[test]
fn redactor_replaces_parts() {
    let opts = WebhookOptions {
        token: Some(SecretToken::new("tok-123")),
        proxy: Some("proxyuser:proxypass@proxy.example.com:3128".into()),
        ..WebhookOptions::default()
    };
    let r = Redactor::new(
        "https://alice:p%40ssword@h.example.com/x?token=abc123",
        &opts,
    );
    let cleaned = r.clean(
        "alice p@ssword p%40ssword token=abc123 tok-123 proxyuser proxypass https://alice:p%40ssword@h.example.com/x?token=abc123",
    );
    for s in [
        "alice",
        "p@ssword",
        "p%40ssword",
        "abc123",
        "tok-123",
        "proxyuser",
        "proxypass",
    ] {
        assert!(!cleaned.contains(s), "{s} in {cleaned}");
    }
    assert!(
        cleaned.contains("https://[redacted]@h.example.com/x?[redacted]"),
        "{cleaned}"
    );
}

#[test]
fn percent_decoding() {
    assert_eq!(percent_decode("p%40ss%3A").unwrap(), "p@ss:");
    assert_eq!(percent_decode("plain").unwrap(), "plain");
    assert_eq!(percent_decode("bad%4").unwrap(), "bad%4");
}
