/* arch/exec.c — the MoE layer state machine; contract in arch/exec.h.
 *
 * One layer: PLAN (tick s) -> ISSUE (s + CP time) -> RUNNING (until every
 * matrix has arrived) -> BARRIER (until the slowest compute die is done)
 * -> PLAN of the next layer at the same tick. Chunks delivered by the D2D
 * controllers are queued with their arrival tick and folded into the
 * compute dies at the next evaluate, in delivery order. With next-layer
 * prefetch, PLAN also makes the next layer's plan, ISSUE hands the chunks
 * that came early to the dies, and a tile whose current reads are all in
 * starts its next-layer reads (bookkeeping in arch/prefetch.h). */
#include "arch/exec.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/compute.h"
#include "arch/dispatch.h"
#include "arch/prefetch.h"
#include "core/heap.h"
#include "core/xalloc.h"

typedef enum phase { PH_PLAN, PH_ISSUE, PH_RUNNING, PH_BARRIER, PH_DONE, PH_FAILED } phase;

typedef struct read_rec {
    uint32_t task, matrix;
    uint64_t received;
} read_rec;

/* A fetch asked by the prefetch hook: reads cookie PF_BIT | (3 x index + matrix). */
#define PF_BIT 0x80000000u
typedef struct prefetch_rec {
    arch_task item;
    uint32_t layer, done;
    uint64_t received[3];
} prefetch_rec;

/* Token dispatch (strategy.dispatch): reads cookie DISP_BIT | (src x tiles
 * + dst) for the layer's activation message of a tile pair, COMB_BIT |
 * (task x tiles + home) for a task's combine message to one home tile. */
#define DISP_BIT 0x40000000u
#define COMB_BIT 0x20000000u
#define CODE_MASK 0x1fffffffu

/* Next-layer prefetch (strategy.prefetch_next_layer, never with the hooks,
 * so never with PF_BIT alone): reads cookie NL_TAG | NL_ODD when the read's
 * layer is odd in run order | (3 x task + matrix) in that layer's plan. */
#define NL_TAG (PF_BIT | COMB_BIT)
#define NL_ODD DISP_BIT

typedef struct combine_send {
    ws_tick at;
    uint32_t task, home;
} combine_send;

static bool combine_before(const combine_send *a, const combine_send *b)
{
    if (a->at != b->at)
        return a->at < b->at;
    if (a->task != b->task)
        return a->task < b->task;
    return a->home < b->home;
}

WS_HEAP_DEFINE(combine_heap, combine_send, combine_before)

typedef struct arrival {
    ws_tick at;
    uint32_t read;
    uint64_t bytes;
    bool last;
} arrival;

typedef struct die {
    double free_at;           /* fractional ticks */
} die;

struct arch_exec {
    ws_engine *engine;
    size_t id;
    arch_exec_setup s;
    arch_d2d *d2d;
    arch_compute *compute;
    int overlap;              /* ws_overlap_mode */
    uint32_t tiles, grid_x, grid_y, n_moe, n_experts;
    double dtype_bytes;
    /* command processor */
    ws_tick cp_ticks;
    /* progress */
    phase ph;
    uint32_t iteration, layer;
    ws_tick layer_start, due;
    arch_plan plan;
    double *task_matrix_ticks;    /* [task] gemm time of one matrix */
    bool *copy;                   /* [task] hooks: data also written locally */
    prefetch_rec *pf;             /* hooks: prefetches of the run */
    size_t n_pf, cap_pf;
    uint8_t *copy_done;           /* [task] matrices of a copied task fully arrived */
    read_rec *reads;
    size_t n_reads, cap_reads, reads_open;
    arrival *inbox;
    size_t n_inbox, cap_inbox;
    die *dies;
    double *busy;             /* [tile] compute work of measured layers */
    double *layer_busy;       /* [tile] compute work of the current layer */
    /* token dispatch and combine (NULL disp: off, the study's model) */
    arch_dispatch *disp;
    double act_bytes;         /* one token's activation: hidden x activation_bytes */
    uint32_t shared;          /* shared experts computed on the home tiles */
    bool *ready;              /* [task] every dispatched activation has arrived */
    uint32_t *pending;        /* [task] dispatch messages it still waits for */
    uint8_t *reads_left;      /* [task] matrices whose last chunk is still to come */
    double *deferred;         /* [task] compute work that arrived before its activations */
    uint64_t *pair_tokens;    /* [src x tiles + dst] tokens dispatched this layer */
    size_t tasks_open, disp_open, comb_open;
    combine_heap comb_q;      /* combine messages waiting for their task's end */
    ws_tick issue_tick, disp_last, comb_first, comb_last, tasks_end;
    bool disp_any, comb_any;
    /* next-layer prefetch (NULL nl: off) */
    arch_prefetch *nl;
    arch_plan next_plan;      /* the plan of the layer after this one, known now (an oracle) */
    bool have_next;
    uint32_t next_layer;
    /* results */
    arch_exec_results r;
    double *layer_ticks;
    size_t cap_layers;
    ws_tick first_start;
    char failure[256];
};

