//! Policy errors. Every message names what was wrong: the file, the key and
//! the offending value, so a CI log alone is enough to fix the policy.

use std::path::PathBuf;

/// Why a policy could not be read or is not valid.
#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    /// The file could not be read.
    #[error("cannot read policy file {}: {source}", .path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file name does not say which format it is in.
    #[error(
        "policy file {}: unknown format (the name must end in .toml, .yaml, .yml or .json)",
        .path.display()
    )]
    Format {
        /// The file.
        path: PathBuf,
    },
    /// The text is not valid TOML/YAML/JSON, or its shape is wrong.
    #[error("not valid {format}: {message}")]
    Syntax {
        /// `TOML`, `YAML` or `JSON`.
        format: &'static str,
        /// The parser's message (with line and column where it gives one).
        message: String,
    },
    /// A key that the policy does not know (a typo must not silently turn a
    /// condition off).
    #[error("unknown policy key `{key}` (known keys: {known})")]
    UnknownKey {
        /// The key, with its path for ignore rules (`ignore[1].reson`).
        key: String,
        /// The keys accepted at that place.
        known: String,
    },
    /// A value that does not parse or is out of range.
    #[error("policy key `{key}`: invalid value {value}: {reason}")]
    Invalid {
        /// The key (`fail-qids`, `ignore[0].expires`, …).
        key: String,
        /// The offending value, quoted.
        value: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A VEX document named by the policy could not be used.
    #[error(transparent)]
    Vex(#[from] crate::vex::VexError),
    /// Any of the above, found in a file.
    #[error("{}: {source}", .path.display())]
    InFile {
        /// The file.
        path: PathBuf,
        /// What was wrong in it.
        source: Box<PolicyError>,
    },
}

impl PolicyError {
    /// An [`PolicyError::Invalid`] for `key`, quoting `value`.
    pub(crate) fn invalid(
        key: &str,
        value: impl std::fmt::Debug,
        reason: impl Into<String>,
    ) -> Self {
        PolicyError::Invalid {
            key: key.to_owned(),
            value: format!("{value:?}"),
            reason: reason.into(),
        }
    }
}
