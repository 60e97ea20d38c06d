/* SPDX-License-Identifier: MIT
 * engine/events.c -- the event queue, NetCons, spike detection and spike
 * exchange between processes.
 *
 * Queue: a binary heap ordered by (delivery time, ti, key).  Two orders of
 * simultaneous events (rv_event_order):
 *   NEURON -- ti = 0 and key = one per-process insertion counter for every
 *     event: NEURON's FIFO among equal delivery times, exactly;
 *   GID -- ti = the simulated time the event was sent; key = a per-process
 *     counter for self events, 2^62 + source gid * 2^20 + the NetCon's index
 *     among the local NetCons of that gid for NetCon events: independent of
 *     when a spike from another process arrived, hence bit-identical results
 *     on any number of processes.
 * NEURON is the default on one process, GID with more than one; they differ
 * only for exact ties between events from different sources.
 *
 * Spikes: a threshold source fires when v - threshold becomes > 0 at the
 * check made at the start of a step, at time t + 1e-10 (NEURON's
 * ConditionEvent); a point process fires through net_event at its time.
 * Local NetCons receive the event at once.  With more than one process every
 * spike is also buffered and exchanged (allgather of counts, allgatherv of
 * spikes) every `exchange_every` steps, an interval not longer than the
 * smallest delay of a NetCon whose source lives elsewhere.
 */
#include "engine_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static inline bool ev_less(const rv_event *x, const rv_event *y) {
    if (x->td != y->td) return x->td < y->td;
    if (x->ti != y->ti) return x->ti < y->ti;
    return x->key < y->key;
}

rv_status rv__queue_push(rv_queue *q, const rv_event *e) {
    if (q->n == q->cap) {
        size_t nc = q->cap ? q->cap * 2 : 1024;
        rv_event *h = rv_realloc(q->h, nc * sizeof *h);
        if (!h) return RV_ENOMEM;
        q->h = h;
        q->cap = nc;
    }
    size_t i = q->n++;
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!ev_less(e, &q->h[p])) break;
        q->h[i] = q->h[p];
        i = p;
    }
    q->h[i] = *e;
    return RV_OK;
}

bool rv__queue_pop_until(rv_queue *q, double til, rv_event *out) {
    if (q->n == 0 || q->h[0].td > til) return false;
    *out = q->h[0];
    rv_event last = q->h[--q->n];
    size_t i = 0, n = q->n;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n) break;
        if (c + 1 < n && ev_less(&q->h[c + 1], &q->h[c])) c++;
        if (!ev_less(&q->h[c], &last)) break;
        q->h[i] = q->h[c];
        i = c;
    }
    if (n) q->h[i] = last;
    return true;
}

/* Remove the event at heap position k (the last one takes its place and
 * moves up or down to where it belongs). */
static void queue_remove_at(rv_queue *q, size_t k) {
    rv_event last = q->h[--q->n];
    size_t n = q->n, i = k;
    if (k == n) return;
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!ev_less(&last, &q->h[p])) break;
        q->h[i] = q->h[p];
        i = p;
    }
    if (i == k) {
        for (;;) {
            size_t c = 2 * i + 1;
            if (c >= n) break;
            if (c + 1 < n && ev_less(&q->h[c + 1], &q->h[c])) c++;
            if (!ev_less(&q->h[c], &last)) break;
            q->h[i] = q->h[c];
            i = c;
        }
    }
    q->h[i] = last;
}

void rv__queue_clear(rv_queue *q) {
    q->n = 0;
}

static void push_or_fail(rv_model *m, const rv_event *e) {
    if (rv__queue_push(&m->q, e) && !m->mech_error) {
        m->mech_error = true;
        m->mech_error_code = RV_ENOMEM;
        snprintf(m->mech_error_msg, sizeof m->mech_error_msg, "out of memory in the event queue");
    }
}

static void netcon_events(rv_model *m, int64_t gid, double tt) {
    rv_gidmap_entry *e = rv__gid_get(m, gid, false);
    if (!e) return;
    for (int k = 0; k < e->nnc; ++k) {
        rv_netcon *nc = &m->nc[e->nc[k]];
        if (!nc->active) continue;
        rv_event ev = {0};
        ev.td = tt + nc->delay;
        if (m->event_order_eff == RV_EVENT_ORDER_NEURON) {
            ev.ti = 0;
            ev.key = m->self_seq++;
        } else {
            ev.ti = tt;
            ev.key = (1ULL << 62) + ((uint64_t)gid << 20) + (uint64_t)nc->src_rank_index;
        }
        ev.kind = RV_EV_NETCON;
        ev.a = e->nc[k];
        push_or_fail(m, &ev);
    }
}

