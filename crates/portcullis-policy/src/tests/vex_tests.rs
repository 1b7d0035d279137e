//! VEX documents (OpenVEX 0.2.0, CycloneDX 1.4–1.6) into ignore rules, and
//! those rules through the evaluation. The documents are small hand-written
//! ones following the published specifications.

use std::path::Path;

use super::support::*;
use crate::*;

/// OpenVEX 0.2.0, in the shape of the specification's examples: one
/// statement per status, an image with a package subcomponent, and a
/// later statement that supersedes an earlier one.
const OPENVEX: &str = r#"{
  "@context": "https://openvex.dev/ns/v0.2.0",
  "@id": "https://example.com/vex/2026-0001",
  "author": "Security Team <security@example.com>",
  "role": "Document Creator",
  "timestamp": "2026-01-10T10:00:00Z",
  "version": 1,
  "tooling": "hand-written",
  "statements": [
    {
      "vulnerability": {"@id": "https://nvd.nist.gov/vuln/detail/CVE-2024-0001", "name": "CVE-2024-0001",
                        "aliases": ["GHSA-aaaa-bbbb-cccc"], "description": "something"},
      "products": [{"@id": "pkg:pypi/django", "identifiers": {"purl": "pkg:pypi/django"}}],
      "status": "not_affected",
      "justification": "vulnerable_code_not_in_execute_path",
      "impact_statement": "The admin site is disabled."
    },
    {
      "vulnerability": {"name": "CVE-2024-0002"},
      "products": [{"@id": "pkg:deb/debian/pkg@1.0-1?arch=amd64"}],
      "status": "fixed",
      "status_notes": "patched by the distro"
    },
    {
      "vulnerability": {"name": "CVE-2024-0003"},
      "products": [{"@id": "pkg:deb/debian/pkg"}],
      "status": "affected",
      "action_statement": "Upgrade."
    },
    {
      "vulnerability": {"name": "CVE-2024-0004"},
      "products": [{"@id": "pkg:deb/debian/pkg"}],
      "status": "under_investigation"
    },
    {
      "vulnerability": {"name": "CVE-2024-0005"},
      "products": [{
        "@id": "registry.example/team/app",
        "subcomponents": [{"@id": "pkg:deb/debian/pkg"}, {"@id": "not-a-purl"}]
      }],
      "status": "not_affected",
      "justification": "component_not_present"
    },
    {
      "vulnerability": {"name": "CVE-2024-0006"},
      "products": [{"@id": "pkg:deb/debian/pkg"}],
      "status": "not_affected",
      "justification": "vulnerable_code_not_present",
      "timestamp": "2026-01-11T10:00:00Z"
    },
    {
      "vulnerability": {"name": "CVE-2024-0006"},
      "products": [{"@id": "pkg:deb/debian/pkg"}],
      "status": "affected",
      "timestamp": "2026-01-12T10:00:00+01:00"
    },
    {
      "vulnerability": {"name": "CVE-2024-0007"},
      "products": [{"@id": "pkg:deb/debian/pkg"}],
      "status": "under_investigation",
      "timestamp": "2026-01-11T10:00:00Z"
    },
    {
      "vulnerability": {"name": "CVE-2024-0007"},
      "products": [{"@id": "pkg:deb/debian/pkg"}],
      "status": "not_affected",
      "justification": "inline_mitigations_already_exist",
      "timestamp": "2026-01-12T10:00:00Z"
    }
  ]
}"#;

