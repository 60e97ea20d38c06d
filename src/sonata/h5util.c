/* SPDX-License-Identifier: MIT
 * sonata/h5util.c -- HDF5 helpers for the nodes and edges readers, and the
 * row selections (rv_sonata_sel_*) they read with.
 *
 * Reading: a selection is a sorted list of disjoint row ranges, read in
 * batches.  Long ranges become an HDF5 hyperslab union of at most
 * RD_BATCH_RANGES pieces (H5S_SELECT_OR in HDF5 1.10 is superlinear in the
 * pieces: 4096 pieces per read were 40x slower than 64); runs of short
 * ranges (under RD_SHORT rows on average, typical of efferent selections in
 * target-sorted edge files) become point selections of up to
 * RD_BATCH_POINTS elements, which HDF5 handles in linear time (15x faster
 * than hyperslabs there).  Either way only the selected rows are requested
 * and neither HDF5's selection bookkeeping nor the temporary buffers grow
 * with the selection.  Numeric data go straight into the caller's array with
 * HDF5 doing the conversion (int -> double, any int -> int64/uint64); the
 * sign checks that HDF5's conversion would do silently (clipping) are done
 * here, so a uint64 above INT64_MAX or a negative id is an error, not a
 * wrong value.  Strings (fixed or variable length) are copied into
 * rv_malloc'd strings; HDF5's own variable-length buffers are reclaimed at
 * once.
 *
 * Errors: HDF5's error stack printing is switched off (rv__h5_quiet) and
 * every failure is reported through rv_error with the file as err->path
 * and the dataset path as err->key.
 *
 * Not here: what the datasets mean (nodes.c, edges.c).
 */
#include "sonata/h5util_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define RD_BATCH_RANGES 64
#define RD_BATCH_ROWS   (1u << 20)
#define RD_BATCH_POINTS 65536
#define RD_SHORT        32

/* ---- small helpers ----------------------------------------------------- */

char *rv__h5_strf(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) return NULL;
    char *s = rv_malloc((size_t)n + 1);
    if (!s) return NULL;
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}

rv_status rv__h5_fail_where(rv_status code, rv_error *err, const char *file, const char *key) {
    rv_error_where(err, file, 0, key);
    return code;
}

rv_status rv__h5_nomem(rv_error *err, const char *src, int line, const char *what) {
    return rv_error_set(err, RV_ENOMEM, src, line, "out of memory (%s)", what);
}

void rv__h5_quiet(void) {
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
}

/* ---- selections -------------------------------------------------------- */

static int cmp_range(const void *a, const void *b) {
    const rv_sonata_range *x = a, *y = b;
    if (x->begin != y->begin) return x->begin < y->begin ? -1 : 1;
    return x->end < y->end ? -1 : x->end > y->end;
}

size_t rv__h5_ranges_canon(rv_sonata_range *r, size_t n) {
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (r[i].begin < r[i].end) r[k++] = r[i];
    n = k;
    if (n == 0) return 0;
    int sorted = 1;
    for (size_t i = 1; i < n && sorted; i++) sorted = cmp_range(&r[i - 1], &r[i]) <= 0;
    if (!sorted) qsort(r, n, sizeof *r, cmp_range);
    k = 0;
    for (size_t i = 1; i < n; i++) {
        if (r[i].begin <= r[k].end) {
            if (r[i].end > r[k].end) r[k].end = r[i].end;
        } else {
            r[++k] = r[i];
        }
    }
    return k + 1;
}

static int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

rv_status rv_sonata_sel_from_ids(const uint64_t *ids, size_t n, rv_sonata_sel *out, rv_error *err) {
    if (!out || (n && !ids))
        return RV_FAIL(err, RV_EINVAL, "rv_sonata_sel_from_ids: NULL argument");
    out->r = NULL;
    out->n = 0;
    if (n == 0) return RV_OK;
    int sorted = 1;
    for (size_t i = 1; i < n && sorted; i++) sorted = ids[i - 1] <= ids[i];
    uint64_t *tmp = NULL;
    const uint64_t *v = ids;
    if (!sorted) {
        tmp = rv_malloc(n * sizeof *tmp);
        if (!tmp) return RV__NOMEM(err, "selection ids");
        memcpy(tmp, ids, n * sizeof *tmp);
        qsort(tmp, n, sizeof *tmp, cmp_u64);
        v = tmp;
    }
    size_t nr = 1;
    for (size_t i = 1; i < n; i++)
        if (v[i] > v[i - 1] + 1) nr++;
    rv_sonata_range *r = rv_malloc(nr * sizeof *r);
    if (!r) {
        rv_free(tmp);
        return RV__NOMEM(err, "selection ranges");
    }
    size_t k = 0;
    r[0].begin = v[0];
    r[0].end = v[0] + 1;
    for (size_t i = 1; i < n; i++) {
        if (v[i] <= r[k].end) {
            if (v[i] + 1 > r[k].end) r[k].end = v[i] + 1;
        } else {
            k++;
            r[k].begin = v[i];
            r[k].end = v[i] + 1;
        }
    }
    rv_free(tmp);
    out->r = r;
    out->n = k + 1;
    return RV_OK;
}

