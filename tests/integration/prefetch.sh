#!/bin/sh
# Next-layer prefetch (strategy.prefetch_next_layer; doc/run.md) end to end
# on the tiny model (4 MoE layers, 16 experts, top-2, 1 MiB matrices) on a
# 3 x 3 dojo-like wafer, 32 requests, 3 decode steps (the hand-checked
# timing is in tests/unit/test_exec.c):
#   - conservation: Base, EP, Allo Only and Base with dispatch move the
#     same reads either way: request and data hops, byte-hops, remote HBM
#     bytes, tasks, compute and dispatch bytes are equal on and off;
#   - the run's own off twin (decode_time_no_prefetch_us) is the off
#     variant's decode time, and prefetch_time_saved_us = off - on;
#   - prefetched bytes are whole 1 MiB matrices, the held ones no more than
#     them; the first layer is never prefetched, so with a buffer that
#     holds everything prefetch_GB = all weight bytes - the first layer's;
#   - Base gains (remote reads overlap the previous layer's compute);
#   - a buffer smaller than one matrix changes nothing (all of main's
#     columns equal the off row's);
#   - off, the columns are empty and the decode times are those of the
#     build before prefetch existed; on, prefetch_plan says "oracle";
#   - the same results with activity skipping off;
#   - the option without a buffer, or with the migration unit, is bad
#     input (exit 2, file:line:column for the missing buffer).
set -u
. "$(dirname "$0")/lib.sh"
cd "$TEST_TMPDIR" || exit 99

tiny_experiment 32 3 3 32 3
cat >> exp.yaml <<'EOF2'
options: {expert_affine: {enabled: true}}
strategy: {prefetch_buffer: 64 MiB}
variants:
  - {name: Base, set: ["strategy.allocation=even"]}
  - {name: Base-pf, set: ["strategy.allocation=even", "strategy.prefetch_next_layer=true"]}
  - {name: EP, set: ["strategy.allocation=home"]}
  - {name: EP-pf, set: ["strategy.allocation=home", "strategy.prefetch_next_layer=true"]}
  - {name: Allo, set: ["strategy.allocation=affine"]}
  - {name: Allo-pf, set: ["strategy.allocation=affine", "strategy.prefetch_next_layer=true"]}
  - {name: Disp, set: ["strategy.allocation=even", "strategy.dispatch.enabled=true"]}
  - {name: Disp-pf, set: ["strategy.allocation=even", "strategy.dispatch.enabled=true", "strategy.prefetch_next_layer=true"]}
  - {name: Base-small, set: ["strategy.allocation=even", "strategy.prefetch_next_layer=true", "strategy.prefetch_buffer=1048575 B"]}
  - {name: Base-first, set: ["strategy.allocation=even", "workload.decode_steps=1"]}
baseline: Base
EOF2
run "$WAFERSIM" run -q --format csv --out res.csv exp.yaml
expect_status 0
col() { csv_col res.csv "$1" "$2"; }
# every cell of a row from column 2 on, the config hash and the prefetch and sampling columns (the last 10) aside
# (quoted commas kept)
row() { grep -v '^#' res.csv | awk -v v="$1" -F, '$1 == v' | cut -d, -f2,3,5- | sed 's/\(,[^,]*\)\{10\}$//'; }

for v in Base EP Allo Disp; do
    for c in request_hops data_hops data_byte_hops_GBxhop hbm_remote_read_GB tasks tile_busy_mean_us dispatch_GB \
             combine_GB; do
        expect_eq "$v: $c the same with prefetch" "$(col $c $v)" "$(col $c $v-pf)"
    done
    expect_eq "$v: the off twin is the off variant" "$(col decode_time_us $v)" "$(col decode_time_no_prefetch_us $v-pf)"
    expect_true "$v: time saved = off - on" awk -v s="$(col prefetch_time_saved_us $v-pf)" \
        -v off="$(col decode_time_us $v)" -v on="$(col decode_time_us $v-pf)" \
        'BEGIN { d = off - on - s; exit !(d < 1e-6 && d > -1e-6) }'
    expect_true "$v: whole matrices prefetched, held <= prefetched" awk -v p="$(col prefetch_GB $v-pf)" \
        -v e="$(col prefetch_early_GB $v-pf)" \
        'BEGIN { m = p * 1e9 / 1048576; exit !(p > 0 && m == int(m) && e <= p) }'
    expect_eq "$v: prefetch plan" oracle "$(col prefetch_plan $v-pf)"
    expect_eq "$v: off, prefetch columns empty" ",,,," \
        "$(col prefetch_GB $v),$(col prefetch_early_GB $v),$(col decode_time_no_prefetch_us $v),$(col prefetch_time_saved_us $v),$(col prefetch_plan $v)"
done
# tasks x 3 MiB = every weight byte (no prefill); the first layer's tasks (>= 1) are among Base-first's (the
# first decode step alone), so t - f <= prefetched matrices / 3 < t
expect_true "Base: a buffer that holds all: prefetched = all weight bytes - the first layer's" \
    awk -v p="$(col prefetch_GB Base-pf)" -v t="$(col tasks Base)" -v f="$(col tasks Base-first)" \
        'BEGIN { n = p * 1e9 / 3145728; exit !(n == int(n) && n < t && n >= t - f) }'
# off, the figures main gave before prefetch existed (commit cb37512's build, this experiment)
expect_eq "off: decode times as before prefetch existed" "69.976 39.328 59.501000000000005 78.509" \
    "$(col decode_time_us Base) $(col decode_time_us EP) $(col decode_time_us Allo) $(col decode_time_us Disp)"
expect_true "Base gains from prefetch" awk -v on="$(col decode_time_us Base-pf)" -v off="$(col decode_time_us Base)" \
    'BEGIN { exit !(on < off) }'
expect_eq "a buffer smaller than a matrix changes nothing" "$(row Base)" "$(row Base-small)"
expect_eq "a buffer smaller than a matrix prefetches nothing" "0 0 0" \
    "$(col prefetch_GB Base-small) $(col prefetch_early_GB Base-small) $(col prefetch_time_saved_us Base-small)"

# activity skipping off gives the same results (the config hash aside)
run "$WAFERSIM" run -q --format csv --no-skip --out noskip.csv exp.yaml
expect_status 0
expect_eq "same results with activity skipping off" "$(grep -v '^#' res.csv | cut -d, -f1-3,5-)" \
    "$(grep -v '^#' noskip.csv | cut -d, -f1-3,5-)"

# bad input: no buffer; the migration unit
tiny_experiment 8 2 2 8 1
cat >> exp.yaml <<'EOF2'
strategy:
  prefetch_next_layer: true
EOF2
run "$WAFERSIM" run -q --format csv exp.yaml
expect_status 2
expect_stderr_contains "exp.yaml:"
expect_stderr_contains "strategy.prefetch_buffer"
expect_stderr_contains "needs prefetch_buffer"
run "$WAFERSIM" run -q --format csv --set strategy.prefetch_buffer=64MiB --set options.migration.enabled=true exp.yaml
expect_status 2
expect_stderr_contains "not modelled together with options.migration"
finish
