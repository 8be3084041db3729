#!/usr/bin/env bash
# Fails when generated/ is not what spec/ produces: the spec was edited without `npm run generate`,
# or generated/ was edited by hand.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/generate.sh >/dev/null
outputs=(generated/ client/src/schema.ts)
if ! git diff --exit-code --stat -- "${outputs[@]}" || [ -n "$(git ls-files --others --exclude-standard -- "${outputs[@]}")" ]; then
  echo "generated/ or client/src/schema.ts differs from what spec/ produces: run 'npm run generate' and commit the result." >&2
  exit 1
fi
echo "generated/ and client/src/schema.ts match spec/"
