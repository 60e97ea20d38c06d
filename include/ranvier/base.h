/* SPDX-License-Identifier: MIT
 * ranvier/base.h -- layer 0: status codes, error values, the allocator hook.
 *
 * Every fallible ranvier function returns an rv_status and, when the caller
 * passes a non-NULL rv_error, fills it with a message naming the user input
 * (file, line, key) and the place in ranvier that raised it.  Nothing in the
 * library calls exit() or abort() on bad input.
 */
#ifndef RV_BASE_H
#define RV_BASE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum rv_status {
    RV_OK = 0,
    RV_EINVAL = 1,       /* bad argument or API misuse */
    RV_ENOMEM = 2,       /* allocation failed */
    RV_ENOENT = 3,       /* unknown name: mechanism, variable, gid, file */
    RV_ERANGE = 4,       /* value outside its domain */
    RV_ESTATE = 5,       /* call not allowed in the object's current state */
    RV_EIO = 6,          /* I/O failure */
    RV_EFORMAT = 7,      /* malformed input file */
    RV_EUNSUPPORTED = 8, /* valid input that ranvier does not handle yet */
    RV_ECOMM = 9,        /* spike exchange / MPI failure */
    RV_EINTERNAL = 10    /* a bug in ranvier */
} rv_status;

typedef struct rv_error {
    rv_status code;
    int line, col;        /* position in the user's input, 0 if none */
    char path[256];       /* user file, empty if none */
    char key[128];        /* JSON key, dataset or object name, empty if none */
    char msg[512];        /* human readable text */
    const char *src_file; /* where ranvier raised it */
    int src_line;
} rv_error;

/* Static text for a status code ("invalid argument", ...). */
const char *rv_status_str(rv_status code);

/* Fill err (if non-NULL) and return code.  printf-style message. */
rv_status rv_error_set(rv_error *err, rv_status code, const char *src_file, int src_line,
                       const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;
/* Attach the user-input position to an error already set. */
void rv_error_where(rv_error *err, const char *path, int line, const char *key);
/* Clear to RV_OK. */
void rv_error_clear(rv_error *err);
/* Format "path:line:col: error: msg [key]" into buf (line and col when known). */
const char *rv_error_format(const rv_error *err, char *buf, size_t n);

#define RV_FAIL(err, code, ...) rv_error_set((err), (code), __FILE__, __LINE__, __VA_ARGS__)

/* ---- allocation ---------------------------------------------------------
 * All heap memory of ranvier goes through one hook: realloc(ud, ptr, n);
 * n == 0 frees.  The default uses the C library.  Tests install a failing
 * allocator (rv_set_allocator) to exercise the ENOMEM paths.  Every function
 * below may return NULL; callers report RV_ENOMEM.
 */
typedef void *(*rv_alloc_fn)(void *ud, void *ptr, size_t new_size);
void rv_set_allocator(rv_alloc_fn fn, void *ud);
void *rv_malloc(size_t n);
void *rv_calloc(size_t count, size_t size);
void *rv_realloc(void *p, size_t n);
void rv_free(void *p);
/* Aligned (64-byte) zeroed blocks for SoA data; free with rv_free_aligned. */
void *rv_alloc_aligned(size_t n);
void rv_free_aligned(void *p);
char *rv_strdup(const char *s);
void rv_strfree(char *s);

/* Growable array helper: ensures *cap >= need, elements of size elt. */
rv_status rv_grow(void **p, size_t *cap, size_t need, size_t elt);

#define RV_SOA_PAD   8
#define RV_SOA_ALIGN 64
static inline size_t rv_pad(size_t n) {
    return (n + RV_SOA_PAD - 1) / RV_SOA_PAD * RV_SOA_PAD;
}

#ifdef __cplusplus
}
#endif
#endif
