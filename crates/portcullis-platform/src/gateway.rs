//! Platform (POD) URL → API gateway URL (reference §5).
//!
//! Users type whatever URL their portal shows them: the portal
//! (`qualysguard…`), the API server (`qualysapi…`) or the gateway itself.
//! Every CS API and authentication call goes to the gateway, so the input is
//! mapped exactly like the vendor's connector does, with two of its defects
//! fixed: GOV1 and EU3 are in the table (the vendor falls through to a bogus
//! `qualysgateway.` host for them).

/// One POD: portal URL, API-server URL, gateway URL.
const PODS: &[(&str, &str, &str)] = &[
    // US1
    (
        "https://qualysguard.qualys.com",
        "https://qualysapi.qualys.com",
        "https://gateway.qg1.apps.qualys.com",
    ),
    // US2
    (
        "https://qualysguard.qg2.apps.qualys.com",
        "https://qualysapi.qg2.apps.qualys.com",
        "https://gateway.qg2.apps.qualys.com",
    ),
    // US3
    (
        "https://qualysguard.qg3.apps.qualys.com",
        "https://qualysapi.qg3.apps.qualys.com",
        "https://gateway.qg3.apps.qualys.com",
    ),
    // US4
    (
        "https://qualysguard.qg4.apps.qualys.com",
        "https://qualysapi.qg4.apps.qualys.com",
        "https://gateway.qg4.apps.qualys.com",
    ),
    // EU1
    (
        "https://qualysguard.qualys.eu",
        "https://qualysapi.qualys.eu",
        "https://gateway.qg1.apps.qualys.eu",
    ),
    // EU2
    (
        "https://qualysguard.qg2.apps.qualys.eu",
        "https://qualysapi.qg2.apps.qualys.eu",
        "https://gateway.qg2.apps.qualys.eu",
    ),
    // IN1
    (
        "https://qualysguard.qg1.apps.qualys.in",
        "https://qualysapi.qg1.apps.qualys.in",
        "https://gateway.qg1.apps.qualys.in",
    ),
    // CA1
    (
        "https://qualysguard.qg1.apps.qualys.ca",
        "https://qualysapi.qg1.apps.qualys.ca",
        "https://gateway.qg1.apps.qualys.ca",
    ),
    // AE1
    (
        "https://qualysguard.qg1.apps.qualys.ae",
        "https://qualysapi.qg1.apps.qualys.ae",
        "https://gateway.qg1.apps.qualys.ae",
    ),
    // UK1
    (
        "https://qualysguard.qg1.apps.qualys.co.uk",
        "https://qualysapi.qg1.apps.qualys.co.uk",
        "https://gateway.qg1.apps.qualys.co.uk",
    ),
    // AU1
    (
        "https://qualysguard.qg1.apps.qualys.com.au",
        "https://qualysapi.qg1.apps.qualys.com.au",
        "https://gateway.qg1.apps.qualys.com.au",
    ),
    // KSA1
    (
        "https://qualysguard.qg1.apps.qualysksa.com",
        "https://qualysapi.qg1.apps.qualysksa.com",
        "https://gateway.qg1.apps.qualysksa.com",
    ),
    // GOV1 (not in the vendor's table: its fallback yields a wrong host)
    (
        "https://qualysguard.gov1.qualys.us",
        "https://qualysapi.gov1.qualys.us",
        "https://gateway.gov1.qualys.us",
    ),
    // EU3 (not in the vendor's table either)
    (
        "https://qualysguard.qg3.apps.qualys.it",
        "https://qualysapi.qg3.apps.qualys.it",
        "https://gateway.qg3.apps.qualys.it",
    ),
];

/// Maps what the user typed to the gateway URL every call goes to.
///
/// One trailing `/` is stripped, then the URL is compared exactly (scheme
/// included) with the portal and API URLs of every known POD. A private
/// cloud platform's `https://qualysapi.<domain>` becomes
/// `https://qualysgateway.<domain>`. Anything else — a gateway URL, a
/// `portcullis serve` URL, a test server — is used as given, so typing the
/// gateway itself always works.
pub fn gateway_url(input: &str) -> String {
    let url = input.strip_suffix('/').unwrap_or(input);
    for (portal, api, gateway) in PODS {
        if url == *portal || url == *api {
            return (*gateway).to_owned();
        }
    }
    if let Some(domain) = url.strip_prefix("https://qualysapi.") {
        return format!("https://qualysgateway.{domain}");
    }
    url.to_owned()
}

#[cfg(test)]
mod tests {
    use super::gateway_url;

