/* SPDX-License-Identifier: MIT
 * sonata/config_sim.c -- the simulation config: top-level keys, "run",
 * "output", "conditions" (mechanisms, modifications), "reports",
 * "connection_overrides", metadata and beta_features.  Inputs are in
 * config_inputs.c.
 *
 * Defaults and checks are libsonata's (Blue Brain flavour):
 *   run: tstop, dt, random_seed mandatory; spike_threshold -30;
 *        integration_method euler; the four other seeds 0
 *   output: output_dir "output", log_file "", spikes_file "out.h5",
 *        spikes_sort_order by_time (none, by_id, by_time)
 *   conditions: celsius 34, v_init -80, spike_location soma (soma, AIS),
 *        randomize_gaba_rise_time false; modifications an array of
 *        uniquely named objects whose mandatory keys depend on "type"
 *   reports: type, variable_name, dt, start_time, end_time mandatory;
 *        cells = the simulation node_set; sections soma; compartments
 *        center for soma else all; scaling area; unit mV; file_name
 *        <name>.h5 in output_dir (".h5" appended when missing); enabled;
 *        compartment_set reports take compartment_set and refuse
 *        sections/compartments, other reports refuse compartment_set;
 *        variable_name is a comma separated list of `w`, `w.w` names
 *   connection_overrides: an ordered array of uniquely named objects with
 *        name, source, target mandatory, weight 1, delay 0.
 * ranvier adds: run.dt > 0, run.tstop >= 0, report dt > 0.
 * Allen flavour: run.dt 0.1, run.random_seed optional, spike_threshold -15,
 * dL 20, tstart 0, nsteps_block 0; output_dir ".", no default spikes or
 * log file, output files prefixed with output_dir unless absolute or
 * already under it; BMTK sort-order spellings; reports may omit "type"
 * (module "membrane_report" means compartment) and take dt/start/end
 * from run; variable_name may be a list.
 */
#include "config_int.h"

#include <string.h>

static const rv__cfg_enum integrations[] = {
    {"euler", RV_SONATA_CFG_INTEGRATION_EULER},
    {"crank_nicolson", RV_SONATA_CFG_INTEGRATION_CRANK_NICOLSON},
    {"crank_nicolson_ion", RV_SONATA_CFG_INTEGRATION_CRANK_NICOLSON_ION},
    {NULL, 0}};

static const rv__cfg_enum sort_orders[] = {{"none", RV_SONATA_CFG_SORT_NONE},
                                           {"by_id", RV_SONATA_CFG_SORT_BY_ID},
                                           {"by_time", RV_SONATA_CFG_SORT_BY_TIME},
                                           {NULL, 0}};
/* BMTK's spellings (bmtk.utils.reports.spike_trains sort_order_lu). */
static const rv__cfg_enum sort_orders_allen[] = {{"none", RV_SONATA_CFG_SORT_NONE},
                                                 {"by_id", RV_SONATA_CFG_SORT_BY_ID},
                                                 {"by_time", RV_SONATA_CFG_SORT_BY_TIME},
                                                 {"time", RV_SONATA_CFG_SORT_BY_TIME},
                                                 {"id", RV_SONATA_CFG_SORT_BY_ID},
                                                 {"node_id", RV_SONATA_CFG_SORT_BY_ID},
                                                 {"gid", RV_SONATA_CFG_SORT_BY_ID},
                                                 {"na", RV_SONATA_CFG_SORT_NONE},
                                                 {NULL, 0}};

static const rv__cfg_enum spike_locations[] = {
    {"soma", RV_SONATA_CFG_SPIKE_SOMA}, {"AIS", RV_SONATA_CFG_SPIKE_AIS}, {NULL, 0}};

