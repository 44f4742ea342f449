/* workload/heatmap.c — cross-token transition counts: build, write, read;
 * contract and file format in workload/heatmap.h. */
#define _POSIX_C_SOURCE 200809L
#include "workload/heatmap.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/atomic_file.h"
#include "core/xalloc.h"
#include "workload/trace_format.h"

typedef struct hm_layer {
    uint32_t nnz;
    uint32_t *row_ptr;          /* [E+1] */
    uint16_t *col;              /* [nnz] */
    uint32_t *count;            /* [nnz] */
    uint64_t *row_total;        /* [E] */
} hm_layer;

struct wl_heatmap {
    wl_heatmap_info info;
    hm_layer *layer;
};

/* byte offsets in the header */
enum {
    HM_MAGIC = 0, HM_VERSION = 8, HM_FLAGS = 12, HM_MODEL = 16, HM_N_MOE = 48, HM_EXPERTS = 52, HM_TOP_K = 56,
    HM_SRC_REQUESTS = 64, HM_SRC_SUM = 72, HM_TRANSITIONS = 80, HM_NNZ = 88, HM_FILE_SIZE = 96, HM_SUM = 104
};

static uint64_t layer_bytes(uint32_t E, uint32_t nnz)
{
    return 8 + wl_pad8(4 * ((uint64_t)E + 1)) + wl_pad8(2 * (uint64_t)nnz) + wl_pad8(4 * (uint64_t)nnz);
}

static void finish_rows(hm_layer *L, uint32_t E)
{
    L->row_total = ws_xcalloc(E, sizeof *L->row_total);
    for (uint32_t i = 0; i < E; i++)
        for (uint32_t x = L->row_ptr[i]; x < L->row_ptr[i + 1]; x++)
            L->row_total[i] += L->count[x];
}

/* ------------------------------------------------------------ build */

wl_heatmap *wl_heatmap_build(const wl_trace *t, bool oracle, char *err, size_t err_len)
{
    const wl_trace_info *in = wl_trace_get_info(t);
    uint32_t M = in->shape.n_moe, E = in->shape.n_experts, k = in->shape.top_k;
    uint32_t *dense = ws_xcalloc((size_t)M * E * E, sizeof *dense);
    uint64_t transitions = 0;
    wl_request *req = ws_xmalloc((in->n_requests ? in->n_requests : 1) * sizeof *req);
    for (uint64_t q = 0; q < in->n_requests; q++)
        if (wl_trace_get(t, q, &req[q], err, err_len) != 0) {
            free(req);
            free(dense);
            return NULL;
        }
    /* layer by layer: one layer's E x E counts stay in cache (sums, so the
       order does not change them) */
    for (uint32_t m = 0; m < M; m++) {
        uint32_t *dm = dense + (size_t)m * E * E;
        for (uint64_t q = 0; q < in->n_requests; q++) {
            const wl_request *r = &req[q];
            for (uint32_t d = 0; d + 1 < r->decode_len; d++) {
                const uint16_t *a = wl_request_route(r, r->prompt_len + d, m);
                const uint16_t *b = wl_request_route(r, r->prompt_len + d + 1, m);
                for (uint32_t x = 0; x < k; x++)
                    for (uint32_t y = 0; y < k; y++)
                        dm[(size_t)a[x] * E + b[y]]++;
                transitions += (uint64_t)k * k;
            }
        }
    }
    free(req);
    wl_heatmap *h = ws_xcalloc(1, sizeof *h);
    memcpy(h->info.model, in->shape.model, sizeof h->info.model);
    h->info.n_moe = M;
    h->info.n_experts = E;
    h->info.top_k = k;
    h->info.oracle = oracle;
    h->info.source_requests = in->n_requests;
    h->info.source_checksum = in->payload_checksum;
    h->info.transitions = transitions;
    h->layer = ws_xcalloc(M, sizeof *h->layer);
    for (uint32_t m = 0; m < M; m++) {
        hm_layer *L = &h->layer[m];
        const uint32_t *dm = dense + (size_t)m * E * E;
        for (size_t c = 0; c < (size_t)E * E; c++)
            L->nnz += dm[c] != 0;
        L->row_ptr = ws_xcalloc((size_t)E + 1, sizeof *L->row_ptr);
        L->col = ws_xcalloc(L->nnz ? L->nnz : 1, sizeof *L->col);
        L->count = ws_xcalloc(L->nnz ? L->nnz : 1, sizeof *L->count);
        uint32_t x = 0;
        for (uint32_t i = 0; i < E; i++) {
            L->row_ptr[i] = x;
            for (uint32_t j = 0; j < E; j++)
                if (dm[(size_t)i * E + j]) {
                    L->col[x] = (uint16_t)j;
                    L->count[x++] = dm[(size_t)i * E + j];
                }
        }
        L->row_ptr[E] = x;
        finish_rows(L, E);
        h->info.nnz += L->nnz;
    }
    free(dense);
    return h;
}

