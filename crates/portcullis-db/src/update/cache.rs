//! The download cache, `<db dir>/downloads/`:
//!
//! * `<feed>.<ext>` — the last download that was validated (`ext` is `zip`,
//!   `json`, `yaml` or `yml`, from the URL or the content, so the importer
//!   recognises the file whatever the feed is called);
//! * `<feed>.meta` — a JSON sidecar: URL (redacted), ETag, Last-Modified,
//!   size, SHA-256 and file name, for conditional requests and to check the
//!   file before reusing it;
//! * `<feed>.part`, `<feed>.part.<ext>` — a download in progress or being
//!   validated; never read as a cache entry, removed on every exit path.
//!
//! A feed's data file is only ever replaced by a rename of a validated
//! `.part`, and the sidecar is written (atomically) after it: a crash in
//! between leaves a sidecar that does not describe the file, which the size
//! and hash check on load turns into a fresh download.

use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// What the cache knows of a feed's download.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Sidecar {
    /// The location it came from, redacted; a cache entry is only reused
    /// for the same location.
    pub(crate) url: String,
    /// File name of the data, inside the cache directory.
    pub(crate) file: String,
    pub(crate) size: u64,
    pub(crate) sha256: String,
    pub(crate) etag: Option<String>,
    pub(crate) last_modified: Option<String>,
    /// When the bytes were fetched (RFC 3339).
    pub(crate) fetched_at: String,
}

/// A usable cache entry: the sidecar and the data file it describes.
#[derive(Clone, Debug)]
pub(crate) struct Cached {
    pub(crate) meta: Sidecar,
    pub(crate) path: PathBuf,
}

pub(crate) struct Cache {
    dir: PathBuf,
}

/// The extensions a data file may have (disjoint from `meta` and `part`, so
/// no feed's file can be another feed's sidecar).
const EXTENSIONS: [&str; 4] = ["zip", "json", "yaml", "yml"];

impl Cache {
    /// The cache beside the DB file.
    pub(crate) fn for_db(db: &Path) -> Cache {
        let parent = db
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        Cache {
            dir: parent.join("downloads"),
        }
    }

    pub(crate) fn dir(&self) -> &Path {
        &self.dir
    }

    pub(crate) fn create(&self) -> io::Result<()> {
        fs::create_dir_all(&self.dir)
    }

    pub(crate) fn part_path(&self, feed: &str) -> PathBuf {
        self.dir.join(format!("{feed}.part"))
    }

    pub(crate) fn candidate_path(&self, feed: &str, ext: &str) -> PathBuf {
        self.dir.join(format!("{feed}.part.{ext}"))
    }

    /// Removes what a killed earlier run may have left of this feed's
    /// scratch files.
    pub(crate) fn clear_scratch(&self, feed: &str) {
        let _ = fs::remove_file(self.part_path(feed));
        let _ = fs::remove_file(self.dir.join(format!("{feed}.part.meta")));
        for ext in EXTENSIONS {
            let _ = fs::remove_file(self.candidate_path(feed, ext));
        }
    }

    fn meta_path(&self, feed: &str) -> PathBuf {
        self.dir.join(format!("{feed}.meta"))
    }

    /// The feed's entry if its sidecar is readable, was made for `url`, and
    /// its data file is there with the recorded size and hash. Anything else
    /// means "no usable cache": the feed is downloaded unconditionally.
    pub(crate) fn load(&self, feed: &str, url: &str) -> Option<Cached> {
        let text = fs::read(self.meta_path(feed)).ok()?;
        let meta: Sidecar = serde_json::from_slice(&text).ok()?;
        if meta.url != url || !is_data_name(feed, &meta.file) {
            return None;
        }
        let path = self.dir.join(&meta.file);
        let (size, sha256) = hash_file(&path).ok()?;
        (size == meta.size && sha256 == meta.sha256).then_some(Cached { meta, path })
    }

    /// Moves a validated candidate into place and records it.
    pub(crate) fn promote(
        &self,
        feed: &str,
        candidate: &Path,
        ext: &str,
        meta: &mut Sidecar,
    ) -> io::Result<PathBuf> {
        let dest = self.dir.join(format!("{feed}.{ext}"));
        fs::rename(candidate, &dest)?;
        meta.file = format!("{feed}.{ext}");
        // A feed whose format changed (a mirror serving JSON instead of a
        // zip) leaves no stale file of the other kind behind.
        for other in EXTENSIONS.iter().filter(|e| **e != ext) {
            let _ = fs::remove_file(self.dir.join(format!("{feed}.{other}")));
        }
        self.write_meta(feed, meta)?;
        Ok(dest)
    }

