//! The rpm header blob, as every rpmdb backend stores it.
//!
//! Format (rpm's `lib/header.c`, "header structure" in the rpm file-format
//! documentation), all integers big-endian:
//!
//! ```text
//! il: u32  number of index entries
//! dl: u32  length of the data store
//! il × { tag: u32, type: u32, offset: u32, count: u32 }
//! dl bytes of data
//! ```
//!
//! A database blob has no lead and no header magic (those exist only in
//! `.rpm` files). The first entry is normally the immutable-region tag whose
//! trailer describes the signed part; entries rpm adds at install time
//! (install time, transaction id ...) follow outside the region. We do not
//! need the region to read values, so it is not validated; when a tag occurs
//! twice the later entry wins, as in rpm's `headerImport`, where "dribble"
//! entries replace region entries.
//!
//! The input is hostile: every offset and count is checked against the data
//! store before use, and nothing is allocated from a count (values are
//! slices of the input).

use std::borrow::Cow;

use super::RpmError;

/// `RPMTAG_NAME`.
pub const TAG_NAME: u32 = 1000;
/// `RPMTAG_VERSION`.
pub const TAG_VERSION: u32 = 1001;
/// `RPMTAG_RELEASE`.
pub const TAG_RELEASE: u32 = 1002;
/// `RPMTAG_EPOCH` (INT32).
pub const TAG_EPOCH: u32 = 1003;
/// `RPMTAG_VENDOR`.
pub const TAG_VENDOR: u32 = 1011;
/// `RPMTAG_LICENSE`.
pub const TAG_LICENSE: u32 = 1014;
/// `RPMTAG_ARCH`.
pub const TAG_ARCH: u32 = 1022;
/// `RPMTAG_SOURCERPM`: file name of the source rpm the package was built from.
pub const TAG_SOURCERPM: u32 = 1044;
/// `RPMTAG_MODULARITYLABEL` (RHEL 8+ module streams).
pub const TAG_MODULARITYLABEL: u32 = 5096;
/// `RPMTAG_OLDFILENAMES` (STRING_ARRAY): full paths, in headers written
/// before rpm compressed file lists (rpm < 4.0, so rare in databases).
pub const TAG_OLDFILENAMES: u32 = 1027;
/// `RPMTAG_FILESTATES` (CHAR array, one per file): 0 normal, 1 replaced,
/// 2 not installed, 3 net shared, 4 wrong colour, -1 missing.
pub const TAG_FILESTATES: u32 = 1029;
/// `RPMTAG_DIRINDEXES` (INT32 array): per file, its index in DIRNAMES.
pub const TAG_DIRINDEXES: u32 = 1116;
/// `RPMTAG_BASENAMES` (STRING_ARRAY): per file, its last component.
pub const TAG_BASENAMES: u32 = 1117;
/// `RPMTAG_DIRNAMES` (STRING_ARRAY): the directories, each ending in `/`.
pub const TAG_DIRNAMES: u32 = 1118;

/// rpm's own bounds (`HEADER_TAGS_MAX`, `HEADER_DATA_MAX` in `lib/header.c`):
/// a larger header is refused by rpm itself, so it cannot be installed.
const MAX_ENTRIES: u32 = 0xffff;
const MAX_DATA: u32 = 0x0fff_ffff;
const ENTRY_SIZE: usize = 16;
const PREAMBLE: usize = 8;

/// rpm tag data types (`rpmTagType`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TagType {
    /// `RPM_NULL_TYPE` (0).
    Null,
    /// `RPM_CHAR_TYPE` (1).
    Char,
    /// `RPM_INT8_TYPE` (2).
    Int8,
    /// `RPM_INT16_TYPE` (3).
    Int16,
    /// `RPM_INT32_TYPE` (4).
    Int32,
    /// `RPM_INT64_TYPE` (5).
    Int64,
    /// `RPM_STRING_TYPE` (6): one NUL-terminated string.
    String,
    /// `RPM_BIN_TYPE` (7): `count` raw bytes.
    Bin,
    /// `RPM_STRING_ARRAY_TYPE` (8): `count` NUL-terminated strings.
    StringArray,
    /// `RPM_I18NSTRING_TYPE` (9): one string per locale, first is "C".
    I18nString,
}

impl TagType {
    fn from_u32(v: u32) -> Option<TagType> {
        Some(match v {
            0 => TagType::Null,
            1 => TagType::Char,
            2 => TagType::Int8,
            3 => TagType::Int16,
            4 => TagType::Int32,
            5 => TagType::Int64,
            6 => TagType::String,
            7 => TagType::Bin,
            8 => TagType::StringArray,
            9 => TagType::I18nString,
            _ => return None,
        })
    }