/// CycloneDX 1.5 VEX: components referenced by bom-ref (one through a
/// BOM-Link), every analysis state once.
const CYCLONEDX: &str = r#"{
  "bomFormat": "CycloneDX",
  "specVersion": "1.5",
  "serialNumber": "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79",
  "version": 1,
  "metadata": {
    "timestamp": "2026-01-10T10:00:00Z",
    "authors": [{"name": "Product Security", "email": "psirt@example.com"}],
    "component": {"type": "container", "bom-ref": "app", "name": "registry.example/team/app"}
  },
  "components": [
    {"type": "library", "bom-ref": "pkg-ref", "name": "pkg", "version": "1.0-1",
     "purl": "pkg:deb/debian/pkg@1.0-1?arch=amd64",
     "components": [{"type": "library", "bom-ref": "nested", "name": "pkg"}]}
  ],
  "vulnerabilities": [
    {
      "bom-ref": "v1", "id": "CVE-2024-0001",
      "source": {"name": "NVD", "url": "https://nvd.nist.gov/vuln/detail/CVE-2024-0001"},
      "references": [{"id": "GHSA-aaaa-bbbb-cccc", "source": {"name": "GitHub"}}],
      "ratings": [{"severity": "high", "method": "CVSSv31", "score": 7.5}],
      "analysis": {"state": "not_affected", "justification": "code_not_reachable",
                   "response": ["will_not_fix"], "detail": "The parser is never called."},
      "affects": [{"ref": "pkg-ref"}]
    },
    {
      "id": "CVE-2024-0002",
      "analysis": {"state": "false_positive", "detail": "Matched on the wrong package."},
      "affects": [{"ref": "urn:cdx:3e671687-395b-41f5-a30f-a58921a69b79/1#nested"}]
    },
    {
      "id": "CVE-2024-0003",
      "analysis": {"state": "resolved"},
      "affects": [{"ref": "pkg:deb/debian/pkg@1.0-1"}]
    },
    {"id": "CVE-2024-0004", "analysis": {"state": "exploitable"}, "affects": [{"ref": "pkg-ref"}]},
    {"id": "CVE-2024-0005", "analysis": {"state": "in_triage"}, "affects": [{"ref": "pkg-ref"}]},
    {"id": "CVE-2024-0006", "affects": [{"ref": "pkg-ref"}]},
    {"id": "CVE-2024-0007", "analysis": {"state": "not_affected"}, "affects": [{"ref": "unknown"}]}
  ]
}"#;

fn ids(rules: &[IgnoreRule]) -> Vec<&str> {
    rules.iter().map(|r| r.id.as_str()).collect()
}

fn policy(rules: Vec<IgnoreRule>) -> Policy {
    Policy {
        fail_severity: [(5, 0)].into(),
        ignore: rules,
        ..Policy::default()
    }
}

/// Findings `CVE-2024-0001` … `-0007` in the support package
/// (`pkg:deb/debian/pkg@1.0-1`).
fn seven_findings() -> Fixture {
    Fixture::new(
        (1..=7)
            .map(|i| finding(&format!("CVE-2024-000{i}"), 5))
            .collect(),
    )
}

#[test]
fn openvex_suppressing_statements_become_rules() {
    let rules = parse_vex(OPENVEX, "app.openvex.json").unwrap();
    // 0003 affected and 0004 under investigation suppress nothing; 0006's
    // not_affected is superseded by a later `affected` (10:00+01:00 on
    // the 12th is after the 11th), 0007's under_investigation by a later
    // not_affected.
    assert_eq!(
        ids(&rules),
        [
            "CVE-2024-0001",
            "GHSA-AAAA-BBBB-CCCC",
            "CVE-2024-0002",
            "CVE-2024-0005",
            "CVE-2024-0007"
        ]
    );
    let r = &rules[0];
    assert_eq!(
        r.owner.as_deref(),
        Some("Security Team <security@example.com>")
    );
    assert_eq!(r.purl.as_deref(), Some("pkg:pypi/django"));
    assert_eq!(r.image, None);
    assert_eq!(
        r.vex_justification.as_deref(),
        Some("vulnerable_code_not_in_execute_path")
    );
    assert_eq!(
        r.reason,
        "VEX app.openvex.json: not_affected (vulnerable_code_not_in_execute_path): \
         The admin site is disabled."
    );
    assert_eq!(rules[2].reason, "VEX app.openvex.json: fixed");
    assert_eq!(rules[2].vex_justification, None);
    // The image's package subcomponent: image and purl scope; the
    // subcomponent that is not a purl gives nothing.
    assert_eq!(rules[3].image.as_deref(), Some("registry.example/team/app"));
    assert_eq!(rules[3].purl.as_deref(), Some("pkg:deb/debian/pkg"));
}

