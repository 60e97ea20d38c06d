/* SPDX-License-Identifier: MIT
 * engine/prcellstate.c -- rv_model_prcellstate: the state of one cell as
 * NEURON 8.2's ParallelContext.prcellstate(gid, suffix) writes it to
 * <gid>_<suffix>.nrndat (the format of neurodamus' --dump-cell-state).
 *
 * Layout (NEURON's): "gid = ", "t = ", "celsius = "; for a cell whose spike
 * source is a voltage: "<n> nodes  <k> is the threshold node" (k = the
 * threshold node's cell index - 1, as NEURON prints it), " threshold <thr>",
 * "inode parent area a b" and one line per node, "inode v" and one line per
 * node, then per mechanism type (NEURON's memb_order_: type order with the
 * ions and the concentration writers moved right after type 5) the header
 * "type=<id> <name> size=<n>" and " <node> <j> <value>" for each instance in
 * the cell (point processes that receive events first get "<node> nri <k>"),
 * then "netcons <n>", " pntindex srcgid active delay weights" and one line
 * per NetCon targeting such a point process (a source without a gid, made
 * by the driver or hoc, printed as its mechanism name, e.g. VecStim, as
 * NEURON does).  Numbers with %.15g.  An artificial-cell gid gets the three
 * header lines only, as in NEURON.
 *
 * Node numbering is NEURON's, computed from the description: the cell's root
 * node, then its sections breadth first (children in NEURON's sibling order:
 * increasing connection position, the later connected first among equal
 * ones), a section's nodes 0..nseg (the 1-end last).
 *
 * Values per instance follow nocmodl's data layout as far as ranvier's
 * mechanism ABI tells it: the user-visible variables in declaration order
 * (parameters, assigned, states), one derivative D<state> per state (printed
 * 0: ranvier keeps none; NEURON's fixed step with cnexp never writes them
 * either), ranvier's internal copies of ion variables (e<ion> <ion>i <ion>o,
 * then the currents i<ion>), then v (the node's v as NEURON's last kernel
 * stored it: the new v for a mechanism with a state kernel, else the v at
 * the start of the last step, v - rhs, v - 2 rhs with secondorder 2), _g and
 * _tsav when the mechanism has them.  Ion types print their five values,
 * capacitance prints cm and i_cap (0.001 cj cm rhs; 0 before the first step).
 *
 * Known differences from NEURON (tests/oracle/prcellstate_*.py compare every
 * value by name: identical at t=0, within 3e-14 at tstop):
 *   - type ids: NEURON's for its built-ins (capacitance 3, pas 4, IClamp 7,
 *     ExpSyn 9, Exp2Syn 10, na_ion 15, k_ion 16, hh 17, ...); other
 *     mechanisms get 24, 25, ... in ranvier's registration order, while
 *     NEURON numbers them in nrnivmodl's load order of all its .mod files.
 *   - positions within a block of an NMODL mechanism: nocmodl stores ASSIGNED
 *     variables that are not RANGE (and declared ion variables) after the
 *     states, interleaved with the derivative states in declaration order;
 *     the ABI does not record RANGE, so ranvier prints them with the ranges.
 *     Sizes and values are the same.
 *   - hh: ranvier's minf hinf ninf mtau htau ntau are RANGE (NEURON's hh.mod
 *     has them GLOBAL): size 25 instead of 19.
 *   - NetCons with a nil source (NEURON: srcgid -3) do not exist in ranvier.
 *   - "t = " of rv_model_prcellstate is the model's accumulated t; the
 *     driver's dumps (rv_model_prcellstate_gids) print t_label instead, as
 *     neurodamus overwrites h.t with tstop before its final dump.
 */
#include "engine_int.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PREC 15

