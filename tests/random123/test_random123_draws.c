/* SPDX-License-Identifier: MIT
 * tests/random123/test_random123_draws.c -- draw dumper and self checks for
 * engine/random123.c.
 *
 * Usage:
 *   test_random123_draws selftest
 *   test_random123_draws MODE id1 id2 id3 n [pos [gix [gix_after]]]
 * MODE is uniform | negexp | normal | ipick.  The stream is made after the
 * global index is set to gix (default 0), then positioned with pos, which
 * uses hoc Random.seq() encoding (pos = 4 * seq + which), then the global
 * index is switched to gix_after if given, then n draws are printed one per
 * line: doubles with "%.17g" (round-trips exactly), ipick as unsigned.
 * random123_oracle.py compares this output with NEURON.
 */
#include "ranvier/random123.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int g_failures = 0;

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);               \
            ++g_failures;                                                                          \
        }                                                                                          \
    } while (0)

static int parse_u64(const char *s, uint64_t max, uint64_t *out) {
    char *end = NULL;
    if (s[0] == '-') return 0;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno != 0 || end == s || *end != '\0' || v > max) return 0;
    *out = (uint64_t)v;
    return 1;
}

/* ---- self checks ------------------------------------------------------ */

static void check_kat(void) {
    /* Known-answer vectors for Philox4x32-10 from Random123's kat_vectors. */
    static const uint32_t kat[3][10] = {
        {0x00000000u, 0x00000000u, 0x00000000u, 0x00000000u, 0x00000000u, 0x00000000u, 0x6627e8d5u,
         0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u},
        {0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu, 0x408f276du,
         0x41c83b0eu, 0xa20bc7c6u, 0x6d5451fdu},
        {0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u, 0xa4093822u, 0x299f31d0u, 0xd16cfe09u,
         0x94fdccebu, 0x5001e420u, 0x24126ea1u},
    };
    for (int i = 0; i < 3; ++i) {
        uint32_t out[4];
        rv_philox4x32(&kat[i][0], &kat[i][4], out);
        for (int j = 0; j < 4; ++j) CHECK(out[j] == kat[i][6 + j]);
    }
}

/* The words a stream must produce at counter seq under global index gix. */
static void expected_block(uint32_t id1, uint32_t id2, uint32_t id3, uint32_t seq, uint32_t gix,
                           uint32_t out[4]) {
    const uint32_t c[4] = {seq, id3, id1, id2};
    const uint32_t k[2] = {gix, 0u};
    rv_philox4x32(c, k, out);
}

static void check_init_and_ids(void) {
    rv_ran123_set_globalindex(7u);
    CHECK(rv_ran123_get_globalindex() == 7u);
    rv_ran123 s;
    rv_ran123_init(&s, 11u, 22u, 33u);
    uint32_t a, b, c, seq, which;
    rv_ran123_getids(&s, &a, &b, &c);
    CHECK(a == 11u && b == 22u && c == 33u);
    CHECK(s.c[0] == 0u && s.c[1] == 33u && s.c[2] == 11u && s.c[3] == 22u);
    rv_ran123_getseq(&s, &seq, &which);
    CHECK(seq == 0u && which == 0u);
    CHECK(s.key0 == 7u);
    rv_ran123_set_globalindex(0u);
}

static void check_word_cycling(void) {
    const uint32_t id1 = 4294967295u, id2 = 5u, id3 = 123456789u, gix = 3u;
    rv_ran123_set_globalindex(gix);
    rv_ran123 s;
    rv_ran123_init(&s, id1, id2, id3);
    for (uint32_t k = 0; k < 64; ++k) {
        uint32_t seq, which, blk[4];
        rv_ran123_getseq(&s, &seq, &which);
        CHECK(seq == k / 4u && which == k % 4u);
        expected_block(id1, id2, id3, k / 4u, gix, blk);
        CHECK(rv_ran123_ipick(&s) == blk[k % 4u]);
    }
    rv_ran123_set_globalindex(0u);
}

