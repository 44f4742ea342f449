/* core/channel.h — delayed single-producer single-consumer channels
 * between components.
 *
 * Contract
 *   A channel carries fixed-size items from one producer component to one
 *   consumer component with a latency of at least one tick: an item sent at
 *   tick t becomes receivable at tick t + latency, and sending wakes the
 *   consumer at that tick (ws_engine_wake). Items leave in the order they
 *   were sent. Because an item is never visible in the tick it was sent,
 *   and a channel has exactly one producer, what a consumer sees does not
 *   depend on the order in which the engine visits components (this is how
 *   components talk without an explicit commit phase).
 *   The queue is unbounded (flow control, when needed, is built on top with
 *   credits flowing back through another channel). Capacity grows by
 *   doubling; ws_channel_in_flight() counts items sent and not received.
 */
#ifndef WS_CHANNEL_H
#define WS_CHANNEL_H

#include <stdbool.h>
#include <stddef.h>

#include "core/engine.h"

typedef struct ws_channel ws_channel;

/* latency >= 1; consumer_id is the engine id of the receiving component. */
ws_channel *ws_channel_new(ws_engine *e, size_t consumer_id, ws_tick latency, size_t item_size);
void ws_channel_free(ws_channel *ch);

void ws_channel_send(ws_channel *ch, ws_tick now, const void *item);
/* Copies the oldest item that has arrived by `now` into out and removes it;
 * false when none has arrived. */
bool ws_channel_recv(ws_channel *ch, ws_tick now, void *out);
/* Like recv without removing; out may be NULL. */
bool ws_channel_peek(const ws_channel *ch, ws_tick now, void *out);
size_t ws_channel_in_flight(const ws_channel *ch);
/* Arrival tick of the oldest item, or WS_TICK_NEVER when empty. */
ws_tick ws_channel_next_arrival(const ws_channel *ch);

#endif
