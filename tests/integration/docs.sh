#!/bin/sh
# Checks that doc/config.md carries exactly the key reference that
# `wafersim config keys` prints, so the documentation cannot drift from the
# schema.
set -u
: "${WAFERSIM:?}" "${TOP_SRCDIR:?}"
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
"$WAFERSIM" config keys > "$tmp/keys.md" || { echo "config keys failed"; exit 1; }
[ -s "$tmp/keys.md" ] || { echo "config keys printed nothing"; exit 1; }
lines=$(wc -l < "$tmp/keys.md")
tail -n "$lines" "$TOP_SRCDIR/doc/config.md" > "$tmp/doc-tail.md"
if ! cmp -s "$tmp/keys.md" "$tmp/doc-tail.md"; then
    echo "doc/config.md is out of date; regenerate its table with: sh scripts/update-config-doc.sh BUILD/wafersim"
    diff "$tmp/doc-tail.md" "$tmp/keys.md"
    echo "0 passed, 1 failed"
    exit 1
fi
echo "1 passed, 0 failed"
