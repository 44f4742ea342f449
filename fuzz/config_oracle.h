/* fuzz/config_oracle.h — one fuzz input through the config loader, with
 * the round-trip oracle; shared by the libFuzzer harness (fuzz/fuzz_config.c)
 * and the replay of kept crashing inputs in `make check`
 * (tests/unit/test_fuzz_regressions.c).
 *
 * Contract
 *   fuzz_config_one(data, size) loads the input as fuzz/fuzz_config.c
 *   describes (config text, then "--set" overrides each after a line
 *   "#--set "), from memory. A config that loads is printed as `config
 *   show` does and that text must load back to the same config (same hash);
 *   a config that does not load must have said why. Either failure
 *   abort()s (the finding); otherwise everything is freed.
 */
#ifndef WS_FUZZ_CONFIG_ORACLE_H
#define WS_FUZZ_CONFIG_ORACLE_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "core/diag.h"

#define FUZZ_MAX_OVERRIDES 4

static inline void fuzz_config_round_trip(const ws_config *cfg)
{
    char *shown = NULL;
    size_t shown_len = 0;
    FILE *mem = open_memstream(&shown, &shown_len);
    if (!mem)
        abort();
    ws_config_write(cfg, mem);
    fclose(mem);
    ws_diag d;
    ws_diag_init(&d, WS_DIAG_DEFAULT_LIMIT);
    ws_config again;
    if (ws_config_load_buffer(&again, shown, shown_len, "shown.yaml", NULL, 0, &d) != 0) {
        fprintf(stderr, "config show output does not load back:\n%s\n", shown);
        ws_diag_print(&d, stderr);
        abort();
    }
    if (ws_config_hash(&again) != ws_config_hash(cfg)) {
        fprintf(stderr, "config show output loads back to a different config:\n%s\n", shown);
        abort();
    }
    ws_config_free(&again);
    ws_diag_free(&d);
    free(shown);
}

static inline void fuzz_config_one(const uint8_t *data, size_t size)
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
        fuzz_config_round_trip(&cfg);
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
}

#endif
