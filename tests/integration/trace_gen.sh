#!/bin/sh
# tests/integration/trace_gen.sh — `wafersim trace gen`, `trace stats` and
# `trace heatmap` from the command line: byte-identical traces for one seed,
# request i independent of --requests (compared through trace_decode.py's
# reader), bad options, the stats table in CSV/JSON with the --cdf file,
# and the heatmap's leakage refusal and oracle switch.
set -u
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
T=$TEST_TMPDIR
GEN="$WAFERSIM trace gen -q --model llama4-maverick --seed 5 --prompt-tokens 4:12 --decode-tokens 16"

run $GEN --requests 6 -o "$T/a.wst"
expect_status 0
expect_stdout_empty
run $GEN --requests 6 -o "$T/b.wst"
expect_status 0
expect_same_file "$T/a.wst" "$T/b.wst"
run $GEN --requests 3 -o "$T/c.wst"
expect_status 0
expect_true "requests 0..2 do not depend on --requests" python3 -c "
import struct
def records(path):
    d = open(path, 'rb').read()
    n, idx = struct.unpack_from('<Q', d, 64)[0], struct.unpack_from('<Q', d, 88)[0]
    offs = list(struct.unpack_from('<%dQ' % n, d, idx)) + [idx]
    return [d[offs[i]:offs[i + 1]] for i in range(n)]
a, c = records('$T/a.wst'), records('$T/c.wst')
assert len(a) == 6 and len(c) == 3 and a[:3] == c, 'records differ'
"

run "$WAFERSIM" trace gen --model llama4-maverick --requests 2 --seed 1 -o "$T/d.wst"
expect_status 0
expect_stdout_contains "generated 2 requests ("
expect_stdout_contains "model llama4-maverick, profile llama4-maverick, seed 1) into $T/d.wst"

run "$WAFERSIM" trace gen --model llama4-maverick --requests 0 --seed 1 -o "$T/e.wst"
expect_status 2
expect_stderr_contains "--requests: expected an integer from 1 to"
run "$WAFERSIM" trace gen --model llama4-maverick --requests 2 --seed 1 --decode-tokens 129 -o "$T/e.wst"
expect_status 2
expect_stderr_contains "--decode-tokens: expected an integer from 0 to 128"
run "$WAFERSIM" trace gen --model llama4-maverick --requests 2 -o "$T/e.wst"
expect_status 2
expect_stderr_contains "expected --model NAME --requests N --seed S -o FILE"
run "$WAFERSIM" trace gen --model llama4-maverick --requests 2 --seed 1 --profile nope -o "$T/e.wst"
expect_status 2
expect_stderr_contains "no profile \"nope\""
expect_file_absent "$T/e.wst"

run "$WAFERSIM" trace stats --format csv --cdf "$T/cdf.csv" "$T/a.wst"
expect_status 0
expect_stdout_contains "moe_layer_index,model_layer,hottest_expert,hottest_expert_share,load_gini,"
expect_stdout_contains "distinct_experts_batch4,distinct_experts_batch16"
expect_true "24 layer rows and a mean row" sh -c "[ \$(grep -v '^#' '$RUN_OUT_FILE' | grep -c '^[0-9]') -eq 24 ] && grep -q '^mean,' '$RUN_OUT_FILE'"
expect_true "the CDF has 24 x 128 rows ending at 1" sh -c "[ \$(grep -v '^#' '$T/cdf.csv' | tail -n +2 | wc -l) -eq 3072 ] && grep -q '^0,1,128,1,' '$T/cdf.csv'"
run "$WAFERSIM" trace stats --format json "$T/a.wst"
expect_status 0
expect_true "JSON parses" python3 -c "import json,sys; d=json.load(open('$RUN_OUT_FILE')); assert d['rows'][-1]['moe_layer_index']=='mean'"
run "$WAFERSIM" trace stats "$T/missing.wst"
expect_status 2

run "$WAFERSIM" trace heatmap -o "$T/h.wsh" "$T/a.wst"
expect_status 0
expect_stdout_line "oracle: no"
run "$WAFERSIM" trace heatmap --eval "$T/b.wst" -o "$T/h2.wsh" "$T/a.wst"
expect_status 2
expect_stderr_contains "built from the evaluated trace itself (leakage)"
expect_file_absent "$T/h2.wsh"
run "$WAFERSIM" trace heatmap --eval "$T/d.wst" -o "$T/h2.wsh" "$T/a.wst"
expect_status 0
run "$WAFERSIM" trace heatmap --oracle --eval "$T/b.wst" -o "$T/h3.wsh" "$T/a.wst"
expect_status 0
expect_stdout_line "oracle: yes (--oracle: the profile is the evaluated batch)"
expect_stdout_contains "ORACLE (built from the evaluated requests"
finish