static void record_spike(rv_model *m, int64_t gid, double tt) {
    size_t cap = m->cap_spikes;
    if (rv_grow((void **)&m->spikes, &cap, m->nspikes + 1, sizeof *m->spikes)) {
        m->mech_error = true;
        m->mech_error_code = RV_ENOMEM;
        snprintf(m->mech_error_msg, sizeof m->mech_error_msg, "out of memory recording spikes");
        return;
    }
    m->cap_spikes = cap;
    m->spikes[m->nspikes].t = tt;
    m->spikes[m->nspikes].gid = gid;
    m->nspikes++;
    if (m->exchange_every > 0) {
        cap = m->cap_out;
        if (rv_grow((void **)&m->out, &cap, m->nout + 1, sizeof *m->out)) {
            m->mech_error = true;
            m->mech_error_code = RV_ENOMEM;
            snprintf(m->mech_error_msg, sizeof m->mech_error_msg, "out of memory (spike buffer)");
            return;
        }
        m->cap_out = cap;
        m->out[m->nout].t = tt;
        m->out[m->nout].gid = gid;
        m->nout++;
    }
}

void rv__presyn_send(rv_model *m, int ps, double tt) {
    int64_t gid = m->ps[ps].gid;
    record_spike(m, gid, tt);
    netcon_events(m, gid, tt);
}

void rv__check_thresholds(rv_model *m) {
    double t = m->t;
    for (int j = 0; j < m->n_thr_ps; ++j) {
        int i = m->thr_ps[j];
        rv_presyn *p = &m->ps[i];
        if (m->v[p->node] - p->threshold > 0.0) {
            if (!p->flag) {
                p->flag = true;
                rv__presyn_send(m, i, t + 1e-10);
            }
        } else {
            p->flag = false;
        }
    }
    /* WATCH conditions of the mechanisms, after the threshold sources */
    for (int k = 0; k < m->nmech; ++k) {
        rv_mech_list *ml = &m->ml[k].ml;
        if (ml->type && ml->type->watch && ml->n > 0) ml->type->watch(&m->th, ml);
    }
}

void rv__deliver_events(rv_model *m, double til) {
    rv_event e;
    double tsav = m->th.t;
    while (!m->mech_error && rv__queue_pop_until(&m->q, til, &e)) {
        m->n_events++;
        m->th.t = e.td;
        if (e.kind == RV_EV_NETCON) {
            rv_netcon *nc = &m->nc[e.a];
            rv_ppd *pp = &m->pp[nc->target];
            rv_mech_list *ml = &m->ml[pp->mech].ml;
            ml->type->net_receive(&m->th, ml, pp->inst, nc->w, 0.0);
        } else if (e.kind == RV_EV_PLAY) {
            rv__play_deliver(m, e.a, e.td);
        } else {
            rv_mech_list *ml = &m->ml[e.a].ml;
            ml->type->net_receive(&m->th, ml, e.i, e.w, e.flag);
        }
    }
    m->th.t = tsav;
}

/* ---- services for mechanism code -------------------------------------- */
static void api_net_send(rv_thread *th, rv_mech_list *ml, int i, double *w, double delay,
                         double flag) {
    rv_model *m = th->engine;
    rv_event e = {0};
    e.td = th->t + delay;
    e.ti = m->event_order_eff == RV_EVENT_ORDER_NEURON ? 0 : th->t;
    e.key = m->self_seq++;
    e.kind = RV_EV_SELF;
    e.a = ml->index;
    e.i = i;
    e.flag = flag;
    e.w = w;
    push_or_fail(m, &e);
}

static void api_net_event(rv_thread *th, rv_mech_list *ml, int i, double tt) {
    rv_model *m = th->engine;
    int ps = ml->presyn[i];
    if (ps >= 0) rv__presyn_send(m, ps, tt);
}

/* NEURON's artcell net_move: the instance's outstanding self event (the
 * most recently sent one still in the queue) is taken out and inserted
 * again for delivery at tt, as if sent now (FIFO after events already
 * queued for tt).  A linear search: instances with movable self events
 * keep one pending event each (IntFire2). */
static void api_net_move(rv_thread *th, rv_mech_list *ml, int i, double tt) {
    rv_model *m = th->engine;
    rv_queue *q = &m->q;
    size_t found = q->n;
    for (size_t k = 0; k < q->n; ++k) {
        const rv_event *e = &q->h[k];
        if (e->kind == RV_EV_SELF && e->a == ml->index && e->i == i &&
            (found == q->n || e->key > q->h[found].key))
            found = k;
    }
    if (found == q->n) {
        th->api->error(th, ml->type->name, "net_move: no pending self event to move");
        return;
    }
    if (tt < th->t) {
        th->api->error(th, ml->type->name, "net_move to a time before the current time");
        return;
    }
    rv_event e = q->h[found];
    queue_remove_at(q, found);
    e.td = tt;
    e.ti = m->event_order_eff == RV_EVENT_ORDER_NEURON ? 0 : th->t;
    e.key = m->self_seq++;
    push_or_fail(m, &e);
}

