/* SPDX-License-Identifier: MIT
 * hoc/hoc_exec.c -- the hoc AST walker and the public entry points.
 *
 * Values (hoc_val) are numbers, reference-counted strings and objects,
 * sections (engine ids) and, for arguments, references to a caller's
 * number/strdef/objref.  Names resolve at run time: the function's locals
 * (slots fixed by the parser), then the current template instance's fields
 * (or the top-level table), `external` names, built-ins and templates, and
 * finally range variables of the currently accessed section.  Assigning an
 * unknown name creates a variable in the current scope, as hoc does.
 *
 * Errors: every function returns -1 after hocX_error stored the message and
 * the position of the statement being executed; nothing jumps.  The public
 * functions at the end return the rv_status.
 *
 * Sections: the interpreter keeps its own record of each engine section
 * (name, owner, parent, L, nseg, Ra) for names, topology, distance() and
 * forsec; everything the simulation needs goes to the engine.
 */
#include "hoc/hoc_int.h"
#include "ranvier/nmodl.h"

#include <math.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

enum { EX_OK = 0, EX_ERR = -1, EX_BREAK = 1, EX_CONTINUE, EX_RETURN, EX_STOP };

#define HOC_EPS 1e-11

/* ---- errors ---------------------------------------------------------- */
int hocX_error(hoc *h, rv_status code, const char *fmt, ...) {
    if (h->failed) return -1;
    h->failed = 1;
    if (h->err) {
        char msg[512];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);
        rv_error_set(h->err, code, __FILE__, __LINE__, "%s", msg);
        rv_error_where(h->err, h->cur_file ? h->cur_file : "", h->cur_line, NULL);
    }
    return -1;
}

int hocX_engine(hoc *h, rv_status st, rv_error *e) {
    if (!st) return 0;
    return hocX_error(h, st, "%s", e->msg);
}

void hocX_write(hoc *h, const char *s, size_t n) {
    if (h->out)
        h->out(h->out_ud, s, n);
    else
        fwrite(s, 1, n, stdout);
}

/* ---- strings and objects -------------------------------------------------- */
hoc_str *hocX_str(const char *s, size_t n) {
    hoc_str *r = rv_malloc(sizeof *r + n + 1);
    if (!r) return NULL;
    r->rc = 1;
    r->len = n;
    memcpy(r->s, s, n);
    r->s[n] = 0;
    return r;
}

void hocX_str_decref(hoc_str *s) {
    if (s && --s->rc == 0) rv_free(s);
}

hoc_obj *hocX_obj_new(hoc *h, hoc_class *c) {
    (void)h;
    hoc_obj *o = rv_calloc(1, sizeof *o);
    if (!o) return NULL;
    size_t cap = (size_t)c->capinst;
    if (rv_grow((void **)&c->inst, &cap, (size_t)c->ninst + 1, sizeof *c->inst)) {
        rv_free(o);
        return NULL;
    }
    c->capinst = (int)cap;
    c->inst[c->ninst++] = o;
    o->rc = 1;
    o->cls = c;
    o->index = c->count++;
    o->pp = -1;
    return o;
}

void hocX_obj_decref(hoc *h, hoc_obj *o) {
    if (!o || --o->rc > 0) return;
    if (o->cls->dtor) o->cls->dtor(h, o);
    hoc_class *c = o->cls;
    /* instances stay sorted by index (Template[i] searches them) */
    for (int i = 0; i < c->ninst; ++i)
        if (c->inst[i] == o) {
            memmove(c->inst + i, c->inst + i + 1, (size_t)(c->ninst - i - 1) * sizeof *c->inst);
            c->ninst--;
            break;
        }
    /* sections of the instance stay in the engine (it cannot delete them) */
    if (c->is_template)
        for (int i = 0; i < h->nsecs; ++i)
            if (h->secs[i].owner == o) h->secs[i].owner = NULL;
    hocX_table_free(h, &o->fields);
    rv_free(o);
}

void hocX_release(hoc *h, hoc_val *v) {
    if (v->t == V_STR)
        hocX_str_decref(v->u.s);
    else if (v->t == V_OBJ)
        hocX_obj_decref(h, v->u.o);
    v->t = V_NONE;
}

void hocX_retain(hoc_val *v) {
    if (v->t == V_STR && v->u.s) v->u.s->rc++;
    if (v->t == V_OBJ && v->u.o) v->u.o->rc++;
}

/* ---- symbol tables ------------------------------------------------------- */
static size_t hash(const char *s) {
    size_t x = 2166136261u;
    while (*s) x = (x ^ (unsigned char)*s++) * 16777619u;
    return x;
}

hoc_var *hocX_table_get(hoc_table *t, const char *name) {
    if (!t->cap) return NULL;
    size_t hv = hash(name), i = hv & (t->cap - 1);
    while (t->slot[i]) {
        if (t->slot[i]->hv == hv && strcmp(t->slot[i]->name, name) == 0) return t->slot[i];
        i = (i + 1) & (t->cap - 1);
    }
    return NULL;
}

static int table_put(hoc_table *t, hoc_var *v) {
    if (2 * (t->n + 1) > t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 16;
        hoc_var **s = rv_calloc(cap, sizeof *s);
        if (!s) return -1;
        for (size_t k = 0; k < t->cap; ++k)
            if (t->slot[k]) {
                size_t i = t->slot[k]->hv & (cap - 1);
                while (s[i]) i = (i + 1) & (cap - 1);
                s[i] = t->slot[k];
            }
        rv_free(t->slot);
        t->slot = s;
        t->cap = cap;
    }
    v->hv = hash(v->name);
    size_t i = v->hv & (t->cap - 1);
    while (t->slot[i]) i = (i + 1) & (t->cap - 1);
    t->slot[i] = v;
    t->n++;
    return 0;
}

static void var_free_data(hoc *h, hoc_var *v) {
    if (v->s)
        for (int i = 0; i < v->n; ++i) hocX_str_decref(v->s[i]);
    if (v->o)
        for (int i = 0; i < v->n; ++i) hocX_obj_decref(h, v->o[i]);
    rv_free(v->d);
    rv_free(v->s);
    rv_free(v->o);
    rv_free(v->sec);
    v->d = NULL, v->s = NULL, v->o = NULL, v->sec = NULL;
}

static int var_alloc(hoc_var *v, int kind, int n) {
    v->kind = kind;
    v->n = n;
    if (kind == K_NUM) v->d = rv_calloc((size_t)n, sizeof *v->d);
    if (kind == K_STR) v->s = rv_calloc((size_t)n, sizeof *v->s);
    if (kind == K_OBJ) v->o = rv_calloc((size_t)n, sizeof *v->o);
    if (kind == K_SEC) {
        v->sec = rv_malloc((size_t)n * sizeof *v->sec);
        if (v->sec)
            for (int i = 0; i < n; ++i) v->sec[i] = -1;
    }
    if ((kind == K_NUM && !v->d) || (kind == K_STR && !v->s) || (kind == K_OBJ && !v->o) ||
        (kind == K_SEC && !v->sec))
        return -1;
    return 0;
}

hoc_var *hocX_table_add(hoc_table *t, const char *name, int kind, int n) {
    hoc_var *v = rv_calloc(1, sizeof *v);
    if (!v) return NULL;
    v->name = rv_strdup(name);
    if (!v->name || var_alloc(v, kind, n) || table_put(t, v)) {
        rv_strfree(v->name);
        rv_free(v->d), rv_free(v->s), rv_free(v->o), rv_free(v->sec);
        rv_free(v);
        return NULL;
    }
    return v;
}

void hocX_table_free(hoc *h, hoc_table *t) {
    for (size_t i = 0; i < t->cap; ++i) {
        hoc_var *v = t->slot[i];
        if (!v) continue;
        var_free_data(h, v);
        rv_strfree(v->name);
        rv_free(v);
    }
    rv_free(t->slot);
    t->slot = NULL;
    t->cap = t->n = 0;
}

/* ---- sections ------------------------------------------------------------ */
double hocX_seg_x(int nseg, int i) {
    return (i + 0.5) / nseg;
}

int hocX_cur_sec(hoc *h, int *sec) {
    int s = h->nstack ? h->stack[h->nstack - 1] : h->access;
    if (s < 0 || s >= h->nsecs || !h->secs[s].exists)
        return hocX_error(h, RV_ESTATE, "no accessed section (create one first)");
    if (h->secs[s].deleted) return hocX_error(h, RV_ESTATE, "the accessed section was deleted");
    *sec = s;
    return 0;
}

int hocX_push_sec(hoc *h, int sec) {
    if (h->nstack >= 500) return hocX_error(h, RV_ERANGE, "section stack overflow");
    size_t cap = (size_t)h->capstack;
    if (rv_grow((void **)&h->stack, &cap, (size_t)h->nstack + 1, sizeof(int)))
        return hocX_error(h, RV_ENOMEM, "out of memory");
    h->capstack = (int)cap;
    h->stack[h->nstack++] = sec;
    return 0;
}

void hocX_pop_sec(hoc *h) {
    if (h->nstack) h->nstack--;
}

static int sec_new(hoc *h, const char *name, hoc_obj *owner, int *out) {
    rv_error e;
    int id;
    if (hocX_engine(h, rv_section_create(h->m, name, 1, &id, &e), &e)) return -1;
    if (id >= h->capsecs) {
        size_t cap = (size_t)h->capsecs;
        if (rv_grow((void **)&h->secs, &cap, (size_t)id + 1, sizeof *h->secs))
            return hocX_error(h, RV_ENOMEM, "out of memory");
        memset(h->secs + h->capsecs, 0, (cap - (size_t)h->capsecs) * sizeof *h->secs);
        h->capsecs = (int)cap;
    }
    if (id >= h->nsecs) h->nsecs = id + 1;
    hoc_sec *s = &h->secs[id];
    s->name = rv_strdup(name);
    if (!s->name) return hocX_error(h, RV_ENOMEM, "out of memory");
    s->owner = owner;
    s->parent = -1;
    s->L = 100;
    s->Ra = 35.4;
    s->nseg = 1;
    s->exists = 1;
    s->order = ++h->sec_order;
    if (h->access < 0) h->access = id;
    *out = id;
    return 0;
}

/* L as NEURON reports it: from the 3-D points when there are two or more */
double hocX_sec_L(hoc *h, int sec) {
    hoc_sec *s = &h->secs[sec];
    double L = s->L;
    rv_error e;
    if (s->npt > 1 && s->Lc_npt == s->npt) return s->Lc;
    if (s->npt > 1 && rv_section_get_L(h->m, sec, &L, &e)) return s->L;
    if (s->npt > 1) s->Lc = L, s->Lc_npt = s->npt;
    return L;
}

/* NEURON's delete_section: the engine drops the section before setup; its
 * children become roots */
void hocX_set_parent(hoc *h, int child, int parent, double parent_x, int child_end) {
    hoc_sec *s = &h->secs[child];
    if (s->parent >= 0) h->secs[s->parent].nchild--;
    if (parent >= 0) h->secs[parent].nchild++;
    s->parent = parent;
    s->parent_x = parent_x;
    s->child_end = child_end;
    s->conn_seq = ++h->conn_count;
}

int hocX_sec_delete(hoc *h, int sec) {
    rv_error e;
    if (hocX_engine(h, rv_section_delete(h->m, sec, &e), &e)) return -1;
    hoc_sec *s = &h->secs[sec];
    s->deleted = 1;
    if (s->parent >= 0) h->secs[s->parent].nchild--;
    s->parent = -1;
    /* children usually follow their parent: look there first */
    for (int c = sec + 1; c < h->nsecs && s->nchild > 0; ++c)
        if (h->secs[c].exists && h->secs[c].parent == sec) h->secs[c].parent = -1, s->nchild--;
    for (int c = 0; c < sec && s->nchild > 0; ++c)
        if (h->secs[c].exists && h->secs[c].parent == sec) h->secs[c].parent = -1, s->nchild--;
    s->nchild = 0;
    if (h->access == sec) h->access = -1;
    return 0;
}

int hocX_section_name_matches(hoc *h, const char *name, const char *pattern) {
    /* a plain word ("axon", as Import3d's forsec uses) is a substring test */
    if (!pattern[strcspn(pattern, ".[]()*+?{}|^$\\")]) return strstr(name, pattern) != NULL;
    /* the last pattern stays compiled */
    if (!h->re_pat || strcmp(h->re_pat, pattern)) {
        if (h->re_pat) regfree(&h->re);
        rv_strfree(h->re_pat);
        h->re_pat = NULL;
        if (regcomp(&h->re, pattern, REG_EXTENDED | REG_NOSUB) != 0)
            return strstr(name, pattern) != NULL;
        if (!(h->re_pat = rv_strdup(pattern))) {
            regfree(&h->re);
            return strstr(name, pattern) != NULL;
        }
    }
    return regexec(&h->re, name, 0, NULL, 0) == 0;
}