static const rv__cfg_enum modification_types[] = {
    {"ttx", RV_SONATA_CFG_MOD_TTX},
    {"TTX", RV_SONATA_CFG_MOD_TTX},
    {"configure_all_sections", RV_SONATA_CFG_MOD_CONFIGURE_ALL_SECTIONS},
    {"ConfigureAllSections", RV_SONATA_CFG_MOD_CONFIGURE_ALL_SECTIONS},
    {"section_list", RV_SONATA_CFG_MOD_SECTION_LIST},
    {"section", RV_SONATA_CFG_MOD_SECTION},
    {"compartment_set", RV_SONATA_CFG_MOD_COMPARTMENT_SET},
    {NULL, 0}};

static const rv__cfg_enum report_types[] = {
    {"compartment", RV_SONATA_CFG_REPORT_COMPARTMENT},
    {"summation", RV_SONATA_CFG_REPORT_SUMMATION},
    {"synapse", RV_SONATA_CFG_REPORT_SYNAPSE},
    {"lfp", RV_SONATA_CFG_REPORT_LFP},
    {"compartment_set", RV_SONATA_CFG_REPORT_COMPARTMENT_SET},
    {NULL, 0}};

static const rv__cfg_enum sections[] = {
    {"soma", RV_SONATA_CFG_SECTIONS_SOMA}, {"axon", RV_SONATA_CFG_SECTIONS_AXON},
    {"dend", RV_SONATA_CFG_SECTIONS_DEND}, {"apic", RV_SONATA_CFG_SECTIONS_APIC},
    {"all", RV_SONATA_CFG_SECTIONS_ALL},   {NULL, 0}};
static const rv__cfg_enum sections_allen[] = {
    {"soma", RV_SONATA_CFG_SECTIONS_SOMA},   {"axon", RV_SONATA_CFG_SECTIONS_AXON},
    {"dend", RV_SONATA_CFG_SECTIONS_DEND},   {"apic", RV_SONATA_CFG_SECTIONS_APIC},
    {"all", RV_SONATA_CFG_SECTIONS_ALL},     {"basal", RV_SONATA_CFG_SECTIONS_DEND},
    {"apical", RV_SONATA_CFG_SECTIONS_APIC}, {NULL, 0}};

static const rv__cfg_enum compartments[] = {{"center", RV_SONATA_CFG_COMPARTMENTS_CENTER},
                                            {"all", RV_SONATA_CFG_COMPARTMENTS_ALL},
                                            {NULL, 0}};

static const rv__cfg_enum scalings[] = {
    {"none", RV_SONATA_CFG_SCALING_NONE}, {"area", RV_SONATA_CFG_SCALING_AREA}, {NULL, 0}};

#define ALLEN(c) ((c)->flavour == RV_SONATA_CFG_FLAVOUR_ALLEN)

/* ---- run ------------------------------------------------------------------ */

static void run_section(rv__cfg_ctx *c, json_t *root, rv_sonata_cfg_run *r) {
    int allen = ALLEN(c);
    r->dt = allen ? 0.1 : 0.0;
    r->spike_threshold = allen ? -15.0 : -30.0;
    r->integration_method = RV_SONATA_CFG_INTEGRATION_EULER;
    r->dL = 20.0;
    json_t *run = NULL;
    if (rv__cfg_obj(c, root, "", "run", 1, &run) != 1) return;
    const char *kp = "run";
    rv__cfg_num(c, run, kp, "tstop", 1, &r->tstop);
    if (rv__cfg_num(c, run, kp, "dt", !allen, &r->dt) == 1 && !(r->dt > 0))
        RV__CFG_PROBLEM(c, RV_ERANGE, "run.dt", "run.dt must be positive, not %g", r->dt);
    if (r->tstop < 0)
        RV__CFG_PROBLEM(c, RV_ERANGE, "run.tstop", "run.tstop must not be negative (%g)", r->tstop);
    r->has_random_seed = rv__cfg_int(c, run, kp, "random_seed", !allen, &r->random_seed) == 1;
    rv__cfg_num(c, run, kp, "spike_threshold", 0, &r->spike_threshold);
    int im = RV_SONATA_CFG_INTEGRATION_EULER;
    rv__cfg_enumv(c, run, kp, "integration_method", 0, integrations, &im);
    r->integration_method = (rv_sonata_cfg_integration)im;
    rv__cfg_int(c, run, kp, "stimulus_seed", 0, &r->stimulus_seed);
    rv__cfg_int(c, run, kp, "ionchannel_seed", 0, &r->ionchannel_seed);
    rv__cfg_int(c, run, kp, "minis_seed", 0, &r->minis_seed);
    rv__cfg_int(c, run, kp, "synapse_seed", 0, &r->synapse_seed);
    rv__cfg_path(c, run, kp, "electrodes_file", 0, NULL, &r->electrodes_file);
    r->has_forward_skip = rv__cfg_num(c, run, kp, "forward_skip", 0, &r->forward_skip) == 1;
    rv__cfg_num(c, run, kp, "dL", 0, &r->dL);
    rv__cfg_num(c, run, kp, "tstart", 0, &r->tstart);
    rv__cfg_int(c, run, kp, "nsteps_block", 0, &r->nsteps_block);
    rv__cfg_bool(c, run, kp, "overwrite_output_dir", 0, &r->overwrite_output_dir);
}

