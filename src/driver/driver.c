/* SPDX-License-Identifier: MIT
 * driver/driver.c -- `ranvier run` for Allen/BMTK SONATA circuits (see
 * ranvier/driver.h for the semantics, taken from BMTK's bionet); Blue Brain
 * circuits are handed to bbp.c.
 *
 * Cells: point neurons (nrn:IntFire1) and Allen perisomatic cells
 * (biophysical, ctdb:Biophys1.hoc + aibs_perisomatic, built by
 * allen_cell.c; mechanisms/allen registered before the user's folders;
 * spike detector at soma[0](0.5) with run.spike_threshold).  Edges onto
 * biophysical cells: one synapse per edge at (hobj.all[sec_id], sec_x) (or
 * afferent_section_id/pos), or, for edges with nsyns and no positions,
 * nsyns synapses placed as BMTK's BioCell._set_connections does
 * (target_sections and distance_range of the edge type; segments drawn with
 * probability proportional to their length in the range by the cell's
 * numpy RandomState(gid), np_random.c); the synapse by model_template:
 * Exp2Syn (exp2syn: tau1, tau2, e = erev of dynamics_params) or ExpSyn
 * (expsyn: tau = tau1, e = erev); NetCon weight syn_weight (weight_function
 * wmax / default), delay.  Reports: BMTK's membrane_report (MembraneReport:
 * every segment of the selected section types, element id = index in
 * hobj.all; SomaReport for sections "soma"), sampled after each step as
 * BMTK's post_fadvance, written with the sonata layer's report writer.
 * Inputs: spike files of virtual populations, IClamp (current_clamp lists
 * at section_name[section_index](section_dist), default soma[0](0.5)).
 *
 * Phases: config -> node populations (gid pool, model types) -> mechanisms
 * -> local cells -> recurrent edges -> inputs (virtual cells and their
 * edges, IClamps) -> run -> spikes gathered to rank 0 and written.
 * Every phase ends with an agreement between ranks so that all of them
 * report the same error.
 */
#include "ranvier/driver.h"

#include "allen_cell_int.h"
#include "driver_int.h"
#include "ckpt_int.h" /* --save / --restore */
#include "np_random_int.h"
#include "ranvier/engine.h"
#include "ranvier/nmodl.h"
#include "ranvier/sonata_circuit.h"
#include "ranvier/sonata_config.h"
#include "ranvier/sonata_nodesets.h"
#include "ranvier/sonata_output.h"
#include "ranvier/sonata_resolve.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#ifndef RV_DRV_MECHANISMS_DIR
#define RV_DRV_MECHANISMS_DIR "mechanisms"
#endif

/* ---- state --------------------------------------------------------------- */

typedef struct npop {
    char *name;
    rv_sonata_file *file;
    rv_sonata_pop *pop;
    const rv_sonata_cfg_population *cfg;
    uint64_t size, gid_offset;
    int is_virtual;      /* every node virtual */
    int *local_pp;       /* [size]: point process of a local cell, -1 otherwise */
    int *local_bio;      /* [size]: index in drv.bio of a local biophysical cell, -1 otherwise */
    uint64_t *local_ids; /* local cells, ascending */
    size_t n_local;
    int fed; /* a spike input drives it (virtual only) */
} npop;

typedef struct epop {
    char *name;
    const char *path; /* its edges file (the config's string) */
    rv_sonata_file *file;
    rv_sonata_pop *pop;
    long src, trg; /* indices into npops */
} epop;

typedef struct json_param {
    char *name;
    double sign;
    int has_sign;
    int has_exp2;            /* tau1, tau2 and erev are numbers */
    int has_exp1;            /* tau1 and erev are numbers (BMTK expsyn: ExpSyn tau = tau1) */
    double tau1, tau2, erev; /* Exp2Syn (BMTK exp2syn) */
    char level[32];          /* level_of_detail, "" when absent */
    const char *no_exp2;     /* the first of tau1, tau2, erev that is not a number */
} json_param;

typedef struct bio_cell {
    rv__allen_cell c;
    int64_t gid;
    int rec; /* --record-soma */
    /* BMTK's placement by target_sections/distance_range (made when needed) */
    rv__np_rs *prng;     /* np.random.RandomState(gid) of BioCell.init_connections */
    rv__allen_seg *segs; /* Morphology.seg_props */
    int nsegs;
} bio_cell;

/* A BMTK membrane_report (MembraneReport / SomaReport of record_cellvars) */
typedef struct arep {
    const rv_sonata_cfg_report *cfg;
    rv_sonata_report_writer *w;
    const double **ptr; /* this rank's elements, cells by ascending node id */
    size_t n, cap;
    double *vals;
    long dt_step, start_step;
    double end_step;
    size_t n_frames, frames;
} arep;

typedef struct drv {
    const rv_drv_options *o;
    rv_sonata_config *cfg;
    const rv_sonata_circuit_config *circ;
    const rv_sonata_simulation_config *sim;
    rv_sonata_nodesets *ns;
    npop *np;
    size_t n_np;
    epop *ep;
    size_t n_ep;
    rv_model *m;
    rv_comm comm;
    int have_comm;
    int rank, size;
    rv_nmodl_lib *libs[16];
    int n_libs;
    int vecstim_loaded;
    rv_vec *vecs; /* spike trains played by VecStims (outlive the model) */
    int *vec_pp;  /* the VecStim of each (play() lowers the model: called last) */
    size_t n_vecs, cap_vecs, cap_vec_pp;
    json_param *syn; /* synaptic_models_dir JSON cache */
    size_t n_syn, cap_syn;
    uint64_t n_cells, n_virtual, n_netcons;
    bio_cell *bio; /* this rank's biophysical cells (Allen perisomatic) */
    size_t n_bio, cap_bio;
    int allen_loaded;
    arep *reps;
    size_t n_reps;
} drv;

/* ---- JSON parameter files ------------------------------------------------ */

static rv_status read_json(const char *path, json_t **out, rv_error *err) {
    json_error_t je;
    *out = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    if (!*out) {
        FILE *f = fopen(path, "r");
        if (!f) {
            RV_FAIL(err, RV_ENOENT, "cannot open parameter file: %s", strerror(errno));
            rv_error_where(err, path, 0, NULL);
            return RV_ENOENT;
        }
        fclose(f);
        RV_FAIL(err, RV_EFORMAT, "invalid JSON: %s (column %d)", je.text, je.column);
        rv_error_where(err, path, je.line, NULL);
        return RV_EFORMAT;
    }
    if (!json_is_object(*out)) {
        json_decref(*out);
        *out = NULL;
        RV_FAIL(err, RV_EFORMAT, "parameter file is not a JSON object");
        rv_error_where(err, path, 1, NULL);
        return RV_EFORMAT;
    }
    return RV_OK;
}

static rv_status json_number(json_t *o, const char *path, const char *key, double *v,
                             rv_error *err) {
    json_t *x = json_object_get(o, key);
    if (!x || !json_is_number(x)) {
        RV_FAIL(err, x ? RV_EFORMAT : RV_ENOENT, "%s key '%s' (a number)",
                x ? "expected a number for" : "missing", key);
        rv_error_where(err, path, 0, key);
        return err ? err->code : RV_EFORMAT;
    }
    *v = json_number_value(x);
    return RV_OK;
}

/* The synaptic model `name` (dynamics_params of an edge). */
static rv_status syn_params(drv *d, const char *name, const json_param **out, rv_error *err) {
    for (size_t i = 0; i < d->n_syn; ++i)
        if (strcmp(d->syn[i].name, name) == 0) return *out = &d->syn[i], RV_OK;
    const char *dir = d->circ->components.synaptic_models_dir;
    if (!dir)
        return RV_FAIL(err, RV_ENOENT,
                       "edge dynamics_params '%s' needs components.synaptic_models_dir, which "
                       "the circuit config does not set",
                       name);
    char *path = rv__drv_join(dir, name);
    if (!path) return RV_FAIL(err, RV_ENOMEM, "out of memory");
    json_t *o = NULL;
    rv_status st = read_json(path, &o, err);
    if (st == RV_OK && rv_grow((void **)&d->syn, &d->cap_syn, d->n_syn + 1, sizeof *d->syn))
        st = RV_FAIL(err, RV_ENOMEM, "out of memory");
    if (st == RV_OK) {
        json_param *p = &d->syn[d->n_syn];
        memset(p, 0, sizeof *p);
        json_t *s = json_object_get(o, "sign");
        if (s && !json_is_number(s)) {
            st = RV_FAIL(err, RV_EFORMAT, "expected a number for key 'sign'");
            rv_error_where(err, path, 0, "sign");
        } else if (!(p->name = rv_strdup(name))) {
            st = RV_FAIL(err, RV_ENOMEM, "out of memory");
        } else {
            p->has_sign = s != NULL;
            p->sign = s ? json_number_value(s) : 1;
            json_t *t1 = json_object_get(o, "tau1"), *t2 = json_object_get(o, "tau2"),
                   *ev = json_object_get(o, "erev"), *lv = json_object_get(o, "level_of_detail");
            p->has_exp2 = json_is_number(t1) && json_is_number(t2) && json_is_number(ev);
            p->has_exp1 = json_is_number(t1) && json_is_number(ev);
            p->no_exp2 = !json_is_number(t1) ? "tau1" : !json_is_number(t2) ? "tau2" : "erev";
            if (json_is_number(t1)) p->tau1 = json_number_value(t1);
            if (json_is_number(t2)) p->tau2 = json_number_value(t2);
            if (json_is_number(ev)) p->erev = json_number_value(ev);
            if (json_is_string(lv))
                snprintf(p->level, sizeof p->level, "%s", json_string_value(lv));
            *out = p;
            d->n_syn++;
        }
    }
    json_decref(o);
    rv_free(path);
    return st;
}

/* ---- collective agreement ------------------------------------------------ */

static rv_sonata_comm scomm_of(const drv *d) {
    rv_sonata_comm s;
    memset(&s, 0, sizeof s);
    s.rank = d->comm.rank;
    s.size = d->comm.size;
    s.ud = d->comm.ud;
    s.allgather_int = d->comm.allgather_int;
    s.allgatherv_bytes = d->comm.allgatherv_bytes;
    return s;
}

static rv_status agree(drv *d, rv_status st, rv_error *err) {
    if (!d->have_comm) return st;
    rv_sonata_comm s = scomm_of(d);
    return rv_sonata_comm_agree(&s, st, err);
}

static uint64_t sum_u64(drv *d, uint64_t v) {
    if (!d->have_comm) return v;
    int *all = rv_malloc(sizeof(int) * (size_t)d->size);
    uint64_t total = v;
    if (all && v < 0x7fffffff && d->comm.allgather_int(d->comm.ud, (int)v, all) == 0) {
        total = 0;
        for (int r = 0; r < d->size; ++r) total += (uint64_t)all[r];
    }
    rv_free(all);
    return total;
}

/* ---- nodes --------------------------------------------------------------- */