/* ------------------------------------------------------------ helpers */

/* The first iteration >= it that is simulated (last + 1 when none). */
static uint32_t next_simulated(const arch_exec_setup *s, uint32_t it)
{
    while (s->role && it <= s->last_iteration && s->role[it] == ARCH_ITER_SKIP)
        it++;
    return it;
}

/* The first MoE layer >= l that iteration `it` simulates (n_moe when none). */
static uint32_t next_layer_on(const arch_exec *x, uint32_t it, uint32_t l)
{
    const uint8_t *on = x->s.layer_on;
    while (on && l < x->n_moe && !on[(size_t)it * x->n_moe + l])
        l++;
    return l;
}

/* Whether the current iteration measures anything (its tokens count). */
static bool step_measured(const arch_exec *x)
{
    return x->s.role ? x->s.role[x->iteration] == ARCH_ITER_MEASURED : x->iteration >= x->s.measure_from;
}

/* Whether the current layer is measured. */
static bool measured(const arch_exec *x)
{
    return step_measured(x) &&
           (!x->s.layer_on || x->s.layer_on[(size_t)x->iteration * x->n_moe + x->layer] == ARCH_UNIT_MEASURED);
}

static ws_tick cp_cost(const ws_config *cfg, uint32_t n_experts, size_t n_tasks)
{
    const ws_cp_config *cp = &cfg->strategy.cp;
    if (cp->kind == WS_CP_ON_WAFER)
        return ws_config_ticks(cfg, cp->latency_s);
    /* host: expert counts out (4 B each), the plan back (12 B per task) */
    double bytes = 4.0 * n_experts + 12.0 * (double)n_tasks;
    return ws_config_ticks(cfg, 2 * cp->pcie_latency_s + bytes / cp->pcie_bandwidth_bytes_per_s + cp->host_time_s);
}

static uint32_t nearest_holder(const arch_exec *x, uint32_t layer, uint32_t expert, uint32_t tile)
{
    if (mem_residency_present(x->s.residency, layer, expert, tile))
        return tile;
    uint32_t best = (uint32_t)mem_residency_home(x->s.residency, layer, expert);
    uint32_t best_d = arch_tile_distance(x->grid_x, tile, best);
    for (uint32_t h = 0; h < x->tiles; h++)
        if (mem_residency_present(x->s.residency, layer, expert, h)) {
            uint32_t d = arch_tile_distance(x->grid_x, tile, h);
            if (d < best_d || (d == best_d && h < best)) {
                best = h;
                best_d = d;
            }
        }
    return best;
}

/* ------------------------------------------------------------ phases */

/* The allocation policy's plan of one layer into *out; false when it
 * breaks the plan contract (the run has then failed). */
static bool make_plan(arch_exec *x, uint32_t iteration, uint32_t layer, arch_plan *out)
{
    const uint32_t *counts = wl_batch_counts(x->s.batch, iteration, layer);
    const ws_config *cfg = x->s.cfg;
    const wl_model *m = x->s.model;
    arch_alloc_ctx ctx = {
        .n_tiles = x->tiles, .grid_x = x->grid_x, .grid_y = x->grid_y, .n_experts = x->n_experts,
        .layer = layer, .counts = counts, .residency = x->s.residency, .affine = &cfg->strategy.affine,
    };
    double hbm = ws_config_bytes_per_tick(cfg, cfg->hw.tile.hbm.bandwidth_bytes_per_s);
    double link = ws_config_bytes_per_tick(cfg, cfg->hw.link.bandwidth_bytes_per_s);
    ctx.cost.expert_hbm_ticks = (double)m->expert_bytes / hbm;
    ctx.cost.expert_link_ticks = (double)m->expert_bytes / link;
    ctx.cost.hop_ticks = (double)ws_config_ticks(cfg, cfg->hw.link.latency_s);
    ctx.cost.token_compute_ticks =
        3 * arch_compute_gemm_ticks(x->compute, 1, (uint64_t)m->hidden, (uint64_t)m->expert_ffn, x->dtype_bytes);
    arch_plan_clear(out);
    x->s.alloc->plan(&ctx, out);
    char err[200];
    if (arch_plan_check(out, counts, x->n_experts, x->tiles, err, sizeof err) != 0) {
        snprintf(x->failure, sizeof x->failure, "allocation policy %s, iteration %u, MoE layer %u: %s",
                 x->s.alloc->name, iteration, layer, err);
        x->ph = PH_FAILED;
        return false;
    }
    return true;
}

/* Prefetch: the plan of the layer after the current one in run order (the
 * next simulated iteration's first after the last), made now. */
