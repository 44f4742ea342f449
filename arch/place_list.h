/* arch/place_list.h — every placement policy, one line each:
 *   X(name, summary)
 * The policy itself is `arch_place_<name>` in arch/place/<name>.c. */
#ifndef ARCH_PLACE_LIST_H
#define ARCH_PLACE_LIST_H

#define ARCH_PLACE_LIST(X)                                                                       \
    X(contiguous, "the study's static placement: tile t holds experts t*q .. t*q+q-1 of every " \
                  "layer (q = experts / tiles), leftovers wrapping from tile 0")                \
    X(round_robin, "expert e of every layer on tile e mod tiles")                                  \
    X(hot_replication, "contiguous homes plus static copies of the profile's hottest experts on "    \
                       "the least-loaded tiles, within strategy.replication.budget per tile")      \
    X(coact_separation, "per layer, experts often picked together (profile) on different tiles, " \
                        "an equal share of experts per tile")                                       \
    X(profile_balance, "per layer, LPT balance of the profile's expected load per tile with an "   \
                       "equal share of experts per tile")

#endif
