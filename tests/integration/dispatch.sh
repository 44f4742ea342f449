#!/bin/sh
# Token dispatch and combine (strategy.dispatch; doc/run.md) end to end on
# the tiny model (tests/fixtures/run/tiny.yaml: 4 MoE layers, 16 experts,
# top-2, hidden 512) on a 3 x 3 dojo-like wafer, 4 requests, 3 decode steps:
#   - every request on tile 8 and the even allocation (the <= 8 experts a
#     layer uses go to tiles 0..7): every (token, expert) is remote, so
#     dispatch bytes = tokens x top_k x hidden x 2 B x MoE layers, and
#     combine bytes equal them;
#   - EP with dispatch moves activations but no weight byte;
#   - dispatch makes a layer slower, never faster (same plan, more work);
#   - results are the same with activity skipping off;
#   - off, its parameters change nothing and its columns are empty, and
#     run.sh's experiment gives the figures it gave before dispatch existed;
#   - shared experts (a copy of tiny with one) add exactly their compute to
#     the tiles' busy time (conservation of work) and their FLOPs to the
#     compute energy;
#   - a request tile outside the grid is bad input (exit 2).
set -u
. "$(dirname "$0")/lib.sh"
cd "$TEST_TMPDIR" || exit 99

TINY="$FIXTURES/run/tiny.yaml"
run "$WAFERSIM" trace gen --model "$TINY" --requests 4 --seed 5 -o tiny.wst -q
expect_status 0
sed 's/^shared_experts: 0/shared_experts: 1/' "$TINY" > shared.yaml
cat > exp.yaml <<EOF2
preset: dojo
model: $TINY
hw:
  grid: {x: 3, y: 3}
workload:
  trace: tiny.wst
  batch: 4
  decode_steps: 3
strategy:
  dispatch: {enabled: true, request_placement: one_tile, request_tile: 8}
variants:
  - {name: Base, set: ["strategy.allocation=even"]}
  - {name: EP, set: ["strategy.allocation=home"]}
  - {name: EP-rr, set: ["strategy.allocation=home", "strategy.dispatch.request_placement=round_robin"]}
  - {name: EP-off, set: ["strategy.allocation=home", "strategy.dispatch.enabled=false"]}
  - {name: EP-off2, set: ["strategy.allocation=home", "strategy.dispatch={enabled: false, activation_bytes: 64 B}"]}
