/* arch/d2d.h — the tiles' memory side and die-to-die (D2D) controllers:
 * local and remote reads of weights, served by each tile's LLC and HBM and
 * carried over the network.
 *
 * Contract
 *   arch_d2d_new() builds, for every tile of the config's grid, an LLC
 *   (mem/llc.h) and an HBM (mem/hbm.h), and registers ONE engine component
 *   ("d2d") for all D2D controllers. It becomes the network's delivery owner
 *   (noc_network_on_delivery).
 *
 *   arch_d2d_read(d, now, req) asks for req->bytes at req->addr of tile
 *   req->holder's HBM on behalf of tile req->requester. The read is cut into
 *   chunks of hw.read_chunk bytes (the last may be shorter). The controller
 *   handles it at tick now + 1 (a one-cycle controller latency that keeps
 *   the order in which components are visited out of the results):
 *     local  (holder == requester, or the translate hook redirects it to a
 *            copy in the requester's HBM): each chunk is served by the
 *            requester's memory and delivered at the tick it is ready;
 *     remote a request message of hw.remote_request bytes travels to the
 *            holder; the holder's controller, one tick after the message
 *            arrives, serves the chunks and sends each back as one message
 *            the tick it is ready; a chunk is delivered one tick after its
 *            message has arrived.
 *   Serving a chunk at tick t: the LLC is looked up over the chunk's lines;
 *   if every line hits, the chunk is ready at t + llc hit latency; otherwise
 *   the whole chunk is read from HBM (waiting in the controller, in order,
 *   while the HBM queues push back) and is ready at HBM completion + LLC
 *   miss penalty. Misses fill the LLC per hw.tile.llc.allocation: on the
 *   tile's own reads (local_misses) or on every read it serves (all_served).
 *   This is coarse: an LLC hit has no bandwidth limit, a chunk that partly
 *   hits is read whole from HBM, and the LLC keeps its tags in blocks of
 *   arch_d2d_llc_block_bytes() = max(line size, largest power of two <=
 *   read chunk) so that streaming megabytes costs one lookup per chunk, not
 *   one per 128 B line (capacity and associativity are kept; the
 *   associativity is halved until the size is a multiple of ways x block).
 *
 *   Delivery: the owner's callback fn(owner, at, cookie, bytes, last) runs
 *   once per chunk, during the d2d component's evaluate at tick `at`, in a
 *   deterministic order; `last` is true for the read's final chunk. The
 *   owner must only record the data and wake itself for a later tick (the
 *   engine rule of core/engine.h).
 *
 *   Hooks (where the migration unit sits): translate(ctx, requester,
 *   object, &local_addr) may redirect a remote read to a local copy;
 *   observe(ctx, at, requester, holder, object, bytes) sees every remote
 *   chunk as it is delivered. Both optional.
 *
 *   TEST ONLY: with sim.test_drop_message = N > 0 the controllers ignore
 *   the Nth network message delivered to them (counting requests and data
 *   alike), as if the network had lost it: the read it belongs to never
 *   completes, so the watchdog's handling of a tile waiting forever can be
 *   tested (tests/integration/watchdog.sh).
 *   arch_d2d_send() carries plain messages (token activations) the same
 *   way, without touching memory (below).
 *
 *   Statistics (arch_d2d_stats): reads local and remote, request messages,
 *   bytes read locally and remotely, HBM bytes per kind (via the HBMs),
 *   LLC hits and misses, hops of request legs and of data legs (Manhattan
 *   distance, counted per message), and byte-hops of data.
 */
#ifndef ARCH_D2D_H
#define ARCH_D2D_H

#include <stdbool.h>
#include <stdint.h>

#include "core/config.h"
#include "core/engine.h"
#include "mem/hbm.h"
#include "mem/llc.h"
#include "noc/network.h"

typedef struct arch_d2d arch_d2d;

typedef struct arch_d2d_read_req {
    int requester, holder;     /* tile ids (y * grid.x + x) */
    uint64_t addr;             /* byte address in the holder's HBM */
    uint64_t bytes;
    uint64_t object;           /* caller's name for what is read, for hooks */
    void *cookie;              /* handed back with every chunk */
} arch_d2d_read_req;

typedef void (*arch_d2d_data_fn)(void *owner, ws_tick at, void *cookie, uint64_t bytes, bool last);

typedef struct arch_d2d_hooks {
    bool (*translate)(void *ctx, int requester, uint64_t object, uint64_t *local_addr);
    void (*observe)(void *ctx, ws_tick at, int requester, int holder, uint64_t object, uint64_t bytes);
    void *ctx;
} arch_d2d_hooks;

typedef struct arch_d2d_stats {
    uint64_t reads_local, reads_remote, reads_translated;
    uint64_t request_messages, data_messages;
    uint64_t bytes_local, bytes_remote;
    uint64_t request_hops, data_hops;
    double data_byte_hops;
    uint64_t llc_hit_chunks, llc_miss_chunks;
    uint64_t writes, bytes_written;     /* arch_d2d_write */
    uint64_t sends, send_messages, send_bytes, send_hops;   /* arch_d2d_send */
    double send_byte_hops;
} arch_d2d_stats;

arch_d2d *arch_d2d_new(ws_engine *e, noc_network *net, const ws_config *cfg, arch_d2d_data_fn fn,
                       void *owner);
void arch_d2d_free(arch_d2d *d);
void arch_d2d_set_hooks(arch_d2d *d, const arch_d2d_hooks *hooks);

void arch_d2d_read(arch_d2d *d, ws_tick now, const arch_d2d_read_req *req);
/* A posted write of `bytes` at `addr` of `tile`'s own HBM (the migration
 * unit filling its reserved region): handled at now + 1, cut into chunks
 * like a read, each queued in order with the tile's reads for the HBM
 * (MEM_HBM_WRITE_LOCAL), no LLC lookup and nothing delivered; the
 * controller stays busy until the last chunk is written. */
void arch_d2d_write(arch_d2d *d, ws_tick now, int tile, uint64_t addr, uint64_t bytes);
/* A plain message of `bytes` from tile `src` to tile `dst` (token
 * activations: already in the sender's on-die memory, so no LLC or HBM is
 * involved): handled at now + 1 and cut into chunks of hw.read_chunk bytes
 * like a read; every chunk is one network message sent that tick and
 * delivered (fn with `cookie`, `last` on the final chunk) one tick after
 * its message arrived, i.e. at now + 3 + zero-load latency when the
 * network is idle. src == dst delivers every chunk at now + 1. Counted in
 * sends, send_messages (chunks), send_bytes, send_hops and
 * send_byte_hops, never in the read counters; the observe hook does not
 * see it. */
void arch_d2d_send(arch_d2d *d, ws_tick now, int src, int dst, uint64_t bytes, void *cookie);

const arch_d2d_stats *arch_d2d_stats_get(const arch_d2d *d);
mem_hbm *arch_d2d_hbm(const arch_d2d *d, int tile);
mem_llc *arch_d2d_llc(const arch_d2d *d, int tile);
int arch_d2d_tiles(const arch_d2d *d);
int arch_d2d_distance(const arch_d2d *d, int a, int b);   /* Manhattan, in hops */
uint64_t arch_d2d_llc_block_bytes(const ws_config *cfg);

#endif
