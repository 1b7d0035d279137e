//! Polling against the fake CS API (reference §3.2, §3.3).

mod common;

use std::time::{Duration, Instant, SystemTime};

use common::{client, fast, SHA_A, SHA_B};
use portcullis_fakecs::{image_details, pending_details, FakeConfig, FakeCs, Step, Vuln};
use portcullis_platform::{details_to_scan, poll_image, poll_images, PollOptions, PollResult};
use serde_json::json;

fn complete(sha: &str) -> serde_json::Value {
    image_details(
        sha,
        None,
        &[Vuln::new(178393, 4)
            .cves(&["CVE-2023-0286"])
            .cvss(Some(7.1), Some(7.4))
            .patch(true)
            .software("openssl", "3.0.11-1~deb12u1", Some("3.0.11-1~deb12u2"))],
        &[("bash", "5.2.15-2+b2")],
    )
}

fn lists(fake: &FakeCs) -> usize {
    fake.requests().iter().filter(|r| r.is_list()).count()
}

#[test]
fn no_content_twice_then_null_vulnerabilities_then_complete() {
    let fake = FakeCs::start(
        FakeConfig::default()
            .script(SHA_A, Step::pending(2))
            .script(SHA_A, Step::ready(pending_details(SHA_A)))
            .script(SHA_A, Step::ready(complete(SHA_A))),
    );
    let c = client(&fake);
    c.authenticate().unwrap();
    let out = poll_image(&c, SHA_A, SystemTime::now(), &fast());
    let PollResult::Complete(details) = &out.result else {
        panic!("{:?} {:?}", out.result, out.events)
    };
    assert_eq!(lists(&fake), 4);
    let scan = details_to_scan(details).unwrap();
    assert_eq!(scan.findings.len(), 1);
    assert_eq!(scan.findings[0].qid, Some(178393));
    assert_eq!(
        out.events
            .iter()
            .filter(|e| e.contains("not found yet"))
            .count(),
        2,
        "{:?}",
        out.events
    );
    assert!(
        out.events.iter().any(|e| e.contains("To be processed")),
        "{:?}",
        out.events
    );
    // Every API call carried the token and the accept header.
    for r in fake.requests().iter().filter(|r| !r.is_auth()) {
        assert_eq!(r.authorized, Some(true));
        assert_eq!(r.header("accept"), Some("application/json"));
    }
}

#[test]
fn an_empty_vulnerability_array_is_complete() {
    let fake = FakeCs::start(
        FakeConfig::default().script(SHA_A, Step::ready(image_details(SHA_A, None, &[], &[]))),
    );
    let out = poll_image(&client(&fake), SHA_A, SystemTime::now(), &fast());
    assert!(
        matches!(out.result, PollResult::Complete(_)),
        "{:?}",
        out.result
    );
}

#[test]
fn an_expired_token_is_renewed_and_polling_continues() {
    let config = FakeConfig {
        // The third authorised call is the last this token may make.
        token_max_uses: Some(3),
        ..FakeConfig::default()
    };
    let fake = FakeCs::start(
        config
            .script(SHA_A, Step::pending(2))
            .script(SHA_A, Step::ready(complete(SHA_A))),
    );
    let c = client(&fake);
    c.authenticate().unwrap();
    let out = poll_image(&c, SHA_A, SystemTime::now(), &fast());
    assert!(
        matches!(out.result, PollResult::Complete(_)),
        "{:?} {:?}",
        out.result,
        out.events
    );
    assert_eq!(fake.auth_count(), 2);
    assert_eq!(
        fake.requests()
            .iter()
            .filter(|r| r.authorized == Some(false))
            .count(),
        1
    );
    assert!(
        out.events.iter().any(|e| e.contains("renewing")),
        "{:?}",
        out.events
    );
    // Tokens (JWTs start `eyJ`) never reach the log.
    assert!(
        out.events.iter().all(|e| !e.contains("eyJ")),
        "{:?}",
        out.events
    );
}

