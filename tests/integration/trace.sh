#!/bin/sh
# tests/integration/trace.sh — `wafersim trace import` and `trace info` on a
# JSON tree this script writes (a 4-layer model, MoE on layers 1 and 3, 8
# experts, top-2):
#   * import of a folder tree in natural order (2.json before 10.json), flat
#     decode rows, a one-token prompt, a request with 130 decode steps (capped
#     at 128 and counted), a non-JSON file ignored; the summary lines;
#   * an independent decoder (trace_decode.py, written from doc/traces.md)
#     checks both checksums and every id against the JSON; `trace info`
#     numbers; the same input imported twice gives byte-identical traces;
#   * bad files: reported as path:line:column, skipped by default, fatal with
#     --on-error fatal (exit 2, nothing written, no temporary left);
#   * `trace info` on a truncated and a corrupted trace, on a JSON file: exit 2
#     with a clear message; unwritable output: exit 1; bad command lines: 2.
set -u
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
T=$TEST_TMPDIR
DECODE="$(dirname "$0")/trace_decode.py"

cat >"$T/tiny.yaml" <<'YAML'
name: tiny
layers: 4
moe_layers: {first: 1, last: 3, step: 2}
routed_experts: 8
top_k: 2
hidden: 16
expert_ffn: 8
YAML

python3 - "$T/in" <<'PY'
import json, os, sys
root = sys.argv[1]
def req(prompt, steps, flat=False):
    pre = {"0": None, "1": [[(t + j) % 8 for j in (0, 1)] for t in range(prompt)], "2": None,
           "3": [[(t * 3 + j) % 8 for j in (0, 5)] for t in range(prompt)]}
    out = [pre]
    for d in range(steps):
        a, b = [d % 8, (d + 1) % 8], [(d + 2) % 8, (d + 4) % 8]
        out.append({"0": None, "1": a if flat else [a], "2": None, "3": b if flat else [b]})
    return out
files = {"bench/a/10.json": req(3, 5), "bench/a/2.json": req(1, 4, flat=True),
         "bench/b/0.json": req(6, 130), "bench/b/1.json": req(2, 0)}
for name, r in files.items():
    os.makedirs(os.path.dirname(os.path.join(root, name)), exist_ok=True)
    with open(os.path.join(root, name), "w") as f:
        json.dump(r, f, indent=4 if "10" in name else None)
open(os.path.join(root, "bench/README.txt"), "w").write("not a trace\n")
PY

run "$WAFERSIM" trace import "$T/in" --model "$T/tiny.yaml" -o "$T/t.wst"
expect_status 0
expect_stdout_contains "imported 4 requests (12 prefill + 137 decode tokens, model tiny) from 4 JSON files"
expect_stdout_line "skipped 0 bad files"
expect_stdout_line "ignored 1 file not ending in .json"
expect_stdout_line "capped 1 request at 128 decode steps (later steps dropped)"
expect_true "independent decoder agrees with the JSON" python3 "$DECODE" "$T/t.wst" "$T/in"

run "$WAFERSIM" trace info --format csv "$T/t.wst"
expect_status 0
expect_stdout_line "model,tiny"
expect_stdout_line "requests,4"
expect_stdout_line "prefill_tokens,12"
expect_stdout_line "decode_tokens,137"
expect_stdout_line "moe_layers,2"
expect_stdout_line "prompt_len_min,1"
expect_stdout_line "decode_len_max,128"
expect_stdout_line "requests_capped_at_128_decode,1"
expect_stdout_line "checksum_ok,yes"
size=$(wc -c <"$T/t.wst" | tr -d ' ')
expect_stdout_line "file_size_bytes,$size"

# deterministic: same input, same bytes; order 2.json before 10.json
run "$WAFERSIM" trace import -q "$T/in" --model "$T/tiny.yaml" -o "$T/t2.wst"
expect_status 0
expect_stdout_empty
expect_same_file "$T/t.wst" "$T/t2.wst"
if grep -a -o 'bench/a/[0-9]*\.json' "$T/t.wst" | head -2 | tr '\n' ' ' | grep -q '^bench/a/2.json bench/a/10.json $'; then
    pass "natural order: bench/a/2.json before bench/a/10.json"
else
    fail "natural order" "expected: bench/a/2.json then bench/a/10.json" "found: $(grep -a -o 'bench/a/[0-9]*\.json' "$T/t.wst" | tr '\n' ' ')"
fi

# bad files: skipped by default, with positions
mkdir -p "$T/in/bench/c"
printf '[\n{"0": null, "1": [[0,1]], "2": null, "3": [[4,9]]}\n]\n' >"$T/in/bench/c/5.json"
printf '[\n{"0": null, "1": [[0,1]], "2": null, "3": [[4,5]]},\n{"0": null, "1": [[0,' >"$T/in/bench/c/6.json"
run "$WAFERSIM" trace import "$T/in" --model "$T/tiny.yaml" -o "$T/t3.wst"
expect_status 0
expect_stderr_contains "$T/in/bench/c/5.json:2:47: error: element 0 (prefill), layer \"3\", prompt token 0: expert id 9 out of range 0..7"
expect_stderr_contains "$T/in/bench/c/6.json:3:22: error: malformed JSON: the file ends early (truncated?)"
expect_stdout_line "skipped 2 bad files"
expect_stdout_contains "imported 4 requests"

run "$WAFERSIM" trace import "$T/in" --model "$T/tiny.yaml" --on-error fatal -o "$T/t4.wst"
expect_status 2
expect_stderr_contains "5.json:2:47: error:"
expect_stderr_lacks "6.json"
expect_file_absent "$T/t4.wst"
expect_no_file_matching "$T" "*.tmp.*"

# broken binaries
head -c 300 "$T/t.wst" >"$T/trunc.wst"
run "$WAFERSIM" trace info "$T/trunc.wst"
expect_status 2
expect_stderr_contains "$T/trunc.wst: truncated: the header says $size bytes, the file has 300"
cp "$T/t.wst" "$T/flip.wst"
printf 'Z' | dd of="$T/flip.wst" bs=1 seek=400 conv=notrunc 2>/dev/null
run "$WAFERSIM" trace info "$T/flip.wst"
expect_status 2
expect_stderr_contains "payload checksum mismatch"
run "$WAFERSIM" trace info "$T/in/bench/a/2.json"
expect_status 2
expect_stderr_contains "not a wafersim binary trace"
run "$WAFERSIM" trace info "$T/none.wst"
expect_status 2

# output problems and command lines
run "$WAFERSIM" trace import "$T/in" --model "$T/tiny.yaml" -o "$T/no/such/dir/x.wst"
expect_status 1
run "$WAFERSIM" trace import "$T/in" --model "$T/tiny.yaml"
expect_status 2
expect_stderr_contains "no -o FILE"
run "$WAFERSIM" trace import "$T/in" --model nosuch -o "$T/x.wst"
expect_status 2
expect_stderr_contains "no model \"nosuch\""
run "$WAFERSIM" trace import "$T/missing" --model "$T/tiny.yaml" -o "$T/x.wst"
expect_status 2
expect_file_absent "$T/x.wst"
run "$WAFERSIM" trace import "$T/in" --model "$T/tiny.yaml" --on-error maybe -o "$T/x.wst"
expect_status 2
run "$WAFERSIM" trace frobnicate
expect_status 2
expect_stderr_contains "expected an action (import, info"

finish
