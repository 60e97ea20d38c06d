/* SPDX-License-Identifier: MIT
 * driver/drv_util.c -- small helpers shared by the Allen/BMTK path
 * (driver.c) and the Blue Brain path (bbp.c). */
#include "driver_int.h"

#include "ranvier/nmodl.h"

#include <stdio.h>
#include <string.h>

char *rv__drv_join(const char *a, const char *b) {
    size_t la = strlen(a), lb = strlen(b);
    char *s = rv_malloc(la + lb + 2);
    if (!s) return NULL;
    memcpy(s, a, la);
    s[la] = '/';
    memcpy(s + la + 1, b, lb + 1);
    return s;
}

int rv__drv_sel_has(const rv_sonata_sel *s, uint64_t id) {
    for (size_t k = 0; k < s->n; ++k)
        if (id >= s->r[k].begin && id < s->r[k].end) return 1;
    return 0;
}

int rv__drv_cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

rv_status rv__drv_load_lib(rv_model *m, rv_nmodl_lib **libs, int *n_libs, int cap,
                           const char *const *inputs, int n, int flags, rv_error *err) {
    char so[4096];
    int hit = 0;
    char *diag = NULL;
    rv_status st = rv_nmodl_build(inputs, n, NULL, so, sizeof so, &hit, &diag, err);
    if (st && diag && *diag) fprintf(stderr, "%s", diag);
    rv_free(diag);
    if (st) return st;
    if (*n_libs == cap) return RV_FAIL(err, RV_EUNSUPPORTED, "too many mechanism libraries");
    if ((st = rv_nmodl_open(so, &libs[*n_libs], err))) return st;
    ++*n_libs;
    return rv_nmodl_register(libs[*n_libs - 1], m, flags, err);
}
