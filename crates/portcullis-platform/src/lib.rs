//! Client of a Qualys Container Security-compatible platform API (SPEC §8,
//! reference `qualys-cs.md` §1–§3, §5): the same calls as the vendor's
//! connectors, with their known defects fixed (GOV1/EU3 gateways, token
//! renewal, a per-request timeout in seconds, invalid durations rejected).
//!
//! Nothing here prints: functions return events (log lines) for the caller.
#![warn(missing_docs)]

mod client;
mod convert;
mod error;
mod expr;
mod form;
mod gateway;
mod guess;
mod jwt;
mod poll;
mod secret;

pub use client::{Client, ClientOptions};
pub use convert::{details_to_scan, PlatformScan};
pub use error::PlatformError;
pub use expr::parse_seconds_expr;
pub use gateway::gateway_url;
pub use poll::{poll_image, poll_images, PollOptions, PollOutcome, PollResult};
pub use secret::{Credentials, Secret};
