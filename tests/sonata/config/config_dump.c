/* SPDX-License-Identifier: MIT
 * tests/sonata/config/config_dump.c -- loads a SONATA config and prints it
 * as "key = value" lines, one per field, for expect_config.py to compare
 * with values it derives from the JSON files itself.
 *
 *   config_dump CONFIG [bbp|allen]
 *
 * On failure it prints every problem ("problem: path:line: error: ...") and
 * exits 1.  Numbers are printed with %.17g, booleans as true/false, absent
 * strings as <null>, lists joined with ','.
 */
#include "ranvier/sonata_config.h"

#include <stdio.h>
#include <string.h>

static void s(const char *k, const char *v) {
    printf("%s = %s\n", k, v ? v : "<null>");
}
static void d(const char *k, double v) {
    printf("%s = %.17g\n", k, v);
}
static void b(const char *k, int v) {
    printf("%s = %s\n", k, v ? "true" : "false");
}
static void ll(const char *k, long long v) {
    printf("%s = %lld\n", k, v);
}

static const char *kf(char *buf, const char *a, const char *b_, const char *c) {
    if (snprintf(buf, 512, "%s.%s%s%s", a, b_, c ? "." : "", c ? c : "") >= 512)
        fprintf(stderr, "config_dump: key truncated: %s\n", buf);
    return buf;
}

static void nums(const char *k, const double *v, size_t n) {
    printf("%s = ", k);
    for (size_t i = 0; i < n; i++) printf("%s%.17g", i ? "," : "", v[i]);
    printf("\n");
}

static void value(const char *k, const rv_sonata_cfg_value *v) {
    switch (v->type) {
    case RV_SONATA_CFG_VALUE_NULL:
        s(k, NULL);
        break;
    case RV_SONATA_CFG_VALUE_BOOL:
        b(k, v->b);
        break;
    case RV_SONATA_CFG_VALUE_INT:
        ll(k, v->i);
        break;
    case RV_SONATA_CFG_VALUE_DOUBLE:
        d(k, v->d);
        break;
    default:
        s(k, v->s);
        break;
    }
}

static void params(const char *prefix, const rv_sonata_cfg_params *p) {
    char k[512];
    for (size_t i = 0; i < p->n; i++)
        value(kf(k, prefix, p->items[i].name, NULL), &p->items[i].value);
}

static void population(const char *prefix, const rv_sonata_cfg_population *p, int edges) {
    char k[512];
    s(kf(k, prefix, "type", NULL), p->type);
    s(kf(k, prefix, "elements_path", NULL), p->elements_path);
    s(kf(k, prefix, "types_path", NULL), p->types_path);
    s(kf(k, prefix, "morphologies_dir", NULL), p->morphologies_dir);
    s(kf(k, prefix, "biophysical_neuron_models_dir", NULL), p->biophysical_neuron_models_dir);
    s(kf(k, prefix, "point_neuron_models_dir", NULL), p->point_neuron_models_dir);
    s(kf(k, prefix, "mechanisms_dir", NULL), p->mechanisms_dir);
    for (size_t i = 0; i < p->n_alternate_morphologies; i++)
        s(kf(k, prefix, "alternate_morphologies", p->alternate_morphologies[i].name),
          p->alternate_morphologies[i].path);
    if (edges) {
        s(kf(k, prefix, "spatial_synapse_index_dir", NULL), p->spatial_synapse_index_dir);
        s(kf(k, prefix, "endfeet_meshes_file", NULL), p->endfeet_meshes_file);
        s(kf(k, prefix, "spine_morphologies_dir", NULL), p->spine_morphologies_dir);
    } else {
        s(kf(k, prefix, "spatial_segment_index_dir", NULL), p->spatial_segment_index_dir);
        s(kf(k, prefix, "vasculature_file", NULL), p->vasculature_file);
        s(kf(k, prefix, "vasculature_mesh", NULL), p->vasculature_mesh);
        s(kf(k, prefix, "microdomains_file", NULL), p->microdomains_file);
    }
}

