#!/bin/sh
# End-to-end checks of `wafersim sweep` on the tiny model of run.sh (2 x 2
# dojo-like wafer, generated trace, shuffled batches so that seeds matter):
#   - --list: grid x zip x seeds x variants points (counted by hand), ids
#     unique and unchanged when a value is added to the grid;
#   - a point's row equals `wafersim run` with the point's values as --set
#     (every metric, speedup over the baseline variant included);
#   - -j 1 and -j 2 give byte-identical merged results; so does running
#     every point alone (--point) and merging (--merge);
#   - a rerun skips the finished points; a SIGKILL of the whole sweep loses
#     no finished point and the rerun completes it to the same results;
#   - --emit slurm: the job-array script, run by hand task by task, then
#     --merge, equals the sweep;
#   - a failing point records its error, the others complete, exit 1;
#   - a hanging worker is stopped by --point-timeout and reported;
#   - bad key paths in the sweep are bad input (file:line:column, exit 2)
#     and nothing is created.
set -u
. "$(dirname "$0")/lib.sh"
cd "$TEST_TMPDIR" || exit 99

tiny_trace tiny.wst 32 3
write_exp() {   # write_exp FILE BATCHES DECODE_STEPS
    cat > "$1" <<EOF2
preset: dojo
model: $TINY
hw:
  grid: {x: 2, y: 2}
workload:
  trace: tiny.wst
  batch: 32
  decode_steps: $3
  shuffle: true
variants:
  - {name: Base, set: ["strategy.allocation=even"]}
  - {name: EP, set: ["strategy.allocation=home"]}
baseline: Base
sweep:
  grid:
    workload.batch: [$2]
  zip:
    - hw.link.bandwidth: [1 TB/s, 2 TB/s]
      hw.link.latency: [10 ns, 5 ns]
  seeds: 2
EOF2
}
write_exp exp.yaml "16, 32" 2
rows() { grep -v '^#' "$1" | tail -n +2; }

# ---------------------------------------------------------------- listing
run "$WAFERSIM" sweep --list --format csv --out list.csv exp.yaml
expect_status 0
expect_eq "points: 2 batches x 2 zipped pairs x 2 seeds x 2 variants" 16 "$(rows list.csv | wc -l)"
expect_eq "ids are unique" 16 "$(rows list.csv | cut -d, -f1 | sort -u | wc -l)"
expect_eq "ids are 12 hex digits" 16 "$(rows list.csv | cut -d, -f1 | grep -c '^[0-9a-f]\{12\}$')"
write_exp more.yaml "16, 24, 32" 2
run "$WAFERSIM" sweep --list --format csv --out more.csv more.yaml
expect_status 0
expect_eq "one more batch: 24 points" 24 "$(rows more.csv | wc -l)"
# every earlier point keeps its id with the same values (all but the group column)
cut -d, -f1-7 list.csv | grep -v '^#' | sort > a.txt
cut -d, -f1-7 more.csv | grep -v '^#' | sort > b.txt
expect_eq "earlier points keep their ids" 0 "$(comm -23 a.txt b.txt | wc -l)"

# ---------------------------------------------------------------- running
run "$WAFERSIM" sweep -q -j 2 --out d2 exp.yaml
expect_status 0
expect_eq "16 points ok" 16 "$(rows d2/results.csv | cut -d, -f2 | grep -c '^ok$')"
expect_eq "16 point files" 16 "$(ls d2/points | grep -c '\.json$')"
run "$WAFERSIM" sweep -q -j 1 --out d1 exp.yaml
expect_status 0
expect_same_file d1/results.csv d2/results.csv
expect_same_file d1/results.json d2/results.json

# a point equals a plain run with its values: batch 32, 2 TB/s, 5 ns, repetition 0
run "$WAFERSIM" run -q --format csv --out plain.csv --set workload.batch=32 --set 'hw.link.bandwidth=2 TB/s' \
    --set 'hw.link.latency=5 ns' exp.yaml
