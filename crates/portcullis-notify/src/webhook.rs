//! Delivering the webhook: a blocking JSON POST with retries, back-off,
//! bounded time, verified TLS, proxies, and secrets kept out of every
//! message.

use std::fmt;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use reqwest::header::{HeaderValue, AUTHORIZATION, CONTENT_TYPE, RETRY_AFTER, USER_AGENT};
use reqwest::Url;
use serde_json::Value;

use crate::NotifyError;

/// A bearer token. Its `Debug` never shows the value, and no message of
/// this crate ever contains it.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretToken(String);

impl SecretToken {
    /// Wraps a token (e.g. read by the caller from `PORTCULLIS_WEBHOOK_TOKEN`).
    pub fn new(token: impl Into<String>) -> Self {
        SecretToken(token.into())
    }

    fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SecretToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretToken([redacted])")
    }
}

/// How [`post_webhook`] delivers.
#[derive(Clone, Debug)]
pub struct WebhookOptions {
    /// Attempts in total (at least 1). Default 3.
    pub attempts: u32,
    /// Wait before the second attempt; doubled before each further one.
    /// Default 0.5 s.
    pub initial_backoff: Duration,
    /// Cap of one wait (also caps a server's `Retry-After`). Default 8 s.
    pub max_backoff: Duration,
    /// Per attempt: connect and whole-response timeout. Default 10 s.
    pub attempt_timeout: Duration,
    /// Overall bound over all attempts and waits. Default 45 s.
    pub deadline: Duration,
    /// Honour `HTTPS_PROXY` / `HTTP_PROXY` / `ALL_PROXY` / `NO_PROXY`.
    /// Default true.
    pub env_proxy: bool,
    /// Explicit proxy (`--proxy URL`, credentials allowed in the URL; a
    /// bare `host:port` means `http://host:port`). Takes precedence over
    /// the environment.
    pub proxy: Option<String>,
    /// Extra CA certificates (PEM bundle) trusted besides the system's.
    pub ca_bundle: Option<PathBuf>,
    /// Sent as `Authorization: Bearer …`.
    pub token: Option<SecretToken>,
    /// `User-Agent`. Default `portcullis-webhook`.
    pub user_agent: String,
}

impl Default for WebhookOptions {
    fn default() -> Self {
        WebhookOptions {
            attempts: 3,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(8),
            attempt_timeout: Duration::from_secs(10),
            deadline: Duration::from_secs(45),
            env_proxy: true,
            proxy: None,
            ca_bundle: None,
            token: None,
            user_agent: "portcullis-webhook".into(),
        }
    }
}

/// One attempt of a delivery.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WebhookAttempt {
    /// HTTP status, when a response came.
    pub status: Option<u16>,
    /// Transport error (redacted), when none came.
    pub error: Option<String>,
    /// How long the attempt took.
    pub elapsed: Duration,
}

/// What happened to a delivery. `Display` gives a one-line summary fit for
/// a warning; nothing in it (or in `Debug`) holds the token, the URL's
/// userinfo or its query.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WebhookOutcome {
    /// The URL, with userinfo and query redacted.
    pub url: String,
    /// True when a 2xx response came.
    pub delivered: bool,
    /// Every attempt made, in order (empty when the setup failed).
    pub attempts: Vec<WebhookAttempt>,
    /// Why it was not delivered (setup error, last transport error or
    /// status, deadline), when it was not.
    pub error: Option<String>,
    /// Time spent in total.
    pub elapsed: Duration,
}

impl WebhookOutcome {
    /// The last HTTP status received, if any.
    pub fn final_status(&self) -> Option<u16> {
        self.attempts.iter().rev().find_map(|a| a.status)
    }

    /// A warning for the caller to print when the delivery failed.
    pub fn warning(&self) -> Option<String> {
        (!self.delivered).then(|| self.to_string())
    }
}

impl fmt::Display for WebhookOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.attempts.len();
        let plural = if n == 1 { "" } else { "s" };
        if self.delivered {
            write!(
                f,
                "webhook {} delivered (HTTP {}) after {n} attempt{plural}",
                self.url,
                self.final_status().unwrap_or_default()
            )
        } else {
            write!(
                f,
                "webhook {} not delivered after {n} attempt{plural} in {:.1} s: {}",
                self.url,
                self.elapsed.as_secs_f64(),
                self.error.as_deref().unwrap_or("unknown error")
            )
        }
    }
}

/// Checks that `url` is an absolute `http`/`https` URL with a host, for the
/// CLI to reject a bad `--webhook-url` up front (exit 2).
pub fn check_webhook_url(url: &str) -> Result<(), NotifyError> {
    parse_url(url).map(|_| ())
}

