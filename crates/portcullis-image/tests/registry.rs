//! `registry:` against a real `docker-registry` (distribution 2.8) on
//! loopback, images pushed with skopeo, expectations read back with skopeo.

mod common;

use std::io::Read;

use common::{sha256_hex, sha256_stream, tools_or_skip, Registry};
use portcullis_image::{Credentials, Image, ImageError, ImageRef, OpenOptions, PlatformChoice};

const TOOLS: &[&str] = &["docker-registry", "skopeo", "umoci", "htpasswd"];

fn open(spec: &str, options: &OpenOptions) -> Result<Image, ImageError> {
    Image::open(&ImageRef::parse(&format!("registry:{spec}"))?, options)
}

/// Every layer's uncompressed stream, hashed: must equal the diff_ids.
fn layer_hashes(image: &Image) -> Result<Vec<String>, ImageError> {
    image.visit_layers(4, |r, _| Ok(sha256_stream(r)?))
}

fn json(bytes: &[u8]) -> serde_json::Value {
    serde_json::from_slice(bytes).expect("json")
}

fn diff_ids(config: &serde_json::Value) -> Vec<String> {
    config["rootfs"]["diff_ids"]
        .as_array()
        .expect("diff_ids")
        .iter()
        .map(|v| v.as_str().expect("str").to_owned())
        .collect()
}

#[test]
fn pulls_fixture_by_tag_and_by_digest() {
    let test = "pulls_fixture_by_tag_and_by_digest";
    let Some(fixtures) = common::fixtures(test) else {
        return;
    };
    if !tools_or_skip(test, TOOLS) {
        return;
    }
    let registry = Registry::start(None);
    // python: two gzip layers, a realistic size.
    registry.push(
        &fixtures.join("python.oci"),
        "latest",
        "fixtures/python",
        "v1",
        None,
        false,
    );
    let raw_manifest = registry.inspect("fixtures/python:v1", false, None);
    let manifest = json(&raw_manifest);
    let config = json(&registry.inspect("fixtures/python:v1", true, None));
    let manifest_digest = format!("sha256:{}", sha256_hex(&raw_manifest));

    let by_tag = open(
        &format!("{}/fixtures/python:v1", registry.host()),
        &OpenOptions::default(),
    )
    .expect("open by tag");
    let m = &by_tag.metadata;
    assert_eq!(m.source, "registry");
    assert_eq!(
        m.config_digest.as_ref().map(ToString::to_string).as_deref(),
        manifest["config"]["digest"].as_str()
    );
    assert_eq!(
        m.manifest_digest.as_ref().map(ToString::to_string),
        Some(manifest_digest.clone())
    );
    let want_diff_ids = diff_ids(&config);
    assert_eq!(want_diff_ids.len(), 2);
    assert_eq!(
        m.layers
            .iter()
            .map(|l| l.diff_id.to_string())
            .collect::<Vec<_>>(),
        want_diff_ids
    );
    let blob_digests: Vec<&str> = manifest["layers"]
        .as_array()
        .expect("layers")
        .iter()
        .map(|l| l["digest"].as_str().expect("digest"))
        .collect();
    assert_eq!(
        m.layers
            .iter()
            .map(|l| l.digest.as_ref().expect("digest").to_string())
            .collect::<Vec<_>>(),
        blob_digests
    );
    assert_eq!(
        m.repo_tags,
        [format!("{}/fixtures/python:v1", registry.host())]
    );
    assert_eq!(
        m.repo_digests,
        [format!(
            "{}/fixtures/python@{manifest_digest}",
            registry.host()
        )]
    );
    assert_eq!(layer_hashes(&by_tag).expect("layers"), want_diff_ids);

    let by_digest = open(
        &format!("{}/fixtures/python@{manifest_digest}", registry.host()),
        &OpenOptions::default(),
    )
    .expect("open by digest");
    assert_eq!(by_digest.metadata.config_digest, m.config_digest);
    assert_eq!(by_digest.metadata.layers, m.layers);
    assert!(by_digest.metadata.repo_tags.is_empty());
    assert_eq!(layer_hashes(&by_digest).expect("layers"), want_diff_ids);

    // Same image, same identity as the local OCI layout source.
    let local = Image::open(
        &ImageRef::parse(&format!(
            "oci-dir:{}",
            fixtures.join("python.oci").display()
        ))
        .expect("ref"),
        &OpenOptions::default(),
    )
    .expect("open layout");
    assert_eq!(local.metadata.config_digest, m.config_digest);

    let missing = common::open_err(
        open(
            &format!("{}/fixtures/python:nope", registry.host()),
            &OpenOptions::default(),
        ),
        "unknown tag",
    );
    assert!(matches!(missing, ImageError::NotFound(_)), "{missing}");
}

