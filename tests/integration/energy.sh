#!/bin/sh
# The energy report of `wafersim run` (arch/energy.h) against hand
# calculations on a tiny model (4 MoE layers, top-2, hidden 512, expert
# FFN 1024) on a 2 x 2 wafer, 32 requests x 2 decode steps:
#   - compute = tokens x top-k x layers x 3 x 2 x 512 x 1024 FLOP x 0.7 pJ;
#   - link = (sum of the per-link bytes of `--links`) x 8 x 0.5 pJ/bit;
#   - HBM = (local + remote reads) x 8 x 3.9 pJ/bit (+ writes, none here);
#   - total = the sum of the parts; per token = total / 64 tokens;
#   - a zero energy per bit zeroes its part and nothing else; EP moves no
#     bytes over links, so its link energy is 0.
set -u
. "$(dirname "$0")/lib.sh"
cd "$TEST_TMPDIR" || exit 99

tiny_experiment 32 2 2 32 2
tiny_variants
run "$WAFERSIM" run -q --format csv --out res.csv --links links.csv exp.yaml
expect_status 0
col() { csv_col "$@"; }
close() { # A B: relative difference below 1e-9
    awk -v a="$1" -v b="$2" 'BEGIN { d = a - b; if (d < 0) d = -d; s = (a < 0 ? -a : a) + 1e-300; print (d / s < 1e-9) ? "ok" : a " vs " b }'
}
expect_eq "compute energy = 64 x 2 x 4 x 3145728 FLOP x 0.7 pJ" ok \
    "$(close "$(col res.csv energy_compute_J Base)" "$(awk 'BEGIN { printf "%.17g", 64 * 2 * 4 * 3145728 * 0.7e-12 }')")"
expect_eq "compute energy does not depend on the allocation" \
    "$(col res.csv energy_compute_J Base)" "$(col res.csv energy_compute_J EP)"
link_bytes=$(grep -v '^#' links.csv | awk -F, 'NR > 1 && $1 == "Base" { s += $(NF - 3) } END { printf "%.17g", s * 1e9 }')
expect_eq "link energy = link bytes x 8 x 0.5 pJ" ok \
    "$(close "$(col res.csv energy_link_J Base)" "$(awk -v b="$link_bytes" 'BEGIN { printf "%.17g", b * 8 * 0.5e-12 }')")"
hbm=$(awk -v l="$(col res.csv hbm_local_read_GB Base)" -v r="$(col res.csv hbm_remote_read_GB Base)" \
      -v w="$(col res.csv hbm_local_write_GB Base)" 'BEGIN { printf "%.17g", (l + r + w) * 1e9 * 8 * 3.9e-12 }')
expect_eq "HBM energy = HBM bytes x 8 x 3.9 pJ" ok "$(close "$(col res.csv energy_hbm_J Base)" "$hbm")"
for v in Base EP; do
    parts=$(awk -v a="$(col res.csv energy_link_J $v)" -v b="$(col res.csv energy_hbm_J $v)" \
            -v c="$(col res.csv energy_llc_J $v)" -v d="$(col res.csv energy_compute_J $v)" \
            'BEGIN { printf "%.17g", a + b + c + d }')
    expect_eq "$v: total = sum of the parts" ok "$(close "$(col res.csv energy_total_J $v)" "$parts")"
    expect_eq "$v: per token = total / 64 tokens" ok \
        "$(close "$(col res.csv energy_per_token_mJ $v)" "$(awk -v t="$(col res.csv energy_total_J $v)" 'BEGIN { printf "%.17g", t / 64 * 1e3 }')")"
done
expect_eq "EP: no link energy" 0 "$(col res.csv energy_link_J EP)"
expect_eq "Base: link energy > 0" yes "$(awk -v e="$(col res.csv energy_link_J Base)" 'BEGIN { print (e > 0) ? "yes" : "no" }')"
run "$WAFERSIM" run -q --format csv --out zero.csv --set hw.energy.hbm_read_pJ_per_bit=0 exp.yaml
expect_status 0
expect_eq "no HBM read energy: HBM part 0" 0 "$(col zero.csv energy_hbm_J Base)"
expect_eq "no HBM read energy: compute part unchanged" "$(col res.csv energy_compute_J Base)" "$(col zero.csv energy_compute_J Base)"
expect_eq "no HBM read energy: link part unchanged" "$(col res.csv energy_link_J Base)" "$(col zero.csv energy_link_J Base)"
run "$WAFERSIM" run -q --set hw.energy.link_pJ_per_bit=-1 exp.yaml
expect_status 2
expect_stderr_contains 'hw.energy.link_pJ_per_bit'
finish
