//! The CVSS calculator: the specifications' worked examples, malformed
//! vectors, and every vector with a published score in the real data.
#![allow(clippy::print_stderr)] // says what was checked or skipped

mod support;

use portcullis_advisory::cvss::parse;
use portcullis_advisory::CvssVersion;
use serde_json::Value;

/// CVSS v3.1 "Examples" document (FIRST), one per CVE it scores.
const V31_EXAMPLES: &[(&str, &str, f64)] = &[
    ("CVE-2013-1937", "AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1),
    ("CVE-2013-0375", "AV:N/AC:L/PR:L/UI:N/S:C/C:L/I:L/A:N", 6.4),
    ("CVE-2014-3566", "AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N", 3.1),
    ("CVE-2012-1516", "AV:N/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H", 9.9),
    ("CVE-2009-0783", "AV:L/AC:L/PR:H/UI:N/S:U/C:L/I:L/A:L", 4.2),
    ("CVE-2012-0384", "AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", 8.8),
    ("CVE-2015-1098", "AV:L/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H", 7.8),
    ("CVE-2014-0160", "AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N", 7.5),
    ("CVE-2014-6271", "AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8),
    ("CVE-2008-1447", "AV:N/AC:H/PR:N/UI:N/S:C/C:N/I:H/A:N", 6.8),
    ("CVE-2014-2005", "AV:P/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 6.8),
    ("CVE-2010-0467", "AV:N/AC:L/PR:N/UI:N/S:C/C:L/I:N/A:N", 5.8),
    ("CVE-2014-9253", "AV:N/AC:L/PR:L/UI:R/S:C/C:L/I:L/A:N", 5.4),
    ("CVE-2011-1265", "AV:A/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 8.8),
    ("CVE-2016-0128", "AV:N/AC:H/PR:N/UI:R/S:U/C:H/I:H/A:N", 6.8),
    ("CVE-2013-6014", "AV:A/AC:L/PR:N/UI:N/S:C/C:N/I:H/A:N", 7.4),
];

/// CVSS v2 Complete Guide §3.3 examples.
const V2_EXAMPLES: &[(&str, &str, f64)] = &[
    ("CVE-2002-0392", "AV:N/AC:L/Au:N/C:N/I:N/A:C", 7.8),
    ("CVE-2003-0818", "AV:N/AC:L/Au:N/C:C/I:C/A:C", 10.0),
    ("CVE-2003-0062", "AV:L/AC:H/Au:N/C:C/I:C/A:C", 6.2),
];

#[test]
fn specification_examples() {
    for (cve, v, want) in V31_EXAMPLES {
        for prefix in ["CVSS:3.1/", "CVSS:3.0/"] {
            let c = parse(&format!("{prefix}{v}")).unwrap_or_else(|e| panic!("{cve}: {e}"));
            assert_eq!(c.version, CvssVersion::V3);
            assert_eq!(c.score, *want, "{cve} {prefix}{v}");
        }
    }
    for (cve, v, want) in V2_EXAMPLES {
        for form in [v.to_string(), format!("({v})"), format!("CVSS:2.0/{v}")] {
            let c = parse(&form).unwrap_or_else(|e| panic!("{cve}: {e}"));
            assert_eq!(c.version, CvssVersion::V2);
            assert_eq!(c.score, *want, "{cve} {form}");
        }
    }
    // No impact at all scores 0 in both versions.
    assert_eq!(
        parse("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:N/I:N/A:N")
            .unwrap()
            .score,
        0.0
    );
    assert_eq!(parse("AV:N/AC:L/Au:N/C:N/I:N/A:N").unwrap().score, 0.0);
}

#[test]
fn temporal_and_environmental_metrics_do_not_change_the_base_score() {
    let base = parse("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H").unwrap();
    let full =
        parse("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:U/RL:O/RC:R/CR:L/MAV:P").unwrap();
    assert_eq!(full.score, base.score);
    assert_eq!(
        full.vector,
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:U/RL:O/RC:R/CR:L/MAV:P"
    );
    let v2 = parse("AV:N/AC:L/Au:N/C:P/I:P/A:P/E:F/RL:OF/RC:C/CDP:H/TD:H").unwrap();
    assert_eq!(v2.score, 7.5);
}

#[test]
fn malformed_vectors_are_refused_with_a_reason() {
    let cases = [
        (
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H",
            "missing base metric(s) A",
        ),
        (
            "CVSS:3.1/AV:N/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
            "AV given twice",
        ),
        (
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/XX:1",
            "unknown metric XX",
        ),
        (
            "CVSS:3.1/AV:Q/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
            "invalid value \"Q\" for metric AV",
        ),
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:X/C:H/I:H/A:H", "metric S"),
        (
            "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:U/A:U",
            "invalid value \"U\" for metric I",
        ),
        (
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
            "v4",
        ),
        ("CVSS:9.9/AV:N", "unknown CVSS version"),
        ("CVSS:3.1/", "no metrics"),
        ("", "no metrics"),
        ("AV:N/AC:L/Au:N/C:P/I:P", "missing base metric(s) A"),
        ("AV:N/AC:L/Au:N/C:P/I:P/A:P/PR:N", "unknown metric PR"),
        ("AV:N/AC:L/Au:N/C:P/I:P/A", "not NAME:VALUE"),
        ("AV:N//AC:L", "not NAME:VALUE"),
        // v3 metric names in a v2 vector and the reverse.
        ("AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "unknown metric PR"),
        ("CVSS:3.1/AV:N/AC:L/Au:N/C:P/I:P/A:P", "unknown metric Au"),
    ];
    for (vector, reason) in cases {
        let err = parse(vector).expect_err(vector);
        assert!(
            err.reason.contains(reason),
            "{vector}: {} (wanted {reason:?})",
            err.reason
        );
        assert_eq!(err.vector, vector);
    }
}

/// nodejs security-wg npm records whose `cvss_score` is not what their own
/// `cvss_vector` gives (checked by hand against FIRST's calculator and the
/// Python `cvss` library): `(file, stated score, computed score)`. `None`:
/// the vector itself is invalid (504 has `I:U/A:U`).
const NPM_SCORE_ERRORS: &[(&str, f64, Option<f64>)] = &[
    ("363", 9.3, Some(7.5)),
    ("364", 9.3, Some(7.5)),
    ("365", 8.8, Some(8.1)),
    ("366", 9.8, Some(7.7)),
    ("367", 2.5, Some(1.8)),
    ("368", 2.5, Some(1.8)),
    ("373", 8.3, Some(8.6)),
    ("381", 8.6, Some(7.7)),
    ("383", 8.6, Some(7.7)),
    ("384", 8.6, Some(7.7)),
    ("385", 8.6, Some(7.7)),
    ("386", 8.6, Some(7.7)),
    ("389", 9.3, Some(7.5)),
    ("420", 9.5, Some(7.4)),
    ("439", 9.3, Some(7.5)),
    ("467", 6.0, Some(4.2)),
    ("468", 6.1, Some(5.3)),
    ("485", 7.5, Some(8.6)),
    ("493", 7.0, Some(5.7)),
    ("494", 6.1, Some(5.1)),
    ("504", 7.5, None),
    ("515", 9.3, Some(7.5)),
    ("516", 7.4, Some(6.3)),
];

fn json(path: &std::path::Path) -> Value {
    serde_json::from_str(&support::read_text(path))
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn nvd_scores_agree() {
    let Some(data) = support::vulndata() else {
        return;
    };
    let mut checked = 0;
    for path in support::files_under(&data.join("nvd")) {
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        let record = json(&path);
        let metrics = &record["metrics"];
        for key in ["cvssMetricV31", "cvssMetricV30", "cvssMetricV2"] {
            for m in metrics[key].as_array().into_iter().flatten() {
                let vector = m["cvssData"]["vectorString"]
                    .as_str()
                    .expect("vectorString");
                let want = m["cvssData"]["baseScore"].as_f64().expect("baseScore");
                let got = parse(vector).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                assert_eq!(got.score, want, "{}: {vector}", path.display());
                checked += 1;
            }
        }
    }
    assert!(checked >= 4, "the two NVD records carry v3.1 and v2 each");
    eprintln!("NVD: {checked} vectors agree with NVD's baseScore");
}

#[test]
fn every_osv_cvss_vector_parses() {
    let Some(data) = support::vulndata() else {
        return;
    };
    let mut checked = 0;
    for dir in ["ghsa", "golang"] {
        for path in support::files_under(&data.join(dir)) {
            if path.extension().is_none_or(|e| e != "json") {
                continue;
            }
            let record = json(&path);
            for s in record["severity"].as_array().into_iter().flatten() {
                if s["type"] == "CVSS_V3" || s["type"] == "CVSS_V2" {
                    let v = s["score"].as_str().expect("score");
                    parse(v).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                    checked += 1;
                }
            }
        }
    }
    // The pypa YAML writes `score: CVSS:3.x/…` on one line.
    for path in support::files_under(&data.join("pypa")) {
        for line in support::read_text(&path).lines() {
            if let Some(v) = line.trim().strip_prefix("score: ") {
                parse(v.trim_matches(['\'', '"']))
                    .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                checked += 1;
            }
        }
    }
    assert!(
        checked >= 4 + 18,
        "4 GHSA and 18 pypa vectors, got {checked}"
    );
    eprintln!("OSV: {checked} CVSS vectors parse");
}

#[test]
fn nodejs_security_wg_scores_agree_except_documented_data_errors() {
    let Some(data) = support::vulndata() else {
        return;
    };
    let (mut agree, mut errors) = (0, Vec::new());
    for sub in ["npm", "core"] {
        for path in support::files_under(&data.join("nodejs-security-wg/vuln").join(sub)) {
            let stem = path
                .file_stem()
                .and_then(|s| s.to_str())
                .expect("stem")
                .to_owned();
            if stem == "index" {
                continue;
            }
            let record = json(&path);
            let vector = match sub {
                "npm" => record["cvss_vector"].as_str().map(str::to_owned),
                // Core records drop the `CVSS:` prefix.
                _ => record["cvss"].as_str().map(|v| format!("CVSS:{v}")),
            };
            let (Some(vector), Some(stated)) = (vector, record["cvss_score"].as_f64()) else {
                continue;
            };
            match parse(&vector) {
                Ok(c) if c.score == stated => agree += 1,
                Ok(c) => errors.push((format!("{sub}/{stem}"), stated, Some(c.score))),
                Err(_) => errors.push((format!("{sub}/{stem}"), stated, None)),
            }
        }
    }
    let want: Vec<(String, f64, Option<f64>)> = NPM_SCORE_ERRORS
        .iter()
        .map(|(f, s, c)| (format!("npm/{f}"), *s, *c))
        .collect();
    assert_eq!(
        errors, want,
        "disagreements other than the documented data errors"
    );
    assert_eq!(agree, 435 + 2, "435 npm and 2 core records agree");
    eprintln!(
        "nodejs security-wg: {agree} scores agree, {} documented data errors",
        errors.len()
    );
}
