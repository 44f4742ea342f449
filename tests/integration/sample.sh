#!/bin/sh
# tests/integration/sample.sh — sampled decode simulation (sim.sample_steps,
# sim.sample_layers, arch/sample.h): the estimate of a one-sample run
# equals what full runs give by hand, a layer-sampled estimate and its
# interval equal the hand formula over the units measured, no sampling is
# exact, the output says it was sampled.
. "$(dirname "$0")/lib.sh"
cd "$TEST_TMPDIR" || exit 99

tiny_experiment 16 3 3 8 4
echo "strategy: {allocation: even}" >> exp.yaml
get() { csv_col "$1" "$2" default; }

# full runs of 1, 2 and 3 decode steps: step 2 alone took T2 - T1 for
# D2 - D1 tokens (a step's timing does not depend on the steps after it)
for n in 1 2 3; do
    run "$WAFERSIM" run -q --format csv --out f$n.csv --set workload.decode_steps=$n exp.yaml
    expect_status 0
done
# sampled: N = 3, k = 1 measures step 1 + floor(0.5 x 3) = 2 after one
# warm-up step (step 1): f2's simulation, measuring step 2 only, and the
# estimate of all three steps is D3 x (T2 - T1) / (D2 - D1)
run "$WAFERSIM" run --format csv --out s.csv --set workload.decode_steps=3 --set sim.sample_steps=1 exp.yaml
expect_status 0
expect_stderr_contains "SAMPLED: 1 of 3 decode steps measured (2 simulated)"
expect_eq "estimate = D3 x (T2 - T1) / (D2 - D1)" ok "$(awk -v t1="$(get f1.csv decode_time_us)" \
    -v t2="$(get f2.csv decode_time_us)" -v d1="$(get f1.csv decode_tokens)" -v d2="$(get f2.csv decode_tokens)" \
    -v d3="$(get f3.csv decode_tokens)" -v e="$(get s.csv decode_time_us)" \
    'BEGIN { x = d3 * (t2 - t1) / (d2 - d1); d = e - x; if (d < 0) d = -d;
    print (d <= 1e-9 * x && x > 0) ? "ok" : "estimate " e " expected " x }')"
expect_eq "decode tokens are the whole run's" "$(get f3.csv decode_tokens)" "$(get s.csv decode_tokens)"
expect_eq "sampled steps" 1 "$(get s.csv sampled_steps)"
expect_eq "one sample: no interval" nan "$(get s.csv decode_time_ci95_pct)"
# traffic covers the simulated steps (here the first two): that of f2
expect_eq "simulated traffic" "$(get f2.csv hbm_remote_read_GB)" "$(get s.csv hbm_remote_read_GB)"

# without warm-up only step 2 is simulated: less traffic than f2
run "$WAFERSIM" run -q --format csv --out s0.csv --set workload.decode_steps=3 --set sim.sample_steps=1 \
    --set sim.sample_warmup=0 exp.yaml
expect_status 0
expect_eq "simulated steps without warm-up" 1 "$(get s0.csv simulated_decode_steps)"
expect_eq "traffic of one step < of two" yes "$(awk -v a="$(get s0.csv hbm_remote_read_GB)" \
    -v b="$(get f2.csv hbm_remote_read_GB)" 'BEGIN { print (a > 0 && a < b) ? "yes" : "no" }')"

# k >= N and k = 0: every step measured, exact, the same numbers
for k in 0 4 9; do
    run "$WAFERSIM" run -q --format csv --out k$k.csv --set sim.sample_steps=$k exp.yaml
    expect_status 0
    expect_eq "k=$k: sampled steps" 4 "$(get k$k.csv sampled_steps)"
    expect_eq "k=$k: interval" 0 "$(get k$k.csv decode_time_ci95_pct)"
    expect_eq "k=$k: decode time" "$(get k0.csv decode_time_us)" "$(get k$k.csv decode_time_us)"
