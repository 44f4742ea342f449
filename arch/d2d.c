/* arch/d2d.c — D2D controllers and the tiles' memory side; contract in
 * arch/d2d.h.
 *
 * Everything the controllers do is an event in one calendar ordered by
 * (tick, class, tile, sequence): reads handed in by owners, messages
 * delivered by the network, chunks becoming ready. Chunks waiting for HBM
 * sit in a per-tile FIFO that is retried every tick while the HBM pushes
 * back. Network cookies carry (kind, transfer, chunk) packed in 64 bits. */
#include "arch/d2d.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/heap.h"
#include "core/xalloc.h"

static_assert(sizeof(void *) >= 8, "network cookies pack 64 bits into a pointer");

typedef enum ev_kind {
    EV_START,          /* an owner's read, handled one tick after it was made */
    EV_REQ_ARRIVED,    /* the request message reached the holder */
    EV_DATA_ARRIVED,   /* a data message reached the requester */
    EV_READY           /* a chunk is out of the serving tile's memory */
} ev_kind;

typedef struct event {
    ws_tick at;
    uint32_t kind, tile;       /* tile orders events of one tick across owners */
    uint64_t seq;
    uint32_t transfer, chunk;
} event;

static bool ev_before(const event *a, const event *b)
{
    if (a->at != b->at)
        return a->at < b->at;
    if (a->kind != b->kind)
        return a->kind < b->kind;
    if (a->tile != b->tile)
        return a->tile < b->tile;
    return a->seq < b->seq;
}

WS_HEAP_DEFINE(event_heap, event, ev_before)

typedef struct transfer {
    arch_d2d_read_req req;
    int server;                /* tile whose memory serves the data */
    uint64_t serve_addr;
    bool remote;               /* data crosses the network */
    bool write;                /* a posted write into the requester's HBM (arch_d2d_write) */
    bool send;                 /* a plain message holder -> requester (arch_d2d_send) */
    uint32_t n_chunks, delivered;
    int32_t next_free;
    bool live;                 /* not on the free list (for stall reports) */
} transfer_rec;

typedef struct waiting_chunk {
    uint32_t transfer, chunk;
} waiting_chunk;

typedef struct tile_side {
    mem_hbm *hbm;
    mem_llc *llc;
    ws_tick retry_at;          /* when the HBM can take the head chunk */
    waiting_chunk *fifo;       /* chunks waiting for HBM, in order */
    size_t head, count, cap;
} tile_side;

struct arch_d2d {
    ws_engine *engine;
    size_t id;
    noc_network *net;
    int kx, ky, tiles;
    uint64_t drop_nth, delivered;   /* TEST ONLY: sim.test_drop_message */
    tile_side *tile;
    uint64_t chunk_bytes, request_bytes;
    ws_tick llc_hit, llc_miss;
    int allocation;            /* ws_llc_allocation */
    arch_d2d_data_fn fn;
    void *owner;
    arch_d2d_hooks hooks;
    event_heap cal;            /* the controllers' calendar */
    uint64_t seq;
    transfer_rec *transfers;
    size_t n_transfers, cap_transfers;
    int32_t free_transfer;
    uint64_t live_transfers, waiting_chunks;
    arch_d2d_stats stats;
};

/* ------------------------------------------------------------ calendar */


static void ev_push(arch_d2d *d, ws_tick at, ev_kind kind, uint32_t tile, uint32_t transfer, uint32_t chunk)
{
    event_heap_push(&d->cal, (event){ at, kind, tile, d->seq++, transfer, chunk });
}

/* ------------------------------------------------------------ helpers */

int arch_d2d_distance(const arch_d2d *d, int a, int b)
{
    int dx = a % d->kx - b % d->kx, dy = a / d->kx - b / d->kx;
    return (dx < 0 ? -dx : dx) + (dy < 0 ? -dy : dy);
}

static uint64_t chunk_len(const arch_d2d *d, const transfer_rec *t, uint32_t chunk)
{
    uint64_t off = (uint64_t)chunk * d->chunk_bytes;
    uint64_t left = t->req.bytes - off;
    return left < d->chunk_bytes ? left : d->chunk_bytes;
}

static void *pack_cookie(bool data, uint32_t transfer, uint32_t chunk)
{
    return (void *)(uintptr_t)(((uint64_t)data << 63) | ((uint64_t)transfer << 32) | chunk);
}

