/* SPDX-License-Identifier: MIT
 * ranvier/sonata_resolve.h -- what a node's attributes mean, given the
 * circuit config: its model type, its model template, its morphology file.
 * (layer 4; pure functions over the config structs and attribute values.)
 */
#ifndef RV_SONATA_RESOLVE_H
#define RV_SONATA_RESOLVE_H

#include "ranvier/sonata_circuit.h"
#include "ranvier/sonata_config.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Properties of node population `name` of nodes file `file_index`: the
 * declared population, else the file's defaults (BMTK circuits declare
 * none).  NULL if the file index is out of range. */
const rv_sonata_cfg_population *rv_sonata_resolve_node_population(const rv_sonata_circuit_config *c,
                                                                  size_t file_index,
                                                                  const char *name);

/* Effective model type of one node: the population "type" when the config
 * writes it (it overrides the attribute, as libsonata/neurodamus do), else
 * the node's model_type attribute (HDF5 or types CSV; may be NULL), else the
 * population type ("biophysical" by default).  Returns a pointer into one of
 * the inputs. */
const char *rv_sonata_resolve_model_type(const rv_sonata_cfg_population *pop,
                                         const char *model_type_attr);

typedef enum rv_sonata_template_kind {
    RV_SONATA_TEMPLATE_NONE = 0, /* no model_template (virtual nodes) */
    RV_SONATA_TEMPLATE_HOC,      /* "hoc:NAME": hoc template NAME in NAME.hoc */
    RV_SONATA_TEMPLATE_NRN,      /* "nrn:NAME": a NEURON class (IntFire1, NetStim...) */
    RV_SONATA_TEMPLATE_CTDB,     /* "ctdb:Biophys1.hoc": Allen perisomatic fit */
    RV_SONATA_TEMPLATE_NML,      /* "nml:FILE" (NeuroML) */
    RV_SONATA_TEMPLATE_OTHER     /* anything else, kept verbatim in name */
} rv_sonata_template_kind;

typedef struct rv_sonata_template {
    rv_sonata_template_kind kind;
    char name[256];  /* after the "scheme:" prefix; ".hoc" removed for hoc/ctdb */
    char path[1024]; /* hoc: <biophysical_neuron_models_dir>/NAME.hoc; else "" */
} rv_sonata_template;

/* Split a model_template value ("hoc:cADpyr", "nrn:IntFire1", a bare
 * "cADpyr" is taken as hoc as neurodamus does).  NULL or "" gives NONE.
 * RV_ERANGE when a name or path does not fit. */
rv_status rv_sonata_resolve_template(const rv_sonata_cfg_population *pop, const char *value,
                                     rv_sonata_template *out, rv_error *err);

/* Morphology file of a node whose `morphology` attribute is `name`.
 * format: NULL for neurodamus' choice -- "neurolucida-asc" folder with .asc
 * if the config has one, else "h5v1" with .h5, else morphologies_dir with
 * .swc -- or "swc", "asc", "h5" to ask for one.  A name that already ends
 * in .swc/.asc/.h5 keeps its extension (BMTK writes them).  RV_ENOENT when
 * the needed folder is not configured. */
rv_status rv_sonata_resolve_morphology(const rv_sonata_cfg_population *pop, const char *name,
                                       const char *format, char *out, size_t n, rv_error *err);

#ifdef __cplusplus
}
#endif
#endif
