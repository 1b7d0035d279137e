//! The webhook against a real HTTP server on loopback: payload and
//! headers, retries, a server that never answers, a server that hangs up,
//! and secrets in the URL.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portcullis_match::{Finding, FindingPackage, TypeDetected};
use portcullis_notify::{
    post_webhook, webhook_payload, SecretToken, WebhookOptions, WebhookOutcome,
};
use portcullis_policy::{Counts, Evaluation, ListCondition, Policy, SeverityCondition};
use portcullis_report::scan::{CiMetadata, ImageResult, ScanReport};
use portcullis_types::{Digest, Distro, Ecosystem, ImageMetadata, Inventory, LayerMetadata};
use serde_json::{json, Value};

// ---------------------------------------------------------------- server

/// One request as the server saw it.
#[derive(Clone, Debug)]
struct Request {
    method: String,
    target: String,
    headers: BTreeMap<String, String>,
    body: Vec<u8>,
}

/// What the server does with the n-th connection (0-based).
#[derive(Clone, Copy, Debug)]
enum Behaviour {
    /// Read the request and answer with this status.
    Status(u16),
    /// Read the request, then never answer (sleep).
    Hang,
    /// Close the connection without reading or answering.
    Close,
}

struct Server {
    url: String,
    requests: Arc<Mutex<Vec<Request>>>,
    connections: Arc<AtomicUsize>,
}

/// Starts a minimal HTTP/1.1 server on 127.0.0.1; `plan(n)` decides what
/// connection `n` gets. Every response closes its connection.
fn serve(plan: impl Fn(usize) -> Behaviour + Send + 'static) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let requests = Arc::new(Mutex::new(Vec::new()));
    let connections = Arc::new(AtomicUsize::new(0));
    let (reqs, conns) = (requests.clone(), connections.clone());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            let n = conns.fetch_add(1, Ordering::SeqCst);
            let behaviour = plan(n);
            let reqs = reqs.clone();
            std::thread::spawn(move || handle(stream, behaviour, &reqs));
        }
    });
    Server {
        url: format!("http://{addr}"),
        requests,
        connections,
    }
}

fn handle(stream: TcpStream, behaviour: Behaviour, requests: &Mutex<Vec<Request>>) {
    if let Behaviour::Close = behaviour {
        drop(stream);
        return;
    }
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() || line.is_empty() {
        return;
    }
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or_default().to_owned();
    let target = parts.next().unwrap_or_default().to_owned();
    let mut headers = BTreeMap::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).is_err() || h == "\r\n" || h.is_empty() {
            break;
        }
        if let Some((k, v)) = h.trim_end().split_once(':') {
            headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_owned());
        }
    }
    let len: usize = headers
        .get("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; len];
    if reader.read_exact(&mut body).is_err() {
        return;
    }
    requests.lock().unwrap().push(Request {
        method,
        target,
        headers,
        body,
    });
    let mut stream = stream;
    match behaviour {
        Behaviour::Status(code) => {
            let _ = write!(
                stream,
                "HTTP/1.1 {code} X\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
            );
        }
        Behaviour::Hang => std::thread::sleep(Duration::from_secs(30)),
        Behaviour::Close => {}
    }
}

/// Fast options for tests: no environment proxy, short back-off.
fn fast() -> WebhookOptions {
    WebhookOptions {
        attempts: 3,
        initial_backoff: Duration::from_millis(50),
        max_backoff: Duration::from_millis(200),
        attempt_timeout: Duration::from_secs(5),
        deadline: Duration::from_secs(20),
        env_proxy: false,
        ..WebhookOptions::default()
    }
}

// ---------------------------------------------------------------- reports

const SHA_A: &str = "4f67c83422ec9d4e1b0d0f3c2a1e5b6d7c8f9a0b1c2d3e4f5a6b7c8d9e0ff100";
const SHA_B: &str = "10c550a8b09ec47729c1bb6e7a0dea57d9c58985a7e137a1dad181f41ca27cc9";

fn finding(id: &str, severity: u8, kind: TypeDetected, patch: bool) -> Finding {
    Finding {
        id: id.into(),
        qid: None,
        aliases: Vec::new(),
        package: FindingPackage {
            ecosystem: Ecosystem::Deb,
            name: "openssl".into(),
            version: "3.0.11-1".into(),
            source_name: Some("openssl".into()),
            source_version: Some("3.0.11-1".into()),
            purl: "pkg:deb/debian/openssl@3.0.11-1".into(),
            locations: vec!["var/lib/dpkg/status".into()],
        },
        fixed_version: patch.then(|| "3.0.13-1".into()),
        status: if patch { "fixed" } else { "open" }.into(),
        severity,
        severity_source: "debian".into(),
        cvss_v2: None,
        cvss_v3: None,
        type_detected: kind,
        patch_available: patch,
        layer: None,
        title: None,
        links: Vec::new(),
        evidence: Vec::new(),
    }
}

