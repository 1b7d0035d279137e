//! The Docker side of the platform connector (`--backend qualys|server`),
//! as the vendor's CI plugins do it (`reference/qualys-cs.md` §3.1, §6.2):
//!
//! 1. [`check_sensor`]: a sensor container runs, is not paused, and was
//!    started in CI/CD mode, so it will scan what we tag;
//! 2. [`resolve_images`]: each image name or ID → its 64-hex sha, duplicates
//!    dropped (the platform knows images by sha only);
//! 3. [`tag_for_scan`]: tag `qualys_scan_target:<sha>` (and
//!    `portcullis_scan_target:<sha>`), which is what makes a CI/CD-mode sensor
//!    scan the image and report it to the platform.
//!
//! [`connect`] builds the client from `--docker-url` / `--docker-cert-path`
//! with the vendor's certificate-directory rules.
//!
//! Deliberate differences from the vendor, each fixing a reported gap:
//! names are URL-encoded in paths; the short CI/CD flag `-c` is recognised;
//! a sensor not in CI/CD mode is reported as such rather than as "not
//! running"; several sensor containers are all considered; tags are made on
//! the resolved ID, so a name re-pointed in between cannot get the tag.

mod images;
mod sensor;

use std::path::{Path, PathBuf};

use crate::{Docker, DockerConfig, DockerError, Endpoint};

pub use images::{
    is_valid_image_input, resolve_image, resolve_images, tag_for_scan, Duplicate, Resolved,
    ResolvedImage,
};
pub use sensor::{check_sensor, SensorError, SensorInfo, SensorKind};

/// Repository of the tag a Qualys sensor in CI/CD mode scans.
pub const QUALYS_SCAN_REPO: &str = "qualys_scan_target";
/// Repository of the tag a portcullis sensor in CI/CD mode scans (§10: it
/// scans both, so either sensor picks up an image tagged by one run).
pub const PORTCULLIS_SCAN_REPO: &str = "portcullis_scan_target";
/// Label whose value contains [`QUALYS_SENSOR_MARK`] on the vendor's sensor.
pub const QUALYS_SENSOR_LABEL: &str = "VersionInfo";
/// What the vendor's sensor writes into its `VersionInfo` label.
pub const QUALYS_SENSOR_MARK: &str = "Qualys Sensor";
/// Label that marks a `portcullis sensor` container; its presence is what
/// counts (any value; by convention the sensor's version). It is set when
/// the container is created (`docker run --label io.portcullis.sensor=…`):
/// labels cannot change afterwards, so a sensor cannot fake it later.
pub const PORTCULLIS_SENSOR_LABEL: &str = "io.portcullis.sensor";

/// The files a certificate directory must hold, in the order they are
/// reported missing.
pub const CERT_FILES: [&str; 3] = ["ca.pem", "cert.pem", "key.pem"];

/// Why resolving or tagging an image, or reaching the engine, failed.
#[derive(Debug, thiserror::Error)]
pub enum ConnectorError {
    /// No image was given (vendor wording).
    #[error("Image IDs can't be set to null or empty.")]
    NoImages,
    /// The input is neither an image ID nor an image reference.
    #[error("invalid image {input:?}: expected an image ID (12 or 64 hex digits, optionally prefixed sha256:) or an image name such as repo:tag or registry:5000/repo:tag{hint}")]
    InvalidInput {
        /// What was given.
        input: String,
        /// Extra advice (an unexpanded `${VAR}`, upper case), or empty.
        hint: &'static str,
    },
    /// The engine has no such image.
    #[error("image {input} was not found in the Docker engine at {endpoint}: build, pull or load it into that engine first (the sensor scans the images of the engine it runs next to)")]
    ImageNotFound {
        /// What was given.
        input: String,
        /// The engine URL.
        endpoint: String,
    },
    /// Asking the engine about the image failed.
    #[error("cannot resolve image {input}: {source}")]
    Resolve {
        /// What was given.
        input: String,
        /// The engine error.
        #[source]
        source: DockerError,
    },
    /// The engine answered with an ID that is not `sha256:<64 hex>`.
    #[error("the Docker engine at {endpoint} reports image ID {id:?} for {input}, which is not sha256:<64 hex digits>")]
    BadImageId {
        /// What was given.
        input: String,
        /// The engine URL.
        endpoint: String,
        /// The `Id` it sent.
        id: String,
    },
    /// Tagging failed (vendor wording, then the reason).
    #[error("Failed to tag the image {input} with {repo}.. Reason : {reason}")]
    Tag {
        /// What was given.
        input: String,
        /// [`QUALYS_SCAN_REPO`] or [`PORTCULLIS_SCAN_REPO`].
        repo: &'static str,
        /// The engine's answer.
        reason: String,
    },
    /// The certificate directory does not exist (vendor wording).
    #[error("Docker certificate path {} doesn't exist.", .0.display())]
    CertDirMissing(PathBuf),
    /// The certificate path is not a directory (vendor wording).
    #[error("Docker certificate path {} doesn't point to a directory.", .0.display())]
    CertDirNotDir(PathBuf),
    /// Some of `ca.pem`, `cert.pem`, `key.pem` are missing.
    #[error("Unable to find SSL Context: Docker certificate path {} lacks {}; TLS to the engine needs ca.pem (the CA that signed the engine's certificate), cert.pem and key.pem (our client certificate, which may include its chain, and its unencrypted key)", dir.display(), missing.join(", "))]
    CertFilesMissing {
        /// The directory.
        dir: PathBuf,
        /// The missing file names.
        missing: Vec<&'static str>,
    },
    /// A certificate directory was given for a unix socket.
    #[error("a Docker certificate path ({}) only applies to a tcp:// Docker URL, not to {endpoint}", dir.display())]
    CertDirForSocket {
        /// The directory.
        dir: PathBuf,
        /// The engine URL.
        endpoint: String,
    },
    /// The client could not be set up (bad URL, unreadable key, …).
    #[error(transparent)]
    Docker(#[from] DockerError),
}

/// Checks a Docker certificate directory the way the vendor plugin does
/// before it builds its TLS context: it exists, is a directory, and holds
/// all of `ca.pem`, `cert.pem` and `key.pem`. (The plain client also
/// accepts a directory without a client certificate, as the docker CLI
/// does; a CI gate talking to a remote engine always authenticates.)
pub fn validate_cert_dir(dir: &Path) -> Result<(), ConnectorError> {
    let meta = std::fs::metadata(dir).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => ConnectorError::CertDirMissing(dir.to_path_buf()),
        _ => ConnectorError::Docker(DockerError::Config(format!(
            "Docker certificate path {}: {e}",
            dir.display()
        ))),
    })?;
    if !meta.is_dir() {
        return Err(ConnectorError::CertDirNotDir(dir.to_path_buf()));
    }
    let missing: Vec<&'static str> = CERT_FILES
        .into_iter()
        .filter(|f| !dir.join(f).is_file())
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(ConnectorError::CertFilesMissing {
            dir: dir.to_path_buf(),
            missing,
        })
    }
}