/* ---- output ---------------------------------------------------------------- */

/* An output file name resolved against output_dir (raw_dir as written). */
static const char *out_file(rv__cfg_ctx *c, const char *raw_dir, const char *dir,
                            const char *name) {
    if (!name || !name[0]) return NULL;
    if (ALLEN(c) && raw_dir && raw_dir[0] && strncmp(name, raw_dir, strlen(raw_dir)) == 0)
        return rv__cfg_path_join(c, c->file->dir, name); /* already under output_dir */
    return rv__cfg_path_join(c, dir, name);
}

static void output_section(rv__cfg_ctx *c, json_t *root, rv_sonata_cfg_output *o) {
    int allen = ALLEN(c);
    const char *raw_dir = allen ? "." : "output";
    o->log_file = allen ? NULL : "";
    o->spikes_file = allen ? NULL : "out.h5";
    o->spikes_sort_order = RV_SONATA_CFG_SORT_BY_TIME;
    json_t *out = NULL;
    const char *kp = "output";
    if (rv__cfg_obj(c, root, "", "output", 0, &out) == 1) {
        rv__cfg_str(c, out, kp, "output_dir", 0, &raw_dir);
        rv__cfg_str(c, out, kp, "log_file", 0, &o->log_file);
        rv__cfg_str(c, out, kp, "spikes_file", 0, &o->spikes_file);
        int so = RV_SONATA_CFG_SORT_BY_TIME;
        rv__cfg_enumv(c, out, kp, "spikes_sort_order", 0, allen ? sort_orders_allen : sort_orders,
                      &so);
        o->spikes_sort_order = (rv_sonata_cfg_sort_order)so;
        rv__cfg_str(c, out, kp, "spikes_file_csv", 0, &o->spikes_file_csv);
        rv__cfg_str(c, out, kp, "spikes_file_nwb", 0, &o->spikes_file_nwb);
        rv__cfg_bool(c, out, kp, "overwrite_output_dir", 0, &o->overwrite_output_dir);
    }
    o->output_dir = rv__cfg_path_join(c, c->file->dir, raw_dir[0] ? raw_dir : ".");
    if (!o->output_dir) return;
    o->spikes_path = out_file(c, raw_dir, o->output_dir, o->spikes_file);
    o->log_path = out_file(c, raw_dir, o->output_dir, o->log_file);
    o->spikes_file_csv = out_file(c, raw_dir, o->output_dir, o->spikes_file_csv);
    o->spikes_file_nwb = out_file(c, raw_dir, o->output_dir, o->spikes_file_nwb);
}

/* ---- conditions ------------------------------------------------------------------ */

