#!/bin/sh
# Regenerates the key table at the end of doc/config.md from
# `wafersim config keys` (tests/integration/docs.sh checks they agree).
# Usage: sh scripts/update-config-doc.sh [path/to/wafersim]
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
ws=${1:-"$top/build/wafersim"}
doc="$top/doc/config.md"
marker='This table is the output of `wafersim config keys` (a test keeps the two'
tmp="$doc.tmp.$$"
awk -v m="$marker" '{ print } index($0, m) == 1 { getline; print; getline; print; exit }' "$doc" > "$tmp"
"$ws" config keys >> "$tmp"
mv "$tmp" "$doc"
