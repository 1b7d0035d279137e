//! `HOST[:PORT]/REPO[:TAG|@DIGEST]`, read as the Docker CLI reads image
//! names: the first path component is a host when it has a `.` or a `:` or
//! is `localhost`; otherwise the image is on Docker Hub (`library/` is
//! prepended to one-component names there).

use std::fmt;

use portcullis_types::Digest;

use crate::ImageError;

/// Docker Hub's names: the one users write, and the API host.
const HUB_NAME: &str = "docker.io";
const HUB_API: &str = "registry-1.docker.io";

/// Tag or digest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Target {
    Tag(String),
    Digest(Digest),
}

impl Target {
    /// The `<reference>` path element of the manifests endpoint.
    pub(crate) fn as_path(&self) -> String {
        match self {
            Target::Tag(t) => t.clone(),
            Target::Digest(d) => d.to_string(),
        }
    }
}

/// A parsed registry reference.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct RegistryRef {
    /// `host[:port]` to connect to.
    pub(crate) host: String,
    /// Repository path, e.g. `library/alpine`.
    pub(crate) repo: String,
    pub(crate) target: Target,
}

pub(crate) fn is_docker_hub(host: &str) -> bool {
    matches!(host, HUB_NAME | HUB_API | "index.docker.io")
}

impl RegistryRef {
    pub(crate) fn parse(s: &str) -> Result<RegistryRef, ImageError> {
        let bad = |why: &str| ImageError::Reference {
            reference: format!("registry:{s}"),
            reason: why.to_owned(),
        };
        let (name, digest) = match s.rsplit_once('@') {
            Some((n, d)) => (
                n,
                Some(d.parse::<Digest>().map_err(|e| bad(&e.to_string()))?),
            ),
            None => (s, None),
        };
        let (first, rest) = name.split_once('/').unwrap_or(("", name));
        let has_host = !rest.is_empty()
            && !first.is_empty()
            && (first.contains('.') || first.contains(':') || first == "localhost");
        let (host, path) = if has_host {
            (first.to_owned(), rest)
        } else {
            (HUB_API.to_owned(), name)
        };
        // A tag is a `:` after the last `/`; with a digest it is informative only.
        let (repo, tag) = match path.rsplit_once(':') {
            Some((r, t)) if !t.contains('/') => (r, Some(t)),
            _ => (path, None),
        };
        if repo.is_empty() {
            return Err(bad("no repository"));
        }
        let repo_ok = repo.split('/').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b))
                && part
                    .bytes()
                    .next()
                    .is_some_and(|b| b.is_ascii_alphanumeric())
        });
        if !repo_ok {
            return Err(bad(
                "repository names are lowercase letters, digits and . _ - separated by /",
            ));
        }
        if let Some(t) = tag {
            let tag_ok = t.len() <= 128
                && !t.is_empty()
                && t.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
                && !t.starts_with(['.', '-']);
            if !tag_ok {
                return Err(bad("invalid tag"));
            }
        }
        let repo = if is_docker_hub(&host) && !repo.contains('/') {
            format!("library/{repo}")
        } else {
            repo.to_owned()
        };
        let host = if is_docker_hub(&host) {
            HUB_API.to_owned()
        } else {
            host
        };
        let target = match (digest, tag) {
            (Some(d), _) => Target::Digest(d),
            (None, Some(t)) => Target::Tag(t.to_owned()),
            (None, None) => Target::Tag("latest".to_owned()),
        };
        Ok(RegistryRef { host, repo, target })
    }

    /// `host/repo` as shown in repo tags and digests (`docker.io` for Hub).
    pub(crate) fn display_name(&self) -> String {
        let host = if is_docker_hub(&self.host) {
            HUB_NAME
        } else {
            &self.host
        };
        format!("{host}/{}", self.repo)
    }

    /// Whether plain HTTP is allowed by default: loopback registries, as the
    /// Docker engine treats `localhost` and 127.0.0.0/8 as insecure.
    pub(crate) fn is_loopback(&self) -> bool {
        let host = match self.host.strip_prefix('[') {
            Some(v6) => v6.split(']').next().unwrap_or(""),
            None => self
                .host
                .rsplit_once(':')
                .map_or(self.host.as_str(), |(h, _)| h),
        };
        host == "localhost"
            || host
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback())
    }
}

impl fmt::Display for RegistryRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.target {
            Target::Tag(t) => write!(f, "{}:{t}", self.display_name()),
            Target::Digest(d) => write!(f, "{}@{d}", self.display_name()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> RegistryRef {
        RegistryRef::parse(s).unwrap()
    }

    #[test]
    fn parses_references() {
        let r = p("127.0.0.1:5000/a/b:1.0");
        assert_eq!(
            (r.host.as_str(), r.repo.as_str(), &r.target),
            ("127.0.0.1:5000", "a/b", &Target::Tag("1.0".into()))
        );
        assert!(r.is_loopback());
        let d = format!("sha256:{}", "0".repeat(64));
        let r = p(&format!("localhost/x@{d}"));
        assert_eq!(r.target, Target::Digest(d.parse().unwrap()));
        assert_eq!(r.host, "localhost");
        let r = p("alpine");
        assert_eq!(
            (r.host.as_str(), r.repo.as_str()),
            ("registry-1.docker.io", "library/alpine")
        );
        assert_eq!(r.to_string(), "docker.io/library/alpine:latest");
        assert!(!r.is_loopback());
        assert_eq!(p("docker.io/org/img:t").repo, "org/img");
        assert_eq!(p("ghcr.io/org/img").target, Target::Tag("latest".into()));
        assert!(p("[::1]:5000/x").is_loopback());
        for bad in [
            "",
            "host.example/",
            "h.example/UPPER",
            "h.example/x:bad/tag",
            "x@sha256:zz",
            "h.example/x:-t",
        ] {
            assert!(RegistryRef::parse(bad).is_err(), "{bad}");
        }
    }
}
