/* arch/options/link_widening.c — the link widening hardware option: its
 * config schema, its registry entry and the links it widens; contract in
 * arch/options/link_widening.h. Compiled only with --enable-link-widening. */
#include "arch/options/link_widening.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/net_plan.h"
#include "core/config.h"
#include "core/diag.h"
#include "core/table_read.h"
#include "core/xalloc.h"
#include "noc/noc_schema.h"

#define FIELD(f) offsetof(ws_opt_link_widening_params, f)

static const char *const select_names[] = { "all", "horizontal", "vertical", "hottest", "list", NULL };

static void widening_check(void *obj, const ws_ccheck *c)
{
    const ws_opt_link_widening_params *p = obj;
    if (p->select == WS_WIDEN_LIST && p->links.n == 0)
        ws_ccheck_error(c, "links", "select: list needs at least one link in `links`");
    if (p->select != WS_WIDEN_LIST && p->links.n != 0)
        ws_ccheck_error(c, "links", "`links` is only read with select: list (found select: %s)",
                        select_names[p->select]);
    if (p->select == WS_WIDEN_HOTTEST && (p->hottest < 1 || !p->profile || !*p->profile))
        ws_ccheck_error(c, p->hottest < 1 ? "hottest" : "profile",
                        "select: hottest needs `hottest` (a number of links, >= 1) and `profile` (a CSV "
                        "written by `wafersim run --links`)");
    for (size_t i = 0; i < p->links.n; i++) {
        int a, b, x, y;
        bool both;
        char err[160];
        if (noc_parse_link(((char *const *)p->links.items)[i], &a, &b, &x, &y, &both, err, sizeof err))
            ws_ccheck_error(c, "links", "entry %zu: %s", i, err);
    }
}

static const ws_cfield link_widening_fields[] = {
    { .key = "enabled", .type = WS_CT_BOOL, .offset = FIELD(enabled),
      .def = "false", .doc = "turn the link widening option on for this experiment" },
    { .key = "factor", .type = WS_CT_FLOAT, .offset = FIELD(factor), .def = "2", .min = 1, .max = 1000,
      .doc = "bandwidth of a widened link = its bandwidth x factor (latency unchanged)" },
    { .key = "select", .type = WS_CT_ENUM, .offset = FIELD(select), .names = select_names, .def = "all",
      .doc = "which links: all, horizontal (E-W), vertical (N-S), the `hottest` of a profile, or the `links` list" },
    { .key = "links", .type = WS_CT_LIST, .elem = WS_CT_STRING, .offset = FIELD(links), .def = "[]", .min = 0,
      .max = 1e6, .doc = "select: list; links as \"X,Y-X,Y\" (both directions) or \"X,Y>X,Y\" (one direction)" },
    { .key = "hottest", .type = WS_CT_INT, .offset = FIELD(hottest), .def = "0", .min = 0, .max = 1e7,
      .doc = "select: hottest; how many directed links to widen, by utilisation in `profile`" },
    { .key = "profile", .type = WS_CT_STRING, .offset = FIELD(profile), .def = "\"\"",
      .doc = "select: hottest; per-link CSV of an earlier run (`wafersim run --links PATH`)" },
    { .key = "profile_variant", .type = WS_CT_STRING, .offset = FIELD(profile_variant), .def = "\"\"",
      .doc = "select: hottest; the variant whose links are ranked (\"\" = the profile's only variant)" },
    { .key = "area_mm2_per_TBps", .type = WS_CT_FLOAT, .offset = FIELD(area_mm2_per_TBps), .def = "1", .min = 0,
      .max = 1e6, .doc = "die area (mm^2) per TB/s of added link bandwidth (assumption, doc/options.md)" },
    { .key = "power_W_per_TBps", .type = WS_CT_FLOAT, .offset = FIELD(power_W_per_TBps), .def = "4", .min = 0,
      .max = 1e6, .doc = "power (W) per TB/s of added bandwidth at full use: 4 W = 0.5 pJ/bit (assumption)" },
};

const ws_cschema ws_opt_link_widening_schema = {
    .name = "link_widening",
    .size = sizeof(ws_opt_link_widening_params),
    .fields = link_widening_fields,
    .n_fields = sizeof link_widening_fields / sizeof link_widening_fields[0],
    .check = widening_check,
};