/* distance() works on nodes, as NEURON's topol_distance: a position x
 * selects the node of its segment (0: the parent's node, 1: the 1-end), and
 * a node lies at L*(i+0.5)/nseg along its section (L at the 1-end).  The
 * deeper of the two sections walks up to its parent until both meet. */
typedef struct {
    int sec, idx; /* idx -1: the root node below a root section */
} hnode;

static hnode node_exact(hoc *h, int sec, double x) {
    for (int guard = 0; guard < 100000; ++guard) {
        hoc_sec *s = &h->secs[sec];
        double xx = s->child_end ? 1 - x : x;
        if (xx > 0) {
            hnode n = {sec, xx >= 1 ? s->nseg : (int)(xx * s->nseg)};
            if (n.idx >= s->nseg && xx < 1) n.idx = s->nseg - 1;
            return n;
        }
        if (s->parent < 0) return (hnode){sec, -1};
        x = s->parent_x;
        sec = s->parent;
    }
    return (hnode){sec, -1};
}

static int node_eq(hnode a, hnode b) {
    return a.sec == b.sec && a.idx == b.idx;
}

static hnode parent_node(hoc *h, int sec) {
    hoc_sec *s = &h->secs[sec];
    if (s->parent < 0) return (hnode){sec, -1};
    return node_exact(h, s->parent, s->parent_x);
}

static double node_dist(hoc *h, int sec, hnode n) {
    hoc_sec *s = &h->secs[sec];
    if (node_eq(parent_node(h, sec), n)) return 0.;
    double ratio = n.idx == s->nseg ? 1. : ((double)n.idx + .5) / (double)s->nseg;
    return hocX_sec_L(h, sec) * ratio;
}

static int sec_depth(hoc *h, int sec) {
    int d = 0;
    while (sec >= 0 && d < 100000) sec = h->secs[sec].parent, ++d;
    return d;
}

double hocX_distance(hoc *h, int s1, double x1, int s2, double x2) {
    hnode n1 = node_exact(h, s1, x1), n2 = node_exact(h, s2, x2);
    double d = 0;
    int o1 = sec_depth(h, s1), o2 = sec_depth(h, s2);
    while (s1 != s2) {
        if (s1 < 0 || (s2 >= 0 && o1 <= o2)) {
            d += node_dist(h, s2, n2);
            n2 = parent_node(h, s2);
            s2 = h->secs[s2].parent, --o2;
        } else {
            d += node_dist(h, s1, n1);
            n1 = parent_node(h, s1);
            s1 = h->secs[s1].parent, --o1;
        }
    }
    if (s1 < 0) return node_eq(n1, n2) ? d : 1e20;
    if (!node_eq(n1, n2)) {
        double a = node_dist(h, s1, n1), b = node_dist(h, s2, n2);
        d += a < b ? b - a : a - b;
    }
    return d;
}

/* ---- mechanism names (for range variables) ---------------------------------- */
int hocX_note_mech(hoc *h, const char *mech) {
    for (int i = 0; i < h->nmechs; ++i)
        if (strcmp(h->mechs[i], mech) == 0) return 0;
    size_t cap = (size_t)h->capmechs;
    if (rv_grow((void **)&h->mechs, &cap, (size_t)h->nmechs + 1, sizeof *h->mechs))
        return hocX_error(h, RV_ENOMEM, "out of memory");
    h->capmechs = (int)cap;
    char *d = rv_strdup(mech);
    if (!d) return hocX_error(h, RV_ENOMEM, "out of memory");
    h->mechs[h->nmechs++] = d;
    hocX_table_free(h, &h->rangecache);
    return 0;
}

static int is_range_name_uncached(hoc *h, const char *name);

/* answers cached by name (the mechanism list only grows; hocX_note_mech
 * clears the cache) */
static int is_range_name(hoc *h, const char *name) {
    hoc_var *c = hocX_table_get(&h->rangecache, name);
    if (c) return c->d[0] != 0;
    int r = is_range_name_uncached(h, name);
    c = hocX_table_add(&h->rangecache, name, K_NUM, 1);
    if (c) c->d[0] = r;
    return r;
}

static int is_range_name_uncached(hoc *h, const char *name) {
    if (!strcmp(name, "v") || !strcmp(name, "diam") || !strcmp(name, "cm") ||
        !strcmp(name, "i_membrane_"))
        return 1;
    size_t n = strlen(name);
    for (int i = 0; i < h->nmechs; ++i) {
        const char *m = h->mechs[i];
        size_t l = strlen(m);
        if (l > 4 && strcmp(m + l - 4, "_ion") == 0) {
            size_t il = l - 4; /* ion name length */
            if (n == il + 1 && (name[0] == 'e' || name[0] == 'i') && !strncmp(name + 1, m, il))
                return 1;
            if (n == il + 1 && !strncmp(name, m, il) && (name[il] == 'i' || name[il] == 'o'))
                return 1;
            continue;
        }
        if (n > l + 1 && name[n - l - 1] == '_' && strcmp(name + n - l, m) == 0) return 1;
    }
    return 0;
}

/* 1 when `name` is "var_suffix" of a GLOBAL var of mechanism `suffix`
 * registered in the model (point processes too); *dflt its default. */
static int model_mech_global(hoc *h, const char *name, double *dflt) {
    const char *us = strrchr(name, '_');
    const rv_mech_type *t = us && us[1] ? rv_model_mech_type(h->m, us + 1) : NULL;
    size_t stem = us ? (size_t)(us - name) : 0;
    for (int g = 0; t && t->global_dflt && g < t->n_globals; ++g) {
        const char *gn = t->global_names[g];
        if (!strcmp(gn, name) || (strlen(gn) == stem && !strncmp(gn, name, stem))) {
            if (dflt) *dflt = t->global_dflt[g];
            return 1;
        }
    }
    return 0;
}

/* `name` (matching a known mechanism's suffix) is not a range variable of
 * the section: then it is taken for a GLOBAL of the mechanism */
static int is_mech_global(hoc *h, int sec, const char *name) {
    (void)sec;
    if (!strcmp(name, "v") || !strcmp(name, "diam") || !strcmp(name, "cm")) return 0;
    const char *us = strrchr(name, '_');
    if (!us || !us[1]) return 0;
    if (model_mech_global(h, name, NULL)) return 1;
    char key[300];
    snprintf(key, sizeof key, "global:%s", name);
    hoc_var *c = hocX_table_get(&h->defaults, key);
    if (c) return c->d[0] != 0;
    /* ask a scratch model with the built-in mechanisms */
    rv_model *sm = NULL;
    rv_error e;
    int id, global = 0;
    double val;
    if ((sm = hocX_scratch_model(h)) && !rv_section_create(sm, "s", 1, &id, &e) &&
        !rv_section_insert(sm, id, us + 1, &e) && rv_range_get(sm, id, 0.5, name, &val, &e))
        global = rv_model_set_global(sm, name, 0, &e) == RV_OK;
    rv_model_destroy(sm);
    c = hocX_table_add(&h->defaults, key, K_NUM, 1);
    if (c) c->d[0] = global;
    return global;
}

rv_model *hocX_scratch_model(hoc *h) {
    rv_model *sm = NULL;
    rv_error e;
    if (rv_model_create(&sm, &e)) return NULL;
    for (int i = 0; i < h->nlibs; ++i)
        if (rv_nmodl_register(h->libs[i], sm, RV_NMODL_REPLACE, &e)) {
            rv_model_destroy(sm);
            return NULL;
        }
    return sm;
}

/* nrn_load_dll(path): a mechanism library built by `ranvier build-mechanisms`
 * or a directory of .mod files (built through the cache); its mechanisms
 * replace built-ins of the same name, as a NEURON library's do.  Libraries
 * stay loaded until the process exits: the model may outlive the
 * interpreter, and the engine calls into the mechanisms until it is
 * destroyed.  Loading the same path again reuses the library. */
static struct loaded_lib {
    char *path;
    rv_nmodl_lib *lib;
} * loaded_libs;
static int n_loaded_libs;

int hocX_load_mechanisms(hoc *h, const char *path) {
    rv_error e;
    rv_nmodl_lib *lib = NULL;
    for (int i = 0; i < h->nlibs; ++i)
        for (int k = 0; k < n_loaded_libs; ++k)
            if (loaded_libs[k].lib == h->libs[i] && !strcmp(loaded_libs[k].path, path))
                return 0; /* already in this model */
    void **nl = rv_realloc(h->libs, ((size_t)h->nlibs + 1) * sizeof *nl);
    if (!nl) return hocX_error(h, RV_ENOMEM, "out of memory");
    h->libs = nl;
    for (int k = 0; k < n_loaded_libs && !lib; ++k)
        if (!strcmp(loaded_libs[k].path, path)) lib = loaded_libs[k].lib;
    rv_status st;
    if (lib) {
        st = rv_nmodl_register(lib, h->m, RV_NMODL_REPLACE, &e);
    } else {
        struct loaded_lib *ll =
            rv_realloc(loaded_libs, ((size_t)n_loaded_libs + 1) * sizeof *loaded_libs);
        char *pc = rv_strdup(path);
        if (ll) loaded_libs = ll;
        if (!ll || !pc) {
            rv_strfree(pc);
            return hocX_error(h, RV_ENOMEM, "out of memory");
        }
        st = rv_nmodl_load(h->m, path, RV_NMODL_REPLACE, &lib, &e);
        if (st)
            rv_strfree(pc);
        else
            loaded_libs[n_loaded_libs].path = pc, loaded_libs[n_loaded_libs++].lib = lib;
    }
    if (st) return hocX_error(h, st, "nrn_load_dll(\"%s\"): %s", path, e.msg);
    h->libs[h->nlibs++] = lib;
    for (int i = 0; i < rv_nmodl_lib_count(lib); ++i) {
        const rv_mech_type *t = rv_nmodl_lib_type(lib, i);
        char ion[300];
        if (hocX_note_mech(h, t->name)) return -1;
        for (int k = 0; k < t->n_ions; ++k) {
            snprintf(ion, sizeof ion, "%s_ion", t->ions[k].ion);
            if (hocX_note_mech(h, ion)) return -1;
        }
    }
    /* cached answers of the scratch model may change */
    hocX_table_free(h, &h->defaults);
    return 0;
}

int hocX_apply_globals(hoc *h) {
    rv_error e;
    for (size_t i = 0; i < h->mglobals.cap; ++i) {
        hoc_var *g = h->mglobals.slot[i];
        if (g && hocX_engine(h, rv_model_set_global(h->m, g->name, g->d[0], &e), &e)) return -1;
    }
    return 0;
}

static int is_secprop(const char *name) {
    return !strcmp(name, "L") || !strcmp(name, "nseg") || !strcmp(name, "Ra") ||
           !strcmp(name, "rallbranch");
}

/* ---- range variables before setup ------------------------------------------ */
static int model_lowered(hoc *h, int sec) {
    rv_error e;
    return rv_section_set_nseg(h->m, sec, h->secs[sec].nseg, &e) == RV_ESTATE;
}

static double *shadow(hoc *h, int sec, const char *name, int create) {
    hoc_sec *s = &h->secs[sec];
    for (int i = 0; i < s->nsh; ++i)
        if (strcmp(s->sh[i].name, name) == 0) return s->sh[i].v;
    if (!create) return NULL;
    struct hoc_shadow *n = rv_realloc(s->sh, ((size_t)s->nsh + 1) * sizeof *n);
    if (!n) return NULL;
    s->sh = n;
    double *v = rv_malloc((size_t)s->nseg * sizeof *v);
    char *nm = rv_strdup(name);
    if (!v || !nm) {
        rv_free(v), rv_strfree(nm);
        return NULL;
    }
    for (int i = 0; i < s->nseg; ++i) v[i] = NAN;
    s->sh[s->nsh].name = nm;
    s->sh[s->nsh++].v = v;
    return v;
}

/* new nseg: each new segment takes the value of the old segment holding its
 * centre (as the engine and NEURON do) */
static int shadow_resample(hoc *h, int sec, int nseg) {
    hoc_sec *s = &h->secs[sec];
    for (int i = 0; i < s->nsh; ++i) {
        double *v = rv_malloc((size_t)nseg * sizeof *v);
        if (!v) return hocX_error(h, RV_ENOMEM, "out of memory");
        for (int k = 0; k < nseg; ++k) {
            int o = (int)(hocX_seg_x(nseg, k) * s->nseg);
            v[k] = s->sh[i].v[o < s->nseg ? o : s->nseg - 1];
        }
        rv_free(s->sh[i].v);
        s->sh[i].v = v;
    }
    return 0;
}

