/* workload/trace_json.c — streaming, validating reader of one per-request
 * JSON trace file (yajl event parser); contract in workload/trace_json.h. */
#define _POSIX_C_SOURCE 200809L
#include "workload/trace_json.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <yajl/yajl_parse.h>

#include "core/xalloc.h"
#include "workload/trace_format.h"

#define CHUNK (256 * 1024)

struct wl_json_parser {
    const wl_model *m;
    uint32_t n_layers, n_moe, k, n_experts;
    unsigned char *buf;             /* CHUNK bytes */
    yajl_handle h;
    uint64_t base;                  /* file offset of buf[0] */
    /* per-file state */
    int depth;
    uint64_t n_elems;               /* elements started; current is n_elems-1 */
    int32_t layer, moe;             /* current layer key and its MoE index (-1 dense) */
    unsigned char *seen;            /* [n_layers] for the current element */
    uint32_t tok;                   /* tokens in the current layer list */
    uint32_t nid;                   /* ids in the current token */
    bool flat;
    uint16_t cur[WL_MODEL_MAX_TOP_K];
    uint32_t prompt_len;            /* 0 until some MoE layer of the prefill ended */
    int32_t prompt_layer;           /* the layer that set it */
    uint16_t **pre;                 /* [n_moe] prefill ids per MoE layer */
    size_t *pre_cap;
    uint32_t *pre_tok;
    uint16_t *ids;                  /* token-major output */
    size_t ids_cap;
    /* error */
    bool failed;
    uint64_t err_offset;
    char message[512];
};

/* ------------------------------------------------------------ errors */

/* Records the first error, at the token that ends at the current position
 * and is tok_len bytes long; returns 0 so that yajl stops. */
static int fail(wl_json_parser *p, size_t tok_len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(wl_json_parser *p, size_t tok_len, const char *fmt, ...)
{
    if (p->failed)
        return 0;
    p->failed = true;
    uint64_t end = p->base + yajl_get_bytes_consumed(p->h);
    p->err_offset = end >= tok_len ? end - tok_len : 0;
    char ctx[160] = "";
    if (p->n_elems && p->depth >= 2) {
        uint64_t e = p->n_elems - 1;
        int n = e ? snprintf(ctx, sizeof ctx, "element %llu (decode step %llu)", (unsigned long long)e,
                             (unsigned long long)e)
                  : snprintf(ctx, sizeof ctx, "element 0 (prefill)");
        if (p->depth >= 3 && p->layer >= 0)
            n += snprintf(ctx + n, sizeof ctx - (size_t)n, ", layer \"%d\"", p->layer);
        if (p->depth >= 4 && e == 0)
            snprintf(ctx + n, sizeof ctx - (size_t)n, ", prompt token %u", p->tok);
    }
    int n = ctx[0] ? snprintf(p->message, sizeof p->message, "%s: ", ctx) : 0;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->message + n, sizeof p->message - (size_t)n, fmt, ap);
    va_end(ap);
    return 0;
}

/* What the current position expects, for "expected X, found Y". */
static const char *expected(const wl_json_parser *p)
{
    switch (p->depth) {
    case 0: return "a JSON array of iterations";
    case 1: return "an iteration object mapping layer numbers to expert lists";
    case 2: return p->moe >= 0 ? "a list of tokens (MoE layer)" : "null (dense layer)";
    case 3: return p->n_elems > 1 ? "the token's list of expert ids" : "a list of expert ids per prompt token";
    default: return "an expert id (integer)";
    }
}

/* ------------------------------------------------------------ storage */

static void grow(uint16_t **v, size_t *cap, size_t need)
{
    if (need <= *cap)
        return;
    size_t c = *cap ? *cap : 256;
    while (c < need)
        c *= 2;
    *v = ws_xrealloc(*v, c * sizeof **v);
    *cap = c;
}

/* The current token is complete (nid == k): store it. */
static void commit_token(wl_json_parser *p)
{
    uint64_t e = p->n_elems - 1;
    uint32_t m = (uint32_t)p->moe;
    if (e == 0) {
        size_t at = (size_t)p->pre_tok[m] * p->k;
        grow(&p->pre[m], &p->pre_cap[m], at + p->k);
        memcpy(p->pre[m] + at, p->cur, p->k * sizeof *p->cur);
        p->pre_tok[m]++;
    } else if (e <= WL_TRACE_MAX_DECODE) {
        size_t tok = (size_t)p->prompt_len + (size_t)(e - 1);
        memcpy(p->ids + (tok * p->n_moe + m) * p->k, p->cur, p->k * sizeof *p->cur);
    }
}

