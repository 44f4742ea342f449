#!/bin/sh
# tests/integration/config_errors.sh — bad configs are refused with exit
# status 2 and a diagnostic "FILE:LINE:COLUMN: error: KEY.PATH: TEXT" that
# points at the culprit:
#   * a misspelt key (with the "did you mean" hint, and none when nothing is
#     close), a number without a unit, an unknown unit, wrong types, a value
#     out of range, a bad --set value, YAML syntax errors, a duplicate key, a
#     nonexistent file, an unknown preset;
#   * `config show` of a bad file exits 2, prints nothing on stdout and with
#     --out creates no file (and leaves an existing one untouched);
#   * a file with three errors reports all three, in file order;
#   * `validate` of several files, one bad: exit 2, the good ones still
#     reported ok;
#   * hostile and odd input, refused at once with a position: an alias bomb,
#     a recursive alias, 10 MB and 1 MiB of '[', 90000 keys with a
#     duplicate, a NUL in a key, invalid UTF-8, a directory, a trailing
#     "---", the end of a one-line --set value; an out-of-range clock gives
#     one error (no cascade through "cycles"); a folded scalar's trailing
#     line break is not part of its unit.
set -u
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

T=$TEST_TMPDIR
DEFAULT=$TOP_SRCDIR/configs/experiments/default.yaml
# Files are written to and named relative to the temp dir, so that the
# diagnostics read "typo.yaml:4:5: ...".
cd "$T" || exit 99

# check_bad FILE PREFIX [TEXT]... — validate FILE: exit 2, a stderr line
# starting with PREFIX, stderr containing each TEXT, "FILE: invalid" summary.
check_bad()
{
    cb_file=$1
    cb_prefix=$2
    shift 2
    run "$WAFERSIM" validate "$cb_file"
    expect_status 2
    expect_stdout_empty
    expect_stderr_line_starts "$cb_prefix"
    for cb_text in "$@"; do
        expect_stderr_contains "$cb_text"
    done
    expect_stderr_contains "$cb_file: invalid ("
}

# ------------------------------------------------------------ misspelt key
# hw.link comes from the preset; the misspelt key is in this file, line 4.
cat >typo.yaml <<'EOF'
preset: dojo
hw:
  link:
    bandwdith: 2 TB/s
EOF
# The error names typo.yaml although hw.link also exists in the preset
# (regression: it used to name configs/hw/dojo.yaml with typo.yaml's
# line:column).
check_bad typo.yaml "typo.yaml:4:5: error: hw.link.bandwdith:" \
    'unknown key "bandwdith"' '(did you mean "bandwidth"?)'
expect_stderr_lacks "dojo.yaml"

# The same mistake in a mapping that this file creates (sim is not in the
# preset) is attributed correctly.
cat >typo-sim.yaml <<'EOF'
preset: dojo
sim:
  clokc: 2 GHz
EOF
check_bad typo-sim.yaml "typo-sim.yaml:3:3: error: sim.clokc:" \
    'unknown key "clokc"' '(did you mean "clock"?)'

# Nothing close: no hint.
cat >nohint.yaml <<'EOF'
preset: dojo
sim:
  zzzzzz: 1
EOF
check_bad nohint.yaml "nohint.yaml:3:3: error: sim.zzzzzz:" 'unknown key "zzzzzz"'
expect_stderr_lacks "did you mean"

# A misspelt key given with --set.
# Reported against the --set argument, not the preset (same regression).
run "$WAFERSIM" validate --set 'hw.link.bandwdith=2 TB/s' "$DEFAULT"
expect_status 2
expect_stderr_line_starts "--set 'hw.link.bandwdith=2 TB/s':1:"
expect_stderr_contains ': error: hw.link.bandwdith: unknown key "bandwdith" (did you mean "bandwidth"?)'
expect_stderr_lacks "dojo.yaml"

# ------------------------------------------------------------ units
cat >nounit.yaml <<'EOF'
preset: dojo
hw:
  link:
    bandwidth: 2000
EOF
check_bad nounit.yaml "nounit.yaml:4:16: error: hw.link.bandwidth:" "with a unit" '"2000"'

cat >badunit.yaml <<'EOF'
preset: dojo
hw:
  link:
    bandwidth: 2 furlongs
EOF
check_bad badunit.yaml "badunit.yaml:4:16: error: hw.link.bandwidth:" '"furlongs"' "GB/s"

# A unit of the wrong dimension (a time where a bandwidth is expected).
cat >wrongdim.yaml <<'EOF'
preset: dojo
hw:
  link:
    bandwidth: 5 ns
EOF
check_bad wrongdim.yaml "wrongdim.yaml:4:16: error: hw.link.bandwidth:"

# ------------------------------------------------------------ types and ranges
cat >type.yaml <<'EOF'
preset: dojo
hw:
  grid:
    x: five
