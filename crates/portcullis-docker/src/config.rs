//! Where the engine is and how to reach it: `DOCKER_HOST`, `DOCKER_CERT_PATH`,
//! `DOCKER_TLS_VERIFY` and `DOCKER_API_VERSION`, read the way the docker CLI
//! reads them (with one deliberate difference, see [`DockerConfig::from_env`]).

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::DockerError;

/// The product default: the engine's local socket.
pub const DEFAULT_SOCKET: &str = "/var/run/docker.sock";

/// Where the engine listens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Endpoint {
    /// A unix socket (`unix:///var/run/docker.sock`).
    Unix(PathBuf),
    /// A TCP address (`tcp://host:port`), plain or TLS.
    Tcp {
        /// Host name or IP address (IPv6 without brackets).
        host: String,
        /// Port.
        port: u16,
    },
}

impl Endpoint {
    /// Parses a `DOCKER_HOST` value: `unix://PATH`, `tcp://HOST[:PORT]`
    /// (`http://`, `https://` accepted as synonyms), or a bare absolute socket
    /// path. `default_port` is used when the TCP form omits the port.
    pub fn parse(s: &str, default_port: u16) -> Result<Endpoint, DockerError> {
        let bad = |why: &str| DockerError::Config(format!("DOCKER_HOST {:?}: {why}", redact(s)));
        if let Some(path) = s.strip_prefix("unix://") {
            if path.is_empty() {
                return Err(bad("no socket path"));
            }
            return Ok(Endpoint::Unix(PathBuf::from(path)));
        }
        if s.starts_with('/') {
            return Ok(Endpoint::Unix(PathBuf::from(s)));
        }
        let rest = ["tcp://", "http://", "https://"]
            .iter()
            .find_map(|p| s.strip_prefix(p))
            .ok_or_else(|| bad("only unix:// and tcp:// endpoints are supported"))?;
        // A path or credentials in the URL mean nothing to the engine API;
        // refusing them keeps a password from ever reaching an error message.
        let authority = rest.trim_end_matches('/');
        if authority.contains('/') || authority.contains('@') {
            return Err(bad("expected tcp://HOST[:PORT] with no path or user"));
        }
        let (host, port) = split_host_port(authority).ok_or_else(|| bad("malformed host:port"))?;
        if host.is_empty() {
            return Err(bad("no host"));
        }
        Ok(Endpoint::Tcp {
            host: host.to_owned(),
            port: port.unwrap_or(default_port),
        })
    }
}

/// Hides a `user:password@` part so that it never reaches a message.
fn redact(s: &str) -> String {
    match (s.split_once("://"), s.rsplit_once('@')) {
        (Some((scheme, _)), Some((_, after))) => format!("{scheme}://***@{after}"),
        (None, Some((_, after))) => format!("***@{after}"),
        _ => s.to_owned(),
    }
}

/// `host`, `host:port`, `[v6]`, `[v6]:port`.
fn split_host_port(s: &str) -> Option<(&str, Option<u16>)> {
    if let Some(rest) = s.strip_prefix('[') {
        let (host, after) = rest.split_once(']')?;
        return match after {
            "" => Some((host, None)),
            p => Some((host, Some(p.strip_prefix(':')?.parse().ok()?))),
        };
    }
    match s.rsplit_once(':') {
        Some((h, p)) if !h.contains(':') => Some((h, Some(p.parse().ok()?))),
        Some(_) => None,
        None => Some((s, None)),
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Endpoint::Unix(p) => write!(f, "unix://{}", p.display()),
            Endpoint::Tcp { host, port } if host.contains(':') => {
                write!(f, "tcp://[{host}]:{port}")
            }
            Endpoint::Tcp { host, port } => write!(f, "tcp://{host}:{port}"),
        }
    }
}

/// TLS material for a TCP endpoint: a directory holding `ca.pem` (roots the
/// engine's certificate must chain to), and optionally `cert.pem` + `key.pem`
/// (our client certificate). The engine's certificate is always verified.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TlsSettings {
    /// Directory with `ca.pem`, `cert.pem`, `key.pem`.
    pub cert_dir: PathBuf,
}

/// How to reach the engine.
#[derive(Clone, Debug)]
pub struct DockerConfig {
    /// Engine address.
    pub endpoint: Endpoint,
    /// TLS for a TCP endpoint; `None` means plain HTTP.
    pub tls: Option<TlsSettings>,
    /// Bound on establishing the connection (and the TLS handshake).
    pub connect_timeout: Duration,
    /// Bound on waiting for the response headers of ordinary calls, and on
    /// reading their (small) bodies.
    pub response_timeout: Duration,
    /// Bound on waiting for the headers of a streaming call (the engine
    /// prepares a whole `docker save` before its first byte) and on any
    /// silence between two chunks of a streamed body.
    pub stream_timeout: Duration,
    /// API version to use instead of negotiating (`DOCKER_API_VERSION`).
    pub api_version: Option<String>,
}

impl DockerConfig {
    /// The local socket with default timeouts.
    pub fn local() -> DockerConfig {
        DockerConfig::new(Endpoint::Unix(PathBuf::from(DEFAULT_SOCKET)), None)
    }

    /// An endpoint with default timeouts.
    pub fn new(endpoint: Endpoint, tls: Option<TlsSettings>) -> DockerConfig {
        DockerConfig {
            endpoint,
            tls,
            connect_timeout: Duration::from_secs(10),
            response_timeout: Duration::from_secs(120),
            stream_timeout: Duration::from_secs(30 * 60),
            api_version: None,
        }
    }

