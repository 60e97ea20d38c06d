/* SPDX-License-Identifier: MIT
 * sonata/config_inputs.c -- the "inputs" section: stimulus modules, their
 * keys and defaults, and the module x input_type compatibility check.
 *
 * One table row per module gives its spelling and the input types it
 * accepts (libsonata's SimulationConfig::parseInputs):
 *
 *   current_clamp  linear relative_linear pulse sinusoidal subthreshold
 *                  hyperpolarizing noise shot_noise relative_shot_noise
 *                  absolute_shot_noise ornstein_uhlenbeck
 *                  relative_ornstein_uhlenbeck           (Allen: IClamp)
 *   conductance    shot_noise relative_shot_noise absolute_shot_noise
 *                  ornstein_uhlenbeck relative_ornstein_uhlenbeck
 *   spikes         synapse_replay poisson     (Allen: h5 hdf5 sonata csv nwb)
 *   voltage_clamp  seclamp
 *   extracellular_stimulation  spatially_uniform_e_field
 *
 * Every Blue Brain input needs delay and duration (>= 0) and exactly one of
 * node_set and compartment_set; the per-module keys and defaults are in
 * module_keys().  Problems of one input do not stop the others from being
 * read.  Allen modules other than the spike files and IClamp (SEClamp,
 * xstim, ...) are kept as RV_SONATA_CFG_MODULE_OTHER with their raw params.
 */
#include "config_int.h"

#include <float.h>
#include <math.h>
#include <string.h>

enum {
    T_SPIKES = 1 << RV_SONATA_CFG_INPUT_SPIKES,
    T_EXTRA = 1 << RV_SONATA_CFG_INPUT_EXTRACELLULAR_STIMULATION,
    T_CC = 1 << RV_SONATA_CFG_INPUT_CURRENT_CLAMP,
    T_VC = 1 << RV_SONATA_CFG_INPUT_VOLTAGE_CLAMP,
    T_COND = 1 << RV_SONATA_CFG_INPUT_CONDUCTANCE,
    T_ANY = 0xff
};

typedef struct module_row {
    const char *name;
    rv_sonata_cfg_module module;
    unsigned types; /* accepted input types */
    int allen_only;
} module_row;

static const module_row modules[] = {
    {"linear", RV_SONATA_CFG_MODULE_LINEAR, T_CC, 0},
    {"relative_linear", RV_SONATA_CFG_MODULE_RELATIVE_LINEAR, T_CC, 0},
    {"pulse", RV_SONATA_CFG_MODULE_PULSE, T_CC, 0},
    {"sinusoidal", RV_SONATA_CFG_MODULE_SINUSOIDAL, T_CC, 0},
    {"subthreshold", RV_SONATA_CFG_MODULE_SUBTHRESHOLD, T_CC, 0},
    {"hyperpolarizing", RV_SONATA_CFG_MODULE_HYPERPOLARIZING, T_CC, 0},
    {"synapse_replay", RV_SONATA_CFG_MODULE_SYNAPSE_REPLAY, T_SPIKES, 0},
    {"seclamp", RV_SONATA_CFG_MODULE_SECLAMP, T_VC, 0},
    {"noise", RV_SONATA_CFG_MODULE_NOISE, T_CC, 0},
    {"shot_noise", RV_SONATA_CFG_MODULE_SHOT_NOISE, T_CC | T_COND, 0},
    {"relative_shot_noise", RV_SONATA_CFG_MODULE_RELATIVE_SHOT_NOISE, T_CC | T_COND, 0},
    {"absolute_shot_noise", RV_SONATA_CFG_MODULE_ABSOLUTE_SHOT_NOISE, T_CC | T_COND, 0},
    {"ornstein_uhlenbeck", RV_SONATA_CFG_MODULE_ORNSTEIN_UHLENBECK, T_CC | T_COND, 0},
    {"relative_ornstein_uhlenbeck", RV_SONATA_CFG_MODULE_RELATIVE_ORNSTEIN_UHLENBECK, T_CC | T_COND,
     0},
    {"spatially_uniform_e_field", RV_SONATA_CFG_MODULE_SPATIALLY_UNIFORM_E_FIELD, T_EXTRA, 0},
    {"poisson", RV_SONATA_CFG_MODULE_POISSON, T_SPIKES, 0},
    {"h5", RV_SONATA_CFG_MODULE_SPIKE_FILE, T_SPIKES, 1},
    {"hdf5", RV_SONATA_CFG_MODULE_SPIKE_FILE, T_SPIKES, 1},
    {"sonata", RV_SONATA_CFG_MODULE_SPIKE_FILE, T_SPIKES, 1},
    {"csv", RV_SONATA_CFG_MODULE_SPIKE_FILE, T_SPIKES, 1},
    {"nwb", RV_SONATA_CFG_MODULE_SPIKE_FILE, T_SPIKES, 1},
    {"IClamp", RV_SONATA_CFG_MODULE_ICLAMP, T_CC, 1},
    {"SEClamp", RV_SONATA_CFG_MODULE_OTHER, T_ANY, 1},
    {"xstim", RV_SONATA_CFG_MODULE_OTHER, T_ANY, 1},
    {"comsol", RV_SONATA_CFG_MODULE_OTHER, T_ANY, 1},
    {"syn_activity", RV_SONATA_CFG_MODULE_OTHER, T_ANY, 1},
    {"replay", RV_SONATA_CFG_MODULE_OTHER, T_ANY, 1},
    {"ecephys_probe", RV_SONATA_CFG_MODULE_OTHER, T_ANY, 1},
};
#define N_MODULES (sizeof modules / sizeof *modules)

