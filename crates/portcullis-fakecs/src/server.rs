//! The server: accept loop, routing, tokens, scripts and the request log.

use std::collections::{HashMap, VecDeque};
use std::io::Write;
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::json;

use crate::config::{FakeConfig, Step, WhenExhausted};
use crate::conn::Conn;
use crate::http::{form_decode, read_request, write_response, Request};
use crate::record::{parse_filter, RecordedRequest};

struct TokenState {
    issued: Instant,
    uses: u32,
}

struct State {
    config: FakeConfig,
    scripts: HashMap<String, VecDeque<Step>>,
    auth_script: VecDeque<Step>,
    tokens: HashMap<String, TokenState>,
    issued: u64,
    log: Vec<RecordedRequest>,
}

struct Shared {
    state: Mutex<State>,
    stop: AtomicBool,
    tls: Option<Arc<rustls::ServerConfig>>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// A fake CS API on `127.0.0.1`, stopped when dropped.
pub struct FakeCs {
    addr: SocketAddr,
    shared: Arc<Shared>,
    accept: Option<JoinHandle<()>>,
}

impl FakeCs {
    /// Binds an ephemeral loopback port and serves plain HTTP in background
    /// threads.
    pub fn start(config: FakeConfig) -> FakeCs {
        FakeCs::start_with(config, None)
    }

    /// Like [`FakeCs::start`] but serving HTTPS with this PEM certificate
    /// chain and key (which must be valid for `127.0.0.1`); [`FakeCs::url`]
    /// then starts with `https://`.
    pub fn start_tls(config: FakeConfig, cert_chain_pem: &[u8], key_pem: &[u8]) -> FakeCs {
        let certs = rustls_pemfile::certs(&mut &cert_chain_pem[..])
            .collect::<Result<Vec<_>, _>>()
            .expect("certificate PEM");
        let key = rustls_pemfile::private_key(&mut &key_pem[..])
            .expect("key PEM")
            .expect("a private key in the PEM");
        let tls = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .expect("TLS versions")
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .expect("certificate and key");
        FakeCs::start_with(config, Some(Arc::new(tls)))
    }

    fn start_with(config: FakeConfig, tls: Option<Arc<rustls::ServerConfig>>) -> FakeCs {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let addr = listener.local_addr().expect("local addr");
        let scripts = config
            .scripts
            .iter()
            .map(|(k, v)| (k.clone(), v.iter().cloned().collect()))
            .collect();
        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                auth_script: config.auth_script.iter().cloned().collect(),
                config,
                scripts,
                tokens: HashMap::new(),
                issued: 0,
                log: Vec::new(),
            }),
            stop: AtomicBool::new(false),
            tls,
        });
        let s = Arc::clone(&shared);
        let accept = thread::spawn(move || {
            for conn in listener.incoming() {
                if s.stop.load(Ordering::SeqCst) {
                    break;
                }
                if let Ok(stream) = conn {
                    let s = Arc::clone(&s);
                    thread::spawn(move || serve(&s, stream));
                }
            }
        });
        FakeCs {
            addr,
            shared,
            accept: Some(accept),
        }
    }

    /// `http://127.0.0.1:<port>` (no trailing slash).
    pub fn url(&self) -> String {
        let scheme = if self.shared.tls.is_some() {
            "https"
        } else {
            "http"
        };
        format!("{scheme}://{}", self.addr)
    }

    /// Every request so far, in arrival order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.lock().log.clone()
    }

    /// How many authentication requests were made.
    pub fn auth_count(&self) -> usize {
        self.requests().iter().filter(|r| r.is_auth()).count()
    }

    /// Appends steps to the script of `sha` while running (for tests that
    /// learn the sha only after building an image).
    pub fn push_script(&self, sha: &str, steps: impl IntoIterator<Item = Step>) {
        self.shared
            .lock()
            .scripts
            .entry(sha.to_ascii_lowercase())
            .or_default()
            .extend(steps);
    }

    /// Changes what exhausted scripts answer.
    pub fn set_when_exhausted(&self, w: WhenExhausted) {
        self.shared.lock().config.when_exhausted = w;
    }
}