static int seg_of(int nseg, double x) {
    int i = (int)(nseg * x);
    return i >= nseg ? nseg - 1 : i;
}

static int param_default(hoc *h, const char *name, double *out) {
    hoc_var *d = hocX_table_get(&h->defaults, name);
    if (d) return *out = d->d[0], 0;
    const char *us = strrchr(name, '_');
    rv_model *sm = NULL;
    rv_error e;
    int sec, ok = 0;
    /* a GLOBAL of a mechanism registered in the model: its default */
    ok = model_mech_global(h, name, out);
    if (!ok && us && us[1] && (sm = hocX_scratch_model(h)) &&
        !rv_section_create(sm, "s", 1, &sec, &e) && !rv_section_insert(sm, sec, us + 1, &e) &&
        !rv_range_get(sm, sec, 0.5, name, out, &e))
        ok = 1;
    rv_model_destroy(sm);
    if (!ok)
        return hocX_error(h, RV_EUNSUPPORTED,
                          "unsupported: reading %s before it is set, before the model is set up",
                          name);
    d = hocX_table_add(&h->defaults, name, K_NUM, 1);
    if (d) d->d[0] = *out;
    return 0;
}

static int is_geom_range(const char *name) {
    return !strcmp(name, "v") || !strcmp(name, "diam") || !strcmp(name, "cm") ||
           !strcmp(name, "i_membrane_");
}

/* ---- locations ------------------------------------------------------------ */
static int eval(hoc *h, hoc_node *n, hoc_val *out);
static int exec(hoc *h, hoc_node *n);
static int call_func(hoc *h, hoc_func *f, hoc_obj *self, hoc_val *args, int nargs, hoc_val *ret);

static int loc_get(hoc *h, hoc_loc *l, hoc_val *out) {
    rv_error e;
    out->t = V_NONE;
    switch (l->kind) {
    case L_NUM:
        out->t = V_NUM, out->u.d = *l->d;
        return 0;
    case L_STR:
        if (!*l->s && !(*l->s = hocX_str("", 0))) return hocX_error(h, RV_ENOMEM, "out of memory");
        out->t = V_STR, out->u.s = *l->s, (*l->s)->rc++;
        return 0;
    case L_OBJ:
        out->t = V_OBJ, out->u.o = *l->o;
        if (*l->o) (*l->o)->rc++;
        return 0;
    case L_SEC:
        out->t = V_SEC, out->u.sec = l->sec;
        return 0;
    case L_RVAL:
        *out = l->rval, l->rval.t = V_NONE;
        return 0;
    case L_SECPROP: {
        hoc_sec *s = &h->secs[l->sec];
        out->t = V_NUM;
        if (!strcmp(l->name, "L")) {
            out->u.d = hocX_sec_L(h, l->sec);
        } else if (!strcmp(l->name, "nseg"))
            out->u.d = s->nseg;
        else if (!strcmp(l->name, "Ra"))
            out->u.d = s->Ra;
        else
            out->u.d = 1; /* rallbranch */
        return 0;
    }
    case L_RANGE: {
        double x = l->has_x ? l->x : 0.5;
        out->t = V_NUM;
        hoc_var *g = hocX_table_get(&h->mglobals, l->name);
        if (g && !l->has_x) return out->u.d = g->d[0], 0;
        /* a GLOBAL of a registered mechanism never assigned: its default */
        if (!l->has_x && model_mech_global(h, l->name, &out->u.d)) return 0;
        if (l->sec < 0) return hocX_error(h, RV_ESTATE, "%s: no accessed section", l->name);
        if (!h->finitialized && !strcmp(l->name, "v")) {
            /* v written before the first finitialize (a template's section
             * index in v(0.0001)): kept here, the engine sets v at init */
            double *sv = shadow(h, l->sec, "v", 0);
            int k = seg_of(h->secs[l->sec].nseg, x);
            if (sv && !isnan(sv[k])) return out->u.d = sv[k], 0;
        }
        if (!is_geom_range(l->name) && !model_lowered(h, l->sec)) {
            double *sv = shadow(h, l->sec, l->name, 0);
            int k = seg_of(h->secs[l->sec].nseg, x);
            if (sv && !isnan(sv[k])) return out->u.d = sv[k], 0;
            /* the name must exist here: a set of the current value checks it */
            if (param_default(h, l->name, &out->u.d)) return -1;
            return hocX_engine(h, rv_range_set(h->m, l->sec, x, l->name, out->u.d, &e), &e);
        }
        if (hocX_engine(h, rv_range_get(h->m, l->sec, x, l->name, &out->u.d, &e), &e)) return -1;
        return 0;
    }
    case L_PP:
        out->t = V_NUM;
        return hocX_engine(h, rv_pp_get(h->m, l->pp, l->name, &out->u.d, &e), &e);
    }
    return hocX_error(h, RV_EINTERNAL, "bad location");
}

static int want_num(hoc *h, hoc_val *v, double *d, const char *what) {
    if (v->t == V_NUM) return *d = v->u.d, 0;
    if (v->t == V_REF) return *d = *v->u.p, 0;
    return hocX_error(h, RV_EINVAL, "%s: a number is needed here", what);
}

/* diam = d on a section with 3-D points: NEURON sets the segments and then
 * gives every point the diameter of the segment it lies in, so all points
 * get d (single precision, as NEURON stores them).  diam(x) = d there is
 * refused: NEURON's result depends on when it last recomputed diameters. */
static int diam3d_set(hoc *h, hoc_loc *l, double d) {
    rv_error e;
    int sec = l->sec, n = h->secs[sec].npt;
    if (l->has_x)
        return hocX_error(h, RV_EUNSUPPORTED,
                          "unsupported: diam(x) on %s, a section with 3-D points (assign diam "
                          "to the whole section)",
                          h->secs[sec].name);
    if (!(d > 0)) return hocX_error(h, RV_ERANGE, "diam = %g must be positive", d);
    if (model_lowered(h, sec))
        return hocX_error(h, RV_ESTATE, "%s: geometry (diam) is frozen after setup",
                          h->secs[sec].name);
    double *p = rv_malloc((size_t)n * 3 * sizeof *p);
    if (!p) return hocX_error(h, RV_ENOMEM, "out of memory");
    int r = 0;
    for (int i = 0; i < n && !r; ++i) {
        double q[4];
        r = hocX_engine(h, rv_section_pt3d_get(h->m, sec, i, q, NULL, &e), &e);
        p[3 * i] = q[0], p[3 * i + 1] = q[1], p[3 * i + 2] = q[2];
    }
    if (!r) r = hocX_engine(h, rv_section_pt3d_clear(h->m, sec, &e), &e);
    for (int i = 0; i < n && !r; ++i)
        r = hocX_engine(
            h, rv_section_pt3d_add(h->m, sec, p[3 * i], p[3 * i + 1], p[3 * i + 2], (float)d, &e),
            &e);
    rv_free(p);
    return r;
}

static int loc_set(hoc *h, hoc_loc *l, hoc_val *v, const char *what) {
    rv_error e;
    double d = 0;
    switch (l->kind) {
    case L_NUM:
        if (want_num(h, v, &d, what)) return -1;
        *l->d = d;
        return 0;
    case L_STR: {
        hoc_str *s = NULL;
        if (v->t == V_STR) s = v->u.s, s->rc++;
        if (v->t == V_SREF) s = *v->u.sp, s ? s->rc++ : 0;
        if (!s) return hocX_error(h, RV_EINVAL, "%s: a string is needed here", what);
        hocX_str_decref(*l->s);
        *l->s = s;
        return 0;
    }
    case L_OBJ: {
        hoc_obj *o;
        if (v->t == V_OBJ)
            o = v->u.o;
        else if (v->t == V_OREF)
            o = *v->u.op;
        else
            return hocX_error(h, RV_EINVAL, "%s: an object is needed here", what);
        if (o) o->rc++;
        hocX_obj_decref(h, *l->o);
        *l->o = o;
        return 0;
    }
    case L_SECPROP: {
        if (want_num(h, v, &d, what)) return -1;
        hoc_sec *s = &h->secs[l->sec];
        if (!strcmp(l->name, "L")) {
            if (hocX_engine(h, rv_section_set_L(h->m, l->sec, d, &e), &e)) return -1;
            s->L = d;
            s->Lc_npt = 0;
        } else if (!strcmp(l->name, "nseg")) {
            int n = (int)d;
            if (n < 1 || n > 32767)
                return hocX_error(h, RV_ERANGE, "nseg must be positive (got %g)", d);
            if (hocX_engine(h, rv_section_set_nseg(h->m, l->sec, n, &e), &e)) return -1;
            if (shadow_resample(h, l->sec, n)) return -1;
            s->nseg = n;
        } else if (!strcmp(l->name, "Ra")) {
            if (hocX_engine(h, rv_section_set_Ra(h->m, l->sec, d, &e), &e)) return -1;
            s->Ra = d;
        } else {
            return hocX_error(h, RV_EUNSUPPORTED, "unsupported: rallbranch");
        }
        return 0;
    }
    case L_RANGE: {
        if (want_num(h, v, &d, what)) return -1;
        if (l->sec < 0 || (!l->has_x && is_mech_global(h, l->sec, l->name))) {
            /* a mechanism GLOBAL: kept until rv_hoc_apply_globals */
            hoc_var *g = hocX_table_get(&h->mglobals, l->name);
            if (!g && !(g = hocX_table_add(&h->mglobals, l->name, K_NUM, 1)))
                return hocX_error(h, RV_ENOMEM, "out of memory");
            g->d[0] = d;
            return 0;
        }
        int nseg = h->secs[l->sec].nseg;
        if (h->secs[l->sec].npt > 0 && !strcmp(l->name, "diam")) return diam3d_set(h, l, d);
        double *sv = NULL;
        int pre_v = !h->finitialized && !strcmp(l->name, "v");
        if ((pre_v || !is_geom_range(l->name)) && !(sv = shadow(h, l->sec, l->name, 1)))
            return hocX_error(h, RV_ENOMEM, "out of memory");
        if (pre_v && !model_lowered(h, l->sec)) {
            for (int i = 0; i < nseg; ++i)
                if (!l->has_x || i == seg_of(nseg, l->x)) sv[i] = d;
            return 0;
        }
        if (l->has_x) {
            if (hocX_engine(h, rv_range_set(h->m, l->sec, l->x, l->name, d, &e), &e)) return -1;
            if (sv) sv[seg_of(nseg, l->x)] = d;
            return 0;
        }
        for (int i = 0; i < nseg; ++i) {
            if (hocX_engine(h, rv_range_set(h->m, l->sec, hocX_seg_x(nseg, i), l->name, d, &e), &e))
                return -1;
            if (sv) sv[i] = d;
        }
        return 0;
    }
    case L_PP:
        if (want_num(h, v, &d, what)) return -1;
        return hocX_engine(h, rv_pp_set(h->m, l->pp, l->name, d, &e), &e);
    default:
        return hocX_error(h, RV_EINVAL, "%s cannot be assigned", what);
    }
}

static void loc_done(hoc *h, hoc_loc *l) {
    if (l->kind == L_RVAL) hocX_release(h, &l->rval);
}

/* element index of an array variable */
static int var_index(hoc *h, hoc_var *v, hoc_val *idx, int nidx, int *k) {
    if (nidx == 0) {
        *k = 0;
        return 0;
    }
    if (v->ndim == 0) return hocX_error(h, RV_EINVAL, "%s is not an array", v->name);
    if (nidx != v->ndim)
        return hocX_error(h, RV_EINVAL, "%s: %d indices for a %d-dimensional array", v->name, nidx,
                          v->ndim);
    int off = 0;
    for (int i = 0; i < nidx; ++i) {
        double d = 0;
        if (want_num(h, &idx[i], &d, v->name)) return -1;
        int j = (int)(d + HOC_EPS);
        if (j < 0 || j >= v->dims[i])
            return hocX_error(h, RV_ERANGE, "%s: index %d out of range (size %d)", v->name, j,
                              v->dims[i]);
        off = off * v->dims[i] + j;
    }
    *k = off;
    return 0;
}

