/* workload/gen_cache.c — the synthetic trace cache; contract in
 * workload/gen_cache.h. */
#define _GNU_SOURCE   /* F_OFD_SETLKW: locks per open file, so threads exclude each other too */
#include "workload/gen_cache.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/atomic_file.h"
#include "workload/trace_format.h"
#include "workload/trace_reader.h"

int wl_gen_cache_dir(char *out, size_t len)
{
    const char *env = getenv("WAFERSIM_CACHE_DIR"), *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    int n;
    out[0] = '\0';
    if (env && !strcmp(env, "off"))
        return 1;
    if (env && *env)
        n = snprintf(out, len, "%s", env);
    else if (xdg && *xdg)
        n = snprintf(out, len, "%s/wafersim", xdg);
    else if (home && *home)
        n = snprintf(out, len, "%s/.cache/wafersim", home);
    else
        return -1;
    if (n < 0 || (size_t)n >= len) {
        out[0] = '\0';
        return -1;
    }
    return 0;
}

/* Two FNV-1a 64 hashes, fed the same length-prefixed parts. */
typedef struct key_hash {
    uint64_t h[2];
} key_hash;

static void key_add(key_hash *k, const void *data, size_t len)
{
    uint64_t n = len;
    for (int i = 0; i < 2; i++) {
        k->h[i] = wl_fnv1a64_update(k->h[i], &n, sizeof n);
        k->h[i] = wl_fnv1a64_update(k->h[i], data, len);
    }
}

static void key_add_u64(key_hash *k, uint64_t v)
{
    key_add(k, &v, sizeof v);
}

/* The content of a file, as one part; -1 if it cannot be read. */
static int key_add_file(key_hash *k, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    size_t cap = 1 << 16, n = 0, got;
    unsigned char *buf = malloc(cap);
    int rc = buf ? 0 : -1;
    while (rc == 0 && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            unsigned char *b = realloc(buf, cap * 2);
            rc = b ? 0 : -1;
            buf = b ? b : buf;
            cap *= 2;
        }
    }
    if (ferror(f))
        rc = -1;
    fclose(f);
    if (rc == 0)
        key_add(k, buf, n);
    free(buf);
    return rc;
}

int wl_gen_cache_key(const wl_model *m, const wl_profile *p, uint64_t seed, uint64_t first,
                     const wl_gen_lengths *len, char out[33])
{
    static const char tag[2][24] = { "wafersim gen cache a", "wafersim gen cache b" };
    key_hash k = { { WL_FNV1A64_INIT, WL_FNV1A64_INIT } };
    for (int i = 0; i < 2; i++)
        k.h[i] = wl_fnv1a64_update(k.h[i], tag[i], sizeof tag[i]);
    key_add_u64(&k, WL_TRACE_VERSION);
    key_add_u64(&k, WL_GEN_ALGORITHM);
    if (m->path) {
        if (key_add_file(&k, m->path))
            return -1;
    } else {
        const char *name = m->name ? m->name : "";
        key_add(&k, name, strlen(name));
        int64_t f[] = { m->layers, m->moe_layers.first, m->moe_layers.last, m->moe_layers.step,
                        m->routed_experts, m->top_k, m->groups, m->groups_kept };
        key_add(&k, f, sizeof f);
    }
    if (p->path) {
        if (key_add_file(&k, p->path))
            return -1;
    } else {
        key_add(&k, "default profile", 15);
    }
    key_add_u64(&k, seed);
    key_add_u64(&k, first);
    key_add_u64(&k, len ? 1 : 0);
    if (len) {
        key_add_u64(&k, len->prompt_min);
        key_add_u64(&k, len->prompt_max);
        key_add_u64(&k, (uint64_t)(int64_t)len->decode);
    }
    snprintf(out, 33, "%016llx%016llx", (unsigned long long)k.h[0], (unsigned long long)k.h[1]);
    return 0;
}

/* mkdir -p; 0 when dir is a folder afterwards. */
static int make_dirs(const char *dir)
{
    char buf[PATH_MAX];
    if (snprintf(buf, sizeof buf, "%s", dir) >= (int)sizeof buf)
        return -1;
    for (char *s = buf + 1; *s; s++) {
        if (*s != '/')
            continue;
        *s = '\0';
        if (mkdir(buf, 0755) && errno != EEXIST)
            return -1;
        *s = '/';
    }
    if (mkdir(buf, 0755) && errno != EEXIST)
        return -1;
    struct stat st;
    return stat(buf, &st) == 0 && S_ISDIR(st.st_mode) ? 0 : -1;
}

/* The identity of the file at path (device, inode, size, modification
 * time to the nanosecond) as a line of text; -1 when it cannot be read. */
static int file_identity(const char *path, char *out, size_t len)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return -1;
    snprintf(out, len, "%llu %llu %llu %lld.%09ld\n", (unsigned long long)st.st_dev, (unsigned long long)st.st_ino,
             (unsigned long long)st.st_size, (long long)st.st_mtim.tv_sec, (long)st.st_mtim.tv_nsec);
    return 0;
}

