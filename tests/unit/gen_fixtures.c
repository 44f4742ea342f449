/* tests/unit/gen_fixtures.c — the helper of the generator tests; contract in
 * tests/unit/gen_fixtures.h. */
#define _POSIX_C_SOURCE 200809L
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include "tests/unit/gen_fixtures.h"

#include <check.h>
#include <stdio.h>

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
