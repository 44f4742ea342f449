/* tests/unit/test_exec.c — pins one MoE layer of arch/exec.h against a hand
 * calculation. Model tests/fixtures/run/one_layer.yaml (one MoE layer, 4
 * experts, top-1, 1 MiB matrices); a 2 x 2 dojo wafer, contiguous
 * placement (expert e on tile e, at address 0 of its HBM); one request whose
 * decode token picks expert 3.
 *
 * home: tile 3 reads its own three matrices (addresses 0, 1, 2 MiB).
 *   CP 1 us: the reads are issued at tick 1000 and handled at 1001.
 *   HBM: 80 channels of 3350/80 = 41.875 B/tick, 256 B granules striped
 *   round-robin. Matrix m covers granules 4096m .. 4096m+4095; channel c's
 *   cumulative share after matrix m is counted below, and matrix m is ready
 *   at ceil(1001 + max_c share_c / 41.875) + 300 (HBM) + 110 (LLC miss).
 *   Compute (pipelined, one chunk per matrix): W = bytes / 3350 with bytes =
 *   512*1024*2 + 1*(512+1024)*2 = 1051648 (roofline, memory-bound), and the
 *   die runs max(free, ready_m) + W for each matrix in turn; the layer ends
 *   at ceil(free).
 * even: the one active expert goes to tile 0; tile 3 serves it remotely.
 *   The layer must be slower than home's and move 3 MiB over 2 hops each
 *   way (request and data legs: 3 messages each).
 * dispatch (strategy.dispatch on, home allocation): the request lives on
 *   tile 0 (round_robin, slot 0), its token's expert runs on tile 3, two
 *   hops away. Its activation, 512 x 2 B = 1024 B, leaves at the issue
 *   (tick 1000) and is delivered at 1000 + 3 + Z (arch_d2d_send: Z the
 *   network's zero-load latency of 1024 B over 2 hops), long before the
 *   weights, so the task ends as in `home` at E; its output (1024 B) goes
 *   back at E, is delivered at E + 3 + Z and seen by the barrier one tick
 *   later: layer = E + 4 + Z; dispatch time = combine time = combine tail
 *   = 3 + Z. With a 3 us link latency the activation comes after the
 *   weights: the die does all 3W of work from A = 1003 + Z3 (gated) and
 *   the layer is ceil(A + 3W) + 4 + Z3. With the request on tile 3
 *   (one_tile) nothing moves and the layer is exactly `home`'s.
 *
 * prefetch (strategy.prefetch_next_layer) on tests/fixtures/run/two_layer.yaml
 *   (the same, two MoE layers; the decode token picks expert 3 in both),
 *   even allocation: in each layer tile 0 computes expert 3 with its three
 *   1 MiB matrices read from tile 3, two hops away; CP 10 us. Layer 0 has
 *   nothing before it: it takes exactly what it takes with prefetch off.
 *   Once tile 0's last layer-0 chunk is in, it reads layer 1's matrices
 *   (all three fit in a 3 MiB buffer); they arrive long before the end of
 *   layer 1's CP (10 us), so layer 1 = CP + ceil(3W): its GEMMs start at
 *   its issue on data already there. Off, layer 1 cannot be shorter than
 *   CP + 3 MiB through tile 0's one input link (XY path from tile 3, 1700
 *   B/tick) + W (the last matrix's compute). The same reads move either
 *   way (hops, byte-hops, compute). A 2 MiB buffer takes matrices 0 and 1
 *   early and matrix 2 is read at layer 1's issue: layer 1 lies strictly
 *   between; a buffer smaller than one matrix changes nothing.
 *   With dispatch (the request on tile 3): layer 1's activation leaves at
 *   its issue and arrives 3 + Z later; the held weights' 3W of work starts
 *   then, the output goes back (3 + Z) and the barrier sees it one tick
 *   later: layer 1 = CP + 3 + Z + ceil(3W) + 4 + Z.
 */
#define _POSIX_C_SOURCE 200809L
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arch/exec.h"
#include "arch/place.h"
#include "core/config.h"
#include "tests/unit/check_main.h"
#include "workload/trace_writer.h"

typedef struct world {
    ws_config cfg;
    wl_model model;
    wl_trace *trace;
    wl_batch *batch;
    mem_residency *res;
    ws_engine *e;
    noc_network *net;
    arch_exec *x;
    char path[256];
} world;

