//! Errors of the platform client. None of them ever carries a password,
//! client secret or token: they are built from status codes, our own
//! wording and transport error text (whose URLs never hold secrets, because
//! credentials travel in bodies and headers only).

use thiserror::Error;

/// What went wrong talking to the platform or reading its data.
#[derive(Debug, Error)]
pub enum PlatformError {
    /// A duration expression (`--poll-interval`, `--timeout`) is malformed.
    #[error("invalid time value `{input}`: {reason}")]
    InvalidDuration {
        /// The text given.
        input: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The client could not be set up (proxy URL, CA bundle, TLS).
    #[error("platform client configuration: {0}")]
    Config(String),
    /// The platform rejected the credentials (HTTP 401 on `/auth`).
    #[error(
        "Connection test failed; response code : 401; Please provide valid Qualys credentials"
    )]
    InvalidCredentials,
    /// The token does not list the CS module in `modulesAllowed`.
    #[error("CS module is not activated for provided user.")]
    CsModuleNotActivated,
    /// Authentication answered with an unexpected status.
    #[error("Error testing connection; Server returned: {status}; Invalid inputs or something went wrong with server. Please check API server and/or proxy details.")]
    AuthStatus {
        /// HTTP status code.
        status: u16,
    },
    /// The token the platform issued is not a readable JWT.
    #[error("the platform returned a token that is not a readable JWT: {0}")]
    BadToken(String),
    /// The request could not be made or its answer not read.
    #[error("{what}: {detail}")]
    Transport {
        /// Which call.
        what: String,
        /// The transport's explanation.
        detail: String,
    },
    /// The image details could not be converted.
    #[error("image details from the platform: {0}")]
    Details(String),
}

impl PlatformError {
    /// Whether trying again later may help (server errors, transport
    /// problems), as opposed to wrong credentials or a missing module.
    pub fn is_retryable(&self) -> bool {
        match self {
            PlatformError::Transport { .. } => true,
            PlatformError::AuthStatus { status } => *status == 400 || *status >= 500,
            _ => false,
        }
    }
}
