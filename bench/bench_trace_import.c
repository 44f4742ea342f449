/* bench/bench_trace_import.c — trace import throughput (a reported figure,
 * not a test): writes a synthetic tree of per-request JSON files shaped like
 * the published traces (DeepSeek-V3: 61 layers, MoE 3..60, top-8 of 256;
 * 40-token prompts and 128 decode steps; pretty-printed with an indent of 4
 * as the real files are, or compact), then times
 *   - `trace import` (wl_import: yajl parse + validation + binary write),
 *   - a parse-only pass with libyaml's event API over the same files (the
 *     alternative the project started from),
 * on one core, and prints MB of JSON per second. Usage:
 *   bench/bench_trace_import [MB] [DIR]     (default 200 MB under /tmp)
 * Run with `make bench`; figures are in doc/traces.md. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <yaml.h>

#include "core/diag.h"
#include "workload/model.h"
#include "workload/trace_import.h"

#define PROMPT 40
#define DECODE 128

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static uint64_t next(uint64_t *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return *s >> 33;
}

/* One token's 8 ids: one expert in each of 8 groups of 32 (distinct). */
static void token_ids(uint64_t *s, int ids[8])
{
    for (int j = 0; j < 8; j++)
        ids[j] = j * 32 + (int)(next(s) % 32);
}

static void write_request(FILE *f, const wl_model *m, uint64_t seed, int pretty)
{
    uint64_t s = seed;
    const char *nl = pretty ? "\n" : "";
    fputs("[", f);
    for (int it = 0; it <= DECODE; it++) {
        int ntok = it == 0 ? PROMPT : 1;
        fprintf(f, "%s%s{", it ? "," : "", nl);
        if (pretty)
            fputs("\n    ", f);
        for (int64_t l = 0; l < m->layers; l++) {
            fprintf(f, "%s%s%*s\"%lld\": ", l ? "," : "", l && pretty ? "\n" : "", l && pretty ? 8 : (pretty ? 4 : 0),
                    "", (long long)l);
            if (m->moe_index[l] < 0) {
                fputs("null", f);
                continue;
            }
            fputc('[', f);
            for (int t = 0; t < ntok; t++) {
                int ids[8];
                token_ids(&s, ids);
                fprintf(f, "%s%s%*s[", t ? "," : "", nl, pretty ? 12 : 0, "");
                for (int j = 0; j < 8; j++)
                    fprintf(f, "%s%s%*s%d", j ? "," : "", nl, pretty ? 16 : 0, "", ids[j]);
                fprintf(f, "%s%*s]", nl, pretty ? 12 : 0, "");
            }
            fprintf(f, "%s%*s]", nl, pretty ? 8 : 0, "");
        }
        fprintf(f, "%s%*s}", nl, pretty ? 4 : 0, "");
    }
    fprintf(f, "%s]", nl);
}

/* Writes files until `mb` MB; returns bytes written. */
static uint64_t make_tree(const char *dir, const wl_model *m, double mb, int pretty)
{
    char path[8192];
    snprintf(path, sizeof path, "mkdir -p '%.4000s/mmlu/subject'", dir);
    if (system(path) != 0)
        exit(1);
    uint64_t bytes = 0;
    for (int i = 0; bytes < mb * 1e6; i++) {
        snprintf(path, sizeof path, "%.4000s/mmlu/subject/%d.json", dir, i);
        FILE *f = fopen(path, "w");
        if (!f) {
            perror(path);
            exit(1);
        }
        write_request(f, m, (uint64_t)i + 1, pretty);
        bytes += (uint64_t)ftell(f);
        fclose(f);
    }
    return bytes;
}

/* Parse-only with libyaml's event API: the whole tree, files in any order. */
static double libyaml_pass(const char *dir, uint64_t *bytes)
{
    char path[8192];
    *bytes = 0;
    double t0 = now_s();
    for (int i = 0;; i++) {
        snprintf(path, sizeof path, "%.4000s/mmlu/subject/%d.json", dir, i);
        FILE *f = fopen(path, "rb");
        if (!f)
            break;
        yaml_parser_t p;
        yaml_parser_initialize(&p);
        yaml_parser_set_input_file(&p, f);
        yaml_event_t e;
        long long sum = 0;
        for (int done = 0; !done;) {
            if (!yaml_parser_parse(&p, &e)) {
                fprintf(stderr, "libyaml: %s in %s\n", p.problem, path);
                exit(1);
            }
            if (e.type == YAML_SCALAR_EVENT)
                sum += atoi((const char *)e.data.scalar.value);
            done = e.type == YAML_STREAM_END_EVENT;
            yaml_event_delete(&e);
        }
        *bytes += (uint64_t)ftell(f);
        yaml_parser_delete(&p);
        fclose(f);
        if (sum < 0)
            puts("");
    }
    return now_s() - t0;
}

int main(int argc, char **argv)
{
    double mb = argc > 1 ? atof(argv[1]) : 200;
    const char *base = argc > 2 ? argv[2] : "/tmp";
    ws_diag d;
    ws_diag_init(&d, 10);
    wl_model m;
    if (wl_model_load(&m, "deepseek-v3", &d) != 0) {
        ws_diag_print(&d, stderr);
        return 1;
    }
    for (int pretty = 1; pretty >= 0; pretty--) {
        char dir[4096];
        snprintf(dir, sizeof dir, "%.3000s/wafersim-bench-trace.%d", base, (int)getpid());
        uint64_t bytes = make_tree(dir, &m, mb / (pretty ? 1 : 4), pretty);
        char out[4200];
        snprintf(out, sizeof out, "%s/out.wst", dir);
        const char *in[] = { dir };
        wl_import_summary s;
        FILE *log = stderr;
        double t0 = now_s();
        int rc = wl_import(&m, in, 1, out, WL_IMPORT_FATAL, false, log, &s);
        double dt = now_s() - t0;
        if (rc != 0) {
            fprintf(stderr, "import failed (%d)\n", rc);
            return 1;
        }
        uint64_t ybytes;
        double ydt = libyaml_pass(dir, &ybytes);
        printf("%-8s json_MB=%.1f files=%llu tokens=%llu  import_s=%.3f import_MB_per_s=%.1f  "
               "libyaml_parse_only_s=%.3f libyaml_MB_per_s=%.1f\n",
               pretty ? "indent-4" : "compact", (double)bytes / 1e6, (unsigned long long)s.imported,
               (unsigned long long)(s.prefill_tokens + s.decode_tokens), dt, (double)bytes / 1e6 / dt, ydt,
               (double)ybytes / 1e6 / ydt);
        char cmd[4300];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
        if (system(cmd) != 0)
            return 1;
    }
    wl_model_free(&m);
    ws_diag_free(&d);
    return 0;
}
