/* core/sweep_slurm.h — a Slurm job-array script that runs the points of a
 * sweep (`wafersim sweep --emit slurm`, doc/cluster.md).
 *
 * Contract
 *   ws_sweep_slurm_check() refuses what cannot be written safely into the
 *   script: paths (wafersim, workdir, experiment, dir, --set values may be
 *   anything: they are single-quoted) used in #SBATCH lines (workdir, dir)
 *   containing whitespace, quotes, '%' or '\\'; a partition other than
 *   letters, digits, '_', '-', '.', ','; a time other than Slurm's digits
 *   with ':' and '-' (e.g. "1:00:00", "2-00:00:00", "90"); a memory other
 *   than digits with an optional K, M, G or T. 0, or -1 with a message.
 *   ws_sweep_slurm_write() writes a POSIX sh script with #SBATCH lines
 *   (job name, --array=0-(tasks-1) where tasks = ceil(points / chunk),
 *   --chdir, --output DIR/slurm/%A_%a.out, and --partition, --time, --mem
 *   when given). Array task t runs the points of expansion indices
 *   t*chunk .. min(t*chunk + chunk, points) - 1, one `wafersim sweep
 *   --index I` each (with the same --set overrides), and exits 1 when one
 *   of them failed. The script can also be run by hand with
 *   SLURM_ARRAY_TASK_ID set.
 */
#ifndef WS_SWEEP_SLURM_H
#define WS_SWEEP_SLURM_H

#include <stddef.h>
#include <stdio.h>

typedef struct ws_sweep_slurm {
    const char *wafersim;      /* absolute path of the binary */
    const char *workdir;       /* absolute; the jobs run there */
    const char *experiment;    /* as given, relative to workdir */
    const char *dir;           /* the sweep directory, as given */
    const char *const *sets;
    size_t n_sets;
    size_t n_points, chunk;
    const char *partition, *time, *mem;   /* NULL = not given */
} ws_sweep_slurm;

int ws_sweep_slurm_check(const ws_sweep_slurm *s, char *err, size_t err_len);
void ws_sweep_slurm_write(const ws_sweep_slurm *s, FILE *out);

#endif
