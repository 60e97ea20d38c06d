/* SPDX-License-Identifier: MIT
 * sonata/config.c -- loading SONATA configuration files: the public entry
 * points, the arena that owns a loaded config, and the order of work.
 *
 * A load: read the file, parse it with jansson (duplicate keys refused),
 * record the line of every value, decide what the file is (root, simulation
 * or circuit config) and which flavour applies, expand the manifest, then
 * hand the tree to the section parsers (config_circuit.c, config_sim.c).
 * A simulation config pulls in the circuit config its "network" names; a
 * BMTK root pulls in its "network" and "simulation" files.  Each file is
 * read completely (and its scratch data freed) before the next one starts,
 * so a problem always names the file being read.
 *
 * Ownership: every string and array reachable from rv_sonata_config comes
 * from its arena: a list of blocks from rv_malloc, each at least 16 KiB,
 * handed out in aligned slices and freed together by
 * rv_sonata_config_destroy.  Nothing in the arena is freed on its own.
 *
 * jansson keeps its own allocator (the C library's, or whatever hooks the
 * program installed): jansson 2.14 is not safe when an allocation fails
 * (it can crash inside json_loadb), so its short-lived parse trees are,
 * like HDF5's internals, outside rv_malloc.  Everything ranvier allocates
 * goes through rv_malloc; out of memory at any point makes the load return
 * RV_ENOMEM with nothing leaked.
 */
#include "ranvier/sonata_config.h"

#include "config_int.h"

#include <errno.h>
#include <stdalign.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- arena ----------------------------------------------------------------- */

typedef struct arena_block {
    struct arena_block *next;
    size_t used, cap;
    max_align_t data[];
} arena_block;

struct rv_sonata_cfg_arena {
    arena_block *head;
};

#define ARENA_BLOCK (16 * 1024)

void *rv__cfg_alloc(rv__cfg_ctx *c, size_t n) {
    struct rv_sonata_cfg_arena *a = c->cfg->arena_;
    const size_t al = alignof(max_align_t);
    if (n > SIZE_MAX - al) {
        c->oom = 1;
        return NULL;
    }
    n = (n + al - 1) / al * al;
    if (n == 0) n = al;
    arena_block *b = a->head;
    if (!b || b->cap - b->used < n) {
        size_t cap = n > ARENA_BLOCK ? n : ARENA_BLOCK;
        b = rv_malloc(sizeof *b + cap);
        if (!b) {
            c->oom = 1;
            return NULL;
        }
        b->cap = cap;
        b->used = 0;
        b->next = a->head;
        a->head = b;
    }
    void *p = (char *)b->data + b->used;
    b->used += n;
    memset(p, 0, n);
    return p;
}

void *rv__cfg_array(rv__cfg_ctx *c, size_t count, size_t size) {
    if (size && count > SIZE_MAX / size) {
        c->oom = 1;
        return NULL;
    }
    return rv__cfg_alloc(c, count * size);
}