static const rv__cfg_enum input_types[] = {
    {"spikes", RV_SONATA_CFG_INPUT_SPIKES},
    {"extracellular_stimulation", RV_SONATA_CFG_INPUT_EXTRACELLULAR_STIMULATION},
    {"current_clamp", RV_SONATA_CFG_INPUT_CURRENT_CLAMP},
    {"voltage_clamp", RV_SONATA_CFG_INPUT_VOLTAGE_CLAMP},
    {"conductance", RV_SONATA_CFG_INPUT_CONDUCTANCE},
    {NULL, 0}};

#define ALLEN(c) ((c)->flavour == RV_SONATA_CFG_FLAVOUR_ALLEN)

static const module_row *find_module(rv__cfg_ctx *c, json_t *in, const char *kp) {
    char mkp[RV__CFG_PATH_MAX];
    rv__cfg_kp(mkp, kp, "module");
    json_t *m = json_object_get(in, "module");
    if (!m || json_is_null(m)) {
        RV__CFG_PROBLEM(c, RV_EFORMAT, mkp, "missing mandatory key 'module' in '%s'", kp);
        return NULL;
    }
    char allowed[600] = "";
    size_t k = 0;
    for (size_t i = 0; i < N_MODULES; i++) {
        if (modules[i].allen_only && !ALLEN(c)) continue;
        k += (size_t)snprintf(allowed + k, k < sizeof allowed ? sizeof allowed - k : 0, "%s%s",
                              k ? ", " : "", modules[i].name);
    }
    if (!json_is_string(m)) {
        RV__CFG_PROBLEM(c, RV_EFORMAT, mkp, "'%s' must be a string, one of: %s (not %s)", mkp,
                        allowed, rv__cfg_type_name(m));
        return NULL;
    }
    for (size_t i = 0; i < N_MODULES; i++) {
        if (modules[i].allen_only && !ALLEN(c)) continue;
        if (strcmp(modules[i].name, json_string_value(m)) == 0) return &modules[i];
    }
    RV__CFG_PROBLEM(c, RV_EFORMAT, mkp, "unknown value \"%s\" for '%s' (expected one of: %s)",
                    json_string_value(m), mkp, allowed);
    return NULL;
}

static void type_names(unsigned types, char *buf, size_t cap) {
    size_t k = 0;
    buf[0] = '\0';
    for (int t = 0; t <= RV_SONATA_CFG_INPUT_CONDUCTANCE; t++)
        if (types & (1u << t))
            k += (size_t)snprintf(buf + k, k < cap ? cap - k : 0, "%s%s", k ? " or " : "",
                                  rv_sonata_config_input_type_name((rv_sonata_cfg_input_type)t));
}

