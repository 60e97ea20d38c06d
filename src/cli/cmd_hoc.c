/* SPDX-License-Identifier: MIT
 * cli/cmd_hoc.c -- `ranvier hoc FILE...`: run hoc files in a fresh model, as
 * `nrniv -nogui FILE...` does (top-level expression values are printed). */
#include "ranvier/engine.h"
#include "ranvier/hoc.h"

#include <stdio.h>

int rv_cmd_hoc(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: ranvier hoc FILE...\n");
        return 2;
    }
    rv_model *m;
    rv_hoc *h;
    rv_error err;
    char buf[1024];
    if (rv_model_create(&m, &err) || rv_hoc_create(m, &h, &err)) {
        fprintf(stderr, "%s\n", rv_error_format(&err, buf, sizeof buf));
        return 1;
    }
    int rc = 0;
    for (int i = 1; i < argc && !rc; ++i)
        if (rv_hoc_load_file(h, argv[i], &err)) {
            fflush(stdout);
            fprintf(stderr, "%s\n", rv_error_format(&err, buf, sizeof buf));
            rc = 1;
        }
    fflush(stdout);
    rv_hoc_destroy(h);
    rv_model_destroy(m);
    return rc;
}
