/* SPDX-License-Identifier: MIT
 * tests/sonata/config/test_config.c -- unit tests of the SONATA config
 * reader that the JSON-derived comparison (expect_config.py) does not
 * cover: enum values through the API, look-ups, value types, libsonata's
 * population overrides, the Allen flavour (root config, ${VAR}, non-string
 * manifest values, output_dir prefixing, IClamp and spike-file inputs,
 * BMTK reports, inline node sets), collection of every problem, warnings,
 * parsing from a string, API misuse; and with --oom every allocation of a
 * load made to fail in turn (RV_ENOMEM, nothing leaked: run under ASan).
 *
 *   test_config SRC_DIR SHARED_DIR [--oom]
 *
 * Expected values here come from reading the fixture files.
 */
#include "ranvier/sonata_config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int g_checks, g_fails;

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        g_checks++;                                                                                \
        if (!(cond)) {                                                                             \
            g_fails++;                                                                             \
            printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);                                 \
        }                                                                                          \
    } while (0)
#define CHECK_STR(a, b)                                                                            \
    do {                                                                                           \
        const char *a_ = (a), *b_ = (b);                                                           \
        g_checks++;                                                                                \
        if (!a_ || !b_ || strcmp(a_, b_) != 0) {                                                   \
            g_fails++;                                                                             \
            printf("FAIL %s:%d: %s == \"%s\", expected \"%s\"\n", __FILE__, __LINE__, #a,          \
                   a_ ? a_ : "(null)", b_ ? b_ : "(null)");                                        \
        }                                                                                          \
    } while (0)

static const char *g_src, *g_shared;

static const char *path(char *buf, const char *base, const char *rel) {
    snprintf(buf, 1024, "%s/%s", base, rel);
    return buf;
}

/* Absolute form of a fixture path (the config stores absolute paths); the
 * file need not exist.  SRC_DIR is absolute when CMake passes it. */
static const char *fixture(char *buf, const char *rel) {
    char cwd[512];
    if (g_src[0] == '/' || !getcwd(cwd, sizeof cwd))
        snprintf(buf, 1024, "%s/%s", g_src, rel);
    else
        snprintf(buf, 1024, "%s/%s/%s", cwd, g_src, rel);
    return buf;
}

static rv_sonata_config *load_ok(const char *file, const rv_sonata_cfg_options *o) {
    rv_sonata_config *cfg = NULL;
    rv_sonata_config_problems *pr = NULL;
    rv_error err;
    rv_status st = rv_sonata_config_load(file, o, &cfg, &pr, &err);
    if (st != RV_OK) {
        char b[1024];
        printf("FAIL loading %s: %s\n", file, rv_error_format(&err, b, sizeof b));
        g_fails++;
    }
    CHECK(rv_sonata_config_problems_count(pr) == 0);
    rv_sonata_config_problems_destroy(pr);
    return cfg;
}

