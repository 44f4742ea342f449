/* arch/place_list.h — every placement policy, one line each:
 *   X(name, summary)
 * The policy itself is `arch_place_<name>` in arch/place/<name>.c. */
#ifndef ARCH_PLACE_LIST_H
#define ARCH_PLACE_LIST_H

#define ARCH_PLACE_LIST(X)                                                                       \
    X(contiguous, "the study's static placement: tile t holds experts t*q .. t*q+q-1 of every " \
                  "layer (q = experts / tiles), leftovers wrapping from tile 0")                \
    X(round_robin, "expert e of every layer on tile e mod tiles")

#endif
