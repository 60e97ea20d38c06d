/* SPDX-License-Identifier: MIT
 * driver/allen_cell.c -- an Allen Institute perisomatic cell (SWC + Cell
 * Types fit JSON) built in an engine model as BMTK builds it
 * (ctdb:Biophys1.hoc + aibs_perisomatic + BioCell.set_nseg); see
 * allen_cell_int.h for the order of operations.
 */
#include "allen_cell_int.h"

#include "ranvier/morph.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#ifndef RV_DRV_MECHANISMS_DIR
#define RV_DRV_MECHANISMS_DIR "mechanisms"
#endif

const char *rv__allen_mechanisms_dir(char *buf, size_t n) {
    const char *env = getenv("RANVIER_MECHANISMS_DIR");
    snprintf(buf, n, "%s/allen", env && *env ? env : RV_DRV_MECHANISMS_DIR);
    return buf;
}

rv_status rv__allen_load_mechanisms(rv_model *m, const char *dir, rv_nmodl_lib **lib,
                                    rv_error *err) {
    char buf[1024];
    if (!dir) dir = rv__allen_mechanisms_dir(buf, sizeof buf);
    return rv_nmodl_load(m, dir, RV_NMODL_REPLACE, lib, err);
}

/* ---- the fit file --------------------------------------------------------- */

typedef struct gene {
    char section[16];
    char name[64];
    char mech[64];
    double value;
} gene;

typedef struct fit {
    const char *path;
    double ra;
    int have_e_pas;
    double e_pas;
    int have_cm, ncm;
    char cm_sec[16][16];
    double cm[16];
    int ngene;
    gene *gene;
    int nerev;
    char erev_sec[16][16];
    double ena[16], ek[16];
    double celsius, v_init;
} fit;

static rv_status fit_fail(const fit *f, rv_error *err, rv_status code, const char *key,
                          const char *what) {
    RV_FAIL(err, code, "%s '%s' (%s)", code == RV_ENOENT ? "missing key" : "bad value for", key,
            what);
    rv_error_where(err, f->path, 0, key);
    return code;
}

/* a number, or a string holding one (the older fits quote their values) */
static int get_num(json_t *x, double *v) {
    if (json_is_number(x)) {
        *v = json_number_value(x);
        return 1;
    }
    if (json_is_string(x)) {
        const char *s = json_string_value(x);
        char *end;
        errno = 0;
        *v = strtod(s, &end);
        while (*end == ' ') ++end;
        return end != s && *end == 0 && errno == 0 && isfinite(*v);
    }
    return 0;
}

static rv_status get_str(const fit *f, json_t *o, const char *k, const char *key, char *dst,
                         size_t n, int optional, rv_error *err) {
    json_t *x = json_object_get(o, k);
    if (!x && optional) {
        dst[0] = 0;
        return RV_OK;
    }
    if (!x) return fit_fail(f, err, RV_ENOENT, key, "a string");
    if (!json_is_string(x) || strlen(json_string_value(x)) >= n)
        return fit_fail(f, err, RV_EFORMAT, key, "a short string");
    strcpy(dst, json_string_value(x));
    return RV_OK;
}

/* o[k][0] as an object (the fits wrap passive and conditions in lists) */
static json_t *first_obj(json_t *o, const char *k) {
    json_t *x = json_object_get(o, k);
    if (json_is_array(x)) x = json_array_get(x, 0);
    return json_is_object(x) ? x : NULL;
}

