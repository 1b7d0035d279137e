//! Snapshot, schema and behaviour tests of the scan writers over one
//! synthetic but realistic run: two images (a Debian 12 web app whose base
//! layer is attributed to the base image, and a small worker image), deb
//! and pypi findings of several severities, CONFIRMED and POTENTIAL, every
//! verdict kind, a fixed clock.
//!
//! Schema validation runs `tests/validate_schemas.py` (SARIF 2.1.0, GitLab
//! container scanning 15.0.x, CycloneDX 1.5, SPDX 2.3, JUnit through
//! junitparser) only when `PORTCULLIS_SCHEMA_CHECK=1`, like
//! `schema_validation.rs`; `PORTCULLIS_SCHEMA_VENV` names its package cache.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::scan_fixture::{blocking, cvss, evaluation, finding_package, Outcome};
use common::{debian, digest, package_on, Pkg};
use portcullis_advisory::{Cvss, CvssVersion};
use portcullis_match::{Evidence, Finding, FindingPackage, NotMatched, TypeDetected};
use portcullis_policy::{
    Counts, CvssMode, CvssRule, Evaluation, FindingVerdict, IgnoreRule, Policy, RiskRule,
};
use portcullis_report::scan::{
    render_scan, summary_value, CiMetadata, DbStamp, ImageResult, ScanFormat, ScanReport,
    TableStyle,
};
use portcullis_types::{
    Digest, Ecosystem, HistoryEntry, ImageMetadata, Inventory, LayerMetadata,
    INVENTORY_SCHEMA_VERSION,
};
use serde_json::Value;
use time::macros::date;

/// A title that every format must escape.
const HOSTILE_TITLE: &str = "OpenSSL: <script>alert(\"x\")</script> & 'AES-SIV' misuse";

const WORKER_CONFIG: &str = "5d0da3dc976460b72c77d94c8a1ad043720b0416bfc16c52c45d4847e53fadb6";
const WORKER_LAYERS: [&str; 2] = [
    "1c9a8b42b5780a3ef5a2ab3a6a9b1f4d0c7e6a5b4c3d2e1f0a9b8c7d6e5f4a3b",
    "9f8e7d6c5b4a39281706f5e4d3c2b1a0f9e8d7c6b5a4938271605f4e3d2c1b0a",
];

/// The finding's package, copied from the inventory package it concerns.
fn package_of(inv: &Inventory, ecosystem: Ecosystem, name: &str) -> (FindingPackage, Digest) {
    let p = inv
        .packages
        .iter()
        .find(|p| p.ecosystem == ecosystem && p.name == name)
        .unwrap_or_else(|| panic!("fixture package {name}"));
    (finding_package(p), p.layer.clone().expect("fixture layer"))
}

struct F<'a> {
    id: &'a str,
    aliases: &'a [&'a str],
    ecosystem: Ecosystem,
    package: &'a str,
    fixed: Option<&'a str>,
    status: &'a str,
    severity: u8,
    source: &'a str,
    cvss_v2: Option<Cvss>,
    cvss_v3: Option<Cvss>,
    potential: bool,
    title: Option<&'a str>,
}

fn finding(inv: &Inventory, f: F<'_>) -> Finding {
    let (package, layer) = package_of(inv, f.ecosystem, f.package);
    let comparator = if f.ecosystem == Ecosystem::Deb {
        "dpkg"
    } else {
        "pep440"
    };
    Finding {
        id: f.id.into(),
        qid: None,
        aliases: f.aliases.iter().map(|a| (*a).into()).collect(),
        fixed_version: f.fixed.map(Into::into),
        status: f.status.into(),
        severity: f.severity,
        severity_source: f.source.into(),
        cvss_v2: f.cvss_v2,
        cvss_v3: f.cvss_v3,
        type_detected: if f.potential {
            TypeDetected::Potential
        } else {
            TypeDetected::Confirmed
        },
        patch_available: f.fixed.is_some(),
        layer: Some(layer),
        title: f.title.map(Into::into),
        links: vec![format!("https://osv.dev/vulnerability/{}", f.id)],
        evidence: vec![Evidence {
            advisory: f.id.into(),
            source: if f.ecosystem == Ecosystem::Deb {
                "debian-tracker".into()
            } else {
                "osv".into()
            },
            record: format!("{}.json", f.id),
            db_row: 42,
            namespace: if f.ecosystem == Ecosystem::Deb {
                "debian:12".into()
            } else {
                "pypi".into()
            },
            package: package
                .source_name
                .clone()
                .unwrap_or_else(|| package.name.clone()),
            version: package
                .source_version
                .clone()
                .unwrap_or_else(|| package.version.clone()),
            comparator: comparator.into(),
            comparisons: match f.fixed {
                Some(fix) => vec![format!("{} < {fix}", package.version)],
                None => vec!["no fixed version: every version is affected".into()],
            },
            fix_state: if f.fixed.is_some() {
                "fixed"
            } else {
                "not-fixed"
            }
            .into(),
            doubt: f
                .potential
                .then(|| "the installed version could not be parsed exactly".into()),
        }],
        package,
    }
}

