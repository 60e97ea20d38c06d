/* SPDX-License-Identifier: MIT
 * hoc/hoc_dump.c -- the state of one cell (a template instance) as JSON in
 * the layout of neurodamus's cell-state dump (cellstate_<gid>.json):
 *
 *   {"<Template>": {"gid", "nSecAll", "nSecApical", "nSecAxonal",
 *     "nSecAxonalOrig", "nSecBasal", "nSecSoma", "x", "y", "z",
 *     "sections": [{"name", "L", "Ra", "nseg", "rallbranch",
 *       "segments": [{"x", "cm", "diam", "<mech>": {var: value ...} ...,
 *                     "v"}]}],
 *     "n_synapses", "synapses", "n_netcons", "netcons"}}
 *
 * Sections are those of the template's `all` list (else every section of
 * the instance, in creation order), named without the "Template[i]."
 * prefix.  Mechanisms (inserted ones and the ions they use) and their
 * variables are in sorted order; density mechanism variables lose their
 * suffix ("gnabar"), ion variables keep their names ("ena").  Numbers are
 * rounded to 14 decimals and written as Python writes floats.  The cell
 * attributes are the template's variables of those names when it has them,
 * else counted from its section lists (gid from the caller, x y z 0).
 * Point processes and NetCons are not written (empty lists).
 */
#include "hoc/hoc_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define E(...) hocX_error(h, __VA_ARGS__)

