/* SPDX-License-Identifier: MIT
 * driver/stimulus.c -- the signals of neurodamus's stimulus manager.
 *
 * Each input module builds a list of (t, y) points the way neurodamus's
 * SignalSource does: a cursor time that starts at `delay` (after a (0, base)
 * point when delay > 0) and advances by floating-point additions, so the
 * times are the same doubles neurodamus hands to Vector.play.  Sampled
 * signals use NEURON's Vector.indgen (n = floor((end - start)/step + 1e-9)
 * + 1, t_i = i*step + start, step limited to |end - start|) and the random
 * ones draw from hoc Random objects on Random123 streams (rv_hrand), with
 * neurodamus's stream ids, distribution settings (each setting draws one
 * value) and order of draws.  Arithmetic follows the Python/NEURON
 * expressions operation for operation (same association, pow for **, rint
 * for Python's round) so the doubles are identical.
 */
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "ranvier/random123.h"
#include "stimulus_int.h"

/* hoc's float_epsilon (Vector.where) and Vector.indgen's EPSILON */
#define HOC_EPSILON    1e-11
#define INDGEN_EPSILON 1e-9
/* M_PI, as NEURON's Vector.sin uses it */
static const double k_pi = 3.14159265358979323846;

/* ---- small helpers ------------------------------------------------------ */

typedef struct dvec {
    double *v;
    size_t n, cap;
} dvec;

static void dvec_free(dvec *d) {
    rv_free(d->v);
    d->v = NULL;
    d->n = d->cap = 0;
}

static rv_status dvec_push(dvec *d, double x, rv_error *err) {
    if (d->n == d->cap) {
        size_t cap = d->cap ? 2 * d->cap : 16;
        double *p = rv_realloc(d->v, cap * sizeof *p);
        if (!p) return RV_FAIL(err, RV_ENOMEM, "out of memory building a stimulus signal");
        d->v = p;
        d->cap = cap;
    }
    d->v[d->n++] = x;
    return RV_OK;
}

static rv_status dvec_zeros(dvec *d, size_t n, rv_error *err) {
    d->n = 0;
    if (n > d->cap) {
        double *p = rv_realloc(d->v, (n ? n : 1) * sizeof *p);
        if (!p) return RV_FAIL(err, RV_ENOMEM, "out of memory building a stimulus signal");
        d->v = p;
        d->cap = n;
    }
    for (size_t i = 0; i < n; ++i) d->v[i] = 0.0;
    d->n = n;
    return RV_OK;
}

