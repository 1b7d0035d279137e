//! Client of a Qualys Container Security-compatible platform API (SPEC §8,
//! reference `qualys-cs.md` §1–§3, §5): the same calls as the vendor's
//! connectors, with their known defects fixed (GOV1/EU3 gateways, token
//! renewal, a per-request timeout in seconds, invalid durations rejected).
//!
//! Nothing here prints: functions return events (log lines) for the caller.
//!
//! The flow of a platform-backed scan:
//!
//! ```no_run
//! use std::time::{Duration, SystemTime};
//! use portcullis_platform::*;
//!
//! # fn main() -> Result<(), PlatformError> {
//! let creds = Credentials::Password { username: "u".into(), password: Secret::new("p") };
//! let mut opts = ClientOptions::new("https://qualysapi.qg2.apps.qualys.com", creds);
//! opts.proxy = None; // or Some("http://user:pass@proxy:3128".into())
//! let client = Client::new(opts)?;
//! let log = client.authenticate()?; // connection test: 3 attempts, CS-module check
//! let tagged = SystemTime::now(); // recorded once, before tagging the images
//! let poll = PollOptions {
//!     interval: Duration::from_secs(parse_seconds_expr("30")?),
//!     timeout: Duration::from_secs(parse_seconds_expr("10*60")?),
//!     ..PollOptions::default()
//! };
//! let sha = "4f67c83422ec747235357c04556616234e66fc3fa39cb4f40b2d4441ddd8f100";
//! for outcome in poll_images(&client, &[(sha.to_owned(), tagged)], &poll) {
//!     match outcome.result {
//!         PollResult::Complete(details) => {
//!             let scan = details_to_scan(&details)?; // inventory + findings
//!             # let _ = scan;
//!         }
//!         PollResult::TimedOut { .. } => { /* fail if conditions are set, else warn */ }
//!         PollResult::Failed(e) => return Err(e),
//!     }
//! }
//! # let _ = log;
//! # Ok(())
//! # }
//! ```
#![warn(missing_docs)]

mod client;
mod convert;
mod error;
mod expr;
mod form;
mod gateway;
mod guess;
mod jwt;
mod options;
mod poll;
mod secret;
mod token;

pub use client::Client;
pub use convert::{details_to_scan, PlatformScan};
pub use error::PlatformError;
pub use expr::parse_seconds_expr;
pub use gateway::gateway_url;
pub use options::ClientOptions;
pub use poll::{poll_image, poll_images, PollOptions, PollOutcome, PollResult};
pub use secret::{Credentials, Secret};