/* The libsonata test config: enums and types through the API. */
static void test_libsonata_sim(void) {
    char f[1024];
    rv_sonata_config *cfg =
        load_ok(path(f, g_shared, "data/sonata-format/config/simulation_config.json"), NULL);
    if (!cfg) return;
    const rv_sonata_simulation_config *s = cfg->simulation;
    CHECK(cfg->kind == RV_SONATA_CFG_KIND_SIMULATION);
    CHECK(cfg->flavour == RV_SONATA_CFG_FLAVOUR_BBP);
    CHECK(s && cfg->circuit);
    if (!s || !cfg->circuit) goto out;
    CHECK(s->run.integration_method == RV_SONATA_CFG_INTEGRATION_CRANK_NICOLSON_ION);
    CHECK(s->output.spikes_sort_order == RV_SONATA_CFG_SORT_BY_ID);
    CHECK(s->conditions.spike_location == RV_SONATA_CFG_SPIKE_AIS);
    CHECK(!s->conditions.has_extracellular_calcium);
    CHECK(s->target_simulator == RV_SONATA_CFG_SIM_CORENEURON);
    CHECK(s->conditions.n_modifications == 5);
    CHECK(s->conditions.modifications[0].type == RV_SONATA_CFG_MOD_TTX);
    CHECK(s->conditions.modifications[4].type == RV_SONATA_CFG_MOD_COMPARTMENT_SET);
    CHECK(s->conditions.n_mechanisms == 2);
    const rv_sonata_cfg_value *v =
        rv_sonata_config_param(&s->conditions.mechanisms[0].vars, "property2");
    CHECK(v && v->type == RV_SONATA_CFG_VALUE_INT && v->i == -1);
    v = rv_sonata_config_param(&s->metadata, "sim_version");
    CHECK(v && v->type == RV_SONATA_CFG_VALUE_INT && v->i == 1);
    v = rv_sonata_config_param(&s->metadata, "v_float");
    CHECK(v && v->type == RV_SONATA_CFG_VALUE_DOUBLE && v->d == 0.5);
    v = rv_sonata_config_param(&s->beta_features, "v_bool");
    CHECK(v && v->type == RV_SONATA_CFG_VALUE_BOOL && v->b == 0);
    v = rv_sonata_config_param(&s->beta_features, "v_str");
    CHECK(v && v->type == RV_SONATA_CFG_VALUE_STRING && strcmp(v->s, "abcd") == 0);
    CHECK(rv_sonata_config_param(&s->metadata, "nope") == NULL);

    const rv_sonata_cfg_input *in = rv_sonata_config_input(s, "ex_abs_shotnoise");
    CHECK(in && in->module == RV_SONATA_CFG_MODULE_ABSOLUTE_SHOT_NOISE &&
          in->input_type == RV_SONATA_CFG_INPUT_CONDUCTANCE && in->represents_physical_electrode);
    in = rv_sonata_config_input(s, "ex_noise_meanpercent");
    CHECK(in && in->has_mean_percent && !in->has_mean); /* "mean": null is absent */
    in = rv_sonata_config_input(s, "ex_rel_shotnoise");
    CHECK(in && in->has_random_seed && in->random_seed == 230522);
    in = rv_sonata_config_input(s, "ex_shotnoise");
    CHECK(in && !in->has_random_seed);
    in = rv_sonata_config_input(s, "ex_efields");
    CHECK(in && in->input_type == RV_SONATA_CFG_INPUT_EXTRACELLULAR_STIMULATION &&
          in->n_fields == 4);
    in = rv_sonata_config_input(s, "ex_seclamp");
    CHECK(in && in->module == RV_SONATA_CFG_MODULE_SECLAMP && in->n_levels == 4);
    CHECK(rv_sonata_config_input(s, "does_not_exist") == NULL);

    const rv_sonata_cfg_report *r = rv_sonata_config_report(s, "compartment_set_v");
    CHECK(r && r->type == RV_SONATA_CFG_REPORT_COMPARTMENT_SET &&
          r->sections == RV_SONATA_CFG_SECTIONS_NONE &&
          r->compartments == RV_SONATA_CFG_COMPARTMENTS_NONE);
    r = rv_sonata_config_report(s, "cell_imembrane");
    CHECK(r && r->type == RV_SONATA_CFG_REPORT_SUMMATION && r->n_variables == 2);
    if (r && r->n_variables == 2) {
        CHECK_STR(r->variables[0], "i_membrane");
        CHECK_STR(r->variables[1], "IClamp");
    }
    r = rv_sonata_config_report(s, "axonal_comp_centers");
    CHECK(r && r->scaling == RV_SONATA_CFG_SCALING_NONE &&
          r->sections == RV_SONATA_CFG_SECTIONS_AXON);
    CHECK(rv_sonata_config_report(s, "DoesNotExist") == NULL);

    const rv_sonata_cfg_connection_override *co = &s->connection_overrides[1];
    CHECK(s->n_connection_overrides == 2 && co->has_synapse_delay_override &&
          !co->has_spont_minis && co->modoverride == NULL);

    const rv_sonata_circuit_config *c = cfg->circuit;
    const rv_sonata_cfg_population *p = rv_sonata_config_node_population(c, "nodes-A");
    CHECK(p && strcmp(p->type, "biophysical") == 0 && !p->type_given);
    CHECK(rv_sonata_config_node_population(c, "DoesNotExist") == NULL);
    CHECK(rv_sonata_config_edge_population(c, "edges-AC") != NULL);
    CHECK(rv_sonata_config_edge_population(c, "nodes-A") == NULL);
    CHECK(c->expanded_json && strstr(c->expanded_json, "\"networks\""));
    CHECK(s->expanded_json && !strstr(s->expanded_json, "$OUTPUT_DIR/output"));
out:
    rv_sonata_config_destroy(cfg);
}

