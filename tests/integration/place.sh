#!/bin/sh
# End-to-end checks of the profile-driven placements (doc/run.md) on the
# tiny model (tests/fixtures/run/tiny.yaml: 4 MoE layers, 16 experts, top-2,
# 3 MiB experts) on a 2 x 2 wafer, EP (home) allocation, a generated trace
# of 2048 requests (load Gini about 0.26, hottest expert about 1.8x the
# mean) and a profile trace generated with another seed:
#   - hot_replication with 48 MiB per tile (16 copy slots, 4 per layer)
#     places 64 copies, 48 MiB on each tile, and lowers EP's compute
#     imbalance layer_busy_max_over_mean against contiguous; every token is
#     still computed once, no weight crosses a link, and every chunk read
#     is an LLC hit or an HBM read (hits + misses = 3 matrices x tasks);
#   - with budget 0 it is exactly contiguous (same numbers), and EP on
#     contiguous gives the numbers main printed before copies existed;
#   - affine allocation uses the copies: fewer weight hops than without;
#   - profile_balance with the oracle profile beats contiguous on balance,
#     and says ORACLE in its placement_profile column; coact_separation
#     runs and conserves tokens;
#   - no profile, a profile that is the evaluated trace or a superset of
#     it (request names), a synthetic
#     profile with the workload's own seed and a held_out profile with no
#     request left are bad input (exit 2) with messages naming the key.
set -u
. "$(dirname "$0")/lib.sh"
cd "$TEST_TMPDIR" || exit 99

tiny_trace eval.wst 2048 3 --decode-tokens 4
tiny_trace prof.wst 512 4 --decode-tokens 4
tiny_config eval.wst 2 2 2048 3 > exp.yaml
cat >> exp.yaml <<EOF2
strategy:
  allocation: home
  profile: {source: trace, trace: prof.wst}
  replication: {budget: 48 MiB}
variants:
  - {name: EP, set: ["strategy.placement=contiguous"]}
  - {name: Hot, set: ["strategy.placement=hot_replication"]}
  - {name: Hot0, set: ["strategy.placement=hot_replication", "strategy.replication.budget=0 B"]}
  - {name: Coact, set: ["strategy.placement=coact_separation"]}
  - {name: Oracle, set: ["strategy.placement=profile_balance", "strategy.profile.source=oracle"]}
EOF2
run "$WAFERSIM" run -q --format csv --out res.csv exp.yaml
expect_status 0
# one "variant<TAB>column<TAB>value" line per cell (real CSV parsing: the
# profile column holds commas)
python3 -c 'import csv
for r in csv.DictReader(l for l in open("res.csv") if not l.startswith("#")):
    for k, v in r.items():
        print(r["variant"] + "\t" + k + "\t" + v)' > cells.tsv
col() { awk -F'\t' -v c="$1" -v v="$2" '$1 == v && $2 == c { print $3 }' cells.tsv; }
lt() { awk -v a="$1" -v b="$2" 'BEGIN { print (a < b) ? "yes" : "no" }'; }
for v in EP Hot Hot0 Coact Oracle; do
    expect_eq "$v: decode tokens" 6144 "$(col decode_tokens $v)"
    expect_eq "$v: no weight crosses a link" 0 "$(col data_hops $v)"
    expect_eq "$v: every chunk read is an LLC hit or an HBM read" "$((3 * $(col tasks $v)))" \
        "$(($(col llc_hit_chunks $v) + $(col llc_miss_chunks $v)))"