static int var_loc(hoc *h, hoc_var *v, hoc_val *idx, int nidx, hoc_loc *l) {
    int k = 0;
    if (v->kind == K_FUNC || v->kind == K_CLASS)
        return hocX_error(h, RV_EINVAL, "%s is a %s, not a variable", v->name,
                          v->kind == K_FUNC ? "function" : "template");
    if (v->ndim > 0 && nidx == 0 && v->kind != K_SEC)
        return hocX_error(h, RV_EINVAL, "%s is an array: an index is needed", v->name);
    if (var_index(h, v, idx, nidx, &k)) return -1;
    switch (v->kind) {
    case K_NUM:
        l->kind = L_NUM, l->d = &v->d[k];
        return 0;
    case K_STR:
        l->kind = L_STR, l->s = &v->s[k];
        return 0;
    case K_OBJ:
        l->kind = L_OBJ, l->o = &v->o[k];
        return 0;
    case K_SEC:
        if (v->sec[k] < 0 || h->secs[v->sec[k]].deleted)
            return hocX_error(h, RV_ESTATE, "section %s was deleted", v->name);
        l->kind = L_SEC, l->sec = v->sec[k];
        return 0;
    }
    return hocX_error(h, RV_EINTERNAL, "bad variable kind");
}

static int is_public(hoc_class *c, const char *name) {
    for (int i = 0; i < c->npub; ++i)
        if (strcmp(c->pub[i], name) == 0) return 1;
    return 0;
}

static int is_external(hoc_class *c, const char *name) {
    for (int i = 0; i < c->next; ++i)
        if (strcmp(c->ext[i], name) == 0) return 1;
    return 0;
}

/* look a name up in the scope chain (no locals) */
static hoc_var *lookup(hoc *h, const char *name) {
    hoc_var *v;
    if (h->self) {
        v = hocX_table_get(&h->self->fields, name);
        if (v) return v;
        v = hocX_table_get(&h->self->cls->funcs, name);
        if (v) return v;
        if (is_external(h->self->cls, name) && (v = hocX_table_get(&h->globals, name))) return v;
    } else if ((v = hocX_table_get(&h->globals, name))) {
        return v;
    }
    return hocX_table_get(&h->builtins, name);
}

static void free_vals(hoc *h, hoc_val *v, int n) {
    for (int i = 0; i < n; ++i) hocX_release(h, &v[i]);
}

static int eval_arg(hoc *h, hoc_node *n, hoc_val *out);
static int ref_loc(hoc *h, hoc_node *n, hoc_loc *l, int assign);

static int eval_list(hoc *h, hoc_node **nodes, int n, hoc_val *out, int as_args) {
    for (int i = 0; i < n; ++i) {
        out[i].t = V_NONE;
        if ((as_args ? eval_arg(h, nodes[i], &out[i]) : eval(h, nodes[i], &out[i]))) {
            free_vals(h, out, i);
            return -1;
        }
    }
    return 0;
}

#define MAXARGS 32

static int range_loc(hoc *h, int sec, const char *name, hoc_val *args, int nargs, hoc_loc *l) {
    if (is_secprop(name)) {
        if (nargs) return hocX_error(h, RV_EINVAL, "%s is a section property: no (x)", name);
        l->kind = L_SECPROP, l->sec = sec, l->name = name;
        return 0;
    }
    l->kind = L_RANGE, l->sec = sec, l->name = name;
    if (nargs) {
        if (nargs != 1 || want_num(h, &args[0], &l->x, name)) return -1;
        if (l->x < 0 || l->x > 1)
            return hocX_error(h, RV_ERANGE, "%s(%g): x must be in [0, 1]", name, l->x);
        l->has_x = 1;
    }
    return 0;
}

/* member of an object or a section */
static int member_loc(hoc *h, hoc_val *base, hoc_node *n, hoc_val *idx, int nidx, hoc_val *args,
                      int nargs, hoc_loc *l) {
    if (base->t == V_SEC) {
        if (nidx) return hocX_error(h, RV_EINVAL, "%s: unexpected index", n->name);
        if (!is_secprop(n->name) && !is_range_name(h, n->name))
            return hocX_error(h, RV_ENOENT, "%s: not a range variable of section %s", n->name,
                              h->secs[base->u.sec].name);
        return range_loc(h, base->u.sec, n->name, args, nargs, l);
    }
    hoc_obj *o = base->t == V_OBJ ? base->u.o : base->t == V_OREF ? *base->u.op : NULL;
    if (base->t != V_OBJ && base->t != V_OREF)
        return hocX_error(h, RV_EINVAL, "'.%s' applied to something that is not an object",
                          n->name);
    if (!o) return hocX_error(h, RV_EINVAL, "'.%s' applied to NULLobject", n->name);
    hoc_class *c = o->cls;
    if (c->is_template) {
        if (o != h->self && !is_public(c, n->name))
            return hocX_error(h, RV_ENOENT, "%s not a public member of %s", n->name, c->name);
        hoc_var *v = hocX_table_get(&c->funcs, n->name);
        if (v) {
            l->kind = L_RVAL;
            l->rval.t = V_NONE;
            if (call_func(h, v->fn, o, args, nargs, &l->rval)) return -1;
            if (l->rval.t == V_NONE) l->rval.t = V_NUM, l->rval.u.d = 0; /* obj.proc() is 0 */
            return 0;
        }
        v = hocX_table_get(&o->fields, n->name);
        if (!v) return hocX_error(h, RV_ENOENT, "%s.%s is not defined", c->name, n->name);
        if (n->has_call) {
            /* sec.range(x) through an object: obj.soma.v(0.5) is handled by
             * the next member; obj.arr(…) is an error */
            return hocX_error(h, RV_EINVAL, "%s.%s is not a function", c->name, n->name);
        }
        return var_loc(h, v, idx, nidx, l);
    }
    int r;
    if (n->has_call && c->method) {
        l->kind = L_RVAL;
        l->rval.t = V_NONE;
        r = c->method(h, o, n->name, args, nargs, &l->rval);
        if (r) return r < 0 ? -1 : 0;
    }
    if (c->prop) {
        r = c->prop(h, o, n->name, idx, nidx, l);
        if (r < 0) return -1;
        if (r > 0) {
            if (n->has_call) {
                if (l->kind == L_SEC) return hocX_error(h, RV_EINVAL, "%s is a section", n->name);
                return hocX_error(h, RV_EINVAL, "%s.%s is not a function", c->name, n->name);
            }
            return 0;
        }
    }
    return hocX_error(h, RV_ENOENT, "%s has no member %s%s", c->name, n->name,
                      n->has_call ? "()" : "");
}

static int ref_loc(hoc *h, hoc_node *n, hoc_loc *l, int assign) {
    hoc_val idx[8], args[MAXARGS];
    int nidx = n->nlist, nargs = n->nargs;
    memset(l, 0, sizeof *l);
    if (nidx > 8 || nargs > MAXARGS)
        return hocX_error(h, RV_ERANGE, "too many indices or arguments");
    /* locals */
    if (n->slot >= 0 && !n->a) {
        hoc_val *v = &h->frame->locals[n->slot];
        if (nidx || n->has_call) return hocX_error(h, RV_EINVAL, "local %s is a scalar", n->name);
        if (v->t == V_OBJ)
            l->kind = L_OBJ, l->o = &v->u.o;
        else
            l->kind = L_NUM, l->d = &v->u.d;
        return 0;
    }
    hoc_val base = {0};
    if (n->a && eval(h, n->a, &base)) return -1;
    if (eval_list(h, n->list, nidx, idx, 0)) {
        hocX_release(h, &base);
        return -1;
    }
    if (eval_list(h, n->args, nargs, args, 1)) {
        hocX_release(h, &base);
        free_vals(h, idx, nidx);
        return -1;
    }
    int r = 0;
    if (n->a) {
        r = member_loc(h, &base, n, idx, nidx, args, nargs, l);
        goto done;
    }
    if (!strcmp(n->name, "this") && !nidx && !n->has_call) {
        if (!h->self) {
            r = hocX_error(h, RV_EINVAL, "'this' outside a template");
            goto done;
        }
        l->kind = L_RVAL;
        l->rval.t = V_OBJ;
        l->rval.u.o = h->self;
        h->self->rc++;
        goto done;
    }
    hoc_var *v = lookup(h, n->name);
    if (v && v->kind == K_FUNC) {
        if (nidx) {
            r = hocX_error(h, RV_EINVAL, "%s is a function, not an array", n->name);
            goto done;
        }
        l->kind = L_RVAL;
        l->rval.t = V_NONE;
        hoc_obj *self = hocX_table_get(&h->globals, n->name) == v ? NULL : h->self;
        r = call_func(h, v->fn, self, args, nargs, &l->rval);
        goto done;
    }
    if (v && v->kind == K_CLASS) {
        /* Template[i]: the live instance with that index */
        double d = 0;
        if (nidx != 1 || n->has_call || want_num(h, &idx[0], &d, n->name)) {
            r = hocX_error(h, RV_EINVAL, "%s is a template: use new %s() or %s[index]", n->name,
                           n->name, n->name);
            goto done;
        }
        hoc_class *c = v->cls;
        int lo = 0, hi = c->ninst - 1, want = (int)d;
        while (lo <= hi) {
            int mid = lo + (hi - lo) / 2, ix = c->inst[mid]->index;
            if (ix == want) {
                l->kind = L_RVAL, l->rval.t = V_OBJ, l->rval.u.o = c->inst[mid];
                c->inst[mid]->rc++;
                goto done;
            }
            if (ix < want)
                lo = mid + 1;
            else
                hi = mid - 1;
        }
        r = hocX_error(h, RV_ENOENT, "%s[%d] does not exist", n->name, (int)d);
        goto done;
    }
    if (v) {
        if (n->has_call && v->kind != K_SEC) {
            r = hocX_error(h, RV_EINVAL, "%s is not a function", n->name);
            goto done;
        }
        r = var_loc(h, v, idx, nidx, l);
        if (!r && n->has_call) {
            /* sec(x) as in connect dend(0): the section, x kept */
            if (nargs != 1 || want_num(h, &args[0], &l->x, n->name)) {
                r = hocX_error(h, RV_EINVAL, "%s(x): one position expected", n->name);
                goto done;
            }
            l->has_x = 1;
        }
        goto done;
    }
    if (is_range_name(h, n->name) || is_secprop(n->name)) {
        int sec = 0;
        if (nidx) {
            r = hocX_error(h, RV_EINVAL, "%s: unexpected index", n->name);
            goto done;
        }
        int have = h->nstack || (h->access >= 0 && h->access < h->nsecs &&
                                 h->secs[h->access].exists && !h->secs[h->access].deleted);
        if (have)
            r = hocX_cur_sec(h, &sec);
        else if (is_secprop(n->name) || nargs)
            r = hocX_cur_sec(h, &sec);
        else
            sec = -1, r = 0; /* perhaps a mechanism GLOBAL */
        if (!r) r = range_loc(h, sec, n->name, args, nargs, l);
        goto done;
    }
    if (n->has_call) {
        l->kind = L_RVAL;
        l->rval.t = V_NONE;
        r = hocB_call(h, n->name, n->args, args, nargs, &l->rval);
        if (r == 0) r = hocX_error(h, RV_ENOENT, "undefined or unsupported function %s()", n->name);
        r = r < 0 ? -1 : 0;
        goto done;
    }
    if (assign && !nidx) {
        hoc_table *t = h->self ? &h->self->fields : &h->globals;
        v = hocX_table_add(t, n->name, K_NUM, 1);
        if (!v) {
            r = hocX_error(h, RV_ENOMEM, "out of memory");
            goto done;
        }
        l->kind = L_NUM, l->d = v->d;
        goto done;
    }
    r = hocX_error(h, RV_ENOENT, "undefined variable %s", n->name);
done:
    hocX_release(h, &base);
    free_vals(h, idx, nidx);
    free_vals(h, args, nargs);
    return r;
}

/* ---- expressions ------------------------------------------------------------ */
static int num_of(hoc *h, hoc_node *n, double *d);

static int arg_val(hoc *h, hoc_node *n, hoc_val **pv) {
    *pv = NULL;
    int k = (int)n->num;
    if (n->b) {
        double d = 0;
        if (num_of(h, n->b, &d)) return -1;
        k = (int)d;
    }
    if (!h->frame || k < 1 || k > h->frame->nargs)
        return hocX_error(h, RV_EINVAL, "arg $%s%d does not exist (numarg() = %d)",
                          n->argkind == 'n'   ? ""
                          : n->argkind == 's' ? "s"
                          : n->argkind == 'o' ? "o"
                                              : "&",
                          k, h->frame ? h->frame->nargs : 0);
    *pv = &h->frame->args[k - 1];
    return 0;
}