#[test]
fn a_token_near_its_exp_is_renewed_before_use() {
    let config = FakeConfig {
        // Issued already expired: every call must get a fresh token first,
        // without ever being refused.
        exp_claim: Some(Duration::ZERO),
        ..FakeConfig::default()
    };
    let fake = FakeCs::start(
        config
            .script(SHA_A, Step::pending(1))
            .script(SHA_A, Step::ready(complete(SHA_A))),
    );
    let out = poll_image(&client(&fake), SHA_A, SystemTime::now(), &fast());
    assert!(
        matches!(out.result, PollResult::Complete(_)),
        "{:?} {:?}",
        out.result,
        out.events
    );
    let reqs = fake.requests();
    let api: Vec<_> = reqs.iter().filter(|r| !r.is_auth()).collect();
    assert_eq!(api.len(), 3);
    assert!(api.iter().all(|r| r.authorized == Some(true)));
    assert_eq!(fake.auth_count(), 3);
    assert_eq!(
        out.events
            .iter()
            .filter(|e| e.contains("about to expire"))
            .count(),
        2,
        "{:?}",
        out.events
    );
}

#[test]
fn a_token_expired_by_time_is_renewed() {
    let config = FakeConfig {
        token_ttl: Some(Duration::from_millis(120)),
        ..FakeConfig::default()
    };
    let fake = FakeCs::start(
        config
            .script(SHA_A, Step::pending(4))
            .script(SHA_A, Step::ready(complete(SHA_A))),
    );
    let c = client(&fake);
    let out = poll_image(&c, SHA_A, SystemTime::now(), &fast());
    assert!(
        matches!(out.result, PollResult::Complete(_)),
        "{:?} {:?}",
        out.result,
        out.events
    );
    assert!(fake.auth_count() >= 2);
}

#[test]
fn server_errors_and_odd_answers_only_mean_not_ready() {
    let fake = FakeCs::start(
        FakeConfig::default()
            .script(
                SHA_A,
                [Step::Status(500), Step::Status(500), Step::Status(503)],
            )
            .script(
                SHA_A,
                [
                    Step::Json(400, json!({"message": "Bad filter text"})),
                    Step::Status(404),
                    Step::Status(403),
                ],
            )
            .script(SHA_A, [Step::Raw(200, "not json".into())])
            .script(SHA_A, [Step::ListOk, Step::Raw(200, "{truncated".into())])
            .script(SHA_A, [Step::ListOk, Step::Status(500)])
            .script(SHA_A, Step::ready(complete(SHA_A))),
    );
    let out = poll_image(&client(&fake), SHA_A, SystemTime::now(), &fast());
    assert!(
        matches!(out.result, PollResult::Complete(_)),
        "{:?} {:?}",
        out.result,
        out.events
    );
    let log = out.events.join("\n");
    assert_eq!(log.matches("HTTP Code: 500.").count(), 2, "{log}");
    assert!(log.contains("HTTP Code: 503."), "{log}");
    assert!(log.contains("Bad filter text"), "{log}");
    assert!(log.contains("HTTP Code: 404"), "{log}");
    assert!(log.contains("not a JSON object"), "{log}");
    assert!(log.contains("details are not JSON"), "{log}");
    assert_eq!(lists(&fake), 10);
}

#[test]
fn connection_resets_and_hangs_only_mean_not_ready() {
    let fake = FakeCs::start(
        FakeConfig::default()
            .script(SHA_A, [Step::ResetConnection, Step::ResetConnection])
            .script(SHA_A, [Step::Hang(Duration::from_secs(3))])
            .script(SHA_A, [Step::ListOk, Step::ResetConnection])
            .script(SHA_A, Step::ready(complete(SHA_A))),
    );
    let opts = PollOptions {
        request_timeout: Duration::from_millis(300),
        ..fast()
    };
    let started = Instant::now();
    let out = poll_image(&client(&fake), SHA_A, SystemTime::now(), &opts);
    assert!(
        matches!(out.result, PollResult::Complete(_)),
        "{:?} {:?}",
        out.result,
        out.events
    );
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "the per-request timeout cut the hang"
    );
    assert_eq!(
        out.events
            .iter()
            .filter(|e| e.contains("Error fetching scan report"))
            .count(),
        4,
        "{:?}",
        out.events
    );
}

