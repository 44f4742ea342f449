#!/usr/bin/env python3
"""fig_traces.py -- the routing statistics of the four models' traces
(doc/traces.md, `wafersim trace stats`): the next-token and next-layer
conditional CDFs (the mass of the top-r experts chosen after the hottest
expert), the co-activation CDF (share of all co-activations carried by the
most frequent expert pairs) and the prefill-vs-decode Spearman correlation
of expert counts per MoE layer.

Expected runtime: full scale (4 generated traces of 4096 requests, seed 1,
about 3 GB in OUT/../traces) about 10 minutes on 2 cores; reused when the
traces and statistics exist. Tiny scale (the tiny test model, 64 requests
of 8 decode tokens): about 2 seconds.

Writes OUT/trace_cdf.{png,pdf,csv} (per model and rank: the mean over MoE
layers of both CDFs), OUT/trace_coact.{png,pdf,csv} (per model and pair
fraction: the mean over layers of the co-activation CDF; computed here from
the trace, since `trace stats` prints only its summary, and checked against
that summary by the tests) and OUT/trace_spearman.{png,pdf,csv}.
--results DIR reads DIR/MODEL.csv and DIR/MODEL-cdf.csv (`trace stats
--format csv --out MODEL.csv --cdf MODEL-cdf.csv`) and DIR/MODEL.wst.
"""
import math
import os
import struct

from figlib import _OTHER, die, footer, model_label, number, parser, pyplot, read_csv, run, save, wafersim, TINY_MODEL

MODELS = ["deepseek-v3", "kimi-k2", "llama4-maverick", "qwen3-235b"]


def coact_cdf(path, points):
    """Per MoE layer, the share of all decode-token co-activations (pairs of
    experts picked by one token) carried by the ceil(f x C(E,2)) most
    frequent pairs, for each fraction f of `points`; the trace is read by
    its documented layout (doc/traces.md, version 1)."""
    import numpy as np
    data = np.memmap(path, dtype=np.uint8, mode="r")
    head = bytes(data[:112])
    if head[:8] != b"WSTRACE\0":
        die(path + ": not a wafersim trace")
    _, _, n_moe, experts, top_k = struct.unpack_from("<IIIII", head, 44)
    n_req, _, _, index_off = struct.unpack_from("<QQQQ", head, 64)
    if top_k < 2:
        return None
    offsets = np.frombuffer(bytes(data[index_off:index_off + 8 * n_req]), dtype="<u8")
    a_idx, b_idx = np.triu_indices(top_k, 1)
    counts = np.zeros(n_moe * experts * experts, dtype=np.int64)
    layer_base = (np.arange(n_moe, dtype=np.int64) * experts * experts)[None, :, None]
    pending = []

    def flush():
        if pending:
            counts[:] += np.bincount(np.concatenate(pending), minlength=counts.size)
            pending.clear()
    for off in offsets:
        off = int(off)
        prompt, decode, _, name_len, _ = struct.unpack_from("<IIIHH", bytes(data[off:off + 16]))
        ids_off = off + 16 + ((name_len + 1 + 7) & ~7)
        n = (prompt + decode) * n_moe * top_k
        ids = np.frombuffer(bytes(data[ids_off:ids_off + 2 * n]), dtype="<u2").reshape(prompt + decode, n_moe, top_k)
        ids = ids[prompt:].astype(np.int64)
        lo = np.minimum(ids[:, :, a_idx], ids[:, :, b_idx])
        hi = np.maximum(ids[:, :, a_idx], ids[:, :, b_idx])
        pending.append((layer_base + lo * experts + hi).ravel())
        if sum(p.size for p in pending) > 20000000:
            flush()
    flush()
    counts = counts.reshape(n_moe, experts, experts)
    iu = np.triu_indices(experts, 1)
    pairs = len(iu[0])
    out = []
    for m in range(n_moe):
        c = np.sort(counts[m][iu])[::-1]
        total = c.sum()
        cum = np.cumsum(c) / total if total else None
        out.append([float(cum[min(pairs, math.ceil(f * pairs)) - 1]) if cum is not None else None for f in points])
    return out


