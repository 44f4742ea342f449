#!/bin/sh
# Every figure script of scripts/figures/ (doc/figures.md) at tiny scale:
#   - each writes its non-empty PNG (signature) and PDF (header) and the CSV
#     of the numbers it plotted;
#   - the numbers: Base's normalised throughput and hop reduction are exactly
#     1 and every other ratio is its throughput over Base's; EP's hops are 0
#     (no reduction plotted); the HBM breakdown is the sweep's own columns
#     and its total their sum; the on-wafer CP's overhead is 0; the
#     co-activation CDF computed from the trace gives at 10% of the pairs
#     exactly `trace stats`' coact_top10pct_pairs_share, and the plotted
#     Spearman values are `trace stats`' per layer; widening by 1 costs no
#     area and the area is 1 mm^2 per added TB/s; with no reserved region
#     Pred Only is Base (the same throughput as the widening sweep's
#     unwidened Base, a different sweep of the same configuration);
#   - rerunning a script resumes its finished sweep (nothing rerun) and
#     --results DIR gives the same CSV.
# Skipped (exit 77) only when no python3 has matplotlib.
set -u
. "$(dirname "$0")/lib.sh"
cd "$TEST_TMPDIR" || exit 99
FIG="$TOP_SRCDIR/scripts/figures"
PYTHONDONTWRITEBYTECODE=1   # no __pycache__ in the source tree
export PYTHONDONTWRITEBYTECODE
PY=
for p in python3 /usr/bin/python3; do
    if command -v "$p" > /dev/null 2>&1 && "$p" -c 'import matplotlib, numpy' > /dev/null 2>&1; then
        PY=$p
        break
    fi
done
[ -n "$PY" ] || { echo "SKIP: no python3 with matplotlib (python3-matplotlib)"; exit 77; }

for s in throughput hbm host_cp traces widening sensitivity migration; do
    run "$PY" "$FIG/fig_$s.py" --scale tiny -j 2 --wafersim "$WAFERSIM" --out figs
    expect_status 0
done
for f in throughput hops hbm host_cp trace_cdf trace_coact trace_spearman widening sensitivity migration; do
    expect_eq "$f.png is a PNG" "89504e470d0a1a0a" "$(od -An -tx1 -N8 "figs/$f.png" 2> /dev/null | tr -d ' \n')"
    expect_eq "$f.pdf is a PDF" "%PDF-" "$(head -c 5 "figs/$f.pdf" 2> /dev/null)"
    expect_true "$f.png, $f.pdf and $f.csv are not empty" test -s "figs/$f.png" -a -s "figs/$f.pdf" -a -s "figs/$f.csv"
    expect_true "$f.csv has rows" test "$(grep -vc '^#' "figs/$f.csv" 2> /dev/null)" -gt 1
done

# the numbers plotted
cat > check.py <<'EOF'
import csv, math, sys
sys.path.insert(0, sys.argv[1])
from figlib import read_results

def table(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(l for l in f if not l.startswith("#")))

def check(desc, ok, detail=""):
    print(("PASS " if ok else "FAIL ") + desc + ("" if ok else ": " + detail))

def close(a, b):
    return math.isclose(float(a), float(b), rel_tol=1e-12, abs_tol=1e-15)

t = table("figs/throughput.csv")
check("throughput: 5 strategies x 2 meshes x 3 batches", len(t) == 30, str(len(t)))
check("throughput: Base's normalised throughput is exactly 1",
      all(r["normalised_throughput"] == "1.0" for r in t if r["strategy"] == "Base"))
check("throughput: normalised = throughput / Base's",
      all(close(r["normalised_throughput"], float(r["throughput_tokens_per_s"]) / float(r["base_throughput_tokens_per_s"])) for r in t))
_, _, _, rows = read_results("results/sweeps/tiny/study")
sp = {(r["hw.grid"].replace("{x: ", "").replace(", y: ", "x").rstrip("}"), r["workload.batch"], r["variant"]):
      r["speedup_vs_baseline"] for r in rows}
check("throughput: normalised = the sweep's speedup_vs_baseline",
      all(close(r["normalised_throughput"], sp[(r["mesh"], r["batch"], r["strategy"])]) for r in t))
h = table("figs/hops.csv")
check("hops: Base's reduction is exactly 1", all(r["hop_reduction"] == "1.0" for r in h if r["strategy"] == "Base"))
check("hops: EP has 0 hops and no plotted reduction",
      all(r["hops"] == "0.0" and r["hop_reduction"] == "" for r in h if r["strategy"] == "EP"))
check("hops: reduction = Base hops / hops", all(close(r["hop_reduction"], float(r["base_hops"]) / float(r["hops"]))
                                                for r in h if r["strategy"] != "EP"))

b = table("figs/hbm.csv")
sel = {r["variant"]: r for r in rows if r["hw.grid"] == "{x: 3, y: 1}" and r["workload.batch"] == "16"}
cols = ("hbm_local_read_GB", "hbm_remote_read_GB", "hbm_local_write_GB")
check("hbm: five strategies", [r["strategy"] for r in b] == ["Base", "EP", "Allo Only", "Pred Only", "Allo+Pred"])
check("hbm: the sweep's columns", all(close(r[c], sel[r["strategy"]][c]) for r in b for c in cols))
check("hbm: total = the sum", all(close(r["total_GB"], sum(float(r[c]) for c in cols)) for r in b))
check("hbm: EP reads nothing remotely, Base and Allo Only write nothing",
      close(b[1]["hbm_remote_read_GB"], 0) and close(b[0]["hbm_local_write_GB"], 0) and close(b[2]["hbm_local_write_GB"], 0))

