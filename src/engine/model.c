/* SPDX-License-Identifier: MIT
 * engine/model.c -- the model description: mechanisms, sections, point
 * processes, spike sources and NetCons, and name resolution of range
 * variables.
 *
 * Before lowering, values live in the description (per-section arrays,
 * per-point-process parameter vectors).  After lowering (rv_model_setup) the
 * same names resolve to offsets in the SoA block, so reads and writes go to
 * the live simulation data.  Structural changes after lowering are refused
 * with RV_ESTATE: a model is built, then run.
 */
#include "engine_int.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define DEF_L    100.
#define DEF_diam 500.
#define DEF_Ra   35.4
#define DEF_cm   1.

static rv_status mech_add(rv_model *m, const rv_mech_type *t, rv_error *err) {
    if (!t || t->abi_version != RV_MECH_ABI_VERSION)
        return RV_FAIL(err, RV_EINVAL, "mechanism %s: ABI version %d, engine expects %d",
                       t ? t->name : "(null)", t ? t->abi_version : -1, RV_MECH_ABI_VERSION);
    if (rv__mech_find(m, t->name) >= 0)
        return RV_FAIL(err, RV_EINVAL, "mechanism %s is already registered", t->name);
    /* ions first, so their index precedes the mechanism's (NEURON's order) */
    for (int u = 0; u < t->n_ions; ++u) {
        int k;
        rv_status st = rv__ion_get(m, t->ions[u].ion, t->ions[u].valence, &k, err);
        if (st) return st;
    }
    if (m->nmech >= RV_MAX_MECH)
        return RV_FAIL(err, RV_ERANGE, "too many mechanisms (limit %d)", RV_MAX_MECH);
    m->ion_of_mech[m->nmech] = -1;
    m->mech[m->nmech++] = t;
    return RV_OK;
}

rv_status rv_model_add_mech(rv_model *m, const rv_mech_type *type, rv_error *err) {
    if (m->lowered) return RV_FAIL(err, RV_ESTATE, "cannot add mechanisms after setup");
    return mech_add(m, type, err);
}

rv_status rv_model_replace_mech(rv_model *m, const rv_mech_type *t, rv_error *err) {
    if (m->lowered) return RV_FAIL(err, RV_ESTATE, "cannot replace mechanisms after setup");
    if (!t || t->abi_version != RV_MECH_ABI_VERSION)
        return RV_FAIL(err, RV_EINVAL, "mechanism %s: ABI version %d, engine expects %d",
                       t ? t->name : "(null)", t ? t->abi_version : -1, RV_MECH_ABI_VERSION);
    int k = rv__mech_find(m, t->name);
    if (k < 0) return RV_FAIL(err, RV_ENOENT, "no mechanism %s to replace", t->name);
    if (m->ion_of_mech[k] >= 0) return RV_FAIL(err, RV_EINVAL, "cannot replace ion %s", t->name);
    for (int s = 0; s < m->nsec; ++s)
        for (int q = 0; q < m->sec[s].nmech; ++q)
            if (m->sec[s].mech[q] == k)
                return RV_FAIL(err, RV_ESTATE, "mechanism %s is already inserted", t->name);
    for (int p = 0; p < m->npp; ++p)
        if (m->pp[p].mech == k)
            return RV_FAIL(err, RV_ESTATE, "mechanism %s already has instances", t->name);
    for (int u = 0; u < t->n_ions; ++u) {
        int ok = 0;
        for (int q = 0; q < m->nion; ++q)
            if (strcmp(m->ion[q]->name, t->ions[u].ion) == 0 && m->ion[q]->mech < k) ok = 1;
        if (!ok)
            return RV_FAIL(err, RV_EINVAL, "replacement %s uses ion %s not registered before it",
                           t->name, t->ions[u].ion);
        int ion;
        rv_status st = rv__ion_get(m, t->ions[u].ion, t->ions[u].valence, &ion, err);
        if (st) return st;
    }
    m->mech[k] = t;
    return RV_OK;
}

rv_status rv_model_create(rv_model **out, rv_error *err) {
    rv_model *m = rv_calloc(1, sizeof *m);
    if (!m) return RV_FAIL(err, RV_ENOMEM, "out of memory");
    m->dt = 0.025;
    m->celsius = 6.3;
    m->secondorder = 0;
    m->scop_value = 1;
    /* NEURON's built-in type order: pas, IClamp, ExpSyn, Exp2Syn, na_ion,
     * k_ion, hh, NetStim, IntFire1 (currents are summed in this order). */
#ifdef RV_COMPILED_BUILTINS
    /* mechanisms/{pas,IClamp,...}.mod translated by our NMODL compiler at
     * build time (src/nmodl/CMakeLists.txt) */
    extern const rv_mech_type rv_nmodl_mech_builtin_pas, rv_nmodl_mech_builtin_IClamp,
        rv_nmodl_mech_builtin_ExpSyn, rv_nmodl_mech_builtin_Exp2Syn, rv_nmodl_mech_builtin_hh,
        rv_nmodl_mech_builtin_NetStim, rv_nmodl_mech_builtin_IntFire1;
    const rv_mech_type *first[] = {&rv_nmodl_mech_builtin_pas, &rv_nmodl_mech_builtin_IClamp,
                                   &rv_nmodl_mech_builtin_ExpSyn, &rv_nmodl_mech_builtin_Exp2Syn};
    const rv_mech_type *rest[] = {&rv_nmodl_mech_builtin_hh, &rv_nmodl_mech_builtin_NetStim,
                                  &rv_nmodl_mech_builtin_IntFire1};
#else
    const rv_mech_type *first[] = {&rv_mech_pas, &rv_mech_IClamp, &rv_mech_ExpSyn,
                                   &rv_mech_Exp2Syn};
    const rv_mech_type *rest[] = {&rv_mech_hh, &rv_mech_NetStim, &rv_mech_IntFire1};
#endif
    rv_status st = RV_OK;
    for (size_t k = 0; k < sizeof first / sizeof *first && !st; ++k)
        st = mech_add(m, first[k], err);
    int ion;
    if (!st) st = rv__ion_get(m, "na", 1, &ion, err);
    if (!st) st = rv__ion_get(m, "k", 1, &ion, err);
    for (size_t k = 0; k < sizeof rest / sizeof *rest && !st; ++k) st = mech_add(m, rest[k], err);
    if (st) {
        rv_model_destroy(m);
        return st;
    }
    *out = m;
    return RV_OK;
}

