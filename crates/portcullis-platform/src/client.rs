//! The HTTP client: authentication (reference §1.2), one shared token with
//! renewal, and authorised GETs.

use std::fmt;
use std::io::Read;
use std::sync::Mutex;
use std::thread;
use std::time::{Duration, SystemTime};

use reqwest::blocking::Response;
use reqwest::header::{HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE};
use reqwest::{Certificate, NoProxy, Proxy};

use crate::options::{proxy_userinfo, redact_userinfo, ClientOptions};
use crate::secret::{Credentials, Secret};
use crate::token::{renew_at, Token, TokenSlot};
use crate::{form, gateway_url, jwt, PlatformError};

/// A token is a few hundred bytes; anything bigger is not a token.
const MAX_TOKEN_BYTES: u64 = 64 * 1024;
/// Image details of big images run to a few MB; bound hostile answers.
pub(crate) const MAX_BODY_BYTES: u64 = 64 * 1024 * 1024;

/// A status and body read from the platform.
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) body: Vec<u8>,
}

/// Blocking client of the platform API, shared by every polling thread:
/// one connection pool and one token.
pub struct Client {
    http: reqwest::blocking::Client,
    gateway: String,
    opts: ClientOptions,
    token: Mutex<TokenSlot>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("gateway", &self.gateway)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// Builds the client (proxy, CA bundles); no request is made yet.
    pub fn new(opts: ClientOptions) -> Result<Client, PlatformError> {
        let mut builder = reqwest::blocking::Client::builder()
            .user_agent(concat!("portcullis/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(opts.connect_timeout)
            .timeout(opts.request_timeout)
            // A redirect is reported as the status it is, never followed
            // with the credentials or token.
            .redirect(reqwest::redirect::Policy::none());
        if let Some(proxy) = &opts.proxy {
            let url = if proxy.contains("://") {
                proxy.clone()
            } else {
                format!("http://{proxy}")
            };
            let p = Proxy::all(&url).map_err(|e| {
                PlatformError::Config(format!("proxy {}: {e}", redact_userinfo(&url)))
            })?;
            builder = builder.proxy(p.no_proxy(NoProxy::from_env()));
        } else if !opts.use_env_proxy {
            builder = builder.no_proxy();
        }
        for path in &opts.ca_bundles {
            let pem = std::fs::read(path)
                .map_err(|e| PlatformError::Config(format!("CA bundle {}: {e}", path.display())))?;
            let certs = Certificate::from_pem_bundle(&pem)
                .map_err(|e| PlatformError::Config(format!("CA bundle {}: {e}", path.display())))?;
            if certs.is_empty() {
                return Err(PlatformError::Config(format!(
                    "CA bundle {}: no PEM certificates in it",
                    path.display()
                )));
            }
            for cert in certs {
                builder = builder.add_root_certificate(cert);
            }
        }
        let http = builder.build().map_err(|e| {
            PlatformError::Config(format!("cannot set up HTTP client: {}", chain(&e)))
        })?;
        Ok(Client {
            http,
            gateway: gateway_url(&opts.api_url),
            opts,
            token: Mutex::new(TokenSlot::default()),
        })
    }

    /// The gateway URL every call goes to.
    pub fn gateway(&self) -> &str {
        &self.gateway
    }

    /// The connection test (reference §1.2 "Retries"): obtains a token and
    /// checks the CS module, retrying up to `auth_attempts` times,
    /// `auth_retry_delay` apart, on 5xx/400/transport errors. Wrong
    /// credentials and a missing CS module fail at once. Returns log lines.
    pub fn authenticate(&self) -> Result<Vec<String>, PlatformError> {
        let mut events = Vec::new();
        let attempts = self.opts.auth_attempts.max(1);
        let mut slot = self.lock();
        for attempt in 1..=attempts {
            match self.auth_once() {
                Ok(token) => {
                    slot.token = Some(token);
                    slot.generation += 1;
                    events.push(format!("Authenticated to {}", self.gateway));
                    return Ok(events);
                }
                Err(e) if e.is_retryable() && attempt < attempts => {
                    events.push(format!(
                        "Authentication attempt {attempt}/{attempts} failed: {e}; retrying in {} s",
                        self.opts.auth_retry_delay.as_secs_f64()
                    ));
                    thread::sleep(self.opts.auth_retry_delay);
                }
                Err(e) => return Err(e),
            }
        }
        unreachable!("the last attempt returns")
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, TokenSlot> {
        // A panicking thread cannot leave the slot half-written (it only
        // ever replaces the whole token), so a poisoned lock is usable.
        self.token.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A valid token and its generation, renewing it when it is missing or
    /// within [`RENEW_MARGIN`] of expiry (one attempt: the poll loop retries).
    fn current_token(&self, events: &mut Vec<String>) -> Result<(Secret, u64), PlatformError> {
        let mut slot = self.lock();
        if let Some(t) = &slot.token {
            if SystemTime::now() < t.renew_at {
                return Ok((t.jwt.clone(), slot.generation));
            }
            events.push("Token about to expire; renewing it".to_owned());
        }
        let token = self.auth_once()?;
        let jwt = token.jwt.clone();
        slot.token = Some(token);
        slot.generation += 1;
        Ok((jwt, slot.generation))
    }

    /// After a 401 with token `generation`: renews it unless another thread
    /// already did.
    fn renew_after_401(
        &self,
        generation: u64,
        events: &mut Vec<String>,
    ) -> Result<Secret, PlatformError> {
        let mut slot = self.lock();
        if slot.generation == generation || slot.token.is_none() {
            events.push("HTTP 401 (token expired or revoked); renewing the token".to_owned());
            let token = self.auth_once()?;
            slot.token = Some(token);
            slot.generation += 1;
        }
        Ok(slot
            .token
            .as_ref()
            .map(|t| t.jwt.clone())
            .expect("token just set"))
    }

    /// One authentication request and the CS-module check.
    fn auth_once(&self) -> Result<Token, PlatformError> {
        let (what, req) = match &self.opts.credentials {
            Credentials::Password { username, password } => (
                "POST /auth",
                self.http
                    .post(format!("{}/auth", self.gateway))
                    .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .body(form::encode_pairs(&[
                        ("username", username),
                        ("password", password.expose()),
                        ("token", "true"),
                    ])),
            ),
            Credentials::Oidc {
                client_id,
                client_secret,
            } => {
                let mut secret = HeaderValue::from_str(client_secret.expose()).map_err(|_| {
                    PlatformError::Config(
                        "the client secret holds characters not allowed in an HTTP header".into(),
                    )
                })?;
                secret.set_sensitive(true);
                let id = HeaderValue::from_str(client_id).map_err(|_| {
                    PlatformError::Config(
                        "the client id holds characters not allowed in an HTTP header".into(),
                    )
                })?;
                (
                    "POST /auth/oidc",
                    self.http
                        .post(format!("{}/auth/oidc", self.gateway))
                        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
                        .header("clientId", id)
                        .header("clientSecret", secret),
                )
            }
        };
        let resp = req
            .header(ACCEPT, "application/json")
            .send()
            .map_err(|e| self.transport(what, &e))?;
        let status = resp.status().as_u16();
        match status {
            200 | 201 => {}
            401 => return Err(PlatformError::InvalidCredentials),
            _ => return Err(PlatformError::AuthStatus { status }),
        }
        let body = self.read_body(resp, MAX_TOKEN_BYTES, what)?;
        let text = String::from_utf8(body)
            .map_err(|_| PlatformError::BadToken("not UTF-8 text".into()))?;
        let jwt = text.trim().trim_matches('"').to_owned();
        let claims = jwt::claims(&jwt)?;
        if !claims.modules.iter().any(|m| m == "CS") {
            return Err(PlatformError::CsModuleNotActivated);
        }
        Ok(Token {
            jwt: Secret::new(jwt),
            renew_at: renew_at(SystemTime::now(), claims.exp),
        })
    }

    /// `GET {gateway}{path}` with the token; on a 401 the token is renewed
    /// and the request retried once (the vendor's re-auth path is broken,
    /// reference §3.3). A second 401 is returned as the reply.
    pub(crate) fn get(
        &self,
        path: &str,
        timeout: Duration,
        events: &mut Vec<String>,
    ) -> Result<Reply, PlatformError> {
        let (jwt, generation) = self.current_token(events)?;
        let reply = self.get_with(path, &jwt, timeout)?;
        if reply.status != 401 {
            return Ok(reply);
        }
        let jwt = self.renew_after_401(generation, events)?;
        self.get_with(path, &jwt, timeout)
    }

    fn get_with(
        &self,
        path: &str,
        jwt: &Secret,
        timeout: Duration,
    ) -> Result<Reply, PlatformError> {
        let what = format!("GET {}", path.split('?').next().unwrap_or(path));
        let mut bearer = HeaderValue::from_str(&format!("Bearer {}", jwt.expose()))
            .map_err(|_| PlatformError::BadToken("not valid in an HTTP header".into()))?;
        bearer.set_sensitive(true);
        let resp = self
            .http
            .get(format!("{}{path}", self.gateway))
            .header(ACCEPT, "application/json")
            .header(AUTHORIZATION, bearer)
            .timeout(timeout)
            .send()
            .map_err(|e| self.transport(&what, &e))?;
        let status = resp.status().as_u16();
        let body = self.read_body(resp, MAX_BODY_BYTES, &what)?;
        Ok(Reply { status, body })
    }

    fn read_body(&self, resp: Response, limit: u64, what: &str) -> Result<Vec<u8>, PlatformError> {
        let mut body = Vec::new();
        resp.take(limit + 1)
            .read_to_end(&mut body)
            .map_err(|e| PlatformError::Transport {
                what: what.to_owned(),
                detail: self.redact(&format!("reading the answer: {}", chain(&e))),
            })?;
        if body.len() as u64 > limit {
            return Err(PlatformError::Transport {
                what: what.to_owned(),
                detail: format!("answer larger than {limit} bytes"),
            });
        }
        Ok(body)
    }

    fn transport(&self, what: &str, e: &reqwest::Error) -> PlatformError {
        let e = e.without_url_ref();
        PlatformError::Transport {
            what: what.to_owned(),
            detail: self.redact(&e),
        }
    }

    /// Removes the proxy's credentials from transport error text.
    fn redact(&self, text: &str) -> String {
        let mut out = text.to_owned();
        if let Some(userinfo) = self.opts.proxy.as_deref().and_then(proxy_userinfo) {
            for part in userinfo.split(':').filter(|p| p.len() > 2) {
                out = out.replace(part, "***");
            }
        }
        out
    }
}

trait WithoutUrl {
    fn without_url_ref(&self) -> String;
}

impl WithoutUrl for reqwest::Error {
    /// The error and its causes on one line, without reqwest's URL suffix.
    fn without_url_ref(&self) -> String {
        let text = chain(self);
        match self.url() {
            Some(u) => text.replace(&format!(" for url ({u})"), ""),
            None => text,
        }
    }
}

fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        let part = c.to_string();
        if !text.contains(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        cur = c.source();
    }
    text
}
