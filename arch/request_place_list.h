/* arch/request_place_list.h — every request placement policy (home tiles
 * of the batch's requests for token dispatch), one line each:
 *   X(name, summary)
 * The policy itself is `arch_request_place_<name>` in arch/request/<name>.c.
 * Adding a policy = one file + one line here + one line in Makefile.am. */
#ifndef ARCH_REQUEST_PLACE_LIST_H
#define ARCH_REQUEST_PLACE_LIST_H

#define ARCH_REQUEST_PLACE_LIST(X)                                                  \
    X(round_robin, "batch slot s on tile s mod tiles")                              \
    X(contiguous, "equal blocks of slots in tile order: slot s on floor(s x tiles / batch)") \
    X(one_tile, "every request on strategy.dispatch.request_tile")

#endif
