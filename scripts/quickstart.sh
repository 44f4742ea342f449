#!/bin/sh
# The first README command: install what is missing, build, and run the
# main job on the default experiment.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
sh "$top/scripts/install-deps.sh"
sh "$top/scripts/build.sh"
ws="${BUILD_DIR:-$top/build}/wafersim"
echo
"$ws" --version
echo
echo "== validating the shipped configs"
"$ws" validate "$top"/configs/hw/*.yaml "$top"/configs/experiments/*.yaml
echo
echo "== resolved default experiment (results/default-config.yaml)"
mkdir -p "$top/results"
"$ws" config show --out "$top/results/default-config.yaml" "$top/configs/experiments/default.yaml"
sed -n '1,12p' "$top/results/default-config.yaml"
echo "   ..."
echo
echo "== compiled-in hardware options (results/options.csv)"
"$ws" options --format csv --out "$top/results/options.csv"
"$ws" options --format table
echo
echo "== the main job: configs/experiments/quickstart.yaml (DeepSeek-V3 on dojo, batch 4096)"
jobs=$(nproc 2>/dev/null || echo 2)   # variants side by side; results are the same for any -j
"$ws" run -j "$jobs" --format csv --out "$top/results/quickstart.csv" "$top/configs/experiments/quickstart.yaml"
echo
echo "results/quickstart.csv (every column, with provenance); the main ones:"
grep -v '^#' "$top/results/quickstart.csv" | awk -F, '
    NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i
              printf "%-10s %-10s %15s %13s %8s %17s %15s %12s %11s\n", "variant", "allocation",
                     "decode_time_us", "tokens_per_s", "speedup", "byte_hops_GBxhop", "remote_reads_GB",
                     "mJ_per_token", "copy_hits"; next }
    { printf "%-10s %-10s %15.0f %13.0f %8.2f %17.0f %15.0f %12.1f %11s\n", $col["variant"], $col["allocation"],
             $col["decode_time_us"], $col["throughput_tokens_per_s"], $col["speedup_vs_baseline"],
             $col["data_byte_hops_GBxhop"], $col["hbm_remote_read_GB"], $col["energy_per_token_mJ"],
             $col["migration_copy_hits"] == "" ? "-" : $col["migration_copy_hits"] }'
