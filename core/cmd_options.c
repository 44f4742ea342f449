/* core/cmd_options.c — `wafersim options` and `wafersim version`: what this
 * build contains. */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif
#include <stdio.h>

#include "arch/hwopt.h"
#include "core/cli.h"
#include "core/commands.h"
#include "core/ws_revision.h"

int ws_cmd_version(int argc, char **argv)
{
    ws_cli_opts o;
    int rc = ws_cli_parse(argc, argv, ws_command_find("version"), 0, &o);
    if (rc)
        return rc > 0 ? WS_EXIT_OK : WS_EXIT_BAD_INPUT;
    printf("wafersim %s (revision %s)\nhardware options:", PACKAGE_VERSION, WS_REVISION);
    for (size_t i = 0; i < ws_hwopt_count; i++)
        printf(" %s%s", ws_hwopt_registry[i].impl ? "+" : "-", ws_hwopt_registry[i].name);
    putchar('\n');
    ws_cli_opts_free(&o);
    return WS_EXIT_OK;
}

int ws_cmd_options(int argc, char **argv)
{
    ws_cli_opts o;
    int rc = ws_cli_parse(argc, argv, ws_command_find("options"), WS_OPT_FORMAT | WS_OPT_OUT, &o);
    if (rc)
        return rc > 0 ? WS_EXIT_OK : WS_EXIT_BAD_INPUT;
    if (o.n_args) {
        fprintf(stderr, "wafersim options: takes no arguments, found \"%s\"\n", o.args[0]);
        ws_cli_opts_free(&o);
        return WS_EXIT_BAD_INPUT;
    }
    static const char *const cols[] = { "option", "compiled_in", "configure_switch", "summary" };
    ws_table *t = ws_table_new("hardware options", 4, cols);
    for (size_t i = 0; i < ws_hwopt_count; i++) {
        const ws_hwopt_entry *h = &ws_hwopt_registry[i];
        size_t r = ws_table_add_row(t);
        ws_table_set_str(t, r, 0, h->name);
        ws_table_set_str(t, r, 1, h->impl ? "yes" : "no");
        ws_table_set_str(t, r, 2, h->configure_switch);
        ws_table_set_str(t, r, 3, h->summary);
    }
    ws_provenance p;
    ws_cli_provenance(&p, "wafersim options");
    char err[512];
    rc = ws_table_write(t, &p, o.format, o.out, err, sizeof err);
    ws_table_free(t);
    ws_cli_opts_free(&o);
    if (rc != 0) {
        fprintf(stderr, "wafersim options: %s\n", err);
        return WS_EXIT_RUNTIME;
    }
    return WS_EXIT_OK;
}