static int add_id(wl_json_parser *p, const char *s, size_t len)
{
    uint64_t v = 0;
    bool integral = len > 0;
    for (size_t i = 0; i < len && integral; i++) {
        if (s[i] < '0' || s[i] > '9')
            integral = false;
        else if (v < 1000000)
            v = v * 10 + (uint64_t)(s[i] - '0');
    }
    if (!integral) {
        bool negative = len > 1 && s[0] == '-' && !memchr(s, '.', len) && !memchr(s, 'e', len) &&
                        !memchr(s, 'E', len);
        if (negative)
            return fail(p, len, "expert id %.*s out of range 0..%u", (int)len, s, p->n_experts - 1);
        return fail(p, len, "expected an expert id (integer), found the number %.*s", (int)len, s);
    }
    if (v >= p->n_experts)
        return fail(p, len, "expert id %.*s out of range 0..%u (%s has %u routed experts)", (int)len, s,
                    p->n_experts - 1, p->m->name, p->n_experts);
    if (p->nid >= p->k)
        return fail(p, len, "more than %u expert ids for one token (%s routes top-%u)", p->k, p->m->name, p->k);
    for (uint32_t i = 0; i < p->nid; i++)
        if (p->cur[i] == v)
            return fail(p, len, "expert %llu chosen twice by one token", (unsigned long long)v);
    p->cur[p->nid++] = (uint16_t)v;
    return 1;
}

/* ------------------------------------------------------------ callbacks */

static int on_null(void *ctx)
{
    wl_json_parser *p = ctx;
    if (p->depth == 2) {
        if (p->moe >= 0)
            return fail(p, 4, "layer %d is a MoE layer of %s: expected a list of tokens, found null", p->layer,
                        p->m->name);
        return 1;
    }
    return fail(p, 4, "expected %s, found null", expected(p));
}

static int on_bool(void *ctx, int v)
{
    wl_json_parser *p = ctx;
    return fail(p, v ? 4 : 5, "expected %s, found %s", expected(p), v ? "true" : "false");
}

static int on_number(void *ctx, const char *s, size_t len)
{
    wl_json_parser *p = ctx;
    if (p->depth == 4)
        return add_id(p, s, len);
    if (p->depth == 3 && p->n_elems > 1 && p->tok == 0) {
        p->flat = true;    /* a decode layer written as a flat list of ids */
        return add_id(p, s, len);
    }
    if (p->depth == 3 && p->n_elems > 1)
        return fail(p, len, "expected a list of expert ids, found the number %.*s (a layer is either "
                    "[[ids]] or a flat [ids], not both)", (int)len, s);
    return fail(p, len, "expected %s, found the number %.*s", expected(p), (int)len, s);
}

static int on_string(void *ctx, const unsigned char *s, size_t len)
{
    wl_json_parser *p = ctx;
    return fail(p, len + 2, "expected %s, found the string \"%.*s\"", expected(p), (int)(len > 40 ? 40 : len),
                (const char *)s);
}

static int on_start_map(void *ctx)
{
    wl_json_parser *p = ctx;
    if (p->depth != 1)
        return fail(p, 1, "expected %s, found an object", expected(p));
    p->n_elems++;
    p->depth = 2;
    p->layer = -1;
    p->moe = -1;
    memset(p->seen, 0, p->n_layers);
    return 1;
}

static int on_key(void *ctx, const unsigned char *s, size_t len)
{
    wl_json_parser *p = ctx;
    p->layer = -1;
    p->moe = -1;
    uint32_t v = 0;
    bool ok = len > 0 && len <= 6 && !(len > 1 && s[0] == '0');
    for (size_t i = 0; i < len && ok; i++) {
        ok = s[i] >= '0' && s[i] <= '9';
        v = v * 10 + (uint32_t)(s[i] - '0');
    }
    if (!ok)
        return fail(p, len + 2, "expected a layer number \"0\"..\"%u\" as key, found \"%.*s\"", p->n_layers - 1,
                    (int)(len > 40 ? 40 : len), (const char *)s);
    if (v >= p->n_layers)
        return fail(p, len + 2, "layer %u does not exist: %s has layers 0..%u", v, p->m->name, p->n_layers - 1);
    if (p->seen[v])
        return fail(p, len + 2, "layer \"%u\" appears twice", v);
    p->seen[v] = 1;
    p->layer = (int32_t)v;
    p->moe = p->m->moe_index[v];
    return 1;
}