static bool plan_next(arch_exec *x)
{
    uint32_t it = x->iteration, l = x->layer + 1;
    if (l == x->n_moe) {
        l = 0;
        it = next_simulated(&x->s, it + 1);
    }
    if (it > x->s.last_iteration)
        return true;
    x->next_layer = l;
    x->have_next = make_plan(x, it, l, &x->next_plan);
    if (x->have_next && 3 * x->next_plan.n > CODE_MASK) {
        snprintf(x->failure, sizeof x->failure, "iteration %u, MoE layer %u: %zu tasks are too many for next-layer "
                 "prefetch's read ids (at most %u reads)", it, l, x->next_plan.n, CODE_MASK);
        x->ph = PH_FAILED;
        x->have_next = false;
    }
    return x->have_next;
}

static void plan_layer(arch_exec *x, ws_tick now)
{
    const ws_config *cfg = x->s.cfg;
    if (x->have_next) {   /* made while the previous layer ran */
        arch_plan t = x->plan;
        x->plan = x->next_plan;
        x->next_plan = t;
        x->have_next = false;
    } else if (!make_plan(x, x->iteration, x->layer, &x->plan))
        return;
    /* message ids: task x tiles + home (combine), src x tiles + dst (dispatch) */
    if (x->disp && (uint64_t)((x->plan.n > x->tiles ? x->plan.n : x->tiles) + 1) * x->tiles > CODE_MASK) {
        snprintf(x->failure, sizeof x->failure, "iteration %u, MoE layer %u: %zu tasks on %u tiles are too many "
                 "for token dispatch's message ids (at most %u task x tile pairs)", x->iteration, x->layer,
                 x->plan.n, x->tiles, CODE_MASK);
        x->ph = PH_FAILED;
        return;
    }
    if (x->disp && arch_dispatch_map(x->disp, x->iteration, x->layer, &x->plan) != 0) {
        snprintf(x->failure, sizeof x->failure, "iteration %u, MoE layer %u: the batch's routes do not cover "
                 "the plan (token dispatch)", x->iteration, x->layer);
        x->ph = PH_FAILED;
        return;
    }
    if (x->nl && !plan_next(x))
        return;
    x->layer_start = now;
    x->due = now + x->cp_ticks;
    if (cfg->strategy.cp.kind == WS_CP_HOST)
        x->due = now + cp_cost(cfg, x->n_experts, x->plan.n);
    if (measured(x))
        x->r.cp_ticks += x->due - now;
    x->ph = PH_ISSUE;
}

static uint64_t act_message_bytes(const arch_exec *x, uint64_t tokens)
{
    return (uint64_t)ceil((double)tokens * x->act_bytes - 1e-9);
}

/* Adds `work` to a die from tick t on (it runs after whatever it holds). */
static void die_run(die *d, double t, double work)
{
    d->free_at = (d->free_at > t ? d->free_at : t) + work;
}

static void count_work(arch_exec *x, uint32_t tile, double work)
{
    x->layer_busy[tile] += work;
    if (measured(x)) {
        x->busy[tile] += work;
        x->r.compute_ticks_total += work;
    }
}

/* At the layer's issue: one activation message per (home tile, task tile)
 * pair with tokens to move, the shared experts on the home tiles, and the
 * per-task bookkeeping (a task computes once its activations are in). */
static void issue_dispatch(arch_exec *x, ws_tick now)
{
    size_t n = x->plan.n, N = n ? n : 1;
    uint32_t T = x->tiles;
    const uint32_t *th = arch_dispatch_task_home(x->disp);
    x->ready = ws_xrealloc(x->ready, N * sizeof *x->ready);
    x->pending = ws_xrealloc(x->pending, N * sizeof *x->pending);
    x->reads_left = ws_xrealloc(x->reads_left, N * sizeof *x->reads_left);
    x->deferred = ws_xrealloc(x->deferred, N * sizeof *x->deferred);
    memset(x->pair_tokens, 0, (size_t)T * T * sizeof *x->pair_tokens);
    for (size_t t = 0; t < n; t++) {
        uint32_t dst = x->plan.tasks[t].tile;
        x->pending[t] = 0;
        x->reads_left[t] = 3;
        x->deferred[t] = 0;
        for (uint32_t h = 0; h < T; h++)
            if (h != dst && th[t * T + h]) {
                x->pair_tokens[(size_t)h * T + dst] += th[t * T + h];
                x->pending[t]++;
            }
        x->ready[t] = x->pending[t] == 0;
    }
    x->issue_tick = now;
    x->disp_any = x->comb_any = false;
    x->comb_last = x->tasks_end = 0;
    x->tasks_open = n;
    for (uint32_t h = 0; h < T; h++)
        for (uint32_t dst = 0; dst < T; dst++) {
            uint64_t tokens = x->pair_tokens[(size_t)h * T + dst];
            if (!tokens)
                continue;
            uint64_t bytes = act_message_bytes(x, tokens);
            x->r.dispatch_bytes += bytes;
            x->r.dispatch_byte_hops += (double)bytes * arch_tile_distance(x->grid_x, h, dst);
            x->r.dispatch_messages++;
            x->disp_open++;
            x->disp_any = true;
            arch_d2d_send(x->d2d, now, (int)h, (int)dst, bytes, (void *)(uintptr_t)(DISP_BIT | (h * T + dst)));
        }
    x->disp_last = now;
    if (!x->shared)
        return;
    const uint32_t *home = arch_dispatch_home_tokens(x->disp);
    const wl_model *m = x->s.model;
    for (uint32_t h = 0; h < T; h++) {
        if (!home[h])
            continue;
        double work = 3.0 * x->shared *
                      arch_compute_gemm_ticks(x->compute, home[h], (uint64_t)m->hidden, (uint64_t)m->expert_ffn,
                                              x->dtype_bytes);
        die_run(&x->dies[h], (double)now, work);
        count_work(x, h, work);
        x->r.shared_tokens_all += (uint64_t)home[h] * x->shared;
        if (measured(x))
            x->r.shared_ticks += work;
    }
}