/* model: a fixture of tests/fixtures/run (every MoE layer of the request
 * picks expert 0 for its prompt token and 3 for its decode token); extra:
 * more config overrides (strategy.dispatch...), n_extra of them */
static void world_up_model(world *w, const char *model, int allocation, const char *const *extra, size_t n_extra)
{
    const char *top = getenv("TOP_SRCDIR");
    ck_assert_msg(top != NULL, "TOP_SRCDIR must be set");
    char buf[4096];
    snprintf(buf, sizeof buf, "%s/configs", top);
    setenv("WAFERSIM_CONFIG_DIR", buf, 1);
    ws_diag d;
    ws_diag_init(&d, 0);
    snprintf(buf, sizeof buf, "%s/configs/experiments/default.yaml", top);
    const char *sets[8] = { "hw.grid={x: 2, y: 2}" };
    for (size_t i = 0; i < n_extra && i < 7; i++)
        sets[1 + i] = extra[i];
    ck_assert_int_eq(ws_config_load(&w->cfg, buf, sets, 1 + n_extra, &d), 0);
    snprintf(buf, sizeof buf, "%s/tests/fixtures/run/%s.yaml", top, model);
    ck_assert_int_eq(wl_model_load(&w->model, buf, &d), 0);
    ws_diag_free(&d);
    /* one request: prompt token picks expert 0, decode token picks 3 */
    snprintf(w->path, sizeof w->path, "/tmp/wafersim-test-exec-%ld.wst", (long)getpid());
    wl_trace_shape shape = wl_trace_shape_of(&w->model);
    char err[256];
    wl_trace_writer *tw = wl_trace_writer_open(w->path, &shape, err, sizeof err);
    ck_assert_ptr_nonnull(tw);
    uint32_t L = w->model.n_moe;
    uint16_t ids[8] = { 0 };
    ck_assert_uint_le(2 * L, 8);
    for (uint32_t l = 0; l < L; l++)
        ids[L + l] = 3;
    ck_assert_int_eq(wl_trace_writer_add(tw, "r0", 1, 1, 1, ids, err, sizeof err), 0);
    ck_assert_int_eq(wl_trace_writer_commit(tw, err, sizeof err), 0);
    w->trace = wl_trace_open(w->path, 0, err, sizeof err);
    ck_assert_ptr_nonnull(w->trace);
    w->batch = wl_batch_build(w->trace, 1, false, 1, err, sizeof err);
    ck_assert_ptr_nonnull(w->batch);
    w->res = mem_residency_new(4, (uint64_t)w->cfg.hw.tile.hbm.capacity_bytes, w->cfg.hw.tile.hbm.reserved_fraction,
                               L, 4, w->model.expert_bytes);
    arch_place_ctx pc = { .n_tiles = 4, .grid_x = 2, .grid_y = 2, .n_layers = L, .n_experts = 4 };
    ck_assert_int_eq(arch_place_registry[0]->place(&pc, w->res, err, sizeof err), 0);   /* contiguous */
    w->e = ws_engine_new(1);
    ws_engine_set_watchdog(w->e, 10000000);
    w->net = noc_network_new(w->e, &w->cfg, NULL, err, sizeof err);
    arch_exec_setup s = { .cfg = &w->cfg, .model = &w->model, .batch = w->batch, .residency = w->res,
                          .alloc = arch_alloc_registry[allocation], .first_iteration = 1, .last_iteration = 1,
                          .measure_from = 1 };
    w->x = arch_exec_new(w->e, w->net, &s);
    ck_assert_int_eq(ws_engine_run(w->e, WS_TICK_NEVER), WS_RUN_QUIESCENT);
    ck_assert(arch_exec_finished(w->x));
}

static void world_up_with(world *w, int allocation, const char *const *extra, size_t n_extra)
{
    world_up_model(w, "one_layer", allocation, extra, n_extra);
}

static void world_up(world *w, int allocation) { world_up_with(w, allocation, NULL, 0); }

static void world_down(world *w)
{
    arch_exec_free(w->x);
    noc_network_free(w->net);
    ws_engine_free(w->e);
    mem_residency_free(w->res);
    wl_batch_free(w->batch);
    wl_trace_close(w->trace);
    unlink(w->path);
    wl_model_free(&w->model);
    ws_config_free(&w->cfg);
}