    /// Size of one element for fixed-size types.
    fn width(self) -> Option<usize> {
        match self {
            TagType::Null => Some(0),
            TagType::Char | TagType::Int8 | TagType::Bin => Some(1),
            TagType::Int16 => Some(2),
            TagType::Int32 => Some(4),
            TagType::Int64 => Some(8),
            TagType::String | TagType::StringArray | TagType::I18nString => None,
        }
    }
}

/// One index entry, with its data already bounds-checked.
#[derive(Clone, Copy, Debug)]
pub struct Entry<'a> {
    /// The tag number.
    pub tag: u32,
    /// Declared type.
    pub ty: TagType,
    /// Declared element count (at least 1; checked against the data).
    pub count: u32,
    /// The data from the entry's offset to the end of the data store.
    data: &'a [u8],
}

impl<'a> Entry<'a> {
    /// The first string of a STRING, STRING_ARRAY or I18NSTRING entry.
    pub fn first_string(&self) -> Option<Cow<'a, str>> {
        match self.ty {
            TagType::String | TagType::StringArray | TagType::I18nString => {
                let end = memchr::memchr(0, self.data)?;
                Some(String::from_utf8_lossy(&self.data[..end]))
            }
            _ => None,
        }
    }

    /// The first value of an INT32 entry.
    pub fn first_u32(&self) -> Option<u32> {
        (self.ty == TagType::Int32)
            .then(|| be32(self.data, 0))
            .flatten()
    }

    /// Every string of a STRING_ARRAY entry (none for other types). The
    /// count was checked against the NULs in the data by [`Header::parse`].
    pub fn strings(&self) -> impl Iterator<Item = Cow<'a, str>> + 'a {
        let count = if self.ty == TagType::StringArray {
            self.count as usize
        } else {
            0
        };
        self.data
            .split(|&b| b == 0)
            .take(count)
            .map(String::from_utf8_lossy)
    }

    /// Every value of an INT32 entry (none for other types).
    pub fn u32s(&self) -> impl Iterator<Item = u32> + 'a {
        let count = if self.ty == TagType::Int32 {
            self.count as usize
        } else {
            0
        };
        self.data
            .chunks_exact(4)
            .take(count)
            .map(|c| u32::from_be_bytes([c[0], c[1], c[2], c[3]]))
    }

    /// The raw bytes of a CHAR or INT8 array entry (empty for other types).
    pub fn bytes(&self) -> &'a [u8] {
        match self.ty {
            TagType::Char | TagType::Int8 => self.data.get(..self.count as usize).unwrap_or(&[]),
            _ => &[],
        }
    }
}

/// A parsed header: the validated index over the blob.
#[derive(Debug)]
pub struct Header<'a> {
    index: &'a [u8],
    data: &'a [u8],
}

impl<'a> Header<'a> {
    /// Validates the preamble and every index entry of a header blob.
    pub fn parse(blob: &'a [u8]) -> Result<Header<'a>, RpmError> {
        let bad = |why: String| Err(RpmError::Header(why));
        let (Some(il), Some(dl)) = (be32(blob, 0), be32(blob, 4)) else {
            return bad(format!("{} bytes is too short for a header", blob.len()));
        };
        if il == 0 || il > MAX_ENTRIES {
            return bad(format!("index count {il} out of range"));
        }
        if dl > MAX_DATA {
            return bad(format!("data length {dl} out of range"));
        }
        // Both fit in u32 after the range checks, so this cannot overflow.
        let index_len = il as usize * ENTRY_SIZE;
        let needed = PREAMBLE + index_len + dl as usize;
        if blob.len() < needed {
            return bad(format!(
                "header declares {needed} bytes but the blob has {}",
                blob.len()
            ));
        }
        if blob.len() > needed {
            return bad(format!(
                "{} stray bytes after the header",
                blob.len() - needed
            ));
        }
        let header = Header {
            index: &blob[PREAMBLE..PREAMBLE + index_len],
            data: &blob[PREAMBLE + index_len..],
        };
        for i in 0..il as usize {
            header.entry_at(i)?;
        }
        Ok(header)
    }

    /// Number of index entries.
    pub fn len(&self) -> usize {
        self.index.len() / ENTRY_SIZE
    }

    /// Whether the header has no entries (never true after [`Header::parse`]).
    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    /// The entries, in index order.
    pub fn entries(&self) -> impl Iterator<Item = Entry<'a>> + '_ {
        (0..self.len()).filter_map(|i| self.entry_at(i).ok())
    }

    /// The last entry with `tag` (see the module doc for why the last).
    pub fn get(&self, tag: u32) -> Option<Entry<'a>> {
        // Match on the raw tag first: decoding an entry walks its strings,
        // and file-list arrays are most of a header.
        let wanted = tag.to_be_bytes();
        let i = self
            .index
            .chunks_exact(ENTRY_SIZE)
            .rposition(|raw| raw[..4] == wanted)?;
        self.entry_at(i).ok()
    }

