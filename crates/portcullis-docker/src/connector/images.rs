//! Image inputs → sha, deduplication, and the scan tags.

use std::fmt;

use hyper::StatusCode;

use super::{ConnectorError, PORTCULLIS_SCAN_REPO, QUALYS_SCAN_REPO};
use crate::{Docker, DockerError};

/// One image input resolved by the engine.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResolvedImage {
    /// The input as given (trimmed).
    pub input: String,
    /// The image ID: 64 lower-case hex digits, no `sha256:` (what the
    /// platform calls the image's sha).
    pub sha: String,
    /// Its first 12 digits, as `docker images` shows them.
    pub id12: String,
}

impl ResolvedImage {
    /// `sha256:<sha>`, the engine's own spelling of the ID.
    pub fn id(&self) -> String {
        format!("sha256:{}", self.sha)
    }
}

/// An input that names an image already resolved from an earlier input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Duplicate {
    /// The later input.
    pub input: String,
    /// The earlier input it shares its sha with.
    pub first: String,
    /// The shared sha.
    pub sha: String,
}

impl fmt::Display for Duplicate {
    /// The vendor's message, word for word.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} has same image Id as one of the configured image: {}. So processing it only once.",
            self.input, self.first
        )
    }
}

/// The distinct images of a list of inputs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Resolved {
    /// One per distinct sha, in input order, each under its first input.
    pub images: Vec<ResolvedImage>,
    /// Later inputs that named an image already in `images`.
    pub duplicates: Vec<Duplicate>,
}

impl Resolved {
    /// The messages to print for the duplicates, in input order.
    pub fn messages(&self) -> Vec<String> {
        self.duplicates.iter().map(ToString::to_string).collect()
    }

    /// Every input that resolved to `sha`, the first one first (reports
    /// list them all, so a user finds the name they gave).
    pub fn inputs_for(&self, sha: &str) -> Vec<&str> {
        let first = self.images.iter().filter(|i| i.sha == sha);
        let later = self.duplicates.iter().filter(|d| d.sha == sha);
        first
            .map(|i| i.input.as_str())
            .chain(later.map(|d| d.input.as_str()))
            .collect()
    }
}

/// What an input is, once validated. (A 12-digit hex string is also a
/// valid repository name; like the vendor and the engine, we read it as an
/// ID first.)
#[derive(Debug, PartialEq, Eq)]
enum Input {
    /// 12 hex digits (lower-cased): an ID prefix.
    ShortId(String),
    /// 64 hex digits (lower-cased): a full ID.
    LongId(String),
    /// `[registry[:port]/]repo[:tag][@digest]`.
    Name,
}

fn is_hex(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_hexdigit())
}

fn classify(input: &str) -> Option<Input> {
    let bare = input.strip_prefix("sha256:").unwrap_or(input);
    if is_hex(bare) {
        match bare.len() {
            64 => return Some(Input::LongId(bare.to_ascii_lowercase())),
            12 => return Some(Input::ShortId(bare.to_ascii_lowercase())),
            _ => {}
        }
    }
    // `sha256:` + anything else is a mistyped ID, not the repository
    // `sha256` with a tag.
    (!input.starts_with("sha256:") && is_reference(input)).then_some(Input::Name)
}

/// Whether `input` is what [`resolve_image`] accepts: the vendor's
/// `^([A-Fa-f0-9]{12}|[A-Fa-f0-9]{64})$`, `sha256:` + 64 hex digits, or an
/// image reference in the Docker grammar (`repo:tag`,
/// `registry:5000/team/repo:tag`, `repo@sha256:…`).
pub fn is_valid_image_input(input: &str) -> bool {
    classify(input.trim()).is_some()
}