static int arg_loc(hoc *h, hoc_node *n, hoc_loc *l) {
    hoc_val *v = NULL;
    memset(l, 0, sizeof *l);
    if (arg_val(h, n, &v)) return -1;
    int k = (int)(v - h->frame->args) + 1;
    switch (n->argkind) {
    case 'n':
        if (v->t == V_NUM) return l->kind = L_NUM, l->d = &v->u.d, 0;
        if (v->t == V_REF) return l->kind = L_NUM, l->d = v->u.p, 0;
        return hocX_error(h, RV_EINVAL, "arg $%d is not a number", k);
    case '&':
        if (v->t == V_REF) return l->kind = L_NUM, l->d = v->u.p, 0;
        return hocX_error(h, RV_EINVAL, "arg $&%d is not a pointer (pass &var)", k);
    case 's':
        if (v->t == V_SREF) return l->kind = L_STR, l->s = v->u.sp, 0;
        if (v->t == V_STR) return l->kind = L_STR, l->s = &v->u.s, 0;
        return hocX_error(h, RV_EINVAL, "arg $s%d is not a string", k);
    case 'o':
        if (v->t == V_OREF) return l->kind = L_OBJ, l->o = v->u.op, 0;
        if (v->t == V_OBJ) return l->kind = L_OBJ, l->o = &v->u.o, 0;
        return hocX_error(h, RV_EINVAL, "arg $o%d is not an object", k);
    }
    return hocX_error(h, RV_EINTERNAL, "bad argument kind");
}

static int node_loc(hoc *h, hoc_node *n, hoc_loc *l, int assign) {
    if (n->kind == N_ARG) return arg_loc(h, n, l);
    return ref_loc(h, n, l, assign);
}

static int eval_arg(hoc *h, hoc_node *n, hoc_val *out) {
    if (n->kind == N_ADDR) {
        hoc_loc l;
        if (node_loc(h, n->a, &l, 0)) return -1;
        if (l.kind == L_RANGE && l.sec >= 0) {
            out->t = V_RPTR, out->u.rp.sec = l.sec, out->u.rp.pp = -1;
            out->u.rp.x = l.has_x ? l.x : 0.5;
            out->u.rp.name = hocX_intern(h, l.name);
            return out->u.rp.name ? 0 : hocX_error(h, RV_ENOMEM, "out of memory");
        }
        if (l.kind == L_PP) {
            out->t = V_RPTR, out->u.rp.sec = -1, out->u.rp.pp = l.pp, out->u.rp.x = 0;
            out->u.rp.name = hocX_intern(h, l.name);
            return out->u.rp.name ? 0 : hocX_error(h, RV_ENOMEM, "out of memory");
        }
        if (l.kind != L_NUM) {
            loc_done(h, &l);
            return hocX_error(h, RV_EUNSUPPORTED,
                              "unsupported: '&' of something other than a number variable");
        }
        out->t = V_REF, out->u.p = l.d;
        return 0;
    }
    if ((n->kind == N_REF && !n->has_call) || n->kind == N_ARG) {
        hoc_loc l;
        if (node_loc(h, n, &l, 0)) return -1;
        if (l.kind == L_STR) return out->t = V_SREF, out->u.sp = l.s, 0;
        if (l.kind == L_OBJ) return out->t = V_OREF, out->u.op = l.o, 0;
        int r = loc_get(h, &l, out);
        loc_done(h, &l);
        return r;
    }
    return eval(h, n, out);
}

static int num_of(hoc *h, hoc_node *n, double *d) {
    hoc_val v;
    if (eval(h, n, &v)) return -1;
    int r = want_num(h, &v, d, "expression");
    hocX_release(h, &v);
    return r;
}

static int eval(hoc *h, hoc_node *n, hoc_val *out) {
    out->t = V_NONE;
    switch (n->kind) {
    case N_NUM:
        out->t = V_NUM, out->u.d = n->num;
        return 0;
    case N_STR:
        out->t = V_STR;
        out->u.s = hocX_str(n->name, strlen(n->name));
        return out->u.s ? 0 : hocX_error(h, RV_ENOMEM, "out of memory");
    case N_NUMARG:
        out->t = V_NUM, out->u.d = h->frame ? h->frame->nargs : 0;
        return 0;
    case N_REF:
    case N_ARG: {
        hoc_loc l;
        if (node_loc(h, n, &l, 0)) return -1;
        int r = loc_get(h, &l, out);
        loc_done(h, &l);
        if (!r && out->t == V_NONE && n->kind == N_REF && n->has_call) return 0;
        return r;
    }
    case N_ADDR:
        return eval_arg(h, n, out);
    case N_AND:
    case N_OR: {
        double a = 0, b = 0;
        if (num_of(h, n->a, &a)) return -1;
        out->t = V_NUM;
        if (n->kind == N_AND && a == 0) return out->u.d = 0, 0;
        if (n->kind == N_OR && a != 0) return out->u.d = 1, 0;
        if (num_of(h, n->b, &b)) return -1;
        out->u.d = b != 0;
        return 0;
    }
    case N_UNARY: {
        double a;
        if (num_of(h, n->a, &a)) return -1;
        out->t = V_NUM;
        out->u.d = n->op == '-' ? -a : (a == 0);
        return 0;
    }
    case N_BIN: {
        hoc_val va, vb;
        if (eval(h, n->a, &va)) return -1;
        if (eval(h, n->b, &vb)) {
            hocX_release(h, &va);
            return -1;
        }
        int r = 0;
        out->t = V_NUM;
        if ((va.t == V_OBJ || vb.t == V_OBJ) && (n->op == 'e' || n->op == 'n')) {
            int eq = va.t == vb.t && va.u.o == vb.u.o;
            out->u.d = n->op == 'e' ? eq : !eq;
        } else if (va.t == V_STR || vb.t == V_STR || va.t == V_OBJ || vb.t == V_OBJ ||
                   va.t == V_SEC || vb.t == V_SEC || va.t == V_NONE || vb.t == V_NONE) {
            r = hocX_error(h, RV_EINVAL, "operator needs numbers");
        } else {
            double a = va.u.d, b = vb.u.d;
            switch (n->op) {
            case '+':
                out->u.d = a + b;
                break;
            case '-':
                out->u.d = a - b;
                break;
            case '*':
                out->u.d = a * b;
                break;
            case '/':
                if (b == 0) {
                    r = hocX_error(h, RV_ERANGE, "division by zero");
                    break;
                }
                out->u.d = a / b;
                break;
            case '%':
                if (b == 0) {
                    r = hocX_error(h, RV_ERANGE, "modulus by zero");
                    break;
                }
                out->u.d = a - b * floor(a / b);
                break;
            case '^':
                out->u.d = pow(a, b);
                if (a < 0 && b != floor(b))
                    r = hocX_error(h, RV_ERANGE, "%g^%g: negative base, fractional exponent", a, b);
                break;
            case 'e':
                out->u.d = fabs(a - b) <= HOC_EPS;
                break;
            case 'n':
                out->u.d = fabs(a - b) > HOC_EPS;
                break;
            case '<':
                out->u.d = a < b - HOC_EPS;
                break;
            case 'l':
                out->u.d = a <= b + HOC_EPS;
                break;
            case '>':
                out->u.d = a > b + HOC_EPS;
                break;
            case 'g':
                out->u.d = a >= b - HOC_EPS;
                break;
            default:
                r = hocX_error(h, RV_EINTERNAL, "bad operator");
            }
        }
        hocX_release(h, &va);
        hocX_release(h, &vb);
        return r;
    }
    case N_ASSIGN: {
        hoc_val v;
        if (eval(h, n->b, &v)) return -1;
        hoc_loc l;
        if (node_loc(h, n->a, &l, 1)) {
            hocX_release(h, &v);
            return -1;
        }
        int r = 0;
        if (n->op != '=') {
            hoc_val old;
            double a = 0, b = 0;
            r = loc_get(h, &l, &old);
            if (!r && !(r = want_num(h, &old, &a, n->a->name ? n->a->name : "$"))) {
                if (!(r = want_num(h, &v, &b, "right side"))) {
                    hocX_release(h, &v);
                    v.t = V_NUM;
                    v.u.d = n->op == '+'   ? a + b
                            : n->op == '-' ? a - b
                            : n->op == '*' ? a * b
                                           : a / b;
                }
            }
            hocX_release(h, &old);
        }
        if (!r) {
            if (l.kind == L_SEC || l.kind == L_RVAL)
                r = hocX_error(h, RV_EINVAL, "%s cannot be assigned",
                               n->a->name ? n->a->name : "expression");
            else
                r = loc_set(h, &l, &v, n->a->name ? n->a->name : "$");
        }
        loc_done(h, &l);
        if (!r && v.t == V_NUM) {
            out->t = V_NUM, out->u.d = v.u.d;
            /* engine-backed globals */
            if (n->a->kind == N_REF && !n->a->a && l.kind == L_NUM && n->a->slot < 0) {
                hoc_var *g = hocX_table_get(&h->builtins, n->a->name);
                rv_error e;
                if (g && l.d == g->d) {
                    if (!strcmp(g->name, "celsius"))
                        r = hocX_engine(h, rv_model_set_celsius(h->m, v.u.d, &e), &e);
                    else if (!strcmp(g->name, "dt"))
                        r = hocX_engine(h, rv_model_set_dt(h->m, v.u.d, &e), &e);
                    else if (!strcmp(g->name, "secondorder"))
                        r = hocX_engine(h, rv_model_set_secondorder(h->m, (int)v.u.d, &e), &e);
                }
            }
        }
        hocX_release(h, &v);
        return r;
    }
    case N_NEW: {
        hoc_val args[MAXARGS];
        if (n->nargs > MAXARGS) return hocX_error(h, RV_ERANGE, "too many arguments");
        if (eval_list(h, n->args, n->nargs, args, 1)) return -1;
        hoc_class *c = hocB_class(h, n->name);
        int r = 0;
        if (!c) {
            r = hocX_error(h, RV_ENOENT, "unsupported or unknown template %s", n->name);
        } else {
            hoc_obj *o = hocX_obj_new(h, c);
            if (!o) {
                r = hocX_error(h, RV_ENOMEM, "out of memory");
            } else if (c->is_template) {
                hoc_obj *saved = h->self;
                hoc_frame *sf = h->frame;
                h->self = o;
                h->frame = NULL;
                int in_decls = h->in_decls;
                h->in_decls = 1;
                for (int i = 0; i < c->ndecls && !r; ++i) r = exec(h, c->decls[i]) == EX_ERR;
                h->in_decls = in_decls;
                h->self = saved;
                h->frame = sf;
                hoc_var *init = hocX_table_get(&c->funcs, "init");
                if (!r && init) {
                    hoc_val ret = {0};
                    r = call_func(h, init->fn, o, args, n->nargs, &ret);
                    hocX_release(h, &ret);
                }
            } else if (c->ctor) {
                r = c->ctor(h, o, args, n->nargs);
            }
            if (r) {
                if (o) hocX_obj_decref(h, o);
                r = -1;
            } else {
                out->t = V_OBJ, out->u.o = o;
            }
        }
        free_vals(h, args, n->nargs);
        if (r || !n->a) return r;
        return 0;
    }
    default:
        return hocX_error(h, RV_EINTERNAL, "not an expression");
    }
}

/* ---- statements ---------------------------------------------------------------- */
static int sec_of(hoc *h, hoc_node *n, int *sec, double *x, int *has_x) {
    hoc_loc l;
    if (n->kind != N_REF && n->kind != N_ARG)
        return hocX_error(h, RV_EINVAL, "a section name is needed here");
    if (node_loc(h, n, &l, 0)) return -1;
    if (l.kind != L_SEC) {
        loc_done(h, &l);
        return hocX_error(h, RV_EINVAL, "%s is not a section", n->name ? n->name : "expression");
    }
    *sec = l.sec;
    if (x) *x = l.x, *has_x = l.has_x;
    return 0;
}

static int sec_pristine(hoc *h, int sid) {
    hoc_sec *s = &h->secs[sid];
    return !(s->parent >= 0 || s->nmechs || s->npt || s->npp || s->deleted || s->nchild > 0);
}

/* a reused section gets NEURON's defaults back */
static int sec_reset(hoc *h, int sid) {
    rv_error e;
    hoc_sec *s = &h->secs[sid];
    if (hocX_engine(h, rv_section_set_nseg(h->m, sid, 1, &e), &e) ||
        hocX_engine(h, rv_section_set_L(h->m, sid, 100, &e), &e) ||
        hocX_engine(h, rv_section_set_Ra(h->m, sid, 35.4, &e), &e) ||
        hocX_engine(h, rv_section_set_diam(h->m, sid, 500, &e), &e) ||
        hocX_engine(h, rv_section_set_cm(h->m, sid, 1, &e), &e))
        return -1;
    s->nseg = 1, s->L = 100, s->Ra = 35.4;
    s->order = ++h->sec_order; /* NEURON appends re-created sections */
    for (int k = 0; k < s->nsh; ++k) {
        rv_strfree(s->sh[k].name);
        rv_free(s->sh[k].v);
    }
    s->nsh = 0;
    return 0;
}

