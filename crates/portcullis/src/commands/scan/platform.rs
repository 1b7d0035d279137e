//! `--backend qualys|server`: the vendor connectors' flow (reference §3.1)
//! with their defects fixed. Sensor check, tagging time, resolve and
//! dedupe, tag, authenticate, poll every image at once; the platform's
//! results then go through the same policy and writers as local scans.

use std::io::BufRead;
use std::time::{Duration, SystemTime};

use anyhow::Context;
use portcullis_docker::{check_sensor, connect, resolve_images, tag_for_scan};
use portcullis_platform::{
    details_to_scan, parse_seconds_expr, poll_images, Client, ClientOptions, Credentials,
    PollOptions, PollResult, Secret,
};

use super::images::{Scanned, ScannedImage};
use crate::cli::ScanArgs;
use crate::exit::UsageError;
use crate::printer::Printer;

/// The vendor's floor: polling faster only loads the platform.
const MIN_POLL_INTERVAL: u64 = 30;

/// Test hook: the polling interval (and auth retry pause) in milliseconds,
/// below the 30 s floor, so tests of the flow against a local fake API do
/// not take minutes. Not meant for production use.
const TEST_POLL_ENV: &str = "PORTCULLIS_TEST_POLL_INTERVAL_MS";

/// What a platform backend needs, checked before any work.
pub(super) struct Settings {
    client: ClientOptions,
    poll: PollOptions,
}

pub(super) fn settings(args: &ScanArgs, printer: &Printer) -> Result<Settings, UsageError> {
    let p = &args.platform;
    let api_url = p.api_url.clone().ok_or_else(|| {
        UsageError(format!(
            "--backend {} needs --api-url (or PORTCULLIS_API_URL)",
            args.backend
        ))
    })?;
    let credentials = match (&p.username, &p.client_id) {
        (Some(_), Some(_)) => {
            return Err(UsageError(
                "give either --username (password) or --client-id (OAuth), not both".into(),
            ))
        }
        (Some(user), None) => Credentials::Password {
            username: user.clone(),
            password: secret(args, "PORTCULLIS_PASSWORD", "password")?,
        },
        (None, Some(id)) => Credentials::Oidc {
            client_id: id.clone(),
            client_secret: secret(args, "PORTCULLIS_CLIENT_SECRET", "client secret")?,
        },
        (None, None) => {
            return Err(UsageError(format!(
                "--backend {} needs --username (or PORTCULLIS_USERNAME) or --client-id",
                args.backend
            )))
        }
    };
    let seconds = |flag: &str, text: &str| {
        parse_seconds_expr(text).map_err(|e| UsageError(format!("--{flag} {text:?}: {e}")))
    };
    let mut interval = Duration::from_secs(seconds("poll-interval", &p.poll_interval)?);
    if interval.as_secs() < MIN_POLL_INTERVAL {
        printer.warn(&format!(
            "--poll-interval {}: below the minimum of {MIN_POLL_INTERVAL} s, using {MIN_POLL_INTERVAL} s",
            p.poll_interval
        ));
        interval = Duration::from_secs(MIN_POLL_INTERVAL);
    }
    let mut client = ClientOptions::new(api_url, credentials);
    client.proxy.clone_from(&args.proxy);
    client.ca_bundles.extend(args.source.ca_bundle.clone());
    if let Some(ms) = std::env::var(TEST_POLL_ENV)
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
    {
        interval = Duration::from_millis(ms);
        client.auth_retry_delay = Duration::from_millis(ms);
    }
    Ok(Settings {
        client,
        poll: PollOptions {
            interval,
            timeout: Duration::from_secs(seconds("timeout", &p.timeout)?),
            ..PollOptions::default()
        },
    })
}

/// The password or client secret: environment, else a file, else stdin.
/// Never a flag value, so it never shows in a process list.
fn secret(args: &ScanArgs, var: &str, what: &str) -> Result<Secret, UsageError> {
    let p = &args.platform;
    if p.password_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(|e| UsageError(format!("cannot read the {what} from stdin: {e}")))?;
        return non_empty(line.trim_end_matches(['\r', '\n']), what, "stdin");
    }
    if let Some(path) = &p.password_file {
        let text = std::fs::read_to_string(path).map_err(|e| {
            UsageError(format!(
                "cannot read the {what} from {}: {e}",
                path.display()
            ))
        })?;
        let first = text.lines().next().unwrap_or("");
        return non_empty(first, what, &path.display().to_string());
    }
    match std::env::var(var) {
        Ok(v) => non_empty(&v, what, var),
        Err(_) => Err(UsageError(format!(
            "no {what}: set {var}, or use --password-file FILE or --password-stdin"
        ))),
    }
}

