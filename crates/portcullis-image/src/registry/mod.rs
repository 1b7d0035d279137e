//! `registry:HOST[:PORT]/REPO[:TAG|@DIGEST]`: an image pulled over the OCI
//! distribution spec (v1.1, pull workflow) — also what Docker registries
//! (v2 API) speak.
//!
//! The manifest is asked for with every media type we read (OCI index and
//! manifest, Docker manifest list and schema-2 manifest); an index is
//! resolved for [`crate::OpenOptions::platform`]. Manifests pulled by
//! digest, and every child manifest, are checked against their digest; the
//! config is checked before use. Layers are streamed straight from
//! `GET /v2/<repo>/blobs/<digest>`, several at a time, with the digest
//! verified as they stream (see `visit_blobs`) and nothing written to disk.
//!
//! Hosts: TLS with system roots (plus [`RegistryOptions::ca_bundle`]) by
//! default. Loopback registries (`localhost`, 127.0.0.0/8, `::1`) and those
//! listed in [`RegistryOptions::insecure_registries`] may be reached over
//! plain HTTP or unverified TLS, as the Docker engine treats them.

mod auth;
mod client;
mod reference;

use std::io::{self, Read};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use portcullis_types::Digest;
use reqwest::StatusCode;

pub use auth::Credentials;

use crate::oci::{self, Index, Manifest, StoredLayer, INDEX_TYPES, MANIFEST_TYPES};
use crate::{blob, BlobStore, Image, ImageError, Layers, OpenOptions};
use client::RegistryClient;
use reference::{RegistryRef, Target};

/// Largest manifest, index or config accepted.
const MAX_DOCUMENT: u64 = 16 << 20;
/// Nesting of indexes followed before giving up.
const MAX_INDEX_DEPTH: usize = 4;
/// Docker schema 1, which we do not read (deprecated, unverifiable layers).
const SCHEMA1_TYPES: &[&str] = &[
    "application/vnd.docker.distribution.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.v1+prettyjws",
];

/// Settings for `registry:` references.
#[derive(Clone, Debug, Default)]
pub struct RegistryOptions {
    /// `host[:port]` registries that may be reached over plain HTTP (or TLS
    /// without verification), like the Docker engine's `insecure-registries`.
    /// Loopback hosts are always treated so.
    pub insecure_registries: Vec<String>,
    /// Treat every registry as insecure.
    pub insecure: bool,
    /// Extra PEM CA certificates, trusted besides the system roots.
    pub ca_bundle: Option<PathBuf>,
    /// Credentials to use instead of the environment and Docker config.
    pub credentials: Option<Credentials>,
    /// Directory holding the Docker CLI `config.json` (default:
    /// `$DOCKER_CONFIG`, else `~/.docker`).
    pub docker_config_dir: Option<PathBuf>,
    /// Longest wait for an answer or between two reads (default 60 s).
    pub timeout: Option<Duration>,
}

struct RegistryBlobs(Arc<RegistryClient>);

impl BlobStore for RegistryBlobs {
    fn open(&self, layer: &StoredLayer) -> Result<Box<dyn Read + Send + '_>, ImageError> {
        let resp = fetch_blob(&self.0, &layer.locator)?;
        Ok(Box::new(AtMost {
            inner: resp,
            left: layer.size,
            what: layer.locator.clone(),
        }))
    }
}

/// Stops a registry from streaming more than the descriptor announced
/// (the digest check alone would only fail after reading all of it).
struct AtMost<R> {
    inner: R,
    left: u64,
    what: String,
}

impl<R: Read> Read for AtMost<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        // One byte of slack so an oversized blob is noticed, not truncated.
        let cap = usize::try_from(self.left.saturating_add(1))
            .unwrap_or(usize::MAX)
            .min(buf.len());
        let n = self.inner.read(&mut buf[..cap])?;
        if n as u64 > self.left {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("blob {} is larger than its descriptor says", self.what),
            ));
        }
        self.left -= n as u64;
        Ok(n)
    }
}

