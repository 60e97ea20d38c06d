/* SPDX-License-Identifier: MIT
 * tests/allen/test_allen_cell.c -- the driver-facing builder
 * (rv__allen_cell_build) as the driver uses it: several cells in one model
 * told apart by a name prefix, spike sources on their somata, a fit whose
 * mechanisms are not loaded.
 *
 * usage: test_allen_cell SHARED_COMPONENTS_DIR MECHANISMS_ALLEN_DIR */
#include "allen_cell_int.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static int fails;
#define CHECK(c)                                                                                   \
    do {                                                                                           \
        if (!(c)) {                                                                                \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #c);                  \
            ++fails;                                                                               \
        }                                                                                          \
    } while (0)

static void die(const char *what, const rv_error *e) {
    char buf[1024];
    fprintf(stderr, "%s: %s\n", what, rv_error_format(e, buf, sizeof buf));
    ++fails;
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: test_allen_cell SHARED_COMPONENTS_DIR MECHANISMS_ALLEN_DIR\n");
        return 2;
    }
    char swc[1024], fitp[1024];
    snprintf(swc, sizeof swc, "%s/morphologies/Nr5a1_471087815_m.swc", argv[1]);
    snprintf(fitp, sizeof fitp, "%s/biophysical_neuron_templates/json/473863035_fit.json", argv[1]);
    rv_error err;
    rv_error_clear(&err);

    /* without the mechanisms: an error naming the fit's key, nothing built */
    rv_model *m0 = NULL;
    rv__allen_cell c0;
    CHECK(rv_model_create(&m0, &err) == RV_OK);
    CHECK(rv__allen_cell_build(m0, swc, fitp, NULL, &c0, &err) == RV_ENOENT);
    CHECK(strstr(err.key, "genome[") && strstr(err.key, "].mechanism"));
    CHECK(strstr(err.path, "473863035_fit.json") != NULL);
    CHECK(rv_model_section_count(m0) == 0);
    CHECK(c0.secs == NULL && c0.nsec == 0);
    rv_model_destroy(m0);

    /* two cells in one model */
    rv_model *m = NULL;
    rv_nmodl_lib *lib = NULL;
    rv__allen_cell c[2];
    memset(c, 0, sizeof c);
    int rec[2] = {-1, -1};
    if (rv_model_create(&m, &err) || rv__allen_load_mechanisms(m, argv[2], &lib, &err)) {
        die("setup", &err);
        return 1;
    }
    for (int k = 0; k < 2; ++k) {
        char prefix[32];
        snprintf(prefix, sizeof prefix, "Biophys1[%d].", k);
        rv__allen_opts o = {prefix, 20};
        if (rv__allen_cell_build(m, swc, fitp, &o, &c[k], &err)) die("build", &err);
    }
    CHECK(c[0].nsec == c[1].nsec && c[0].nsec > 3);
    CHECK(!strcmp(rv_section_name(m, c[0].soma), "Biophys1[0].soma[0]"));
    CHECK(!strcmp(rv_section_name(m, c[1].soma), "Biophys1[1].soma[0]"));
    CHECK(!strcmp(rv_section_name(m, c[1].axon[1]), "Biophys1[1].axon[1]"));
    CHECK(c[0].secs[c[0].nsec - 2] == c[0].axon[0] && c[0].secs[c[0].nsec - 1] == c[0].axon[1]);
    CHECK(c[0].celsius == 34.0 && fabs(c[0].v_init + 89.4614028930664) < 1e-12);
    for (int i = 0; i < c[0].nsec; ++i) {
        const char *n0 = rv_section_name(m, c[0].secs[i]), *n1 = rv_section_name(m, c[1].secs[i]);
        CHECK(!strcmp(n0 + strlen("Biophys1[0]."), n1 + strlen("Biophys1[1].")));
        CHECK(rv_section_nseg(m, c[0].secs[i]) == rv_section_nseg(m, c[1].secs[i]));
    }
    /* the same step on both somata: identical traces and spikes */
    for (int k = 0; k < 2 && !fails; ++k) {
        int pp;
        if (rv_pp_create(m, "IClamp", c[k].soma, 0.5, &pp, &err) ||
            rv_pp_set(m, pp, "amp", 0.3, &err) || rv_pp_set(m, pp, "del", 5, &err) ||
            rv_pp_set(m, pp, "dur", 100, &err) ||
            rv_gid_from_section(m, k, c[k].soma, 0.5, -15, &err) ||
            rv_record_range(m, c[k].soma, 0.5, "v", &rec[k], &err))
            die("stimulus", &err);
    }
    if (!fails) {
        if (rv_model_set_celsius(m, c[0].celsius, &err) ||
            rv_model_finitialize(m, c[0].v_init, &err) || rv_model_run(m, 120, &err))
            die("run", &err);
    }
    if (!fails) {
        size_t n0, n1;
        const double *v0 = rv_record_data(m, rec[0], &n0), *v1 = rv_record_data(m, rec[1], &n1);
        CHECK(n0 == n1 && n0 > 4000);
        double d = 0, vmax = -1e9;
        for (size_t i = 0; i < n0 && i < n1; ++i) {
            d = fmax(d, fabs(v0[i] - v1[i]));
            vmax = fmax(vmax, v0[i]);
        }
        size_t ns = rv_spike_count(m), per[2] = {0, 0};
        for (size_t i = 0; i < ns; ++i) {
            double t;
            int64_t gid;
            rv_spike_get(m, i, &t, &gid);
            if (gid == 0 || gid == 1) per[gid]++;
        }
        printf("two cells in one model: max |v0 - v1| = %.3g mV, peak %.2f mV, spikes %zu + %zu\n",
               d, vmax, per[0], per[1]);
        CHECK(d == 0.0);
        CHECK(per[0] > 0 && per[0] == per[1]);
    }
    rv__allen_cell_free(&c[0]);
    rv__allen_cell_free(&c[1]);
    rv_model_destroy(m);
    rv_nmodl_close(lib);
    printf("%s\n", fails ? "FAIL" : "PASS");
    return fails ? 1 : 0;
}
