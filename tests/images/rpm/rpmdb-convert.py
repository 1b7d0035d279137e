#!/usr/bin/env python3
"""Copy the package headers of an rpm sqlite database (rpm >= 4.16,
`rpmdb.sqlite`, table `Packages(hnum, blob)`) into the two other on-disk rpmdb
formats that container images carry, for test fixtures:

  ndb SQLITE OUT      write an NDB `Packages.db` (rpm's lib/backend/ndb/rpmpkg.c
                      layout: 32-byte header, slot pages, 16-byte blocks, blobs
                      with head/tail and an adler32 over head+blob+padding).
                      Debian's rpm is built without the ndb backend, so it
                      cannot write this file itself.
  bdb-dump SQLITE     print `db_load -T` input for a Berkeley DB HASH
                      `Packages`: key = package number as a 4-byte
                      little-endian integer, value = the header blob as stored
                      in sqlite. rpm 4.18 only reads BDB (bdb_ro backend).

Header blobs are copied byte for byte; nothing is re-encoded.
"""
import os
import sqlite3
import struct
import sys
import zlib


def read_headers(path):
    con = sqlite3.connect("file:%s?mode=ro" % path, uri=True)
    try:
        rows = con.execute("SELECT hnum, blob FROM Packages ORDER BY hnum").fetchall()
    finally:
        con.close()
    if not rows:
        sys.exit("rpmdb-convert: no packages in %s" % path)
    return [(int(h), bytes(b)) for h, b in rows]


def le32(*values):
    return struct.pack("<%dI" % len(values), *values)


PAGE_SIZE, SLOT_SIZE, BLK_SIZE = 4096, 16, 16
PKGDB_MAGIC = int.from_bytes(b"RpmP", "little")
SLOT_MAGIC = int.from_bytes(b"Slot", "little")
BLOBHEAD_MAGIC = int.from_bytes(b"BlbS", "little")
BLOBTAIL_MAGIC = int.from_bytes(b"BlbE", "little")
HEADER_SIZE = 32                      # the first two slots hold the db header
SLOT_START = HEADER_SIZE // SLOT_SIZE


def write_ndb(headers, out, tstamp):
    slots_per_page = PAGE_SIZE // SLOT_SIZE
    npages = 1
    while npages * slots_per_page - SLOT_START < len(headers):
        npages += 1
    blkoff = npages * PAGE_SIZE // BLK_SIZE      # blobs start after the slot pages
    slots, blobs = [], []
    for pkgidx, blob in headers:
        blkcnt = (16 + len(blob) + 12 + BLK_SIZE - 1) // BLK_SIZE
        head = le32(BLOBHEAD_MAGIC, pkgidx, tstamp, len(blob))
        pad = b"\0" * (blkcnt * BLK_SIZE - (16 + len(blob) + 12))
        adl = zlib.adler32(head + blob + pad)       # rpm: update_adler32 from 1
        blobs.append(head + blob + pad + le32(adl, len(blob), BLOBTAIL_MAGIC))
        slots.append(le32(SLOT_MAGIC, pkgidx, blkoff, blkcnt))
        blkoff += blkcnt
    generation = len(headers) + 1
    nextpkgidx = max(h for h, _ in headers) + 1
    header = le32(PKGDB_MAGIC, 0, generation, npages, nextpkgidx).ljust(HEADER_SIZE, b"\0")
    empty = le32(SLOT_MAGIC, 0, 0, 0)
    nslots = npages * slots_per_page - SLOT_START
    slotarea = b"".join(slots) + empty * (nslots - len(slots))
    with open(out, "wb") as f:
        f.write(header + slotarea)
        for b in blobs:
            f.write(b)


def bdb_dump(headers, out):
    # db_load -T input: key line, value line; every byte written as \xx.
    def esc(data):
        return "".join("\\%02x" % c for c in data)
    for pkgidx, blob in headers:
        out.write(esc(struct.pack("<I", pkgidx)) + "\n" + esc(blob) + "\n")


def main(argv):
    if len(argv) == 4 and argv[1] == "ndb":
        tstamp = int(os.environ.get("SOURCE_DATE_EPOCH", "0"))
        write_ndb(read_headers(argv[2]), argv[3], tstamp)
    elif len(argv) == 3 and argv[1] == "bdb-dump":
        bdb_dump(read_headers(argv[2]), sys.stdout)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
