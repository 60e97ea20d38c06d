/* SPDX-License-Identifier: MIT
 * morph/import.c -- from a reader's section list to NEURON's sections, as
 * Import3d_GUI.instantiate(nil) makes them.
 *
 * Steps, in NEURON's order:
 *  1. validity check: from the last section to the first, a section with a
 *     parent that has one point (after its logical first point, if any), or
 *     exactly two points at the same place (within 1e-11), is removed and its
 *     children are attached where it was attached;
 *  2. names: each type gets an array (soma, axon, dend, apic, dend_<t>,
 *     minus_<t>), indices in list order; arrays are created by ascending type;
 *  3. per section in list order: connect child(0) to parent(parentx), a
 *     logical connection point if the first raw point is only a wire, then
 *     the points from the first real one: a contour becomes a centroid line
 *     (contour2centroid below; a contour stack one circle per contour), a
 *     single point a 3-point cylinder of length = diam (sphere_rep);
 *  4. every coordinate goes through "%.8g" (hoc statement text) and pt3dadd
 *     (single precision): rv__hoc_float.
 * The result owns all its memory in a handful of blocks (struct morph_obj).
 */
#include "morph_int.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the section list ---------------------------------------------------- */
rv_status rv__i3d_add(i3d *d, int cap, int front, int *idx) {
    size_t c = (size_t)d->cap;
    if (rv_grow((void **)&d->sec, &c, (size_t)d->nsec + 1, sizeof *d->sec)) return RV_ENOMEM;
    d->cap = (int)c;
    i3d_sec *s = &d->sec[d->nsec];
    memset(s, 0, sizeof *s);
    if (cap < 1) cap = 1;
    s->buf = rv_malloc(sizeof(double) * 4 * (size_t)(cap + front));
    if (!s->buf) return RV_ENOMEM;
    s->cap = cap + front;
    s->off = front;
    s->parent = -1;
    s->parentx = 1.0;
    *idx = d->nsec++;
    return RV_OK;
}

rv_status rv__i3d_push(i3d_sec *s, double x, double y, double z, double dd) {
    if (s->off + s->n >= s->cap) {
        int nc = s->cap * 2;
        double *b = rv_realloc(s->buf, sizeof(double) * 4 * (size_t)nc);
        if (!b) return RV_ENOMEM;
        s->buf = b;
        s->cap = nc;
    }
    double *p = i3d_pt(s, s->n++);
    p[0] = x, p[1] = y, p[2] = z, p[3] = dd;
    return RV_OK;
}

rv_status rv__i3d_insert_front(i3d_sec *s, double x, double y, double z, double dd) {
    if (s->off == 0) {
        int nc = s->cap + 2;
        double *b = rv_malloc(sizeof(double) * 4 * (size_t)nc);
        if (!b) return RV_ENOMEM;
        memcpy(b + 4 * 2, s->buf, sizeof(double) * 4 * (size_t)s->n);
        rv_free(s->buf);
        s->buf = b;
        s->cap = nc;
        s->off = 2;
    }
    s->off--;
    s->n++;
    double *p = i3d_pt(s, 0);
    p[0] = x, p[1] = y, p[2] = z, p[3] = dd;
    return RV_OK;
}

rv_status rv__i3d_note(i3d *d, const char *fmt, ...) {
    char buf[400];
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (k < 0) return RV_OK;
    size_t n = strlen(buf);
    if (rv_grow((void **)&d->notes, &d->notes_cap, d->notes_len + n + 2, 1)) return RV_ENOMEM;
    memcpy(d->notes + d->notes_len, buf, n);
    d->notes_len += n;
    d->notes[d->notes_len++] = '\n';
    d->notes[d->notes_len] = 0;
    return RV_OK;
}

void rv__i3d_free(i3d *d) {
    for (int i = 0; i < d->nsec; ++i) rv_free(d->sec[i].buf), rv_free(d->sec[i].stack);
    rv_free(d->sec);
    rv_free(d->notes);
    memset(d, 0, sizeof *d);
}