#[test]
fn openvex_rules_through_the_evaluation() {
    let rules = parse_vex(OPENVEX, "app.openvex.json").unwrap();
    let ev = seven_findings().eval(&policy(rules));
    // 0001 is about django, not this package.
    assert_eq!(
        verdict_names(&ev),
        ["blocking", "ignored", "blocking", "blocking", "ignored", "blocking", "ignored"]
    );
    assert_eq!(
        ev.verdicts[4],
        FindingVerdict::Ignored {
            reason: "VEX app.openvex.json: not_affected (component_not_present)".into(),
            owner: Some("Security Team <security@example.com>".into()),
            until: None,
        }
    );
}

#[test]
fn openvex_draft_strings_and_iri_ids() {
    let doc = r#"{
      "@context": "https://openvex.dev/ns",
      "author": "a",
      "statements": [
        {"vulnerability": "CVE-2024-0001", "products": ["pkg:deb/debian/pkg@1.0-1"],
         "status": "not_affected", "justification": "vulnerable_code_not_present"},
        {"vulnerability": {"@id": "https://nvd.nist.gov/vuln/detail/CVE-2024-0002"},
         "products": [{"@id": "pkg:oci/app?repository_url=registry.example%2Fteam%2Fapp"}],
         "status": "not_affected", "justification": "made_up_reason"}
      ]
    }"#;
    let rules = parse_vex(doc, "d.json").unwrap();
    assert_eq!(ids(&rules), ["CVE-2024-0001", "CVE-2024-0002"]);
    assert_eq!(rules[0].purl.as_deref(), Some("pkg:deb/debian/pkg@1.0-1"));
    assert_eq!(rules[1].image.as_deref(), Some("registry.example/team/app"));
    assert_eq!(rules[1].purl, None);
    // A justification neither format defines is kept in the reason only.
    assert_eq!(rules[1].vex_justification, None);
    assert!(
        rules[1].reason.contains("made_up_reason"),
        "{}",
        rules[1].reason
    );
}

#[test]
fn cyclonedx_suppressing_analyses_become_rules() {
    let rules = parse_vex(CYCLONEDX, "app.cdx.json").unwrap();
    // exploitable, in_triage, no analysis: nothing; an unresolvable ref:
    // nothing.
    assert_eq!(
        ids(&rules),
        [
            "CVE-2024-0001",
            "GHSA-AAAA-BBBB-CCCC",
            "CVE-2024-0002",
            "CVE-2024-0003"
        ]
    );
    let r = &rules[0];
    assert_eq!(r.owner.as_deref(), Some("Product Security"));
    assert_eq!(
        r.purl.as_deref(),
        Some("pkg:deb/debian/pkg@1.0-1?arch=amd64")
    );
    assert_eq!(r.vex_justification.as_deref(), Some("code_not_reachable"));
    assert_eq!(
        r.reason,
        "VEX app.cdx.json: not_affected (code_not_reachable): The parser is never called."
    );
    // The nested component has no purl: its name is the scope.
    assert_eq!(rules[2].package.as_deref(), Some("pkg"));
    assert_eq!(rules[2].purl, None);
    assert_eq!(
        rules[2].reason,
        "VEX app.cdx.json: false_positive: Matched on the wrong package."
    );
    assert_eq!(rules[3].purl.as_deref(), Some("pkg:deb/debian/pkg@1.0-1"));

    let ev = seven_findings().eval(&policy(rules));
    assert_eq!(
        verdict_names(&ev),
        ["ignored", "ignored", "ignored", "blocking", "blocking", "blocking", "blocking"]
    );
}

