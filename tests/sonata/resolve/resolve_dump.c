/* SPDX-License-Identifier: MIT
 * tests/sonata/resolve/resolve_dump.c -- prints, for every node of every
 * population of a config's circuit, the resolved model type, template and
 * morphology path, one node per line ("pop id type kind name path morph"),
 * for check_resolve.py to compare with its own reading of the files.
 */
#include "ranvier/sonata_resolve.h"

#include <stdio.h>
#include <string.h>

static const char *kind_name(rv_sonata_template_kind k) {
    static const char *n[] = {"none", "hoc", "nrn", "ctdb", "nml", "other"};
    return n[k];
}

/* Edge cases of the rules, with hand-made population properties. */
static int selftest(void) {
    int fails = 0, checks = 0;
#define CHECK(c)                                                                                   \
    do {                                                                                           \
        checks++;                                                                                  \
        if (!(c)) fails++, fprintf(stderr, "FAIL line %d: %s\n", __LINE__, #c);                    \
    } while (0)
    rv_sonata_cfg_named_path alt[2] = {{"h5v1", "/m/h5"}, {"neurolucida-asc", "/m/asc"}};
    rv_sonata_cfg_population p = {0};
    p.type = "biophysical";
    p.morphologies_dir = "/m/swc";
    p.biophysical_neuron_models_dir = "/hoc";
    rv_error e;
    rv_sonata_template t;
    char out[256];
    CHECK(strcmp(rv_sonata_resolve_model_type(&p, "point_process"), "point_process") == 0);
    CHECK(strcmp(rv_sonata_resolve_model_type(&p, NULL), "biophysical") == 0);
    p.type_given = 1;
    p.type = "virtual";
    CHECK(strcmp(rv_sonata_resolve_model_type(&p, "point_process"), "virtual") == 0);
    CHECK(rv_sonata_resolve_template(&p, "cADpyr_L2TPC", &t, &e) == RV_OK);
    CHECK(t.kind == RV_SONATA_TEMPLATE_HOC && strcmp(t.path, "/hoc/cADpyr_L2TPC.hoc") == 0);
    CHECK(rv_sonata_resolve_template(&p, "hoc:X.hoc", &t, &e) == RV_OK && strcmp(t.name, "X") == 0);
    CHECK(rv_sonata_resolve_template(&p, "ctdb:Biophys1.hoc", &t, &e) == RV_OK &&
          t.kind == RV_SONATA_TEMPLATE_CTDB && strcmp(t.name, "Biophys1") == 0 && !t.path[0]);
    CHECK(rv_sonata_resolve_template(&p, "nrn:IntFire1", &t, &e) == RV_OK &&
          t.kind == RV_SONATA_TEMPLATE_NRN && strcmp(t.name, "IntFire1") == 0);
    CHECK(rv_sonata_resolve_template(&p, "py:thing", &t, &e) == RV_OK &&
          t.kind == RV_SONATA_TEMPLATE_OTHER && strcmp(t.name, "py:thing") == 0);
    CHECK(rv_sonata_resolve_template(&p, "", &t, &e) == RV_OK && t.kind == RV_SONATA_TEMPLATE_NONE);
    CHECK(rv_sonata_resolve_morphology(&p, "c1", NULL, out, sizeof out, &e) == RV_OK &&
          strcmp(out, "/m/swc/c1.swc") == 0);
    CHECK(rv_sonata_resolve_morphology(&p, "c1", "asc", out, sizeof out, &e) == RV_ENOENT);
    p.n_alternate_morphologies = 1;
    p.alternate_morphologies = alt;
    CHECK(rv_sonata_resolve_morphology(&p, "c1", NULL, out, sizeof out, &e) == RV_OK &&
          strcmp(out, "/m/h5/c1.h5") == 0);
    p.n_alternate_morphologies = 2;
    CHECK(rv_sonata_resolve_morphology(&p, "c1", NULL, out, sizeof out, &e) == RV_OK &&
          strcmp(out, "/m/asc/c1.asc") == 0);
    CHECK(rv_sonata_resolve_morphology(&p, "c1", "swc", out, sizeof out, &e) == RV_OK &&
          strcmp(out, "/m/swc/c1.swc") == 0);
    CHECK(rv_sonata_resolve_morphology(&p, "c1.swc", "swc", out, sizeof out, &e) == RV_OK &&
          strcmp(out, "/m/swc/c1.swc") == 0);
    CHECK(rv_sonata_resolve_morphology(&p, "c1", "obj", out, sizeof out, &e) == RV_EINVAL);
    CHECK(rv_sonata_resolve_morphology(&p, "c1", NULL, out, 8, &e) == RV_ERANGE);
    CHECK(rv_sonata_resolve_morphology(&p, "", NULL, out, sizeof out, &e) == RV_EINVAL);
    printf("%d passed, %d failed\n", checks - fails, fails);
    return fails != 0;
}

int main(int argc, char **argv) {
    if (argc < 2) return 2;
    if (strcmp(argv[1], "selftest") == 0) return selftest();
    rv_error err = {0};
    rv_sonata_config *cfg = NULL;
    char buf[1500];
    if (rv_sonata_config_load(argv[1], NULL, &cfg, NULL, &err)) {
        fprintf(stderr, "%s\n", rv_error_format(&err, buf, sizeof buf));
        return 1;
    }
    const rv_sonata_circuit_config *c = cfg->circuit;
    for (size_t fi = 0; fi < c->n_node_files; ++fi) {
        rv_sonata_file *f;
        if (rv_sonata_nodes_open(c->node_files[fi].elements_path, c->node_files[fi].types_path, &f,
                                 &err)) {
            fprintf(stderr, "%s\n", rv_error_format(&err, buf, sizeof buf));
            return 1;
        }
        for (size_t pi = 0; pi < rv_sonata_file_population_count(f); ++pi) {
            const char *name = rv_sonata_file_population_name(f, pi);
            rv_sonata_pop *p;
            if (rv_sonata_pop_open(f, name, &p, &err)) return 1;
            const rv_sonata_cfg_population *cp = rv_sonata_resolve_node_population(c, fi, name);
            size_t n = rv_sonata_pop_size(p);
            rv_sonata_range r = {0, n};
            rv_sonata_sel sel;
            if (rv_sonata_sel_from_ranges(&r, 1, &sel, &err)) return 1;
            char **mt = NULL, **tpl = NULL, **morph = NULL;
            if (rv_sonata_nodes_read_models(p, &sel, &mt, &tpl, &err)) return 1;
            int has_morph = rv_sonata_pop_attr_find(p, "morphology") >= 0;
            if (has_morph) {
                if (rv_sonata_pop_read_str(p, "morphology", &sel, &morph, &err)) {
                    fprintf(stderr, "%s\n", rv_error_format(&err, buf, sizeof buf));
                    return 1;
                }
            }
            for (size_t i = 0; i < n; ++i) {
                rv_sonata_template t;
                if (rv_sonata_resolve_template(cp, tpl[i], &t, &err)) return 1;
                char mp[2048] = "-";
                if (morph && morph[i] &&
                    rv_sonata_resolve_morphology(cp, morph[i], NULL, mp, sizeof mp, &err)) {
                    fprintf(stderr, "%s\n", rv_error_format(&err, buf, sizeof buf));
                    return 1;
                }
                printf("%s %zu %s %s %s %s %s\n", name, i, rv_sonata_resolve_model_type(cp, mt[i]),
                       kind_name(t.kind), t.name[0] ? t.name : "-", t.path[0] ? t.path : "-", mp);
            }
            rv_free(mt), rv_free(tpl), rv_free(morph);
            rv_sonata_sel_free(&sel);
            rv_sonata_pop_close(p);
        }
        rv_sonata_file_close(f);
    }
    rv_sonata_config_destroy(cfg);
    return 0;
}
