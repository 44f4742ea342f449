#!/bin/sh
# The link widening option (arch/options/link_widening.h), checked against
# hand calculations:
#   - widening every link by 2 halves the serialisation of a 4 GiB read
#     over one hop when the link is the bottleneck (HBM made very fast;
#     links of 2048 B/cycle so that a 64 KiB flit takes exactly 32 cycles,
#     16 when widened): the time matches bytes / 4096 B/ns within 0.5%;
#   - widening horizontal links leaves a vertical transfer unchanged;
#   - the cost: on a 2 x 2 wafer "all" widens 8 directed links and adds
#     8 x 1.7 TB/s = 13.6 TB/s, i.e. 13.6 mm^2 and 54.4 W at the default
#     1 mm^2 and 4 W per TB/s; "horizontal" widens 4; a list "0,0-1,0"
#     widens 2; factor 3 adds twice as much bandwidth per link;
#   - the hottest N links of a profile (`run --links`) are widened: N
#     links, and with N = all links it equals "all";
#   - enabled: false changes nothing; widening never slows the run;
#   - bad input (a list link off the grid, hottest without a profile, a
#     missing profile, a profile of several variants) is refused, exit 2.
set -u
. "$(dirname "$0")/lib.sh"
cd "$TEST_TMPDIR" || exit 99

DEF="$TOP_SRCDIR/configs/experiments/default.yaml"
p2p() { # FROM TO [--set ...]: total_ns of the 4 GiB row
    f=$1 t=$2; shift 2
    "$WAFERSIM" probe p2p --format csv --from "$f" --to "$t" --set hw.tile.hbm.bandwidth="1000 TB/s" "$@" "$DEF" \
        --set hw.link.bandwidth="2048 B/cycle" | grep -v '^#' | awk -F, '$1 == 4294967296 { print $3 }'
}
narrow=$(p2p 0,0 1,0)
wide=$(p2p 0,0 1,0 --set options.link_widening.enabled=true)
expect_eq "4 GiB over one widened hop = bytes / 4096 B/ns within 0.5%" ok \
    "$(awk -v t="$wide" 'BEGIN { f = 4294967296 / 4096; d = (t - f) / f; print (d < 0.005 && d >= 0) ? "ok" : t " ns vs " f }')"
expect_eq "widening by 2 halves the link-bound time (within 1%)" ok \
    "$(awk -v n="$narrow" -v w="$wide" 'BEGIN { r = w / n; print (r > 0.495 && r < 0.505) ? "ok" : "ratio " r }')"
vert=$(p2p 0,0 0,1)
vert_h=$(p2p 0,0 0,1 --set options.link_widening.enabled=true --set options.link_widening.select=horizontal)
expect_eq "horizontal widening leaves a vertical transfer unchanged" "$vert" "$vert_h"

tiny_experiment 32 2 2 32 2
cp exp.yaml plain.yaml
cat >> exp.yaml <<EOF2
options:
  link_widening: {enabled: false}
EOF2
col() { csv_col "$1" "$2" default; }   # FILE COLUMN: the run's one row
run "$WAFERSIM" run -q --format csv --out off.csv --links links.csv exp.yaml
expect_status 0
run "$WAFERSIM" run -q --format csv --out plain.csv plain.yaml
expect_status 0
grep -v '^#' off.csv | cut -d, -f1-3,5- > off.rows
grep -v '^#' plain.csv | cut -d, -f1-3,5- > plain.rows
expect_same_file off.rows plain.rows
expect_eq "off: no link widened" 0 "$(col off.csv widened_links)"

widen() { # NAME [--set ...]
    name=$1; shift
    run "$WAFERSIM" run -q --format csv --out "$name.csv" --set options.link_widening.enabled=true "$@" exp.yaml
    expect_status 0
}
near() { awk -v a="$1" -v b="$2" 'BEGIN { d = a - b; print (d < 1e-9 && d > -1e-9) ? "ok" : a " vs " b }'; }
widen all
expect_eq "all: 8 directed links" 8 "$(col all.csv widened_links)"
expect_eq "all: 13.6 TB/s added" ok "$(near "$(col all.csv link_added_TBps)" 13.6)"
expect_eq "all: 13.6 mm^2" ok "$(near "$(col all.csv link_added_area_mm2)" 13.6)"
expect_eq "all: 54.4 W" ok "$(near "$(col all.csv link_added_power_W)" 54.4)"
expect_eq "widening does not slow the run" yes \
    "$(awk -v w="$(col all.csv decode_time_us)" -v n="$(col off.csv decode_time_us)" 'BEGIN { print (w <= n) ? "yes" : "no" }')"
widen horiz --set options.link_widening.select=horizontal
expect_eq "horizontal: 4 directed links" 4 "$(col horiz.csv widened_links)"
widen list --set options.link_widening.select=list --set 'options.link_widening.links=["0,0-1,0"]'
expect_eq "list 0,0-1,0: 2 directed links" 2 "$(col list.csv widened_links)"
widen three --set options.link_widening.factor=3
expect_eq "factor 3: 27.2 TB/s added" ok "$(near "$(col three.csv link_added_TBps)" 27.2)"
widen hot2 --set options.link_widening.select=hottest --set options.link_widening.hottest=2 \
    --set options.link_widening.profile=links.csv
expect_eq "hottest 2: 2 links" 2 "$(col hot2.csv widened_links)"
widen hot8 --set options.link_widening.select=hottest --set options.link_widening.hottest=8 \
    --set options.link_widening.profile=links.csv
grep -v '^#' hot8.csv | cut -d, -f1-3,5- > hot8.rows
grep -v '^#' all.csv | cut -d, -f1-3,5- > all.rows
expect_eq "hottest 8 of 8 = all (decode time)" "$(col all.csv decode_time_us)" "$(col hot8.csv decode_time_us)"

# bad input
run "$WAFERSIM" run -q --set options.link_widening.enabled=true --set options.link_widening.select=list \
    --set 'options.link_widening.links=["0,1-0,2"]' exp.yaml
expect_status 2
expect_stderr_contains 'off the 2 x 2 grid'
run "$WAFERSIM" run -q --set options.link_widening.enabled=true --set options.link_widening.select=list \
    --set 'options.link_widening.links=["0,0-0,2"]' exp.yaml
expect_status 2
expect_stderr_contains 'does not join two neighbouring tiles'
run "$WAFERSIM" run -q --set options.link_widening.enabled=true --set options.link_widening.select=hottest exp.yaml
expect_status 2
expect_stderr_contains 'select: hottest needs'
run "$WAFERSIM" run -q --set options.link_widening.enabled=true --set options.link_widening.select=hottest \
    --set options.link_widening.hottest=1 --set options.link_widening.profile=missing.csv exp.yaml
expect_status 2
expect_stderr_contains 'cannot open "missing.csv"'
{ cat links.csv; grep -v '^#' links.csv | sed -n '2p' | sed 's/^default/other/'; } > two.csv
run "$WAFERSIM" run -q --set options.link_widening.enabled=true --set options.link_widening.select=hottest \
    --set options.link_widening.hottest=1 --set options.link_widening.profile=two.csv exp.yaml
expect_status 2
expect_stderr_contains 'several variants'
finish
