/* fuzz/fuzz_input.h — shared by the libFuzzer harnesses (fuzz/fuzz_*.c):
 * presents one fuzz input as a file without touching the disk.
 *
 * Contract
 *   fuzz_memfile_open() copies `size` bytes into an anonymous in-memory file
 *   (memfd) and writes its path ("/proc/self/fd/N") into `path`; it returns
 *   the descriptor, to be passed to fuzz_memfile_close() when the input is
 *   done, or aborts (a harness failure, not a finding). Nothing is kept
 *   between inputs.
 */
#ifndef WS_FUZZ_INPUT_H
#define WS_FUZZ_INPUT_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

static inline int fuzz_memfile_open(const uint8_t *data, size_t size, char *path, size_t path_len)
{
    int fd = memfd_create("fuzz-input", 0);
    if (fd < 0)
        abort();
    size_t done = 0;
    while (done < size) {
        ssize_t n = write(fd, data + done, size - done);
        if (n <= 0)
            abort();
        done += (size_t)n;
    }
    snprintf(path, path_len, "/proc/self/fd/%d", fd);
    return fd;
}

static inline void fuzz_memfile_close(int fd)
{
    close(fd);
}

#endif
