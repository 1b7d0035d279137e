use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A content digest such as `sha256:0123…`.
///
/// Only `sha256` and `sha512` are accepted: they are the algorithms the OCI
/// image spec registers, and refusing the rest keeps a hostile manifest from
/// naming a blob we cannot verify.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Digest {
    algorithm: &'static str,
    hex: String,
}

/// Why a string is not a digest.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DigestError {
    /// Missing `algorithm:` prefix or unsupported algorithm.
    #[error("unsupported or missing digest algorithm in {0:?} (expected sha256:… or sha512:…)")]
    Algorithm(String),
    /// Wrong length or non-hex characters.
    #[error("malformed digest {0:?}: expected lowercase hex of the algorithm's length")]
    Encoded(String),
}

impl Digest {
    /// Builds a sha256 digest from its lowercase hex form.
    pub fn sha256_hex(hex: &str) -> Result<Self, DigestError> {
        format!("sha256:{hex}").parse()
    }

    /// The algorithm, e.g. `sha256`.
    pub fn algorithm(&self) -> &'static str {
        self.algorithm
    }

    /// The hex part without the algorithm.
    pub fn hex(&self) -> &str {
        &self.hex
    }

    /// The 12-hex short form Docker shows as an image ID.
    pub fn short(&self) -> &str {
        &self.hex[..12]
    }
}

impl FromStr for Digest {
    type Err = DigestError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (algorithm, hex) = s
            .split_once(':')
            .ok_or_else(|| DigestError::Algorithm(s.to_owned()))?;
        let (algorithm, len) = match algorithm {
            "sha256" => ("sha256", 64),
            "sha512" => ("sha512", 128),
            _ => return Err(DigestError::Algorithm(s.to_owned())),
        };
        let valid = hex.len() == len
            && hex
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        if !valid {
            return Err(DigestError::Encoded(s.to_owned()));
        }
        Ok(Digest {
            algorithm,
            hex: hex.to_owned(),
        })
    }
}

impl TryFrom<String> for Digest {
    type Error = DigestError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<Digest> for String {
    fn from(d: Digest) -> String {
        d.to_string()
    }
}

impl Serialize for Digest {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Digest {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.algorithm, self.hex)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_rejects() {
        let hex = "a".repeat(64);
        let d: Digest = format!("sha256:{hex}").parse().unwrap();
        assert_eq!(d.short(), "aaaaaaaaaaaa");
        assert!("md5:abc".parse::<Digest>().is_err());
        assert!(format!("sha256:{}", "A".repeat(64))
            .parse::<Digest>()
            .is_err());
        assert!("sha256:../../etc/passwd".parse::<Digest>().is_err());
        assert!(format!("sha256:{}", "a".repeat(63))
            .parse::<Digest>()
            .is_err());
    }
}
