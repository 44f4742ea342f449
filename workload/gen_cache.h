/* workload/gen_cache.h — a cache of synthetic traces, so that runs and
 * sweep points that need the same synthetic workload generate it once.
 *
 * Contract
 *   wl_gen_cache_dir() writes the cache folder to out: $WAFERSIM_CACHE_DIR,
 *   else $XDG_CACHE_HOME/wafersim, else $HOME/.cache/wafersim. Returns 0,
 *   or 1 when caching is off (WAFERSIM_CACHE_DIR is "off"; out = ""), or -1
 *   when there is no folder to use (no HOME, path too long; out = "").
 *
 *   wl_gen_cache_key() writes 32 hex digits (plus NUL) to out[33]: a
 *   128-bit hash (two FNV-1a 64 with different prefixes) of the model
 *   file's content (m->path; its routing fields when it has no file), the
 *   profile file's content (p->path; "default profile" when NULL), seed,
 *   first, the lengths (NULL: the profile's), WL_TRACE_VERSION and
 *   WL_GEN_ALGORITHM: the workload, whatever the request count n. Returns
 *   0, or -1 when a file cannot be read.
 *
 *   wl_gen_write_cached() leaves at `path` a file with exactly the bytes
 *   wl_gen_write_range(m, p, seed, first, n, len, path, ...) writes: when
 *   the cache is on, from <dir>/gen-<model>-<key>-n<n>.wst, which it first
 *   builds (atomically: temp file + rename in the cache folder, so
 *   concurrent workers are safe) unless a file is already there that opens
 *   with WL_TRACE_VERIFY (header and payload checksums, every record) and
 *   has the model's shape and n requests; a file failing that is rebuilt,
 *   never used. A file that passes is stamped: "<file>.verified" (written
 *   atomically) holds its device, inode, size and modification time, and
 *   while they match a hit checks the header only (the records are still
 *   range-checked as a run reads them, wl_trace_get), so a hit costs no
 *   pass over a payload of gigabytes; any write to the file changes its
 *   time and brings the full check back. Building copies the requests it has in common with another
 *   request count of the same workload (the smallest entry with more than
 *   n requests, else the largest with fewer; verified the same way, and
 *   removed when it fails) and generates the rest: request i does not
 *   depend on the count (wl_gen_write_range), so a batch of 8192 after one
 *   of 4096 generates only 4096 requests. Building holds a lock per
 *   workload (fcntl on the hidden file .<stem>lock in the folder): a
 *   second worker that misses the same workload waits, then uses the
 *   entry the first built instead of generating it too. `path` is then a hard link to the cache file,
 *   else a symbolic link to it (another file system), so removing `path`
 *   keeps the cache. With the cache off, or when the folder or the link
 *   cannot be made, it generates into `path` directly. Returns 0 or -1
 *   with err (as wl_gen_write_range).
 */
#ifndef WL_GEN_CACHE_H
#define WL_GEN_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "workload/generator.h"
#include "workload/model.h"
#include "workload/profile.h"

int wl_gen_cache_dir(char *out, size_t len);
int wl_gen_cache_key(const wl_model *m, const wl_profile *p, uint64_t seed, uint64_t first,
                     const wl_gen_lengths *len, char out[33]);
int wl_gen_write_cached(const wl_model *m, const wl_profile *p, uint64_t seed, uint64_t first, uint64_t n,
                        const wl_gen_lengths *len, const char *path, bool progress, char *err, size_t err_len);

#endif
