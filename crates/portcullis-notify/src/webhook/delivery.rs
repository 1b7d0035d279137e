//! The delivery loop: the HTTP client, attempts, back-off and deadline.

use std::time::{Duration, Instant};

use reqwest::header::{HeaderValue, AUTHORIZATION, CONTENT_TYPE, RETRY_AFTER, USER_AGENT};
use serde_json::Value;

use super::options::{WebhookAttempt, WebhookOptions, WebhookOutcome};
use super::redact::{parse_url, redact_url, Redactor};

/// The error and its causes on one line, without the URL reqwest adds.
fn error_chain(err: reqwest::Error) -> String {
    let err = err.without_url();
    let mut msg = err.to_string();
    let mut source = std::error::Error::source(&err);
    while let Some(s) = source {
        let text = s.to_string();
        if !msg.contains(&text) {
            msg.push_str(": ");
            msg.push_str(&text);
        }
        source = s.source();
    }
    msg
}

fn build_client(opts: &WebhookOptions) -> Result<reqwest::blocking::Client, String> {
    let mut b = reqwest::blocking::Client::builder()
        .connect_timeout(opts.attempt_timeout)
        .timeout(opts.attempt_timeout)
        .redirect(reqwest::redirect::Policy::none())
        .https_only(false);
    if !opts.env_proxy {
        b = b.no_proxy();
    }
    if let Some(p) = &opts.proxy {
        let p = if p.contains("://") {
            p.clone()
        } else {
            format!("http://{p}")
        };
        let proxy =
            reqwest::Proxy::all(&p).map_err(|e| format!("invalid proxy: {}", error_chain(e)))?;
        b = b.proxy(proxy);
    }
    if let Some(path) = &opts.ca_bundle {
        let pem = std::fs::read(path)
            .map_err(|e| format!("cannot read the CA bundle {}: {e}", path.display()))?;
        let certs = reqwest::Certificate::from_pem_bundle(&pem)
            .map_err(|e| format!("invalid CA bundle {}: {}", path.display(), error_chain(e)))?;
        if certs.is_empty() {
            return Err(format!(
                "the CA bundle {} holds no certificate",
                path.display()
            ));
        }
        for c in certs {
            b = b.add_root_certificate(c);
        }
    }
    b.build()
        .map_err(|e| format!("cannot set up the HTTP client: {}", error_chain(e)))
}

/// POSTs `payload` as JSON to `url`: success on any 2xx; transport errors,
/// 5xx and 429 are retried with exponential back-off (honouring a
/// `Retry-After` in seconds, capped); other statuses end the delivery.
/// Every attempt is bounded by `attempt_timeout` and the whole delivery by
/// `deadline`, so a server that never answers cannot hold the build.
/// Redirects are not followed (a POST must not turn into a GET, nor the
/// token travel elsewhere). The result never changes the verdict: the
/// caller prints [`WebhookOutcome::warning`].
pub fn post_webhook(url: &str, payload: &Value, opts: &WebhookOptions) -> WebhookOutcome {
    let started = Instant::now();
    let redactor = Redactor::new(url, opts);
    let mut outcome = WebhookOutcome {
        url: redact_url(url),
        delivered: false,
        attempts: Vec::new(),
        error: None,
        elapsed: Duration::ZERO,
    };
    let finish = |mut o: WebhookOutcome, error: Option<String>| {
        o.error = error.map(|e| redactor.clean(&e));
        for a in &mut o.attempts {
            a.error = a.error.as_deref().map(|e| redactor.clean(e));
        }
        o.elapsed = started.elapsed();
        o
    };
    let parsed = match parse_url(url) {
        Ok(u) => u,
        Err(e) => return finish(outcome, Some(e.to_string())),
    };
    let client = match build_client(opts) {
        Ok(c) => c,
        Err(e) => return finish(outcome, Some(e)),
    };
    let body = match serde_json::to_vec(payload) {
        Ok(b) => b,
        Err(e) => return finish(outcome, Some(format!("cannot serialise the payload: {e}"))),
    };
    let auth = match &opts.token {
        Some(t) => match HeaderValue::from_str(&format!("Bearer {}", t.expose())) {
            Ok(mut v) => {
                v.set_sensitive(true);
                Some(v)
            }
            Err(_) => {
                return finish(
                    outcome,
                    Some("the webhook token holds characters not allowed in a header".into()),
                )
            }
        },
        None => None,
    };

    let attempts = opts.attempts.max(1);
    let mut backoff = opts.initial_backoff;
    let mut last_error = None;
    for n in 1..=attempts {
        let remaining = opts.deadline.saturating_sub(started.elapsed());
        if remaining.is_zero() {
            last_error = Some(format!(
                "deadline of {:.1} s reached{}",
                opts.deadline.as_secs_f64(),
                last_error
                    .map(|e| format!(" (last: {e})"))
                    .unwrap_or_default()
            ));
            break;
        }
        let mut req = client
            .post(parsed.clone())
            .timeout(opts.attempt_timeout.min(remaining))
            .header(CONTENT_TYPE, "application/json")
            .header(USER_AGENT, opts.user_agent.as_str())
            .body(body.clone());
        if let Some(a) = &auth {
            req = req.header(AUTHORIZATION, a.clone());
        }
        let t0 = Instant::now();
        let mut retry_after = None;
        let retryable = match req.send() {
            Ok(resp) => {
                let status = resp.status();
                retry_after = resp
                    .headers()
                    .get(RETRY_AFTER)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.trim().parse::<u64>().ok())
                    .map(Duration::from_secs);
                drop(resp);
                outcome.attempts.push(WebhookAttempt {
                    status: Some(status.as_u16()),
                    error: None,
                    elapsed: t0.elapsed(),
                });
                if status.is_success() {
                    outcome.delivered = true;
                    return finish(outcome, None);
                }
                last_error = Some(format!("HTTP {status}"));
                status.is_server_error() || status.as_u16() == 429
            }
            Err(e) => {
                let msg = if e.is_timeout() {
                    format!("timed out: {}", error_chain(e))
                } else {
                    error_chain(e)
                };
                outcome.attempts.push(WebhookAttempt {
                    status: None,
                    error: Some(msg.clone()),
                    elapsed: t0.elapsed(),
                });
                last_error = Some(msg);
                true
            }
        };
        if !retryable || n == attempts {
            break;
        }
        let wait = retry_after
            .map_or(backoff, |r| r.max(backoff))
            .min(opts.max_backoff);
        let remaining = opts.deadline.saturating_sub(started.elapsed());
        if wait >= remaining {
            last_error = Some(format!(
                "deadline of {:.1} s reached (last: {})",
                opts.deadline.as_secs_f64(),
                last_error.unwrap_or_default()
            ));
            break;
        }
        std::thread::sleep(wait);
        backoff = backoff.saturating_mul(2);
    }
    finish(outcome, last_error)
}
