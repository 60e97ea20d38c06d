/* SPDX-License-Identifier: MIT
 * driver/stimulus_int.h -- neurodamus's stimulus signals (stimulus.c), as
 * pure functions: one SONATA input + one cell (+ one point) -> the (t, y)
 * vectors neurodamus plays into its source, bit for bit.
 *
 * Kinds and how the caller attaches them (neurodamus's choices):
 *   RV__SIG_CURRENT      MembraneCurrentSource (IClamp when
 *                        represents_physical_electrode) at the point, del 0,
 *                        dur = `dur` (= t[n-1]); y (nA) played into amp with
 *                        interpolation (continuous = 1).
 *   RV__SIG_CONDUCTANCE  ConductanceSource (SEClamp when physical electrode),
 *                        amp1 = `amp1` (the reversal), dur1 = `dur`; y is
 *                        already the series resistance rs (MOhm) (1/g, or 1e9
 *                        outside (1e-9, 1e9)) with the (0, 1e9) point
 *                        prepended; played into rs with interpolation.
 *   RV__SIG_SECLAMP      SEClamp with rs = `rs`, dur1 = `dur`, amp1 = `amp1`;
 *                        when n > 0, y (mV) is played into amp1 at times t
 *                        without interpolation (continuous = 0).
 * `skip` = 1: the input is a no-op in neurodamus (nothing is created; it also
 * does not advance its family counter, see rv__stim_counters).
 */
#ifndef RV_STIMULUS_INT_H
#define RV_STIMULUS_INT_H

#include <stddef.h>

#include "ranvier/base.h"
#include "ranvier/sonata_config.h"

typedef enum rv__sig_kind {
    RV__SIG_CURRENT = 0,
    RV__SIG_CONDUCTANCE,
    RV__SIG_SECLAMP
} rv__sig_kind;

/* What one signal depends on besides the input. */
typedef struct rv__stim_ctx {
    double sim_dt;                             /* run.dt: noise's legacy "already used" draws */
    double tstop;                              /* run.tstop (informational) */
    int count;                                 /* the input's family counter (rv__stim_counters) */
    long long stimulus_seed;                   /* run.stimulus_seed */
    long long gid;                             /* final gid (raw id + population offset) */
    double threshold_current, holding_current; /* nA: relative inputs, hyperpolarizing */
    double input_resistance;                   /* MOhm: relative inputs in conductance mode */
    int point_index; /* 0-based index of the point among this cell's points: noise draws
                        every point of a cell from one stream, in point order */
} rv__stim_ctx;

typedef struct rv__signal {
    rv__sig_kind kind;
    int skip;
    int represents_physical_electrode;
    int continuous; /* 1: interpolate (current, conductance); 0: step (seclamp levels) */
    size_t n;       /* points in t and y (0 for a seclamp without levels or a skip) */
    double *t, *y;  /* owned: rv__signal_free */
    double dur;     /* dur (current) or dur1 (conductance, seclamp) */
    double amp1;    /* conductance: reversal (mV); seclamp: holding voltage (mV) */
    double rs;      /* seclamp: series resistance (MOhm) */
} rv__signal;

void rv__signal_free(rv__signal *s);

/* The signal of input `in` at one point of cell ctx->gid.  Errors name the
 * input and the offending key (err->key): invalid parameters as neurodamus
 * rejects them, plus the cases where neurodamus itself would fail (NEURON
 * Vector.indgen ranges, Random123 ids outside 0..2^32-1).  Modules other
 * than the signal ones (synapse_replay, spatially_uniform_e_field, poisson,
 * Allen) give RV_EUNSUPPORTED. */
rv_status rv__stim_signal(const rv_sonata_cfg_input *in, const rv__stim_ctx *ctx, rv__signal *out,
                          rv_error *err);

/* 1 if the module is one rv__stim_signal handles. */
int rv__stim_is_signal_module(rv_sonata_cfg_module m);

/* Family counters for inputs[0..n) in file order: count[i] = number of earlier
 * non-skipped inputs of the same family (noise; shot_noise, relative_ and
 * absolute_shot_noise; ornstein_uhlenbeck and relative_); -1 for the other
 * modules.  Skipped (no-op) inputs get their would-be count but do not
 * advance it.  Fails on the parameter errors that make neurodamus stop
 * before deciding (e.g. dt <= 0). */
rv_status rv__stim_counters(const rv_sonata_cfg_input *inputs, size_t n, int *count, rv_error *err);

#endif
