//! Finding the build-info blob of a Go executable in a stream.
//!
//! Format (Go's `debug/buildinfo`, written by `cmd/link`): the linker puts a
//! 32-byte header at the start of the `.go.buildinfo` section (ELF; the
//! `__go_buildinfo` section on Mach-O, the start of `.data` on PE), aligned
//! to 16 bytes:
//!
//! ```text
//! 0..14   "\xff Go buildinf:"
//! 14      pointer size (4 or 8)
//! 15      flags: bit 0 big-endian, bit 1 strings inline (Go >= 1.18)
//! 16..32  two pointers (pointer format) or zeros (inline format)
//! 32..    inline format: uvarint length + runtime.buildVersion,
//!         then uvarint length + runtime.modinfo
//! ```
//!
//! We never see the section headers (they sit at the end of an ELF file and
//! we read each file once, front to back), so the whole file is scanned for
//! the magic at 16-byte aligned *file* offsets. That alignment holds because
//! loadable sections keep `offset ≡ address (mod page size)`. A candidate is
//! accepted only if the header and both strings decode; this rejects copies
//! of the magic that sit in the read-only data of programs that parse Go
//! binaries themselves (every program linking `debug/buildinfo`).
//!
//! Pre-1.18 binaries use the pointer format: the strings live elsewhere at
//! virtual addresses, which a single forward pass cannot follow without
//! keeping the whole file. Those are reported as [`GoError::PointerFormat`]
//! (an "unknown" in the inventory) rather than silently dropped: Go 1.17 and
//! older have been out of support since 2022, so they are rare and worth
//! flagging.

use std::io::{self, Read};

use memchr::memmem::Finder;

/// The build-info magic at the start of the header.
pub const MAGIC: &[u8; 14] = b"\xff Go buildinf:";
const HEADER_LEN: usize = 32;
const ALIGN: u64 = 16;
/// Bytes read per `read` call.
const CHUNK: usize = 64 * 1024;
/// Largest header + strings accepted. Real modinfo is a few KB (tens of KB
/// for the largest programs); anything bigger is not a build-info blob.
pub const MAX_BLOB: usize = 4 << 20;

/// Why a Go executable's build info could not be read.
#[derive(Debug, thiserror::Error)]
pub enum GoError {
    /// The stream failed (the walk turns a layer I/O error into a layer failure).
    #[error("read error: {0}")]
    Io(#[from] io::Error),
    /// A Go binary older than 1.18: build info is behind pointers.
    #[error("pre-1.18 Go binary: build info not inline (pointer format is not supported)")]
    PointerFormat,
}

/// What the build-info blob holds, undecoded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawBuildInfo {
    /// `runtime.Version()` of the toolchain, e.g. `go1.19.8`.
    pub go_version: String,
    /// Module info text (sentinels stripped); empty for non-module builds.
    pub modinfo: String,
}

/// The executable formats Go produces: ELF, Mach-O (thin, both byte
/// orders, 32/64-bit) and PE. Mach-O fat binaries (`cafebabe`) are left out
/// on purpose: that magic is also the Java class-file magic.
pub fn is_executable_magic(head: &[u8]) -> bool {
    matches!(
        head,
        [0x7f, b'E', b'L', b'F', ..]
            | [0xfe, 0xed, 0xfa, 0xce | 0xcf, ..]
            | [0xce | 0xcf, 0xfa, 0xed, 0xfe, ..]
            | [b'M', b'Z', ..]
    )
}

enum Decoded {
    Inline(RawBuildInfo),
    Pointer,
    NeedMore,
    Invalid,
}

/// Reads a Go uvarint (LEB128, at most 10 bytes). `Err(true)` means more
/// bytes are needed, `Err(false)` that it is malformed.
fn uvarint(data: &[u8]) -> Result<(u64, usize), bool> {
    let mut value = 0u64;
    for (i, &b) in data.iter().enumerate().take(10) {
        if i == 9 && b > 1 {
            return Err(false);
        }
        value |= u64::from(b & 0x7f) << (7 * i);
        if b < 0x80 {
            return Ok((value, i + 1));
        }
    }
    Err(data.len() < 10)
}

/// Reads one length-prefixed string at `pos`; `Err(true)`: need more bytes.
fn string_at(data: &[u8], pos: usize) -> Result<(&[u8], usize), bool> {
    let (len, n) = uvarint(data.get(pos..).unwrap_or_default())?;
    let len = usize::try_from(len).map_err(|_| false)?;
    if len > MAX_BLOB {
        return Err(false);
    }
    let start = pos + n;
    let end = start.checked_add(len).ok_or(false)?;
    match data.get(start..end) {
        Some(s) => Ok((s, end)),
        None => Err(true),
    }
}