static rv_status open_nodes(drv *d, rv_error *err) {
    const rv_sonata_circuit_config *c = d->circ;
    rv_status st;
    uint64_t offset = 0;
    for (size_t fi = 0; fi < c->n_node_files; ++fi) {
        const rv_sonata_cfg_network_file *nf = &c->node_files[fi];
        rv_sonata_file *f = NULL;
        if ((st = rv_sonata_nodes_open(nf->elements_path, nf->types_path, &f, err))) return st;
        size_t n = rv_sonata_file_population_count(f);
        for (size_t k = 0; k < n; ++k) {
            const char *name = rv_sonata_file_population_name(f, k);
            for (size_t j = 0; j < d->n_np; ++j)
                if (strcmp(d->np[j].name, name) == 0) {
                    rv_sonata_file_close(f);
                    RV_FAIL(err, RV_EFORMAT, "node population '%s' is defined twice", name);
                    rv_error_where(err, nf->elements_path, 0, name);
                    return RV_EFORMAT;
                }
            npop *p = &d->np[d->n_np];
            memset(p, 0, sizeof *p);
            p->name = rv_strdup(name);
            if (!p->name) {
                rv_sonata_file_close(f);
                return RV_FAIL(err, RV_ENOMEM, "out of memory");
            }
            d->n_np++;
            p->cfg = rv_sonata_resolve_node_population(c, fi, name);
            if ((st = rv_sonata_pop_open(f, name, &p->pop, err))) {
                rv_sonata_file_close(f);
                return st;
            }
            p->size = rv_sonata_pop_size(p->pop);
            p->gid_offset = offset; /* BMTK GidPool: populations back to back */
            offset += p->size;
            if (d->n_np == 64) {
                rv_sonata_file_close(f);
                return RV_FAIL(err, RV_EUNSUPPORTED, "more than 64 node populations");
            }
        }
        rv_sonata_file_close(f); /* populations keep it open */
    }
    if (offset > (uint64_t)INT64_MAX / 2) return RV_FAIL(err, RV_ERANGE, "too many nodes");
    return RV_OK;
}

static long find_np(const drv *d, const char *name) {
    for (size_t i = 0; i < d->n_np; ++i)
        if (strcmp(d->np[i].name, name) == 0) return (long)i;
    return -1;
}

/* A node set on population p.  BMTK also takes a population name as a node
 * set (every node of it) when no node set of that name is defined. */
static rv_status select_nodeset(drv *d, const char *name, npop *p, rv_sonata_sel *out,
                                rv_error *err) {
    if (d->cfg->flavour == RV_SONATA_CFG_FLAVOUR_ALLEN &&
        rv_sonata_nodesets_find(d->ns, name) < 0 && find_np(d, name) >= 0) {
        rv_sonata_range all = {0, p->size};
        int mine = strcmp(p->name, name) == 0 && p->size > 0;
        return rv_sonata_sel_from_ranges(&all, mine ? 1 : 0, out, err);
    }
    return rv_sonata_nodesets_select(d->ns, name, p->pop, out, err);
}

/* One IntFire1 from its dynamics_params file (seconds -> ms, as BMTK). */
static rv_status make_intfire1(drv *d, npop *p, uint64_t row, const char *dyn, int *pp,
                               rv_error *err) {
    const char *dir = p->cfg && p->cfg->point_neuron_models_dir
                          ? p->cfg->point_neuron_models_dir
                          : d->circ->components.point_neuron_models_dir;
    if (!dyn) {
        RV_FAIL(err, RV_ENOENT,
                "node %llu of population '%s' (nrn:IntFire1) has no dynamics_params",
                (unsigned long long)row, p->name);
        rv_error_where(err, NULL, 0, "dynamics_params");
        return RV_ENOENT;
    }
    if (!dir)
        return RV_FAIL(err, RV_ENOENT,
                       "population '%s': dynamics_params '%s' needs "
                       "components.point_neuron_models_dir, which the circuit config does not set",
                       p->name, dyn);
    char *path = rv__drv_join(dir, dyn);
    if (!path) return RV_FAIL(err, RV_ENOMEM, "out of memory");
    json_t *o = NULL;
    double tau = 0, refrac = 0;
    rv_status st = read_json(path, &o, err);
    if (!st) st = json_number(o, path, "tau", &tau, err);
    if (!st) st = json_number(o, path, "refrac", &refrac, err);
    if (!st && (!(tau > 0) || !(refrac >= 0))) {
        st = RV_FAIL(err, RV_ERANGE, "tau must be > 0 and refrac >= 0 (seconds), got %g and %g",
                     tau, refrac);
        rv_error_where(err, path, 0, tau > 0 ? "refrac" : "tau");
    }
    json_decref(o);
    rv_free(path);
    if (st) return st;
    if ((st = rv_pp_create(d->m, "IntFire1", -1, 0, pp, err))) return st;
    if ((st = rv_pp_set(d->m, *pp, "tau", tau * 1000.0, err))) return st;
    return rv_pp_set(d->m, *pp, "refrac", refrac * 1000.0, err);
}

/* dir/name, or name when absolute (os.path.join) */
static char *join_rel(const char *dir, const char *name) {
    if (name[0] == '/' || !dir) return rv_strdup(name);
    return rv__drv_join(dir, name);
}

/* One Allen perisomatic cell (ctdb:Biophys1.hoc + aibs_perisomatic) as BMTK
 * builds it, its spike detector at soma[0](0.5) (run.spike_threshold). */
static rv_status make_bio(drv *d, npop *p, uint64_t r, const char *tplv,
                          const rv_sonata_template *tp, const char *proc, const char *morph,
                          const char *dyn, rv_error *err) {
    const char *what = NULL, *key = NULL;
    if (tp->kind != RV_SONATA_TEMPLATE_CTDB || strcmp(tp->name, "Biophys1") != 0)
        what = "model_template", key = tplv ? tplv : "(none)";
    else if (!proc || strcmp(proc, "aibs_perisomatic") != 0)
        what = "model_processing", key = proc ? proc : "(none)";
    if (what) {
        RV_FAIL(err, RV_EUNSUPPORTED,
                "node %llu of population '%s' (biophysical): %s '%s' is not supported (only "
                "model_template ctdb:Biophys1.hoc with model_processing aibs_perisomatic)",
                (unsigned long long)r, p->name, what, key);
        rv_error_where(err, NULL, 0, what);
        return RV_EUNSUPPORTED;
    }
    if (!morph || !*morph || !dyn || !*dyn) {
        what = !morph || !*morph ? "morphology" : "dynamics_params";
        RV_FAIL(err, RV_ENOENT, "node %llu of population '%s' (biophysical) has no %s",
                (unsigned long long)r, p->name, what);
        rv_error_where(err, NULL, 0, what);
        return RV_ENOENT;
    }
    const rv_sonata_cfg_components *cc = &d->circ->components;
    const char *mdir =
        p->cfg && p->cfg->morphologies_dir ? p->cfg->morphologies_dir : cc->morphologies_dir;
    const char *ddir = p->cfg && p->cfg->biophysical_neuron_models_dir
                           ? p->cfg->biophysical_neuron_models_dir
                           : cc->biophysical_neuron_models_dir;
    if ((!mdir && morph[0] != '/') || (!ddir && dyn[0] != '/'))
        return RV_FAIL(err, RV_ENOENT,
                       "population '%s': biophysical nodes need components.%s, which the "
                       "circuit config does not set",
                       p->name,
                       !mdir && morph[0] != '/' ? "morphologies_dir"
                                                : "biophysical_neuron_models_dir");
    char *swc = join_rel(mdir, morph), *fitp = join_rel(ddir, dyn);
    rv_status st = RV_OK;
    if (!swc || !fitp) st = RV_FAIL(err, RV_ENOMEM, "out of memory");
    struct stat sb;
    const char *base = swc ? strrchr(swc, '/') : NULL;
    if (!st && stat(swc, &sb) != 0 && !strchr(base ? base : swc, '.')) {
        /* BMTK accepts a morphology named without its extension */
        size_t n = strlen(swc);
        char *t = rv_malloc(n + 5);
        if (!t) {
            st = RV_FAIL(err, RV_ENOMEM, "out of memory");
        } else {
            memcpy(t, swc, n);
            memcpy(t + n, ".swc", 5);
            rv_free(swc);
            swc = t;
        }
    }
    if (!st && rv_grow((void **)&d->bio, &d->cap_bio, d->n_bio + 1, sizeof *d->bio))
        st = RV_FAIL(err, RV_ENOMEM, "out of memory");
    if (!st) {
        bio_cell *b = &d->bio[d->n_bio];
        memset(b, 0, sizeof *b);
        b->rec = -1;
        b->gid = (int64_t)(p->gid_offset + r);
        char prefix[64];
        snprintf(prefix, sizeof prefix, "Biophys1[%zu].", d->n_bio);
        rv__allen_opts ao = {prefix, d->sim->run.dL};
        st = rv__allen_cell_build(d->m, swc, fitp, &ao, &b->c, err);
        if (!st) {
            p->local_bio[r] = (int)d->n_bio++;
            st =
                rv_gid_from_section(d->m, b->gid, b->c.soma, 0.5, d->sim->run.spike_threshold, err);
        }
        if (!st && d->o->record_soma) st = rv_record_range(d->m, b->c.soma, 0.5, "v", &b->rec, err);
    }
    rv_free(swc), rv_free(fitp);
    return st;
}

/* Does any population hold biophysical nodes?  (Their mechanisms are
 * registered before the user's, which replace them.) */
static rv_status any_bio(drv *d, int *out, rv_error *err) {
    *out = 0;
    for (size_t i = 0; i < d->n_np && !*out; ++i) {
        npop *p = &d->np[i];
        rv_sonata_range all = {0, p->size};
        rv_sonata_sel sel = {p->size ? &all : NULL, p->size ? 1 : 0};
        char **mt = NULL, **tpl = NULL;
        rv_status st = rv_sonata_nodes_read_models(p->pop, &sel, &mt, &tpl, err);
        if (st) return st;
        for (uint64_t r = 0; r < p->size && !*out; ++r) {
            const char *t = rv_sonata_resolve_model_type(p->cfg, mt[r]);
            *out = t && strcmp(t, "biophysical") == 0;
        }
        rv_free(mt), rv_free(tpl);
    }
    return RV_OK;
}