/* A task has all its data and activations in: its outputs go home when
 * its die has computed it. */
static void task_done(arch_exec *x, ws_tick now, uint32_t t)
{
    x->tasks_open--;
    uint32_t tile = x->plan.tasks[t].tile, T = x->tiles;
    ws_tick end = (ws_tick)ceil(x->dies[tile].free_at - 1e-6);
    if (end < now)
        end = now;
    if (end > x->tasks_end)
        x->tasks_end = end;
    const uint32_t *th = arch_dispatch_task_home(x->disp);
    for (uint32_t h = 0; h < T; h++)
        if (h != tile && th[(size_t)t * T + h])
            combine_heap_push(&x->comb_q, (combine_send){ end, t, h });
}

/* Combine messages whose task has ended by now leave. */
static void issue_combines(arch_exec *x, ws_tick now)
{
    uint32_t T = x->tiles;
    const uint32_t *th = arch_dispatch_task_home(x->disp);
    while (x->comb_q.n && x->comb_q.items[0].at <= now) {
        combine_send c = combine_heap_pop(&x->comb_q);
        uint32_t tile = x->plan.tasks[c.task].tile;
        uint64_t bytes = act_message_bytes(x, th[(size_t)c.task * T + c.home]);
        x->r.combine_bytes += bytes;
        x->r.combine_byte_hops += (double)bytes * arch_tile_distance(x->grid_x, tile, c.home);
        x->r.combine_messages++;
        if (!x->comb_any)
            x->comb_first = now;
        x->comb_any = true;
        x->comb_open++;
        arch_d2d_send(x->d2d, now, (int)tile, (int)c.home, bytes,
                      (void *)(uintptr_t)(COMB_BIT | (c.task * T + c.home)));
    }
}

/* The last chunk of a pair's activation message: its tasks may start. */
static void dispatch_arrived(arch_exec *x, ws_tick now, const arrival *a)
{
    if (!a->last)
        return;
    uint32_t T = x->tiles, code = a->read & CODE_MASK, h = code / T, dst = code % T;
    const uint32_t *th = arch_dispatch_task_home(x->disp);
    x->disp_open--;
    if (a->at > x->disp_last)
        x->disp_last = a->at;
    for (size_t t = 0; t < x->plan.n; t++) {
        if (x->plan.tasks[t].tile != dst || !th[t * T + h] || --x->pending[t])
            continue;
        x->ready[t] = true;
        if (x->deferred[t] > 0)
            die_run(&x->dies[dst], (double)a->at, x->deferred[t]);
        x->deferred[t] = 0;
        if (!x->reads_left[t])
            task_done(x, now, (uint32_t)t);
    }
}

/* One matrix of a task's expert, read by the task's tile from holder. */
static void read_matrix(arch_exec *x, ws_tick now, uint32_t layer, const arch_task *task, uint32_t holder,
                        uint32_t mat, uint32_t cookie)
{
    arch_d2d_read_req q = {
        .requester = (int)task->tile, .holder = (int)holder,
        .addr = mem_residency_holder_address(x->s.residency, layer, task->expert, holder, mat),
        .bytes = x->s.model->matrix_bytes,
        .object = ((uint64_t)layer << 40) | ((uint64_t)task->expert << 8) | mat,
        .cookie = (void *)(uintptr_t)cookie,
    };
    arch_d2d_read(x->d2d, now, &q);
}

static void prefetch_period(arch_exec *x, ws_tick now);

