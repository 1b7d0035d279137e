//! Client of a Qualys Container Security-compatible platform API (SPEC §8,
//! reference `qualys-cs.md` §1–§3, §5): the same calls as the vendor's
//! connectors, with their known defects fixed (GOV1/EU3 gateways, token
//! renewal, a per-request timeout in seconds, invalid durations rejected).
//!
//! Nothing here prints: functions return events (log lines) for the caller.
#![warn(missing_docs)]

mod error;
mod expr;
mod gateway;

pub use error::PlatformError;
pub use expr::parse_seconds_expr;
pub use gateway::gateway_url;
