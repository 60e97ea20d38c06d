/* SPDX-License-Identifier: MIT
 * tests/nmodl/test_parser.c -- the NMODL front end on good and bad input.
 *
 *   good: every .mod of mechanisms/ and tests/oracle/mod/ translates; small
 *         files exercising each construct translate; UNITS factors equal
 *         nocmodl's bits (FARADAY, R, PI, kilocoulombs); the cnexp form is
 *         NEURON's;
 *   bad:  each input gives an error at the expected line:col;
 *   robustness: thousands of deterministic mutations of real files
 *         (deleted, duplicated, replaced bytes) never crash or hang.
 * Usage: nmodl_parser SOURCE_DIR
 */
#include "nmodl/nmodl_int.h"
#include "ranvier/nmodl.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures = 0, checks = 0;

#define CHECK(c, ...)                                                                              \
    do {                                                                                           \
        checks++;                                                                                  \
        if (!(c)) {                                                                                \
            failures++;                                                                            \
            printf("FAIL %s:%d: ", __FILE__, __LINE__);                                            \
            printf(__VA_ARGS__);                                                                   \
            printf("\n");                                                                          \
        }                                                                                          \
    } while (0)

static rv_status tr(const char *src, char **c, char **diag) {
    rv_error err = {0};
    return rv_nmodl_translate("t.mod", src, strlen(src), c, diag, &err);
}

static void good(const char *name, const char *src, const char *must_contain) {
    char *c = NULL, *diag = NULL;
    rv_status st = tr(src, &c, &diag);
    CHECK(st == RV_OK, "%s: status %d, diagnostics:\n%s", name, st, diag ? diag : "");
    if (st == RV_OK && must_contain)
        CHECK(strstr(c, must_contain) != NULL, "%s: output lacks '%s'", name, must_contain);
    rv_free(c);
    rv_free(diag);
}

/* expect an error whose position is "t.mod:LINE:COL:" and text contains sub */
static void bad(const char *name, const char *src, int line, int col, const char *sub,
                rv_status want) {
    char *c = NULL, *diag = NULL;
    rv_status st = tr(src, &c, &diag);
    char pos[64];
    snprintf(pos, sizeof pos, "t.mod:%d:%d: error:", line, col);
    CHECK(st == want, "%s: status %d, want %d", name, st, want);
    CHECK(diag && strstr(diag, pos), "%s: no error at %d:%d; diagnostics:\n%s", name, line, col,
          diag ? diag : "(none)");
    if (sub) CHECK(diag && strstr(diag, sub), "%s: diagnostics lack '%s':\n%s", name, sub, diag);
    if (diag && strstr(diag, pos)) printf("ok   %s -> %s", name, strstr(diag, pos));
    rv_free(c);
    rv_free(diag);
}

static void units_check(const char *u1, const char *u2, double want) {
    double got = 0;
    char msg[256] = "";
    int r = nm_units_factor(u1, u2, NULL, &got, msg, sizeof msg);
    CHECK(r == 0 && got == want, "(%s) (%s) = %.17g (%s), want %.17g", u1, u2, got, msg, want);
}

static char *slurp(const char *path, size_t *len) {
    char *s;
    rv_error err;
    if (rv__nmodl_read_file(path, &s, len, &err)) return NULL;
    return s;
}

static void good_files(const char *srcdir) {
    static const char *const files[] = {"mechanisms/hh.mod",
                                        "mechanisms/pas.mod",
                                        "mechanisms/IClamp.mod",
                                        "mechanisms/ExpSyn.mod",
                                        "mechanisms/Exp2Syn.mod",
                                        "mechanisms/IntFire1.mod",
                                        "tests/oracle/mod/carv.mod",
                                        "tests/oracle/mod/cadrv.mod",
                                        "mechanisms/VClamp.mod",
                                        "mechanisms/bbp/ProbAMPANMDA_EMS.mod",
                                        "mechanisms/bbp/ProbGABAAB_EMS.mod",
                                        "mechanisms/bbp/InhPoissonStim.mod",
                                        NULL};
    for (int k = 0; files[k]; ++k) {
        char p[4096];
        snprintf(p, sizeof p, "%s/%s", srcdir, files[k]);
        char *c = NULL, *diag = NULL;
        rv_error err = {0};
        rv_status st = rv_nmodl_translate_file(p, &c, &diag, &err);
        CHECK(st == RV_OK, "%s: status %d\n%s", files[k], st, diag ? diag : "");
        if (st == RV_OK) printf("ok   %s translates (%zu bytes of C)\n", files[k], strlen(c));
        rv_free(c);
        rv_free(diag);
    }
}

