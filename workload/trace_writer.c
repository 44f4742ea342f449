/* workload/trace_writer.c — binary trace writer; contract in
 * workload/trace_writer.h, layout in workload/trace_format.h. */
#define _POSIX_C_SOURCE 200809L
#include "workload/trace_writer.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/atomic_file.h"
#include "core/xalloc.h"

struct wl_trace_writer {
    ws_atomic_file *file;
    wl_trace_shape shape;
    uint32_t *moe_layer;        /* owned copy */
    uint64_t header_size;
    uint64_t offset;            /* bytes written so far */
    uint64_t payload_sum;
    uint64_t prefill_tokens, decode_tokens;
    uint64_t *index;
    uint64_t n, cap;
    int io_error;
};

wl_trace_shape wl_trace_shape_of(const wl_model *m)
{
    wl_trace_shape s;
    memset(&s, 0, sizeof s);
    snprintf(s.model, sizeof s.model, "%s", m->name ? m->name : "");
    s.n_layers = (uint32_t)m->layers;
    s.n_moe = m->n_moe;
    s.n_experts = (uint32_t)m->routed_experts;
    s.top_k = (uint32_t)m->top_k;
    s.moe_layer = m->moe_layer;
    return s;
}

static void put32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static void put64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

/* Writes payload bytes (hashed). */
static void emit(wl_trace_writer *w, const void *data, size_t len)
{
    if (!len)
        return;
    if (fwrite(data, 1, len, w->file->fp) != len)
        w->io_error = errno ? errno : EIO;
    w->payload_sum = wl_fnv1a64_update(w->payload_sum, data, len);
    w->offset += len;
}

static void emit_pad(wl_trace_writer *w)
{
    static const unsigned char zeros[8] = { 0 };
    emit(w, zeros, (size_t)(wl_pad8(w->offset) - w->offset));
}

static int fail(char *err, size_t len, const char *fmt, const char *detail)
{
    if (len)
        snprintf(err, len, fmt, detail);
    return -1;
}

wl_trace_writer *wl_trace_writer_open(const char *path, const wl_trace_shape *shape, char *err,
                                      size_t err_len)
{
    if (!shape->n_moe || !shape->top_k || !shape->n_experts || shape->n_experts > 65535 ||
        shape->top_k > shape->n_experts || shape->n_moe > shape->n_layers || !shape->model[0]) {
        fail(err, err_len, "invalid trace shape for model \"%s\"", shape->model);
        return NULL;
    }
    if (!strcmp(path, "-")) {
        fail(err, err_len, "%s", "a binary trace cannot be written to standard output; give a file name");
        return NULL;
    }
    ws_atomic_file *f = ws_atomic_open(path, err, err_len);
    if (!f)
        return NULL;
    wl_trace_writer *w = ws_xcalloc(1, sizeof *w);
    w->file = f;
    w->shape = *shape;
    w->moe_layer = ws_xmalloc(shape->n_moe * sizeof *w->moe_layer);
    memcpy(w->moe_layer, shape->moe_layer, shape->n_moe * sizeof *w->moe_layer);
    w->shape.moe_layer = w->moe_layer;
    w->header_size = wl_trace_header_size(shape->n_moe);
    w->payload_sum = WL_FNV1A64_INIT;
    /* placeholder header, rewritten by commit */
    unsigned char zeros[256] = { 0 };
    for (uint64_t left = w->header_size; left;) {
        size_t n = left < sizeof zeros ? (size_t)left : sizeof zeros;
        if (fwrite(zeros, 1, n, f->fp) != n)
            w->io_error = errno ? errno : EIO;
        left -= n;
    }
    w->offset = w->header_size;
    return w;
}

uint64_t wl_trace_writer_count(const wl_trace_writer *w)
{
    return w->n;
}

