/* SPDX-License-Identifier: MIT
 * engine/checkpoint.c -- save and restore the dynamic state of a model
 * (include/ranvier/checkpoint.h).
 *
 * Layout description (payload, first): counts (nodes, cells, mechanism
 * types with their names, instance counts, pdata/vdata slots, global
 * storage; NetCons, spike sources, play items, ions), run parameters (dt,
 * celsius, secondorder, event order, fast i_membrane, Random123 global
 * index, transfer state) and FNV-1a hashes of the structure (tree, instance
 * placement and pdata offsets, NetCon wiring, spike sources, play contents,
 * which vdata slots hold engine streams).  The header's layout hash is the
 * hash of that description.  Restore compares the description field by
 * field, so a different model is refused naming the first difference.
 *
 * State (payload, second): t, step count, event insertion counter, event
 * count, scop_random state; the data block; global storage; the streams of
 * vdata slots holding engine streams (in mechanism, slot, instance order);
 * NetCon delay, active flag, weights; spike-source flags; play cursors; the
 * event heap in array order (a self event's weight vector is stored as the
 * index of the NetCon that owns it); spikes waiting for the next exchange.
 */
#include "engine_int.h"
#include "ranvier/checkpoint.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define HDR_BYTES 64
#define BOM       0x01020304u
#define FNV0      14695981039346656037ULL
static const char MAGIC[8] = {'R', 'V', 'C', 'K', 'P', 'T', '\0', '\n'};

static void fnv(uint64_t *h, const void *p, size_t n) {
    const unsigned char *b = p;
    uint64_t x = *h;
    for (size_t i = 0; i < n; ++i) {
        x ^= b[i];
        x *= 1099511628211ULL;
    }
    *h = x;
}

/* ---- layout description ---------------------------------------------------- */
typedef struct mdesc {
    char name[64];
    int32_t kind, n_vars, n, n_pdata, n_vdata;
    uint64_t global_bytes;
} mdesc;

typedef struct desc {
    int32_t n_node, ncell, nmech, nnc, nps, nplay, nion;
    int32_t secondorder, event_order, fast_imem, xfer_state;
    uint32_t r123_gix;
    uint64_t block_size;
    double dt, celsius;
    uint64_t h_tree, h_place, h_nc, h_ps, h_play, h_vtag;
    mdesc mech[RV_MAX_MECH];
} desc;

typedef struct ptrset {
    uintptr_t *p;
    size_t n;
} ptrset;

static int cmp_uptr(const void *a, const void *b) {
    uintptr_t x = *(const uintptr_t *)a, y = *(const uintptr_t *)b;
    return (x > y) - (x < y);
}

static rv_status owned_set(const rv_model *m, ptrset *s, rv_error *err) {
    s->n = (size_t)m->nowned;
    s->p = rv_malloc(sizeof(uintptr_t) * (s->n + 1));
    if (!s->p) return RV_FAIL(err, RV_ENOMEM, "out of memory");
    for (size_t i = 0; i < s->n; ++i) s->p[i] = (uintptr_t)m->owned[i];
    qsort(s->p, s->n, sizeof *s->p, cmp_uptr);
    return RV_OK;
}

static int is_owned(const ptrset *s, const void *p) {
    uintptr_t k = (uintptr_t)p;
    return p && bsearch(&k, s->p, s->n, sizeof *s->p, cmp_uptr) != NULL;
}

/* vdata slot tag: 0 empty, 1 engine Random123 stream, 2 the driver's object */
static int vtag(const ptrset *s, const void *p) {
    return !p ? 0 : is_owned(s, p) ? 1 : 2;
}

static void hash_i32(uint64_t *h, int32_t v) {
    fnv(h, &v, sizeof v);
}
static void hash_i64(uint64_t *h, int64_t v) {
    fnv(h, &v, sizeof v);
}
static void hash_f64(uint64_t *h, double v) {
    fnv(h, &v, sizeof v);
}