/* Python's repr(round(v, 14)) */
static void fmt_num(double v, char *buf, size_t n) {
    if (!isfinite(v)) {
        snprintf(buf, n, "%s", isnan(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity");
        return;
    }
    char t[64];
    if (fabs(v) < 1e15) {
        snprintf(t, sizeof t, "%.14f", v);
        v = strtod(t, NULL);
    }
    int p = 1;
    for (; p < 17; ++p) {
        snprintf(t, sizeof t, "%.*e", p - 1, v);
        if (strtod(t, NULL) == v) break;
    }
    snprintf(t, sizeof t, "%.*e", p - 1, v);
    /* t = [-]d.ddde[+-]XX */
    char digits[32];
    int nd = 0, neg = t[0] == '-';
    const char *q = t + neg;
    for (; *q && *q != 'e'; ++q)
        if (*q != '.') digits[nd++] = *q;
    digits[nd] = 0;
    int ex = atoi(q + 1);
    char *o = buf;
    size_t left = n;
#define PUT(...)                                                                                   \
    do {                                                                                           \
        int w_ = snprintf(o, left, __VA_ARGS__);                                                   \
        if (w_ < 0 || (size_t)w_ >= left) return;                                                  \
        o += w_, left -= (size_t)w_;                                                               \
    } while (0)
    if (neg) PUT("-");
    if (ex < -4 || ex >= 16) {
        PUT("%c", digits[0]);
        if (nd > 1) PUT(".%s", digits + 1);
        PUT("e%c%02d", ex < 0 ? '-' : '+', ex < 0 ? -ex : ex);
    } else if (ex < 0) {
        PUT("0.");
        for (int i = 0; i < -ex - 1; ++i) PUT("0");
        PUT("%s", digits);
    } else {
        for (int i = 0; i <= ex; ++i) PUT("%c", i < nd ? digits[i] : '0');
        PUT(".");
        if (nd > ex + 1)
            PUT("%s", digits + ex + 1);
        else
            PUT("0");
    }
#undef PUT
}

typedef struct jw {
    FILE *f;
    int ind;
} jw;

static void nl(jw *w) {
    fputc('\n', w->f);
    for (int i = 0; i < w->ind; ++i) fputs("  ", w->f);
}

static void key_num(jw *w, const char *k, double v, int last) {
    char b[64];
    fmt_num(v, b, sizeof b);
    fprintf(w->f, "\"%s\": %s%s", k, b, last ? "" : ",");
    if (!last) nl(w);
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static const char *short_name(const char *name) {
    const char *d = strchr(name, '.');
    return d && strchr(name, '[') < d ? d + 1 : name;
}

/* mechanisms at a section: inserted ones and the ions they use, sorted */
static int sec_mechs(hoc *h, int sec, const char ***out, int *n) {
    hoc_sec *s = &h->secs[sec];
    int cap = 8, k = 0;
    const char **l = rv_malloc(sizeof *l * (size_t)cap);
    if (!l) return E(RV_ENOMEM, "out of memory");
    for (int i = 0; i < s->nmechs; ++i) {
        const rv_mech_type *t = rv_model_mech_type(h->m, s->mechs[i]);
        int need = k + 1 + (t ? t->n_ions : 0);
        if (need > cap) {
            cap = need * 2;
            const char **nl2 = rv_realloc(l, sizeof *l * (size_t)cap);
            if (!nl2) goto nomem;
            l = nl2;
        }
        int dup = 0;
        for (int j = 0; j < k; ++j) dup |= !strcmp(l[j], s->mechs[i]);
        if (!dup) l[k++] = s->mechs[i];
        for (int u = 0; t && u < t->n_ions; ++u) {
            char nm[64];
            snprintf(nm, sizeof nm, "%s_ion", t->ions[u].ion);
            const rv_mech_type *it = rv_model_mech_type(h->m, nm);
            if (!it) continue;
            dup = 0;
            for (int j = 0; j < k; ++j) dup |= !strcmp(l[j], it->name);
            if (!dup) l[k++] = it->name;
        }
    }
    qsort(l, (size_t)k, sizeof *l, cmp_str);
    *out = l;
    *n = k;
    return 0;
nomem:
    rv_free(l);
    return E(RV_ENOMEM, "out of memory");
}

static int write_mech(hoc *h, jw *w, int sec, double x, const char *mech) {
    const rv_mech_type *t = rv_model_mech_type(h->m, mech);
    if (!t) return E(RV_ENOENT, "dump: unknown mechanism %s", mech);
    int ion = t->kind == RV_MECH_ION;
    const char **names = rv_malloc(sizeof *names * ((size_t)t->n_vars + 1));
    if (!names) return E(RV_ENOMEM, "out of memory");
    int n = 0;
    for (int v = 0; v < t->n_vars; ++v)
        if (t->vars[v].role != RV_VAR_INTERNAL && t->vars[v].name[0] != '_')
            names[n++] = t->vars[v].name;
    qsort(names, (size_t)n, sizeof *names, cmp_str);
    fprintf(w->f, "\"%s\": {", mech);
    w->ind++;
    nl(w);
    for (int i = 0; i < n; ++i) {
        char full[160];
        if (ion)
            snprintf(full, sizeof full, "%s", names[i]);
        else
            snprintf(full, sizeof full, "%s_%s", names[i], mech);
        double val;
        rv_error e;
        if (rv_range_get(h->m, sec, x, full, &val, &e)) {
            rv_free(names);
            return hocX_engine(h, RV_EINVAL, &e);
        }
        key_num(w, names[i], val, i == n - 1);
    }
    rv_free(names);
    w->ind--;
    nl(w);
    fputs("},", w->f);
    nl(w);
    return 0;
}

static double field_num(hoc_obj *o, const char *name, int *found) {
    hoc_var *v = hocX_table_get(&o->fields, name);
    *found = v && v->kind == K_NUM;
    return *found ? v->d[0] : 0;
}

static int list_count(hoc *h, hoc_obj *o, const char *name) {
    hoc_var *v = hocX_table_get(&o->fields, name);
    int *items, n = 0, c = 0;
    if (!v || v->kind != K_OBJ || !v->o[0]) return 0;
    if (hocB_seclist_items(h, v->o[0], &items, &n)) {
        h->failed = 0;
        if (h->err) rv_error_clear(h->err);
        return 0;
    }
    for (int i = 0; i < n; ++i) c += !h->secs[items[i]].deleted;
    return c;
}

int hocX_dump_cell(hoc *h, hoc_obj *o, double gid, FILE *f) {
    jw w = {f, 0};
    /* the sections */
    int *secs = NULL, ns = 0;
    hoc_var *all = hocX_table_get(&o->fields, "all");
    int *items = NULL, ni = 0;
    if (all && all->kind == K_OBJ && all->o[0] && all->o[0]->cls->name &&
        !strcmp(all->o[0]->cls->name, "SectionList")) {
        if (hocB_seclist_items(h, all->o[0], &items, &ni)) return -1;
        secs = rv_malloc(sizeof *secs * ((size_t)ni + 1));
        if (!secs) return E(RV_ENOMEM, "out of memory");
        for (int i = 0; i < ni; ++i)
            if (!h->secs[items[i]].deleted) secs[ns++] = items[i];
    } else {
        secs = rv_malloc(sizeof *secs * ((size_t)h->nsecs + 1));
        if (!secs) return E(RV_ENOMEM, "out of memory");
        for (long ord = 0, best;; ord = best) {
            int bi = -1;
            best = 0;
            for (int i = 0; i < h->nsecs; ++i) {
                hoc_sec *s = &h->secs[i];
                if (!s->exists || s->deleted || s->owner != o || s->order <= ord) continue;
                if (bi < 0 || s->order < best) bi = i, best = s->order;
            }
            if (bi < 0) break;
            secs[ns++] = bi;
        }
    }
    fputc('{', f);
    w.ind = 1;
    nl(&w);
    fprintf(f, "\"%s\": {", o->cls->name);
    w.ind = 2;
    nl(&w);
    static const struct {
        const char *attr, *list;
    } counts[] = {{"nSecAll", "all"},       {"nSecApical", "apical"}, {"nSecAxonal", "axonal"},
                  {"nSecAxonalOrig", NULL}, {"nSecBasal", "basal"},   {"nSecSoma", "somatic"}};
    int found;
    double g = field_num(o, "gid", &found);
    key_num(&w, "gid", found ? g : gid, 0);
    double nax = 0;
    for (size_t i = 0; i < sizeof counts / sizeof *counts; ++i) {
        double v = field_num(o, counts[i].attr, &found);
        if (!found) v = counts[i].list ? list_count(h, o, counts[i].list) : nax;
        if (!strcmp(counts[i].attr, "nSecAxonal")) nax = v;
        key_num(&w, counts[i].attr, v, 0);
    }
    static const char *xyz[] = {"x", "y", "z"};
    for (int i = 0; i < 3; ++i) key_num(&w, xyz[i], field_num(o, xyz[i], &found), 0);
    fputs("\"sections\": [", f);
    for (int k = 0; k < ns; ++k) {
        int sec = secs[k];
        hoc_sec *s = &h->secs[sec];
        w.ind = 4;
        if (k == 0) {
            w.ind = 3;
            nl(&w);
        }
        w.ind = 3;
        fputc('{', f);
        w.ind = 4;
        nl(&w);
        fprintf(f, "\"name\": \"%s\",", short_name(s->name));
        nl(&w);
        key_num(&w, "L", hocX_sec_L(h, sec), 0);
        key_num(&w, "Ra", s->Ra, 0);
        fprintf(f, "\"nseg\": %d,", s->nseg);
        nl(&w);
        key_num(&w, "rallbranch", 1.0, 0);
        fputs("\"segments\": [", f);
        const char **mechs = NULL;
        int nm = 0;
        if (sec_mechs(h, sec, &mechs, &nm)) {
            rv_free(secs);
            return -1;
        }
        for (int j = 0; j < s->nseg; ++j) {
            double x = hocX_seg_x(s->nseg, j), cm, diam, v;
            rv_error e;
            if (hocX_engine(h, rv_range_get(h->m, sec, x, "cm", &cm, &e), &e) ||
                hocX_engine(h, rv_range_get(h->m, sec, x, "diam", &diam, &e), &e) ||
                hocX_engine(h, rv_range_get(h->m, sec, x, "v", &v, &e), &e)) {
                rv_free(mechs);
                rv_free(secs);
                return -1;
            }
            w.ind = 5;
            nl(&w);
            fputc('{', f);
            w.ind = 6;
            nl(&w);
            key_num(&w, "x", x, 0);
            key_num(&w, "cm", cm, 0);
            key_num(&w, "diam", diam, 0);
            for (int q = 0; q < nm; ++q)
                if (write_mech(h, &w, sec, x, mechs[q])) {
                    rv_free(mechs);
                    rv_free(secs);
                    return -1;
                }
            key_num(&w, "v", v, 1);
            w.ind = 5;
            nl(&w);
            fputs(j == s->nseg - 1 ? "}" : "},", f);
        }
        rv_free(mechs);
        w.ind = 4;
        nl(&w);
        fputc(']', f);
        w.ind = 3;
        nl(&w);
        fputs(k == ns - 1 ? "}" : "},", f);
        if (k < ns - 1) nl(&w);
    }
    rv_free(secs);
    w.ind = 2;
    nl(&w);
    fputs("],", f);
    nl(&w);
    fputs("\"n_synapses\": 0,", f);
    nl(&w);
    fputs("\"synapses\": [],", f);
    nl(&w);
    fputs("\"n_netcons\": 0,", f);
    nl(&w);
    fputs("\"netcons\": []", f);
    w.ind = 1;
    nl(&w);
    fputc('}', f);
    w.ind = 0;
    nl(&w);
    fputs("}\n", f);
    return ferror(f) ? E(RV_EIO, "dump: write error") : 0;
}