static int decl(hoc *h, hoc_node *n) {
    hoc_table *t = h->self ? &h->self->fields : &h->globals;
    for (int i = 0; i < n->nlist; ++i) {
        hoc_node *it = n->list[i];
        int dims[4], nd = it->nlist, total = 1;
        if (nd > 4) return hocX_error(h, RV_ERANGE, "%s: too many dimensions", it->name);
        for (int k = 0; k < nd; ++k) {
            double d = 0;
            if (num_of(h, it->list[k], &d)) return -1;
            if (d < 0 || d > 1e7) return hocX_error(h, RV_ERANGE, "%s: bad size %g", it->name, d);
            dims[k] = (int)d;
            total *= dims[k];
        }
        int kind = n->op == 'o' ? K_OBJ : n->op == 's' ? K_STR : n->op == 'd' ? K_NUM : K_SEC;
        if (h->self) {
            /* NEURON keeps array sizes in the template's symbol: a later
             * `create axon[2]` (or `double x[5]`, `objref o[3]`) in one
             * instance sizes the next instances' */
            hoc_table *sd = &h->self->cls->secdims;
            hoc_var *last = hocX_table_get(sd, it->name);
            if (last && h->in_decls) {
                nd = (int)last->d[0], total = 1;
                for (int k = 0; k < nd; ++k) total *= dims[k] = (int)last->d[1 + k];
            } else {
                if (!last && !(last = hocX_table_add(sd, it->name, K_NUM, 5)))
                    return hocX_error(h, RV_ENOMEM, "out of memory");
                last->d[0] = nd;
                for (int k = 0; k < nd; ++k) last->d[1 + k] = dims[k];
            }
        }
        hoc_var *v = hocX_table_get(t, it->name);
        if (v && v->kind != kind)
            return hocX_error(h, RV_EINVAL, "%s already declared as something else", it->name);
        if (v && kind == K_STR) continue;
        /* re-creating sections: the engine cannot delete sections, so the old
         * ones are reused when untouched (no mechanism, point process, 3-D
         * point or connection), as after a template's `create axon[1]`
         * followed by replace_axon's `create axon[2]` */
        int old_n = 0, *old = NULL;
        if (v && kind == K_SEC) {
            /* sections that are not reused are deleted, as NEURON deletes
             * the old array */
            for (int k = 0; k < v->n; ++k) {
                int sid = v->sec[k];
                if (sid < 0 || h->secs[sid].deleted) {
                    v->sec[k] = -1;
                    continue;
                }
                if (k >= total || !sec_pristine(h, sid)) {
                    if (hocX_sec_delete(h, sid)) return -1;
                    v->sec[k] = -1;
                }
            }
            old_n = v->n;
            old = v->sec;
            v->sec = NULL;
        }
        if (v) {
            var_free_data(h, v);
            if (var_alloc(v, kind, total)) return hocX_error(h, RV_ENOMEM, "out of memory");
        } else if (!(v = hocX_table_add(t, it->name, kind, total))) {
            return hocX_error(h, RV_ENOMEM, "out of memory");
        }
        v->ndim = nd;
        memcpy(v->dims, dims, sizeof dims);
        if (kind == K_SEC) {
            for (int k = 0; k < total; ++k) {
                char name[512];
                char pre[300] = "";
                if (h->self)
                    snprintf(pre, sizeof pre, "%s[%d].", h->self->cls->name, h->self->index);
                if (nd)
                    snprintf(name, sizeof name, "%s%s[%d]", pre, it->name, k);
                else
                    snprintf(name, sizeof name, "%s%s", pre, it->name);
                if (k < old_n && old[k] >= 0) {
                    v->sec[k] = old[k];
                    if (sec_reset(h, old[k])) {
                        rv_free(old);
                        return -1;
                    }
                    continue;
                }
                if (sec_new(h, name, h->self, &v->sec[k])) {
                    rv_free(old);
                    return -1;
                }
            }
        }
        rv_free(old);
    }
    return 0;
}

static int print_val(hoc *h, hoc_val *v, int echo) {
    char buf[512];
    int n = 0;
    switch (v->t) {
    case V_NUM:
        n = snprintf(buf, sizeof buf, echo ? "\t%.8g " : "%.8g ", v->u.d);
        break;
    case V_REF:
        n = snprintf(buf, sizeof buf, echo ? "\t%.8g " : "%.8g ", *v->u.p);
        break;
    case V_STR:
        hocX_write(h, v->u.s->s, v->u.s->len);
        break;
    case V_OBJ: {
        char nm[300];
        hocB_obj_name(v->u.o, nm, sizeof nm);
        n = snprintf(buf, sizeof buf, echo ? "\t%s " : "%s ", nm);
        break;
    }
    case V_SEC:
        n = snprintf(buf, sizeof buf, "%s ", h->secs[v->u.sec].name);
        break;
    default:
        break;
    }
    hocX_write(h, buf, (size_t)n);
    return 0;
}

static int exec_sec_body(hoc *h, int sec, hoc_node *body) {
    if (hocX_push_sec(h, sec)) return EX_ERR;
    int r = exec(h, body);
    hocX_pop_sec(h);
    return r;
}

typedef struct {
    long order;
    int id;
} sec_ord;

static int by_order(const void *a, const void *b) {
    long x = ((const sec_ord *)a)->order, y = ((const sec_ord *)b)->order;
    return x < y ? -1 : x > y;
}

/* the sections forall/forsec iterate, in creation order: inside an object
 * only its own sections (as NEURON) */
static int live_secs(hoc *h, int **out, int *n) {
    size_t cnt = 0;
    hoc_table *t = h->self ? &h->self->fields : NULL;
    if (t) {
        for (size_t i = 0; i < t->cap; ++i)
            if (t->slot[i] && t->slot[i]->kind == K_SEC) cnt += (size_t)t->slot[i]->n;
    } else {
        cnt = (size_t)h->nsecs;
    }
    sec_ord *so = rv_malloc((cnt + 1) * sizeof *so);
    *out = rv_malloc((cnt + 1) * sizeof **out);
    if (!so || !*out) {
        rv_free(so);
        rv_free(*out);
        *out = NULL;
        return hocX_error(h, RV_ENOMEM, "out of memory");
    }
    size_t k = 0;
    if (t) {
        for (size_t i = 0; i < t->cap; ++i) {
            hoc_var *v = t->slot[i];
            if (!v || v->kind != K_SEC) continue;
            for (int j = 0; j < v->n; ++j)
                if (v->sec[j] >= 0 && !h->secs[v->sec[j]].deleted)
                    so[k].order = h->secs[v->sec[j]].order, so[k++].id = v->sec[j];
        }
    } else {
        for (int i = 0; i < h->nsecs; ++i)
            if (h->secs[i].exists && !h->secs[i].deleted)
                so[k].order = h->secs[i].order, so[k++].id = i;
    }
    qsort(so, k, sizeof *so, by_order);
    for (size_t i = 0; i < k; ++i) (*out)[i] = so[i].id;
    *n = (int)k;
    rv_free(so);
    return 0;
}

static int loop_secs(hoc *h, int *secs, int n, hoc_node *body) {
    for (int i = 0; i < n; ++i) {
        if (h->secs[secs[i]].deleted) continue;
        int r = exec_sec_body(h, secs[i], body);
        if (r == EX_BREAK) break;
        if (r == EX_CONTINUE) continue;
        if (r != EX_OK) return r;
    }
    return EX_OK;
}

static int define_template(hoc *h, hoc_node *n) {
    if (hocX_table_get(&h->builtins, n->name))
        return hocX_error(h, RV_EINVAL, "template %s already defined", n->name);
    hoc_class *c = rv_calloc(1, sizeof *c);
    hoc_var *v = c ? hocX_table_add(&h->builtins, n->name, K_CLASS, 1) : NULL;
    if (!v) {
        rv_free(c);
        return hocX_error(h, RV_ENOMEM, "out of memory");
    }
    v->cls = c;
    c->name = v->name;
    c->is_template = 1;
    for (int i = 0; i < n->nlist; ++i) {
        hoc_node *s = n->list[i];
        h->cur_line = s->line;
        if (s->kind == N_FUNCDEF) {
            hoc_var *f = hocX_table_get(&c->funcs, s->name);
            if (!f && !(f = hocX_table_add(&c->funcs, s->name, K_FUNC, 1)))
                return hocX_error(h, RV_ENOMEM, "out of memory");
            f->fn = s->fn;
        } else if (s->kind == N_PUBLIC || s->kind == N_EXTERNAL) {
            char ***lst = s->kind == N_PUBLIC ? &c->pub : &c->ext;
            int *cnt = s->kind == N_PUBLIC ? &c->npub : &c->next;
            char **nl = rv_realloc(*lst, (size_t)(*cnt + s->nlist) * sizeof **lst);
            if (!nl) return hocX_error(h, RV_ENOMEM, "out of memory");
            *lst = nl;
            for (int k = 0; k < s->nlist; ++k) nl[(*cnt)++] = s->list[k]->name;
        } else if (s->kind != N_TEMPLATE) { /* declarations, other statements: per instance */
            size_t cap = (size_t)c->capdecls;
            if (rv_grow((void **)&c->decls, &cap, (size_t)c->ndecls + 1, sizeof *c->decls))
                return hocX_error(h, RV_ENOMEM, "out of memory");
            c->capdecls = (int)cap;
            c->decls[c->ndecls++] = s;
        } else {
            return hocX_error(h, RV_EINVAL, "template inside template %s", n->name);
        }
    }
    return 0;
}

