//! Credentials, with secrets that cannot leak through formatting.

use std::fmt;

/// A password or client secret. It has no `Display`, its `Debug` prints
/// `***`, and the only way to read it is [`Secret::expose`], so it cannot end
/// up in a log line, an error or a report by accident (SPEC §7).
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The value, for the one place that must send it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Secret {
        Secret(value)
    }
}

/// How to obtain a token (reference §1.2).
#[derive(Clone, Debug)]
pub enum Credentials {
    /// `POST /auth` with a form-encoded username and password.
    Password {
        /// Platform user name.
        username: String,
        /// Its password.
        password: Secret,
    },
    /// `POST /auth/oidc` with `clientId` / `clientSecret` headers
    /// (user-level OAuth client).
    Oidc {
        /// OAuth client id.
        client_id: String,
        /// OAuth client secret.
        client_secret: Secret,
    },
}

#[cfg(test)]
mod tests {
    use super::{Credentials, Secret};

    #[test]
    fn debug_never_shows_the_secret() {
        let c = Credentials::Password {
            username: "alice".into(),
            password: Secret::new("hunter2&+%"),
        };
        let text = format!("{c:?} {c:#?}");
        assert!(!text.contains("hunter2"), "{text}");
        assert!(text.contains("alice"));
        let o = Credentials::Oidc {
            client_id: "id".into(),
            client_secret: Secret::new("s3cr3t"),
        };
        assert!(!format!("{o:?}").contains("s3cr3t"));
    }
}
