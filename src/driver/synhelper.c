/* SPDX-License-Identifier: MIT
 * driver/synhelper.c -- synapses made by a user's hoc helper template, as
 * neurodamus makes them for a connection with a `modoverride` M (and for
 * Exp2Syn_synapse edge populations, which need modoverride Exp2Syn): the
 * template `MHelper` is loaded from the hoc search path (the circuit's
 * mechanisms_dir, every --mechanisms folder, then HOC_LIBRARY_PATH), and per
 * synapse `new MHelper(final_tgid+1, synParams, x, synapse_id, base_seed,
 * spop, tpop)` runs with the synapse's section accessed; its public
 * `synapse` is the point process.  synParams is an instance of a template
 * of ours whose fields are neurodamus's SynapseParameters record (integer
 * fields truncated as its int32 dtype does) plus the edge attributes listed
 * in the strdef MHelper_NeededAttributes ("a;b;c"); the fields listed in
 * MHelper_UHillScaleVariables are multiplied by the calcium factor.
 * Facts: /work/shared/reference/neurodamus-facts.md §3; the code is ours.
 *
 * Point-process FUNCTION/PROCEDURE calls the helper makes (setRNG ...)
 * would lower the model; they are kept and made by rv__synhelper_flush
 * once the structure is complete.  A built-in RNGSettings template (ours)
 * answers getGlobalSeed(), getSynapseSeed() ... from the run section.
 */
#include "synhelper.h"

#include "ranvier/mech_abi.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_DIRS 64

typedef struct shelper {
    char *mod;    /* M */
    char *tmpl;   /* MHelper */
    char **extra; /* NeededAttributes */
    int n_extra;
    char **scale; /* UHillScaleVariables */
    int n_scale;
    int made_sp[2]; /* the synParams template of each kind exists */
} shelper;

typedef struct scall {
    int pp;
    char *fn;
    int nargs;
    rv_mech_arg a[6];
} scall;

typedef struct scol { /* an extra attribute of the current edge population */
    char *name;
    double *v; /* [n rows] */
} scol;

struct rv__synhelper {
    rv_hoc *h;
    rv_model *m;
    char *dirs[MAX_DIRS];
    int ndirs;
    shelper *hs;
    size_t n_hs, cap_hs;
    scall *calls;
    size_t n_calls, cap_calls;
    struct {
        char *mech;
        int slot;
    } slots[16];
    int n_slots;
    /* the current edge population */
    rv_sonata_pop *pop;
    const char *pop_name;
    int exp2syn;
    const uint64_t *rows;
    size_t n_rows;
    scol *cols;
    size_t n_cols, cap_cols;
    char *code; /* per-synapse hoc text */
    size_t cap_code;
};

/* the fields of neurodamus's records: SynapseParameters, Exp2Syn's */
static const char *const std_fields[] = {"sgid",
                                         "delay",
                                         "isec",
                                         "ipt",
                                         "offset",
                                         "weight",
                                         "U",
                                         "D",
                                         "F",
                                         "DTC",
                                         "synType",
                                         "nrrp",
                                         "maskValue",
                                         "conductance_ratio",
                                         "u_hill_coefficient",
                                         "location",
                                         NULL};
static const char *const e2s_fields[] = {
    "sgid",     "delay", "isec", "ipt",  "offset", "weight", "synType", "conductance_ratio",
    "location", "tau1",  "tau2", "erev", NULL};

static int in_list(const char *const *l, const char *name) {
    for (int i = 0; l[i]; ++i)
        if (strcmp(l[i], name) == 0) return 1;
    return 0;
}

static rv_status on_pp_call(void *ud, int pp, const char *fn, const double *args, int nargs,
                            double *result, rv_error *err) {
    rv__synhelper *s = ud;
    if (rv_grow((void **)&s->calls, &s->cap_calls, s->n_calls + 1, sizeof *s->calls))
        return RV_FAIL(err, RV_ENOMEM, "out of memory");
    scall *c = &s->calls[s->n_calls];
    memset(c, 0, sizeof *c);
    if (!(c->fn = rv_strdup(fn))) return RV_FAIL(err, RV_ENOMEM, "out of memory");
    c->pp = pp;
    c->nargs = nargs > 6 ? 6 : nargs;
    for (int k = 0; k < c->nargs; ++k) c->a[k].num = args[k];
    s->n_calls++;
    *result = 0;
    return RV_OK;
}