/* ------------------------------------------------------- hottest links */

typedef struct hot_link {
    int x0, y0, x1, y1;
    double utilisation;
    size_t row;
} hot_link;

/* Hotter first; ties by position in the file (links appear in a fixed
 * order), so the choice is deterministic. */
static int hotter(const void *a, const void *b)
{
    const hot_link *p = a, *q = b;
    if (p->utilisation != q->utilisation)
        return p->utilisation > q->utilisation ? -1 : 1;
    return (p->row > q->row) - (p->row < q->row);
}

enum { COL_VARIANT, COL_LINK, COL_UTIL, N_COLS };

/* One row of the profile: skipped (1) when of another variant, else
 * checked into *h (0), or refused (-1, reason in err). */
static int read_link_row(const ws_opt_link_widening_params *o, const ws_config *cfg, const ws_table_data *t,
                         const size_t col[N_COLS], size_t row, char chosen[256], hot_link *h, char *err,
                         size_t err_len)
{
    char vbuf[WS_TABLE_CELL_TEXT_MAX], ubuf[WS_TABLE_CELL_TEXT_MAX], lbuf[WS_TABLE_CELL_TEXT_MAX];
    const char *variant = ws_table_data_text(t, row, col[COL_VARIANT], vbuf);
    const char *util = ws_table_data_text(t, row, col[COL_UTIL], ubuf);
    const char *link = ws_table_data_text(t, row, col[COL_LINK], lbuf);
    size_t lineno = ws_table_data_line(t, row);
    if (*o->profile_variant ? strcmp(variant, o->profile_variant) != 0 : false)
        return 1;
    if (!*o->profile_variant) {
        if (!*chosen)
            snprintf(chosen, 256, "%s", variant);
        else if (strcmp(chosen, variant)) {
            snprintf(err, err_len, "%s:%zu: the profile holds several variants (\"%s\", \"%s\", ...): "
                     "name one with options.link_widening.profile_variant", o->profile, lineno, chosen, variant);
            return -1;
        }
    }
    bool both;
    char why[160], *end;
    errno = 0;
    h->utilisation = strtod(util, &end);
    if (end == util || *end || errno) {
        snprintf(err, err_len, "%s:%zu: utilisation: expected a number, found \"%s\"", o->profile, lineno, util);
        return -1;
    }
    if (noc_parse_link(link, &h->x0, &h->y0, &h->x1, &h->y1, &both, why, sizeof why) || both) {
        snprintf(err, err_len, "%s:%zu: link: %s", o->profile, lineno,
                 both ? "expected a directed link \"X,Y>X,Y\"" : why);
        return -1;
    }
    if (h->x0 >= (int)cfg->hw.grid.x || h->x1 >= (int)cfg->hw.grid.x || h->y0 >= (int)cfg->hw.grid.y ||
        h->y1 >= (int)cfg->hw.grid.y || h->x0 < 0 || h->x1 < 0 || h->y0 < 0 || h->y1 < 0) {
        snprintf(err, err_len, "%s:%zu: link \"%s\" is off the %lld x %lld grid of this run (a profile of "
                 "another wafer?)", o->profile, lineno, link, (long long)cfg->hw.grid.x, (long long)cfg->hw.grid.y);
        return -1;
    }
    return 0;
}

