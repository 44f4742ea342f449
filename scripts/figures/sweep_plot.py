#!/usr/bin/env python3
"""scripts/figures/sweep_plot.py -- one figure from the merged results of a
`wafersim sweep` (DIR/results.csv, doc/sweep.md): a metric against one swept
key, one line per variant (or per another column), the mean over the seed
repetitions with +/- one sample standard deviation as error bars.

usage: sweep_plot.py RESULTS.csv --x COLUMN [--y COLUMN] [--series COLUMN]
                     [--where COLUMN=VALUE]... [--out FILE] [--table]

  --x        the swept key on the x axis (numbers are placed by value;
             anything else, e.g. "1 TB/s", in the order of first appearance)
  --y        the metric (default throughput_tokens_per_s)
  --series   one line per value of this column (default variant)
  --where    keep only the rows where COLUMN is VALUE (repeatable)
  --out      the figure (.png, .pdf or .svg; default: no figure)
  --table    print the plotted points as CSV: series,x,n,mean,sd

Only points with status "ok" are used. Every other swept key must be fixed
(by the sweep or by --where): rows of one (series, x) cell that differ in
another swept column are refused (exit 2) rather than averaged together.
The figure's footer carries the results' provenance (wafersim version,
revision, experiment, config hash). Exit status 2 on bad input.
"""
import argparse
import csv
import math
import sys

from figlib import die, number, read_results  # shared with the figure scripts


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("results")
    ap.add_argument("--x", required=True)
    ap.add_argument("--y", default="throughput_tokens_per_s")
    ap.add_argument("--series", default="variant")
    ap.add_argument("--where", action="append", default=[])
    ap.add_argument("--out")
    ap.add_argument("--table", action="store_true")
    a = ap.parse_args()

    prov, cols, swept, rows = read_results(a.results)
    for c in (a.x, a.y, a.series):
        if c not in cols:
            die("no column %r; columns: %s" % (c, ", ".join(cols)))
    for w in a.where:
        key, eq, value = w.partition("=")
        if not eq or key not in cols:
            die("--where %r: expected COLUMN=VALUE with a column of the results" % w)
        rows = [r for r in rows if r[key] == value]
    rows = [r for r in rows if r["status"] == "ok"]
    if not rows:
        die("no successful point left to plot")

    cells, fixed = {}, {}
    series_order, x_order = [], []
    others = [c for c in swept if c != a.x and c != a.series]
    for r in rows:
        key = (r[a.series], r[a.x])
        if r[a.series] not in series_order:
            series_order.append(r[a.series])
        if r[a.x] not in x_order:
            x_order.append(r[a.x])
        rest = tuple(r[c] for c in others)
        if fixed.setdefault(key, rest) != rest:
            die("the points of %s=%s, %s=%s differ in %s: fix them with --where"
                % (a.series, key[0], a.x, key[1],
                   ", ".join(c for c, u, v in zip(others, fixed[key], rest) if u != v)))
        y = number(r[a.y])
        if y is None:
            die("column %r: %r is not a number" % (a.y, r[a.y]))
        cells.setdefault(key, []).append(y)

    numeric = all(number(x) is not None for x in x_order)
    if numeric:
        x_order.sort(key=float)

    def stats(ys):
        n = len(ys)
        mean = sum(ys) / n
        sd = math.sqrt(sum((y - mean) ** 2 for y in ys) / (n - 1)) if n > 1 else 0.0
        return n, mean, sd

    if a.table:
        w = csv.writer(sys.stdout, lineterminator="\n")
        w.writerow(["series", "x", "n", "mean", "sd"])
        for s in series_order:
            for x in x_order:
                if (s, x) in cells:
                    n, mean, sd = stats(cells[(s, x)])
                    w.writerow([s, x, n, repr(mean), repr(sd)])

    if a.out:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        fig, ax = plt.subplots(figsize=(6.4, 4.4))
        for s in series_order:
            xs = [x for x in x_order if (s, x) in cells]
            st = [stats(cells[(s, x)]) for x in xs]
            pos = [float(x) for x in xs] if numeric else [x_order.index(x) for x in xs]
            ax.errorbar(pos, [m for _, m, _ in st], yerr=[d for _, _, d in st], marker="o", capsize=3,
                        label="%s" % s)
        if not numeric:
            ax.set_xticks(range(len(x_order)))
            ax.set_xticklabels(x_order)
        ax.set_xlabel(a.x)
        ax.set_ylabel(a.y)
        ax.grid(True, alpha=0.3)
        ax.legend(title=a.series)
        foot = "wafersim %s (%s), %s, config %s" % (prov.get("wafersim_version", "?"), prov.get("revision", "?"),
                                                   prov.get("config", "?"), prov.get("config_hash", "?"))
        if a.where:
            foot += "; " + ", ".join(a.where)
        fig.text(0.01, 0.01, foot, fontsize=6, color="0.4")
        fig.tight_layout(rect=(0, 0.03, 1, 1))
        try:
            fig.savefig(a.out, metadata={"Software": None} if a.out.endswith(".png") else None)
        except (OSError, ValueError) as e:
            die(str(e))


if __name__ == "__main__":
    main()
