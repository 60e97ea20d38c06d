/* SPDX-License-Identifier: MIT
 * sonata/compsets.c -- compartment sets (libsonata's compartment_sets.json):
 * named lists of (node_id, section_index, offset) on one population.
 *
 * Rules (libsonata src/compartment_sets.cpp): the top level is an object;
 * each member an object with "population" (string) and "compartment_set"
 * (array), other keys ignored; each entry an array of exactly three numbers,
 * node_id and section_index non-negative integers, offset in [0, 1]; the
 * entries strictly increasing in (node_id, section_index, offset) -- sorted,
 * no duplicates.  Positions are recorded down to the entries (depth 3), so
 * a bad entry is reported at its own line and column.
 *
 * Storage: one rv_malloc array of entries per set; sets sorted by name.
 */
#include "ranvier/sonata_nodesets.h"

#include "nodesets_int.h"

#include <stdlib.h>
#include <string.h>

typedef struct cset {
    char *name, *population;
    rv_sonata_compartment *items;
    size_t n;
    int line, col;
} cset;

struct rv_sonata_compsets {
    cset *sets;
    size_t n;
    char *label; /* the file, for messages */
};

void rv_sonata_compsets_destroy(rv_sonata_compsets *cs) {
    if (!cs) return;
    for (size_t i = 0; i < cs->n; i++) {
        rv_free(cs->sets[i].name);
        rv_free(cs->sets[i].population);
        rv_free(cs->sets[i].items);
    }
    rv_free(cs->sets);
    rv_free(cs->label);
    rv_free(cs);
}

static int loc_cmp(const rv_sonata_compartment *a, const rv_sonata_compartment *b) {
    if (a->node_id != b->node_id) return a->node_id < b->node_id ? -1 : 1;
    if (a->section_index != b->section_index) return a->section_index < b->section_index ? -1 : 1;
    return a->offset < b->offset ? -1 : a->offset > b->offset;
}

/* A non-negative integer (libsonata's get_uint64_or_throw). */
static int get_u64(const json_t *v, uint64_t *out, const char **why) {
    if (!json_is_number(v)) {
        *why = "is not a number";
        return 0;
    }
    if (json_is_integer(v)) {
        json_int_t i = json_integer_value(v);
        if (i < 0) {
            *why = "is negative";
            return 0;
        }
        *out = (uint64_t)i;
        return 1;
    }
    double d = json_real_value(v);
    if (d < 0) {
        *why = "is negative";
        return 0;
    }
    if (d >= 18446744073709551616.0) {
        *why = "is out of range";
        return 0;
    }
    if (d != (double)(uint64_t)d) {
        *why = "is not an integer";
        return 0;
    }
    *out = (uint64_t)d;
    return 1;
}

