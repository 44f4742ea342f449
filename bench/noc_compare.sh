#!/bin/bash
# bench/noc_compare.sh — compares the speed of bench_noc builds on a noisy
# machine (doc/performance.md). One custom bench_noc run (K RATE CYCLES
# [WARM]) per binary per round, the binaries in turn, ROUNDS rounds; then,
# per binary, the median and least CPU time of its runs and the median
# over rounds of its CPU time divided by the first binary's in the same
# round (the figure the performance notes quote: rounds see the same
# load from other jobs, so the ratio varies less than the times).
#   usage: bash bench/noc_compare.sh ROUNDS "K RATE CYCLES [WARM]" BASE_BENCH_NOC OTHER_BENCH_NOC...
#   e.g.:  bash bench/noc_compare.sh 14 "8 0.3 40000" /tmp/old/bench/bench_noc bench/bench_noc
# Exit status 0, or 2 on bad arguments or a failed run.
set -u
usage() {
    echo "usage: bash bench/noc_compare.sh ROUNDS \"K RATE CYCLES [WARM]\" BASE_BENCH_NOC OTHER_BENCH_NOC..." >&2
    exit 2
}
[ $# -ge 4 ] || usage
rounds=$1
run_args=$2
shift 2
case $rounds in '' | *[!0-9]*) echo "noc_compare.sh: ROUNDS must be a positive integer, not '$rounds'" >&2; exit 2 ;; esac
[ "$rounds" -gt 0 ] || { echo "noc_compare.sh: ROUNDS must be at least 1" >&2; exit 2; }
read -r -a args <<<"$run_args"
if [ ${#args[@]} -ne 3 ] && [ ${#args[@]} -ne 4 ]; then
    echo "noc_compare.sh: the run is \"K RATE CYCLES [WARM]\", not '$run_args'" >&2
    exit 2
fi
for b in "$@"; do
    [ -x "$b" ] || { echo "noc_compare.sh: '$b' is not an executable bench_noc" >&2; exit 2; }
done
table=$(mktemp)
trap 'rm -f "$table"' EXIT
for ((i = 1; i <= rounds; i++)); do
    row=""
    for b in "$@"; do
        line=$("$b" "${args[@]}") || { echo "noc_compare.sh: '$b ${args[*]}' failed" >&2; exit 2; }
        t=$(printf '%s\n' "$line" | sed -n 's/.*CPU time \([0-9.]*\) s.*/\1/p')
        [ -n "$t" ] || { echo "noc_compare.sh: no CPU time in the output of '$b': $line" >&2; exit 2; }
        row="$row $t"
    done
    echo "$row" >>"$table"
    printf 'round %d/%d:%s\n' "$i" "$rounds" "$row" >&2
done
echo "bench_noc ${args[*]}, $rounds rounds, CPU time in seconds"
printf '%-50s %12s %12s %16s\n' binary median least "median ratio"
k=0
for b in "$@"; do
    k=$((k + 1))
    # column k: times; k over column 1: ratios; each sorted, the middle taken
    stats=$(awk -v k="$k" '{ print $k }' "$table" | sort -g | awk '{ t[NR] = $1 } END {
                n = NR; m = n % 2 ? t[(n + 1) / 2] : (t[n / 2] + t[n / 2 + 1]) / 2; printf "%.3f %.3f", m, t[1] }')
    ratio=$(awk -v k="$k" '{ print $k / $1 }' "$table" | sort -g | awk '{ r[NR] = $1 } END {
                n = NR; printf "%.3f", n % 2 ? r[(n + 1) / 2] : (r[n / 2] + r[n / 2 + 1]) / 2 }')
    printf '%-50s %12s %12s %16s\n' "$b" ${stats% *} ${stats#* } "$ratio"
done
