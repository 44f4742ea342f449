#!/bin/sh
# `wafersim sweep --emit slurm` on a real Slurm cluster: the job array is
# submitted with sbatch, waited for, merged, and must equal the same sweep
# run locally (byte-identical results). Skipped (exit 77) when no Slurm
# cluster answers (`sinfo`); scripts/slurm-local.sh starts a one-node
# cluster on this machine (doc/cluster.md).
set -u
. "$(dirname "$0")/lib.sh"
if ! command -v sbatch > /dev/null 2>&1 || ! sinfo -h -o %T 2> /dev/null | grep -q 'idle\|mix\|alloc'; then
    echo "SKIP: no Slurm cluster (sinfo); start one with scripts/slurm-local.sh"
    exit 77
fi
cd "$TEST_TMPDIR" || exit 99

tiny_experiment 32 2 2 32 2 "shuffle: true"
tiny_variants
cat >> exp.yaml <<EOF2
sweep:
  grid:
    workload.batch: [16, 32]
  seeds: 3
EOF2
run "$WAFERSIM" sweep -q -j 2 --out local exp.yaml
expect_status 0
run "$WAFERSIM" sweep --emit slurm --chunk 5 --time 0:10:00 --mem 500M --out cluster exp.yaml
expect_status 0
expect_stdout_contains "12 points in 3 array tasks"
run sbatch --wait cluster/sweep.slurm
expect_status 0
expect_eq "one log per array task" 3 "$(ls cluster/slurm | grep -c '\.out$')"
run "$WAFERSIM" sweep -q --merge cluster
expect_status 0
expect_same_file local/results.csv cluster/results.csv
expect_same_file local/results.json cluster/results.json
finish
