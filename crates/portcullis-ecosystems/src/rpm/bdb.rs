//! Berkeley DB hash databases, as rpm < 4.16 writes `Packages`.
//!
//! A minimal reader of the on-disk format of Berkeley DB 4.x/5.x hash
//! databases (hash versions 8 to 10; `dbinc/db_page.h`, `dbinc/hash.h`), the
//! same subset rpm's own `lib/backend/bdb_ro.c` reads:
//!
//! - Page 0, the metadata page: generic `DBMETA` (magic `0x061561` at 12,
//!   version at 16, page size at 20, encryption at 24, page type 8 at 25,
//!   flags at 26, last page at 32) then the hash fields (`max_bucket` at 72,
//!   `spares[32]` at 96). The magic tells the byte order of every integer in
//!   the file: databases written on big-endian machines keep it.
//! - Bucket `b` lives on page `b + spares[bits(b)]`, continued through
//!   `next_pgno` (at 16) on further hash pages (type 13, or 2 in hash v8).
//! - Page header (26 bytes; 32 when the checksum flag is set): entry
//!   count at 20, `hf_offset` at 22, type at 25, then the 16-bit item offsets.
//!   Items pair up as key, value; item `i` ends where item `i - 1` starts.
//! - An item starts with its type: `H_KEYDATA` (1) has the bytes inline,
//!   `H_OFFPAGE` (3) points at a chain of overflow pages (type 7; `hf_offset`
//!   is the byte count on each page) holding the value's total length.
//!
//! Hostile input: every page number is checked against the file, each page is
//! visited at most once (which ends loops and bounds work and memory by the
//! file size), and no allocation trusts a stored length.

use std::borrow::Cow;

use super::{HeaderBlobs, RpmError};

const HASH_MAGIC: u32 = 0x0006_1561;
const BTREE_MAGIC: u32 = 0x0005_3162;
const P_HASH_UNSORTED: u8 = 2;
const P_OVERFLOW: u8 = 7;
const P_HASHMETA: u8 = 8;
const P_HASH: u8 = 13;
const H_KEYDATA: u8 = 1;
const H_DUPLICATE: u8 = 2;
const H_OFFPAGE: u8 = 3;
const H_OFFDUP: u8 = 4;
const DBMETA_CHKSUM: u8 = 0x01;
const PAGE_HEADER: usize = 26;
const META_SIZE: usize = 512;

/// A `(key, value)` pair; borrowed from the file unless it spans overflow pages.
pub type Record<'a> = (Cow<'a, [u8]>, Cow<'a, [u8]>);

/// The records of a hash database.
#[derive(Debug, Default)]
pub struct BdbTable<'a> {
    /// `(key, value)` pairs in bucket order.
    pub records: Vec<Record<'a>>,
    /// Pages or items that could not be read; the other records are good.
    pub problems: Vec<String>,
    /// Whether the integers of the file are big-endian.
    pub big_endian: bool,
}

struct Db<'a> {
    bytes: &'a [u8],
    big: bool,
    page_size: usize,
    /// Pages that exist: `min(last_pgno + 1, file length / page size)`.
    pages: usize,
    /// Start of the item offsets on a page (26, or 32 with checksums).
    overhead: usize,
    visited: Vec<bool>,
}

impl<'a> Db<'a> {
    fn u32_at(&self, b: &[u8], at: usize) -> u32 {
        let v = [b[at], b[at + 1], b[at + 2], b[at + 3]];
        if self.big {
            u32::from_be_bytes(v)
        } else {
            u32::from_le_bytes(v)
        }
    }

    fn u16_at(&self, b: &[u8], at: usize) -> usize {
        let v = [b[at], b[at + 1]];
        usize::from(if self.big {
            u16::from_be_bytes(v)
        } else {
            u16::from_le_bytes(v)
        })
    }

