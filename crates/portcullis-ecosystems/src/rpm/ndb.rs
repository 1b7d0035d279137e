//! `Packages.db`, rpm's NDB backend (SUSE; rpm's `lib/backend/ndb/rpmpkg.c`).
//!
//! All integers little-endian. Layout:
//!
//! ```text
//! 0   header (32 bytes = the first two slots):
//!     "RpmP" | version (0) | generation | slotnpages | nextpkgidx | 12 unused
//! 32  slots up to slotnpages × 4096, 16 bytes each:
//!     "Slot" | pkgidx | blkoff | blkcnt        (blkoff 0 = free slot)
//! ..  blobs, in 16-byte blocks at blkoff × 16, blkcnt blocks each:
//!     "BlbS" | pkgidx | timestamp | bloblen | header blob | zero pad |
//!     adler32 | bloblen | "BlbE"
//! ```
//!
//! We apply the checks rpm applies when it reads a blob (`rpmpkgReadSlots`,
//! `rpmpkgReadBlob`): slot magic, blob head and tail magic, matching package
//! index and length, block count consistent with the length. Like rpm on a
//! normal read, the adler32 is not verified.

use std::borrow::Cow;

use super::{HeaderBlobs, RpmError};

const PAGE_SIZE: usize = 4096;
const SLOT_SIZE: usize = 16;
const BLK_SIZE: usize = 16;
const HEADER_SIZE: usize = 32;
const BLOB_HEAD: usize = 16;
const BLOB_TAIL: usize = 12;

/// Reads the header blobs of an NDB `Packages.db`; blobs borrow the input.
pub fn read_ndb(bytes: &[u8]) -> Result<HeaderBlobs<'_>, RpmError> {
    let bad = |why: String| Err(RpmError::Ndb(why));
    if bytes.len() < HEADER_SIZE || &bytes[..4] != b"RpmP" {
        return bad("no RpmP magic".into());
    }
    let version = le32(bytes, 4);
    if version != 0 {
        return bad(format!("unsupported version {version}"));
    }
    let slot_pages = le32(bytes, 12) as usize;
    // The slot pages must be in the file; this also bounds the slot loop.
    let slot_end = match slot_pages.checked_mul(PAGE_SIZE) {
        Some(end) if slot_pages > 0 && end <= bytes.len() => end,
        _ => {
            return bad(format!(
                "{slot_pages} slot pages do not fit a {}-byte file",
                bytes.len()
            ))
        }
    };
    let mut out = HeaderBlobs::default();
    for (n, slot) in bytes[HEADER_SIZE..slot_end]
        .chunks_exact(SLOT_SIZE)
        .enumerate()
    {
        if &slot[..4] != b"Slot" {
            // rpm refuses the whole database here: the slot area is its index.
            return bad(format!(
                "slot {} has no Slot magic",
                n + HEADER_SIZE / SLOT_SIZE
            ));
        }
        let (pkgidx, blkoff, blkcnt) = (
            le32(slot, 4),
            le32(slot, 8) as usize,
            le32(slot, 12) as usize,
        );
        if blkoff == 0 {
            continue;
        }
        match read_blob(bytes, pkgidx, blkoff, blkcnt, slot_end) {
            Ok(blob) => out.blobs.push((pkgidx, Cow::Borrowed(blob))),
            Err(why) => out.problems.push(format!("package {pkgidx}: {why}")),
        }
    }
    Ok(out)
}

fn read_blob(
    bytes: &[u8],
    pkgidx: u32,
    blkoff: usize,
    blkcnt: usize,
    slot_end: usize,
) -> Result<&[u8], String> {
    if pkgidx == 0 || blkcnt == 0 {
        return Err("empty slot with a block offset".into());
    }
    let start = blkoff
        .checked_mul(BLK_SIZE)
        .filter(|&s| s >= slot_end)
        .ok_or("blob inside the slot pages")?;
    let end = blkcnt
        .checked_mul(BLK_SIZE)
        .and_then(|len| start.checked_add(len))
        .filter(|&e| e <= bytes.len())
        .ok_or("blob beyond the end of the file (truncated database?)")?;
    let area = &bytes[start..end];
    if area.len() < BLOB_HEAD + BLOB_TAIL || &area[..4] != b"BlbS" {
        return Err("no BlbS blob head".into());
    }
    if le32(area, 4) != pkgidx {
        return Err(format!("blob belongs to package {}", le32(area, 4)));
    }
    let len = le32(area, 12) as usize;
    // rpm: blkcnt == ceil((head + len + tail) / 16), so len fits in the area.
    if (BLOB_HEAD + len + BLOB_TAIL).div_ceil(BLK_SIZE) != blkcnt {
        return Err(format!("blob length {len} does not match {blkcnt} blocks"));
    }
    let tail = &area[area.len() - BLOB_TAIL..];
    if le32(tail, 4) as usize != len || &tail[8..] != b"BlbE" {
        return Err("bad BlbE blob tail".into());
    }
    Ok(&area[BLOB_HEAD..BLOB_HEAD + len])
}

