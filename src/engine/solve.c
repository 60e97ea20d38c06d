/* SPDX-License-Identifier: MIT
 * engine/solve.c -- finitialize, the fixed step and the Hines solver.
 *
 * One step, in NEURON 8.2's order (nrn_fixed_step_thread):
 *   tables checked; thresholds checked at t (spikes at t + 1e-10);
 *   events delivered up to t + dt/2;  t += dt/2;
 *   rhs: zero, mechanism currents, axial currents;
 *   lhs: zero, mechanism di/dv, capacitance cm*cj/1000, axial terms;
 *   Hines solve; ion currents += di/dv * dv (secondorder 2);
 *   v += dv (secondorder 2: v += 2 dv); i_membrane_;  t += dt/2;
 *   mechanism states; records; spike exchange every `exchange_every`
 *   steps; events delivered up to t (those in (t, t + dt/2] wait for the
 *   start of the next step, after its threshold check, as in NEURON).
 * t advances by two half steps, as in NEURON, so that times carry the same
 * round-off (spike times such as 8.400000000100057).
 */
#include "engine_int.h"

#include <math.h>
#include <string.h>

static void nrn_rhs(rv_model *m) {
    int n = m->n_node;
    double *rhs = m->rhs, *v = m->v, *a = m->a, *b = m->b;
    const int *par = m->parent;
    memset(rhs, 0, sizeof(double) * (size_t)n);
    if (m->sav_rhs) memset(m->sav_rhs, 0, sizeof(double) * (size_t)n);
    for (int k = 0; k < m->nmech; ++k) {
        rv_mech_list *ml = &m->ml[k].ml;
        if (ml->n && ml->type->cur) ml->type->cur(&m->th, ml);
    }
    if (m->sav_rhs)
        for (int i = 0; i < n; ++i) m->sav_rhs[i] -= rhs[i];
    for (int i = m->ncell; i < n; ++i) { /* nodes 0..ncell-1 are the roots */
        int p = par[i];
        double dv = v[p] - v[i];
        rhs[i] -= b[i] * dv;
        rhs[p] += a[i] * dv;
    }
}

static void nrn_lhs(rv_model *m) {
    int n = m->n_node;
    double *d = m->d, *a = m->a, *b = m->b, *cm = m->cm;
    const int *par = m->parent;
    memset(d, 0, sizeof(double) * (size_t)n);
    if (m->sav_d) memset(m->sav_d, 0, sizeof(double) * (size_t)n);
    for (int k = 0; k < m->nmech; ++k) {
        rv_mech_list *ml = &m->ml[k].ml;
        if (ml->n && ml->type->jacob) ml->type->jacob(&m->th, ml);
    }
    double cfac = .001 * m->th.cj;
    for (int i = 0; i < n; ++i) d[i] += cfac * cm[i];
    if (m->sav_d)
        for (int i = 0; i < n; ++i) m->sav_d[i] += d[i];
    /* NEURON does these in two loops; one gives the same sums: d[p] -= b[p]
     * happens at i = p, before any child c > p subtracts a[c] */
    for (int i = m->ncell; i < n; ++i) {
        d[i] -= b[i];
        d[par[i]] -= a[i];
    }
}

/* nrn_rhs then nrn_lhs in one pass over the tree when no fast i_membrane
 * bookkeeping needs the sums in between: the currents, then the di/dv in
 * mechanism order as NEURON (cur only writes rhs, jacob only d), then one
 * loop doing both axial loops and the capacitance.  Each rhs[i] and d[i]
 * sees the same operations in the same order: at node i, d[i] holds only
 * the di/dv sum (its children c > i come later), gets cm*cj/1000, then
 * -b[i], then -a[c] for each child in increasing c. */
void rv__setup_tree_matrix(rv_model *m) {
    if (m->sav_rhs || m->sav_d) {
        nrn_rhs(m);
        nrn_lhs(m);
        return;
    }
    int n = m->n_node, nc = m->ncell;
    double *rhs = m->rhs, *d = m->d, *v = m->v, *a = m->a, *b = m->b, *cm = m->cm;
    const int *par = m->parent;
    memset(rhs, 0, sizeof(double) * (size_t)n);
    memset(d, 0, sizeof(double) * (size_t)n);
    for (int k = 0; k < m->nmech; ++k) {
        rv_mech_list *ml = &m->ml[k].ml;
        if (ml->n && ml->type->cur) ml->type->cur(&m->th, ml);
    }
    for (int k = 0; k < m->nmech; ++k) {
        rv_mech_list *ml = &m->ml[k].ml;
        if (ml->n && ml->type->jacob) ml->type->jacob(&m->th, ml);
    }
    double cfac = .001 * m->th.cj;
    for (int i = 0; i < nc; ++i) d[i] += cfac * cm[i];
    for (int i = nc; i < n; ++i) {
        int p = par[i];
        double dv = v[p] - v[i];
        rhs[i] -= b[i] * dv;
        rhs[p] += a[i] * dv;
        d[i] += cfac * cm[i];
        d[i] -= b[i];
        d[p] -= a[i];
    }
}

