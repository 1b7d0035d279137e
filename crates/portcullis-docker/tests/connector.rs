//! The connector against the machine's real Docker engine: resolving the
//! fixture images by name and ID, deduplication, the scan tags, the sensor
//! check with real (look-alike) sensor containers, and all of it again over
//! TCP+TLS through a `socat` front that verifies our client certificate.

mod support;

use std::path::Path;

use portcullis_docker::{
    check_sensor, connect, resolve_image, resolve_images, tag_for_scan, ConnectorError, Docker,
    DockerError, ResolvedImage, SensorError, SensorKind, PORTCULLIS_SENSOR_LABEL,
};
use support::{
    cert_dir, container, docker_cli, engine, issue, qualys_sensor, root_ca, sensor_lock, tls_front,
    Tags, FIXTURE,
};

fn fixture_sha() -> String {
    let id = docker_cli(&["image", "inspect", "--format", "{{.Id}}", FIXTURE]);
    id.strip_prefix("sha256:").expect("sha256 id").to_owned()
}

#[test]
fn resolves_names_and_ids_and_deduplicates() {
    let test = "resolves_names_and_ids_and_deduplicates";
    let Some(docker) = engine(test, &["docker"]) else {
        return;
    };
    let sha = fixture_sha();
    // A registry-style name (host:port/path:tag) for the same image.
    let alias = format!(
        "localhost:5000/portcullis-test/conn-{}:v1",
        std::process::id()
    );
    let (alias_repo, alias_tag) = alias.rsplit_once(':').expect("tag");
    docker
        .image_tag(FIXTURE, alias_repo, alias_tag)
        .expect("alias tag");
    let _cleanup = Tags(&docker, vec![alias.clone()]);

    let long_upper = sha.to_ascii_uppercase();
    let with_prefix = format!("sha256:{sha}");
    for input in [FIXTURE, &alias, &sha[..12], &sha, &with_prefix, &long_upper] {
        let got = resolve_image(&docker, &format!(" {input} ")).expect(input);
        assert_eq!(
            got,
            ResolvedImage {
                input: input.to_owned(),
                sha: sha.clone(),
                id12: sha[..12].to_owned()
            }
        );
    }

    let missing = "portcullis-test/no-such-image:never";
    let err = resolve_image(&docker, missing).expect_err("unknown");
    assert!(
        matches!(err, ConnectorError::ImageNotFound { .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains(missing), "{err}");
    let err = resolve_image(&docker, "0000000000ff").expect_err("unknown id");
    assert!(
        matches!(err, ConnectorError::ImageNotFound { .. }),
        "{err:?}"
    );
    for bad in ["", "Bad/Name", "a b", "${IMAGE}", "sha256:123", "x/../y"] {
        let err = resolve_image(&docker, bad).expect_err(bad);
        assert!(
            matches!(err, ConnectorError::InvalidInput { .. }),
            "{bad}: {err:?}"
        );
    }

    // Four names of one image and another image: two images, three notices.
    let other = "portcullis-fixture/apk:latest";
    let inputs = [
        FIXTURE.to_owned(),
        format!("{alias}, {}", &sha[..12]),
        other.to_owned(),
        with_prefix.clone(),
        String::new(),
    ];
    let resolved = resolve_images(&docker, &inputs).expect("resolve all");
    let firsts: Vec<&str> = resolved.images.iter().map(|i| i.input.as_str()).collect();
    assert_eq!(firsts, [FIXTURE, other]);
    assert_eq!(resolved.images[0].sha, sha);
    assert_ne!(resolved.images[1].sha, sha);
    assert_eq!(
        resolved.messages(),
        [&alias, &sha[..12], &with_prefix].map(|i| format!(
            "{i} has same image Id as one of the configured image: {FIXTURE}. So processing it only once."
        ))
    );
    assert_eq!(
        resolved.inputs_for(&sha),
        [FIXTURE, &alias, &sha[..12], &with_prefix]
    );

    assert!(matches!(
        resolve_images(&docker, &[" , ".to_owned()]),
        Err(ConnectorError::NoImages)
    ));
    // One bad input fails the whole list, naming it.
    let err = resolve_images(&docker, &[FIXTURE.to_owned(), missing.to_owned()]).expect_err("bad");
    assert!(err.to_string().contains(missing), "{err}");
}

/// Tags the image, checks both tags are on it, removes them (untag only).
fn tag_and_check(docker: &Docker, image: &ResolvedImage) {
    let made = tag_for_scan(docker, image).expect("tag");
    let _cleanup = Tags(docker, made.clone());
    assert_eq!(
        made,
        [
            format!("qualys_scan_target:{}", image.sha),
            format!("portcullis_scan_target:{}", image.sha)
        ]
    );
    let tags = docker
        .image_inspect(&image.id())
        .expect("inspect")
        .repo_tags;
    for t in &made {
        assert!(tags.contains(t), "{t} not in {tags:?}");
    }
    drop(_cleanup);
    let tags = docker
        .image_inspect(&image.id())
        .expect("still there")
        .repo_tags;
    assert!(!tags.iter().any(|t| made.contains(t)), "{tags:?}");
    assert!(tags.iter().any(|t| t == &image.input), "{tags:?}");
}

#[test]
fn tags_for_scan() {
    let Some(docker) = engine("tags_for_scan", &[]) else {
        return;
    };
    let image = resolve_image(&docker, "portcullis-fixture/rpm:latest").expect("resolve");
    tag_and_check(&docker, &image);

    // An image that went away after resolution: the vendor's message.
    let gone = ResolvedImage {
        input: "gone:1".into(),
        sha: "f".repeat(64),
        id12: "f".repeat(12),
    };
    let err = tag_for_scan(&docker, &gone).expect_err("no such image");
    let text = err.to_string();
    assert!(
        text.starts_with("Failed to tag the image gone:1 with qualys_scan_target.. Reason : "),
        "{text}"
    );
    assert!(text.contains("No such image"), "{text}");
}

#[test]
fn sensor_check() {
    let Some(docker) = engine("sensor_check", &["docker"]) else {
        return;
    };
    let _lock = sensor_lock();
    let not_running = |docker: &Docker| {
        let err = check_sensor(docker).expect_err("no sensor");
        assert!(matches!(err, SensorError::NotRunning { .. }), "{err:?}");
        assert!(
            err.to_string().starts_with(
                "Qualys CS sensor container is not running... Please check if sensor is configured correctly."
            ),
            "{err}"
        );
    };
    // Created but never started: not running.
    let _created = container(
        "created",
        &["VersionInfo=Qualys Sensor 1.30.0"],
        &["sh", "-c", "sleep 600", "sensor", "--cicd-deployed-sensor"],
        false,
    );
    not_running(&docker);

    // General mode (the shell's own -c is not the sensor's flag).
    let general = qualys_sensor("general", &[]);
    let err = check_sensor(&docker).expect_err("general mode");
    assert!(matches!(err, SensorError::NotCicd { .. }), "{err:?}");
    let text = err.to_string();
    assert!(
        text.starts_with("Qualys CS sensor is not deployed in CICD mode")
            && text.contains(&general.name),
        "{text}"
    );
    drop(general);

    let cicd = qualys_sensor("cicd", &["--cicd-deployed-sensor"]);
    let found = check_sensor(&docker).expect("sensor");
    assert_eq!(
        (found.id.as_str(), found.name.as_str(), found.image.as_str()),
        (cicd.id.as_str(), cicd.name.as_str(), FIXTURE)
    );
    assert_eq!(found.version_info, "Qualys Sensor 1.30.0");
    assert_eq!(found.kind, SensorKind::Qualys);

    docker_cli(&["pause", &cicd.name]);
    let err = check_sensor(&docker).expect_err("paused");
    assert!(matches!(err, SensorError::Paused { .. }), "{err:?}");
    let text = err.to_string();
    assert!(
        text.starts_with("Qualys CS sensor container is in paused state")
            && text.contains(&format!("docker unpause {}", cicd.name)),
        "{text}"
    );
    // A second, usable sensor is found past the paused one.
    let short = qualys_sensor("short", &["-c"]);
    assert_eq!(check_sensor(&docker).expect("short flag").id, short.id);
    drop(short);
    docker_cli(&["unpause", &cicd.name]);
    assert_eq!(check_sensor(&docker).expect("unpaused").id, cicd.id);
    drop(cicd);

    let label = format!("{PORTCULLIS_SENSOR_LABEL}=0.1.0");
    let ours = container(
        "ours",
        &[&label],
        &["sh", "-c", "sleep 600", "portcullis", "sensor", "--cicd"],
        true,
    );
    let found = check_sensor(&docker).expect("portcullis sensor");
    assert_eq!(
        (found.id.as_str(), found.kind),
        (ours.id.as_str(), SensorKind::Portcullis)
    );
    assert_eq!(found.version_info, "0.1.0");
    drop(ours);

    not_running(&docker);
}

#[test]
fn over_tls_with_a_client_certificate() {
    let test = "over_tls_with_a_client_certificate";
    let Some(local) = engine(test, &["docker", "openssl", "socat"]) else {
        return;
    };
    let tmp = tempfile::tempdir().expect("tempdir");
    let pki = tmp.path();
    root_ca(pki, "ca");
    root_ca(pki, "rogue");
    let server = "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth";
    issue(pki, "server", "ca", server, false);
    issue(
        pki,
        "elsewhere",
        "ca",
        "subjectAltName=DNS:engine.invalid\nextendedKeyUsage=serverAuth",
        false,
    );
    issue(pki, "client", "ca", "extendedKeyUsage=clientAuth", false);
    let intermediate = "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign";
    issue(pki, "inter", "ca", intermediate, false);
    issue(pki, "leaf", "inter", "extendedKeyUsage=clientAuth", true);
    let good = cert_dir(pki, "good", "ca", &["client"], Some("client"));
    // RSA PKCS#1 key, leaf + intermediate in cert.pem, only the root trusted.
    let chained = cert_dir(pki, "chained", "ca", &["leaf", "inter"], Some("leaf"));
    let wrong_ca = cert_dir(pki, "wrongca", "rogue", &["client"], Some("client"));
    let no_key = cert_dir(pki, "nokey", "ca", &["client"], None);

    let image = resolve_image(&local, "portcullis-fixture/apk:latest").expect("local resolve");
    let _lock = sensor_lock();
    let _sensor = qualys_sensor("tls", &["--cicd-deployed-sensor"]);

    for extra in ["", ",openssl-max-proto-version=TLS1.2"] {
        let (_socat, port) = tls_front(pki, "server", extra);
        for (host, dir) in [("127.0.0.1", &good), ("localhost", &chained)] {
            let url = format!("tcp://{host}:{port}");
            let docker = connect(Some(&url), Some(dir)).expect("connect");
            let got = resolve_image(&docker, &image.input).expect("resolve over TLS");
            assert_eq!(got, image, "{url}{extra}");
            tag_and_check(&docker, &got);
            assert_eq!(
                check_sensor(&docker).expect("sensor over TLS").id,
                _sensor.id
            );
        }
        let url = format!("tcp://127.0.0.1:{port}");

        let err = resolve_image(
            &connect(Some(&url), Some(&wrong_ca)).expect("client"),
            &image.input,
        )
        .expect_err("wrong CA");
        let ConnectorError::Resolve {
            source: DockerError::Tls { reason, .. },
            ..
        } = &err
        else {
            panic!("wrong CA{extra}: {err:?}");
        };
        assert!(
            reason.contains("not trusted") && reason.contains("ca.pem"),
            "{err}"
        );

        let err =
            check_sensor(&connect(Some(&url), None).expect("plain client")).expect_err("plain");
        assert!(err.to_string().contains("--docker-cert-path"), "{err}");

        let err = connect(Some(&url), Some(&no_key)).expect_err("no key.pem");
        assert!(
            matches!(err, ConnectorError::CertFilesMissing { .. }),
            "{err:?}"
        );
        let text = err.to_string();
        assert!(
            text.contains("lacks key.pem;") && text.contains(&no_key.display().to_string()),
            "{text}"
        );
    }

    // The engine's certificate must name the host we dialled.
    let (_socat, port) = tls_front(pki, "elsewhere", "");
    let docker = connect(Some(&format!("tcp://127.0.0.1:{port}")), Some(&good)).expect("client");
    let err = check_sensor(&docker).expect_err("name mismatch");
    let SensorError::Docker(DockerError::Tls { reason, .. }) = &err else {
        panic!("name mismatch: {err:?}");
    };
    assert!(reason.contains("host name"), "{err}");
    let missing = Path::new(pki).join("no-such-dir");
    let err =
        connect(Some(&format!("tcp://127.0.0.1:{port}")), Some(&missing)).expect_err("no dir");
    assert!(
        err.to_string().ends_with("no-such-dir doesn't exist."),
        "{err}"
    );
}