static int on_end_map(void *ctx)
{
    wl_json_parser *p = ctx;
    for (uint32_t l = 0; l < p->n_layers; l++)
        if (!p->seen[l])
            return fail(p, 1, "layer \"%u\" missing (%s has layers 0..%u, %s)", l, p->m->name, p->n_layers - 1,
                        p->m->moe_index[l] >= 0 ? "this one MoE" : "this one dense, written as null");
    if (p->n_elems == 1) {
        /* prefill done: every MoE layer had prompt_len tokens */
        size_t need = ((size_t)p->prompt_len + WL_TRACE_MAX_DECODE) * p->n_moe * p->k;
        grow(&p->ids, &p->ids_cap, need);
        for (uint32_t m = 0; m < p->n_moe; m++)
            for (uint32_t t = 0; t < p->prompt_len; t++)
                memcpy(p->ids + ((size_t)t * p->n_moe + m) * p->k, p->pre[m] + (size_t)t * p->k,
                       p->k * sizeof *p->ids);
    }
    p->depth = 1;
    return 1;
}

static int on_start_array(void *ctx)
{
    wl_json_parser *p = ctx;
    switch (p->depth) {
    case 0:
        p->depth = 1;
        return 1;
    case 2:
        if (p->moe < 0)
            return fail(p, 1, "layer %d is dense in %s: expected null, found a list", p->layer, p->m->name);
        p->tok = 0;
        p->nid = 0;
        p->flat = false;
        p->depth = 3;
        return 1;
    case 3:
        if (p->flat)
            return fail(p, 1, "expected an expert id, found a list (a layer is either [[ids]] or a flat [ids], "
                        "not both)");
        if (p->n_elems > 1 && p->tok >= 1)
            return fail(p, 1, "a decode step has exactly one token per layer, found a second one");
        p->nid = 0;
        p->depth = 4;
        return 1;
    default:
        return fail(p, 1, "expected %s, found a list", expected(p));
    }
}

static int on_end_array(void *ctx)
{
    wl_json_parser *p = ctx;
    switch (p->depth) {
    case 4:
        if (p->nid != p->k)
            return fail(p, 1, "expected %u expert id%s per token (%s routes top-%u), found %u", p->k,
                        p->k == 1 ? "" : "s", p->m->name, p->k, p->nid);
        commit_token(p);
        p->tok++;
        p->depth = 3;
        return 1;
    case 3:
        if (p->flat) {
            if (p->nid != p->k)
                return fail(p, 1, "expected %u expert id%s per token (%s routes top-%u), found %u", p->k,
                            p->k == 1 ? "" : "s", p->m->name, p->k, p->nid);
            commit_token(p);
            p->tok = 1;
        }
        if (p->n_elems == 1) {
            if (p->tok == 0)
                return fail(p, 1, "the prompt has no tokens (expected at least one)");
            if (!p->prompt_len) {
                p->prompt_len = p->tok;
                p->prompt_layer = p->layer;
            } else if (p->tok != p->prompt_len) {
                return fail(p, 1, "%u prompt tokens here but %u at layer \"%d\" (every MoE layer lists every "
                            "prompt token)", p->tok, p->prompt_len, p->prompt_layer);
            }
        } else if (p->tok != 1) {
            return fail(p, 1, "a decode step has exactly one token per layer, found none");
        }
        p->depth = 2;
        return 1;
    case 1:
        if (p->n_elems == 0)
            return fail(p, 1, "empty array: expected a prefill element and decode steps");
        p->depth = 0;
        return 1;
    default:
        return fail(p, 1, "unexpected end of list");
    }
}

static const yajl_callbacks callbacks = {
    .yajl_null = on_null,
    .yajl_boolean = on_bool,
    .yajl_number = on_number,
    .yajl_string = on_string,
    .yajl_start_map = on_start_map,
    .yajl_map_key = on_key,
    .yajl_end_map = on_end_map,
    .yajl_start_array = on_start_array,
    .yajl_end_array = on_end_array,
};

/* ------------------------------------------------------------ driver */

wl_json_parser *wl_json_parser_new(const wl_model *m)
{
    wl_json_parser *p = ws_xcalloc(1, sizeof *p);
    p->m = m;
    p->n_layers = (uint32_t)m->layers;
    p->n_moe = m->n_moe;
    p->k = (uint32_t)m->top_k;
    p->n_experts = (uint32_t)m->routed_experts;
    p->buf = ws_xmalloc(CHUNK);
    p->seen = ws_xcalloc(p->n_layers, 1);
    p->pre = ws_xcalloc(p->n_moe, sizeof *p->pre);
    p->pre_cap = ws_xcalloc(p->n_moe, sizeof *p->pre_cap);
    p->pre_tok = ws_xcalloc(p->n_moe, sizeof *p->pre_tok);
    return p;
}

void wl_json_parser_free(wl_json_parser *p)
{
    if (!p)
        return;
    for (uint32_t m = 0; m < p->n_moe; m++)
        free(p->pre[m]);
    free(p->pre);
    free(p->pre_cap);
    free(p->pre_tok);
    free(p->ids);
    free(p->seen);
    free(p->buf);
    free(p);
}

