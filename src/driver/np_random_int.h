/* SPDX-License-Identifier: MIT
 * driver/np_random_int.h -- private to src/driver: numpy's legacy
 * np.random.RandomState (MT19937) reproduced bit for bit, for BMTK's
 * synapse placement (bionet seeds one RandomState per cell with its gid).
 *
 *   RandomState(int seed)       -> rv__np_seed (MT19937 init_genrand)
 *   RandomState(uint32 array)   -> rv__np_seed_array (init_by_array)
 *   random_sample()             -> rv__np_random_sample: (a >> 5, b >> 6) of
 *                                  two 32-bit outputs, (a 2^26 + b) / 2^53
 *   randint(low, high)          -> rv__np_randint: masked rejection on the
 *                                  smallest 2^k - 1 >= high - low - 1 (32-bit
 *                                  draws when that fits, else 64-bit ones
 *                                  made of two 32-bit draws, high word first)
 *   choice(n, size, p=p)        -> rv__np_choice_p: cdf = cumsum(p),
 *                                  cdf /= cdf[-1], one random_sample per
 *                                  draw, searchsorted(side='right')
 *   np.sum of a float64 array   -> rv__np_sum: numpy's pairwise summation
 *                                  (blocks of 128 with 8 accumulators)
 */
#ifndef RV_DRIVER_NP_RANDOM_INT_H
#define RV_DRIVER_NP_RANDOM_INT_H

#include "ranvier/base.h"

#include <stddef.h>
#include <stdint.h>

#define RV__NP_MT_N 624

typedef struct rv__np_rs {
    uint32_t key[RV__NP_MT_N];
    int pos;
} rv__np_rs;

void rv__np_seed(rv__np_rs *s, uint32_t seed);
void rv__np_seed_array(rv__np_rs *s, const uint32_t *key, size_t n);
uint32_t rv__np_next32(rv__np_rs *s);
double rv__np_random_sample(rv__np_rs *s);
/* An integer in [low, high); high > low. */
int64_t rv__np_randint(rv__np_rs *s, int64_t low, int64_t high);
/* numpy's pairwise sum of a[0..n) (np.sum of a contiguous float64 array
 * shorter than 8192 elements). */
double rv__np_sum(const double *a, size_t n);
/* choice(range(n), size, p=p) with replacement: out[k] in [0, n).  p must be
 * non-negative and sum to 1 within sqrt(DBL_EPSILON) (numpy's check). */
rv_status rv__np_choice_p(rv__np_rs *s, const double *p, size_t n, size_t size, size_t *out,
                          rv_error *err);

#endif
