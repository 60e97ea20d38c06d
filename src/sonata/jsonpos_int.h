/* SPDX-License-Identifier: MIT
 * sonata/jsonpos_int.h -- private to the sonata layer: the small lexer that
 * config_json.c and nodesets_json.c use to find the line and column of
 * values in JSON text that jansson has already accepted (prefix rv__jpos_).
 *
 * The text is valid JSON by then, so the lexer does not validate: it skips
 * whitespace counting lines, decodes string tokens as jansson does, and
 * skips scalars.  Walking objects and arrays (and what is recorded for each
 * value) is left to the callers.
 */
#ifndef RV_SONATA_JSONPOS_INT_H
#define RV_SONATA_JSONPOS_INT_H

#include <stddef.h>

typedef struct rv__jpos_scan {
    const char *p, *end; /* current position, end of text */
    const char *line_start;
    int line; /* 1-based line of p */
} rv__jpos_scan;

/* Receives decoded string bytes; n > 0.  Invalid UTF-8 is never produced
 * from valid JSON, but a truncating sink may cut a sequence. */
typedef void (*rv__jpos_sink)(void *ctx, const char *b, size_t n);

/* Starts a scan of text[0..len) at line 1, column 1. */
void rv__jpos_init(rv__jpos_scan *s, const char *text, size_t len);

/* Skips spaces, tabs, CRs and newlines (counting lines). */
void rv__jpos_ws(rv__jpos_scan *s);

/* 1-based column of s->p on its line, in bytes. */
int rv__jpos_col(const rv__jpos_scan *s);

/* Consumes the string token at s->p (on its opening quote), passing the
 * decoded bytes (escapes, \u surrogate pairs) to put, or dropping them when
 * put is NULL.  No terminating NUL is passed. */
void rv__jpos_string(rv__jpos_scan *s, rv__jpos_sink put, void *ctx);

/* Consumes a number, true, false or null at s->p. */
void rv__jpos_scalar(rv__jpos_scan *s);

#endif
