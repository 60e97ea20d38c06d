/* SPDX-License-Identifier: MIT
 * engine/mech_builtin.c -- NEURON's built-in mechanisms written by hand
 * against the mechanism ABI: pas, hh, IClamp, ExpSyn, Exp2Syn, NetStim,
 * IntFire1.
 *
 * Each reproduces what NEURON 8.2 computes for its built-in of the same name,
 * operation for operation: the current is evaluated at v + 0.001 and at v and
 * di/dv is their difference quotient; cnexp updates are
 *   x = x + (1 - exp(dt * (-1/tau))) * (-(xinf/tau) / (-1/tau) - x)
 * with exp clamped like hoc_Exp (rv_exp); point-process currents are scaled
 * by 1e2/area; hh uses the 201-entry rate table over [-100, 100] mV
 * (usetable_hh = 1, rebuilt when celsius changes) with linear interpolation.
 * The only liberty taken: a synapse's decay factor 1 - exp(-dt/tau) is cached
 * per instance and recomputed when dt or tau change -- the same value, once.
 *
 * These are to be replaced by our NMODL library compiled with the NMODL
 * compiler (a later issue); results must not change when that happens.
 */
#include "engine_int.h"

#include <math.h>

#define V(th, ml, i)    ((th)->v[(ml)->node[i]])
#define AREA(th, ml, i) ((th)->block[(ml)->pdata[(slot_area) * (ml)->pad + (i)]])

/* ---------------------------------------------------------------- pas */
enum { PAS_g, PAS_e, PAS_i, PAS__g, PAS_N };
static const rv_mech_var pas_vars[PAS_N] = {{"g", RV_VAR_PARAM, .001},
                                            {"e", RV_VAR_PARAM, -70.},
                                            {"i", RV_VAR_ASSIGNED, 0},
                                            {"_g", RV_VAR_INTERNAL, 0}};

static void pas_cur(rv_thread *th, rv_mech_list *ml) {
    int pad = ml->pad;
    double *g = ml->data + PAS_g * pad, *e = ml->data + PAS_e * pad, *ii = ml->data + PAS_i * pad,
           *gg = ml->data + PAS__g * pad;
    const int *ni = ml->node;
    double *vv = th->v, *rhs = th->rhs;
    for (int i = 0; i < ml->n; ++i) {
        double v = vv[ni[i]];
        double c1 = g[i] * ((v + .001) - e[i]);
        double c0 = g[i] * (v - e[i]);
        ii[i] = c0;
        gg[i] = (c1 - c0) / .001;
        rhs[ni[i]] -= c0;
    }
}

static void density_jacob(rv_thread *th, rv_mech_list *ml, int var_g) {
    const double *gg = ml->data + var_g * ml->pad;
    const int *ni = ml->node;
    double *d = th->d;
    for (int i = 0; i < ml->n; ++i) d[ni[i]] += gg[i];
}

static void pas_jacob(rv_thread *th, rv_mech_list *ml) {
    density_jacob(th, ml, PAS__g);
}

const rv_mech_type rv_mech_pas = {
    .abi_version = RV_MECH_ABI_VERSION,
    .name = "pas",
    .kind = RV_MECH_DENSITY,
    .n_vars = PAS_N,
    .vars = pas_vars,
    .cur = pas_cur,
    .jacob = pas_jacob,
};

/* ----------------------------------------------------------------- hh */
enum {
    HH_gnabar,
    HH_gkbar,
    HH_gl,
    HH_el,
    HH_gna,
    HH_gk,
    HH_il,
    HH_minf,
    HH_hinf,
    HH_ninf,
    HH_mtau,
    HH_htau,
    HH_ntau,
    HH_m,
    HH_h,
    HH_n,
    HH_ena,
    HH_ek,
    HH_ina,
    HH_ik,
    HH__g,
    HH_N
};
static const rv_mech_var hh_vars[HH_N] = {
    {"gnabar", RV_VAR_PARAM, .12}, {"gkbar", RV_VAR_PARAM, .036}, {"gl", RV_VAR_PARAM, .0003},
    {"el", RV_VAR_PARAM, -54.3},   {"gna", RV_VAR_ASSIGNED, 0},   {"gk", RV_VAR_ASSIGNED, 0},
    {"il", RV_VAR_ASSIGNED, 0},    {"minf", RV_VAR_ASSIGNED, 0},  {"hinf", RV_VAR_ASSIGNED, 0},
    {"ninf", RV_VAR_ASSIGNED, 0},  {"mtau", RV_VAR_ASSIGNED, 0},  {"htau", RV_VAR_ASSIGNED, 0},
    {"ntau", RV_VAR_ASSIGNED, 0},  {"m", RV_VAR_STATE, 0},        {"h", RV_VAR_STATE, 0},
    {"n", RV_VAR_STATE, 0},        {"ena", RV_VAR_INTERNAL, 0},   {"ek", RV_VAR_INTERNAL, 0},
    {"ina", RV_VAR_INTERNAL, 0},   {"ik", RV_VAR_INTERNAL, 0},    {"_g", RV_VAR_INTERNAL, 0}};
