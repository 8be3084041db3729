#!/usr/bin/env bash
# No line of source over the formatter's width (Biome wraps code, not long strings or comments).
set -euo pipefail
cd "$(dirname "$0")/.."
width=$(node -p 'require("./biome.json").formatter.lineWidth')
long=$(git ls-files '*.ts' '*.js' '*.mjs' '*.cjs' ':!generated/**' ':!client/src/schema.ts' | xargs awk -v w="$width" 'length > w { print FILENAME ":" FNR ": " length " columns" }')
if [ -n "$long" ]; then
  echo "Lines over $width columns:" >&2
  echo "$long" >&2
  exit 1
fi
