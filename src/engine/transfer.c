/* SPDX-License-Identifier: MIT
 * engine/transfer.c -- voltage transfer between cells (gap junctions), as
 * NEURON's ParallelContext source_var / target_var / setup_transfer.
 *
 * Declarations (before setup): sources (sgid -> segment v) and targets
 * (sgid -> a POINTER slot or a variable of a point process).  A POINTER
 * target gets a value holder of its own: an instance of a hidden
 * artificial-cell type with one variable, so that the value lives in the
 * model's data block where POINTER slots point.
 *
 * Setup (first finitialize, collective with several processes): source and
 * target offsets, the distinct target sgids of this process ("needs",
 * sorted), and the plan: needs served by local sources are copied; the
 * others arrive by one alltoallv of doubles per exchange, each process
 * sending, per destination, the values of its sources that destination
 * needs, in the order it asked for them.  Who owns what is found once
 * through rendezvous processes (sgid hashed to a process, where sources and
 * needs meet), so setup memory per process stays proportional to its own
 * sources and targets; a target without a source anywhere, or an sgid with
 * two sources, fails on every process, naming the sgid.
 *
 * Exchange (NEURON's nrnmpi_v_transfer + nrnthread_v_transfer): at
 * finitialize after v = v_init, and in each step after the voltage update.
 * Values are copied exactly, so results do not depend on the process count.
 */
#include "engine_int.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct xsrc {
    int64_t sgid;
    int sec;
    double x;
    long off; /* block offset of v (setup) */
} xsrc;

typedef struct xtgt {
    int64_t sgid;
    int pp;
    int slot;    /* pdata slot of the POINTER, or -1 */
    int var;     /* variable index when slot < 0 */
    int holder;  /* holder point process (POINTER targets), else -1 */
    long off;    /* block offset written (setup) */
    size_t need; /* index into need[] (setup) */
} xtgt;

typedef struct rv_xfer rv_xfer;
struct rv_xfer {
    xsrc *src;
    size_t nsrc, cap_src;
    xtgt *tgt;
    size_t ntgt, cap_tgt;
    /* setup */
    int64_t *need; /* distinct target sgids, sorted */
    size_t nneed;
    double *val; /* [nneed] this exchange's values */
    long *loc_src;
    size_t *loc_need, nloc;
    long *send_off;
    size_t nsend;
    size_t *recv_need, nrecv;
    double *sbuf, *rbuf;
    int *scnt, *sdsp, *rcnt, *rdsp; /* bytes, per process */
    bool a2a;                       /* some process moves values to another */
};

#define HOLDER_NAME "__transfer_value"
static const rv_mech_var holder_vars[] = {{"value", RV_VAR_ASSIGNED, 0.0}};
static const rv_mech_type holder_type = {
    .abi_version = RV_MECH_ABI_VERSION,
    .name = HOLDER_NAME,
    .kind = RV_MECH_ARTIFICIAL,
    .n_vars = 1,
    .vars = holder_vars,
};

static rv_status get_xfer(rv_model *m, rv_error *err) {
    if (m->xfer) return RV_OK;
    m->xfer = rv_calloc(1, sizeof *m->xfer);
    if (!m->xfer) return RV_FAIL(err, RV_ENOMEM, "out of memory");
    return RV_OK;
}

static rv_status check_open(rv_model *m, rv_error *err) {
    if (m->xfer_state)
        return RV_FAIL(err, RV_ESTATE,
                       "voltage transfer is already set up (declare sources and targets before "
                       "the first finitialize)");
    return get_xfer(m, err);
}

rv_status rv_transfer_source(rv_model *m, int64_t sgid, int sec, double x, rv_error *err) {
    rv_status st = check_open(m, err);
    if (st) return st;
    st = rv__check_x(m, sec, x, err);
    if (st) return st;
    rv_xfer *xf = m->xfer;
    if (rv_grow((void **)&xf->src, &xf->cap_src, xf->nsrc + 1, sizeof *xf->src))
        return RV_FAIL(err, RV_ENOMEM, "out of memory");
    xf->src[xf->nsrc++] = (xsrc){sgid, sec, x, -1};
    return RV_OK;
}

