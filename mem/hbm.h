/* mem/hbm.h — the HBM stack of one tile: channels, address interleaving,
 * bounded request queues, access latency, and traffic statistics.
 *
 * Contract
 *   The stack has `channels` independent channels sharing the peak
 *   bandwidth equally (bytes_per_tick / channels each). Addresses are
 *   striped over the channels in granules of `interleave` bytes: granule g
 *   (address / interleave) lives on channel g mod channels.
 *
 *   mem_hbm_issue(h, now, addr, bytes, kind) accepts one request at tick
 *   `now` and returns the tick at which its last byte has been delivered.
 *   Each channel serves its share of the request first-come first-served,
 *   keeping time in fractional ticks so that streaming loses nothing to
 *   rounding:
 *       start_c  = max(now, channel c free)
 *       free_c   = start_c + bytes_c / channel_bytes_per_tick
 *       done     = ceil(max over touched channels of free_c)  +  latency
 *   So an isolated request costs exactly
 *       latency + max_c ceil(bytes_c / (bytes_per_tick / channels))
 *   which is latency + ceil(bytes / bytes_per_tick) when the request covers
 *   every channel equally (doc/memory.md). The latency is pipelined (it
 *   does not occupy the channel), so back-to-back requests stream at the
 *   peak bandwidth.
 *
 *   Back-pressure: a channel holds at most `queue_depth` requests whose
 *   share on it has not been served yet (until free_c; the latency after
 *   service is pipelined and holds no slot); mem_hbm_can_accept() tells whether a request touching
 *   [addr, addr + bytes) would fit at tick `now` (the caller retries later
 *   if not); issuing a request that does not fit is a programming error.
 *
 *   Statistics: bytes and requests read and written, split by local and
 *   remote requester; busy ticks per channel (fractional); the total
 *   queueing delay in (fractional) ticks
 *   (ticks between `now` and the start of service, summed over the
 *   channel shares of every request).
 *   Passive and deterministic: it is driven by its tile, holds no engine
 *   component of its own, and never draws random numbers.
 */
#ifndef MEM_HBM_H
#define MEM_HBM_H

#include <stdbool.h>
#include <stdint.h>

#include "core/engine.h"

typedef struct mem_hbm_params {
    double bytes_per_tick;      /* peak, all channels together */
    ws_tick latency;            /* access latency in ticks */
    unsigned channels;
    uint64_t interleave;        /* bytes per granule */
    unsigned queue_depth;       /* outstanding requests per channel */
} mem_hbm_params;

typedef enum mem_hbm_kind {
    MEM_HBM_READ_LOCAL, MEM_HBM_READ_REMOTE, MEM_HBM_WRITE_LOCAL, MEM_HBM_WRITE_REMOTE,
    MEM_HBM_KIND_COUNT
} mem_hbm_kind;

typedef struct mem_hbm_stats {
    uint64_t bytes[MEM_HBM_KIND_COUNT];
    uint64_t requests[MEM_HBM_KIND_COUNT];
    double queue_delay_ticks;
} mem_hbm_stats;

typedef struct mem_hbm mem_hbm;

/* NULL when the parameters are valid, else a one-line reason. */
const char *mem_hbm_check(const mem_hbm_params *p);

struct ws_config;
/* The parameters of hw.tile.hbm in ticks of the config's clock. */
void mem_hbm_params_from_config(const struct ws_config *cfg, mem_hbm_params *out);
mem_hbm *mem_hbm_new(const mem_hbm_params *p);
void mem_hbm_free(mem_hbm *h);

bool mem_hbm_can_accept(mem_hbm *h, ws_tick now, uint64_t addr, uint64_t bytes);
/* The first tick >= now at which mem_hbm_can_accept() would be true if no
 * other request were issued meanwhile (now itself when it fits now). */
ws_tick mem_hbm_accept_tick(mem_hbm *h, ws_tick now, uint64_t addr, uint64_t bytes);
ws_tick mem_hbm_issue(mem_hbm *h, ws_tick now, uint64_t addr, uint64_t bytes, mem_hbm_kind kind);

const mem_hbm_stats *mem_hbm_stats_get(const mem_hbm *h);
double mem_hbm_channel_busy_ticks(const mem_hbm *h, unsigned channel);
unsigned mem_hbm_channels(const mem_hbm *h);

#endif
