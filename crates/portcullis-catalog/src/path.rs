//! Lexical path normalisation for layer entries.
//!
//! Tar entries are attacker-controlled. We never touch the host filesystem
//! with them, but a path like `../../etc/passwd` must still not be mistaken
//! for `etc/passwd` inside the image, so escaping paths are reported.

/// The outcome of normalising an entry name.
#[derive(Debug, PartialEq, Eq)]
pub enum NormalizedPath {
    /// A clean relative path (`usr/lib/os-release`), never empty for entries
    /// below the root.
    Inside(String),
    /// The root itself (`./`, `/`).
    Root,
    /// A path that climbs above the root with `..`.
    Escapes,
}

/// Strips `./` and leading `/`, folds `.` and `..`, and flags escapes.
pub fn normalize(raw: &str) -> NormalizedPath {
    let mut parts: Vec<&str> = Vec::new();
    for part in raw.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() {
                    return NormalizedPath::Escapes;
                }
            }
            p => parts.push(p),
        }
    }
    if parts.is_empty() {
        NormalizedPath::Root
    } else {
        NormalizedPath::Inside(parts.join("/"))
    }
}

/// Resolves a symlink `target` found at `link_path` into a normalised path
/// (absolute targets are relative to the image root, as in a container).
pub(crate) fn resolve_link(link_path: &str, target: &str) -> Option<String> {
    let joined = if target.starts_with('/') {
        target.to_owned()
    } else {
        match link_path.rsplit_once('/') {
            Some((dir, _)) => format!("{dir}/{target}"),
            None => target.to_owned(),
        }
    };
    // `..` above the root stays at the root inside a container.
    let mut parts: Vec<&str> = Vec::new();
    for part in joined.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    (!parts.is_empty()).then(|| parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_entries() {
        assert_eq!(
            normalize("./etc/os-release"),
            NormalizedPath::Inside("etc/os-release".into())
        );
        assert_eq!(
            normalize("/abs/path"),
            NormalizedPath::Inside("abs/path".into())
        );
        assert_eq!(
            normalize("a/./b/../c"),
            NormalizedPath::Inside("a/c".into())
        );
        assert_eq!(normalize("./"), NormalizedPath::Root);
        assert_eq!(normalize("../etc/passwd"), NormalizedPath::Escapes);
        assert_eq!(normalize("a/../../b"), NormalizedPath::Escapes);
    }

    #[test]
    fn resolves_links_inside_the_root() {
        assert_eq!(
            resolve_link("etc/os-release", "../usr/lib/os-release").as_deref(),
            Some("usr/lib/os-release")
        );
        assert_eq!(resolve_link("lib", "usr/lib").as_deref(), Some("usr/lib"));
        assert_eq!(resolve_link("a/b", "/../../x").as_deref(), Some("x"));
        assert_eq!(resolve_link("a/b", "/").as_deref(), None);
    }
}