static void reset(wl_json_parser *p)
{
    p->depth = 0;
    p->n_elems = 0;
    p->layer = p->moe = -1;
    p->tok = p->nid = 0;
    p->flat = false;
    p->prompt_len = 0;
    p->prompt_layer = -1;
    memset(p->pre_tok, 0, p->n_moe * sizeof *p->pre_tok);
    p->failed = false;
    p->err_offset = 0;
    p->message[0] = '\0';
    p->base = 0;
}

/* Line and column (1-based, bytes) of a file offset: rescans the file,
 * which only happens for a bad file. */
static void locate(const char *path, uint64_t offset, wl_json_error *e)
{
    e->offset = offset;
    e->line = 1;
    e->column = 1;
    FILE *f = fopen(path, "rb");
    if (!f)
        return;
    uint64_t line_start = 0, pos = 0;
    int c;
    while (pos < offset && (c = getc(f)) != EOF) {
        pos++;
        if (c == '\n') {
            e->line++;
            line_start = pos;
        }
    }
    fclose(f);
    e->column = (unsigned)(offset - line_start) + 1;
}

static bool word_byte(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' || c == '+' ||
           c == '.' || c == '_';
}

/* Start of the token whose last byte is b[i] (within this chunk). */
static size_t token_start(const unsigned char *b, size_t i)
{
    if (word_byte(b[i])) {
        while (i > 0 && word_byte(b[i - 1]))
            i--;
    } else if (b[i] == '"' && i > 0) {
        size_t j = i - 1;
        while (j > 0 && b[j] != '"')
            j--;
        if (b[j] == '"')
            i = j;
    }
    return i;
}

static void copy_yajl_error(wl_json_parser *p, const unsigned char *text, size_t len)
{
    unsigned char *msg = yajl_get_error(p->h, 0, text, len);
    char clean[256];
    snprintf(clean, sizeof clean, "%s", (const char *)msg);
    yajl_free_error(p->h, msg);
    size_t n = strlen(clean);
    while (n && (clean[n - 1] == '\n' || clean[n - 1] == ' ' || clean[n - 1] == '.'))
        clean[--n] = '\0';
    const char *what = clean;
    if (!strncmp(what, "parse error: ", 13))
        what += 13;
    if (strstr(what, "premature EOF"))
        snprintf(p->message, sizeof p->message, "malformed JSON: the file ends early (truncated?)");
    else
        snprintf(p->message, sizeof p->message, "malformed JSON: %s", what);
    p->failed = true;
}

int wl_json_parse_file(wl_json_parser *p, const char *path, wl_json_request *out, wl_json_error *err)
{
    memset(err, 0, sizeof *err);
    reset(p);
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        snprintf(err->message, sizeof err->message, "cannot open: %s", strerror(errno));
        return -1;
    }
    p->h = yajl_alloc(&callbacks, NULL, p);
    int rc = 0;
    bool empty = true;
    for (;;) {
        ssize_t n = read(fd, p->buf, CHUNK);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            snprintf(err->message, sizeof err->message, "read error: %s", strerror(errno));
            rc = -2;
            break;
        }
        yajl_status st;
        if (n == 0) {
            if (empty) {
                snprintf(p->message, sizeof p->message, "empty file: expected a JSON array of iterations");
                p->failed = true;
                break;
            }
            st = yajl_complete_parse(p->h);
        } else {
            empty = false;
            st = yajl_parse(p->h, p->buf, (size_t)n);
        }
        if (st == yajl_status_error) {
            size_t at = n > 0 ? yajl_get_bytes_consumed(p->h) : 0;
            if (at > (size_t)n)
                at = (size_t)n;
            if (at > 0)
                at = token_start(p->buf, at - 1);   /* the token yajl stopped on */
            copy_yajl_error(p, p->buf, n > 0 ? (size_t)n : 0);
            p->err_offset = p->base + at;
            break;
        }
        if (st == yajl_status_client_canceled || p->failed)
            break;
        if (n == 0)
            break;
        p->base += (uint64_t)n;
    }
    yajl_free(p->h);
    p->h = NULL;
    close(fd);
    if (rc == -2)
        return -1;
    if (p->failed) {
        snprintf(err->message, sizeof err->message, "%s", p->message);
        if (!empty || p->err_offset)
            locate(path, p->err_offset, err);
        else
            err->line = err->column = 1;
        return -1;
    }
    out->prompt_len = p->prompt_len;
    out->source_decode_len = (uint32_t)(p->n_elems - 1);
    out->decode_len = out->source_decode_len < WL_TRACE_MAX_DECODE ? out->source_decode_len : WL_TRACE_MAX_DECODE;
    out->ids = p->ids;
    return 0;
}
