/* SPDX-License-Identifier: MIT
 * sonata/config_circuit.c -- the circuit config: "components", "networks"
 * (nodes and edges files with their declared populations), node_sets_file,
 * target_simulator and metadata.status.
 *
 * Population properties follow libsonata: a population's own keys win;
 * for those it lacks, "components" gives the value (alternate_morphologies
 * as a whole map, not merged key by key).  Node populations default to type
 * "biophysical", edge populations to "chemical".  With status "complete"
 * (the default) and the Blue Brain flavour the type-specific requirements
 * are checked: a biophysical population needs a morphology folder and
 * biophysical_neuron_models_dir, vasculature needs vasculature_file and
 * vasculature_mesh, astrocyte needs microdomains_file, endfoot edges need
 * endfeet_meshes_file.  "partial" allows missing networks.
 *
 * HDF5 files are only named here, never opened (nodes/edges readers do that).
 */
#include "config_int.h"

#include <string.h>

static const rv__cfg_enum simulators[] = {{"NEURON", RV_SONATA_CFG_SIM_NEURON},
                                          {"CORENEURON", RV_SONATA_CFG_SIM_CORENEURON},
                                          {"LearningEngine", RV_SONATA_CFG_SIM_LEARNING_ENGINE},
                                          {"Brian2", RV_SONATA_CFG_SIM_BRIAN2},
                                          {NULL, 0}};
static const rv__cfg_enum simulators_allen[] = {
    {"NEURON", RV_SONATA_CFG_SIM_NEURON},
    {"CORENEURON", RV_SONATA_CFG_SIM_CORENEURON},
    {"LearningEngine", RV_SONATA_CFG_SIM_LEARNING_ENGINE},
    {"Brian2", RV_SONATA_CFG_SIM_BRIAN2},
    {"NEST", RV_SONATA_CFG_SIM_NEST},
    {NULL, 0}};

const rv__cfg_enum *rv__cfg_simulators(const rv__cfg_ctx *c) {
    return c->flavour == RV_SONATA_CFG_FLAVOUR_ALLEN ? simulators_allen : simulators;
}

/* alternate_morphologies: {format: folder}. */
static void named_paths(rv__cfg_ctx *c, json_t *obj, const char *kp, size_t *n,
                        const rv_sonata_cfg_named_path **out) {
    json_t *alt = NULL;
    if (rv__cfg_obj(c, obj, kp, "alternate_morphologies", 0, &alt) <= 0) return;
    char akp[RV__CFG_PATH_MAX];
    rv__cfg_kp(akp, kp, "alternate_morphologies");
    size_t cnt = json_object_size(alt);
    if (!cnt) return;
    rv_sonata_cfg_named_path *a = rv__cfg_array(c, cnt, sizeof *a);
    if (!a) return;
    size_t k = 0;
    const char *key;
    json_t *v;
    json_object_foreach(alt, key, v) {
        const char *p = NULL;
        if (rv__cfg_path(c, alt, akp, key, 0, NULL, &p) == 1) {
            a[k].name = rv__cfg_strdup(c, key);
            a[k].path = p;
            k++;
        }
    }
    *n = k;
    *out = a;
}

static void components(rv__cfg_ctx *c, json_t *root, rv_sonata_cfg_components *co) {
    json_t *o = NULL;
    if (rv__cfg_obj(c, root, "", "components", 0, &o) <= 0) return;
    const char *kp = "components";
    struct {
        const char *key;
        const char **dst;
    } fields[] = {
        {"morphologies_dir", &co->morphologies_dir},
        {"biophysical_neuron_models_dir", &co->biophysical_neuron_models_dir},
        {"point_neuron_models_dir", &co->point_neuron_models_dir},
        {"mechanisms_dir", &co->mechanisms_dir},
        {"templates_dir", &co->templates_dir},
        {"synaptic_models_dir", &co->synaptic_models_dir},
        {"vasculature_file", &co->vasculature_file},
        {"vasculature_mesh", &co->vasculature_mesh},
        {"endfeet_meshes_file", &co->endfeet_meshes_file},
        {"microdomains_file", &co->microdomains_file},
        {"spine_morphologies_dir", &co->spine_morphologies_dir},
    };
    for (size_t i = 0; i < sizeof fields / sizeof *fields; i++)
        rv__cfg_path(c, o, kp, fields[i].key, 0, NULL, fields[i].dst);
    named_paths(c, o, kp, &co->n_alternate_morphologies, &co->alternate_morphologies);
    size_t cnt = json_object_size(o);
    rv_sonata_cfg_named_path *all = cnt ? rv__cfg_array(c, cnt, sizeof *all) : NULL;
    if (!all) return;
    const char *key;
    json_t *v;
    size_t k = 0;
    json_object_foreach(o, key, v) {
        const char *p = NULL;
        if (json_is_string(v) && rv__cfg_path(c, o, kp, key, 0, NULL, &p) == 1) {
            all[k].name = rv__cfg_strdup(c, key);
            all[k].path = p;
            k++;
        }
    }
    co->n_all = k;
    co->all = all;
}

