/* tests/unit/gen_fixtures.c — helpers of the generator tests; contract in
 * tests/unit/gen_fixtures.h. */
#define _POSIX_C_SOURCE 200809L
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include "tests/unit/gen_fixtures.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/diag.h"
#include "tests/unit/trace_fixtures.h"

void gen_fx_load(const char *model, wl_model *m, wl_profile *p)
{
    fx_config_dir();
    ws_diag d;
    ws_diag_init(&d, 10);
    int rc = wl_model_load(m, model, &d);
    if (rc == 0 && (rc = wl_profile_load(p, model, m, &d)) != 0)
        wl_model_free(m);
    if (rc)
        ws_diag_print(&d, stderr);
    ws_diag_free(&d);
    ck_assert_msg(rc == 0, "%s: the model or its profile does not load (diagnostics above)", model);
}

unsigned char *gen_fx_slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    *n = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *b = malloc(*n ? *n : 1);
    ck_assert_uint_eq(fread(b, 1, *n, f), *n);
    fclose(f);
    return b;
}

bool gen_fx_same_bytes(const char *a, const char *b)
{
    size_t na, nb;
    unsigned char *ba = gen_fx_slurp(a, &na), *bb = gen_fx_slurp(b, &nb);
    bool same = na == nb && memcmp(ba, bb, na) == 0;
    free(ba);
    free(bb);
    return same;
}

void gen_fx_same_file(const char *a, const char *b)
{
    ck_assert_msg(gen_fx_same_bytes(a, b), "%s and %s differ", a, b);
}
