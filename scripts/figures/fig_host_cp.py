#!/usr/bin/env python3
"""fig_host_cp.py -- the host-CPU allocator's overhead (design.md 2.5): the
expert-affine allocator run by the Global CP on the wafer or by the host CPU
(a PCIe round trip per MoE layer), on dojo and dojo-enhanced
(configs/experiments/host-cp.yaml). Left: decode throughput of both; right:
the host CP's slowdown, decode time over the on-wafer CP's minus 1 (%).

Expected runtime: full scale (4 runs of DeepSeek-V3, batch 4096, 127 decode
steps, default granularity) about 2.5 hours on 2 cores today; nothing to run
with --results. Tiny scale: about 2 seconds.

Writes OUT/host_cp.{png,pdf,csv}: per hardware and variant the throughput
(tokens/s), decode time (us), CP time (us) and the overhead (%; 0 for the
on-wafer CP).
"""
from figlib import cell_means, die, footer, grouped_bars, ok_rows, ordered, parser, pyplot, save, sort_values, sweep

TINY = """# tiny version of configs/experiments/host-cp.yaml (fig_host_cp.py --scale tiny)
preset: dojo
model: {TINY}
sim: {seed: 1}
hw: {grid: {x: 2, y: 2}}
workload: {batch: 16, decode_steps: 2}
strategy:
  allocation: affine
  cp: {kind: on_wafer, latency: 1 us, pcie_latency: 2 us, pcie_bandwidth: 64 GB/s, host_time: 10 us}
options:
  expert_affine: {enabled: true}
variants:
  - {name: on-wafer CP, set: ["strategy.cp.kind=on_wafer"]}
  - {name: host CP, set: ["strategy.cp.kind=host"]}
baseline: on-wafer CP
sweep:
  zip:
    - hw.tile.peak_flops: [989 TFLOPS, 4500 TFLOPS]
      hw.tile.hbm.capacity: [80 GB, 180 GB]
      hw.tile.hbm.bandwidth: [3.35 TB/s, 8 TB/s]
      hw.link.bandwidth: [1.7 TB/s, 2 TB/s]
"""
HARDWARE = {"989 TFLOPS": "dojo", "4500 TFLOPS": "dojo-enhanced"}
VARIANT_COLOURS = {"on-wafer CP": "#2ca02c", "host CP": "#9467bd"}


def main():
    args = parser(__doc__).parse_args()
    prov, cols, swept, rows = sweep(args, "host-cp", "host-cp.yaml", TINY)
    rows = ok_rows(rows)
    key = "hw.tile.peak_flops" if "hw.tile.peak_flops" in swept else (swept[0] if swept else None)
    if not rows or key is None:
        die("no successful point, or no swept hardware column")
    variants = ordered(r["variant"] for r in rows)
    if "on-wafer CP" not in variants:
        die("no on-wafer CP variant to compare with")
    hws = sort_values(r[key] for r in rows)
    thr = cell_means(rows, [key, "variant"], "throughput_tokens_per_s")
    dec = cell_means(rows, [key, "variant"], "decode_time_us")
    cp = cell_means(rows, [key, "variant"], "cp_time_us")
    over, table = {}, []
    for h in hws:
        for v in variants:
            if (h, v) not in dec or (h, "on-wafer CP") not in dec:
                continue
            over[(h, v)] = 100.0 * (dec[(h, v)] / dec[(h, "on-wafer CP")] - 1.0)
            table.append([HARDWARE.get(h, h), v, thr[(h, v)], dec[(h, v)], cp[(h, v)], over[(h, v)]])

    plt = pyplot()
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(9, 3.8))
    labels = [HARDWARE.get(h, "%s=%s" % (key, h)) for h in hws]
    grouped_bars(a1, hws, variants, lambda v, h: thr.get((h, v)), VARIANT_COLOURS)
    a1.set_xticklabels(labels)
    a1.set_ylabel("decode throughput (tokens/s)")
    a1.set_xlabel("hardware")
    a1.legend(title="allocator run by")
    hosts = [v for v in variants if v != "on-wafer CP"]
    grouped_bars(a2, hws, hosts, lambda v, h: over.get((h, v)), VARIANT_COLOURS, width=0.5)
    for j, h in enumerate(hws):
        for v in hosts:
            if (h, v) in over:
                a2.annotate("%.1f%%" % over[(h, v)], (j, over[(h, v)]), ha="center", va="bottom", fontsize=8)
    a2.set_xticklabels(labels)
    a2.set_ylabel("host CP overhead (% of on-wafer decode time)")
    a2.set_xlabel("hardware")
    footer(fig, prov, "mean over seed repetitions")
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    save(fig, args.out, "host_cp", ["hardware", "variant", "throughput_tokens_per_s", "decode_time_us", "cp_time_us",
                                    "overhead_pct"], table, prov)


if __name__ == "__main__":
    main()
