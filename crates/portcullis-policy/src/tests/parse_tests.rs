//! Flag strings and `PolicySpec::set`.

use std::collections::BTreeMap;

use crate::*;

fn err<T: std::fmt::Debug>(r: Result<T, PolicyError>) -> String {
    r.expect_err("should be rejected").to_string()
}

#[test]
fn severity_limits_and_weights() {
    assert_eq!(
        parse_severity_limits(" 5=0, 4 = 2 ,").unwrap(),
        BTreeMap::from([(4, 2), (5, 0)])
    );
    assert_eq!(
        parse_risk_weights("5=3,4=1").unwrap(),
        RiskRule::default_weights()
    );
    for bad in ["6=0", "0=1", "5", "5=x", "5=-1", "x=1"] {
        let e = err(parse_severity_limits(bad));
        assert!(
            e.starts_with("policy key `fail-severity`: invalid value"),
            "{bad}: {e}"
        );
    }
    assert_eq!(
        err(parse_severity_limits("6=0")),
        "policy key `fail-severity`: invalid value \"6\": severity levels are 1 to 5"
    );
}

#[test]
fn qids_trim_and_reject_reversed_ranges() {
    let q = |start, end| QidRange { start, end };
    assert_eq!(
        parse_qids(" 123, 170560-170590 ,179203 - 179204").unwrap(),
        [q(123, 123), q(170_560, 170_590), q(179_203, 179_204)]
    );
    assert_eq!(parse_qids("").unwrap(), []);
    for bad in ["5-1", "abc", "1-", "-5", "1.5"] {
        assert!(err(parse_qids(bad)).contains("`fail-qids`"), "{bad}");
    }
    assert!(err(parse_qids("5-1")).contains("start is greater than its end"));
}

#[test]
fn cves_are_trimmed_upper_cased_and_shaped() {
    assert_eq!(
        parse_cves(" cve-2023-1234 ,CVE-2021-44228, ghsa-jfh8-c2jp-5v3q").unwrap(),
        ["CVE-2023-1234", "CVE-2021-44228", "GHSA-JFH8-C2JP-5V3Q"]
    );
    for bad in [
        "CVE-1",
        "CVE-2023-12",
        "CVE-2023-1234 CVE-2023-5678",
        "not an id",
        "2023-1234",
    ] {
        assert!(err(parse_cves(bad)).contains("`fail-cves`"), "{bad}");
    }
}

#[test]
fn software_rules() {
    // (input, text, op, version)
    let table = [
        ("curl", "curl", SoftwareOp::Any, None),
        (
            "OpenSSL<3.0.7",
            "openssl<3.0.7",
            SoftwareOp::Lt,
            Some("3.0.7"),
        ),
        (
            "openssl <= 3.0.7",
            "openssl<=3.0.7",
            SoftwareOp::Le,
            Some("3.0.7"),
        ),
        ("openssl>1", "openssl>1", SoftwareOp::Gt, Some("1")),
        ("openssl>=1", "openssl>=1", SoftwareOp::Ge, Some("1")),
        ("openssl = 1.1", "openssl=1.1", SoftwareOp::Eq, Some("1.1")),
        (".*=1.*", ".*=1.*", SoftwareOp::Eq, Some("1.*")),
    ];
    for (input, text, op, version) in table {
        let rules = parse_software(input).unwrap();
        assert_eq!(rules.len(), 1);
        let r = &rules[0];
        assert_eq!(
            (r.text.as_str(), r.op, r.version.as_deref()),
            (text, op, version),
            "{input}"
        );
    }
    let two = parse_software("openssl<3.0.7,curl").unwrap();
    assert_eq!(
        two.iter().map(|r| r.text.as_str()).collect::<Vec<_>>(),
        ["openssl<3.0.7", "curl"]
    );
    assert!(two[1].name.is_match("CURL") && !two[1].name.is_match("libcurl"));
    for (bad, why) in [
        ("openssl<", "version after the operator is missing"),
        ("=1.0", "package name is missing"),
        ("(open", "invalid name regex"),
        ("openssl=(1", "invalid version regex"),
        ("openssl<1 2", "cannot contain spaces"),
    ] {
        let e = err(parse_software(bad));
        assert!(
            e.contains("`fail-software`") && e.contains(why),
            "{bad}: {e}"
        );
    }
}

#[test]
fn cvss_modes() {
    for (s, mode) in [
        ("2", CvssMode::V2),
        ("3", CvssMode::V3),
        ("max", CvssMode::Max),
        ("maxOfv2andv3", CvssMode::Max),
        (" MAX ", CvssMode::Max),
    ] {
        assert_eq!(parse_cvss_mode(s).unwrap(), mode, "{s}");
    }
    assert_eq!(
        err(parse_cvss_mode("4")),
        "policy key `cvss-version`: invalid value \"4\": expected 2, 3 or max"
    );
}

