/* workload/profile_pick.c — which generator profile drives a model (the
 * one named, the model's shipped one, or the defaults); contract in
 * workload/profile.h (wl_profile_pick). */
#define _POSIX_C_SOURCE 200809L
#include "workload/profile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int wl_profile_pick(wl_profile *p, const char *name_or_path, const wl_model *m, const char *who, bool quiet,
                    FILE *err_stream)
{
    if (!name_or_path) {
        char *path = wl_profile_path(m->name);
        FILE *probe = fopen(path, "r");
        free(path);
        if (!probe) {
            if (!quiet)
                fprintf(err_stream, "%s: no shipped profile for %s: using the default profile\n", who, m->name);
            wl_profile_default(p);
            return 0;
        }
        fclose(probe);
        name_or_path = m->name;
    }
    ws_diag d;
    ws_diag_init(&d, WS_DIAG_DEFAULT_LIMIT);
    int rc = wl_profile_load(p, name_or_path, m, &d);
    if (rc != 0)
        ws_diag_print(&d, err_stream);
    else if (*p->model && strcmp(p->model, m->name) && !quiet)
        fprintf(err_stream, "%s: warning: profile %s was calibrated for %s, not %s\n", who, p->name, p->model,
                m->name);
    ws_diag_free(&d);
    return rc != 0 ? -1 : 0;
}
