/* core/cmd_config.c — `wafersim validate` and `wafersim config show|keys`:
 * config checking and the resolved view. */
#include <stdio.h>
#include <string.h>

#include "core/atomic_file.h"
#include "core/cli.h"
#include "core/commands.h"
#include "core/config.h"
#include "core/hash.h"
#include "core/sweep.h"

int ws_cmd_validate(int argc, char **argv)
{
    ws_cli_opts o;
    int rc = ws_cli_parse(argc, argv, ws_command_find("validate"), WS_OPT_SET | WS_OPT_QUIET, &o);
    if (rc)
        return rc > 0 ? WS_EXIT_OK : WS_EXIT_BAD_INPUT;
    if (!o.n_args) {
        fprintf(stderr, "wafersim validate: expected one or more config files\n");
        ws_cli_opts_free(&o);
        return WS_EXIT_BAD_INPUT;
    }
    int status = WS_EXIT_OK;
    for (size_t i = 0; i < o.n_args; i++) {
        ws_diag d;
        ws_diag_init(&d, WS_DIAG_DEFAULT_LIMIT);
        ws_config cfg;
        ws_sweep sweep;
        ws_sweep_point *points = NULL;
        size_t n_points = 0;
        int bad = ws_config_load(&cfg, o.args[i], o.sets, o.n_sets, &d) != 0;
        /* the variants and the sweep's points too (core/sweep.h) */
        if (!bad && ws_sweep_load_all(&sweep, o.args[i], &cfg, o.sets, o.n_sets, &points, &n_points, NULL, &d)) {
            ws_config_free(&cfg);
            bad = 1;
        } else if (!bad) {
            ws_sweep_points_free(points, n_points);
            ws_sweep_free(&sweep);
        }
        if (bad) {
            ws_diag_print(&d, stderr);
            fprintf(stderr, "%s: invalid (%zu error%s)\n", o.args[i], ws_diag_count(&d),
                    ws_diag_count(&d) == 1 ? "" : "s");
            status = WS_EXIT_BAD_INPUT;
        } else {
            char hex[17];
            ws_hash64_hex(ws_config_hash(&cfg), hex);
            if (!o.quiet)
                printf("%s: ok (config hash %s)\n", o.args[i], hex);
            ws_config_free(&cfg);
        }
        ws_diag_free(&d);
    }
    ws_cli_opts_free(&o);
    return status;
}

static int write_to(const char *out_path, const char *what, void (*fn)(const void *, FILE *),
                    const void *arg)
{
    char err[512];
    ws_atomic_file *f = ws_atomic_open(out_path ? out_path : "-", err, sizeof err);
    if (!f) {
        fprintf(stderr, "wafersim config %s: %s\n", what, err);
        return WS_EXIT_RUNTIME;
    }
    fn(arg, f->fp);
    if (ws_atomic_commit(f, err, sizeof err) != 0) {
        fprintf(stderr, "wafersim config %s: %s\n", what, err);
        return WS_EXIT_RUNTIME;
    }
    return WS_EXIT_OK;
}

static void show_resolved(const void *arg, FILE *out)
{
    const ws_config *cfg = arg;
    char hex[17];
    ws_hash64_hex(ws_config_hash(cfg), hex);
    fprintf(out, "# resolved by wafersim; config hash %s\n"
                 "# units: time ns, frequency GHz, bandwidth GB/s (1e9 B/s), size B, "
                 "compute TFLOPS, percentages %%\n", hex);
    ws_config_write(cfg, out);
}

static void show_keys(const void *arg, FILE *out)
{
    (void)arg;
    ws_config_doc(out);
}

int ws_cmd_config(int argc, char **argv)
{
    const ws_command *cmd = ws_command_find("config");
    if (argc < 2 || (strcmp(argv[1], "show") && strcmp(argv[1], "keys"))) {
        if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
            fputs(cmd->usage, stdout);
            return WS_EXIT_OK;
        }
        fprintf(stderr, "wafersim config: expected 'show' or 'keys'%s%s\n%s", argc >= 2 ? ", found " : "",
                argc >= 2 ? argv[1] : "", cmd->usage);
        return WS_EXIT_BAD_INPUT;
    }
    bool keys = !strcmp(argv[1], "keys");
    ws_cli_opts o;
    int rc = ws_cli_parse(argc - 1, argv + 1, cmd, WS_OPT_OUT | (keys ? 0 : WS_OPT_SET), &o);
    if (rc)
        return rc > 0 ? WS_EXIT_OK : WS_EXIT_BAD_INPUT;
    if (keys) {
        rc = o.n_args ? WS_EXIT_BAD_INPUT : write_to(o.out, "keys", show_keys, NULL);
        if (o.n_args)
            fprintf(stderr, "wafersim config keys: takes no arguments\n");
        ws_cli_opts_free(&o);
        return rc;
    }
    if (o.n_args != 1) {
        fprintf(stderr, "wafersim config show: expected exactly one config file, found %zu\n", o.n_args);
        ws_cli_opts_free(&o);
        return WS_EXIT_BAD_INPUT;
    }
    ws_diag d;
    ws_diag_init(&d, WS_DIAG_DEFAULT_LIMIT);
    ws_config cfg;
    if (ws_config_load(&cfg, o.args[0], o.sets, o.n_sets, &d) != 0) {
        ws_diag_print(&d, stderr);
        ws_diag_free(&d);
        ws_cli_opts_free(&o);
        return WS_EXIT_BAD_INPUT;
    }
    rc = write_to(o.out, "show", show_resolved, &cfg);
    ws_config_free(&cfg);
    ws_diag_free(&d);
    ws_cli_opts_free(&o);
    return rc;
}
