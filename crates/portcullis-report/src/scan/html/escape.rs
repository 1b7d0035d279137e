//! Escaping for the HTML report: every string that comes from the image,
//! the advisories or the policy goes through [`Esc`] (text and attribute
//! values alike) or [`safe_url`] (link targets).

use std::fmt;

/// Displays a string HTML-escaped, usable in text and in double- or
/// single-quoted attribute values. Control characters (other than tab and
/// newline), which HTML forbids, become U+FFFD.
#[derive(Clone, Copy)]
pub(super) struct Esc<'a>(pub(super) &'a str);

impl fmt::Display for Esc<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut rest = self.0;
        while let Some(i) = rest.find(needs_escape) {
            f.write_str(&rest[..i])?;
            let c = rest[i..].chars().next().unwrap_or('\u{fffd}');
            f.write_str(match c {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                '"' => "&quot;",
                '\'' => "&#39;",
                _ => "\u{fffd}",
            })?;
            rest = &rest[i + c.len_utf8()..];
        }
        f.write_str(rest)
    }
}

fn needs_escape(c: char) -> bool {
    matches!(c, '&' | '<' | '>' | '"' | '\'') || (c.is_control() && c != '\n' && c != '\t')
}

/// The escaped string (tests).
#[cfg(test)]
pub(super) fn esc(s: &str) -> String {
    Esc(s).to_string()
}

/// The link target when `url` is an absolute `http`/`https` URL without
/// whitespace or control characters; `None` otherwise (a `javascript:` or
/// `data:` link from a hostile advisory is shown as text, never followed).
pub(super) fn safe_url(url: &str) -> Option<&str> {
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    let rest = if lower.starts_with("https://") {
        &url[8..]
    } else if lower.starts_with("http://") {
        &url[7..]
    } else {
        return None;
    };
    let has_host = !rest.is_empty() && !rest.starts_with('/');
    let clean = !url.chars().any(|c| c.is_whitespace() || c.is_control());
    (has_host && clean).then_some(url)
}

/// Standard base64 with padding (for the CSP script hash).
pub(super) fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        for (i, shift) in [18u32, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> shift) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            esc("<script>alert(1)</script>"),
            "&lt;script&gt;alert(1)&lt;/script&gt;"
        );
        assert_eq!(
            esc(r#"a & b "c" 'd'"#),
            "a &amp; b &quot;c&quot; &#39;d&#39;"
        );
        assert_eq!(esc("&amp;"), "&amp;amp;");
        assert_eq!(
            esc("x\"><img src=x onerror=alert(2)>"),
            "x&quot;&gt;&lt;img src=x onerror=alert(2)&gt;"
        );
    }

    #[test]
    fn keeps_text_and_replaces_controls() {
        assert_eq!(
            esc("plain ünïcödé — ok\tand\nlines"),
            "plain ünïcödé — ok\tand\nlines"
        );
        assert_eq!(esc("a\x1b[31m\x00b"), "a\u{fffd}[31m\u{fffd}b");
        assert_eq!(esc(""), "");
    }

    #[test]
    fn only_http_links_are_followed() {
        assert_eq!(
            safe_url("https://example.org/CVE-1"),
            Some("https://example.org/CVE-1")
        );
        assert_eq!(safe_url("HTTP://example.org/"), Some("HTTP://example.org/"));
        assert_eq!(safe_url("javascript:alert(1)"), None);
        assert_eq!(safe_url(" javascript:alert(1)"), None);
        assert_eq!(safe_url("data:text/html,<script>"), None);
        assert_eq!(safe_url("https://a b"), None);
        assert_eq!(safe_url("https://"), None);
        assert_eq!(safe_url("//example.org"), None);
    }

    #[test]
    fn base64_matches_rfc4648() {
        for (input, want) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(input.as_bytes()), want, "{input}");
        }
    }
}
