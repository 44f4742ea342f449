#!/bin/sh
# Installs the Debian packages wafersim needs to build and test, if any are
# missing. Works as root, or through sudo for a normal user.
#   build: gcc make autoconf automake libtool pkg-config
#   libraries: libgsl-dev (GSL), libyaml-dev (libyaml), libyajl-dev (JSON
#   trace import), check (unit tests)
#   tests: python3 (JSON validation in the integration tests), git (source
#   revision in provenance), valgrind (memcheck run in .ci/run)
set -eu
PACKAGES="gcc make autoconf automake libtool pkg-config libgsl-dev libyaml-dev libyajl-dev check python3 git valgrind"
missing=""
for p in $PACKAGES; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
if [ -z "$missing" ]; then
    echo "install-deps: all build dependencies are present"
    exit 0
fi
if [ "$(id -u)" -eq 0 ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
else
    echo "install-deps: missing packages:$missing; run this script as root or install sudo" >&2
    exit 1
fi
echo "install-deps: installing$missing"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing
