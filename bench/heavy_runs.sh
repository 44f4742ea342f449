#!/bin/sh
# bench/heavy_runs.sh — issue 6's run-time figures: the heaviest single run
# (DeepSeek-V3, dojo, batch 16384, 127 decode steps, Base) and the
# per-strategy times of the four models at that size, each sampled as the
# study grid is (configs/experiments/study.yaml: 8 of 127 steps, 2 or 4 of
# the MoE layers of each; the migration strategies with one warm-up step
# before each), then Base at batches 4096, 8192 and 16384 (the cost must
# not grow with the batch beyond the expert counts). Prints one line per
# run: user CPU seconds (one core), the decode-time estimate and its 95%
# interval. Reported, not a test (doc/performance.md). Trace generation is
# not included: each model's workload is generated (or found in the trace
# cache) by a first one-layer run, untimed.
#   usage: sh bench/heavy_runs.sh WAFERSIM [LAYERS]   (LAYERS per step, default 4)
set -eu
ws=$1
layers=${2:-4}
top=$(cd "$(dirname "$0")/.." && pwd)
export WAFERSIM_CONFIG_DIR="${WAFERSIM_CONFIG_DIR:-$top/configs}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat > "$tmp/heavy.yaml" <<EOF2
preset: dojo
model: deepseek-v3
sim: {seed: 1, sample_steps: 8, sample_layers: $layers, sample_warmup: 0}
workload: {batch: 16384, decode_steps: 127}
strategy: {allocation: even}
options:
  expert_affine: {enabled: true}
  migration: {enabled: false}
EOF2
one() {   # label, then --set arguments
    label=$1
    shift
    /usr/bin/time -f "%U" -o "$tmp/t" "$ws" run -q --format csv --out "$tmp/r.csv" "$@" "$tmp/heavy.yaml"
    printf '%-40s %8.1f s CPU  decode %s us +-%s%%\n' "$label" "$(cat "$tmp/t")" \
        "$(grep -v '^#' "$tmp/r.csv" | awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
            { printf "%.0f", $c["decode_time_us"] }')" \
        "$(grep -v '^#' "$tmp/r.csv" | awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
            { printf "%.2f", $c["decode_time_ci95_pct"] }')"
}
for model in deepseek-v3 kimi-k2 llama4-maverick qwen3-235b; do
    cap=80GB
    [ "$model" = kimi-k2 ] && cap=100GB
    m="--set model=$model --set hw.tile.hbm.capacity=$cap"
    # the workload (trace cache), untimed
    "$ws" run -q --format csv --out /dev/null $m --set sim.sample_steps=1 --set sim.sample_layers=1 "$tmp/heavy.yaml"
    one "$model Base" $m --set strategy.allocation=even
    one "$model EP" $m --set strategy.allocation=home
    one "$model Allo Only" $m --set strategy.allocation=affine
    one "$model Pred Only" $m --set strategy.allocation=even --set options.migration.enabled=true \
        --set sim.sample_warmup=1
    one "$model Allo+Pred" $m --set strategy.allocation=affine --set options.migration.enabled=true \
        --set sim.sample_warmup=1
done
for b in 4096 8192 16384; do
    "$ws" run -q --format csv --out /dev/null --set workload.batch=$b --set sim.sample_steps=1 \
        --set sim.sample_layers=1 "$tmp/heavy.yaml"
    one "deepseek-v3 Base, batch $b" --set workload.batch=$b
done