static void issue_reads(arch_exec *x, ws_tick now)
{
    const wl_model *m = x->s.model;
    size_t n = x->plan.n;
    x->task_matrix_ticks = ws_xrealloc(x->task_matrix_ticks, (n ? n : 1) * sizeof *x->task_matrix_ticks);
    if (3 * n > x->cap_reads) {
        x->cap_reads = 3 * n;
        x->reads = ws_xrealloc(x->reads, x->cap_reads * sizeof *x->reads);
    }
    x->n_reads = 3 * n;
    x->reads_open = 3 * n;
    const arch_exec_hooks *h = x->s.hooks;
    if (x->disp)
        issue_dispatch(x, now);
    if (x->nl)   /* what the previous layer started of this one becomes current */
        arch_prefetch_begin(x->nl, &x->plan, x->have_next ? &x->next_plan : NULL);
    if (h) {
        x->copy = ws_xrealloc(x->copy, (n ? n : 1) * sizeof *x->copy);
        x->copy_done = ws_xrealloc(x->copy_done, (n ? n : 1) * sizeof *x->copy_done);
        memset(x->copy, 0, (n ? n : 1) * sizeof *x->copy);
        memset(x->copy_done, 0, (n ? n : 1) * sizeof *x->copy_done);
        if (h->plan)
            h->plan(h->ctx, x->iteration, x->layer, &x->plan, x->copy);
    }
    for (size_t t = 0; t < n; t++) {
        const arch_task *task = &x->plan.tasks[t];
        x->task_matrix_ticks[t] = arch_compute_gemm_ticks(x->compute, task->tokens, (uint64_t)m->hidden,
                                                          (uint64_t)m->expert_ffn, x->dtype_bytes);
        x->r.task_tokens_all += task->tokens;
        if (measured(x)) {
            x->r.tasks++;
            x->r.task_tokens += task->tokens;
        }
        uint32_t holder = nearest_holder(x, x->layer, task->expert, task->tile);
        if (h) {
            x->copy[t] = x->copy[t] && holder != task->tile;
            if (h->read)
                h->read(h->ctx, x->layer, task, holder);
        }
        for (uint32_t mat = 0; mat < 3; mat++) {
            size_t ri = 3 * t + mat;
            x->reads[ri] = (read_rec){ (uint32_t)t, mat, 0 };
            if (!x->nl || !arch_prefetch_started(x->nl, ri))   /* else under way since the previous layer */
                read_matrix(x, now, x->layer, task, holder, mat, (uint32_t)ri);
        }
    }
    if (n == 0)
        x->reads_open = 0;
    x->ph = PH_RUNNING;
    if (x->nl)
        prefetch_period(x, now);
}

/* Folds the chunks that arrived into the compute dies. */
/* The migration hooks' side of an arrival: a chunk of a task marked for
 * copy is also written into the tile's reserved region (posted). */
static void copy_chunk(arch_exec *x, ws_tick now, const read_rec *rd, const arrival *a)
{
    const arch_task *task = &x->plan.tasks[rd->task];
    uint64_t addr = mem_residency_home_capacity(x->s.residency) + rd->matrix * x->s.model->matrix_bytes +
                    rd->received;
    arch_d2d_write(x->d2d, now, (int)task->tile, addr, a->bytes);
    if (a->last && ++x->copy_done[rd->task] == 3 && x->s.hooks->copied)
        x->s.hooks->copied(x->s.hooks->ctx, x->layer, task);
}

/* A prefetched chunk: written into the tile's reserved region. */
static void prefetch_chunk(arch_exec *x, ws_tick now, const arrival *a)
{
    uint32_t code = a->read & ~PF_BIT, mat = code % 3;
    prefetch_rec *p = &x->pf[code / 3];
    uint64_t addr = mem_residency_home_capacity(x->s.residency) + mat * x->s.model->matrix_bytes + p->received[mat];
    p->received[mat] += a->bytes;
    arch_d2d_write(x->d2d, now, (int)p->item.tile, addr, a->bytes);
    if (a->last && ++p->done == 3 && x->s.hooks->copied)
        x->s.hooks->copied(x->s.hooks->ctx, p->layer, &p->item);
}

static void prefetch_tile(arch_exec *x, ws_tick now, uint32_t tile);

/* A chunk of one of the current layer's weight reads. */
static void consume_read(arch_exec *x, ws_tick now, const arrival *a)
{
    const wl_model *m = x->s.model;
    read_rec *rd = &x->reads[a->read];
    const arch_task *task = &x->plan.tasks[rd->task];
    die *d = &x->dies[task->tile];
    double t = (double)a->at;
    double work;
    bool waits = x->disp && !x->ready[rd->task];   /* activations not in yet: held back */
    if (x->overlap == WS_OVERLAP_PIPELINED) {
        work = (double)a->bytes / (double)m->matrix_bytes * x->task_matrix_ticks[rd->task];
        if (!waits)
            die_run(d, t, work);
    } else {
        work = a->last ? x->task_matrix_ticks[rd->task] : 0;
        if (a->last && !waits)
            die_run(d, t, work);
    }
    if (waits)
        x->deferred[rd->task] += work;
    if (x->s.hooks && x->copy[rd->task])
        copy_chunk(x, now, rd, a);
    count_work(x, task->tile, work);
    rd->received += a->bytes;
    if (a->last) {
        x->reads_open--;
        if (x->disp && --x->reads_left[rd->task] == 0 && x->ready[rd->task])
            task_done(x, now, rd->task);
        if (x->nl && arch_prefetch_read_done(x->nl, task->tile))
            prefetch_tile(x, now, task->tile);
    }
}

/* A chunk of a prefetched read: an ordinary one once its layer runs, else
 * held until its layer's issue. */
