/* noc/routing_list.h — every routing function wafersim knows, one line
 * each:
 *   X(ENUM_SUFFIX, yaml_name, test_only, one-line summary)
 * The YAML name is what `hw.routing` accepts (the list order is the order
 * of the config enum, WS_ROUTING_<ENUM_SUFFIX> in core/config.h). Adding a
 * routing function = one file noc/routing/<yaml_name>.c exporting
 * `const noc_routing noc_routing_<yaml_name>` + one line here + the file in
 * Makefile.am. test_only functions deadlock by design; the config refuses
 * them unless noc.allow_test_routing is true. */
#ifndef NOC_ROUTING_LIST_H
#define NOC_ROUTING_LIST_H

#define NOC_ROUTING_LIST(X)                                                                        \
    X(XY, xy, false, "dimension order: all x hops, then all y hops")                               \
    X(YX, yx, false, "dimension order: all y hops, then all x hops")                               \
    X(WEST_FIRST, west_first, false,                                                               \
      "minimal adaptive turn model: west hops first, then E/N/S by downstream credits")            \
    X(ODD_EVEN, odd_even, false,                                                                   \
      "minimal adaptive odd-even turn model (Chiu 2000), choice by downstream credits")            \
    X(TEST_DEADLOCK_RING, test_deadlock_ring, true,                                                \
      "TEST ONLY: clockwise around a 2-wide ring; deadlocks by design (noc.allow_test_routing)")

#endif
