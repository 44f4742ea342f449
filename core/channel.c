/* core/channel.c — delayed SPSC ring buffers; contract in core/channel.h. */
#include "core/channel.h"
#include "core/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ws_channel {
    ws_engine *engine;
    size_t consumer;
    ws_tick latency;
    size_t item_size;
    unsigned char *items;   /* ring of cap items */
    ws_tick *arrival;       /* ring of cap arrival ticks */
    size_t cap, head, count;
};

ws_channel *ws_channel_new(ws_engine *e, size_t consumer_id, ws_tick latency, size_t item_size)
{
    if (latency < 1 || item_size == 0) {
        fprintf(stderr, "wafersim: internal error: channel latency must be >= 1 tick\n");
        abort();
    }
    ws_channel *ch = ws_xcalloc(1, sizeof *ch);
    ch->engine = e;
    ch->consumer = consumer_id;
    ch->latency = latency;
    ch->item_size = item_size;
    return ch;
}

void ws_channel_free(ws_channel *ch)
{
    if (!ch)
        return;
    free(ch->items);
    free(ch->arrival);
    free(ch);
}

static void grow(ws_channel *ch)
{
    size_t ncap = ch->cap ? 2 * ch->cap : 8;
    unsigned char *items = ws_xmalloc(ncap * ch->item_size);
    ws_tick *arrival = ws_xmalloc(ncap * sizeof *arrival);
    for (size_t i = 0; i < ch->count; i++) {
        size_t j = (ch->head + i) % ch->cap;
        memcpy(items + i * ch->item_size, ch->items + j * ch->item_size, ch->item_size);
        arrival[i] = ch->arrival[j];
    }
    free(ch->items);
    free(ch->arrival);
    ch->items = items;
    ch->arrival = arrival;
    ch->cap = ncap;
    ch->head = 0;
}

void ws_channel_send(ws_channel *ch, ws_tick now, const void *item)
{
    if (ch->count == ch->cap)
        grow(ch);
    size_t tail = (ch->head + ch->count) % ch->cap;
    memcpy(ch->items + tail * ch->item_size, item, ch->item_size);
    ch->arrival[tail] = now + ch->latency;
    ch->count++;
    ws_engine_wake(ch->engine, ch->consumer, now + ch->latency);
}

bool ws_channel_peek(const ws_channel *ch, ws_tick now, void *out)
{
    if (ch->count == 0 || ch->arrival[ch->head] > now)
        return false;
    if (out)
        memcpy(out, ch->items + ch->head * ch->item_size, ch->item_size);
    return true;
}

bool ws_channel_recv(ws_channel *ch, ws_tick now, void *out)
{
    if (!ws_channel_peek(ch, now, out))
        return false;
    ch->head = (ch->head + 1) % ch->cap;
    ch->count--;
    return true;
}

size_t ws_channel_in_flight(const ws_channel *ch)
{
    return ch->count;
}

ws_tick ws_channel_next_arrival(const ws_channel *ch)
{
    return ch->count ? ch->arrival[ch->head] : WS_TICK_NEVER;
}