rv_status rv__i3d_permute(i3d *d, const int *perm) {
    i3d_sec *ns = rv_malloc(sizeof *ns * (size_t)(d->nsec ? d->nsec : 1));
    int *inv = rv_malloc(sizeof(int) * (size_t)(d->nsec ? d->nsec : 1));
    if (!ns || !inv) {
        rv_free(ns), rv_free(inv);
        return RV_ENOMEM;
    }
    for (int k = 0; k < d->nsec; ++k) ns[k] = d->sec[perm[k]], inv[perm[k]] = k;
    for (int k = 0; k < d->nsec; ++k) {
        if (ns[k].parent >= 0) ns[k].parent = inv[ns[k].parent];
        for (int j = 0; j < ns[k].nstack; ++j) ns[k].stack[j] = inv[ns[k].stack[j]];
    }
    memcpy(d->sec, ns, sizeof *ns * (size_t)d->nsec);
    rv_free(ns), rv_free(inv);
    return RV_OK;
}

/* ---- soma outline to centroid line --------------------------------------- */
typedef struct dvec {
    double *v;
    int n;
} dvec;

static void dvec_remove(dvec *a, int j) {
    memmove(a->v + j, a->v + j + 1, sizeof(double) * (size_t)(a->n - j - 1));
    a->n--;
}

/* keep a side of the outline increasing along the major axis (the removal
 * loop of contour2centroid, whose index steps back after a removal) */