static void unpack_cookie(void *cookie, bool *data, uint32_t *transfer, uint32_t *chunk)
{
    uint64_t v = (uint64_t)(uintptr_t)cookie;
    *data = v >> 63;
    *transfer = (uint32_t)((v >> 32) & 0x7fffffffu);
    *chunk = (uint32_t)v;
}

static uint32_t transfer_new(arch_d2d *d, const arch_d2d_read_req *req)
{
    uint32_t i;
    if (d->free_transfer >= 0) {
        i = (uint32_t)d->free_transfer;
        d->free_transfer = d->transfers[i].next_free;
    } else {
        if (d->n_transfers == d->cap_transfers) {
            d->cap_transfers = d->cap_transfers ? 2 * d->cap_transfers : 64;
            d->transfers = ws_xrealloc(d->transfers, d->cap_transfers * sizeof *d->transfers);
        }
        i = (uint32_t)d->n_transfers++;
    }
    transfer_rec *t = &d->transfers[i];
    t->req = *req;
    t->n_chunks = (uint32_t)((req->bytes + d->chunk_bytes - 1) / d->chunk_bytes);
    if (t->n_chunks == 0)
        t->n_chunks = 1;
    t->delivered = 0;
    t->write = false;
    t->send = false;
    t->next_free = -1;
    t->live = true;
    d->live_transfers++;
    return i;
}

static void transfer_release(arch_d2d *d, uint32_t i)
{
    d->transfers[i].next_free = d->free_transfer;
    d->transfers[i].live = false;
    d->free_transfer = (int32_t)i;
    d->live_transfers--;
}

static void fifo_push(tile_side *s, uint32_t transfer, uint32_t chunk)
{
    if (s->count == s->cap) {
        size_t ncap = s->cap ? 2 * s->cap : 64;
        waiting_chunk *n = ws_xmalloc(ncap * sizeof *n);
        for (size_t i = 0; i < s->count; i++)
            n[i] = s->fifo[(s->head + i) % s->cap];
        free(s->fifo);
        s->fifo = n;
        s->cap = ncap;
        s->head = 0;
    }
    s->fifo[(s->head + s->count++) % s->cap] = (waiting_chunk){ transfer, chunk };
}

/* ------------------------------------------------------------ serving */

/* Looks a chunk up in the serving tile's LLC: a chunk whose lines all hit
 * is ready after the hit latency; any other waits for HBM. */
static void serve_chunk(arch_d2d *d, ws_tick now, uint32_t ti, uint32_t chunk)
{
    transfer_rec *t = &d->transfers[ti];
    tile_side *s = &d->tile[t->server];
    uint64_t bytes = chunk_len(d, t, chunk);
    uint64_t addr = t->serve_addr + (uint64_t)chunk * d->chunk_bytes;
    bool allocate = d->allocation == WS_LLC_FILL_ALL_SERVED || t->server == t->req.requester;
    uint64_t hits = mem_llc_access(s->llc, addr, bytes, allocate);
    if (hits == mem_llc_lines(s->llc, addr, bytes)) {
        d->stats.llc_hit_chunks++;
        ev_push(d, now + d->llc_hit, EV_READY, (uint32_t)t->server, ti, chunk);
        return;
    }
    d->stats.llc_miss_chunks++;
    fifo_push(s, ti, chunk);
    d->waiting_chunks++;
}

/* Issues the waiting chunks of one tile to its HBM while it accepts; when
 * it pushes back, remembers the tick the head chunk will fit. */
static void drain_fifo(arch_d2d *d, ws_tick now, int tile)
{
    tile_side *s = &d->tile[tile];
    while (s->count) {
        waiting_chunk w = s->fifo[s->head];
        transfer_rec *t = &d->transfers[w.transfer];
        uint64_t bytes = chunk_len(d, t, w.chunk);
        uint64_t addr = t->serve_addr + (uint64_t)w.chunk * d->chunk_bytes;
        ws_tick fits = mem_hbm_accept_tick(s->hbm, now, addr, bytes);
        if (fits > now) {
            s->retry_at = fits;
            return;
        }
        bool own = t->server == t->req.requester;
        mem_hbm_kind kind = t->write ? MEM_HBM_WRITE_LOCAL : own ? MEM_HBM_READ_LOCAL : MEM_HBM_READ_REMOTE;
        ws_tick done = mem_hbm_issue(s->hbm, now, addr, bytes, kind);
        ev_push(d, done + d->llc_miss, EV_READY, (uint32_t)tile, w.transfer, w.chunk);
        s->head = (s->head + 1) % s->cap;
        s->count--;
        d->waiting_chunks--;
        ws_engine_progress(d->engine);
    }
}

