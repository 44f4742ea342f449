#!/bin/sh
# tests/integration/migration.sh — the migration units (options.migration,
# doc/migration.md) on the tiny model (tests/fixtures/run/tiny.yaml: 4 MoE
# layers, 16 experts of 3 x 1 MiB, top-2) on a 2 x 2 wafer, with traces of
# perfectly repeated routing: request r picks experts {p, p+4} at every token
# of every layer, p = (0 1 2 3 8 9 10 11)[r mod 8]. All 16 experts are busy,
# so the even (Base) allocation puts expert e on tile e mod 4 every step, and
# the contiguous placement homes it on tile e div 4: 12 of 16 reads per layer
# are remote (all but experts 0, 5, 10, 15). Hand calculation, 4 decode steps:
#   Base       192 remote expert reads = 192 x 3 MiB = 0.603979776 GB
#   Pred Only  (profile from other requests of the same routing, top_n 20%)
#              the heatmap row of p is {p, p+4}: the predicted set of a tile is
#              exactly what it computes, every remote read is copied at step 1
#              (48 copies, 0.150994944 GB written), read locally at steps 2-4
#              (144 hits), remote reads drop to 48 x 3 MiB = 0.150994944 GB;
#              precision 1 and recall 1 on every layer;
#   top_n 1    row p and row p+4 both keep only p (equal counts, lower id):
#              a tile predicts 2 of its 4 experts; copies only of predicted
#              remote ones: 6 per layer, 24 in all, 72 hits; precision 1,
#              recall 0.5;
#   capacity   a 100 MiB HBM with 10% reserved holds 3 copies per tile; each
#              tile copies 3 experts per layer, 12 per step, in a cycle: lru
#              (and lfu, every copy having one use) evicts every copy before
#              its reuse: 192 copies, 192 - 4 x 3 = 180 evictions, 0 hits;
#   keep       the same 3 slots without replacement: each tile keeps its 3
#              layer-0 copies of step 1 and predicts no copy it could not
#              keep: 12 copies, 0 evictions, 3 x 12 = 36 hits;
#   no room    with no reserved region no copy is made and every figure of
#              the run equals Base's.
#   prefetch   see the alternating trace at the end.
# Also: the option off changes nothing; the profile must not be the
# evaluated trace unless oracle is on; written bytes = HBM local writes.
# Skipped (exit 77) in a build without the option.
set -u
. "$(dirname "$0")/lib.sh"
cd "$TEST_TMPDIR" || exit 99

if ! "$WAFERSIM" options --format csv | grep -q '^migration,yes,'; then
    echo "SKIP: the migration option is compiled out (--disable-migration)"
    exit 77
fi

# repeated routing: 1 prompt token and 5 decode steps, all {p, p+4}
repeated() {
    p=$(echo "0 1 2 3 8 9 10 11" | awk -v i=$(( $1 % 8 + 1 )) '{ print $i }')
    tok="{\"0\": [[$p,$((p + 4))]], \"1\": [[$p,$((p + 4))]], \"2\": [[$p,$((p + 4))]], \"3\": [[$p,$((p + 4))]]}"
    printf '[%s, %s, %s, %s, %s, %s]\n' "$tok" "$tok" "$tok" "$tok" "$tok" "$tok"
}
json_trace eval 32 repeated
json_trace prof 16 repeated

tiny_config eval.wst 2 2 32 4 > exp.yaml
cat >> exp.yaml <<EOF2
options:
  migration: {enabled: true, profile_trace: prof.wst}
variants:
  - {name: Base, set: ["strategy.allocation=even", "options.migration.enabled=false"]}
  - {name: Pred, set: ["strategy.allocation=even"]}
  - {name: Top1, set: ["strategy.allocation=even", "options.migration.top_n=1"]}
  - {name: LRU, set: ["strategy.allocation=even", "hw.tile.hbm.capacity=100 MiB"]}
  - {name: LFU, set: ["strategy.allocation=even", "hw.tile.hbm.capacity=100 MiB", "options.migration.replacement=lfu"]}
  - {name: KEEP, set: ["strategy.allocation=even", "hw.tile.hbm.capacity=100 MiB", "options.migration.replacement=keep"]}
  - {name: NoRoom, set: ["strategy.allocation=even", "hw.tile.hbm.reserved=0%"]}
  - {name: PredL2, set: ["strategy.allocation=even", "sim.sample_layers=2"]}
  - {name: LRUL2, set: ["strategy.allocation=even", "hw.tile.hbm.capacity=100 MiB", "sim.sample_layers=2"]}
  - {name: Pref, set: ["strategy.allocation=even", "workload.prefill=true", "hw.tile.hbm.capacity=400 MiB"]}
  - {name: PrefL2, set: ["strategy.allocation=even", "workload.prefill=true", "hw.tile.hbm.capacity=400 MiB",
                         "sim.sample_layers=2"]}
