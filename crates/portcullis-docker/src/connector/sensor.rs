//! Is a sensor running next to the engine, unpaused, in CI/CD mode?
//!
//! Without one, the tag we set is never scanned and the platform answers
//! "not known" until the poll times out: the vendor checks first, so do we,
//! and say exactly which of the three conditions failed.

use std::path::Path;

use super::{PORTCULLIS_SENSOR_LABEL, QUALYS_SENSOR_LABEL, QUALYS_SENSOR_MARK};
use crate::{ContainerInspect, ContainerListOptions, ContainerSummary, Docker, DockerError};

/// Which product the sensor container is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SensorKind {
    /// `VersionInfo` label containing "Qualys Sensor".
    Qualys,
    /// [`PORTCULLIS_SENSOR_LABEL`] present.
    Portcullis,
}

/// The sensor container found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SensorInfo {
    /// Container ID (64 hex).
    pub id: String,
    /// Container name, without the leading `/`.
    pub name: String,
    /// The image it runs, as given when it was created.
    pub image: String,
    /// Its `VersionInfo` label (for a portcullis sensor without one, the
    /// value of [`PORTCULLIS_SENSOR_LABEL`]).
    pub version_info: String,
    /// Which sensor it is.
    pub kind: SensorKind,
}

/// Why no usable sensor was found. The messages begin with the vendor's
/// wording (scripts grep for it) and go on to say what to do.
#[derive(Debug, thiserror::Error)]
pub enum SensorError {
    /// No running container carries a sensor label.
    #[error("Qualys CS sensor container is not running... Please check if sensor is configured correctly. No running container on the Docker engine at {endpoint} has a \"VersionInfo\" label containing \"Qualys Sensor\" or an \"io.portcullis.sensor\" label; start the sensor in CI/CD mode on that engine.")]
    NotRunning {
        /// The engine URL.
        endpoint: String,
    },
    /// The sensor container is paused, so it scans nothing.
    #[error("Qualys CS sensor container is in paused state: container {name} ({id12}) on the Docker engine at {endpoint} cannot scan the image until it is resumed (docker unpause {name}).")]
    Paused {
        /// Container name.
        name: String,
        /// First 12 digits of its ID.
        id12: String,
        /// The engine URL.
        endpoint: String,
    },
    /// The sensor runs in general mode, which ignores the scan tag.
    #[error("Qualys CS sensor is not deployed in CICD mode: container {name} ({id12}) on the Docker engine at {endpoint} was started without --cicd-deployed-sensor (or -c), so it would not scan images tagged qualys_scan_target; redeploy it in CI/CD mode.")]
    NotCicd {
        /// Container name.
        name: String,
        /// First 12 digits of its ID.
        id12: String,
        /// The engine URL.
        endpoint: String,
    },
    /// The engine could not be asked.
    #[error("cannot check for the Qualys CS sensor: {0}")]
    Docker(#[from] DockerError),
}

/// Why one candidate did not qualify.
enum Rejected {
    Paused(String, String),
    NotCicd(String, String),
}

/// `GET /containers/json` (running, which includes paused), then for each
/// container labelled as a sensor `GET /containers/<id>/json`: the first
/// one that is not paused and runs in CI/CD mode is returned. With several
/// sensor containers, a paused one is reported before one in the wrong
/// mode (unpausing is the smaller fix).
pub fn check_sensor(docker: &Docker) -> Result<SensorInfo, SensorError> {
    let endpoint = docker.endpoint().to_owned();
    let mut rejected = Vec::new();
    for summary in docker.containers(&ContainerListOptions::default())? {
        let Some(kind) = sensor_kind(&summary) else {
            continue;
        };
        let inspect = match docker.container_inspect(&summary.id) {
            Ok(i) => i,
            // Gone between the list and the inspect: not a sensor any more.
            Err(e) if e.is_not_found() => continue,
            Err(e) => return Err(e.into()),
        };
        let name = inspect.name.trim_start_matches('/').to_owned();
        let id12 = summary.id.chars().take(12).collect::<String>();
        if inspect.state.paused || inspect.state.status == "paused" {
            rejected.push(Rejected::Paused(name, id12));
        } else if !inspect.state.running {
            continue;
        } else if !in_cicd_mode(&summary, &inspect) {
            rejected.push(Rejected::NotCicd(name, id12));
        } else {
            let label = |k: &str| summary.labels.get(k).cloned().unwrap_or_default();
            let mut version_info = label(QUALYS_SENSOR_LABEL);
            if version_info.is_empty() {
                version_info = label(PORTCULLIS_SENSOR_LABEL);
            }
            return Ok(SensorInfo {
                id: summary.id,
                name,
                image: summary.image,
                version_info,
                kind,
            });
        }
    }
    rejected.sort_by_key(|r| matches!(r, Rejected::NotCicd(..)));
    Err(match rejected.into_iter().next() {
        Some(Rejected::Paused(name, id12)) => SensorError::Paused {
            name,
            id12,
            endpoint,
        },
        Some(Rejected::NotCicd(name, id12)) => SensorError::NotCicd {
            name,
            id12,
            endpoint,
        },
        None => SensorError::NotRunning { endpoint },
    })
}

fn sensor_kind(c: &ContainerSummary) -> Option<SensorKind> {
    let qualys = c
        .labels
        .get(QUALYS_SENSOR_LABEL)
        .is_some_and(|v| v.contains(QUALYS_SENSOR_MARK));
    if qualys {
        Some(SensorKind::Qualys)
    } else if c.labels.contains_key(PORTCULLIS_SENSOR_LABEL) {
        Some(SensorKind::Portcullis)
    } else {
        None
    }
}

/// CI/CD mode: the vendor's test (the list's `Command` contains
/// `cicd-deployed-sensor`), or one of the sensor's own arguments is the
/// short flag `-c` (which the vendor's Docker path misses) or portcullis'
/// `--cicd`. The arguments come from the inspect's `Path`/`Args`, not the
/// joined `Command`, and a shell wrapper's own `-c SCRIPT NAME` is skipped:
/// in `sh -c 'exec sensor "$@"' sensor -c`, only the last `-c` counts.
fn in_cicd_mode(summary: &ContainerSummary, inspect: &ContainerInspect) -> bool {
    if summary.command.contains("cicd-deployed-sensor") {
        return true;
    }
    let args: Vec<&str> = if inspect.path.is_empty() {
        summary.command.split_whitespace().skip(1).collect()
    } else {
        inspect.args.iter().map(String::as_str).collect()
    };
    let path = if inspect.path.is_empty() {
        summary
            .command
            .split_whitespace()
            .next()
            .unwrap_or_default()
    } else {
        inspect.path.as_str()
    };
    sensor_args(path, &args)
        .iter()
        .any(|a| matches!(*a, "-c" | "--cicd") || a.starts_with("--cicd-deployed-sensor"))
}

/// The arguments the sensor itself sees, with a shell wrapper's script
/// split into words.
fn sensor_args<'a>(path: &str, args: &[&'a str]) -> Vec<&'a str> {
    let program = Path::new(path)
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    let mut args = args;
    if program == "busybox" && matches!(args.first(), Some(&("sh" | "ash"))) {
        args = &args[1..];
    } else if !matches!(program, "sh" | "bash" | "dash" | "ash" | "zsh" | "ksh") {
        return args.to_vec();
    }
    match args {
        ["-c", script, _name, rest @ ..] => script
            .split_whitespace()
            .chain(rest.iter().copied())
            .collect(),
        ["-c", script] => script.split_whitespace().collect(),
        _ => args.to_vec(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cicd(path: &str, args: &[&str]) -> bool {
        let summary = ContainerSummary {
            command: std::iter::once(path)
                .chain(args.iter().copied())
                .collect::<Vec<_>>()
                .join(" "),
            ..ContainerSummary::default()
        };
        let inspect = ContainerInspect {
            path: path.into(),
            args: args.iter().map(|a| (*a).to_owned()).collect(),
            ..ContainerInspect::default()
        };
        in_cicd_mode(&summary, &inspect)
    }

    #[test]
    fn recognises_cicd_mode() {
        let q = "/usr/local/qualys/qpa/bin/qualys-cloud-agent.sh";
        assert!(cicd(q, &["--cicd-deployed-sensor", "--log-level", "3"]));
        assert!(cicd(q, &["-c"]));
        assert!(cicd("/usr/bin/portcullis", &["sensor", "--cicd"]));
        assert!(!cicd(q, &["--log-level", "3"]));
        assert!(!cicd(q, &["-cx", "--cicd-mode"]));
        // A shell's own -c is not the sensor's.
        assert!(!cicd("sh", &["-c", "sleep 600", "sensor"]));
        assert!(!cicd("/bin/bash", &["-c", "sleep 600"]));
        assert!(cicd("sh", &["-c", "sleep 600", "sensor", "-c"]));
        assert!(cicd("sh", &["-c", "exec /sensor -c"]));
        assert!(cicd(
            "sh",
            &["-c", "sleep 600", "sensor", "--cicd-deployed-sensor"]
        ));
        assert!(!cicd("busybox", &["sh", "-c", "sleep 600", "x"]));
        assert!(cicd("tini", &["--", "/sensor", "-c"]));
        // Without Path (older engines), the joined Command is split.
        let summary = ContainerSummary {
            command: "/sensor -c".into(),
            ..ContainerSummary::default()
        };
        assert!(in_cicd_mode(&summary, &ContainerInspect::default()));
    }
}
