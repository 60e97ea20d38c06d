/* SPDX-License-Identifier: MIT
 * sonata/nodesets_json.c -- JSON documents for the node-set and
 * compartment-set readers: reading the file, parsing it with jansson
 * (duplicate keys refused), and the line and column of values.
 *
 * Positions.  jansson reports positions only for syntax errors, so after a
 * successful parse the text (valid JSON by then) is scanned once more, as
 * config_json.c does for configs.  Unlike the config reader, only values
 * down to a fixed depth are recorded: node sets files can hold node_id lists
 * of millions of entries, and an error inside such a list is reported at
 * the list with the element's index in the message.  The scanner recurses
 * only to that depth; deeper values are skipped by counting brackets.
 *
 * Errors: RV_ENOENT / RV_EIO naming the file, RV_EFORMAT with jansson's line
 * and column for invalid JSON.  The parse tree uses jansson's allocator;
 * everything else here goes through rv_malloc.
 */
#include "jsonpos_int.h"
#include "nodesets_int.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- messages ---------------------------------------------------------------- */

rv_status rv__nsj_fail(rv_error *err, rv_status code, const char *src, int src_line,
                       const char *label, int line, int col, const char *kp, const char *fmt, ...) {
    char msg[sizeof err->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    rv_error_set(err, code, src, src_line, "%s", msg);
    rv_error_where(err, label, line, kp);
    if (err) err->col = col;
    return code;
}

const char *rv__nsj_type(const json_t *v) {
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        return "an array";
    case JSON_STRING:
        return "a string";
    case JSON_INTEGER:
        return "an integer";
    case JSON_REAL:
        return "a number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "a boolean";
    default:
        return "null";
    }
}

char *rv__nsj_dump(const json_t *v) {
    json_malloc_t jm;
    json_free_t jf;
    json_get_alloc_funcs(&jm, &jf);
    char *t = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    if (!t) return NULL;
    char *s = rv_strdup(t);
    jf(t);
    return s;
}

int rv__nsj_int64(const json_t *v, int64_t *out, int *is_float) {
    if (is_float) *is_float = 0;
    if (json_is_integer(v)) {
        *out = (int64_t)json_integer_value(v);
        return 1;
    }
    if (!json_is_real(v)) return 0;
    double d = json_real_value(v);
    if (d != floor(d)) {
        if (is_float) *is_float = 1;
        return 0;
    }
    /* -2^63 <= d < 2^63 */
    if (d < -9223372036854775808.0 || d >= 9223372036854775808.0) return 0;
    *out = (int64_t)d;
    return 1;
}

static void kp_fit(char *buf, int n) {
    if (n >= RV__NSJ_KP) memcpy(buf + RV__NSJ_KP - 4, "...", 4);
}

void rv__nsj_kp(char *buf, const char *parent, const char *key) {
    kp_fit(buf, parent && parent[0] ? snprintf(buf, RV__NSJ_KP, "%s.%s", parent, key)
                                    : snprintf(buf, RV__NSJ_KP, "%s", key));
}

void rv__nsj_kpi(char *buf, const char *parent, size_t i) {
    kp_fit(buf, snprintf(buf, RV__NSJ_KP, "%s[%zu]", parent ? parent : "", i));
}

/* ---- reading ------------------------------------------------------------------ */

static rv_status read_file(const char *path, const char *what, char **text, size_t *len,
                           rv_error *err) {
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        int e = errno;
        return RV__NSJ_FAIL(err, e == ENOENT ? RV_ENOENT : RV_EIO, path, 0, 0, NULL,
                            "cannot open %s: %s", what, strerror(e));
    }
    char *buf = NULL;
    size_t n = 0, cap = 0;
    rv_status st = RV_OK;
    for (;;) {
        if (rv_grow((void **)&buf, &cap, n + 65537, 1)) {
            st = RV_FAIL(err, RV_ENOMEM, "out of memory reading %s %s", what, path);
            break;
        }
        size_t got = fread(buf + n, 1, cap - n - 1, fp);
        n += got;
        if (got == 0) break;
    }
    int failed = ferror(fp);
    int e = errno;
    fclose(fp);
    if (st == RV_OK && failed)
        st = RV__NSJ_FAIL(err, RV_EIO, path, 0, 0, NULL, "cannot read %s: %s", what, strerror(e));
    if (st != RV_OK) {
        rv_free(buf);
        return st;
    }
    buf[n] = '\0';
    *text = buf;
    *len = n;
    return RV_OK;
}