/* Classify populations, instantiate this rank's cells. */
static rv_status build_cells(drv *d, rv_error *err) {
    rv_status st = RV_OK;
    for (size_t i = 0; i < d->n_np && !st; ++i) {
        npop *p = &d->np[i];
        rv_sonata_range all = {0, p->size};
        rv_sonata_sel sel = {p->size ? &all : NULL, p->size ? 1 : 0};
        char **mt = NULL, **tpl = NULL, **dyn = NULL, **morph = NULL, **proc = NULL;
        if ((st = rv_sonata_nodes_read_models(p->pop, &sel, &mt, &tpl, err))) break;
        int has_dyn = rv_sonata_pop_attr_find(p->pop, "dynamics_params") >= 0;
        if (has_dyn && (st = rv_sonata_pop_read_str(p->pop, "dynamics_params", &sel, &dyn, err))) {
            rv_free(mt), rv_free(tpl);
            break;
        }
        if (rv_sonata_pop_attr_find(p->pop, "morphology") >= 0)
            st = rv_sonata_pop_read_str(p->pop, "morphology", &sel, &morph, err);
        if (!st && rv_sonata_pop_attr_find(p->pop, "model_processing") >= 0)
            st = rv_sonata_pop_read_str(p->pop, "model_processing", &sel, &proc, err);
        if (st) {
            rv_free(mt), rv_free(tpl), rv_free(dyn), rv_free(morph);
            break;
        }
        uint64_t n_virt = 0;
        for (uint64_t r = 0; r < p->size; ++r) {
            const char *t = rv_sonata_resolve_model_type(p->cfg, mt[r]);
            if (t && strcmp(t, "virtual") == 0) n_virt++;
        }
        p->is_virtual = p->size > 0 && n_virt == p->size;
        if (n_virt && !p->is_virtual) {
            st = RV_FAIL(err, RV_EUNSUPPORTED,
                         "population '%s' mixes virtual and non-virtual nodes (not supported yet)",
                         p->name);
        }
        /* the simulation's node_set (default: every non-virtual node) */
        rv_sonata_sel target = {NULL, 0};
        if (!st && !p->is_virtual && d->sim->node_set)
            st = select_nodeset(d, d->sim->node_set, p, &target, err);
        else if (!st && !p->is_virtual)
            st = rv_sonata_sel_from_ranges(&all, p->size ? 1 : 0, &target, err);
        uint64_t nsel = rv_sonata_sel_count(&target);
        uint64_t *ids = NULL;
        if (!st && !p->is_virtual) {
            ids = rv_malloc(sizeof *ids * (nsel ? nsel : 1));
            p->local_pp = rv_malloc(sizeof *p->local_pp * (p->size ? p->size : 1));
            p->local_bio = rv_malloc(sizeof *p->local_bio * (p->size ? p->size : 1));
            p->local_ids = rv_malloc(sizeof *p->local_ids * (nsel ? nsel : 1));
            if (!ids || !p->local_pp || !p->local_bio || !p->local_ids)
                st = RV_FAIL(err, RV_ENOMEM, "out of memory");
        }
        if (!st && !p->is_virtual) {
            rv_sonata_sel_to_ids(&target, ids);
            for (uint64_t r = 0; r < p->size; ++r) p->local_pp[r] = p->local_bio[r] = -1;
            for (uint64_t k = 0; k < nsel && !st; ++k) {
                if ((int)(k % (uint64_t)d->size) != d->rank) continue; /* round-robin */
                uint64_t r = ids[k];
                const char *t = rv_sonata_resolve_model_type(p->cfg, mt[r]);
                int is_bio = t && strcmp(t, "biophysical") == 0;
                if (!t || (!is_bio && strcmp(t, "point_process") && strcmp(t, "point_neuron"))) {
                    st = RV_FAIL(err, RV_EUNSUPPORTED,
                                 "node %llu of population '%s': model_type '%s' is not supported "
                                 "yet (only point_process/point_neuron with nrn:IntFire1, "
                                 "biophysical with ctdb:Biophys1.hoc, and virtual)",
                                 (unsigned long long)r, p->name, t ? t : "(none)");
                    rv_error_where(err, NULL, 0, "model_type");
                    break;
                }
                rv_sonata_template tp;
                if ((st = rv_sonata_resolve_template(p->cfg, tpl[r], &tp, err))) break;
                if (is_bio) {
                    if ((st = make_bio(d, p, r, tpl[r], &tp, proc ? proc[r] : NULL,
                                       morph ? morph[r] : NULL, dyn ? dyn[r] : NULL, err)))
                        break;
                    p->local_ids[p->n_local++] = r;
                    d->n_cells++;
                    continue;
                }
                if (tp.kind != RV_SONATA_TEMPLATE_NRN || strcmp(tp.name, "IntFire1") != 0) {
                    st = RV_FAIL(err, RV_EUNSUPPORTED,
                                 "node %llu of population '%s': model_template '%s' is not "
                                 "supported yet (only nrn:IntFire1)",
                                 (unsigned long long)r, p->name, tpl[r] ? tpl[r] : "(none)");
                    rv_error_where(err, NULL, 0, "model_template");
                    break;
                }
                int pp = -1;
                if ((st = make_intfire1(d, p, r, dyn ? dyn[r] : NULL, &pp, err))) break;
                if ((st = rv_gid_from_pp(d->m, (int64_t)(p->gid_offset + r), pp, err))) break;
                p->local_pp[r] = pp;
                p->local_ids[p->n_local++] = r;
                d->n_cells++;
            }
        }
        rv_free(ids);
        rv_sonata_sel_free(&target);
        rv_free(mt), rv_free(tpl), rv_free(dyn), rv_free(morph), rv_free(proc);
    }
    return st;
}

/* ---- mechanisms ---------------------------------------------------------- */

static rv_status load_mechanisms(drv *d, rv_error *err) {
    rv_status st;
    for (size_t i = 0; i < d->o->n_mechanisms; ++i)
        if ((st = rv__drv_load_lib(d->m, d->libs, &d->n_libs,
                                   (int)(sizeof d->libs / sizeof *d->libs), &d->o->mechanisms[i], 1,
                                   RV_NMODL_REPLACE, err)))
            return st;
    return RV_OK;
}

static rv_status need_vecstim(drv *d, rv_error *err) {
    if (d->vecstim_loaded) return RV_OK;
    /* a user folder may already have provided VecStim */
    const char *dir = d->o->builtin_mechanisms           ? d->o->builtin_mechanisms
                      : getenv("RANVIER_MECHANISMS_DIR") ? getenv("RANVIER_MECHANISMS_DIR")
                                                         : RV_DRV_MECHANISMS_DIR;
    for (int i = 0; i < d->n_libs; ++i)
        for (int k = 0; k < rv_nmodl_lib_count(d->libs[i]); ++k)
            if (strcmp(rv_nmodl_lib_type(d->libs[i], k)->name, "VecStim") == 0)
                return d->vecstim_loaded = 1, RV_OK;
    char *mod = rv__drv_join(dir, "VecStim.mod");
    if (!mod) return RV_FAIL(err, RV_ENOMEM, "out of memory");
    struct stat sb;
    rv_status st = RV_OK;
    if (stat(mod, &sb) != 0) {
        st = RV_FAIL(err, RV_ENOENT,
                     "VecStim.mod (needed to replay spike inputs) not found in '%s' (set "
                     "RANVIER_MECHANISMS_DIR to ranvier's mechanisms folder)",
                     dir);
    } else {
        const char *in[1] = {mod};
        st = rv__drv_load_lib(d->m, d->libs, &d->n_libs, (int)(sizeof d->libs / sizeof *d->libs),
                              in, 1, 0, err);
    }
    rv_free(mod);
    if (!st) d->vecstim_loaded = 1;
    return st;
}

/* ---- edges --------------------------------------------------------------- */

static rv_status open_edges(drv *d, rv_error *err) {
    const rv_sonata_circuit_config *c = d->circ;
    rv_status st;
    for (size_t fi = 0; fi < c->n_edge_files; ++fi) {
        const rv_sonata_cfg_network_file *ef = &c->edge_files[fi];
        rv_sonata_file *f = NULL;
        if ((st = rv_sonata_edges_open(ef->elements_path, ef->types_path, &f, err))) return st;
        size_t n = rv_sonata_file_population_count(f);
        for (size_t k = 0; k < n; ++k) {
            if (d->n_ep == 64) {
                rv_sonata_file_close(f);
                return RV_FAIL(err, RV_EUNSUPPORTED, "more than 64 edge populations");
            }
            epop *e = &d->ep[d->n_ep];
            memset(e, 0, sizeof *e);
            e->path = ef->elements_path;
            const char *name = rv_sonata_file_population_name(f, k);
            if (!(e->name = rv_strdup(name))) {
                rv_sonata_file_close(f);
                return RV_FAIL(err, RV_ENOMEM, "out of memory");
            }
            d->n_ep++;
            if ((st = rv_sonata_pop_open(f, name, &e->pop, err))) {
                rv_sonata_file_close(f);
                return st;
            }
            const char *sp = rv_sonata_edges_source_population(e->pop);
            const char *tp = rv_sonata_edges_target_population(e->pop);
            e->src = sp ? find_np(d, sp) : -1;
            e->trg = tp ? find_np(d, tp) : -1;
            if (e->src < 0 || e->trg < 0) {
                const char *which = e->src < 0 ? "source_node_id" : "target_node_id";
                const char *pn = e->src < 0 ? sp : tp;
                rv_sonata_file_close(f);
                RV_FAIL(err, RV_ENOENT,
                        "edge population '%s': node population '%s' (attribute node_population "
                        "of %s) is not among the circuit's nodes",
                        name, pn ? pn : "(missing)", which);
                rv_error_where(err, ef->elements_path, 0, which);
                return RV_ENOENT;
            }
            if (d->np[e->trg].is_virtual) {
                rv_sonata_file_close(f);
                RV_FAIL(err, RV_EFORMAT, "edge population '%s' targets the virtual population '%s'",
                        name, d->np[e->trg].name);
                rv_error_where(err, ef->elements_path, 0, name);
                return RV_EFORMAT;
            }
        }
        rv_sonata_file_close(f);
    }
    return RV_OK;
}

/* The synapse of one edge onto a biophysical cell at (c.secs[sid], sx), by
 * the edge's model_template as BMTK's synapse_models: exp2syn / Exp2Syn
 * (also when absent): Exp2Syn with tau1, tau2, e = erev; expsyn: ExpSyn with
 * tau = tau1, e = erev (dynamics_params). */
static rv_status make_syn(drv *d, const epop *e, uint64_t row, const rv__allen_cell *c,
                          const char *mt, const char *dyn, int64_t sid, double sx, int *pp,
                          rv_error *err) {
    int exp1 = mt && !strcmp(mt, "expsyn");
    if (mt && *mt && !exp1 && strcmp(mt, "exp2syn") && strcmp(mt, "Exp2Syn")) {
        RV_FAIL(err, RV_EUNSUPPORTED,
                "edge %llu of '%s': synapse model_template '%s' is not supported onto "
                "biophysical cells (exp2syn, Exp2Syn, expsyn)",
                (unsigned long long)row, e->name, mt);
        rv_error_where(err, e->path, 0, "model_template");
        return RV_EUNSUPPORTED;
    }
    if (!dyn || !*dyn) {
        RV_FAIL(err, RV_ENOENT, "edge %llu of '%s' has no dynamics_params (its synapse model)",
                (unsigned long long)row, e->name);
        rv_error_where(err, e->path, 0, "dynamics_params");
        return RV_ENOENT;
    }
    const json_param *jp = NULL;
    rv_status st = syn_params(d, dyn, &jp, err);
    if (st) return st;
    if (exp1 ? !jp->has_exp1 : (!jp->has_exp2 || (jp->level[0] && strcmp(jp->level, "exp2syn")))) {
        char *path = join_rel(d->circ->components.synaptic_models_dir, dyn);
        if (exp1)
            RV_FAIL(err, RV_EFORMAT,
                    "synaptic model for expsyn edges of '%s': expected numbers tau1 and erev",
                    e->name);
        else
            RV_FAIL(err, RV_EFORMAT,
                    "synaptic model for edges of '%s' onto biophysical cells: expected "
                    "level_of_detail exp2syn with numbers tau1, tau2 and erev",
                    e->name);
        rv_error_where(err, path, 0,
                       exp1 ? (jp->has_exp1 ? "tau1" : jp->no_exp2)
                            : (jp->has_exp2 ? "level_of_detail" : jp->no_exp2));
        rv_free(path);
        return RV_EFORMAT;
    }
    if (sid < 0 || sid >= c->nsec || !(sx >= 0 && sx <= 1)) {
        RV_FAIL(err, RV_ERANGE,
                "edge %llu of '%s': section %lld at %g is not on the target cell (sec_id 0..%d, "
                "sec_x in [0, 1])",
                (unsigned long long)row, e->name, (long long)sid, sx, c->nsec - 1);
        rv_error_where(err, e->path, 0, "sec_id");
        return RV_ERANGE;
    }
    if (exp1) {
        if ((st = rv_pp_create(d->m, "ExpSyn", c->secs[sid], sx, pp, err))) return st;
        if ((st = rv_pp_set(d->m, *pp, "tau", jp->tau1, err))) return st;
        return rv_pp_set(d->m, *pp, "e", jp->erev, err);
    }
    if ((st = rv_pp_create(d->m, "Exp2Syn", c->secs[sid], sx, pp, err))) return st;
    if ((st = rv_pp_set(d->m, *pp, "tau1", jp->tau1, err))) return st;
    if ((st = rv_pp_set(d->m, *pp, "tau2", jp->tau2, err))) return st;
    return rv_pp_set(d->m, *pp, "e", jp->erev, err);
}