done
# k = 2 of 4 with the default warm-up (steps 2 and 4 measured, 1 and 3
# warm) leaves no step out: every step measured, exactly
run "$WAFERSIM" run -q --format csv --out k2.csv --set sim.sample_steps=2 exp.yaml
expect_status 0
expect_eq "k=2 w=1: measured" 4 "$(get k2.csv sampled_steps)"
expect_eq "k=2 w=1: decode time" "$(get k0.csv decode_time_us)" "$(get k2.csv decode_time_us)"
# without warm-up: two of four simulated, an interval from two samples
run "$WAFERSIM" run -q --format csv --out k2w0.csv --set sim.sample_steps=2 --set sim.sample_warmup=0 exp.yaml
expect_status 0
expect_eq "k=2 w=0: simulated" 2 "$(get k2w0.csv simulated_decode_steps)"
expect_eq "k=2 w=0: a finite interval" yes "$(awk -v c="$(get k2w0.csv decode_time_ci95_pct)" \
    'BEGIN { print (c == c + 0 && c >= 0) ? "yes" : "no" }')"

# Layer sampling (sim.sample_layers; the tiny model has L = 4 MoE layers).
# m = 2 with every step measured (k = 4): the q-th step runs layers
# floor((8c + 2q + 1) / 4), c = 0, 1: {0, 2}, {0, 2}, {1, 3}, {1, 3}: 8
# (step, layer) units of 16, each with its step's tokens / 4; step 2 also
# runs layers 1 and 3 unmeasured, the warm-up of step 3's units (10 run). Equal tokens
# per step make the ratio estimate N x L x the units' mean time, and its
# interval 100 x t(0.975, 7) x sqrt((1 - 8/16) / 8) x sd / mean, with
# t(0.975, 7) = 2.364624252 (GSL's gsl_cdf_tdist_Pinv; the sd is over n - 1)
run "$WAFERSIM" run --format csv --out l2.csv --set sim.sample_layers=2 exp.yaml
expect_status 0
expect_stderr_contains "SAMPLED: 4 of 4 decode steps measured (4 simulated), 2 of 4 MoE layers each (10 step-layers simulated)"
expect_eq "layers: units simulated" 10 "$(get l2.csv simulated_decode_layers)"
expect_eq "layers: per step" 2 "$(get l2.csv sampled_layers)"
expect_eq "layers: steps measured" 4 "$(get l2.csv sampled_steps)"
expect_eq "layers: equal tokens per step" "$(get k0.csv decode_tokens)" "$(get l2.csv decode_tokens)"
expect_eq "layers: estimate = N x L x mean unit time, and its interval" ok "$(awk \
    -v e="$(get l2.csv decode_time_us)" -v mean="$(get l2.csv layer_time_mean_us)" \
    -v sd="$(get l2.csv layer_time_sd_us)" -v ci="$(get l2.csv decode_time_ci95_pct)" \
    'BEGIN { x = 4 * 4 * mean; c = 100 * 2.364624252 * sqrt(0.5 / 8) * sd / mean;
    d = e - x; if (d < 0) d = -d; dc = ci - c; if (dc < 0) dc = -dc;
    print (d <= 1e-9 * x && x > 0 && dc <= 1e-6 * (c > 1e-9 ? c : 1) && c > 0) ? "ok" : "estimate " e " / " x " interval " ci " / " c }')"
expect_eq "layers: the same mean unit as a full run's layers, within 15%" ok "$(awk \
    -v a="$(get l2.csv layer_time_mean_us)" -v b="$(get k0.csv layer_time_mean_us)" \
    'BEGIN { d = a / b - 1; if (d < 0) d = -d; print d < 0.15 ? "ok" : "means " a " and " b }')"
# fewer layers simulated: less traffic than the full run
expect_eq "layers: traffic of 10 units < of 16" yes "$(awk -v a="$(get l2.csv hbm_remote_read_GB)" \
    -v b="$(get k0.csv hbm_remote_read_GB)" 'BEGIN { print (a > 0 && a < b) ? "yes" : "no" }')"
