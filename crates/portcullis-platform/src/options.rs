//! How to reach and authenticate to the platform.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use crate::secret::Credentials;

/// How to reach and authenticate to the platform.
#[derive(Clone)]
pub struct ClientOptions {
    /// What the user typed: portal, API or gateway URL (mapped with
    /// [`gateway_url`]), or a `portcullis serve` / test server URL.
    pub api_url: String,
    /// Credentials for `/auth` or `/auth/oidc`.
    pub credentials: Credentials,
    /// Explicit proxy (`http://user:pass@host:port`; a bare `host:port` —
    /// the vendor's form — means `http://`). It replaces `HTTPS_PROXY`;
    /// `NO_PROXY` still applies.
    pub proxy: Option<String>,
    /// Honour `HTTPS_PROXY` / `HTTP_PROXY` / `NO_PROXY` when no explicit
    /// proxy is given (default true; tests against loopback turn it off).
    pub use_env_proxy: bool,
    /// Extra PEM CA bundles, trusted in addition to the system roots.
    pub ca_bundles: Vec<PathBuf>,
    /// TCP/TLS connect timeout (30 s, as the vendor).
    pub connect_timeout: Duration,
    /// Whole-request timeout for authentication calls (30 s).
    pub request_timeout: Duration,
    /// Attempts of the connection test in [`Client::authenticate`] (3).
    pub auth_attempts: u32,
    /// Pause between those attempts (5 s).
    pub auth_retry_delay: Duration,
}

impl ClientOptions {
    /// Options with the vendor's defaults.
    pub fn new(api_url: impl Into<String>, credentials: Credentials) -> ClientOptions {
        ClientOptions {
            api_url: api_url.into(),
            credentials,
            proxy: None,
            use_env_proxy: true,
            ca_bundles: Vec::new(),
            connect_timeout: Duration::from_secs(30),
            request_timeout: Duration::from_secs(30),
            auth_attempts: 3,
            auth_retry_delay: Duration::from_secs(5),
        }
    }
}

impl fmt::Debug for ClientOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientOptions")
            .field("api_url", &self.api_url)
            .field("credentials", &self.credentials)
            .field("proxy", &self.proxy.as_deref().map(redact_userinfo))
            .field("use_env_proxy", &self.use_env_proxy)
            .field("ca_bundles", &self.ca_bundles)
            .field("connect_timeout", &self.connect_timeout)
            .field("request_timeout", &self.request_timeout)
            .field("auth_attempts", &self.auth_attempts)
            .field("auth_retry_delay", &self.auth_retry_delay)
            .finish()
    }
}

/// `scheme://user:pass@host` → `scheme://***@host`.
pub(crate) fn redact_userinfo(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let authority_end = rest.find('/').unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => {
            let prefix = if scheme.is_empty() {
                String::new()
            } else {
                format!("{scheme}://")
            };
            format!("{prefix}***{}", &rest[at..])
        }
        None => url.to_owned(),
    }
}

/// The `user:pass` part of a proxy URL.
pub(crate) fn proxy_userinfo(proxy: &str) -> Option<&str> {
    let rest = proxy.split_once("://").map_or(proxy, |(_, r)| r);
    let authority = &rest[..rest.find('/').unwrap_or(rest.len())];
    authority.rfind('@').map(|at| &authority[..at])
}

#[cfg(test)]
mod tests {
    use super::{proxy_userinfo, redact_userinfo};

    #[test]
    fn proxy_credentials_are_redacted() {
        assert_eq!(
            redact_userinfo("http://u:p@proxy:3128"),
            "http://***@proxy:3128"
        );
        assert_eq!(redact_userinfo("proxy:3128"), "proxy:3128");
        assert_eq!(proxy_userinfo("http://u:pw@h:1/x"), Some("u:pw"));
        assert_eq!(proxy_userinfo("h:1"), None);
    }
}