    /// Writes the sidecar atomically (temp file + rename).
    pub(crate) fn write_meta(&self, feed: &str, meta: &Sidecar) -> io::Result<()> {
        let json = serde_json::to_vec_pretty(meta).map_err(io::Error::other)?;
        let tmp = self.dir.join(format!("{feed}.part.meta"));
        let result = (|| {
            let mut f = File::create(&tmp)?;
            f.write_all(&json)?;
            f.sync_all()?;
            fs::rename(&tmp, self.meta_path(feed))
        })();
        if result.is_err() {
            let _ = fs::remove_file(&tmp);
        }
        result
    }
}

fn is_data_name(feed: &str, file: &str) -> bool {
    file.strip_prefix(feed)
        .and_then(|rest| rest.strip_prefix('.'))
        .is_some_and(|ext| EXTENSIONS.contains(&ext))
}

/// Size and SHA-256 (hex) of a file, streamed.
pub(crate) fn hash_file(path: &Path) -> io::Result<(u64, String)> {
    let mut f = File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut size = 0u64;
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        size += n as u64;
    }
    Ok((size, hex::encode(hasher.finalize())))
}

/// The extension a downloaded file is stored under: the one its name (the
/// URL's last path segment) has if it is one we know, else what its first
/// bytes look like: a zip's local-file signature, JSON (`{`, `[`; the
/// importer recognises Debian's text lists by content under that name too),
/// or else YAML. The importer picks zips and JSON/YAML by extension, so this
/// is what makes a feed at `.../tracker/data/json` readable.
pub(crate) fn extension_for(name_hint: Option<&str>, file: &Path) -> &'static str {
    if let Some(ext) = name_hint
        .and_then(|n| n.rsplit_once('.'))
        .map(|(_, e)| e.to_ascii_lowercase())
    {
        if let Some(known) = EXTENSIONS.iter().find(|k| **k == ext) {
            return known;
        }
    }
    let mut head = Vec::with_capacity(1024);
    let _ = File::open(file).and_then(|f| f.take(1024).read_to_end(&mut head));
    if head.starts_with(b"PK\x03\x04") {
        return "zip";
    }
    let text = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&head);
    match text.trim_ascii_start().first() {
        Some(b'{' | b'[') => "json",
        _ => "yaml",
    }
}

/// Removes the named files when dropped: the `.part` files of a download,
/// whatever way the update ends.
#[derive(Default)]
pub(crate) struct Scratch(Vec<PathBuf>);

impl Scratch {
    pub(crate) fn track(&mut self, path: PathBuf) {
        self.0.push(path);
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        for p in &self.0 {
            let _ = fs::remove_file(p);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_names_never_collide_with_sidecars() {
        assert!(is_data_name("osv-PyPI", "osv-PyPI.zip"));
        assert!(!is_data_name("osv-PyPI", "osv-PyPI.meta"));
        assert!(!is_data_name("osv-PyPI", "osv-PyPI.part.zip"));
        assert!(!is_data_name("osv-PyPI", "../x.zip"));
        assert!(!is_data_name("a", "ab.zip"));
    }

    #[test]
    fn extension_from_name_or_content() {
        let dir = tempfile::tempdir().unwrap();
        let zip = dir.path().join("z");
        fs::write(&zip, b"PK\x03\x04rest").unwrap();
        let json = dir.path().join("j");
        fs::write(&json, b"\n  {}").unwrap();
        let yaml = dir.path().join("y");
        fs::write(&yaml, b"id: PYSEC-1\n").unwrap();
        assert_eq!(extension_for(Some("all.zip"), &json), "zip");
        assert_eq!(extension_for(Some("main.JSON"), &zip), "json");
        assert_eq!(extension_for(Some("json"), &zip), "zip");
        assert_eq!(extension_for(None, &json), "json");
        assert_eq!(extension_for(Some("2.0"), &json), "json");
        assert_eq!(extension_for(Some("PYSEC-1"), &yaml), "yaml");
    }
}
