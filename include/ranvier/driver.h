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
 *
 * Blue Brain circuits (not the Allen flavour, some population of type
 * biophysical) follow neurodamus instead (src/driver/bbp.c):
 *   - gids: populations in alphabetical order, offsets the next multiple of
 *     1000 above the previous population's highest gid (virtual ones
 *     included); populations_offset.dat in the output folder.
 *   - cells: sorted(node set ids)[rank::size] of every biophysical
 *     population; hoc template <model_template without hoc:> loaded from
 *     biophysical_neuron_models_dir into one hoc interpreter per rank;
 *     new T(raw id, morphology folder, "name.ext", <emodel>_NeededAttributes
 *     values from dynamics_params, or 0); morphology folder and extension
 *     from alternate_morphologies (neurolucida-asc, h5v1) else swc;
 *     re_init_rng(ionchannel_seed) when the template has it; spikes detected
 *     at soma[0](1) (axon[1](0.5) with spike_location AIS) with
 *     run.spike_threshold.  Node positions and rotations are not read.
 *   - chemical edges: ProbAMPANMDA_EMS (syn_type_id >= 100) or
 *     ProbGABAAB_EMS placed through the template's v(0.0001) section index
 *     at afferent_section_pos (or afferent_segment_id/offset along the 3-D
 *     points); parameters, synapse ids, setRNG seeds (MD5
 *     population ids), delay truncation, NetCon weight = conductance x
 *     weight factor, creation by descending source gid; connection_overrides
 *     (weight, spont_minis, synapse_delay_override, synapse_configure, delayed
 *     weight changes), minis through InhPoissonStim, synapse_replay inputs
 *     through VecStim.  Mechanisms from components.mechanisms_dir and
 *     o->mechanisms.
 *   - inputs: every current/conductance/seclamp module of neurodamus (signals
 *     of driver/stimulus.c, played into IClamp / MembraneCurrentSource /
 *     ConductanceSource / SEClamp at 0.5 of every soma section).
 *   - reports: compartment, summation, compartment_set and synapse reports
 *     (driver/report.c), alphabetical.
 *   - conditions.modifications: ttx, configure_all_sections (once per
 *     segment), section_list, section; statements "PREFIX.attr op number"
 *     only.
 *   - output: spikes /spikes/<population> sorted by (time, node id) in
 *     output_dir/<basename of spikes_file> (default out.h5); the marker
 *     <config>.SUCCESS is removed first and written last by rank 0.
 * Anything else in the config that would change the result (gap junctions,
 * LFP reports, modoverride, legacy morpho_* placement, ...) is refused with RV_EUNSUPPORTED naming
 * the key, never silently ignored.
 */
#ifndef RV_DRIVER_H
#define RV_DRIVER_H

#include "ranvier/base.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RV_DRV_LB_ROUNDROBIN 0
#define RV_DRV_LB_WHOLECELL  1

typedef struct rv_drv_options {
    const char *config;            /* simulation_config.json or BMTK config.json */
    const char *output_dir;        /* NULL: the config's output.output_dir */
    const char *const *mechanisms; /* extra folders of .mod files (replace built-ins) */
    size_t n_mechanisms;
    const char *builtin_mechanisms; /* folder holding VecStim.mod; NULL: the default */
    int use_mpi;                    /* 1: MPI_COMM_WORLD (MPI_Init if needed) */
    int verbose;                    /* progress on stderr (rank 0) */
    int event_order;                /* rv_event_order; 0 (AUTO): NEURON on one rank, GID on more */
    const char *record_soma;        /* Blue Brain: write soma[0](0.5).v of every local cell at every
                                       step to <record_soma>.<rank> ("gid step v" lines); NULL: off */
    /* --dump-cell-state: after finitialize and at tstop, every listed gid with
     * a cell on this rank is written as NEURON's pc.prcellstate(gid,
     * "py_Neuron_t<t>") into the output folder (rv_model_prcellstate_gids) */
    const int64_t *dump_gids;
    size_t n_dump_gids;
    int dry_run; /* --dry-run: build everything, do not simulate, write no output
                    (the output folder is created; the CLI writes its log there) */
    /* --lb-mode (Blue Brain circuits): RV_DRV_LB_ROUNDROBIN (0, default) or
     * RV_DRV_LB_WHOLECELL: whole cells balanced by complexity with
     * neurodamus's cx_<target>#.dat files under ./sim_conf (driver/loadbal.h) */
    int lb_mode;
    /* Log sink: every progress line (with or without verbose), rank 0 only,
     * without the trailing newline; NULL: none. */
    void (*log)(void *ud, const char *line);
    void *log_ud;
    /* Save/restore (neurodamus --save, --save-time, --restore; driver/ckpt.c).
     * Relative folders are taken from the simulation config's folder, as
     * neurodamus does.  save_dir: write the state there at tstop, or at
     * save_time when has_save_time (later than tstop: at tstop), one file per
     * rank (ranvier.r<rank>.ckpt), the run going on to tstop.  restore_dir:
     * continue from the state saved there (same circuit, config and number of
     * ranks); spikes and reports then cover the restored time onwards. */
    const char *save_dir;
    double save_time;
    int has_save_time;
    const char *restore_dir;
} rv_drv_options;

typedef struct rv_drv_result {
    int rank, size;         /* MPI rank and size (0, 1 without MPI) */
    char spikes_path[1024]; /* the spike file written */
    uint64_t n_spikes;      /* spikes written (all ranks; rank 0 only knows) */
    uint64_t n_cells;       /* cells instantiated (all ranks) */
    uint64_t n_virtual;     /* virtual cells replaying spikes (all ranks) */
    uint64_t n_netcons;     /* NetCons created (all ranks) */
    double tstop;
    uint64_t n_synapses;   /* Blue Brain circuits: synapses created (all ranks) */
    char output_dir[1024]; /* the output folder, set (and created) as soon as it is known */
    int dry_run;           /* 1: built only (o->dry_run), nothing simulated or written */
    /* save/restore: the time restored from (restored = 1) and saved at (saved = 1) */
    int restored, saved;
    double t_restored, t_saved;
    char save_dir[1024]; /* the folder written (saved = 1) */
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
