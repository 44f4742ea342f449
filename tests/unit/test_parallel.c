/* tests/unit/test_parallel.c — pins ws_parallel_for (core/parallel.h):
 * every index runs exactly once whatever the thread count, a failing job
 * stops the hand-out (exactly, with one thread), and the pool really uses
 * several threads. Also ws_table_append (core/output.h), which `wafersim
 * run -j` uses to put per-variant rows back in order. */
#define _POSIX_C_SOURCE 200809L
#include <check.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/output.h"
#include "core/parallel.h"
#include "tests/unit/check_main.h"

typedef struct counts {
    int runs[200];
    size_t fail_at;          /* index whose job fails (>= n: none) */
    pthread_mutex_t lock;
    pthread_t seen[8];
    int n_seen;
    int sleep_ms;
    int wait_threads;
} counts;

static int job(void *ctx, size_t i)
{
    counts *c = ctx;
    c->runs[i]++;            /* each index belongs to one job: no race */
    pthread_mutex_lock(&c->lock);
    bool known = false;
    for (int k = 0; k < c->n_seen; k++)
        known |= pthread_equal(c->seen[k], pthread_self()) != 0;
    if (!known && c->n_seen < 8)
        c->seen[c->n_seen++] = pthread_self();
    pthread_mutex_unlock(&c->lock);
    if (c->sleep_ms) {
        struct timespec ts = { 0, (long)c->sleep_ms * 1000000L };
        nanosleep(&ts, NULL);
    }
    /* wait_threads: hold every job until that many threads have been seen
       (at most ~5 s), so that each thread surely takes one */
    for (int k = 0; c->wait_threads && k < 5000; k++) {
        pthread_mutex_lock(&c->lock);
        int seen = c->n_seen;
        pthread_mutex_unlock(&c->lock);
        if (seen >= c->wait_threads)
            break;
        struct timespec ts = { 0, 1000000L };
        nanosleep(&ts, NULL);
    }
    return i == c->fail_at ? -1 : 0;
}

static void reset(counts *c, size_t fail_at, int sleep_ms)
{
    memset(c->runs, 0, sizeof c->runs);
    c->fail_at = fail_at;
    c->n_seen = 0;
    c->sleep_ms = sleep_ms;
    c->wait_threads = 0;
}

START_TEST(each_index_once)
{
    counts c;
    pthread_mutex_init(&c.lock, NULL);
    const unsigned threads[] = { 0, 1, 2, 3, 7, 300 };
    for (size_t t = 0; t < sizeof threads / sizeof threads[0]; t++) {
        reset(&c, 1000, 0);
        ck_assert_uint_eq(ws_parallel_for(200, threads[t], job, &c), 200);
        for (int i = 0; i < 200; i++)
            ck_assert_int_eq(c.runs[i], 1);
    }
    reset(&c, 1000, 0);
    ck_assert_uint_eq(ws_parallel_for(0, 4, job, &c), 0);
    pthread_mutex_destroy(&c.lock);
}
END_TEST

START_TEST(failure_stops_hand_out)
{
    counts c;
    pthread_mutex_init(&c.lock, NULL);
    reset(&c, 10, 0);
    ck_assert_uint_eq(ws_parallel_for(200, 1, job, &c), 11);   /* 0..10 ran, in order */
    for (int i = 0; i < 200; i++)
        ck_assert_int_eq(c.runs[i], i <= 10);
    /* with threads, the failing job and those already running finish and
       the hand-out stops: which others ran depends on timing, but with
       jobs of 20 ms, far fewer than 200 (100 would take 3 threads ~0.7 s) */
    reset(&c, 3, 20);
    size_t ran = ws_parallel_for(200, 4, job, &c);
    ck_assert_uint_ge(ran, 4);
    ck_assert_uint_lt(ran, 100);
    ck_assert_int_eq(c.runs[3], 1);
    int total = 0;
    for (int i = 0; i < 200; i++) {
        ck_assert_int_le(c.runs[i], 1);
        total += c.runs[i];
    }
    ck_assert_int_eq(total, (int)ran);
    pthread_mutex_destroy(&c.lock);
}
END_TEST

START_TEST(uses_several_threads)
{
    counts c;
    pthread_mutex_init(&c.lock, NULL);
    reset(&c, 1000, 0);      /* each of the first jobs waits until 4 threads run one */
    c.wait_threads = 4;
    ck_assert_uint_eq(ws_parallel_for(40, 4, job, &c), 40);
    ck_assert_int_eq(c.n_seen, 4);
    reset(&c, 1000, 0);
    ws_parallel_for(40, 1, job, &c);
    ck_assert_int_eq(c.n_seen, 1);
    ck_assert(pthread_equal(c.seen[0], pthread_self()));
    pthread_mutex_destroy(&c.lock);
}
END_TEST

START_TEST(table_append_copies_rows)
{
    const char *cols[] = { "name", "n", "x" };
    ws_table *a = ws_table_new("a", 3, cols), *b = ws_table_new("b", 3, cols);
    size_t r = ws_table_add_row(a);
    ws_table_set_str(a, r, 0, "first");
    ws_table_set_int(a, r, 1, 1);
    for (int k = 0; k < 40; k++) {   /* enough rows to grow a several times */
        r = ws_table_add_row(b);
        ws_table_set_str(b, r, 0, k % 2 ? "odd" : "even");
        ws_table_set_int(b, r, 1, k);
        if (k % 3)
            ws_table_set_double(b, r, 2, k / 4.0);
    }
    ws_table_append(a, b);
    ws_table_free(b);        /* the copies must not point into b */
    ck_assert_uint_eq(ws_table_rows(a), 41);
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    ws_table_render(a, NULL, WS_FORMAT_CSV, mem);
    fclose(mem);
    ck_assert_ptr_nonnull(strstr(text, "name,n,x\nfirst,1,\neven,0,\nodd,1,0.25\neven,2,0.5\nodd,3,\n"));
    ck_assert_ptr_nonnull(strstr(text, "\nodd,37,9.25\neven,38,9.5\nodd,39,\n"));
    free(text);
    ws_table_free(a);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("parallel");
    TCase *tc = tcase_create("pool");
    tcase_add_test(tc, each_index_once);
    tcase_add_test(tc, failure_stops_hand_out);
    tcase_add_test(tc, uses_several_threads);
    tcase_add_test(tc, table_append_copies_rows);
    suite_add_tcase(s, tc);
    return ws_check_run(s);
}
