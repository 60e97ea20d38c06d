/* SPDX-License-Identifier: MIT
 * base/base.c -- status strings, error values and the allocator hook.
 *
 * The allocator hook is process-global and installed once before any other
 * ranvier call (tests swap it to inject failures).  Aligned blocks are
 * obtained through the same hook by over-allocating and storing the original
 * pointer just below the aligned address.
 */
#include "ranvier/base.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *default_alloc(void *ud, void *ptr, size_t n) {
    (void)ud;
    if (n == 0) {
        free(ptr);
        return NULL;
    }
    return realloc(ptr, n);
}

static rv_alloc_fn g_alloc = default_alloc;
static void *g_alloc_ud = NULL;

void rv_set_allocator(rv_alloc_fn fn, void *ud) {
    g_alloc = fn ? fn : default_alloc;
    g_alloc_ud = fn ? ud : NULL;
}

void *rv_malloc(size_t n) {
    return g_alloc(g_alloc_ud, NULL, n ? n : 1);
}

void *rv_calloc(size_t count, size_t size) {
    if (size && count > SIZE_MAX / size) return NULL;
    size_t n = count * size;
    void *p = rv_malloc(n);
    if (p) memset(p, 0, n ? n : 1);
    return p;
}

void *rv_realloc(void *p, size_t n) {
    return g_alloc(g_alloc_ud, p, n ? n : 1);
}

void rv_free(void *p) {
    if (p) g_alloc(g_alloc_ud, p, 0);
}

void *rv_alloc_aligned(size_t n) {
    size_t total = n + RV_SOA_ALIGN + sizeof(void *);
    if (total < n) return NULL;
    unsigned char *raw = rv_malloc(total);
    if (!raw) return NULL;
    uintptr_t a =
        ((uintptr_t)(raw + sizeof(void *)) + RV_SOA_ALIGN - 1) & ~(uintptr_t)(RV_SOA_ALIGN - 1);
    ((void **)a)[-1] = raw;
    memset((void *)a, 0, n);
    return (void *)a;
}

void rv_free_aligned(void *p) {
    if (p) rv_free(((void **)p)[-1]);
}

char *rv_strdup(const char *s) {
    size_t n = strlen(s) + 1;
    char *d = rv_malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

void rv_strfree(char *s) {
    rv_free(s);
}

rv_status rv_grow(void **p, size_t *cap, size_t need, size_t elt) {
    if (need <= *cap) return RV_OK;
    size_t nc = *cap ? *cap : 8;
    while (nc < need) {
        if (nc > SIZE_MAX / 2 / elt) return RV_ENOMEM;
        nc *= 2;
    }
    void *q = rv_realloc(*p, nc * elt);
    if (!q) return RV_ENOMEM;
    memset((char *)q + *cap * elt, 0, (nc - *cap) * elt);
    *p = q;
    *cap = nc;
    return RV_OK;
}

const char *rv_status_str(rv_status code) {
    switch (code) {
    case RV_OK:
        return "ok";
    case RV_EINVAL:
        return "invalid argument";
    case RV_ENOMEM:
        return "out of memory";
    case RV_ENOENT:
        return "not found";
    case RV_ERANGE:
        return "value out of range";
    case RV_ESTATE:
        return "not allowed in this state";
    case RV_EIO:
        return "I/O error";
    case RV_EFORMAT:
        return "malformed input";
    case RV_EUNSUPPORTED:
        return "unsupported";
    case RV_ECOMM:
        return "communication error";
    case RV_EINTERNAL:
        return "internal error";
    }
    return "unknown status";
}

rv_status rv_error_set(rv_error *err, rv_status code, const char *src_file, int src_line,
                       const char *fmt, ...) {
    if (!err) return code;
    memset(err, 0, sizeof *err);
    err->code = code;
    err->src_file = src_file;
    err->src_line = src_line;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    return code;
}

void rv_error_where(rv_error *err, const char *path, int line, const char *key) {
    if (!err) return;
    if (path) snprintf(err->path, sizeof err->path, "%s", path);
    if (key) snprintf(err->key, sizeof err->key, "%s", key);
    err->line = line;
}

void rv_error_clear(rv_error *err) {
    if (err) memset(err, 0, sizeof *err);
}

const char *rv_error_format(const rv_error *err, char *buf, size_t n) {
    if (!err || err->code == RV_OK) {
        snprintf(buf, n, "ok");
        return buf;
    }
    char where[300] = "";
    if (err->path[0] && err->line > 0 && err->col > 0)
        snprintf(where, sizeof where, "%s:%d:%d: ", err->path, err->line, err->col);
    else if (err->path[0] && err->line > 0)
        snprintf(where, sizeof where, "%s:%d: ", err->path, err->line);
    else if (err->path[0])
        snprintf(where, sizeof where, "%s: ", err->path);
    if (err->key[0])
        snprintf(buf, n, "%serror: %s [%s]", where, err->msg, err->key);
    else
        snprintf(buf, n, "%serror: %s", where, err->msg);
    return buf;
}
