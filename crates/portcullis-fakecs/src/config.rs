//! What the fake server does: credentials, tokens, and per-image scripts.

use std::collections::HashMap;
use std::time::Duration;

use serde_json::Value;

/// One scripted answer, consumed by one request (list or details) for the
/// image, in order.
#[derive(Clone, Debug)]
pub enum Step {
    /// This status; 204 has no body, others a `{"message": …}` JSON body.
    Status(u16),
    /// This status and JSON body.
    Json(u16, Value),
    /// This status and a raw body (e.g. malformed JSON).
    Raw(u16, String),
    /// The list answer saying the image was scanned: 200 with
    /// `{"data":[{"sha":…}],"count":1}`.
    ListOk,
    /// 200 with these image details.
    Details(Value),
    /// Close the connection without answering.
    ResetConnection,
    /// Keep the connection open this long without answering, then close it.
    Hang(Duration),
    /// Wait, then answer with the inner step.
    Delay(Duration, Box<Step>),
}

impl Step {
    /// The two steps of a poll that completes: the list says 200, then the
    /// details are served.
    pub fn ready(details: Value) -> Vec<Step> {
        vec![Step::ListOk, Step::Details(details)]
    }

    /// `n` polls answered 204 ("sensor still processing").
    pub fn pending(n: usize) -> Vec<Step> {
        vec![Step::Status(204); n]
    }
}

/// What an image's requests get once its script is used up (or when it has
/// none).
#[derive(Clone, Debug)]
pub enum WhenExhausted {
    /// List → 204, details → 404: the sensor never reports.
    NotReady,
    /// List → 200, details → these details.
    Ready(Value),
    /// Every request gets this step.
    Repeat(Step),
}

/// Configuration of a [`crate::FakeCs`].
#[derive(Clone, Debug)]
pub struct FakeConfig {
    /// Accepted `/auth` user name.
    pub username: String,
    /// Accepted `/auth` password (compared after form decoding).
    pub password: String,
    /// Accepted `/auth/oidc` `clientId` header.
    pub client_id: String,
    /// Accepted `/auth/oidc` `clientSecret` header.
    pub client_secret: String,
    /// `modulesAllowed` in issued tokens (default `["CS", "VM"]`).
    pub modules: Vec<String>,
    /// `exp` claim = issue time + this; `None` omits the claim (default 4 h).
    pub exp_claim: Option<Duration>,
    /// Server-side expiry after this time (answers 401 `JWT expired`).
    pub token_ttl: Option<Duration>,
    /// Server-side expiry after this many authorised requests.
    pub token_max_uses: Option<u32>,
    /// Answers for authentication requests, consumed before the real check
    /// (e.g. `[Status(500), Status(500)]` to test retries).
    pub auth_script: Vec<Step>,
    /// Per-sha scripts (64-hex sha, lower case).
    pub scripts: HashMap<String, Vec<Step>>,
    /// Behaviour after a script is used up.
    pub when_exhausted: WhenExhausted,
}

impl Default for FakeConfig {
    fn default() -> FakeConfig {
        FakeConfig {
            username: "user".into(),
            password: "pass".into(),
            client_id: "client-id".into(),
            client_secret: "client-secret".into(),
            modules: vec!["CS".into(), "VM".into()],
            exp_claim: Some(Duration::from_secs(4 * 60 * 60)),
            token_ttl: None,
            token_max_uses: None,
            auth_script: Vec::new(),
            scripts: HashMap::new(),
            when_exhausted: WhenExhausted::NotReady,
        }
    }
}

impl FakeConfig {
    /// Adds (appends to) the script of `sha`.
    pub fn script(mut self, sha: &str, steps: impl IntoIterator<Item = Step>) -> FakeConfig {
        self.scripts
            .entry(sha.to_ascii_lowercase())
            .or_default()
            .extend(steps);
        self
    }

    /// Sets the accepted user name and password.
    pub fn credentials(mut self, username: &str, password: &str) -> FakeConfig {
        self.username = username.into();
        self.password = password.into();
        self
    }

    /// Sets what exhausted scripts answer.
    pub fn when_exhausted(mut self, w: WhenExhausted) -> FakeConfig {
        self.when_exhausted = w;
        self
    }
}