/* libsonata's "Overrides" rules: population keys win, components fill. */
static void test_overrides(void) {
    char f[1024], e[1024];
    rv_sonata_config *cfg = load_ok(fixture(f, "good/overrides/circuit_config.json"), NULL);
    if (!cfg || !cfg->circuit) goto out;
    const rv_sonata_circuit_config *c = cfg->circuit;
    CHECK(cfg->kind == RV_SONATA_CFG_KIND_CIRCUIT && cfg->simulation == NULL);
    CHECK(c->version.type == RV_SONATA_CFG_VALUE_INT && c->version.i == 2);
    const rv_sonata_cfg_population *a = rv_sonata_config_node_population(c, "nodes-A");
    const rv_sonata_cfg_population *b = rv_sonata_config_node_population(c, "nodes-B");
    const rv_sonata_cfg_population *virt = rv_sonata_config_node_population(c, "virt");
    CHECK(a && b && virt);
    if (!a || !b || !virt) goto out;
    CHECK_STR(a->morphologies_dir, fixture(e, "good/overrides/my/custom/morphologies/dir"));
    CHECK_STR(rv_sonata_config_alternate_morphology(a, "neurolucida-asc"),
              fixture(e, "good/overrides/asc/dir"));
    CHECK(rv_sonata_config_alternate_morphology(a, "h5v1") == NULL); /* replaced, not merged */
    CHECK_STR(b->morphologies_dir, fixture(e, "good/overrides/morphologies"));
    CHECK_STR(rv_sonata_config_alternate_morphology(b, "h5v1"),
              fixture(e, "good/overrides/morphologies/h5"));
    CHECK_STR(virt->type, "virtual");
    CHECK(virt->type_given && !b->type_given);
    CHECK_STR(b->type, "biophysical");
    const rv_sonata_cfg_population *ab = rv_sonata_config_edge_population(c, "edges-AB");
    const rv_sonata_cfg_population *gj = rv_sonata_config_edge_population(c, "gj");
    CHECK(ab && gj && strcmp(ab->type, "chemical") == 0 && strcmp(gj->type, "electrical") == 0);
    CHECK(ab && ab->morphologies_dir && strstr(ab->morphologies_dir, "/my/edge/morph"));
    CHECK(c->n_node_files == 1 && c->node_files[0].n_populations == 3);
    CHECK_STR(c->node_files[0].defaults.morphologies_dir,
              fixture(e, "good/overrides/morphologies"));
    CHECK(c->node_files[0].defaults.name == NULL);
    CHECK_STR(c->node_files[0].defaults.type, "biophysical");
    CHECK_STR(c->edge_files[0].defaults.type, "chemical");
out:
    rv_sonata_config_destroy(cfg);
}

