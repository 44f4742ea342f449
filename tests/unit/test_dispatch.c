/* tests/unit/test_dispatch.c — pins arch/dispatch.h: home tiles of the
 * three request placements, and the token -> task mapping on a hand-made
 * plan. Model tests/fixtures/run/one_layer.yaml (4 experts, top-1); four
 * requests whose decode tokens pick experts 1, 1, 1, 2. Plan: expert 1 on
 * tile 2 (2 tokens) then tile 0 (1 token), expert 2 on tile 1 (1 token).
 * Expert 1's token list is slots 0, 1, 2: the first task takes slots 0 and
 * 1, the second slot 2; expert 2's task takes slot 3. */
#define _POSIX_C_SOURCE 200809L
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arch/dispatch.h"
#include "arch/request_place.h"
#include "tests/unit/check_main.h"
#include "workload/model.h"
#include "workload/trace_writer.h"

typedef struct fixture {
    wl_model model;
    wl_trace *trace;
    wl_batch *batch;
    char path[256];
} fixture;

static void fixture_up(fixture *f)
{
    const char *top = getenv("TOP_SRCDIR");
    ck_assert_msg(top != NULL, "TOP_SRCDIR must be set");
    char buf[4096], err[256];
    snprintf(buf, sizeof buf, "%s/tests/fixtures/run/one_layer.yaml", top);
    ws_diag d;
    ws_diag_init(&d, 0);
    ck_assert_int_eq(wl_model_load(&f->model, buf, &d), 0);
    ws_diag_free(&d);
    snprintf(f->path, sizeof f->path, "/tmp/wafersim-test-dispatch-%ld.wst", (long)getpid());
    wl_trace_shape shape = wl_trace_shape_of(&f->model);
    wl_trace_writer *tw = wl_trace_writer_open(f->path, &shape, err, sizeof err);
    ck_assert_ptr_nonnull(tw);
    const uint16_t picks[4] = { 1, 1, 1, 2 };
    for (int r = 0; r < 4; r++) {
        uint16_t ids[2] = { 0, picks[r] };   /* prompt token, decode token */
        char name[8];
        snprintf(name, sizeof name, "r%d", r);
        ck_assert_int_eq(wl_trace_writer_add(tw, name, 1, 1, 1, ids, err, sizeof err), 0);
    }
    ck_assert_int_eq(wl_trace_writer_commit(tw, err, sizeof err), 0);
    f->trace = wl_trace_open(f->path, 0, err, sizeof err);
    ck_assert_ptr_nonnull(f->trace);
    f->batch = wl_batch_build(f->trace, 4, false, 1, err, sizeof err);
    ck_assert_ptr_nonnull(f->batch);
}

static void fixture_down(fixture *f)
{
    wl_batch_free(f->batch);
    wl_trace_close(f->trace);
    unlink(f->path);
    wl_model_free(&f->model);
}

/* The registry index of a request placement policy. */
static int policy(const char *name)
{
    for (size_t i = 0; i < arch_request_place_count; i++)
        if (!strcmp(arch_request_place_registry[i]->name, name))
            return (int)i;
    ck_abort_msg("no request placement %s", name);
    return -1;
}

static void hand_plan(arch_plan *p)
{
    *p = (arch_plan){ 0 };
    arch_plan_add(p, 1, 2, 2);
    arch_plan_add(p, 1, 0, 1);
    arch_plan_add(p, 2, 1, 1);
}

START_TEST(round_robin_mapping)
{
    fixture f;
    fixture_up(&f);
    ws_dispatch_config c = { .enabled = true, .request_placement = policy("round_robin") };
    arch_dispatch *d = arch_dispatch_new(&c, 4, f.batch, 4, 1);
    for (uint64_t s = 0; s < 4; s++)
        ck_assert_uint_eq(arch_dispatch_home(d, s), s);
    arch_plan p;
    hand_plan(&p);
    ck_assert_int_eq(arch_dispatch_map(d, 1, 0, &p), 0);
    const uint32_t *th = arch_dispatch_task_home(d);
    /* task 0 (expert 1, tile 2): slots 0, 1 -> homes 0, 1 */
    const uint32_t want[3][4] = { { 1, 1, 0, 0 }, { 0, 0, 1, 0 }, { 0, 0, 0, 1 } };
    for (int t = 0; t < 3; t++)
        for (int h = 0; h < 4; h++)
            ck_assert_msg(th[t * 4 + h] == want[t][h], "task %d, home %d: %u tokens, want %u", t, h, th[t * 4 + h],
                          want[t][h]);
    const uint32_t *home = arch_dispatch_home_tokens(d);
    for (int h = 0; h < 4; h++)
        ck_assert_uint_eq(home[h], 1);
    /* a plan that computes a token the routes do not have is refused */
    p.tasks[2].tokens = 2;
    ck_assert_int_eq(arch_dispatch_map(d, 1, 0, &p), -1);
    arch_plan_free(&p);
    arch_dispatch_free(d);
    fixture_down(&f);
}
END_TEST

START_TEST(contiguous_and_one_tile_homes)
{
    fixture f;
    fixture_up(&f);
    ws_dispatch_config c = { .enabled = true, .request_placement = policy("contiguous") };
    arch_dispatch *d = arch_dispatch_new(&c, 3, f.batch, 4, 1);   /* 4 slots on 3 tiles: 0, 0, 1, 2 */
    const uint32_t want[4] = { 0, 0, 1, 2 };
    for (uint64_t s = 0; s < 4; s++)
        ck_assert_uint_eq(arch_dispatch_home(d, s), want[s]);
    arch_plan p;
    hand_plan(&p);
    ck_assert_int_eq(arch_dispatch_map(d, 1, 0, &p), 0);
    const uint32_t *th = arch_dispatch_task_home(d);
    ck_assert_uint_eq(th[0 * 3 + 0], 2);   /* slots 0, 1 both on tile 0 */
    ck_assert_uint_eq(th[1 * 3 + 1], 1);   /* slot 2 on tile 1 */
    ck_assert_uint_eq(th[2 * 3 + 2], 1);   /* slot 3 on tile 2 */
    arch_dispatch_free(d);
    c = (ws_dispatch_config){ .enabled = true, .request_placement = policy("one_tile"), .request_tile = 2 };
    d = arch_dispatch_new(&c, 4, f.batch, 4, 1);
    ck_assert_int_eq(arch_dispatch_map(d, 1, 0, &p), 0);
    ck_assert_uint_eq(arch_dispatch_home_tokens(d)[2], 4);
    ck_assert_uint_eq(arch_dispatch_task_home(d)[0 * 4 + 2], 2);
    arch_plan_free(&p);
    arch_dispatch_free(d);
    fixture_down(&f);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("dispatch");
    TCase *tc = tcase_create("mapping");
    tcase_add_test(tc, round_robin_mapping);
    tcase_add_test(tc, contiguous_and_one_tile_homes);
    suite_add_tcase(s, tc);
    return ws_check_run(s);
}