/* The verification stamp of cache file cpath: "<cpath>.verified". */
static void stamp_path(const char *cpath, char *out, size_t len) { snprintf(out, len, "%s.verified", cpath); }

static void stamp_remove(const char *cpath)
{
    char sp[PATH_MAX + 160];
    stamp_path(cpath, sp, sizeof sp);
    unlink(sp);
}

/* Whether cpath's stamp holds id, its identity now, i.e. the file passed
 * WL_TRACE_VERIFY and has not been written since. */
static bool stamp_matches(const char *cpath, const char *id)
{
    char sp[PATH_MAX + 160], got[160] = "";
    stamp_path(cpath, sp, sizeof sp);
    FILE *f = fopen(sp, "r");
    if (!f)
        return false;
    bool ok = fgets(got, sizeof got, f) && strcmp(got, id) == 0;
    fclose(f);
    return ok;
}

/* Records that cpath, of identity `before` when it was opened, just
 * passed WL_TRACE_VERIFY (best effort, atomic); nothing when the file at
 * cpath is no longer that one (replaced meanwhile). */
static void stamp_write(const char *cpath, const char *before)
{
    char sp[PATH_MAX + 160], id[160], e[256];
    stamp_path(cpath, sp, sizeof sp);
    if (file_identity(cpath, id, sizeof id) != 0 || strcmp(id, before) != 0)
        return;
    ws_atomic_file *f = ws_atomic_open(sp, e, sizeof e);
    if (!f)
        return;
    fputs(id, f->fp);
    ws_atomic_commit(f, e, sizeof e);
}

/* The trace at cpath, opened and verified (every checksum and record), if
 * it is of this model's shape with n requests (any count when n is 0);
 * else NULL and why not, in why. With trust_stamp, a file whose stamp
 * says it was verified and not written since is opened with its header
 * checked only (its records are still checked as they are read,
 * wl_trace_get): a cache hit then costs no pass over the payload. */
static wl_trace *open_usable(const char *cpath, const wl_model *m, uint64_t n, bool trust_stamp, char *why,
                             size_t why_len)
{
    char id[160];
    bool known = file_identity(cpath, id, sizeof id) == 0;
    bool stamped = trust_stamp && known && stamp_matches(cpath, id);
    wl_trace *t = wl_trace_open(cpath, stamped ? 0 : WL_TRACE_VERIFY, why, why_len);
    if (!t)
        return NULL;
    if (!stamped && known)
        stamp_write(cpath, id);
    const wl_trace_info *in = wl_trace_get_info(t);
    bool ok = (!n || in->n_requests == n) && in->shape.n_moe == m->n_moe &&
              in->shape.top_k == (uint32_t)m->top_k && in->shape.n_experts == (uint32_t)m->routed_experts &&
              !strcmp(in->shape.model, m->name);
    if (!ok) {
        snprintf(why, why_len, "%s: not the expected trace (model, shape or request count)", cpath);
        wl_trace_close(t);
        return NULL;
    }
    return t;
}

/* path -> cpath: a hard link, else a symbolic link to its absolute path. */
static int link_to(const char *cpath, const char *path)
{
    unlink(path);
    if (link(cpath, path) == 0)
        return 0;
    char *abs = realpath(cpath, NULL);
    int rc = abs ? symlink(abs, path) : -1;
    free(abs);
    return rc;
}

/* The request count of the entry `name` of the folder if it is an entry of
 * `stem` ("gen-<model>-<key>-n"), else 0. */
static uint64_t entry_count(const char *name, const char *stem)
{
    size_t sl = strlen(stem);
    if (strncmp(name, stem, sl) != 0)
        return 0;
    char *end;
    unsigned long long v = strtoull(name + sl, &end, 10);
    return strcmp(end, ".wst") == 0 ? (uint64_t)v : 0;
}

/* The best other entry of the same workload to start from: the smallest
 * with at least n requests, else the largest; 0 if none. */
static uint64_t best_entry(const char *dir, const char *stem, uint64_t n)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    uint64_t above = 0, below = 0;
    for (struct dirent *e; (e = readdir(d));) {
        uint64_t c = entry_count(e->d_name, stem);
        if (!c || c == n)
            continue;
        if (c > n && (!above || c < above))
            above = c;
        if (c < n && c > below)
            below = c;
    }
    closedir(d);
    return above ? above : below;
}

/* Writes the entry cpath for requests first .. first + n - 1: the first
 * requests copied from the verified trace src (its requests are
 * first .. of the same workload), the rest generated. */
static int build_entry(const char *cpath, wl_trace *src, const wl_model *m, const wl_profile *p, uint64_t seed,
                       uint64_t first, uint64_t n, const wl_gen_lengths *len, bool progress, char *err,
                       size_t err_len)
{
    wl_trace_shape shape = wl_trace_shape_of(m);
    wl_trace_writer *w = wl_trace_writer_open(cpath, &shape, err, err_len);
    if (!w)
        return -1;
    uint64_t have = src ? wl_trace_get_info(src)->n_requests : 0, k = 0;
    int rc = 0;
    for (; k < n && k < have && rc == 0; k++) {
        wl_request r;
        rc = wl_trace_get(src, k, &r, err, err_len);
        if (rc == 0)
            rc = wl_trace_writer_add(w, r.name, r.prompt_len, r.decode_len, r.source_decode_len, r.ids, err, err_len);
    }
    if (rc == 0 && k < n)
        rc = wl_gen_append(w, m, p, seed, first + k, n - k, len, progress, err, err_len);
    if (rc) {
        wl_trace_writer_abort(w);
        return -1;
    }
    return wl_trace_writer_commit(w, err, err_len);
}

