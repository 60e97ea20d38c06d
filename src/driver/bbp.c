/* SPDX-License-Identifier: MIT
 * driver/bbp.c -- `ranvier run` for Blue Brain biophysical circuits, with
 * neurodamus's rules (see /work/shared/reference/neurodamus-facts.md §1-§5
 * for the facts; everything here is our own code).
 *
 * Phases: populations (gid offsets, populations_offset.dat) -> mechanisms
 * (--mechanisms, the circuit's mechanisms_dir) -> cells (emodel hoc
 * templates run by one hoc interpreter per rank over the rank's model) ->
 * synapses from chemical edges (ProbAMPANMDA_EMS / ProbGABAAB_EMS), their
 * NetCons and synapse_replay VecStims, in neurodamus's finalize order ->
 * gap junctions from electrical edges (Gap, g in nS, voltage transfer) ->
 * stimuli -> deferred calls that lower the model (setRNG, VecStim.play) ->
 * run -> spikes per population -> <config>.SUCCESS.
 * Anything that would change the result and is not done yet is refused with
 * RV_EUNSUPPORTED naming its key.
 */
#include "driver_int.h"
#include "ckpt_int.h" /* --save / --restore */
#include "emodel.h"   /* the cells' emodel templates */
#include "lfp.h"      /* lfp reports (lf) */
#include "loadbal.h"  /* --lb-mode: the cells of each rank */
#include "report_int.h"
#include "stimulus_int.h"
#include "synhelper.h" /* modoverride (mo) */
#include "ranvier/engine.h"
#include "ranvier/hoc.h"
#include "ranvier/nmodl.h"
#include "ranvier/random123.h"
#include "ranvier/sonata_circuit.h"
#include "ranvier/sonata_config.h"
#include "ranvier/sonata_nodesets.h"
#include "ranvier/sonata_output.h"
#include "ranvier/sonata_resolve.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef RV_DRV_MECHANISMS_DIR
#define RV_DRV_MECHANISMS_DIR "mechanisms"
#endif

/* ---- MD5 (RFC 1321), for neurodamus's population ids ---------------------- */

static uint32_t rol32(uint32_t x, int c) {
    return (x << c) | (x >> (32 - c));
}

static void md5(const unsigned char *msg, size_t len, unsigned char out[16]) {
    static const int s[64] = {7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
                              5, 9,  14, 20, 5, 9,  14, 20, 5, 9,  14, 20, 5, 9,  14, 20,
                              4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
                              6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21};
    uint32_t K[64];
    for (int i = 0; i < 64; ++i) K[i] = (uint32_t)(fabs(sin((double)(i + 1))) * 4294967296.0);
    uint32_t h0 = 0x67452301u, h1 = 0xefcdab89u, h2 = 0x98badcfeu, h3 = 0x10325476u;
    size_t total = ((len + 8) / 64 + 1) * 64;
    for (size_t off = 0; off < total; off += 64) {
        unsigned char blk[64];
        for (size_t i = 0; i < 64; ++i) {
            size_t k = off + i;
            unsigned char c = 0;
            if (k < len)
                c = msg[k];
            else if (k == len)
                c = 0x80;
            else if (k >= total - 8)
                c = (unsigned char)(((uint64_t)len * 8) >> (8 * (k - (total - 8))));
            blk[i] = c;
        }
        uint32_t M[16];
        for (int i = 0; i < 16; ++i)
            M[i] = (uint32_t)blk[4 * i] | (uint32_t)blk[4 * i + 1] << 8 |
                   (uint32_t)blk[4 * i + 2] << 16 | (uint32_t)blk[4 * i + 3] << 24;
        uint32_t A = h0, B = h1, C = h2, D = h3;
        for (int i = 0; i < 64; ++i) {
            uint32_t F;
            int g;
            if (i < 16) {
                F = (B & C) | (~B & D);
                g = i;
            } else if (i < 32) {
                F = (D & B) | (~D & C);
                g = (5 * i + 1) % 16;
            } else if (i < 48) {
                F = B ^ C ^ D;
                g = (3 * i + 5) % 16;
            } else {
                F = C ^ (B | ~D);
                g = (7 * i) % 16;
            }
            F = F + A + K[i] + M[g];
            A = D;
            D = C;
            C = B;
            B = B + rol32(F, s[i]);
        }
        h0 += A, h1 += B, h2 += C, h3 += D;
    }
    uint32_t h[4] = {h0, h1, h2, h3};
    for (int i = 0; i < 16; ++i) out[i] = (unsigned char)(h[i / 4] >> (8 * (i % 4)));
}

/* neurodamus: id = ((d[1] & 0x0F) << 8) + d[0] of the name's MD5 digest */
static unsigned pop_hash_id(const char *name) {
    unsigned char d[16];
    md5((const unsigned char *)name, strlen(name), d);
    return ((unsigned)(d[1] & 0x0F) << 8) + d[0];
}

/* ---- state ---------------------------------------------------------------- */

typedef struct bpop {
    char *name;
    rv_sonata_pop *pop;
    const rv_sonata_cfg_population *cfg;
    uint64_t size, offset, max_id;
    int is_virtual, is_bio;
    int implicit;     /* an edge population's source that is no node population */
    uint64_t *target; /* the simulation's node set on this population, ascending */
    size_t n_target;
    int *cell; /* [size]: index into cells of a local cell, else -1 */
    unsigned hash_id;
} bpop;

typedef struct bcell {
    int pop;
    uint64_t raw;
    int64_t gid;
    char ref[48]; /* top-level hoc objref holding the template instance */
    int *isec;    /* v(0.0001) table: afferent_section_id -> engine section, -1 */
    int n_isec;
    int soma;
    int rec;                   /* soma v record (--record-soma), -1 */
    double exc_mini, inh_mini; /* exc/inh_mini_frequency (0 unless both exist) */
} bcell;

typedef struct bepop {
    char *name;
    rv_sonata_pop *pop;
    const rv_sonata_cfg_population *cfg;
    int src, trg;   /* indices into pops */
    int electrical; /* type electrical: gap junctions */
    int neuromod;   /* type neuromodulatory: events onto existing synapses */
    int exp2syn;    /* type Exp2Syn_synapse: synapses by modoverride Exp2Syn (mo) */
} bepop;

/* A FUNCTION/PROCEDURE call on a point process, made once the structure is
 * complete (rv_pp_call lowers the model). */
typedef struct dcall {
    int pp;
    const char *fn;
    int nargs;
    rv_mech_arg a[6];
} dcall;

/* connection_overrides: the node sets of each, per population */
typedef struct bover {
    const rv_sonata_cfg_connection_override *cfg;
    rv_sonata_sel *src, *trg; /* [n_pops] */
} bover;

typedef struct bdrv {
    rv__drv_ctx *c;
    const rv_drv_options *o;
    const rv_sonata_circuit_config *circ;
    const rv_sonata_simulation_config *sim;
    rv_model *m;
    rv_hoc *h;
    rv_nmodl_lib *libs[16];
    int n_libs;
    bpop *pops;
    size_t n_pops;
    bepop *eps;
    size_t n_eps;
    bcell *cells;
    size_t n_cells, cap_cells;
    dcall *calls; /* setRNG, VecStim.play ...: made once the structure is complete */
    size_t n_calls, cap_calls;
    rv_vec **vecs; /* vectors handed to mechanisms (outlive the model) */
    size_t n_vecs, cap_vecs;
    bover *ov;
    size_t n_ov;
    int64_t next_private_gid; /* spike sources of replay VecStims and minis */
    struct bpp {
        int sec, pp;
        double x;
        const char *mech;
    } * pps; /* point processes placed on sections by the driver (reports) */
    size_t n_pps, cap_pps;
    rv_drv_reports reps;
    rv_sonata_compsets *compsets;
    uint64_t n_minis;
    struct breplay {
        rv_sonata_spikes *spk; /* the file's spikes at or after the input's delay */
        rv_sonata_sel *trg;    /* [n_pops]: the input's node set (target cells) */
        rv_sonata_sel *src;    /* [n_pops]: its 'source' node set, NULL: every source */
    } * replay;                /* synapse_replay inputs, in file order */
    size_t n_replay;
    uint64_t n_syn, n_netcons, n_skipped, n_gaps;
    char outdir[1024];
    /* synapses made from chemical edges, for neuromodulation edges to find
     * (kept only when the circuit has neuromodulatory edges) */
    struct bsyn {
        int cell, mgr; /* local cell index; position of its manager */
        uint64_t src;  /* source raw id */
        int64_t isec;  /* afferent_section_id */
        double x;      /* location */
        int pp, exc;   /* point process; ProbAMPANMDA_EMS (else GABAAB) */
        int spop;      /* source population */
        const char *mech;
    } * bsyn;
    size_t n_bsyn, cap_bsyn;
    int keep_bsyn, cur_mgr;
    int cur_replay; /* the current manager receives replay (first of its pair) */
    int nm_reg[64]; /* neuromodulation: per source population, the position of
                     * the manager the post population registered for it */
    int nc_slot[2]; /* nc_type_param of ProbGABAAB_EMS, ProbAMPANMDA_EMS; -1 unknown */
    uint64_t n_neuromod;
    rv__synhelper *sh; /* modoverride helper templates (synhelper.c), NULL: none */
    rv__drv_ckpt ck;   /* --save / --save-time / --restore (ckpt.c) */
} bdrv;

static rv_sonata_comm scomm(const bdrv *d) {
    rv_sonata_comm s;
    memset(&s, 0, sizeof s);
    s.size = 1;
    if (!d->c->have_comm) return s;
    s.rank = d->c->comm.rank;
    s.size = d->c->comm.size;
    s.ud = d->c->comm.ud;
    s.allgather_int = d->c->comm.allgather_int;
    s.allgatherv_bytes = d->c->comm.allgatherv_bytes;
    return s;
}

static rv_status agree(bdrv *d, rv_status st, rv_error *err) {
    if (!d->c->have_comm) return st;
    rv_sonata_comm s = scomm(d);
    return rv_sonata_comm_agree(&s, st, err);
}

static uint64_t sum_u64(bdrv *d, uint64_t v) {
    if (!d->c->have_comm) return v;
    int *all = rv_malloc(sizeof(int) * (size_t)d->c->size);
    uint64_t total = v;
    if (all && v < 0x7fffffff && d->c->comm.allgather_int(d->c->comm.ud, (int)v, all) == 0) {
        total = 0;
        for (int r = 0; r < d->c->size; ++r) total += (uint64_t)all[r];
    }
    rv_free(all);
    return total;
}

static void progress(bdrv *d, const char *fmt, double a, double b, double c) {
    if (d->c->rank != 0) return;
    char line[512];
    snprintf(line, sizeof line, fmt, a, b, c);
    if (d->o->log) d->o->log(d->o->log_ud, line); /* the cli's ranvier.log */
    if (d->o->verbose) fprintf(stderr, "ranvier run: %s\n", line);
}

/* wall-clock seconds, for the build-phase rates of the progress lines */
static double wall_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* "N things in S s (R things/s)" for a phase that took s seconds */
static void progress_rate(bdrv *d, const char *what, double n, double s) {
    char fmt[256];
    snprintf(fmt, sizeof fmt, "%%g %s in %%.3g s (%%.3g/s)", what);
    progress(d, fmt, n, s, s > 0 ? n / s : 0);
}

static rv_status unsupported(bdrv *d, const char *key, const char *what, rv_error *err) {
    RV_FAIL(err, RV_EUNSUPPORTED, "%s is not supported yet by ranvier run", what);
    rv_error_where(err, d->sim->path, 0, key);
    return RV_EUNSUPPORTED;
}

/* ---- refusals -------------------------------------------------------------- */

static rv_status check_supported(bdrv *d, rv_error *err) {
    const rv_sonata_simulation_config *s = d->sim;
    char buf[256];
    /* CORENEURON: the same model and numerics as NEURON (neurodamus hands
     * NEURON's model over), so ranvier's engine simulates it (logged) */
    if (s->target_simulator != RV_SONATA_CFG_SIM_NEURON &&
        s->target_simulator != RV_SONATA_CFG_SIM_CORENEURON &&
        s->target_simulator != RV_SONATA_CFG_SIM_UNSPECIFIED)
        return unsupported(d, "target_simulator",
                           "a target_simulator other than NEURON or CORENEURON", err);
    if (s->run.tstart != 0) return unsupported(d, "run.tstart", "run.tstart other than 0", err);
    /* run.electrodes_file: used by lfp reports without their own (lfp.c) */
    for (size_t i = 0; i < d->circ->n_edge_populations; ++i) {
        const rv_sonata_cfg_population *e = &d->circ->edge_populations[i];
        if (e->type && strcmp(e->type, "chemical") && strcmp(e->type, "electrical") &&
            strcmp(e->type, "neuromodulatory") && strcmp(e->type, "Exp2Syn_synapse")) {
            snprintf(buf, sizeof buf, "edge population '%s' of type '%s'", e->name, e->type);
            RV_FAIL(err, RV_EUNSUPPORTED,
                    "%s is not supported yet by ranvier run (chemical, electrical, "
                    "neuromodulatory, Exp2Syn_synapse)",
                    buf);
            rv_error_where(err, d->circ->path, 0, "type");
            return RV_EUNSUPPORTED;
        }
    }
    for (size_t i = 0; i < d->circ->n_node_populations; ++i) {
        const rv_sonata_cfg_population *p = &d->circ->node_populations[i];
        const char *t = p->type ? p->type : "biophysical";
        if (strcmp(t, "biophysical") && strcmp(t, "virtual")) {
            snprintf(buf, sizeof buf, "node population '%s' of type '%s'", p->name, t);
            RV_FAIL(err, RV_EUNSUPPORTED,
                    "%s is not supported yet by ranvier run (biophysical, virtual)", buf);
            rv_error_where(err, d->circ->path, 0, "type");
            return RV_EUNSUPPORTED;
        }
    }
    return RV_OK;
}

/* ---- mechanisms -------------------------------------------------------------- */

static int have_mech(bdrv *d, const char *name) {
    for (int i = 0; i < d->n_libs; ++i)
        for (int k = 0; k < rv_nmodl_lib_count(d->libs[i]); ++k)
            if (strcmp(rv_nmodl_lib_type(d->libs[i], k)->name, name) == 0) return 1;
    return 0;
}

/* One of ranvier's own mechanisms (VecStim, MembraneCurrentSource). */
static rv_status need_builtin(bdrv *d, const char *name, rv_error *err) {
    if (have_mech(d, name)) return RV_OK;
    const char *dir = d->o->builtin_mechanisms           ? d->o->builtin_mechanisms
                      : getenv("RANVIER_MECHANISMS_DIR") ? getenv("RANVIER_MECHANISMS_DIR")
                                                         : RV_DRV_MECHANISMS_DIR;
    char file[256];
    snprintf(file, sizeof file, "%s.mod", name);
    char *mod = rv__drv_join(dir, file);
    if (!mod) return RV_FAIL(err, RV_ENOMEM, "out of memory");
    struct stat sb;
    rv_status st = RV_OK;
    if (stat(mod, &sb) != 0) {
        st = RV_FAIL(err, RV_ENOENT,
                     "%s not found in '%s' (set RANVIER_MECHANISMS_DIR to ranvier's mechanisms "
                     "folder)",
                     file, dir);
    } else {
        const char *in[1] = {mod};
        st = rv__drv_load_lib(d->m, d->libs, &d->n_libs, (int)(sizeof d->libs / sizeof *d->libs),
                              in, 1, 0, err);
        for (int k = 0; !st && k < rv_nmodl_lib_count(d->libs[d->n_libs - 1]); ++k)
            st = rv_hoc_declare_mechanism(d->h, rv_nmodl_lib_type(d->libs[d->n_libs - 1], k)->name,
                                          err);
    }
    rv_free(mod);
    return st;
}

static rv_status load_mechanisms(bdrv *d, rv_error *err) {
    rv_status st;
    const char *dirs[17];
    int n = 0;
    if (d->circ->components.mechanisms_dir) dirs[n++] = d->circ->components.mechanisms_dir;
    for (size_t i = 0; i < d->o->n_mechanisms && n < 17; ++i) dirs[n++] = d->o->mechanisms[i];
    for (int i = 0; i < n; ++i) {
        struct stat sb;
        if (stat(dirs[i], &sb) != 0) {
            RV_FAIL(err, RV_ENOENT, "mechanisms folder not found: %s", strerror(errno));
            rv_error_where(err, dirs[i], 0,
                           i == 0 && d->circ->components.mechanisms_dir
                               ? "components.mechanisms_dir"
                               : "--mechanisms");
            return RV_ENOENT;
        }
        if ((st = rv__drv_load_lib(d->m, d->libs, &d->n_libs,
                                   (int)(sizeof d->libs / sizeof *d->libs), &dirs[i], 1,
                                   RV_NMODL_REPLACE, err)))
            return st;
    }
    return RV_OK;
}

static rv_status declare_mechanisms(bdrv *d, rv_error *err) {
    rv_status st;
    for (int i = 0; i < d->n_libs; ++i)
        for (int k = 0; k < rv_nmodl_lib_count(d->libs[i]); ++k)
            if ((st = rv_hoc_declare_mechanism(d->h, rv_nmodl_lib_type(d->libs[i], k)->name, err)))
                return st;
    return RV_OK;
}

/* conditions.mechanisms: hoc globals name_suffix, before any cell exists */
static rv_status mech_globals(bdrv *d, rv_error *err) {
    const rv_sonata_cfg_conditions *c = &d->sim->conditions;
    for (size_t i = 0; i < c->n_mechanisms; ++i) {
        const rv_sonata_cfg_mechanism *mc = &c->mechanisms[i];
        for (size_t k = 0; k < mc->vars.n; ++k) {
            const rv_sonata_cfg_param *p = &mc->vars.items[k];
            double v;
            if (p->value.type == RV_SONATA_CFG_VALUE_BOOL)
                v = p->value.b;
            else if (p->value.type == RV_SONATA_CFG_VALUE_INT ||
                     p->value.type == RV_SONATA_CFG_VALUE_DOUBLE)
                v = p->value.d;
            else {
                RV_FAIL(err, RV_EUNSUPPORTED,
                        "conditions.mechanisms.%s.%s: only numbers and booleans are supported",
                        mc->suffix, p->name);
                rv_error_where(err, d->sim->path, 0, p->name);
                return RV_EUNSUPPORTED;
            }
            char code[512];
            snprintf(code, sizeof code, "%s_%s", p->name, mc->suffix);
            const rv_mech_type *t = rv_model_mech_type(d->m, mc->suffix);
            int known = 0;
            for (int g = 0; t && g < t->n_globals; ++g)
                if (strcmp(t->global_names[g], p->name) == 0 ||
                    strcmp(t->global_names[g], code) == 0)
                    known = 1;
            if (!known) {
                RV_FAIL(err, RV_ENOENT, "conditions.mechanisms.%s.%s: %s", mc->suffix, p->name,
                        t ? "the mechanism has no such GLOBAL variable"
                          : "no such mechanism is loaded (--mechanisms, mechanisms_dir)");
                rv_error_where(err, d->sim->path, 0, p->name);
                return RV_ENOENT;
            }
            snprintf(code, sizeof code, "%s_%s = %.17g\n", p->name, mc->suffix, v);
            rv_status st = rv_hoc_exec(d->h, code, "conditions.mechanisms", err);
            if (st) {
                rv_error_where(err, d->sim->path, 0, p->name);
                return st;
            }
        }
    }
    return RV_OK;
}

