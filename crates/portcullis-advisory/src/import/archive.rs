//! Zip archives (OSV's per-ecosystem exports, mirrors).
//!
//! Entries are read in the archive's own order, one at a time, never
//! written anywhere: an entry's name (`../../etc/passwd` included) is only
//! the label `ARCHIVE!NAME`. Bombs are bounded three ways: an entry whose
//! declared size passes [`Limits::max_file_bytes`] is refused unread; an
//! entry that inflates past it anyway (a lying header) is cut off there;
//! and once the archive as a whole has inflated past
//! [`Limits::max_archive_bytes`] the rest is not read. Entries whose name
//! says they are not data cost only their first KiB, and zips inside zips
//! are not opened.
//!
//! [`Limits::max_file_bytes`]: super::Limits::max_file_bytes
//! [`Limits::max_archive_bytes`]: super::Limits::max_archive_bytes

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

use super::walk::{is_zip, read_bounded};
use super::{too_big, Importer, HEAD_LEN};

pub(super) fn read_zip(imp: &mut Importer<'_>, path: &Path, label: &str) {
    let file = match File::open(path) {
        Ok(f) => f,
        Err(e) => {
            imp.skip(label, format!("cannot open: {e}"));
            return;
        }
    };
    let mut zip = match zip::ZipArchive::new(BufReader::new(file)) {
        Ok(z) => z,
        Err(e) => {
            imp.skip(label, format!("not a readable zip: {e}"));
            return;
        }
    };
    let max_file = imp.limits.max_file_bytes;
    let mut budget = imp.limits.max_archive_bytes;
    for index in 0..zip.len() {
        let mut entry = match zip.by_index(index) {
            Ok(e) => e,
            Err(e) => {
                imp.skip(
                    &format!("{label}!#{index}"),
                    format!("cannot read entry: {e}"),
                );
                continue;
            }
        };
        if entry.is_dir() {
            continue;
        }
        let name = entry.name().to_owned();
        let entry_label = format!("{label}!{name}");
        if is_hidden(&name) || is_zip(&name) {
            imp.report.ignored += 1;
            continue;
        }
        let declared = entry.size();
        let mut head = Vec::with_capacity(HEAD_LEN);
        let head_cap = (HEAD_LEN as u64).min(budget.saturating_add(1));
        if let Err(e) = (&mut entry).take(head_cap).read_to_end(&mut head) {
            imp.skip(&entry_label, format!("cannot inflate: {e}"));
            continue;
        }
        if head.len() as u64 > budget {
            stop(imp, label, budget);
            return;
        }
        budget -= head.len() as u64;
        if !imp.wants_whole(&name, &head) {
            imp.report.ignored += 1;
            continue;
        }
        if declared > max_file {
            imp.skip(
                &entry_label,
                format!("declared size {}", too_big(declared, max_file)),
            );
            continue;
        }
        // The entry may inflate to no more than the smaller of the two
        // limits; which one it hit decides the message.
        let have = head.len() as u64;
        let cap = max_file.min(have.saturating_add(budget));
        match read_bounded(&mut entry, head, cap) {
            Ok(Some(bytes)) => {
                budget -= bytes.len() as u64 - have;
                imp.data(&entry_label, &bytes);
            }
            Ok(None) if cap < max_file => {
                stop(imp, label, imp.limits.max_archive_bytes);
                return;
            }
            Ok(None) => imp.skip(
                &entry_label,
                format!(
                    "inflates to more than {max_file} bytes (declared {declared}), over the limit"
                ),
            ),
            Err(e) => imp.skip(&entry_label, format!("cannot inflate: {e}")),
        }
    }
}

fn stop(imp: &mut Importer<'_>, label: &str, limit: u64) {
    imp.skip(
        label,
        format!("archive inflates to more than {limit} bytes in all; the rest was not read"),
    );
}

/// `.git/…`, `__MACOSX/…` (resource forks macOS adds to zips).
fn is_hidden(name: &str) -> bool {
    name.split(['/', '\\'])
        .any(|part| part.starts_with('.') && part != "." && part != ".." || part == "__MACOSX")
}
