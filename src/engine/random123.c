/* SPDX-License-Identifier: MIT
 * engine/random123.c -- Philox4x32-10 random streams that reproduce NEURON
 * 8.2's nrnran123 draws bit for bit.
 *
 * Design: a stream is nothing but a Philox counter [seq, id3, id1, id2] plus
 * the four words of the last block and the index of the next word to hand
 * out.  The key is [global index, 0] and, as in NEURON, the process-wide
 * global index is read every time a block is generated (at init, setseq and
 * whenever the fourth word has been consumed and seq advances), so changing
 * it affects a live stream from its next block on; `key0` records the global
 * index the current block was made with.  seq is a uint32 that wraps.
 * Doubles are formed as (u + 1) * (1 / (2^32 + 1)), multiplying by the
 * rounded reciprocal exactly as NEURON does (dividing would differ in the
 * last bit for some u).  normal() is the Marsaglia polar method returning the
 * first coordinate only, which is also what hoc Random.normal(0, 1) yields
 * per call with a Random123 generator.  Bit compatibility of negexp/normal
 * assumes the same libm log/sqrt and no floating-point contraction (FMA).
 */
#include "ranvier/random123.h"

#include <math.h>

#include <Random123/philox.h>

/* 1 / (2^32 + 1), rounded to double once, as in nrnran123. */
static const double k_shift32 = 1.0 / 4294967297.0;

/* Word 0 of the Philox key shared by every stream (NEURON's global index). */
static uint32_t g_globalindex = 0;

void rv_ran123_set_globalindex(uint32_t gix) {
    g_globalindex = gix;
}

uint32_t rv_ran123_get_globalindex(void) {
    return g_globalindex;
}

void rv_philox4x32(const uint32_t c[4], const uint32_t k[2], uint32_t out[4]) {
    philox4x32_ctr_t ctr;
    philox4x32_key_t key;
    for (int i = 0; i < 4; ++i) ctr.v[i] = c[i];
    key.v[0] = k[0];
    key.v[1] = k[1];
    philox4x32_ctr_t res = philox4x32(ctr, key);
    for (int i = 0; i < 4; ++i) out[i] = res.v[i];
}

/* Generate the block for the current counter with the current global key. */
static void ran123_refill(rv_ran123 *s) {
    const uint32_t key[2] = {g_globalindex, 0u};
    s->key0 = g_globalindex;
    rv_philox4x32(s->c, key, s->r);
}

void rv_ran123_init(rv_ran123 *s, uint32_t id1, uint32_t id2, uint32_t id3) {
    s->c[1] = id3;
    s->c[2] = id1;
    s->c[3] = id2;
    rv_ran123_setseq(s, 0u, 0u);
}

void rv_ran123_setseq(rv_ran123 *s, uint32_t seq, uint32_t which) {
    /* NEURON maps an out-of-range word index to 0. */
    s->which = (which > 3u) ? 0u : which;
    s->c[0] = seq;
    ran123_refill(s);
}

void rv_ran123_getseq(const rv_ran123 *s, uint32_t *seq, uint32_t *which) {
    *seq = s->c[0];
    *which = s->which;
}

void rv_ran123_getids(const rv_ran123 *s, uint32_t *id1, uint32_t *id2, uint32_t *id3) {
    *id1 = s->c[2];
    *id2 = s->c[3];
    *id3 = s->c[1];
}

uint32_t rv_ran123_ipick(rv_ran123 *s) {
    uint32_t w = s->which & 3u;
    uint32_t val = s->r[w];
    if (w == 3u) {
        s->which = 0u;
        s->c[0] += 1u; /* wraps modulo 2^32 like NEURON's uint32 counter */
        ran123_refill(s);
    } else {
        s->which = w + 1u;
    }
    return val;
}

double rv_ran123_uint2dbl(uint32_t u) {
    return ((double)u + 1.0) * k_shift32;
}

double rv_ran123_dblpick(rv_ran123 *s) {
    return rv_ran123_uint2dbl(rv_ran123_ipick(s));
}

double rv_ran123_negexp(rv_ran123 *s) {
    return -log(rv_ran123_dblpick(s));
}

double rv_ran123_normal(rv_ran123 *s) {
    double v1, v2, w;
    do {
        double u1 = rv_ran123_dblpick(s);
        double u2 = rv_ran123_dblpick(s);
        v1 = 2.0 * u1 - 1.0;
        v2 = 2.0 * u2 - 1.0;
        w = v1 * v1 + v2 * v2;
    } while (w > 1.0);
    return v1 * sqrt((-2.0 * log(w)) / w);
}