impl Drop for FakeCs {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
        if let Some(h) = self.accept.take() {
            let _ = h.join();
        }
    }
}

enum Endpoint {
    List,
    Details,
}

fn serve(shared: &Shared, stream: TcpStream) {
    if shared.stop.load(Ordering::SeqCst) {
        return;
    }
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let mut conn = match &shared.tls {
        None => Conn::Plain(stream),
        Some(cfg) => match rustls::ServerConnection::new(Arc::clone(cfg)) {
            Ok(c) => Conn::Tls(Box::new(rustls::StreamOwned::new(c, stream))),
            Err(_) => return,
        },
    };
    // A client refusing our certificate ends here.
    let Ok(req) = read_request(&mut conn) else {
        return;
    };
    let step = route(shared, &req);
    answer(shared, &mut conn, step);
    if let Conn::Tls(s) = &mut conn {
        s.conn.send_close_notify();
        let _ = s.flush();
    }
}

fn route(shared: &Shared, req: &Request) -> Step {
    let mut st = shared.lock();
    let mut rec = RecordedRequest {
        method: req.method.clone(),
        path: req.path.clone(),
        raw_query: req.raw_query.clone(),
        query: form_decode(&req.raw_query),
        headers: req
            .headers
            .iter()
            .map(|(k, v)| {
                (
                    k.clone(),
                    if k == "authorization" {
                        "<redacted>".into()
                    } else {
                        v.clone()
                    },
                )
            })
            .collect(),
        form: if req
            .header("content-type")
            .is_some_and(|c| c.starts_with("application/x-www-form-urlencoded"))
        {
            form_decode(&String::from_utf8_lossy(&req.body))
        } else {
            Vec::new()
        },
        authorized: None,
        at: Instant::now(),
    };
    let step = match (req.method.as_str(), req.path.as_str()) {
        ("POST", "/auth") => {
            let ok = rec.form_field("username") == Some(st.config.username.as_str())
                && rec.form_field("password") == Some(st.config.password.as_str())
                && rec.form_field("token") == Some("true");
            let who = st.config.username.clone();
            auth(&mut st, ok, &who)
        }
        ("POST", "/auth/oidc") => {
            let ok = req.header("clientId") == Some(st.config.client_id.as_str())
                && req.header("clientSecret") == Some(st.config.client_secret.as_str());
            let who = st.config.client_id.clone();
            auth(&mut st, ok, &who)
        }
        ("GET", path) if path.starts_with("/csapi/v1.3/images") => {
            let (authorized, denial) = check_token(&mut st, req.header("authorization"));
            rec.authorized = Some(authorized);
            match denial {
                Some(step) => step,
                None => image_step(&mut st, &rec),
            }
        }
        _ => Step::Json(404, json!({"message": "Not found"})),
    };
    st.log.push(rec);
    step
}