void rv_model_destroy(rv_model *m) {
    if (!m) return;
    rv__free_lowered(m);
    for (int i = 0; i < m->nsec; ++i) {
        rv_secd *s = &m->sec[i];
        rv_free(s->name);
        rv_free(s->diam);
        rv_free(s->cm);
        rv_free(s->pt);
        for (int k = 0; k < s->nmech; ++k) rv_free(s->mparam[k]);
        rv_free(s->mparam);
        rv_free(s->mech);
        rv_free(s->inst0);
        rv_free(s->children);
    }
    rv_free(m->sec);
    for (int i = 0; i < m->npp; ++i) {
        rv_free(m->pp[i].param);
        for (int k = 0; k < m->pp[i].nptr; ++k) rv_free(m->pp[i].ptr[k].name);
        rv_free(m->pp[i].ptr);
    }
    rv_free(m->pp);
    for (int i = 0; i < m->nnc; ++i) rv_free(m->nc[i].w);
    rv_free(m->nc);
    rv_free(m->ps);
    rv_free(m->thr_ps);
    for (size_t i = 0; i < m->gm_cap; ++i) rv_free(m->gm[i].nc);
    rv_free(m->gm);
    for (int i = 0; i < m->nrec; ++i) rv_free(m->rec[i].val);
    rv_free(m->rec);
    rv__play_free(m);
    rv__transfer_free(m);
    rv_free(m->out);
    rv_free(m->spikes);
    rv_free(m->recvbuf);
    for (int k = 0; k < m->nion; ++k) {
        rv_free((char *)m->ion[k]->type.name);
        rv_free(m->ion[k]);
    }
    rv__queue_clear(&m->q);
    rv_free(m->q.h);
    rv_free(m);
}

rv_status rv_model_set_comm(rv_model *m, const rv_comm *comm, rv_error *err) {
    if (m->lowered) return RV_FAIL(err, RV_ESTATE, "set the communicator before setup");
    if (comm) {
        if (comm->size < 1 || comm->rank < 0 || comm->rank >= comm->size || !comm->allgather_int ||
            !comm->allgatherv_bytes || !comm->allreduce_min || !comm->allreduce_max)
            return RV_FAIL(err, RV_EINVAL, "incomplete communicator (rank %d of %d)", comm->rank,
                           comm->size);
        m->comm = *comm;
        m->have_comm = true;
    } else {
        m->have_comm = false;
    }
    return RV_OK;
}

rv_status rv_model_set_dt(rv_model *m, double dt, rv_error *err) {
    if (!(dt > 0) || !isfinite(dt)) return RV_FAIL(err, RV_ERANGE, "dt = %g must be > 0", dt);
    m->dt = dt;
    return RV_OK;
}
rv_status rv_model_set_celsius(rv_model *m, double celsius, rv_error *err) {
    if (!isfinite(celsius) || celsius < -273.15)
        return RV_FAIL(err, RV_ERANGE, "celsius = %g below absolute zero", celsius);
    m->celsius = celsius;
    return RV_OK;
}
rv_status rv_model_set_secondorder(rv_model *m, int so, rv_error *err) {
    if (so != 0 && so != 2)
        return RV_FAIL(err, RV_ERANGE, "secondorder = %d: 0 or 2 are supported", so);
    m->secondorder = so;
    return RV_OK;
}
rv_status rv_model_set_fast_imem(rv_model *m, int on, rv_error *err) {
    if (m->lowered && (bool)on != m->fast_imem)
        return RV_FAIL(err, RV_ESTATE, "set fast_imem before setup");
    m->fast_imem = on != 0;
    return RV_OK;
}
rv_status rv_model_set_event_order(rv_model *m, rv_event_order order, rv_error *err) {
    if (order != RV_EVENT_ORDER_AUTO && order != RV_EVENT_ORDER_NEURON &&
        order != RV_EVENT_ORDER_GID)
        return RV_FAIL(err, RV_ERANGE, "event order %d: AUTO, NEURON or GID", (int)order);
    m->event_order = order;
    return RV_OK;
}

double rv_model_t(const rv_model *m) {
    return m->t;
}
double rv_model_dt(const rv_model *m) {
    return m->dt;
}

int rv__mech_find(const rv_model *m, const char *name) {
    for (int i = 0; i < m->nmech; ++i)
        if (strcmp(m->mech[i]->name, name) == 0) return i;
    return -1;
}

const rv_mech_type *rv_model_mech_type(const rv_model *m, const char *name) {
    int k = m && name ? rv__mech_find(m, name) : -1;
    return k < 0 ? NULL : m->mech[k];
}

static int var_find(const rv_mech_type *t, const char *name) {
    for (int v = 0; v < t->n_vars; ++v)
        if (t->vars[v].role != RV_VAR_INTERNAL && strcmp(t->vars[v].name, name) == 0) return v;
    return -1;
}

rv_status rv_model_set_global(rv_model *m, const char *name, double value, rv_error *err) {
    for (int i = 0; i < m->nmech; ++i) {
        const rv_mech_type *t = m->mech[i];
        size_t ln = strlen(t->name), nn = strlen(name);
        for (int g = 0; g < t->n_globals; ++g) {
            size_t gl = strlen(t->global_names[g]);
            if (nn == gl + 1 + ln && strncmp(name, t->global_names[g], gl) == 0 &&
                name[gl] == '_' && strcmp(name + gl + 1, t->name) == 0) {
                rv_status st = rv_model_setup(m, err);
                if (st) return st;
                m->ml[i].ml.global[g] = value;
                return RV_OK;
            }
        }
    }
    return RV_FAIL(err, RV_ENOENT, "unknown global variable '%s'", name);
}

/* ---- sections ---------------------------------------------------------- */
static rv_status check_sec(rv_model *m, int sec, rv_error *err) {
    if (sec < 0 || sec >= m->nsec)
        return RV_FAIL(err, RV_EINVAL, "no section with id %d (have %d)", sec, m->nsec);
    if (m->sec[sec].deleted)
        return RV_FAIL(err, RV_ESTATE, "section %s was deleted", m->sec[sec].name);
    return RV_OK;
}

static rv_status check_structure(rv_model *m, rv_error *err) {
    if (m->lowered)
        return RV_FAIL(err, RV_ESTATE, "the model structure is frozen after setup/finitialize");
    return RV_OK;
}