fn policy() -> Policy {
    Policy {
        fail_severity: BTreeMap::from([(5, 0), (4, 2)]),
        fail_cves: vec!["CVE-2099-0001".into()],
        fail_cvss: Some(CvssRule {
            threshold: 9.0,
            mode: CvssMode::V3,
        }),
        risk: Some(RiskRule {
            threshold: 10,
            weights: RiskRule::default_weights(),
        }),
        ignore: vec![IgnoreRule {
            id: "GHSA-3WW4-GG4F-JR7F".into(),
            owner: Some("platform-team".into()),
            reason: "RSA decryption is not used by the app".into(),
            package: Some("cryptography".into()),
            image: None,
            only_unfixed: false,
            expires: Some(date!(2024 - 06 - 30)),
            vex_justification: Some("vulnerable_code_not_in_execute_path".into()),
        }],
        db_warn_days: Some(7),
        db_fail_days: Some(30),
        conditions_configured: true,
        ..Policy::default()
    }
}

/// The web app: `common::inventory()` (Debian 12, base layer 0).
fn webapp() -> ImageResult {
    let inventory = common::inventory();
    let base_layer = inventory.image.layers[0].diff_id.clone();
    let findings =
        vec![
        finding(
            &inventory,
            F {
                id: "CVE-2024-0727",
                aliases: &["DSA-5678-1"],
                ecosystem: Ecosystem::Deb,
                package: "libssl3",
                fixed: Some("3.0.13-1~deb12u1"),
                status: "fixed",
                severity: 5,
                source: "debian",
                cvss_v2: None,
                cvss_v3: cvss(CvssVersion::V3, 9.8, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"),
                potential: false,
                title: Some(HOSTILE_TITLE),
            },
        ),
        finding(
            &inventory,
            F {
                id: "CVE-2024-2511",
                aliases: &[],
                ecosystem: Ecosystem::Deb,
                package: "libssl3",
                fixed: None,
                status: "no-dsa",
                severity: 3,
                source: "debian",
                cvss_v2: cvss(CvssVersion::V2, 5.0, "AV:N/AC:L/Au:N/C:N/I:N/A:P"),
                cvss_v3: None,
                potential: false,
                title: Some("OpenSSL: unbounded memory growth with session handling in TLSv1.3"),
            },
        ),
        finding(
            &inventory,
            F {
                id: "CVE-2010-4756",
                aliases: &[],
                ecosystem: Ecosystem::Deb,
                package: "libc6",
                fixed: None,
                status: "unimportant",
                severity: 1,
                source: "unknown",
                cvss_v2: None,
                cvss_v3: None,
                potential: false,
                title: None,
            },
        ),
        finding(
            &inventory,
            F {
                id: "GHSA-3ww4-gg4f-jr7f",
                aliases: &["CVE-2023-50782"],
                ecosystem: Ecosystem::Pypi,
                package: "cryptography",
                fixed: Some("42.0.0"),
                status: "fixed",
                severity: 4,
                source: "advisory-cvss-v3",
                cvss_v2: None,
                cvss_v3: cvss(CvssVersion::V3, 7.5, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N"),
                potential: false,
                title: Some(
                    "Python Cryptography package vulnerable to Bleichenbacher timing oracle attack",
                ),
            },
        ),
        finding(
            &inventory,
            F {
                id: "PYSEC-2023-228",
                aliases: &["CVE-2023-5752"],
                ecosystem: Ecosystem::Pypi,
                package: "pip",
                fixed: Some("23.3"),
                status: "fixed",
                severity: 2,
                source: "advisory-cvss-v3",
                cvss_v2: None,
                cvss_v3: cvss(CvssVersion::V3, 3.3, "CVSS:3.1/AV:L/AC:H/PR:L/UI:N/S:U/C:N/I:L/A:N"),
                potential: true,
                title: Some("pip's Mercurial configuration injectable in repo revision"),
            },
        ),
    ];
    let verdicts = vec![
        blocking(&["severity", "cvss"]),
        FindingVerdict::Counted,
        FindingVerdict::Excluded {
            reason: "distro status unimportant is not counted".into(),
        },
        FindingVerdict::Ignored {
            reason: "RSA decryption is not used by the app".into(),
            owner: Some("platform-team".into()),
            until: Some("2024-06-30".into()),
        },
        FindingVerdict::Excluded {
            reason: "POTENTIAL findings are not counted".into(),
        },
    ];
    let evaluation = Evaluation {
        counts: Counts {
            confirmed_by_severity: BTreeMap::from([(1, 1), (3, 1), (4, 1), (5, 1)]),
            potential_by_severity: BTreeMap::from([(2, 1)]),
            patchable: 3,
            not_patchable: 2,
            total: 5,
        },
        verdicts,
        reasons: vec![
            "The vulnerabilities count by severity exceeded one of the configured threshold values: Configured: Severity 5>0; Found: Severity 5: 1".into(),
            "CVSS v3 score >= 9.0 found: 9.8 (1)".into(),
        ],
        warnings: vec!["ignore rule GHSA-3WW4-GG4F-JR7F (platform-team) expires on 2024-06-30".into()],
        ..evaluation(
            &policy(),
            Outcome {
                counted: [0, 0, 1, 0, 1],
                cvss: &[("9.8", 1)],
                risk: 3,
                ..Outcome::default()
            },
        )
    };
    ImageResult {
        references: vec!["registry.example/team/webapp:1.4.2".into()],
        not_matched: vec![NotMatched {
            ecosystem: Ecosystem::Maven,
            name: "org.apache.commons:commons-lang3".into(),
            version: "3.12.0".into(),
            reason: "no advisory source for maven in this DB".into(),
        }],
        inventory,
        findings,
        evaluation,
        base_layers: BTreeSet::from([base_layer]),
        error: None,
    }
}

/// A small worker image with one pypi finding carrying a platform QID.
fn worker() -> ImageResult {
    let layer = |i: usize| digest(WORKER_LAYERS[i]);
    let pkg = |ecosystem: Ecosystem, name, version, source, l, location| {
        let pkg = Pkg {
            ecosystem,
            name,
            version,
            source,
            licenses: &["Apache-2.0"],
            layer: l,
            location,
            cataloger: if ecosystem.is_os() { "dpkg" } else { "python" },
        };
        package_on(pkg, &WORKER_LAYERS)
    };
    let inventory = Inventory {
        schema_version: INVENTORY_SCHEMA_VERSION,
        image: ImageMetadata {
            reference: "registry.example/team/worker:2.0".into(),
            source: "registry".into(),
            image_id: WORKER_CONFIG[..12].into(),
            config_digest: Some(digest(WORKER_CONFIG)),
            manifest_digest: None,
            repo_tags: vec!["registry.example/team/worker:2.0".into()],
            repo_digests: Vec::new(),
            os: "linux".into(),
            architecture: "arm64".into(),
            created: Some("2024-04-28T18:02:11Z".into()),
            docker_version: Some("24.0.7".into()),
            layers: (0..2)
                .map(|i| LayerMetadata {
                    diff_id: layer(i),
                    digest: None,
                    size: [74_000_000, 3_100_000][i],
                    media_type: None,
                    created_by: Some(
                        [
                            "/bin/sh -c #(nop) ADD file:a1b2 in / ",
                            "RUN /bin/sh -c pip install requests==2.31.0 # buildkit",
                        ][i]
                            .into(),
                    ),
                })
                .collect(),
            history: vec![
                HistoryEntry {
                    created: Some("2024-04-23T00:00:00Z".into()),
                    created_by: Some("/bin/sh -c #(nop) ADD file:a1b2 in / ".into()),
                    empty_layer: false,
                },
                HistoryEntry {
                    created: Some("2024-04-28T18:02:11Z".into()),
                    created_by: Some(
                        "RUN /bin/sh -c pip install requests==2.31.0 # buildkit".into(),
                    ),
                    empty_layer: false,
                },
            ],
            total_size: 77_100_000,
        },
        distro: Some(debian()),
        packages: vec![
            pkg(
                Ecosystem::Deb,
                "bash",
                "5.2.15-2+b2",
                Some(("bash", "5.2.15-2")),
                0,
                "/var/lib/dpkg/status",
            ),
            pkg(
                Ecosystem::Pypi,
                "requests",
                "2.31.0",
                None,
                1,
                "/usr/local/lib/python3.11/site-packages/requests-2.31.0.dist-info/METADATA",
            ),
        ],
        unknowns: Vec::new(),
    };
    let mut requests = finding(
        &inventory,
        F {
            id: "CVE-2024-35195",
            aliases: &["GHSA-9wx4-h78v-vm56"],
            ecosystem: Ecosystem::Pypi,
            package: "requests",
            fixed: Some("2.32.0"),
            status: "fixed",
            severity: 3,
            source: "nvd-cvss-v3",
            cvss_v2: None,
            cvss_v3: cvss(CvssVersion::V3, 5.6, "CVSS:3.1/AV:L/AC:H/PR:H/UI:R/S:U/C:H/I:H/A:N"),
            potential: false,
            title: Some("Requests `Session` object does not verify requests after making first request with verify=False"),
        },
    );
    requests.qid = Some(5_001_234);
    let evaluation = Evaluation {
        counts: Counts {
            confirmed_by_severity: BTreeMap::from([(3, 1)]),
            potential_by_severity: BTreeMap::new(),
            patchable: 1,
            not_patchable: 0,
            total: 1,
        },
        verdicts: vec![FindingVerdict::Counted],
        ..evaluation(
            &policy(),
            Outcome {
                counted: [0, 0, 1, 0, 0],
                ..Outcome::default()
            },
        )
    };
    ImageResult {
        references: vec!["registry.example/team/worker:2.0".into()],
        inventory,
        findings: vec![requests],
        not_matched: Vec::new(),
        evaluation,
        base_layers: BTreeSet::new(),
        error: None,
    }
}

fn report() -> ScanReport {
    ScanReport {
        tool_name: "portcullis".into(),
        tool_version: "0.1.0".into(),
        // The SBOM tests' clock, so both families of documents share a time.
        generated_at: common::context().created,
        backend: "local".into(),
        db: Some(DbStamp {
            built_at: "2024-04-29T06:00:00Z".into(),
            sources: vec![
                ("debian-tracker".into(), "2024-04-29T05:40:00Z".into()),
                ("osv-pypi".into(), "2024-04-29T05:45:00Z".into()),
            ],
        }),
        policy: policy(),
        images: vec![webapp(), worker()],
        ci: CiMetadata {
            system: Some("gitlab".into()),
            job_name: Some("container-scan".into()),
            build_number: Some("1234".into()),
            job_url: Some("https://ci.example/team/webapp/-/jobs/1234".into()),
        },
    }
}

/// An image that could not be scanned.
fn broken() -> ImageResult {
    ImageResult {
        references: vec!["registry.example/team/missing:1.0".into()],
        inventory: Inventory {
            schema_version: INVENTORY_SCHEMA_VERSION,
            image: ImageMetadata::default(),
            distro: None,
            packages: Vec::new(),
            unknowns: Vec::new(),
        },
        findings: Vec::new(),
        not_matched: Vec::new(),
        evaluation: Evaluation::default(),
        base_layers: BTreeSet::new(),
        error: Some("manifest unknown: registry.example/team/missing:1.0".into()),
    }
}

/// The run plus untrusted data at its worst: ids, links and titles with
/// markup, quotes, spaces and control characters, a finding whose package
/// is not in the inventory (as platform backends report), and an image that
/// could not be scanned.
fn hostile() -> ScanReport {
    let mut r = report();
    r.images.push(broken());
    let worker = &mut r.images[1];
    let mut weird = worker.findings[0].clone();
    weird.id = "CVE-2024-35195 <x>\u{7}".into();
    weird.aliases = vec!["weird id/\u{fc}".into(), "GHSA-\"quoted\"".into()];
    weird.links = vec![
        "javascript:alert(1)".into(),
        "https://ok.example/a b".into(),
    ];
    weird.title = Some("\u{1}control & <b>bold</b> ]]> \"q\" 'a'".into());
    let mut ghost = worker.findings[0].clone();
    ghost.package.name = "ghost".into();
    ghost.package.version = "1.0".into();
    ghost.package.purl = "pkg:pypi/ghost@1.0".into();
    ghost.package.locations = Vec::new();
    worker.findings.push(weird);
    worker.evaluation.verdicts.push(FindingVerdict::Blocking {
        conditions: vec!["cve".into()],
    });
    worker.findings.push(ghost);
    worker.evaluation.verdicts.push(FindingVerdict::Counted);
    worker.evaluation.pass = false;
    worker.evaluation.cves.found = Some("CVE-2024-35195 <x>\u{7}".into());
    worker.evaluation.cves.result = false;
    r
}

#[test]
fn hostile_data_is_escaped_and_links_filtered() {
    let r = hostile();
    for format in written_formats() {
        render(format, &r);
    }
    let xml = render(ScanFormat::Junit, &r);
    assert!(xml.contains(
        "\u{fffd}control &amp; &lt;b&gt;bold&lt;/b&gt; ]]&gt; &quot;q&quot; &apos;a&apos;"
    ));
    assert!(!xml.contains('\u{7}') && !xml.contains('\u{1}'));
    let gitlab = json_of(ScanFormat::Gitlab, &r);
    let links: Vec<&Value> = gitlab["vulnerabilities"]
        .as_array()
        .expect("vulnerabilities")
        .iter()
        .flat_map(|v| v["links"].as_array().into_iter().flatten())
        .collect();
    assert!(links.iter().all(|l| l["url"]
        .as_str()
        .is_some_and(|u| u.starts_with("https://") && !u.contains(' '))));
    let sarif = json_of(ScanFormat::Sarif, &r);
    let rule = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .find(|r| r["id"] == "CVE-2024-35195 <x>\u{7}")
        .expect("weird rule");
    assert_eq!(
        rule["helpUri"],
        "https://nvd.nist.gov/vuln/detail/CVE-2024-35195%20%3Cx%3E%07"
    );
    // A package missing from the inventory is attributed to its image.
    let bom = json_of(ScanFormat::CycloneDxJson, &r);
    let ghost = bom["vulnerabilities"]
        .as_array()
        .expect("vulnerabilities")
        .iter()
        .find(|v| v["affects"][0]["versions"][0]["version"] == "1.0")
        .expect("ghost finding");
    assert!(ghost["affects"][0]["ref"]
        .as_str()
        .is_some_and(|r| r.starts_with("image1/image:sha256:")));
    // The unscanned image is named by its reference, not "image".
    let missing = bom["components"]
        .as_array()
        .expect("components")
        .iter()
        .find(|c| c["type"] == "container" && c["name"] == "registry.example/team/missing:1.0");
    assert!(missing.is_some(), "{}", bom["components"]);
}

fn render(format: ScanFormat, report: &ScanReport) -> String {
    let bytes = render_scan(format, report, TableStyle::default()).expect("render");
    String::from_utf8(bytes).expect("utf-8")
}

fn json_of(format: ScanFormat, report: &ScanReport) -> Value {
    serde_json::from_str(&render(format, report)).expect("valid JSON")
}

// ---------------------------------------------------------------------------
// (a) snapshots: the reviewed .snap files are the specification
// ---------------------------------------------------------------------------

#[test]
fn native_json_snapshot() {
    insta::assert_snapshot!("json", render(ScanFormat::Json, &report()));
}

#[test]
fn summary_json_snapshot() {
    insta::assert_snapshot!("summary_json", render(ScanFormat::SummaryJson, &report()));
}

#[test]
fn sarif_snapshot() {
    insta::assert_snapshot!("sarif", render(ScanFormat::Sarif, &report()));
}

#[test]
fn gitlab_snapshot() {
    insta::assert_snapshot!("gitlab", render(ScanFormat::Gitlab, &report()));
}

#[test]
fn qualys_json_snapshot() {
    insta::assert_snapshot!("qualys_json", render(ScanFormat::QualysJson, &report()));
}

#[test]
fn junit_snapshot() {
    insta::assert_snapshot!("junit", render(ScanFormat::Junit, &report()));
}

#[test]
fn cyclonedx_vex_snapshot() {
    insta::assert_snapshot!(
        "cyclonedx_json",
        render(ScanFormat::CycloneDxJson, &report())
    );
}

#[test]
fn spdx_json_snapshot() {
    insta::assert_snapshot!("spdx_json", render(ScanFormat::SpdxJson, &report()));
}

#[test]
fn every_writer_is_deterministic_and_ends_with_a_newline() {
    let r = report();
    let mut shuffled = report();
    for img in &mut shuffled.images {
        // Findings and verdicts move together; the writers sort.
        let mut pairs: Vec<_> = img
            .findings
            .drain(..)
            .zip(img.evaluation.verdicts.drain(..))
            .collect();
        pairs.reverse();
        for (f, v) in pairs {
            img.findings.push(f);
            img.evaluation.verdicts.push(v);
        }
        img.inventory.packages.reverse();
    }
    for format in written_formats() {
        let a = render(format, &r);
        assert!(a.ends_with('\n'), "{format}");
        assert_eq!(a, render(format, &shuffled), "{format}");
    }
}

/// The formats this file covers (table and html have their own tests).
fn written_formats() -> Vec<ScanFormat> {
    ScanFormat::ALL
        .into_iter()
        .filter(|f| !matches!(f, ScanFormat::Table | ScanFormat::Html))
        .filter(|f| render_scan(*f, &report(), TableStyle::default()).is_ok())
        .collect()
}

// ---------------------------------------------------------------------------
// (d) behaviour
// ---------------------------------------------------------------------------

#[test]
fn native_json_has_the_baseline_fields_and_verdicts() {
    let doc = json_of(ScanFormat::Json, &report());
    assert_eq!(doc["verdict"], "fail");
    let findings = doc["images"][0]["findings"].as_array().expect("findings");
    let verdicts: BTreeSet<&str> = findings
        .iter()
        .filter_map(|f| f["verdict"].as_str())
        .collect();
    assert_eq!(
        verdicts,
        BTreeSet::from(["blocking", "counted", "excluded", "ignored"])
    );
    for f in findings {
        for key in [
            "id",
            "aliases",
            "fixed_version",
            "severity",
            "type_detected",
            "status",
            "layer",
        ] {
            assert!(f.get(key).is_some(), "{key} in {f}");
        }
        for key in ["ecosystem", "name", "version", "source_name"] {
            assert!(f["package"].get(key).is_some(), "package.{key}");
        }
    }
    let ssl = &findings
        .iter()
        .find(|f| f["id"] == "CVE-2024-0727")
        .expect("libssl3 finding");
    assert_eq!(ssl["in_base_image"], true);
    assert_eq!(ssl["verdict_detail"]["conditions"][0], "severity");
    let ignored = findings
        .iter()
        .find(|f| f["verdict"] == "ignored")
        .expect("ignored");
    assert_eq!(ignored["verdict_detail"]["owner"], "platform-team");
    assert_eq!(ignored["verdict_detail"]["until"], "2024-06-30");
    assert_eq!(ignored["in_base_image"], false);
}

#[test]
fn summary_follows_the_vendor_null_and_zero_rules() {
    let v = summary_value(&report());
    assert_eq!(v["buildStatus"], "Failed");
    assert_eq!(v["pass"], false);
    let web = &v["scanResult"]["b79606fb3afe"];
    // Limit set, nothing found: 0. No limit, nothing found: null.
    assert_eq!(web["severities"]["4"]["found"], 0);
    assert!(web["severities"]["2"]["found"].is_null());
    assert_eq!(web["severities"]["3"]["found"], 1);
    assert_eq!(web["severities"]["5"]["result"], false);
    assert_eq!(web["software"]["configured"], "");
    assert_eq!(web["cvss"]["version"], "3");
    assert_eq!(web["cvss"]["foundMap"]["9.8"], 1);
    assert_eq!(web["imageSummary"]["pass"], false);
    assert_eq!(web["imageSummary"]["Tags"][0], "1.4.2");
    assert_eq!(web["typeDetected"]["Potential"], 1);
    let worker = &v["scanResult"]["5d0da3dc9764"];
    assert_eq!(worker["imageSummary"]["pass"], true);
    assert!(worker["cvss"].get("foundMap").is_none());
    assert_eq!(v["trendingData"][1]["repos"][0], "team/worker");

    let mut r = report();
    r.images.push(broken());
    let v = summary_value(&r);
    let missing = &v["scanResult"]["registry.example/team/missing:1.0"];
    assert_eq!(missing["imageSummary"]["pass"], false);
    assert_eq!(
        missing["error"],
        "manifest unknown: registry.example/team/missing:1.0"
    );
}

#[test]
fn sarif_levels_follow_the_verdicts() {
    let doc = json_of(ScanFormat::Sarif, &report());
    let run = &doc["runs"][0];
    let results = run["results"].as_array().expect("results");
    let by_rule = |id: &str| {
        results
            .iter()
            .find(|r| r["ruleId"] == id)
            .unwrap_or_else(|| panic!("result {id}"))
    };
    assert_eq!(by_rule("CVE-2024-0727")["level"], "error");
    assert_eq!(by_rule("CVE-2024-2511")["level"], "warning");
    let ignored = by_rule("GHSA-3ww4-gg4f-jr7f");
    assert_eq!(ignored["level"], "note");
    assert_eq!(ignored["suppressions"][0]["kind"], "external");
    assert!(
        by_rule("PYSEC-2023-228")["suppressions"][0]["justification"]
            .as_str()
            .is_some_and(|j| j.contains("POTENTIAL"))
    );
    let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
    let rule = |id: &str| {
        rules
            .iter()
            .find(|r| r["id"] == id)
            .unwrap_or_else(|| panic!("rule {id}"))
    };
    assert_eq!(
        rule("CVE-2024-0727")["properties"]["security-severity"],
        "9.8"
    );
    // No CVSS: mapped from the severity (1 → 0.0).
    assert_eq!(
        rule("CVE-2010-4756")["properties"]["security-severity"],
        "0.0"
    );
    for r in results {
        let index = r["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(rules[index]["id"], r["ruleId"]);
    }
}

#[test]
fn gitlab_severities_and_ids() {
    let doc = json_of(ScanFormat::Gitlab, &report());
    let vulns = doc["vulnerabilities"].as_array().expect("vulnerabilities");
    let sev = |name: &str| {
        vulns
            .iter()
            .find(|v| v["name"].as_str().is_some_and(|n| n.starts_with(name)))
            .unwrap_or_else(|| panic!("vulnerability {name}"))["severity"]
            .clone()
    };
    assert_eq!(sev("CVE-2024-0727"), "Critical");
    assert_eq!(sev("GHSA-3ww4-gg4f-jr7f"), "High");
    assert_eq!(sev("CVE-2024-2511"), "Medium");
    assert_eq!(sev("PYSEC-2023-228"), "Low");
    // Severity source `unknown`: GitLab's Unknown, not Info.
    assert_eq!(sev("CVE-2010-4756"), "Unknown");
    let ids: BTreeSet<&str> = vulns.iter().filter_map(|v| v["id"].as_str()).collect();
    assert_eq!(ids.len(), vulns.len(), "ids are unique");
    assert_eq!(doc["scan"]["start_time"], "2024-05-01T10:30:45");
    let requests = vulns
        .iter()
        .find(|v| v["name"] == "CVE-2024-35195 in requests")
        .expect("requests");
    let types: Vec<&str> = requests["identifiers"]
        .as_array()
        .expect("identifiers")
        .iter()
        .filter_map(|i| i["type"].as_str())
        .collect();
    assert_eq!(types, ["cve", "qid", "ghsa"]);
}

#[test]
fn junit_escapes_titles_and_counts_conditions() {
    let xml = render(ScanFormat::Junit, &report());
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites "));
    // The blocking finding's title is listed in the severity failure.
    assert!(xml.contains(
        "OpenSSL: &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &apos;AES-SIV&apos; misuse"
    ));
    assert!(!xml.contains("<script>"));
    assert_eq!(xml.matches("<testsuite ").count(), 2);
    assert_eq!(xml.matches("<failure ").count(), 2);
    assert!(xml.contains("name=\"severity\" time=\"0\">\n      <failure message=\"The vulnerabilities count by severity exceeded a configured threshold. Configured: Severity 5&gt;0; Severity 4&gt;2. Found: Severity 5: 1; Severity 4: 0\""));
    // QIDs are not configured: skipped, not passed.
    assert!(xml.contains("name=\"qids\" time=\"0\">\n      <skipped message=\"not configured\"/>"));

    let mut r = report();
    r.images.push(broken());
    let xml = render(ScanFormat::Junit, &r);
    assert!(xml.contains("<error message=\"manifest unknown: registry.example/team/missing:1.0\" type=\"scan-error\">"));
    assert!(
        xml.contains("tests=\"17\" failures=\"2\" errors=\"1\" skipped=\"4\""),
        "{xml}"
    );
}

#[test]
fn qualys_json_uses_the_cs_api_field_conventions() {
    let doc = json_of(ScanFormat::QualysJson, &report());
    let web = &doc[0];
    assert_eq!(web["imageId"], "b79606fb3afe");
    assert_eq!(web["created"], "1714468540000");
    assert_eq!(web["lastScanned"], "1714559445123");
    assert_eq!(web["layers"][0]["isBaseLayer"], true);
    assert_eq!(web["layers"][0]["size"], "29150000");
    let vulns = web["vulnerabilities"].as_array().expect("vulnerabilities");
    let ssl = vulns
        .iter()
        .find(|v| v["id"] == "CVE-2024-0727")
        .expect("libssl3");
    assert!(ssl["qid"].is_null());
    assert_eq!(ssl["cvss3Info"]["baseScore"], "9.8");
    assert!(ssl["cvssInfo"]["baseScore"].is_null());
    assert_eq!(ssl["cveids"][0], "CVE-2024-0727");
    let pip = vulns
        .iter()
        .find(|v| v["id"] == "PYSEC-2023-228")
        .expect("pip");
    assert_eq!(pip["typeDetected"], "POTENTIAL");
    assert_eq!(pip["cveids"][0], "CVE-2023-5752");
    let no_cve = vulns
        .iter()
        .find(|v| v["id"] == "CVE-2024-2511")
        .expect("no-dsa");
    assert_eq!(no_cve["cvssInfo"]["accessVector"], "Network");
    let worker = &doc[1];
    assert_eq!(worker["vulnerabilities"][0]["qid"], 5_001_234);
    let requests = worker["softwares"]
        .as_array()
        .expect("softwares")
        .iter()
        .find(|s| s["name"] == "requests")
        .expect("requests");
    assert_eq!(requests["fixVersion"], "2.32.0");
    assert_eq!(requests["vulnerabilities"][0]["qid"], 5_001_234);
}

/// Every `bom-ref` anywhere in a CycloneDX document.
fn bom_refs(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, val) in m {
                match (k.as_str(), val) {
                    ("bom-ref", Value::String(s)) => out.push(s.clone()),
                    _ => bom_refs(val, out),
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|x| bom_refs(x, out)),
        _ => {}
    }
}

#[test]
fn cyclonedx_vex_analysis_and_refs() {
    let bom = json_of(ScanFormat::CycloneDxJson, &report());
    assert_eq!(bom["specVersion"], "1.5");
    let mut refs = Vec::new();
    bom_refs(&bom, &mut refs);
    let unique: BTreeSet<&String> = refs.iter().collect();
    assert_eq!(unique.len(), refs.len(), "bom-refs are unique");
    // The second image is a container component holding its packages.
    let worker = bom["components"]
        .as_array()
        .expect("components")
        .iter()
        .find(|c| c["type"] == "container")
        .expect("worker image component");
    assert_eq!(worker["name"], "registry.example/team/worker:2.0");
    // Its operating system and its two packages.
    assert_eq!(worker["components"].as_array().map(Vec::len), Some(3));
    let vulns = bom["vulnerabilities"].as_array().expect("vulnerabilities");
    assert_eq!(vulns.len(), 6);
    for v in vulns {
        let r = v["affects"][0]["ref"].as_str().expect("affects ref");
        assert!(unique.contains(&r.to_owned()), "dangling affects ref {r}");
        assert!(
            !r.starts_with("image:"),
            "{r} points at a package, not the image"
        );
    }
    let state = |id: &str| {
        vulns
            .iter()
            .find(|v| v["id"] == id)
            .unwrap_or_else(|| panic!("{id}"))["analysis"]
            .clone()
    };
    assert_eq!(state("CVE-2024-0727")["state"], "exploitable");
    assert_eq!(state("CVE-2024-0727")["response"][0], "update");
    let ignored = state("GHSA-3ww4-gg4f-jr7f");
    assert_eq!(ignored["state"], "not_affected");
    assert_eq!(ignored["justification"], "code_not_reachable");
    assert!(ignored["detail"]
        .as_str()
        .is_some_and(|d| d.contains("platform-team") && d.contains("2024-06-30")));
    assert_eq!(state("PYSEC-2023-228")["state"], "in_triage");
    let ssl = vulns
        .iter()
        .find(|v| v["id"] == "CVE-2024-0727")
        .expect("libssl3");
    assert_eq!(ssl["ratings"][0]["method"], "CVSSv31");
    assert_eq!(ssl["ratings"][0]["severity"], "critical");
    assert_ne!(
        bom["serialNumber"],
        serde_json::from_slice::<Value>(
            &portcullis_report::render_sbom(
                portcullis_report::SbomFormat::CycloneDxJson,
                &common::inventory(),
                &common::context()
            )
            .expect("sbom")
        )
        .expect("sbom json")["serialNumber"],
        "the scan BOM has its own serial"
    );
}

#[test]
fn spdx_references_findings_on_their_packages() {
    let doc = json_of(ScanFormat::SpdxJson, &report());
    let packages = doc["packages"].as_array().expect("packages");
    let ids: Vec<&str> = packages
        .iter()
        .filter_map(|p| p["SPDXID"].as_str())
        .collect();
    let unique: BTreeSet<&str> = ids.iter().copied().collect();
    assert_eq!(unique.len(), ids.len(), "SPDX ids are unique");
    let describes: Vec<&str> = doc["relationships"]
        .as_array()
        .expect("relationships")
        .iter()
        .filter(|r| r["relationshipType"] == "DESCRIBES")
        .filter_map(|r| r["relatedSpdxElement"].as_str())
        .collect();
    assert_eq!(describes, ["SPDXRef-Image", "SPDXRef-Image1-Image"]);
    let security = |name: &str| -> Vec<String> {
        packages
            .iter()
            .filter(|p| p["name"] == name)
            .flat_map(|p| p["externalRefs"].as_array().cloned().unwrap_or_default())
            .filter(|r| r["referenceCategory"] == "SECURITY")
            .filter_map(|r| r["referenceLocator"].as_str().map(str::to_owned))
            .collect()
    };
    assert_eq!(
        security("cryptography"),
        ["https://osv.dev/vulnerability/GHSA-3ww4-gg4f-jr7f"]
    );
    assert_eq!(security("libssl3").len(), 2);
    assert_eq!(security("requests").len(), 1);
    assert!(security("bash").is_empty());
}

// ---------------------------------------------------------------------------
// (b), (c) schema validation and JUnit parsing
// ---------------------------------------------------------------------------

#[test]
fn scan_outputs_are_schema_valid() {
    if !common::schema_check(
        "scan report schema validation (SARIF, GitLab, CycloneDX, SPDX, JUnit)",
    ) {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let mut files = Vec::new();
    for (name, r) in [("run", report()), ("hostile", hostile())] {
        for format in [
            ScanFormat::Sarif,
            ScanFormat::Gitlab,
            ScanFormat::CycloneDxJson,
            ScanFormat::SpdxJson,
            ScanFormat::Junit,
        ] {
            let Ok(bytes) = render_scan(format, &r, TableStyle::default()) else {
                continue;
            };
            let ext = if format == ScanFormat::Junit {
                "xml"
            } else {
                "json"
            };
            let path = dir.path().join(format!("{name}-{format}.{ext}"));
            std::fs::write(&path, bytes).expect("write");
            files.push(path);
        }
    }
    let stdout = common::validate_schemas(&files);
    for (name, suites, failures) in [("run", 2, 2), ("hostile", 3, 3)] {
        if !files
            .iter()
            .any(|f| f.ends_with(format!("{name}-junit.xml")))
        {
            continue;
        }
        let line = stdout
            .lines()
            .find(|l| l.contains(&format!("{name}-junit.xml: valid JUnit")))
            .unwrap_or_else(|| panic!("junit line for {name}:\n{stdout}"));
        assert!(
            line.contains(&format!("{suites} suites"))
                && line.contains(&format!("{failures} failures")),
            "{line}"
        );
    }
}
