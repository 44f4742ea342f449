/* fuzz/fuzz_trace_reader.c — libFuzzer harness for the binary trace reader
 * (workload/trace_reader.c): a corrupt or truncated .wst file must be
 * refused with a reason, never read out of bounds.
 *
 * Input: a binary trace. It is opened both without and with
 * WL_TRACE_VERIFY; every request is read sequentially and by index and all
 * of its expert ids are touched (they must be below n_experts, as the
 * reader promises).
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/fuzz_input.h"
#include "workload/trace_reader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_request(const wl_trace_info *info, const wl_request *r)
{
    size_t n = (size_t)wl_request_tokens(r) * r->n_moe * r->top_k;
    for (size_t i = 0; i < n; i++)
        if (r->ids[i] >= info->shape.n_experts)
            abort();
    (void)strlen(r->name);
}

static void read_all(const char *path, unsigned flags)
{
    char err[512];
    wl_trace *t = wl_trace_open(path, flags, err, sizeof err);
    if (!t) {
        if (!err[0])
            abort();
        return;
    }
    const wl_trace_info *info = wl_trace_get_info(t);
    wl_request r;
    int rc;
    while ((rc = wl_trace_next(t, &r, err, sizeof err)) == 1)
        check_request(info, &r);
    for (uint64_t i = 0; i < info->n_requests && i < 64; i++)
        if (wl_trace_get(t, i, &r, err, sizeof err) == 0)
            check_request(info, &r);
    (void)wl_trace_verify(t, err, sizeof err);
    wl_trace_close(t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[64];
    int fd = fuzz_memfile_open(data, size, path, sizeof path);
    read_all(path, 0);
    read_all(path, WL_TRACE_VERIFY);
    fuzz_memfile_close(fd);
    return 0;
}
