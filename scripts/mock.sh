#!/usr/bin/env bash
# npm run mock [-- --port N] (or MOCK_PORT=N): the Prism mock of the bundled contract on loopback.
# Other arguments go to `prism mock` as they are (e.g. --dynamic).
set -euo pipefail
cd "$(dirname "$0")/.."
port="${MOCK_PORT:-4010}"
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --port | -p) port="${2:?--port needs a number}"; shift 2 ;;
    --port=*) port="${1#--port=}"; shift ;;
    *) args+=("$1"); shift ;;
  esac
done
exec node_modules/.bin/prism mock generated/openapi.yaml --host 127.0.0.1 --port "$port" ${args[@]+"${args[@]}"}
