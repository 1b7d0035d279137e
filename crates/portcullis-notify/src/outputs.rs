//! CI output variables (SPEC §6): Azure DevOps `##vso[task.setvariable]`
//! lines, GitHub Actions `$GITHUB_OUTPUT` entries and a GitLab dotenv
//! report. The renderers are pure; two small helpers write the files.

use std::io::Write;
use std::path::Path;

use portcullis_report::scan::ScanReport;
use serde_json::{json, Value};

use crate::NotifyError;

/// The output variable the Azure DevOps connector users know
/// (`<reference>.imageScanSummary`).
pub const DEFAULT_OUTPUT_NAME: &str = "imageScanSummary";

/// The dotenv file written when `GITLAB_CI` is set and `--ci-dotenv` is not
/// given.
pub const DEFAULT_GITLAB_DOTENV: &str = "portcullis.env";

/// GitLab rejects dotenv reports above 5 KiB (its default instance limit).
pub const GITLAB_DOTENV_LIMIT: usize = 5 * 1024;

/// Everything the CI output writers publish, computed once.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CiOutputs {
    /// Name of the summary variable (Azure, GitHub).
    pub name: String,
    /// Every image passed and none failed to scan.
    pub passed: bool,
    /// Images in the run.
    pub images: usize,
    /// Images that failed (policy or scan error).
    pub failed_images: usize,
    /// Findings over all images, before the gate (the report is complete).
    pub findings: usize,
    /// The summary-json document, compact (one line).
    pub summary: String,
    /// A small digest (verdict, per image id/pass/total) used when the full
    /// summary does not fit a GitLab dotenv report.
    pub short_summary: String,
}

/// Checks an output variable name: ASCII letters, digits and `_`, starting
/// with a letter or `_`, at most 100 characters (what Azure DevOps and
/// GitHub Actions both accept without quoting).
pub fn check_output_name(name: &str) -> Result<(), NotifyError> {
    let mut chars = name.chars();
    let ok = name.len() <= 100
        && chars
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
    if ok {
        Ok(())
    } else {
        Err(NotifyError::OutputName(name.to_owned()))
    }
}

/// Computes the CI outputs of a run. `summary` is the summary-json value
/// (`portcullis_report::scan::summary_value`); `name` the summary
/// variable's name (an invalid one should have been rejected with
/// [`check_output_name`]; here it is sanitised, `_` replacing what is not
/// allowed, and an empty one becomes [`DEFAULT_OUTPUT_NAME`]).
pub fn ci_outputs(report: &ScanReport, summary: &Value, name: &str) -> CiOutputs {
    let failed: Vec<&_> = report
        .images
        .iter()
        .filter(|i| i.error.is_some() || !i.evaluation.pass)
        .collect();
    let short = json!({
        "pass": report.pass(),
        "failedImages": failed.len(),
        "images": report.images.iter().map(|i| json!({
            "imageId": if i.image_id().is_empty() {
                i.references.first().cloned().unwrap_or_default()
            } else {
                i.image_id().to_owned()
            },
            "pass": i.error.is_none() && i.evaluation.pass,
            "findings": i.findings.len(),
        })).collect::<Vec<_>>(),
        "truncated": true,
    });
    CiOutputs {
        name: sanitize_name(name),
        passed: report.pass(),
        images: report.images.len(),
        failed_images: failed.len(),
        findings: report.images.iter().map(|i| i.findings.len()).sum(),
        summary: summary.to_string(),
        short_summary: short.to_string(),
    }
}

fn sanitize_name(name: &str) -> String {
    let mut out: String = name
        .trim()
        .chars()
        .take(100)
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if out.is_empty() {
        return DEFAULT_OUTPUT_NAME.to_owned();
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, '_');
        out.truncate(100);
    }
    out
}

/// Escapes a logging-command value the way the Azure Pipelines agent
/// unescapes it: `%`→`%AZP25` first, then `\r`→`%0D`, `\n`→`%0A`,
/// `;`→`%3B`, `]`→`%5D`.
pub fn azure_escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '%' => out.push_str("%AZP25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            ';' => out.push_str("%3B"),
            ']' => out.push_str("%5D"),
            c => out.push(c),
        }
    }
    out
}

fn vso(name: &str, value: &str) -> String {
    format!(
        "##vso[task.setvariable variable={};isOutput=true]{}\n",
        azure_escape(name),
        azure_escape(value)
    )
}

impl CiOutputs {
    /// The Azure DevOps logging commands, one per line, for the caller to
    /// print to stdout when `TF_BUILD` is set: `<name>` (the compact
    /// summary), `passed`, `failedImages`, `findings`; all output
    /// variables (`isOutput=true`), read as `$(<step>.<name>)`.
    pub fn azure_lines(&self) -> String {
        let mut s = vso(&self.name, &self.summary);
        s.push_str(&vso("passed", bool_str(self.passed)));
        s.push_str(&vso("failedImages", &self.failed_images.to_string()));
        s.push_str(&vso("findings", &self.findings.to_string()));
        s
    }

