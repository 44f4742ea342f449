#!/bin/sh
# End-to-end checks of `wafersim run` on a tiny model (tests/fixtures/run/
# tiny.yaml: 4 MoE layers, 16 experts, top-2, 1 MiB matrices) on a 2 x 2
# dojo-like wafer, with a generated trace:
#   - every variant computes batch x decode_steps tokens, and the
#     throughput is tokens / decode time;
#   - EP (home) moves no weight byte over a link and reads no HBM remotely;
#   - affine never moves more weight byte-hops than even (same trace and
#     placement); the baseline's speedup is exactly 1;
#   - results are byte-identical run to run, and with activity skipping off;
#   - a policy whose hardware option is off, a missing model, an unknown
#     trace and a baseline that names no variant are bad input (exit 2).
set -u
. "$(dirname "$0")/lib.sh"
cd "$TEST_TMPDIR" || exit 99

tiny_experiment 32 2 2 32 3
tiny_variants affine
run "$WAFERSIM" run -q --format csv --out res.csv exp.yaml
expect_status 0
grep -v '^#' res.csv > rows.csv
col() { csv_col rows.csv "$@"; }
for v in Base EP Allo; do
    expect_eq "$v: decode tokens" 96 "$(col decode_tokens $v)"
    expect_eq "$v: throughput = tokens / time" ok \
        "$(awk -v t="$(col decode_tokens $v)" -v us="$(col decode_time_us $v)" -v th="$(col throughput_tokens_per_s $v)" \
           'BEGIN { d = th - t / (us * 1e-6); print (d < 1e-6 * th && d > -1e-6 * th) ? "ok" : "off by " d }')"
done
expect_eq "Base speedup" 1 "$(col speedup_vs_baseline Base)"
expect_eq "EP data hops" 0 "$(col data_hops EP)"
expect_eq "EP remote HBM reads" 0 "$(col hbm_remote_read_GB EP)"
expect_eq "affine byte-hops <= even byte-hops" yes \
    "$(awk -v a="$(col data_byte_hops_GBxhop Allo)" -v e="$(col data_byte_hops_GBxhop Base)" 'BEGIN { print (a <= e) ? "yes" : "no" }')"
expect_eq "Base moves weights over links" yes \
    "$(awk -v e="$(col data_byte_hops_GBxhop Base)" 'BEGIN { print (e > 0) ? "yes" : "no" }')"

# determinism, and activity skipping off gives the same results
run "$WAFERSIM" run -q --format csv --out again.csv exp.yaml
expect_status 0
expect_same_file res.csv again.csv
run "$WAFERSIM" run -q --format csv --no-skip --out noskip.csv exp.yaml
expect_status 0
grep -v '^#' noskip.csv | cut -d, -f1-3,5- > noskip.rows
cut -d, -f1-3,5- rows.csv > skip.rows
expect_same_file skip.rows noskip.rows

# a synthetic workload (no trace): generated once, shared by the variants,
# deterministic for the seed, and a different seed gives different numbers
run "$WAFERSIM" run -q --format csv --out syn1.csv --set workload.trace= exp.yaml
expect_status 0
run "$WAFERSIM" run -q --format csv --out syn2.csv --set workload.trace= exp.yaml
expect_status 0
expect_same_file syn1.csv syn2.csv
run "$WAFERSIM" run -q --format csv --out syn3.csv --set workload.trace= --set sim.seed=9 exp.yaml
expect_status 0
expect_eq "another seed changes the decode time" yes \
    "$(grep -v '^#' syn1.csv | cut -d, -f8 > a.txt; grep -v '^#' syn3.csv | cut -d, -f8 > b.txt; cmp -s a.txt b.txt && echo no || echo yes)"

# per-link load: 8 directed links on a 2 x 2 mesh, for each variant; EP
# sends nothing over any link, Base does
run "$WAFERSIM" run -q --format csv --out lr.csv --links links.csv exp.yaml
expect_status 0
expect_eq "link rows (8 links x 3 variants)" 24 "$(grep -v '^#' links.csv | tail -n +2 | wc -l | tr -d ' ')"
link_bytes() {   # sum of bytes_GB of one variant (link names hold commas: parse real CSV)
    python3 -c 'import csv, sys
rows = csv.DictReader(l for l in open(sys.argv[1]) if not l.startswith("#"))
print(sum(float(r["bytes_GB"]) for r in rows if r["variant"] == sys.argv[2]))' links.csv "$1"
}
expect_eq "EP bytes on links" 0.0 "$(link_bytes EP)"
expect_eq "Base uses the links" yes "$(awk -v b="$(link_bytes Base)" 'BEGIN { print (b > 0) ? "yes" : "no" }')"

# bad input
run "$WAFERSIM" run -q --set options.expert_affine.enabled=false --set 'variants=[{name: A, set: ["strategy.allocation=affine"]}]' --set baseline=A exp.yaml
expect_status 2
expect_stderr_contains "affine needs the expert_affine hardware option; set options.expert_affine.enabled: true"
run "$WAFERSIM" run -q --set model=no-such-model exp.yaml
expect_status 2
run "$WAFERSIM" run -q --set workload.trace=missing.wst exp.yaml
expect_status 2
expect_stderr_contains "workload.trace"
run "$WAFERSIM" run -q --set baseline=Nope exp.yaml
expect_status 2
expect_stderr_contains 'baseline: no variant named "Nope"'
# a layer whose dies compute longer than the watchdog window after the last
# weight arrived is not a stall (the barrier is a promised completion:
# ws_engine_progress_due); before, a 2 us window stopped this run at the
# first layer barrier (llama4-maverick at batch 16384 hit it with 1 ms)
tiny_trace big.wst 256 3
run "$WAFERSIM" run -q --format csv --set workload.trace=big.wst --set workload.batch=256 --set workload.decode_steps=2 \
    --set hw.grid.x=3 --set hw.grid.y=3 --set 'sim.watchdog=2 us' --set 'variants=[]' --set baseline= \
    --set strategy.allocation=home exp.yaml
expect_status 0
finish