int wl_trace_writer_add(wl_trace_writer *w, const char *name, uint32_t prompt_len, uint32_t decode_len,
                        uint32_t source_decode_len, const uint16_t *ids, char *err, size_t err_len)
{
    size_t name_len = strlen(name);
    if (name_len > 65535)
        return fail(err, err_len, "%s", "request name longer than 65535 bytes");
    if (prompt_len < 1)
        return fail(err, err_len, "%s", "a request needs at least one prompt token");
    if (decode_len > WL_TRACE_MAX_DECODE || source_decode_len < decode_len) {
        if (err_len)
            snprintf(err, err_len, "decode length %u (source %u) outside 0..%u", decode_len,
                     source_decode_len, WL_TRACE_MAX_DECODE);
        return -1;
    }
    uint64_t n_tokens = (uint64_t)prompt_len + decode_len;
    uint64_t n_ids = n_tokens * w->shape.n_moe * w->shape.top_k;
    if (!wl_trace_record_size(name_len, n_tokens, w->shape.n_moe, w->shape.top_k))
        return fail(err, err_len, "%s", "request too large");
    for (uint64_t i = 0; i < n_ids; i++)
        if (ids[i] >= w->shape.n_experts) {
            if (err_len)
                snprintf(err, err_len, "expert id %u out of range 0..%u", ids[i], w->shape.n_experts - 1);
            return -1;
        }
    if (w->n == w->cap) {
        w->cap = w->cap ? 2 * w->cap : 1024;
        w->index = ws_xrealloc(w->index, w->cap * sizeof *w->index);
    }
    w->index[w->n++] = w->offset;
    unsigned char h[WL_TRACE_RECORD_HEADER] = { 0 };
    put32(h + WL_TR_PROMPT_LEN, prompt_len);
    put32(h + WL_TR_DECODE_LEN, decode_len);
    put32(h + WL_TR_SOURCE_DECODE, source_decode_len);
    h[WL_TR_NAME_LEN] = (unsigned char)(name_len & 0xff);
    h[WL_TR_NAME_LEN + 1] = (unsigned char)(name_len >> 8);
    emit(w, h, sizeof h);
    emit(w, name, name_len + 1);
    emit_pad(w);
    emit(w, ids, (size_t)(n_ids * sizeof *ids));   /* little-endian host (trace_format.h) */
    emit_pad(w);
    w->prefill_tokens += prompt_len;
    w->decode_tokens += decode_len;
    return 0;
}

int wl_trace_writer_commit(wl_trace_writer *w, char *err, size_t err_len)
{
    uint64_t index_offset = w->offset;
    for (uint64_t i = 0; i < w->n; i++) {
        unsigned char b[8];
        put64(b, w->index[i]);
        emit(w, b, 8);
    }
    size_t hs = (size_t)w->header_size;
    unsigned char *h = ws_xcalloc(1, hs);
    memcpy(h + WL_TH_MAGIC, WL_TRACE_MAGIC, 8);
    put32(h + WL_TH_VERSION, WL_TRACE_VERSION);
    put32(h + WL_TH_HEADER_SIZE, (uint32_t)hs);
    memcpy(h + WL_TH_MODEL, w->shape.model, WL_TRACE_MODEL_LEN);
    h[WL_TH_MODEL + WL_TRACE_MODEL_LEN - 1] = '\0';
    put32(h + WL_TH_LAYERS, w->shape.n_layers);
    put32(h + WL_TH_MOE_LAYERS, w->shape.n_moe);
    put32(h + WL_TH_EXPERTS, w->shape.n_experts);
    put32(h + WL_TH_TOP_K, w->shape.top_k);
    put64(h + WL_TH_REQUESTS, w->n);
    put64(h + WL_TH_PREFILL_TOKENS, w->prefill_tokens);
    put64(h + WL_TH_DECODE_TOKENS, w->decode_tokens);
    put64(h + WL_TH_INDEX_OFFSET, index_offset);
    put64(h + WL_TH_FILE_SIZE, w->offset);
    put64(h + WL_TH_PAYLOAD_SUM, w->payload_sum);
    for (uint32_t i = 0; i < w->shape.n_moe; i++) {
        h[WL_TRACE_FIXED_HEADER + 2 * i] = (unsigned char)(w->moe_layer[i] & 0xff);
        h[WL_TRACE_FIXED_HEADER + 2 * i + 1] = (unsigned char)(w->moe_layer[i] >> 8);
    }
    put64(h + hs - 8, wl_fnv1a64_update(WL_FNV1A64_INIT, h, hs - 8));
    if (!w->io_error) {
        if (fflush(w->file->fp) != 0 || fseek(w->file->fp, 0, SEEK_SET) != 0 ||
            fwrite(h, 1, hs, w->file->fp) != hs)
            w->io_error = errno ? errno : EIO;
    }
    free(h);
    int rc;
    if (w->io_error) {
        if (err_len)
            snprintf(err, err_len, "writing %s: %s", w->file->final_path, strerror(w->io_error));
        ws_atomic_abort(w->file);
        rc = -1;
    } else {
        rc = ws_atomic_commit(w->file, err, err_len);
    }
    free(w->index);
    free(w->moe_layer);
    free(w);
    return rc;
}

void wl_trace_writer_abort(wl_trace_writer *w)
{
    ws_atomic_abort(w->file);
    free(w->index);
    free(w->moe_layer);
    free(w);
}