START_TEST(home_layer_by_hand)
{
    world w;
    world_up(&w, 1);   /* home */
    ck_assert_str_eq(arch_alloc_registry[1]->name, "home");
    /* HBM by hand: per-channel cumulative bytes after each matrix */
    double share[80] = { 0 };
    double free_at = 0;
    ws_tick ready[3];
    for (int m = 0; m < 3; m++) {
        for (long g = 4096L * m; g < 4096L * (m + 1); g++)
            share[g % 80] += 256;
        double busiest = 0;
        for (int c = 0; c < 80; c++)
            if (share[c] > busiest)
                busiest = share[c];
        ready[m] = (ws_tick)ceil(1001 + busiest / 41.875 - 1e-6) + 300 + 110;
    }
    double W = 1051648.0 / 3350;
    for (int m = 0; m < 3; m++)
        free_at = (free_at > (double)ready[m] ? free_at : (double)ready[m]) + W;
    ws_tick end = (ws_tick)ceil(free_at - 1e-6);
    arch_exec_results r;
    arch_exec_results_get(w.x, &r);
    ck_assert_uint_eq(r.layers_measured, 1);
    ck_assert_msg(r.measured_ticks == end, "layer took %llu ticks, hand calculation %llu",
                  (unsigned long long)r.measured_ticks, (unsigned long long)end);
    ck_assert_uint_eq(r.tasks, 1);
    ck_assert_uint_eq(r.tokens_measured, 1);
    ck_assert_double_eq_tol(r.tile_busy_ticks[3], 3 * W, 1e-6);
    ck_assert_double_eq(r.tile_busy_ticks[0], 0);
    const arch_d2d_stats *ds = arch_d2d_stats_get(arch_exec_d2d(w.x));
    ck_assert_uint_eq(ds->reads_local, 3);
    ck_assert_uint_eq(ds->reads_remote + ds->data_hops, 0);
    world_down(&w);
}
END_TEST

START_TEST(even_layer_goes_remote)
{
    world home, even;
    world_up(&home, 1);
    world_up(&even, 0);
    ck_assert_str_eq(arch_alloc_registry[0]->name, "even");
    arch_exec_results rh, re;
    arch_exec_results_get(home.x, &rh);
    arch_exec_results_get(even.x, &re);
    ck_assert_uint_gt(re.measured_ticks, rh.measured_ticks);
    const arch_d2d_stats *ds = arch_d2d_stats_get(arch_exec_d2d(even.x));
    ck_assert_uint_eq(ds->reads_remote, 3);
    ck_assert_uint_eq(ds->request_hops, 3 * 2);
    ck_assert_uint_eq(ds->data_hops, 3 * 2);       /* one 1 MiB chunk per matrix */
    ck_assert_double_eq(ds->data_byte_hops, 3.0 * 1048576 * 2);
    ck_assert_double_eq_tol(re.tile_busy_ticks[0], 3 * 1051648.0 / 3350, 1e-6);
    world_down(&home);
    world_down(&even);
}
END_TEST

/* E of home_layer_by_hand: the end of the home case without dispatch. */
static ws_tick home_end(void)
{
    world w;
    world_up(&w, 1);
    arch_exec_results r;
    arch_exec_results_get(w.x, &r);
    ws_tick end = r.measured_ticks;
    world_down(&w);
    return end;
}

START_TEST(dispatch_one_token_by_hand)
{
    ws_tick E = home_end();
    const char *on[] = { "strategy.dispatch.enabled=true" };
    world w;
    world_up_with(&w, 1, on, 1);
    ws_tick Z = noc_network_zero_load_latency_bytes(w.net, 2, 1024);
    arch_exec_results r;
    arch_exec_results_get(w.x, &r);
    ck_assert_uint_eq(r.dispatch_bytes, 1024);
    ck_assert_uint_eq(r.combine_bytes, 1024);
    ck_assert_uint_eq(r.dispatch_messages, 1);
    ck_assert_uint_eq(r.combine_messages, 1);
    ck_assert_double_eq(r.dispatch_byte_hops, 2048);
    ck_assert_double_eq(r.combine_byte_hops, 2048);
    ck_assert_msg(r.measured_ticks == E + 4 + Z, "layer took %llu ticks, hand calculation %llu + 4 + %llu",
                  (unsigned long long)r.measured_ticks, (unsigned long long)E, (unsigned long long)Z);
    ck_assert_uint_eq(r.dispatch_ticks, 3 + Z);
    ck_assert_uint_eq(r.combine_ticks, 3 + Z);
    ck_assert_uint_eq(r.combine_tail_ticks, 3 + Z);
    const arch_d2d_stats *ds = arch_d2d_stats_get(arch_exec_d2d(w.x));
    ck_assert_uint_eq(ds->reads_remote + ds->data_hops, 0);   /* EP: activations move, weights do not */
    ck_assert_uint_eq(ds->send_hops, 4);
    world_down(&w);
}
END_TEST