/* mutate real files: no crash, no hang, a status either way */
static void mutations(const char *srcdir) {
    static const char *const files[] = {"mechanisms/hh.mod",
                                        "mechanisms/Exp2Syn.mod",
                                        "mechanisms/IntFire1.mod",
                                        "tests/oracle/mod/cadrv.mod",
                                        "mechanisms/VClamp.mod",
                                        "mechanisms/bbp/ProbAMPANMDA_EMS.mod",
                                        "mechanisms/bbp/InhPoissonStim.mod",
                                        NULL};
    static const char alphabet[] = "{}()[]=<>!+-*/^~'\":?,. \n\tabAZ019_";
    uint64_t rng = 12345;
    int runs = 0, errs = 0;
    for (int k = 0; files[k]; ++k) {
        char p[4096];
        snprintf(p, sizeof p, "%s/%s", srcdir, files[k]);
        size_t len;
        char *src = slurp(p, &len);
        CHECK(src != NULL, "cannot read %s", p);
        if (!src) continue;
        char *buf = malloc(len * 2 + 16);
        for (int it = 0; it < 1500; ++it) {
            memcpy(buf, src, len);
            size_t n = len;
            int nmut = 1 + it % 4;
            for (int m = 0; m < nmut; ++m) {
                rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
                size_t pos = (size_t)(rng >> 33) % (n ? n : 1);
                int op = (int)((rng >> 20) % 4);
                if (op == 0 && n > 1) { /* delete a run */
                    size_t dl = 1 + (rng >> 40) % 8;
                    if (pos + dl > n) dl = n - pos;
                    memmove(buf + pos, buf + pos + dl, n - pos - dl);
                    n -= dl;
                } else if (op == 1) { /* replace a byte */
                    buf[pos] = alphabet[(rng >> 45) % (sizeof alphabet - 1)];
                } else if (op == 2 && n + 8 < len * 2) { /* duplicate a run */
                    size_t dl = 1 + (rng >> 40) % 8;
                    if (pos + dl > n) dl = n - pos;
                    memmove(buf + pos + dl, buf + pos, n - pos);
                    n += dl;
                } else { /* a NUL or high byte */
                    buf[pos] = (rng >> 50) & 1 ? '\0' : (char)0xC3;
                }
            }
            char *c = NULL, *diag = NULL;
            rv_error err = {0};
            rv_status st = rv_nmodl_translate("mut.mod", buf, n, &c, &diag, &err);
            runs++;
            if (st) errs++;
            rv_free(c);
            rv_free(diag);
        }
        free(buf);
        rv_free(src);
    }
    printf("ok   %d mutated inputs translated without a crash (%d rejected)\n", runs, errs);
    CHECK(errs > 0, "mutations should produce some errors");
}

/* every allocation of a translation made to fail in turn: RV_ENOMEM, no crash */
static long fail_at = -1, n_alloc = 0;
static void *failing_alloc(void *ud, void *ptr, size_t n) {
    (void)ud;
    if (n == 0) {
        free(ptr);
        return NULL;
    }
    if (n_alloc++ == fail_at) return NULL;
    return realloc(ptr, n);
}

