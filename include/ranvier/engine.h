/* SPDX-License-Identifier: MIT
 * ranvier/engine.h -- layer 1: the NEURON-equivalent cable engine, C API.
 *
 * A rv_model is the part of a network that lives on one process (one MPI
 * rank).  It is built as a *description* -- sections, inserted mechanisms,
 * point processes, spike sources (gids) and NetCons -- and lowered into
 * structure-of-arrays storage by the first rv_model_finitialize.  After that
 * the structure is frozen (structural calls return RV_ESTATE) but parameters
 * can still be read and written.
 *
 * Handles are small non-negative ints: a section id, a point-process id, a
 * NetCon id, a record id.  Positions x are NEURON's normalized arc positions
 * 0 <= x <= 1 and select segments exactly as NEURON does.
 *
 * Numerics follow NEURON 8.2 fixed step: implicit Euler (secondorder 0) or
 * Crank-Nicolson (secondorder 2), the same order of operations, the same
 * numerical di/dv, the same event semantics (threshold spikes at t + 1e-10,
 * events delivered at t + dt/2).
 */
#ifndef RV_ENGINE_H
#define RV_ENGINE_H

#include "ranvier/base.h"
#include "ranvier/mech_abi.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct rv_model rv_model;

/* Collective operations for spike exchange between processes.  The engine
 * never calls MPI itself; rv_comm_mpi (comm_mpi.h) fills one from an MPI
 * communicator.  All functions return 0 on success. */
typedef struct rv_comm {
    int rank, size;
    void *ud;
    int (*allgather_int)(void *ud, int mine, int *all);
    int (*allgatherv_bytes)(void *ud, const void *send, int nbytes, void *recv, const int *counts,
                            const int *displs);
    int (*allreduce_min)(void *ud, double mine, double *out);
    int (*allreduce_max)(void *ud, double mine, double *out);
    /* Optional (NULL: absent), needed by voltage transfer with more than one
     * process: rank r's sendcounts[d] bytes at send + sdispls[d] land at
     * recv + rdispls[r] on rank d (MPI_Alltoallv of bytes). */
    int (*alltoallv_bytes)(void *ud, const void *send, const int *sendcounts, const int *sdispls,
                           void *recv, const int *recvcounts, const int *rdispls);
} rv_comm;

/* ---- model lifetime ---------------------------------------------------- */
rv_status rv_model_create(rv_model **out, rv_error *err);
void rv_model_destroy(rv_model *m);
/* Register a mechanism type (built-ins are registered by rv_model_create).
 * The type must outlive the model. */
rv_status rv_model_add_mech(rv_model *m, const rv_mech_type *type, rv_error *err);
/* The registered mechanism type called name ("hh", "na_ion"), or NULL. */
const rv_mech_type *rv_model_mech_type(const rv_model *m, const char *name);
/* Replace the registered mechanism of the same name (e.g. a built-in) by
 * `type`, keeping its place in the mechanism order (so currents are summed
 * in the same order).  Only before the mechanism is used (inserted or
 * instantiated) and before setup; the ions `type` uses must already be
 * registered before it.  RV_ENOENT when no mechanism has that name. */
rv_status rv_model_replace_mech(rv_model *m, const rv_mech_type *type, rv_error *err);
/* Use a communicator for spike exchange (copied).  NULL: single process. */
rv_status rv_model_set_comm(rv_model *m, const rv_comm *comm, rv_error *err);

/* ---- global parameters (NEURON's defaults: dt 0.025, celsius 6.3) ------- */
rv_status rv_model_set_dt(rv_model *m, double dt, rv_error *err);
rv_status rv_model_set_celsius(rv_model *m, double celsius, rv_error *err);
rv_status rv_model_set_secondorder(rv_model *m, int secondorder, rv_error *err);
/* Order of events due at exactly the same time (NetCon and self events).
 * NEURON: the order they were queued (NEURON's FIFO), which reproduces
 * NEURON exactly on one process.  GID: by the simulated time they were sent,
 * then self events before NetCon events, then source gid and NetCon index:
 * the same on any number of processes.  AUTO (default): NEURON on one
 * process, GID with a communicator of more than one process.  The two differ
 * only for exact ties between events from different sources. */
