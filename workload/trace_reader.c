/* workload/trace_reader.c — binary trace reader; contract in
 * workload/trace_reader.h, layout in workload/trace_format.h. */
#define _POSIX_C_SOURCE 200809L
#include "workload/trace_reader.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/xalloc.h"

struct wl_trace {
    char *path;
    const unsigned char *map;
    size_t size;
    wl_trace_info info;
    uint32_t *moe_layer;
    uint64_t header_size, index_offset;
    uint64_t cursor;            /* next request for wl_trace_next */
};

static uint32_t get32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get64(const unsigned char *p)
{
    return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

static void say(char *err, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void say(char *err, size_t len, const char *fmt, ...)
{
    if (!len)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, len, fmt, ap);
    va_end(ap);
}

/* Header checks; 0 or -1 with err. */
static int check_header(wl_trace *t, char *err, size_t len)
{
    const unsigned char *h = t->map;
    const char *p = t->path;
    if (t->size < 8 || memcmp(h, WL_TRACE_MAGIC, 8)) {
        say(err, len, "%s: not a wafersim binary trace (bad magic number)", p);
        return -1;
    }
    if (t->size < WL_TRACE_FIXED_HEADER + 8) {
        say(err, len, "%s: truncated: %zu bytes, shorter than a trace header", p, t->size);
        return -1;
    }
    t->info.version = get32(h + WL_TH_VERSION);
    if (t->info.version != WL_TRACE_VERSION) {
        say(err, len, "%s: trace format version %u; this build of wafersim reads version %u only", p,
            t->info.version, WL_TRACE_VERSION);
        return -1;
    }
    wl_trace_shape *s = &t->info.shape;
    s->n_moe = get32(h + WL_TH_MOE_LAYERS);
    t->header_size = get32(h + WL_TH_HEADER_SIZE);
    if (s->n_moe == 0 || s->n_moe > 65535 || t->header_size != wl_trace_header_size(s->n_moe)) {
        say(err, len, "%s: corrupt header (header size %llu for %u MoE layers)", p,
            (unsigned long long)t->header_size, s->n_moe);
        return -1;
    }
    if (t->size < t->header_size) {
        say(err, len, "%s: truncated: %zu bytes, shorter than its %llu-byte header", p, t->size,
            (unsigned long long)t->header_size);
        return -1;
    }
    uint64_t hsum = get64(h + t->header_size - 8);
    if (wl_fnv1a64_update(WL_FNV1A64_INIT, h, (size_t)t->header_size - 8) != hsum) {
        say(err, len, "%s: corrupt header (header checksum mismatch)", p);
        return -1;
    }
    t->info.header_checksum = hsum;
    memcpy(s->model, h + WL_TH_MODEL, WL_TRACE_MODEL_LEN);
    s->model[WL_TRACE_MODEL_LEN - 1] = '\0';
    s->n_layers = get32(h + WL_TH_LAYERS);
    s->n_experts = get32(h + WL_TH_EXPERTS);
    s->top_k = get32(h + WL_TH_TOP_K);
    t->info.n_requests = get64(h + WL_TH_REQUESTS);
    t->info.prefill_tokens = get64(h + WL_TH_PREFILL_TOKENS);
    t->info.decode_tokens = get64(h + WL_TH_DECODE_TOKENS);
    t->index_offset = get64(h + WL_TH_INDEX_OFFSET);
    t->info.file_size = get64(h + WL_TH_FILE_SIZE);
    t->info.payload_checksum = get64(h + WL_TH_PAYLOAD_SUM);
    if (!s->n_experts || s->n_experts > 65535 || !s->top_k || s->top_k > s->n_experts ||
        s->n_moe > s->n_layers) {
        say(err, len, "%s: corrupt header (%u layers, %u MoE layers, %u experts, top-%u)", p, s->n_layers,
            s->n_moe, s->n_experts, s->top_k);
        return -1;
    }
    t->moe_layer = ws_xmalloc(s->n_moe * sizeof *t->moe_layer);
    for (uint32_t i = 0; i < s->n_moe; i++) {
        const unsigned char *q = h + WL_TRACE_FIXED_HEADER + 2 * i;
        t->moe_layer[i] = (uint32_t)q[0] | (uint32_t)q[1] << 8;
        if (t->moe_layer[i] >= s->n_layers || (i && t->moe_layer[i] <= t->moe_layer[i - 1])) {
            say(err, len, "%s: corrupt header (MoE layer list not ascending below %u)", p, s->n_layers);
            return -1;
        }
    }
    s->moe_layer = t->moe_layer;
    if (t->info.file_size != t->size) {
        if (t->size < t->info.file_size)
            say(err, len, "%s: truncated: the header says %llu bytes, the file has %zu", p,
                (unsigned long long)t->info.file_size, t->size);
        else
            say(err, len, "%s: corrupt: the header says %llu bytes, the file has %zu (trailing data)", p,
                (unsigned long long)t->info.file_size, t->size);
        return -1;
    }
    uint64_t n = t->info.n_requests;
    if (t->index_offset < t->header_size || t->index_offset % 8 || n > (t->size - t->header_size) / 8 ||
        t->index_offset + 8 * n != t->size) {
        say(err, len, "%s: corrupt header (index at %llu for %llu requests in %zu bytes)", p,
            (unsigned long long)t->index_offset, (unsigned long long)n, t->size);
        return -1;
    }
    return 0;
}

wl_trace *wl_trace_open(const char *path, unsigned flags, char *err, size_t err_len)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        say(err, err_len, "%s: cannot open: %s", path, strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        say(err, err_len, "%s: not a regular file", path);
        close(fd);
        return NULL;
    }
    if (st.st_size == 0) {
        say(err, err_len, "%s: empty file, not a wafersim binary trace", path);
        close(fd);
        return NULL;
    }
    void *map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (map == MAP_FAILED) {
        say(err, err_len, "%s: cannot map: %s", path, strerror(errno));
        return NULL;
    }
    wl_trace *t = ws_xcalloc(1, sizeof *t);
    t->path = ws_xstrdup(path);
    t->map = map;
    t->size = (size_t)st.st_size;
    if (check_header(t, err, err_len) != 0 ||
        ((flags & WL_TRACE_VERIFY) && wl_trace_verify(t, err, err_len) != 0)) {
        wl_trace_close(t);
        return NULL;
    }
    return t;
}

