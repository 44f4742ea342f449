/* workload/trace_writer.h — writes a binary trace (workload/trace_format.h)
 * one request at a time, atomically.
 *
 * Contract
 *   wl_trace_writer_open() starts a trace for a routing shape (see
 *   wl_trace_shape_of(); the shape is copied) at `path` through
 *   core/atomic_file.h: nothing appears at `path` until
 *   wl_trace_writer_commit() succeeds, and wl_trace_writer_abort() (or a
 *   killed process) leaves any earlier file there untouched.
 *   wl_trace_writer_add() appends one request: `name` (its source, e.g. the
 *   JSON path relative to the imported folder; at most 65535 bytes, no NUL),
 *   prompt_len >= 1 prefill tokens, decode_len <= WL_TRACE_MAX_DECODE decode
 *   tokens, source_decode_len >= decode_len (the decode steps the source had
 *   before the cap), and ids: (prompt_len + decode_len) * n_moe * top_k
 *   expert ids, token-major, each < n_experts. A request breaking these rules
 *   is refused (-1, reason in err) and the writer stays usable.
 *   Memory: 8 bytes per request for the index, nothing else grows.
 *   wl_trace_writer_commit() writes the index and the header (counts,
 *   checksums) and renames the file into place; both commit and abort free
 *   the writer. Functions return 0 or -1 with a one-line reason in err.
 */
#ifndef WL_TRACE_WRITER_H
#define WL_TRACE_WRITER_H

#include <stddef.h>
#include <stdint.h>

#include "workload/model.h"
#include "workload/trace_format.h"

typedef struct wl_trace_writer wl_trace_writer;

/* The shape of a loaded model (moe_layer points into the model). */
wl_trace_shape wl_trace_shape_of(const wl_model *m);

wl_trace_writer *wl_trace_writer_open(const char *path, const wl_trace_shape *shape, char *err,
                                      size_t err_len);
int wl_trace_writer_add(wl_trace_writer *w, const char *name, uint32_t prompt_len, uint32_t decode_len,
                        uint32_t source_decode_len, const uint16_t *ids, char *err, size_t err_len);
uint64_t wl_trace_writer_count(const wl_trace_writer *w);
int wl_trace_writer_commit(wl_trace_writer *w, char *err, size_t err_len);
void wl_trace_writer_abort(wl_trace_writer *w);

#endif
