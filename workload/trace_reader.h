/* workload/trace_reader.h — reads binary traces (workload/trace_format.h):
 * sequential and random access to requests, validation of everything read.
 *
 * Contract
 *   wl_trace_open() maps the file read-only and checks, before returning:
 *   the magic ("not a wafersim binary trace"), the version (this build reads
 *   version 1 only), the header checksum, that the file has exactly the
 *   size the header states (a shorter file is reported as truncated, with
 *   both sizes), that the index lies inside it and that the shape is sane
 *   (top_k <= experts <= 65535, MoE layers ascending and below layers).
 *   With WL_TRACE_VERIFY it also checks the payload checksum and every
 *   record (as wl_trace_verify). Errors: NULL and a one-line reason in err,
 *   starting with the path; the caller exits WS_EXIT_BAD_INPUT (2).
 *
 *   Requests are views into the mapped file: a wl_request stays valid until
 *   wl_trace_close(). wl_trace_get(t, i) gives request i (0-based, file
 *   order) in O(1) through the index; wl_trace_next() gives the requests in
 *   order, one per call (1 = got one, 0 = end, -1 = corrupt record), and
 *   wl_trace_rewind() starts again. Every request handed out has been
 *   checked: its offset comes from the index and lies between the header and
 *   the index, its record fits before the index, and all of its expert ids
 *   are below n_experts (so callers may index arrays by id without checks);
 *   a record failing this is reported (-1, err names the request) and never
 *   read out of bounds. A trace handle is not thread-safe for next(), but
 *   get() on one handle from several threads is (it only reads).
 *
 *   wl_trace_verify() reads the whole file once: payload checksum, every
 *   record, the sums of prompt and decode tokens against the header.
 *
 *   Route of token `tok` (0 .. prompt_len-1 are prefill tokens, prompt_len +
 *   d is decode step d, 0-based) at MoE layer index `m` (0 .. n_moe-1, the
 *   model layer is shape.moe_layer[m]): wl_request_route(r, tok, m) points
 *   at its top_k expert ids.
 */
#ifndef WL_TRACE_READER_H
#define WL_TRACE_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "workload/trace_format.h"

enum { WL_TRACE_VERIFY = 1u << 0 };

typedef struct wl_trace_info {
    wl_trace_shape shape;       /* moe_layer owned by the trace */
    uint32_t version;
    uint64_t n_requests;
    uint64_t prefill_tokens;
    uint64_t decode_tokens;
    uint64_t file_size;
    uint64_t payload_checksum;
    uint64_t header_checksum;
} wl_trace_info;

typedef struct wl_request {
    uint64_t index;             /* position in the trace */
    uint32_t prompt_len;
    uint32_t decode_len;
    uint32_t source_decode_len; /* decode steps in the source before the cap */
    uint32_t n_moe, top_k;      /* copied from the shape for wl_request_route */
    const char *name;           /* NUL-terminated, inside the mapping */
    const uint16_t *ids;        /* [(prompt_len + decode_len) * n_moe * top_k] */
} wl_request;

typedef struct wl_trace wl_trace;

wl_trace *wl_trace_open(const char *path, unsigned flags, char *err, size_t err_len);
void wl_trace_close(wl_trace *t);
const wl_trace_info *wl_trace_get_info(const wl_trace *t);
const char *wl_trace_path(const wl_trace *t);

int wl_trace_get(const wl_trace *t, uint64_t i, wl_request *out, char *err, size_t err_len);
int wl_trace_next(wl_trace *t, wl_request *out, char *err, size_t err_len);
void wl_trace_rewind(wl_trace *t);
int wl_trace_verify(const wl_trace *t, char *err, size_t err_len);

static inline uint32_t wl_request_tokens(const wl_request *r)
{
    return r->prompt_len + r->decode_len;
}

static inline const uint16_t *wl_request_route(const wl_request *r, uint32_t tok, uint32_t m)
{
    return r->ids + ((size_t)tok * r->n_moe + m) * r->top_k;
}

#endif