/// Decodes a candidate header at the start of `data`. With `eof`, missing
/// bytes make the candidate invalid instead of asking for more.
fn decode(data: &[u8], eof: bool) -> Decoded {
    let more = if eof {
        Decoded::Invalid
    } else {
        Decoded::NeedMore
    };
    let Some(header) = data.get(..HEADER_LEN) else {
        return more;
    };
    let (ptr_size, flags) = (header[14], header[15]);
    if !matches!(ptr_size, 4 | 8) || flags & !3 != 0 {
        return Decoded::Invalid;
    }
    if flags & 2 == 0 {
        // Pointer format: two non-null addresses; on 32-bit targets the last
        // 8 bytes are unused padding.
        let ptrs = &header[16..];
        let first_null = ptrs[..usize::from(ptr_size)].iter().all(|&b| b == 0);
        let padding_dirty = ptr_size == 4 && ptrs[8..].iter().any(|&b| b != 0);
        return if first_null || padding_dirty {
            Decoded::Invalid
        } else {
            Decoded::Pointer
        };
    }
    let (version, pos) = match string_at(data, HEADER_LEN) {
        Ok(v) => v,
        Err(true) => return more,
        Err(false) => return Decoded::Invalid,
    };
    let modinfo = match string_at(data, pos) {
        Ok((m, _)) => m,
        Err(true) => return more,
        Err(false) => return Decoded::Invalid,
    };
    // runtime.Version(): "go1.x..." for releases, "devel ..." for tip builds.
    let Ok(version) = std::str::from_utf8(version) else {
        return Decoded::Invalid;
    };
    if !(version.starts_with("go") || version.starts_with("devel")) {
        return Decoded::Invalid;
    }
    Decoded::Inline(RawBuildInfo {
        go_version: version.to_owned(),
        modinfo: strip_sentinels(modinfo),
    })
}

/// `cmd/go` frames modinfo with two 16-byte sentinels, the last preceded by
/// a newline; anything else is not module info (same rule as debug/buildinfo).
fn strip_sentinels(modinfo: &[u8]) -> String {
    let n = modinfo.len();
    if n >= 33 && modinfo[n - 17] == b'\n' {
        String::from_utf8_lossy(&modinfo[16..n - 16]).into_owned()
    } else {
        String::new()
    }
}

