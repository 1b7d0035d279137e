//! JUnit XML for the test tabs of Jenkins, Azure DevOps, Bamboo and GitLab.
//!
//! One `<testsuite>` per image (named by the reference the user gave),
//! with `<properties>` (image, imageId, sha, operating system, backend, DB
//! build time, verdict, finding counts) and one `<testcase>` per condition:
//! `severity`, `qids`, `cves`, `software`, `cvss`, `risk`, `db-freshness`
//! and `evaluation-errors`. A condition that failed has a `<failure>`
//! whose message is the vendor-style "configured vs found" line and whose
//! text lists the blocking findings of that condition; a condition the
//! policy does not configure is `<skipped>`; evaluation errors are a
//! failure (the gate fails closed). An image that could not be scanned has
//! a single `scan` test case with an `<error>`. Warnings go to the suite's
//! `<system-out>`.
//!
//! The XML is written by hand: every text and attribute value goes through
//! [`escape`], which also replaces the control characters XML 1.0 cannot
//! carry.

use std::fmt::Write as _;

use portcullis_policy::{Evaluation, FindingVerdict};

use super::json::{image_key, image_name, os_name, rows, score_text, timestamp, Row};
use super::{ImageResult, ScanReport};
use crate::ReportError;

/// Escapes text for XML content and (double- or single-quoted) attribute
/// values.
pub(super) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// Text content keeps its line breaks readable.
fn escape_text(s: &str) -> String {
    escape(s).replace("&#10;", "\n")
}

enum Outcome {
    Passed,
    Failed { message: String, body: String },
    Skipped,
}

struct Case {
    name: &'static str,
    outcome: Outcome,
}

/// The blocking findings of `condition`, one per line.
fn blocking_lines(img: &ImageResult, condition: &str) -> String {
    let mut out = String::new();
    for row in rows(img) {
        let Some(FindingVerdict::Blocking { conditions }) = row.verdict else {
            continue;
        };
        if conditions.iter().any(|c| c == condition) {
            let _ = writeln!(out, "{}", finding_line(&row));
        }
    }
    out
}

fn finding_line(row: &Row<'_>) -> String {
    let f = row.finding;
    let mut line = format!(
        "{} in {} {} (severity {}",
        f.id, f.package.name, f.package.version, f.severity
    );
    if let Some(fix) = &f.fixed_version {
        let _ = write!(line, ", fixed in {fix}");
    }
    line.push(')');
    if let Some(t) = &f.title {
        let _ = write!(line, ": {t}");
    }
    line
}

fn case(
    name: &'static str,
    configured: bool,
    passed: bool,
    fail: impl FnOnce() -> (String, String),
) -> Case {
    let outcome = if !configured {
        Outcome::Skipped
    } else if passed {
        Outcome::Passed
    } else {
        let (message, body) = fail();
        Outcome::Failed { message, body }
    };
    Case { name, outcome }
}

fn cases(img: &ImageResult) -> Vec<Case> {
    let ev: &Evaluation = &img.evaluation;
    let severity_configured = ev.severities.values().any(|c| c.configured.is_some());
    let severity_passed = ev
        .severities
        .values()
        .all(|c| c.result || c.configured.is_none());
    let mut out = vec![case(
        "severity",
        severity_configured,
        severity_passed,
        || {
            let configured: Vec<String> = ev
                .severities
                .iter()
                .rev()
                .filter_map(|(s, c)| c.configured.map(|n| format!("Severity {s}>{n}")))
                .collect();
            let found: Vec<String> = ev
                .severities
                .iter()
                .rev()
                .filter(|(_, c)| c.configured.is_some())
                .map(|(s, c)| format!("Severity {s}: {}", c.found.unwrap_or(0)))
                .collect();
            (
            format!(
                "The vulnerabilities count by severity exceeded a configured threshold. Configured: {}. Found: {}",
                configured.join("; "),
                found.join("; ")
            ),
            blocking_lines(img, "severity"),
        )
        },
    )];
    let list =
        |name: &'static str, what: &str, c: &portcullis_policy::ListCondition, condition: &str| {
            case(name, c.configured.is_some(), c.result, || {
                (
                    format!(
                        "{what} configured in the policy were found: {}",
                        c.found.as_deref().unwrap_or("")
                    ),
                    blocking_lines(img, condition),
                )
            })
        };
    out.push(list("qids", "QIDs", &ev.qids, "qid"));
    out.push(list("cves", "CVE IDs", &ev.cves, "cve"));
    out.push(list("software", "Software", &ev.software, "software"));
    out.push(case(
        "cvss",
        ev.cvss.configured.is_some(),
        ev.cvss.result,
        || {
            let found: Vec<String> = ev
                .cvss
                .found_map
                .iter()
                .map(|(score, n)| format!("{score} ({n})"))
                .collect();
            (
                format!(
                    "CVSS {} base score >= {} found in {} findings: {}",
                    match ev.cvss.version.as_deref() {
                        Some("2") => "v2",
                        Some("3") => "v3",
                        _ => "max(v2, v3)",
                    },
                    score_text(ev.cvss.configured.unwrap_or_default()),
                    ev.cvss.found,
                    found.join(", ")
                ),
                blocking_lines(img, "cvss"),
            )
        },
    ));
    out.push(case(
        "risk",
        ev.risk.configured.is_some(),
        ev.risk.result,
        || {
            (
                format!(
                    "Risk score {} exceeds the threshold {}",
                    ev.risk.found,
                    ev.risk.configured.unwrap_or_default()
                ),
                blocking_lines(img, "risk"),
            )
        },
    ));
    let fr = &ev.freshness;
    out.push(case(
        "db-freshness",
        fr.warn_days.is_some() || fr.fail_days.is_some(),
        fr.result,
        || {
            (
                format!(
                    "The vulnerability DB is {} days old (fails after {} days)",
                    fr.age_days
                        .map_or("an unknown number of".to_owned(), |d| d.to_string()),
                    fr.fail_days.map_or("-".to_owned(), |d| d.to_string())
                ),
                String::new(),
            )
        },
    ));
    out.push(case(
        "evaluation-errors",
        true,
        ev.errors.is_empty(),
        || {
            (
                format!(
                    "{} evaluation error(s): the image fails closed",
                    ev.errors.len()
                ),
                ev.errors.join("\n"),
            )
        },
    ));
    out
}

