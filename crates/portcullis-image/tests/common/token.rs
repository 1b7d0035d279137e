//! A token service for the registry's `auth: token` mode (Docker token
//! authentication spec): checks HTTP Basic credentials and issues RS256 JWTs
//! whose `x5c` certificate the registry trusts through `rootcertbundle`.
//! The registry, not this code, verifies the tokens.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use base64::Engine as _;

pub const SERVICE: &str = "portcullis-test-registry";
pub const ISSUER: &str = "portcullis-test-issuer";

pub struct TokenService {
    pub realm: String,
    pub cert: PathBuf,
}

fn b64url(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Starts the service on a free port; it lives until the test process ends.
pub fn start(dir: &Path, user: &'static str, password: &'static str) -> TokenService {
    let key = dir.join("token-key.pem");
    let cert = dir.join("token.crt");
    super::run(
        Command::new("openssl")
            .args([
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "2",
                "-subj",
                "/CN=portcullis token signer",
                "-keyout",
            ])
            .arg(&key)
            .arg("-out")
            .arg(&cert),
    );
    let der = super::run_bytes(
        Command::new("openssl")
            .args(["x509", "-outform", "DER", "-in"])
            .arg(&cert),
    );
    let x5c = base64::engine::general_purpose::STANDARD.encode(der);
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let realm = format!("http://{}/token", listener.local_addr().expect("addr"));
    let expected = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
    );
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().expect("clone"));
            let mut request_line = String::new();
            let _ = reader.read_line(&mut request_line);
            let mut authorization = None;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line.trim().is_empty() {
                    break;
                }
                if let Some((k, v)) = line.split_once(':') {
                    if k.eq_ignore_ascii_case("authorization") {
                        authorization = Some(v.trim().to_owned());
                    }
                }
            }
            let target = request_line
                .split_whitespace()
                .nth(1)
                .unwrap_or_default()
                .to_owned();
            let (status, body) = match authorization {
                Some(a) if a != expected => (
                    "401 Unauthorized",
                    r#"{"details":"bad credentials"}"#.to_owned(),
                ),
                // Anonymous callers get a token granting nothing.
                Some(_) => ("200 OK", token(&key, &x5c, &scopes(&target))),
                None => ("200 OK", token(&key, &x5c, &[])),
            };
            let _ = write!(stream, "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len());
        }
    });
    TokenService { realm, cert }
}

/// `scope=repository:NAME:pull,push` parameters of the query.
fn scopes(target: &str) -> Vec<(String, Vec<String>)> {
    let query = target.split_once('?').map_or("", |(_, q)| q);
    query
        .split('&')
        .filter_map(|kv| kv.strip_prefix("scope="))
        .filter_map(|v| {
            let v = v
                .replace("%3A", ":")
                .replace("%3a", ":")
                .replace("%2F", "/")
                .replace("%2f", "/")
                .replace("%2C", ",")
                .replace("%2c", ",");
            let mut parts = v.splitn(3, ':');
            let (kind, name, actions) = (parts.next()?, parts.next()?, parts.next()?);
            (kind == "repository").then(|| {
                (
                    name.to_owned(),
                    actions.split(',').map(str::to_owned).collect(),
                )
            })
        })
        .collect()
}

fn token(key: &Path, x5c: &str, access: &[(String, Vec<String>)]) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("time")
        .as_secs();
    let header = serde_json::json!({"typ": "JWT", "alg": "RS256", "x5c": [x5c]});
    let access: Vec<_> = access.iter().map(|(name, actions)| serde_json::json!({"type": "repository", "name": name, "actions": actions})).collect();
    let claims = serde_json::json!({
        "iss": ISSUER, "sub": "scanner", "aud": SERVICE, "exp": now + 300, "nbf": now - 10, "iat": now,
        "jti": format!("{now}-{}", access.len()), "access": access
    });
    let signing_input = format!(
        "{}.{}",
        b64url(header.to_string().as_bytes()),
        b64url(claims.to_string().as_bytes())
    );
    let mut child = Command::new("openssl")
        .args(["dgst", "-sha256", "-sign"])
        .arg(key)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("openssl dgst");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(signing_input.as_bytes())
        .expect("write");
    let out = child.wait_with_output().expect("sign");
    assert!(out.status.success(), "openssl dgst failed");
    let jwt = format!("{signing_input}.{}", b64url(&out.stdout));
    // `access_token` alone: the field some token services use instead of `token`.
    serde_json::json!({"access_token": jwt, "expires_in": 300}).to_string()
}
