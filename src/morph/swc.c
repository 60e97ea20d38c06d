/* SPDX-License-Identifier: MIT
 * morph/swc.c -- SWC files, read and cut into sections as NEURON 8.2's
 * Import3d_SWC_read does.
 *
 * Lines: "id type x y z radius parent" (single precision, as hoc's
 * sscanf("%f") reads them; further fields are ignored), '#' comments, blank
 * lines.  The diameter is twice the radius.
 *
 * Sections are maximal runs of points of one type without branching; a point
 * of another type than its parent, or a parent with several children, ends a
 * section.  Children get their parent point as first point.  The soma rules
 * (parent x and whether the first point is only a wire):
 *  - one-point soma: children connect at 0.5; with more than one own point
 *    the first (soma centre) point is a wire (pt3dstyle) and not a 3-D point;
 *  - three soma points 1-2 both children of the root, same diameter, and
 *    together as long as that diameter (neuromorpho.org convention): a
 *    sphere, as a one-point soma;
 *  - children of the root's first point connect at 0; of an interior soma
 *    point at 0.5; of the last point at 1;
 *  - a dendrite's first point, copied from a soma point, takes the diameter
 *    of its second point;
 *  - a branch off the first point of a dendrite that is wired to the soma
 *    connects at 0 of that dendrite.
 * Stricter than NEURON (which prints and goes on, or fails later): fields
 * that are not numbers, negative radii, non-integer ids or types, an unknown
 * parent, a parent id not below the id (cycles), duplicate ids, more than one
 * root, an empty file -- each an error naming the line.  Points out of id
 * order are sorted by id (NEURON 8.2 mis-sorts them).
 */
#include "morph_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct swc_pts {
    double *id, *type, *x, *y, *z, *d, *pid;
    int *line;
    int n, cap;
} swc_pts;

static rv_status pts_grow(swc_pts *p) {
    int nc = p->cap ? p->cap * 2 : 256;
    double **v[7] = {&p->id, &p->type, &p->x, &p->y, &p->z, &p->d, &p->pid};
    for (int k = 0; k < 7; ++k) {
        double *q = rv_realloc(*v[k], sizeof(double) * (size_t)nc);
        if (!q) return RV_ENOMEM;
        *v[k] = q;
    }
    int *l = rv_realloc(p->line, sizeof(int) * (size_t)nc);
    if (!l) return RV_ENOMEM;
    p->line = l;
    p->cap = nc;
    return RV_OK;
}

static void pts_free(swc_pts *p) {
    rv_free(p->id), rv_free(p->type), rv_free(p->x), rv_free(p->y), rv_free(p->z);
    rv_free(p->d), rv_free(p->pid), rv_free(p->line);
}