static void mechanisms(rv__cfg_ctx *c, json_t *cond, rv_sonata_cfg_conditions *co) {
    json_t *m = NULL;
    if (rv__cfg_obj(c, cond, "conditions", "mechanisms", 0, &m) != 1) return;
    size_t n = json_object_size(m);
    rv_sonata_cfg_mechanism *a = n ? rv__cfg_array(c, n, sizeof *a) : NULL;
    if (!a) return;
    const char *suffix;
    json_t *vars;
    size_t k = 0;
    json_object_foreach(m, suffix, vars) {
        char kp[RV__CFG_PATH_MAX];
        rv__cfg_kp(kp, "conditions.mechanisms", suffix);
        if (!json_is_object(vars)) {
            RV__CFG_PROBLEM(c, RV_EFORMAT, kp,
                            "'%s' must be an object of variable names and values, not %s", kp,
                            rv__cfg_type_name(vars));
            continue;
        }
        a[k].suffix = rv__cfg_strdup(c, suffix);
        rv__cfg_params(c, vars, kp, 1, &a[k].vars);
        k++;
    }
    co->n_mechanisms = k;
    co->mechanisms = a;
}

static void modifications(rv__cfg_ctx *c, json_t *cond, rv_sonata_cfg_conditions *co) {
    const char *kp = "conditions.modifications";
    json_t *list = json_object_get(cond, "modifications");
    if (!list || json_is_null(list)) return;
    if (!json_is_array(list)) {
        RV__CFG_PROBLEM(c, RV_EFORMAT, kp, "'%s' must be an array of objects, not %s", kp,
                        rv__cfg_type_name(list));
        return;
    }
    size_t n = json_array_size(list);
    rv_sonata_cfg_modification *a = n ? rv__cfg_array(c, n, sizeof *a) : NULL;
    if (!a) return;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        char mkp[RV__CFG_PATH_MAX];
        rv__cfg_kpi(mkp, kp, i);
        json_t *m = json_array_get(list, i);
        if (!json_is_object(m)) {
            RV__CFG_PROBLEM(c, RV_EFORMAT, mkp, "'%s' must be an object, not %s", mkp,
                            rv__cfg_type_name(m));
            continue;
        }
        rv_sonata_cfg_modification *md = &a[k];
        int type = -1;
        int tr = rv__cfg_enumv(c, m, mkp, "type", 1, modification_types, &type);
        int nr = rv__cfg_str(c, m, mkp, "name", 1, &md->name);
        if (nr == 1) {
            for (size_t j = 0; j < k; j++) {
                if (strcmp(a[j].name, md->name) == 0) {
                    char nkp[RV__CFG_PATH_MAX];
                    RV__CFG_PROBLEM(c, RV_EFORMAT, rv__cfg_kp(nkp, mkp, "name"),
                                    "duplicate modification name '%s' in "
                                    "conditions.modifications",
                                    md->name);
                    nr = -1;
                    break;
                }
            }
        }
        if (tr != 1) continue;
        md->type = (rv_sonata_cfg_modification_type)type;
        if (md->type == RV_SONATA_CFG_MOD_COMPARTMENT_SET) {
            rv__cfg_str(c, m, mkp, "compartment_set", 1, &md->compartment_set);
            rv__cfg_str(c, m, mkp, "section_configure", 1, &md->section_configure);
            if (json_object_get(m, "node_set")) {
                char nkp[RV__CFG_PATH_MAX];
                rv__cfg_warn(c, rv__cfg_kp(nkp, mkp, "node_set"),
                             "ignored in a compartment_set modification");
            }
        } else {
            rv__cfg_str(c, m, mkp, "node_set", 1, &md->node_set);
            if (md->type != RV_SONATA_CFG_MOD_TTX)
                rv__cfg_str(c, m, mkp, "section_configure", 1, &md->section_configure);
        }
        if (nr == 1) k++;
    }
    co->n_modifications = k;
    co->modifications = a;
}