/* Fail naming the input and the key. */
static rv_status in_fail(rv_error *err, rv_status code, const rv_sonata_cfg_input *in,
                         const char *key, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;

static rv_status in_fail(rv_error *err, rv_status code, const rv_sonata_cfg_input *in,
                         const char *key, const char *fmt, ...) {
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    RV_FAIL(err, code, "input '%s' (%s): '%s': %s", in->name ? in->name : "?",
            in->module_name ? in->module_name : "?", key, msg);
    rv_error_where(err, NULL, 0, key);
    return code;
}

/* NEURON's Vector.indgen(start, end, step) size, with its argument check. */
static rv_status indgen_n(const rv_sonata_cfg_input *in, const char *key, double start, double end,
                          double step, size_t *n, rv_error *err) {
    double lo = fmin(start - end, end - start), hi = fmax(start - end, end - start);
    if (!(step >= lo && step <= hi))
        return in_fail(err, RV_ERANGE, in, key,
                       "the sampling step %.17g exceeds the span %.17g of the samples "
                       "(NEURON's Vector.indgen fails for neurodamus too)",
                       step, hi);
    double xn = floor((end - start) / step + INDGEN_EPSILON) + 1.;
    if (xn < 0 || xn > 2147483647.0)
        return in_fail(err, RV_ERANGE, in, key, "%.17g samples are not possible", xn);
    *n = (size_t)xn;
    return RV_OK;
}

static double indgen_at(size_t i, double start, double step) {
    return (double)i * step + start;
}

/* A Random123 id as hoc's chkarg(0, 2^32 - 1) accepts it. */
static rv_status ran_id(const rv_sonata_cfg_input *in, const char *key, long long v, uint32_t *out,
                        rv_error *err) {
    if (v < 0 || v > 4294967295LL)
        return in_fail(err, RV_ERANGE, in, key, "Random123 stream id %lld is outside 0..4294967295",
                       v);
    *out = (uint32_t)v;
    return RV_OK;
}

/* The Random123 stream of shot noise (seed_add 19216) and
 * Ornstein-Uhlenbeck (291204) inputs: (count + 2997, stimulus_seed +
 * seed_add, random_seed or gid + 124), as neurodamus seeds them. */
static rv_status shot_ou_stream(const rv_sonata_cfg_input *in, const rv__stim_ctx *ctx,
                                long long seed_add, rv_hrand *r, rv_error *err) {
    uint32_t id1 = 0, id2 = 0, id3 = 0;
    rv_status st;
    if ((st = ran_id(in, "node_set", (long long)ctx->count + 2997, &id1, err)) ||
        (st = ran_id(in, "stimulus_seed", ctx->stimulus_seed + seed_add, &id2, err)) ||
        (st = ran_id(in, in->has_random_seed ? "random_seed" : "node_set",
                     in->has_random_seed ? in->random_seed : ctx->gid + 124, &id3, err)))
        return st;
    rv_hrand_init(r, id1, id2, id3);
    return RV_OK;
}

/* ---- the signal under construction (neurodamus's SignalSource) ---------- */

typedef struct sigsrc {
    dvec t, y;
    double cur, base;
} sigsrc;

static rv_status src_point(sigsrc *s, double amp, rv_error *err) {
    rv_status st = dvec_push(&s->t, s->cur, err);
    if (st == RV_OK) st = dvec_push(&s->y, amp, err);
    return st;
}

static rv_status src_start(sigsrc *s, double base, double delay, rv_error *err) {
    memset(s, 0, sizeof *s);
    s->base = base;
    s->cur = 0;
    if (delay > 0.0) {
        rv_status st = src_point(s, base, err);
        if (st) return st;
        s->cur = delay;
    }
    return RV_OK;
}

static void src_free(sigsrc *s) {
    dvec_free(&s->t);
    dvec_free(&s->y);
}

/* add_ramp(amp1, amp2, duration): base, amp1, (advance), amp2, base */
static rv_status src_ramp(sigsrc *s, double amp1, double amp2, double duration, rv_error *err) {
    rv_status st = src_point(s, s->base, err);
    if (!st) st = src_point(s, amp1, err);
    s->cur += duration;
    if (!st) st = src_point(s, amp2, err);
    if (!st) st = src_point(s, s->base, err);
    return st;
}

/* add_train */
static rv_status src_train(sigsrc *s, const rv_sonata_cfg_input *in, double amp, double frequency,
                           double width, double total, rv_error *err) {
    double tau = 1000 / frequency;
    double gap = tau - width;
    if (!(total / tau < 1e7))
        return in_fail(err, RV_ERANGE, in, "frequency", "%.3g pulses are too many", total / tau);
    long long npulse = (long long)(total / tau);
    rv_status st = RV_OK;
    for (long long k = 0; k < npulse && !st; ++k) {
        st = src_ramp(s, amp, amp, width, err);
        s->cur += gap;
    }
    if (st) return st;
    double remaining = total - (double)npulse * tau;
    if (width <= remaining) {
        st = src_ramp(s, amp, amp, width, err);
        /* Python's min(gap, remaining - width) */
        s->cur += (remaining - width < gap) ? remaining - width : gap;
    } else {
        st = src_ramp(s, amp, amp, remaining, err);
    }
    if (!st) st = src_point(s, s->base, err);
    return st;
}

/* Append sampled values y[0..n) at indgen(cur, cur + duration, step) and
 * advance; `delimit` adds base points before and after (noise, shot noise,
 * OU), else only after (sinusoidal). */
static rv_status src_samples(sigsrc *s, const double *y, size_t n, double step, double duration,
                             int delimit, rv_error *err) {
    rv_status st = RV_OK;
    if (delimit) st = src_point(s, s->base, err);
    double start = s->cur;
    for (size_t i = 0; i < n && !st; ++i) {
        st = dvec_push(&s->t, indgen_at(i, start, step), err);
        if (!st) st = dvec_push(&s->y, y[i], err);
    }
    s->cur += duration;
    if (!st) st = src_point(s, s->base, err);
    return st;
}

/* ---- checks in neurodamus's order --------------------------------------- */

typedef enum family { FAM_NONE = 0, FAM_NOISE, FAM_SHOT, FAM_OU } family;

static family module_family(rv_sonata_cfg_module m) {
    switch (m) {
    case RV_SONATA_CFG_MODULE_NOISE:
        return FAM_NOISE;
    case RV_SONATA_CFG_MODULE_SHOT_NOISE:
    case RV_SONATA_CFG_MODULE_RELATIVE_SHOT_NOISE:
    case RV_SONATA_CFG_MODULE_ABSOLUTE_SHOT_NOISE:
        return FAM_SHOT;
    case RV_SONATA_CFG_MODULE_ORNSTEIN_UHLENBECK:
    case RV_SONATA_CFG_MODULE_RELATIVE_ORNSTEIN_UHLENBECK:
        return FAM_OU;
    default:
        return FAM_NONE;
    }
}

int rv__stim_is_signal_module(rv_sonata_cfg_module m) {
    switch (m) {
    case RV_SONATA_CFG_MODULE_LINEAR:
    case RV_SONATA_CFG_MODULE_RELATIVE_LINEAR:
    case RV_SONATA_CFG_MODULE_PULSE:
    case RV_SONATA_CFG_MODULE_SINUSOIDAL:
    case RV_SONATA_CFG_MODULE_SUBTHRESHOLD:
    case RV_SONATA_CFG_MODULE_HYPERPOLARIZING:
    case RV_SONATA_CFG_MODULE_SECLAMP:
        return 1;
    default:
        return module_family(m) != FAM_NONE;
    }
}

static int is_conductance(const rv_sonata_cfg_input *in) {
    return in->input_type == RV_SONATA_CFG_INPUT_CONDUCTANCE;
}

/* Python's math.isclose(a, b) with the default rel_tol 1e-9, abs_tol 0. */
static int py_isclose(double a, double b) {
    if (a == b) return 1;
    double diff = fabs(b - a);
    return diff <= fabs(1e-9 * b) || diff <= fabs(1e-9 * a);
}

/* Parameter checks that do not depend on the cell; *skip = 1 for a no-op. */
static rv_status stim_check(const rv_sonata_cfg_input *in, int *skip, rv_error *err) {
    *skip = 0;
    if (!rv__stim_is_signal_module(in->module))
        return in_fail(err, RV_EUNSUPPORTED, in, "module",
                       "not a signal stimulus (synapse replay, e-field and Allen inputs are "
                       "handled elsewhere)");
    /* neurodamus's config validator: non-negative fields */
    if (!(in->duration >= 0))
        return in_fail(err, RV_ERANGE, in, "duration", "must be >= 0, not %g", in->duration);
    if (!(in->delay >= 0))
        return in_fail(err, RV_ERANGE, in, "delay", "must be >= 0, not %g", in->delay);
    switch (in->module) {
    case RV_SONATA_CFG_MODULE_LINEAR:
        *skip = !(in->amp_start != 0 || in->amp_end != 0);
        return RV_OK;
    case RV_SONATA_CFG_MODULE_RELATIVE_LINEAR:
        *skip = !(in->percent_start != 0 || in->percent_end != 0);
        return RV_OK;
    case RV_SONATA_CFG_MODULE_SUBTHRESHOLD:
    case RV_SONATA_CFG_MODULE_HYPERPOLARIZING:
    case RV_SONATA_CFG_MODULE_SECLAMP:
        if (in->module == RV_SONATA_CFG_MODULE_SECLAMP && !(in->series_resistance > 0))
            return in_fail(err, RV_ERANGE, in, "series_resistance", "must be > 0, not %g",
                           in->series_resistance);
        return RV_OK;
    case RV_SONATA_CFG_MODULE_PULSE:
        if (!(in->frequency >= 0))
            return in_fail(err, RV_ERANGE, in, "frequency", "must be >= 0, not %g", in->frequency);
        if (!(in->width >= 0))
            return in_fail(err, RV_ERANGE, in, "width", "must be >= 0, not %g", in->width);
        *skip = !(in->frequency > 0 && in->width > 0);
        if (!*skip && 1000 / in->frequency - in->width < 0.0)
            return in_fail(err, RV_ERANGE, in, "width",
                           "the pulse width %g ms is longer than the pulse period %g ms "
                           "(1000/frequency)",
                           in->width, 1000 / in->frequency);
        return RV_OK;
    case RV_SONATA_CFG_MODULE_SINUSOIDAL:
        if (!(in->frequency >= 0))
            return in_fail(err, RV_ERANGE, in, "frequency", "must be >= 0, not %g", in->frequency);
        if (!(in->dt > 0)) return in_fail(err, RV_ERANGE, in, "dt", "must be > 0, not %g", in->dt);
        *skip = !(in->frequency > 0);
        return RV_OK;
    case RV_SONATA_CFG_MODULE_NOISE:
        if (in->has_mean) {
            if (!(in->variance > 0))
                return in_fail(err, RV_ERANGE, in, "variance", "must be > 0, not %g", in->variance);
        } else if (in->has_mean_percent) {
            if (!(in->variance > 0))
                return in_fail(err, RV_ERANGE, in, "variance",
                               "(a percent of the threshold) must be > 0, not %g", in->variance);
        } else {
            return in_fail(err, RV_EINVAL, in, "mean", "one of 'mean' or 'mean_percent' is needed");
        }
        return RV_OK;
    default:
        break;
    }
    /* neurodamus maps input_type "spikes" to Current mode too */
    if (in->input_type != RV_SONATA_CFG_INPUT_CURRENT_CLAMP &&
        in->input_type != RV_SONATA_CFG_INPUT_SPIKES &&
        in->input_type != RV_SONATA_CFG_INPUT_CONDUCTANCE)
        return in_fail(err, RV_EINVAL, in, "input_type",
                       "must be current_clamp or conductance for %s",
                       in->module_name ? in->module_name : "this module");
    if (in->has_random_seed && in->random_seed < 0)
        return in_fail(err, RV_ERANGE, in, "random_seed", "must be >= 0, not %lld",
                       in->random_seed);
    if (module_family(in->module) == FAM_OU) {
        if (!(in->dt > 0)) return in_fail(err, RV_ERANGE, in, "dt", "must be > 0, not %g", in->dt);
        if (!(in->tau >= 0))
            return in_fail(err, RV_ERANGE, in, "tau", "must be >= 0, not %g", in->tau);
        if (in->module == RV_SONATA_CFG_MODULE_ORNSTEIN_UHLENBECK && !(in->sigma > 0))
            return in_fail(err, RV_ERANGE, in, "sigma", "must be > 0, not %g", in->sigma);
        return RV_OK;
    }
    /* shot noise family */
    if (!(in->dt > 0)) return in_fail(err, RV_ERANGE, in, "dt", "must be > 0, not %g", in->dt);
    if (in->duration / in->dt < 1.0) { /* int(duration / dt) == 0 */
        *skip = 1;
        return RV_OK;
    }
    if (in->rise_time >= in->decay_time)
        return in_fail(err, RV_ERANGE, in, "rise_time",
                       "the rise time %g must be smaller than the decay time %g", in->rise_time,
                       in->decay_time);
    switch (in->module) {
    case RV_SONATA_CFG_MODULE_SHOT_NOISE:
        if (!(in->rate >= 0))
            return in_fail(err, RV_ERANGE, in, "rate", "must be >= 0, not %g", in->rate);
        if (in->amp_mean == 0) return in_fail(err, RV_ERANGE, in, "amp_mean", "must be non-zero");
        if (!(in->amp_var > 0))
            return in_fail(err, RV_ERANGE, in, "amp_var", "must be > 0, not %g", in->amp_var);
        *skip = !(in->rate > 0);
        break;
    case RV_SONATA_CFG_MODULE_RELATIVE_SHOT_NOISE:
        if (!(in->sd_percent > 0))
            return in_fail(err, RV_ERANGE, in, "sd_percent", "must be > 0, not %g", in->sd_percent);
        if (!(in->relative_skew >= 0.0 && in->relative_skew <= 1.0))
            return in_fail(err, RV_ERANGE, in, "relative_skew", "must be in [0, 1], not %g",
                           in->relative_skew);
        *skip = in->mean_percent == 0;
        break;
    default: /* absolute */
        if (!(in->sigma > 0))
            return in_fail(err, RV_ERANGE, in, "sigma", "must be > 0, not %g", in->sigma);
        if (!(in->relative_skew >= 0.0 && in->relative_skew <= 1.0))
            return in_fail(err, RV_ERANGE, in, "relative_skew", "must be in [0, 1], not %g",
                           in->relative_skew);
        break;
    }
    if (!*skip && py_isclose(in->rise_time, in->decay_time))
        return in_fail(err, RV_EUNSUPPORTED, in, "rise_time",
                       "rise time %g and decay time %g are too close (not implemented by "
                       "neurodamus either)",
                       in->rise_time, in->decay_time);
    return RV_OK;
}

rv_status rv__stim_counters(const rv_sonata_cfg_input *inputs, size_t n, int *count,
                            rv_error *err) {
    int next[4] = {0, 0, 0, 0};
    for (size_t i = 0; i < n; ++i) {
        family f = module_family(inputs[i].module);
        if (f == FAM_NONE) {
            count[i] = -1;
            continue;
        }
        int skip = 0;
        rv_status st = stim_check(&inputs[i], &skip, err);
        if (st) return st;
        count[i] = next[f];
        if (!skip) ++next[f];
    }
    return RV_OK;
}

/* ---- the random signals --------------------------------------------------- */

/* Vector.pow(p) on every element, with NEURON's special exponents. */
static double vec_pow(double x, double p) {
    if (p == -1) return 1 / x;
    if (p == 0) return 1;
    if (p == 0.5) return sqrt(x);
    if (p == 1) return x;
    if (p == 2) return x * x;
    return pow(x, p);
}

/* neurodamus's gamma(rng, shape, scale, N) (Marsaglia-Tsang on hoc Random) */
static rv_status gamma_sample(rv_hrand *r, double a, double b, size_t n, double *out,
                              rv_error *err) {
    if (a < 1) {
        double *w = rv_malloc((n ? n : 1) * sizeof *w);
        if (!w) return RV_FAIL(err, RV_ENOMEM, "out of memory drawing shot-noise amplitudes");
        (void)rv_hrand_uniform(r, 0, 1);
        for (size_t i = 0; i < n; ++i) w[i] = rv_hrand_repick(r);
        for (size_t i = 0; i < n; ++i) w[i] = vec_pow(w[i], 1 / a);
        rv_status st = gamma_sample(r, 1 + a, b, n, out, err);
        if (!st)
            for (size_t i = 0; i < n; ++i) out[i] = out[i] * w[i];
        rv_free(w);
        return st;
    }
    double d = a - 1.0 / 3;
    double c = 1.0 / 3 / sqrt(d);
    for (size_t i = 0; i < n; ++i) {
        for (;;) {
            double x = rv_hrand_normal(r, 0, 1);
            double v = 1 + c * x;
            if (v > 0) {
                v = v * v * v;
                double u = rv_hrand_uniform(r, 0, 1);
                if (u < 1 - 0.0331 * x * x * x * x) {
                    out[i] = b * d * v;
                    break;
                }
                if (log(u) < 0.5 * x * x + d * (1 - v + log(v))) {
                    out[i] = b * d * v;
                    break;
                }
            }
        }
    }
    return RV_OK;
}

/* ShotNoise.params_from_mean_sd */
static rv_status shot_params(const rv_sonata_cfg_input *in, double mean, double sd,
                             double *amp_mean, double *amp_var, double *rate, rv_error *err) {
    double tau_D = in->decay_time, tau_R = in->rise_time;
    double t_peak = log(tau_D / tau_R) / (1 / tau_R - 1 / tau_D);
    double F_peak = exp(-t_peak / tau_D) - exp(-t_peak / tau_R);
    double Xi = (tau_D - tau_R) / F_peak;
    double A = 1 / (tau_D + tau_R);
    double B = 1 / ((tau_D + 2 * tau_R) * (2 * tau_D + tau_R));
    double skew_bnd_min = (8.0 / 3) * (B / pow(A, 2)) * (sd / mean);
    double skew = (1 + in->relative_skew) * skew_bnd_min;
    if (skew < skew_bnd_min || skew > 2 * skew_bnd_min)
        return in_fail(err, RV_ERANGE, in,
                       in->module == RV_SONATA_CFG_MODULE_RELATIVE_SHOT_NOISE ? "mean_percent"
                                                                              : "mean",
                       "skewness out of bounds (the signal mean %g must be positive)", mean);
    double lambda2_1 = pow(sd, 2) / mean;
    double lambda3_2 = sd * skew;
    double theta1pk = 2 / (A * Xi) * lambda2_1;
    double theta2pk = (3 * A) / (4 * B * Xi) * lambda3_2;
    *amp_mean = 2 * theta1pk - theta2pk;
    *amp_var = *amp_mean * (theta2pk - theta1pk);
    double rate_ms = mean / (*amp_mean * Xi);
    *rate = rate_ms * 1000;
    return RV_OK;
}

/* threshold current (nA), or 1 / input resistance (uS) in conductance mode */
static rv_status rel_prop(const rv_sonata_cfg_input *in, const rv__stim_ctx *ctx, double *rp,
                          rv_error *err) {
    if (is_conductance(in) && !(ctx->input_resistance > 0 && isfinite(ctx->input_resistance)))
        return in_fail(err, RV_ERANGE, in, "input_type",
                       "conductance mode needs the cell's input resistance, but gid %lld has %g",
                       ctx->gid, ctx->input_resistance);
    *rp = is_conductance(in) ? 1.0 / ctx->input_resistance : ctx->threshold_current;
    return RV_OK;
}

/* SignalSource.add_shot_noise */
static rv_status add_shot_noise(sigsrc *s, const rv_sonata_cfg_input *in, rv_hrand *r, double tau_D,
                                double tau_R, double rate, double amp_mean, double amp_var,
                                double duration, double dt, rv_error *err) {
    size_t ntstep = 0;
    rv_status st = indgen_n(in, "dt", s->cur, s->cur + duration, dt, &ntstep, err);
    if (st) return st;
    double rate_ms = rate / 1000;
    if (!(isfinite(rate) && rate > 0 && isfinite(amp_mean) && isfinite(amp_var)))
        return in_fail(err, RV_ERANGE, in, "rate",
                       "shot-noise parameters rate %g, amplitude mean %g and variance %g are "
                       "not usable",
                       rate, amp_mean, amp_var);
    if (!(duration * rate_ms < 1e8))
        return in_fail(err, RV_ERANGE, in, "rate", "%.3g shot-noise events are too many",
                       duration * rate_ms);
    long long napprox = 1 + (long long)(duration * rate_ms);
    napprox = (long long)((double)napprox + 3 * sqrt((double)napprox));
    if (napprox < 1 || napprox > 200000000LL)
        return in_fail(err, RV_ERANGE, in, "rate", "%lld shot-noise events are too many", napprox);
    size_t m = (size_t)napprox;
    dvec ev = {0}, E = {0}, P = {0}, Bv = {0}, amp = {0};
    size_t *nev = NULL;
    double exp_scale = 1 / rate;
    (void)rv_hrand_negexp(r, exp_scale);
    if ((st = dvec_zeros(&ev, m, err))) goto done;
    for (size_t i = 0; i < m; ++i) ev.v[i] = rv_hrand_repick(r);
    for (size_t i = 1; i < m; ++i) ev.v[i] = ev.v[i - 1] + ev.v[i] * 1.;
    for (size_t i = 0; i < m; ++i) ev.v[i] *= 1000;
    if (!(ev.v[m - 1] >= duration)) {
        st = in_fail(err, RV_EINTERNAL, in, "rate",
                     "the last shot-noise event %g is before the duration %g (neurodamus "
                     "asserts the same)",
                     ev.v[m - 1], duration);
        goto done;
    }
    nev = rv_malloc(m * sizeof *nev);
    if (!nev) {
        st = RV_FAIL(err, RV_ENOMEM, "out of memory building a shot-noise signal");
        goto done;
    }
    size_t k = 0;
    for (size_t i = 0; i < m; ++i) {
        if (!(ev.v[i] < duration - HOC_EPSILON)) continue;
        double idx = rint(ev.v[i] / dt); /* Python round(): half to even */
        if (idx < (double)ntstep - HOC_EPSILON) nev[k++] = (size_t)idx;
    }
    double sign = 1;
    if (amp_mean < 0) {
        amp_mean = -amp_mean;
        sign = -1;
    }
    double gamma_scale = amp_var / amp_mean;
    double gamma_shape = amp_mean / gamma_scale;
    if ((st = dvec_zeros(&amp, k, err))) goto done;
    if ((st = gamma_sample(r, gamma_shape, gamma_scale, k, amp.v, err))) goto done;
    if ((st = dvec_zeros(&E, ntstep, err))) goto done;
    for (size_t i = 0; i < k; ++i) E.v[nev[i]] += sign * amp.v[i];
    double a = exp(-dt / tau_D);
    double b = exp(-dt / tau_R);
    double D = -log(a);
    double R = -log(b);
    double t_peak = log(R / D) / (R - D);
    double A = (a / b - 1) / (pow(a, t_peak) - pow(b, t_peak));
    if ((st = dvec_zeros(&P, ntstep, err))) goto done;
    if ((st = dvec_zeros(&Bv, ntstep, err))) goto done;
    for (size_t n = 1; n < ntstep; ++n) {
        P.v[n] = a * P.v[n - 1] + b * Bv.v[n - 1];
        Bv.v[n] = b * Bv.v[n - 1] + E.v[n - 1];
    }
    for (size_t n = 0; n < ntstep; ++n) P.v[n] *= A;
    st = src_samples(s, P.v, ntstep, dt, duration, 1, err);
done:
    dvec_free(&ev);
    dvec_free(&E);
    dvec_free(&P);
    dvec_free(&Bv);
    dvec_free(&amp);
    rv_free(nev);
    return st;
}

/* SignalSource.add_ornstein_uhlenbeck */
static rv_status add_ou(sigsrc *s, const rv_sonata_cfg_input *in, rv_hrand *r, double tau,
                        double sigma, double mean, double duration, double dt, rv_error *err) {
    size_t ntstep = 0;
    rv_status st = indgen_n(in, "dt", s->cur, s->cur + duration, dt, &ntstep, err);
    if (st) return st;
    dvec sv = {0}, noise = {0};
    if ((st = dvec_zeros(&sv, ntstep, err)) || (st = dvec_zeros(&noise, ntstep, err))) goto done;
    (void)rv_hrand_normal(r, 0.0, 1.0);
    for (size_t i = 0; i < ntstep; ++i) noise.v[i] = rv_hrand_repick(r);
    if (tau < 1e-9) {
        for (size_t i = 0; i < ntstep; ++i) sv.v[i] = noise.v[i] * sigma;
    } else {
        double mu = exp(-dt / tau);
        double A = sigma * sqrt(1 - mu * mu);
        for (size_t i = 0; i < ntstep; ++i) noise.v[i] *= A;
        for (size_t n = 1; n < ntstep; ++n) sv.v[n] = sv.v[n - 1] * mu + noise.v[n];
    }
    for (size_t i = 0; i < ntstep; ++i) sv.v[i] += mean;
    st = src_samples(s, sv.v, ntstep, dt, duration, 1, err);
done:
    dvec_free(&sv);
    dvec_free(&noise);
    return st;
}

/* Noise.draw_already_used_numbers: the legacy draws from the default
 * distribution (Normal(0, 1), cached pairs) for the time before the delay. */
static rv_status noise_legacy_draws(const rv_sonata_cfg_input *in, rv_hrand *r, double delay,
                                    double duration, double noise_dt, double sim_dt,
                                    rv_error *err) {
    double prev = 0;
    double tstep = duration - sim_dt;
    while (prev < delay - sim_dt) {
        /* Python's min(prev + tstep, delay - dt) */
        double next = (delay - sim_dt < prev + tstep) ? delay - sim_dt : prev + tstep;
        size_t n = 0;
        rv_status st = indgen_n(in, "delay", prev, next, noise_dt, &n, err);
        if (st) return st;
        for (size_t i = 0; i < n; ++i) (void)rv_hrand_repick(r);
        double np = next + sim_dt;
        if (!(np > prev))
            return in_fail(err, RV_ERANGE, in, "duration",
                           "the noise's legacy pre-delay draws make no progress (duration %g, "
                           "dt %g)",
                           duration, sim_dt);
        prev = np;
    }
    return RV_OK;
}

/* ---- the entry point ------------------------------------------------------ */

void rv__signal_free(rv__signal *s) {
    if (!s) return;
    rv_free(s->t);
    rv_free(s->y);
    s->t = s->y = NULL;
    s->n = 0;
}

static rv_status finish(sigsrc *s, const rv_sonata_cfg_input *in, int conductance, double reversal,
                        rv__signal *out, rv_error *err) {
    size_t n = s->t.n;
    out->represents_physical_electrode = in->represents_physical_electrode;
    out->continuous = 1;
    out->dur = n ? s->t.v[n - 1] : 0.0;
    if (!conductance) {
        out->kind = RV__SIG_CURRENT;
        out->t = s->t.v;
        out->y = s->y.v;
        out->n = n;
        s->t.v = s->y.v = NULL;
        return RV_OK;
    }
    out->kind = RV__SIG_CONDUCTANCE;
    out->amp1 = reversal;
    double *t = rv_malloc((n + 1) * sizeof *t), *y = rv_malloc((n + 1) * sizeof *y);
    if (!t || !y) {
        rv_free(t);
        rv_free(y);
        return RV_FAIL(err, RV_ENOMEM, "out of memory building a conductance signal");
    }
    t[0] = 0;
    y[0] = 0;
    for (size_t i = 0; i < n; ++i) {
        t[i + 1] = s->t.v[i];
        y[i + 1] = s->y.v[i];
    }
    for (size_t i = 0; i <= n; ++i) {
        double g = y[i];
        y[i] = (g > 1e-9 && g < 1e9) ? 1 / g : 1e9;
    }
    out->t = t;
    out->y = y;
    out->n = n + 1;
    return RV_OK;
}

rv_status rv__stim_signal(const rv_sonata_cfg_input *in, const rv__stim_ctx *ctx, rv__signal *out,
                          rv_error *err) {
    memset(out, 0, sizeof *out);
    int skip = 0;
    rv_status st = stim_check(in, &skip, err);
    if (st) return st;
    out->represents_physical_electrode = in->represents_physical_electrode;
    if (skip) {
        out->skip = 1;
        return RV_OK;
    }
    sigsrc s;
    memset(&s, 0, sizeof s);
    double delay = in->delay, duration = in->duration;
    switch (in->module) {
    case RV_SONATA_CFG_MODULE_SECLAMP: {
        out->kind = RV__SIG_SECLAMP;
        out->continuous = 0;
        out->rs = in->series_resistance;
        out->dur = duration;
        out->amp1 = in->voltage;
        if (in->n_levels > 0) {
            out->t = rv_malloc(in->n_levels * sizeof *out->t);
            out->y = rv_malloc(in->n_levels * sizeof *out->y);
            if (!out->t || !out->y) {
                rv__signal_free(out);
                return RV_FAIL(err, RV_ENOMEM, "out of memory building a seclamp signal");
            }
            double sum = 0;
            for (size_t i = 0; i < in->n_levels; ++i) {
                sum += in->duration_levels[i];
                out->t[i] = sum;
                out->y[i] = in->voltage_levels[i];
            }
            out->n = in->n_levels;
        }
        return RV_OK;
    }
    case RV_SONATA_CFG_MODULE_LINEAR:
    case RV_SONATA_CFG_MODULE_RELATIVE_LINEAR:
    case RV_SONATA_CFG_MODULE_SUBTHRESHOLD:
    case RV_SONATA_CFG_MODULE_HYPERPOLARIZING: {
        double a1 = in->amp_start, a2 = in->amp_end;
        double thr = ctx->threshold_current;
        if (in->module == RV_SONATA_CFG_MODULE_RELATIVE_LINEAR) {
            a1 = thr * (in->percent_start / 100);
            a2 = thr * (in->percent_end / 100);
        } else if (in->module == RV_SONATA_CFG_MODULE_SUBTHRESHOLD) {
            a1 = thr * (100 - in->percent_less) / 100;
            a2 = a1;
        } else if (in->module == RV_SONATA_CFG_MODULE_HYPERPOLARIZING) {
            a1 = a2 = ctx->holding_current;
        }
        st = src_start(&s, 0.0, delay, err);
        if (!st) st = src_ramp(&s, a1, a2, duration, err);
        break;
    }
    case RV_SONATA_CFG_MODULE_PULSE:
        st = src_start(&s, 0.0, delay, err);
        if (!st) st = src_train(&s, in, in->amp_start, in->frequency, in->width, duration, err);
        break;
    case RV_SONATA_CFG_MODULE_SINUSOIDAL: {
        st = src_start(&s, 0.0, delay, err);
        size_t n = 0;
        if (!st) st = indgen_n(in, "dt", s.cur, s.cur + duration, in->dt, &n, err);
        if (st) break;
        double *y = rv_malloc((n ? n : 1) * sizeof *y);
        if (!y) {
            st = RV_FAIL(err, RV_ENOMEM, "out of memory building a sinusoidal signal");
            break;
        }
        double period = 2 * k_pi / 1000 * in->frequency * in->dt;
        for (size_t i = 0; i < n; ++i) y[i] = sin(period * (double)i + 0.0) * in->amp_start;
        st = src_samples(&s, y, n, in->dt, duration, 0, err);
        rv_free(y);
        break;
    }
    case RV_SONATA_CFG_MODULE_NOISE: {
        const double noise_dt = 0.5; /* no SONATA key: neurodamus's default */
        double mean = in->mean, var = in->variance;
        if (!in->has_mean) {
            double thr = ctx->threshold_current;
            mean = thr * in->mean_percent / 100;
            var = thr * in->variance / 100;
            if (!(var >= 0)) {
                st = in_fail(err, RV_ERANGE, in, "variance",
                             "gives a variance %g < 0 with the threshold current %g of gid %lld",
                             var, thr, ctx->gid);
                break;
            }
        }
        uint32_t id1 = 0, id2 = 0, id3 = 0;
        if ((st = ran_id(in, "node_set", (long long)ctx->count + 100, &id1, err)) ||
            (st = ran_id(in, "stimulus_seed", ctx->stimulus_seed + 500, &id2, err)) ||
            (st = ran_id(in, "node_set", ctx->gid + 301, &id3, err)))
            break;
        rv_hrand r;
        rv_hrand_init(&r, id1, id2, id3);
        if (delay > 0 &&
            (st = noise_legacy_draws(in, &r, delay, duration, noise_dt, ctx->sim_dt, err)))
            break;
        /* every point of the cell draws from the same stream, in point order */
        for (int p = 0; p <= ctx->point_index && !st; ++p) {
            src_free(&s);
            st = src_start(&s, 0.0, delay, err);
            if (st) break;
            (void)rv_hrand_normal(&r, mean, var);
            size_t n = 0;
            if ((st = indgen_n(in, "duration", s.cur, s.cur + duration, noise_dt, &n, err))) break;
            double *y = rv_malloc((n ? n : 1) * sizeof *y);
            if (!y) {
                st = RV_FAIL(err, RV_ENOMEM, "out of memory building a noise signal");
                break;
            }
            for (size_t i = 0; i < n; ++i) y[i] = rv_hrand_repick(&r);
            st = src_samples(&s, y, n, noise_dt, duration, 1, err);
            rv_free(y);
        }
        break;
    }
    case RV_SONATA_CFG_MODULE_SHOT_NOISE:
    case RV_SONATA_CFG_MODULE_RELATIVE_SHOT_NOISE:
    case RV_SONATA_CFG_MODULE_ABSOLUTE_SHOT_NOISE: {
        double amp_mean = in->amp_mean, amp_var = in->amp_var, rate = in->rate;
        if (in->module == RV_SONATA_CFG_MODULE_RELATIVE_SHOT_NOISE) {
            double rp = 0;
            if ((st = rel_prop(in, ctx, &rp, err))) break;
            double mean = (in->mean_percent / 100) * rp;
            double sd = (in->sd_percent / 100) * rp;
            st = shot_params(in, mean, sd, &amp_mean, &amp_var, &rate, err);
        } else if (in->module == RV_SONATA_CFG_MODULE_ABSOLUTE_SHOT_NOISE) {
            st = shot_params(in, in->mean, in->sigma, &amp_mean, &amp_var, &rate, err);
        }
        if (st) break;
        rv_hrand r;
        if ((st = shot_ou_stream(in, ctx, 19216, &r, err))) break;
        double base = is_conductance(in) ? in->reversal : 0.0;
        st = src_start(&s, base, delay, err);
        if (!st)
            st = add_shot_noise(&s, in, &r, in->decay_time, in->rise_time, rate, amp_mean, amp_var,
                                duration, in->dt, err);
        break;
    }
    case RV_SONATA_CFG_MODULE_ORNSTEIN_UHLENBECK:
    case RV_SONATA_CFG_MODULE_RELATIVE_ORNSTEIN_UHLENBECK: {
        double sigma = in->sigma, mean = in->mean;
        if (in->module == RV_SONATA_CFG_MODULE_RELATIVE_ORNSTEIN_UHLENBECK) {
            double rp = 0;
            if ((st = rel_prop(in, ctx, &rp, err))) break;
            sigma = (in->sd_percent / 100) * rp;
            if (!(sigma > 0)) {
                st = in_fail(err, RV_ERANGE, in, "sd_percent",
                             "gives a standard deviation %g <= 0 for gid %lld", sigma, ctx->gid);
                break;
            }
            mean = (in->mean_percent / 100) * rp;
        }
        rv_hrand r;
        if ((st = shot_ou_stream(in, ctx, 291204, &r, err))) break;
        double base = is_conductance(in) ? in->reversal : 0.0;
        st = src_start(&s, base, delay, err);
        if (!st) st = add_ou(&s, in, &r, in->tau, sigma, mean, duration, in->dt, err);
        break;
    }
    default:
        st = in_fail(err, RV_EUNSUPPORTED, in, "module", "not a signal stimulus");
        break;
    }
    if (!st) {
        int cond = module_family(in->module) != FAM_NONE &&
                   module_family(in->module) != FAM_NOISE && is_conductance(in);
        st = finish(&s, in, cond, in->reversal, out, err);
    }
    src_free(&s);
    if (st) rv__signal_free(out);
    return st;
}