/* Fills what a population lacks from the components (libsonata's
 * updateDefaultProperties). */
static void apply_defaults(rv_sonata_cfg_population *p, const rv_sonata_cfg_components *co,
                           int edges) {
    if (!p->type) p->type = edges ? "chemical" : "biophysical";
    if (!p->n_alternate_morphologies) {
        p->n_alternate_morphologies = co->n_alternate_morphologies;
        p->alternate_morphologies = co->alternate_morphologies;
    }
    if (!p->biophysical_neuron_models_dir)
        p->biophysical_neuron_models_dir = co->biophysical_neuron_models_dir;
    if (!p->point_neuron_models_dir) p->point_neuron_models_dir = co->point_neuron_models_dir;
    if (!p->mechanisms_dir) p->mechanisms_dir = co->mechanisms_dir;
    if (!p->morphologies_dir) p->morphologies_dir = co->morphologies_dir;
    if (edges) {
        if (!p->endfeet_meshes_file) p->endfeet_meshes_file = co->endfeet_meshes_file;
        if (!p->spine_morphologies_dir) p->spine_morphologies_dir = co->spine_morphologies_dir;
    } else {
        if (!p->vasculature_file) p->vasculature_file = co->vasculature_file;
        if (!p->vasculature_mesh) p->vasculature_mesh = co->vasculature_mesh;
        if (!p->microdomains_file) p->microdomains_file = co->microdomains_file;
    }
}

static void population(rv__cfg_ctx *c, json_t *pd, const char *kp, int edges,
                       rv_sonata_cfg_population *p) {
    const char *type = NULL;
    if (rv__cfg_str(c, pd, kp, "type", 0, &type) == 1) {
        p->type = type;
        p->type_given = 1;
    }
    rv__cfg_path(c, pd, kp, "morphologies_dir", 0, NULL, &p->morphologies_dir);
    rv__cfg_path(c, pd, kp, "biophysical_neuron_models_dir", 0, NULL,
                 &p->biophysical_neuron_models_dir);
    rv__cfg_path(c, pd, kp, "point_neuron_models_dir", 0, NULL, &p->point_neuron_models_dir);
    rv__cfg_path(c, pd, kp, "mechanisms_dir", 0, NULL, &p->mechanisms_dir);
    named_paths(c, pd, kp, &p->n_alternate_morphologies, &p->alternate_morphologies);
    if (edges) {
        rv__cfg_path(c, pd, kp, "spatial_synapse_index_dir", 0, NULL,
                     &p->spatial_synapse_index_dir);
        rv__cfg_path(c, pd, kp, "endfeet_meshes_file", 0, NULL, &p->endfeet_meshes_file);
        rv__cfg_path(c, pd, kp, "spine_morphologies_dir", 0, NULL, &p->spine_morphologies_dir);
    } else {
        rv__cfg_path(c, pd, kp, "spatial_segment_index_dir", 0, NULL,
                     &p->spatial_segment_index_dir);
        rv__cfg_path(c, pd, kp, "vasculature_file", 0, NULL, &p->vasculature_file);
        rv__cfg_path(c, pd, kp, "vasculature_mesh", 0, NULL, &p->vasculature_mesh);
        rv__cfg_path(c, pd, kp, "microdomains_file", 0, NULL, &p->microdomains_file);
    }
}