typedef enum rv_event_order {
    RV_EVENT_ORDER_AUTO = 0,
    RV_EVENT_ORDER_NEURON = 1,
    RV_EVENT_ORDER_GID = 2
} rv_event_order;
rv_status rv_model_set_event_order(rv_model *m, rv_event_order order, rv_error *err);
/* Compute i_membrane_ (nA) at every node, as cvode.use_fast_imem(1). */
rv_status rv_model_set_fast_imem(rv_model *m, int on, rv_error *err);
double rv_model_t(const rv_model *m);
double rv_model_dt(const rv_model *m);
/* Set a mechanism GLOBAL variable ("usetable_hh"). */
rv_status rv_model_set_global(rv_model *m, const char *name, double value, rv_error *err);

/* ---- sections ---------------------------------------------------------- */
/* New unconnected section: L 100, diam 500, Ra 35.4, cm 1 (NEURON defaults). */
rv_status rv_section_create(rv_model *m, const char *name, int nseg, int *sec, rv_error *err);
rv_status rv_section_set_nseg(rv_model *m, int sec, int nseg, rv_error *err);
rv_status rv_section_set_L(rv_model *m, int sec, double L, rv_error *err);
rv_status rv_section_set_Ra(rv_model *m, int sec, double Ra, rv_error *err);
/* diam/cm of every segment, or of the segment containing x. */
rv_status rv_section_set_diam(rv_model *m, int sec, double diam, rv_error *err);
rv_status rv_section_set_cm(rv_model *m, int sec, double cm, rv_error *err);
rv_status rv_section_set_seg_diam(rv_model *m, int sec, double x, double diam, rv_error *err);
rv_status rv_section_set_seg_cm(rv_model *m, int sec, double x, double cm, rv_error *err);
/* Append a 3-D point (stored in single precision, as NEURON does).  With two
 * or more points L and every segment's diam come from the points. */
rv_status rv_section_pt3d_add(rv_model *m, int sec, double x, double y, double z, double d,
                              rv_error *err);
/* connect child(child_end), parent(parent_x); child_end is 0 or 1. */
rv_status rv_section_connect(rv_model *m, int child, int child_end, int parent, double parent_x,
                             rv_error *err);
rv_status rv_section_insert(rv_model *m, int sec, const char *mech, rv_error *err);
/* L of a section: the arc length of its 3-D points (at least 1e-9) when
 * it has two or more, else the L set; available before setup. */
rv_status rv_section_get_L(rv_model *m, int sec, double *L, rv_error *err);
/* 3-D points: count (-1 for a bad or deleted id), point i as stored (single
 * precision values) with its arc length from point 0 (arc may be NULL), and
 * NEURON's pt3dclear (before setup; L keeps the value of the points). */
int rv_section_pt3d_count(const rv_model *m, int sec);
rv_status rv_section_pt3d_get(rv_model *m, int sec, int i, double xyzd[4], double *arc,
                              rv_error *err);
rv_status rv_section_pt3d_clear(rv_model *m, int sec, rv_error *err);
/* NEURON's delete_section, before setup only: the section is detached from
 * its parent, its children become roots, and lowering skips it.  Its id
 * stays allocated; every later call on it fails with RV_ESTATE.  Refused
 * (RV_EUNSUPPORTED) when a point process, spike source or record is on it. */
rv_status rv_section_delete(rv_model *m, int sec, rv_error *err);
int rv_section_is_deleted(const rv_model *m, int sec);
int rv_model_section_count(const rv_model *m);
const char *rv_section_name(const rv_model *m, int sec);
int rv_section_nseg(const rv_model *m, int sec);

/* Range variables by NEURON name: "v", "diam", "cm", "gnabar_hh", "ena",
 * "nai", "i_membrane_" (read only) ...; x selects the segment.  Reading
 * "diam" of a section with 3-D points does not set the model up. */
rv_status rv_range_set(rv_model *m, int sec, double x, const char *name, double value,
                       rv_error *err);
rv_status rv_range_get(rv_model *m, int sec, double x, const char *name, double *value,
                       rv_error *err);
/* Segment area (um2) and axial resistance to the parent node (MOhm), as
 * NEURON's area(x) and ri(x).  Available after rv_model_setup. */
rv_status rv_section_area(rv_model *m, int sec, double x, double *area, rv_error *err);
rv_status rv_section_ri(rv_model *m, int sec, double x, double *ri, rv_error *err);

