/* SPDX-License-Identifier: MIT
 * morph/geom.c -- the numerics Import3d's results depend on, bit for bit.
 *
 *  - Number parsing: hoc reads SWC fields with sscanf("%f") (single
 *    precision) and Neurolucida numbers with "%lf"; both round correctly.  A
 *    fast exact path handles decimals of up to 19 digits whose power of ten
 *    is exactly representable (Clinger's fast path; for floats through the
 *    correctly rounded double unless that lies exactly between two floats);
 *    anything else goes to strtod/strtof.
 *  - Output rounding: instantiate writes every coordinate with "%.8g" into a
 *    hoc statement, hoc parses it back to double and pt3dadd stores a float.
 *    rv__hoc_g8 computes that value without printf when the rounding to 8
 *    significant digits is unambiguous (always, except within 1e-6 of a
 *    tie), else it falls back to snprintf + strtod.
 *  - contourcenter and Vector.interpolate as NEURON's hoc/ivoc code does
 *    them, same operations in the same order.
 *  - symmeig on 3x3: Householder tridiagonalisation then implicit QR with a
 *    Wilkinson shift and Givens rotations, with the operation order of the
 *    Meschach library NEURON uses; the signs of the eigenvectors decide the
 *    direction of the soma's centroid line, so they must match.
 * This file must be compiled without floating-point contraction (no FMA).
 */
#include "morph_int.h"

#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const double p10[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                               1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                               1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
static const float p10f[11] = {1e0f, 1e1f, 1e2f, 1e3f, 1e4f, 1e5f, 1e6f, 1e7f, 1e8f, 1e9f, 1e10f};

/* Scan [+-] digits [. digits] [e [+-] digits] into mantissa and power of ten.
 * Returns the end, or NULL if the text is not such a decimal (hex, inf, nan,
 * no digits) or has more than 19 significant digits (*slow set). */
static const char *scan_decimal(const char *p, int *neg, uint64_t *mant, int *e10, int *slow) {
    const char *s = p;
    *slow = 0;
    *neg = 0;
    if (*s == '+' || *s == '-') *neg = (*s++ == '-');
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) return *slow = 1, NULL;
    uint64_t m = 0;
    int nd = 0, e = 0, any = 0;
    while (*s >= '0' && *s <= '9') {
        int dgt = *s++ - '0';
        any = 1;
        if (m == 0 && dgt == 0) continue;
        if (nd < 19)
            m = m * 10 + (uint64_t)dgt, nd++;
        else
            e++, *slow = 1;
    }
    if (*s == '.') {
        s++;
        while (*s >= '0' && *s <= '9') {
            int dgt = *s++ - '0';
            any = 1;
            if (m == 0 && dgt == 0) {
                e--;
                continue;
            }
            if (nd < 19)
                m = m * 10 + (uint64_t)dgt, nd++, e--;
            else
                *slow = 1;
        }
    }
    if (!any) {
        /* "inf", "nan" and the like: let the C library decide */
        const char *t = (*p == '+' || *p == '-') ? p + 1 : p;
        if (*t == 'i' || *t == 'I' || *t == 'n' || *t == 'N') *slow = 1;
        return NULL;
    }
    if (*s == 'e' || *s == 'E') {
        const char *t = s + 1;
        int eneg = 0;
        if (*t == '+' || *t == '-') eneg = (*t++ == '-');
        if (*t >= '0' && *t <= '9') {
            int x = 0;
            while (*t >= '0' && *t <= '9') {
                if (x < 100000) x = x * 10 + (*t - '0');
                t++;
            }
            e += eneg ? -x : x;
            s = t;
        }
    }
    *mant = m;
    *e10 = e;
    return s;
}

const char *rv__parse_double(const char *p, double *out) {
    int neg, e, slow;
    uint64_t m;
    const char *end = scan_decimal(p, &neg, &m, &e, &slow);
    if (end && !slow) {
        if (m == 0) {
            *out = neg ? -0.0 : 0.0;
            return end;
        }
        if (m <= (1ULL << 53) && e >= -22 && e <= 22) {
            double v = (double)m;
            v = e >= 0 ? v * p10[e] : v / p10[-e];
            *out = neg ? -v : v;
            return end;
        }
    }
    if (!end && !slow) return NULL;
    char *q;
    double v = strtod(p, &q);
    if (q == p) return NULL;
    *out = v;
    return q;
}