fn property(out: &mut String, name: &str, value: &str) {
    let _ = writeln!(
        out,
        "      <property name=\"{}\" value=\"{}\"/>",
        escape(name),
        escape(value)
    );
}

fn suite(
    out: &mut String,
    index: usize,
    img: &ImageResult,
    report: &ScanReport,
    when: &str,
) -> (usize, usize, usize, usize) {
    let name = image_name(img);
    let classname = format!("portcullis.{}", image_key(img));
    let mut body = String::new();
    let (mut tests, mut failures, mut errors, mut skipped) = (0, 0, 0, 0);
    if let Some(error) = &img.error {
        tests = 1;
        errors = 1;
        let _ = writeln!(
            body,
            "    <testcase classname=\"{}\" name=\"scan\" time=\"0\">\n      <error message=\"{}\" type=\"scan-error\">{}</error>\n    </testcase>",
            escape(&classname),
            escape(error),
            escape_text(error)
        );
    } else {
        for c in cases(img) {
            tests += 1;
            let _ = write!(
                body,
                "    <testcase classname=\"{}\" name=\"{}\" time=\"0\"",
                escape(&classname),
                c.name
            );
            match c.outcome {
                Outcome::Passed => body.push_str("/>\n"),
                Outcome::Skipped => {
                    skipped += 1;
                    body.push_str(
                        ">\n      <skipped message=\"not configured\"/>\n    </testcase>\n",
                    );
                }
                Outcome::Failed {
                    message,
                    body: text,
                } => {
                    failures += 1;
                    let _ = writeln!(
                        body,
                        ">\n      <failure message=\"{}\" type=\"{}\">{}</failure>\n    </testcase>",
                        escape(&message),
                        c.name,
                        escape_text(&text)
                    );
                }
            }
        }
    }

    let ev = &img.evaluation;
    let pass = img.error.is_none() && ev.pass;
    let _ = writeln!(
        out,
        "  <testsuite name=\"{}\" id=\"{index}\" package=\"portcullis\" tests=\"{tests}\" failures=\"{failures}\" errors=\"{errors}\" skipped=\"{skipped}\" time=\"0\" timestamp=\"{when}\">",
        escape(&name)
    );
    out.push_str("    <properties>\n");
    property(out, "image", &name);
    property(out, "imageId", img.image_id());
    property(out, "sha", img.sha().unwrap_or(""));
    property(
        out,
        "operatingSystem",
        &os_name(img.inventory.distro.as_ref()).unwrap_or_default(),
    );
    property(out, "backend", &report.backend);
    property(
        out,
        "db.builtAt",
        report.db.as_ref().map_or("", |d| d.built_at.as_str()),
    );
    property(out, "verdict", if pass { "pass" } else { "fail" });
    property(out, "findings", &img.findings.len().to_string());
    let confirmed: u64 = ev.counts.confirmed_by_severity.values().sum();
    let potential: u64 = ev.counts.potential_by_severity.values().sum();
    property(out, "confirmed", &confirmed.to_string());
    property(out, "potential", &potential.to_string());
    property(out, "patchable", &ev.counts.patchable.to_string());
    out.push_str("    </properties>\n");
    out.push_str(&body);
    if !ev.warnings.is_empty() {
        let _ = writeln!(
            out,
            "    <system-out>{}</system-out>",
            escape_text(&ev.warnings.join("\n"))
        );
    }
    out.push_str("  </testsuite>\n");
    (tests, failures, errors, skipped)
}

pub(crate) fn render(report: &ScanReport) -> Result<Vec<u8>, ReportError> {
    // JUnit's timestamp is ISO 8601 without a zone.
    let when = timestamp(report.generated_at)?
        .trim_end_matches('Z')
        .to_owned();
    let mut suites = String::new();
    let mut totals = (0, 0, 0, 0);
    for (i, img) in report.images.iter().enumerate() {
        let (t, f, e, s) = suite(&mut suites, i, img, report, &when);
        totals = (totals.0 + t, totals.1 + f, totals.2 + e, totals.3 + s);
    }
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"{} scan\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" time=\"0\">",
        escape(&report.tool_name),
        totals.0,
        totals.1,
        totals.2,
        totals.3
    );
    out.push_str(&suites);
    out.push_str("</testsuites>\n");
    Ok(out.into_bytes())
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn escapes_markup_quotes_and_controls() {
        assert_eq!(
            escape("<a href=\"x\">&'\u{1}\n"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&apos;\u{FFFD}&#10;"
        );
    }
}
