/* SPDX-License-Identifier: MIT
 * fwdskip.c -- the "forward skip" of a Blue Brain run (run.forward_skip):
 * after rv_model_finitialize, the model is advanced from a far negative time
 * with ten large steps, so that it settles before t = 0, as neurodamus did on
 * NEURON (h.t = -1e9; h.dt = skip / 10; ten fadvance(); dt restored; h.t = 0;
 * frecord_init()).  Events queued at t >= 0 are not reached during the skip;
 * events sent during it arrive at negative times, which the Blue Brain
 * synapses ignore.
 */
#include "engine_int.h"

#include <math.h>

rv_status rv_model_forward_skip(rv_model *m, double skip, rv_error *err) {
    if (!m->initialized)
        return RV_FAIL(err, RV_ESTATE, "call rv_model_finitialize before the forward skip");
    if (!(skip > 0) || !isfinite(skip))
        return RV_FAIL(err, RV_ERANGE, "forward skip = %g must be > 0", skip);
    double dt = m->dt;
    rv_status st = RV_OK;
    m->t = -1e9;
    m->th.t = m->t;
    m->dt = skip * 0.1;
    for (int k = 0; k < 10 && !st; ++k) st = rv_model_step(m, err);
    m->dt = dt;
    m->th.dt = dt;
    m->th.cj = m->secondorder ? 2.0 / dt : 1.0 / dt;
    m->t = 0;
    m->th.t = 0;
    if (st) return st;
    /* NEURON's frecord_init: every record restarts with the value now */
    return rv__records_restart(m, err);
}

rv_status rv__records_restart(rv_model *m, rv_error *err) {
    for (int r = 0; r < m->nrec; ++r) {
        rv_record *rc = &m->rec[r];
        rc->n = 0;
        if (rc->cap == 0) {
            double *nv = rv_realloc(rc->val, 1024 * sizeof(double));
            if (!nv) return RV_FAIL(err, RV_ENOMEM, "out of memory");
            rc->val = nv, rc->cap = 1024;
        }
        rc->val[rc->n++] = rc->off < 0 ? m->t : m->block[rc->off];
    }
    return RV_OK;
}