rv_status rv_transfer_target(rv_model *m, int64_t sgid, int pp, const char *pointer_name,
                             rv_error *err) {
    rv_status st = check_open(m, err);
    if (st) return st;
    if (pp < 0 || pp >= m->npp)
        return RV_FAIL(err, RV_EINVAL, "no point process with id %d (have %d)", pp, m->npp);
    if (!pointer_name) return RV_FAIL(err, RV_EINVAL, "transfer target: no variable name");
    rv_ppd *p = &m->pp[pp];
    const rv_mech_type *t = m->mech[p->mech];
    int slot = -1, var = -1;
    for (int k = 0; t->pdata_names && k < t->n_extra_pdata; ++k)
        if (t->pdata_names[k] && strcmp(t->pdata_names[k], pointer_name) == 0)
            slot = k + t->n_ions * RV_ION_NVAR + (t->kind == RV_MECH_POINT ? 1 : 0);
    if (slot < 0)
        for (int v = 0; v < t->n_vars; ++v)
            if (t->vars[v].role != RV_VAR_INTERNAL && strcmp(t->vars[v].name, pointer_name) == 0)
                var = v;
    if (slot < 0 && var < 0)
        return RV_FAIL(err, RV_ENOENT, "%s has no POINTER or variable '%s'", t->name, pointer_name);
    int holder = -1;
    if (slot >= 0) {
        for (int k = 0; k < p->nptr; ++k)
            if (p->ptr[k].slot == slot)
                return RV_FAIL(err, RV_EINVAL,
                               "POINTER %s of point process %d (%s) is already set by "
                               "rv_pointer_set",
                               pointer_name, pp, t->name);
        if (m->lowered)
            return RV_FAIL(err, RV_ESTATE,
                           "a transfer target on a POINTER must be declared before setup");
        if (rv__mech_find(m, HOLDER_NAME) < 0) {
            st = rv_model_add_mech(m, &holder_type, err);
            if (st) return st;
        }
        st = rv_pp_create(m, HOLDER_NAME, -1, 0., &holder, err);
        if (st) return st;
    }
    rv_xfer *xf = m->xfer;
    if (rv_grow((void **)&xf->tgt, &xf->cap_tgt, xf->ntgt + 1, sizeof *xf->tgt))
        return RV_FAIL(err, RV_ENOMEM, "out of memory");
    xf->tgt[xf->ntgt++] = (xtgt){sgid, pp, slot, var, holder, -1, -1};
    return RV_OK;
}

/* ---- setup ---------------------------------------------------------------- */
static int cmp_src(const void *a, const void *b) {
    int64_t x = ((const xsrc *)a)->sgid, y = ((const xsrc *)b)->sgid;
    return (x > y) - (x < y);
}
static int cmp_i64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}
typedef struct owner {
    int64_t sgid;
    int rank;
} owner;
static int cmp_owner(const void *a, const void *b) {
    const owner *x = a, *y = b;
    if (x->sgid != y->sgid) return (x->sgid > y->sgid) - (x->sgid < y->sgid);
    return (x->rank > y->rank) - (x->rank < y->rank);
}

/* index of sgid in the sorted sources, or -1 */
static long find_src(const rv_xfer *xf, int64_t sgid) {
    size_t lo = 0, hi = xf->nsrc;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (xf->src[mid].sgid < sgid)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < xf->nsrc && xf->src[lo].sgid == sgid ? (long)lo : -1;
}
static long find_need(const int64_t *need, size_t n, int64_t sgid) {
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (need[mid] < sgid)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && need[lo] == sgid ? (long)lo : -1;
}

static void free_plan(rv_xfer *xf) {
    rv_free(xf->need);
    rv_free(xf->val);
    rv_free(xf->loc_src);
    rv_free(xf->loc_need);
    rv_free(xf->send_off);
    rv_free(xf->recv_need);
    rv_free(xf->sbuf);
    rv_free(xf->rbuf);
    rv_free(xf->scnt);
    xf->need = NULL, xf->val = NULL, xf->loc_src = NULL, xf->loc_need = NULL;
    xf->send_off = NULL, xf->recv_need = NULL, xf->sbuf = NULL, xf->rbuf = NULL;
    xf->scnt = xf->sdsp = xf->rcnt = xf->rdsp = NULL;
    xf->nneed = xf->nloc = xf->nsend = xf->nrecv = 0;
    xf->a2a = false;
}