static void oom(const char *srcdir) {
    char p[4096];
    snprintf(p, sizeof p, "%s/mechanisms/hh.mod", srcdir);
    size_t len;
    char *src = slurp(p, &len);
    CHECK(src != NULL, "cannot read %s", p);
    if (!src) return;
    int nomem = 0, okc = 0;
    for (fail_at = 0;; ++fail_at) {
        n_alloc = 0;
        rv_set_allocator(failing_alloc, NULL);
        char *c = NULL, *diag = NULL;
        rv_error err = {0};
        rv_status st = rv_nmodl_translate("hh.mod", src, len, &c, &diag, &err);
        rv_set_allocator(NULL, NULL);
        if (st == RV_ENOMEM)
            nomem++;
        else if (st == RV_OK)
            okc++;
        else
            CHECK(0, "allocation %ld failing gave status %d", fail_at, st);
        rv_free(c);
        rv_free(diag);
        if (n_alloc <= fail_at) break; /* no allocation failed: done */
    }
    printf("ok   hh.mod with each of %ld allocations failing: %d x RV_ENOMEM, %d x ok\n", fail_at,
           nomem, okc);
    CHECK(nomem == fail_at && okc == 1, "a failed allocation went unreported (%d of %ld)", nomem,
          fail_at);
    rv_free(src);
}