static void serve_all(arch_d2d *d, ws_tick now, uint32_t ti)
{
    transfer_rec *t = &d->transfers[ti];
    for (uint32_t c = 0; c < t->n_chunks; c++)
        serve_chunk(d, now, ti, c);
    drain_fifo(d, now, t->server);
}

static void deliver(arch_d2d *d, ws_tick now, uint32_t ti, uint32_t chunk)
{
    transfer_rec *t = &d->transfers[ti];
    uint64_t bytes = chunk_len(d, t, chunk);
    if (t->remote && !t->send && d->hooks.observe)
        d->hooks.observe(d->hooks.ctx, now, t->req.requester, t->req.holder, t->req.object, bytes);
    bool last = ++t->delivered == t->n_chunks;
    void *cookie = t->req.cookie;
    if (last)
        transfer_release(d, ti);
    ws_engine_progress(d->engine);
    d->fn(d->owner, now, cookie, bytes, last);
}

/* A posted write: every chunk queues for the tile's HBM (no LLC lookup);
 * it is done when the last chunk is written. */
static void start_write(arch_d2d *d, ws_tick now, uint32_t ti)
{
    transfer_rec *t = &d->transfers[ti];
    t->remote = false;
    t->server = t->req.requester;
    t->serve_addr = t->req.addr;
    d->stats.writes++;
    d->stats.bytes_written += t->req.bytes;
    for (uint32_t c = 0; c < t->n_chunks; c++) {
        fifo_push(&d->tile[t->server], ti, c);
        d->waiting_chunks++;
    }
    drain_fifo(d, now, t->server);
}

/* A plain message: every chunk leaves at once (no memory involved). */
static void start_send(arch_d2d *d, ws_tick now, uint32_t ti)
{
    transfer_rec *t = &d->transfers[ti];
    int src = t->req.holder, dst = t->req.requester;
    t->remote = src != dst;
    d->stats.sends++;
    d->stats.send_bytes += t->req.bytes;
    int hops = arch_d2d_distance(d, src, dst);
    for (uint32_t c = 0, n = t->n_chunks; c < n; c++) {
        if (!t->remote) {
            deliver(d, now, ti, c);   /* may release the transfer on the last chunk */
            continue;
        }
        uint64_t bytes = chunk_len(d, t, c);
        d->stats.send_messages++;
        d->stats.send_hops += (uint64_t)hops;
        d->stats.send_byte_hops += (double)bytes * hops;
        noc_network_send(d->net, now, src, dst, bytes, pack_cookie(true, ti, c));
    }
}

static void start(arch_d2d *d, ws_tick now, uint32_t ti)
{
    transfer_rec *t = &d->transfers[ti];
    uint64_t local_addr;
    if (t->write) {
        start_write(d, now, ti);
        return;
    }
    if (t->send) {
        start_send(d, now, ti);
        return;
    }
    t->remote = t->req.holder != t->req.requester;
    t->server = t->req.holder;
    t->serve_addr = t->req.addr;
    if (t->remote && d->hooks.translate &&
        d->hooks.translate(d->hooks.ctx, t->req.requester, t->req.object, &local_addr)) {
        t->remote = false;
        t->server = t->req.requester;
        t->serve_addr = local_addr;
        d->stats.reads_translated++;
    }
    if (!t->remote) {
        d->stats.reads_local++;
        d->stats.bytes_local += t->req.bytes;
        serve_all(d, now, ti);
        return;
    }
    d->stats.reads_remote++;
    d->stats.bytes_remote += t->req.bytes;
    d->stats.request_messages++;
    d->stats.request_hops += (uint64_t)arch_d2d_distance(d, t->req.requester, t->req.holder);
    noc_network_send(d->net, now, t->req.requester, t->req.holder, d->request_bytes, pack_cookie(false, ti, 0));
}

