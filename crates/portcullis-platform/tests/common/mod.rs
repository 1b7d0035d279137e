//! Shared set-up: a client of a fake server with fast timings.

#![allow(dead_code, unreachable_pub)]

use std::time::Duration;

use portcullis_fakecs::FakeCs;
use portcullis_platform::{Client, ClientOptions, Credentials, PollOptions, Secret};

pub const SHA_A: &str = "4f67c83422ec747235357c04556616234e66fc3fa39cb4f40b2d4441ddd8f100";
pub const SHA_B: &str = "0b8e5e8a00004000800000000000000100000000000000000000000000000001";

pub fn password(user: &str, pass: &str) -> Credentials {
    Credentials::Password {
        username: user.into(),
        password: Secret::new(pass),
    }
}

pub fn client_with(fake: &FakeCs, credentials: Credentials) -> Client {
    let mut o = ClientOptions::new(fake.url(), credentials);
    // Loopback tests must not go through a proxy from the environment.
    o.use_env_proxy = false;
    o.auth_retry_delay = Duration::from_millis(50);
    o.request_timeout = Duration::from_secs(5);
    Client::new(o).unwrap()
}

pub fn client(fake: &FakeCs) -> Client {
    client_with(fake, password("user", "pass"))
}

pub fn fast() -> PollOptions {
    PollOptions {
        interval: Duration::from_millis(50),
        timeout: Duration::from_secs(5),
        request_timeout: Duration::from_secs(2),
    }
}
