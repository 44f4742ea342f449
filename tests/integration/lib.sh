# tests/integration/lib.sh — helpers sourced by the integration tests
# (tests/integration/*.sh). POSIX sh; not a test by itself.
#
# Environment (set by AM_TESTS_ENVIRONMENT in Makefile.am, or by hand):
#   WAFERSIM    absolute path of the wafersim binary (required: exit 99 if
#               unset or not executable)
#   TOP_SRCDIR  absolute path of the source tree (required: exit 99 if unset)
#   FIXTURES    tests/fixtures (defaults to $TOP_SRCDIR/tests/fixtures)
# Exported for the tests: WAFERSIM_CONFIG_DIR=$TOP_SRCDIR/configs (presets
# come from this source tree, never from an installed copy) and
# SOURCE_DATE_EPOCH=0 (provenance dates are pinned to 1970-01-01T00:00:00Z).
#
# Provides
#   TEST_TMPDIR            a fresh directory, removed when the script exits
#   run CMD [ARG]...       runs CMD with stdin from /dev/null; sets
#                          RUN_STATUS, RUN_STDOUT / RUN_STDERR (text, trailing
#                          newlines stripped), RUN_OUT_FILE / RUN_ERR_FILE
#                          (exact bytes, overwritten by the next run) and
#                          RUN_CMD (the command as shown in messages)
#   expect_status N
#   expect_stdout_contains TEXT     expect_stdout_lacks TEXT
#   expect_stderr_contains TEXT     expect_stderr_lacks TEXT
#   expect_stdout_line TEXT         (some stdout line is exactly TEXT)
#   expect_stderr_line_starts TEXT  (some stderr line starts with TEXT)
#   expect_stdout_empty / expect_stderr_empty
#   expect_file_exists PATH / expect_file_absent PATH
#   expect_same_file A B            (byte-identical)
#   expect_no_file_matching DIR GLOB
#   expect_eq DESCRIPTION EXPECTED FOUND
#   expect_true DESCRIPTION CMD [ARG]...   (CMD must exit 0)
#   pass DESCRIPTION / fail DESCRIPTION [DETAIL]...
#   note TEXT / skip_check DESCRIPTION REASON (not counted)
#   TINY                   the tiny test model, $FIXTURES/run/tiny.yaml
#   tiny_trace FILE REQUESTS SEED [ARG]...
#                          generates FILE, a trace of the tiny model
#                          (REQUESTS requests, SEED; ARGs go to `trace gen`)
#   tiny_config TRACE GRID_X GRID_Y BATCH STEPS [WORKLOAD_KEYS]
#                          prints the head of an experiment: dojo preset,
#                          the tiny model, the grid, the workload (TRACE,
#                          BATCH, STEPS and WORKLOAD_KEYS such as
#                          "shuffle: true")
#   tiny_experiment REQUESTS GRID_X GRID_Y BATCH STEPS [WORKLOAD_KEYS]
#                          tiny_trace tiny.wst REQUESTS 3, and the head of
#                          exp.yaml from tiny_config on tiny.wst; append
#                          options and variants to it
#   tiny_variants [affine] appends to exp.yaml the variants Base (even
#                          allocation) and EP (home); with "affine" also the
#                          expert_affine option, a variant Allo (affine)
#                          and baseline: Base
#   real_traces            sets REAL_TRACES to the real Llama-4-Maverick
#                          traces ($TOP_SRCDIR/../shared/data/traces, not
#                          part of the repository), or skips the test
#                          (exit 77) when that folder is absent
#   csv_col FILE COLUMN ROW   the cell of a result CSV (provenance lines
#                          skipped) in column COLUMN of the row whose first
#                          field is ROW
#   finish                 prints "N passed, M failed" as the last line and
#                          exits 0 when nothing failed, 1 otherwise (99 when
#                          no check ran at all)
# Every assertion refers to the last `run`. A failure prints what was
# expected and what was found; the script goes on so that one run reports
# every failure.

set -u

