#!/bin/sh
# tests/integration/sample.sh — sampled decode simulation (sim.sample_steps,
# arch/sample.h): the estimate of a one-sample run equals what full runs
# give by hand, no sampling is exact, the output says it was sampled.
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

run "$WAFERSIM" run -q --set sim.sample_steps=-1 exp.yaml
expect_status 2
expect_stderr_contains "sim.sample_steps"
finish
