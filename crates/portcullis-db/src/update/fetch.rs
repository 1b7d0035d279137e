//! Getting a feed's bytes into a `.part` file: a conditional HTTP GET
//! streamed to disk, or a copy of a local file.
//!
//! Bounded in time and size: connecting is limited by `connect_timeout`;
//! waiting for the headers and every read of the body by `stall_timeout`
//! (blocking reqwest applies its timeout per read, so it is an idle limit,
//! not a cap on a big download); the body by `max_bytes`. A body shorter
//! than its `Content-Length` is an error (hyper reports the early EOF, and
//! we count the bytes too).

use std::error::Error as StdError;
use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::path::Path;
use std::time::{Duration, Instant};

use reqwest::blocking::{Client, Response};
use reqwest::header::{
    HeaderMap, CONTENT_LENGTH, ETAG, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED,
};
use reqwest::redirect::{Attempt, Policy};
use reqwest::{Certificate, NoProxy, Proxy, StatusCode, Url};
use sha2::{Digest, Sha256};

use super::cache::Sidecar;
use super::redact::Redactor;
use super::{FeedFailure, UpdateError, UpdateOptions};

/// Redirects followed before giving up.
const MAX_REDIRECTS: usize = 10;

/// Progress is reported at most once per this many bytes.
const PROGRESS_STEP: u64 = 1 << 20;

/// What a fetch produced.
#[derive(Debug)]
pub(crate) enum Fetched {
    /// The cached copy is current (HTTP 304, or a local file whose size and
    /// modification time are unchanged). Validators from a 304 replace the
    /// stored ones when the server sent new ones.
    NotModified {
        etag: Option<String>,
        last_modified: Option<String>,
    },
    /// New bytes are in the `.part` file.
    New {
        size: u64,
        sha256: String,
        etag: Option<String>,
        last_modified: Option<String>,
    },
}

pub(crate) struct Http {
    client: Client,
    stall: Duration,
    connect: Duration,
    max_bytes: u64,
    /// The `--proxy` URL, redacted, to say where a connection failed.
    proxy: Option<String>,
}