fn image(sha: &str, tag: &str, findings: Vec<Finding>, evaluation: Evaluation) -> ImageResult {
    let digest = Digest::sha256_hex(sha).unwrap();
    let layer = LayerMetadata {
        diff_id: digest.clone(),
        digest: None,
        size: 100,
        media_type: None,
        created_by: None,
    };
    ImageResult {
        references: vec![tag.into()],
        inventory: Inventory {
            schema_version: 1,
            image: ImageMetadata {
                reference: tag.into(),
                source: "docker-archive".into(),
                image_id: sha[..12].into(),
                config_digest: Some(digest),
                repo_tags: vec![tag.into()],
                os: "linux".into(),
                architecture: "amd64".into(),
                docker_version: Some("20.10.23".into()),
                layers: vec![layer.clone(), layer],
                total_size: 187_667_860,
                ..ImageMetadata::default()
            },
            distro: Some(Distro {
                id: "debian".into(),
                version_id: Some("11".into()),
                pretty_name: Some("Debian GNU/Linux 11 (bullseye)".into()),
                ..Distro::default()
            }),
            packages: Vec::new(),
            unknowns: Vec::new(),
        },
        findings,
        not_matched: Vec::new(),
        evaluation,
        base_layers: BTreeSet::new(),
        error: None,
    }
}

fn severities(failing: Option<(u8, u64, u64)>) -> BTreeMap<u8, SeverityCondition> {
    (1..=5)
        .map(|l| {
            let c = match failing {
                Some((level, configured, found)) if level == l => SeverityCondition {
                    configured: Some(configured),
                    found: Some(found),
                    result: false,
                },
                _ => SeverityCondition {
                    configured: None,
                    found: None,
                    result: true,
                },
            };
            (l, c)
        })
        .collect()
}

fn passing() -> Evaluation {
    Evaluation {
        pass: true,
        severities: severities(None),
        qids: ListCondition {
            result: true,
            ..ListCondition::default()
        },
        cves: ListCondition {
            result: true,
            ..ListCondition::default()
        },
        software: ListCondition {
            result: true,
            ..ListCondition::default()
        },
        cvss: portcullis_policy::CvssCondition {
            result: true,
            ..Default::default()
        },
        risk: portcullis_policy::RiskCondition {
            result: true,
            ..Default::default()
        },
        freshness: portcullis_policy::FreshnessCondition {
            result: true,
            ..Default::default()
        },
        counts: Counts::default(),
        ..Evaluation::default()
    }
}

/// Two images: A fails on severity 5 and on a CVE, B passes. A is listed
/// first, so the vendor's "last image wins" defect would report Success.
fn two_images() -> ScanReport {
    let mut failing = passing();
    failing.pass = false;
    failing.severities = severities(Some((5, 0, 1)));
    failing.cves = ListCondition {
        configured: Some("CVE-2022-40674".into()),
        found: Some("CVE-2022-40674".into()),
        result: false,
        excluded: None,
    };
    failing.reasons = vec![
        "severity 5: 1 found, 0 allowed".into(),
        "CVE-2022-40674 found".into(),
    ];
    let a = image(
        SHA_A,
        "registry.example.com/team/app:1.4.2",
        vec![
            finding("CVE-2022-40674", 5, TypeDetected::Confirmed, true),
            finding("CVE-2023-0001", 3, TypeDetected::Confirmed, false),
            finding("CVE-2023-0002", 2, TypeDetected::Potential, true),
        ],
        failing,
    );
    let b = image(
        SHA_B,
        "fedora/httpd:latest",
        vec![finding("CVE-2021-1111", 1, TypeDetected::Potential, false)],
        passing(),
    );
    ScanReport {
        tool_name: "portcullis".into(),
        tool_version: "0.1.0".into(),
        generated_at: time::OffsetDateTime::UNIX_EPOCH,
        backend: "local".into(),
        db: None,
        policy: Policy::default(),
        images: vec![a, b],
        ci: CiMetadata {
            system: Some("jenkins".into()),
            job_name: Some("app-pipeline".into()),
            build_number: Some("57".into()),
            job_url: Some("https://jenkins.example.com/job/app-pipeline/57/".into()),
        },
    }
}

