#!/bin/sh
# tests/integration/cli.sh — the command line of wafersim as a user sees it:
#   * no arguments: exit 2; --help / -h / help: exit 0 and list every
#     subcommand; --version / -V / version: "wafersim VERSION ...", VERSION
#     being the one in configure.ac;
#   * `help SUBCOMMAND` and `SUBCOMMAND --help` exit 0 and print the same
#     usage, for every subcommand listed by --help;
#   * unknown subcommands and options: exit 2, naming the culprit; a missing
#     option value says so ("option --out needs a value");
#   * options after positional arguments (the README's `config show ...
#     --set` command, run as written there); "--" ends the options;
#   * `wafersim options`: exactly the three hardware options, compiled in
#     (the default build), in csv, json (checked by python3) and table;
#     --format xml is refused; --out writes atomically (no temporary left,
#     same bytes as stdout) and a failed --out exits 1 leaving nothing;
#   * provenance lines (command, wafersim_version, revision, date pinned by
#     SOURCE_DATE_EPOCH);
#   * `validate` without files and `config` without show/keys exit 2;
#     `config keys` prints a Markdown table with hw.link.bandwidth.
set -u
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

T=$TEST_TMPDIR
EXPECTED_COMMANDS="version options validate config probe model trace run noc sweep"
EXPECTED_OPTIONS="expert_affine link_widening migration"

# ------------------------------------------------------------ top level
run "$WAFERSIM"
expect_status 2
expect_stderr_contains "usage: wafersim SUBCOMMAND"
expect_stdout_empty

for flag in --help -h help; do
    run "$WAFERSIM" "$flag"
    expect_status 0
    expect_stdout_contains "usage: wafersim SUBCOMMAND"
    for c in $EXPECTED_COMMANDS; do
        # a subcommand line is "  NAME  summary"
        if printf '%s\n' "$RUN_STDOUT" | grep -q "^  $c  *[^ ]"; then
            pass "$RUN_CMD lists subcommand $c"
        else
            fail "$RUN_CMD lists subcommand $c" "expected: a line \"  $c  <summary>\"" "found:    none"
        fi
    done
done

# The subcommands as --help lists them: the lines after "subcommands:" up to
# the first blank line.
run "$WAFERSIM" --help
listed=$(sed -n '/^subcommands:/,/^$/p' "$RUN_OUT_FILE" | awk 'NR > 1 && NF { print $1 }' | tr '\n' ' ')
listed=${listed% }
expect_eq "subcommands listed by wafersim --help" "$EXPECTED_COMMANDS" "$listed"

# ------------------------------------------------------------ version
conf_version=$(sed -n 's/^AC_INIT(\[wafersim\], *\[\([^]]*\)\].*/\1/p' "$TOP_SRCDIR/configure.ac")
if [ -z "$conf_version" ]; then
    fail "version in configure.ac" "expected: AC_INIT([wafersim], [VERSION], ...)" "found:    none"
    conf_version=0.1.0
fi
run "$WAFERSIM" --version
expect_status 0
expect_stderr_empty
first_line=$(sed -n 1p "$RUN_OUT_FILE")
case $first_line in
"wafersim $conf_version" | "wafersim $conf_version "*)
    pass "wafersim --version first line starts \"wafersim $conf_version\"" ;;
*)
    fail "wafersim --version first line" "expected: \"wafersim $conf_version ...\"" "found:    \"$first_line\"" ;;
esac
# The hardware options line of `version` names each option with + (compiled
# in) or - (not).
version_out=$RUN_STDOUT
for opt in $EXPECTED_OPTIONS; do
    expect_stdout_contains "+$opt"
done
for alias in -V version; do
    run "$WAFERSIM" "$alias"
    expect_status 0
    expect_eq "wafersim $alias prints the same as wafersim --version" "$version_out" "$RUN_STDOUT"
done

# ------------------------------------------------------------ per-subcommand help
for c in $listed; do
    run "$WAFERSIM" help "$c"
    expect_status 0
    expect_stdout_contains "usage: wafersim $c"
    help_out=$RUN_STDOUT
    for flag in --help -h; do
        run "$WAFERSIM" "$c" "$flag"
        expect_status 0
        expect_eq "wafersim $c $flag prints the same usage as wafersim help $c" "$help_out" "$RUN_STDOUT"
    done
done

# ------------------------------------------------------------ unknown things
run "$WAFERSIM" frobnicate
expect_status 2
expect_stderr_contains '"frobnicate"'
expect_stdout_empty

run "$WAFERSIM" help frobnicate
expect_status 2
expect_stderr_contains '"frobnicate"'

