/* mem/hbm.c — per-channel FIFO reservation model of an HBM stack; contract
 * in mem/hbm.h. Each channel remembers when it becomes free and the
 * completion ticks of its outstanding requests (a ring of queue_depth). */
#include "mem/hbm.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/config.h"
#include "core/xalloc.h"

typedef struct hbm_channel {
    double free_at;         /* fractional ticks: no rounding loss when streaming */
    double busy_ticks;
    ws_tick *done;          /* ring of completion ticks, queue_depth long */
    unsigned head, count;
} hbm_channel;

struct mem_hbm {
    mem_hbm_params p;
    double channel_bytes_per_tick;
    hbm_channel *ch;
    uint64_t *share;        /* bytes per channel of the last request split */
    uint64_t share_addr, share_bytes;   /* that request (share_bytes 0: none yet) */
    ws_tick fits_at;        /* that request fits at every tick from this one on, as long as
                               nothing is issued (queues only drain meanwhile; WS_TICK_NEVER:
                               not known) */
    unsigned n_full;        /* channels whose ring holds queue_depth entries, served or not: while
                               it is 0 every request fits, and the fit checks skip their loop */
    /* While every request issued so far touched every channel ("wide": a
     * 1 MiB chunk over 80 channels of 256 B granules), channel c holds the
     * shares of the last requests in issue order, served in that order; it
     * is full at `now` iff the share of the queue_depth-th last request is
     * served after now. So a wide request fits from the max over channels
     * of that request's served ticks on: one number per request instead of
     * a pass over the channels. */
    bool share_wide;        /* the request in share touches every channel */
    bool all_wide;          /* every request issued so far was wide */
    ws_tick *req_last;      /* ring: the latest served tick of each of the last queue_depth requests */
    uint64_t n_issued;
    mem_hbm_stats stats;
};

const char *mem_hbm_check(const mem_hbm_params *p)
{
    if (!(p->bytes_per_tick > 0))
        return "the HBM bandwidth must be positive";
    if (p->channels == 0)
        return "an HBM stack needs at least one channel";
    if (p->interleave == 0)
        return "the interleave granularity must be at least 1 byte";
    if (p->queue_depth == 0)
        return "the HBM queue depth must be at least 1 request";
    return NULL;
}

void mem_hbm_params_from_config(const ws_config *cfg, mem_hbm_params *out)
{
    const ws_hbm_config *h = &cfg->hw.tile.hbm;
    out->bytes_per_tick = ws_config_bytes_per_tick(cfg, h->bandwidth_bytes_per_s);
    out->latency = ws_config_ticks(cfg, h->latency_s);
    out->channels = (unsigned)h->channels;
    out->interleave = (uint64_t)h->interleave_bytes;
    out->queue_depth = (unsigned)h->queue_depth;
}

mem_hbm *mem_hbm_new(const mem_hbm_params *p)
{
    if (mem_hbm_check(p))
        return NULL;
    mem_hbm *h = ws_xcalloc(1, sizeof *h);
    h->p = *p;
    h->channel_bytes_per_tick = p->bytes_per_tick / p->channels;
    h->ch = ws_xcalloc(p->channels, sizeof *h->ch);
    for (unsigned c = 0; c < p->channels; c++)
        h->ch[c].done = ws_xcalloc(p->queue_depth, sizeof(ws_tick));
    h->share = ws_xcalloc(p->channels, sizeof *h->share);
    h->fits_at = WS_TICK_NEVER;
    h->all_wide = true;
    h->req_last = ws_xcalloc(p->queue_depth, sizeof *h->req_last);
    return h;
}

void mem_hbm_free(mem_hbm *h)
{
    if (!h)
        return;
    for (unsigned c = 0; c < h->p.channels; c++)
        free(h->ch[c].done);
    free(h->ch);
    free(h->share);
    free(h->req_last);
    free(h);
}

/* Bytes of [addr, addr + bytes) on each channel, into h->share (kept: a
 * request is asked about, then issued, with the same range). */
static void split(mem_hbm *h, uint64_t addr, uint64_t bytes)
{
    if (bytes && bytes == h->share_bytes && addr == h->share_addr)
        return;
    h->share_addr = addr;
    h->share_bytes = bytes;
    h->fits_at = WS_TICK_NEVER;
    unsigned n = h->p.channels;
    uint64_t g = h->p.interleave;
    /* n consecutive granules cover every channel */
    h->share_wide = bytes && (addr + bytes - 1) / g - addr / g + 1 >= n;
    for (unsigned c = 0; c < n; c++)
        h->share[c] = 0;
    uint64_t end = addr + bytes;
    /* partial first granule */
    uint64_t first = addr / g;
    uint64_t first_end = (first + 1) * g;
    if (first_end > end)
        first_end = end;
    h->share[first % n] += first_end - addr;
    uint64_t pos = first_end;
    if (pos >= end)
        return;
    /* whole rounds of n granules give every channel the same amount */
    uint64_t whole = (end - pos) / g;
    uint64_t rounds = whole / n;
    for (unsigned c = 0; c < n; c++)
        h->share[c] += rounds * g;
    pos += rounds * n * g;
    for (uint64_t gi = pos / g; pos < end; gi++) {
        uint64_t next = (gi + 1) * g < end ? (gi + 1) * g : end;
        h->share[gi % n] += next - pos;
        pos = next;
    }
}

