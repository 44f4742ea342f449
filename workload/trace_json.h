/* workload/trace_json.h — streaming parser of one per-request JSON trace
 * file (design.md §2.6), validated against a model.
 *
 * Contract
 *   A file is a JSON array of iterations. Element 0 is the prefill: an
 *   object mapping every layer number of the model, as a decimal string
 *   ("0" .. "<layers-1>", in any order, each once), to null for a dense
 *   layer or, for a MoE layer, a list with one entry per prompt token, each
 *   entry the list of that token's top_k expert ids (distinct integers in
 *   0 .. routed_experts-1). Every MoE layer must list the same number of
 *   prompt tokens (at least one). Elements 1..N are decode steps with the
 *   same shape and exactly one token per MoE layer; a decode layer written as
 *   a flat list of top_k ids ("3": [17, 4, ...] instead of [[17, 4, ...]])
 *   is accepted as that one token. Only the first WL_TRACE_MAX_DECODE (128)
 *   decode steps are kept; later ones are still validated, and counted in
 *   source_decode_len.
 *
 *   wl_json_parse_file() reads the file in fixed-size chunks with yajl's
 *   event parser: it never builds a tree, and its memory is that of the one
 *   request it holds (prompt_len + 128 tokens), reused across calls. It
 *   returns 0 with the request in the parser (wl_json_request), or -1 with
 *   the first problem: err->line and err->column (1-based; the column counts
 *   bytes) of the offending token, its byte offset, and a message naming the
 *   element and layer (e.g. "element 3 (decode step 3), layer \"5\": expert
 *   id 300 out of range 0..255"). Malformed or truncated JSON is reported at
 *   the position where the JSON parser stopped. Unreadable files give -1
 *   with line 0 and the system's reason.
 */
#ifndef WL_TRACE_JSON_H
#define WL_TRACE_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "workload/model.h"

typedef struct wl_json_parser wl_json_parser;

typedef struct wl_json_request {
    uint32_t prompt_len;
    uint32_t decode_len;           /* <= WL_TRACE_MAX_DECODE */
    uint32_t source_decode_len;    /* decode steps in the file */
    const uint16_t *ids;           /* token-major, as in the binary trace */
} wl_json_request;

typedef struct wl_json_error {
    unsigned line, column;         /* 0 when not about a position */
    uint64_t offset;
    char message[512];
} wl_json_error;

/* The model must outlive the parser. */
wl_json_parser *wl_json_parser_new(const wl_model *m);
void wl_json_parser_free(wl_json_parser *p);

int wl_json_parse_file(wl_json_parser *p, const char *path, wl_json_request *out, wl_json_error *err);

#endif
