//! The single streaming walk over one layer.
//!
//! Every entry passes through [`Collector::entry`] exactly once. Entries no
//! cataloger wants are skipped without buffering; the only per-entry state we
//! keep for unwanted files is nothing at all, which is what bounds memory on
//! images with millions of files. Symlinks are the exception (they are small
//! and needed to resolve paths such as `etc/os-release`).

use std::collections::BTreeMap;
use std::io::{self, Read};
use std::sync::Arc;

use crate::path::{normalize, NormalizedPath};
use crate::{CatalogSet, EntryInfo, Want};

/// Bounds that keep a hostile layer from exhausting time or memory.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Largest file content kept whole for a cataloger.
    pub max_file_bytes: u64,
    /// Largest uncompressed layer stream read.
    pub max_layer_bytes: u64,
    /// Most entries in one layer.
    pub max_entries: u64,
    /// Most symlinks recorded in one layer.
    pub max_symlinks: usize,
    /// Largest decompression ratio accepted once [`Limits::ratio_floor`] bytes were read.
    pub max_ratio: u64,
    /// Uncompressed bytes below which the ratio is not checked.
    pub ratio_floor: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: 256 << 20,
            max_layer_bytes: 64 << 30,
            max_entries: 20_000_000,
            max_symlinks: 2_000_000,
            // Real layers compress 2-10x; gzip cannot exceed ~1032x. 200x over
            // more than 256 MiB is a bomb, not a filesystem.
            max_ratio: 200,
            ratio_floor: 256 << 20,
        }
    }
}

/// Why a layer could not be walked. Any of these aborts the scan of the
/// image: a partial layer would silently hide packages.
#[derive(Debug, thiserror::Error)]
pub enum WalkError {
    /// The stream ended early or could not be read (truncated, corrupt
    /// compression, digest mismatch reported by the source).
    #[error("cannot read layer")]
    Io(#[from] io::Error),
    /// More uncompressed bytes than allowed.
    #[error("layer expands beyond {limit} bytes (decompression bomb?)")]
    TooLarge {
        /// The limit that was hit.
        limit: u64,
    },
    /// Compression ratio typical of a decompression bomb.
    #[error("layer expands {ratio}x its compressed size (decompression bomb?)")]
    Bomb {
        /// Observed ratio.
        ratio: u64,
    },
    /// Too many entries.
    #[error("layer has more than {0} entries")]
    TooManyEntries(u64),
}

/// What was kept of one entry.
#[derive(Clone, Debug)]
pub enum Recorded {
    /// A regular file: whole content or a cataloger's summary.
    File {
        /// The bytes (summary bytes for [`Want::Summary`]).
        content: Arc<[u8]>,
        /// Index of the owning cataloger (`usize::MAX` for the distro detector).
        owner: usize,
        /// Whether `content` is a summary rather than the file itself.
        summary: bool,
    },
    /// A symbolic link and its target, verbatim.
    Symlink(String),
}

/// Everything kept from one layer.
#[derive(Clone, Debug, Default)]
pub struct LayerFiles {
    /// Wanted files and all symlinks, by normalised path.
    pub entries: BTreeMap<String, Recorded>,
    /// Paths deleted by `.wh.NAME` entries.
    pub whiteouts: Vec<String>,
    /// Directories made opaque by `.wh..wh..opq`.
    pub opaque_dirs: Vec<String>,
    /// Entries skipped for a reason worth reporting (path, reason).
    pub issues: Vec<(String, String)>,
}

pub(crate) const DISTRO_OWNER: usize = usize::MAX;

struct Collector<'a> {
    set: &'a CatalogSet,
    limits: &'a Limits,
    files: LayerFiles,
    symlinks: usize,
}