static void next_layer_chunk(arch_exec *x, ws_tick now, const arrival *a)
{
    arrival c = *a;
    c.read = a->read & CODE_MASK;
    if (x->ph == PH_RUNNING && ((a->read & NL_ODD) != 0) == ((x->r.layers_run & 1) != 0)) {
        consume_read(x, now, &c);
        return;
    }
    arch_prefetch_hold(x->nl, c.read, c.bytes, c.last);
    x->r.prefetch_early_bytes += c.bytes;
}

static void consume_arrivals(arch_exec *x, ws_tick now)
{
    for (size_t i = 0; i < x->n_inbox; i++) {
        const arrival *a = &x->inbox[i];
        if ((a->read & NL_TAG) == NL_TAG) {   /* tested first: NL_TAG includes PF_BIT */
            next_layer_chunk(x, now, a);
            continue;
        }
        if (a->read & PF_BIT) {
            prefetch_chunk(x, now, a);
            continue;
        }
        if (a->read & DISP_BIT) {
            dispatch_arrived(x, now, a);
            continue;
        }
        if (a->read & COMB_BIT) {
            if (a->last) {
                x->comb_open--;
                x->comb_last = a->at > x->comb_last ? a->at : x->comb_last;
            }
            continue;
        }
        consume_read(x, now, a);
    }
    x->n_inbox = 0;
}

/* Starts the reads of the tile's next-layer tasks that fit in its buffer. */
static void prefetch_tile(arch_exec *x, ws_tick now, uint32_t tile)
{
    const uint32_t *reads;
    size_t n = arch_prefetch_pick(x->nl, tile, &reads);
    uint32_t odd = (x->r.layers_run + 1) & 1 ? NL_ODD : 0;
    for (size_t i = 0; i < n; i++) {
        const arch_task *task = &x->next_plan.tasks[reads[i] / 3];
        uint32_t holder = nearest_holder(x, x->next_layer, task->expert, task->tile);
        read_matrix(x, now, x->next_layer, task, holder, reads[i] % 3, NL_TAG | odd | reads[i]);
        x->r.prefetch_bytes += x->s.model->matrix_bytes;
    }
}

/* At a layer's issue, once its reads are issued: the chunks of its reads
 * that came early reach the dies now, and tiles with none of its reads
 * left start the next layer's. */
static void prefetch_period(arch_exec *x, ws_tick now)
{
    const arch_prefetch_chunk *c;
    size_t n = arch_prefetch_held(x->nl, &c);
    for (size_t i = 0; i < n; i++)
        consume_read(x, now, &(arrival){ now, c[i].read, c[i].bytes, c[i].last });
    arch_prefetch_release(x->nl);
    for (uint32_t tile = 0; tile < x->tiles; tile++)
        if (!arch_prefetch_open(x->nl, tile))
            prefetch_tile(x, now, tile);
}

/* The prefetch hook's items: three reads each from the nearest holder. */
static void issue_prefetch(arch_exec *x, ws_tick now)
{
    const arch_exec_hooks *h = x->s.hooks;
    const arch_task *items;
    size_t n = h->prefetch(h->ctx, x->iteration, x->layer, now - x->layer_start, &items);
    for (size_t i = 0; i < n; i++) {
        uint32_t holder = nearest_holder(x, x->layer, items[i].expert, items[i].tile);
        if (holder == items[i].tile)
            continue;
        if (x->n_pf == x->cap_pf) {
            x->cap_pf = x->cap_pf ? 2 * x->cap_pf : 64;
            x->pf = ws_xrealloc(x->pf, x->cap_pf * sizeof *x->pf);
        }
        size_t pi = x->n_pf++;
        x->pf[pi] = (prefetch_rec){ .item = items[i], .layer = x->layer };
        for (uint32_t mat = 0; mat < 3; mat++) {
            arch_d2d_read_req q = {
                .requester = (int)items[i].tile, .holder = (int)holder,
                .addr = mem_residency_address(x->s.residency, x->layer, items[i].expert, mat),
                .bytes = x->s.model->matrix_bytes,
                .object = ((uint64_t)x->layer << 40) | ((uint64_t)items[i].expert << 8) | mat,
                .cookie = (void *)(uintptr_t)(PF_BIT | (uint32_t)(3 * pi + mat)),
            };
            arch_d2d_read(x->d2d, now, &q);
        }
    }
}