static void circuit(const rv_sonata_circuit_config *c) {
    char k[512], p[512];
    s("circuit.path", c->path);
    s("circuit.target_simulator", rv_sonata_config_simulator_name(c->target_simulator));
    s("circuit.node_sets_file", c->node_sets_file);
    s("circuit.status", c->status == RV_SONATA_CFG_STATUS_PARTIAL ? "partial" : "complete");
    for (size_t i = 0; i < c->components.n_all; i++)
        s(kf(k, "circuit.components", c->components.all[i].name, NULL), c->components.all[i].path);
    for (size_t i = 0; i < c->components.n_alternate_morphologies; i++)
        s(kf(k, "circuit.components.alternate_morphologies",
             c->components.alternate_morphologies[i].name, NULL),
          c->components.alternate_morphologies[i].path);
    for (int e = 0; e < 2; e++) {
        size_t nf = e ? c->n_edge_files : c->n_node_files;
        const rv_sonata_cfg_network_file *files = e ? c->edge_files : c->node_files;
        for (size_t i = 0; i < nf; i++) {
            snprintf(p, sizeof p, "circuit.%s_files[%zu]", e ? "edge" : "node", i);
            s(kf(k, p, "elements_path", NULL), files[i].elements_path);
            s(kf(k, p, "types_path", NULL), files[i].types_path);
            printf("%s.populations = ", p);
            const rv_sonata_cfg_population *pops = e ? c->edge_populations : c->node_populations;
            for (size_t j = 0; j < files[i].n_populations; j++)
                printf("%s%s", j ? "," : "", pops[files[i].first_population + j].name);
            printf("\n");
        }
        size_t np = e ? c->n_edge_populations : c->n_node_populations;
        const rv_sonata_cfg_population *pops = e ? c->edge_populations : c->node_populations;
        for (size_t j = 0; j < np; j++) {
            snprintf(p, sizeof p, "circuit.%s.%s", e ? "edges" : "nodes", pops[j].name);
            population(p, &pops[j], e);
        }
    }
}

