/* fuzz/fuzz_trace_json.c — libFuzzer harness for the trace importer's JSON
 * parser (workload/trace_json.c, yajl), validated against the tiny model
 * fuzz/tiny_model.yaml (4 layers, MoE on 1 and 3, 8 experts, top-2).
 *
 * Input: one per-request JSON file. A file that parses must be consistent
 * (at least one prompt token, at most WL_TRACE_MAX_DECODE decode steps, ids
 * in range); one that does not must carry a message. The model is loaded
 * once (LLVMFuzzerInitialize) and only read afterwards; the parser is made
 * and freed per input, so nothing carries over between inputs.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "fuzz/fuzz_input.h"
#include "workload/model.h"
#include "workload/trace_format.h"
#include "workload/trace_json.h"

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
    } else if (!err.message[0]) {
        abort();
    }
    wl_json_parser_free(p);
    fuzz_memfile_close(fd);
    return 0;
}