static void compute_desc(const rv_model *m, const ptrset *own, desc *d) {
    memset(d, 0, sizeof *d);
    d->n_node = m->n_node, d->ncell = m->ncell, d->nmech = m->nmech, d->nnc = m->nnc;
    d->nps = m->nps, d->nplay = m->nplay, d->nion = m->nion;
    d->secondorder = m->secondorder, d->event_order = m->event_order_eff;
    d->fast_imem = m->sav_rhs != NULL, d->xfer_state = m->xfer_state;
    d->r123_gix = rv_ran123_get_globalindex();
    d->block_size = m->block_size;
    d->dt = m->dt, d->celsius = m->celsius;
    uint64_t h = FNV0;
    for (int i = 0; i < m->n_node; ++i) hash_i32(&h, m->parent[i]), hash_i32(&h, m->node_sec[i]);
    d->h_tree = h;
    h = FNV0;
    uint64_t hv = FNV0;
    for (int k = 0; k < m->nmech; ++k) {
        const rv_mech_list *ml = &m->ml[k].ml;
        const rv_mech_type *t = m->mech[k];
        mdesc *md = &d->mech[k];
        snprintf(md->name, sizeof md->name, "%s", t->name);
        md->kind = (int32_t)t->kind, md->n_vars = t->n_vars, md->n = ml->n;
        md->n_pdata = ml->n_pdata, md->n_vdata = t->n_vdata;
        md->global_bytes = ml->global ? (uint64_t)t->global_bytes : 0;
        hash_i64(&h, (int64_t)m->ml[k].data_off);
        for (int i = 0; i < ml->n; ++i) hash_i32(&h, ml->node[i]);
        for (int s = 0; s < ml->n_pdata; ++s)
            for (int i = 0; i < ml->n; ++i) hash_i32(&h, ml->pdata[(size_t)s * ml->pad + i]);
        for (int s = 0; ml->vdata && s < t->n_vdata; ++s)
            for (int i = 0; i < ml->n; ++i)
                hash_i32(&hv, vtag(own, ml->vdata[(size_t)s * ml->pad + i]));
    }
    d->h_place = h, d->h_vtag = hv;
    h = FNV0;
    for (int k = 0; k < m->nnc; ++k) {
        const rv_netcon *nc = &m->nc[k];
        hash_i64(&h, nc->src_gid), hash_i32(&h, nc->target), hash_i32(&h, nc->nw);
        hash_i32(&h, nc->src_rank_index);
    }
    d->h_nc = h;
    h = FNV0;
    for (int k = 0; k < m->nps; ++k) {
        const rv_presyn *p = &m->ps[k];
        hash_i64(&h, p->gid), hash_i32(&h, p->kind), hash_i32(&h, p->node);
        hash_i32(&h, p->pp), hash_f64(&h, p->threshold);
    }
    d->h_ps = h;
    h = FNV0;
    for (int k = 0; k < m->nplay; ++k) {
        const rv_play *p = &m->play[k];
        hash_i64(&h, (int64_t)p->n), hash_i32(&h, p->continuous), hash_i64(&h, p->off);
        fnv(&h, p->t, p->n * sizeof(double));
        fnv(&h, p->y, p->n * sizeof(double));
    }
    d->h_play = h;
}

/* The first difference between the saved layout s and this model's n, as
 * text; 0 when they are the same. */
static int desc_diff(const desc *s, const desc *n, char *what, size_t cap) {
#define DI(f, label)                                                                               \
    if (s->f != n->f) {                                                                            \
        snprintf(what, cap, "%s: %lld in the checkpoint, %lld in this model", label,               \
                 (long long)s->f, (long long)n->f);                                                \
        return 1;                                                                                  \
    }
#define DD(f, label)                                                                               \
    if (memcmp(&s->f, &n->f, sizeof(double)) != 0) {                                               \
        snprintf(what, cap, "%s: %.17g in the checkpoint, %.17g in this model", label, s->f,       \
                 n->f);                                                                            \
        return 1;                                                                                  \
    }
#define DH(f, label)                                                                               \
    if (s->f != n->f) {                                                                            \
        snprintf(what, cap, "%s differ", label);                                                   \
        return 1;                                                                                  \
    }
    DD(dt, "dt");
    DD(celsius, "celsius");
    DI(secondorder, "secondorder (integration method)");
    DI(r123_gix, "Random123 global index (random_seed)");
    DI(event_order, "order of simultaneous events (1 NEURON, 2 gid)");
    DI(ncell, "cells");
    DI(n_node, "compartments (nodes)");
    DI(nmech, "mechanism types");
    for (int k = 0; k < s->nmech && k < RV_MAX_MECH; ++k) {
        const mdesc *a = &s->mech[k], *b = &n->mech[k];
        if (strcmp(a->name, b->name) != 0) {
            snprintf(what, cap, "mechanism type %d: '%s' in the checkpoint, '%s' in this model", k,
                     a->name, b->name);
            return 1;
        }
#define DM(f, label)                                                                               \
    if (a->f != b->f) {                                                                            \
        snprintf(what, cap, "mechanism '%s': %s: %lld in the checkpoint, %lld in this model",      \
                 a->name, label, (long long)a->f, (long long)b->f);                                \
        return 1;                                                                                  \
    }
        DM(n, "instances");
        DM(kind, "kind");
        DM(n_vars, "variables");
        DM(n_pdata, "pdata slots");
        DM(n_vdata, "vdata slots");
        DM(global_bytes, "global storage bytes");
#undef DM
    }
    DI(nion, "ion species");
    DI(nnc, "NetCons");
    DI(nps, "spike sources (gids)");
    DI(nplay, "Vector.play items (stimuli)");
    DI(fast_imem, "fast i_membrane_ (on/off)");
    DI(xfer_state, "voltage transfer (gap junction) state");
    DI(block_size, "data block size (doubles)");
    DH(h_tree, "the cell trees (section connections, nseg)");
    DH(h_place, "instance placement or pointers of mechanisms");
    DH(h_nc, "NetCon sources, targets or weight counts");
    DH(h_ps, "spike sources (gids, positions or thresholds)");
    DH(h_play, "Vector.play contents (stimulus signals)");
    DH(h_vtag, "random streams attached to mechanism instances");
#undef DI
#undef DD
#undef DH
    return 0;
}

