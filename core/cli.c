/* core/cli.c — subcommand registry and shared option parsing; contract in
 * core/cli.h. */
#define _POSIX_C_SOURCE 200809L
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif
#include "core/cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/commands.h"
#include "core/config.h"
#include "core/hash.h"
#include "core/xalloc.h"

#define WS_COMMAND_ROW(name, fn, summary, usage) { name, usage, summary, fn },
const ws_command ws_commands[] = { WS_COMMAND_LIST(WS_COMMAND_ROW) };
const size_t ws_command_count = sizeof ws_commands / sizeof ws_commands[0];

const ws_command *ws_command_find(const char *name)
{
    for (size_t i = 0; i < ws_command_count; i++)
        if (!strcmp(ws_commands[i].name, name))
            return &ws_commands[i];
    return NULL;
}

static void push_set(ws_cli_opts *o, const char *value)
{
    const char **s = ws_xrealloc(o->sets, (o->n_sets + 1) * sizeof *s);
    o->sets = s;
    o->sets[o->n_sets++] = value;
}

int ws_cli_parse(int argc, char **argv, const ws_command *cmd, unsigned accepted, ws_cli_opts *o)
{
    return ws_cli_parse_ex(argc, argv, cmd, accepted, NULL, 0, o);
}

#define WS_CLI_MAX_EXTRA 16
/* getopt values of the options without a short form: outside the range of
 * short option letters, so that no short_name of an extra can collide */
enum { CLI_FORMAT = 256, CLI_SET, CLI_NO_SKIP, CLI_EXTRA_BASE = 1000 };

int ws_cli_parse_ex(int argc, char **argv, const ws_command *cmd, unsigned accepted,
                    const ws_cli_extra *extra, size_t n_extra, ws_cli_opts *o)
{
    memset(o, 0, sizeof *o);
    o->format = ws_format_default();
    if (n_extra > WS_CLI_MAX_EXTRA)
        n_extra = WS_CLI_MAX_EXTRA;
    for (size_t i = 0; i < n_extra; i++) {
        if (extra[i].value)
            *extra[i].value = NULL;
        if (extra[i].flag)
            *extra[i].flag = false;
    }
    static const struct option all[] = {
        { "help", no_argument, NULL, 'h' },
        { "format", required_argument, NULL, CLI_FORMAT },
        { "out", required_argument, NULL, 'o' },
        { "set", required_argument, NULL, CLI_SET },
        { "no-skip", no_argument, NULL, CLI_NO_SKIP },
        { "quiet", no_argument, NULL, 'q' },
        { NULL, 0, NULL, 0 },
    };
    struct option longopts[7 + WS_CLI_MAX_EXTRA];
    size_t k = 0;
    longopts[k++] = all[0];
    if (accepted & WS_OPT_FORMAT) longopts[k++] = all[1];
    if (accepted & WS_OPT_OUT) longopts[k++] = all[2];
    if (accepted & WS_OPT_SET) { longopts[k++] = all[3]; longopts[k++] = all[4]; }
    if (accepted & WS_OPT_QUIET) longopts[k++] = all[5];
    for (size_t i = 0; i < n_extra; i++)
        longopts[k++] = (struct option){ extra[i].name, extra[i].flag ? no_argument : required_argument, NULL,
                                         CLI_EXTRA_BASE + (int)i };
    longopts[k] = all[6];
    /* ':' first: a missing value is reported as such (not as an unknown
     * option); no '+': GNU permutation, so options may follow arguments
     * ("--" still ends the options) */
    char shortopts[8 + 2 * WS_CLI_MAX_EXTRA] = ":h";
    if (accepted & WS_OPT_OUT) strcat(shortopts, "o:");
    if (accepted & WS_OPT_QUIET) strcat(shortopts, "q");
    for (size_t i = 0; i < n_extra; i++)
        if (extra[i].short_name) {
            size_t n = strlen(shortopts);
            shortopts[n++] = extra[i].short_name;
            if (!extra[i].flag)
                shortopts[n++] = ':';
            shortopts[n] = '\0';
        }

    opterr = 0;
    optind = 0;   /* GNU and musl: full reinitialisation (the parse may be repeated) */
    int c;
    while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
        for (size_t i = 0; i < n_extra && c < CLI_FORMAT; i++)
            if (extra[i].short_name && c == extra[i].short_name)
                c = CLI_EXTRA_BASE + (int)i;
        switch (c) {
        case 'h':
            fputs(cmd->usage, stdout);
            ws_cli_opts_free(o);
            return 1;
        case CLI_FORMAT:
            if (ws_format_parse(optarg, &o->format) != 0) {
                fprintf(stderr, "wafersim %s: --format: expected table, csv or json, found \"%s\"\n",
                        cmd->name, optarg);
                goto bad;
            }
            break;
        case 'o': o->out = optarg; break;
        case CLI_SET: push_set(o, optarg); break;
        case CLI_NO_SKIP: push_set(o, "sim.activity_skipping=false"); break;
        case 'q': o->quiet = true; break;
        case ':': {
            /* a long option as written ("--out", or "--out" from "--out=")
             * or a short one ("-o", also at the end of "-qo") */
            const char *w = argv[optind - 1];
            if (w[0] == '-' && w[1] == '-')
                fprintf(stderr, "wafersim %s: option %.*s needs a value\n", cmd->name,
                        (int)strcspn(w, "="), w);
            else
                fprintf(stderr, "wafersim %s: option -%c needs a value\n", cmd->name, optopt);
            goto bad;
        }
        default:
            if (c >= CLI_EXTRA_BASE && c < CLI_EXTRA_BASE + (int)n_extra) {
                const ws_cli_extra *x = &extra[c - CLI_EXTRA_BASE];
                if (x->flag)
                    *x->flag = true;
                else
                    *x->value = optarg;
                break;
            }
            {
                /* optopt is 0 for an unknown long option (then it is
                 * argv[optind - 1]), else the option's value: an unknown
                 * short option, or a known one given a value it does not
                 * take ("--quiet=1") */
                const char *w = argv[optind - 1];
                if (optopt == 0)
                    fprintf(stderr, "wafersim %s: unknown option \"%s\"\n", cmd->name, w);
                else if (w[0] == '-' && w[1] == '-' && strchr(w, '='))
                    fprintf(stderr, "wafersim %s: option %.*s takes no value\n", cmd->name,
                            (int)strcspn(w, "="), w);
                else
                    fprintf(stderr, "wafersim %s: unknown option \"-%c\"\n", cmd->name, optopt);
            }
            goto bad;
        }
    }
    /* positional arguments, in order (getopt_long moved the options that
     * followed them out of the way) */
    o->args = argv + optind;
    o->n_args = (size_t)(argc - optind);
    return 0;
