/* SPDX-License-Identifier: MIT
 * engine/lower.c -- lowering: from the description to SoA storage.
 *
 * Steps: number the nodes (cells contiguous, root node first, sections
 * depth-first, parent before child); compute areas and axial coefficients
 * (geometry.c, then NEURON's connection_coef); collect mechanism instances
 * (density and ion instances in node order, point processes by node with the
 * most recently created first -- the order NEURON's node property lists give
 * -- artificial cells in creation order); lay out one 64-byte aligned block;
 * fill pdata with block offsets of ion variables and node areas; derive the
 * ion styles (NEURON's nrn_promote) from how the mechanisms at each node use
 * each ion.
 */
#include "engine_int.h"

#include <stdlib.h>
#include <string.h>

void rv__free_lowered(rv_model *m) {
    if (!m->lowered) return;
    if (m->constructed) { /* NMODL DESTRUCTORs, before the instances go */
        for (int k = 0; k < m->nmech; ++k) {
            rv_mech_list *ml = &m->ml[k].ml;
            if (ml->type && ml->type->destructor)
                for (int i = 0; i < ml->n; ++i) ml->type->destructor(&m->th, ml, i);
        }
        m->constructed = false;
    }
    for (int k = 0; k < m->nmech; ++k) {
        rv_mech_list *ml = &m->ml[k].ml;
        rv_free(ml->vdata);
        rv_free(ml->node);
        rv_free(ml->pdata);
        rv_free(ml->presyn);
        rv_free_aligned(ml->global);
        memset(ml, 0, sizeof *ml);
    }
    for (int i = 0; i < m->nowned; ++i) rv_free(m->owned[i]);
    rv_free(m->owned);
    m->owned = NULL, m->nowned = m->cap_owned = 0;
    rv_free(m->parent);
    rv_free(m->perm);
    m->perm = NULL;
    rv_free(m->rinv);
    m->rinv = NULL;
    rv_free(m->node_sec);
    rv_free_aligned(m->block);
    m->parent = NULL, m->node_sec = NULL, m->block = NULL;
    m->lowered = false;
}

/* node NEURON's node_exact(sec, x) returns; perm NULL before the nodes are
 * permuted (s->parent_node is always in the current numbering) */
static int node_exact(const rv_secd *s, double x, const int *perm) {
    int j;
    if (x <= 0. || x >= 1.) {
        x = x < 0. ? 0. : x;
        x = x > 1. ? 1. : x;
        if (s->orient) x = 1. - x;
        if (x == 0.) return s->parent_node;
        j = s->nseg;
    } else {
        j = rv__seg_index(s, x);
    }
    return perm ? perm[s->node0 + j] : s->node0 + j;
}

/* Put the cells' root nodes first, then interleave the cells of each block
 * of RV_CELL_BLOCK cells by tree level
 * (NEURON's cache_efficient ordering, within a block): consecutive nodes then
 * belong to different branches or cells, so the Hines sweeps -- a chain of
 * dependent divisions within one branch -- overlap in the processor.  The
 * sort is stable, so siblings keep their order and every sum is formed in the
 * same order as before: results do not change, bit for bit.  Fills m->perm
 * (old -> new) and permutes the node arrays. */
