/* tests/unit/trace_fixtures.h — helpers shared by the workload tests
 * (test_trace.c, test_batch.c, test_model.c): temporary folders, files
 * written from strings, and a tiny model.
 *
 * The tiny model: 4 layers, MoE on layers 1 and 3 (dense 0 and 2), 8
 * routed experts, top-2, hidden 16, expert FFN 8, bf16. */
#ifndef WS_TRACE_FIXTURES_H
#define WS_TRACE_FIXTURES_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "workload/model.h"

static const char tiny_model_yaml[] =
    "name: tiny\n"
    "layers: 4\n"
    "moe_layers: {first: 1, last: 3, step: 2}\n"
    "routed_experts: 8\n"
    "top_k: 2\n"
    "hidden: 16\n"
    "expert_ffn: 8\n";

/* A fresh temporary directory (caller frees; removed by fx_rmdir). */
static inline char *fx_tmpdir(void)
{
    char *d = strdup("/tmp/wafersim-wl.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(d));
    return d;
}

static inline void fx_rmdir(char *d)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", d);
    ck_assert_int_eq(system(cmd), 0);
    free(d);
}

/* Writes text to dir/name (creating sub-folders); returns the path (caller
 * frees). */
static inline char *fx_write(const char *dir, const char *name, const char *text, size_t len)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *path = malloc(n);
    snprintf(path, n, "%s/%s", dir, name);
    for (char *s = path + strlen(dir) + 1; (s = strchr(s, '/')); s++) {
        *s = '\0';
        mkdir(path, 0755);
        *s = '/';
    }
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(text, 1, len, f), len);
    fclose(f);
    return path;
}

static inline char *fx_write_str(const char *dir, const char *name, const char *text)
{
    return fx_write(dir, name, text, strlen(text));
}

/* Loads the tiny model from a file in dir. */
static inline void fx_tiny_model(const char *dir, wl_model *m)
{
    char *p = fx_write_str(dir, "tiny.yaml", tiny_model_yaml);
    ws_diag d;
    ws_diag_init(&d, 10);
    int rc = wl_model_load(m, p, &d);
    if (rc)
        ws_diag_print(&d, stderr);
    ck_assert_int_eq(rc, 0);
    ws_diag_free(&d);
    free(p);
}

/* Points WAFERSIM_CONFIG_DIR at the source tree's configs. */
static inline void fx_config_dir(void)
{
    const char *top = getenv("TOP_SRCDIR");
    if (top) {
        char buf[4096];
        snprintf(buf, sizeof buf, "%s/configs", top);
        setenv("WAFERSIM_CONFIG_DIR", buf, 1);
    }
}

#endif