rv_status rv_section_create(rv_model *m, const char *name, int nseg, int *out, rv_error *err) {
    rv_status st = check_structure(m, err);
    if (st) return st;
    if (nseg < 1 || nseg > 32767)
        return RV_FAIL(err, RV_ERANGE, "section %s: nseg = %d must be in 1..32767",
                       name ? name : "?", nseg);
    size_t cap = (size_t)m->cap_sec;
    if (rv_grow((void **)&m->sec, &cap, (size_t)m->nsec + 1, sizeof *m->sec))
        return RV_FAIL(err, RV_ENOMEM, "out of memory");
    m->cap_sec = (int)cap;
    rv_secd *s = &m->sec[m->nsec];
    memset(s, 0, sizeof *s);
    char buf[32];
    if (!name) {
        snprintf(buf, sizeof buf, "section[%d]", m->nsec);
        name = buf;
    }
    s->name = rv_strdup(name);
    s->diam = rv_malloc(sizeof(double) * (size_t)nseg);
    s->cm = rv_malloc(sizeof(double) * (size_t)nseg);
    if (!s->name || !s->diam || !s->cm) {
        rv_free(s->name), rv_free(s->diam), rv_free(s->cm);
        return RV_FAIL(err, RV_ENOMEM, "out of memory");
    }
    s->nseg = nseg;
    s->L = DEF_L;
    s->Ra = DEF_Ra;
    for (int j = 0; j < nseg; ++j) s->diam[j] = DEF_diam, s->cm[j] = DEF_cm;
    s->parent = -1;
    *out = m->nsec++;
    return RV_OK;
}

int rv_model_section_count(const rv_model *m) {
    return m->nsec;
}
const char *rv_section_name(const rv_model *m, int sec) {
    return (sec >= 0 && sec < m->nsec) ? m->sec[sec].name : NULL;
}
int rv_section_nseg(const rv_model *m, int sec) {
    return (sec >= 0 && sec < m->nsec) ? m->sec[sec].nseg : -1;
}

/* NEURON: changing nseg keeps values by segment position (nrn_change_nseg
 * re-samples at the new centres). */
static double *resample(const double *old, int nold, int nnew) {
    double *a = rv_malloc(sizeof(double) * (size_t)nnew);
    if (!a) return NULL;
    for (int j = 0; j < nnew; ++j) {
        double x = (j + 0.5) / nnew;
        int k = (int)(x * nold);
        if (k >= nold) k = nold - 1;
        a[j] = old[k];
    }
    return a;
}

rv_status rv_section_set_nseg(rv_model *m, int sec, int nseg, rv_error *err) {
    rv_status st = check_structure(m, err);
    if (!st) st = check_sec(m, sec, err);
    if (st) return st;
    rv_secd *s = &m->sec[sec];
    if (nseg < 1 || nseg > 32767)
        return RV_FAIL(err, RV_ERANGE, "section %s: nseg = %d must be in 1..32767", s->name, nseg);
    if (nseg == s->nseg) return RV_OK;
    double *d = resample(s->diam, s->nseg, nseg), *c = resample(s->cm, s->nseg, nseg);
    double **mp = rv_calloc((size_t)s->nmech + 1, sizeof(double *));
    bool ok = d && c && mp;
    for (int k = 0; ok && k < s->nmech; ++k) {
        const rv_mech_type *t = m->mech[s->mech[k]];
        mp[k] = rv_malloc(sizeof(double) * (size_t)(t->n_vars * nseg) + 1);
        if (!mp[k]) {
            ok = false;
            break;
        }
        for (int v = 0; v < t->n_vars; ++v) {
            double *r = resample(s->mparam[k] + (size_t)v * s->nseg, s->nseg, nseg);
            if (!r) {
                ok = false;
                break;
            }
            memcpy(mp[k] + (size_t)v * nseg, r, sizeof(double) * (size_t)nseg);
            rv_free(r);
        }
    }
    if (!ok) {
        rv_free(d), rv_free(c);
        if (mp)
            for (int k = 0; k < s->nmech; ++k) rv_free(mp[k]);
        rv_free(mp);
        return RV_FAIL(err, RV_ENOMEM, "out of memory");
    }
    for (int k = 0; k < s->nmech; ++k) {
        rv_free(s->mparam[k]);
        s->mparam[k] = mp[k];
    }
    rv_free(mp);
    rv_free(s->diam), rv_free(s->cm);
    s->diam = d, s->cm = c, s->nseg = nseg;
    return RV_OK;
}

rv_status rv_section_set_L(rv_model *m, int sec, double L, rv_error *err) {
    rv_status st = check_sec(m, sec, err);
    if (st) return st;
    if (!(L > 0) || !isfinite(L))
        return RV_FAIL(err, RV_ERANGE, "section %s: L = %g must be > 0", m->sec[sec].name, L);
    if (m->sec[sec].npt > 1)
        return RV_FAIL(err, RV_EUNSUPPORTED,
                       "section %s: L of a section with 3-D points comes from the points",
                       m->sec[sec].name);
    if (m->lowered) return RV_FAIL(err, RV_ESTATE, "geometry is frozen after setup");
    m->sec[sec].L = L;
    return RV_OK;
}

rv_status rv_section_set_Ra(rv_model *m, int sec, double Ra, rv_error *err) {
    rv_status st = check_sec(m, sec, err);
    if (st) return st;
    if (!(Ra > 0) || !isfinite(Ra))
        return RV_FAIL(err, RV_ERANGE, "section %s: Ra = %g must be > 0", m->sec[sec].name, Ra);
    if (m->lowered) return RV_FAIL(err, RV_ESTATE, "geometry is frozen after setup");
    m->sec[sec].Ra = Ra;
    return RV_OK;
}

static rv_status set_all(rv_model *m, int sec, const char *what, double v, rv_error *err) {
    rv_status st = check_sec(m, sec, err);
    if (st) return st;
    rv_secd *s = &m->sec[sec];
    for (int j = 0; j < s->nseg; ++j) {
        double x = (j + 0.5) / s->nseg;
        st = rv_range_set(m, sec, x, what, v, err);
        if (st) return st;
    }
    return RV_OK;
}

rv_status rv_section_set_diam(rv_model *m, int sec, double d, rv_error *err) {
    return set_all(m, sec, "diam", d, err);
}
rv_status rv_section_set_cm(rv_model *m, int sec, double cm, rv_error *err) {
    return set_all(m, sec, "cm", cm, err);
}
rv_status rv_section_set_seg_diam(rv_model *m, int sec, double x, double d, rv_error *err) {
    return rv_range_set(m, sec, x, "diam", d, err);
}
rv_status rv_section_set_seg_cm(rv_model *m, int sec, double x, double cm, rv_error *err) {
    return rv_range_set(m, sec, x, "cm", cm, err);
}

rv_status rv_section_pt3d_add(rv_model *m, int sec, double x, double y, double z, double d,
                              rv_error *err) {
    rv_status st = check_structure(m, err);
    if (!st) st = check_sec(m, sec, err);
    if (st) return st;
    rv_secd *s = &m->sec[sec];
    if (!isfinite(x) || !isfinite(y) || !isfinite(z) || !isfinite(d) || d < 0)
        return RV_FAIL(err, RV_ERANGE, "section %s: bad 3-D point (%g, %g, %g, diam %g)", s->name,
                       x, y, z, d);
    size_t cap = (size_t)s->cap_pt;
    if (rv_grow((void **)&s->pt, &cap, 4 * ((size_t)s->npt + 1), sizeof(float)))
        return RV_FAIL(err, RV_ENOMEM, "out of memory");
    s->cap_pt = (int)cap;
    float *p = s->pt + 4 * s->npt;
    p[0] = (float)x, p[1] = (float)y, p[2] = (float)z, p[3] = (float)d;
    s->npt++;
    return RV_OK;
}