void wl_heatmap_free(wl_heatmap *h)
{
    if (!h)
        return;
    for (uint32_t m = 0; m < h->info.n_moe; m++) {
        free(h->layer[m].row_ptr);
        free(h->layer[m].col);
        free(h->layer[m].count);
        free(h->layer[m].row_total);
    }
    free(h->layer);
    free(h);
}

/* ------------------------------------------------------------ write */

static void put32(unsigned char *p, uint32_t v) { memcpy(p, &v, 4); }
static void put64(unsigned char *p, uint64_t v) { memcpy(p, &v, 8); }
static uint32_t get32(const unsigned char *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static uint64_t get64(const unsigned char *p) { uint64_t v; memcpy(&v, p, 8); return v; }

/* Serialises the whole file into one buffer (heatmaps are small). */
static unsigned char *serialise(const wl_heatmap *h, uint64_t *size)
{
    uint32_t E = h->info.n_experts;
    uint64_t n = WL_HEATMAP_HEADER;
    for (uint32_t m = 0; m < h->info.n_moe; m++)
        n += layer_bytes(E, h->layer[m].nnz);
    unsigned char *b = ws_xcalloc(n, 1);
    memcpy(b + HM_MAGIC, WL_HEATMAP_MAGIC, 8);
    put32(b + HM_VERSION, WL_HEATMAP_VERSION);
    put32(b + HM_FLAGS, h->info.oracle ? WL_HEATMAP_ORACLE : 0);
    memcpy(b + HM_MODEL, h->info.model, WL_TRACE_MODEL_LEN);
    put32(b + HM_N_MOE, h->info.n_moe);
    put32(b + HM_EXPERTS, E);
    put32(b + HM_TOP_K, h->info.top_k);
    put64(b + HM_SRC_REQUESTS, h->info.source_requests);
    put64(b + HM_SRC_SUM, h->info.source_checksum);
    put64(b + HM_TRANSITIONS, h->info.transitions);
    put64(b + HM_NNZ, h->info.nnz);
    put64(b + HM_FILE_SIZE, n);
    uint64_t off = WL_HEATMAP_HEADER;
    for (uint32_t m = 0; m < h->info.n_moe; m++) {
        const hm_layer *L = &h->layer[m];
        put32(b + off, L->nnz);
        off += 8;
        memcpy(b + off, L->row_ptr, 4 * ((size_t)E + 1));
        off += wl_pad8(4 * ((uint64_t)E + 1));
        memcpy(b + off, L->col, 2 * (size_t)L->nnz);
        off += wl_pad8(2 * (uint64_t)L->nnz);
        memcpy(b + off, L->count, 4 * (size_t)L->nnz);
        off += wl_pad8(4 * (uint64_t)L->nnz);
    }
    uint64_t sum = wl_fnv1a64_update(WL_FNV1A64_INIT, b, HM_SUM);
    sum = wl_fnv1a64_update(sum, b + WL_HEATMAP_HEADER, n - WL_HEATMAP_HEADER);
    put64(b + HM_SUM, sum);
    *size = n;
    return b;
}

int wl_heatmap_write(const wl_heatmap *h, const char *path, char *err, size_t err_len)
{
    uint64_t n;
    unsigned char *b = serialise(h, &n);
    ws_atomic_file *f = ws_atomic_open(path, err, err_len);
    if (!f) {
        free(b);
        return -1;
    }
    if (fwrite(b, 1, n, f->fp) != n) {
        snprintf(err, err_len, "%s: write failed: %s", path, strerror(errno));
        ws_atomic_abort(f);
        free(b);
        return -1;
    }
    free(b);
    return ws_atomic_commit(f, err, err_len);
}

/* ------------------------------------------------------------ read */

static int fail(char *err, size_t err_len, const char *path, const char *what)
{
    snprintf(err, err_len, "%s: %s", path, what);
    return -1;
}

static int parse_layers(wl_heatmap *h, const unsigned char *b, uint64_t n, const char *path, char *err,
                        size_t err_len)
{
    uint32_t E = h->info.n_experts;
    uint64_t off = WL_HEATMAP_HEADER, transitions = 0, nnz = 0;
    for (uint32_t m = 0; m < h->info.n_moe; m++) {
        hm_layer *L = &h->layer[m];
        if (off + 8 > n)
            return fail(err, err_len, path, "truncated layer block");
        L->nnz = get32(b + off);
        if (L->nnz > (uint64_t)E * E || off + layer_bytes(E, L->nnz) > n)
            return fail(err, err_len, path, "a layer block does not fit in the file");
        off += 8;
        L->row_ptr = ws_xmalloc(4 * ((size_t)E + 1));
        memcpy(L->row_ptr, b + off, 4 * ((size_t)E + 1));
        off += wl_pad8(4 * ((uint64_t)E + 1));
        L->col = ws_xmalloc(2 * (size_t)L->nnz + 2);
        memcpy(L->col, b + off, 2 * (size_t)L->nnz);
        off += wl_pad8(2 * (uint64_t)L->nnz);
        L->count = ws_xmalloc(4 * (size_t)L->nnz + 4);
        memcpy(L->count, b + off, 4 * (size_t)L->nnz);
        off += wl_pad8(4 * (uint64_t)L->nnz);
        if (L->row_ptr[0] != 0 || L->row_ptr[E] != L->nnz)
            return fail(err, err_len, path, "row pointers do not span the layer's cells");
        for (uint32_t i = 0; i < E; i++) {
            if (L->row_ptr[i + 1] < L->row_ptr[i])
                return fail(err, err_len, path, "row pointers go backwards");
            for (uint32_t x = L->row_ptr[i]; x < L->row_ptr[i + 1]; x++) {
                if (L->col[x] >= E || (x > L->row_ptr[i] && L->col[x] <= L->col[x - 1]))
                    return fail(err, err_len, path, "a column is out of range or out of order");
                if (!L->count[x])
                    return fail(err, err_len, path, "a stored count is zero");
                transitions += L->count[x];
            }
        }
        finish_rows(L, E);
        nnz += L->nnz;
    }
    if (off != n)
        return fail(err, err_len, path, "the layer blocks do not end at the end of the file");
    if (nnz != h->info.nnz || transitions != h->info.transitions)
        return fail(err, err_len, path, "the counts do not add up to the header's totals");
    return 0;
}

wl_heatmap *wl_heatmap_read(const char *path, char *err, size_t err_len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, err_len, "%s: %s", path, strerror(errno));
        return NULL;
    }
    unsigned char *b = NULL;
    size_t n = 0, cap = 0, got;
    do {
        if (n == cap) {
            cap = cap ? 2 * cap : 1 << 16;
            b = ws_xrealloc(b, cap);
        }
        got = fread(b + n, 1, cap - n, f);
        n += got;
    } while (got > 0);
    fclose(f);
    wl_heatmap *h = NULL;
    int rc = -1;
    if (n < WL_HEATMAP_HEADER || memcmp(b, WL_HEATMAP_MAGIC, 8))
        fail(err, err_len, path, "not a wafersim heatmap (bad magic)");
    else if (get32(b + HM_VERSION) != WL_HEATMAP_VERSION)
        fail(err, err_len, path, "unsupported heatmap version (this build reads version 1)");
    else if (get64(b + HM_FILE_SIZE) != n)
        snprintf(err, err_len, "%s: truncated or padded: the header says %llu bytes, the file has %zu", path,
                 (unsigned long long)get64(b + HM_FILE_SIZE), n);
    else if (wl_fnv1a64_update(wl_fnv1a64_update(WL_FNV1A64_INIT, b, HM_SUM), b + WL_HEATMAP_HEADER,
                               n - WL_HEATMAP_HEADER) != get64(b + HM_SUM))
        fail(err, err_len, path, "checksum mismatch (corrupt file)");
    else {
        h = ws_xcalloc(1, sizeof *h);
        memcpy(h->info.model, b + HM_MODEL, WL_TRACE_MODEL_LEN);
        h->info.model[WL_TRACE_MODEL_LEN - 1] = '\0';
        h->info.oracle = get32(b + HM_FLAGS) & WL_HEATMAP_ORACLE;
        h->info.n_moe = get32(b + HM_N_MOE);
        h->info.n_experts = get32(b + HM_EXPERTS);
        h->info.top_k = get32(b + HM_TOP_K);
        h->info.source_requests = get64(b + HM_SRC_REQUESTS);
        h->info.source_checksum = get64(b + HM_SRC_SUM);
        h->info.transitions = get64(b + HM_TRANSITIONS);
        h->info.nnz = get64(b + HM_NNZ);
        if (!h->info.n_experts || h->info.n_experts > 65535 || !h->info.top_k ||
            h->info.top_k > h->info.n_experts || h->info.n_moe > 65535)
            fail(err, err_len, path, "implausible shape in the header");
        else {
            h->layer = ws_xcalloc(h->info.n_moe ? h->info.n_moe : 1, sizeof *h->layer);
            rc = parse_layers(h, b, n, path, err, err_len);
        }
        if (rc) {
            if (!h->layer)
                h->info.n_moe = 0;
            wl_heatmap_free(h);
            h = NULL;
        }
    }
    free(b);
    return h;
}

