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
    ws_tick fits_at;        /* that request was found to fit at this tick, nothing issued since
                               (WS_TICK_NEVER: not known) */
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

static void retire(hbm_channel *ch, unsigned depth, ws_tick now)
{
    while (ch->count && ch->done[ch->head] <= now) {
        ch->head = ch->head + 1 == depth ? 0 : ch->head + 1;
        ch->count--;
    }
}

/* After split(): retires what has been served and says whether every
 * channel the request touches has a free queue slot. */
static bool shares_fit(mem_hbm *h, ws_tick now)
{
    for (unsigned c = 0; c < h->p.channels; c++) {
        if (!h->share[c])
            continue;
        retire(&h->ch[c], h->p.queue_depth, now);
        if (h->ch[c].count >= h->p.queue_depth)
            return false;
    }
    return true;
}

bool mem_hbm_can_accept(mem_hbm *h, ws_tick now, uint64_t addr, uint64_t bytes)
{
    split(h, addr, bytes);
    bool fits = shares_fit(h, now);
    if (fits)
        h->fits_at = now;
    return fits;
}

ws_tick mem_hbm_accept_tick(mem_hbm *h, ws_tick now, uint64_t addr, uint64_t bytes)
{
    split(h, addr, bytes);
    ws_tick at = now;
    for (unsigned c = 0; c < h->p.channels; c++) {
        if (!h->share[c])
            continue;
        hbm_channel *ch = &h->ch[c];
        retire(ch, h->p.queue_depth, now);
        if (ch->count >= h->p.queue_depth && ch->done[ch->head] > at)
            at = ch->done[ch->head];   /* the oldest request leaves then */
    }
    if (at == now)
        h->fits_at = now;
    return at;
}

ws_tick mem_hbm_issue(mem_hbm *h, ws_tick now, uint64_t addr, uint64_t bytes, mem_hbm_kind kind)
{
    split(h, addr, bytes);
    /* asked and found fitting at this very tick: the queues are as they were */
    if (h->fits_at != now && !shares_fit(h, now)) {
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
        ch->count++;
    }
    h->fits_at = WS_TICK_NEVER;
    ws_tick done = last + h->p.latency;
    h->stats.bytes[kind] += bytes;
    h->stats.requests[kind]++;
    return done;
}

const mem_hbm_stats *mem_hbm_stats_get(const mem_hbm *h) { return &h->stats; }
double mem_hbm_channel_busy_ticks(const mem_hbm *h, unsigned channel) { return h->ch[channel].busy_ticks; }
unsigned mem_hbm_channels(const mem_hbm *h) { return h->p.channels; }