#[test]
fn basic_auth_from_options_config_and_wrong_password() {
    let test = "basic_auth_from_options_config_and_wrong_password";
    if !tools_or_skip(test, TOOLS) {
        return;
    }
    let (user, password) = ("scanner", "s3cret-Passw0rd");
    let registry = Registry::start(Some((user, password)));
    let work = tempfile::tempdir().expect("tempdir");
    let layout = common::tiny_layout(work.path(), "latest", &[("etc/hello", "auth test\n")], None);
    registry.push(
        &layout,
        "latest",
        "private/tiny",
        "1",
        Some(&format!("{user}:{password}")),
        false,
    );
    let want =
        json(&registry.inspect("private/tiny:1", false, Some(&format!("{user}:{password}"))));
    let spec = format!("{}/private/tiny:1", registry.host());
    let empty_config = tempfile::tempdir().expect("tempdir");

    let mut options = OpenOptions::default();
    options.registry.docker_config_dir = Some(empty_config.path().to_path_buf());
    options.registry.credentials = Some(Credentials {
        username: user.into(),
        password: password.into(),
    });
    let image = open(&spec, &options).expect("open with credentials");
    assert_eq!(
        image
            .metadata
            .config_digest
            .as_ref()
            .map(ToString::to_string)
            .as_deref(),
        want["config"]["digest"].as_str()
    );
    assert_eq!(layer_hashes(&image).expect("layers").len(), 1);

    // From a Docker CLI config.json, as `docker login` writes it.
    let docker_config = tempfile::tempdir().expect("tempdir");
    let auth = base64_encode(format!("{user}:{password}").as_bytes());
    std::fs::write(
        docker_config.path().join("config.json"),
        format!(
            r#"{{"auths":{{"{}":{{"auth":"{auth}"}}}}}}"#,
            registry.host()
        ),
    )
    .expect("write");
    let mut options = OpenOptions::default();
    options.registry.docker_config_dir = Some(docker_config.path().to_path_buf());
    open(&spec, &options).expect("open with docker config credentials");

    let mut options = OpenOptions::default();
    options.registry.docker_config_dir = Some(empty_config.path().to_path_buf());
    options.registry.credentials = Some(Credentials {
        username: user.into(),
        password: "wrong-password".into(),
    });
    let err = common::open_err(open(&spec, &options), "wrong password must fail").to_string();
    assert!(
        err.contains("authentication failed")
            && err.contains("rejected the credentials from the given credentials"),
        "{err}"
    );
    assert!(
        !err.contains("wrong-password") && !err.contains(password),
        "credential leaked: {err}"
    );

    let mut options = OpenOptions::default();
    options.registry.docker_config_dir = Some(empty_config.path().to_path_buf());
    if std::env::var_os("PORTCULLIS_REGISTRY_USERNAME").is_none() {
        let err = common::open_err(open(&spec, &options), "anonymous must fail").to_string();
        assert!(
            err.contains("authentication failed") && err.contains("no credentials"),
            "{err}"
        );
    }
}

