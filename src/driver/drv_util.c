/* SPDX-License-Identifier: MIT
 * driver/drv_util.c -- small helpers shared by the Allen/BMTK path
 * (driver.c) and the Blue Brain path (bbp.c). */
#include "driver_int.h"

#include "ranvier/nmodl.h"

#include <errno.h>
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

/* --record-soma PREFIX: PREFIX.<rank> holds "gid step v" lines, one cell
 * after another.  The cells are n structs of `stride` bytes from `cells`,
 * each with an int64_t gid at off_gid and an int record id at off_rec. */
rv_status rv__drv_write_soma(const char *prefix, int rank, const rv_model *m, const void *cells,
                             size_t n, size_t stride, size_t off_gid, size_t off_rec,
                             rv_error *err) {
    char path[1100];
    snprintf(path, sizeof path, "%s.%d", prefix, rank);
    FILE *f = fopen(path, "w");
    if (!f) {
        RV_FAIL(err, RV_EIO, "cannot write: %s", strerror(errno));
        rv_error_where(err, path, 0, NULL);
        return RV_EIO;
    }
    for (size_t i = 0; i < n; ++i) {
        const char *c = (const char *)cells + i * stride;
        int64_t gid;
        int rec;
        memcpy(&gid, c + off_gid, sizeof gid);
        memcpy(&rec, c + off_rec, sizeof rec);
        size_t nv = 0;
        const double *v = rv_record_data(m, rec, &nv);
        for (size_t k = 0; k < nv; ++k) fprintf(f, "%lld %zu %.17g\n", (long long)gid, k, v[k]);
    }
    if (fclose(f) != 0) {
        RV_FAIL(err, RV_EIO, "cannot write: %s", strerror(errno));
        rv_error_where(err, path, 0, NULL);
        return RV_EIO;
    }
    return RV_OK;
}