/* delay, duration, node_set / compartment_set (libsonata's parseCommon). */
static void common_keys(rv__cfg_ctx *c, json_t *in, const char *kp, rv_sonata_cfg_input *x) {
    char k2[RV__CFG_PATH_MAX];
    rv__cfg_num(c, in, kp, "delay", 1, &x->delay);
    if (rv__cfg_num(c, in, kp, "duration", 1, &x->duration) == 1 && x->duration < 0)
        RV__CFG_PROBLEM(c, RV_ERANGE, rv__cfg_kp(k2, kp, "duration"),
                        "'duration' must not be negative (%g)", x->duration);
    int ns = rv__cfg_str(c, in, kp, "node_set", 0, &x->node_set);
    int cs = rv__cfg_str(c, in, kp, "compartment_set", 0, &x->compartment_set);
    if (ns == 1 && cs == 1)
        RV__CFG_PROBLEM(c, RV_EFORMAT, rv__cfg_kp(k2, kp, "compartment_set"),
                        "'node_set' and 'compartment_set' are both given; an input takes one of "
                        "them");
    else if (ns == 0 && cs == 0)
        RV__CFG_PROBLEM(c, RV_EFORMAT, rv__cfg_kp(k2, kp, "node_set"),
                        "one of 'node_set' or 'compartment_set' is needed in '%s'", kp);
}

static void rpe(rv__cfg_ctx *c, json_t *in, const char *kp, rv_sonata_cfg_input *x) {
    rv__cfg_bool(c, in, kp, "represents_physical_electrode", 0, &x->represents_physical_electrode);
}

/* rise_time, decay_time, random_seed, reversal, dt, represents_physical_electrode. */
static void shot_keys(rv__cfg_ctx *c, json_t *in, const char *kp, rv_sonata_cfg_input *x) {
    rv__cfg_num(c, in, kp, "rise_time", 1, &x->rise_time);
    rv__cfg_num(c, in, kp, "decay_time", 1, &x->decay_time);
    x->has_random_seed = rv__cfg_int(c, in, kp, "random_seed", 0, &x->random_seed) == 1;
    rv__cfg_num(c, in, kp, "reversal", 0, &x->reversal);
    x->dt = 0.25;
    rv__cfg_num(c, in, kp, "dt", 0, &x->dt);
    rpe(c, in, kp, x);
}

static void ou_keys(rv__cfg_ctx *c, json_t *in, const char *kp, rv_sonata_cfg_input *x) {
    rv__cfg_num(c, in, kp, "tau", 1, &x->tau);
    rv__cfg_num(c, in, kp, "reversal", 0, &x->reversal);
    x->has_random_seed = rv__cfg_int(c, in, kp, "random_seed", 0, &x->random_seed) == 1;
    x->dt = 0.25;
    rv__cfg_num(c, in, kp, "dt", 0, &x->dt);
    rpe(c, in, kp, x);
}

