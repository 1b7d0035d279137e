//! The end of a run: reports to their destinations, then the webhook and
//! the CI output variables, whose failures are warnings only.

use std::io::IsTerminal;

use std::io::Write;

use portcullis_notify::{SecretToken, WebhookOptions};
use portcullis_report::scan::{
    render_scan, summary_value, CiMetadata, ScanFormat, ScanReport, TableStyle,
};

use crate::cli::ScanArgs;
use crate::exit::UsageError;
use crate::output::{deliver, OutputSpec};
use crate::printer::Printer;

/// Renders every requested format; all are rendered before any is
/// written, so a writer error leaves no mix of old and new reports.
pub(super) fn outputs(
    report: &ScanReport,
    outputs: &[OutputSpec<ScanFormat>],
    all_findings: bool,
) -> anyhow::Result<()> {
    let mut rendered = Vec::with_capacity(outputs.len());
    for output in outputs {
        let style = TableStyle {
            color: output.path.is_none() && colours_on_stdout(),
            all_findings,
        };
        rendered.push((output, render_scan(output.format, report, style)?));
    }
    for (output, bytes) in rendered {
        deliver(output.path.as_ref(), &bytes)?;
    }
    Ok(())
}

/// Colours only on a terminal, and never with NO_COLOR (no-color.org).
fn colours_on_stdout() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stdout().is_terminal()
}

pub(super) fn ci_metadata() -> CiMetadata {
    portcullis_notify::ci_metadata_from_env(&env)
}

fn env(key: &str) -> Option<String> {
    std::env::var(key).ok()
}

/// Checks the notification settings before the scan, so a typo costs a
/// second, not a scan.
pub(super) fn validate(args: &ScanArgs) -> Result<(), UsageError> {
    if let Some(url) = &args.webhook_url {
        portcullis_notify::check_webhook_url(url).map_err(|e| UsageError(e.to_string()))?;
    }
    portcullis_notify::check_output_name(&args.output_variable)
        .map_err(|e| UsageError(format!("--output-variable: {e}")))
}

/// CI output variables, then the webhook. Failures are warnings: the
/// verdict is the policy's alone.
pub(super) fn notify(report: &ScanReport, args: &ScanArgs, printer: &Printer) {
    let targets = portcullis_notify::ci_targets(&env);
    if targets.azure
        || targets.github_output.is_some()
        || targets.gitlab
        || args.ci_dotenv.is_some()
    {
        let summary = summary_value(report);
        let outputs = portcullis_notify::ci_outputs(report, &summary, &args.output_variable);
        if targets.azure {
            let mut stdout = std::io::stdout().lock();
            if let Err(e) = stdout.write_all(outputs.azure_lines().as_bytes()) {
                printer.warn(&format!("cannot print the Azure DevOps variables: {e}"));
            }
        }
        if let Some(path) = &targets.github_output {
            if let Err(e) = portcullis_notify::append_github_output(path, &outputs) {
                printer.warn(&format!("cannot write the GitHub Actions outputs: {e}"));
            }
        }
        if targets.gitlab || args.ci_dotenv.is_some() {
            let path = args
                .ci_dotenv
                .clone()
                .unwrap_or_else(|| portcullis_notify::DEFAULT_GITLAB_DOTENV.into());
            match portcullis_notify::write_gitlab_dotenv(&path, &outputs) {
                Ok(warnings) => warnings.iter().for_each(|w| printer.warn(w)),
                Err(e) => printer.warn(&format!("cannot write the GitLab dotenv file: {e}")),
            }
        }
    }
    if let Some(url) = &args.webhook_url {
        let options = WebhookOptions {
            proxy: args.proxy.clone(),
            ca_bundle: args.source.ca_bundle.clone(),
            token: env(portcullis_notify::WEBHOOK_TOKEN_ENV)
                .filter(|t| !t.is_empty())
                .map(SecretToken::new),
            ..WebhookOptions::default()
        };
        printer.progress("posting the webhook");
        let outcome = portcullis_notify::post_webhook(
            url,
            &portcullis_notify::webhook_payload(report),
            &options,
        );
        match outcome.warning() {
            Some(w) => printer.warn(&w),
            None => printer.progress(&outcome.to_string()),
        }
    }
}
