/* SPDX-License-Identifier: MIT
 * cli/cmd_build_mechanisms.c -- `ranvier build-mechanisms DIR... [-o OUT]`:
 * compile every .mod file of the directories into one shared object, kept
 * in the cache by content hash (a second run with the same inputs does not
 * compile); prints the library's path.
 */
#include "ranvier/nmodl.h"

#include <stdio.h>
#include <string.h>

int rv_cmd_build_mechanisms(int argc, char **argv) {
    rv_nmodl_build_opts o = {0};
    const char *dirs[256];
    int nd = 0;
    for (int k = 1; k < argc; ++k) {
        if (strcmp(argv[k], "-o") == 0 && k + 1 < argc) {
            o.out = argv[++k];
        } else if (strcmp(argv[k], "--cc") == 0 && k + 1 < argc) {
            o.cc = argv[++k];
        } else if (strcmp(argv[k], "--cache") == 0 && k + 1 < argc) {
            o.cache_dir = argv[++k];
        } else if (strcmp(argv[k], "--force") == 0) {
            o.force = 1;
        } else if (strcmp(argv[k], "-v") == 0 || strcmp(argv[k], "--verbose") == 0) {
            o.verbose = 1;
        } else if (strcmp(argv[k], "-h") == 0 || strcmp(argv[k], "--help") == 0) {
            printf("usage: ranvier build-mechanisms DIR|FILE.mod... [-o OUT.so] [--cc CC]\n"
                   "         [--cache DIR] [--force] [-v]\n"
                   "Compiles the .mod files into one shared object, cached under\n"
                   "$XDG_CACHE_HOME/ranvier (or ~/.cache/ranvier) by content hash.\n");
            return 0;
        } else if (argv[k][0] == '-') {
            fprintf(stderr, "ranvier build-mechanisms: unknown option '%s'\n", argv[k]);
            return 2;
        } else if (nd < 256) {
            dirs[nd++] = argv[k];
        }
    }
    if (nd == 0) {
        fprintf(stderr, "usage: ranvier build-mechanisms DIR... [-o OUT.so]\n");
        return 2;
    }
    char so[4096];
    int hit = 0;
    char *diag = NULL;
    rv_error err = {0};
    rv_status st = rv_nmodl_build(dirs, nd, &o, so, sizeof so, &hit, &diag, &err);
    if (diag && *diag) fputs(diag, stderr);
    rv_free(diag);
    if (st) {
        char buf[1200];
        fprintf(stderr, "ranvier build-mechanisms: %s\n", rv_error_format(&err, buf, sizeof buf));
        return 1;
    }
    printf("%s\n", o.out ? o.out : so);
    fprintf(stderr, "%s: %s\n", hit ? "cache hit" : "built", so);
    return 0;
}
