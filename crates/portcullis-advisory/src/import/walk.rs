//! Files and directory trees.
//!
//! A tree is walked depth first in byte order of names, so two imports of
//! the same tree see the same files in the same order. Hidden entries
//! (`.git`, `.DS_Store`) are skipped. Symlinks are resolved: one to a file
//! inside the tree is read under its own name; one that leads outside the
//! tree, to a directory (which would at best duplicate files, at worst loop)
//! or nowhere (a dangling link, a loop) is reported as skipped. Sockets,
//! FIFOs and devices are passed over (reading a FIFO would block forever).

use std::fs::{self, File};
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use super::{archive, too_big, ImportError, Importer, HEAD_LEN};

pub(super) fn walk(imp: &mut Importer<'_>, root: &Path) -> Result<(), ImportError> {
    let fail = |source: io::Error| ImportError {
        path: root.display().to_string(),
        source,
    };
    let meta = fs::metadata(root).map_err(fail)?;
    if meta.is_file() {
        file(imp, root, &root.display().to_string());
        return Ok(());
    }
    if !meta.is_dir() {
        return Err(fail(io::Error::other("not a file or directory")));
    }
    let canonical_root = fs::canonicalize(root).map_err(fail)?;
    let mut stack: Vec<PathBuf> = children(root).map_err(fail)?;
    stack.reverse();
    while let Some(path) = stack.pop() {
        let label = path.display().to_string();
        let meta = match fs::symlink_metadata(&path) {
            Ok(m) => m,
            Err(e) => {
                imp.skip(&label, format!("cannot read: {e}"));
                continue;
            }
        };
        let kind = meta.file_type();
        if kind.is_dir() {
            match children(&path) {
                Ok(mut list) => {
                    list.reverse();
                    stack.extend(list);
                }
                Err(e) => imp.skip(&label, format!("cannot list directory: {e}")),
            }
        } else if kind.is_file() {
            file(imp, &path, &label);
        } else if kind.is_symlink() {
            symlink(imp, &canonical_root, &path, &label);
        } else {
            imp.report.ignored += 1;
        }
    }
    Ok(())
}

/// A directory's entries, sorted, without hidden ones.
fn children(dir: &Path) -> io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_name().as_encoded_bytes().starts_with(b".") {
            continue;
        }
        out.push(entry.path());
    }
    out.sort();
    Ok(out)
}

fn symlink(imp: &mut Importer<'_>, root: &Path, path: &Path, label: &str) {
    let target = match fs::canonicalize(path) {
        Ok(t) => t,
        Err(e) => {
            imp.skip(label, format!("symlink cannot be resolved: {e}"));
            return;
        }
    };
    if !target.starts_with(root) {
        imp.skip(
            label,
            format!(
                "symlink leads outside the import tree (to {})",
                target.display()
            ),
        );
        return;
    }
    match fs::metadata(&target) {
        Ok(m) if m.is_file() => file(imp, &target, label),
        Ok(m) if m.is_dir() => imp.skip(label, "symlinked directory not followed".into()),
        Ok(_) => imp.report.ignored += 1,
        Err(e) => imp.skip(label, format!("symlink cannot be resolved: {e}")),
    }
}

/// One regular file (or the file a symlink resolves to), read under `label`.
pub(super) fn file(imp: &mut Importer<'_>, path: &Path, label: &str) {
    if is_zip(label) {
        archive::read_zip(imp, path, label);
        return;
    }
    let mut handle = match File::open(path) {
        Ok(f) => f,
        Err(e) => {
            imp.skip(label, format!("cannot open: {e}"));
            return;
        }
    };
    // Only the first KiB decides whether a file of unknown name is data.
    let mut head = Vec::with_capacity(HEAD_LEN);
    if let Err(e) = (&mut handle).take(HEAD_LEN as u64).read_to_end(&mut head) {
        imp.skip(label, format!("cannot read: {e}"));
        return;
    }
    if !imp.wants_whole(label, &head) {
        imp.report.ignored += 1;
        return;
    }
    let limit = imp.limits.max_file_bytes;
    if let Ok(m) = handle.metadata() {
        if m.len() > limit {
            imp.skip(label, too_big(m.len(), limit));
            return;
        }
    }
    match read_bounded(&mut handle, head, limit) {
        Ok(Some(bytes)) => imp.data(label, &bytes),
        Ok(None) => imp.skip(label, format!("more than {limit} bytes, over the limit")),
        Err(e) => imp.skip(label, format!("cannot read: {e}")),
    }
}

/// Appends the rest of `reader` to `buf`; `None` when the total would pass
/// `limit` (reading stops there, so a file that grows or a lying size
/// header cannot make us read more).
pub(super) fn read_bounded(
    reader: &mut dyn Read,
    mut buf: Vec<u8>,
    limit: u64,
) -> io::Result<Option<Vec<u8>>> {
    let have = buf.len() as u64;
    if have > limit {
        return Ok(None);
    }
    reader.take(limit - have + 1).read_to_end(&mut buf)?;
    Ok((buf.len() as u64 <= limit).then_some(buf))
}

pub(super) fn is_zip(name: &str) -> bool {
    name.rsplit(['/', '\\', '!'])
        .next()
        .is_some_and(|n| n.to_ascii_lowercase().ends_with(".zip"))
}