static const rv_mech_ion hh_ions[2] = {{"na", RV_ION_READ_E | RV_ION_WRITE_CUR, 0},
                                       {"k", RV_ION_READ_E | RV_ION_WRITE_CUR, 0}};
static const char *const hh_gnames[1] = {"usetable"};
static const double hh_gdflt[1] = {1.0};

/* global storage: [usetable, built, sav_celsius, tables 6 x 201] */
#define HH_TBL 201
typedef struct {
    double usetable, built, sav_celsius;
    double t[6][HH_TBL];
} hh_global;

typedef struct {
    double minf, hinf, ninf, mtau, htau, ntau;
} hh_rates_t;

static double hh_vtrap(double x, double y) {
    if (fabs(x / y) < 1e-6) return y * (1.0 - x / y / 2.0);
    return x / (rv_exp(x / y) - 1.0);
}

static void hh_f_rates(double celsius, double v, hh_rates_t *r) {
    double q10 = pow(3.0, ((celsius - 6.3) / 10.0));
    double alpha = .1 * hh_vtrap(-(v + 40.0), 10.0);
    double beta = 4.0 * rv_exp(-(v + 65.0) / 18.0);
    double sum = alpha + beta;
    r->mtau = 1.0 / (q10 * sum);
    r->minf = alpha / sum;
    alpha = .07 * rv_exp(-(v + 65.0) / 20.0);
    beta = 1.0 / (rv_exp(-(v + 35.0) / 10.0) + 1.0);
    sum = alpha + beta;
    r->htau = 1.0 / (q10 * sum);
    r->hinf = alpha / sum;
    alpha = .01 * hh_vtrap(-(v + 55.0), 10.0);
    beta = .125 * rv_exp(-(v + 65.0) / 80.0);
    sum = alpha + beta;
    r->ntau = 1.0 / (q10 * sum);
    r->ninf = alpha / sum;
}

static void hh_table_check(rv_thread *th, rv_mech_list *ml) {
    hh_global *g = (hh_global *)ml->global;
    if (!g->usetable) return;
    if (g->built && g->sav_celsius == th->celsius) return;
    double tmin = -100.0, tmax = 100.0, dx = (tmax - tmin) / 200., x = tmin;
    for (int i = 0; i < HH_TBL; x += dx, i++) {
        hh_rates_t r;
        hh_f_rates(th->celsius, x, &r);
        g->t[0][i] = r.minf, g->t[1][i] = r.mtau, g->t[2][i] = r.hinf;
        g->t[3][i] = r.htau, g->t[4][i] = r.ninf, g->t[5][i] = r.ntau;
    }
    g->sav_celsius = th->celsius;
    g->built = 1;
}

static void hh_rates(const rv_thread *th, const hh_global *g, double v, hh_rates_t *r) {
    if (!g->usetable) {
        hh_f_rates(th->celsius, v, r);
        return;
    }
    const double mfac = 1. / ((100.0 - -100.0) / 200.);
    double xi = mfac * (v - -100.0);
    double *o = &r->minf; /* order: minf, hinf, ninf, mtau, htau, ntau */
    static const int col[6] = {0, 2, 4, 1, 3, 5};
    if (isnan(xi)) {
        for (int k = 0; k < 6; ++k) o[k] = xi;
        return;
    }
    if (xi <= 0.) {
        for (int k = 0; k < 6; ++k) o[k] = g->t[col[k]][0];
        return;
    }
    if (xi >= 200.) {
        for (int k = 0; k < 6; ++k) o[k] = g->t[col[k]][200];
        return;
    }
    int i = (int)xi;
    double theta = xi - (double)i;
    for (int k = 0; k < 6; ++k) {
        const double *t = g->t[col[k]];
        o[k] = t[i] + theta * (t[i + 1] - t[i]);
    }
}

