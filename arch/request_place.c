/* arch/request_place.c — the request placement registry; contract in
 * arch/request_place.h. */
#include "arch/request_place.h"

#include "arch/request_place_list.h"

#define DECLARE(name, summary) extern const arch_request_place_policy arch_request_place_##name;
ARCH_REQUEST_PLACE_LIST(DECLARE)
#define ENTRY(name, summary) &arch_request_place_##name,
const arch_request_place_policy *const arch_request_place_registry[] = { ARCH_REQUEST_PLACE_LIST(ENTRY) };
const size_t arch_request_place_count = sizeof arch_request_place_registry / sizeof arch_request_place_registry[0];
