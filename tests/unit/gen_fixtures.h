/* tests/unit/gen_fixtures.h — helpers shared by the generator tests
 * (test_gen.c, test_gen_cache.c, test_gen_calibration.c).
 *
 * Contract
 *   gen_fx_load() points WAFERSIM_CONFIG_DIR at $TOP_SRCDIR/configs and
 *   loads a shipped model and its generator profile by name; the test
 *   fails (the diagnostics printed to stderr) when either does not load.
 *   gen_fx_slurp() returns a file's bytes (caller frees; *n its size),
 *   failing the test when it cannot be read. gen_fx_same_bytes() tells
 *   whether two files hold the same bytes; gen_fx_same_file() fails the
 *   test, naming both, when they do not.
 */
#ifndef WS_GEN_FIXTURES_H
#define WS_GEN_FIXTURES_H

#include <stdbool.h>
#include <stddef.h>

#include "workload/model.h"
#include "workload/profile.h"

void gen_fx_load(const char *model, wl_model *m, wl_profile *p);
unsigned char *gen_fx_slurp(const char *path, size_t *n);
bool gen_fx_same_bytes(const char *a, const char *b);
void gen_fx_same_file(const char *a, const char *b);

#endif
