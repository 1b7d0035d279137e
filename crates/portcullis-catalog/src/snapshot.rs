//! The squashed view of an image: what a container started from it would see,
//! restricted to the files the catalogers asked for.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::path::resolve_link;
use crate::walk::{LayerFiles, Recorded};

/// Most symlinks followed while resolving one path; beyond this we assume a
/// loop (Linux uses 40 as well).
const MAX_LINK_HOPS: usize = 40;

/// One version of a file as a layer left it (`None`: deleted by that layer).
#[derive(Clone, Debug)]
pub struct Version {
    /// Index of the layer.
    pub layer: usize,
    /// The content after that layer, or `None` if the layer removed it.
    pub content: Option<Arc<[u8]>>,
}

/// A file of the squashed view.
#[derive(Clone, Copy, Debug)]
pub struct FileRef<'a> {
    /// Normalised path (no leading slash).
    pub path: &'a str,
    /// Index of the layer the visible version comes from.
    pub layer: usize,
    /// Content, or a cataloger's summary of it.
    pub content: &'a [u8],
    /// Index of the cataloger that asked for it.
    pub owner: usize,
}

#[derive(Debug)]
struct Node {
    layer: usize,
    entry: Recorded,
}

/// Files and symlinks after applying all layers in order.
#[derive(Debug, Default)]
pub struct Snapshot {
    nodes: BTreeMap<String, Node>,
    history: BTreeMap<String, Vec<Version>>,
}

impl Snapshot {
    /// Applies layers bottom-up. Within a layer, deletions (whiteouts, opaque
    /// directories) affect only lower layers, so they are applied before the
    /// layer's own entries.
    pub fn squash(layers: Vec<LayerFiles>) -> Snapshot {
        let mut snap = Snapshot::default();
        for (index, layer) in layers.into_iter().enumerate() {
            for dir in &layer.opaque_dirs {
                snap.remove_below(dir, index, false);
            }
            for path in &layer.whiteouts {
                snap.remove_below(path, index, true);
            }
            for (path, entry) in layer.entries {
                if let Recorded::File { content, .. } = &entry {
                    snap.history.entry(path.clone()).or_default().push(Version {
                        layer: index,
                        content: Some(content.clone()),
                    });
                }
                snap.nodes.insert(
                    path,
                    Node {
                        layer: index,
                        entry,
                    },
                );
            }
        }
        snap
    }

    /// Removes `path` itself (when `include_self`) and everything below it.
    fn remove_below(&mut self, path: &str, layer: usize, include_self: bool) {
        let prefix = if path.is_empty() {
            String::new()
        } else {
            format!("{path}/")
        };
        let mut doomed: Vec<String> = self
            .nodes
            .range(prefix.clone()..)
            .take_while(|(k, _)| k.starts_with(&prefix))
            .map(|(k, _)| k.clone())
            .collect();
        if include_self && self.nodes.contains_key(path) {
            doomed.push(path.to_owned());
        }
        for key in doomed {
            if let Some(Node {
                entry: Recorded::File { .. },
                ..
            }) = self.nodes.remove(&key)
            {
                if let Some(h) = self.history.get_mut(&key) {
                    h.push(Version {
                        layer,
                        content: None,
                    });
                }
            }
        }
    }

