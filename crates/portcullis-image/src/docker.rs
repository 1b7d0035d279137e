//! `docker:NAME[:TAG]` / `docker:ID`: an image held by a Docker engine,
//! read through the Engine API (see the `portcullis-docker` crate).
//!
//! The metadata comes from `GET /images/{id}/json` and `/history`; the
//! layers from one `GET /images/{id}/get` (`docker save`) stream, read front
//! to back and put in order by the archive's `manifest.json`. The export is
//! asked for by full image ID, so a tag moved between the two calls cannot
//! mix two images.

use std::io::Read;
use std::path::PathBuf;
use std::sync::Arc;

use portcullis_docker::{Docker, DockerConfig, DockerError, HistoryItem, ImageInspect};
use portcullis_types::{Digest, HistoryEntry, ImageMetadata, LayerMetadata};

use crate::docker_archive::Selector;
use crate::{Image, ImageError, Layers};

/// How to reach the Docker engine for `docker:` references. Unset fields
/// come from `DOCKER_HOST`, `DOCKER_CERT_PATH`, `DOCKER_TLS_VERIFY`
/// (default: the local socket `/var/run/docker.sock`).
#[derive(Clone, Debug, Default)]
pub struct DockerOptions {
    /// Engine URL: `unix:///path`, `tcp://host:port`.
    pub host: Option<String>,
    /// Directory with `ca.pem`, `cert.pem`, `key.pem`; turns on TLS
    /// (always verified) for a `tcp://` host.
    pub cert_path: Option<PathBuf>,
}

impl DockerOptions {
    /// The client configuration these options and the environment give.
    pub fn config(&self) -> Result<DockerConfig, ImageError> {
        DockerConfig::with_overrides(self.host.as_deref(), self.cert_path.as_deref())
            .map_err(remote)
    }
}

fn remote(e: DockerError) -> ImageError {
    ImageError::Remote(e.to_string())
}

pub(crate) fn open(name: &str, options: &DockerOptions) -> Result<Image, ImageError> {
    let docker = Docker::new(options.config()?).map_err(remote)?;
    let not_found = |e: DockerError| match e {
        DockerError::NotFound { endpoint, .. } => ImageError::NotFound(format!(
            "no image {name:?} in the Docker engine at {endpoint}"
        )),
        other => remote(other),
    };
    let inspect = docker.image_inspect(name).map_err(not_found)?;
    let history = docker.image_history(&inspect.id).map_err(not_found)?;
    let metadata = metadata(&inspect, &history)?;
    let docker = Arc::new(docker);
    let id = inspect.id.clone();
    let open = move || -> Result<Box<dyn Read + Send>, ImageError> {
        Ok(Box::new(docker.image_export(&id).map_err(remote)?))
    };
    // One image exported by ID: its manifest.json has a single entry.
    Ok(Image {
        metadata,
        layers: Layers::DockerSave {
            open: Box::new(open),
            selector: Selector::FromManifest { tag: None },
        },
    })
}

