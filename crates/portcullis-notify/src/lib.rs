//! CI integration for `portcullis scan` (SPEC §6): what the scan tells the
//! CI system around it, besides the report files.
//!
//! * [`ci_metadata_from_env`]: which CI system runs the scan and which
//!   build it is (GitHub Actions, GitLab, Azure DevOps, Jenkins, Bamboo);
//!   [`ci_targets`]: which output writers apply.
//! * [`webhook_payload`] and [`post_webhook`]: the webhook of the vendor
//!   connectors (reference §4.6) with their defects fixed: the status
//!   covers every image, each image carries its own counts, delivery is
//!   retried with back-off in bounded time, secrets never reach a message.
//! * [`ci_outputs`]: output variables for Azure DevOps (`##vso[...]`),
//!   GitHub Actions (`$GITHUB_OUTPUT`) and GitLab (dotenv report).
//!
//! Nothing here prints or reads the process environment by itself: the
//! caller passes the lookup, prints the strings and warnings returned, and
//! a webhook failure never changes the verdict.
#![warn(missing_docs)]

mod ci;
mod error;
mod outputs;
mod payload;
mod webhook;

pub use ci::{ci_metadata_from_env, ci_targets, CiTargets};
pub use error::NotifyError;
pub use outputs::{
    append_github_output, azure_escape, check_output_name, ci_outputs, write_gitlab_dotenv,
    CiOutputs, DotenvReport, DEFAULT_GITLAB_DOTENV, DEFAULT_OUTPUT_NAME, GITLAB_DOTENV_LIMIT,
};
pub use payload::webhook_payload;
pub use webhook::{
    check_webhook_url, post_webhook, redact_url, SecretToken, WebhookAttempt, WebhookOptions,
    WebhookOutcome,
};

/// The variable the CLI reads the webhook bearer token from.
pub const WEBHOOK_TOKEN_ENV: &str = "PORTCULLIS_WEBHOOK_TOKEN";
