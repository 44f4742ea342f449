#!/bin/sh
# tests/integration/presets.sh — the shipped configs and the resolved view:
#   * `validate` accepts every configs/hw/*.yaml and configs/experiments/*.yaml
#     (one by one and all at once; -q silences the "ok" lines);
#   * `config show` of default.yaml resolves the dojo preset (HBM bandwidth
#     3350 GB/s, a 5 x 5 grid) and its hash comment matches `validate`;
#   * `config show` output fed back to `config show` is byte-identical, for
#     every shipped file; --out writes the same bytes as stdout;
#   * overrides: --set hw.grid.x=4 changes x and the hash; an override that
#     resolves to the same value keeps the hash; --no-skip sets
#     activity_skipping: false; cycles are converted with the resolved clock
#     whichever --set comes first;
#   * preset lookup honours WAFERSIM_CONFIG_DIR and relative preset paths.
set -u
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

T=$TEST_TMPDIR
DEFAULT=$TOP_SRCDIR/configs/experiments/default.yaml

# hash_of FILE — the hash in the "# resolved by wafersim; config hash H" line.
hash_of()
{
    sed -n 's/^# resolved by wafersim; config hash \([0-9a-f]\{16\}\)$/\1/p' "$1"
}

# section_value FILE SECTION KEY — the value of "    KEY: V" under the
# two-space-indented "  SECTION:" of hw (e.g. section_value f link latency).
section_value()
{
    sed -n "/^  $2:\$/,/^  [a-z_]*:/p" "$1" | sed -n "s/^    $3: //p"
}