// ---------------------------------------------------------------- payload

#[test]
fn payload_status_covers_every_image() {
    let report = two_images();
    let p = webhook_payload(&report);
    assert_eq!(p["buildStatus"], "Failed");
    assert_eq!(p["buildNumber"], "57");
    assert_eq!(p["jobName"], "app-pipeline");
    assert_eq!(
        p["jobUrl"],
        "https://jenkins.example.com/job/app-pipeline/57/"
    );
    assert_eq!(p["ciSystem"], "jenkins");
    assert_eq!(p["tool"], json!({"name": "portcullis", "version": "0.1.0"}));

    // Only the failing image, and only its failed criteria.
    let reasons = p["failReason"].as_array().unwrap();
    assert_eq!(reasons.len(), 1);
    let r = &reasons[0];
    assert_eq!(r["imageId"], "4f67c83422ec");
    assert_eq!(r["severity"], json!({"5": {"configured": 0, "found": 1}}));
    assert_eq!(
        r["cve"],
        json!({"configured": "CVE-2022-40674", "found": "CVE-2022-40674"})
    );
    for absent in ["qids", "software", "cvss", "risk", "errors"] {
        assert!(r.get(absent).is_none(), "{absent} in {r}");
    }

    // images[] carry their own counts (no `{}` entries).
    let images = p["images"].as_array().unwrap();
    assert_eq!(images.len(), 2);
    let a = &images[0];
    assert_eq!(a["imageId"], "4f67c83422ec");
    assert_eq!(a["sha"], SHA_A);
    assert_eq!(a["size"], 187_667_860);
    assert_eq!(a["layersCount"], 2);
    assert_eq!(a["dockerVersion"], "20.10.23");
    assert_eq!(a["architecture"], "amd64");
    assert_eq!(a["operatingSystem"], "Debian GNU/Linux 11 (bullseye)");
    assert_eq!(
        a["repo"],
        json!([{"registry": "registry.example.com", "repository": "team/app", "tag": "1.4.2"}])
    );
    assert_eq!(a["uuid"].as_str().unwrap().len(), 36);
    assert_eq!(
        a["vulnerabilities"],
        json!({
            "totalVulnerabilities": 3,
            "typeDetected": {"Confirmed": 2, "Potential": 1},
            "severity": {
                "Potential": {"1": 0, "2": 1, "3": 0, "4": 0, "5": 0},
                "Confirmed": {"1": 0, "2": 0, "3": 1, "4": 0, "5": 1}
            },
            "patchable": {"yes": 2, "no": 1}
        })
    );
    let b = &images[1];
    assert_eq!(b["imageId"], "10c550a8b09e");
    assert_eq!(
        b["repo"],
        json!([{"repository": "fedora/httpd", "tag": "latest"}])
    );
    assert_eq!(b["vulnerabilities"]["totalVulnerabilities"], 1);
    assert_eq!(
        b["vulnerabilities"]["typeDetected"],
        json!({"Confirmed": 0, "Potential": 1})
    );

    // Nulls are omitted everywhere.
    fn no_nulls(v: &Value) {
        match v {
            Value::Null => panic!("null in payload"),
            Value::Array(a) => a.iter().for_each(no_nulls),
            Value::Object(o) => o.values().for_each(no_nulls),
            _ => {}
        }
    }
    no_nulls(&p);

    // The failing image listed last changes nothing either.
    let mut reversed = two_images();
    reversed.images.reverse();
    assert_eq!(webhook_payload(&reversed)["buildStatus"], "Failed");

    // All passing: Success, and no failReason at all.
    let mut ok = two_images();
    ok.images.remove(0);
    let p = webhook_payload(&ok);
    assert_eq!(p["buildStatus"], "Success");
    assert!(p.get("failReason").is_none());
}

