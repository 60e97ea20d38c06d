/* SPDX-License-Identifier: MIT
 * driver/report.c -- sampling of SONATA reports with neurodamus' timing
 * (helper and ALU events, see report_int.h) and writing them through the
 * sonata layer's compartment report writer.
 */
#include "report_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct rep_term {
    const double *p;
    double f;
} rep_term;

typedef struct rep_elem {
    uint32_t id;
    size_t t0, nt; /* terms [t0, t0 + nt) */
} rep_elem;

typedef struct rep_cell {
    char *pop;
    uint64_t gid, node;
    size_t e0, ne; /* elements [e0, e0 + ne) */
} rep_cell;

struct rv_drv_report {
    rv_rep_params p;
    char *name, *path, *units;
    rv_sonata_comm comm;
    int have_comm;
    rep_cell *cell;
    size_t ncell, cap_cell;
    rep_elem *el;
    size_t nel, cap_el;
    rep_term *tm;
    size_t ntm, cap_tm;
    /* run state */
    int started;
    rv_sonata_report_writer *w;
    size_t n_frames, frames;
    size_t *order; /* cells by ascending gid */
    double *vals;  /* one frame, elements in file-add order */
    double *alu;   /* ALU output per element (summation) */
    double help_td, alu_td, last_rec, last_step;
    long step;
    int period;
};