/* ---- BMTK's synapse placement (biocell._set_connections) ----------------- */

/* target_sections of an edge type: a list literal of section names, as
 * BMTK's ast.literal_eval takes it ("['basal', 'apical']", '["soma"]');
 * *mask gets bit t for SWC type t (Morphology.sec_type_swc). */
static rv_status parse_target_sections(const char *s, const epop *e, uint64_t row, int *mask,
                                       rv_error *err) {
    static const struct {
        const char *name;
        int type;
    } names[] = {{"soma", 1}, {"somatic", 1}, {"axon", 2}, {"axonal", 2},
                 {"dend", 3}, {"basal", 3},   {"apic", 4}, {"apical", 4}};
    *mask = 0;
    const char *p = s ? s : "";
    while (*p == ' ') ++p;
    int ok = *p == '[';
    if (ok) ++p;
    while (ok) {
        while (*p == ' ' || *p == ',') ++p;
        if (*p == ']') break;
        char q = *p;
        if (q != '\'' && q != '"') {
            ok = 0;
            break;
        }
        const char *b = ++p;
        while (*p && *p != q) ++p;
        if (*p != q) {
            ok = 0;
            break;
        }
        size_t n = (size_t)(p - b);
        ++p;
        int t = 0;
        for (size_t k = 0; k < sizeof names / sizeof *names && !t; ++k)
            if (strlen(names[k].name) == n && !strncmp(names[k].name, b, n)) t = names[k].type;
        if (!t) {
            RV_FAIL(err, RV_EFORMAT,
                    "edge %llu of '%s': unknown section name '%.*s' in target_sections %s "
                    "(BMTK knows soma, somatic, axon, axonal, dend, basal, apic, apical)",
                    (unsigned long long)row, e->name, (int)n, b, s);
            rv_error_where(err, e->path, 0, "target_sections");
            return RV_EFORMAT;
        }
        *mask |= 1 << t;
    }
    if (!ok) {
        RV_FAIL(err, RV_EFORMAT,
                "edge %llu of '%s': target_sections '%s' is not a list of quoted section names "
                "(like ['basal', 'apical'])",
                (unsigned long long)row, e->name, s ? s : "(none)");
        rv_error_where(err, e->path, 0, "target_sections");
        return RV_EFORMAT;
    }
    return RV_OK;
}

/* distance_range of an edge type: a JSON list [min, max] (um from soma[0](0)). */
static rv_status parse_distance_range(const char *s, const epop *e, uint64_t row, double r[2],
                                      rv_error *err) {
    const char *p = s ? s : "";
    char *end;
    int ok = 1;
    while (*p == ' ') ++p;
    ok = *p == '[';
    for (int k = 0; k < 2 && ok; ++k) {
        ++p;
        r[k] = strtod(p, &end);
        ok = end != p;
        p = end;
        while (*p == ' ') ++p;
        ok = ok && *p == (k ? ']' : ',');
    }
    if (!ok) {
        RV_FAIL(err, RV_EFORMAT,
                "edge %llu of '%s': distance_range '%s' is not a list of two numbers (like "
                "[0.0, 150.0])",
                (unsigned long long)row, e->name, s ? s : "(none)");
        rv_error_where(err, e->path, 0, "distance_range");
        return RV_EFORMAT;
    }
    return RV_OK;
}

/* Morphology.find_sections + prng.choice: nsyns segment indices of cell b
 * (in b->segs) for the section types in mask and distance range r, with
 * probability proportional to the length of each segment within the range. */
static rv_status choose_segments(drv *d, bio_cell *b, const epop *e, uint64_t row, int mask,
                                 const double r[2], size_t nsyns, size_t *out, rv_error *err) {
    rv_status st;
    if (!b->segs && (st = rv__allen_cell_segments(d->m, &b->c, &b->segs, &b->nsegs, err)))
        return st;
    if (!b->prng) {
        if (b->gid < 0 || b->gid > (int64_t)UINT32_MAX)
            return RV_FAIL(err, RV_ERANGE,
                           "gid %lld does not fit numpy's RandomState seed (0 .. 2^32 - 1)",
                           (long long)b->gid);
        if (!(b->prng = rv_malloc(sizeof *b->prng)))
            return RV_FAIL(err, RV_ENOMEM, "out of memory");
        rv__np_seed(b->prng, (uint32_t)b->gid);
    }
    size_t n = (size_t)b->nsegs;
    size_t *ix = rv_malloc(sizeof *ix * (n ? n : 1));
    double *len = rv_malloc(sizeof *len * (n ? n : 1));
    if (!ix || !len) {
        rv_free(ix), rv_free(len);
        return RV_FAIL(err, RV_ENOMEM, "out of memory");
    }
    size_t m = 0;
    for (size_t i = 0; i < n; ++i) {
        const rv__allen_seg *g = &b->segs[i];
        double d0 = g->dist - g->length / 2.0, d1 = g->dist + g->length / 2.0;
        double hi = d1 < r[1] ? d1 : r[1], lo = d0 > r[0] ? d0 : r[0];
        double f = hi - lo;
        f = (f > 0 ? f : 0) / g->length;
        if (!(f > 0) || g->type < 1 || g->type > 4 || !(mask & (1 << g->type))) continue;
        ix[m] = i;
        len[m++] = g->length * f;
    }
    st = RV_OK;
    if (m == 0) {
        RV_FAIL(err, RV_ENOENT,
                "edge %llu of '%s': target_sections and distance_range [%g, %g] select no "
                "segment of the target cell (gid %lld)",
                (unsigned long long)row, e->name, r[0], r[1], (long long)b->gid);
        rv_error_where(err, e->path, 0, "distance_range");
        st = RV_ENOENT;
    }
    if (!st) {
        double sum = rv__np_sum(len, m);
        for (size_t i = 0; i < m; ++i) len[i] /= sum;
        st = rv__np_choice_p(b->prng, len, m, nsyns, out, err);
        for (size_t k = 0; k < nsyns && !st; ++k) out[k] = ix[out[k]];
    }
    rv_free(ix), rv_free(len);
    return st;
}

typedef struct erow {
    uint64_t row, src, trg;
} erow;

static int erow_cmp(const void *a, const void *b) {
    const erow *x = a, *y = b;
    if (x->trg != y->trg) return x->trg < y->trg ? -1 : 1;
    return x->row < y->row ? -1 : x->row > y->row;
}

/* NetCons of edge population e onto this rank's cells, in BMTK's order
 * (targets ascending, then edges ascending).  Virtual sources get the gid of
 * their VecStim. */