/* ---- writer ------------------------------------------------------------------- */
typedef struct wr {
    FILE *f;
    uint64_t h, n;
    int bad;
} wr;

static void w_bytes(wr *w, const void *p, size_t n) {
    if (w->bad || n == 0) return;
    if (fwrite(p, 1, n, w->f) != n) {
        w->bad = errno ? errno : EIO;
        return;
    }
    fnv(&w->h, p, n);
    w->n += n;
}
static void w_i32(wr *w, int32_t v) {
    w_bytes(w, &v, sizeof v);
}
static void w_u32(wr *w, uint32_t v) {
    w_bytes(w, &v, sizeof v);
}
static void w_i64(wr *w, int64_t v) {
    w_bytes(w, &v, sizeof v);
}
static void w_u64(wr *w, uint64_t v) {
    w_bytes(w, &v, sizeof v);
}
static void w_f64(wr *w, double v) {
    w_bytes(w, &v, sizeof v);
}

static void w_desc(wr *w, const desc *d) {
    w_i32(w, d->n_node), w_i32(w, d->ncell), w_i32(w, d->nmech), w_i32(w, d->nnc);
    w_i32(w, d->nps), w_i32(w, d->nplay), w_i32(w, d->nion), w_i32(w, d->secondorder);
    w_i32(w, d->event_order), w_i32(w, d->fast_imem), w_i32(w, d->xfer_state);
    w_u32(w, d->r123_gix), w_u64(w, d->block_size), w_f64(w, d->dt), w_f64(w, d->celsius);
    w_u64(w, d->h_tree), w_u64(w, d->h_place), w_u64(w, d->h_nc), w_u64(w, d->h_ps);
    w_u64(w, d->h_play), w_u64(w, d->h_vtag);
    for (int k = 0; k < d->nmech; ++k) {
        const mdesc *md = &d->mech[k];
        w_bytes(w, md->name, sizeof md->name);
        w_i32(w, md->kind), w_i32(w, md->n_vars), w_i32(w, md->n), w_i32(w, md->n_pdata);
        w_i32(w, md->n_vdata), w_u64(w, md->global_bytes);
    }
}

static uint64_t desc_hash(const desc *d) {
    /* the hash of the description as written */
    uint64_t h = FNV0;
    const int32_t a[] = {d->n_node,      d->ncell,     d->nmech,     d->nnc,
                         d->nps,         d->nplay,     d->nion,      d->secondorder,
                         d->event_order, d->fast_imem, d->xfer_state};
    fnv(&h, a, sizeof a);
    fnv(&h, &d->r123_gix, sizeof d->r123_gix);
    fnv(&h, &d->block_size, sizeof d->block_size);
    fnv(&h, &d->dt, sizeof d->dt), fnv(&h, &d->celsius, sizeof d->celsius);
    const uint64_t hs[] = {d->h_tree, d->h_place, d->h_nc, d->h_ps, d->h_play, d->h_vtag};
    fnv(&h, hs, sizeof hs);
    for (int k = 0; k < d->nmech; ++k) { /* field by field: no padding bytes */
        const mdesc *md = &d->mech[k];
        const int32_t f[] = {md->kind, md->n_vars, md->n, md->n_pdata, md->n_vdata};
        fnv(&h, md->name, sizeof md->name);
        fnv(&h, f, sizeof f);
        fnv(&h, &md->global_bytes, sizeof md->global_bytes);
    }
    return h;
}