static void test_defaults(void) {
    char f[1024], e[1024];
    rv_sonata_config *cfg = load_ok(fixture(f, "good/defaults/simulation_config.json"), NULL);
    if (!cfg || !cfg->simulation) goto out;
    const rv_sonata_simulation_config *s = cfg->simulation;
    CHECK(cfg->circuit == NULL && s->network == NULL); /* no circuit_config.json beside it */
    CHECK(s->target_simulator == RV_SONATA_CFG_SIM_UNSPECIFIED);
    CHECK(s->node_sets_file == NULL && s->node_set == NULL && s->compartment_sets_file == NULL);
    CHECK(s->run.spike_threshold == -30.0);
    CHECK(s->run.integration_method == RV_SONATA_CFG_INTEGRATION_EULER);
    CHECK(s->run.stimulus_seed == 0 && s->run.synapse_seed == 0 && s->run.electrodes_file == NULL);
    CHECK(s->conditions.celsius == 34.0 && s->conditions.v_init == -80.0);
    CHECK(s->conditions.spike_location == RV_SONATA_CFG_SPIKE_SOMA);
    CHECK(!s->conditions.randomize_gaba_rise_time);
    CHECK_STR(s->output.output_dir, fixture(e, "good/defaults/output"));
    CHECK_STR(s->output.spikes_file, "out.h5");
    CHECK_STR(s->output.log_file, "");
    CHECK(s->output.log_path == NULL);
    CHECK(s->output.spikes_sort_order == RV_SONATA_CFG_SORT_BY_TIME);
    CHECK(s->n_inputs == 0 && s->n_reports == 0 && s->n_connection_overrides == 0);
out:
    rv_sonata_config_destroy(cfg);
}