/* Our RNGSettings: the run section's seeds (neurodamus's getters). */
static const char rng_settings_fmt[] =
    "begintemplate RNGSettings\n"
    "public interpret, getGlobalSeed, getIonChannelSeed, getSynapseSeed, getStimulusSeed, "
    "getMinisSeed\n"
    "proc interpret() {}\n"
    "func getGlobalSeed() { return %.17g }\n"
    "func getIonChannelSeed() { return %.17g }\n"
    "func getSynapseSeed() { return %.17g }\n"
    "func getStimulusSeed() { return %.17g }\n"
    "func getMinisSeed() { return %.17g }\n"
    "endtemplate RNGSettings\n";

static rv_status add_dir(rv__synhelper *s, const char *d, size_t len, rv_error *err) {
    if (!len || s->ndirs == MAX_DIRS) return RV_OK;
    char *c = rv_malloc(len + 1);
    if (!c) return RV_FAIL(err, RV_ENOMEM, "out of memory");
    memcpy(c, d, len);
    c[len] = 0;
    s->dirs[s->ndirs++] = c;
    return RV_OK;
}

rv_status rv__synhelper_create(rv_hoc *h, rv_model *m, const char *const *dirs, int ndirs,
                               const double seeds[5], rv__synhelper **out, rv_error *err) {
    *out = NULL;
    rv__synhelper *s = rv_calloc(1, sizeof *s);
    if (!s) return RV_FAIL(err, RV_ENOMEM, "out of memory");
    s->h = h, s->m = m;
    rv_status st = RV_OK;
    for (int i = 0; i < ndirs && !st; ++i) st = add_dir(s, dirs[i], strlen(dirs[i]), err);
    const char *hl = getenv("HOC_LIBRARY_PATH");
    while (hl && *hl && !st) { /* NEURON: separated by ':' or spaces */
        size_t n = strcspn(hl, ": ");
        st = add_dir(s, hl, n, err);
        hl += n;
        if (*hl) hl++;
    }
    char code[1024];
    if (!st && !rv_hoc_has_template(h, "RNGSettings")) {
        snprintf(code, sizeof code, rng_settings_fmt, seeds[0], seeds[1], seeds[2], seeds[3],
                 seeds[4]);
        st = rv_hoc_exec(h, code, "ranvier RNGSettings", err);
    }
    if (!st)
        st = rv_hoc_exec(h,
                         "objref rv__sp, rv__mo, rv__mo_syn, rv__mo_keep\n"
                         "rv__mo_keep = new List()\n",
                         "ranvier modoverride", err);
    if (st) {
        rv__synhelper_destroy(s);
        return st;
    }
    rv_hoc_set_pp_call(h, on_pp_call, s);
    *out = s;
    return RV_OK;
}

static void free_cols(rv__synhelper *s) {
    for (size_t i = 0; i < s->n_cols; ++i) rv_free(s->cols[i].name), rv_free(s->cols[i].v);
    s->n_cols = 0;
}

void rv__synhelper_destroy(rv__synhelper *s) {
    if (!s) return;
    if (s->h) rv_hoc_set_pp_call(s->h, NULL, NULL);
    for (int i = 0; i < s->ndirs; ++i) rv_free(s->dirs[i]);
    for (size_t i = 0; i < s->n_hs; ++i) {
        shelper *x = &s->hs[i];
        rv_free(x->mod), rv_free(x->tmpl);
        for (int k = 0; k < x->n_extra; ++k) rv_free(x->extra[k]);
        for (int k = 0; k < x->n_scale; ++k) rv_free(x->scale[k]);
        rv_free(x->extra), rv_free(x->scale);
    }
    rv_free(s->hs);
    for (size_t i = 0; i < s->n_calls; ++i) rv_free(s->calls[i].fn);
    rv_free(s->calls);
    for (int i = 0; i < s->n_slots; ++i) rv_free(s->slots[i].mech);
    free_cols(s);
    rv_free(s->cols);
    rv_free(s->code);
    rv_free(s);
}

static shelper *find_helper(rv__synhelper *s, const char *mod) {
    for (size_t i = 0; i < s->n_hs; ++i)
        if (strcmp(s->hs[i].mod, mod) == 0) return &s->hs[i];
    return NULL;
}