static rv_status read_fit(const char *path, fit *f, rv_error *err) {
    memset(f, 0, sizeof *f);
    f->path = path;
    f->celsius = f->v_init = NAN;
    json_error_t je;
    json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    if (!root) {
        FILE *fp = fopen(path, "r");
        if (!fp) {
            RV_FAIL(err, RV_ENOENT, "cannot open the fit file: %s", strerror(errno));
            rv_error_where(err, path, 0, NULL);
            return RV_ENOENT;
        }
        fclose(fp);
        RV_FAIL(err, RV_EFORMAT, "invalid JSON: %s", je.text);
        rv_error_where(err, path, je.line, NULL);
        err->col = je.column;
        return RV_EFORMAT;
    }
    rv_status st = RV_OK;
    char key[128];
    json_t *pas = first_obj(root, "passive");
    json_t *genome = json_object_get(root, "genome");
    json_t *cond = first_obj(root, "conditions");
    if (!json_is_object(root)) {
        st = fit_fail(f, err, RV_EFORMAT, "(top level)", "an object");
        goto done;
    }
    if (!pas) {
        st = fit_fail(f, err, json_object_get(root, "passive") ? RV_EFORMAT : RV_ENOENT,
                      "passive[0]", "an object");
        goto done;
    }
    if (!get_num(json_object_get(pas, "ra"), &f->ra) || f->ra <= 0) {
        st = fit_fail(f, err, json_object_get(pas, "ra") ? RV_EFORMAT : RV_ENOENT, "passive[0].ra",
                      "a positive number, ohm cm");
        goto done;
    }
    json_t *x = json_object_get(pas, "e_pas");
    if (x) {
        if (!get_num(x, &f->e_pas)) {
            st = fit_fail(f, err, RV_EFORMAT, "passive[0].e_pas", "a number, mV");
            goto done;
        }
        f->have_e_pas = 1;
    }
    x = json_object_get(pas, "cm");
    if (x) {
        if (!json_is_array(x) || json_array_size(x) > 16) {
            st = fit_fail(f, err, RV_EFORMAT, "passive[0].cm", "a list of {section, cm}");
            goto done;
        }
        f->have_cm = 1;
        for (size_t i = 0; i < json_array_size(x); ++i) {
            json_t *e = json_array_get(x, i);
            snprintf(key, sizeof key, "passive[0].cm[%zu].section", i);
            if (!json_is_object(e)) {
                st = fit_fail(f, err, RV_EFORMAT, key, "an object {section, cm}");
                goto done;
            }
            if ((st = get_str(f, e, "section", key, f->cm_sec[i], 16, 0, err))) goto done;
            snprintf(key, sizeof key, "passive[0].cm[%zu].cm", i);
            if (!get_num(json_object_get(e, "cm"), &f->cm[i]) || f->cm[i] <= 0) {
                st = fit_fail(f, err, json_object_get(e, "cm") ? RV_EFORMAT : RV_ENOENT, key,
                              "a positive number, uF/cm2");
                goto done;
            }
            f->ncm = (int)i + 1;
        }
    }
    if (!json_is_array(genome)) {
        st = fit_fail(f, err, genome ? RV_EFORMAT : RV_ENOENT, "genome",
                      "a list of {section, name, value, mechanism}");
        goto done;
    }
    f->ngene = (int)json_array_size(genome);
    f->gene = rv_calloc(f->ngene ? (size_t)f->ngene : 1, sizeof *f->gene);
    if (!f->gene) {
        st = RV_FAIL(err, RV_ENOMEM, "out of memory");
        goto done;
    }
    for (int i = 0; i < f->ngene; ++i) {
        json_t *e = json_array_get(genome, (size_t)i);
        gene *g = &f->gene[i];
        snprintf(key, sizeof key, "genome[%d]", i);
        if (!json_is_object(e)) {
            st = fit_fail(f, err, RV_EFORMAT, key, "an object {section, name, value, mechanism}");
            goto done;
        }
        snprintf(key, sizeof key, "genome[%d].section", i);
        if ((st = get_str(f, e, "section", key, g->section, sizeof g->section, 0, err))) goto done;
        snprintf(key, sizeof key, "genome[%d].name", i);
        if ((st = get_str(f, e, "name", key, g->name, sizeof g->name, 0, err))) goto done;
        if (!g->name[0]) {
            st = fit_fail(f, err, RV_EFORMAT, key, "a variable name");
            goto done;
        }
        snprintf(key, sizeof key, "genome[%d].mechanism", i);
        if ((st = get_str(f, e, "mechanism", key, g->mech, sizeof g->mech, 1, err))) goto done;
        snprintf(key, sizeof key, "genome[%d].value", i);
        if (!get_num(json_object_get(e, "value"), &g->value)) {
            st = fit_fail(f, err, json_object_get(e, "value") ? RV_EFORMAT : RV_ENOENT, key,
                          "a number");
            goto done;
        }
    }
    if (cond) {
        if ((x = json_object_get(cond, "celsius")) && !get_num(x, &f->celsius)) {
            st = fit_fail(f, err, RV_EFORMAT, "conditions[0].celsius", "a number, degC");
            goto done;
        }
        if ((x = json_object_get(cond, "v_init")) && !get_num(x, &f->v_init)) {
            st = fit_fail(f, err, RV_EFORMAT, "conditions[0].v_init", "a number, mV");
            goto done;
        }
        x = json_object_get(cond, "erev");
        if (x && (!json_is_array(x) || json_array_size(x) > 16)) {
            st = fit_fail(f, err, RV_EFORMAT, "conditions[0].erev", "a list of {section, ena, ek}");
            goto done;
        }
        for (size_t i = 0; x && i < json_array_size(x); ++i) {
            json_t *e = json_array_get(x, i);
            snprintf(key, sizeof key, "conditions[0].erev[%zu].section", i);
            if (!json_is_object(e)) {
                st = fit_fail(f, err, RV_EFORMAT, key, "an object {section, ena, ek}");
                goto done;
            }
            if ((st = get_str(f, e, "section", key, f->erev_sec[i], 16, 0, err))) goto done;
            snprintf(key, sizeof key, "conditions[0].erev[%zu].ena", i);
            if (!get_num(json_object_get(e, "ena"), &f->ena[i])) {
                st = fit_fail(f, err, json_object_get(e, "ena") ? RV_EFORMAT : RV_ENOENT, key,
                              "a number, mV");
                goto done;
            }
            snprintf(key, sizeof key, "conditions[0].erev[%zu].ek", i);
            if (!get_num(json_object_get(e, "ek"), &f->ek[i])) {
                st = fit_fail(f, err, json_object_get(e, "ek") ? RV_EFORMAT : RV_ENOENT, key,
                              "a number, mV");
                goto done;
            }
            f->nerev = (int)i + 1;
        }
    }
done:
    json_decref(root);
    if (st) {
        rv_free(f->gene);
        f->gene = NULL;
    }
    return st;
}