    /// A page not seen before, with its own page number checked (as rpm does).
    fn take_page(&mut self, pgno: u32) -> Result<&'a [u8], String> {
        let n = pgno as usize;
        if n == 0 || n >= self.pages {
            return Err(format!("page {pgno} out of range ({} pages)", self.pages));
        }
        if std::mem::replace(&mut self.visited[n], true) {
            return Err(format!("page {pgno} reached twice (loop or shared page)"));
        }
        let page = &self.bytes[n * self.page_size..(n + 1) * self.page_size];
        if self.u32_at(page, 8) != pgno {
            return Err(format!(
                "page {pgno} claims to be page {}",
                self.u32_at(page, 8)
            ));
        }
        Ok(page)
    }

    /// Reads the items of one hash page.
    fn hash_page(&mut self, page: &'a [u8], table: &mut BdbTable<'a>) {
        let pgno = self.u32_at(page, 8);
        let entries = self.u16_at(page, 20);
        let index_end = self.overhead + 2 * entries;
        if index_end > self.page_size {
            table
                .problems
                .push(format!("page {pgno}: {entries} entries overflow the page"));
            return;
        }
        if entries & 1 != 0 {
            table.problems.push(format!(
                "page {pgno}: odd entry count {entries}, last item ignored"
            ));
        }
        for i in (0..entries.saturating_sub(1)).step_by(2) {
            let pair = self
                .item(page, i, index_end)
                .and_then(|k| Ok((k, self.item(page, i + 1, index_end)?)));
            match pair {
                Ok(kv) => table.records.push(kv),
                Err(why) => table.problems.push(format!("page {pgno} item {i}: {why}")),
            }
        }
    }

    fn item(
        &mut self,
        page: &'a [u8],
        i: usize,
        index_end: usize,
    ) -> Result<Cow<'a, [u8]>, String> {
        let off = self.u16_at(page, self.overhead + 2 * i);
        let end = if i == 0 {
            self.page_size
        } else {
            self.u16_at(page, self.overhead + 2 * (i - 1))
        };
        if off < index_end || off >= end || end > self.page_size {
            return Err(format!("item bounds {off}..{end} invalid"));
        }
        let item = &page[off..end];
        match item[0] {
            H_KEYDATA => Ok(Cow::Borrowed(&item[1..])),
            H_OFFPAGE if item.len() >= 12 => {
                let (pgno, total) = (self.u32_at(item, 4), self.u32_at(item, 8));
                self.overflow(pgno, total as usize).map(Cow::Owned)
            }
            H_DUPLICATE | H_OFFDUP => Err("duplicate-key sets are not used by rpm".into()),
            t => Err(format!("unknown item type {t}")),
        }
    }

    /// Concatenates an overflow chain holding `total` bytes.
    fn overflow(&mut self, mut pgno: u32, total: usize) -> Result<Vec<u8>, String> {
        if total == 0 {
            return Err("empty overflow item".into());
        }
        // Every byte comes from a distinct page of the file, so the file
        // length bounds the value whatever `total` claims.
        let mut value = Vec::with_capacity(total.min(self.bytes.len()));
        while value.len() < total {
            if pgno == 0 {
                return Err(format!(
                    "overflow chain ends after {} of {total} bytes",
                    value.len()
                ));
            }
            let page = self.take_page(pgno)?;
            if page[25] != P_OVERFLOW {
                return Err(format!("page {pgno} is type {}, not overflow", page[25]));
            }
            let len = self.u16_at(page, 22);
            if len == 0 || self.overhead + len > self.page_size || len > total - value.len() {
                return Err(format!(
                    "overflow page {pgno} holds an invalid length {len}"
                ));
            }
            value.extend_from_slice(&page[self.overhead..self.overhead + len]);
            pgno = self.u32_at(page, 16);
        }
        Ok(value)
    }
}

/// Reads every record of a Berkeley DB hash database.
pub fn read_hash(bytes: &[u8]) -> Result<BdbTable<'_>, RpmError> {
    let bad = |why: String| Err(RpmError::Bdb(why));
    if bytes.len() < META_SIZE {
        return bad(format!(
            "{} bytes is too short for a metadata page",
            bytes.len()
        ));
    }
    let magic = [bytes[12], bytes[13], bytes[14], bytes[15]];
    let big = match (u32::from_le_bytes(magic), u32::from_be_bytes(magic)) {
        (HASH_MAGIC, _) => false,
        (_, HASH_MAGIC) => true,
        (BTREE_MAGIC, _) | (_, BTREE_MAGIC) => {
            return bad("a btree database, not a hash (not rpm's Packages)".into())
        }
        _ => return bad("no Berkeley DB hash magic".into()),
    };
    let mut db = Db {
        bytes,
        big,
        page_size: 0,
        pages: 0,
        overhead: PAGE_HEADER,
        visited: Vec::new(),
    };
    let version = db.u32_at(bytes, 16);
    let page_size = db.u32_at(bytes, 20) as usize;
    if !(8..=10).contains(&version) {
        return bad(format!("unsupported hash version {version}"));
    }
    if !page_size.is_power_of_two() || !(512..=65536).contains(&page_size) {
        return bad(format!("invalid page size {page_size}"));
    }
    if bytes[24] != 0 {
        return bad("encrypted database".into());
    }
    if bytes[25] != P_HASHMETA {
        return bad(format!("page 0 has type {}, not hash metadata", bytes[25]));
    }
    if bytes[26] & DBMETA_CHKSUM != 0 {
        // `PG_CHKSUM`: 2 bytes of alignment, then the 4-byte checksum.
        db.overhead += 6;
    }
    let last_pgno = db.u32_at(bytes, 32) as usize;
    db.page_size = page_size;
    db.pages = (bytes.len() / page_size).min(last_pgno.saturating_add(1));
    db.visited = vec![false; db.pages];
    let max_bucket = db.u32_at(bytes, 72) as usize;
    // Each bucket owns at least one page: more buckets than pages is a lie
    // that would otherwise cost up to 2^32 iterations.
    if max_bucket >= db.pages {
        return bad(format!(
            "{} buckets in a {}-page file",
            max_bucket as u64 + 1,
            db.pages
        ));
    }
    let spares: Vec<u32> = (0..32).map(|i| db.u32_at(bytes, 96 + 4 * i)).collect();

    let mut table = BdbTable {
        big_endian: big,
        ..BdbTable::default()
    };
    for bucket in 0..=max_bucket as u32 {
        // Bucket b sits after the spare pages of its split point, numbered by
        // the bit length of b (bucket 0: spares[0], 1: spares[1], 2-3: [2] ...).
        let split = (u32::BITS - bucket.leading_zeros()) as usize;
        let Some(mut pgno) = spares.get(split).and_then(|&s| bucket.checked_add(s)) else {
            table
                .problems
                .push(format!("bucket {bucket}: page number overflows"));
            continue;
        };
        while pgno != 0 {
            let page = match db.take_page(pgno) {
                Ok(p) => p,
                Err(why) => {
                    table.problems.push(format!("bucket {bucket}: {why}"));
                    break;
                }
            };
            if page[25] != P_HASH && page[25] != P_HASH_UNSORTED {
                table.problems.push(format!(
                    "bucket {bucket}: page {pgno} has type {}, not hash",
                    page[25]
                ));
                break;
            }
            db.hash_page(page, &mut table);
            pgno = db.u32_at(page, 16);
        }
    }
    Ok(table)
}

