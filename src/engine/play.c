/* SPDX-License-Identifier: MIT
 * engine/play.c -- Vector.play into model variables, stable pointers to
 * model variables, and the init hook.
 *
 * Semantics of NEURON 8.2's fixed step (VecPlayStep / VecPlayContinuous):
 *
 * step (continuous = 0): finitialize queues an event at t[0]; delivering
 *   event k writes y[k] and queues the next at t[k+1].  Events are ordinary
 *   queue events (NEURON's FIFO among equal times), so a value due in
 *   (t, t + dt/2] is in place for the step that starts at t.
 *
 * continuous = 1: the item keeps two indices, ubound (the point whose event
 *   is pending) and last (the segment used).  finitialize queues an event at
 *   t[0]; delivering an event moves ubound to the next point, queues its
 *   event and writes interpolate(event time).  Besides, the value is
 *   written as interpolate(t) at t + dt/2 of every step (before the
 *   currents) and at t + dt (before the states).  interpolate(tt): if
 *   tt >= t[ubound] the segment ends at ubound (ubound 0: y[0]); else if
 *   tt <= t[0] it is y[0]; else the segment is searched from `last`.  The
 *   segment (t0, t1) gives y0 + (y1 - y0) (tt - t0) / (t1 - t0), or
 *   (y0 + y1) / 2 when t0 == t1.  After the last point the last segment is
 *   extended linearly (as NEURON does).  Before finitialize delivers the
 *   first event the variable keeps its own value.
 */
#include "engine_int.h"

#include <math.h>
#include <string.h>

rv_status rv__play_grow(rv_model *m, rv_error *err) {
    size_t cap = (size_t)m->cap_play;
    if (rv_grow((void **)&m->play, &cap, (size_t)m->nplay + 1, sizeof *m->play))
        return RV_FAIL(err, RV_ENOMEM, "out of memory");
    m->cap_play = (int)cap;
    return RV_OK;
}

static rv_status add_play(rv_model *m, int sec, double x, int pp, const char *name, const double *t,
                          const double *y, size_t n, int continuous, rv_error *err) {
    if (!t || !y || n == 0)
        return RV_FAIL(err, RV_EINVAL, "play of '%s': need at least one (t, y) point", name);
    if (n > ((size_t)1 << 40))
        return RV_FAIL(err, RV_EINVAL, "play of '%s': too many points", name);
    if (continuous != 0 && continuous != 1)
        return RV_FAIL(err, RV_EINVAL, "play of '%s': continuous must be 0 or 1, not %d", name,
                       continuous);
    for (size_t i = 0; i < n; ++i) {
        if (!isfinite(t[i]) || !isfinite(y[i]))
            return RV_FAIL(err, RV_ERANGE, "play of '%s': point %zu is not finite (t %g, y %g)",
                           name, i, t[i], y[i]);
        if (i && t[i] < t[i - 1])
            return RV_FAIL(err, RV_EINVAL,
                           "play of '%s': times must not decrease (t[%zu] = %g < t[%zu] = %g)",
                           name, i, t[i], i - 1, t[i - 1]);
    }
    if (strlen(name) >= sizeof m->play[0].name)
        return RV_FAIL(err, RV_EINVAL, "variable name too long: %s", name);
    rv_status st = rv__play_grow(m, err);
    if (st) return st;
    rv_play *p = &m->play[m->nplay];
    memset(p, 0, sizeof *p);
    p->t = rv_malloc(n * sizeof(double));
    p->y = rv_malloc(n * sizeof(double));
    if (!p->t || !p->y) {
        rv_free(p->t), rv_free(p->y);
        p->t = p->y = NULL;
        return RV_FAIL(err, RV_ENOMEM, "out of memory");
    }
    memcpy(p->t, t, n * sizeof(double));
    memcpy(p->y, y, n * sizeof(double));
    p->n = n;
    p->sec = sec, p->x = x, p->pp = pp;
    strcpy(p->name, name);
    p->continuous = continuous;
    p->off = -1;
    m->nplay++;
    if (m->lowered) {
        st = rv__play_resolve(m, m->nplay - 1, err);
        if (st) {
            m->nplay--;
            rv_free(p->t), rv_free(p->y);
            return st;
        }
    }
    return RV_OK;
}

rv_status rv_play_pp(rv_model *m, int pp, const char *var, const double *t, const double *y,
                     size_t n, int continuous, rv_error *err) {
    if (!m || !var) return RV_FAIL(err, RV_EINVAL, "rv_play_pp: NULL argument");
    double v;
    rv_status st = rv_pp_get(m, pp, var, &v, err); /* validates pp and var */
    if (st) return st;
    return add_play(m, -1, 0, pp, var, t, y, n, continuous, err);
}

rv_status rv_play_range(rv_model *m, int sec, double x, const char *name, const double *t,
                        const double *y, size_t n, int continuous, rv_error *err) {
    if (!m || !name) return RV_FAIL(err, RV_EINVAL, "rv_play_range: NULL argument");
    if (strcmp(name, "i_membrane_") == 0)
        return RV_FAIL(err, RV_EINVAL, "play of i_membrane_: it is read only");
    rv_status st = rv__check_x(m, sec, x, err);
    if (st) return st;
    return add_play(m, sec, x, -1, name, t, y, n, continuous, err);
}

