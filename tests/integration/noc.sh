#!/bin/sh
# tests/integration/noc.sh — `wafersim noc` as a user runs it:
#   * the shipped example config validates;
#   * a two-point sweep prints the latency-load table (csv and json) with
#     unit-carrying columns, a low load unsaturated with accepted ~ offered
#     and zero-load-like latency, an overload marked saturated with a reason;
#   * same command twice => byte-identical output; --no-skip => identical;
#   * --links writes one row per directed mesh link, --histogram the
#     latency bins, whose packet counts add up to the measured packets;
#   * the test-only deadlocking routing stops with exit status 3 and the
#     watchdog's report names blocked VCs and what they wait on;
#   * bad input (a bad --rates value, an out-of-range key, test routing
#     without its switch) exits 2 with file:line:column positions; a link
#     delay beyond the network's limit exits 2 saying so;
#   * bit-complement beyond saturation on the 8x8 mesh (doc/noc.md,
#     "Bit-complement beyond saturation"): accepted throughput equals the
#     flits on the 16 vertical links between rows 3 and 4 per node and
#     cycle, the central columns' links are saturated, the outer ones
#     starved, and throughput is about half the 2/k bound;
#   * noc.flit_streaming with one-cycle flits changes no output (8x8 mesh).
set -u
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

T=$TEST_TMPDIR
MESH=$FIXTURES/noc/mesh.yaml

run "$WAFERSIM" validate "$TOP_SRCDIR/configs/noc/mesh8x8.yaml"
expect_status 0
expect_stdout_contains "ok (config hash"

run "$WAFERSIM" noc -q --format csv --rates 0.05,0.9 --links "$T/links.csv" --histogram "$T/hist.csv" "$MESH"
expect_status 0
cp "$RUN_OUT_FILE" "$T/a.csv"
expect_stdout_contains "offered_flits_per_node_cycle,generated_flits_per_node_cycle"
expect_stdout_contains "packet_latency_mean_cycles"
expect_stdout_contains "# config_hash: "
rows=$(grep -v '^#' "$T/a.csv" | tail -n +2)
low=$(printf '%s\n' "$rows" | sed -n 1p)
high=$(printf '%s\n' "$rows" | sed -n 2p)
# columns: 1 offered, 5 accepted, 8 latency mean, 18 saturated, 19 reason
expect_eq "low load is not saturated" "no" "$(printf '%s' "$low" | cut -d, -f18)"
expect_eq "overload is saturated" "yes" "$(printf '%s' "$high" | cut -d, -f18)"
reason=$(printf '%s' "$high" | cut -d, -f19)
if [ -n "$reason" ]; then pass "saturated point says why: $reason"; else fail "saturated point has no reason"; fi
expect_true "low load: accepted within 10% of offered" awk -v a="$(printf '%s' "$low" | cut -d, -f5)" \
    'BEGIN { exit !(a > 0.045 && a < 0.055) }'
# zero-load latency on a 4x4 mesh with P = 4, links of 1+1 cycles, mean hops
# 2(k^2-1)/(3k) = 2.5: 2 + 3.5*4 + 2.5*2 = 21 cycles; at 5% load a little more
expect_true "low load latency close to zero-load (21 cycles)" awk \
    -v l="$(printf '%s' "$low" | cut -d, -f8)" 'BEGIN { exit !(l >= 21 && l < 23) }'

run "$WAFERSIM" noc -q --format csv --rates 0.05,0.9 "$MESH"
expect_same_file "$T/a.csv" "$RUN_OUT_FILE"
run "$WAFERSIM" noc -q --no-skip --format csv --rates 0.05,0.9 "$MESH"
expect_status 0
grep -v '^# config_hash' "$RUN_OUT_FILE" | grep -v '^# config:' > "$T/noskip.csv"
grep -v '^# config_hash' "$T/a.csv" | grep -v '^# config:' > "$T/skip.csv"
expect_same_file "$T/skip.csv" "$T/noskip.csv"

# 4 x 4 mesh: 2 * 2 * 4 * 3 = 48 directed links per point, 2 points
expect_eq "rows of the per-link CSV" 96 "$(grep -v '^#' "$T/links.csv" | tail -n +2 | wc -l | tr -d ' ')"
expect_true "links CSV header" grep -q '^offered_flits_per_node_cycle,link,direction,flits,bytes,busy_cycles,utilisation,peak_buffer_flits' "$T/links.csv"
measured=$(printf '%s' "$low" | cut -d, -f15)
binned=$(grep -v '^#' "$T/hist.csv" | awk -F, 'NR > 1 && $1 == 0.05 { s += $4 } END { print s }')
expect_eq "histogram counts add up to the measured packets" "$measured" "$binned"

