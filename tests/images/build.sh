#!/usr/bin/env bash
# Build the real container images the portcullis tests scan. No Docker engine:
# mmdebstrap (Debian root filesystem) + umoci (OCI layout, layers, whiteouts)
# + skopeo (exports). Needs root.
#
#   tests/images/build.sh [--print-dir] [OUT]
#
# OUT (argument, or $OUT) defaults to
#   ${PORTCULLIS_CACHE:-/var/cache/portcullis-ci}/images-<hash>
# where <hash> covers this script and every file under tests/images/ it reads,
# so editing any of them gives a fresh directory. If OUT/.complete exists the
# build is skipped (warm cache). The build runs in OUT.tmp.XXXXXX and is
# renamed to OUT at the very end, so an interrupted build leaves no half cache.
# stdout: the OUT path (and nothing else); logs and timings go to stderr.
# --print-dir: print OUT and exit without building.
#
# Images (tag "latest" each):
#   debian-base  mmdebstrap --variant=minbase bookworm, main only      1 layer
#   python       + python3/pip (Debian) + old PyPI pins (python/)      2 layers
#   node         + nodejs (Debian), tzdata PURGED (whiteouts in layer 2),
#                  /app with a hand-written node_modules + lock (node/)  2 layers
#   apps         + Go binary with a vendored module (go/), Java jars    2 layers
#   rpm          + rpm-installed noarch packages (rpm/*.spec), sqlite
#                  rpmdb in var/lib/rpm, NDB copy in usr/lib/sysimage/rpm 2 layers
#   rpm-bdb      + same packages, var/lib/rpm/Packages as Berkeley DB   2 layers
#   apk          Alpine 3.18 installed-db + release files (apk/)        1 layer
# Debian packages come from bookworm "main" only (no -updates, no -security),
# so several packages lag the security archive as in the reference image set;
# the mirror is the host's apt mirror for bookworm main (apt-get indextargets)
# unless PORTCULLIS_DEBIAN_MIRROR is set.
# For each NAME, OUT holds: NAME.oci/ (OCI layout, gzip layers),
# NAME.oci.tar (oci-archive), NAME.docker.tar (docker-archive, repo tag
# portcullis-fixture/NAME:latest), NAME.docker.tar.gz, NAME.rootfs/ (umoci
# unpack of the final image). Plus manifest.txt (image names), timings.txt,
# build-info.txt.
set -euo pipefail
umask 022
export LC_ALL=C.UTF-8 TZ=UTC

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE=${PORTCULLIS_CACHE:-/var/cache/portcullis-ci}
SUITE=bookworm
IMAGES=(debian-base python node apps rpm rpm-bdb apk)
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1700000000}     # 2023-11-14T22:13:20Z
CREATED=$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%dT%H:%M:%SZ)

exec 3>&1 1>&2          # stdout is reserved for the result path
log() { printf '[build-images] %s\n' "$*"; }
die() { log "ERROR: $*"; exit 1; }

inputs_hash() {         # this script + every input file below tests/images/
  (cd "$HERE" && find . -type f ! -name load-docker.sh ! -name registry.sh \
      ! -name '*.md' ! -path '*/__pycache__/*' -print0 | LC_ALL=C sort -z | xargs -0 sha256sum) |
    sha256sum | cut -c1-16
}

