/* core/main.c — entry point: global flags and dispatch to a subcommand
 * (core/cli.h). */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif
#include <stdio.h>
#include <string.h>

#include "core/cli.h"
#include "core/diag.h"

static void usage(FILE *out)
{
    fputs("usage: wafersim SUBCOMMAND [options] [args]\n"
          "       wafersim --version | --help | help SUBCOMMAND\n\n"
          "A cycle-level simulator of wafer-scale accelerators running MoE decode.\n\n"
          "subcommands:\n", out);
    for (size_t i = 0; i < ws_command_count; i++)
        fprintf(out, "  %-10s %s\n", ws_commands[i].name, ws_commands[i].summary);
    fputs("\nexit status: 0 ok, 1 runtime failure, 2 bad input, 3 no progress (deadlock)\n"
          "see wafersim(1) for details.\n", out);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return WS_EXIT_BAD_INPUT;
    }
    const char *name = argv[1];
    if (!strcmp(name, "--help") || !strcmp(name, "-h")) {
        usage(stdout);
        return WS_EXIT_OK;
    }
    if (!strcmp(name, "--version") || !strcmp(name, "-V"))
        name = "version";
    if (!strcmp(name, "help")) {
        if (argc < 3) {
            usage(stdout);
            return WS_EXIT_OK;
        }
        const ws_command *c = ws_command_find(argv[2]);
        if (!c) {
            fprintf(stderr, "wafersim: no subcommand \"%s\"; try 'wafersim --help'\n", argv[2]);
            return WS_EXIT_BAD_INPUT;
        }
        fputs(c->usage, stdout);
        return WS_EXIT_OK;
    }
    const ws_command *cmd = ws_command_find(name);
    if (!cmd) {
        fprintf(stderr, "wafersim: no subcommand \"%s\"; try 'wafersim --help'\n", name);
        return WS_EXIT_BAD_INPUT;
    }
    return cmd->run(argc - 1, argv + 1);
}
