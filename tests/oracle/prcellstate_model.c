/* SPDX-License-Identifier: MIT
 * tests/oracle/prcellstate_model.c -- the model of prcellstate_check.py built
 * through the engine API: soma (hh) with two pas dendrites (one on each
 * end), an IClamp, an ExpSyn driven by a NetStim and by the cell's own gid;
 * writes rv_model_prcellstate(gid 1) at t = 0 and at tstop into DIR.
 * usage: prcellstate_model DIR TSTOP SECONDORDER */
#include "ranvier/engine.h"

#include <stdio.h>
#include <stdlib.h>

#define CK(x)                                                                                      \
    do {                                                                                           \
        if ((x) != RV_OK) {                                                                        \
            char b_[1024];                                                                         \
            fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, rv_error_format(&err, b_, 1024));   \
            return 1;                                                                              \
        }                                                                                          \
    } while (0)

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: prcellstate_model DIR TSTOP SECONDORDER\n");
        return 2;
    }
    const char *dir = argv[1];
    double tstop = atof(argv[2]);
    rv_model *m;
    rv_error err;
    int soma, dend, dend2, syn, ic, ns, nc;
    CK(rv_model_create(&m, &err));
    CK(rv_model_set_celsius(m, 6.3, &err));
    CK(rv_model_set_dt(m, 0.025, &err));
    CK(rv_model_set_secondorder(m, atoi(argv[3]), &err));
    CK(rv_section_create(m, "soma", 1, &soma, &err));
    CK(rv_section_set_L(m, soma, 20, &err));
    CK(rv_section_set_diam(m, soma, 20, &err));
    CK(rv_section_insert(m, soma, "hh", &err));
    CK(rv_section_create(m, "dend", 3, &dend, &err));
    CK(rv_section_set_L(m, dend, 200, &err));
    CK(rv_section_set_diam(m, dend, 2, &err));
    CK(rv_section_insert(m, dend, "pas", &err));
    CK(rv_section_connect(m, dend, 0, soma, 1, &err));
    CK(rv_section_create(m, "dend2", 2, &dend2, &err));
    CK(rv_section_set_L(m, dend2, 100, &err));
    CK(rv_section_set_diam(m, dend2, 1, &err));
    CK(rv_section_insert(m, dend2, "pas", &err));
    CK(rv_section_connect(m, dend2, 0, soma, 0, &err));
    CK(rv_pp_create(m, "ExpSyn", dend, 0.8, &syn, &err));
    CK(rv_pp_set(m, syn, "tau", 2, &err));
    CK(rv_pp_create(m, "NetStim", -1, 0, &ns, &err));
    CK(rv_pp_set(m, ns, "start", 1, &err));
    CK(rv_pp_set(m, ns, "number", 3, &err));
    CK(rv_pp_set(m, ns, "interval", 2, &err));
    CK(rv_pp_set(m, ns, "noise", 0, &err));
    CK(rv_gid_from_pp(m, ((int64_t)1 << 40) + 7, ns, &err));
    CK(rv_netcon_create(m, ((int64_t)1 << 40) + 7, syn, 1, 0.01, &nc, &err));
    CK(rv_gid_from_section(m, 1, soma, 0.5, -20, &err));
    CK(rv_netcon_create(m, 1, syn, 2, 0.005, &nc, &err));
    CK(rv_pp_create(m, "IClamp", soma, 0.5, &ic, &err));
    CK(rv_pp_set(m, ic, "del", 1, &err));
    CK(rv_pp_set(m, ic, "dur", 1, &err));
    CK(rv_pp_set(m, ic, "amp", 0.5, &err));
    CK(rv_model_finitialize(m, -65, &err));
    char suffix[64], num[40];
    rv_format_py_float(rv_model_t(m), num, sizeof num);
    snprintf(suffix, sizeof suffix, "py_Neuron_t%s", num);
    CK(rv_model_prcellstate(m, 1, suffix, dir, &err));
    CK(rv_model_prcellstate(m, 99, "absent", dir, &err)); /* no such cell: nothing */
    CK(rv_model_run(m, tstop, &err));
    rv_format_py_float(rv_model_t(m), num, sizeof num);
    snprintf(suffix, sizeof suffix, "py_Neuron_t%s", num);
    CK(rv_model_prcellstate(m, 1, suffix, dir, &err));
    rv_model_destroy(m);
    return 0;
}
