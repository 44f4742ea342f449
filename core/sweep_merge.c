/* core/sweep_merge.c — the directory of a sweep and its merge; contract
 * in core/sweep_merge.h. */
#define _POSIX_C_SOURCE 200809L
#include "core/sweep_merge.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arch/run_row.h"
#include "core/diag.h"
#include "core/output.h"
#include "core/table_read.h"
#include "core/xalloc.h"

static const char *const result_head[WS_SWEEP_RESULT_HEAD] = { "point", "status", "error" };
#define N_RESULT_HEAD WS_SWEEP_RESULT_HEAD

const char **ws_sweep_result_columns(const char *const *swept, size_t na, size_t *nc)
{
    *nc = N_RESULT_HEAD + na + 2 + ARCH_RUN_ROW_COLUMNS;
    const char **cols = ws_xmalloc(*nc * sizeof *cols);
    size_t c = 0;
    for (size_t k = 0; k < N_RESULT_HEAD; k++)
        cols[c++] = result_head[k];
    for (size_t a = 0; a < na; a++)
        cols[c++] = swept[a];
    cols[c++] = "repetition";
    cols[c++] = "seed";
    for (size_t k = 0; k < ARCH_RUN_ROW_COLUMNS; k++)
        cols[c++] = arch_run_row_columns[k];
    return cols;
}

char *ws_sweep_point_path(const char *dir, const char *id)
{
    size_t n = strlen(dir) + strlen(id) + 32;
    char *f = ws_xmalloc(n);
    snprintf(f, n, "%s/points/%s.json", dir, id);
    return f;
}

char *ws_sweep_path(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *f = ws_xmalloc(n);
    snprintf(f, n, "%s/%s", dir, name);
    return f;
}

static const char *cell_str(const ws_table_data *t, size_t row, const char *col)
{
    ssize_t c = ws_table_data_column(t, col);
    const ws_cell *v = c >= 0 ? ws_table_data_cell(t, row, (size_t)c) : NULL;
    return v && v->kind == WS_CELL_STR ? v->s : NULL;
}

static int64_t cell_int(const ws_table_data *t, size_t row, const char *col)
{
    ssize_t c = ws_table_data_column(t, col);
    const ws_cell *v = c >= 0 ? ws_table_data_cell(t, row, (size_t)c) : NULL;
    return v && v->kind == WS_CELL_INT ? v->i : -1;
}