static char *dupstr(const char *s) {
    if (!s) return NULL;
    size_t n = strlen(s) + 1;
    char *d = rv_malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

rv_status rv__rep_create(rv_drv_report **out, const rv_rep_params *p, const rv_sonata_comm *comm,
                         rv_error *err) {
    *out = NULL;
    const char *nm = p && p->name ? p->name : "?";
    if (!p || !p->path || !*p->path)
        return RV_FAIL(err, RV_EINVAL, "report '%s': no output path", nm);
    if (p->type < RV_REP_COMPARTMENT || p->type > RV_REP_LFP)
        return RV_FAIL(err, RV_EINVAL, "report '%s': unknown type %d", nm, (int)p->type);
    if (!(p->dt > 0) || !isfinite(p->dt) || !isfinite(p->tstop))
        return RV_FAIL(err, RV_EINVAL, "report '%s': simulation dt %g / tstop %g invalid", nm,
                       p->dt, p->tstop);
    if (!(p->dt_report > 0) || !isfinite(p->dt_report))
        return RV_FAIL(err, RV_EINVAL, "report '%s': dt %g must be positive", nm, p->dt_report);
    if (p->dt_report < p->dt)
        return RV_FAIL(err, RV_EINVAL,
                       "report '%s': dt %g is smaller than the simulation dt %g (not allowed)", nm,
                       p->dt_report, p->dt);
    double end = p->end < p->tstop ? p->end : p->tstop;
    if (!isfinite(p->start) || !isfinite(end) || p->start < 0 || p->start >= end)
        return RV_FAIL(err, RV_EINVAL,
                       "report '%s': start_time %g must be >= 0 and before the end %g "
                       "(min of end_time and tstop)",
                       nm, p->start, end);
    int period = (int)(p->dt_report / p->dt);
    if (period < 1)
        return RV_FAIL(err, RV_EINVAL, "report '%s': dt %g gives no whole simulation step", nm,
                       p->dt_report);
    rv_drv_report *r = rv_calloc(1, sizeof *r);
    if (!r) return RV_FAIL(err, RV_ENOMEM, "out of memory");
    r->p = *p;
    r->p.end = end;
    r->period = period;
    r->name = dupstr(nm);
    r->path = dupstr(p->path);
    r->units = dupstr(p->units ? p->units : "mV");
    if (!r->name || !r->path || !r->units) {
        rv__rep_destroy(r);
        return RV_FAIL(err, RV_ENOMEM, "out of memory");
    }
    r->p.name = r->name, r->p.path = r->path, r->p.units = r->units;
    if (comm) {
        r->comm = *comm;
        r->have_comm = 1;
    }
    *out = r;
    return RV_OK;
}

void rv__rep_destroy(rv_drv_report *r) {
    if (!r) return;
    for (size_t i = 0; i < r->ncell; ++i) rv_free(r->cell[i].pop);
    rv_free(r->cell), rv_free(r->el), rv_free(r->tm);
    rv_sonata_report_writer_destroy(r->w);
    rv_free(r->order), rv_free(r->vals), rv_free(r->alu);
    rv_free(r->name), rv_free(r->path), rv_free(r->units);
    rv_free(r);
}

rv_status rv__rep_add_cell(rv_drv_report *r, const char *population, uint64_t gid, uint64_t node_id,
                           rv_error *err) {
    if (r->started) return RV_FAIL(err, RV_ESTATE, "report '%s': cells added after start", r->name);
    if (!population || !*population || strchr(population, '/'))
        return RV_FAIL(err, RV_EINVAL, "report '%s': bad population name '%s'", r->name,
                       population ? population : "(null)");
    for (size_t i = 0; i < r->ncell; ++i)
        if (r->cell[i].gid == gid)
            return RV_FAIL(err, RV_EINVAL, "report '%s': gid %llu added twice", r->name,
                           (unsigned long long)gid);
    if (rv_grow((void **)&r->cell, &r->cap_cell, r->ncell + 1, sizeof *r->cell))
        return RV_FAIL(err, RV_ENOMEM, "out of memory");
    rep_cell *c = &r->cell[r->ncell];
    memset(c, 0, sizeof *c);
    c->pop = dupstr(population);
    if (!c->pop) return RV_FAIL(err, RV_ENOMEM, "out of memory");
    c->gid = gid;
    c->node = node_id;
    c->e0 = r->nel;
    r->ncell++;
    return RV_OK;
}

rv_status rv__rep_add_element(rv_drv_report *r, uint32_t element_id, rv_error *err) {
    if (r->started)
        return RV_FAIL(err, RV_ESTATE, "report '%s': elements added after start", r->name);
    if (!r->ncell) return RV_FAIL(err, RV_ESTATE, "report '%s': element before any cell", r->name);
    if (rv_grow((void **)&r->el, &r->cap_el, r->nel + 1, sizeof *r->el))
        return RV_FAIL(err, RV_ENOMEM, "out of memory");
    rep_elem *e = &r->el[r->nel++];
    e->id = element_id;
    e->t0 = r->ntm;
    e->nt = 0;
    r->cell[r->ncell - 1].ne++;
    return RV_OK;
}

rv_status rv__rep_add_term(rv_drv_report *r, const double *ptr, double factor, rv_error *err) {
    if (r->started) return RV_FAIL(err, RV_ESTATE, "report '%s': terms added after start", r->name);
    if (!r->nel) return RV_FAIL(err, RV_ESTATE, "report '%s': term before any element", r->name);
    if (!ptr) return RV_FAIL(err, RV_EINVAL, "report '%s': NULL variable pointer", r->name);
    if (!isfinite(factor))
        return RV_FAIL(err, RV_ERANGE, "report '%s': factor %g is not finite", r->name, factor);
    if (rv_grow((void **)&r->tm, &r->cap_tm, r->ntm + 1, sizeof *r->tm))
        return RV_FAIL(err, RV_ENOMEM, "out of memory");
    r->tm[r->ntm].p = ptr;
    r->tm[r->ntm].f = factor;
    r->ntm++;
    r->el[r->nel - 1].nt++;
    return RV_OK;
}

size_t rv__rep_n_elements(const rv_drv_report *r) {
    return r->nel;
}

static int cmp_gid(const void *a, const void *b, void *ud) {
    const rep_cell *c = ud;
    uint64_t x = c[*(const size_t *)a].gid, y = c[*(const size_t *)b].gid;
    return x < y ? -1 : x > y;
}

/* simple insertion sort on indices (stable; cell counts per rank are small
 * enough, and qsort_r is not portable C) */
static void sort_cells(rv_drv_report *r) {
    for (size_t i = 0; i < r->ncell; ++i) r->order[i] = i;
    for (size_t i = 1; i < r->ncell; ++i) {
        size_t v = r->order[i], j = i;
        while (j > 0 && cmp_gid(&r->order[j - 1], &v, r->cell) > 0) {
            r->order[j] = r->order[j - 1];
            --j;
        }
        r->order[j] = v;
    }
}

/* Create the writer with the cells sorted by gid (not collective). */
static rv_status rep_start(rv_drv_report *r, rv_error *err) {
    if (r->started) return RV_OK;
    r->order = rv_malloc((r->ncell + 1) * sizeof *r->order);
    r->vals = rv_calloc(r->nel + 1, sizeof *r->vals);
    r->alu = rv_calloc(r->nel + 1, sizeof *r->alu);
    uint32_t *ids = rv_malloc((r->nel + 1) * sizeof *ids);
    if (!r->order || !r->vals || !r->alu || !ids) {
        rv_free(ids);
        return RV_FAIL(err, RV_ENOMEM, "out of memory");
    }
    sort_cells(r);
    rv_sonata_report_params wp = {0};
    wp.tstart = r->p.start;
    wp.tend = r->p.end;
    wp.dt = r->p.dt_report;
    wp.data_units = r->units;
    wp.buffer_bytes = r->p.buffer_bytes;
    rv_status st =
        rv_sonata_report_writer_create(&r->w, r->path, &wp, r->have_comm ? &r->comm : NULL, err);
    for (size_t k = 0; !st && k < r->ncell; ++k) {
        const rep_cell *c = &r->cell[r->order[k]];
        for (size_t e = 0; e < c->ne; ++e) ids[e] = r->el[c->e0 + e].id;
        st = rv_sonata_report_writer_add_node(r->w, c->pop, c->node, ids, c->ne, err);
    }
    rv_free(ids);
    if (st) {
        rv_error_where(err, r->path, 0, r->name);
        return st;
    }
    r->n_frames = rv_sonata_report_writer_n_frames(r->w);
    r->started = 1;
    return RV_OK;
}

size_t rv__rep_n_frames(const rv_drv_report *r) {
    return r->n_frames;
}

static double elem_value(const rv_drv_report *r, size_t e) {
    const rep_elem *el = &r->el[e];
    double s = 0.;
    for (size_t k = 0; k < el->nt; ++k) s += *r->tm[el->t0 + k].p * r->tm[el->t0 + k].f;
    return s;
}

static void reset_run(rv_drv_report *r) {
    r->help_td = 0.;
    r->alu_td = 0.;
    r->step = 0;
    r->last_rec = r->p.start / r->p.dt;
    r->last_step = r->p.end / r->p.dt;
}

/* The helper's k-th firing: record a frame when step k is due
 * (libsonatareport's SonataData::is_due_to_report / record_data). */
static rv_status helper_fire(rv_drv_report *r, rv_error *err) {
    double step = (double)r->step;
    int lfp = r->p.type == RV_REP_LFP;
    if (lfp && r->step > 0 && r->step % r->period == 0) /* CoreNEURON's lfp_calc */
        for (size_t e = 0; e < r->nel; ++e) r->alu[e] = elem_value(r, e);
    if (step < r->last_rec || step > r->last_step) return RV_OK;
    if ((int)(step - r->last_rec) % r->period != 0) return RV_OK;
    r->last_rec += r->period;
    if (r->frames >= r->n_frames) return RV_OK;
    size_t j = 0;
    int summ = r->p.type == RV_REP_SUMMATION || lfp;
    for (size_t k = 0; k < r->ncell; ++k) {
        const rep_cell *c = &r->cell[r->order[k]];
        for (size_t e = 0; e < c->ne; ++e)
            r->vals[j++] = summ ? r->alu[c->e0 + e] : elem_value(r, c->e0 + e);
    }
    rv_status st = rv_sonata_report_writer_frame(r->w, r->vals, err);
    if (st) return st;
    r->frames++;
    return RV_OK;
}

/* Fire every helper / ALU event due at or before til, in time order (the
 * ALU first at equal times). */
static rv_status rep_events(rv_drv_report *r, double til, rv_error *err) {
    int summ = r->p.type == RV_REP_SUMMATION;
    for (;;) {
        int alu_due = summ && r->alu_td <= til;
        int help_due = r->help_td <= til;
        if (!alu_due && !help_due) return RV_OK;
        if (alu_due && (!help_due || r->alu_td <= r->help_td)) {
            for (size_t e = 0; e < r->nel; ++e) r->alu[e] = elem_value(r, e);
            r->alu_td = r->alu_td + (r->p.dt_report - 1e-5);
        } else {
            rv_status st = helper_fire(r, err);
            if (st) return st;
            r->step++;
            r->help_td = r->help_td + r->p.dt;
        }
    }
}

/* ---- sets ------------------------------------------------------------------ */
rv_status rv__reps_add(rv_drv_reports *s, rv_drv_report *r, rv_error *err) {
    size_t cap = (size_t)s->cap;
    if (rv_grow((void **)&s->r, &cap, (size_t)s->n + 1, sizeof *s->r))
        return RV_FAIL(err, RV_ENOMEM, "out of memory");
    s->cap = (int)cap;
    s->r[s->n++] = r;
    return RV_OK;
}

void rv__reps_init_hook(void *ud, rv_model *m) {
    rv_drv_reports *s = ud;
    double t = rv_model_t(m);
    for (int i = 0; i < s->n && !s->hook_st; ++i) {
        rv_drv_report *r = s->r[i];
        rv_status st = rep_start(r, &s->hook_err);
        if (!st && r->frames > 0)
            st = RV_FAIL(&s->hook_err, RV_ESTATE,
                         "report '%s': the model was initialized again after frames were taken",
                         r->name);
        if (!st) {
            reset_run(r);
            st = rep_events(r, t, &s->hook_err);
        }
        s->hook_st = st;
    }
}

rv_status rv__reps_after_step(rv_drv_reports *s, double t, rv_error *err) {
    if (s->hook_st) {
        if (err) *err = s->hook_err;
        return s->hook_st;
    }
    for (int i = 0; i < s->n; ++i) {
        rv_drv_report *r = s->r[i];
        if (!r->started)
            return RV_FAIL(err, RV_ESTATE,
                           "report '%s': rv__reps_init_hook was not called by finitialize",
                           r->name);
        rv_status st = rep_events(r, t + 0.5 * r->p.dt, err);
        if (st) return st;
    }
    return RV_OK;
}

rv_status rv__reps_finish(rv_drv_reports *s, rv_error *err) {
    rv_status st = RV_OK;
    for (int i = 0; i < s->n && !st; ++i) {
        rv_drv_report *r = s->r[i];
        if (!r->started) st = rep_start(r, err);
        if (st) break;
        /* frames never reached (run shorter than the window): zeros */
        for (size_t j = 0; j < r->nel; ++j) r->vals[j] = 0.;
        while (!st && r->frames < r->n_frames) {
            st = rv_sonata_report_writer_frame(r->w, r->vals, err);
            if (!st) r->frames++;
        }
        if (!st) st = rv_sonata_report_writer_close(r->w, err);
        if (st) rv_error_where(err, r->path, 0, r->name);
    }
    return st;
}

void rv__reps_free(rv_drv_reports *s) {
    for (int i = 0; i < s->n; ++i) rv__rep_destroy(s->r[i]);
    rv_free(s->r);
    memset(s, 0, sizeof *s);
}