static void finish_layer(arch_exec *x, ws_tick now)
{
    if (x->s.hooks && x->s.hooks->layer_end)
        x->s.hooks->layer_end(x->s.hooks->ctx, x->iteration, x->layer);
    if (x->s.hooks && x->s.hooks->prefetch)
        issue_prefetch(x, now);
    x->r.layers_run++;
    double max = 0, sum = 0;
    for (uint32_t t = 0; t < x->tiles; t++) {
        if (x->layer_busy[t] > max)
            max = x->layer_busy[t];
        sum += x->layer_busy[t];
        x->layer_busy[t] = 0;
    }
    if (measured(x) && x->disp) {
        x->r.dispatch_ticks += x->disp_any ? x->disp_last - x->issue_tick : 0;
        x->r.combine_ticks += x->comb_any ? x->comb_last - x->comb_first : 0;
        x->r.combine_tail_ticks += x->comb_any && x->comb_last > x->tasks_end ? x->comb_last - x->tasks_end : 0;
    }
    if (measured(x)) {
        x->r.layer_imbalance_sum += sum > 0 ? max / (sum / x->tiles) : 1;
        if (x->r.layers_measured == x->cap_layers) {
            x->cap_layers = x->cap_layers ? 2 * x->cap_layers : 256;
            x->layer_ticks = ws_xrealloc(x->layer_ticks, x->cap_layers * sizeof *x->layer_ticks);
        }
        x->layer_ticks[x->r.layers_measured++] = (double)(now - x->layer_start);
        x->r.measured_ticks += now - x->layer_start;
    }
    x->r.total_ticks = now - x->first_start;
    x->r.unit_tokens_all += wl_batch_iteration_tokens(x->s.batch, x->iteration);
    x->layer = next_layer_on(x, x->iteration, x->layer + 1);
    while (x->layer == x->n_moe) {
        if (step_measured(x))
            x->r.tokens_measured += wl_batch_iteration_tokens(x->s.batch, x->iteration);
        x->r.iterations_run++;
        x->iteration = next_simulated(&x->s, x->iteration + 1);
        if (x->iteration > x->s.last_iteration) {
            x->ph = PH_DONE;
            return;
        }
        x->layer = next_layer_on(x, x->iteration, 0);
    }
    x->ph = PH_PLAN;
    x->due = now;
}

/* ------------------------------------------------------------ component */

static void exec_evaluate(void *self, ws_tick now)
{
    arch_exec *x = self;
    if (x->n_inbox)
        consume_arrivals(x, now);
    if (x->disp && x->comb_q.n)
        issue_combines(x, now);
    for (;;) {
        switch (x->ph) {
        case PH_PLAN:
            if (now != x->due)
                return;
            plan_layer(x, now);
            ws_engine_progress(x->engine);
            continue;
        case PH_ISSUE:
            if (now != x->due)
                return;
            issue_reads(x, now);
            continue;
        case PH_RUNNING: {
            if (x->reads_open)
                return;
            if (x->disp && (x->disp_open || x->tasks_open || x->comb_q.n || x->comb_open))
                return;
            double end = 0;
            for (uint32_t t = 0; t < x->tiles; t++)
                if (x->dies[t].free_at > end)
                    end = x->dies[t].free_at;
            ws_tick end_tick = (ws_tick)ceil(end - 1e-6);
            x->due = end_tick > now ? end_tick : now;
            ws_engine_progress_due(x->engine, x->due);   /* computing until then is not a stall */
            x->ph = PH_BARRIER;
            continue;
        }
        case PH_BARRIER:
            if (now != x->due)
                return;
            finish_layer(x, now);
            ws_engine_progress(x->engine);
            continue;
        case PH_DONE:
        case PH_FAILED:
            return;
        }
    }
}

static ws_tick exec_next_due(const void *self, ws_tick now)
{
    const arch_exec *x = self;
    switch (x->ph) {
    case PH_PLAN:
    case PH_ISSUE:
    case PH_BARRIER:
        return x->due > now ? x->due : WS_TICK_NEVER;
    case PH_RUNNING:
        if (x->comb_q.n)   /* a combine message leaves when its task ends */
            return x->comb_q.items[0].at > now ? x->comb_q.items[0].at : now + 1;
        return WS_TICK_NEVER;   /* chunks wake us through the inbox */
    default:
        return WS_TICK_NEVER;   /* chunks wake us through the inbox */
    }
}

static bool exec_busy(const void *self)
{
    const arch_exec *x = self;
    return x->ph != PH_DONE && x->ph != PH_FAILED;
}

static void exec_describe(const void *self, FILE *out)
{
    const arch_exec *x = self;
    static const char *const names[] = { "planning", "in the command processor", "fetching weights",
                                         "at the layer barrier", "done", "failed" };
    fprintf(out, "iteration %u, MoE layer %u: %s, %zu of %zu matrix reads outstanding", x->iteration, x->layer,
            names[x->ph], x->reads_open, x->n_reads);
    if (x->disp)
        fprintf(out, "; token dispatch: %zu activation messages in flight, %zu tasks unfinished, %zu combine "
                "messages waiting, %zu in flight", x->disp_open, x->tasks_open, x->comb_q.n, x->comb_open);
    if (x->nl) {
        const arch_prefetch_chunk *c;
        fprintf(out, "; next-layer prefetch: %zu early chunks held", arch_prefetch_held(x->nl, &c));
    }
}

static const ws_component_ops exec_ops = {
    .evaluate = exec_evaluate, .next_due = exec_next_due, .busy = exec_busy, .describe_stall = exec_describe,
};

