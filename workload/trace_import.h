/* workload/trace_import.h — `trace import`: per-request JSON trees into one
 * binary trace.
 *
 * Contract
 *   wl_import() reads every input in command-line order. An input that is a
 *   directory is walked recursively; within each directory the entries are
 *   taken in natural order (runs of digits compare as numbers, so 2.json
 *   comes before 10.json; ties by byte order), sub-directories in that same
 *   order among the files, entries starting with '.' ignored, symbolic links
 *   followed (at most 64 levels deep). Files whose name ends in ".json" are
 *   requests; other files are counted and ignored. An input that is a file is
 *   imported as one request. The order, and so the output, is the same on
 *   every machine.
 *
 *   Each request is parsed and validated against the model
 *   (workload/trace_json.h) and written to the binary trace
 *   (workload/trace_writer.h) under its name: its path relative to the
 *   directory input ("mmlu/astronomy/285.json"), or the input itself for a
 *   file input. A bad file is reported on `log` as
 *       PATH:LINE:COLUMN: error: MESSAGE
 *   and skipped (WL_IMPORT_SKIP) or ends the import (WL_IMPORT_FATAL).
 *   Decode steps beyond WL_TRACE_MAX_DECODE are dropped (the request keeps
 *   its first 128 and records the original count); the summary counts such
 *   requests.
 *
 *   Returns an exit status (core/diag.h): 0 when the trace was written;
 *   2 (nothing written) when an input does not exist, when a bad file was
 *   met in fatal mode, or when no request could be imported; 1 on an I/O
 *   failure writing the output. The output appears atomically, only on
 *   success. Memory holds one request and 8 bytes per imported request.
 *   `progress` enables a progress meter on stderr (terminals only).
 */
#ifndef WL_TRACE_IMPORT_H
#define WL_TRACE_IMPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "workload/model.h"

typedef enum wl_import_on_error { WL_IMPORT_SKIP, WL_IMPORT_FATAL } wl_import_on_error;

typedef struct wl_import_summary {
    uint64_t files;             /* .json files met */
    uint64_t imported;          /* requests written */
    uint64_t skipped;           /* bad files skipped */
    uint64_t ignored;           /* non-JSON files ignored */
    uint64_t capped;            /* requests with more than 128 decode steps */
    uint64_t prefill_tokens, decode_tokens;
    uint64_t json_bytes;        /* bytes of JSON read */
} wl_import_summary;

int wl_import(const wl_model *m, const char *const *inputs, size_t n_inputs, const char *out_path,
              wl_import_on_error on_error, bool progress, FILE *log, wl_import_summary *s);

/* Natural order of two names (used by the walk; exposed for tests). */
int wl_natural_cmp(const char *a, const char *b);

#endif
