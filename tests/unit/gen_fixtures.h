/* tests/unit/gen_fixtures.h — the helper shared by the generator tests
 * (test_gen.c, test_gen_cache.c, test_gen_calibration.c).
 *
 * Contract
 *   gen_fx_load() points WAFERSIM_CONFIG_DIR at $TOP_SRCDIR/configs and
 *   loads a shipped model and its generator profile by name; the test
 *   fails (the diagnostics printed to stderr) when either does not load.
 *   (Whole files: tests/unit/file_fixtures.h.)
 */
#ifndef WS_GEN_FIXTURES_H
#define WS_GEN_FIXTURES_H

#include "workload/model.h"
#include "workload/profile.h"

void gen_fx_load(const char *model, wl_model *m, wl_profile *p);

#endif