done
expect_eq "Hot: copies placed (4 tiles x 16 slots)" 64 "$(col placement_copies Hot)"
expect_eq "Hot: copy bytes per tile (16 x 3 MiB)" 0.050331648 "$(col placement_copy_GB_max_per_tile Hot)"
expect_eq "Hot: more tasks than EP (tokens split over holders)" yes "$(lt "$(col tasks EP)" "$(col tasks Hot)")"
EP_IMB=$(col layer_busy_max_over_mean EP)
HOT_IMB=$(col layer_busy_max_over_mean Hot)
ORA_IMB=$(col layer_busy_max_over_mean Oracle)
note "layer_busy_max_over_mean: contiguous $EP_IMB, hot_replication $HOT_IMB, profile_balance (oracle) $ORA_IMB"
note "decode_time_us: contiguous $(col decode_time_us EP), hot_replication $(col decode_time_us Hot)"
expect_eq "hot replication lowers EP's imbalance" yes "$(lt "$HOT_IMB" "$EP_IMB")"
expect_eq "oracle profile balance lowers EP's imbalance" yes "$(lt "$ORA_IMB" "$EP_IMB")"
# EP without copies is unchanged by the copy-aware home allocation: the
# numbers main f220e75 (before this feature) printed for this run
expect_eq "EP decode time as before copies existed" 105.72500000000001 "$(col decode_time_us EP)"
expect_eq "EP imbalance as before copies existed" 1.1409388950892858 "$EP_IMB"
expect_eq "Hot0 copies" 0 "$(col placement_copies Hot0)"
for c in decode_time_us tasks layer_busy_max_over_mean hbm_local_read_GB llc_hit_chunks; do
    expect_eq "budget 0 = contiguous: $c" "$(col $c EP)" "$(col $c Hot0)"
done
expect_eq "EP profile provenance" none "$(col placement_profile EP)"
expect_true "Hot profile provenance names the trace" grep -q "trace prof.wst: payload checksum" res.csv
expect_true "the oracle is flagged" grep -q "ORACLE: the evaluated decode tokens" res.csv

# affine allocation takes copies as candidates: fewer weight hops with them
run "$WAFERSIM" run -q --format csv --out aff.csv --set options.expert_affine.enabled=true \
    --set strategy.allocation=affine --set 'variants=[{name: A, set: []}, {name: AH, set: ["strategy.placement=hot_replication"]}]' exp.yaml
expect_status 0
hops() { grep -v '^#' aff.csv | awk -F, -v v="$1" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "data_hops") c = i } $1 == v { print $c }'; }
note "affine data_hops: contiguous $(hops A), hot_replication $(hops AH)"
expect_eq "affine moves fewer weights with copies" yes "$(lt "$(hops AH)" "$(hops A)")"

# bad input: no profile, the evaluated trace as profile, the workload's own
# seed for a synthetic profile of a synthetic workload, nothing held out
run "$WAFERSIM" run -q --set strategy.placement=hot_replication --set strategy.profile.source=none exp.yaml
expect_status 2
expect_stderr_contains "strategy.profile.source: none, and this placement needs a profile"
run "$WAFERSIM" run -q --set strategy.placement=coact_separation --set strategy.profile.trace=eval.wst exp.yaml
expect_status 2
expect_stderr_contains "the profile is the evaluated trace itself"
tiny_trace super.wst 2100 3 --decode-tokens 4
run "$WAFERSIM" run -q --set strategy.placement=hot_replication --set strategy.profile.trace=super.wst exp.yaml
expect_status 2
expect_stderr_contains 'request 0 of the profile, "gen/default/seed3/0/topic'
run "$WAFERSIM" run -q --set strategy.placement=profile_balance --set strategy.profile.source=synthetic \
    --set strategy.profile.seed=1 --set workload.trace= --set workload.batch=64 --set 'variants=[]' exp.yaml
expect_status 2
expect_stderr_contains "strategy.profile.seed: 1 is sim.seed, the seed of the synthetic workload"
run "$WAFERSIM" run -q --set strategy.placement=profile_balance --set strategy.profile.source=held_out exp.yaml
expect_status 2
expect_stderr_contains "held_out: the batch uses all 2048 requests"
# ... and with requests left over, held_out works
run "$WAFERSIM" run -q --format csv --set strategy.placement=profile_balance --set strategy.profile.source=held_out \
    --set workload.batch=1024 --set 'variants=[]' exp.yaml
expect_status 0
expect_stdout_contains "held_out: decode tokens of the 1024 requests of eval.wst"
finish