static void api_error(rv_thread *th, const char *mech, const char *msg) {
    rv_model *m = th->engine;
    if (m->mech_error) return;
    m->mech_error = true;
    m->mech_error_code = RV_ERANGE;
    snprintf(m->mech_error_msg, sizeof m->mech_error_msg, "%s at t = %.17g: %s", mech, th->t, msg);
}

static void api_wrote_conc(rv_thread *th, rv_mech_list *ml, int u, int i) {
    rv_model *m = th->engine;
    const char *name = ml->type->ions[u].ion;
    for (int q = 0; q < m->nion; ++q) {
        rv_ion *ion = m->ion[q];
        if (strcmp(ion->name, name) != 0) continue;
        rv_mech_list *il = &m->ml[ion->mech].ml;
        long off = ml->pdata[(size_t)RV_PDATA_ION(u, RV_ION_EREV) * ml->pad + i];
        long inst = off - (long)(il->data - th->block); /* erev is variable 0 */
        if (inst < 0 || inst >= il->n) return;
        if (il->pdata[inst] & 040) {
            double *d = il->data;
            d[RV_ION_EREV * il->pad + inst] =
                rv__nernst(d[RV_ION_CONCI * il->pad + inst], d[RV_ION_CONCO * il->pad + inst],
                           ion->charge, th->celsius);
        }
        return;
    }
}

static void *api_ran123_new(rv_thread *th, uint32_t id1, uint32_t id2, uint32_t id3) {
    return rv__ran123_new(th->engine, id1, id2, id3);
}
static void api_ran123_delete(rv_thread *th, void *s) {
    rv__ran123_delete(th->engine, s);
}
static void api_ran123_setseq(void *s, uint32_t seq, uint32_t which) {
    rv_ran123_setseq(s, seq, which);
}
static void api_ran123_getseq(const void *s, uint32_t *seq, uint32_t *which) {
    rv_ran123_getseq(s, seq, which);
}
static void api_ran123_getids(const void *s, uint32_t *id1, uint32_t *id2, uint32_t *id3) {
    rv_ran123_getids(s, id1, id2, id3);
}
static uint32_t api_ran123_ipick(void *s) {
    return rv_ran123_ipick(s);
}
static double api_ran123_dblpick(void *s) {
    return rv_ran123_dblpick(s);
}
static double api_ran123_negexp(void *s) {
    return rv_ran123_negexp(s);
}
static double api_ran123_normal(void *s) {
    return rv_ran123_normal(s);
}

void rv__api_init(rv_model *m) {
    m->api.ran123_new = api_ran123_new;
    m->api.ran123_delete = api_ran123_delete;
    m->api.ran123_setseq = api_ran123_setseq;
    m->api.ran123_getseq = api_ran123_getseq;
    m->api.ran123_getids = api_ran123_getids;
    m->api.ran123_ipick = api_ran123_ipick;
    m->api.ran123_dblpick = api_ran123_dblpick;
    m->api.ran123_negexp = api_ran123_negexp;
    m->api.ran123_normal = api_ran123_normal;
    m->api.wrote_conc = api_wrote_conc;
    m->api.net_send = api_net_send;
    m->api.net_event = api_net_event;
    m->api.net_move = api_net_move;
    m->api.error = api_error;
    rv__mech_api_init(m);
}

/* ---- initialization and exchange -------------------------------------- */
static int cmp_i64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