run "$WAFERSIM" --bogus
expect_status 2
expect_stderr_contains "--bogus"

run "$WAFERSIM" options --bogus
expect_status 2
expect_stderr_contains '"--bogus"'
expect_stdout_empty

run "$WAFERSIM" validate --bogus "$TOP_SRCDIR/configs/experiments/default.yaml"
expect_status 2
expect_stderr_contains '"--bogus"'

run "$WAFERSIM" options --format
expect_status 2
expect_stderr_contains "option --format needs a value"

# A missing value is reported as such, not as an unknown option
# (regression: the optstring lacked its leading ':').
run "$WAFERSIM" options --out
expect_status 2
expect_stderr_contains "option --out needs a value"
expect_stderr_lacks "unknown option"
expect_stdout_empty
run "$WAFERSIM" options -o
expect_status 2
expect_stderr_contains "option -o needs a value"

# Options may follow the arguments (GNU permutation); "--" ends them.
# Regression: the README's command failed with "options must come before
# arguments". It is run here exactly as the README writes it.
readme_cmd=$(grep -m1 '^build/wafersim config show ' "$TOP_SRCDIR/README.md")
if [ -n "$readme_cmd" ]; then
    # shellcheck disable=SC2016 # expanded by the inner shell
    run sh -c 'cd "$TOP_SRCDIR" && eval "\"\$WAFERSIM\" $1"' sh "${readme_cmd#build/wafersim }"
    expect_status 0
    expect_stderr_empty
    expect_stdout_contains "bandwidth: 2000 GB/s"
else
    fail "README.md runs build/wafersim config show" "expected: a line starting \"build/wafersim config show \"" \
        "found:    none"
fi
run "$WAFERSIM" validate "$TOP_SRCDIR/configs/experiments/default.yaml" --set sim.seed=x -q
expect_status 2
expect_stderr_contains "sim.seed: expected an integer"
run "$WAFERSIM" validate -q "$TOP_SRCDIR/configs/experiments/default.yaml" --set sim.seed=5 \
    "$TOP_SRCDIR/configs/hw/dojo.yaml"
expect_status 0
expect_stdout_empty
run "$WAFERSIM" validate -- --set
expect_status 2
expect_stderr_contains "--set: error: cannot open"

run "$WAFERSIM" options extra-argument
expect_status 2
expect_stderr_contains "extra-argument"

# ------------------------------------------------------------ options: csv
run "$WAFERSIM" options --format csv
expect_status 0
expect_stderr_empty
expect_stdout_line "option,compiled_in,configure_switch,summary"
# data rows: not comments, not the header
rows=$(grep -v '^#' "$RUN_OUT_FILE" | sed 1d | cut -d, -f1-2 | tr '\n' ' ')
rows=${rows% }
expect_eq "wafersim options --format csv: option,compiled_in of every row" \
    "expert_affine,yes link_widening,yes migration,yes" "$rows"
for opt in $EXPECTED_OPTIONS; do
    sw=$(printf '%s' "$opt" | tr _ -)
    expect_stdout_contains "$opt,yes,--enable-$sw,"
done
cp "$RUN_OUT_FILE" "$T/options.csv"

# Provenance (csv: "# key: value" comment lines before the header).
expect_stdout_line "# command: wafersim options"
expect_stdout_line "# wafersim_version: $conf_version"
expect_stdout_line "# date: 1970-01-01T00:00:00Z"
rev=$(sed -n 's/^# revision: //p' "$RUN_OUT_FILE")
if [ -n "$rev" ]; then
    pass "wafersim options: provenance has a revision ($rev)"
else
    fail "wafersim options: provenance revision" "expected: a line \"# revision: VALUE\"" "found:    none"
fi
for key in command wafersim_version revision config config_hash seed date; do
    if grep -q "^# $key: ." "$RUN_OUT_FILE"; then
        pass "wafersim options: provenance field $key"
    else
        fail "wafersim options: provenance field $key" "expected: a line \"# $key: VALUE\"" "found:    none"
    fi
done
# The date follows SOURCE_DATE_EPOCH (here one day later), so the pinned
# value above is not a coincidence.
run env SOURCE_DATE_EPOCH=86400 "$WAFERSIM" options --format csv
expect_status 0
expect_stdout_line "# date: 1970-01-02T00:00:00Z"

# ------------------------------------------------------------ options: json
run "$WAFERSIM" options --format json
expect_status 0
expect_stderr_empty
cp "$RUN_OUT_FILE" "$T/options.json"
if command -v python3 >/dev/null 2>&1; then
    expect_true "wafersim options --format json is valid JSON (python3 -m json.tool)" \
        python3 -m json.tool "$T/options.json"
    found=$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
