//! Policy files (TOML, YAML, JSON), sections, ignore rules and merging.

use std::path::Path;

use time::macros::date;

use crate::*;

fn toml(text: &str) -> Result<PolicySpec, PolicyError> {
    PolicySpec::parse(text, FileFormat::Toml)
}

fn yaml(text: &str) -> Result<PolicySpec, PolicyError> {
    PolicySpec::parse(text, FileFormat::Yaml)
}

const TOML: &str = r#"
[scan]
whatever = "belongs to another section"

[policy]
fail-severity = { "5" = 0, "4" = 2 }
fail-qids = [179203, "170560-170590"]
fail-cves = "CVE-2022-40674, cve-2023-0001"
fail-software = ["openssl<3.0.7", "curl|wget"]
fail-cvss = 7
cvss-version = "max"
risk-threshold = 10
include-potential = true
exclude-qids = [178393]
exclude-cves = ["CVE-2020-0001"]
ignore-statuses = ["no-dsa"]
ignore-base = true
db-warn-days = 3
db-fail-days = 14

[[policy.ignore]]
id = "CVE-2023-1234"
reason = "not reachable: we never parse X.509 here"
owner = "alice"
package = "openssl"
expires = 2026-07-01
vex-justification = "vulnerable_code_not_in_execute_path"

[[policy.ignore]]
id = "GHSA-jfh8-c2jp-5v3q"
reason = "log4j is never loaded"
image = "registry.example/team/"
unfixed = true
expires = "2026-08-01"
"#;

#[test]
fn toml_policy_section() {
    let p = toml(TOML).unwrap().into_policy().unwrap();
    assert_eq!(p.fail_severity, [(4, 2), (5, 0)].into());
    assert_eq!(
        p.fail_qids,
        [
            QidRange {
                start: 179_203,
                end: 179_203
            },
            QidRange {
                start: 170_560,
                end: 170_590
            }
        ]
    );
    assert_eq!(p.fail_cves, ["CVE-2022-40674", "CVE-2023-0001"]);
    assert_eq!(p.fail_software.len(), 2);
    assert_eq!(
        p.fail_cvss,
        Some(CvssRule {
            threshold: 7.0,
            mode: CvssMode::Max
        })
    );
    assert_eq!(p.risk.as_ref().map(|r| r.threshold), Some(10));
    assert!(p.include_potential && p.ignore_base && !p.ignore_unfixed);
    assert_eq!(p.ignore_statuses, ["no-dsa"]);
    assert_eq!((p.db_warn_days, p.db_fail_days), (Some(3), Some(14)));
    assert!(p.conditions_configured);
    assert_eq!(p.ignore.len(), 2);
    assert_eq!(p.ignore[0].expires, Some(date!(2026 - 07 - 01)));
    assert_eq!(p.ignore[0].owner.as_deref(), Some("alice"));
    assert_eq!(p.ignore[1].id, "GHSA-JFH8-C2JP-5V3Q");
    assert!(p.ignore[1].only_unfixed);
    assert_eq!(p.ignore[1].image.as_deref(), Some("registry.example/team/"));
}

#[test]
fn top_level_yaml_and_json() {
    let yaml_text = "
fail-severity:
  5: 0
  4: 2
fail-qids: 1-100,200
cvss-version: 3
fail-cvss: 7.5
ignore:
  - id: CVE-2023-1234
    reason: accepted
    expires: 2026-07-01
";
    let p = yaml(yaml_text).unwrap().into_policy().unwrap();
    assert_eq!(p.fail_severity, [(4, 2), (5, 0)].into());
    assert_eq!(p.fail_qids.len(), 2);
    assert_eq!(
        p.fail_cvss,
        Some(CvssRule {
            threshold: 7.5,
            mode: CvssMode::V3
        })
    );
    assert_eq!(p.ignore[0].expires, Some(date!(2026 - 07 - 01)));

    let wrapped = yaml("policy:\n  fail-severity: 5=0\n")
        .unwrap()
        .into_policy()
        .unwrap();
    assert_eq!(wrapped.fail_severity, [(5, 0)].into());

    let json = r#"{"policy": {"fail-cves": ["CVE-2023-1234"], "ignore-unfixed": true}}"#;
    let p = PolicySpec::parse(json, FileFormat::Json)
        .unwrap()
        .into_policy()
        .unwrap();
    assert!(p.ignore_unfixed);
    // An empty file is an empty policy. (`Policy` holds regexes, so it has
    // no `PartialEq`; compare the debug form.)
    let empty = yaml("").unwrap().into_policy().unwrap();
    assert_eq!(format!("{empty:?}"), format!("{:?}", Policy::default()));
}