const char *rv__parse_float(const char *p, float *out) {
    int neg, e, slow;
    uint64_t m;
    const char *end = scan_decimal(p, &neg, &m, &e, &slow);
    if (end && !slow) {
        if (m == 0) {
            *out = neg ? -0.0f : 0.0f;
            return end;
        }
        if (m <= (1ULL << 24) && e >= -10 && e <= 10) {
            float v = (float)m;
            v = e >= 0 ? v * p10f[e] : v / p10f[-e];
            *out = neg ? -v : v;
            return end;
        }
        if (m <= (1ULL << 53) && e >= -22 && e <= 22) {
            /* correctly rounded double, then float: right unless the double
             * is exactly halfway between two floats (then strtof decides) */
            double v = (double)m;
            v = e >= 0 ? v * p10[e] : v / p10[-e];
            uint64_t bits;
            memcpy(&bits, &v, sizeof bits);
            if (v >= 1e-30 && v <= 1e30 && (bits & 0x1FFFFFFFu) != 0x10000000u) {
                float f = (float)v;
                *out = neg ? -f : f;
                return end;
            }
        }
    }
    if (!end && !slow) return NULL;
    char *q;
    float v = strtof(p, &q);
    if (q == p) return NULL;
    *out = v;
    return q;
}

static double g8_slow(double v) {
    char buf[40];
    snprintf(buf, sizeof buf, "%.8g", v);
    return strtod(buf, NULL);
}

double rv__hoc_g8(double v) {
    if (v == 0.0 || !isfinite(v)) return g8_slow(v);
    double a = fabs(v);
    int e2;
    frexp(a, &e2); /* a in [2^(e2-1), 2^e2): a first guess of floor(log10 a) */
    int k = (int)floor((e2 - 1) * 0.30102999566398120);
    for (int iter = 0; iter < 6; ++iter) {
        int e = 7 - k;
        if (e > 22 || e < -22) return g8_slow(v);
        double s = e >= 0 ? a * p10[e] : a / p10[-e];
        if (s < 1e7) {
            k--;
            continue;
        }
        if (s >= 1e8) {
            k++;
            continue;
        }
        /* s carries at most half an ulp (< 1e-8) of error: the rounding to an
         * integer is decided unless s is near a tie */
        double fl = floor(s), f = s - fl;
        if (fabs(f - 0.5) < 1e-6) return g8_slow(v);
        double r = f > 0.5 ? fl + 1.0 : fl;
        double d = e >= 0 ? r / p10[e] : r * p10[-e];
        return v < 0 ? -d : d;
    }
    return g8_slow(v);
}

float rv__hoc_float(double v) {
    return (float)rv__hoc_g8(v);
}

/* ---- Vector.interpolate ------------------------------------------------ */
void rv__interpolate(double *yd, const double *xd, int nd, const double *xs, const double *ys,
                     int ns) {
    int id = 0, is;
    for (; id < nd && xd[id] <= xs[0]; ++id) yd[id] = ys[0];
    for (is = 1; is < ns && id < nd; ++is) {
        if (xs[is] <= xs[is - 1]) continue;
        while (xd[id] <= xs[is]) {
            double thet = (xd[id] - xs[is - 1]) / (xs[is] - xs[is - 1]);
            yd[id] = (1. - thet) * ys[is - 1] + thet * ys[is];
            if (++id >= nd) break;
        }
    }
    for (; id < nd; ++id) yd[id] = ys[ns - 1];
}

/* ---- contourcenter -----------------------------------------------------
 * The outline is closed (the last point joins the first) for the perimeter
 * but only its first n-1 edges are sampled; the perimeter is measured in the
 * xy plane.  101 samples; returns their mean.  scratch: 2n doubles. */