baseline: Base
EOF2
run "$WAFERSIM" run -q --format csv --out res.csv --migration layers.csv exp.yaml
expect_status 0
grep -v '^#' res.csv > rows.csv
col() { csv_col rows.csv "$@"; }

expect_eq "Base remote HBM reads (GB)" 0.603979776 "$(col hbm_remote_read_GB Base)"
expect_eq "Base makes no copies (column empty)" "" "$(col migration_copies Base)"
expect_eq "Pred copies" 48 "$(col migration_copies Pred)"
expect_eq "Pred bytes written (GB)" 0.150994944 "$(col migration_write_GB Pred)"
expect_eq "Pred written = HBM local writes" "$(col migration_write_GB Pred)" "$(col hbm_local_write_GB Pred)"
expect_eq "Pred hits" 144 "$(col migration_copy_hits Pred)"
expect_eq "Pred remote HBM reads (GB)" 0.150994944 "$(col hbm_remote_read_GB Pred)"
expect_eq "Pred evictions" 0 "$(col migration_evictions Pred)"
expect_eq "Pred precision" 1 "$(col predictor_precision Pred)"
expect_eq "Pred recall" 1 "$(col predictor_recall Pred)"
expect_eq "Pred top_n = 20% of 16" 4 "$(col predictor_top_n Pred)"
expect_eq "Pred is faster than Base" yes \
    "$(awk -v p="$(col decode_time_us Pred)" -v b="$(col decode_time_us Base)" 'BEGIN { print (p < b) ? "yes" : "no" }')"
expect_eq "heatmap provenance printed" yes \
    "$(col migration_heatmap Pred | grep -q 'profile from 16 requests' && echo yes || echo no)"
expect_eq "top_n 1: copies of predicted experts only" 24 "$(col migration_copies Top1)"
expect_eq "top_n 1: hits" 72 "$(col migration_copy_hits Top1)"
expect_eq "top_n 1: precision" 1 "$(col predictor_precision Top1)"
expect_eq "top_n 1: recall" 0.5 "$(col predictor_recall Top1)"
for v in LRU LFU; do
    expect_eq "$v: 3 slots per tile" 3 "$(col migration_slots_per_tile $v)"
    expect_eq "$v: copies" 192 "$(col migration_copies $v)"
    expect_eq "$v: evictions" 180 "$(col migration_evictions $v)"
    expect_eq "$v: hits" 0 "$(col migration_copy_hits $v)"
    expect_eq "$v: nothing refused" 0 "$(col migration_refused $v)"