#[test]
fn errors_name_the_key_and_value() {
    // (document, message)
    let table = [
        (
            "[policy]\nfail-sevrity = 1",
            "unknown policy key `fail-sevrity` (known keys: fail-severity,",
        ),
        (
            "fail-cvss = -1.0",
            "policy key `fail-cvss`: invalid value -1.0: a CVSS score is between 0 and 10",
        ),
        ("fail-cvss = nan", "policy key `fail-cvss`: invalid value"),
        (
            "risk-threshold = -1",
            "policy key `risk-threshold`: invalid value \"-1\"",
        ),
        (
            "fail-qids = [\"5-1\"]",
            "policy key `fail-qids`: invalid value \"5-1\"",
        ),
        (
            "fail-qids = [true]",
            "list items must be strings or numbers",
        ),
        (
            "[[ignore]]\nid = \"CVE-2023-1234\"",
            "policy key `ignore[0].reason`: invalid value \"\": every ignore rule needs a reason",
        ),
        (
            "[[ignore]]\nid = \"CVE-2023-1234\"\nreason = \"x\"\nexpires = \"2026-13-01\"",
            "policy key `ignore[0].expires`: invalid value \"2026-13-01\"",
        ),
        (
            "[[ignore]]\nid = \"CVE-2023-1234\"\nreason = \"x\"\nexpires = 2026-01-01T10:00:00Z",
            "policy key `ignore[0].expires`",
        ),
        (
            "[[ignore]]\nid = \"CVE-2023-1234\"\nreason = \"x\"\nowner = \"a\"\nreson = \"typo\"",
            "unknown policy key `ignore[0].reson`",
        ),
        (
            "[[ignore]]\nid = \"CVE-2023-1234\"\nreason = \"x\"\nvex-justification = \"because\"",
            "unknown VEX justification",
        ),
        (
            "fail-cves = \"CVE-1\"\n[policy]\n",
            "policy keys belong inside the `policy` section",
        ),
        ("fail-cves = [", "not valid TOML"),
        ("policy = 3", "`policy` must be a table"),
    ];
    for (doc, message) in table {
        let e = toml(doc).expect_err(doc).to_string();
        assert!(e.contains(message), "{doc}\n→ {e}");
    }
    assert!(yaml("fail-cves: [")
        .unwrap_err()
        .to_string()
        .starts_with("not valid YAML"));
    assert!(yaml("- 1\n- 2")
        .unwrap_err()
        .to_string()
        .contains("must be a table"));
    assert!(yaml("fail-cves: !tag x")
        .unwrap_err()
        .to_string()
        .contains("tags are not supported"));
}

#[test]
fn from_path_by_extension_and_errors_name_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p
    };
    let p = write("portcullis.toml", "[policy]\nfail-severity = \"5=0\"\n");
    assert_eq!(
        PolicySpec::from_path(&p).unwrap().fail_severity,
        Some([(5, 0)].into())
    );
    let p = write(".portcullis.yml", "fail-severity: 5=1\n");
    assert_eq!(
        PolicySpec::from_path(&p).unwrap().fail_severity,
        Some([(5, 1)].into())
    );
    let p = write("policy.json", "{\"fail-severity\": {\"5\": 2}}");
    assert_eq!(
        PolicySpec::from_path(&p).unwrap().fail_severity,
        Some([(5, 2)].into())
    );

    let p = write("bad.yaml", "fail-cvss: eleven\n");
    let e = PolicySpec::from_path(&p).unwrap_err().to_string();
    assert_eq!(
        e,
        format!(
            "{}: policy key `fail-cvss`: invalid value \"eleven\": expected a number",
            p.display()
        )
    );
    let p = write("policy.ini", "");
    assert!(PolicySpec::from_path(&p)
        .unwrap_err()
        .to_string()
        .contains("unknown format"));
    let missing = dir.path().join("missing.toml");
    assert!(PolicySpec::from_path(&missing)
        .unwrap_err()
        .to_string()
        .starts_with("cannot read policy file"));
    assert!(FileFormat::from_path(Path::new("x.YAML")) == Some(FileFormat::Yaml));
}

#[test]
fn merge_higher_wins_and_ignore_rules_add_up() {
    let low = toml(
        "fail-severity = \"5=0\"\nfail-cvss = 9\n[[ignore]]\nid = \"CVE-2023-0001\"\nreason = \"a\"",
    )
    .unwrap();
    let high = toml(
        "fail-severity = \"5=2\"\ninclude-potential = false\n[[ignore]]\nid = \"CVE-2023-0002\"\nreason = \"b\"",
    )
    .unwrap();
    let p = low.merge(high).into_policy().unwrap();
    assert_eq!(p.fail_severity, [(5, 2)].into());
    assert_eq!(p.fail_cvss.map(|c| c.threshold), Some(9.0));
    assert!(!p.include_potential);
    let ids: Vec<&str> = p.ignore.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, ["CVE-2023-0001", "CVE-2023-0002"]);
}

#[test]
fn other_top_level_sections_are_left_alone() {
    let doc = "fail-cves = \"CVE-2023-1234\"\n[scan]\nx = 1\n[[registries]]\nhost = \"r\"\n";
    assert_eq!(
        toml(doc).unwrap().fail_cves,
        Some(vec!["CVE-2023-1234".into()])
    );
    // A scalar typo at the top level is still an error.
    assert!(toml("fail-cve = \"CVE-2023-1234\"").is_err());
}

#[test]
fn embeds_in_a_serde_config() {
    #[derive(serde::Deserialize)]
    struct Config {
        policy: PolicySpec,
    }
    let c: Config = ::toml::from_str(
        "[policy]\nfail-severity = { 5 = 0 }\n[[policy.ignore]]\nid = \"CVE-2023-1234\"\nreason = \"r\"\nexpires = 2026-07-01\n",
    )
    .unwrap();
    assert_eq!(c.policy.fail_severity, Some([(5, 0)].into()));
    assert_eq!(c.policy.ignore[0].expires, Some(date!(2026 - 07 - 01)));
    let e = ::toml::from_str::<Config>("[policy]\nfail-sevrity = 1\n")
        .err()
        .unwrap()
        .to_string();
    assert!(e.contains("unknown policy key `fail-sevrity`"), "{e}");
    let c: Config = serde_yaml_ng::from_str("policy:\n  fail-cves: [CVE-2023-1234]\n").unwrap();
    assert_eq!(c.policy.fail_cves, Some(vec!["CVE-2023-1234".into()]));
    let c: Config = serde_yaml_ng::from_str("policy:\n  fail-severity:\n    5: 0\n").unwrap();
    assert_eq!(c.policy.fail_severity, Some([(5, 0)].into()));
}
