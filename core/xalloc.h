/* core/xalloc.h — allocation that never returns NULL.
 *
 * Contract
 *   ws_xmalloc, ws_xcalloc, ws_xrealloc and ws_xstrdup behave like their
 *   libc namesakes, except that a zero size allocates one byte and running
 *   out of memory prints "wafersim: out of memory (N bytes)" to stderr and
 *   aborts: a simulator that cannot allocate its model cannot go on, and
 *   every caller is spared a NULL check. ws_xstrdup(NULL) returns NULL.
 */
#ifndef WS_XALLOC_H
#define WS_XALLOC_H

#include <stddef.h>

void *ws_xmalloc(size_t n);
void *ws_xcalloc(size_t n, size_t size);
void *ws_xrealloc(void *p, size_t n);
char *ws_xstrdup(const char *s);

#endif
