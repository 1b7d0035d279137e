//! Walks import paths (files, directory trees, zips), recognises each file's
//! format and hands it to its importer.
//!
//! Nothing here trusts its input: a file that looks like data but cannot be
//! read (bad syntax, wrong types, nesting deeper than the parsers allow,
//! larger than [`Limits::max_file_bytes`], invalid UTF-8) is reported in
//! [`ImportReport::skipped`] and the import goes on; a bad record inside a
//! multi-record file skips only that record. Files that are not data
//! (READMEs, licences, source code, anything no importer recognises by name
//! or first KiB) are counted in [`ImportReport::ignored`] and otherwise
//! passed over. Zip entry names are labels only: nothing is ever written.

mod archive;
mod sniff;
mod walk;

use std::path::Path;

use crate::formats::{self, common::Syntax, debian, Parsed};
use crate::ImportItem;
use sniff::{Format, Verdict};

/// A file that was not imported, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skipped {
    /// The file (path, or `ZIP!entry`).
    pub file: String,
    /// Why it was skipped. For one record of a multi-record file, the reason
    /// starts with the record's position (`packages[3]: …`).
    pub reason: String,
}

/// What an import did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// Data files read (including those that turned out to hold no record).
    pub files: u64,
    /// Records yielded.
    pub records: u64,
    /// Files, or records inside files, that looked like data but could not
    /// be read; the import went on.
    pub skipped: Vec<Skipped>,
    /// Files passed over as not data (READMEs, licences, indexes that copy
    /// other files, formats deliberately not imported).
    pub ignored: u64,
}

/// The import root itself could not be read.
#[derive(Debug, thiserror::Error)]
#[error("cannot read {path}: {source}")]
pub struct ImportError {
    /// The path given.
    pub path: String,
    /// Cause.
    #[source]
    pub source: std::io::Error,
}

/// Bounds on what one import reads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest file or zip entry read, in bytes (declared or actual size).
    /// The default, 512 MiB, is several times the largest real feed file
    /// (the Debian tracker JSON, an NVD API page).
    pub max_file_bytes: u64,
    /// Most bytes decompressed from one zip, all entries together; the rest
    /// of an archive past it is not read. Default 16 GiB (OSV's all-ecosystem
    /// export is a few GiB unpacked).
    pub max_archive_bytes: u64,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_file_bytes: 512 << 20,
            max_archive_bytes: 16 << 30,
        }
    }
}

/// Imports everything under `path`, feeding each record to `sink`.
///
/// `path` may be a data file, a `.zip`, or a directory: the tree is walked
/// in sorted order, hidden entries (`.git`) are skipped, symlinks are
/// followed only to files inside the tree, and zips inside it are read.
pub fn import_path(
    path: &Path,
    sink: &mut dyn FnMut(ImportItem),
) -> Result<ImportReport, ImportError> {
    import_path_with(path, &Limits::default(), sink)
}

/// [`import_path`] with explicit [`Limits`].
pub fn import_path_with(
    path: &Path,
    limits: &Limits,
    sink: &mut dyn FnMut(ImportItem),
) -> Result<ImportReport, ImportError> {
    let origin_prefix = match path.parent().map(|p| p.display().to_string()) {
        Some(p) if !p.is_empty() => format!("{}/", p.trim_end_matches('/')),
        _ => String::new(),
    };
    let mut importer = Importer {
        origin_prefix,
        limits,
        sink,
        report: ImportReport::default(),
    };
    walk::walk(&mut importer, path)?;
    Ok(importer.report)
}

/// Imports one file held in memory (a download, say). `name` is its label
/// and decides the format together with the content, as for a file on disk;
/// a zip is not recognised here (write it out and use [`import_path`]).
pub fn import_bytes(name: &str, bytes: &[u8], sink: &mut dyn FnMut(ImportItem)) -> ImportReport {
    let limits = Limits::default();
    let mut importer = Importer {
        origin_prefix: String::new(),
        limits: &limits,
        sink,
        report: ImportReport::default(),
    };
    if bytes.len() as u64 > limits.max_file_bytes {
        importer.skip(name, too_big(bytes.len() as u64, limits.max_file_bytes));
    } else if importer.wants_whole(name, bytes) {
        importer.data(name, bytes);
    } else {
        importer.report.ignored += 1;
    }
    importer.report
}