done
expect_eq "keep: copies" 12 "$(col migration_copies KEEP)"
expect_eq "keep: evictions" 0 "$(col migration_evictions KEEP)"
expect_eq "keep: hits" 36 "$(col migration_copy_hits KEEP)"
expect_eq "keep: nothing refused" 0 "$(col migration_refused KEEP)"
expect_eq "no room: no copy" 0 "$(col migration_copies NoRoom)"
# layer sampling, 2 of the 4 layers (arch/sample.h), every step measured:
# steps 1-2 measure layers 0 and 2, steps 3-4 layers 1 and 3, and step 2
# also runs 1 and 3 unmeasured (the warm-up of step 3's units): 10 units.
# Copies at the first run of each layer (steps 1 and 2), hits after
expect_eq "2 layers: units simulated" 10 "$(col simulated_decode_layers PredL2)"
expect_eq "2 layers: Pred copies" 48 "$(col migration_copies PredL2)"
expect_eq "2 layers: Pred hits" 72 "$(col migration_copy_hits PredL2)"
expect_eq "2 layers: Pred remote reads (GB)" 0.150994944 "$(col hbm_remote_read_GB PredL2)"
expect_eq "2 layers: Pred evictions (ghosts take free slots)" 0 "$(col migration_evictions PredL2)"
# 3 slots, 3 copies per tile and layer. A step that runs 2 of the 4 layers
# has each followed by one ghost per copy (the skipped layer's), which
# evict its 3 copies (as that layer's copies do in a full run); step 2 runs
# all 4, no ghost, each layer's copies evicting the previous layer's.
# Evictions per tile: step 1: 3 + 3, step 2: 0 + 3 + 3 + 3 (its first
# copies take the ghosts' slots), step 3: 3 + 3 (layer 1 evicts step 2's
# layer-3 copies, then its ghosts) + 3, step 4: 3 + 3: 30, x 4 tiles; every
# copy evicted before its reuse, no hit, as in the full run (LRU above)
expect_eq "2 layers, 3 slots: copies" 120 "$(col migration_copies LRUL2)"
expect_eq "2 layers, 3 slots: evictions" 120 "$(col migration_evictions LRUL2)"
expect_eq "2 layers, 3 slots: hits" 0 "$(col migration_copy_hits LRUL2)"
expect_eq "2 layers, 3 slots: the hardware's slots" 3 "$(col migration_slots_per_tile LRUL2)"
# with the prefill (1 token per request) and 13 slots (400 MiB x 10% / 3
# MiB): the prefill runs every layer and copies every remote read, 3 per
# tile and layer, 12 per tile: they all fit, and every decode read is a
# hit: 16 layers x 12 in the full run. Sampled (every step measured, 2
# layers each: steps 1-2 measure layers 0 and 2, steps 3-4 layers 1 and
# 3, and step 2 also runs 1 and 3 unmeasured, the warm-up of step 3's
# units): 10 layers x 12 hits; no ghost follows the prefill's layers
# (all of them run), so no copy is evicted
expect_eq "prefill: copies" 48 "$(col migration_copies Pref)"
expect_eq "prefill: hits" 192 "$(col migration_copy_hits Pref)"
expect_eq "prefill, 2 layers: copies" 48 "$(col migration_copies PrefL2)"
expect_eq "prefill, 2 layers: units" 10 "$(col simulated_decode_layers PrefL2)"
expect_eq "prefill, 2 layers: hits" 120 "$(col migration_copy_hits PrefL2)"
expect_eq "prefill, 2 layers: evictions" 0 "$(col migration_evictions PrefL2)"
grep '^Base,' rows.csv | cut -d, -f5-34 > base.cells
grep '^NoRoom,' rows.csv | cut -d, -f5-34 > noroom.cells
expect_same_file base.cells noroom.cells
# per-layer file: Pred's 4 layers each 12 copies, precision 1
expect_eq "per-layer: Pred layer copies" "12 12 12 12" \
    "$(grep '^Pred,' layers.csv | cut -d, -f3 | tr '\n' ' ' | sed 's/ $//')"
expect_eq "per-layer: Pred layer precision" "1 1 1 1" \
    "$(grep '^Pred,' layers.csv | cut -d, -f10 | tr '\n' ' ' | sed 's/ $//')"

# the option off: same figures as a config that never mentions it
sed '/^options:/,/^variants:/{/^options:/d;/^  migration/d}' exp.yaml | sed '/^variants:/,$d' > plain.yaml
run "$WAFERSIM" run -q --format csv --out plain.csv --set strategy.allocation=even plain.yaml
expect_status 0
grep -v '^#' plain.csv | sed -n 2p | cut -d, -f5- > plain.cells
grep '^Base,' rows.csv | cut -d, -f5- > base.all
expect_same_file base.all plain.cells

# leakage: the evaluated trace as profile is refused unless oracle is on
run "$WAFERSIM" run -q --format csv --set options.migration.profile_trace=eval.wst --set strategy.allocation=even \
    --set 'variants=[]' --set baseline= exp.yaml
expect_status 2
expect_stderr_contains "options.migration.profile_trace"
run "$WAFERSIM" run -q --format csv --out oracle.csv --set options.migration.oracle=true \
    --set strategy.allocation=even --set 'variants=[]' --set baseline= exp.yaml
expect_status 0
expect_true "oracle run says ORACLE" grep -q ORACLE oracle.csv
# a trace workload with no profile at all is bad input
run "$WAFERSIM" run -q --format csv --set options.migration.profile_trace= --set 'variants=[]' --set baseline= exp.yaml
expect_status 2
expect_stderr_contains "needs a profile"

# a heatmap file from `wafersim trace heatmap` gives the same run as profile_trace
run "$WAFERSIM" trace heatmap -q prof.wst -o prof.whm
expect_status 0
run "$WAFERSIM" run -q --format csv --out hm.csv --set options.migration.heatmap=prof.whm \
    --set options.migration.profile_trace= exp.yaml
