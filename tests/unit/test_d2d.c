/* tests/unit/test_d2d.c — pins the D2D controllers (arch/d2d.h) on the
 * dojo preset at zero load against the formula of doc/memory.md:
 *   local read of one chunk issued at tick 0:
 *       ready = 1 + ceil(max channel share / channel rate) + hbm latency
 *               + llc miss penalty
 *   remote read of one chunk over H hops:
 *       request at holder  a = 1 (controller) + 1 (NI) + T0(H, request bytes)
 *       served at          a + 1
 *       chunk ready        r = a + 1 + HBM(chunk) + miss penalty
 *       delivered          r + 1 (NI) + T0(H, chunk bytes) + 1 (controller)
 *   with T0 the network's zero-load latency of a message (doc/noc.md; its
 *   last flit may be partial: the 16 B request is one flit of 16 B). Also: statistics
 *   (hops, byte-hops, HBM local/remote bytes), LLC hits on a second read,
 *   multi-chunk reads delivering every byte once, the translate and
 *   observe hooks, and a posted write delaying a read of the same HBM by
 *   its service time. A plain message (arch_d2d_send) of one chunk is
 *   delivered at 1 (controller) + 1 (NI) + T0(H, bytes) + 1 (controller),
 *   a local one at 1, touching no memory and no read counter. With flit
 *   streaming (1 MiB flits) remote reads follow the streaming T0, pinned
 *   by hand for 8 hops. */
#define _POSIX_C_SOURCE 200809L
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "arch/d2d.h"
#include "core/config.h"
#include "tests/unit/check_main.h"

typedef struct delivery {
    ws_tick at;
    uint64_t bytes;
    bool last;
    void *cookie;
} delivery;

typedef struct sink {
    delivery got[4096];
    size_t n;
    uint64_t bytes;
} sink;

static void on_data(void *owner, ws_tick at, void *cookie, uint64_t bytes, bool last)
{
    sink *s = owner;
    if (s->n < 4096)
        s->got[s->n++] = (delivery){ at, bytes, last, cookie };
    s->bytes += bytes;
}

typedef struct rig {
    ws_config cfg;
    ws_engine *e;
    noc_network *net;
    arch_d2d *d;
    sink s;
} rig;

static void rig_up(rig *r, const char *const *sets, size_t n_sets)
{
    const char *top = getenv("TOP_SRCDIR");
    ck_assert_msg(top != NULL, "TOP_SRCDIR must be set (make check sets it)");
    char dir[4096], path[4096];
    snprintf(dir, sizeof dir, "%s/configs", top);
    setenv("WAFERSIM_CONFIG_DIR", dir, 1);
    snprintf(path, sizeof path, "%s/configs/experiments/default.yaml", top);
    ws_diag d;
    ws_diag_init(&d, 0);
    int rc = ws_config_load(&r->cfg, path, sets, n_sets, &d);
    if (rc)
        ws_diag_print(&d, stderr);
    ck_assert_int_eq(rc, 0);
    ws_diag_free(&d);
    r->e = ws_engine_new(1);
    ws_engine_set_watchdog(r->e, 10000000);
    char err[256];
    r->net = noc_network_new(r->e, &r->cfg, NULL, err, sizeof err);
    ck_assert_ptr_nonnull(r->net);
    memset(&r->s, 0, sizeof r->s);
    r->d = arch_d2d_new(r->e, r->net, &r->cfg, on_data, &r->s);
}

static void rig_down(rig *r)
{
    arch_d2d_free(r->d);
    noc_network_free(r->net);
    ws_engine_free(r->e);
    ws_config_free(&r->cfg);
}

/* HBM time of a chunk read alone from address 0 (mem/hbm.h formula). */
static ws_tick hbm_alone(const ws_config *cfg, uint64_t bytes)
{
    uint64_t ch = (uint64_t)cfg->hw.tile.hbm.channels, g = (uint64_t)cfg->hw.tile.hbm.interleave_bytes;
    uint64_t granules = (bytes + g - 1) / g;
    uint64_t busiest = ((granules + ch - 1) / ch) * g;
    if (busiest > bytes)
        busiest = bytes;
    double rate = ws_config_bytes_per_tick(cfg, cfg->hw.tile.hbm.bandwidth_bytes_per_s) / (double)ch;
    return (ws_tick)ceil((double)busiest / rate - 1e-6) + ws_config_ticks(cfg, cfg->hw.tile.hbm.latency_s);
}