/* "a;b;c" -> names (blanks around each trimmed, empty ones dropped) */
static rv_status split_names(const char *text, char ***out, int *n, rv_error *err) {
    *out = NULL;
    *n = 0;
    size_t cap = 0;
    for (const char *p = text; p && *p;) {
        size_t len = strcspn(p, ";");
        const char *a = p, *b = p + len;
        while (a < b && (*a == ' ' || *a == '\t')) a++;
        while (b > a && (b[-1] == ' ' || b[-1] == '\t')) b--;
        if (b > a) {
            if (rv_grow((void **)out, &cap, (size_t)*n + 1, sizeof **out))
                return RV_FAIL(err, RV_ENOMEM, "out of memory");
            char *c = rv_malloc((size_t)(b - a) + 1);
            if (!c) return RV_FAIL(err, RV_ENOMEM, "out of memory");
            memcpy(c, a, (size_t)(b - a));
            c[b - a] = 0;
            (*out)[(*n)++] = c;
        }
        p += len;
        if (*p) p++;
    }
    return RV_OK;
}

static int valid_name(const char *n) {
    if (!n[0] || !((n[0] >= 'A' && n[0] <= 'Z') || (n[0] >= 'a' && n[0] <= 'z') || n[0] == '_'))
        return 0;
    for (const char *p = n; *p; ++p)
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
              *p == '_'))
            return 0;
    return 1;
}

rv_status rv__synhelper_load(rv__synhelper *s, const char *mod, const char *who, const char *cfg,
                             rv_error *err) {
    if (find_helper(s, mod)) return RV_OK;
    char tmpl[256];
    if (!valid_name(mod) || strlen(mod) > 200) {
        RV_FAIL(err, RV_EINVAL, "%s: modoverride '%s' is not a hoc name", who, mod);
        rv_error_where(err, cfg, 0, "modoverride");
        return RV_EINVAL;
    }
    snprintf(tmpl, sizeof tmpl, "%sHelper", mod);
    rv_status st = RV_OK;
    if (!rv_hoc_has_template(s->h, tmpl)) {
        char file[300], searched[2048];
        size_t used = 0;
        searched[0] = 0;
        snprintf(file, sizeof file, "%s.hoc", tmpl);
        char *found = NULL;
        for (int i = 0; i < s->ndirs && !found; ++i) {
            size_t len = strlen(s->dirs[i]) + strlen(file) + 2;
            char *path = rv_malloc(len);
            if (!path) return RV_FAIL(err, RV_ENOMEM, "out of memory");
            snprintf(path, len, "%s/%s", s->dirs[i], file);
            struct stat sb;
            if (stat(path, &sb) == 0 && S_ISREG(sb.st_mode))
                found = path;
            else
                rv_free(path);
            if (used < sizeof searched)
                used += (size_t)snprintf(searched + used, sizeof searched - used, "%s%s",
                                         i ? ", " : "", s->dirs[i]);
        }
        if (!found) {
            RV_FAIL(err, RV_ENOENT,
                    "%s: modoverride '%s' needs the hoc template %s: %s not found in the "
                    "folders searched (components.mechanisms_dir, --mechanisms, "
                    "HOC_LIBRARY_PATH): %s",
                    who, mod, tmpl, file, s->ndirs ? searched : "(none)");
            rv_error_where(err, cfg, 0, "modoverride");
            return RV_ENOENT;
        }
        st = rv_hoc_load_file(s->h, found, err);
        rv_free(found);
        if (st) return st;
        if (!rv_hoc_has_template(s->h, tmpl)) {
            RV_FAIL(err, RV_EINVAL, "%s: %s does not define the hoc template %s (modoverride '%s')",
                    who, file, tmpl, mod);
            rv_error_where(err, cfg, 0, "modoverride");
            return RV_EINVAL;
        }
    }
    if (!rv_hoc_template_has_public(s->h, tmpl, "synapse")) {
        RV_FAIL(err, RV_EINVAL,
                "%s: the helper template %s (modoverride '%s') has no public `synapse` (the point "
                "process it makes)",
                who, tmpl, mod);
        rv_error_where(err, cfg, 0, "modoverride");
        return RV_EINVAL;
    }
    if (rv_grow((void **)&s->hs, &s->cap_hs, s->n_hs + 1, sizeof *s->hs))
        return RV_FAIL(err, RV_ENOMEM, "out of memory");
    shelper *x = &s->hs[s->n_hs];
    memset(x, 0, sizeof *x);
    if (!(x->mod = rv_strdup(mod)) || !(x->tmpl = rv_strdup(tmpl))) {
        rv_free(x->mod);
        return RV_FAIL(err, RV_ENOMEM, "out of memory");
    }
    s->n_hs++;
    char var[300];
    const char *text = NULL;
    rv_error tmp;
    snprintf(var, sizeof var, "%s_NeededAttributes", tmpl);
    if (rv_hoc_get_string(s->h, var, &text, &tmp) == RV_OK &&
        (st = split_names(text, &x->extra, &x->n_extra, err)))
        return st;
    snprintf(var, sizeof var, "%s_UHillScaleVariables", tmpl);
    if (rv_hoc_get_string(s->h, var, &text, &tmp) == RV_OK &&
        (st = split_names(text, &x->scale, &x->n_scale, err)))
        return st;
    for (int k = 0; k < x->n_extra; ++k)
        if (!valid_name(x->extra[k])) {
            RV_FAIL(err, RV_EINVAL, "%s_NeededAttributes: '%s' is not a valid attribute name", tmpl,
                    x->extra[k]);
            rv_error_where(err, cfg, 0, "modoverride");
            return RV_EINVAL;
        }
    return RV_OK;
}

