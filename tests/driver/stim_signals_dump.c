/* SPDX-License-Identifier: MIT
 * tests/driver/stim_signals_dump.c -- prints neurodamus stimulus signals
 * built by driver/stimulus.c, for stim_oracle.py to compare with NEURON.
 *
 * Usage:
 *   test_stim_signals signals CASES   every `input` line x every `cell` x its points
 *   test_stim_signals bad CASES       every `bad` line must fail naming its key
 *   test_stim_signals oom CASES       every allocation of every `input` line's
 *                                     signal (first cell) fails in turn: ENOMEM
 *                                     or success, never a crash (run under ASan)
 *   test_stim_signals config CONFIG CASES
 *                    the inputs (and run dt, stimulus_seed) of the simulation
 *                    config CONFIG, read by the sonata layer, x the cells of CASES
 * CASES is a text file (stim_cases.txt): `run dt=.. stimulus_seed=..`,
 * `cell gid=.. threshold=.. holding=.. rin=.. points=..`, and `input` /
 * `bad` lines of key=value pairs with the SONATA input keys (lists comma
 * separated); `bad` lines also give expect=KEY.  Output of `signals`, per
 * signal: "S name gid point kind skip electrode n dur amp1 rs continuous
 * count" then n lines "t y", doubles as %.17g; a signal that cannot be
 * built gives "E name gid point key" (message on stderr).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ranvier/sonata_config.h"
#include "stimulus_int.h"

#define MAXIN   512
#define MAXCELL 16
#define MAXLEV  16

typedef struct tcase {
    rv_sonata_cfg_input in;
    char name[64], module[48], expect[48];
    double dlev[MAXLEV], vlev[MAXLEV];
} tcase;

typedef struct tcell {
    long long gid;
    double thr, hold, rin;
    int points;
} tcell;

static const struct {
    const char *name;
    rv_sonata_cfg_module m;
} k_modules[] = {
    {"linear", RV_SONATA_CFG_MODULE_LINEAR},
    {"relative_linear", RV_SONATA_CFG_MODULE_RELATIVE_LINEAR},
    {"pulse", RV_SONATA_CFG_MODULE_PULSE},
    {"sinusoidal", RV_SONATA_CFG_MODULE_SINUSOIDAL},
    {"subthreshold", RV_SONATA_CFG_MODULE_SUBTHRESHOLD},
    {"hyperpolarizing", RV_SONATA_CFG_MODULE_HYPERPOLARIZING},
    {"seclamp", RV_SONATA_CFG_MODULE_SECLAMP},
    {"noise", RV_SONATA_CFG_MODULE_NOISE},
    {"shot_noise", RV_SONATA_CFG_MODULE_SHOT_NOISE},
    {"relative_shot_noise", RV_SONATA_CFG_MODULE_RELATIVE_SHOT_NOISE},
    {"absolute_shot_noise", RV_SONATA_CFG_MODULE_ABSOLUTE_SHOT_NOISE},
    {"ornstein_uhlenbeck", RV_SONATA_CFG_MODULE_ORNSTEIN_UHLENBECK},
    {"relative_ornstein_uhlenbeck", RV_SONATA_CFG_MODULE_RELATIVE_ORNSTEIN_UHLENBECK},
    {"synapse_replay", RV_SONATA_CFG_MODULE_SYNAPSE_REPLAY},
};

static int parse_list(const char *v, double *out) {
    int n = 0;
    const char *p = v;
    while (*p && n < MAXLEV) {
        char *end;
        out[n++] = strtod(p, &end);
        if (*end != ',') break;
        p = end + 1;
    }
    return n;
}

/* The SONATA layer's defaults, then the line's keys. */
static int parse_input(char *line, tcase *c) {
    memset(c, 0, sizeof *c);
    rv_sonata_cfg_input *in = &c->in;
    int has_dt = 0, has_amp_end = 0, has_pend = 0, has_skew = 0, has_rs = 0, nd = 0, nv = 0;
    in->input_type = RV_SONATA_CFG_INPUT_CURRENT_CLAMP;
    for (char *tok = strtok(line, " \t\n"); tok; tok = strtok(NULL, " \t\n")) {
        char *eq = strchr(tok, '=');
        if (!eq) continue;
        *eq = '\0';
        const char *k = tok, *v = eq + 1;
        double x = strtod(v, NULL);
        if (!strcmp(k, "name"))
            snprintf(c->name, sizeof c->name, "%s", v);
        else if (!strcmp(k, "expect"))
            snprintf(c->expect, sizeof c->expect, "%s", v);
        else if (!strcmp(k, "module")) {
            snprintf(c->module, sizeof c->module, "%s", v);
            int found = 0;
            for (size_t i = 0; i < sizeof k_modules / sizeof k_modules[0]; ++i)
                if (!strcmp(v, k_modules[i].name)) {
                    in->module = k_modules[i].m;
                    found = 1;
                }
            if (!found) return 0;
        } else if (!strcmp(k, "input_type")) {
            if (!strcmp(v, "conductance"))
                in->input_type = RV_SONATA_CFG_INPUT_CONDUCTANCE;
            else if (!strcmp(v, "voltage_clamp"))
                in->input_type = RV_SONATA_CFG_INPUT_VOLTAGE_CLAMP;
            else if (!strcmp(v, "spikes"))
                in->input_type = RV_SONATA_CFG_INPUT_SPIKES;
        } else if (!strcmp(k, "delay"))
            in->delay = x;
        else if (!strcmp(k, "duration"))
            in->duration = x;
        else if (!strcmp(k, "represents_physical_electrode"))
            in->represents_physical_electrode = !strcmp(v, "true");
        else if (!strcmp(k, "amp_start"))
            in->amp_start = x;
        else if (!strcmp(k, "amp_end"))
            in->amp_end = x, has_amp_end = 1;
        else if (!strcmp(k, "percent_start"))
            in->percent_start = x;
        else if (!strcmp(k, "percent_end"))
            in->percent_end = x, has_pend = 1;
        else if (!strcmp(k, "width"))
            in->width = x;
        else if (!strcmp(k, "frequency"))
            in->frequency = x;
        else if (!strcmp(k, "dt"))
            in->dt = x, has_dt = 1;
        else if (!strcmp(k, "percent_less"))
            in->percent_less = x;
        else if (!strcmp(k, "mean"))
            in->mean = x, in->has_mean = 1;
        else if (!strcmp(k, "mean_percent"))
            in->mean_percent = x, in->has_mean_percent = 1;
        else if (!strcmp(k, "variance"))
            in->variance = x;
        else if (!strcmp(k, "rise_time"))
            in->rise_time = x;
        else if (!strcmp(k, "decay_time"))
            in->decay_time = x;
        else if (!strcmp(k, "rate"))
            in->rate = x;
        else if (!strcmp(k, "amp_mean"))
            in->amp_mean = x;
        else if (!strcmp(k, "amp_var"))
            in->amp_var = x;
        else if (!strcmp(k, "sd_percent"))
            in->sd_percent = x;
        else if (!strcmp(k, "sigma"))
            in->sigma = x;
        else if (!strcmp(k, "relative_skew"))
            in->relative_skew = x, has_skew = 1;
        else if (!strcmp(k, "reversal"))
            in->reversal = x;
        else if (!strcmp(k, "tau"))
            in->tau = x;
        else if (!strcmp(k, "random_seed"))
            in->random_seed = strtoll(v, NULL, 10), in->has_random_seed = 1;
        else if (!strcmp(k, "voltage"))
            in->voltage = x;
        else if (!strcmp(k, "series_resistance"))
            in->series_resistance = x, has_rs = 1;
        else if (!strcmp(k, "duration_levels"))
            nd = parse_list(v, c->dlev);
        else if (!strcmp(k, "voltage_levels"))
            nv = parse_list(v, c->vlev);
        else
            return 0;
    }
    in->name = c->name;
    in->module_name = c->module;
    if (!has_amp_end) in->amp_end = in->amp_start;
    if (!has_pend) in->percent_end = in->percent_start;
    if (!has_skew) in->relative_skew = 0.5;
    if (!has_rs) in->series_resistance = 0.01;
    if (!has_dt) in->dt = in->module == RV_SONATA_CFG_MODULE_SINUSOIDAL ? 0.025 : 0.25;
    if (nd != nv) return 0;
    in->n_levels = (size_t)nd;
    in->duration_levels = c->dlev;
    in->voltage_levels = c->vlev;
    return 1;
}