/* ---- the position scanner -------------------------------------------------------- */

typedef struct scanner {
    rv__jpos_scan j;
    rv__nsj_doc *d;
    int max_depth;
    int oom;
} scanner;

static void key_put(scanner *s, const char *b, size_t n) {
    rv__nsj_doc *d = s->d;
    if (s->oom) return;
    if (rv_grow((void **)&d->keys, &d->cap_keys, d->nkeys + n + 1, 1)) {
        s->oom = 1;
        return;
    }
    memcpy(d->keys + d->nkeys, b, n);
    d->nkeys += n;
}

static void key_sink(void *ctx, const char *b, size_t n) {
    key_put(ctx, b, n);
}

/* A string token at s->j.p (opening quote).  With `keep`, its decoded text is
 * appended to the key buffer (NUL-terminated) and its offset returned. */
static size_t sc_string(scanner *s, int keep) {
    size_t off = s->d->nkeys;
    rv__jpos_string(&s->j, keep ? key_sink : NULL, s);
    if (keep) key_put(s, "", 1);
    return off;
}

/* Skip one value without recording anything (iterative: any depth). */
static void sc_skip(scanner *s) {
    int depth = 0;
    do {
        rv__jpos_ws(&s->j);
        if (s->j.p >= s->j.end) return;
        char ch = *s->j.p;
        if (ch == '"') {
            sc_string(s, 0);
        } else if (ch == '{' || ch == '[') {
            depth++;
            s->j.p++;
        } else if (ch == '}' || ch == ']') {
            depth--;
            s->j.p++;
        } else if (ch == ',' || ch == ':') {
            s->j.p++;
        } else {
            rv__jpos_scalar(&s->j);
        }
    } while (depth > 0);
}

static void sc_value(scanner *s, int depth, long index, size_t key) {
    rv__jpos_ws(&s->j);
    if (s->j.p >= s->j.end || s->oom) return;
    if (depth > s->max_depth) {
        sc_skip(s);
        return;
    }
    rv__nsj_doc *d = s->d;
    if (rv_grow((void **)&d->pos, &d->cap_pos, d->npos + 1, sizeof *d->pos)) {
        s->oom = 1;
        return;
    }
    rv__nsj_pos *e = &d->pos[d->npos++];
    e->depth = depth;
    e->index = index;
    e->key = key;
    e->line = s->j.line;
    e->col = rv__jpos_col(&s->j);
    char ch = *s->j.p;
    if (ch != '{' && ch != '[') {
        sc_skip(s);
        return;
    }
    int obj = ch == '{';
    char close = obj ? '}' : ']';
    long i = 0;
    s->j.p++;
    for (;;) {
        rv__jpos_ws(&s->j);
        if (s->j.p >= s->j.end || s->oom) return;
        if (*s->j.p == close) {
            s->j.p++;
            return;
        }
        if (*s->j.p == ',') {
            s->j.p++;
            continue;
        }
        if (obj) {
            size_t k = sc_string(s, 1);
            rv__jpos_ws(&s->j);
            if (s->j.p < s->j.end && *s->j.p == ':') s->j.p++;
            sc_value(s, depth + 1, -1, k);
        } else {
            sc_value(s, depth + 1, i++, 0);
        }
    }
}

typedef struct top_key {
    const char *key;
    size_t idx;
} top_key;

static int cmp_top(const void *a, const void *b) {
    return strcmp(((const top_key *)a)->key, ((const top_key *)b)->key);
}