baseline: Base
EOF2
run "$WAFERSIM" run -q --format csv --out res.csv exp.yaml
expect_status 0
grep -v '^#' res.csv > rows.csv
col() { awk -F, -v name="$1" -v row="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == name) c = i } $1 == row { print $c }' rows.csv; }

tokens=$(col decode_tokens Base)
expect_eq "decode tokens" 12 "$tokens"
# 12 tokens x 2 experts x 512 x 2 B x 4 layers
expect_eq "Base: dispatch bytes = tokens x k x hidden x 2 B x layers" 9.8304e-05 "$(col dispatch_GB Base)"
expect_eq "Base: combine bytes = dispatch bytes" "$(col dispatch_GB Base)" "$(col combine_GB Base)"
expect_eq "EP: combine bytes = dispatch bytes" "$(col dispatch_GB EP)" "$(col combine_GB EP)"
expect_eq "EP: no weight byte crosses a link" "0 0 0" "$(col data_hops EP) $(col request_hops EP) $(col hbm_remote_read_GB EP)"
expect_eq "EP: activations do" yes "$(awk -v d="$(col dispatch_GB EP)" 'BEGIN { print (d > 0) ? "yes" : "no" }')"
expect_eq "EP: dispatch and combine take time" yes \
    "$(awk -v d="$(col dispatch_time_us EP)" -v c="$(col combine_time_us EP)" -v t="$(col combine_tail_us EP)" \
       'BEGIN { print (d > 0 && c > 0 && t > 0 && t <= c) ? "yes" : "no" }')"
expect_eq "EP: dispatch makes the decode slower" yes \
    "$(awk -v on="$(col decode_time_us EP)" -v off="$(col decode_time_us EP-off)" 'BEGIN { print (on > off) ? "yes" : "no" }')"
expect_eq "EP round robin: fewer bytes than all-remote" yes \
    "$(awk -v rr="$(col dispatch_GB EP-rr)" -v one="$(col dispatch_GB Base)" 'BEGIN { print (rr < one) ? "yes" : "no" }')"
expect_eq "off: dispatch columns empty" ",,,,,,," "$(awk -F, '$1 == "EP-off"' rows.csv | cut -d, -f69-76)"
expect_eq "off: its parameters change nothing" \
    "$(awk -F, '$1 == "EP-off"' rows.csv | cut -d, -f2,3,5-)" "$(awk -F, '$1 == "EP-off2"' rows.csv | sed 's/^EP-off2/EP-off/' | cut -d, -f2,3,5-)"

# activity skipping off gives the same results (the config hash aside)
run "$WAFERSIM" run -q --format csv --no-skip --out noskip.csv exp.yaml
expect_status 0
expect_eq "same results with activity skipping off" "$(grep -v '^#' res.csv | cut -d, -f1-3,5-)" \
    "$(grep -v '^#' noskip.csv | cut -d, -f1-3,5-)"

# shared experts: their compute is added to the tiles' work, nothing else
cat > shared_exp.yaml <<EOF2
preset: dojo
model: shared.yaml
hw:
  grid: {x: 3, y: 3}
workload:
  trace: tiny.wst
  batch: 4
  decode_steps: 3
strategy:
  allocation: home
  dispatch: {enabled: true}
variants:
  - {name: S, set: []}
  - {name: N, set: ["strategy.dispatch.shared_experts=false"]}
EOF2
run "$WAFERSIM" trace gen --model shared.yaml --requests 4 --seed 5 -o shared.wst -q
expect_status 0
sed -i 's/tiny.wst/shared.wst/' shared_exp.yaml
run "$WAFERSIM" run -q --format csv --out shared.csv shared_exp.yaml
expect_status 0
grep -v '^#' shared.csv > rows.csv
expect_eq "no shared experts computed when off" 0 "$(col shared_expert_busy_us N)"
expect_eq "tiles' busy time grows by exactly the shared experts' compute" ok \
    "$(awk -v s="$(col tile_busy_mean_us S)" -v n="$(col tile_busy_mean_us N)" -v sh="$(col shared_expert_busy_us S)" \
       'BEGIN { d = (s - n) * 9 - sh; print (sh > 0 && d < 1e-6 * sh && d > -1e-6 * sh) ? "ok" : "off by " d }')"

# compute energy counts the shared expert's FLOPs: 12 tokens x 4 layers
# (x 1 shared) on top of 12 x 2 x 4 routed = 1.5 x
expect_eq "compute energy with the shared expert = 1.5 x without" ok \
    "$(awk -v s="$(col energy_compute_J S)" -v n="$(col energy_compute_J N)" \
       'BEGIN { d = s / n - 1.5; print (d < 1e-9 && d > -1e-9) ? "ok" : "ratio " s / n }')"

# off = the study's model, unchanged: tests/integration/run.sh's experiment
# gives the decode times and hops of the branch point before dispatch
# existed (commit beb11a0: 89.554, 61.549, 84.879 us; 522, 0, 294 hops),
# with that commit's preset granularity (64 KiB flits x 16 per VC)
run "$WAFERSIM" trace gen --model "$TINY" --requests 32 --seed 3 -o run.wst -q
expect_status 0
cat > run_exp.yaml <<EOF2
preset: dojo
model: $TINY
hw:
  grid: {x: 2, y: 2}
noc: {flit_size: 64 KiB, packet_flits: 16, vc_buffer_flits: 16}
workload:
  trace: run.wst
  batch: 32
  decode_steps: 3
options:
  expert_affine: {enabled: true}
variants:
  - {name: Base, set: ["strategy.allocation=even"]}
  - {name: EP, set: ["strategy.allocation=home"]}
  - {name: Allo, set: ["strategy.allocation=affine"]}
baseline: Base
EOF2
run "$WAFERSIM" run -q --format csv --out off.csv run_exp.yaml
expect_status 0
grep -v '^#' off.csv > rows.csv
expect_eq "off: decode times of the branch point" "89.554 61.549 84.879" \
    "$(col decode_time_us Base) $(col decode_time_us EP) $(col decode_time_us Allo)"
expect_eq "off: data hops of the branch point" "522 0 294" "$(col data_hops Base) $(col data_hops EP) $(col data_hops Allo)"

run "$WAFERSIM" run -q --set strategy.dispatch.request_tile=9 exp.yaml
expect_status 2
expect_stderr_contains "strategy.dispatch.request_tile: 9 is not a tile of the 3 x 3 grid"
finish