static void hh_store_rates(rv_mech_list *ml, int i, const hh_rates_t *r) {
    int pad = ml->pad;
    double *p = ml->data;
    p[HH_minf * pad + i] = r->minf, p[HH_hinf * pad + i] = r->hinf;
    p[HH_ninf * pad + i] = r->ninf, p[HH_mtau * pad + i] = r->mtau;
    p[HH_htau * pad + i] = r->htau, p[HH_ntau * pad + i] = r->ntau;
}

#define ION(ml, u, var, i) ((ml)->pdata[RV_PDATA_ION(u, var) * (ml)->pad + (i)])

static void hh_init(rv_thread *th, rv_mech_list *ml) {
    hh_table_check(th, ml);
    const hh_global *g = (const hh_global *)ml->global;
    int pad = ml->pad;
    double *p = ml->data, *b = th->block;
    for (int i = 0; i < ml->n; ++i) {
        p[HH_ena * pad + i] = b[ION(ml, 0, RV_ION_EREV, i)];
        p[HH_ek * pad + i] = b[ION(ml, 1, RV_ION_EREV, i)];
        hh_rates_t r;
        hh_rates(th, g, V(th, ml, i), &r);
        hh_store_rates(ml, i, &r);
        p[HH_m * pad + i] = r.minf;
        p[HH_h * pad + i] = r.hinf;
        p[HH_n * pad + i] = r.ninf;
    }
}

static void hh_cur(rv_thread *th, rv_mech_list *ml) {
    int pad = ml->pad;
    double *p = ml->data, *b = th->block, *rhs = th->rhs;
    for (int i = 0; i < ml->n; ++i) {
        int nd = ml->node[i];
        double v = th->v[nd];
        double ena = b[ION(ml, 0, RV_ION_EREV, i)], ek = b[ION(ml, 1, RV_ION_EREV, i)];
        double m = p[HH_m * pad + i], h = p[HH_h * pad + i], n = p[HH_n * pad + i];
        double gnabar = p[HH_gnabar * pad + i], gkbar = p[HH_gkbar * pad + i];
        double gl = p[HH_gl * pad + i], el = p[HH_el * pad + i];
        /* at v + .001 */
        double vv = v + .001;
        double gna = gnabar * m * m * m * h, ina = gna * (vv - ena);
        double gk = gkbar * n * n * n * n, ik = gk * (vv - ek);
        double il = gl * (vv - el);
        double cur1 = 0.;
        cur1 += ina;
        cur1 += ik;
        cur1 += il;
        double dina = ina, dik = ik;
        /* at v */
        ina = gna * (v - ena);
        ik = gk * (v - ek);
        il = gl * (v - el);
        double cur0 = 0.;
        cur0 += ina;
        cur0 += ik;
        cur0 += il;
        b[ION(ml, 0, RV_ION_DCURDV, i)] += (dina - ina) / .001;
        b[ION(ml, 1, RV_ION_DCURDV, i)] += (dik - ik) / .001;
        p[HH__g * pad + i] = (cur1 - cur0) / .001;
        b[ION(ml, 0, RV_ION_CUR, i)] += ina;
        b[ION(ml, 1, RV_ION_CUR, i)] += ik;
        p[HH_gna * pad + i] = gna, p[HH_gk * pad + i] = gk, p[HH_il * pad + i] = il;
        p[HH_ina * pad + i] = ina, p[HH_ik * pad + i] = ik;
        p[HH_ena * pad + i] = ena, p[HH_ek * pad + i] = ek;
        rhs[nd] -= cur0;
    }
}

static void hh_jacob(rv_thread *th, rv_mech_list *ml) {
    density_jacob(th, ml, HH__g);
}

static inline double cnexp(double x, double xinf, double tau, double dt) {
    return x + (1. - rv_exp(dt * ((-1.0) / tau))) * (-((xinf) / tau) / ((-1.0) / tau) - x);
}

static void hh_state(rv_thread *th, rv_mech_list *ml) {
    const hh_global *g = (const hh_global *)ml->global;
    int pad = ml->pad;
    double *p = ml->data, *b = th->block, dt = th->dt;
    for (int i = 0; i < ml->n; ++i) {
        p[HH_ena * pad + i] = b[ION(ml, 0, RV_ION_EREV, i)];
        p[HH_ek * pad + i] = b[ION(ml, 1, RV_ION_EREV, i)];
        hh_rates_t r;
        hh_rates(th, g, V(th, ml, i), &r);
        hh_store_rates(ml, i, &r);
        double *m = &p[HH_m * pad + i], *h = &p[HH_h * pad + i], *n = &p[HH_n * pad + i];
        *m = cnexp(*m, r.minf, r.mtau, dt);
        *h = cnexp(*h, r.hinf, r.htau, dt);
        *n = cnexp(*n, r.ninf, r.ntau, dt);
    }
}

