/* SPDX-License-Identifier: MIT
 * sonata/nodesets_eval.c -- materialising a node set on one nodes population.
 *
 * A basic set is evaluated as a shrinking candidate selection: all rows,
 * then the population clause (all or nothing), an empty list (nothing),
 * node_id (an intersection), then each attribute clause, which reads the
 * attribute only for the rows still selected, in chunks of CHUNK rows, so
 * that memory is bounded and a narrow node_id clause keeps the reads small.
 * Before any attribute is read every attribute clause is checked against the
 * population's datasets (dtype, enumeration), so type errors do not depend
 * on the data.
 *
 * A compound set is the union of the basic sets reachable from it (each
 * visited once, iteratively).  Reachable single-clause equality sets on the
 * same attribute are merged into one clause and read once, the grouping
 * libsonata does for region hierarchies.
 *
 * Attribute values come through the public reader (sonata_circuit.h):
 * strings with rv_sonata_pop_read_str (enumerations resolved, NULL where a
 * row has no value); numbers with read_i64/read_f64 for the rows whose
 * group has the dataset, and for the other rows the types-CSV text (read as
 * strings, so that NONE is a non-matching row rather than an error) parsed
 * here.
 */
#include "nodesets_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK ((uint64_t)1 << 20)

/* ---- selections --------------------------------------------------------------- */

rv_status rv__ns_sel_and(const rv_sonata_sel *a, const rv_sonata_sel *b, rv_sonata_sel *out,
                         rv_error *err) {
    out->r = NULL;
    out->n = 0;
    size_t cap = a->n + b->n;
    if (cap == 0) return RV_OK;
    rv_sonata_range *r = rv_malloc(cap * sizeof *r);
    if (!r) return RV_FAIL(err, RV_ENOMEM, "out of memory intersecting node selections");
    size_t i = 0, j = 0, n = 0;
    while (i < a->n && j < b->n) {
        uint64_t lo = a->r[i].begin > b->r[j].begin ? a->r[i].begin : b->r[j].begin;
        uint64_t hi = a->r[i].end < b->r[j].end ? a->r[i].end : b->r[j].end;
        if (lo < hi) r[n++] = (rv_sonata_range){lo, hi};
        if (a->r[i].end < b->r[j].end)
            i++;
        else
            j++;
    }
    if (n == 0) {
        rv_free(r);
        return RV_OK;
    }
    out->r = r;
    out->n = n;
    return RV_OK;
}

rv_status rv__ns_sel_or(rv_sonata_sel *acc, const rv_sonata_sel *b, rv_error *err) {
    if (b->n == 0) return RV_OK;
    rv_sonata_range *r = rv_malloc((acc->n + b->n) * sizeof *r);
    if (!r) return RV_FAIL(err, RV_ENOMEM, "out of memory uniting node selections");
    if (acc->n) memcpy(r, acc->r, acc->n * sizeof *r);
    memcpy(r + acc->n, b->r, b->n * sizeof *r);
    rv_sonata_sel u;
    rv_status st = rv_sonata_sel_from_ranges(r, acc->n + b->n, &u, err);
    rv_free(r);
    if (st != RV_OK) return st;
    rv_sonata_sel_free(acc);
    *acc = u;
    return RV_OK;
}

/* ---- growing id lists ------------------------------------------------------------ */

typedef struct idlist {
    uint64_t *v;
    size_t n, cap;
} idlist;

static int push(idlist *l, uint64_t id) {
    if (l->n == l->cap && rv_grow((void **)&l->v, &l->cap, l->n + 1, sizeof *l->v)) return -1;
    l->v[l->n++] = id;
    return 0;
}

/* ---- evaluation context and errors ---------------------------------------------------- */

typedef struct ectx {
    rv_sonata_nodesets *ns;
    rv_sonata_pop *pop;
    unsigned flags;
    rv_error *err;
    uint64_t size;
    const char *pname;
} ectx;

