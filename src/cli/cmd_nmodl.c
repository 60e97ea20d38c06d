/* SPDX-License-Identifier: MIT
 * cli/cmd_nmodl.c -- `ranvier nmodl FILE.mod [-o OUT.c]`: translate one
 * NMODL file to C for the mechanism ABI; diagnostics on stderr as
 * file:line:col: error: message.
 */
#include "ranvier/nmodl.h"

#include <stdio.h>
#include <string.h>

int rv_cmd_nmodl(int argc, char **argv) {
    const char *in = NULL, *outp = NULL;
    for (int k = 1; k < argc; ++k) {
        if (strcmp(argv[k], "-o") == 0 && k + 1 < argc) {
            outp = argv[++k];
        } else if (strcmp(argv[k], "-h") == 0 || strcmp(argv[k], "--help") == 0) {
            printf("usage: ranvier nmodl FILE.mod [-o OUT.c]\n"
                   "Translates FILE.mod into C for ranvier's mechanism ABI (stdout or OUT.c).\n");
            return 0;
        } else if (!in && argv[k][0] != '-') {
            in = argv[k];
        } else {
            fprintf(stderr, "ranvier nmodl: unexpected argument '%s'\n", argv[k]);
            return 2;
        }
    }
    if (!in) {
        fprintf(stderr, "usage: ranvier nmodl FILE.mod [-o OUT.c]\n");
        return 2;
    }
    char *c = NULL, *diag = NULL;
    rv_error err = {0};
    rv_status st = rv_nmodl_translate_file(in, &c, &diag, &err);
    if (diag && *diag) fputs(diag, stderr);
    if (st) {
        if (!diag || !*diag) {
            char buf[1200];
            fprintf(stderr, "%s\n", rv_error_format(&err, buf, sizeof buf));
        }
        rv_free(c);
        rv_free(diag);
        return 1;
    }
    int rc = 0;
    FILE *o = outp ? fopen(outp, "w") : stdout;
    if (!o) {
        perror(outp);
        rc = 1;
    } else {
        fputs(c, o);
        if (outp && fclose(o) != 0) {
            perror(outp);
            rc = 1;
        }
    }
    rv_free(c);
    rv_free(diag);
    return rc;
}
