//! Keeping secrets out of messages (SPEC §7): URLs may carry `user:pass@`
//! (a mirror or a proxy with basic auth) or a token in the query string
//! (signed object-storage links, API keys). Everything the update prints,
//! returns or stores goes through here.

use reqwest::Url;

/// Shown in place of a secret.
const MASK: &str = "***";

/// A URL without its password, user name or query values.
pub(crate) fn redact_url(url: &Url) -> String {
    let mut u = url.clone();
    if !u.username().is_empty() || u.password().is_some() {
        // Both setters only fail for URLs that cannot have credentials,
        // which then have none to hide.
        let _ = u.set_password(None);
        let _ = u.set_username(MASK);
    }
    if u.query().is_some() {
        let masked = mask_query(u.query().unwrap_or_default());
        u.set_query(Some(&masked));
    }
    u.set_fragment(None);
    u.to_string()
}

/// `a=1&b=2` → `a=***&b=***`: the keys say what was there, the values may
/// be tokens.
fn mask_query(query: &str) -> String {
    query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((k, _)) => format!("{k}={MASK}"),
            None if pair.is_empty() => String::new(),
            None => MASK.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// Masks the credentials and query values of every URL-looking token in a
/// free text (error messages of the HTTP stack, a rejected argument).
pub(crate) fn redact_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("://") {
        let body_start = at + 3;
        out.push_str(&rest[..body_start]);
        let body = &rest[body_start..];
        let end = body
            .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '`' | '<' | '>'))
            .unwrap_or(body.len());
        out.push_str(&redact_url_body(&body[..end]));
        rest = &body[end..];
    }
    out.push_str(rest);
    out
}

/// Redacts the part of a URL after `scheme://`.
fn redact_url_body(body: &str) -> String {
    let authority_end = body.find(['/', '?', '#']).unwrap_or(body.len());
    let (authority, tail) = body.split_at(authority_end);
    let authority = match authority.rfind('@') {
        Some(i) => format!("{MASK}@{}", &authority[i + 1..]),
        None => authority.to_owned(),
    };
    let tail = match tail.split_once('?') {
        Some((path, query)) => {
            let query = query.split('#').next().unwrap_or_default();
            format!("{path}?{}", mask_query(query))
        }
        None => tail.to_owned(),
    };
    authority + &tail
}

/// Redaction plus the literal secrets of this run (the proxy's and the
/// feeds' passwords), in case a layer below quotes one outside a URL.
#[derive(Clone, Debug, Default)]
pub(crate) struct Redactor {
    secrets: Vec<String>,
}

impl Redactor {
    /// Collects the user names, passwords and query values of `urls`.
    pub(crate) fn new<'a>(urls: impl IntoIterator<Item = &'a str>) -> Redactor {
        let mut secrets = Vec::new();
        for raw in urls {
            let Ok(url) = Url::parse(raw) else { continue };
            let mut add = |s: &str| {
                // Very short values would mask ordinary words; the URL
                // pattern already covers them where they appear in a URL.
                if s.len() >= 4 {
                    secrets.push(s.to_owned());
                    if let Ok(decoded) = percent_decode(s) {
                        if decoded != s {
                            secrets.push(decoded);
                        }
                    }
                }
            };
            if let Some(p) = url.password() {
                add(p);
            }
            if url.password().is_some() {
                add(url.username());
            }
            for (_, v) in url.query_pairs() {
                add(&v);
            }
        }
        // Longest first, so a secret containing another is masked whole.
        secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        secrets.dedup();
        Redactor { secrets }
    }

    pub(crate) fn text(&self, text: &str) -> String {
        let mut out = redact_text(text);
        for s in &self.secrets {
            if out.contains(s.as_str()) {
                out = out.replace(s.as_str(), MASK);
            }
        }
        out
    }
}

fn percent_decode(s: &str) -> Result<String, ()> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).map_err(|_| ())?;
            out.push(u8::from_str_radix(hex, 16).map_err(|_| ())?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_lose_credentials_and_query_values() {
        let u =
            Url::parse("https://bob:pa%40ss@mirror.example/osv/all.zip?X-Sig=abc&x=1#f").unwrap();
        let r = redact_url(&u);
        assert_eq!(r, "https://***@mirror.example/osv/all.zip?X-Sig=***&x=***");
        let plain = Url::parse("https://mirror.example/a.zip").unwrap();
        assert_eq!(redact_url(&plain), "https://mirror.example/a.zip");
    }

    #[test]
    fn free_text_is_redacted() {
        let t =
            "error sending request for url (http://u:secretpw@10.0.0.1:3128/x?token=tok123): boom";
        let r = redact_text(t);
        assert!(
            !r.contains("secretpw") && !r.contains("tok123") && !r.contains("u:"),
            "{r}"
        );
        assert!(r.contains("http://***@10.0.0.1:3128/x?token=***"), "{r}");
        assert_eq!(redact_text("no url here"), "no url here");
        assert_eq!(
            redact_text("see https://a.example/b and file:///tmp/x"),
            "see https://a.example/b and file:///tmp/x"
        );
    }

    #[test]
    fn literal_secrets_are_masked() {
        let r = Redactor::new(["http://proxyuser:p%40ssw0rd@proxy.example:3128"]);
        let t = r.text("proxy said: user proxyuser, bad password p@ssw0rd / p%40ssw0rd");
        assert!(!t.contains("ssw0rd") && !t.contains("proxyuser"), "{t}");
    }
}