    /// Visible regular files, in path order.
    pub fn files(&self) -> impl Iterator<Item = FileRef<'_>> {
        self.nodes
            .iter()
            .filter_map(|(path, node)| match &node.entry {
                Recorded::File { content, owner, .. } => Some(FileRef {
                    path,
                    layer: node.layer,
                    content,
                    owner: *owner,
                }),
                Recorded::Symlink(_) => None,
            })
    }

    /// Visible files kept for the cataloger with index `owner`.
    pub fn owned_by(&self, owner: usize) -> impl Iterator<Item = FileRef<'_>> {
        self.files().filter(move |f| f.owner == owner)
    }

    /// Looks a path up as a process in the container would, following
    /// symlinks in every component (bounded, so loops end).
    pub fn get(&self, path: &str) -> Option<FileRef<'_>> {
        let resolved = self.resolve(path)?;
        let (key, node) = self.nodes.get_key_value(&resolved)?;
        match &node.entry {
            Recorded::File { content, owner, .. } => Some(FileRef {
                path: key,
                layer: node.layer,
                content,
                owner: *owner,
            }),
            Recorded::Symlink(_) => None,
        }
    }

    /// Resolves symlinks in `path`; `None` on a loop or dangling chain.
    pub fn resolve(&self, path: &str) -> Option<String> {
        let mut pending: Vec<String> = path
            .split('/')
            .filter(|p| !p.is_empty())
            .rev()
            .map(str::to_owned)
            .collect();
        let mut current = String::new();
        let mut hops = 0;
        while let Some(part) = pending.pop() {
            let candidate = match part.as_str() {
                "." => continue,
                ".." => {
                    current = current
                        .rsplit_once('/')
                        .map(|(d, _)| d.to_owned())
                        .unwrap_or_default();
                    continue;
                }
                _ if current.is_empty() => part,
                _ => format!("{current}/{part}"),
            };
            match self.nodes.get(&candidate).map(|n| &n.entry) {
                Some(Recorded::Symlink(target)) => {
                    hops += 1;
                    if hops > MAX_LINK_HOPS {
                        return None;
                    }
                    let target = resolve_link(&candidate, target).unwrap_or_default();
                    // Restart from the root with the target's components first.
                    for p in target.split('/').filter(|p| !p.is_empty()).rev() {
                        pending.push(p.to_owned());
                    }
                    current = String::new();
                }
                _ => current = candidate,
            }
        }
        Some(current)
    }

    /// Every version of `path` layer by layer (bottom first), including
    /// deletions: lets package-DB catalogers tell which layer introduced
    /// each package.
    pub fn history(&self, path: &str) -> &[Version] {
        self.history.get(path).map_or(&[], Vec::as_slice)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(content: &str) -> Recorded {
        Recorded::File {
            content: content.as_bytes().into(),
            owner: 0,
            summary: false,
        }
    }

    fn layer(entries: &[(&str, Recorded)], whiteouts: &[&str], opaque: &[&str]) -> LayerFiles {
        LayerFiles {
            entries: entries
                .iter()
                .cloned()
                .map(|(p, r)| (p.to_owned(), r))
                .collect(),
            whiteouts: whiteouts.iter().map(|s| (*s).to_owned()).collect(),
            opaque_dirs: opaque.iter().map(|s| (*s).to_owned()).collect(),
            issues: vec![],
        }
    }

    #[test]
    fn whiteouts_and_opaque_dirs_hide_lower_files() {
        let snap = Snapshot::squash(vec![
            layer(
                &[
                    ("a/x", file("1")),
                    ("a/y", file("1")),
                    ("b/z", file("1")),
                    ("keep", file("1")),
                ],
                &[],
                &[],
            ),
            layer(&[("a/new", file("2"))], &["b"], &["a"]),
        ]);
        let paths: Vec<_> = snap.files().map(|f| f.path.to_owned()).collect();
        assert_eq!(paths, ["a/new", "keep"]);
        assert_eq!(snap.history("a/x").len(), 2);
        assert!(snap.history("a/x")[1].content.is_none());
    }

    #[test]
    fn upper_layer_replaces_and_history_keeps_order() {
        let snap = Snapshot::squash(vec![
            layer(&[("s", file("v1"))], &[], &[]),
            layer(&[("s", file("v2"))], &[], &[]),
        ]);
        assert_eq!(snap.get("s").unwrap().content, b"v2");
        assert_eq!(snap.get("s").unwrap().layer, 1);
        let h = snap.history("s");
        assert_eq!((h[0].layer, h[1].layer), (0, 1));
    }

    #[test]
    fn symlinks_resolve_and_loops_end() {
        let snap = Snapshot::squash(vec![layer(
            &[
                ("usr/lib/os-release", file("ID=debian")),
                (
                    "etc/os-release",
                    Recorded::Symlink("../usr/lib/os-release".into()),
                ),
                ("lib", Recorded::Symlink("usr/lib".into())),
                ("loop1", Recorded::Symlink("loop2".into())),
                ("loop2", Recorded::Symlink("/loop1".into())),
            ],
            &[],
            &[],
        )]);
        assert_eq!(snap.get("etc/os-release").unwrap().content, b"ID=debian");
        assert_eq!(
            snap.get("/lib/os-release").unwrap().path,
            "usr/lib/os-release"
        );
        assert!(snap.get("loop1").is_none());
        assert!(snap.get("loop1/x").is_none());
    }
}
