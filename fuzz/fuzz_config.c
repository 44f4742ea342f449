/* fuzz/fuzz_config.c — libFuzzer harness for the config loader: YAML parsing
 * (core/yaml_tree.c), presets, "--set" overrides, units (core/units.c) and
 * the whole schema (core/config_schema.c and every section).
 *
 * Input: config text, optionally followed by overrides, each introduced by
 * the line "#--set " (a YAML comment, so a seed is also a valid config):
 *     preset: dojo\n#--set hw.grid.x=4\n#--set sim.clock=2 GHz
 * The text is loaded from memory (ws_config_load_buffer); a config that
 * loads is printed as `config show` does, and that text must load back to
 * the same config (same hash): a failure of this round trip is a finding
 * (fuzz/config_oracle.h). Presets named in the input come from the source
 * tree's configs/. Every input starts from nothing and frees everything it
 * allocated (leaks are findings). Kept findings: fuzz/regressions/.
 */
#define _GNU_SOURCE
#include <stddef.h>
#include <stdint.h>

#include "fuzz/config_oracle.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_config_one(data, size);
    return 0;
}