/// The Docker reference grammar (distribution/reference), IPv6 registries
/// aside: `[domain[:port]/]component(/component)*[:tag][@algo:hex]`.
fn is_reference(s: &str) -> bool {
    if s.is_empty() || s.len() > 512 {
        return false;
    }
    let (rest, digest) = match s.split_once('@') {
        Some((r, d)) => (r, Some(d)),
        None => (s, None),
    };
    if let Some(d) = digest {
        let Some((algo, hex)) = d.split_once(':') else {
            return false;
        };
        let algo_ok = algo.split(['-', '_', '+', '.']).all(|part| {
            part.starts_with(|c: char| c.is_ascii_alphabetic())
                && part.bytes().all(|b| b.is_ascii_alphanumeric())
        });
        if !algo_ok || hex.len() < 32 || !is_hex(hex) {
            return false;
        }
    }
    // A tag follows the last `:` after the last `/` (a `:` before it is
    // the registry's port).
    let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
    let (name, tag) = match rest[last_slash..].rfind(':') {
        Some(i) => (&rest[..last_slash + i], Some(&rest[last_slash + i + 1..])),
        None => (rest, None),
    };
    if let Some(t) = tag {
        let ok = t.len() <= 128
            && t.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
            && t.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"_.-".contains(&b));
        if !ok {
            return false;
        }
    }
    if name.len() > 255 {
        return false;
    }
    let mut parts: Vec<&str> = name.split('/').collect();
    // Docker's rule: the first part is a registry when it has a `.` or a
    // `:`, is `localhost`, or has upper case; otherwise it is a path.
    if parts.len() > 1 {
        let first = parts[0];
        if first.contains(['.', ':'])
            || first == "localhost"
            || first.bytes().any(|b| b.is_ascii_uppercase())
        {
            if !is_domain(first) {
                return false;
            }
            parts.remove(0);
        }
    }
    !parts.is_empty() && parts.iter().all(|p| is_path_component(p))
}

