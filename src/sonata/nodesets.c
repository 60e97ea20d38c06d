/* SPDX-License-Identifier: MIT
 * sonata/nodesets.c -- loading SONATA node sets: parsing each source into
 * definitions, merging the sources (later ones replace earlier definitions
 * of the same name), resolving compound members and refusing missing names
 * and cycles.  The grammar and its edge cases are described in
 * ranvier/sonata_nodesets.h; materialisation is in nodesets_eval.c.
 *
 * A load: every source is read in turn (nodesets_json.c records the line
 * and column of each definition and each clause), each definition parsed
 * into an rv__ns_set in file order, tagged with a sequence number.  All
 * definitions are then sorted by (name, sequence) and only the last of each
 * name is kept.  Compound members are resolved by binary search, then one
 * depth-first walk (iterative, so deep chains cannot overflow the stack)
 * finds cycles.
 *
 * Invariants after a load: sets[] sorted by name, names unique; every
 * compound's midx[] holds valid indices; no cycles; every $regex compiled.
 */
#include "ranvier/sonata_nodesets.h"

#include "nodesets_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- freeing ---------------------------------------------------------------- */

static void clause_free(rv__ns_clause *c) {
    rv_free(c->attr);
    rv_free(c->ints);
    rv_free(c->ids);
    if (c->strs)
        for (size_t i = 0; i < c->n; i++) rv_free(c->strs[i]);
    rv_free(c->strs);
    rv_free(c->pattern);
    if (c->has_re) regfree(&c->re);
    memset(c, 0, sizeof *c);
}

static void set_free(rv__ns_set *s) {
    if (!s) return;
    rv_free(s->name);
    for (size_t i = 0; i < s->ncl; i++) clause_free(&s->cl[i]);
    rv_free(s->cl);
    if (s->members)
        for (size_t i = 0; i < s->nmem; i++) rv_free(s->members[i]);
    rv_free(s->members);
    rv_free(s->midx);
    rv_free(s->mline);
    rv_free(s->mcol);
    rv_free(s->json);
    rv_free(s);
}

void rv_sonata_nodesets_destroy(rv_sonata_nodesets *ns) {
    if (!ns) return;
    for (size_t i = 0; i < ns->n; i++) set_free(ns->sets[i]);
    rv_free(ns->sets);
    for (size_t i = 0; i < ns->nsrc; i++) rv_free(ns->srcs[i]);
    rv_free(ns->srcs);
    for (size_t i = 0; i < ns->nwarn; i++) rv_free(ns->warn[i]);
    rv_free(ns->warn);
    rv_free(ns);
}