static void test_allen(void) {
    char f[1024], e[1024];
    rv_sonata_config *cfg = load_ok(fixture(f, "good/allen/config.json"), NULL);
    if (!cfg || !cfg->simulation || !cfg->circuit) {
        CHECK(0);
        goto out;
    }
    const rv_sonata_simulation_config *s = cfg->simulation;
    const rv_sonata_circuit_config *c = cfg->circuit;
    CHECK(cfg->kind == RV_SONATA_CFG_KIND_ROOT && cfg->flavour == RV_SONATA_CFG_FLAVOUR_ALLEN);
    CHECK(cfg->flavour_reason && strstr(cfg->flavour_reason, "root"));
    CHECK_STR(s->network, fixture(e, "good/allen/circuit_config.json"));
    CHECK_STR(c->components.templates_dir, fixture(e, "good/components/templates"));
    CHECK_STR(c->node_files[0].types_path, fixture(e, "good/allen/network/v1_node_types.csv"));
    CHECK_STR(c->edge_files[0].types_path, fixture(e, "good/allen/network/v1_v1_edge_types.csv"));
    CHECK(s->run.tstop == 500.0); /* "${TSTOP}": a number from the manifest */
    CHECK(s->run.dL == 10.0 && s->run.nsteps_block == 100 && s->run.tstart == 1.0);
    CHECK(s->run.spike_threshold == -20 && !s->run.has_random_seed && s->run.overwrite_output_dir);
    CHECK(s->output.spikes_sort_order == RV_SONATA_CFG_SORT_BY_TIME); /* "time" */
    CHECK_STR(s->output.output_dir, fixture(e, "good/allen/output"));
    CHECK_STR(s->output.spikes_path, fixture(e, "good/allen/output/spikes.h5"));
    CHECK_STR(s->output.log_path, fixture(e, "good/allen/output/log.txt"));
    CHECK_STR(s->output.spikes_file_csv, fixture(e, "good/allen/output/spikes.csv"));
    const rv_sonata_cfg_input *in = rv_sonata_config_input(s, "lgn");
    CHECK(in && in->module == RV_SONATA_CFG_MODULE_SPIKE_FILE &&
          in->input_type == RV_SONATA_CFG_INPUT_SPIKES);
    CHECK(in && in->input_file &&
          strcmp(in->input_file, fixture(e, "good/allen/inputs/lgn.nwb")) == 0);
    const rv_sonata_cfg_value *trial = in ? rv_sonata_config_param(&in->params, "trial") : NULL;
    CHECK(trial && trial->type == RV_SONATA_CFG_VALUE_STRING && strcmp(trial->s, "trial_0") == 0);
    in = rv_sonata_config_input(s, "clamp");
    CHECK(in && in->module == RV_SONATA_CFG_MODULE_ICLAMP && in->n_pulses == 2);
    if (in && in->n_pulses == 2)
        CHECK(in->amps[1] == 0.2 && in->delays[1] == 300 && in->durations[0] == 50 && in->enabled);
    in = rv_sonata_config_input(s, "clamp1");
    CHECK(in && in->n_pulses == 1 && in->amps[0] == 0.3 && !in->enabled);
    in = rv_sonata_config_input(s, "xs");
    CHECK(in && in->module == RV_SONATA_CFG_MODULE_OTHER &&
          in->input_type == RV_SONATA_CFG_INPUT_OTHER);
    CHECK(in && in->input_type_name && strcmp(in->input_type_name, "lfp") == 0);
    const rv_sonata_cfg_value *pf =
        in ? rv_sonata_config_param(&in->params, "positions_file") : NULL;
    CHECK(pf && pf->s && strstr(pf->s, "/good/allen/inputs/xstim.csv")); /* expanded */
    const rv_sonata_cfg_report *r = rv_sonata_config_report(s, "membrane");
    CHECK(r && r->type == RV_SONATA_CFG_REPORT_COMPARTMENT && r->module &&
          strcmp(r->module, "membrane_report") == 0);
    CHECK(r && r->n_variables == 2 && r->dt == 0.1 && r->start_time == 1.0 && r->end_time == 500);
    CHECK(r && r->file_name &&
          strcmp(r->file_name, fixture(e, "good/allen/output/membrane.h5")) == 0);
    CHECK(s->node_sets_json && strstr(s->node_sets_json, "\"bio\""));
out:
    rv_sonata_config_destroy(cfg);

    /* The Allen example circuit: its simulation config alone is Allen (run.dL). */
    rv_sonata_config *a =
        load_ok(path(f, g_shared, "data/circuits/allen-300-intfire/simulation_config.json"), NULL);
    CHECK(a && a->flavour == RV_SONATA_CFG_FLAVOUR_ALLEN && a->circuit != NULL);
    CHECK(a && a->flavour_reason && strcmp(a->flavour_reason, "run.dL") == 0);
    rv_sonata_config_destroy(a);
    /* ... and refused under the Blue Brain rules, with every problem listed. */
    rv_sonata_cfg_options bbp = {.flavour = RV_SONATA_CFG_FLAVOUR_BBP};
    rv_sonata_config_problems *pr = NULL;
    rv_error err;
    rv_status st = rv_sonata_config_load(f, &bbp, &a, &pr, &err);
    CHECK(st == RV_EFORMAT && a == NULL);
    size_t n = rv_sonata_config_problems_count(pr);
    int seed = 0, mod = 0, order = 0;
    for (size_t i = 0; i < n; i++) {
        const rv_error *p = rv_sonata_config_problems_get(pr, i);
        seed += strcmp(p->key, "run.random_seed") == 0;
        mod += strstr(p->key, ".module") != NULL;
        order += strcmp(p->key, "output.spikes_sort_order") == 0;
    }
    CHECK(seed == 1 && mod == 2 && order == 1 && n == 4);
    rv_sonata_config_problems_destroy(pr);
}

/* Every problem of a file is listed, in reading order. */
static void test_many_problems(void) {
    char f[1024];
    rv_sonata_config *cfg = NULL;
    rv_sonata_config_problems *pr = NULL;
    rv_error err;
    rv_status st = rv_sonata_config_load(fixture(f, "many_problems.json"), NULL, &cfg, &pr, &err);
    CHECK(st == RV_EFORMAT && cfg == NULL);
    static const char *keys[] = {"run.dt",
                                 "run.random_seed",
                                 "output.spikes_sort_order",
                                 "conditions.spike_location",
                                 "inputs.a.input_type",
                                 "inputs.b.delay",
                                 "reports.r.sections"};
    static const int lines[] = {2, 2, 3, 4, 7, 10, 13};
    size_t n = rv_sonata_config_problems_count(pr);
    CHECK(n == 7);
    for (size_t i = 0; i < n && i < 7; i++) {
        const rv_error *p = rv_sonata_config_problems_get(pr, i);
        CHECK_STR(p->key, keys[i]);
        CHECK(p->line == lines[i]);
        CHECK(strstr(p->path, "many_problems.json") != NULL);
    }
    CHECK(strcmp(err.key, "run.dt") == 0 && err.line == 2);
    rv_sonata_config_problems_destroy(pr);
}

