/* SPDX-License-Identifier: MIT
 * sonata/resolve.c -- the meaning of a node's model_type, model_template and
 * morphology attributes under a circuit config.
 *
 * Rules (neurodamus io/sonata_config.py and cell_readers.py; libsonata's
 * population properties; BMTK's model_template schemes):
 *   - model type: a "type" written for the population in the config wins;
 *     else the node's model_type attribute; else the population default;
 *   - model_template "scheme:name" with scheme hoc, nrn, ctdb, nml; a bare
 *     name is a hoc template (neurodamus strips an optional "hoc:");
 *   - morphology: neurodamus takes the "neurolucida-asc" alternate folder
 *     (.asc) if configured, else "h5v1" (.h5), else morphologies_dir (.swc).
 * Pure functions: no I/O.
 */
#include "ranvier/sonata_resolve.h"

#include <stdio.h>
#include <string.h>

const rv_sonata_cfg_population *rv_sonata_resolve_node_population(const rv_sonata_circuit_config *c,
                                                                  size_t file_index,
                                                                  const char *name) {
    if (!c || file_index >= c->n_node_files) return NULL;
    const rv_sonata_cfg_network_file *f = &c->node_files[file_index];
    for (size_t i = 0; i < f->n_populations; ++i) {
        const rv_sonata_cfg_population *p = &c->node_populations[f->first_population + i];
        if (name && p->name && strcmp(p->name, name) == 0) return p;
    }
    return &f->defaults;
}

const char *rv_sonata_resolve_model_type(const rv_sonata_cfg_population *pop,
                                         const char *model_type_attr) {
    if (pop && pop->type_given && pop->type) return pop->type;
    if (model_type_attr && *model_type_attr) return model_type_attr;
    return pop && pop->type ? pop->type : "biophysical";
}

static int copy(char *dst, size_t n, const char *src, size_t len) {
    if (len >= n) return 0;
    memcpy(dst, src, len);
    dst[len] = 0;
    return 1;
}

static int ends_with(const char *s, const char *suffix) {
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

rv_status rv_sonata_resolve_template(const rv_sonata_cfg_population *pop, const char *value,
                                     rv_sonata_template *out, rv_error *err) {
    memset(out, 0, sizeof *out);
    if (!value || !*value) return RV_OK;
    static const struct {
        const char *scheme;
        rv_sonata_template_kind kind;
    } schemes[] = {{"hoc:", RV_SONATA_TEMPLATE_HOC},
                   {"nrn:", RV_SONATA_TEMPLATE_NRN},
                   {"ctdb:", RV_SONATA_TEMPLATE_CTDB},
                   {"nml:", RV_SONATA_TEMPLATE_NML}};
    const char *name = value;
    out->kind = RV_SONATA_TEMPLATE_HOC; /* bare names are hoc templates */
    const char *colon = strchr(value, ':');
    if (colon) {
        out->kind = RV_SONATA_TEMPLATE_OTHER;
        for (size_t k = 0; k < sizeof schemes / sizeof *schemes; ++k)
            if (strncmp(value, schemes[k].scheme, strlen(schemes[k].scheme)) == 0) {
                out->kind = schemes[k].kind;
                name = value + strlen(schemes[k].scheme);
            }
        if (out->kind == RV_SONATA_TEMPLATE_OTHER) name = value;
    }
    size_t len = strlen(name);
    if ((out->kind == RV_SONATA_TEMPLATE_HOC || out->kind == RV_SONATA_TEMPLATE_CTDB) &&
        ends_with(name, ".hoc"))
        len -= 4;
    if (!copy(out->name, sizeof out->name, name, len))
        return RV_FAIL(err, RV_ERANGE, "model_template '%s' is too long", value);
    if (out->kind == RV_SONATA_TEMPLATE_HOC) {
        const char *dir = pop ? pop->biophysical_neuron_models_dir : NULL;
        if (dir) {
            int w = snprintf(out->path, sizeof out->path, "%s/%s.hoc", dir, out->name);
            if (w < 0 || (size_t)w >= sizeof out->path)
                return RV_FAIL(err, RV_ERANGE, "path of template '%s' is too long", value);
        }
    }
    return RV_OK;
}

rv_status rv_sonata_resolve_morphology(const rv_sonata_cfg_population *pop, const char *name,
                                       const char *format, char *out, size_t n, rv_error *err) {
    if (!name || !*name) return RV_FAIL(err, RV_EINVAL, "empty morphology name");
    const char *asc = rv_sonata_config_alternate_morphology(pop, "neurolucida-asc");
    const char *h5 = rv_sonata_config_alternate_morphology(pop, "h5v1");
    const char *swc = pop ? pop->morphologies_dir : NULL;
    const char *dir = NULL, *ext = NULL, *want = format;
    if (!want) want = asc ? "asc" : h5 ? "h5" : "swc";
    if (strcmp(want, "asc") == 0) {
        dir = asc, ext = ".asc";
        if (!dir)
            return RV_FAIL(err, RV_ENOENT,
                           "population %s: no alternate_morphologies.neurolucida-asc folder",
                           pop && pop->name ? pop->name : "?");
    } else if (strcmp(want, "h5") == 0) {
        dir = h5, ext = ".h5";
        if (!dir)
            return RV_FAIL(err, RV_ENOENT, "population %s: no alternate_morphologies.h5v1 folder",
                           pop && pop->name ? pop->name : "?");
    } else if (strcmp(want, "swc") == 0) {
        dir = swc, ext = ".swc";
        if (!dir)
            return RV_FAIL(err, RV_ENOENT, "population %s: no morphologies_dir",
                           pop && pop->name ? pop->name : "?");
    } else {
        return RV_FAIL(err, RV_EINVAL, "morphology format '%s': expected swc, asc or h5", format);
    }
    if (ends_with(name, ".swc") || ends_with(name, ".asc") || ends_with(name, ".h5") ||
        ends_with(name, ".ASC") || ends_with(name, ".SWC"))
        ext = "";
    int w = snprintf(out, n, "%s/%s%s", dir, name, ext);
    if (w < 0 || (size_t)w >= n)
        return RV_FAIL(err, RV_ERANGE, "morphology path for '%s' is too long", name);
    return RV_OK;
}
