/* noc/pattern_list.h — every synthetic traffic pattern, one line each:
 *   X(ENUM_SUFFIX, yaml_name, one-line summary)
 * The YAML name is what `traffic.pattern` accepts; the list order is the
 * config enum (WS_PATTERN_<ENUM_SUFFIX> in core/config.h). Adding a
 * pattern = one function and one table row in noc/pattern.c + one line
 * here. */
#ifndef NOC_PATTERN_LIST_H
#define NOC_PATTERN_LIST_H

#define NOC_PATTERN_LIST(X)                                                                        \
    X(UNIFORM, uniform, "uniform random destination (traffic.exclude_self to avoid the source)")  \
    X(TRANSPOSE, transpose, "(x, y) -> (y, x); square meshes")                                     \
    X(BIT_COMPLEMENT, bit_complement, "(x, y) -> (kx-1-x, ky-1-y)")                                \
    X(BIT_REVERSE, bit_reverse, "node id with its bits reversed; node count a power of two")      \
    X(SHUFFLE, shuffle, "node id rotated left by one bit; node count a power of two")              \
    X(TORNADO, tornado, "(x + ceil(kx/2) - 1) mod kx, same for y")                                 \
    X(NEIGHBOR, neighbor, "(x + 1) mod kx, (y + 1) mod ky")                                        \
    X(HOTSPOT, hotspot, "a hot node with probability traffic.hotspot_fraction, else uniform")      \
    X(PERMUTATION, permutation, "a random permutation of the nodes, fixed per seed")

#endif