const rv_mech_type rv_mech_hh = {
    .abi_version = RV_MECH_ABI_VERSION,
    .name = "hh",
    .kind = RV_MECH_DENSITY,
    .n_vars = HH_N,
    .vars = hh_vars,
    .n_ions = 2,
    .ions = hh_ions,
    .init = hh_init,
    .cur = hh_cur,
    .jacob = hh_jacob,
    .state = hh_state,
    .table_check = hh_table_check,
    .n_globals = 1,
    .global_names = hh_gnames,
    .global_dflt = hh_gdflt,
    .global_bytes = sizeof(hh_global),
};

/* ------------------------------------------------ point-process helpers */
/* Point processes without ions: pdata slot 0 is the node area. */
enum { slot_area = 0 };

/* rhs/d updates of a NONSPECIFIC_CURRENT point process (nA) at node nd;
 * afac = 1e2/area, computed once at init (NEURON divides every step: the
 * quotient is the same) */
static inline void pp_cur_apply(rv_thread *th, int nd, double afac, double c1, double c0,
                                double *g_out) {
    double g = (c1 - c0) / .001;
    g *= afac;
    double r = c0;
    r *= afac;
    *g_out = g;
    th->rhs[nd] -= r;
}

static void pp_jacob(rv_thread *th, rv_mech_list *ml, int var_g) {
    const double *gg = ml->data + var_g * ml->pad;
    for (int i = 0; i < ml->n; ++i) th->d[ml->node[i]] += gg[i];
}

static void receive_order_check(rv_thread *th, rv_mech_list *ml, int i, int var_tsav) {
    double *tsav = &ml->data[var_tsav * ml->pad + i];
    if (*tsav > th->t)
        th->api->error(th, ml->type->name,
                       "Event arrived out of order. The minimum NetCon delay must not be "
                       "smaller than the spike exchange interval");
    *tsav = th->t;
}

static void init_tsav(rv_mech_list *ml, int var_tsav) {
    for (int i = 0; i < ml->n; ++i) ml->data[var_tsav * ml->pad + i] = -1e20;
}

static void init_afac(rv_thread *th, rv_mech_list *ml, int var_afac) {
    for (int i = 0; i < ml->n; ++i) ml->data[var_afac * ml->pad + i] = 1.e2 / (AREA(th, ml, i));
}

/* 1 - exp(dt * (-1/tau)), recomputed only when dt or tau changed */
static inline double decay(double *ctau, double *cdt, double *cfac, double tau, double dt) {
    if (*ctau != tau || *cdt != dt) {
        *ctau = tau;
        *cdt = dt;
        *cfac = (1. - rv_exp(dt * ((-1.0) / tau)));
    }
    return *cfac;
}

/* ------------------------------------------------------------- IClamp */
enum { IC_del, IC_dur, IC_amp, IC_i, IC__g, IC_N };
static const rv_mech_var ic_vars[IC_N] = {{"del", RV_VAR_PARAM, 0},
                                          {"dur", RV_VAR_PARAM, 0},
                                          {"amp", RV_VAR_PARAM, 0},
                                          {"i", RV_VAR_ASSIGNED, 0},
                                          {"_g", RV_VAR_INTERNAL, 0}};

static void ic_init(rv_thread *th, rv_mech_list *ml) {
    (void)th;
    for (int i = 0; i < ml->n; ++i) ml->data[IC_i * ml->pad + i] = 0;
}

static void ic_cur(rv_thread *th, rv_mech_list *ml) {
    int pad = ml->pad;
    double *p = ml->data, t = th->t;
    for (int i = 0; i < ml->n; ++i) {
        int nd = ml->node[i];
        double del = p[IC_del * pad + i], dur = p[IC_dur * pad + i];
        double cur = (t < del + dur && t >= del) ? p[IC_amp * pad + i] : 0.0;
        p[IC_i * pad + i] = cur;
        double area = AREA(th, ml, i);
        double g = (cur - cur) / .001;
        g *= 1.e2 / (area);
        double r = cur;
        r *= 1.e2 / (area);
        p[IC__g * pad + i] = g;
        th->rhs[nd] += r;
        if (th->sav_rhs) th->sav_rhs[nd] += r;
    }
}

