//! Reading the claims the client needs from the JWT the platform issues.
//! The signature is not checked: the token is the platform's business, we
//! only need to know which modules it allows and when it expires.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::Value;

use crate::PlatformError;

/// The claims of interest.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Claims {
    /// `modulesAllowed`, as strings.
    pub(crate) modules: Vec<String>,
    /// `exp` in seconds since the epoch, when present.
    pub(crate) exp: Option<u64>,
}

/// Decodes the payload (second dot-separated part). It is base64url without
/// padding per RFC 7519; the standard alphabet and padding are accepted as
/// well, because the vendor's own client decodes with the standard alphabet
/// and some gateways may emit it.
pub(crate) fn claims(token: &str) -> Result<Claims, PlatformError> {
    let mut parts = token.trim().split('.');
    let payload = match (parts.next(), parts.next()) {
        (Some(_), Some(p)) if !p.is_empty() => p,
        _ => return Err(PlatformError::BadToken("no payload part".into())),
    };
    let normalised: String = payload
        .trim_end_matches('=')
        .chars()
        .map(|c| match c {
            '+' => '-',
            '/' => '_',
            c => c,
        })
        .collect();
    let bytes = URL_SAFE_NO_PAD
        .decode(normalised.as_bytes())
        .map_err(|e| PlatformError::BadToken(format!("payload is not base64: {e}")))?;
    let json: Value = serde_json::from_slice(&bytes)
        .map_err(|e| PlatformError::BadToken(format!("payload is not JSON: {e}")))?;
    let modules = match json.get("modulesAllowed") {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect(),
        // Tolerate a single string or a comma-separated list.
        Some(Value::String(s)) => s.split(',').map(|m| m.trim().to_owned()).collect(),
        _ => Vec::new(),
    };
    let exp = match json.get("exp") {
        Some(Value::Number(n)) => n.as_u64().or_else(|| n.as_f64().map(|f| f.max(0.0) as u64)),
        Some(Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    };
    Ok(Claims { modules, exp })
}

#[cfg(test)]
mod tests {
    use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
    use base64::Engine;

    use super::claims;

    fn token(payload: &str, engine: &impl Engine) -> String {
        format!(
            "{}.{}.sig",
            URL_SAFE_NO_PAD.encode(r#"{"alg":"HS512"}"#),
            engine.encode(payload)
        )
    }

    #[test]
    fn reads_modules_and_exp() {
        // `??>` encodes to `Pz8-` in base64url and `Pz8+` in standard.
        let payload = r#"{"modulesAllowed":["VM","CS"],"exp":1700000000,"x":"??>"}"#;
        for t in [token(payload, &URL_SAFE_NO_PAD), token(payload, &STANDARD)] {
            let c = claims(&t).unwrap();
            assert_eq!(c.modules, ["VM", "CS"]);
            assert_eq!(c.exp, Some(1_700_000_000));
        }
    }

    #[test]
    fn missing_exp_and_modules() {
        let c = claims(&token("{}", &URL_SAFE_NO_PAD)).unwrap();
        assert!(c.modules.is_empty());
        assert_eq!(c.exp, None);
    }

    #[test]
    fn garbage_is_an_error() {
        for t in [
            "",
            "abc",
            "a..b",
            "a.!!!.b",
            &token("not json", &URL_SAFE_NO_PAD),
        ] {
            assert!(claims(t).is_err(), "{t}");
        }
    }
}
