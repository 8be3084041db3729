#!/usr/bin/env bash
# spec/ -> generated/: the one way generated files are made (never edit generated/ by hand).
set -euo pipefail
cd "$(dirname "$0")/.."
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true NO_UPDATE_NOTIFIER=1
bin=node_modules/.bin
quiet() { "$@" >/dev/null 2>"${TMPDIR:-/tmp}/mailproof-generate.err" || { cat "${TMPDIR:-/tmp}/mailproof-generate.err" >&2; exit 1; }; }

quiet $bin/redocly lint spec/openapi.yaml
quiet $bin/redocly bundle spec/openapi.yaml --ext json -o generated/openapi.json
quiet $bin/redocly bundle spec/openapi.yaml --ext yaml -o generated/openapi.yaml
quiet $bin/openapi-typescript generated/openapi.json -o generated/schema.d.ts
# The client package carries its own copy of the types (it ships without generated/).
quiet $bin/openapi-typescript generated/openapi.json -o client/src/schema.ts
quiet $bin/redocly build-docs generated/openapi.json --inlineBundle -o generated/docs.html
echo "generated/: openapi.json openapi.yaml schema.d.ts docs.html; client/src/schema.ts"
