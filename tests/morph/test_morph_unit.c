/* SPDX-License-Identifier: MIT
 * tests/morph/test_morph_unit.c -- morphology layer, without NEURON:
 *  - the %.8g round trip (rv__hoc_g8) against snprintf + strtod, and the
 *    fast number parsers against strtod/strtof, on millions of values;
 *  - symmeig3 (eigen-equation residual, orthogonality);
 *  - what the importer makes of the test files: names, order, parents,
 *    connection positions, logical points, notes;
 *  - the builder's call order (create all, then connect / style / points in
 *    Import3d's order) and rv_morph_instantiate into an rv_model.
 * usage: test_morph_unit DATA_DIR
 */
#include "morph/morph_int.h"
#include "ranvier/engine.h"
#include "ranvier/morph.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures = 0;
#define CHECK(c, ...)                                                                              \
    do {                                                                                           \
        if (!(c)) {                                                                                \
            failures++;                                                                            \
            printf("FAIL %s:%d: ", __FILE__, __LINE__);                                            \
            printf(__VA_ARGS__);                                                                   \
            printf("\n");                                                                          \
        }                                                                                          \
    } while (0)

static uint64_t rng = 88172645463325252ULL;
static uint64_t next_u64(void) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}
static double uniform(void) {
    return (double)(next_u64() >> 11) * (1.0 / 9007199254740992.0);
}

static void test_g8(void) {
    long n = 0, bad = 0;
    for (int i = 0; i < 3000000; ++i) {
        double v;
        int kind = i % 4;
        if (kind == 0) { /* floats of all magnitudes */
            v = (float)((uniform() - 0.5) * pow(10, (int)(uniform() * 16) - 8));
        } else if (kind == 1) { /* doubles */
            v = (uniform() - 0.5) * pow(10, (int)(uniform() * 20) - 10);
        } else if (kind == 2) { /* short decimals, as in files */
            v = (double)((int64_t)(next_u64() % 2000001) - 1000000) / 100.0;
        } else { /* near ties of the 8th digit */
            double m = 10000000 + (double)(next_u64() % 90000000) + 0.5;
            v = m * pow(10, (int)(uniform() * 10) - 12);
        }
        char buf[40];
        snprintf(buf, sizeof buf, "%.8g", v);
        double want = strtod(buf, NULL), got = rv__hoc_g8(v);
        n++;
        if (memcmp(&want, &got, sizeof want) != 0 && !(want == 0 && got == 0)) {
            if (bad++ < 5) printf("  g8(%.17g) = %.17g, printf says %.17g\n", v, got, want);
        }
    }
    CHECK(bad == 0, "%ld of %ld %%.8g round trips differ", bad, n);
    printf("g8: %ld values, %ld differences from snprintf+strtod\n", n, bad);
}

static void test_parse(void) {
    long n = 0, bad = 0;
    char buf[64];
    for (int i = 0; i < 2000000; ++i) {
        int nd = 1 + (int)(next_u64() % 22), point = (int)(next_u64() % (nd + 1));
        int k = 0;
        if (next_u64() % 3 == 0) buf[k++] = '-';
        for (int j = 0; j < nd; ++j) {
            if (j == point && j > 0) buf[k++] = '.';
            buf[k++] = (char)('0' + next_u64() % 10);
        }
        if (next_u64() % 4 == 0) k += snprintf(buf + k, 10, "e%d", (int)(next_u64() % 50) - 25);
        buf[k++] = ')';
        buf[k] = 0;
        double dw, dg;
        float fw, fg;
        char *e1;
        dw = strtod(buf, &e1);
        const char *e2 = rv__parse_double(buf, &dg);
        n++;
        if (e2 != e1 || memcmp(&dw, &dg, sizeof dw) != 0) {
            if (bad++ < 5) printf("  parse_double(%s) = %.17g, strtod %.17g\n", buf, dg, dw);
        }
        fw = strtof(buf, &e1);
        e2 = rv__parse_float(buf, &fg);
        if (e2 != e1 || memcmp(&fw, &fg, sizeof fw) != 0) {
            if (bad++ < 5) printf("  parse_float(%s) = %.9g, strtof %.9g\n", buf, fg, fw);
        }
    }
    const char *odd[] = {"inf", "-nan", "0x1p3", "1e", "1e+",
                         ".5",  "5.",   "-.e3",  "+",  "Incomplete"};
    for (size_t i = 0; i < sizeof odd / sizeof *odd; ++i) {
        double dw, dg = -1;
        char *e1;
        dw = strtod(odd[i], &e1);
        const char *e2 = rv__parse_double(odd[i], &dg);
        if (e1 == odd[i])
            CHECK(e2 == NULL, "parse_double(%s) should fail", odd[i]);
        else
            CHECK(e2 == e1 && (dg == dw || (isnan(dg) && isnan(dw))), "parse_double(%s)", odd[i]);
    }
    CHECK(bad == 0, "%ld of %ld parses differ", bad, n);
    printf("parse: %ld decimals (double and float), %ld differences from strtod/strtof\n", n, bad);
}