expect_status 0
# the run columns from "variant" on, without config_hash (a point's config
# has no variants list)
from_variant() { awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "variant") v = i; if (!v) exit 1 }
    { s = ""; for (i = v; i <= NF; i++) if (i != v + 3) s = s (s == "" ? "" : ",") $i; print s }'; }
grep -v '^#' plain.csv | from_variant > plain.txt
grep -v '^#' d1/results.csv | awk -F, 'NR == 1 || ($4 == 32 && $5 == "2 TB/s" && $7 == 0)' | from_variant > point.txt
expect_eq "two variants compared" 3 "$(wc -l < point.txt)"
expect_same_file plain.txt point.txt
expect_eq "EP speedup over Base is not 1 (so the comparison means something)" yes \
    "$(awk -F, 'NR == 3 { print ($10 != 1) ? "yes" : "no" }' point.txt)"

# --point for every id, then --merge, equals the whole sweep
for id in $(rows list.csv | cut -d, -f1); do
    "$WAFERSIM" sweep -q --point "$id" --out d3 exp.yaml || fail "--point $id"
done
run "$WAFERSIM" sweep -q --merge d3
expect_status 0
expect_same_file d1/results.csv d3/results.csv
expect_same_file d1/results.json d3/results.json

# a rerun runs nothing; a changed config reruns everything
run "$WAFERSIM" sweep -j 2 --out d1 exp.yaml
expect_status 0
expect_stderr_contains "16 points, 16 already done, 0 to run"
expect_same_file d1/results.csv d2/results.csv
run "$WAFERSIM" sweep -j 2 --set workload.decode_steps=1 --out d1 exp.yaml
expect_status 0
expect_stderr_contains "16 points, 0 already done, 16 to run"

# ---------------------------------------------------------------- kill and resume
write_exp heavy.yaml "16, 20, 24, 28, 32" 8
run "$WAFERSIM" sweep -q -j 2 --out ref heavy.yaml
expect_status 0
setsid "$WAFERSIM" sweep -q -j 1 --out killed heavy.yaml > /dev/null 2>&1 &
pid=$!
n=0
i=0
while [ "$i" -lt 2000 ]; do
    n=$(ls killed/points 2>/dev/null | grep -c '\.json$')
    [ "$n" -ge 3 ] && break
    sleep 0.01
    i=$((i + 1))
done
env kill -KILL -- "-$pid" 2> /dev/null   # the sweep and its workers (dash's kill has no --)
wait "$pid" 2> /dev/null
done_before=$(ls killed/points | grep -c '\.json$')
if [ "$done_before" -lt 40 ]; then
    pass "killed with $done_before of 40 points done"
else
    skip_check "kill before the end" "the sweep finished before the kill (machine too fast)"
fi
run "$WAFERSIM" sweep -j 2 --out killed heavy.yaml
expect_status 0
expect_stderr_contains "40 points, $done_before already done"
expect_same_file ref/results.csv killed/results.csv
expect_same_file ref/results.json killed/results.json

# ---------------------------------------------------------------- Slurm job array
# the script run by hand, one array task after the other, then merged
run "$WAFERSIM" sweep --emit slurm --chunk 5 --partition debug --time 0:10:00 --mem 1G --out ds exp.yaml
expect_status 0
expect_stdout_contains "16 points in 4 array tasks"
expect_eq "array of ceil(16 / 5) tasks" 1 "$(grep -c '^#SBATCH --array=0-3$' ds/sweep.slurm)"
expect_eq "partition, time, memory" 3 "$(grep -c '^#SBATCH --\(partition=debug\|time=0:10:00\|mem=1G\)$' ds/sweep.slurm)"
for t in 0 1 2 3; do
    SLURM_ARRAY_TASK_ID=$t sh ds/sweep.slurm || fail "array task $t"
