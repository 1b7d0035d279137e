//! A small blocking client for the Docker Engine API (v1.24 – v1.45; see
//! the Engine API reference, "Docker Engine API" v1.41 for engine 20.10).
//!
//! It speaks HTTP/1.1 directly to the engine (never the docker CLI) over the
//! local unix socket, plain TCP, or TLS with client certificates, and
//! negotiates the API version with `GET /version`. Calls block; large
//! bodies (`docker save` exports) come back as a [`std::io::Read`] fed
//! through a bounded buffer, so they are never held in memory.
//!
//! ```no_run
//! let docker = portcullis_docker::Docker::from_env()?;
//! let image = docker.image_inspect("alpine:3.18")?;
//! let mut tar = docker.image_export(&image.id)?;
//! std::io::copy(&mut tar, &mut std::io::sink()).unwrap();
//! # Ok::<(), portcullis_docker::DockerError>(())
//! ```
//!
//! [`connector`] builds on it for the platform connector (`--backend
//! qualys|server`): sensor check, image name → sha, scan tags, and the
//! vendor's certificate-directory rules.
//!
//! Do not call it from inside an async runtime: it runs its own.
#![warn(missing_docs)]

mod config;
pub mod connector;
mod error;
mod models;
mod tls;
mod transport;

use std::io::Read;
use std::sync::OnceLock;

use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper::{Method, Request, Response, StatusCode};
use serde::de::DeserializeOwned;

pub use config::{DockerConfig, Endpoint, TlsSettings, DEFAULT_SOCKET};
pub use connector::{
    check_sensor, connect, resolve_image, resolve_images, tag_for_scan, validate_cert_dir,
    ConnectorError, Duplicate, Resolved, ResolvedImage, SensorError, SensorInfo, SensorKind,
    PORTCULLIS_SCAN_REPO, PORTCULLIS_SENSOR_LABEL, QUALYS_SCAN_REPO,
};
pub use error::DockerError;
pub use models::{
    ContainerConfig, ContainerHealth, ContainerInspect, ContainerListOptions, ContainerState,
    ContainerSummary, HistoryItem, ImageInspect, RootFs, Version,
};
pub use transport::BodyReader;

use transport::{ReqBody, Transport};

/// Newest API version we ask for; older engines get their own version.
pub const MAX_API_VERSION: (u32, u32) = (1, 45);
/// Oldest API version whose documents we understand.
pub const MIN_API_VERSION: (u32, u32) = (1, 24);

/// A connection to one Docker engine. Cheap to share: `Send + Sync`, and
/// every call opens its own connection.
pub struct Docker {
    transport: Transport,
    api_prefix: OnceLock<String>,
}

impl std::fmt::Debug for Docker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Docker")
            .field("endpoint", &self.transport.endpoint)
            .finish()
    }
}

impl Docker {
    /// A client for `config`. Reads TLS material now; connects lazily.
    pub fn new(config: DockerConfig) -> Result<Docker, DockerError> {
        let api_prefix = OnceLock::new();
        if let Some(v) = &config.api_version {
            parse_version(v).ok_or_else(|| {
                DockerError::Config(format!("API version {v:?} is not MAJOR.MINOR"))
            })?;
            let _ = api_prefix.set(format!("/v{v}"));
        }
        Ok(Docker {
            transport: Transport::new(config)?,
            api_prefix,
        })
    }

    /// A client configured from `DOCKER_HOST` and friends.
    pub fn from_env() -> Result<Docker, DockerError> {
        Docker::new(DockerConfig::from_env()?)
    }

    /// The engine address, as shown in messages.
    pub fn endpoint(&self) -> &str {
        &self.transport.endpoint
    }

    /// `GET /version` (unversioned): engine and API versions.
    pub fn version(&self) -> Result<Version, DockerError> {
        self.json_at(Method::GET, "/version".to_owned())
    }

    /// The API version used for calls, negotiated once: the lower of the
    /// engine's and [`MAX_API_VERSION`].
    pub fn api_version(&self) -> Result<String, DockerError> {
        Ok(self.prefix()?.trim_start_matches("/v").to_owned())
    }