bad:
    fprintf(stderr, "try 'wafersim %s --help'\n", cmd->name);
    ws_cli_opts_free(o);
    return -1;
}

void ws_cli_opts_free(ws_cli_opts *o)
{
    free(o->sets);
    o->sets = NULL;
    o->n_sets = 0;
}

void ws_cli_provenance(ws_provenance *p, const char *command_name)
{
    ws_provenance_init(p, command_name);
}

int ws_cli_load_config(const char *path, const ws_cli_opts *o, ws_config *cfg)
{
    ws_diag d;
    ws_diag_init(&d, WS_DIAG_DEFAULT_LIMIT);
    int rc = ws_config_load(cfg, path, o->sets, o->n_sets, &d) == 0 ? 0 : WS_EXIT_BAD_INPUT;
    if (rc)
        ws_diag_print(&d, stderr);
    ws_diag_free(&d);
    return rc;
}

void ws_cli_provenance_config(ws_provenance *p, const char *command_name, const char *config_path,
                              const ws_config *cfg)
{
    ws_provenance_init(p, command_name);
    p->config_path = config_path;
    ws_hash64_hex(ws_config_hash(cfg), p->config_hash);
    p->has_seed = true;
    p->seed = (uint64_t)cfg->sim.seed;
}

int ws_cli_parse_jobs(const char *command, const char *what, const char *text, long *jobs)
{
    *jobs = 1;
    if (!text)
        return 0;
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (errno || end == text || *end || v < 1 || v > 1024) {
        fprintf(stderr, "wafersim %s: -j: expected a number of %s from 1 to 1024, found \"%s\"\n", command, what,
                text);
        return -1;
    }
    *jobs = v;
    return 0;
}