fn is_domain(s: &str) -> bool {
    let (host, port) = match s.rsplit_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (s, None),
    };
    if let Some(p) = port {
        if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) {
            return false;
        }
    }
    !host.is_empty()
        && host.split('.').all(|label| {
            !label.is_empty()
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

/// `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*`
fn is_path_component(s: &str) -> bool {
    let b = s.as_bytes();
    let alnum = |c: u8| c.is_ascii_lowercase() || c.is_ascii_digit();
    if b.is_empty() || !alnum(b[0]) || !alnum(b[b.len() - 1]) {
        return false;
    }
    let mut i = 0;
    while i < b.len() {
        if alnum(b[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && !alnum(b[i]) {
            i += 1;
        }
        let sep = &s[start..i];
        let ok = sep == "." || sep == "_" || sep == "__" || sep.bytes().all(|c| c == b'-');
        if !ok {
            return false;
        }
    }
    true
}

fn invalid(input: &str) -> ConnectorError {
    let hint = if input.contains("${") || input.starts_with('$') {
        ": it looks like a variable that was not expanded"
    } else if input.bytes().any(|b| b.is_ascii_uppercase()) {
        ": repository names are lower case"
    } else {
        ""
    };
    ConnectorError::InvalidInput {
        input: input.to_owned(),
        hint,
    }
}

/// `GET /images/<input>/json` → the image's sha. Full IDs are looked up as
/// `sha256:<hex>`, which the engine never confuses with a name; a 12-digit
/// ID goes as it is (the engine tries it as a name, then as an ID prefix).
pub fn resolve_image(docker: &Docker, input: &str) -> Result<ResolvedImage, ConnectorError> {
    let input = input.trim();
    let key = match classify(input).ok_or_else(|| invalid(input))? {
        Input::LongId(hex) => format!("sha256:{hex}"),
        Input::ShortId(hex) => hex,
        Input::Name => input.to_owned(),
    };
    let inspect = docker.image_inspect(&key).map_err(|e| match e {
        DockerError::NotFound { endpoint, .. } => ConnectorError::ImageNotFound {
            input: input.to_owned(),
            endpoint,
        },
        source => ConnectorError::Resolve {
            input: input.to_owned(),
            source,
        },
    })?;
    let sha = inspect
        .id
        .strip_prefix("sha256:")
        .filter(|h| h.len() == 64 && is_hex(h))
        .map(str::to_ascii_lowercase)
        .ok_or_else(|| ConnectorError::BadImageId {
            input: input.to_owned(),
            endpoint: docker.endpoint().to_owned(),
            id: inspect.id.clone(),
        })?;
    Ok(ResolvedImage {
        input: input.to_owned(),
        id12: sha[..12].to_owned(),
        sha,
    })
}

/// Resolves every input (each may itself be a comma-separated list, as in
/// the vendor's `imageIds` field; blanks are skipped) and keeps one entry
/// per sha. Stops at the first input that fails: a gate must not pass
/// because one of its images was silently left out.
pub fn resolve_images(docker: &Docker, inputs: &[String]) -> Result<Resolved, ConnectorError> {
    let mut out = Resolved::default();
    let items = inputs
        .iter()
        .flat_map(|i| i.split(','))
        .map(str::trim)
        .filter(|i| !i.is_empty());
    for input in items {
        let image = resolve_image(docker, input)?;
        match out.images.iter().find(|i| i.sha == image.sha) {
            Some(first) => out.duplicates.push(Duplicate {
                input: image.input,
                first: first.input.clone(),
                sha: image.sha,
            }),
            None => out.images.push(image),
        }
    }
    if out.images.is_empty() {
        return Err(ConnectorError::NoImages);
    }
    Ok(out)
}

/// Tags the image `qualys_scan_target:<sha>` and `portcullis_scan_target:<sha>`
/// (`POST /images/<id>/tag`, `201 Created` expected) and returns the tags
/// made. The ID, not the input name, is tagged: the name could have been
/// moved to another image since it was resolved. If the second tag fails
/// the first stays; a sensor removes it after its scan, and removing it
/// here could delete an image whose only tag it is.
pub fn tag_for_scan(docker: &Docker, image: &ResolvedImage) -> Result<Vec<String>, ConnectorError> {
    let mut made = Vec::new();
    for repo in [QUALYS_SCAN_REPO, PORTCULLIS_SCAN_REPO] {
        let fail = |reason: String| ConnectorError::Tag {
            input: image.input.clone(),
            repo,
            reason,
        };
        match docker.image_tag_status(&image.id(), repo, &image.sha) {
            Ok(StatusCode::CREATED) => made.push(format!("{repo}:{}", image.sha)),
            Ok(status) => {
                return Err(fail(format!(
                    "the Docker engine at {} answered {status} instead of 201 Created",
                    docker.endpoint()
                )))
            }
            Err(e) => return Err(fail(e.to_string())),
        }
    }
    Ok(made)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_inputs() {
        let h64 = "B734ea40ecc05178232930e27256740ebf8674ba2698cb94c2514a06889b5b1c";
        assert_eq!(classify(h64), Some(Input::LongId(h64.to_ascii_lowercase())));
        assert_eq!(
            classify(&format!("sha256:{h64}")),
            Some(Input::LongId(h64.to_ascii_lowercase()))
        );
        for short in ["B734EA40ECC0", "sha256:b734ea40ecc0"] {
            assert_eq!(
                classify(short),
                Some(Input::ShortId("b734ea40ecc0".into())),
                "{short}"
            );
        }
        for name in [
            "alpine",
            "alpine:3.18",
            "b734ea40ecc0:tag",
            "library/alpine:latest",
            "registry:5000/repo:tag",
            "localhost/a/b",
            "my.reg.example/team/app_x__y--z.v:1.0-rc_1",
            "Registry.Example:443/a",
            "a@sha256:b734ea40ecc05178232930e27256740ebf8674ba2698cb94c2514a06889b5b1c",
            "a:1@sha256:b734ea40ecc05178232930e27256740ebf8674ba2698cb94c2514a06889b5b1c",
        ] {
            assert_eq!(classify(name), Some(Input::Name), "{name}");
        }
        for bad in [
            "",
            "sha256:b734ea40ecc",
            "Alpine",
            "a b",
            "a:",
            "a:-x",
            "a/",
            "/a",
            "a//b",
            "a..b",
            "a-",
            "a___b",
            "reg:x/a",
            "reg:/a",
            "a@sha256:00",
            "${IMAGE}",
            "a?b=c",
            "a%2fb",
            "-a",
        ] {
            assert_eq!(classify(bad), None, "{bad}");
        }
        assert!(is_valid_image_input("  alpine:3.18 "));
        assert!(invalid("${IMAGE}").to_string().contains("not expanded"));
        assert!(invalid("Alpine").to_string().contains("lower case"));
    }

    #[test]
    fn duplicate_message_is_the_vendors() {
        let d = Duplicate {
            input: "b:1".into(),
            first: "a:1".into(),
            sha: "0".repeat(64),
        };
        assert_eq!(
            d.to_string(),
            "b:1 has same image Id as one of the configured image: a:1. So processing it only once."
        );
    }
}