static void input(const rv_sonata_cfg_input *x) {
    char p[512], k[512];
    snprintf(p, sizeof p, "sim.inputs.%s", x->name);
    s(kf(k, p, "module", NULL), x->module_name);
    s(kf(k, p, "input_type", NULL), x->input_type_name);
    rv_sonata_cfg_module m = x->module;
    if (m == RV_SONATA_CFG_MODULE_OTHER) return;
    if (m == RV_SONATA_CFG_MODULE_ICLAMP) {
        nums(kf(k, p, "amp", NULL), x->amps, x->n_pulses);
        nums(kf(k, p, "delay", NULL), x->delays, x->n_pulses);
        nums(kf(k, p, "duration", NULL), x->durations, x->n_pulses);
        s(kf(k, p, "node_set", NULL), x->node_set);
        return;
    }
    if (m == RV_SONATA_CFG_MODULE_SPIKE_FILE) {
        s(kf(k, p, "input_file", NULL), x->input_file);
        s(kf(k, p, "node_set", NULL), x->node_set);
        return;
    }
    d(kf(k, p, "delay", NULL), x->delay);
    d(kf(k, p, "duration", NULL), x->duration);
    if (x->node_set) s(kf(k, p, "node_set", NULL), x->node_set);
    if (x->compartment_set) s(kf(k, p, "compartment_set", NULL), x->compartment_set);
    int cur = m != RV_SONATA_CFG_MODULE_SYNAPSE_REPLAY && m != RV_SONATA_CFG_MODULE_SECLAMP &&
              m != RV_SONATA_CFG_MODULE_SPATIALLY_UNIFORM_E_FIELD &&
              m != RV_SONATA_CFG_MODULE_POISSON;
    if (cur) b(kf(k, p, "represents_physical_electrode", NULL), x->represents_physical_electrode);
    switch (m) {
    case RV_SONATA_CFG_MODULE_LINEAR:
        d(kf(k, p, "amp_start", NULL), x->amp_start);
        d(kf(k, p, "amp_end", NULL), x->amp_end);
        break;
    case RV_SONATA_CFG_MODULE_RELATIVE_LINEAR:
        d(kf(k, p, "percent_start", NULL), x->percent_start);
        d(kf(k, p, "percent_end", NULL), x->percent_end);
        break;
    case RV_SONATA_CFG_MODULE_PULSE:
        d(kf(k, p, "amp_start", NULL), x->amp_start);
        d(kf(k, p, "amp_end", NULL), x->amp_end);
        d(kf(k, p, "width", NULL), x->width);
        d(kf(k, p, "frequency", NULL), x->frequency);
        break;
    case RV_SONATA_CFG_MODULE_SINUSOIDAL:
        d(kf(k, p, "amp_start", NULL), x->amp_start);
        d(kf(k, p, "frequency", NULL), x->frequency);
        d(kf(k, p, "dt", NULL), x->dt);
        break;
    case RV_SONATA_CFG_MODULE_SUBTHRESHOLD:
        d(kf(k, p, "percent_less", NULL), x->percent_less);
        break;
    case RV_SONATA_CFG_MODULE_NOISE:
        if (x->has_mean) d(kf(k, p, "mean", NULL), x->mean);
        if (x->has_mean_percent) d(kf(k, p, "mean_percent", NULL), x->mean_percent);
        d(kf(k, p, "variance", NULL), x->variance);
        break;
    case RV_SONATA_CFG_MODULE_SHOT_NOISE:
    case RV_SONATA_CFG_MODULE_RELATIVE_SHOT_NOISE:
    case RV_SONATA_CFG_MODULE_ABSOLUTE_SHOT_NOISE:
        d(kf(k, p, "rise_time", NULL), x->rise_time);
        d(kf(k, p, "decay_time", NULL), x->decay_time);
        d(kf(k, p, "reversal", NULL), x->reversal);
        d(kf(k, p, "dt", NULL), x->dt);
        if (x->has_random_seed) ll(kf(k, p, "random_seed", NULL), x->random_seed);
        if (m == RV_SONATA_CFG_MODULE_SHOT_NOISE) {
            d(kf(k, p, "rate", NULL), x->rate);
            d(kf(k, p, "amp_mean", NULL), x->amp_mean);
            d(kf(k, p, "amp_var", NULL), x->amp_var);
        } else if (m == RV_SONATA_CFG_MODULE_RELATIVE_SHOT_NOISE) {
            d(kf(k, p, "mean_percent", NULL), x->mean_percent);
            d(kf(k, p, "sd_percent", NULL), x->sd_percent);
            d(kf(k, p, "relative_skew", NULL), x->relative_skew);
        } else {
            d(kf(k, p, "mean", NULL), x->mean);
            d(kf(k, p, "sigma", NULL), x->sigma);
            d(kf(k, p, "relative_skew", NULL), x->relative_skew);
        }
        break;
    case RV_SONATA_CFG_MODULE_ORNSTEIN_UHLENBECK:
    case RV_SONATA_CFG_MODULE_RELATIVE_ORNSTEIN_UHLENBECK:
        d(kf(k, p, "tau", NULL), x->tau);
        d(kf(k, p, "reversal", NULL), x->reversal);
        d(kf(k, p, "dt", NULL), x->dt);
        if (x->has_random_seed) ll(kf(k, p, "random_seed", NULL), x->random_seed);
        if (m == RV_SONATA_CFG_MODULE_ORNSTEIN_UHLENBECK) {
            d(kf(k, p, "mean", NULL), x->mean);
            d(kf(k, p, "sigma", NULL), x->sigma);
        } else {
            d(kf(k, p, "mean_percent", NULL), x->mean_percent);
            d(kf(k, p, "sd_percent", NULL), x->sd_percent);
        }
        break;
    case RV_SONATA_CFG_MODULE_SYNAPSE_REPLAY:
        s(kf(k, p, "spike_file", NULL), x->spike_file);
        if (x->source) s(kf(k, p, "source", NULL), x->source);
        break;
    case RV_SONATA_CFG_MODULE_SECLAMP:
        d(kf(k, p, "voltage", NULL), x->voltage);
        d(kf(k, p, "series_resistance", NULL), x->series_resistance);
        nums(kf(k, p, "duration_levels", NULL), x->duration_levels, x->n_levels);
        nums(kf(k, p, "voltage_levels", NULL), x->voltage_levels, x->n_levels);
        break;
    case RV_SONATA_CFG_MODULE_SPATIALLY_UNIFORM_E_FIELD:
        d(kf(k, p, "ramp_up_time", NULL), x->ramp_up_time);
        d(kf(k, p, "ramp_down_time", NULL), x->ramp_down_time);
        for (size_t i = 0; i < x->n_fields; i++) {
            char f[600];
            snprintf(f, sizeof f, "%s.fields[%zu]", p, i);
            d(kf(k, f, "Ex", NULL), x->fields[i].ex);
            d(kf(k, f, "Ey", NULL), x->fields[i].ey);
            d(kf(k, f, "Ez", NULL), x->fields[i].ez);
            d(kf(k, f, "frequency", NULL), x->fields[i].frequency);
            d(kf(k, f, "phase", NULL), x->fields[i].phase);
        }
        break;
    case RV_SONATA_CFG_MODULE_POISSON:
        d(kf(k, p, "rate", NULL), x->rate);
        d(kf(k, p, "weight", NULL), x->weight);
        break;
    default:
        break;
    }
}