static int exec(hoc *h, hoc_node *n) {
    if (h->failed) return EX_ERR;
    h->cur_file = n->file;
    h->cur_line = n->line;
    if (h->step_limit && ++h->steps > h->step_limit)
        return hocX_error(h, RV_ERANGE, "step limit (%ld statements) exceeded", h->step_limit);
    switch (n->kind) {
    case N_EXPR: {
        hoc_val v;
        if (eval(h, n->a, &v)) return EX_ERR;
        int quiet = n->a->kind == N_ASSIGN;
        int top = n == h->top;
        if (h->echo && top && h->depth == 0 && !h->self && !quiet && v.t != V_NONE) {
            print_val(h, &v, 1);
            hocX_write(h, "\n", 1);
        }
        hocX_release(h, &v);
        return EX_OK;
    }
    case N_BLOCK:
        for (int i = 0; i < n->nlist; ++i) {
            int r = exec(h, n->list[i]);
            if (r) return r;
            if (h->stopped) return EX_STOP;
        }
        return EX_OK;
    case N_IF: {
        double c;
        if (num_of(h, n->a, &c)) return EX_ERR;
        if (c != 0) return exec(h, n->b);
        if (n->c) return exec(h, n->c);
        return EX_OK;
    }
    case N_WHILE:
        for (;;) {
            double c;
            if (num_of(h, n->a, &c)) return EX_ERR;
            if (c == 0) break;
            int r = exec(h, n->d);
            if (r == EX_BREAK) break;
            if (r == EX_CONTINUE) continue;
            if (r) return r;
        }
        return EX_OK;
    case N_FORC: {
        hoc_val v;
        if (n->a) {
            if (eval(h, n->a, &v)) return EX_ERR;
            hocX_release(h, &v);
        }
        for (;;) {
            if (n->b) {
                double c;
                if (num_of(h, n->b, &c)) return EX_ERR;
                if (c == 0) break;
            }
            int r = exec(h, n->d);
            if (r == EX_BREAK) break;
            if (r != EX_OK && r != EX_CONTINUE) return r;
            if (n->c) {
                if (eval(h, n->c, &v)) return EX_ERR;
                hocX_release(h, &v);
            }
        }
        return EX_OK;
    }
    case N_FORI: {
        double a = 0, b = 0;
        if (num_of(h, n->b, &a) || num_of(h, n->c, &b)) return EX_ERR;
        for (double i = a; i <= b; i += 1) {
            hoc_loc l;
            hoc_val v = {.t = V_NUM, .u.d = i};
            if (node_loc(h, n->a, &l, 1)) return EX_ERR;
            int r = loc_set(h, &l, &v, n->a->name);
            loc_done(h, &l);
            if (r) return EX_ERR;
            r = exec(h, n->d);
            if (r == EX_BREAK) break;
            if (r != EX_OK && r != EX_CONTINUE) return r;
            /* the loop variable may have been changed by the body */
            if (node_loc(h, n->a, &l, 0)) return EX_ERR;
            r = loc_get(h, &l, &v);
            loc_done(h, &l);
            if (r || want_num(h, &v, &i, n->a->name)) return EX_ERR;
        }
        return EX_OK;
    }
    case N_FORSEG: {
        int sec = 0;
        if (hocX_cur_sec(h, &sec)) return EX_ERR;
        int nseg = h->secs[sec].nseg;
        int first = n->op ? -1 : 0, last = n->op ? nseg : nseg - 1;
        double dx = 1. / nseg, xc = dx / 2; /* accumulated, as hoc does */
        for (int i = first; i <= last; ++i) {
            double x = i < 0 ? 0. : i == nseg ? 1. : xc;
            if (i >= 0 && i < nseg) xc += dx;
            hoc_loc l;
            hoc_val v = {.t = V_NUM, .u.d = x};
            if (node_loc(h, n->a, &l, 1)) return EX_ERR;
            int r = loc_set(h, &l, &v, n->a->name);
            loc_done(h, &l);
            if (r) return EX_ERR;
            r = exec(h, n->d);
            if (r == EX_BREAK) break;
            if (r != EX_OK && r != EX_CONTINUE) return r;
        }
        return EX_OK;
    }
    case N_FORSEC:
    case N_IFSEC:
    case N_FORALL: {
        int *secs = NULL, ns = 0, r;
        if (n->kind == N_FORALL) {
            if (live_secs(h, &secs, &ns)) return EX_ERR;
        } else {
            hoc_val v;
            if (eval(h, n->a, &v)) return EX_ERR;
            if (v.t == V_STR || v.t == V_SREF) {
                const char *pat = v.t == V_STR ? v.u.s->s : (*v.u.sp ? (*v.u.sp)->s : "");
                if (n->kind == N_IFSEC) {
                    int cur = 0;
                    r = hocX_cur_sec(h, &cur);
                    int match = !r && hocX_section_name_matches(h, h->secs[cur].name, pat);
                    hocX_release(h, &v);
                    if (r) return EX_ERR;
                    return match ? exec(h, n->d) : EX_OK;
                }
                if (live_secs(h, &secs, &ns)) {
                    hocX_release(h, &v);
                    return EX_ERR;
                }
                int k = 0;
                for (int i = 0; i < ns; ++i)
                    if (hocX_section_name_matches(h, h->secs[secs[i]].name, pat))
                        secs[k++] = secs[i];
                ns = k;
            } else if (v.t == V_OBJ && v.u.o) {
                int *items, ni;
                if (hocB_seclist_items(h, v.u.o, &items, &ni)) {
                    hocX_release(h, &v);
                    return EX_ERR;
                }
                if (n->kind == N_IFSEC) {
                    int cur = 0, match = 0;
                    r = hocX_cur_sec(h, &cur);
                    for (int i = 0; !r && i < ni; ++i) match |= items[i] == cur;
                    hocX_release(h, &v);
                    if (r) return EX_ERR;
                    return match ? exec(h, n->d) : EX_OK;
                }
                secs = rv_malloc(((size_t)ni + 1) * sizeof *secs);
                if (!secs) {
                    hocX_release(h, &v);
                    return hocX_error(h, RV_ENOMEM, "out of memory");
                }
                if (ni) memcpy(secs, items, (size_t)ni * sizeof *secs);
                ns = ni;
            } else {
                hocX_release(h, &v);
                return hocX_error(h, RV_EINVAL, "forsec/ifsec needs a string or a SectionList");
            }
            hocX_release(h, &v);
        }
        r = loop_secs(h, secs, ns, n->d);
        rv_free(secs);
        return r;
    }
    case N_BREAK:
        return EX_BREAK;
    case N_CONTINUE:
        return EX_CONTINUE;
    case N_STOP:
        h->stopped = 1;
        return EX_STOP;
    case N_RETURN: {
        if (!h->frame) return hocX_error(h, RV_EINVAL, "return outside a function");
        hoc_val v = {0};
        if (n->a && eval(h, n->a, &v)) return EX_ERR;
        hocX_release(h, &h->frame->locals[h->frame->nlocals]); /* return slot */
        h->frame->locals[h->frame->nlocals] = v;
        return EX_RETURN;
    }
    case N_PRINT:
        for (int i = 0; i < n->nlist; ++i) {
            hoc_val v;
            if (eval(h, n->list[i], &v)) return EX_ERR;
            print_val(h, &v, 0);
            /* hoc prints an object's strdef member with a space after it */
            if (v.t == V_STR && n->list[i]->kind == N_REF && n->list[i]->a) hocX_write(h, " ", 1);
            hocX_release(h, &v);
        }
        hocX_write(h, "\n", 1);
        return EX_OK;
    case N_DECL:
        return decl(h, n) ? EX_ERR : EX_OK;
    case N_LOCAL:
        return EX_OK;
    case N_PUBLIC:
    case N_EXTERNAL:
        return EX_OK;
    case N_FUNCDEF: {
        if (h->self) return hocX_error(h, RV_EINVAL, "function definition inside an object");
        hoc_var *v = hocX_table_get(&h->globals, n->name);
        if (v && v->kind != K_FUNC)
            return hocX_error(h, RV_EINVAL, "%s already declared as a variable", n->name);
        if (!v && !(v = hocX_table_add(&h->globals, n->name, K_FUNC, 1)))
            return hocX_error(h, RV_ENOMEM, "out of memory");
        v->fn = n->fn;
        return EX_OK;
    }
    case N_TEMPLATE:
        return define_template(h, n) ? EX_ERR : EX_OK;
    case N_SECSTMT: {
        int sec = 0;
        if (sec_of(h, n->a, &sec, NULL, NULL)) return EX_ERR;
        return exec_sec_body(h, sec, n->b);
    }
    case N_ACCESS: {
        int sec = 0;
        if (sec_of(h, n->a, &sec, NULL, NULL)) return EX_ERR;
        h->access = sec;
        return EX_OK;
    }
    case N_CONNECT: {
        int child = 0, parent = 0, hx = 0;
        double cx = 0, px = 0;
        if (sec_of(h, n->a, &child, &cx, &hx)) return EX_ERR;
        if (!hx) return hocX_error(h, RV_EINVAL, "connect: the child needs an end: sec(0)");
        int pxs = 0;
        if (n->b->kind == N_REF && n->b->has_call) {
            hoc_loc l;
            if (node_loc(h, n->b, &l, 0)) return EX_ERR;
            if (l.kind == L_SEC) {
                parent = l.sec, px = l.x, pxs = 1;
            }
            loc_done(h, &l);
        }
        if (!pxs) {
            if (num_of(h, n->b, &px) || hocX_cur_sec(h, &parent)) return EX_ERR;
        }
        if (cx != 0 && cx != 1)
            return hocX_error(h, RV_EUNSUPPORTED, "connect: child end must be 0 or 1 (got %g)", cx);
        if (px < 0 || px > 1)
            return hocX_error(h, RV_ERANGE, "connect: parent x %g not in [0, 1]", px);
        for (int s = parent; s >= 0; s = h->secs[s].parent)
            if (s == child) return hocX_error(h, RV_EINVAL, "connect: would make a loop");
        rv_error e;
        if (hocX_engine(h, rv_section_connect(h->m, child, (int)cx, parent, px, &e), &e))
            return EX_ERR;
        hocX_set_parent(h, child, parent, px, (int)cx);
        return EX_OK;
    }
    case N_INSERT: {
        int sec = 0;
        rv_error e;
        if (hocX_cur_sec(h, &sec)) return EX_ERR;
        hoc_sec *sc = &h->secs[sec];
        for (int i = 0; i < sc->nmechs; ++i)
            if (!strcmp(sc->mechs[i], n->name)) return EX_OK; /* already there */
        if (hocX_engine(h, rv_section_insert(h->m, sec, n->name, &e), &e)) return EX_ERR;
        if (hocX_note_mech(h, n->name)) return EX_ERR;
        char **nm = rv_realloc(sc->mechs, ((size_t)sc->nmechs + 1) * sizeof *nm);
        if (!nm || !(nm[sc->nmechs] = rv_strdup(n->name))) {
            if (nm) sc->mechs = nm;
            return hocX_error(h, RV_ENOMEM, "out of memory");
        }
        sc->mechs = nm;
        sc->nmechs++;
        return EX_OK;
    }
    case N_UNINSERT:
        return hocX_error(h, RV_EUNSUPPORTED, "unsupported: uninsert %s", n->name);
    default:
        return hocX_error(h, RV_EINTERNAL, "not a statement");
    }
}

static int call_func(hoc *h, hoc_func *f, hoc_obj *self, hoc_val *args, int nargs, hoc_val *ret) {
    if (h->depth > 400) return hocX_error(h, RV_ERANGE, "%s: recursion too deep", f->name);
    hoc_val locals[64];
    hoc_val *lv = locals;
    int nl = f->nlocals;
    if (nl + 1 > 64) {
        lv = rv_calloc((size_t)nl + 1, sizeof *lv);
        if (!lv) return hocX_error(h, RV_ENOMEM, "out of memory");
    }
    for (int i = 0; i < nl; ++i) {
        lv[i].t = f->localobj[i] ? V_OBJ : V_NUM;
        lv[i].u.d = 0;
        if (f->localobj[i]) lv[i].u.o = NULL;
    }
    lv[nl].t = V_NONE;
    hoc_frame fr = {args, nargs, lv, nl};
    hoc_frame *saved_frame = h->frame;
    hoc_obj *saved_self = h->self;
    const char *sfile = h->cur_file;
    int sline = h->cur_line, sstack = h->nstack;
    h->frame = &fr;
    h->self = self;
    h->depth++;
    int r = exec(h, f->body);
    h->depth--;
    h->frame = saved_frame;
    h->self = saved_self;
    h->nstack = sstack;
    if (r != EX_ERR) h->cur_file = sfile, h->cur_line = sline;
    hoc_val rv = lv[nl];
    for (int i = 0; i < nl; ++i) hocX_release(h, &lv[i]);
    if (lv != locals) rv_free(lv);
    if (r == EX_ERR) {
        hocX_release(h, &rv);
        return -1;
    }
    if (r == EX_STOP) h->stopped = 1;
    if (f->kind == 'p') {
        hocX_release(h, &rv);
        ret->t = V_NONE;
        return 0;
    }
    if (f->kind == 'f') {
        double d = 0;
        if (rv.t == V_NUM)
            d = rv.u.d;
        else if (rv.t != V_NONE) {
            hocX_release(h, &rv);
            return hocX_error(h, RV_EINVAL, "func %s must return a number", f->name);
        }
        ret->t = V_NUM, ret->u.d = d;
        return 0;
    }
    if (rv.t == V_NONE) rv.t = V_OBJ, rv.u.o = NULL;
    if (rv.t != V_OBJ) {
        hocX_release(h, &rv);
        return hocX_error(h, RV_EINVAL, "obfunc %s must return an object", f->name);
    }
    *ret = rv;
    return 0;
}

/* ---- sources and files ----------------------------------------------------- */
static const char *intern(hoc *h, const char *s);
const char *hocX_intern(hoc *h, const char *s) {
    return intern(h, s);
}

static const char *intern(hoc *h, const char *s) {
    for (int i = 0; i < h->ninterned; ++i)
        if (strcmp(h->interned[i], s) == 0) return h->interned[i];
    size_t cap = (size_t)h->capinterned;
    if (rv_grow((void **)&h->interned, &cap, (size_t)h->ninterned + 1, sizeof(char *))) return NULL;
    h->capinterned = (int)cap;
    char *d = rv_strdup(s);
    if (!d) return NULL;
    h->interned[h->ninterned++] = d;
    return d;
}

int hocX_run_source(hoc *h, const char *src, const char *file, hoc_obj *self) {
    const char *f = intern(h, file);
    hoc_arena *a = hocP_arena_new();
    size_t cap = (size_t)h->caparenas;
    if (!f || !a || rv_grow((void **)&h->arenas, &cap, (size_t)h->narenas + 1, sizeof *h->arenas)) {
        hocP_arena_free(a);
        return hocX_error(h, RV_ENOMEM, "out of memory");
    }
    h->caparenas = (int)cap;
    h->arenas[h->narenas++] = a;
    hoc_parser *ps = rv_malloc(sizeof *ps);
    if (!ps) return hocX_error(h, RV_ENOMEM, "out of memory");
    hocP_init(ps, a, src, f);
    hoc_obj *saved_self = h->self;
    hoc_frame *saved_frame = h->frame;
    int saved_depth = h->depth;
    int r = 0, keep = 0;
    for (;;) {
        hoc_node *n;
        if (hocP_statement(ps, &n)) {
            h->cur_file = f;
            h->cur_line = ps->errline;
            r = hocX_error(h, RV_EFORMAT, "%s", ps->err);
            break;
        }
        if (!n) break;
        h->self = self;
        h->frame = NULL;
        h->depth = self ? 1 : saved_depth;
        if (n->kind == N_FUNCDEF || n->kind == N_TEMPLATE) keep = 1;
        hoc_node *saved_top = h->top;
        h->top = n;
        int x = exec(h, n);
        h->top = saved_top;
        h->self = saved_self;
        h->frame = saved_frame;
        h->depth = saved_depth;
        if (x == EX_ERR) {
            r = -1;
            break;
        }
        if (h->stopped || x == EX_STOP) break;
    }
    rv_free(ps);
    /* trees of code that defined nothing (execute() strings, snippets) go now */
    if (!keep && h->narenas && h->arenas[h->narenas - 1] == a) {
        hocP_arena_free(a);
        h->narenas--;
    }
    return r;
}

