/* tests/unit/diag_text.h — the diagnostics of a ws_diag as ws_diag_print
 * writes them, in a malloc'ed string (for assertions on whole messages). */
#ifndef WS_TEST_DIAG_TEXT_H
#define WS_TEST_DIAG_TEXT_H

#include <check.h>
#include <stdio.h>

#include "core/diag.h"

static inline char *diag_text(const ws_diag *d)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    ck_assert_ptr_nonnull(mem);
    ws_diag_print(d, mem);
    fclose(mem);
    return buf;
}

#endif