static rv_status connect_edges(drv *d, epop *e, rv_error *err) {
    npop *tp = &d->np[e->trg], *sp = &d->np[e->src];
    if (tp->n_local == 0) return RV_OK;
    rv_sonata_sel sel = {NULL, 0};
    rv_status st = rv_sonata_edges_select(e->pop, RV_SONATA_AFFERENT, tp->local_ids, tp->n_local,
                                          RV_SONATA_SCAN_IF_NO_INDEX, &sel, err);
    if (st) return st;
    uint64_t n = rv_sonata_sel_count(&sel);
    int has_nsyns = rv_sonata_pop_attr_find(e->pop, "nsyns") >= 0;
    int presel = rv_sonata_pop_attr_find(e->pop, "sec_id") >= 0 ||
                 rv_sonata_pop_attr_find(e->pop, "afferent_section_id") >= 0;
    int has_wf = rv_sonata_pop_attr_find(e->pop, "weight_function") >= 0;
    int has_dyn = rv_sonata_pop_attr_find(e->pop, "dynamics_params") >= 0;
    int has_mt = rv_sonata_pop_attr_find(e->pop, "model_template") >= 0;
    /* synapse positions on biophysical targets: SONATA's afferent_section_* or BMTK's sec_* */
    int aff = rv_sonata_pop_attr_find(e->pop, "afferent_section_id") >= 0;
    const char *sid_name = aff ? "afferent_section_id" : "sec_id";
    const char *sx_name = aff ? "afferent_section_pos" : "sec_x";
    int bio_trg = 0;
    for (uint64_t k = 0; tp->local_bio && k < tp->n_local && !bio_trg; ++k)
        bio_trg = tp->local_bio[tp->local_ids[k]] >= 0;
    /* BMTK: without positions, nsyns synapses per edge placed at random */
    int place = bio_trg && !presel && has_nsyns;
    if (bio_trg && !presel && !has_nsyns) {
        rv_sonata_sel_free(&sel);
        RV_FAIL(err, RV_EFORMAT,
                "edge population '%s' targets biophysical cells of '%s' without explicit "
                "synapse positions: it needs sec_id + sec_x (or afferent_section_id + "
                "afferent_section_pos), or nsyns with target_sections and distance_range "
                "(BMTK's random placement)",
                e->name, tp->name);
        rv_error_where(err, e->path, 0, "sec_id");
        return RV_EFORMAT;
    }
    if (place && (rv_sonata_pop_attr_find(e->pop, "target_sections") < 0 ||
                  rv_sonata_pop_attr_find(e->pop, "distance_range") < 0)) {
        const char *miss = rv_sonata_pop_attr_find(e->pop, "target_sections") < 0
                               ? "target_sections"
                               : "distance_range";
        rv_sonata_sel_free(&sel);
        RV_FAIL(err, RV_ENOENT,
                "edge population '%s' places nsyns synapses on biophysical cells of '%s' but "
                "has no %s (an edge-type column)",
                e->name, tp->name, miss);
        rv_error_where(err, e->path, 0, miss);
        return RV_ENOENT;
    }
    size_t nn = n ? (size_t)n : 1;
    uint64_t *rows = rv_malloc(sizeof *rows * nn), *src = rv_malloc(sizeof *src * nn),
             *trg = rv_malloc(sizeof *trg * nn);
    double *w = rv_malloc(sizeof *w * nn), *delay = rv_malloc(sizeof *delay * nn),
           *nsyns = rv_malloc(sizeof *nsyns * nn);
    erow *order = rv_malloc(sizeof *order * nn);
    char **wf = NULL, **dyn = NULL, **mt = NULL, **tsec = NULL, **drange = NULL;
    int64_t *sid = bio_trg && !place ? rv_malloc(sizeof *sid * nn) : NULL;
    double *sx = bio_trg && !place ? rv_malloc(sizeof *sx * nn) : NULL;
    size_t *segix = NULL, cap_segix = 0;
    if (!rows || !src || !trg || !w || !delay || !nsyns || !order ||
        (bio_trg && !place && (!sid || !sx)))
        st = RV_FAIL(err, RV_ENOMEM, "out of memory");
    if (!st && n) {
        rv_sonata_sel_to_ids(&sel, rows);
        if (!st) st = rv_sonata_edges_read_source_ids(e->pop, &sel, src, err);
        if (!st) st = rv_sonata_edges_read_target_ids(e->pop, &sel, trg, err);
        if (!st) st = rv_sonata_pop_read_f64(e->pop, "syn_weight", &sel, w, err);
        if (!st) st = rv_sonata_pop_read_f64(e->pop, "delay", &sel, delay, err);
        if (!st && has_nsyns && !presel)
            st = rv_sonata_pop_read_f64(e->pop, "nsyns", &sel, nsyns, err);
        if (!st && has_wf) st = rv_sonata_pop_read_str(e->pop, "weight_function", &sel, &wf, err);
        if (!st && has_dyn) st = rv_sonata_pop_read_str(e->pop, "dynamics_params", &sel, &dyn, err);
        if (!st && bio_trg && has_mt)
            st = rv_sonata_pop_read_str(e->pop, "model_template", &sel, &mt, err);
        if (!st && bio_trg && !place) st = rv_sonata_pop_read_i64(e->pop, sid_name, &sel, sid, err);
        if (!st && bio_trg && !place) st = rv_sonata_pop_read_f64(e->pop, sx_name, &sel, sx, err);
        if (!st && place) st = rv_sonata_pop_read_str(e->pop, "target_sections", &sel, &tsec, err);
        if (!st && place) st = rv_sonata_pop_read_str(e->pop, "distance_range", &sel, &drange, err);
        if (st && err && !err->path[0]) rv_error_where(err, NULL, 0, e->name);
    }
    for (uint64_t i = 0; i < n && !st; ++i) order[i] = (erow){i, src[i], trg[i]};
    if (!st && n) qsort(order, (size_t)n, sizeof *order, erow_cmp);
    for (uint64_t k = 0; k < n && !st; ++k) {
        uint64_t i = order[k].row;
        if (trg[i] >= tp->size) continue;
        int bi = tp->local_bio ? tp->local_bio[trg[i]] : -1;
        if (tp->local_pp[trg[i]] < 0 && bi < 0) continue;
        if (src[i] >= sp->size) {
            st = RV_FAIL(err, RV_EFORMAT,
                         "edge %llu of '%s': source node %llu is outside population '%s' (%llu "
                         "nodes)",
                         (unsigned long long)rows[i], e->name, (unsigned long long)src[i], sp->name,
                         (unsigned long long)sp->size);
            break;
        }
        if (wf && wf[i] && strcmp(wf[i], "wmax") && strcmp(wf[i], "default_weight_fnc") &&
            strcmp(wf[i], "set_syn_weight")) {
            st = RV_FAIL(err, RV_EUNSUPPORTED,
                         "edge %llu of '%s': weight_function '%s' is not supported (wmax, "
                         "default_weight_fnc, set_syn_weight)",
                         (unsigned long long)rows[i], e->name, wf[i]);
            rv_error_where(err, NULL, 0, "weight_function");
            break;
        }
        double weight = w[i];
        if (has_nsyns && !presel && bi < 0) {
            /* BMTK: syn_weight *= syn_params['sign'] * nsyns */
            if (!dyn || !dyn[i]) {
                st = RV_FAIL(err, RV_ENOENT,
                             "edge %llu of '%s' has no dynamics_params (needed for its sign)",
                             (unsigned long long)rows[i], e->name);
                rv_error_where(err, NULL, 0, "dynamics_params");
                break;
            }
            const json_param *jp = NULL;
            if ((st = syn_params(d, dyn[i], &jp, err))) break;
            if (!jp->has_sign) {
                char *path = rv__drv_join(d->circ->components.synaptic_models_dir, dyn[i]);
                st = RV_FAIL(err, RV_ENOENT,
                             "missing key 'sign' (edges of '%s' onto point neurons with nsyns "
                             "need it)",
                             e->name);
                rv_error_where(err, path, 0, "sign");
                rv_free(path);
                break;
            }
            weight *= jp->sign * nsyns[i];
        }
        if (!(delay[i] >= 0) || !isfinite(weight)) {
            st = RV_FAIL(err, RV_ERANGE, "edge %llu of '%s': delay %g / weight %g out of range",
                         (unsigned long long)rows[i], e->name, delay[i], weight);
            break;
        }
        int target = tp->local_pp[trg[i]];
        if (bi >= 0 && place) {
            /* nsyns synapses at segments chosen by the cell's RandomState(gid) */
            bio_cell *b = &d->bio[bi];
            int mask = 0;
            double r[2];
            if (!(nsyns[i] >= 0 && nsyns[i] == floor(nsyns[i]) && nsyns[i] < 1e6)) {
                st = RV_FAIL(err, RV_ERANGE, "edge %llu of '%s': nsyns %g is not a count",
                             (unsigned long long)rows[i], e->name, nsyns[i]);
                rv_error_where(err, e->path, 0, "nsyns");
                break;
            }
            size_t ns = (size_t)nsyns[i];
            if ((st = parse_target_sections(tsec ? tsec[i] : NULL, e, rows[i], &mask, err))) break;
            if ((st = parse_distance_range(drange ? drange[i] : NULL, e, rows[i], r, err))) break;
            if (rv_grow((void **)&segix, &cap_segix, ns ? ns : 1, sizeof *segix)) {
                st = RV_FAIL(err, RV_ENOMEM, "out of memory");
                break;
            }
            if ((st = choose_segments(d, b, e, rows[i], mask, r, ns, segix, err))) break;
            int *pps = ns ? rv_malloc(sizeof *pps * ns) : NULL;
            if (ns && !pps) {
                st = RV_FAIL(err, RV_ENOMEM, "out of memory");
                break;
            }
            /* BMTK: every synapse of the edge, then a NetCon onto each */
            for (size_t k = 0; k < ns && !st; ++k)
                st = make_syn(d, e, rows[i], &b->c, mt ? mt[i] : NULL, dyn ? dyn[i] : NULL,
                              b->segs[segix[k]].sec, b->segs[segix[k]].x, &pps[k], err);
            for (size_t k = 0; k < ns && !st; ++k) {
                int nc;
                st = rv_netcon_create(d->m, (int64_t)(sp->gid_offset + src[i]), pps[k], delay[i],
                                      weight, &nc, err);
                d->n_netcons++;
            }
            rv_free(pps);
            continue;
        }
        if (bi >= 0 && (st = make_syn(d, e, rows[i], &d->bio[bi].c, mt ? mt[i] : NULL,
                                      dyn ? dyn[i] : NULL, sid[i], sx[i], &target, err)))
            break;
        int nc;
        st = rv_netcon_create(d->m, (int64_t)(sp->gid_offset + src[i]), target, delay[i], weight,
                              &nc, err);
        d->n_netcons++;
    }
    rv_sonata_sel_free(&sel);
    rv_free(rows), rv_free(src), rv_free(trg), rv_free(w), rv_free(delay), rv_free(nsyns);
    rv_free(order), rv_free(wf), rv_free(dyn), rv_free(mt), rv_free(sid), rv_free(sx);
    rv_free(tsec), rv_free(drange), rv_free(segix);
    return st;
}

/* ---- spike inputs -------------------------------------------------------- */

static rv_status add_vec(drv *d, double *data, int n, int pp, rv_error *err) {
    if (rv_grow((void **)&d->vecs, &d->cap_vecs, d->n_vecs + 1, sizeof *d->vecs) ||
        rv_grow((void **)&d->vec_pp, &d->cap_vec_pp, d->n_vecs + 1, sizeof *d->vec_pp)) {
        rv_free(data);
        return RV_FAIL(err, RV_ENOMEM, "out of memory");
    }
    d->vecs[d->n_vecs] = (rv_vec){data, n};
    d->vec_pp[d->n_vecs++] = pp;
    return RV_OK;
}

/* VecStims (owned round-robin) for every node of virtual population p,
 * playing the spikes of `sp` (the file's population for p). */
static rv_status make_virtual(drv *d, const rv_sonata_cfg_input *in, npop *p,
                              const rv_sonata_spike_pop *sp, rv_error *err) {
    rv_status st = RV_OK;
    size_t sz = (size_t)p->size;
    size_t *count = rv_calloc(sz ? sz : 1, sizeof *count);
    if (!count) return RV_FAIL(err, RV_ENOMEM, "out of memory");
    for (size_t i = 0; i < sp->n; ++i) {
        if (sp->node_ids[i] < p->size) count[sp->node_ids[i]]++;
        if (sp->timestamps[i] < 0) {
            st = RV_FAIL(err, RV_ERANGE, "input '%s': negative spike time %g for node %llu",
                         in->name, sp->timestamps[i], (unsigned long long)sp->node_ids[i]);
            rv_error_where(err, in->input_file, 0, "timestamps");
            rv_free(count);
            return st;
        }
    }
    double **tr = rv_calloc(sz ? sz : 1, sizeof *tr);
    size_t *fill = rv_calloc(sz ? sz : 1, sizeof *fill);
    if (!tr || !fill) st = RV_FAIL(err, RV_ENOMEM, "out of memory");
    for (size_t r = 0; r < sz && !st; ++r)
        if ((int)(r % (size_t)d->size) == d->rank &&
            !(tr[r] = rv_malloc(sizeof(double) * (count[r] ? count[r] : 1))))
            st = RV_FAIL(err, RV_ENOMEM, "out of memory");
    for (size_t i = 0; i < sp->n && !st; ++i) {
        uint64_t r = sp->node_ids[i];
        if (r < p->size && tr[r]) tr[r][fill[r]++] = sp->timestamps[i];
    }
    for (size_t r = 0; r < sz && !st; ++r) {
        if (!tr[r]) continue;
        qsort(tr[r], count[r], sizeof(double), rv__drv_cmp_double); /* BMTK: np.sort */
        int pp = -1;
        st = rv_pp_create(d->m, "VecStim", -1, 0, &pp, err);
        if (!st) st = rv_gid_from_pp(d->m, (int64_t)(p->gid_offset + r), pp, err);
        if (!st)
            st = add_vec(d, tr[r], (int)count[r], pp, err);
        else
            rv_free(tr[r]);
        tr[r] = NULL;
        if (!st) d->n_virtual++;
    }
    for (size_t r = 0; r < sz && tr; ++r) rv_free(tr[r]);
    rv_free(tr), rv_free(fill), rv_free(count);
    return st;
}

/* The section NAME[index] of a cell ("dend", 3 -> "Biophys1[k].dend[3]"), -1 if none */
static int cell_section(drv *d, const rv__allen_cell *c, const char *name, long long index) {
    char want[96];
    snprintf(want, sizeof want, "%s[%lld]", name, index);
    for (int i = 0; i < c->nsec; ++i) {
        const char *n = rv_section_name(d->m, c->secs[i]);
        const char *dot = n ? strchr(n, '.') : NULL;
        if (dot && strcmp(dot + 1, want) == 0) return c->secs[i];
    }
    return -1;
}

/* BMTK's IClamp module (input_type current_clamp): on every local cell of
 * the node set, one IClamp per (amp, delay, duration) entry at
 * section_name[section_index](section_dist), default soma[0](0.5). */