#[test]
fn payload_scan_error_and_evaluation_errors_fail() {
    let mut report = two_images();
    report.images[0].evaluation = passing();
    report.images[0].evaluation.pass = false;
    report.images[0].evaluation.errors = vec!["CVSS max mode: finding without v2 score".into()];
    report.images[1].error = Some("image unreadable: truncated layer".into());
    report.images[1].inventory.image.image_id = String::new();
    let p = webhook_payload(&report);
    assert_eq!(p["buildStatus"], "Failed");
    let reasons = p["failReason"].as_array().unwrap();
    assert_eq!(reasons.len(), 2);
    assert_eq!(
        reasons[0]["errors"],
        json!(["CVSS max mode: finding without v2 score"])
    );
    assert_eq!(reasons[1]["reference"], "fedora/httpd:latest");
    assert_eq!(
        reasons[1]["errors"],
        json!(["image unreadable: truncated layer"])
    );
    assert!(p["images"][1].get("vulnerabilities").is_none());
    assert_eq!(p["images"][1]["status"], "Error");
}

// ---------------------------------------------------------------- delivery

#[test]
fn delivers_payload_with_headers() {
    let server = serve(|_| Behaviour::Status(200));
    let payload = webhook_payload(&two_images());
    let opts = WebhookOptions {
        token: Some(SecretToken::new("hook-token-123")),
        ..fast()
    };
    let out = post_webhook(&format!("{}/hooks/scan", server.url), &payload, &opts);
    assert!(out.delivered, "{out}");
    assert_eq!(out.attempts.len(), 1);
    assert_eq!(out.final_status(), Some(200));
    assert!(out.warning().is_none());
    let reqs = server.requests.lock().unwrap();
    assert_eq!(reqs.len(), 1);
    let r = &reqs[0];
    assert_eq!(r.method, "POST");
    assert_eq!(r.target, "/hooks/scan");
    assert_eq!(r.headers["content-type"], "application/json");
    assert_eq!(r.headers["authorization"], "Bearer hook-token-123");
    let got: Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(got, payload);
    assert_eq!(got["buildStatus"], "Failed");
    // The token is in no message.
    assert!(!format!("{out} {out:?}").contains("hook-token-123"));
}

#[test]
fn retries_server_errors_then_succeeds() {
    let server = serve(|n| {
        if n < 2 {
            Behaviour::Status(500)
        } else {
            Behaviour::Status(200)
        }
    });
    let out = post_webhook(&server.url, &json!({"a": 1}), &fast());
    assert!(out.delivered, "{out}");
    let statuses: Vec<_> = out.attempts.iter().map(|a| a.status).collect();
    assert_eq!(statuses, vec![Some(500), Some(500), Some(200)]);
    assert_eq!(server.requests.lock().unwrap().len(), 3);
    assert!(out.to_string().contains("after 3 attempts"), "{out}");
}

#[test]
fn client_errors_are_not_retried() {
    let server = serve(|_| Behaviour::Status(404));
    let out = post_webhook(&server.url, &json!({}), &fast());
    assert!(!out.delivered);
    assert_eq!(out.attempts.len(), 1);
    assert_eq!(out.final_status(), Some(404));
    assert!(out.warning().unwrap().contains("HTTP 404"), "{out}");
}

#[test]
fn too_many_requests_is_retried() {
    let server = serve(|n| {
        if n == 0 {
            Behaviour::Status(429)
        } else {
            Behaviour::Status(204)
        }
    });
    let out = post_webhook(&server.url, &json!({}), &fast());
    assert!(out.delivered, "{out}");
    assert_eq!(out.attempts.len(), 2);
}

#[test]
fn server_that_never_answers_ends_in_bounded_time() {
    let server = serve(|_| Behaviour::Hang);
    let opts = WebhookOptions {
        attempt_timeout: Duration::from_millis(400),
        deadline: Duration::from_secs(3),
        ..fast()
    };
    let t0 = Instant::now();
    let out = post_webhook(&server.url, &json!({}), &opts);
    let took = t0.elapsed();
    assert!(!out.delivered);
    assert!(took < Duration::from_secs(4), "took {took:?}");
    assert_eq!(out.attempts.len(), 3, "{out:?}");
    assert!(out.attempts.iter().all(|a| a.status.is_none()));
    assert!(out.error.as_deref().unwrap().contains("timed out"), "{out}");

    // The overall deadline wins over the per-attempt timeout.
    let opts = WebhookOptions {
        attempts: 10,
        attempt_timeout: Duration::from_secs(5),
        deadline: Duration::from_millis(800),
        ..fast()
    };
    let t0 = Instant::now();
    let out = post_webhook(&server.url, &json!({}), &opts);
    assert!(!out.delivered);
    assert!(
        t0.elapsed() < Duration::from_secs(2),
        "took {:?}",
        t0.elapsed()
    );
}

