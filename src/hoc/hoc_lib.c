/* SPDX-License-Identifier: MIT
 * hoc/hoc_lib.c -- built-in hoc functions and classes.
 *
 * Functions are dispatched by name (hocB_call); classes are hoc_class
 * records in the built-in table with C constructors, methods and property
 * locations.  Point-process classes (IClamp, ExpSyn, ...) are made on first
 * use from the engine's mechanism names.  What is not here fails with
 * "unsupported ...".
 */
#include "hoc/hoc_int.h"
#include "ranvier/random123.h"

#include <ctype.h>
#include <math.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#define E(...) hocX_error(h, __VA_ARGS__)
#define HOC_PI 3.14159265358979323846
#define HOC_E  2.71828182845904523536

int hocX_arg_num(hoc *h, hoc_val *v, double *d) {
    *d = 0;
    if (v->t == V_NUM) return *d = v->u.d, 0;
    if (v->t == V_REF) return *d = *v->u.p, 0;
    return E(RV_EINVAL, "a number argument is needed");
}

int hocX_arg_str(hoc *h, hoc_val *v, const char **s) {
    *s = "";
    if (v->t == V_STR) return *s = v->u.s->s, 0;
    if (v->t == V_SREF) return *s = *v->u.sp ? (*v->u.sp)->s : "", 0;
    return E(RV_EINVAL, "a string argument is needed");
}

int hocX_arg_obj(hoc *h, hoc_val *v, hoc_obj **o) {
    *o = NULL;
    if (v->t == V_OBJ) return *o = v->u.o, 0;
    if (v->t == V_OREF) return *o = *v->u.op, 0;
    return E(RV_EINVAL, "an object argument is needed");
}

static int set_sref(hoc *h, hoc_val *v, const char *s, size_t n) {
    if (v->t != V_SREF) return E(RV_EINVAL, "a strdef argument is needed");
    hoc_str *ns = hocX_str(s, n);
    if (!ns) return E(RV_ENOMEM, "out of memory");
    hocX_str_decref(*v->u.sp);
    *v->u.sp = ns;
    return 0;
}

static int ret_num(hoc_val *r, double d) {
    r->t = V_NUM, r->u.d = d;
    return 1;
}

static int ret_str(hoc *h, hoc_val *r, const char *s) {
    r->t = V_STR;
    r->u.s = hocX_str(s, strlen(s));
    return r->u.s ? 1 : E(RV_ENOMEM, "out of memory");
}

void hocB_obj_name(hoc_obj *o, char *buf, size_t n) {
    if (!o)
        snprintf(buf, n, "NULLobject");
    else
        snprintf(buf, n, "%s[%d]", o->cls->name, o->index);
}

/* ---- printf-style formatting ------------------------------------------------ */
typedef struct {
    char *p;
    size_t n, cap;
} sbuf;