#define RV_CELL_BLOCK 32
static rv_status permute_nodes(rv_model *m, const int *cell_start, double **rinv_io,
                               rv_error *err) {
    int n = m->n_node;
    int *level = rv_malloc(sizeof(int) * (size_t)n + 1);
    int *perm = rv_malloc(sizeof(int) * (size_t)n + 1);
    int *cnt = NULL;
    double *tmp = rv_malloc(sizeof(double) * (size_t)n + 1);
    int *itmp = rv_malloc(sizeof(int) * (size_t)n + 1);
    if (!level || !perm || !tmp || !itmp) goto nomem;
    int maxlev = 0;
    for (int i = 0; i < n; ++i) {
        level[i] = m->parent[i] < 0 ? 0 : level[m->parent[i]] + 1;
        if (level[i] > maxlev) maxlev = level[i];
    }
    cnt = rv_malloc(sizeof(int) * ((size_t)maxlev + 2));
    if (!cnt) goto nomem;
    /* the cells' root nodes first (0..ncell-1), then block by block; cell c
     * has one root, so a block's other nodes start at ncell + lo - c0 */
    for (int c = 0; c < m->ncell; ++c) perm[cell_start[c]] = c;
    for (int c0 = 0; c0 < m->ncell; c0 += RV_CELL_BLOCK) {
        int c1 = c0 + RV_CELL_BLOCK < m->ncell ? c0 + RV_CELL_BLOCK : m->ncell;
        int lo = cell_start[c0], hi = cell_start[c1];
        memset(cnt, 0, sizeof(int) * ((size_t)maxlev + 2));
        for (int i = lo; i < hi; ++i)
            if (level[i] > 0) cnt[level[i] + 1]++;
        for (int l = 0; l <= maxlev; ++l) cnt[l + 1] += cnt[l];
        for (int i = lo; i < hi; ++i)
            if (level[i] > 0) perm[i] = m->ncell + (lo - c0) + cnt[level[i]]++;
    }
    /* permute: value arrays, then parent (values are node indices) */
    double *arr[] = {m->area, m->cm, m->a, m->b, m->diam, *rinv_io};
    for (size_t k = 0; k < sizeof arr / sizeof *arr; ++k) {
        for (int i = 0; i < n; ++i) tmp[perm[i]] = arr[k][i];
        memcpy(arr[k], tmp, sizeof(double) * (size_t)n);
    }
    for (int i = 0; i < n; ++i) itmp[perm[i]] = m->parent[i] < 0 ? -1 : perm[m->parent[i]];
    memcpy(m->parent, itmp, sizeof(int) * (size_t)n);
    for (int i = 0; i < n; ++i) itmp[perm[i]] = m->node_sec[i];
    memcpy(m->node_sec, itmp, sizeof(int) * (size_t)n);
    for (int i = 0; i < m->nsec; ++i)
        if (!m->sec[i].deleted) m->sec[i].parent_node = perm[m->sec[i].parent_node];
    m->perm = perm;
    rv_free(level), rv_free(cnt), rv_free(tmp), rv_free(itmp);
    return RV_OK;
nomem:
    rv_free(level), rv_free(perm), rv_free(cnt), rv_free(tmp), rv_free(itmp);
    return RV_FAIL(err, RV_ENOMEM, "out of memory");
}

typedef struct {
    int pp, node;
} pp_sort;

static int cmp_pp(const void *a, const void *b) {
    const pp_sort *x = a, *y = b;
    if (x->node != y->node) return x->node < y->node ? -1 : 1;
    return x->pp > y->pp ? -1 : (x->pp < y->pp); /* later created first */
}

/* conc and erev use of one USEION: NEURON's nrn_promote arguments */
static void promote(int *style, int flags) {
    int conc = (flags & (RV_ION_WRITE_I | RV_ION_WRITE_O)) ? 3
               : (flags & (RV_ION_READ_I | RV_ION_READ_O)) ? 1
                                                           : 0;
    int rev = (flags & RV_ION_WRITE_E) ? 3 : (flags & RV_ION_READ_E) ? 1 : 0;
    int it = *style;
    int oldconc = it & 03, oldrev = (it & 030) >> 3;
    if (oldconc < conc) oldconc = conc;
    if (oldrev < rev) oldrev = rev;
    if (oldconc > 0 && oldrev < 2) oldrev = 2;
    it &= ~0177;
    it += oldconc + 010 * oldrev;
    if (oldconc == 3) {
        it += 4;
        if (oldrev == 2) it += 0100;
    }
    if (oldconc > 0 && oldrev == 2) it += 040;
    *style = it;
}

