//! HTTP/1.1 to the engine over a unix socket, TCP or TLS, driven by a small
//! private tokio runtime behind a blocking facade.
//!
//! One connection per request: the engine is local or near, and this keeps a
//! stalled stream from blocking other calls. Streamed bodies cross into
//! synchronous code through a bounded channel, so a multi-GB `docker save`
//! is never held in memory: the pump waits while the reader is behind.

use std::io::{self, Read};
use std::sync::Arc;
use std::time::Duration;

use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Body, Bytes, Frame, Incoming};
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::runtime::Runtime;
use tokio::sync::mpsc;

use crate::config::{DockerConfig, Endpoint};
use crate::{tls, DockerError};

/// Chunks buffered between the network and a slow reader (each at most a
/// few tens of KiB): bounded, so memory stays flat whatever the body size.
const CHANNEL_CHUNKS: usize = 32;
/// Largest JSON answer we read into memory.
pub(crate) const MAX_JSON: usize = 64 << 20;

trait Io: AsyncRead + AsyncWrite + Send + Unpin {}
impl<T: AsyncRead + AsyncWrite + Send + Unpin> Io for T {}

pub(crate) type ReqBody = BoxBody<Bytes, io::Error>;

pub(crate) struct Transport {
    pub(crate) rt: Arc<Runtime>,
    pub(crate) config: DockerConfig,
    pub(crate) endpoint: String,
    tls: Option<Arc<rustls::ClientConfig>>,
}

impl Transport {
    pub(crate) fn new(config: DockerConfig) -> Result<Transport, DockerError> {
        let endpoint = config.endpoint.to_string();
        let tls = match (&config.endpoint, &config.tls) {
            (Endpoint::Tcp { .. }, Some(settings)) => {
                Some(tls::client_config(settings, &endpoint)?)
            }
            (Endpoint::Unix(_), Some(_)) => {
                return Err(DockerError::Config(format!(
                    "TLS settings given for unix socket {endpoint}"
                )))
            }
            _ => None,
        };
        // Two workers: one can sit in a body pump while the other serves a
        // concurrent call's connection.
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("portcullis-docker")
            .enable_io()
            .enable_time()
            .build()
            .map_err(|e| DockerError::Config(format!("cannot start the I/O runtime: {e}")))?;
        Ok(Transport {
            rt: Arc::new(rt),
            config,
            endpoint,
            tls,
        })
    }

    fn timeout_err(&self, what: &'static str, limit: Duration) -> DockerError {
        DockerError::Timeout {
            endpoint: self.endpoint.clone(),
            what,
            seconds: limit.as_secs(),
        }
    }

    async fn connect(&self) -> Result<Box<dyn Io>, DockerError> {
        let limit = self.config.connect_timeout;
        let endpoint = &self.endpoint;
        let io: Box<dyn Io> = match &self.config.endpoint {
            Endpoint::Unix(path) => {
                let stream = tokio::time::timeout(limit, tokio::net::UnixStream::connect(path))
                    .await
                    .map_err(|_| self.timeout_err("accept the connection", limit))?
                    .map_err(|e| match e.kind() {
                        io::ErrorKind::NotFound => DockerError::SocketMissing {
                            endpoint: endpoint.clone(),
                        },
                        io::ErrorKind::PermissionDenied => DockerError::PermissionDenied {
                            endpoint: endpoint.clone(),
                        },
                        _ => DockerError::Connect {
                            endpoint: endpoint.clone(),
                            source: e,
                        },
                    })?;
                Box::new(stream)
            }
            Endpoint::Tcp { host, port } => {
                let connect = async {
                    let tcp = tokio::net::TcpStream::connect((host.as_str(), *port))
                        .await
                        .map_err(|e| DockerError::Connect {
                            endpoint: endpoint.clone(),
                            source: e,
                        })?;
                    let _ = tcp.set_nodelay(true);
                    match &self.tls {
                        None => Ok::<Box<dyn Io>, DockerError>(Box::new(tcp)),
                        Some(cfg) => {
                            let name = tls::server_name(host, endpoint)?;
                            let stream = tokio_rustls::TlsConnector::from(cfg.clone())
                                .connect(name, tcp)
                                .await
                                .map_err(|e| DockerError::Tls {
                                    endpoint: endpoint.clone(),
                                    reason: tls::describe(&e),
                                })?;
                            Ok::<Box<dyn Io>, DockerError>(Box::new(stream))
                        }
                    }
                };
                tokio::time::timeout(limit, connect)
                    .await
                    .map_err(|_| self.timeout_err("accept the connection", limit))??
            }
        };
        Ok(io)
    }