/* ------------------------------------------------------------ queries */

const wl_heatmap_info *wl_heatmap_get_info(const wl_heatmap *h)
{
    return &h->info;
}

uint32_t wl_heatmap_row(const wl_heatmap *h, uint32_t m, uint32_t i, const uint16_t **cols,
                        const uint32_t **counts)
{
    const hm_layer *L = &h->layer[m];
    *cols = L->col + L->row_ptr[i];
    *counts = L->count + L->row_ptr[i];
    return L->row_ptr[i + 1] - L->row_ptr[i];
}

uint64_t wl_heatmap_row_total(const wl_heatmap *h, uint32_t m, uint32_t i)
{
    return h->layer[m].row_total[i];
}

uint32_t wl_heatmap_count(const wl_heatmap *h, uint32_t m, uint32_t i, uint32_t j)
{
    const uint16_t *c;
    const uint32_t *n;
    uint32_t len = wl_heatmap_row(h, m, i, &c, &n), lo = 0, hi = len;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (c[mid] < j)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < len && c[lo] == j ? n[lo] : 0;
}

double wl_heatmap_prob(const wl_heatmap *h, uint32_t m, uint32_t i, uint32_t j)
{
    uint64_t tot = wl_heatmap_row_total(h, m, i);
    return tot ? (double)wl_heatmap_count(h, m, i, j) / (double)tot : 0.0;
}

