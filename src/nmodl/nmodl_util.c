/* SPDX-License-Identifier: MIT
 * nmodl/nmodl_util.c -- the compiler's arena, growable strings and
 * diagnostics.
 *
 * The arena hands out zeroed, 16-byte aligned pieces of chunks obtained
 * from rv_malloc; nothing is freed before nm_arena_free.  A failed
 * allocation returns NULL and sets arena->oom, so deep code can keep going
 * on a NULL path and the entry point reports RV_ENOMEM once.  Strings
 * (nm_buf) likewise remember a failure in `oom` instead of reporting it at
 * every append.
 */
#include "nmodl_int.h"

#include <stdio.h>
#include <string.h>

struct nm_chunk {
    nm_chunk *next;
    size_t used, cap;
    _Alignas(16) unsigned char mem[];
};

#define NM_CHUNK 65536

void *nm_alloc(nm_arena *a, size_t n) {
    n = (n + 15) & ~(size_t)15;
    if (n == 0) n = 16;
    nm_chunk *c = a->head;
    if (!c || c->cap - c->used < n) {
        size_t cap = n > NM_CHUNK ? n : NM_CHUNK;
        c = rv_malloc(sizeof(nm_chunk) + cap);
        if (!c) {
            a->oom = true;
            return NULL;
        }
        c->used = 0;
        c->cap = cap;
        c->next = a->head;
        a->head = c;
    }
    void *p = c->mem + c->used;
    c->used += n;
    memset(p, 0, n);
    return p;
}

char *nm_strndup(nm_arena *a, const char *s, size_t n) {
    char *d = nm_alloc(a, n + 1);
    if (!d) return NULL;
    memcpy(d, s, n);
    d[n] = 0;
    return d;
}

char *nm_strdup(nm_arena *a, const char *s) {
    return nm_strndup(a, s, strlen(s));
}

char *nm_printf(nm_arena *a, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) return NULL;
    char *d = nm_alloc(a, (size_t)n + 1);
    if (!d) return NULL;
    va_start(ap, fmt);
    vsnprintf(d, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return d;
}

void nm_arena_free(nm_arena *a) {
    nm_chunk *c = a->head;
    while (c) {
        nm_chunk *n = c->next;
        rv_free(c);
        c = n;
    }
    a->head = NULL;
}

/* ---- strings ------------------------------------------------------------ */
static bool buf_reserve(nm_buf *b, size_t extra) {
    if (b->oom) return false;
    if (b->len + extra + 1 <= b->cap) return true;
    size_t nc = b->cap ? b->cap : 256;
    while (nc < b->len + extra + 1) nc *= 2;
    char *ns = rv_realloc(b->s, nc);
    if (!ns) {
        b->oom = true;
        return false;
    }
    b->s = ns;
    b->cap = nc;
    return true;
}

void nm_buf_putn(nm_buf *b, const char *s, size_t n) {
    if (!buf_reserve(b, n)) return;
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = 0;
}

void nm_buf_put(nm_buf *b, const char *s) {
    nm_buf_putn(b, s, strlen(s));
}

void nm_buf_vprintf(nm_buf *b, const char *fmt, va_list ap) {
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0 || !buf_reserve(b, (size_t)n)) return;
    vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
}

void nm_buf_printf(nm_buf *b, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    nm_buf_vprintf(b, fmt, ap);
    va_end(ap);
}

void nm_buf_free(nm_buf *b) {
    rv_free(b->s);
    b->s = NULL;
    b->len = b->cap = 0;
}

/* ---- diagnostics --------------------------------------------------------- */
#define NM_MAX_ERRORS 100

static void diag_v(nm_diag *d, const char *what, int line, int col, const char *fmt, va_list ap) {
    if (d->nerr > NM_MAX_ERRORS) return;
    if (d->nerr == NM_MAX_ERRORS) {
        nm_buf_printf(&d->text, "%s: error: too many errors, stopping\n", d->path);
        d->nerr++;
        return;
    }
    nm_buf_printf(&d->text, "%s:%d:%d: %s: ", d->path, line, col, what);
    nm_buf_vprintf(&d->text, fmt, ap);
    nm_buf_put(&d->text, "\n");
}

void nm_error(nm_diag *d, int line, int col, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    diag_v(d, "error", line, col, fmt, ap);
    va_end(ap);
    d->nerr++;
}

void nm_warning(nm_diag *d, int line, int col, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    diag_v(d, "warning", line, col, fmt, ap);
    va_end(ap);
}
