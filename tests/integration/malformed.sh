#!/bin/sh
# tests/integration/malformed.sh — the malformed-input corpus: every case of
# tests/malformed/MANIFEST (configs, experiment files, JSON and binary
# traces, command lines; format described there) is run from the top of the
# source tree and must
#   * exit with the status given (2, bad input; never a crash or a hang),
#   * print the expected message with its exact file:line:column,
#   * leave no output file behind: an output path in an empty folder stays
#     absent with no temporary beside it (@OUT@), and a previous result
#     stays byte-identical (@OLD@).
# The corpus must hold at least 50 cases.
set -u
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
MANIFEST=$TOP_SRCDIR/tests/malformed/MANIFEST
cd "$TOP_SRCDIR" || lib_hard_error "cannot enter $TOP_SRCDIR"
printf 'previous result\n' >"$TEST_TMPDIR/previous"

cases=0
while IFS= read -r line; do
    case $line in '#'* | '') continue ;; esac
    cases=$((cases + 1))
    input=${line%% | *}; rest=${line#* | }
    want_status=${rest%% | *}; rest=${rest#* | }
    args=${rest%% | *}; expected=${rest#* | }
    if [ "$input" = "$line" ] || [ "$expected" = "$rest" ]; then
        fail "case $cases: malformed manifest line" "$line"
        continue
    fi
    if [ "$input" != "-" ] && [ ! -f "$input" ]; then
        fail "case $cases: input $input is missing"
        continue
    fi
    outdir=$TEST_TMPDIR/case$cases
    mkdir "$outdir"
    out=$outdir/result
    case $args in *@OLD@*) cp "$TEST_TMPDIR/previous" "$out" ;; esac
    args=$(printf '%s' "$args" | sed "s|@IN@|$input|g; s|@OUT@|$out|g; s|@OLD@|$out|g")
    expected=$(printf '%s' "$expected" | sed "s|@IN@|$input|g")
    eval "set -- $args"
    run "$WAFERSIM" "$@"
    expect_status "$want_status"
    expect_stderr_contains "$expected"
    case $rest in
    *@OLD@*)
        expect_same_file "$TEST_TMPDIR/previous" "$out"
        leftovers=$(ls -A "$outdir" | grep -v '^result$')
        expect_eq "case $cases: nothing but the previous result in the output folder" "" "$leftovers" ;;
    *@OUT@*)
        expect_eq "case $cases: output folder still empty" "" "$(ls -A "$outdir")" ;;
    esac
done <"$MANIFEST"

if [ "$cases" -ge 50 ]; then
    pass "the corpus holds $cases cases (at least 50)"
else
    fail "the corpus holds $cases cases, fewer than 50"
fi
finish