static void conditions_section(rv__cfg_ctx *c, json_t *root, rv_sonata_cfg_conditions *co) {
    co->celsius = 34.0;
    co->v_init = -80.0;
    co->spike_location = RV_SONATA_CFG_SPIKE_SOMA;
    json_t *cond = NULL;
    if (rv__cfg_obj(c, root, "", "conditions", 0, &cond) != 1) return;
    const char *kp = "conditions";
    rv__cfg_num(c, cond, kp, "celsius", 0, &co->celsius);
    rv__cfg_num(c, cond, kp, "v_init", 0, &co->v_init);
    int sl = RV_SONATA_CFG_SPIKE_SOMA;
    rv__cfg_enumv(c, cond, kp, "spike_location", 0, spike_locations, &sl);
    co->spike_location = (rv_sonata_cfg_spike_location)sl;
    co->has_extracellular_calcium =
        rv__cfg_num(c, cond, kp, "extracellular_calcium", 0, &co->extracellular_calcium) == 1;
    rv__cfg_bool(c, cond, kp, "randomize_gaba_rise_time", 0, &co->randomize_gaba_rise_time);
    mechanisms(c, cond, co);
    modifications(c, cond, co);
}

/* ---- reports ----------------------------------------------------------------------- */

static int is_word(char ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch == '_';
}

static int is_blank(char ch) {
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\f' || ch == '\v';
}

/* libsonata's variable list: NAME (blank* ',' blank* NAME)* where NAME is
 * w+ or w+.w+ (w: letter, digit, '_'). */
static int valid_variables(const char *s) {
    const char *p = s;
    for (;;) {
        const char *w = p;
        while (is_word(*p)) p++;
        if (p == w) return 0;
        if (*p == '.') {
            w = ++p;
            while (is_word(*p)) p++;
            if (p == w) return 0;
        }
        if (*p == '\0') return 1;
        while (is_blank(*p)) p++;
        if (*p != ',') return 0;
        p++;
        while (is_blank(*p)) p++;
    }
}

static void split_variables(rv__cfg_ctx *c, rv_sonata_cfg_report *r) {
    size_t n = 1;
    for (const char *p = r->variable_name; *p; p++) n += *p == ',';
    const char **v = rv__cfg_array(c, n, sizeof *v);
    if (!v) return;
    size_t k = 0;
    const char *p = r->variable_name;
    for (;;) {
        while (is_blank(*p)) p++;
        const char *e = p;
        while (*e && *e != ',') e++;
        const char *t = e;
        while (t > p && is_blank(t[-1])) t--;
        if (t > p) v[k++] = rv__cfg_strndup(c, p, (size_t)(t - p));
        if (!*e) break;
        p = e + 1;
    }
    r->n_variables = k;
    r->variables = v;
}

/* variable_name: a string, or (Allen) a list of strings joined by ','. */
static int variable_name(rv__cfg_ctx *c, json_t *rd, const char *kp, rv_sonata_cfg_report *r) {
    json_t *v = json_object_get(rd, "variable_name");
    if (ALLEN(c) && json_is_array(v)) {
        char vkp[RV__CFG_PATH_MAX];
        rv__cfg_kp(vkp, kp, "variable_name");
        size_t len = 1;
        for (size_t i = 0; i < json_array_size(v); i++) {
            json_t *e = json_array_get(v, i);
            if (!json_is_string(e)) {
                char ekp[RV__CFG_PATH_MAX];
                RV__CFG_PROBLEM(c, RV_EFORMAT, rv__cfg_kpi(ekp, vkp, i),
                                "'%s' must be a string, not %s", ekp, rv__cfg_type_name(e));
                return -1;
            }
            len += strlen(json_string_value(e)) + 1;
        }
        char *s = rv__cfg_alloc(c, len);
        if (!s) return -1;
        for (size_t i = 0; i < json_array_size(v); i++) {
            if (i) strcat(s, ",");
            strcat(s, json_string_value(json_array_get(v, i)));
        }
        r->variable_name = s;
        return 1;
    }
    /* lfp reports have none (libsonata: the sum of i_membrane is implied) */
    return rv__cfg_str(c, rd, kp, "variable_name", r->type != RV_SONATA_CFG_REPORT_LFP,
                       &r->variable_name);
}