/* ---- populations ------------------------------------------------------------- */

static long find_pop(const bdrv *d, const char *name) {
    for (size_t i = 0; i < d->n_pops; ++i)
        if (strcmp(d->pops[i].name, name) == 0) return (long)i;
    return -1;
}

static int by_name(const void *a, const void *b) {
    const bpop *const *x = a, *const *y = b;
    return strcmp((*x)->name, (*y)->name);
}

static rv_status open_nodes(bdrv *d, rv_error *err) {
    const rv_sonata_circuit_config *c = d->circ;
    rv_status st;
    for (size_t fi = 0; fi < c->n_node_files; ++fi) {
        const rv_sonata_cfg_network_file *nf = &c->node_files[fi];
        rv_sonata_file *f = NULL;
        if ((st = rv_sonata_nodes_open(nf->elements_path, nf->types_path, &f, err))) return st;
        size_t n = rv_sonata_file_population_count(f);
        for (size_t k = 0; k < n && !st; ++k) {
            const char *name = rv_sonata_file_population_name(f, k);
            if (find_pop(d, name) >= 0) {
                RV_FAIL(err, RV_EFORMAT, "node population '%s' is defined twice", name);
                rv_error_where(err, nf->elements_path, 0, name);
                st = RV_EFORMAT;
                break;
            }
            if (d->n_pops == 64) {
                st = RV_FAIL(err, RV_EUNSUPPORTED, "more than 64 node populations");
                break;
            }
            bpop *p = &d->pops[d->n_pops];
            memset(p, 0, sizeof *p);
            if (!(p->name = rv_strdup(name))) {
                st = RV_FAIL(err, RV_ENOMEM, "out of memory");
                break;
            }
            d->n_pops++;
            p->cfg = rv_sonata_resolve_node_population(c, fi, name);
            if ((st = rv_sonata_pop_open(f, name, &p->pop, err))) break;
            p->size = rv_sonata_pop_size(p->pop);
            const char *t = p->cfg && p->cfg->type ? p->cfg->type : "biophysical";
            p->is_virtual = strcmp(t, "virtual") == 0;
            p->is_bio = strcmp(t, "biophysical") == 0;
            p->hash_id = pop_hash_id(name);
        }
        rv_sonata_file_close(f);
        if (st) return st;
    }
    return RV_OK;
}

/* Node sets, targets and gid offsets (facts §1). */
static rv_status place_populations(bdrv *d, rv_error *err) {
    rv_status st = RV_OK;
    for (size_t i = 0; i < d->n_pops && !st; ++i) {
        bpop *p = &d->pops[i];
        if (p->is_virtual) {
            p->max_id = p->size ? p->size - 1 : 0;
            continue;
        }
        rv_sonata_sel sel = {NULL, 0};
        rv_sonata_range all = {0, p->size};
        if (d->sim->node_set)
            st = rv_sonata_nodesets_select(d->c->ns, d->sim->node_set, p->pop, &sel, err);
        else
            st = rv_sonata_sel_from_ranges(&all, p->size ? 1 : 0, &sel, err);
        if (st) break;
        uint64_t n = rv_sonata_sel_count(&sel);
        p->target = rv_malloc(sizeof *p->target * (n ? n : 1));
        p->cell = rv_malloc(sizeof *p->cell * (p->size ? p->size : 1));
        if (!p->target || !p->cell) {
            rv_sonata_sel_free(&sel);
            st = RV_FAIL(err, RV_ENOMEM, "out of memory");
            break;
        }
        rv_sonata_sel_to_ids(&sel, p->target);
        rv_sonata_sel_free(&sel);
        p->n_target = (size_t)n;
        for (uint64_t r = 0; r < p->size; ++r) p->cell[r] = -1;
        p->max_id = n ? p->target[n - 1] : 0;
    }
    if (st) return st;
    /* offsets: alphabetical, each the next multiple of 1000 above the previous */
    bpop *order[64];
    for (size_t i = 0; i < d->n_pops; ++i) order[i] = &d->pops[i];
    qsort(order, d->n_pops, sizeof *order, by_name);
    uint64_t off = 0;
    for (size_t i = 0; i < d->n_pops; ++i) {
        if (i) off = ((order[i - 1]->offset + order[i - 1]->max_id) / 1000 + 1) * 1000;
        order[i]->offset = off;
    }
    return RV_OK;
}

static rv_status write_offsets(bdrv *d, rv_error *err) {
    if (d->c->rank != 0) return RV_OK;
    char path[1100];
    snprintf(path, sizeof path, "%s/populations_offset.dat", d->outdir);
    char tmp[1110];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f) {
        RV_FAIL(err, RV_EIO, "cannot write: %s", strerror(errno));
        rv_error_where(err, tmp, 0, NULL);
        return RV_EIO;
    }
    for (int pass = 0; pass < 2; ++pass)
        for (size_t i = 0; i < d->n_pops; ++i) {
            bpop *p = &d->pops[i];
            if (p->is_virtual != pass || p->implicit) continue;
            fprintf(f, "%s::%llu::%s\n", p->name, (unsigned long long)p->offset,
                    pass ? "virtual" : p->name);
        }
    if (fclose(f) != 0 || rename(tmp, path) != 0) {
        remove(tmp);
        RV_FAIL(err, RV_EIO, "cannot write: %s", strerror(errno));
        rv_error_where(err, path, 0, NULL);
        return RV_EIO;
    }
    return RV_OK;
}

/* ---- cells ----------------------------------------------------------------- */

