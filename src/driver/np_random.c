/* SPDX-License-Identifier: MIT
 * driver/np_random.c -- numpy's legacy RandomState (MT19937) and the few
 * numpy numerics BMTK's synapse placement goes through, bit for bit (see
 * np_random_int.h).  Written from the published MT19937 algorithm and the
 * documented behaviour of numpy 1.x; checked live against numpy by
 * tests/driver/allen_bio/np_random_check.py.
 */
#include "np_random_int.h"

#include <float.h>
#include <math.h>

#define MT_M     397
#define UPPER    0x80000000u
#define LOWER    0x7fffffffu
#define MATRIX_A 0x9908b0dfu

void rv__np_seed(rv__np_rs *s, uint32_t seed) {
    for (int i = 0; i < RV__NP_MT_N; ++i) {
        s->key[i] = seed;
        seed = 1812433253u * (seed ^ (seed >> 30)) + (uint32_t)i + 1u;
    }
    s->pos = RV__NP_MT_N;
}

void rv__np_seed_array(rv__np_rs *s, const uint32_t *key, size_t n) {
    uint32_t *mt = s->key;
    rv__np_seed(s, 19650218u);
    size_t i = 1, j = 0;
    size_t k = n > RV__NP_MT_N ? n : RV__NP_MT_N;
    for (; k; --k) {
        mt[i] = (mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >> 30)) * 1664525u)) + (n ? key[j] : 0u) +
                (uint32_t)j;
        ++i, ++j;
        if (i >= RV__NP_MT_N) mt[0] = mt[RV__NP_MT_N - 1], i = 1;
        if (j >= n) j = 0;
    }
    for (k = RV__NP_MT_N - 1; k; --k) {
        mt[i] = (mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >> 30)) * 1566083941u)) - (uint32_t)i;
        ++i;
        if (i >= RV__NP_MT_N) mt[0] = mt[RV__NP_MT_N - 1], i = 1;
    }
    mt[0] = 0x80000000u;
    s->pos = RV__NP_MT_N;
}

static void regenerate(rv__np_rs *s) {
    uint32_t *mt = s->key, y;
    int i;
    for (i = 0; i < RV__NP_MT_N - MT_M; ++i) {
        y = (mt[i] & UPPER) | (mt[i + 1] & LOWER);
        mt[i] = mt[i + MT_M] ^ (y >> 1) ^ ((y & 1u) ? MATRIX_A : 0u);
    }
    for (; i < RV__NP_MT_N - 1; ++i) {
        y = (mt[i] & UPPER) | (mt[i + 1] & LOWER);
        mt[i] = mt[i + (MT_M - RV__NP_MT_N)] ^ (y >> 1) ^ ((y & 1u) ? MATRIX_A : 0u);
    }
    y = (mt[RV__NP_MT_N - 1] & UPPER) | (mt[0] & LOWER);
    mt[RV__NP_MT_N - 1] = mt[MT_M - 1] ^ (y >> 1) ^ ((y & 1u) ? MATRIX_A : 0u);
    s->pos = 0;
}

uint32_t rv__np_next32(rv__np_rs *s) {
    if (s->pos >= RV__NP_MT_N) regenerate(s);
    uint32_t y = s->key[s->pos++];
    y ^= y >> 11;
    y ^= (y << 7) & 0x9d2c5680u;
    y ^= (y << 15) & 0xefc60000u;
    y ^= y >> 18;
    return y;
}

double rv__np_random_sample(rv__np_rs *s) {
    uint32_t a = rv__np_next32(s) >> 5;
    uint32_t b = rv__np_next32(s) >> 6;
    return ((double)a * 67108864.0 + (double)b) / 9007199254740992.0;
}

static uint64_t next64(rv__np_rs *s) {
    uint64_t hi = rv__np_next32(s);
    uint64_t lo = rv__np_next32(s);
    return hi << 32 | lo;
}

int64_t rv__np_randint(rv__np_rs *s, int64_t low, int64_t high) {
    uint64_t rng = (uint64_t)high - (uint64_t)low - 1u;
    if (high <= low || rng == 0) return low;
    uint64_t mask = rng;
    mask |= mask >> 1, mask |= mask >> 2, mask |= mask >> 4;
    mask |= mask >> 8, mask |= mask >> 16, mask |= mask >> 32;
    uint64_t v;
    if (rng <= 0xffffffffu) {
        if (rng == 0xffffffffu) return (int64_t)((uint64_t)low + rv__np_next32(s));
        while ((v = (rv__np_next32(s) & (uint32_t)mask)) > rng) {
        }
    } else {
        if (rng == UINT64_MAX) return (int64_t)((uint64_t)low + next64(s));
        while ((v = (next64(s) & mask)) > rng) {
        }
    }
    return (int64_t)((uint64_t)low + v);
}

static double pairwise(const double *a, size_t n) {
    if (n < 8) {
        double r = 0.;
        for (size_t i = 0; i < n; ++i) r += a[i];
        return r;
    }
    if (n <= 128) {
        double r[8];
        size_t i;
        for (int j = 0; j < 8; ++j) r[j] = a[j];
        for (i = 8; i < n - (n % 8); i += 8)
            for (int j = 0; j < 8; ++j) r[j] += a[i + (size_t)j];
        double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for (; i < n; ++i) res += a[i];
        return res;
    }
    size_t n2 = n / 2;
    n2 -= n2 % 8;
    return pairwise(a, n2) + pairwise(a + n2, n - n2);
}

double rv__np_sum(const double *a, size_t n) {
    return 0. + pairwise(a, n);
}

rv_status rv__np_choice_p(rv__np_rs *s, const double *p, size_t n, size_t size, size_t *out,
                          rv_error *err) {
    if (size == 0) return RV_OK;
    if (n == 0) return RV_FAIL(err, RV_EINVAL, "choice: cannot choose from an empty set");
    double sum = p[0], c = 0.; /* numpy's Kahan check of the probabilities */
    for (size_t i = 0; i < n; ++i)
        if (!(p[i] >= 0)) return RV_FAIL(err, RV_EINVAL, "choice: probabilities are not >= 0");
    for (size_t i = 1; i < n; ++i) {
        double y = p[i] - c, t = sum + y;
        c = (t - sum) - y;
        sum = t;
    }
    if (fabs(sum - 1.) > sqrt(DBL_EPSILON))
        return RV_FAIL(err, RV_EINVAL, "choice: probabilities do not sum to 1 (%.17g)", sum);
    double *cdf = rv_malloc(sizeof *cdf * n);
    if (!cdf) return RV_FAIL(err, RV_ENOMEM, "out of memory");
    cdf[0] = p[0];
    for (size_t i = 1; i < n; ++i) cdf[i] = cdf[i - 1] + p[i];
    double last = cdf[n - 1];
    for (size_t i = 0; i < n; ++i) cdf[i] /= last;
    for (size_t k = 0; k < size; ++k) {
        double u = rv__np_random_sample(s);
        size_t lo = 0, hi = n; /* first i with cdf[i] > u */
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (cdf[mid] <= u)
                lo = mid + 1;
            else
                hi = mid;
        }
        out[k] = lo; /* numpy can return n only if u >= cdf[-1] = 1: never */
    }
    rv_free(cdf);
    return RV_OK;
}