#[test]
fn times_out_after_the_configured_timeout() {
    let fake = FakeCs::start(FakeConfig::default());
    let opts = PollOptions {
        timeout: Duration::from_millis(300),
        ..fast()
    };
    let started = Instant::now();
    let out = poll_image(&client(&fake), SHA_A, SystemTime::now(), &opts);
    let elapsed = started.elapsed();
    let PollResult::TimedOut { polls } = out.result else {
        panic!("{:?}", out.result)
    };
    assert!(polls >= 3, "{polls}");
    assert_eq!(polls as usize, lists(&fake));
    assert!(
        elapsed >= Duration::from_millis(300) && elapsed < Duration::from_secs(2),
        "{elapsed:?}"
    );
    assert!(out.events.last().unwrap().contains("Timeout reached"));
}

#[test]
fn the_lookback_window_reaches_back_to_tagging_and_grows_by_the_interval() {
    let fake = FakeCs::start(
        FakeConfig::default()
            .script(SHA_A, Step::pending(2))
            .script(SHA_A, Step::ready(complete(SHA_A))),
    );
    let tagged = SystemTime::now() - Duration::from_secs(95);
    let opts = PollOptions {
        interval: Duration::from_secs(1),
        ..fast()
    };
    let out = poll_image(&client(&fake), SHA_A, tagged, &opts);
    assert!(matches!(out.result, PollResult::Complete(_)));
    let reqs = fake.requests();
    let windows: Vec<u64> = reqs
        .iter()
        .filter(|r| r.is_list())
        .map(|r| r.lookback_secs().unwrap())
        .collect();
    assert_eq!(windows, [95, 96, 97]);
    let first = reqs.iter().find(|r| r.is_list()).unwrap();
    assert_eq!(
        first.query_param("filter").unwrap(),
        format!("sha:{SHA_A} and lastScanned: [now-95s ... now]")
    );
    assert_eq!(
        first.raw_query,
        format!("filter=sha%3A{SHA_A}+and+lastScanned%3A+%5Bnow-95s+...+now%5D")
    );
    // The details request has no query at all.
    let details = reqs
        .iter()
        .find(|r| r.path == format!("/csapi/v1.3/images/{SHA_A}"))
        .unwrap();
    assert!(details.raw_query.is_empty());
}

#[test]
fn images_are_polled_concurrently_with_one_token() {
    let slow = |sha: &str| {
        vec![
            Step::Delay(Duration::from_millis(600), Box::new(Step::ListOk)),
            Step::Details(complete(sha)),
        ]
    };
    let fake = FakeCs::start(
        FakeConfig::default()
            .script(SHA_A, slow(SHA_A))
            .script(SHA_B, slow(SHA_B)),
    );
    let c = client(&fake);
    let now = SystemTime::now();
    let started = Instant::now();
    let outs = poll_images(
        &c,
        &[(SHA_A.to_owned(), now), (SHA_B.to_owned(), now)],
        &fast(),
    );
    let elapsed = started.elapsed();
    assert_eq!(outs.len(), 2);
    assert_eq!((outs[0].sha.as_str(), outs[1].sha.as_str()), (SHA_A, SHA_B));
    for o in &outs {
        assert!(
            matches!(o.result, PollResult::Complete(_)),
            "{:?}",
            o.result
        );
    }
    assert!(
        elapsed < Duration::from_millis(1100),
        "took {elapsed:?}: polled one after the other?"
    );
    assert_eq!(fake.auth_count(), 1, "the token is shared");
}