/* arc length of the 3-D points as the geometry computes it */
static double pt_length(const rv_secd *s) {
    double L = 0.0;
    for (int i = 1; i < s->npt; ++i) {
        const float *p = s->pt + 4 * (i - 1), *q = s->pt + 4 * i;
        float f1 = q[0] - p[0], f2 = q[1] - p[1], f3 = q[2] - p[2];
        double t1 = f1, t2 = f2, t3 = f3;
        L += sqrt(t1 * t1 + t2 * t2 + t3 * t3);
    }
    return L;
}

rv_status rv_section_get_L(rv_model *m, int sec, double *L, rv_error *err) {
    rv_status st = check_sec(m, sec, err);
    if (st) return st;
    const rv_secd *s = &m->sec[sec];
    if (s->npt < 2) {
        *L = s->L;
        return RV_OK;
    }
    double l = pt_length(s);
    *L = l <= 1e-9 ? 1e-9 : l;
    return RV_OK;
}

int rv_section_pt3d_count(const rv_model *m, int sec) {
    if (sec < 0 || sec >= m->nsec || m->sec[sec].deleted) return -1;
    return m->sec[sec].npt;
}

rv_status rv_section_pt3d_get(rv_model *m, int sec, int i, double xyzd[4], double *arc,
                              rv_error *err) {
    rv_status st = check_sec(m, sec, err);
    if (st) return st;
    const rv_secd *s = &m->sec[sec];
    if (i < 0 || i >= s->npt)
        return RV_FAIL(err, RV_ERANGE, "section %s: 3-D point %d out of range (have %d)", s->name,
                       i, s->npt);
    for (int k = 0; k < 4; ++k) xyzd[k] = s->pt[4 * i + k];
    if (arc) {
        double a = 0.0;
        for (int j = 1; j <= i; ++j) {
            const float *p = s->pt + 4 * (j - 1), *q = s->pt + 4 * j;
            float f1 = q[0] - p[0], f2 = q[1] - p[1], f3 = q[2] - p[2];
            double t1 = f1, t2 = f2, t3 = f3;
            a += sqrt(t1 * t1 + t2 * t2 + t3 * t3);
        }
        *arc = a;
    }
    return RV_OK;
}

rv_status rv_section_pt3d_clear(rv_model *m, int sec, rv_error *err) {
    rv_status st = check_structure(m, err);
    if (!st) st = check_sec(m, sec, err);
    if (st) return st;
    rv_secd *s = &m->sec[sec];
    if (s->npt >= 2) {
        double l = pt_length(s);
        s->L = l <= 1e-9 ? 1e-9 : l; /* NEURON keeps the last L */
    }
    s->npt = 0;
    return RV_OK;
}

rv_status rv_section_delete(rv_model *m, int sec, rv_error *err) {
    rv_status st = check_structure(m, err);
    if (!st) st = check_sec(m, sec, err);
    if (st) return st;
    rv_secd *s = &m->sec[sec];
    for (int p = 0; p < m->npp; ++p)
        if (m->pp[p].sec == sec)
            return RV_FAIL(err, RV_EUNSUPPORTED,
                           "cannot delete section %s: a point process is placed on it", s->name);
    for (int p = 0; p < m->nps; ++p)
        if (m->ps[p].kind == 0 && m->ps[p].sec == sec)
            return RV_FAIL(err, RV_EUNSUPPORTED, "cannot delete section %s: it is a spike source",
                           s->name);
    for (int r = 0; r < m->nrec; ++r)
        if (m->rec[r].pp < 0 && m->rec[r].sec == sec && strcmp(m->rec[r].name, "t") != 0)
            return RV_FAIL(err, RV_EUNSUPPORTED, "cannot delete section %s: it is recorded",
                           s->name);
    if (s->parent >= 0) {
        rv_secd *p = &m->sec[s->parent];
        int k = 0;
        for (int c = 0; c < p->nchild; ++c)
            if (p->children[c] != sec) p->children[k++] = p->children[c];
        p->nchild = k;
    }
    /* NEURON: the children are disconnected (they become roots) */
    for (int c = 0; c < s->nchild; ++c) m->sec[s->children[c]].parent = -1;
    s->nchild = 0;
    s->parent = -1;
    s->deleted = true;
    return RV_OK;
}

int rv_section_is_deleted(const rv_model *m, int sec) {
    return sec >= 0 && sec < m->nsec && m->sec[sec].deleted;
}

rv_status rv__check_x(rv_model *m, int sec, double x, rv_error *err) {
    rv_status st = check_sec(m, sec, err);
    if (st) return st;
    if (!(x >= 0. && x <= 1.))
        return RV_FAIL(err, RV_ERANGE, "section %s: position x = %g outside 0 <= x <= 1",
                       m->sec[sec].name, x);
    return RV_OK;
}

rv_status rv_section_connect(rv_model *m, int child, int child_end, int parent, double px,
                             rv_error *err) {
    rv_status st = check_structure(m, err);
    if (!st) st = check_sec(m, child, err);
    if (!st) st = rv__check_x(m, parent, px, err);
    if (st) return st;
    if (child_end != 0 && child_end != 1)
        return RV_FAIL(err, RV_ERANGE, "connect %s: child end %d must be 0 or 1",
                       m->sec[child].name, child_end);
    if (child == parent)
        return RV_FAIL(err, RV_EINVAL, "connect: section %s cannot connect to itself",
                       m->sec[child].name);
    if (m->sec[child].parent >= 0)
        return RV_FAIL(err, RV_EINVAL, "connect: section %s already has parent %s",
                       m->sec[child].name, m->sec[m->sec[child].parent].name);
    for (int a = parent; a >= 0; a = m->sec[a].parent)
        if (a == child)
            return RV_FAIL(err, RV_EINVAL, "connect %s to %s would make a loop", m->sec[child].name,
                           m->sec[parent].name);
    if (child_end == 1 && m->sec[child].npt > 0)
        return RV_FAIL(err, RV_EUNSUPPORTED,
                       "connect %s by its 1-end: reversed sections with 3-D points",
                       m->sec[child].name);
    rv_secd *p = &m->sec[parent];
    size_t cap = (size_t)p->cap_child;
    if (rv_grow((void **)&p->children, &cap, (size_t)p->nchild + 1, sizeof(int)))
        return RV_FAIL(err, RV_ENOMEM, "out of memory");
    p->cap_child = (int)cap;
    p->children[p->nchild++] = child;
    m->sec[child].parent = parent;
    m->sec[child].parent_x = px;
    m->sec[child].orient = child_end;
    return RV_OK;
}

