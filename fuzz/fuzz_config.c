/* fuzz/fuzz_config.c — libFuzzer harness for the config loader: YAML parsing
 * (core/yaml_tree.c), presets, "--set" overrides, units (core/units.c) and
 * the whole schema (core/config_schema.c and every section).
 *
 * Input: config text, optionally followed by overrides, each introduced by
 * the line "#--set " (a YAML comment, so a seed is also a valid config):
 *     preset: dojo\n#--set hw.grid.x=4\n#--set sim.clock=2 GHz
 * The text is loaded from memory (ws_config_load_buffer); a config that
 * loads is printed as `config show` does, and that text must load back to
 * the same config (same hash): a failure of this round trip is a finding. Presets named
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
    if (ws_config_load_buffer(&cfg, copy, text_len, "fuzz.yaml", overrides, n, &d) == 0) {
        /* oracle: `config show` output is a config that loads back to the
         * same resolved config (same hash) */
        char *shown = NULL;
        size_t shown_len = 0;
        FILE *mem = open_memstream(&shown, &shown_len);
        if (!mem)
            abort();
        ws_config_write(&cfg, mem);
        fclose(mem);
        ws_diag d2;
        ws_diag_init(&d2, WS_DIAG_DEFAULT_LIMIT);
        ws_config again;
        if (ws_config_load_buffer(&again, shown, shown_len, "shown.yaml", NULL, 0, &d2) != 0) {
            fprintf(stderr, "config show output does not load back:\n%s\n", shown);
            ws_diag_print(&d2, stderr);
            abort();
        }
        if (ws_config_hash(&again) != ws_config_hash(&cfg)) {
            fprintf(stderr, "config show output loads back to a different config:\n%s\n", shown);
            abort();
        }
        ws_config_free(&again);
        ws_diag_free(&d2);
        free(shown);
        ws_config_free(&cfg);
    } else if (ws_diag_count(&d) == 0) {
        abort();   /* refused without saying why */
    }
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    if (!out)
        abort();
    ws_diag_print(&d, out);
    fclose(out);
    free(buf);
    ws_diag_free(&d);
    free(copy);
    return 0;
}
