#!/bin/sh
# tests/integration/model.sh — `wafersim model list|show` as a user sees it:
#   * list: the four shipped models with their layer/expert numbers (CSV),
#     valid JSON;
#   * show: derived quantities of DeepSeek-V3 and Llama-4-Maverick computed
#     by hand (7168 x 2048 x 2 B = 29360128 B = 28 MiB per matrix, x3 per
#     expert; 2 x 7168 x 2048 FLOPs per token per matrix; 5120 x 8192 x 2 B =
#     80 MiB), a model given as a file path;
#   * bad model files: exit 2 with file:line:column and key path; unknown
#     names: exit 2 listing the shipped models; --out writes atomically.
set -u
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
T=$TEST_TMPDIR

run "$WAFERSIM" model list --format csv
expect_status 0
expect_stdout_line "model,layers,moe_layers,routed_experts,top_k,groups,groups_kept,shared_experts,hidden,expert_ffn,dtype,expert_matrix_bytes,description"
expect_stdout_line "deepseek-v3,61,58,256,8,8,4,1,7168,2048,bf16,29360128,DeepSeek-V3 671B"
expect_stdout_line "kimi-k2,61,60,384,8,1,1,1,7168,2048,bf16,29360128,Kimi K2 1T"
expect_stdout_line "llama4-maverick,48,24,128,1,1,1,1,5120,8192,bf16,83886080,Llama-4-Maverick-17B-128E 402B"
expect_stdout_line "qwen3-235b,94,94,128,8,1,1,0,4096,1536,bf16,12582912,Qwen3-235B-A22B"

run "$WAFERSIM" model list --format json --out "$T/models.json"
expect_status 0
expect_true "model list JSON parses with 4 rows" python3 -c "
import json, sys
d = json.load(open(sys.argv[1]))
assert len(d['rows']) == 4 and d['rows'][0]['model'] == 'deepseek-v3', d['rows']" "$T/models.json"
expect_no_file_matching "$T" "*.tmp.*"

run "$WAFERSIM" model show --format csv deepseek-v3
expect_status 0
expect_stdout_line "matrix_bytes,29360128,B,one expert matrix: hidden x expert_ffn x dtype"
expect_stdout_line "matrix_mib,28,MiB,the same in MiB"
expect_stdout_line 'expert_bytes,88080384,B,"one expert: 3 matrices (gate, up, down)"'
expect_stdout_line "flops_per_token_matrix,29360128,FLOP,one token through one expert matrix: 2 x hidden x expert_ffn"
expect_stdout_line "moe_layer_numbers,3..60,,which layers are MoE (the others are dense)"
expect_stdout_line "experts_per_group,32,,routed_experts / groups"

run "$WAFERSIM" model show --format csv "$TOP_SRCDIR/configs/models/llama4-maverick.yaml"
expect_status 0
expect_stdout_line "matrix_mib,80,MiB,the same in MiB"
expect_stdout_line "moe_layer_numbers,1..47 step 2,,which layers are MoE (the others are dense)"
expect_stdout_line "flops_per_token_moe_layer,503316480,FLOP,one token through one MoE layer: (top_k + shared) experts"

# a user's model: a misspelt key, then a cross-check (checked once the keys
# read cleanly), each reported with its position
cat >"$T/my.yaml" <<'YAML'
name: mine
layers: 8
moe_layers: {first: 1, last: 7}
routed_experts: 32
top_k: 4
hidden: 1024
expert_ffn: 512
exprt_ffn: 3
YAML
run "$WAFERSIM" model show "$T/my.yaml"
expect_status 2
expect_stderr_contains "$T/my.yaml:8:1: error: exprt_ffn: unknown key \"exprt_ffn\" (did you mean \"expert_ffn\"?)"
expect_stdout_empty
sed -e '/exprt_ffn/d' -e 's/top_k: 4/top_k: 40/' "$T/my.yaml" >"$T/my2.yaml"
run "$WAFERSIM" model show "$T/my2.yaml"
expect_status 2
expect_stderr_contains "$T/my2.yaml:5:8: error: top_k: top_k (40) exceeds routed_experts (32)"
sed -e 's/top_k: 40/top_k: 4/' -e 's/routed_experts: 32/routed_experts: 32\ngroups: 3/' "$T/my2.yaml" >"$T/my3.yaml"
run "$WAFERSIM" model show "$T/my3.yaml"
expect_status 2
expect_stderr_contains "$T/my3.yaml:5:9: error: groups: groups (3) must divide routed_experts (32)"

run "$WAFERSIM" model show nosuchmodel
expect_status 2
expect_stderr_contains "no model \"nosuchmodel\""
expect_stderr_contains "deepseek-v3, kimi-k2, llama4-maverick, qwen3-235b"

run "$WAFERSIM" model
expect_status 2
run "$WAFERSIM" model show
expect_status 2

finish