/* ---- building ------------------------------------------------------------- */

/* BMTK's section type: the first four letters of the name after the
 * template prefix ("dend_5[0]" -> "dend") */
static void type4(const char *base, char t[5]) {
    size_t n = strlen(base);
    if (n > 4) n = 4;
    memcpy(t, base, n);
    t[n] = 0;
}

typedef struct bld {
    rv_model *m;
    rv__allen_cell *c;
    char (*type)[5]; /* per cell section */
    int cap_var;
} bld;

static rv_status add_var(bld *b, int sec, const char *name, rv_error *err) {
    rv__allen_cell *c = b->c;
    for (int i = 0; i < c->nvar; ++i)
        if (c->var[i].sec == sec && !strcmp(c->var[i].name, name)) return RV_OK;
    if (c->nvar == b->cap_var) {
        int cap = b->cap_var ? 2 * b->cap_var : 64;
        rv__allen_var *v = rv_realloc(c->var, (size_t)cap * sizeof *v);
        if (!v) return RV_FAIL(err, RV_ENOMEM, "out of memory");
        c->var = v, b->cap_var = cap;
    }
    c->var[c->nvar].sec = sec;
    snprintf(c->var[c->nvar].name, sizeof c->var[c->nvar].name, "%s", name);
    c->nvar++;
    return RV_OK;
}

/* name = value on every segment of sec (NEURON's sec.name = value) */
static rv_status set_all(bld *b, int sec, const char *name, double value, rv_error *err) {
    rv_status st;
    if (!strcmp(name, "cm"))
        st = rv_section_set_cm(b->m, sec, value, err);
    else if (!strcmp(name, "Ra"))
        st = rv_section_set_Ra(b->m, sec, value, err);
    else {
        int nseg = rv_section_nseg(b->m, sec);
        st = RV_OK;
        for (int i = 0; i < nseg && !st; ++i)
            st = rv_range_set(b->m, sec, (i + 0.5) / nseg, name, value, err);
    }
    if (!st) st = add_var(b, sec, name, err);
    return st;
}

static rv_status where(rv_status st, rv_error *err, const char *path, const char *key) {
    if (st) rv_error_where(err, path, 0, key);
    return st;
}

void rv__allen_cell_free(rv__allen_cell *c) {
    if (!c) return;
    rv_free(c->secs);
    rv_free(c->var);
    rv_free(c->parent);
    rv_free(c->parent_x);
    rv_free(c->stype);
    memset(c, 0, sizeof *c);
}

