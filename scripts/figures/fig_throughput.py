#!/usr/bin/env python3
"""fig_throughput.py -- the study's main figure: decode throughput of the five
strategies normalised to Base, for the 4 models x 2 meshes x batches
4096/8192/16384, and the matching hop reduction (Base's hops over the
strategy's, log scale).

Expected runtime: full scale (configs/experiments/study.yaml, 120 runs of
127 decode steps at the default granularity, each sampled as 8 steps x 2
MoE layers) about 7 minutes on 2 cores with the synthetic traces already
in the trace cache, 10 minutes without (doc/performance.md, "Issues 6 and
8"); resumable, and nothing to run with --results.
Tiny scale (--scale tiny): about 5 seconds.

Writes OUT/throughput.{png,pdf,csv} and OUT/hops.{png,pdf,csv}. In the
CSVs: model, mesh, batch, strategy, the mean over seed repetitions of the
value plotted, and the inputs (throughput in tokens/s; hops = request +
data hops). Base's normalised throughput and hop reduction are exactly 1.
EP reads every expert at its home: 0 hops, an infinite reduction, drawn as
an arrow at the top of the panel (empty in the CSV).
"""
from figlib import (COLOURS, cell_means, die, footer, grouped_bars, legend_handles, mesh_label, model_label,
                    ok_rows, ordered, parser, pyplot, save, sort_values, sweep)

TINY = """# tiny version of configs/experiments/study.yaml (fig_throughput.py --scale tiny)
preset: dojo
model: {TINY}
sim: {seed: 1}
workload: {batch: 16, decode_steps: 2}
options:
  expert_affine: {enabled: true}
  migration: {enabled: true}
variants:
  - {name: Base, set: ["strategy.allocation=even", "options.migration.enabled=false"]}
  - {name: EP, set: ["strategy.allocation=home", "options.migration.enabled=false"]}
  - {name: Allo Only, set: ["strategy.allocation=affine", "options.migration.enabled=false"]}
  - {name: Pred Only, set: ["strategy.allocation=even"]}
  - {name: Allo+Pred, set: ["strategy.allocation=affine"]}
baseline: Base
sweep:
  grid:
    model: [{TINY}]
    hw.grid: [{x: 2, y: 2}, {x: 3, y: 1}]
    workload.batch: [16, 32, 64]
"""


def main():
    args = parser(__doc__).parse_args()
    prov, cols, swept, rows = sweep(args, "study", "study.yaml", TINY)
    failed = sum(1 for r in rows if r["status"] != "ok")
    rows = ok_rows(rows)
    if not rows:
        die("no successful point")
    model_col = "model" if "model" in swept else None
    for r in rows:
        r["_model"] = model_label(r[model_col]) if model_col else model_label(prov.get("model", "model"))
        r["_hops"] = repr(float(r["request_hops"]) + float(r["data_hops"]))
    keys = ["_model", "hw.grid", "workload.batch", "variant"]
    for k in keys:
        if k not in rows[0]:
            die("the results have no column %r (not the study's sweep?)" % k)
    thr = cell_means(rows, keys, "throughput_tokens_per_s")
    hops = cell_means(rows, keys, "_hops")
    models = list(dict.fromkeys(r["_model"] for r in rows))
    meshes = list(dict.fromkeys(r["hw.grid"] for r in rows))     # as the sweep lists them (dojo first)
    batches = sort_values(r["workload.batch"] for r in rows)
    strategies = ordered(r["variant"] for r in rows)
    if "Base" not in strategies:
        die("no Base variant to normalise to")
    groups = [(m, b) for m in meshes for b in batches]

    table_t, table_h, norm_t, red_h = [], [], {}, {}
    for mo in models:
        for me, b in groups:
            base_t, base_h = thr.get((mo, me, b, "Base")), hops.get((mo, me, b, "Base"))
            for s in strategies:
                t, h = thr.get((mo, me, b, s)), hops.get((mo, me, b, s))
                if t is None or base_t is None:
                    continue
                norm_t[(mo, me, b, s)] = t / base_t
                table_t.append([mo, mesh_label(me), b, s, t / base_t, t, base_t])
                red = (base_h / h) if h else None
                red_h[(mo, me, b, s)] = red
                table_h.append([mo, mesh_label(me), b, s, red, h, base_h])

    plt = pyplot()
    from matplotlib.ticker import FormatStrFormatter, LogLocator, NullFormatter
    labels = ["%s\n%s" % (mesh_label(me).split(" ")[0], b) for me, b in groups]
    ncol = 1 if len(models) == 1 else 2
    nrow = (len(models) + ncol - 1) // ncol
    for stem, values, ylabel, log in (
            ("throughput", norm_t, "throughput normalised to Base (x)", False),
            ("hops", red_h, "hop reduction vs Base (Base hops / hops, x, log)", True)):
        fig, axes = plt.subplots(nrow, ncol, figsize=(6.4 * ncol, 1.0 + 3.4 * nrow), squeeze=False)
        flat = [ax for row in axes for ax in row]
        for ax in flat[len(models):]:
            ax.set_visible(False)
        for ax, mo in zip(flat, models):
            def missing(ax, x, s, g, mo=mo):
                if (mo, g[0], g[1], s) in values:       # zero hops: infinite reduction
                    ax.annotate("", xy=(x, 1), xycoords=("data", "axes fraction"), xytext=(x, 0.9),
                                arrowprops={"arrowstyle": "->", "color": COLOURS.get(s, "k")})
            grouped_bars(ax, groups, strategies, lambda s, g: values.get((mo, g[0], g[1], s)),
                         COLOURS, log=log, missing=missing)
            ax.set_xticklabels(labels, fontsize=8)
            ax.set_ylabel(ylabel)
            ax.set_title(mo)
            ax.set_xlabel("mesh, batch (requests)")
            if not log:
                ax.axhline(1, color="0.3", lw=0.8, ls="--")
            if log:
                ax.set_ylim(bottom=0.5)
                ax.yaxis.set_major_locator(LogLocator(base=10, subs=(1, 2, 5)))
                ax.yaxis.set_major_formatter(FormatStrFormatter("%g"))
                ax.yaxis.set_minor_formatter(NullFormatter())
        names = [s + (" (arrow: 0 hops)" if log and s == "EP" else "") for s in strategies]
        fig.legend(legend_handles(strategies), names, loc="upper center", ncol=len(strategies), frameon=False)
        note = "mean over seed repetitions" + ("; arrow: 0 hops" if log else "")
        if failed:
            note += "; %d points failed or missing: their bars (or their group's) are absent" % failed
        footer(fig, prov, note)
        fig.tight_layout(rect=(0, 0.03, 1, 1 - 0.35 / (1.0 + 3.4 * nrow)))
        if stem == "throughput":
            save(fig, args.out, stem, ["model", "mesh", "batch", "strategy", "normalised_throughput",
                                       "throughput_tokens_per_s", "base_throughput_tokens_per_s"], table_t, prov)
        else:
            save(fig, args.out, stem, ["model", "mesh", "batch", "strategy", "hop_reduction",
                                       "hops", "base_hops"], table_h, prov)
        plt.close(fig)


if __name__ == "__main__":
    main()