TEST_NAME=${0##*/}

lib_hard_error()
{
    printf '%s: hard error: %s\n' "$TEST_NAME" "$*" >&2
    exit 99
}

if [ -z "${WAFERSIM:-}" ]; then
    lib_hard_error "WAFERSIM is not set (the absolute path of the wafersim binary)"
fi
if [ ! -f "$WAFERSIM" ] || [ ! -x "$WAFERSIM" ]; then
    lib_hard_error "WAFERSIM=$WAFERSIM is not an executable file"
fi
if [ -z "${TOP_SRCDIR:-}" ] || [ ! -d "$TOP_SRCDIR/configs" ]; then
    lib_hard_error "TOP_SRCDIR=${TOP_SRCDIR:-} is unset or has no configs/ directory"
fi
FIXTURES=${FIXTURES:-$TOP_SRCDIR/tests/fixtures}
TINY=$FIXTURES/run/tiny.yaml
WAFERSIM_CONFIG_DIR=$TOP_SRCDIR/configs
SOURCE_DATE_EPOCH=0
export WAFERSIM FIXTURES TOP_SRCDIR WAFERSIM_CONFIG_DIR SOURCE_DATE_EPOCH
# Messages and sorting in the C locale, whatever the caller's.
LC_ALL=C
export LC_ALL

TEST_TMPDIR=$(mktemp -d "${TMPDIR:-/tmp}/wafersim-test.XXXXXX") ||
    lib_hard_error "cannot create a temporary directory"
trap 'rm -rf "$TEST_TMPDIR"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

PASSES=0
FAILURES=0
RUN_CMD="(nothing run yet)"
RUN_STATUS=
RUN_STDOUT=
RUN_STDERR=
RUN_OUT_FILE=$TEST_TMPDIR/.run.stdout
RUN_ERR_FILE=$TEST_TMPDIR/.run.stderr
: >"$RUN_OUT_FILE"
: >"$RUN_ERR_FILE"

# Quotes one word for display, the way a shell user would type it.
lib_quote()
{
    case $1 in
    '' | *[!A-Za-z0-9_./=:,+@%-]*)
        printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")" ;;
    *)
        printf '%s' "$1" ;;
    esac
}

# Indents a block of text (stdin) for inclusion in a message, at most 20 lines.
lib_indent()
{
    sed -e '20q' -e 's/^/    | /'
}

run()
{
    RUN_CMD=
    for lib_arg in "$@"; do
        if [ "$lib_arg" = "$WAFERSIM" ]; then
            RUN_CMD="${RUN_CMD:+$RUN_CMD }wafersim"
        else
            RUN_CMD="${RUN_CMD:+$RUN_CMD }$(lib_quote "$lib_arg")"
        fi
    done
    RUN_STATUS=0
    "$@" </dev/null >"$RUN_OUT_FILE" 2>"$RUN_ERR_FILE" || RUN_STATUS=$?
    RUN_STDOUT=$(cat "$RUN_OUT_FILE")
    RUN_STDERR=$(cat "$RUN_ERR_FILE")
}

pass()
{
    PASSES=$((PASSES + 1))
    printf 'ok: %s\n' "$1"
}

# fail DESCRIPTION [DETAIL]... — each DETAIL is printed on its own line.
fail()
{
    FAILURES=$((FAILURES + 1))
    printf 'FAIL: %s\n' "$1"
    shift
    for lib_detail in "$@"; do
        printf '  %s\n' "$lib_detail"
    done
}

note()
{
    printf 'note: %s\n' "$*"
}

skip_check()
{
    printf 'SKIP: %s (%s)\n' "$1" "$2"
}

lib_show_streams()
{
    if [ -s "$RUN_OUT_FILE" ]; then
        printf '  stdout was:\n'
        lib_indent <"$RUN_OUT_FILE"
    else
        printf '  stdout was empty\n'
    fi
    if [ -s "$RUN_ERR_FILE" ]; then
        printf '  stderr was:\n'
        lib_indent <"$RUN_ERR_FILE"
    else
        printf '  stderr was empty\n'
    fi
}

