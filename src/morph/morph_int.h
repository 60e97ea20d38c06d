/* SPDX-License-Identifier: MIT
 * morph/morph_int.h -- private to src/morph: the reader/importer hand-off.
 *
 * Every reader produces the list NEURON's readers produce (their
 * `sections`, a list of Import3d_Section): per section its raw points in
 * double precision, type, parent, parent x, whether the first raw point is
 * only a logical (wire) connection, and for somata whether the points are a
 * contour (and the further contours of a contour stack).  import.c then does
 * what Import3d_GUI.instantiate does with that list.
 *
 * hoc compares numbers with a tolerance (float_epsilon, 1e-11): `a == b` is
 * |a - b| <= 1e-11 and `a < b` is a < b - 1e-11.  The readers use the same
 * comparisons wherever NEURON's hoc code does, through the hoc_* helpers.
 */
#ifndef RV_MORPH_INT_H
#define RV_MORPH_INT_H

#include "ranvier/morph.h"

#include <stddef.h>

#define RV_HOC_EPS 1e-11
/* coordinates and diameters beyond this (um) are refused: their squares and
 * single-precision forms would overflow */
#define RV_MORPH_MAX_COORD 1e9

static inline int hoc_eq(double a, double b) {
    return a <= b + RV_HOC_EPS && a >= b - RV_HOC_EPS;
}
static inline int hoc_lt(double a, double b) {
    return a < b - RV_HOC_EPS;
}
static inline int hoc_gt(double a, double b) {
    return a > b + RV_HOC_EPS;
}
static inline int hoc_le(double a, double b) {
    return a <= b + RV_HOC_EPS;
}
static inline int hoc_ge(double a, double b) {
    return a >= b - RV_HOC_EPS;
}

/* One Import3d_Section.  pt holds n points of 4 doubles (x, y, z, d) starting
 * at pt + 4*off; off > 0 leaves room to insert points at the front. */
typedef struct i3d_sec {
    double *buf;       /* allocation; points start at buf + 4*off */
    int off, n, cap;   /* cap counts points of buf */
    int type;          /* sample type (1 soma, 2 axon, ...) */
    int parent;        /* index in i3d.sec, -1 for none */
    double parentx;    /* 1 unless set */
    int first;         /* 1: point 0 is a logical connection point only */
    int iscontour;     /* soma outline */
    int is_subsidiary; /* a contour of a stack (drawn into its main contour) */
    int *stack;        /* the further contours of a stack (indices), main only */
    int nstack;
    int line;    /* input line of the first own point */
    int removed; /* dropped by the validity check (import.c) */
} i3d_sec;

static inline double *i3d_pt(const i3d_sec *s, int i) {
    return s->buf + 4 * (s->off + i);
}

typedef struct i3d {
    i3d_sec *sec;
    int nsec, cap;
    char *notes; /* '\n'-separated, NULL if none */
    size_t notes_len, notes_cap;
    const char *path;
    int npoint_read;
} i3d;

/* Append a section with room for cap points (+ front). */
rv_status rv__i3d_add(i3d *d, int cap, int front, int *idx);
rv_status rv__i3d_push(i3d_sec *s, double x, double y, double z, double dd);
rv_status rv__i3d_insert_front(i3d_sec *s, double x, double y, double z, double dd);
rv_status rv__i3d_note(i3d *d, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
void rv__i3d_free(i3d *d);
/* Reorder the list: new position k holds old section perm[k]; parents and
 * stacks are remapped. */
rv_status rv__i3d_permute(i3d *d, const int *perm);

/* Readers: fill d from a NUL-terminated buffer (n bytes) or a file. */
rv_status rv__swc_read(const char *buf, size_t n, i3d *d, rv_error *err);
rv_status rv__asc_read(const char *buf, size_t n, i3d *d, rv_error *err);
rv_status rv__h5_read(const char *path, i3d *d, rv_error *err);
/* Neurolucida's root-to-soma step, shared by ASC and h5 (asc.c). */
rv_status rv__connect2soma(i3d *d, rv_error *err);

/* Import3d_GUI.instantiate on the list (import.c). */
rv_status rv__i3d_instantiate(i3d *d, rv_morph **out, rv_error *err);

/* hoc's Import3d_Section.contourcenter on n points: resamples x, y, z (each
 * of capacity >= 101) to 101 points evenly spaced along the outline and
 * returns their mean in c; scratch holds 2n doubles.  (geom.c) */
void rv__contourcenter(double *x, double *y, double *z, int n, double *scratch, double c[3]);
/* Linear interpolation as hoc's Vector.interpolate(xd, xs, ys). */
void rv__interpolate(double *yd, const double *xd, int nd, const double *xs, const double *ys,
                     int ns);
/* Meschach's symmeig on a symmetric 3x3 matrix: eigenvalues lam, the
 * eigenvectors in the columns of q (q may alias a). */
void rv__symmeig3(const double a[3][3], double q[3][3], double lam[3]);
/* pt3dadd(%.8g-formatted value) as float: what NEURON stores. */
float rv__hoc_float(double v);
/* The same, kept in double (the value hoc parsed). */
double rv__hoc_g8(double v);

/* Parse one decimal number as strtod/strtof would; returns the end or NULL
 * when no number starts at p (p must be NUL-terminated somewhere). */
const char *rv__parse_double(const char *p, double *out);
const char *rv__parse_float(const char *p, float *out);

#endif
