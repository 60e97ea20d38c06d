/* SPDX-License-Identifier: MIT
 * sonata/csvtypes.c -- SONATA node/edge types tables (the *_types.csv files).
 *
 * Format (as BMTK writes and reads them): the first non-blank line names
 * the columns, one of which is node_type_id (edge_type_id); each following
 * non-blank line is one type.  Fields are separated by spaces or tabs (a run
 * of separators counts as one, so aligned columns work); a field may be
 * double-quoted to hold spaces ("a b"; "" inside quotes is one quote); the
 * value NONE is missing.  Type ids are integers and unique.
 *
 * The file is read once into one buffer and tokenised in place: column names
 * and cells point into it.  Rows are sorted by type id for binary search.
 * Each column gets an inferred dtype (int64 if every present value is an
 * integer, float64 if every present value is a number, else string), which
 * is what rv_sonata_attr_info reports for CSV-only attributes.
 *
 * Errors name the file and line: missing id column, wrong field count,
 * unterminated quote, a non-integer or duplicate type id.
 */
#include "sonata/h5util_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static rv_status read_all(const char *path, char **out, size_t *len, rv_error *err) {
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        int e = errno;
        return RV__FAILK(err, e == ENOENT ? RV_ENOENT : RV_EIO, path, NULL,
                         "cannot open types file %s: %s", path, strerror(e));
    }
    size_t cap = 4096, n = 0;
    char *buf = rv_malloc(cap);
    rv_status st = RV_OK;
    if (!buf) st = RV__NOMEM(err, "types file");
    while (st == RV_OK) {
        if (n + 1 >= cap) {
            char *nb = rv_realloc(buf, cap * 2);
            if (!nb) {
                st = RV__NOMEM(err, "types file");
                break;
            }
            buf = nb;
            cap *= 2;
        }
        size_t got = fread(buf + n, 1, cap - 1 - n, fp);
        n += got;
        if (got == 0) {
            if (ferror(fp))
                st = RV__FAILK(err, RV_EIO, path, NULL, "cannot read types file %s", path);
            break;
        }
    }
    fclose(fp);
    if (st != RV_OK) {
        rv_free(buf);
        return st;
    }
    buf[n] = 0;
    if (memchr(buf, 0, n))
        st = RV__FAILK(err, RV_EFORMAT, path, NULL, "%s is not a text file (NUL byte)", path);
    if (st != RV_OK) {
        rv_free(buf);
        return st;
    }
    *out = buf;
    *len = n;
    return RV_OK;
}

/* Tokenise one line in place (line is NUL-terminated).  Stores up to cap
 * field pointers, returns the field count or -1 for an unterminated quote. */
static long split_line(char *line, char **f, size_t cap) {
    long n = 0;
    char *p = line;
    for (;;) {
        while (*p == ' ' || *p == '\t') p++;
        if (!*p) break;
        char *start = p, *w = p;
        if (*p == '"') {
            p++;
            for (;;) {
                if (!*p) return -1;
                if (*p == '"') {
                    if (p[1] == '"') {
                        *w++ = '"';
                        p += 2;
                        continue;
                    }
                    p++;
                    break;
                }
                *w++ = *p++;
            }
            /* the field ends at the closing quote; text glued after it is kept */
            while (*p && *p != ' ' && *p != '\t') *w++ = *p++;
        } else {
            while (*p && *p != ' ' && *p != '\t') p++;
            w = p;
        }
        int last = !*p;
        if ((size_t)n < cap) f[n] = start;
        n++;
        if (last) {
            *w = 0;
            break;
        }
        p++;
        *w = 0;
    }
    return n;
}

static int parse_i64(const char *s, int64_t *v) {
    if (!s || !*s) return 0;
    char *end;
    errno = 0;
    long long x = strtoll(s, &end, 10);
    if (*end || errno) return 0;
    *v = x;
    return 1;
}

static int parse_f64(const char *s) {
    if (!s || !*s) return 0;
    char *end;
    strtod(s, &end);
    return *end == 0;
}

