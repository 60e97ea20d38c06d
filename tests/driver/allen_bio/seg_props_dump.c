/* SPDX-License-Identifier: MIT
 * tests/driver/allen_bio/seg_props_dump.c -- prints the segments of Allen
 * perisomatic cells as the driver's BMTK placement sees them
 * (rv__allen_cell_segments: section index in hobj.all, x, length, distance
 * from soma[0](0), SWC type), one line per segment with %.17g values, for
 * seg_props_check.py to compare with NEURON's h.distance.
 *
 * usage: seg_props_dump MECHANISMS_ALLEN_DIR DL SWC FIT [SWC FIT]... */
#include "allen_cell_int.h"

#include <stdio.h>
#include <stdlib.h>

static int fail(const char *what, const rv_error *e) {
    char buf[1024];
    fprintf(stderr, "%s: %s\n", what, rv_error_format(e, buf, sizeof buf));
    return 1;
}

int main(int argc, char **argv) {
    if (argc < 5 || argc % 2 == 0) {
        fprintf(stderr, "usage: seg_props_dump MECHANISMS_ALLEN_DIR DL SWC FIT [SWC FIT]...\n");
        return 2;
    }
    rv_error err;
    rv_error_clear(&err);
    rv_model *m = NULL;
    rv_nmodl_lib *lib = NULL;
    if (rv_model_create(&m, &err) || rv__allen_load_mechanisms(m, argv[1], &lib, &err))
        return fail("setup", &err);
    double dL = atof(argv[2]);
    int rc = 0;
    for (int a = 3; a + 1 < argc && !rc; a += 2) {
        rv__allen_cell c;
        char prefix[32];
        snprintf(prefix, sizeof prefix, "Biophys1[%d].", (a - 3) / 2);
        rv__allen_opts o = {prefix, dL};
        if (rv__allen_cell_build(m, argv[a], argv[a + 1], &o, &c, &err)) {
            rc = fail("build", &err);
            break;
        }
        rv__allen_seg *s = NULL;
        int n = 0;
        if (rv__allen_cell_segments(m, &c, &s, &n, &err)) {
            rc = fail("segments", &err);
        } else {
            printf("cell %d\n", n);
            for (int i = 0; i < n; ++i)
                printf("%d %.17g %.17g %.17g %d\n", s[i].sec, s[i].x, s[i].length, s[i].dist,
                       s[i].type);
        }
        rv_free(s);
        rv__allen_cell_free(&c);
    }
    rv_model_destroy(m);
    rv_nmodl_close(lib);
    return rc;
}
