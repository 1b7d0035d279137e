//! Reading layer blobs: digest verification and transparent decompression.
//!
//! The compression is detected from the first bytes rather than trusted from
//! the media type: `docker save` writes plain tars under names that say
//! nothing, and some registries mislabel blobs.

use std::io::{self, BufRead, BufReader, Read};

use portcullis_types::Digest;
use sha2::{Digest as _, Sha256, Sha512};

use crate::ImageError;

enum Hasher {
    Sha256(Sha256),
    Sha512(Sha512),
}

/// Passes bytes through while hashing them.
pub(crate) struct HashingReader<R> {
    inner: R,
    hasher: Hasher,
    expected: Digest,
}

impl<R: Read> HashingReader<R> {
    pub(crate) fn new(inner: R, expected: Digest) -> Self {
        let hasher = if expected.algorithm() == "sha512" {
            Hasher::Sha512(Sha512::new())
        } else {
            Hasher::Sha256(Sha256::new())
        };
        HashingReader {
            inner,
            hasher,
            expected,
        }
    }

    /// Reads what is left and checks the digest.
    pub(crate) fn finish(mut self) -> Result<(), ImageError> {
        io::copy(&mut self, &mut io::sink())
            .map_err(|e| ImageError::Remote(format!("reading blob {}: {e}", self.expected)))?;
        let actual = match self.hasher {
            Hasher::Sha256(h) => format!("sha256:{}", hex::encode(h.finalize())),
            Hasher::Sha512(h) => format!("sha512:{}", hex::encode(h.finalize())),
        };
        if actual == self.expected.to_string() {
            Ok(())
        } else {
            Err(ImageError::DigestMismatch {
                expected: self.expected,
                actual,
            })
        }
    }
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        match &mut self.hasher {
            Hasher::Sha256(h) => h.update(&buf[..n]),
            Hasher::Sha512(h) => h.update(&buf[..n]),
        }
        Ok(n)
    }
}

/// Wraps a (possibly compressed) blob stream into a plain tar stream.
pub(crate) fn decompress<'a>(raw: impl Read + 'a) -> io::Result<Box<dyn Read + 'a>> {
    let mut buffered = BufReader::with_capacity(256 * 1024, raw);
    let head = buffered.fill_buf()?;
    Ok(if head.starts_with(&[0x1f, 0x8b]) {
        Box::new(flate2::bufread::MultiGzDecoder::new(buffered))
    } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        Box::new(zstd::stream::read::Decoder::with_buffer(buffered)?)
    } else {
        Box::new(buffered)
    })
}

/// Computes the sha256 digest of a byte slice (configs, manifests).
pub(crate) fn sha256_of(bytes: &[u8]) -> Digest {
    Digest::sha256_hex(&hex::encode(Sha256::digest(bytes))).expect("sha256 hex is a valid digest")
}

/// Checks that small in-memory documents (manifest, config) match their digest.
pub(crate) fn verify_bytes(bytes: &[u8], expected: &Digest) -> Result<(), ImageError> {
    let actual = match expected.algorithm() {
        "sha512" => format!("sha512:{}", hex::encode(Sha512::digest(bytes))),
        _ => sha256_of(bytes).to_string(),
    };
    if actual == expected.to_string() {
        Ok(())
    } else {
        Err(ImageError::DigestMismatch {
            expected: expected.clone(),
            actual,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn detects_gzip_and_plain() {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(b"hello tar").unwrap();
        let gz = gz.finish().unwrap();
        let mut out = String::new();
        decompress(&gz[..])
            .unwrap()
            .read_to_string(&mut out)
            .unwrap();
        assert_eq!(out, "hello tar");
        out.clear();
        decompress(&b"plain"[..])
            .unwrap()
            .read_to_string(&mut out)
            .unwrap();
        assert_eq!(out, "plain");
    }

    #[test]
    fn digest_mismatch_is_reported() {
        let good = sha256_of(b"abc");
        assert!(HashingReader::new(&b"abc"[..], good.clone())
            .finish()
            .is_ok());
        let err = HashingReader::new(&b"abd"[..], good).finish().unwrap_err();
        assert!(matches!(err, ImageError::DigestMismatch { .. }), "{err}");
    }
}
