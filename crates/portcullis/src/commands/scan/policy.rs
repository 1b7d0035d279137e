//! Resolving the policy of a run from its layers (SPEC §7): built-in
//! defaults < global file < user file < project file (or `--policy`) <
//! `PORTCULLIS_*` environment < flags (ignore rules and the rules of VEX
//! documents, `vex` in a file or `--vex`, add up). Any invalid value in any layer is a
//! configuration error (exit 2) naming the layer, key and value: a gate
//! that silently drops a condition it cannot read would pass builds it
//! should fail.

use std::path::{Path, PathBuf};

use portcullis_policy::{Policy, PolicySpec, POLICY_KEYS};

use crate::cli::{ConditionArgs, PolicyCheckArgs, ScanArgs};
use crate::exit::{ExitStatus, UsageError};
use crate::printer::Printer;

/// Project files looked for in the working directory, in this order.
const PROJECT_FILES: [&str; 3] = ["portcullis.toml", ".portcullis.yaml", ".portcullis.yml"];

pub(super) fn resolve(args: &ScanArgs, printer: &Printer) -> Result<Policy, UsageError> {
    let mut spec = PolicySpec::default();
    let mut files: Vec<PathBuf> = Vec::new();
    if !args.no_config {
        files.extend(global_files().into_iter().filter(|p| p.is_file()));
    }
    match &args.policy {
        Some(explicit) => files.push(explicit.clone()),
        None if !args.no_config => files.extend(
            PROJECT_FILES
                .iter()
                .map(PathBuf::from)
                .find(|p| p.is_file()),
        ),
        None => {}
    }
    for file in &files {
        printer.progress(&format!("policy from {}", file.display()));
        spec = spec.merge(from_file(file)?);
    }
    spec = spec.merge(from_env(&|k| std::env::var(k).ok())?);
    spec = spec.merge(from_flags(&args.conditions)?);
    spec.into_policy().map_err(usage)
}

/// `/etc/portcullis/config.toml`, then the user's config dir.
fn global_files() -> Vec<PathBuf> {
    let mut files = vec![PathBuf::from("/etc/portcullis/config.toml")];
    let user = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".config")));
    if let Some(dir) = user {
        files.push(dir.join("portcullis/config.toml"));
    }
    files
}

fn from_file(path: &Path) -> Result<PolicySpec, UsageError> {
    PolicySpec::from_path(path).map_err(usage)
}

/// `PORTCULLIS_FAIL_SEVERITY=5=0` etc.: every policy key but the ignore
/// tables, upper-cased with `_`.
fn from_env(var: &dyn Fn(&str) -> Option<String>) -> Result<PolicySpec, UsageError> {
    let mut spec = PolicySpec::default();
    for key in POLICY_KEYS.iter().filter(|k| **k != "ignore") {
        let name = format!("PORTCULLIS_{}", key.to_ascii_uppercase().replace('-', "_"));
        if let Some(value) = var(&name).filter(|v| !v.trim().is_empty()) {
            spec.set(key, &value)
                .map_err(|e| UsageError(format!("environment variable {name}: {e}")))?;
        }
    }
    Ok(spec)
}

fn from_flags(c: &ConditionArgs) -> Result<PolicySpec, UsageError> {
    let mut spec = PolicySpec::default();
    let texts = [
        ("fail-severity", &c.fail_severity),
        ("fail-qids", &c.fail_qids),
        ("fail-cves", &c.fail_cves),
        ("fail-software", &c.fail_software),
        ("fail-cvss", &c.fail_cvss),
        ("cvss-version", &c.cvss_version),
        ("risk-threshold", &c.risk_threshold),
        ("risk-weights", &c.risk_weights),
        ("exclude-qids", &c.exclude_qids),
        ("exclude-cves", &c.exclude_cves),
        ("ignore-statuses", &c.ignore_status),
        ("db-warn-days", &c.db_warn_days),
        ("db-fail-days", &c.db_fail_days),
    ];
    for (key, value) in texts {
        if let Some(value) = value {
            spec.set(key, value)
                .map_err(|e| UsageError(format!("--{}: {e}", flag_name(key))))?;
        }
    }
    // Switches only ever turn a behaviour on; a file's `true` cannot be
    // turned off by the absence of a flag.
    for (key, on) in [
        ("include-potential", c.include_potential),
        ("ignore-unfixed", c.ignore_unfixed),
        ("ignore-base", c.ignore_base),
    ] {
        if on {
            spec.set(key, "true").map_err(usage)?;
        }
    }
    // VEX documents add rules, after the files' own; relative paths are
    // against the working directory, as for any flag. The error names the
    // document.
    for path in &c.vex {
        let rules =
            portcullis_policy::read_vex(path).map_err(|e| UsageError(format!("--vex: {e}")))?;
        spec.ignore.extend(rules);
    }
    Ok(spec)
}

fn flag_name(key: &str) -> &str {
    if key == "ignore-statuses" {
        "ignore-status"
    } else {
        key
    }
}

fn usage(e: portcullis_policy::PolicyError) -> UsageError {
    UsageError(e.to_string())
}

/// `portcullis policy check FILE`: validates, then prints what it enables.
pub(crate) fn check(args: &PolicyCheckArgs, _printer: &Printer) -> anyhow::Result<ExitStatus> {
    let policy = from_file(&args.file)?.into_policy().map_err(usage)?;
    let mut out = std::io::stdout().lock();
    use std::io::Write;
    writeln!(out, "{}: valid policy", args.file.display())?;
    serde_json::to_writer_pretty(&mut out, &policy)?;
    writeln!(out)?;
    Ok(ExitStatus::Success)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environment_variables_name_the_policy_keys() {
        let env = |k: &str| match k {
            "PORTCULLIS_FAIL_SEVERITY" => Some("5=0".to_owned()),
            "PORTCULLIS_IGNORE_UNFIXED" => Some("true".to_owned()),
            _ => None,
        };
        let policy = from_env(&env).unwrap().into_policy().unwrap();
        assert_eq!(policy.fail_severity.get(&5), Some(&0));
        assert!(policy.ignore_unfixed);
        let bad = |k: &str| (k == "PORTCULLIS_FAIL_CVSS").then(|| "high".to_owned());
        let err = from_env(&bad).unwrap_err().0;
        assert!(err.contains("PORTCULLIS_FAIL_CVSS"), "{err}");
    }

    #[test]
    fn flags_override_files_and_errors_name_the_flag() {
        let flags = ConditionArgs {
            fail_severity: Some("4=1".into()),
            ..ConditionArgs::default()
        };
        let mut file = PolicySpec::default();
        file.set("fail-severity", "4=9").unwrap();
        let policy = file
            .merge(from_flags(&flags).unwrap())
            .into_policy()
            .unwrap();
        assert_eq!(policy.fail_severity.get(&4), Some(&1));
        let bad = ConditionArgs {
            ignore_status: Some("sometimes".into()),
            ..ConditionArgs::default()
        };
        let err = from_flags(&bad).unwrap_err().0;
        assert!(err.starts_with("--ignore-status"), "{err}");
    }
}