    fn prefix(&self) -> Result<&str, DockerError> {
        if let Some(p) = self.api_prefix.get() {
            return Ok(p);
        }
        let v = self.version()?;
        let server = parse_version(&v.api_version).ok_or_else(|| DockerError::Protocol {
            endpoint: self.endpoint().to_owned(),
            reason: format!("engine reports API version {:?}", v.api_version),
        })?;
        if server < MIN_API_VERSION {
            return Err(DockerError::Api {
                endpoint: self.endpoint().to_owned(),
                status: 0,
                message: format!(
                    "engine API {} is older than the oldest we support, 1.{}",
                    v.api_version, MIN_API_VERSION.1
                ),
            });
        }
        let (major, minor) = server.min(MAX_API_VERSION);
        // Two threads may race here; both compute the same answer.
        let _ = self.api_prefix.set(format!("/v{major}.{minor}"));
        Ok(self.api_prefix.get().map_or("", String::as_str))
    }

    /// `GET /images/{name}/json`. `name` may be `name[:tag]`, `name@digest`,
    /// a short or full ID, or `sha256:<id>`.
    pub fn image_inspect(&self, name: &str) -> Result<ImageInspect, DockerError> {
        self.json(Method::GET, &format!("/images/{}/json", segment(name)?))
    }

    /// `GET /images/{name}/history`, newest step first.
    pub fn image_history(&self, name: &str) -> Result<Vec<HistoryItem>, DockerError> {
        self.json(Method::GET, &format!("/images/{}/history", segment(name)?))
    }

    /// `GET /images/{name}/get`: the image as a `docker save` tar stream.
    /// The engine assembles the whole archive before sending its first
    /// byte, so the headers may take a while (bounded by the stream timeout).
    pub fn image_export(&self, name: &str) -> Result<BodyReader, DockerError> {
        let path = format!("{}/images/{}/get", self.prefix()?, segment(name)?);
        let resp = self.call(Method::GET, &path, transport::empty_body(), None, true)?;
        Ok(self.transport.stream(resp.into_body()))
    }

    /// `POST /images/load`: loads a `docker save` tar, streamed from `tar`.
    /// Returns what the engine reports as loaded (`name:tag` or image IDs).
    pub fn image_load(&self, tar: impl Read + Send + 'static) -> Result<Vec<String>, DockerError> {
        let path = format!("{}/images/load?quiet=1", self.prefix()?);
        let body = transport::reader_body(&self.transport.rt, Box::new(tar));
        let resp = self.call(Method::POST, &path, body, Some("application/x-tar"), true)?;
        let bytes = self.collect(resp, true)?;
        let mut loaded = Vec::new();
        for msg in serde_json::Deserializer::from_slice(&bytes).into_iter::<serde_json::Value>() {
            let msg =
                msg.map_err(|e| self.protocol(format!("image load progress is not JSON: {e}")))?;
            if let Some(err) = msg.get("error").and_then(|e| e.as_str()) {
                return Err(DockerError::Api {
                    endpoint: self.endpoint().to_owned(),
                    status: 200,
                    message: err.to_owned(),
                });
            }
            let line = msg
                .get("stream")
                .and_then(|s| s.as_str())
                .unwrap_or_default()
                .trim();
            if let Some(name) = line
                .strip_prefix("Loaded image ID: ")
                .or_else(|| line.strip_prefix("Loaded image: "))
            {
                loaded.push(name.to_owned());
            }
        }
        Ok(loaded)
    }

    /// `POST /images/{name}/tag?repo=&tag=`.
    pub fn image_tag(&self, name: &str, repo: &str, tag: &str) -> Result<(), DockerError> {
        self.image_tag_status(name, repo, tag).map(drop)
    }

