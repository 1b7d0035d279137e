//! Response documents of the Engine API (the subset the scanner reads).
//! Field names follow the API's PascalCase; lists the engine may send as
//! `null` read as empty.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer};

fn nullable<'de, D: Deserializer<'de>, T: Default + Deserialize<'de>>(d: D) -> Result<T, D::Error> {
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// `GET /version`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Version {
    /// Engine version, e.g. `20.10.24`.
    #[serde(default)]
    pub version: String,
    /// Newest API version the engine speaks, e.g. `1.41`.
    #[serde(default)]
    pub api_version: String,
    /// Oldest API version the engine accepts.
    #[serde(default, rename = "MinAPIVersion")]
    pub min_api_version: Option<String>,
    /// `linux`, `windows`.
    #[serde(default)]
    pub os: String,
    /// `amd64`, `arm64`, …
    #[serde(default)]
    pub arch: String,
    /// Kernel of the engine's host.
    #[serde(default)]
    pub kernel_version: String,
}

/// `GET /images/{name}/json`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ImageInspect {
    /// `sha256:<hex>` of the image config: the image's identity.
    pub id: String,
    /// `name:tag` references.
    #[serde(default, deserialize_with = "nullable")]
    pub repo_tags: Vec<String>,
    /// `name@sha256:…` references (registry manifest digests).
    #[serde(default, deserialize_with = "nullable")]
    pub repo_digests: Vec<String>,
    /// RFC 3339 creation time.
    #[serde(default)]
    pub created: Option<String>,
    /// Docker version that built the image (may be empty).
    #[serde(default)]
    pub docker_version: Option<String>,
    /// `linux`, …
    #[serde(default)]
    pub os: String,
    /// `amd64`, …
    #[serde(default)]
    pub architecture: String,
    /// Architecture variant (`v8`), when any.
    #[serde(default)]
    pub variant: Option<String>,
    /// Total size of the layers, uncompressed.
    #[serde(default)]
    pub size: i64,
    /// The layer chain.
    #[serde(default, rename = "RootFS")]
    pub root_fs: RootFs,
}

/// `RootFS` of an image: its diff_ids, bottom first.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RootFs {
    /// `layers`.
    #[serde(default, rename = "Type")]
    pub kind: String,
    /// `sha256:` digests of the uncompressed layer tars.
    #[serde(default, deserialize_with = "nullable")]
    pub layers: Vec<String>,
}

/// One entry of `GET /images/{name}/history` (newest first).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct HistoryItem {
    /// Image ID of the step, or `<missing>`.
    #[serde(default)]
    pub id: String,
    /// Unix time of the step.
    #[serde(default)]
    pub created: i64,
    /// The build instruction.
    #[serde(default)]
    pub created_by: String,
    /// Tags pointing at the step's image.
    #[serde(default, deserialize_with = "nullable")]
    pub tags: Vec<String>,
    /// Size of the layer the step produced (0 for metadata-only steps).
    #[serde(default)]
    pub size: i64,
    /// Free text.
    #[serde(default)]
    pub comment: String,
}

/// One entry of `GET /containers/json`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ContainerSummary {
    /// Container ID.
    pub id: String,
    /// Names, each with a leading `/`.
    #[serde(default, deserialize_with = "nullable")]
    pub names: Vec<String>,
    /// The image as given at creation.
    #[serde(default)]
    pub image: String,
    /// `sha256:` ID of the image.
    #[serde(default, rename = "ImageID")]
    pub image_id: String,
    /// The command line, path and arguments joined by spaces (quoting is
    /// lost: see [`ContainerInspect::args`] for the exact arguments).
    #[serde(default)]
    pub command: String,
    /// `running`, `exited`, …
    #[serde(default)]
    pub state: String,
    /// Human status, e.g. `Up 5 minutes`.
    #[serde(default)]
    pub status: String,
    /// Labels.
    #[serde(default, deserialize_with = "nullable")]
    pub labels: BTreeMap<String, String>,
}

/// `GET /containers/{id}/json` (environment and mounts deliberately left
/// out: they may hold secrets and the scanner has no use for them).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ContainerInspect {
    /// Container ID.
    pub id: String,
    /// Name with a leading `/`.
    #[serde(default)]
    pub name: String,
    /// `sha256:` ID of the image.
    #[serde(default)]
    pub image: String,
    /// RFC 3339 creation time.
    #[serde(default)]
    pub created: String,
    /// The program the container runs (entrypoint or command, first word).
    #[serde(default)]
    pub path: String,
    /// Its arguments, exactly as passed.
    #[serde(default, deserialize_with = "nullable")]
    pub args: Vec<String>,
    /// Run state.
    #[serde(default)]
    pub state: ContainerState,
    /// Creation settings (subset).
    #[serde(default)]
    pub config: ContainerConfig,
    /// How often the engine restarted it.
    #[serde(default)]
    pub restart_count: i64,
}

/// `State` of a container.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ContainerState {
    /// `created`, `running`, `exited`, …
    #[serde(default)]
    pub status: String,
    /// Whether it runs.
    #[serde(default)]
    pub running: bool,
    /// Whether it is paused.
    #[serde(default)]
    pub paused: bool,
    /// Whether it is restarting.
    #[serde(default)]
    pub restarting: bool,
    /// Exit code of the last run.
    #[serde(default)]
    pub exit_code: i64,
    /// Engine-side error, if any.
    #[serde(default)]
    pub error: String,
    /// RFC 3339 start time.
    #[serde(default)]
    pub started_at: String,
    /// Health check state, when the image defines one.
    #[serde(default)]
    pub health: Option<ContainerHealth>,
}

/// `State.Health`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ContainerHealth {
    /// `starting`, `healthy`, `unhealthy`.
    #[serde(default)]
    pub status: String,
}

/// `Config` of a container (subset).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ContainerConfig {
    /// The image as given at creation.
    #[serde(default)]
    pub image: String,
    /// Labels.
    #[serde(default, deserialize_with = "nullable")]
    pub labels: BTreeMap<String, String>,
}

/// Filters for [`crate::Docker::containers`].
#[derive(Clone, Debug, Default)]
pub struct ContainerListOptions {
    /// Include stopped containers.
    pub all: bool,
    /// Engine filters, e.g. `label` → `["app=sensor"]`, `status` → `["running"]`.
    pub filters: BTreeMap<String, Vec<String>>,
}
