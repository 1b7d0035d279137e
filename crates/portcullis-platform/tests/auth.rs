//! Authentication against the fake CS API.

mod common;

use std::time::SystemTime;

use common::{client, client_with, fast, password, SHA_A};
use portcullis_fakecs::{FakeConfig, FakeCs, Step};
use portcullis_platform::{poll_image, Credentials, PlatformError, PollResult, Secret};

#[test]
fn special_characters_in_credentials_arrive_intact() {
    let (user, pass) = ("ci bot+1@example.com", "p&ss+w%rd =é?#");
    let fake = FakeCs::start(FakeConfig::default().credentials(user, pass));
    let events = client_with(&fake, password(user, pass))
        .authenticate()
        .unwrap();
    assert!(events.iter().all(|e| !e.contains(pass)));
    let reqs = fake.requests();
    assert_eq!(reqs.len(), 1);
    let r = &reqs[0];
    assert_eq!((r.method.as_str(), r.path.as_str()), ("POST", "/auth"));
    assert_eq!(r.form_field("username"), Some(user));
    assert_eq!(r.form_field("password"), Some(pass));
    assert_eq!(r.form_field("token"), Some("true"));
    assert_eq!(
        r.header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(r.header("accept"), Some("application/json"));
}

#[test]
fn oidc_sends_client_id_and_secret_as_headers() {
    let fake = FakeCs::start(FakeConfig::default());
    let oidc = |secret: &str| Credentials::Oidc {
        client_id: "client-id".into(),
        client_secret: Secret::new(secret),
    };
    client_with(&fake, oidc("client-secret"))
        .authenticate()
        .unwrap();
    let r = &fake.requests()[0];
    assert_eq!(r.path, "/auth/oidc");
    assert_eq!(r.header("clientId"), Some("client-id"));
    assert_eq!(r.header("clientSecret"), Some("client-secret"));
    assert!(r.form.is_empty());
    assert_eq!(r.header("content-length").unwrap_or("0"), "0");

    let err = client_with(&fake, oidc("wrong"))
        .authenticate()
        .unwrap_err();
    assert!(matches!(err, PlatformError::InvalidCredentials), "{err}");
}

#[test]
fn wrong_password_fails_at_once_with_a_clear_message() {
    let fake = FakeCs::start(FakeConfig::default());
    let err = client_with(&fake, password("user", "nope"))
        .authenticate()
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("Please provide valid Qualys credentials"),
        "{err}"
    );
    assert!(!err.to_string().contains("nope"));
    assert_eq!(fake.auth_count(), 1, "a 401 is not retried");
}

#[test]
fn missing_cs_module_is_a_clear_error() {
    let config = FakeConfig {
        modules: vec!["VM".into(), "PC".into()],
        ..FakeConfig::default()
    };
    let fake = FakeCs::start(config.script(SHA_A, Step::pending(1)));
    let c = client(&fake);
    let err = c.authenticate().unwrap_err();
    assert_eq!(
        err.to_string(),
        "CS module is not activated for provided user."
    );
    // Polling stops at once too instead of waiting for the timeout.
    let out = poll_image(&c, SHA_A, SystemTime::now(), &fast());
    assert!(
        matches!(
            out.result,
            PollResult::Failed(PlatformError::CsModuleNotActivated)
        ),
        "{:?}",
        out.result
    );
    assert!(fake.requests().iter().all(|r| !r.is_list()));
}

#[test]
fn server_errors_are_retried_three_times() {
    let config = FakeConfig {
        auth_script: vec![Step::Status(500), Step::Status(400)],
        ..FakeConfig::default()
    };
    let fake = FakeCs::start(config);
    let events = client(&fake).authenticate().unwrap();
    assert_eq!(fake.auth_count(), 3);
    assert_eq!(
        events.iter().filter(|e| e.contains("retrying")).count(),
        2,
        "{events:?}"
    );

    let config = FakeConfig {
        auth_script: vec![
            Step::Status(503),
            Step::ResetConnection,
            Step::Status(502),
            Step::Status(500),
        ],
        ..FakeConfig::default()
    };
    let fake = FakeCs::start(config);
    let err = client(&fake).authenticate().unwrap_err();
    assert!(err.to_string().contains("Server returned: 502"), "{err}");
    assert_eq!(fake.auth_count(), 3);

    let config = FakeConfig {
        auth_script: vec![Step::Status(403)],
        ..FakeConfig::default()
    };
    let fake = FakeCs::start(config);
    let err = client(&fake).authenticate().unwrap_err();
    assert!(
        matches!(err, PlatformError::AuthStatus { status: 403 }),
        "{err}"
    );
    assert_eq!(fake.auth_count(), 1);
}

#[test]
fn a_token_without_exp_is_accepted() {
    let config = FakeConfig {
        exp_claim: None,
        ..FakeConfig::default()
    };
    let fake = FakeCs::start(config);
    client(&fake).authenticate().unwrap();
}

#[test]
fn unreachable_platform_is_a_transport_error() {
    let fake = FakeCs::start(FakeConfig::default());
    let url = fake.url();
    drop(fake);
    let mut o = portcullis_platform::ClientOptions::new(url, password("user", "pass"));
    o.use_env_proxy = false;
    o.auth_attempts = 2;
    o.auth_retry_delay = std::time::Duration::from_millis(10);
    let err = portcullis_platform::Client::new(o)
        .unwrap()
        .authenticate()
        .unwrap_err();
    assert!(matches!(err, PlatformError::Transport { .. }), "{err}");
}