/// Reads rpm's `Packages`: key = header number (4 bytes in the database's
/// byte order), value = header blob. Key 0 is rpm's own counter, not a package.
pub fn read_packages(bytes: &[u8]) -> Result<HeaderBlobs<'_>, RpmError> {
    let table = read_hash(bytes)?;
    let mut out = HeaderBlobs {
        problems: table.problems,
        ..HeaderBlobs::default()
    };
    for (key, value) in table.records {
        let Ok(k) = <[u8; 4]>::try_from(key.as_ref()) else {
            out.problems.push(format!(
                "record with a {}-byte key, not a package number",
                key.len()
            ));
            continue;
        };
        let hnum = if table.big_endian {
            u32::from_be_bytes(k)
        } else {
            u32::from_le_bytes(k)
        };
        if hnum != 0 {
            out.blobs.push((hnum, value));
        }
    }
    out.blobs.sort_by_key(|(h, _)| *h);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SYNTHETIC: &[u8] = include_bytes!("testdata/bdb-synthetic");

    /// The records make-fixtures.sh loads into bdb-synthetic.
    fn synthetic_records() -> Vec<(Vec<u8>, Vec<u8>)> {
        (0..200)
            .map(|i: usize| {
                let mut value = format!("value-{i:04}-").into_bytes();
                value.resize(value.len() + i * 37 % 600, b'x');
                (format!("key-{i:04}").into_bytes(), value)
            })
            .collect()
    }

    #[test]
    fn reads_every_record_of_a_many_bucket_checksummed_database() {
        let table = read_hash(SYNTHETIC).unwrap();
        assert!(table.problems.is_empty(), "{:?}", table.problems);
        assert!(!table.big_endian);
        let mut got: Vec<_> = table
            .records
            .iter()
            .map(|(k, v)| (k.to_vec(), v.to_vec()))
            .collect();
        got.sort();
        assert_eq!(got, synthetic_records());
        assert!(
            table
                .records
                .iter()
                .any(|(_, v)| matches!(v, Cow::Owned(_))),
            "overflow items exercised"
        );
    }

    #[test]
    fn rejects_hostile_metadata() {
        let edits: &[(usize, &[u8], &str)] = &[
            (12, &[0, 0, 0, 0], "magic"),
            (12, &[0x62, 0x31, 0x05, 0x00], "btree magic"),
            (16, &[7, 0, 0, 0], "version"),
            (20, &[0, 3, 0, 0], "page size not a power of two"),
            (20, &[0, 0, 0, 1], "page size too big"),
            (24, &[1], "encrypted"),
            (25, &[9], "meta type"),
            (72, &[0xff, 0xff, 0xff, 0xff], "max_bucket"),
        ];
        for &(at, bytes, why) in edits {
            let mut f = SYNTHETIC.to_vec();
            f[at..at + bytes.len()].copy_from_slice(bytes);
            assert!(read_hash(&f).is_err(), "{why}");
        }
        assert!(read_hash(&SYNTHETIC[..511]).is_err());
    }

    #[test]
    fn damaged_pages_become_problems_not_panics() {
        // Truncation drops pages: records on them become problems.
        let cut = read_hash(&SYNTHETIC[..SYNTHETIC.len() / 2]).unwrap();
        assert!(!cut.problems.is_empty());
        assert!(cut.records.len() < 200);
        // Spares pointing every bucket at the same page: visited once only.
        let mut f = SYNTHETIC.to_vec();
        for i in 0..32 {
            f[96 + 4 * i..100 + 4 * i].copy_from_slice(&1u32.to_le_bytes());
        }
        assert!(read_hash(&f).is_ok());
        // Flip every byte of every page in turn, a few positions per page.
        for pos in (512..SYNTHETIC.len()).step_by(97) {
            let mut f = SYNTHETIC.to_vec();
            f[pos] ^= 0xff;
            let _ = read_hash(&f);
        }
    }
}