START_TEST(local_read_one_chunk)
{
    rig r;
    rig_up(&r, NULL, 0);
    arch_d2d_read_req q = { .requester = 7, .holder = 7, .addr = 0, .bytes = 1 << 20, .cookie = &r };
    arch_d2d_read(r.d, 0, &q);
    ck_assert_int_eq(ws_engine_run(r.e, WS_TICK_NEVER), WS_RUN_QUIESCENT);
    ck_assert_uint_eq(r.s.n, 1);
    /* 1 MiB over 80 channels of 41.875 B/tick: busiest 52 granules = 13312 B
     * -> 318 ticks; + 300 HBM + 110 miss penalty, handled at tick 1 */
    ck_assert_uint_eq(hbm_alone(&r.cfg, 1 << 20), 318 + 300);
    ck_assert_uint_eq(r.s.got[0].at, 1 + 318 + 300 + 110);
    ck_assert(r.s.got[0].last);
    ck_assert_ptr_eq(r.s.got[0].cookie, &r);
    const arch_d2d_stats *st = arch_d2d_stats_get(r.d);
    ck_assert_uint_eq(st->reads_local, 1);
    ck_assert_uint_eq(st->reads_remote + st->request_messages + st->data_messages, 0);
    ck_assert_uint_eq(mem_hbm_stats_get(arch_d2d_hbm(r.d, 7))->bytes[MEM_HBM_READ_LOCAL], 1 << 20);
    rig_down(&r);
}
END_TEST

static void remote_case_on(const char *const *sets, size_t n_sets, int requester, int holder, uint64_t bytes)
{
    rig r;
    rig_up(&r, sets, n_sets);
    int hops = arch_d2d_distance(r.d, requester, holder);
    arch_d2d_read_req q = { .requester = requester, .holder = holder, .addr = 0, .bytes = bytes };
    arch_d2d_read(r.d, 0, &q);
    ck_assert_int_eq(ws_engine_run(r.e, WS_TICK_NEVER), WS_RUN_QUIESCENT);
    ck_assert_uint_eq(r.s.n, 1);
    ws_tick a = 1 + 1 + noc_network_zero_load_latency_bytes(r.net, hops, (uint64_t)r.cfg.hw.remote_request_bytes);
    ws_tick ready = a + 1 + hbm_alone(&r.cfg, bytes) + 110;
    ws_tick expect = ready + 1 + noc_network_zero_load_latency_bytes(r.net, hops, bytes) + 1;
    ck_assert_msg(r.s.got[0].at == expect, "%d hops, %llu B: delivered at %llu, formula %llu", hops,
                  (unsigned long long)bytes, (unsigned long long)r.s.got[0].at, (unsigned long long)expect);
    const arch_d2d_stats *st = arch_d2d_stats_get(r.d);
    ck_assert_uint_eq(st->reads_remote, 1);
    ck_assert_uint_eq(st->request_hops, (uint64_t)hops);
    ck_assert_uint_eq(st->data_hops, (uint64_t)hops);
    ck_assert_double_eq(st->data_byte_hops, (double)bytes * hops);
    ck_assert_uint_eq(mem_hbm_stats_get(arch_d2d_hbm(r.d, holder))->bytes[MEM_HBM_READ_REMOTE], bytes);
    rig_down(&r);
}

static void remote_case(int requester, int holder, uint64_t bytes)
{
    remote_case_on(NULL, 0, requester, holder, bytes);
}

START_TEST(remote_read_zero_load_formula)
{
    /* dojo is 5 x 5: tile id = y * 5 + x */
    remote_case(12, 2, 65536);           /* 2 hops, one flit */
    remote_case(0, 1, 1 << 20);          /* 1 hop */
    remote_case(0, 6, 1 << 20);          /* 2 hops */
    remote_case(0, 24, 1 << 20);         /* 8 hops, corner to corner */
    remote_case(12, 2, 65536);           /* 2 hops, one flit */
    remote_case(3, 21, 100000);          /* 6 hops, a partial flit */
}
END_TEST

/* Flit streaming with 1 MiB flits (doc/noc.md): a 1 MiB chunk is one flit
 * of ser = ceil(1048576 / 1700) = 617 ticks; over 8 hops of 200 ns, P = 4,
 * Rd + Vd = 2: T0 = 2 + 9 * 4 + 8 * (1 + 200) + 617 - 1 - 2 = 2260 ticks
 * (store and forward: 2 + 36 + 8 * (617 + 200) = 6574); the 16 B request
 * 2 + 36 + 1608 = 1646 either way. */
