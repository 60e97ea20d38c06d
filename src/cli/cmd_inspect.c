/* SPDX-License-Identifier: MIT
 * cli/cmd_inspect.c -- `ranvier inspect [--json] [--flavour bbp|allen] CONFIG`.
 *
 * Loads a SONATA simulation config, circuit config or BMTK root config.json
 * with everything it names, and prints what a run would see:
 *
 *   node populations   name, type, size, file, model_type and model_template
 *                      values with the number of nodes of each
 *   edge populations   name, type, size, file, source -> target node
 *                      populations, which indices exist
 *   node sets          size of each node set in each node population
 *   inputs, reports    as the simulation config gives them (with defaults),
 *                      with the size of the node set each one targets
 *
 * Human-readable text by default (stable: fixed order, no timings), one
 * JSON document with --json.  Every problem found goes to stderr as
 *
 *   file:line:col: error: message [key]          (":line:col" when known)
 *
 * and the exit status is 1 if there was any (2 for a usage error).  The
 * problems are those of the config loader (its whole list), then those found
 * here, in the order found: node/edge/types files that cannot be opened
 * (reported at the config value naming them), populations declared in the
 * config but absent from their file, populations that the SONATA reader
 * refuses (missing or malformed datasets: reported in the HDF5 file, with
 * the dataset as key), a population name used twice, edge populations whose
 * source or target node population is not in the circuit (a warning only for
 * circuits with metadata.status "partial"), a node sets file that cannot be
 * loaded, node sets that cannot be evaluated, and node set names used by the
 * simulation (node_set, inputs, reports, modifications, connection
 * overrides) that are not defined.  In the Allen flavour a node population
 * name is a node set too (BMTK adds one per population).
 *
 * Positions inside the config files come from a small scan of the JSON text
 * here (the config layer keeps its own positions private): every value is
 * recorded under its key path ("networks.nodes[1].nodes_file"), and a key
 * that is absent falls back to its nearest recorded ancestor.
 *
 * Node set sizes need include/ranvier/sonata_nodesets.h; without it this
 * file still builds and prints everything else (node_sets: null in JSON).
 *
 * Not done here: reading edge or node attributes other than model_type and
 * model_template, checking that edge node ids lie inside their populations,
 * opening morphologies, spike input files, electrodes or compartment sets.
 */
#include "ranvier/base.h"
#include "ranvier/sonata_circuit.h"
#include "ranvier/sonata_config.h"

/* Node set sizes when the node sets layer is there (RV_INSPECT_NO_NODESETS
 * builds without it). */
#if defined(__has_include) && !defined(RV_INSPECT_NO_NODESETS)
#if __has_include("ranvier/sonata_nodesets.h")
#include "ranvier/sonata_nodesets.h"
#define RV_INSPECT_NODESETS 1
#endif
#endif
#ifndef RV_INSPECT_NODESETS
#define RV_INSPECT_NODESETS 0
#endif

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KP_MAX 512

/* ---- problem list ----------------------------------------------------------- */

typedef struct problems {
    rv_error *v;
    size_t n, cap;
    char **warn; /* "path: warning: text" lines */
    size_t n_warn, cap_warn;
    int oom;
} problems;

static void prob_push(problems *P, const rv_error *e) {
    if (rv_grow((void **)&P->v, &P->cap, P->n + 1, sizeof *P->v)) {
        P->oom = 1;
        return;
    }
    P->v[P->n++] = *e;
}

static void prob_vadd(problems *P, rv_status code, const char *path, int line, int col,
                      const char *key, const char *fmt, va_list ap) {
    rv_error e;
    memset(&e, 0, sizeof e);
    char msg[sizeof e.msg];
    vsnprintf(msg, sizeof msg, fmt, ap);
    rv_error_set(&e, code, __FILE__, __LINE__, "%s", msg);
    rv_error_where(&e, path, line, key);
    e.col = col;
    prob_push(P, &e);
}

