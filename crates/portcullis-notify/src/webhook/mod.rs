//! Delivering the webhook: a blocking JSON POST with retries, back-off,
//! bounded time, verified TLS, proxies, and secrets kept out of every
//! message.

mod delivery;
mod options;
mod redact;
#[cfg(test)]
mod tests;

pub use delivery::post_webhook;
pub use options::{SecretToken, WebhookAttempt, WebhookOptions, WebhookOutcome};
pub use redact::{check_webhook_url, redact_url};