START_TEST(remote_read_streaming_formula)
{
    const char *sets[] = { "noc.flit_streaming=true", "noc.flit_size=1 MiB", "noc.packet_flits=1",
                           "noc.vc_buffer_flits=1" };
    rig r;
    rig_up(&r, sets, 4);
    ck_assert_uint_eq(noc_network_zero_load_latency_bytes(r.net, 8, 1 << 20), 2260);
    ck_assert_uint_eq(noc_network_zero_load_latency_bytes(r.net, 8, 16), 1646);
    rig_down(&r);
    remote_case_on(sets, 4, 0, 24, 1 << 20);   /* 8 hops, corner to corner */
    remote_case_on(sets, 4, 12, 2, 1 << 20);   /* 2 hops */
    remote_case_on(sets, 4, 3, 21, 100000);    /* 6 hops, a partial flit */
}
END_TEST

START_TEST(multi_chunk_and_llc)
{
    rig r;
    const char *sets[] = { "hw.read_chunk=256 KiB", "hw.tile.llc.allocation=all_served" };
    rig_up(&r, sets, 2);
    /* 1 MiB remote in 4 chunks: every byte delivered once, the last flagged */
    arch_d2d_read_req q = { .requester = 0, .holder = 3, .addr = 0, .bytes = 1 << 20 };
    arch_d2d_read(r.d, 0, &q);
    ck_assert_int_eq(ws_engine_run(r.e, WS_TICK_NEVER), WS_RUN_QUIESCENT);
    ck_assert_uint_eq(r.s.n, 4);
    ck_assert_uint_eq(r.s.bytes, 1 << 20);
    for (size_t i = 0; i < 4; i++)
        ck_assert(r.s.got[i].last == (i == 3));
    ck_assert_uint_eq(arch_d2d_stats_get(r.d)->llc_miss_chunks, 4);
    /* all_served filled the holder's LLC: reading it again hits, no HBM */
    ws_tick t1 = ws_engine_now(r.e);
    uint64_t hbm_before = mem_hbm_stats_get(arch_d2d_hbm(r.d, 3))->bytes[MEM_HBM_READ_REMOTE];
    q.requester = 1;
    arch_d2d_read(r.d, t1, &q);
    ck_assert_int_eq(ws_engine_run(r.e, WS_TICK_NEVER), WS_RUN_QUIESCENT);
    ck_assert_uint_eq(arch_d2d_stats_get(r.d)->llc_hit_chunks, 4);
    ck_assert_uint_eq(mem_hbm_stats_get(arch_d2d_hbm(r.d, 3))->bytes[MEM_HBM_READ_REMOTE], hbm_before);
    ck_assert_uint_eq(r.s.bytes, 2u << 20);
    rig_down(&r);
}
END_TEST

START_TEST(posted_write_costs_bandwidth)
{
    rig r;
    rig_up(&r, NULL, 0);
    /* a 1 MiB write then a 1 MiB read of tile 7, both made at tick 0: the
     * write queues first for the same channels (318 ticks of service), so
     * the read is delivered one HBM service later than alone; the write
     * itself delivers nothing and is counted as a local HBM write */
    arch_d2d_write(r.d, 0, 7, 0, 1 << 20);   /* same address: same channel shares */
    arch_d2d_read_req q = { .requester = 7, .holder = 7, .addr = 0, .bytes = 1 << 20, .cookie = &r };
    arch_d2d_read(r.d, 0, &q);
    ck_assert_int_eq(ws_engine_run(r.e, WS_TICK_NEVER), WS_RUN_QUIESCENT);
    ck_assert_uint_eq(r.s.n, 1);
    ck_assert_uint_eq(r.s.got[0].at, 1 + 318 + 318 + 300 + 110);
    const arch_d2d_stats *st = arch_d2d_stats_get(r.d);
    ck_assert_uint_eq(st->writes, 1);
    ck_assert_uint_eq(st->bytes_written, 1 << 20);
    ck_assert_uint_eq(st->reads_local, 1);
    ck_assert_uint_eq(mem_hbm_stats_get(arch_d2d_hbm(r.d, 7))->bytes[MEM_HBM_WRITE_LOCAL], 1 << 20);
    ck_assert_uint_eq(mem_hbm_stats_get(arch_d2d_hbm(r.d, 7))->bytes[MEM_HBM_READ_LOCAL], 1 << 20);
    rig_down(&r);
}
END_TEST

typedef struct hook_log {
    uint64_t observed_bytes;
    int observed_calls;
    uint64_t copy_object;
} hook_log;

static bool translate(void *ctx, int requester, uint64_t object, uint64_t *local_addr)
{
    hook_log *h = ctx;
    if (object != h->copy_object)
        return false;
    *local_addr = 1ULL << 30;
    return true;
}

