//! What the caller passes and gets back: the token, the delivery options,
//! each attempt and the outcome.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

/// A bearer token. Its `Debug` never shows the value, and no message of
/// this crate ever contains it.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretToken(String);

impl SecretToken {
    /// Wraps a token (e.g. read by the caller from `PORTCULLIS_WEBHOOK_TOKEN`).
    pub fn new(token: impl Into<String>) -> Self {
        SecretToken(token.into())
    }

    pub(super) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SecretToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretToken([redacted])")
    }
}

/// How [`post_webhook`](super::post_webhook) delivers.
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