# ------------------------------------------------------------ validate
# The shipped files become the positional parameters ("$@").
set --
for f in "$TOP_SRCDIR"/configs/hw/*.yaml "$TOP_SRCDIR"/configs/experiments/*.yaml; do
    if [ ! -f "$f" ]; then
        fail "shipped config $f" "expected: a file" "found:    nothing matches"
        continue
    fi
    set -- "$@" "$f"
    run "$WAFERSIM" validate "$f"
    expect_status 0
    expect_stderr_empty
    if printf '%s\n' "$RUN_STDOUT" | grep -q "^$f: ok (config hash [0-9a-f]\{16\})\$"; then
        pass "$RUN_CMD: prints \"$f: ok (config hash HHHHHHHHHHHHHHHH)\""
    else
        fail "$RUN_CMD: stdout" "expected: \"$f: ok (config hash <16 hex digits>)\"" "found:    \"$RUN_STDOUT\""
    fi
done
for p in dojo tsmc-sow dojo-enhanced; do
    if [ -f "$TOP_SRCDIR/configs/hw/$p.yaml" ]; then
        pass "preset $p is shipped"
    else
        fail "preset $p" "expected: configs/hw/$p.yaml" "found:    none"
    fi
done

run "$WAFERSIM" validate "$@"
expect_status 0
n_ok=$(grep -c ': ok (config hash ' "$RUN_OUT_FILE")
expect_eq "wafersim validate of all $# shipped files: ok lines" "$#" "$n_ok"

run "$WAFERSIM" validate -q "$DEFAULT"
expect_status 0
expect_stdout_empty
expect_stderr_empty

# ------------------------------------------------------------ config show default.yaml
run "$WAFERSIM" config show "$DEFAULT"
expect_status 0
expect_stderr_empty
expect_stdout_contains "bandwidth: 3350 GB/s"
expect_stdout_contains "x: 5"
expect_stdout_line 'preset: "dojo"'
expect_stdout_line "  activity_skipping: true"
cp "$RUN_OUT_FILE" "$T/default.resolved.yaml"
expect_eq "hw.tile.hbm.bandwidth of default.yaml" "3350 GB/s" \
    "$(sed -n '/^    hbm:$/,/^    [a-z]/p' "$T/default.resolved.yaml" | sed -n 's/^      bandwidth: //p')"
expect_eq "hw.grid.x of default.yaml" "5" "$(section_value "$T/default.resolved.yaml" grid x)"
expect_eq "hw.link.bandwidth of default.yaml" "1700 GB/s" "$(section_value "$T/default.resolved.yaml" link bandwidth)"
default_hash=$(hash_of "$T/default.resolved.yaml")
if [ -n "$default_hash" ]; then
    pass "config show default.yaml: hash comment ($default_hash)"
else
    fail "config show default.yaml: hash comment" \
        "expected: a line \"# resolved by wafersim; config hash <16 hex digits>\"" "found:    none"
fi
run "$WAFERSIM" validate "$DEFAULT"
expect_stdout_contains "ok (config hash $default_hash)"

# ------------------------------------------------------------ round trip
i=0
for f in "$@"; do
    i=$((i + 1))
    run "$WAFERSIM" config show "$f"
    expect_status 0
    cp "$RUN_OUT_FILE" "$T/rt$i.first.yaml"
    run "$WAFERSIM" config show "$T/rt$i.first.yaml"
    expect_status 0
    cp "$RUN_OUT_FILE" "$T/rt$i.second.yaml"
    expect_same_file "$T/rt$i.first.yaml" "$T/rt$i.second.yaml"
    # and the resolved file is itself valid, with the same hash
    run "$WAFERSIM" validate "$T/rt$i.first.yaml"
    expect_status 0
    expect_stdout_contains "ok (config hash $(hash_of "$T/rt$i.first.yaml"))"
done

mkdir "$T/out"
run "$WAFERSIM" config show --out "$T/out/default.yaml" "$DEFAULT"
expect_status 0
expect_stdout_empty
expect_same_file "$T/default.resolved.yaml" "$T/out/default.yaml"
expect_no_file_matching "$T/out" '*.tmp.*'

run "$WAFERSIM" config show -o "$T/out/default-o.yaml" "$DEFAULT"
expect_status 0
expect_same_file "$T/default.resolved.yaml" "$T/out/default-o.yaml"

# ------------------------------------------------------------ overrides
run "$WAFERSIM" config show --set hw.grid.x=4 "$DEFAULT"
expect_status 0
cp "$RUN_OUT_FILE" "$T/x4.yaml"
expect_eq "hw.grid.x with --set hw.grid.x=4" "4" "$(section_value "$T/x4.yaml" grid x)"
expect_eq "hw.grid.y with --set hw.grid.x=4" "5" "$(section_value "$T/x4.yaml" grid y)"
x4_hash=$(hash_of "$T/x4.yaml")
if [ -n "$x4_hash" ] && [ "$x4_hash" != "$default_hash" ]; then
    pass "--set hw.grid.x=4 changes the hash ($default_hash -> $x4_hash)"
else
    fail "--set hw.grid.x=4 changes the hash" "expected: a hash other than $default_hash" "found:    \"$x4_hash\""
fi
# Apart from x and the hash line, nothing changes.
changed=$(diff "$T/default.resolved.yaml" "$T/x4.yaml" | grep -c '^[<>]')
expect_eq "lines changed by --set hw.grid.x=4 (hash and x, old and new)" "4" "$changed"

# Same resolved config, other route: same hash, same text.
run "$WAFERSIM" config show --set 'hw.link.bandwidth=1.7 TB/s' --set 'hw.grid={x: 5, y: 5}' "$DEFAULT"
expect_status 0
cp "$RUN_OUT_FILE" "$T/same.yaml"
expect_same_file "$T/default.resolved.yaml" "$T/same.yaml"

run "$WAFERSIM" config show --no-skip "$DEFAULT"
expect_status 0
expect_stdout_line "  activity_skipping: false"
expect_stdout_lacks "activity_skipping: true"
cp "$RUN_OUT_FILE" "$T/noskip.yaml"
run "$WAFERSIM" config show --set sim.activity_skipping=false "$DEFAULT"
expect_status 0
cp "$RUN_OUT_FILE" "$T/noskip-set.yaml"
expect_same_file "$T/noskip.yaml" "$T/noskip-set.yaml"
run "$WAFERSIM" validate --no-skip "$DEFAULT"
expect_status 0
expect_stdout_lacks "$default_hash"

# Cycles are converted with the resolved clock.
run "$WAFERSIM" config show --set sim.clock=2GHz --set hw.link.latency=400cycles "$DEFAULT"
expect_status 0
expect_stdout_contains "latency: 200 ns"
expect_stdout_line "  clock: 2 GHz"
cp "$RUN_OUT_FILE" "$T/cyc.yaml"
expect_eq "hw.link.latency with sim.clock=2GHz, hw.link.latency=400cycles" "200 ns" \
    "$(section_value "$T/cyc.yaml" link latency)"
# The preset's link latency is 200 ns too; these show the override matters.
run "$WAFERSIM" config show --set hw.link.latency=400cycles "$DEFAULT"
expect_status 0
cp "$RUN_OUT_FILE" "$T/cyc1.yaml"
expect_eq "hw.link.latency with the 1 GHz clock, hw.link.latency=400cycles" "400 ns" \
    "$(section_value "$T/cyc1.yaml" link latency)"
run "$WAFERSIM" config show --set hw.link.latency=600cycles --set sim.clock=2GHz "$DEFAULT"
expect_status 0
cp "$RUN_OUT_FILE" "$T/cyc2.yaml"
expect_eq "hw.link.latency with hw.link.latency=600cycles then sim.clock=2GHz" "300 ns" \
    "$(section_value "$T/cyc2.yaml" link latency)"

# ------------------------------------------------------------ preset lookup
mkdir -p "$T/cfgdir/hw" "$T/exp" "$T/mine"
sed 's/grid: {x: 5, y: 5}/grid: {x: 7, y: 5}/' "$TOP_SRCDIR/configs/hw/dojo.yaml" >"$T/cfgdir/hw/dojo.yaml"
run env WAFERSIM_CONFIG_DIR="$T/cfgdir" "$WAFERSIM" config show "$DEFAULT"
expect_status 0
cp "$RUN_OUT_FILE" "$T/cfgdir.yaml"
expect_eq "hw.grid.x with WAFERSIM_CONFIG_DIR holding a 7 x 5 dojo" "7" "$(section_value "$T/cfgdir.yaml" grid x)"

sed 's/x: 3, y: 8/x: 2, y: 9/' "$TOP_SRCDIR/configs/hw/tsmc-sow.yaml" >"$T/mine/sow.yaml"
printf 'preset: ../mine/sow.yaml\nsim:\n  seed: 7\n' >"$T/exp/e.yaml"
run "$WAFERSIM" config show "$T/exp/e.yaml"
expect_status 0
cp "$RUN_OUT_FILE" "$T/relpreset.yaml"
expect_eq "hw.grid.x with preset ../mine/sow.yaml (relative to the file)" "2" "$(section_value "$T/relpreset.yaml" grid x)"
expect_eq "hw.grid.y with preset ../mine/sow.yaml (relative to the file)" "9" "$(section_value "$T/relpreset.yaml" grid y)"
expect_stdout_line "  seed: 7"

# the shipped study grid: 4 models x 2 meshes x 3 batches x 5 strategies =
# 120 points, each model at most once with its HBM capacity (Kimi K2 on
# 100 GB tiles, the others on the preset's 80 GB)
run "$WAFERSIM" sweep --list --format csv "$TOP_SRCDIR/configs/experiments/study.yaml"
expect_status 0
printf '%s\n' "$RUN_STDOUT" | grep -v '^#' | tail -n +2 > "$T/study_points.csv"
expect_eq "study.yaml: 120 points" 120 "$(wc -l < "$T/study_points.csv" | tr -d ' ')"
expect_eq "study.yaml: 24 points per strategy" "24 24 24 24 24" \
    "$(for v in Base EP 'Allo Only' 'Pred Only' 'Allo+Pred'; do grep -c ",$v,0," "$T/study_points.csv"; done | tr '\n' ' ' | sed 's/ $//')"
expect_eq "study.yaml: kimi-k2 on 100 GB tiles, the rest on 80 GB" "deepseek-v3,80 GB kimi-k2,100 GB llama4-maverick,80 GB qwen3-235b,80 GB" \
    "$(cut -d, -f5,6 "$T/study_points.csv" | sort -u | tr '\n' ' ' | sed 's/ $//')"
finish