fn non_empty(value: &str, what: &str, from: &str) -> Result<Secret, UsageError> {
    if value.is_empty() {
        Err(UsageError(format!("the {what} from {from} is empty")))
    } else {
        Ok(Secret::new(value))
    }
}

/// Runs the connector flow. Errors that stop the whole run (no sensor, an
/// image that does not exist, authentication) are returned; per-image
/// outcomes are in the result. `conditions` says whether a timeout fails
/// the image (SPEC §5).
pub(super) fn scan_all(
    args: &ScanArgs,
    settings: &Settings,
    conditions: bool,
    printer: &Printer,
) -> anyhow::Result<Vec<Scanned>> {
    let docker = connect(
        args.source.docker_url.as_deref(),
        args.source.docker_cert_path.as_deref(),
    )?;
    let sensor = check_sensor(&docker)?;
    printer.progress(&format!(
        "sensor {} ({}) runs in CI/CD mode",
        sensor.name, sensor.version_info
    ));
    let tagging_time = SystemTime::now();
    let inputs: Vec<String> = args
        .images
        .iter()
        .map(|i| i.strip_prefix("docker:").unwrap_or(i).to_owned())
        .collect();
    let resolved = resolve_images(&docker, &inputs)?;
    for message in resolved.messages() {
        printer.progress(&message);
    }
    for image in &resolved.images {
        let tags = tag_for_scan(&docker, image)?;
        printer.progress(&format!("{}: tagged {}", image.input, tags.join(", ")));
    }

    let client = Client::new(settings.client.clone()).context("cannot reach the platform")?;
    for event in client
        .authenticate()
        .context("cannot authenticate to the platform")?
    {
        printer.progress(&event);
    }
    printer.progress(&format!(
        "waiting for the platform's results of {} image(s) (every {} s, at most {} s)",
        resolved.images.len(),
        settings.poll.interval.as_secs_f64(),
        settings.poll.timeout.as_secs()
    ));
    let shas: Vec<(String, SystemTime)> = resolved
        .images
        .iter()
        .map(|i| (i.sha.clone(), tagging_time))
        .collect();
    let outcomes = poll_images(&client, &shas, &settings.poll);

    let mut scanned = Vec::with_capacity(outcomes.len());
    for (image, outcome) in resolved.images.iter().zip(outcomes) {
        for event in &outcome.events {
            printer.progress(&format!("{}: {event}", image.id12));
        }
        let references: Vec<String> = resolved
            .inputs_for(&image.sha)
            .into_iter()
            .map(str::to_owned)
            .collect();
        let outcome = match outcome.result {
            PollResult::Complete(details) => match details_to_scan(&details) {
                Ok(scan) => {
                    for note in &scan.notes {
                        printer.warn(&format!("{}: {note}", image.id12));
                    }
                    Ok(ScannedImage {
                        inventory: scan.inventory,
                        findings: scan.findings,
                        not_matched: Vec::new(),
                        no_data: None,
                    })
                }
                Err(e) => Err(format!(
                    "the platform's details of image {} cannot be read: {e}",
                    image.id12
                )),
            },
            // SPEC §5 and the connectors: with conditions configured a
            // missing result fails; without, the image passes with a warning.
            PollResult::TimedOut { polls } if conditions => Err(format!(
                "Timeout reached fetching scan result for image {} ({polls} polls)",
                image.id12
            )),
            PollResult::TimedOut { .. } => Ok(ScannedImage::no_data(
                &image.sha,
                format!(
                    "No vulnerabilities data for image {} found before the timeout; \
                     it passes because no failure condition is configured",
                    image.id12
                ),
            )),
            PollResult::Failed(e) => Err(format!("image {}: {e}", image.id12)),
        };
        scanned.push(Scanned {
            references,
            outcome,
        });
    }
    Ok(scanned)
}