static void ready(arch_d2d *d, ws_tick now, uint32_t ti, uint32_t chunk)
{
    transfer_rec *t = &d->transfers[ti];
    if (t->write) {
        if (++t->delivered == t->n_chunks)
            transfer_release(d, ti);
        ws_engine_progress(d->engine);
        return;
    }
    if (!t->remote) {
        deliver(d, now, ti, chunk);
        return;
    }
    uint64_t bytes = chunk_len(d, t, chunk);
    int hops = arch_d2d_distance(d, t->req.holder, t->req.requester);
    d->stats.data_messages++;
    d->stats.data_hops += (uint64_t)hops;
    d->stats.data_byte_hops += (double)bytes * hops;
    noc_network_send(d->net, now, t->req.holder, t->req.requester, bytes, pack_cookie(true, ti, chunk));
}

/* ------------------------------------------------------------ component */

static void d2d_evaluate(void *self, ws_tick now)
{
    arch_d2d *d = self;
    while (d->cal.n && d->cal.items[0].at <= now) {
        event e = event_heap_pop(&d->cal);
        switch ((ev_kind)e.kind) {
        case EV_START: start(d, now, e.transfer); break;
        case EV_REQ_ARRIVED: serve_all(d, now, e.transfer); break;
        case EV_DATA_ARRIVED: deliver(d, now, e.transfer, e.chunk); break;
        case EV_READY: ready(d, now, e.transfer, e.chunk); break;
        }
    }
    if (d->waiting_chunks)
        for (int tile = 0; tile < d->tiles; tile++)
            if (d->tile[tile].count && d->tile[tile].retry_at <= now)
                drain_fifo(d, now, tile);
}

static ws_tick d2d_next_due(const void *self, ws_tick now)
{
    const arch_d2d *d = self;
    ws_tick next = d->cal.n ? d->cal.items[0].at : WS_TICK_NEVER;
    if (d->waiting_chunks)   /* retry the HBM queues when they can take the head chunk */
        for (int tile = 0; tile < d->tiles; tile++)
            if (d->tile[tile].count) {
                ws_tick r = d->tile[tile].retry_at > now ? d->tile[tile].retry_at : now + 1;
                if (r < next)
                    next = r;
            }
    return next;
}

static bool d2d_busy(const void *self)
{
    return ((const arch_d2d *)self)->live_transfers > 0;
}

static void d2d_describe(const void *self, FILE *out)
{
    const arch_d2d *d = self;
    fprintf(out, "%llu reads in flight, %llu chunks waiting for HBM, %zu events scheduled",
            (unsigned long long)d->live_transfers, (unsigned long long)d->waiting_chunks, d->cal.n);
    size_t shown = 0;
    for (size_t i = 0; i < d->n_transfers && shown < 4; i++) {
        const transfer_rec *t = &d->transfers[i];
        if (!t->live)
            continue;
        fprintf(out, "%s tile %d waits for object %llu (%llu B) from tile %d%s: %u of %u chunks delivered",
                shown ? ";" : ":", t->req.requester, (unsigned long long)t->req.object,
                (unsigned long long)t->req.bytes, t->server, t->remote ? " over the network" : "",
                t->delivered, t->n_chunks);
        shown++;
    }
    if (d->live_transfers > shown)
        fprintf(out, "; ...");
}

static const ws_component_ops d2d_ops = {
    .evaluate = d2d_evaluate, .next_due = d2d_next_due, .busy = d2d_busy, .describe_stall = d2d_describe,
};

/* Network deliveries become events one tick later (controller latency). */
static void on_network_delivery(void *owner, ws_tick at, int src, int dst, uint64_t bytes, void *cookie)
{
    arch_d2d *d = owner;
    if (d->drop_nth && ++d->delivered == d->drop_nth)
        return;   /* TEST ONLY: this message is lost; its read never completes */
    bool data;
    uint32_t ti, chunk;
    unpack_cookie(cookie, &data, &ti, &chunk);
    ev_push(d, at + 1, data ? EV_DATA_ARRIVED : EV_REQ_ARRIVED, (uint32_t)dst, ti, chunk);
    ws_engine_wake(d->engine, d->id, at + 1);
}

/* ------------------------------------------------------------ public */

uint64_t arch_d2d_llc_block_bytes(const ws_config *cfg)
{
    uint64_t line = (uint64_t)cfg->hw.tile.llc.line_bytes, chunk = (uint64_t)cfg->hw.read_chunk_bytes;
    uint64_t block = 1;
    while (block * 2 <= chunk)
        block *= 2;
    return block > line ? block : line;
}