static void observe(void *ctx, ws_tick at, int requester, int holder, uint64_t object, uint64_t bytes)
{
    hook_log *h = ctx;
    h->observed_bytes += bytes;
    h->observed_calls++;
}

START_TEST(hooks_redirect_and_observe)
{
    rig r;
    rig_up(&r, NULL, 0);
    hook_log log = { .copy_object = 42 };
    arch_d2d_hooks hooks = { translate, observe, &log };
    arch_d2d_set_hooks(r.d, &hooks);
    arch_d2d_read_req remote = { .requester = 0, .holder = 4, .bytes = 3u << 20, .object = 7 };
    arch_d2d_read_req copied = { .requester = 0, .holder = 4, .bytes = 1u << 20, .object = 42 };
    arch_d2d_read(r.d, 0, &remote);
    arch_d2d_read(r.d, 0, &copied);
    ck_assert_int_eq(ws_engine_run(r.e, WS_TICK_NEVER), WS_RUN_QUIESCENT);
    const arch_d2d_stats *st = arch_d2d_stats_get(r.d);
    ck_assert_uint_eq(st->reads_translated, 1);
    ck_assert_uint_eq(st->reads_remote, 1);
    ck_assert_uint_eq(st->reads_local, 1);
    ck_assert_uint_eq(log.observed_bytes, 3u << 20);   /* only remote chunks */
    ck_assert_int_eq(log.observed_calls, 3);
    ck_assert_uint_eq(mem_hbm_stats_get(arch_d2d_hbm(r.d, 0))->bytes[MEM_HBM_READ_LOCAL], 1u << 20);
    ck_assert_uint_eq(mem_hbm_stats_get(arch_d2d_hbm(r.d, 4))->bytes[MEM_HBM_READ_REMOTE], 3u << 20);
    rig_down(&r);
}
END_TEST

START_TEST(send_zero_load_formula)
{
    rig r;
    rig_up(&r, NULL, 0);
    uint64_t bytes = 14336;   /* 7 tokens of 1024 B */
    arch_d2d_send(r.d, 0, 0, 12, bytes, &r);   /* (0,0) -> (2,2): 4 hops */
    arch_d2d_send(r.d, 0, 5, 5, 64, &r.s);     /* local */
    ck_assert_int_eq(ws_engine_run(r.e, WS_TICK_NEVER), WS_RUN_QUIESCENT);
    ck_assert_uint_eq(r.s.n, 2);
    ck_assert_ptr_eq(r.s.got[0].cookie, &r.s);
    ck_assert_uint_eq(r.s.got[0].at, 1);
    ck_assert_ptr_eq(r.s.got[1].cookie, &r);
    ws_tick expect = 1 + 1 + noc_network_zero_load_latency_bytes(r.net, 4, bytes) + 1;
    ck_assert_msg(r.s.got[1].at == expect, "delivered at %llu, formula %llu", (unsigned long long)r.s.got[1].at,
                  (unsigned long long)expect);
    ck_assert(r.s.got[1].last);
    ck_assert_uint_eq(r.s.got[1].bytes, bytes);
    const arch_d2d_stats *st = arch_d2d_stats_get(r.d);
    ck_assert_uint_eq(st->sends, 2);
    ck_assert_uint_eq(st->send_messages, 1);
    ck_assert_uint_eq(st->send_bytes, bytes + 64);
    ck_assert_uint_eq(st->send_hops, 4);
    ck_assert_double_eq(st->send_byte_hops, 4.0 * bytes);
    ck_assert_uint_eq(st->reads_local + st->reads_remote + st->data_messages + st->request_messages, 0);
    for (int t = 0; t < 25; t++)
        for (int k = 0; k < MEM_HBM_KIND_COUNT; k++)
            ck_assert_uint_eq(mem_hbm_stats_get(arch_d2d_hbm(r.d, t))->bytes[k], 0);
    rig_down(&r);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("d2d");
    TCase *tc = tcase_create("reads");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, local_read_one_chunk);
    tcase_add_test(tc, remote_read_zero_load_formula);
    tcase_add_test(tc, remote_read_streaming_formula);
    tcase_add_test(tc, multi_chunk_and_llc);
    tcase_add_test(tc, posted_write_costs_bandwidth);
    tcase_add_test(tc, hooks_redirect_and_observe);
    tcase_add_test(tc, send_zero_load_formula);
    suite_add_tcase(s, tc);
    return ws_check_run(s);
}