static rv_status hocf(bdrv *d, const char *what, rv_error *err, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

static rv_status hocf(bdrv *d, const char *what, rv_error *err, const char *fmt, ...) {
    char code[4096];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(code, sizeof code, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof code)
        return RV_FAIL(err, RV_ERANGE, "%s: hoc statement too long", what);
    return rv_hoc_exec(d->h, code, what, err);
}

static rv_status hoc_number(bdrv *d, const char *expr, double *v, rv_error *err) {
    rv_status st = hocf(d, expr, err, "rv__num = %s\n", expr);
    if (!st) st = rv_hoc_get_number(d->h, "rv__num", v, err);
    return st;
}

/* Instantiate the cells of this rank (facts §1, §2). */
static rv_status build_cells(bdrv *d, rv_error *err) {
    rv_status st = RV_OK;
    for (size_t pi = 0; pi < d->n_pops && !st; ++pi) {
        bpop *p = &d->pops[pi];
        if (!p->is_bio || p->n_target == 0) continue;
        rv_sonata_range all = {0, p->size};
        rv_sonata_sel sel = {&all, 1};
        char **tpl = NULL, **morph = NULL;
        if ((st = rv_sonata_nodes_read_models(p->pop, &sel, NULL, &tpl, err))) break;
        if (rv_sonata_pop_attr_find(p->pop, "morphology") < 0) {
            rv_free(tpl);
            RV_FAIL(err, RV_ENOENT, "biophysical population '%s' has no attribute 'morphology'",
                    p->name);
            rv_error_where(err, NULL, 0, "morphology");
            return RV_ENOENT;
        }
        if ((st = rv_sonata_pop_read_str(p->pop, "morphology", &sel, &morph, err))) {
            rv_free(tpl);
            break;
        }
        /* ---- load balance (driver/loadbal.c, --lb-mode): this rank's cells,
         * ascending; RoundRobin = sorted(target)[rank::size] ---- */
        size_t *lb_k = NULL, lb_n = 0;
        int lb_first = 1;
        for (size_t j = 0; j < pi; ++j) lb_first &= !(d->pops[j].is_bio && d->pops[j].n_target);
        rv__lb_pop lb_p = {p->name,     p->pop,  p->cfg,    p->target,
                           p->n_target, d->libs, d->n_libs, lb_first};
        if ((st = rv__lb_local_cells(d->c, &lb_p, &lb_k, &lb_n, err))) {
            rv_free(tpl), rv_free(morph);
            break;
        }
        for (size_t q = 0; q < lb_n && !st; ++q) {
            size_t k = lb_k[q]; /* ---- end load balance ---- */
            uint64_t r = p->target[k];
            if (rv_grow((void **)&d->cells, &d->cap_cells, d->n_cells + 1, sizeof *d->cells)) {
                st = RV_FAIL(err, RV_ENOMEM, "out of memory");
                break;
            }
            bcell *c = &d->cells[d->n_cells];
            memset(c, 0, sizeof *c);
            c->pop = (int)pi;
            c->raw = r;
            c->gid = (int64_t)(p->offset + r);
            c->rec = -1;
            snprintf(c->ref, sizeof c->ref, "rv__cell_%lld", (long long)c->gid);
            rv_sonata_template tp;
            if ((st = hocf(d, "cell", err, "objref %s\n", c->ref))) break;
            if ((st = rv__emodel_new(d->h, p->cfg, p->pop, p->name, r, tpl[r], morph[r], c->ref,
                                     &tp, err)))
                break;
            p->cell[r] = (int)d->n_cells++;
            /* the v(0.0001) section index table, before anything else */
            double nsec = 0;
            int *secs = NULL, nall = 0;
            char expr[128];
            if (!st) {
                snprintf(expr, sizeof expr, "%s.nSecAll", c->ref);
                st = hoc_number(d, expr, &nsec, err);
            }
            if (!st) {
                snprintf(expr, sizeof expr, "%s.all", c->ref);
                st = rv_hoc_sections(d->h, expr, 1, &secs, &nall, err);
            }
            if (!st && nall > 0)
                st = hocf(d, "section index", err,
                          "double rv__vidx[%d]\n{rv__k = 0 forsec %s.all { rv__vidx[rv__k] = "
                          "v(0.0001) rv__k += 1 }}\n",
                          nall, c->ref);
            if (!st && !(nsec >= 0 && nsec < 1e7))
                st = RV_FAIL(err, RV_ERANGE, "%s: nSecAll = %g", tp.name, nsec);
            if (!st) {
                c->n_isec = (int)nsec;
                c->isec = rv_malloc(sizeof *c->isec * (size_t)(c->n_isec ? c->n_isec : 1));
                if (!c->isec) st = RV_FAIL(err, RV_ENOMEM, "out of memory");
                for (int i = 0; i < c->n_isec && !st; ++i) c->isec[i] = -1;
            }
            for (int i = 0; i < nall && !st; ++i) {
                double v;
                if ((st = rv_hoc_get_element(d->h, "rv__vidx", i, &v, err))) break;
                if (v >= nsec) {
                    st = RV_FAIL(err, RV_EFORMAT,
                                 "cell %lld (%s): section %d of 'all' holds v(0.0001) = %g, not "
                                 "below nSecAll = %g (the template's section index)",
                                 (long long)c->gid, tp.name, i, v, nsec);
                    break;
                }
                if (v >= 0) c->isec[(int)v] = secs[i];
            }
            rv_free(secs);
            if (st) break;
            /* ion-channel RNG while gid is still the raw id */
            if (rv_hoc_template_has_func(d->h, tp.name, "re_init_rng") &&
                (st = hocf(d, "re_init_rng", err, "%s.re_init_rng(%lld)\n", c->ref,
                           d->sim->run.ionchannel_seed)))
                break;
            /* spike detection: soma[0](1) or axon[1](0.5) */
            int ais = d->sim->conditions.spike_location == RV_SONATA_CFG_SPIKE_AIS;
            snprintf(expr, sizeof expr, ais ? "%s.axon[1]" : "%s.soma[0]", c->ref);
            if ((st = rv_hoc_sections(d->h, expr, 0, &secs, &nall, err))) break;
            c->soma = nall == 1 ? secs[0] : -1;
            rv_free(secs);
            if (c->soma < 0) {
                st = RV_FAIL(err, RV_ENOENT, "cell %lld: no section %s", (long long)c->gid, expr);
                break;
            }
            if ((st = rv_gid_from_section(d->m, c->gid, c->soma, ais ? 0.5 : 1.0,
                                          d->sim->run.spike_threshold, err)))
                break;
            if (ais) {
                snprintf(expr, sizeof expr, "%s.soma[0]", c->ref);
                if ((st = rv_hoc_sections(d->h, expr, 0, &secs, &nall, err))) break;
                c->soma = nall == 1 ? secs[0] : c->soma;
                rv_free(secs);
            }
            st = hocf(d, "gid", err, "%s.gid = %lld\n", c->ref, (long long)c->gid);
            if (!st && rv_sonata_pop_attr_find(p->pop, "exc_mini_frequency") >= 0 &&
                rv_sonata_pop_attr_find(p->pop, "inh_mini_frequency") >= 0) {
                rv_sonata_range rg = {r, r + 1};
                rv_sonata_sel one = {&rg, 1};
                st = rv_sonata_pop_read_f64(p->pop, "exc_mini_frequency", &one, &c->exc_mini, err);
                if (!st)
                    st = rv_sonata_pop_read_f64(p->pop, "inh_mini_frequency", &one, &c->inh_mini,
                                                err);
            }
        }
        rv_free(tpl), rv_free(morph), rv_free(lb_k); /* lb_k: load balance */
    }
    return st;
}

/* ---- synapses ----------------------------------------------------------------- */

/* An implicit virtual population (facts §1): created after the offsets
 * were frozen, its offset follows its alphabetical predecessor at that
 * moment; nothing else moves.  No nodes: no NetCon from it, only replay. */
static rv_status implicit_pop(bdrv *d, const char *name, int *out, rv_error *err) {
    if (d->n_pops == 64) return RV_FAIL(err, RV_EUNSUPPORTED, "more than 64 node populations");
    bpop *p = &d->pops[d->n_pops];
    memset(p, 0, sizeof *p);
    if (!(p->name = rv_strdup(name))) return RV_FAIL(err, RV_ENOMEM, "out of memory");
    p->is_virtual = p->implicit = 1;
    p->hash_id = pop_hash_id(name);
    const bpop *prev = NULL;
    for (size_t i = 0; i < d->n_pops; ++i)
        if (strcmp(d->pops[i].name, name) < 0 && (!prev || strcmp(d->pops[i].name, prev->name) > 0))
            prev = &d->pops[i];
    p->offset = prev ? ((prev->offset + prev->max_id) / 1000 + 1) * 1000 : 0;
    *out = (int)d->n_pops++;
    return RV_OK;
}

static rv_status open_edges(bdrv *d, rv_error *err) {
    const rv_sonata_circuit_config *c = d->circ;
    rv_status st;
    for (size_t fi = 0; fi < c->n_edge_files; ++fi) {
        const rv_sonata_cfg_network_file *ef = &c->edge_files[fi];
        rv_sonata_file *f = NULL;
        if ((st = rv_sonata_edges_open(ef->elements_path, ef->types_path, &f, err))) return st;
        size_t n = rv_sonata_file_population_count(f);
        for (size_t k = 0; k < n && !st; ++k) {
            if (d->n_eps == 64) {
                st = RV_FAIL(err, RV_EUNSUPPORTED, "more than 64 edge populations");
                break;
            }
            bepop *e = &d->eps[d->n_eps];
            memset(e, 0, sizeof *e);
            const char *name = rv_sonata_file_population_name(f, k);
            if (!(e->name = rv_strdup(name))) {
                st = RV_FAIL(err, RV_ENOMEM, "out of memory");
                break;
            }
            d->n_eps++;
            for (size_t j = 0; j < c->n_edge_populations; ++j)
                if (c->edge_populations[j].file_index == fi &&
                    strcmp(c->edge_populations[j].name, name) == 0)
                    e->cfg = &c->edge_populations[j];
            e->electrical = e->cfg && e->cfg->type && strcmp(e->cfg->type, "electrical") == 0;
            e->neuromod = e->cfg && e->cfg->type && strcmp(e->cfg->type, "neuromodulatory") == 0;
            if (e->neuromod) d->keep_bsyn = 1;
            e->exp2syn = e->cfg && e->cfg->type && strcmp(e->cfg->type, "Exp2Syn_synapse") == 0;
            if ((st = rv_sonata_pop_open(f, name, &e->pop, err))) break;
            const char *sp = rv_sonata_edges_source_population(e->pop);
            const char *tp = rv_sonata_edges_target_population(e->pop);
            e->src = sp ? (int)find_pop(d, sp) : -1;
            e->trg = tp ? (int)find_pop(d, tp) : -1;
            if (sp && e->src < 0 && e->trg >= 0 && !e->electrical && !e->neuromod) {
                /* facts §1: an implicit virtual source population, made
                 * after the offsets were frozen */
                if ((st = implicit_pop(d, sp, &e->src, err))) break;
            } else if (sp && e->src < 0 && e->trg >= 0) {
                RV_FAIL(err, RV_EUNSUPPORTED,
                        "edge population '%s' (type %s): its source population '%s' is not among "
                        "the circuit's nodes; neurodamus accepts implicit virtual sources only for "
                        "chemical edges",
                        name, e->cfg->type, sp);
                rv_error_where(err, ef->elements_path, 0, "source_node_id");
                st = RV_EUNSUPPORTED;
                break;
            }
            if (e->src < 0 || e->trg < 0) {
                const char *which = e->src < 0 ? "source_node_id" : "target_node_id";
                const char *pn = e->src < 0 ? sp : tp;
                RV_FAIL(err, RV_EUNSUPPORTED,
                        "edge population '%s': node population '%s' (node_population of %s) is "
                        "not among the circuit's nodes",
                        name, pn ? pn : "(missing)", which);
                rv_error_where(err, ef->elements_path, 0, which);
                st = RV_EUNSUPPORTED;
            }
        }
        rv_sonata_file_close(f);
        if (st) return st;
    }
    return RV_OK;
}

/* neurodamus' manager order: each population's inner connectivity (first
 * P__P__chemical, or source == target == P), then the others in config
 * order. */
static size_t manager_order(bdrv *d, int *order) {
    size_t n = 0;
    char used[64] = {0};
    for (size_t p = 0; p < d->n_pops; ++p) {
        long pick = -1;
        char want[300];
        snprintf(want, sizeof want, "%s__%s__chemical", d->pops[p].name, d->pops[p].name);
        for (size_t e = 0; e < d->n_eps && pick < 0; ++e)
            if (!used[e] && strcmp(d->eps[e].name, want) == 0) pick = (long)e;
        for (size_t e = 0; e < d->n_eps && pick < 0; ++e)
            if (!used[e] && !d->eps[e].electrical && !d->eps[e].neuromod && !d->eps[e].exp2syn &&
                d->eps[e].src == (int)p && d->eps[e].trg == (int)p)
                pick = (long)e;
        if (pick >= 0) used[pick] = 1, order[n++] = (int)pick;
    }
    for (size_t e = 0; e < d->n_eps; ++e)
        if (!used[e]) order[n++] = (int)e;
    return n;
}

typedef struct edge_data {
    uint64_t n;
    uint64_t *rows, *src, *trg;
    double *cond, *u, *dep, *fac, *dtc, *delay, *nrrp, *csf, *uhill, *pos, *segoff;
    int64_t *type, *secid, *segid; /* pos NULL: the segment form (segid, segoff) */
    int64_t *ajid, *ejid;          /* gap junctions: afferent/efferent_junction_id */
    double *nmstr, *nmdtc;         /* neuromodulation: neuromod_strength, neuromod_dtc */
} edge_data;

static void edge_data_free(edge_data *x) {
    rv_free(x->rows), rv_free(x->src), rv_free(x->trg), rv_free(x->cond), rv_free(x->u);
    rv_free(x->dep), rv_free(x->fac), rv_free(x->dtc), rv_free(x->delay), rv_free(x->nrrp);
    rv_free(x->csf), rv_free(x->uhill), rv_free(x->pos), rv_free(x->type), rv_free(x->secid);
    rv_free(x->segoff), rv_free(x->segid), rv_free(x->ajid), rv_free(x->ejid);
    rv_free(x->nmstr), rv_free(x->nmdtc);
}

static rv_status read_f64(bepop *e, const char *name, const rv_sonata_sel *sel, size_t n,
                          double **out, double dflt, int mandatory, rv_error *err) {
    *out = rv_malloc(sizeof **out * (n ? n : 1));
    if (!*out) return RV_FAIL(err, RV_ENOMEM, "out of memory");
    if (rv_sonata_pop_attr_find(e->pop, name) < 0) {
        if (mandatory) {
            RV_FAIL(err, RV_ENOENT, "edge population '%s' has no attribute '%s'", e->name, name);
            rv_error_where(err, NULL, 0, name);
            return RV_ENOENT;
        }
        for (size_t i = 0; i < n; ++i) (*out)[i] = dflt;
        return RV_OK;
    }
    rv_status st = n ? rv_sonata_pop_read_f64(e->pop, name, sel, *out, err) : RV_OK;
    if (st && err && !err->key[0]) rv_error_where(err, NULL, 0, name);
    return st;
}

static rv_status read_i64(bepop *e, const char *name, const rv_sonata_sel *sel, size_t n,
                          int64_t **out, rv_error *err) {
    *out = rv_malloc(sizeof **out * (n ? n : 1));
    if (!*out) return RV_FAIL(err, RV_ENOMEM, "out of memory");
    if (rv_sonata_pop_attr_find(e->pop, name) < 0) {
        RV_FAIL(err, RV_ENOENT, "edge population '%s' has no attribute '%s'", e->name, name);
        rv_error_where(err, NULL, 0, name);
        return RV_ENOENT;
    }
    rv_status st = n ? rv_sonata_pop_read_i64(e->pop, name, sel, *out, err) : RV_OK;
    if (st && err && !err->key[0]) rv_error_where(err, NULL, 0, name);
    return st;
}

/* The afferent edges of cells ids (ascending raw ids): synapse attributes
 * (kind 0), the conductance and junction ids (kind 1, gap junctions) or the
 * delay, neuromod_strength and neuromod_dtc (kind 2, neuromodulation); the
 * placement for all. */
enum { EK_SYN = 0, EK_GAP = 1, EK_NEUROMOD = 2 };
static rv_status read_edges(bdrv *d, bepop *e, const uint64_t *ids, size_t nids, int kind,
                            edge_data *x, rv_error *err) {
    int gap = kind != EK_SYN; /* no synapse parameters */
    (void)d;
    memset(x, 0, sizeof *x);
    rv_sonata_sel sel = {NULL, 0};
    rv_status st = rv_sonata_edges_select(e->pop, RV_SONATA_AFFERENT, ids, nids,
                                          RV_SONATA_SCAN_IF_NO_INDEX, &sel, err);
    if (st) return st;
    size_t n = (size_t)rv_sonata_sel_count(&sel), nn = n ? n : 1;
    x->n = n;
    x->rows = rv_malloc(sizeof *x->rows * nn);
    x->src = rv_malloc(sizeof *x->src * nn);
    x->trg = rv_malloc(sizeof *x->trg * nn);
    x->type = rv_malloc(sizeof *x->type * nn);
    if (!x->rows || !x->src || !x->trg || !x->type) st = RV_FAIL(err, RV_ENOMEM, "out of memory");
    if (!st && n) {
        rv_sonata_sel_to_ids(&sel, x->rows);
        st = rv_sonata_edges_read_source_ids(e->pop, &sel, x->src, err);
        if (!st) st = rv_sonata_edges_read_target_ids(e->pop, &sel, x->trg, err);
    }
    if (!st && kind != EK_NEUROMOD) st = read_f64(e, "conductance", &sel, n, &x->cond, 0, 1, err);
    if (!st && kind == EK_NEUROMOD) st = read_f64(e, "delay", &sel, n, &x->delay, 0, 1, err);
    if (!st && kind == EK_NEUROMOD)
        st = read_f64(e, "neuromod_strength", &sel, n, &x->nmstr, 0, 1, err);
    if (!st && kind == EK_NEUROMOD) st = read_f64(e, "neuromod_dtc", &sel, n, &x->nmdtc, 0, 1, err);
    if (!st && kind == EK_GAP) st = read_i64(e, "afferent_junction_id", &sel, n, &x->ajid, err);
    if (!st && kind == EK_GAP) st = read_i64(e, "efferent_junction_id", &sel, n, &x->ejid, err);
    int mand = !e->exp2syn; /* mo: Exp2Syn_synapse edges have none of these */
    if (!st && !gap) st = read_f64(e, "u_syn", &sel, n, &x->u, 0, mand, err);
    if (!st && !gap) st = read_f64(e, "depression_time", &sel, n, &x->dep, 0, mand, err);
    if (!st && !gap) st = read_f64(e, "facilitation_time", &sel, n, &x->fac, 0, mand, err);
    if (!st && !gap) st = read_f64(e, "decay_time", &sel, n, &x->dtc, 0, mand, err);
    if (!st && !gap) st = read_f64(e, "delay", &sel, n, &x->delay, 0, 1, err);
    if (!st && !gap) st = read_f64(e, "n_rrp_vesicles", &sel, n, &x->nrrp, 0, mand, err);
    if (!st && !gap) st = read_f64(e, "conductance_scale_factor", &sel, n, &x->csf, -1, 0, err);
    if (!st && !gap) st = read_f64(e, "u_hill_coefficient", &sel, n, &x->uhill, 0, 0, err);
    if (!st) {
        const char *posname = rv_sonata_pop_attr_find(e->pop, "afferent_section_pos") >= 0
                                  ? "afferent_section_pos"
                                  : "afferent_section_fraction";
        int has_pos = rv_sonata_pop_attr_find(e->pop, posname) >= 0;
        int has_seg = rv_sonata_pop_attr_find(e->pop, "afferent_segment_id") >= 0 &&
                      rv_sonata_pop_attr_find(e->pop, "afferent_segment_offset") >= 0;
        if (rv_sonata_pop_attr_find(e->pop, "afferent_section_id") < 0 || (!has_pos && !has_seg)) {
            RV_FAIL(err, RV_EUNSUPPORTED,
                    "edge population '%s': synapse placement needs afferent_section_id with "
                    "afferent_section_pos, or afferent_segment_id and afferent_segment_offset "
                    "(legacy morpho_* names are not supported)",
                    e->name);
            rv_error_where(err, NULL, 0, "afferent_section_id");
            st = RV_EUNSUPPORTED;
        } else if (has_pos) {
            st = read_f64(e, posname, &sel, n, &x->pos, 0, 1, err);
        } else {
            st = read_f64(e, "afferent_segment_offset", &sel, n, &x->segoff, 0, 1, err);
            if (!st && !(x->segid = rv_malloc(sizeof *x->segid * nn)))
                st = RV_FAIL(err, RV_ENOMEM, "out of memory");
            if (!st && n)
                st = rv_sonata_pop_read_i64(e->pop, "afferent_segment_id", &sel, x->segid, err);
        }
    }
    if (!st) {
        x->secid = rv_malloc(sizeof *x->secid * nn);
        if (!x->secid) st = RV_FAIL(err, RV_ENOMEM, "out of memory");
        if (!st && n)
            st = rv_sonata_pop_read_i64(e->pop, "afferent_section_id", &sel, x->secid, err);
        if (!st && n && !gap && e->exp2syn && rv_sonata_pop_attr_find(e->pop, "syn_type_id") < 0)
            for (size_t q = 0; q < n; ++q) x->type[q] = -1; /* mo: Exp2Syn's default */
        else if (!st && n && !gap)
            st = rv_sonata_pop_read_i64(e->pop, "syn_type_id", &sel, x->type, err);
    }
    if (st && err && !err->path[0]) rv_error_where(err, NULL, 0, e->name);
    rv_sonata_sel_free(&sel);
    return st;
}

static rv_status note_pp(bdrv *d, int sec, double x, int pp, const char *mech, rv_error *err) {
    if (rv_grow((void **)&d->pps, &d->cap_pps, d->n_pps + 1, sizeof *d->pps))
        return RV_FAIL(err, RV_ENOMEM, "out of memory");
    d->pps[d->n_pps++] = (struct bpp){sec, pp, x, mech};
    return RV_OK;
}

/* A vector owned by the driver (copied from data). */
static rv_status new_vec(bdrv *d, const double *data, int n, rv_vec **out, rv_error *err) {
    rv_vec *v = rv_malloc(sizeof *v);
    double *x = rv_malloc(sizeof *x * (size_t)(n > 0 ? n : 1));
    if (!v || !x || rv_grow((void **)&d->vecs, &d->cap_vecs, d->n_vecs + 1, sizeof *d->vecs)) {
        rv_free(v), rv_free(x);
        return RV_FAIL(err, RV_ENOMEM, "out of memory");
    }
    if (n > 0) memcpy(x, data, sizeof *x * (size_t)n);
    v->data = x;
    v->n = n;
    d->vecs[d->n_vecs++] = v;
    *out = v;
    return RV_OK;
}

static rv_status defer(bdrv *d, int pp, const char *fn, int nargs, const rv_mech_arg *a,
                       rv_error *err) {
    if (rv_grow((void **)&d->calls, &d->cap_calls, d->n_calls + 1, sizeof *d->calls))
        return RV_FAIL(err, RV_ENOMEM, "out of memory");
    dcall *c = &d->calls[d->n_calls++];
    memset(c, 0, sizeof *c);
    c->pp = pp;
    c->fn = fn;
    c->nargs = nargs;
    memcpy(c->a, a, sizeof *a * (size_t)nargs);
    return RV_OK;
}

/* A spike source gid for a driver-made artificial cell (replay VecStim,
 * minis): unique over ranks, above every circuit gid. */
static rv_status private_source(bdrv *d, int pp, int64_t *gid, rv_error *err) {
    *gid = ((int64_t)1 << 40) + d->next_private_gid++ * d->c->size + d->c->rank;
    return rv_gid_from_pp(d->m, *gid, pp, err);
}

typedef struct conn {
    uint64_t src;
    size_t *edges; /* indices into edge_data, in edge order */
    size_t n, cap;
    double weight_factor;          /* 1, or the last matching override's weight */
    int has_minis, has_delay_over; /* spont_minis / synapse_delay_override set */
    double minis, delay_over;
    const char *configure[16]; /* synapse_configure snippets, override order */
    int n_configure;
    double dl_t[16], dl_w[16]; /* delayed overrides (delay > 0): times, weights */
    int n_dl;
    double nm_str, nm_dtc;   /* neuromodulation_strength/dtc of overrides, 0 unset */
    const char *mo, *mo_who; /* modoverride of the last override setting one; its name */
} conn;

/* qsort has no context argument: the edges being sorted */
static const struct edge_data *g_sort_edges;

static int edge_order(const void *a, const void *b) {
    size_t i = *(const size_t *)a, k = *(const size_t *)b;
    const struct edge_data *x = g_sort_edges;
    if (x->trg[i] != x->trg[k]) return x->trg[i] < x->trg[k] ? -1 : 1;
    if (x->src[i] != x->src[k]) return x->src[i] > x->src[k] ? -1 : 1; /* descending source */
    return i < k ? -1 : i > k;
}

/* Replay times of source raw id `src` of population `sp` (sorted), or NULL. */
/* Replay times of source raw id `src` of population `sp` onto cell c: every
 * synapse_replay input whose node set holds c, merged and sorted. */
static rv_status replay_times(bdrv *d, const bpop *sp, uint64_t src, const bcell *c, double **out,
                              int *n, rv_error *err) {
    *out = NULL;
    *n = 0;
    size_t cnt = 0;
    /* neurodamus replays the populations of its node-set targets, which are
     * made of the circuit's node populations: never an implicit source */
    if (sp->implicit || !d->cur_replay) return RV_OK;
    for (int pass = 0; pass < 2; ++pass) {
        for (size_t q = 0; q < d->n_replay; ++q) {
            if (!rv__drv_sel_has(&d->replay[q].trg[c->pop], c->raw)) continue;
            if (d->replay[q].src && !rv__drv_sel_has(&d->replay[q].src[sp - d->pops], src))
                continue; /* 'source': only connections from that node set */
            rv_sonata_spike_pop *r = rv_sonata_spikes_find(d->replay[q].spk, sp->name);
            size_t lo = 0, hi = r ? r->n : 0;
            while (lo < hi) { /* first spike of src (sorted by node id) */
                size_t mid = (lo + hi) / 2;
                if (r->node_ids[mid] < src)
                    lo = mid + 1;
                else
                    hi = mid;
            }
            for (size_t i = lo; r && i < r->n && r->node_ids[i] == src; ++i) {
                if (pass)
                    (*out)[(*n)++] = r->timestamps[i];
                else
                    cnt++;
            }
        }
        if (!pass) {
            if (!cnt) return RV_OK;
            if (!(*out = rv_malloc(sizeof **out * cnt)))
                return RV_FAIL(err, RV_ENOMEM, "out of memory");
        }
    }
    qsort(*out, (size_t)*n, sizeof **out, rv__drv_cmp_double);
    return RV_OK;
}

static int in_target(const bpop *p, uint64_t raw) {
    size_t lo = 0, hi = p->n_target;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (p->target[mid] < raw)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < p->n_target && p->target[lo] == raw;
}

/* The location x of edge i on section sec (facts §3, placement). */
static rv_status edge_pos(bdrv *d, int sec, const edge_data *x, size_t i, double *out,
                          rv_error *err) {
    double pos;
    if (x->pos) {
        pos = x->pos[i];
        pos = pos < 1e-7 ? 1e-7 : pos > 0.9999999 ? 0.9999999 : pos;
    } else { /* segment form: a 3-D point index and an offset along the section */
        int n3d = rv_section_pt3d_count(d->m, sec);
        int ori = rv_hoc_section_orientation(d->h, sec);
        double off = x->segoff[i] > 0 ? x->segoff[i] : 0, L = 0, arc = 0, xyzd[4];
        int64_t ipt = x->segid[i];
        if (ori == 1) ipt = n3d - 1 - ipt, off = -off;
        if (ipt < 0 || ipt >= n3d) {
            pos = 0.5;
        } else {
            rv_status s2 = rv_section_pt3d_get(d->m, sec, (int)ipt, xyzd, &arc, err);
            if (!s2) s2 = rv_section_get_L(d->m, sec, &L, err);
            if (s2) return s2;
            pos = (arc + off) / L;
            pos = pos < 1e-7 ? 1e-7 : pos > 0.9999999 ? 0.9999999 : pos;
        }
        if (ori == 1) pos = 1 - pos;
    }
    *out = pos;
    return RV_OK;
}

/* The NetCon weight slot that carries the event type for synapses of
 * mechanism ProbAMPANMDA_EMS (exc) or ProbGABAAB_EMS: the mechanism's GLOBAL
 * nc_type_param, as neurodamus' netcon_set_type reads it; 0 when the
 * mechanism has none (the type is then not written). */
static rv_status nc_slot(bdrv *d, int exc, int *slot, rv_error *err) {
    (void)err;
    if (d->nc_slot[exc] < 0) {
        const char *mech = exc ? "ProbAMPANMDA_EMS" : "ProbGABAAB_EMS";
        const rv_mech_type *t = rv_model_mech_type(d->m, mech);
        int has = 0;
        double v = 0;
        for (int g = 0; t && g < t->n_globals; ++g)
            if (strcmp(t->global_names[g], "nc_type_param") == 0 ||
                strncmp(t->global_names[g], "nc_type_param_", 14) == 0)
                has = 1, v = t->global_dflt ? t->global_dflt[g] : 0;
        /* a value set by conditions.mechanisms wins over the default */
        const rv_sonata_cfg_conditions *cd = &d->sim->conditions;
        for (size_t i = 0; has && i < cd->n_mechanisms; ++i)
            for (size_t k = 0;
                 strcmp(cd->mechanisms[i].suffix, mech) == 0 && k < cd->mechanisms[i].vars.n; ++k) {
                const rv_sonata_cfg_param *p = &cd->mechanisms[i].vars.items[k];
                if (strcmp(p->name, "nc_type_param") == 0 &&
                    (p->value.type == RV_SONATA_CFG_VALUE_INT ||
                     p->value.type == RV_SONATA_CFG_VALUE_DOUBLE))
                    v = p->value.d;
            }
        d->nc_slot[exc] = v >= 1 ? (int)v : 0;
    }
    *slot = d->nc_slot[exc];
    return RV_OK;
}

static rv_status set_nc_type(bdrv *d, int nc, int exc, int type, rv_error *err) {
    int slot;
    rv_status st = nc_slot(d, exc, &slot, err);
    if (!st && slot > 0) st = rv_netcon_set_weight(d->m, nc, slot, type, err);
    return st;
}

/* ---- mo: synapses through a modoverride helper (synhelper.c) ---- */
static rv_status mo_synapse(bdrv *d, bepop *e, bcell *c, const conn *cn, const edge_data *x,
                            size_t i, size_t syn_id, int sec, double pos, int *pp,
                            const char **mech, rv_error *err) {
    if (!cn->mo || !d->sh) { /* an Exp2Syn_synapse edge without modoverride Exp2Syn */
        RV_FAIL(err, RV_EINVAL,
                "edge population '%s' (type Exp2Syn_synapse): the connection %llu -> %llu has no "
                "modoverride; add a connection_overrides entry with \"modoverride\": \"Exp2Syn\" "
                "covering it",
                e->name, (unsigned long long)x->src[i], (unsigned long long)c->raw);
        rv_error_where(err, d->sim->path, 0, "connection_overrides");
        return RV_EINVAL;
    }
    rv__synparams p;
    double dt = d->sim->run.dt, ca_factor = 1;
    if (d->sim->conditions.has_extracellular_calcium) {
        double K = x->uhill[i], ca = d->sim->conditions.extracellular_calcium;
        double K4 = K * K * K * K, ca4 = ca * ca * ca * ca;
        ca_factor = (K4 + 16) / 16 * ca4 / (K4 + ca4);
    }
    p.sgid = (double)x->src[i];
    p.delay = (double)(long long)(x->delay[i] / dt + 1e-5) * dt;
    p.isec = (double)x->secid[i];
    p.ipt = x->pos ? -1 : (double)x->segid[i];
    p.offset = x->pos ? x->pos[i] : x->segoff[i];
    p.weight = x->cond[i];
    p.U = x->u[i] * ca_factor;
    p.D = x->dep[i], p.F = x->fac[i], p.DTC = x->dtc[i];
    p.synType = (double)x->type[i];
    p.nrrp = x->nrrp[i];
    p.maskValue = -1;
    p.conductance_ratio = x->csf[i];
    p.u_hill_coefficient = x->uhill[i];
    p.location = 0.5;
    char who[300];
    snprintf(who, sizeof who, "connection_overrides '%s'", cn->mo_who ? cn->mo_who : "?");
    rv_status st = rv__synhelper_make(
        d->sh, cn->mo, i, &p, ca_factor, sec, pos, (double)(c->gid + 1), (double)syn_id,
        (double)d->sim->run.random_seed, (double)d->pops[e->src].hash_id,
        (double)d->pops[e->trg].hash_id, pp, mech, err);
    if (st && err && !strstr(err->msg, cn->mo)) {
        char *m2 = rv_malloc(2048);
        if (m2) {
            snprintf(m2, 2048, "%s (modoverride '%s', edge %llu of '%s'): %s", who, cn->mo,
                     (unsigned long long)x->rows[i], e->name, err->msg);
            snprintf(err->msg, sizeof err->msg, "%s", m2);
            rv_free(m2);
        }
    }
    return st;
}

/* the NetCon's event type, in the slot of the synapse's mechanism */
static rv_status mo_set_type(bdrv *d, const conn *cn, const char *mech, int nc, int exc, int type,
                             rv_error *err) {
    if (!cn->mo || !d->sh) return set_nc_type(d, nc, exc, type, err);
    int slot;
    rv_status st = rv__synhelper_nc_slot(d->sh, mech, &slot, err);
    if (!st && slot > 0) st = rv_netcon_set_weight(d->m, nc, slot, type, err);
    return st;
}
/* ---- end mo ---- */

/* One synapse of connection cn (facts §3), in neurodamus' finalize order:
 * the point process and its parameters, the presynaptic NetCon, minis,
 * replay.  *pp_out = -1 when the section was deleted (skipped). */
static rv_status make_synapse(bdrv *d, bepop *e, bcell *c, const conn *cn, const edge_data *x,
                              size_t i, size_t syn_id, const double *rtimes, int nr, int *pp_out,
                              rv_error *err) {
    bpop *sp = &d->pops[e->src], *tp = &d->pops[e->trg];
    double dt = d->sim->run.dt;
    int exc = x->type[i] >= 100;
    const char *mech = exc ? "ProbAMPANMDA_EMS" : "ProbGABAAB_EMS";
    *pp_out = -1;
    if (x->secid[i] < 0 || x->secid[i] >= c->n_isec) {
        RV_FAIL(err, RV_ERANGE,
                "edge %llu of '%s': afferent_section_id %lld is outside cell %lld's %d sections",
                (unsigned long long)x->rows[i], e->name, (long long)x->secid[i], (long long)c->gid,
                c->n_isec);
        rv_error_where(err, NULL, 0, "afferent_section_id");
        return RV_ERANGE;
    }
    int sec = c->isec[x->secid[i]];
    if (sec < 0) { /* a deleted section: neurodamus skips it with a warning */
        d->n_skipped++;
        if (d->o->verbose)
            fprintf(stderr,
                    "ranvier run: warning: SKIPPED synapse %zu of cell %lld (section %lld "
                    "has no entry)\n",
                    syn_id, (long long)c->gid, (long long)x->secid[i]);
        return RV_OK;
    }
    double pos;
    rv_status st = edge_pos(d, sec, x, i, &pos, err);
    if (st) return st;
    int pp;
    if (cn->mo || e->exp2syn) /* mo: the modoverride's helper template makes it */
        st = mo_synapse(d, e, c, cn, x, i, syn_id, sec, pos, &pp, &mech, err);
    else
        st = rv_pp_create(d->m, mech, sec, pos, &pp, err);
    if (st == RV_ENOENT && !cn->mo) {
        RV_FAIL(err, RV_ENOENT,
                "edge population '%s' needs the mechanism %s: pass --mechanisms DIR or set "
                "components.mechanisms_dir",
                e->name, mech);
        rv_error_where(err, d->circ->path, 0, "mechanisms_dir");
        return RV_ENOENT;
    }
    if (!st) st = note_pp(d, sec, pos, pp, mech, err);
    if (!st && d->keep_bsyn) {
        if (rv_grow((void **)&d->bsyn, &d->cap_bsyn, d->n_bsyn + 1, sizeof *d->bsyn))
            return RV_FAIL(err, RV_ENOMEM, "out of memory");
        d->bsyn[d->n_bsyn++] = (struct bsyn){
            (int)(c - d->cells), d->cur_mgr, x->src[i], x->secid[i], pos, pp, exc, e->src, mech};
    }
    if (st) return st;
    *pp_out = pp;
    double seed2 = (double)sp->hash_id * 65536 + tp->hash_id;
    double dummy;
    rv_error tmp;
    if (cn->mo) { /* mo: only the raw conductance, if the mechanism has one */
        if (rv_pp_get(d->m, pp, "conductance", &dummy, &tmp) == RV_OK &&
            (st = rv_pp_set(d->m, pp, "conductance", x->cond[i], err)))
            return st;
    } else {
        /* calcium scaling of U (only with conditions.extracellular_calcium) */
        double U = x->u[i];
        if (d->sim->conditions.has_extracellular_calcium) {
            double K = x->uhill[i], ca = d->sim->conditions.extracellular_calcium;
            double K4 = K * K * K * K, ca4 = ca * ca * ca * ca;
            U *= (K4 + 16) / 16 * ca4 / (K4 + ca4);
        }
        st = rv_pp_set(d->m, pp, exc ? "tau_d_AMPA" : "tau_d_GABAA", x->dtc[i], err);
        if (!st) st = rv_pp_set(d->m, pp, "Use", fabs(U), err);
        if (!st) st = rv_pp_set(d->m, pp, "Dep", fabs(x->dep[i]), err);
        if (!st) st = rv_pp_set(d->m, pp, "Fac", fabs(x->fac[i]), err);
        if (!st && x->nrrp[i] >= 0) st = rv_pp_set(d->m, pp, "Nrrp", x->nrrp[i], err);
        if (!st) st = rv_pp_set(d->m, pp, "synapseID", (double)syn_id, err);
        if (!st && x->csf[i] >= 0)
            st = rv_pp_set(d->m, pp, exc ? "NMDA_ratio" : "GABAB_ratio", x->csf[i], err);
        if (!st && rv_pp_get(d->m, pp, "conductance", &dummy, &tmp) == RV_OK)
            st = rv_pp_set(d->m, pp, "conductance", x->cond[i], err);
        if (st) return st;
        if (!exc && d->sim->conditions.randomize_gaba_rise_time) {
            /* hoc Random on Random123, lognormal(0.2, 0.1) (one draw discarded),
             * then repick: the cached second normal of the first polar pair */
            rv_hrand r;
            rv_hrand_init(&r, (uint32_t)(c->gid + 251), (uint32_t)(syn_id + 100),
                          (uint32_t)(seed2 + (double)d->sim->run.synapse_seed + 450));
            (void)rv_hrand_lognormal(&r, 0.2, 0.1);
            if ((st = rv_pp_set(d->m, pp, "tau_r_GABAA", rv_hrand_repick(&r), err))) return st;
        }
        rv_mech_arg rng[3] = {{(double)(c->gid + 1 + 250), NULL},
                              {(double)syn_id + 100, NULL},
                              {seed2 + (double)d->sim->run.synapse_seed + 300, NULL}};
        if ((st = defer(d, pp, "setRNG", 3, rng, err))) return st;
    } /* mo: end of the built-in helpers' part */
    d->n_syn++;
    double delay = (double)(long long)(x->delay[i] / dt + 1e-5) * dt;
    if (cn->has_delay_over && cn->delay_over != 0) delay = cn->delay_over;
    double weight = x->cond[i] * cn->weight_factor;
    int nc;
    /* a source outside the simulation's node set never fires: NEURON's
     * gid_connect to a gid no process owns; the engine needs an owner, so
     * the NetCon is left out (same result) */
    if (!sp->is_virtual && in_target(sp, x->src[i])) {
        if ((st = rv_netcon_create(d->m, (int64_t)(sp->offset + x->src[i]), pp, delay, weight, &nc,
                                   err)))
            return st;
        d->n_netcons++;
        if (cn->n_dl) { /* delayed weight changes, applied by the presynaptic NetCon */
            rv_vec *tv, *wv;
            if ((st = new_vec(d, cn->dl_t, cn->n_dl, &tv, err))) return st;
            if ((st = new_vec(d, cn->dl_w, cn->n_dl, &wv, err))) return st;
            rv_mech_arg a[2] = {{0, tv}, {0, wv}};
            if ((st = defer(d, pp, "setup_delay_vecs", 2, a, err))) return st;
        }
    }
    /* spontaneous minis: the override's rate, else the cell's frequencies */
    double rate = 0;
    if (cn->has_minis) {
        rate = cn->minis;
    } else {
        rate = exc ? c->exc_mini : c->inh_mini;
    }
    if (rate > 0) {
        int ips;
        int64_t g;
        double zero = 0;
        rv_vec *tb, *rv;
        if ((st = rv_pp_create(d->m, "InhPoissonStim", -1, 0.5, &ips, err))) {
            if (st == RV_ENOENT) {
                RV_FAIL(err, RV_ENOENT,
                        "spontaneous minis need the mechanism InhPoissonStim: pass --mechanisms "
                        "DIR or set components.mechanisms_dir");
                rv_error_where(err, d->sim->path, 0, "spont_minis");
            }
            return st;
        }
        /* ckpt: with --save/--restore the minis are not cut at tstop (as neurodamus on
         * CoreNEURON), so that a restored run with a later tstop goes on with them */
        if (!d->o->save_dir && !d->o->restore_dir &&
            (st = rv_pp_set(d->m, ips, "duration", d->sim->run.tstop, err)))
            return st;
        double mseed = seed2 + (double)d->sim->run.minis_seed;
        rv_mech_arg a[6] = {
            {(double)syn_id + 200, NULL}, {(double)(c->gid + 251), NULL}, {mseed + 300, NULL},
            {(double)syn_id + 200, NULL}, {(double)(c->gid + 251), NULL}, {mseed + 350, NULL}};
        if ((st = defer(d, ips, "setRNGs", 6, a, err))) return st;
        if ((st = new_vec(d, &zero, 1, &tb, err))) return st;
        if ((st = new_vec(d, &rate, 1, &rv, err))) return st;
        rv_mech_arg at = {0, tb}, ar = {0, rv};
        if ((st = defer(d, ips, "setTbins", 1, &at, err))) return st;
        if ((st = defer(d, ips, "setRate", 1, &ar, err))) return st;
        if ((st = private_source(d, ips, &g, err))) return st;
        if ((st = rv_netcon_create(d->m, g, pp, 0.1, weight, &nc, err))) return st;
        if ((st = mo_set_type(d, cn, mech, nc, exc, 1, err))) return st;
        d->n_netcons++;
        d->n_minis++;
    }
    if (nr > 0) {
        int vs;
        int64_t g;
        rv_vec *tv;
        if ((st = rv_pp_create(d->m, "VecStim", -1, 0.5, &vs, err))) return st;
        if ((st = new_vec(d, rtimes, nr, &tv, err))) return st;
        rv_mech_arg a = {0, tv};
        if ((st = defer(d, vs, "play", 1, &a, err))) return st;
        if ((st = private_source(d, vs, &g, err))) return st;
        if ((st = rv_netcon_create(d->m, g, pp, delay, weight, &nc, err))) return st;
        if ((st = mo_set_type(d, cn, mech, nc, exc, 2, err))) return st;
        d->n_netcons++;
    }
    return RV_OK;
}

/* ---- mo: modoverride helpers (synhelper.c) ---- */
/* The helper-template machinery, made on first need. */
static rv_status mo_init(bdrv *d, rv_error *err) {
    if (d->sh) return RV_OK;
    const char *dirs[17];
    int n = 0;
    if (d->circ->components.mechanisms_dir) dirs[n++] = d->circ->components.mechanisms_dir;
    for (size_t i = 0; i < d->o->n_mechanisms && n < 17; ++i) dirs[n++] = d->o->mechanisms[i];
    const rv_sonata_cfg_run *r = &d->sim->run;
    double seeds[5] = {(double)r->random_seed, (double)r->ionchannel_seed, (double)r->synapse_seed,
                       (double)r->stimulus_seed, (double)r->minis_seed};
    return rv__synhelper_create(d->h, d->m, dirs, n, seeds, &d->sh, err);
}

/* mo: the helpers of every override with a modoverride (neurodamus loads
 * them at configure time, whether or not a connection matches) and
 * Exp2SynHelper for Exp2Syn_synapse edge populations. */
static rv_status mo_load(bdrv *d, rv_error *err) {
    rv_status st = RV_OK;
    char who[300];
    for (size_t o = 0; o < d->sim->n_connection_overrides && !st; ++o) {
        const rv_sonata_cfg_connection_override *c = &d->sim->connection_overrides[o];
        if (!c->modoverride) continue;
        snprintf(who, sizeof who, "connection_overrides '%s'", c->name);
        if (!(st = mo_init(d, err)))
            st = rv__synhelper_load(d->sh, c->modoverride, who, d->sim->path, err);
    }
    for (size_t e = 0; e < d->n_eps && !st; ++e) {
        if (!d->eps[e].exp2syn) continue;
        if (d->sim->conditions.has_extracellular_calcium) {
            RV_FAIL(err, RV_EUNSUPPORTED,
                    "conditions.extracellular_calcium with the Exp2Syn_synapse edge population "
                    "'%s': its synapses have no u_hill_coefficient (neurodamus fails too)",
                    d->eps[e].name);
            rv_error_where(err, d->sim->path, 0, "extracellular_calcium");
            return RV_EUNSUPPORTED;
        }
        snprintf(who, sizeof who, "Exp2Syn_synapse edge population '%s'", d->eps[e].name);
        if (!(st = mo_init(d, err)))
            st = rv__synhelper_load(d->sh, "Exp2Syn", who, d->circ->path, err);
    }
    return st;
}
/* ---- end mo ---- */

/* connection_overrides: node sets per population; refusals of what is not
 * done yet. */
static rv_status load_overrides(bdrv *d, rv_error *err) {
    const rv_sonata_simulation_config *s = d->sim;
    d->n_ov = s->n_connection_overrides;
    if (!d->n_ov) return RV_OK;
    d->ov = rv_calloc(d->n_ov, sizeof *d->ov);
    if (!d->ov) return RV_FAIL(err, RV_ENOMEM, "out of memory");
    rv_status st = RV_OK;
    for (size_t o = 0; o < d->n_ov && !st; ++o) {
        const rv_sonata_cfg_connection_override *c = &s->connection_overrides[o];
        d->ov[o].cfg = c;
        d->ov[o].src = rv_calloc(d->n_pops, sizeof *d->ov[o].src);
        d->ov[o].trg = rv_calloc(d->n_pops, sizeof *d->ov[o].trg);
        if (!d->ov[o].src || !d->ov[o].trg) return RV_FAIL(err, RV_ENOMEM, "out of memory");
        for (size_t p = 0; p < d->n_pops && !st; ++p) {
            if (!d->pops[p].pop) continue; /* implicit: no nodes to select from */
            st = rv_sonata_nodesets_select(d->c->ns, c->source, d->pops[p].pop, &d->ov[o].src[p],
                                           err);
            if (!st)
                st = rv_sonata_nodesets_select(d->c->ns, c->target, d->pops[p].pop,
                                               &d->ov[o].trg[p], err);
            if (st) rv_error_where(err, s->path, 0, c->name);
        }
    }
    return st;
}

/* Configure phase (facts §3): in config order, every non-delayed override
 * matching (source, target) assigns weight, spont_minis and
 * synapse_delay_override and appends synapse_configure; delayed ones add
 * (delay, weight) changes. */
static rv_status configure_conn(bdrv *d, bepop *e, bcell *c, conn *cn, rv_error *err) {
    cn->weight_factor = 1;
    for (size_t o = 0; o < d->n_ov; ++o) {
        const rv_sonata_cfg_connection_override *oc = d->ov[o].cfg;
        if (!rv__drv_sel_has(&d->ov[o].src[e->src], cn->src) ||
            !rv__drv_sel_has(&d->ov[o].trg[e->trg], c->raw))
            continue;
        if (oc->delay > 0) {
            if (cn->n_dl == 16)
                return RV_FAIL(err, RV_EUNSUPPORTED, "more than 16 delayed connection_overrides");
            int k = cn->n_dl++;
            while (k > 0 && cn->dl_t[k - 1] > oc->delay) { /* sorted by time */
                cn->dl_t[k] = cn->dl_t[k - 1], cn->dl_w[k] = cn->dl_w[k - 1];
                k--;
            }
            cn->dl_t[k] = oc->delay, cn->dl_w[k] = oc->weight;
            continue;
        }
        cn->weight_factor = oc->weight;
        cn->has_minis = oc->has_spont_minis;
        cn->minis = oc->spont_minis;
        cn->has_delay_over = oc->has_synapse_delay_override;
        cn->delay_over = oc->synapse_delay_override;
        if (oc->has_neuromodulation_strength) cn->nm_str = oc->neuromodulation_strength;
        if (oc->has_neuromodulation_dtc) cn->nm_dtc = oc->neuromodulation_dtc;
        if (oc->modoverride) cn->mo = oc->modoverride, cn->mo_who = oc->name; /* mo */
        if (oc->synapse_configure) {
            if (cn->n_configure == 16)
                return RV_FAIL(err, RV_EUNSUPPORTED, "more than 16 synapse_configure statements");
            cn->configure[cn->n_configure++] = oc->synapse_configure;
        }
    }
    return RV_OK;
}

/* Creation phase: 1 when the connection is created. */
static int conn_created(bdrv *d, bepop *e, bcell *c, uint64_t src) {
    size_t n_overlap = 0, last = 0;
    int inside = 0;
    for (size_t o = 0; o < d->n_ov; ++o) {
        int overlaps = d->ov[o].src[e->src].n && d->ov[o].trg[e->trg].n;
        if (!overlaps) continue;
        n_overlap++, last = o;
        if (d->ov[o].cfg->delay <= 0 && rv__drv_sel_has(&d->ov[o].src[e->src], src) &&
            rv__drv_sel_has(&d->ov[o].trg[e->trg], c->raw))
            inside = 1;
    }
    if (n_overlap == 0) return 1;
    if (n_overlap == 1 && fabs(d->ov[last].cfg->weight) < 1e-12) return 0;
    return inside;
}

/* synapse_configure: each %s becomes the synapse, the text runs in {} */
static rv_status run_configure(bdrv *d, const conn *cn, const int *pps, size_t n, rv_error *err) {
    for (size_t k = 0; k < n; ++k) {
        if (pps[k] < 0) continue;
        rv_status st = RV_OK;
        for (int q = 0; q < cn->n_configure && !st; ++q) {
            const char *mech = NULL;
            double v;
            rv_error tmp;
            mech = rv_pp_get(d->m, pps[k], "tau_d_AMPA", &v, &tmp) == RV_OK ? "ProbAMPANMDA_EMS"
                                                                            : "ProbGABAAB_EMS";
            for (size_t z = d->n_pps; cn->mo && z-- > 0;) /* mo: the helper's mechanism */
                if (d->pps[z].pp == pps[k]) {
                    mech = d->pps[z].mech;
                    break;
                }
            if ((st = rv_hoc_bind_pp(d->h, "rv__syn", mech, pps[k], err))) return st;
            const char *src = cn->configure[q];
            size_t len = strlen(src), cnt = 0;
            for (const char *p = strstr(src, "%s"); p; p = strstr(p + 2, "%s")) cnt++;
            char *code = rv_malloc(len + cnt * 8 + 8);
            if (!code) return RV_FAIL(err, RV_ENOMEM, "out of memory");
            char *w = code;
            *w++ = '{';
            for (const char *p = src; *p;) {
                if (p[0] == '%' && p[1] == 's') {
                    memcpy(w, "rv__syn", 7), w += 7, p += 2;
                } else {
                    *w++ = *p++;
                }
            }
            *w++ = '}', *w++ = '\n', *w = '\0';
            st = rv_hoc_exec(d->h, code, "synapse_configure", err);
            rv_free(code);
            if (st) {
                rv_error_where(err, d->sim->path, 0, "synapse_configure");
                return st;
            }
        }
    }
    return RV_OK;
}

/* The chemical synapses of a local cell, ordered as neurodamus'
 * NeuroModulationConnection searches them: managers in creation order,
 * connections by ascending source, synapses in edge order. */
static const bdrv *g_sort_bsyn;
static int bsyn_order(const void *a, const void *b) {
    const struct bsyn *x = &g_sort_bsyn->bsyn[*(const size_t *)a],
                      *y = &g_sort_bsyn->bsyn[*(const size_t *)b];
    if (x->cell != y->cell) return x->cell < y->cell ? -1 : 1;
    if (x->mgr != y->mgr) return x->mgr < y->mgr ? -1 : 1;
    if (x->src != y->src) return x->src < y->src ? -1 : 1;
    size_t i = *(const size_t *)a, k = *(const size_t *)b;
    return i < k ? -1 : i > k;
}

/* One neuromodulatory connection (facts §3; neurodamus'
 * NeuroModulationConnection.finalize): no synapse; each edge finds the
 * closest synapse of the post cell from another source population, made by
 * the manager the post population registered for that source (its first
 * one), with the same afferent_section_id and |x difference| < 0.05
 * (smallest wins, the first on ties) and,
 * when the source has replay spikes, gets a VecStim NetCon onto it with
 * weight [1 or 0, strength, dtc] and event type 10.  An edge without a
 * match abandons the rest of the connection. */
static rv_status make_neuromod(bdrv *d, bepop *e, bcell *c, const conn *cn, const edge_data *x,
                               const size_t *bs_ord, size_t lo, size_t hi, rv_error *err) {
    bpop *sp = &d->pops[e->src];
    double dt = d->sim->run.dt, *rt = NULL;
    int nr = 0;
    rv_status st = replay_times(d, sp, cn->src, c, &rt, &nr, err);
    for (size_t j = 0; j < cn->n && !st; ++j) {
        size_t i = cn->edges[j];
        if (x->secid[i] < 0 || x->secid[i] >= c->n_isec) {
            RV_FAIL(err, RV_ERANGE,
                    "edge %llu of '%s': afferent_section_id %lld is outside cell %lld's %d "
                    "sections",
                    (unsigned long long)x->rows[i], e->name, (long long)x->secid[i],
                    (long long)c->gid, c->n_isec);
            rv_error_where(err, NULL, 0, "afferent_section_id");
            st = RV_ERANGE;
            break;
        }
        int sec = c->isec[x->secid[i]];
        if (sec < 0) { /* a deleted section: not among the connection's synapses */
            d->n_skipped++;
            continue;
        }
        double pos, best = 0.05;
        if ((st = edge_pos(d, sec, x, i, &pos, err))) break;
        const struct bsyn *hit = NULL;
        for (size_t q = lo; q < hi; ++q) {
            const struct bsyn *b = &d->bsyn[bs_ord[q]];
            if (b->spop == e->src || b->isec != x->secid[i] || b->mgr != d->nm_reg[b->spop])
                continue;
            double diff = fabs(b->x - pos);
            if (diff < best) best = diff, hit = b;
        }
        if (!hit) {
            if (d->o->verbose)
                fprintf(stderr,
                        "ranvier run: warning: no synapse of cell %lld near neuromodulatory edge "
                        "%llu of '%s' (section %lld, x %g): the rest of its connection is "
                        "dropped\n",
                        (long long)c->gid, (unsigned long long)x->rows[i], e->name,
                        (long long)x->secid[i], pos);
            break;
        }
        if (nr <= 0) continue;
        double delay = (double)(long long)(x->delay[i] / dt + 1e-5) * dt;
        if (cn->has_delay_over && cn->delay_over != 0) delay = cn->delay_over;
        int vs, nc;
        int64_t g;
        rv_vec *tv;
        rv_mech_arg a;
        if ((st = rv_pp_create(d->m, "VecStim", -1, 0.5, &vs, err))) break;
        if ((st = new_vec(d, rt, nr, &tv, err))) break;
        a = (rv_mech_arg){0, tv};
        if ((st = defer(d, vs, "play", 1, &a, err))) break;
        if ((st = private_source(d, vs, &g, err))) break;
        if ((st = rv_netcon_create(d->m, g, hit->pp, delay, cn->weight_factor > 0 ? 1 : 0, &nc,
                                   err)))
            break;
        st = rv_netcon_set_weight(d->m, nc, 1, cn->nm_str != 0 ? cn->nm_str : x->nmstr[i], err);
        if (!st)
            st = rv_netcon_set_weight(d->m, nc, 2, cn->nm_dtc != 0 ? cn->nm_dtc : x->nmdtc[i], err);
        if (!st && (strcmp(hit->mech, "ProbAMPANMDA_EMS") == 0 ||
                    strcmp(hit->mech, "ProbGABAAB_EMS") == 0 || !d->sh)) {
            st = set_nc_type(d, nc, hit->exc, 10, err);
        } else if (!st) { /* a modoverride helper's mechanism (mo) */
            int slot;
            st = rv__synhelper_nc_slot(d->sh, hit->mech, &slot, err);
            if (!st && slot > 0) st = rv_netcon_set_weight(d->m, nc, slot, 10, err);
        }
        d->n_netcons++, d->n_neuromod++;
    }
    rv_free(rt);
    return st;
}

static rv_status build_synapses(bdrv *d, rv_error *err) {
    int order[64];
    size_t nm = manager_order(d, order);
    rv_status st = load_overrides(d, err);
    if (!st) st = mo_load(d, err);           /* mo */
    size_t *bs_ord = NULL, *bs_start = NULL; /* neuromodulation: synapses by cell */
    /* pass 0: chemical edges; pass 1: neuromodulatory ones, onto the
     * synapses of pass 0 */
    for (size_t pm = 0; pm < 2 * nm && !st; ++pm) {
        size_t mi = pm % nm;
        bepop *e = &d->eps[order[mi]];
        bpop *tp = &d->pops[e->trg], *sp = &d->pops[e->src];
        if (e->electrical) continue; /* build_gaps */
        if (e->neuromod != (pm >= nm)) continue;
        if (e->neuromod && !bs_start) { /* index the synapses by cell */
            size_t nb = d->n_bsyn;
            bs_ord = rv_malloc(sizeof *bs_ord * (nb ? nb : 1));
            bs_start = rv_calloc(d->n_cells + 1, sizeof *bs_start);
            if (!bs_ord || !bs_start) {
                st = RV_FAIL(err, RV_ENOMEM, "out of memory");
                break;
            }
            for (size_t q = 0; q < nb; ++q) bs_ord[q] = q;
            g_sort_bsyn = d;
            if (nb) qsort(bs_ord, nb, sizeof *bs_ord, bsyn_order);
            for (size_t q = 0; q < nb; ++q) bs_start[d->bsyn[q].cell + 1]++;
            for (size_t cc = 0; cc < d->n_cells; ++cc) bs_start[cc + 1] += bs_start[cc];
        }
        /* the manager neurodamus files these synapses under: the first
         * chemical edge population of the same (source, target) pair */
        if (e->neuromod) { /* the target's connection_managers: the first per source */
            for (size_t p = 0; p < d->n_pops; ++p) d->nm_reg[p] = -1;
            for (size_t q = nm; q-- > 0;)
                if (d->eps[order[q]].trg == e->trg) d->nm_reg[d->eps[order[q]].src] = (int)q;
        }
        d->cur_mgr = (int)mi;
        for (size_t q = 0; q < mi; ++q)
            if (!d->eps[order[q]].electrical && !d->eps[order[q]].neuromod &&
                d->eps[order[q]].exp2syn == e->exp2syn && d->eps[order[q]].src == e->src &&
                d->eps[order[q]].trg == e->trg) {
                d->cur_mgr = (int)q;
                break;
            }
        /* replay goes to the first manager (not gap junctions) of the
         * (source, target) pair only: neurodamus' get_edge_manager */
        {
            size_t cls = mi, any = mi;
            for (size_t q = 0; q < mi && cls == mi; ++q) {
                const bepop *o = &d->eps[order[q]];
                if (o->electrical || o->src != e->src || o->trg != e->trg) continue;
                if (any == mi) any = q;
                if (o->neuromod == e->neuromod && o->exp2syn == e->exp2syn) cls = q;
            }
            d->cur_replay = cls == any;
        }
        if (!tp->is_bio) {
            RV_FAIL(err, RV_EUNSUPPORTED, "edge population '%s' targets the %s population '%s'",
                    e->name, tp->is_virtual ? "virtual" : "non-biophysical", tp->name);
            rv_error_where(err, NULL, 0, e->name);
            return RV_EUNSUPPORTED;
        }
        /* local post cells, ascending raw id */
        size_t nl = 0;
        uint64_t *ids = rv_malloc(sizeof *ids * (tp->n_target ? tp->n_target : 1));
        if (!ids) return RV_FAIL(err, RV_ENOMEM, "out of memory");
        for (size_t k = 0; k < tp->n_target; ++k)
            if (tp->cell[tp->target[k]] >= 0) ids[nl++] = tp->target[k];
        edge_data x;
        memset(&x, 0, sizeof x);
        if (nl) st = read_edges(d, e, ids, nl, e->neuromod ? EK_NEUROMOD : EK_SYN, &x, err);
        if (d->sh) rv__synhelper_begin(d->sh, e->pop, e->name, e->exp2syn, x.rows, x.n); /* mo */
        size_t nn = (size_t)(x.n ? x.n : 1);
        size_t *sid = rv_malloc(sizeof *sid * nn), *ord = rv_malloc(sizeof *ord * nn);
        size_t *count = rv_calloc(d->n_cells ? d->n_cells : 1, sizeof *count);
        if ((!sid || !ord || !count) && !st) st = RV_FAIL(err, RV_ENOMEM, "out of memory");
        for (uint64_t i = 0; i < x.n && !st; ++i) {
            if (x.trg[i] >= tp->size || tp->cell[x.trg[i]] < 0) {
                st = RV_FAIL(err, RV_EFORMAT, "edge %llu of '%s': unexpected target node %llu",
                             (unsigned long long)x.rows[i], e->name, (unsigned long long)x.trg[i]);
                break;
            }
            if (x.src[i] >= sp->size && !sp->implicit) {
                st = RV_FAIL(err, RV_EFORMAT,
                             "edge %llu of '%s': source node %llu is outside population '%s'",
                             (unsigned long long)x.rows[i], e->name, (unsigned long long)x.src[i],
                             sp->name);
                break;
            }
            /* synapse id: index in the post cell's list (ascending edge id) */
            sid[i] = count[tp->cell[x.trg[i]]]++;
            ord[i] = (size_t)i;
        }
        /* per post cell, connections by descending source, edges ascending */
        g_sort_edges = &x;
        if (!st && x.n) qsort(ord, (size_t)x.n, sizeof *ord, edge_order);
        for (size_t g = 0; g < x.n && !st;) {
            uint64_t t = x.trg[ord[g]];
            size_t gend = g;
            while (gend < x.n && x.trg[ord[gend]] == t) gend++;
            bcell *c = &d->cells[tp->cell[t]];
            conn *cs = NULL;
            size_t ncs = 0, caps = 0;
            for (size_t q = g; q < gend && !st; ++q) {
                size_t i = ord[q];
                if (!conn_created(d, e, c, x.src[i])) continue;
                if (!ncs || cs[ncs - 1].src != x.src[i]) {
                    if (rv_grow((void **)&cs, &caps, ncs + 1, sizeof *cs)) {
                        st = RV_FAIL(err, RV_ENOMEM, "out of memory");
                        break;
                    }
                    memset(&cs[ncs], 0, sizeof *cs);
                    cs[ncs++].src = x.src[i];
                }
                conn *k = &cs[ncs - 1];
                if (rv_grow((void **)&k->edges, &k->cap, k->n + 1, sizeof(size_t))) {
                    st = RV_FAIL(err, RV_ENOMEM, "out of memory");
                    break;
                }
                k->edges[k->n++] = i;
            }
            g = gend;
            for (size_t k = 0; k < ncs && !st; ++k) {
                double *rt = NULL;
                int nr = 0;
                if ((st = configure_conn(d, e, c, &cs[k], err))) break;
                if (e->neuromod) {
                    size_t ci = (size_t)(c - d->cells);
                    st = make_neuromod(d, e, c, &cs[k], &x, bs_ord, bs_start[ci], bs_start[ci + 1],
                                       err);
                    continue;
                }
                if ((st = replay_times(d, sp, cs[k].src, c, &rt, &nr, err))) break;
                int *pps = rv_malloc(sizeof *pps * cs[k].n);
                if (!pps) st = RV_FAIL(err, RV_ENOMEM, "out of memory");
                for (size_t j = 0; j < cs[k].n && !st; ++j)
                    st = make_synapse(d, e, c, &cs[k], &x, cs[k].edges[j], sid[cs[k].edges[j]], rt,
                                      nr, &pps[j], err);
                if (!st && cs[k].n_configure) st = run_configure(d, &cs[k], pps, cs[k].n, err);
                rv_free(pps);
                rv_free(rt);
            }
            for (size_t k = 0; k < ncs; ++k) rv_free(cs[k].edges);
            rv_free(cs);
        }
        rv_free(sid), rv_free(ord), rv_free(count);
        if (d->sh) rv__synhelper_end(d->sh); /* mo */
        edge_data_free(&x);
        rv_free(ids);
    }
    rv_free(bs_ord), rv_free(bs_start);
    return st;
}

/* Gap junctions (facts §3): for every electrical edge onto a local cell
 * whose source is in the simulation's node set, a Gap at the afferent
 * location with g = conductance (nS), vgap := the v published under the
 * efferent_junction_id, and the location's v published under the
 * afferent_junction_id.  Overrides do not apply.  Built after the
 * synapses (neurodamus finalizes the gap-junction managers last); per post
 * cell, connections by descending source, edges ascending. */
static rv_status build_gaps(bdrv *d, rv_error *err) {
    rv_status st = RV_OK;
    for (size_t ei = 0; ei < d->n_eps && !st; ++ei) {
        bepop *e = &d->eps[ei];
        if (!e->electrical) continue;
        bpop *tp = &d->pops[e->trg], *sp = &d->pops[e->src];
        if (!tp->is_bio || !sp->is_bio) {
            RV_FAIL(err, RV_EUNSUPPORTED,
                    "electrical edge population '%s' connects '%s' to '%s': gap junctions need "
                    "biophysical cells on both sides",
                    e->name, sp->name, tp->name);
            rv_error_where(err, d->circ->path, 0, e->name);
            return RV_EUNSUPPORTED;
        }
        if ((st = need_builtin(d, "Gap", err))) return st;
        size_t nl = 0;
        uint64_t *ids = rv_malloc(sizeof *ids * (tp->n_target ? tp->n_target : 1));
        if (!ids) return RV_FAIL(err, RV_ENOMEM, "out of memory");
        for (size_t k = 0; k < tp->n_target; ++k)
            if (tp->cell[tp->target[k]] >= 0) ids[nl++] = tp->target[k];
        edge_data x;
        memset(&x, 0, sizeof x);
        if (nl) st = read_edges(d, e, ids, nl, EK_GAP, &x, err);
        size_t *ord = rv_malloc(sizeof *ord * (size_t)(x.n ? x.n : 1));
        if (!ord && !st) st = RV_FAIL(err, RV_ENOMEM, "out of memory");
        for (uint64_t i = 0; i < x.n && !st; ++i) {
            ord[i] = (size_t)i;
            if (x.trg[i] >= tp->size || tp->cell[x.trg[i]] < 0)
                st = RV_FAIL(err, RV_EFORMAT, "edge %llu of '%s': unexpected target node %llu",
                             (unsigned long long)x.rows[i], e->name, (unsigned long long)x.trg[i]);
            else if (x.src[i] >= sp->size)
                st = RV_FAIL(err, RV_EFORMAT,
                             "edge %llu of '%s': source node %llu is outside population '%s'",
                             (unsigned long long)x.rows[i], e->name, (unsigned long long)x.src[i],
                             sp->name);
        }
        g_sort_edges = &x;
        if (!st && x.n) qsort(ord, (size_t)x.n, sizeof *ord, edge_order);
        for (uint64_t q = 0; q < x.n && !st; ++q) {
            size_t i = ord[q];
            if (!in_target(sp, x.src[i])) continue;
            bcell *c = &d->cells[tp->cell[x.trg[i]]];
            int sec = x.secid[i] >= 0 && x.secid[i] < c->n_isec ? c->isec[x.secid[i]] : -1;
            if (sec < 0) {
                RV_FAIL(err, RV_ERANGE,
                        "gap junction edge %llu of '%s': afferent_section_id %lld is not a "
                        "section of cell %lld (%d sections, deleted ones excluded)",
                        (unsigned long long)x.rows[i], e->name, (long long)x.secid[i],
                        (long long)c->gid, c->n_isec);
                rv_error_where(err, NULL, 0, "afferent_section_id");
                st = RV_ERANGE;
                break;
            }
            double pos;
            int pp;
            if ((st = edge_pos(d, sec, &x, i, &pos, err))) break;
            if ((st = rv_pp_create(d->m, "Gap", sec, pos, &pp, err))) break;
            if ((st = note_pp(d, sec, pos, pp, "Gap", err))) break;
            if ((st = rv_pp_set(d->m, pp, "g", x.cond[i], err))) break;
            if ((st = rv_transfer_target(d->m, x.ejid[i], pp, "vgap", err))) break;
            if ((st = rv_transfer_source(d->m, x.ajid[i], sec, pos, err))) break;
            d->n_gaps++;
        }
        if (st && err && !err->path[0]) rv_error_where(err, NULL, 0, e->name);
        rv_free(ord);
        edge_data_free(&x);
        rv_free(ids);
    }
    return st;
}

/* ---- inputs ------------------------------------------------------------------ */

static rv_status read_replays(bdrv *d, rv_error *err) {
    const rv_sonata_simulation_config *s = d->sim;
    rv_status st = RV_OK;
    for (size_t i = 0; i < s->n_inputs && !st; ++i) {
        const rv_sonata_cfg_input *in = &s->inputs[i];
        if (in->module != RV_SONATA_CFG_MODULE_SYNAPSE_REPLAY) continue;
        if (!in->node_set) {
            RV_FAIL(err, RV_EFORMAT, "input '%s' has no node_set", in->name);
            rv_error_where(err, s->path, 0, "node_set");
            return RV_EFORMAT;
        }
        struct breplay *nr = rv_realloc(d->replay, sizeof *nr * (d->n_replay + 1));
        if (!nr) return RV_FAIL(err, RV_ENOMEM, "out of memory");
        d->replay = nr;
        struct breplay *r = &d->replay[d->n_replay++];
        memset(r, 0, sizeof *r);
        if (!(r->trg = rv_calloc(d->n_pops ? d->n_pops : 1, sizeof *r->trg)))
            return RV_FAIL(err, RV_ENOMEM, "out of memory");
        for (size_t p = 0; p < d->n_pops && !st; ++p)
            if (d->pops[p].is_bio)
                st = rv_sonata_nodesets_select(d->c->ns, in->node_set, d->pops[p].pop, &r->trg[p],
                                               err);
        /* 'source' (neurodamus' replay Source): only connections whose
         * source is in that node set; implicit populations have no nodes
         * to select, so nothing of theirs is in it */
        if (!st && in->source && !(r->src = rv_calloc(d->n_pops ? d->n_pops : 1, sizeof *r->src)))
            st = RV_FAIL(err, RV_ENOMEM, "out of memory");
        for (size_t p = 0; p < d->n_pops && !st && r->src; ++p)
            if (d->pops[p].pop && (st = rv_sonata_nodesets_select(d->c->ns, in->source,
                                                                  d->pops[p].pop, &r->src[p], err)))
                rv_error_where(err, s->path, 0, "source");
        if (!st) st = rv_sonata_spikes_create(&r->spk, err);
        rv_sonata_spikes *f = NULL;
        if (!st) st = rv_sonata_spikes_read(in->spike_file, &f, err);
        for (size_t k = 0; f && k < f->n_pops && !st; ++k) {
            rv_sonata_spike_pop *p = &f->pops[k];
            for (size_t j = 0; j < p->n && !st; ++j)
                if (p->timestamps[j] >= in->delay) /* earlier spikes are dropped */
                    st = rv_sonata_spikes_add(r->spk, p->name, &p->timestamps[j], &p->node_ids[j],
                                              1, err);
        }
        rv_sonata_spikes_destroy(f);
        /* by node id, so that a connection finds its source's spikes fast */
        if (!st) st = rv_sonata_spikes_sort(r->spk, RV_SONATA_SORT_BY_ID, err);
    }
    return st;
}

/* dynamics_params threshold_current / holding_current of a cell (0 unless
 * both exist, as neurodamus reads them) */
static rv_status cell_currents(bdrv *d, bcell *c, double *thr, double *hold, rv_error *err) {
    bpop *p = &d->pops[c->pop];
    *thr = *hold = 0;
    if (rv_sonata_pop_attr_find(p->pop, "@dynamics:threshold_current") < 0 ||
        rv_sonata_pop_attr_find(p->pop, "@dynamics:holding_current") < 0)
        return RV_OK;
    rv_sonata_range rg = {c->raw, c->raw + 1};
    rv_sonata_sel sel = {&rg, 1};
    rv_status st = rv_sonata_pop_read_f64(p->pop, "@dynamics:threshold_current", &sel, thr, err);
    if (!st) st = rv_sonata_pop_read_f64(p->pop, "@dynamics:holding_current", &sel, hold, err);
    return st;
}

static rv_status attach_signal(bdrv *d, const rv__signal *sg, int sec, rv_error *err) {
    rv_status st;
    int pp;
    switch (sg->kind) {
    case RV__SIG_CURRENT: {
        const char *mech = sg->represents_physical_electrode ? "IClamp" : "MembraneCurrentSource";
        if (!sg->represents_physical_electrode && (st = need_builtin(d, mech, err))) return st;
        if ((st = rv_pp_create(d->m, mech, sec, 0.5, &pp, err))) return st;
        if ((st = note_pp(d, sec, 0.5, pp, mech, err))) return st;
        if ((st = rv_pp_set(d->m, pp, "del", 0, err))) return st;
        if ((st = rv_pp_set(d->m, pp, "dur", sg->dur, err))) return st;
        return rv_play_pp(d->m, pp, "amp", sg->t, sg->y, sg->n, 1, err);
    }
    case RV__SIG_CONDUCTANCE: {
        const char *mech = sg->represents_physical_electrode ? "SEClamp" : "ConductanceSource";
        if ((st = need_builtin(d, mech, err))) return st;
        if ((st = rv_pp_create(d->m, mech, sec, 0.5, &pp, err))) return st;
        if ((st = note_pp(d, sec, 0.5, pp, mech, err))) return st;
        if ((st = rv_pp_set(d->m, pp, "amp1", sg->amp1, err))) return st;
        if ((st = rv_pp_set(d->m, pp, "dur1", sg->dur, err))) return st;
        return rv_play_pp(d->m, pp, "rs", sg->t, sg->y, sg->n, 1, err);
    }
    case RV__SIG_SECLAMP:
        if ((st = need_builtin(d, "SEClamp", err))) return st;
        if ((st = rv_pp_create(d->m, "SEClamp", sec, 0.5, &pp, err))) return st;
        if ((st = note_pp(d, sec, 0.5, pp, "SEClamp", err))) return st;
        if ((st = rv_pp_set(d->m, pp, "rs", sg->rs, err))) return st;
        if ((st = rv_pp_set(d->m, pp, "dur1", sg->dur, err))) return st;
        if ((st = rv_pp_set(d->m, pp, "amp1", sg->amp1, err))) return st;
        if (sg->n) return rv_play_pp(d->m, pp, "amp1", sg->t, sg->y, sg->n, 0, err);
        return RV_OK;
    }
    return RV_FAIL(err, RV_EINVAL, "unknown signal kind");
}

/* Inputs in file order (facts §4): one source per soma section of every
 * local target cell. */
static rv_status build_stimuli(bdrv *d, rv_error *err) {
    const rv_sonata_simulation_config *s = d->sim;
    rv_status st = RV_OK;
    int *count = rv_malloc(sizeof *count * (s->n_inputs ? s->n_inputs : 1));
    if (!count) return RV_FAIL(err, RV_ENOMEM, "out of memory");
    for (size_t i = 0; i < s->n_inputs && !st; ++i) {
        const rv_sonata_cfg_input *in = &s->inputs[i];
        if (in->module == RV_SONATA_CFG_MODULE_SYNAPSE_REPLAY) continue;
        char what[300];
        snprintf(what, sizeof what, "input '%s' of module '%s'", in->name,
                 in->module_name ? in->module_name : "?");
        if (!rv__stim_is_signal_module(in->module))
            st = unsupported(d, "inputs", what, err);
        else if (in->compartment_set)
            st = unsupported(d, "compartment_set", "inputs placed by compartment_set", err);
        else if (in->input_type == RV_SONATA_CFG_INPUT_CONDUCTANCE &&
                 (in->module == RV_SONATA_CFG_MODULE_RELATIVE_SHOT_NOISE ||
                  in->module == RV_SONATA_CFG_MODULE_RELATIVE_ORNSTEIN_UHLENBECK))
            st = unsupported(d, "input_type",
                             "relative inputs in conductance mode (input_resistance)", err);
        else if (!in->node_set) {
            RV_FAIL(err, RV_EFORMAT, "input '%s' has no node_set", in->name);
            rv_error_where(err, s->path, 0, "node_set");
            st = RV_EFORMAT;
        }
    }
    if (!st) st = rv__stim_counters(s->inputs, s->n_inputs, count, err);
    for (size_t i = 0; i < s->n_inputs && !st; ++i) {
        const rv_sonata_cfg_input *in = &s->inputs[i];
        if (in->module == RV_SONATA_CFG_MODULE_SYNAPSE_REPLAY) continue;
        for (size_t pi = 0; pi < d->n_pops && !st; ++pi) {
            bpop *p = &d->pops[pi];
            if (!p->is_bio || !p->n_target) continue;
            rv_sonata_sel sel = {NULL, 0};
            if ((st = rv_sonata_nodesets_select(d->c->ns, in->node_set, p->pop, &sel, err))) break;
            uint64_t n = rv_sonata_sel_count(&sel);
            uint64_t *ids = rv_malloc(sizeof *ids * (n ? n : 1));
            if (!ids) st = RV_FAIL(err, RV_ENOMEM, "out of memory");
            if (!st) rv_sonata_sel_to_ids(&sel, ids);
            rv_sonata_sel_free(&sel);
            for (uint64_t k = 0; k < n && !st; ++k) {
                if (ids[k] >= p->size || p->cell[ids[k]] < 0) continue;
                bcell *c = &d->cells[p->cell[ids[k]]];
                rv__stim_ctx cx;
                memset(&cx, 0, sizeof cx);
                cx.sim_dt = s->run.dt;
                cx.tstop = s->run.tstop;
                cx.count = count[i];
                cx.stimulus_seed = s->run.stimulus_seed;
                cx.gid = c->gid;
                if ((st = cell_currents(d, c, &cx.threshold_current, &cx.holding_current, err)))
                    break;
                char expr[128];
                int *somas = NULL, ns = 0;
                snprintf(expr, sizeof expr, "%s.somatic", c->ref);
                if ((st = rv_hoc_sections(d->h, expr, 1, &somas, &ns, err))) break;
                for (int q = 0; q < ns && !st; ++q) {
                    rv__signal sg;
                    memset(&sg, 0, sizeof sg);
                    cx.point_index = q;
                    st = rv__stim_signal(in, &cx, &sg, err);
                    if (st && err && !err->path[0]) {
                        char key[128];
                        snprintf(key, sizeof key, "%s", err->key);
                        rv_error_where(err, s->path, 0, key);
                    }
                    if (!st && !sg.skip) st = attach_signal(d, &sg, somas[q], err);
                    rv__signal_free(&sg);
                }
                rv_free(somas);
            }
            rv_free(ids);
        }
    }
    rv_free(count);
    return st;
}

/* ---- reports (facts §6) -------------------------------------------------------- */

enum { ST_SOMA, ST_AXON, ST_DEND, ST_APIC, ST_N };
static const char *const sec_types[ST_N] = {"soma", "axon", "dend", "apic"};
static const char *const sec_lists[ST_N] = {"somatic", "axonal", "basal", "apical"};

/* A cell's sections with their type, index and type-ordered section id. */
typedef struct csec {
    int sec, type, index, id;
} csec;

static rv_status cell_sections(bdrv *d, bcell *c, csec **out, int *n, rv_error *err) {
    *out = NULL;
    *n = 0;
    int *all = NULL, nall = 0, start[ST_N], len[ST_N];
    char expr[160];
    rv_status st = RV_OK;
    for (int t = 0; t < ST_N && !st; ++t) {
        int *l = NULL, nl = 0;
        snprintf(expr, sizeof expr, "%s.%s", c->ref, sec_lists[t]);
        st = rv_hoc_sections(d->h, expr, 1, &l, &nl, err);
        rv_free(l);
        len[t] = nl;
    }
    double orig;
    rv_error tmp;
    snprintf(expr, sizeof expr, "%s.nSecAxonalOrig", c->ref);
    if (!st && hoc_number(d, expr, &orig, &tmp) == RV_OK) len[ST_AXON] = (int)orig;
    for (int t = 0; t < ST_N; ++t) start[t] = t ? start[t - 1] + len[t - 1] : 0;
    snprintf(expr, sizeof expr, "%s.all", c->ref);
    if (!st) st = rv_hoc_sections(d->h, expr, 1, &all, &nall, err);
    csec *cs = st ? NULL : rv_malloc(sizeof *cs * (size_t)(nall ? nall : 1));
    if (!st && !cs) st = RV_FAIL(err, RV_ENOMEM, "out of memory");
    for (int i = 0; i < nall && !st; ++i) {
        const char *name = rv_section_name(d->m, all[i]);
        const char *dot = name ? strrchr(name, '.') : NULL;
        const char *base = dot ? dot + 1 : name ? name : "";
        int t, idx = 0;
        for (t = 0; t < ST_N; ++t) {
            size_t l = strlen(sec_types[t]);
            if (strncmp(base, sec_types[t], l) == 0 && (base[l] == '[' || base[l] == '\0')) break;
        }
        if (t == ST_N) {
            st = RV_FAIL(err, RV_EUNSUPPORTED,
                         "reports: section %s of cell %lld is not soma/axon/dend/apic (ais, "
                         "node, myelin are not supported yet)",
                         name ? name : "?", (long long)c->gid);
            break;
        }
        const char *br = strchr(base, '[');
        if (br) idx = atoi(br + 1);
        cs[i] = (csec){all[i], t, idx, start[t] + idx};
    }
    rv_free(all);
    if (st) {
        rv_free(cs);
        return st;
    }
    *out = cs;
    *n = nall;
    return RV_OK;
}

static int seg_of(int nseg, double x) {
    int i = (int)(x * nseg);
    return i >= nseg ? nseg - 1 : i < 0 ? 0 : i;
}

/* Terms of one variable at (sec, x).  summation: factor rules, missing
 * variables skipped; compartment: exactly one match. */
static rv_status add_var_terms(bdrv *d, rv_drv_report *r, const rv_sonata_cfg_report *rc,
                               const char *var, int sec, double x, int summation, rv_error *err) {
    char mech[128], field[128] = "i";
    snprintf(mech, sizeof mech, "%s", var);
    char *dot = strchr(mech, '.');
    if (dot) {
        *dot = '\0';
        snprintf(field, sizeof field, "%s", dot + 1);
    }
    double area = 0;
    rv_status st;
    if ((st = rv_section_area(d->m, sec, x, &area, err))) return st;
    double scale = rc->scaling == RV_SONATA_CFG_SCALING_AREA ? area / 100.0 : 1.0;
    const double *ptr;
    rv_error tmp;
    if (strcmp(mech, "i_membrane") == 0) {
        if ((st = rv_range_ptr(d->m, sec, x, "i_membrane_", &ptr, err))) return st;
        return rv__rep_add_term(r, ptr, 1.0, err);
    }
    /* point processes of that name on the section: those in x's segment */
    int nseg = rv_section_nseg(d->m, sec), on_sec = 0, found = 0;
    for (size_t k = 0; k < d->n_pps; ++k) {
        struct bpp *q = &d->pps[k];
        if (q->sec != sec || strncmp(q->mech, mech, strlen(mech)) != 0) continue;
        on_sec = 1;
        if (seg_of(nseg, q->x) != seg_of(nseg, x)) continue;
        if ((st = rv_pp_ptr(d->m, q->pp, field, &ptr, err))) return st;
        double f = !strcmp(q->mech, "IClamp") || !strcmp(q->mech, "SEClamp") ? -1.0 : scale;
        if ((st = rv__rep_add_term(r, ptr, summation ? f : 1.0, err))) return st;
        found++;
    }
    if (on_sec || found) {
        if (!summation && found != 1) {
            RV_FAIL(err, RV_EINVAL, "report '%s': %d point processes %s in the segment of %s(%g)",
                    rc->name, found, mech, rv_section_name(d->m, sec), x);
            rv_error_where(err, d->sim->path, 0, "variable_name");
            return RV_EINVAL;
        }
        return RV_OK;
    }
    if (rv_range_ptr(d->m, sec, x, mech, &ptr, &tmp) == RV_OK)
        return rv__rep_add_term(r, ptr, summation ? scale : 1.0, err);
    char full[300];
    snprintf(full, sizeof full, "%s_%s", field, mech);
    if (rv_range_ptr(d->m, sec, x, full, &ptr, &tmp) == RV_OK)
        return rv__rep_add_term(r, ptr, summation ? scale : 1.0, err);
    if (summation) return RV_OK; /* summation skips what a section lacks */
    RV_FAIL(err, RV_ENOENT, "report '%s': no variable '%s' at %s(%g)", rc->name, var,
            rv_section_name(d->m, sec), x);
    rv_error_where(err, d->sim->path, 0, "variable_name");
    return RV_ENOENT;
}

/* synapse reports: every point process of the variable's mechanism in the
 * segment of (sec, x), in creation order; element id = synapseID. */
static rv_status synapse_elements(bdrv *d, rv_drv_report *r, const rv_sonata_cfg_report *rc,
                                  int sec, double x, rv_error *err) {
    char mech[128], field[128] = "i";
    snprintf(mech, sizeof mech, "%s", rc->variables[0]);
    char *dot = strchr(mech, '.');
    if (dot) {
        *dot = '\0';
        snprintf(field, sizeof field, "%s", dot + 1);
    }
    int nseg = rv_section_nseg(d->m, sec);
    rv_status st = RV_OK;
    for (size_t k = 0; k < d->n_pps && !st; ++k) {
        struct bpp *q = &d->pps[k];
        if (q->sec != sec || strncmp(q->mech, mech, strlen(mech)) != 0 ||
            seg_of(nseg, q->x) != seg_of(nseg, x))
            continue;
        double id;
        const double *ptr;
        if ((st = rv_pp_get(d->m, q->pp, "synapseID", &id, err))) break;
        if ((st = rv_pp_ptr(d->m, q->pp, field, &ptr, err))) break;
        if ((st = rv_pp_set(d->m, q->pp, "selected_for_report", 1, err))) break;
        if ((st = rv__rep_add_element(r, (uint32_t)id, err))) break;
        st = rv__rep_add_term(r, ptr, 1.0, err);
    }
    if (st && err && !err->path[0]) rv_error_where(err, d->sim->path, 0, "variable_name");
    return st;
}

static int by_gid(const void *a, const void *b) {
    const bcell *const *x = a, *const *y = b;
    return (*x)->gid < (*y)->gid ? -1 : (*x)->gid > (*y)->gid;
}

static rv_status report_cell(bdrv *d, rv_drv_report *r, const rv_sonata_cfg_report *rc, bcell *c,
                             rv_error *err) {
    csec *cs = NULL;
    int n = 0;
    rv_status st = cell_sections(d, c, &cs, &n, err);
    if (st) return st;
    bpop *p = &d->pops[c->pop];
    int summation = rc->type == RV_SONATA_CFG_REPORT_SUMMATION;
    if (!summation && rc->n_variables != 1) {
        rv_free(cs);
        RV_FAIL(err, RV_EINVAL, "report '%s': a %s report takes exactly one variable", rc->name,
                rc->type == RV_SONATA_CFG_REPORT_COMPARTMENT_SET ? "compartment_set"
                                                                 : "compartment");
        rv_error_where(err, d->sim->path, 0, "variable_name");
        return RV_EINVAL;
    }
    st = rv__rep_add_cell(r, p->name, (uint64_t)c->gid, c->raw, err);
    if (!st && rc->type == RV_SONATA_CFG_REPORT_COMPARTMENT_SET) {
        long si = rv_sonata_compsets_find(d->compsets, rc->compartment_set);
        size_t ni = rv_sonata_compsets_size(d->compsets, (size_t)si);
        const rv_sonata_compartment *it = rv_sonata_compsets_items(d->compsets, (size_t)si);
        for (size_t k = 0; k < ni && !st; ++k) {
            if (it[k].node_id != c->raw) continue;
            int sec = -1;
            for (int q = 0; q < n; ++q)
                if ((uint64_t)cs[q].id == it[k].section_index) sec = cs[q].sec;
            if (sec < 0) {
                st = RV_FAIL(err, RV_ERANGE, "compartment set '%s': cell %llu has no section %llu",
                             rc->compartment_set, (unsigned long long)c->raw,
                             (unsigned long long)it[k].section_index);
                break;
            }
            st = rv__rep_add_element(r, (uint32_t)it[k].section_index, err);
            if (!st) st = add_var_terms(d, r, rc, rc->variables[0], sec, it[k].offset, 0, err);
        }
        rv_free(cs);
        return st;
    }
    int want = rc->sections == RV_SONATA_CFG_SECTIONS_SOMA   ? ST_SOMA
               : rc->sections == RV_SONATA_CFG_SECTIONS_AXON ? ST_AXON
               : rc->sections == RV_SONATA_CFG_SECTIONS_DEND ? ST_DEND
               : rc->sections == RV_SONATA_CFG_SECTIONS_APIC ? ST_APIC
                                                             : -1;
    int center = rc->compartments == RV_SONATA_CFG_COMPARTMENTS_CENTER;
    /* summation over soma: one element 0 for every segment of every soma */
    int one = summation && want == ST_SOMA;
    if (one && !st) st = rv__rep_add_element(r, 0, err);
    /* section arrays in index order; `all` in list order */
    for (int idx = 0, more = 1; more && !st; ++idx) {
        more = 0;
        for (int q = 0; q < n && !st; ++q) {
            if (want >= 0 ? (cs[q].type != want || cs[q].index != idx) : q != idx) continue;
            more = 1;
            int nseg = rv_section_nseg(d->m, cs[q].sec);
            int kseg = center && !one ? 1 : nseg;
            for (int k = 0; k < kseg && !st; ++k) {
                double x = kseg == 1 && center ? 0.5 : (k + 0.5) / nseg;
                if (rc->type == RV_SONATA_CFG_REPORT_SYNAPSE) {
                    st = synapse_elements(d, r, rc, cs[q].sec, x, err);
                    continue;
                }
                if (!one) st = rv__rep_add_element(r, (uint32_t)cs[q].id, err);
                for (size_t v = 0; v < rc->n_variables && !st; ++v)
                    st = add_var_terms(d, r, rc, rc->variables[v], cs[q].sec, x, summation, err);
            }
        }
    }
    rv_free(cs);
    return st;
}

/* Every enabled report, in name order; must run after the structure is
 * complete (engine pointers set the model up). */
static rv_status build_reports(bdrv *d, rv_error *err) {
    const rv_sonata_simulation_config *s = d->sim;
    rv_status st = RV_OK;
    size_t order[256], n = 0;
    for (size_t i = 0; i < s->n_reports && n < 256; ++i)
        if (s->reports[i].enabled) order[n++] = i;
    for (size_t i = 1; i < n; ++i) /* alphabetical */
        for (size_t k = i;
             k > 0 && strcmp(s->reports[order[k - 1]].name, s->reports[order[k]].name) > 0; --k) {
            size_t t = order[k];
            order[k] = order[k - 1], order[k - 1] = t;
        }
    bcell **sorted = rv_malloc(sizeof *sorted * (d->n_cells ? d->n_cells : 1));
    if (!sorted) return RV_FAIL(err, RV_ENOMEM, "out of memory");
    for (size_t i = 0; i < d->n_cells; ++i) sorted[i] = &d->cells[i];
    qsort(sorted, d->n_cells, sizeof *sorted, by_gid);
    rv__lfp *lfp = NULL; /* the electrodes file of an lfp report (lf) */
    for (size_t oi = 0; oi < n && !st; ++oi) {
        const rv_sonata_cfg_report *rc = &s->reports[order[oi]];
        rv_rep_params rp;
        memset(&rp, 0, sizeof rp);
        rp.name = rc->name;
        char rpath[1100];
        const char *base = rc->file_name ? strrchr(rc->file_name, '/') : NULL;
        snprintf(rpath, sizeof rpath, "%s/%s", d->outdir,
                 base            ? base + 1
                 : rc->file_name ? rc->file_name
                                 : rc->name);
        rp.path = rpath;
        rp.start = rc->start_time;
        rp.end = rc->end_time;
        rp.dt_report = rc->dt;
        rp.dt = s->run.dt;
        rp.tstop = s->run.tstop;
        if (d->ck.restore) { /* ckpt: neurodamus moves the window by the restored time */
            rp.start = rc->start_time + d->ck.t_restore;
            rp.end = rc->end_time + d->ck.t_restore;
        }
        switch (rc->type) {
        case RV_SONATA_CFG_REPORT_COMPARTMENT:
            rp.type = RV_REP_COMPARTMENT;
            break;
        case RV_SONATA_CFG_REPORT_SUMMATION:
            rp.type = RV_REP_SUMMATION;
            break;
        case RV_SONATA_CFG_REPORT_SYNAPSE:
            rp.type = RV_REP_SYNAPSE;
            break;
        case RV_SONATA_CFG_REPORT_LFP: /* lfp.c (lf) */
            rp.type = RV_REP_LFP;
            st = rv__lfp_open_for_report(s, rc, &lfp, err);
            break;
        case RV_SONATA_CFG_REPORT_COMPARTMENT_SET:
            rp.type = RV_REP_COMPARTMENT_SET;
            if (!d->compsets || rv_sonata_compsets_find(d->compsets, rc->compartment_set) < 0) {
                RV_FAIL(err, RV_ENOENT, "report '%s': no compartment set '%s'%s", rc->name,
                        rc->compartment_set ? rc->compartment_set : "(none)",
                        d->compsets ? "" : " (no compartment_sets_file)");
                rv_error_where(err, s->path, 0, "compartment_set");
                st = RV_ENOENT;
            }
            break;
        default: {
            char what[300];
            snprintf(what, sizeof what, "report '%s' of type %s", rc->name,
                     rc->type == RV_SONATA_CFG_REPORT_SYNAPSE ? "synapse"
                     : rc->type == RV_SONATA_CFG_REPORT_LFP   ? "lfp"
                                                              : "other");
            st = unsupported(d, "reports", what, err);
        }
        }
        if (st) break;
        rv_sonata_comm sc = scomm(d);
        rv_drv_report *r = NULL;
        if ((st = rv__rep_create(&r, &rp, &sc, err))) break;
        if ((st = rv__reps_add(&d->reps, r, err))) {
            rv__rep_destroy(r);
            break;
        }
        long csi = rc->type == RV_SONATA_CFG_REPORT_COMPARTMENT_SET
                       ? rv_sonata_compsets_find(d->compsets, rc->compartment_set)
                       : -1;
        const char *cells = rc->cells ? rc->cells : s->node_set;
        for (size_t pi = 0; pi < d->n_pops && !st; ++pi) {
            bpop *p = &d->pops[pi];
            if (!p->is_bio || !p->n_target) continue;
            rv_sonata_sel sel = {NULL, 0};
            if (csi >= 0) {
                const char *cp = rv_sonata_compsets_population(d->compsets, (size_t)csi);
                if (cp && strcmp(cp, p->name) != 0) continue;
                st = rv_sonata_compsets_node_ids(d->compsets, (size_t)csi, &sel, err);
            } else if (cells) {
                st = rv_sonata_nodesets_select(d->c->ns, cells, p->pop, &sel, err);
            } else {
                rv_sonata_range all = {0, p->size};
                st = rv_sonata_sel_from_ranges(&all, p->size ? 1 : 0, &sel, err);
            }
            for (size_t k = 0; k < d->n_cells && !st; ++k) {
                bcell *c = sorted[k];
                if (c->pop != (int)pi || !rv__drv_sel_has(&sel, c->raw)) continue;
                st = lfp ? rv__lfp_add_cell(lfp, r, d->m, d->h, c->ref, p->name, (uint64_t)c->gid,
                                            c->raw, err) /* lfp.c (lf) */
                         : report_cell(d, r, rc, c, err);
            }
            rv_sonata_sel_free(&sel);
        }
        rv__lfp_close(lfp); /* lf */
        lfp = NULL;
    }
    rv__lfp_close(lfp); /* lf */
    rv_free(sorted);
    return st;
}

static int reports_need_imem(const rv_sonata_simulation_config *s) {
    for (size_t i = 0; i < s->n_reports; ++i)
        for (size_t v = 0; s->reports[i].enabled && v < s->reports[i].n_variables; ++v)
            if (strcmp(s->reports[i].variables[v], "i_membrane") == 0) return 1;
    for (size_t i = 0; i < s->n_reports; ++i) /* lfp reports: i_membrane_ (lf) */
        if (s->reports[i].enabled && s->reports[i].type == RV_SONATA_CFG_REPORT_LFP) return 1;
    return 0;
}

/* finitialize and the fixed steps, sampling reports after each */
static rv_status simulate(bdrv *d, rv_error *err) {
    rv_status st = RV_OK;
    double tstop = d->sim->run.tstop, dt = d->sim->run.dt;
    int reps = d->reps.n > 0;
    if (reps) st = rv_model_set_init_hook(d->m, rv__reps_init_hook, &d->reps, err);
    if (!st) st = rv_model_finitialize(d->m, d->sim->conditions.v_init, err);
    if (st && err && strstr(err->msg, "voltage transfer") && strstr(err->msg, "no source")) {
        /* a gap junction whose other half is missing */
        char m[512];
        snprintf(m, sizeof m,
                 "%.200s: a gap junction's efferent_junction_id is the afferent_junction_id of no "
                 "electrical edge onto a simulated cell (each direction of a junction needs its "
                 "own edge)",
                 err->msg);
        memcpy(err->msg, m, sizeof m);
        rv_error_where(err, d->circ->path, 0, "electrical");
    }
    if (!st && d->reps.hook_st) st = d->reps.hook_st, *err = d->reps.hook_err;
    /* run.forward_skip: ten steps of skip/10 from t = -1e9, then t = 0 and
     * the records restarted (neurodamus' ForwardSkip; not when restoring) */
    if (!st && d->sim->run.has_forward_skip && d->sim->run.forward_skip > 0 && !d->ck.restore)
        st = rv_model_forward_skip(d->m, d->sim->run.forward_skip, err);
    st = rv__drv_ckpt_restore(&d->ck, d->m, st, err); /* ckpt: --restore (collective) */
    if (!st) /* --dump-cell-state at t=0 (restored: at the restored time) */
        st = rv_model_prcellstate_gids(d->m, d->o->dump_gids, d->o->n_dump_gids, rv_model_t(d->m),
                                       d->outdir, err);
    if (!st && reps) st = rv__reps_after_step(&d->reps, rv_model_t(d->m), err);
    if (!st && !reps && !d->ck.save) return rv_model_run(d->m, tstop, err);
    while (!st && rv_model_t(d->m) < tstop - dt / 2) {
        if (rv__drv_ckpt_save_due(&d->ck, rv_model_t(d->m), dt)) /* ckpt: --save-time */
            st = rv__drv_ckpt_save(&d->ck, d->m, st, err);
        if (!st) st = rv_model_step(d->m, err);
        if (!st && reps) st = rv__reps_after_step(&d->reps, rv_model_t(d->m), err);
    }
    if (!st && rv__drv_ckpt_save_due(&d->ck, rv_model_t(d->m), dt)) /* ckpt: --save at tstop */
        st = rv__drv_ckpt_save(&d->ck, d->m, st, err);
    return st;
}

/* ---- modifications (facts §7) ------------------------------------------------ */

typedef struct mstmt {
    char attr[64];
    char op; /* '=', '+', '-', '*', '/' */
    double val;
} mstmt;

static int is_secprop(const char *a) {
    return !strcmp(a, "L") || !strcmp(a, "Ra") || !strcmp(a, "nseg") || !strcmp(a, "rallbranch");
}

/* "PREFIX.attr op number" statements separated by ';' or newlines; every
 * PREFIX must be the same (returned in prefix). */
static rv_status parse_mod(bdrv *d, const rv_sonata_cfg_modification *mc, mstmt *out, int *n,
                           char *prefix, size_t np, rv_error *err) {
    const char *p = mc->section_configure ? mc->section_configure : "";
    *n = 0;
    prefix[0] = '\0';
    while (*p) {
        while (*p == ' ' || *p == '\t' || *p == ';' || *p == '\n' || *p == '\r') p++;
        if (!*p) break;
        const char *e = p;
        while (*e && *e != ';' && *e != '\n') e++;
        char stmt[256];
        size_t len = (size_t)(e - p);
        if (len >= sizeof stmt || *n == 32) goto bad;
        memcpy(stmt, p, len);
        stmt[len] = '\0';
        p = e;
        char *dot = strchr(stmt, '.');
        char *a = stmt;
        if (mc->type == RV_SONATA_CFG_MOD_COMPARTMENT_SET) { /* "attr op number": no PREFIX */
            while (*a == ' ' || *a == '\t') a++;
        } else {
            if (!dot) goto bad;
            *dot = '\0';
            if (prefix[0] && strcmp(prefix, stmt) != 0) goto bad;
            if (strlen(stmt) >= np) goto bad;
            memcpy(prefix, stmt, strlen(stmt) + 1);
            a = dot + 1;
        }
        char *q = a;
        while ((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') || (*q >= '0' && *q <= '9') ||
               *q == '_')
            q++;
        if (q == a || (size_t)(q - a) >= sizeof out->attr) goto bad;
        mstmt *m = &out[*n];
        memcpy(m->attr, a, (size_t)(q - a));
        m->attr[q - a] = '\0';
        while (*q == ' ' || *q == '\t') q++;
        if (q[0] == '=' && q[1] != '=') {
            m->op = '=', q++;
        } else if (strchr("+-*/", q[0]) && q[0] && q[1] == '=') {
            m->op = q[0], q += 2;
        } else {
            goto bad;
        }
        char *end;
        m->val = strtod(q, &end);
        while (*end == ' ' || *end == '\t' || *end == '\r') end++;
        if (end == q || *end) goto bad;
        (*n)++;
    }
    return RV_OK;
bad:
    RV_FAIL(err, RV_EUNSUPPORTED,
            "modification '%s': section_configure '%s' is not a list of '%s op "
            "number' statements%s (op =, +=, -=, *=, /=; other Python is not "
            "supported)",
            mc->name, mc->section_configure ? mc->section_configure : "",
            mc->type == RV_SONATA_CFG_MOD_COMPARTMENT_SET ? "attribute" : "PREFIX.attribute",
            mc->type == RV_SONATA_CFG_MOD_COMPARTMENT_SET ? "" : " with one PREFIX");
    rv_error_where(err, d->sim->path, 0, "section_configure");
    return RV_EUNSUPPORTED;
}

/* hasattr(sec, attr) */
static int sec_has(bdrv *d, const char *secexpr, const char *attr) {
    rv_error tmp;
    return hocf(d, "hasattr", &tmp, "%s { rv__x = %s%s }\n", secexpr, attr,
                is_secprop(attr) ? "" : "(0.5)") == RV_OK;
}

/* sec.attr op= val, as Python does on a Section: read at 0.5, set everywhere */
static rv_status sec_apply(bdrv *d, const char *secexpr, const mstmt *m, rv_error *err) {
    const char *at = is_secprop(m->attr) ? "" : "(0.5)";
    if (m->op == '=')
        return hocf(d, "modification", err, "%s { %s = %.17g }\n", secexpr, m->attr, m->val);
    return hocf(d, "modification", err, "%s { rv__x = %s%s %c %.17g  %s = rv__x }\n", secexpr,
                m->attr, at, m->op, m->val, m->attr);
}

/* compartment_set (facts §7): each entry (node, section id, offset) of the
 * set, in the set's order, whose node id equals the final gid of a local
 * cell (neurodamus compares them, whatever the set's population: only a
 * population at offset 0 gets what it asks for) has its segment
 * sec(offset) of the type-ordered section id changed, when that segment has
 * every attribute named. */
static rv_status apply_compset_mod(bdrv *d, const rv_sonata_cfg_modification *mc, const mstmt *ms,
                                   int nm, rv_error *err) {
    rv_status st = RV_OK;
    if (!d->compsets && d->sim->compartment_sets_file)
        st = rv_sonata_compsets_load(d->sim->compartment_sets_file, &d->compsets, err);
    if (st) return st;
    long csi = d->compsets ? rv_sonata_compsets_find(d->compsets, mc->compartment_set) : -1;
    if (csi < 0) {
        RV_FAIL(err, RV_ENOENT, "modification '%s': compartment set '%s' %s", mc->name,
                mc->compartment_set ? mc->compartment_set : "",
                d->compsets ? "is not in compartment_sets_file" : "needs compartment_sets_file");
        rv_error_where(err, d->sim->path, 0, "compartment_set");
        return RV_ENOENT;
    }
    size_t ni = rv_sonata_compsets_size(d->compsets, (size_t)csi);
    const rv_sonata_compartment *it = rv_sonata_compsets_items(d->compsets, (size_t)csi);
    for (size_t k = 0; k < ni && !st; ++k) {
        bcell *c = NULL;
        for (size_t ci = 0; ci < d->n_cells && !c; ++ci)
            if (d->cells[ci].gid == (int64_t)it[k].node_id) c = &d->cells[ci];
        if (!c) continue;
        csec *cs = NULL;
        int n = 0, q;
        if ((st = cell_sections(d, c, &cs, &n, err))) break;
        for (q = 0; q < n && cs[q].id != (int)it[k].section_index; ++q) {
        }
        if (q == n) {
            rv_free(cs);
            RV_FAIL(err, RV_ERANGE,
                    "modification '%s': compartment set '%s' names section id %llu of cell %lld, "
                    "which has no such section (or it was removed with the axon)",
                    mc->name, mc->compartment_set, (unsigned long long)it[k].section_index,
                    (long long)c->gid);
            rv_error_where(err, d->sim->path, 0, "compartment_set");
            return RV_ERANGE;
        }
        char se[160];
        snprintf(se, sizeof se, "%s.%s[%d]", c->ref, sec_types[cs[q].type], cs[q].index);
        rv_free(cs);
        int ok = 1;
        rv_error tmp;
        for (int m = 0; m < nm && ok; ++m) /* hasattr(seg, attr) */
            ok = !is_secprop(ms[m].attr) && hocf(d, "hasattr", &tmp, "%s { rv__x = %s(%.17g) }\n",
                                                 se, ms[m].attr, it[k].offset) == RV_OK;
        for (int m = 0; m < nm && ok && !st; ++m) {
            if (ms[m].op == '=')
                st = hocf(d, "modification", err, "%s { %s(%.17g) = %.17g }\n", se, ms[m].attr,
                          it[k].offset, ms[m].val);
            else
                st = hocf(d, "modification", err,
                          "%s { rv__x = %s(%.17g) %c %.17g  %s(%.17g) = rv__x }\n", se, ms[m].attr,
                          it[k].offset, ms[m].op, ms[m].val, ms[m].attr, it[k].offset);
        }
    }
    return st;
}

static const char *const sl_names[] = {"somatic", "axonal",     "basal", "apical", "AIS",
                                       "nodal",   "myelinated", "all",   NULL};

static rv_status apply_modifications(bdrv *d, rv_error *err) {
    const rv_sonata_cfg_conditions *cc = &d->sim->conditions;
    rv_status st = RV_OK;
    char cas_attrs[64][64]; /* configure_all_sections: attributes of every one so far */
    int n_cas = 0;
    for (size_t mi = 0; mi < cc->n_modifications && !st; ++mi) {
        const rv_sonata_cfg_modification *mc = &cc->modifications[mi];
        mstmt ms[32];
        int nm = 0;
        char prefix[128] = "";
        if (mc->type == RV_SONATA_CFG_MOD_TTX) {
            if ((st = need_builtin(d, "TTXDynamicsSwitch", err))) break;
        } else if ((st = parse_mod(d, mc, ms, &nm, prefix, sizeof prefix, err))) {
            break;
        }
        int list_ok = 0, sec_type = -1, sec_index = 0;
        if (mc->type == RV_SONATA_CFG_MOD_COMPARTMENT_SET) {
            st = apply_compset_mod(d, mc, ms, nm, err);
            continue;
        }
        if (mc->type == RV_SONATA_CFG_MOD_CONFIGURE_ALL_SECTIONS) {
            list_ok = strcmp(prefix, "%s") == 0;
            for (int k = 0; k < nm && list_ok; ++k) {
                int seen = 0;
                for (int q = 0; q < n_cas; ++q) seen |= !strcmp(cas_attrs[q], ms[k].attr);
                if (!seen && n_cas < 64) memcpy(cas_attrs[n_cas++], ms[k].attr, sizeof ms[k].attr);
            }
        } else if (mc->type == RV_SONATA_CFG_MOD_SECTION_LIST) {
            for (int k = 0; sl_names[k]; ++k) list_ok |= !strcmp(prefix, sl_names[k]);
        } else if (mc->type == RV_SONATA_CFG_MOD_SECTION) {
            char *br = strchr(prefix, '[');
            if (br) {
                *br = '\0';
                for (int t = 0; t < ST_N; ++t)
                    if (!strcmp(prefix, sec_types[t])) sec_type = t;
                sec_index = atoi(br + 1);
                *br = '[';
            }
            list_ok = sec_type >= 0;
        } else {
            list_ok = 1;
        }
        if (!list_ok) {
            RV_FAIL(err, RV_EUNSUPPORTED,
                    "modification '%s': '%s' is not a section list / section this modification "
                    "type takes (%s)",
                    mc->name, prefix,
                    mc->type == RV_SONATA_CFG_MOD_SECTION ? "soma/axon/dend/apic[i]"
                    : mc->type == RV_SONATA_CFG_MOD_SECTION_LIST
                        ? "somatic, axonal, basal, apical, AIS, nodal, myelinated, all"
                        : "%s");
            rv_error_where(err, d->sim->path, 0, "section_configure");
            st = RV_EUNSUPPORTED;
            break;
        }
        for (size_t pi = 0; pi < d->n_pops && !st; ++pi) {
            bpop *p = &d->pops[pi];
            if (!p->is_bio || !p->n_target) continue;
            rv_sonata_sel sel = {NULL, 0};
            if ((st = rv_sonata_nodesets_select(d->c->ns, mc->node_set, p->pop, &sel, err))) {
                rv_error_where(err, d->sim->path, 0, "node_set");
                break;
            }
            for (size_t ci = 0; ci < d->n_cells && !st; ++ci) {
                bcell *c = &d->cells[ci];
                if (c->pop != (int)pi || !rv__drv_sel_has(&sel, c->raw)) continue;
                csec *cs = NULL;
                int n = 0;
                if ((st = cell_sections(d, c, &cs, &n, err))) break;
                for (int q = 0; q < n && !st; ++q) {
                    char se[160];
                    snprintf(se, sizeof se, "%s.%s[%d]", c->ref, sec_types[cs[q].type],
                             cs[q].index);
                    if (mc->type == RV_SONATA_CFG_MOD_TTX) {
                        st = hocf(d, "ttx", err,
                                  "%s { insert TTXDynamicsSwitch  ttxo_level_TTXDynamicsSwitch = 1 "
                                  "}\n",
                                  se);
                        continue;
                    }
                    if (mc->type == RV_SONATA_CFG_MOD_SECTION &&
                        (cs[q].type != sec_type || cs[q].index != sec_index))
                        continue;
                    if (mc->type == RV_SONATA_CFG_MOD_SECTION_LIST && strcmp(prefix, "all")) {
                        int *ls = NULL, nl = 0, in = 0;
                        char expr[200];
                        snprintf(expr, sizeof expr, "%s.%s", c->ref, prefix);
                        if ((st = rv_hoc_sections(d->h, expr, 1, &ls, &nl, err))) break;
                        for (int k = 0; k < nl; ++k) in |= ls[k] == cs[q].sec;
                        rv_free(ls);
                        if (!in) continue;
                    }
                    int ok = 1;
                    if (mc->type == RV_SONATA_CFG_MOD_CONFIGURE_ALL_SECTIONS)
                        for (int k = 0; k < n_cas && ok; ++k) ok = sec_has(d, se, cas_attrs[k]);
                    else
                        for (int k = 0; k < nm && ok; ++k) ok = sec_has(d, se, ms[k].attr);
                    if (!ok) continue;
                    /* configure_all_sections runs once per segment (point list) */
                    int reps = mc->type == RV_SONATA_CFG_MOD_CONFIGURE_ALL_SECTIONS
                                   ? rv_section_nseg(d->m, cs[q].sec)
                                   : 1;
                    for (int r = 0; r < reps && !st; ++r)
                        for (int k = 0; k < nm && !st; ++k) st = sec_apply(d, se, &ms[k], err);
                }
                rv_free(cs);
            }
            rv_sonata_sel_free(&sel);
        }
    }
    return st;
}

/* ---- output ---------------------------------------------------------------------- */

static rv_status write_spikes(bdrv *d, rv_drv_result *res, rv_error *err) {
    rv_sonata_spikes *s = NULL;
    rv_status st = rv_sonata_spikes_create(&s, err);
    for (size_t k = 0; k < d->n_pops && !st; ++k)
        if (d->pops[k].is_bio && d->pops[k].n_target)
            st = rv_sonata_spikes_add(s, d->pops[k].name, NULL, NULL, 0, err);
    size_t n = rv_spike_count(d->m);
    for (size_t i = 0; i < n && !st; ++i) {
        double t;
        int64_t gid;
        rv_spike_get(d->m, i, &t, &gid);
        for (size_t k = 0; k < d->n_pops; ++k) {
            bpop *p = &d->pops[k];
            if (!p->is_bio || (uint64_t)gid < p->offset || (uint64_t)gid >= p->offset + p->size)
                continue;
            uint64_t id = (uint64_t)gid - p->offset;
            st = rv_sonata_spikes_add(s, p->name, &t, &id, 1, err);
            break;
        }
    }
    rv_sonata_comm sc = scomm(d);
    if (!st && d->c->have_comm) st = rv_sonata_spikes_gather(s, &sc, err);
    st = agree(d, st, err);
    if (!st && d->c->rank == 0) {
        for (size_t k = 0; k < s->n_pops; ++k) res->n_spikes += s->pops[k].n;
        st = rv_sonata_spikes_write(res->spikes_path, s, RV_SONATA_SORT_BY_TIME, err);
    }
    rv_sonata_spikes_destroy(s);
    return agree(d, st, err);
}

static rv_status output_paths(bdrv *d, rv_drv_result *res, rv_error *err) {
    const rv_sonata_cfg_output *o = &d->sim->output;
    const char *dir = d->o->output_dir ? d->o->output_dir : o->output_dir;
    if (!dir) dir = "output";
    if (strlen(dir) >= sizeof d->outdir) return RV_FAIL(err, RV_ERANGE, "output path too long");
    snprintf(d->outdir, sizeof d->outdir, "%s", dir);
    const char *name = o->spikes_file ? o->spikes_file : "out.h5";
    const char *slash = strrchr(name, '/');
    if (slash) name = slash + 1;
    if ((size_t)snprintf(res->spikes_path, sizeof res->spikes_path, "%s/%s", dir, name) >=
        sizeof res->spikes_path)
        return RV_FAIL(err, RV_ERANGE, "output path too long");
    snprintf(res->output_dir, sizeof res->output_dir, "%s", dir);
    return d->c->rank == 0 ? rv__drv_mkdir_p(dir, err) : RV_OK;
}

/* ---- the run ------------------------------------------------------------------------ */

static void bdrv_free(bdrv *d) {
    rv__synhelper_destroy(d->sh); /* mo: unhooks itself from the interpreter first */
    rv_hoc_destroy(d->h);
    rv_model_destroy(d->m);
    for (int i = 0; i < d->n_libs; ++i) rv_nmodl_close(d->libs[i]);
    for (size_t i = 0; i < d->n_eps; ++i)
        rv_sonata_pop_close(d->eps[i].pop), rv_free(d->eps[i].name);
    for (size_t i = 0; i < d->n_pops; ++i) {
        rv_sonata_pop_close(d->pops[i].pop);
        rv_free(d->pops[i].name), rv_free(d->pops[i].target), rv_free(d->pops[i].cell);
    }
    for (size_t i = 0; i < d->n_cells; ++i) rv_free(d->cells[i].isec);
    rv_free(d->cells), rv_free(d->pops), rv_free(d->eps), rv_free(d->calls);
    for (size_t i = 0; i < d->n_vecs; ++i) rv_free(d->vecs[i]->data), rv_free(d->vecs[i]);
    rv_free(d->vecs);
    for (size_t o = 0; o < d->n_ov; ++o) {
        for (size_t p = 0; p < d->n_pops && d->ov[o].src; ++p) rv_sonata_sel_free(&d->ov[o].src[p]);
        for (size_t p = 0; p < d->n_pops && d->ov[o].trg; ++p) rv_sonata_sel_free(&d->ov[o].trg[p]);
        rv_free(d->ov[o].src), rv_free(d->ov[o].trg);
    }
    rv_free(d->ov);
    for (size_t q = 0; q < d->n_replay; ++q) {
        rv_sonata_spikes_destroy(d->replay[q].spk);
        for (size_t p = 0; p < d->n_pops && d->replay[q].trg; ++p)
            rv_sonata_sel_free(&d->replay[q].trg[p]);
        rv_free(d->replay[q].trg);
        for (size_t p = 0; p < d->n_pops && d->replay[q].src; ++p)
            rv_sonata_sel_free(&d->replay[q].src[p]);
        rv_free(d->replay[q].src);
    }
    rv_free(d->replay);
    rv__reps_free(&d->reps);
    rv_sonata_compsets_destroy(d->compsets);
    rv_free(d->pps);
    rv_free(d->bsyn);
}

static void hoc_quiet(void *ud, const char *text, size_t n) {
    (void)ud, (void)text, (void)n;
}

int rv__drv_is_bbp(const rv_sonata_config *cfg) {
    if (!cfg || !cfg->circuit || cfg->flavour == RV_SONATA_CFG_FLAVOUR_ALLEN) return 0;
    const rv_sonata_circuit_config *c = cfg->circuit;
    for (size_t i = 0; i < c->n_node_populations; ++i) {
        const char *t = c->node_populations[i].type;
        if (!t || strcmp(t, "biophysical") == 0) return 1;
    }
    return 0;
}

rv_status rv__drv_bbp_run(rv__drv_ctx *ctx, rv_drv_result *res, rv_error *err) {
    bdrv d;
    memset(&d, 0, sizeof d);
    d.c = ctx;
    d.o = ctx->o;
    d.circ = ctx->cfg->circuit;
    d.sim = ctx->cfg->simulation;
    rv_status st = RV_OK;
    /* <config>.SUCCESS: deleted first, written last by rank 0 */
    char success[1100];
    snprintf(success, sizeof success, "%s.SUCCESS", d.o->config);
    if (ctx->rank == 0 && !d.o->dry_run) remove(success); /* --dry-run: no change */
    d.nc_slot[0] = d.nc_slot[1] = -1;
    d.pops = rv_calloc(64, sizeof *d.pops);
    d.eps = rv_calloc(64, sizeof *d.eps);
    if (!d.pops || !d.eps) st = RV_FAIL(err, RV_ENOMEM, "out of memory");
    if (!st) st = check_supported(&d, err);
    if (!st) st = output_paths(&d, res, err);
    st = agree(&d, st, err);
    if (!st && d.sim->target_simulator == RV_SONATA_CFG_SIM_CORENEURON)
        progress(&d, "target_simulator CORENEURON: simulated by ranvier's engine", 0, 0, 0);
    const rv_sonata_cfg_run *run = &d.sim->run;
    if (!st) st = rv_model_create(&d.m, err);
    if (!st) st = rv_model_set_dt(d.m, run->dt, err);
    if (!st) st = rv_model_set_celsius(d.m, d.sim->conditions.celsius, err);
    if (!st) st = rv_model_set_secondorder(d.m, (int)run->integration_method, err);
    if (!st && ctx->have_comm && ctx->size > 1) st = rv_model_set_comm(d.m, &ctx->comm, err);
    if (!st) st = rv_model_set_event_order(d.m, (rv_event_order)d.o->event_order, err);
    if (!st) rv_ran123_set_globalindex((uint32_t)run->random_seed);
    if (!st) st = load_mechanisms(&d, err);
    if (!st) st = rv_hoc_create(d.m, &d.h, err);
    if (!st) {
        rv_hoc_set_echo(d.h, 0);
        if (!d.o->verbose) rv_hoc_set_output(d.h, hoc_quiet, NULL);
        st = declare_mechanisms(&d, err);
    }
    if (!st)
        st = hocf(&d, "conditions", err,
                  "celsius = %.17g\ndt = %.17g\ntstop = %.17g\nv_init = "
                  "%.17g\nsecondorder = %d\n",
                  d.sim->conditions.celsius, run->dt, run->tstop, d.sim->conditions.v_init,
                  (int)run->integration_method);
    if (!st) st = mech_globals(&d, err);
    if (!st) st = open_nodes(&d, err);
    if (!st) st = place_populations(&d, err);
    st = agree(&d, st, err);
    double t_phase = wall_s();
    if (!st) st = build_cells(&d, err);
    st = agree(&d, st, err);
    if (!st) {
        progress(&d, "%g cells built (%g on rank 0)", (double)sum_u64(&d, d.n_cells),
                 (double)d.n_cells, 0);
        progress_rate(&d, "cells instantiated on rank 0", (double)d.n_cells, wall_s() - t_phase);
    }
    t_phase = wall_s();
    if (!st) st = open_edges(&d, err);
    if (!st) st = read_replays(&d, err);
    if (!st && d.n_replay) st = need_builtin(&d, "VecStim", err);
    for (size_t o = 0; o < d.sim->n_connection_overrides && !st; ++o)
        if (d.sim->connection_overrides[o].has_spont_minis &&
            d.sim->connection_overrides[o].spont_minis > 0 && !have_mech(&d, "InhPoissonStim")) {
            RV_FAIL(err, RV_ENOENT,
                    "connection_overrides '%s': spont_minis need the mechanism InhPoissonStim "
                    "(pass --mechanisms DIR or set components.mechanisms_dir)",
                    d.sim->connection_overrides[o].name);
            rv_error_where(err, d.sim->path, 0, "spont_minis");
            st = RV_ENOENT;
        }
    if (!st) st = build_synapses(&d, err);
    if (!st) st = build_gaps(&d, err);
    st = agree(&d, st, err);
    if (!st) {
        progress(&d, "%g synapses, %g NetCons, %g gap junctions", (double)sum_u64(&d, d.n_syn),
                 (double)sum_u64(&d, d.n_netcons), (double)sum_u64(&d, d.n_gaps));
        progress_rate(&d, "synapses created on rank 0", (double)d.n_syn, wall_s() - t_phase);
    }
    if (!st) st = build_stimuli(&d, err);
    if (!st) st = apply_modifications(&d, err);
    for (size_t i = 0; i < d.n_cells && !st && d.o->record_soma; ++i)
        st = rv_record_range(d.m, d.cells[i].soma, 0.5, "v", &d.cells[i].rec, err);
    if (!st && d.sim->compartment_sets_file && !d.compsets) /* (modifications may have) */
        st = rv_sonata_compsets_load(d.sim->compartment_sets_file, &d.compsets, err);
    if (!st && reports_need_imem(d.sim)) st = rv_model_set_fast_imem(d.m, 1, err);
    /* everything that lowers the model comes last */
    if (!st) st = rv_hoc_apply_globals(d.h, err);
    for (size_t i = 0; i < d.n_calls && !st; ++i)
        st = rv_pp_call(d.m, d.calls[i].pp, d.calls[i].fn, d.calls[i].a, d.calls[i].nargs, NULL,
                        err);
    if (!st && d.sh) st = rv__synhelper_flush(d.sh, err); /* mo: setRNG ... of helpers */
    /* ckpt: --save / --restore plan (collective; a restore moves the report windows) */
    st = rv__drv_ckpt_plan(&d.ck, d.o, &ctx->comm, ctx->have_comm, run->tstop, run->dt, st, err);
    if (!st) st = build_reports(&d, err);
    st = agree(&d, st, err);
    if (!st && d.o->dry_run) { /* --dry-run: all built; nothing simulated or written */
        res->dry_run = 1, res->tstop = run->tstop;
        res->n_cells = sum_u64(&d, d.n_cells), res->n_netcons = sum_u64(&d, d.n_netcons);
        res->n_synapses = sum_u64(&d, d.n_syn);
        bdrv_free(&d);
        return RV_OK;
    }
    if (!st) progress(&d, "simulating %g ms (dt %g)", run->tstop, run->dt, 0);
    t_phase = wall_s();
    if (!st) st = simulate(&d, err);
    if (!st) /* --dump-cell-state at tstop */
        st = rv_model_prcellstate_gids(d.m, d.o->dump_gids, d.o->n_dump_gids, run->tstop, d.outdir,
                                       err);
    st = agree(&d, st, err);
    if (!st && d.reps.n) st = agree(&d, rv__reps_finish(&d.reps, err), err);
    if (!st) progress(&d, "simulated %g ms in %.3g s", rv_model_t(d.m), wall_s() - t_phase, 0);
    if (!st) {
        rv__drv_ckpt_result(&d.ck, d.m, res); /* ckpt */
        res->tstop = run->tstop;
        res->n_cells = sum_u64(&d, d.n_cells);
        res->n_virtual = 0;
        res->n_netcons = sum_u64(&d, d.n_netcons);
        res->n_synapses = sum_u64(&d, d.n_syn);
        st = write_spikes(&d, res, err);
    }
    if (!st)
        st = agree(&d,
                   d.o->record_soma
                       ? rv__drv_write_soma(d.o->record_soma, d.c->rank, d.m, d.cells, d.n_cells,
                                            sizeof *d.cells, offsetof(bcell, gid),
                                            offsetof(bcell, rec), err)
                       : RV_OK,
                   err);
    if (!st) st = agree(&d, write_offsets(&d, err), err); /* outputs only after a good run */
    if (!st && ctx->rank == 0) {
        FILE *f = fopen(success, "w");
        if (!f || fclose(f) != 0) {
            RV_FAIL(err, RV_EIO, "cannot write the SUCCESS marker: %s", strerror(errno));
            rv_error_where(err, success, 0, NULL);
            st = RV_EIO;
        }
    }
    st = agree(&d, st, err);
    bdrv_free(&d);
    return st;
}
