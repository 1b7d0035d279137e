//! Waiting for the platform's scan result (reference §3.2, §3.3).
//!
//! One poll asks the image list whether the image was scanned since it was
//! tagged; when it says yes (200), the details are fetched, and they are
//! complete once `vulnerabilities` is a (possibly empty) array. Every other
//! answer — 204, 4xx, 5xx, a transport or JSON error — only means "not yet":
//! errors never end polling early. Only problems that waiting cannot cure
//! (wrong credentials, no CS module) do.

use std::thread;
use std::time::{Duration, Instant, SystemTime};

use serde_json::Value;

use crate::client::Client;
use crate::{form, PlatformError};

/// Timing of the polling loop.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PollOptions {
    /// Pause between polls (30 s). The CLI enforces the vendor's 30 s
    /// minimum; the library takes any value so tests can be fast.
    pub interval: Duration,
    /// Give up once this much time has passed after a poll (600 s). The
    /// timeout can be overshot by one interval plus the request time.
    pub timeout: Duration,
    /// Timeout of each HTTP request (30 s — seconds, not the milliseconds
    /// one vendor connector mistakenly used).
    pub request_timeout: Duration,
}

impl Default for PollOptions {
    fn default() -> PollOptions {
        PollOptions {
            interval: Duration::from_secs(30),
            timeout: Duration::from_secs(600),
            request_timeout: Duration::from_secs(30),
        }
    }
}

/// How polling one image ended.
#[derive(Debug)]
pub enum PollResult {
    /// The raw image-details JSON, with a `vulnerabilities` array.
    Complete(Value),
    /// No complete result before the timeout.
    TimedOut {
        /// How many polls were made.
        polls: u32,
    },
    /// A problem waiting cannot cure (credentials, CS module, a token that
    /// cannot be read).
    Failed(PlatformError),
}

/// The result for one image and the log lines of its polling.
#[derive(Debug)]
pub struct PollOutcome {
    /// The image's sha256 (64 hex), as given.
    pub sha: String,
    /// What happened.
    pub result: PollResult,
    /// One line per notable step, in order, for the caller to log.
    pub events: Vec<String>,
}

enum Step {
    Ready(Value),
    NotReady,
    Fatal(PlatformError),
}

/// Polls one image until it is complete, polling fails for good, or the
/// timeout passes. `tagging_time` is when the image was tagged for the
/// sensor (recorded once before tagging); the `lastScanned` window reaches
/// back to it and grows by the interval after each unsuccessful poll.
pub fn poll_image(
    client: &Client,
    sha: &str,
    tagging_time: SystemTime,
    opts: &PollOptions,
) -> PollOutcome {
    let mut events = Vec::new();
    let start = Instant::now();
    let since = SystemTime::now()
        .duration_since(tagging_time)
        .unwrap_or_default()
        .as_secs();
    let mut grown = Duration::ZERO;
    let mut polls = 0u32;
    let result = loop {
        polls += 1;
        let window = since + grown.as_secs() + u64::from(grown.subsec_nanos() > 0);
        match poll_once(client, sha, window, opts.request_timeout, &mut events) {
            Step::Ready(details) => break PollResult::Complete(details),
            Step::Fatal(e) => break PollResult::Failed(e),
            Step::NotReady => {}
        }
        if start.elapsed() > opts.timeout {
            events.push(format!(
                "Timeout reached fetching scan result for image {} after {polls} polls",
                short(sha)
            ));
            break PollResult::TimedOut { polls };
        }
        thread::sleep(opts.interval);
        grown += opts.interval;
    };
    PollOutcome {
        sha: sha.to_owned(),
        result,
        events,
    }
}

/// Polls every image at once, one thread each, sharing the client and its
/// token; outcomes come back in input order. Callers deduplicate shas
/// first (the vendor processes an image once however many names it has).
pub fn poll_images(
    client: &Client,
    images: &[(String, SystemTime)],
    opts: &PollOptions,
) -> Vec<PollOutcome> {
    thread::scope(|scope| {
        let handles: Vec<_> = images
            .iter()
            .map(|(sha, tagged)| scope.spawn(move || poll_image(client, sha, *tagged, opts)))
            .collect();
        handles
            .into_iter()
            .zip(images)
            .map(|(h, (sha, _))| {
                h.join().unwrap_or_else(|_| PollOutcome {
                    sha: sha.clone(),
                    result: PollResult::Failed(PlatformError::Details(
                        "polling thread panicked".into(),
                    )),
                    events: Vec::new(),
                })
            })
            .collect()
    })
}

