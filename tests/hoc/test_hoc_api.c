/* SPDX-License-Identifier: MIT
 * tests/hoc/test_hoc_api.c -- the hoc C API: running strings, reading
 * numbers, output capture, sections made in the model, errors with their
 * position, and every allocation failing in turn (no crash, no leak). */
#include "ranvier/engine.h"
#include "ranvier/hoc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fails;
#define CHECK(c)                                                                                   \
    do {                                                                                           \
        if (!(c)) {                                                                                \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #c);                  \
            ++fails;                                                                               \
        }                                                                                          \
    } while (0)

static char outbuf[4096];
static size_t outlen;
static void capture(void *ud, const char *s, size_t n) {
    (void)ud;
    if (outlen + n < sizeof outbuf) {
        memcpy(outbuf + outlen, s, n);
        outlen += n;
        outbuf[outlen] = 0;
    }
}

static const char *cell =
    "begintemplate C\n"
    "public soma, dend\n"
    "create soma, dend[2]\n"
    "proc init() { local i\n"
    "  soma { L = 10 diam = 10 insert hh }\n"
    "  for i = 0, 1 { connect dend[i](0), soma(1) dend[i] { nseg = 3 insert pas g_pas = $1 } }\n"
    "}\n"
    "endtemplate C\n"
    "objref c[3]\n"
    "for i = 0, 2 c[i] = new C(1e-4*(i+1))\n"
    "n = 0\n"
    "forall n += nseg\n"
    "printf(\"%d sections\\n\", n)\n";

static int run(int strict) {
    rv_model *m;
    rv_hoc *h;
    rv_error err;
    if (rv_model_create(&m, NULL)) return -1;
    if (rv_hoc_create(m, &h, &err)) {
        rv_model_destroy(m);
        return -1;
    }
    rv_hoc_set_output(h, capture, NULL);
    rv_hoc_set_echo(h, 0);
    outlen = 0;
    rv_status st = rv_hoc_exec(h, cell, "cell.hoc", &err);
    if (!st) {
        double n = 0;
        st = rv_hoc_get_number(h, "n", &n, &err);
        CHECK(st || n == 21);
    }
    if (!st) {
        CHECK(strcmp(outbuf, "21 sections\n") == 0);
        CHECK(rv_model_section_count(m) == 9);
        CHECK(strcmp(rv_section_name(m, 4), "C[1].dend[0]") == 0);
        double g = 0;
        rv_status gs = rv_range_get(m, 7, 0.5, "g_pas", &g, NULL);
        if (strict) CHECK(!gs && fabs(g - 3e-4) < 1e-18);
    }
    rv_hoc_destroy(h);
    rv_model_destroy(m);
    return st ? -1 : 0;
}

/* allocator failing at the k-th call */
static long countdown;
static void *failing(void *ud, void *p, size_t n) {
    (void)ud;
    if (n == 0) {
        free(p);
        return NULL;
    }
    if (countdown-- == 0) return NULL; /* negative: counts down forever */
    return realloc(p, n);
}

int main(void) {
    CHECK(run(1) == 0);

    /* errors: position and code */
    rv_model *m = NULL;
    rv_hoc *h = NULL;
    rv_error err;
    char buf[1024];
    if (rv_model_create(&m, NULL) || rv_hoc_create(m, &h, &err)) {
        fprintf(stderr, "cannot create the interpreter\n");
        return 1;
    }
    rv_hoc_set_output(h, capture, NULL);
    CHECK(rv_hoc_exec(h, "x = 1\n\nproc f() {\n  y = nosuch + 1\n}\nf()\n", "e.hoc", &err) ==
          RV_ENOENT);
    CHECK(err.line == 4 && strcmp(err.path, "e.hoc") == 0);
    rv_error_format(&err, buf, sizeof buf);
    CHECK(strstr(buf, "e.hoc:4: error: undefined variable nosuch") != NULL);
    CHECK(rv_hoc_exec(h, "create a\na insert nosuchmech\n", "m.hoc", &err) == RV_ENOENT);
    CHECK(err.line == 2);
    CHECK(rv_hoc_exec(h, "for i = 0, 1 {\n", "s.hoc", &err) == RV_EFORMAT);
    /* the interpreter stays usable after an error */
    double x = 0;
    CHECK(rv_hoc_exec(h, "x = 41 + 1\n", "ok.hoc", &err) == RV_OK);
    CHECK(!rv_hoc_get_number(h, "x", &x, &err) && x == 42);
    CHECK(rv_hoc_load_file(h, "/nonexistent/file.hoc", &err) == RV_ENOENT);
    rv_hoc_destroy(h);
    rv_model_destroy(m);

    /* allocation failures: every allocation fails in turn; each run ends
     * with OK or an error (a failed probe of a scratch model may fall back
     * silently), never a crash or a leak (the sanitizer build checks) */
    countdown = -1;
    rv_set_allocator(failing, NULL);
    CHECK(run(0) == 0);
    rv_set_allocator(NULL, NULL);
    long total = -countdown - 1;
    int clean = 0;
    for (long k = 0; k < total; ++k) {
        countdown = k;
        rv_set_allocator(failing, NULL);
        clean += run(0) != 0;
        rv_set_allocator(NULL, NULL);
    }
    printf("allocation failures: %ld points, %d reported as errors, none crashed\n", total, clean);
    if (fails) printf("%d checks failed\n", fails);
    return fails ? 1 : 0;
}
