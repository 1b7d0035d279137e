use std::io;

/// Why a call to the Docker engine failed. Every message names the endpoint
/// (`unix:///var/run/docker.sock`, `tcp://host:port`) and nothing secret:
/// endpoints carry no credentials, and key material never reaches a message.
#[derive(Debug, thiserror::Error)]
pub enum DockerError {
    /// The configuration (environment or options) is unusable.
    #[error("invalid Docker engine configuration: {0}")]
    Config(String),
    /// A name or ID contains characters no image or container name has.
    #[error("invalid Docker object name {0:?}")]
    InvalidName(String),
    /// The unix socket does not exist.
    #[error("Docker socket {endpoint} does not exist: is the Docker engine running? (DOCKER_HOST selects another endpoint)")]
    SocketMissing {
        /// The socket URL.
        endpoint: String,
    },
    /// The socket exists but we may not open it.
    #[error("permission denied on Docker socket {endpoint}: run as root or as a member of the socket's group")]
    PermissionDenied {
        /// The socket URL.
        endpoint: String,
    },
    /// Connecting failed (refused, unreachable, name unknown).
    #[error("cannot connect to the Docker engine at {endpoint}: {source}")]
    Connect {
        /// The engine URL.
        endpoint: String,
        /// The cause.
        #[source]
        source: io::Error,
    },
    /// The TLS handshake or certificate setup failed.
    #[error("TLS with the Docker engine at {endpoint} failed: {reason}")]
    Tls {
        /// The engine URL.
        endpoint: String,
        /// What went wrong (certificate rejected, unreadable key, …).
        reason: String,
    },
    /// The engine did not answer in time.
    #[error("the Docker engine at {endpoint} did not {what} within {seconds}s")]
    Timeout {
        /// The engine URL.
        endpoint: String,
        /// Which step stalled.
        what: &'static str,
        /// The limit that was hit.
        seconds: u64,
    },
    /// The engine answered 404: no such image or container.
    #[error("Docker engine at {endpoint}: {message}")]
    NotFound {
        /// The engine URL.
        endpoint: String,
        /// The engine's message, e.g. `No such image: alpine:latest`.
        message: String,
    },
    /// The engine answered with another error status.
    #[error("the Docker engine at {endpoint} answered {status}: {message}")]
    Api {
        /// The engine URL.
        endpoint: String,
        /// HTTP status.
        status: u16,
        /// The engine's message.
        message: String,
    },
    /// The exchange broke (connection reset, malformed HTTP or JSON).
    #[error("talking to the Docker engine at {endpoint}: {reason}")]
    Protocol {
        /// The engine URL.
        endpoint: String,
        /// What went wrong.
        reason: String,
    },
}

impl DockerError {
    /// Whether the engine reported that the object does not exist.
    pub fn is_not_found(&self) -> bool {
        matches!(self, DockerError::NotFound { .. })
    }
}
