/* SPDX-License-Identifier: MIT
 * tests/oracle/transfer_api.c -- voltage transfer API: bad input gives a
 * status and a message; a target that is a plain variable (an IClamp's amp)
 * holds the source v of the last transfer: v_init after finitialize, the
 * source v after every step (transferred after the voltage update); a target
 * without a source fails at finitialize naming its sgid.
 */
#include "ranvier/engine.h"

#include <stdio.h>
#include <string.h>

static int fails;

static void expect(int cond, const char *what, rv_error *err) {
    printf("%-58s %s%s%s\n", what, cond ? "ok" : "FAIL", err && err->msg[0] ? "  -- " : "",
           err && err->msg[0] ? err->msg : "");
    if (!cond) fails++;
    if (err) err->msg[0] = 0;
}

int main(void) {
    rv_error err = {0};
    rv_model *m = NULL;
    int soma, dend, drive, hold;
    if (rv_model_create(&m, &err) || rv_section_create(m, "soma", 1, &soma, &err) ||
        rv_section_insert(m, soma, "hh", &err) || rv_section_create(m, "dend", 3, &dend, &err) ||
        rv_section_insert(m, dend, "pas", &err) || rv_section_connect(m, dend, 0, soma, 1, &err) ||
        rv_pp_create(m, "IClamp", soma, 0.5, &drive, &err) || rv_pp_set(m, drive, "del", 1, &err) ||
        rv_pp_set(m, drive, "dur", 100, &err) || rv_pp_set(m, drive, "amp", 50, &err) ||
        rv_pp_create(m, "IClamp", dend, 0.5, &hold, &err) || rv_pp_set(m, hold, "del", 1e9, &err)) {
        fprintf(stderr, "setup: %s\n", err.msg);
        return 1;
    }
    rv_status st;
    st = rv_transfer_source(m, 1, 99, 0.5, &err);
    expect(st != RV_OK, "source on a bad section", &err);
    st = rv_transfer_source(m, 1, soma, 1.5, &err);
    expect(st != RV_OK, "source at x = 1.5", &err);
    st = rv_transfer_target(m, 1, 99, "amp", &err);
    expect(st == RV_EINVAL, "target on a bad point process", &err);
    st = rv_transfer_target(m, 1, hold, "nosuch", &err);
    expect(st == RV_ENOENT, "target variable that does not exist", &err);
    st = rv_transfer_target(m, 1, hold, NULL, &err);
    expect(st == RV_EINVAL, "target variable NULL", &err);
    st = rv_transfer_source(m, 1, soma, 0.5, &err);
    expect(st == RV_OK, "source sgid 1 at soma(0.5)", &err);
    st = rv_transfer_target(m, 1, hold, "amp", &err);
    expect(st == RV_OK, "target sgid 1 -> IClamp amp", &err);
    st = rv_model_finitialize(m, -61.5, &err);
    expect(st == RV_OK, "finitialize", &err);
    double amp = 0, v = 0;
    rv_pp_get(m, hold, "amp", &amp, NULL);
    expect(amp == -61.5, "after finitialize the target holds v_init", NULL);
    int same = 1;
    double vmax = -1e9;
    for (int k = 0; k < 400 && !st; ++k) {
        st = rv_model_step(m, &err);
        rv_pp_get(m, hold, "amp", &amp, NULL);
        rv_range_get(m, soma, 0.5, "v", &v, NULL);
        same &= amp == v;
        if (v > vmax) vmax = v;
    }
    expect(st == RV_OK && same, "after each step the target holds the source v", &err);
    expect(vmax > 0, "the source fired (the values moved)", NULL);
    st = rv_transfer_source(m, 2, soma, 0.5, &err);
    expect(st == RV_ESTATE, "source after setup", &err);
    rv_model_destroy(m);

    /* a target whose sgid has no source */
    if (rv_model_create(&m, &err) || rv_section_create(m, "a", 1, &soma, &err) ||
        rv_pp_create(m, "IClamp", soma, 0.5, &hold, &err) ||
        rv_transfer_source(m, 3, soma, 0.5, &err) || rv_transfer_target(m, 9, hold, "amp", &err)) {
        fprintf(stderr, "setup 2: %s\n", err.msg);
        return 1;
    }
    st = rv_model_finitialize(m, -65, &err);
    expect(st == RV_ENOENT && strstr(err.msg, "sgid 9 ") != NULL,
           "target without a source fails naming the sgid", &err);
    rv_model_destroy(m);
    /* two sources with one sgid */
    if (rv_model_create(&m, &err) || rv_section_create(m, "a", 1, &soma, &err) ||
        rv_transfer_source(m, 4, soma, 0.5, &err) || rv_transfer_source(m, 4, soma, 0.2, &err)) {
        fprintf(stderr, "setup 3: %s\n", err.msg);
        return 1;
    }
    st = rv_model_finitialize(m, -65, &err);
    expect(st == RV_EINVAL && strstr(err.msg, "sgid 4") != NULL, "two sources with one sgid", &err);
    rv_model_destroy(m);
    printf("%s\n", fails ? "FAIL" : "PASS");
    return fails != 0;
}
