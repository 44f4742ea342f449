/* core/sweep.c — the points of a sweep; contract in core/sweep.h. */
#define _POSIX_C_SOURCE 200809L
#include "core/sweep.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/run_schema.h"
#include "core/config_schema.h"
#include "core/hash.h"
#include "core/xalloc.h"

/* ------------------------------------------------------------ schema */

typedef struct sweep_section {
    int64_t seeds;
} sweep_section;

static const ws_cfield sweep_fields[] = {
    { .key = "grid", .type = WS_CT_EXTERNAL,
      .doc = "KEY.PATH: [values]; every combination of the values of every key" },
    { .key = "zip", .type = WS_CT_EXTERNAL,
      .doc = "list of groups {KEY.PATH: [values], ...} whose lists vary together" },
    { .key = "seeds", .type = WS_CT_INT, .offset = offsetof(sweep_section, seeds), .def = "1", .min = 1,
      .max = 10000, .doc = "repetitions of every point, with sim.seed, sim.seed + 1, ..." },
};
static const ws_cschema sweep_schema = { "sweep", sizeof(sweep_section), sweep_fields,
                                         sizeof sweep_fields / sizeof sweep_fields[0], NULL };

/* ------------------------------------------------------------ value text */

static void put_text(FILE *out, const ws_ynode *n)
{
    switch (n->kind) {
    case WS_YSCALAR:
        if (n->quoted) {
            fputc('"', out);
            for (const char *c = n->text; *c; c++) {
                if (*c == '"' || *c == '\\')
                    fputc('\\', out);
                fputc(*c, out);
            }
            fputc('"', out);
        } else {
            fputs(n->text, out);
        }
        return;
    case WS_YSEQUENCE:
        fputc('[', out);
        for (size_t i = 0; i < n->n; i++) {
            fputs(i ? ", " : "", out);
            put_text(out, n->items[i]);
        }
        fputc(']', out);
        return;
    case WS_YMAPPING:
        fputc('{', out);
        for (size_t i = 0; i < n->n; i++) {
            fprintf(out, "%s%s: ", i ? ", " : "", n->keys[i]);
            put_text(out, n->items[i]);
        }
        fputc('}', out);
        return;
    }
}

char *ws_sweep_value_text(const ws_ynode *n)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    if (!mem)
        abort();
    put_text(mem, n);
    fclose(mem);
    return buf;
}

/* ------------------------------------------------------------ loading */

static const ws_sweep_axis *find_axis(const ws_sweep *s, const char *key)
{
    for (size_t i = 0; i < s->n_axes; i++)
        if (!strcmp(s->axes[i].key, key))
            return &s->axes[i];
    return NULL;
}

/* Adds the axes of one mapping {KEY.PATH: [values]}: each key its own
 * dimension (grid) or all of them one dimension (a zip group). */
static void add_axes(ws_sweep *s, const ws_ynode *map, const char *path, bool zip, ws_diag *d)
{
    size_t dim = s->n_dims, group_len = 0;
    for (size_t i = 0; i < map->n; i++) {
        const ws_ynode *v = map->items[i];
        ws_pos kpos = { v->file, map->key_line[i], map->key_column[i] };
        char kpath[512];
        snprintf(kpath, sizeof kpath, "%s.%s", path, map->keys[i]);
        if (v->kind != WS_YSEQUENCE || v->n == 0) {
            ws_diag_error(d, ws_ynode_pos(v), kpath, "expected a non-empty list of values, found %s",
                          v->kind == WS_YSEQUENCE ? "an empty list" : ws_ynode_kind_name(v));
            continue;
        }
        if (find_axis(s, map->keys[i])) {
            ws_diag_error(d, kpos, kpath, "the key path \"%s\" is swept twice", map->keys[i]);
            continue;
        }
        if (zip && group_len && v->n != group_len) {
            ws_diag_error(d, ws_ynode_pos(v), kpath,
                          "expected %zu values (the length of the group's first list), found %zu", group_len,
                          v->n);
            continue;
        }
        s->axes = ws_xrealloc(s->axes, (s->n_axes + 1) * sizeof *s->axes);
        ws_sweep_axis *a = &s->axes[s->n_axes++];
        a->key = ws_xstrdup(map->keys[i]);
        a->n = v->n;
        a->values = (const ws_ynode *const *)v->items;
        a->texts = ws_xmalloc(v->n * sizeof *a->texts);
        for (size_t k = 0; k < v->n; k++)
            a->texts[k] = ws_sweep_value_text(v->items[k]);
        a->dim = zip ? dim : s->n_dims;
        if (!zip || !group_len) {
            s->dim_size = ws_xrealloc(s->dim_size, (s->n_dims + 1) * sizeof *s->dim_size);
            s->dim_size[s->n_dims++] = v->n;
        }
        group_len = v->n;
    }
}