static void report(rv__cfg_ctx *c, json_t *rd, const char *kp, const char *name,
                   const rv_sonata_simulation_config *s, rv_sonata_cfg_report *r) {
    int allen = ALLEN(c);
    char k2[RV__CFG_PATH_MAX];
    r->name = rv__cfg_strdup(c, name);
    rv__cfg_params(c, rd, kp, 0, &r->params);
    r->cells = s->node_set;
    rv__cfg_str(c, rd, kp, "cells", 0, &r->cells);
    rv__cfg_str(c, rd, kp, "module", 0, &r->module);
    int type = RV_SONATA_CFG_REPORT_OTHER;
    int tr = rv__cfg_enumv(c, rd, kp, "type", !allen, report_types, &type);
    if (tr == 0 && allen && r->module && strcmp(r->module, "membrane_report") == 0)
        type = RV_SONATA_CFG_REPORT_COMPARTMENT;
    r->type = (rv_sonata_cfg_report_type)type;
    int is_cs = tr == 1 && r->type == RV_SONATA_CFG_REPORT_COMPARTMENT_SET;
    if (is_cs) {
        rv__cfg_str(c, rd, kp, "compartment_set", 1, &r->compartment_set);
        if (json_object_get(rd, "sections"))
            RV__CFG_PROBLEM(c, RV_EFORMAT, rv__cfg_kp(k2, kp, "sections"),
                            "'sections' is not allowed in a report of type 'compartment_set'");
        if (json_object_get(rd, "compartments"))
            RV__CFG_PROBLEM(c, RV_EFORMAT, rv__cfg_kp(k2, kp, "compartments"),
                            "'compartments' is not allowed in a report of type "
                            "'compartment_set'");
        r->sections = RV_SONATA_CFG_SECTIONS_NONE;
        r->compartments = RV_SONATA_CFG_COMPARTMENTS_NONE;
    } else {
        if (tr == 1 && json_object_get(rd, "compartment_set"))
            RV__CFG_PROBLEM(c, RV_EFORMAT, rv__cfg_kp(k2, kp, "compartment_set"),
                            "'compartment_set' is only allowed in reports of type "
                            "'compartment_set', not '%s'",
                            rv_sonata_config_report_type_name(r->type));
        int sec = RV_SONATA_CFG_SECTIONS_SOMA;
        rv__cfg_enumv(c, rd, kp, "sections", 0, allen ? sections_allen : sections, &sec);
        r->sections = (rv_sonata_cfg_sections)sec;
        int comp = sec == RV_SONATA_CFG_SECTIONS_SOMA ? RV_SONATA_CFG_COMPARTMENTS_CENTER
                                                      : RV_SONATA_CFG_COMPARTMENTS_ALL;
        rv__cfg_enumv(c, rd, kp, "compartments", 0, compartments, &comp);
        r->compartments = (rv_sonata_cfg_compartments)comp;
    }
    int sc = RV_SONATA_CFG_SCALING_AREA;
    rv__cfg_enumv(c, rd, kp, "scaling", 0, scalings, &sc);
    r->scaling = (rv_sonata_cfg_scaling)sc;
    if (variable_name(c, rd, kp, r) == 1) {
        if (!valid_variables(r->variable_name))
            RV__CFG_PROBLEM(c, RV_EFORMAT, rv__cfg_kp(k2, kp, "variable_name"),
                            "invalid comma separated variable names \"%s\" (expected names "
                            "like v, i_membrane or Mech.var separated by ',')",
                            r->variable_name);
        else
            split_variables(c, r);
    }
    r->unit = "mV";
    rv__cfg_str(c, rd, kp, "unit", 0, &r->unit);
    r->dt = s->run.dt;
    r->start_time = s->run.tstart;
    r->end_time = s->run.tstop;
    if (rv__cfg_num(c, rd, kp, "dt", !allen, &r->dt) == 1 && !(r->dt > 0))
        RV__CFG_PROBLEM(c, RV_ERANGE, rv__cfg_kp(k2, kp, "dt"),
                        "report dt must be positive, not %g", r->dt);
    rv__cfg_num(c, rd, kp, "start_time", !allen, &r->start_time);
    rv__cfg_num(c, rd, kp, "end_time", !allen, &r->end_time);
    const char *fn = NULL;
    if (rv__cfg_str(c, rd, kp, "file_name", 0, &fn) != 1 || !fn[0]) fn = r->name;
    if (fn) {
        const char *base = strrchr(fn, '/');
        base = base ? base + 1 : fn;
        const char *dot = strrchr(base, '.');
        int has_h5 = dot && dot != base && strcmp(dot, ".h5") == 0;
        const char *with_ext = has_h5 ? fn : rv__cfg_printf(c, "%s.h5", fn);
        if (with_ext && s->output.output_dir)
            r->file_name = rv__cfg_path_join(c, s->output.output_dir, with_ext);
    }
    r->enabled = 1;
    rv__cfg_bool(c, rd, kp, "enabled", 0, &r->enabled);
}