/* Offsets, sorting, the need list; this process only. */
static rv_status local_setup(rv_model *m, rv_xfer *xf, rv_error *err) {
    free_plan(xf); /* a failed setup may be retried */
    for (size_t i = 0; i < xf->nsrc; ++i) {
        rv_status st =
            rv__resolve_range(m, xf->src[i].sec, xf->src[i].x, "v", &xf->src[i].off, err);
        if (st) return st;
    }
    if (xf->nsrc) qsort(xf->src, xf->nsrc, sizeof *xf->src, cmp_src);
    for (size_t i = 1; i < xf->nsrc; ++i)
        if (xf->src[i].sgid == xf->src[i - 1].sgid)
            return RV_FAIL(err, RV_EINVAL,
                           "voltage transfer: two sources with sgid %lld (%s(%g), %s(%g))",
                           (long long)xf->src[i].sgid, m->sec[xf->src[i - 1].sec].name,
                           xf->src[i - 1].x, m->sec[xf->src[i].sec].name, xf->src[i].x);
    xf->need = rv_malloc(sizeof(int64_t) * (xf->ntgt + 1));
    if (!xf->need) return RV_FAIL(err, RV_ENOMEM, "out of memory");
    for (size_t i = 0; i < xf->ntgt; ++i) xf->need[i] = xf->tgt[i].sgid;
    qsort(xf->need, xf->ntgt, sizeof *xf->need, cmp_i64);
    size_t n = 0;
    for (size_t i = 0; i < xf->ntgt; ++i)
        if (n == 0 || xf->need[n - 1] != xf->need[i]) xf->need[n++] = xf->need[i];
    xf->nneed = n;
    xf->val = rv_calloc(n + 1, sizeof(double));
    if (!xf->val) return RV_FAIL(err, RV_ENOMEM, "out of memory");
    for (size_t i = 0; i < xf->ntgt; ++i) {
        xtgt *t = &xf->tgt[i];
        t->need = (size_t)find_need(xf->need, n, t->sgid);
        rv_ppd *p = &m->pp[t->pp];
        rv_mech_list *ml = &m->ml[p->mech].ml;
        if (t->slot >= 0) {
            rv_ppd *h = &m->pp[t->holder];
            rv_mech_list *hl = &m->ml[h->mech].ml;
            t->off = (long)(hl->data - m->block) + h->inst;
            ml->pdata[(size_t)t->slot * ml->pad + p->inst] = (int)t->off;
        } else {
            t->off = (long)(ml->data - m->block) + (long)t->var * ml->pad + p->inst;
        }
    }
    return RV_OK;
}

static rv_status alloc_plan(rv_xfer *xf, int P, rv_error *err) {
    xf->loc_src = rv_malloc(sizeof(long) * (xf->nneed + 1));
    xf->loc_need = rv_malloc(sizeof(size_t) * (xf->nneed + 1));
    xf->recv_need = rv_malloc(sizeof(size_t) * (xf->nneed + 1));
    xf->rbuf = rv_malloc(sizeof(double) * (xf->nneed + 1));
    xf->scnt = rv_calloc((size_t)P * 4, sizeof(int));
    if (!xf->loc_src || !xf->loc_need || !xf->recv_need || !xf->rbuf || !xf->scnt)
        return RV_FAIL(err, RV_ENOMEM, "out of memory");
    xf->sdsp = xf->scnt + P, xf->rcnt = xf->scnt + 2 * P, xf->rdsp = xf->scnt + 3 * P;
    return RV_OK;
}

/* The rendezvous process of an sgid (the idea of NEURON's have_to_want):
 * sources and needs meet there, so no process holds more than its share of
 * the ids during setup. */
static int home_of(int64_t sgid, int P) {
    uint64_t h = (uint64_t)sgid * 0x9E3779B97F4A7C15ULL;
    return (int)((h >> 32) % (uint64_t)P);
}

/* One personalised exchange of int64 items. */
typedef struct a2a {
    int *scnt, *sdsp, *rcnt, *rdsp; /* bytes per process (one block) */
    int64_t *send, *recv;
    size_t nsend, nrecv;
    size_t *perm; /* perm[j]: index in the caller's items of send[j] */
} a2a;

static void a2a_free(a2a *x) {
    rv_free(x->scnt);
    rv_free(x->send);
    rv_free(x->recv);
    rv_free(x->perm);
    memset(x, 0, sizeof *x);
}

/* Send items[i] to process dest[i] (in their order within a destination);
 * receive what the others send to this process, grouped by sender. */