fn parse_url(url: &str) -> Result<Url, NotifyError> {
    let bad = |reason: &str| NotifyError::WebhookUrl {
        url: redact_url(url),
        reason: reason.to_owned(),
    };
    let parsed = Url::parse(url.trim()).map_err(|e| bad(&e.to_string()))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(bad("only http and https are supported"));
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(bad("no host"));
    }
    Ok(parsed)
}

/// `scheme://[redacted]@host:port/path?[redacted]`: the URL without its
/// secrets-bearing parts (userinfo, query, fragment). Text that does not
/// parse is reduced to its scheme.
pub fn redact_url(url: &str) -> String {
    match Url::parse(url.trim()) {
        Ok(u) => {
            let mut out = format!("{}://", u.scheme());
            if !u.username().is_empty() || u.password().is_some() {
                out.push_str("[redacted]@");
            }
            if let Some(host) = u.host_str() {
                out.push_str(host);
            }
            if let Some(port) = u.port() {
                out.push_str(&format!(":{port}"));
            }
            out.push_str(u.path());
            if u.query().is_some() {
                out.push_str("?[redacted]");
            }
            out
        }
        Err(_) => match url.split_once("://") {
            Some((scheme, _)) if scheme.chars().all(|c| c.is_ascii_alphanumeric()) => {
                format!("{scheme}://[redacted]")
            }
            _ => "[unparseable URL]".to_owned(),
        },
    }
}

/// Replaces every secret substring with `[redacted]`.
struct Redactor {
    secrets: Vec<(String, String)>,
}

impl Redactor {
    fn new(url: &str, opts: &WebhookOptions) -> Self {
        let mut secrets: Vec<(String, String)> = Vec::new();
        let mut add = |s: &str, with: String| {
            // Very short fragments would garble every message; they are
            // only ever reachable through the URL, which is never printed.
            if s.len() >= 3 {
                secrets.push((s.to_owned(), with));
            }
        };
        add(url.trim(), redact_url(url));
        for u in [Some(url), opts.proxy.as_deref()].into_iter().flatten() {
            let u = if u.contains("://") {
                u.to_owned()
            } else {
                format!("http://{u}")
            };
            add(&u, redact_url(&u));
            if let Ok(p) = Url::parse(&u) {
                add(p.username(), "[redacted]".into());
                if let Some(pw) = p.password() {
                    add(pw, "[redacted]".into());
                    if let Ok(decoded) = percent_decode(pw) {
                        add(&decoded, "[redacted]".into());
                    }
                }
                if let Some(q) = p.query() {
                    add(q, "[redacted]".into());
                }
            }
        }
        if let Some(t) = &opts.token {
            add(t.expose(), "[redacted]".into());
        }
        // Longest first, so a URL is replaced whole before its parts.
        secrets.sort_by_key(|s| std::cmp::Reverse(s.0.len()));
        Redactor { secrets }
    }

    fn clean(&self, text: &str) -> String {
        let mut out = text.to_owned();
        for (s, with) in &self.secrets {
            out = out.replace(s.as_str(), with);
        }
        out
    }
}