typedef struct wmap {
    uintptr_t w;
    int nc;
} wmap;

static int cmp_wmap(const void *a, const void *b) {
    uintptr_t x = ((const wmap *)a)->w, y = ((const wmap *)b)->w;
    return (x > y) - (x < y);
}

static void put_u32(unsigned char *b, uint32_t v) {
    memcpy(b, &v, 4);
}
static void put_u64(unsigned char *b, uint64_t v) {
    memcpy(b, &v, 8);
}

static void my_rank(const rv_model *m, uint32_t *rank, uint32_t *size) {
    *rank = m->have_comm ? (uint32_t)m->comm.rank : 0;
    *size = m->have_comm ? (uint32_t)m->comm.size : 1;
}

static rv_status write_state(rv_model *m, wr *w, const ptrset *own, const wmap *wm, rv_error *err) {
    w_f64(w, m->t);
    w_i64(w, (int64_t)m->step_count);
    w_u64(w, m->self_seq);
    w_u64(w, (uint64_t)m->n_events);
    w_u32(w, m->scop_value);
    w_bytes(w, m->block, m->block_size * sizeof(double));
    for (int k = 0; k < m->nmech; ++k) {
        const rv_mech_list *ml = &m->ml[k].ml;
        if (ml->global) w_bytes(w, ml->global, m->mech[k]->global_bytes);
    }
    for (int k = 0; k < m->nmech; ++k) {
        const rv_mech_list *ml = &m->ml[k].ml;
        for (int s = 0; ml->vdata && s < m->mech[k]->n_vdata; ++s)
            for (int i = 0; i < ml->n; ++i) {
                const void *p = ml->vdata[(size_t)s * ml->pad + i];
                if (vtag(own, p) != 1) continue;
                const rv_ran123 *r = p;
                w_bytes(w, r->c, sizeof r->c), w_bytes(w, r->r, sizeof r->r);
                w_u32(w, r->which), w_u32(w, r->key0);
            }
    }
    for (int k = 0; k < m->nnc; ++k) {
        const rv_netcon *nc = &m->nc[k];
        w_f64(w, nc->delay), w_i32(w, nc->active ? 1 : 0);
        w_bytes(w, nc->w, (size_t)nc->nw * sizeof(double));
    }
    for (int k = 0; k < m->nps; ++k) w_i32(w, m->ps[k].flag ? 1 : 0);
    for (int k = 0; k < m->nplay; ++k) {
        const rv_play *p = &m->play[k];
        w_u64(w, p->cur), w_u64(w, p->ubound), w_u64(w, p->last);
    }
    w_u64(w, m->q.n);
    for (size_t k = 0; k < m->q.n; ++k) {
        const rv_event *e = &m->q.h[k];
        int32_t wnc = -1;
        if (e->w) {
            wmap key = {(uintptr_t)e->w, 0};
            const wmap *f = bsearch(&key, wm, (size_t)m->nnc, sizeof *wm, cmp_wmap);
            if (!f)
                return RV_FAIL(err, RV_EUNSUPPORTED,
                               "a pending self event (mechanism '%s', instance %d, at t = %.17g) "
                               "carries a weight vector that belongs to no NetCon",
                               e->kind == RV_EV_SELF && e->a >= 0 && e->a < m->nmech
                                   ? m->mech[e->a]->name
                                   : "?",
                               e->i, e->td);
            wnc = f->nc;
        }
        w_f64(w, e->td), w_f64(w, e->ti), w_u64(w, e->key);
        w_i32(w, e->kind), w_i32(w, e->a), w_i32(w, e->i), w_f64(w, e->flag), w_i32(w, wnc);
    }
    w_u64(w, m->nout);
    for (size_t k = 0; k < m->nout; ++k) w_f64(w, m->out[k].t), w_i64(w, m->out[k].gid);
    return RV_OK;
}

rv_status rv_checkpoint_save(rv_model *m, const char *path, rv_error *err) {
    return rv_checkpoint_save_tagged(m, path, 0, err);
}