EOF
check_bad type.yaml "type.yaml:4:8: error: hw.grid.x:" "expected an integer" '"five"'

cat >bool.yaml <<'EOF'
preset: dojo
sim:
  activity_skipping: maybe
EOF
check_bad bool.yaml "bool.yaml:3:22: error: sim.activity_skipping:" '"maybe"'

cat >notmap.yaml <<'EOF'
preset: dojo
hw:
  link: 5
EOF
check_bad notmap.yaml "notmap.yaml:3:9: error: hw.link:" "expected a mapping"

cat >range.yaml <<'EOF'
preset: dojo
hw:
  grid:
    x: 0
EOF
check_bad range.yaml "range.yaml:4:8: error: hw.grid.x:" "[1, 1024]"

# ------------------------------------------------------------ --set values
run "$WAFERSIM" validate --set 'hw.link.bandwidth=abc' "$DEFAULT"
expect_status 2
expect_stdout_empty
expect_stderr_line_starts "--set 'hw.link.bandwidth=abc':1:19: error: hw.link.bandwidth:"
expect_stderr_contains '"abc"'

run "$WAFERSIM" validate --set 'hw.link.bandwidth=2' "$DEFAULT"
expect_status 2
expect_stderr_line_starts "--set 'hw.link.bandwidth=2':1:19: error: hw.link.bandwidth:"

run "$WAFERSIM" config show --set 'hw.grid.x=zero' "$DEFAULT"
expect_status 2
expect_stdout_empty
expect_stderr_line_starts "--set 'hw.grid.x=zero':1:11: error: hw.grid.x:"

# ------------------------------------------------------------ YAML syntax
cat >syntax.yaml <<'EOF'
preset: dojo
sim:
  clock: 1 GHz: 2
EOF
check_bad syntax.yaml "syntax.yaml:3:15: error: YAML syntax error:"

cat >unterminated.yaml <<'EOF'
preset: dojo
description: "no closing quote
EOF
run "$WAFERSIM" validate unterminated.yaml
expect_status 2
expect_stderr_line_starts "unterminated.yaml:"
expect_stderr_contains "YAML syntax error"

cat >dup.yaml <<'EOF'
preset: dojo
sim:
  seed: 1
  seed: 2
EOF
check_bad dup.yaml "dup.yaml:4:3: error:" 'duplicate key "seed"'

# ------------------------------------------------------------ hostile and odd input
# Each must be refused (exit 2) with a positioned message, at once: the
# timeout (when the system has one) turns a hang into a failure. Before the
# fixes the alias bomb grew to 8 GB and aborted (exit 134), 10^6 '[' took
# hours and 10^5 keys 39 s.
TO=
if command -v timeout >/dev/null 2>&1; then
    TO="timeout 20"
fi
cat >bomb.yaml <<'EOF'
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
EOF
run $TO "$WAFERSIM" validate bomb.yaml
expect_status 2
expect_stderr_line_starts "bomb.yaml:6:8: error: more than 100000 YAML nodes after expanding alias *e"

printf 'a: &x [*x]\n' >selfref.yaml
check_bad selfref.yaml "selfref.yaml:1:8: error: alias *x refers to a node that contains it"

# 10 MB of '[': refused from its size; 1 MiB - 1 of them: at the 65th.
head -c 10000000 /dev/zero | tr '\0' '[' >brackets10m.yaml
run $TO "$WAFERSIM" validate brackets10m.yaml
expect_status 2
expect_stderr_line_starts "brackets10m.yaml: error: too large: 10000000 bytes"
expect_stderr_contains "1 MiB"
head -c 1048575 /dev/zero | tr '\0' '[' >brackets1m.yaml
run $TO "$WAFERSIM" validate brackets1m.yaml
expect_status 2
expect_stderr_line_starts "brackets1m.yaml:1:65: error: nesting deeper than 64 levels"

# 90000 keys and a duplicate at the end.
awk 'BEGIN { for (i = 0; i < 90000; i++) printf "k%d: 1\n", i; print "k42: 2" }' >manykeys.yaml
run $TO "$WAFERSIM" validate manykeys.yaml
expect_status 2
expect_stderr_line_starts 'manykeys.yaml:90001:1: error: duplicate key "k42"'

# A NUL in a key (it used to be cut: "clock\0junk" was read as "clock").
printf 'preset: dojo\nsim:\n  "clock\\0junk": 2 GHz\n' >nulkey.yaml
check_bad nulkey.yaml "nulkey.yaml:3:3: error: key contains a NUL character"

# Invalid UTF-8 has a line and column.
printf 'preset: dojo\nsim:\n  clock: \377\376 GHz\n' >latin.yaml
check_bad latin.yaml "latin.yaml:3:10: error: YAML syntax error: invalid leading UTF-8 octet"

