/* SPDX-License-Identifier: MIT
 * engine/random_dist.c -- NEURON's hoc Random distributions on a Random123
 * stream, draw for draw.
 *
 * A hoc Random object is a generator plus one distribution object.  With a
 * Random123 generator every "asDouble" is one nrnran123 double pick
 * (rv_ran123_dblpick).  Setting a distribution builds a new distribution
 * object (dropping any cached normal) and draws one value from it; repick
 * draws again from the current object.  The formulas are the GNU C++
 * library ones NEURON uses (uniform low + delta * u; normal by the polar
 * method, returning the first coordinate and caching the second; negexp
 * -mean * log(u); lognormal pow(e, normal) with log-space mean and standard
 * deviation; poisson by multiplying picks until the product falls below
 * exp(-mean)).  The evaluation order follows them so that results are
 * bit-identical given the same libm and no floating-point contraction.
 */
#include <math.h>

#include "ranvier/random123.h"

/* e as the double constant NEURON's LogNormal raises to the normal draw. */
static const double k_e = 2.71828182845904523536;

void rv_hrand_init(rv_hrand *r, uint32_t id1, uint32_t id2, uint32_t id3) {
    rv_ran123_init(&r->gen, id1, id2, id3);
    r->dist = RV_HRAND_NORMAL;
    r->mean = 0.0;
    r->stddev = 1.0;
    r->low = 0.0;
    r->delta = 0.0;
    r->have_cached = 0;
    r->cached = 0.0;
}

/* The polar method: one standard-normal value, caching the pair's second. */
static double polar(rv_hrand *r) {
    if (r->have_cached) {
        r->have_cached = 0;
        return r->cached * r->stddev + r->mean;
    }
    for (;;) {
        double u1 = rv_ran123_dblpick(&r->gen);
        double u2 = rv_ran123_dblpick(&r->gen);
        double v1 = 2 * u1 - 1;
        double v2 = 2 * u2 - 1;
        double w = (v1 * v1) + (v2 * v2);
        if (w <= 1) {
            double y = sqrt((-2 * log(w)) / w);
            double x1 = v1 * y;
            double x2 = v2 * y;
            r->have_cached = 1;
            r->cached = x2;
            return x1 * r->stddev + r->mean;
        }
    }
}

double rv_hrand_repick(rv_hrand *r) {
    switch (r->dist) {
    case RV_HRAND_UNIFORM:
        return r->low + r->delta * rv_ran123_dblpick(&r->gen);
    case RV_HRAND_NEGEXP:
        return -r->mean * log(rv_ran123_dblpick(&r->gen));
    case RV_HRAND_LOGNORMAL:
        return pow(k_e, polar(r));
    case RV_HRAND_POISSON: {
        double bound = exp(-1.0 * r->mean);
        int count = 0;
        for (double product = 1.0; product >= bound; product *= rv_ran123_dblpick(&r->gen)) count++;
        return (double)(count - 1);
    }
    case RV_HRAND_NORMAL:
    default:
        return polar(r);
    }
}

double rv_hrand_uniform(rv_hrand *r, double low, double high) {
    r->dist = RV_HRAND_UNIFORM;
    r->low = (low < high) ? low : high;
    double hi = (low < high) ? high : low;
    r->delta = hi - r->low;
    r->have_cached = 0;
    return rv_hrand_repick(r);
}

double rv_hrand_normal(rv_hrand *r, double mean, double variance) {
    r->dist = RV_HRAND_NORMAL;
    r->mean = mean;
    r->stddev = sqrt(variance);
    r->have_cached = 0;
    return rv_hrand_repick(r);
}

double rv_hrand_negexp(rv_hrand *r, double mean) {
    r->dist = RV_HRAND_NEGEXP;
    r->mean = mean;
    r->have_cached = 0;
    return rv_hrand_repick(r);
}

double rv_hrand_lognormal(rv_hrand *r, double mean, double variance) {
    r->dist = RV_HRAND_LOGNORMAL;
    double m2 = mean * mean;
    r->mean = log(m2 / sqrt(variance + m2));
    r->stddev = sqrt(log((variance + m2) / m2));
    r->have_cached = 0;
    return rv_hrand_repick(r);
}

double rv_hrand_poisson(rv_hrand *r, double mean) {
    r->dist = RV_HRAND_POISSON;
    r->mean = mean;
    r->have_cached = 0;
    return rv_hrand_repick(r);
}