/* ---- point processes and artificial cells ------------------------------ */
/* sec < 0 for an ARTIFICIAL_CELL.  Defaults from the mechanism. */
rv_status rv_pp_create(rv_model *m, const char *mech, int sec, double x, int *pp, rv_error *err);
rv_status rv_pp_set(rv_model *m, int pp, const char *var, double value, rv_error *err);
rv_status rv_pp_get(rv_model *m, int pp, const char *var, double *value, rv_error *err);
/* A Random123 stream for the mechanism's random draws (NetStim noise),
 * as noiseFromRandom123(id1, id2, id3). */
rv_status rv_pp_set_random123(rv_model *m, int pp, uint32_t id1, uint32_t id2, uint32_t id3,
                              rv_error *err);

/* Point the POINTER variable `ptr` of point process pp at the range
 * variable `target` ("v", "vgap_Gap" ...) at (sec, x); kept across
 * lowering (NEURON: setpointer pp._ref_ptr, sec(x)._ref_target). */
rv_status rv_pointer_set(rv_model *m, int pp, const char *ptr, int sec, double x,
                         const char *target, rv_error *err);
/* Call the FUNCTION / PROCEDURE `fn` of point process pp with arguments
 * (numbers or rv_vec objects, see mech_abi.h); lowers the model if needed.
 * *result (may be NULL) receives a FUNCTION's value. */
rv_status rv_pp_call(rv_model *m, int pp, const char *fn, const rv_mech_arg *args, int nargs,
                     double *result, rv_error *err);

/* ---- spike sources, NetCons -------------------------------------------- */
/* Make gid a spike source owned by this process: threshold crossing of v at
 * (sec, x) (NEURON: pc.set_gid2node + NetCon(&v(x), nil) + pc.cell). */
rv_status rv_gid_from_section(rv_model *m, int64_t gid, int sec, double x, double threshold,
                              rv_error *err);
/* ... or the net_event of a point process / artificial cell. */
rv_status rv_gid_from_pp(rv_model *m, int64_t gid, int pp, rv_error *err);
/* NetCon from the source gid (on any process) to a local target point
 * process; weight vector length = the target's NET_RECEIVE arity. */
rv_status rv_netcon_create(rv_model *m, int64_t src_gid, int target_pp, double delay, double weight,
                           int *nc, rv_error *err);
rv_status rv_netcon_set_weight(rv_model *m, int nc, int index, double w, rv_error *err);
rv_status rv_netcon_set_delay(rv_model *m, int nc, double delay, rv_error *err);

/* ---- simulation -------------------------------------------------------- */
/* Lower the description (idempotent); done by finitialize if needed. */
rv_status rv_model_setup(rv_model *m, rv_error *err);
/* NEURON's finitialize(v_init). */
rv_status rv_model_finitialize(rv_model *m, double v_init, rv_error *err);
/* One fixed step (fadvance). */
rv_status rv_model_step(rv_model *m, rv_error *err);
/* Steps while t < tstop - dt/2 (NEURON's continuerun on the fixed grid). */
rv_status rv_model_run(rv_model *m, double tstop, rv_error *err);
/* After rv_model_finitialize: ten steps of skip/10 from t = -1e9, then dt
 * restored, t = 0 and every record restarted (neurodamus' ForwardSkip on
 * NEURON: fadvance from negative time, then frecord_init). */
rv_status rv_model_forward_skip(rv_model *m, double skip, rv_error *err);

/* ---- recording --------------------------------------------------------- */
/* Record a range variable at (sec, x) at t=0 and after every step (as
 * Vector.record).  "t" records time (sec ignored). */
rv_status rv_record_range(rv_model *m, int sec, double x, const char *name, int *rec,
                          rv_error *err);
rv_status rv_record_pp(rv_model *m, int pp, const char *var, int *rec, rv_error *err);
const double *rv_record_data(const rv_model *m, int rec, size_t *n);

/* Spikes of local gids, in the order produced (time, gid). */
size_t rv_spike_count(const rv_model *m);
void rv_spike_get(const rv_model *m, size_t i, double *t, int64_t *gid);

/* ---- play and pointers ------------------------------------------------- */
/* Play n (t, y) points into a variable, as NEURON 8.2's fixed-step
 * Vector.play(&var, tvec, continuous) (the arrays are copied; t must not
 * decrease).  continuous = 0: y[k] is written by an event at t[k] (events in
 * (t, t + dt/2] take effect for the step starting at t).  continuous = 1:
 * linear interpolation written at t + dt/2 (before the currents) and t + dt
 * (before the states) of every step and at every point's event; equal
 * consecutive times give the mean of their two values there; before t[0]
 * it is y[0]; after the last point NEURON extends the last segment
 * linearly.  At finitialize the variable gets a played value only if
 * t[0] <= 0.  Usable before or after setup; active from the next
 * finitialize. */