#[test]
fn cyclonedx_1_4_and_1_6_owners() {
    let doc = |version: &str, metadata: &str| {
        format!(
            r#"{{"bomFormat": "CycloneDX", "specVersion": "{version}", "version": 1,
                "metadata": {metadata},
                "vulnerabilities": [{{"id": "CVE-2024-0001",
                  "analysis": {{"state": "not_affected", "justification": "requires_environment"}},
                  "affects": [{{"ref": "pkg:deb/debian/pkg"}}]}}]}}"#
        )
    };
    let cases = [
        (
            "1.4",
            r#"{"manufacture": {"name": "Old Corp"}}"#,
            Some("Old Corp"),
        ),
        (
            "1.6",
            r#"{"manufacturer": {"name": "New Corp"}}"#,
            Some("New Corp"),
        ),
        (
            "1.6",
            r#"{"supplier": {"name": "Supplier"}}"#,
            Some("Supplier"),
        ),
        (
            "1.5",
            r#"{"authors": [{"email": "a@example.com"}]}"#,
            Some("a@example.com"),
        ),
        ("1.5", "{}", None),
    ];
    for (version, metadata, owner) in cases {
        let rules = parse_vex(&doc(version, metadata), "x").unwrap();
        assert_eq!(rules.len(), 1, "{version} {metadata}");
        assert_eq!(rules[0].owner.as_deref(), owner, "{version} {metadata}");
    }
}

#[test]
fn malformed_documents_are_errors_that_say_what_is_wrong() {
    let cases = [
        ("{", "not valid JSON"),
        (r#"{"hello": 1}"#, "not a VEX document"),
        (r#"[1, 2]"#, "not a VEX document"),
        (
            r#"{"@context": "https://openvex.dev/ns/v0.2.0", "statements": {"a": 1}}"#,
            "not a valid OpenVEX document",
        ),
        (
            r#"{"@context": "https://openvex.dev/ns/v0.2.0", "statements": [
               {"vulnerability": {"name": "CVE-2024-0001"}, "status": "maybe"}]}"#,
            "statements[0].status: invalid value \"maybe\"",
        ),
        (
            r#"{"@context": "https://openvex.dev/ns/v0.2.0", "statements": [
               {"vulnerability": {"name": "not an id"}, "status": "not_affected",
                "products": [{"@id": "pkg:pypi/x"}]}]}"#,
            "statements[0].vulnerability: invalid value \"not an id\"",
        ),
        (
            r#"{"bomFormat": "CycloneDX", "vulnerabilities": [{"id": 7}]}"#,
            "not a valid CycloneDX document",
        ),
        (
            r#"{"bomFormat": "CycloneDX", "vulnerabilities": [
               {"id": "CVE-2024-0001", "analysis": {"state": "fine"}}]}"#,
            "vulnerabilities[0].analysis.state: invalid value \"fine\"",
        ),
    ];
    for (doc, want) in cases {
        let e = parse_vex(doc, "x").unwrap_err().to_string();
        assert!(e.contains(want), "{doc}: {e}");
    }
}

#[test]
fn files_are_bounded_and_errors_name_them() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("broken.vex.json");
    std::fs::write(&bad, "{\"@context\": \"https://openvex.dev/ns/v0.2.0\",").unwrap();
    let e = read_vex(&bad).unwrap_err().to_string();
    assert!(e.contains("broken.vex.json") && e.contains("JSON"), "{e}");

    let big = dir.path().join("big.json");
    std::fs::write(&big, " ".repeat((4 << 20) + 1)).unwrap();
    let e = read_vex(&big).unwrap_err().to_string();
    assert!(e.contains("big.json") && e.contains("larger than"), "{e}");

    let e = read_vex(&dir.path().join("missing.json"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("missing.json"), "{e}");
}