rv_status rv__allen_cell_build(rv_model *m, const char *swc, const char *fit_json,
                               const rv__allen_opts *opts, rv__allen_cell *out, rv_error *err) {
    if (!m || !swc || !fit_json || !out)
        return RV_FAIL(err, RV_EINVAL, "rv__allen_cell_build: NULL argument");
    memset(out, 0, sizeof *out);
    const char *prefix = opts && opts->prefix ? opts->prefix : "";
    double dL = opts && opts->dL > 0 ? opts->dL : 20.0;
    fit f;
    rv_status st = read_fit(fit_json, &f, err);
    if (st) return st;
    char key[128];
    /* the genome's mechanisms must be there before anything is built */
    for (int i = 0; i < f.ngene; ++i)
        if (f.gene[i].mech[0] && !rv_model_mech_type(m, f.gene[i].mech)) {
            snprintf(key, sizeof key, "genome[%d].mechanism", i);
            RV_FAIL(err, RV_ENOENT,
                    "mechanism '%s' is not loaded (compile mechanisms/allen, or the circuit's "
                    "mechanisms_dir, into the model first)",
                    f.gene[i].mech);
            rv_error_where(err, fit_json, 0, key);
            rv_free(f.gene);
            return RV_ENOENT;
        }
    rv_morph *mo = NULL;
    int *ids = NULL;
    bld b = {m, out, NULL, 0};
    if ((st = rv_morph_load(swc, RV_MORPH_AUTO, &mo, err))) goto fail;
    ids = rv_malloc((size_t)(mo->nsec ? mo->nsec : 1) * sizeof *ids);
    out->secs = rv_malloc((size_t)(mo->nsec + 2) * sizeof *out->secs);
    b.type = rv_malloc((size_t)(mo->nsec + 2) * sizeof *b.type);
    out->parent = rv_malloc((size_t)(mo->nsec + 2) * sizeof *out->parent);
    out->parent_x = rv_malloc((size_t)(mo->nsec + 2) * sizeof *out->parent_x);
    out->stype = rv_malloc((size_t)(mo->nsec + 2) * sizeof *out->stype);
    if (!ids || !out->secs || !b.type || !out->parent || !out->parent_x || !out->stype) {
        st = RV_FAIL(err, RV_ENOMEM, "out of memory");
        goto fail;
    }
    /* Biophys1: Import3d */
    if ((st = rv_morph_instantiate(mo, m, prefix, ids, err))) goto fail;
    int soma = rv_morph_find(mo, "soma[0]");
    if (soma < 0) {
        st = RV_FAIL(err, RV_EFORMAT,
                     "no soma (SWC type 1) in the morphology: BMTK's axon stub "
                     "connects to soma[0]");
        rv_error_where(err, swc, 0, NULL);
        goto fail;
    }
    out->soma = ids[soma];
    /* fix_axon_peri: the reconstructed axon goes, a 60 um stub replaces it */
    for (int i = 0; i < mo->nsec; ++i) {
        if (!strcmp(mo->sec[i].base, "axon")) {
            if ((st = rv_section_delete(m, ids[i], err))) goto fail;
            continue;
        }
        type4(mo->sec[i].base, b.type[out->nsec]);
        out->parent[out->nsec] = mo->sec[i].parent; /* an index in mo->sec for now */
        out->parent_x[out->nsec] = mo->sec[i].parent_x;
        out->secs[out->nsec++] = ids[i];
    }
    /* parents as indices in out->secs (a parent deleted with the axon: a root) */
    for (int k = 0; k < out->nsec; ++k) {
        int pm = out->parent[k], pk = -1;
        for (int j = 0; pm >= 0 && j < out->nsec && pk < 0; ++j)
            if (out->secs[j] == ids[pm]) pk = j;
        out->parent[k] = pk;
    }
    for (int k = 0; k < 2; ++k) {
        char name[320];
        snprintf(name, sizeof name, "%saxon[%d]", prefix, k);
        if ((st = rv_section_create(m, name, 1, &out->axon[k], err))) goto fail;
        if ((st = rv_section_set_L(m, out->axon[k], 30, err))) goto fail;
        if ((st = rv_section_set_diam(m, out->axon[k], 1, err))) goto fail;
        if ((st = rv_section_connect(m, out->axon[k], 0, k ? out->axon[0] : out->soma,
                                     k ? 1.0 : 0.5, err)))
            goto fail;
        strcpy(b.type[out->nsec], "axon");
        int si = 0;
        while (k == 0 && out->secs[si] != out->soma) ++si;
        out->parent[out->nsec] = k ? out->nsec - 1 : si;
        out->parent_x[out->nsec] = k ? 1.0 : 0.5;
        out->secs[out->nsec++] = out->axon[k];
    }
    /* BioCell.set_nseg (applied first here: the fit's values are uniform per
     * section, so NEURON's later nseg change keeps them) */
    for (int i = 0; i < out->nsec; ++i) {
        double L;
        if ((st = rv_section_get_L(m, out->secs[i], &L, err))) goto fail;
        int nseg = 1 + 2 * (int)(L / (2 * dL));
        if ((st = rv_section_set_nseg(m, out->secs[i], nseg, err))) goto fail;
    }
    /* set_params_peri: passive */
    for (int i = 0; i < out->nsec; ++i) {
        int s = out->secs[i];
        if ((st = rv_section_set_Ra(m, s, f.ra, err))) goto fail;
        if ((st = add_var(&b, s, "Ra", err))) goto fail;
        if (f.have_cm) {
            int k = 0;
            while (k < f.ncm && strcmp(f.cm_sec[k], b.type[i])) ++k;
            if (k == f.ncm) {
                st = RV_FAIL(err, RV_ENOENT,
                             "no capacitance for sections of type '%s' (%s): passive[0].cm "
                             "lists no entry with \"section\": \"%s\"",
                             b.type[i], rv_section_name(m, s), b.type[i]);
                rv_error_where(err, fit_json, 0, "passive[0].cm");
                goto fail;
            }
            if ((st = set_all(&b, s, "cm", f.cm[k], err))) goto fail;
        }
        if ((st = rv_section_insert(m, s, "pas", err))) goto fail;
        if (f.have_e_pas && (st = set_all(&b, s, "e_pas", f.e_pas, err))) goto fail;
    }
    /* the genome, entry by entry */
    for (int g = 0; g < f.ngene; ++g) {
        const gene *e = &f.gene[g];
        for (int i = 0; i < out->nsec; ++i) {
            if (strcmp(b.type[i], e->section)) continue;
            int s = out->secs[i];
            if (e->mech[0]) {
                snprintf(key, sizeof key, "genome[%d].mechanism", g);
                if ((st = where(rv_section_insert(m, s, e->mech, err), err, fit_json, key)))
                    goto fail;
            }
            snprintf(key, sizeof key, "genome[%d].name", g);
            if ((st = where(set_all(&b, s, e->name, e->value, err), err, fit_json, key))) goto fail;
        }
    }
    /* reversal potentials */
    for (int r = 0; r < f.nerev; ++r)
        for (int i = 0; i < out->nsec; ++i) {
            if (strcmp(b.type[i], f.erev_sec[r])) continue;
            snprintf(key, sizeof key, "conditions[0].erev[%d].ena", r);
            if ((st = where(set_all(&b, out->secs[i], "ena", f.ena[r], err), err, fit_json, key)))
                goto fail;
            snprintf(key, sizeof key, "conditions[0].erev[%d].ek", r);
            if ((st = where(set_all(&b, out->secs[i], "ek", f.ek[r], err), err, fit_json, key)))
                goto fail;
        }
    for (int i = 0; i < out->nsec; ++i) {
        static const char *const names[4] = {"soma", "axon", "dend", "apic"};
        out->stype[i] = 0;
        for (int t = 0; t < 4; ++t)
            if (!strcmp(b.type[i], names[t])) out->stype[i] = t + 1;
    }
    out->celsius = f.celsius;
    out->v_init = f.v_init;
    out->dL = dL;
    rv_free(b.type);
    rv_free(ids);
    rv_morph_destroy(mo);
    rv_free(f.gene);
    return RV_OK;
fail:
    rv_free(b.type);
    rv_free(ids);
    rv_morph_destroy(mo);
    rv_free(f.gene);
    rv__allen_cell_free(out);
    return st;
}

