//! Errors of this crate. None of them ever carries a secret: URLs are
//! redacted before they are put into a message, tokens never are.

use std::path::PathBuf;

/// Why a CI output could not be written or an option is unusable.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NotifyError {
    /// An output variable name the CI systems would not accept.
    #[error("invalid output variable name {0:?}: use ASCII letters, digits and '_', starting with a letter or '_' (at most 100)")]
    OutputName(String),
    /// The heredoc delimiter occurs in the value it should frame.
    #[error("the GitHub output delimiter {0:?} occurs in the value")]
    Delimiter(String),
    /// The webhook URL is not an absolute http(s) URL (redacted form shown).
    #[error("invalid webhook URL {url}: {reason}")]
    WebhookUrl {
        /// The URL with its userinfo and query redacted.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A file could not be written.
    #[error("could not write {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What the OS reported.
        source: std::io::Error,
    },
}