# A directory is named as such (not "input error").
mkdir adir.yaml
check_bad adir.yaml "adir.yaml: error: is a directory"
expect_stderr_lacks "input error"

# A trailing "---" (a second, empty document) is reported on its line, not
# one past the end.
printf 'preset: dojo\nsim:\n  seed: 1\n---\n' >docsep.yaml
check_bad docsep.yaml "docsep.yaml:4:4: error: expected a single YAML document, found a second one"

# A --set value has one line: the end of it is line 1, after its last
# character (it used to say line 2).
run "$WAFERSIM" validate --set 'sim.clock=[1' "$DEFAULT"
expect_status 2
expect_stderr_line_starts "--set 'sim.clock=[1':1:13: error: YAML syntax error:"

# An out-of-range clock is one error: "cycles" elsewhere use the default
# clock rather than 1 Hz (which gave a second error); the range is readable.
cat >slowclock.yaml <<'EOF'
preset: dojo
sim:
  clock: 1 Hz
hw:
  link:
    latency: 200 cycles
EOF
check_bad slowclock.yaml "slowclock.yaml:3:10: error: sim.clock: expected a frequency in [1 MHz, 100 GHz]" \
    "slowclock.yaml: invalid (1 error)"

# A folded scalar ends with a line break; it is a blank, not part of the unit.
cat >folded.yaml <<'EOF'
preset: dojo
sim:
  watchdog: >
    1 ms
EOF
run "$WAFERSIM" validate folded.yaml
expect_status 0
expect_stderr_empty

# ------------------------------------------------------------ files and presets
run "$WAFERSIM" validate does-not-exist.yaml
expect_status 2
expect_stdout_empty
expect_stderr_line_starts "does-not-exist.yaml: error:"
expect_stderr_contains "No such file"

cat >preset.yaml <<'EOF'
description: "unknown preset"
preset: nosuch
EOF
check_bad preset.yaml "preset.yaml:2:9: error: preset:" '"nosuch"' "dojo, tsmc-sow, dojo-enhanced"

# ------------------------------------------------------------ config show of a bad file
run "$WAFERSIM" config show badunit.yaml
expect_status 2
expect_stdout_empty
expect_stderr_line_starts "badunit.yaml:4:16: error: hw.link.bandwidth:"

mkdir out
run "$WAFERSIM" config show --out out/resolved.yaml badunit.yaml
expect_status 2
expect_stdout_empty
expect_stderr_line_starts "badunit.yaml:4:16: error: hw.link.bandwidth:"
expect_file_absent out/resolved.yaml
expect_no_file_matching out '*.tmp.*'

# An existing output file is left as it was.
printf 'earlier result\n' >out/kept.yaml
cp out/kept.yaml kept.orig
run "$WAFERSIM" config show --out out/kept.yaml --set 'hw.link.bandwidth=abc' "$DEFAULT"
expect_status 2
expect_same_file kept.orig out/kept.yaml
expect_no_file_matching out '*.tmp.*'

# ------------------------------------------------------------ several errors
cat >three.yaml <<'EOF'
preset: dojo
sim:
  clokc: 1 GHz
hw:
  grid:
    x: five
  link:
    latency: 3 parsecs
EOF
check_bad three.yaml "three.yaml:3:3: error: sim.clokc:"
expect_stderr_line_starts "three.yaml:6:8: error: hw.grid.x:"
expect_stderr_line_starts "three.yaml:8:14: error: hw.link.latency:"
expect_stderr_contains "three.yaml: invalid (3 errors)"
positions=$(grep ': error: ' "$RUN_ERR_FILE" | cut -d: -f1-3 | tr '\n' ' ')
expect_eq "error positions reported for three.yaml, in order" \
    "three.yaml:3:3 three.yaml:6:8 three.yaml:8:14 " "$positions"

# ------------------------------------------------------------ validate several files
cp "$DEFAULT" good1.yaml
cp "$TOP_SRCDIR/configs/hw/tsmc-sow.yaml" good2.yaml
run "$WAFERSIM" validate good1.yaml badunit.yaml good2.yaml
expect_status 2
expect_stdout_contains "good1.yaml: ok (config hash "
expect_stdout_contains "good2.yaml: ok (config hash "
expect_stdout_lacks "badunit.yaml"
expect_stderr_line_starts "badunit.yaml:4:16: error: hw.link.bandwidth:"
expect_stderr_contains "badunit.yaml: invalid (1 error)"
expect_stderr_lacks "good1.yaml"
expect_stderr_lacks "good2.yaml"

# Same with the bad file first: the ones after it are still checked.
run "$WAFERSIM" validate type.yaml good1.yaml
expect_status 2
expect_stdout_contains "good1.yaml: ok (config hash "
expect_stderr_contains "type.yaml: invalid (1 error)"

# All good: exit 0.
run "$WAFERSIM" validate good1.yaml good2.yaml
expect_status 0
expect_stderr_empty

finish
