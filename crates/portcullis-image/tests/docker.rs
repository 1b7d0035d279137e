//! `docker:` against the machine's real Docker engine. Images are loaded
//! with the Engine API (`POST /images/load`); expectations come from the
//! docker CLI (`docker image inspect`), an independent client.

mod common;

use std::path::Path;
use std::process::Command;

use common::{run, sha256_stream, skip, tools_or_skip};
use portcullis_docker::Docker;
use portcullis_image::{Image, ImageError, ImageRef, OpenOptions};

const SOCKET: &str = "/var/run/docker.sock";

fn engine(test: &str) -> Option<Docker> {
    if !Path::new(SOCKET).exists() {
        skip(test, &format!("no Docker engine socket at {SOCKET}"));
        return None;
    }
    Some(Docker::new(portcullis_docker::DockerConfig::local()).expect("client"))
}

fn open(reference: &str) -> Result<Image, ImageError> {
    Image::open(&ImageRef::parse(reference)?, &OpenOptions::default())
}

/// `(Id, RootFS.Layers)` as the docker CLI reports them.
fn cli_inspect(name: &str) -> (String, Vec<String>) {
    let out = run(Command::new("docker").args([
        "image",
        "inspect",
        "--format",
        "{{.Id}} {{json .RootFS.Layers}}",
        name,
    ]));
    let (id, layers) = out.trim().split_once(' ').expect("id and layers");
    (
        id.to_owned(),
        serde_json::from_str(layers).expect("layers json"),
    )
}

fn diff_ids(image: &Image) -> Vec<String> {
    image
        .metadata
        .layers
        .iter()
        .map(|l| l.diff_id.to_string())
        .collect()
}

/// Removes the test image even when an assertion fails.
struct Cleanup<'a>(&'a Docker, String);

impl Drop for Cleanup<'_> {
    fn drop(&mut self) {
        let _ = self.0.image_remove(&self.1, true);
    }
}

#[test]
fn opens_engine_image_by_name_and_ids() {
    let test = "opens_engine_image_by_name_and_ids";
    let Some(docker) = engine(test) else { return };
    if !tools_or_skip(test, &["docker", "skopeo", "umoci"]) {
        return;
    }
    let work = tempfile::tempdir().expect("tempdir");
    // Unique content: a fresh image ID that no other test or user shares.
    let stamp = format!("{}-{:?}", std::process::id(), std::time::SystemTime::now());
    let layout = common::tiny_layout(work.path(), "t", &[("etc/stamp", stamp.as_str())], None);
    common::add_layer(
        work.path(),
        &layout,
        "t",
        &[("opt/app/second", "second layer\n")],
    );
    let name = format!("portcullis-test/engine-{}:1", std::process::id());
    let archive = work.path().join("image.docker.tar");
    run(Command::new("skopeo")
        .args(["--insecure-policy", "copy"])
        .arg(format!("oci:{}:t", layout.display()))
        .arg(format!("docker-archive:{}:{name}", archive.display())));
    let loaded = docker
        .image_load(std::fs::File::open(&archive).expect("archive"))
        .expect("load through the Engine API");
    let _cleanup = Cleanup(&docker, name.clone());
    assert!(loaded.iter().any(|l| l == &name), "{loaded:?}");

    let (id, layers) = cli_inspect(&name);
    assert_eq!(layers.len(), 2);
    let hex = id.trim_start_matches("sha256:");
    for reference in [
        format!("docker:{name}"),
        name.clone(),
        format!("docker:{}", &hex[..12]),
        format!("docker:{hex}"),
        format!("docker:{id}"),
    ] {
        let image = open(&reference).unwrap_or_else(|e| panic!("{reference}: {e}"));
        let m = &image.metadata;
        assert_eq!(m.source, "docker", "{reference}");
        assert_eq!(
            m.config_digest.as_ref().map(ToString::to_string),
            Some(id.clone()),
            "{reference}"
        );
        assert_eq!(m.image_id, &hex[..12]);
        assert_eq!(diff_ids(&image), layers, "{reference}");
        assert!(
            m.repo_tags.contains(&name),
            "{reference}: {:?}",
            m.repo_tags
        );
    }

    let image = open(&format!("docker:{name}")).expect("open");
    // Same identity and layers as the docker-archive source reading the tar.
    let from_archive =
        open(&format!("docker-archive:{}", archive.display())).expect("open archive");
    assert_eq!(
        from_archive.metadata.config_digest,
        image.metadata.config_digest
    );
    assert_eq!(diff_ids(&from_archive), diff_ids(&image));
    let by: Vec<_> = image
        .metadata
        .layers
        .iter()
        .map(|l| l.created_by.clone())
        .collect();
    let want: Vec<_> = from_archive
        .metadata
        .layers
        .iter()
        .map(|l| l.created_by.clone())
        .collect();
    assert_eq!(by, want, "created_by from the engine history");
    assert_eq!(image.metadata.os, "linux");
    // The export stream, hashed layer by layer, yields the diff_ids; twice,
    // since each visit opens a new export.
    for _ in 0..2 {
        assert_eq!(
            image
                .visit_layers(2, |r, _| Ok(sha256_stream(r)?))
                .expect("layers"),
            layers
        );
    }
}

#[test]
fn fixture_image_matches_docker_archive() {
    let test = "fixture_image_matches_docker_archive";
    let Some(docker) = engine(test) else { return };
    let Some(fixtures) = common::fixtures(test) else {
        return;
    };
    if !tools_or_skip(test, &["docker"]) {
        return;
    }
    let archive = fixtures.join("python.docker.tar");
    // Fixture tags are shared with other suites (CI loads them beforehand):
    // loaded here only when absent, never removed.
    if docker
        .image_inspect("portcullis-fixture/python:latest")
        .is_err()
    {
        let loaded = docker
            .image_load(std::fs::File::open(&archive).expect("fixture"))
            .expect("load");
        assert!(
            loaded
                .iter()
                .any(|l| l == "portcullis-fixture/python:latest"),
            "{loaded:?}"
        );
    }
    let (id, layers) = cli_inspect("portcullis-fixture/python:latest");
    let image = open("docker:portcullis-fixture/python:latest").expect("open");
    let from_archive =
        open(&format!("docker-archive:{}", archive.display())).expect("open archive");
    assert_eq!(
        image
            .metadata
            .config_digest
            .as_ref()
            .map(ToString::to_string),
        Some(id)
    );
    assert_eq!(
        from_archive.metadata.config_digest,
        image.metadata.config_digest
    );
    assert_eq!(diff_ids(&image), layers);
    assert_eq!(diff_ids(&from_archive), layers);
    assert_eq!(image.metadata.created, from_archive.metadata.created);
    assert_eq!(
        image
            .visit_layers(1, |r, _| Ok(sha256_stream(r)?))
            .expect("layers"),
        layers
    );
}

#[test]
fn unknown_image_and_missing_socket_are_clear() {
    let test = "unknown_image_and_missing_socket_are_clear";
    if engine(test).is_some() {
        let err = common::open_err(
            open("docker:portcullis-test/no-such-image:never"),
            "unknown image",
        );
        assert!(matches!(err, ImageError::NotFound(_)), "{err}");
        assert!(err.to_string().contains(SOCKET), "{err}");
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let mut options = OpenOptions::default();
    options.docker.host = Some(format!("unix://{}/docker.sock", dir.path().display()));
    let err = common::open_err(
        Image::open(&ImageRef::Docker("alpine".into()), &options),
        "no socket",
    )
    .to_string();
    assert!(
        err.contains("does not exist") && err.contains(&dir.path().display().to_string()),
        "{err}"
    );
}