    /// The `$GITHUB_OUTPUT` entries with a random heredoc delimiter:
    /// `<name>` (the compact summary), `passed`, `failed-images`,
    /// `findings`.
    pub fn github_output(&self) -> String {
        loop {
            let delimiter = format!("ghadelimiter_{}", uuid::Uuid::new_v4().simple());
            if let Ok(s) = self.github_output_with_delimiter(&delimiter) {
                return s;
            }
        }
    }

    /// [`github_output`](Self::github_output) with a given delimiter; fails
    /// when the delimiter occurs in the value (or is empty / multi-line).
    pub fn github_output_with_delimiter(&self, delimiter: &str) -> Result<String, NotifyError> {
        if delimiter.is_empty()
            || delimiter.contains(['\n', '\r'])
            || self.summary.contains(delimiter)
        {
            return Err(NotifyError::Delimiter(delimiter.to_owned()));
        }
        Ok(format!(
            "{name}<<{d}\n{value}\n{d}\npassed={passed}\nfailed-images={failed}\nfindings={findings}\n",
            name = self.name,
            d = delimiter,
            value = self.summary,
            passed = bool_str(self.passed),
            failed = self.failed_images,
            findings = self.findings,
        ))
    }

    /// The GitLab dotenv report: `PORTCULLIS_PASSED`,
    /// `PORTCULLIS_FAILED_IMAGES`, `PORTCULLIS_FINDINGS`,
    /// `PORTCULLIS_SUMMARY` (compact JSON; single line by construction).
    /// When the file would exceed [`GITLAB_DOTENV_LIMIT`], the summary is
    /// replaced by the short digest, or left out, with a warning.
    pub fn gitlab_dotenv(&self) -> DotenvReport {
        let head = format!(
            "PORTCULLIS_PASSED={}\nPORTCULLIS_FAILED_IMAGES={}\nPORTCULLIS_FINDINGS={}\n",
            bool_str(self.passed),
            self.failed_images,
            self.findings
        );
        let with = |summary: &str| format!("{head}PORTCULLIS_SUMMARY={}\n", single_line(summary));
        let full = with(&self.summary);
        if full.len() <= GITLAB_DOTENV_LIMIT {
            return DotenvReport {
                text: full,
                warnings: Vec::new(),
            };
        }
        let short = with(&self.short_summary);
        if short.len() <= GITLAB_DOTENV_LIMIT {
            return DotenvReport {
                text: short,
                warnings: vec![format!(
                    "the summary ({} bytes) does not fit a GitLab dotenv report ({} bytes at most): PORTCULLIS_SUMMARY holds a short digest; read the summary-json artifact for the rest",
                    self.summary.len(),
                    GITLAB_DOTENV_LIMIT
                )],
            };
        }
        DotenvReport {
            text: head,
            warnings: vec![format!(
                "the summary does not fit a GitLab dotenv report ({} bytes at most): PORTCULLIS_SUMMARY left out; read the summary-json artifact",
                GITLAB_DOTENV_LIMIT
            )],
        }
    }
}

/// A rendered dotenv report and what the caller should warn about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DotenvReport {
    /// The file's content.
    pub text: String,
    /// Warnings (e.g. the summary was shortened).
    pub warnings: Vec<String>,
}

fn bool_str(b: bool) -> &'static str {
    if b {
        "true"
    } else {
        "false"
    }
}

/// Compact JSON never holds a raw line break; this keeps the guarantee for
/// any string handed in.
fn single_line(s: &str) -> String {
    s.replace(['\r', '\n'], " ")
}

/// Appends the GitHub Actions entries to the `$GITHUB_OUTPUT` file.
pub fn append_github_output(path: &Path, outputs: &CiOutputs) -> Result<(), NotifyError> {
    let io = |source| NotifyError::Io {
        path: path.to_owned(),
        source,
    };
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(io)?;
    f.write_all(outputs.github_output().as_bytes())
        .map_err(io)?;
    f.flush().map_err(io)
}