rv_status rv_play_pp(rv_model *m, int pp, const char *var, const double *t, const double *y,
                     size_t n, int continuous, rv_error *err);
rv_status rv_play_range(rv_model *m, int sec, double x, const char *name, const double *t,
                        const double *y, size_t n, int continuous, rv_error *err);
/* Stable read pointers to a range variable at (sec, x) ("v", "i_membrane_"
 * with fast_imem, "ina", "g_pas", "i_pas" ...) or a point-process variable
 * ("i" of IClamp).  They set the model up if needed and stay valid until
 * rv_model_destroy. */
rv_status rv_range_ptr(rv_model *m, int sec, double x, const char *name, const double **p,
                       rv_error *err);
rv_status rv_pp_ptr(rv_model *m, int pp, const char *var, const double **p, rv_error *err);
/* Called by every finitialize after the INITIAL blocks and the events due
 * at t = 0, before the first currents are computed: where NEURON delivers
 * events sent at t = 0 by INITIAL blocks (report helpers sample there).
 * fn NULL removes it. */
rv_status rv_model_set_init_hook(rv_model *m, void (*fn)(void *ud, rv_model *m), void *ud,
                                 rv_error *err);

/* ---- voltage transfer (gap junctions) ----------------------------------
 * NEURON's ParallelContext source_var / target_var / setup_transfer.  A
 * source publishes v of the segment containing x under id sgid (at most one
 * source per sgid over all processes); a target makes the POINTER
 * `pointer_name` of point process pp (or, if pp has no such POINTER, its
 * variable of that name) receive the value of source sgid, which may live on
 * another process (several targets may share an sgid; a POINTER target is
 * not also set with rv_pointer_set).  Declare them before the first
 * finitialize (a POINTER target before setup: it gets a holder).  The first
 * rv_model_finitialize sets the transfer up -- collectively, with a
 * communicator of more than one process (which then needs alltoallv_bytes),
 * so every process must call it -- and fails naming the sgid of a target
 * without a source anywhere.  Values move as in NEURON's fixed step: at
 * finitialize after v is set (before the INITIAL blocks), and in every step
 * right after the voltage update (before the states), so the currents of a
 * step see the source v at the start of that step.  The copied values are
 * exact: results do not depend on the number of processes. */
rv_status rv_transfer_source(rv_model *m, int64_t sgid, int sec, double x, rv_error *err);
rv_status rv_transfer_target(rv_model *m, int64_t sgid, int pp, const char *pointer_name,
                             rv_error *err);

/* Statistics */
typedef struct rv_model_stats {
    int n_cells, n_sections, n_nodes;
    size_t n_events_delivered, n_spikes_local, bytes_data;
} rv_model_stats;
void rv_model_get_stats(const rv_model *m, rv_model_stats *st);

/* The state of cell `gid` written as NEURON 8.2's pc.prcellstate(gid, suffix)
 * does: file <dir>/<gid>_<suffix>.nrndat (dir NULL or "": the current
 * directory); nodes, areas, a/b, v, every mechanism instance of the cell and
 * the NetCons into its point processes (layout and known differences: see
 * src/engine/prcellstate.c).  Sets the model up if needed.  A gid without a
 * cell on this process writes nothing and returns RV_OK (as NEURON). */
rv_status rv_model_prcellstate(rv_model *m, int64_t gid, const char *suffix, const char *dir,
                               rv_error *err);
/* x as Python's repr(float) writes it ("0.0", "5.000000000000037", "1e-05"):
 * the <t> of neurodamus' "py_Neuron_t<t>" suffixes. */
void rv_format_py_float(double x, char *buf, size_t n);
/* neurodamus' --dump-cell-state: rv_model_prcellstate for each of gids that
 * has a cell here, suffix "py_Neuron_t<t_label as Python prints it>" (0.0
 * after finitialize, tstop at the end) and "t = <t_label>" (neurodamus sets
 * h.t to tstop before its last dump). */
rv_status rv_model_prcellstate_gids(rv_model *m, const int64_t *gids, size_t n, double t_label,
                                    const char *dir, rv_error *err);

#ifdef __cplusplus
}
#endif
#endif
