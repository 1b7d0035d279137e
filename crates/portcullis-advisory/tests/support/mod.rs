//! Shared by the advisory integration tests: where the real data is, and
//! importing a path into plain lists.
#![allow(dead_code)] // each test file uses a different part

use std::path::{Path, PathBuf};

use portcullis_advisory::import::{import_path, ImportReport};
use portcullis_advisory::{Advisory, Cvss, ImportItem};

/// `../shared/vulndata` (beside the workspace; never copied into the
/// repository), or `None` with a message when it is absent. Under CI its
/// absence is a failure.
#[allow(clippy::print_stderr)] // says what was skipped
pub(crate) fn vulndata() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/vulndata");
    if dir.is_dir() {
        return Some(dir);
    }
    if std::env::var_os("CI").is_some() {
        panic!(
            "test data missing: {} (required when CI is set)",
            dir.display()
        );
    }
    eprintln!("SKIPPED: test data {} not found", dir.display());
    None
}

/// What an import yielded, split by kind.
#[derive(Default)]
pub(crate) struct Imported {
    pub(crate) advisories: Vec<Advisory>,
    /// `(cve, scores, description)` of NVD records.
    pub(crate) cvss: Vec<(String, Vec<Cvss>, Option<String>)>,
    pub(crate) report: ImportReport,
}

impl Imported {
    pub(crate) fn advisory(&self, id: &str) -> &Advisory {
        self.advisories
            .iter()
            .find(|a| a.id == id)
            .unwrap_or_else(|| panic!("no advisory {id}"))
    }
}

pub(crate) fn import(path: &Path) -> Imported {
    let mut out = Imported::default();
    let report = import_path(path, &mut |item| match item {
        ImportItem::Advisory(a) => out.advisories.push(a),
        ImportItem::Cvss {
            cve,
            scores,
            description,
            ..
        } => out.cvss.push((cve, scores, description)),
    })
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        report.records,
        (out.advisories.len() + out.cvss.len()) as u64,
        "records counted = records yielded"
    );
    out.report = report;
    out
}

/// Every file under `dir` (recursively), sorted.
pub(crate) fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap_or_else(|e| panic!("{}: {e}", d.display())) {
            let path = entry.expect("dir entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

pub(crate) fn read_text(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}