static const struct {
    const char *name;
    int id;
} builtin_ids[] = {
    {"capacitance", 3}, {"pas", 4},          {"extracellular", 5}, {"fastpas", 6},
    {"IClamp", 7},      {"AlphaSynapse", 8}, {"ExpSyn", 9},        {"Exp2Syn", 10},
    {"SEClamp", 11},    {"VClamp", 12},      {"OClamp", 13},       {"APCount", 14},
    {"na_ion", 15},     {"k_ion", 16},       {"hh", 17},           {"NetStim", 18},
    {"IntFire1", 19},   {"IntFire2", 20},    {"IntFire4", 21},     {"PointProcessMark", 22},
    {"PatternStim", 23}};
#define FIRST_USER_ID 24

static int builtin_id(const char *name) {
    for (size_t i = 0; i < sizeof builtin_ids / sizeof *builtin_ids; ++i)
        if (strcmp(builtin_ids[i].name, name) == 0) return builtin_ids[i].id;
    return -1;
}

/* the type id of every model mechanism (NEURON's numbering) */
static void type_ids(const rv_model *m, int *id) {
    int next = FIRST_USER_ID;
    for (int k = 0; k < m->nmech; ++k) {
        int b = builtin_id(m->mech[k]->name);
        id[k] = b >= 0 ? b : next++;
    }
}

/* NEURON's sibling order: increasing position on the parent (measured from
 * the parent's 0-end as NEURON's arc), the later connected first among equal
 * positions. */
typedef struct {
    double x;
    int seq, sec;
} child_key;

static int cmp_child(const void *pa, const void *pb) {
    const child_key *a = pa, *b = pb;
    if (a->x != b->x) return a->x < b->x ? -1 : 1;
    return a->seq > b->seq ? -1 : a->seq < b->seq;
}

static double child_pos(const rv_model *m, const rv_secd *c) {
    double x = c->parent_x;
    if (m->sec[c->parent].orient) x = 1. - x;
    return x;
}

/* the cell's nodes in NEURON's order (storage indices); returns the count */
static int cell_nodes(const rv_model *m, int root_sec, int *out, int *secq, child_key *keys) {
    int n = 0, qn = 0;
    out[n++] = m->sec[root_sec].parent_node;
    secq[qn++] = root_sec;
    for (int qi = 0; qi < qn; ++qi) {
        const rv_secd *s = &m->sec[secq[qi]];
        for (int j = 0; j <= s->nseg; ++j) out[n++] = rv__sec_node(m, s, j);
        int nk = 0;
        for (int c = 0; c < s->nchild; ++c) {
            const rv_secd *cs = &m->sec[s->children[c]];
            if (cs->deleted) continue;
            keys[nk].x = child_pos(m, cs);
            keys[nk].seq = c;
            keys[nk].sec = s->children[c];
            nk++;
        }
        qsort(keys, (size_t)nk, sizeof *keys, cmp_child);
        for (int c = 0; c < nk; ++c) secq[qn++] = keys[c].sec;
    }
    return n;
}

static int var_index(const rv_mech_type *t, const char *name) {
    for (int i = 0; i < t->n_vars; ++i)
        if (strcmp(t->vars[i].name, name) == 0) return i;
    return -1;
}

/* ranvier's internal copy of an ion variable of t ("ena", "cai", "ina"):
 * group 1 the reads (e<ion>, <ion>i, <ion>o), group 2 the currents */
static int ion_copy_group(const rv_mech_type *t, const rv_mech_var *v) {
    if (v->role != RV_VAR_INTERNAL) return 0;
    char buf[80];
    for (int u = 0; u < t->n_ions; ++u) {
        const char *ion = t->ions[u].ion;
        snprintf(buf, sizeof buf, "i%s", ion);
        if (strcmp(v->name, buf) == 0) return 2;
        snprintf(buf, sizeof buf, "e%s", ion);
        if (strcmp(v->name, buf) == 0) return 1;
        snprintf(buf, sizeof buf, "%si", ion);
        if (strcmp(v->name, buf) == 0) return 1;
        snprintf(buf, sizeof buf, "%so", ion);
        if (strcmp(v->name, buf) == 0) return 1;
    }
    return 0;
}

