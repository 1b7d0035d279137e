//! The scan-report fixture of the table and HTML tests (`report()`: a
//! realistic two-image run, an API image that fails and a worker image that
//! passes), and the builders every scan test shares: seeded digests, CVSS
//! scores, verdicts, finding packages and the evaluation of a run under a
//! policy. The scan-writer tests build their own run (`writers_fixture`, on
//! `common::inventory()`) from the same builders.

use std::collections::{BTreeMap, BTreeSet};

use portcullis_advisory::{Cvss, CvssVersion};
use portcullis_match::{Finding, FindingPackage, TypeDetected};
use portcullis_policy::{
    Counts, CvssCondition, CvssMode, CvssRule, Evaluation, FindingVerdict, FreshnessCondition,
    IgnoreRule, ListCondition, Policy, RiskCondition, RiskRule, SeverityCondition,
};
use portcullis_report::scan::{CiMetadata, DbStamp, ImageResult, ScanReport};
use portcullis_types::{
    purl_for, Digest, Ecosystem, HistoryEntry, ImageMetadata, Inventory, LayerMetadata, Package,
    INVENTORY_SCHEMA_VERSION,
};
use time::macros::{date, datetime};

use super::debian;

// --------------------------------------------------------------- builders

/// A stable, valid, distinct digest per seed (not a real hash, no crate).
fn digest(seed: &str) -> Digest {
    use std::fmt::Write;
    let mut hex = String::new();
    let mut x: u64 = 0xcbf2_9ce4_8422_2325;
    while hex.len() < 64 {
        for b in seed.bytes().chain(hex.len().to_le_bytes()) {
            x = (x ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        write!(hex, "{x:016x}").ok();
    }
    match Digest::sha256_hex(&hex[..64]) {
        Ok(d) => d,
        Err(e) => panic!("fixture digest: {e}"),
    }
}

fn deb(name: &str, version: &str, source: &str, layer: &Digest) -> Package {
    Package {
        ecosystem: Ecosystem::Deb,
        name: name.into(),
        version: version.into(),
        source_name: Some(source.into()),
        source_version: Some(version.into()),
        arch: Some("amd64".into()),
        purl: purl_for(
            Ecosystem::Deb,
            name,
            version,
            Some("amd64"),
            Some((source, version)),
            Some(&debian()),
        ),
        licenses: Vec::new(),
        layer: Some(layer.clone()),
        locations: vec!["/var/lib/dpkg/status".into()],
        cataloger: "dpkg".into(),
        owned_by: None,
    }
}

fn pypi(name: &str, version: &str, layer: &Digest) -> Package {
    Package {
        ecosystem: Ecosystem::Pypi,
        name: name.into(),
        version: version.into(),
        source_name: None,
        source_version: None,
        arch: None,
        purl: purl_for(Ecosystem::Pypi, name, version, None, None, None),
        licenses: Vec::new(),
        layer: Some(layer.clone()),
        locations: vec![format!(
            "/usr/local/lib/python3.12/site-packages/{name}-{version}.dist-info/METADATA"
        )],
        cataloger: "python".into(),
        owned_by: None,
    }
}

pub(crate) fn cvss(version: CvssVersion, score: f64, vector: &str) -> Option<Cvss> {
    Some(Cvss {
        version,
        vector: vector.into(),
        score,
    })
}

const V3_NET: &str = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H";
const V3_LOCAL: &str = "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H";
const V3_MED: &str = "CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:H/I:N/A:N";
const V2_NET: &str = "AV:N/AC:L/Au:N/C:P/I:P/A:P";

/// One finding with the common fields; the callers adjust the rest.
fn vuln(p: &Package, id: &str, severity: u8, fixed: Option<&str>, status: &str) -> Finding {
    Finding {
        id: id.into(),
        qid: None,
        aliases: Vec::new(),
        package: finding_package(p),
        fixed_version: fixed.map(Into::into),
        status: status.into(),
        severity,
        severity_source: if p.ecosystem == Ecosystem::Deb {
            "debian".into()
        } else {
            "advisory-cvss-v3".into()
        },
        cvss_v2: None,
        cvss_v3: None,
        type_detected: TypeDetected::Confirmed,
        patch_available: fixed.is_some(),
        layer: p.layer.clone(),
        title: None,
        links: vec![format!("https://security-tracker.debian.org/tracker/{id}")],
        evidence: Vec::new(),
    }
}

pub(crate) fn blocking(conditions: &[&str]) -> FindingVerdict {
    FindingVerdict::Blocking {
        conditions: conditions.iter().map(|c| (*c).into()).collect(),
    }
}

pub(crate) fn excluded(reason: &str) -> FindingVerdict {
    FindingVerdict::Excluded {
        reason: reason.into(),
    }
}

fn layer(diff: &Digest, size: u64, created_by: &str) -> LayerMetadata {
    LayerMetadata {
        diff_id: diff.clone(),
        digest: Some(digest(&format!("blob {diff}"))),
        size,
        media_type: Some("application/vnd.oci.image.layer.v1.tar+gzip".into()),
        created_by: Some(created_by.into()),
    }
}

fn metadata(reference: &str, config_seed: &str, layers: Vec<LayerMetadata>) -> ImageMetadata {
    let config = digest(config_seed);
    let history = layers
        .iter()
        .map(|l| HistoryEntry {
            created: Some("2024-04-20T10:00:00Z".into()),
            created_by: l.created_by.clone(),
            empty_layer: false,
        })
        .chain([HistoryEntry {
            created: Some("2024-04-20T10:00:00Z".into()),
            created_by: Some("CMD [\"python3\" \"-m\" \"shop\"]".into()),
            empty_layer: true,
        }])
        .collect();
    ImageMetadata {
        reference: reference.into(),
        source: "docker-archive".into(),
        image_id: config.short().into(),
        config_digest: Some(config),
        manifest_digest: Some(digest(&format!("manifest {config_seed}"))),
        repo_tags: vec![reference.into()],
        repo_digests: Vec::new(),
        os: "linux".into(),
        architecture: "amd64".into(),
        created: Some("2024-04-20T10:00:00Z".into()),
        docker_version: Some("24.0.7".into()),
        total_size: layers.iter().map(|l| l.size).sum(),
        layers,
        history,
    }
}

/// The severity conditions for the `limits` of a policy and the counted
/// findings per level (1 to 5).
pub(crate) fn severities(limits: &[(u8, u64)], found: [u64; 5]) -> BTreeMap<u8, SeverityCondition> {
    (1..=5u8)
        .map(|level| {
            let configured = limits.iter().find(|(l, _)| *l == level).map(|(_, n)| *n);
            let count = found[usize::from(level) - 1];
            let cond = SeverityCondition {
                configured,
                found: (count > 0 || configured.is_some()).then_some(count),
                result: configured.is_none_or(|limit| count <= limit),
            };
            (level, cond)
        })
        .collect()
}

fn counts(findings: &[Finding]) -> Counts {
    let mut c = Counts::default();
    for level in 1..=5 {
        c.confirmed_by_severity.insert(level, 0);
        c.potential_by_severity.insert(level, 0);
    }
    for f in findings {
        let map = match f.type_detected {
            TypeDetected::Confirmed => &mut c.confirmed_by_severity,
            TypeDetected::Potential => &mut c.potential_by_severity,
        };
        *map.entry(f.severity).or_default() += 1;
        if f.patch_available {
            c.patchable += 1;
        } else {
            c.not_patchable += 1;
        }
        c.total += 1;
    }
    c
}

/// A finding's package: the inventory package it concerns.
pub(crate) fn finding_package(p: &Package) -> FindingPackage {
    FindingPackage {
        ecosystem: p.ecosystem,
        name: p.name.clone(),
        version: p.version.clone(),
        source_name: p.source_name.clone(),
        source_version: p.source_version.clone(),
        purl: p.purl.clone(),
        locations: p.locations.clone(),
    }
}

/// What an image's findings came to under a policy's conditions.
#[derive(Default)]
pub(crate) struct Outcome<'a> {
    /// Counted findings per severity, 1 to 5.
    pub(crate) counted: [u64; 5],
    /// The configured CVE that was found, if any.
    pub(crate) cve: Option<&'a str>,
    /// Scores at or above the CVSS threshold, with their counts.
    pub(crate) cvss: &'a [(&'a str, u64)],
    /// The risk score.
    pub(crate) risk: u64,
}

