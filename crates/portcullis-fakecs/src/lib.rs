//! A fake Qualys Container Security API on loopback, for tests of the
//! platform client and the CLI (reference `qualys-cs.md` §1–§3).
//!
//! It implements `POST /auth` (form body), `POST /auth/oidc` (headers), the
//! filtered image list and the image details, with bearer tokens that can
//! expire by time or by use count, and per-image scripts of answers
//! (statuses, 500 bursts, connection resets, hangs, delays) consumed in
//! order. Every request is recorded for assertions.
//!
//! ```no_run
//! use portcullis_fakecs::{image_details, FakeConfig, FakeCs, Step, Vuln};
//! let sha = "ab".repeat(32);
//! let details = image_details(&sha, None, &[Vuln::new(1, 5).cves(&["CVE-2024-1"])], &[]);
//! let fake = FakeCs::start(
//!     FakeConfig::default()
//!         .script(&sha, Step::pending(2))
//!         .script(&sha, Step::ready(details)),
//! );
//! let url = fake.url(); // give this as the API URL; user "user", password "pass"
//! # let _ = url;
//! ```
#![warn(missing_docs)]

mod config;
mod conn;
mod details;
mod http;
mod record;
mod server;

pub use config::{FakeConfig, Step, WhenExhausted};
pub use details::{image_details, pending_details, Vuln};
pub use http::form_decode;
pub use record::RecordedRequest;
pub use server::FakeCs;
