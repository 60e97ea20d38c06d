/* SPDX-License-Identifier: MIT
 * tests/oracle/test_mechs.c -- two test mechanisms written by hand against
 * the mechanism ABI, twins of mod/carv.mod and mod/cadrv.mod (which NEURON
 * compiles with nrnivmodl in the oracle test), to exercise ions beyond the
 * built-ins: a calcium channel that READs eca and WRITEs ica, and a calcium
 * pool that READs ica and WRITEs cai.  Together they make NEURON's ion-style
 * rules matter: cai is a state (cinit), eca is computed at init (einit) and
 * every step (eadvance) by Nernst, ica gets the Crank-Nicolson correction.
 */
#include "test_mechs.h"

#include <math.h>

/* carv: ica = gbar * (v - eca) */
enum { CA_gbar, CA_eca, CA_ica, CA__g, CA_N };
static const rv_mech_var carv_vars[CA_N] = {{"gbar", RV_VAR_PARAM, 0.0005},
                                            {"eca", RV_VAR_INTERNAL, 0},
                                            {"ica", RV_VAR_INTERNAL, 0},
                                            {"_g", RV_VAR_INTERNAL, 0}};
static const rv_mech_ion carv_ions[1] = {{"ca", RV_ION_READ_E | RV_ION_WRITE_CUR, 0}};
#define ION(ml, var, i) ((ml)->pdata[RV_PDATA_ION(0, var) * (ml)->pad + (i)])

static void carv_init(rv_thread *th, rv_mech_list *ml) {
    for (int i = 0; i < ml->n; ++i)
        ml->data[CA_eca * ml->pad + i] = th->block[ION(ml, RV_ION_EREV, i)];
}

static void carv_cur(rv_thread *th, rv_mech_list *ml) {
    int pad = ml->pad;
    double *p = ml->data, *b = th->block;
    for (int i = 0; i < ml->n; ++i) {
        int nd = ml->node[i];
        double v = th->v[nd], eca = b[ION(ml, RV_ION_EREV, i)], gbar = p[CA_gbar * pad + i];
        double ica1 = gbar * ((v + .001) - eca);
        double g1 = 0. + ica1;
        double ica0 = gbar * (v - eca);
        double r = 0. + ica0;
        b[ION(ml, RV_ION_DCURDV, i)] += (ica1 - ica0) / .001;
        p[CA__g * pad + i] = (g1 - r) / .001;
        b[ION(ml, RV_ION_CUR, i)] += ica0;
        p[CA_ica * pad + i] = ica0;
        p[CA_eca * pad + i] = eca;
        th->rhs[nd] -= r;
    }
}

static void carv_jacob(rv_thread *th, rv_mech_list *ml) {
    for (int i = 0; i < ml->n; ++i) th->d[ml->node[i]] += ml->data[CA__g * ml->pad + i];
}

const rv_mech_type rv_test_mech_carv = {
    .abi_version = RV_MECH_ABI_VERSION,
    .name = "carv",
    .kind = RV_MECH_DENSITY,
    .n_vars = CA_N,
    .vars = carv_vars,
    .n_ions = 1,
    .ions = carv_ions,
    .init = carv_init,
    .cur = carv_cur,
    .jacob = carv_jacob,
};

/* cadrv: cai' = -ica*k - (cai - cainf)/tau, cnexp */
enum { CD_k, CD_tau, CD_cainf, CD_cai, CD_N };
static const rv_mech_var cadrv_vars[CD_N] = {{"k", RV_VAR_PARAM, 0.05},
                                             {"tau", RV_VAR_PARAM, 20},
                                             {"cainf", RV_VAR_PARAM, 5e-5},
                                             {"cai", RV_VAR_INTERNAL, 0}};
static const rv_mech_ion cadrv_ions[1] = {{"ca", RV_ION_WRITE_I, 0}}; /* reads ica too */

static void cadrv_init(rv_thread *th, rv_mech_list *ml) {
    int pad = ml->pad;
    double *b = th->block;
    for (int i = 0; i < ml->n; ++i) {
        double cai = ml->data[CD_cainf * pad + i];
        ml->data[CD_cai * pad + i] = cai;
        b[ION(ml, RV_ION_CONCI, i)] = cai;
        /* nrn_wrote_conc: erev from Nernst when the style says einit */
        rv_ion_wrote_conc(th, ml, 0, i);
    }
}

static void cadrv_state(rv_thread *th, rv_mech_list *ml) {
    int pad = ml->pad;
    double *p = ml->data, *b = th->block, dt = th->dt;
    for (int i = 0; i < ml->n; ++i) {
        double ica = b[ION(ml, RV_ION_CUR, i)], cai = b[ION(ml, RV_ION_CONCI, i)];
        double k = p[CD_k * pad + i], tau = p[CD_tau * pad + i], cainf = p[CD_cainf * pad + i];
        cai = cai + (1. - exp(dt * ((-((1.0)) / tau)))) *
                        (-((-ica) * (k) - (((-cainf))) / tau) / ((-((1.0)) / tau)) - cai);
        p[CD_cai * pad + i] = cai;
        b[ION(ml, RV_ION_CONCI, i)] = cai;
    }
}

const rv_mech_type rv_test_mech_cadrv = {
    .abi_version = RV_MECH_ABI_VERSION,
    .name = "cadrv",
    .kind = RV_MECH_DENSITY,
    .flags = RV_MECHF_WRITES_CONC,
    .n_vars = CD_N,
    .vars = cadrv_vars,
    .n_ions = 1,
    .ions = cadrv_ions,
    .init = cadrv_init,
    .state = cadrv_state,
};