static int is_blank(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* fail with the input position: needs err and path in scope */
#define FAIL_AT(line, code, ...)                                                                   \
    (RV_FAIL(err, (code), __VA_ARGS__), rv_error_where(err, path, (line), NULL), (code))

static int cmp_by_id(const void *a, const void *b, const double *id) {
    int i = *(const int *)a, j = *(const int *)b;
    if (id[i] < id[j]) return -1;
    if (id[i] > id[j]) return 1;
    return (i > j) - (i < j);
}

/* insertion-merge sort of an index array by id (stable; n log n) */
static rv_status sort_by_id(int *ix, int n, const double *id) {
    int *tmp = rv_malloc(sizeof(int) * (size_t)(n ? n : 1));
    if (!tmp) return RV_ENOMEM;
    for (int w = 1; w < n; w *= 2) {
        for (int lo = 0; lo < n; lo += 2 * w) {
            int mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
            int a = lo, b = mid, k = lo;
            while (a < mid && b < hi)
                tmp[k++] = cmp_by_id(&ix[b], &ix[a], id) < 0 ? ix[b++] : ix[a++];
            while (a < mid) tmp[k++] = ix[a++];
            while (b < hi) tmp[k++] = ix[b++];
        }
        memcpy(ix, tmp, sizeof(int) * (size_t)n);
    }
    rv_free(tmp);
    return RV_OK;
}

static rv_status parse(const char *buf, size_t n, swc_pts *p, const char *path, rv_error *err) {
    const char *s = buf, *end = buf + n;
    int line = 0;
    while (s < end) {
        line++;
        const char *eol = memchr(s, '\n', (size_t)(end - s));
        if (!eol) eol = end;
        const char *q = s;
        while (q < eol && is_blank(*q)) q++;
        if (q == eol) { /* blank */
            s = eol + 1;
            continue;
        }
        float v[7];
        int k = 0;
        const char *r = q;
        for (; k < 7; ++k) {
            while (r < eol && is_blank(*r)) r++;
            if (r >= eol) break;
            const char *e = rv__parse_float(r, &v[k]);
            if (!e || e > eol) break;
            r = e;
        }
        if (k < 7) {
            if (*q == '#') {
                s = eol + 1;
                continue;
            }
            return FAIL_AT(line, RV_EFORMAT,
                           "expected 7 numbers (id type x y z radius parent), read %d", k);
        }
        for (int j = 0; j < 7; ++j)
            if (!isfinite(v[j]))
                return FAIL_AT(line, RV_EFORMAT, "field %d is not a finite number", j + 1);
        for (int j = 2; j < 6; ++j)
            if (fabsf(v[j]) > RV_MORPH_MAX_COORD / 2)
                return FAIL_AT(line, RV_ERANGE, "field %d = %g is beyond %g um", j + 1, v[j],
                               RV_MORPH_MAX_COORD / 2);
        if (v[0] != floorf(v[0]) || v[0] < 0)
            return FAIL_AT(line, RV_EFORMAT, "id %g is not a non-negative integer", v[0]);
        if (v[1] != floorf(v[1]) || fabsf(v[1]) > 1e6f)
            return FAIL_AT(line, RV_EFORMAT, "type %g is not an integer of at most 6 digits", v[1]);
        if (v[6] != floorf(v[6]))
            return FAIL_AT(line, RV_EFORMAT, "parent id %g is not an integer", v[6]);
        if (v[5] < 0) return FAIL_AT(line, RV_ERANGE, "negative radius %g", v[5]);
        if (p->n == p->cap && pts_grow(p)) return RV_FAIL(err, RV_ENOMEM, "out of memory");
        int i = p->n++;
        p->id[i] = v[0], p->type[i] = v[1], p->x[i] = v[2], p->y[i] = v[3], p->z[i] = v[4];
        p->d[i] = (double)v[5] * 2, p->pid[i] = v[6], p->line[i] = line;
        s = eol + 1;
    }
    return RV_OK;
}

/* put points in id order (a permutation of all arrays) */
static rv_status reorder(swc_pts *p) {
    int n = p->n;
    int *ix = rv_malloc(sizeof(int) * (size_t)n);
    double *t = rv_malloc(sizeof(double) * (size_t)n);
    int *tl = rv_malloc(sizeof(int) * (size_t)n);
    rv_status st = RV_OK;
    if (!ix || !t || !tl) st = RV_ENOMEM;
    if (!st) {
        for (int i = 0; i < n; ++i) ix[i] = i;
        st = sort_by_id(ix, n, p->id);
    }
    if (!st) {
        double *v[7] = {p->id, p->type, p->x, p->y, p->z, p->d, p->pid};
        for (int k = 0; k < 7; ++k) {
            for (int i = 0; i < n; ++i) t[i] = v[k][ix[i]];
            memcpy(v[k], t, sizeof(double) * (size_t)n);
        }
        for (int i = 0; i < n; ++i) tl[i] = p->line[ix[i]];
        memcpy(p->line, tl, sizeof(int) * (size_t)n);
    }
    rv_free(ix), rv_free(t), rv_free(tl);
    return st;
}

/* index of the point with this id (ids sorted, unique), -1 if none */
static int find_id(const swc_pts *p, double id) {
    int lo = 0, hi = p->n - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        if (p->id[mid] == id) return mid;
        if (p->id[mid] < id)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return -1;
}

typedef struct work {
    int *pix;       /* parent point index, -1 for the root */
    double *nchild; /* children count, +0.01 marks a section end */
    double *nsoma;  /* soma children per point */
    char *prox;     /* connect2prox */
    int *p2s;       /* point -> section */
    int *sec_first; /* section -> its first point */
    int soma3geom;
} work;

static void work_free(work *w) {
    rv_free(w->pix), rv_free(w->nchild), rv_free(w->nsoma), rv_free(w->prox);
    rv_free(w->p2s), rv_free(w->sec_first);
}

/* the neuromorpho.org three-point soma: a sphere */
static void three_point_soma(const swc_pts *p, work *w) {
    if (p->n < 3 || w->pix[1] != 0 || w->pix[2] != 0) return;
    if (!hoc_eq(w->nchild[1], 0) || !hoc_eq(w->nchild[2], 0)) return;
    if (!hoc_eq(p->d[1], p->d[0]) || !hoc_eq(p->d[2], p->d[0])) return;
    double len = 0;
    for (int i = 1; i <= 2; ++i)
        len +=
            sqrt(pow(p->x[i] - p->x[0], 2) + pow(p->y[i] - p->y[0], 2) + pow(p->z[i] - p->z[0], 2));
    if (hoc_lt(fabs(len / p->d[0] - 1), .01)) {
        w->soma3geom = 1;
        w->pix[2] = 1; /* point 2 now continues point 1: one soma section */
    }
}

/* which points end sections (sectionify + mark_branch) */
static void sectionify(const swc_pts *p, work *w, int *nsec) {
    int n = p->n;
    const double *type = p->type;
    for (int i = 0; i < n; ++i) {
        int q = w->pix[i];
        if (q < 0) continue;
        w->nchild[q] += 1;
        if (q != i - 1) {
            w->nchild[q] += .01;
            if (q > 1) {
                if (!hoc_eq(type[q], 1) && hoc_eq(type[w->pix[q]], 1)) {
                    w->prox[i] = 1;
                    w->nchild[q] = 1;
                }
            } else if (q == 0) {
                if (!hoc_eq(type[q], 1)) {
                    w->prox[i] = 1;
                    w->nchild[q] = 1;
                }
            }
        }
        if (!hoc_eq(type[q], type[i])) w->nchild[q] += .01;
    }
    int nsoma_pts = hoc_eq(type[0], 1);
    for (int i = 1; i < n; ++i)
        if (hoc_eq(type[i], 1)) {
            nsoma_pts++;
            int q = w->pix[i];
            if (q >= 0 && hoc_eq(type[q], 1)) w->nsoma[q] += 1;
        }
    if (nsoma_pts == 3) three_point_soma(p, w);
    for (int i = 0; i < n - 1; ++i)
        if (hoc_eq(type[i], 1) && hoc_eq(type[i + 1], 1) && w->pix[i + 1] == i) {
            if (!(i != 0 && hoc_gt(w->nsoma[i], 1))) w->nchild[i] = 1;
        }
    /* sections end at points whose nchild != 1 */
    int si = 0, last_end = -1;
    w->p2s[0] = 0;
    w->sec_first[0] = 0;
    /* find first end */
    int next_end = 0;
    while (next_end < n && hoc_eq(w->nchild[next_end], 1)) next_end++;
    last_end = next_end;
    for (int i = 1; i < n; ++i) {
        if (i > last_end) {
            si++;
            w->sec_first[si] = i;
            int e = i;
            while (e < n && hoc_eq(w->nchild[e], 1)) e++;
            last_end = e;
        }
        w->p2s[i] = si;
    }
    *nsec = si + 1;
}

static rv_status add_point(i3d_sec *s, const swc_pts *p, int i) {
    return rv__i3d_push(s, p->x[i], p->y[i], p->z[i], p->d[i]);
}

/* mksection: points first..last-1 are section isec */
static rv_status mksection(i3d *d, const swc_pts *p, const work *w, int isec, int first, int last) {
    int idx;
    if (rv__i3d_add(d, last - first + 1, 0, &idx)) return RV_ENOMEM;
    i3d_sec *s = &d->sec[idx];
    s->line = p->line[first];
    s->type = (int)p->type[first];
    if (isec == 0) {
        if (w->soma3geom) last = 1;
        for (int i = first; i < last; ++i)
            if (add_point(s, p, i)) return RV_ENOMEM;
    } else {
        int pp = w->pix[first];
        int ps = w->p2s[pp];
        const i3d_sec *psec = &d->sec[ps];
        int psec_id = w->sec_first[ps], psec_n = psec->n;
        int ptype_soma = psec->type == 1;
        int den_con_soma = ptype_soma && !hoc_eq(p->type[first], 1);
        int handled = 0;
        s->parent = ps;
        if (ps == 0) {
            handled = 1;
            if (den_con_soma && psec_n == 1) {
                s->parentx = 0.5;
                if (last - first > 1) s->first = 1;
            } else if (pp == psec_id) {
                s->parentx = 0.0;
                if (!hoc_eq(p->type[first], 1) && hoc_gt(w->nsoma[pp], 1)) s->first = 1;
            } else {
                handled = 0;
            }
        }
        if (!handled && ptype_soma) {
            int offset = psec_id == 0 ? -1 : -2;
            if (pp < psec_id + psec_n + offset) {
                s->parentx = 0.5;
                if (den_con_soma && last - first > 1) s->first = 1;
            } else if (last - first > 1 && hoc_gt(w->nsoma[pp], 1)) {
                if (!hoc_eq(p->type[first], 1)) s->first = 1;
            }
        }
        if (add_point(s, p, pp)) return RV_ENOMEM;
        for (int i = first; i < last; ++i)
            if (add_point(s, p, i)) return RV_ENOMEM;
        if (ptype_soma && s->type != 1) i3d_pt(s, 0)[3] = i3d_pt(s, 1)[3];
        if (w->prox[first]) s->parentx = 0.0;
    }
    return RV_OK;
}

rv_status rv__swc_read(const char *buf, size_t n, i3d *d, rv_error *err) {
    const char *path = d->path;
    swc_pts p = {0};
    work w = {0};
    rv_status st = parse(buf, n, &p, path, err);
    if (st) goto done;
    d->npoint_read = p.n;
    if (p.n == 0) {
        st = RV_FAIL(err, RV_EFORMAT, "no points: the file is empty or only comments");
        rv_error_where(err, path, 0, NULL);
        goto done;
    }
    int np = p.n, needsort = 0;
    for (int i = 0; i < np; ++i) {
        if (i > 0 && p.id[i] <= p.id[i - 1]) needsort = 1;
        if (hoc_ge(p.pid[i], p.id[i])) {
            st = FAIL_AT(p.line[i], RV_EFORMAT,
                         "parent id %g is not less than the id %g (a loop or a forward "
                         "reference)",
                         p.pid[i], p.id[i]);
            goto done;
        }
    }
    if (needsort && (st = reorder(&p))) {
        st = RV_FAIL(err, st, "out of memory");
        goto done;
    }
    for (int i = 1; i < np; ++i)
        if (p.id[i] == p.id[i - 1]) {
            st = FAIL_AT(p.line[i], RV_EFORMAT, "duplicate id %g (also at line %d)", p.id[i],
                         p.line[i - 1]);
            goto done;
        }
    w.pix = rv_malloc(sizeof(int) * (size_t)np);
    w.nchild = rv_calloc((size_t)np, sizeof(double));
    w.nsoma = rv_calloc((size_t)np, sizeof(double));
    w.prox = rv_calloc((size_t)np, 1);
    w.p2s = rv_malloc(sizeof(int) * (size_t)np);
    w.sec_first = rv_malloc(sizeof(int) * (size_t)np);
    if (!w.pix || !w.nchild || !w.nsoma || !w.prox || !w.p2s || !w.sec_first) {
        st = RV_FAIL(err, RV_ENOMEM, "out of memory");
        goto done;
    }
    int root = -1;
    for (int i = 0; i < np; ++i) {
        if (hoc_lt(p.pid[i], 0)) {
            if (root >= 0) {
                st = FAIL_AT(p.line[i], RV_EUNSUPPORTED,
                             "a second root (parent -1; the first at line %d): Import3d reads "
                             "one tree per SWC file",
                             p.line[root]);
                goto done;
            }
            root = i;
            w.pix[i] = -1;
            continue;
        }
        w.pix[i] = find_id(&p, p.pid[i]);
        if (w.pix[i] < 0) {
            st = FAIL_AT(p.line[i], RV_EFORMAT, "parent id %g of point %g not found", p.pid[i],
                         p.id[i]);
            goto done;
        }
    }
    /* the point with the smallest id has no parent (every parent id is
     * smaller than its child's): the root is point 0 */
    int nsec = 0;
    sectionify(&p, &w, &nsec);
    for (int isec = 0; isec < nsec; ++isec) {
        int first = w.sec_first[isec], last = isec + 1 < nsec ? w.sec_first[isec + 1] : np;
        if ((st = mksection(d, &p, &w, isec, first, last))) {
            st = RV_FAIL(err, RV_ENOMEM, "out of memory");
            goto done;
        }
    }
done:
    pts_free(&p);
    work_free(&w);
    return st;
}