static rv_status make_iclamps(drv *d, const rv_sonata_cfg_input *in, rv_error *err) {
    const rv_sonata_simulation_config *s = d->sim;
    if (!in->node_set) {
        RV_FAIL(err, RV_EFORMAT, "input '%s' has no node_set", in->name);
        rv_error_where(err, s->path, 0, "node_set");
        return RV_EFORMAT;
    }
    if (in->n_pulses == 0) {
        RV_FAIL(err, RV_EFORMAT, "input '%s' (IClamp) has no amp/delay/duration", in->name);
        rv_error_where(err, s->path, 0, "amp");
        return RV_EFORMAT;
    }
    if (in->input_type != RV_SONATA_CFG_INPUT_CURRENT_CLAMP) {
        RV_FAIL(err, RV_EUNSUPPORTED,
                "input '%s': IClamp input_type '%s' is not supported yet (only current_clamp)",
                in->name, in->input_type_name ? in->input_type_name : "?");
        rv_error_where(err, s->path, 0, "input_type");
        return RV_EUNSUPPORTED;
    }
    const char *sname = "soma";
    long long sindex = 0;
    double sdist = 0.5;
    for (size_t k = 0; k < in->params.n; ++k) {
        const char *key = in->params.items[k].name;
        const rv_sonata_cfg_value *v = &in->params.items[k].value;
        const char *bad = NULL;
        if (strcmp(key, "section_name") == 0) {
            if (v->type == RV_SONATA_CFG_VALUE_STRING)
                sname = v->s;
            else
                bad = "a section name (\"soma\", \"dend\", \"apic\", \"axon\"; lists with a "
                      "distance range are not supported)";
        } else if (strcmp(key, "section_index") == 0) {
            if (v->type == RV_SONATA_CFG_VALUE_INT && v->i >= 0)
                sindex = v->i;
            else
                bad = "an index >= 0 (a [min, max] distance range is not supported)";
        } else if (strcmp(key, "section_dist") == 0) {
            if ((v->type == RV_SONATA_CFG_VALUE_INT || v->type == RV_SONATA_CFG_VALUE_DOUBLE) &&
                v->d >= 0 && v->d <= 1)
                sdist = v->d;
            else
                bad = "a number in [0, 1]";
        }
        if (bad) {
            RV_FAIL(err, RV_EUNSUPPORTED, "input '%s': '%s' must be %s", in->name, key, bad);
            rv_error_where(err, s->path, 0, key);
            return RV_EUNSUPPORTED;
        }
    }
    rv_status st = RV_OK;
    for (size_t k = 0; k < d->n_np && !st; ++k) {
        npop *p = &d->np[k];
        if (p->is_virtual || !p->n_local) continue;
        rv_sonata_sel sel = {NULL, 0};
        if ((st = select_nodeset(d, in->node_set, p, &sel, err))) break;
        for (size_t j = 0; j < p->n_local && !st; ++j) {
            uint64_t r = p->local_ids[j];
            if (!rv__drv_sel_has(&sel, r)) continue;
            if (p->local_bio[r] < 0) {
                st = RV_FAIL(err, RV_EUNSUPPORTED,
                             "input '%s': node %llu of population '%s' is a point neuron "
                             "(IClamp needs a biophysical cell)",
                             in->name, (unsigned long long)r, p->name);
                rv_error_where(err, s->path, 0, "node_set");
                break;
            }
            int sec = cell_section(d, &d->bio[p->local_bio[r]].c, sname, sindex);
            if (sec < 0) {
                st = RV_FAIL(err, RV_ENOENT,
                             "input '%s': node %llu of population '%s' has no section %s[%lld]",
                             in->name, (unsigned long long)r, p->name, sname, sindex);
                rv_error_where(err, s->path, 0, "section_name");
                break;
            }
            for (size_t q = 0; q < in->n_pulses && !st; ++q) {
                int pp = -1;
                st = rv_pp_create(d->m, "IClamp", sec, sdist, &pp, err);
                if (!st) st = rv_pp_set(d->m, pp, "amp", in->amps[q], err);
                if (!st) st = rv_pp_set(d->m, pp, "del", in->delays[q], err);
                if (!st) st = rv_pp_set(d->m, pp, "dur", in->durations[q], err);
            }
        }
        rv_sonata_sel_free(&sel);
    }
    return st;
}

static rv_status build_inputs(drv *d, rv_error *err) {
    const rv_sonata_simulation_config *s = d->sim;
    rv_status st = RV_OK;
    for (size_t i = 0; i < s->n_inputs && !st; ++i) {
        const rv_sonata_cfg_input *in = &s->inputs[i];
        if (!in->enabled) continue;
        if (in->module == RV_SONATA_CFG_MODULE_ICLAMP) {
            st = make_iclamps(d, in, err);
            continue;
        }
        if (in->module != RV_SONATA_CFG_MODULE_SPIKE_FILE ||
            in->input_type != RV_SONATA_CFG_INPUT_SPIKES) {
            st = RV_FAIL(err, RV_EUNSUPPORTED,
                         "input '%s': module '%s' is not supported yet by ranvier run (only "
                         "spike files and IClamp)",
                         in->name, in->module_name ? in->module_name : "?");
            rv_error_where(err, s->path, 0, "inputs");
            break;
        }
        const char *mod = in->module_name ? in->module_name : "";
        if (strcmp(mod, "h5") && strcmp(mod, "hdf5") && strcmp(mod, "sonata")) {
            st = RV_FAIL(err, RV_EUNSUPPORTED,
                         "input '%s': spike files of module '%s' are not supported yet (h5, "
                         "sonata)",
                         in->name, mod);
            rv_error_where(err, s->path, 0, "module");
            break;
        }
        if (!in->node_set) {
            st = RV_FAIL(err, RV_EFORMAT, "input '%s' has no node_set", in->name);
            rv_error_where(err, s->path, 0, "node_set");
            break;
        }
        rv_sonata_spikes *spk = NULL;
        if ((st = rv_sonata_spikes_read(in->input_file, &spk, err))) break;
        int any = 0;
        for (size_t k = 0; k < d->n_np && !st; ++k) {
            npop *p = &d->np[k];
            if (!p->is_virtual) continue;
            rv_sonata_sel sel = {NULL, 0};
            if ((st = select_nodeset(d, in->node_set, p, &sel, err))) break;
            int in_set = rv_sonata_sel_count(&sel) > 0;
            rv_sonata_sel_free(&sel);
            if (!in_set) continue;
            any = 1;
            if (p->fed) {
                st = RV_FAIL(err, RV_EUNSUPPORTED,
                             "input '%s': population '%s' is already driven by another input",
                             in->name, p->name);
                rv_error_where(err, s->path, 0, in->name);
                break;
            }
            p->fed = 1;
            const rv_sonata_spike_pop *sp = rv_sonata_spikes_find(spk, p->name);
            if (!sp && spk->n_pops == 1 && spk->pops[0].name[0] == '\0') sp = &spk->pops[0];
            if (!sp && spk->n_pops == 0) {
                static const rv_sonata_spike_pop empty = {0};
                sp = &empty;
            }
            if (!sp) {
                st = RV_FAIL(err, RV_ENOENT,
                             "input '%s': spike file has no population '%s' (node set '%s')",
                             in->name, p->name, in->node_set);
                rv_error_where(err, in->input_file, 0, "spikes");
                break;
            }
            if (sp->units[0] && strcmp(sp->units, "ms") != 0) {
                st = RV_FAIL(err, RV_EUNSUPPORTED, "input '%s': timestamps in '%s' (only ms)",
                             in->name, sp->units);
                rv_error_where(err, in->input_file, 0, "timestamps");
                break;
            }
            if ((st = need_vecstim(d, err))) break;
            if ((st = make_virtual(d, in, p, sp, err))) break;
            for (size_t e = 0; e < d->n_ep && !st; ++e)
                if (d->ep[e].src == (long)k) st = connect_edges(d, &d->ep[e], err);
        }
        if (!st && !any) {
            st = RV_FAIL(err, RV_ENOENT,
                         "input '%s': node set '%s' selects no node of a virtual population",
                         in->name, in->node_set);
            rv_error_where(err, s->path, 0, "node_set");
        }
        rv_sonata_spikes_destroy(spk);
    }
    return st;
}

/* ---- reports (BMTK's membrane_report) ------------------------------------- */

/* BMTK's MembraneReport._is_multiple */
static int is_multiple(double a, double b) {
    if (fabs(a - b) <= 1e-8 + 1e-4 * fabs(b)) return 1; /* np.isclose(a, b, rtol=1e-4) */
    double v = a / b;
    return isfinite(v) && v == floor(v);
}

static int report_has_param(const rv_sonata_cfg_report *r, const char *key) {
    for (size_t k = 0; k < r->params.n; ++k)
        if (!strcmp(r->params.items[k].name, key)) return 1;
    return 0;
}

static rv_status rep_add_ptr(drv *d, arep *a, int sec, double x, rv_error *err) {
    if (rv_grow((void **)&a->ptr, &a->cap, a->n + 1, sizeof *a->ptr))
        return RV_FAIL(err, RV_ENOMEM, "out of memory");
    const char *var = a->cfg->variables[0];
    rv_status st = rv_range_ptr(d->m, sec, x, var, &a->ptr[a->n], err);
    if (st) {
        RV_FAIL(err, st, "report '%s': no variable '%s' at %s(%g)", a->cfg->name, var,
                rv_section_name(d->m, sec), x);
        rv_error_where(err, d->sim->path, 0, "variable_name");
        return st;
    }
    a->n++;
    return RV_OK;
}

/* One report: checks as BMTK's _set_valid_steps, the writer, this rank's
 * cells of the node set `cells` (biophysical only, as BMTK), elements:
 * sections "soma" -> soma[0](0.5) as element 0 (SomaReport); else every
 * segment of the selected section types in hobj.all order, element id = the
 * section's index in hobj.all (MembraneReport; default sections "all"). */
