/* SPDX-License-Identifier: MIT
 * cli/cmd_allen_cell.c -- `ranvier allen-cell`: one Allen Institute
 * perisomatic cell (SWC + Cell Types fit JSON) built as BMTK builds it
 * (ctdb:Biophys1.hoc + aibs_perisomatic), optionally dumped as JSON and
 * simulated under a current step at the soma.
 *
 *   ranvier allen-cell [--dL D] [--mechanisms DIR] [--dump OUT.json]
 *                      [--celsius C] [--v-init V] [--dt DT]
 *                      [--iclamp AMP,DEL,DUR] [--tstop T] [--trace OUT]
 *                      [--threshold TH] MORPH.swc FIT.json
 *
 * celsius and v_init default to the fit's conditions; dt to 0.025 ms; the
 * spike threshold to BMTK's -15 mV.  The trace file has one "t v" line per
 * step (soma(0.5), from t = 0). */
#include "driver/allen_cell_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int usage(void) {
    fprintf(stderr, "usage: ranvier allen-cell [--dL D] [--mechanisms DIR] [--dump OUT.json] "
                    "[--celsius C] [--v-init V] [--dt DT] [--iclamp AMP,DEL,DUR] [--tstop T] "
                    "[--trace OUT] [--threshold TH] MORPH.swc FIT.json\n");
    return 2;
}

static int num(const char *s, double *v) {
    char *end;
    if (!*s) return 0;
    *v = strtod(s, &end);
    return *end == 0 && isfinite(*v);
}

static int fail(const rv_error *err) {
    char buf[1024];
    fprintf(stderr, "ranvier allen-cell: %s\n", rv_error_format(err, buf, sizeof buf));
    return 1;
}

int rv_cmd_allen_cell(int argc, char **argv) {
    const char *dump = NULL, *trace = NULL, *mechdir = NULL;
    double dL = 20, celsius = NAN, vinit = NAN, dt = 0.025, tstop = 0, thresh = -15;
    double amp = 0, del = 0, dur = 0;
    int iclamp = 0, i = 1;
    for (; i < argc && argv[i][0] == '-' && argv[i][1] == '-'; ++i) {
        const char *o = argv[i];
        if (i + 1 >= argc) return usage();
        const char *a = argv[++i];
        if (!strcmp(o, "--dump"))
            dump = a;
        else if (!strcmp(o, "--trace"))
            trace = a;
        else if (!strcmp(o, "--mechanisms"))
            mechdir = a;
        else if (!strcmp(o, "--dL") && num(a, &dL) && dL > 0)
            ;
        else if (!strcmp(o, "--celsius") && num(a, &celsius))
            ;
        else if (!strcmp(o, "--v-init") && num(a, &vinit))
            ;
        else if (!strcmp(o, "--dt") && num(a, &dt) && dt > 0)
            ;
        else if (!strcmp(o, "--tstop") && num(a, &tstop) && tstop >= 0)
            ;
        else if (!strcmp(o, "--threshold") && num(a, &thresh))
            ;
        else if (!strcmp(o, "--iclamp")) {
            char extra;
            if (sscanf(a, "%lf,%lf,%lf%c", &amp, &del, &dur, &extra) != 3) {
                fprintf(stderr,
                        "ranvier allen-cell: --iclamp wants AMP,DEL,DUR (nA, ms, ms), "
                        "got '%s'\n",
                        a);
                return 2;
            }
            iclamp = 1;
        } else {
            fprintf(stderr, "ranvier allen-cell: bad option or value: %s %s\n", o, a);
            return usage();
        }
    }
    if (argc - i != 2) return usage();
    const char *swc = argv[i], *fitp = argv[i + 1];

    rv_error err;
    rv_error_clear(&err);
    rv_model *m = NULL;
    rv_nmodl_lib *lib = NULL;
    rv__allen_cell cell;
    memset(&cell, 0, sizeof cell);
    int rc = 1, rec = -1, pp = -1;
    FILE *f = NULL;
    rv__allen_opts opts = {NULL, dL};
    if (rv_model_create(&m, &err)) goto out;
    if (rv__allen_load_mechanisms(m, mechdir, &lib, &err)) goto out;
    if (rv__allen_cell_build(m, swc, fitp, &opts, &cell, &err)) goto out;
    if (isnan(celsius)) celsius = isnan(cell.celsius) ? 34 : cell.celsius;
    if (isnan(vinit)) vinit = isnan(cell.v_init) ? -65 : cell.v_init;
    if (rv_model_set_celsius(m, celsius, &err) || rv_model_set_dt(m, dt, &err)) goto out;
    if (iclamp) {
        if (rv_pp_create(m, "IClamp", cell.soma, 0.5, &pp, &err) ||
            rv_pp_set(m, pp, "amp", amp, &err) || rv_pp_set(m, pp, "del", del, &err) ||
            rv_pp_set(m, pp, "dur", dur, &err))
            goto out;
    }
    if (rv_gid_from_section(m, 0, cell.soma, 0.5, thresh, &err)) goto out;
    if (trace && rv_record_range(m, cell.soma, 0.5, "v", &rec, &err)) goto out;
    if (rv_model_setup(m, &err)) goto out;
    int nseg = 0;
    for (int k = 0; k < cell.nsec; ++k) nseg += rv_section_nseg(m, cell.secs[k]);
    printf("%s + %s: %d sections, %d segments, celsius %g, v_init %g, dL %g\n", swc, fitp,
           cell.nsec, nseg, celsius, vinit, dL);
    if (dump) {
        if (!(f = fopen(dump, "w"))) {
            fprintf(stderr, "ranvier allen-cell: cannot write %s\n", dump);
            goto out;
        }
        if (rv__allen_cell_dump(m, &cell, f, &err)) goto out;
        if (fclose(f)) {
            f = NULL;
            fprintf(stderr, "ranvier allen-cell: cannot write %s\n", dump);
            goto out;
        }
        f = NULL;
    }
    if (rv_model_finitialize(m, vinit, &err)) goto out;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (tstop > 0 && rv_model_run(m, tstop, &err)) goto out;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    size_t ns = rv_spike_count(m);
    printf("%g ms in %.3f s: %zu spikes", tstop, secs, ns);
    for (size_t k = 0; k < ns && k < 1000; ++k) {
        double t;
        int64_t gid;
        rv_spike_get(m, k, &t, &gid);
        printf("%s%.17g", k ? " " : " at ", t);
    }
    printf("\n");
    if (trace) {
        size_t n;
        const double *v = rv_record_data(m, rec, &n);
        if (!(f = fopen(trace, "w"))) {
            fprintf(stderr, "ranvier allen-cell: cannot write %s\n", trace);
            goto out;
        }
        for (size_t k = 0; k < n; ++k) fprintf(f, "%.17g %.17g\n", (double)k * dt, v[k]);
        if (fclose(f)) {
            f = NULL;
            fprintf(stderr, "ranvier allen-cell: cannot write %s\n", trace);
            goto out;
        }
        f = NULL;
    }
    rc = 0;
out:
    if (f) fclose(f);
    if (rc && err.code) fail(&err);
    rv__allen_cell_free(&cell);
    rv_model_destroy(m);
    if (lib) rv_nmodl_close(lib);
    return rc;
}