static void reports_section(rv__cfg_ctx *c, json_t *root, rv_sonata_simulation_config *s) {
    json_t *reps = NULL;
    if (rv__cfg_obj(c, root, "", "reports", 0, &reps) != 1) return;
    size_t n = json_object_size(reps);
    rv_sonata_cfg_report *a = n ? rv__cfg_array(c, n, sizeof *a) : NULL;
    if (!a) return;
    const char *name;
    json_t *rd;
    size_t k = 0;
    json_object_foreach(reps, name, rd) {
        char kp[RV__CFG_PATH_MAX];
        rv__cfg_kp(kp, "reports", name);
        if (!json_is_object(rd)) {
            RV__CFG_PROBLEM(c, RV_EFORMAT, kp, "'%s' must be an object, not %s", kp,
                            rv__cfg_type_name(rd));
            continue;
        }
        report(c, rd, kp, name, s, &a[k++]);
        if (c->oom) return;
    }
    s->n_reports = k;
    s->reports = a;
}

/* ---- connection overrides ------------------------------------------------------------ */

static void overrides_section(rv__cfg_ctx *c, json_t *root, rv_sonata_simulation_config *s) {
    const char *kp = "connection_overrides";
    json_t *list = json_object_get(root, kp);
    if (!list || json_is_null(list)) return;
    if (!json_is_array(list)) {
        RV__CFG_PROBLEM(c, RV_EFORMAT, kp,
                        "'connection_overrides' must be an array (they apply in order), not %s",
                        rv__cfg_type_name(list));
        return;
    }
    size_t n = json_array_size(list);
    rv_sonata_cfg_connection_override *a = n ? rv__cfg_array(c, n, sizeof *a) : NULL;
    if (!a) return;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        char okp[RV__CFG_PATH_MAX];
        rv__cfg_kpi(okp, kp, i);
        json_t *o = json_array_get(list, i);
        if (!json_is_object(o)) {
            RV__CFG_PROBLEM(c, RV_EFORMAT, okp, "'%s' must be an object, not %s", okp,
                            rv__cfg_type_name(o));
            continue;
        }
        rv_sonata_cfg_connection_override *co = &a[k];
        int ok = rv__cfg_str(c, o, okp, "name", 1, &co->name) == 1;
        for (size_t j = 0; ok && j < k; j++) {
            if (strcmp(a[j].name, co->name) == 0) {
                char nkp[RV__CFG_PATH_MAX];
                RV__CFG_PROBLEM(c, RV_EFORMAT, rv__cfg_kp(nkp, okp, "name"),
                                "duplicate name '%s' in connection_overrides", co->name);
                ok = 0;
            }
        }
        rv__cfg_str(c, o, okp, "source", 1, &co->source);
        rv__cfg_str(c, o, okp, "target", 1, &co->target);
        co->weight = 1.0;
        rv__cfg_num(c, o, okp, "weight", 0, &co->weight);
        co->has_spont_minis = rv__cfg_num(c, o, okp, "spont_minis", 0, &co->spont_minis) == 1;
        rv__cfg_str(c, o, okp, "synapse_configure", 0, &co->synapse_configure);
        rv__cfg_str(c, o, okp, "modoverride", 0, &co->modoverride);
        co->has_synapse_delay_override =
            rv__cfg_num(c, o, okp, "synapse_delay_override", 0, &co->synapse_delay_override) == 1;
        rv__cfg_num(c, o, okp, "delay", 0, &co->delay);
        co->has_neuromodulation_dtc =
            rv__cfg_num(c, o, okp, "neuromodulation_dtc", 0, &co->neuromodulation_dtc) == 1;
        co->has_neuromodulation_strength = rv__cfg_num(c, o, okp, "neuromodulation_strength", 0,
                                                       &co->neuromodulation_strength) == 1;
        if (ok) k++;
    }
    s->n_connection_overrides = k;
    s->connection_overrides = a;
}

