//! Random access into an uncompressed tar file (docker-archive, oci-archive):
//! one pass over the headers, seeking over the data, then each member can be
//! opened on its own, which lets layers be read in parallel.

use std::collections::HashMap;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use crate::ImageError;

/// Most members indexed; an image archive has a few hundred at most.
const MAX_MEMBERS: usize = 100_000;

#[derive(Clone, Debug)]
pub(crate) struct Member {
    pub(crate) offset: u64,
    pub(crate) size: u64,
}

#[derive(Debug)]
pub(crate) struct TarIndex {
    pub(crate) path: PathBuf,
    members: HashMap<String, Member>,
    links: HashMap<String, String>,
}

impl TarIndex {
    pub(crate) fn build(path: &Path) -> Result<TarIndex, ImageError> {
        let io_err = |e| ImageError::io(path, e);
        let file = File::open(path).map_err(io_err)?;
        let mut archive = tar::Archive::new(file);
        let mut members = HashMap::new();
        let mut links = HashMap::new();
        for entry in archive.entries_with_seek().map_err(io_err)? {
            let entry = entry.map_err(|e| {
                ImageError::malformed(
                    path.display().to_string(),
                    format!("not a readable tar archive: {e}"),
                )
            })?;
            if members.len() + links.len() > MAX_MEMBERS {
                return Err(ImageError::malformed(
                    path.display().to_string(),
                    format!("more than {MAX_MEMBERS} members"),
                ));
            }
            let name = clean(&String::from_utf8_lossy(&entry.path_bytes()));
            let kind = entry.header().entry_type();
            if kind.is_symlink() || kind.is_hard_link() {
                if let Some(target) = entry.link_name_bytes() {
                    let target = String::from_utf8_lossy(&target).into_owned();
                    let resolved = if kind.is_symlink() {
                        join_relative(&name, &target)
                    } else {
                        clean(&target)
                    };
                    links.insert(name, resolved);
                }
            } else if kind.is_file() {
                members.insert(
                    name,
                    Member {
                        offset: entry.raw_file_position(),
                        size: entry.size(),
                    },
                );
            }
        }
        Ok(TarIndex {
            path: path.to_path_buf(),
            members,
            links,
        })
    }

    /// Finds a member, following in-archive links (docker save links
    /// duplicate layers to one copy).
    pub(crate) fn get(&self, name: &str) -> Option<&Member> {
        let mut name = clean(name);
        for _ in 0..16 {
            if let Some(m) = self.members.get(&name) {
                return Some(m);
            }
            name = self.links.get(&name)?.clone();
        }
        None
    }

    pub(crate) fn read_small(&self, name: &str, limit: u64) -> Result<Vec<u8>, ImageError> {
        let member = self
            .get(name)
            .ok_or_else(|| ImageError::MissingBlob(name.to_owned()))?;
        if member.size > limit {
            return Err(ImageError::malformed(
                name,
                format!(
                    "{} bytes is larger than the {limit}-byte limit for a metadata document",
                    member.size
                ),
            ));
        }
        let mut buf = Vec::with_capacity(member.size as usize);
        self.open(member)?
            .read_to_end(&mut buf)
            .map_err(|e| ImageError::io(&self.path, e))?;
        Ok(buf)
    }

    pub(crate) fn open(&self, member: &Member) -> Result<impl Read + Send, ImageError> {
        let mut file = File::open(&self.path).map_err(|e| ImageError::io(&self.path, e))?;
        file.seek(SeekFrom::Start(member.offset))
            .map_err(|e| ImageError::io(&self.path, e))?;
        Ok(ExactReader {
            inner: file.take(member.size),
            left: member.size,
        })
    }
}

/// A member reader that reports a truncated archive instead of a short read.
struct ExactReader<R> {
    inner: R,
    left: u64,
}

impl<R: Read> Read for ExactReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n == 0 && self.left > 0 && !buf.is_empty() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                format!("archive truncated: {} bytes of a member missing", self.left),
            ));
        }
        self.left -= n as u64;
        Ok(n)
    }
}

pub(crate) fn clean(name: &str) -> String {
    name.split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect::<Vec<_>>()
        .join("/")
}

/// Resolves a link target relative to the link's folder, inside the archive.
pub(crate) fn join_relative(link: &str, target: &str) -> String {
    let base = link.rsplit_once('/').map_or("", |(d, _)| d);
    let mut parts: Vec<&str> = if target.starts_with('/') {
        vec![]
    } else {
        base.split('/').filter(|p| !p.is_empty()).collect()
    };
    for p in target.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    parts.join("/")
}
