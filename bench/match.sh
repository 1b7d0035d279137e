#!/usr/bin/env bash
# Benchmark: building the vulnerability DB from the whole shared advisory
# corpus (`portcullis db import`), and matching a 1,000-package inventory
# against it (the match stage alone, DB open included). Prints a Markdown
# table (copy it into BENCHMARKS.md).
#
#   bench/match.sh [FIXTURES_DIR]     (default: $PORTCULLIS_FIXTURES, else
#                                      built with tests/images/build.sh)
# Env: RUNS (default 5), VULNDATA (default ../shared/vulndata).
# Targets (issue 3): import < 10 s, match of 1,000 packages < 50 ms.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
CACHE=${PORTCULLIS_CACHE:-/var/cache/portcullis-ci}
RUNS=${RUNS:-5}
VULNDATA=${VULNDATA:-../shared/vulndata}
FIX=${1:-${PORTCULLIS_FIXTURES:-$(tests/images/build.sh)}}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$CACHE/target}
cargo build --release --locked -q -p portcullis
cargo build --release --locked -q -p portcullis-match --example match_bench
PC=$CARGO_TARGET_DIR/release/portcullis
BENCH=$CARGO_TARGET_DIR/release/examples/match_bench
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# 1. Import: every folder of the corpus, into a fresh DB each run.
import_times=()
for _ in $(seq "$RUNS"); do
  rm -f "$WORK/v.db"
  s=$(date +%s.%N)
  "$PC" -q db import --db "$WORK/v.db" "$VULNDATA"/* 2>/dev/null
  import_times+=("$(echo "$(date +%s.%N) - $s" | bc)")
done
import_median=$(printf '%s\n' "${import_times[@]}" | sort -n | sed -n "$(( (RUNS + 1) / 2 ))p")
advisories=$("$PC" db status --db "$WORK/v.db" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["advisories"])')
db_mb=$(du -m "$WORK/v.db" | cut -f1)

# 2. Match: the packages of the three fixture images, padded to 1,000 with
# real package names taken from the corpus (Go modules and PyPI projects at
# version 0.0.1, so most of their advisories' ranges contain them: a heavy
# case, many rows read and many findings).
for img in debian-base python node; do
  "$PC" -q sbom "oci-dir:$FIX/$img.oci" -o json > "$WORK/$img.json"
done
python3 - "$WORK" "$VULNDATA" <<'PY'
import glob, json, os, sys
work, data = sys.argv[1], sys.argv[2]
docs = [json.load(open(os.path.join(work, f"{i}.json"))) for i in ("debian-base", "python", "node")]
inv = docs[2]
seen = {(p["ecosystem"], p["name"], p["version"]) for d in docs for p in d["packages"]}
pkgs = [p for d in docs for p in d["packages"]]
uniq, keys = [], set()
for p in pkgs:
    k = (p["ecosystem"], p["name"], p["version"])
    if k not in keys:
        keys.add(k); uniq.append(p)
names = []
for f in sorted(glob.glob(os.path.join(data, "golang/data/osv/*.json"))):
    for a in json.load(open(f)).get("affected", []):
        names.append(("go", a["package"]["name"], "v0.0.1"))
for f in sorted(glob.glob(os.path.join(data, "pypa/vulns/*"))):
    names.append(("pypi", os.path.basename(f).lower(), "0.0.1"))
template = dict(uniq[0])
for eco, name, version in names:
    if len(uniq) >= 1000:
        break
    if (eco, name, version) in keys:
        continue
    keys.add((eco, name, version))
    p = dict(template, ecosystem=eco, name=name, version=version, source_name=None,
             source_version=None, purl=f"pkg:{'golang' if eco == 'go' else eco}/{name}@{version}",
             locations=["/bench"], cataloger="bench")
    p.pop("owned_by", None)
    uniq.append(p)
inv["packages"] = uniq[:1000]
json.dump(inv, open(os.path.join(work, "inv1000.json"), "w"))
PY
match=$("$BENCH" "$WORK/v.db" "$WORK/inv1000.json" $((RUNS * 4)))
read -r packages findings best median <<<"$(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(d["packages"], d["findings"], d["best_ms"], d["median_ms"])' "$match")"

echo "| step | input | median | best | target |"
echo "|---|---|---|---|---|"
echo "| db import (whole corpus) | $(find "$VULNDATA" -type f | wc -l) files → $advisories advisories, ${db_mb} MB DB | ${import_median} s | $(printf '%s\n' "${import_times[@]}" | sort -n | head -1) s | < 10 s |"
echo "| match (DB open + lookup + merge) | $packages packages → $findings findings | ${median} ms | ${best} ms | < 50 ms |"