static void seclamp_keys(rv__cfg_ctx *c, json_t *in, const char *kp, rv_sonata_cfg_input *x) {
    char k2[RV__CFG_PATH_MAX];
    rv__cfg_num(c, in, kp, "voltage", 1, &x->voltage);
    x->series_resistance = 0.01;
    rv__cfg_num(c, in, kp, "series_resistance", 0, &x->series_resistance);
    size_t nd = 0, nv = 0;
    int rd = rv__cfg_nums(c, in, kp, "duration_levels", 0, 0, &x->duration_levels, &nd);
    int rvv = rv__cfg_nums(c, in, kp, "voltage_levels", 0, 0, &x->voltage_levels, &nv);
    if (x->delay > 0)
        RV__CFG_PROBLEM(c, RV_ERANGE, rv__cfg_kp(k2, kp, "delay"),
                        "'delay' does not apply to seclamp and must be 0 (not %g)", x->delay);
    if (rd < 0 || rvv < 0) return;
    if (nd != nv) {
        RV__CFG_PROBLEM(c, RV_EFORMAT, rv__cfg_kp(k2, kp, "voltage_levels"),
                        "'duration_levels' (%zu values) and 'voltage_levels' (%zu values) must "
                        "have the same size",
                        nd, nv);
        return;
    }
    x->n_levels = nd;
    double sum = 0;
    for (size_t i = 0; i < nd; i++) {
        if (x->duration_levels[i] < 0) {
            RV__CFG_PROBLEM(c, RV_ERANGE, rv__cfg_kp(k2, kp, "duration_levels"),
                            "'duration_levels' must contain only non-negative values (value %zu "
                            "is %g)",
                            i, x->duration_levels[i]);
            return;
        }
        sum += x->duration_levels[i];
    }
    double tol = DBL_EPSILON * (sum > x->duration ? sum : x->duration);
    if (sum > x->duration + tol)
        RV__CFG_PROBLEM(c, RV_ERANGE, rv__cfg_kp(k2, kp, "duration_levels"),
                        "the sum of 'duration_levels' (%g) exceeds 'duration' (%g)", sum,
                        x->duration);
}

static void efield_keys(rv__cfg_ctx *c, json_t *in, const char *kp, double sim_dt,
                        rv_sonata_cfg_input *x) {
    char fkp[RV__CFG_PATH_MAX], k2[RV__CFG_PATH_MAX];
    rv__cfg_num(c, in, kp, "ramp_up_time", 0, &x->ramp_up_time);
    rv__cfg_num(c, in, kp, "ramp_down_time", 0, &x->ramp_down_time);
    rv__cfg_kp(fkp, kp, "fields");
    json_t *fl = json_object_get(in, "fields");
    if (!fl || json_is_null(fl)) {
        RV__CFG_PROBLEM(c, RV_EFORMAT, fkp, "missing mandatory key 'fields' in '%s'", kp);
        return;
    }
    if (!json_is_array(fl)) {
        RV__CFG_PROBLEM(c, RV_EFORMAT, fkp, "'fields' must be an array, not %s",
                        rv__cfg_type_name(fl));
        return;
    }
    size_t n = json_array_size(fl);
    if (n == 0) {
        RV__CFG_PROBLEM(c, RV_EFORMAT, fkp, "'fields' is empty in '%s'", kp);
        return;
    }
    rv_sonata_cfg_efield *a = rv__cfg_array(c, n, sizeof *a);
    if (!a) return;
    double nyquist = sim_dt > 0 ? 1000.0 / (2.0 * sim_dt) : INFINITY;
    for (size_t i = 0; i < n; i++) {
        char ekp[RV__CFG_PATH_MAX];
        rv__cfg_kpi(ekp, fkp, i);
        json_t *e = json_array_get(fl, i);
        if (!json_is_object(e)) {
            RV__CFG_PROBLEM(c, RV_EFORMAT, ekp, "'%s' must be an object, not %s", ekp,
                            rv__cfg_type_name(e));
            continue;
        }
        rv__cfg_num(c, e, ekp, "Ex", 1, &a[i].ex);
        rv__cfg_num(c, e, ekp, "Ey", 1, &a[i].ey);
        rv__cfg_num(c, e, ekp, "Ez", 1, &a[i].ez);
        if (rv__cfg_num(c, e, ekp, "frequency", 0, &a[i].frequency) == 1) {
            if (a[i].frequency < 0)
                RV__CFG_PROBLEM(c, RV_ERANGE, rv__cfg_kp(k2, ekp, "frequency"),
                                "'frequency' must not be negative (%g)", a[i].frequency);
            else if (a[i].frequency >= nyquist)
                RV__CFG_PROBLEM(c, RV_ERANGE, rv__cfg_kp(k2, ekp, "frequency"),
                                "'frequency' %g Hz must be below the Nyquist frequency of the "
                                "simulation, 1/(2*dt) = %g Hz",
                                a[i].frequency, nyquist);
        }
        rv__cfg_num(c, e, ekp, "phase", 0, &a[i].phase);
    }
    x->n_fields = n;
    x->fields = a;
}