static void test_parse_and_misuse(void) {
    char f[1024];
    rv_sonata_config *cfg = NULL;
    rv_error err;
    /* From a string: paths resolve against the given folder; a partial
     * circuit needs no networks; warnings for ignored keys. */
    const char *text = "{\"metadata\": {\"status\": \"partial\"},\n"
                       " \"components\": {\"morphologies_dir\": \"m/./x/../y\"},\n"
                       " \"target_simulator\": \"LearningEngine\"}";
    rv_sonata_cfg_options circ = {.kind = RV_SONATA_CFG_KIND_CIRCUIT};
    CHECK(rv_sonata_config_parse(text, "inline.json", "/base/dir", &circ, &cfg, NULL, &err) ==
          RV_OK);
    if (cfg && cfg->circuit) {
        CHECK(cfg->circuit->status == RV_SONATA_CFG_STATUS_PARTIAL);
        CHECK_STR(cfg->circuit->components.morphologies_dir, "/base/dir/m/y");
        CHECK(cfg->circuit->target_simulator == RV_SONATA_CFG_SIM_LEARNING_ENGINE);
        CHECK(cfg->circuit->n_node_files == 0);
    }
    rv_sonata_config_destroy(cfg);
    /* The same without "partial": networks is mandatory. */
    const char *text2 = "{\"components\": {}}";
    rv_sonata_config_problems *pr = NULL;
    CHECK(rv_sonata_config_parse(text2, "inline2.json", NULL, &circ, &cfg, &pr, &err) ==
          RV_EFORMAT);
    CHECK(cfg == NULL && strcmp(err.key, "networks") == 0 && strcmp(err.path, "inline2.json") == 0);
    rv_sonata_config_problems_destroy(pr);
    /* Invalid JSON from a string: line and column. */
    CHECK(rv_sonata_config_parse("{\n  \"run\": [1,,2]\n}", "x.json", NULL, NULL, &cfg, NULL,
                                 &err) == RV_EFORMAT);
    CHECK(err.line == 2 && err.col > 0 && strstr(err.msg, "invalid JSON"));
    /* Warnings: unknown top-level key, node_set of a compartment_set modification. */
    const char *text3 =
        "{\"run\": {\"tstop\": 1, \"dt\": 0.1, \"random_seed\": 1}, \"colour\": \"blue\",\n"
        " \"conditions\": {\"modifications\": [{\"name\": \"m\", \"type\": \"compartment_set\",\n"
        "   \"compartment_set\": \"cs\", \"section_configure\": \"x\", \"node_set\": \"A\"}]}}";
    rv_sonata_cfg_options nocirc = {.skip_circuit = 1};
    CHECK(rv_sonata_config_parse(text3, "w.json", "/nowhere", &nocirc, &cfg, NULL, &err) == RV_OK);
    CHECK(cfg && cfg->n_warnings == 2);
    if (cfg && cfg->n_warnings == 2) {
        CHECK(strstr(cfg->warnings[0], "colour") || strstr(cfg->warnings[1], "colour"));
        CHECK(strstr(cfg->warnings[0], "node_set") || strstr(cfg->warnings[1], "node_set"));
    }
    if (cfg && cfg->simulation)
        CHECK(cfg->simulation->conditions.modifications[0].node_set == NULL);
    rv_sonata_config_destroy(cfg);
    /* BMTK single file: run and networks together; the circuit is inline. */
    const char *text4 =
        "{\"run\": {\"tstop\": 5, \"dL\": 5},\n"
        " \"networks\": {\"nodes\": [{\"nodes_file\": \"n.h5\", \"node_types_file\": \"t.csv\"}],\n"
        "              \"edges\": []}}";
    CHECK(rv_sonata_config_parse(text4, "one.json", "/d", NULL, &cfg, NULL, &err) == RV_OK);
    if (cfg && cfg->circuit && cfg->simulation) {
        CHECK(cfg->flavour == RV_SONATA_CFG_FLAVOUR_ALLEN);
        CHECK(cfg->circuit->n_node_files == 1 && cfg->circuit->n_edge_files == 0);
        CHECK_STR(cfg->circuit->node_files[0].types_path, "/d/t.csv");
        CHECK_STR(cfg->simulation->network, "one.json");
        CHECK(cfg->simulation->run.dt == 0.1 && cfg->simulation->run.spike_threshold == -15);
    } else {
        CHECK(0);
    }
    rv_sonata_config_destroy(cfg);
    /* Misuse. */
    CHECK(rv_sonata_config_load(NULL, NULL, &cfg, NULL, &err) == RV_EINVAL && cfg == NULL);
    CHECK(rv_sonata_config_load(fixture(f, "good/defaults/simulation_config.json"), NULL, NULL,
                                NULL, &err) == RV_EINVAL);
    CHECK(rv_sonata_config_parse(NULL, "n", NULL, NULL, &cfg, NULL, &err) == RV_EINVAL);
    rv_sonata_config_destroy(NULL);
    rv_sonata_config_problems_destroy(NULL);
    CHECK(rv_sonata_config_problems_count(NULL) == 0);
    CHECK(rv_sonata_config_problems_get(NULL, 0) == NULL);
    CHECK(strcmp(rv_sonata_config_module_name(RV_SONATA_CFG_MODULE_POISSON), "poisson") == 0);
    CHECK(strcmp(rv_sonata_config_module_name((rv_sonata_cfg_module)99), "?") == 0);
    CHECK(strcmp(rv_sonata_config_sort_order_name(RV_SONATA_CFG_SORT_NONE), "none") == 0);
    CHECK(strcmp(rv_sonata_config_simulator_name(RV_SONATA_CFG_SIM_BRIAN2), "Brian2") == 0);
}