    /// Reads `DOCKER_HOST` (default: the local socket), `DOCKER_CERT_PATH`,
    /// `DOCKER_TLS_VERIFY` and `DOCKER_API_VERSION`.
    ///
    /// TLS is used for a TCP endpoint when `DOCKER_TLS_VERIFY` is non-empty
    /// (certificates from `DOCKER_CERT_PATH`, default `~/.docker`) or when
    /// `DOCKER_CERT_PATH` is set. Unlike the docker CLI, which skips server
    /// verification in the second case, we always verify: a scanner should
    /// not trust an engine it cannot authenticate.
    pub fn from_env() -> Result<DockerConfig, DockerError> {
        Self::from_lookup(|k| std::env::var(k).ok().filter(|v| !v.is_empty()))
    }

    /// [`DockerConfig::from_env`] with an explicit `DOCKER_HOST` and
    /// certificate directory, each falling back to the environment.
    pub fn with_overrides(
        host: Option<&str>,
        cert_dir: Option<&Path>,
    ) -> Result<DockerConfig, DockerError> {
        Self::from_lookup(|k| match k {
            "DOCKER_HOST" if host.is_some() => host.map(str::to_owned),
            "DOCKER_CERT_PATH" if cert_dir.is_some() => cert_dir.map(|p| p.display().to_string()),
            _ => std::env::var(k).ok().filter(|v| !v.is_empty()),
        })
    }

    pub(crate) fn from_lookup(
        get: impl Fn(&str) -> Option<String>,
    ) -> Result<DockerConfig, DockerError> {
        let cert_path = get("DOCKER_CERT_PATH");
        let want_tls = cert_path.is_some() || get("DOCKER_TLS_VERIFY").is_some();
        let endpoint = match get("DOCKER_HOST") {
            // 2376 is the engine's TLS port by convention, 2375 the plain one.
            Some(h) => Endpoint::parse(&h, if want_tls { 2376 } else { 2375 })?,
            None => Endpoint::Unix(PathBuf::from(DEFAULT_SOCKET)),
        };
        let tls = match (&endpoint, want_tls) {
            (Endpoint::Tcp { .. }, true) => {
                let dir = match cert_path {
                    Some(p) => PathBuf::from(p),
                    None => default_cert_dir(&get).ok_or_else(|| {
                        DockerError::Config(
                            "DOCKER_TLS_VERIFY is set but neither DOCKER_CERT_PATH nor HOME is"
                                .into(),
                        )
                    })?,
                };
                Some(TlsSettings { cert_dir: dir })
            }
            _ => None,
        };
        let mut config = DockerConfig::new(endpoint, tls);
        config.api_version = get("DOCKER_API_VERSION");
        Ok(config)
    }
}

fn default_cert_dir(get: &impl Fn(&str) -> Option<String>) -> Option<PathBuf> {
    get("DOCKER_CONFIG")
        .map(PathBuf::from)
        .or_else(|| get("HOME").map(|h| Path::new(&h).join(".docker")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from(vars: &[(&str, &str)]) -> Result<DockerConfig, DockerError> {
        DockerConfig::from_lookup(|k| {
            vars.iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| (*v).to_owned())
        })
    }

    #[test]
    fn parses_endpoints() {
        assert_eq!(
            Endpoint::parse("unix:///run/x.sock", 2375).unwrap(),
            Endpoint::Unix("/run/x.sock".into())
        );
        assert_eq!(
            Endpoint::parse("tcp://10.0.0.1", 2375).unwrap(),
            Endpoint::Tcp {
                host: "10.0.0.1".into(),
                port: 2375
            }
        );
        assert_eq!(
            Endpoint::parse("tcp://h:1234/", 2375).unwrap(),
            Endpoint::Tcp {
                host: "h".into(),
                port: 1234
            }
        );
        assert_eq!(
            Endpoint::parse("tcp://[::1]:5", 2375).unwrap(),
            Endpoint::Tcp {
                host: "::1".into(),
                port: 5
            }
        );
        assert_eq!(
            Endpoint::parse("tcp://[::1]:5", 1).unwrap().to_string(),
            "tcp://[::1]:5"
        );
        for bad in [
            "ssh://u@h",
            "tcp://",
            "tcp://u:secret@h:1",
            "tcp://h:x",
            "unix://",
            "npipe:////./pipe/docker",
        ] {
            let err = Endpoint::parse(bad, 2375).unwrap_err().to_string();
            assert!(!err.contains("secret"), "{err}");
        }
    }

    #[test]
    fn reads_environment() {
        let c = from(&[]).unwrap();
        assert_eq!(c.endpoint, Endpoint::Unix(DEFAULT_SOCKET.into()));
        assert!(c.tls.is_none());
        let c = from(&[("DOCKER_HOST", "tcp://e:1"), ("DOCKER_CERT_PATH", "/c")]).unwrap();
        assert_eq!(
            c.tls,
            Some(TlsSettings {
                cert_dir: "/c".into()
            })
        );
        let c = from(&[
            ("DOCKER_HOST", "tcp://e"),
            ("DOCKER_TLS_VERIFY", "1"),
            ("HOME", "/h"),
        ])
        .unwrap();
        assert_eq!(
            c.endpoint,
            Endpoint::Tcp {
                host: "e".into(),
                port: 2376
            }
        );
        assert_eq!(
            c.tls,
            Some(TlsSettings {
                cert_dir: "/h/.docker".into()
            })
        );
        let c = from(&[("DOCKER_HOST", "tcp://e"), ("DOCKER_API_VERSION", "1.40")]).unwrap();
        assert!(c.tls.is_none());
        assert_eq!(c.api_version.as_deref(), Some("1.40"));
    }
}