int wl_heatmap_check_eval(const wl_heatmap *h, const wl_trace_info *eval, char *err, size_t err_len)
{
    if (strncmp(h->info.model, eval->shape.model, WL_TRACE_MODEL_LEN) || h->info.n_moe != eval->shape.n_moe ||
        h->info.n_experts != eval->shape.n_experts || h->info.top_k != eval->shape.top_k) {
        snprintf(err, err_len, "the heatmap is for %s (%u MoE layers, %u experts, top-%u), the trace for %s",
                 h->info.model, h->info.n_moe, h->info.n_experts, h->info.top_k, eval->shape.model);
        return -1;
    }
    if (!h->info.oracle && h->info.source_checksum == eval->payload_checksum) {
        snprintf(err, err_len, "the heatmap was built from the evaluated trace itself (leakage); build it from "
                 "other requests, or rebuild it with --oracle to evaluate an oracle predictor on purpose");
        return -1;
    }
    return 0;
}

void wl_heatmap_provenance(const wl_heatmap *h, const char *path, char *buf, size_t len)
{
    if (h->info.oracle)
        snprintf(buf, len, "heatmap %s: ORACLE (built from the evaluated requests, %llu requests)", path,
                 (unsigned long long)h->info.source_requests);
    else
        snprintf(buf, len, "heatmap %s: profile from %llu requests of trace %016llx (not the evaluated ones)",
                 path, (unsigned long long)h->info.source_requests,
                 (unsigned long long)h->info.source_checksum);
}