const char *rv__cfg_strndup(rv__cfg_ctx *c, const char *s, size_t n) {
    if (!s) return NULL;
    char *d = rv__cfg_alloc(c, n + 1);
    if (!d) return NULL;
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

const char *rv__cfg_strdup(rv__cfg_ctx *c, const char *s) {
    return s ? rv__cfg_strndup(c, s, strlen(s)) : NULL;
}

const char *rv__cfg_printf(rv__cfg_ctx *c, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) return NULL;
    char *d = rv__cfg_alloc(c, (size_t)n + 1);
    if (!d) return NULL;
    va_start(ap, fmt);
    vsnprintf(d, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return d;
}

static void arena_free(struct rv_sonata_cfg_arena *a) {
    if (!a) return;
    for (arena_block *b = a->head, *next; b; b = next) {
        next = b->next;
        rv_free(b);
    }
    rv_free(a);
}

/* ---- problem lists ---------------------------------------------------------- */

struct rv_sonata_config_problems {
    rv_error *items;
    size_t n;
};

size_t rv_sonata_config_problems_count(const rv_sonata_config_problems *p) {
    return p ? p->n : 0;
}

const rv_error *rv_sonata_config_problems_get(const rv_sonata_config_problems *p, size_t i) {
    return p && i < p->n ? &p->items[i] : NULL;
}

void rv_sonata_config_problems_destroy(rv_sonata_config_problems *p) {
    if (!p) return;
    rv_free(p->items);
    rv_free(p);
}

/* ---- reading files ------------------------------------------------------------ */

/* Absolute, normalised form of path (relative to the working directory). */
static const char *absolute(rv__cfg_ctx *c, const char *path) {
    char cwd[4096];
    if (path[0] == '/') return rv__cfg_path_join(c, NULL, path);
    if (!getcwd(cwd, sizeof cwd)) snprintf(cwd, sizeof cwd, ".");
    return rv__cfg_path_join(c, cwd, path);
}

static const char *parent_dir(rv__cfg_ctx *c, const char *abs_path) {
    const char *slash = strrchr(abs_path, '/');
    if (!slash) return rv__cfg_strdup(c, ".");
    if (slash == abs_path) return rv__cfg_strdup(c, "/");
    return rv__cfg_strndup(c, abs_path, (size_t)(slash - abs_path));
}

/* Reads the whole file (rv_malloc'd, NUL-terminated) or records a problem
 * at key `kp` of the current file (or without position when none). */
static char *read_text(rv__cfg_ctx *c, const char *path, const char *what, const char *kp,
                       size_t *len) {
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        int e = errno;
        if (c->file)
            RV__CFG_PROBLEM(c, e == ENOENT ? RV_ENOENT : RV_EIO, kp, "cannot open %s '%s': %s",
                            what, path, strerror(e));
        else {
            char msg[512];
            snprintf(msg, sizeof msg, "cannot open %s: %s", what, strerror(e));
            rv__cfg_problem_at(c, e == ENOENT ? RV_ENOENT : RV_EIO, __FILE__, __LINE__, path, 0, 0,
                               msg);
        }
        return NULL;
    }
    char *buf = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (rv_grow((void **)&buf, &cap, n + 4097, 1)) {
            c->oom = 1;
            break;
        }
        size_t got = fread(buf + n, 1, cap - n - 1, fp);
        n += got;
        if (got == 0) break;
    }
    int failed = ferror(fp);
    int e = errno;
    fclose(fp);
    if (c->oom) {
        rv_free(buf);
        return NULL;
    }
    if (failed) {
        char msg[512];
        snprintf(msg, sizeof msg, "cannot read %s: %s", what, strerror(e));
        rv__cfg_problem_at(c, RV_EIO, __FILE__, __LINE__, path, 0, 0, msg);
        rv_free(buf);
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

/* Parses text into f (path/dir already set).  Returns 0 if f->root is a
 * usable object. */
static int parse_text(rv__cfg_ctx *c, rv__cfg_file *f, const char *text, size_t len) {
    json_error_t je;
    f->root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    if (!f->root) {
        if (json_error_code(&je) == json_error_out_of_memory) {
            c->oom = 1;
            return -1;
        }
        char msg[512];
        snprintf(msg, sizeof msg, "invalid JSON at line %d, column %d: %s", je.line, je.column,
                 je.text);
        rv__cfg_problem_at(c, RV_EFORMAT, __FILE__, __LINE__, f->path, je.line, je.column, msg);
        return -1;
    }
    rv__cfg_file *saved = c->file;
    c->file = f;
    rv__cfg_linemap(c, f, text);
    if (!c->oom && !json_is_object(f->root))
        RV__CFG_PROBLEM(c, RV_EFORMAT, "", "the top level must be a JSON object, not %s",
                        rv__cfg_type_name(f->root));
    c->file = saved;
    return c->oom || !json_is_object(f->root) ? -1 : 0;
}

/* Reads and parses file `path` (absolute) into f; `kp` is the key that
 * named it in the current file (for the problem if it cannot be read). */
static int open_file(rv__cfg_ctx *c, rv__cfg_file *f, const char *path, const char *what,
                     const char *kp) {
    memset(f, 0, sizeof *f);
    f->path = path;
    f->dir = parent_dir(c, path);
    if (!f->dir) return -1;
    size_t len = 0;
    char *text = read_text(c, path, what, kp, &len);
    if (!text) return -1;
    int r = parse_text(c, f, text, len);
    rv_free(text);
    return r;
}

/* ---- what kind of file, which flavour ---------------------------------------- */

static int has_key(json_t *o, const char *k) {
    json_t *v = json_object_get(o, k);
    return v && !json_is_null(v);
}

static rv_sonata_cfg_kind detect_kind(json_t *root, const char *path) {
    if (json_is_string(json_object_get(root, "simulation"))) return RV_SONATA_CFG_KIND_ROOT;
    if (has_key(root, "run")) return RV_SONATA_CFG_KIND_SIMULATION;
    if (has_key(root, "networks") || has_key(root, "components")) return RV_SONATA_CFG_KIND_CIRCUIT;
    if (json_is_string(json_object_get(root, "network")) && !has_key(root, "inputs") &&
        !has_key(root, "reports") && !has_key(root, "output"))
        return RV_SONATA_CFG_KIND_ROOT;
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    if (strstr(base, "simulation")) return RV_SONATA_CFG_KIND_SIMULATION;
    if (strstr(base, "circuit")) return RV_SONATA_CFG_KIND_CIRCUIT;
    if (has_key(root, "inputs") || has_key(root, "reports") || has_key(root, "output") ||
        has_key(root, "conditions"))
        return RV_SONATA_CFG_KIND_SIMULATION;
    return RV_SONATA_CFG_KIND_AUTO; /* cannot tell */
}

/* Allen markers: writes the reason into why (cap bytes) and returns 1, or
 * returns 0. */
static int allen_marker(json_t *root, rv_sonata_cfg_kind kind, const char *text, char *why,
                        size_t cap) {
    static const char *run_keys[] = {"dL", "nsteps_block", "tstart", "overwrite_output_dir"};
    static const char *out_keys[] = {"overwrite_output_dir", "spikes_file_csv", "spikes_file_nwb"};
    if (kind == RV_SONATA_CFG_KIND_ROOT) {
        snprintf(why, cap, "root config naming \"simulation\"/\"network\" files");
        return 1;
    }
    json_t *run = json_object_get(root, "run"), *out = json_object_get(root, "output");
    for (size_t i = 0; i < sizeof run_keys / sizeof *run_keys; i++) {
        if (json_object_get(run, run_keys[i])) {
            snprintf(why, cap, "run.%s", run_keys[i]);
            return 1;
        }
    }
    for (size_t i = 0; i < sizeof out_keys / sizeof *out_keys; i++) {
        if (json_object_get(out, out_keys[i])) {
            snprintf(why, cap, "output.%s", out_keys[i]);
            return 1;
        }
    }
    if (text && strstr(text, "${")) {
        snprintf(why, cap, "${VAR} manifest syntax");
        return 1;
    }
    why[0] = '\0';
    return 0;
}

/* ---- the load -------------------------------------------------------------------- */

static void load_circuit_file(rv__cfg_ctx *c, const char *path, const char *kp) {
    rv__cfg_file cf;
    if (open_file(c, &cf, path, "circuit config", kp) == 0) {
        rv__cfg_file *saved = c->file;
        c->file = &cf;
        rv__cfg_expand_manifest(c, &cf);
        if (!c->oom) c->cfg->circuit = rv__cfg_circuit(c, &cf);
        c->file = saved;
    }
    rv__cfg_file_free(&cf);
}

static int file_exists(const char *path) {
    FILE *fp = fopen(path, "rb");
    if (fp) fclose(fp);
    return fp != NULL;
}

/* The simulation config in f, then its circuit. */
static void load_simulation(rv__cfg_ctx *c, rv__cfg_file *f, const rv_sonata_cfg_options *o,
                            const char *circuit_override) {
    rv_sonata_simulation_config *s = rv__cfg_simulation(c, f);
    c->cfg->simulation = s;
    if (!s || c->oom) return;
    if (has_key(f->root, "networks")) {
        /* BMTK single-file configuration: the circuit is inline. */
        c->cfg->circuit = rv__cfg_circuit(c, f);
        s->network = f->path;
    } else if (circuit_override) {
        s->network = circuit_override;
    } else if (!o->skip_circuit && s->network) {
        json_t *nk = json_object_get(f->root, "network");
        if (json_is_string(nk) || file_exists(s->network))
            load_circuit_file(c, s->network, "network");
        else
            s->network = NULL; /* default name, no such file */
    }
    const rv_sonata_circuit_config *circ = c->cfg->circuit;
    if (!has_key(f->root, "target_simulator"))
        s->target_simulator = circ ? circ->target_simulator : RV_SONATA_CFG_SIM_UNSPECIFIED;
    if (!s->node_sets_file && circ) s->node_sets_file = circ->node_sets_file;
}

static void load_root(rv__cfg_ctx *c, rv__cfg_file *f, const rv_sonata_cfg_options *o) {
    const char *net = NULL, *sim = NULL;
    rv__cfg_path(c, f->root, "", "network", 0, NULL, &net);
    rv__cfg_path(c, f->root, "", "simulation", 0, NULL, &sim);
    const char *key;
    json_t *v;
    json_object_foreach(f->root, key, v) {
        if (strcmp(key, "network") && strcmp(key, "simulation") && strcmp(key, "manifest"))
            rv__cfg_warn(c, key, "ignored: a root config only names its sub-configs");
    }
    if (!net && !sim) {
        RV__CFG_PROBLEM(c, RV_EFORMAT, "simulation",
                        "a root config must name \"network\" and/or \"simulation\" files");
        return;
    }
    if (net && !o->skip_circuit) load_circuit_file(c, net, "network");
    if (c->oom || !sim) return;
    rv__cfg_file sf;
    if (open_file(c, &sf, sim, "simulation config", "simulation") == 0) {
        c->file = &sf;
        rv__cfg_expand_manifest(c, &sf);
        if (!c->oom) {
            rv_sonata_cfg_options o2 = *o;  /* without a root "network", the simulation */
            o2.skip_circuit |= net != NULL; /* config's own "network" applies */
            load_simulation(c, &sf, &o2, net);
        }
        c->file = f;
    }
    rv__cfg_file_free(&sf);
}

/* Problems in reading order: by file (in the order files were first
 * mentioned), then line; stable, so problems on one line keep the order
 * they were found in. */
static void sort_problems(rv__cfg_ctx *c) {
    rv_error *p = c->problems;
    size_t n = c->n_problems;
    if (n < 2) return;
    int *rank = rv_malloc(n * sizeof *rank);
    if (!rank) return; /* unsorted is still correct */
    for (size_t i = 0; i < n; i++) {
        rank[i] = (int)i;
        for (size_t j = 0; j < i; j++) {
            if (strcmp(p[j].path, p[i].path) == 0) {
                rank[i] = rank[j];
                break;
            }
        }
    }
    for (size_t i = 1; i < n; i++) {
        rv_error e = p[i];
        int r = rank[i];
        size_t j = i;
        while (j > 0 && (rank[j - 1] > r || (rank[j - 1] == r && p[j - 1].line > e.line))) {
            p[j] = p[j - 1];
            rank[j] = rank[j - 1];
            j--;
        }
        p[j] = e;
        rank[j] = r;
    }
    rv_free(rank);
}

static rv_status finish(rv__cfg_ctx *c, rv_sonata_config **out,
                        rv_sonata_config_problems **problems, rv_error *err) {
    rv_sonata_config *cfg = c->cfg;
    if (!c->oom) sort_problems(c);
    if (!c->oom && c->n_warnings) {
        const char **w = rv__cfg_array(c, c->n_warnings, sizeof *w);
        if (w) {
            memcpy(w, c->warnings, c->n_warnings * sizeof *w);
            cfg->warnings = w;
            cfg->n_warnings = c->n_warnings;
        }
    }
    rv_free(c->warnings);
    if (c->oom) {
        rv_free(c->problems);
        if (cfg) arena_free(cfg->arena_);
        return RV_FAIL(err, RV_ENOMEM, "out of memory while loading a SONATA config");
    }
    rv_status st = RV_OK;
    if (c->n_problems) {
        st = c->problems[0].code;
        if (err) *err = c->problems[0];
        arena_free(cfg->arena_);
        cfg = NULL;
    } else {
        rv_error_clear(err);
    }
    if (problems) {
        rv_sonata_config_problems *p = rv_calloc(1, sizeof *p);
        if (!p) {
            rv_free(c->problems);
            if (cfg) arena_free(cfg->arena_);
            return RV_FAIL(err, RV_ENOMEM, "out of memory while loading a SONATA config");
        }
        p->items = c->problems;
        p->n = c->n_problems;
        *problems = p;
    } else {
        rv_free(c->problems);
    }
    *out = cfg;
    return st;
}

static rv_status load(const char *path, const char *text, const char *name, const char *dir,
                      const rv_sonata_cfg_options *opts, rv_sonata_config **out,
                      rv_sonata_config_problems **problems, rv_error *err) {
    static const rv_sonata_cfg_options no_opts;
    const rv_sonata_cfg_options *o = opts ? opts : &no_opts;
    if (out) *out = NULL;
    if (problems) *problems = NULL;
    if (!out || (!path && !text))
        return RV_FAIL(err, RV_EINVAL, "rv_sonata_config_load: NULL argument");

    rv__cfg_ctx ctx, *c = &ctx;
    memset(c, 0, sizeof *c);
    struct rv_sonata_cfg_arena *arena = rv_calloc(1, sizeof *arena);
    if (!arena) return RV_FAIL(err, RV_ENOMEM, "out of memory while loading a SONATA config");
    rv_sonata_config boot = {0};
    boot.arena_ = arena;
    c->cfg = &boot;
    rv_sonata_config *cfg = rv__cfg_alloc(c, sizeof *cfg);
    if (!cfg) {
        arena_free(arena);
        return RV_FAIL(err, RV_ENOMEM, "out of memory while loading a SONATA config");
    }
    cfg->arena_ = arena;
    c->cfg = cfg;

    rv__cfg_file f;
    memset(&f, 0, sizeof f);
    char *owned_text = NULL;
    size_t len = 0;
    if (path) {
        f.path = absolute(c, path);
        if (f.path) owned_text = read_text(c, f.path, "config file", "", &len);
        text = owned_text;
    } else {
        const char *abs_dir = absolute(c, dir ? dir : ".");
        f.path = rv__cfg_strdup(c, name ? name : "<string>");
        f.dir = abs_dir;
        len = strlen(text);
    }
    if (f.path && !f.dir && path) f.dir = parent_dir(c, f.path);
    cfg->path = f.path;
    if (text && f.dir && !c->oom && parse_text(c, &f, text, len) == 0) {
        c->file = &f;
        rv_sonata_cfg_kind kind = o->kind ? o->kind : detect_kind(f.root, f.path);
        cfg->kind = kind;
        char why[96];
        int allen = allen_marker(f.root, kind, text, why, sizeof why);
        c->flavour = o->flavour ? o->flavour
                                : (allen ? RV_SONATA_CFG_FLAVOUR_ALLEN : RV_SONATA_CFG_FLAVOUR_BBP);
        cfg->flavour = c->flavour;
        cfg->flavour_reason = o->flavour ? "requested" : rv__cfg_strdup(c, why);
        if (kind == RV_SONATA_CFG_KIND_AUTO) {
            RV__CFG_PROBLEM(c, RV_EFORMAT, "",
                            "cannot tell what this SONATA config is: it has no \"run\" "
                            "(simulation config), no \"networks\" (circuit config) and no "
                            "\"simulation\" (BMTK root config)");
        } else {
            rv__cfg_expand_manifest(c, &f);
            if (!c->oom) {
                if (kind == RV_SONATA_CFG_KIND_CIRCUIT)
                    cfg->circuit = rv__cfg_circuit(c, &f);
                else if (kind == RV_SONATA_CFG_KIND_SIMULATION)
                    load_simulation(c, &f, o, NULL);
                else
                    load_root(c, &f, o);
            }
        }
    }
    rv__cfg_file_free(&f);
    rv_free(owned_text);
    return finish(c, out, problems, err);
}

rv_status rv_sonata_config_load(const char *path, const rv_sonata_cfg_options *opts,
                                rv_sonata_config **out, rv_sonata_config_problems **problems,
                                rv_error *err) {
    if (!path) {
        if (out) *out = NULL;
        if (problems) *problems = NULL;
        return RV_FAIL(err, RV_EINVAL, "rv_sonata_config_load: path is NULL");
    }
    return load(path, NULL, NULL, NULL, opts, out, problems, err);
}

rv_status rv_sonata_config_parse(const char *json_text, const char *name, const char *dir,
                                 const rv_sonata_cfg_options *opts, rv_sonata_config **out,
                                 rv_sonata_config_problems **problems, rv_error *err) {
    if (!json_text) {
        if (out) *out = NULL;
        if (problems) *problems = NULL;
        return RV_FAIL(err, RV_EINVAL, "rv_sonata_config_parse: json_text is NULL");
    }
    return load(NULL, json_text, name, dir, opts, out, problems, err);
}

void rv_sonata_config_destroy(rv_sonata_config *cfg) {
    if (cfg) arena_free(cfg->arena_);
}

/* ---- look-ups ---------------------------------------------------------------- */

const rv_sonata_cfg_population *rv_sonata_config_node_population(const rv_sonata_circuit_config *c,
                                                                 const char *name) {
    if (!c || !name) return NULL;
    for (size_t i = 0; i < c->n_node_populations; i++)
        if (strcmp(c->node_populations[i].name, name) == 0) return &c->node_populations[i];
    return NULL;
}

const rv_sonata_cfg_population *rv_sonata_config_edge_population(const rv_sonata_circuit_config *c,
                                                                 const char *name) {
    if (!c || !name) return NULL;
    for (size_t i = 0; i < c->n_edge_populations; i++)
        if (strcmp(c->edge_populations[i].name, name) == 0) return &c->edge_populations[i];
    return NULL;
}

const char *rv_sonata_config_alternate_morphology(const rv_sonata_cfg_population *p,
                                                  const char *format) {
    if (!p || !format) return NULL;
    for (size_t i = 0; i < p->n_alternate_morphologies; i++)
        if (strcmp(p->alternate_morphologies[i].name, format) == 0)
            return p->alternate_morphologies[i].path;
    return NULL;
}

const rv_sonata_cfg_input *rv_sonata_config_input(const rv_sonata_simulation_config *s,
                                                  const char *name) {
    if (!s || !name) return NULL;
    for (size_t i = 0; i < s->n_inputs; i++)
        if (strcmp(s->inputs[i].name, name) == 0) return &s->inputs[i];
    return NULL;
}

const rv_sonata_cfg_report *rv_sonata_config_report(const rv_sonata_simulation_config *s,
                                                    const char *name) {
    if (!s || !name) return NULL;
    for (size_t i = 0; i < s->n_reports; i++)
        if (strcmp(s->reports[i].name, name) == 0) return &s->reports[i];
    return NULL;
}

const rv_sonata_cfg_value *rv_sonata_config_param(const rv_sonata_cfg_params *p, const char *name) {
    if (!p || !name) return NULL;
    for (size_t i = 0; i < p->n; i++)
        if (strcmp(p->items[i].name, name) == 0) return &p->items[i].value;
    return NULL;
}

/* ---- enum spellings ------------------------------------------------------------ */

#define NAME_OF(tab, v) ((size_t)(v) < sizeof(tab) / sizeof *(tab) ? (tab)[v] : "?")

const char *rv_sonata_config_flavour_name(rv_sonata_cfg_flavour f) {
    static const char *t[] = {"auto", "bbp", "allen"};
    return NAME_OF(t, f);
}

const char *rv_sonata_config_simulator_name(rv_sonata_cfg_simulator s) {
    static const char *t[] = {"unspecified",    "NEURON", "CORENEURON",
                              "LearningEngine", "Brian2", "NEST"};
    return NAME_OF(t, s);
}

const char *rv_sonata_config_integration_name(rv_sonata_cfg_integration m) {
    static const char *t[] = {"euler", "crank_nicolson", "crank_nicolson_ion"};
    return NAME_OF(t, m);
}

const char *rv_sonata_config_sort_order_name(rv_sonata_cfg_sort_order o) {
    static const char *t[] = {"by_time", "by_id", "none"};
    return NAME_OF(t, o);
}

const char *rv_sonata_config_spike_location_name(rv_sonata_cfg_spike_location l) {
    static const char *t[] = {"soma", "AIS"};
    return NAME_OF(t, l);
}

const char *rv_sonata_config_modification_name(rv_sonata_cfg_modification_type m) {
    static const char *t[] = {"ttx", "configure_all_sections", "section_list", "section",
                              "compartment_set"};
    return NAME_OF(t, m);
}

const char *rv_sonata_config_module_name(rv_sonata_cfg_module m) {
    static const char *t[] = {"linear",
                              "relative_linear",
                              "pulse",
                              "sinusoidal",
                              "subthreshold",
                              "hyperpolarizing",
                              "synapse_replay",
                              "seclamp",
                              "noise",
                              "shot_noise",
                              "relative_shot_noise",
                              "absolute_shot_noise",
                              "ornstein_uhlenbeck",
                              "relative_ornstein_uhlenbeck",
                              "spatially_uniform_e_field",
                              "poisson",
                              "spike_file",
                              "IClamp",
                              "other"};
    return NAME_OF(t, m);
}

const char *rv_sonata_config_input_type_name(rv_sonata_cfg_input_type t_) {
    static const char *t[] = {"spikes",        "extracellular_stimulation",
                              "current_clamp", "voltage_clamp",
                              "conductance",   "other"};
    return NAME_OF(t, t_);
}

const char *rv_sonata_config_report_type_name(rv_sonata_cfg_report_type r) {
    static const char *t[] = {"compartment", "summation",       "synapse",
                              "lfp",         "compartment_set", "other"};
    return NAME_OF(t, r);
}

const char *rv_sonata_config_sections_name(rv_sonata_cfg_sections s) {
    static const char *t[] = {"none", "soma", "axon", "dend", "apic", "all"};
    return NAME_OF(t, s);
}

const char *rv_sonata_config_compartments_name(rv_sonata_cfg_compartments c) {
    static const char *t[] = {"none", "center", "all"};
    return NAME_OF(t, c);
}

const char *rv_sonata_config_scaling_name(rv_sonata_cfg_scaling s) {
    static const char *t[] = {"area", "none"};
    return NAME_OF(t, s);
}
