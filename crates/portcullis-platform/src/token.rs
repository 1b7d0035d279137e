//! The shared token and when to renew it.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::secret::Secret;

/// Tokens live 4 hours (vendor documentation); assumed when `exp` is absent.
const DEFAULT_TOKEN_LIFETIME: Duration = Duration::from_secs(4 * 60 * 60);
/// Renew this long before expiry, so a request never races the expiry.
const RENEW_MARGIN: Duration = Duration::from_secs(10 * 60);

pub(crate) struct Token {
    pub(crate) jwt: Secret,
    pub(crate) renew_at: SystemTime,
}

#[derive(Default)]
pub(crate) struct TokenSlot {
    pub(crate) token: Option<Token>,
    /// Bumped on every new token, so that threads that all saw the same
    /// 401 renew it once, not once each.
    pub(crate) generation: u64,
}

/// When to renew a token obtained at `now`: once less than [`RENEW_MARGIN`]
/// remains before `exp` (4 h after `now` when absent). A token issued with
/// no more than the margin to live is used for half of it rather than
/// renewed before every request.
pub(crate) fn renew_at(now: SystemTime, exp: Option<u64>) -> SystemTime {
    let lifetime = match exp {
        Some(exp) => {
            let now_secs = now.duration_since(UNIX_EPOCH).unwrap_or_default().as_secs();
            Duration::from_secs(exp.saturating_sub(now_secs))
        }
        None => DEFAULT_TOKEN_LIFETIME,
    };
    if lifetime > RENEW_MARGIN {
        now + (lifetime - RENEW_MARGIN)
    } else {
        now + lifetime / 2
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, UNIX_EPOCH};

    use super::renew_at;

    #[test]
    fn renewal_time() {
        let now = UNIX_EPOCH + Duration::from_secs(1_000_000);
        assert_eq!(
            renew_at(now, None),
            now + Duration::from_secs(4 * 3600 - 600)
        );
        assert_eq!(
            renew_at(now, Some(1_000_000 + 3600)),
            now + Duration::from_secs(3000)
        );
        assert_eq!(
            renew_at(now, Some(1_000_000 + 900)),
            now + Duration::from_secs(300)
        );
        assert_eq!(
            renew_at(now, Some(1_000_000 + 600)),
            now + Duration::from_secs(300)
        );
        assert_eq!(renew_at(now, Some(5)), now);
    }
}