void rv__synhelper_begin(rv__synhelper *s, rv_sonata_pop *pop, const char *name, int exp2syn,
                         const uint64_t *rows, size_t n) {
    free_cols(s);
    s->pop = pop, s->pop_name = name, s->exp2syn = exp2syn, s->rows = rows, s->n_rows = n;
}

void rv__synhelper_end(rv__synhelper *s) {
    free_cols(s);
    s->pop = NULL, s->rows = NULL, s->n_rows = 0;
}

/* Attribute `name` of every row of the current population (read once). */
static rv_status column(rv__synhelper *s, const char *name, const char *why, const double **out,
                        rv_error *err) {
    for (size_t i = 0; i < s->n_cols; ++i)
        if (strcmp(s->cols[i].name, name) == 0) return *out = s->cols[i].v, RV_OK;
    if (!s->pop || rv_sonata_pop_attr_find(s->pop, name) < 0) {
        RV_FAIL(err, RV_ENOENT, "edge population '%s' has no attribute '%s' (%s)",
                s->pop_name ? s->pop_name : "?", name, why);
        rv_error_where(err, NULL, 0, name);
        return RV_ENOENT;
    }
    if (rv_grow((void **)&s->cols, &s->cap_cols, s->n_cols + 1, sizeof *s->cols))
        return RV_FAIL(err, RV_ENOMEM, "out of memory");
    scol *c = &s->cols[s->n_cols];
    c->name = rv_strdup(name);
    c->v = rv_malloc(sizeof *c->v * (s->n_rows ? s->n_rows : 1));
    rv_sonata_range *rg = rv_malloc(sizeof *rg * (s->n_rows ? s->n_rows : 1));
    rv_status st = RV_OK;
    if (!c->name || !c->v || !rg) st = RV_FAIL(err, RV_ENOMEM, "out of memory");
    size_t nr = 0;
    for (size_t i = 0; i < s->n_rows && !st; ++i) { /* rows ascending: runs */
        if (nr && rg[nr - 1].end == s->rows[i])
            rg[nr - 1].end++;
        else
            rg[nr++] = (rv_sonata_range){s->rows[i], s->rows[i] + 1};
    }
    rv_sonata_sel sel = {NULL, 0};
    if (!st && s->n_rows) st = rv_sonata_sel_from_ranges(rg, nr, &sel, err);
    if (!st && s->n_rows) st = rv_sonata_pop_read_f64(s->pop, name, &sel, c->v, err);
    rv_sonata_sel_free(&sel);
    rv_free(rg);
    if (st) {
        rv_free(c->name), rv_free(c->v);
        if (err && !err->key[0]) rv_error_where(err, NULL, 0, name);
        return st;
    }
    s->n_cols++;
    *out = c->v;
    return RV_OK;
}

