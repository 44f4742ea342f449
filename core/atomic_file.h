/* core/atomic_file.h — write a result file so that it is either complete or
 * absent.
 *
 * Contract
 *   ws_atomic_open(path) creates a temporary file in the same directory as
 *   path (name "<path>.tmp.XXXXXX", so the final rename stays on one file
 *   system) and returns a handle whose ->fp the caller writes to.
 *   ws_atomic_commit() flushes, fsyncs and renames the temporary over path;
 *   ws_atomic_abort() closes and removes the temporary, leaving any earlier
 *   file at path untouched. Exactly one of commit/abort must be called; both
 *   free the handle. On failure a one-line reason (with strerror) is written
 *   to err and NULL / -1 is returned; the temporary never survives a failure.
 *   A path of "-" means stdout: commit only flushes, abort does nothing.
 *   A path that exists and is not a regular file (/dev/null, a FIFO, a
 *   terminal) is written in place and never renamed over (a rename would
 *   replace the device by a regular file); over a directory, commit fails.
 */
#ifndef WS_ATOMIC_FILE_H
#define WS_ATOMIC_FILE_H

#include <stdio.h>
#include <stddef.h>

typedef struct ws_atomic_file {
    FILE *fp;
    char *final_path;   /* NULL for stdout */
    char *temp_path;    /* NULL for stdout */
} ws_atomic_file;

ws_atomic_file *ws_atomic_open(const char *path, char *err, size_t err_len);
int ws_atomic_commit(ws_atomic_file *f, char *err, size_t err_len);
void ws_atomic_abort(ws_atomic_file *f);

#endif
