/* arch/run_row.h — the results row of one MoE decode run, shared by
 * `wafersim run` (one row per variant) and `wafersim sweep` (one row per
 * point): its columns, their values, and running one resolved config.
 *
 * Contract
 *   arch_run_row_columns[] names the ARCH_RUN_ROW_COLUMNS columns, each
 *   with its unit in the name (ARCH_RUN_ROW_THROUGHPUT is
 *   throughput_tokens_per_s); column ARCH_RUN_ROW_SPEEDUP
 *   (speedup_vs_baseline) is left empty by arch_run_row_fill(): the caller
 *   fills it once the baseline's throughput is known.
 *   arch_run_row_fill() computes every other cell from the variant name,
 *   the resolved config (allocation, placement, hash) and the metrics. The
 *   cells may point into the row (the config hash), into `variant` and into
 *   the metrics (the placement profile text): use
 *   them while all three live, and do not copy the struct.
 *
 *   arch_run_variant() runs one resolved config (arch/run.h) with its
 *   extra outputs (variant name, per-link and per-layer tables, picture;
 *   `extras` may be NULL): it reuses *workload when it matches cfg and
 *   otherwise closes it and opens cfg's (the caller closes the last one
 *   with arch_workload_close),
 *   and warns on stderr when the trace was shorter than the batch. Returns
 *   arch_run()'s status, with its message in err.
 */
#ifndef ARCH_RUN_ROW_H
#define ARCH_RUN_ROW_H

#include <stdbool.h>
#include <stddef.h>

#include "arch/run.h"
#include "core/config.h"
#include "core/output.h"

#define ARCH_RUN_ROW_MIGRATION_COLUMNS 20
#define ARCH_RUN_ROW_DISPATCH_COLUMNS 8
#define ARCH_RUN_ROW_PREFETCH_COLUMNS 5
#define ARCH_RUN_ROW_SAMPLE_COLUMNS 5
#define ARCH_RUN_ROW_COLUMNS \
    (48 + ARCH_RUN_ROW_MIGRATION_COLUMNS + ARCH_RUN_ROW_DISPATCH_COLUMNS + ARCH_RUN_ROW_PREFETCH_COLUMNS + \
     ARCH_RUN_ROW_SAMPLE_COLUMNS)
#define ARCH_RUN_ROW_THROUGHPUT 8
#define ARCH_RUN_ROW_SPEEDUP 9

extern const char *const arch_run_row_columns[ARCH_RUN_ROW_COLUMNS];

typedef struct arch_run_row {
    ws_cell cells[ARCH_RUN_ROW_COLUMNS];
    char config_hash[17];
} arch_run_row;

void arch_run_row_fill(arch_run_row *row, const char *variant, const ws_config *cfg, const arch_run_metrics *m);

int arch_run_variant(const ws_config *cfg, arch_workload **workload, bool progress, const arch_run_extras *extras,
                     arch_run_metrics *m, char *err, size_t err_len);

#endif