static rv_status parse_entry(const rv__nsj_doc *d, const char *name, long e_list, size_t i,
                             json_t *v, rv_sonata_compartment *out, rv_error *err) {
    char kp[RV__NSJ_KP], lkp[RV__NSJ_KP];
    rv__nsj_kp(lkp, name, "compartment_set");
    rv__nsj_kpi(kp, lkp, i);
    int line, col;
    rv__nsj_where(d, rv__nsj_child(d, e_list, NULL, (long)i), &line, &col);
    if (!json_is_array(v) || json_array_size(v) != 3)
        return RV__NSJ_FAIL(err, RV_EFORMAT, d->label, line, col, kp,
                            "compartment set '%s': entry [%zu] must be an array of exactly 3 "
                            "elements [node_id, section_index, offset], not %s%s",
                            name, i, json_is_array(v) ? "an array of size " : rv__nsj_type(v),
                            json_is_array(v) ? (json_array_size(v) < 3 ? "< 3" : "> 3") : "");
    static const char *const what[] = {"node_id", "section_index"};
    uint64_t u[2];
    for (int k = 0; k < 2; k++) {
        const char *why = "";
        json_t *x = json_array_get(v, (size_t)k);
        if (!get_u64(x, &u[k], &why)) {
            char *txt = rv__nsj_dump(x);
            rv_status st = RV__NSJ_FAIL(err, RV_EFORMAT, d->label, line, col, kp,
                                        "compartment set '%s': entry [%zu]: %s %s %s (expected a "
                                        "non-negative integer)",
                                        name, i, what[k], txt ? txt : "?", why);
            rv_free(txt);
            return st;
        }
    }
    json_t *o = json_array_get(v, 2);
    if (!json_is_number(o))
        return RV__NSJ_FAIL(err, RV_EFORMAT, d->label, line, col, kp,
                            "compartment set '%s': entry [%zu]: offset must be a number, not %s",
                            name, i, rv__nsj_type(o));
    double off = json_number_value(o);
    if (!(off >= 0.0 && off <= 1.0))
        return RV__NSJ_FAIL(err, RV_ERANGE, d->label, line, col, kp,
                            "compartment set '%s': entry [%zu]: offset %.17g is outside [0, 1]",
                            name, i, off);
    out->node_id = u[0];
    out->section_index = u[1];
    out->offset = off;
    return RV_OK;
}

static rv_status parse_set(const rv__nsj_doc *d, const char *name, json_t *v, cset *s,
                           rv_error *err) {
    long e = rv__nsj_top(d, name);
    rv__nsj_where(d, e, &s->line, &s->col);
    s->name = rv_strdup(name);
    if (!s->name) return RV_FAIL(err, RV_ENOMEM, "out of memory reading compartment sets");
    if (!json_is_object(v))
        return RV__NSJ_FAIL(err, RV_EFORMAT, d->label, s->line, s->col, name,
                            "compartment set '%s' must be an object with \"population\" and "
                            "\"compartment_set\", not %s",
                            name, rv__nsj_type(v));
    char kp[RV__NSJ_KP];
    int line, col;
    json_t *pop = json_object_get(v, "population");
    rv__nsj_kp(kp, name, "population");
    rv__nsj_where(d, rv__nsj_child(d, e, "population", -1), &line, &col);
    if (!pop)
        return RV__NSJ_FAIL(err, RV_EFORMAT, d->label, s->line, s->col, kp,
                            "compartment set '%s': missing mandatory key 'population'", name);
    if (!json_is_string(pop))
        return RV__NSJ_FAIL(err, RV_EFORMAT, d->label, line, col, kp,
                            "compartment set '%s': 'population' must be a string, not %s", name,
                            rv__nsj_type(pop));
    s->population = rv_strdup(json_string_value(pop));
    if (!s->population) return RV_FAIL(err, RV_ENOMEM, "out of memory reading compartment sets");
    json_t *list = json_object_get(v, "compartment_set");
    long el = rv__nsj_child(d, e, "compartment_set", -1);
    rv__nsj_kp(kp, name, "compartment_set");
    rv__nsj_where(d, el, &line, &col);
    if (!list)
        return RV__NSJ_FAIL(err, RV_EFORMAT, d->label, s->line, s->col, kp,
                            "compartment set '%s': missing mandatory key 'compartment_set'", name);
    if (!json_is_array(list))
        return RV__NSJ_FAIL(err, RV_EFORMAT, d->label, line, col, kp,
                            "compartment set '%s': 'compartment_set' must be an array, not %s",
                            name, rv__nsj_type(list));
    size_t n = json_array_size(list);
    s->items = rv_malloc((n ? n : 1) * sizeof *s->items);
    if (!s->items) return RV_FAIL(err, RV_ENOMEM, "out of memory reading compartment sets");
    for (size_t i = 0; i < n; i++) {
        rv_status st = parse_entry(d, name, el, i, json_array_get(list, i), &s->items[i], err);
        if (st != RV_OK) return st;
        if (i && loc_cmp(&s->items[i - 1], &s->items[i]) >= 0) {
            const rv_sonata_compartment *a = &s->items[i - 1], *b = &s->items[i];
            char ekp[RV__NSJ_KP];
            int eline, ecol;
            rv__nsj_kpi(ekp, kp, i);
            rv__nsj_where(d, rv__nsj_child(d, el, NULL, (long)i), &eline, &ecol);
            return RV__NSJ_FAIL(
                err, RV_EFORMAT, d->label, eline, ecol, ekp,
                "compartment set '%s': entry [%zu] [%llu, %llu, %.17g] %s entry "
                "[%zu] [%llu, %llu, %.17g]: entries must be strictly sorted by "
                "(node_id, section_index, offset), without duplicates",
                name, i, (unsigned long long)b->node_id, (unsigned long long)b->section_index,
                b->offset, loc_cmp(a, b) == 0 ? "repeats" : "comes after", i - 1,
                (unsigned long long)a->node_id, (unsigned long long)a->section_index, a->offset);
        }
        s->n = i + 1;
    }
    return RV_OK;
}