static rv_status put(rv__synhelper *s, size_t *len, rv_error *err, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;
static rv_status put(rv__synhelper *s, size_t *len, rv_error *err, const char *fmt, ...) {
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        size_t room = s->cap_code - *len;
        int n = vsnprintf(s->code ? s->code + *len : NULL, s->code ? room : 0, fmt, ap);
        va_end(ap);
        if (n < 0) return RV_FAIL(err, RV_EINVAL, "formatting failed");
        if (s->code && (size_t)n < room) {
            *len += (size_t)n;
            return RV_OK;
        }
        if (rv_grow((void **)&s->code, &s->cap_code, *len + (size_t)n + 256, 1))
            return RV_FAIL(err, RV_ENOMEM, "out of memory");
    }
}

/* The synParams template of helper x for the current kind of population. */
static rv_status params_template(rv__synhelper *s, shelper *x, char *name, size_t n,
                                 rv_error *err) {
    int kind = s->exp2syn ? 1 : 0;
    const char *const *base = kind ? e2s_fields : std_fields;
    snprintf(name, n, "rv__SynParams%d_%s", kind, x->mod);
    if (x->made_sp[kind]) return RV_OK;
    size_t len = 0;
    rv_status st = put(s, &len, err, "begintemplate %s\npublic ", name);
    for (int i = 0; base[i] && !st; ++i) st = put(s, &len, err, "%s%s", i ? ", " : "", base[i]);
    for (int k = 0; k < x->n_extra && !st; ++k)
        if (!in_list(base, x->extra[k])) st = put(s, &len, err, ", %s", x->extra[k]);
    if (!st) st = put(s, &len, err, "\nproc init() {\n");
    for (int i = 0; base[i] && !st; ++i) st = put(s, &len, err, "%s = 0\n", base[i]);
    for (int k = 0; k < x->n_extra && !st; ++k)
        if (!in_list(base, x->extra[k])) st = put(s, &len, err, "%s = 0\n", x->extra[k]);
    if (!st) st = put(s, &len, err, "}\nendtemplate %s\n", name);
    if (!st) st = rv_hoc_exec(s->h, s->code, "ranvier modoverride synParams", err);
    if (!st) x->made_sp[kind] = 1;
    return st;
}