static int read_profile(const ws_opt_link_widening_params *o, const ws_config *cfg, hot_link **out, size_t *n_out,
                        char *err, size_t err_len)
{
    FILE *f = fopen(o->profile, "r");
    if (!f) {
        snprintf(err, err_len, "options.link_widening.profile: cannot open \"%s\": %s", o->profile, strerror(errno));
        return -1;
    }
    ws_table_data t;
    int rc = ws_table_read_csv_stream(f, o->profile, &t, err, err_len);
    fclose(f);
    if (rc)
        return -1;
    static const char *const want[N_COLS] = { "variant", "link", "utilisation" };
    size_t col[N_COLS];
    for (int c = 0; c < N_COLS && !rc; c++) {
        ssize_t j = ws_table_data_column(&t, want[c]);
        col[c] = (size_t)j;
        if (j < 0) {
            snprintf(err, err_len, "%s:%zu: not a `wafersim run --links` CSV: no column \"%s\"", o->profile,
                     t.header_line, want[c]);
            rc = -1;
        }
    }
    char chosen[256] = "";
    hot_link *v = NULL;
    size_t n = 0;
    for (size_t row = 0; row < t.n_rows && !rc; row++) {
        hot_link h;
        int got = read_link_row(o, cfg, &t, col, row, chosen, &h, err, err_len);
        if (got < 0) {
            rc = -1;
        } else if (got == 0) {
            h.row = n;
            v = ws_xrealloc(v, (n + 1) * sizeof *v);
            v[n++] = h;
        }
    }
    ws_table_data_free(&t);
    if (!rc && n == 0) {
        snprintf(err, err_len, "%s: no link rows%s%s%s", o->profile, *o->profile_variant ? " of variant \"" : "",
                 o->profile_variant, *o->profile_variant ? "\"" : "");
        rc = -1;
    }
    if (rc) {
        free(v);
        return -1;
    }
    qsort(v, n, sizeof *v, hotter);
    *out = v;
    *n_out = n;
    return 0;
}

static int widen_hottest(const ws_opt_link_widening_params *o, arch_net_plan *p, char *err, size_t err_len)
{
    hot_link *v;
    size_t n;
    if (read_profile(o, &p->cfg, &v, &n, err, err_len))
        return WS_EXIT_BAD_INPUT;
    if ((size_t)o->hottest > n) {
        snprintf(err, err_len, "options.link_widening.hottest: %lld links asked, the profile has %zu",
                 (long long)o->hottest, n);
        free(v);
        return WS_EXIT_BAD_INPUT;
    }
    for (size_t i = 0; i < (size_t)o->hottest; i++)
        arch_net_plan_scale_link(p, v[i].x0, v[i].y0, v[i].x1, v[i].y1, o->factor);
    free(v);
    return 0;
}

/* ------------------------------------------------------------ the hook */

static int widening_plan_network(const ws_config *cfg, arch_net_plan *p, char *err, size_t err_len)
{
    const ws_opt_link_widening_params *o = &cfg->options.link_widening;
    int kx = (int)cfg->hw.grid.x, ky = (int)cfg->hw.grid.y;
    double added_before = p->added_bytes_per_s;
    switch (o->select) {
    case WS_WIDEN_ALL: arch_net_plan_scale_class(p, WS_LINKS_ALL, o->factor); break;
    case WS_WIDEN_HORIZONTAL: arch_net_plan_scale_class(p, WS_LINKS_HORIZONTAL, o->factor); break;
    case WS_WIDEN_VERTICAL: arch_net_plan_scale_class(p, WS_LINKS_VERTICAL, o->factor); break;
    case WS_WIDEN_HOTTEST: {
        int rc = widen_hottest(o, p, err, err_len);
        if (rc)
            return rc;
        break;
    }
    default:
        for (size_t i = 0; i < o->links.n; i++) {
            const char *text = ((char *const *)o->links.items)[i];
            int x0, y0, x1, y1;
            bool both;
            char why[160];
            if (noc_parse_link(text, &x0, &y0, &x1, &y1, &both, why, sizeof why) || x0 < 0 || y0 < 0 ||
                x1 < 0 || y1 < 0 || x0 >= kx || x1 >= kx || y0 >= ky || y1 >= ky) {
                snprintf(err, err_len, "options.link_widening.links: entry %zu: link \"%s\" is off the %d x %d grid",
                         i, text, kx, ky);
                return WS_EXIT_BAD_INPUT;
            }
            arch_net_plan_scale_link(p, x0, y0, x1, y1, o->factor);
            if (both)
                arch_net_plan_scale_link(p, x1, y1, x0, y0, o->factor);
        }
    }
    double added_TBps = (p->added_bytes_per_s - added_before) / 1e12;
    p->area_mm2 += added_TBps * o->area_mm2_per_TBps;
    p->power_W += added_TBps * o->power_W_per_TBps;
    return 0;
}

const ws_hwopt ws_hwopt_link_widening = {
    .name = "link_widening",
    .schema = &ws_opt_link_widening_schema,
    .plan_network = widening_plan_network,
};
