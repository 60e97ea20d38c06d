/* SPDX-License-Identifier: MIT
 * engine/ions.c -- ion species: stores, styles and reversal potentials.
 *
 * Each ion X is a mechanism "X_ion" with NEURON's five range variables
 * (eX, Xi, Xo, iX, diX_dv_) present wherever a mechanism using X is.  Its
 * one pdata slot holds NEURON's `iontype` style bits, derived from how the
 * mechanisms at that node use the ion (nrn_promote):
 *   conc style 0..3 (bits 0-1), erev style 0..3 (bits 3-4),
 *   cinit 04, einit 040, eadvance 0100.
 * init: concentrations from Xi0_X_ion/Xo0_X_ion if cinit, erev by Nernst if
 * einit.  cur (before every other mechanism's): zero iX and diX/dv, erev by
 * Nernst if eadvance.  Constants are NEURON 8.2's (CODATA 2018).
 */
#include "engine_int.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define FARADAY  (1.602176634e-19 * 6.02214076e+23)
#define GASCONST (1.380649e-23 * 6.02214076e+23)

double rv__nernst(double ci, double co, double z, double celsius) {
    if (z == 0) return 0.;
    if (ci <= 0.) return 1e6;
    if (co <= 0.) return -1e6;
    double ktf = 1000. * GASCONST * (celsius + 273.15) / FARADAY;
    return ktf / z * log(co / ci);
}

static rv_ion *ion_of(rv_thread *th, rv_mech_list *ml) {
    rv_model *m = th->engine;
    for (int k = 0; k < m->nion; ++k)
        if (&m->ion[k]->type == ml->type) return m->ion[k];
    return NULL;
}

static void ion_init(rv_thread *th, rv_mech_list *ml) {
    rv_ion *ion = ion_of(th, ml);
    int pad = ml->pad;
    double *erev = ml->data + RV_ION_EREV * pad, *ci = ml->data + RV_ION_CONCI * pad,
           *co = ml->data + RV_ION_CONCO * pad;
    for (int i = 0; i < ml->n; ++i) {
        if (ml->pdata[i] & 04) {
            ci[i] = ion->conci0;
            co[i] = ion->conco0;
        }
    }
    for (int i = 0; i < ml->n; ++i)
        if (ml->pdata[i] & 040) erev[i] = rv__nernst(ci[i], co[i], ion->charge, th->celsius);
}

static void ion_cur(rv_thread *th, rv_mech_list *ml) {
    rv_ion *ion = ion_of(th, ml);
    int pad = ml->pad;
    double *erev = ml->data + RV_ION_EREV * pad, *ci = ml->data + RV_ION_CONCI * pad,
           *co = ml->data + RV_ION_CONCO * pad, *cur = ml->data + RV_ION_CUR * pad,
           *dc = ml->data + RV_ION_DCURDV * pad;
    for (int i = 0; i < ml->n; ++i) {
        dc[i] = 0.;
        cur[i] = 0.;
        if (ml->pdata[i] & 0100) erev[i] = rv__nernst(ci[i], co[i], ion->charge, th->celsius);
    }
}

rv_status rv__ion_get(rv_model *m, const char *name, double valence, int *out, rv_error *err) {
    for (int k = 0; k < m->nion; ++k) {
        rv_ion *ion = m->ion[k];
        if (strcmp(ion->name, name) == 0) {
            if (valence != 0 && ion->charge != 0 && valence != ion->charge)
                return RV_FAIL(err, RV_EINVAL, "ion %s: valence %g conflicts with %g", name,
                               valence, ion->charge);
            if (valence != 0) ion->charge = valence;
            *out = k;
            return RV_OK;
        }
    }
    if (m->nion >= RV_MAX_ION || m->nmech >= RV_MAX_MECH)
        return RV_FAIL(err, RV_ERANGE, "too many ion species (limit %d)", RV_MAX_ION);
    if (strlen(name) == 0 || strlen(name) > 20)
        return RV_FAIL(err, RV_EINVAL, "bad ion name '%s'", name);
    rv_ion *ion = rv_calloc(1, sizeof *ion);
    if (!ion) return RV_FAIL(err, RV_ENOMEM, "out of memory");
    snprintf(ion->name, sizeof ion->name, "%s", name);
    if (strcmp(name, "na") == 0) {
        ion->charge = 1, ion->conci0 = 10., ion->conco0 = 140., ion->erev0 = 50.;
    } else if (strcmp(name, "k") == 0) {
        ion->charge = 1, ion->conci0 = 54.4, ion->conco0 = 2.5, ion->erev0 = -77.;
    } else if (strcmp(name, "ca") == 0) {
        ion->charge = 2, ion->conci0 = 5e-5, ion->conco0 = 2., ion->erev0 = 12.5 * log(2. / 5e-5);
    } else {
        ion->charge = valence, ion->conci0 = 1., ion->conco0 = 1., ion->erev0 = 0.;
    }
    if (valence != 0) ion->charge = valence;
    snprintf(ion->varnames[RV_ION_EREV], 48, "e%s", name);
    snprintf(ion->varnames[RV_ION_CONCI], 48, "%si", name);
    snprintf(ion->varnames[RV_ION_CONCO], 48, "%so", name);
    snprintf(ion->varnames[RV_ION_CUR], 48, "i%s", name);
    snprintf(ion->varnames[RV_ION_DCURDV], 48, "di%s_dv_", name);
    double dflt[RV_ION_NVAR] = {ion->erev0, ion->conci0, ion->conco0, 0, 0};
    for (int v = 0; v < RV_ION_NVAR; ++v) {
        ion->vars[v].name = ion->varnames[v];
        ion->vars[v].role = v == RV_ION_DCURDV ? RV_VAR_ASSIGNED : RV_VAR_PARAM;
        ion->vars[v].dflt = dflt[v];
    }
    char tname[48];
    snprintf(tname, sizeof tname, "%s_ion", name);
    ion->type.abi_version = RV_MECH_ABI_VERSION;
    ion->type.name = rv_strdup(tname);
    if (!ion->type.name) {
        rv_free(ion);
        return RV_FAIL(err, RV_ENOMEM, "out of memory");
    }
    ion->type.kind = RV_MECH_ION;
    ion->type.n_vars = RV_ION_NVAR;
    ion->type.vars = ion->vars;
    ion->type.init = ion_init;
    ion->type.cur = ion_cur;
    ion->type.n_extra_pdata = 1; /* style */
    int k = m->nion;
    ion->mech = m->nmech;
    m->mech[m->nmech] = &ion->type;
    m->ion_of_mech[m->nmech] = k;
    m->nmech++;
    m->ion[m->nion++] = ion;
    *out = k;
    return RV_OK;
}

/* NEURON registers na and k at start-up (hh uses them), ca with the other
 * built-ins; doing the same keeps mechanism order -- and so the order in
 * which currents are summed -- NEURON's. */
void rv__ion_register_defaults(rv_model *m) {
    int k;
    rv__ion_get(m, "na", 1, &k, NULL);
    rv__ion_get(m, "k", 1, &k, NULL);
    rv__ion_get(m, "ca", 2, &k, NULL);
}
