"""scripts/figures/figlib.py -- what the figure scripts share: reading the
results of a `wafersim sweep` (doc/sweep.md), running a sweep at full or
tiny scale (resumably, into a directory that a rerun reuses), the common
style (one colour per strategy in every figure) and writing a figure as PNG
and PDF with the numbers it plots as CSV next to it.

Python 3 standard library; matplotlib (Debian's python3-matplotlib) is
imported only when a figure is drawn.
"""
import argparse
import csv
import math
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TINY_MODEL = os.path.join(ROOT, "tests", "fixtures", "run", "tiny.yaml")

# The study's five strategies (design.md 2.3), always in this order and colour.
STRATEGIES = ["Base", "EP", "Allo Only", "Pred Only", "Allo+Pred"]
COLOURS = {
    "Base": "#7f7f7f",
    "EP": "#1f77b4",
    "Allo Only": "#2ca02c",
    "Pred Only": "#ff7f0e",
    "Allo+Pred": "#d62728",
}
_OTHER = ["#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#000000"]
MESHES = {(5, 5): "dojo", (3, 8): "tsmc-sow"}


def die(msg):
    print("%s: %s" % (os.path.basename(sys.argv[0]), msg), file=sys.stderr)
    sys.exit(2)


def colour(name, others=None):
    """A strategy's colour; any other series takes the next free colour of
    `others` (a list of the non-strategy names, for a stable order)."""
    if name in COLOURS:
        return COLOURS[name]
    i = others.index(name) if others and name in others else sum(map(ord, name))  # stable across runs
    return _OTHER[i % len(_OTHER)]


def ordered(names):
    """The strategies first in the study's order, then the rest as found."""
    names = list(dict.fromkeys(names))
    return [s for s in STRATEGIES if s in names] + [n for n in names if n not in STRATEGIES]


def number(text):
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


def read_csv(path):
    """(provenance, rows) of a CSV that wafersim wrote (core/output.h): the
    "# key: value" lines as a dict, the rows as dicts by column name."""
    prov, lines = {}, []
    try:
        with open(path, newline="") as f:
            for line in f:
                if line.startswith("#"):
                    key, _, value = line[1:].strip().partition(": ")
                    prov[key] = value
                else:
                    lines.append(line)
    except OSError as e:
        die(str(e))
    return prov, list(csv.DictReader(lines))


def read_results(path):
    """(provenance, columns, swept keys, rows) of a sweep's results.csv
    (or of the directory holding it)."""
    if os.path.isdir(path):
        path = os.path.join(path, "results.csv")
    prov, rows = read_csv(path)
    if not rows:
        die(path + ": no rows")
    cols = list(rows[0].keys())
    if "error" not in cols or "repetition" not in cols:
        die(path + ": not the results of a wafersim sweep (no error/repetition columns)")
    swept = cols[cols.index("error") + 1:cols.index("repetition")]
    return prov, cols, swept, rows


def ok_rows(rows, where=None):
    """The successful rows, optionally only those where every COLUMN == VALUE
    of the dict `where`."""
    out = [r for r in rows if r["status"] == "ok"]
    for k, v in (where or {}).items():
        out = [r for r in out if r.get(k) == v]
    return out


def mean(values):
    values = list(values)
    return sum(values) / len(values) if values else None


def cell_means(rows, keys, metric):
    """{tuple of the rows' values of `keys`: mean of `metric` over the rows
    (the seed repetitions)}; a metric that is not a number is refused."""
    acc = {}
    for r in rows:
        y = number(r[metric])
        if y is None:
            die("column %r: %r is not a number" % (metric, r[metric]))
        acc.setdefault(tuple(r[k] for k in keys), []).append(y)
    return {k: sum(v) / len(v) for k, v in acc.items()}


def model_label(value):
    base = os.path.basename(value)
    return base[:-5] if base.endswith(".yaml") else base


def grid_xy(value):
    m = re.match(r"\{\s*x:\s*(\d+),\s*y:\s*(\d+)\s*\}", value)
    return (int(m.group(1)), int(m.group(2))) if m else None


def mesh_label(value):
    xy = grid_xy(value)
    if not xy:
        return value
    name = MESHES.get(xy)
    return ("%s %dx%d" % (name, xy[0], xy[1])) if name else ("%dx%d" % xy)


def sort_values(values):
    values = list(dict.fromkeys(values))
    if all(number(v) is not None for v in values):
        return sorted(values, key=float)
    if all(grid_xy(v) for v in values):
        return sorted(values, key=lambda v: grid_xy(v)[0] * grid_xy(v)[1])
    return values


# --- command line and sweeps ---------------------------------------------

def parser(doc):
    ap = argparse.ArgumentParser(description=doc.strip().split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--results", metavar="DIR",
                    help="reuse the finished sweep in DIR (its results.csv) instead of running one")
    ap.add_argument("--wafersim", metavar="PATH", default=None,
                    help="the simulator (default: build/wafersim, else ./wafersim)")
    ap.add_argument("--scale", choices=("full", "tiny"), default="full",
                    help="full: the study's settings (slow); tiny: seconds, for tests")
    ap.add_argument("--sweep-dir", metavar="DIR",
                    help="where the sweep runs and resumes (default results/sweeps[/tiny]/NAME)")
    ap.add_argument("-j", "--jobs", type=int, default=2, help="sweep worker processes (default 2)")
    ap.add_argument("--out", metavar="DIR", default=os.path.join("results", "figures"),
                    help="output directory for PNG, PDF and CSV (default results/figures)")
    return ap


def wafersim(args):
    if args.wafersim:
        return args.wafersim
    for p in (os.path.join("build", "wafersim"), "wafersim", os.path.join(ROOT, "build", "wafersim")):
        if os.access(p, os.X_OK) and os.path.isfile(p):
            return p
    die("no wafersim binary found: give --wafersim PATH")


