/* SPDX-License-Identifier: MIT
 * engine/geometry.c -- segment areas and axial resistances, as NEURON's
 * nrn_area_ri (treeset.cpp) computes them.
 *
 * A section of nseg segments has nseg+1 nodes: the centres of the segments
 * and the zero-area node at x = 1.  rinv[j] is the conductance (uS) between
 * node j and its parent: the left half of segment j plus the right half of
 * segment j-1 (for j = 0 only the left half: the parent point is exact).
 *
 * Without 3-D points every segment is a cylinder of the segment's diam.  With
 * two or more points, L is the last point's arc length and area, diam and
 * resistance come from trapezoidal integration over the points, each half
 * segment separately, using the tapered-frustum lateral area.  Points are
 * single precision and arcs double, exactly as NEURON stores them, so that
 * the sums match NEURON's to the last bit.
 */
#include "engine_int.h"

#include <math.h>

/* arc lengths of the 3-D points, accumulated in double from float coords */
static void arcs(const rv_secd *s, double *arc) {
    arc[0] = 0.0;
    for (int i = 1; i < s->npt; ++i) {
        const float *p = s->pt + 4 * (i - 1), *q = s->pt + 4 * i;
        /* the differences are taken in single precision, as NEURON does */
        float f1 = q[0] - p[0], f2 = q[1] - p[1], f3 = q[2] - p[2];
        double t1 = f1, t2 = f2, t3 = f3;
        arc[i] = arc[i - 1] + sqrt(t1 * t1 + t2 * t2 + t3 * t3);
    }
}

/* State carried from one segment's integration to the next. */
typedef struct {
    int j;
    double x1, y1, ds;
} integ;

static double pd(const rv_secd *s, int j) {
    return fabs((double)s->pt[4 * j + 3]);
}

/* Integrate segment inode over the points; returns right-half resistance. */
static double diam_from_list(const rv_secd *s, const double *arc, integ *st, int inode,
                             double rparent, double *diam_io, double *area_out, double *rinv_out) {
    int npt = s->npt;
    double ra = s->Ra;
    if (inode == 0) {
        st->j = 0;
        st->x1 = arc[0];
        st->y1 = pd(s, 0);
        st->ds = arc[npt - 1] / (double)s->nseg;
    }
    double ds = st->ds;
    double si = (double)inode * ds;
    double diam = 0.0, area = 0.0, ri = 0.0, rleft = 0.0;
    for (int ihalf = 0; ihalf < 2; ihalf++) {
        ri = 0.0;
        double sip = si + ds / 2.0;
        for (;;) {
            int j = st->j, jp = j + 1, jnext;
            double x2, y2, xj = arc[j], xjp = arc[jp];
            if (xjp > sip || jp == npt - 1) {
                double frac;
                if (fabs(xjp - xj) < 1e-10) {
                    frac = 1;
                } else {
                    frac = (sip - xj) / (xjp - xj);
                }
                x2 = sip;
                y2 = (1.0 - frac) * pd(s, j) + frac * pd(s, jp);
                jnext = j;
            } else {
                x2 = xjp;
                y2 = pd(s, jp);
                jnext = jp;
            }
            double delta = x2 - st->x1, temp;
            diam += (y2 + st->y1) * delta;
            if (delta < 1e-15) delta = 1e-15;
            if ((temp = y2 * st->y1 / delta) == 0) temp = 1e-15;
            ri += 1 / temp;
            temp = .5 * (y2 - st->y1);
            temp = sqrt(delta * delta + temp * temp);
            area += (y2 + st->y1) * temp;
            st->x1 = x2;
            st->y1 = y2;
            if (j == jnext) break;
            st->j = jnext;
        }
        if (ihalf == 0) {
            rleft = ri * ra / RV_PI * (4. * .01);
        } else {
            ri = ri * ra / RV_PI * (4. * .01);
        }
        si = sip;
    }
    *rinv_out = 1. / (rparent + rleft);
    diam *= .5 / ds;
    if (fabs(diam - *diam_io) > 1e-9 || diam < 1e-5) *diam_io = diam;
    *area_out = area * .5 * RV_PI;
    return ri;
}

rv_status rv__geom_section(const rv_secd *s, double *diam, double *area, double *rinv,
                           double *length, rv_error *err) {
    int nseg = s->nseg;
    double rright = 0.0;
    if (s->npt > 1) {
        double *arc = rv_malloc(sizeof(double) * (size_t)s->npt);
        if (!arc) return RV_FAIL(err, RV_ENOMEM, "out of memory for 3-D points");
        arcs(s, arc);
        double L = arc[s->npt - 1];
        if (L <= 1e-9) L = 1e-9;
        *length = L;
        integ st = {0, 0, 0, 0};
        for (int j = 0; j < nseg; ++j)
            rright = diam_from_list(s, arc, &st, j, rright, &diam[j], &area[j], &rinv[j]);
        rv_free(arc);
    } else {
        double L = s->L;
        if (L <= 1e-9) L = 1e-9;
        *length = L;
        double dx = L / (double)nseg;
        for (int j = 0; j < nseg; ++j) {
            double dm = diam[j];
            if (dm <= 0.) {
                return RV_FAIL(err, RV_ERANGE, "section %s: diam = %g at segment %d (must be > 0)",
                               s->name, dm, j);
            }
            area[j] = RV_PI * dm * dx;
            double rleft = 1e-2 * s->Ra * (dx / 2) / (RV_PI * dm * dm / 4.);
            rinv[j] = 1. / (rleft + rright);
            rright = rleft;
        }
    }
    area[nseg] = 1.e2;
    rinv[nseg] = 1. / rright;
    return RV_OK;
}