void rv__contourcenter(double *x, double *y, double *z, int n, double *scratch, double c[3]) {
    double *perim = scratch, *src = scratch + n;
    perim[0] = 0.0;
    for (int i = 1; i < n; ++i) {
        double dx = x[i] - x[i - 1], dy = y[i] - y[i - 1], dz = 0.0;
        double sq = 0.0;
        sq += dx * dx;
        sq += dy * dy;
        sq += dz * dz;
        perim[i] = perim[i - 1] + sqrt(sq);
    }
    double step = perim[n - 1] / 100, d[101];
    for (int i = 0; i < 101; ++i) d[i] = (double)i * step + 0.0;
    double *v[3] = {x, y, z};
    for (int k = 0; k < 3; ++k) {
        for (int i = 0; i < n; ++i) src[i] = v[k][i];
        rv__interpolate(v[k], d, 101, perim, src, n);
        double sum = 0.0;
        for (int i = 0; i < 101; ++i) sum += v[k][i];
        c[k] = sum / 101;
    }
}

/* ---- symmetric 3x3 eigenproblem (Meschach's symmeig) ------------------- */
#define MACHEPS 2.220446049250313e-16
#define SQRT2   1.4142135623730949

static void givens(double x, double y, double *c, double *s) {
    double norm = sqrt(x * x + y * y);
    if (norm == 0.0) {
        *c = 1.0, *s = 0.0;
    } else {
        *c = x / norm, *s = y / norm;
    }
}

/* postmultiply q by the rotation (c, s) in columns i, k */
static void rot_cols(double q[3][3], int i, int k, double c, double s) {
    for (int j = 0; j < 3; ++j) {
        double temp = c * q[j][i] + s * q[j][k];
        q[j][k] = -s * q[j][i] + c * q[j][k];
        q[j][i] = temp;
    }
}

static void trieig(double *a, double *b, double q[3][3]) {
    const int n = 3;
    int i_min = 0, guard = 0;
    while (i_min < n) {
        int i_max = n - 1;
        for (int i = i_min; i < n - 1; i++)
            if (b[i] == 0.0) {
                i_max = i;
                break;
            }
        if (i_max <= i_min) {
            i_min = i_max + 1;
            continue;
        }
        int split = 0;
        while (!split) {
            if (++guard > 10000) return; /* not reached for finite input */
            double c, s, c2, s2, cs, z;
            double d = (a[i_max - 1] - a[i_max]) / 2;
            double b_sqr = b[i_max - 1] * b[i_max - 1];
            double sg = d >= 0 ? 1 : -1;
            double mu = a[i_max] - b_sqr / (d + sg * sqrt(d * d + b_sqr));
            givens(a[i_min] - mu, b[i_min], &c, &s);
            s = -s;
            if (fabs(c) < SQRT2) {
                c2 = c * c;
                s2 = 1 - c2;
            } else {
                s2 = s * s;
                c2 = 1 - s2;
            }
            cs = c * s;
            double ak1 = c2 * a[i_min] + s2 * a[i_min + 1] - 2 * cs * b[i_min];
            double bk1 = cs * (a[i_min] - a[i_min + 1]) + (c2 - s2) * b[i_min];
            double ak2 = s2 * a[i_min] + c2 * a[i_min + 1] + 2 * cs * b[i_min];
            double bk2 = (i_min < i_max - 1) ? c * b[i_min + 1] : 0.0;
            z = (i_min < i_max - 1) ? -s * b[i_min + 1] : 0.0;
            a[i_min] = ak1;
            a[i_min + 1] = ak2;
            b[i_min] = bk1;
            if (i_min < i_max - 1) b[i_min + 1] = bk2;
            rot_cols(q, i_min, i_min + 1, c, -s);
            for (int i = i_min + 1; i < i_max; i++) {
                givens(b[i - 1], z, &c, &s);
                s = -s;
                if (fabs(c) < SQRT2) {
                    c2 = c * c;
                    s2 = 1 - c2;
                } else {
                    s2 = s * s;
                    c2 = 1 - s2;
                }
                cs = c * s;
                double bk = c * b[i - 1] - s * z;
                ak1 = c2 * a[i] + s2 * a[i + 1] - 2 * cs * b[i];
                bk1 = cs * (a[i] - a[i + 1]) + (c2 - s2) * b[i];
                ak2 = s2 * a[i] + c2 * a[i + 1] + 2 * cs * b[i];
                bk2 = (i + 1 < i_max) ? c * b[i + 1] : 0.0;
                z = (i + 1 < i_max) ? -s * b[i + 1] : 0.0;
                a[i] = ak1;
                a[i + 1] = ak2;
                b[i] = bk1;
                if (i < i_max - 1) b[i + 1] = bk2;
                if (i > i_min) b[i - 1] = bk;
                rot_cols(q, i, i + 1, c, -s);
            }
            for (int i = i_min; i < i_max; i++)
                if (fabs(b[i]) < MACHEPS * (fabs(a[i]) + fabs(a[i + 1]))) {
                    b[i] = 0.0;
                    split = 1;
                }
        }
    }
}

