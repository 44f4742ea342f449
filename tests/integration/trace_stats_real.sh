#!/bin/sh
# tests/integration/trace_stats_real.sh — `trace stats` on the seven real
# Llama-4-Maverick traces in $TOP_SRCDIR/../shared/data/traces (not part of
# the repository; skipped, exit 77, when absent). Checked against the
# traces themselves: MoE layer index 22 (model layer 45) sends every one of
# the 896 decode tokens to one expert (share 1, repeat probability 1), the
# other layers do not; top-1 has no co-activation (empty cells); the batch
# of 4 touches at most 4 experts per layer.
set -u
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
T=$TEST_TMPDIR
real_traces
run "$WAFERSIM" trace import -q "$REAL_TRACES" --model llama4-maverick --on-error fatal -o "$T/l4.wst"
expect_status 0
run "$WAFERSIM" trace stats --format csv "$T/l4.wst"
expect_status 0
cp "$RUN_OUT_FILE" "$T/s.csv"
expect_true "layer 45 is degenerate, the others are not; top-1 has no co-activation" python3 -c "
import csv
rows = list(csv.DictReader(l for l in open('$T/s.csv') if not l.startswith('#')))
assert len(rows) == 25, len(rows)
l45 = rows[22]
assert l45['model_layer'] == '45', l45['model_layer']
assert float(l45['hottest_expert_share']) == 1.0, l45['hottest_expert_share']
assert float(l45['repeat_probability']) == 1.0
assert float(l45['next_token_coverage_at_20pct']) == 1.0
others = [float(r['hottest_expert_share']) for i, r in enumerate(rows[:24]) if i != 22]
assert max(others) < 0.3, max(others)
assert all(r['coact_top_pair_over_uniform'] == '' for r in rows)
assert all(1 <= float(r['distinct_experts_batch4']) <= 4 for r in rows[:24])
assert rows[0]['distinct_experts_batch16'] == ''
g = float(rows[24]['load_gini'])
assert 0.6 < g < 0.9, g
"
finish