static void check_setseq(void) {
    const uint32_t id1 = 1u, id2 = 2u, id3 = 3u;
    rv_ran123 ref, s;
    rv_ran123_init(&ref, id1, id2, id3);
    uint32_t stream[400];
    for (int i = 0; i < 400; ++i) stream[i] = rv_ran123_ipick(&ref);

    rv_ran123_init(&s, id1, id2, id3);
    static const uint32_t positions[] = {0u, 1u, 2u, 3u, 4u, 5u, 7u, 8u, 99u, 100u, 101u, 397u};
    for (size_t p = 0; p < sizeof positions / sizeof positions[0]; ++p) {
        uint32_t pos = positions[p], seq, which;
        rv_ran123_setseq(&s, pos / 4u, pos % 4u);
        rv_ran123_getseq(&s, &seq, &which);
        CHECK(seq == pos / 4u && which == pos % 4u);
        for (uint32_t i = pos; i < 400u; ++i) CHECK(rv_ran123_ipick(&s) == stream[i]);
    }
    /* Out-of-range word index resets to word 0, as in NEURON. */
    rv_ran123_setseq(&s, 10u, 4u);
    uint32_t seq, which;
    rv_ran123_getseq(&s, &seq, &which);
    CHECK(seq == 10u && which == 0u);
    CHECK(rv_ran123_ipick(&s) == stream[40]);
    rv_ran123_setseq(&s, 10u, 0xffffffffu);
    rv_ran123_getseq(&s, &seq, &which);
    CHECK(seq == 10u && which == 0u);

    /* The sequence counter wraps modulo 2^32. */
    rv_ran123_setseq(&s, 0xffffffffu, 3u);
    uint32_t blk[4];
    expected_block(id1, id2, id3, 0xffffffffu, 0u, blk);
    CHECK(rv_ran123_ipick(&s) == blk[3]);
    rv_ran123_getseq(&s, &seq, &which);
    CHECK(seq == 0u && which == 0u);
    CHECK(rv_ran123_ipick(&s) == stream[0]);
}

static void check_determinism(void) {
    rv_ran123 a, b, c, d;
    rv_ran123_init(&a, 9u, 8u, 7u);
    rv_ran123_init(&b, 9u, 8u, 7u);
    rv_ran123_init(&c, 9u, 8u, 6u);
    rv_ran123_set_globalindex(1u);
    rv_ran123_init(&d, 9u, 8u, 7u);
    rv_ran123_set_globalindex(0u);
    int diff_ids = 0, diff_gix = 0;
    for (int i = 0; i < 1000; ++i) {
        uint32_t x = rv_ran123_ipick(&a);
        CHECK(x == rv_ran123_ipick(&b));
        if (x != rv_ran123_ipick(&c)) ++diff_ids;
        /* d's later blocks use the current global index (0) like a's. */
        uint32_t y = rv_ran123_ipick(&d);
        if (i < 4 && x != y) ++diff_gix;
        if (i >= 4) CHECK(x == y);
    }
    CHECK(diff_ids > 990);
    CHECK(diff_gix >= 3);
}

static void check_globalindex_switch(void) {
    /* NEURON reads the global key whenever a block is generated. */
    rv_ran123_set_globalindex(5u);
    rv_ran123 s;
    rv_ran123_init(&s, 1u, 2u, 3u);
    rv_ran123_set_globalindex(6u);
    uint32_t b0[4], b1[4];
    expected_block(1u, 2u, 3u, 0u, 5u, b0);
    expected_block(1u, 2u, 3u, 1u, 6u, b1);
    for (int i = 0; i < 4; ++i) CHECK(rv_ran123_ipick(&s) == b0[i]);
    CHECK(s.key0 == 6u);
    for (int i = 0; i < 4; ++i) CHECK(rv_ran123_ipick(&s) == b1[i]);
    rv_ran123_set_globalindex(0u);
}

static void check_transforms(void) {
    const double shift = 1.0 / 4294967297.0;
    CHECK(rv_ran123_uint2dbl(0u) == shift);
    CHECK(rv_ran123_uint2dbl(0u) > 0.0);
    CHECK(rv_ran123_uint2dbl(0xffffffffu) < 1.0);
    CHECK(rv_ran123_uint2dbl(0xffffffffu) == 4294967296.0 * shift);
    /* NEURON multiplies by the rounded reciprocal; dividing by 2^32 + 1
     * differs in the last bit for some words, so sweep many of them. */
    int bad = 0;
    for (uint64_t u = 0; u <= 0xffffffffu; u += 997u)
        if (rv_ran123_uint2dbl((uint32_t)u) != ((double)u + 1.0) * shift) ++bad;
    CHECK(bad == 0);

    rv_ran123 a, b;
    rv_ran123_init(&a, 42u, 0u, 0u);
    rv_ran123_init(&b, 42u, 0u, 0u);
    for (int i = 0; i < 100; ++i) {
        double u = rv_ran123_dblpick(&a);
        CHECK(u == ((double)rv_ran123_ipick(&b) + 1.0) * shift);
        CHECK(u > 0.0 && u < 1.0);
    }
    for (int i = 0; i < 100; ++i) {
        double e = rv_ran123_negexp(&a);
        CHECK(e == -log(rv_ran123_dblpick(&b)));
        CHECK(e > 0.0 && e < 22.2);
    }
    /* normal: polar method, first coordinate, whole pairs of picks. */
    for (int i = 0; i < 100; ++i) {
        double z = rv_ran123_normal(&a);
        double v1, w;
        do {
            v1 = 2.0 * rv_ran123_dblpick(&b) - 1.0;
            double v2 = 2.0 * rv_ran123_dblpick(&b) - 1.0;
            w = v1 * v1 + v2 * v2;
        } while (w > 1.0);
        CHECK(z == v1 * sqrt((-2.0 * log(w)) / w));
        uint32_t sa, wa, sb, wb;
        rv_ran123_getseq(&a, &sa, &wa);
        rv_ran123_getseq(&b, &sb, &wb);
        CHECK(sa == sb && wa == wb && wa % 2u == 0u);
    }
}