/* ---- segments (BMTK's seg_props) ------------------------------------------ */

/* NEURON's node_dist(parent, node_exact(parent, x)) */
static double node_dist_at(double L, int nseg, double x) {
    if (x <= 0) return 0.;
    if (x >= 1) return L * 1.;
    int i = (int)(x * nseg);
    if (i >= nseg) i = nseg - 1;
    return L * (((double)i + .5) / (double)nseg);
}

rv_status rv__allen_cell_segments(rv_model *m, const rv__allen_cell *c, rv__allen_seg **segs,
                                  int *n, rv_error *err) {
    *segs = NULL;
    *n = 0;
    double *L = rv_malloc(sizeof *L * (size_t)(c->nsec ? c->nsec : 1));
    if (!L) return RV_FAIL(err, RV_ENOMEM, "out of memory");
    int total = 0, soma = -1;
    rv_status st = RV_OK;
    for (int k = 0; k < c->nsec && !st; ++k) {
        st = rv_section_get_L(m, c->secs[k], &L[k], err);
        total += rv_section_nseg(m, c->secs[k]);
        if (c->secs[k] == c->soma) soma = k;
    }
    rv__allen_seg *s = st ? NULL : rv_malloc(sizeof *s * (size_t)(total ? total : 1));
    if (!st && !s) st = RV_FAIL(err, RV_ENOMEM, "out of memory");
    int w = 0;
    for (int k = 0; k < c->nsec && !st; ++k) {
        int nseg = rv_section_nseg(m, c->secs[k]);
        for (int i = 0; i < nseg; ++i) {
            rv__allen_seg *g = &s[w++];
            g->sec = k;
            g->x = ((double)i + 0.5) / (double)nseg;
            g->length = L[k] / (double)nseg;
            g->type = c->stype[k];
            /* topol_distance(origin soma[0](0), this node): up to the soma */
            double d = 0., nd = L[k] * (((double)i + .5) / (double)nseg);
            int cur = k, guard = 0;
            while (cur != soma && cur >= 0 && guard++ <= c->nsec) {
                d += nd;
                int p = c->parent[cur];
                if (p >= 0)
                    nd = node_dist_at(L[p], rv_section_nseg(m, c->secs[p]), c->parent_x[cur]);
                cur = p;
            }
            if (cur != soma)
                d = 1e20;
            else if (nd > 0)
                d += nd - 0.;
            g->dist = d;
        }
    }
    rv_free(L);
    if (st) {
        rv_free(s);
        return st;
    }
    *segs = s;
    *n = w;
    return RV_OK;
}