/* ---- allocation failures ---------------------------------------------------- */

static long g_count, g_fail_at;

static void *failing_alloc(void *ud, void *p, size_t n) {
    (void)ud;
    if (n == 0) {
        free(p);
        return NULL;
    }
    if (++g_count == g_fail_at) return NULL;
    return realloc(p, n);
}

static void oom_loop(const char *file, rv_status expect) {
    long k;
    int enomem = 0;
    for (k = 1;; k++) {
        g_count = 0;
        g_fail_at = k;
        rv_set_allocator(failing_alloc, NULL);
        rv_sonata_config *cfg = NULL;
        rv_sonata_config_problems *pr = NULL;
        rv_error err;
        rv_status st = rv_sonata_config_load(file, NULL, &cfg, &pr, &err);
        int hit = g_count >= g_fail_at;
        rv_sonata_config_destroy(cfg);
        rv_sonata_config_problems_destroy(pr);
        rv_set_allocator(NULL, NULL);
        if (st == RV_ENOMEM) {
            CHECK(cfg == NULL && pr == NULL);
            enomem++;
        } else {
            CHECK(st == expect);
            if (st != expect) printf("     at allocation %ld: %s\n", k, err.msg);
        }
        if (!hit) break;
    }
    printf("oom: %s: %ld allocations, each made to fail: %d gave RV_ENOMEM\n", file, k - 1, enomem);
    CHECK(enomem > 0);
}

/* Key positions for tools (rv_sonata_json_positions_*): exact keys, the
 * nearest enclosing value for absent ones, escaped keys decoded, errors
 * for a missing file and invalid JSON; every allocation made to fail. */