/* Offset of play item k's variable in the block (model lowered). */
rv_status rv__play_resolve(rv_model *m, int k, rv_error *err) {
    rv_play *p = &m->play[k];
    if (p->pp >= 0) {
        double *w;
        rv_status st = rv__pp_var(m, p->pp, p->name, &w, err);
        if (st) return st;
        p->off = (long)(w - m->block);
        return RV_OK;
    }
    return rv__resolve_range(m, p->sec, p->x, p->name, &p->off, err);
}

static void push_play(rv_model *m, int k, double td) {
    rv_event e = {0};
    e.td = td;
    e.ti = m->event_order_eff == RV_EVENT_ORDER_NEURON ? 0 : m->th.t;
    e.key = m->self_seq++;
    e.kind = RV_EV_PLAY;
    e.a = k;
    if (rv__queue_push(&m->q, &e) && !m->mech_error) {
        m->mech_error = true;
        m->mech_error_code = RV_ENOMEM;
        strcpy(m->mech_error_msg, "out of memory in the event queue (play)");
    }
}

static double interp_cont(rv_play *p, double tt) {
    const double *T = p->t, *Y = p->y;
    if (tt >= T[p->ubound]) {
        p->last = p->ubound;
        if (p->last == 0) return Y[0];
    } else if (tt <= T[0]) {
        p->last = 0;
        return Y[0];
    } else {
        while (tt < T[p->last]) --p->last;
        while (tt >= T[p->last]) ++p->last;
    }
    size_t i = p->last;
    double x0 = Y[i - 1], x1 = Y[i], t0 = T[i - 1], t1 = T[i];
    if (t0 == t1) return (x0 + x1) / 2.;
    return x0 + (x1 - x0) * ((tt - t0) / (t1 - t0));
}

/* finitialize, after the queue is cleared: resolve and queue first events. */
rv_status rv__play_init(rv_model *m, rv_error *err) {
    for (int k = 0; k < m->nplay; ++k) {
        rv_play *p = &m->play[k];
        rv_status st = rv__play_resolve(m, k, err);
        if (st) return st;
        p->cur = 0;
        p->last = 0;
        p->ubound = 0;
        push_play(m, k, p->t[0]);
    }
    return RV_OK;
}

/* Delivery of play item k's event due at td. */
void rv__play_deliver(rv_model *m, int k, double td) {
    rv_play *p = &m->play[k];
    if (p->off < 0) return;
    double *where = &m->block[p->off];
    if (!p->continuous) {
        *where = p->y[p->cur++];
        if (p->cur < p->n) push_play(m, k, p->t[p->cur]);
        return;
    }
    p->last = p->ubound;
    if (p->ubound < p->n - 1) {
        p->ubound++;
        push_play(m, k, p->t[p->ubound]);
    }
    *where = interp_cont(p, td);
}

/* fixed_play_continuous: at t + dt/2 and at t + dt of every step. */
void rv__play_continuous(rv_model *m) {
    for (int k = 0; k < m->nplay; ++k) {
        rv_play *p = &m->play[k];
        if (p->continuous && p->off >= 0) m->block[p->off] = interp_cont(p, m->t);
    }
}

void rv__play_free(rv_model *m) {
    for (int k = 0; k < m->nplay; ++k) {
        rv_free(m->play[k].t);
        rv_free(m->play[k].y);
    }
    rv_free(m->play);
    m->play = NULL;
    m->nplay = m->cap_play = 0;
}

/* ---- pointers and the init hook ------------------------------------------ */
rv_status rv_range_ptr(rv_model *m, int sec, double x, const char *name, const double **p,
                       rv_error *err) {
    if (!m || !name || !p) return RV_FAIL(err, RV_EINVAL, "rv_range_ptr: NULL argument");
    rv_status st = rv__check_x(m, sec, x, err);
    if (!st) st = rv_model_setup(m, err);
    long off = -1;
    if (!st) st = rv__resolve_range(m, sec, x, name, &off, err);
    if (st) return st;
    *p = &m->block[off];
    return RV_OK;
}

rv_status rv_pp_ptr(rv_model *m, int pp, const char *var, const double **p, rv_error *err) {
    if (!m || !var || !p) return RV_FAIL(err, RV_EINVAL, "rv_pp_ptr: NULL argument");
    double v;
    rv_status st = rv_pp_get(m, pp, var, &v, err);
    if (!st) st = rv_model_setup(m, err);
    double *w = NULL;
    if (!st) st = rv__pp_var(m, pp, var, &w, err);
    if (st) return st;
    *p = w;
    return RV_OK;
}

rv_status rv_model_set_init_hook(rv_model *m, void (*fn)(void *ud, rv_model *m), void *ud,
                                 rv_error *err) {
    if (!m) return RV_FAIL(err, RV_EINVAL, "rv_model_set_init_hook: NULL model");
    m->init_hook = fn;
    m->init_hook_ud = ud;
    return RV_OK;
}