fn fetch_blob(
    client: &RegistryClient,
    digest: &str,
) -> Result<reqwest::blocking::Response, ImageError> {
    let resp = client.get(&format!("blobs/{digest}"), None)?;
    match resp.status() {
        s if s.is_success() => Ok(resp),
        StatusCode::NOT_FOUND => Err(ImageError::MissingBlob(format!(
            "{digest} (registry {} has no such blob in {}{})",
            client.reference.host,
            client.reference.repo,
            client::error_detail(resp)
        ))),
        s => Err(ImageError::Remote(format!(
            "registry {}: blob {digest} answered {s}{}",
            client.reference.host,
            client::error_detail(resp)
        ))),
    }
}

/// Reads a small document (manifest, config) whole, within the size limit.
fn read_bounded(resp: reqwest::blocking::Response, what: &str) -> Result<Vec<u8>, ImageError> {
    if resp.content_length().is_some_and(|l| l > MAX_DOCUMENT) {
        return Err(ImageError::malformed(
            what,
            "larger than the 16 MiB limit for a metadata document",
        ));
    }
    let mut buf = Vec::new();
    resp.take(MAX_DOCUMENT + 1)
        .read_to_end(&mut buf)
        .map_err(|e| ImageError::Remote(format!("reading {what}: {e}")))?;
    if buf.len() as u64 > MAX_DOCUMENT {
        return Err(ImageError::malformed(
            what,
            "larger than the 16 MiB limit for a metadata document",
        ));
    }
    Ok(buf)
}

struct Fetched {
    bytes: Vec<u8>,
    media_type: Option<String>,
    digest: Digest,
}

/// GETs a manifest or index; checks it against `expected` when pulling by
/// digest, and against the registry's `Docker-Content-Digest` otherwise.
fn fetch_manifest(client: &RegistryClient, target: &Target) -> Result<Fetched, ImageError> {
    let accept = [MANIFEST_TYPES, INDEX_TYPES].concat().join(", ");
    let what = format!("manifest {}", target.as_path());
    let resp = client.get(&format!("manifests/{}", target.as_path()), Some(&accept))?;
    let status = resp.status();
    if status == StatusCode::NOT_FOUND {
        return Err(ImageError::NotFound(format!(
            "{}: {what} not found{}",
            client.reference.display_name(),
            client::error_detail(resp)
        )));
    }
    if !status.is_success() {
        return Err(ImageError::Remote(format!(
            "registry {}: {what} answered {status}{}",
            client.reference.host,
            client::error_detail(resp)
        )));
    }
    let header = |name: &str| {
        resp.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.split(';').next().unwrap_or(v).trim().to_owned())
    };
    let media_type = header("content-type");
    let announced = header("docker-content-digest").and_then(|d| d.parse::<Digest>().ok());
    let bytes = read_bounded(resp, &what)?;
    let digest = match target {
        Target::Digest(d) => {
            blob::verify_bytes(&bytes, d)?;
            d.clone()
        }
        Target::Tag(_) => {
            let computed = blob::sha256_of(&bytes);
            if let Some(a) = announced.filter(|a| a.algorithm() == "sha256") {
                if a != computed {
                    return Err(ImageError::DigestMismatch {
                        expected: a,
                        actual: computed.to_string(),
                    });
                }
            }
            computed
        }
    };
    Ok(Fetched {
        bytes,
        media_type,
        digest,
    })
}

/// What a manifest document is, from its media type or its shape.
fn is_index(f: &Fetched) -> Result<bool, ImageError> {
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Probe {
        #[serde(default)]
        schema_version: Option<u32>,
        #[serde(default)]
        media_type: Option<String>,
        #[serde(default)]
        manifests: Option<serde_json::Value>,
    }
    let probe: Probe = oci::parse(&format!("manifest {}", f.digest), &f.bytes)?;
    let ty = probe
        .media_type
        .as_deref()
        .or(f.media_type.as_deref())
        .unwrap_or_default();
    if SCHEMA1_TYPES.contains(&ty) || probe.schema_version == Some(1) {
        return Err(ImageError::Unsupported(format!(
            "manifest {} is Docker schema 1, which is deprecated; re-push the image",
            f.digest
        )));
    }
    Ok(INDEX_TYPES.contains(&ty) || (probe.manifests.is_some() && !MANIFEST_TYPES.contains(&ty)))
}