rv_status rv__synhelper_make(rv__synhelper *s, const char *mod, size_t i, const rv__synparams *p,
                             double ca_factor, int sec, double x, double tgid1, double syn_id,
                             double base_seed, double spop, double tpop, int *pp, const char **mech,
                             rv_error *err) {
    *pp = -1;
    shelper *hx = find_helper(s, mod);
    if (!hx) return RV_FAIL(err, RV_ESTATE, "modoverride '%s': helper not loaded", mod);
    if (i >= s->n_rows) return RV_FAIL(err, RV_ERANGE, "modoverride: edge index out of range");
    char tname[300], why[400];
    rv_status st = params_template(s, hx, tname, sizeof tname, err);
    if (st) return st;
    const char *const *base = s->exp2syn ? e2s_fields : std_fields;
    /* the record's values, in neurodamus's dtypes (int32/int64 truncate) */
    struct {
        const char *name;
        double v;
    } f[16] = {{"sgid", p->sgid},
               {"delay", p->delay},
               {"isec", (double)(int32_t)p->isec},
               {"ipt", (double)(int32_t)p->ipt},
               {"offset", p->offset},
               {"weight", p->weight},
               {"U", p->U},
               {"D", p->D},
               {"F", p->F},
               {"DTC", p->DTC},
               {"synType", (double)(int32_t)p->synType},
               {"nrrp", (double)(int32_t)p->nrrp},
               {"maskValue", p->maskValue},
               {"conductance_ratio", p->conductance_ratio},
               {"u_hill_coefficient", p->u_hill_coefficient},
               {"location", p->location}};
    size_t len = 0;
    st = put(s, &len, err, "rv__sp = new %s()\n", tname);
    for (int k = 0; k < 16 && !st; ++k) {
        if (!in_list(base, f[k].name)) continue;
        double v = f[k].v;
        for (int q = 0; q < hx->n_scale; ++q)
            if (strcmp(hx->scale[q], f[k].name) == 0) v *= ca_factor;
        st = put(s, &len, err, "rv__sp.%s = %.17g\n", f[k].name, v);
    }
    /* Exp2Syn's own fields, then the helper's NeededAttributes */
    static const char *const e2s_own[] = {"tau1", "tau2", "erev", NULL};
    for (int k = 0; s->exp2syn && e2s_own[k] && !st; ++k) {
        const double *col;
        snprintf(why, sizeof why, "a field of Exp2Syn_synapse edges");
        if (!(st = column(s, e2s_own[k], why, &col, err)))
            st = put(s, &len, err, "rv__sp.%s = %.17g\n", e2s_own[k], col[i]);
    }
    for (int k = 0; k < hx->n_extra && !st; ++k) {
        if (in_list(base, hx->extra[k])) continue;
        const double *col;
        snprintf(why, sizeof why, "listed in %s_NeededAttributes for modoverride '%s'", hx->tmpl,
                 mod);
        if ((st = column(s, hx->extra[k], why, &col, err))) break;
        double v = col[i];
        for (int q = 0; q < hx->n_scale; ++q)
            if (strcmp(hx->scale[q], hx->extra[k]) == 0) v *= ca_factor;
        st = put(s, &len, err, "rv__sp.%s = %.17g\n", hx->extra[k], v);
    }
    for (int q = 0; q < hx->n_scale && !st; ++q) /* neurodamus fails on unknown names too */
        if (!in_list(base, hx->scale[q])) {
            int listed = 0;
            for (int k = 0; k < hx->n_extra; ++k)
                if (strcmp(hx->extra[k], hx->scale[q]) == 0) listed = 1;
            if (!listed && ca_factor != 1) {
                RV_FAIL(err, RV_EINVAL,
                        "%s_UHillScaleVariables names '%s', which is neither a synapse field nor "
                        "in %s_NeededAttributes",
                        hx->tmpl, hx->scale[q], hx->tmpl);
                rv_error_where(err, NULL, 0, "modoverride");
                st = RV_EINVAL;
            }
        }
    if (!st)
        st = put(s, &len, err,
                 "rv__mo = new %s(%.17g, rv__sp, %.17g, %.17g, %.17g, %.17g, %.17g)\n"
                 "rv__mo_keep.append(rv__mo)\n",
                 hx->tmpl, tgid1, x, syn_id, base_seed, spop, tpop);
    if (!st) st = rv_hoc_exec_in_section(s->h, sec, s->code, hx->tmpl, err);
    if (!st) st = rv_hoc_exec(s->h, "rv__mo_syn = rv__mo.synapse\n", hx->tmpl, err);
    if (!st && rv_hoc_get_pp(s->h, "rv__mo_syn", pp, mech, err)) {
        RV_FAIL(err, RV_EINVAL, "%s: its public `synapse` is not a point process after init()",
                hx->tmpl);
        rv_error_where(err, NULL, 0, "modoverride");
        st = RV_EINVAL;
    }
    return st;
}

rv_status rv__synhelper_nc_slot(rv__synhelper *s, const char *mech, int *slot, rv_error *err) {
    for (int i = 0; i < s->n_slots; ++i)
        if (strcmp(s->slots[i].mech, mech) == 0) return *slot = s->slots[i].slot, RV_OK;
    const rv_mech_type *t = rv_model_mech_type(s->m, mech);
    int has = 0;
    for (int g = 0; t && g < t->n_globals; ++g)
        if (strcmp(t->global_names[g], "nc_type_param") == 0 ||
            strncmp(t->global_names[g], "nc_type_param_", 14) == 0)
            has = 1;
    double v = 0;
    if (has) {
        char code[300];
        snprintf(code, sizeof code, "rv__num = nc_type_param_%s\n", mech);
        rv_status st = rv_hoc_exec(s->h, code, "nc_type_param", err);
        if (!st) st = rv_hoc_get_number(s->h, "rv__num", &v, err);
        if (st) return st;
    }
    *slot = v >= 1 ? (int)v : 0;
    if (s->n_slots < 16 && (s->slots[s->n_slots].mech = rv_strdup(mech)))
        s->slots[s->n_slots++].slot = *slot;
    return RV_OK;
}

rv_status rv__synhelper_flush(rv__synhelper *s, rv_error *err) {
    rv_status st = RV_OK;
    for (size_t i = 0; i < s->n_calls && !st; ++i)
        st = rv_pp_call(s->m, s->calls[i].pp, s->calls[i].fn, s->calls[i].a, s->calls[i].nargs,
                        NULL, err);
    for (size_t i = 0; i < s->n_calls; ++i) rv_free(s->calls[i].fn);
    s->n_calls = 0;
    return st;
}
