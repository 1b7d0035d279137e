//! Base-image attribution (SPEC §11): which layers of an image came from
//! its base image, so each finding can say "base" or "own" and
//! `--ignore-base` can count only the project's own layers.

use std::collections::BTreeSet;

use portcullis_types::{Digest, ImageMetadata};

/// The base layers of `image` given the base image's metadata: the longest
/// common prefix of their diff_id lists (a derived image starts with the
/// exact layers of its base). `None` when the first layers differ, i.e.
/// the image is not built on that base.
pub(super) fn from_base_image(
    image: &ImageMetadata,
    base: &ImageMetadata,
) -> Option<BTreeSet<Digest>> {
    let common: BTreeSet<Digest> = image
        .layers
        .iter()
        .zip(&base.layers)
        .take_while(|(a, b)| a.diff_id == b.diff_id)
        .map(|(a, _)| a.diff_id.clone())
        .collect();
    (!common.is_empty() || base.layers.is_empty()).then_some(common)
}

/// Without `--base-image`, the history decides: a base image's history
/// ends with its default command (`CMD`/`ENTRYPOINT`, an empty layer), so
/// the layers created before the last such entry that is followed by more
/// filesystem layers belong to the base. An image whose history records no
/// such boundary has no base layers (everything counts as its own): when in
/// doubt, attribute findings to the project, which never hides one.
pub(super) fn from_history(image: &ImageMetadata) -> BTreeSet<Digest> {
    let total = image.history.iter().filter(|e| !e.empty_layer).count();
    let mut created = 0usize; // filesystem layers created so far
    let mut boundary = None;
    for entry in &image.history {
        if !entry.empty_layer {
            created += 1;
            continue;
        }
        // A default command after the last layer is the image's own CMD,
        // not its base's.
        let command = entry.created_by.as_deref().unwrap_or("");
        if is_default_command(command) && created < total {
            boundary = Some(created);
        }
    }
    match boundary {
        // The history must describe the layers we have, or it says nothing.
        Some(n) if total == image.layers.len() => image.layers[..n]
            .iter()
            .map(|l| l.diff_id.clone())
            .collect(),
        _ => BTreeSet::new(),
    }
}

fn is_default_command(created_by: &str) -> bool {
    // `/bin/sh -c #(nop)  CMD ["bash"]` (docker build) or `CMD ["bash"]` (BuildKit).
    let text = created_by
        .trim_start_matches("/bin/sh -c ")
        .trim_start_matches("#(nop)")
        .trim_start();
    text.starts_with("CMD ") || text.starts_with("ENTRYPOINT ") || text.starts_with("CMD[")
}

#[cfg(test)]
mod tests {
    use portcullis_types::{HistoryEntry, LayerMetadata};

    use super::*;

    fn digest(n: u8) -> Digest {
        Digest::sha256_hex(&format!("{n:02x}").repeat(32)).expect("valid digest")
    }

    fn image(layers: &[u8], history: &[(&str, bool)]) -> ImageMetadata {
        ImageMetadata {
            layers: layers
                .iter()
                .map(|&n| LayerMetadata {
                    diff_id: digest(n),
                    digest: None,
                    size: 1,
                    media_type: None,
                    created_by: None,
                })
                .collect(),
            history: history
                .iter()
                .map(|&(c, empty)| HistoryEntry {
                    created: None,
                    created_by: Some(c.to_owned()),
                    empty_layer: empty,
                })
                .collect(),
            ..ImageMetadata::default()
        }
    }

    #[test]
    fn explicit_base_is_the_common_prefix() {
        let app = image(&[1, 2, 3], &[]);
        let base = image(&[1, 2], &[]);
        assert_eq!(
            from_base_image(&app, &base),
            Some(BTreeSet::from([digest(1), digest(2)]))
        );
        let other = image(&[9], &[]);
        assert_eq!(from_base_image(&app, &other), None);
    }

    #[test]
    fn history_boundary_is_the_bases_default_command() {
        let app = image(
            &[1, 2, 3],
            &[
                ("/bin/sh -c #(nop) ADD file:abc in / ", false),
                ("/bin/sh -c #(nop)  CMD [\"bash\"]", true),
                ("RUN apt-get install -y curl", false),
                ("COPY app /app", false),
                ("CMD [\"/app\"]", true),
            ],
        );
        assert_eq!(from_history(&app), BTreeSet::from([digest(1)]));
    }

    #[test]
    fn no_boundary_means_no_base_layers() {
        let single = image(&[1], &[("ADD rootfs /", false), ("CMD [\"sh\"]", true)]);
        assert!(from_history(&single).is_empty());
        let none = image(&[1, 2], &[("ADD a /", false), ("RUN b", false)]);
        assert!(from_history(&none).is_empty());
    }
}
