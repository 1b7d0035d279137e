//! HTTP side of the OCI distribution spec (pull only): `GET /v2/`,
//! `GET /v2/<name>/manifests/<reference>`, `GET /v2/<name>/blobs/<digest>`,
//! with the authentication dance of [`super::auth`].
//!
//! Plain HTTP is used only for hosts marked insecure (and loopback ones):
//! HTTPS is tried first there too, without certificate checks, and HTTP
//! when the TLS attempt fails — what the Docker engine does for
//! `insecure-registries`. Redirects (blob downloads from object storage)
//! are followed; reqwest drops `Authorization` when one leaves the host.

use std::io::Read;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use reqwest::blocking::{Client, RequestBuilder, Response};
use reqwest::header::{ACCEPT, AUTHORIZATION, WWW_AUTHENTICATE};
use reqwest::StatusCode;

use super::auth::{self, Challenge, Found};
use super::reference::RegistryRef;
use crate::{ImageError, RegistryOptions};

/// Bound on reading a token service answer or an error body.
const SMALL_BODY: u64 = 1 << 20;

pub(crate) struct RegistryClient {
    http: Client,
    pub(crate) reference: RegistryRef,
    insecure: bool,
    options: RegistryOptions,
    base: OnceLock<String>,
    /// `Authorization` value that last worked (or was issued).
    authorization: Mutex<Option<String>>,
    /// Where the credentials behind `authorization` came from, for messages.
    origin: Mutex<Option<String>>,
}