/* NEURON's param layout of a type (see the header comment): order[j] is a
 * variable index, -1 for a derivative state (0), -2 for the node's v */
static int layout(const rv_mech_type *t, int *order) {
    int n = 0;
    if (t->kind == RV_MECH_ION) {
        for (int i = 0; i < t->n_vars; ++i) order[n++] = i;
        return n;
    }
    for (int i = 0; i < t->n_vars; ++i)
        if (t->vars[i].role != RV_VAR_INTERNAL) order[n++] = i;
    for (int i = 0; i < t->n_vars; ++i)
        if (t->vars[i].role == RV_VAR_STATE) order[n++] = -1; /* D<state> */
    for (int g = 1; g <= 2; ++g)
        for (int i = 0; i < t->n_vars; ++i)
            if (ion_copy_group(t, &t->vars[i]) == g) order[n++] = i;
    order[n++] = -2; /* v */
    int g = var_index(t, "_g"), ts = var_index(t, "_tsav");
    if (g >= 0) order[n++] = g;
    if (ts >= 0) order[n++] = ts;
    return n;
}

/* the v NEURON keeps in an instance: the node's v as the last kernel saw it
 * -- after a step, the new v for mechanisms with a state kernel (nrn_state
 * stores it), the v at the start of the step for the others (nrn_cur) */
static double mech_v(const rv_model *m, const rv_mech_type *t, int node) {
    if (t->state || m->step_count == 0) return m->v[node];
    return m->v[node] - (m->secondorder == 2 ? 2. : 1.) * m->rhs[node];
}

typedef struct {
    int cnode, inst;
} inst_key;

static int cmp_inst(const void *pa, const void *pb) {
    const inst_key *a = pa, *b = pb;
    if (a->cnode != b->cnode) return a->cnode < b->cnode ? -1 : 1;
    return a->inst < b->inst ? -1 : a->inst > b->inst;
}

static void pr_netcon_src(const rv_model *m, FILE *f, const rv_netcon *nc) {
    const int64_t private_base = (int64_t)1 << 40; /* driver / hoc private sources */
    if (nc->src_gid < private_base) {
        fprintf(f, "%lld", (long long)nc->src_gid);
        return;
    }
    rv_gidmap_entry *e = rv__gid_get((rv_model *)m, nc->src_gid, false);
    if (e && e->presyn >= 0) {
        const rv_presyn *ps = &m->ps[e->presyn];
        if (ps->kind == 1 && ps->pp >= 0) {
            fprintf(f, "%s", m->mech[m->pp[ps->pp].mech]->name);
            return;
        }
        fprintf(f, "v");
        return;
    }
    fprintf(f, "%lld", (long long)nc->src_gid);
}

