/* core/commands.h — the list of subcommands (one line each) and their run
 * functions, each defined in core/cmd_<name>.c.
 *   X(name, run function, summary, usage)
 */
#ifndef WS_COMMANDS_H
#define WS_COMMANDS_H

int ws_cmd_version(int argc, char **argv);
int ws_cmd_options(int argc, char **argv);
int ws_cmd_validate(int argc, char **argv);
int ws_cmd_config(int argc, char **argv);
int ws_cmd_probe(int argc, char **argv);
int ws_cmd_run(int argc, char **argv);
int ws_cmd_model(int argc, char **argv);
int ws_cmd_trace(int argc, char **argv);
int ws_cmd_noc(int argc, char **argv);
int ws_cmd_sweep(int argc, char **argv);

#define WS_COMMAND_LIST(X)                                                                          \
    X("version", ws_cmd_version, "print the version, source revision and compiled-in options",     \
      "usage: wafersim version\n")                                                                  \
    X("options", ws_cmd_options, "list the hardware options and whether they are compiled in",      \
      "usage: wafersim options [--format table|csv|json] [--out PATH]\n"                            \
      "Lists every hardware option wafersim knows, whether this build has it\n"                     \
      "and the configure switch that controls it.\n")                                              \
    X("validate", ws_cmd_validate, "check config files without running anything",                   \
      "usage: wafersim validate [--set KEY.PATH=VALUE]... [--no-skip] FILE...\n"                    \
      "Loads each FILE with its preset and the overrides (and each of its variants\n"              \
      "and sweep points), reports every error with file:line:column, and exits 2\n"              \
      "if any file is invalid.\n")                                                                \
    X("config", ws_cmd_config, "show the resolved config, or the reference of every key",           \
      "usage: wafersim config show [--set KEY.PATH=VALUE]... [--no-skip] [--out PATH] FILE\n"       \
      "       wafersim config keys [--out PATH]\n"                                                  \
      "show: prints FILE fully resolved (preset and overrides applied, defaults\n"                  \
      "filled in, units normalised) as YAML, with its hash in a comment.\n"                         \
      "keys: prints the reference table of every config key (Markdown).\n") \
    X("probe", ws_cmd_probe, "calibration microbenchmarks of one tile component",                   \
      "usage: wafersim probe hbm [--set KEY.PATH=VALUE]... [--format table|csv|json] [--out PATH] FILE\n" \
      "       wafersim probe gemm --model NAME|FILE [--set ...] [--format ...] [--out PATH] FILE\n" \
      "       wafersim probe p2p [--from X,Y] [--to X,Y] [--set ...] [--format ...] [--out PATH] FILE\n" \
      "hbm: isolated-request latency and streaming read bandwidth of one tile's HBM\n"              \
      "     for request sizes from 64 B to 64 MiB (model: mem/hbm.h, doc/memory.md).\n"           \
      "gemm: time and achieved TFLOPS of one expert (gate, up, down) of the model\n"              \
      "     for 1 to 16384 tokens on one tile (model: arch/compute.h, doc/memory.md).\n"        \
      "p2p [--from X,Y] [--to X,Y]: one read of 4 KiB .. 4 GiB from tile FROM's HBM by\n"      \
      "     tile TO (default 0,0 -> 1,0) on an idle wafer: total time, effective\n"             \
      "     bandwidth and its parts (model: arch/d2d.h, doc/memory.md).\n") \
    X("model", ws_cmd_model, "list the MoE models, or show one with its derived quantities",        \
      "usage: wafersim model list [--format table|csv|json] [--out PATH]\n"                         \
      "       wafersim model show [--format table|csv|json] [--out PATH] NAME|FILE\n"               \
      "list: the shipped models (configs/models/) with their main numbers.\n"                      \
      "show: one model (a shipped NAME, or a model FILE, validated like any config)\n"             \
      "with bytes per expert matrix and FLOPs per token (workload/model.h).\n")                    \
    X("trace", ws_cmd_trace, "import, generate and inspect expert-selection traces",               \
      "usage: wafersim trace import DIR|FILE... --model NAME|FILE -o FILE [--on-error skip|fatal] [-q]\n" \
      "       wafersim trace info [--format table|csv|json] [--out PATH] FILE\n"                    \
      "       wafersim trace gen --model NAME|FILE --requests N --seed S [--profile NAME|FILE]\n"   \
      "                          [--prompt-tokens N|MIN:MAX] [--decode-tokens N] -o FILE [-q]\n"    \
      "       wafersim trace stats [--format table|csv|json] [--out PATH] [--cdf PATH]\n"          \
      "                            [--batch-samples N] [--seed S] FILE\n"                          \
      "       wafersim trace heatmap [--oracle] [--eval TRACE] [-q] -o FILE PROFILE_TRACE\n"       \
      "import: reads per-request JSON traces (whole folder trees, in natural order),\n"            \
      "  validates them against the model and writes one binary trace; a bad file is\n"          \
      "  reported with file:line:column and skipped (default) or ends the import\n"               \
      "  (--on-error fatal, exit 2). Decode is capped at 128 steps per request.\n"                \
      "info: checks a binary trace (magic, version, checksums, every record) and\n"              \
      "  summarises it; a truncated or corrupt file exits 2. Format: doc/traces.md.\n"        \
      "gen: a synthetic trace of N requests from the model's calibrated profile\n"               \
      "  (configs/profiles/), the same for the same seed; request i does not depend on N.\n"    \
      "stats: per MoE layer and averaged: load skew, next-token and next-layer coverage,\n"      \
      "  repeats, co-activation, prefill vs decode, distinct experts per batch;\n"               \
      "  --cdf PATH writes the whole conditional CDFs (CSV).\n"                                   \
      "heatmap: per-layer cross-token transition counts P(next j | i) for the\n"                  \
      "  migration predictor; --eval TRACE refuses a profile built from the evaluated\n"        \
      "  trace unless --oracle (recorded in the file and printed).\n")                            \
    X("run", ws_cmd_run, "simulate MoE decode on the wafer for each variant of an experiment",         \
      "usage: wafersim run [--set KEY.PATH=VALUE]... [--no-skip] [--format table|csv|json]\n"         \
      "                    [--wide] [--links PATH] [--picture PATH] [--migration PATH]\n"       \
      "                    [-j N] [--out PATH] [-q] EXPERIMENT.yaml\n"                             \
      "Runs the experiment's model, workload and strategy (and each of its variants)\n"             \
      "on the wafer and prints throughput, hops, HBM traffic, link load and balance,\n"            \
      "with speedups over the baseline variant. The table format shows the main\n"                \
      "columns (--wide: all); CSV and JSON carry all of them. --links PATH writes\n"               \
      "each directed link's bytes, busy time and utilisation per variant (CSV);\n"                \
      "--picture PATH an SVG of the wafer per variant: tiles by busy time, links\n"            \
      "by utilisation; --migration PATH the migration units' copies, hits,\n"                 \
      "evictions, predictor precision and recall per MoE layer (CSV). -j N runs up\n"           \
      "to N variants at once on threads (default 1); every output is identical\n"              \
      "whatever N. See doc/run.md and doc/migration.md.\n")                                    \
    X("noc", ws_cmd_noc, "latency-load sweep of the network under synthetic traffic",                \
      "usage: wafersim noc [--set KEY.PATH=VALUE]... [--no-skip] [--rates R1,R2,...]\n"             \
      "                    [--links PATH] [--histogram PATH] [--format table|csv|json]\n"          \
      "                    [--out PATH] [-q] FILE\n"                                               \
      "Runs the network of FILE (hw.grid, hw.link, hw.routing, noc.*) under the\n"                \
      "synthetic traffic of its traffic: section, one point per offered load\n"                   \
      "(--rates overrides traffic.rates; per node per cycle in traffic.rate_unit),\n"             \
      "and prints the latency-load table; saturated points say so and why.\n"                    \
      "--links PATH writes per-link load (CSV), --histogram PATH the packet\n"                    \
      "latency histograms (CSV). Exit 3 on deadlock (watchdog). See doc/noc.md.\n")                \
    X("sweep", ws_cmd_sweep, "run the points of an experiment's sweep in worker processes, resumably", \
      "usage: wafersim sweep --list [--set KEY.PATH=VALUE]... [--format table|csv|json] [--out PATH] EXP.yaml\n" \
      "       wafersim sweep [--set ...]... [-j N] [--point-timeout S] [-q] --out DIR EXP.yaml\n" \
      "       wafersim sweep [--set ...]... --point ID|--index I [-q] --out DIR EXP.yaml\n"       \
      "       wafersim sweep [--set ...]... --emit slurm [--chunk K] [--partition P] [--time T]\n" \
      "                      [--mem M] --out DIR EXP.yaml\n"                                     \
      "       wafersim sweep --merge DIR [-q]\n"                                                    \
      "--list: the points of EXP's sweep: section (grid, zip, seeds) and variants,\n"             \
      "  with their stable ids. Running: each point in its own worker process (-j N\n"           \
      "  at once), written atomically to DIR/points/ID.json; points already done with\n"        \
      "  the same resolved config are skipped (resumable); then the merge; a worker\n"          \
      "  running longer than --point-timeout S seconds is stopped and its point failed.\n"    \
      "  --point ID:\n"                                                                          \
      "  run one point only (--index I: the I-th, from 0). --emit slurm: write\n"              \
      "  DIR/sweep.slurm, a job array of K points per task. --merge DIR: merge the points\n"   \
      "  into DIR/results.csv and DIR/results.json, with speedups over the baseline\n"          \
      "  variant. Exit 1 when a point failed or is missing. See doc/sweep.md,\n"               \
      "  doc/cluster.md.\n")

#endif