expect_status 0
grep -v '^#' hm.csv | cut -d, -f1-3,5-53 > hm.rows
cut -d, -f1-3,5-53 rows.csv > pt.rows
expect_same_file pt.rows hm.rows

# prefetch (beyond the study): every request picks {0, 1} at odd decode
# steps and {2, 3} at even ones (all homed on tile 0). Even allocation puts
# 0 and 2 on tile 0, 1 and 3 on tile 1. The heatmap rows of 0 and 1 are
# {2, 3} and of 2 and 3 are {0, 1}: a tile's prediction is never what it
# reads now, so cp_en copies nothing (precision 1/2: tile 1 predicts {2, 3}
# and computes 3; recall 1). With prefetch, tile 1 fetches {2, 3} after each
# layer of step 1 and {0, 1} after step 2 (tile 0 holds them all): 4
# prefetches per layer, 16 copies (0.050331648 GB written), hits at steps
# 2, 3, 4: 12. Remote reads (1 hop, 3 chunks of 1 MiB per expert): Base 16
# experts = 48 data hops; with prefetch 4 demand (step 1) + 16 prefetched =
# 60 data hops, and HBM remote reads 4 + 12 = 16 experts (0.050331648 GB):
# expert 0's prefetch after step 2 is served by tile 0's LLC, which its own
# read of expert 0 at step 1 filled. Faster than Base. A cap too small for
# one expert per layer prefetches nothing.
alternating() {
    odd='{"0": [[0,1]], "1": [[0,1]], "2": [[0,1]], "3": [[0,1]]}'
    even='{"0": [[2,3]], "1": [[2,3]], "2": [[2,3]], "3": [[2,3]]}'
    printf '[%s, %s, %s, %s, %s, %s]\n' "$even" "$odd" "$even" "$odd" "$even" "$odd"
}
json_trace alt 32 alternating
json_trace altp 16 alternating
tiny_config alt.wst 2 2 32 4 > alt.yaml
cat >> alt.yaml <<EOF2
strategy:
  allocation: even
options:
  migration: {enabled: true, profile_trace: altp.wst}
variants:
  - {name: Base, set: ["options.migration.enabled=false"]}
  - {name: Pred}
  - {name: Prefetch, set: ["options.migration.prefetch=true", "options.migration.prefetch_bandwidth=10 TB/s"]}
  - {name: Capped, set: ["options.migration.prefetch=true", "options.migration.prefetch_bandwidth=1 GB/s"]}
baseline: Base
EOF2
run "$WAFERSIM" run -q --format csv --out alt.csv alt.yaml
expect_status 0
grep -v '^#' alt.csv > rows.csv
expect_eq "alternating: Pred copies" 0 "$(col migration_copies Pred)"
expect_eq "alternating: Pred precision" 0.5 "$(col predictor_precision Pred)"
expect_eq "alternating: Pred recall" 1 "$(col predictor_recall Pred)"
expect_eq "alternating: Base remote reads (GB)" 0.050331648 "$(col hbm_remote_read_GB Base)"
expect_eq "prefetch: prefetches" 16 "$(col migration_prefetches Prefetch)"
expect_eq "prefetch: copies" 16 "$(col migration_copies Prefetch)"
expect_eq "prefetch: written (GB)" 0.050331648 "$(col migration_write_GB Prefetch)"
expect_eq "prefetch: written = HBM local writes" 0.050331648 "$(col hbm_local_write_GB Prefetch)"
expect_eq "prefetch: hits" 12 "$(col migration_copy_hits Prefetch)"
expect_eq "alternating: Base data hops" 48 "$(col data_hops Base)"
expect_eq "prefetch: data hops" 60 "$(col data_hops Prefetch)"
expect_eq "prefetch: HBM remote reads (GB)" 0.050331648 "$(col hbm_remote_read_GB Prefetch)"
expect_eq "prefetch is faster than Base" yes \
    "$(awk -v p="$(col decode_time_us Prefetch)" -v b="$(col decode_time_us Base)" 'BEGIN { print (p < b) ? "yes" : "no" }')"
expect_eq "capped: no prefetch" 0 "$(col migration_prefetches Capped)"
grep '^Pred,' rows.csv | cut -d, -f5-34 > pred.cells
grep '^Capped,' rows.csv | cut -d, -f5-34 > capped.cells
expect_same_file pred.cells capped.cells

finish