def main():
    ap = parser(__doc__)
    ap.add_argument("--requests", type=int, help="requests per generated trace (default 4096; tiny 64)")
    args = ap.parse_args()
    if args.results:
        d = args.results
        models = sorted(f[:-4] for f in os.listdir(d) if f.endswith(".csv") and not f.endswith("-cdf.csv")
                        and os.path.exists(os.path.join(d, f[:-4] + "-cdf.csv")))
        if not models:
            die(d + ": no MODEL.csv with MODEL-cdf.csv")
    else:
        d = args.sweep_dir or os.path.join("results", "traces" if args.scale == "full" else "tiny-traces")
        os.makedirs(d, exist_ok=True)
        full = args.scale == "full"
        models = MODELS if full else [TINY_MODEL]
        n = args.requests or (4096 if full else 64)
        for m in models:
            name = model_label(m)
            wst, st, cdf = (os.path.join(d, name + s) for s in (".wst", ".csv", "-cdf.csv"))
            if not os.path.exists(wst):
                cmd = [wafersim(args), "trace", "gen", "--model", m, "--requests", str(n), "--seed", "1", "-q",
                       "-o", wst + ".part"]
                run(cmd if full else cmd + ["--decode-tokens", "8"])
                os.replace(wst + ".part", wst)
            if not (os.path.exists(st) and os.path.exists(cdf)) or os.path.getmtime(st) < os.path.getmtime(wst):
                run([wafersim(args), "trace", "stats", "--format", "csv", "--out", st, "--cdf", cdf, wst])
        models = [model_label(m) for m in models]

    colours = {m: _OTHER[i % len(_OTHER)] if m not in MODELS else ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e"][
        MODELS.index(m)] for i, m in enumerate(models)}
    stats, cdfs, prov = {}, {}, {}
    for m in models:
        prov, rows = read_csv(os.path.join(d, m + ".csv"))
        stats[m] = [r for r in rows if r["moe_layer_index"] != "mean"]
        cdfs[m] = read_csv(os.path.join(d, m + "-cdf.csv"))[1]
    prov = dict(prov, config="%s (%s)" % (d, ", ".join(m + ".wst" for m in models)), config_hash="-")
    plt = pyplot()

    # conditional CDFs: mean over layers per rank; x as a share of the experts
    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    table = []
    for m in models:
        experts = max(int(r["rank"]) for r in cdfs[m])
        for col, ax in (("next_token_cdf", axes[0]), ("next_layer_cdf", axes[1])):
            by_rank = {}
            for r in cdfs[m]:
                v = number(r[col])
                if v is not None:
                    by_rank.setdefault(int(r["rank"]), []).append(v)
            ranks = sorted(by_rank)
            ys = [sum(by_rank[k]) / len(by_rank[k]) for k in ranks]
            ax.plot([100.0 * k / experts for k in ranks], ys, color=colours[m], label="%s (%d experts)" % (m, experts))
            table += [[m, col, k, 100.0 * k / experts, y] for k, y in zip(ranks, ys)]
    for ax, what in zip(axes, ("next token, same layer", "next MoE layer, same token")):
        ax.axvline(20, color="0.5", ls=":", lw=0.8)
        ax.set_xlabel("top experts after the hottest one (% of the layer's experts)")
        ax.set_ylabel("cumulative probability (mean over MoE layers)")
        ax.set_title("conditional CDF: " + what)
        ax.set_ylim(0, 1.02)
    axes[1].legend(loc="lower right")
    footer(fig, prov, "dotted: 20% (the coverage statistics of doc/traces.md)")
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    save(fig, args.out, "trace_cdf", ["model", "cdf", "rank", "rank_pct_of_experts", "mean_cumulative_probability"],
         table, prov)
    plt.close(fig)

    # co-activation CDF
    points = [i / 1000.0 for i in range(1, 1001)]
    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    table = []
    for m in models:
        per_layer = coact_cdf(os.path.join(d, m + ".wst"), points) if os.path.exists(os.path.join(d, m + ".wst")) \
            else None
        if per_layer is None:
            continue
        for i, f in enumerate(points):
            vals = [L[i] for L in per_layer if L[i] is not None]
            table.append([m, f, sum(vals) / len(vals)])
        ax.plot([100 * f for f in points], [row[2] for row in table if row[0] == m], color=colours[m], label=m)
    ax.plot([100 * f for f in points], points, color="0.5", ls="--", lw=0.8, label="uniform routing")
    ax.axvline(10, color="0.5", ls=":", lw=0.8)
    ax.set_xlabel("most frequent expert pairs (% of all pairs)")
    ax.set_ylabel("share of co-activations (mean over MoE layers)")
    ax.set_title("co-activation CDF (decode tokens)")
    ax.set_xscale("log")
    ax.set_xlim(0.1, 100)
    ax.set_ylim(0, 1.02)
    ax.legend(loc="upper left")
    footer(fig, prov, "dotted: 10% (coact_top10pct_pairs_share)")
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    save(fig, args.out, "trace_coact", ["model", "pair_fraction", "mean_share"], table, prov)
    plt.close(fig)

    # prefill vs decode Spearman per layer
    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    table = []
    for m in models:
        pts = [(int(r["moe_layer_index"]), number(r["prefill_decode_spearman"])) for r in stats[m]]
        pts = [(i, v) for i, v in pts if v is not None]
        ax.plot([i for i, _ in pts], [v for _, v in pts], marker=".", color=colours[m], label=m)
        table += [[m, i, v] for i, v in pts]
    ax.axhline(0.7, color="0.5", ls=":", lw=0.8)
    from matplotlib.ticker import MaxNLocator
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("MoE layer index")
    ax.set_ylabel("Spearman correlation, prefill vs decode expert counts")
    ax.set_title("prefill vs decode expert popularity per layer")
    ax.set_ylim(top=1.02)
    ax.legend(loc="lower left")
    footer(fig, prov, "dotted: 0.7")
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    save(fig, args.out, "trace_spearman", ["model", "moe_layer_index", "prefill_decode_spearman"], table, prov)
    plt.close(fig)


if __name__ == "__main__":
    main()
