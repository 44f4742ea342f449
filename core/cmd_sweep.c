/* core/cmd_sweep.c — `wafersim sweep`: the points of an experiment's
 * `sweep:` section (core/sweep.h) listed, run in worker processes into a
 * directory (resumable; layout and merge in core/sweep_merge.h), run one
 * at a time, or emitted as a Slurm job array (core/sweep_slurm.h).
 * doc/sweep.md, doc/cluster.md. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <time.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "arch/run.h"
#include "arch/run_row.h"
#include "core/cli.h"
#include "core/commands.h"
#include "core/config.h"
#include "core/hash.h"
#include "core/progress.h"
#include "core/sweep.h"
#include "core/sweep_merge.h"
#include "core/sweep_slurm.h"
#include "core/atomic_file.h"
#include "core/table_read.h"
#include "core/xalloc.h"

/* Manifest columns: "point", the swept key paths, then these. */
static const char *const manifest_tail[] = { "variant", "repetition", "seed", "group", "baseline", "config_hash" };
#define N_MANIFEST_TAIL (sizeof manifest_tail / sizeof manifest_tail[0])

typedef struct plan {
    const char *path;
    ws_config base;
    ws_sweep sweep;
    ws_sweep_point *pts;
    size_t n;
    ws_config *cfgs;               /* each point's resolved config */
    char (*hash)[17];
    size_t baseline;
} plan;

static void plan_free(plan *p)
{
    for (size_t i = 0; p->cfgs && i < p->n; i++)
        ws_config_free(&p->cfgs[i]);
    free(p->cfgs);
    free(p->hash);
    ws_sweep_points_free(p->pts, p->n);
    ws_sweep_free(&p->sweep);
    ws_config_free(&p->base);
}

/* Loads the experiment, its sweep and every point's config; on bad input
 * prints every error and returns WS_EXIT_BAD_INPUT. */
static int plan_load(plan *p, const char *path, const ws_cli_opts *o)
{
    memset(p, 0, sizeof *p);
    p->path = path;
    for (size_t i = 0; i < o->n_sets; i++)
        if (!strncmp(o->sets[i], "sweep", 5) && (o->sets[i][5] == '.' || o->sets[i][5] == '=')) {
            fprintf(stderr, "wafersim sweep: --set '%s': the sweep cannot be changed with --set; write it in "
                    "the file\n", o->sets[i]);
            return WS_EXIT_BAD_INPUT;
        }
    int rc = ws_cli_load_config(path, o, &p->base);
    if (rc)
        return rc;
    if (ws_sweep_baseline(&p->base, &p->baseline) != 0) {
        fprintf(stderr, "%s: error: baseline: no variant named \"%s\"\n", path, p->base.baseline);
        ws_config_free(&p->base);
        return WS_EXIT_BAD_INPUT;
    }
    ws_diag d;
    ws_diag_init(&d, WS_DIAG_DEFAULT_LIMIT);
    rc = 0;
    if (ws_sweep_load_all(&p->sweep, path, &p->base, o->sets, o->n_sets, &p->pts, &p->n, &p->cfgs, &d) != 0) {
        ws_diag_print(&d, stderr);
        ws_config_free(&p->base);
        rc = WS_EXIT_BAD_INPUT;
    } else {
        p->hash = ws_xcalloc(p->n + 1, sizeof *p->hash);
        for (size_t i = 0; i < p->n; i++)
            ws_hash64_hex(ws_config_hash(&p->cfgs[i]), p->hash[i]);
    }
    ws_diag_free(&d);
    return rc;
}

