/* arch/picture.c — SVG picture of a run on the wafer; contract in
 * arch/picture.h. */
#include "arch/picture.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/atomic_file.h"

enum {
    TILE = 96,          /* tile square, px */
    GAP = 56,           /* between tiles: room for the two links of a pair */
    MARGIN = 24,
    TITLE_H = 40,
    LEGEND_H = 140,
    PER_ROW = 3,        /* panels per row */
    LINK_W = 9,         /* link stroke */
    LINK_OFF = 14,      /* the two directions of a pair sit this far apart */
};

typedef struct rgb {
    double r, g, b;
} rgb;

/* Piecewise-linear colour maps over 0..1. */
static const rgb link_map[] = {   /* pale yellow -> orange -> dark red */
    { 255, 255, 204 }, { 254, 217, 118 }, { 253, 141, 60 }, { 227, 26, 28 }, { 128, 0, 38 },
};
static const rgb tile_map[] = {   /* white -> blue */
    { 247, 251, 255 }, { 198, 219, 239 }, { 107, 174, 214 }, { 33, 113, 181 }, { 8, 48, 107 },
};
#define MAP_N 5

static void colour(const rgb *map, double v, char out[8])
{
    if (!(v > 0))
        v = 0;
    if (v > 1)
        v = 1;
    double pos = v * (MAP_N - 1);
    int i = (int)pos;
    if (i >= MAP_N - 1)
        i = MAP_N - 2;
    double f = pos - i;
    rgb c = { map[i].r + f * (map[i + 1].r - map[i].r), map[i].g + f * (map[i + 1].g - map[i].g),
              map[i].b + f * (map[i + 1].b - map[i].b) };
    snprintf(out, 8, "#%02x%02x%02x", (int)lround(c.r), (int)lround(c.g), (int)lround(c.b));
}

static void put_escaped(FILE *f, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        default:
            if ((unsigned char)*s >= 0x20 || *s == '\t')
                fputc(*s, f);
        }
    }
}

static void put_prov(const char *key, const char *value, void *ctx)
{
    FILE *f = ctx;
    fprintf(f, "  <ws:provenance key=\"%s\">", key);
    put_escaped(f, value);
    fputs("</ws:provenance>\n", f);
}

static int panel_w(const arch_picture_panel *p) { return 2 * MARGIN + p->grid_x * TILE + (p->grid_x - 1) * GAP; }
static int panel_h(const arch_picture_panel *p) { return TITLE_H + MARGIN + p->grid_y * TILE + (p->grid_y - 1) * GAP; }
static int tile_x0(int ox, int x) { return ox + MARGIN + x * (TILE + GAP); }
static int tile_y0(int oy, int y) { return oy + TITLE_H + y * (TILE + GAP); }

/* One directed link as a thick line with an arrowhead, in the gap between
 * its two tiles; the two directions of a pair are offset to either side. */
static void draw_link(FILE *f, int ox, int oy, const arch_picture_link *l)
{
    char c[8];
    colour(link_map, l->utilisation, c);
    double cx0 = tile_x0(ox, l->x0) + TILE / 2.0, cy0 = tile_y0(oy, l->y0) + TILE / 2.0;
    double x1, y1, x2, y2, ax, ay, bx, by, tx, ty;   /* line, arrowhead base corners, tip */
    int dx = l->x1 - l->x0, dy = l->y1 - l->y0;
    if (dx) {
        double off = dx > 0 ? -LINK_OFF : LINK_OFF;   /* eastward above, westward below */
        double start = cx0 + dx * (TILE / 2.0 + 4), end = cx0 + dx * (TILE / 2.0 + GAP - 4);
        x1 = start, x2 = end - dx * 10, y1 = y2 = cy0 + off;
        tx = end, ty = y2, ax = bx = x2, ay = y2 - 8, by = y2 + 8;
    } else {
        double off = dy > 0 ? LINK_OFF : -LINK_OFF;   /* southward right, northward left */
        double start = cy0 + dy * (TILE / 2.0 + 4), end = cy0 + dy * (TILE / 2.0 + GAP - 4);
        y1 = start, y2 = end - dy * 10, x1 = x2 = cx0 + off;
        tx = x2, ty = end, ay = by = y2, ax = x2 - 8, bx = x2 + 8;
    }
    fprintf(f, "  <g class=\"link\"><title>link %d,%d&gt;%d,%d: utilisation %.6g</title>\n", l->x0, l->y0, l->x1,
            l->y1, l->utilisation);
    fprintf(f, "    <line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"%d\"/>\n", x1, y1,
            x2, y2, c, LINK_W);
    fprintf(f, "    <polygon points=\"%.1f,%.1f %.1f,%.1f %.1f,%.1f\" fill=\"%s\" stroke=\"#555\" stroke-width=\"0.5\"/>"
            "</g>\n", ax, ay, bx, by, tx, ty, c);
}