rv_status rv__lower(rv_model *m, rv_error *err) {
    rv_status st = RV_OK;
    int nsec = m->nsec;
    /* ---- node numbering: DFS over each root's subtree ---- */
    int *stack = rv_malloc(sizeof(int) * (size_t)(nsec + 1));
    int *order = rv_malloc(sizeof(int) * (size_t)(nsec + 1));
    if (!stack || !order) {
        rv_free(stack), rv_free(order);
        return RV_FAIL(err, RV_ENOMEM, "out of memory");
    }
    int nnode = 0, ncell = 0, norder = 0;
    int *cell_start = rv_malloc(sizeof(int) * (size_t)(nsec + 2));
    if (!cell_start) {
        rv_free(stack), rv_free(order);
        return RV_FAIL(err, RV_ENOMEM, "out of memory");
    }
    for (int r = 0; r < nsec; ++r) {
        if (m->sec[r].parent >= 0 || m->sec[r].deleted) continue;
        cell_start[ncell] = nnode;
        int root_node = nnode++;
        ncell++;
        int sp = 0;
        stack[sp++] = r;
        while (sp) {
            int si = stack[--sp];
            rv_secd *s = &m->sec[si];
            s->cell = ncell - 1;
            s->node0 = nnode;
            nnode += s->nseg + 1;
            order[norder++] = si;
            if (s->parent < 0) s->parent_node = root_node;
            for (int c = s->nchild - 1; c >= 0; --c) stack[sp++] = s->children[c];
        }
    }
    rv_free(stack);
    cell_start[ncell] = nnode;
    for (int k = 0; k < norder; ++k) {
        rv_secd *s = &m->sec[order[k]];
        if (s->parent >= 0) s->parent_node = node_exact(&m->sec[s->parent], s->parent_x, NULL);
    }
    m->ncell = ncell;
    m->n_node = nnode;
    m->n_pad = (int)rv_pad((size_t)nnode);
    int npad = m->n_pad;

    /* ---- mechanism instance counts ---- */
    int count[RV_MAX_MECH] = {0};
    for (int si = 0; si < nsec; ++si)
        for (int k = 0; k < m->sec[si].nmech && !m->sec[si].deleted; ++k)
            count[m->sec[si].mech[k]] += m->sec[si].nseg;
    for (int p = 0; p < m->npp; ++p) count[m->pp[p].mech]++;

    /* ---- block layout ---- */
    enum { NV = 10 };
    size_t total = (size_t)NV * npad;
    size_t off[RV_MAX_MECH];
    for (int k = 0; k < m->nmech; ++k) {
        off[k] = total;
        total += (size_t)m->mech[k]->n_vars * rv_pad((size_t)count[k]);
    }
    m->block = rv_alloc_aligned(sizeof(double) * (total + 1));
    m->parent = rv_malloc(sizeof(int) * (size_t)(nnode + 1));
    m->node_sec = rv_malloc(sizeof(int) * (size_t)(nnode + 1));
    if (!m->block || !m->parent || !m->node_sec) {
        rv_free(order);
        rv_free(cell_start);
        m->lowered = true;
        rv__free_lowered(m);
        return RV_FAIL(err, RV_ENOMEM, "out of memory for %zu doubles of model data", total);
    }
    m->lowered = true; /* from here on rv__free_lowered cleans up */
    m->block_size = total;
    double *b = m->block;
    m->v = b, m->rhs = b + npad, m->d = b + 2 * npad, m->a = b + 3 * npad, m->b = b + 4 * npad;
    m->area = b + 5 * npad, m->cm = b + 6 * npad;
    m->sav_rhs = m->fast_imem ? b + 7 * npad : NULL;
    m->sav_d = m->fast_imem ? b + 8 * npad : NULL;
    m->diam = b + 9 * npad; /* per node, read by mechanisms (NMODL `diam`) */

    /* ---- topology and geometry ---- */
    double *rinv = rv_calloc((size_t)nnode + 1, sizeof(double));
    if (!rinv) {
        rv_free(cell_start);
        st = RV_FAIL(err, RV_ENOMEM, "out of memory");
        goto fail;
    }
    for (int i = 0; i < nnode; ++i) {
        m->parent[i] = -1;
        m->node_sec[i] = -1;
        m->area[i] = 100.;
        m->v[i] = -65.;
    }
    for (int k = 0; k < norder; ++k) {
        rv_secd *s = &m->sec[order[k]];
        double L;
        st = rv__geom_section(s, s->diam, m->area + s->node0, rinv + s->node0, &L, err);
        if (st) {
            rv_free(rinv);
            rv_free(cell_start);
            goto fail;
        }
        for (int j = 0; j <= s->nseg; ++j) {
            int nd = s->node0 + j;
            m->diam[nd] = j < s->nseg ? s->diam[j] : 0.0;
            m->parent[nd] = j == 0 ? s->parent_node : nd - 1;
            m->node_sec[nd] = order[k];
            m->cm[nd] = j < s->nseg ? s->cm[j] : 0.;
        }
    }
    /* NEURON's connection_coef: a couples node into its parent's equation,
     * b the parent into the node's; rall_branch is 1. */
    for (int i = 0; i < nnode; ++i) {
        int p = m->parent[i];
        if (p < 0) {
            m->a[i] = 0.0, m->b[i] = 0.0;
            continue;
        }
        m->a[i] = -1.e2 * 1.0 * rinv[i] / m->area[p];
        m->b[i] = -1.e2 * rinv[i] / m->area[i];
    }
    st = permute_nodes(m, cell_start, &rinv, err);
    rv_free(cell_start);
    m->rinv = rinv;
    if (st) goto fail;

    /* ---- mechanism lists ---- */
    for (int k = 0; k < m->nmech; ++k) {
        const rv_mech_type *t = m->mech[k];
        rv_mech_list *ml = &m->ml[k].ml;
        ml->type = t;
        ml->index = k;
        ml->n = count[k];
        ml->pad = (int)rv_pad((size_t)count[k]);
        ml->data = b + off[k];
        m->ml[k].data_off = off[k];
        int npd = t->n_ions * RV_ION_NVAR + (t->kind == RV_MECH_POINT ? 1 : 0) + t->n_extra_pdata;
        ml->n_pdata = npd;
        ml->node = rv_malloc(sizeof(int) * (size_t)ml->pad + 1);
        ml->pdata = rv_calloc((size_t)npd * ml->pad + 1, sizeof(int));
        ml->presyn = rv_malloc(sizeof(int) * (size_t)ml->pad + 1);
        if (t->n_vdata) ml->vdata = rv_calloc((size_t)t->n_vdata * ml->pad + 1, sizeof(void *));
        if (t->global_bytes) {
            ml->global = rv_alloc_aligned(t->global_bytes);
            if (ml->global)
                for (int g = 0; g < t->n_globals; ++g) ml->global[g] = t->global_dflt[g];
        }
        if (!ml->node || !ml->pdata || !ml->presyn || (t->n_vdata && !ml->vdata) ||
            (t->global_bytes && !ml->global)) {
            st = RV_FAIL(err, RV_ENOMEM, "out of memory");
            goto fail;
        }
        for (int i = 0; i < ml->pad; ++i) ml->node[i] = -1, ml->presyn[i] = -1;
        ml->n = 0; /* refilled below */
    }
    /* density and ion instances, in node order */
    for (int k = 0; k < norder; ++k) {
        rv_secd *s = &m->sec[order[k]];
        rv_free(s->inst0);
        s->inst0 = rv_malloc(sizeof(int) * (size_t)s->nmech + 1);
        if (!s->inst0) {
            st = RV_FAIL(err, RV_ENOMEM, "out of memory");
            goto fail;
        }
        for (int q = 0; q < s->nmech; ++q) {
            int mi = s->mech[q];
            rv_mech_list *ml = &m->ml[mi].ml;
            const rv_mech_type *t = m->mech[mi];
            s->inst0[q] = ml->n;
            for (int j = 0; j < s->nseg; ++j) {
                int i = ml->n++;
                ml->node[i] = m->perm[s->node0 + j];
                for (int v = 0; v < t->n_vars; ++v)
                    ml->data[(size_t)v * ml->pad + i] = s->mparam[q][(size_t)v * s->nseg + j];
            }
        }
    }
    /* point processes and artificial cells */
    pp_sort *ps = rv_malloc(sizeof(pp_sort) * (size_t)m->npp + 1);
    if (!ps) {
        st = RV_FAIL(err, RV_ENOMEM, "out of memory");
        goto fail;
    }
    for (int p = 0; p < m->npp; ++p) {
        rv_ppd *pp = &m->pp[p];
        ps[p].pp = p;
        ps[p].node = pp->sec >= 0 ? node_exact(&m->sec[pp->sec], pp->x, m->perm) : -1;
        pp->node = ps[p].node;
    }
    qsort(ps, (size_t)m->npp, sizeof *ps, cmp_pp);
    for (int q = 0; q < m->npp; ++q) {
        rv_ppd *pp = &m->pp[ps[q].pp];
        if (pp->sec < 0) continue;
        rv_mech_list *ml = &m->ml[pp->mech].ml;
        pp->inst = ml->n++;
    }
    for (int p = 0; p < m->npp; ++p) { /* artificial cells: creation order */
        rv_ppd *pp = &m->pp[p];
        if (pp->sec >= 0) continue;
        pp->inst = m->ml[pp->mech].ml.n++;
    }
    rv_free(ps);
    for (int p = 0; p < m->npp; ++p) {
        rv_ppd *pp = &m->pp[p];
        rv_mech_list *ml = &m->ml[pp->mech].ml;
        const rv_mech_type *t = ml->type;
        ml->node[pp->inst] = pp->node;
        for (int v = 0; v < t->n_vars; ++v) ml->data[(size_t)v * ml->pad + pp->inst] = pp->param[v];
        if (t->kind == RV_MECH_POINT)
            ml->pdata[(size_t)(t->n_ions * RV_ION_NVAR) * ml->pad + pp->inst] =
                (int)((m->area - b) + pp->node);
        if (pp->has_r123) {
            void *s = rv__ran123_new(m, pp->r123_ids[0], pp->r123_ids[1], pp->r123_ids[2]);
            if (!s) {
                st = RV_FAIL(err, RV_ENOMEM, "out of memory");
                goto fail;
            }
            ml->vdata[pp->inst] = s;
        }
    }
    /* ion pdata: for each user instance, the ion instance at the same node */
    {
        int *ion_at = rv_malloc(sizeof(int) * (size_t)nnode + 1);
        if (!ion_at) {
            st = RV_FAIL(err, RV_ENOMEM, "out of memory");
            goto fail;
        }
        for (int k = 0; k < m->nmech; ++k) {
            const rv_mech_type *t = m->mech[k];
            rv_mech_list *ml = &m->ml[k].ml;
            for (int u = 0; u < t->n_ions; ++u) {
                int ionk = -1;
                for (int q = 0; q < m->nion; ++q)
                    if (strcmp(m->ion[q]->name, t->ions[u].ion) == 0) ionk = q;
                rv_mech_list *il = &m->ml[m->ion[ionk]->mech].ml;
                for (int i = 0; i < nnode; ++i) ion_at[i] = -1;
                for (int i = 0; i < il->n; ++i) ion_at[il->node[i]] = i;
                for (int i = 0; i < ml->n; ++i) {
                    int ii = ml->node[i] >= 0 ? ion_at[ml->node[i]] : -1;
                    if (ii < 0) {
                        rv_free(ion_at);
                        st = RV_FAIL(err, RV_EUNSUPPORTED,
                                     "%s uses ion %s at a node without membrane (x = 0 or 1)",
                                     t->name, t->ions[u].ion);
                        goto fail;
                    }
                    for (int var = 0; var < RV_ION_NVAR; ++var)
                        ml->pdata[(size_t)RV_PDATA_ION(u, var) * ml->pad + i] =
                            (int)((il->data - b) + (long)var * il->pad + ii);
                    promote(&il->pdata[ii], t->ions[u].flags);
                }
            }
        }
        rv_free(ion_at);
    }
    if (total > (size_t)0x7fffffff) {
        st = RV_FAIL(err, RV_ERANGE, "model data exceeds 2^31 doubles on one process");
        goto fail;
    }
    /* spike sources */
    rv_free(m->thr_ps);
    m->n_thr_ps = 0;
    m->thr_ps = rv_malloc(sizeof(int) * (size_t)m->nps + 1);
    if (!m->thr_ps) {
        st = RV_FAIL(err, RV_ENOMEM, "out of memory");
        goto fail;
    }
    for (int i = 0; i < m->nps; ++i) {
        rv_presyn *p = &m->ps[i];
        if (p->kind == 0) {
            m->thr_ps[m->n_thr_ps++] = i;
            p->node = node_exact(&m->sec[p->sec], p->x, m->perm);
        } else {
            rv_ppd *pp = &m->pp[p->pp];
            m->ml[pp->mech].ml.presyn[pp->inst] = i;
        }
    }
    rv_free(order);
    /* the thread view handed to mechanism code */
    rv__api_init(m);
    m->th.block = b;
    m->th.v = m->v, m->th.rhs = m->rhs, m->th.d = m->d, m->th.area = m->area;
    m->th.diam = m->diam;
    m->th.sav_rhs = m->sav_rhs, m->th.sav_d = m->sav_d;
    m->th.n_node = nnode;
    m->th.api = &m->api;
    m->th.engine = m;
    st = rv__resolve_pointers(m, err);
    if (st) goto fail_late;
    /* NMODL CONSTRUCTORs: once per instance when the instances are laid
     * out.  NEURON runs them at creation, on the default values, before
     * the user sets any: the constructor sees the defaults, then every
     * value that differs from its default (set by the user) is put back */
    for (int k = 0; k < m->nmech; ++k) {
        rv_mech_list *ml = &m->ml[k].ml;
        const rv_mech_type *t = ml->type;
        if (!t || !t->constructor) continue;
        double *sav = rv_malloc(sizeof(double) * (size_t)t->n_vars + 1);
        if (!sav) {
            st = RV_FAIL(err, RV_ENOMEM, "out of memory");
            goto fail_late;
        }
        for (int i = 0; i < ml->n; ++i) {
            for (int v = 0; v < t->n_vars; ++v) {
                double *x = &ml->data[(size_t)v * ml->pad + i];
                sav[v] = *x;
                *x = t->vars[v].dflt;
            }
            t->constructor(&m->th, ml, i);
            for (int v = 0; v < t->n_vars; ++v) {
                double d = t->vars[v].dflt;
                if (sav[v] != d && !(sav[v] != sav[v] && d != d))
                    ml->data[(size_t)v * ml->pad + i] = sav[v];
            }
        }
        rv_free(sav);
    }
    m->constructed = true;
    return RV_OK;
fail_late:
    rv__free_lowered(m);
    return st;
fail:
    rv_free(order);
    rv__free_lowered(m);
    return st;
}