expect_status()
{
    if [ "$RUN_STATUS" = "$1" ]; then
        pass "$RUN_CMD: exit status $1"
    else
        fail "$RUN_CMD: exit status" "expected: $1" "found:    $RUN_STATUS"
        lib_show_streams
    fi
}

# lib_contains NAME TEXT HAYSTACK WANT(yes|no)
lib_contains()
{
    case $3 in
    *"$2"*) lib_found=yes ;;
    *) lib_found=no ;;
    esac
    if [ "$lib_found" = "$4" ]; then
        if [ "$4" = yes ]; then
            pass "$RUN_CMD: $1 contains \"$2\""
        else
            pass "$RUN_CMD: $1 does not contain \"$2\""
        fi
    else
        if [ "$4" = yes ]; then
            fail "$RUN_CMD: $1 contents" "expected: $1 containing \"$2\"" "found:    it does not"
        else
            fail "$RUN_CMD: $1 contents" "expected: $1 without \"$2\"" "found:    it contains it"
        fi
        lib_show_streams
    fi
}

expect_stdout_contains() { lib_contains stdout "$1" "$RUN_STDOUT" yes; }
expect_stdout_lacks() { lib_contains stdout "$1" "$RUN_STDOUT" no; }
expect_stderr_contains() { lib_contains stderr "$1" "$RUN_STDERR" yes; }
expect_stderr_lacks() { lib_contains stderr "$1" "$RUN_STDERR" no; }

expect_stdout_line()
{
    lib_found=no
    while IFS= read -r lib_line || [ -n "$lib_line" ]; do
        if [ "$lib_line" = "$1" ]; then
            lib_found=yes
            break
        fi
    done <"$RUN_OUT_FILE"
    if [ "$lib_found" = yes ]; then
        pass "$RUN_CMD: stdout has the line \"$1\""
    else
        fail "$RUN_CMD: stdout lines" "expected: a line that is exactly \"$1\"" "found:    none"
        lib_show_streams
    fi
}

expect_stderr_line_starts()
{
    lib_found=no
    while IFS= read -r lib_line || [ -n "$lib_line" ]; do
        case $lib_line in
        "$1"*) lib_found=yes; break ;;
        esac
    done <"$RUN_ERR_FILE"
    if [ "$lib_found" = yes ]; then
        pass "$RUN_CMD: stderr has a line starting \"$1\""
    else
        fail "$RUN_CMD: stderr lines" "expected: a line starting with \"$1\"" "found:    none"
        lib_show_streams
    fi
}

expect_stdout_empty()
{
    if [ -s "$RUN_OUT_FILE" ]; then
        fail "$RUN_CMD: stdout" "expected: nothing on stdout" "found:    $(wc -c <"$RUN_OUT_FILE" | tr -d ' ') bytes"
        lib_show_streams
    else
        pass "$RUN_CMD: stdout is empty"
    fi
}

expect_stderr_empty()
{
    if [ -s "$RUN_ERR_FILE" ]; then
        fail "$RUN_CMD: stderr" "expected: nothing on stderr" "found:    $(wc -c <"$RUN_ERR_FILE" | tr -d ' ') bytes"
        lib_show_streams
    else
        pass "$RUN_CMD: stderr is empty"
    fi
}

expect_file_exists()
{
    if [ -f "$1" ]; then
        pass "$RUN_CMD: file $1 exists"
    else
        fail "$RUN_CMD: file $1" "expected: a regular file" "found:    none"
        lib_show_streams
    fi
}

expect_file_absent()
{
    if [ -e "$1" ] || [ -L "$1" ]; then
        fail "$RUN_CMD: file $1" "expected: no such file" "found:    $(ls -ld "$1" 2>&1)"
    else
        pass "$RUN_CMD: no file $1"
    fi
}

expect_same_file()
{
    if cmp -s "$1" "$2"; then
        pass "$1 and $2 are byte-identical"
    else
        fail "$1 and $2 differ" "expected: byte-identical files" "found:    differences:"
        diff "$1" "$2" 2>&1 | lib_indent
    fi
}