static rv_status write_cell(rv_model *m, const rv_presyn *ps, FILE *f, rv_error *err) {
    int nn = m->n_node;
    int *order = rv_malloc(sizeof(int) * (size_t)nn + 1);
    int *cidx = rv_malloc(sizeof(int) * (size_t)nn + 1);
    int *secq = rv_malloc(sizeof(int) * (size_t)m->nsec + 1);
    child_key *keys = rv_malloc(sizeof(child_key) * (size_t)m->nsec + 1);
    int *ppof = NULL, *pntidx = NULL;
    inst_key *ik = NULL;
    rv_status st = RV_OK;
    if (!order || !cidx || !secq || !keys) {
        st = RV_FAIL(err, RV_ENOMEM, "out of memory");
        goto done;
    }
    int root = ps->sec;
    while (m->sec[root].parent >= 0) root = m->sec[root].parent;
    int n = cell_nodes(m, root, order, secq, keys);
    for (int i = 0; i < nn; ++i) cidx[i] = -1;
    for (int i = 0; i < n; ++i) cidx[order[i]] = i;
    fprintf(f, "%d nodes  %d is the threshold node\n", n, cidx[ps->node] - 1);
    fprintf(f, " threshold %.*g\n", PREC, ps->threshold);
    fprintf(f, "inode parent area a b\n");
    for (int i = 0; i < n; ++i) {
        int s = order[i];
        int p = m->parent[s] < 0 ? -1 : cidx[m->parent[s]];
        double a = p < 0 ? 0. : m->a[s], b = p < 0 ? 0. : m->b[s];
        fprintf(f, "%d %d %.*g %.*g %.*g\n", i, p, PREC, m->area[s], PREC, a, PREC, b);
    }
    fprintf(f, "inode v\n");
    for (int i = 0; i < n; ++i) fprintf(f, "%d %.*g\n", i, PREC, m->v[order[i]]);

    /* capacitance: every segment centre (not the root, not the 1-ends) */
    {
        double cfac = .001 * m->th.cj;
        int printed = 0;
        for (int i = 0; i < n; ++i) {
            int s = order[i];
            int sec = m->node_sec[s];
            if (sec < 0 || m->parent[s] < 0) continue;
            const rv_secd *sd = &m->sec[sec];
            if (s == rv__sec_node(m, sd, sd->nseg)) continue; /* the 1-end */
            if (!printed) fprintf(f, "type=3 capacitance size=2\n"), printed = 1;
            fprintf(f, " %d 0 %.*g\n", i, PREC, m->cm[s]);
            double icap = m->step_count > 0 ? cfac * m->cm[s] * m->rhs[s] : 0.;
            fprintf(f, " %d 1 %.*g\n", i, PREC, icap);
        }
    }

    int ids[RV_MAX_MECH], byid[RV_MAX_MECH], nm = m->nmech;
    type_ids(m, ids);
    for (int k = 0; k < nm; ++k) byid[k] = k;
    for (int a = 1; a < nm; ++a) /* insertion sort by type id */
        for (int b = a; b > 0 && ids[byid[b]] < ids[byid[b - 1]]; --b) {
            int t = byid[b];
            byid[b] = byid[b - 1], byid[b - 1] = t;
        }
    /* NEURON's memb_order_: registered in type order, every ion and every
     * mechanism writing a concentration moves to the place after the ions
     * so far (which starts after extracellular, type 5) */
    {
        int lastion = 0;
        while (lastion < nm && ids[byid[lastion]] <= 5) lastion++;
        for (int a = 0; a < nm; ++a) {
            int k = byid[a];
            const rv_mech_type *t = m->mech[k];
            int ion = t->kind == RV_MECH_ION;
            if (!ion && !(t->flags & RV_MECHF_WRITES_CONC)) continue;
            if (a < lastion) continue;
            for (int b = a; b > lastion; --b) byid[b] = byid[b - 1];
            byid[lastion] = k;
            if (ion) lastion++;
        }
    }
    ppof = rv_malloc(sizeof(int) * (size_t)m->npp + 1);   /* pntindex of each pp, -1 */
    pntidx = rv_malloc(sizeof(int) * (size_t)m->npp + 1); /* pp of each pntindex */
    int maxn = 0;
    for (int k = 0; k < nm; ++k)
        if (m->ml[k].ml.n > maxn) maxn = m->ml[k].ml.n;
    ik = rv_malloc(sizeof(inst_key) * (size_t)maxn + 1);
    int *pp_of_inst = rv_malloc(sizeof(int) * (size_t)maxn + 1);
    if (!ppof || !pntidx || !ik || !pp_of_inst) {
        rv_free(pp_of_inst);
        st = RV_FAIL(err, RV_ENOMEM, "out of memory");
        goto done;
    }
    for (int p = 0; p < m->npp; ++p) ppof[p] = -1;
    int npnt = 0;
    for (int q = 0; q < nm; ++q) {
        int k = byid[q];
        const rv_mech_list *ml = &m->ml[k].ml;
        const rv_mech_type *t = ml->type;
        if (!t || t->kind == RV_MECH_ARTIFICIAL || ml->n == 0) continue;
        int cnt = 0;
        for (int i = 0; i < ml->n; ++i)
            if (ml->node[i] >= 0 && cidx[ml->node[i]] >= 0)
                ik[cnt].cnode = cidx[ml->node[i]], ik[cnt].inst = i, cnt++;
        if (!cnt) continue;
        qsort(ik, (size_t)cnt, sizeof *ik, cmp_inst);
        int receives = t->kind == RV_MECH_POINT && t->net_receive;
        if (receives) {
            for (int i = 0; i < ml->n; ++i) pp_of_inst[i] = -1;
            for (int p = 0; p < m->npp; ++p)
                if (m->pp[p].mech == k && m->pp[p].inst >= 0 && m->pp[p].inst < ml->n)
                    pp_of_inst[m->pp[p].inst] = p;
        }
        int lay[512];
        if (t->n_vars + 8 > (int)(sizeof lay / sizeof *lay) / 2) {
            rv_free(pp_of_inst);
            st = RV_FAIL(err, RV_EUNSUPPORTED, "mechanism %s has too many variables", t->name);
            goto done;
        }
        int size = layout(t, lay);
        fprintf(f, "type=%d %s size=%d\n", ids[k], t->name, size);
        for (int c = 0; c < cnt; ++c) {
            int i = ik[c].inst, cn = ik[c].cnode;
            if (receives) {
                fprintf(f, "%d nri %d\n", cn, npnt);
                int p = pp_of_inst[i];
                if (p >= 0) ppof[p] = npnt;
                pntidx[npnt++] = p;
            }
            for (int j = 0; j < size; ++j) {
                double val = lay[j] >= 0    ? ml->data[lay[j] * ml->pad + i]
                             : lay[j] == -2 ? mech_v(m, t, ml->node[i])
                                            : 0.;
                fprintf(f, " %d %d %.*g\n", cn, j, PREC, val);
            }
        }
    }
    rv_free(pp_of_inst);
    if (npnt) {
        int nc_cnt = 0;
        for (int c = 0; c < m->nnc; ++c)
            if (m->nc[c].target >= 0 && m->nc[c].target < m->npp && ppof[m->nc[c].target] >= 0)
                nc_cnt++;
        fprintf(f, "netcons %d\n", nc_cnt);
        fprintf(f, " pntindex srcgid active delay weights\n");
        for (int k = 0; k < npnt; ++k)
            for (int c = 0; c < m->nnc; ++c) {
                const rv_netcon *nc = &m->nc[c];
                if (nc->target != pntidx[k] || pntidx[k] < 0) continue;
                fprintf(f, "%d ", k);
                pr_netcon_src(m, f, nc);
                fprintf(f, " %d %.*g", nc->active ? 1 : 0, PREC, nc->delay);
                for (int w = 0; w < nc->nw; ++w) fprintf(f, " %.*g", PREC, nc->w[w]);
                fprintf(f, "\n");
            }
    }
done:
    rv_free(order), rv_free(cidx), rv_free(secq), rv_free(keys);
    rv_free(ppof), rv_free(pntidx), rv_free(ik);
    return st;
}