START_TEST(dispatch_gates_compute)
{
    const char *on[] = { "strategy.dispatch.enabled=true", "hw.link.latency=3 us" };
    world w;
    world_up_with(&w, 1, on, 2);
    ws_tick Z = noc_network_zero_load_latency_bytes(w.net, 2, 1024);
    double W = 1051648.0 / 3350, A = 1003.0 + (double)Z;
    ck_assert_msg(A > 1800, "the activation must come after the weights (A = %g)", A);
    ws_tick expect = (ws_tick)ceil(A + 3 * W - 1e-6) + 4 + Z;
    arch_exec_results r;
    arch_exec_results_get(w.x, &r);
    ck_assert_msg(r.measured_ticks == expect, "layer took %llu ticks, hand calculation %llu",
                  (unsigned long long)r.measured_ticks, (unsigned long long)expect);
    ck_assert_double_eq_tol(r.tile_busy_ticks[3], 3 * W, 1e-6);
    world_down(&w);
}
END_TEST

START_TEST(dispatch_local_request_moves_nothing)
{
    ws_tick E = home_end();
    const char *on[] = { "strategy.dispatch.enabled=true", "strategy.dispatch.request_placement=one_tile",
                         "strategy.dispatch.request_tile=3" };
    world w;
    world_up_with(&w, 1, on, 3);
    arch_exec_results r;
    arch_exec_results_get(w.x, &r);
    ck_assert_uint_eq(r.measured_ticks, E);
    ck_assert_uint_eq(r.dispatch_bytes + r.combine_bytes + r.dispatch_ticks + r.combine_ticks, 0);
    world_down(&w);
}
END_TEST

/* The two-layer world; buffer NULL: prefetch off; more: extra overrides. */
static void two_layers(world *w, const char *buffer, const char *const *more, size_t n_more)
{
    char b[64];
    snprintf(b, sizeof b, "strategy.prefetch_buffer=%s", buffer ? buffer : "");
    const char *sets[7] = { "strategy.cp.latency=10 us", "strategy.prefetch_next_layer=true", b };
    size_t n = buffer ? 3 : 1;
    for (size_t i = 0; i < n_more && n < 7; i++)
        sets[n++] = more[i];
    world_up_model(w, "two_layer", 0, sets, n);
}

static void assert_same_reads(const world *a, const world *b)
{
    const arch_d2d_stats *da = arch_d2d_stats_get(arch_exec_d2d(a->x));
    const arch_d2d_stats *db = arch_d2d_stats_get(arch_exec_d2d(b->x));
    ck_assert_uint_eq(da->reads_remote, 6);
    ck_assert_uint_eq(db->reads_remote, 6);
    ck_assert_uint_eq(da->request_hops, 12);
    ck_assert_uint_eq(db->request_hops, 12);
    ck_assert_uint_eq(da->data_hops, db->data_hops);
    ck_assert_double_eq(da->data_byte_hops, 6.0 * 1048576 * 2);
    ck_assert_double_eq(db->data_byte_hops, 6.0 * 1048576 * 2);
    arch_exec_results ra, rb;
    arch_exec_results_get(a->x, &ra);
    arch_exec_results_get(b->x, &rb);
    ck_assert_double_eq_tol(ra.tile_busy_ticks[0], 6 * 1051648.0 / 3350, 1e-6);
    ck_assert_double_eq_tol(rb.tile_busy_ticks[0], 6 * 1051648.0 / 3350, 1e-6);
}

