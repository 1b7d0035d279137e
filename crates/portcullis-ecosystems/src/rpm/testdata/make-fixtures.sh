#!/usr/bin/env bash
# Regenerates the rpmdb fixtures of src/rpm/ with the real rpm tools.
#
#   src/rpm/testdata/make-fixtures.sh        (needs: rpm rpmbuild sqlite3 db5.3-util gpg python3)
#
# 1. rpmbuild four tiny noarch packages: alpha (Epoch 2, Vendor, ModularityLabel),
#    gamma + its subpackage libgamma (SOURCERPM gamma-...src.rpm), delta
#    (explicit Epoch 0, non-ASCII vendor); import a throw-away gpg key so the
#    database also holds a gpg-pubkey pseudo-package.
# 2. `rpm --justdb -i` them into a sqlite rpmdb (rpm >= 4.16 format), fold the
#    WAL in and VACUUM: rpmdb.sqlite (still in WAL mode, as on real images).
# 3. Berkeley DB hash `Packages` (rpm < 4.16) with db_load from the header
#    blobs as stored in sqlite, key = hnum as 4 bytes in the database's byte
#    order, plus rpm's key-0 record: Packages (little-endian, 4096-byte pages)
#    and Packages-be (big-endian, 512-byte pages, so every header spans
#    overflow pages). Both are read back with rpm's bdb_ro backend.
# 4. NDB `Packages.db` (SUSE): Debian's rpm is built without the ndb backend,
#    so it is written here by a small writer that follows rpm's
#    lib/backend/ndb/rpmpkg.c (the blobs are the same bytes as in sqlite).
# 5. expected-qa.txt: `rpm -qa --qf` of the real rpm over the sqlite database
#    (identical output from both BDB files is asserted here).
# 6. bdb-synthetic: a generic BDB hash (512-byte pages with checksums, 200
#    records, many buckets and overflow items) for the reader itself; the test rebuilds the
#    expected records from the same formula.
set -euo pipefail
export LC_ALL=C.UTF-8 TZ=UTC SOURCE_DATE_EPOCH=1700000000
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
for t in rpm rpmbuild sqlite3 db5.3_load gpg python3; do
  command -v "$t" >/dev/null || { echo "missing tool: $t" >&2; exit 1; }
done

mkdir -p "$W/specs"
cat > "$W/specs/alpha.spec" <<'SPEC'
Name:           alpha
Epoch:          2
Version:        1.4
Release:        3.fc40
Summary:        Alpha (portcullis fixture)
License:        MIT
Vendor:         Portcullis Fixtures
BuildArch:      noarch
%description
Alpha has an Epoch and a modularity label.
%install
mkdir -p %{buildroot}/usr/share/alpha
echo alpha > %{buildroot}/usr/share/alpha/alpha.txt
%files
/usr/share/alpha
SPEC
cat > "$W/specs/gamma.spec" <<'SPEC'
Name:           gamma
Version:        0.9.7
Release:        12.el9_3
Summary:        Gamma (portcullis fixture)
License:        GPL-2.0-or-later AND LGPL-2.1-only
BuildArch:      noarch
%description
Gamma builds two binary packages.
%package -n libgamma
Summary:        Library of gamma (portcullis fixture)
License:        BSD-3-Clause
%description -n libgamma
libgamma's source rpm is gamma.
%install
mkdir -p %{buildroot}/usr/share/gamma %{buildroot}/usr/share/libgamma
echo gamma > %{buildroot}/usr/share/gamma/gamma.txt
echo libgamma > %{buildroot}/usr/share/libgamma/libgamma.txt
%files
/usr/share/gamma
%files -n libgamma
/usr/share/libgamma
SPEC
cat > "$W/specs/delta.spec" <<'SPEC'
Name:           delta
Epoch:          0
Version:        5~rc1
Release:        0.1
Summary:        Delta (portcullis fixture)
License:        Apache-2.0
Vendor:         Fixtures für Tests
BuildArch:      noarch
%description
Delta has an explicit zero Epoch and a tilde version.
%install
mkdir -p %{buildroot}/usr/share/delta
echo delta > %{buildroot}/usr/share/delta/delta.txt
%files
/usr/share/delta
SPEC

T=$W/top
build() { rpmbuild -bb --nodeps --define "_topdir $T" --define '_buildhost fixtures.invalid' "$@" > "$W/build.log" 2>&1 || { cat "$W/build.log" >&2; exit 1; }; }
build --define 'modularitylabel alpha:2:20240101:abcdef12' "$W/specs/alpha.spec"
build "$W/specs/gamma.spec"
build "$W/specs/delta.spec"

