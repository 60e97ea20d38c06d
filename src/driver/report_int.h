/* SPDX-License-Identifier: MIT
 * driver/report_int.h -- neurodamus-style SONATA reports: sampling of model
 * variables (through stable engine pointers) with neurodamus' timing, and
 * writing through the sonata layer's report writer (gathered to rank 0,
 * written atomically).  Private to src/driver.
 *
 * A report holds, for every local cell (final gid, SONATA node id,
 * population), a list of elements; an element is an element id and a list
 * of terms (const double *ptr, double factor).  Its value is
 *   sum over terms of (*ptr) * factor, summed in the order added from 0.
 *
 * Timing (neurodamus on NEURON, fixed step; see neurodamus-facts.md §6):
 *   - a helper event fires at 0, dt, 2 dt ... (each time = previous + dt);
 *     at its k-th firing it records a frame if step k is due:
 *     last = start/dt (double), period = (int)(dt_report/dt); due when
 *     k >= last, k <= end/dt and (int)(k - last) % period == 0; after a
 *     frame last += period.  At most n_frames frames
 *     (ceil((end - round(start/dt_report) dt_report)/dt_report)) are kept;
 *     missing frames at the end are written as zeros.
 *   - compartment, compartment_set, synapse: the frame reads the terms when
 *     the helper fires.
 *   - summation: an ALU per element computes the sum when its own event
 *     fires, at 0 and then every (dt_report - 1e-5) after the previous one;
 *     the frame takes the last computed sum.  So after about dt/2e-5 frames
 *     the sums lag the frame by one step, as in neurodamus.
 *   - lfp (CoreNEURON's ReportEvent, see lfp.h): at the helper's k-th
 *     firing, when k > 0 and k % period == 0, the sums of every element are
 *     computed (before the frame check); a frame takes the last computed
 *     sums (0 before the first).
 *   - events fire where NEURON delivers them: those due at t = 0 after the
 *     INITIAL blocks and before the first currents (engine init hook);
 *     later ones with the state after the step ending at t, when due
 *     <= t + dt/2.  At equal times the ALU fires before the helper.
 *
 * Use (every rank, also ranks without cells; the same calls in the same
 * order on every rank for the collective ones):
 *   rv__rep_create(&r, &params, comm, &err);
 *   for each local cell: rv__rep_add_cell(r, pop, gid, node_id, &err);
 *     for each element: rv__rep_add_element(r, element_id, &err);
 *       for each term: rv__rep_add_term(r, ptr, factor, &err);
 *   rv__reps_add(&set, r, &err);           (a set shares one init hook)
 *   rv_model_set_init_hook(m, rv__reps_init_hook, &set, &err);
 *   rv_model_finitialize(m, v_init, &err);
 *   rv__reps_after_step(&set, rv_model_t(m), &err);         collective
 *   each step: rv_model_step(m, &err); rv__reps_after_step(&set, rv_model_t(m), &err);
 *   rv__reps_finish(&set, &err);           collective: writes the files
 *   rv__reps_free(&set);                   destroys the reports
 */
#ifndef RV_DRIVER_REPORT_INT_H
#define RV_DRIVER_REPORT_INT_H

#include "ranvier/base.h"
#include "ranvier/engine.h"
#include "ranvier/sonata_output.h"

#include <stddef.h>
#include <stdint.h>

typedef enum rv_rep_type {
    RV_REP_COMPARTMENT = 0,
    RV_REP_SUMMATION = 1,
    RV_REP_COMPARTMENT_SET = 2,
    RV_REP_SYNAPSE = 3,
    RV_REP_LFP = 4
} rv_rep_type;

typedef struct rv_rep_params {
    const char *name; /* report name (messages) */
    rv_rep_type type;
    const char *path;    /* output file (written by rank 0) */
    double start, end;   /* report window (ms); end is clipped to tstop */
    double dt_report;    /* >= dt */
    double dt, tstop;    /* simulation */
    const char *units;   /* data units attribute; NULL: "mV" (what neurodamus writes) */
    size_t buffer_bytes; /* 0: the writer's default */
} rv_rep_params;

typedef struct rv_drv_report rv_drv_report;

rv_status rv__rep_create(rv_drv_report **out, const rv_rep_params *p, const rv_sonata_comm *comm,
                         rv_error *err);
void rv__rep_destroy(rv_drv_report *r);
/* A local cell; following elements belong to it.  Gids unique per report. */
rv_status rv__rep_add_cell(rv_drv_report *r, const char *population, uint64_t gid, uint64_t node_id,
                           rv_error *err);
/* An element of the last cell; following terms belong to it. */
rv_status rv__rep_add_element(rv_drv_report *r, uint32_t element_id, rv_error *err);
/* A term of the last element: ptr must stay valid for the run. */
rv_status rv__rep_add_term(rv_drv_report *r, const double *ptr, double factor, rv_error *err);
/* Number of frames the file will have; local element count. */
size_t rv__rep_n_frames(const rv_drv_report *r);
size_t rv__rep_n_elements(const rv_drv_report *r);

/* A set of reports sampled together. */
typedef struct rv_drv_reports {
    rv_drv_report **r;
    int n, cap;
    rv_status hook_st; /* error raised inside the init hook */
    rv_error hook_err;
} rv_drv_reports;

rv_status rv__reps_add(rv_drv_reports *s, rv_drv_report *r, rv_error *err);
/* For rv_model_set_init_hook (ud = the set). */
void rv__reps_init_hook(void *ud, rv_model *m);
/* After finitialize and after every step; t = rv_model_t(m).  Collective. */
rv_status rv__reps_after_step(rv_drv_reports *s, double t, rv_error *err);
/* Collective: pad missing frames, write and commit every file. */
rv_status rv__reps_finish(rv_drv_reports *s, rv_error *err);
void rv__reps_free(rv_drv_reports *s);

#endif