static rv_status build_report(drv *d, const rv_sonata_cfg_report *r, arep *a, rv_error *err) {
    const rv_sonata_simulation_config *s = d->sim;
    double dt = s->run.dt, tstop = s->run.tstop;
    memset(a, 0, sizeof *a);
    a->cfg = r;
    const char *bad = NULL, *key = "module";
    if (!r->module || strcmp(r->module, "membrane_report"))
        bad = "only module membrane_report is supported on the Allen path";
    else if (r->n_variables != 1)
        bad = "exactly one variable_name is supported", key = "variable_name";
    else if (report_has_param(r, "transform"))
        bad = "'transform' is not supported", key = "transform";
    else if (!r->file_name)
        bad = "no file_name", key = "file_name";
    if (bad) {
        RV_FAIL(err, RV_EUNSUPPORTED, "report '%s': %s", r->name, bad);
        rv_error_where(err, s->path, 0, key);
        return RV_EUNSUPPORTED;
    }
    if (r->dt < dt || !is_multiple(r->dt, dt))
        bad = "dt must be a whole multiple of the simulation dt", key = "dt";
    else if (r->start_time < 0 || !is_multiple(r->start_time, r->dt))
        bad = "start_time must be >= 0 and a multiple of dt", key = "start_time";
    else if (r->end_time > tstop || !is_multiple(r->end_time, r->dt))
        bad = "end_time must be <= tstop and a multiple of dt", key = "end_time";
    else if (!(r->end_time > r->start_time))
        bad = "end_time must be after start_time", key = "end_time";
    if (bad) {
        RV_FAIL(err, RV_ERANGE,
                "report '%s': %s (dt %g, start_time %g, end_time %g, run.dt %g, "
                "tstop %g)",
                r->name, bad, r->dt, r->start_time, r->end_time, dt, tstop);
        rv_error_where(err, s->path, 0, key);
        return RV_ERANGE;
    }
    a->dt_step = (long)(r->dt / dt);
    a->start_step = (long)(r->start_time / dt);
    a->end_step = r->end_time / dt;
    long nsteps = lround(tstop / dt);
    for (long k = 0; k < nsteps; ++k)
        if (a->start_step <= k && k < a->end_step && k % a->dt_step == 0) a->n_frames++;
    char path[1024];
    const char *fn = r->file_name;
    if (d->o->output_dir) {
        const char *b = strrchr(fn, '/');
        snprintf(path, sizeof path, "%s/%s", d->o->output_dir, b ? b + 1 : fn);
        fn = path;
    }
    rv_sonata_report_params rp = {r->start_time, r->end_time, r->dt, 0, r->unit, 0};
    rv_sonata_comm sc = scomm_of(d);
    rv_status st = rv_sonata_report_writer_create(&a->w, fn, &rp, d->have_comm ? &sc : NULL, err);
    if (st) return st;
    if (rv_sonata_report_writer_n_frames(a->w) != a->n_frames) {
        RV_FAIL(err, RV_ERANGE,
                "report '%s': the window [%g, %g] with dt %g gives %zu frames in the file but "
                "BMTK records %zu",
                r->name, r->start_time, r->end_time, r->dt, rv_sonata_report_writer_n_frames(a->w),
                a->n_frames);
        rv_error_where(err, s->path, 0, "end_time");
        return RV_ERANGE;
    }
    int all = !report_has_param(r, "sections") || r->sections == RV_SONATA_CFG_SECTIONS_ALL;
    int soma_only = !all && r->sections == RV_SONATA_CFG_SECTIONS_SOMA;
    int type = r->sections == RV_SONATA_CFG_SECTIONS_AXON   ? 2
               : r->sections == RV_SONATA_CFG_SECTIONS_DEND ? 3
               : r->sections == RV_SONATA_CFG_SECTIONS_APIC ? 4
                                                            : 1;
    uint32_t *ids = NULL;
    size_t cap_ids = 0;
    for (size_t k = 0; k < d->n_np && !st; ++k) {
        npop *p = &d->np[k];
        if (p->is_virtual || !p->n_local) continue;
        rv_sonata_sel sel = {NULL, 0};
        if (r->cells) {
            if ((st = select_nodeset(d, r->cells, p, &sel, err))) break;
        } else {
            rv_sonata_range rg = {0, p->size};
            if ((st = rv_sonata_sel_from_ranges(&rg, 1, &sel, err))) break;
        }
        for (size_t j = 0; j < p->n_local && !st; ++j) {
            uint64_t nid = p->local_ids[j];
            if (!rv__drv_sel_has(&sel, nid) || p->local_bio[nid] < 0) continue;
            bio_cell *b = &d->bio[p->local_bio[nid]];
            size_t n0 = a->n, ne = 0;
            if (soma_only) {
                st = rep_add_ptr(d, a, b->c.soma, 0.5, err);
                if (!st && !rv_grow((void **)&ids, &cap_ids, 1, sizeof *ids)) ids[0] = 0, ne = 1;
            } else {
                if (!b->segs &&
                    (st = rv__allen_cell_segments(d->m, &b->c, &b->segs, &b->nsegs, err)))
                    break;
                for (int g = 0; g < b->nsegs && !st; ++g) {
                    const rv__allen_seg *sg = &b->segs[g];
                    if (!all && sg->type != type) continue;
                    if (rv_grow((void **)&ids, &cap_ids, ne + 1, sizeof *ids)) {
                        st = RV_FAIL(err, RV_ENOMEM, "out of memory");
                        break;
                    }
                    ids[ne++] = (uint32_t)sg->sec;
                    st = rep_add_ptr(d, a, b->c.secs[sg->sec], sg->x, err);
                }
            }
            if (!st && a->n - n0 != ne) st = RV_FAIL(err, RV_ENOMEM, "out of memory");
            if (!st && ne) st = rv_sonata_report_writer_add_node(a->w, p->name, nid, ids, ne, err);
        }
        rv_sonata_sel_free(&sel);
    }
    rv_free(ids);
    if (!st && !(a->vals = rv_malloc(sizeof *a->vals * (a->n ? a->n : 1))))
        st = RV_FAIL(err, RV_ENOMEM, "out of memory");
    return st;
}

static rv_status build_reports(drv *d, rv_error *err) {
    const rv_sonata_simulation_config *s = d->sim;
    size_t n = 0;
    for (size_t i = 0; i < s->n_reports; ++i) n += s->reports[i].enabled != 0;
    if (!n) return RV_OK;
    if (!(d->reps = rv_calloc(n, sizeof *d->reps))) return RV_FAIL(err, RV_ENOMEM, "out of memory");
    rv_status st = RV_OK;
    for (size_t i = 0; i < s->n_reports && !st; ++i)
        if (s->reports[i].enabled) st = build_report(d, &s->reports[i], &d->reps[d->n_reps++], err);
    return st;
}

/* After step number tstep (0 for the first fadvance), as BMTK's
 * post_fadvance: collective. */
static rv_status sample_reports(drv *d, long tstep, rv_error *err) {
    rv_status st = RV_OK;
    for (size_t i = 0; i < d->n_reps && !st; ++i) {
        arep *a = &d->reps[i];
        if (!(a->start_step <= tstep && tstep < a->end_step && tstep % a->dt_step == 0) ||
            a->frames >= a->n_frames)
            continue;
        for (size_t k = 0; k < a->n; ++k) a->vals[k] = *a->ptr[k];
        st = rv_sonata_report_writer_frame(a->w, a->vals, err);
        a->frames++;
    }
    return st;
}

static rv_status run_with_reports(drv *d, rv_error *err) {
    double tstop = d->sim->run.tstop, dt = rv_model_dt(d->m);
    rv_status st = RV_OK;
    for (long tstep = 0; !st && rv_model_t(d->m) < tstop - dt / 2; ++tstep) {
        st = rv_model_step(d->m, err);
        st = agree(d, st, err);
        if (!st) st = sample_reports(d, tstep, err);
    }
    for (size_t i = 0; i < d->n_reps && !st; ++i)
        st = rv_sonata_report_writer_close(d->reps[i].w, err);
    return st;
}

/* ---- checks of what this slice does not do ------------------------------- */

static rv_status check_supported(drv *d, rv_error *err) {
    const rv_sonata_simulation_config *s = d->sim;
    if (s->target_simulator != RV_SONATA_CFG_SIM_NEURON &&
        s->target_simulator != RV_SONATA_CFG_SIM_UNSPECIFIED) {
        RV_FAIL(err, RV_EUNSUPPORTED, "target_simulator '%s' (ranvier simulates like NEURON)",
                rv_sonata_config_simulator_name(s->target_simulator));
        rv_error_where(err, s->path, 0, "target_simulator");
        return RV_EUNSUPPORTED;
    }
    if (s->run.tstart != 0) {
        RV_FAIL(err, RV_EUNSUPPORTED, "run.tstart %g (only 0 is supported)", s->run.tstart);
        rv_error_where(err, s->path, 0, "run.tstart");
        return RV_EUNSUPPORTED;
    }
    if (s->n_connection_overrides) {
        RV_FAIL(err, RV_EUNSUPPORTED, "connection_overrides are not supported yet");
        rv_error_where(err, s->path, 0, "connection_overrides");
        return RV_EUNSUPPORTED;
    }
    if (!s->output.spikes_file && !s->output.spikes_path) {
        RV_FAIL(err, RV_EFORMAT, "output.spikes_file is not set: nowhere to write spikes");
        rv_error_where(err, s->path, 0, "output.spikes_file");
        return RV_EFORMAT;
    }
    return RV_OK;
}

/* ---- output -------------------------------------------------------------- */

rv_status rv__drv_mkdir_p(const char *dir, rv_error *err) {
    char buf[1024];
    size_t n = strlen(dir);
    if (n >= sizeof buf) return RV_FAIL(err, RV_ERANGE, "output directory name too long");
    memcpy(buf, dir, n + 1);
    for (size_t i = 1; i <= n; ++i) {
        if (buf[i] != '/' && buf[i] != '\0') continue;
        char c = buf[i];
        buf[i] = '\0';
        if (mkdir(buf, 0777) != 0 && errno != EEXIST) {
            RV_FAIL(err, RV_EIO, "cannot create output directory: %s", strerror(errno));
            rv_error_where(err, buf, 0, NULL);
            return RV_EIO;
        }
        buf[i] = c;
    }
    struct stat sb;
    if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        RV_FAIL(err, RV_EIO, "output directory is not a directory");
        rv_error_where(err, dir, 0, NULL);
        return RV_EIO;
    }
    return RV_OK;
}

static rv_status spikes_path(drv *d, char *out, size_t n, rv_error *err) {
    const rv_sonata_cfg_output *o = &d->sim->output;
    const char *p = o->spikes_path;
    char tmp[1024];
    if (d->o->output_dir) {
        const char *name = o->spikes_file ? o->spikes_file : "spikes.h5";
        const char *slash = strrchr(name, '/');
        if (name[0] == '/') name = slash + 1; /* absolute: keep its file name */
        if ((size_t)snprintf(tmp, sizeof tmp, "%s/%s", d->o->output_dir, name) >= sizeof tmp)
            return RV_FAIL(err, RV_ERANGE, "output path too long");
        p = tmp;
    }
    if (strlen(p) >= n) return RV_FAIL(err, RV_ERANGE, "output path too long");
    memcpy(out, p, strlen(p) + 1);
    char dir[1024];
    memcpy(dir, out, strlen(out) + 1);
    char *sl = strrchr(dir, '/');
    if (sl && sl != dir) {
        *sl = '\0';
        return rv__drv_mkdir_p(dir, err);
    }
    return RV_OK;
}

static rv_status write_spikes(drv *d, rv_drv_result *res, rv_error *err) {
    rv_sonata_spikes *s = NULL;
    rv_status st = rv_sonata_spikes_create(&s, err);
    size_t n = rv_spike_count(d->m);
    for (size_t k = 0; k < d->n_np && !st; ++k) {
        npop *p = &d->np[k];
        if (p->is_virtual) continue;
        /* every non-virtual population with cells appears, in circuit order */
        st = rv_sonata_spikes_add(s, p->name, NULL, NULL, 0, err);
    }
    for (size_t i = 0; i < n && !st; ++i) {
        double t;
        int64_t gid;
        rv_spike_get(d->m, i, &t, &gid);
        for (size_t k = 0; k < d->n_np; ++k) {
            npop *p = &d->np[k];
            if ((uint64_t)gid < p->gid_offset || (uint64_t)gid >= p->gid_offset + p->size) continue;
            if (!p->is_virtual) {
                uint64_t id = (uint64_t)gid - p->gid_offset;
                st = rv_sonata_spikes_add(s, p->name, &t, &id, 1, err);
            }
            break;
        }
    }
    /* drop populations without spikes on any rank? keep those with cells */
    rv_sonata_comm sc = scomm_of(d);
    if (!st && d->have_comm) st = rv_sonata_spikes_gather(s, &sc, err);
    st = agree(d, st, err);
    if (!st && d->rank == 0) {
        /* populations that have no spike at all are left out, as BMTK does */
        size_t w = 0;
        for (size_t k = 0; k < s->n_pops; ++k) {
            if (s->pops[k].n == 0) {
                rv_free(s->pops[k].name), rv_free(s->pops[k].timestamps),
                    rv_free(s->pops[k].node_ids);
                continue;
            }
            s->pops[w++] = s->pops[k];
        }
        s->n_pops = w;
        rv_sonata_sorting order = RV_SONATA_SORT_BY_TIME;
        switch (d->sim->output.spikes_sort_order) {
        case RV_SONATA_CFG_SORT_BY_ID:
            order = RV_SONATA_SORT_BY_ID;
            break;
        case RV_SONATA_CFG_SORT_NONE:
            order = RV_SONATA_SORT_NONE;
            break;
        default:
            break;
        }
        for (size_t k = 0; k < s->n_pops; ++k) res->n_spikes += s->pops[k].n;
        st = rv_sonata_spikes_write(res->spikes_path, s, order, err);
    }
    rv_sonata_spikes_destroy(s);
    return agree(d, st, err);
}

