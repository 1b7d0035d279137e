use std::path::PathBuf;

use portcullis_types::Digest;

/// Boxed error returned by a layer visitor (the catalog walk).
pub type VisitError = Box<dyn std::error::Error + Send + Sync>;

/// Why an image could not be opened or read.
#[derive(Debug, thiserror::Error)]
pub enum ImageError {
    /// The reference string is not understood.
    #[error("invalid image reference {reference:?}: {reason}")]
    Reference {
        /// The reference as given.
        reference: String,
        /// What is wrong with it.
        reason: String,
    },
    /// Nothing found where the reference points.
    #[error("image not found: {0}")]
    NotFound(String),
    /// A local file could not be read.
    #[error("cannot read {path}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A manifest, index or config is not what the spec describes.
    #[error("malformed {what}: {reason}")]
    Malformed {
        /// Which document (e.g. `index.json`, `manifest.json`, `config sha256:…`).
        what: String,
        /// What is wrong.
        reason: String,
    },
    /// A blob the manifest names is absent.
    #[error("blob {0} is missing from the image")]
    MissingBlob(String),
    /// A blob's content does not hash to its digest.
    #[error("blob {expected} is corrupt: its content hashes to {actual}")]
    DigestMismatch {
        /// The digest the manifest promised.
        expected: Digest,
        /// What the bytes hash to.
        actual: String,
    },
    /// Reading or walking a layer failed.
    #[error("layer {layer}")]
    Layer {
        /// Which layer (digest or archive path).
        layer: String,
        /// The cause.
        #[source]
        source: VisitError,
    },
    /// A remote (registry or Docker engine) request failed.
    #[error("{0}")]
    Remote(String),
    /// The image uses a feature we do not read.
    #[error("unsupported: {0}")]
    Unsupported(String),
}

impl ImageError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        ImageError::Io {
            path: path.into(),
            source,
        }
    }

    pub(crate) fn malformed(what: impl Into<String>, reason: impl std::fmt::Display) -> Self {
        ImageError::Malformed {
            what: what.into(),
            reason: reason.to_string(),
        }
    }
}
