/* fuzz/fuzz_trace_json.c — libFuzzer harness for the trace importer's JSON
 * parser (workload/trace_json.c, yajl), validated against the tiny model
 * fuzz/tiny_model.yaml (4 layers, MoE on 1 and 3, 8 experts, top-2).
 *
 * Input: one per-request JSON file. A file that parses must be consistent
 * (at least one prompt token, at most WL_TRACE_MAX_DECODE decode steps, ids
 * in range) and go through the rest of `trace import`: written as a binary
 * trace (workload/trace_writer.h, in /dev/shm, removed afterwards) and read
 * back with verification to the same request; a file that does not parse
 * must carry a message. The model is loaded
 * once (LLVMFuzzerInitialize) and only read afterwards; the parser is made
 * and freed per input, so nothing carries over between inputs.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz/fuzz_input.h"
#include "workload/model.h"
#include "workload/trace_format.h"
#include "workload/trace_json.h"
#include "workload/trace_reader.h"
#include "workload/trace_writer.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static wl_model fuzz_model;   /* read-only after LLVMFuzzerInitialize */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    if (wl_model_load_reporting(&fuzz_model, WS_FUZZ_SRCDIR "/tiny_model.yaml", stderr) != 0)
        abort();
    return 0;
}

/* The parsed request through the trace writer and back through the
 * reader: it must come back identical. */
static void write_and_read_back(const wl_json_request *r, size_t n_ids)
{
    char path[64], err[512];
    snprintf(path, sizeof path, "/dev/shm/wafersim-fuzz-%ld.wst", (long)getpid());
    wl_trace_shape shape = wl_trace_shape_of(&fuzz_model);
    wl_trace_writer *w = wl_trace_writer_open(path, &shape, err, sizeof err);
    if (!w || wl_trace_writer_add(w, "fuzz.json", r->prompt_len, r->decode_len, r->source_decode_len, r->ids,
                                  err, sizeof err) != 0 ||
        wl_trace_writer_commit(w, err, sizeof err) != 0) {
        fprintf(stderr, "a parsed request cannot be written: %s\n", err);
        abort();
    }
    wl_trace *t = wl_trace_open(path, WL_TRACE_VERIFY, err, sizeof err);
    wl_request back;
    if (!t || wl_trace_get(t, 0, &back, err, sizeof err) != 0) {
        fprintf(stderr, "a written request cannot be read back: %s\n", err);
        abort();
    }
    if (back.prompt_len != r->prompt_len || back.decode_len != r->decode_len ||
        back.source_decode_len != r->source_decode_len || memcmp(back.ids, r->ids, n_ids * sizeof *r->ids))
        abort();
    wl_trace_close(t);
    unlink(path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[64];
    int fd = fuzz_memfile_open(data, size, path, sizeof path);
    wl_json_parser *p = wl_json_parser_new(&fuzz_model);
    wl_json_request r;
    wl_json_error err;
    if (wl_json_parse_file(p, path, &r, &err) == 0) {
        if (r.prompt_len == 0 || r.decode_len > WL_TRACE_MAX_DECODE || r.source_decode_len < r.decode_len)
            abort();
        size_t n = (size_t)(r.prompt_len + r.decode_len) * fuzz_model.n_moe * (size_t)fuzz_model.top_k;
        for (size_t i = 0; i < n; i++)
            if (r.ids[i] >= fuzz_model.routed_experts)
                abort();
        write_and_read_back(&r, n);
    } else if (!err.message[0]) {
        abort();
    }
    wl_json_parser_free(p);
    fuzz_memfile_close(fd);
    return 0;
}
