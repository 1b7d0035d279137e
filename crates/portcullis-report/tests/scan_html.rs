//! The HTML report: a realistic two-image run rendered, snapshotted, checked
//! for escaping and self-containment, and loaded in headless Chromium
//! (every view: no console error, no failed request, a non-blank screenshot).
//!
//! Environment:
//! * `PORTCULLIS_REQUIRE_CHROMIUM=1`: fail (instead of skipping) when
//!   Chromium or python3 is missing;
//! * `PORTCULLIS_CHROMIUM`: the browser binary (default: the first of
//!   `chromium`, `chromium-browser`, `google-chrome` on `PATH`);
//! * `PORTCULLIS_SCREENSHOT_DIR`: where the PNGs of the five views go
//!   (default: a temporary directory).
//!
//! The fixture is the same as `scan_table.rs`'s (integration tests cannot
//! share a module without a third file).

use std::collections::{BTreeMap, BTreeSet};

use portcullis_advisory::{Cvss, CvssVersion};
use portcullis_match::{Finding, FindingPackage, TypeDetected};
use portcullis_policy::{
    Counts, CvssCondition, CvssMode, CvssRule, Evaluation, FindingVerdict, FreshnessCondition,
    IgnoreRule, ListCondition, Policy, RiskCondition, RiskRule, SeverityCondition,
};
use portcullis_report::scan::{
    render_scan, CiMetadata, DbStamp, ImageResult, ScanFormat, ScanReport, TableStyle,
};
use portcullis_types::{
    purl_for, Digest, Distro, Ecosystem, HistoryEntry, ImageMetadata, Inventory, LayerMetadata,
    Package, INVENTORY_SCHEMA_VERSION,
};
use time::macros::{date, datetime};

// ---------------------------------------------------------------- fixture

