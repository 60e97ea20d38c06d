/* SPDX-License-Identifier: MIT
 * driver/lfp.h -- LFP (electrode) reports of Blue Brain circuits: the
 * electrodes file (SONATA "electrodes_file", read with HDF5) and the terms
 * of one cell's report elements.  Private to src/driver.
 *
 * Electrodes file (one HDF5 file, any number of populations):
 *   /<population>/node_ids                  1-D integers: the nodes it covers
 *   /<population>/offsets                   1-D integers, len(node_ids) + 1:
 *                                           rows [offsets[i], offsets[i+1])
 *                                           belong to node_ids[i]
 *   /electrodes/<population>/scaling_factors 2-D floats: one row per
 *                                           compartment, one column per
 *                                           electrode
 *
 * Semantics (neurodamus + CoreNEURON, which computes LFP reports online):
 *   - a cell's rows are its compartments in neurodamus' order: the section
 *     lists somatic, axonal, basal, apical, AIS, nodal, myelinated (absent
 *     lists skipped), each section in list order, its nseg segments in arc
 *     order; the number of rows must equal that number of segments;
 *   - the report has, per cell, one element per electrode (element id =
 *     electrode index 0..n-1); its value is sum over the cell's segments
 *     of i_membrane_ (nA, fast_imem: ionic + capacitive, electrode currents
 *     excluded) x the segment's factor, written with units "mV";
 *   - timing: the sum is computed at absolute steps k > 0 with
 *     k % (int)(dt_report / dt) == 0 and a frame takes the last computed
 *     sum (0 before the first), see report_int.h (RV_REP_LFP).
 * Differences from neurodamus: a cell of the report missing from the file
 * (population or node id), or with a row count other than its segment
 * count, is an error here (neurodamus warns and leaves the cell out).
 */
#ifndef RV_DRIVER_LFP_H
#define RV_DRIVER_LFP_H

#include "ranvier/base.h"
#include "ranvier/engine.h"
#include "ranvier/hoc.h"
#include "ranvier/sonata_config.h"
#include "report_int.h"

#include <stddef.h>
#include <stdint.h>

typedef struct rv__lfp rv__lfp; /* an open electrodes file */

/* Open and check the file's layout (an "electrodes" group). */
rv_status rv__lfp_open(const char *path, rv__lfp **out, rv_error *err);
void rv__lfp_close(rv__lfp *f); /* accepts NULL */

/* The electrodes file of an lfp report: the report's own "electrodes_file"
 * (relative to the simulation config's directory), else run.electrodes_file;
 * opened.  Errors name the config file and key. */
rv_status rv__lfp_open_for_report(const rv_sonata_simulation_config *s,
                                  const rv_sonata_cfg_report *rc, rv__lfp **out, rv_error *err);

/* The scaling factors of node `node_id` of `population`: *rows x *n_elec
 * doubles, row-major, in *out (rv_malloc; the caller frees).  Errors
 * (missing population or node, inconsistent shapes) name the file and the
 * dataset. */
rv_status rv__lfp_node_factors(rv__lfp *f, const char *population, uint64_t node_id, double **out,
                               size_t *rows, size_t *n_elec, rv_error *err);

/* Add one cell to an LFP report r (rv__rep_add_cell, one element per
 * electrode, terms i_membrane_ x factor).  cellref is the hoc objref of the
 * cell's template instance.  The model must have fast_imem on. */
rv_status rv__lfp_add_cell(rv__lfp *f, rv_drv_report *r, rv_model *m, rv_hoc *h,
                           const char *cellref, const char *population, uint64_t gid,
                           uint64_t node_id, rv_error *err);

#endif