    /// A string tag's value.
    pub fn string(&self, tag: u32) -> Option<Cow<'a, str>> {
        self.get(tag)?.first_string()
    }

    /// An INT32 tag's first value.
    pub fn u32(&self, tag: u32) -> Option<u32> {
        self.get(tag)?.first_u32()
    }

    fn entry_at(&self, i: usize) -> Result<Entry<'a>, RpmError> {
        let raw = &self.index[i * ENTRY_SIZE..(i + 1) * ENTRY_SIZE];
        let field = |n: usize| u32::from_be_bytes([raw[n], raw[n + 1], raw[n + 2], raw[n + 3]]);
        let (tag, ty, offset, count) = (field(0), field(4), field(8), field(12));
        let bad = |why: &str| RpmError::Header(format!("entry {i} (tag {tag}): {why}"));
        let ty = TagType::from_u32(ty).ok_or_else(|| bad(&format!("unknown type {ty}")))?;
        // Region trailers use negative offsets relative to the data end only
        // inside the trailer itself; an index offset is always within dl.
        let offset = usize::try_from(offset).map_err(|_| bad("offset out of range"))?;
        if offset > self.data.len() {
            return Err(bad(&format!(
                "offset {offset} beyond data length {}",
                self.data.len()
            )));
        }
        if count == 0 {
            return Err(bad("zero count"));
        }
        let data = &self.data[offset..];
        match ty.width() {
            Some(width) => {
                // u32 × 8 fits in u64; compare without overflow on 32-bit.
                if u64::from(count) * width as u64 > data.len() as u64 {
                    return Err(bad(&format!("{count} elements overrun the data")));
                }
                if width > 1 && offset % width != 0 {
                    return Err(bad("misaligned value"));
                }
            }
            None => {
                if ty == TagType::String && count != 1 {
                    return Err(bad("STRING with count other than 1"));
                }
                // Each string needs at least its NUL: a lying count fails here
                // without allocating. Walk the strings to find the last NUL.
                if u64::from(count) > data.len() as u64 {
                    return Err(bad(&format!("{count} strings overrun the data")));
                }
                let mut rest = data;
                for _ in 0..count {
                    let end = memchr::memchr(0, rest).ok_or_else(|| bad("unterminated string"))?;
                    rest = &rest[end + 1..];
                }
            }
        }
        Ok(Entry {
            tag,
            ty,
            count,
            data,
        })
    }
}