static void report(const rv_sonata_cfg_report *r) {
    char p[512], k[512];
    snprintf(p, sizeof p, "sim.reports.%s", r->name);
    s(kf(k, p, "cells", NULL), r->cells);
    s(kf(k, p, "type", NULL), rv_sonata_config_report_type_name(r->type));
    s(kf(k, p, "sections", NULL), rv_sonata_config_sections_name(r->sections));
    s(kf(k, p, "compartments", NULL), rv_sonata_config_compartments_name(r->compartments));
    s(kf(k, p, "scaling", NULL), rv_sonata_config_scaling_name(r->scaling));
    s(kf(k, p, "compartment_set", NULL), r->compartment_set);
    s(kf(k, p, "variable_name", NULL), r->variable_name);
    printf("%s.variables = ", p);
    for (size_t i = 0; i < r->n_variables; i++) printf("%s%s", i ? "," : "", r->variables[i]);
    printf("\n");
    s(kf(k, p, "unit", NULL), r->unit);
    d(kf(k, p, "dt", NULL), r->dt);
    d(kf(k, p, "start_time", NULL), r->start_time);
    d(kf(k, p, "end_time", NULL), r->end_time);
    s(kf(k, p, "file_name", NULL), r->file_name);
    b(kf(k, p, "enabled", NULL), r->enabled);
}