int main(int argc, char **argv) {
    const char *srcdir = argc > 1 ? argv[1] : ".";

    /* ---- good input ---- */
    good_files(srcdir);
    good("comments and title",
         "TITLE a test : with a colon\nCOMMENT\n anything { } ( \nENDCOMMENT\n"
         "? old comment\nNEURON { SUFFIX c1 RANGE x }\nASSIGNED { x }\n"
         "INITIAL { x = 1 : trailing\n }\n",
         "rv_nmodl_mech_c1");
    good("units factors",
         "NEURON { SUFFIX u1 RANGE x }\nUNITS { (mA) = (milliamp) FARADAY = (faraday) (coulomb)\n"
         " R = (k-mole) (joule/degC) F2 = (faraday) (kilocoulombs) PI = (pi) (1)\n"
         " FL = 96485.3 (coul) }\nASSIGNED { x }\nINITIAL { x = FARADAY + R + F2 + PI + FL }\n",
         "96485.33212331001");
    good("non-linear cnexp falls back to derivimplicit",
         "NEURON { SUFFIX x }\nSTATE { m }\nBREAKPOINT { SOLVE s METHOD cnexp }\n"
         "DERIVATIVE s {\n  m' = -m*m\n}\n",
         "_rv_newton(1, _x2, _dnewton_s");
    good("KINETIC sparse with CONSERVE and STEADYSTATE",
         "NEURON { SUFFIX x }\nSTATE { a b }\nINITIAL { SOLVE k STEADYSTATE sparse }\n"
         "BREAKPOINT { SOLVE k METHOD sparse }\n"
         "KINETIC k {\n ~ a <-> b (1, 2)\n CONSERVE a + b = 1\n}\n",
         "_ks_k(_th, _ml, _i, 1);");
    good("cnexp form",
         "NEURON { SUFFIX k1 RANGE tau }\nPARAMETER { tau = 2 }\nSTATE { s }\n"
         "BREAKPOINT { SOLVE st METHOD cnexp }\nDERIVATIVE st { s' = (1 - s)/tau }\n",
         "(1. - rv_exp(_th->dt * ");
    good(
        "euler, FUNCTION table, GLOBAL, while, if/else",
        "NEURON { SUFFIX e1 GLOBAL gg RANGE a }\nPARAMETER { gg = 2 tau = 5 }\n"
        "ASSIGNED { a v }\nSTATE { s }\nBREAKPOINT { SOLVE st METHOD euler a = f(v) }\n"
        "INITIAL { LOCAL k k = 0 while (k < 3) { k = k + 1 } if (k == 3) { s = 1 } else if (k > 3) "
        "{ s = 2 } else { s = 3 } }\n"
        "DERIVATIVE st { s' = -s/tau + gg }\n"
        "FUNCTION f(x (mV)) (mV) { TABLE DEPEND tau FROM -10 TO 10 WITH 20\n f = x*tau }\n",
        "_check_f");
    good("point process, ions, NET_RECEIVE with INITIAL, net_send, net_event",
         "NEURON { POINT_PROCESS p1 USEION ca READ eca WRITE ica RANGE g NONSPECIFIC_CURRENT i2 }\n"
         "PARAMETER { g = 0.01 }\nASSIGNED { v ica eca i2 z }\n"
         "BREAKPOINT { ica = g*(v - eca) i2 = z*v }\nINITIAL { z = 0 net_send(1, 2) }\n"
         "NET_RECEIVE(w, cnt) { INITIAL { cnt = 0 }\n"
         " if (flag == 2) { net_event(t) net_send(3.5, 2) } else { z = z + w cnt = cnt + 1 } }\n",
         "_net_init");
    good("concentration writer",
         "NEURON { SUFFIX cw USEION ca READ ica WRITE cai }\nPARAMETER { f = 0.1 }\n"
         "ASSIGNED { ica }\nSTATE { cai }\nINITIAL { cai = 1e-4 }\n"
         "BREAKPOINT { SOLVE st METHOD cnexp }\nDERIVATIVE st { cai' = -f*ica - cai }\n",
         "rv_ion_wrote_conc(_th, _ml, 0, _i)");
    good("artificial cell, limits, FROM loop, power",
         "NEURON { ARTIFICIAL_CELL a1 RANGE tau }\nPARAMETER { tau = 10 (ms) <1e-9,1e9> n = 3 }\n"
         "ASSIGNED { m }\nINITIAL { LOCAL k m = 0 FROM k = 1 TO 3 { m = m + k^2 - -k } }\n"
         "NET_RECEIVE (w) { m = m + w net_event(t) }\n",
         "pow(");
    /* ---- constructs of the coverage run (NEURON and neurodamus-models) ---- */
    good("DEFINE: array sizes and a constant",
         "NEURON { SUFFIX d }\nDEFINE NA 4 : comment\nASSIGNED { y[NA] }\n"
         "STATE { c[NA] }\nINITIAL { LOCAL k FROM k = 0 TO NA - 1 { y[k] = k c[k] = 0 } }\n",
         "_v_y_3_");
    good("RANGE of an undeclared name is an ASSIGNED range variable",
         "NEURON { SUFFIX r RANGE q }\nINITIAL { q = 2 }\n", "{\"q\", RV_VAR_ASSIGNED");
    good("GLOBAL array",
         "NEURON { SUFFIX ga GLOBAL w }\nPARAMETER { w[3] = 2 }\nASSIGNED { y }\n"
         "INITIAL { y = w[2] }\n",
         "_g[_g_w_0_ + (int)(2.0)]");
    good("top-level LOCAL array",
         "NEURON { SUFFIX la }\nLOCAL z[2]\nASSIGNED { y }\n"
         "INITIAL { z[1] = 3 y = z[1] }\n",
         "_g[_g_z_0_ + (int)(1.0)]");
    good("diam and area in a density mechanism",
         "NEURON { SUFFIX dg RANGE y }\nASSIGNED { y diam area }\nINITIAL { y = diam*area }\n",
         "_th->diam[_ml->node[_i]] * _th->area[_ml->node[_i]]");
    good("TABLE DEPEND dt",
         "NEURON { SUFFIX td }\nASSIGNED { y }\nFUNCTION f(x) {\n TABLE DEPEND dt FROM 0 TO 1 "
         "WITH 10\n f = x*dt }\nINITIAL { y = f(0.5) }\n",
         "!= _th->dt");
    good("COMPARTMENT volume expressions",
         "NEURON { SUFFIX ce }\nPARAMETER { vo = 2 }\nSTATE { a b }\n"
         "BREAKPOINT { SOLVE k METHOD sparse }\nKINETIC k {\n COMPARTMENT vo*(1e3) {a}\n"
         " COMPARTMENT (2)*vo {b}\n ~ a <-> b (1, 2)\n}\n",
         NULL);
    good("REPRESENTS lines",
         "NEURON {\n SUFFIX rp\n REPRESENTS NCIT:C17145 : x\n"
         " REPRESENTS NCIT:C17008\n USEION na READ ena REPRESENTS CHEBI:29101\n}\n",
         NULL);
    good("net_send in NET_RECEIVE's INITIAL carries the weights",
         "NEURON { POINT_PROCESS ns }\nNET_RECEIVE (w) {\n INITIAL { net_send(1, 2) }\n}\n",
         "net_send(_th, _ml, _i, _w, 1.0, 2.0)");
    good("a VERBATIM C variable used by NMODL code",
         "NEURON { SUFFIX vc }\nASSIGNED { y }\nINITIAL {\nVERBATIM\n double cx = 2;\n"
         "ENDVERBATIM\n y = cx\n}\n",
         "= cx;");
    good("state_discontinuity is an assignment (fixed step)",
         "NEURON { POINT_PROCESS sd }\nSTATE { g }\nNET_RECEIVE (w) { state_discontinuity(g, g + "
         "w) }\n",
         "(_p[_v_g * _pad] = _p[_v_g * _pad] + _w[0])");
    good("a POINTER listed in PARAMETER",
         "NEURON { POINT_PROCESS pg POINTER vg }\n"
         "PARAMETER { vg (mV) }\nASSIGNED { y }\nINITIAL { y = vg }\n",
         NULL);
    bad("undefined DEFINE size", "NEURON { SUFFIX x }\nLOCAL z[NQ]\n", 2, 9,
        "array size 'NQ' is not a DEFINEd name", RV_EFORMAT);
    units_check("faraday", "coulomb", 1.602176634e-19 * 6.02214076e23);
    units_check("k-mole", "joule/degC", 1.380649e-23 * 6.02214076e23);
    units_check("faraday", "kilocoulombs", 96.485332123310016);
    units_check("pi", "1", 3.14159265358979323846);
    units_check("mV", "volt", 1e-3);
    units_check("mA/cm2", "A/m2", 1e-3 / 1e-4);
    {
        double x;
        char msg[128];
        CHECK(nm_units_factor("mV", "mA", NULL, &x, msg, sizeof msg) != 0 &&
                  strstr(msg, "not conformable"),
              "mV vs mA must not convert");
        CHECK(nm_units_factor("flurbs", "1", NULL, &x, msg, sizeof msg) != 0 &&
                  strstr(msg, "unknown unit 'flurbs'"),
              "unknown unit: %s", msg);
    }

    /* ---- bad input: file:line:col ---- */
    bad("missing mechanism name", "NEURON { SUFFIX }\n", 1, 17, "expected a mechanism name",
        RV_EFORMAT);
    bad("unclosed block", "NEURON { SUFFIX x\n", 2, 1, "expected '}'", RV_EFORMAT);
    bad("parameter without value", "NEURON { SUFFIX x }\nPARAMETER {\n  a = }\n", 3, 7,
        "expected a number", RV_EFORMAT);
    bad("incomplete expression", "NEURON { SUFFIX x }\nASSIGNED { y }\nINITIAL { y = 1 + }\n", 3,
        19, "expected an expression", RV_EFORMAT);
    bad("unclosed COMMENT", "NEURON { SUFFIX x }\n  COMMENT\nnever closed\n", 2, 3,
        "COMMENT without ENDCOMMENT", RV_EFORMAT);
    bad("invalid character", "NEURON { SUFFIX x }\nASSIGNED { y }\nINITIAL {\n  y = 2 $ 3 }\n", 4,
        9, "invalid character '$'", RV_EFORMAT);
    bad("undefined variable",
        "NEURON { SUFFIX x NONSPECIFIC_CURRENT i }\nPARAMETER { g = 1 }\nASSIGNED { i v }\n"
        "BREAKPOINT {\n    i = g*(v - erev)\n}\n",
        5, 16, "undefined variable 'erev'", RV_EFORMAT);
    bad("unknown function", "NEURON { SUFFIX x }\nASSIGNED { y }\nINITIAL { y = frob(2) }\n", 3, 15,
        "unknown function 'frob'", RV_EFORMAT);
    bad("KINETIC with cnexp",
        "NEURON { SUFFIX x }\nSTATE { a b }\nBREAKPOINT { SOLVE k METHOD cnexp }\n"
        "KINETIC k {\n ~ a <-> b (1, 2)\n}\n",
        3, 14, "METHOD cnexp is not supported yet (sparse is)", RV_EUNSUPPORTED);
    bad("CONSERVE without a free state",
        "NEURON { SUFFIX x }\nSTATE { a b }\nBREAKPOINT { SOLVE k METHOD sparse }\n"
        "KINETIC k {\n ~ a <-> b (1, 2)\n CONSERVE a + b = 1\n CONSERVE a + b = 1\n"
        " CONSERVE a + b = 1\n}\n",
        6, 2, "failed to diagonalize", RV_EFORMAT);
    bad("unknown block", "NEURON { SUFFIX x }\n\nFROBNICATE { }\n", 3, 1, "unknown block",
        RV_EFORMAT);
    bad("derivative in an expression",
        "NEURON { SUFFIX x }\nASSIGNED { r }\nSTATE { a }\nBREAKPOINT { SOLVE d METHOD cnexp }\n"
        "DERIVATIVE d {\n a' = -a\n r = a'\n}\n",
        7, 6, "a' in an expression is not supported here", RV_EUNSUPPORTED);
    bad("derivative read before it is assigned",
        "NEURON { SUFFIX x }\nASSIGNED { r }\nSTATE { a }\n"
        "BREAKPOINT { SOLVE d METHOD derivimplicit }\nDERIVATIVE d {\n r = a'\n a' = -a\n}\n",
        6, 6, "a' is read before a' = ... in this DERIVATIVE block", RV_EFORMAT);
    bad("CONSERVE ending with a STATE array element",
        "NEURON { SUFFIX x }\nSTATE { o c[2] }\nBREAKPOINT { SOLVE k METHOD sparse }\n"
        "KINETIC k {\n ~ c[0] <-> c[1] (1, 2)\n ~ c[1] <-> o (1, 2)\n"
        " CONSERVE o + c[0] + c[1] = 1\n}\n",
        7, 2, "CONSERVE: the last written free term is an element of a STATE array",
        RV_EUNSUPPORTED);
    bad("indexed reactant that is not a STATE array",
        "NEURON { SUFFIX x }\nSTATE { o c }\nASSIGNED { q[2] }\nBREAKPOINT { SOLVE k METHOD sparse "
        "}\n"
        "KINETIC k {\n ~ q[0] <-> c (1, 2)\n}\n",
        6, 4, "reactant arrays are only supported as an indexed STATE array", RV_EFORMAT);
    bad("exprand arguments", "NEURON { SUFFIX x }\nASSIGNED { r }\nINITIAL { r = exprand() }\n", 3,
        15, "exprand takes 1 argument, 0 given", RV_EFORMAT);
    bad("STATE initial value declared ASSIGNED",
        "NEURON { SUFFIX x }\nASSIGNED { a0 }\nSTATE { a }\n", 2, 12,
        "'a0' is declared twice: NEURON makes it the PARAMETER holding the initial value",
        RV_EFORMAT);
    bad("DERIVATIVE called but not SOLVEd",
        "NEURON { SUFFIX x }\nSTATE { a }\nINITIAL { d() }\nDERIVATIVE d {\n a' = -a\n}\n", 3, 11,
        "DERIVATIVE d is called but not SOLVEd in BREAKPOINT", RV_EFORMAT);
    bad("FOR_NETCONS in a density mechanism",
        "NEURON { SUFFIX x }\nASSIGNED { r }\nINITIAL {\n FOR_NETCONS(w) { r = w }\n}\n", 4, 2,
        "FOR_NETCONS needs a POINT_PROCESS or ARTIFICIAL_CELL", RV_EFORMAT);
    bad("normrand arguments", "NEURON { SUFFIX x }\nASSIGNED { r }\nINITIAL { r = normrand(1) }\n",
        3, 15, "normrand takes 2 arguments, 1 given", RV_EFORMAT);
    bad("unknown NEURON statement", "NEURON {\n  SUFFIX x\n  FOO bar\n}\n", 3, 3,
        "unknown NEURON block statement 'FOO'", RV_EFORMAT);
    bad("not an ion variable", "NEURON { SUFFIX x USEION na READ ena, nax }\n", 1, 39,
        "'nax' is not a variable of ion na", RV_EFORMAT);
    bad("TABLE WITH 0",
        "NEURON { SUFFIX x }\nFUNCTION f(x) {\n  TABLE FROM 0 TO 1 WITH 0\n  f = x }\n", 3, 26,
        "TABLE WITH 0", RV_EFORMAT);
    good("VERBATIM in CONSTRUCTOR and DESTRUCTOR",
         "NEURON { POINT_PROCESS x }\nASSIGNED { y }\nCONSTRUCTOR {\nVERBATIM\n y = 1;\n"
         "ENDVERBATIM\n}\nDESTRUCTOR {\nVERBATIM\n y = 2;\nENDVERBATIM\n}\n",
         ".destructor = _rv_destructor");
    good("LINEAR block solved in a FUNCTION",
         "NEURON { POINT_PROCESS x }\nSTATE { a b }\nASSIGNED { y }\n"
         "FUNCTION f() {\n SOLVE lin\n f = a + b }\n"
         "LINEAR lin {\n ~ 2*a - b = y\n ~ -a + 3*b = 1\n}\n",
         "_rv_lineq(2, _lc, _lx)");
    bad("LINEAR: two STATEs in a term",
        "NEURON { POINT_PROCESS x }\nSTATE { a b }\nFUNCTION f() {\n SOLVE lin\n f = a }\n"
        "LINEAR lin {\n ~ a*b = 1\n ~ b = 2\n}\n",
        7, 5, "more than one STATE in a term", RV_EFORMAT);
    bad("LINEAR: STATE in a denominator",
        "NEURON { POINT_PROCESS x }\nSTATE { a }\nFUNCTION f() {\n SOLVE lin\n f = a }\n"
        "LINEAR lin {\n ~ 1/a = 1\n}\n",
        7, 5, "must be a factor of its term", RV_EFORMAT);
    bad("LINEAR: equations and STATEs",
        "NEURON { POINT_PROCESS x }\nSTATE { a b }\nFUNCTION f() {\n SOLVE lin\n f = a }\n"
        "LINEAR lin {\n ~ a + b = 1\n}\n",
        6, 8, "1 equations for 2 STATEs", RV_EFORMAT);
    bad("two CONSTRUCTORs",
        "NEURON { POINT_PROCESS x }\nASSIGNED { y }\nCONSTRUCTOR { y = 1 }\nCONSTRUCTOR { y = 2 "
        "}\n",
        4, 1, "second CONSTRUCTOR block", RV_EFORMAT);
    bad("unterminated string", "NEURON { SUFFIX x }\nINITIAL { printf(\"abc\n) }\n", 2, 18,
        "unterminated string", RV_EFORMAT);
    good("no SUFFIX: a density mechanism named after the file", "PARAMETER { a = 1 }\n",
         "Mechanism t (density)");
    bad("derivative outside DERIVATIVE", "NEURON { SUFFIX x }\nSTATE { m }\nINITIAL {\n m' = 1 }\n",
        4, 2, "only allowed in a DERIVATIVE", RV_EFORMAT);
    bad("wrong argument count",
        "NEURON { SUFFIX x }\nASSIGNED { y }\nFUNCTION f(a, b) { f = a + b }\n"
        "INITIAL { y = f(1) }\n",
        4, 15, "f takes 2 arguments, 1 given", RV_EFORMAT);
    bad("SOLVE in INITIAL",
        "NEURON { SUFFIX x }\nSTATE { m }\nINITIAL { SOLVE s }\nBREAKPOINT { SOLVE s METHOD cnexp "
        "}\n"
        "DERIVATIVE s {\n  m' = -m\n}\n",
        3, 11, "SOLVE in INITIAL is not supported here", RV_EUNSUPPORTED);
    {
        /* deep nesting is an error, not a stack overflow */
        size_t n = 5000;
        char *s = malloc(n * 2 + 200);
        strcpy(s, "NEURON { SUFFIX x }\nASSIGNED { y }\nINITIAL { y = ");
        size_t l = strlen(s);
        for (size_t k = 0; k < n; ++k) s[l++] = '(';
        s[l++] = '1';
        for (size_t k = 0; k < n; ++k) s[l++] = ')';
        strcpy(s + l, " }\n");
        char *c = NULL, *diag = NULL;
        rv_status st = tr(s, &c, &diag);
        CHECK(st == RV_EFORMAT && diag && strstr(diag, "nesting too deep"),
              "deep nesting: status %d", st);
        printf("ok   deep nesting -> %s", diag ? strstr(diag, "t.mod") : "?");
        rv_free(c);
        rv_free(diag);
        free(s);
    }
    mutations(srcdir);
    oom(srcdir);
    printf("%d passed, %d failed\n", checks - failures, failures);
    return failures ? 1 : 0;
}