static rv_status a2a_i64(rv_comm *c, const int64_t *items, const int *dest, size_t n, a2a *x,
                         rv_error *err) {
    int P = c->size;
    memset(x, 0, sizeof *x);
    if (n > (size_t)(INT_MAX / 8)) return RV_FAIL(err, RV_ERANGE, "too many transfer ids");
    x->scnt = rv_calloc((size_t)P * 8, sizeof(int));
    x->send = rv_malloc(sizeof(int64_t) * (n + 1));
    x->perm = rv_malloc(sizeof(size_t) * (n + 1));
    if (!x->scnt || !x->send || !x->perm) return RV_FAIL(err, RV_ENOMEM, "out of memory");
    x->sdsp = x->scnt + P, x->rcnt = x->scnt + 2 * P, x->rdsp = x->scnt + 3 * P;
    int *items_to = x->scnt + 4 * P, *items_from = x->scnt + 5 * P;
    int *four = x->scnt + 6 * P, *four_dsp = x->scnt + 7 * P;
    for (size_t i = 0; i < n; ++i) items_to[dest[i]]++;
    for (int r = 0, pos = 0; r < P; ++r) {
        x->sdsp[r] = pos * 8, x->scnt[r] = items_to[r] * 8;
        four[r] = 4, four_dsp[r] = 4 * r;
        pos += items_to[r];
        items_to[r] = x->sdsp[r] / 8; /* now: next free position */
    }
    for (size_t i = 0; i < n; ++i) {
        int j = items_to[dest[i]]++;
        x->send[j] = items[i];
        x->perm[j] = i;
    }
    x->nsend = n;
    for (int r = 0; r < P; ++r) items_to[r] = x->scnt[r] / 8;
    if (c->alltoallv_bytes(c->ud, items_to, four, four_dsp, items_from, four, four_dsp))
        return RV_FAIL(err, RV_ECOMM, "voltage transfer setup: alltoallv failed");
    size_t tot = 0;
    for (int r = 0; r < P; ++r) {
        if ((tot + (size_t)items_from[r]) * 8 > (size_t)INT_MAX)
            return RV_FAIL(err, RV_ERANGE, "too many transfer ids");
        x->rdsp[r] = (int)(tot * 8), x->rcnt[r] = items_from[r] * 8;
        tot += (size_t)items_from[r];
    }
    x->nrecv = tot;
    x->recv = rv_malloc(sizeof(int64_t) * (tot + 1));
    if (!x->recv) return RV_FAIL(err, RV_ENOMEM, "out of memory");
    if (c->alltoallv_bytes(c->ud, x->send, x->scnt, x->sdsp, x->recv, x->rcnt, x->rdsp))
        return RV_FAIL(err, RV_ECOMM, "voltage transfer setup: alltoallv failed");
    return RV_OK;
}

/* Owners of every need through the rendezvous processes, then the plan:
 * each need is asked of its owner, who sends its value at every exchange. */