static ws_table *manifest_table(const plan *p)
{
    size_t na = p->sweep.n_axes, nc = 1 + na + N_MANIFEST_TAIL;
    const char **cols = ws_xmalloc(nc * sizeof *cols);
    cols[0] = "point";
    for (size_t a = 0; a < na; a++)
        cols[1 + a] = p->sweep.axes[a].key;
    for (size_t k = 0; k < N_MANIFEST_TAIL; k++)
        cols[1 + na + k] = manifest_tail[k];
    ws_table *t = ws_table_new("the points of a sweep, in expansion order", nc, cols);
    free(cols);
    for (size_t i = 0; i < p->n; i++) {
        const ws_sweep_point *pt = &p->pts[i];
        size_t r = ws_table_add_row(t), c = 0;
        ws_table_set_str(t, r, c++, pt->id);
        for (size_t a = 0; a < na; a++)
            ws_table_set_str(t, r, c++, p->sweep.axes[a].texts[pt->value[a]]);
        ws_table_set_str(t, r, c++, ws_sweep_variant_name(&p->base, pt));
        ws_table_set_int(t, r, c++, pt->repetition);
        ws_table_set_int(t, r, c++, p->cfgs[i].sim.seed);
        ws_table_set_int(t, r, c++, (int64_t)pt->group);
        ws_table_set_str(t, r, c++, pt->variant == p->baseline ? "yes" : "no");
        ws_table_set_str(t, r, c++, p->hash[i]);
    }
    return t;
}

/* Writes point i's file: its results row (status ok with the metrics, or
 * failed with `error`). */
static int write_point(const plan *p, size_t i, const char *dir, const arch_run_metrics *m, const char *error)
{
    const ws_sweep_point *pt = &p->pts[i];
    size_t na = p->sweep.n_axes, nc;
    const char **axes = ws_xmalloc((na + 1) * sizeof *axes);
    for (size_t a = 0; a < na; a++)
        axes[a] = p->sweep.axes[a].key;
    const char **cols = ws_sweep_result_columns(axes, na, &nc);
    ws_table *t = ws_table_new(WS_SWEEP_TITLE, nc, cols);
    size_t r = ws_table_add_row(t), c = 0;
    ws_table_set_str(t, r, c++, pt->id);
    ws_table_set_str(t, r, c++, m ? "ok" : "failed");
    ws_table_set_str(t, r, c++, m ? "" : error);
    for (size_t a = 0; a < na; a++)
        ws_table_set_str(t, r, c++, p->sweep.axes[a].texts[pt->value[a]]);
    ws_table_set_int(t, r, c++, pt->repetition);
    ws_table_set_int(t, r, c++, p->cfgs[i].sim.seed);
    const char *variant = ws_sweep_variant_name(&p->base, pt);
    if (m) {
        arch_run_row row;
        arch_run_row_fill(&row, variant, &p->cfgs[i], m);
        for (size_t k = 0; k < ARCH_RUN_ROW_COLUMNS; k++)
            ws_table_set_cell(t, r, c + k, &row.cells[k]);
    } else {
        ws_table_set_str(t, r, c, variant);
    }
    ws_provenance prov;
    ws_cli_provenance_config(&prov, "wafersim sweep", p->path, &p->cfgs[i]);
    char *file = ws_sweep_point_path(dir, pt->id), err[512];
    int rc = ws_table_write(t, &prov, WS_FORMAT_JSON, file, err, sizeof err);
    if (rc)
        fprintf(stderr, "wafersim sweep: %s\n", err);
    free(file);
    ws_table_free(t);
    free(cols);
    free(axes);
    return rc;
}

/* Runs point i and writes its file; 0 when it ran and was written. */
static int run_point(const plan *p, size_t i, const char *dir)
{
    const char *variant = ws_sweep_variant_name(&p->base, &p->pts[i]);
    arch_workload *w = NULL;
    arch_run_metrics m;
    char err[1024];
    const arch_run_extras extras = { .variant = variant };
    int rc = arch_run_variant(&p->cfgs[i], &w, false, &extras, &m, err, sizeof err);
    arch_workload_close(w);
    if (rc)
        fprintf(stderr, "wafersim sweep: point %s (variant %s): %s\n", p->pts[i].id, variant, err);
    int wrc = write_point(p, i, dir, rc ? NULL : &m, err);
    return rc || wrc ? -1 : 0;
}

/* True when point i's file holds a successful run of the same resolved
 * config. */