pub(crate) fn open(spec: &str, options: &OpenOptions) -> Result<Image, ImageError> {
    let reference = RegistryRef::parse(spec)?;
    let client = Arc::new(RegistryClient::new(reference.clone(), &options.registry)?);
    let top = fetch_manifest(&client, &reference.target)?;
    let top_digest = top.digest.clone();
    let mut current = top;
    for depth in 0..=MAX_INDEX_DEPTH {
        if !is_index(&current)? {
            break;
        }
        if depth == MAX_INDEX_DEPTH {
            return Err(ImageError::Unsupported(format!(
                "index nested more than {MAX_INDEX_DEPTH} deep"
            )));
        }
        let what = format!("index {}", current.digest);
        let index: Index = oci::parse(&what, &current.bytes)?;
        let chosen = oci::choose_manifest(&index, &options.platform, &what)?;
        current = fetch_manifest(&client, &Target::Digest(chosen.digest.clone()))?;
    }
    let manifest: Manifest = oci::parse(&format!("manifest {}", current.digest), &current.bytes)?;
    let config_digest = manifest.config.digest.clone();
    let config_what = format!("config {config_digest}");
    let config = read_bounded(
        fetch_blob(&client, &config_digest.to_string())?,
        &config_what,
    )?;
    blob::verify_bytes(&config, &config_digest)?;
    let layers: Vec<StoredLayer> = manifest
        .layers
        .iter()
        .map(|d| StoredLayer {
            digest: Some(d.digest.clone()),
            locator: d.digest.to_string(),
            size: d.size,
            media_type: d.media_type.clone(),
        })
        .collect();
    let mut metadata = oci::metadata_from_config(&config, config_digest, &layers)?;
    metadata.manifest_digest = Some(current.digest.clone());
    let name = reference.display_name();
    if let Target::Tag(t) = &reference.target {
        metadata.repo_tags.push(format!("{name}:{t}"));
    }
    metadata.repo_digests.push(format!("{name}@{top_digest}"));
    Ok(Image {
        metadata,
        layers: Layers::Blobs {
            store: Arc::new(RegistryBlobs(client)),
            layers,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_most_stops_oversized_blobs() {
        let mut ok = AtMost {
            inner: &b"abc"[..],
            left: 3,
            what: "x".into(),
        };
        let mut out = Vec::new();
        ok.read_to_end(&mut out).unwrap();
        assert_eq!(out, b"abc");
        let mut big = AtMost {
            inner: &b"abcd"[..],
            left: 3,
            what: "x".into(),
        };
        assert!(big.read_to_end(&mut Vec::new()).is_err());
    }

    #[test]
    fn tells_index_from_manifest() {
        let f = |json: &str, ty: Option<&str>| Fetched {
            bytes: json.as_bytes().to_vec(),
            media_type: ty.map(str::to_owned),
            digest: blob::sha256_of(b""),
        };
        assert!(is_index(&f(r#"{"schemaVersion":2,"manifests":[]}"#, None)).unwrap());
        assert!(!is_index(&f(
            r#"{"schemaVersion":2,"config":{}}"#,
            Some(MANIFEST_TYPES[0])
        ))
        .unwrap());
        assert!(is_index(&f(r#"{"schemaVersion":2}"#, Some(INDEX_TYPES[1]))).unwrap());
        assert!(matches!(
            is_index(&f(r#"{"schemaVersion":1}"#, None)),
            Err(ImageError::Unsupported(_))
        ));
    }
}
