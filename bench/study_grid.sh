#!/bin/sh
# bench/study_grid.sh — issue 8's benchmark: the whole main-figure grid
# (configs/experiments/study.yaml: 4 models x 2 meshes x 3 batches x 5
# strategies = 120 runs of 127 decode steps, 8 of them sampled) run by
# `wafersim sweep -j JOBS`, timed (wall clock and CPU of every worker).
# Reported, not a test: it takes hours on a 2-core machine
# (doc/performance.md). Resumable: rerun with the same OUTDIR to finish an
# interrupted grid (the time printed is then that of the rerun only).
#   usage: sh bench/study_grid.sh WAFERSIM [OUTDIR] [JOBS] [--set KEY=VALUE]...
set -eu
ws=$1
out=${2:-results/bench-study}
jobs=${3:-2}
[ $# -ge 3 ] && shift 3 || shift $#
top=$(cd "$(dirname "$0")/.." && pwd)
export WAFERSIM_CONFIG_DIR="${WAFERSIM_CONFIG_DIR:-$top/configs}"
start=$(date +%s)
/usr/bin/time -f "CPU: %U s user + %S s system (all workers); peak RSS of one worker %M KB" \
    "$ws" sweep -j "$jobs" --out "$out" "$@" "$top/configs/experiments/study.yaml"
end=$(date +%s)
points=$(ls "$out"/points/*.json 2>/dev/null | wc -l)
echo "study grid: $points points in $out, wall $((end - start)) s with -j $jobs (target: 600 s with -j 2)"