rv_status rv__events_init(rv_model *m, rv_error *err) {
    rv__queue_clear(&m->q);
    m->self_seq = 0;
    int nprocs_eo = m->have_comm ? m->comm.size : 1;
    m->event_order_eff = m->event_order != RV_EVENT_ORDER_AUTO ? m->event_order
                         : nprocs_eo > 1                       ? RV_EVENT_ORDER_GID
                                                               : RV_EVENT_ORDER_NEURON;
    m->nspikes = 0;
    m->nout = 0;
    m->mech_error = false;
    for (int i = 0; i < m->nps; ++i) m->ps[i].flag = false;
    /* every NetCon source must exist somewhere; find the exchange interval */
    int nprocs = m->have_comm ? m->comm.size : 1;
    int64_t *all = NULL;
    size_t nall = 0;
    if (nprocs > 1) {
        int *counts = rv_malloc(sizeof(int) * (size_t)nprocs), *displs = NULL;
        int64_t *mine = rv_malloc(sizeof(int64_t) * (size_t)m->nps + 1);
        rv_status st = RV_OK;
        if (!counts || !mine) st = RV_FAIL(err, RV_ENOMEM, "out of memory");
        for (int i = 0; !st && i < m->nps; ++i) mine[i] = m->ps[i].gid;
        if (!st && m->comm.allgather_int(m->comm.ud, m->nps * 8, counts))
            st = RV_FAIL(err, RV_ECOMM, "allgather of gid counts failed");
        if (!st) {
            displs = rv_malloc(sizeof(int) * (size_t)nprocs);
            long tot = 0;
            for (int r = 0; displs && r < nprocs; ++r) displs[r] = (int)tot, tot += counts[r];
            all = rv_malloc((size_t)tot + 8);
            if (!displs || !all)
                st = RV_FAIL(err, RV_ENOMEM, "out of memory");
            else if (m->comm.allgatherv_bytes(m->comm.ud, mine, m->nps * 8, all, counts, displs))
                st = RV_FAIL(err, RV_ECOMM, "allgatherv of gids failed");
            nall = (size_t)tot / 8;
        }
        rv_free(counts), rv_free(displs), rv_free(mine);
        if (st) {
            rv_free(all);
            return st;
        }
        qsort(all, nall, sizeof *all, cmp_i64);
    }
    double md = 1e9;
    for (int k = 0; k < m->nnc; ++k) {
        rv_netcon *nc = &m->nc[k];
        rv_gidmap_entry *e = rv__gid_get(m, nc->src_gid, false);
        bool local = e && e->presyn >= 0;
        if (!local) {
            bool found = all && bsearch(&nc->src_gid, all, nall, sizeof *all, cmp_i64);
            if (!found) {
                rv_free(all);
                return RV_FAIL(err, RV_ENOENT,
                               "NetCon %d: source gid %lld has no spike source on any process", k,
                               (long long)nc->src_gid);
            }
            if (nc->delay < md) md = nc->delay;
        }
    }
    rv_free(all);
    m->exchange_every = 0;
    if (nprocs > 1) {
        double gmd;
        if (m->comm.allreduce_min(m->comm.ud, md, &gmd))
            return RV_FAIL(err, RV_ECOMM, "allreduce of the minimum delay failed");
        m->mindelay = gmd;
        double steps = floor(gmd / m->dt + 1e-9);
        if (steps < 1)
            return RV_FAIL(err, RV_ERANGE,
                           "a NetCon between processes has delay %g, less than dt = %g", gmd,
                           m->dt);
        m->exchange_every = steps > 1e9 ? 1000000000 : (int)steps;
    }
    return RV_OK;
}

typedef struct rv_spike spike_t;

rv_status rv__spike_exchange(rv_model *m, rv_error *err) {
    int nprocs = m->comm.size;
    int counts_stack[64], displs_stack[64];
    int *counts = nprocs <= 64 ? counts_stack : rv_malloc(sizeof(int) * (size_t)nprocs);
    int *displs = nprocs <= 64 ? displs_stack : rv_malloc(sizeof(int) * (size_t)nprocs);
    rv_status st = RV_OK;
    if (!counts || !displs) {
        st = RV_FAIL(err, RV_ENOMEM, "out of memory");
        goto done;
    }
    int nbytes = (int)(m->nout * sizeof(spike_t));
    if (m->comm.allgather_int(m->comm.ud, nbytes, counts)) {
        st = RV_FAIL(err, RV_ECOMM, "spike exchange: allgather failed");
        goto done;
    }
    size_t tot = 0;
    for (int r = 0; r < nprocs; ++r) displs[r] = (int)tot, tot += (size_t)counts[r];
    if (tot > m->recvcap) {
        void *nb = rv_realloc(m->recvbuf, tot);
        if (!nb) {
            st = RV_FAIL(err, RV_ENOMEM, "out of memory for %zu bytes of spikes", tot);
            goto done;
        }
        m->recvbuf = nb;
        m->recvcap = tot;
    }
    if (tot && m->comm.allgatherv_bytes(m->comm.ud, m->out, nbytes, m->recvbuf, counts, displs)) {
        st = RV_FAIL(err, RV_ECOMM, "spike exchange: allgatherv failed");
        goto done;
    }
    for (int r = 0; r < nprocs; ++r) {
        if (r == m->comm.rank) continue;
        spike_t *sp = (spike_t *)((char *)m->recvbuf + displs[r]);
        size_t n = (size_t)counts[r] / sizeof(spike_t);
        for (size_t k = 0; k < n; ++k) netcon_events(m, sp[k].gid, sp[k].t);
    }
    m->nout = 0;
done:
    if (counts != counts_stack) rv_free(counts);
    if (displs != displs_stack) rv_free(displs);
    return st;
}

size_t rv_spike_count(const rv_model *m) {
    return m->nspikes;
}

void rv_spike_get(const rv_model *m, size_t i, double *t, int64_t *gid) {
    if (i >= m->nspikes) {
        *t = NAN;
        *gid = -1;
        return;
    }
    *t = m->spikes[i].t;
    *gid = m->spikes[i].gid;
}