fn auth(st: &mut State, ok: bool, who: &str) -> Step {
    if let Some(step) = st.auth_script.pop_front() {
        return step;
    }
    if !ok {
        return Step::Raw(401, "Unauthorized".into());
    }
    st.issued += 1;
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs();
    let mut claims = json!({
        "sub": who, "iat": now, "jti": st.issued,
        "modulesAllowed": st.config.modules,
        "portalUserId": 1234, "qwebUserId": 5678, "userType": "MANAGER", "credentialType": "fake",
    });
    if let Some(exp) = st.config.exp_claim {
        claims["exp"] = json!(now + exp.as_secs());
    }
    let token = format!(
        "{}.{}.{}",
        URL_SAFE_NO_PAD.encode(r#"{"alg":"HS512"}"#),
        URL_SAFE_NO_PAD.encode(claims.to_string()),
        URL_SAFE_NO_PAD.encode(format!("fake-signature-{}", st.issued))
    );
    st.tokens.insert(
        token.clone(),
        TokenState {
            issued: Instant::now(),
            uses: 0,
        },
    );
    Step::Raw(201, token)
}

/// (accepted, the answer when not).
fn check_token(st: &mut State, header: Option<&str>) -> (bool, Option<Step>) {
    let Some(token) = header.and_then(|h| h.strip_prefix("Bearer ")) else {
        return (false, Some(Step::Raw(401, "Unauthorized".into())));
    };
    let (ttl, max) = (st.config.token_ttl, st.config.token_max_uses);
    let Some(t) = st.tokens.get_mut(token) else {
        return (false, Some(Step::Raw(401, "Unauthorized".into())));
    };
    let expired =
        ttl.is_some_and(|ttl| t.issued.elapsed() >= ttl) || max.is_some_and(|m| t.uses >= m);
    if expired {
        return (false, Some(Step::Raw(401, "JWT expired".into())));
    }
    t.uses += 1;
    (true, None)
}

fn image_step(st: &mut State, rec: &RecordedRequest) -> Step {
    let (endpoint, sha) = if rec.path == "/csapi/v1.3/images" {
        match rec.query_param("filter").and_then(parse_filter) {
            Some((sha, _)) => (Endpoint::List, sha),
            None => return Step::Json(400, json!({"message": "Invalid filter"})),
        }
    } else {
        let sha = rec
            .path
            .trim_start_matches("/csapi/v1.3/images/")
            .to_ascii_lowercase();
        (Endpoint::Details, sha)
    };
    if let Some(step) = st.scripts.get_mut(&sha).and_then(VecDeque::pop_front) {
        return resolve(step, &sha);
    }
    match (&st.config.when_exhausted, endpoint) {
        (WhenExhausted::NotReady, Endpoint::List) => Step::Status(204),
        (WhenExhausted::NotReady, Endpoint::Details) => {
            Step::Json(404, json!({"message": "Image not found"}))
        }
        (WhenExhausted::Ready(_), Endpoint::List) => list_ok(&sha),
        (WhenExhausted::Ready(d), Endpoint::Details) => Step::Json(200, d.clone()),
        (WhenExhausted::Repeat(step), _) => resolve(step.clone(), &sha),
    }
}

fn resolve(step: Step, sha: &str) -> Step {
    match step {
        Step::ListOk => list_ok(sha),
        Step::Details(d) => Step::Json(200, d),
        Step::Delay(d, inner) => Step::Delay(d, Box::new(resolve(*inner, sha))),
        other => other,
    }
}

fn list_ok(sha: &str) -> Step {
    Step::Json(
        200,
        json!({"data": [{"sha": sha, "imageId": sha.get(..12).unwrap_or(sha), "scanStatus": "SUCCESS"}], "count": 1}),
    )
}

fn answer(shared: &Shared, stream: &mut Conn, step: Step) {
    match step {
        Step::Status(204) => {
            let _ = write_response(stream, 204, "application/json", b"");
        }
        Step::Status(code) => {
            let body = json!({"message": format!("fake status {code}")}).to_string();
            let _ = write_response(stream, code, "application/json", body.as_bytes());
        }
        Step::Json(code, v) => {
            let _ = write_response(stream, code, "application/json", v.to_string().as_bytes());
        }
        Step::Raw(code, text) => {
            let _ = write_response(stream, code, "text/plain", text.as_bytes());
        }
        Step::ListOk | Step::Details(_) => unreachable!("resolved in route"),
        Step::ResetConnection => {
            let _ = stream.tcp().shutdown(Shutdown::Both);
        }
        Step::Hang(d) => {
            sleep_unless_stopped(shared, d);
            let _ = stream.tcp().shutdown(Shutdown::Both);
        }
        Step::Delay(d, inner) => {
            sleep_unless_stopped(shared, d);
            answer(shared, stream, *inner);
        }
    }
}

fn sleep_unless_stopped(shared: &Shared, d: Duration) {
    let end = Instant::now() + d;
    while Instant::now() < end && !shared.stop.load(Ordering::SeqCst) {
        thread::sleep(Duration::from_millis(10).min(end - Instant::now()));
    }
}