void wl_trace_close(wl_trace *t)
{
    if (!t)
        return;
    munmap((void *)t->map, t->size);
    free(t->moe_layer);
    free(t->path);
    free(t);
}

const wl_trace_info *wl_trace_get_info(const wl_trace *t)
{
    return &t->info;
}

const char *wl_trace_path(const wl_trace *t)
{
    return t->path;
}

/* Reads and checks record i; ids are checked when check_ids is set. */
static int load(const wl_trace *t, uint64_t i, wl_request *r, bool check_ids, char *err, size_t len)
{
    if (i >= t->info.n_requests) {
        say(err, len, "%s: request %llu out of range (the trace has %llu)", t->path, (unsigned long long)i,
            (unsigned long long)t->info.n_requests);
        return -1;
    }
    uint64_t off = get64(t->map + t->index_offset + 8 * i);
    if (off < t->header_size || off % 8 || off > t->index_offset ||
        t->index_offset - off < WL_TRACE_RECORD_HEADER) {
        say(err, len, "%s: corrupt index: request %llu at offset %llu", t->path, (unsigned long long)i,
            (unsigned long long)off);
        return -1;
    }
    const unsigned char *p = t->map + off;
    const wl_trace_shape *s = &t->info.shape;
    r->index = i;
    r->prompt_len = get32(p + WL_TR_PROMPT_LEN);
    r->decode_len = get32(p + WL_TR_DECODE_LEN);
    r->source_decode_len = get32(p + WL_TR_SOURCE_DECODE);
    uint32_t name_len = (uint32_t)p[WL_TR_NAME_LEN] | (uint32_t)p[WL_TR_NAME_LEN + 1] << 8;
    r->n_moe = s->n_moe;
    r->top_k = s->top_k;
    uint64_t n_tok = (uint64_t)r->prompt_len + r->decode_len;
    uint64_t size = wl_trace_record_size(name_len, n_tok, s->n_moe, s->top_k);
    if (!r->prompt_len || r->decode_len > WL_TRACE_MAX_DECODE || r->source_decode_len < r->decode_len ||
        !size || size > t->index_offset - off || p[WL_TRACE_RECORD_HEADER + name_len] != '\0') {
        say(err, len, "%s: corrupt record of request %llu at offset %llu", t->path, (unsigned long long)i,
            (unsigned long long)off);
        return -1;
    }
    r->name = (const char *)p + WL_TRACE_RECORD_HEADER;
    r->ids = (const uint16_t *)(const void *)(p + WL_TRACE_RECORD_HEADER + wl_pad8(name_len + 1));
    if (check_ids) {
        uint64_t n = n_tok * s->n_moe * s->top_k;
        uint16_t max = 0;
        for (uint64_t j = 0; j < n; j++)
            max = r->ids[j] > max ? r->ids[j] : max;
        if (max >= s->n_experts) {
            say(err, len, "%s: corrupt record of request %llu: expert id %u, the model has %u", t->path,
                (unsigned long long)i, max, s->n_experts);
            return -1;
        }
    }
    return 0;
}

int wl_trace_get(const wl_trace *t, uint64_t i, wl_request *out, char *err, size_t err_len)
{
    return load(t, i, out, true, err, err_len);
}

int wl_trace_next(wl_trace *t, wl_request *out, char *err, size_t err_len)
{
    if (t->cursor >= t->info.n_requests)
        return 0;
    if (load(t, t->cursor, out, true, err, err_len) != 0)
        return -1;
    t->cursor++;
    return 1;
}

void wl_trace_rewind(wl_trace *t)
{
    t->cursor = 0;
}

int wl_trace_verify(const wl_trace *t, char *err, size_t err_len)
{
    uint64_t sum = wl_fnv1a64_update(WL_FNV1A64_INIT, t->map + t->header_size, t->size - t->header_size);
    if (sum != t->info.payload_checksum) {
        say(err, err_len, "%s: corrupt: payload checksum mismatch (stored %016llx, computed %016llx)", t->path,
            (unsigned long long)t->info.payload_checksum, (unsigned long long)sum);
        return -1;
    }
    uint64_t pre = 0, dec = 0;
    for (uint64_t i = 0; i < t->info.n_requests; i++) {
        wl_request r;
        if (load(t, i, &r, true, err, err_len) != 0)
            return -1;
        pre += r.prompt_len;
        dec += r.decode_len;
    }
    if (pre != t->info.prefill_tokens || dec != t->info.decode_tokens) {
        say(err, err_len, "%s: corrupt: the records hold %llu prefill and %llu decode tokens, the header says "
            "%llu and %llu", t->path, (unsigned long long)pre, (unsigned long long)dec,
            (unsigned long long)t->info.prefill_tokens, (unsigned long long)t->info.decode_tokens);
        return -1;
    }
    return 0;
}