static void make_increasing(dvec *d, dvec *r) {
    for (int j = d->n - 1; j > 0; j -= 1) {
        if (hoc_le(d->v[j], d->v[j - 1])) {
            dvec_remove(d, j);
            dvec_remove(r, j);
            if (j != d->n) j += 1;
        }
    }
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

#define CENTROID_MAX 64

/* Import3d_GUI.contour2centroid on the outline x, y, z (n points): up to
 * CENTROID_MAX points out.  Returns RV_EUNSUPPORTED for outlines NEURON
 * cannot handle either (all points at one place: no principal axis). */
static rv_status contour2centroid(const double *rx, const double *ry, const double *rz, int n,
                                  double *ox, double *oy, double *oz, double *od, int *nout) {
    int cap = n > 101 ? n : 101;
    double *blk = rv_malloc(sizeof(double) * (size_t)(3 * cap + 2 * n + 4 * 101 + 2 * 128));
    if (!blk) return RV_ENOMEM;
    double *x = blk, *y = x + cap, *z = y + cap, *scratch = z + cap;
    double *dd = scratch + 2 * n, *rad = dd + 101, *side2 = rad + 101, *rad2 = side2 + 101;
    double *all = rad2 + 101, *grid = all + 128;
    rv_status st = RV_OK;
    memcpy(x, rx, sizeof(double) * (size_t)n);
    memcpy(y, ry, sizeof(double) * (size_t)n);
    memcpy(z, rz, sizeof(double) * (size_t)n);
    double mean[3];
    rv__contourcenter(x, y, z, n, scratch, mean);
    /* 101 resampled points relative to their mean */
    double *p[3] = {x, y, z};
    for (int k = 0; k < 3; ++k)
        for (int i = 0; i < 101; ++i) p[k][i] = p[k][i] - mean[k];
    double m[3][3], q[3][3], lam[3];
    for (int i = 0; i < 3; ++i)
        for (int j = i; j < 3; ++j) {
            double s = 0.0;
            for (int k = 0; k < 101; ++k) s += p[i][k] * p[j][k];
            m[i][j] = m[j][i] = s;
        }
    rv__symmeig3(m, q, lam);
    int imaxl = 0, iminl = 0;
    for (int i = 1; i < 3; ++i) {
        if (lam[i] > lam[imaxl]) imaxl = i;
        if (lam[i] < lam[iminl]) iminl = i;
    }
    int imid = 3 - iminl - imaxl;
    if (imid < 0 || imid > 2) {
        st = RV_EUNSUPPORTED;
        goto done;
    }
    double major[3] = {q[0][imaxl], q[1][imaxl], q[2][imaxl]};
    double minor[3] = {q[0][imid], q[1][imid], 0.0};
    double mag = 0.0;
    for (int k = 0; k < 3; ++k) mag += minor[k] * minor[k];
    mag = sqrt(mag);
    for (int k = 0; k < 3; ++k) minor[k] = minor[k] / mag;
    /* position along the major axis and distance along the minor one */
    double dpos[101], drad[101];
    for (int i = 0; i < 101; ++i) {
        double a = 0.0, b = 0.0;
        for (int k = 0; k < 3; ++k) a += p[k][i] * major[k];
        for (int k = 0; k < 3; ++k) b += p[k][i] * minor[k];
        dpos[i] = a, drad[i] = b;
    }
    int imax = 0;
    for (int i = 1; i < 101; ++i)
        if (dpos[i] > dpos[imax]) imax = i;
    /* rotate so the farthest point along the axis comes first */
    for (int i = 0; i < 101; ++i) dd[i] = dpos[(i + imax) % 101], rad[i] = drad[(i + imax) % 101];
    int imin = 0;
    for (int i = 1; i < 101; ++i)
        if (dd[i] < dd[imin]) imin = i;
    dvec s1 = {dpos, imin}, r1 = {drad, imin}, s2 = {side2, 101 - imin}, r2 = {rad2, 101 - imin};
    for (int i = 0; i < imin; ++i) dpos[i] = dd[imin - 1 - i], drad[i] = rad[imin - 1 - i];
    for (int i = imin; i < 101; ++i) side2[i - imin] = dd[i], rad2[i - imin] = rad[i];
    make_increasing(&s1, &r1);
    make_increasing(&s2, &r2);
    int na = s1.n + s2.n;
    if (s1.n < 1 || s2.n < 1 || na < 3) {
        st = RV_EUNSUPPORTED;
        goto done;
    }
    memcpy(all, s1.v, sizeof(double) * (size_t)s1.n);
    memcpy(all + s1.n, s2.v, sizeof(double) * (size_t)s2.n);
    qsort(all, (size_t)na, sizeof(double), cmp_double);
    double start = all[1], end = all[na - 2], step = (end - start) / 20;
    double xn = floor((end - start) / step + 1e-9) + 1.;
    if (!(xn >= 2 && xn <= CENTROID_MAX)) {
        st = RV_EUNSUPPORTED;
        goto done;
    }
    int ng = (int)xn;
    for (int i = 0; i < ng; ++i) grid[i] = (double)i * step + start;
    double ra[CENTROID_MAX], rb[CENTROID_MAX];
    rv__interpolate(ra, grid, ng, s1.v, r1.v, s1.n);
    rv__interpolate(rb, grid, ng, s2.v, r2.v, s2.n);
    for (int i = 0; i < ng; ++i) {
        ox[i] = major[0] * grid[i] + mean[0];
        oy[i] = major[1] * grid[i] + mean[1];
        oz[i] = major[2] * grid[i] + mean[2];
        od[i] = fabs(ra[i] - rb[i]);
    }
    od[0] = (od[0] + od[1]) / 2;
    od[ng - 1] = (od[ng - 1] + od[ng - 2]) / 2;
    *nout = ng;
done:
    rv_free(blk);
    return st;
}

/* approximate_contour_by_circle: centre and diameter of one outline */
static rv_status contour_circle(const i3d_sec *s, double c[3], double *diam) {
    int n = s->n, cap = n > 101 ? n : 101;
    double *blk = rv_malloc(sizeof(double) * (size_t)(3 * cap + 2 * n));
    if (!blk) return RV_ENOMEM;
    double *x = blk, *y = x + cap, *z = y + cap, *scratch = z + cap;
    double perim = 0.0;
    for (int i = 0; i < n; ++i) {
        const double *a = i3d_pt(s, i), *b = i3d_pt(s, (i + 1) % n);
        double sq = 0.0;
        for (int k = 0; k < 3; ++k) sq += (a[k] - b[k]) * (a[k] - b[k]);
        perim += sqrt(sq);
        x[i] = a[0], y[i] = a[1], z[i] = a[2];
    }
    rv__contourcenter(x, y, z, n, scratch, c);
    double sum = 0.0;
    for (int i = 0; i < 101; ++i) {
        double dx = x[i] - c[0], dy = y[i] - c[1], dz = z[i] - c[2];
        sum += sqrt(dx * dx + dy * dy + dz * dz);
    }
    *diam = sum / 101 + perim / (2 * 3.14159265358979323846);
    rv_free(blk);
    return RV_OK;
}

/* ---- the result ------------------------------------------------------------ */
typedef struct morph_obj {
    rv_morph pub;
    char *names;
    float *pts;
    char *notes;
} morph_obj;

void rv_morph_destroy(rv_morph *m) {
    if (!m) return;
    morph_obj *o = (morph_obj *)m;
    rv_free(o->pub.sec);
    rv_free(o->pub.order);
    rv_free((void *)o->pub.note);
    rv_free(o->names);
    rv_free(o->pts);
    rv_free(o->notes);
    rv_free(o);
}

static void type_base(int type, char *buf, size_t n) {
    switch (type) {
    case 1:
        snprintf(buf, n, "soma");
        break;
    case 2:
        snprintf(buf, n, "axon");
        break;
    case 3:
        snprintf(buf, n, "dend");
        break;
    case 4:
        snprintf(buf, n, "apic");
        break;
    default:
        if (type < 0)
            snprintf(buf, n, "minus_%d", -type);
        else
            snprintf(buf, n, "dend_%d", type);
    }
}

static int cmp_int(const void *a, const void *b) {
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

/* the 3-D points of list section s as NEURON computes them, before rounding */
static rv_status section_points(const i3d_sec *s, double *ox, double *oy, double *oz, double *od,
                                int *nout) {
    if (s->iscontour && s->nstack > 0) return RV_EINTERNAL; /* handled by the caller */
    if (s->iscontour) {
        double *blk = rv_malloc(sizeof(double) * 3 * (size_t)s->n);
        if (!blk) return RV_ENOMEM;
        for (int i = 0; i < s->n; ++i) {
            const double *p = i3d_pt(s, i);
            blk[i] = p[0], blk[s->n + i] = p[1], blk[2 * s->n + i] = p[2];
        }
        rv_status st =
            contour2centroid(blk, blk + s->n, blk + 2 * s->n, s->n, ox, oy, oz, od, nout);
        rv_free(blk);
        return st;
    }
    int k = 0;
    for (int i = s->first; i < s->n; ++i, ++k) {
        const double *p = i3d_pt(s, i);
        ox[k] = p[0], oy[k] = p[1], oz[k] = p[2], od[k] = p[3];
    }
    if (k == 1) { /* sphere_rep: a cylinder along x of length = diam */
        double d = od[0];
        ox[1] = ox[0], ox[2] = ox[0] + d / 2, ox[0] = ox[0] - d / 2;
        oy[1] = oy[2] = oy[0];
        oz[1] = oz[2] = oz[0];
        od[1] = od[2] = d;
        k = 3;
    }
    *nout = k;
    return RV_OK;
}

rv_status rv__i3d_instantiate(i3d *d, rv_morph **out, rv_error *err) {
    const char *path = d->path;
    *out = NULL;
    /* 1. validity check */
    for (int i = d->nsec - 1; i >= 0; --i) {
        i3d_sec *s = &d->sec[i];
        if (s->parent < 0 || s->removed) continue;
        int k = s->n - s->first, drop = 0;
        if (k <= 1) {
            drop = 1;
            if (rv__i3d_note(d, "one-point section at line %d removed", s->line))
                return RV_FAIL(err, RV_ENOMEM, "out of memory");
        } else if (k == 2) {
            const double *a = i3d_pt(s, s->first), *b = i3d_pt(s, s->first + 1);
            int same = 1;
            for (int c = 0; c < 3; ++c)
                if (!(a[c] - b[c] < RV_HOC_EPS && b[c] - a[c] < RV_HOC_EPS)) same = 0;
            if (same) {
                drop = 1;
                if (rv__i3d_note(d, "two-point section of length 0 at line %d removed", s->line))
                    return RV_FAIL(err, RV_ENOMEM, "out of memory");
            }
        }
        if (!drop) continue;
        s->removed = 1;
        for (int j = i + 1; j < d->nsec; ++j)
            if (d->sec[j].parent == i) {
                d->sec[j].parent = s->parent;
                d->sec[j].parentx = s->parentx;
            }
    }
    /* 2. names: per type in list order; arrays by ascending type */
    int nlive = 0;
    int *types = rv_malloc(sizeof(int) * (size_t)(d->nsec + 1));
    int *index = rv_malloc(sizeof(int) * (size_t)(d->nsec + 1));
    int *slot = rv_malloc(sizeof(int) * (size_t)(d->nsec + 1));
    morph_obj *o = rv_calloc(1, sizeof *o);
    rv_status st = RV_OK;
    if (!types || !index || !slot || !o) {
        st = RV_FAIL(err, RV_ENOMEM, "out of memory");
        goto fail;
    }
    for (int i = 0; i < d->nsec; ++i)
        if (!d->sec[i].removed && !d->sec[i].is_subsidiary) types[nlive++] = d->sec[i].type;
    if (nlive == 0) {
        st = RV_FAIL(err, RV_EFORMAT, "no sections: the file has neither a soma nor neurites");
        rv_error_where(err, path, 0, NULL);
        goto fail;
    }
    qsort(types, (size_t)nlive, sizeof(int), cmp_int);
    int ntype = 0;
    for (int i = 0; i < nlive; ++i)
        if (i == 0 || types[i] != types[i - 1]) types[ntype++] = types[i];
    /* count per type, then the creation-order slot of each list section */
    int *count = index; /* reuse: count[t] for the first ntype entries */
    int *tstart = rv_calloc((size_t)ntype + 1, sizeof(int));
    if (!tstart) {
        st = RV_FAIL(err, RV_ENOMEM, "out of memory");
        goto fail;
    }
    for (int t = 0; t < ntype; ++t) count[t] = 0;
    for (int i = 0; i < d->nsec; ++i) {
        const i3d_sec *s = &d->sec[i];
        if (s->removed || s->is_subsidiary) continue;
        int t = 0;
        while (types[t] != s->type) t++;
        count[t]++;
    }
    for (int t = 0; t < ntype; ++t) tstart[t + 1] = tstart[t] + count[t], count[t] = 0;
    int *idx_in_type = rv_malloc(sizeof(int) * (size_t)d->nsec);
    if (!idx_in_type) {
        rv_free(tstart);
        st = RV_FAIL(err, RV_ENOMEM, "out of memory");
        goto fail;
    }
    for (int i = 0; i < d->nsec; ++i) {
        const i3d_sec *s = &d->sec[i];
        slot[i] = -1;
        if (s->removed || s->is_subsidiary) continue;
        int t = 0;
        while (types[t] != s->type) t++;
        idx_in_type[i] = count[t];
        slot[i] = tstart[t] + count[t]++;
    }
    rv_free(tstart);
    /* 3. points.  Upper bound of points and name bytes first. */
    size_t npt_max = 0, name_bytes = 0;
    for (int i = 0; i < d->nsec; ++i) {
        const i3d_sec *s = &d->sec[i];
        if (slot[i] < 0) continue;
        npt_max += (size_t)(s->iscontour ? (s->nstack ? s->nstack + 1 : CENTROID_MAX)
                                         : (s->n < 3 ? 3 : s->n));
        name_bytes += 2 * 40;
    }
    o->pub.sec = rv_calloc((size_t)nlive, sizeof *o->pub.sec);
    o->pub.order = rv_malloc(sizeof(int) * (size_t)nlive);
    o->pts = rv_malloc(sizeof(float) * 4 * npt_max);
    o->names = rv_malloc(name_bytes);
    size_t tmpn = CENTROID_MAX;
    for (int i = 0; i < d->nsec; ++i) {
        if ((size_t)d->sec[i].n > tmpn) tmpn = (size_t)d->sec[i].n;
        if ((size_t)d->sec[i].nstack + 1 > tmpn) tmpn = (size_t)d->sec[i].nstack + 1;
    }
    double *tmp = rv_malloc(sizeof(double) * 4 * (tmpn + 4));
    if (!o->pub.sec || !o->pub.order || !o->pts || !o->names || !tmp) {
        rv_free(idx_in_type), rv_free(tmp);
        st = RV_FAIL(err, RV_ENOMEM, "out of memory");
        goto fail;
    }
    o->pub.nsec = nlive;
    size_t pused = 0, nused = 0;
    int k = 0;
    for (int i = 0; i < d->nsec; ++i) {
        const i3d_sec *s = &d->sec[i];
        if (slot[i] < 0) continue;
        rv_morph_section *ms = &o->pub.sec[slot[i]];
        o->pub.order[k++] = slot[i];
        char base[32];
        type_base(s->type, base, sizeof base);
        ms->base = o->names + nused;
        nused += (size_t)snprintf(o->names + nused, 40, "%s", base) + 1;
        ms->name = o->names + nused;
        nused += (size_t)snprintf(o->names + nused, 40, "%s[%d]", base, idx_in_type[i]) + 1;
        ms->type = s->type;
        ms->index = idx_in_type[i];
        ms->parent = s->parent >= 0 ? slot[s->parent] : -1;
        ms->parent_x = s->parent >= 0 ? s->parentx : 0.0;
        ms->child_end = 0;
        ms->line = s->line;
        if (s->first == 1) {
            const double *p = i3d_pt(s, 0);
            ms->logical = 1;
            ms->lx = rv__hoc_float(p[0]);
            ms->ly = rv__hoc_float(p[1]);
            ms->lz = rv__hoc_float(p[2]);
        }
        double *ox = tmp, *oy = ox + tmpn + 4, *oz = oy + tmpn + 4, *od = oz + tmpn + 4;
        int np = 0;
        if (s->iscontour && s->nstack > 0) {
            double c[3], dm;
            for (int j = -1; j < s->nstack; ++j) {
                const i3d_sec *cs = j < 0 ? s : &d->sec[s->stack[j]];
                if ((st = contour_circle(cs, c, &dm))) break;
                ox[np] = c[0], oy[np] = c[1], oz[np] = c[2], od[np] = dm;
                np++;
            }
        } else {
            st = section_points(s, ox, oy, oz, od, &np);
        }
        if (st) {
            rv_free(idx_in_type), rv_free(tmp);
            if (st == RV_ENOMEM)
                st = RV_FAIL(err, st, "out of memory");
            else {
                st = RV_FAIL(err, st,
                             "soma contour at line %d is degenerate (no extent along its "
                             "axis); NEURON's Import3d cannot make a soma from it either",
                             s->line);
                rv_error_where(err, path, s->line, NULL);
            }
            goto fail;
        }
        for (int j = 0; j < np && !st; ++j)
            if (!isfinite(ox[j]) || !isfinite(oy[j]) || !isfinite(oz[j]) || !isfinite(od[j]))
                st = RV_EUNSUPPORTED;
        if (st) { /* NEURON fails here too (it cannot parse the "nan" it writes) */
            rv_free(idx_in_type), rv_free(tmp);
            st = RV_FAIL(err, st,
                         "%s: the 3-D points computed from the outline at line %d are not "
                         "finite (a degenerate soma contour)",
                         ms->name, s->line);
            rv_error_where(err, path, s->line, NULL);
            goto fail;
        }
        float *pt = o->pts + 4 * pused;
        for (int j = 0; j < np; ++j) {
            pt[4 * j] = rv__hoc_float(ox[j]);
            pt[4 * j + 1] = rv__hoc_float(oy[j]);
            pt[4 * j + 2] = rv__hoc_float(oz[j]);
            pt[4 * j + 3] = rv__hoc_float(od[j]);
        }
        ms->npt = np;
        ms->pt = pt;
        pused += (size_t)np;
    }
    rv_free(idx_in_type), rv_free(tmp);
    /* notes */
    if (d->notes) {
        int nn = 0;
        for (size_t i = 0; i < d->notes_len; ++i) nn += d->notes[i] == '\n';
        o->pub.note = rv_malloc(sizeof(char *) * (size_t)nn);
        if (!o->pub.note) {
            st = RV_FAIL(err, RV_ENOMEM, "out of memory");
            goto fail;
        }
        o->notes = d->notes;
        d->notes = NULL;
        char *p = o->notes;
        for (int j = 0; j < nn; ++j) {
            char *e = strchr(p, '\n');
            *e = 0;
            o->pub.note[j] = p;
            p = e + 1;
        }
        o->pub.nnote = nn;
    }
    o->pub.npoint_read = d->npoint_read;
    rv_free(types), rv_free(index), rv_free(slot);
    *out = &o->pub;
    return RV_OK;
fail:
    rv_free(types), rv_free(index), rv_free(slot);
    rv_morph_destroy(o ? &o->pub : NULL);
    return st;
}
