/* core/parallel.c — a minimal thread pool over an index range (contract in
 * core/parallel.h). */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/parallel.h"
#include "core/xalloc.h"

typedef struct pool {
    pthread_mutex_t lock;
    size_t next, n, run;
    bool stop;
    ws_parallel_fn fn;
    void *ctx;
} pool;

/* The next index to run, or n when none is left (or a job failed). */
static size_t take(pool *p)
{
    pthread_mutex_lock(&p->lock);
    size_t i = p->stop ? p->n : p->next;
    if (i < p->n) {
        p->next++;
        p->run++;
    }
    pthread_mutex_unlock(&p->lock);
    return i;
}

static void *worker(void *arg)
{
    pool *p = arg;
    for (size_t i; (i = take(p)) < p->n;) {
        if (p->fn(p->ctx, i) != 0) {
            pthread_mutex_lock(&p->lock);
            p->stop = true;
            pthread_mutex_unlock(&p->lock);
        }
    }
    return NULL;
}

size_t ws_parallel_for(size_t n, unsigned threads, ws_parallel_fn fn, void *ctx)
{
    if (threads <= 1 || n <= 1) {
        for (size_t i = 0; i < n; i++)
            if (fn(ctx, i) != 0)
                return i + 1;
        return n;
    }
    if (threads > n)
        threads = (unsigned)n;
    pool p = { .next = 0, .n = n, .run = 0, .stop = false, .fn = fn, .ctx = ctx };
    pthread_mutex_init(&p.lock, NULL);
    pthread_t *tid = ws_xcalloc(threads - 1, sizeof *tid);
    unsigned started = 0;
    for (; started < threads - 1; started++) {
        if (pthread_create(&tid[started], NULL, worker, &p) != 0) {
            fprintf(stderr, "wafersim: could not start a thread; running on %u\n", started + 1);
            break;
        }
    }
    worker(&p);
    for (unsigned k = 0; k < started; k++)
        pthread_join(tid[k], NULL);
    free(tid);
    pthread_mutex_destroy(&p.lock);
    return p.run;
}