rv_status rv_checkpoint_save_tagged(rv_model *m, const char *path, uint64_t tag, rv_error *err) {
    if (!m || !path) return RV_FAIL(err, RV_EINVAL, "rv_checkpoint_save: NULL argument");
    if (!m->lowered || !m->initialized)
        return RV_FAIL(err, RV_ESTATE, "checkpoint save: call rv_model_finitialize first");
    if (m->mech_error)
        return RV_FAIL(err, RV_ESTATE, "checkpoint save: the model stopped with an error");
    size_t plen = strlen(path);
    char *tmp = rv_malloc(plen + 48);
    ptrset own = {0};
    wmap *wm = rv_malloc(sizeof *wm * ((size_t)m->nnc + 1));
    rv_status st = RV_OK;
    if (!tmp || !wm) st = RV_FAIL(err, RV_ENOMEM, "out of memory");
    if (!st) st = owned_set(m, &own, err);
    FILE *f = NULL;
    if (!st) {
        snprintf(tmp, plen + 48, "%s.tmp.%ld", path, (long)getpid());
        for (int k = 0; k < m->nnc; ++k) wm[k].w = (uintptr_t)m->nc[k].w, wm[k].nc = k;
        qsort(wm, (size_t)m->nnc, sizeof *wm, cmp_wmap);
        errno = 0;
        f = fopen(tmp, "wb");
        if (!f) {
            st = RV_FAIL(err, RV_EIO, "cannot create the checkpoint file: %s", strerror(errno));
            rv_error_where(err, tmp, 0, NULL);
        }
    }
    desc d;
    if (!st) {
        compute_desc(m, &own, &d);
        unsigned char hdr[HDR_BYTES] = {0};
        wr w = {f, FNV0, 0, 0};
        if (fwrite(hdr, 1, HDR_BYTES, f) != HDR_BYTES) w.bad = errno ? errno : EIO;
        w_desc(&w, &d);
        st = write_state(m, &w, &own, wm, err);
        if (!st && !w.bad) {
            uint32_t rank, size;
            my_rank(m, &rank, &size);
            memcpy(hdr, MAGIC, 8);
            put_u32(hdr + 8, RV_CHECKPOINT_VERSION);
            put_u32(hdr + 12, BOM);
            put_u64(hdr + 16, w.n);
            put_u64(hdr + 24, w.h);
            put_u32(hdr + 32, rank);
            put_u32(hdr + 36, size);
            memcpy(hdr + 40, &m->t, 8);
            put_u64(hdr + 48, desc_hash(&d));
            put_u64(hdr + 56, tag);
            if (fflush(f) != 0 || fseek(f, 0, SEEK_SET) != 0 ||
                fwrite(hdr, 1, HDR_BYTES, f) != HDR_BYTES || fflush(f) != 0 ||
                fsync(fileno(f)) != 0)
                w.bad = errno ? errno : EIO;
        }
        int ce = fclose(f) != 0 ? errno : 0;
        f = NULL;
        if (!st && (w.bad || ce)) {
            st = RV_FAIL(err, RV_EIO, "cannot write the checkpoint: %s",
                         strerror(w.bad ? w.bad : ce));
            rv_error_where(err, tmp, 0, NULL);
        }
        if (!st && rename(tmp, path) != 0) {
            st = RV_FAIL(err, RV_EIO, "cannot rename the checkpoint into place: %s",
                         strerror(errno));
            rv_error_where(err, path, 0, NULL);
        }
        if (st) remove(tmp);
    }
    rv_free(tmp), rv_free(wm), rv_free(own.p);
    return st;
}

/* ---- reader ------------------------------------------------------------------- */
typedef struct rd {
    FILE *f;
    uint64_t left;
    int bad;
} rd;

static void r_bytes(rd *r, void *p, size_t n) {
    if (r->bad) {
        memset(p, 0, n);
        return;
    }
    if (n > r->left || fread(p, 1, n, r->f) != n) {
        r->bad = 1;
        memset(p, 0, n);
        return;
    }
    r->left -= n;
}
static int32_t r_i32(rd *r) {
    int32_t v;
    r_bytes(r, &v, sizeof v);
    return v;
}
static uint32_t r_u32(rd *r) {
    uint32_t v;
    r_bytes(r, &v, sizeof v);
    return v;
}
static int64_t r_i64(rd *r) {
    int64_t v;
    r_bytes(r, &v, sizeof v);
    return v;
}
static uint64_t r_u64(rd *r) {
    uint64_t v;
    r_bytes(r, &v, sizeof v);
    return v;
}
static double r_f64(rd *r) {
    double v;
    r_bytes(r, &v, sizeof v);
    return v;
}

