/* tests/unit/file_fixtures.h — reading and comparing whole files in unit
 * tests: one reader for every test program that needs one.
 *
 * Contract
 *   fx_slurp() returns the bytes of the file at path followed by a NUL (so
 *   a text file is a C string) and, unless len is NULL, their count in
 *   *len; the test fails, naming the file, when it cannot be opened or
 *   read. The caller frees. fx_same_bytes() tells whether two files hold
 *   the same bytes; fx_same_file() fails the test, naming both, when they
 *   do not.
 */
#ifndef WS_FILE_FIXTURES_H
#define WS_FILE_FIXTURES_H

#include <stdbool.h>
#include <stddef.h>

void *fx_slurp(const char *path, size_t *len);
bool fx_same_bytes(const char *a, const char *b);
void fx_same_file(const char *a, const char *b);

#endif