/// The evaluation of an image under `policy` (every condition configured,
/// a database two days old) with `outcome`; `pass` follows the conditions.
/// The callers add the counts, the verdicts and the messages.
pub(crate) fn evaluation(policy: &Policy, outcome: Outcome<'_>) -> Evaluation {
    let limits: Vec<(u8, u64)> = policy.fail_severity.iter().map(|(l, n)| (*l, *n)).collect();
    let severities = severities(&limits, outcome.counted);
    let cves = ListCondition {
        configured: Some(policy.fail_cves.join(", ")),
        found: outcome.cve.map(Into::into),
        result: outcome.cve.is_none(),
        excluded: None,
    };
    let cvss = CvssCondition {
        configured: policy.fail_cvss.as_ref().map(|r| r.threshold),
        found: outcome.cvss.iter().map(|(_, n)| n).sum(),
        version: Some("3".into()),
        result: outcome.cvss.is_empty(),
        found_map: outcome
            .cvss
            .iter()
            .map(|(score, n)| ((*score).into(), *n))
            .collect(),
    };
    let risk = RiskCondition {
        configured: policy.risk.as_ref().map(|r| r.threshold),
        found: outcome.risk,
        weights: RiskRule::default_weights(),
        result: policy
            .risk
            .as_ref()
            .is_none_or(|r| outcome.risk <= r.threshold),
    };
    Evaluation {
        pass: severities.values().all(|s| s.result) && cves.result && cvss.result && risk.result,
        severities,
        qids: ListCondition {
            result: true,
            ..ListCondition::default()
        },
        cves,
        software: ListCondition {
            result: true,
            ..ListCondition::default()
        },
        cvss,
        risk,
        freshness: FreshnessCondition {
            age_days: Some(2),
            warn_days: policy.db_warn_days,
            fail_days: policy.db_fail_days,
            result: true,
        },
        ..Evaluation::default()
    }
}