DB=$W/sqlite
mkdir -p "$DB"
# Debian's rpm: --force-debian silences its "use alien" warning; --justdb
# registers the headers without unpacking files; no dependency checks.
rpm --dbpath "$DB" --define '_db_backend sqlite' --force-debian --justdb \
  -i --nodeps --noscripts --notriggers --ignorearch --ignoreos "$T"/RPMS/noarch/*.rpm
export GNUPGHOME=$W/gnupg
mkdir -m 0700 "$GNUPGHOME"
gpg --batch --quiet --passphrase '' --quick-gen-key 'Portcullis Fixtures <fixtures@example.invalid>' rsa2048 sign never 2>/dev/null
gpg --batch --armor --export > "$W/key.asc"
rpm --dbpath "$DB" --import "$W/key.asc"
sqlite3 "$DB/rpmdb.sqlite" 'PRAGMA wal_checkpoint(TRUNCATE);' > /dev/null
# Smaller pages keep the fixture small (rpm's ~50 tables and indexes take a
# page each); then back to WAL, the journal mode rpm leaves on real images.
sqlite3 "$DB/rpmdb.sqlite" 'PRAGMA journal_mode=DELETE; PRAGMA page_size=512; VACUUM; PRAGMA journal_mode=WAL;' > /dev/null
rm -f "$DB"/rpmdb.sqlite-wal "$DB"/rpmdb.sqlite-shm

QF='%{NAME}|%{EVR}|%{ARCH}|%{SOURCERPM}|%{LICENSE}|%{VENDOR}|%{MODULARITYLABEL}|%{EPOCH}|%{VERSION}|%{RELEASE}\n'
query() { rpm --dbpath "$1" "${@:2}" -qa --qf "$QF" 2>/dev/null | LC_ALL=C sort; }
query "$DB" > "$W/expected-qa.txt"
[ "$(wc -l < "$W/expected-qa.txt")" = 5 ] || { echo "expected 5 headers" >&2; exit 1; }

python3 -B - "$DB/rpmdb.sqlite" "$W" <<'PY'
import sqlite3, struct, sys, zlib
src, out = sys.argv[1], sys.argv[2]
con = sqlite3.connect("file:%s?mode=ro" % src, uri=True)
rows = [(int(h), bytes(b)) for h, b in con.execute("SELECT hnum, blob FROM Packages ORDER BY hnum")]
con.close()

def esc(b):
    return "".join("\\%02x" % c for c in b)

# db_load -T input. rpm keys Packages by the header number in the byte order
# of the database, and keeps the next free number under key 0.
for name, order in (("le", "<I"), ("be", ">I")):
    with open("%s/bdb-%s.dump" % (out, name), "w") as f:
        f.write(esc(struct.pack(order, 0)) + "\n" + esc(struct.pack(order, max(h for h, _ in rows) + 1)) + "\n")
        for h, b in rows:
            f.write(esc(struct.pack(order, h)) + "\n" + esc(b) + "\n")

# Synthetic generic table: the Rust test rebuilds the same records.
with open("%s/synthetic.dump" % out, "w") as f:
    for i in range(200):
        key = b"key-%04d" % i
        val = (b"value-%04d-" % i) + b"x" * (i * 37 % 600)
        f.write(esc(key) + "\n" + esc(val) + "\n")

# NDB Packages.db, after rpm's lib/backend/ndb/rpmpkg.c: all integers
# little-endian; a 32-byte header in the first two 16-byte slots; slot pages
# of 4096 bytes; blobs in 16-byte blocks after the slot pages, each
# "BlbS" pkgidx tstamp len | header blob | zero pad | adler32 len "BlbE".
PAGE, SLOT, BLK = 4096, 16, 16
le = lambda *v: struct.pack("<%dI" % len(v), *v)
npages = 1
while npages * PAGE // SLOT - 2 < len(rows):
    npages += 1
blkoff = npages * PAGE // BLK
slots, blobs = [], []
for idx, blob in rows:
    blkcnt = (16 + len(blob) + 12 + BLK - 1) // BLK
    head = le(int.from_bytes(b"BlbS", "little"), idx, 1700000000, len(blob))
    pad = b"\0" * (blkcnt * BLK - 16 - len(blob) - 12)
    adler = zlib.adler32(head + blob + pad)
    blobs.append(head + blob + pad + le(adler, len(blob), int.from_bytes(b"BlbE", "little")))
    slots.append(le(int.from_bytes(b"Slot", "little"), idx, blkoff, blkcnt))
    blkoff += blkcnt
header = le(int.from_bytes(b"RpmP", "little"), 0, len(rows) + 1, npages, max(h for h, _ in rows) + 1).ljust(32, b"\0")
empty = le(int.from_bytes(b"Slot", "little"), 0, 0, 0)
slotarea = b"".join(slots) + empty * (npages * PAGE // SLOT - 2 - len(slots))
with open("%s/Packages.db" % out, "wb") as f:
    f.write(header + slotarea + b"".join(blobs))
PY

mkdir -p "$W/bdb-le" "$W/bdb-be"
db5.3_load -T -t hash -c db_pagesize=4096 -c db_lorder=1234 "$W/bdb-le/Packages" < "$W/bdb-le.dump"
db5.3_load -T -t hash -c db_pagesize=512 -c db_lorder=4321 "$W/bdb-be/Packages" < "$W/bdb-be.dump"
db5.3_load -T -t hash -c db_pagesize=512 -c db_lorder=1234 -c chksum=1 "$W/bdb-synthetic" < "$W/synthetic.dump"
for d in bdb-le bdb-be; do
  query "$W/$d" --define '_db_backend bdb_ro' > "$W/$d.qa"
  cmp "$W/expected-qa.txt" "$W/$d.qa" || { echo "rpm reads $d differently" >&2; exit 1; }
done

cp "$DB/rpmdb.sqlite" "$HERE/rpmdb.sqlite"
cp "$W/Packages.db" "$HERE/Packages.db"
cp "$W/bdb-le/Packages" "$HERE/Packages"
cp "$W/bdb-be/Packages" "$HERE/Packages-be"
cp "$W/bdb-synthetic" "$HERE/bdb-synthetic"
{
  echo "# rpm -qa --qf '$(printf %s "$QF" | sed 's/\\n$//')' | sort"
  echo "# by $(rpm --version) over rpmdb.sqlite; identical over Packages and Packages-be (bdb_ro)."
  cat "$W/expected-qa.txt"
} > "$HERE/expected-qa.txt"
ls -l "$HERE" >&2