/* Allen IClamp: amp, delay, duration as numbers or equal-length lists. */
static void iclamp_keys(rv__cfg_ctx *c, json_t *in, const char *kp, rv_sonata_cfg_input *x) {
    size_t na = 0, nd = 0, nu = 0;
    int ra = rv__cfg_nums(c, in, kp, "amp", 1, 1, &x->amps, &na);
    int rd = rv__cfg_nums(c, in, kp, "delay", 1, 1, &x->delays, &nd);
    int ru = rv__cfg_nums(c, in, kp, "duration", 1, 1, &x->durations, &nu);
    rv__cfg_str(c, in, kp, "node_set", 0, &x->node_set);
    if (ra != 1 || rd != 1 || ru != 1) return;
    if (na != nd || na != nu) {
        char k2[RV__CFG_PATH_MAX];
        RV__CFG_PROBLEM(c, RV_EFORMAT, rv__cfg_kp(k2, kp, "amp"),
                        "'amp', 'delay' and 'duration' must have the same length (%zu, %zu, %zu)",
                        na, nd, nu);
        return;
    }
    x->n_pulses = na;
    if (na) {
        x->delay = x->delays[0];
        x->duration = x->durations[0];
        x->amp_start = x->amp_end = x->amps[0];
    }
}

static void module_keys(rv__cfg_ctx *c, json_t *in, const char *kp, const module_row *m,
                        double sim_dt, rv_sonata_cfg_input *x) {
    char k2[RV__CFG_PATH_MAX];
    switch (m->module) {
    case RV_SONATA_CFG_MODULE_SPIKE_FILE:
        rv__cfg_path(c, in, kp, "input_file", 1, NULL, &x->input_file);
        rv__cfg_str(c, in, kp, "node_set", 0, &x->node_set);
        rv__cfg_num(c, in, kp, "delay", 0, &x->delay);
        rv__cfg_num(c, in, kp, "duration", 0, &x->duration);
        return;
    case RV_SONATA_CFG_MODULE_ICLAMP:
        iclamp_keys(c, in, kp, x);
        return;
    case RV_SONATA_CFG_MODULE_OTHER:
        rv__cfg_str(c, in, kp, "node_set", 0, &x->node_set);
        return;
    default:
        break;
    }
    common_keys(c, in, kp, x);
    switch (m->module) {
    case RV_SONATA_CFG_MODULE_LINEAR:
        rv__cfg_num(c, in, kp, "amp_start", 1, &x->amp_start);
        x->amp_end = x->amp_start;
        rv__cfg_num(c, in, kp, "amp_end", 0, &x->amp_end);
        rpe(c, in, kp, x);
        break;
    case RV_SONATA_CFG_MODULE_RELATIVE_LINEAR:
        rv__cfg_num(c, in, kp, "percent_start", 1, &x->percent_start);
        x->percent_end = x->percent_start;
        rv__cfg_num(c, in, kp, "percent_end", 0, &x->percent_end);
        rpe(c, in, kp, x);
        break;
    case RV_SONATA_CFG_MODULE_PULSE:
        rv__cfg_num(c, in, kp, "amp_start", 1, &x->amp_start);
        x->amp_end = x->amp_start;
        rv__cfg_num(c, in, kp, "amp_end", 0, &x->amp_end);
        rv__cfg_num(c, in, kp, "width", 1, &x->width);
        rv__cfg_num(c, in, kp, "frequency", 1, &x->frequency);
        rpe(c, in, kp, x);
        break;
    case RV_SONATA_CFG_MODULE_SINUSOIDAL:
        rv__cfg_num(c, in, kp, "amp_start", 1, &x->amp_start);
        x->amp_end = x->amp_start;
        rv__cfg_num(c, in, kp, "frequency", 1, &x->frequency);
        x->dt = 0.025;
        rv__cfg_num(c, in, kp, "dt", 0, &x->dt);
        rpe(c, in, kp, x);
        break;
    case RV_SONATA_CFG_MODULE_SUBTHRESHOLD:
        rv__cfg_num(c, in, kp, "percent_less", 1, &x->percent_less);
        rpe(c, in, kp, x);
        break;
    case RV_SONATA_CFG_MODULE_HYPERPOLARIZING:
        rpe(c, in, kp, x);
        break;
    case RV_SONATA_CFG_MODULE_NOISE:
        x->has_mean = rv__cfg_num(c, in, kp, "mean", 0, &x->mean) == 1;
        x->has_mean_percent = rv__cfg_num(c, in, kp, "mean_percent", 0, &x->mean_percent) == 1;
        if (x->has_mean && x->has_mean_percent)
            RV__CFG_PROBLEM(c, RV_EFORMAT, rv__cfg_kp(k2, kp, "mean_percent"),
                            "'mean' and 'mean_percent' are both given; a noise input takes one "
                            "of them");
        else if (!x->has_mean && !x->has_mean_percent && !json_object_get(in, "mean") &&
                 !json_object_get(in, "mean_percent"))
            RV__CFG_PROBLEM(c, RV_EFORMAT, rv__cfg_kp(k2, kp, "mean"),
                            "one of 'mean' or 'mean_percent' is needed in '%s'", kp);
        else if (!x->has_mean && !x->has_mean_percent)
            RV__CFG_PROBLEM(c, RV_EFORMAT, rv__cfg_kp(k2, kp, "mean"),
                            "one of 'mean' or 'mean_percent' needs a value in '%s'", kp);
        rv__cfg_num(c, in, kp, "variance", 0, &x->variance);
        rpe(c, in, kp, x);
        break;
    case RV_SONATA_CFG_MODULE_SHOT_NOISE:
        shot_keys(c, in, kp, x);
        rv__cfg_num(c, in, kp, "rate", 1, &x->rate);
        rv__cfg_num(c, in, kp, "amp_mean", 1, &x->amp_mean);
        rv__cfg_num(c, in, kp, "amp_var", 1, &x->amp_var);
        break;
    case RV_SONATA_CFG_MODULE_RELATIVE_SHOT_NOISE:
        shot_keys(c, in, kp, x);
        x->has_mean_percent = rv__cfg_num(c, in, kp, "mean_percent", 1, &x->mean_percent) == 1;
        rv__cfg_num(c, in, kp, "sd_percent", 1, &x->sd_percent);
        x->relative_skew = 0.5;
        rv__cfg_num(c, in, kp, "relative_skew", 0, &x->relative_skew);
        break;
    case RV_SONATA_CFG_MODULE_ABSOLUTE_SHOT_NOISE:
        shot_keys(c, in, kp, x);
        x->has_mean = rv__cfg_num(c, in, kp, "mean", 1, &x->mean) == 1;
        rv__cfg_num(c, in, kp, "sigma", 1, &x->sigma);
        x->relative_skew = 0.5;
        rv__cfg_num(c, in, kp, "relative_skew", 0, &x->relative_skew);
        break;
    case RV_SONATA_CFG_MODULE_ORNSTEIN_UHLENBECK:
        ou_keys(c, in, kp, x);
        x->has_mean = rv__cfg_num(c, in, kp, "mean", 1, &x->mean) == 1;
        rv__cfg_num(c, in, kp, "sigma", 1, &x->sigma);
        break;
    case RV_SONATA_CFG_MODULE_RELATIVE_ORNSTEIN_UHLENBECK:
        ou_keys(c, in, kp, x);
        x->has_mean_percent = rv__cfg_num(c, in, kp, "mean_percent", 1, &x->mean_percent) == 1;
        rv__cfg_num(c, in, kp, "sd_percent", 1, &x->sd_percent);
        break;
    case RV_SONATA_CFG_MODULE_SYNAPSE_REPLAY:
        if (rv__cfg_path(c, in, kp, "spike_file", 1, NULL, &x->spike_file) == 1) {
            const char *base = strrchr(x->spike_file, '/');
            base = base ? base + 1 : x->spike_file;
            const char *dot = strrchr(base, '.');
            if (!dot || dot == base || strcmp(dot, ".h5") != 0)
                RV__CFG_PROBLEM(c, RV_EFORMAT, rv__cfg_kp(k2, kp, "spike_file"),
                                "synapse_replay 'spike_file' must be a SONATA spike file ending "
                                "in .h5, not '%s'",
                                base);
        }
        rv__cfg_str(c, in, kp, "source", 0, &x->source);
        break;
    case RV_SONATA_CFG_MODULE_SECLAMP:
        seclamp_keys(c, in, kp, x);
        break;
    case RV_SONATA_CFG_MODULE_SPATIALLY_UNIFORM_E_FIELD:
        efield_keys(c, in, kp, sim_dt, x);
        break;
    case RV_SONATA_CFG_MODULE_POISSON:
        rv__cfg_num(c, in, kp, "rate", 1, &x->rate);
        rv__cfg_num(c, in, kp, "weight", 1, &x->weight);
        break;
    default:
        break;
    }
}