/* The tick by which service ending at fractional time t is complete (a
 * tolerance absorbs the rounding of sums of fractions). */
static ws_tick served_tick(double t)
{
    return (ws_tick)ceil(t - 1e-6);
}

/* Retiring is lazy (at fit checks, and at issues to a full ring); the ring's
 * entries are served in order, so retiring later at a later tick removes
 * the same ones. */
static inline void retire(mem_hbm *h, hbm_channel *ch, ws_tick now)
{
    unsigned depth = h->p.queue_depth;
    if (ch->count == depth && ch->done[ch->head] <= now)
        h->n_full--;
    while (ch->count && ch->done[ch->head] <= now) {
        ch->head = ch->head + 1 == depth ? 0 : ch->head + 1;
        ch->count--;
    }
}

/* After split(), for a wide request while all requests were wide: the
 * first tick >= now at which it fits (see struct mem_hbm). */
static ws_tick wide_accept_tick(const mem_hbm *h, ws_tick now)
{
    if (h->n_issued < h->p.queue_depth)
        return now;
    ws_tick oldest = h->req_last[h->n_issued % h->p.queue_depth];
    return oldest > now ? oldest : now;
}

static bool wide_known(const mem_hbm *h) { return h->all_wide && h->share_wide; }

/* After split(): retires what has been served and says whether every
 * channel the request touches has a free queue slot. */
static bool shares_fit(mem_hbm *h, ws_tick now)
{
    if (!h->n_full)
        return true;
    if (wide_known(h))
        return wide_accept_tick(h, now) == now;
    for (unsigned c = 0; c < h->p.channels; c++) {
        if (!h->share[c])
            continue;
        retire(h, &h->ch[c], now);
        if (h->ch[c].count >= h->p.queue_depth)
            return false;
    }
    return true;
}

bool mem_hbm_can_accept(mem_hbm *h, ws_tick now, uint64_t addr, uint64_t bytes)
{
    split(h, addr, bytes);
    if (now >= h->fits_at)
        return true;
    bool fits = shares_fit(h, now);
    if (fits)
        h->fits_at = now;
    return fits;
}

ws_tick mem_hbm_accept_tick(mem_hbm *h, ws_tick now, uint64_t addr, uint64_t bytes)
{
    split(h, addr, bytes);
    if (now >= h->fits_at)
        return now;
    if (wide_known(h))
        return h->fits_at = wide_accept_tick(h, now);
    ws_tick at = now;
    for (unsigned c = 0; h->n_full && c < h->p.channels; c++) {
        if (!h->share[c])
            continue;
        hbm_channel *ch = &h->ch[c];
        retire(h, ch, now);
        if (ch->count >= h->p.queue_depth && ch->done[ch->head] > at)
            at = ch->done[ch->head];   /* the oldest request leaves then */
    }
    h->fits_at = at;   /* each full channel's oldest request has left by then */
    return at;
}

ws_tick mem_hbm_issue(mem_hbm *h, ws_tick now, uint64_t addr, uint64_t bytes, mem_hbm_kind kind)
{
    split(h, addr, bytes);
    /* found fitting from an earlier tick on, nothing issued since: it fits */
    if (now < h->fits_at && !shares_fit(h, now)) {
        fprintf(stderr, "wafersim: internal error: HBM request issued to a full queue\n");
        abort();
    }
    ws_tick last = now;
    /* a request holds its queue slot until its share has been served; the
     * access latency after that is pipelined and holds no slot. Per channel
     * these ticks never decrease (FIFO), so the ring retires in order. */
    for (unsigned c = 0; c < h->p.channels; c++) {
        if (!h->share[c])
            continue;
        hbm_channel *ch = &h->ch[c];
        if (ch->count == h->p.queue_depth)
            retire(h, ch, now);   /* frees the slot the fit check saw free */
        double start = ch->free_at > (double)now ? ch->free_at : (double)now;
        double busy = (double)h->share[c] / h->channel_bytes_per_tick;
        ch->free_at = start + busy;
        ch->busy_ticks += busy;
        h->stats.queue_delay_ticks += start - (double)now;
        ws_tick served = served_tick(ch->free_at);
        if (served > last)
            last = served;
        unsigned slot = ch->head + ch->count;
        if (slot >= h->p.queue_depth)
            slot -= h->p.queue_depth;
        ch->done[slot] = served;
        if (++ch->count == h->p.queue_depth)
            h->n_full++;
    }
    h->fits_at = WS_TICK_NEVER;
    h->req_last[h->n_issued % h->p.queue_depth] = last;
    h->n_issued++;
    h->all_wide = h->all_wide && h->share_wide;
    ws_tick done = last + h->p.latency;
    h->stats.bytes[kind] += bytes;
    h->stats.requests[kind]++;
    return done;
}

const mem_hbm_stats *mem_hbm_stats_get(const mem_hbm *h) { return &h->stats; }
double mem_hbm_channel_busy_ticks(const mem_hbm *h, unsigned channel) { return h->ch[channel].busy_ticks; }
unsigned mem_hbm_channels(const mem_hbm *h) { return h->p.channels; }