static void check_moments(void) {
    const int n = 200000;
    rv_ran123 s;
    rv_ran123_init(&s, 2024u, 1u, 0u);
    double su = 0.0, se = 0.0, sn = 0.0, sn2 = 0.0;
    for (int i = 0; i < n; ++i) {
        su += rv_ran123_dblpick(&s);
        se += rv_ran123_negexp(&s);
        double z = rv_ran123_normal(&s);
        CHECK(isfinite(z));
        sn += z;
        sn2 += z * z;
    }
    CHECK(fabs(su / n - 0.5) < 0.005);
    CHECK(fabs(se / n - 1.0) < 0.01);
    CHECK(fabs(sn / n) < 0.01);
    CHECK(fabs(sn2 / n - 1.0) < 0.02);
}

static int selftest(void) {
    check_kat();
    check_init_and_ids();
    check_word_cycling();
    check_setseq();
    check_determinism();
    check_globalindex_switch();
    check_transforms();
    check_moments();
    if (g_failures) {
        fprintf(stderr, "random123 selftest: %d check(s) failed\n", g_failures);
        return 1;
    }
    printf("random123 selftest: ok\n");
    return 0;
}

/* ---- draw dumper ------------------------------------------------------ */

static int usage(const char *argv0) {
    fprintf(stderr,
            "usage: %s selftest\n"
            "       %s uniform|negexp|normal|ipick id1 id2 id3 n [pos [gix [gix_after]]]\n"
            "       (pos = 4*seq + which, as hoc Random.seq())\n",
            argv0, argv0);
    return 2;
}

int main(int argc, char **argv) {
    if (argc < 2) return usage(argv[0]);
    const char *mode = argv[1];
    if (strcmp(mode, "selftest") == 0) return selftest();

    enum { M_UNIFORM, M_NEGEXP, M_NORMAL, M_IPICK } m;
    if (strcmp(mode, "uniform") == 0)
        m = M_UNIFORM;
    else if (strcmp(mode, "negexp") == 0)
        m = M_NEGEXP;
    else if (strcmp(mode, "normal") == 0)
        m = M_NORMAL;
    else if (strcmp(mode, "ipick") == 0)
        m = M_IPICK;
    else
        return usage(argv[0]);

    if (argc < 6 || argc > 9) return usage(argv[0]);
    uint64_t id1, id2, id3, n, pos = 0, gix = 0, gix_after = 0;
    const uint64_t u32max = 0xffffffffu;
    if (!parse_u64(argv[2], u32max, &id1) || !parse_u64(argv[3], u32max, &id2) ||
        !parse_u64(argv[4], u32max, &id3) || !parse_u64(argv[5], UINT64_MAX, &n) ||
        (argc > 6 && !parse_u64(argv[6], 4u * u32max + 3u, &pos)) ||
        (argc > 7 && !parse_u64(argv[7], u32max, &gix)) ||
        (argc > 8 && !parse_u64(argv[8], u32max, &gix_after))) {
        fprintf(stderr, "%s: bad numeric argument\n", argv[0]);
        return usage(argv[0]);
    }

    rv_ran123_set_globalindex((uint32_t)gix);
    rv_ran123 s;
    rv_ran123_init(&s, (uint32_t)id1, (uint32_t)id2, (uint32_t)id3);
    if (argc > 6) rv_ran123_setseq(&s, (uint32_t)(pos / 4u), (uint32_t)(pos % 4u));
    if (argc > 8) rv_ran123_set_globalindex((uint32_t)gix_after);

    for (uint64_t i = 0; i < n; ++i) {
        switch (m) {
        case M_UNIFORM:
            printf("%.17g\n", rv_ran123_dblpick(&s));
            break;
        case M_NEGEXP:
            printf("%.17g\n", rv_ran123_negexp(&s));
            break;
        case M_NORMAL:
            printf("%.17g\n", rv_ran123_normal(&s));
            break;
        case M_IPICK:
            printf("%" PRIu32 "\n", rv_ran123_ipick(&s));
            break;
        }
    }
    return fflush(stdout) == 0 ? 0 : 1;
}