rv_status rv_sonata_sel_from_ranges(const rv_sonata_range *in, size_t n, rv_sonata_sel *out,
                                    rv_error *err) {
    if (!out || (n && !in))
        return RV_FAIL(err, RV_EINVAL, "rv_sonata_sel_from_ranges: NULL argument");
    out->r = NULL;
    out->n = 0;
    if (n == 0) return RV_OK;
    rv_sonata_range *r = rv_malloc(n * sizeof *r);
    if (!r) return RV__NOMEM(err, "selection ranges");
    memcpy(r, in, n * sizeof *r);
    size_t k = rv__h5_ranges_canon(r, n);
    if (k == 0) {
        rv_free(r);
        return RV_OK;
    }
    out->r = r;
    out->n = k;
    return RV_OK;
}

uint64_t rv_sonata_sel_count(const rv_sonata_sel *sel) {
    uint64_t c = 0;
    if (!sel) return 0;
    for (size_t i = 0; i < sel->n; i++) c += sel->r[i].end - sel->r[i].begin;
    return c;
}

void rv_sonata_sel_to_ids(const rv_sonata_sel *sel, uint64_t *ids) {
    size_t k = 0;
    for (size_t i = 0; i < sel->n; i++)
        for (uint64_t v = sel->r[i].begin; v < sel->r[i].end; v++) ids[k++] = v;
}

void rv_sonata_sel_free(rv_sonata_sel *sel) {
    if (!sel) return;
    rv_free(sel->r);
    sel->r = NULL;
    sel->n = 0;
}

/* ---- files, links, listings -------------------------------------------- */

rv_status rv__h5_open_file(const char *path, hid_t *out, rv_error *err) {
    rv__h5_quiet();
    struct stat st;
    if (stat(path, &st) != 0) {
        int e = errno;
        return RV__FAILK(err, e == ENOENT ? RV_ENOENT : RV_EIO, path, NULL, "cannot open %s: %s",
                         path, strerror(e));
    }
    if (S_ISDIR(st.st_mode))
        return RV__FAILK(err, RV_EIO, path, NULL, "cannot read %s: it is a directory", path);
    if (access(path, R_OK) != 0) {
        int e = errno;
        return RV__FAILK(err, RV_EIO, path, NULL, "cannot read %s: %s", path, strerror(e));
    }
    htri_t is = H5Fis_hdf5(path);
    if (is <= 0) return RV__FAILK(err, RV_EFORMAT, path, NULL, "%s is not an HDF5 file", path);
    /* A 4 KiB sieve buffer instead of HDF5's 64 KiB: selections are many
     * small row ranges, and each range would otherwise pull 64 KiB from the
     * file (bench/sonata: 332 MB read() for 5.6 MB selected). */
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    if (fapl >= 0) H5Pset_sieve_buf_size(fapl, 4096);
    hid_t fid = H5Fopen(path, H5F_ACC_RDONLY, fapl >= 0 ? fapl : H5P_DEFAULT);
    if (fapl >= 0) H5Pclose(fapl);
    if (fid < 0)
        return RV__FAILK(err, RV_EIO, path, NULL, "HDF5 could not open %s (damaged file?)", path);
    *out = fid;
    return RV_OK;
}

int rv__h5_exists(hid_t fid, const char *path) {
    size_t n = strlen(path);
    char buf[1024];
    if (n == 0 || n >= sizeof buf) return 0;
    if (strcmp(path, "/") == 0) return 1;
    memcpy(buf, path, n + 1);
    /* check each prefix ending before a '/' then the whole path */
    for (size_t i = 1; i <= n; i++) {
        if (i == n || buf[i] == '/') {
            char c = buf[i];
            buf[i] = 0;
            htri_t e = H5Lexists(fid, buf, H5P_DEFAULT);
            buf[i] = c;
            if (e <= 0) return 0;
        }
    }
    return 1;
}