    /// Sends one request on a fresh connection; waits at most `limit` for
    /// the response headers.
    pub(crate) async fn send(
        &self,
        req: Request<ReqBody>,
        limit: Duration,
    ) -> Result<Response<Incoming>, DockerError> {
        let io = self.connect().await?;
        let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(io))
            .await
            .map_err(|e| self.hyper_err(&e))?;
        // The connection task ends with the exchange. Dropping its handle on
        // success does not stop it (the body is still to be streamed).
        let connection = tokio::spawn(conn);
        match tokio::time::timeout(limit, sender.send_request(req)).await {
            Err(_) => Err(self.timeout_err("answer", limit)),
            Ok(Ok(response)) => Ok(response),
            Ok(Err(e)) => {
                // The request may only learn that the connection closed; why
                // it closed is the connection's own error. Under TLS 1.3 a
                // rejected client certificate arrives as an alert after the
                // handshake, and whether the request or the connection sees
                // it first is a race: prefer the connection's reason.
                if let Ok(Ok(Err(closed))) = tokio::time::timeout(limit, connection).await {
                    if tls::find_tls_error(&closed).is_some() {
                        return Err(self.hyper_err(&closed));
                    }
                }
                Err(self.hyper_err(&e))
            }
        }
    }

    /// Classifies a hyper error: TLS alerts (a rejected client certificate
    /// shows up only after the handshake under TLS 1.3) are TLS errors.
    pub(crate) fn hyper_err(&self, e: &(dyn std::error::Error + 'static)) -> DockerError {
        if let Some(reason) = tls::find_tls_error(e) {
            return DockerError::Tls {
                endpoint: self.endpoint.clone(),
                reason,
            };
        }
        let mut reason = e.to_string();
        let mut cause = e.source();
        while let Some(c) = cause {
            reason.push_str(": ");
            reason.push_str(&c.to_string());
            cause = c.source();
        }
        // Plain HTTP sent to a TLS port gets a TLS alert or a hang-up back,
        // which hyper can only call malformed: say what is likely meant.
        if self.tls.is_none() && matches!(self.config.endpoint, Endpoint::Tcp { .. }) {
            reason.push_str(
                " (if the engine expects TLS, give its certificate directory: \
                 DOCKER_CERT_PATH or --docker-cert-path)",
            );
        }
        DockerError::Protocol {
            endpoint: self.endpoint.clone(),
            reason,
        }
    }

    /// Reads a whole (bounded) body.
    pub(crate) async fn collect(
        &self,
        body: Incoming,
        limit: Duration,
    ) -> Result<Bytes, DockerError> {
        let collected = tokio::time::timeout(limit, Limited::new(body, MAX_JSON).collect())
            .await
            .map_err(|_| self.timeout_err("send the whole answer", limit))?
            .map_err(|e| DockerError::Protocol {
                endpoint: self.endpoint.clone(),
                reason: format!("reading the answer: {e}"),
            })?;
        Ok(collected.to_bytes())
    }

    /// Hands a body to synchronous code as a `Read`.
    pub(crate) fn stream(&self, body: Incoming) -> BodyReader {
        let (tx, rx) = mpsc::channel(CHANNEL_CHUNKS);
        let idle = self.config.stream_timeout;
        self.rt.spawn(pump(body, tx, idle));
        BodyReader {
            rx,
            chunk: Bytes::new(),
            _rt: self.rt.clone(),
        }
    }
}

async fn pump(mut body: Incoming, tx: mpsc::Sender<io::Result<Bytes>>, idle: Duration) {
    loop {
        let item = match tokio::time::timeout(idle, body.frame()).await {
            Err(_) => Err(io::Error::new(
                io::ErrorKind::TimedOut,
                format!("the Docker engine sent nothing for {}s", idle.as_secs()),
            )),
            Ok(None) => return,
            Ok(Some(Err(e))) => Err(io::Error::other(format!(
                "the Docker engine stream broke: {e}"
            ))),
            Ok(Some(Ok(frame))) => match frame.into_data() {
                Ok(data) if data.is_empty() => continue,
                Ok(data) => Ok(data),
                Err(_trailers) => continue,
            },
        };
        let stop = item.is_err();
        // A send error means the reader was dropped: stop, which closes the
        // connection and lets the engine abandon the export.
        if tx.send(item).await.is_err() || stop {
            return;
        }
    }
}

/// A streamed response body. Reading blocks until the engine sends more;
/// a silence longer than the stream timeout is a `TimedOut` error.
///
/// Do not read it from inside an async runtime: it blocks the thread.
pub struct BodyReader {
    rx: mpsc::Receiver<io::Result<Bytes>>,
    chunk: Bytes,
    // Keeps the runtime driving the connection alive as long as the reader,
    // even if the client is dropped first.
    _rt: Arc<Runtime>,
}

impl Read for BodyReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.chunk.is_empty() {
            match self.rx.blocking_recv() {
                Some(Ok(data)) => self.chunk = data,
                Some(Err(e)) => return Err(e),
                None => return Ok(0),
            }
        }
        let n = buf.len().min(self.chunk.len());
        buf[..n].copy_from_slice(&self.chunk[..n]);
        let _ = self.chunk.split_to(n);
        Ok(n)
    }
}

impl std::fmt::Debug for BodyReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BodyReader")
    }
}

pub(crate) fn empty_body() -> ReqBody {
    Full::new(Bytes::new())
        .map_err(|never| match never {})
        .boxed()
}

/// A request body fed from a synchronous `Read` on a blocking thread.
pub(crate) fn reader_body(rt: &Runtime, mut reader: Box<dyn Read + Send>) -> ReqBody {
    let (tx, rx) = mpsc::channel::<io::Result<Bytes>>(CHANNEL_CHUNKS);
    rt.spawn_blocking(move || {
        let mut buf = vec![0u8; 256 * 1024];
        loop {
            let item = match reader.read(&mut buf) {
                Ok(0) => return,
                Ok(n) => Ok(Bytes::copy_from_slice(&buf[..n])),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => Err(e),
            };
            let stop = item.is_err();
            if tx.blocking_send(item).is_err() || stop {
                return;
            }
        }
    });
    ChannelBody { rx }.boxed()
}

struct ChannelBody {
    rx: mpsc::Receiver<io::Result<Bytes>>,
}

impl Body for ChannelBody {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        self.rx
            .poll_recv(cx)
            .map(|item| item.map(|r| r.map(Frame::data)))
    }
}