/// Sorts the findings as the matcher does and keeps each verdict with its
/// finding.
fn sorted(mut pairs: Vec<(Finding, FindingVerdict)>) -> (Vec<Finding>, Vec<FindingVerdict>) {
    pairs.sort_by(|a, b| a.0.sort_key().cmp(&b.0.sort_key()));
    pairs.into_iter().unzip()
}

// ------------------------------------------------------ the table/HTML run

/// The watched software of the table/HTML run (found in neither image).
fn watched_software() -> ListCondition {
    ListCondition {
        configured: Some("log4j-core, xz-utils=5.6.*".into()),
        found: None,
        result: true,
        excluded: None,
    }
}

pub(crate) fn policy() -> Policy {
    Policy {
        fail_severity: BTreeMap::from([(5, 0), (4, 2)]),
        fail_cves: vec!["CVE-2023-4911".into()],
        fail_cvss: Some(CvssRule {
            threshold: 7.5,
            mode: CvssMode::V3,
        }),
        risk: Some(RiskRule {
            threshold: 10,
            weights: RiskRule::default_weights(),
        }),
        ignore: vec![IgnoreRule {
            id: "CVE-2023-45853".into(),
            owner: Some("platform-team".into()),
            reason: "minizip is not built into zlib1g".into(),
            package: Some("zlib1g".into()),
            image: None,
            purl: None,
            path: None,
            only_unfixed: false,
            expires: Some(date!(2024 - 05 - 10)),
            vex_justification: Some("vulnerable_code_not_present".into()),
        }],
        ignore_statuses: vec!["no-dsa".into()],
        db_warn_days: Some(7),
        db_fail_days: Some(30),
        conditions_configured: true,
        ..Policy::default()
    }
}