static bool absent(const ws_ynode *n)
{
    return !n || ws_ynode_is_null(n);
}

int ws_sweep_load(ws_sweep *s, const char *path, ws_diag *d)
{
    memset(s, 0, sizeof *s);
    s->seeds = 1;
    size_t errors_before = ws_diag_count(d);
    s->path = ws_xstrdup(path);
    s->tree = ws_yaml_load_file(path, d);
    if (!s->tree) {
        ws_sweep_free(s);
        return -1;
    }
    const ws_ynode *sw = ws_ynode_map_get(s->tree, "sweep");
    if (!absent(sw)) {
        sweep_section sec;
        ws_cschema_read(&sweep_schema, sw, "sweep", 1e9, &sec, d);
        s->seeds = sec.seeds;
        const ws_ynode *grid = ws_ynode_map_get(sw, "grid");
        if (!absent(grid)) {
            if (grid->kind != WS_YMAPPING)
                ws_diag_error(d, ws_ynode_pos(grid), "sweep.grid",
                              "expected a mapping of KEY.PATH: [values], found a %s", ws_ynode_kind_name(grid));
            else
                add_axes(s, grid, "sweep.grid", false, d);
        }
        const ws_ynode *zip = ws_ynode_map_get(sw, "zip");
        if (!absent(zip)) {
            if (zip->kind != WS_YSEQUENCE)
                ws_diag_error(d, ws_ynode_pos(zip), "sweep.zip",
                              "expected a list of groups {KEY.PATH: [values], ...}, found a %s",
                              ws_ynode_kind_name(zip));
            else
                for (size_t g = 0; g < zip->n; g++) {
                    char gpath[64];
                    snprintf(gpath, sizeof gpath, "sweep.zip.%zu", g);
                    const ws_ynode *m = zip->items[g];
                    if (m->kind != WS_YMAPPING || m->n == 0)
                        ws_diag_error(d, ws_ynode_pos(m), gpath,
                                      "expected a non-empty mapping {KEY.PATH: [values], ...}, found %s",
                                      m->kind == WS_YMAPPING ? "an empty mapping" : ws_ynode_kind_name(m));
                    else
                        add_axes(s, m, gpath, true, d);
                }
        }
        double n = (double)s->seeds;
        for (size_t i = 0; i < s->n_dims; i++)
            n *= (double)s->dim_size[i];
        if (ws_diag_count(d) == errors_before && n > WS_SWEEP_MAX_POINTS)
            ws_diag_error(d, ws_ynode_pos(sw), "sweep", "%.0f combinations and repetitions, more than the limit of %d",
                          n, WS_SWEEP_MAX_POINTS);
    }
    if (ws_diag_count(d) > errors_before) {
        ws_sweep_free(s);
        return -1;
    }
    return 0;
}

