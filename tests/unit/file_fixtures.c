/* tests/unit/file_fixtures.c — whole-file helpers of the unit tests;
 * contract in tests/unit/file_fixtures.h. */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include "tests/unit/file_fixtures.h"

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void *fx_slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot open %s: %s", path, strerror(errno));
    size_t cap = 1 << 16, n = 0, got;
    char *buf = malloc(cap + 1);
    ck_assert_ptr_nonnull(buf);
    while ((got = fread(buf + n, 1, cap - n, f)) > 0)
        if ((n += got) == cap) {
            buf = realloc(buf, 2 * cap + 1);
            ck_assert_ptr_nonnull(buf);
            cap *= 2;
        }
    ck_assert_msg(!ferror(f), "cannot read %s", path);
    fclose(f);
    buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}

bool fx_same_bytes(const char *a, const char *b)
{
    size_t na, nb;
    char *ba = fx_slurp(a, &na), *bb = fx_slurp(b, &nb);
    bool same = na == nb && memcmp(ba, bb, na) == 0;
    free(ba);
    free(bb);
    return same;
}

void fx_same_file(const char *a, const char *b)
{
    ck_assert_msg(fx_same_bytes(a, b), "%s and %s differ", a, b);
}