run "$WAFERSIM" noc -q --format json --rates 0.05 "$MESH"
expect_status 0
expect_true "json output parses" python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["rows"][0]["saturated"] == "no"' "$RUN_OUT_FILE"

# deadlock: exit 3, the report names VCs and what they wait for
run "$WAFERSIM" noc -q --format csv "$FIXTURES/noc/deadlock.yaml"
expect_status 3
expect_stderr_contains "no progress for 2000 ticks"
expect_stderr_contains "noc: "
expect_stderr_contains "waits on router"

# bad input: exit 2 with positions
run "$WAFERSIM" noc -q --rates 0.1,1.5 "$MESH"
expect_status 2
expect_stderr_contains "traffic.rates"
run "$WAFERSIM" noc -q --set noc.vcs=0 "$MESH"
expect_status 2
expect_stderr_line_starts "--set 'noc.vcs=0':1:9: error: noc.vcs: expected an integer in [1, 16], found 0"
run "$WAFERSIM" noc -q --set noc.allow_test_routing=false "$FIXTURES/noc/deadlock.yaml"
expect_status 2
expect_stderr_contains "deadlock.yaml:13:12: error: hw.routing: routing function 'test_deadlock_ring' deadlocks by design"
run "$WAFERSIM" noc -q "$MESH" extra.yaml
expect_status 2
run "$WAFERSIM" noc -q --set "hw.link.latency=2000000 cycles" "$MESH"
expect_status 2
expect_stderr_contains "exceeds the network's limit of 1048575 cycles"

# bit-complement beyond saturation: the throughput collapse of doc/noc.md
run "$WAFERSIM" noc -q --format csv --set traffic.pattern=bit_complement --rates 0.4 --links "$T/bc_links.csv" \
    "$TOP_SRCDIR/configs/noc/mesh8x8.yaml"
expect_status 0
cp "$RUN_OUT_FILE" "$T/bc.csv"
cat > "$T/bc_check.py" <<'EOF_PY'
import csv, sys
rows = [r for r in csv.reader(l for l in open(sys.argv[1]) if not l.startswith('#'))]
pt = dict(zip(rows[0], rows[1]))
links = [r for r in csv.reader(l for l in open(sys.argv[2]) if not l.startswith('#'))]
links = [dict(zip(links[0], r)) for r in links[1:]]
acc = float(pt['accepted_flits_per_node_cycle'])
flits, util = 0, {}
for d in links:
    (x0, y0), (x1, y1) = (map(int, e.split(',')) for e in d['link'].split('>'))
    if d['direction'] in 'SN' and {y0, y1} == {3, 4}:
        flits += int(d['flits'])
        util[(x0, d['direction'])] = float(d['utilisation'])
# every packet crosses exactly one of these 16 links
ident = flits / (64 * float(pt['window_cycles']))
assert abs(ident - acc) <= 0.02 * acc, (ident, acc)
assert min(util[(x, d)] for x in (3, 4) for d in 'SN') >= 0.99, util
assert max(util[(x, d)] for x in (0, 1, 6, 7) for d in 'SN') <= 0.3, util
assert acc < 0.15, acc
EOF_PY
expect_true "bit-complement overload: accepted = vertical middle links / nodes, central columns saturated, outer starved" \
    python3 "$T/bc_check.py" "$T/bc.csv" "$T/bc_links.csv"

# flit streaming with one-cycle flits (the BookSim regime) changes nothing:
# the same table, links and histogram (but the config hash), up to saturation
for s in false true; do
    run "$WAFERSIM" noc -q --format csv --rates 0.1,0.3,0.45 --set noc.flit_streaming=$s \
        --set 'traffic.packet_flits=[1,4]' --links "$T/st_links.csv" --histogram "$T/st_hist.csv" \
        "$TOP_SRCDIR/configs/noc/mesh8x8.yaml"
    expect_status 0
    cat "$RUN_OUT_FILE" "$T/st_links.csv" "$T/st_hist.csv" | grep -v '^# config_hash' > "$T/st_$s.txt"
done
expect_same_file "$T/st_false.txt" "$T/st_true.txt"
expect_eq "the streaming identity compared a saturated point" 1 "$(grep -c ',yes,[a-z]' "$T/st_true.txt")"

finish
