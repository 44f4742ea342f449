#!/bin/sh
# scripts/figures/sweep_plot.py on the results of a small sweep (the tiny
# model of run.sh, 2 batches x 2 link settings x 3 seeds x 2 variants):
#   - the plotted means and sample standard deviations over the seeds equal
#     those computed here with awk from results.csv;
#   - points that differ in a swept key not on the axes are refused (exit 2)
#     unless fixed with --where;
#   - the figure is a PNG (when python3-matplotlib is installed).
set -u
. "$(dirname "$0")/lib.sh"
command -v python3 > /dev/null 2>&1 || { echo "SKIP: no python3"; exit 77; }
cd "$TEST_TMPDIR" || exit 99
PLOT="$TOP_SRCDIR/scripts/figures/sweep_plot.py"
# the first python3 on PATH, or the system's when only it has matplotlib
PY=python3
if ! python3 -c 'import matplotlib' > /dev/null 2>&1 && [ -x /usr/bin/python3 ] &&
    /usr/bin/python3 -c 'import matplotlib' > /dev/null 2>&1; then
    PY=/usr/bin/python3
fi

tiny_experiment 32 2 2 32 2 "shuffle: true"
tiny_variants
cat >> exp.yaml <<EOF2
sweep:
  grid:
    workload.batch: [16, 24]
    hw.link.bandwidth: [1 TB/s, 2 TB/s]
  seeds: 3
EOF2
run "$WAFERSIM" sweep -q -j 2 --out d exp.yaml
expect_status 0

run "$PY" "$PLOT" d/results.csv --x workload.batch --table
expect_status 2
expect_stderr_contains "differ in hw.link.bandwidth"

run "$PY" "$PLOT" d/results.csv --x workload.batch --where 'hw.link.bandwidth=2 TB/s' --table
expect_status 0
expect_eq "2 variants x 2 batches" 5 "$(printf '%s\n' "$RUN_STDOUT" | wc -l)"
printf '%s\n' "$RUN_STDOUT" > table.csv
# mean and sample sd of EP's throughput at batch 24, 2 TB/s, over the 3 seeds
grep -v '^#' d/results.csv | awk -F, '
    NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
    $c["variant"] == "EP" && $c["workload.batch"] == 24 && $c["hw.link.bandwidth"] == "2 TB/s" {
        n++; y[n] = $c["throughput_tokens_per_s"]; s += y[n] }
    END { m = s / n; for (i = 1; i <= n; i++) v += (y[i] - m) ^ 2; printf "%d %.17g %.17g\n", n, m, sqrt(v / (n - 1)) }' > awk.txt
read -r n_awk mean_awk sd_awk < awk.txt
line=$(grep '^EP,24,' table.csv)
expect_eq "EP at batch 24: 3 repetitions" 3 "$(echo "$line" | cut -d, -f3)"
expect_eq "EP at batch 24: mean and sd as computed by awk" ok "$(echo "$line" | awk -F, -v m="$mean_awk" -v s="$sd_awk" '
    { dm = $4 - m; ds = $5 - s; if (dm < 0) dm = -dm; if (ds < 0) ds = -ds
      print (dm <= 1e-9 * m && ds <= 1e-9 * m + 1e-12) ? "ok" : "mean " $4 " vs " m ", sd " $5 " vs " s }')"
expect_eq "the seeds differ (so the sd means something)" yes "$(awk -v s="$sd_awk" 'BEGIN { print (s > 0) ? "yes" : "no" }')"

if "$PY" -c 'import matplotlib' > /dev/null 2>&1; then
    run "$PY" "$PLOT" d/results.csv --x workload.batch --where 'hw.link.bandwidth=2 TB/s' --out fig.png
    expect_status 0
    expect_eq "a PNG" "89504e47" "$(od -An -tx1 -N4 fig.png | tr -d ' \n')"
else
    skip_check "the figure" "python3-matplotlib is not installed"
fi
finish
