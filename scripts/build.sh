#!/bin/sh
# Builds wafersim out of tree in ./build (override with BUILD_DIR):
# generates configure when needed, configures once (extra arguments go to
# configure, e.g. --disable-migration), then compiles with all cores.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-"$top/build"}
[ -x "$top/configure" ] || "$top/bootstrap" >/dev/null
mkdir -p "$build"
cd "$build"
if [ ! -f Makefile ] || [ $# -gt 0 ]; then
    # autoconf's clean-up runs "rm -f core" and complains about our core/
    # source folder; hide only that harmless line.
    status=0
    "$top/configure" -q "$@" 2> configure.err || status=$?
    grep -v "cannot remove 'core'" configure.err >&2 || true
    rm -f configure.err
    [ "$status" -eq 0 ] || exit "$status"
fi
make -j"$(nproc 2>/dev/null || echo 2)" >/dev/null
echo "build: $build/wafersim"