static void ic_jacob(rv_thread *th, rv_mech_list *ml) {
    const double *gg = ml->data + IC__g * ml->pad;
    for (int i = 0; i < ml->n; ++i) {
        int nd = ml->node[i];
        th->d[nd] -= gg[i];
        if (th->sav_d) th->sav_d[nd] -= gg[i];
    }
}

const rv_mech_type rv_mech_IClamp = {
    .abi_version = RV_MECH_ABI_VERSION,
    .name = "IClamp",
    .kind = RV_MECH_POINT,
    .flags = RV_MECHF_ELECTRODE_CURRENT,
    .n_vars = IC_N,
    .vars = ic_vars,
    .init = ic_init,
    .cur = ic_cur,
    .jacob = ic_jacob,
};

/* ------------------------------------------------------------- ExpSyn */
enum { ES_tau, ES_e, ES_i, ES_g, ES__g, ES__tsav, ES__ctau, ES__cdt, ES__cfac, ES__afac, ES_N };
static const rv_mech_var es_vars[ES_N] = {
    {"tau", RV_VAR_PARAM, 0.1},    {"e", RV_VAR_PARAM, 0},       {"i", RV_VAR_ASSIGNED, 0},
    {"g", RV_VAR_STATE, 0},        {"_g", RV_VAR_INTERNAL, 0},   {"_tsav", RV_VAR_INTERNAL, 0},
    {"_ctau", RV_VAR_INTERNAL, 0}, {"_cdt", RV_VAR_INTERNAL, 0}, {"_cfac", RV_VAR_INTERNAL, 0},
    {"_afac", RV_VAR_INTERNAL, 0}};

static void es_init(rv_thread *th, rv_mech_list *ml) {
    init_tsav(ml, ES__tsav);
    init_afac(th, ml, ES__afac);
    for (int i = 0; i < ml->n; ++i) {
        ml->data[ES_g * ml->pad + i] = 0.0;
        ml->data[ES__ctau * ml->pad + i] = NAN;
    }
}

static void es_cur(rv_thread *th, rv_mech_list *ml) {
    int pad = ml->pad;
    double *p = ml->data;
    for (int i = 0; i < ml->n; ++i) {
        int nd = ml->node[i];
        double v = th->v[nd], g = p[ES_g * pad + i], e = p[ES_e * pad + i];
        double c1 = g * ((v + .001) - e);
        double c0 = g * (v - e);
        p[ES_i * pad + i] = c0;
        pp_cur_apply(th, nd, p[ES__afac * pad + i], c1, c0, &p[ES__g * pad + i]);
    }
}

static void es_jacob(rv_thread *th, rv_mech_list *ml) {
    pp_jacob(th, ml, ES__g);
}

static void es_state(rv_thread *th, rv_mech_list *ml) {
    int pad = ml->pad;
    double *p = ml->data, dt = th->dt;
    double *g = p + ES_g * pad, *tau = p + ES_tau * pad, *ct = p + ES__ctau * pad,
           *cd = p + ES__cdt * pad, *cf = p + ES__cfac * pad;
    for (int i = 0; i < ml->n; ++i) {
        double f = decay(&ct[i], &cd[i], &cf[i], tau[i], dt);
        /* NEURON: g + f * (-(0.0) / ((-1.0) / tau) - g); -(0.0)/(-1/tau) is +0
         * for tau > 0 and +0 - g == -g here, so the divisions can go: same bits */
        g[i] = g[i] + f * (0.0 - g[i]);
    }
}

static void es_receive(rv_thread *th, rv_mech_list *ml, int i, double *w, double flag) {
    (void)flag;
    receive_order_check(th, ml, i, ES__tsav);
    ml->data[ES_g * ml->pad + i] = ml->data[ES_g * ml->pad + i] + w[0];
}

const rv_mech_type rv_mech_ExpSyn = {
    .abi_version = RV_MECH_ABI_VERSION,
    .name = "ExpSyn",
    .kind = RV_MECH_POINT,
    .n_vars = ES_N,
    .vars = es_vars,
    .n_weights = 1,
    .init = es_init,
    .cur = es_cur,
    .jacob = es_jacob,
    .state = es_state,
    .net_receive = es_receive,
};