    /// [`Docker::image_tag`], returning the success status: the connector
    /// insists on the documented `201 Created`, as the vendor plugin does.
    pub(crate) fn image_tag_status(
        &self,
        name: &str,
        repo: &str,
        tag: &str,
    ) -> Result<StatusCode, DockerError> {
        let path = format!(
            "/images/{}/tag?repo={}&tag={}",
            segment(name)?,
            encode(checked(repo)?),
            encode(tag)
        );
        self.no_content(Method::POST, &path)
    }

    /// `DELETE /images/{name}`; `force` also removes an image in use or
    /// with several tags.
    pub fn image_remove(&self, name: &str, force: bool) -> Result<(), DockerError> {
        self.no_content(
            Method::DELETE,
            &format!("/images/{}?force={force}", segment(name)?),
        )
        .map(drop)
    }

    /// `GET /containers/json` with optional filters.
    pub fn containers(
        &self,
        options: &ContainerListOptions,
    ) -> Result<Vec<ContainerSummary>, DockerError> {
        let mut path = format!("/containers/json?all={}", options.all);
        if !options.filters.is_empty() {
            let filters = serde_json::to_string(&options.filters)
                .map_err(|e| DockerError::Config(e.to_string()))?;
            path.push_str("&filters=");
            path.push_str(&encode(&filters));
        }
        self.json(Method::GET, &path)
    }

    /// `GET /containers/{id}/json`.
    pub fn container_inspect(&self, id: &str) -> Result<ContainerInspect, DockerError> {
        self.json(Method::GET, &format!("/containers/{}/json", segment(id)?))
    }

    fn json<T: DeserializeOwned>(&self, method: Method, path: &str) -> Result<T, DockerError> {
        let full = format!("{}{path}", self.prefix()?);
        self.json_at(method, full)
    }

    fn json_at<T: DeserializeOwned>(&self, method: Method, full: String) -> Result<T, DockerError> {
        let resp = self.call(method, &full, transport::empty_body(), None, false)?;
        let bytes = self.collect(resp, false)?;
        serde_json::from_slice(&bytes)
            .map_err(|e| self.protocol(format!("unexpected answer to {full}: {e}")))
    }

    fn no_content(&self, method: Method, path: &str) -> Result<StatusCode, DockerError> {
        let full = format!("{}{path}", self.prefix()?);
        let resp = self.call(method, &full, transport::empty_body(), None, false)?;
        let status = resp.status();
        self.collect(resp, false).map(|_| status)
    }

    fn protocol(&self, reason: String) -> DockerError {
        DockerError::Protocol {
            endpoint: self.endpoint().to_owned(),
            reason,
        }
    }

    fn collect(
        &self,
        resp: Response<Incoming>,
        streaming: bool,
    ) -> Result<hyper::body::Bytes, DockerError> {
        let t = &self.transport;
        let limit = if streaming {
            t.config.stream_timeout
        } else {
            t.config.response_timeout
        };
        t.rt.block_on(t.collect(resp.into_body(), limit))
    }

    /// Sends a request and turns an error status into a typed error.
    fn call(
        &self,
        method: Method,
        path: &str,
        body: ReqBody,
        content_type: Option<&str>,
        streaming: bool,
    ) -> Result<Response<Incoming>, DockerError> {
        let t = &self.transport;
        let host = match &t.config.endpoint {
            Endpoint::Unix(_) => "docker".to_owned(),
            Endpoint::Tcp { host, port } if host.contains(':') => format!("[{host}]:{port}"),
            Endpoint::Tcp { host, port } => format!("{host}:{port}"),
        };
        let mut req = Request::builder()
            .method(method)
            .uri(path)
            .header(hyper::header::HOST, host);
        if let Some(ct) = content_type {
            req = req.header(hyper::header::CONTENT_TYPE, ct);
        }
        let req = req
            .body(body)
            .map_err(|e| self.protocol(format!("building request {path}: {e}")))?;
        let limit = if streaming {
            t.config.stream_timeout
        } else {
            t.config.response_timeout
        };
        let resp = t.rt.block_on(t.send(req, limit))?;
        let status = resp.status();
        if status.is_success() {
            return Ok(resp);
        }
        let message = t.rt.block_on(async {
            let body = tokio::time::timeout(
                t.config.response_timeout,
                http_body_util::Limited::new(resp.into_body(), 1 << 20).collect(),
            )
            .await;
            match body {
                Ok(Ok(b)) => error_message(&b.to_bytes()),
                _ => String::new(),
            }
        });
        let message = if message.is_empty() {
            status.canonical_reason().unwrap_or("error").to_owned()
        } else {
            message
        };
        Err(if status == StatusCode::NOT_FOUND {
            DockerError::NotFound {
                endpoint: self.endpoint().to_owned(),
                message,
            }
        } else {
            DockerError::Api {
                endpoint: self.endpoint().to_owned(),
                status: status.as_u16(),
                message,
            }
        })
    }
}