/* ---- dump ----------------------------------------------------------------- */

static void jnum(FILE *f, double v) {
    if (isfinite(v))
        fprintf(f, "%.17g", v);
    else
        fputs("null", f);
}

rv_status rv__allen_cell_dump(rv_model *m, const rv__allen_cell *c, FILE *f, rv_error *err) {
    rv_status st = rv_model_setup(m, err);
    if (st) return st;
    fprintf(f, "{\"dL\": ");
    jnum(f, c->dL);
    fprintf(f, ", \"celsius\": ");
    jnum(f, c->celsius);
    fprintf(f, ", \"v_init\": ");
    jnum(f, c->v_init);
    fprintf(f, ",\n \"sections\": [");
    for (int i = 0; i < c->nsec; ++i) {
        int s = c->secs[i], nseg = rv_section_nseg(m, s);
        double L, ri = 0;
        if ((st = rv_section_get_L(m, s, &L, err))) return st;
        fprintf(f, "%s\n  {\"name\": \"%s\", \"nseg\": %d, \"L\": ", i ? "," : "",
                rv_section_name(m, s), nseg);
        jnum(f, L);
        fprintf(f, ", \"segments\": [");
        for (int k = 0; k < nseg; ++k) {
            double x = (k + 0.5) / nseg, a, d, cm, val;
            if ((st = rv_section_area(m, s, x, &a, err))) return st;
            if ((st = rv_range_get(m, s, x, "diam", &d, err))) return st;
            if ((st = rv_range_get(m, s, x, "cm", &cm, err))) return st;
            fprintf(f, "%s\n    {\"x\": ", k ? "," : "");
            jnum(f, x);
            fprintf(f, ", \"area\": ");
            jnum(f, a);
            fprintf(f, ", \"diam\": ");
            jnum(f, d);
            fprintf(f, ", \"ri\": ");
            if ((st = rv_section_ri(m, s, x, &ri, err))) return st;
            jnum(f, ri);
            fprintf(f, ", \"values\": {");
            int first = 1;
            for (int v = 0; v < c->nvar; ++v) {
                const rv__allen_var *e = &c->var[v];
                if (e->sec != s || !strcmp(e->name, "Ra")) continue;
                if (!strcmp(e->name, "cm"))
                    val = cm;
                else if ((st = rv_range_get(m, s, x, e->name, &val, err)))
                    return st;
                fprintf(f, "%s\"%s\": ", first ? "" : ", ", e->name);
                jnum(f, val);
                first = 0;
            }
            fprintf(f, "}}");
        }
        fprintf(f, "]}");
    }
    fprintf(f, "\n]}\n");
    return ferror(f) ? RV_FAIL(err, RV_EIO, "write error in the dump") : RV_OK;
}
