#!/usr/bin/env bash
# Load the fixture images built by build.sh into the local Docker engine as
# portcullis-fixture/NAME:latest (test setup only; uses the docker CLI).
#
#   tests/images/load-docker.sh [OUT]      (OUT defaults to $PORTCULLIS_FIXTURES)
#
# Idempotent: an image is loaded only when the engine does not already hold
# portcullis-fixture/NAME:latest with the same image ID (config digest) as
# OUT/NAME.docker.tar, so a rebuilt image replaces a stale tag.
set -euo pipefail

OUT=${1:-${PORTCULLIS_FIXTURES:-}}
[ -n "$OUT" ] || { echo "usage: $0 OUT (or set PORTCULLIS_FIXTURES)" >&2; exit 2; }
[ -e "$OUT/.complete" ] || { echo "load-docker: $OUT is not a complete build (no .complete)" >&2; exit 1; }
command -v docker >/dev/null || { echo "load-docker: docker CLI not found" >&2; exit 1; }
docker version --format '{{.Server.Version}}' >/dev/null || { echo "load-docker: Docker engine not reachable" >&2; exit 1; }

archive_id() {          # image ID = sha256 of the config, named in manifest.json
  tar -xOf "$1" manifest.json |
    python3 -c 'import json,sys; c=json.load(sys.stdin)[0]["Config"]; print("sha256:" + c.rsplit("/",1)[-1].removesuffix(".json"))'
}

while read -r name; do
  [ -n "$name" ] || continue
  ref=portcullis-fixture/$name:latest
  want=$(archive_id "$OUT/$name.docker.tar")
  have=$(docker image inspect --format '{{.Id}}' "$ref" 2>/dev/null || true)
  if [ "$have" = "$want" ]; then
    echo "load-docker: $ref already loaded (${want:7:12})" >&2
  else
    docker load -q -i "$OUT/$name.docker.tar" >&2
    have=$(docker image inspect --format '{{.Id}}' "$ref")
    [ "$have" = "$want" ] || { echo "load-docker: $ref is $have, expected $want" >&2; exit 1; }
  fi
done < "$OUT/manifest.txt"