#[test]
fn policy_files_name_vex_documents_relative_to_themselves() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("vex")).unwrap();
    std::fs::write(dir.path().join("vex/app.json"), OPENVEX).unwrap();
    std::fs::write(dir.path().join("vex/app.cdx.json"), CYCLONEDX).unwrap();
    let policy_path = dir.path().join("portcullis.toml");
    std::fs::write(
        &policy_path,
        r#"
fail-severity = "5=0"
vex = ["vex/app.json", "vex/app.cdx.json"]

[[ignore]]
id = "CVE-2024-0009"
reason = "own rule"
purl = "pkg:deb/debian/pkg"
path = "/usr/lib/"
"#,
    )
    .unwrap();
    let spec = PolicySpec::from_path(&policy_path).unwrap();
    assert!(spec.vex.is_empty(), "read when the file is");
    let p = spec.into_policy().unwrap();
    assert_eq!(p.ignore.len(), 1 + 5 + 4);
    assert_eq!(p.ignore[0].purl.as_deref(), Some("pkg:deb/debian/pkg"));
    assert_eq!(p.ignore[0].path.as_deref(), Some("/usr/lib/"));
    assert!(p.ignore[1].reason.starts_with("VEX app.json:"));
    assert!(p.ignore[9].reason.starts_with("VEX app.cdx.json:"));

    // A broken document named by a policy file: both are named.
    std::fs::write(dir.path().join("vex/app.json"), "not json").unwrap();
    let e = PolicySpec::from_path(&policy_path).unwrap_err().to_string();
    assert!(
        e.contains("portcullis.toml")
            && e.contains(&format!("vex{}app.json", std::path::MAIN_SEPARATOR)),
        "{e}"
    );
}

#[test]
fn vex_key_forms_and_ignore_scope_errors() {
    let spec = PolicySpec::parse(r#"vex = "a.json, b.json""#, FileFormat::Toml).unwrap();
    assert_eq!(spec.vex, [Path::new("a.json"), Path::new("b.json")]);
    let merged = spec.merge(PolicySpec {
        vex: vec!["c.json".into()],
        ..PolicySpec::default()
    });
    assert_eq!(merged.vex.len(), 3);
    // Next to a `policy` section, a top-level `vex` would be silently
    // dropped: it is an error.
    let e = PolicySpec::parse("vex = [\"a.json\"]\n[policy]\n", FileFormat::Toml)
        .unwrap_err()
        .to_string();
    assert!(e.contains("`vex`"), "{e}");
    for (rule, want) in [
        (r#"purl = "django""#, "ignore[0].purl"),
        (r#"purl = """#, "ignore[0].purl"),
        (r#"path = 1"#, "ignore[0].path"),
    ] {
        let text = format!("[[ignore]]\nid = \"CVE-2024-0001\"\nreason = \"r\"\n{rule}\n");
        let e = PolicySpec::parse(&text, FileFormat::Toml)
            .unwrap_err()
            .to_string();
        assert!(e.contains(want), "{rule}: {e}");
    }
    // Set directly, a bad purl is caught when the policy is built.
    let mut spec = PolicySpec::default();
    spec.ignore.push(IgnoreRule {
        id: "CVE-2024-0001".into(),
        owner: None,
        reason: "r".into(),
        package: None,
        image: None,
        purl: Some("nope".into()),
        path: None,
        only_unfixed: false,
        expires: None,
        vex_justification: None,
    });
    let e = spec.into_policy().unwrap_err().to_string();
    assert!(e.contains("ignore[0].purl"), "{e}");
    // Pending documents of a layer parsed from text are read by
    // into_policy, and a missing one is an error naming it.
    let spec = PolicySpec::parse(r#"vex = ["no-such-vex.json"]"#, FileFormat::Toml).unwrap();
    let e = spec.into_policy().unwrap_err().to_string();
    assert!(e.contains("no-such-vex.json"), "{e}");
}