static rv_status plan_multi(rv_model *m, rv_xfer *xf, rv_error *err) {
    rv_comm *c = &m->comm;
    int P = c->size, me = c->rank;
    rv_status st = RV_OK;
    a2a S = {0}, N = {0}, Q = {0};
    size_t cap = (xf->nsrc > xf->nneed ? xf->nsrc : xf->nneed) + 1;
    int *dest = rv_malloc(sizeof(int) * cap);
    int64_t *ids = rv_malloc(sizeof(int64_t) * cap), *reply = NULL, *nown = NULL;
    size_t *reqk = rv_malloc(sizeof(size_t) * cap);
    owner *own = NULL;
    if (!dest || !ids || !reqk) {
        st = RV_FAIL(err, RV_ENOMEM, "out of memory");
        goto done;
    }
    /* 1-2: sources and needs to their rendezvous process */
    for (size_t i = 0; i < xf->nsrc; ++i)
        ids[i] = xf->src[i].sgid, dest[i] = home_of(xf->src[i].sgid, P);
    if ((st = a2a_i64(c, ids, dest, xf->nsrc, &S, err))) goto done;
    for (size_t k = 0; k < xf->nneed; ++k) dest[k] = home_of(xf->need[k], P);
    if ((st = a2a_i64(c, xf->need, dest, xf->nneed, &N, err))) goto done;
    /* 3: at the rendezvous: the owner of each need received */
    own = rv_malloc(sizeof *own * (S.nrecv + 1));
    reply = rv_malloc(sizeof(int64_t) * (N.nrecv + 1));
    nown = rv_malloc(sizeof(int64_t) * (xf->nneed + 1));
    if (!own || !reply || !nown) {
        st = RV_FAIL(err, RV_ENOMEM, "out of memory");
        goto done;
    }
    for (int r = 0; r < P; ++r)
        for (int i = 0; i < S.rcnt[r] / 8; ++i) {
            size_t j = (size_t)S.rdsp[r] / 8 + (size_t)i;
            own[j] = (owner){S.recv[j], r};
        }
    qsort(own, S.nrecv, sizeof *own, cmp_owner);
    double dup = HUGE_VAL, miss = HUGE_VAL;
    int dup_a = -1, dup_b = -1;
    for (size_t i = 1; i < S.nrecv; ++i)
        if (own[i].sgid == own[i - 1].sgid && (double)own[i].sgid < dup)
            dup = (double)own[i].sgid, dup_a = own[i - 1].rank, dup_b = own[i].rank;
    for (size_t k = 0; k < N.nrecv; ++k) {
        size_t lo = 0, hi = S.nrecv;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (own[mid].sgid < N.recv[k])
                lo = mid + 1;
            else
                hi = mid;
        }
        reply[k] = lo < S.nrecv && own[lo].sgid == N.recv[k] ? own[lo].rank : -1;
        if (reply[k] < 0 && (double)N.recv[k] < miss) miss = (double)N.recv[k];
    }
    /* 4: every process learns of an error found anywhere */
    double mydup = dup;
    if (c->allreduce_min(c->ud, dup, &dup) || c->allreduce_min(c->ud, miss, &miss)) {
        st = RV_FAIL(err, RV_ECOMM, "voltage transfer setup: allreduce failed");
        goto done;
    }
    if (dup < HUGE_VAL) {
        if (mydup == dup) /* found here: the two processes are known */
            st = RV_FAIL(err, RV_EINVAL,
                         "voltage transfer: sgid %lld is a source on processes %d and %d",
                         (long long)dup, dup_a, dup_b);
        else
            st = RV_FAIL(err, RV_EINVAL, "voltage transfer: sgid %lld is a source on two processes",
                         (long long)dup);
        goto done;
    }
    if (miss < HUGE_VAL) {
        st = RV_FAIL(err, RV_ENOENT, "voltage transfer: target sgid %lld has no source",
                     (long long)miss);
        goto done;
    }
    /* 5: the owners back to the processes that need them */
    if (c->alltoallv_bytes(c->ud, reply, N.rcnt, N.rdsp, ids, N.scnt, N.sdsp)) {
        st = RV_FAIL(err, RV_ECOMM, "voltage transfer setup: alltoallv failed");
        goto done;
    }
    for (size_t j = 0; j < N.nsend; ++j) nown[N.perm[j]] = ids[j];
    /* 6: local needs are copied; the others are asked of their owner */
    size_t nreq = 0;
    xf->nloc = 0;
    for (size_t k = 0; k < xf->nneed; ++k) {
        if (nown[k] == me) {
            xf->loc_src[xf->nloc] = xf->src[find_src(xf, xf->need[k])].off;
            xf->loc_need[xf->nloc++] = k;
        } else {
            ids[nreq] = xf->need[k], dest[nreq] = (int)nown[k], reqk[nreq++] = k;
        }
    }
    if ((st = a2a_i64(c, ids, dest, nreq, &Q, err))) goto done;
    xf->nrecv = Q.nsend; /* values arrive in the order of the requests sent */
    for (size_t j = 0; j < Q.nsend; ++j) xf->recv_need[j] = reqk[Q.perm[j]];
    xf->nsend = Q.nrecv; /* and leave in the order of the requests received */
    xf->send_off = rv_malloc(sizeof(long) * (Q.nrecv + 1));
    xf->sbuf = rv_malloc(sizeof(double) * (Q.nrecv + 1));
    if (!xf->send_off || !xf->sbuf) {
        st = RV_FAIL(err, RV_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t j = 0; j < Q.nrecv; ++j) {
        long s = find_src(xf, Q.recv[j]);
        if (s < 0) { /* cannot happen: the rendezvous named this process */
            st = RV_FAIL(err, RV_EINVAL, "voltage transfer: sgid %lld asked of the wrong process",
                         (long long)Q.recv[j]);
            goto done;
        }
        xf->send_off[j] = xf->src[s].off;
    }
    for (int r = 0; r < P; ++r) {
        xf->scnt[r] = Q.rcnt[r], xf->sdsp[r] = Q.rdsp[r];
        xf->rcnt[r] = Q.scnt[r], xf->rdsp[r] = Q.sdsp[r];
    }
    /* 7: the value exchange is needed only if some process asked another */
    double remote = nreq > 0 ? 1. : 0.;
    if (c->allreduce_max(c->ud, remote, &remote)) {
        st = RV_FAIL(err, RV_ECOMM, "voltage transfer setup: allreduce failed");
        goto done;
    }
    xf->a2a = remote > 0.;
done:
    a2a_free(&S);
    a2a_free(&N);
    a2a_free(&Q);
    rv_free(dest);
    rv_free(ids);
    rv_free(reqk);
    rv_free(own);
    rv_free(reply);
    rv_free(nown);
    return st;
}