arch_d2d *arch_d2d_new(ws_engine *e, noc_network *net, const ws_config *cfg, arch_d2d_data_fn fn, void *owner)
{
    arch_d2d *d = ws_xcalloc(1, sizeof *d);
    d->engine = e;
    d->net = net;
    d->kx = (int)cfg->hw.grid.x;
    d->ky = (int)cfg->hw.grid.y;
    d->tiles = d->kx * d->ky;
    d->fn = fn;
    d->owner = owner;
    d->free_transfer = -1;
    d->chunk_bytes = (uint64_t)cfg->hw.read_chunk_bytes;
    d->request_bytes = (uint64_t)cfg->hw.remote_request_bytes;
    d->drop_nth = (uint64_t)cfg->sim.test_drop_message;
    const ws_llc_config *l = &cfg->hw.tile.llc;
    d->llc_hit = ws_config_ticks(cfg, l->hit_latency_s);
    d->llc_miss = ws_config_ticks(cfg, l->miss_penalty_s);
    d->allocation = l->allocation;
    mem_hbm_params hp;
    mem_hbm_params_from_config(cfg, &hp);
    d->tile = ws_xcalloc((size_t)d->tiles, sizeof *d->tile);
    uint64_t block = arch_d2d_llc_block_bytes(cfg);
    uint64_t ways = (uint64_t)l->associativity, size = (uint64_t)l->size_bytes;
    while (ways > 1 && size % (ways * block))
        ways /= 2;
    if (size % (ways * block))
        size -= size % (ways * block);   /* whole blocks only */
    for (int i = 0; i < d->tiles; i++) {
        d->tile[i].hbm = mem_hbm_new(&hp);
        d->tile[i].llc = mem_llc_new(size, (unsigned)ways, block);
    }
    d->id = ws_engine_add(e, "d2d", d, &d2d_ops);
    noc_network_on_delivery(net, on_network_delivery, d);
    return d;
}

void arch_d2d_free(arch_d2d *d)
{
    if (!d)
        return;
    for (int i = 0; i < d->tiles; i++) {
        mem_hbm_free(d->tile[i].hbm);
        mem_llc_free(d->tile[i].llc);
        free(d->tile[i].fifo);
    }
    free(d->tile);
    event_heap_free(&d->cal);
    free(d->transfers);
    free(d);
}

void arch_d2d_set_hooks(arch_d2d *d, const arch_d2d_hooks *hooks)
{
    d->hooks = *hooks;
}

void arch_d2d_read(arch_d2d *d, ws_tick now, const arch_d2d_read_req *req)
{
    uint32_t ti = transfer_new(d, req);
    ev_push(d, now + 1, EV_START, (uint32_t)req->requester, ti, 0);
    ws_engine_wake(d->engine, d->id, now + 1);
}

void arch_d2d_write(arch_d2d *d, ws_tick now, int tile, uint64_t addr, uint64_t bytes)
{
    arch_d2d_read_req req = { .requester = tile, .holder = tile, .addr = addr, .bytes = bytes };
    uint32_t ti = transfer_new(d, &req);
    d->transfers[ti].write = true;
    ev_push(d, now + 1, EV_START, (uint32_t)tile, ti, 0);
    ws_engine_wake(d->engine, d->id, now + 1);
}

void arch_d2d_send(arch_d2d *d, ws_tick now, int src, int dst, uint64_t bytes, void *cookie)
{
    arch_d2d_read_req req = { .requester = dst, .holder = src, .bytes = bytes, .cookie = cookie };
    uint32_t ti = transfer_new(d, &req);
    d->transfers[ti].send = true;
    ev_push(d, now + 1, EV_START, (uint32_t)src, ti, 0);
    ws_engine_wake(d->engine, d->id, now + 1);
}

const arch_d2d_stats *arch_d2d_stats_get(const arch_d2d *d) { return &d->stats; }
mem_hbm *arch_d2d_hbm(const arch_d2d *d, int tile) { return d->tile[tile].hbm; }
mem_llc *arch_d2d_llc(const arch_d2d *d, int tile) { return d->tile[tile].llc; }
int arch_d2d_tiles(const arch_d2d *d) { return d->tiles; }
