#!/usr/bin/env bash
# portcullis scan step for Bamboo (script task). Bamboo exposes plan
# variables to scripts as bamboo_<name> environment variables (dots become
# underscores); this script maps the connector's settings to portcullis flags.
#
#   plan variable                 flag
#   portcullis.images             IMAGE... (comma- or space-separated)
#   portcullis.failSeverity       --fail-severity 5=0,4=2
#   portcullis.failQids           --fail-qids
#   portcullis.failCves           --fail-cves
#   portcullis.failSoftware       --fail-software
#   portcullis.failCvss           --fail-cvss
#   portcullis.cvssVersion        --cvss-version 2|3|max
#   portcullis.includePotential   --include-potential (true/false)
#   portcullis.excludeQids        --exclude-qids
#   portcullis.excludeCves        --exclude-cves
#   portcullis.webhookUrl         --webhook-url
#   portcullis.webhookTokenPassword  PORTCULLIS_WEBHOOK_TOKEN (a name containing
#                                 "password" is masked by Bamboo)
#   portcullis.db                 --db (default .portcullis-db/portcullis.db)
#   portcullis.extraArgs          any other flags
#
# Exit code: 0 pass, 1 an image failed the policy, 2 usage error, 3 the scan
# could not be completed; any non-zero code fails the task.
set -u

images="${bamboo_portcullis_images:-}"
if [ -z "$images" ]; then
    echo "portcullis: set the plan variable portcullis.images" >&2
    exit 2
fi
command -v portcullis >/dev/null 2>&1 || {
    echo "portcullis is not on PATH (cargo install --locked --path crates/portcullis, or a release binary)" >&2
    exit 2
}

db="${bamboo_portcullis_db:-.portcullis-db/portcullis.db}"
reports="portcullis-reports"
mkdir -p "$(dirname "$db")" "$reports"
if [ ! -s "$db" ]; then
    portcullis db update --db "$db" || exit 3
fi

args=()
set -f  # no globbing while splitting the lists
for image in ${images//,/ }; do args+=("$image"); done
opt() { if [ -n "$2" ]; then args+=("$1" "$2"); fi; }
opt --fail-severity "${bamboo_portcullis_failSeverity:-}"
opt --fail-qids "${bamboo_portcullis_failQids:-}"
opt --fail-cves "${bamboo_portcullis_failCves:-}"
opt --fail-software "${bamboo_portcullis_failSoftware:-}"
opt --fail-cvss "${bamboo_portcullis_failCvss:-}"
opt --cvss-version "${bamboo_portcullis_cvssVersion:-}"
opt --exclude-qids "${bamboo_portcullis_excludeQids:-}"
opt --exclude-cves "${bamboo_portcullis_excludeCves:-}"
opt --webhook-url "${bamboo_portcullis_webhookUrl:-}"
if [ "${bamboo_portcullis_includePotential:-false}" = "true" ]; then
    args+=(--include-potential)
fi
# The extra arguments are split on spaces on purpose.
# shellcheck disable=SC2206
extra=(${bamboo_portcullis_extraArgs:-})
set +f

if [ -n "${bamboo_portcullis_webhookTokenPassword:-}" ]; then
    PORTCULLIS_WEBHOOK_TOKEN="$bamboo_portcullis_webhookTokenPassword"
    export PORTCULLIS_WEBHOOK_TOKEN
fi

exec portcullis scan "${args[@]}" "${extra[@]}" --db "$db" \
    -o table \
    -o "junit=$reports/junit.xml" \
    -o "summary-json=$reports/summary.json" \
    -o "qualys-json=$reports/images.json" \
    -o "html=$reports/report.html" \
    -o "json=$reports/report.json"