rv_status rv__transfer_setup(rv_model *m, rv_error *err) {
    if (m->xfer_state) return RV_OK;
    int P = m->have_comm ? m->comm.size : 1;
    rv_comm *c = &m->comm;
    rv_xfer *xf = m->xfer;
    double any = xf && (xf->nsrc || xf->ntgt) ? 1. : 0.;
    if (P > 1 && c->allreduce_max(c->ud, any, &any))
        return RV_FAIL(err, RV_ECOMM, "voltage transfer setup: allreduce failed");
    if (any == 0.) {
        m->xfer_state = 1;
        return RV_OK;
    }
    rv_status st = get_xfer(m, err);
    if (!st) xf = m->xfer, st = local_setup(m, xf, err);
    if (!st) st = alloc_plan(xf, P, err);
    if (P > 1) {
        /* every process goes on only if all of them got here */
        double bad = st ? 1. : 0.;
        if (c->allreduce_max(c->ud, bad, &bad))
            return RV_FAIL(err, RV_ECOMM, "voltage transfer setup: allreduce failed");
        if (st) return st;
        if (bad != 0.)
            return RV_FAIL(err, RV_ECOMM, "voltage transfer setup failed on another process");
        if (!c->alltoallv_bytes)
            return RV_FAIL(err, RV_EUNSUPPORTED,
                           "voltage transfer on %d processes needs a communicator with "
                           "alltoallv_bytes",
                           P);
        st = plan_multi(m, xf, err);
        if (st) return st;
    } else {
        if (st) return st;
        for (size_t k = 0; k < xf->nneed; ++k) {
            long s = find_src(xf, xf->need[k]);
            if (s < 0)
                return RV_FAIL(err, RV_ENOENT, "voltage transfer: target sgid %lld has no source",
                               (long long)xf->need[k]);
            xf->loc_src[xf->nloc] = xf->src[s].off;
            xf->loc_need[xf->nloc++] = k;
        }
    }
    m->xfer_state = 2;
    return RV_OK;
}

rv_status rv__transfer_exchange(rv_model *m, rv_error *err) {
    if (m->xfer_state != 2) return RV_OK;
    rv_xfer *xf = m->xfer;
    double *b = m->block, *val = xf->val;
    for (size_t i = 0; i < xf->nloc; ++i) val[xf->loc_need[i]] = b[xf->loc_src[i]];
    if (xf->a2a) {
        for (size_t i = 0; i < xf->nsend; ++i) xf->sbuf[i] = b[xf->send_off[i]];
        if (m->comm.alltoallv_bytes(m->comm.ud, xf->sbuf, xf->scnt, xf->sdsp, xf->rbuf, xf->rcnt,
                                    xf->rdsp))
            return RV_FAIL(err, RV_ECOMM, "voltage transfer: alltoallv failed at t = %g", m->t);
        for (size_t i = 0; i < xf->nrecv; ++i) val[xf->recv_need[i]] = xf->rbuf[i];
    }
    for (size_t i = 0; i < xf->ntgt; ++i) b[xf->tgt[i].off] = val[xf->tgt[i].need];
    return RV_OK;
}

void rv__transfer_free(rv_model *m) {
    rv_xfer *xf = m->xfer;
    if (!xf) return;
    free_plan(xf);
    rv_free(xf->src);
    rv_free(xf->tgt);
    rv_free(xf);
    m->xfer = NULL;
}