static void r_desc(rd *r, desc *d) {
    memset(d, 0, sizeof *d);
    d->n_node = r_i32(r), d->ncell = r_i32(r), d->nmech = r_i32(r), d->nnc = r_i32(r);
    d->nps = r_i32(r), d->nplay = r_i32(r), d->nion = r_i32(r), d->secondorder = r_i32(r);
    d->event_order = r_i32(r), d->fast_imem = r_i32(r), d->xfer_state = r_i32(r);
    d->r123_gix = r_u32(r), d->block_size = r_u64(r), d->dt = r_f64(r), d->celsius = r_f64(r);
    d->h_tree = r_u64(r), d->h_place = r_u64(r), d->h_nc = r_u64(r), d->h_ps = r_u64(r);
    d->h_play = r_u64(r), d->h_vtag = r_u64(r);
    if (d->nmech < 0 || d->nmech > RV_MAX_MECH) {
        r->bad = 1;
        return;
    }
    for (int k = 0; k < d->nmech; ++k) {
        mdesc *md = &d->mech[k];
        r_bytes(r, md->name, sizeof md->name);
        md->name[sizeof md->name - 1] = '\0';
        md->kind = r_i32(r), md->n_vars = r_i32(r), md->n = r_i32(r), md->n_pdata = r_i32(r);
        md->n_vdata = r_i32(r), md->global_bytes = r_u64(r);
    }
}

static rv_status fail_at(rv_error *err, const char *path, rv_status code, const char *msg) {
    RV_FAIL(err, code, "%s", msg);
    rv_error_where(err, path, 0, NULL);
    return code;
}

/* Open path, check the header and (check_sum) the payload's length and
 * checksum; leaves the file positioned at the payload. */
static rv_status open_checked(const char *path, FILE **out, rv_checkpoint_info *info, int check_sum,
                              rv_error *err) {
    char msg[512];
    errno = 0;
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(msg, sizeof msg, "cannot open the checkpoint: %s", strerror(errno));
        return fail_at(err, path, errno == ENOENT ? RV_ENOENT : RV_EIO, msg);
    }
    unsigned char hdr[HDR_BYTES];
    size_t got = fread(hdr, 1, HDR_BYTES, f);
    rv_status st = RV_OK;
    if (got < 8 || memcmp(hdr, MAGIC, 8) != 0) {
        st = fail_at(err, path, RV_EFORMAT, "not a ranvier checkpoint (bad magic bytes)");
    } else if (got < HDR_BYTES) {
        snprintf(msg, sizeof msg, "truncated checkpoint: %zu bytes, the header alone has %d", got,
                 HDR_BYTES);
        st = fail_at(err, path, RV_EFORMAT, msg);
    }
    uint32_t version = 0, bom = 0;
    uint64_t plen = 0, sum = 0;
    if (!st) {
        memcpy(&version, hdr + 8, 4), memcpy(&bom, hdr + 12, 4);
        memcpy(&plen, hdr + 16, 8), memcpy(&sum, hdr + 24, 8);
        if (bom != BOM) {
            st = fail_at(err, path, RV_EFORMAT,
                         "checkpoint written on a machine of another byte order");
        } else if (version != RV_CHECKPOINT_VERSION) {
            snprintf(msg, sizeof msg, "checkpoint format version %u; this ranvier reads version %d",
                     version, RV_CHECKPOINT_VERSION);
            st = fail_at(err, path, RV_EUNSUPPORTED, msg);
        }
    }
    if (!st) {
        info->version = version;
        memcpy(&info->rank, hdr + 32, 4), memcpy(&info->nranks, hdr + 36, 4);
        memcpy(&info->t, hdr + 40, 8), memcpy(&info->layout_hash, hdr + 48, 8);
        memcpy(&info->tag, hdr + 56, 8);
        info->payload_bytes = plen;
    }
    if (!st && check_sum) {
        uint64_t h = FNV0, n = 0;
        unsigned char buf[1 << 16];
        size_t k;
        while ((k = fread(buf, 1, sizeof buf, f)) > 0) {
            fnv(&h, buf, k);
            n += k;
        }
        if (ferror(f)) {
            snprintf(msg, sizeof msg, "cannot read the checkpoint: %s", strerror(errno));
            st = fail_at(err, path, RV_EIO, msg);
        } else if (n != plen) {
            snprintf(msg, sizeof msg,
                     "%s checkpoint: the header announces %llu payload bytes, the file has %llu",
                     n < plen ? "truncated" : "damaged", (unsigned long long)plen,
                     (unsigned long long)n);
            st = fail_at(err, path, RV_EFORMAT, msg);
        } else if (h != sum) {
            st = fail_at(err, path, RV_EFORMAT,
                         "corrupt checkpoint: the payload checksum does not match the header's");
        } else if (fseek(f, HDR_BYTES, SEEK_SET) != 0) {
            snprintf(msg, sizeof msg, "cannot seek in the checkpoint: %s", strerror(errno));
            st = fail_at(err, path, RV_EIO, msg);
        }
    }
    if (st) {
        fclose(f);
        return st;
    }
    *out = f;
    return RV_OK;
}