/* ------------------------------------------------------------ Exp2Syn */
enum {
    E2_tau1,
    E2_tau2,
    E2_e,
    E2_i,
    E2_g,
    E2_factor,
    E2_A,
    E2_B,
    E2__g,
    E2__tsav,
    E2__ct1,
    E2__cd1,
    E2__cf1,
    E2__ct2,
    E2__cd2,
    E2__cf2,
    E2__afac,
    E2_N
};
static const rv_mech_var e2_vars[E2_N] = {
    {"tau1", RV_VAR_PARAM, 0.1},   {"tau2", RV_VAR_PARAM, 10},   {"e", RV_VAR_PARAM, 0},
    {"i", RV_VAR_ASSIGNED, 0},     {"g", RV_VAR_ASSIGNED, 0},    {"factor", RV_VAR_ASSIGNED, 0},
    {"A", RV_VAR_STATE, 0},        {"B", RV_VAR_STATE, 0},       {"_g", RV_VAR_INTERNAL, 0},
    {"_tsav", RV_VAR_INTERNAL, 0}, {"_ct1", RV_VAR_INTERNAL, 0}, {"_cd1", RV_VAR_INTERNAL, 0},
    {"_cf1", RV_VAR_INTERNAL, 0},  {"_ct2", RV_VAR_INTERNAL, 0}, {"_cd2", RV_VAR_INTERNAL, 0},
    {"_cf2", RV_VAR_INTERNAL, 0},  {"_afac", RV_VAR_INTERNAL, 0}};

static void e2_init(rv_thread *th, rv_mech_list *ml) {
    int pad = ml->pad;
    double *p = ml->data;
    init_tsav(ml, E2__tsav);
    init_afac(th, ml, E2__afac);
    for (int i = 0; i < ml->n; ++i) {
        double *tau1 = &p[E2_tau1 * pad + i], tau2 = p[E2_tau2 * pad + i];
        if (*tau1 / tau2 > 0.9999) *tau1 = 0.9999 * tau2;
        if (*tau1 / tau2 < 1e-9) *tau1 = tau2 * 1e-9;
        p[E2_A * pad + i] = 0.0;
        p[E2_B * pad + i] = 0.0;
        double tp = (*tau1 * tau2) / (tau2 - *tau1) * log(tau2 / *tau1);
        double factor = -rv_exp(-tp / *tau1) + rv_exp(-tp / tau2);
        p[E2_factor * pad + i] = 1.0 / factor;
        p[E2__ct1 * pad + i] = NAN;
        p[E2__ct2 * pad + i] = NAN;
    }
}

static void e2_cur(rv_thread *th, rv_mech_list *ml) {
    int pad = ml->pad;
    double *p = ml->data;
    for (int i = 0; i < ml->n; ++i) {
        int nd = ml->node[i];
        double v = th->v[nd], e = p[E2_e * pad + i];
        double g = p[E2_B * pad + i] - p[E2_A * pad + i];
        double c1 = g * ((v + .001) - e);
        double c0 = g * (v - e);
        p[E2_g * pad + i] = g;
        p[E2_i * pad + i] = c0;
        pp_cur_apply(th, nd, p[E2__afac * pad + i], c1, c0, &p[E2__g * pad + i]);
    }
}

static void e2_jacob(rv_thread *th, rv_mech_list *ml) {
    pp_jacob(th, ml, E2__g);
}

static void e2_state(rv_thread *th, rv_mech_list *ml) {
    int pad = ml->pad;
    double *p = ml->data, dt = th->dt;
    for (int i = 0; i < ml->n; ++i) {
        double tau1 = p[E2_tau1 * pad + i], tau2 = p[E2_tau2 * pad + i];
        double f1 =
            decay(&p[E2__ct1 * pad + i], &p[E2__cd1 * pad + i], &p[E2__cf1 * pad + i], tau1, dt);
        double f2 =
            decay(&p[E2__ct2 * pad + i], &p[E2__cd2 * pad + i], &p[E2__cf2 * pad + i], tau2, dt);
        double *A = &p[E2_A * pad + i], *B = &p[E2_B * pad + i];
        *A = *A + f1 * (0.0 - *A); /* see es_state */
        *B = *B + f2 * (0.0 - *B);
    }
}

static void e2_receive(rv_thread *th, rv_mech_list *ml, int i, double *w, double flag) {
    (void)flag;
    receive_order_check(th, ml, i, E2__tsav);
    int pad = ml->pad;
    double *p = ml->data, factor = p[E2_factor * pad + i];
    p[E2_A * pad + i] = p[E2_A * pad + i] + w[0] * factor;
    p[E2_B * pad + i] = p[E2_B * pad + i] + w[0] * factor;
}

const rv_mech_type rv_mech_Exp2Syn = {
    .abi_version = RV_MECH_ABI_VERSION,
    .name = "Exp2Syn",
    .kind = RV_MECH_POINT,
    .n_vars = E2_N,
    .vars = e2_vars,
    .n_weights = 1,
    .init = e2_init,
    .cur = e2_cur,
    .jacob = e2_jacob,
    .state = e2_state,
    .net_receive = e2_receive,
};