/// Little-endian u32 at `at`; callers have checked `at + 4 <= b.len()`.
fn le32(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A one-page NDB with the given blobs (as rpm's writer lays them out).
    fn build(blobs: &[(u32, &[u8])]) -> Vec<u8> {
        let mut file = vec![0u8; PAGE_SIZE];
        file[..4].copy_from_slice(b"RpmP");
        file[12..16].copy_from_slice(&1u32.to_le_bytes());
        for slot in file[HEADER_SIZE..].chunks_exact_mut(SLOT_SIZE) {
            slot[..4].copy_from_slice(b"Slot");
        }
        for (i, (idx, blob)) in blobs.iter().enumerate() {
            let blkcnt = (BLOB_HEAD + blob.len() + BLOB_TAIL).div_ceil(BLK_SIZE);
            let blkoff = file.len() / BLK_SIZE;
            let slot = HEADER_SIZE + i * SLOT_SIZE;
            for (k, v) in [*idx, blkoff as u32, blkcnt as u32].into_iter().enumerate() {
                file[slot + 4 + 4 * k..slot + 8 + 4 * k].copy_from_slice(&v.to_le_bytes());
            }
            let mut area = Vec::new();
            for v in [u32::from_le_bytes(*b"BlbS"), *idx, 0, blob.len() as u32] {
                area.extend_from_slice(&v.to_le_bytes());
            }
            area.extend_from_slice(blob);
            area.resize(blkcnt * BLK_SIZE - BLOB_TAIL, 0);
            for v in [0, blob.len() as u32, u32::from_le_bytes(*b"BlbE")] {
                area.extend_from_slice(&v.to_le_bytes());
            }
            file.extend_from_slice(&area);
        }
        file
    }

    #[test]
    fn reads_blobs_and_reports_bad_slots() {
        let file = build(&[(1, b"first"), (5, b"second blob, longer than one block")]);
        let got = read_ndb(&file).unwrap();
        let blobs: Vec<_> = got.blobs.iter().map(|(i, b)| (*i, b.to_vec())).collect();
        assert_eq!(
            blobs,
            vec![
                (1, b"first".to_vec()),
                (5, b"second blob, longer than one block".to_vec())
            ]
        );

        let mut wrong_idx = file.clone();
        wrong_idx[HEADER_SIZE + 4] = 9;
        let got = read_ndb(&wrong_idx).unwrap();
        assert_eq!((got.blobs.len(), got.problems.len()), (1, 1));

        let truncated = &file[..file.len() - 1];
        assert_eq!(read_ndb(truncated).unwrap().problems.len(), 1);
    }

    #[test]
    fn rejects_hostile_headers_and_slots() {
        let file = build(&[(1, b"x")]);
        assert!(
            read_ndb(&file[..PAGE_SIZE - 1]).is_err(),
            "slot page cut short"
        );
        for (at, value) in [(12usize, 0u32), (12, u32::MAX), (12, 2), (4, 1)] {
            let mut f = file.clone();
            f[at..at + 4].copy_from_slice(&value.to_le_bytes());
            assert!(read_ndb(&f).is_err(), "header field {at} = {value}");
        }
        let mut bad_magic = file.clone();
        bad_magic[HEADER_SIZE + SLOT_SIZE] = b'X';
        assert!(read_ndb(&bad_magic).is_err());
        // blkoff/blkcnt pointing into the slot page, past the end, or huge.
        for (field, value) in [
            (8usize, 1u32),
            (8, u32::MAX),
            (12, u32::MAX),
            (12, 1),
            (12, 0),
        ] {
            let mut f = file.clone();
            f[HEADER_SIZE + field..HEADER_SIZE + field + 4].copy_from_slice(&value.to_le_bytes());
            let got = read_ndb(&f).unwrap();
            assert_eq!(
                (got.blobs.len(), got.problems.len()),
                (0, 1),
                "slot field {field} = {value}"
            );
        }
    }
}
