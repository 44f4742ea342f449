/* tests/unit/check_main.h — the one way every unit-test program runs its
 * Check suite: all tests, normal verbosity, exit status 0 only when every
 * test passed (what automake's test driver reads). */
#ifndef WS_CHECK_MAIN_H
#define WS_CHECK_MAIN_H

#include <check.h>
#include <stdlib.h>

static inline int ws_check_run(Suite *suite)
{
    SRunner *sr = srunner_create(suite);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

#endif
