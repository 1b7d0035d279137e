//! Registry authentication: where credentials come from, and the two
//! challenges a registry may answer with (RFC 7235 `WWW-Authenticate`).
//!
//! - `Basic realm=...`: send the credentials on every request.
//! - `Bearer realm=...,service=...,scope=...`: trade the credentials (or
//!   nothing, for anonymous pulls) for a token at `realm`, per the Docker
//!   "token authentication specification" that the OCI distribution spec
//!   defers to; the answer carries `token` or `access_token`.
//!
//! Credentials, in order: [`crate::RegistryOptions::credentials`], the
//! `PORTCULLIS_REGISTRY_USERNAME`/`PORTCULLIS_REGISTRY_PASSWORD` environment,
//! then `auths` in the Docker CLI's `config.json` (`$DOCKER_CONFIG` or
//! `~/.docker`). Credential helpers (`credsStore`, `credHelpers`) are not run.
//! No credential, token or `Authorization` value ever enters a message.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use serde::Deserialize;

use crate::ImageError;

/// A user name and password (or token used as password).
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    /// User name.
    pub username: String,
    /// Password or personal access token.
    pub password: String,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("username", &self.username)
            .field("password", &"***")
            .finish()
    }
}

impl Credentials {
    pub(crate) fn basic_header(&self) -> String {
        let raw = format!("{}:{}", self.username, self.password);
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(raw)
        )
    }
}

/// Where credentials were found, for messages (never the secret itself).
#[derive(Clone, Debug)]
pub(crate) struct Found {
    pub(crate) credentials: Credentials,
    pub(crate) origin: String,
}

/// A parsed `WWW-Authenticate` challenge.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Challenge {
    Basic,
    Bearer {
        realm: String,
        service: Option<String>,
        scope: Option<String>,
    },
}

/// Parses `Scheme k="v", k2=v2`. Unknown schemes yield `None`.
pub(crate) fn parse_challenge(header: &str) -> Option<Challenge> {
    let header = header.trim();
    let (scheme, rest) = header
        .split_once(char::is_whitespace)
        .unwrap_or((header, ""));
    let params = parse_params(rest);
    match scheme.to_ascii_lowercase().as_str() {
        "basic" => Some(Challenge::Basic),
        "bearer" => Some(Challenge::Bearer {
            realm: params.get("realm")?.clone(),
            service: params.get("service").cloned(),
            scope: params.get("scope").cloned(),
        }),
        _ => None,
    }
}

/// `k="v, with comma", k2=v2` → map (keys lowercased).
fn parse_params(s: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut chars = s.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| *c == ',' || c.is_whitespace()) {
            chars.next();
        }
        let key: String = chars
            .by_ref()
            .take_while(|c| *c != '=')
            .collect::<String>()
            .trim()
            .to_ascii_lowercase();
        if key.is_empty() {
            return out;
        }
        let mut value = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            while let Some(c) = chars.next() {
                match c {
                    '\\' => value.extend(chars.next()),
                    '"' => break,
                    c => value.push(c),
                }
            }
        } else {
            while let Some(c) = chars.peek().copied().filter(|c| *c != ',') {
                value.push(c);
                chars.next();
            }
            value = value.trim().to_owned();
        }
        out.insert(key, value);
    }
}

/// The token service's answer.
#[derive(Deserialize)]
pub(crate) struct TokenAnswer {
    #[serde(default)]
    token: Option<String>,
    #[serde(default)]
    access_token: Option<String>,
}

impl TokenAnswer {
    pub(crate) fn into_token(self) -> Option<String> {
        self.token
            .filter(|t| !t.is_empty())
            .or(self.access_token.filter(|t| !t.is_empty()))
    }
}

#[derive(Deserialize, Default)]
struct DockerConfigFile {
    #[serde(default)]
    auths: BTreeMap<String, AuthEntry>,
}

#[derive(Deserialize, Default)]
struct AuthEntry {
    #[serde(default)]
    auth: Option<String>,
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    password: Option<String>,
}

/// The config directory: explicit, `$DOCKER_CONFIG`, or `~/.docker`.
pub(crate) fn docker_config_dir(explicit: Option<&Path>) -> Option<PathBuf> {
    explicit
        .map(Path::to_path_buf)
        .or_else(|| {
            std::env::var_os("DOCKER_CONFIG")
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        })
        .or_else(|| {
            std::env::var_os("HOME")
                .filter(|v| !v.is_empty())
                .map(|h| Path::new(&h).join(".docker"))
        })
}

/// Names a registry host may be filed under in `auths`.
fn host_keys(host: &str) -> Vec<String> {
    if super::reference::is_docker_hub(host) {
        [
            "https://index.docker.io/v1/",
            "index.docker.io",
            "docker.io",
            "registry-1.docker.io",
        ]
        .map(String::from)
        .to_vec()
    } else {
        vec![host.to_owned()]
    }
}

/// `https://host:port/v1/` → `host:port`.
fn normalize_key(key: &str) -> &str {
    let key = key.split_once("://").map_or(key, |(_, rest)| rest);
    key.split('/').next().unwrap_or(key)
}