static bool point_done(const plan *p, size_t i, const char *dir)
{
    char *file = ws_sweep_point_path(dir, p->pts[i].id), err[512];
    ws_table_data t;
    bool done = false;
    if (access(file, F_OK) == 0 && ws_table_read_json(file, &t, err, sizeof err) == 0) {
        const char *h = ws_table_data_prov(&t, "config_hash");
        ssize_t sc = ws_table_data_column(&t, "status");
        done = h && !strcmp(h, p->hash[i]) && t.n_rows == 1 && sc >= 0 &&
               ws_table_data_cell(&t, 0, (size_t)sc)->kind == WS_CELL_STR &&
               !strcmp(ws_table_data_cell(&t, 0, (size_t)sc)->s, "ok");
        ws_table_data_free(&t);
    }
    free(file);
    return done;
}

static int make_dirs(const char *dir)
{
    char *points = ws_sweep_path(dir, "points");
    int rc = 0;
    if ((mkdir(dir, 0777) != 0 && errno != EEXIST) || (mkdir(points, 0777) != 0 && errno != EEXIST)) {
        fprintf(stderr, "wafersim sweep: cannot create %s: %s\n", points, strerror(errno));
        rc = WS_EXIT_RUNTIME;
    }
    free(points);
    return rc;
}

static int write_manifest(const plan *p, const char *dir)
{
    ws_table *t = manifest_table(p);
    ws_provenance prov;
    ws_cli_provenance_config(&prov, "wafersim sweep", p->path, &p->base);
    char *file = ws_sweep_path(dir, "sweep.json"), err[512];
    int rc = ws_table_write(t, &prov, WS_FORMAT_JSON, file, err, sizeof err);
    if (rc)
        fprintf(stderr, "wafersim sweep: %s\n", err);
    free(file);
    ws_table_free(t);
    return rc ? WS_EXIT_RUNTIME : 0;
}

/* ------------------------------------------------------------ running */

typedef struct worker {
    pid_t pid;
    size_t point;
    struct timespec started;
    bool timed_out;
} worker;

static double seconds_since(const struct timespec *t0)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - t0->tv_sec) + (double)(now.tv_nsec - t0->tv_nsec) * 1e-9;
}

/* TEST ONLY (doc/sweep.md): the worker of the point whose id is in
 * WAFERSIM_TEST_HANG_POINT hangs instead of running it, so that the
 * --point-timeout detection can be tested. */
static bool test_hang(const plan *p, size_t i)
{
    const char *id = getenv("WAFERSIM_TEST_HANG_POINT");
    return id && !strcmp(id, p->pts[i].id);
}

/* Records a point whose worker ended without writing its file (or was
 * stopped after `timeout` seconds when timeout > 0). */