#[test]
fn bearer_token_challenge() {
    let test = "bearer_token_challenge";
    if !tools_or_skip(test, &["docker-registry", "skopeo", "umoci", "openssl"]) {
        return;
    }
    let (user, password) = ("tokenuser", "t0ken-Passw0rd");
    let work = tempfile::tempdir().expect("tempdir");
    let tokens = common::token::start(work.path(), user, password);
    let registry = Registry::start_with(common::Auth::Token {
        realm: tokens.realm.clone(),
        service: common::token::SERVICE,
        issuer: common::token::ISSUER,
        cert: tokens.cert.clone(),
    });
    let layout = common::tiny_layout(work.path(), "latest", &[("etc/token", "bearer\n")], None);
    let creds = format!("{user}:{password}");
    registry.push(&layout, "latest", "secure/tiny", "1", Some(&creds), false);
    let want = json(&registry.inspect("secure/tiny:1", false, Some(&creds)));
    let spec = format!("{}/secure/tiny:1", registry.host());
    let empty_config = tempfile::tempdir().expect("tempdir");
    let with = |password: Option<&str>| {
        let mut options = OpenOptions::default();
        options.registry.docker_config_dir = Some(empty_config.path().to_path_buf());
        options.registry.credentials = password.map(|p| Credentials {
            username: user.into(),
            password: p.into(),
        });
        options
    };

    let image = open(&spec, &with(Some(password))).expect("open with a token");
    assert_eq!(
        image
            .metadata
            .config_digest
            .as_ref()
            .map(ToString::to_string)
            .as_deref(),
        want["config"]["digest"].as_str()
    );
    // Blobs go through the same token (cached) or a fresh one.
    assert_eq!(layer_hashes(&image).expect("layers").len(), 1);

    let err = common::open_err(open(&spec, &with(Some("wrong"))), "wrong password").to_string();
    assert!(
        err.contains("token service rejected the credentials"),
        "{err}"
    );
    assert!(
        !err.contains("wrong") && !err.contains(password),
        "credential leaked: {err}"
    );

    if std::env::var_os("PORTCULLIS_REGISTRY_USERNAME").is_none() {
        // Anonymous: a token is issued but grants nothing, so the registry refuses.
        let err = common::open_err(open(&spec, &with(None)), "anonymous").to_string();
        assert!(
            err.contains("authentication failed") && err.contains("no credentials"),
            "{err}"
        );
    }
}

#[test]
fn corrupt_and_missing_blobs_are_errors() {
    let test = "corrupt_and_missing_blobs_are_errors";
    if !tools_or_skip(test, TOOLS) {
        return;
    }
    let registry = Registry::start(None);
    let work = tempfile::tempdir().expect("tempdir");
    let layout = common::tiny_layout(work.path(), "latest", &[("etc/a", "layer content\n")], None);
    for repo in ["t/corrupt", "t/missing", "t/badconfig"] {
        registry.push(&layout, "latest", repo, "1", None, false);
    }
    let manifest = json(&registry.inspect("t/corrupt:1", false, None));
    let layer = manifest["layers"][0]["digest"]
        .as_str()
        .expect("layer digest")
        .to_owned();
    let config = manifest["config"]["digest"]
        .as_str()
        .expect("config digest")
        .to_owned();
    let options = OpenOptions::default();

    // The repos share blobs in storage: open all three before tampering.
    let corrupt = open(&format!("{}/t/corrupt:1", registry.host()), &options).expect("open");
    let missing = open(&format!("{}/t/missing:1", registry.host()), &options).expect("open");

    // A valid gzip tar of the same shape, but not the content the digest names.
    std::fs::write(
        registry.blob_data(&layer),
        common::gzip_tar("etc/a", b"tampered content\n"),
    )
    .expect("tamper");
    let err = layer_hashes(&corrupt).expect_err("corrupt layer must fail");
    assert!(
        matches!(&err, ImageError::DigestMismatch { expected, .. } if expected.to_string() == layer),
        "{err}"
    );

    std::fs::remove_dir_all(registry.blob_data(&layer).parent().expect("blob dir"))
        .expect("delete blob");
    let err = layer_hashes(&missing).expect_err("missing layer must fail");
    assert!(
        matches!(&err, ImageError::MissingBlob(m) if m.contains(&layer)),
        "{err}"
    );

    let mut bad_config = json(&registry.inspect("t/badconfig:1", true, None));
    bad_config["architecture"] = "tampered".into();
    std::fs::write(
        registry.blob_data(&config),
        serde_json::to_vec(&bad_config).expect("json"),
    )
    .expect("tamper config");
    let err = common::open_err(
        open(&format!("{}/t/badconfig:1", registry.host()), &options),
        "tampered config must fail",
    );
    assert!(
        matches!(&err, ImageError::DigestMismatch { expected, .. } if expected.to_string() == config),
        "{err}"
    );

    std::fs::remove_dir_all(registry.blob_data(&config).parent().expect("blob dir"))
        .expect("delete config");
    let err = common::open_err(
        open(&format!("{}/t/badconfig:1", registry.host()), &options),
        "missing config must fail",
    );
    assert!(
        matches!(&err, ImageError::MissingBlob(m) if m.contains(&config)),
        "{err}"
    );
}