static rv_status index_top(rv__nsj_doc *d, rv_error *err) {
    size_t n = 0;
    for (size_t i = 0; i < d->npos; i++) n += d->pos[i].depth == 1 && d->pos[i].index < 0;
    d->top = rv_malloc((n ? n : 1) * sizeof *d->top);
    top_key *t = rv_malloc((n ? n : 1) * sizeof *t);
    if (!d->top || !t) {
        rv_free(t);
        return RV_FAIL(err, RV_ENOMEM, "out of memory indexing %s", d->label);
    }
    for (size_t i = 0; i < d->npos; i++)
        if (d->pos[i].depth == 1 && d->pos[i].index < 0) {
            t[d->ntop].key = d->keys + d->pos[i].key;
            t[d->ntop++].idx = i;
        }
    qsort(t, d->ntop, sizeof *t, cmp_top);
    for (size_t i = 0; i < d->ntop; i++) d->top[i] = t[i].idx;
    rv_free(t);
    return RV_OK;
}

long rv__nsj_top(const rv__nsj_doc *d, const char *key) {
    size_t lo = 0, hi = d->ntop;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(d->keys + d->pos[d->top[mid]].key, key);
        if (c == 0) return (long)d->top[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

long rv__nsj_child(const rv__nsj_doc *d, long e, const char *key, long index) {
    if (e < 0) return -1;
    int depth = d->pos[e].depth;
    for (size_t i = (size_t)e + 1; i < d->npos && d->pos[i].depth > depth; i++) {
        if (d->pos[i].depth != depth + 1) continue;
        if (key ? (d->pos[i].index < 0 && strcmp(d->keys + d->pos[i].key, key) == 0)
                : d->pos[i].index == index)
            return (long)i;
    }
    return -1;
}

void rv__nsj_where(const rv__nsj_doc *d, long e, int *line, int *col) {
    *line = e >= 0 ? d->pos[e].line : 0;
    *col = e >= 0 ? d->pos[e].col : 0;
}

void rv__nsj_free(rv__nsj_doc *d) {
    if (!d) return;
    if (d->root) json_decref(d->root);
    rv_free(d->label);
    rv_free(d->pos);
    rv_free(d->keys);
    rv_free(d->top);
    memset(d, 0, sizeof *d);
}

rv_status rv__nsj_read(const char *path, const char *text, const char *label, int max_depth,
                       const char *what, rv__nsj_doc *d, rv_error *err) {
    memset(d, 0, sizeof *d);
    const char *name = path ? path : label;
    d->label = rv_strdup(name);
    if (!d->label) return RV_FAIL(err, RV_ENOMEM, "out of memory reading %s", what);
    char *buf = NULL;
    size_t len = 0;
    rv_status st = RV_OK;
    if (path) {
        st = read_file(path, what, &buf, &len, err);
        if (st != RV_OK) goto fail;
        text = buf;
    } else {
        len = strlen(text);
    }
    json_error_t je;
    d->root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    if (!d->root) {
        if (json_error_code(&je) == json_error_out_of_memory)
            st = RV_FAIL(err, RV_ENOMEM, "out of memory parsing %s %s", what, name);
        else
            st = RV__NSJ_FAIL(err, RV_EFORMAT, name, je.line, je.column, NULL,
                              "invalid JSON in %s at line %d, column %d: %s", what, je.line,
                              je.column, je.text);
        goto fail;
    }
    scanner s = {.d = d, .max_depth = max_depth};
    rv__jpos_init(&s.j, text, len);
    sc_value(&s, 0, -1, 0);
    if (s.oom) {
        st = RV_FAIL(err, RV_ENOMEM, "out of memory indexing %s %s", what, name);
        goto fail;
    }
    if (!json_is_object(d->root)) {
        int line, col;
        rv__nsj_where(d, d->npos ? 0 : -1, &line, &col);
        st = RV__NSJ_FAIL(err, RV_EFORMAT, name, line, col, "",
                          "the top level of %s must be a JSON object, not %s", what,
                          rv__nsj_type(d->root));
        goto fail;
    }
    st = index_top(d, err);
    if (st != RV_OK) goto fail;
    rv_free(buf);
    return RV_OK;
fail:
    rv_free(buf);
    rv__nsj_free(d);
    return st;
}
