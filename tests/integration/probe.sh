#!/bin/sh
# Checks `wafersim probe hbm` against hand calculations on the dojo preset
# (3.35 TB/s over 80 channels = 41.875 B/tick each at 1 GHz, 256 B granules,
# 300 ns): a 64 B read sits on one channel, ceil(64 / 41.875) = 2 ticks,
# so 302 ns; 64 MiB spreads 262144 granules over 80 channels, the busiest
# gets 3277 granules = 838912 B = 20033.7 -> 20034 ticks, so 20334 ns; and
# streaming reads reach at least 95% of the peak at every size.
set -u
. "$(dirname "$0")/lib.sh"

DEFAULT="$TOP_SRCDIR/configs/experiments/default.yaml"
run "$WAFERSIM" probe hbm --format csv "$DEFAULT"
expect_status 0
expect_stdout_contains "request_bytes,isolated_latency_ns,streaming_read_GB_per_s,fraction_of_peak"
expect_stdout_contains "# config_hash: "
expect_stdout_contains "# seed: 1"
cd "$TEST_TMPDIR" || exit 99
grep -v '^#' "$RUN_OUT_FILE" | tail -n +2 > rows.csv
expect_eq "64 B read, ns" 302 "$(awk -F, '$1 == 64 { print $2 }' rows.csv)"
expect_eq "64 MiB read, ns" 20334 "$(awk -F, '$1 == 67108864 { print $2 }' rows.csv)"
expect_eq "request sizes" 11 "$(wc -l < rows.csv | tr -d ' ')"
expect_eq "sizes streaming below 95% of peak" 0 "$(awk -F, '$4 < 0.95 { bad++ } END { print bad + 0 }' rows.csv)"

# a faster HBM halves the transfer part: 8 TB/s = 100 B/tick per channel;
# 64 MiB: 838912 / 100 = 8389.12 -> 8390 ticks + 300
run "$WAFERSIM" probe hbm --format csv --set "hw.tile.hbm.bandwidth=8 TB/s" "$DEFAULT"
expect_status 0
grep -v '^#' "$RUN_OUT_FILE" | tail -n +2 > rows8.csv
expect_eq "64 MiB read at 8 TB/s, ns" 8690 "$(awk -F, '$1 == 67108864 { print $2 }' rows8.csv)"

# gemm: one DeepSeek-V3 expert (3 matrices of 7168 x 2048 BF16) on dojo.
# 1 token is memory-bound: 3 * (7168*2048 + 1*(7168+2048)) * 2 B / 3350 B/ns
# = 26309.17 ns; 4096 tokens are compute-bound: 3 * 2*4096*7168*2048 FLOP /
# 989000 FLOP/ns = 364789.9 ns.
run "$WAFERSIM" probe gemm --model deepseek-v3 --format csv "$DEFAULT"
expect_status 0
grep -v '^#' "$RUN_OUT_FILE" | tail -n +2 > gemm.csv
expect_eq "gemm sizes" 15 "$(wc -l < gemm.csv | tr -d ' ')"
expect_eq "1 token, us (memory-bound)" "26.309 memory" \
    "$(awk -F, '$2 == 1 { printf "%.3f %s", $3, $6 }' gemm.csv)"
expect_eq "4096 tokens, us (compute-bound, 989 TFLOPS)" "364.790 989.0 compute" \
    "$(awk -F, '$2 == 4096 { printf "%.3f %.1f %s", $3, $4, $6 }' gemm.csv)"
# an efficiency table replaces the roofline: 50% at every size doubles the
# compute-bound time
run "$WAFERSIM" probe gemm --model deepseek-v3 --format csv \
    --set 'hw.tile.compute.efficiency=[{tokens: 1, efficiency: 0.5}]' "$DEFAULT"
expect_status 0
grep -v '^#' "$RUN_OUT_FILE" | tail -n +2 > gemm50.csv
expect_eq "4096 tokens at 50% efficiency, us" "729.580 table" \
    "$(awk -F, '$2 == 4096 { printf "%.3f %s", $3, $6 }' gemm50.csv)"
run "$WAFERSIM" probe gemm "$DEFAULT"
expect_status 2
expect_stderr_contains "--model NAME|FILE is required"
run "$WAFERSIM" probe gemm --model no-such-model "$DEFAULT"
expect_status 2

# p2p: corner to corner on dojo (8 hops); sizes 4 KiB .. 4 GiB; big reads
# stream at >= 95% of the 1.7 TB/s link (the chunks pipeline HBM and network),
# a small read is all latency (first chunk = whole read)
run "$WAFERSIM" probe p2p --from 0,0 --to 4,4 --format csv "$DEFAULT"
expect_status 0
grep -v '^#' "$RUN_OUT_FILE" | tail -n +2 > p2p.csv
expect_eq "p2p sizes" 11 "$(wc -l < p2p.csv | tr -d ' ')"
expect_eq "hops" "8" "$(awk -F, 'NR == 1 { print $2 }' p2p.csv)"
expect_eq "4 KiB read: first chunk is the whole read" "yes" \
    "$(awk -F, '$1 == 4096 { print ($3 == $6) ? "yes" : "no" }' p2p.csv)"
expect_eq "4 GiB read at >= 95% of the link" "yes" \
    "$(awk -F, '$1 == 4294967296 { print ($4 >= 0.95 * 1700) ? "yes" : "no" }' p2p.csv)"
run "$WAFERSIM" probe p2p --from 9,9 "$DEFAULT"
expect_status 2
expect_stderr_contains "--from: expected X,Y of a tile of the 5 x 5 grid"

run "$WAFERSIM" probe teleport "$DEFAULT"
expect_status 2
run "$WAFERSIM" probe hbm --set hw.tile.hbm.channels=0 "$DEFAULT"
expect_status 2
expect_stderr_contains "hw.tile.hbm.channels: expected an integer in [1, 1024], found 0"
finish