static void draw_panel(FILE *f, const arch_picture_panel *p, int ox, int oy, double busy_lo, double busy_hi)
{
    fprintf(f, " <g class=\"panel\">\n  <text x=\"%d\" y=\"%d\" font-size=\"18\" font-weight=\"bold\">", ox + MARGIN,
            oy + 26);
    put_escaped(f, p->title);
    fputs("</text>\n", f);
    for (int y = 0; y < p->grid_y; y++)
        for (int x = 0; x < p->grid_x; x++) {
            double busy = p->tile_busy_us[y * p->grid_x + x];
            char c[8];
            double level = busy_hi > busy_lo ? (busy - busy_lo) / (busy_hi - busy_lo) : 0;
            colour(tile_map, level, c);
            int x0 = tile_x0(ox, x), y0 = tile_y0(oy, y);
            bool dark = level > 0.55;
            fprintf(f, "  <g class=\"tile\"><title>tile %d,%d: busy %.6g us</title>\n", x, y, busy);
            fprintf(f, "    <rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" rx=\"6\" fill=\"%s\" stroke=\"#333\"/>\n",
                    x0, y0, TILE, TILE, c);
            fprintf(f, "    <text x=\"%d\" y=\"%d\" font-size=\"13\" text-anchor=\"middle\" fill=\"%s\">%d,%d</text>\n",
                    x0 + TILE / 2, y0 + 38, dark ? "#fff" : "#000", x, y);
            fprintf(f, "    <text x=\"%d\" y=\"%d\" font-size=\"12\" text-anchor=\"middle\" fill=\"%s\">%.4g us</text>"
                    "</g>\n", x0 + TILE / 2, y0 + 60, dark ? "#fff" : "#000", busy);
        }
    for (size_t i = 0; i < p->n_links; i++)
        draw_link(f, ox, oy, &p->links[i]);
    fputs(" </g>\n", f);
}

static void draw_legend_bar(FILE *f, int x, int y, const char *id, const rgb *map, const char *label, double lo,
                            double hi, const char *unit)
{
    fprintf(f, " <defs><linearGradient id=\"%s\">", id);
    for (int i = 0; i < MAP_N; i++) {
        char c[8];
        colour(map, i / (double)(MAP_N - 1), c);
        fprintf(f, "<stop offset=\"%d%%\" stop-color=\"%s\"/>", i * 100 / (MAP_N - 1), c);
    }
    fputs("</linearGradient></defs>\n", f);
    fprintf(f, " <text x=\"%d\" y=\"%d\" font-size=\"13\">%s</text>\n", x, y, label);
    fprintf(f, " <rect x=\"%d\" y=\"%d\" width=\"240\" height=\"16\" fill=\"url(#%s)\" stroke=\"#333\"/>\n", x, y + 8, id);
    fprintf(f, " <text x=\"%d\" y=\"%d\" font-size=\"12\">%.4g%s</text>\n", x, y + 40, lo, unit);
    fprintf(f, " <text x=\"%d\" y=\"%d\" font-size=\"12\" text-anchor=\"end\">%.4g%s</text>\n", x + 240, y + 40, hi,
            unit);
}

int arch_picture_write(const char *path, const arch_picture_panel *panels, size_t n_panels,
                       const ws_provenance *prov, char *err, size_t err_len)
{
    double busy_lo = INFINITY, busy_hi = 0;
    int pw = 0, ph = 0;
    for (size_t i = 0; i < n_panels; i++) {
        for (int t = 0; t < panels[i].grid_x * panels[i].grid_y; t++) {
            busy_lo = fmin(busy_lo, panels[i].tile_busy_us[t]);
            busy_hi = fmax(busy_hi, panels[i].tile_busy_us[t]);
        }
        if (panel_w(&panels[i]) > pw)
            pw = panel_w(&panels[i]);
        if (panel_h(&panels[i]) > ph)
            ph = panel_h(&panels[i]);
    }
    size_t cols = n_panels < PER_ROW ? n_panels : PER_ROW, rows = (n_panels + PER_ROW - 1) / PER_ROW;
    int width = (int)cols * pw > 560 ? (int)cols * pw : 560, height = (int)rows * ph + LEGEND_H;
    ws_atomic_file *af = ws_atomic_open(path, err, err_len);
    if (!af)
        return -1;
    FILE *f = af->fp;
    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
               "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:ws=\"https://wafersim.invalid/ns\" "
               "width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"sans-serif\">\n",
            width, height, width, height);
    fputs(" <metadata>\n", f);
    ws_provenance_each(prov, put_prov, f);
    fputs(" </metadata>\n", f);
    fprintf(f, " <rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"#fff\"/>\n", width, height);
    for (size_t i = 0; i < n_panels; i++)
        draw_panel(f, &panels[i], (int)(i % PER_ROW) * pw, (int)(i / PER_ROW) * ph, busy_lo, busy_hi);
    if (!(busy_lo < INFINITY))
        busy_lo = 0;
    int ly = (int)rows * ph + 20;
    draw_legend_bar(f, MARGIN, ly, "ws-link", link_map,
                    "link utilisation (busy time / simulated time), arrow = direction", 0, 1, "");
    draw_legend_bar(f, MARGIN, ly + 62, "ws-tile", tile_map,
                    "tile compute busy time in the decode iterations (us; least to most busy tile of all panels)",
                    busy_lo, busy_hi, " us");
    fputs("</svg>\n", f);
    return ws_atomic_commit(af, err, err_len);
}

void arch_picture_panel_free(arch_picture_panel *p)
{
    free(p->title);
    free(p->tile_busy_us);
    free(p->links);
}
