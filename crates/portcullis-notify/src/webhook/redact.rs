//! Checking the webhook URL and keeping secrets (userinfo, query, proxy
//! credentials, token) out of every message.

use reqwest::Url;

use super::options::WebhookOptions;
use crate::NotifyError;

/// Checks that `url` is an absolute `http`/`https` URL with a host, for the
/// CLI to reject a bad `--webhook-url` up front (exit 2).
pub fn check_webhook_url(url: &str) -> Result<(), NotifyError> {
    parse_url(url).map(|_| ())
}

pub(super) fn parse_url(url: &str) -> Result<Url, NotifyError> {
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
pub(super) struct Redactor {
    secrets: Vec<(String, String)>,
}

impl Redactor {
    pub(super) fn new(url: &str, opts: &WebhookOptions) -> Self {
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

    pub(super) fn clean(&self, text: &str) -> String {
        let mut out = text.to_owned();
        for (s, with) in &self.secrets {
            out = out.replace(s.as_str(), with);
        }
        out
    }
}

pub(super) fn percent_decode(s: &str) -> Result<String, std::string::FromUtf8Error> {
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