/// How much of a file decides whether the rest is read.
pub(crate) const HEAD_LEN: usize = 1024;

fn too_big(size: u64, limit: u64) -> String {
    format!("{size} bytes, over the {limit}-byte limit")
}

/// Import state shared by the walker and the zip reader.
pub(crate) struct Importer<'a> {
    /// Stripped from file labels to make a record's `origin`: evidence
    /// names the file relative to what was imported (`pypa/vulns/…`), not
    /// where the importing machine keeps it.
    pub(crate) origin_prefix: String,
    pub(crate) limits: &'a Limits,
    sink: &'a mut dyn FnMut(ImportItem),
    pub(crate) report: ImportReport,
}

impl Importer<'_> {
    /// Whether a file whose name and first bytes are given is data worth
    /// reading whole: JSON and YAML by name, Debian's formats by their sniff.
    pub(crate) fn wants_whole(&self, name: &str, head: &[u8]) -> bool {
        sniff::syntax_of(name).is_some() || debian::sniff(name, head).is_some()
    }

    pub(crate) fn skip(&mut self, file: &str, reason: String) {
        self.report.skipped.push(Skipped {
            file: file.to_owned(),
            reason,
        });
    }

    /// Imports one whole file that [`Importer::wants_whole`] accepted.
    pub(crate) fn data(&mut self, label: &str, bytes: &[u8]) {
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        let head = &bytes[..bytes.len().min(HEAD_LEN)];
        let syntax = sniff::syntax_of(label);
        if syntax != Some(Syntax::Yaml) {
            if let Some(format) = debian::sniff(label, head) {
                self.report.files += 1;
                let parsed = debian::parse_with_warnings(format, bytes, label).map(|p| Parsed {
                    items: p.items,
                    skipped: p.warnings,
                });
                self.emit(label, parsed);
                return;
            }
        }
        let Some(syntax) = syntax else {
            self.report.ignored += 1;
            return;
        };
        match sniff::classify(syntax, bytes) {
            Verdict::Ignore(_) => self.report.ignored += 1,
            Verdict::Reject(reason) => {
                self.report.files += 1;
                self.skip(label, reason);
            }
            Verdict::Data(format) => {
                self.report.files += 1;
                let parsed = parse(format, bytes, label);
                self.emit(label, parsed);
            }
        }
    }

    fn emit(&mut self, label: &str, parsed: Result<Parsed, String>) {
        match parsed {
            Ok(parsed) => {
                for reason in parsed.skipped {
                    self.skip(label, reason);
                }
                for mut item in parsed.items {
                    self.report.records += 1;
                    let origin = match &mut item {
                        ImportItem::Advisory(a) => &mut a.origin,
                        ImportItem::Cvss { origin, .. } => origin,
                    };
                    if let Some(rest) = origin.strip_prefix(self.origin_prefix.as_str()) {
                        *origin = rest.to_owned();
                    }
                    (self.sink)(item);
                }
            }
            Err(reason) => self.skip(label, reason),
        }
    }
}

fn parse(format: Format, bytes: &[u8], origin: &str) -> Result<Parsed, String> {
    match format {
        Format::Osv(syntax) => formats::osv::parse(syntax, bytes, origin),
        Format::OsvList(syntax) => formats::osv::parse_list(syntax, bytes, origin),
        Format::NvdCve => formats::nvd::parse_cve(bytes, origin),
        Format::NvdPage => formats::nvd::parse_page(bytes, origin),
        Format::NodeNpm => formats::nodejs::parse_npm(bytes, origin),
        Format::NodeCore => formats::nodejs::parse_core(bytes, origin),
        Format::Alpine(syntax) => formats::alpine::parse(syntax, bytes, origin),
    }
}