enum Kind<'a> {
    File,
    Symlink(&'a str),
    Hardlink(&'a str),
    Other,
}

impl<'a> Collector<'a> {
    fn new(set: &'a CatalogSet, limits: &'a Limits) -> Self {
        Collector {
            set,
            limits,
            files: LayerFiles::default(),
            symlinks: 0,
        }
    }

    fn entry(
        &mut self,
        raw_path: &str,
        kind: Kind<'_>,
        info: EntryInfo,
        content: &mut dyn Read,
    ) -> io::Result<()> {
        let path = match normalize(raw_path) {
            NormalizedPath::Inside(p) => p,
            NormalizedPath::Root => return Ok(()),
            NormalizedPath::Escapes => {
                self.files.issues.push((
                    raw_path.to_owned(),
                    "entry path escapes the layer root with '..'; ignored".into(),
                ));
                return Ok(());
            }
        };
        let (dir, name) = match path.rsplit_once('/') {
            Some((d, n)) => (d, n),
            None => ("", path.as_str()),
        };
        if let Some(hidden) = name.strip_prefix(".wh.") {
            if hidden == ".wh..opq" {
                self.files.opaque_dirs.push(dir.to_owned());
            } else if !hidden.is_empty() {
                let target = if dir.is_empty() {
                    hidden.to_owned()
                } else {
                    format!("{dir}/{hidden}")
                };
                self.files.whiteouts.push(target);
            }
            return Ok(());
        }
        match kind {
            Kind::Symlink(target) => {
                if self.symlinks < self.limits.max_symlinks {
                    self.symlinks += 1;
                    self.files
                        .entries
                        .insert(path, Recorded::Symlink(target.to_owned()));
                } else if self.symlinks == self.limits.max_symlinks {
                    self.symlinks += 1;
                    self.files.issues.push((
                        path,
                        format!(
                            "more than {} symlinks in one layer; later ones not resolved",
                            self.limits.max_symlinks
                        ),
                    ));
                }
                Ok(())
            }
            Kind::Hardlink(target) => {
                // A hard link shares the content of an earlier entry of the
                // same layer: reuse it when we kept it.
                if let NormalizedPath::Inside(t) = normalize(target) {
                    if let Some(Recorded::File { .. }) = self.files.entries.get(&t) {
                        if self.set.select(&path, &info).is_some() {
                            let copy = self.files.entries[&t].clone();
                            self.files.entries.insert(path, copy);
                        }
                    }
                }
                Ok(())
            }
            Kind::File => self.file(path, info, content),
            Kind::Other => Ok(()),
        }
    }

    fn file(&mut self, path: String, info: EntryInfo, content: &mut dyn Read) -> io::Result<()> {
        let Some((owner, want)) = self.set.select(&path, &info) else {
            return Ok(());
        };
        match want {
            Want::Content => {
                if info.size > self.limits.max_file_bytes {
                    self.files.issues.push((
                        path,
                        format!(
                            "file of {} bytes exceeds the {}-byte limit; not read",
                            info.size, self.limits.max_file_bytes
                        ),
                    ));
                    return Ok(());
                }
                let mut buf = Vec::with_capacity(info.size as usize);
                content.take(info.size).read_to_end(&mut buf)?;
                self.files.entries.insert(
                    path,
                    Recorded::File {
                        content: buf.into(),
                        owner,
                        summary: false,
                    },
                );
            }
            Want::Summary => {
                let cataloger = &self.set.catalogers[owner];
                let mut guarded = ErrorLatch {
                    inner: content,
                    error: None,
                };
                match cataloger.summarize(&path, &info, &mut guarded) {
                    // An I/O error of the layer itself must abort the walk,
                    // not become an "unknown" of one file.
                    _ if guarded.error.is_some() => {
                        return Err(guarded
                            .error
                            .take()
                            .unwrap_or_else(|| io::Error::other("read error")))
                    }
                    Ok(Some(summary)) => {
                        self.files.entries.insert(
                            path,
                            Recorded::File {
                                content: summary.into(),
                                owner,
                                summary: true,
                            },
                        );
                    }
                    Ok(None) => {}
                    Err(reason) => self
                        .files
                        .issues
                        .push((path, format!("{}: {reason}", cataloger.id()))),
                }
            }
        }
        Ok(())
    }
}

/// Remembers an I/O error seen by a cataloger's `summarize`, so a truncated
/// layer is not mistaken for a malformed file.
struct ErrorLatch<'a> {
    inner: &'a mut dyn Read,
    error: Option<io::Error>,
}

impl Read for ErrorLatch<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self.inner.read(buf) {
            Ok(n) => Ok(n),
            Err(e) => {
                let copy = io::Error::new(e.kind(), e.to_string());
                self.error = Some(e);
                Err(copy)
            }
        }
    }
}

/// Counts uncompressed bytes and enforces the size and ratio limits.
struct Guard<'a, R> {
    inner: R,
    read: u64,
    compressed: Option<u64>,
    limits: &'a Limits,
    tripped: Option<WalkError>,
}

impl<R: Read> Read for Guard<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        if self.read > self.limits.max_layer_bytes {
            self.tripped = Some(WalkError::TooLarge {
                limit: self.limits.max_layer_bytes,
            });
        } else if let Some(c) = self
            .compressed
            .filter(|_| self.read > self.limits.ratio_floor)
        {
            let ratio = self.read / c.max(1);
            if ratio > self.limits.max_ratio {
                self.tripped = Some(WalkError::Bomb { ratio });
            }
        }
        if self.tripped.is_some() {
            return Err(io::Error::other("layer limit exceeded"));
        }
        Ok(n)
    }
}