static char *read_file(const char *path, size_t *n) {
    FILE *fp = fopen(path, "rb");
    if (!fp) return NULL;
    size_t cap = 65536, len = 0;
    char *buf = rv_malloc(cap);
    while (buf) {
        size_t k = fread(buf + len, 1, cap - len - 1, fp);
        len += k;
        if (len + 1 < cap) break;
        cap *= 2;
        char *nb = rv_realloc(buf, cap);
        if (!nb) {
            rv_free(buf);
            buf = NULL;
        }
        buf = nb;
    }
    fclose(fp);
    if (buf) buf[len] = 0;
    if (n) *n = len;
    return buf;
}

static const char *builtin_libs[] = {"stdrun.hoc", "stdlib.hoc",   "nrngui.hoc",      "noload.hoc",
                                     "stdgui.hoc", "import3d.hoc", "RNGSettings.hoc", NULL};

int hocX_load_file(hoc *h, const char *path) {
    char full[1024];
    full[0] = 0;
    if (path[0] != '/' && h->cur_file) {
        const char *slash = strrchr(h->cur_file, '/');
        if (slash) {
            snprintf(full, sizeof full, "%.*s/%s", (int)(slash - h->cur_file), h->cur_file, path);
            FILE *fp = fopen(full, "rb");
            if (fp)
                fclose(fp);
            else
                full[0] = 0;
        }
    }
    if (!full[0]) snprintf(full, sizeof full, "%s", path);
    {
        /* a driver's built-in RNGSettings template (neurodamus's seeds)
         * takes precedence over a RNGSettings.hoc file */
        const char *b = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
        hoc_var *t = hocX_table_get(&h->builtins, "RNGSettings");
        if (!strcmp(b, "RNGSettings.hoc") && t && t->kind == K_CLASS) return 0;
    }
    for (hoc_file *f = h->files; f; f = f->next)
        if (strcmp(f->path, full) == 0) return 0;
    FILE *fp = fopen(full, "rb");
    if (!fp) {
        const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
        for (int i = 0; builtin_libs[i]; ++i)
            if (strcmp(base, builtin_libs[i]) == 0) return 0;
        return hocX_error(h, RV_ENOENT, "load_file: cannot open %s", full);
    }
    fclose(fp);
    hoc_file *rec = rv_calloc(1, sizeof *rec);
    if (!rec || !(rec->path = rv_strdup(full))) {
        rv_free(rec);
        return hocX_error(h, RV_ENOMEM, "out of memory");
    }
    rec->next = h->files;
    h->files = rec;
    char *src = read_file(full, NULL);
    if (!src) return hocX_error(h, RV_EIO, "load_file: cannot read %s", full);
    const char *sf = h->cur_file;
    int sl = h->cur_line;
    int r = hocX_run_source(h, src, full, NULL);
    rv_free(src);
    if (!r) h->cur_file = sf, h->cur_line = sl;
    return r;
}

/* ---- public API ------------------------------------------------------------- */
rv_status rv_hoc_create(rv_model *m, rv_hoc **out, rv_error *err) {
    *out = NULL;
    if (!m) return RV_FAIL(err, RV_EINVAL, "rv_hoc_create: no model");
    hoc *h = rv_calloc(1, sizeof *h);
    if (!h) return RV_FAIL(err, RV_ENOMEM, "out of memory");
    h->m = m;
    h->access = -1;
    h->echo = 1;
    h->err = err;
    h->dist_sec = -1;
    static const char *mechs[] = {"pas", "hh", "na_ion", "k_ion", "ca_ion", NULL};
    int bad = 0;
    for (int i = 0; mechs[i] && !bad; ++i) bad = hocX_note_mech(h, mechs[i]);
    if (bad || hocB_install(h)) {
        rv_status st = err ? err->code : RV_ENOMEM;
        rv_hoc_destroy(h);
        return st ? st : RV_ENOMEM;
    }
    *out = h;
    return RV_OK;
}

void rv_hoc_destroy(rv_hoc *h) {
    if (!h) return;
    hocX_table_free(h, &h->globals);
    for (int i = 0; i < h->nncrec; ++i) {
        hocX_obj_decref(h, h->ncrec[i].vec);
        hocX_obj_decref(h, h->ncrec[i].idvec);
    }
    for (int i = 0; i < h->nvrec; ++i) hocX_obj_decref(h, h->vrec[i].vec);
    h->nncrec = h->nvrec = 0;
    rv_free(h->ncrec);
    rv_free(h->vrec);
    rv_free(h->srcs);
    rv_free(h->ncs);
    h->ncs = NULL, h->nncs = 0;
    /* template instances still alive are in reference cycles (CellRef =
     * this): first drop what they hold while they are pinned, then free them */
    for (int pass = 0; pass < 2; ++pass)
        for (size_t i = 0; i < h->builtins.cap; ++i) {
            hoc_var *v = h->builtins.slot[i];
            if (!v || v->kind != K_CLASS || !v->cls || !v->cls->is_template) continue;
            hoc_class *c = v->cls;
            if (pass == 0) {
                for (int k = 0; k < c->ninst; ++k) c->inst[k]->rc += 1 << 28;
                for (int k = 0; k < c->ninst; ++k) hocX_table_free(h, &c->inst[k]->fields);
            } else {
                for (int k = 0; k < c->ninst; ++k) rv_free(c->inst[k]);
                c->ninst = 0;
            }
        }
    /* classes: free template tables */
    for (size_t i = 0; i < h->builtins.cap; ++i) {
        hoc_var *v = h->builtins.slot[i];
        if (v && v->kind == K_CLASS && v->cls) {
            hocX_table_free(h, &v->cls->funcs);
            hocX_table_free(h, &v->cls->secdims);
            rv_free(v->cls->decls);
            rv_free(v->cls->pub);
            rv_free(v->cls->ext);
            rv_free(v->cls->ppname);
            rv_free(v->cls->inst);
            rv_free(v->cls);
            v->cls = NULL;
        }
    }
    hocX_table_free(h, &h->builtins);
    for (int i = 0; i < h->nsecs; ++i) {
        rv_strfree(h->secs[i].name);
        for (int k = 0; k < h->secs[i].nsh; ++k) {
            rv_strfree(h->secs[i].sh[k].name);
            rv_free(h->secs[i].sh[k].v);
        }
        rv_free(h->secs[i].sh);
        for (int k = 0; k < h->secs[i].nmechs; ++k) rv_strfree(h->secs[i].mechs[k]);
        rv_free(h->secs[i].mechs);
    }
    hocX_table_free(h, &h->defaults);
    hocX_table_free(h, &h->rangecache);
    hocX_table_free(h, &h->mglobals);
    rv_free(h->secs);
    rv_free(h->stack);
    for (int i = 0; i < h->nmechs; ++i) rv_strfree(h->mechs[i]);
    rv_free(h->mechs);
    while (h->files) {
        hoc_file *n = h->files->next;
        rv_strfree(h->files->path);
        rv_free(h->files);
        h->files = n;
    }
    if (h->re_pat) regfree(&h->re);
    rv_strfree(h->re_pat);
    rv_free(h->libs); /* the libraries stay loaded (see hocX_load_mechanisms) */
    for (int i = 0; i < h->ninterned; ++i) rv_strfree(h->interned[i]);
    rv_free(h->interned);
    for (int i = 0; i < h->narenas; ++i) hocP_arena_free(h->arenas[i]);
    rv_free(h->arenas);
    rv_free(h);
}

void rv_hoc_set_output(rv_hoc *h, rv_hoc_write_fn fn, void *ud) {
    h->out = fn;
    h->out_ud = ud;
}

void rv_hoc_set_echo(rv_hoc *h, int on) {
    h->echo = on;
}

static rv_status finish(hoc *h, int r, rv_error *err) {
    h->nstack = 0;
    h->self = NULL;
    h->frame = NULL;
    h->depth = 0;
    if (!r && !h->failed) return RV_OK;
    rv_status st = err ? err->code : RV_EINVAL;
    h->failed = 0;
    return st ? st : RV_EINVAL;
}

rv_status rv_hoc_load_file(rv_hoc *h, const char *path, rv_error *err) {
    if (!h || !path) return RV_FAIL(err, RV_EINVAL, "rv_hoc_load_file: NULL argument");
    h->err = err;
    h->failed = 0;
    h->stopped = 0;
    h->steps = 0;
    h->cur_file = NULL;
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        RV_FAIL(err, RV_ENOENT, "cannot open hoc file");
        rv_error_where(err, path, 0, NULL);
        return RV_ENOENT;
    }
    fclose(fp);
    return finish(h, hocX_load_file(h, path), err);
}

rv_status rv_hoc_exec(rv_hoc *h, const char *code, const char *name, rv_error *err) {
    if (!h || !code) return RV_FAIL(err, RV_EINVAL, "rv_hoc_exec: NULL argument");
    h->err = err;
    h->failed = 0;
    h->steps = 0;
    h->stopped = 0;
    return finish(h, hocX_run_source(h, code, name ? name : "<string>", NULL), err);
}

rv_status rv_hoc_exec_in_section(rv_hoc *h, int sec, const char *code, const char *name,
                                 rv_error *err) {
    if (!h || !code) return RV_FAIL(err, RV_EINVAL, "rv_hoc_exec_in_section: NULL argument");
    if (sec < 0 || sec >= h->nsecs || !h->secs[sec].exists || h->secs[sec].deleted)
        return RV_FAIL(err, RV_EINVAL, "rv_hoc_exec_in_section: no such section %d", sec);
    h->err = err;
    h->failed = 0;
    h->steps = 0;
    h->stopped = 0;
    h->nstack = 0;
    if (hocX_push_sec(h, sec)) return finish(h, -1, err);
    return finish(h, hocX_run_source(h, code, name ? name : "<string>", NULL), err);
}

rv_status rv_hoc_dump_cell(rv_hoc *h, const char *objref, double gid, FILE *out, rv_error *err) {
    if (!h || !objref || !out) return RV_FAIL(err, RV_EINVAL, "rv_hoc_dump_cell: NULL argument");
    hoc_var *v = hocX_table_get(&h->globals, objref);
    if (!v || v->kind != K_OBJ || !v->o[0] || !v->o[0]->cls->is_template)
        return RV_FAIL(err, RV_EINVAL, "%s: not an object reference to a template instance",
                       objref);
    h->err = err;
    h->failed = 0;
    h->cur_file = NULL;
    return finish(h, hocX_dump_cell(h, v->o[0], gid, out), err);
}

rv_status rv_hoc_get_number(rv_hoc *h, const char *name, double *value, rv_error *err) {
    hoc_var *v = hocX_table_get(&h->globals, name);
    if (!v) v = hocX_table_get(&h->builtins, name);
    if (!v || v->kind != K_NUM) return RV_FAIL(err, RV_ENOENT, "%s: no such number variable", name);
    *value = v->d[0];
    return RV_OK;
}

void rv_hoc_set_step_limit(rv_hoc *h, long max_statements) {
    h->step_limit = max_statements;
}

rv_status rv_hoc_declare_mechanism(rv_hoc *h, const char *name, rv_error *err) {
    if (!h || !name) return RV_FAIL(err, RV_EINVAL, "rv_hoc_declare_mechanism: NULL argument");
    h->err = err;
    h->failed = 0;
    return finish(h, hocX_note_mech(h, name), err);
}

rv_status rv_hoc_apply_globals(rv_hoc *h, rv_error *err) {
    if (!h) return RV_FAIL(err, RV_EINVAL, "rv_hoc_apply_globals: NULL argument");
    h->err = err;
    h->failed = 0;
    h->cur_file = NULL, h->cur_line = 0;
    return finish(h, hocX_apply_globals(h) || hocX_netcons_materialize(h) ? -1 : 0, err);
}