static int sec_mech_slot(const rv_secd *s, int mech) {
    for (int k = 0; k < s->nmech; ++k)
        if (s->mech[k] == mech) return k;
    return -1;
}

static rv_status insert_idx(rv_model *m, int sec, int mi, rv_error *err) {
    rv_secd *s = &m->sec[sec];
    if (sec_mech_slot(s, mi) >= 0) return RV_OK;
    const rv_mech_type *t = m->mech[mi];
    /* ions the mechanism uses are present wherever it is */
    for (int u = 0; u < t->n_ions; ++u) {
        int k;
        rv_status st = rv__ion_get(m, t->ions[u].ion, t->ions[u].valence, &k, err);
        if (!st) st = insert_idx(m, sec, m->ion[k]->mech, err);
        if (st) return st;
    }
    size_t cap = (size_t)s->cap_mech;
    if (rv_grow((void **)&s->mech, &cap, (size_t)s->nmech + 1, sizeof(int)))
        return RV_FAIL(err, RV_ENOMEM, "out of memory");
    size_t cap2 = (size_t)s->cap_mech;
    if (rv_grow((void **)&s->mparam, &cap2, (size_t)s->nmech + 1, sizeof(double *)))
        return RV_FAIL(err, RV_ENOMEM, "out of memory");
    s->cap_mech = (int)(cap < cap2 ? cap : cap2);
    double *p = rv_malloc(sizeof(double) * (size_t)(t->n_vars * s->nseg) + 1);
    if (!p) return RV_FAIL(err, RV_ENOMEM, "out of memory");
    for (int v = 0; v < t->n_vars; ++v)
        for (int j = 0; j < s->nseg; ++j) p[(size_t)v * s->nseg + j] = t->vars[v].dflt;
    /* keep the inserted list in mechanism-index order (NEURON's) */
    int pos = s->nmech;
    while (pos > 0 && s->mech[pos - 1] > mi) {
        s->mech[pos] = s->mech[pos - 1];
        s->mparam[pos] = s->mparam[pos - 1];
        --pos;
    }
    s->mech[pos] = mi;
    s->mparam[pos] = p;
    s->nmech++;
    return RV_OK;
}

rv_status rv_section_insert(rv_model *m, int sec, const char *mech, rv_error *err) {
    rv_status st = check_structure(m, err);
    if (!st) st = check_sec(m, sec, err);
    if (st) return st;
    int mi = rv__mech_find(m, mech);
    if (mi < 0) return RV_FAIL(err, RV_ENOENT, "insert %s: unknown mechanism", mech);
    const rv_mech_type *t = m->mech[mi];
    if (t->kind != RV_MECH_DENSITY && t->kind != RV_MECH_ION)
        return RV_FAIL(err, RV_EINVAL, "insert %s: a point process cannot be inserted", mech);
    return insert_idx(m, sec, mi, err);
}

int rv__seg_index(const rv_secd *s, double x) {
    int n = s->nseg;
    int i = (int)(n * x);
    if (i == n) i = n - 1;
    if (s->orient) i = n - i - 1;
    return i;
}

/* Resolve a range variable name at (sec, x) to a block offset (lowered). */
rv_status rv__resolve_range(rv_model *m, int sec, double x, const char *name, long *off,
                            rv_error *err) {
    rv_status st = rv__check_x(m, sec, x, err);
    if (st) return st;
    rv_secd *s = &m->sec[sec];
    int node;
    if (strcmp(name, "v") == 0 || strcmp(name, "i_membrane_") == 0) {
        /* v(0) and v(1) are the end nodes */
        double xx = s->orient ? 1. - x : x;
        if (xx <= 0.)
            node = s->parent_node;
        else if (xx >= 1.)
            node = rv__sec_node(m, s, s->nseg);
        else
            node = rv__sec_node(m, s, rv__seg_index(s, x));
        if (name[0] == 'v') {
            *off = (long)(m->v - m->block) + node;
        } else {
            if (!m->sav_rhs)
                return RV_FAIL(err, RV_ESTATE, "i_membrane_ needs rv_model_set_fast_imem(1)");
            *off = (long)(m->sav_rhs - m->block) + node;
        }
        return RV_OK;
    }
    int seg = rv__seg_index(s, x);
    if (strcmp(name, "diam") == 0 || strcmp(name, "cm") == 0)
        return RV_FAIL(err, RV_EUNSUPPORTED, "%s is not a simulation variable", name);
    for (int k = 0; k < s->nmech; ++k) {
        int mi = s->mech[k];
        const rv_mech_type *t = m->mech[mi];
        int v = -1;
        if (t->kind == RV_MECH_ION) {
            v = var_find(t, name);
        } else {
            size_t ln = strlen(t->name), nn = strlen(name);
            if (nn > ln + 1 && name[nn - ln - 1] == '_' && strcmp(name + nn - ln, t->name) == 0) {
                char base[128];
                if (nn - ln - 1 >= sizeof base) continue;
                memcpy(base, name, nn - ln - 1);
                base[nn - ln - 1] = 0;
                v = var_find(t, base);
            }
        }
        if (v >= 0) {
            rv_mech_list *ml = &m->ml[mi].ml;
            int inst = s->inst0[k] + seg;
            *off = (long)(ml->data - m->block) + (long)v * ml->pad + inst;
            return RV_OK;
        }
    }
    return RV_FAIL(err, RV_ENOENT, "%s: no range variable '%s' (mechanism not inserted?)", s->name,
                   name);
}

