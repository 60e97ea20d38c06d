/* SPDX-License-Identifier: MIT
 * tests/hoc/test_hoc_fuzz.c -- mutated hoc sources (tokens inserted, spans
 * deleted or spliced from other files) run through the interpreter with a
 * statement budget: every run ends with RV_OK or an error, never a crash or
 * a hang (the sanitizer build checks memory). */
#include "ranvier/engine.h"
#include "ranvier/hoc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned long long seed = 88172645463325252ull;
static unsigned rnd(unsigned n) {
    seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
    return (unsigned)(seed % n);
}

static void sink(void *ud, const char *s, size_t n) {
    (void)ud, (void)s, (void)n;
}

static char *slurp(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    if (s && fread(s, 1, (size_t)n, f) != (size_t)n) n = 0;
    if (s) s[n] = 0;
    fclose(f);
    return s;
}

static const char *toks[] = {"{",
                             "}",
                             "(",
                             ")",
                             "[",
                             "]",
                             "$1",
                             "$o2",
                             "$s1",
                             "\"",
                             "\n",
                             ".",
                             ",",
                             "=",
                             "for ",
                             "if ",
                             "else ",
                             "begintemplate X\n",
                             "endtemplate X\n",
                             "proc p() ",
                             "forsec ",
                             "create a[2]\n",
                             "0",
                             "-1",
                             "1e308",
                             "/*",
                             "//",
                             "\\",
                             "&",
                             "new Vector(",
                             "x[",
                             " soma ",
                             "numarg()",
                             "return ",
                             "break ",
                             "access ",
                             "connect ",
                             "%",
                             "^",
                             "forall ",
                             "local ",
                             "localobj ",
                             "execute(\"",
                             "sprint(",
                             "printf(\"%d %s %g\\n\", ",
                             "};"};

int main(int argc, char **argv) {
    char *src[16];
    int ns = 0;
    for (int i = 1; i < argc && ns < 16; ++i)
        if ((src[ns] = slurp(argv[i]))) ++ns;
    if (!ns) {
        fprintf(stderr, "usage: hoc_fuzz FILE.hoc...\n");
        return 2;
    }
    int iters = 3000, ok = 0, errs = 0;
    char *buf = malloc(1 << 20);
    if (!buf) return 1;
    for (int it = 0; it < iters; ++it) {
        const char *base = src[rnd((unsigned)ns)];
        size_t n = strlen(base);
        if (n > (1 << 19)) n = 1 << 19;
        memcpy(buf, base, n);
        int muts = 1 + (int)rnd(6);
        for (int k = 0; k < muts; ++k) {
            size_t p = n ? rnd((unsigned)n + 1) : 0;
            unsigned r = rnd(10);
            if (r < 4) {
                const char *t = toks[rnd(sizeof toks / sizeof *toks)];
                size_t tl = strlen(t);
                if (n + tl >= (1 << 20) - 1) continue;
                memmove(buf + p + tl, buf + p, n - p);
                memcpy(buf + p, t, tl);
                n += tl;
            } else if (r < 7) {
                size_t d = 1 + rnd(12);
                if (p + d > n) d = n - p;
                memmove(buf + p, buf + p + d, n - p - d);
                n -= d;
            } else {
                const char *o = src[rnd((unsigned)ns)];
                size_t on = strlen(o), a = on ? rnd((unsigned)on) : 0, l = 1 + rnd(40);
                if (a + l > on) l = on - a;
                if (n + l >= (1 << 20) - 1) continue;
                memmove(buf + p + l, buf + p, n - p);
                memcpy(buf + p, o + a, l);
                n += l;
            }
        }
        buf[n] = 0;
        rv_model *m;
        rv_hoc *h;
        rv_error err;
        if (rv_model_create(&m, NULL) || rv_hoc_create(m, &h, &err)) return 1;
        rv_hoc_set_output(h, sink, NULL);
        rv_hoc_set_step_limit(h, 20000);
        if (rv_hoc_exec(h, buf, "fuzz.hoc", &err) == RV_OK)
            ++ok;
        else
            ++errs;
        rv_hoc_destroy(h);
        rv_model_destroy(m);
    }
    free(buf);
    for (int i = 0; i < ns; ++i) free(src[i]);
    printf("%d mutated sources: %d ran, %d stopped with an error; no crash\n", iters, ok, errs);
    return 0;
}