static void test_symmeig(void) {
    double worst = 0;
    for (int t = 0; t < 20000; ++t) {
        double a[3][3], q[3][3], lam[3];
        for (int i = 0; i < 3; ++i)
            for (int j = i; j < 3; ++j) a[i][j] = a[j][i] = (uniform() - 0.5) * 100;
        if (t % 5 == 0) a[0][1] = a[1][0] = 0; /* already partly reduced */
        rv__symmeig3(a, q, lam);
        for (int k = 0; k < 3; ++k)
            for (int i = 0; i < 3; ++i) {
                double r = -lam[k] * q[i][k];
                for (int j = 0; j < 3; ++j) r += a[i][j] * q[j][k];
                if (fabs(r) > worst) worst = fabs(r);
            }
        for (int k = 0; k < 3; ++k)
            for (int l = 0; l < 3; ++l) {
                double s = 0;
                for (int i = 0; i < 3; ++i) s += q[i][k] * q[i][l];
                if (fabs(s - (k == l)) > worst) worst = fabs(s - (k == l));
            }
    }
    CHECK(worst < 1e-10, "symmeig residual %g", worst);
    printf("symmeig3: 20000 matrices, worst residual %.3g\n", worst);
}

static rv_morph *load(const char *dir, const char *name) {
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    rv_error err = {0};
    rv_morph *m = NULL;
    if (rv_morph_load(path, RV_MORPH_AUTO, &m, &err)) {
        char buf[1200];
        CHECK(0, "load %s: %s", name, rv_error_format(&err, buf, sizeof buf));
    }
    return m;
}

/* "name<parent@x" for every section in creation order */
static void topology(const rv_morph *m, char *buf, size_t n) {
    size_t k = 0;
    buf[0] = 0;
    for (int i = 0; i < m->nsec && k < n; ++i) {
        const rv_morph_section *s = &m->sec[i];
        if (s->parent >= 0)
            k += (size_t)snprintf(buf + k, n - k, "%s%s<%s@%g", i ? " " : "", s->name,
                                  m->sec[s->parent].name, s->parent_x);
        else
            k += (size_t)snprintf(buf + k, n - k, "%s%s", i ? " " : "", s->name);
    }
}

static void expect_topology(const char *dir, const char *file, const char *want) {
    rv_morph *m = load(dir, file);
    if (!m) return;
    char got[4096];
    topology(m, got, sizeof got);
    CHECK(strcmp(got, want) == 0, "%s:\n   got  %s\n   want %s", file, got, want);
    rv_morph_destroy(m);
}