static void check_population(rv__cfg_ctx *c, const rv_sonata_cfg_population *p, const char *kp,
                             int edges) {
    const char *t = p->type;
    if (edges) {
        if (strcmp(t, "endfoot") == 0 && !p->endfeet_meshes_file)
            RV__CFG_PROBLEM(c, RV_EFORMAT, kp,
                            "edge population '%s' is of type 'endfoot' but no "
                            "'endfeet_meshes_file' is given (here or in components)",
                            p->name);
        return;
    }
    if (strcmp(t, "biophysical") == 0) {
        if (!p->morphologies_dir && !p->n_alternate_morphologies)
            RV__CFG_PROBLEM(c, RV_EFORMAT, kp,
                            "node population '%s' is 'biophysical' but defines neither "
                            "'morphologies_dir' nor 'alternate_morphologies' (here or in "
                            "components)",
                            p->name);
        if (!p->biophysical_neuron_models_dir)
            RV__CFG_PROBLEM(c, RV_EFORMAT, kp,
                            "node population '%s' is 'biophysical' but no "
                            "'biophysical_neuron_models_dir' is given (here or in components)",
                            p->name);
    } else if (strcmp(t, "vasculature") == 0) {
        if (!p->vasculature_file || !p->vasculature_mesh)
            RV__CFG_PROBLEM(c, RV_EFORMAT, kp,
                            "node population '%s' is 'vasculature' but '%s' is not given", p->name,
                            !p->vasculature_file ? "vasculature_file" : "vasculature_mesh");
    } else if (strcmp(t, "astrocyte") == 0) {
        if (!p->microdomains_file)
            RV__CFG_PROBLEM(c, RV_EFORMAT, kp,
                            "node population '%s' is 'astrocyte' but 'microdomains_file' is not "
                            "given",
                            p->name);
    }
}

/* networks.nodes or networks.edges. */
static void network_list(rv__cfg_ctx *c, rv_sonata_circuit_config *cc, json_t *networks, int edges,
                         int complete) {
    const char *what = edges ? "edges" : "nodes";
    const char *file_key = edges ? "edges_file" : "nodes_file";
    const char *types_key = edges ? "edge_types_file" : "node_types_file";
    char kp[RV__CFG_PATH_MAX];
    rv__cfg_kp(kp, "networks", what);
    json_t *list = json_object_get(networks, what);
    if (!list || json_is_null(list)) {
        if (complete && networks)
            RV__CFG_PROBLEM(c, RV_EFORMAT, kp, "missing mandatory key '%s' in 'networks'", what);
        return;
    }
    if (!json_is_array(list)) {
        RV__CFG_PROBLEM(c, RV_EFORMAT, kp, "'%s' must be an array, not %s", kp,
                        rv__cfg_type_name(list));
        return;
    }
    size_t nf = json_array_size(list), npop = 0;
    for (size_t i = 0; i < nf; i++)
        npop += json_object_size(json_object_get(json_array_get(list, i), "populations"));
    rv_sonata_cfg_network_file *files = nf ? rv__cfg_array(c, nf, sizeof *files) : NULL;
    rv_sonata_cfg_population *pops = npop ? rv__cfg_array(c, npop, sizeof *pops) : NULL;
    if ((nf && !files) || (npop && !pops)) return;
    size_t k = 0;
    for (size_t i = 0; i < nf; i++) {
        char ekp[RV__CFG_PATH_MAX];
        rv__cfg_kpi(ekp, kp, i);
        json_t *e = json_array_get(list, i);
        rv_sonata_cfg_network_file *nfile = &files[i];
        nfile->first_population = k;
        if (!json_is_object(e)) {
            RV__CFG_PROBLEM(c, RV_EFORMAT, ekp, "'%s' must be an object, not %s", ekp,
                            rv__cfg_type_name(e));
            continue;
        }
        rv__cfg_path(c, e, ekp, file_key, 1, NULL, &nfile->elements_path);
        rv__cfg_path(c, e, ekp, types_key, 0, NULL, &nfile->types_path);
        nfile->defaults.elements_path = nfile->elements_path;
        nfile->defaults.types_path = nfile->types_path;
        nfile->defaults.file_index = i;
        apply_defaults(&nfile->defaults, &cc->components, edges);
        json_t *pobj = NULL;
        if (rv__cfg_obj(c, e, ekp, "populations", 0, &pobj) <= 0) continue;
        char pkp[RV__CFG_PATH_MAX];
        rv__cfg_kp(pkp, ekp, "populations");
        const char *name;
        json_t *pd;
        json_object_foreach(pobj, name, pd) {
            char onekp[RV__CFG_PATH_MAX];
            rv__cfg_kp(onekp, pkp, name);
            if (!json_is_object(pd)) {
                RV__CFG_PROBLEM(c, RV_EFORMAT, onekp, "'%s' must be an object, not %s", onekp,
                                rv__cfg_type_name(pd));
                continue;
            }
            for (size_t j = 0; j < k; j++) {
                if (strcmp(pops[j].name, name) == 0) {
                    RV__CFG_PROBLEM(c, RV_EFORMAT, onekp,
                                    "%s population '%s' is declared twice (also in "
                                    "networks.%s[%zu])",
                                    edges ? "edge" : "node", name, what, pops[j].file_index);
                    goto next;
                }
            }
            rv_sonata_cfg_population *p = &pops[k];
            p->name = rv__cfg_strdup(c, name);
            p->elements_path = nfile->elements_path;
            p->types_path = nfile->types_path;
            p->file_index = i;
            population(c, pd, onekp, edges, p);
            apply_defaults(p, &cc->components, edges);
            if (complete && c->flavour == RV_SONATA_CFG_FLAVOUR_BBP && p->name)
                check_population(c, p, onekp, edges);
            k++;
        next:;
        }
        nfile->n_populations = k - nfile->first_population;
    }
    if (edges) {
        cc->n_edge_files = nf;
        cc->edge_files = files;
        cc->n_edge_populations = k;
        cc->edge_populations = pops;
    } else {
        cc->n_node_files = nf;
        cc->node_files = files;
        cc->n_node_populations = k;
        cc->node_populations = pops;
    }
}