static rv_status clause_fail(ectx *x, const rv__ns_set *s, const rv__ns_clause *c, rv_status code,
                             const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;

static rv_status clause_fail(ectx *x, const rv__ns_set *s, const rv__ns_clause *c, rv_status code,
                             const char *fmt, ...) {
    char msg[400], kp[RV__NSJ_KP];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    rv__nsj_kp(kp, s->name, c->attr);
    return rv__nsj_fail(x->err, code, __FILE__, __LINE__, x->ns->srcs[s->src], c->line, c->col, kp,
                        "node set '%s': %s (population %s)", s->name, msg, x->pname);
}

/* An error from the nodes reader: keep its position, name the node set. */
static rv_status pass(ectx *x, const rv__ns_set *s, rv_status st) {
    if (st != RV_OK && st != RV_ENOMEM && x->err) {
        char msg[sizeof x->err->msg];
        int k = snprintf(msg, sizeof msg, "node set '%s': ", s->name);
        size_t at = k < 0 ? 0 : (size_t)k < sizeof msg ? (size_t)k : sizeof msg - 1;
        size_t len = strlen(x->err->msg);
        if (len > sizeof msg - 1 - at) len = sizeof msg - 1 - at;
        memcpy(msg + at, x->err->msg, len);
        msg[at + len] = '\0';
        memcpy(x->err->msg, msg, sizeof msg);
    }
    return st;
}

static rv_status nomem(ectx *x, const rv__ns_set *s) {
    return RV_FAIL(x->err, RV_ENOMEM, "out of memory materialising node set '%s' on population %s",
                   s->name, x->pname);
}

/* ---- attribute classes ------------------------------------------------------------------ */

typedef struct aclass {
    int found;
    int type_ids;    /* "node_type_id" read from the population dataset */
    int enumeration; /* @library */
    int in_csv;
    int all_groups; /* every group has the dataset */
    int n_int, n_float, n_str, n_other;
    rv_sonata_dtype bad; /* the dtype that made a check fail, for messages */
    rv_sonata_dtype first_int, first_float, first_str, first_other;
} aclass;

static void count_dtype(aclass *a, rv_sonata_dtype t) {
    switch (t) {
    case RV_SONATA_NONE:
        return;
    case RV_SONATA_FLOAT32:
    case RV_SONATA_FLOAT64:
        if (!a->n_float++) a->first_float = t;
        return;
    case RV_SONATA_STRING:
        if (!a->n_str++) a->first_str = t;
        return;
    case RV_SONATA_OTHER:
        if (!a->n_other++) a->first_other = t;
        return;
    default:
        if (!a->n_int++) a->first_int = t;
        return;
    }
}

static rv_status classify(ectx *x, const char *name, aclass *a) {
    memset(a, 0, sizeof *a);
    long ai = rv_sonata_pop_attr_find(x->pop, name);
    if (ai < 0) {
        if (strcmp(name, "node_type_id") == 0) {
            a->found = a->type_ids = a->all_groups = 1;
            count_dtype(a, RV_SONATA_INT64);
        }
        return RV_OK;
    }
    rv_sonata_attr_info info;
    rv_status st = rv_sonata_pop_attr_info(x->pop, (size_t)ai, &info, x->err);
    if (st != RV_OK) return st;
    a->found = 1;
    a->enumeration = info.enumeration;
    a->in_csv = info.in_csv;
    size_t ng = rv_sonata_pop_group_count(x->pop), with = 0;
    for (size_t g = 0; g < ng; g++) {
        rv_sonata_dtype t =
            rv_sonata_pop_group_attr_dtype(x->pop, rv_sonata_pop_group_id(x->pop, g), name);
        if (t == RV_SONATA_NONE) continue;
        with++;
        count_dtype(a, t);
    }
    a->all_groups = ng > 0 && with == ng;
    if (info.n_groups == 0) count_dtype(a, info.dtype); /* the CSV column's inferred type */
    return RV_OK;
}

/* Is clause c usable on an attribute of class a?  (metadata only) */
static rv_status check_clause(ectx *x, const rv__ns_set *s, const rv__ns_clause *c,
                              const aclass *a) {
    const char *what = c->kind == RV__NS_REGEX ? "$regex"
                       : c->kind == RV__NS_CMP ? "$gt/$lt/$gte/$lte"
                                               : "equality";
    if (a->n_other)
        return clause_fail(x, s, c, RV_EUNSUPPORTED,
                           "attribute '%s' has a dtype (%s) that cannot be compared", c->attr,
                           rv_sonata_dtype_name(a->first_other));
    switch (c->kind) {
    case RV__NS_EQ_INT:
        if (a->enumeration)
            return clause_fail(x, s, c, RV_EFORMAT,
                               "attribute '%s' is an @library enumeration: match it with its "
                               "strings, not integers",
                               c->attr);
        if (a->n_float)
            return clause_fail(x, s, c, RV_EFORMAT,
                               "attribute '%s' is floating point (%s): exact comparison with a "
                               "float attribute is not supported, use $gt/$lt/$gte/$lte",
                               c->attr, rv_sonata_dtype_name(a->first_float));
        if (a->n_str)
            return clause_fail(x, s, c, RV_EFORMAT,
                               "attribute '%s' holds strings: compare it with strings, not "
                               "integers",
                               c->attr);
        return RV_OK;
    case RV__NS_EQ_STR:
    case RV__NS_REGEX:
        if (!a->enumeration && (a->n_int || a->n_float))
            return clause_fail(x, s, c, RV_EFORMAT,
                               "attribute '%s' is numeric (%s): %s needs a string attribute%s",
                               c->attr,
                               rv_sonata_dtype_name(a->n_int ? a->first_int : a->first_float), what,
                               c->kind == RV__NS_EQ_STR ? " (compare numbers without quotes)" : "");
        return RV_OK;
    case RV__NS_CMP:
        if (a->n_str)
            return clause_fail(x, s, c, RV_EFORMAT,
                               "attribute '%s' holds strings: %s needs a numeric attribute",
                               c->attr, what);
        return RV_OK;
    default:
        return RV_OK;
    }
}

/* ---- matching values ---------------------------------------------------------------------- */

static int has_int(const rv__ns_clause *c, int64_t v) {
    size_t lo = 0, hi = c->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (c->ints[mid] == v) return 1;
        if (c->ints[mid] < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

static int has_str(const rv__ns_clause *c, const char *v) {
    size_t lo = 0, hi = c->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int k = strcmp(c->strs[mid], v);
        if (k == 0) return 1;
        if (k < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

static int cmp_ok(const rv__ns_clause *c, double v) {
    switch (c->op) {
    case RV__NS_GT:
        return v > c->num;
    case RV__NS_LT:
        return v < c->num;
    case RV__NS_GTE:
        return v >= c->num;
    default:
        return v <= c->num;
    }
}

/* Rows of sel in order, one at a time. */
typedef struct rowit {
    const rv_sonata_sel *sel;
    size_t r;
    uint64_t next;
} rowit;

static void rowit_init(rowit *it, const rv_sonata_sel *sel) {
    it->sel = sel;
    it->r = 0;
    it->next = sel->n ? sel->r[0].begin : 0;
}

static uint64_t rowit_next(rowit *it) {
    uint64_t row = it->next++;
    if (it->next >= it->sel->r[it->r].end && ++it->r < it->sel->n)
        it->next = it->sel->r[it->r].begin;
    return row;
}

/* String clauses over sel. */
static rv_status match_strings(ectx *x, const rv__ns_set *s, const rv__ns_clause *c,
                               const rv_sonata_sel *sel, idlist *hits) {
    char **v = NULL;
    rv_status st = rv_sonata_pop_read_str(x->pop, c->attr, sel, &v, x->err);
    if (st != RV_OK) return pass(x, s, st);
    uint64_t n = rv_sonata_sel_count(sel);
    rowit it;
    rowit_init(&it, sel);
    const char *prev = NULL;
    int prev_ok = 0;
    for (uint64_t i = 0; i < n && st == RV_OK; i++) {
        uint64_t row = rowit_next(&it);
        const char *val = v[i];
        if (!val) continue;
        int ok;
        if (prev && strcmp(prev, val) == 0) {
            ok = prev_ok; /* enumerations and sorted columns repeat values */
        } else if (c->kind == RV__NS_REGEX) {
            ok = regexec(&c->re, val, 0, NULL, 0) == 0;
        } else {
            ok = has_str(c, val);
        }
        prev = val;
        prev_ok = ok;
        if (ok && push(hits, row)) st = nomem(x, s);
    }
    rv_free(v);
    return st;
}

/* One numeric value from the types-CSV text of a row (NULL: no value). */
static rv_status csv_value(ectx *x, const rv__ns_set *s, const rv__ns_clause *c, const char *text,
                           uint64_t row, int *have, int64_t *iv, double *dv) {
    *have = 0;
    if (!text) return RV_OK;
    char *end;
    errno = 0;
    long long ll = strtoll(text, &end, 10);
    int is_int = *text && !*end && errno == 0;
    errno = 0;
    double d = strtod(text, &end);
    int is_num = *text && !*end;
    if (c->kind == RV__NS_EQ_INT) {
        if (is_int) {
            *iv = ll;
            *have = 1;
            return RV_OK;
        }
        if (is_num)
            return clause_fail(x, s, c, RV_EFORMAT,
                               "attribute '%s' of node %llu is '%s' in the types CSV: exact "
                               "comparison with a float attribute is not supported, use "
                               "$gt/$lt/$gte/$lte",
                               c->attr, (unsigned long long)row, text);
        return clause_fail(x, s, c, RV_EFORMAT,
                           "attribute '%s' of node %llu is '%s' in the types CSV, not an integer",
                           c->attr, (unsigned long long)row, text);
    }
    if (!is_num)
        return clause_fail(x, s, c, RV_EFORMAT,
                           "attribute '%s' of node %llu is '%s' in the types CSV, not a number",
                           c->attr, (unsigned long long)row, text);
    *dv = d;
    *have = 1;
    return RV_OK;
}

/* Numeric clauses over rows of sel that all have a dataset value (or the
 * node_type_id dataset). */
static rv_status match_numbers_h5(ectx *x, const rv__ns_set *s, const rv__ns_clause *c,
                                  const aclass *a, const rv_sonata_sel *sel, idlist *hits) {
    uint64_t n = rv_sonata_sel_count(sel);
    if (n == 0) return RV_OK;
    void *buf = rv_malloc(n * 8);
    if (!buf) return nomem(x, s);
    rv_status st;
    int ints = c->kind == RV__NS_EQ_INT || a->type_ids;
    if (a->type_ids)
        st = rv_sonata_pop_read_type_ids(x->pop, sel, buf, x->err);
    else if (ints)
        st = rv_sonata_pop_read_i64(x->pop, c->attr, sel, buf, x->err);
    else
        st = rv_sonata_pop_read_f64(x->pop, c->attr, sel, buf, x->err);
    st = pass(x, s, st);
    rowit it;
    rowit_init(&it, sel);
    for (uint64_t i = 0; i < n && st == RV_OK; i++) {
        uint64_t row = rowit_next(&it);
        int ok;
        if (c->kind == RV__NS_EQ_INT)
            ok = has_int(c, ((int64_t *)buf)[i]);
        else
            ok = cmp_ok(c, ints ? (double)((int64_t *)buf)[i] : ((double *)buf)[i]);
        if (ok && push(hits, row)) st = nomem(x, s);
    }
    rv_free(buf);
    return st;
}

/* Numeric clauses over rows whose values come from the types CSV. */
static rv_status match_numbers_csv(ectx *x, const rv__ns_set *s, const rv__ns_clause *c,
                                   const rv_sonata_sel *sel, idlist *hits) {
    uint64_t n = rv_sonata_sel_count(sel);
    if (n == 0) return RV_OK;
    char **v = NULL;
    rv_status st = pass(x, s, rv_sonata_pop_read_str(x->pop, c->attr, sel, &v, x->err));
    if (st != RV_OK) return st;
    rowit it;
    rowit_init(&it, sel);
    for (uint64_t i = 0; i < n && st == RV_OK; i++) {
        uint64_t row = rowit_next(&it);
        int have;
        int64_t iv = 0;
        double dv = 0;
        st = csv_value(x, s, c, v[i], row, &have, &iv, &dv);
        if (st != RV_OK || !have) continue;
        int ok = c->kind == RV__NS_EQ_INT ? has_int(c, iv) : cmp_ok(c, dv);
        if (ok && push(hits, row)) st = nomem(x, s);
    }
    rv_free(v);
    return st;
}

/* Numeric clauses over sel, splitting rows by whether their group has the
 * dataset. */
static rv_status match_numbers(ectx *x, const rv__ns_set *s, const rv__ns_clause *c,
                               const aclass *a, const rv_sonata_sel *sel, idlist *hits) {
    if (a->all_groups) return match_numbers_h5(x, s, c, a, sel, hits);
    uint64_t n = rv_sonata_sel_count(sel);
    size_t ng = rv_sonata_pop_group_count(x->pop);
    uint32_t *gid = rv_malloc((n ? n : 1) * sizeof *gid);
    uint64_t *ra = rv_malloc((n ? n : 1) * sizeof *ra), *rb = rv_malloc((n ? n : 1) * sizeof *rb);
    uint32_t *gwith = rv_malloc((ng ? ng : 1) * sizeof *gwith);
    rv_sonata_sel sa = {0}, sb = {0};
    rv_status st = RV_OK;
    if (!gid || !ra || !rb || !gwith) {
        st = nomem(x, s);
        goto done;
    }
    size_t nwith = 0;
    for (size_t g = 0; g < ng; g++) {
        uint32_t id = rv_sonata_pop_group_id(x->pop, g);
        if (rv_sonata_pop_group_attr_dtype(x->pop, id, c->attr) != RV_SONATA_NONE)
            gwith[nwith++] = id;
    }
    size_t na = 0, nb = 0;
    if (nwith) {
        st = pass(x, s, rv_sonata_pop_read_groups(x->pop, sel, gid, NULL, x->err));
        if (st != RV_OK) goto done;
    }
    rowit it;
    rowit_init(&it, sel);
    for (uint64_t i = 0; i < n; i++) {
        uint64_t row = rowit_next(&it);
        int with = 0;
        for (size_t g = 0; g < nwith && !with; g++) with = gid[i] == gwith[g];
        if (with)
            ra[na++] = row;
        else
            rb[nb++] = row;
    }
    st = rv_sonata_sel_from_ids(ra, na, &sa, x->err);
    if (st == RV_OK) st = rv_sonata_sel_from_ids(rb, nb, &sb, x->err);
    if (st == RV_OK) st = match_numbers_h5(x, s, c, a, &sa, hits);
    if (st == RV_OK && a->in_csv) st = match_numbers_csv(x, s, c, &sb, hits);
done:
    rv_sonata_sel_free(&sa);
    rv_sonata_sel_free(&sb);
    rv_free(gid);
    rv_free(ra);
    rv_free(rb);
    rv_free(gwith);
    return st;
}

static int cmp_u64(const void *p, const void *q) {
    uint64_t a = *(const uint64_t *)p, b = *(const uint64_t *)q;
    return a < b ? -1 : a > b;
}

/* Rows of cand where attribute clause c holds, into *out. */
static rv_status eval_attr(ectx *x, const rv__ns_set *s, const rv__ns_clause *c, const aclass *a,
                           const rv_sonata_sel *cand, rv_sonata_sel *out) {
    idlist hits = {0};
    rv_status st = RV_OK;
    rv_sonata_range *cr = rv_malloc((cand->n ? cand->n : 1) * sizeof *cr);
    if (!cr) return nomem(x, s);
    /* walk cand in chunks of at most CHUNK rows */
    size_t ri = 0;
    uint64_t pos = cand->n ? cand->r[0].begin : 0;
    while (ri < cand->n && st == RV_OK) {
        size_t nc = 0;
        uint64_t rows = 0;
        while (ri < cand->n && rows < CHUNK) {
            uint64_t end = cand->r[ri].end;
            if (end - pos > CHUNK - rows) end = pos + (CHUNK - rows);
            cr[nc++] = (rv_sonata_range){pos, end};
            rows += end - pos;
            pos = end;
            if (pos == cand->r[ri].end && ++ri < cand->n) pos = cand->r[ri].begin;
        }
        rv_sonata_sel chunk = {cr, nc};
        if (c->kind == RV__NS_EQ_STR || c->kind == RV__NS_REGEX)
            st = match_strings(x, s, c, &chunk, &hits);
        else
            st = match_numbers(x, s, c, a, &chunk, &hits);
    }
    rv_free(cr);
    if (st == RV_OK) {
        /* rows from the H5 and CSV parts of a chunk interleave: sort */
        if (hits.n) qsort(hits.v, hits.n, sizeof *hits.v, cmp_u64);
        st = rv_sonata_sel_from_ids(hits.v, hits.n, out, x->err);
    }
    rv_free(hits.v);
    return st;
}

/* ---- basic sets ------------------------------------------------------------------------- */

static int is_attr_clause(const rv__ns_clause *c) {
    return c->kind == RV__NS_EQ_INT || c->kind == RV__NS_EQ_STR || c->kind == RV__NS_CMP ||
           c->kind == RV__NS_REGEX;
}

/* Clauses cl[0..ncl) ANDed over the population (s: for messages). */
static rv_status eval_clauses(ectx *x, const rv__ns_set *s, const rv__ns_clause *cl, size_t ncl,
                              rv_sonata_sel *out) {
    out->r = NULL;
    out->n = 0;
    for (size_t i = 0; i < ncl; i++) {
        if (cl[i].kind == RV__NS_NULL) return RV_OK;
        if (cl[i].kind == RV__NS_POP && !has_str(&cl[i], x->pname)) return RV_OK;
    }
    rv_sonata_sel cand = {0};
    rv_status st = RV_OK;
    if (x->size) {
        rv_sonata_range all = {0, x->size};
        st = rv_sonata_sel_from_ranges(&all, 1, &cand, x->err);
        if (st != RV_OK) return st;
    }
    for (size_t i = 0; i < ncl && st == RV_OK; i++) {
        if (cl[i].kind != RV__NS_NODE_ID) continue;
        size_t k = 0;
        while (k < cl[i].n && cl[i].ids[k] < x->size) k++; /* ids sorted */
        rv_sonata_sel ids = {0}, both = {0};
        st = rv_sonata_sel_from_ids(cl[i].ids, k, &ids, x->err);
        if (st == RV_OK) st = rv__ns_sel_and(&cand, &ids, &both, x->err);
        rv_sonata_sel_free(&ids);
        rv_sonata_sel_free(&cand);
        cand = both;
    }
    aclass *ac = rv_calloc(ncl ? ncl : 1, sizeof *ac);
    if (!ac && st == RV_OK) st = nomem(x, s);
    int missing = 0;
    for (size_t i = 0; i < ncl && st == RV_OK; i++) {
        if (!is_attr_clause(&cl[i])) continue;
        st = pass(x, s, classify(x, cl[i].attr, &ac[i]));
        if (st != RV_OK) break;
        if (!ac[i].found) {
            if (x->flags & RV_SONATA_NODESETS_STRICT)
                st = clause_fail(x, s, &cl[i], RV_ENOENT,
                                 "no attribute '%s' (strict: an absent attribute is an error)",
                                 cl[i].attr);
            missing = 1;
            continue;
        }
        st = check_clause(x, s, &cl[i], &ac[i]);
    }
    if (st == RV_OK && missing) rv_sonata_sel_free(&cand); /* selects nothing here */
    for (size_t i = 0; i < ncl && st == RV_OK && cand.n; i++) {
        if (!is_attr_clause(&cl[i])) continue;
        rv_sonata_sel next = {0};
        st = eval_attr(x, s, &cl[i], &ac[i], &cand, &next);
        rv_sonata_sel_free(&cand);
        cand = next;
    }
    rv_free(ac);
    if (st != RV_OK) {
        rv_sonata_sel_free(&cand);
        return st;
    }
    *out = cand;
    return RV_OK;
}

/* ---- compound sets ---------------------------------------------------------------------- */

typedef struct group {
    rv__ns_clause c; /* merged: attr and strs borrowed, ints owned */
    const rv__ns_set *first;
    size_t cap;
} group;

static int cmp_strp(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmp_i64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

/* Append the values of single clause c to group g. */
static int group_add(group *g, const rv__ns_clause *c) {
    size_t need = g->c.n + c->n;
    if (c->kind == RV__NS_EQ_INT) {
        if (rv_grow((void **)&g->c.ints, &g->cap, need, sizeof *g->c.ints)) return -1;
        memcpy(g->c.ints + g->c.n, c->ints, c->n * sizeof *c->ints);
    } else {
        if (rv_grow((void **)&g->c.strs, &g->cap, need, sizeof *g->c.strs)) return -1;
        memcpy(g->c.strs + g->c.n, c->strs, c->n * sizeof *c->strs);
    }
    g->c.n = need;
    return 0;
}

static void group_sort(group *g) {
    size_t k = 0;
    if (g->c.kind == RV__NS_EQ_INT) {
        qsort(g->c.ints, g->c.n, sizeof *g->c.ints, cmp_i64);
        for (size_t i = 0; i < g->c.n; i++)
            if (!k || g->c.ints[k - 1] != g->c.ints[i]) g->c.ints[k++] = g->c.ints[i];
    } else {
        qsort(g->c.strs, g->c.n, sizeof *g->c.strs, cmp_strp);
        for (size_t i = 0; i < g->c.n; i++)
            if (!k || strcmp(g->c.strs[k - 1], g->c.strs[i]) != 0) g->c.strs[k++] = g->c.strs[i];
    }
    g->c.n = k;
}

static rv_status eval_compound(ectx *x, size_t root, rv_sonata_sel *out) {
    rv_sonata_nodesets *ns = x->ns;
    const rv__ns_set *rs = ns->sets[root];
    unsigned char *seen = rv_calloc(ns->n, 1);
    size_t *stk = rv_malloc(ns->n * sizeof *stk), *basic = rv_malloc(ns->n * sizeof *basic);
    group *groups = NULL;
    size_t ngroups = 0, cap_groups = 0, nbasic = 0, top = 0;
    rv_sonata_sel acc = {0}, one = {0};
    rv_status st = RV_OK;
    if (!seen || !stk || !basic) {
        st = nomem(x, rs);
        goto done;
    }
    /* depth-first, members in order; each set once */
    stk[top++] = root;
    seen[root] = 1;
    while (top) {
        size_t cur = stk[--top];
        const rv__ns_set *s = ns->sets[cur];
        if (!s->compound) {
            basic[nbasic++] = cur;
            continue;
        }
        for (size_t k = s->nmem; k-- > 0;) {
            size_t m = s->midx[k];
            if (!seen[m]) {
                seen[m] = 1;
                stk[top++] = m;
            }
        }
    }
    for (size_t b = 0; b < nbasic && st == RV_OK; b++) {
        const rv__ns_set *s = ns->sets[basic[b]];
        const rv__ns_clause *c = s->ncl == 1 ? &s->cl[0] : NULL;
        if (c && (c->kind == RV__NS_EQ_INT || c->kind == RV__NS_EQ_STR)) {
            size_t g = 0;
            while (g < ngroups &&
                   !(groups[g].c.kind == c->kind && strcmp(groups[g].c.attr, c->attr) == 0))
                g++;
            if (g == ngroups) {
                if (rv_grow((void **)&groups, &cap_groups, ngroups + 1, sizeof *groups)) {
                    st = nomem(x, rs);
                    break;
                }
                memset(&groups[g], 0, sizeof groups[g]);
                groups[g].c.kind = c->kind;
                groups[g].c.attr = c->attr;
                groups[g].c.line = c->line;
                groups[g].c.col = c->col;
                groups[g].first = s;
                ngroups++;
            }
            if (group_add(&groups[g], c)) st = nomem(x, rs);
            continue;
        }
        st = eval_clauses(x, s, s->cl, s->ncl, &one);
        if (st == RV_OK) st = rv__ns_sel_or(&acc, &one, x->err);
        rv_sonata_sel_free(&one);
    }
    for (size_t g = 0; g < ngroups && st == RV_OK; g++) {
        group_sort(&groups[g]);
        st = eval_clauses(x, groups[g].first, &groups[g].c, 1, &one);
        if (st == RV_OK) st = rv__ns_sel_or(&acc, &one, x->err);
        rv_sonata_sel_free(&one);
    }
done:
    for (size_t g = 0; g < ngroups; g++) {
        rv_free(groups[g].c.ints);
        rv_free(groups[g].c.strs);
    }
    rv_free(groups);
    rv_free(seen);
    rv_free(stk);
    rv_free(basic);
    if (st != RV_OK) {
        rv_sonata_sel_free(&acc);
        return st;
    }
    *out = acc;
    return RV_OK;
}

rv_status rv__ns_select(rv_sonata_nodesets *ns, size_t idx, rv_sonata_pop *pop, unsigned flags,
                        rv_sonata_sel *out, rv_error *err) {
    ectx x = {ns, pop, flags, err, rv_sonata_pop_size(pop), rv_sonata_pop_name(pop)};
    const rv__ns_set *s = ns->sets[idx];
    if (!s->compound) return eval_clauses(&x, s, s->cl, s->ncl, out);
    return eval_compound(&x, idx, out);
}
