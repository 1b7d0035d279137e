//! TLS to a remote engine, as `dockerd --tlsverify` expects it: the engine's
//! certificate must chain to `ca.pem`, and we present `cert.pem`/`key.pem`
//! when they exist. TLS 1.3 is preferred, 1.2 accepted.

use std::io;
use std::path::Path;
use std::sync::Arc;

use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};

use crate::config::TlsSettings;
use crate::DockerError;

pub(crate) fn client_config(
    settings: &TlsSettings,
    endpoint: &str,
) -> Result<Arc<rustls::ClientConfig>, DockerError> {
    let fail = |reason: String| DockerError::Tls {
        endpoint: endpoint.to_owned(),
        reason,
    };
    let dir = &settings.cert_dir;
    // Said before any file is opened: "cannot read …/ca.pem" would hide that
    // the whole directory is wrong.
    match std::fs::metadata(dir) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return Err(fail(format!(
                "certificate directory {} doesn't exist",
                dir.display()
            )))
        }
        Err(e) => {
            return Err(fail(format!(
                "certificate directory {}: {e}",
                dir.display()
            )))
        }
        Ok(m) if !m.is_dir() => {
            return Err(fail(format!(
                "certificate directory {} doesn't point to a directory",
                dir.display()
            )))
        }
        Ok(_) => {}
    }
    if !dir.join("ca.pem").exists() {
        return Err(fail(format!(
            "{} has no ca.pem (the CA certificate the engine's certificate must chain to)",
            dir.display()
        )));
    }
    let mut roots = rustls::RootCertStore::empty();
    let ca = read_certs(&dir.join("ca.pem")).map_err(|e| fail(format!("CA bundle: {e}")))?;
    if ca.is_empty() {
        return Err(fail(format!(
            "{} holds no certificate",
            dir.join("ca.pem").display()
        )));
    }
    for cert in ca {
        roots.add(cert).map_err(|e| {
            fail(format!(
                "CA certificate in {}: {e}",
                dir.join("ca.pem").display()
            ))
        })?;
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .map_err(|e| fail(e.to_string()))?
        .with_root_certificates(roots);
    let (cert_path, key_path) = (dir.join("cert.pem"), dir.join("key.pem"));
    let config = match (cert_path.exists(), key_path.exists()) {
        (true, true) => {
            let chain =
                read_certs(&cert_path).map_err(|e| fail(format!("client certificate: {e}")))?;
            let key = read_key(&key_path).map_err(|e| fail(format!("client key: {e}")))?;
            builder
                .with_client_auth_cert(chain, key)
                .map_err(|e| fail(format!("client certificate and key do not fit: {e}")))?
        }
        (false, false) => builder.with_no_client_auth(),
        _ => {
            return Err(fail(format!(
                "{} needs both cert.pem and key.pem, or neither",
                dir.display()
            )))
        }
    };
    let mut config = config;
    // No session resumption: we open one connection per call, and OpenSSL
    // servers that verify client certificates but set no session-id context
    // abort a resumed handshake with `internal_error` (Go's docker client
    // does not resume either).
    config.resumption = rustls::client::Resumption::disabled();
    Ok(Arc::new(config))
}

fn read_certs(path: &Path) -> Result<Vec<CertificateDer<'static>>, String> {
    let data = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    rustls_pemfile::certs(&mut &data[..])
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("{} is not PEM: {e}", path.display()))
}

fn read_key(path: &Path) -> Result<PrivateKeyDer<'static>, String> {
    let data = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    // Only the path is ever named: the key's bytes stay out of messages.
    let key = rustls_pemfile::private_key(&mut &data[..])
        .map_err(|_| format!("{} is not a PEM private key", path.display()))?;
    match key {
        Some(key) => Ok(key),
        // rustls_pemfile skips sections it does not know, so an encrypted
        // key would otherwise read as "no key at all".
        None if contains(&data, b"ENCRYPTED") => Err(format!(
            "{} is encrypted; the engine's client key must be unencrypted PEM \
             (PKCS#1 \"RSA PRIVATE KEY\", PKCS#8 \"PRIVATE KEY\" or SEC1 \"EC PRIVATE KEY\"), \
             as for the docker CLI",
            path.display()
        )),
        None => Err(format!(
            "{} holds no private key (expected PEM: PKCS#1, PKCS#8 or SEC1)",
            path.display()
        )),
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

pub(crate) fn server_name(host: &str, endpoint: &str) -> Result<ServerName<'static>, DockerError> {
    ServerName::try_from(host.to_owned()).map_err(|_| DockerError::Tls {
        endpoint: endpoint.to_owned(),
        reason: format!("{host:?} is not a valid TLS server name"),
    })
}

/// Text for a failed handshake, preferring rustls' own reason.
pub(crate) fn describe(e: &io::Error) -> String {
    find_tls_error(e).unwrap_or_else(|| e.to_string())
}

/// Looks through an error chain for a rustls error (tokio-rustls wraps them
/// in `io::Error`, hyper wraps those).
pub(crate) fn find_tls_error(e: &(dyn std::error::Error + 'static)) -> Option<String> {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cur {
        if let Some(t) = err.downcast_ref::<rustls::Error>() {
            return Some(explain(t));
        }
        if let Some(inner) = err.downcast_ref::<io::Error>().and_then(|io| io.get_ref()) {
            if let Some(t) = inner.downcast_ref::<rustls::Error>() {
                return Some(explain(t));
            }
        }
        cur = err.source();
    }
    None
}

fn explain(e: &rustls::Error) -> String {
    use rustls::{AlertDescription as A, Error as E};
    match e {
        E::AlertReceived(
            A::CertificateRequired | A::HandshakeFailure | A::BadCertificate | A::UnknownCA,
        ) => {
            format!("the engine refused our client certificate ({e}); check cert.pem/key.pem")
        }
        E::InvalidCertificate(_) => {
            format!("the engine's certificate is not trusted ({e}); check ca.pem and the host name")
        }
        _ => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(dir: &Path) -> String {
        let settings = TlsSettings {
            cert_dir: dir.to_path_buf(),
        };
        client_config(&settings, "tcp://e:2376")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default()
    }

    #[test]
    fn names_what_is_wrong_with_the_directory() {
        let tmp = tempfile::tempdir().unwrap();
        let missing = tmp.path().join("nope");
        assert!(err(&missing).contains("doesn't exist"), "{}", err(&missing));
        let file = tmp.path().join("file");
        std::fs::write(&file, "x").unwrap();
        assert!(err(&file).contains("doesn't point to a directory"));
        assert!(err(tmp.path()).contains("has no ca.pem"));
        std::fs::write(tmp.path().join("ca.pem"), "").unwrap();
        assert!(err(tmp.path()).contains("holds no certificate"));
    }

    #[test]
    fn an_encrypted_key_is_named_as_such() {
        let tmp = tempfile::tempdir().unwrap();
        let key = tmp.path().join("key.pem");
        std::fs::write(
            &key,
            "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n",
        )
        .unwrap();
        let e = read_key(&key).unwrap_err();
        assert!(e.contains("is encrypted"), "{e}");
        std::fs::write(&key, "no pem here\n").unwrap();
        let e = read_key(&key).unwrap_err();
        assert!(e.contains("holds no private key"), "{e}");
    }
}
