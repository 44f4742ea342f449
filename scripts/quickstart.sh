#!/bin/sh
# The first README command: install what is missing, build, and run the
# main job on the default experiment.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
sh "$top/scripts/install-deps.sh"
sh "$top/scripts/build.sh"
ws="${BUILD_DIR:-$top/build}/wafersim"
echo
"$ws" --version
echo
echo "== validating the shipped configs"
"$ws" validate "$top"/configs/hw/*.yaml "$top"/configs/experiments/*.yaml
echo
echo "== resolved default experiment (results/default-config.yaml)"
mkdir -p "$top/results"
"$ws" config show --out "$top/results/default-config.yaml" "$top/configs/experiments/default.yaml"
sed -n '1,12p' "$top/results/default-config.yaml"
echo "   ..."
echo
echo "== compiled-in hardware options (results/options.csv)"
"$ws" options --format csv --out "$top/results/options.csv"
"$ws" options --format table