/// The list request's path: the QQL text form-encoded exactly as the
/// vendor sends it.
pub(crate) fn list_path(sha: &str, window_secs: u64) -> String {
    let qql = format!("sha:{sha} and lastScanned: [now-{window_secs}s ... now]");
    format!("/csapi/v1.3/images?filter={}", form::encode(&qql))
}

fn poll_once(
    client: &Client,
    sha: &str,
    window: u64,
    timeout: Duration,
    events: &mut Vec<String>,
) -> Step {
    let id = short(sha);
    let list = match client.get(&list_path(sha, window), timeout, events) {
        Ok(r) => r,
        Err(e) => return failure(e, id, events),
    };
    match list.status {
        200 => {}
        204 => {
            events.push(format!(
                "Image details for {id} last scanned within last {window} seconds not found yet."
            ));
            return Step::NotReady;
        }
        400 => {
            let message = serde_json::from_slice::<Value>(&list.body)
                .ok()
                .and_then(|v| v.get("message").and_then(Value::as_str).map(str::to_owned))
                .unwrap_or_else(|| "no message".to_owned());
            events.push(format!(
                "HTTP Code: 400. Image: {id}. Bad request: {}",
                clip(&message)
            ));
            return Step::NotReady;
        }
        s @ 500..=599 => {
            events.push(format!(
                "HTTP Code: {s}. Image: {id}. Vulnerabilities: N/A."
            ));
            return Step::NotReady;
        }
        s => {
            events.push(format!(
                "HTTP Code: {s}. Image: {id}: Not known to Qualys. Vulnerabilities: To be processed."
            ));
            return Step::NotReady;
        }
    }
    if serde_json::from_slice::<Value>(&list.body).map_or(true, |v| !v.is_object()) {
        events.push(format!(
            "Error fetching scan report for {id}: the image list is not a JSON object"
        ));
        return Step::NotReady;
    }
    let details = match client.get(&format!("/csapi/v1.3/images/{sha}"), timeout, events) {
        Ok(r) => r,
        Err(e) => return failure(e, id, events),
    };
    if details.status != 200 {
        events.push(format!(
            "HTTP Code: {} fetching details of image {id}. Vulnerabilities: To be processed.",
            details.status
        ));
        return Step::NotReady;
    }
    let json: Value = match serde_json::from_slice(&details.body) {
        Ok(v) => v,
        Err(e) => {
            events.push(format!(
                "Error fetching scan report for {id}: details are not JSON: {e}"
            ));
            return Step::NotReady;
        }
    };
    match json.get("vulnerabilities") {
        Some(Value::Array(v)) => {
            events.push(format!(
                "Image {id}: scan complete, {} vulnerabilities",
                v.len()
            ));
            Step::Ready(json)
        }
        None | Some(Value::Null) => {
            events.push(format!("Image: {id}. Vulnerabilities: To be processed."));
            Step::NotReady
        }
        Some(_) => {
            events.push(format!(
                "Image {id}: `vulnerabilities` is neither an array nor null; waiting for a complete record"
            ));
            Step::NotReady
        }
    }
}

fn failure(e: PlatformError, id: &str, events: &mut Vec<String>) -> Step {
    if e.is_retryable() {
        events.push(format!("Error fetching scan report for {id}: {e}"));
        Step::NotReady
    } else {
        events.push(format!("Polling image {id} stopped: {e}"));
        Step::Fatal(e)
    }
}

fn short(sha: &str) -> &str {
    sha.get(..12).unwrap_or(sha)
}

/// Server-provided text in a log line, bounded.
fn clip(text: &str) -> String {
    text.chars().take(200).filter(|c| !c.is_control()).collect()
}

#[cfg(test)]
mod tests {
    use super::list_path;

    #[test]
    fn list_path_decodes_to_the_documented_filter() {
        let sha = "4f67c83422ec747235357c04556616234e66fc3fa39cb4f40b2d4441ddd8f100";
        assert_eq!(
            list_path(sha, 95),
            format!(
                "/csapi/v1.3/images?filter=sha%3A{sha}+and+lastScanned%3A+%5Bnow-95s+...+now%5D"
            )
        );
    }
}