void *rv__ran123_new(rv_model *m, uint32_t id1, uint32_t id2, uint32_t id3) {
    if (m->nowned == m->cap_owned) {
        int cap = m->cap_owned ? 2 * m->cap_owned : 16;
        void **o = rv_realloc(m->owned, sizeof(void *) * (size_t)cap);
        if (!o) return NULL;
        m->owned = o, m->cap_owned = cap;
    }
    rv_ran123 *s = rv_calloc(1, sizeof *s);
    if (!s) return NULL;
    rv_ran123_init(s, id1, id2, id3);
    m->owned[m->nowned++] = s;
    return s;
}

void rv__ran123_delete(rv_model *m, void *s) {
    for (int i = 0; i < m->nowned; ++i)
        if (m->owned[i] == s) {
            rv_free(s);
            m->owned[i] = m->owned[--m->nowned];
            return;
        }
}

rv_status rv__resolve_pointers(rv_model *m, rv_error *err) {
    for (int p = 0; p < m->npp; ++p) {
        rv_ppd *pp = &m->pp[p];
        rv_mech_list *ml = &m->ml[pp->mech].ml;
        for (int k = 0; k < pp->nptr; ++k) {
            long off;
            rv_status st =
                rv__resolve_range(m, pp->ptr[k].sec, pp->ptr[k].x, pp->ptr[k].name, &off, err);
            if (st) return st;
            ml->pdata[(size_t)pp->ptr[k].slot * ml->pad + pp->inst] = (int)off;
        }
    }
    return RV_OK;
}

rv_status rv_model_setup(rv_model *m, rv_error *err) {
    if (m->lowered) return RV_OK;
    return rv__lower(m, err);
}