static void simulation(const rv_sonata_simulation_config *sc) {
    char k[512], p[512];
    s("sim.path", sc->path);
    s("sim.network", sc->network);
    s("sim.target_simulator", rv_sonata_config_simulator_name(sc->target_simulator));
    s("sim.node_sets_file", sc->node_sets_file);
    s("sim.compartment_sets_file", sc->compartment_sets_file);
    s("sim.node_set", sc->node_set);
    const rv_sonata_cfg_run *r = &sc->run;
    d("sim.run.tstop", r->tstop);
    d("sim.run.dt", r->dt);
    if (r->has_random_seed) ll("sim.run.random_seed", r->random_seed);
    d("sim.run.spike_threshold", r->spike_threshold);
    s("sim.run.integration_method", rv_sonata_config_integration_name(r->integration_method));
    ll("sim.run.stimulus_seed", r->stimulus_seed);
    ll("sim.run.ionchannel_seed", r->ionchannel_seed);
    ll("sim.run.minis_seed", r->minis_seed);
    ll("sim.run.synapse_seed", r->synapse_seed);
    s("sim.run.electrodes_file", r->electrodes_file);
    if (r->has_forward_skip) d("sim.run.forward_skip", r->forward_skip);
    d("sim.run.dL", r->dL);
    d("sim.run.tstart", r->tstart);
    ll("sim.run.nsteps_block", r->nsteps_block);
    const rv_sonata_cfg_output *o = &sc->output;
    s("sim.output.output_dir", o->output_dir);
    s("sim.output.log_file", o->log_file);
    s("sim.output.log_path", o->log_path);
    s("sim.output.spikes_file", o->spikes_file);
    s("sim.output.spikes_path", o->spikes_path);
    s("sim.output.spikes_sort_order", rv_sonata_config_sort_order_name(o->spikes_sort_order));
    const rv_sonata_cfg_conditions *c = &sc->conditions;
    d("sim.conditions.celsius", c->celsius);
    d("sim.conditions.v_init", c->v_init);
    s("sim.conditions.spike_location", rv_sonata_config_spike_location_name(c->spike_location));
    if (c->has_extracellular_calcium)
        d("sim.conditions.extracellular_calcium", c->extracellular_calcium);
    b("sim.conditions.randomize_gaba_rise_time", c->randomize_gaba_rise_time);
    for (size_t i = 0; i < c->n_mechanisms; i++) {
        snprintf(p, sizeof p, "sim.conditions.mechanisms.%s", c->mechanisms[i].suffix);
        params(p, &c->mechanisms[i].vars);
    }
    for (size_t i = 0; i < c->n_modifications; i++) {
        const rv_sonata_cfg_modification *m = &c->modifications[i];
        snprintf(p, sizeof p, "sim.conditions.modifications[%zu]", i);
        s(kf(k, p, "name", NULL), m->name);
        s(kf(k, p, "type", NULL), rv_sonata_config_modification_name(m->type));
        s(kf(k, p, "node_set", NULL), m->node_set);
        s(kf(k, p, "section_configure", NULL), m->section_configure);
        s(kf(k, p, "compartment_set", NULL), m->compartment_set);
    }
    printf("sim.inputs = ");
    for (size_t i = 0; i < sc->n_inputs; i++) printf("%s%s", i ? "," : "", sc->inputs[i].name);
    printf("\n");
    for (size_t i = 0; i < sc->n_inputs; i++) input(&sc->inputs[i]);
    printf("sim.reports = ");
    for (size_t i = 0; i < sc->n_reports; i++) printf("%s%s", i ? "," : "", sc->reports[i].name);
    printf("\n");
    for (size_t i = 0; i < sc->n_reports; i++) report(&sc->reports[i]);
    for (size_t i = 0; i < sc->n_connection_overrides; i++) {
        const rv_sonata_cfg_connection_override *co = &sc->connection_overrides[i];
        snprintf(p, sizeof p, "sim.connection_overrides[%zu]", i);
        s(kf(k, p, "name", NULL), co->name);
        s(kf(k, p, "source", NULL), co->source);
        s(kf(k, p, "target", NULL), co->target);
        d(kf(k, p, "weight", NULL), co->weight);
        if (co->has_spont_minis) d(kf(k, p, "spont_minis", NULL), co->spont_minis);
        s(kf(k, p, "synapse_configure", NULL), co->synapse_configure);
        s(kf(k, p, "modoverride", NULL), co->modoverride);
        if (co->has_synapse_delay_override)
            d(kf(k, p, "synapse_delay_override", NULL), co->synapse_delay_override);
        d(kf(k, p, "delay", NULL), co->delay);
        if (co->has_neuromodulation_dtc)
            d(kf(k, p, "neuromodulation_dtc", NULL), co->neuromodulation_dtc);
        if (co->has_neuromodulation_strength)
            d(kf(k, p, "neuromodulation_strength", NULL), co->neuromodulation_strength);
    }
    params("sim.metadata", &sc->metadata);
    params("sim.beta_features", &sc->beta_features);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: config_dump CONFIG [bbp|allen]\n");
        return 2;
    }
    rv_sonata_cfg_options opts = {0};
    if (argc > 2 && strcmp(argv[2], "bbp") == 0) opts.flavour = RV_SONATA_CFG_FLAVOUR_BBP;
    if (argc > 2 && strcmp(argv[2], "allen") == 0) opts.flavour = RV_SONATA_CFG_FLAVOUR_ALLEN;
    rv_sonata_config *cfg = NULL;
    rv_sonata_config_problems *probs = NULL;
    rv_error err;
    rv_status st = rv_sonata_config_load(argv[1], &opts, &cfg, &probs, &err);
    if (st != RV_OK) {
        char buf[1024];
        for (size_t i = 0; i < rv_sonata_config_problems_count(probs); i++)
            printf("problem: %s\n",
                   rv_error_format(rv_sonata_config_problems_get(probs, i), buf, sizeof buf));
        if (!probs) printf("problem: %s\n", rv_error_format(&err, buf, sizeof buf));
        rv_sonata_config_problems_destroy(probs);
        return 1;
    }
    rv_sonata_config_problems_destroy(probs);
    s("flavour", rv_sonata_config_flavour_name(cfg->flavour));
    for (size_t i = 0; i < cfg->n_warnings; i++) printf("warning: %s\n", cfg->warnings[i]);
    if (cfg->circuit) circuit(cfg->circuit);
    if (cfg->simulation) simulation(cfg->simulation);
    rv_sonata_config_destroy(cfg);
    return 0;
}
