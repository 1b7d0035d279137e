//! `--baseline REPORT.json` (SPEC §11): the findings of an earlier native
//! JSON report (`-o json`), so the gate fails only on new ones.
//!
//! The reader needs only `images[].findings[]` with `id`, `package.ecosystem`
//! and `package.name`, so reports from older or newer portcullis versions
//! still work as baselines; anything else in the file is ignored.

use std::collections::BTreeSet;
use std::path::Path;

use anyhow::Context;
use serde::Deserialize;

use crate::exit::UsageError;

#[derive(Deserialize)]
struct Report {
    images: Vec<Image>,
}

#[derive(Deserialize)]
struct Image {
    #[serde(default)]
    findings: Vec<Finding>,
}

#[derive(Deserialize)]
struct Finding {
    id: String,
    package: Package,
}

#[derive(Deserialize)]
struct Package {
    ecosystem: String,
    name: String,
}

/// The keys (`portcullis_policy::finding_key`) of every finding of the
/// baseline report, over all its images.
pub(super) fn read(path: &Path) -> anyhow::Result<BTreeSet<String>> {
    let bytes = std::fs::read(path)
        .with_context(|| format!("cannot read the baseline {}", path.display()))?;
    let report: Report = serde_json::from_slice(&bytes).map_err(|e| {
        UsageError(format!(
            "the baseline {} is not a portcullis JSON report (-o json): {e}",
            path.display()
        ))
    })?;
    Ok(report
        .images
        .into_iter()
        .flat_map(|i| i.findings)
        .map(|f| format!("{}|{}|{}", f.id, f.package.ecosystem, f.package.name))
        .collect())
}