rv_status rv_range_set(rv_model *m, int sec, double x, const char *name, double value,
                       rv_error *err) {
    rv_status st = rv__check_x(m, sec, x, err);
    if (st) return st;
    rv_secd *s = &m->sec[sec];
    int seg = rv__seg_index(s, x);
    if (strcmp(name, "diam") == 0 || strcmp(name, "cm") == 0) {
        if (m->lowered) {
            if (name[0] == 'c') {
                m->cm[rv__sec_node(m, s, seg)] = value;
                s->cm[seg] = value;
                return RV_OK;
            }
            return RV_FAIL(err, RV_ESTATE, "geometry (diam) is frozen after setup");
        }
        if (!isfinite(value) || value < 0 || (name[0] == 'd' && value == 0))
            return RV_FAIL(err, RV_ERANGE, "%s.%s = %g out of range", s->name, name, value);
        if (name[0] == 'd' && s->npt > 1)
            return RV_FAIL(err, RV_EUNSUPPORTED,
                           "%s: diam of a section with 3-D points comes from the points", s->name);
        (name[0] == 'd' ? s->diam : s->cm)[seg] = value;
        return RV_OK;
    }
    if (m->lowered) {
        long off;
        st = rv__resolve_range(m, sec, x, name, &off, err);
        if (st) return st;
        if (m->sav_rhs && off >= (long)(m->sav_rhs - m->block) &&
            off < (long)(m->sav_rhs - m->block) + m->n_pad)
            return RV_FAIL(err, RV_EINVAL, "i_membrane_ is read only");
        m->block[off] = value;
        return RV_OK;
    }
    if (strcmp(name, "v") == 0)
        return RV_FAIL(err, RV_ESTATE, "v is set by finitialize; set it after setup");
    for (int k = 0; k < s->nmech; ++k) {
        const rv_mech_type *t = m->mech[s->mech[k]];
        int v = -1;
        if (t->kind == RV_MECH_ION) {
            v = var_find(t, name);
        } else {
            size_t ln = strlen(t->name), nn = strlen(name);
            if (nn > ln + 1 && name[nn - ln - 1] == '_' && strcmp(name + nn - ln, t->name) == 0) {
                char base[128];
                if (nn - ln - 1 >= sizeof base) continue;
                memcpy(base, name, nn - ln - 1);
                base[nn - ln - 1] = 0;
                v = var_find(t, base);
            }
        }
        if (v >= 0) {
            s->mparam[k][(size_t)v * s->nseg + seg] = value;
            return RV_OK;
        }
    }
    return RV_FAIL(err, RV_ENOENT, "%s: no range variable '%s' (mechanism not inserted?)", s->name,
                   name);
}

rv_status rv_range_get(rv_model *m, int sec, double x, const char *name, double *value,
                       rv_error *err) {
    rv_status st = rv__check_x(m, sec, x, err);
    if (st) return st;
    rv_secd *s = &m->sec[sec];
    int seg = rv__seg_index(s, x);
    if (strcmp(name, "diam") == 0) {
        if (m->lowered || s->npt < 2) {
            *value = s->diam[seg];
            return RV_OK;
        }
        double *tmp = rv_malloc(sizeof(double) * 2 * ((size_t)s->nseg + 1)), len;
        if (!tmp) return RV_FAIL(err, RV_ENOMEM, "out of memory");
        st = rv__geom_section(s, s->diam, tmp, tmp + s->nseg + 1, &len, err);
        rv_free(tmp);
        if (st) return st;
        *value = s->diam[seg];
        return RV_OK;
    }
    if (strcmp(name, "cm") == 0) {
        *value = s->cm[seg];
        return RV_OK;
    }
    st = rv_model_setup(m, err);
    if (st) return st;
    long off;
    st = rv__resolve_range(m, sec, x, name, &off, err);
    if (st) return st;
    *value = m->block[off];
    return RV_OK;
}

static rv_status node_geom(rv_model *m, int sec, double x, int *node, rv_error *err) {
    rv_status st = rv__check_x(m, sec, x, err);
    if (!st) st = rv_model_setup(m, err);
    if (st) return st;
    rv_secd *s = &m->sec[sec];
    double xx = s->orient ? 1. - x : x;
    if (xx <= 0.)
        *node = s->parent_node;
    else if (xx >= 1.)
        *node = rv__sec_node(m, s, s->nseg);
    else
        *node = rv__sec_node(m, s, rv__seg_index(s, x));
    return RV_OK;
}

rv_status rv_section_area(rv_model *m, int sec, double x, double *area, rv_error *err) {
    if (x == 0. || x == 1.) {
        rv_status st = rv__check_x(m, sec, x, err);
        if (st) return st;
        *area = 0.;
        return RV_OK;
    }
    int node;
    rv_status st = node_geom(m, sec, x, &node, err);
    if (st) return st;
    *area = m->area[node];
    return RV_OK;
}

rv_status rv_section_ri(rv_model *m, int sec, double x, double *ri, rv_error *err) {
    int node;
    rv_status st = node_geom(m, sec, x, &node, err);
    if (st) return st;
    double rinv = m->rinv[node];
    *ri = rinv != 0 ? 1. / rinv : 1.e30;
    return RV_OK;
}

/* ---- point processes --------------------------------------------------- */
static rv_status check_pp(rv_model *m, int pp, rv_error *err) {
    if (pp < 0 || pp >= m->npp)
        return RV_FAIL(err, RV_EINVAL, "no point process with id %d (have %d)", pp, m->npp);
    return RV_OK;
}

rv_status rv_pp_create(rv_model *m, const char *mech, int sec, double x, int *out, rv_error *err) {
    rv_status st = check_structure(m, err);
    if (st) return st;
    int mi = rv__mech_find(m, mech);
    if (mi < 0) return RV_FAIL(err, RV_ENOENT, "%s: unknown mechanism", mech);
    const rv_mech_type *t = m->mech[mi];
    if (t->kind == RV_MECH_POINT) {
        st = rv__check_x(m, sec, x, err);
        if (st) return st;
        for (int u = 0; u < t->n_ions; ++u) {
            int k;
            st = rv__ion_get(m, t->ions[u].ion, t->ions[u].valence, &k, err);
            if (!st) st = insert_idx(m, sec, m->ion[k]->mech, err);
            if (st) return st;
        }
    } else if (t->kind == RV_MECH_ARTIFICIAL) {
        if (sec >= 0)
            return RV_FAIL(err, RV_EINVAL, "%s is an ARTIFICIAL_CELL: it has no location (sec -1)",
                           mech);
        sec = -1;
    } else {
        return RV_FAIL(err, RV_EINVAL, "%s is not a point process (insert it in a section)", mech);
    }
    size_t cap = (size_t)m->cap_pp;
    if (rv_grow((void **)&m->pp, &cap, (size_t)m->npp + 1, sizeof *m->pp))
        return RV_FAIL(err, RV_ENOMEM, "out of memory");
    m->cap_pp = (int)cap;
    rv_ppd *p = &m->pp[m->npp];
    memset(p, 0, sizeof *p);
    p->param = rv_malloc(sizeof(double) * (size_t)t->n_vars + 1);
    if (!p->param) return RV_FAIL(err, RV_ENOMEM, "out of memory");
    for (int v = 0; v < t->n_vars; ++v) p->param[v] = t->vars[v].dflt;
    p->mech = mi;
    p->sec = sec;
    p->x = x;
    p->node = -1;
    p->inst = -1;
    *out = m->npp++;
    return RV_OK;
}

