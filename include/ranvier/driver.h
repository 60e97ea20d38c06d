/* SPDX-License-Identifier: MIT
 * ranvier/driver.h -- layer 5: `ranvier run`, a SONATA simulation from its
 * configuration file to its output files (the neurodamus / BMTK layer).
 *
 * First slice (issue 6): point-neuron circuits of the Allen/BMTK flavour.
 *   - nodes: model_type point_process / point_neuron with model_template
 *     nrn:IntFire1 and a dynamics_params JSON file in point_neuron_models_dir
 *     (tau, refrac in seconds there, converted to ms as BMTK does);
 *     virtual populations are spike sources only.
 *   - gids: BMTK's GidPool, node populations in circuit order, each starting
 *     right after the previous one (offset = sum of the previous sizes).
 *   - edges: one NetCon per edge, delay = `delay`, weight = syn_weight_fn *
 *     (sign * nsyns) with sign from the synaptic_models_dir JSON named by
 *     dynamics_params; edges with sec_id/afferent_section_id or without
 *     nsyns get syn_weight alone (BMTK's preselected_targets rule).
 *     Weight functions: wmax, default_weight_fnc, set_syn_weight (= syn_weight).
 *   - inputs: "spikes" inputs from SONATA spike files (h5/sonata module)
 *     replayed by one VecStim per virtual node of the input's node set.
 *     NetCons are created in BMTK's order: recurrent edge populations first,
 *     then for every input (in file order) the edges leaving its populations;
 *     within an edge population, targets by ascending node id, then edge id.
 *   - cells dealt round-robin over MPI ranks (row % size), per population.
 *   - output: SONATA spikes of the non-virtual populations in
 *     output.spikes_file with output.spikes_sort_order, written atomically by
 *     rank 0.
 * Anything else in the config that would change the result (biophysical
 * cells, other input modules, reports ...) is refused with RV_EUNSUPPORTED
 * naming the key, never silently ignored.
 */
#ifndef RV_DRIVER_H
#define RV_DRIVER_H

#include "ranvier/base.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct rv_drv_options {
    const char *config;            /* simulation_config.json or BMTK config.json */
    const char *output_dir;        /* NULL: the config's output.output_dir */
    const char *const *mechanisms; /* extra folders of .mod files (replace built-ins) */
    size_t n_mechanisms;
    const char *builtin_mechanisms; /* folder holding VecStim.mod; NULL: the default */
    int use_mpi;                    /* 1: MPI_COMM_WORLD (MPI_Init if needed) */
    int verbose;                    /* progress on stderr (rank 0) */
    int event_order;                /* rv_event_order; 0 (AUTO): NEURON on one rank, GID on more */
} rv_drv_options;

typedef struct rv_drv_result {
    int rank, size;         /* MPI rank and size (0, 1 without MPI) */
    char spikes_path[1024]; /* the spike file written */
    uint64_t n_spikes;      /* spikes written (all ranks; rank 0 only knows) */
    uint64_t n_cells;       /* cells instantiated (all ranks) */
    uint64_t n_virtual;     /* virtual cells replaying spikes (all ranks) */
    uint64_t n_netcons;     /* NetCons created (all ranks) */
    double tstop;
} rv_drv_result;

/* Run the simulation described by o->config.  Collective under MPI: every
 * rank returns the same status and message (the lowest failing rank's). */
rv_status rv_drv_run(const rv_drv_options *o, rv_drv_result *res, rv_error *err);

/* MPI is finalized by this call if rv_drv_run initialised it (no-op
 * otherwise). */
void rv_drv_finalize(void);

/* 1 when the driver was built with MPI. */
int rv_drv_has_mpi(void);

#ifdef __cplusplus
}
#endif
#endif
