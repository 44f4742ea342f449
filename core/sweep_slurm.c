/* core/sweep_slurm.c — the Slurm job-array script of a sweep; contract in
 * core/sweep_slurm.h. */
#include "core/sweep_slurm.h"

#include <ctype.h>
#include <stdbool.h>
#include <string.h>

static bool only(const char *s, const char *extra, bool alnum)
{
    if (!*s)
        return false;
    for (const unsigned char *c = (const unsigned char *)s; *c; c++)
        if (!(alnum ? isalnum(*c) : isdigit(*c)) && !strchr(extra, *c))
            return false;
    return true;
}

static bool sbatch_safe(const char *s)
{
    for (const unsigned char *c = (const unsigned char *)s; *c; c++)
        if (isspace(*c) || strchr("'\"%\\", *c) || *c < 0x20)
            return false;
    return true;
}

int ws_sweep_slurm_check(const ws_sweep_slurm *s, char *err, size_t err_len)
{
    if (!sbatch_safe(s->workdir) || !sbatch_safe(s->dir)) {
        snprintf(err, err_len, "--emit slurm: the working directory \"%s\" and --out \"%s\" must not contain "
                 "whitespace, quotes, %% or \\ (they go into #SBATCH lines)", s->workdir, s->dir);
        return -1;
    }
    if (s->partition && !only(s->partition, "_-.,", true)) {
        snprintf(err, err_len, "--partition: expected a partition name (letters, digits, _ - . ,), found \"%s\"",
                 s->partition);
        return -1;
    }
    if (s->time && !only(s->time, ":-", false)) {
        snprintf(err, err_len, "--time: expected a Slurm time such as 90, 1:00:00 or 2-00:00:00, found \"%s\"",
                 s->time);
        return -1;
    }
    if (s->mem) {
        size_t n = strlen(s->mem);
        char unit = n ? s->mem[n - 1] : 0;
        char digits[64];
        snprintf(digits, sizeof digits, "%.*s", (int)(strchr("KMGT", unit) && unit ? n - 1 : n), s->mem);
        if (!only(digits, "", false) || n >= sizeof digits) {
            snprintf(err, err_len, "--mem: expected a Slurm memory size such as 4000, 512M or 4G, found \"%s\"",
                     s->mem);
            return -1;
        }
    }
    return 0;
}

/* s as one single-quoted shell word. */
static void put_quoted(FILE *out, const char *s)
{
    fputc('\'', out);
    for (; *s; s++) {
        if (*s == '\'')
            fputs("'\\''", out);
        else
            fputc(*s, out);
    }
    fputc('\'', out);
}

void ws_sweep_slurm_write(const ws_sweep_slurm *s, FILE *out)
{
    size_t tasks = (s->n_points + s->chunk - 1) / s->chunk;
    const char *sep = s->dir[0] == '/' ? "" : "/";
    const char *wd = s->dir[0] == '/' ? "" : s->workdir;
    fprintf(out, "#!/bin/sh\n"
                 "# Slurm job array of a wafersim sweep, written by `wafersim sweep --emit slurm`\n"
                 "# (doc/cluster.md): %zu points, %zu per array task.\n"
                 "# Submit with `sbatch %s%s%s/sweep.slurm`; when every task is over, merge with\n"
                 "# `wafersim sweep --merge %s%s%s`. Points already done are skipped, so\n"
                 "# resubmitting the array (or some of its tasks) completes a sweep.\n",
            s->n_points, s->chunk, wd, sep, s->dir, wd, sep, s->dir);
    fprintf(out, "#SBATCH --job-name=wafersim-sweep\n");
    fprintf(out, "#SBATCH --array=0-%zu\n", tasks ? tasks - 1 : 0);
    fprintf(out, "#SBATCH --chdir=%s\n", s->workdir);
    fprintf(out, "#SBATCH --output=%s%s%s/slurm/%%A_%%a.out\n", wd, sep, s->dir);
    fprintf(out, "#SBATCH --ntasks=1\n");
    if (s->partition)
        fprintf(out, "#SBATCH --partition=%s\n", s->partition);
    if (s->time)
        fprintf(out, "#SBATCH --time=%s\n", s->time);
    if (s->mem)
        fprintf(out, "#SBATCH --mem=%s\n", s->mem);
    fprintf(out, "set -u\n"
                 "points=%zu\n"
                 "chunk=%zu\n"
                 "first=$((SLURM_ARRAY_TASK_ID * chunk))\n"
                 "end=$((first + chunk))\n"
                 "[ \"$end\" -gt \"$points\" ] && end=$points\n"
                 "status=0\n"
                 "i=$first\n"
                 "while [ \"$i\" -lt \"$end\" ]; do\n"
                 "    ",
            s->n_points, s->chunk);
    put_quoted(out, s->wafersim);
    fputs(" sweep -q --index \"$i\" --out ", out);
    put_quoted(out, s->dir);
    for (size_t i = 0; i < s->n_sets; i++) {
        fputs(" --set ", out);
        put_quoted(out, s->sets[i]);
    }
    fputs(" -- ", out);
    put_quoted(out, s->experiment);
    fputs(" || status=1\n"
          "    i=$((i + 1))\n"
          "done\n"
          "exit $status\n", out);
}