/* ------------------------------------------------------------ NetStim */
enum { NS_interval, NS_number, NS_start, NS_noise, NS_event, NS_on, NS_ispike, NS__tsav, NS_N };
static const rv_mech_var ns_vars[NS_N] = {
    {"interval", RV_VAR_PARAM, 10}, {"number", RV_VAR_PARAM, 10},  {"start", RV_VAR_PARAM, 50},
    {"noise", RV_VAR_PARAM, 0},     {"event", RV_VAR_ASSIGNED, 0}, {"on", RV_VAR_ASSIGNED, 0},
    {"ispike", RV_VAR_ASSIGNED, 0}, {"_tsav", RV_VAR_INTERNAL, 0}};

#define NSP(var) (ml->data[(NS_##var) * ml->pad + i])

static double ns_erand(rv_thread *th, rv_mech_list *ml, int i) {
    rv_ran123 *s = (rv_ran123 *)ml->vdata[i];
    if (!s) {
        th->api->error(th, "NetStim", "noise > 0 needs a Random123 stream (noiseFromRandom123)");
        return 1.0;
    }
    return rv_ran123_negexp(s);
}

static double ns_invl(rv_thread *th, rv_mech_list *ml, int i, double mean) {
    if (mean <= 0.) mean = .01;
    if (NSP(noise) == 0.0) return mean;
    return (1. - NSP(noise)) * mean + NSP(noise) * mean * ns_erand(th, ml, i);
}

static void ns_init_sequence(rv_mech_list *ml, int i) {
    if (NSP(number) > 0.0) {
        NSP(on) = 1.0;
        NSP(event) = 0.0;
        NSP(ispike) = 0.0;
    }
}

static void ns_next_invl(rv_thread *th, rv_mech_list *ml, int i) {
    if (NSP(number) > 0.0) NSP(event) = ns_invl(th, ml, i, NSP(interval));
    if (NSP(ispike) >= NSP(number)) NSP(on) = 0.0;
}

static void ns_init(rv_thread *th, rv_mech_list *ml) {
    init_tsav(ml, NS__tsav);
    for (int i = 0; i < ml->n; ++i) {
        rv_ran123 *s = (rv_ran123 *)ml->vdata[i];
        if (s) rv_ran123_setseq(s, 0, 0);
        NSP(on) = 0.0;
        NSP(ispike) = 0.0;
        if (NSP(noise) < 0.0) NSP(noise) = 0.0;
        if (NSP(noise) > 1.0) NSP(noise) = 1.0;
        if (NSP(start) >= 0.0 && NSP(number) > 0.0) {
            NSP(on) = 1.0;
            NSP(event) =
                NSP(start) + ns_invl(th, ml, i, NSP(interval)) - NSP(interval) * (1. - NSP(noise));
            if (NSP(event) < 0.0) NSP(event) = 0.0;
            th->api->net_send(th, ml, i, NULL, NSP(event), 3.0);
        }
    }
}

static void ns_receive(rv_thread *th, rv_mech_list *ml, int i, double *w, double flag) {
    receive_order_check(th, ml, i, NS__tsav);
    if (flag == 0.0) {
        if (w[0] > 0.0 && NSP(on) == 0.0) {
            ns_init_sequence(ml, i);
            ns_next_invl(th, ml, i);
            NSP(event) = NSP(event) - NSP(interval) * (1. - NSP(noise));
            th->api->net_send(th, ml, i, w, NSP(event), 1.0);
        } else if (w[0] < 0.0) {
            NSP(on) = 0.0;
        }
    }
    if (flag == 3.0) {
        if (NSP(on) == 1.0) {
            ns_init_sequence(ml, i);
            th->api->net_send(th, ml, i, w, 0.0, 1.0);
        }
    }
    if (flag == 1.0 && NSP(on) == 1.0) {
        NSP(ispike) = NSP(ispike) + 1.0;
        th->api->net_event(th, ml, i, th->t);
        ns_next_invl(th, ml, i);
        if (NSP(on) == 1.0) th->api->net_send(th, ml, i, w, NSP(event), 1.0);
    }
}

const rv_mech_type rv_mech_NetStim = {
    .abi_version = RV_MECH_ABI_VERSION,
    .name = "NetStim",
    .kind = RV_MECH_ARTIFICIAL,
    .n_vars = NS_N,
    .vars = ns_vars,
    .n_vdata = 1,
    .n_weights = 1,
    .init = ns_init,
    .net_receive = ns_receive,
};

