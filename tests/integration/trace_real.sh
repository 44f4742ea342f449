#!/bin/sh
# tests/integration/trace_real.sh — the real Llama-4-Maverick traces in
# $TOP_SRCDIR/../shared/data/traces (7 MMLU requests; not part of the
# repository) import cleanly with the right counts, and every id agrees with
# the JSON (trace_decode.py). Skipped (exit 77) when the folder is absent.
set -u
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
T=$TEST_TMPDIR
real_traces

run "$WAFERSIM" trace import "$REAL_TRACES" --model llama4-maverick --on-error fatal -o "$T/l4.wst"
expect_status 0
expect_stdout_contains "imported 7 requests (288 prefill + 896 decode tokens, model llama4-maverick) from 7 JSON files"
expect_stdout_line "skipped 0 bad files"
expect_stderr_empty
expect_true "every id agrees with the JSON" python3 "$(dirname "$0")/trace_decode.py" "$T/l4.wst" "$REAL_TRACES"

run "$WAFERSIM" trace info --format csv "$T/l4.wst"
expect_status 0
expect_stdout_line "requests,7"
expect_stdout_line "layers,48"
expect_stdout_line "moe_layers,24"
expect_stdout_line "routed_experts,128"
expect_stdout_line "top_k,1"
expect_stdout_line "prefill_tokens,288"
expect_stdout_line "decode_tokens,896"
expect_stdout_line "prompt_len_min,1"
expect_stdout_line "prompt_len_max,59"
expect_stdout_line "checksum_ok,yes"

# the wrong model is refused with a position
run "$WAFERSIM" trace import "$REAL_TRACES" --model deepseek-v3 --on-error fatal -o "$T/ds.wst"
expect_status 2
expect_stderr_contains "abstract_algebra/0.json:4:14: error: element 0 (prefill): layer 1 is dense in deepseek-v3"
expect_file_absent "$T/ds.wst"

finish