void rv__csvt_free(rv__types *t) {
    if (!t) return;
    rv_free(t->path);
    rv_free(t->cols);
    rv_free(t->ids);
    rv_free(t->cells);
    rv_free(t->lines);
    rv_free(t->col_type);
    rv_free(t->text);
    rv_free(t);
}

typedef struct row_ref {
    int64_t id;
    size_t row;
} row_ref;

static int cmp_row(const void *a, const void *b) {
    const row_ref *x = a, *y = b;
    return x->id < y->id ? -1 : x->id > y->id;
}

rv_status rv__csvt_load(const char *path, const char *id_col, rv__types **out, rv_error *err) {
    *out = NULL;
    rv__types *t = rv_calloc(1, sizeof *t);
    if (!t) return RV__NOMEM(err, "types table");
    size_t len = 0;
    rv_status st = read_all(path, &t->text, &len, err);
    if (st != RV_OK) {
        rv_free(t);
        return st;
    }
    t->path = rv_strdup(path);
    if (!t->path) goto nomem;
    /* count lines for the arrays */
    size_t nlines = 1;
    for (size_t i = 0; i < len; i++) nlines += t->text[i] == '\n';
    char **line = rv_malloc(nlines * sizeof *line);
    int *lineno = rv_malloc(nlines * sizeof *lineno);
    if (!line || !lineno) {
        rv_free(line);
        rv_free(lineno);
        goto nomem;
    }
    /* split into non-blank lines */
    size_t nl = 0;
    char *p = t->text;
    for (int no = 1; p; no++) {
        char *e = strchr(p, '\n');
        if (e) *e = 0;
        size_t l = strlen(p);
        if (l && p[l - 1] == '\r') p[l - 1] = 0;
        const char *q = p;
        while (*q == ' ' || *q == '\t') q++;
        if (*q) {
            line[nl] = p;
            lineno[nl++] = no;
        }
        p = e ? e + 1 : NULL;
    }
    if (nl == 0) {
        st =
            RV__FAILK(err, RV_EFORMAT, path, NULL, "types file %s is empty (no header line)", path);
        goto fail_lines;
    }
    /* header */
    size_t cap = strlen(line[0]) + 1;
    t->cols = rv_malloc(cap * sizeof *t->cols);
    if (!t->cols) {
        st = RV__NOMEM(err, "types header");
        goto fail_lines;
    }
    long nc = split_line(line[0], t->cols, cap);
    if (nc < 0) {
        st = RV__FAILK(err, RV_EFORMAT, path, NULL, "unterminated quote");
        if (err) err->line = lineno[0];
        goto fail_lines;
    }
    t->ncol = (size_t)nc;
    t->col_type = rv_malloc((size_t)nc * sizeof *t->col_type);
    if (!t->col_type) {
        st = RV__NOMEM(err, "types header");
        goto fail_lines;
    }
    long idc = -1;
    for (long i = 0; i < nc; i++) {
        for (long j = 0; j < i; j++)
            if (strcmp(t->cols[i], t->cols[j]) == 0) {
                st = RV__FAILK(err, RV_EFORMAT, path, t->cols[i], "column '%s' appears twice",
                               t->cols[i]);
                if (err) err->line = lineno[0];
                goto fail_lines;
            }
        if (strcmp(t->cols[i], id_col) == 0) idc = i;
    }
    if (idc < 0) {
        st = RV__FAILK(err, RV_EFORMAT, path, id_col, "types file %s has no '%s' column", path,
                       id_col);
        if (err) err->line = lineno[0];
        goto fail_lines;
    }
    t->id_col = (size_t)idc;
    t->nrow = nl - 1;
    size_t ncell = t->nrow * t->ncol;
    t->cells = rv_malloc((ncell ? ncell : 1) * sizeof *t->cells);
    t->ids = rv_malloc((t->nrow ? t->nrow : 1) * sizeof *t->ids);
    t->lines = rv_malloc((t->nrow ? t->nrow : 1) * sizeof *t->lines);
    char **tmpc = rv_malloc((ncell ? ncell : 1) * sizeof *tmpc);
    row_ref *ref = rv_malloc((t->nrow ? t->nrow : 1) * sizeof *ref);
    if (!t->cells || !t->ids || !t->lines || !tmpc || !ref) {
        rv_free(tmpc);
        rv_free(ref);
        st = RV__NOMEM(err, "types rows");
        goto fail_lines;
    }
    for (size_t r = 0; r < t->nrow; r++) {
        long k = split_line(line[r + 1], tmpc + r * t->ncol, t->ncol);
        if (k < 0 || (size_t)k != t->ncol) {
            if (k < 0)
                st = RV__FAILK(err, RV_EFORMAT, path, NULL, "unterminated quote");
            else
                st = RV__FAILK(err, RV_EFORMAT, path, NULL, "%ld fields, but the header has %zu", k,
                               t->ncol);
            if (err) err->line = lineno[r + 1];
            break;
        }
        char **c = tmpc + r * t->ncol;
        for (size_t j = 0; j < t->ncol; j++)
            if (strcmp(c[j], "NONE") == 0) c[j] = NULL;
        if (!parse_i64(c[t->id_col], &ref[r].id)) {
            st = RV__FAILK(err, RV_EFORMAT, path, id_col, "%s '%s' is not an integer", id_col,
                           c[t->id_col] ? c[t->id_col] : "NONE");
            if (err) err->line = lineno[r + 1];
            break;
        }
        ref[r].row = r;
    }
    if (st == RV_OK) {
        qsort(ref, t->nrow, sizeof *ref, cmp_row);
        for (size_t r = 1; r < t->nrow; r++)
            if (ref[r].id == ref[r - 1].id) {
                size_t a = ref[r - 1].row < ref[r].row ? ref[r - 1].row : ref[r].row;
                size_t b = ref[r - 1].row < ref[r].row ? ref[r].row : ref[r - 1].row;
                st = RV__FAILK(err, RV_EFORMAT, path, id_col,
                               "duplicate %s %lld (already on line %d)", id_col,
                               (long long)ref[r].id, lineno[a + 1]);
                if (err) err->line = lineno[b + 1];
                break;
            }
    }
    if (st == RV_OK) {
        for (size_t r = 0; r < t->nrow; r++) {
            t->ids[r] = ref[r].id;
            t->lines[r] = lineno[ref[r].row + 1];
            memcpy(t->cells + r * t->ncol, tmpc + ref[r].row * t->ncol, t->ncol * sizeof *tmpc);
        }
        for (size_t j = 0; j < t->ncol; j++) {
            int all_int = 1, all_num = 1;
            for (size_t r = 0; r < t->nrow; r++) {
                const char *v = t->cells[r * t->ncol + j];
                int64_t dummy;
                if (!v) continue;
                if (!parse_i64(v, &dummy)) all_int = 0;
                if (!parse_f64(v)) all_num = 0;
            }
            t->col_type[j] = all_int   ? RV_SONATA_INT64
                             : all_num ? RV_SONATA_FLOAT64
                                       : RV_SONATA_STRING;
        }
    }
    rv_free(tmpc);
    rv_free(ref);
fail_lines:
    rv_free(line);
    rv_free(lineno);
    if (st != RV_OK) {
        rv__csvt_free(t);
        return st;
    }
    *out = t;
    return RV_OK;
nomem:
    rv__csvt_free(t);
    return RV__NOMEM(err, "types table");
}

long rv__csvt_col(const rv__types *t, const char *name) {
    if (!t) return -1;
    for (size_t j = 0; j < t->ncol; j++)
        if (strcmp(t->cols[j], name) == 0) return (long)j;
    return -1;
}

long rv__csvt_row(const rv__types *t, int64_t id) {
    if (!t) return -1;
    size_t lo = 0, hi = t->nrow;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (t->ids[mid] < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < t->nrow && t->ids[lo] == id ? (long)lo : -1;
}