static int cmp_cset(const void *a, const void *b) {
    return strcmp(((const cset *)a)->name, ((const cset *)b)->name);
}

static rv_status load(const char *path, const char *text, const char *label,
                      rv_sonata_compsets **out, rv_error *err) {
    if (!out) return RV_FAIL(err, RV_EINVAL, "rv_sonata_compsets_load: NULL output");
    *out = NULL;
    rv__nsj_doc d;
    rv_status st = rv__nsj_read(path, text, label, 3, "compartment sets file", &d, err);
    if (st != RV_OK) return st;
    rv_sonata_compsets *cs = rv_calloc(1, sizeof *cs);
    size_t n = json_object_size(d.root);
    if (!cs || !(cs->sets = rv_calloc(n ? n : 1, sizeof *cs->sets)) ||
        !(cs->label = rv_strdup(d.label))) {
        st = RV_FAIL(err, RV_ENOMEM, "out of memory reading compartment sets");
        goto done;
    }
    const char *key;
    json_t *v;
    json_object_foreach(d.root, key, v) {
        st = parse_set(&d, key, v, &cs->sets[cs->n++], err);
        if (st != RV_OK) break;
    }
    if (st == RV_OK) qsort(cs->sets, cs->n, sizeof *cs->sets, cmp_cset);
done:
    rv__nsj_free(&d);
    if (st != RV_OK) {
        rv_sonata_compsets_destroy(cs);
        return st;
    }
    *out = cs;
    return RV_OK;
}

rv_status rv_sonata_compsets_load(const char *path, rv_sonata_compsets **out, rv_error *err) {
    if (!path) {
        if (out) *out = NULL;
        return RV_FAIL(err, RV_EINVAL, "rv_sonata_compsets_load: NULL path");
    }
    return load(path, NULL, NULL, out, err);
}

rv_status rv_sonata_compsets_parse(const char *text, const char *label, rv_sonata_compsets **out,
                                   rv_error *err) {
    if (!text) {
        if (out) *out = NULL;
        return RV_FAIL(err, RV_EINVAL, "rv_sonata_compsets_parse: NULL text");
    }
    return load(NULL, text, label ? label : "<compartment_sets>", out, err);
}

size_t rv_sonata_compsets_count(const rv_sonata_compsets *cs) {
    return cs ? cs->n : 0;
}

const char *rv_sonata_compsets_name(const rv_sonata_compsets *cs, size_t i) {
    return cs && i < cs->n ? cs->sets[i].name : NULL;
}

