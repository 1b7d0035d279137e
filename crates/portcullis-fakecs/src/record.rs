//! The request log.

use std::time::Instant;

/// One request as the server saw it.
#[derive(Clone, Debug)]
pub struct RecordedRequest {
    /// `GET`, `POST`.
    pub method: String,
    /// Path without the query.
    pub path: String,
    /// The query exactly as sent (still encoded).
    pub raw_query: String,
    /// The query, form-decoded.
    pub query: Vec<(String, String)>,
    /// Headers, names lower-cased; the `authorization` value is replaced by
    /// `<redacted>` so logs of the log stay clean.
    pub headers: Vec<(String, String)>,
    /// Form fields of a form-encoded body, decoded.
    pub form: Vec<(String, String)>,
    /// For API calls: whether the bearer token was accepted.
    pub authorized: Option<bool>,
    /// When it arrived.
    pub at: Instant,
}

impl RecordedRequest {
    /// A header value (name case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.as_str())
    }

    /// A decoded query parameter.
    pub fn query_param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// A decoded form field.
    pub fn form_field(&self, name: &str) -> Option<&str> {
        self.form
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// `N` of `lastScanned: [now-Ns ... now]` in a list request's filter.
    pub fn lookback_secs(&self) -> Option<u64> {
        parse_filter(self.query_param("filter")?).map(|(_, n)| n)
    }

    /// Whether this is an image-list poll (`GET /csapi/v1.3/images?filter=`).
    pub fn is_list(&self) -> bool {
        self.method == "GET" && self.path == "/csapi/v1.3/images"
    }

    /// Whether this is an authentication request.
    pub fn is_auth(&self) -> bool {
        self.method == "POST" && (self.path == "/auth" || self.path == "/auth/oidc")
    }
}

/// `sha:<sha> and lastScanned: [now-<N>s ... now]` → (sha, N).
pub(crate) fn parse_filter(filter: &str) -> Option<(String, u64)> {
    let rest = filter.strip_prefix("sha:")?;
    let (sha, rest) = rest.split_once(" and lastScanned: [now-")?;
    let (n, rest) = rest.split_once("s ... now]")?;
    if !rest.is_empty() || sha.is_empty() || !sha.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    Some((sha.to_ascii_lowercase(), n.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::parse_filter;

    #[test]
    fn filters() {
        assert_eq!(
            parse_filter("sha:ABCdef and lastScanned: [now-95s ... now]"),
            Some(("abcdef".into(), 95))
        );
        assert_eq!(
            parse_filter("sha:abc and lastScanned: [now-95s...now]"),
            None
        );
        assert_eq!(
            parse_filter("sha:xyz and lastScanned: [now-95s ... now]"),
            None
        );
    }
}
