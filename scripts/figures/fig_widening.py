#!/usr/bin/env python3
"""fig_widening.py -- link widening (ours, not in the study): decode
throughput of Base and Allo+Pred, normalised to unwidened Base, against the
die area the added link bandwidth costs (configs/experiments/widening.yaml:
every, E-W or N-S link widened 1.5-4x; area at 1 mm^2 per added TB/s, an
assumption). Where a Base line crosses Allo+Pred's unwidened level, the
same area spent on links equals the study's CP changes.

Expected runtime: full scale (30 runs of DeepSeek-V3, batch 4096, 32 decode
steps, coarse granularity) about 20 minutes on 2 cores today; nothing to
run with --results. Tiny scale: about 3 seconds.

Writes OUT/widening.{png,pdf,csv}: per strategy, selection and factor the
added area (mm^2), added bandwidth (TB/s), throughput (tokens/s) and the
throughput over unwidened Base's (exactly 1 for Base at factor 1).
"""
from figlib import (COLOURS, cell_means, die, footer, number, ok_rows, ordered, parser, pyplot, save, sort_values,
                    sweep, tiny_from)

SELECT = "options.link_widening.select"
FACTOR = "options.link_widening.factor"
TINY_SWAPS = [("    options.link_widening.select: [all, horizontal, vertical]",
               "    options.link_widening.select: [all, horizontal]"),
              ("    options.link_widening.factor: [1, 1.5, 2, 3, 4]", "    options.link_widening.factor: [1, 2, 4]")]
MARKERS = {"all": "o", "horizontal": ">", "vertical": "^"}
STYLES = {"all": "-", "horizontal": "--", "vertical": ":"}


def main():
    args = parser(__doc__).parse_args()
    tiny = tiny_from("widening.yaml", TINY_SWAPS) if args.scale == "tiny" else None
    prov, cols, swept, rows = sweep(args, "widening", "widening.yaml", tiny)
    rows = ok_rows(rows)
    if not rows or SELECT not in swept or FACTOR not in swept:
        die("no successful point, or not the widening sweep (no %s, %s columns)" % (SELECT, FACTOR))
    keys = ["variant", SELECT, FACTOR]
    thr = cell_means(rows, keys, "throughput_tokens_per_s")
    area = cell_means(rows, keys, "link_added_area_mm2")
    added = cell_means(rows, keys, "link_added_TBps")
    strategies = ordered(r["variant"] for r in rows)
    selects = list(dict.fromkeys(r[SELECT] for r in rows))
    factors = sort_values(r[FACTOR] for r in rows)
    unwidened = [f for f in factors if number(f) == 1.0]
    if "Base" not in strategies or not unwidened:
        die("need Base at factor 1 to normalise to")
    base = {s: thr[("Base", s, unwidened[0])] for s in selects if ("Base", s, unwidened[0]) in thr}

    plt = pyplot()
    fig, ax = plt.subplots(figsize=(7, 4.6))
    table = []
    for v in strategies:
        for s in selects:
            pts = [(area[(v, s, f)], thr[(v, s, f)] / base[s], f) for f in factors if (v, s, f) in thr and s in base]
            for a, y, f in pts:
                table.append([v, s, f, a, added[(v, s, f)], thr[(v, s, f)], y])
            ax.plot([p[0] for p in pts], [p[1] for p in pts], color=COLOURS.get(v, "k"), ls=STYLES.get(s, "-"),
                    marker=MARKERS.get(s, "s"), label="%s, %s links" % (v, s))
            for a, y, f in pts:
                ax.annotate("x%s" % f, (a, y), textcoords="offset points", xytext=(3, 3), fontsize=6, color="0.3")
    ax.axhline(1, color="0.3", lw=0.8, ls="--")
    ax.set_xlabel("added link area (mm^2, at 1 mm^2 per added TB/s)")
    ax.set_ylabel("throughput normalised to unwidened Base (x)")
    ax.set_title("link widening: speedup vs added area (labels: widening factor)")
    ax.legend(fontsize=7)
    footer(fig, prov, "mean over seed repetitions")
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    save(fig, args.out, "widening", ["strategy", "select", "factor", "link_added_area_mm2", "link_added_TBps",
                                     "throughput_tokens_per_s", "normalised_throughput"], table, prov)


if __name__ == "__main__":
    main()
