/* fuzz/fuzz_config.c — libFuzzer harness for the config loader: YAML parsing
 * (core/yaml_tree.c), presets, "--set" overrides, units (core/units.c) and
 * the whole schema (core/config_schema.c and every section).
 *
 * Input: config text, optionally followed by overrides, each introduced by
 * the line "#--set " (a YAML comment, so a seed is also a valid config):
 *     preset: dojo\n#--set hw.grid.x=4\n#--set sim.clock=2 GHz
 * The text is loaded from memory (ws_config_load_buffer); a config that
 * loads is also printed and hashed, as `config show` does. Presets named
 * in the input come from the source tree's configs/. Every input starts
 * from nothing and frees everything it allocated (leaks are findings).
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "core/diag.h"

#define FUZZ_MAX_OVERRIDES 4

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char sep[] = "\n#--set ";
    const size_t sep_len = sizeof sep - 1;
    char *copy = malloc(size + 1);
    if (!copy)
        abort();
    memcpy(copy, data, size);
    copy[size] = '\0';

    /* the text ends at the first separator; each override at the next */
    const char *end = memmem(copy, size, sep, sep_len);
    size_t text_len = end ? (size_t)(end - copy) : size;
    const char *overrides[FUZZ_MAX_OVERRIDES];
    size_t n = 0;
    while (end && n < FUZZ_MAX_OVERRIDES) {
        char *arg = (char *)end + sep_len;
        char *next = memmem(arg, size - (size_t)(arg - copy), sep, sep_len);
        if (next)
            *next = '\0';
        overrides[n++] = arg;
        end = next;
    }

    ws_diag d;
    ws_diag_init(&d, WS_DIAG_DEFAULT_LIMIT);
    ws_config cfg;
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    if (!out)
        abort();
    if (ws_config_load_buffer(&cfg, copy, text_len, "fuzz.yaml", overrides, n, &d) == 0) {
        ws_config_write(&cfg, out);
        (void)ws_config_hash(&cfg);
        ws_config_free(&cfg);
    } else if (ws_diag_count(&d) == 0) {
        abort();   /* refused without saying why */
    }
    ws_diag_print(&d, out);
    fclose(out);
    free(buf);
    ws_diag_free(&d);
    free(copy);
    return 0;
}
