/* SPDX-License-Identifier: MIT
 * src/nmodl/tool/nmodlc.c -- the NMODL compiler as a build-time tool:
 *
 *   rv_nmodlc FILE.mod OUT.c ID
 *
 * translates FILE.mod into C whose mechanism type is `rv_nmodl_mech_ID`
 * (the engine links mechanisms/{pas,hh,...}.mod translated this way as its
 * built-ins).  Built from the compiler's sources only (no engine), so the
 * engine library can depend on its output.  Diagnostics go to stderr as
 * file:line:col: message; exit status 1 on any error.
 */
#include "nmodl/nmodl_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *slurp(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 1 << 16, n = 0;
    char *s = malloc(cap);
    while (s) {
        size_t r = fread(s + n, 1, cap - n - 1, f);
        n += r;
        if (n + 1 < cap) break;
        char *t = realloc(s, cap *= 2);
        if (!t) free(s);
        s = t;
    }
    fclose(f);
    if (s) s[n] = '\0';
    *len = n;
    return s;
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: %s FILE.mod OUT.c ID\n", argv[0]);
        return 2;
    }
    size_t len = 0;
    char *src = slurp(argv[1], &len);
    if (!src) {
        fprintf(stderr, "%s: cannot read\n", argv[1]);
        return 1;
    }
    nm_arena a = {0};
    nm_diag d;
    memset(&d, 0, sizeof d);
    d.path = argv[1];
    nm_buf c = {0}, exports = {0};
    nm_file *f = nm_parse(argv[1], src, len, &a, &d);
    if (f && d.nerr == 0) nm_codegen(f, argv[3], &a, &d, &c, &exports);
    int rc = 0;
    if (d.text.s) fputs(d.text.s, stderr);
    if (d.nerr || !f || a.oom || c.oom || !c.s) {
        fprintf(stderr, "%s: translation failed\n", argv[1]);
        rc = 1;
    } else {
        FILE *o = fopen(argv[2], "wb");
        if (!o || fputs(c.s, o) < 0 || fclose(o) != 0) {
            fprintf(stderr, "%s: cannot write\n", argv[2]);
            rc = 1;
        }
    }
    nm_buf_free(&c);
    nm_buf_free(&exports);
    nm_buf_free(&d.text);
    nm_arena_free(&a);
    free(src);
    return rc;
}