/// The API image: Debian 12 + Python, fails on severity, CVE and CVSS.
pub(crate) fn api_image() -> ImageResult {
    let l = [
        digest("layer debian rootfs"),
        digest("layer python runtime"),
        digest("layer pip install"),
        digest("layer app"),
    ];
    let layers = vec![
        layer(&l[0], 29_124_506, "/bin/sh -c #(nop) ADD file:5d6b639e8b6bcc011 in / "),
        layer(
            &l[1],
            12_870_113,
            "/bin/sh -c set -eux; apt-get update; apt-get install -y --no-install-recommends python3 ca-certificates",
        ),
        layer(
            &l[2],
            15_406_320,
            "RUN /bin/sh -c pip install --no-cache-dir -r requirements.txt # buildkit",
        ),
        layer(
            &l[3],
            184_320,
            "COPY app/ /srv/app/ # echo \"<b>not bold</b>\" & done",
        ),
    ];
    let libc6 = deb("libc6", "2.36-9+deb12u1", "glibc", &l[0]);
    let libssl3 = deb("libssl3", "3.0.11-1~deb12u2", "openssl", &l[1]);
    let openssl = deb("openssl", "3.0.11-1~deb12u2", "openssl", &l[1]);
    let perl = deb("perl-base", "5.36.0-7", "perl", &l[0]);
    let sqlite = deb("libsqlite3-0", "3.40.1-2", "sqlite3", &l[1]);
    let tar = deb("tar", "1.34+dfsg-1.2", "tar", &l[0]);
    let zlib = deb("zlib1g", "1:1.2.13.dfsg-1", "zlib", &l[0]);
    let jinja2 = pypi("jinja2", "3.1.2", &l[2]);
    let pip = pypi("pip", "23.2.1", &l[2]);
    let requests = pypi("requests", "2.31.0", &l[2]);
    let setuptools = pypi("setuptools", "65.5.1", &l[2]);
    let urllib3 = pypi("urllib3", "2.0.7", &l[2]);
    let flask = pypi("flask", "3.0.3", &l[2]);

    let potential = |mut f: Finding| {
        f.type_detected = TypeDetected::Potential;
        f
    };
    let with = |mut f: Finding, v2: Option<Cvss>, v3: Option<Cvss>, title: &str| {
        f.cvss_v2 = v2;
        f.cvss_v3 = v3;
        f.title = Some(title.into());
        f
    };
    let ghsa = |mut f: Finding, alias: &str| {
        f.links = vec![
            format!("https://github.com/advisories/{alias}"),
            format!("https://osv.dev/vulnerability/{alias}"),
        ];
        f.aliases = vec![alias.into()];
        f
    };
    let pairs = vec![
        (
            with(
                vuln(&libc6, "CVE-2023-4911", 5, Some("2.36-9+deb12u3"), "fixed"),
                None,
                cvss(CvssVersion::V3, 7.8, V3_LOCAL),
                "glibc: buffer overflow in ld.so leading to privilege escalation",
            ),
            blocking(&["severity", "cve", "cvss"]),
        ),
        (
            with(
                vuln(&libssl3, "CVE-2023-5363", 4, Some("3.0.13-1~deb12u1"), "fixed"),
                None,
                cvss(CvssVersion::V3, 7.5, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N"),
                "openssl: incorrect cipher key and IV length processing",
            ),
            blocking(&["severity", "cvss"]),
        ),
        (
            with(
                vuln(&openssl, "CVE-2024-0727", 2, None, "no-dsa"),
                None,
                cvss(CvssVersion::V3, 5.5, V3_LOCAL),
                "openssl: denial of service via null dereference",
            ),
            excluded("distro status no-dsa is not counted"),
        ),
        (
            with(
                vuln(&perl, "CVE-2023-47038", 4, Some("5.36.0-7+deb12u1"), "fixed"),
                None,
                cvss(CvssVersion::V3, 7.0, V3_LOCAL),
                "perl: write past buffer end via illegal user-defined Unicode property",
            ),
            blocking(&["severity"]),
        ),
        (
            potential(with(
                vuln(&sqlite, "CVE-2023-7104", 3, None, "postponed"),
                None,
                cvss(CvssVersion::V3, 7.3, V3_NET),
                "sqlite: heap-buffer-overflow at sessionfuzz",
            )),
            excluded("POTENTIAL findings are not counted"),
        ),
        (
            with(
                vuln(&tar, "CVE-2005-2541", 1, None, "unimportant"),
                cvss(CvssVersion::V2, 10.0, V2_NET),
                None,
                "tar: does not warn about setuid/setgid bits in extracted archives",
            ),
            FindingVerdict::Counted,
        ),
        (
            with(
                vuln(&zlib, "CVE-2023-45853", 5, None, "open"),
                None,
                cvss(CvssVersion::V3, 9.8, V3_NET),
                "zlib: integer overflow and heap overflow in minizip",
            ),
            FindingVerdict::Ignored {
                reason: "minizip is not built into zlib1g".into(),
                owner: Some("platform-team".into()),
                until: Some("2024-05-10".into()),
            },
        ),
        (
            ghsa(
                with(
                    vuln(&jinja2, "CVE-2024-22195", 3, Some("3.1.3"), "fixed"),
                    None,
                    cvss(CvssVersion::V3, 5.4, V3_MED),
                    "<script>alert(1)</script> Jinja vulnerable to HTML attribute injection",
                ),
                "GHSA-h5c8-rqwp-cp95",
            ),
            FindingVerdict::Counted,
        ),
        (
            potential(ghsa(
                with(
                    vuln(&pip, "CVE-2023-5752", 2, Some("23.3"), "fixed"),
                    None,
                    cvss(CvssVersion::V3, 3.3, V3_MED),
                    "pip's Mercurial configuration injectable in repo revision",
                ),
                "GHSA-mq26-g339-26xf",
            )),
            excluded("POTENTIAL findings are not counted"),
        ),
        (
            ghsa(
                with(
                    vuln(&requests, "CVE-2024-35195", 3, Some("2.32.0"), "fixed"),
                    None,
                    cvss(CvssVersion::V3, 5.6, V3_MED),
                    "Requests Session object does not verify requests after making first request with verify=False",
                ),
                "GHSA-9wx4-h78v-vm56",
            ),
            FindingVerdict::Counted,
        ),
        (
            ghsa(
                with(
                    vuln(&setuptools, "CVE-2024-6345", 4, Some("70.0.0"), "fixed"),
                    cvss(CvssVersion::V2, 6.8, V2_NET),
                    cvss(CvssVersion::V3, 8.8, V3_NET),
                    "setuptools vulnerable to Command Injection via package URL",
                ),
                "GHSA-cx63-2mw6-8hw5",
            ),
            blocking(&["severity", "cvss"]),
        ),
        (
            ghsa(
                with(
                    vuln(&urllib3, "CVE-2024-37891", 2, Some("2.2.2"), "fixed"),
                    None,
                    cvss(CvssVersion::V3, 4.4, V3_MED),
                    "urllib3's Proxy-Authorization request header isn't stripped during cross-origin redirects",
                ),
                "GHSA-34jh-p97f-mpxf",
            ),
            FindingVerdict::Counted,
        ),
    ];
    let (findings, verdicts) = sorted(pairs);
    let mut packages = vec![
        libc6, libssl3, openssl, perl, sqlite, tar, zlib, jinja2, pip, requests, setuptools,
        urllib3, flask,
    ];
    packages.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    let counts = counts(&findings);
    let evaluation = Evaluation {
        software: watched_software(),
        counts,
        verdicts,
        reasons: vec![
            "Severity 5: 1 found, more than the configured 0".into(),
            "Severity 4: 3 found, more than the configured 2".into(),
            "CVE IDs configured in Failure Conditions were found: CVE-2023-4911".into(),
            "CVSS v3 score >= 7.5 found: 7.5: 1, 7.8: 1, 8.8: 1".into(),
        ],
        warnings: vec!["ignore rule CVE-2023-45853 (platform-team) expires on 2024-05-10".into()],
        ..evaluation(
            &policy(),
            Outcome {
                counted: [1, 1, 2, 3, 1],
                cve: Some("CVE-2023-4911"),
                cvss: &[("7.5", 1), ("7.8", 1), ("8.8", 1)],
                risk: 6,
            },
        )
    };
    ImageResult {
        references: vec![
            "registry.example/shop/api:1.4.2".into(),
            "registry.example/shop/api:latest".into(),
        ],
        inventory: Inventory {
            schema_version: INVENTORY_SCHEMA_VERSION,
            image: metadata("registry.example/shop/api:1.4.2", "config api", layers),
            distro: Some(debian()),
            packages,
            unknowns: Vec::new(),
        },
        findings,
        not_matched: Vec::new(),
        evaluation,
        base_layers: BTreeSet::from([l[0].clone(), l[1].clone()]),
        error: None,
    }
}

/// The worker image: same Debian base, passes.
pub(crate) fn worker_image() -> ImageResult {
    let l = [digest("layer debian rootfs"), digest("layer worker deps")];
    let layers = vec![
        layer(
            &l[0],
            29_124_506,
            "/bin/sh -c #(nop) ADD file:5d6b639e8b6bcc011 in / ",
        ),
        layer(
            &l[1],
            8_233_001,
            "RUN /bin/sh -c pip install --no-cache-dir celery==5.3.6 # buildkit",
        ),
    ];
    let bash = deb("bash", "5.2.15-2+b2", "bash", &l[0]);
    let coreutils = deb("coreutils", "9.1-1", "coreutils", &l[0]);
    let celery = pypi("celery", "5.3.6", &l[1]);
    let kombu = pypi("kombu", "5.3.4", &l[1]);
    let mut low = vuln(&coreutils, "CVE-2016-2781", 2, None, "unimportant");
    low.cvss_v3 = cvss(CvssVersion::V3, 6.5, V3_LOCAL);
    low.title =
        Some("coreutils: non-privileged session can escape to the parent session in chroot".into());
    let mut maybe = vuln(&kombu, "PYSEC-2024-0001", 3, None, "affected");
    maybe.type_detected = TypeDetected::Potential;
    maybe.links = Vec::new();
    let (findings, verdicts) = sorted(vec![
        (low, FindingVerdict::Counted),
        (maybe, excluded("POTENTIAL findings are not counted")),
    ]);
    let counts = counts(&findings);
    let evaluation = Evaluation {
        software: watched_software(),
        counts,
        verdicts,
        ..evaluation(
            &policy(),
            Outcome {
                counted: [0, 1, 0, 0, 0],
                ..Outcome::default()
            },
        )
    };
    let mut packages = vec![bash, coreutils, celery, kombu];
    packages.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    ImageResult {
        references: vec!["registry.example/shop/worker:2.0.0".into()],
        inventory: Inventory {
            schema_version: INVENTORY_SCHEMA_VERSION,
            image: metadata(
                "registry.example/shop/worker:2.0.0",
                "config worker",
                layers,
            ),
            distro: Some(debian()),
            packages,
            unknowns: Vec::new(),
        },
        findings,
        not_matched: Vec::new(),
        evaluation,
        base_layers: BTreeSet::from([l[0].clone()]),
        error: None,
    }
}

/// The run of the table and HTML tests.
pub(crate) fn report() -> ScanReport {
    ScanReport {
        tool_name: "portcullis".into(),
        tool_version: "0.1.0".into(),
        generated_at: datetime!(2024-05-01 12:30:45 UTC),
        backend: "local".into(),
        db: Some(DbStamp {
            built_at: "2024-04-29T03:00:00Z".into(),
            sources: vec![
                ("debian-tracker".into(), "2024-04-29T02:10:00Z".into()),
                ("osv-pypi".into(), "2024-04-29T02:40:00Z".into()),
            ],
        }),
        policy: policy(),
        images: vec![api_image(), worker_image()],
        ci: CiMetadata {
            system: Some("github".into()),
            job_name: Some("shop / build-and-scan".into()),
            build_number: Some("1287".into()),
            job_url: Some("https://ci.example/shop/actions/runs/1287".into()),
        },
    }
}