impl Http {
    pub(crate) fn new(opts: &UpdateOptions, redactor: &Redactor) -> Result<Http, UpdateError> {
        let mut builder = Client::builder()
            .user_agent(concat!("portcullis/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(opts.connect_timeout)
            .timeout(opts.stall_timeout)
            .redirect(Policy::custom(redirect_policy));
        if let Some(proxy) = &opts.proxy {
            // reqwest takes basic-auth credentials from the URL's user info.
            // An explicit proxy replaces HTTP(S)_PROXY; NO_PROXY still
            // applies to it.
            let p = Proxy::all(proxy.as_str()).map_err(|e| {
                UpdateError::BadOption(format!(
                    "--proxy {}: {}",
                    redactor.text(proxy),
                    redactor.text(&error_chain(&e))
                ))
            })?;
            builder = builder.proxy(p.no_proxy(NoProxy::from_env()));
        }
        if let Some(path) = &opts.ca_bundle {
            let pem = fs::read(path).map_err(|e| {
                UpdateError::BadOption(format!("CA bundle {}: {e}", path.display()))
            })?;
            let certs = Certificate::from_pem_bundle(&pem).map_err(|e| {
                UpdateError::BadOption(format!("CA bundle {}: {e}", path.display()))
            })?;
            if certs.is_empty() {
                return Err(UpdateError::BadOption(format!(
                    "CA bundle {}: no PEM certificates in it",
                    path.display()
                )));
            }
            // Added to the system's roots, not instead of them.
            for cert in certs {
                builder = builder.add_root_certificate(cert);
            }
        }
        let client = builder.build().map_err(|e| {
            UpdateError::BadOption(format!(
                "cannot set up the HTTP client: {}",
                redactor.text(&error_chain(&e))
            ))
        })?;
        Ok(Http {
            client,
            stall: opts.stall_timeout,
            connect: opts.connect_timeout,
            max_bytes: opts.max_bytes,
            proxy: opts.proxy.as_deref().map(|p| redactor.text(p)),
        })
    }

    /// GETs `url` into `part`, conditionally when `cached` has validators.
    pub(crate) fn get(
        &self,
        url: &Url,
        cached: Option<&Sidecar>,
        part: &Path,
        progress: &mut dyn FnMut(u64, Option<u64>),
    ) -> Result<Fetched, FeedFailure> {
        let mut req = self.client.get(url.clone());
        let mut conditional = false;
        if let Some(c) = cached {
            if let Some(etag) = &c.etag {
                req = req.header(IF_NONE_MATCH, etag);
                conditional = true;
            }
            if let Some(lm) = &c.last_modified {
                req = req.header(IF_MODIFIED_SINCE, lm);
                conditional = true;
            }
        }
        let resp = req.send().map_err(|e| self.send_failure(&e))?;
        let status = resp.status();
        let etag = header_text(resp.headers(), ETAG);
        let last_modified = header_text(resp.headers(), LAST_MODIFIED);
        // A 304 only means "your copy is current" if we offered a copy.
        if status == StatusCode::NOT_MODIFIED && conditional {
            return Ok(Fetched::NotModified {
                etag,
                last_modified,
            });
        }
        if status != StatusCode::OK {
            return Err(FeedFailure::Http {
                status: status.as_u16(),
            });
        }
        // The header itself, not `content_length()`: that is a body size
        // hint and is not guaranteed to be what the server promised.
        let expected = header_text(resp.headers(), CONTENT_LENGTH).and_then(|v| v.parse().ok());
        if expected.is_some_and(|n: u64| n > self.max_bytes) {
            return Err(FeedFailure::TooLarge {
                limit: self.max_bytes,
            });
        }
        let (size, sha256) = self.stream(resp, expected, part, progress)?;
        if let Some(expected) = expected {
            if size != expected {
                return Err(FeedFailure::Interrupted {
                    got: size,
                    expected: Some(expected),
                    reason: "the body does not have its Content-Length".into(),
                });
            }
        }
        Ok(Fetched::New {
            size,
            sha256,
            etag,
            last_modified,
        })
    }

    fn stream(
        &self,
        mut resp: Response,
        expected: Option<u64>,
        part: &Path,
        progress: &mut dyn FnMut(u64, Option<u64>),
    ) -> Result<(u64, String), FeedFailure> {
        let mut out = File::create(part).map_err(|e| local_io("writing", part, &e))?;
        let mut hasher = Sha256::new();
        let mut buf = vec![0u8; 1 << 16];
        let mut got = 0u64;
        let mut reported = 0u64;
        let mut last_byte = Instant::now();
        loop {
            let n = match resp.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    if is_timeout(&e) || last_byte.elapsed() >= self.stall {
                        return Err(FeedFailure::Stalled {
                            secs: self.stall.as_secs_f64(),
                            got,
                        });
                    }
                    return Err(FeedFailure::Interrupted {
                        got,
                        expected,
                        reason: error_chain(&e),
                    });
                }
            };
            last_byte = Instant::now();
            got += n as u64;
            if got > self.max_bytes {
                return Err(FeedFailure::TooLarge {
                    limit: self.max_bytes,
                });
            }
            out.write_all(&buf[..n])
                .map_err(|e| local_io("writing", part, &e))?;
            hasher.update(&buf[..n]);
            if got - reported >= PROGRESS_STEP {
                progress(got, expected);
                reported = got;
            }
        }
        progress(got, expected);
        // On disk before it can be renamed into the cache.
        out.sync_all().map_err(|e| local_io("writing", part, &e))?;
        Ok((got, hex::encode(hasher.finalize())))
    }

    fn send_failure(&self, e: &reqwest::Error) -> FeedFailure {
        if e.is_timeout() {
            if e.is_connect() {
                return FeedFailure::Unreachable(format!(
                    "connecting timed out after {} s",
                    self.connect.as_secs_f64()
                ));
            }
            return FeedFailure::Stalled {
                secs: self.stall.as_secs_f64(),
                got: 0,
            };
        }
        if e.is_redirect() {
            return FeedFailure::Unreachable(format!("redirects: {}", error_chain(e)));
        }
        match (&self.proxy, e.is_connect()) {
            (Some(proxy), true) => {
                FeedFailure::Unreachable(format!("{} (proxy {proxy})", error_chain(e)))
            }
            _ => FeedFailure::Unreachable(error_chain(e)),
        }
    }
}