print(" ".join(r["option"] + "=" + str(r["compiled_in"]) for r in d["rows"]))
print(d["provenance"]["date"], d["provenance"]["wafersim_version"], d["provenance"]["command"])
' "$T/options.json" 2>&1)
    expect_eq "wafersim options --format json: rows and provenance" \
        "expert_affine=yes link_widening=yes migration=yes
1970-01-01T00:00:00Z $conf_version wafersim options" "$found"
else
    skip_check "wafersim options --format json is valid JSON" "python3 not found"
fi

# ------------------------------------------------------------ options: table
run "$WAFERSIM" options --format table
expect_status 0
expect_stderr_empty
cp "$RUN_OUT_FILE" "$T/options.table"
# rows: the lines after the "-----" rule under the header
rows=$(sed -n '/^---/,$p' "$RUN_OUT_FILE" | sed 1d | awk '{ print $1 "=" $2 }' | tr '\n' ' ')
rows=${rows% }
expect_eq "wafersim options --format table: option and compiled_in of every row" \
    "expert_affine=yes link_widening=yes migration=yes" "$rows"
expect_stdout_line "# date: 1970-01-01T00:00:00Z"

run "$WAFERSIM" options --format xml
expect_status 2
expect_stderr_contains '"xml"'
expect_stdout_empty

# ------------------------------------------------------------ --out
for fmt in csv json table; do
    mkdir "$T/out-$fmt"
    run "$WAFERSIM" options --format "$fmt" --out "$T/out-$fmt/options.$fmt"
    expect_status 0
    expect_stdout_empty
    expect_file_exists "$T/out-$fmt/options.$fmt"
    expect_no_file_matching "$T/out-$fmt" '*.tmp.*'
    expect_same_file "$T/options.$fmt" "$T/out-$fmt/options.$fmt"
done
# -o is --out; an existing file is replaced.
printf 'old content\n' >"$T/out-csv/options.csv"
run "$WAFERSIM" options --format csv -o "$T/out-csv/options.csv"
expect_status 0
expect_same_file "$T/options.csv" "$T/out-csv/options.csv"
expect_no_file_matching "$T/out-csv" '*.tmp.*'

run "$WAFERSIM" options --format csv --out /nonexistent-dir/x.csv
expect_status 1
expect_stderr_contains "/nonexistent-dir/x.csv"
expect_stdout_empty
expect_file_absent /nonexistent-dir/x.csv
expect_file_absent /nonexistent-dir

# A directory that does not exist inside our own temp dir: nothing created.
mkdir "$T/fail"
run "$WAFERSIM" options --format csv --out "$T/fail/missing/x.csv"
expect_status 1
expect_file_absent "$T/fail/missing"
# Writing over a directory fails at the rename: the temporary must go too.
mkdir "$T/fail/adir"
run "$WAFERSIM" options --format csv --out "$T/fail/adir"
expect_status 1
expect_no_file_matching "$T/fail" '*.tmp.*'
# shellcheck disable=SC2012 # plain names we created
leftover=$(ls -A "$T/fail" | tr '\n' ' ')
expect_eq "files left in $T/fail after two failed --out" "adir " "$leftover"

# ------------------------------------------------------------ validate / config
run "$WAFERSIM" validate
expect_status 2
expect_stderr_contains "validate"
expect_stdout_empty

run "$WAFERSIM" config
expect_status 2
expect_stderr_contains "'show' or 'keys'"

run "$WAFERSIM" config frob
expect_status 2
expect_stderr_contains "frob"

run "$WAFERSIM" config show
expect_status 2

run "$WAFERSIM" config keys
expect_status 0
expect_stderr_empty
expect_stdout_line "| key | type | default | range / values | meaning |"
if grep -q '^|---|' "$RUN_OUT_FILE"; then
    pass "wafersim config keys: Markdown header rule"
else
    fail "wafersim config keys: Markdown header rule" "expected: a line starting \"|---|\"" "found:    none"
fi
# shellcheck disable=SC2016 # literal backquotes
expect_stdout_contains '| `hw.link.bandwidth` | bandwidth |'
cp "$RUN_OUT_FILE" "$T/keys.md"

mkdir "$T/keys"
run "$WAFERSIM" config keys --out "$T/keys/keys.md"
expect_status 0
expect_stdout_empty
expect_same_file "$T/keys.md" "$T/keys/keys.md"
expect_no_file_matching "$T/keys" '*.tmp.*'

run "$WAFERSIM" config keys extra
expect_status 2

finish