#[test]
fn connection_closed_immediately_is_a_failure() {
    let server = serve(|_| Behaviour::Close);
    let out = post_webhook(&server.url, &json!({}), &fast());
    assert!(!out.delivered);
    assert_eq!(out.attempts.len(), 3, "{out:?}");
    assert!(out
        .attempts
        .iter()
        .all(|a| a.status.is_none() && a.error.is_some()));
    assert!(server.connections.load(Ordering::SeqCst) >= 3);
    assert!(out.warning().is_some());
}

#[test]
fn connection_refused_is_a_failure() {
    // Bind then drop: nothing listens on the port any more.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let out = post_webhook(&format!("http://127.0.0.1:{port}/x"), &json!({}), &fast());
    assert!(!out.delivered);
    assert_eq!(out.attempts.len(), 3);
}

#[test]
fn secrets_in_the_url_never_appear() {
    fn assert_clean(out: &WebhookOutcome) {
        let text = format!("{out} {out:?} {}", out.warning().unwrap_or_default());
        for secret in ["alice", "s3cr3tpass", "tok3n-value", "token="] {
            assert!(!text.contains(secret), "{secret} leaked: {text}");
        }
    }
    // Delivered.
    let server = serve(|_| Behaviour::Status(200));
    let addr = server.url.trim_start_matches("http://");
    let url = format!("http://alice:s3cr3tpass@{addr}/hook?token=tok3n-value");
    let out = post_webhook(&url, &json!({}), &fast());
    assert!(out.delivered, "{out}");
    assert_eq!(out.url, format!("http://[redacted]@{addr}/hook?[redacted]"));
    assert_clean(&out);
    // The query still reaches the server.
    assert_eq!(
        server.requests.lock().unwrap()[0].target,
        "/hook?token=tok3n-value"
    );

    // Failed with transport errors.
    let server = serve(|_| Behaviour::Close);
    let addr = server.url.trim_start_matches("http://");
    let url = format!("http://alice:s3cr3tpass@{addr}/hook?token=tok3n-value");
    let out = post_webhook(&url, &json!({}), &fast());
    assert!(!out.delivered);
    assert_clean(&out);

    // Failed with an HTTP status.
    let server = serve(|_| Behaviour::Status(503));
    let addr = server.url.trim_start_matches("http://");
    let url = format!("http://alice:s3cr3tpass@{addr}/hook?token=tok3n-value");
    let out = post_webhook(&url, &json!({}), &fast());
    assert!(!out.delivered);
    assert_eq!(out.final_status(), Some(503));
    assert_clean(&out);

    // Refused before any attempt: an unusable proxy with credentials.
    let opts = WebhookOptions {
        proxy: Some("http://alice:s3cr3tpass@[bad".into()),
        ..fast()
    };
    let out = post_webhook(&url, &json!({}), &opts);
    assert!(!out.delivered);
    assert!(out.attempts.is_empty());
    assert_clean(&out);
}

#[test]
fn invalid_url_and_missing_ca_bundle_fail_without_attempts() {
    let out = post_webhook("ftp://alice:s3cr3tpass@example.com/x", &json!({}), &fast());
    assert!(!out.delivered && out.attempts.is_empty());
    assert!(!out.to_string().contains("s3cr3tpass"));
    let opts = WebhookOptions {
        ca_bundle: Some("does-not-exist.pem".into()),
        ..fast()
    };
    let out = post_webhook("https://hooks.example.com/x", &json!({}), &opts);
    assert!(!out.delivered && out.attempts.is_empty());
    assert!(out.to_string().contains("CA bundle"), "{out}");
}

#[test]
fn explicit_proxy_is_used_with_its_credentials() {
    // The loopback server plays an HTTP proxy: it receives the absolute URL.
    let proxy = serve(|_| Behaviour::Status(200));
    let addr = proxy.url.trim_start_matches("http://");
    let opts = WebhookOptions {
        // A bare host:port, as the vendor's proxy field took it, with
        // credentials.
        proxy: Some(format!("puser:ppass-secret@{addr}")),
        ..fast()
    };
    let out = post_webhook(
        "http://hooks.example.invalid/x?k=v",
        &json!({"a": 1}),
        &opts,
    );
    assert!(out.delivered, "{out}");
    let reqs = proxy.requests.lock().unwrap();
    assert_eq!(reqs[0].target, "http://hooks.example.invalid/x?k=v");
    assert!(reqs[0].headers["proxy-authorization"].starts_with("Basic "));
    assert!(!format!("{out} {out:?}").contains("ppass-secret"));
}