static void record_lost_worker(const plan *p, size_t i, const char *dir, int status, double timeout)
{
    if (WIFEXITED(status) && point_done(p, i, dir))
        return;
    char *file = ws_sweep_point_path(dir, p->pts[i].id);
    bool written = access(file, F_OK) == 0;
    free(file);
    if (WIFEXITED(status) && written)
        return;   /* a failed point, recorded by its worker */
    char msg[160];
    if (timeout > 0)
        snprintf(msg, sizeof msg, "the worker process ran longer than --point-timeout %g s and was stopped "
                 "(a hang, or a point that needs a longer timeout)", timeout);
    else if (WIFSIGNALED(status))
        snprintf(msg, sizeof msg, "the worker process was killed by signal %d", WTERMSIG(status));
    else
        snprintf(msg, sizeof msg, "the worker process exited with status %d without a result",
                 WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    fprintf(stderr, "wafersim sweep: point %s: %s\n", p->pts[i].id, msg);
    write_point(p, i, dir, NULL, msg);
}

/* Reorders the points to run (todo[0..n-1]) by ws_sweep_schedule: one
 * point of each workload in turn, the largest batch first. */
static void schedule(const plan *p, size_t *todo, size_t n)
{
    uint64_t *key = ws_xmalloc((n ? n : 1) * sizeof *key);
    int64_t *size = ws_xmalloc((n ? n : 1) * sizeof *size);
    size_t *order = ws_xmalloc((n ? n : 1) * sizeof *order), *was = ws_xmalloc((n ? n : 1) * sizeof *was);
    for (size_t i = 0; i < n; i++) {
        key[i] = arch_workload_key(&p->cfgs[todo[i]]);
        size[i] = p->cfgs[todo[i]].workload.batch;
        was[i] = todo[i];
    }
    ws_sweep_schedule(key, size, n, order);
    for (size_t i = 0; i < n; i++)
        todo[i] = was[order[i]];
    free(key);
    free(size);
    free(order);
    free(was);
}

static int run_all(const plan *p, const char *dir, long jobs, double timeout, bool quiet)
{
    size_t *todo = ws_xmalloc((p->n + 1) * sizeof *todo), n_todo = 0;
    for (size_t i = 0; i < p->n; i++)
        if (!point_done(p, i, dir))
            todo[n_todo++] = i;
    schedule(p, todo, n_todo);
    if (!quiet)
        fprintf(stderr, "wafersim sweep: %zu points, %zu already done, %zu to run with %ld worker%s\n", p->n,
                p->n - n_todo, n_todo, jobs, jobs == 1 ? "" : "s");
    worker *w = ws_xcalloc((size_t)jobs, sizeof *w);
    ws_progress pr;
    ws_progress_begin(&pr, stderr, !quiet, "sweep", "points", n_todo);
    size_t next = 0, running = 0, finished = 0;
    int rc = 0;
    while (next < n_todo || running > 0) {
        while (running < (size_t)jobs && next < n_todo) {
            fflush(NULL);
            pid_t pid = fork();
            if (pid < 0) {
                fprintf(stderr, "wafersim sweep: fork: %s\n", strerror(errno));
                rc = WS_EXIT_RUNTIME;
                break;
            }
            if (pid == 0) {
                while (test_hang(p, todo[next]))
                    pause();
                _exit(run_point(p, todo[next], dir) == 0 ? 0 : 1);
            }
            for (long k = 0; k < jobs; k++)
                if (!w[k].pid) {
                    w[k] = (worker){ .pid = pid, .point = todo[next] };
                    clock_gettime(CLOCK_MONOTONIC, &w[k].started);
                    break;
                }
            next++;
            running++;
        }
        if (running == 0)
            break;
        int status;
        pid_t pid = waitpid(-1, &status, timeout > 0 ? WNOHANG : 0);
        if (pid == 0) {   /* with a timeout: nobody ended yet; stop the overdue, then poll again */
            for (long k = 0; k < jobs; k++)
                if (w[k].pid && !w[k].timed_out && seconds_since(&w[k].started) > timeout) {
                    kill(w[k].pid, SIGKILL);
                    w[k].timed_out = true;
                }
            nanosleep(&(struct timespec){ 0, 20000000 }, NULL);
            continue;
        }
        if (pid < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        for (long k = 0; k < jobs; k++)
            if (w[k].pid == pid) {
                if (!(WIFEXITED(status) && WEXITSTATUS(status) == 0))
                    record_lost_worker(p, w[k].point, dir, status, w[k].timed_out ? timeout : 0);
                w[k].timed_out = false;
                w[k].pid = 0;
                running--;
                finished++;
                ws_progress_update(&pr, finished);
            }
        if (rc)
            next = n_todo;   /* fork failed: wait for the others, start none */
    }
    ws_progress_end(&pr);
    free(w);
    free(todo);
    int mrc = ws_sweep_merge(dir, quiet);
    return rc ? rc : mrc;
}

/* Parses a non-negative integer option; -1 when malformed. */
static long long parse_count(const char *opt, const char *text, long long min, long long max)
{
    char *end;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (errno || end == text || *end || v < min || v > max) {
        fprintf(stderr, "wafersim sweep: %s: expected an integer from %lld to %lld, found \"%s\"\n", opt, min, max,
                text);
        return -1;
    }
    return v;
}

static int run_one(const plan *p, const char *dir, const char *id, const char *index, bool quiet)
{
    if (index) {
        long long k = parse_count("--index", index, 0, p->n ? (long long)p->n - 1 : 0);
        if (k < 0 || p->n == 0)
            return WS_EXIT_BAD_INPUT;
        id = p->pts[k].id;
    }
    for (size_t i = 0; i < p->n; i++)
        if (!strcmp(p->pts[i].id, id)) {
            if (point_done(p, i, dir)) {
                if (!quiet)
                    fprintf(stderr, "wafersim sweep: point %s already done\n", id);
                return 0;
            }
            return run_point(p, i, dir) == 0 ? 0 : WS_EXIT_RUNTIME;
        }
    fprintf(stderr, "wafersim sweep: no point \"%s\" in %s (`wafersim sweep --list %s` lists them)\n", id, p->path,
            p->path);
    return WS_EXIT_BAD_INPUT;
}

typedef struct emit_opts {
    const char *chunk, *partition, *time, *mem;
} emit_opts;

/* Writes DIR/sweep.slurm (core/sweep_slurm.h). */
static int emit_slurm(const plan *p, const ws_cli_opts *o, const emit_opts *e)
{
    long long chunk = e->chunk ? parse_count("--chunk", e->chunk, 1, 1000000) : 1;
    if (chunk < 0)
        return WS_EXIT_BAD_INPUT;
    char exe[4096], cwd[4096], err[512];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0 || !getcwd(cwd, sizeof cwd)) {
        fprintf(stderr, "wafersim sweep: --emit slurm: cannot find the program's path or the working directory\n");
        return WS_EXIT_RUNTIME;
    }
    exe[n] = '\0';
    ws_sweep_slurm sl = { .wafersim = exe, .workdir = cwd, .experiment = p->path, .dir = o->out,
                          .sets = o->sets, .n_sets = o->n_sets, .n_points = p->n, .chunk = (size_t)chunk,
                          .partition = e->partition, .time = e->time, .mem = e->mem };
    if (ws_sweep_slurm_check(&sl, err, sizeof err) != 0) {
        fprintf(stderr, "wafersim sweep: %s\n", err);
        return WS_EXIT_BAD_INPUT;
    }
    int rc = make_dirs(o->out);
    char *logs = ws_sweep_path(o->out, "slurm");
    if (!rc && mkdir(logs, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "wafersim sweep: cannot create %s: %s\n", logs, strerror(errno));
        rc = WS_EXIT_RUNTIME;
    }
    free(logs);
    if (!rc)
        rc = write_manifest(p, o->out);
    if (rc)
        return rc;
    char *script = ws_sweep_path(o->out, "sweep.slurm");
    ws_atomic_file *f = ws_atomic_open(script, err, sizeof err);
    if (f) {
        ws_sweep_slurm_write(&sl, f->fp);
        if (ws_atomic_commit(f, err, sizeof err) != 0)
            f = NULL;
    }
    if (!f) {
        fprintf(stderr, "wafersim sweep: %s\n", err);
        rc = WS_EXIT_RUNTIME;
    } else {
        chmod(script, 0755);
        printf("%s: %zu points in %zu array tasks; submit with: sbatch %s\n", script, p->n,
               (p->n + (size_t)chunk - 1) / (size_t)chunk, script);
    }
    free(script);
    return rc;
}

int ws_cmd_sweep(int argc, char **argv)
{
    const ws_command *cmd = ws_command_find("sweep");
    ws_cli_opts o;
    bool list = false;
    const char *jobs_text = NULL, *point = NULL, *index = NULL, *merge_dir = NULL, *emit = NULL,
               *timeout_text = NULL;
    emit_opts e = { 0 };
    const ws_cli_extra extra[] = {
        { .name = "list", .flag = &list },
        { .name = "jobs", .value = &jobs_text, .short_name = 'j' },
        { .name = "point", .value = &point },
        { .name = "index", .value = &index },
        { .name = "merge", .value = &merge_dir },
        { .name = "emit", .value = &emit },
        { .name = "chunk", .value = &e.chunk },
        { .name = "partition", .value = &e.partition },
        { .name = "time", .value = &e.time },
        { .name = "mem", .value = &e.mem },
        { .name = "point-timeout", .value = &timeout_text },
    };
    int rc = ws_cli_parse_ex(argc, argv, cmd, WS_OPT_FORMAT | WS_OPT_OUT | WS_OPT_SET | WS_OPT_QUIET, extra,
                             sizeof extra / sizeof extra[0], &o);
    if (rc)
        return rc > 0 ? WS_EXIT_OK : WS_EXIT_BAD_INPUT;
    long jobs;
    if (ws_cli_parse_jobs("sweep", "worker processes", jobs_text, &jobs) != 0) {
        ws_cli_opts_free(&o);
        return WS_EXIT_BAD_INPUT;
    }
    double timeout = 0;
    if (timeout_text) {
        char *end;
        errno = 0;
        timeout = strtod(timeout_text, &end);
        if (errno || end == timeout_text || *end || !(timeout > 0) || timeout > 1e9) {
            fprintf(stderr, "wafersim sweep: --point-timeout: expected seconds (a number > 0), found \"%s\"\n",
                    timeout_text);
            ws_cli_opts_free(&o);
            return WS_EXIT_BAD_INPUT;
        }
    }
    if (merge_dir) {
        if (o.n_args || list || point || index || emit || jobs_text || o.n_sets || timeout_text) {
            fprintf(stderr, "wafersim sweep: --merge DIR takes no experiment file and no other option\n");
            ws_cli_opts_free(&o);
            return WS_EXIT_BAD_INPUT;
        }
        bool quiet = o.quiet;
        ws_cli_opts_free(&o);
        return ws_sweep_merge(merge_dir, quiet);
    }
    if (o.n_args != 1) {
        fprintf(stderr, "wafersim sweep: expected exactly one experiment file, found %zu\n", o.n_args);
        ws_cli_opts_free(&o);
        return WS_EXIT_BAD_INPUT;
    }
    if (emit && strcmp(emit, "slurm")) {
        fprintf(stderr, "wafersim sweep: --emit: expected \"slurm\", found \"%s\"\n", emit);
        ws_cli_opts_free(&o);
        return WS_EXIT_BAD_INPUT;
    }
    if (!emit && (e.chunk || e.partition || e.time || e.mem)) {
        fprintf(stderr, "wafersim sweep: --chunk, --partition, --time and --mem go with --emit slurm\n");
        ws_cli_opts_free(&o);
        return WS_EXIT_BAD_INPUT;
    }
    if ((point && index) || ((point || index) && (list || emit)) || (list && emit) ||
        (jobs_text && (point || index || list || emit)) || (timeout_text && (point || index || list || emit))) {
        fprintf(stderr, "wafersim sweep: --list, --emit, --point/--index and -j or --point-timeout do not go together\n");
        ws_cli_opts_free(&o);
        return WS_EXIT_BAD_INPUT;
    }
    if (!list && !o.out) {
        fprintf(stderr, "wafersim sweep: --out DIR is needed to run (or --list to list the points)\n");
        ws_cli_opts_free(&o);
        return WS_EXIT_BAD_INPUT;
    }
    plan p;
    rc = plan_load(&p, o.args[0], &o);
    if (rc) {
        ws_cli_opts_free(&o);
        return rc;
    }
    if (list) {
        ws_table *t = manifest_table(&p);
        ws_provenance prov;
        ws_cli_provenance_config(&prov, "wafersim sweep", p.path, &p.base);
        char err[512];
        if (ws_table_write(t, &prov, o.format, o.out, err, sizeof err) != 0) {
            fprintf(stderr, "wafersim sweep: %s\n", err);
            rc = WS_EXIT_RUNTIME;
        }
        ws_table_free(t);
    } else if (emit) {
        rc = emit_slurm(&p, &o, &e);
    } else {
        rc = make_dirs(o.out);
        if (!rc)
            rc = write_manifest(&p, o.out);
        if (!rc)
            rc = point || index ? run_one(&p, o.out, point, index, o.quiet) : run_all(&p, o.out, jobs, timeout, o.quiet);
    }
    plan_free(&p);
    ws_cli_opts_free(&o);
    return rc;
}