/// Follows at most [`MAX_REDIRECTS`] redirects and never from HTTPS down to
/// plain HTTP (that would undo the TLS the feed URL asked for).
fn redirect_policy(attempt: Attempt<'_>) -> reqwest::redirect::Action {
    if attempt.previous().len() > MAX_REDIRECTS {
        return attempt.error(format!("more than {MAX_REDIRECTS} redirects"));
    }
    let downgrade = attempt.url().scheme() == "http"
        && attempt.previous().iter().any(|u| u.scheme() == "https");
    if downgrade {
        return attempt.error("refusing a redirect from https to plain http");
    }
    attempt.follow()
}

/// Copies a local file into `part`, unless `cached` says it is unchanged
/// (same size and modification time).
pub(crate) fn copy_file(
    src: &Path,
    cached: Option<&Sidecar>,
    part: &Path,
    max_bytes: u64,
) -> Result<Fetched, FeedFailure> {
    let meta = fs::metadata(src).map_err(|e| local_io("reading", src, &e))?;
    let mtime = meta.modified().ok().map(|t| {
        let t: time::OffsetDateTime = t.into();
        t.format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default()
    });
    if let Some(c) = cached {
        if c.size == meta.len() && mtime.is_some() && c.last_modified == mtime {
            return Ok(Fetched::NotModified {
                etag: None,
                last_modified: mtime,
            });
        }
    }
    if meta.len() > max_bytes {
        return Err(FeedFailure::TooLarge { limit: max_bytes });
    }
    let mut input = File::open(src).map_err(|e| local_io("reading", src, &e))?;
    let mut out = File::create(part).map_err(|e| local_io("writing", part, &e))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut size = 0u64;
    loop {
        let n = match input.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(local_io("reading", src, &e)),
        };
        size += n as u64;
        if size > max_bytes {
            return Err(FeedFailure::TooLarge { limit: max_bytes });
        }
        out.write_all(&buf[..n])
            .map_err(|e| local_io("writing", part, &e))?;
        hasher.update(&buf[..n]);
    }
    out.sync_all().map_err(|e| local_io("writing", part, &e))?;
    Ok(Fetched::New {
        size,
        sha256: hex::encode(hasher.finalize()),
        etag: None,
        last_modified: mtime,
    })
}

pub(crate) fn local_io(what: &str, path: &Path, e: &io::Error) -> FeedFailure {
    FeedFailure::Io(format!("{what} {}: {e}", path.display()))
}

/// A header's value as text, when it is printable (validators are echoed
/// back verbatim, so nothing else is worth keeping).
fn header_text(headers: &HeaderMap, name: reqwest::header::HeaderName) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

/// Did a body read fail because the stall timeout fired?
fn is_timeout(e: &io::Error) -> bool {
    if e.kind() == io::ErrorKind::TimedOut {
        return true;
    }
    let mut cur: Option<&(dyn StdError + 'static)> = e.get_ref().map(|r| r as _);
    while let Some(c) = cur {
        if c.downcast_ref::<reqwest::Error>()
            .is_some_and(reqwest::Error::is_timeout)
            || c.downcast_ref::<io::Error>()
                .is_some_and(|io| io.kind() == io::ErrorKind::TimedOut)
        {
            return true;
        }
        cur = c.source();
    }
    false
}

/// An error and its causes on one line, without reqwest's "for url (...)"
/// (the feed's redacted location is already in the message). Callers pass
/// the result through the redactor before showing it.
pub(crate) fn error_chain(e: &(dyn StdError + 'static)) -> String {
    let strip = |s: String, err: &(dyn StdError + 'static)| match err
        .downcast_ref::<reqwest::Error>()
        .and_then(reqwest::Error::url)
    {
        Some(u) => s.replace(&format!(" for url ({u})"), ""),
        None => s,
    };
    let mut text = strip(e.to_string(), e);
    let mut cur = e.source();
    while let Some(c) = cur {
        let part = strip(c.to_string(), c);
        if !text.contains(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        cur = c.source();
    }
    text
}