PRINT_DIR=0
if [ "${1:-}" = --print-dir ]; then PRINT_DIR=1; shift; fi
OUT=${1:-${OUT:-$CACHE/images-$(inputs_hash)}}
case $OUT in /*) ;; *) OUT=$PWD/$OUT ;; esac
OUT=${OUT%/}
if [ "$PRINT_DIR" = 1 ]; then echo "$OUT" >&3; exit 0; fi

if [ -e "$OUT/.complete" ]; then
  log "warm cache: $OUT"; echo "$OUT" >&3; exit 0
fi

[ "$(id -u)" = 0 ] || die "must run as root (mmdebstrap --mode=root, chroot, device nodes)"
DB_LOAD=$(command -v db5.3_load || command -v db_load || true)
for t in mmdebstrap umoci skopeo rpm rpmbuild sqlite3 go zip unzip python3 dpkg-deb apt-get gzip tar bc flock; do
  command -v "$t" >/dev/null || die "missing tool: $t"
done
[ -n "$DB_LOAD" ] || die "missing tool: db5.3_load (db5.3-util)"
debian_mirror() {
  local m=${PORTCULLIS_DEBIAN_MIRROR:-}
  [ -n "$m" ] || m=$(apt-get indextargets --format '$(REPO_URI)' "Release: $SUITE" \
                       'Identifier: Packages' 'Component: main' 2>/dev/null | head -n1)
  [ -n "$m" ] || die "no apt source for $SUITE main on this host; set PORTCULLIS_DEBIAN_MIRROR"
  echo "$m"
}
pip_cmd() { if python3 -m pip --version >/dev/null 2>&1; then python3 -m pip "$@"; else pip3 "$@"; fi; }

mkdir -p "$(dirname "$OUT")"
exec 9>"$OUT.lock"
flock 9                 # one builder per OUT; the others wait, then see .complete
if [ -e "$OUT/.complete" ]; then
  log "built meanwhile by another process: $OUT"; echo "$OUT" >&3; exit 0
fi
[ ! -e "$OUT" ] || rm -rf --one-file-system "$OUT"     # never complete: leftover

TMP=$(mktemp -d "$OUT.tmp.XXXXXX")
O=$TMP/out              # becomes OUT
W=$TMP/work             # scratch
LAYOUT=$W/oci           # one shared layout, one tag per image
mkdir -p "$O" "$W"

umount_below() {        # lazily unmount everything mounted below $1, deepest first
  local m
  awk -v p="$1/" 'index($2, p) == 1 { print $2 }' /proc/self/mounts | sort -r |
    while read -r m; do umount -l "$m" 2>/dev/null || true; done
}
cleanup() {
  local rc=$?
  trap - EXIT
  if [ -n "${TMP:-}" ] && [ -d "$TMP" ]; then
    umount_below "$TMP"
    rm -rf --one-file-system "$TMP"
  fi
  [ "$rc" = 0 ] || log "FAILED (exit $rc); nothing was written to $OUT"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

now() { date +%s.%N; }
step() {                # step NAME CMD...: run and time it
  local name=$1 s e; shift
  log "== $name"
  s=$(now); "$@"; e=$(now)
  printf 'TIME %-24s %7.1f s\n' "$name" "$(echo "$e - $s" | bc)" | tee -a "$O/timings.txt"
}

# ---------------------------------------------------------------- helpers --
# chroot: the base tarball already has /dev nodes; /proc and the host's
# resolv.conf only while apt runs.
enter() { mount -t proc proc "$1/proc"; cp /etc/resolv.conf "$1/etc/resolv.conf"; }
leave() {
  local R=$1
  rm -rf "$R"/var/lib/apt/lists/* "$R"/var/cache/apt/*.bin "$R"/var/cache/apt/archives/*.deb \
         "$R"/root/.cache "$R"/tmp/* "$R"/var/log/apt/* 2>/dev/null || true
  : > "$R/etc/resolv.conf"
  umount "$R/proc"
}
in_chroot() {          # in_chroot ROOT CMD...: run with a clean environment (no host PIP_*, PYTHON*)
  chroot "$1" env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    HOME=/root LANG=C.UTF-8 TERM=dumb DEBIAN_FRONTEND=noninteractive \
    ${http_proxy:+http_proxy=$http_proxy} ${https_proxy:+https_proxy=$https_proxy} \
    ${no_proxy:+no_proxy=$no_proxy} "${@:2}"
}
apt_in() { in_chroot "$1" apt-get -y -qq -o Dpkg::Use-Pty=0 "${@:2}"; }

derive() {              # derive NAME FROM: unpack image FROM into bundle-NAME
  rm -rf "$W/bundle-$1"
  umoci unpack --image "$LAYOUT:$2" "$W/bundle-$1" >/dev/null
}
commit() {              # commit NAME CREATED_BY: new layer from bundle-NAME, tag NAME
  local B=$W/bundle-$1
  # clamp timestamps of everything this layer touched, for reproducibility
  find "$B/rootfs" -xdev -depth -newermt "@$SOURCE_DATE_EPOCH" \
    -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
  umoci repack --image "$LAYOUT:$1" --history.created "$CREATED" --history.created_by "$2" "$B"
  rm -rf "$B"
}
config() {              # config NAME ARGS...: set image config (adds an empty-layer history entry)
  umoci config --image "$LAYOUT:$1" --created "$CREATED" --history.created "$CREATED" "${@:2}"
}
fetch_deb() {           # fetch_deb PKG: print the path of PKG's .deb (cached under $CACHE/debs)
  local d=$CACHE/debs f
  mkdir -p "$d"
  f=$(ls -1 "$d/$1"_*.deb 2>/dev/null | sort -V | tail -n1 || true)
  if [ -z "$f" ]; then
    (cd "$d" && { apt-get download -qq -o APT::Sandbox::User=root "$1" ||
                  { apt-get update -qq && apt-get download -qq -o APT::Sandbox::User=root "$1"; }; }) >&2
    f=$(ls -1 "$d/$1"_*.deb | sort -V | tail -n1)
  fi
  echo "$f"
}

# ----------------------------------------------------------------- images --
build_base() {
  local mirror
  mirror=$(debian_mirror)
  log "Debian mirror: $mirror ($SUITE main)"
  mmdebstrap --mode=root --variant=minbase --format=tar \
    --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr \
    --aptopt='Acquire::Languages "none"' \
    --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*.bin; : > "$1"/etc/resolv.conf; : > "$1"/etc/hostname' \
    "$SUITE" "$W/base.tar" "deb $mirror $SUITE main"   # an explicit mirror: no -updates/-security
  umoci init --layout "$LAYOUT"
  umoci new --image "$LAYOUT:debian-base"
  umoci raw add-layer --image "$LAYOUT:debian-base" --history.created "$CREATED" \
    --history.created_by "mmdebstrap --variant=minbase $SUITE" "$W/base.tar"
  rm -f "$W/base.tar"
  config debian-base --os linux --architecture amd64 \
    --config.env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    --config.cmd /bin/bash --history.created_by 'CMD ["/bin/bash"]'
}

pip_downloads() {       # PyPI files for python/requirements.txt, cached per requirements hash
  local req=$HERE/python/requirements.txt d
  d=$CACHE/pip-downloads/$(sha256sum < "$req" | cut -c1-16)
  if [ ! -e "$d/.complete" ]; then
    rm -rf "$d.tmp"; mkdir -p "$d.tmp"
    # Downloaded on the host (its pip trusts the network's TLS setup; the
    # chroot installs offline). PyYAML 5.3 and MarkupSafe 1.1.1 have no cp311
    # wheels: sdists, built inside the chroot.
    pip_cmd download -q --disable-pip-version-check --no-deps --dest "$d.tmp" \
      --no-binary PyYAML,MarkupSafe -r "$req" >&2
    touch "$d.tmp/.complete"
    rm -rf "$d"; mv "$d.tmp" "$d"
  fi
  echo "$d"
}

build_python() {
  local R=$W/bundle-python/rootfs dl
  dl=$(pip_downloads)
  derive python debian-base
  enter "$R"
  apt_in "$R" update
  apt_in "$R" install --no-install-recommends python3 python3-pip python3-setuptools python3-wheel
  mkdir -p "$R/app" "$R/tmp/wheels"
  cp "$HERE/python/requirements.txt" "$R/app/requirements.txt"
  find "$dl" -maxdepth 1 -type f ! -name .complete -exec cp -t "$R/tmp/wheels/" {} +
  in_chroot "$R" python3 -m pip install -q --disable-pip-version-check --no-index --find-links /tmp/wheels \
    --no-deps --no-build-isolation --break-system-packages --root-user-action=ignore -r /app/requirements.txt
  leave "$R"
  commit python 'apt-get install python3 python3-pip; pip install -r /app/requirements.txt'
  config python --config.cmd python3 --config.workingdir /app --history.created_by 'CMD ["python3"]'
}

build_node() {
  local R=$W/bundle-node/rootfs
  derive node debian-base
  enter "$R"
  apt_in "$R" update
  apt_in "$R" install --no-install-recommends nodejs
  # a base-layer package removed in the upper layer: its files become
  # whiteouts and it disappears from /var/lib/dpkg/status
  apt_in "$R" purge tzdata
  # npm's registry is not reachable here: /app/node_modules is written from
  # node/app-packages.tsv (see test-images notes: "Without the npm registry")
  python3 -B "$HERE/node/gen-node-app.py" "$HERE/node/app-packages.tsv" "$R/app"
  leave "$R"
  commit node 'apt-get install nodejs; apt-get purge tzdata; /app: express 4.16.0, lodash 4.17.15, minimist 1.2.0'
  config node --config.cmd node --config.workingdir /app --history.created_by 'CMD ["node"]'
}

build_apps() {
  local R=$W/bundle-apps/rootfs G=$W/go J=$W/fatjar X=$W/debs uuid_deb lang3_deb modver jar jarver
  uuid_deb=$(fetch_deb golang-github-google-uuid-dev)
  lang3_deb=$(fetch_deb libcommons-lang3-java)
  mkdir -p "$X/uuid" "$X/lang3"
  dpkg-deb -x "$uuid_deb" "$X/uuid"
  dpkg-deb -x "$lang3_deb" "$X/lang3"

  # (a) Go: module mode, github.com/google/uuid vendored from the Debian package
  modver=v$(dpkg-deb -f "$uuid_deb" Version | sed -E 's/^[0-9]+://; s/-[^-]*$//; s/[+~].*$//')
  mkdir -p "$G/vendor/github.com/google"
  cp "$HERE/go/main.go" "$G/"
  printf 'module example.com/gohello\n\ngo 1.19\n\nrequire github.com/google/uuid %s\n' "$modver" > "$G/go.mod"
  cp -r "$X/uuid/usr/share/gocode/src/github.com/google/uuid" "$G/vendor/github.com/google/"
  rm -f "$G"/vendor/github.com/google/uuid/*_test.go
  printf '# github.com/google/uuid %s\n## explicit\ngithub.com/google/uuid\n' "$modver" > "$G/vendor/modules.txt"
  (cd "$G" && env GOFLAGS='-buildvcs=false -mod=vendor' GOPROXY=off GOSUMDB=off GO111MODULE=on \
      GOTOOLCHAIN=local CGO_ENABLED=0 GOPATH="$W/gopath" GOCACHE="$CACHE/go-build" \
      go build -trimpath -o "$W/gohello" .)

  # (b) Java: the Debian jar (has META-INF/maven/.../pom.properties) and a
  # Spring-Boot-style fat jar nesting it under BOOT-INF/lib/
  jar=$X/lang3/usr/share/java/commons-lang3.jar
  jarver=$(unzip -p "$jar" META-INF/maven/org.apache.commons/commons-lang3/pom.properties | sed -n 's/^version=//p' | tr -d '\r')
  [ -n "$jarver" ] || die "no pom.properties version in $jar"
  mkdir -p "$J/META-INF/maven/com.example/app" "$J/BOOT-INF/lib" "$J/BOOT-INF/classes"
  printf 'Manifest-Version: 1.0\r\nCreated-By: portcullis test fixtures\r\nMain-Class: com.example.app.Main\r\nImplementation-Title: app\r\nImplementation-Version: 1.0.0\r\nImplementation-Vendor: Example Corp\r\n\r\n' \
    > "$J/META-INF/MANIFEST.MF"
  printf '#Created by Apache Maven 3.8.7\ngroupId=com.example\nartifactId=app\nversion=1.0.0\n' \
    > "$J/META-INF/maven/com.example/app/pom.properties"
  cat > "$J/META-INF/maven/com.example/app/pom.xml" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>com.example</groupId>
  <artifactId>app</artifactId>
  <version>1.0.0</version>
  <packaging>jar</packaging>
  <dependencies>
    <dependency>
      <groupId>org.apache.commons</groupId>
      <artifactId>commons-lang3</artifactId>
      <version>$jarver</version>
    </dependency>
  </dependencies>
</project>
EOF
  cp "$jar" "$J/BOOT-INF/lib/commons-lang3-$jarver.jar"
  printf -- '- "BOOT-INF/lib/commons-lang3-%s.jar"\n' "$jarver" > "$J/BOOT-INF/classpath.idx"
  printf 'greeting=hello\n' > "$J/BOOT-INF/classes/application.properties"
  find "$J" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
  (cd "$J" && { find META-INF | sort; find BOOT-INF | sort; } | zip -q -X -n .jar "$W/app.jar" -@)

  derive apps debian-base
  install -D -m 0755 "$W/gohello" "$R/usr/local/bin/gohello"
  install -D -m 0644 "$jar" "$R/opt/java/commons-lang3.jar"
  install -D -m 0644 "$W/app.jar" "$R/opt/app/app.jar"
  commit apps "go build ./gohello (github.com/google/uuid $modver, vendored); commons-lang3 $jarver jar; fat jar /opt/app/app.jar"
  config apps --config.cmd /usr/local/bin/gohello --history.created_by 'CMD ["/usr/local/bin/gohello"]'
}

build_rpm_stage() {     # rpmbuild the specs, install into $W/rpmroot, derive BDB + NDB copies
  local T=$W/rpmbuild S=$W/rpmroot spec n
  for spec in "$HERE"/rpm/*.spec; do
    rpmbuild -bb --nodeps --define "_topdir $T" --define '_buildhost fixtures.example.com' \
      --define 'use_source_date_epoch_as_buildtime 1' --define 'clamp_mtime_to_source_date_epoch 1' \
      "$spec" > "$W/rpmbuild.log" 2>&1 || { cat "$W/rpmbuild.log"; die "rpmbuild $spec"; }
  done
  mkdir -p "$S"
  # Debian's rpm: --force-debian silences its "use alien" refusal; no deps
  # or scriptlets (there is no rpm-based system below).
  rpm --root "$S" --dbpath /var/lib/rpm --define '_db_backend sqlite' --force-debian \
    -i --nodeps --noscripts --notriggers --ignorearch --ignoreos "$T"/RPMS/noarch/*.rpm
  n=$(rpm --root "$S" --dbpath /var/lib/rpm -qa | wc -l)
  [ "$n" = "$(ls "$T"/RPMS/noarch/*.rpm | wc -l)" ] || die "rpmdb holds $n packages"
  # fold the WAL into rpmdb.sqlite so the file alone is the whole database
  sqlite3 "$S/var/lib/rpm/rpmdb.sqlite" 'PRAGMA wal_checkpoint(TRUNCATE);' >/dev/null
  rm -f "$S/var/lib/rpm/rpmdb.sqlite-shm" "$S/var/lib/rpm/rpmdb.sqlite-wal"

  # NDB (Debian's rpm has no ndb backend: written by rpmdb-convert.py)
  mkdir -p "$W/ndb"
  python3 -B "$HERE/rpm/rpmdb-convert.py" ndb "$S/var/lib/rpm/rpmdb.sqlite" "$W/ndb/Packages.db"
  # Berkeley DB HASH (rpm 4.18 cannot write BDB): db_load from the header blobs
  mkdir -p "$W/bdb"
  python3 -B "$HERE/rpm/rpmdb-convert.py" bdb-dump "$S/var/lib/rpm/rpmdb.sqlite" > "$W/bdb.dump"
  "$DB_LOAD" -T -t hash -f "$W/bdb.dump" "$W/bdb/Packages"
  rm -f "$W/bdb.dump"
  n=$(rpm --define '_db_backend bdb_ro' --dbpath "$W/bdb" -qa 2>/dev/null | wc -l)
  [ "$n" = "$(ls "$T"/RPMS/noarch/*.rpm | wc -l)" ] || die "rpm (bdb_ro) reads $n packages from the BDB copy"
  rm -f "$W/bdb/"__db.* 2>/dev/null || true
}

build_rpm() {
  local R=$W/bundle-rpm/rootfs
  derive rpm debian-base
  cp -a "$W/rpmroot/." "$R/"
  install -D -m 0644 "$W/ndb/Packages.db" "$R/usr/lib/sysimage/rpm/Packages.db"
  commit rpm 'rpm -i acme-tools foo libfoo bar-data (sqlite rpmdb); NDB copy in /usr/lib/sysimage/rpm'
}

build_rpm_bdb() {
  local R=$W/bundle-rpm-bdb/rootfs
  derive rpm-bdb debian-base
  cp -a "$W/rpmroot/usr/." "$R/usr/"
  install -D -m 0644 "$W/bdb/Packages" "$R/var/lib/rpm/Packages"
  commit rpm-bdb 'rpm -i acme-tools foo libfoo bar-data (Berkeley DB rpmdb)'
}

build_apk() {
  local S=$W/apkroot d
  for d in bin dev etc home lib media mnt opt proc run sbin srv sys usr/bin usr/lib usr/sbin usr/share var/cache var/log; do
    mkdir -p "$S/$d"
  done
  install -d -m 0700 "$S/root"
  install -d -m 1777 "$S/tmp"
  install -D -m 0644 "$HERE/apk/installed" "$S/lib/apk/db/installed"
  : > "$S/lib/apk/db/lock"; : > "$S/lib/apk/db/triggers"
  install -D -m 0644 "$HERE/apk/world" "$S/etc/apk/world"
  install -D -m 0644 "$HERE/apk/alpine-release" "$S/etc/alpine-release"
  install -D -m 0644 "$HERE/apk/os-release" "$S/etc/os-release"
  tar --sort=name --mtime="@$SOURCE_DATE_EPOCH" --owner=0 --group=0 --numeric-owner \
    --format=gnu -C "$S" -cf "$W/apk.tar" .
  umoci new --image "$LAYOUT:apk"
  umoci raw add-layer --image "$LAYOUT:apk" --history.created "$CREATED" \
    --history.created_by 'Alpine 3.18 installed database (hand-written, apk/installed)' "$W/apk.tar"
  rm -f "$W/apk.tar"
  config apk --os linux --architecture amd64 \
    --config.env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    --config.cmd /bin/sh --history.created_by 'CMD ["/bin/sh"]'
}

export_image() {        # per-image OCI layout, oci-archive, docker-archive (+gz), rootfs
  local n=$1
  skopeo copy -q "oci:$LAYOUT:$n" "oci:$O/$n.oci:latest"
  skopeo copy -q "oci:$LAYOUT:$n" "oci-archive:$O/$n.oci.tar:latest"
  skopeo copy -q "oci:$LAYOUT:$n" "docker-archive:$O/$n.docker.tar:portcullis-fixture/$n:latest"
  gzip -n -c "$O/$n.docker.tar" > "$O/$n.docker.tar.gz"
  umoci unpack --image "$LAYOUT:$n" "$W/unpack-$n" >/dev/null
  mv "$W/unpack-$n/rootfs" "$O/$n.rootfs"
  rm -rf "$W/unpack-$n"
}

sanity() {              # cheap checks that the images are what the tests expect
  local n
  n=$(dpkg-query --admindir="$O/debian-base.rootfs/var/lib/dpkg" -W | wc -l)
  [ "$n" -gt 50 ] || die "debian-base: only $n dpkg packages"
  ! dpkg-query --admindir="$O/node.rootfs/var/lib/dpkg" -W tzdata >/dev/null 2>&1 || die "node: tzdata still installed"
  [ "$(find "$O/node.rootfs/app/node_modules" -name package.json | wc -l)" = 53 ] || die "node: expected 53 package.json"
  [ -x "$O/apps.rootfs/usr/local/bin/gohello" ] || die "apps: no gohello"
  n=$(python3 -c 'import sqlite3,sys; print(sqlite3.connect("file:"+sys.argv[1]+"?immutable=1", uri=True).execute("select count(*) from Packages").fetchone()[0])' \
      "$O/rpm.rootfs/var/lib/rpm/rpmdb.sqlite")      # read-only: leaves no -wal/-shm behind
  [ "$n" = 4 ] || die "rpm: expected 4 packages, found $n"
  [ -s "$O/rpm-bdb.rootfs/var/lib/rpm/Packages" ] || die "rpm-bdb: no Packages"
  [ -s "$O/apk.rootfs/lib/apk/db/installed" ] || die "apk: no installed db"
}

build_info() {
  {
    echo "inputs-hash: $(inputs_hash)"
    echo "SOURCE_DATE_EPOCH: $SOURCE_DATE_EPOCH ($CREATED)"
    echo "suite: $SUITE main ($(debian_mirror))"
    echo "built: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    for p in mmdebstrap umoci skopeo rpm golang-go db5.3-util; do
      echo "tool: $p $(dpkg-query -W -f '${Version}' "$p" 2>/dev/null || echo '?')"
    done
  } > "$O/build-info.txt"
}

prune_cache() {         # stale temp dirs of killed builds, and old complete caches (keep 3)
  local d
  [ "$(dirname "$OUT")" = "$CACHE" ] || return 0
  find "$CACHE" -maxdepth 1 -name 'images-*.tmp.*' -type d -mmin +1440 -print 2>/dev/null |
    while read -r d; do umount_below "$d"; rm -rf --one-file-system "$d"; done
  ls -1dt "$CACHE"/images-???????????????? 2>/dev/null | tail -n +4 |
    while read -r d; do
      [ "$d" = "$OUT" ] && continue
      log "pruning old cache $d"; rm -rf --one-file-system "$d"; rm -f "$d.lock"
    done
}

log "building into $OUT (scratch $TMP)"
T0=$(now)
step base            build_base
step python          build_python
step node            build_node
step apps            build_apps
step rpm-stage       build_rpm_stage
step rpm             build_rpm
step rpm-bdb         build_rpm_bdb
step apk             build_apk
for n in "${IMAGES[@]}"; do step "export $n" export_image "$n"; done
step sanity sanity
printf '%s\n' "${IMAGES[@]}" > "$O/manifest.txt"
build_info
printf 'TIME %-24s %7.1f s\n' total "$(echo "$(now) - $T0" | bc)" | tee -a "$O/timings.txt"
touch "$O/.complete"
mv "$O" "$OUT"
rm -rf --one-file-system "$TMP"
prune_cache
log "done: $OUT"
echo "$OUT" >&3