#[test]
fn set_parses_each_key_from_its_flag_text() {
    let mut spec = PolicySpec::default();
    spec.set("fail-cvss", "7.5").unwrap();
    spec.set("include-potential", "yes").unwrap();
    spec.set("ignore-statuses", "no-dsa, Will-Not-Fix").unwrap();
    spec.set("exclude-qids", "1-3").unwrap();
    spec.set("db-fail-days", "30").unwrap();
    assert_eq!(spec.fail_cvss, Some(7.5));
    assert_eq!(spec.include_potential, Some(true));
    assert_eq!(
        spec.ignore_statuses.as_deref(),
        Some(&["no-dsa".to_owned(), "will-not-fix".to_owned()][..])
    );
    assert_eq!(spec.db_fail_days, Some(30));

    // (key, value, message part)
    let table = [
        ("fail-cvss", "NaN", "between 0 and 10"),
        ("fail-cvss", "-1", "between 0 and 10"),
        ("fail-cvss", "10.1", "between 0 and 10"),
        ("fail-cvss", "high", "expected a number"),
        ("risk-threshold", "-1", "whole number"),
        ("ignore-statuses", "wontfix", "unknown status"),
        ("exclude-qids", "9-1", "start is greater"),
        ("exclude-cves", "CVE-1", "vulnerability id"),
        ("ignore-base", "maybe", "true or false"),
        ("db-warn-days", "99999999999", "too many days"),
        ("ignore", "CVE-2023-1234", "tables in a policy file"),
    ];
    for (key, value, part) in table {
        let e = err(spec.set(key, value));
        assert!(
            e.contains(&format!("`{key}`")) && e.contains(part),
            "{key}={value}: {e}"
        );
    }
    let e = err(spec.set("fail-severty", "5=0"));
    assert!(
        e.starts_with("unknown policy key `fail-severty` (known keys: fail-severity,"),
        "{e}"
    );
}

#[test]
fn into_policy_defaults_and_conditions_configured() {
    let policy = PolicySpec::default().into_policy().unwrap();
    assert!(!policy.conditions_configured);
    assert!(policy.fail_cvss.is_none() && policy.risk.is_none());

    // Each failure condition alone sets conditions_configured.
    for (key, value) in [
        ("fail-severity", "5=0"),
        ("fail-qids", "1"),
        ("fail-cves", "CVE-2023-1234"),
        ("fail-software", "curl"),
        ("fail-cvss", "7"),
        ("risk-threshold", "10"),
    ] {
        let mut spec = PolicySpec::default();
        spec.set(key, value).unwrap();
        assert!(spec.into_policy().unwrap().conditions_configured, "{key}");
    }
    // Exclusions and freshness alone do not.
    let mut spec = PolicySpec::default();
    spec.set("exclude-cves", "CVE-2023-1234").unwrap();
    spec.set("db-fail-days", "3").unwrap();
    spec.set("fail-cves", "").unwrap();
    assert!(!spec.into_policy().unwrap().conditions_configured);

    let mut spec = PolicySpec::default();
    spec.set("fail-cvss", "7").unwrap();
    spec.set("risk-threshold", "10").unwrap();
    let p = spec.into_policy().unwrap();
    assert_eq!(
        p.fail_cvss,
        Some(CvssRule {
            threshold: 7.0,
            mode: CvssMode::V3
        })
    );
    assert_eq!(p.risk.unwrap().weights, RiskRule::default_weights());
}

#[test]
fn into_policy_rechecks_fields_set_directly() {
    let cases: Vec<(PolicySpec, &str)> = vec![
        (
            PolicySpec {
                fail_severity: Some([(6, 0)].into()),
                ..PolicySpec::default()
            },
            "`fail-severity`",
        ),
        (
            PolicySpec {
                risk_threshold: Some(1),
                risk_weights: Some([(0, 1)].into()),
                ..PolicySpec::default()
            },
            "`risk-weights`",
        ),
        (
            PolicySpec {
                fail_qids: Some(vec![QidRange { start: 9, end: 1 }]),
                ..PolicySpec::default()
            },
            "`fail-qids`",
        ),
        (
            PolicySpec {
                fail_cvss: Some(f64::NAN),
                ..PolicySpec::default()
            },
            "`fail-cvss`",
        ),
        (
            PolicySpec {
                exclude_cves: Some(vec!["nope".into()]),
                ..PolicySpec::default()
            },
            "`exclude-cves`",
        ),
        (
            PolicySpec {
                ignore_statuses: Some(vec!["bogus".into()]),
                ..PolicySpec::default()
            },
            "`ignore-statuses`",
        ),
    ];
    for (spec, key) in cases {
        let e = err(spec.into_policy());
        assert!(e.contains(key), "{key}: {e}");
    }
}