int ws_sweep_merge(const char *dir, bool quiet)
{
    char *mfile = ws_sweep_path(dir, "sweep.json"), err[512];
    ws_table_data man;
    if (ws_table_read_json(mfile, &man, err, sizeof err) != 0) {
        fprintf(stderr, "wafersim sweep: %s (is %s a sweep directory?)\n", err, dir);
        free(mfile);
        return WS_EXIT_BAD_INPUT;
    }
    free(mfile);
    ssize_t vcol = ws_table_data_column(&man, "variant");
    if (vcol < 1 || ws_table_data_column(&man, "point") != 0 || ws_table_data_column(&man, "config_hash") < 0) {
        fprintf(stderr, "wafersim sweep: %s/sweep.json: not a sweep manifest\n", dir);
        ws_table_data_free(&man);
        return WS_EXIT_BAD_INPUT;
    }
    size_t na = (size_t)vcol - 1, nc;
    const char **cols = ws_sweep_result_columns((const char *const *)man.columns + 1, na, &nc);
    ws_table *t = ws_table_new(WS_SWEEP_TITLE, nc, cols);
    size_t thr_col = N_RESULT_HEAD + na + 2 + ARCH_RUN_ROW_THROUGHPUT, sp_col = N_RESULT_HEAD + na + 2 + ARCH_RUN_ROW_SPEEDUP;
    double *thr = ws_xcalloc(man.n_rows + 1, sizeof *thr);
    bool *ok = ws_xcalloc(man.n_rows + 1, sizeof *ok);
    size_t n_ok = 0, n_failed = 0, n_missing = 0;
    for (size_t i = 0; i < man.n_rows; i++) {
        size_t r = ws_table_add_row(t);
        const char *id = cell_str(&man, i, "point"), *hash = cell_str(&man, i, "config_hash");
        ws_table_set_str(t, r, 0, id ? id : "");
        for (size_t a = 0; a < na; a++)
            ws_table_set_cell(t, r, N_RESULT_HEAD + a, ws_table_data_cell(&man, i, 1 + a));
        ws_table_set_int(t, r, N_RESULT_HEAD + na, cell_int(&man, i, "repetition"));
        ws_table_set_int(t, r, N_RESULT_HEAD + na + 1, cell_int(&man, i, "seed"));
        ws_table_set_str(t, r, N_RESULT_HEAD + na + 2, cell_str(&man, i, "variant") ? cell_str(&man, i, "variant") : "");
        ws_table_data pt;
        char *file = ws_sweep_point_path(dir, id ? id : "?");
        bool have = access(file, F_OK) == 0 && ws_table_read_json(file, &pt, err, sizeof err) == 0;
        free(file);
        const char *ph = have ? ws_table_data_prov(&pt, "config_hash") : NULL;
        if (!have || pt.n_rows != 1 || !ph || !hash || strcmp(ph, hash)) {
            ws_table_set_str(t, r, 1, "missing");
            n_missing++;
        } else {
            for (size_t c = 1; c < nc; c++) {
                ssize_t pc = ws_table_data_column(&pt, cols[c]);
                if (pc >= 0 && c != sp_col)
                    ws_table_set_cell(t, r, c, ws_table_data_cell(&pt, 0, (size_t)pc));
            }
            const char *st = cell_str(&pt, 0, "status");
            ok[i] = st && !strcmp(st, "ok");
            ssize_t tc = ws_table_data_column(&pt, cols[thr_col]);
            const ws_cell *tv = tc >= 0 ? ws_table_data_cell(&pt, 0, (size_t)tc) : NULL;
            thr[i] = tv && tv->kind == WS_CELL_DOUBLE ? tv->d : tv && tv->kind == WS_CELL_INT ? (double)tv->i : 0;
            n_ok += ok[i];
            n_failed += !ok[i];
        }
        if (have)
            ws_table_data_free(&pt);
    }
    /* speedups over the baseline variant of each group (groups are
     * numbered 0 .. points-1) */
    size_t *base_of = ws_xmalloc((man.n_rows + 1) * sizeof *base_of);
    for (size_t i = 0; i < man.n_rows; i++)
        base_of[i] = SIZE_MAX;
    for (size_t b = 0; b < man.n_rows; b++) {
        const char *isb = cell_str(&man, b, "baseline");
        int64_t g = cell_int(&man, b, "group");
        if (isb && !strcmp(isb, "yes") && g >= 0 && (size_t)g < man.n_rows)
            base_of[g] = b;
    }
    for (size_t i = 0; i < man.n_rows; i++) {
        int64_t g = cell_int(&man, i, "group");
        size_t b = g >= 0 && (size_t)g < man.n_rows ? base_of[g] : SIZE_MAX;
        if (ok[i] && b != SIZE_MAX && ok[b])
            ws_table_set_double(t, i, sp_col, thr[b] > 0 ? thr[i] / thr[b] : 0);
    }
    free(base_of);
    ws_provenance prov;
    ws_provenance_init(&prov, "wafersim sweep");
    prov.config_path = ws_table_data_prov(&man, "config");
    const char *mh = ws_table_data_prov(&man, "config_hash"), *ms = ws_table_data_prov(&man, "seed");
    snprintf(prov.config_hash, sizeof prov.config_hash, "%s", mh ? mh : "");
    prov.has_seed = ms != NULL;
    prov.seed = ms ? strtoull(ms, NULL, 10) : 0;
    char *csv = ws_sweep_path(dir, "results.csv"), *json = ws_sweep_path(dir, "results.json");
    int rc = 0;
    if (ws_table_write(t, &prov, WS_FORMAT_CSV, csv, err, sizeof err) != 0 ||
        ws_table_write(t, &prov, WS_FORMAT_JSON, json, err, sizeof err) != 0) {
        fprintf(stderr, "wafersim sweep: %s\n", err);
        rc = WS_EXIT_RUNTIME;
    }
    if (!quiet || n_failed || n_missing)
        fprintf(stderr, "wafersim sweep: %zu points: %zu ok, %zu failed, %zu missing; merged into %s and %s\n",
                man.n_rows, n_ok, n_failed, n_missing, csv, json);
    if (!rc && (n_failed || n_missing))
        rc = WS_EXIT_RUNTIME;
    free(csv);
    free(json);
    free(thr);
    free(ok);
    ws_table_free(t);
    free(cols);
    ws_table_data_free(&man);
    return rc;
}