    /// Every row of the reference table, written out rather than derived
    /// from `PODS`, so a typo in the table cannot hide behind itself.
    #[rustfmt::skip]
    const TABLE: &[(&str, &str, &str)] = &[
        ("https://qualysguard.qualys.com", "https://qualysapi.qualys.com", "https://gateway.qg1.apps.qualys.com"),
        ("https://qualysguard.qg2.apps.qualys.com", "https://qualysapi.qg2.apps.qualys.com", "https://gateway.qg2.apps.qualys.com"),
        ("https://qualysguard.qg3.apps.qualys.com", "https://qualysapi.qg3.apps.qualys.com", "https://gateway.qg3.apps.qualys.com"),
        ("https://qualysguard.qg4.apps.qualys.com", "https://qualysapi.qg4.apps.qualys.com", "https://gateway.qg4.apps.qualys.com"),
        ("https://qualysguard.qualys.eu", "https://qualysapi.qualys.eu", "https://gateway.qg1.apps.qualys.eu"),
        ("https://qualysguard.qg2.apps.qualys.eu", "https://qualysapi.qg2.apps.qualys.eu", "https://gateway.qg2.apps.qualys.eu"),
        ("https://qualysguard.qg1.apps.qualys.in", "https://qualysapi.qg1.apps.qualys.in", "https://gateway.qg1.apps.qualys.in"),
        ("https://qualysguard.qg1.apps.qualys.ca", "https://qualysapi.qg1.apps.qualys.ca", "https://gateway.qg1.apps.qualys.ca"),
        ("https://qualysguard.qg1.apps.qualys.ae", "https://qualysapi.qg1.apps.qualys.ae", "https://gateway.qg1.apps.qualys.ae"),
        ("https://qualysguard.qg1.apps.qualys.co.uk", "https://qualysapi.qg1.apps.qualys.co.uk", "https://gateway.qg1.apps.qualys.co.uk"),
        ("https://qualysguard.qg1.apps.qualys.com.au", "https://qualysapi.qg1.apps.qualys.com.au", "https://gateway.qg1.apps.qualys.com.au"),
        ("https://qualysguard.qg1.apps.qualysksa.com", "https://qualysapi.qg1.apps.qualysksa.com", "https://gateway.qg1.apps.qualysksa.com"),
        ("https://qualysguard.gov1.qualys.us", "https://qualysapi.gov1.qualys.us", "https://gateway.gov1.qualys.us"),
        ("https://qualysguard.qg3.apps.qualys.it", "https://qualysapi.qg3.apps.qualys.it", "https://gateway.qg3.apps.qualys.it"),
    ];

    #[test]
    fn every_pod_portal_and_api_url_maps_to_its_gateway() {
        assert_eq!(TABLE.len(), 14);
        for (portal, api, gateway) in TABLE {
            assert_eq!(gateway_url(portal), *gateway, "{portal}");
            assert_eq!(gateway_url(api), *gateway, "{api}");
            assert_eq!(gateway_url(&format!("{portal}/")), *gateway, "{portal}/");
            assert_eq!(gateway_url(&format!("{api}/")), *gateway, "{api}/");
            // The gateway itself is accepted as is.
            assert_eq!(gateway_url(gateway), *gateway);
            assert_eq!(gateway_url(&format!("{gateway}/")), *gateway);
        }
    }

    #[test]
    fn gov1_and_eu3_are_fixed_not_bogus() {
        assert_eq!(
            gateway_url("https://qualysapi.gov1.qualys.us"),
            "https://gateway.gov1.qualys.us"
        );
        assert_eq!(
            gateway_url("https://qualysapi.qg3.apps.qualys.it/"),
            "https://gateway.qg3.apps.qualys.it"
        );
    }

    #[test]
    fn private_cloud_api_url_becomes_its_gateway() {
        assert_eq!(
            gateway_url("https://qualysapi.corp.example.net"),
            "https://qualysgateway.corp.example.net"
        );
        assert_eq!(
            gateway_url("https://qualysapi.corp.example.net/"),
            "https://qualysgateway.corp.example.net"
        );
    }

    #[test]
    fn unknown_urls_are_used_as_given() {
        assert_eq!(
            gateway_url("http://127.0.0.1:8080"),
            "http://127.0.0.1:8080"
        );
        assert_eq!(
            gateway_url("http://127.0.0.1:8080/"),
            "http://127.0.0.1:8080"
        );
        // Only one trailing slash is stripped, and the scheme is part of
        // the exact comparison (as in the vendor's connector).
        assert_eq!(
            gateway_url("https://example.invalid//"),
            "https://example.invalid/"
        );
        assert_eq!(
            gateway_url("http://qualysapi.qualys.com"),
            "http://qualysapi.qualys.com"
        );
        assert_eq!(
            gateway_url("https://qualysguard.corp.example.net"),
            "https://qualysguard.corp.example.net"
        );
    }
}