# expect_no_file_matching DIR GLOB — e.g. no leftover temporaries "*.tmp.*".
expect_no_file_matching()
{
    lib_left=
    for lib_f in "$1"/$2 "$1"/.$2; do
        if [ -e "$lib_f" ] || [ -L "$lib_f" ]; then
            lib_left="${lib_left:+$lib_left }${lib_f##*/}"
        fi
    done
    if [ -z "$lib_left" ]; then
        pass "$RUN_CMD: no file matching $2 in $1"
    else
        fail "$RUN_CMD: files matching $2 in $1" "expected: none" "found:    $lib_left"
    fi
}

expect_eq()
{
    if [ "$2" = "$3" ]; then
        case $2 in
        *"
"*) pass "$1: $(printf '%s\n' "$2" | wc -l | tr -d ' ') lines as expected" ;;
        *) pass "$1: \"$2\"" ;;
        esac
    else
        fail "$1" "expected: \"$2\"" "found:    \"$3\""
    fi
}

expect_true()
{
    lib_desc=$1
    shift
    if lib_out=$("$@" 2>&1); then
        pass "$lib_desc"
    else
        fail "$lib_desc" "expected: '$*' to succeed" "found:    it failed:"
        printf '%s\n' "$lib_out" | lib_indent
    fi
}

# json_trace NAME N REQUEST: a trace of the tiny model, NAME.wst, imported from N requests in the
# study's JSON layout (NAME.d/bench/s/R.json), request R printed by REQUEST R
json_trace() {
    mkdir -p "$1.d/bench/s"
    r=0
    while [ "$r" -lt "$2" ]; do
        "$3" "$r" > "$1.d/bench/s/$r.json"
        r=$((r + 1))
    done
    run "$WAFERSIM" trace import -q "$1.d" --model "$TINY" -o "$1.wst"
    expect_status 0
}

tiny_trace()
{
    lib_file=$1 lib_requests=$2 lib_seed=$3
    shift 3
    run "$WAFERSIM" trace gen --model "$TINY" --requests "$lib_requests" --seed "$lib_seed" "$@" -o "$lib_file" -q
    expect_status 0
}

tiny_config()
{
    cat <<EOF_TINY
preset: dojo
model: $TINY
hw:
  grid: {x: $2, y: $3}
workload: {trace: $1, batch: $4, decode_steps: $5${6:+, $6}}
EOF_TINY
}

tiny_experiment()
{
    tiny_trace tiny.wst "$1" 3
    tiny_config tiny.wst "$2" "$3" "$4" "$5" "${6:-}" > exp.yaml
}

tiny_variants()
{
    {
        if [ "${1:-}" = affine ]; then
            printf 'options:\n  expert_affine: {enabled: true}\n'
        fi
        printf 'variants:\n'
        printf '  - {name: Base, set: ["strategy.allocation=even"]}\n'
        printf '  - {name: EP, set: ["strategy.allocation=home"]}\n'
        if [ "${1:-}" = affine ]; then
            printf '  - {name: Allo, set: ["strategy.allocation=affine"]}\nbaseline: Base\n'
        fi
    } >> exp.yaml
}

real_traces()
{
    REAL_TRACES=$TOP_SRCDIR/../shared/data/traces
    if [ ! -d "$REAL_TRACES" ]; then
        echo "SKIP: $REAL_TRACES absent (real traces are not part of the repository)"
        exit 77
    fi
}

csv_col()
{
    grep -v '^#' "$1" | awk -F, -v name="$2" -v row="$3" \
        'NR == 1 { for (i = 1; i <= NF; i++) if ($i == name) c = i } NR > 1 && $1 == row { print $c }'
}

finish()
{
    if [ $((PASSES + FAILURES)) -eq 0 ]; then
        lib_hard_error "no check ran"
    fi
    printf '%d passed, %d failed\n' "$PASSES" "$FAILURES"
    if [ "$FAILURES" -eq 0 ]; then
        exit 0
    fi
    exit 1
}