/* Hines elimination: parent[i] < i; the roots are nodes 0..ncell-1. */
void rv__solve(rv_model *m) {
    int n = m->n_node, nc = m->ncell;
    double *d = m->d, *rhs = m->rhs, *a = m->a, *b = m->b;
    const int *par = m->parent;
    for (int i = n - 1; i >= nc; --i) {
        int p = par[i];
        double f = a[i] / d[i];
        d[p] -= f * b[i];
        rhs[p] -= f * rhs[i];
    }
    for (int i = 0; i < nc; ++i) rhs[i] /= d[i];
    for (int i = nc; i < n; ++i) {
        rhs[i] -= b[i] * rhs[par[i]];
        rhs[i] /= d[i];
    }
}

static void second_order_cur(rv_model *m) {
    if (m->secondorder != 2) return;
    for (int q = 0; q < m->nion; ++q) {
        rv_mech_list *ml = &m->ml[m->ion[q]->mech].ml;
        double *cur = ml->data + RV_ION_CUR * ml->pad, *dc = ml->data + RV_ION_DCURDV * ml->pad;
        for (int i = 0; i < ml->n; ++i) cur[i] += dc[i] * m->rhs[ml->node[i]];
    }
}

static void calc_fast_imem(rv_model *m) {
    if (!m->sav_rhs) return;
    for (int i = 0; i < m->n_node; ++i)
        m->sav_rhs[i] = (m->sav_d[i] * m->rhs[i] + m->sav_rhs[i]) * m->area[i] * 0.01;
}

static void update(rv_model *m) {
    int n = m->n_node;
    double *v = m->v, *rhs = m->rhs;
    if (m->secondorder) {
        for (int i = 0; i < n; ++i) v[i] += 2. * rhs[i];
    } else {
        for (int i = 0; i < n; ++i) v[i] += rhs[i];
    }
    calc_fast_imem(m);
}

static void table_check(rv_model *m) {
    for (int k = 0; k < m->nmech; ++k) {
        rv_mech_list *ml = &m->ml[k].ml;
        if (ml->type->table_check) ml->type->table_check(&m->th, ml);
    }
}

static void record(rv_model *m) {
    for (int r = 0; r < m->nrec; ++r) {
        rv_record *rc = &m->rec[r];
        if (rc->n == rc->cap) {
            size_t nc = rc->cap ? rc->cap * 2 : 1024;
            double *nv = rv_realloc(rc->val, nc * sizeof(double));
            if (!nv) {
                m->mech_error = true;
                m->mech_error_code = RV_ENOMEM;
                strcpy(m->mech_error_msg, "out of memory recording");
                return;
            }
            rc->val = nv;
            rc->cap = nc;
        }
        rc->val[rc->n++] = rc->off < 0 ? m->t : m->block[rc->off];
    }
}

static rv_status mech_status(rv_model *m, rv_error *err) {
    if (!m->mech_error) return RV_OK;
    m->initialized = false;
    return RV_FAIL(err, m->mech_error_code ? m->mech_error_code : RV_ERANGE, "%s",
                   m->mech_error_msg);
}

static void set_thread(rv_model *m) {
    m->th.t = m->t;
    m->th.dt = m->dt;
    m->th.celsius = m->celsius;
    m->th.secondorder = m->secondorder;
    m->th.cj = m->secondorder ? 2.0 / m->dt : 1.0 / m->dt;
}

rv_status rv_model_finitialize(rv_model *m, double v_init, rv_error *err) {
    rv_status st = rv_model_setup(m, err);
    if (st) return st;
    if (!isfinite(v_init)) return RV_FAIL(err, RV_ERANGE, "v_init = %g", v_init);
    st = rv__transfer_setup(m, err); /* voltage transfer: once, collective */
    if (st) return st;
    m->t = 0.;
    m->step_count = 0;
    set_thread(m);
    table_check(m);
    st = rv__events_init(m, err);
    if (st) return st;
    st = rv__resolve_records(m, err);
    if (st) return st;
    st = rv__play_init(m, err); /* Vector.play: first events, delivered up to t = 0 */
    if (st) return st;
    rv__deliver_events(m, m->t);
    for (int r = 0; r < m->nrec; ++r) m->rec[r].n = 0;
    for (int i = 0; i < m->n_node; ++i) m->v[i] = v_init;
    st = rv__transfer_exchange(m, err); /* NEURON: after v is set, before INITIAL */
    if (st) return st;
    for (int k = 0; k < m->nmech; ++k) {
        rv_mech_list *ml = &m->ml[k].ml;
        if (ml->n && ml->type->init) ml->type->init(&m->th, ml);
    }
    /* NetCon INITIAL blocks in creation order; else weights beyond the first
     * are zeroed (NEURON's init_events) */
    for (int k = 0; k < m->nnc; ++k) {
        rv_netcon *nc = &m->nc[k];
        rv_ppd *pp = &m->pp[nc->target];
        rv_mech_list *ml = &m->ml[pp->mech].ml;
        if (ml->type->net_init)
            ml->type->net_init(&m->th, ml, pp->inst, nc->w);
        else
            for (int j = nc->nw - 1; j > 0; --j) nc->w[j] = 0.;
    }
    rv__deliver_events(m, m->t); /* NEURON's nrn_deliver_events: up to t */
    /* rv_model_set_init_hook: after the events at t = 0, before the currents */
    if (m->init_hook) m->init_hook(m->init_hook_ud, m);
    rv__setup_tree_matrix(m);
    if (m->sav_rhs) /* NEURON's nrn_calc_fast_imem_fixedstep_init */
        for (int i = 0; i < m->n_node; ++i)
            m->sav_rhs[i] = (m->rhs[i] + m->sav_rhs[i]) * m->area[i] * 0.01;
    record(m);
    if (m->exchange_every > 0) {
        st = rv__spike_exchange(m, err);
        if (st) return st;
    }
    st = mech_status(m, err);
    if (st) return st;
    m->initialized = true;
    return RV_OK;
}