/* 1: path links to the usable entry cpath; 0: no usable entry (a corrupt
 * one is reported when report); -1: usable, but path cannot link to it. */
static int try_hit(const char *cpath, const wl_model *m, uint64_t n, const char *path, bool report)
{
    char why[PATH_MAX + 640];
    if (access(cpath, F_OK) != 0)
        return 0;
    wl_trace *t = open_usable(cpath, m, n, true, why, sizeof why);
    if (!t) {
        if (report)
            fprintf(stderr, "wafersim: trace cache: %s; generating it again\n", why);
        return 0;
    }
    wl_trace_close(t);
    return link_to(cpath, path) == 0 ? 1 : -1;
}

/* Waits for and takes the lock of the workload `stem` in dir (a file
 * ".<stem>lock", fcntl open-file-description write lock, released by
 * closing): one process or thread builds a workload's entries at a time. The descriptor, or -1 (no lock:
 * go on without). */
static int lock_workload(const char *dir, const char *stem)
{
    char lp[PATH_MAX + 128];
    snprintf(lp, sizeof lp, "%s/.%slock", dir, stem);
    int fd = open(lp, O_RDWR | O_CREAT, 0644);
    if (fd < 0)
        return -1;
    struct flock fl;
    memset(&fl, 0, sizeof fl);
    fl.l_type = F_WRLCK;
    fl.l_whence = SEEK_SET;
    /* an open-file-description lock: owned by this descriptor, not by the
       process, so `run -j` threads (and sweep workers) wait for each other;
       a kernel without it gets the process-wide lock */
    int cmd = F_SETLKW;
#ifdef F_OFD_SETLKW
    cmd = F_OFD_SETLKW;
#endif
    while (fcntl(fd, cmd, &fl) == -1) {
        if (errno == EINTR)
            continue;
        if (errno == EINVAL && cmd != F_SETLKW) {
            cmd = F_SETLKW;
            continue;
        }
        close(fd);
        return -1;
    }
    return fd;
}

int wl_gen_write_cached(const wl_model *m, const wl_profile *p, uint64_t seed, uint64_t first, uint64_t n,
                        const wl_gen_lengths *len, const char *path, bool progress, char *err, size_t err_len)
{
    char dir[PATH_MAX], key[33], stem[WL_TRACE_MODEL_LEN + 48], cpath[PATH_MAX + 128], why[PATH_MAX + 640];
    if (wl_gen_cache_dir(dir, sizeof dir) != 0 || wl_gen_cache_key(m, p, seed, first, len, key) != 0 ||
        make_dirs(dir) != 0)
        return wl_gen_write_range(m, p, seed, first, n, len, path, progress, err, err_len);
    char model[WL_TRACE_MODEL_LEN];
    size_t i = 0;
    for (; m->name && m->name[i] && i + 1 < sizeof model; i++) {
        char c = m->name[i];
        bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                     c == '_' || c == '.';
        model[i] = plain ? c : '_';
    }
    model[i] = '\0';
    snprintf(stem, sizeof stem, "gen-%s-%s-n", model, key);
    snprintf(cpath, sizeof cpath, "%s/%s%llu.wst", dir, stem, (unsigned long long)n);
    int hit = try_hit(cpath, m, n, path, true);
    if (hit == 0) {
        /* a concurrent worker building this workload: wait for it, then
         * its entry may be there */
        int lock = lock_workload(dir, stem);
        hit = lock >= 0 ? try_hit(cpath, m, n, path, false) : 0;
        if (hit == 0) {
            /* another request count of the same workload: its common
             * requests are copied (request i does not depend on the count) */
            wl_trace *src = NULL;
            uint64_t other = best_entry(dir, stem, n);
            if (other) {
                char opath[PATH_MAX + 128];
                snprintf(opath, sizeof opath, "%s/%s%llu.wst", dir, stem, (unsigned long long)other);
                src = open_usable(opath, m, other, false, why, sizeof why);
                if (!src) {
                    fprintf(stderr, "wafersim: trace cache: %s; removing it\n", why);
                    unlink(opath);
                    stamp_remove(opath);
                }
            }
            stamp_remove(cpath);   /* the entry is about to be replaced */
            int rc = build_entry(cpath, src, m, p, seed, first, n, len, progress, why, sizeof why);
            if (src)
                wl_trace_close(src);
            hit = rc == 0 && link_to(cpath, path) == 0 ? 1 : -1;
        }
        if (lock >= 0)
            close(lock);
    }
    if (hit == 1)
        return 0;
    return wl_gen_write_range(m, p, seed, first, n, len, path, progress, err, err_len);
}