static void test_files(const char *dir) {
    expect_topology(dir, "soma1_trees.swc",
                    "soma[0] axon[0]<soma[0]@0.5 axon[1]<axon[0]@1 axon[2]<axon[0]@1 "
                    "dend[0]<soma[0]@0.5 dend[1]<dend[0]@1 dend[2]<dend[0]@1 dend[3]<soma[0]@0.5 "
                    "apic[0]<soma[0]@0.5 apic[1]<apic[0]@1 apic[2]<apic[0]@1 "
                    "dend_7[0]<apic[1]@1");
    expect_topology(dir, "soma_cylinders.swc",
                    "soma[0] axon[0]<soma[0]@0.5 dend[0]<soma[0]@0 dend[1]<soma[0]@0.5 "
                    "dend[2]<soma[0]@0.5 apic[0]<soma[0]@1 apic[1]<apic[0]@1 apic[2]<apic[0]@1");
    expect_topology(dir, "root_dend.swc",
                    "minus_1[0]<dend[2]@1 dend[0] dend[1]<dend[0]@0 dend[2]<dend[0]@0");
    expect_topology(dir, "nosoma.asc",
                    "dend_0[0] dend_0[1]<dend_0[0]@1 dend_0[2]<dend_0[0]@1 dend_0[3]<dend_0[0]@1 "
                    "dend[0] dend[1]<dend[0]@1 dend[2]<dend[0]@1");
    expect_topology(dir, "two_somas.asc",
                    "soma[0] soma[1] axon[0]<soma[0]@0.5 dend[0]<soma[0]@0.5 dend[1]<soma[1]@0.5 "
                    "dend[2]<soma[1]@0.5 apic[0]<soma[1]@0.5 apic[1]<apic[0]@1 "
                    "apic[2]<apic[0]@1");
    /* one-point soma: a 3-point cylinder along x, L = diam = 13 */
    rv_morph *m = load(dir, "soma1_trees.swc");
    if (m) {
        const rv_morph_section *s = &m->sec[0];
        CHECK(s->npt == 3 && s->pt[0] == -6.5f && s->pt[4] == 0 && s->pt[8] == 6.5f &&
                  s->pt[3] == 13 && s->pt[11] == 13,
              "sphere soma points");
        CHECK(fabs(rv_morph_section_L(s) - 13) < 1e-12, "sphere soma L");
        /* children of a one-point soma are wired (logical first point) */
        const rv_morph_section *ax = &m->sec[rv_morph_find(m, "axon[0]")];
        CHECK(ax->logical && ax->lx == 0 && ax->npt == 3 && ax->pt[1] == -7.0f, "axon wire");
        CHECK(m->format == RV_MORPH_SWC && m->npoint_read == 23, "format/points");
        rv_morph_destroy(m);
    }
    /* notes: the removed sections, the root outside the somata */
    m = load(dir, "two_somas.asc");
    if (m) {
        CHECK(m->nnote == 2 && strstr(m->note[0], "line 19") && strstr(m->note[1], "line 51"),
              "two_somas notes (%d)", m->nnote);
        rv_morph_destroy(m);
    }
    m = load(dir, "wired_prox.swc");
    if (m) {
        CHECK(m->nnote == 1 && strstr(m->note[0], "length 0"), "wired_prox: %d notes", m->nnote);
        rv_morph_destroy(m);
    }
    /* contour soma: 21 points on the centroid line */
    m = load(dir, "full.asc");
    if (m) {
        CHECK(m->nsec == 19 && m->sec[0].npt == 21 && !m->sec[0].logical, "full.asc soma");
        CHECK(m->format == RV_MORPH_ASC, "format");
        rv_morph_destroy(m);
    }
    m = load(dir, "contour.h5");
    if (m) {
        CHECK(m->format == RV_MORPH_H5 && m->nsec == 10 && m->sec[0].npt == 21, "contour.h5");
        rv_morph_destroy(m);
    }
}

