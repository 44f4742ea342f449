/* core/cli.h — the command line: subcommand registry and the options
 * shared by subcommands.
 *
 * Contract
 *   `wafersim SUBCOMMAND [options] [args]`. Each subcommand is a row of the
 *   registry (WS_COMMAND_LIST in core/commands.h): name, usage text and a
 *   run function that returns an exit status (core/diag.h: 0 ok,
 *   1 runtime failure, 2 bad input, 3 no progress).
 *
 *   ws_cli_parse() parses the options a subcommand accepts (a mask of
 *   WS_OPT_* flags) with getopt_long. Options may come before, between or
 *   after the positional arguments (GNU argument permutation: `wafersim
 *   config show FILE --set KEY=VALUE` works); `--` ends the options, and
 *   everything after it is positional. Positional arguments are collected
 *   in order (o->args points into argv, which getopt_long reorders).
 *   `--help` prints the usage and makes it return 1; an unknown option
 *   ("unknown option \"--bogus\""), an option missing its value ("option
 *   --out needs a value") or a bad --format value prints an error and the
 *   usage hint and returns -1 (exit status 2).
 *   --no-skip is the same as --set sim.activity_skipping=false.
 */
#ifndef WS_CLI_H
#define WS_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "core/output.h"

enum {
    WS_OPT_FORMAT = 1u << 0,   /* --format table|csv|json */
    WS_OPT_OUT = 1u << 1,      /* --out PATH, -o PATH */
    WS_OPT_SET = 1u << 2,      /* --set KEY.PATH=VALUE (repeatable), --no-skip */
    WS_OPT_QUIET = 1u << 3,    /* -q, --quiet */
};

typedef struct ws_cli_opts {
    ws_format format;
    const char *out;           /* NULL = stdout */
    const char **sets;         /* --set values, in order */
    size_t n_sets;
    bool quiet;
    char **args;               /* positional arguments */
    size_t n_args;
} ws_cli_opts;

typedef struct ws_command {
    const char *name;
    const char *usage;         /* full --help text */
    const char *summary;       /* one line for `wafersim --help` */
    int (*run)(int argc, char **argv);
} ws_command;

extern const ws_command ws_commands[];
extern const size_t ws_command_count;

const ws_command *ws_command_find(const char *name);

int ws_cli_parse(int argc, char **argv, const ws_command *cmd, unsigned accepted, ws_cli_opts *o);

/* A command-specific option. Set exactly one of value and flag:
 *   value  an option taking a value ("--model NAME"): after a successful
 *          parse *value is its last value, or NULL when not given;
 *   flag   an option without a value ("--oracle"): after a successful
 *          parse *flag is true when given, else false ("--oracle=1" is an
 *          error: "option --oracle takes no value").
 * short_name, when not 0, is a one-letter form ("-m NAME", "-x"): a letter
 * or digit other than h, and other than o or q when WS_OPT_OUT or
 * WS_OPT_QUIET is accepted. Values are returned as given; checking them
 * (integers, choices) is the caller's. Write the rows with designated
 * initializers ({ .name = "model", .value = &model, .short_name = 'm' }):
 * the fields left out are NULL / 0. */
typedef struct ws_cli_extra {
    const char *name;          /* long name without the dashes */
    const char **value;
    bool *flag;
    char short_name;           /* 0 = none */
} ws_cli_extra;

/* ws_cli_parse plus up to 16 command-specific options. */
int ws_cli_parse_ex(int argc, char **argv, const ws_command *cmd, unsigned accepted,
                    const ws_cli_extra *extra, size_t n_extra, ws_cli_opts *o);
void ws_cli_opts_free(ws_cli_opts *o);

/* The value of a -j/--jobs option: *jobs = 1 when text is NULL, else its
 * number, 1 to 1024. Returns 0, or -1 after printing "wafersim COMMAND:
 * -j: expected a number of WHAT from 1 to 1024, found ..." on stderr. */
int ws_cli_parse_jobs(const char *command, const char *what, const char *text, long *jobs);

/* Fills provenance for a result of this command line. */
void ws_cli_provenance(ws_provenance *p, const char *command_name);

struct ws_config;
/* Loads the experiment at `path` with the --set overrides of o; on bad
 * input prints every error and returns WS_EXIT_BAD_INPUT, else 0. */
int ws_cli_load_config(const char *path, const ws_cli_opts *o, struct ws_config *cfg);
/* Provenance of a result computed from a loaded config: config path, hash
 * of the resolved config and the master seed. */
void ws_cli_provenance_config(ws_provenance *p, const char *command_name, const char *config_path,
                              const struct ws_config *cfg);

#endif