/* Python's repr(float): the shortest digits that read back exactly, fixed
 * notation with ".0" for integral values, exponent below 1e-4 or from 1e16 */
void rv_format_py_float(double x, char *buf, size_t n) {
    char tmp[64];
    int p = 1;
    for (; p < 17; ++p) {
        snprintf(tmp, sizeof tmp, "%.*e", p - 1, x);
        if (strtod(tmp, NULL) == x) break;
    }
    snprintf(tmp, sizeof tmp, "%.*e", p - 1, x); /* d.ddde[+-]XX */
    if (x != x || x == HUGE_VAL || x == -HUGE_VAL) {
        snprintf(buf, n, "%s", x != x ? "nan" : x > 0 ? "inf" : "-inf");
        return;
    }
    char *e = strchr(tmp, 'e');
    int ex = atoi(e + 1);
    *e = '\0';
    char digits[32];
    int nd = 0, neg = tmp[0] == '-';
    for (char *c = tmp + neg; *c; ++c)
        if (*c != '.') digits[nd++] = *c;
    while (nd > 1 && digits[nd - 1] == '0') nd--;
    digits[nd] = '\0';
    if (x == 0) ex = 0;
    if (ex < -4 || ex >= 16) {
        if (nd > 1)
            snprintf(buf, n, "%s%c.%se%c%02d", neg ? "-" : "", digits[0], digits + 1,
                     ex < 0 ? '-' : '+', ex < 0 ? -ex : ex);
        else
            snprintf(buf, n, "%s%ce%c%02d", neg ? "-" : "", digits[0], ex < 0 ? '-' : '+',
                     ex < 0 ? -ex : ex);
        return;
    }
    char out[64];
    int k = 0;
    if (neg) out[k++] = '-';
    if (ex < 0) {
        out[k++] = '0', out[k++] = '.';
        for (int i = 0; i < -ex - 1; ++i) out[k++] = '0';
        for (int i = 0; i < nd; ++i) out[k++] = digits[i];
    } else {
        for (int i = 0; i <= ex; ++i) out[k++] = i < nd ? digits[i] : '0';
        out[k++] = '.';
        if (nd > ex + 1)
            for (int i = ex + 1; i < nd; ++i) out[k++] = digits[i];
        else
            out[k++] = '0';
    }
    out[k] = '\0';
    snprintf(buf, n, "%s", out);
}

