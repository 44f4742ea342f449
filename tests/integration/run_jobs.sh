#!/bin/sh
# tests/integration/run_jobs.sh — `wafersim run -j N`: the variants of an
# experiment run on N threads with results, per-link and per-layer tables
# and the picture byte-identical to a one-at-a-time run, in variant order;
# a variant that fails stops the run with its error and writes nothing; a
# bad -j is refused with exit status 2.
. "$(dirname "$0")/lib.sh"
cd "$TEST_TMPDIR" || exit 99

tiny_experiment 16 3 3 8 2
cat >> exp.yaml <<'EOF2'
options: {expert_affine: {enabled: true}, migration: {enabled: true}}
variants:
  - {name: Base, set: ["strategy.allocation=even", "options.migration.enabled=false"]}
  - {name: EP, set: ["strategy.allocation=home", "options.migration.enabled=false"]}
  - {name: Allo, set: ["strategy.allocation=affine", "options.migration.enabled=false"]}
  - {name: Pred, set: ["strategy.allocation=even", "options.migration.oracle=true"]}
  - {name: Seed9, set: ["strategy.allocation=even", "sim.seed=9", "workload.trace=",
                        "options.migration.enabled=false"]}
baseline: Base
EOF2
for j in 1 2 3 8; do
    run "$WAFERSIM" run -q -j $j --format csv --out res$j.csv --links links$j.csv --migration mig$j.csv \
        --picture pic$j.svg exp.yaml
    expect_status 0
done
for j in 2 3 8; do
    for f in res links mig; do
        expect_same_file $f"1.csv" $f$j.csv
    done
    expect_same_file pic1.svg pic$j.svg
done
expect_eq "variants in order" "Base EP Allo Pred Seed9" \
    "$(grep -v '^#' res2.csv | tail -n +2 | cut -d, -f1 | tr '\n' ' ' | sed 's/ $//')"
expect_eq "link rows in variant order (8 x 3 x 3 mesh links x 5 variants: 12 per direction pair)" \
    "Base EP Allo Pred Seed9" \
    "$(grep -v '^#' links2.csv | tail -n +2 | cut -d, -f1 | uniq | tr '\n' ' ' | sed 's/ $//')"
# the five runs really differ, so identical files are not a trivial match
expect_eq "distinct decode times" 5 \
    "$(grep -v '^#' res2.csv | tail -n +2 | cut -d, -f8 | sort -u | wc -l | tr -d ' ')"

# progress lines name every variant (one-at-a-time meters are off with -j)
run "$WAFERSIM" run -j 2 --format csv --out res-v.csv exp.yaml
expect_status 0
for v in Base EP Allo Pred Seed9; do
    expect_stderr_contains "wafersim run: variant $v ("
done
expect_same_file res1.csv res-v.csv

# a failing variant (a 1-tick watchdog stops the simulation) fails the run
# with its error; no result file is written
run "$WAFERSIM" run -q -j 2 --format csv --out bad.csv --set sim.watchdog=1ns exp.yaml
expect_status 3
expect_stderr_contains "wafersim run: variant Base:"
expect_file_absent bad.csv

for bad in 0 -1 x 1025 "2x"; do
    run "$WAFERSIM" run -q -j "$bad" exp.yaml
    expect_status 2
    expect_stderr_contains "wafersim run: -j: expected a number of threads from 1 to 1024, found \"$bad\""
done
finish