impl RegistryClient {
    pub(crate) fn new(
        reference: RegistryRef,
        options: &RegistryOptions,
    ) -> Result<RegistryClient, ImageError> {
        let insecure = options.insecure
            || reference.is_loopback()
            || options
                .insecure_registries
                .iter()
                .any(|h| h.eq_ignore_ascii_case(&reference.host));
        let mut builder = Client::builder()
            .user_agent(concat!("portcullis/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(Duration::from_secs(30))
            // Blocking reqwest applies this to the wait for the headers and
            // to every single read: an idle limit, not a cap on big blobs.
            .timeout(options.timeout.unwrap_or(Duration::from_secs(60)))
            .danger_accept_invalid_certs(insecure);
        if let Some(path) = &options.ca_bundle {
            let pem = std::fs::read(path).map_err(|e| ImageError::io(path, e))?;
            let certs = reqwest::Certificate::from_pem_bundle(&pem)
                .map_err(|e| ImageError::malformed(path.display().to_string(), e))?;
            for cert in certs {
                builder = builder.add_root_certificate(cert);
            }
        }
        let http = builder
            .build()
            .map_err(|e| ImageError::Remote(format!("cannot set up the HTTP client: {e}")))?;
        Ok(RegistryClient {
            http,
            reference,
            insecure,
            options: options.clone(),
            base: OnceLock::new(),
            authorization: Mutex::new(None),
            origin: Mutex::new(None),
        })
    }

    fn host(&self) -> &str {
        &self.reference.host
    }

    fn transport_err(&self, what: &str, e: &reqwest::Error) -> ImageError {
        let mut reason = e.without_url_ref();
        let mut cause = std::error::Error::source(e);
        while let Some(c) = cause {
            reason.push_str(": ");
            reason.push_str(&c.to_string());
            cause = c.source();
        }
        if e.is_timeout() {
            ImageError::Remote(format!(
                "registry {}: {what} timed out ({reason})",
                self.host()
            ))
        } else {
            ImageError::Remote(format!("registry {}: {what} failed: {reason}", self.host()))
        }
    }

    /// `https://host` or, for an insecure host that does not speak TLS,
    /// `http://host`; decided once by pinging `/v2/`.
    fn base(&self) -> Result<&str, ImageError> {
        if let Some(b) = self.base.get() {
            return Ok(b);
        }
        let https = format!("https://{}", self.host());
        if !self.insecure {
            let _ = self.base.set(https);
            return Ok(self.base.get().map_or("", String::as_str));
        }
        let chosen = match self.http.get(format!("{https}/v2/")).send() {
            Ok(_) => https,
            Err(e) if !e.is_timeout() => format!("http://{}", self.host()),
            Err(e) => return Err(self.transport_err("connecting", &e)),
        };
        let _ = self.base.set(chosen);
        Ok(self.base.get().map_or("", String::as_str))
    }

    /// GETs `path` under the repository (`manifests/<ref>`, `blobs/<digest>`),
    /// authenticating on a 401 and retrying once.
    pub(crate) fn get(&self, path: &str, accept: Option<&str>) -> Result<Response, ImageError> {
        let url = format!("{}/v2/{}/{path}", self.base()?, self.reference.repo);
        let mut retried = false;
        loop {
            let mut req = self.http.get(&url);
            if let Some(a) = accept {
                req = req.header(ACCEPT, a);
            }
            let current = lock(&self.authorization).clone();
            if let Some(h) = &current {
                req = req.header(AUTHORIZATION, h);
            }
            let resp = req
                .send()
                .map_err(|e| self.transport_err(&format!("GET {path}"), &e))?;
            if resp.status() != StatusCode::UNAUTHORIZED {
                if resp.status() == StatusCode::FORBIDDEN {
                    return Err(ImageError::Remote(format!(
                        "registry {}: access to {} denied (403){}",
                        self.host(),
                        self.reference.repo,
                        error_detail(resp)
                    )));
                }
                return Ok(resp);
            }
            if retried {
                let origin = lock(&self.origin).clone();
                let why = match &origin {
                    Some(o) => format!("the registry rejected the credentials from {o}"),
                    None => "the registry rejected the request".to_owned(),
                };
                return Err(self.auth_failed(&why, origin.is_some()));
            }
            let challenge = resp
                .headers()
                .get(WWW_AUTHENTICATE)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            let header = self.authenticate(challenge.as_deref())?;
            *lock(&self.authorization) = Some(header);
            retried = true;
        }
    }

    fn credentials(&self) -> Result<Option<Found>, ImageError> {
        if let Some(c) = &self.options.credentials {
            return Ok(Some(Found {
                credentials: c.clone(),
                origin: "the given credentials".into(),
            }));
        }
        let dir = auth::docker_config_dir(self.options.docker_config_dir.as_deref());
        auth::lookup(self.host(), dir.as_deref(), |k| {
            std::env::var(k).ok().filter(|v| !v.is_empty())
        })
    }

    fn auth_failed(&self, why: &str, had_credentials: bool) -> ImageError {
        let hint = if had_credentials {
            ""
        } else {
            " (no credentials found: set PORTCULLIS_REGISTRY_USERNAME/PORTCULLIS_REGISTRY_PASSWORD or `docker login`; credential helpers are not used)"
        };
        ImageError::Remote(format!(
            "registry {}: authentication failed for {}: {why}{hint}",
            self.host(),
            self.reference.repo
        ))
    }

    /// Answers a challenge with an `Authorization` value.
    fn authenticate(&self, challenge: Option<&str>) -> Result<String, ImageError> {
        let found = self.credentials()?;
        *lock(&self.origin) = found.as_ref().map(|f| f.origin.clone());
        let challenge = challenge.and_then(auth::parse_challenge);
        match challenge {
            Some(Challenge::Basic) => match found {
                Some(f) => Ok(f.credentials.basic_header()),
                None => {
                    Err(self.auth_failed("the registry requires a user name and password", false))
                }
            },
            Some(Challenge::Bearer {
                realm,
                service,
                scope,
            }) => self.fetch_token(&realm, service.as_deref(), scope.as_deref(), found),
            None => Err(self.auth_failed(
                "the registry answered 401 without a challenge we understand",
                found.is_some(),
            )),
        }
    }

    fn fetch_token(
        &self,
        realm: &str,
        service: Option<&str>,
        scope: Option<&str>,
        found: Option<Found>,
    ) -> Result<String, ImageError> {
        let realm_url = reqwest::Url::parse(realm).map_err(|_| {
            ImageError::Remote(format!(
                "registry {}: token realm is not a URL",
                self.host()
            ))
        })?;
        // Credentials travel in clear over http: only towards a registry
        // already trusted to be reached without TLS.
        if realm_url.scheme() != "https" && !(realm_url.scheme() == "http" && self.insecure) {
            return Err(ImageError::Remote(format!(
                "registry {}: refusing token realm with scheme {:?}",
                self.host(),
                realm_url.scheme()
            )));
        }
        let default_scope = format!("repository:{}:pull", self.reference.repo);
        let mut query: Vec<(&str, &str)> = vec![("scope", scope.unwrap_or(&default_scope))];
        if let Some(s) = service {
            query.push(("service", s));
        }
        let mut req: RequestBuilder = self.http.get(realm_url).query(&query);
        if let Some(f) = &found {
            req = req.basic_auth(&f.credentials.username, Some(&f.credentials.password));
        }
        let resp = req
            .send()
            .map_err(|e| self.transport_err("token request", &e))?;
        let status = resp.status();
        if status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN {
            let why = match &found {
                Some(f) => format!(
                    "the token service rejected the credentials from {}",
                    f.origin
                ),
                None => "the token service refused an anonymous token".to_owned(),
            };
            return Err(self.auth_failed(&why, found.is_some()));
        }
        if !status.is_success() {
            return Err(ImageError::Remote(format!(
                "registry {}: token service answered {status}",
                self.host()
            )));
        }
        let mut body = Vec::new();
        resp.take(SMALL_BODY).read_to_end(&mut body).map_err(|e| {
            ImageError::Remote(format!("registry {}: reading token: {e}", self.host()))
        })?;
        let answer: auth::TokenAnswer = serde_json::from_slice(&body).map_err(|_| {
            ImageError::Remote(format!(
                "registry {}: token service answer is not the expected JSON",
                self.host()
            ))
        })?;
        let token = answer.into_token().ok_or_else(|| {
            ImageError::Remote(format!(
                "registry {}: token service sent no token",
                self.host()
            ))
        })?;
        Ok(format!("Bearer {token}"))
    }
}

/// ` (CODE: message)` from a distribution-spec error body, if readable.
pub(crate) fn error_detail(resp: Response) -> String {
    #[derive(serde::Deserialize)]
    struct Errors {
        #[serde(default)]
        errors: Vec<Entry>,
    }
    #[derive(serde::Deserialize)]
    struct Entry {
        #[serde(default)]
        code: String,
        #[serde(default)]
        message: String,
    }
    let mut body = Vec::new();
    if resp.take(SMALL_BODY).read_to_end(&mut body).is_err() {
        return String::new();
    }
    match serde_json::from_slice::<Errors>(&body) {
        Ok(e) if !e.errors.is_empty() => {
            let parts: Vec<String> = e
                .errors
                .iter()
                .map(|e| format!("{}: {}", e.code, e.message))
                .collect();
            format!(" ({})", parts.join("; "))
        }
        _ => String::new(),
    }
}

trait WithoutUrl {
    fn without_url_ref(&self) -> String;
}

impl WithoutUrl for reqwest::Error {
    /// The error's own text minus the URL (which names no secret, but is
    /// noise next to the host we already show).
    fn without_url_ref(&self) -> String {
        let text = self.to_string();
        match self.url() {
            Some(u) => text.replace(&format!(" for url ({u})"), ""),
            None => text,
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}
