#!/bin/sh
# tests/integration/watchdog.sh — a tile waiting forever on a lost message
# is detected and reported, not hung on:
#   * with the test-only sim.test_drop_message=N the D2D controllers lose the
#     Nth network message (arch/d2d.h); `wafersim run` must exit 3 (no
#     progress) within the time limit, print the stall diagnosis naming the
#     waiting tile's phase (exec: fetching weights, reads outstanding) and
#     the lost read (which tile waits for which object from which tile),
#     and write no result file;
#   * a drop index past the last message changes nothing: the results are
#     byte-identical to a run without the hook (it only counts).
# The network deadlock (routing test_deadlock_ring) is covered by noc.sh, the
# engine's watchdog window by tests/unit/test_engine.c.
set -u
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
cd "$TEST_TMPDIR" || exit 99

tiny_experiment 8 2 2 8 2

run timeout 60 "$WAFERSIM" run -q --format csv --out lost.csv --set sim.test_drop_message=1 exp.yaml
expect_status 3
expect_stderr_contains "deadlock at tick"
expect_stderr_contains "exec: iteration 1, MoE layer 0: fetching weights, 1 of"
expect_stderr_contains "matrix reads outstanding"
expect_stderr_contains "d2d: 1 reads in flight, 0 chunks waiting for HBM, 0 events scheduled: tile 1 waits for object 256 (1048576 B) from tile 0 over the network: 0 of 1 chunks delivered"
expect_stderr_contains "the simulation made no progress (diagnosis above)"
expect_file_absent lost.csv

run timeout 60 "$WAFERSIM" run -q --format csv --out lost7.csv --set sim.test_drop_message=7 exp.yaml
expect_status 3
expect_stderr_contains "1 reads in flight"
expect_file_absent lost7.csv

run "$WAFERSIM" run -q --format csv --out plain.csv exp.yaml
expect_status 0
run "$WAFERSIM" run -q --format csv --out late.csv --set sim.test_drop_message=1000000000000 exp.yaml
expect_status 0
# the config hash (column 4) differs, the key being part of the config; the
# numbers must not
grep -v '^#' plain.csv | cut -d, -f1-3,5- >plain.body
grep -v '^#' late.csv | cut -d, -f1-3,5- >late.body
expect_eq "rows of results" 2 "$(wc -l <plain.body | tr -d ' ')"
expect_same_file plain.body late.body
finish