long rv_sonata_compsets_find(const rv_sonata_compsets *cs, const char *name) {
    if (!cs || !name) return -1;
    size_t lo = 0, hi = cs->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(cs->sets[mid].name, name);
        if (c == 0) return (long)mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

const char *rv_sonata_compsets_population(const rv_sonata_compsets *cs, size_t i) {
    return cs && i < cs->n ? cs->sets[i].population : NULL;
}

void rv_sonata_compsets_where(const rv_sonata_compsets *cs, size_t i, int *line, int *col) {
    int ok = cs && i < cs->n;
    if (line) *line = ok ? cs->sets[i].line : 0;
    if (col) *col = ok ? cs->sets[i].col : 0;
}

size_t rv_sonata_compsets_size(const rv_sonata_compsets *cs, size_t i) {
    return cs && i < cs->n ? cs->sets[i].n : 0;
}

const rv_sonata_compartment *rv_sonata_compsets_items(const rv_sonata_compsets *cs, size_t i) {
    return cs && i < cs->n ? cs->sets[i].items : NULL;
}

rv_status rv_sonata_compsets_node_ids(const rv_sonata_compsets *cs, size_t i, rv_sonata_sel *out,
                                      rv_error *err) {
    if (!out) return RV_FAIL(err, RV_EINVAL, "rv_sonata_compsets_node_ids: NULL output");
    out->r = NULL;
    out->n = 0;
    if (!cs || i >= cs->n)
        return RV_FAIL(err, RV_EINVAL, "rv_sonata_compsets_node_ids: no compartment set %zu", i);
    const cset *s = &cs->sets[i];
    if (s->n == 0) return RV_OK;
    uint64_t *ids = rv_malloc(s->n * sizeof *ids);
    if (!ids) return RV_FAIL(err, RV_ENOMEM, "out of memory listing node ids");
    for (size_t k = 0; k < s->n; k++) ids[k] = s->items[k].node_id;
    rv_status st = rv_sonata_sel_from_ids(ids, s->n, out, err);
    rv_free(ids);
    return st;
}

static int sel_has(const rv_sonata_sel *sel, uint64_t id) {
    size_t lo = 0, hi = sel->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (id < sel->r[mid].begin)
            hi = mid;
        else if (id >= sel->r[mid].end)
            lo = mid + 1;
        else
            return 1;
    }
    return 0;
}

size_t rv_sonata_compsets_count_in(const rv_sonata_compsets *cs, size_t i,
                                   const rv_sonata_sel *sel) {
    if (!cs || i >= cs->n) return 0;
    const cset *s = &cs->sets[i];
    if (!sel || sel->n == 0) return s->n;
    size_t c = 0;
    for (size_t k = 0; k < s->n; k++) c += sel_has(sel, s->items[k].node_id);
    return c;
}

rv_status rv_sonata_compsets_check(const rv_sonata_compsets *cs, size_t i, const rv_sonata_pop *pop,
                                   rv_error *err) {
    if (!cs || !pop || i >= cs->n)
        return RV_FAIL(err, RV_EINVAL, "rv_sonata_compsets_check: bad argument");
    const cset *s = &cs->sets[i];
    const char *pname = rv_sonata_pop_name(pop);
    char kp[RV__NSJ_KP];
    if (strcmp(s->population, pname) != 0) {
        rv__nsj_kp(kp, s->name, "population");
        return RV__NSJ_FAIL(err, RV_EINVAL, cs->label, s->line, s->col, kp,
                            "compartment set '%s' is on population '%s', not '%s'", s->name,
                            s->population, pname);
    }
    uint64_t size = rv_sonata_pop_size(pop);
    for (size_t k = 0; k < s->n; k++)
        if (s->items[k].node_id >= size) {
            char lkp[RV__NSJ_KP];
            rv__nsj_kp(lkp, s->name, "compartment_set");
            rv__nsj_kpi(kp, lkp, k);
            return RV__NSJ_FAIL(err, RV_ERANGE, cs->label, s->line, s->col, kp,
                                "compartment set '%s': entry [%zu] names node %llu, but "
                                "population '%s' has %llu nodes",
                                s->name, k, (unsigned long long)s->items[k].node_id, pname,
                                (unsigned long long)size);
        }
    return RV_OK;
}