/* ----------------------------------------------------------- IntFire1 */
enum { IF_tau, IF_refrac, IF_m, IF_t0, IF_refractory, IF__tsav, IF_N };
static const rv_mech_var if_vars[IF_N] = {
    {"tau", RV_VAR_PARAM, 10},  {"refrac", RV_VAR_PARAM, 5},        {"m", RV_VAR_ASSIGNED, 0},
    {"t0", RV_VAR_ASSIGNED, 0}, {"refractory", RV_VAR_ASSIGNED, 0}, {"_tsav", RV_VAR_INTERNAL, 0}};

#define IFP(var) (ml->data[(IF_##var) * ml->pad + i])

static void if_init(rv_thread *th, rv_mech_list *ml) {
    init_tsav(ml, IF__tsav);
    for (int i = 0; i < ml->n; ++i) {
        IFP(m) = 0.0;
        IFP(t0) = th->t;
        IFP(refractory) = 0.0;
    }
}

static void if_receive(rv_thread *th, rv_mech_list *ml, int i, double *w, double flag) {
    receive_order_check(th, ml, i, IF__tsav);
    double t = th->t;
    if (IFP(refractory) == 0.0) {
        IFP(m) = IFP(m) * rv_exp(-(t - IFP(t0)) / IFP(tau));
        IFP(t0) = t;
        IFP(m) = IFP(m) + w[0];
        if (IFP(m) > 1.0) {
            IFP(refractory) = 1.0;
            IFP(m) = 2.0;
            th->api->net_send(th, ml, i, w, IFP(refrac), IFP(refractory));
            th->api->net_event(th, ml, i, t);
        }
    } else if (flag == 1.0) {
        IFP(t0) = t;
        IFP(refractory) = 0.0;
        IFP(m) = 0.0;
    }
}

const rv_mech_type rv_mech_IntFire1 = {
    .abi_version = RV_MECH_ABI_VERSION,
    .name = "IntFire1",
    .kind = RV_MECH_ARTIFICIAL,
    .n_vars = IF_N,
    .vars = if_vars,
    .n_weights = 1,
    .init = if_init,
    .net_receive = if_receive,
};

/* ------------------------------------------ services for NMODL code */
/* FOR_NETCONS: the k-th NetCon whose target is instance i of ml, in
 * NEURON's order (NetCvode::fornetcon_prepare): by source PreSyn in
 * creation order (the local sources, then NetCons from remote gids), each
 * source's NetCons in creation order.  A scan: meant for INITIAL. */
static bool nc_targets(const rv_model *m, int c, const rv_mech_list *ml, int i) {
    const rv_ppd *pp = &m->pp[m->nc[c].target];
    return pp->mech == ml->index && pp->inst == i;
}

static int api_for_netcons(rv_thread *th, rv_mech_list *ml, int i, int k, double **w) {
    rv_model *m = th->engine;
    for (int p = 0; p < m->nps; ++p) {
        rv_gidmap_entry *e = rv__gid_get(m, m->ps[p].gid, false);
        for (int j = 0; e && j < e->nnc; ++j)
            if (nc_targets(m, e->nc[j], ml, i) && k-- == 0) {
                *w = m->nc[e->nc[j]].w;
                return 1;
            }
    }
    for (int c = 0; c < m->nnc; ++c) {
        rv_gidmap_entry *e = rv__gid_get(m, m->nc[c].src_gid, false);
        if (e && e->presyn >= 0) continue;
        if (nc_targets(m, c, ml, i) && k-- == 0) {
            *w = m->nc[c].w;
            return 1;
        }
    }
    return 0;
}

/* NEURON's scop_random (src/oc/scoprand.cpp, mcell_ran4 off, its default):
 * value = 2147437301 value + 453816981 mod 2^32, returned as
 * value / (2^32 - 1); set_seed(s) sets value = (uint32_t)s. */
static double api_scop_random(rv_thread *th) {
    rv_model *m = th->engine;
    m->scop_value = 2147437301u * m->scop_value + 453816981u;
    return fabs((double)m->scop_value / (double)0xFFFFFFFFu);
}

static void api_set_seed(rv_thread *th, double seed) {
    rv_model *m = th->engine;
    m->scop_value = (uint32_t)seed;
}

void rv__mech_api_init(rv_model *m) {
    m->api.for_netcons = api_for_netcons;
    m->api.scop_random = api_scop_random;
    m->api.set_seed = api_set_seed;
}