void ws_sweep_free(ws_sweep *s)
{
    for (size_t i = 0; i < s->n_axes; i++) {
        free(s->axes[i].key);
        for (size_t k = 0; k < s->axes[i].n; k++)
            free(s->axes[i].texts[k]);
        free(s->axes[i].texts);
    }
    free(s->axes);
    free(s->dim_size);
    ws_ynode_free(s->tree);
    free(s->path);
    memset(s, 0, sizeof *s);
}

/* ------------------------------------------------------------ points */

int ws_sweep_baseline(const ws_config *base, size_t *index)
{
    const ws_variant_config *v = base->variants.items;
    *index = 0;
    if (!base->baseline || !*base->baseline)
        return 0;
    for (size_t i = 0; i < base->variants.n; i++)
        if (!strcmp(v[i].name, base->baseline)) {
            *index = i;
            return 0;
        }
    return -1;
}

const char *ws_sweep_variant_name(const ws_config *base, const ws_sweep_point *p)
{
    return base->variants.n ? ((const ws_variant_config *)base->variants.items)[p->variant].name : "default";
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void point_id(const ws_sweep *s, const ws_config *base, const ws_sweep_point *p)
{
    char **lines = ws_xmalloc((s->n_axes + 1) * sizeof *lines);
    for (size_t a = 0; a < s->n_axes; a++) {
        const char *t = s->axes[a].texts[p->value[a]];
        size_t n = strlen(s->axes[a].key) + strlen(t) + 2;
        lines[a] = ws_xmalloc(n);
        snprintf(lines[a], n, "%s=%s", s->axes[a].key, t);
    }
    qsort(lines, s->n_axes, sizeof *lines, cmp_str);
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    if (!mem)
        abort();
    for (size_t a = 0; a < s->n_axes; a++) {
        fprintf(mem, "%s\n", lines[a]);
        free(lines[a]);
    }
    free(lines);
    fprintf(mem, "variant=%s", ws_sweep_variant_name(base, p));
    if (p->repetition > 0)
        fprintf(mem, "\nrepetition=%lld", (long long)p->repetition);
    fclose(mem);
    char hex[17];
    ws_hash64_hex(ws_hash64(buf, len), hex);
    free(buf);
    memcpy((char *)p->id, hex, WS_SWEEP_ID_LEN);
    ((char *)p->id)[WS_SWEEP_ID_LEN] = '\0';
}

static int cmp_point_id(const void *a, const void *b)
{
    const ws_sweep_point *const *x = a, *const *y = b;
    int c = strcmp((*x)->id, (*y)->id);
    return c ? c : ((*x)->index > (*y)->index) - ((*x)->index < (*y)->index);
}

int ws_sweep_expand(const ws_sweep *s, const ws_config *base, ws_sweep_point **points, size_t *n_out, ws_diag *d)
{
    size_t n_variants = base->variants.n ? base->variants.n : 1;
    size_t n_combos = 1;
    for (size_t i = 0; i < s->n_dims; i++)
        n_combos *= s->dim_size[i];
    size_t n = n_combos * (size_t)s->seeds * n_variants;
    ws_sweep_point *pts = ws_xcalloc(n ? n : 1, sizeof *pts);
    size_t *digit = ws_xcalloc(s->n_dims + 1, sizeof *digit);
    size_t k = 0;
    for (size_t c = 0; c < n_combos; c++) {
        /* mixed-radix digits of c, the first dimension slowest */
        size_t rest = c;
        for (size_t i = s->n_dims; i-- > 0;) {
            digit[i] = rest % s->dim_size[i];
            rest /= s->dim_size[i];
        }
        for (int64_t r = 0; r < s->seeds; r++)
            for (size_t v = 0; v < n_variants; v++) {
                ws_sweep_point *p = &pts[k];
                p->index = k++;
                p->value = ws_xcalloc(s->n_axes + 1, sizeof *p->value);
                for (size_t a = 0; a < s->n_axes; a++)
                    p->value[a] = digit[s->axes[a].dim];
                p->variant = v;
                p->repetition = r;
                p->group = c * (size_t)s->seeds + (size_t)r;
                point_id(s, base, p);
            }
    }
    free(digit);
    /* ids must be unique: the same description twice is a repeated value */
    const ws_sweep_point **sorted = ws_xmalloc((n ? n : 1) * sizeof *sorted);
    for (size_t i = 0; i < n; i++)
        sorted[i] = &pts[i];
    qsort(sorted, n, sizeof *sorted, cmp_point_id);
    int rc = 0;
    for (size_t i = 1; i < n && !rc; i++)
        if (!strcmp(sorted[i]->id, sorted[i - 1]->id)) {
            const ws_ynode *sw = ws_ynode_map_get(s->tree, "sweep");
            ws_diag_error(d, sw ? ws_ynode_pos(sw) : ws_ynode_pos(s->tree), "sweep",
                          "points %zu and %zu are the same point (id %s): a value or variant listed twice?",
                          sorted[i - 1]->index, sorted[i]->index, sorted[i]->id);
            rc = -1;
        }
    free(sorted);
    if (rc) {
        ws_sweep_points_free(pts, n);
        return -1;
    }
    *points = pts;
    *n_out = n;
    return 0;
}

void ws_sweep_points_free(ws_sweep_point *points, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(points[i].value);
    free(points);
}

int ws_sweep_point_config(const ws_sweep *s, const ws_config *base, const ws_sweep_point *p,
                          const char *const *sets, size_t n_sets, ws_config *cfg, ws_diag *d)
{
    ws_config_node_set *nodes = ws_xmalloc((s->n_axes + 1) * sizeof *nodes);
    for (size_t a = 0; a < s->n_axes; a++)
        nodes[a] = (ws_config_node_set){ s->axes[a].key, s->axes[a].values[p->value[a]] };
    const ws_variant_config *var = base->variants.n ? &((const ws_variant_config *)base->variants.items)[p->variant]
                                                    : NULL;
    size_t nv = var ? var->set.n : 0;
    const char **all = ws_xmalloc((n_sets + nv + 2) * sizeof *all);
    for (size_t i = 0; i < n_sets; i++)
        all[i] = sets[i];
    for (size_t i = 0; i < nv; i++)
        all[n_sets + i] = ((char *const *)var->set.items)[i];
    int rc = ws_config_load_nodes(cfg, s->path, nodes, s->n_axes, all, n_sets + nv, d);
    if (!rc && p->repetition > 0) {
        char seed[64];
        snprintf(seed, sizeof seed, "sim.seed=%lld", (long long)(cfg->sim.seed + p->repetition));
        all[n_sets + nv] = seed;
        ws_config_free(cfg);
        rc = ws_config_load_nodes(cfg, s->path, nodes, s->n_axes, all, n_sets + nv + 1, d);
    }
    free(all);
    free(nodes);
    if (rc)
        return -1;
    /* the point's config alone: the other variants are other points */
    ws_variant_config *vs = cfg->variants.items;
    for (size_t i = 0; i < cfg->variants.n; i++)
        ws_cschema_free(&arch_variant_schema, &vs[i]);
    free(cfg->variants.items);
    cfg->variants = (ws_clist){ 0, NULL };
    free(cfg->baseline);
    cfg->baseline = ws_xstrdup("");
    return 0;
}

/* Adds the messages of `from` not already in `to`. */
static void diag_merge_unique(ws_diag *to, const ws_diag *from)
{
    for (size_t i = 0; i < from->n_stored; i++) {
        const ws_diag_msg *m = &from->msgs[i];
        bool seen = false;
        for (size_t k = 0; k < to->n_stored && !seen; k++) {
            const ws_diag_msg *t = &to->msgs[k];
            seen = t->line == m->line && t->column == m->column && !strcmp(t->text, m->text) &&
                   !strcmp(t->file ? t->file : "", m->file ? m->file : "") &&
                   !strcmp(t->key_path ? t->key_path : "", m->key_path ? m->key_path : "");
        }
        if (!seen) {
            ws_pos pos = { m->file, m->line, m->column };
            ws_diag_error(to, pos, m->key_path, "%s", m->text);
        }
    }
}

int ws_sweep_load_all(ws_sweep *s, const char *path, const ws_config *base, const char *const *sets,
                      size_t n_sets, ws_sweep_point **points, size_t *n, ws_config **cfgs, ws_diag *d)
{
    size_t errors_before = ws_diag_count(d);
    if (ws_sweep_load(s, path, d) != 0)
        return -1;
    if (ws_sweep_expand(s, base, points, n, d) != 0) {
        ws_sweep_free(s);
        return -1;
    }
    ws_config *all = cfgs ? ws_xcalloc(*n + 1, sizeof *all) : NULL;
    for (size_t i = 0; i < *n; i++) {
        ws_diag local;
        ws_diag_init(&local, WS_DIAG_DEFAULT_LIMIT);
        ws_config c;
        if (ws_sweep_point_config(s, base, &(*points)[i], sets, n_sets, &c, &local) == 0) {
            if (all)
                all[i] = c;
            else
                ws_config_free(&c);
        }
        diag_merge_unique(d, &local);
        ws_diag_free(&local);
    }
    if (ws_diag_count(d) > errors_before) {
        for (size_t i = 0; all && i < *n; i++)
            ws_config_free(&all[i]);
        free(all);
        ws_sweep_points_free(*points, *n);
        *points = NULL;
        *n = 0;
        ws_sweep_free(s);
        return -1;
    }
    if (cfgs)
        *cfgs = all;
    return 0;
}

typedef struct sched_item {
    uint64_t key;
    size_t index, group, rank;   /* group: its place among the groups; rank: within its group */
} sched_item;

static int by_key(const void *a, const void *b)
{
    const sched_item *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

static int by_rank(const void *a, const void *b)
{
    const sched_item *x = a, *y = b;
    if (x->rank != y->rank)
        return x->rank < y->rank ? -1 : 1;
    return x->group < y->group ? -1 : x->group > y->group;
}

typedef struct sched_group {
    size_t first;   /* the group's first point, in expansion order */
    int64_t size;
    size_t id;      /* its number in key order */
} sched_group;

static int by_size(const void *a, const void *b)
{
    const sched_group *x = a, *y = b;
    if (x->size != y->size)
        return x->size > y->size ? -1 : 1;
    return x->first < y->first ? -1 : x->first > y->first;
}

void ws_sweep_schedule(const uint64_t *key, const int64_t *size, size_t n, size_t *order)
{
    sched_item *it = ws_xmalloc((n ? n : 1) * sizeof *it);
    sched_group *g = ws_xmalloc((n ? n : 1) * sizeof *g);
    size_t *place = ws_xmalloc((n ? n : 1) * sizeof *place), ng = 0;
    for (size_t i = 0; i < n; i++)
        it[i] = (sched_item){ .key = key[i], .index = i };
    qsort(it, n, sizeof *it, by_key);   /* each group's points together, in expansion order */
    for (size_t i = 0; i < n; i++) {
        if (i == 0 || it[i].key != it[i - 1].key) {
            g[ng] = (sched_group){ .first = it[i].index, .size = size[it[i].index], .id = ng };
            ng++;
        }
        it[i].group = ng - 1;
        it[i].rank = i == 0 || it[i].key != it[i - 1].key ? 0 : it[i - 1].rank + 1;
    }
    qsort(g, ng, sizeof *g, by_size);   /* the groups' places: largest first */
    for (size_t s = 0; s < ng; s++)
        place[g[s].id] = s;
    for (size_t i = 0; i < n; i++)
        it[i].group = place[it[i].group];
    qsort(it, n, sizeof *it, by_rank);
    for (size_t i = 0; i < n; i++)
        order[i] = it[i].index;
    free(it);
    free(g);
    free(place);
}