/* ---- the file ----------------------------------------------------------------------------- */

static const char *const known_keys[] = {"version",
                                         "manifest",
                                         "network",
                                         "target_simulator",
                                         "node_sets_file",
                                         "compartment_sets_file",
                                         "node_set",
                                         "run",
                                         "output",
                                         "conditions",
                                         "inputs",
                                         "reports",
                                         "connection_overrides",
                                         "metadata",
                                         "beta_features",
                                         /* Allen */ "networks",
                                         "components",
                                         "node_sets",
                                         "config_path",
                                         "config_dir",
                                         "gid_mapping_file",
                                         NULL};

rv_sonata_simulation_config *rv__cfg_simulation(rv__cfg_ctx *c, rv__cfg_file *f) {
    rv_sonata_simulation_config *s = rv__cfg_alloc(c, sizeof *s);
    if (!s) return NULL;
    json_t *root = f->root;
    s->path = f->path;
    s->dir = f->dir;
    s->flavour = c->flavour;
    json_t *ver = json_object_get(root, "version");
    if (ver) rv__cfg_value(c, ver, 0, &s->version);

    if (rv__cfg_path(c, root, "", "network", 0, NULL, &s->network) == 0)
        s->network = rv__cfg_path_join(c, f->dir, "circuit_config.json");
    int sim = RV_SONATA_CFG_SIM_UNSPECIFIED;
    rv__cfg_enumv(c, root, "", "target_simulator", 0, rv__cfg_simulators(c), &sim);
    s->target_simulator = (rv_sonata_cfg_simulator)sim;
    rv__cfg_path(c, root, "", "node_sets_file", 0, NULL, &s->node_sets_file);
    rv__cfg_path(c, root, "", "compartment_sets_file", 0, NULL, &s->compartment_sets_file);
    rv__cfg_str(c, root, "", "node_set", 0, &s->node_set);

    run_section(c, root, &s->run);
    output_section(c, root, &s->output);
    conditions_section(c, root, &s->conditions);
    reports_section(c, root, s);
    rv__cfg_inputs(c, root, s);
    overrides_section(c, root, s);

    int strict = !ALLEN(c);
    json_t *o = NULL;
    if (rv__cfg_obj(c, root, "", "metadata", 0, &o) == 1)
        rv__cfg_params(c, o, "metadata", strict, &s->metadata);
    if (rv__cfg_obj(c, root, "", "beta_features", 0, &o) == 1)
        rv__cfg_params(c, o, "beta_features", strict, &s->beta_features);
    if (rv__cfg_obj(c, root, "", "node_sets", 0, &o) == 1) s->node_sets_json = rv__cfg_dump(c, o);

    const char *key;
    json_t *v;
    json_object_foreach(root, key, v) {
        int known = 0;
        for (const char *const *k = known_keys; *k && !known; k++) known = strcmp(*k, key) == 0;
        if (!known) rv__cfg_warn(c, key, "unknown top-level key, ignored");
    }
    s->expanded_json = rv__cfg_dump(c, root);
    return s;
}