fn be32(b: &[u8], at: usize) -> Option<u32> {
    let s = b.get(at..at.checked_add(4)?)?;
    Some(u32::from_be_bytes([s[0], s[1], s[2], s[3]]))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Builds a header blob from (tag, type, value bytes, count) with values
    /// placed at aligned offsets.
    pub(crate) fn build(entries: &[(u32, u32, Vec<u8>, u32)]) -> Vec<u8> {
        let mut data = Vec::new();
        let mut index = Vec::new();
        for (tag, ty, value, count) in entries {
            let align = match ty {
                3 => 2,
                4 => 4,
                5 => 8,
                _ => 1,
            };
            while data.len() % align != 0 {
                data.push(0);
            }
            for v in [*tag, *ty, data.len() as u32, *count] {
                index.extend_from_slice(&v.to_be_bytes());
            }
            data.extend_from_slice(value);
        }
        let mut blob = Vec::new();
        blob.extend_from_slice(&(entries.len() as u32).to_be_bytes());
        blob.extend_from_slice(&(data.len() as u32).to_be_bytes());
        blob.extend_from_slice(&index);
        blob.extend_from_slice(&data);
        blob
    }

    pub(crate) fn s(v: &str) -> Vec<u8> {
        let mut b = v.as_bytes().to_vec();
        b.push(0);
        b
    }

    fn set_u32(blob: &mut [u8], at: usize, v: u32) {
        blob[at..at + 4].copy_from_slice(&v.to_be_bytes());
    }

    #[test]
    fn reads_strings_ints_and_last_duplicate() {
        let blob = build(&[
            (TAG_NAME, 6, s("bash"), 1),
            (TAG_EPOCH, 4, 7u32.to_be_bytes().to_vec(), 1),
            (1004, 9, [s("Summary"), s("Zusammenfassung")].concat(), 2),
            (TAG_NAME, 6, s("bash2"), 1),
        ]);
        let h = Header::parse(&blob).unwrap();
        assert_eq!(h.len(), 4);
        assert_eq!(h.string(TAG_NAME).unwrap(), "bash2");
        assert_eq!(h.u32(TAG_EPOCH), Some(7));
        assert_eq!(h.string(1004).unwrap(), "Summary");
        assert_eq!(h.u32(TAG_NAME), None, "type mismatch yields nothing");
        assert!(h.string(TAG_VERSION).is_none());
    }

    #[test]
    fn rejects_hostile_preambles() {
        let good = build(&[(TAG_NAME, 6, s("x"), 1)]);
        for n in 0..good.len() {
            assert!(Header::parse(&good[..n]).is_err(), "truncated to {n}");
        }
        let mut stray = good.clone();
        stray.push(0);
        assert!(Header::parse(&stray).is_err());
        for (il, dl) in [
            (0, 2),
            (u32::MAX, 2),
            (0x10000, 2),
            (1, u32::MAX),
            (1, 0x1000_0000),
            (0x0fff_ffff, 0),
        ] {
            let mut b = good.clone();
            set_u32(&mut b, 0, il);
            set_u32(&mut b, 4, dl);
            assert!(Header::parse(&b).is_err(), "il={il} dl={dl}");
        }
    }

    #[test]
    fn rejects_hostile_entries() {
        let base = build(&[
            (TAG_NAME, 6, s("abc"), 1),
            (TAG_EPOCH, 4, 1u32.to_be_bytes().to_vec(), 1),
        ]);
        // Entry 0 fields at 8.., entry 1 at 24..: tag, type, offset, count.
        // Data: "abc\0" then the INT32 at offset 4.
        let cases: &[(&[(usize, u32)], &str)] = &[
            (&[(8 + 4, 10)], "unknown type"),
            (&[(8 + 8, 9)], "offset beyond data"),
            (&[(8 + 8, u32::MAX)], "huge offset"),
            (&[(8 + 12, 0)], "zero count"),
            (&[(8 + 12, 2)], "STRING count 2"),
            (&[(24 + 12, 2)], "INT32 count overruns"),
            (&[(24 + 12, u32::MAX)], "INT32 count u32::MAX"),
            (&[(24 + 8, 2)], "misaligned INT32"),
            (&[(24 + 4, 6), (24 + 8, 7)], "unterminated STRING"),
        ];
        for &(edits, why) in cases {
            let mut b = base.clone();
            for &(at, value) in edits {
                set_u32(&mut b, at, value);
            }
            assert!(Header::parse(&b).is_err(), "{why}");
        }
        // STRING_ARRAY whose count claims more strings than there are NULs.
        let arr = build(&[(1117, 8, [s("a"), s("b")].concat(), 2)]);
        let mut b = arr.clone();
        set_u32(&mut b, 8 + 12, 3);
        assert!(Header::parse(&b).is_err());
        set_u32(&mut b, 8 + 12, u32::MAX);
        assert!(Header::parse(&b).is_err());
        assert!(Header::parse(&arr).is_ok());
    }

    #[test]
    fn deep_garbage_never_panics() {
        // Deterministic pseudo-random headers whose preamble is plausible, so
        // the entry checks (not only the length checks) are exercised.
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for _ in 0..20_000 {
            let il = (next() % 8 + 1) as u32;
            let dl = (next() % 64) as u32;
            let mut b = Vec::new();
            b.extend_from_slice(&il.to_be_bytes());
            b.extend_from_slice(&dl.to_be_bytes());
            for _ in 0..il {
                for _ in 0..4 {
                    b.extend_from_slice(&((next() % 80) as u32).to_be_bytes());
                }
            }
            for _ in 0..dl {
                b.push(if next() % 4 == 0 { 0 } else { b'a' });
            }
            if let Ok(h) = Header::parse(&b) {
                for e in h.entries() {
                    let _ = (e.first_string(), e.first_u32());
                }
            }
        }
    }
}
