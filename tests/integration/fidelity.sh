#!/bin/sh
# Granularity (doc/fidelity.md) on a small case: a tiny model (4 MoE layers,
# 16 experts, top-2, 1 MiB matrices) on a 2 x 2 wafer, batch 256, 2 decode
# steps, 1 MiB reads, every setting with the same input buffer bytes per VC
# (1 MiB): 64 KiB flits x 16 (the presets' granularity) is within 3% of
# 16 KiB flits x 64, and so is 256 KiB flits x 4 (the quickstart's faster
# setting) of 64 KiB, for Base (even) and Allo Only (affine), and every
# setting keeps the ranking (affine faster than even).
set -u
. "$(dirname "$0")/lib.sh"
cd "$TEST_TMPDIR" || exit 99

tiny_experiment 256 2 2 256 2
cat >> exp.yaml <<EOF2
options:
  expert_affine: {enabled: true}
variants:
  - {name: f16k, set: ["noc.flit_size=16KiB", "noc.packet_flits=64", "noc.vc_buffer_flits=64"]}
  - {name: f64k, set: ["noc.flit_size=64KiB", "noc.packet_flits=16", "noc.vc_buffer_flits=16"]}
  - {name: f256k, set: ["noc.flit_size=256KiB", "noc.packet_flits=4", "noc.vc_buffer_flits=4"]}
EOF2
col() { csv_col "$1" decode_time_us "$2"; }
within() { # A B PERCENT
    awk -v a="$1" -v b="$2" -v p="$3" 'BEGIN { d = (a - b) / b * 100; if (d < 0) d = -d; print (d <= p) ? "ok" : d "% apart" }'
}
for a in even affine; do
    run "$WAFERSIM" run -q --format csv --out "$a.csv" --set strategy.allocation=$a exp.yaml
    expect_status 0
    expect_eq "$a: 256 KiB flits within 3% of 64 KiB flits" ok "$(within "$(col $a.csv f256k)" "$(col $a.csv f64k)" 3)"
    expect_eq "$a: 64 KiB flits within 3% of 16 KiB flits" ok "$(within "$(col $a.csv f64k)" "$(col $a.csv f16k)" 3)"
done
for v in f16k f64k f256k; do
    expect_eq "$v: affine faster than even" yes \
        "$(awk -v a="$(col affine.csv $v)" -v e="$(col even.csv $v)" 'BEGIN { print (a < e) ? "yes" : "no" }')"
done
finish