static rv_status prcellstate(rv_model *m, int64_t gid, const char *suffix, const char *dir,
                             double t, rv_error *err) {
    if (!m || !suffix) return RV_FAIL(err, RV_EINVAL, "prcellstate: no model or suffix");
    if (!m->lowered) {
        rv_status st = rv_model_setup(m, err);
        if (st) return st;
    }
    rv_gidmap_entry *e = rv__gid_get(m, gid, false);
    if (!e || e->presyn < 0) return RV_OK; /* not a cell of this process */
    const rv_presyn *ps = &m->ps[e->presyn];
    char path[4096];
    int len = dir && *dir
                  ? snprintf(path, sizeof path, "%s/%lld_%s.nrndat", dir, (long long)gid, suffix)
                  : snprintf(path, sizeof path, "%lld_%s.nrndat", (long long)gid, suffix);
    if (len < 0 || (size_t)len >= sizeof path)
        return RV_FAIL(err, RV_ERANGE, "prcellstate: path too long");
    FILE *f = fopen(path, "w");
    if (!f) {
        RV_FAIL(err, RV_EIO, "cannot write: %s", strerror(errno));
        rv_error_where(err, path, 0, NULL);
        return RV_EIO;
    }
    fprintf(f, "gid = %lld\n", (long long)gid);
    fprintf(f, "t = %.*g\n", PREC, t);
    fprintf(f, "celsius = %.*g\n", PREC, m->celsius);
    rv_status st = RV_OK;
    if (ps->kind == 0 && ps->node >= 0 && ps->sec >= 0) st = write_cell(m, ps, f, err);
    if (fclose(f) != 0 && !st) {
        RV_FAIL(err, RV_EIO, "cannot write: %s", strerror(errno));
        rv_error_where(err, path, 0, NULL);
        st = RV_EIO;
    }
    return st;
}

rv_status rv_model_prcellstate(rv_model *m, int64_t gid, const char *suffix, const char *dir,
                               rv_error *err) {
    return prcellstate(m, gid, suffix, dir, m ? m->t : 0., err);
}

rv_status rv_model_prcellstate_gids(rv_model *m, const int64_t *gids, size_t n, double t_label,
                                    const char *dir, rv_error *err) {
    if (!m) return RV_FAIL(err, RV_EINVAL, "prcellstate: no model");
    char num[64], suffix[96];
    rv_format_py_float(t_label, num, sizeof num);
    snprintf(suffix, sizeof suffix, "py_Neuron_t%s", num);
    for (size_t i = 0; i < n; ++i) {
        rv_status st = prcellstate(m, gids[i], suffix, dir, t_label, err);
        if (st) return st;
    }
    return RV_OK;
}