/// Reads until `buf` is full or the stream ends; returns the bytes read.
fn read_up_to(r: &mut dyn Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match r.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// Scans an executable stream once for its Go build info.
///
/// `Ok(None)`: not an executable format Go produces (decided after 4
/// bytes), or no build info (not a Go program). The window kept in memory
/// stays below twice [`MAX_BLOB`] plus a read chunk whatever the file size,
/// and each byte is searched once.
pub fn scan_buildinfo(r: &mut dyn Read) -> Result<Option<RawBuildInfo>, GoError> {
    let mut head = [0u8; 4];
    let n = read_up_to(r, &mut head)?;
    if !is_executable_magic(&head[..n]) {
        return Ok(None);
    }
    let finder = Finder::new(MAGIC);
    let mut buf: Vec<u8> = head[..n].to_vec();
    // File offset of buf[0], next index of buf to search, and whether a
    // pointer-format header was seen.
    let (mut base, mut from, mut pointer_seen) = (0u64, 0usize, false);
    let mut eof = n < head.len();
    loop {
        // Whether the candidate at `from` needs more bytes to decode.
        let mut pending = false;
        while let Some(i) = finder.find(&buf[from..]).map(|i| from + i) {
            from = i;
            if (base + i as u64) & (ALIGN - 1) == 0 {
                match decode(&buf[i..], eof) {
                    Decoded::Inline(info) => return Ok(Some(info)),
                    Decoded::Pointer => pointer_seen = true,
                    Decoded::Invalid => {}
                    Decoded::NeedMore if buf.len() - i < MAX_BLOB => {
                        pending = true;
                        break;
                    }
                    // Would not fit in any real blob: not one.
                    Decoded::NeedMore => {}
                }
            }
            from = i + 1;
        }
        if eof {
            return if pointer_seen {
                Err(GoError::PointerFormat)
            } else {
                Ok(None)
            };
        }
        // Everything before `from` is searched; without a pending
        // candidate, only a tail shorter than the magic can still start one.
        if !pending {
            from = from.max(buf.len().saturating_sub(MAGIC.len() - 1));
        }
        // Drop the searched bytes once they are half the window or more, so
        // each byte is moved a bounded number of times even while a pending
        // candidate makes the window grow.
        if from >= buf.len() / 2 {
            buf.drain(..from);
            base += from as u64;
            from = 0;
        }
        let old = buf.len();
        buf.resize(old + CHUNK, 0);
        let got = read_up_to(r, &mut buf[old..])?;
        buf.truncate(old + got);
        eof = got == 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An inline-format blob as Go >= 1.18 writes it.
    pub(crate) fn blob(version: &str, modinfo: &str) -> Vec<u8> {
        let mut b = MAGIC.to_vec();
        b.extend([8, 2]);
        b.resize(HEADER_LEN, 0);
        for s in [version.as_bytes().to_vec(), framed(modinfo)] {
            let mut len = s.len() as u64;
            loop {
                let byte = (len & 0x7f) as u8;
                len >>= 7;
                b.push(if len > 0 { byte | 0x80 } else { byte });
                if len == 0 {
                    break;
                }
            }
            b.extend(s);
        }
        b
    }

    fn framed(modinfo: &str) -> Vec<u8> {
        let mut m = b"0123456789abcdef".to_vec();
        m.extend(modinfo.as_bytes());
        m.extend(b"fedcba9876543210");
        m
    }

    fn elf_with(at: usize, payload: &[u8]) -> Vec<u8> {
        let mut f = b"\x7fELF".to_vec();
        f.resize(at, 0x90);
        f.extend(payload);
        f.extend([0u8; 64]);
        f
    }

    #[test]
    fn finds_aligned_blob_across_chunk_boundaries() {
        let modinfo = "path\tx\nmod\tx\t(devel)\t\n";
        for at in [16, CHUNK - 16, CHUNK, CHUNK + 16, 3 * CHUNK - 48] {
            let file = elf_with(at, &blob("go1.21.3", modinfo));
            let got = scan_buildinfo(&mut file.as_slice()).unwrap().unwrap();
            assert_eq!(got.go_version, "go1.21.3", "at {at}");
            assert_eq!(got.modinfo, modinfo);
        }
    }

    #[test]
    fn skips_unaligned_and_bogus_magic_copies() {
        let mut payload = MAGIC.to_vec();
        payload.extend(b"not a header, just a string constant.......");
        payload.resize(48, b'.');
        payload.extend(blob("go1.22.0", "path\ty\nmod\ty\tv1.0.0\t\n"));
        let mut file = elf_with(31, MAGIC); // unaligned copy
        file.resize(64, 0);
        file.extend(&payload);
        let got = scan_buildinfo(&mut file.as_slice()).unwrap().unwrap();
        assert_eq!(got.go_version, "go1.22.0");
    }

    #[test]
    fn rejects_non_executables_and_reports_pointer_format() {
        assert!(scan_buildinfo(&mut &b"#!/bin/sh\necho hi\n"[..])
            .unwrap()
            .is_none());
        assert!(scan_buildinfo(&mut &b"\x7fEL"[..]).unwrap().is_none());
        let mut old = MAGIC.to_vec();
        old.extend([8, 0]);
        old.extend(0x4a_1000u64.to_le_bytes());
        old.extend(0x4a_1010u64.to_le_bytes());
        let file = elf_with(4096, &old);
        assert!(matches!(
            scan_buildinfo(&mut file.as_slice()),
            Err(GoError::PointerFormat)
        ));
    }

    #[test]
    fn many_candidates_claiming_long_strings_end_quickly() {
        // Aligned headers every 48 bytes, each announcing a 3 MiB version
        // string that turns out to be junk: the window grows, candidates are
        // rejected one by one, nothing is found.
        let mut candidate = MAGIC.to_vec();
        candidate.extend([8, 2]);
        candidate.resize(HEADER_LEN, 0);
        candidate.extend([0x80, 0x80, 0xc0, 0x01]); // uvarint 3 MiB
        candidate.resize(48, 0x41);
        let mut file = b"\x7fELF".to_vec();
        file.resize(16, 0);
        while file.len() < 16 << 20 {
            file.extend(&candidate);
        }
        assert!(scan_buildinfo(&mut file.as_slice()).unwrap().is_none());
    }

    #[test]
    fn truncated_blob_is_not_go() {
        let full = elf_with(64, &blob("go1.20", "path\tz\n"));
        for cut in 60..full.len() - 64 {
            assert!(
                scan_buildinfo(&mut &full[..cut]).unwrap().is_none(),
                "cut {cut}"
            );
        }
    }
}