fn digest(seed: &str) -> Digest {
    use std::fmt::Write;
    // A stable, valid, distinct digest per seed (not a real hash, no crate).
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

fn debian() -> Distro {
    Distro {
        id: "debian".into(),
        version_id: Some("12".into()),
        codename: Some("bookworm".into()),
        pretty_name: Some("Debian GNU/Linux 12 (bookworm)".into()),
        id_like: Vec::new(),
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

fn cvss(version: CvssVersion, score: f64, vector: &str) -> Option<Cvss> {
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
        package: FindingPackage {
            ecosystem: p.ecosystem,
            name: p.name.clone(),
            version: p.version.clone(),
            source_name: p.source_name.clone(),
            source_version: p.source_version.clone(),
            purl: p.purl.clone(),
            locations: p.locations.clone(),
        },
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

fn blocking(conditions: &[&str]) -> FindingVerdict {
    FindingVerdict::Blocking {
        conditions: conditions.iter().map(|c| (*c).into()).collect(),
    }
}

fn excluded(reason: &str) -> FindingVerdict {
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

fn severities(limits: &[(u8, u64)], found: [u64; 5]) -> BTreeMap<u8, SeverityCondition> {
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

/// Sorts the findings as the matcher does and keeps each verdict with its
/// finding.
fn sorted(mut pairs: Vec<(Finding, FindingVerdict)>) -> (Vec<Finding>, Vec<FindingVerdict>) {
    pairs.sort_by(|a, b| a.0.sort_key().cmp(&b.0.sort_key()));
    pairs.into_iter().unzip()
}

fn policy() -> Policy {
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
fn api_image() -> ImageResult {
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
        pass: false,
        severities: severities(&[(5, 0), (4, 2)], [1, 1, 2, 3, 1]),
        qids: ListCondition {
            result: true,
            ..ListCondition::default()
        },
        cves: ListCondition {
            configured: Some("CVE-2023-4911".into()),
            found: Some("CVE-2023-4911".into()),
            result: false,
            excluded: None,
        },
        software: ListCondition {
            configured: Some("log4j-core, xz-utils=5.6.*".into()),
            found: None,
            result: true,
            excluded: None,
        },
        cvss: CvssCondition {
            configured: Some(7.5),
            found: 3,
            version: Some("3".into()),
            result: false,
            found_map: BTreeMap::from([("7.5".into(), 1), ("7.8".into(), 1), ("8.8".into(), 1)]),
        },
        risk: RiskCondition {
            configured: Some(10),
            found: 6,
            weights: RiskRule::default_weights(),
            result: true,
        },
        freshness: FreshnessCondition {
            age_days: Some(2),
            warn_days: Some(7),
            fail_days: Some(30),
            result: true,
        },
        potential_checked: false,
        counts,
        verdicts,
        reasons: vec![
            "Severity 5: 1 found, more than the configured 0".into(),
            "Severity 4: 3 found, more than the configured 2".into(),
            "CVE IDs configured in Failure Conditions were found: CVE-2023-4911".into(),
            "CVSS v3 score >= 7.5 found: 7.5: 1, 7.8: 1, 8.8: 1".into(),
        ],
        errors: Vec::new(),
        warnings: vec!["ignore rule CVE-2023-45853 (platform-team) expires on 2024-05-10".into()],
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
fn worker_image() -> ImageResult {
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
        pass: true,
        severities: severities(&[(5, 0), (4, 2)], [0, 1, 0, 0, 0]),
        qids: ListCondition {
            result: true,
            ..ListCondition::default()
        },
        cves: ListCondition {
            configured: Some("CVE-2023-4911".into()),
            found: None,
            result: true,
            excluded: None,
        },
        software: ListCondition {
            configured: Some("log4j-core, xz-utils=5.6.*".into()),
            found: None,
            result: true,
            excluded: None,
        },
        cvss: CvssCondition {
            configured: Some(7.5),
            found: 0,
            version: Some("3".into()),
            result: true,
            found_map: BTreeMap::new(),
        },
        risk: RiskCondition {
            configured: Some(10),
            found: 0,
            weights: RiskRule::default_weights(),
            result: true,
        },
        freshness: FreshnessCondition {
            age_days: Some(2),
            warn_days: Some(7),
            fail_days: Some(30),
            result: true,
        },
        potential_checked: false,
        counts,
        verdicts,
        reasons: Vec::new(),
        errors: Vec::new(),
        warnings: Vec::new(),
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

fn report() -> ScanReport {
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

// ------------------------------------------------------------------ tests

fn html(report: &ScanReport) -> String {
    match render_scan(ScanFormat::Html, report, TableStyle::default()) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(s) => s,
            Err(e) => panic!("HTML is not UTF-8: {e}"),
        },
        Err(e) => panic!("html: {e}"),
    }
}

#[test]
fn snapshot() {
    let out = html(&report());
    assert_eq!(out, html(&report()), "deterministic");
    insta::assert_snapshot!("report", out);
}

#[test]
fn self_contained_and_escaped() {
    let out = html(&report());
    // The hostile title is text, never markup.
    assert!(out.contains("&lt;script&gt;alert(1)&lt;/script&gt; Jinja vulnerable"));
    assert!(!out.contains("<script>alert"));
    assert_eq!(
        out.matches("<script").count(),
        1,
        "only the report's own script"
    );
    assert!(out.contains("echo &quot;&lt;b&gt;not bold&lt;/b&gt;&quot; &amp; done"));
    // Nothing is loaded from anywhere.
    for attr in [" src=", "<link", "@import", "url("] {
        assert!(!out.contains(attr), "{attr} in the report");
    }
    assert!(out.contains("Content-Security-Policy"));
    // All five views are in the document (readable without JS).
    for id in [
        "summary",
        "statistics",
        "vulnerabilities",
        "software",
        "layers",
    ] {
        assert!(
            out.contains(&format!("<section class=\"view\" id=\"{id}\"")),
            "{id}"
        );
    }
    // Every finding is listed, whatever its verdict; both images have blocks.
    for id in [
        "CVE-2023-45853",
        "CVE-2023-7104",
        "CVE-2024-0727",
        "CVE-2016-2781",
    ] {
        assert!(out.contains(id), "{id}");
    }
    assert_eq!(out.matches("data-image=\"img-2\"").count(), 5);
}

/// Every element is closed in order (void and self-closed SVG elements
/// aside); `<style>` and `<script>` bodies are skipped.
fn assert_balanced(html: &str) {
    const VOID: [&str; 5] = ["meta", "input", "br", "img", "link"];
    let mut stack: Vec<&str> = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        rest = &rest[i + 1..];
        if rest.starts_with('!') {
            continue;
        }
        let end = match rest.find('>') {
            Some(e) => e,
            None => panic!("unterminated tag near {:?}", &rest[..rest.len().min(60)]),
        };
        let tag = &rest[..end];
        let closing = tag.starts_with('/');
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        let name = &tag.trim_start_matches('/')[..name.len()];
        if closing {
            match stack.pop() {
                Some(open) if open == name => {}
                other => panic!("</{name}> closes {other:?}; open: {stack:?}"),
            }
        } else if !tag.ends_with('/') && !VOID.contains(&name) {
            stack.push(name);
            if name == "style" || name == "script" {
                let close = format!("</{name}>");
                match rest.find(&close) {
                    Some(j) => rest = &rest[j..],
                    None => panic!("unclosed <{name}>"),
                }
                continue;
            }
        }
        rest = &rest[end.min(rest.len())..];
    }
    assert!(stack.is_empty(), "left open: {stack:?}");
}

#[test]
fn markup_is_balanced() {
    // The checker itself catches a mismatch and an unclosed element.
    for bad in ["<div><span></div>", "<section><p>x</p>"] {
        assert!(
            std::panic::catch_unwind(|| assert_balanced(bad)).is_err(),
            "{bad}"
        );
    }
    assert_balanced(&html(&report()));
    let mut r = report();
    r.images[1].error = Some("<div><table>".into());
    r.images[1].findings.clear();
    r.images[1].evaluation = Evaluation::default();
    assert_balanced(&html(&r));
}

#[test]
fn hostile_links_are_not_followed() {
    let mut r = report();
    let f = &mut r.images[0].findings[0];
    f.links = vec![
        "javascript:alert(1)".into(),
        format!("https://example.org/{}\"onmouseover=\"alert(1)", f.id),
    ];
    r.images[0].references = vec!["evil\"><img src=x onerror=alert(1)>:latest".into()];
    let out = html(&r);
    assert!(!out.contains("href=\"javascript:"));
    assert!(!out.contains("\"onmouseover=\""));
    assert!(!out.contains("<img"));
    assert!(out.contains("evil&quot;&gt;&lt;img src=x onerror=alert(1)&gt;:latest"));
}

#[test]
fn single_passing_image_and_unscannable_image() {
    let mut r = report();
    r.images.remove(0);
    let out = html(&r);
    assert!(out.contains("<strong>Build passed</strong>"));
    assert!(
        !out.contains("id=\"image-select\""),
        "no selector for one image"
    );

    let mut broken = worker_image();
    broken.error = Some("layer 2: <gzip> stream truncated".into());
    broken.findings.clear();
    broken.evaluation = Evaluation::default();
    r.images.push(broken);
    let out = html(&r);
    assert!(out.contains("<strong>Build failed</strong>"));
    assert!(out.contains("layer 2: &lt;gzip&gt; stream truncated"));
}

// ---------------------------------------------------------------- chromium

fn find_chromium() -> Option<String> {
    if let Ok(bin) = std::env::var("PORTCULLIS_CHROMIUM") {
        return Some(bin);
    }
    let path = std::env::var_os("PATH")?;
    ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|name| std::env::split_paths(&path).any(|dir| dir.join(name).is_file()))
        .map(str::to_owned)
}

/// The browser, or `None` (after saying so loudly) when the test must be
/// skipped; panics when `PORTCULLIS_REQUIRE_CHROMIUM=1` and it is missing.
#[allow(clippy::print_stderr)] // says loudly what was skipped
fn chromium() -> Option<String> {
    let required = std::env::var("PORTCULLIS_REQUIRE_CHROMIUM").as_deref() == Ok("1");
    let python = std::process::Command::new("python3")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    match (find_chromium(), python) {
        (Some(bin), true) => Some(bin),
        (bin, _) => {
            let what = if bin.is_none() { "chromium" } else { "python3" };
            if required {
                panic!("{what} is missing and PORTCULLIS_REQUIRE_CHROMIUM=1");
            }
            eprintln!(
                "\n=== SKIPPED: {what} not found; the HTML report was NOT checked in a browser \
                 (install Debian's `chromium`, or set PORTCULLIS_REQUIRE_CHROMIUM=1 to fail) ===\n"
            );
            None
        }
    }
}

/// Runs `tests/html_chromium.py` on `html` and returns its JSON verdict and
/// exit code. The script bounds its own run; this bounds the script.
fn drive(
    bin: &str,
    html: &std::path::Path,
    out: &std::path::Path,
    views: &str,
    extra: &[&str],
) -> (serde_json::Value, i32) {
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/html_chromium.py");
    let mut child = match std::process::Command::new("python3")
        .arg(&script)
        .arg("--chromium")
        .arg(bin)
        .arg("--html")
        .arg(html)
        .arg("--out")
        .arg(out)
        .arg("--views")
        .arg(views)
        .arg("--timeout")
        .arg("120")
        .args(extra)
        .stdout(std::process::Stdio::piped())
        .spawn()
    {
        Ok(c) => c,
        Err(e) => panic!("python3 {}: {e}", script.display()),
    };
    let started = std::time::Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) if started.elapsed() > std::time::Duration::from_secs(180) => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("the Chromium driver did not finish in 180 s");
            }
            Ok(None) => std::thread::sleep(std::time::Duration::from_millis(100)),
            Err(e) => panic!("waiting for the Chromium driver: {e}"),
        }
    }
    let output = match child.wait_with_output() {
        Ok(o) => o,
        Err(e) => panic!("Chromium driver output: {e}"),
    };
    let text = String::from_utf8_lossy(&output.stdout);
    let value = match serde_json::from_str(&text) {
        Ok(v) => v,
        Err(e) => panic!("the Chromium driver printed no JSON ({e}):\n{text}"),
    };
    (value, output.status.code().unwrap_or(-1))
}

fn temp_dir() -> tempfile::TempDir {
    match tempfile::tempdir() {
        Ok(d) => d,
        Err(e) => panic!("temp dir: {e}"),
    }
}

fn write(path: &std::path::Path, text: &str) {
    if let Err(e) = std::fs::write(path, text) {
        panic!("{}: {e}", path.display());
    }
}

#[test]
#[allow(clippy::print_stderr)] // says where the screenshots are
fn chromium_renders_every_view() {
    let Some(bin) = chromium() else { return };
    let dir = temp_dir();
    let page = dir.path().join("report.html");
    write(&page, &html(&report()));
    let shots = std::env::var_os("PORTCULLIS_SCREENSHOT_DIR")
        .map_or_else(|| dir.path().join("screenshots"), std::path::PathBuf::from);
    let views = "summary,statistics,vulnerabilities,software,layers";
    let (result, code) = drive(&bin, &page, &shots, views, &["--interact"]);
    assert_eq!(code, 0, "Chromium found problems:\n{result:#}");
    for view in views.split(',') {
        let png = shots.join(format!("report-{view}.png"));
        let size = std::fs::metadata(&png).map(|m| m.len()).unwrap_or(0);
        assert!(size > 20_000, "{}: {size} bytes", png.display());
        let info = &result["views"][view];
        assert_eq!(info["active"], view, "{info:#}");
        assert_eq!(
            info["titleAsText"], true,
            "the <script> title shows as text"
        );
        assert!(info["colors"].as_u64().unwrap_or(0) >= 8, "{info:#}");
    }
    let acts = &result["views"]["vulnerabilities"]["interactions"];
    assert_eq!(acts["critical"], 2, "severity filter: {acts:#}");
    assert_eq!(acts["shownText"], "2 of 12 shown", "{acts:#}");
    assert_eq!(acts["all"], true, "{acts:#}");
    assert_eq!(acts["firstByPackage"], "jinja2 pypi", "sorting: {acts:#}");
    assert_eq!(
        acts["lastByPackage"], "zlib1g deb",
        "sorting back: {acts:#}"
    );
    assert_eq!(acts["blocksWithOneImage"], 1, "image selector: {acts:#}");
    assert_eq!(acts["blocksWithAll"], 2, "image selector: {acts:#}");
    eprintln!("screenshots of the five views: {}", shots.display());
}

/// Without JavaScript every view is in the page, one after the other.
#[test]
fn chromium_without_js_shows_every_view() {
    let Some(bin) = chromium() else { return };
    let dir = temp_dir();
    let page = dir.path().join("report.html");
    write(&page, &html(&report()));
    let shots = std::env::var_os("PORTCULLIS_SCREENSHOT_DIR")
        .map_or_else(|| dir.path().join("screenshots"), std::path::PathBuf::from);
    let (result, code) = drive(&bin, &page, &shots, "summary", &["--no-js"]);
    assert_eq!(code, 0, "{result:#}");
    assert_eq!(
        result["views"]["summary"]["visibleSections"], 5,
        "{result:#}"
    );
    assert_eq!(
        result["views"]["summary"]["active"],
        serde_json::Value::Null
    );
}

/// The checks can fail: an uncaught exception and a blocked external load
/// are both reported.
#[test]
fn chromium_check_catches_errors() {
    let Some(bin) = chromium() else { return };
    let dir = temp_dir();
    let good = html(&report());

    // A script error (the CSP is dropped so the altered script runs).
    let csp_start = good.find("<meta http-equiv=\"Content-Security-Policy\"");
    let broken = match csp_start {
        Some(start) => {
            let end = start + good[start..].find('>').unwrap_or(0) + 1;
            let without = format!("{}{}", &good[..start], &good[end..]);
            without.replacen(
                "<script>",
                "<script>throw new Error('injected failure');",
                1,
            )
        }
        None => panic!("no CSP in the report"),
    };
    let page = dir.path().join("broken.html");
    write(&page, &broken);
    let (result, code) = drive(&bin, &page, &dir.path().join("broken"), "summary", &[]);
    assert_eq!(code, 1, "{result:#}");
    assert!(
        result.to_string().contains("injected failure"),
        "{result:#}"
    );

    // An external load: refused by the CSP, and reported.
    let external = good.replacen(
        "</main>",
        "<img alt=\"\" src=\"https://unreachable.invalid/pixel.png\"></main>",
        1,
    );
    let page = dir.path().join("external.html");
    write(&page, &external);
    let (result, code) = drive(&bin, &page, &dir.path().join("external"), "summary", &[]);
    assert_eq!(code, 1, "{result:#}");
    assert!(
        result.to_string().contains("unreachable.invalid"),
        "{result:#}"
    );
}