/// Looks `host` up in the environment, then in `config.json`.
pub(crate) fn lookup(
    host: &str,
    config_dir: Option<&Path>,
    env: impl Fn(&str) -> Option<String>,
) -> Result<Option<Found>, ImageError> {
    if let (Some(username), Some(password)) = (
        env("PORTCULLIS_REGISTRY_USERNAME"),
        env("PORTCULLIS_REGISTRY_PASSWORD"),
    ) {
        return Ok(Some(Found {
            credentials: Credentials { username, password },
            origin: "PORTCULLIS_REGISTRY_USERNAME/PASSWORD".into(),
        }));
    }
    let Some(dir) = config_dir else {
        return Ok(None);
    };
    let path = dir.join("config.json");
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(ImageError::io(&path, e)),
    };
    // serde's message names a position, never the content: safe to show.
    let file: DockerConfigFile = serde_json::from_slice(&bytes)
        .map_err(|e| ImageError::malformed(path.display().to_string(), e))?;
    let keys = host_keys(host);
    let entry = file.auths.iter().find(|(k, _)| {
        keys.iter()
            .any(|h| h.as_str() == k.as_str() || h.as_str() == normalize_key(k))
    });
    let origin = format!("{} (auths.{host})", path.display());
    let Some((_, entry)) = entry else {
        return Ok(None);
    };
    if let Some(auth) = entry.auth.as_deref().filter(|a| !a.is_empty()) {
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(auth.trim())
            .ok()
            .and_then(|d| String::from_utf8(d).ok())
            .ok_or_else(|| {
                ImageError::malformed(&origin, "`auth` is not base64 of user:password")
            })?;
        let (username, password) = decoded.split_once(':').ok_or_else(|| {
            ImageError::malformed(&origin, "`auth` is not base64 of user:password")
        })?;
        return Ok(Some(Found {
            credentials: Credentials {
                username: username.into(),
                password: password.into(),
            },
            origin,
        }));
    }
    match (&entry.username, &entry.password) {
        (Some(u), Some(p)) => Ok(Some(Found {
            credentials: Credentials {
                username: u.clone(),
                password: p.clone(),
            },
            origin,
        })),
        _ => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_challenges() {
        assert_eq!(
            parse_challenge(r#"Basic realm="Registry Realm""#),
            Some(Challenge::Basic)
        );
        assert_eq!(
            parse_challenge(
                r#"Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull,push""#
            ),
            Some(Challenge::Bearer {
                realm: "https://auth.example/token".into(),
                service: Some("registry.example".into()),
                scope: Some("repository:a/b:pull,push".into()),
            })
        );
        assert_eq!(
            parse_challenge("bearer realm=http://h/t, service=s"),
            Some(Challenge::Bearer {
                realm: "http://h/t".into(),
                service: Some("s".into()),
                scope: None
            })
        );
        assert_eq!(parse_challenge("Bearer service=s"), None);
        assert_eq!(parse_challenge("Negotiate abc"), None);
    }

    #[test]
    fn reads_docker_config() {
        let dir = tempfile::tempdir().unwrap();
        let none = |_: &str| None;
        assert!(lookup("r.example:5000", Some(dir.path()), none)
            .unwrap()
            .is_none());
        std::fs::write(
            dir.path().join("config.json"),
            r#"{"auths":{"https://r.example:5000/v1/":{"auth":"dXNlcjpwYTpzcw=="},"other":{"username":"u","password":"p"},
               "https://index.docker.io/v1/":{"auth":"aHViOmh1YnB3"}}}"#,
        )
        .unwrap();
        let f = lookup("r.example:5000", Some(dir.path()), none)
            .unwrap()
            .unwrap();
        assert_eq!(
            f.credentials,
            Credentials {
                username: "user".into(),
                password: "pa:ss".into()
            }
        );
        assert!(!format!("{f:?}").contains("pa:ss"));
        assert_eq!(
            lookup("other", Some(dir.path()), none)
                .unwrap()
                .unwrap()
                .credentials
                .password,
            "p"
        );
        assert_eq!(
            lookup("registry-1.docker.io", Some(dir.path()), none)
                .unwrap()
                .unwrap()
                .credentials
                .username,
            "hub"
        );
        assert!(lookup("nope", Some(dir.path()), none).unwrap().is_none());
        let env = |k: &str| {
            Some(if k.ends_with("USERNAME") {
                "e".to_owned()
            } else {
                "ep".to_owned()
            })
        };
        assert_eq!(
            lookup("r.example:5000", Some(dir.path()), env)
                .unwrap()
                .unwrap()
                .credentials
                .username,
            "e"
        );
        std::fs::write(
            dir.path().join("config.json"),
            r#"{"auths":{"x":{"auth":"!!"}}}"#,
        )
        .unwrap();
        let err = lookup("x", Some(dir.path()), none).unwrap_err().to_string();
        assert!(err.contains("base64"), "{err}");
    }
}