static const char *positions_text = "{\n"
                                    "  \"run\": {\"dt\": 0.025,\n"
                                    "          \"t\\u0061g\": [1, {\"x\": 2}]},\n"
                                    "  \"s\": \"v\"\n"
                                    "}\n";

static void test_positions(void) {
    char f[64];
    snprintf(f, sizeof f, "/tmp/rv_positions_%ld.json", (long)getpid());
    FILE *fp = fopen(f, "w");
    CHECK(fp != NULL);
    if (!fp) return;
    fputs(positions_text, fp);
    fclose(fp);
    rv_sonata_json_positions *p = NULL;
    rv_error err;
    CHECK(rv_sonata_json_positions_load(f, &p, &err) == RV_OK);
    int line, col;
    CHECK(rv_sonata_json_positions_find(p, "run.dt", &line, &col) == 1 && line == 2 && col == 17);
    CHECK(rv_sonata_json_positions_find(p, "run.tag[1].x", &line, &col) == 1 && line == 3 &&
          col == 33);
    CHECK(rv_sonata_json_positions_find(p, "run.tag[1]", &line, &col) == 1 && line == 3 &&
          col == 27);
    CHECK(rv_sonata_json_positions_find(p, "run.tag[1].nope", &line, &col) == 0 && line == 3 &&
          col == 27);
    CHECK(rv_sonata_json_positions_find(p, "s", &line, &col) == 1 && line == 4 && col == 8);
    CHECK(rv_sonata_json_positions_find(p, "zz", &line, &col) == 0 && line == 1 && col == 1);
    rv_sonata_json_positions_destroy(p);
    CHECK(rv_sonata_json_positions_find(NULL, "s", &line, &col) == 0 && line == 0 && col == 0);
    /* every allocation of a load made to fail in turn */
    long k;
    int enomem = 0;
    for (k = 1;; k++) {
        g_count = 0;
        g_fail_at = k;
        rv_set_allocator(failing_alloc, NULL);
        p = NULL;
        rv_status st = rv_sonata_json_positions_load(f, &p, &err);
        int hit = g_count >= g_fail_at;
        rv_set_allocator(NULL, NULL);
        if (st == RV_ENOMEM) {
            CHECK(p == NULL);
            enomem++;
        } else {
            CHECK(st == RV_OK && p != NULL);
        }
        rv_sonata_json_positions_destroy(p);
        if (!hit) break;
    }
    CHECK(enomem > 0);
    /* invalid JSON: the error names the file and line */
    fp = fopen(f, "w");
    if (fp) {
        fputs("{\n \"a\": 1,\n \"b\": }\n", fp);
        fclose(fp);
    }
    CHECK(rv_sonata_json_positions_load(f, &p, &err) == RV_EFORMAT && p == NULL);
    CHECK(err.line == 3 && strstr(err.path, "rv_positions_") != NULL);
    remove(f);
    CHECK(rv_sonata_json_positions_load(f, &p, &err) == RV_ENOENT && p == NULL);
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: test_config SRC_DIR SHARED_DIR [--oom]\n");
        return 2;
    }
    g_src = argv[1];
    g_shared = argv[2];
    char f[1024];
    if (argc > 3 && strcmp(argv[3], "--oom") == 0) {
        oom_loop(path(f, g_shared,
                      "data/circuits/bbp-ringtest/simulation_config_reference_reports.json"),
                 RV_OK);
        oom_loop(path(f, g_shared, "data/sonata-format/config/simulation_config.json"), RV_OK);
        oom_loop(fixture(f, "good/allen/config.json"), RV_OK);
        oom_loop(fixture(f, "many_problems.json"), RV_EFORMAT);
    } else {
        test_libsonata_sim();
        test_overrides();
        test_defaults();
        test_allen();
        test_many_problems();
        test_parse_and_misuse();
        test_positions();
    }
    printf("%d checks, %d failures\n", g_checks, g_fails);
    return g_fails ? 1 : 0;
}