fn percent_decode(s: &str) -> Result<String, std::string::FromUtf8Error> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = (bytes[i] == b'%' && i + 2 < bytes.len())
            .then(|| std::str::from_utf8(&bytes[i + 1..i + 3]).ok())
            .flatten()
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match hex {
            Some(b) => {
                out.push(b);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8(out)
}

/// The error and its causes on one line, without the URL reqwest adds.
fn error_chain(err: reqwest::Error) -> String {
    let err = err.without_url();
    let mut msg = err.to_string();
    let mut source = std::error::Error::source(&err);
    while let Some(s) = source {
        let text = s.to_string();
        if !msg.contains(&text) {
            msg.push_str(": ");
            msg.push_str(&text);
        }
        source = s.source();
    }
    msg
}

fn build_client(opts: &WebhookOptions) -> Result<reqwest::blocking::Client, String> {
    let mut b = reqwest::blocking::Client::builder()
        .connect_timeout(opts.attempt_timeout)
        .timeout(opts.attempt_timeout)
        .redirect(reqwest::redirect::Policy::none())
        .https_only(false);
    if !opts.env_proxy {
        b = b.no_proxy();
    }
    if let Some(p) = &opts.proxy {
        let p = if p.contains("://") {
            p.clone()
        } else {
            format!("http://{p}")
        };
        let proxy =
            reqwest::Proxy::all(&p).map_err(|e| format!("invalid proxy: {}", error_chain(e)))?;
        b = b.proxy(proxy);
    }
    if let Some(path) = &opts.ca_bundle {
        let pem = std::fs::read(path)
            .map_err(|e| format!("cannot read the CA bundle {}: {e}", path.display()))?;
        let certs = reqwest::Certificate::from_pem_bundle(&pem)
            .map_err(|e| format!("invalid CA bundle {}: {}", path.display(), error_chain(e)))?;
        if certs.is_empty() {
            return Err(format!(
                "the CA bundle {} holds no certificate",
                path.display()
            ));
        }
        for c in certs {
            b = b.add_root_certificate(c);
        }
    }
    b.build()
        .map_err(|e| format!("cannot set up the HTTP client: {}", error_chain(e)))
}

/// POSTs `payload` as JSON to `url`: success on any 2xx; transport errors,
/// 5xx and 429 are retried with exponential back-off (honouring a
/// `Retry-After` in seconds, capped); other statuses end the delivery.
/// Every attempt is bounded by `attempt_timeout` and the whole delivery by
/// `deadline`, so a server that never answers cannot hold the build.
/// Redirects are not followed (a POST must not turn into a GET, nor the
/// token travel elsewhere). The result never changes the verdict: the
/// caller prints [`WebhookOutcome::warning`].
pub fn post_webhook(url: &str, payload: &Value, opts: &WebhookOptions) -> WebhookOutcome {
    let started = Instant::now();
    let redactor = Redactor::new(url, opts);
    let mut outcome = WebhookOutcome {
        url: redact_url(url),
        delivered: false,
        attempts: Vec::new(),
        error: None,
        elapsed: Duration::ZERO,
    };
    let finish = |mut o: WebhookOutcome, error: Option<String>| {
        o.error = error.map(|e| redactor.clean(&e));
        for a in &mut o.attempts {
            a.error = a.error.as_deref().map(|e| redactor.clean(e));
        }
        o.elapsed = started.elapsed();
        o
    };
    let parsed = match parse_url(url) {
        Ok(u) => u,
        Err(e) => return finish(outcome, Some(e.to_string())),
    };
    let client = match build_client(opts) {
        Ok(c) => c,
        Err(e) => return finish(outcome, Some(e)),
    };
    let body = match serde_json::to_vec(payload) {
        Ok(b) => b,
        Err(e) => return finish(outcome, Some(format!("cannot serialise the payload: {e}"))),
    };
    let auth = match &opts.token {
        Some(t) => match HeaderValue::from_str(&format!("Bearer {}", t.expose())) {
            Ok(mut v) => {
                v.set_sensitive(true);
                Some(v)
            }
            Err(_) => {
                return finish(
                    outcome,
                    Some("the webhook token holds characters not allowed in a header".into()),
                )
            }
        },
        None => None,
    };

    let attempts = opts.attempts.max(1);
    let mut backoff = opts.initial_backoff;
    let mut last_error = None;
    for n in 1..=attempts {
        let remaining = opts.deadline.saturating_sub(started.elapsed());
        if remaining.is_zero() {
            last_error = Some(format!(
                "deadline of {:.1} s reached{}",
                opts.deadline.as_secs_f64(),
                last_error
                    .map(|e| format!(" (last: {e})"))
                    .unwrap_or_default()
            ));
            break;
        }
        let mut req = client
            .post(parsed.clone())
            .timeout(opts.attempt_timeout.min(remaining))
            .header(CONTENT_TYPE, "application/json")
            .header(USER_AGENT, opts.user_agent.as_str())
            .body(body.clone());
        if let Some(a) = &auth {
            req = req.header(AUTHORIZATION, a.clone());
        }
        let t0 = Instant::now();
        let mut retry_after = None;
        let retryable = match req.send() {
            Ok(resp) => {
                let status = resp.status();
                retry_after = resp
                    .headers()
                    .get(RETRY_AFTER)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.trim().parse::<u64>().ok())
                    .map(Duration::from_secs);
                drop(resp);
                outcome.attempts.push(WebhookAttempt {
                    status: Some(status.as_u16()),
                    error: None,
                    elapsed: t0.elapsed(),
                });
                if status.is_success() {
                    outcome.delivered = true;
                    return finish(outcome, None);
                }
                last_error = Some(format!("HTTP {status}"));
                status.is_server_error() || status.as_u16() == 429
            }
            Err(e) => {
                let msg = if e.is_timeout() {
                    format!("timed out: {}", error_chain(e))
                } else {
                    error_chain(e)
                };
                outcome.attempts.push(WebhookAttempt {
                    status: None,
                    error: Some(msg.clone()),
                    elapsed: t0.elapsed(),
                });
                last_error = Some(msg);
                true
            }
        };
        if !retryable || n == attempts {
            break;
        }
        let wait = retry_after
            .map_or(backoff, |r| r.max(backoff))
            .min(opts.max_backoff);
        let remaining = opts.deadline.saturating_sub(started.elapsed());
        if wait >= remaining {
            last_error = Some(format!(
                "deadline of {:.1} s reached (last: {})",
                opts.deadline.as_secs_f64(),
                last_error.unwrap_or_default()
            ));
            break;
        }
        std::thread::sleep(wait);
        backoff = backoff.saturating_mul(2);
    }
    finish(outcome, last_error)
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