#if defined(__GNUC__)
__attribute__((format(printf, 5, 6)))
#endif
static void
warn_add(problems *P, const char *path, int line, int col, const char *fmt, ...) {
    char msg[700], buf[1200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (path && line > 0)
        snprintf(buf, sizeof buf, "%s:%d:%d: warning: %s", path, line, col, msg);
    else if (path)
        snprintf(buf, sizeof buf, "%s: warning: %s", path, msg);
    char *s = rv_strdup(path ? buf : msg);
    if (!s || rv_grow((void **)&P->warn, &P->cap_warn, P->n_warn + 1, sizeof *P->warn)) {
        rv_strfree(s);
        P->oom = 1;
        return;
    }
    P->warn[P->n_warn++] = s;
}

static void problems_free(problems *P) {
    for (size_t i = 0; i < P->n_warn; i++) rv_strfree(P->warn[i]);
    rv_free(P->warn);
    rv_free(P->v);
}

/* "file:line:col: error: message [key]" */
static void format_problem(const rv_error *e, char *buf, size_t n) {
    char where[300] = "";
    if (e->path[0] && e->line > 0 && e->col > 0)
        snprintf(where, sizeof where, "%s:%d:%d: ", e->path, e->line, e->col);
    else if (e->path[0] && e->line > 0)
        snprintf(where, sizeof where, "%s:%d: ", e->path, e->line);
    else if (e->path[0])
        snprintf(where, sizeof where, "%s: ", e->path);
    if (e->key[0])
        snprintf(buf, n, "%serror: %s [%s]", where, e->msg, e->key);
    else
        snprintf(buf, n, "%serror: %s", where, e->msg);
}

/* ---- positions of values in a JSON file ------------------------------------- */

/* Positions of the config files' values, from the sonata layer (a file that
 * cannot be read again leaves them unknown: problems then name no line). */
typedef struct locator {
    const char *path; /* NULL: no file (positions unknown) */
    rv_sonata_json_positions *pos;
    int oom;
} locator;

static void loc_load(locator *L, const char *path) {
    memset(L, 0, sizeof *L);
    L->path = path;
    if (!path) return;
    rv_error e;
    rv_error_clear(&e);
    if (rv_sonata_json_positions_load(path, &L->pos, &e) == RV_ENOMEM) L->oom = 1;
}

static void loc_free(locator *L) {
    rv_sonata_json_positions_destroy(L->pos);
    memset(L, 0, sizeof *L);
}

/* Position of kp or of its nearest recorded ancestor (0, 0 if none); 1 when
 * kp itself is in the file. */
static int loc_find(const locator *L, const char *kp, int *line, int *col) {
    return rv_sonata_json_positions_find(L->pos, kp, line, col);
}

#if defined(__GNUC__)
__attribute__((format(printf, 5, 6)))
#endif
static void
prob_at(problems *P, const locator *L, rv_status code, const char *kp, const char *fmt, ...) {
    int line, col;
    loc_find(L, kp, &line, &col);
    va_list ap;
    va_start(ap, fmt);
    prob_vadd(P, code, L->path ? L->path : "", line, col, kp, fmt, ap);
    va_end(ap);
}

/* ---- value counts ------------------------------------------------------------ */

typedef struct vcount {
    char *value; /* NULL: no value */
    uint64_t count;
} vcount;

typedef struct vcounts {
    vcount *v;
    size_t n, cap;
} vcounts;

static int vcmp(const char *a, const char *b) {
    if (!a || !b) return a ? 1 : b ? -1 : 0;
    return strcmp(a, b);
}

/* Adds one to value's count (sorted table, NULL first).  Returns -1 on OOM. */
static int vcount_add(vcounts *t, const char *value) {
    size_t lo = 0, hi = t->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = vcmp(t->v[mid].value, value);
        if (c == 0) {
            t->v[mid].count++;
            return 0;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    char *copy = NULL;
    if (value && !(copy = rv_strdup(value))) return -1;
    if (rv_grow((void **)&t->v, &t->cap, t->n + 1, sizeof *t->v)) {
        rv_strfree(copy);
        return -1;
    }
    memmove(t->v + lo + 1, t->v + lo, (t->n - lo) * sizeof *t->v);
    t->v[lo] = (vcount){copy, 1};
    t->n++;
    return 0;
}

static void vcounts_free(vcounts *t) {
    for (size_t i = 0; i < t->n; i++) rv_strfree(t->v[i].value);
    rv_free(t->v);
    memset(t, 0, sizeof *t);
}

/* ---- what is inspected ------------------------------------------------------- */

typedef struct npop {
    char *name;
    const char *type; /* resolved: see resolve_type */
    int type_given;
    const char *file, *types_file;
    int ok;
    uint64_t size;
    vcounts model_types, model_templates;
    rv_sonata_pop *pop; /* open while inspecting (node sets) */
} npop;

typedef struct epop {
    char *name;
    const char *type;
    const char *file, *types_file;
    int ok;
    uint64_t size;
    char *source, *target;
    int aff, eff; /* indices present */
} epop;

typedef struct nset {
    char *name;
    int ok;         /* sizes known */
    uint64_t *size; /* per node population (n_npop entries) */
    uint64_t total;
} nset;

typedef struct inspect {
    const rv_sonata_config *cfg;
    const rv_sonata_circuit_config *circ;
    const rv_sonata_simulation_config *sim;
    locator lc, ls; /* circuit config, simulation config */
    problems P;
    npop *np;
    size_t n_np, cap_np;
    epop *ep;
    size_t n_ep, cap_ep;
    int ns_state; /* 0 not available, 1 none declared, 2 loaded, -1 failed to load */
    const char *ns_file;
    nset *ns;
    size_t n_ns;
#if RV_INSPECT_NODESETS
    rv_sonata_nodesets *nodesets;
#endif
    int oom;
} inspect;

static const char *kind_name(rv_sonata_cfg_kind k) {
    switch (k) {
    case RV_SONATA_CFG_KIND_CIRCUIT:
        return "circuit";
    case RV_SONATA_CFG_KIND_SIMULATION:
        return "simulation";
    case RV_SONATA_CFG_KIND_ROOT:
        return "root";
    default:
        return "unknown";
    }
}

/* fopen check: 0 if readable, else errno. */
static int readable(const char *path) {
    FILE *fp = fopen(path, "rb");
    if (!fp) return errno ? errno : ENOENT;
    fclose(fp);
    return 0;
}

static int file_has_pop(const rv_sonata_file *f, const char *name) {
    for (size_t i = 0; i < rv_sonata_file_population_count(f); i++)
        if (strcmp(rv_sonata_file_population_name(f, i), name) == 0) return 1;
    return 0;
}

static void list_pops(const rv_sonata_file *f, char *buf, size_t cap) {
    size_t n = rv_sonata_file_population_count(f), used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n && used + 1 < cap; i++) {
        int k = snprintf(buf + used, cap - used, "%s%s", i ? ", " : "",
                         rv_sonata_file_population_name(f, i));
        if (k < 0) break;
        used += (size_t)k;
    }
    if (n == 0) snprintf(buf, cap, "none");
}

/* Opens one nodes/edges file entry of the circuit config, reporting the
 * files that cannot be opened at the config values naming them. */
static rv_sonata_file *open_network_file(inspect *I, int edges, size_t i,
                                         const rv_sonata_cfg_network_file *nf) {
    const char *what = edges ? "edges" : "nodes";
    char kp[KP_MAX];
    int bad = 0, e;
    if ((e = readable(nf->elements_path)) != 0) {
        snprintf(kp, sizeof kp, "networks.%s[%zu].%s_file", what, i, edges ? "edges" : "nodes");
        prob_at(&I->P, &I->lc, e == ENOENT ? RV_ENOENT : RV_EIO, kp, "cannot open %s file '%s': %s",
                what, nf->elements_path, strerror(e));
        bad = 1;
    }
    if (nf->types_path && (e = readable(nf->types_path)) != 0) {
        snprintf(kp, sizeof kp, "networks.%s[%zu].%s_types_file", what, i, edges ? "edge" : "node");
        prob_at(&I->P, &I->lc, e == ENOENT ? RV_ENOENT : RV_EIO, kp,
                "cannot open %s types file '%s': %s", edges ? "edge" : "node", nf->types_path,
                strerror(e));
        bad = 1;
    }
    if (bad) return NULL;
    rv_sonata_file *f = NULL;
    rv_error err;
    rv_error_clear(&err);
    rv_status st = edges ? rv_sonata_edges_open(nf->elements_path, nf->types_path, &f, &err)
                         : rv_sonata_nodes_open(nf->elements_path, nf->types_path, &f, &err);
    if (st == RV_ENOMEM) I->oom = 1;
    if (st != RV_OK) {
        prob_push(&I->P, &err);
        return NULL;
    }
    return f;
}

/* Declared populations of the entry, or (none declared) every population of
 * the file with the entry's defaults.  Calls fn for each. */
typedef void (*pop_fn)(inspect *I, size_t file_index, const rv_sonata_cfg_population *cp,
                       const char *name, rv_sonata_file *f, const char *kp);

static void each_population(inspect *I, int edges, size_t i, const rv_sonata_cfg_network_file *nf,
                            rv_sonata_file *f, pop_fn fn) {
    const char *what = edges ? "edges" : "nodes";
    const rv_sonata_cfg_population *all =
        edges ? I->circ->edge_populations : I->circ->node_populations;
    char kp[KP_MAX];
    if (nf->n_populations > 0) {
        for (size_t k = 0; k < nf->n_populations; k++) {
            const rv_sonata_cfg_population *cp = &all[nf->first_population + k];
            snprintf(kp, sizeof kp, "networks.%s[%zu].populations.%s", what, i, cp->name);
            fn(I, i, cp, cp->name, f, kp);
        }
    } else if (f) {
        snprintf(kp, sizeof kp, "networks.%s[%zu].%s_file", what, i, what);
        for (size_t k = 0; k < rv_sonata_file_population_count(f); k++)
            fn(I, i, &nf->defaults, rv_sonata_file_population_name(f, k), f, kp);
    }
}

static int name_used(inspect *I, int edges, const char *name) {
    if (edges) {
        for (size_t k = 0; k < I->n_ep; k++)
            if (strcmp(I->ep[k].name, name) == 0) return 1;
    } else {
        for (size_t k = 0; k < I->n_np; k++)
            if (strcmp(I->np[k].name, name) == 0) return 1;
    }
    return 0;
}

/* The population's type: the config's when written there, else the single
 * model_type of all its nodes in the files, else the config default. */
static const char *resolve_type(const npop *p, const char *cfg_type) {
    if (p->type_given || !p->ok) return cfg_type;
    if (p->model_types.n == 1 && p->model_types.v[0].value) return p->model_types.v[0].value;
    return cfg_type;
}

#define COUNT_CHUNK 65536

static rv_status count_models(npop *p, rv_error *err) {
    uint64_t size = p->size;
    for (uint64_t b = 0; b < size; b += COUNT_CHUNK) {
        rv_sonata_range r = {b, size - b < COUNT_CHUNK ? size : b + COUNT_CHUNK};
        rv_sonata_sel sel = {&r, 1};
        char **types = NULL, **templates = NULL;
        rv_status st = rv_sonata_nodes_read_models(p->pop, &sel, &types, &templates, err);
        if (st != RV_OK) return st;
        for (uint64_t k = 0; k < r.end - r.begin && st == RV_OK; k++) {
            if (vcount_add(&p->model_types, types[k]) ||
                vcount_add(&p->model_templates, templates[k]))
                st = RV_FAIL(err, RV_ENOMEM, "out of memory");
        }
        rv_free(types);
        rv_free(templates);
        if (st != RV_OK) return st;
    }
    return RV_OK;
}

static void node_pop(inspect *I, size_t file_index, const rv_sonata_cfg_population *cp,
                     const char *name, rv_sonata_file *f, const char *kp) {
    if (name_used(I, 0, name)) {
        prob_at(&I->P, &I->lc, RV_EFORMAT, kp,
                "node population '%s' is given twice (names must be unique in a circuit)", name);
        return;
    }
    if (rv_grow((void **)&I->np, &I->cap_np, I->n_np + 1, sizeof *I->np)) {
        I->oom = 1;
        return;
    }
    npop *p = &I->np[I->n_np];
    memset(p, 0, sizeof *p);
    if (!(p->name = rv_strdup(name))) {
        I->oom = 1;
        return;
    }
    I->n_np++;
    p->type_given = cp->type_given;
    p->type = cp->type;
    p->file = I->circ->node_files[file_index].elements_path;
    p->types_file = I->circ->node_files[file_index].types_path;
    if (!f) return; /* file problem already reported */
    if (!file_has_pop(f, name)) {
        char have[512];
        list_pops(f, have, sizeof have);
        prob_at(&I->P, &I->lc, RV_ENOENT, kp, "node population '%s' is not in '%s' (it has: %s)",
                name, p->file, have);
        return;
    }
    rv_error err;
    rv_error_clear(&err);
    rv_status st = rv_sonata_pop_open(f, name, &p->pop, &err);
    if (st == RV_OK) {
        p->size = rv_sonata_pop_size(p->pop);
        st = count_models(p, &err);
    }
    if (st == RV_ENOMEM) I->oom = 1;
    if (st != RV_OK) {
        prob_push(&I->P, &err);
        vcounts_free(&p->model_types);
        vcounts_free(&p->model_templates);
        rv_sonata_pop_close(p->pop);
        p->pop = NULL;
        return;
    }
    p->ok = 1;
    p->type = resolve_type(p, cp->type);
}

static void edge_pop(inspect *I, size_t file_index, const rv_sonata_cfg_population *cp,
                     const char *name, rv_sonata_file *f, const char *kp) {
    if (name_used(I, 1, name)) {
        prob_at(&I->P, &I->lc, RV_EFORMAT, kp,
                "edge population '%s' is given twice (names must be unique in a circuit)", name);
        return;
    }
    if (rv_grow((void **)&I->ep, &I->cap_ep, I->n_ep + 1, sizeof *I->ep)) {
        I->oom = 1;
        return;
    }
    epop *p = &I->ep[I->n_ep];
    memset(p, 0, sizeof *p);
    if (!(p->name = rv_strdup(name))) {
        I->oom = 1;
        return;
    }
    I->n_ep++;
    p->type = cp->type;
    p->file = I->circ->edge_files[file_index].elements_path;
    p->types_file = I->circ->edge_files[file_index].types_path;
    if (!f) return;
    if (!file_has_pop(f, name)) {
        char have[512];
        list_pops(f, have, sizeof have);
        prob_at(&I->P, &I->lc, RV_ENOENT, kp, "edge population '%s' is not in '%s' (it has: %s)",
                name, p->file, have);
        return;
    }
    rv_error err;
    rv_error_clear(&err);
    rv_sonata_pop *pop = NULL;
    rv_status st = rv_sonata_pop_open(f, name, &pop, &err);
    if (st == RV_ENOMEM) I->oom = 1;
    if (st != RV_OK) {
        prob_push(&I->P, &err);
        return;
    }
    p->ok = 1;
    p->size = rv_sonata_pop_size(pop);
    const char *s = rv_sonata_edges_source_population(pop);
    const char *t = rv_sonata_edges_target_population(pop);
    p->source = s ? rv_strdup(s) : NULL;
    p->target = t ? rv_strdup(t) : NULL;
    if ((s && !p->source) || (t && !p->target)) I->oom = 1;
    p->aff = rv_sonata_edges_has_index(pop, RV_SONATA_AFFERENT);
    p->eff = rv_sonata_edges_has_index(pop, RV_SONATA_EFFERENT);
    rv_sonata_pop_close(pop);
    const char *ends[2] = {p->source, p->target}, *end_name[2] = {"source", "target"};
    int partial = I->circ->status == RV_SONATA_CFG_STATUS_PARTIAL;
    int same = p->source && p->target && strcmp(p->source, p->target) == 0;
    if (same) end_name[0] = "source and target";
    for (int k = 0; k < 2 - same; k++) {
        if (!ends[k]) continue; /* the reader refuses a missing attribute already */
        if (name_used(I, 0, ends[k])) continue;
        if (partial) {
            int line, col;
            loc_find(&I->lc, kp, &line, &col);
            warn_add(&I->P, I->lc.path, line, col,
                     "edge population '%s': %s node population '%s' is not in the circuit "
                     "(accepted: circuit status is partial) [%s]",
                     name, end_name[k], ends[k], kp);
        } else {
            prob_at(&I->P, &I->lc, RV_ENOENT, kp,
                    "edge population '%s': %s node population '%s' is not in the circuit", name,
                    end_name[k], ends[k]);
        }
    }
}

static void inspect_circuit(inspect *I) {
    const rv_sonata_circuit_config *c = I->circ;
    rv_sonata_file **nf = rv_calloc(c->n_node_files + 1, sizeof *nf);
    if (!nf) {
        I->oom = 1;
        return;
    }
    for (size_t i = 0; i < c->n_node_files && !I->oom; i++) {
        nf[i] = open_network_file(I, 0, i, &c->node_files[i]);
        each_population(I, 0, i, &c->node_files[i], nf[i], node_pop);
        rv_sonata_file_close(nf[i]); /* populations keep it open */
    }
    rv_free(nf);
    for (size_t i = 0; i < c->n_edge_files && !I->oom; i++) {
        rv_sonata_file *f = open_network_file(I, 1, i, &c->edge_files[i]);
        each_population(I, 1, i, &c->edge_files[i], f, edge_pop);
        rv_sonata_file_close(f);
    }
}

/* ---- node sets ------------------------------------------------------------------ */

static const npop *find_npop(const inspect *I, const char *name) {
    for (size_t k = 0; k < I->n_np; k++)
        if (strcmp(I->np[k].name, name) == 0) return &I->np[k];
    return NULL;
}

static const nset *find_nset(const inspect *I, const char *name) {
    for (size_t k = 0; k < I->n_ns; k++)
        if (strcmp(I->ns[k].name, name) == 0) return &I->ns[k];
    return NULL;
}

/* Size of node set `name` as the simulation would resolve it: *size = -1
 * when unknown (sizes not computed, or the set failed).  Returns 0 when the
 * name is undefined (and names can be checked), 1 otherwise. */
static int resolve_nodeset(const inspect *I, const char *name, long long *size) {
    *size = -1;
    if (I->ns_state != 2 && I->ns_state != 1) return 1; /* cannot tell */
    const nset *s = find_nset(I, name);
    if (s) {
        if (s->ok) *size = (long long)s->total;
        return 1;
    }
    if (I->cfg->flavour == RV_SONATA_CFG_FLAVOUR_ALLEN) {
        const npop *p = find_npop(I, name);
        if (p) {
            if (p->ok) *size = (long long)p->size;
            return 1;
        }
    }
    return 0;
}

#if RV_INSPECT_NODESETS
static void load_nodesets(inspect *I) {
    const rv_sonata_simulation_config *s = I->sim;
    /* the simulation's node_sets_file is its own or else the circuit's; the
     * loader reads a path given twice once */
    const char *circ_file = I->circ ? I->circ->node_sets_file : NULL;
    const char *sim_file = s ? s->node_sets_file : NULL;
    const char *inline_json = s ? s->node_sets_json : NULL;
    I->ns_file = sim_file ? sim_file : circ_file;
    if (!circ_file && !sim_file && !inline_json) {
        I->ns_state = 1;
        return;
    }
    /* a file that cannot be opened: at the config value naming it */
    int ln, cl, own = s && loc_find(&I->ls, "node_sets_file", &ln, &cl);
    const char *files[2] = {circ_file, own ? sim_file : NULL};
    locator *locs[2] = {&I->lc, &I->ls};
    int bad = 0;
    for (int k = 0; k < 2; k++) {
        int e;
        if (!files[k] || (k == 1 && files[0] && strcmp(files[0], files[1]) == 0)) continue;
        if ((e = readable(files[k])) == 0) continue;
        prob_at(&I->P, locs[k], e == ENOENT ? RV_ENOENT : RV_EIO, "node_sets_file",
                "cannot open node sets file '%s': %s", files[k], strerror(e));
        bad = 1;
    }
    if (bad) {
        I->ns_state = -1;
        return;
    }
    rv_error err;
    rv_error_clear(&err);
    rv_status st = rv_sonata_nodesets_load(circ_file, sim_file, inline_json, &I->nodesets, &err);
    if (st != RV_OK) {
        if (st == RV_ENOMEM) I->oom = 1;
        prob_push(&I->P, &err);
        I->ns_state = -1;
        return;
    }
    I->ns_state = 2;
    for (size_t i = 0; i < rv_sonata_nodesets_warning_count(I->nodesets); i++) {
        /* "file:line:col: text" becomes "file:line:col: warning: text" */
        const char *w = rv_sonata_nodesets_warning(I->nodesets, i), *sep = strstr(w, ": ");
        if (sep && sep > w)
            warn_add(&I->P, NULL, 0, 0, "%.*s: warning: %s", (int)(sep - w), w, sep + 2);
        else
            warn_add(&I->P, NULL, 0, 0, "warning: %s", w);
    }
    size_t n = rv_sonata_nodesets_count(I->nodesets);
    I->ns = rv_calloc(n ? n : 1, sizeof *I->ns);
    if (!I->ns) {
        I->oom = 1;
        return;
    }
    for (size_t i = 0; i < n && !I->oom; i++) {
        nset *ns = &I->ns[I->n_ns];
        ns->name = rv_strdup(rv_sonata_nodesets_name(I->nodesets, i));
        ns->size = rv_calloc(I->n_np ? I->n_np : 1, sizeof *ns->size);
        if (!ns->name || !ns->size) {
            rv_strfree(ns->name);
            rv_free(ns->size);
            I->oom = 1;
            break;
        }
        I->n_ns++;
        ns->ok = 1;
        for (size_t k = 0; k < I->n_np && ns->ok; k++) {
            if (!I->np[k].ok) {
                ns->ok = 0; /* unknown: a population failed */
                break;
            }
            rv_sonata_sel sel = {NULL, 0};
            rv_error_clear(&err);
            st = rv_sonata_nodesets_select(I->nodesets, ns->name, I->np[k].pop, &sel, &err);
            if (st != RV_OK) {
                if (st == RV_ENOMEM) I->oom = 1;
                prob_push(&I->P, &err);
                ns->ok = 0;
                break;
            }
            ns->size[k] = rv_sonata_sel_count(&sel);
            ns->total += ns->size[k];
            rv_sonata_sel_free(&sel);
        }
    }
}
#endif

/* Node set names used by the simulation config must exist. */
static void check_nodeset_refs(inspect *I) {
    const rv_sonata_simulation_config *s = I->sim;
    if (!s) return;
    char kp[KP_MAX];
    long long size;
    const char *why = I->ns_state == 1 ? " (no node sets file)" : "";
#define CHECK_REF(name, ...)                                                                       \
    do {                                                                                           \
        if ((name) && !resolve_nodeset(I, (name), &size)) {                                        \
            snprintf(kp, sizeof kp, __VA_ARGS__);                                                  \
            prob_at(&I->P, &I->ls, RV_ENOENT, kp, "node set '%s' is not defined%s", (name), why);  \
        }                                                                                          \
    } while (0)
    CHECK_REF(s->node_set, "node_set");
    for (size_t i = 0; i < s->n_inputs; i++)
        CHECK_REF(s->inputs[i].node_set, "inputs.%s.node_set", s->inputs[i].name);
    for (size_t i = 0; i < s->n_inputs; i++)
        CHECK_REF(s->inputs[i].source, "inputs.%s.source", s->inputs[i].name);
    for (size_t i = 0; i < s->n_reports; i++) {
        /* a report without "cells" uses the simulation's node_set, checked above */
        char cells[KP_MAX];
        snprintf(cells, sizeof cells, "reports.%s.cells", s->reports[i].name);
        int ln, cl;
        if (loc_find(&I->ls, cells, &ln, &cl)) CHECK_REF(s->reports[i].cells, "%s", cells);
    }
    for (size_t i = 0; i < s->conditions.n_modifications; i++)
        CHECK_REF(s->conditions.modifications[i].node_set, "conditions.modifications[%zu].node_set",
                  i);
    for (size_t i = 0; i < s->n_connection_overrides; i++) {
        CHECK_REF(s->connection_overrides[i].source, "connection_overrides[%zu].source", i);
        CHECK_REF(s->connection_overrides[i].target, "connection_overrides[%zu].target", i);
    }
#undef CHECK_REF
}

/* ---- JSON output --------------------------------------------------------------- */

typedef struct jw {
    FILE *f;
    int depth;
    int first[64]; /* no element yet at this depth */
} jw;

static void jw_str_raw(FILE *f, const char *s) {
    if (!s) {
        fputs("null", f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c == '\n')
            fputs("\\n", f);
        else if (c == '\t')
            fputs("\\t", f);
        else if (c < 0x20)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

static void jw_indent(jw *w) {
    fputc('\n', w->f);
    for (int i = 0; i < w->depth; i++) fputs("  ", w->f);
}

/* Starts an element: comma, newline, indentation and "key": when key. */
static void jw_elem(jw *w, const char *key) {
    if (w->depth > 0) {
        if (!w->first[w->depth]) fputc(',', w->f);
        w->first[w->depth] = 0;
        jw_indent(w);
    }
    if (key) {
        jw_str_raw(w->f, key);
        fputs(": ", w->f);
    }
}

static void jw_open(jw *w, const char *key, char ch) {
    jw_elem(w, key);
    fputc(ch, w->f);
    if (w->depth < 63) w->depth++;
    w->first[w->depth] = 1;
}

static void jw_close(jw *w, char ch) {
    int empty = w->first[w->depth];
    if (w->depth > 0) w->depth--;
    if (!empty) jw_indent(w);
    fputc(ch, w->f);
}

static void jw_s(jw *w, const char *key, const char *v) {
    jw_elem(w, key);
    jw_str_raw(w->f, v);
}

static void jw_d(jw *w, const char *key, double v) {
    jw_elem(w, key);
    if (isfinite(v))
        fprintf(w->f, "%.17g", v);
    else
        fputs("null", w->f);
}

static void jw_u(jw *w, const char *key, uint64_t v) {
    jw_elem(w, key);
    fprintf(w->f, "%llu", (unsigned long long)v);
}

static void jw_ll(jw *w, const char *key, long long v) {
    jw_elem(w, key);
    fprintf(w->f, "%lld", v);
}

static void jw_b(jw *w, const char *key, int v) {
    jw_elem(w, key);
    fputs(v ? "true" : "false", w->f);
}

static void jw_null(jw *w, const char *key) {
    jw_elem(w, key);
    fputs("null", w->f);
}

static void jw_size(jw *w, const char *key, long long size) {
    if (size < 0)
        jw_null(w, key);
    else
        jw_ll(w, key, size);
}

static void jw_counts(jw *w, const char *key, const vcounts *t) {
    jw_open(w, key, '[');
    for (size_t i = 0; i < t->n; i++) {
        jw_open(w, NULL, '{');
        jw_s(w, "value", t->v[i].value);
        jw_u(w, "count", t->v[i].count);
        jw_close(w, '}');
    }
    jw_close(w, ']');
}

static int is_spike_file(const rv_sonata_cfg_input *in) {
    return in->module == RV_SONATA_CFG_MODULE_SPIKE_FILE;
}

static int has_timing(const rv_sonata_cfg_input *in) {
    return in->module < RV_SONATA_CFG_MODULE_SPIKE_FILE; /* the Blue Brain modules */
}

static const char *sections_name(rv_sonata_cfg_sections s) {
    return s == RV_SONATA_CFG_SECTIONS_NONE ? NULL : rv_sonata_config_sections_name(s);
}

static const char *compartments_name(rv_sonata_cfg_compartments c) {
    return c == RV_SONATA_CFG_COMPARTMENTS_NONE ? NULL : rv_sonata_config_compartments_name(c);
}

static void print_json(inspect *I, FILE *f) {
    jw w = {f, 0, {0}};
    const rv_sonata_config *cfg = I->cfg;
    jw_open(&w, NULL, '{');
    jw_s(&w, "config", cfg ? cfg->path : NULL);
    jw_s(&w, "kind", cfg ? kind_name(cfg->kind) : NULL);
    jw_s(&w, "flavour", cfg ? rv_sonata_config_flavour_name(cfg->flavour) : NULL);
    jw_s(&w, "circuit_config", I->circ ? I->circ->path : NULL);
    jw_s(&w, "simulation_config", I->sim ? I->sim->path : NULL);
    jw_s(&w, "node_sets_file", I->ns_file);
    if (I->sim) {
        long long size;
        jw_open(&w, "run", '{');
        jw_d(&w, "tstop", I->sim->run.tstop);
        jw_d(&w, "dt", I->sim->run.dt);
        jw_s(&w, "node_set", I->sim->node_set);
        resolve_nodeset(I, I->sim->node_set ? I->sim->node_set : "", &size);
        jw_size(&w, "node_set_size", I->sim->node_set ? size : -1);
        jw_close(&w, '}');
    } else {
        jw_null(&w, "run");
    }

    jw_open(&w, "node_populations", '[');
    for (size_t i = 0; i < I->n_np; i++) {
        const npop *p = &I->np[i];
        jw_open(&w, NULL, '{');
        jw_s(&w, "name", p->name);
        jw_s(&w, "type", p->type);
        if (p->ok)
            jw_u(&w, "size", p->size);
        else
            jw_null(&w, "size");
        jw_s(&w, "file", p->file);
        jw_s(&w, "types_file", p->types_file);
        jw_counts(&w, "model_types", &p->model_types);
        jw_counts(&w, "model_templates", &p->model_templates);
        jw_close(&w, '}');
    }
    jw_close(&w, ']');

    jw_open(&w, "edge_populations", '[');
    for (size_t i = 0; i < I->n_ep; i++) {
        const epop *p = &I->ep[i];
        jw_open(&w, NULL, '{');
        jw_s(&w, "name", p->name);
        jw_s(&w, "type", p->type);
        if (p->ok)
            jw_u(&w, "size", p->size);
        else
            jw_null(&w, "size");
        jw_s(&w, "file", p->file);
        jw_s(&w, "types_file", p->types_file);
        jw_s(&w, "source", p->source);
        jw_s(&w, "target", p->target);
        if (p->ok) {
            jw_b(&w, "indexed", p->aff && p->eff);
            jw_open(&w, "index", '{');
            jw_b(&w, "afferent", p->aff);
            jw_b(&w, "efferent", p->eff);
            jw_close(&w, '}');
        } else {
            jw_null(&w, "indexed");
            jw_null(&w, "index");
        }
        jw_close(&w, '}');
    }
    jw_close(&w, ']');

    if (I->ns_state == 0 || I->ns_state == -1) {
        jw_null(&w, "node_sets"); /* not available / not loaded */
    } else {
        jw_open(&w, "node_sets", '[');
        for (size_t i = 0; i < I->n_ns; i++) {
            const nset *s = &I->ns[i];
            jw_open(&w, NULL, '{');
            jw_s(&w, "name", s->name);
            if (s->ok) {
                jw_u(&w, "size", s->total);
                jw_open(&w, "populations", '{');
                for (size_t k = 0; k < I->n_np; k++) jw_u(&w, I->np[k].name, s->size[k]);
                jw_close(&w, '}');
            } else {
                jw_null(&w, "size");
                jw_null(&w, "populations");
            }
            jw_close(&w, '}');
        }
        jw_close(&w, ']');
    }

    jw_open(&w, "inputs", '[');
    for (size_t i = 0; I->sim && i < I->sim->n_inputs; i++) {
        const rv_sonata_cfg_input *in = &I->sim->inputs[i];
        long long size = -1;
        jw_open(&w, NULL, '{');
        jw_s(&w, "name", in->name);
        jw_s(&w, "module", in->module_name);
        jw_s(&w, "input_type", in->input_type_name);
        jw_s(&w, "node_set", in->node_set);
        if (in->node_set) resolve_nodeset(I, in->node_set, &size);
        jw_size(&w, "node_set_size", size);
        jw_s(&w, "compartment_set", in->compartment_set);
        if (has_timing(in)) {
            jw_d(&w, "delay", in->delay);
            jw_d(&w, "duration", in->duration);
        } else {
            jw_null(&w, "delay");
            jw_null(&w, "duration");
        }
        if (in->module == RV_SONATA_CFG_MODULE_ICLAMP) {
            jw_open(&w, "pulses", '[');
            for (size_t k = 0; k < in->n_pulses; k++) {
                jw_open(&w, NULL, '{');
                jw_d(&w, "amp", in->amps[k]);
                jw_d(&w, "delay", in->delays[k]);
                jw_d(&w, "duration", in->durations[k]);
                jw_close(&w, '}');
            }
            jw_close(&w, ']');
        }
        jw_s(&w, "spike_file", is_spike_file(in) ? in->input_file : in->spike_file);
        jw_b(&w, "enabled", in->enabled);
        jw_close(&w, '}');
    }
    jw_close(&w, ']');

    jw_open(&w, "reports", '[');
    for (size_t i = 0; I->sim && i < I->sim->n_reports; i++) {
        const rv_sonata_cfg_report *r = &I->sim->reports[i];
        long long size = -1;
        jw_open(&w, NULL, '{');
        jw_s(&w, "name", r->name);
        jw_s(&w, "type", rv_sonata_config_report_type_name(r->type));
        jw_s(&w, "cells", r->cells);
        if (r->cells) resolve_nodeset(I, r->cells, &size);
        jw_size(&w, "cells_size", size);
        jw_s(&w, "compartment_set", r->compartment_set);
        jw_s(&w, "variable_name", r->variable_name);
        jw_open(&w, "variables", '[');
        for (size_t k = 0; k < r->n_variables; k++) jw_s(&w, NULL, r->variables[k]);
        jw_close(&w, ']');
        jw_s(&w, "sections", sections_name(r->sections));
        jw_s(&w, "compartments", compartments_name(r->compartments));
        jw_s(&w, "scaling", rv_sonata_config_scaling_name(r->scaling));
        jw_s(&w, "unit", r->unit);
        jw_d(&w, "dt", r->dt);
        jw_d(&w, "start_time", r->start_time);
        jw_d(&w, "end_time", r->end_time);
        jw_s(&w, "file", r->file_name);
        jw_b(&w, "enabled", r->enabled);
        jw_close(&w, '}');
    }
    jw_close(&w, ']');

    jw_open(&w, "problems", '[');
    for (size_t i = 0; i < I->P.n; i++) {
        const rv_error *e = &I->P.v[i];
        jw_open(&w, NULL, '{');
        jw_s(&w, "file", e->path);
        jw_ll(&w, "line", e->line);
        jw_ll(&w, "col", e->col);
        jw_s(&w, "key", e->key);
        jw_s(&w, "message", e->msg);
        jw_s(&w, "code", rv_status_str(e->code));
        jw_close(&w, '}');
    }
    jw_close(&w, ']');
    jw_open(&w, "warnings", '[');
    for (size_t i = 0; i < I->P.n_warn; i++) jw_s(&w, NULL, I->P.warn[i]);
    jw_close(&w, ']');
    jw_close(&w, '}');
    fputc('\n', f);
}

/* ---- text output ---------------------------------------------------------------- */

static void text_size(FILE *f, long long size) {
    if (size < 0)
        fputs("?", f);
    else
        fprintf(f, "%lld", size);
}

static void text_counts(FILE *f, const char *what, const vcounts *t) {
    fprintf(f, "      %-16s", what);
    if (t->n == 0) fputs("-\n", f);
    for (size_t i = 0; i < t->n; i++)
        fprintf(f, "%*s%s  %llu\n", i ? 22 : 0, "", t->v[i].value ? t->v[i].value : "(none)",
                (unsigned long long)t->v[i].count);
}

static void print_text(inspect *I, FILE *f) {
    const rv_sonata_config *cfg = I->cfg;
    if (!cfg) return;
    fprintf(f, "config      %s (%s, %s)\n", cfg->path, kind_name(cfg->kind),
            rv_sonata_config_flavour_name(cfg->flavour));
    if (I->circ) fprintf(f, "circuit     %s\n", I->circ->path);
    if (I->sim) fprintf(f, "simulation  %s\n", I->sim->path);
    if (I->ns_file) fprintf(f, "node sets   %s\n", I->ns_file);
    if (I->sim) {
        long long size = -1;
        fprintf(f, "run         tstop %g ms, dt %g ms", I->sim->run.tstop, I->sim->run.dt);
        if (I->sim->node_set) {
            resolve_nodeset(I, I->sim->node_set, &size);
            fprintf(f, ", node_set %s (", I->sim->node_set);
            text_size(f, size);
            fputs(" nodes)", f);
        }
        fputc('\n', f);
    }

    fprintf(f, "\nnode populations (%zu)\n", I->n_np);
    for (size_t i = 0; i < I->n_np; i++) {
        const npop *p = &I->np[i];
        fprintf(f, "  %s  %s  ", p->name, p->type ? p->type : "-");
        if (p->ok)
            fprintf(f, "%llu node%s", (unsigned long long)p->size, p->size == 1 ? "" : "s");
        else
            fputs("? nodes (not readable)", f);
        fprintf(f, "  %s%s%s\n", p->file, p->types_file ? " + " : "",
                p->types_file ? p->types_file : "");
        if (!p->ok) continue;
        if (p->model_types.n > 1 || (p->model_types.n == 1 && p->model_types.v[0].value))
            text_counts(f, "model_type", &p->model_types); /* when the files give one */
        text_counts(f, "model_template", &p->model_templates);
    }

    fprintf(f, "\nedge populations (%zu)\n", I->n_ep);
    for (size_t i = 0; i < I->n_ep; i++) {
        const epop *p = &I->ep[i];
        fprintf(f, "  %s  %s  ", p->name, p->type ? p->type : "-");
        if (p->ok) {
            fprintf(f, "%llu edge%s  %s -> %s  ", (unsigned long long)p->size,
                    p->size == 1 ? "" : "s", p->source ? p->source : "?",
                    p->target ? p->target : "?");
            if (p->aff && p->eff)
                fputs("indexed", f);
            else if (p->aff || p->eff)
                fprintf(f, "indexed (%s only)", p->aff ? "afferent" : "efferent");
            else
                fputs("not indexed", f);
        } else {
            fputs("? edges (not readable)", f);
        }
        fprintf(f, "  %s%s%s\n", p->file, p->types_file ? " + " : "",
                p->types_file ? p->types_file : "");
    }

    if (I->ns_state == 0) {
        fputs("\nnode sets: sizes not available in this build\n", f);
    } else if (I->ns_state == -1) {
        fputs("\nnode sets: not loaded (see the problems)\n", f);
    } else {
        fprintf(f, "\nnode sets (%zu)\n", I->n_ns);
        for (size_t i = 0; i < I->n_ns; i++) {
            const nset *s = &I->ns[i];
            fprintf(f, "  %s  ", s->name);
            if (!s->ok) {
                fputs("?\n", f);
                continue;
            }
            fprintf(f, "%llu", (unsigned long long)s->total);
            int any = 0;
            for (size_t k = 0; k < I->n_np; k++) {
                if (!s->size[k]) continue;
                fprintf(f, "%s%s %llu", any ? ", " : "  (", I->np[k].name,
                        (unsigned long long)s->size[k]);
                any = 1;
            }
            fputs(any ? ")\n" : "\n", f);
        }
    }

    if (!I->sim) return;
    fprintf(f, "\ninputs (%zu)\n", I->sim->n_inputs);
    for (size_t i = 0; i < I->sim->n_inputs; i++) {
        const rv_sonata_cfg_input *in = &I->sim->inputs[i];
        fprintf(f, "  %s  %s  %s", in->name, in->module_name ? in->module_name : "-",
                in->input_type_name ? in->input_type_name : "-");
        if (in->node_set) {
            long long size;
            resolve_nodeset(I, in->node_set, &size);
            fprintf(f, "  node_set %s (", in->node_set);
            text_size(f, size);
            fputs(")", f);
        }
        if (in->compartment_set) fprintf(f, "  compartment_set %s", in->compartment_set);
        if (has_timing(in)) fprintf(f, "  delay %g ms, duration %g ms", in->delay, in->duration);
        for (size_t k = 0; in->module == RV_SONATA_CFG_MODULE_ICLAMP && k < in->n_pulses; k++)
            fprintf(f, "%s%g nA at %g ms for %g ms", k ? ", " : "  ", in->amps[k], in->delays[k],
                    in->durations[k]);
        const char *sf = is_spike_file(in) ? in->input_file : in->spike_file;
        if (sf) fprintf(f, "  spikes %s", sf);
        if (!in->enabled) fputs("  (disabled)", f);
        fputc('\n', f);
    }

    fprintf(f, "\nreports (%zu)\n", I->sim->n_reports);
    for (size_t i = 0; i < I->sim->n_reports; i++) {
        const rv_sonata_cfg_report *r = &I->sim->reports[i];
        fprintf(f, "  %s  %s  %s", r->name, rv_sonata_config_report_type_name(r->type),
                r->variable_name ? r->variable_name : "-");
        if (r->type == RV_SONATA_CFG_REPORT_COMPARTMENT_SET)
            fprintf(f, "  compartment_set %s", r->compartment_set ? r->compartment_set : "-");
        else if (sections_name(r->sections))
            fprintf(f, "  %s/%s", sections_name(r->sections),
                    compartments_name(r->compartments) ? compartments_name(r->compartments) : "-");
        fprintf(f, "  dt %g ms, %g-%g ms", r->dt, r->start_time, r->end_time);
        if (r->cells) {
            long long size;
            resolve_nodeset(I, r->cells, &size);
            fprintf(f, "  cells %s (", r->cells);
            text_size(f, size);
            fputs(")", f);
        }
        if (!r->enabled) fputs("  (disabled)", f);
        fputc('\n', f);
    }
}

/* ---- the command ----------------------------------------------------------------- */

static void usage(FILE *f) {
    fputs("usage: ranvier inspect [--json] [--flavour bbp|allen] CONFIG\n"
          "  CONFIG: a SONATA simulation config, circuit config or BMTK config.json.\n"
          "  Prints populations, edge populations, node sets, inputs and reports;\n"
          "  every problem goes to stderr as file:line:col: error: message [key]\n"
          "  and the exit status is 1 when there is one.\n",
          f);
}

static void inspect_free(inspect *I) {
    for (size_t i = 0; i < I->n_np; i++) {
        rv_strfree(I->np[i].name);
        vcounts_free(&I->np[i].model_types);
        vcounts_free(&I->np[i].model_templates);
        rv_sonata_pop_close(I->np[i].pop);
    }
    rv_free(I->np);
    for (size_t i = 0; i < I->n_ep; i++) {
        rv_strfree(I->ep[i].name);
        rv_strfree(I->ep[i].source);
        rv_strfree(I->ep[i].target);
    }
    rv_free(I->ep);
    for (size_t i = 0; i < I->n_ns; i++) {
        rv_strfree(I->ns[i].name);
        rv_free(I->ns[i].size);
    }
    rv_free(I->ns);
#if RV_INSPECT_NODESETS
    rv_sonata_nodesets_destroy(I->nodesets);
#endif
    loc_free(&I->lc);
    loc_free(&I->ls);
    problems_free(&I->P);
}

int rv_cmd_inspect(int argc, char **argv) {
    int json = 0;
    const char *path = NULL;
    rv_sonata_cfg_options opts;
    memset(&opts, 0, sizeof opts);
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0) {
            json = 1;
        } else if (strcmp(argv[i], "--flavour") == 0 && i + 1 < argc) {
            const char *v = argv[++i];
            if (strcmp(v, "bbp") == 0)
                opts.flavour = RV_SONATA_CFG_FLAVOUR_BBP;
            else if (strcmp(v, "allen") == 0)
                opts.flavour = RV_SONATA_CFG_FLAVOUR_ALLEN;
            else {
                fprintf(stderr, "ranvier inspect: unknown flavour '%s' (bbp or allen)\n", v);
                return 2;
            }
        } else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            usage(stdout);
            return 0;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            fprintf(stderr, "ranvier inspect: unknown option '%s'\n", argv[i]);
            usage(stderr);
            return 2;
        } else if (!path) {
            path = argv[i];
        } else {
            fprintf(stderr, "ranvier inspect: one CONFIG only\n");
            usage(stderr);
            return 2;
        }
    }
    if (!path) {
        usage(stderr);
        return 2;
    }

    inspect I;
    memset(&I, 0, sizeof I);
    rv_sonata_config *cfg = NULL;
    rv_sonata_config_problems *cp = NULL;
    rv_error err;
    rv_error_clear(&err);
    rv_status st = rv_sonata_config_load(path, &opts, &cfg, &cp, &err);
    if (st == RV_ENOMEM) {
        fprintf(stderr, "ranvier inspect: out of memory\n");
        return 1;
    }
    for (size_t i = 0; i < rv_sonata_config_problems_count(cp); i++)
        prob_push(&I.P, rv_sonata_config_problems_get(cp, i));
    if (st != RV_OK && rv_sonata_config_problems_count(cp) == 0) prob_push(&I.P, &err);
    rv_sonata_config_problems_destroy(cp);

    if (cfg) {
        I.cfg = cfg;
        I.circ = cfg->circuit;
        I.sim = cfg->simulation;
        for (size_t i = 0; i < cfg->n_warnings; i++) {
            /* the loader's "file: key: text" becomes "file: warning: key: text" */
            const char *w = cfg->warnings[i], *sep = strstr(w, ": ");
            if (sep && sep > w)
                warn_add(&I.P, NULL, 0, 0, "%.*s: warning: %s", (int)(sep - w), w, sep + 2);
            else
                warn_add(&I.P, NULL, 0, 0, "warning: %s", w);
        }
        loc_load(&I.lc, I.circ ? I.circ->path : NULL);
        loc_load(&I.ls, I.sim ? I.sim->path : NULL);
        if (I.lc.oom || I.ls.oom) I.oom = 1;
        if (I.circ && !I.oom) inspect_circuit(&I);
#if RV_INSPECT_NODESETS
        if (!I.oom) load_nodesets(&I);
#else
        I.ns_file = I.sim && I.sim->node_sets_file ? I.sim->node_sets_file
                    : I.circ                       ? I.circ->node_sets_file
                                                   : NULL;
#endif
        if (!I.oom) check_nodeset_refs(&I);
    }
    if (I.oom || I.P.oom) {
        fprintf(stderr, "ranvier inspect: out of memory\n");
        inspect_free(&I);
        rv_sonata_config_destroy(cfg);
        return 1;
    }

    if (json)
        print_json(&I, stdout);
    else
        print_text(&I, stdout);
    fflush(stdout);
    for (size_t i = 0; i < I.P.n_warn; i++) fprintf(stderr, "%s\n", I.P.warn[i]);
    for (size_t i = 0; i < I.P.n; i++) {
        char buf[1400];
        format_problem(&I.P.v[i], buf, sizeof buf);
        fprintf(stderr, "%s\n", buf);
    }
    if (I.P.n) fprintf(stderr, "ranvier inspect: %zu problem%s\n", I.P.n, I.P.n == 1 ? "" : "s");
    int rc = I.P.n ? 1 : 0;
    inspect_free(&I);
    rv_sonata_config_destroy(cfg);
    return rc;
}