static int sb_add(sbuf *b, const char *s, size_t n) {
    if (b->n + n + 1 > b->cap) {
        size_t cap = (b->n + n + 1) * 2;
        char *p = rv_realloc(b->p, cap);
        if (!p) return -1;
        b->p = p, b->cap = cap;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = 0;
    return 0;
}

int hocX_format(hoc *h, const char *fmt, hoc_val *args, int nargs, char **out, size_t *nout) {
    sbuf b = {0};
    int k = 0;
    if (sb_add(&b, "", 0)) return E(RV_ENOMEM, "out of memory");
    for (const char *p = fmt; *p;) {
        if (*p != '%') {
            const char *q = strchr(p, '%');
            size_t n = q ? (size_t)(q - p) : strlen(p);
            if (sb_add(&b, p, n)) goto oom;
            p += n;
            continue;
        }
        if (p[1] == '%') {
            if (sb_add(&b, "%", 1)) goto oom;
            p += 2;
            continue;
        }
        char spec[64];
        size_t sl = 0;
        spec[sl++] = *p++;
        /* flags, width, precision in that order (anything else ends the spec) */
        while (*p && strchr("-+ #0", *p) && sl < 8) spec[sl++] = *p++;
        for (int k2 = 0; isdigit((unsigned char)*p) && k2 < 3; ++k2) spec[sl++] = *p++;
        if (*p == '.') {
            spec[sl++] = *p++;
            for (int k2 = 0; isdigit((unsigned char)*p) && k2 < 2; ++k2) spec[sl++] = *p++;
        }
        if (isdigit((unsigned char)*p)) {
            rv_free(b.p);
            return E(RV_ERANGE, "printf: field width or precision too large");
        }
        while (*p == 'l' || *p == 'h') ++p;
        char c = *p ? *p++ : 0;
        char tmp[1024];
        int n = 0;
        if (k >= nargs) {
            rv_free(b.p);
            return E(RV_EINVAL, "printf: not enough arguments for the format");
        }
        hoc_val *a = &args[k++];
        if (c == 's') {
            const char *s = "";
            if (a->t == V_NUM || a->t == V_REF) {
                double d = a->t == V_NUM ? a->u.d : *a->u.p;
                snprintf(tmp, sizeof tmp, "%g", d);
                s = tmp;
            } else if (a->t == V_OBJ || a->t == V_OREF) {
                hocB_obj_name(a->t == V_OBJ ? a->u.o : *a->u.op, tmp, sizeof tmp);
                s = tmp;
            } else if (hocX_arg_str(h, a, &s)) {
                rv_free(b.p);
                return -1;
            }
            spec[sl++] = 's', spec[sl] = 0;
            int need = snprintf(NULL, 0, spec, s);
            char *big = rv_malloc((size_t)need + 1);
            if (!big) goto oom;
            snprintf(big, (size_t)need + 1, spec, s);
            int rr = sb_add(&b, big, (size_t)need);
            rv_free(big);
            if (rr) goto oom;
            continue;
        }
        double d = 0;
        if (hocX_arg_num(h, a, &d)) {
            rv_free(b.p);
            return -1;
        }
        if (c == 'd' || c == 'i' || c == 'o' || c == 'x' || c == 'X' || c == 'c') {
            spec[sl++] = 'l';
            spec[sl++] = c == 'i' ? 'd' : c;
            spec[sl] = 0;
            if (c == 'c') {
                spec[sl - 2] = 'c', spec[sl - 1] = 0;
                n = snprintf(tmp, sizeof tmp, spec, (int)d);
            } else {
                n = snprintf(tmp, sizeof tmp, spec, (long)d);
            }
        } else if (c && strchr("eEfgG", c)) {
            spec[sl++] = c, spec[sl] = 0;
            n = snprintf(tmp, sizeof tmp, spec, d);
        } else {
            rv_free(b.p);
            return E(RV_EUNSUPPORTED, "printf: unsupported conversion %%%c", c ? c : ' ');
        }
        if (n < 0) n = 0;
        if ((size_t)n >= sizeof tmp) n = sizeof tmp - 1;
        if (sb_add(&b, tmp, (size_t)n)) goto oom;
    }
    *out = b.p;
    *nout = b.n;
    return 0;
oom:
    rv_free(b.p);
    return E(RV_ENOMEM, "out of memory");
}

/* ---- sscanf ----------------------------------------------------------------- */
static int do_sscanf(hoc *h, hoc_val *args, int nargs, hoc_val *ret) {
    const char *s = "", *fmt = "";
    if (nargs < 2 || hocX_arg_str(h, &args[0], &s) || hocX_arg_str(h, &args[1], &fmt))
        return E(RV_EINVAL, "sscanf(string, format, &var...)");
    int k = 2, count = 0;
    const char *p = fmt;
    while (*p) {
        if (isspace((unsigned char)*p)) {
            while (isspace((unsigned char)*s)) ++s;
            ++p;
            continue;
        }
        if (*p != '%') {
            if (*s != *p) break;
            ++s, ++p;
            continue;
        }
        ++p;
        while (*p == 'l' || isdigit((unsigned char)*p)) ++p;
        char c = *p++;
        if (k >= nargs) return E(RV_EINVAL, "sscanf: not enough arguments for the format");
        hoc_val *a = &args[k++];
        while (isspace((unsigned char)*s)) ++s;
        if (c == 's') {
            size_t n = 0;
            while (s[n] && !isspace((unsigned char)s[n])) ++n;
            if (!n) break;
            if (set_sref(h, a, s, n)) return -1;
            s += n;
        } else if (c && strchr("fgedi", c)) {
            char *end;
            double d = c == 'd' || c == 'i' ? (double)strtol(s, &end, 10) : strtod(s, &end);
            if (end == s) break;
            if (a->t != V_REF) return E(RV_EINVAL, "sscanf: numbers need &var");
            *a->u.p = d;
            s = end;
        } else {
            return E(RV_EUNSUPPORTED, "sscanf: unsupported conversion %%%c", c ? c : ' ');
        }
        ++count;
    }
    return ret_num(ret, count);
}

/* ---- Vector --------------------------------------------------------------------- */
typedef struct {
    double *v;
    int n, cap;
} vec;

static int vec_resize(hoc *h, vec *x, int n) {
    if (n < 0) return E(RV_ERANGE, "Vector: negative size");
    if (n > x->cap) {
        int cap = n > 2 * x->cap ? n : 2 * x->cap;
        double *p = rv_realloc(x->v, (size_t)cap * sizeof *p);
        if (!p) return E(RV_ENOMEM, "out of memory");
        x->v = p, x->cap = cap;
    }
    for (int i = x->n; i < n; ++i) x->v[i] = 0;
    x->n = n;
    return 0;
}

static int vec_ctor(hoc *h, hoc_obj *o, hoc_val *a, int na) {
    vec *x = rv_calloc(1, sizeof *x);
    if (!x) return E(RV_ENOMEM, "out of memory");
    o->data = x;
    double n = 0, fill = 0;
    if (na >= 1 && hocX_arg_num(h, &a[0], &n)) return -1;
    if (na >= 2 && hocX_arg_num(h, &a[1], &fill)) return -1;
    if (vec_resize(h, x, (int)n)) return -1;
    for (int i = 0; i < x->n; ++i) x->v[i] = fill;
    return 0;
}

static void vec_dtor(hoc *h, hoc_obj *o) {
    (void)h;
    vec *x = o->data;
    if (x) rv_free(x->v);
    rv_free(x);
}

static int vec_record(hoc *h, hoc_obj *o, hoc_val *a, int na, hoc_val *r);
static int vec_play(hoc *h, hoc_obj *o, hoc_val *a, int na, hoc_val *r);

static int vec_idx(hoc *h, vec *x, hoc_val *a, int *i) {
    double d = 0;
    if (hocX_arg_num(h, a, &d)) return -1;
    *i = (int)d;
    if (*i < 0 || *i >= x->n)
        return E(RV_ERANGE, "Vector index %d out of range (size %d)", *i, x->n);
    return 0;
}

static int vec_method(hoc *h, hoc_obj *o, const char *m, hoc_val *a, int na, hoc_val *r) {
    vec *x = o->data;
    double d = 0;
    int i;
    if (!strcmp(m, "size")) return ret_num(r, x->n);
    if (!strcmp(m, "resize")) {
        if (na != 1 || hocX_arg_num(h, &a[0], &d) || vec_resize(h, x, (int)d)) return -1;
        r->t = V_OBJ, r->u.o = o, o->rc++;
        return 1;
    }
    if (!strcmp(m, "append")) {
        for (int k = 0; k < na; ++k) {
            hoc_obj *vo = NULL;
            if ((a[k].t == V_OBJ || a[k].t == V_OREF) && !hocX_arg_obj(h, &a[k], &vo) && vo &&
                vo->cls->dtor == vec_dtor) {
                vec *y = vo->data;
                int n0 = x->n, ny = y->n;
                if (vec_resize(h, x, n0 + ny)) return -1;
                if (ny) memcpy(x->v + n0, y->v, (size_t)ny * sizeof *x->v);
                continue;
            }
            if (hocX_arg_num(h, &a[k], &d) || vec_resize(h, x, x->n + 1)) return -1;
            x->v[x->n - 1] = d;
        }
        r->t = V_OBJ, r->u.o = o, o->rc++;
        return 1;
    }
    if (!strcmp(m, "fill")) {
        if (na < 1 || hocX_arg_num(h, &a[0], &d)) return -1;
        for (i = 0; i < x->n; ++i) x->v[i] = d;
        r->t = V_OBJ, r->u.o = o, o->rc++;
        return 1;
    }
    if (!strcmp(m, "sum") || !strcmp(m, "mean")) {
        double s = 0;
        for (i = 0; i < x->n; ++i) s += x->v[i];
        if (m[0] == 'm') {
            if (!x->n) return E(RV_ERANGE, "Vector.mean of an empty vector");
            s /= x->n;
        }
        return ret_num(r, s);
    }
    if (!strcmp(m, "max") || !strcmp(m, "min")) {
        if (!x->n) return E(RV_ERANGE, "Vector.%s of an empty vector", m);
        double s = x->v[0];
        for (i = 1; i < x->n; ++i) s = m[1] == 'a' ? fmax(s, x->v[i]) : fmin(s, x->v[i]);
        return ret_num(r, s);
    }
    if (!strcmp(m, "x") || !strcmp(m, "get")) {
        if (na != 1 || vec_idx(h, x, &a[0], &i)) return -1;
        return ret_num(r, x->v[i]);
    }
    if (!strcmp(m, "set")) {
        if (na != 2 || vec_idx(h, x, &a[0], &i) || hocX_arg_num(h, &a[1], &d)) return -1;
        x->v[i] = d;
        r->t = V_OBJ, r->u.o = o, o->rc++;
        return 1;
    }
    if (!strcmp(m, "printf")) {
        for (i = 0; i < x->n; ++i) {
            char buf[64];
            int n = snprintf(buf, sizeof buf, "%g%s", x->v[i], (i + 1) % 5 == 0 ? "\n" : "\t");
            hocX_write(h, buf, (size_t)n);
        }
        if (x->n % 5) hocX_write(h, "\n", 1);
        return ret_num(r, x->n);
    }
    if (!strcmp(m, "indgen")) {
        for (i = 0; i < x->n; ++i) x->v[i] = i;
        r->t = V_OBJ, r->u.o = o, o->rc++;
        return 1;
    }
    if (!strcmp(m, "record")) return vec_record(h, o, a, na, r);
    if (!strcmp(m, "play")) return vec_play(h, o, a, na, r);
    return 0;
}

static int vec_prop(hoc *h, hoc_obj *o, const char *name, hoc_val *idx, int nidx, hoc_loc *l) {
    vec *x = o->data;
    if (strcmp(name, "x")) return 0;
    int i;
    if (nidx != 1) return E(RV_EINVAL, "Vector.x needs one index");
    if (vec_idx(h, x, &idx[0], &i)) return -1;
    l->kind = L_NUM, l->d = &x->v[i];
    return 1;
}

/* ---- List ------------------------------------------------------------------------ */
typedef struct {
    hoc_obj **o;
    int n, cap;
} olist;

static int list_ctor(hoc *h, hoc_obj *o, hoc_val *a, int na) {
    (void)a;
    if (na) return E(RV_EUNSUPPORTED, "unsupported: List(\"template\")");
    o->data = rv_calloc(1, sizeof(olist));
    return o->data ? 0 : E(RV_ENOMEM, "out of memory");
}

static void list_dtor(hoc *h, hoc_obj *o) {
    olist *l = o->data;
    if (!l) return;
    for (int i = 0; i < l->n; ++i) hocX_obj_decref(h, l->o[i]);
    rv_free(l->o);
    rv_free(l);
}

static int list_method(hoc *h, hoc_obj *o, const char *m, hoc_val *a, int na, hoc_val *r) {
    olist *l = o->data;
    double d = 0;
    hoc_obj *x = NULL;
    if (!strcmp(m, "count")) return ret_num(r, l->n);
    if (!strcmp(m, "append") || !strcmp(m, "prepend")) {
        if (na != 1 || hocX_arg_obj(h, &a[0], &x)) return -1;
        if (!x) return E(RV_EINVAL, "List.append(NULLobject)");
        size_t cap = (size_t)l->cap;
        if (rv_grow((void **)&l->o, &cap, (size_t)l->n + 1, sizeof *l->o))
            return E(RV_ENOMEM, "out of memory");
        l->cap = (int)cap;
        if (m[0] == 'p') {
            memmove(l->o + 1, l->o, (size_t)l->n * sizeof *l->o);
            l->o[0] = x;
        } else {
            l->o[l->n] = x;
        }
        l->n++;
        x->rc++;
        return ret_num(r, l->n);
    }
    if (!strcmp(m, "o") || !strcmp(m, "object")) {
        if (na != 1 || hocX_arg_num(h, &a[0], &d)) return -1;
        int i = (int)d;
        if (i < 0 || i >= l->n)
            return E(RV_ERANGE, "List.o(%d): index out of range (count %d)", i, l->n);
        r->t = V_OBJ, r->u.o = l->o[i], l->o[i]->rc++;
        return 1;
    }
    if (!strcmp(m, "remove")) {
        if (na != 1 || hocX_arg_num(h, &a[0], &d)) return -1;
        int i = (int)d;
        if (i < 0 || i >= l->n) return E(RV_ERANGE, "List.remove(%d): index out of range", i);
        hocX_obj_decref(h, l->o[i]);
        memmove(l->o + i, l->o + i + 1, (size_t)(l->n - i - 1) * sizeof *l->o);
        l->n--;
        return ret_num(r, l->n);
    }
    if (!strcmp(m, "remove_all")) {
        for (int i = 0; i < l->n; ++i) hocX_obj_decref(h, l->o[i]);
        l->n = 0;
        return ret_num(r, 0);
    }
    if (!strcmp(m, "index")) {
        if (na != 1 || hocX_arg_obj(h, &a[0], &x)) return -1;
        for (int i = 0; i < l->n; ++i)
            if (l->o[i] == x) return ret_num(r, i);
        return ret_num(r, -1);
    }
    return 0;
}

/* ---- SectionList ---------------------------------------------------------------- */
typedef struct {
    int *s;
    int n, cap;
} slist;

static int sl_ctor(hoc *h, hoc_obj *o, hoc_val *a, int na) {
    (void)a, (void)na;
    o->data = rv_calloc(1, sizeof(slist));
    return o->data ? 0 : E(RV_ENOMEM, "out of memory");
}

static void sl_dtor(hoc *h, hoc_obj *o) {
    (void)h;
    slist *l = o->data;
    if (l) rv_free(l->s);
    rv_free(l);
}

static int sl_add(hoc *h, slist *l, int s) {
    size_t cap = (size_t)l->cap;
    if (rv_grow((void **)&l->s, &cap, (size_t)l->n + 1, sizeof *l->s))
        return E(RV_ENOMEM, "out of memory");
    l->cap = (int)cap;
    l->s[l->n++] = s;
    return 0;
}

static int sr_child(hoc *h, int s, int k);

static int subtree(hoc *h, slist *l, int s) {
    if (sl_add(h, l, s)) return -1;
    for (int k = 0, c; (c = sr_child(h, s, k)) >= 0; ++k)
        if (subtree(h, l, c)) return -1;
    return 0;
}

static int sl_method(hoc *h, hoc_obj *o, const char *m, hoc_val *a, int na, hoc_val *r) {
    (void)a;
    slist *l = o->data;
    int s;
    if (!strcmp(m, "append")) {
        if (na) return E(RV_EUNSUPPORTED, "unsupported: SectionList.append(args)");
        if (hocX_cur_sec(h, &s) || sl_add(h, l, s)) return -1;
        return ret_num(r, 1);
    }
    if (!strcmp(m, "remove")) {
        if (hocX_cur_sec(h, &s)) return -1;
        int k = 0;
        for (int i = 0; i < l->n; ++i)
            if (l->s[i] != s) l->s[k++] = l->s[i];
        int removed = l->n - k;
        l->n = k;
        return ret_num(r, removed);
    }
    if (!strcmp(m, "wholetree") || !strcmp(m, "subtree")) {
        if (hocX_cur_sec(h, &s)) return -1;
        if (m[0] == 'w')
            while (h->secs[s].parent >= 0) s = h->secs[s].parent;
        if (subtree(h, l, s)) return -1;
        return ret_num(r, 1);
    }
    if (!strcmp(m, "printnames")) {
        for (int i = 0; i < l->n; ++i) {
            hocX_write(h, h->secs[l->s[i]].name, strlen(h->secs[l->s[i]].name));
            hocX_write(h, "\n", 1);
        }
        return ret_num(r, 1);
    }
    return 0;
}

int hocB_seclist_items(hoc *h, hoc_obj *o, int **secs, int *n) {
    if (o->cls->dtor != sl_dtor)
        return E(RV_EINVAL, "forsec: %s is not a SectionList", o->cls->name);
    slist *l = o->data;
    *secs = l->s;
    *n = l->n;
    return 0;
}

/* ---- SectionRef ------------------------------------------------------------------ */
static int sr_ctor(hoc *h, hoc_obj *o, hoc_val *a, int na) {
    (void)a;
    if (na) return E(RV_EUNSUPPORTED, "unsupported: SectionRef(args)");
    int s;
    if (hocX_cur_sec(h, &s)) return -1;
    o->pp = s;
    return 0;
}

/* k-th child, newest connection first (NEURON's order) */
static int sr_child(hoc *h, int s, int k) {
    int last = 1 << 30;
    for (int j = 0; j <= k; ++j) {
        int best = -1;
        for (int c = 0; c < h->nsecs; ++c) {
            hoc_sec *x = &h->secs[c];
            if (x->exists && !x->deleted && x->parent == s && x->conn_seq < last &&
                (best < 0 || x->conn_seq > h->secs[best].conn_seq))
                best = c;
        }
        if (best < 0) return -1;
        last = h->secs[best].conn_seq;
        if (j == k) return best;
    }
    return -1;
}

static int sr_method(hoc *h, hoc_obj *o, const char *m, hoc_val *a, int na, hoc_val *r) {
    (void)a, (void)na;
    int s = o->pp;
    if (!strcmp(m, "nchild")) {
        int n = 0;
        while (sr_child(h, s, n) >= 0) ++n;
        return ret_num(r, n);
    }
    if (!strcmp(m, "has_parent") || !strcmp(m, "has_trueparent"))
        return ret_num(r, h->secs[s].parent >= 0);
    if (!strcmp(m, "is_cas")) {
        int c;
        if (hocX_cur_sec(h, &c)) return -1;
        return ret_num(r, c == s);
    }
    return 0;
}

static int sr_prop(hoc *h, hoc_obj *o, const char *name, hoc_val *idx, int nidx, hoc_loc *l) {
    int s = o->pp;
    l->kind = L_SEC;
    if (!strcmp(name, "sec")) return l->sec = s, 1;
    if (!strcmp(name, "parent") || !strcmp(name, "trueparent")) {
        if (h->secs[s].parent < 0)
            return E(RV_EINVAL, "SectionRef: %s has no parent", h->secs[s].name);
        return l->sec = h->secs[s].parent, 1;
    }
    if (!strcmp(name, "root")) {
        while (h->secs[s].parent >= 0) s = h->secs[s].parent;
        return l->sec = s, 1;
    }
    if (!strcmp(name, "child")) {
        double d = 0;
        if (nidx != 1 || hocX_arg_num(h, &idx[0], &d)) return E(RV_EINVAL, "SectionRef.child[i]");
        int c = sr_child(h, s, (int)d);
        if (c < 0) return E(RV_ERANGE, "SectionRef.child[%d]: no such child", (int)d);
        return l->sec = c, 1;
    }
    return 0;
}

/* ---- String, StringFunctions ----------------------------------------------------- */
static int str_ctor(hoc *h, hoc_obj *o, hoc_val *a, int na) {
    const char *s = "";
    if (na && hocX_arg_str(h, &a[0], &s)) return -1;
    o->data = hocX_str(s, strlen(s));
    return o->data ? 0 : E(RV_ENOMEM, "out of memory");
}

static void str_dtor(hoc *h, hoc_obj *o) {
    (void)h;
    hocX_str_decref(o->data);
}

static int str_prop(hoc *h, hoc_obj *o, const char *name, hoc_val *idx, int nidx, hoc_loc *l) {
    (void)h, (void)idx, (void)nidx;
    if (strcmp(name, "s")) return 0;
    l->kind = L_STR, l->s = (hoc_str **)&o->data;
    return 1;
}

static int sf_ctor(hoc *h, hoc_obj *o, hoc_val *a, int na) {
    (void)h, (void)o, (void)a, (void)na;
    return 0;
}

static int sf_method(hoc *h, hoc_obj *o, const char *m, hoc_val *a, int na, hoc_val *r) {
    (void)o;
    const char *s = "", *t = "";
    double d = 0;
    if (!strcmp(m, "len")) {
        if (na != 1 || hocX_arg_str(h, &a[0], &s)) return -1;
        return ret_num(r, (double)strlen(s));
    }
    if (!strcmp(m, "substr")) {
        if (na != 2 || hocX_arg_str(h, &a[0], &s) || hocX_arg_str(h, &a[1], &t)) return -1;
        const char *p = strstr(s, t);
        return ret_num(r, p ? (double)(p - s) : -1);
    }
    if (!strcmp(m, "head") || !strcmp(m, "tail")) {
        if (na != 3 || hocX_arg_str(h, &a[0], &s) || hocX_arg_str(h, &a[1], &t)) return -1;
        regex_t re;
        regmatch_t mt;
        if (regcomp(&re, t, REG_EXTENDED))
            return E(RV_EINVAL, "StringFunctions.%s: bad regex %s", m, t);
        int ok = regexec(&re, s, 1, &mt, 0) == 0;
        regfree(&re);
        if (!ok) {
            if (set_sref(h, &a[2], "", 0)) return -1;
            return ret_num(r, -1);
        }
        if (m[0] == 'h') {
            if (set_sref(h, &a[2], s, (size_t)mt.rm_so)) return -1;
            return ret_num(r, mt.rm_so);
        }
        if (set_sref(h, &a[2], s + mt.rm_eo, strlen(s + mt.rm_eo))) return -1;
        return ret_num(r, mt.rm_eo);
    }
    if (!strcmp(m, "right") || !strcmp(m, "left")) {
        if (na != 2 || hocX_arg_str(h, &a[0], &s) || hocX_arg_num(h, &a[1], &d)) return -1;
        size_t n = strlen(s), k = d < 0 ? 0 : (size_t)d > n ? n : (size_t)d;
        char *c = rv_strdup(s);
        if (!c) return E(RV_ENOMEM, "out of memory");
        int rr = m[0] == 'r' ? set_sref(h, &a[0], c + k, n - k) : set_sref(h, &a[0], c, k);
        rv_free(c);
        if (rr) return -1;
        return ret_num(r, 1);
    }
    return 0;
}

/* ---- Random: Random123 streams and NEURON's distributions -------------------------------
 * The generator is nrnran123; the distributions are the engine's rv_hrand
 * (NEURON's libg++ classes, same operation order), plus DiscreteUniform
 * here.  Setting a distribution draws once and returns the value (as
 * NEURON); Random123() swaps the stream and keeps the distribution. */
typedef struct hoc_rand {
    rv_hrand hr;
    int r123;     /* Random123 called */
    int discunif; /* the current distribution is discunif (low, delta) */
    double dlow, ddelta;
} hoc_rand;

static int rnd_ctor(hoc *h, hoc_obj *o, hoc_val *a, int na) {
    (void)a, (void)na;
    hoc_rand *r = rv_calloc(1, sizeof *r);
    if (!r) return E(RV_ENOMEM, "out of memory");
    rv_hrand_init(&r->hr, 0, 0, 0); /* Normal(0, 1) */
    o->data = r;
    return 0;
}

static void rnd_dtor(hoc *h, hoc_obj *o) {
    (void)h;
    rv_free(o->data);
    o->data = NULL;
}

static double rnd_pick(hoc_rand *r) {
    /* DiscreteUniform: low + long(floor(delta * u)), delta = high - low + 1 */
    if (r->discunif)
        return r->dlow + (double)(long)floor(r->ddelta * rv_ran123_dblpick(&r->hr.gen));
    return rv_hrand_repick(&r->hr);
}

static int rnd_method(hoc *h, hoc_obj *o, const char *m, hoc_val *a, int na, hoc_val *r) {
    hoc_rand *x = o->data;
    double p[3] = {0, 0, 0};
    if (na > 3) return E(RV_EINVAL, "Random.%s: too many arguments", m);
    for (int k = 0; k < na; ++k)
        if (hocX_arg_num(h, &a[k], &p[k])) return -1;
    if (!strcmp(m, "Random123")) {
        uint32_t id[3] = {0, 0, 0};
        for (int k = 0; k < na; ++k) {
            if (!(p[k] >= 0 && p[k] <= 4294967295.))
                return E(RV_ERANGE, "Random.Random123: arg %d = %g not in [0, 4294967295]", k + 1,
                         p[k]);
            id[k] = (uint32_t)p[k];
        }
        rv_ran123_init(&x->hr.gen, id[0], id[1], id[2]);
        x->r123 = 1;
        return ret_num(r, 0);
    }
    if (!strcmp(m, "Random123_globalindex")) {
        if (na >= 1) {
            if (!(p[0] >= 0 && p[0] <= 4294967295.))
                return E(RV_ERANGE, "Random.Random123_globalindex: %g not in [0, 4294967295]",
                         p[0]);
            rv_ran123_set_globalindex((uint32_t)p[0]);
        }
        return ret_num(r, rv_ran123_get_globalindex());
    }
    if (!x->r123)
        return E(RV_EUNSUPPORTED,
                 "unsupported: Random.%s before Random123(...) (only Random123 streams)", m);
    if (!strcmp(m, "seq")) {
        uint32_t seq, which;
        if (na >= 1) {
            if (!(p[0] >= 0 && p[0] <= 17179869183.))
                return E(RV_ERANGE, "Random.seq: %g not in [0, 2^34 - 1]", p[0]);
            seq = (uint32_t)(p[0] / 4.);
            which = (uint32_t)(char)(p[0] - seq * 4.);
            rv_ran123_setseq(&x->hr.gen, seq, which);
        }
        rv_ran123_getseq(&x->hr.gen, &seq, &which);
        return ret_num(r, (double)seq * 4. + (double)which);
    }
    if (!strcmp(m, "repick")) return ret_num(r, rnd_pick(x));
    if (!strcmp(m, "uniform")) {
        if (na != 2) return E(RV_EINVAL, "Random.uniform(low, high): two arguments");
        x->discunif = 0;
        return ret_num(r, rv_hrand_uniform(&x->hr, p[0], p[1]));
    }
    if (!strcmp(m, "normal") || !strcmp(m, "lognormal")) {
        if (na != 2) return E(RV_EINVAL, "Random.%s(mean, variance): two arguments", m);
        x->discunif = 0;
        return ret_num(r, m[0] == 'n' ? rv_hrand_normal(&x->hr, p[0], p[1])
                                      : rv_hrand_lognormal(&x->hr, p[0], p[1]));
    }
    if (!strcmp(m, "negexp") || !strcmp(m, "poisson")) {
        if (na != 1) return E(RV_EINVAL, "Random.%s(mean): one argument", m);
        x->discunif = 0;
        return ret_num(r, m[0] == 'n' ? rv_hrand_negexp(&x->hr, p[0])
                                      : rv_hrand_poisson(&x->hr, p[0]));
    }
    if (!strcmp(m, "discunif")) {
        if (na != 2) return E(RV_EINVAL, "Random.discunif(low, high): two arguments");
        long l0 = (long)p[0], l1 = (long)p[1];
        long lo = l0 < l1 ? l0 : l1, hi = l0 < l1 ? l1 : l0;
        x->discunif = 1, x->dlow = (double)lo, x->ddelta = (double)(hi - lo + 1);
        return ret_num(r, rnd_pick(x));
    }
    return E(RV_EUNSUPPORTED, "unsupported: Random.%s", m);
}

/* ---- point processes -------------------------------------------------------------------- */
static int pp_ctor(hoc *h, hoc_obj *o, hoc_val *a, int na) {
    double x = 0.5;
    int sec = 0;
    rv_error e;
    if (na > 1) return E(RV_EINVAL, "%s(x): one argument", o->cls->name);
    if (na == 1 && hocX_arg_num(h, &a[0], &x)) return -1;
    /* an artificial cell needs no section; an unknown name fails here too */
    rv_status st = rv_pp_create(h->m, o->cls->ppname, -1, 0.5, &o->pp, &e);
    if (st == RV_OK) return 0;
    if (st == RV_ENOENT) return E(st, "unsupported or unknown template %s", o->cls->name);
    if (hocX_cur_sec(h, &sec)) return -1;
    st = rv_pp_create(h->m, o->cls->ppname, sec, x, &o->pp, &e);
    if (st == RV_ENOENT) return E(st, "unsupported or unknown template %s", o->cls->name);
    if (!st) h->secs[sec].npp++;
    return hocX_engine(h, st, &e);
}

/* pp.fn(numbers...): a FUNCTION/PROCEDURE of the point process's mechanism,
 * through the driver's hook (which may defer it until the model is
 * complete; the value is then 0) or rv_pp_call (which lowers the model). */
static int pp_method(hoc *h, hoc_obj *o, const char *m, hoc_val *a, int na, hoc_val *r) {
    if (!strcmp(m, "has_loc")) return ret_num(r, 1);
    const rv_mech_type *t = rv_model_mech_type(h->m, o->cls->ppname);
    int known = 0;
    for (int k = 0; t && k < t->n_funcs; ++k)
        if (strcmp(t->funcs[k].name, m) == 0) known = 1;
    if (!known) return E(RV_EUNSUPPORTED, "unsupported: %s.%s()", o->cls->name, m);
    if (na > 6) return E(RV_EUNSUPPORTED, "%s.%s(): more than 6 arguments", o->cls->name, m);
    double d[6];
    rv_mech_arg ma[6];
    for (int k = 0; k < na; ++k) {
        if (a[k].t != V_NUM)
            return E(RV_EUNSUPPORTED, "%s.%s(): argument %d is not a number", o->cls->name, m,
                     k + 1);
        d[k] = a[k].u.d, ma[k].num = d[k], ma[k].obj = NULL;
    }
    double res = 0;
    rv_error e;
    memset(&e, 0, sizeof e);
    rv_status st = h->pp_call ? h->pp_call(h->pp_call_ud, o->pp, m, d, na, &res, &e)
                              : rv_pp_call(h->m, o->pp, m, ma, na, &res, &e);
    if (st) return hocX_engine(h, st, &e);
    return ret_num(r, res);
}

static int pp_prop(hoc *h, hoc_obj *o, const char *name, hoc_val *idx, int nidx, hoc_loc *l) {
    double d = 0;
    (void)idx;
    rv_error e;
    if (nidx) return E(RV_EUNSUPPORTED, "unsupported: array variable %s.%s", o->cls->name, name);
    if (rv_pp_get(h->m, o->pp, name, &d, &e)) return 0;
    l->kind = L_PP, l->pp = o->pp, l->name = name;
    return 1;
}

/* ---- NetCon -------------------------------------------------------------------------------
 * NetCon(&v(x) | pp | nil, target | nil [, threshold, delay, weight]).  The engine
 * connects spike sources by gid: a hoc source gets a synthetic gid (from
 * RV_HOC_GID_BASE on), shared by NetCons on the same location as NEURON shares
 * the PreSyn (and its threshold).  The engine side is made before the model
 * is set up (finitialize, rv_hoc_apply_globals, or area()/ri()); weights and
 * delays written later are pushed to the engine before each step. */
#define RV_HOC_GID_BASE ((int64_t)1 << 50)
#define NC_MAXW         16

typedef struct hoc_nc {
    int src;                   /* index in h->srcs, -1: nil source */
    hoc_obj *src_obj, *target; /* counted */
    double delay, w[NC_MAXW];
    double delay_made, w_made[NC_MAXW]; /* the values the engine has */
    int nw;                             /* weights written (at least 1) */
    int eid;                            /* engine NetCon, -1: none (yet) */
    int made;                           /* the engine side exists */
    double thr_made;
} hoc_nc;

static int is_pp_obj(hoc_obj *o) {
    return o && o->cls->ppname != NULL;
}

/* the hoc_src entry of a section location or point process, made if new */
static int src_find(hoc *h, int sec, double x, int pp, int *out) {
    for (int i = 0; i < h->nsrcs; ++i) {
        hoc_src *c = &h->srcs[i];
        if (pp >= 0 ? c->pp == pp : (c->pp < 0 && c->sec == sec && c->x == x)) return *out = i, 0;
    }
    size_t cap = (size_t)h->capsrcs;
    if (rv_grow((void **)&h->srcs, &cap, (size_t)h->nsrcs + 1, sizeof *h->srcs))
        return E(RV_ENOMEM, "out of memory");
    h->capsrcs = (int)cap;
    hoc_src *c = &h->srcs[h->nsrcs];
    c->sec = sec, c->x = x, c->pp = pp;
    c->gid = RV_HOC_GID_BASE + h->nsrcs;
    c->thr = 10; /* NEURON's default threshold */
    c->made = 0;
    *out = h->nsrcs++;
    return 0;
}

static int nc_register(hoc *h, hoc_obj *o) {
    size_t cap = (size_t)h->capncs;
    if (rv_grow((void **)&h->ncs, &cap, (size_t)h->nncs + 1, sizeof *h->ncs))
        return E(RV_ENOMEM, "out of memory");
    h->capncs = (int)cap;
    h->ncs[h->nncs++] = o;
    return 0;
}

static void nc_dtor(hoc *h, hoc_obj *o) {
    hoc_nc *c = o->data;
    if (!c) return;
    for (int i = 0; i < h->nncs; ++i)
        if (h->ncs[i] == o) {
            h->ncs[i] = h->ncs[--h->nncs];
            break;
        }
    if (c->made && c->eid >= 0) {
        /* the engine keeps its NetCons: a destroyed one delivers nothing */
        rv_error e;
        for (int k = 0; k < c->nw; ++k) rv_netcon_set_weight(h->m, c->eid, k, 0, &e);
    }
    hocX_obj_decref(h, c->src_obj);
    hocX_obj_decref(h, c->target);
    rv_free(c);
    o->data = NULL;
}

static int nc_ctor(hoc *h, hoc_obj *o, hoc_val *a, int na) {
    if (na < 2 || na > 5)
        return E(RV_EINVAL, "NetCon(source, target[, threshold, delay, weight]): %d arguments", na);
    hoc_nc *c = rv_calloc(1, sizeof *c);
    if (!c) return E(RV_ENOMEM, "out of memory");
    o->data = c;
    c->src = -1, c->eid = -1, c->delay = 1, c->nw = 1;
    hoc_obj *so = NULL, *to = NULL;
    if (a[0].t == V_RPTR) {
        if (a[0].u.rp.sec < 0 || strcmp(a[0].u.rp.name, "v"))
            return E(RV_EUNSUPPORTED, "unsupported: NetCon source &%s (only &v(x) of a section)",
                     a[0].u.rp.name);
        if (src_find(h, a[0].u.rp.sec, a[0].u.rp.x, -1, &c->src)) return -1;
    } else if (a[0].t == V_OBJ || a[0].t == V_OREF || (a[0].t == V_NUM && a[0].u.d == 0)) {
        if (a[0].t != V_NUM && hocX_arg_obj(h, &a[0], &so)) return -1;
        if (so && !is_pp_obj(so))
            return E(RV_EINVAL, "NetCon source %s is not a point process", so->cls->name);
        if (so && src_find(h, -1, 0, so->pp, &c->src)) return -1;
        if (so) so->rc++, c->src_obj = so;
    } else {
        return E(RV_EINVAL, "NetCon source: &v(x), a point process or nil expected");
    }
    if (a[1].t == V_NUM && a[1].u.d == 0) {
        to = NULL;
    } else if (hocX_arg_obj(h, &a[1], &to)) {
        return -1;
    }
    if (to && !is_pp_obj(to))
        return E(RV_EINVAL, "NetCon target %s is not a point process", to->cls->name);
    if (to) to->rc++, c->target = to;
    double p[3];
    for (int k = 2; k < na; ++k)
        if (hocX_arg_num(h, &a[k], &p[k - 2])) return -1;
    if (na >= 3 && c->src >= 0) h->srcs[c->src].thr = p[0];
    if (na >= 4) c->delay = p[1];
    if (na >= 5) c->w[0] = p[2];
    return nc_register(h, o);
}

/* make the engine side of every NetCon not made yet */
int hocX_netcons_materialize(hoc *h) {
    rv_error e;
    for (int i = 0; i < h->nncs; ++i) {
        hoc_nc *c = h->ncs[i]->data;
        if (c->made) continue;
        int64_t gid = -1;
        if (c->src >= 0) {
            hoc_src *s = &h->srcs[c->src];
            if (!s->made) {
                rv_status st = s->pp >= 0
                                   ? rv_gid_from_pp(h->m, s->gid, s->pp, &e)
                                   : rv_gid_from_section(h->m, s->gid, s->sec, s->x, s->thr, &e);
                if (st == RV_ESTATE)
                    return E(st, "unsupported: NetCon made after the model was set up");
                if (hocX_engine(h, st, &e)) return -1;
                s->made = 1, s->thr_made = s->thr;
            }
            gid = s->gid;
        }
        /* a nil source never fires (NetCon.event is not supported): no
         * engine NetCon */
        if (c->target && c->src >= 0) {
            rv_status st =
                rv_netcon_create(h->m, gid, c->target->pp, c->delay, c->w[0], &c->eid, &e);
            if (st == RV_ESTATE)
                return E(st, "unsupported: NetCon made after the model was set up");
            if (hocX_engine(h, st, &e)) return -1;
            for (int k = 1; k < c->nw; ++k)
                if (hocX_engine(h, rv_netcon_set_weight(h->m, c->eid, k, c->w[k], &e), &e))
                    return -1;
            c->delay_made = c->delay;
            memcpy(c->w_made, c->w, sizeof c->w);
        }
        c->made = 1;
    }
    return 0;
}

/* push weights and delays written since; thresholds cannot change after */
static int netcons_sync(hoc *h) {
    rv_error e;
    if (hocX_netcons_materialize(h)) return -1;
    for (int i = 0; i < h->nsrcs; ++i)
        if (h->srcs[i].made && h->srcs[i].pp < 0 && h->srcs[i].thr != h->srcs[i].thr_made)
            return E(RV_EUNSUPPORTED,
                     "unsupported: NetCon.threshold changed (%g -> %g) after the model was set up",
                     h->srcs[i].thr_made, h->srcs[i].thr);
    for (int i = 0; i < h->nncs; ++i) {
        hoc_nc *c = h->ncs[i]->data;
        if (c->eid < 0) continue;
        if (c->delay != c->delay_made) {
            if (hocX_engine(h, rv_netcon_set_delay(h->m, c->eid, c->delay, &e), &e)) return -1;
            c->delay_made = c->delay;
        }
        for (int k = 0; k < c->nw; ++k)
            if (c->w[k] != c->w_made[k]) {
                if (hocX_engine(h, rv_netcon_set_weight(h->m, c->eid, k, c->w[k], &e), &e))
                    return -1;
                c->w_made[k] = c->w[k];
            }
    }
    return 0;
}

static int nc_method(hoc *h, hoc_obj *o, const char *m, hoc_val *a, int na, hoc_val *r) {
    hoc_nc *c = o->data;
    if (!strcmp(m, "record")) {
        if (na == 0) return ret_num(r, 0);
        hoc_obj *tv = NULL, *iv = NULL;
        double id = 0;
        if (hocX_arg_obj(h, &a[0], &tv)) return -1;
        if (na >= 2 && hocX_arg_obj(h, &a[1], &iv)) return -1;
        if (na >= 3 && hocX_arg_num(h, &a[2], &id)) return -1;
        if (!tv || tv->cls->dtor != vec_dtor || (iv && iv->cls->dtor != vec_dtor))
            return E(RV_EINVAL, "NetCon.record: a Vector is needed");
        if (c->src < 0) return ret_num(r, 0);
        size_t cap = (size_t)h->capncrec;
        if (rv_grow((void **)&h->ncrec, &cap, (size_t)h->nncrec + 1, sizeof *h->ncrec))
            return E(RV_ENOMEM, "out of memory");
        h->capncrec = (int)cap;
        hoc_ncrec *rc = &h->ncrec[h->nncrec++];
        rc->gid = h->srcs[c->src].gid;
        rc->vec = tv, tv->rc++;
        rc->idvec = iv;
        if (iv) iv->rc++;
        rc->id = na >= 3 ? id : 0;
        return ret_num(r, 0);
    }
    if (!strcmp(m, "valid")) return ret_num(r, c->target != NULL);
    if (!strcmp(m, "active")) return ret_num(r, 1);
    if (!strcmp(m, "wcnt")) return ret_num(r, c->nw);
    if (!strcmp(m, "srcgid")) return ret_num(r, -1);
    if (!strcmp(m, "syn") || !strcmp(m, "pre")) {
        hoc_obj *x = m[0] == 's' ? c->target : c->src_obj;
        r->t = V_OBJ, r->u.o = x;
        if (x) x->rc++;
        return 1;
    }
    return E(RV_EUNSUPPORTED, "unsupported: NetCon.%s()", m);
}

static int nc_prop(hoc *h, hoc_obj *o, const char *name, hoc_val *idx, int nidx, hoc_loc *l) {
    hoc_nc *c = o->data;
    if (!strcmp(name, "weight")) {
        double d = 0;
        if (nidx > 1) return E(RV_EINVAL, "NetCon.weight: one index");
        if (nidx == 1 && hocX_arg_num(h, &idx[0], &d)) return -1;
        int k = (int)d;
        if (k < 0 || k >= NC_MAXW) return E(RV_ERANGE, "NetCon.weight[%d]: index out of range", k);
        if (k >= c->nw) {
            if (c->made) return E(RV_EUNSUPPORTED, "unsupported: NetCon.weight[%d] after setup", k);
            c->nw = k + 1;
        }
        l->kind = L_NUM, l->d = &c->w[k];
        return 1;
    }
    if (nidx) return E(RV_EINVAL, "NetCon.%s is not an array", name);
    if (!strcmp(name, "delay")) return l->kind = L_NUM, l->d = &c->delay, 1;
    if (!strcmp(name, "threshold")) {
        if (c->src < 0 || h->srcs[c->src].pp >= 0) {
            /* no threshold detection: a value that is not used */
            l->kind = L_NUM, l->d = &h->nc_dummy_thr;
            return 1;
        }
        l->kind = L_NUM, l->d = &h->srcs[c->src].thr;
        return 1;
    }
    if (!strcmp(name, "x")) {
        l->kind = L_RVAL, l->rval.t = V_NUM;
        l->rval.u.d = c->src >= 0 && h->srcs[c->src].pp < 0 ? h->srcs[c->src].x : 0.5;
        return 1;
    }
    return 0;
}

/* after finitialize (reset = 1) and each fadvance: NetCon spike records and
 * Vector records take the engine's new values */
int hocX_after_step(hoc *h, int reset) {
    if (reset) {
        for (int i = 0; i < h->nncrec; ++i) {
            ((vec *)h->ncrec[i].vec->data)->n = 0;
            if (h->ncrec[i].idvec) ((vec *)h->ncrec[i].idvec->data)->n = 0;
        }
        for (int i = 0; i < h->nvrec; ++i) {
            ((vec *)h->vrec[i].vec->data)->n = 0;
            h->vrec[i].done = 0;
        }
        h->spikes_seen = 0;
    }
    size_t ns = rv_spike_count(h->m);
    if (ns < h->spikes_seen) h->spikes_seen = 0;
    for (size_t k = h->spikes_seen; k < ns && h->nncrec; ++k) {
        double t;
        int64_t gid;
        rv_spike_get(h->m, k, &t, &gid);
        for (int i = 0; i < h->nncrec; ++i) {
            hoc_ncrec *rc = &h->ncrec[i];
            if (rc->gid != gid) continue;
            vec *x = rc->vec->data;
            if (vec_resize(h, x, x->n + 1)) return -1;
            x->v[x->n - 1] = t;
            if (rc->idvec) {
                vec *y = rc->idvec->data;
                if (vec_resize(h, y, y->n + 1)) return -1;
                y->v[y->n - 1] = rc->id;
            }
        }
    }
    h->spikes_seen = ns;
    for (int i = 0; i < h->nvrec; ++i) {
        size_t n;
        const double *d = rv_record_data(h->m, h->vrec[i].rec, &n);
        vec *x = h->vrec[i].vec->data;
        if (n < h->vrec[i].done) h->vrec[i].done = 0, x->n = 0;
        for (size_t k = h->vrec[i].done; k < n; ++k) {
            if (vec_resize(h, x, x->n + 1)) return -1;
            x->v[x->n - 1] = d[k];
        }
        h->vrec[i].done = n;
    }
    return 0;
}

/* yvec.play(&var, tvec [, continuous]): the points are copied to the engine
 * now (later changes to the vectors are not seen) */
static int vec_play(hoc *h, hoc_obj *o, hoc_val *a, int na, hoc_val *r) {
    rv_error e;
    hoc_obj *tv = NULL;
    double cont = 0;
    if (na < 2 || na > 3)
        return E(RV_EINVAL, "Vector.play(&var, tvec[, continuous]): 2 or 3 arguments");
    if (a[0].t != V_RPTR)
        return E(RV_EUNSUPPORTED, "unsupported: Vector.play into this variable (&range(x) and "
                                  "&pp.var are supported)");
    if (a[1].t == V_NUM || a[1].t == V_REF)
        return E(RV_EUNSUPPORTED, "unsupported: Vector.play with a Dt (use a time vector)");
    if (hocX_arg_obj(h, &a[1], &tv)) return -1;
    if (!tv || tv->cls->dtor != vec_dtor)
        return E(RV_EINVAL, "Vector.play: a time Vector is needed");
    if (na == 3 && hocX_arg_num(h, &a[2], &cont)) return -1;
    vec *y = o->data, *t = tv->data;
    if (t->n < y->n)
        return E(RV_EINVAL, "Vector.play: the time vector has %d points, fewer than %d", t->n,
                 y->n);
    rv_status st = a[0].u.rp.sec >= 0
                       ? rv_play_range(h->m, a[0].u.rp.sec, a[0].u.rp.x, a[0].u.rp.name, t->v, y->v,
                                       (size_t)y->n, cont != 0, &e)
                       : rv_play_pp(h->m, a[0].u.rp.pp, a[0].u.rp.name, t->v, y->v, (size_t)y->n,
                                    cont != 0, &e);
    if (hocX_engine(h, st, &e)) return -1;
    r->t = V_OBJ, r->u.o = o, o->rc++;
    return 1;
}

/* Vector.record(&var): the engine records; values are appended after steps */
static int vec_record(hoc *h, hoc_obj *o, hoc_val *a, int na, hoc_val *r) {
    rv_error e;
    int rec = -1;
    if (na < 1) return E(RV_EINVAL, "Vector.record(&var): one argument");
    if (na > 1) return E(RV_EUNSUPPORTED, "unsupported: Vector.record with a Dt or time vector");
    hoc_var *tv = hocX_table_get(&h->builtins, "t");
    rv_status st;
    if (a[0].t == V_REF && tv && a[0].u.p == tv->d)
        st = rv_record_range(h->m, -1, 0, "t", &rec, &e);
    else if (a[0].t == V_RPTR && a[0].u.rp.sec >= 0)
        st = rv_record_range(h->m, a[0].u.rp.sec, a[0].u.rp.x, a[0].u.rp.name, &rec, &e);
    else if (a[0].t == V_RPTR)
        st = rv_record_pp(h->m, a[0].u.rp.pp, a[0].u.rp.name, &rec, &e);
    else
        return E(RV_EUNSUPPORTED, "unsupported: Vector.record of this variable (&t, &range(x) "
                                  "and &pp.var are)");
    if (hocX_engine(h, st, &e)) return -1;
    size_t cap = (size_t)h->capvrec;
    if (rv_grow((void **)&h->vrec, &cap, (size_t)h->nvrec + 1, sizeof *h->vrec))
        return E(RV_ENOMEM, "out of memory");
    h->capvrec = (int)cap;
    h->vrec[h->nvrec].vec = o, o->rc++;
    h->vrec[h->nvrec].rec = rec;
    h->vrec[h->nvrec++].done = 0;
    ((vec *)o->data)->n = 0;
    r->t = V_OBJ, r->u.o = o, o->rc++;
    return 1;
}

/* ---- class registry --------------------------------------------------------------------- */
typedef struct {
    const char *name;
    int (*ctor)(hoc *, hoc_obj *, hoc_val *, int);
    void (*dtor)(hoc *, hoc_obj *);
    int (*method)(hoc *, hoc_obj *, const char *, hoc_val *, int, hoc_val *);
    int (*prop)(hoc *, hoc_obj *, const char *, hoc_val *, int, hoc_loc *);
} class_def;

static const class_def classes[] = {
    {"Vector", vec_ctor, vec_dtor, vec_method, vec_prop},
    {"List", list_ctor, list_dtor, list_method, NULL},
    {"SectionList", sl_ctor, sl_dtor, sl_method, NULL},
    {"SectionRef", sr_ctor, NULL, sr_method, sr_prop},
    {"String", str_ctor, str_dtor, NULL, str_prop},
    {"StringFunctions", sf_ctor, NULL, sf_method, NULL},
    {"Random", rnd_ctor, rnd_dtor, rnd_method, NULL},
    {"NetCon", nc_ctor, nc_dtor, nc_method, nc_prop},
};

static const char *unsupported_classes[] = {"ParallelContext",
                                            "Graph",
                                            "Shape",
                                            "PlotShape",
                                            "Import3d_MorphML",
                                            "CVode",
                                            "Matrix",
                                            "File",
                                            "Deck",
                                            "VBox",
                                            "HBox",
                                            "NetStim_",
                                            "PythonObject",
                                            "Timer",
                                            "Impedance",
                                            NULL};

static hoc_class *add_class(hoc *h, const char *name) {
    hoc_class *c = rv_calloc(1, sizeof *c);
    hoc_var *v = c ? hocX_table_add(&h->builtins, name, K_CLASS, 1) : NULL;
    if (!v) {
        rv_free(c);
        E(RV_ENOMEM, "out of memory");
        return NULL;
    }
    v->cls = c;
    c->name = v->name;
    return c;
}

hoc_class *hocB_add_class(hoc *h, const char *name) {
    return add_class(h, name);
}

hoc_class *hocB_class(hoc *h, const char *name) {
    hoc_var *v = hocX_table_get(&h->builtins, name);
    if (v && v->kind == K_CLASS) return v->cls;
    if (v) return NULL;
    for (int i = 0; unsupported_classes[i]; ++i)
        if (!strcmp(name, unsupported_classes[i])) return NULL;
    if (hocX_table_get(&h->globals, name)) return NULL;
    /* a point process of the engine? */
    hoc_class *c = add_class(h, name);
    if (!c) return NULL;
    c->ppname = rv_strdup(name);
    c->ctor = pp_ctor;
    c->method = pp_method;
    c->prop = pp_prop;
    return c;
}

/* ---- functions ----------------------------------------------------------------------------- */
static int need(hoc *h, const char *fn, int nargs, int lo, int hi) {
    if (nargs < lo || nargs > hi)
        return E(RV_EINVAL, "%s: wrong number of arguments (%d)", fn, nargs);
    return 0;
}

static int do_distance(hoc *h, hoc_val *a, int na, hoc_val *r) {
    int sec = 0;
    double mode = 0, x = 0;
    if (hocX_cur_sec(h, &sec)) return -1;
    if (na == 0) {
        h->dist_sec = sec, h->dist_x = 0, h->dist_set = 1;
        return ret_num(r, 0);
    }
    if (na == 1) {
        if (hocX_arg_num(h, &a[0], &x)) return -1;
        mode = 1;
    } else if (na == 2) {
        if (hocX_arg_num(h, &a[0], &mode) || hocX_arg_num(h, &a[1], &x)) return -1;
    } else {
        return E(RV_EUNSUPPORTED, "unsupported: distance with %d arguments", na);
    }
    if (x < 0 || x > 1) return E(RV_ERANGE, "distance: x=%g not in [0, 1]", x);
    if (mode == 0) {
        h->dist_sec = sec, h->dist_x = x, h->dist_set = 1;
        return ret_num(r, 0);
    }
    if (!h->dist_set || h->dist_sec < 0 || !h->secs[h->dist_sec].exists)
        return E(RV_ESTATE, "Distance origin not valid: initialize it with distance()");
    return ret_num(r, hocX_distance(h, h->dist_sec, h->dist_x, sec, x));
}

static const char *math1[] = {"sin", "cos",  "tan", "atan",  "exp",  "log",  "log10", "sqrt",
                              "abs", "fabs", "int", "floor", "ceil", "tanh", NULL};

static int do_math1(hoc *h, int k, double x, hoc_val *r) {
    double y = 0;
    switch (k) {
    case 0:
        y = sin(x);
        break;
    case 1:
        y = cos(x);
        break;
    case 2:
        y = tan(x);
        break;
    case 3:
        y = atan(x);
        break;
    case 4:
        y = exp(x);
        break;
    case 5:
        if (x <= 0) return E(RV_ERANGE, "log(%g): argument out of domain", x);
        y = log(x);
        break;
    case 6:
        if (x <= 0) return E(RV_ERANGE, "log10(%g): argument out of domain", x);
        y = log10(x);
        break;
    case 7:
        if (x < 0) return E(RV_ERANGE, "sqrt(%g): argument out of domain", x);
        y = sqrt(x);
        break;
    case 8:
    case 9:
        y = fabs(x);
        break;
    case 10:
        y = x < 0 ? ceil(x) : floor(x);
        break;
    case 11:
        y = floor(x);
        break;
    case 12:
        y = ceil(x);
        break;
    case 13:
        y = tanh(x);
        break;
    }
    return ret_num(r, y);
}

/* does mechanism `mech` use ion ion[0..n)?  Asked of a scratch model (its
 * e<ion> is readable), cached */
static int uses_ion(hoc *h, const char *mech, const char *ion, size_t n) {
    char key[600], ename[220];
    snprintf(key, sizeof key, "uses:%s:%.*s", mech, (int)n, ion);
    hoc_var *c = hocX_table_get(&h->defaults, key);
    if (c) return c->d[0] != 0;
    snprintf(ename, sizeof ename, "e%.*s", (int)n, ion);
    rv_model *sm = hocX_scratch_model(h);
    rv_error e;
    int id, uses = 0;
    double val;
    if (sm && !rv_section_create(sm, "s", 1, &id, &e) && !rv_section_insert(sm, id, mech, &e))
        uses = rv_range_get(sm, id, 0.5, ename, &val, &e) == RV_OK;
    rv_model_destroy(sm);
    c = hocX_table_add(&h->defaults, key, K_NUM, 1);
    if (c) c->d[0] = uses;
    return uses;
}

/* builtin names: the first character decides most comparisons */
#define IS_NAME(lit) (name[0] == (lit)[0] && !strcmp(name, lit))

int hocB_call(hoc *h, const char *name, hoc_node **argn, hoc_val *a, int na, hoc_val *r) {
    (void)argn;
    double d = 0;
    const char *s = "", *t = "";
    rv_error e;
    int sec = 0;
    for (int k = 0; math1[k]; ++k)
        if (name[0] == math1[k][0] && !strcmp(name, math1[k])) {
            if (need(h, name, na, 1, 1) || hocX_arg_num(h, &a[0], &d)) return -1;
            return do_math1(h, k, d, r);
        }
    if (IS_NAME("atan2") || IS_NAME("pow")) {
        double y;
        if (need(h, name, na, 2, 2) || hocX_arg_num(h, &a[0], &d) || hocX_arg_num(h, &a[1], &y))
            return -1;
        return ret_num(r, name[0] == 'a' ? atan2(d, y) : pow(d, y));
    }
    if (IS_NAME("printf") || IS_NAME("sprint")) {
        int off = name[0] == 's';
        char *out;
        size_t n;
        if (na < 1 + off || hocX_arg_str(h, &a[off], &s))
            return E(RV_EINVAL, "%s: format needed", name);
        if (hocX_format(h, s, a + off + 1, na - off - 1, &out, &n)) return -1;
        int rr = 0;
        if (off)
            rr = set_sref(h, &a[0], out, n);
        else
            hocX_write(h, out, n);
        rv_free(out);
        if (rr) return -1;
        return ret_num(r, off ? 1 : (double)n);
    }
    if (IS_NAME("sscanf")) return do_sscanf(h, a, na, r);
    if (IS_NAME("strcmp")) {
        if (need(h, name, na, 2, 2) || hocX_arg_str(h, &a[0], &s) || hocX_arg_str(h, &a[1], &t))
            return -1;
        int c = strcmp(s, t);
        return ret_num(r, c < 0 ? -1 : c > 0);
    }
    if (IS_NAME("secname")) {
        if (hocX_cur_sec(h, &sec)) return -1;
        return ret_str(h, r, h->secs[sec].name);
    }
    if (IS_NAME("distance")) return do_distance(h, a, na, r);
    if (IS_NAME("area") || IS_NAME("ri")) {
        if (need(h, name, na, 1, 1) || hocX_arg_num(h, &a[0], &d) || hocX_cur_sec(h, &sec))
            return -1;
        /* area and ri set the model up: NetCons must exist in the engine first */
        if (h->nncs && hocX_netcons_materialize(h)) return -1;
        if (d < 0 || d > 1) return E(RV_ERANGE, "%s(%g): x not in [0, 1]", name, d);
        hoc_sec *sc = &h->secs[sec];
        if (name[0] == 'a' && sc->npt < 2) {
            /* a cylinder: pi * diam * L / nseg, without freezing the model */
            if (d == 0 || d == 1) return ret_num(r, 0);
            double diam;
            if (hocX_engine(h, rv_range_get(h->m, sec, d, "diam", &diam, &e), &e)) return -1;
            return ret_num(r, HOC_PI * diam * sc->L / sc->nseg);
        }
        double v;
        rv_status st = name[0] == 'a' ? rv_section_area(h->m, sec, d, &v, &e)
                                      : rv_section_ri(h->m, sec, d, &v, &e);
        if (hocX_engine(h, st, &e)) return -1;
        return ret_num(r, v);
    }
    if (IS_NAME("execute") || IS_NAME("execute1")) {
        hoc_obj *o = NULL;
        if (need(h, name, na, 1, 2) || hocX_arg_str(h, &a[0], &s)) return -1;
        if (na == 2 && hocX_arg_obj(h, &a[1], &o)) return -1;
        char *code = rv_strdup(s);
        if (!code) return E(RV_ENOMEM, "out of memory");
        const char *sf = h->cur_file;
        int sl = h->cur_line, echo = h->echo;
        h->echo = 0;
        int rr = hocX_run_source(h, code, sf ? sf : "<execute>", o);
        h->echo = echo;
        rv_free(code);
        if (rr && name[7] == '1') {
            h->failed = 0;
            if (h->err) rv_error_clear(h->err);
            h->cur_file = sf, h->cur_line = sl;
            return ret_num(r, 0);
        }
        if (rr) return -1;
        h->cur_file = sf, h->cur_line = sl;
        return ret_num(r, name[7] == '1');
    }
    if (IS_NAME("execerror")) {
        const char *s2 = "";
        s = "";
        if (na >= 1 && hocX_arg_str(h, &a[0], &s)) return -1;
        if (na >= 2 && hocX_arg_str(h, &a[1], &s2)) return -1;
        return E(RV_EINVAL, "%s %s", s, s2);
    }
    if (IS_NAME("load_file") || IS_NAME("xopen")) {
        int k = na == 2 ? 1 : 0;
        if (need(h, name, na, 1, 2) || hocX_arg_str(h, &a[k], &s)) return -1;
        char *p = rv_strdup(s);
        if (!p) return E(RV_ENOMEM, "out of memory");
        int rr = hocX_load_file(h, p);
        rv_free(p);
        if (rr) return -1;
        return ret_num(r, 1);
    }
    if (IS_NAME("nrn_load_dll")) {
        if (need(h, name, na, 1, 1) || hocX_arg_str(h, &a[0], &s)) return -1;
        char *p = rv_strdup(s);
        if (!p) return E(RV_ENOMEM, "out of memory");
        int rr = hocX_load_mechanisms(h, p);
        rv_free(p);
        if (rr) return -1;
        return ret_num(r, 1);
    }
    if (IS_NAME("object_id")) {
        hoc_obj *o = NULL;
        if (need(h, name, na, 1, 2) || hocX_arg_obj(h, &a[0], &o)) return -1;
        return ret_num(r, o ? (double)(size_t)o : 0);
    }
    if (IS_NAME("name_declared")) {
        if (need(h, name, na, 1, 2) || hocX_arg_str(h, &a[0], &s)) return -1;
        hoc_var *v = hocX_table_get(&h->globals, s);
        if (!v) v = hocX_table_get(&h->builtins, s);
        if (!v) return ret_num(r, 0);
        return ret_num(r, v->kind == K_OBJ     ? 4
                          : v->kind == K_SEC   ? 3
                          : v->kind == K_STR   ? 4
                          : v->kind == K_CLASS ? 2
                                               : 5);
    }
    if (IS_NAME("issection")) {
        if (need(h, name, na, 1, 1) || hocX_arg_str(h, &a[0], &s) || hocX_cur_sec(h, &sec))
            return -1;
        return ret_num(r, hocX_section_name_matches(h, h->secs[sec].name, s));
    }
    if (IS_NAME("pt3dadd")) {
        double p[4];
        if (need(h, name, na, 4, 4) || hocX_cur_sec(h, &sec)) return -1;
        for (int k = 0; k < 4; ++k)
            if (hocX_arg_num(h, &a[k], &p[k])) return -1;
        if (hocX_engine(h, rv_section_pt3d_add(h->m, sec, p[0], p[1], p[2], p[3], &e), &e))
            return -1;
        h->secs[sec].npt++;
        return ret_num(r, 1);
    }
    if (IS_NAME("n3d")) {
        if (hocX_cur_sec(h, &sec)) return -1;
        return ret_num(r, h->secs[sec].npt);
    }
    if (IS_NAME("x3d") || IS_NAME("y3d") || IS_NAME("z3d") || IS_NAME("diam3d") ||
        IS_NAME("arc3d")) {
        double p[4], arc = 0;
        if (need(h, name, na, 1, 1) || hocX_arg_num(h, &a[0], &d) || hocX_cur_sec(h, &sec))
            return -1;
        if (hocX_engine(h, rv_section_pt3d_get(h->m, sec, (int)d, p, &arc, &e), &e)) return -1;
        int k = name[0] == 'x'   ? 0
                : name[0] == 'y' ? 1
                : name[0] == 'z' ? 2
                : name[0] == 'd' ? 3
                                 : 4;
        return ret_num(r, k < 4 ? p[k] : arc);
    }
    if (IS_NAME("pt3dclear")) {
        if (need(h, name, na, 0, 1) || hocX_cur_sec(h, &sec)) return -1;
        if (na == 1) {
            if (hocX_arg_num(h, &a[0], &d)) return -1;
            if (d > 0) return E(RV_EUNSUPPORTED, "unsupported: pt3dclear(%g) (buffer size)", d);
        }
        if (hocX_engine(h, rv_section_pt3d_clear(h->m, sec, &e), &e)) return -1;
        h->secs[sec].L = hocX_sec_L(h, sec);
        h->secs[sec].npt = 0;
        h->secs[sec].Lc_npt = 0;
        return ret_num(r, 0);
    }
    if (IS_NAME("pt3dstyle")) {
        /* the logical connection point only changes drawing */
        if (hocX_cur_sec(h, &sec)) return -1;
        return ret_num(r, 0);
    }
    if (IS_NAME("delete_section")) {
        if (need(h, name, na, 0, 0) || hocX_cur_sec(h, &sec)) return -1;
        if (hocX_sec_delete(h, sec)) return -1;
        return ret_num(r, 0);
    }
    if (IS_NAME("define_shape")) return ret_num(r, 0);
    if (IS_NAME("ismembrane")) {
        if (need(h, name, na, 1, 1) || hocX_arg_str(h, &a[0], &s) || hocX_cur_sec(h, &sec))
            return -1;
        for (int k = 0; k < h->secs[sec].nmechs; ++k)
            if (!strcmp(h->secs[sec].mechs[k], s)) return ret_num(r, 1);
        size_t ls = strlen(s);
        if (ls > 4 && ls < 200 && !strcmp(s + ls - 4, "_ion")) {
            /* an ion is there when an inserted mechanism uses it */
            for (int k = 0; k < h->secs[sec].nmechs; ++k)
                if (uses_ion(h, h->secs[sec].mechs[k], s, ls - 4)) return ret_num(r, 1);
        }
        return ret_num(r, 0);
    }
    if (IS_NAME("finitialize")) {
        double v = -65;
        if (na >= 1 && hocX_arg_num(h, &a[0], &v)) return -1;
        if (hocX_apply_globals(h) || netcons_sync(h)) return -1;
        if (hocX_engine(h, rv_model_finitialize(h->m, v, &e), &e)) return -1;
        h->finitialized = 1;
        hoc_var *tv = hocX_table_get(&h->builtins, "t");
        if (tv) tv->d[0] = rv_model_t(h->m);
        if (hocX_after_step(h, 1)) return -1;
        return ret_num(r, 1);
    }
    if (IS_NAME("fadvance")) {
        if (h->nncs && netcons_sync(h)) return -1;
        if (hocX_engine(h, rv_model_step(h->m, &e), &e)) return -1;
        hoc_var *tv = hocX_table_get(&h->builtins, "t");
        if (tv) tv->d[0] = rv_model_t(h->m);
        if (hocX_after_step(h, 0)) return -1;
        return ret_num(r, 0);
    }
    if (IS_NAME("run") || IS_NAME("continuerun")) {
        /* stdrun's run(): finitialize(v_init), then steps to tstop */
        hoc_var *tv = hocX_table_get(&h->builtins, "t");
        hoc_var *ts = hocX_table_get(&h->builtins, "tstop");
        hoc_var *vi = hocX_table_get(&h->builtins, "v_init");
        hoc_var *dv = hocX_table_get(&h->builtins, "dt");
        double tstop = ts ? ts->d[0] : 5;
        if (name[0] == 'c') {
            if (need(h, name, na, 1, 1) || hocX_arg_num(h, &a[0], &tstop)) return -1;
        } else {
            if (need(h, name, na, 0, 0)) return -1;
            if (hocX_apply_globals(h) || netcons_sync(h)) return -1;
            if (hocX_engine(h, rv_model_finitialize(h->m, vi ? vi->d[0] : -65, &e), &e)) return -1;
            h->finitialized = 1;
            if (hocX_after_step(h, 1)) return -1;
        }
        if (h->nncs && netcons_sync(h)) return -1;
        double dt = dv ? dv->d[0] : 0.025;
        while (rv_model_t(h->m) < tstop - dt / 2) {
            if (hocX_engine(h, rv_model_step(h->m, &e), &e)) return -1;
            if (hocX_after_step(h, 0)) return -1;
        }
        if (tv) tv->d[0] = rv_model_t(h->m);
        r->t = V_NONE; /* procs: nothing echoed */
        return 1;
    }
    if (IS_NAME("topology") || IS_NAME("psection") || IS_NAME("nrnpython"))
        return E(RV_EUNSUPPORTED, "unsupported: %s()", name);
    if (IS_NAME("quit")) {
        h->stopped = 1;
        return ret_num(r, 0);
    }
    return 0;
}

#undef IS_NAME

int hocB_install(hoc *h) {
    for (size_t i = 0; i < sizeof classes / sizeof *classes; ++i) {
        hoc_class *c = add_class(h, classes[i].name);
        if (!c) return -1;
        c->ctor = classes[i].ctor;
        c->dtor = classes[i].dtor;
        c->method = classes[i].method;
        c->prop = classes[i].prop;
    }
    if (hocI_install(h)) return -1;
    static const struct {
        const char *name;
        double v;
    } vars[] = {{"celsius", 6.3},
                {"dt", 0.025},
                {"t", 0},
                {"tstop", 5},
                {"v_init", -65},
                {"secondorder", 0},
                {"PI", HOC_PI},
                {"E", HOC_E},
                {"float_epsilon", 1e-11},
                {"FARADAY", 96485.3321233100184},
                {"R", 8.3144626181532395},
                {"DEG", 57.29577951308232}};
    for (size_t i = 0; i < sizeof vars / sizeof *vars; ++i) {
        hoc_var *v = hocX_table_add(&h->builtins, vars[i].name, K_NUM, 1);
        if (!v) return E(RV_ENOMEM, "out of memory");
        v->d[0] = vars[i].v;
    }
    return 0;
}
