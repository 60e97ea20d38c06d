/* SPDX-License-Identifier: MIT
 * ranvier/random123.h -- Philox4x32-10 streams bit-compatible with NEURON's
 * nrnran123 (src/gnu/nrnran123.cpp of NEURON 8.2).
 *
 * A stream is identified by (id1, id2, id3) plus a process-wide global index
 * (nrnran123_set_globalindex).  Counter = [seq, id3, id1, id2], key =
 * [global index, 0].  Each Philox call yields four 32-bit words that are
 * consumed in order; `which` (0..3) is the next word, `seq` the counter.
 * uniform = (u32 + 1) / 4294967297, never 0 or 1.
 */
#ifndef RV_RANDOM123_H
#define RV_RANDOM123_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct rv_ran123 {
    uint32_t c[4];  /* counter: c[0] = seq, c[1] = id3, c[2] = id1, c[3] = id2 */
    uint32_t r[4];  /* current Philox output */
    uint32_t which; /* next word of r to hand out */
    uint32_t key0;  /* global index used for the current block of four words */
} rv_ran123;

/* NEURON: nrnran123_set_globalindex / get_globalindex (process-wide). */
void rv_ran123_set_globalindex(uint32_t gix);
uint32_t rv_ran123_get_globalindex(void);

/* nrnran123_newstream3(id1, id2, id3) */
void rv_ran123_init(rv_ran123 *s, uint32_t id1, uint32_t id2, uint32_t id3);
/* nrnran123_setseq / getseq */
void rv_ran123_setseq(rv_ran123 *s, uint32_t seq, uint32_t which);
void rv_ran123_getseq(const rv_ran123 *s, uint32_t *seq, uint32_t *which);
/* nrnran123_getids3 */
void rv_ran123_getids(const rv_ran123 *s, uint32_t *id1, uint32_t *id2, uint32_t *id3);
uint32_t rv_ran123_ipick(rv_ran123 *s);
double rv_ran123_dblpick(rv_ran123 *s);
double rv_ran123_uint2dbl(uint32_t u);
/* -log(dblpick): exponential with mean 1 (nrnran123_negexp) */
double rv_ran123_negexp(rv_ran123 *s);
/* nrnran123_normal: standard normal, NEURON's polar method on two picks */
double rv_ran123_normal(rv_ran123 *s);
/* Stateless: the four words of Philox4x32-10 for counter c and key k. */
void rv_philox4x32(const uint32_t c[4], const uint32_t k[2], uint32_t out[4]);

/* ---- hoc Random distributions on a Random123 generator (random_dist.c) ----
 * NEURON's h.Random() object after .Random123(id1, id2, id3): a generator
 * (the stream) plus the current distribution.  Setting a distribution
 * (uniform, normal, negexp, lognormal, poisson) replaces the distribution
 * object and returns one draw from it, exactly as ivocrand.cpp does;
 * rv_hrand_repick draws again from the current one (Random.repick, and
 * Vector.setrand per element).  A fresh object's distribution is Normal(0, 1)
 * with no cached value.  Normal (and LogNormal) use the polar method of the
 * GNU library: each accepted pair returns its first value and caches the
 * second for the next repick; setting the distribution again drops the cache.
 * normal() and lognormal() take a variance, not a standard deviation. */
typedef enum rv_hrand_dist {
    RV_HRAND_NORMAL = 0,
    RV_HRAND_UNIFORM,
    RV_HRAND_NEGEXP,
    RV_HRAND_LOGNORMAL,
    RV_HRAND_POISSON
} rv_hrand_dist;

typedef struct rv_hrand {
    rv_ran123 gen;
    rv_hrand_dist dist;
    double mean, stddev; /* normal, lognormal (log-space values), negexp, poisson mean */
    double low, delta;   /* uniform */
    int have_cached;     /* normal, lognormal: second value of the last polar pair */
    double cached;
} rv_hrand;

/* h.Random().Random123(id1, id2, id3): uses the global index current now. */
void rv_hrand_init(rv_hrand *r, uint32_t id1, uint32_t id2, uint32_t id3);
double rv_hrand_uniform(rv_hrand *r, double low, double high);
double rv_hrand_normal(rv_hrand *r, double mean, double variance);
double rv_hrand_negexp(rv_hrand *r, double mean);
double rv_hrand_lognormal(rv_hrand *r, double mean, double variance);
double rv_hrand_poisson(rv_hrand *r, double mean);
double rv_hrand_repick(rv_hrand *r);

#ifdef __cplusplus
}
#endif
#endif