#[test]
fn multi_platform_index_picks_the_platform() {
    let test = "multi_platform_index_picks_the_platform";
    if !tools_or_skip(test, TOOLS) {
        return;
    }
    let registry = Registry::start(None);
    let work = tempfile::tempdir().expect("tempdir");
    let layout = common::tiny_layout(work.path(), "amd", &[("arch", "amd64\n")], Some("amd64"));
    common::tiny_layout(work.path(), "arm", &[("arch", "arm64\n")], Some("arm64"));
    let index_digest = add_index(&layout, &[("amd", "amd64"), ("arm", "arm64")], "multi");
    registry.push(&layout, "multi", "t/multi", "1", None, true);
    let raw_index = registry.inspect("t/multi:1", false, None);
    assert_eq!(
        format!("sha256:{}", sha256_hex(&raw_index)),
        index_digest,
        "skopeo kept the index as is"
    );

    for arch in ["amd64", "arm64"] {
        let options = OpenOptions {
            platform: PlatformChoice {
                os: "linux".into(),
                architecture: arch.into(),
            },
            ..OpenOptions::default()
        };
        let image = open(&format!("{}/t/multi:1", registry.host()), &options).expect("open");
        assert_eq!(image.metadata.architecture, arch);
        assert_eq!(
            image.metadata.repo_digests,
            [format!("{}/t/multi@{index_digest}", registry.host())]
        );
        let contents = image
            .visit_layers(2, |r, _| {
                let mut archive = tar::Archive::new(r);
                let mut found = String::new();
                for entry in archive.entries()? {
                    let mut entry = entry?;
                    if entry.path()?.to_string_lossy().trim_start_matches("./") == "arch" {
                        entry.read_to_string(&mut found)?;
                    }
                }
                Ok(found)
            })
            .expect("layers");
        assert_eq!(contents, [format!("{arch}\n")]);
    }
    let options = OpenOptions {
        platform: PlatformChoice {
            os: "linux".into(),
            architecture: "s390x".into(),
        },
        ..OpenOptions::default()
    };
    let err = common::open_err(
        open(&format!("{}/t/multi:1", registry.host()), &options),
        "no such platform",
    )
    .to_string();
    assert!(
        err.contains("linux/s390x") && err.contains("linux/arm64"),
        "{err}"
    );
}

/// Writes an OCI index over tagged images of `layout` and tags it `name`.
fn add_index(layout: &std::path::Path, images: &[(&str, &str)], name: &str) -> String {
    let top_path = layout.join("index.json");
    let mut top = json(&std::fs::read(&top_path).expect("index.json"));
    let manifests = top["manifests"].as_array().expect("manifests").clone();
    let entries: Vec<serde_json::Value> = images
        .iter()
        .map(|(tag, arch)| {
            let mut d = manifests
                .iter()
                .find(|m| m["annotations"]["org.opencontainers.image.ref.name"] == *tag)
                .cloned()
                .expect("tagged manifest");
            d.as_object_mut().expect("object").remove("annotations");
            d["platform"] = serde_json::json!({"os": "linux", "architecture": arch});
            d
        })
        .collect();
    let index = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": entries
    }))
    .expect("json");
    let hex = sha256_hex(&index);
    std::fs::write(layout.join("blobs/sha256").join(&hex), &index).expect("write index blob");
    top["manifests"]
        .as_array_mut()
        .expect("manifests")
        .push(serde_json::json!({
            "mediaType": "application/vnd.oci.image.index.v1+json",
            "digest": format!("sha256:{hex}"),
            "size": index.len(),
            "annotations": {"org.opencontainers.image.ref.name": name}
        }));
    std::fs::write(&top_path, serde_json::to_vec(&top).expect("json")).expect("write index.json");
    format!("sha256:{hex}")
}

fn base64_encode(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}