START_TEST(prefetch_two_layers_by_hand)
{
    world off, on;
    two_layers(&off, NULL, NULL, 0);
    two_layers(&on, "3 MiB", NULL, 0);
    arch_exec_results ro, rn;
    arch_exec_results_get(off.x, &ro);
    arch_exec_results_get(on.x, &rn);
    ck_assert_uint_eq(ro.layers_measured, 2);
    ck_assert_uint_eq(rn.layers_measured, 2);
    double W = 1051648.0 / 3350;
    ws_tick CP = 10000, L1 = CP + (ws_tick)ceil(3 * W - 1e-6);
    ck_assert_uint_eq(ro.prefetch_bytes + ro.prefetch_early_bytes, 0);
    ck_assert_uint_eq(rn.prefetch_bytes, 3 << 20);
    ck_assert_uint_eq(rn.prefetch_early_bytes, 3 << 20);
    ck_assert_double_eq(rn.layer_ticks[0], ro.layer_ticks[0]);
    ck_assert_msg((ws_tick)rn.layer_ticks[1] == L1, "layer 1 took %g ticks, hand calculation %llu",
                  rn.layer_ticks[1], (unsigned long long)L1);
    ck_assert_uint_eq(rn.measured_ticks, (ws_tick)ro.layer_ticks[0] + L1);
    ck_assert_msg(ro.layer_ticks[1] >= (double)CP + 3 * 1048576.0 / 1700 + W,
                  "off, layer 1 took %g ticks, below its bound", ro.layer_ticks[1]);
    assert_same_reads(&off, &on);
    world_down(&off);
    world_down(&on);
}
END_TEST

START_TEST(prefetch_buffer_limits_overlap)
{
    world off, two, none;
    two_layers(&off, NULL, NULL, 0);
    two_layers(&two, "2 MiB", NULL, 0);
    two_layers(&none, "1048575 B", NULL, 0);
    arch_exec_results ro, r2, r0;
    arch_exec_results_get(off.x, &ro);
    arch_exec_results_get(two.x, &r2);
    arch_exec_results_get(none.x, &r0);
    ck_assert_uint_eq(r2.prefetch_bytes, 2 << 20);
    ck_assert_uint_eq(r2.prefetch_early_bytes, 2 << 20);
    ws_tick L1 = 10000 + (ws_tick)ceil(3 * 1051648.0 / 3350 - 1e-6);
    ck_assert_double_gt(r2.layer_ticks[1], (double)L1);
    ck_assert_double_lt(r2.layer_ticks[1], ro.layer_ticks[1]);
    ck_assert_uint_eq(r0.prefetch_bytes + r0.prefetch_early_bytes, 0);
    ck_assert_uint_eq(r0.measured_ticks, ro.measured_ticks);
    ck_assert_double_eq(r0.layer_ticks[1], ro.layer_ticks[1]);
    assert_same_reads(&off, &two);
    assert_same_reads(&off, &none);
    world_down(&off);
    world_down(&two);
    world_down(&none);
}
END_TEST

START_TEST(prefetch_with_dispatch_by_hand)
{
    const char *disp[] = { "strategy.dispatch.enabled=true", "strategy.dispatch.request_placement=one_tile",
                           "strategy.dispatch.request_tile=3" };
    world off, on;
    two_layers(&off, NULL, disp, 3);
    two_layers(&on, "3 MiB", disp, 3);
    ws_tick Z = noc_network_zero_load_latency_bytes(on.net, 2, 1024);
    arch_exec_results ro, rn;
    arch_exec_results_get(off.x, &ro);
    arch_exec_results_get(on.x, &rn);
    ws_tick L1 = 10000 + 3 + Z + (ws_tick)ceil(3 * 1051648.0 / 3350 - 1e-6) + 4 + Z;
    ck_assert_uint_eq(rn.prefetch_early_bytes, 3 << 20);
    ck_assert_double_eq(rn.layer_ticks[0], ro.layer_ticks[0]);
    ck_assert_msg((ws_tick)rn.layer_ticks[1] == L1, "layer 1 took %g ticks, hand calculation %llu",
                  rn.layer_ticks[1], (unsigned long long)L1);
    ck_assert_uint_eq(rn.dispatch_bytes, 2 * 1024);
    ck_assert_uint_eq(rn.combine_bytes, 2 * 1024);
    ck_assert_uint_eq(ro.dispatch_bytes + ro.combine_bytes, rn.dispatch_bytes + rn.combine_bytes);
    assert_same_reads(&off, &on);
    world_down(&off);
    world_down(&on);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("exec");
    TCase *tc = tcase_create("layer");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, home_layer_by_hand);
    tcase_add_test(tc, even_layer_goes_remote);
    tcase_add_test(tc, dispatch_one_token_by_hand);
    tcase_add_test(tc, dispatch_gates_compute);
    tcase_add_test(tc, dispatch_local_request_moves_nothing);
    tcase_add_test(tc, prefetch_two_layers_by_hand);
    tcase_add_test(tc, prefetch_buffer_limits_overlap);
    tcase_add_test(tc, prefetch_with_dispatch_by_hand);
    suite_add_tcase(s, tc);
    return ws_check_run(s);
}