rv_status rv_model_step(rv_model *m, rv_error *err) {
    if (!m->initialized)
        return RV_FAIL(err, RV_ESTATE, "call rv_model_finitialize before stepping");
    set_thread(m);
    table_check(m);
    rv__check_thresholds(m);
    rv__deliver_events(m, m->t + 0.5 * m->dt);
    m->t += .5 * m->dt;
    m->th.t = m->t;
    if (m->nplay) rv__play_continuous(m);
    rv__setup_tree_matrix(m);
    rv__solve(m);
    second_order_cur(m);
    update(m);
    if (m->xfer_state == 2) { /* NEURON's nrnmpi_v_transfer: after update, before states */
        rv_status st = rv__transfer_exchange(m, err);
        if (st) return st;
    }
    m->t += .5 * m->dt;
    m->th.t = m->t;
    if (m->nplay) rv__play_continuous(m);
    for (int k = 0; k < m->nmech; ++k) {
        rv_mech_list *ml = &m->ml[k].ml;
        if (ml->n && ml->type->state) ml->type->state(&m->th, ml);
    }
    record(m);
    m->step_count++;
    if (m->exchange_every > 0 && m->step_count % m->exchange_every == 0) {
        rv_status st = rv__spike_exchange(m, err);
        if (st) return st;
    }
    rv__deliver_events(m, m->t); /* NEURON's nrn_deliver_events: up to t */
    return mech_status(m, err);
}

rv_status rv_model_run(rv_model *m, double tstop, rv_error *err) {
    if (!isfinite(tstop)) return RV_FAIL(err, RV_ERANGE, "tstop = %g", tstop);
    while (m->t < tstop - 0.5 * m->dt) {
        rv_status st = rv_model_step(m, err);
        if (st) return st;
    }
    return RV_OK;
}

/* ---- recording --------------------------------------------------------- */
static rv_status add_record(rv_model *m, int sec, double x, int pp, const char *name, int *rec,
                            rv_error *err) {
    if (strlen(name) >= sizeof m->rec[0].name)
        return RV_FAIL(err, RV_EINVAL, "variable name too long: %s", name);
    size_t cap = (size_t)m->cap_rec;
    if (rv_grow((void **)&m->rec, &cap, (size_t)m->nrec + 1, sizeof *m->rec))
        return RV_FAIL(err, RV_ENOMEM, "out of memory");
    m->cap_rec = (int)cap;
    rv_record *r = &m->rec[m->nrec];
    memset(r, 0, sizeof *r);
    r->sec = sec, r->x = x, r->pp = pp;
    strcpy(r->name, name);
    r->off = -1;
    *rec = m->nrec++;
    if (m->lowered) return rv__resolve_records(m, err);
    return RV_OK;
}

/* Offsets of recorded variables, once the model is lowered. */
rv_status rv__resolve_records(rv_model *m, rv_error *err) {
    for (int k = 0; k < m->nrec; ++k) {
        rv_record *r = &m->rec[k];
        rv_status st = RV_OK;
        if (strcmp(r->name, "t") == 0) {
            r->off = -1;
        } else if (r->pp >= 0) {
            double *w;
            st = rv__pp_var(m, r->pp, r->name, &w, err);
            if (!st) r->off = (long)(w - m->block);
        } else {
            st = rv__resolve_range(m, r->sec, r->x, r->name, &r->off, err);
        }
        if (st) return st;
    }
    return RV_OK;
}

rv_status rv_record_range(rv_model *m, int sec, double x, const char *name, int *rec,
                          rv_error *err) {
    if (strcmp(name, "t") == 0) return add_record(m, -1, 0, -1, name, rec, err);
    rv_status st = rv__check_x(m, sec, x, err);
    if (st) return st;
    return add_record(m, sec, x, -1, name, rec, err);
}

rv_status rv_record_pp(rv_model *m, int pp, const char *var, int *rec, rv_error *err) {
    double v;
    rv_status st = rv_pp_get(m, pp, var, &v, err); /* validates pp and var */
    if (st) return st;
    return add_record(m, -1, 0, pp, var, rec, err);
}

const double *rv_record_data(const rv_model *m, int rec, size_t *n) {
    if (rec < 0 || rec >= m->nrec) {
        *n = 0;
        return NULL;
    }
    *n = m->rec[rec].n;
    return m->rec[rec].val;
}
