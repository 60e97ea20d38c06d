/* SPDX-License-Identifier: MIT
 * driver/allen_cell_int.h -- private to the driver layer: an Allen Institute
 * perisomatic cell (an SWC morphology plus a Cell Types `*_fit.json`) built
 * in an engine model exactly as BMTK builds it for a SONATA node with
 * model_type biophysical, model_template `ctdb:Biophys1.hoc` and
 * model_processing `aibs_perisomatic`:
 *
 *   1. Biophys1: Import3d of the SWC (rv_morph_load + rv_morph_instantiate);
 *   2. fix_axon_peri: every `axon` section deleted, axon[0] and axon[1]
 *      created (L 30, diam 1), axon[0](0) on soma[0](0.5), axon[1](0) on
 *      axon[0](1);
 *   3. set_params_peri: every section Ra = passive.ra, cm from passive.cm by
 *      section type (the first four letters of the section name), pas
 *      inserted with e_pas = passive.e_pas; then each genome entry in order
 *      (insert its mechanism, set its variable on every section of its
 *      type); then conditions.erev (ena, ek) by section type;
 *   4. BioCell.set_nseg: nseg = 1 + 2 int(L / (2 dL)) for every section.
 *
 * Beyond BMTK (which stops with a KeyError): fits of the older layout whose
 * `passive` has only `ra` (cm, Ra and e_pas are genome entries, values may
 * be strings) are accepted: a missing passive cm / e_pas leaves NEURON's
 * default.  celsius and v_init are reported, not applied: BMTK takes them
 * from the simulation config (run / conditions).  The mechanisms named by
 * the genome must be registered in the model first (mechanisms/allen via
 * rv__allen_load_mechanisms, or a circuit's own mechanisms_dir).
 */
#ifndef RV_ALLEN_CELL_INT_H
#define RV_ALLEN_CELL_INT_H

#include "ranvier/base.h"
#include "ranvier/engine.h"
#include "ranvier/nmodl.h"

#include <stdio.h>

typedef struct rv__allen_opts {
    const char *prefix; /* section name prefix ("Biophys1[3]."), NULL for none */
    double dL;          /* BMTK's run.dL (um); <= 0 means 20 */
} rv__allen_opts;

typedef struct rv__allen_var {
    int sec;       /* model section id */
    char name[64]; /* range variable set by the fit ("gbar_NaV", "e_pas", "cm", "ena") */
} rv__allen_var;

typedef struct rv__allen_cell {
    int soma;    /* model id of soma[0] (spike detector and IClamp site) */
    int axon[2]; /* the stub */
    int nsec;    /* live sections of the cell: Import3d order, then axon[0], axon[1] */
    int *secs;   /* nsec model section ids */
    int nvar;    /* every (section, variable) the fit set, in order of application */
    rv__allen_var *var;
    double celsius;   /* conditions[0].celsius, NAN when absent */
    double v_init;    /* conditions[0].v_init, NAN when absent */
    double dL;        /* the dL used */
    int *parent;      /* [nsec]: index in secs of the parent, -1 for a root */
    double *parent_x; /* [nsec]: where on the parent (connect this(0), parent(x)) */
    int *stype;       /* [nsec]: SWC type of the name (soma 1, axon 2, dend 3, apic 4, else 0) */
} rv__allen_cell;

/* One segment of the cell as BMTK's Morphology.seg_props lists them (hobj.all
 * order, then segments along the section): the section (index in secs),
 * x = (i + 0.5) / nseg, length L / nseg, its SWC type, and dist: NEURON's
 * distance(seg) from the origin soma[0](0) (topol_distance: node distances
 * summed from the segment up to the soma; 1e20 when not connected to it). */
typedef struct rv__allen_seg {
    int sec;
    double x, length, dist;
    int type;
} rv__allen_seg;

/* mechanisms/allen of the source tree (RANVIER_MECHANISMS_DIR/allen when the
 * environment variable is set). */
const char *rv__allen_mechanisms_dir(char *buf, size_t n);

/* Compile (cached) and register the .mod files of dir (NULL: the folder
 * above) into m.  Names already registered are replaced in place. */
rv_status rv__allen_load_mechanisms(rv_model *m, const char *dir, rv_nmodl_lib **lib,
                                    rv_error *err);

/* Build one cell into m (before setup).  opts may be NULL.  On failure the
 * model may hold a partial cell; *out is left empty.  Errors name the SWC
 * (line) or the fit file and its JSON key ("genome[3].value"). */
rv_status rv__allen_cell_build(rv_model *m, const char *swc, const char *fit_json,
                               const rv__allen_opts *opts, rv__allen_cell *out, rv_error *err);
void rv__allen_cell_free(rv__allen_cell *c);

/* The segments of a built cell (before or after setup); *segs is
 * rv_malloc'ed (caller frees), *n their count. */
rv_status rv__allen_cell_segments(rv_model *m, const rv__allen_cell *c, rv__allen_seg **segs,
                                  int *n, rv_error *err);

/* JSON description of the cell after setup: every section (name, nseg, L,
 * Ra) and segment (x, area, diam, cm, and every variable the fit set). */
rv_status rv__allen_cell_dump(rv_model *m, const rv__allen_cell *c, FILE *f, rv_error *err);

#endif