/// The engine's `{"message": "..."}`, or the text itself.
fn error_message(body: &[u8]) -> String {
    #[derive(serde::Deserialize)]
    struct Msg {
        message: String,
    }
    match serde_json::from_slice::<Msg>(body) {
        Ok(m) => m.message,
        Err(_) => String::from_utf8_lossy(&body[..body.len().min(512)])
            .trim()
            .to_owned(),
    }
}

fn parse_version(v: &str) -> Option<(u32, u32)> {
    let (major, minor) = v.trim().split_once('.')?;
    Some((major.parse().ok()?, minor.parse().ok()?))
}

/// Image and container references go into the URL path as they are (the
/// engine's routes take `{name:.*}`), so only their own alphabet is let
/// through: nothing can add a query, climb with `..`, or split the path.
fn checked(name: &str) -> Result<&str, DockerError> {
    let ok = !name.is_empty()
        && name.len() <= 512
        && !name.starts_with('/')
        && !name.contains("..")
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-/:@".contains(&b));
    if ok {
        Ok(name)
    } else {
        Err(DockerError::InvalidName(name.to_owned()))
    }
}

/// A checked name as one URL path segment: `/` and anything outside the
/// RFC 3986 `pchar` set are percent-encoded. The engine decodes the path
/// before routing, so `reg:5000/repo:tag` still reaches `{name:.*}`, and the
/// name can never be read as more than one segment by a proxy in between.
fn segment(name: &str) -> Result<String, DockerError> {
    let name = checked(name)?;
    let mut out = String::with_capacity(name.len() + 8);
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~:@".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    Ok(out)
}

/// Percent-encodes a query value (RFC 3986 unreserved characters pass).
fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validates_names() {
        for good in [
            "alpine",
            "alpine:3.18",
            "reg:5000/a/b:1",
            "a@sha256:00",
            "0123456789ab",
            "sha256:0123",
        ] {
            assert!(checked(good).is_ok(), "{good}");
        }
        for bad in ["", "a?b", "a b", "../x", "/x", "a#b", "a%2f"] {
            assert!(checked(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn encodes_and_parses() {
        assert_eq!(
            encode(r#"{"label":["a=b"]}"#),
            "%7B%22label%22%3A%5B%22a%3Db%22%5D%7D"
        );
        assert_eq!(
            segment("reg:5000/a/b:1@sha256:00").unwrap(),
            "reg:5000%2Fa%2Fb:1@sha256:00"
        );
        assert!(segment("a?b").is_err());
        assert_eq!(parse_version("1.41"), Some((1, 41)));
        assert_eq!(parse_version("x"), None);
        assert!(parse_version("1.41").unwrap().min(MAX_API_VERSION) == (1, 41));
        assert_eq!(
            error_message(br#"{"message":"No such image: x"}"#),
            "No such image: x"
        );
        assert_eq!(error_message(b"page not found\n"), "page not found");
    }

    #[test]
    fn missing_socket_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let sock = dir.path().join("nope.sock");
        let docker = Docker::new(DockerConfig::new(Endpoint::Unix(sock.clone()), None)).unwrap();
        let err = docker.version().unwrap_err();
        assert!(matches!(err, DockerError::SocketMissing { .. }), "{err}");
        assert!(
            err.to_string().contains(&sock.display().to_string()),
            "{err}"
        );
    }
}