/* the builder sees: all creates, then per section connect, style, points */
typedef struct rec {
    char log[8192];
    size_t n;
    int created;
} rec;
static rv_status r_create(void *ud, const rv_morph_section *s, int *h, rv_error *err) {
    (void)err;
    rec *r = ud;
    *h = 100 + r->created++;
    r->n += (size_t)snprintf(r->log + r->n, sizeof r->log - r->n, "C%s ", s->name);
    return RV_OK;
}
static rv_status r_connect(void *ud, int c, int e, int p, double x, rv_error *err) {
    (void)err;
    rec *r = ud;
    r->n += (size_t)snprintf(r->log + r->n, sizeof r->log - r->n, "K%d(%d)%d(%g) ", c, e, p, x);
    return RV_OK;
}
static rv_status r_style(void *ud, int s, double x, double y, double z, rv_error *err) {
    (void)err, (void)x, (void)y, (void)z;
    rec *r = ud;
    r->n += (size_t)snprintf(r->log + r->n, sizeof r->log - r->n, "S%d ", s);
    return RV_OK;
}
static rv_status r_pt(void *ud, int s, double x, double y, double z, double d, rv_error *err) {
    (void)err, (void)x, (void)y, (void)z, (void)d;
    rec *r = ud;
    r->n += (size_t)snprintf(r->log + r->n, sizeof r->log - r->n, "P%d ", s);
    return RV_OK;
}
static rv_status r_fail(void *ud, int s, double x, double y, double z, double d, rv_error *err) {
    (void)ud, (void)s, (void)x, (void)y, (void)z, (void)d;
    return RV_FAIL(err, RV_ERANGE, "refused");
}

static void test_builder(void) {
    const char *swc = "1 1 0 0 0 2 -1\n2 3 3 0 0 1 1\n3 3 9 0 0 1 2\n4 3 12 3 0 1 3\n"
                      "5 3 12 -3 0 1 3\n";
    rv_error err = {0};
    rv_morph *m;
    if (rv_morph_load_mem(swc, strlen(swc), "b.swc", RV_MORPH_AUTO, &m, &err)) {
        CHECK(0, "load b.swc: %s", err.msg);
        return;
    }
    rec r = {0};
    rv_morph_builder b = {&r, r_create, r_connect, r_style, r_pt};
    int h[8];
    CHECK(rv_morph_build(m, &b, h, &err) == RV_OK, "build");
    const char *want = "Csoma[0] Cdend[0] Cdend[1] Cdend[2] P100 P100 P100 K101(0)100(0.5) S101 "
                       "P101 P101 K102(0)101(1) P102 P102 K103(0)101(1) P103 P103 ";
    CHECK(strcmp(r.log, want) == 0, "builder calls:\n   got  %s\n   want %s", r.log, want);
    CHECK(h[0] == 100 && h[3] == 103, "handles");
    b.pt3dadd = r_fail;
    CHECK(rv_morph_build(m, &b, NULL, &err) == RV_ERANGE && strcmp(err.msg, "refused") == 0,
          "a failing callback stops the build");
    /* into the engine */
    rv_model *model;
    int secs[8];
    CHECK(rv_model_create(&model, &err) == RV_OK, "model");
    CHECK(rv_morph_instantiate(m, model, "Cell[0].", secs, &err) == RV_OK, "instantiate: %s",
          err.msg);
    CHECK(rv_model_section_count(model) == 4 &&
              strcmp(rv_section_name(model, secs[2]), "Cell[0].dend[1]") == 0,
          "engine sections");
    double area;
    CHECK(rv_model_setup(model, &err) == RV_OK &&
              rv_section_area(model, secs[0], 0.5, &area, &err) == RV_OK &&
              fabs(area - 16 * 3.14159265358979323846) < 1e-9,
          "sphere area %g", area);
    rv_model_destroy(model);
    rv_morph_destroy(m);
    CHECK(rv_morph_find(NULL, "x") == -1 && rv_morph_build(NULL, &b, NULL, &err) == RV_EINVAL,
          "NULL arguments");
    rv_morph_destroy(NULL);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: test_morph_unit DATA_DIR\n");
        return 2;
    }
    test_g8();
    test_parse();
    test_symmeig();
    test_files(argv[1]);
    test_builder();
    printf("%s (%d failures)\n", failures ? "FAILED" : "ok", failures);
    return failures != 0;
}
