#!/usr/bin/env python3
"""fig_hbm.py -- HBM access breakdown per strategy (local reads, remote reads,
local writes, GB) for qwen3-235b on tsmc-sow (3 x 8) at batch 4096: one
point of the study's sweep (configs/experiments/study.yaml), so it shares
the sweep directory of fig_throughput.py (results/sweeps/study) and costs
nothing once that has run.

Expected runtime: nothing to run after fig_throughput.py (or with
--results); run alone at full scale it runs (resumably) the whole study
sweep, about 7-10 minutes on 2 cores (doc/performance.md). Tiny scale: about 5 seconds
(the tiny model on a 3 x 1 mesh at batch 16).

Writes OUT/hbm.{png,pdf,csv}: per strategy the three volumes in GB (mean
over seed repetitions) and their total.
"""
from fig_throughput import TINY
from figlib import (COLOURS, cell_means, die, footer, mesh_label, model_label, ok_rows, ordered, parser, pyplot,
                    save, sweep)

SELECT = {"full": ("qwen3-235b", "{x: 3, y: 8}", "4096"),
          "tiny": ("tiny", "{x: 3, y: 1}", "16")}
PARTS = [("hbm_local_read_GB", "local reads", None),
         ("hbm_remote_read_GB", "remote reads", "///"),
         ("hbm_local_write_GB", "local writes (copies)", "...")]


def main():
    ap = parser(__doc__)
    ap.add_argument("--model", help="the model (default qwen3-235b; tiny at tiny scale)")
    ap.add_argument("--mesh", help="the hw.grid value (default \"{x: 3, y: 8}\")")
    ap.add_argument("--batch", help="the batch (default 4096)")
    args = ap.parse_args()
    model, mesh, batch = SELECT[args.scale]
    model, mesh, batch = args.model or model, args.mesh or mesh, args.batch or batch
    prov, cols, swept, rows = sweep(args, "study", "study.yaml", TINY)
    rows = [r for r in ok_rows(rows, {"hw.grid": mesh, "workload.batch": batch})
            if model_label(r.get("model", "")) == model]
    if not rows:
        die("no successful point of model %s, hw.grid %s, batch %s" % (model, mesh, batch))
    strategies = ordered(r["variant"] for r in rows)
    vals = {m: cell_means(rows, ["variant"], m) for m, _, _ in PARTS}
    table = [[s] + [vals[m][(s,)] for m, _, _ in PARTS] + [sum(vals[m][(s,)] for m, _, _ in PARTS)]
             for s in strategies]

    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    bottom = [0.0] * len(strategies)
    for m, label, hatch in PARTS:
        ys = [vals[m][(s,)] for s in strategies]
        ax.bar(range(len(strategies)), ys, 0.6, bottom=bottom, label=label, hatch=hatch,
               color=[COLOURS.get(s, "0.5") for s in strategies], alpha=1.0 if hatch is None else 0.55,
               edgecolor="black", linewidth=0.6)
        bottom = [b + y for b, y in zip(bottom, ys)]
    ax.set_xticks(range(len(strategies)))
    ax.set_xticklabels(strategies)
    ax.set_xlabel("strategy")
    ax.set_ylabel("HBM traffic (GB)")
    ax.set_title("HBM accesses: %s on %s, batch %s" % (model, mesh_label(mesh), batch))
    from matplotlib.patches import Patch
    ax.legend([Patch(facecolor="0.6", alpha=1.0 if h is None else 0.55, hatch=h, edgecolor="black")
               for _, _, h in PARTS], [label for _, label, _ in PARTS], title="access (bar colour: strategy)")
    footer(fig, prov, "mean over seed repetitions")
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    save(fig, args.out, "hbm", ["strategy"] + [m for m, _, _ in PARTS] + ["total_GB"], table, prov)


if __name__ == "__main__":
    main()
