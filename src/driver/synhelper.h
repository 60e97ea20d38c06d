/* SPDX-License-Identifier: MIT
 * driver/synhelper.h -- private: synapses made by a user's hoc helper
 * template (connection_overrides `modoverride` M -> template `MHelper`,
 * and Exp2Syn_synapse edge populations), as neurodamus makes them (see
 * /work/shared/reference/neurodamus-facts.md §3).
 */
#ifndef RV_DRV_SYNHELPER_H
#define RV_DRV_SYNHELPER_H

#include "ranvier/base.h"
#include "ranvier/engine.h"
#include "ranvier/hoc.h"
#include "ranvier/sonata_circuit.h"

typedef struct rv__synhelper rv__synhelper;

/* The fields neurodamus's SynapseParameters record has for every synapse
 * (the helper reads them as synParams.U etc.). */
typedef struct rv__synparams {
    double sgid, delay, isec, ipt, offset, weight, U, D, F, DTC, synType, nrrp, maskValue,
        conductance_ratio, u_hill_coefficient, location;
} rv__synparams;

/* dirs: the hoc search path for MHelper.hoc (the circuit's mechanisms_dir,
 * every --mechanisms folder; HOC_LIBRARY_PATH is appended); seeds: run's
 * random_seed, ionchannel_seed, synapse_seed, stimulus_seed, minis_seed (our
 * built-in RNGSettings template returns them).  Installs a point-process
 * call hook in h: FUNCTION/PROCEDURE calls made from hoc (setRNG ...) are
 * kept until rv__synhelper_flush. */
rv_status rv__synhelper_create(rv_hoc *h, rv_model *m, const char *const *dirs, int ndirs,
                               const double seeds[5], rv__synhelper **out, rv_error *err);
void rv__synhelper_destroy(rv__synhelper *s);

/* Load the helper template `<mod>Helper` (unless hoc already knows it) and
 * its <mod>Helper_NeededAttributes / _UHillScaleVariables strdefs.  `who`
 * names the override (or edge population) for messages; cfg is the file
 * the error is reported against. */
rv_status rv__synhelper_load(rv__synhelper *s, const char *mod, const char *who, const char *cfg,
                             rv_error *err);

/* The edge population whose synapses are made next: rows are its edge ids
 * (ascending), index i of rv__synhelper_make is an index into rows.
 * exp2syn: an Exp2Syn_synapse population (fields tau1, tau2, erev; no
 * U, D, F, DTC, nrrp, u_hill_coefficient, maskValue). */
void rv__synhelper_begin(rv__synhelper *s, rv_sonata_pop *pop, const char *name, int exp2syn,
                         const uint64_t *rows, size_t n);
void rv__synhelper_end(rv__synhelper *s);

/* One synapse through `<mod>Helper` at engine section sec, location x:
 * new MHelper(tgid1, synParams, x, syn_id, base_seed, spop, tpop) with the
 * section accessed; *pp = its public `synapse`, *mech its mechanism.  The
 * extra attributes of NeededAttributes are read from the edge population
 * (row i of the current one); those in UHillScaleVariables are multiplied
 * by ca_factor (1 without extracellular_calcium). */
rv_status rv__synhelper_make(rv__synhelper *s, const char *mod, size_t i, const rv__synparams *p,
                             double ca_factor, int sec, double x, double tgid1, double syn_id,
                             double base_seed, double spop, double tpop, int *pp, const char **mech,
                             rv_error *err);

/* The NetCon weight index carrying the event type for synapses of
 * mechanism mech: its GLOBAL nc_type_param (0: none). */
rv_status rv__synhelper_nc_slot(rv__synhelper *s, const char *mech, int *slot, rv_error *err);

/* Make the point-process calls kept from hoc, in order (lowers the model). */
rv_status rv__synhelper_flush(rv__synhelper *s, rv_error *err);

#endif
