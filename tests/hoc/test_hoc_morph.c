/* SPDX-License-Identifier: MIT
 * tests/hoc/test_hoc_morph.c -- section deletion in the engine description
 * (rv_section_delete: lowering skips the section, its children become roots,
 * refused after setup and on sections with point processes), the 3-D point
 * functions (pt3dadd, n3d, x3d ... arc3d, pt3dclear, L from points) and the
 * Import3d classes with instantiate(nil) and instantiate(template instance).
 * argv[1]: the directory of the morphology test files. */
#include "ranvier/engine.h"
#include "ranvier/hoc.h"
#include "ranvier/morph.h"

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

static char outbuf[1 << 16];
static size_t outlen;
static void capture(void *ud, const char *s, size_t n) {
    (void)ud;
    if (outlen + n < sizeof outbuf) {
        memcpy(outbuf + outlen, s, n);
        outlen += n;
        outbuf[outlen] = 0;
    }
}

static void engine_delete(void) {
    rv_model *m;
    rv_error e;
    int a, b, c, d, pp;
    CHECK(!rv_model_create(&m, &e));
    CHECK(!rv_section_create(m, "a", 1, &a, &e));
    CHECK(!rv_section_create(m, "b", 3, &b, &e));
    CHECK(!rv_section_create(m, "c", 1, &c, &e));
    CHECK(!rv_section_create(m, "d", 1, &d, &e));
    CHECK(!rv_section_connect(m, b, 0, a, 1, &e));
    CHECK(!rv_section_connect(m, c, 0, b, 1, &e));
    CHECK(!rv_section_insert(m, b, "hh", &e));
    CHECK(!rv_pp_create(m, "IClamp", d, 0.5, &pp, &e));
    CHECK(rv_section_delete(m, d, &e) == RV_EUNSUPPORTED); /* a point process on it */
    CHECK(!rv_section_delete(m, b, &e));
    CHECK(rv_section_is_deleted(m, b));
    CHECK(rv_section_delete(m, b, &e) == RV_ESTATE);
    CHECK(rv_section_set_L(m, b, 10, &e) == RV_ESTATE);
    CHECK(rv_section_connect(m, c, 0, b, 1, &e) == RV_ESTATE);
    CHECK(!rv_model_setup(m, &e));
    rv_model_stats st;
    rv_model_get_stats(m, &st);
    /* a, c (a root now) and d: three cells of 1 segment: 3 * (root + 1 + 1-end) */
    CHECK(st.n_cells == 3);
    CHECK(st.n_nodes == 9);
    double v;
    CHECK(rv_range_get(m, b, 0.5, "v", &v, &e) == RV_ESTATE);
    CHECK(!rv_range_get(m, c, 0.5, "v", &v, &e));
    CHECK(rv_section_delete(m, c, &e) == RV_ESTATE); /* frozen */
    CHECK(!rv_model_finitialize(m, -65, &e));
    CHECK(!rv_model_run(m, 1, &e));
    rv_model_destroy(m);
}

static rv_hoc *new_hoc(rv_model **m) {
    rv_hoc *h = NULL;
    rv_error e;
    CHECK(!rv_model_create(m, &e));
    CHECK(!rv_hoc_create(*m, &h, &e));
    rv_hoc_set_output(h, capture, NULL);
    rv_hoc_set_echo(h, 0);
    outlen = 0;
    return h;
}

static double num(rv_hoc *h, const char *name) {
    double v = NAN;
    rv_error e;
    if (rv_hoc_get_number(h, name, &v, &e)) fprintf(stderr, "%s: %s\n", name, e.msg);
    return v;
}

static void pt3d(void) {
    rv_model *m;
    rv_hoc *h = new_hoc(&m);
    rv_error e;
    rv_status st =
        rv_hoc_exec(h,
                    "create s, t\n"
                    "s { pt3dadd(0, 0, 0, 2)  pt3dadd(3, 4, 0, 2)  pt3dadd(3, 4, 12, 4) }\n"
                    "n = s.L\n"
                    "s { k = n3d()  x1 = x3d(1)  y1 = y3d(1)  z2 = z3d(2)  d2 = diam3d(2) }\n"
                    "s { a1 = arc3d(1)  a2 = arc3d(2)  dm = diam(0.5) }\n"
                    "s { nseg = 3  dm3 = diam(0.1) }\n"
                    "s { pt3dclear()  k0 = n3d()  L0 = L }\n"
                    "connect t(0), s(1)\n"
                    "t delete_section()\n"
                    "nn = 0\n"
                    "forall nn += 1\n",
                    "pt3d.hoc", &e);
    if (st) fprintf(stderr, "pt3d: %s\n", e.msg);
    CHECK(!st);
    CHECK(num(h, "n") == 17);
    CHECK(num(h, "k") == 3);
    CHECK(num(h, "x1") == 3 && num(h, "y1") == 4 && num(h, "z2") == 12 && num(h, "d2") == 4);
    CHECK(num(h, "a1") == 5 && num(h, "a2") == 17);
    CHECK(num(h, "dm") > 2 && num(h, "dm") < 4);
    CHECK(num(h, "dm3") > 2 && num(h, "dm3") < num(h, "dm"));
    CHECK(num(h, "k0") == 0 && num(h, "L0") == 17);
    CHECK(num(h, "nn") == 1);
    /* the deleted section is gone for the language too */
    CHECK(rv_hoc_exec(h, "t { L = 3 }\n", "del.hoc", &e) == RV_ESTATE);
    CHECK(e.line == 1);
    rv_hoc_destroy(h);
    rv_model_destroy(m);
}