done
expect_eq "16 point files from 4 tasks" 16 "$(ls ds/points | grep -c '\.json$')"
run "$WAFERSIM" sweep -q --merge ds
expect_status 0
expect_same_file d2/results.csv ds/results.csv
run "$WAFERSIM" sweep --emit slurm --time 1h --out dt exp.yaml
expect_status 2
expect_stderr_contains "--time: expected a Slurm time"
expect_file_absent dt
run "$WAFERSIM" sweep --index 16 --out ds exp.yaml
expect_status 2
run "$WAFERSIM" sweep --emit slurm --mem 4X --out dt exp.yaml
expect_status 2
expect_stderr_contains "--mem: expected a Slurm memory size"
run "$WAFERSIM" sweep --emit slurm --partition 'a;b' --out dt exp.yaml
expect_status 2
expect_stderr_contains "--partition: expected a partition name"
run "$WAFERSIM" sweep --time 1:00 --out dt exp.yaml
expect_status 2
expect_stderr_contains "go with --emit slurm"

# ---------------------------------------------------------------- a failing point
cat > fail.yaml <<EOF2
preset: dojo
model: $TINY
hw:
  grid: {x: 2, y: 2}
workload: {batch: 16, decode_steps: 1}
sweep:
  grid:
    workload.trace: [tiny.wst, missing.wst]
EOF2
run "$WAFERSIM" sweep -q -j 2 --out df fail.yaml
expect_status 1
expect_stderr_contains "missing.wst"
expect_eq "statuses" "ok failed" "$(rows df/results.csv | cut -d, -f2 | tr '\n' ' ' | sed 's/ $//')"
expect_eq "the failure's error is recorded" 1 "$(rows df/results.csv | grep -c 'failed,.*missing.wst')"
run "$WAFERSIM" sweep -j 2 --out df fail.yaml
expect_status 1
expect_stderr_contains "2 points, 1 already done, 1 to run"

# ---------------------------------------------------------------- a hanging worker
# (WAFERSIM_TEST_HANG_POINT, test only, makes the worker of that point hang):
# with --point-timeout the parent stops it, records why, and the others
# complete; without the hang a rerun completes the sweep
cat > hang.yaml <<EOF2
preset: dojo
model: $TINY
hw:
  grid: {x: 2, y: 2}
workload: {trace: tiny.wst, batch: 16, decode_steps: 1}
sweep:
  grid:
    workload.batch: [16, 32]
EOF2
hung=$("$WAFERSIM" sweep --list --format csv hang.yaml | grep -v '^#' | sed -n 2p | cut -d, -f1)
WAFERSIM_TEST_HANG_POINT=$hung run "$WAFERSIM" sweep -q -j 2 --point-timeout 1 --out dh hang.yaml
expect_status 1
expect_stderr_contains "point $hung: the worker process ran longer than --point-timeout 1 s"
expect_eq "the hung point failed, the other ran" "failed ok" "$(rows dh/results.csv | cut -d, -f2 | tr '\n' ' ' | sed 's/ $//')"
run "$WAFERSIM" sweep -q -j 2 --point-timeout 60 --out dh hang.yaml
expect_status 0
expect_eq "rerun without the hang: both ok" "ok ok" "$(rows dh/results.csv | cut -d, -f2 | tr '\n' ' ' | sed 's/ $//')"
run "$WAFERSIM" sweep --point-timeout 0 --out dx hang.yaml
expect_status 2
expect_stderr_contains "--point-timeout: expected seconds"

# ---------------------------------------------------------------- bad input
cat > bad.yaml <<EOF2
preset: dojo
model: $TINY
sweep:
  grid:
    workload.bach: [16]
EOF2
run "$WAFERSIM" sweep -q -j 2 --out dbad bad.yaml
expect_status 2
expect_stderr_line_starts "bad.yaml:5:21: error: workload.bach: unknown key \"bach\""
expect_file_absent dbad
run "$WAFERSIM" validate bad.yaml
expect_status 2
expect_stderr_line_starts "bad.yaml:5:21: error: workload.bach: unknown key \"bach\""
run "$WAFERSIM" sweep --point 000000000000 --out d1 exp.yaml
expect_status 2
expect_stderr_contains "no point \"000000000000\""
run "$WAFERSIM" sweep --merge .
expect_status 2
run "$WAFERSIM" sweep exp.yaml
expect_status 2
expect_stderr_contains "--out DIR"
run "$WAFERSIM" sweep --point 000000000000 --index 0 --out d1 exp.yaml
expect_status 2
expect_stderr_contains "do not go together"
finish