void rv__symmeig3(const double a_in[3][3], double q[3][3], double lam[3]) {
    double h[3][3], diag[3] = {0, 0, 0}, beta[3] = {0, 0, 0};
    for (int i = 0; i < 3; ++i)
        for (int j = 0; j < 3; ++j) h[i][j] = a_in[i][j];
    /* Householder reduction to tridiagonal form, in place, compact */
    for (int k = 0; k < 2; ++k) {
        int i0 = k + 1;
        double v[3] = {h[0][k], h[1][k], h[2][k]};
        double ip = 0.0;
        for (int i = i0; i < 3; ++i) ip += v[i] * v[i];
        double norm = sqrt(ip);
        if (norm <= 0.0) {
            beta[k] = 0.0;
        } else {
            beta[k] = 1.0 / (norm * (norm + fabs(v[i0])));
            double newval = v[i0] > 0.0 ? -norm : norm;
            h[k + 1][k] = newval;
            v[i0] -= newval;
        }
        diag[k] = v[k + 1];
        if (beta[k] == 0.0) continue;
        /* columns i0.. of rows i0.. */
        double w[3] = {0.0, 0.0, 0.0};
        for (int i = i0; i < 3; ++i)
            if (v[i] != 0.0)
                for (int j = i0; j < 3; ++j) w[j] += v[i] * h[i][j];
        for (int i = i0; i < 3; ++i)
            if (v[i] != 0.0) {
                double s = -beta[k] * v[i];
                for (int j = i0; j < 3; ++j) h[i][j] += s * w[j];
            }
        /* rows 0.. from column i0 */
        for (int i = 0; i < 3; ++i) {
            double sum = 0.0;
            for (int j = i0; j < 3; ++j) sum += h[i][j] * v[j];
            double scale = beta[k] * sum;
            if (scale == 0.0) continue;
            for (int j = i0; j < 3; ++j) h[i][j] += -scale * v[j];
        }
    }
    /* the orthogonal matrix of the reduction */
    double qq[3][3];
    for (int i = 0; i < 3; ++i) {
        double t1[3] = {0.0, 0.0, 0.0};
        t1[i] = 1.0;
        for (int j = 1; j >= 0; --j) {
            double t2[3] = {h[0][j], h[1][j], h[2][j]};
            t2[j + 1] = diag[j];
            double sum = 0.0;
            for (int r = j + 1; r < 3; ++r) sum += t2[r] * t1[r];
            double scale = beta[j] * sum;
            for (int r = j + 1; r < 3; ++r) t1[r] += -scale * t2[r];
        }
        for (int r = 0; r < 3; ++r) qq[r][i] = t1[r];
    }
    double a[3] = {h[0][0], h[1][1], h[2][2]}, b[2] = {h[0][1], h[1][2]};
    trieig(a, b, qq);
    for (int i = 0; i < 3; ++i) {
        lam[i] = a[i];
        for (int j = 0; j < 3; ++j) q[i][j] = qq[i][j];
    }
}
