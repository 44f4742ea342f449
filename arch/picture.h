/* arch/picture.h — a picture of a MoE run on the wafer (`wafersim run
 * --picture FILE`): one panel per variant, tiles coloured by compute busy
 * time, each directed link by its utilisation, with legends. Plain SVG
 * (no library): it opens in any browser and hovering shows exact values.
 *
 * Contract
 *   A panel holds a variant's name, its grid, the compute busy time of
 *   each tile (us, decode iterations; [y * grid_x + x]) and the
 *   utilisation of each directed mesh link (busy time / simulated time).
 *   arch_picture_write() writes every panel into one SVG file, atomically
 *   (core/atomic_file.h), with the provenance in a comment and a caption.
 *   Colours: link utilisation on a fixed 0..1 scale; tile busy time from
 *   the least to the most busy tile over all panels (stated in the
 *   legend), so imbalance stands out and panels compare at a glance. Every
 *   tile and link carries a <title> with its exact value (the test reads
 *   them back). Returns 0, or -1 with a message in err.
 *   arch_picture_panel_free() releases what a panel owns.
 */
#ifndef ARCH_PICTURE_H
#define ARCH_PICTURE_H

#include <stddef.h>

#include "core/output.h"

typedef struct arch_picture_link {
    int x0, y0, x1, y1;
    double utilisation;
} arch_picture_link;

typedef struct arch_picture_panel {
    char *title;
    int grid_x, grid_y;
    double *tile_busy_us;           /* [grid_x * grid_y] */
    arch_picture_link *links;
    size_t n_links;
} arch_picture_panel;

int arch_picture_write(const char *path, const arch_picture_panel *panels, size_t n_panels,
                       const ws_provenance *prov, char *err, size_t err_len);
void arch_picture_panel_free(arch_picture_panel *p);

#endif
