/* core/atomic_file.c — all-or-nothing result files: write to a temporary
 * "<path>.tmp.XXXXXX" next to the target, then fflush + fsync + fclose +
 * rename it into place. See core/atomic_file.h for the contract.
 */
#define _POSIX_C_SOURCE 200809L

#include "core/atomic_file.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

static const char temp_suffix[] = ".tmp.XXXXXX";

#ifdef __GNUC__
#define WS_PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))
#else
#define WS_PRINTF_LIKE(f, a)
#endif

static void set_err(char *err, size_t err_len, const char *fmt, ...) WS_PRINTF_LIKE(3, 4);

static void set_err(char *err, size_t err_len, const char *fmt, ...)
{
    if (err == NULL || err_len == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, err_len, fmt, ap);
    va_end(ap);
}

static bool is_stdout_path(const char *path)
{
    return path == NULL || strcmp(path, "-") == 0;
}

static void free_handle(ws_atomic_file *f)
{
    free(f->final_path);
    free(f->temp_path);
    free(f);
}

ws_atomic_file *ws_atomic_open(const char *path, char *err, size_t err_len)
{
    ws_atomic_file *f = calloc(1, sizeof *f);
    if (f == NULL) {
        set_err(err, err_len, "cannot open '%s': %s", path ? path : "-", strerror(ENOMEM));
        return NULL;
    }
    if (is_stdout_path(path)) {
        f->fp = stdout;
        return f;
    }
    if (path[0] == '\0') {
        set_err(err, err_len, "cannot create output file: empty path");
        free(f);
        return NULL;
    }
    struct stat st;
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
        /* a device or a pipe (/dev/null, a FIFO): written in place, never
         * replaced by a rename */
        f->fp = fopen(path, "w");
        if (f->fp == NULL) {
            set_err(err, err_len, "cannot open '%s': %s", path, strerror(errno));
            free(f);
            return NULL;
        }
        return f;
    }

    size_t len = strlen(path);
    f->final_path = malloc(len + 1);
    f->temp_path = malloc(len + sizeof temp_suffix);
    if (f->final_path == NULL || f->temp_path == NULL) {
        set_err(err, err_len, "cannot create '%s': %s", path, strerror(ENOMEM));
        free_handle(f);
        return NULL;
    }
    memcpy(f->final_path, path, len + 1);
    memcpy(f->temp_path, path, len);
    memcpy(f->temp_path + len, temp_suffix, sizeof temp_suffix);

    int fd = mkstemp(f->temp_path);
    if (fd < 0) {
        set_err(err, err_len, "cannot create temporary file for '%s': %s", path,
                strerror(errno));
        free_handle(f);
        return NULL;
    }
    f->fp = fdopen(fd, "w");
    if (f->fp == NULL) {
        int e = errno;
        close(fd);
        unlink(f->temp_path);
        set_err(err, err_len, "cannot open temporary file '%s': %s", f->temp_path,
                strerror(e));
        free_handle(f);
        return NULL;
    }
    return f;
}

int ws_atomic_commit(ws_atomic_file *f, char *err, size_t err_len)
{
    if (f == NULL) {
        set_err(err, err_len, "internal error: no file to commit");
        return -1;
    }

    if (f->temp_path == NULL) {                 /* stdout or a device: flush (and close) */
        int rc = 0;
        bool dev = f->fp != stdout;
        if (fflush(f->fp) != 0) {
            set_err(err, err_len, "cannot write to %s: %s", dev ? "the output device" : "standard output",
                    strerror(errno));
            rc = -1;
        } else if (ferror(f->fp)) {
            set_err(err, err_len, "cannot write to %s: I/O error", dev ? "the output device" : "standard output");
            rc = -1;
        }
        if (dev && fclose(f->fp) != 0 && rc == 0) {
            set_err(err, err_len, "cannot close the output device: %s", strerror(errno));
            rc = -1;
        }
        free_handle(f);
        return rc;
    }

    const char *what = NULL;
    int e = 0;

    if (fflush(f->fp) != 0) {
        what = "cannot write";
        e = errno;
    } else if (ferror(f->fp)) {
        what = "cannot write";
        e = EIO;
    } else {
        /* mkstemp creates mode 0600; give the result the mode a plain
         * fopen() would have. */
        mode_t mask = umask(0);
        umask(mask);
        int fd = fileno(f->fp);
        if (fchmod(fd, (mode_t)0666 & ~mask) != 0) {
            what = "cannot set permissions of";
            e = errno;
        } else if (fsync(fd) != 0) {
            what = "cannot sync";
            e = errno;
        }
    }

    if (what != NULL) {
        fclose(f->fp);
    } else if (fclose(f->fp) != 0) {
        what = "cannot close";
        e = errno;
    }
    f->fp = NULL;

    if (what == NULL && rename(f->temp_path, f->final_path) != 0) {
        what = "cannot rename temporary file to";
        e = errno;
    }

    if (what != NULL) {
        unlink(f->temp_path);
        set_err(err, err_len, "%s '%s': %s", what, f->final_path, strerror(e));
        free_handle(f);
        return -1;
    }
    free_handle(f);
    return 0;
}

void ws_atomic_abort(ws_atomic_file *f)
{
    if (f == NULL)
        return;
    if (f->temp_path != NULL) {
        if (f->fp != NULL)
            fclose(f->fp);
        unlink(f->temp_path);
    } else if (f->fp != NULL && f->fp != stdout) {
        fclose(f->fp);                          /* a device: nothing to remove */
    }
    free_handle(f);
}