rv_sonata_circuit_config *rv__cfg_circuit(rv__cfg_ctx *c, rv__cfg_file *f) {
    static const rv__cfg_enum statuses[] = {{"complete", RV_SONATA_CFG_STATUS_COMPLETE},
                                            {"partial", RV_SONATA_CFG_STATUS_PARTIAL},
                                            {NULL, 0}};
    rv_sonata_circuit_config *cc = rv__cfg_alloc(c, sizeof *cc);
    if (!cc) return NULL;
    json_t *root = f->root;
    cc->path = f->path;
    cc->dir = f->dir;
    cc->flavour = c->flavour;
    json_t *ver = json_object_get(root, "version");
    if (ver) rv__cfg_value(c, ver, 0, &cc->version);

    json_t *meta = NULL;
    if (rv__cfg_obj(c, root, "", "metadata", 0, &meta) == 1) {
        int st = 0;
        if (rv__cfg_enumv(c, meta, "metadata", "status", 0, statuses, &st) == 1)
            cc->status = (rv_sonata_cfg_status)st;
        rv__cfg_params(c, meta, "metadata", 0, &cc->metadata);
    }
    int sim = RV_SONATA_CFG_SIM_NEURON;
    rv__cfg_enumv(c, root, "", "target_simulator", 0, rv__cfg_simulators(c), &sim);
    cc->target_simulator = (rv_sonata_cfg_simulator)sim;
    rv__cfg_path(c, root, "", "node_sets_file", 0, NULL, &cc->node_sets_file);
    components(c, root, &cc->components);

    int complete = cc->status == RV_SONATA_CFG_STATUS_COMPLETE;
    json_t *networks = NULL;
    int r = rv__cfg_obj(c, root, "", "networks", complete, &networks);
    if (r == 1) {
        network_list(c, cc, networks, 0, complete);
        network_list(c, cc, networks, 1, complete);
    }
    cc->expanded_json = rv__cfg_dump(c, root);
    return cc;
}