# m >= L: every layer, exactly the full run
for m in 4 9; do
    run "$WAFERSIM" run -q --format csv --out m$m.csv --set sim.sample_layers=$m exp.yaml
    expect_status 0
    expect_eq "m=$m: decode time" "$(get k0.csv decode_time_us)" "$(get m$m.csv decode_time_us)"
    expect_eq "m=$m: interval" 0 "$(get m$m.csv decode_time_ci95_pct)"
    expect_eq "m=$m: per step" 4 "$(get m$m.csv sampled_layers)"
done
# two_of_four OUT CONFIG: k = 2 of 4 steps (2 and 4, no warm-up), m = 1 layer each
two_of_four() {
    run "$WAFERSIM" run -q --format csv --out "$1" --set sim.sample_layers=1 --set sim.sample_steps=2 \
        --set sim.sample_warmup=0 "$2"
    expect_status 0
}
# expect_mean_estimate LABEL CSV F: decode_time_us = F x layer_time_mean_us (to 1e-9)
expect_mean_estimate() {
    expect_eq "$1" ok "$(awk -v e="$(get "$2" decode_time_us)" -v mean="$(get "$2" layer_time_mean_us)" -v f="$3" \
        'BEGIN { x = f * mean; d = e - x; if (d < 0) d = -d;
        print (d <= 1e-9 * x && x > 0) ? "ok" : "estimate " e " expected " x }')"
}
# with steps sampled too: layers floor((2 (2c + q) + 1) x 4 / 4) for c = 0:
# 0 and 2, 2 units of 16
two_of_four l1.csv exp.yaml
expect_eq "steps and layers: units" 2 "$(get l1.csv simulated_decode_layers)"
expect_mean_estimate "steps and layers: estimate" l1.csv 16
# unequal steps: request r decodes 1 + (r mod 4) tokens, so steps 1-4 have
# 8, 6, 4 and 2 tokens (20 in all). k = 2 of 4 without warm-up measures
# steps 2 and 4, m = 1 layer each: units of 6 / 4 and 2 / 4 tokens, and
# the estimate is 20 x (t1 + t2) / (8 / 4) = 20 x the units' mean time
# (equal steps would give 16 x the mean: a unit counted with the wrong
# step's tokens would show)
uneven() {
    tok='{"0": [[0,1]], "1": [[2,3]], "2": [[4,5]], "3": [[6,7]]}'
    n=$(( $1 % 4 + 2 ))
    printf '['
    i=0
    while [ $i -lt $n ]; do
        [ $i -gt 0 ] && printf ', '
        printf '%s' "$tok"
        i=$((i + 1))
    done
    printf ']\n'
}
json_trace uneven 8 uneven
tiny_config uneven.wst 3 3 8 4 > un.yaml
echo "strategy: {allocation: even}" >> un.yaml
two_of_four un.csv un.yaml
expect_eq "unequal steps: tokens" 20 "$(get un.csv decode_tokens)"
expect_mean_estimate "unequal steps: estimate = 20 x mean unit time" un.csv 20

# not with next-layer prefetch (it would fetch layers that are skipped)
run "$WAFERSIM" run -q --set sim.sample_layers=2 --set strategy.prefetch_next_layer=true \
    --set strategy.prefetch_buffer=64MiB exp.yaml
expect_status 2
expect_stderr_contains "sim.sample_layers: not modelled together with strategy.prefetch_next_layer"

run "$WAFERSIM" run -q --set sim.sample_layers=-1 exp.yaml
expect_status 2
expect_stderr_contains "sim.sample_layers"

run "$WAFERSIM" run -q --set sim.sample_steps=-1 exp.yaml
expect_status 2
expect_stderr_contains "sim.sample_steps"
finish