/// Walks one layer tar stream (already decompressed) and keeps what the
/// catalogers of `set` want. `compressed_size` enables the bomb-ratio check.
pub fn walk_tar(
    reader: &mut dyn Read,
    compressed_size: Option<u64>,
    set: &CatalogSet,
    limits: &Limits,
) -> Result<LayerFiles, WalkError> {
    let mut guard = Guard {
        inner: reader,
        read: 0,
        compressed: compressed_size,
        limits,
        tripped: None,
    };
    let result = walk_entries(&mut guard, set, limits);
    if let Some(tripped) = guard.tripped.take() {
        return Err(tripped);
    }
    let files = result?;
    // Drain to the end so the source can verify the blob digest.
    io::copy(&mut guard, &mut io::sink())?;
    if let Some(tripped) = guard.tripped.take() {
        return Err(tripped);
    }
    Ok(files)
}

fn walk_entries(
    reader: &mut dyn Read,
    set: &CatalogSet,
    limits: &Limits,
) -> Result<LayerFiles, WalkError> {
    let mut collector = Collector::new(set, limits);
    let mut archive = tar::Archive::new(reader);
    let mut count = 0u64;
    for entry in archive.entries()? {
        let mut entry = entry?;
        count += 1;
        if count > limits.max_entries {
            return Err(WalkError::TooManyEntries(limits.max_entries));
        }
        let raw = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        let header = entry.header();
        let info = EntryInfo {
            size: entry.size(),
            mode: header.mode().unwrap_or(0),
        };
        let link = entry
            .link_name_bytes()
            .map(|l| String::from_utf8_lossy(&l).into_owned());
        let entry_type = header.entry_type();
        let kind = match entry_type {
            t if t.is_file() => Kind::File,
            t if t.is_symlink() => Kind::Symlink(link.as_deref().unwrap_or("")),
            t if t.is_hard_link() => Kind::Hardlink(link.as_deref().unwrap_or("")),
            _ => Kind::Other,
        };
        collector.entry(&raw, kind, info, &mut entry)?;
    }
    Ok(collector.files)
}

/// Walks an unpacked root filesystem (`dir:`/`rootfs:` sources) as if it were
/// one layer. Symlinks are recorded, never followed, so a link to `/` or a
/// loop cannot make the walk leave the tree or run forever.
pub fn walk_dir(
    root: &std::path::Path,
    set: &CatalogSet,
    limits: &Limits,
) -> Result<LayerFiles, WalkError> {
    let mut collector = Collector::new(set, limits);
    let mut stack = vec![(root.to_path_buf(), String::new())];
    let mut count = 0u64;
    while let Some((dir, rel)) = stack.pop() {
        let read_dir = match std::fs::read_dir(&dir) {
            Ok(r) => r,
            Err(e) => {
                collector
                    .files
                    .issues
                    .push((format!("/{rel}"), format!("cannot list directory: {e}")));
                continue;
            }
        };
        for item in read_dir {
            let item = item?;
            count += 1;
            if count > limits.max_entries {
                return Err(WalkError::TooManyEntries(limits.max_entries));
            }
            let name = item.file_name().to_string_lossy().into_owned();
            let path = if rel.is_empty() {
                name
            } else {
                format!("{rel}/{name}")
            };
            let meta = item.path().symlink_metadata()?;
            let ft = meta.file_type();
            if ft.is_dir() {
                // Kernel pseudo-filesystems of a live host (`rootfs:/`).
                if rel.is_empty() && matches!(path.as_str(), "proc" | "sys" | "dev") {
                    continue;
                }
                stack.push((item.path(), path));
            } else if ft.is_symlink() {
                let target = std::fs::read_link(item.path())?;
                let target = target.to_string_lossy();
                collector.entry(
                    &path,
                    Kind::Symlink(&target),
                    EntryInfo {
                        size: 0,
                        mode: 0o777,
                    },
                    &mut io::empty(),
                )?;
            } else if ft.is_file() {
                use std::os::unix::fs::PermissionsExt;
                let info = EntryInfo {
                    size: meta.len(),
                    mode: meta.permissions().mode(),
                };
                if set.select(&path, &info).is_none() {
                    continue;
                }
                match std::fs::File::open(item.path()) {
                    Ok(mut f) => collector.entry(&path, Kind::File, info, &mut f)?,
                    Err(e) => collector
                        .files
                        .issues
                        .push((format!("/{path}"), format!("cannot open: {e}"))),
                }
            }
        }
    }
    Ok(collector.files)
}
