#!/bin/sh
# tests/integration/gen_cache.sh — the synthetic trace cache in `wafersim
# run` (workload/gen_cache.h): results are byte-identical with the cache
# off, on a miss and on a hit; one cache file per workload and request
# count (a smaller batch is copied from the larger entry); a corrupted cache file is reported,
# regenerated, and the results are still the same; the run's temporary
# links never remove the cache file; a verified entry is stamped and a
# corrupted one is caught whether or not its time changed (no stamp); two
# concurrent workers on a cold cache both get the right results and leave
# one entry.
set -u
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
cd "$TEST_TMPDIR" || exit 99

cat > exp.yaml <<EOF2
preset: dojo
model: $TINY
hw:
  grid: {x: 2, y: 2}
workload:
  batch: 24
  decode_steps: 3
EOF2

WAFERSIM_CACHE_DIR=off; export WAFERSIM_CACHE_DIR
run "$WAFERSIM" run -q --format csv --out off.csv exp.yaml
expect_status 0

WAFERSIM_CACHE_DIR=$TEST_TMPDIR/cache; export WAFERSIM_CACHE_DIR
run "$WAFERSIM" run -q --format csv --out miss.csv exp.yaml
expect_status 0
expect_same_file off.csv miss.csv
expect_eq "cache files after a miss" 1 "$(ls cache/*.wst | wc -l | tr -d ' ')"
run "$WAFERSIM" run -q --format csv --out hit.csv exp.yaml
expect_status 0
expect_same_file off.csv hit.csv
expect_eq "cache files after a hit" 1 "$(ls cache/*.wst | wc -l | tr -d ' ')"
# the hit verified the entry (checksums, every record) and stamped it with
# the file's identity, so that the next hit reads the header only
E=$(ls cache/*.wst)
expect_eq "a verified entry is stamped" yes "$([ -f "$E.verified" ] && echo yes || echo no)"
expect_eq "the stamp holds the file's size" "$(wc -c < "$E" | tr -d ' ')" "$(cut -d' ' -f3 "$E.verified")"
run "$WAFERSIM" run -q --format csv --out hit2.csv exp.yaml
expect_status 0
expect_same_file off.csv hit2.csv

# another seed: another entry
run "$WAFERSIM" run -q --format csv --out seed.csv --set sim.seed=9 exp.yaml
expect_status 0
expect_eq "cache files after another seed" 2 "$(ls cache/*.wst | wc -l | tr -d ' ')"

# a smaller batch of the same workload: built from the 24-request entry
run "$WAFERSIM" run -q --format csv --out b12.csv --set workload.batch=12 exp.yaml
expect_status 0
expect_eq "cache files after a smaller batch" 3 "$(ls cache/*.wst | wc -l | tr -d ' ')"
WAFERSIM_CACHE_DIR=off "$WAFERSIM" run -q --format csv --out b12off.csv --set workload.batch=12 exp.yaml
expect_same_file b12off.csv b12.csv
rm -f cache/*-n12.wst

# flip_middle_byte FILE: one bit of the byte in the middle of FILE flipped
flip_middle_byte() {
    python3 -c "
import sys
p = sys.argv[1]
d = bytearray(open(p, 'rb').read())
d[len(d) // 2] ^= 1
open(p, 'wb').write(d)
" "$1"
}

# corrupt the first entry: a flipped byte in the middle of the payload
F=$(ls -t cache/*.wst | tail -n 1)
flip_middle_byte "$F"
run "$WAFERSIM" run -q --format csv --out fixed.csv exp.yaml
expect_status 0
expect_same_file off.csv fixed.csv
expect_stderr_contains "trace cache:"
expect_stderr_contains "generating it again"
run "$WAFERSIM" run -q --format csv --out again.csv exp.yaml
expect_status 0
expect_same_file off.csv again.csv
expect_stderr_empty
# the same flip with the file's time put back, without a stamp: verified,
# caught (the entry just regenerated, the newest)
F=$(ls -t cache/*.wst | head -n 1)
rm -f cache/*.verified
cp -p "$F" ref.wst
flip_middle_byte "$F"
touch -r ref.wst "$F"
run "$WAFERSIM" run -q --format csv --out fixed2.csv exp.yaml
expect_status 0
expect_same_file off.csv fixed2.csv
expect_stderr_contains "generating it again"
expect_no_file_matching "$TEST_TMPDIR/cache" '*.tmp.*'

# two workers missing the same workload at once (the second waits for the
# first's entry): both results right, one entry
WAFERSIM_CACHE_DIR=$TEST_TMPDIR/cache2; export WAFERSIM_CACHE_DIR
"$WAFERSIM" run -q --format csv --out w1.csv exp.yaml 2> w1.err &
P1=$!
"$WAFERSIM" run -q --format csv --out w2.csv exp.yaml 2> w2.err
S2=$?
wait $P1
S1=$?
expect_eq "exit status of the concurrent workers" "0 0" "$S1 $S2"
expect_same_file off.csv w1.csv
expect_same_file off.csv w2.csv
expect_eq "cache files after concurrent workers" 1 "$(ls cache2/*.wst | wc -l | tr -d ' ')"
finish