/// The engine client for the connector: `docker_url` (`unix://…`,
/// `tcp://host:port`; default `DOCKER_HOST`, then the local socket) and
/// `cert_dir` (default `DOCKER_CERT_PATH` when `DOCKER_TLS_VERIFY` or it is
/// set). With a certificate directory the connection is TLS 1.3 (1.2
/// accepted), `ca.pem` is the only trust root, the engine's certificate
/// must name the host of the URL, and `cert.pem`/`key.pem` (PKCS#1, PKCS#8
/// or SEC1) are our client identity. The TLS material is read now, so a
/// bad key fails here, before any image is touched.
pub fn connect(
    docker_url: Option<&str>,
    cert_dir: Option<&Path>,
) -> Result<Docker, ConnectorError> {
    let config = DockerConfig::with_overrides(docker_url, cert_dir)?;
    if let (Some(dir), Endpoint::Unix(_)) = (cert_dir, &config.endpoint) {
        return Err(ConnectorError::CertDirForSocket {
            dir: dir.to_path_buf(),
            endpoint: config.endpoint.to_string(),
        });
    }
    if let Some(tls) = &config.tls {
        validate_cert_dir(&tls.cert_dir)?;
    }
    Ok(Docker::new(config)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cert_dir_rules() {
        let tmp = tempfile::tempdir().unwrap();
        let missing = tmp.path().join("nope");
        let e = validate_cert_dir(&missing).unwrap_err();
        assert!(matches!(e, ConnectorError::CertDirMissing(_)), "{e}");
        assert!(e.to_string().ends_with("nope doesn't exist."), "{e}");
        let file = tmp.path().join("file");
        std::fs::write(&file, "").unwrap();
        let e = validate_cert_dir(&file).unwrap_err();
        assert!(
            e.to_string().ends_with("doesn't point to a directory."),
            "{e}"
        );
        let e = validate_cert_dir(tmp.path()).unwrap_err();
        assert!(
            e.to_string().contains("lacks ca.pem, cert.pem, key.pem"),
            "{e}"
        );
        std::fs::write(tmp.path().join("ca.pem"), "").unwrap();
        std::fs::write(tmp.path().join("cert.pem"), "").unwrap();
        let e = validate_cert_dir(tmp.path()).unwrap_err();
        assert!(e.to_string().contains("lacks key.pem;"), "{e}");
        assert!(
            e.to_string().starts_with("Unable to find SSL Context"),
            "{e}"
        );
        std::fs::write(tmp.path().join("key.pem"), "").unwrap();
        validate_cert_dir(tmp.path()).unwrap();
    }

    #[test]
    fn connect_checks_before_reading() {
        let tmp = tempfile::tempdir().unwrap();
        let e = connect(Some("unix:///run/x.sock"), Some(tmp.path())).unwrap_err();
        assert!(matches!(e, ConnectorError::CertDirForSocket { .. }), "{e}");
        let e = connect(Some("tcp://127.0.0.1:1"), Some(tmp.path())).unwrap_err();
        assert!(matches!(e, ConnectorError::CertFilesMissing { .. }), "{e}");
        let e = connect(Some("ssh://h"), None).unwrap_err();
        assert!(matches!(e, ConnectorError::Docker(_)), "{e}");
        // A plain TCP client is built without touching the network.
        let docker = connect(Some("tcp://127.0.0.1:1"), None).unwrap();
        assert_eq!(docker.endpoint(), "tcp://127.0.0.1:1");
    }
}