/// Builds the image model from the engine's inspect and history answers.
fn metadata(inspect: &ImageInspect, history: &[HistoryItem]) -> Result<ImageMetadata, ImageError> {
    let malformed = |e: &dyn std::fmt::Display| {
        ImageError::malformed(format!("Docker engine inspect of {}", inspect.id), e)
    };
    let config_digest: Digest = inspect.id.parse().map_err(|e| malformed(&e))?;
    let diff_ids: Vec<Digest> = inspect
        .root_fs
        .layers
        .iter()
        .map(|l| l.parse().map_err(|e| malformed(&e)))
        .collect::<Result<_, _>>()?;
    // The engine lists history newest first; the config's order is oldest first.
    let steps: Vec<&HistoryItem> = history.iter().rev().collect();
    let producing = producing_steps(&steps, diff_ids.len());
    let layers = diff_ids
        .into_iter()
        .enumerate()
        .map(|(i, diff_id)| {
            let step = producing.as_ref().map(|p| p[i]);
            LayerMetadata {
                diff_id,
                // `docker save` stores layers uncompressed: the blob is the diff.
                digest: None,
                size: step.map_or(0, |s| u64::try_from(s.size).unwrap_or(0)),
                media_type: None,
                created_by: step.map(|s| s.created_by.clone()).filter(|c| !c.is_empty()),
            }
        })
        .collect();
    Ok(ImageMetadata {
        image_id: config_digest.short().to_owned(),
        config_digest: Some(config_digest),
        repo_tags: inspect
            .repo_tags
            .iter()
            .filter(|t| *t != "<none>:<none>")
            .cloned()
            .collect(),
        repo_digests: inspect
            .repo_digests
            .iter()
            .filter(|t| *t != "<none>@<none>")
            .cloned()
            .collect(),
        os: inspect.os.clone(),
        architecture: inspect.architecture.clone(),
        created: inspect.created.clone().filter(|c| !c.is_empty()),
        docker_version: inspect.docker_version.clone().filter(|v| !v.is_empty()),
        total_size: u64::try_from(inspect.size).unwrap_or(0),
        layers,
        history: steps
            .iter()
            .map(|s| HistoryEntry {
                created: (s.created > 0).then(|| rfc3339(s.created)),
                created_by: Some(s.created_by.clone()).filter(|c| !c.is_empty()),
                empty_layer: s.size == 0,
            })
            .collect(),
        ..ImageMetadata::default()
    })
}

/// Which history steps produced the layers. The engine's history does not
/// say which steps are `empty_layer`; a step's size is its layer's size, so
/// the non-zero ones are the producing steps — unless a layer is itself
/// empty (a `RUN` that changed nothing), which makes the count disagree. In
/// that case, and only when every step made a layer, steps map one to one;
/// otherwise the mapping is unknown and `created_by` is left empty rather
/// than guessed.
fn producing_steps<'a>(steps: &[&'a HistoryItem], layers: usize) -> Option<Vec<&'a HistoryItem>> {
    let sized: Vec<&HistoryItem> = steps.iter().copied().filter(|s| s.size > 0).collect();
    if sized.len() == layers {
        Some(sized)
    } else if steps.len() == layers {
        Some(steps.to_vec())
    } else {
        None
    }
}

/// Unix seconds to RFC 3339 UTC (proleptic Gregorian, days-from-civil).
fn rfc3339(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_unix_time() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_700_000_000), "2023-11-14T22:13:20Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
    }

    fn step(size: i64, by: &str) -> HistoryItem {
        HistoryItem {
            size,
            created_by: by.into(),
            ..HistoryItem::default()
        }
    }

    #[test]
    fn maps_history_to_layers() {
        let inspect = ImageInspect {
            id: format!("sha256:{}", "a".repeat(64)),
            repo_tags: vec!["x:1".into(), "<none>:<none>".into()],
            root_fs: portcullis_docker::RootFs {
                kind: "layers".into(),
                layers: vec![
                    format!("sha256:{}", "b".repeat(64)),
                    format!("sha256:{}", "c".repeat(64)),
                ],
            },
            ..ImageInspect::default()
        };
        // Newest first, as the engine sends it.
        let history = [
            step(0, "CMD sh"),
            step(20, "RUN b"),
            step(0, "ENV x"),
            step(10, "ADD a"),
        ];
        let m = metadata(&inspect, &history).unwrap();
        assert_eq!(m.image_id, "aaaaaaaaaaaa");
        assert_eq!(m.repo_tags, ["x:1"]);
        let by: Vec<_> = m.layers.iter().map(|l| l.created_by.as_deref()).collect();
        assert_eq!(by, [Some("ADD a"), Some("RUN b")]);
        assert_eq!(m.history.len(), 4);
        assert!(m.history[1].empty_layer && !m.history[0].empty_layer);
        // An empty RUN layer among metadata steps: unknown, not guessed.
        let history = [step(0, "CMD sh"), step(0, "RUN true"), step(10, "ADD a")];
        let m = metadata(&inspect, &history).unwrap();
        assert!(m.layers.iter().all(|l| l.created_by.is_none()));
        let bad = ImageInspect {
            id: "nope".into(),
            ..inspect
        };
        assert!(metadata(&bad, &history).is_err());
    }
}