rv_status rv__pp_var(rv_model *m, int pp, const char *var, double **where, rv_error *err) {
    rv_status st = check_pp(m, pp, err);
    if (st) return st;
    rv_ppd *p = &m->pp[pp];
    const rv_mech_type *t = m->mech[p->mech];
    int v = var_find(t, var);
    if (v < 0) return RV_FAIL(err, RV_ENOENT, "%s has no variable '%s'", t->name, var);
    if (m->lowered) {
        rv_mech_list *ml = &m->ml[p->mech].ml;
        *where = &ml->data[(size_t)v * ml->pad + p->inst];
    } else {
        *where = &p->param[v];
    }
    return RV_OK;
}

rv_status rv_pp_set(rv_model *m, int pp, const char *var, double value, rv_error *err) {
    double *w;
    rv_status st = rv__pp_var(m, pp, var, &w, err);
    if (st) return st;
    *w = value;
    return RV_OK;
}

rv_status rv_pp_get(rv_model *m, int pp, const char *var, double *value, rv_error *err) {
    double *w;
    rv_status st = rv__pp_var(m, pp, var, &w, err);
    if (st) return st;
    *value = *w;
    return RV_OK;
}

rv_status rv_pp_set_random123(rv_model *m, int pp, uint32_t id1, uint32_t id2, uint32_t id3,
                              rv_error *err) {
    rv_status st = check_pp(m, pp, err);
    if (st) return st;
    rv_ppd *p = &m->pp[pp];
    const rv_mech_type *t = m->mech[p->mech];
    if (t->n_vdata < 1) return RV_FAIL(err, RV_EINVAL, "%s takes no random stream", t->name);
    p->has_r123 = true;
    p->r123_ids[0] = id1, p->r123_ids[1] = id2, p->r123_ids[2] = id3;
    if (m->lowered) {
        rv_mech_list *ml = &m->ml[p->mech].ml;
        rv_ran123 *s = ml->vdata[p->inst];
        if (!s) {
            s = rv__ran123_new(m, id1, id2, id3);
            if (!s) return RV_FAIL(err, RV_ENOMEM, "out of memory");
            ml->vdata[p->inst] = s;
        }
        rv_ran123_init(s, id1, id2, id3);
    }
    return RV_OK;
}

rv_status rv_pointer_set(rv_model *m, int pp, const char *ptr, int sec, double x,
                         const char *target, rv_error *err) {
    rv_status st = check_pp(m, pp, err);
    if (st) return st;
    rv_ppd *p = &m->pp[pp];
    const rv_mech_type *t = m->mech[p->mech];
    int slot = -1;
    for (int k = 0; t->pdata_names && k < t->n_extra_pdata; ++k)
        if (t->pdata_names[k] && strcmp(t->pdata_names[k], ptr) == 0) slot = k;
    if (slot < 0) return RV_FAIL(err, RV_ENOENT, "%s has no POINTER '%s'", t->name, ptr);
    slot += t->n_ions * RV_ION_NVAR + (t->kind == RV_MECH_POINT ? 1 : 0);
    st = rv__check_x(m, sec, x, err);
    if (st) return st;
    char *name = rv_malloc(strlen(target) + 1);
    if (!name) return RV_FAIL(err, RV_ENOMEM, "out of memory");
    strcpy(name, target);
    int k = 0;
    while (k < p->nptr && p->ptr[k].slot != slot) ++k;
    if (k == p->nptr) {
        void *np = rv_realloc(p->ptr, sizeof *p->ptr * (size_t)(p->nptr + 1));
        if (!np) {
            rv_free(name);
            return RV_FAIL(err, RV_ENOMEM, "out of memory");
        }
        p->ptr = np;
        p->nptr++;
    } else {
        rv_free(p->ptr[k].name);
    }
    p->ptr[k].slot = slot, p->ptr[k].sec = sec, p->ptr[k].x = x, p->ptr[k].name = name;
    if (m->lowered) {
        long off;
        st = rv__resolve_range(m, sec, x, target, &off, err);
        if (st) return st;
        rv_mech_list *ml = &m->ml[p->mech].ml;
        ml->pdata[(size_t)slot * ml->pad + p->inst] = (int)off;
    }
    return RV_OK;
}

rv_status rv_pp_call(rv_model *m, int pp, const char *fn, const rv_mech_arg *args, int nargs,
                     double *result, rv_error *err) {
    rv_status st = check_pp(m, pp, err);
    if (st) return st;
    st = rv_model_setup(m, err);
    if (st) return st;
    rv_ppd *p = &m->pp[pp];
    const rv_mech_type *t = m->mech[p->mech];
    for (int k = 0; k < t->n_funcs; ++k) {
        if (strcmp(t->funcs[k].name, fn) != 0) continue;
        m->mech_error = false;
        m->th.t = m->t;
        double r = t->funcs[k].fn(&m->th, &m->ml[p->mech].ml, p->inst, args, nargs);
        if (result) *result = r;
        if (m->mech_error) return RV_FAIL(err, m->mech_error_code, "%s", m->mech_error_msg);
        return RV_OK;
    }
    return RV_FAIL(err, RV_ENOENT, "%s has no FUNCTION or PROCEDURE '%s'", t->name, fn);
}