/// Writes (replaces) the GitLab dotenv report; returns its warnings.
pub fn write_gitlab_dotenv(path: &Path, outputs: &CiOutputs) -> Result<Vec<String>, NotifyError> {
    let report = outputs.gitlab_dotenv();
    std::fs::write(path, report.text.as_bytes()).map_err(|source| NotifyError::Io {
        path: path.to_owned(),
        source,
    })?;
    Ok(report.warnings)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outputs(summary: &str) -> CiOutputs {
        CiOutputs {
            name: DEFAULT_OUTPUT_NAME.into(),
            passed: false,
            images: 2,
            failed_images: 1,
            findings: 7,
            summary: summary.into(),
            short_summary: r#"{"pass":false}"#.into(),
        }
    }

    #[test]
    fn azure_escaping() {
        assert_eq!(azure_escape("a%b"), "a%AZP25b");
        assert_eq!(azure_escape("x\r\ny"), "x%0D%0Ay");
        assert_eq!(azure_escape("k=v;w]"), "k=v%3Bw%5D");
        // `%` is escaped first, so an escape sequence in the input
        // survives the round trip.
        assert_eq!(azure_escape("%3B;"), "%AZP253B%3B");
        assert_eq!(azure_escape(r#"{"a":"b"}"#), r#"{"a":"b"}"#);
    }

    #[test]
    fn azure_lines_shape() {
        let o = outputs(r#"{"reason":"a;b]c\nd","pct":"100%"}"#);
        let lines = o.azure_lines();
        let all: Vec<&str> = lines.lines().collect();
        assert_eq!(all.len(), 4, "{lines}");
        assert_eq!(
            all[0],
            r#"##vso[task.setvariable variable=imageScanSummary;isOutput=true]{"reason":"a%3Bb%5Dc\nd","pct":"100%AZP25"}"#
        );
        assert_eq!(
            all[1],
            "##vso[task.setvariable variable=passed;isOutput=true]false"
        );
        assert_eq!(
            all[2],
            "##vso[task.setvariable variable=failedImages;isOutput=true]1"
        );
        assert_eq!(
            all[3],
            "##vso[task.setvariable variable=findings;isOutput=true]7"
        );
        // A raw newline in a value never breaks the command.
        let o = outputs("line1\nline2");
        assert_eq!(o.azure_lines().lines().count(), 4);
    }

    #[test]
    fn github_heredoc() {
        let o = outputs(r#"{"a":1}"#);
        let s = o.github_output_with_delimiter("EOF_x").unwrap();
        assert_eq!(
            s,
            "imageScanSummary<<EOF_x\n{\"a\":1}\nEOF_x\npassed=false\nfailed-images=1\nfindings=7\n"
        );
        let o = outputs(r#"{"a":"EOF_x"}"#);
        assert!(matches!(
            o.github_output_with_delimiter("EOF_x"),
            Err(NotifyError::Delimiter(_))
        ));
        assert!(o.github_output_with_delimiter("").is_err());
        let random = o.github_output();
        let delim = random.lines().next().unwrap().split_once("<<").unwrap().1;
        assert!(delim.starts_with("ghadelimiter_"));
        assert!(!o.summary.contains(delim));
        assert_eq!(random.lines().nth(2), Some(delim));
    }

    #[test]
    fn gitlab_dotenv_shape_and_limit() {
        let o = outputs(r#"{"pass":false}"#);
        let d = o.gitlab_dotenv();
        assert_eq!(
            d.text,
            "PORTCULLIS_PASSED=false\nPORTCULLIS_FAILED_IMAGES=1\nPORTCULLIS_FINDINGS=7\nPORTCULLIS_SUMMARY={\"pass\":false}\n"
        );
        assert!(d.warnings.is_empty());
        let big = format!(r#"{{"x":"{}"}}"#, "a".repeat(6000));
        let d = outputs(&big).gitlab_dotenv();
        assert!(
            d.text.ends_with("PORTCULLIS_SUMMARY={\"pass\":false}\n"),
            "{}",
            d.text
        );
        assert_eq!(d.warnings.len(), 1);
        let mut o = outputs(&big);
        o.short_summary = big.clone();
        let d = o.gitlab_dotenv();
        assert!(!d.text.contains("PORTCULLIS_SUMMARY"));
        assert_eq!(d.warnings.len(), 1);
        // Every line is KEY=VALUE.
        assert!(d.text.lines().all(|l| l.split_once('=').is_some()));
        let d = outputs("a\nb").gitlab_dotenv();
        assert_eq!(d.text.lines().count(), 4);
    }

    #[test]
    fn names() {
        assert!(check_output_name("imageScanSummary").is_ok());
        assert!(check_output_name("_x1").is_ok());
        for bad in ["", "1abc", "a-b", "a b", "a]b", "a;b", &"x".repeat(101)] {
            assert!(check_output_name(bad).is_err(), "{bad}");
        }
        assert_eq!(sanitize_name("my var;x]"), "my_var_x_");
        assert_eq!(sanitize_name(""), DEFAULT_OUTPUT_NAME);
        assert_eq!(sanitize_name("9lives"), "_9lives");
    }

    #[test]
    fn files_are_written() {
        let dir = tempfile::tempdir().unwrap();
        let gh = dir.path().join("github_output");
        std::fs::write(&gh, "earlier=1\n").unwrap();
        let o = outputs(r#"{"a":1}"#);
        append_github_output(&gh, &o).unwrap();
        let text = std::fs::read_to_string(&gh).unwrap();
        assert!(
            text.starts_with("earlier=1\nimageScanSummary<<ghadelimiter_"),
            "{text}"
        );
        assert!(text.ends_with("findings=7\n"));
        let env = dir.path().join("portcullis.env");
        assert!(write_gitlab_dotenv(&env, &o).unwrap().is_empty());
        assert!(std::fs::read_to_string(&env)
            .unwrap()
            .contains("PORTCULLIS_FINDINGS=7"));
        let err = write_gitlab_dotenv(&dir.path().join("missing/dir/x.env"), &o).unwrap_err();
        assert!(err.to_string().contains("x.env"));
    }
}
