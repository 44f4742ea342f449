/* arch/dispatch.c — home tiles and the token -> task mapping; contract in
 * arch/dispatch.h. */
#include "arch/dispatch.h"

#include <stdlib.h>
#include <string.h>

#include "arch/request_place.h"
#include "core/xalloc.h"

struct arch_dispatch {
    uint32_t tiles, n_experts, top_k;
    const wl_batch *batch;
    uint32_t *home;            /* [slot] */
    uint32_t *task_home;       /* [task x tiles] */
    size_t cap_task_home;
    uint32_t *home_tokens;     /* [tiles] */
    uint32_t *cur, *left;      /* [expert] current task and its tokens still to take */
    uint32_t *next;            /* [task] next task of the same expert in plan order */
    size_t cap_next;
};

arch_dispatch *arch_dispatch_new(const ws_dispatch_config *c, uint32_t tiles, const wl_batch *b,
                                 uint32_t n_experts, uint32_t top_k)
{
    arch_dispatch *d = ws_xcalloc(1, sizeof *d);
    d->tiles = tiles;
    d->n_experts = n_experts;
    d->top_k = top_k;
    d->batch = b;
    uint64_t n = wl_batch_size(b);
    d->home = ws_xmalloc((n ? n : 1) * sizeof *d->home);
    const arch_request_place_policy *p = arch_request_place_registry[c->request_placement];
    arch_request_place_ctx ctx = { .n_tiles = tiles, .batch = n, .request_tile = (uint32_t)c->request_tile };
    for (uint64_t s = 0; s < n; s++)
        d->home[s] = p->home(&ctx, s);
    d->home_tokens = ws_xcalloc(tiles, sizeof *d->home_tokens);
    d->cur = ws_xcalloc(n_experts, sizeof *d->cur);
    d->left = ws_xcalloc(n_experts, sizeof *d->left);
    return d;
}

void arch_dispatch_free(arch_dispatch *d)
{
    if (!d)
        return;
    free(d->home);
    free(d->task_home);
    free(d->home_tokens);
    free(d->cur);
    free(d->left);
    free(d->next);
    free(d);
}

uint32_t arch_dispatch_home(const arch_dispatch *d, uint64_t slot) { return d->home[slot]; }
const uint32_t *arch_dispatch_task_home(const arch_dispatch *d) { return d->task_home; }
const uint32_t *arch_dispatch_home_tokens(const arch_dispatch *d) { return d->home_tokens; }

int arch_dispatch_map(arch_dispatch *d, uint32_t it, uint32_t m, const arch_plan *plan)
{
    size_t n = plan->n, cells = (n ? n : 1) * d->tiles;
    if (cells > d->cap_task_home) {
        d->cap_task_home = cells;
        d->task_home = ws_xrealloc(d->task_home, cells * sizeof *d->task_home);
    }
    memset(d->task_home, 0, cells * sizeof *d->task_home);
    memset(d->home_tokens, 0, d->tiles * sizeof *d->home_tokens);
    if (n > d->cap_next) {
        d->cap_next = n;
        d->next = ws_xrealloc(d->next, n * sizeof *d->next);
    }
    /* each expert's tasks in plan order: a chain from cur[e] through next[] */
    const uint32_t none = UINT32_MAX;
    for (uint32_t e = 0; e < d->n_experts; e++) {
        d->cur[e] = none;
        d->left[e] = 0;
    }
    for (size_t i = n; i-- > 0;) {
        uint32_t e = plan->tasks[i].expert;
        d->next[i] = d->cur[e];
        d->cur[e] = (uint32_t)i;
    }
    for (uint32_t e = 0; e < d->n_experts; e++)
        if (d->cur[e] != none)
            d->left[e] = plan->tasks[d->cur[e]].tokens;
    uint64_t slots = wl_batch_size(d->batch);
    for (uint64_t s = 0; s < slots; s++) {
        uint32_t h = d->home[s], tokens = wl_batch_tokens(d->batch, it, s);
        d->home_tokens[h] += tokens;
        for (uint32_t j = 0; j < tokens; j++) {
            const uint16_t *route = wl_batch_route(d->batch, it, s, j, m);
            if (!route)
                return -1;
            for (uint32_t k = 0; k < d->top_k; k++) {
                uint32_t e = route[k];
                if (e >= d->n_experts || d->cur[e] == none)
                    return -1;
                d->task_home[(size_t)d->cur[e] * d->tiles + h]++;
                if (--d->left[e] == 0) {
                    d->cur[e] = d->next[d->cur[e]];
                    if (d->cur[e] != none)
                        d->left[e] = plan->tasks[d->cur[e]].tokens;
                }
            }
        }
    }
    for (uint32_t e = 0; e < d->n_experts; e++)
        if (d->cur[e] != none)
            return -1;   /* the plan computes more tokens than the routes */
    return 0;
}