/* --record-soma PREFIX: PREFIX.<rank> holds "gid step v" lines of the
 * biophysical cells (soma[0](0.5)) */
/* ---- the run ------------------------------------------------------------- */

static void drv_free(drv *d) {
    for (size_t i = 0; i < d->n_bio; ++i) {
        rv__allen_cell_free(&d->bio[i].c);
        rv_free(d->bio[i].prng), rv_free(d->bio[i].segs);
    }
    rv_free(d->bio);
    for (size_t i = 0; i < d->n_reps; ++i) {
        rv_sonata_report_writer_destroy(d->reps[i].w);
        rv_free(d->reps[i].ptr), rv_free(d->reps[i].vals);
    }
    rv_free(d->reps);
    rv_model_destroy(d->m);
    for (int i = 0; i < d->n_libs; ++i) rv_nmodl_close(d->libs[i]);
    for (size_t i = 0; i < d->n_ep; ++i) rv_sonata_pop_close(d->ep[i].pop), rv_free(d->ep[i].name);
    for (size_t i = 0; i < d->n_np; ++i) {
        rv_sonata_pop_close(d->np[i].pop);
        rv_free(d->np[i].name), rv_free(d->np[i].local_pp), rv_free(d->np[i].local_ids);
        rv_free(d->np[i].local_bio);
    }
    rv_free(d->np), rv_free(d->ep);
    for (size_t i = 0; i < d->n_vecs; ++i) rv_free(d->vecs[i].data);
    rv_free(d->vecs), rv_free(d->vec_pp);
    for (size_t i = 0; i < d->n_syn; ++i) rv_free(d->syn[i].name);
    rv_free(d->syn);
    rv_sonata_nodesets_destroy(d->ns);
    rv_sonata_config_destroy(d->cfg);
    if (d->have_comm) rv__drv_mpi_stop(&d->comm);
}

static rv_status load_config(drv *d, rv_error *err) {
    rv_sonata_config_problems *pr = NULL;
    rv_status st = rv_sonata_config_load(d->o->config, NULL, &d->cfg, &pr, err);
    if (st && pr && rv_sonata_config_problems_count(pr) > 1) {
        /* the first problem is in err; list the others too */
        char buf[1200];
        for (size_t i = 1; i < rv_sonata_config_problems_count(pr); ++i)
            if (d->rank == 0)
                fprintf(stderr, "%s\n",
                        rv_error_format(rv_sonata_config_problems_get(pr, i), buf, sizeof buf));
    }
    rv_sonata_config_problems_destroy(pr);
    if (st) return st;
    d->circ = d->cfg->circuit;
    d->sim = d->cfg->simulation;
    if (!d->sim) {
        RV_FAIL(err, RV_EFORMAT,
                "not a simulation config (a circuit config?): `ranvier run` needs a "
                "simulation_config.json or a BMTK config.json");
        rv_error_where(err, d->o->config, 0, "run");
        return RV_EFORMAT;
    }
    if (!d->circ) {
        RV_FAIL(err, RV_ENOENT, "the simulation config names no circuit (key \"network\")");
        rv_error_where(err, d->sim->path, 0, "network");
        return RV_ENOENT;
    }
    const char *cns = d->circ->node_sets_file;
    const char *sns = d->sim->node_sets_file;
    if (sns && cns && strcmp(sns, cns) == 0) sns = NULL;
    return rv_sonata_nodesets_load(cns, sns, d->sim->node_sets_json, &d->ns, err);
}

rv_status rv_drv_run(const rv_drv_options *o, rv_drv_result *res, rv_error *err) {
    drv d;
    memset(&d, 0, sizeof d);
    memset(res, 0, sizeof *res);
    d.o = o;
    d.size = 1;
    rv_status st = RV_OK;
    if (!o || !o->config) return RV_FAIL(err, RV_EINVAL, "no configuration file given");
    if (o->use_mpi) {
        if ((st = rv__drv_mpi_start(&d.comm, err))) return st;
        d.have_comm = 1;
        d.rank = d.comm.rank;
        d.size = d.comm.size;
    }
    res->rank = d.rank;
    res->size = d.size;
    d.np = rv_calloc(64, sizeof *d.np);
    d.ep = rv_calloc(64, sizeof *d.ep);
    if (!d.np || !d.ep) st = RV_FAIL(err, RV_ENOMEM, "out of memory");
    if (!st) st = load_config(&d, err);
    if (!st && rv__drv_is_bbp(d.cfg)) { /* Blue Brain circuits: neurodamus' rules (bbp.c) */
        rv__drv_ctx c = {o, d.cfg, d.ns, d.comm, d.have_comm, d.rank, d.size};
        st = rv__drv_bbp_run(&c, res, err);
        d.have_comm = 0; /* stopped below, once */
        drv_free(&d);
        if (c.have_comm) rv__drv_mpi_stop(&c.comm);
        return st;
    }
    if (!st) st = check_supported(&d, err);
    if (!st) st = spikes_path(&d, res->spikes_path, sizeof res->spikes_path, err);
    if (!st) { /* the output folder: ranvier.log (cli), --dump-cell-state files */
        const char *od = o->output_dir ? o->output_dir : d.sim->output.output_dir;
        snprintf(res->output_dir, sizeof res->output_dir, "%s", od ? od : ".");
        if (d.rank == 0) st = rv__drv_mkdir_p(res->output_dir, err);
    }
    if (!st && d.rank == 0 && o->lb_mode == RV_DRV_LB_WHOLECELL) { /* said, not silent */
        const char *line = "warning: --lb-mode WholeCell balances Blue Brain circuits only; "
                           "the cells of this Allen/BMTK network are dealt round-robin";
        if (o->log) o->log(o->log_ud, line);
        fprintf(stderr, "ranvier run: %s\n", line);
    }
    if (!st) st = rv_model_create(&d.m, err);
    if (!st) st = rv_model_set_dt(d.m, d.sim->run.dt, err);
    if (!st) st = rv_model_set_celsius(d.m, d.sim->conditions.celsius, err);
    if (!st && d.have_comm && d.size > 1) st = rv_model_set_comm(d.m, &d.comm, err);
    if (!st) st = rv_model_set_event_order(d.m, (rv_event_order)o->event_order, err);
    if (!st) st = open_nodes(&d, err);
    int bio = 0;
    if (!st) st = any_bio(&d, &bio, err);
    if (!st && bio && d.n_libs < (int)(sizeof d.libs / sizeof *d.libs)) {
        /* Allen channels (mechanisms/allen); the user's folders replace them */
        st = rv__allen_load_mechanisms(d.m, NULL, &d.libs[d.n_libs], err);
        if (!st) d.n_libs++;
    }
    if (!st) st = load_mechanisms(&d, err);
    if (!st) st = build_cells(&d, err);
    if (!st) st = open_edges(&d, err);
    /* recurrent edges first (BMTK's build_recurrent_edges), then inputs */
    for (size_t e = 0; e < d.n_ep && !st; ++e)
        if (!d.np[d.ep[e].src].is_virtual) st = connect_edges(&d, &d.ep[e], err);
    if (!st) st = build_inputs(&d, err);
    /* VecStim.play(vec) after the structure is complete (it lowers the model) */
    for (size_t i = 0; i < d.n_vecs && !st; ++i) {
        rv_mech_arg arg = {0, &d.vecs[i]};
        st = rv_pp_call(d.m, d.vec_pp[i], "play", &arg, 1, NULL, err);
    }
    st = agree(&d, st, err);
    if (!st && !o->dry_run) st = agree(&d, build_reports(&d, err), err);
    if (!st && o->dry_run) { /* --dry-run: all built; nothing simulated or written */
        res->dry_run = 1, res->tstop = d.sim->run.tstop;
        res->n_cells = sum_u64(&d, d.n_cells), res->n_virtual = sum_u64(&d, d.n_virtual);
        res->n_netcons = sum_u64(&d, d.n_netcons);
        drv_free(&d);
        return RV_OK;
    }
    if (!st && d.rank == 0) { /* progress: stderr with -v, ranvier.log (cli) */
        char line[256];
        snprintf(line, sizeof line, "built; simulating %g ms (dt %g)", d.sim->run.tstop,
                 d.sim->run.dt);
        if (o->log) o->log(o->log_ud, line);
        if (o->verbose) fprintf(stderr, "ranvier run: %s\n", line);
    }
    /* ckpt: --save / --restore (ckpt.c), collective; not with membrane reports yet */
    rv__drv_ckpt ck;
    if (!st && d.n_reps && (o->save_dir || o->restore_dir)) {
        RV_FAIL(err, RV_EUNSUPPORTED,
                "--save / --restore with BMTK membrane reports are not supported yet");
        rv_error_where(err, d.sim->path, 0, "reports");
        st = RV_EUNSUPPORTED;
    }
    st = rv__drv_ckpt_plan(&ck, o, &d.comm, d.have_comm, d.sim ? d.sim->run.tstop : 0,
                           d.sim ? d.sim->run.dt : 0, st, err);
    if (!st) st = rv_model_finitialize(d.m, d.sim->conditions.v_init, err);
    st = rv__drv_ckpt_restore(&ck, d.m, st, err);
    if (!st) /* --dump-cell-state at t=0 (restored: at that time) and at tstop */
        st = rv_model_prcellstate_gids(d.m, o->dump_gids, o->n_dump_gids, rv_model_t(d.m),
                                       res->output_dir, err);
    if (!st)
        st = d.n_reps ? run_with_reports(&d, err)
                      : rv__drv_ckpt_run(&ck, d.m, d.sim->run.tstop, st, err);
    if (!st) rv__drv_ckpt_result(&ck, d.m, res);
    if (!st)
        st = rv_model_prcellstate_gids(d.m, o->dump_gids, o->n_dump_gids, d.sim->run.tstop,
                                       res->output_dir, err);
    st = agree(&d, st, err);
    if (!st) {
        res->tstop = d.sim->run.tstop;
        res->n_cells = sum_u64(&d, d.n_cells);
        res->n_virtual = sum_u64(&d, d.n_virtual);
        res->n_netcons = sum_u64(&d, d.n_netcons);
        st = write_spikes(&d, res, err);
    }
    if (!st)
        st = agree(&d,
                   d.o->record_soma
                       ? rv__drv_write_soma(d.o->record_soma, d.rank, d.m, d.bio, d.n_bio,
                                            sizeof *d.bio, offsetof(bio_cell, gid),
                                            offsetof(bio_cell, rec), err)
                       : RV_OK,
                   err);
    drv_free(&d);
    return st;
}

void rv_drv_finalize(void) {
    rv__drv_mpi_finalize();
}

int rv_drv_has_mpi(void) {
    return rv__drv_mpi_available();
}
