#!/bin/sh
# The second README command: build if needed and run the whole test suite
# (unit tests with Check, integration tests of the binary). Prints the
# failing tests' logs on failure.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-"$top/build"}
sh "$top/scripts/build.sh"
cd "$build"
if make -j"$(nproc 2>/dev/null || echo 2)" check; then
    exit 0
fi
for log in $(find . -name '*.log' ! -name test-suite.log ! -name config.log); do
    trs="${log%.log}.trs"
    if [ -f "$trs" ] && grep -q '^:test-result: \(FAIL\|ERROR\)' "$trs"; then
        echo "==== $log"; cat "$log"
    fi
done
exit 1