rv_status rv_checkpoint_info_read(const char *path, rv_checkpoint_info *info, rv_error *err) {
    if (!path || !info) return RV_FAIL(err, RV_EINVAL, "rv_checkpoint_info_read: NULL argument");
    FILE *f = NULL;
    rv_status st = open_checked(path, &f, info, 0, err);
    if (!st) fclose(f);
    return st;
}

static rv_status read_state(rv_model *m, rd *r, const ptrset *own, const char *path,
                            rv_error *err) {
    char msg[512];
    double t = r_f64(r);
    int64_t steps = r_i64(r);
    uint64_t seq = r_u64(r), nev = r_u64(r);
    uint32_t scop = r_u32(r);
    if (!r->bad && (!isfinite(t) || steps < 0))
        return fail_at(err, path, RV_EFORMAT, "checkpoint state: bad time or step count");
    r_bytes(r, m->block, m->block_size * sizeof(double));
    for (int k = 0; k < m->nmech; ++k) {
        rv_mech_list *ml = &m->ml[k].ml;
        if (ml->global) r_bytes(r, ml->global, m->mech[k]->global_bytes);
    }
    for (int k = 0; k < m->nmech; ++k) {
        rv_mech_list *ml = &m->ml[k].ml;
        for (int s = 0; ml->vdata && s < m->mech[k]->n_vdata; ++s)
            for (int i = 0; i < ml->n; ++i) {
                void *p = ml->vdata[(size_t)s * ml->pad + i];
                if (vtag(own, p) != 1) continue;
                rv_ran123 x;
                r_bytes(r, x.c, sizeof x.c), r_bytes(r, x.r, sizeof x.r);
                x.which = r_u32(r), x.key0 = r_u32(r);
                if (!r->bad && x.which > 4)
                    return fail_at(err, path, RV_EFORMAT, "checkpoint state: bad random stream");
                *(rv_ran123 *)p = x;
            }
    }
    for (int k = 0; k < m->nnc; ++k) {
        rv_netcon *nc = &m->nc[k];
        nc->delay = r_f64(r);
        nc->active = r_i32(r) != 0;
        r_bytes(r, nc->w, (size_t)nc->nw * sizeof(double));
    }
    for (int k = 0; k < m->nps; ++k) m->ps[k].flag = r_i32(r) != 0;
    for (int k = 0; k < m->nplay; ++k) {
        rv_play *p = &m->play[k];
        uint64_t cur = r_u64(r), ub = r_u64(r), last = r_u64(r);
        if (!r->bad && (cur > p->n || ub >= p->n || last >= p->n))
            return fail_at(err, path, RV_EFORMAT, "checkpoint state: bad Vector.play cursor");
        p->cur = (size_t)cur, p->ubound = (size_t)ub, p->last = (size_t)last;
    }
    uint64_t nq = r_u64(r);
    if (r->bad) return fail_at(err, path, RV_EFORMAT, "checkpoint state: truncated");
    if (nq > r->left / 48)
        return fail_at(err, path, RV_EFORMAT, "checkpoint state: bad event count");
    if (nq > m->q.cap) {
        rv_event *h = rv_realloc(m->q.h, (size_t)nq * sizeof *h);
        if (!h)
            return RV_FAIL(err, RV_ENOMEM, "out of memory for %llu events", (unsigned long long)nq);
        m->q.h = h, m->q.cap = (size_t)nq;
    }
    m->q.n = 0;
    for (uint64_t k = 0; k < nq; ++k) {
        rv_event e = {0};
        e.td = r_f64(r), e.ti = r_f64(r), e.key = r_u64(r);
        e.kind = r_i32(r), e.a = r_i32(r), e.i = r_i32(r), e.flag = r_f64(r);
        int32_t wnc = r_i32(r);
        int ok = !r->bad && isfinite(e.td) && wnc >= -1 && wnc < m->nnc;
        if (ok && e.kind == RV_EV_NETCON)
            ok = e.a >= 0 && e.a < m->nnc;
        else if (ok && e.kind == RV_EV_PLAY)
            ok = e.a >= 0 && e.a < m->nplay;
        else if (ok && e.kind == RV_EV_SELF)
            ok = e.a >= 0 && e.a < m->nmech && e.i >= 0 && e.i < m->ml[e.a].ml.n &&
                 m->mech[e.a]->net_receive != NULL;
        else
            ok = 0;
        if (!ok) {
            snprintf(msg, sizeof msg, "checkpoint state: bad event %llu of %llu",
                     (unsigned long long)k, (unsigned long long)nq);
            return fail_at(err, path, RV_EFORMAT, msg);
        }
        e.w = wnc >= 0 ? m->nc[wnc].w : NULL;
        m->q.h[m->q.n++] = e;
    }
    uint64_t nout = r_u64(r);
    if (r->bad || nout > r->left / 16)
        return fail_at(err, path, RV_EFORMAT, "checkpoint state: bad count of buffered spikes");
    size_t cap = m->cap_out;
    if (nout && rv_grow((void **)&m->out, &cap, (size_t)nout, sizeof *m->out))
        return RV_FAIL(err, RV_ENOMEM, "out of memory");
    m->cap_out = cap;
    for (uint64_t k = 0; k < nout; ++k) m->out[k].t = r_f64(r), m->out[k].gid = r_i64(r);
    m->nout = (size_t)nout;
    if (r->bad) return fail_at(err, path, RV_EFORMAT, "checkpoint state: truncated");
    if (r->left != 0)
        return fail_at(err, path, RV_EFORMAT, "checkpoint state: unexpected bytes at the end");
    m->t = t, m->th.t = t;
    m->step_count = (long)steps;
    m->self_seq = seq;
    m->n_events = (size_t)nev;
    m->scop_value = scop;
    return RV_OK;
}

