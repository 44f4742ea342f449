#!/usr/bin/env python3
"""fig_sensitivity.py -- sensitivity of the five strategies (ours, not in
the study) to the D2D link bandwidth (configs/experiments/
sensitivity-bandwidth.yaml: 0.5-6.8 TB/s on dojo) and to the mesh size
(sensitivity-mesh.yaml: 4 x 4 to 8 x 8 dojo tiles). Top: decode throughput;
bottom: throughput normalised to Base at the same point.

Expected runtime: full scale (45 runs of DeepSeek-V3, batch 4096, 32 decode
steps, coarse granularity) about 30 minutes on 2 cores today (the 8 x 8
mesh is the slowest); nothing to run with --results DIR (DIR/bandwidth and
DIR/mesh hold the two sweeps). Tiny scale: about 5 seconds.

Writes OUT/sensitivity.{png,pdf,csv}: per study (bandwidth, mesh), value
and strategy the throughput (tokens/s) and its ratio to Base's (exactly 1
for Base).
"""
from figlib import (COLOURS, cell_means, die, footer, grid_xy, mesh_label, number, ok_rows, ordered, parser,
                    pyplot, save, sort_values, sweep, tiny_from)

STUDIES = [
    ("bandwidth", "sensitivity-bandwidth.yaml", "hw.link.bandwidth", "D2D link bandwidth (TB/s)",
     [("    hw.link.bandwidth: [0.5 TB/s, 1 TB/s, 1.7 TB/s, 3.4 TB/s, 6.8 TB/s]",
       "    hw.link.bandwidth: [0.5 TB/s, 1.7 TB/s, 6.8 TB/s]")]),
    ("mesh", "sensitivity-mesh.yaml", "hw.grid", "mesh (tiles)",
     [("hw:\n  grid: {x: 2, y: 2}\n", "hw:\n"),
      ("    hw.grid: [{x: 4, y: 4}, {x: 5, y: 5}, {x: 6, y: 6}, {x: 8, y: 8}]",
       "    hw.grid: [{x: 2, y: 2}, {x: 3, y: 3}]")]),
]


def x_value(key, v):
    if key == "hw.grid":
        x, y = grid_xy(v)
        return x * y
    n = number(v.split()[0])
    if n is None:
        die("%s: %r is not a number with a unit" % (key, v))
    unit = v.split()[1] if len(v.split()) > 1 else "TB/s"
    return n * {"TB/s": 1.0, "GB/s": 1e-3}.get(unit, 1.0)


def main():
    args = parser(__doc__).parse_args()
    plt = pyplot()
    fig, axes = plt.subplots(2, len(STUDIES), figsize=(10, 7), squeeze=False)
    table, prov = [], {}
    for col, (sub, exp, key, xlabel, swaps) in enumerate(STUDIES):
        tiny = tiny_from(exp, swaps) if args.scale == "tiny" else None
        prov, cols, swept, rows = sweep(args, "sensitivity-" + sub, exp, tiny, sub=sub)
        rows = ok_rows(rows)
        if not rows or key not in swept:
            die("%s: no successful point, or no swept %s" % (exp, key))
        thr = cell_means(rows, ["variant", key], "throughput_tokens_per_s")
        strategies = ordered(r["variant"] for r in rows)
        values = sort_values(r[key] for r in rows)
        if "Base" not in strategies:
            die(exp + ": no Base variant")
        for v in strategies:
            pts = [(x_value(key, x), thr[(v, x)], thr[(v, x)] / thr[("Base", x)], x) for x in values
                   if (v, x) in thr and ("Base", x) in thr]
            table += [[sub, x, v, t, n] for _, t, n, x in pts]
            for row, i in ((0, 1), (1, 2)):
                axes[row][col].plot([p[0] for p in pts], [p[i] for p in pts], marker="o", color=COLOURS.get(v, "k"),
                                    label=v)
        for row in (0, 1):
            ax = axes[row][col]
            ax.set_xscale("log")
            ax.set_xticks([x_value(key, x) for x in values])
            ax.set_xticklabels([mesh_label(x) if key == "hw.grid" else x.replace(" TB/s", "") for x in values])
            ax.minorticks_off()
            ax.set_xlabel(xlabel)
        axes[0][col].set_ylabel("decode throughput (tokens/s)")
        axes[1][col].set_ylabel("throughput normalised to Base (x)")
        axes[1][col].axhline(1, color="0.3", lw=0.8, ls="--")
        axes[0][col].set_title("sensitivity to the " + ("link bandwidth" if sub == "bandwidth" else "mesh size"))
    axes[0][0].legend()
    footer(fig, prov, "mean over seed repetitions")
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    save(fig, args.out, "sensitivity", ["study", "value", "strategy", "throughput_tokens_per_s",
                                        "normalised_throughput"], table, prov)


if __name__ == "__main__":
    main()
