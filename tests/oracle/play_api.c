/* SPDX-License-Identifier: MIT
 * tests/oracle/play_api.c -- errors of rv_play_pp / rv_play_range and the
 * pointer API (bad input gives a status and a message, never a crash), and
 * pointers reading the same values as rv_range_get / rv_pp_get.
 */
#include "ranvier/engine.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static int fails;

static void expect(int cond, const char *what, const rv_error *err) {
    printf("%-58s %s%s%s\n", what, cond ? "ok" : "FAIL", err && err->msg[0] ? "  -- " : "",
           err && err->msg[0] ? err->msg : "");
    if (!cond) fails++;
}

int main(void) {
    rv_error err = {0};
    rv_model *m = NULL;
    int soma, stim;
    if (rv_model_create(&m, &err) || rv_section_create(m, "soma", 1, &soma, &err) ||
        rv_section_insert(m, soma, "pas", &err) || rv_model_set_fast_imem(m, 1, &err) ||
        rv_pp_create(m, "IClamp", soma, 0.5, &stim, &err)) {
        fprintf(stderr, "setup: %s\n", err.msg);
        return 1;
    }
    double t[3] = {0, 1, 2}, y[3] = {0, 1, 0}, tb[3] = {0, 2, 1}, tn[2] = {0, NAN};
    rv_status st;
    st = rv_play_pp(m, stim, "amp", t, y, 0, 1, &err);
    expect(st == RV_EINVAL, "no points", &err);
    st = rv_play_pp(m, stim, "amp", tb, y, 3, 1, &err);
    expect(st == RV_EINVAL, "decreasing times", &err);
    st = rv_play_pp(m, stim, "amp", tn, y, 2, 0, &err);
    expect(st == RV_ERANGE, "NaN time", &err);
    st = rv_play_pp(m, stim, "amp", t, y, 3, 2, &err);
    expect(st == RV_EINVAL, "continuous = 2", &err);
    st = rv_play_pp(m, stim, "nosuch", t, y, 3, 1, &err);
    expect(st == RV_ENOENT, "unknown point-process variable", &err);
    st = rv_play_pp(m, 99, "amp", t, y, 3, 1, &err);
    expect(st != RV_OK, "bad point process id", &err);
    st = rv_play_range(m, soma, 0.5, "i_membrane_", t, y, 3, 1, &err);
    expect(st == RV_EINVAL, "play into i_membrane_", &err);
    st = rv_play_range(m, soma, 1.5, "g_pas", t, y, 3, 1, &err);
    expect(st != RV_OK, "x out of range", &err);
    st = rv_play_range(m, soma, 0.5, "gnabar_hh", t, y, 3, 1, &err);
    expect(st == RV_OK, "range name checked at finitialize (accepted now)", NULL);
    st = rv_model_finitialize(m, -65, &err);
    expect(st == RV_ENOENT, "... and refused there", &err);
    rv_model_destroy(m);

    /* a clean model: pointers against rv_range_get / rv_pp_get */
    m = NULL;
    if (rv_model_create(&m, &err) || rv_section_create(m, "soma", 1, &soma, &err) ||
        rv_section_insert(m, soma, "hh", &err) || rv_model_set_fast_imem(m, 1, &err) ||
        rv_pp_create(m, "IClamp", soma, 0.5, &stim, &err) || rv_pp_set(m, stim, "dur", 1e9, &err) ||
        rv_play_pp(m, stim, "amp", t, y, 3, 1, &err)) {
        fprintf(stderr, "setup: %s\n", err.msg);
        return 1;
    }
    const double *pv = NULL, *pim = NULL, *pina = NULL, *pi = NULL, *bad = NULL;
    st = rv_range_ptr(m, soma, 0.5, "nosuch", &bad, &err);
    expect(st == RV_ENOENT && !bad, "rv_range_ptr of an unknown name", &err);
    st = rv_pp_ptr(m, stim, "nosuch", &bad, &err);
    expect(st == RV_ENOENT && !bad, "rv_pp_ptr of an unknown name", &err);
    rv_error_clear(&err);
    st = rv_range_ptr(m, soma, 0.5, "v", &pv, &err);
    st |= rv_range_ptr(m, soma, 0.5, "i_membrane_", &pim, &err);
    st |= rv_range_ptr(m, soma, 0.5, "ina", &pina, &err);
    st |= rv_pp_ptr(m, stim, "i", &pi, &err);
    expect(st == RV_OK, "pointers to v, i_membrane_, ina, IClamp.i", &err);
    int same = 1;
    st = rv_model_finitialize(m, -65, &err);
    for (int k = 0; k < 200 && !st; ++k) {
        st = rv_model_step(m, &err);
        double v, im, ina, i;
        rv_range_get(m, soma, 0.5, "v", &v, &err);
        rv_range_get(m, soma, 0.5, "i_membrane_", &im, &err);
        rv_range_get(m, soma, 0.5, "ina", &ina, &err);
        rv_pp_get(m, stim, "i", &i, &err);
        same &= v == *pv && im == *pim && ina == *pina && i == *pi;
    }
    expect(!st && same, "pointers read what rv_range_get / rv_pp_get read", &err);
    double amp;
    rv_pp_get(m, stim, "amp", &amp, &err);
    /* t = 5: the last segment (1, 1) -> (2, 0) extended: 1 - (5 - 1) = -3 */
    expect(fabs(amp - -3.0) < 1e-9, "amp after the last point follows the last segment", NULL);
    rv_model_destroy(m);
    printf("%s\n", fails ? "FAIL" : "PASS");
    return fails ? 1 : 0;
}
