//! Durations written as products of whole seconds (`2*60*60`), the syntax
//! the vendor's connectors accept for the polling interval and timeout.

use crate::PlatformError;

/// Parses digits joined by `*` (no spaces, units, `+`, empty factors) into
/// seconds.
///
/// The vendor silently falls back to the default on invalid input; that
/// hides typos in CI configuration, so this returns an error instead. An
/// overflowing product is an error too.
pub fn parse_seconds_expr(input: &str) -> Result<u64, PlatformError> {
    let bad = |reason: &str| PlatformError::InvalidDuration {
        input: input.to_owned(),
        reason: reason.to_owned(),
    };
    if input.is_empty() {
        return Err(bad("empty"));
    }
    let mut total: u64 = 1;
    for factor in input.split('*') {
        if factor.is_empty() {
            return Err(bad("empty factor around `*`"));
        }
        if !factor.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad(
                "expected whole seconds as digits joined by `*` (e.g. `600` or `2*60*60`)",
            ));
        }
        let n: u64 = factor.parse().map_err(|_| bad("number too large"))?;
        total = total
            .checked_mul(n)
            .ok_or_else(|| bad("product too large"))?;
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::parse_seconds_expr;

    #[test]
    fn products_and_plain_numbers() {
        assert_eq!(parse_seconds_expr("600").unwrap(), 600);
        assert_eq!(parse_seconds_expr("2*60*60").unwrap(), 7200);
        assert_eq!(parse_seconds_expr("30").unwrap(), 30);
        assert_eq!(parse_seconds_expr("0").unwrap(), 0);
        assert_eq!(parse_seconds_expr("007*2").unwrap(), 14);
    }

    #[test]
    fn invalid_input_is_an_error_not_a_default() {
        for bad in [
            "",
            "*",
            "2*",
            "*2",
            "2**3",
            "2 * 3",
            " 600",
            "600s",
            "10m",
            "1+2",
            "-5",
            "1.5",
            "abc",
            "２",
            "99999999999999999999",
            "4294967296*4294967296",
        ] {
            let err = parse_seconds_expr(bad).unwrap_err();
            assert!(err.to_string().contains("invalid"), "{bad}: {err}");
        }
    }
}