/* ---- gids and NetCons -------------------------------------------------- */
static uint64_t hash64(int64_t k) {
    uint64_t x = (uint64_t)k;
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

rv_gidmap_entry *rv__gid_get(rv_model *m, int64_t gid, bool create) {
    if (m->gm_cap) {
        size_t i = hash64(gid) & (m->gm_cap - 1);
        for (;;) {
            rv_gidmap_entry *e = &m->gm[i];
            if (e->gid == gid && (e->presyn >= 0 || e->nnc > 0 || e->cap_nc > 0)) return e;
            if (e->presyn < 0 && e->cap_nc == 0 && e->nnc == 0) break;
            i = (i + 1) & (m->gm_cap - 1);
        }
    }
    if (!create) return NULL;
    if ((m->gm_n + 1) * 2 > m->gm_cap) {
        size_t nc = m->gm_cap ? m->gm_cap * 2 : 64;
        rv_gidmap_entry *n = rv_calloc(nc, sizeof *n);
        if (!n) return NULL;
        for (size_t i = 0; i < nc; ++i) n[i].presyn = -1;
        for (size_t i = 0; i < m->gm_cap; ++i) {
            rv_gidmap_entry *e = &m->gm[i];
            if (e->presyn < 0 && e->cap_nc == 0 && e->nnc == 0) continue;
            size_t j = hash64(e->gid) & (nc - 1);
            while (n[j].presyn >= 0 || n[j].cap_nc > 0) j = (j + 1) & (nc - 1);
            n[j] = *e;
        }
        rv_free(m->gm);
        m->gm = n;
        m->gm_cap = nc;
    }
    size_t i = hash64(gid) & (m->gm_cap - 1);
    while (m->gm[i].presyn >= 0 || m->gm[i].cap_nc > 0) i = (i + 1) & (m->gm_cap - 1);
    rv_gidmap_entry *e = &m->gm[i];
    memset(e, 0, sizeof *e);
    e->gid = gid;
    e->presyn = -1;
    /* mark occupied: reserve a netcon slot array */
    e->nc = rv_malloc(sizeof(int) * 4);
    if (!e->nc) return NULL;
    e->cap_nc = 4;
    m->gm_n++;
    return e;
}

static rv_status add_presyn(rv_model *m, int64_t gid, rv_presyn *ps, rv_error *err) {
    rv_status st = check_structure(m, err);
    if (st) return st;
    if (gid < 0) return RV_FAIL(err, RV_ERANGE, "gid %lld must be >= 0", (long long)gid);
    rv_gidmap_entry *e = rv__gid_get(m, gid, true);
    if (!e) return RV_FAIL(err, RV_ENOMEM, "out of memory");
    if (e->presyn >= 0)
        return RV_FAIL(err, RV_EINVAL, "gid %lld already has a spike source on this process",
                       (long long)gid);
    size_t cap = (size_t)m->cap_ps;
    if (rv_grow((void **)&m->ps, &cap, (size_t)m->nps + 1, sizeof *m->ps))
        return RV_FAIL(err, RV_ENOMEM, "out of memory");
    m->cap_ps = (int)cap;
    ps->gid = gid;
    ps->node = -1;
    m->ps[m->nps] = *ps;
    e->presyn = m->nps++;
    return RV_OK;
}

rv_status rv_gid_from_section(rv_model *m, int64_t gid, int sec, double x, double threshold,
                              rv_error *err) {
    rv_status st = rv__check_x(m, sec, x, err);
    if (st) return st;
    if (!isfinite(threshold))
        return RV_FAIL(err, RV_ERANGE, "gid %lld: threshold must be finite", (long long)gid);
    rv_presyn ps = {0};
    ps.kind = 0, ps.sec = sec, ps.x = x, ps.threshold = threshold, ps.pp = -1;
    return add_presyn(m, gid, &ps, err);
}

rv_status rv_gid_from_pp(rv_model *m, int64_t gid, int pp, rv_error *err) {
    rv_status st = check_pp(m, pp, err);
    if (st) return st;
    if (m->pp[pp].is_source)
        for (int i = 0; i < m->nps; ++i)
            if (m->ps[i].kind == 1 && m->ps[i].pp == pp)
                return RV_FAIL(err, RV_EINVAL, "point process %d is already the source of gid %lld",
                               pp, (long long)m->ps[i].gid);
    rv_presyn ps = {0};
    ps.kind = 1, ps.sec = -1, ps.pp = pp;
    st = add_presyn(m, gid, &ps, err);
    if (!st) m->pp[pp].is_source = true;
    return st;
}

rv_status rv_netcon_create(rv_model *m, int64_t src_gid, int target, double delay, double weight,
                           int *out, rv_error *err) {
    rv_status st = check_structure(m, err);
    if (!st) st = check_pp(m, target, err);
    if (st) return st;
    const rv_mech_type *t = m->mech[m->pp[target].mech];
    if (!t->net_receive)
        return RV_FAIL(err, RV_EINVAL, "NetCon target %s has no NET_RECEIVE block", t->name);
    if (src_gid < 0)
        return RV_FAIL(err, RV_ERANGE, "NetCon source gid %lld must be >= 0", (long long)src_gid);
    if (!(delay >= 0) || !isfinite(delay))
        return RV_FAIL(err, RV_ERANGE, "NetCon delay %g must be >= 0", delay);
    size_t cap = (size_t)m->cap_nc;
    if (rv_grow((void **)&m->nc, &cap, (size_t)m->nnc + 1, sizeof *m->nc))
        return RV_FAIL(err, RV_ENOMEM, "out of memory");
    m->cap_nc = (int)cap;
    rv_gidmap_entry *e = rv__gid_get(m, src_gid, true);
    if (!e) return RV_FAIL(err, RV_ENOMEM, "out of memory");
    size_t ecap = (size_t)e->cap_nc;
    if (rv_grow((void **)&e->nc, &ecap, (size_t)e->nnc + 1, sizeof(int)))
        return RV_FAIL(err, RV_ENOMEM, "out of memory");
    e->cap_nc = (int)ecap;
    rv_netcon *nc = &m->nc[m->nnc];
    memset(nc, 0, sizeof *nc);
    nc->nw = t->n_weights > 0 ? t->n_weights : 1;
    nc->w = rv_calloc((size_t)nc->nw, sizeof(double));
    if (!nc->w) return RV_FAIL(err, RV_ENOMEM, "out of memory");
    nc->w[0] = weight;
    nc->src_gid = src_gid;
    nc->target = target;
    nc->delay = delay;
    nc->active = true;
    nc->src_rank_index = e->nnc;
    e->nc[e->nnc++] = m->nnc;
    *out = m->nnc++;
    return RV_OK;
}

rv_status rv_netcon_set_weight(rv_model *m, int nc, int index, double w, rv_error *err) {
    if (nc < 0 || nc >= m->nnc) return RV_FAIL(err, RV_EINVAL, "no NetCon with id %d", nc);
    if (index < 0 || index >= m->nc[nc].nw)
        return RV_FAIL(err, RV_ERANGE, "NetCon %d: weight index %d outside 0..%d", nc, index,
                       m->nc[nc].nw - 1);
    m->nc[nc].w[index] = w;
    return RV_OK;
}

rv_status rv_netcon_set_delay(rv_model *m, int nc, double delay, rv_error *err) {
    if (nc < 0 || nc >= m->nnc) return RV_FAIL(err, RV_EINVAL, "no NetCon with id %d", nc);
    if (!(delay >= 0) || !isfinite(delay))
        return RV_FAIL(err, RV_ERANGE, "NetCon delay %g must be >= 0", delay);
    if (m->lowered && m->exchange_every > 0 && delay < m->mindelay)
        return RV_FAIL(err, RV_ERANGE,
                       "NetCon delay %g below the spike-exchange interval %g fixed at setup", delay,
                       m->mindelay);
    m->nc[nc].delay = delay;
    return RV_OK;
}

void rv_model_get_stats(const rv_model *m, rv_model_stats *st) {
    memset(st, 0, sizeof *st);
    st->n_cells = m->ncell;
    st->n_sections = m->nsec;
    st->n_nodes = m->n_node;
    st->n_events_delivered = m->n_events;
    st->n_spikes_local = m->nspikes;
    st->bytes_data = m->block_size * sizeof(double);
}
