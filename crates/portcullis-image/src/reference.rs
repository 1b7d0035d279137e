//! Image references, spelled as skopeo and Syft spell them.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::ImageError;

/// Where an image lives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ImageRef {
    /// `docker:NAME[:TAG]` or `docker:ID`: an image in a Docker engine.
    Docker(String),
    /// `docker-archive:PATH[:TAG]`: a `docker save` tarball (plain or gzip).
    DockerArchive {
        /// The tarball.
        path: PathBuf,
        /// `name:tag` to pick when the archive holds several images.
        tag: Option<String>,
    },
    /// `oci-dir:PATH[:TAG]`: an OCI image layout directory.
    OciDir {
        /// The layout directory.
        path: PathBuf,
        /// The `org.opencontainers.image.ref.name` to pick.
        tag: Option<String>,
    },
    /// `oci-archive:PATH[:TAG]`: a tar of an OCI image layout.
    OciArchive {
        /// The tarball.
        path: PathBuf,
        /// The ref name to pick.
        tag: Option<String>,
    },
    /// `registry:HOST/REPO[:TAG|@DIGEST]`: pulled from a registry.
    Registry(String),
    /// `dir:PATH` / `rootfs:PATH`: an unpacked root filesystem.
    Rootfs(PathBuf),
}

impl ImageRef {
    /// Parses a reference. A bare string is taken as a local path when one
    /// exists (its format is sniffed), and as a Docker engine image otherwise.
    pub fn parse(s: &str) -> Result<ImageRef, ImageError> {
        let bad = |reason: &str| ImageError::Reference {
            reference: s.to_owned(),
            reason: reason.to_owned(),
        };
        if s.trim().is_empty() {
            return Err(bad("empty reference"));
        }
        let (scheme, rest) = s.split_once(':').unwrap_or(("", s));
        let rest_nonempty = || {
            if rest.is_empty() {
                Err(bad("nothing after the scheme"))
            } else {
                Ok(rest)
            }
        };
        match scheme {
            "docker" | "docker-daemon" => Ok(ImageRef::Docker(rest_nonempty()?.to_owned())),
            "docker-archive" => {
                let (path, tag) = split_tag(rest_nonempty()?);
                Ok(ImageRef::DockerArchive { path, tag })
            }
            "oci-dir" | "oci" => {
                let (path, tag) = split_tag(rest_nonempty()?);
                Ok(ImageRef::OciDir { path, tag })
            }
            "oci-archive" => {
                let (path, tag) = split_tag(rest_nonempty()?);
                Ok(ImageRef::OciArchive { path, tag })
            }
            "registry" => Ok(ImageRef::Registry(rest_nonempty()?.to_owned())),
            "dir" | "rootfs" => Ok(ImageRef::Rootfs(PathBuf::from(rest_nonempty()?))),
            _ => Ok(sniff_local(Path::new(s)).unwrap_or_else(|| ImageRef::Docker(s.to_owned()))),
        }
    }

    /// The scheme name used in reports.
    pub fn scheme(&self) -> &'static str {
        match self {
            ImageRef::Docker(_) => "docker",
            ImageRef::DockerArchive { .. } => "docker-archive",
            ImageRef::OciDir { .. } => "oci-dir",
            ImageRef::OciArchive { .. } => "oci-archive",
            ImageRef::Registry(_) => "registry",
            ImageRef::Rootfs(_) => "dir",
        }
    }
}

/// `PATH:TAG`, where the path may itself contain colons: the tag is only
/// split off when what precedes it exists and the whole string does not.
fn split_tag(s: &str) -> (PathBuf, Option<String>) {
    if Path::new(s).exists() {
        return (PathBuf::from(s), None);
    }
    match s.rsplit_once(':') {
        Some((path, tag)) if !tag.contains('/') && !tag.is_empty() => {
            (PathBuf::from(path), Some(tag.to_owned()))
        }
        _ => (PathBuf::from(s), None),
    }
}

fn sniff_local(path: &Path) -> Option<ImageRef> {
    let meta = std::fs::metadata(path).ok()?;
    if meta.is_dir() {
        return Some(if path.join("oci-layout").is_file() {
            ImageRef::OciDir {
                path: path.to_path_buf(),
                tag: None,
            }
        } else {
            ImageRef::Rootfs(path.to_path_buf())
        });
    }
    // A tar holding `oci-layout` is an OCI archive; anything else is taken
    // as docker-archive (plain or gzip), whose reader reports what is wrong.
    let is_oci = crate::tar_index::TarIndex::build(path)
        .ok()
        .is_some_and(|idx| idx.get("oci-layout").is_some());
    Some(if is_oci {
        ImageRef::OciArchive {
            path: path.to_path_buf(),
            tag: None,
        }
    } else {
        ImageRef::DockerArchive {
            path: path.to_path_buf(),
            tag: None,
        }
    })
}

impl fmt::Display for ImageRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let with_tag =
            |f: &mut fmt::Formatter<'_>, scheme: &str, path: &Path, tag: &Option<String>| match tag
            {
                Some(t) => write!(f, "{scheme}:{}:{t}", path.display()),
                None => write!(f, "{scheme}:{}", path.display()),
            };
        match self {
            ImageRef::Docker(n) => write!(f, "docker:{n}"),
            ImageRef::DockerArchive { path, tag } => with_tag(f, "docker-archive", path, tag),
            ImageRef::OciDir { path, tag } => with_tag(f, "oci-dir", path, tag),
            ImageRef::OciArchive { path, tag } => with_tag(f, "oci-archive", path, tag),
            ImageRef::Registry(r) => write!(f, "registry:{r}"),
            ImageRef::Rootfs(p) => write!(f, "dir:{}", p.display()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_schemes() {
        assert_eq!(
            ImageRef::parse("docker:alpine:3.18").unwrap(),
            ImageRef::Docker("alpine:3.18".into())
        );
        assert_eq!(
            ImageRef::parse("registry:127.0.0.1:5000/a/b:1").unwrap(),
            ImageRef::Registry("127.0.0.1:5000/a/b:1".into())
        );
        assert_eq!(
            ImageRef::parse("oci-dir:/nonexistent/x.oci:latest").unwrap(),
            ImageRef::OciDir {
                path: "/nonexistent/x.oci".into(),
                tag: Some("latest".into())
            }
        );
        assert_eq!(
            ImageRef::parse("rootfs:/").unwrap(),
            ImageRef::Rootfs("/".into())
        );
        assert_eq!(
            ImageRef::parse("nginx:latest").unwrap(),
            ImageRef::Docker("nginx:latest".into())
        );
        assert!(ImageRef::parse("docker-archive:").is_err());
        assert!(ImageRef::parse("").is_err());
    }

    #[test]
    fn sniffs_local_paths() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(
            ImageRef::parse(dir.path().to_str().unwrap()).unwrap(),
            ImageRef::Rootfs(dir.path().into())
        );
        std::fs::write(dir.path().join("oci-layout"), "{}").unwrap();
        assert!(matches!(
            ImageRef::parse(dir.path().to_str().unwrap()).unwrap(),
            ImageRef::OciDir { .. }
        ));
    }
}
