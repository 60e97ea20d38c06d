/* SPDX-License-Identifier: MIT
 * tests/random123/test_random_dist.c -- draw dumper and self checks for
 * engine/random_dist.c (hoc Random distributions on Random123).
 *
 * Usage:
 *   test_random_dist selftest
 *   test_random_dist gix id1 id2 id3 OP...
 * The global index is set to gix, a Random123 hoc Random is made with the
 * three ids, then each OP is applied in order and every value it yields is
 * printed with "%.17g", one per line.  OPs:
 *   normal:MEAN:VAR  uniform:LOW:HIGH  negexp:MEAN  lognormal:MEAN:VAR
 *   poisson:MEAN     (each sets the distribution and prints its one draw)
 *   repick:K         (K more draws from the current distribution)
 * random_dist_oracle.py runs the same OPs on NEURON's h.Random.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ranvier/random123.h"

static int g_failures = 0;

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);               \
            ++g_failures;                                                                          \
        }                                                                                          \
    } while (0)

static int parse_u32(const char *s, uint32_t *out) {
    char *end = NULL;
    if (s[0] == '-') return 0;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno != 0 || end == s || *end != '\0' || v > 4294967295ull) return 0;
    *out = (uint32_t)v;
    return 1;
}

/* Parse "name:a[:b]" into its numbers; returns the count or -1. */
static int parse_op(const char *op, const char *name, double *a, double *b) {
    size_t n = strlen(name);
    if (strncmp(op, name, n) != 0 || op[n] != ':') return -1;
    char *end = NULL;
    *a = strtod(op + n + 1, &end);
    if (end == op + n + 1) return -1;
    if (*end == '\0') return 1;
    if (*end != ':') return -1;
    const char *p = end + 1;
    *b = strtod(p, &end);
    if (end == p || *end != '\0') return -1;
    return 2;
}

static int run_ops(int argc, char **argv) {
    uint32_t gix, id1, id2, id3;
    if (argc < 5 || !parse_u32(argv[1], &gix) || !parse_u32(argv[2], &id1) ||
        !parse_u32(argv[3], &id2) || !parse_u32(argv[4], &id3)) {
        fprintf(stderr, "usage: test_random_dist gix id1 id2 id3 OP...\n");
        return 2;
    }
    rv_ran123_set_globalindex(gix);
    rv_hrand r;
    rv_hrand_init(&r, id1, id2, id3);
    for (int i = 5; i < argc; ++i) {
        double a = 0, b = 0;
        const char *op = argv[i];
        if (parse_op(op, "normal", &a, &b) == 2)
            printf("%.17g\n", rv_hrand_normal(&r, a, b));
        else if (parse_op(op, "uniform", &a, &b) == 2)
            printf("%.17g\n", rv_hrand_uniform(&r, a, b));
        else if (parse_op(op, "lognormal", &a, &b) == 2)
            printf("%.17g\n", rv_hrand_lognormal(&r, a, b));
        else if (parse_op(op, "negexp", &a, &b) == 1)
            printf("%.17g\n", rv_hrand_negexp(&r, a));
        else if (parse_op(op, "poisson", &a, &b) == 1)
            printf("%.17g\n", rv_hrand_poisson(&r, a));
        else if (parse_op(op, "repick", &a, &b) == 1 && a >= 0 && a < 1e8) {
            long k = (long)a;
            for (long j = 0; j < k; ++j) printf("%.17g\n", rv_hrand_repick(&r));
        } else {
            fprintf(stderr, "test_random_dist: bad op '%s'\n", op);
            return 2;
        }
    }
    return 0;
}

static void selftest(void) {
    rv_ran123_set_globalindex(0);
    /* normal(0, 1) then repick: the first value is nrnran123's normal on the
     * same stream, the repick is the cached second coordinate (no picks). */
    rv_hrand r;
    rv_ran123 s;
    rv_hrand_init(&r, 3, 4, 5);
    rv_ran123_init(&s, 3, 4, 5);
    CHECK(rv_hrand_normal(&r, 0, 1) == rv_ran123_normal(&s));
    uint32_t seq0, w0, seq1, w1;
    rv_ran123_getseq(&r.gen, &seq0, &w0);
    double second = rv_hrand_repick(&r);
    rv_ran123_getseq(&r.gen, &seq1, &w1);
    CHECK(seq0 == seq1 && w0 == w1 && isfinite(second));
    /* setting the distribution again drops the cache: picks are consumed */
    (void)rv_hrand_normal(&r, 0, 1);
    rv_ran123_getseq(&r.gen, &seq1, &w1);
    CHECK(seq1 * 4 + w1 >= seq0 * 4 + w0 + 2);
    /* uniform stays inside [low, high) whatever the argument order */
    rv_hrand_init(&r, 1, 2, 3);
    double lo = 1e300, hi = -1e300, sum = 0;
    for (int i = 0; i < 100000; ++i) {
        double u = i == 0 ? rv_hrand_uniform(&r, 5.0, -3.0) : rv_hrand_repick(&r);
        lo = u < lo ? u : lo;
        hi = u > hi ? u : hi;
        sum += u;
    }
    CHECK(lo >= -3.0 && hi < 5.0 && fabs(sum / 100000 - 1.0) < 0.05);
    /* negexp, poisson and lognormal means, normal variance */
    double se = 0, sp = 0, sl = 0, sn = 0, sn2 = 0;
    const int n = 200000;
    rv_hrand_init(&r, 9, 8, 7);
    for (int i = 0; i < n; ++i) se += i == 0 ? rv_hrand_negexp(&r, 2.5) : rv_hrand_repick(&r);
    rv_hrand_init(&r, 9, 8, 6);
    for (int i = 0; i < n; ++i) sp += i == 0 ? rv_hrand_poisson(&r, 3.0) : rv_hrand_repick(&r);
    rv_hrand_init(&r, 9, 8, 5);
    for (int i = 0; i < n; ++i)
        sl += i == 0 ? rv_hrand_lognormal(&r, 2.0, 0.5) : rv_hrand_repick(&r);
    rv_hrand_init(&r, 9, 8, 4);
    for (int i = 0; i < n; ++i) {
        double x = i == 0 ? rv_hrand_normal(&r, 1.0, 4.0) : rv_hrand_repick(&r);
        sn += x;
        sn2 += x * x;
    }
    double mn = sn / n, vn = sn2 / n - mn * mn;
    fprintf(stderr,
            "means: negexp %.4f (2.5) poisson %.4f (3) lognormal %.4f (2) normal %.4f (1) "
            "var %.4f (4)\n",
            se / n, sp / n, sl / n, mn, vn);
    CHECK(fabs(se / n - 2.5) < 0.03);
    CHECK(fabs(sp / n - 3.0) < 0.03);
    CHECK(fabs(sl / n - 2.0) < 0.02);
    CHECK(fabs(mn - 1.0) < 0.02 && fabs(vn - 4.0) < 0.06);
}

int main(int argc, char **argv) {
    if (argc == 2 && strcmp(argv[1], "selftest") == 0) {
        selftest();
        if (g_failures) {
            fprintf(stderr, "%d check(s) failed\n", g_failures);
            return 1;
        }
        printf("random_dist selftest ok\n");
        return 0;
    }
    return run_ops(argc, argv);
}
