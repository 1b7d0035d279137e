#!/usr/bin/env bash
# A throw-away OCI distribution registry (Debian's docker-registry) on
# 127.0.0.1 holding the fixture images, for registry: tests.
#
#   tests/images/registry.sh start DIR [OUT]   plain http, anonymous
#   tests/images/registry.sh start-auth DIR [OUT]   plain http, htpasswd basic auth
#   tests/images/registry.sh stop DIR
#
# OUT defaults to $PORTCULLIS_FIXTURES (a build.sh output). start picks a
# free port, keeps everything under DIR (config.yml, storage/, registry.log,
# pid, port; with auth also htpasswd, username, password), waits until /v2/
# answers, then pushes each image as 127.0.0.1:PORT/fixture/NAME:latest
# (skopeo, from OUT/NAME.oci). Prints "127.0.0.1:PORT" on stdout.
# stop kills the registry started for DIR (by its recorded pid) and waits.
set -euo pipefail

REGISTRY_BIN=${REGISTRY_BIN:-/usr/bin/docker-registry}
USERNAME=portcullis
PASSWORD=portcullis-fixture-pw     # test-only credential for a loopback registry

usage() { sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
log() { printf '[registry] %s\n' "$*" >&2; }

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

running() { [ -s "$1/pid" ] && kill -0 "$(cat "$1/pid")" 2>/dev/null; }

bcrypt_htpasswd() {     # user:bcrypt-hash (docker-registry accepts bcrypt only)
  if command -v htpasswd >/dev/null; then
    htpasswd -nbB "$USERNAME" "$PASSWORD" | head -n1
  else
    python3 -W ignore -c 'import crypt,sys; print(sys.argv[1] + ":" + crypt.crypt(sys.argv[2], crypt.mksalt(crypt.METHOD_BLOWFISH)))' \
      "$USERNAME" "$PASSWORD"
  fi
}

start() {
  local auth=$1 dir=$2 out=${3:-${PORTCULLIS_FIXTURES:-}} port i code name creds=()
  [ -n "$out" ] && [ -e "$out/.complete" ] || { log "need OUT (a complete build.sh output) or PORTCULLIS_FIXTURES"; exit 2; }
  [ -x "$REGISTRY_BIN" ] || { log "$REGISTRY_BIN not found (apt-get install docker-registry)"; exit 1; }
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  if running "$dir"; then log "already running on port $(cat "$dir/port")"; echo "127.0.0.1:$(cat "$dir/port")"; return 0; fi
  rm -rf "$dir/storage"; mkdir -p "$dir/storage"
  port=$(free_port)
  {
    echo "version: 0.1"
    echo "log: {level: info, fields: {service: registry}}"
    echo "storage:"
    echo "  filesystem: {rootdirectory: $dir/storage}"
    echo "  delete: {enabled: true}"
    echo "http:"
    echo "  addr: 127.0.0.1:$port"
    echo "  secret: portcullis-fixture-registry"
    if [ "$auth" = 1 ]; then
      bcrypt_htpasswd > "$dir/htpasswd"
      echo "$USERNAME" > "$dir/username"; echo "$PASSWORD" > "$dir/password"
      echo "auth:"
      echo "  htpasswd: {realm: portcullis-fixture, path: $dir/htpasswd}"
    fi
  } > "$dir/config.yml"
  # own session, no stdin, so it outlives neither a closed terminal's signals nor keeps pipes open
  setsid "$REGISTRY_BIN" serve "$dir/config.yml" </dev/null >"$dir/registry.log" 2>&1 &
  echo $! > "$dir/pid"
  echo "$port" > "$dir/port"
  for i in $(seq 1 100); do
    code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/v2/" || true)
    case $code in 200|401) break ;; esac
    running "$dir" || { cat "$dir/registry.log" >&2; log "registry exited"; exit 1; }
    sleep 0.1
  done
  case $code in 200|401) ;; *) log "no answer on port $port"; stop "$dir"; exit 1 ;; esac
  log "listening on 127.0.0.1:$port (pid $(cat "$dir/pid"), auth=$auth)"
  [ "$auth" = 1 ] && creds=(--dest-creds "$USERNAME:$PASSWORD")
  while read -r name; do
    [ -n "$name" ] || continue
    skopeo copy -q --dest-tls-verify=false "${creds[@]}" \
      "oci:$out/$name.oci:latest" "docker://127.0.0.1:$port/fixture/$name:latest"
    log "pushed fixture/$name:latest"
  done < "$out/manifest.txt"
  echo "127.0.0.1:$port"
}

stop() {
  local dir=$1 pid i
  [ -s "$dir/pid" ] || { log "nothing recorded in $dir"; return 0; }
  pid=$(cat "$dir/pid")
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid"
    for i in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
    log "stopped pid $pid"
  fi
  rm -f "$dir/pid"
}

case ${1:-} in
  start)      [ $# -ge 2 ] || usage; start 0 "$2" "${3:-}" ;;
  start-auth) [ $# -ge 2 ] || usage; start 1 "$2" "${3:-}" ;;
  stop)       [ $# -eq 2 ] || usage; stop "$2" ;;
  *)          usage ;;
esac