/* D2D delivery: record, and look at it next tick (core/engine.h rule). */
static void on_chunk(void *owner, ws_tick at, void *cookie, uint64_t bytes, bool last)
{
    arch_exec *x = owner;
    if (x->n_inbox == x->cap_inbox) {
        x->cap_inbox = x->cap_inbox ? 2 * x->cap_inbox : 1024;
        x->inbox = ws_xrealloc(x->inbox, x->cap_inbox * sizeof *x->inbox);
    }
    x->inbox[x->n_inbox++] = (arrival){ at, (uint32_t)(uintptr_t)cookie, bytes, last };
    ws_engine_wake(x->engine, x->id, at + 1);
}

/* ------------------------------------------------------------ public */

arch_exec *arch_exec_new(ws_engine *e, noc_network *net, const arch_exec_setup *s)
{
    arch_exec *x = ws_xcalloc(1, sizeof *x);
    x->engine = e;
    x->s = *s;
    const ws_config *cfg = s->cfg;
    x->grid_x = (uint32_t)cfg->hw.grid.x;
    x->grid_y = (uint32_t)cfg->hw.grid.y;
    x->tiles = x->grid_x * x->grid_y;
    x->n_moe = s->model->n_moe;
    x->n_experts = (uint32_t)s->model->routed_experts;
    x->dtype_bytes = s->model->dtype_bits / 8.0;
    x->overlap = cfg->hw.tile.compute.overlap;
    x->cp_ticks = cp_cost(cfg, x->n_experts, 0);
    size_t n_eff = cfg->hw.tile.compute.efficiency.n;
    double *tok = ws_xcalloc(n_eff + 1, sizeof *tok), *eff = ws_xcalloc(n_eff + 1, sizeof *eff);
    arch_compute_params cp;
    arch_compute_params_from_config(cfg, &cp, tok, eff);
    x->compute = arch_compute_new(&cp);
    free(tok);
    free(eff);
    x->dies = ws_xcalloc(x->tiles, sizeof *x->dies);
    x->busy = ws_xcalloc(x->tiles, sizeof *x->busy);
    x->layer_busy = ws_xcalloc(x->tiles, sizeof *x->layer_busy);
    x->iteration = next_simulated(s, s->first_iteration);
    x->layer = x->iteration <= s->last_iteration ? next_layer_on(x, x->iteration, 0) : 0;
    x->ph = PH_PLAN;
    x->due = 0;
    x->id = ws_engine_add(e, "exec", x, &exec_ops);
    x->d2d = arch_d2d_new(e, net, cfg, on_chunk, x);
    const ws_dispatch_config *dc = &cfg->strategy.dispatch;
    if (dc->enabled) {
        x->disp = arch_dispatch_new(dc, x->tiles, s->batch, x->n_experts, (uint32_t)s->model->top_k);
        x->act_bytes = (double)s->model->hidden * dc->activation_bytes;
        x->shared = dc->shared_experts ? (uint32_t)s->model->shared_experts : 0;
        x->pair_tokens = ws_xcalloc((size_t)x->tiles * x->tiles, sizeof *x->pair_tokens);
    }
    if (cfg->strategy.prefetch_next_layer) {
        x->nl = arch_prefetch_new(x->tiles, cfg->strategy.prefetch_buffer_bytes, s->model->matrix_bytes);
        if (s->hooks) {
            snprintf(x->failure, sizeof x->failure, "strategy.prefetch_next_layer: not modelled together with the "
                     "executor's hooks (the migration unit)");
            x->ph = PH_FAILED;
        }
    }
    return x;
}

void arch_exec_free(arch_exec *x)
{
    if (!x)
        return;
    arch_d2d_free(x->d2d);
    arch_compute_free(x->compute);
    arch_plan_free(&x->plan);
    free(x->task_matrix_ticks);
    free(x->copy);
    free(x->pf);
    free(x->copy_done);
    free(x->reads);
    free(x->inbox);
    free(x->dies);
    free(x->busy);
    free(x->layer_busy);
    free(x->layer_ticks);
    arch_dispatch_free(x->disp);
    arch_prefetch_free(x->nl);
    arch_plan_free(&x->next_plan);
    free(x->ready);
    free(x->pending);
    free(x->reads_left);
    free(x->deferred);
    free(x->pair_tokens);
    combine_heap_free(&x->comb_q);
    free(x);
}

arch_d2d *arch_exec_d2d(const arch_exec *x) { return x->d2d; }
bool arch_exec_finished(const arch_exec *x) { return x->ph == PH_DONE; }
const char *arch_exec_failed(const arch_exec *x) { return x->ph == PH_FAILED ? x->failure : NULL; }

void arch_exec_results_get(const arch_exec *x, arch_exec_results *out)
{
    *out = x->r;
    out->layer_ticks = x->layer_ticks;
    static const double none = 0;
    if (!out->layer_ticks)
        out->layer_ticks = &none;
    out->tile_busy_ticks = x->busy;
}
