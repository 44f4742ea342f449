/* arch/alloc.c — plans, their conservation check, and the allocation
 * registry; contract in arch/alloc.h. */
#include "arch/alloc.h"

#include <stdio.h>
#include <stdlib.h>

#include "arch/alloc_list.h"
#include "core/xalloc.h"

#define DECLARE(name, summary) extern const arch_alloc_policy arch_alloc_##name;
ARCH_ALLOC_LIST(DECLARE)
#define ENTRY(name, summary) &arch_alloc_##name,
const arch_alloc_policy *const arch_alloc_registry[] = { ARCH_ALLOC_LIST(ENTRY) };
const size_t arch_alloc_count = sizeof arch_alloc_registry / sizeof arch_alloc_registry[0];

void arch_plan_add(arch_plan *p, uint32_t expert, uint32_t tile, uint32_t tokens)
{
    if (p->n == p->cap) {
        p->cap = p->cap ? 2 * p->cap : 256;
        p->tasks = ws_xrealloc(p->tasks, p->cap * sizeof *p->tasks);
    }
    p->tasks[p->n++] = (arch_task){ expert, tile, tokens };
}

void arch_plan_clear(arch_plan *p) { p->n = 0; }

void arch_plan_free(arch_plan *p)
{
    free(p->tasks);
    p->tasks = NULL;
    p->n = p->cap = 0;
}

int arch_plan_check(const arch_plan *p, const uint32_t *counts, uint32_t n_experts, uint32_t n_tiles, char *err,
                    size_t err_len)
{
    uint64_t *sum = ws_xcalloc(n_experts, sizeof *sum);
    int rc = 0;
    for (size_t i = 0; i < p->n && !rc; i++) {
        const arch_task *t = &p->tasks[i];
        if (t->expert >= n_experts || t->tile >= n_tiles || t->tokens == 0) {
            snprintf(err, err_len, "task %zu (expert %u, tile %u, %u tokens) is invalid", i, t->expert, t->tile,
                     t->tokens);
            rc = -1;
            break;
        }
        for (size_t j = 0; j < i; j++)
            if (p->tasks[j].expert == t->expert && p->tasks[j].tile == t->tile) {
                snprintf(err, err_len, "expert %u has two tasks on tile %u", t->expert, t->tile);
                rc = -1;
                break;
            }
        sum[t->expert] += t->tokens;
    }
    for (uint32_t e = 0; e < n_experts && !rc; e++)
        if (sum[e] != counts[e]) {
            snprintf(err, err_len, "expert %u: the plan computes %llu tokens, the batch selected it %u times", e,
                     (unsigned long long)sum[e], counts[e]);
            rc = -1;
        }
    free(sum);
    return rc;
}