c = table("figs/host_cp.csv")
check("host_cp: dojo and dojo-enhanced, both variants", [(r["hardware"], r["variant"]) for r in c] ==
      [("dojo", "on-wafer CP"), ("dojo", "host CP"), ("dojo-enhanced", "on-wafer CP"), ("dojo-enhanced", "host CP")])
check("host_cp: the on-wafer CP's overhead is 0", all(r["overhead_pct"] == "0.0" for r in c if r["variant"] == "on-wafer CP"))
check("host_cp: the host CP is slower", all(float(r["overhead_pct"]) > 0 for r in c if r["variant"] == "host CP"))

st = table("results/tiny-traces/tiny.csv")
mean = [r for r in st if r["moe_layer_index"] == "mean"][0]
co = [r for r in table("figs/trace_coact.csv") if r["pair_fraction"] == "0.1"]
check("trace_coact at 10%% of pairs = trace stats' coact_top10pct_pairs_share (%s)" % mean["coact_top10pct_pairs_share"],
      len(co) == 1 and close(co[0]["mean_share"], mean["coact_top10pct_pairs_share"]), str(co))
sp = table("figs/trace_spearman.csv")
check("trace_spearman: trace stats' per-layer values",
      [(r["moe_layer_index"], float(r["prefill_decode_spearman"])) for r in sp] ==
      [(r["moe_layer_index"], float(r["prefill_decode_spearman"])) for r in st if r["moe_layer_index"] != "mean"])
cdf = table("figs/trace_cdf.csv")
check("trace_cdf: both CDFs end at 1 and never decrease",
      all(close(max(float(r["mean_cumulative_probability"]) for r in cdf if r["cdf"] == k), 1) for k in
          ("next_token_cdf", "next_layer_cdf")))

w = table("figs/widening.csv")
check("widening: unwidened Base is exactly 1",
      all(r["normalised_throughput"] == "1.0" for r in w if r["strategy"] == "Base" and r["factor"] == "1"))
check("widening: factor 1 costs no area", all(close(r["link_added_area_mm2"], 0) for r in w if r["factor"] == "1"))
check("widening: 1 mm^2 per added TB/s", all(close(r["link_added_area_mm2"], r["link_added_TBps"]) for r in w))
check("widening: doubling every link of a 2 x 2 mesh adds 8 x 1.7 TB/s",
      [r["link_added_TBps"] for r in w if r["strategy"] == "Base" and r["select"] == "all" and r["factor"] == "2"] == ["13.6"])
s = table("figs/sensitivity.csv")
check("sensitivity: Base is exactly 1 everywhere", all(r["normalised_throughput"] == "1.0" for r in s if r["strategy"] == "Base"))
check("sensitivity: both studies", {r["study"] for r in s} == {"bandwidth", "mesh"})
m = table("figs/migration.csv")
check("migration: Pred Only with no reserved region is exactly 1",
      all(r["normalised_throughput"] == "1.0" and r["copies"] == "0.0" for r in m if r["strategy"] == "Pred Only" and r["reserved"] == "0%"))
base = [r["throughput_tokens_per_s"] for r in w if r["strategy"] == "Base" and r["factor"] == "1"][0]
check("migration: Pred Only at 0% has unwidened Base's throughput (another sweep)",
      all(r["throughput_tokens_per_s"] == base for r in m if r["strategy"] == "Pred Only" and r["reserved"] == "0%"))
check("migration: keep never evicts", all(r["evictions"] == "0.0" for r in m if r["replacement"] == "keep"))
EOF
run "$PY" check.py "$FIG"
expect_status 0
printf '%s\n' "$RUN_STDOUT" > checks.txt
while IFS= read -r line; do
    case $line in
        "PASS "*) pass "${line#PASS }" ;;
        "FAIL "*) fail "${line#FAIL }" ;;
    esac
done < checks.txt

# a rerun resumes the finished sweep; --results reuses it
mtime=$(ls -l --time-style=+%s.%N results/sweeps/tiny/study/points | md5sum)
run "$PY" "$FIG/fig_throughput.py" --scale tiny --wafersim "$WAFERSIM" --out again
expect_status 0
expect_eq "a rerun writes no point" "$mtime" "$(ls -l --time-style=+%s.%N results/sweeps/tiny/study/points | md5sum)"
expect_same_file figs/throughput.csv again/throughput.csv
run "$PY" "$FIG/fig_throughput.py" --results results/sweeps/tiny/study --wafersim /nonexistent --out reuse
expect_status 0
expect_same_file figs/throughput.csv reuse/throughput.csv
expect_same_file figs/hops.csv reuse/hops.csv
run "$PY" "$FIG/fig_throughput.py" --results results/sweeps/tiny/host-cp --out bad
expect_status 2
expect_stderr_contains "not the study's sweep"
finish
