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
#     reported ok.
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
