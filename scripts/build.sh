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
    "$top/configure" -q "$@"
fi
make -j"$(nproc 2>/dev/null || echo 2)" >/dev/null
echo "build: $build/wafersim"
