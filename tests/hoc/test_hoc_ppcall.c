/* SPDX-License-Identifier: MIT
 * tests/hoc/test_hoc_ppcall.c -- what drivers use to run neurodamus-style
 * synapse helper templates: point-process FUNCTION/PROCEDURE calls from hoc
 * routed through rv_hoc_set_pp_call (kept, not run), code run with a given
 * section accessed (rv_hoc_exec_in_section), the point process an objref
 * holds (rv_hoc_get_pp), public names of templates, and reading a mechanism
 * GLOBAL that was never assigned (its default, not an error). */
#include "ranvier/engine.h"
#include "ranvier/hoc.h"

#include <stdio.h>
#include <string.h>

static int fails;
#define CHECK(c)                                                                                   \
    do {                                                                                           \
        if (!(c)) {                                                                                \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #c);                  \
            ++fails;                                                                               \
        }                                                                                          \
    } while (0)

static int n_calls, last_pp, last_nargs;
static double last_args[6];
static char last_fn[64];

static rv_status hook(void *ud, int pp, const char *fn, const double *args, int nargs,
                      double *result, rv_error *err) {
    (void)ud, (void)err;
    n_calls++;
    last_pp = pp;
    last_nargs = nargs;
    snprintf(last_fn, sizeof last_fn, "%s", fn);
    for (int k = 0; k < nargs && k < 6; ++k) last_args[k] = args[k];
    *result = 42;
    return RV_OK;
}

static void quiet(void *ud, const char *s, size_t n) {
    (void)ud, (void)s, (void)n;
}

int main(void) {
    rv_model *m;
    rv_hoc *h;
    rv_error err;
    rv_status st;
    if (rv_model_create(&m, NULL) || rv_hoc_create(m, &h, &err)) return 1;
    rv_hoc_set_output(h, quiet, NULL);
    rv_hoc_set_echo(h, 0);
    CHECK(
        rv_hoc_exec(h,
                    "begintemplate H\n"
                    "objref synapse, f\n"
                    "public synapse, f\n"
                    "proc init() { synapse = new ExpSyn($1)  f = new IntFire1()  r = f.M($1, 7) }\n"
                    "endtemplate H\n"
                    "begintemplate NoPub\n"
                    "objref synapse\n"
                    "endtemplate NoPub\n"
                    "create a, b\n"
                    "objref hh_, s\n",
                    "setup", &err) == RV_OK);
    int secs_n = 0, *secs = NULL;
    CHECK(rv_hoc_sections(h, "b", 0, &secs, &secs_n, &err) == RV_OK && secs_n == 1);
    int bsec = secs_n == 1 ? secs[0] : -1;
    rv_free(secs);
    CHECK(rv_hoc_template_has_public(h, "H", "synapse") == 1);
    CHECK(rv_hoc_template_has_public(h, "NoPub", "synapse") == 0);
    CHECK(rv_hoc_template_has_public(h, "Nope", "synapse") == 0);

    /* calls through the hook: recorded with their arguments, value 42 */
    rv_hoc_set_pp_call(h, hook, NULL);
    st = rv_hoc_exec_in_section(h, bsec, "hh_ = new H(0.25)\ns = hh_.synapse\n", "mk", &err);
    if (st) fprintf(stderr, "%s\n", err.msg);
    CHECK(st == RV_OK);
    int pp = -1;
    const char *mech = NULL;
    CHECK(rv_hoc_get_pp(h, "s", &pp, &mech, &err) == RV_OK && pp >= 0);
    CHECK(mech && strcmp(mech, "ExpSyn") == 0);
    CHECK(n_calls == 1 && last_pp != pp && strcmp(last_fn, "M") == 0);
    CHECK(last_nargs == 2 && last_args[0] == 0.25 && last_args[1] == 7);
    double r = 0;
    CHECK(rv_hoc_exec(h, "objref ff\nff = hh_.f\nrr = ff.M()\n", "call", &err) == RV_OK &&
          rv_hoc_get_number(h, "rr", &r, &err) == RV_OK && r == 42 && n_calls == 2);
    /* errors: unknown function, non-number argument, not a point process,
     * no such section */
    CHECK(rv_hoc_exec(h, "ff.nosuch()\n", "bad", &err) != RV_OK && strstr(err.msg, "nosuch"));
    CHECK(rv_hoc_exec(h, "objref v\nv = new Vector()\nff.M(v)\n", "bad", &err) != RV_OK &&
          strstr(err.msg, "not a number"));
    CHECK(rv_hoc_get_pp(h, "hh_", &pp, NULL, &err) == RV_EINVAL);
    CHECK(rv_hoc_get_pp(h, "nothing", &pp, NULL, &err) == RV_EINVAL);
    CHECK(rv_hoc_exec_in_section(h, 9999, "x = 1\n", "bad", &err) == RV_EINVAL);
    CHECK(n_calls == 2);
    /* a GLOBAL never assigned reads as its default (usetable_hh = 1) */
    r = 0;
    CHECK(rv_hoc_exec(h, "a insert hh\nu = usetable_hh\n", "glob", &err) == RV_OK &&
          rv_hoc_get_number(h, "u", &r, &err) == RV_OK && r == 1);
    rv_hoc_set_pp_call(h, NULL, NULL);
    rv_hoc_destroy(h);
    rv_model_destroy(m);
    if (fails) fprintf(stderr, "%d checks failed\n", fails);
    return fails != 0;
}