static void one_input(rv__cfg_ctx *c, json_t *in, const char *kp, const char *name, double sim_dt,
                      rv_sonata_cfg_input *x) {
    x->name = rv__cfg_strdup(c, name);
    x->enabled = 1;
    rv__cfg_params(c, in, kp, 0, &x->params);
    const module_row *m = find_module(c, in, kp);
    if (m) {
        x->module = m->module;
        x->module_name = m->name;
    } else {
        x->module = RV_SONATA_CFG_MODULE_OTHER;
    }
    /* input_type: one of the five names; an Allen OTHER module takes any. */
    int it = RV_SONATA_CFG_INPUT_OTHER;
    int tr;
    if (m && m->module == RV_SONATA_CFG_MODULE_OTHER) {
        tr = rv__cfg_str(c, in, kp, "input_type", 1, &x->input_type_name);
        if (tr == 1)
            for (const rv__cfg_enum *e = input_types; e->name; e++)
                if (strcmp(e->name, x->input_type_name) == 0) it = e->value;
    } else {
        tr = rv__cfg_enumv(c, in, kp, "input_type", 1, input_types, &it);
        if (tr == 1) x->input_type_name = rv_sonata_config_input_type_name(it);
    }
    x->input_type = (rv_sonata_cfg_input_type)it;
    if (m && tr == 1 && it != RV_SONATA_CFG_INPUT_OTHER && !(m->types & (1u << it))) {
        char k2[RV__CFG_PATH_MAX], allowed[200];
        type_names(m->types, allowed, sizeof allowed);
        RV__CFG_PROBLEM(c, RV_EFORMAT, rv__cfg_kp(k2, kp, "input_type"),
                        "module '%s' and input_type '%s' do not match (module '%s' takes "
                        "input_type %s)",
                        m->name, x->input_type_name, m->name, allowed);
    }
    if (m) module_keys(c, in, kp, m, sim_dt, x);
    if (ALLEN(c)) rv__cfg_bool(c, in, kp, "enabled", 0, &x->enabled);
}

void rv__cfg_inputs(rv__cfg_ctx *c, json_t *root, rv_sonata_simulation_config *s) {
    json_t *ins = NULL;
    if (rv__cfg_obj(c, root, "", "inputs", 0, &ins) != 1) return;
    size_t n = json_object_size(ins);
    rv_sonata_cfg_input *a = n ? rv__cfg_array(c, n, sizeof *a) : NULL;
    if (!a) return;
    const char *name;
    json_t *in;
    size_t k = 0;
    json_object_foreach(ins, name, in) {
        char kp[RV__CFG_PATH_MAX];
        rv__cfg_kp(kp, "inputs", name);
        if (!json_is_object(in)) {
            RV__CFG_PROBLEM(c, RV_EFORMAT, kp, "'%s' must be an object, not %s", kp,
                            rv__cfg_type_name(in));
            continue;
        }
        one_input(c, in, kp, name, s->run.dt, &a[k++]);
        if (c->oom) return;
    }
    s->n_inputs = k;
    s->inputs = a;
}
