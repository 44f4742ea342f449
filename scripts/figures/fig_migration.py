#!/usr/bin/env python3
"""fig_migration.py -- migration capacity (ours, not in the study, which
never bounded the copies): Pred Only and Allo+Pred with a reserved HBM
region of 0-40% of each tile under each replacement policy (lru, lfu,
keep; configs/experiments/migration-capacity.yaml). Left: decode throughput
normalised to Pred Only without a reserved region, which is Base (no copy
can be made); right: task reads served by a copy on the task's own tile.

Expected runtime: full scale (36 runs of DeepSeek-V3, batch 4096, 32 decode
steps, coarse granularity) about 25 minutes on 2 cores today; nothing to
run with --results. Tiny scale (100 MiB tiles): about 4 seconds.

Writes OUT/migration.{png,pdf,csv}: per strategy, policy and reserved
fraction the slots per tile, copies, hits, evictions, throughput
(tokens/s) and the normalised throughput (exactly 1 for Pred Only at 0%).
"""
from figlib import (COLOURS, cell_means, die, footer, number, ok_rows, ordered, parser, pyplot, save, sort_values,
                    sweep, tiny_from)

RESERVED = "hw.tile.hbm.reserved"
POLICY = "options.migration.replacement"
TINY_SWAPS = [("hw:\n  grid: {x: 2, y: 2}\n", "hw:\n  grid: {x: 2, y: 2}\n  tile: {hbm: {capacity: 100 MiB}}\n"),
              ("    hw.tile.hbm.reserved: [0%, 2.5%, 5%, 10%, 20%, 40%]", "    hw.tile.hbm.reserved: [0%, 10%, 40%]")]
STYLES = {"lru": ("-", "o"), "lfu": ("--", "s"), "keep": (":", "^")}


def pct(v):
    n = number(v.rstrip("%"))
    if n is None:
        die("%s: %r is not a percentage" % (RESERVED, v))
    return n


def main():
    args = parser(__doc__).parse_args()
    tiny = tiny_from("migration-capacity.yaml", TINY_SWAPS) if args.scale == "tiny" else None
    prov, cols, swept, rows = sweep(args, "migration-capacity", "migration-capacity.yaml", tiny)
    rows = ok_rows(rows)
    if not rows or RESERVED not in swept or POLICY not in swept:
        die("no successful point, or not the migration-capacity sweep")
    keys = ["variant", POLICY, RESERVED]
    m = {c: cell_means(rows, keys, c) for c in ("throughput_tokens_per_s", "migration_copy_hits", "migration_copies",
                                                "migration_evictions", "migration_slots_per_tile")}
    thr = m["throughput_tokens_per_s"]
    strategies = ordered(r["variant"] for r in rows)
    policies = list(dict.fromkeys(r[POLICY] for r in rows))
    reserved = sort_values(r[RESERVED] for r in rows)
    zero = [r for r in reserved if pct(r) == 0]
    ref = [thr[("Pred Only", p, zero[0])] for p in policies if zero and ("Pred Only", p, zero[0]) in thr]
    if not ref:
        die("need Pred Only at 0% reserved (= Base) to normalise to")
    ref = ref[0]

    plt = pyplot()
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(11, 4.4))
    table = []
    for v in strategies:
        for p in policies:
            pts = [r for r in reserved if (v, p, r) in thr]
            ls, mk = STYLES.get(p, ("-", "d"))
            a1.plot([pct(r) for r in pts], [thr[(v, p, r)] / ref for r in pts], color=COLOURS.get(v, "k"), ls=ls,
                    marker=mk, label="%s, %s" % (v, p))
            a2.plot([pct(r) for r in pts], [m["migration_copy_hits"][(v, p, r)] for r in pts],
                    color=COLOURS.get(v, "k"), ls=ls, marker=mk, label="%s, %s" % (v, p))
            table += [[v, p, r, m["migration_slots_per_tile"][(v, p, r)], m["migration_copies"][(v, p, r)],
                       m["migration_copy_hits"][(v, p, r)], m["migration_evictions"][(v, p, r)], thr[(v, p, r)],
                       thr[(v, p, r)] / ref] for r in pts]
    a1.axhline(1, color="0.3", lw=0.8, ls="--")
    a1.set_ylabel("throughput normalised to Base (x)")
    a1.set_title("speedup vs copy capacity")
    a2.set_ylabel("copy hits (task reads from an own-tile copy)")
    a2.set_title("copy hits vs copy capacity")
    for ax in (a1, a2):
        ax.set_xlabel("reserved HBM for copies (% of each tile's HBM)")
    a1.legend(fontsize=7, title="strategy, replacement")
    footer(fig, prov, "mean over seed repetitions; Base = Pred Only with no reserved region")
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    save(fig, args.out, "migration", ["strategy", "replacement", "reserved", "slots_per_tile", "copies", "copy_hits",
                                      "evictions", "throughput_tokens_per_s", "normalised_throughput"], table, prov)


if __name__ == "__main__":
    main()