int rv__h5_kind(hid_t fid, const char *path) {
    if (!rv__h5_exists(fid, path)) return 0;
    hid_t o = H5Oopen(fid, path, H5P_DEFAULT);
    if (o < 0) return 0;
    H5I_type_t t = H5Iget_type(o);
    H5Oclose(o);
    return t == H5I_GROUP ? 1 : t == H5I_DATASET ? 2 : 0;
}

typedef struct list_acc {
    char **names;
    size_t n, cap;
    int nomem;
} list_acc;

static herr_t list_cb(hid_t g, const char *name, const H5L_info_t *info, void *ud) {
    (void)g;
    (void)info;
    list_acc *a = ud;
    if (rv_grow((void **)&a->names, &a->cap, a->n + 1, sizeof *a->names) != RV_OK) {
        a->nomem = 1;
        return -1;
    }
    a->names[a->n] = rv_strdup(name);
    if (!a->names[a->n]) {
        a->nomem = 1;
        return -1;
    }
    a->n++;
    return 0;
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

rv_status rv__h5_list(hid_t fid, const char *file, const char *group, char ***names, int **kinds,
                      size_t *n, rv_error *err) {
    *names = NULL;
    if (kinds) *kinds = NULL;
    *n = 0;
    hid_t g = H5Gopen2(fid, group, H5P_DEFAULT);
    if (g < 0) return RV__FAILK(err, RV_EFORMAT, file, group, "cannot open group %s", group);
    list_acc a = {0};
    herr_t r = H5Literate(g, H5_INDEX_NAME, H5_ITER_INC, NULL, list_cb, &a);
    H5Gclose(g);
    rv_status st = RV_OK;
    if (a.nomem)
        st = RV__NOMEM(err, "group listing");
    else if (r < 0)
        st = RV__FAILK(err, RV_EFORMAT, file, group, "cannot list group %s", group);
    char **blk = NULL;
    int *kd = NULL;
    if (st == RV_OK) {
        if (a.n > 1) qsort(a.names, a.n, sizeof *a.names, cmp_str);
        size_t text = 0;
        for (size_t i = 0; i < a.n; i++) text += strlen(a.names[i]) + 1;
        blk = rv_malloc(a.n * sizeof(char *) + text);
        kd = rv_calloc(a.n ? a.n : 1, sizeof *kd);
        if (!blk || !kd) {
            st = RV__NOMEM(err, "group listing");
        } else {
            char *t = (char *)(blk + a.n);
            for (size_t i = 0; i < a.n; i++) {
                size_t l = strlen(a.names[i]) + 1;
                memcpy(t, a.names[i], l);
                blk[i] = t;
                t += l;
                char *full = rv__h5_strf("%s/%s", strcmp(group, "/") ? group : "", a.names[i]);
                if (!full) {
                    st = RV__NOMEM(err, "group listing");
                    break;
                }
                kd[i] = rv__h5_kind(fid, full);
                rv_free(full);
            }
        }
    }
    for (size_t i = 0; i < a.n; i++) rv_free(a.names[i]);
    rv_free(a.names);
    if (st != RV_OK) {
        rv_free(blk);
        rv_free(kd);
        return st;
    }
    *names = blk;
    if (kinds)
        *kinds = kd;
    else
        rv_free(kd);
    *n = a.n;
    return RV_OK;
}

/* ---- types and shapes -------------------------------------------------- */

rv_sonata_dtype rv__h5_dtype(hid_t type) {
    H5T_class_t c = H5Tget_class(type);
    if (c == H5T_ENUM) {
        hid_t base = H5Tget_super(type);
        if (base < 0) return RV_SONATA_OTHER;
        rv_sonata_dtype d = rv__h5_dtype(base);
        H5Tclose(base);
        return d;
    }
    size_t sz = H5Tget_size(type);
    if (c == H5T_INTEGER) {
        int sgn = H5Tget_sign(type) == H5T_SGN_2;
        switch (sz) {
        case 1:
            return sgn ? RV_SONATA_INT8 : RV_SONATA_UINT8;
        case 2:
            return sgn ? RV_SONATA_INT16 : RV_SONATA_UINT16;
        case 4:
            return sgn ? RV_SONATA_INT32 : RV_SONATA_UINT32;
        case 8:
            return sgn ? RV_SONATA_INT64 : RV_SONATA_UINT64;
        default:
            return RV_SONATA_OTHER;
        }
    }
    if (c == H5T_FLOAT)
        return sz == 4 ? RV_SONATA_FLOAT32 : sz == 8 ? RV_SONATA_FLOAT64 : RV_SONATA_OTHER;
    if (c == H5T_STRING) return RV_SONATA_STRING;
    return RV_SONATA_OTHER;
}

static rv_status space_shape(hid_t sp, rv__dsinfo *out) {
    H5S_class_t sc = H5Sget_simple_extent_type(sp);
    out->dims[0] = 0;
    out->dims[1] = 1;
    if (sc == H5S_NULL) {
        out->rank = 1;
        return RV_OK;
    }
    if (sc == H5S_SCALAR) {
        out->rank = 0;
        out->dims[0] = 1;
        return RV_OK;
    }
    int rank = H5Sget_simple_extent_ndims(sp);
    if (rank < 0) return RV_EFORMAT;
    hsize_t d[H5S_MAX_RANK];
    H5Sget_simple_extent_dims(sp, d, NULL);
    out->rank = rank;
    if (rank >= 1) out->dims[0] = d[0];
    if (rank >= 2) out->dims[1] = d[1];
    return RV_OK;
}

rv_status rv__h5_info(hid_t fid, const char *file, const char *dset, rv__dsinfo *out,
                      rv_error *err) {
    int k = rv__h5_kind(fid, dset);
    if (k == 0) return RV__FAILK(err, RV_ENOENT, file, dset, "missing dataset %s", dset);
    if (k != 2) return RV__FAILK(err, RV_EFORMAT, file, dset, "%s is not a dataset", dset);
    hid_t d = H5Dopen2(fid, dset, H5P_DEFAULT);
    if (d < 0) return RV__FAILK(err, RV_EIO, file, dset, "cannot open dataset %s", dset);
    hid_t t = H5Dget_type(d);
    hid_t sp = H5Dget_space(d);
    rv_status st = RV_OK;
    if (t < 0 || sp < 0) {
        st = RV__FAILK(err, RV_EIO, file, dset, "cannot read the type or shape of %s", dset);
    } else {
        out->dtype = rv__h5_dtype(t);
        if (space_shape(sp, out) != RV_OK)
            st = RV__FAILK(err, RV_EFORMAT, file, dset, "bad dataspace of %s", dset);
    }
    if (t >= 0) H5Tclose(t);
    if (sp >= 0) H5Sclose(sp);
    H5Dclose(d);
    return st;
}

static const char *class_word(rv_sonata_dtype t) {
    if (t == RV_SONATA_STRING) return "string";
    if (t == RV_SONATA_FLOAT32 || t == RV_SONATA_FLOAT64) return "floating point";
    if (t == RV_SONATA_OTHER) return "of an unsupported type";
    return "integer";
}

/* ---- reading rows ------------------------------------------------------ */

typedef struct rd_cursor {
    const rv_sonata_range *r;
    size_t nr, i; /* current range */
    uint64_t off; /* rows of r[i] already taken */
    hsize_t *pts; /* point coordinates, allocated on first use */
    int no_pts;   /* allocation failed: hyperslabs only */
} rd_cursor;

/* Select the next batch into fsp; returns the number of rows (0 at end).
 * Short ranges go in as a point selection (linear in the points), longer
 * ones as a hyperslab union of at most RD_BATCH_RANGES pieces (HDF5 1.10's
 * H5S_SELECT_OR costs grow faster than linearly with the pieces). */
static uint64_t next_batch(rd_cursor *c, hid_t fsp, uint64_t ncol, int rank) {
    uint64_t rows = 0;
    size_t look = c->nr - c->i < RD_BATCH_RANGES ? c->nr - c->i : RD_BATCH_RANGES;
    uint64_t span = 0;
    for (size_t k = 0; k < look; k++) span += c->r[c->i + k].end - c->r[c->i + k].begin;
    if (look) span -= c->off;
    if (look && span < RD_SHORT * look && !c->pts && !c->no_pts) {
        c->pts = rv_malloc(RD_BATCH_POINTS * 2 * sizeof *c->pts);
        c->no_pts = c->pts == NULL;
    }
    if (look && span < RD_SHORT * look && c->pts) {
        uint64_t max_rows = RD_BATCH_POINTS / ncol, np = 0;
        while (c->i < c->nr && rows < max_rows) {
            uint64_t row = c->r[c->i].begin + c->off;
            for (uint64_t col = 0; col < ncol; col++) {
                if (rank == 2) {
                    c->pts[2 * np] = row;
                    c->pts[2 * np + 1] = col;
                } else {
                    c->pts[np] = row;
                }
                np++;
            }
            rows++;
            if (++c->off >= c->r[c->i].end - c->r[c->i].begin) {
                c->i++;
                c->off = 0;
            }
        }
        H5Sselect_elements(fsp, H5S_SELECT_SET, np, c->pts);
        return rows;
    }
    int pieces = 0;
    H5Sselect_none(fsp);
    while (c->i < c->nr && pieces < RD_BATCH_RANGES && rows < RD_BATCH_ROWS) {
        uint64_t b = c->r[c->i].begin + c->off, e = c->r[c->i].end;
        uint64_t take = e - b;
        if (take > RD_BATCH_ROWS - rows) take = RD_BATCH_ROWS - rows;
        hsize_t start[2] = {b, 0}, count[2] = {take, ncol};
        H5Sselect_hyperslab(fsp, pieces ? H5S_SELECT_OR : H5S_SELECT_SET, start, NULL, count, NULL);
        pieces++;
        rows += take;
        c->off += take;
        if (c->r[c->i].begin + c->off >= e) {
            c->i++;
            c->off = 0;
        }
    }
    return rows;
}

static rv_status read_strings(hid_t d, hid_t ftype, hid_t fsp, hid_t msp, uint64_t n, char **out,
                              const char *file, const char *dset, rv_error *err) {
    rv_status st = RV_OK;
    hid_t mt = H5Tcopy(H5T_C_S1);
    if (mt < 0) return RV__FAILK(err, RV_EIO, file, dset, "HDF5 type copy failed");
    H5Tset_cset(mt, H5Tget_cset(ftype));
    if (H5Tis_variable_str(ftype) > 0) {
        H5Tset_size(mt, H5T_VARIABLE);
        char **tmp = rv_calloc(n ? n : 1, sizeof *tmp);
        if (!tmp) {
            H5Tclose(mt);
            return RV__NOMEM(err, "string rows");
        }
        if (H5Dread(d, mt, msp, fsp, H5P_DEFAULT, tmp) < 0) {
            st = RV__FAILK(err, RV_EIO, file, dset, "reading strings of %s failed", dset);
        } else {
            for (uint64_t i = 0; i < n && st == RV_OK; i++) {
                out[i] = rv_strdup(tmp[i] ? tmp[i] : "");
                if (!out[i]) st = RV__NOMEM(err, "string values");
            }
            H5Dvlen_reclaim(mt, msp, H5P_DEFAULT, tmp);
        }
        rv_free(tmp);
    } else {
        size_t sz = H5Tget_size(ftype);
        H5T_str_t pad = H5Tget_strpad(ftype);
        H5Tset_size(mt, sz);
        H5Tset_strpad(mt, pad);
        char *buf = rv_malloc(n * sz + 1);
        if (!buf) {
            H5Tclose(mt);
            return RV__NOMEM(err, "string rows");
        }
        if (H5Dread(d, mt, msp, fsp, H5P_DEFAULT, buf) < 0) {
            st = RV__FAILK(err, RV_EIO, file, dset, "reading strings of %s failed", dset);
        } else {
            for (uint64_t i = 0; i < n && st == RV_OK; i++) {
                const char *p = buf + i * sz;
                size_t l = 0;
                while (l < sz && p[l]) l++;
                if (pad == H5T_STR_SPACEPAD)
                    while (l > 0 && p[l - 1] == ' ') l--;
                out[i] = rv_malloc(l + 1);
                if (!out[i]) {
                    st = RV__NOMEM(err, "string values");
                    break;
                }
                memcpy(out[i], p, l);
                out[i][l] = 0;
            }
        }
        rv_free(buf);
    }
    H5Tclose(mt);
    return st;
}

rv_status rv__h5_read_rows(hid_t fid, const char *file, const char *dset, const rv_sonata_range *r,
                           size_t nr, rv__rd kind, void *out, uint64_t *bytes, const char *why,
                           rv_error *err) {
    rv__dsinfo info;
    rv_status st = rv__h5_info(fid, file, dset, &info, err);
    if (st != RV_OK) return st;
    if (info.rank < 1 || info.rank > 2)
        return RV__FAILK(err, RV_EFORMAT, file, dset, "%s has %d dimensions, expected 1 or 2", dset,
                         info.rank);
    int want_num = kind != RV__RD_STR;
    int is_str = info.dtype == RV_SONATA_STRING;
    int is_float = info.dtype == RV_SONATA_FLOAT32 || info.dtype == RV_SONATA_FLOAT64;
    if (info.dtype == RV_SONATA_OTHER || (want_num && is_str) || (!want_num && !is_str) ||
        ((kind == RV__RD_I64 || kind == RV__RD_U64) && is_float))
        return RV__FAILK(err, RV_EFORMAT, file, dset, "wrong dtype: %s is %s (%s), expected %s",
                         dset, class_word(info.dtype), rv_sonata_dtype_name(info.dtype),
                         kind == RV__RD_STR   ? "strings"
                         : kind == RV__RD_F64 ? "numbers"
                                              : "integers");
    if (nr && r[nr - 1].end > info.dims[0])
        return RV__FAILK(err, RV_EFORMAT, file, dset,
                         "row %llu%s%s%s is outside %s, which has %llu rows",
                         (unsigned long long)(r[nr - 1].end - 1), why ? " (" : "", why ? why : "",
                         why ? ")" : "", dset, (unsigned long long)info.dims[0]);
    uint64_t ncol = info.rank == 2 ? info.dims[1] : 1;
    if (nr == 0) return RV_OK;
    int sgn = info.dtype == RV_SONATA_INT8 || info.dtype == RV_SONATA_INT16 ||
              info.dtype == RV_SONATA_INT32 || info.dtype == RV_SONATA_INT64;
    hid_t d = H5Dopen2(fid, dset, H5P_DEFAULT);
    if (d < 0) return RV__FAILK(err, RV_EIO, file, dset, "cannot open dataset %s", dset);
    hid_t ftype = H5Dget_type(d);
    hid_t fsp = H5Dget_space(d);
    size_t fsz = H5Tget_size(ftype);
    hid_t mt = kind == RV__RD_F64 ? H5T_NATIVE_DOUBLE : sgn ? H5T_NATIVE_INT64 : H5T_NATIVE_UINT64;
    rd_cursor c = {r, nr, 0, 0, NULL, 0};
    uint64_t done = 0; /* rows read so far */
    for (;;) {
        uint64_t rows = next_batch(&c, fsp, ncol, info.rank);
        if (rows == 0) break;
        hsize_t mdims[2] = {rows, ncol};
        hid_t msp = H5Screate_simple(info.rank, mdims, NULL);
        if (msp < 0) {
            st = RV__FAILK(err, RV_EIO, file, dset, "HDF5 could not create a dataspace");
            break;
        }
        if (kind == RV__RD_STR) {
            st = read_strings(d, ftype, fsp, msp, rows * ncol, (char **)out + done * ncol, file,
                              dset, err);
        } else {
            void *dst = (char *)out + done * ncol * 8;
            if (H5Dread(d, mt, msp, fsp, H5P_DEFAULT, dst) < 0)
                st = RV__FAILK(err, RV_EIO, file, dset, "reading %s failed", dset);
        }
        H5Sclose(msp);
        if (st != RV_OK) break;
        if (bytes) *bytes += rows * ncol * fsz;
        done += rows;
    }
    rv_free(c.pts);
    H5Sclose(fsp);
    H5Tclose(ftype);
    H5Dclose(d);
    if (st != RV_OK) {
        if (kind == RV__RD_STR) {
            char **s = out;
            for (uint64_t i = 0; i < done * ncol; i++) {
                rv_free(s[i]);
                s[i] = NULL;
            }
        }
        return st;
    }
    /* sign checks that HDF5's conversion would not report */
    uint64_t total = done * ncol;
    if (kind == RV__RD_I64 && !sgn) {
        const uint64_t *u = out;
        for (uint64_t i = 0; i < total; i++)
            if (u[i] > (uint64_t)INT64_MAX)
                return RV__FAILK(err, RV_ERANGE, file, dset,
                                 "value %llu in %s does not fit a signed 64-bit integer",
                                 (unsigned long long)u[i], dset);
    }
    if (kind == RV__RD_U64 && sgn) {
        const int64_t *s = out;
        for (uint64_t i = 0; i < total; i++)
            if (s[i] < 0)
                return RV__FAILK(err, RV_EFORMAT, file, dset, "negative value %lld in %s%s%s%s",
                                 (long long)s[i], dset, why ? " (" : "", why ? why : "",
                                 why ? ")" : "");
    }
    return RV_OK;
}

rv_status rv__h5_read_str_attr(hid_t fid, const char *file, const char *obj, const char *attr,
                               char **out, rv_error *err) {
    *out = NULL;
    char *key = rv__h5_strf("%s@%s", obj, attr);
    if (!key) return RV__NOMEM(err, "attribute name");
    rv_status st = RV_OK;
    hid_t a = -1, t = -1, sp = -1, mt = -1;
    if (H5Aexists_by_name(fid, obj, attr, H5P_DEFAULT) <= 0) {
        st = RV__FAILK(err, RV_EFORMAT, file, key, "missing HDF5 attribute '%s' on %s", attr, obj);
        goto out;
    }
    a = H5Aopen_by_name(fid, obj, attr, H5P_DEFAULT, H5P_DEFAULT);
    t = a >= 0 ? H5Aget_type(a) : -1;
    sp = a >= 0 ? H5Aget_space(a) : -1;
    if (a < 0 || t < 0 || sp < 0) {
        st = RV__FAILK(err, RV_EIO, file, key, "cannot open HDF5 attribute '%s' on %s", attr, obj);
        goto out;
    }
    if (H5Tget_class(t) != H5T_STRING || H5Sget_simple_extent_npoints(sp) != 1) {
        st = RV__FAILK(err, RV_EFORMAT, file, key,
                       "wrong dtype: HDF5 attribute '%s' on %s is not one string", attr, obj);
        goto out;
    }
    mt = H5Tcopy(H5T_C_S1);
    H5Tset_cset(mt, H5Tget_cset(t));
    if (H5Tis_variable_str(t) > 0) {
        char *v = NULL;
        H5Tset_size(mt, H5T_VARIABLE);
        if (H5Aread(a, mt, &v) < 0) {
            st = RV__FAILK(err, RV_EIO, file, key, "reading HDF5 attribute '%s' failed", attr);
            goto out;
        }
        *out = rv_strdup(v ? v : "");
        H5Dvlen_reclaim(mt, sp, H5P_DEFAULT, &v);
    } else {
        size_t sz = H5Tget_size(t);
        H5Tset_size(mt, sz + 1);
        H5Tset_strpad(mt, H5T_STR_NULLTERM);
        char *v = rv_calloc(sz + 2, 1);
        if (!v) {
            st = RV__NOMEM(err, "attribute");
            goto out;
        }
        if (H5Aread(a, mt, v) < 0) {
            rv_free(v);
            st = RV__FAILK(err, RV_EIO, file, key, "reading HDF5 attribute '%s' failed", attr);
            goto out;
        }
        *out = v;
    }
    if (!*out) st = RV__NOMEM(err, "attribute");
out:
    if (mt >= 0) H5Tclose(mt);
    if (sp >= 0) H5Sclose(sp);
    if (t >= 0) H5Tclose(t);
    if (a >= 0) H5Aclose(a);
    rv_free(key);
    return st;
}

const char *rv_sonata_dtype_name(rv_sonata_dtype t) {
    switch (t) {
    case RV_SONATA_NONE:
        return "none";
    case RV_SONATA_INT8:
        return "int8";
    case RV_SONATA_UINT8:
        return "uint8";
    case RV_SONATA_INT16:
        return "int16";
    case RV_SONATA_UINT16:
        return "uint16";
    case RV_SONATA_INT32:
        return "int32";
    case RV_SONATA_UINT32:
        return "uint32";
    case RV_SONATA_INT64:
        return "int64";
    case RV_SONATA_UINT64:
        return "uint64";
    case RV_SONATA_FLOAT32:
        return "float32";
    case RV_SONATA_FLOAT64:
        return "float64";
    case RV_SONATA_STRING:
        return "string";
    case RV_SONATA_OTHER:
        return "other";
    }
    return "other";
}
