/* workload/trace_format.h — the on-disk layout of a binary trace (version 1)
 * shared by the writer and the reader; doc/traces.md describes it byte by
 * byte.
 *
 * Contract
 *   All integers are little-endian; every section starts at a multiple of
 *   8 bytes. The file is:
 *     header   WL_TRACE_FIXED_HEADER bytes of fixed fields (offsets below),
 *              then the MoE layer numbers as uint16[n_moe_layers], zero
 *              padding to a multiple of 8, then the header checksum (uint64:
 *              FNV-1a 64 of every header byte before it); header_size
 *              counts all of this.
 *     records  one per request, from offset header_size, each 8-aligned:
 *              uint32 prompt_len, uint32 decode_len, uint32
 *              source_decode_len, uint16 name_len, uint16 flags (0), the
 *              name (name_len bytes, then a NUL), zero padding to 8, the
 *              expert ids uint16[(prompt_len + decode_len) * n_moe * top_k]
 *              token-major (token, then MoE layer, then rank), zero padding
 *              to 8.
 *     index    uint64[n_requests]: the offset of each record, at
 *              index_offset; the file ends right after it.
 *   The payload checksum in the header is FNV-1a 64 of the bytes from
 *   header_size to the end of the file (records and index).
 *   wl_fnv1a64_update() computes FNV-1a incrementally: starting from
 *   WL_FNV1A64_INIT and feeding a buffer in pieces gives ws_hash64() of the
 *   whole buffer (core/hash.h).
 */
#ifndef WL_TRACE_FORMAT_H
#define WL_TRACE_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "wafersim traces are little-endian; this build supports little-endian hosts only"
#endif

#define WL_TRACE_MAGIC "WSTRACE\0"       /* 8 bytes */
#define WL_TRACE_VERSION 1u
#define WL_TRACE_MAX_DECODE 128u          /* decode steps kept per request */
#define WL_TRACE_MODEL_LEN 32             /* model name field, NUL-padded */

/* fixed header field offsets */
enum {
    WL_TH_MAGIC = 0,            /* char[8]  */
    WL_TH_VERSION = 8,          /* uint32   */
    WL_TH_HEADER_SIZE = 12,     /* uint32   */
    WL_TH_MODEL = 16,           /* char[32] */
    WL_TH_LAYERS = 48,          /* uint32   */
    WL_TH_MOE_LAYERS = 52,      /* uint32   */
    WL_TH_EXPERTS = 56,         /* uint32   */
    WL_TH_TOP_K = 60,           /* uint32   */
    WL_TH_REQUESTS = 64,        /* uint64   */
    WL_TH_PREFILL_TOKENS = 72,  /* uint64   */
    WL_TH_DECODE_TOKENS = 80,   /* uint64   */
    WL_TH_INDEX_OFFSET = 88,    /* uint64   */
    WL_TH_FILE_SIZE = 96,       /* uint64   */
    WL_TH_PAYLOAD_SUM = 104,    /* uint64   */
    WL_TRACE_FIXED_HEADER = 112 /* then uint16 moe_layers[], pad, uint64 header sum */
};

/* record header: 16 bytes */
enum {
    WL_TR_PROMPT_LEN = 0,       /* uint32 */
    WL_TR_DECODE_LEN = 4,       /* uint32 */
    WL_TR_SOURCE_DECODE = 8,    /* uint32 */
    WL_TR_NAME_LEN = 12,        /* uint16 */
    WL_TR_FLAGS = 14,           /* uint16 */
    WL_TRACE_RECORD_HEADER = 16
};

/* What a trace is about: the model's routing shape. moe_layer[] holds the
 * model layer number of each MoE layer, ascending. */
typedef struct wl_trace_shape {
    char model[WL_TRACE_MODEL_LEN];
    uint32_t n_layers;
    uint32_t n_moe;
    uint32_t n_experts;
    uint32_t top_k;
    const uint32_t *moe_layer;
} wl_trace_shape;

#define WL_FNV1A64_INIT 0xcbf29ce484222325ULL

static inline uint64_t wl_fnv1a64_update(uint64_t h, const void *data, size_t len)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

static inline uint64_t wl_pad8(uint64_t n)
{
    return (n + 7) & ~(uint64_t)7;
}

static inline uint64_t wl_trace_header_size(uint32_t n_moe)
{
    return WL_TRACE_FIXED_HEADER + wl_pad8(2 * (uint64_t)n_moe) + 8;
}

/* Bytes of one record, or 0 if it would not fit in 64 bits. */
static inline uint64_t wl_trace_record_size(uint64_t name_len, uint64_t n_tokens, uint64_t n_moe,
                                            uint64_t top_k)
{
    if (n_moe && top_k && n_tokens > (UINT64_MAX / 4) / n_moe / top_k)
        return 0;
    return WL_TRACE_RECORD_HEADER + wl_pad8(name_len + 1) + wl_pad8(2 * n_tokens * n_moe * top_k);
}

#endif