rv_status rv_checkpoint_restore(rv_model *m, const char *path, rv_error *err) {
    if (!m || !path) return RV_FAIL(err, RV_EINVAL, "rv_checkpoint_restore: NULL argument");
    if (!m->lowered || !m->initialized)
        return RV_FAIL(err, RV_ESTATE, "checkpoint restore: call rv_model_finitialize first");
    rv_checkpoint_info info;
    FILE *f = NULL;
    rv_status st = open_checked(path, &f, &info, 1, err);
    if (st) return st;
    char msg[640];
    uint32_t rank, size;
    my_rank(m, &rank, &size);
    ptrset own = {0};
    if (info.nranks != size) {
        snprintf(msg, sizeof msg,
                 "checkpoint written by a run on %u processes; this run has %u (restore with the "
                 "same number of processes)",
                 info.nranks, size);
        st = fail_at(err, path, RV_EINVAL, msg);
    } else if (info.rank != rank) {
        snprintf(msg, sizeof msg, "checkpoint of process %u read by process %u", info.rank, rank);
        st = fail_at(err, path, RV_EINVAL, msg);
    }
    desc *saved = NULL, *now = NULL;
    if (!st) {
        saved = rv_malloc(sizeof *saved);
        now = rv_malloc(sizeof *now);
        if (!saved || !now) st = RV_FAIL(err, RV_ENOMEM, "out of memory");
    }
    if (!st) st = owned_set(m, &own, err);
    rd r = {f, info.payload_bytes, 0};
    if (!st) {
        r_desc(&r, saved);
        compute_desc(m, &own, now);
        char what[400];
        if (r.bad) {
            st = fail_at(err, path, RV_EFORMAT, "checkpoint: bad layout description");
        } else if (desc_hash(saved) != info.layout_hash) {
            st = fail_at(err, path, RV_EFORMAT,
                         "checkpoint: the layout description does not match the header's hash");
        } else if (desc_diff(saved, now, what, sizeof what)) {
            snprintf(msg, sizeof msg, "checkpoint of a different model: %s", what);
            st = fail_at(err, path, RV_EINVAL, msg);
        }
    }
    if (!st) {
        st = read_state(m, &r, &own, path, err);
        if (st) {
            m->initialized = false; /* partly overwritten: initialize again */
        } else {
            m->nspikes = 0;
            m->mech_error = false;
            st = rv__records_restart(m, err);
        }
    }
    fclose(f);
    rv_free(saved), rv_free(now), rv_free(own.p);
    return st;
}
