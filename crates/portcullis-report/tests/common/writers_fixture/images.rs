//! The two images of the run: the web app on `common::inventory()` and a
//! small worker image.

use std::collections::{BTreeMap, BTreeSet};

use portcullis_advisory::CvssVersion;
use portcullis_match::NotMatched;
use portcullis_policy::{Counts, Evaluation, FindingVerdict};
use portcullis_report::scan::ImageResult;
use portcullis_types::{
    Ecosystem, HistoryEntry, ImageMetadata, Inventory, LayerMetadata, INVENTORY_SCHEMA_VERSION,
};

use super::findings::{finding, F};
use super::policy;
use crate::common;
use crate::common::scan_fixture::{blocking, cvss, evaluation, Outcome};
use crate::common::{debian, digest, package_on, Pkg};

/// A title that every format must escape.
const HOSTILE_TITLE: &str = "OpenSSL: <script>alert(\"x\")</script> & 'AES-SIV' misuse";

const WORKER_CONFIG: &str = "5d0da3dc976460b72c77d94c8a1ad043720b0416bfc16c52c45d4847e53fadb6";
const WORKER_LAYERS: [&str; 2] = [
    "1c9a8b42b5780a3ef5a2ab3a6a9b1f4d0c7e6a5b4c3d2e1f0a9b8c7d6e5f4a3b",
    "9f8e7d6c5b4a39281706f5e4d3c2b1a0f9e8d7c6b5a4938271605f4e3d2c1b0a",
];

/// The web app: `common::inventory()` (Debian 12, base layer 0).
pub(crate) fn webapp() -> ImageResult {
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
pub(crate) fn worker() -> ImageResult {
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
