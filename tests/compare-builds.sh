#!/bin/sh
# Usage: tests/compare-builds.sh FULL_WAFERSIM BARE_WAFERSIM
# "With an option off, or compiled out, every result is bit-identical":
# runs the same experiments (a tiny model on a 2 x 2 wafer: Base and EP,
# every option off; `wafersim probe p2p`) with a build that has every
# hardware option and with one configured without them
# (--disable-expert-affine --disable-link-widening --disable-migration),
# and requires byte-identical output files. Called by .ci/run.
set -eu
full=$1 bare=$2
top=$(cd "$(dirname "$0")/.." && pwd)
export WAFERSIM_CONFIG_DIR="$top/configs" SOURCE_DATE_EPOCH=0
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cd "$dir"
"$full" trace gen --model "$top/tests/fixtures/run/tiny.yaml" --requests 32 --seed 3 -o tiny.wst -q
cat > exp.yaml <<EOF2
preset: dojo
model: $top/tests/fixtures/run/tiny.yaml
hw:
  grid: {x: 2, y: 2}
workload: {trace: tiny.wst, batch: 32, decode_steps: 3}
options:
  expert_affine: {enabled: false}
  link_widening: {enabled: false}
  migration: {enabled: false}
variants:
  - {name: Base, set: ["strategy.allocation=even"]}
  - {name: EP, set: ["strategy.allocation=home"]}
EOF2
for b in full bare; do
    eval bin=\$$b
    "$bin" run -q --format csv --out "run-$b.csv" --links "links-$b.csv" exp.yaml
    "$bin" probe p2p --format csv --out "p2p-$b.csv" --to 1,1 exp.yaml
done
status=0
for f in run links p2p; do
    if cmp -s "$f-full.csv" "$f-bare.csv"; then
        echo "options off vs compiled out: $f output identical"
    else
        echo "options off vs compiled out: $f output DIFFERS:"; diff "$f-full.csv" "$f-bare.csv" | head -20
        status=1
    fi
done
exit $status