/* An allocator failing after `g_budget` allocations (-1: never). */
static long g_budget = -1, g_count = 0;
static void *failing_alloc(void *ud, void *ptr, size_t n) {
    (void)ud;
    if (n == 0) {
        free(ptr);
        return NULL;
    }
    if (g_budget >= 0 && g_count++ >= g_budget) return NULL;
    return realloc(ptr, n);
}

static double kv(const char *line, const char *key, double dflt) {
    char pat[64];
    snprintf(pat, sizeof pat, " %s=", key);
    const char *p = strstr(line, pat);
    return p ? strtod(p + strlen(pat), NULL) : dflt;
}

int main(int argc, char **argv) {
    int config_mode = argc == 4 && !strcmp(argv[1], "config");
    int oom_mode = argc == 3 && !strcmp(argv[1], "oom");
    if (!config_mode && !oom_mode &&
        (argc != 3 || (strcmp(argv[1], "signals") && strcmp(argv[1], "bad")))) {
        fprintf(stderr, "usage: test_stim_signals signals|bad CASES | config CONFIG CASES\n");
        return 2;
    }
    int bad_mode = !strcmp(argv[1], "bad");
    const char *cases_path = argv[argc - 1];
    FILE *f = fopen(cases_path, "r");
    if (!f) {
        perror(cases_path);
        return 2;
    }
    static tcase cases[MAXIN];
    tcell cells[MAXCELL];
    int ncase = 0, ncell = 0;
    double sim_dt = 0.025, tstop = 100;
    long long seed = 0;
    char line[2048];
    int lineno = 0;
    while (fgets(line, sizeof line, f)) {
        ++lineno;
        if (!strncmp(line, "run ", 4)) {
            sim_dt = kv(line, "dt", 0.025);
            tstop = kv(line, "tstop", 100);
            seed = (long long)kv(line, "stimulus_seed", 0);
        } else if (!strncmp(line, "cell ", 5) && ncell < MAXCELL) {
            tcell *c = &cells[ncell++];
            c->gid = (long long)kv(line, "gid", 0);
            c->thr = kv(line, "threshold", 0);
            c->hold = kv(line, "holding", 0);
            c->rin = kv(line, "rin", 0);
            c->points = (int)kv(line, "points", 1);
        } else if ((!strncmp(line, "input ", 6) && !bad_mode) ||
                   (!strncmp(line, "bad ", 4) && bad_mode)) {
            if (ncase == MAXIN || !parse_input(line, &cases[ncase])) {
                fprintf(stderr, "%s:%d: bad test line\n", cases_path, lineno);
                return 2;
            }
            ++ncase;
        }
    }
    fclose(f);
    static rv_sonata_cfg_input ins[MAXIN];
    for (int i = 0; i < ncase; ++i) ins[i] = cases[i].in;
    int count[MAXIN];
    rv_error err;
    int failures = 0;
    rv_sonata_config *cfg = NULL;
    if (config_mode) {
        rv_sonata_cfg_options o = {.flavour = RV_SONATA_CFG_FLAVOUR_BBP, .skip_circuit = 1};
        rv_sonata_config_problems *pr = NULL;
        rv_error_clear(&err);
        if (rv_sonata_config_load(argv[2], &o, &cfg, &pr, &err) != RV_OK) {
            fprintf(stderr, "%s: %s [%s]\n", argv[2], err.msg, err.key);
            rv_sonata_config_problems_destroy(pr);
            return 1;
        }
        rv_sonata_config_problems_destroy(pr);
        const rv_sonata_simulation_config *sim = cfg->simulation;
        if (!sim || sim->n_inputs > MAXIN) {
            fprintf(stderr, "%s: no simulation config or too many inputs\n", argv[2]);
            rv_sonata_config_destroy(cfg);
            return 1;
        }
        ncase = (int)sim->n_inputs;
        for (int i = 0; i < ncase; ++i) {
            ins[i] = sim->inputs[i];
            snprintf(cases[i].name, sizeof cases[i].name, "%s", ins[i].name);
        }
        sim_dt = sim->run.dt;
        tstop = sim->run.tstop;
        seed = sim->run.stimulus_seed;
    }
    if (oom_mode) {
        long points = 0, nomem = 0;
        rv_set_allocator(failing_alloc, NULL);
        for (int i = 0; i < ncase && ncell > 0; ++i) {
            rv__stim_ctx ctx = {.sim_dt = sim_dt,
                                .tstop = tstop,
                                .stimulus_seed = seed,
                                .gid = cells[0].gid,
                                .threshold_current = cells[0].thr,
                                .holding_current = cells[0].hold,
                                .input_resistance = cells[0].rin};
            for (long k = 0;; ++k) {
                rv__signal sg;
                g_budget = k;
                g_count = 0;
                rv_status st = rv__stim_signal(&ins[i], &ctx, &sg, &err);
                rv__signal_free(&sg);
                if (st == RV_OK) break;
                ++points;
                if (st != RV_ENOMEM) {
                    fprintf(stderr, "input '%s': allocation %ld failing gave status %d\n",
                            cases[i].name, k, (int)st);
                    ++failures;
                    break;
                }
                ++nomem;
            }
        }
        rv_set_allocator(NULL, NULL);
        printf("oom: %ld allocation points failed in turn over %d inputs, %ld gave ENOMEM, %d "
               "failures\n",
               points, ncase, nomem, failures);
        return failures || nomem == 0 ? 1 : 0;
    }
    if (!bad_mode) {
        rv_error_clear(&err);
        if (rv__stim_counters(ins, (size_t)ncase, count, &err) != RV_OK) {
            fprintf(stderr, "counters: %s\n", err.msg);
            rv_sonata_config_destroy(cfg);
            return 1;
        }
    }
    for (int i = 0; i < ncase; ++i) {
        for (int j = 0; j < ncell; ++j) {
            for (int p = 0; p < cells[j].points; ++p) {
                rv__stim_ctx ctx = {.sim_dt = sim_dt,
                                    .tstop = tstop,
                                    .count = bad_mode ? 0 : count[i],
                                    .stimulus_seed = seed,
                                    .gid = cells[j].gid,
                                    .threshold_current = cells[j].thr,
                                    .holding_current = cells[j].hold,
                                    .input_resistance = cells[j].rin,
                                    .point_index = p};
                rv__signal s;
                rv_error_clear(&err);
                rv_status st = rv__stim_signal(&ins[i], &ctx, &s, &err);
                if (bad_mode) {
                    if (st == RV_OK) {
                        fprintf(stderr, "bad input '%s' accepted\n", cases[i].name);
                        ++failures;
                        rv__signal_free(&s);
                    } else if (strcmp(err.key, cases[i].expect) != 0 ||
                               !strstr(err.msg, cases[i].name)) {
                        fprintf(stderr, "bad input '%s': key '%s' (expected '%s'): %s\n",
                                cases[i].name, err.key, cases[i].expect, err.msg);
                        ++failures;
                    } else if (j == 0 && p == 0) {
                        printf("ok %s: [%s] %s\n", cases[i].name, err.key, err.msg);
                    }
                    continue;
                }
                if (st != RV_OK) { /* where neurodamus fails too: the oracle decides */
                    printf("E %s %lld %d %s\n", cases[i].name, cells[j].gid, p,
                           err.key[0] ? err.key : "-");
                    fprintf(stderr, "input '%s' gid %lld: %s\n", cases[i].name, cells[j].gid,
                            err.msg);
                    continue;
                }
                printf("S %s %lld %d %d %d %d %zu %.17g %.17g %.17g %d %d\n", cases[i].name,
                       cells[j].gid, p, (int)s.kind, s.skip, s.represents_physical_electrode, s.n,
                       s.dur, s.amp1, s.rs, s.continuous, count[i]);
                for (size_t k = 0; k < s.n; ++k) printf("%.17g %.17g\n", s.t[k], s.y[k]);
                rv__signal_free(&s);
            }
        }
    }
    rv_sonata_config_destroy(cfg);
    if (bad_mode) {
        printf("%d bad inputs checked, %d failures\n", ncase, failures);
        if (ncase == 0) return 1;
    }
    return failures ? 1 : 0;
}
