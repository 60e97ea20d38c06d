/* SPDX-License-Identifier: MIT
 * Generated mechanism code calls glibc's exp kernel __exp_finite (the
 * function glibc's exp calls before its errno check) instead of exp, to skip
 * the wrapper and a PLT jump (src/nmodl/codegen.c, _rv_exp1).  That is only
 * right if both give the same bits: checked here on every argument class
 * rv_exp passes (|x| <= 700): 4 million pseudo-random arguments, uniform in
 * value and uniform in bit pattern, plus a sweep around 0 and the ends.
 * Elsewhere than x86-64 glibc the generated code calls exp itself and there
 * is nothing to check. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#if defined(__x86_64__) && defined(__GLIBC__) && defined(__GNUC__)
extern double rv_test_exp_finite(double);
__asm__(".symver rv_test_exp_finite, __exp_finite@GLIBC_2.15");

static uint64_t bits(double x) {
    uint64_t u;
    memcpy(&u, &x, sizeof u);
    return u;
}

static uint64_t state = 0x9e3779b97f4a7c15ULL;
static uint64_t next(void) { /* splitmix64 */
    uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static long n_checked, n_diff;
static double worst_x;

static void check(double x) {
    volatile double xv = x;
    double a = exp(xv), b = rv_test_exp_finite(xv);
    ++n_checked;
    if (bits(a) != bits(b)) {
        if (!n_diff) worst_x = x;
        ++n_diff;
    }
}

int main(void) {
    for (int k = 0; k < 2000000; ++k) /* uniform in value */
        check(-700.0 + 1400.0 * (double)(next() >> 11) * 0x1.0p-53);
    for (int k = 0; k < 2000000; ++k) { /* uniform in bits, |x| <= 700 */
        uint64_t u = next();
        double x;
        memcpy(&x, &u, sizeof x);
        if (isnan(x) || fabs(x) > 700.0) x = fmod(x, 700.0);
        if (isnan(x)) x = 0.0;
        check(x);
    }
    for (int k = -100000; k <= 100000; ++k) check(k * 1e-5); /* around 0 */
    for (int k = 0; k < 1000; ++k) {
        check(700.0 - k * 1e-3);
        check(-700.0 + k * 1e-3);
    }
    check(0.0), check(-0.0), check(700.0), check(-700.0), check(NAN);
    /* NaN: both NaN, compare by class rather than payload */
    if (!isnan(rv_test_exp_finite(NAN))) ++n_diff;
    printf("__exp_finite vs exp: %ld arguments, %ld bit differences\n", n_checked, n_diff);
    if (n_diff) printf("first difference at x = %.17g\n", worst_x);
    return n_diff ? 1 : 0;
}
#else
int main(void) {
    printf("not x86-64 glibc: generated code calls exp itself, nothing to check\n");
    return 0;
}
#endif