static rv_status warn(rv_sonata_nodesets *ns, rv_error *err, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static rv_status warn(rv_sonata_nodesets *ns, rv_error *err, const char *fmt, ...) {
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    char *w = rv_strdup(buf);
    if (!w || rv_grow((void **)&ns->warn, &ns->cap_warn, ns->nwarn + 1, sizeof *ns->warn)) {
        rv_free(w);
        return RV_FAIL(err, RV_ENOMEM, "out of memory recording a node sets warning");
    }
    ns->warn[ns->nwarn++] = w;
    return RV_OK;
}

/* ---- parsing one clause -------------------------------------------------------- */

typedef struct pctx {
    const rv__nsj_doc *d;
    const char *set;   /* node set name */
    const char *label; /* source label */
    rv_error *err;
} pctx;

#define PFAIL(pc, code, line, col, kp, ...)                                                        \
    RV__NSJ_FAIL((pc)->err, (code), (pc)->label, (line), (col), (kp), __VA_ARGS__)

static rv_status nomem(pctx *pc) {
    return RV_FAIL(pc->err, RV_ENOMEM, "out of memory reading node set '%s' of %s", pc->set,
                   pc->label);
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmp_i64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

/* Strings of v (a string, or an array whose elements are all strings) into
 * c->strs, sorted and unique. */
static rv_status take_strings(pctx *pc, rv__ns_clause *c, json_t *v, const char *kp,
                              const char *what) {
    size_t n = json_is_array(v) ? json_array_size(v) : 1;
    c->strs = rv_calloc(n, sizeof *c->strs);
    if (!c->strs) return nomem(pc);
    for (size_t i = 0; i < n; i++) {
        json_t *e = json_is_array(v) ? json_array_get(v, i) : v;
        if (!json_is_string(e)) {
            char ekp[RV__NSJ_KP];
            rv__nsj_kpi(ekp, kp, i);
            return PFAIL(pc, RV_EFORMAT, c->line, c->col, ekp,
                         "node set '%s': %s[%zu] must be a string like the list's first element "
                         "(%s), not %s",
                         pc->set, c->attr, i, what, rv__nsj_type(e));
        }
        c->strs[i] = rv_strdup(json_string_value(e));
        if (!c->strs[i]) return nomem(pc);
        c->n = i + 1;
    }
    qsort(c->strs, c->n, sizeof *c->strs, cmp_str);
    size_t k = 0;
    for (size_t i = 0; i < c->n; i++) {
        if (k && strcmp(c->strs[k - 1], c->strs[i]) == 0) {
            rv_free(c->strs[i]);
            continue;
        }
        c->strs[k++] = c->strs[i];
    }
    c->n = k;
    return RV_OK;
}

/* Integers of v (a number, or an array of numbers) into c->ints (sorted,
 * unique).  node_id: non-negative, into c->ids as well. */
static rv_status take_ints(pctx *pc, rv__ns_clause *c, json_t *v, const char *kp, int node_id) {
    size_t n = json_is_array(v) ? json_array_size(v) : 1;
    c->ints = rv_malloc(n * sizeof *c->ints);
    if (!c->ints) return nomem(pc);
    for (size_t i = 0; i < n; i++) {
        json_t *e = json_is_array(v) ? json_array_get(v, i) : v;
        char ekp[RV__NSJ_KP];
        if (json_is_array(v))
            rv__nsj_kpi(ekp, kp, i);
        else
            snprintf(ekp, sizeof ekp, "%s", kp);
        int64_t x;
        int is_float;
        if (!json_is_number(e))
            return PFAIL(pc, RV_EFORMAT, c->line, c->col, ekp,
                         "node set '%s': '%s' value %s must be %s, not %s", pc->set, c->attr,
                         json_is_array(v) ? "in the list" : "",
                         node_id ? "a non-negative integer" : "an integer like the first element",
                         rv__nsj_type(e));
        if (!rv__nsj_int64(e, &x, &is_float)) {
            if (is_float && !node_id)
                return PFAIL(pc, RV_EFORMAT, c->line, c->col, ekp,
                             "node set '%s': '%s' expects integers, got float %.17g (exact "
                             "comparison with floats is not supported: use $gt/$lt/$gte/$lte)",
                             pc->set, c->attr, json_number_value(e));
            if (is_float)
                return PFAIL(pc, RV_EFORMAT, c->line, c->col, ekp,
                             "node set '%s': '%s' expects non-negative integers, got %.17g",
                             pc->set, c->attr, json_number_value(e));
            return PFAIL(pc, RV_EFORMAT, c->line, c->col, ekp,
                         "node set '%s': '%s' value %.17g is outside the 64-bit integer range",
                         pc->set, c->attr, json_number_value(e));
        }
        if (node_id && x < 0)
            return PFAIL(pc, RV_EFORMAT, c->line, c->col, ekp,
                         "node set '%s': 'node_id' must not be negative, got %lld", pc->set,
                         (long long)x);
        c->ints[i] = x;
        c->n = i + 1;
    }
    qsort(c->ints, c->n, sizeof *c->ints, cmp_i64);
    size_t k = 0;
    for (size_t i = 0; i < c->n; i++)
        if (!k || c->ints[k - 1] != c->ints[i]) c->ints[k++] = c->ints[i];
    c->n = k;
    if (node_id) {
        c->ids = rv_malloc((k ? k : 1) * sizeof *c->ids);
        if (!c->ids) return nomem(pc);
        for (size_t i = 0; i < k; i++) c->ids[i] = (uint64_t)c->ints[i];
    }
    return RV_OK;
}

static rv_status parse_operator(pctx *pc, rv__ns_clause *c, json_t *v, const char *kp) {
    if (json_object_size(v) != 1)
        return PFAIL(pc, RV_EFORMAT, c->line, c->col, kp,
                     "node set '%s': operator object of '%s' must have exactly one key "
                     "($regex, $gt, $lt, $gte or $lte), it has %zu",
                     pc->set, c->attr, json_object_size(v));
    const char *op = json_object_iter_key(json_object_iter(v));
    json_t *arg = json_object_iter_value(json_object_iter(v));
    char okp[RV__NSJ_KP];
    rv__nsj_kp(okp, kp, op);
    if (json_is_number(arg)) {
        static const struct {
            const char *name;
            rv__ns_op op;
        } ops[] = {
            {"$gt", RV__NS_GT}, {"$lt", RV__NS_LT}, {"$gte", RV__NS_GTE}, {"$lte", RV__NS_LTE}};
        for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
            if (strcmp(op, ops[i].name) == 0) {
                c->kind = RV__NS_CMP;
                c->op = ops[i].op;
                c->num = json_number_value(arg);
                return RV_OK;
            }
        return PFAIL(pc, RV_EFORMAT, c->line, c->col, okp,
                     "node set '%s': operator '%s' is not available for numbers (expected $gt, "
                     "$lt, $gte or $lte)",
                     pc->set, op);
    }
    if (json_is_string(arg)) {
        if (strcmp(op, "$regex") != 0)
            return PFAIL(pc, RV_EFORMAT, c->line, c->col, okp,
                         "node set '%s': operator '%s' is not available for strings (expected "
                         "$regex)",
                         pc->set, op);
        c->kind = RV__NS_REGEX;
        c->pattern = rv_strdup(json_string_value(arg));
        if (!c->pattern) return nomem(pc);
        char why[256];
        rv_status st = rv__ns_regex_compile(c->pattern, &c->re, why, sizeof why);
        if (st == RV_ENOMEM) return nomem(pc);
        if (st != RV_OK)
            return PFAIL(pc, st, c->line, c->col, okp, "node set '%s': $regex \"%s\" of '%s': %s",
                         pc->set, c->pattern, c->attr, why);
        c->has_re = 1;
        return RV_OK;
    }
    return PFAIL(pc, RV_EFORMAT, c->line, c->col, okp,
                 "node set '%s': operator '%s' takes a number ($gt, $lt, $gte, $lte) or a string "
                 "($regex), not %s",
                 pc->set, op, rv__nsj_type(arg));
}

/* One clause "key": v of a basic set (entry set_e in the position map). */
static rv_status parse_clause(pctx *pc, long set_e, const char *key, json_t *v, rv__ns_clause *c) {
    char kp[RV__NSJ_KP];
    rv__nsj_kp(kp, pc->set, key);
    rv__nsj_where(pc->d, rv__nsj_child(pc->d, set_e, key, -1), &c->line, &c->col);
    c->attr = rv_strdup(key);
    if (!c->attr) return nomem(pc);
    int is_pop = strcmp(key, "population") == 0, is_id = strcmp(key, "node_id") == 0;
    if (json_is_array(v) && json_array_size(v) == 0) {
        c->kind = RV__NS_NULL; /* libsonata: an empty list matches nothing */
        return RV_OK;
    }
    json_t *first = json_is_array(v) ? json_array_get(v, 0) : v;
    if (is_pop) {
        if (!json_is_string(first))
            return PFAIL(pc, RV_EFORMAT, c->line, c->col, kp,
                         "node set '%s': 'population' must be a string or a list of strings, not "
                         "%s%s",
                         pc->set, json_is_array(v) ? "a list of " : "",
                         json_is_array(v) ? json_is_number(first) ? "numbers" : rv__nsj_type(first)
                                          : rv__nsj_type(v));
        c->kind = RV__NS_POP;
        return take_strings(pc, c, v, kp, "a population name");
    }
    if (is_id) {
        if (!json_is_number(first))
            return PFAIL(pc, RV_EFORMAT, c->line, c->col, kp,
                         "node set '%s': 'node_id' must be a non-negative integer or a list of "
                         "them, not %s%s",
                         pc->set, json_is_array(v) ? "a list starting with " : "",
                         json_is_array(v) ? rv__nsj_type(first) : rv__nsj_type(v));
        c->kind = RV__NS_NODE_ID;
        return take_ints(pc, c, v, kp, 1);
    }
    if (json_is_object(v)) return parse_operator(pc, c, v, kp);
    if (json_is_string(first)) {
        c->kind = RV__NS_EQ_STR;
        return take_strings(pc, c, v, kp, "a string");
    }
    if (json_is_number(first)) {
        c->kind = RV__NS_EQ_INT;
        return take_ints(pc, c, v, kp, 0);
    }
    if (json_is_array(v))
        return PFAIL(pc, RV_EFORMAT, c->line, c->col, kp,
                     "node set '%s': the list of '%s' must hold numbers or strings, not %s",
                     pc->set, key, rv__nsj_type(first));
    return PFAIL(pc, RV_EFORMAT, c->line, c->col, kp,
                 "node set '%s': '%s' must be a number, a string, a list of them or an operator "
                 "object, not %s",
                 pc->set, key, rv__nsj_type(v));
}

/* ---- parsing one definition ------------------------------------------------------ */

typedef struct def {
    rv__ns_set *s;
    size_t seq;
} def;

typedef struct defs {
    def *v;
    size_t n, cap;
} defs;

static rv_status parse_set(rv_sonata_nodesets *ns, const rv__nsj_doc *d, size_t src,
                           const char *name, json_t *v, defs *out, rv_error *err) {
    pctx pc = {d, name, d->label, err};
    long e = rv__nsj_top(d, name);
    int line, col;
    rv__nsj_where(d, e, &line, &col);
    if (json_is_object(v) && json_object_size(v) == 0)
        return warn(ns, err,
                    "%s:%d:%d: node set '%s': empty definition {} ignored (as libsonata: the name "
                    "stays undefined)",
                    d->label, line, col, name);
    if (!json_is_object(v) && !json_is_array(v))
        return PFAIL(&pc, RV_EFORMAT, line, col, name,
                     "node set '%s' must be an object (basic node set) or an array of names "
                     "(compound node set), not %s",
                     name, rv__nsj_type(v));
    rv__ns_set *s = rv_calloc(1, sizeof *s);
    if (!s) return nomem(&pc);
    s->src = src;
    s->line = line;
    s->col = col;
    s->overrides = -1;
    rv_status st = RV_OK;
    s->name = rv_strdup(name);
    s->json = rv__nsj_dump(v);
    if (!s->name || !s->json) {
        st = nomem(&pc);
        goto done;
    }
    if (json_is_array(v)) {
        s->compound = 1;
        size_t n = json_array_size(v);
        s->members = rv_calloc(n ? n : 1, sizeof *s->members);
        s->midx = rv_calloc(n ? n : 1, sizeof *s->midx);
        s->mline = rv_calloc(n ? n : 1, sizeof *s->mline);
        s->mcol = rv_calloc(n ? n : 1, sizeof *s->mcol);
        if (!s->members || !s->midx || !s->mline || !s->mcol) {
            st = nomem(&pc);
            goto done;
        }
        for (size_t i = 0; i < n && st == RV_OK; i++) {
            json_t *m = json_array_get(v, i);
            rv__nsj_where(d, rv__nsj_child(d, e, NULL, (long)i), &s->mline[i], &s->mcol[i]);
            if (!json_is_string(m)) {
                char kp[RV__NSJ_KP];
                rv__nsj_kpi(kp, name, i);
                st = PFAIL(&pc, RV_EFORMAT, s->mline[i], s->mcol[i], kp,
                           "compound node set '%s': element [%zu] must be a node set name "
                           "(string), not %s",
                           name, i, rv__nsj_type(m));
                break;
            }
            s->members[i] = rv_strdup(json_string_value(m));
            if (!s->members[i])
                st = nomem(&pc);
            else
                s->nmem = i + 1;
        }
    } else {
        size_t n = json_object_size(v);
        s->cl = rv_calloc(n, sizeof *s->cl);
        if (!s->cl) {
            st = nomem(&pc);
            goto done;
        }
        const char *key;
        json_t *val;
        json_object_foreach(v, key, val) {
            st = parse_clause(&pc, e, key, val, &s->cl[s->ncl++]);
            if (st != RV_OK) break;
        }
    }
    if (st == RV_OK && rv_grow((void **)&out->v, &out->cap, out->n + 1, sizeof *out->v) != RV_OK)
        st = nomem(&pc);
done:
    if (st != RV_OK) {
        set_free(s);
        return st;
    }
    out->v[out->n].s = s;
    out->v[out->n].seq = out->n;
    out->n++;
    return RV_OK;
}

/* ---- merging and checking ------------------------------------------------------------ */

static int cmp_def(const void *a, const void *b) {
    const def *x = a, *y = b;
    int c = strcmp(x->s->name, y->s->name);
    if (c) return c;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

long rv_sonata_nodesets_find(const rv_sonata_nodesets *ns, const char *name) {
    if (!ns || !name) return -1;
    size_t lo = 0, hi = ns->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(ns->sets[mid]->name, name);
        if (c == 0) return (long)mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

static rv_status set_fail(const rv_sonata_nodesets *ns, rv_error *err, rv_status code,
                          const char *src, int src_line, const rv__ns_set *s, size_t member,
                          const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 8, 9)))
#endif
    ;

/* An error about member `member` of compound s. */
static rv_status set_fail(const rv_sonata_nodesets *ns, rv_error *err, rv_status code,
                          const char *src, int src_line, const rv__ns_set *s, size_t member,
                          const char *fmt, ...) {
    char msg[512], kp[RV__NSJ_KP];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    rv__nsj_kpi(kp, s->name, member);
    return rv__nsj_fail(err, code, src, src_line, ns->srcs[s->src], s->mline[member],
                        s->mcol[member], kp, "%s", msg);
}

static rv_status resolve(rv_sonata_nodesets *ns, rv_error *err) {
    for (size_t i = 0; i < ns->n; i++) {
        rv__ns_set *s = ns->sets[i];
        for (size_t k = 0; s->compound && k < s->nmem; k++) {
            long j = rv_sonata_nodesets_find(ns, s->members[k]);
            if (j < 0)
                return set_fail(ns, err, RV_ENOENT, __FILE__, __LINE__, s, k,
                                "compound node set '%s' names '%s', which is not defined in any "
                                "node sets source",
                                s->name, s->members[k]);
            s->midx[k] = (size_t)j;
        }
    }
    /* Cycles: iterative depth-first walk; colour 1 = on the current path. */
    unsigned char *colour = rv_calloc(ns->n ? ns->n : 1, 1);
    size_t *stk = rv_malloc((ns->n ? ns->n : 1) * sizeof *stk);
    size_t *next = rv_calloc(ns->n ? ns->n : 1, sizeof *next);
    rv_status st = RV_OK;
    if (!colour || !stk || !next) {
        st = RV_FAIL(err, RV_ENOMEM, "out of memory checking compound node sets");
        goto done;
    }
    for (size_t root = 0; root < ns->n && st == RV_OK; root++) {
        if (colour[root] || !ns->sets[root]->compound) continue;
        size_t top = 0;
        stk[top++] = root;
        colour[root] = 1;
        while (top && st == RV_OK) {
            size_t cur = stk[top - 1];
            rv__ns_set *s = ns->sets[cur];
            if (!s->compound || next[cur] >= s->nmem) {
                colour[cur] = 2;
                top--;
                continue;
            }
            size_t k = next[cur]++;
            size_t m = s->midx[k];
            if (colour[m] == 2) continue;
            if (colour[m] == 1) {
                char path[400];
                size_t at = 0;
                size_t from = 0;
                while (stk[from] != m) from++;
                path[0] = '\0';
                for (size_t q = from; q < top && at < sizeof path; q++)
                    at += (size_t)snprintf(path + at, sizeof path - at, "%s -> ",
                                           ns->sets[stk[q]]->name);
                if (at < sizeof path)
                    snprintf(path + at, sizeof path - at, "%s", ns->sets[m]->name);
                st = set_fail(ns, err, RV_EFORMAT, __FILE__, __LINE__, s, k,
                              "circular node set definition: %s", path);
                break;
            }
            colour[m] = 1;
            stk[top++] = m;
        }
    }
done:
    rv_free(colour);
    rv_free(stk);
    rv_free(next);
    return st;
}

static rv_status merge(rv_sonata_nodesets *ns, defs *all, rv_error *err) {
    if (all->n) qsort(all->v, all->n, sizeof *all->v, cmp_def);
    size_t keep = 0;
    for (size_t i = 0; i < all->n; i++)
        keep += i + 1 == all->n || strcmp(all->v[i].s->name, all->v[i + 1].s->name) != 0;
    ns->sets = rv_malloc((keep ? keep : 1) * sizeof *ns->sets);
    if (!ns->sets) return RV_FAIL(err, RV_ENOMEM, "out of memory merging node sets");
    ns->cap = keep ? keep : 1;
    for (size_t i = 0; i < all->n; i++) {
        rv__ns_set *s = all->v[i].s;
        if (i + 1 < all->n && strcmp(s->name, all->v[i + 1].s->name) == 0) {
            /* replaced by a later source (names are unique within one file) */
            rv__ns_set *by = all->v[i + 1].s;
            by->overrides = (long)s->src;
            rv_status st =
                warn(ns, err, "%s:%d:%d: node set '%s' replaces its definition in %s (line %d)",
                     ns->srcs[by->src], by->line, by->col, by->name, ns->srcs[s->src], s->line);
            set_free(s);
            all->v[i].s = NULL;
            if (st != RV_OK) return st;
            continue;
        }
        ns->sets[ns->n++] = s;
        all->v[i].s = NULL;
    }
    return RV_OK;
}

rv_status rv_sonata_nodesets_load_sources(const rv_sonata_nodesets_source *src, size_t n,
                                          rv_sonata_nodesets **out, rv_error *err) {
    if (!out) return RV_FAIL(err, RV_EINVAL, "rv_sonata_nodesets_load: NULL output");
    *out = NULL;
    if (n && !src) return RV_FAIL(err, RV_EINVAL, "rv_sonata_nodesets_load: NULL sources");
    for (size_t i = 0; i < n; i++)
        if (!src[i].path && !src[i].text)
            return RV_FAIL(err, RV_EINVAL,
                           "rv_sonata_nodesets_load: source %zu has neither a path nor a text", i);
    rv_sonata_nodesets *ns = rv_calloc(1, sizeof *ns);
    defs all = {0};
    rv_status st = RV_OK;
    if (!ns || !(ns->srcs = rv_calloc(n ? n : 1, sizeof *ns->srcs))) {
        st = RV_FAIL(err, RV_ENOMEM, "out of memory loading node sets");
        goto done;
    }
    for (size_t i = 0; i < n && st == RV_OK; i++) {
        rv__nsj_doc d;
        const char *label = src[i].path ? src[i].path : src[i].label ? src[i].label : "<node_sets>";
        st = rv__nsj_read(src[i].path, src[i].text, label, 2, "node sets file", &d, err);
        if (st != RV_OK) break;
        ns->srcs[ns->nsrc] = rv_strdup(label);
        if (!ns->srcs[ns->nsrc]) {
            st = RV_FAIL(err, RV_ENOMEM, "out of memory loading node sets");
        } else {
            size_t sidx = ns->nsrc++;
            const char *key;
            json_t *v;
            json_object_foreach(d.root, key, v) {
                st = parse_set(ns, &d, sidx, key, v, &all, err);
                if (st != RV_OK) break;
            }
        }
        rv__nsj_free(&d);
    }
    /* sequence numbers across sources: file order within each, sources in order */
    for (size_t i = 0; i < all.n; i++) all.v[i].seq = i;
    if (st == RV_OK) st = merge(ns, &all, err);
    if (st == RV_OK) st = resolve(ns, err);
done:
    for (size_t i = 0; i < all.n; i++) set_free(all.v[i].s);
    rv_free(all.v);
    if (st != RV_OK) {
        rv_sonata_nodesets_destroy(ns);
        return st;
    }
    *out = ns;
    return RV_OK;
}

rv_status rv_sonata_nodesets_load(const char *circuit_path, const char *simulation_path,
                                  const char *inline_json, rv_sonata_nodesets **out,
                                  rv_error *err) {
    rv_sonata_nodesets_source src[3];
    size_t n = 0;
    if (circuit_path) src[n++] = (rv_sonata_nodesets_source){circuit_path, NULL, NULL};
    if (simulation_path && !(circuit_path && strcmp(circuit_path, simulation_path) == 0))
        src[n++] = (rv_sonata_nodesets_source){simulation_path, NULL, NULL};
    if (inline_json)
        src[n++] = (rv_sonata_nodesets_source){NULL, inline_json, "<inline node_sets>"};
    return rv_sonata_nodesets_load_sources(src, n, out, err);
}

/* ---- queries ------------------------------------------------------------------------ */

size_t rv_sonata_nodesets_count(const rv_sonata_nodesets *ns) {
    return ns ? ns->n : 0;
}

const char *rv_sonata_nodesets_name(const rv_sonata_nodesets *ns, size_t i) {
    return ns && i < ns->n ? ns->sets[i]->name : NULL;
}

rv_status rv_sonata_nodesets_info(const rv_sonata_nodesets *ns, size_t i,
                                  rv_sonata_nodeset_info *out, rv_error *err) {
    if (!ns || !out) return RV_FAIL(err, RV_EINVAL, "rv_sonata_nodesets_info: NULL argument");
    if (i >= ns->n)
        return RV_FAIL(err, RV_ERANGE, "rv_sonata_nodesets_info: index %zu out of range (%zu sets)",
                       i, ns->n);
    const rv__ns_set *s = ns->sets[i];
    out->name = s->name;
    out->compound = s->compound;
    out->n_members = s->compound ? s->nmem : s->ncl;
    out->source = ns->srcs[s->src];
    out->line = s->line;
    out->col = s->col;
    out->overrides = s->overrides >= 0 ? ns->srcs[s->overrides] : NULL;
    out->json = s->json;
    return RV_OK;
}

const char *rv_sonata_nodesets_member(const rv_sonata_nodesets *ns, size_t i, size_t k) {
    if (!ns || i >= ns->n || !ns->sets[i]->compound || k >= ns->sets[i]->nmem) return NULL;
    return ns->sets[i]->members[k];
}

size_t rv_sonata_nodesets_warning_count(const rv_sonata_nodesets *ns) {
    return ns ? ns->nwarn : 0;
}

const char *rv_sonata_nodesets_warning(const rv_sonata_nodesets *ns, size_t i) {
    return ns && i < ns->nwarn ? ns->warn[i] : NULL;
}

rv_status rv_sonata_nodesets_select_ex(rv_sonata_nodesets *ns, const char *name, rv_sonata_pop *pop,
                                       unsigned flags, rv_sonata_sel *out, rv_error *err) {
    if (!out) return RV_FAIL(err, RV_EINVAL, "rv_sonata_nodesets_select: NULL output");
    out->r = NULL;
    out->n = 0;
    if (!ns || !name || !pop)
        return RV_FAIL(err, RV_EINVAL, "rv_sonata_nodesets_select: NULL argument");
    if (rv_sonata_pop_kind(pop) != RV_SONATA_NODES)
        return RV_FAIL(err, RV_EINVAL,
                       "rv_sonata_nodesets_select: population '%s' is an edges population",
                       rv_sonata_pop_name(pop));
    long i = rv_sonata_nodesets_find(ns, name);
    if (i < 0) {
        char from[300] = "";
        size_t at = 0;
        for (size_t k = 0; k < ns->nsrc && at < sizeof from; k++)
            at += (size_t)snprintf(from + at, sizeof from - at, "%s%s",
                                   k ? ", " : "; sources: ", ns->srcs[k]);
        return RV_FAIL(err, RV_ENOENT, "unknown node set '%s' (%zu defined%s)", name, ns->n, from);
    }
    return rv__ns_select(ns, (size_t)i, pop, flags, out, err);
}

rv_status rv_sonata_nodesets_select(rv_sonata_nodesets *ns, const char *name, rv_sonata_pop *pop,
                                    rv_sonata_sel *out, rv_error *err) {
    return rv_sonata_nodesets_select_ex(ns, name, pop, 0, out, err);
}