static void import_nil(const char *dir) {
    rv_model *m;
    rv_hoc *h = new_hoc(&m);
    rv_error e;
    char code[2048];
    snprintf(code, sizeof code,
             "objref r, g, nil\n"
             "r = new Import3d_SWC_read()\n"
             "r.quiet = 1\n"
             "r.input(\"%s/soma1_trees.swc\")\n"
             "g = new Import3d_GUI(r, 0)\n"
             "g.instantiate(nil)\n"
             "n = 0\n"
             "forall n += 1\n"
             "strdef acc\n"
             "acc = secname()\n"
             "q = r.quiet\n",
             dir);
    rv_status st = rv_hoc_exec(h, code, "nil.hoc", &e);
    if (st) fprintf(stderr, "import nil: %s\n", e.msg);
    CHECK(!st);
    CHECK(num(h, "n") > 1);
    CHECK(num(h, "q") == 1);
    CHECK(rv_hoc_exec(h, "if (strcmp(acc, \"soma[0]\") != 0) execerror(\"access\", acc)\n", "a.hoc",
                      &e) == RV_OK);
    /* an h5v1 file through Import3d_MorphIO */
    snprintf(code, sizeof code,
             "objref r5, g5\n"
             "r5 = new Import3d_MorphIO()\n"
             "r5.input(\"%s/contour.h5\")\n"
             "g5 = new Import3d_GUI(r5, 0)\n"
             "n0 = n\n"
             "g5.instantiate(nil)\n"
             "n = 0\n"
             "forall n += 1\n",
             dir);
    st = rv_hoc_exec(h, code, "h5.hoc", &e);
    if (st) fprintf(stderr, "import h5: %s\n", e.msg);
    CHECK(!st);
    rv_morph *mo = NULL;
    snprintf(code, sizeof code, "%s/contour.h5", dir);
    CHECK(!rv_morph_load(code, RV_MORPH_AUTO, &mo, &e));
    CHECK(mo && num(h, "n") >= mo->nsec && mo->nsec > 1);
    rv_morph_destroy(mo);
    /* a missing file names it */
    st = rv_hoc_exec(h, "r.input(\"/nonexistent/x.swc\")\n", "missing.hoc", &e);
    CHECK(st != RV_OK);
    if (!strstr(e.msg, "nonexistent")) fprintf(stderr, "message: %s\n", e.msg);
    CHECK(strstr(e.msg, "nonexistent") != NULL);
    CHECK(e.line == 1);
    rv_hoc_destroy(h);
    rv_model_destroy(m);
}

static void import_template(const char *dir) {
    rv_model *m;
    rv_hoc *h = new_hoc(&m);
    rv_error e;
    char code[4096];
    snprintf(code, sizeof code,
             "begintemplate T\n"
             "public all, somatic, axonal, basal, soma, axon, dend, nall, nsom, nax, nbas\n"
             "objref all, somatic, axonal, basal, this\n"
             "create soma[1], axon[1]\n"
             "proc init() { localobj r, g\n"
             "  all = new SectionList()  somatic = new SectionList()\n"
             "  axonal = new SectionList()  basal = new SectionList()\n"
             "  r = new Import3d_Neurolucida3()\n"
             "  r.quiet = 1\n"
             "  r.input($s1)\n"
             "  g = new Import3d_GUI(r, 0)\n"
             "  g.instantiate(this)\n"
             "  nall = 0  nsom = 0  nax = 0  nbas = 0\n"
             "  forsec all nall += 1\n"
             "  forsec somatic nsom += 1\n"
             "  forsec axonal nax += 1\n"
             "  forsec basal nbas += 1\n"
             "  forsec axonal delete_section()\n"
             "  create axon[2]\n"
             "  soma[0] connect axon[0](0), 1\n"
             "}\n"
             "endtemplate T\n"
             "objref c\n"
             "c = new T(\"%s/full.asc\")\n"
             "nall = c.nall  nsom = c.nsom  nax = c.nax  nbas = c.nbas\n"
             "n = 0\n"
             "forall n += 1\n"
             "finitialize(-65)\n",
             dir);
    rv_status st = rv_hoc_exec(h, code, "tmpl.hoc", &e);
    if (st) fprintf(stderr, "import template: %s\n", e.msg);
    CHECK(!st);
    CHECK(num(h, "nsom") == 1);
    CHECK(num(h, "nall") >= num(h, "nsom") + num(h, "nax") + num(h, "nbas"));
    CHECK(num(h, "n") == num(h, "nall") - num(h, "nax") + 2);
    rv_hoc_destroy(h);
    rv_model_destroy(m);
}

int main(int argc, char **argv) {
    const char *dir = argc > 1 ? argv[1] : ".";
    engine_delete();
    pt3d();
    import_nil(dir);
    import_template(dir);
    if (fails) fprintf(stderr, "%d checks failed\n", fails);
    return fails ? 1 : 0;
}