def sweep_dir(args, name):
    if args.sweep_dir:
        return args.sweep_dir
    return os.path.join("results", "sweeps", name) if args.scale == "full" else \
        os.path.join("results", "sweeps", "tiny", name)


def run(cmd):
    print("+ " + " ".join(cmd), file=sys.stderr)
    rc = subprocess.call(cmd)
    if rc != 0:
        die("%s exited with status %d" % (cmd[0], rc))


def sweep(args, name, full_experiment, tiny_text, sub=None):
    """The results.csv of the figure's sweep: --results DIR if given, else
    the sweep run (or resumed, or found finished) in sweep_dir(): at full
    scale the experiment file configs/experiments/FULL_EXPERIMENT, at tiny
    scale `tiny_text` (an experiment; {TINY} stands for the tiny test model)
    written next to the sweep directory. A figure of several sweeps names
    each one's `sub`: --results DIR then means DIR/SUB, --sweep-dir DIR
    means DIR/SUB."""
    if args.results:
        return read_results(os.path.join(args.results, sub) if sub else args.results)
    d = os.path.join(args.sweep_dir, sub) if (sub and args.sweep_dir) else sweep_dir(args, name)
    if args.scale == "full":
        exp = os.path.join(ROOT, "configs", "experiments", full_experiment)
    else:
        os.makedirs(os.path.dirname(os.path.abspath(d)), exist_ok=True)
        exp = os.path.abspath(d) + ".yaml"
        with open(exp, "w") as f:
            f.write(tiny_text.replace("{TINY}", TINY_MODEL))
    run([wafersim(args), "sweep", "-q", "-j", str(max(1, args.jobs)), "--out", d, exp])
    return read_results(d)


TINY_SWAPS = [("model: deepseek-v3", "model: {TINY}"),
              ("  batch: 4096", "  batch: 16"),
              ("  decode_steps: 32", "  decode_steps: 2"),
              ("hw:\n", "hw:\n  grid: {x: 2, y: 2}\n")]


def tiny_from(full_experiment, swaps=()):
    """The tiny version of configs/experiments/FULL_EXPERIMENT, so that the
    tests run the same variants and options: the tiny model on a 2 x 2 mesh,
    batch 16, 2 decode steps, then `swaps` (pairs of text, each replaced
    once; a pair not found is a bug of the script: it dies)."""
    with open(os.path.join(ROOT, "configs", "experiments", full_experiment)) as f:
        text = f.read()
    if not text.startswith("hw:\n") and "\nhw:\n" not in text:
        text = text.rstrip("\n") + "\nhw:\n"   # the experiment takes the preset's hw: add the section
    for old, new in TINY_SWAPS + list(swaps):
        if old not in text:
            die("%s: no %r to replace for the tiny scale" % (full_experiment, old))
        text = text.replace(old, new, 1)
    if text.endswith("\nhw:\n"):
        text = text[:-len("hw:\n")]                # nothing left to set in the added section
    return "# tiny version of configs/experiments/%s\n%s" % (full_experiment, text)


# --- drawing ---------------------------------------------------------------

def pyplot():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    plt.rcParams.update({"font.size": 9, "axes.titlesize": 10, "legend.fontsize": 8,
                         "axes.grid": True, "grid.alpha": 0.3, "axes.axisbelow": True})
    return plt


def footer(fig, prov, extra=""):
    text = "wafersim %s (%s), %s, config %s" % (prov.get("wafersim_version", "?"), prov.get("revision", "?"),
                                               prov.get("config", "?"), prov.get("config_hash", "?"))
    fig.text(0.005, 0.005, text + (("; " + extra) if extra else ""), fontsize=6, color="0.4")


def grouped_bars(ax, groups, series, value, colours=None, width=0.8, log=False, missing=None):
    """Bars of `series` side by side in each of `groups`; value(s, g) gives a
    number or None (no bar; `missing(ax, x, s, g)` may mark it)."""
    n = max(1, len(series))
    w = width / n
    for i, s in enumerate(series):
        for j, g in enumerate(groups):
            v = value(s, g)
            x = j - width / 2 + (i + 0.5) * w
            if v is None or (log and v <= 0):
                if missing:
                    missing(ax, x, s, g)
                continue
            ax.bar(x, v, w, color=(colours or {}).get(s, colour(s, series)),
                   label=s if j == 0 or not ax.get_legend_handles_labels()[1].count(s) else None)
    ax.set_xticks(range(len(groups)))
    if log:
        ax.set_yscale("log")


def legend_handles(series, colours=None):
    """One patch per series in its colour, for a legend that lists every
    series even where one has no bar."""
    from matplotlib.patches import Patch
    return [Patch(color=(colours or {}).get(s, colour(s, series))) for s in series]


def save(fig, out_dir, stem, header, table, prov=None):
    """Writes OUT/STEM.png, OUT/STEM.pdf and OUT/STEM.csv (the plotted
    numbers: `header` then the rows of `table`, the provenance as # lines)."""
    os.makedirs(out_dir, exist_ok=True)
    base = os.path.join(out_dir, stem)
    fig.savefig(base + ".png", dpi=150, metadata={"Software": None})
    fig.savefig(base + ".pdf", metadata={"Creator": None, "Producer": None, "CreationDate": None})
    with open(base + ".csv", "w", newline="") as f:
        for k in ("wafersim_version", "revision", "config", "config_hash"):
            if prov and k in prov:
                f.write("# %s: %s\n" % (k, prov[k]))
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        for row in table:
            w.writerow([repr(v) if isinstance(v, float) else ("" if v is None else v) for v in row])
    print(base + ".png")


def isclose(a, b):
    return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-15)
