/* SPDX-License-Identifier: MIT
 * driver/lfp.c -- LFP reports: the electrodes file and the terms of each
 * cell's electrodes (see lfp.h for the layout and the semantics).
 */
#include "lfp.h"

#include <hdf5.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct lkey {
    int64_t id;
    size_t idx;
} lkey;

/* One population of the file, read on first use. */
typedef struct lpop {
    char *name;
    int64_t *ids;  /* node_ids */
    lkey *by_id;   /* (id, index) sorted */
    int64_t *offs; /* offsets, n + 1 */
    size_t n;      /* nodes */
    uint64_t rows; /* scaling_factors rows */
    uint64_t ncol; /* electrodes */
} lpop;

struct rv__lfp {
    char *path;
    hid_t fid;
    lpop *pops;
    size_t npop, cap;
};

/* 1 group, 2 dataset, 0 other or missing (every path component checked). */
static int h5_kind(hid_t fid, const char *path) {
    char part[600];
    size_t n = strlen(path);
    if (n >= sizeof part) return 0;
    for (size_t i = 1; i <= n; ++i)
        if (path[i] == '/' || path[i] == '\0') {
            memcpy(part, path, i);
            part[i] = '\0';
            if (H5Lexists(fid, part, H5P_DEFAULT) <= 0) return 0;
        }
    hid_t o = H5Oopen(fid, path, H5P_DEFAULT);
    if (o < 0) return 0;
    H5I_type_t t = H5Iget_type(o);
    H5Oclose(o);
    return t == H5I_GROUP ? 1 : t == H5I_DATASET ? 2 : 0;
}

static rv_status fail_at(rv_error *err, rv_status code, const char *file, const char *key) {
    rv_error_where(err, file, 0, key);
    return code;
}

rv_status rv__lfp_open(const char *path, rv__lfp **out, rv_error *err) {
    *out = NULL;
    if (!path || !*path) return RV_FAIL(err, RV_EINVAL, "LFP electrodes file: empty path");
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    FILE *probe = fopen(path, "rb");
    if (!probe) {
        int e = errno;
        RV_FAIL(err, e == ENOENT ? RV_ENOENT : RV_EIO, "cannot open the LFP electrodes file: %s",
                strerror(e));
        return fail_at(err, e == ENOENT ? RV_ENOENT : RV_EIO, path, NULL);
    }
    fclose(probe);
    hid_t fid = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (fid < 0) {
        RV_FAIL(err, RV_EFORMAT, "the LFP electrodes file is not a readable HDF5 file");
        return fail_at(err, RV_EFORMAT, path, NULL);
    }
    if (h5_kind(fid, "/electrodes") != 1) {
        H5Fclose(fid);
        RV_FAIL(err, RV_EFORMAT,
                "the LFP electrodes file has no group 'electrodes' (expected "
                "/electrodes/<population>/scaling_factors)");
        return fail_at(err, RV_EFORMAT, path, "/electrodes");
    }
    rv__lfp *f = rv_calloc(1, sizeof *f);
    if (f) f->path = rv_strdup(path);
    if (!f || !f->path) {
        rv_free(f);
        H5Fclose(fid);
        return RV_FAIL(err, RV_ENOMEM, "out of memory");
    }
    f->fid = fid;
    *out = f;
    return RV_OK;
}

void rv__lfp_close(rv__lfp *f) {
    if (!f) return;
    for (size_t i = 0; i < f->npop; ++i) {
        rv_free(f->pops[i].name), rv_free(f->pops[i].ids);
        rv_free(f->pops[i].by_id), rv_free(f->pops[i].offs);
    }
    rv_free(f->pops);
    if (f->fid >= 0) H5Fclose(f->fid);
    rv_free(f->path);
    rv_free(f);
}

/* Shape of a dataset: its rank (1 or 2) and dims; its type class. */
static rv_status ds_shape(rv__lfp *f, const char *ds, int want_rank, H5T_class_t want_class,
                          hsize_t dims[2], rv_error *err) {
    if (h5_kind(f->fid, ds) != 2) {
        RV_FAIL(err, RV_EFORMAT, "the LFP electrodes file has no dataset %s", ds);
        return fail_at(err, RV_EFORMAT, f->path, ds);
    }
    hid_t d = H5Dopen2(f->fid, ds, H5P_DEFAULT);
    hid_t sp = d >= 0 ? H5Dget_space(d) : -1;
    hid_t ty = d >= 0 ? H5Dget_type(d) : -1;
    int rank = sp >= 0 ? H5Sget_simple_extent_ndims(sp) : -1;
    H5T_class_t cls = ty >= 0 ? H5Tget_class(ty) : H5T_NO_CLASS;
    dims[0] = dims[1] = 0;
    if (rank >= 1 && rank <= 2) H5Sget_simple_extent_dims(sp, dims, NULL);
    if (ty >= 0) H5Tclose(ty);
    if (sp >= 0) H5Sclose(sp);
    if (d >= 0) H5Dclose(d);
    if (d < 0 || rank < 0) {
        RV_FAIL(err, RV_EIO, "cannot read dataset %s of the LFP electrodes file", ds);
        return fail_at(err, RV_EIO, f->path, ds);
    }
    int class_ok = cls == want_class || (want_class == H5T_FLOAT && cls == H5T_INTEGER);
    if (rank != want_rank || !class_ok) {
        RV_FAIL(err, RV_EFORMAT, "%s must be a %d-D %s dataset (it is %d-D, %s)", ds, want_rank,
                want_class == H5T_FLOAT ? "numeric" : "integer", rank,
                cls == H5T_INTEGER ? "integer"
                : cls == H5T_FLOAT ? "float"
                                   : "neither integer nor float");
        return fail_at(err, RV_EFORMAT, f->path, ds);
    }
    if (rank == 1) dims[1] = 1;
    return RV_OK;
}

/* Read rows [r0, r0 + nr) of a dataset (all columns) as type mt. */
static rv_status ds_rows(rv__lfp *f, const char *ds, hsize_t r0, hsize_t nr, hsize_t ncol, int rank,
                         hid_t mt, void *buf, rv_error *err) {
    if (nr == 0) return RV_OK;
    hid_t d = H5Dopen2(f->fid, ds, H5P_DEFAULT);
    hid_t fs = d >= 0 ? H5Dget_space(d) : -1;
    hsize_t start[2] = {r0, 0}, count[2] = {nr, ncol};
    hid_t ms = H5Screate_simple(rank, count, NULL);
    herr_t rc = -1;
    if (d >= 0 && fs >= 0 && ms >= 0 &&
        H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, count, NULL) >= 0)
        rc = H5Dread(d, mt, ms, fs, H5P_DEFAULT, buf);
    if (ms >= 0) H5Sclose(ms);
    if (fs >= 0) H5Sclose(fs);
    if (d >= 0) H5Dclose(d);
    if (rc < 0) {
        RV_FAIL(err, RV_EIO, "cannot read rows %llu..%llu of %s in the LFP electrodes file",
                (unsigned long long)r0, (unsigned long long)(r0 + nr), ds);
        return fail_at(err, RV_EIO, f->path, ds);
    }
    return RV_OK;
}

static int cmp_key(const void *a, const void *b) {
    const lkey *x = a, *y = b;
    if (x->id != y->id) return x->id < y->id ? -1 : 1;
    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* Read and check one population's tables. */
static rv_status load_pop(rv__lfp *f, lpop *p, rv_error *err) {
    char ids[600], offs[600], sf[600];
    snprintf(ids, sizeof ids, "/%s/node_ids", p->name);
    snprintf(offs, sizeof offs, "/%s/offsets", p->name);
    snprintf(sf, sizeof sf, "/electrodes/%s/scaling_factors", p->name);
    char grp[600];
    snprintf(grp, sizeof grp, "/%s", p->name);
    if (h5_kind(f->fid, grp) != 1) {
        RV_FAIL(err, RV_ENOENT, "the LFP electrodes file has no population '%s' (no group %s)",
                p->name, grp);
        return fail_at(err, RV_ENOENT, f->path, grp);
    }
    hsize_t di[2], dof[2], dsf[2];
    rv_status st = ds_shape(f, ids, 1, H5T_INTEGER, di, err);
    if (!st) st = ds_shape(f, offs, 1, H5T_INTEGER, dof, err);
    if (!st) st = ds_shape(f, sf, 2, H5T_FLOAT, dsf, err);
    if (st) return st;
    if (dof[0] != di[0] + 1) {
        RV_FAIL(err, RV_EFORMAT, "%s has %llu values; expected len(%s) + 1 = %llu", offs,
                (unsigned long long)dof[0], ids, (unsigned long long)di[0] + 1);
        return fail_at(err, RV_EFORMAT, f->path, offs);
    }
    p->n = (size_t)di[0];
    p->rows = dsf[0];
    p->ncol = dsf[1];
    p->ids = rv_malloc((p->n + 1) * sizeof *p->ids);
    p->offs = rv_malloc((p->n + 1) * sizeof *p->offs);
    p->by_id = rv_malloc((p->n + 1) * sizeof *p->by_id);
    if (!p->ids || !p->offs || !p->by_id) return RV_FAIL(err, RV_ENOMEM, "out of memory");
    st = ds_rows(f, ids, 0, di[0], 1, 1, H5T_NATIVE_INT64, p->ids, err);
    if (!st) st = ds_rows(f, offs, 0, dof[0], 1, 1, H5T_NATIVE_INT64, p->offs, err);
    if (st) return st;
    for (size_t i = 0; i < p->n; ++i)
        if (p->offs[i] < 0 || p->offs[i] > p->offs[i + 1] || (uint64_t)p->offs[i + 1] > p->rows) {
            RV_FAIL(err, RV_EFORMAT,
                    "%s[%zu..%zu] = %lld, %lld: offsets must be non-decreasing, from 0 to the "
                    "%llu rows of %s",
                    offs, i, i + 1, (long long)p->offs[i], (long long)p->offs[i + 1],
                    (unsigned long long)p->rows, sf);
            return fail_at(err, RV_EFORMAT, f->path, offs);
        }
    for (size_t i = 0; i < p->n; ++i) p->by_id[i] = (lkey){p->ids[i], i};
    qsort(p->by_id, p->n, sizeof *p->by_id, cmp_key); /* first listed wins, as neurodamus */
    return RV_OK;
}

rv_status rv__lfp_node_factors(rv__lfp *f, const char *population, uint64_t node_id, double **out,
                               size_t *rows, size_t *n_elec, rv_error *err) {
    *out = NULL;
    *rows = *n_elec = 0;
    if (!population || !*population || strchr(population, '/'))
        return RV_FAIL(err, RV_EINVAL, "LFP: bad population name '%s'",
                       population ? population : "(null)");
    lpop *p = NULL;
    for (size_t i = 0; i < f->npop; ++i)
        if (strcmp(f->pops[i].name, population) == 0) p = &f->pops[i];
    if (!p) {
        if (rv_grow((void **)&f->pops, &f->cap, f->npop + 1, sizeof *f->pops))
            return RV_FAIL(err, RV_ENOMEM, "out of memory");
        p = &f->pops[f->npop++];
        memset(p, 0, sizeof *p);
        p->name = rv_strdup(population);
        if (!p->name) return RV_FAIL(err, RV_ENOMEM, "out of memory");
        rv_status st = load_pop(f, p, err);
        if (st) { /* forget it: the next call reports the same problem */
            rv_free(p->name), rv_free(p->ids), rv_free(p->by_id), rv_free(p->offs);
            f->npop--;
            return st;
        }
    }
    /* first index with ids[i] == node_id */
    size_t lo = 0, hi = p->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (p->by_id[mid].id < (int64_t)node_id)
            lo = mid + 1;
        else
            hi = mid;
    }
    char ids[600];
    snprintf(ids, sizeof ids, "/%s/node_ids", population);
    if (lo == p->n || p->by_id[lo].id != (int64_t)node_id) {
        RV_FAIL(err, RV_ENOENT,
                "node %llu of population '%s' is not in %s of the LFP electrodes "
                "file (every cell of an lfp report needs its rows)",
                (unsigned long long)node_id, population, ids);
        return fail_at(err, RV_ENOENT, f->path, ids);
    }
    size_t k = p->by_id[lo].idx;
    size_t r0 = (size_t)p->offs[k], nr = (size_t)(p->offs[k + 1] - p->offs[k]);
    double *buf = rv_malloc((nr * p->ncol + 1) * sizeof *buf);
    if (!buf) return RV_FAIL(err, RV_ENOMEM, "out of memory");
    char sf[600];
    snprintf(sf, sizeof sf, "/electrodes/%s/scaling_factors", population);
    rv_status st = ds_rows(f, sf, r0, nr, p->ncol, 2, H5T_NATIVE_DOUBLE, buf, err);
    if (st) {
        rv_free(buf);
        return st;
    }
    *out = buf;
    *rows = nr;
    *n_elec = (size_t)p->ncol;
    return RV_OK;
}

rv_status rv__lfp_open_for_report(const rv_sonata_simulation_config *s,
                                  const rv_sonata_cfg_report *rc, rv__lfp **out, rv_error *err) {
    *out = NULL;
    const rv_sonata_cfg_value *v = rv_sonata_config_param(&rc->params, "electrodes_file");
    char kp[300];
    snprintf(kp, sizeof kp, "reports.%s.electrodes_file", rc->name);
    const char *path = NULL;
    char buf[4096];
    if (v) {
        if (v->type != RV_SONATA_CFG_VALUE_STRING || !v->s || !v->s[0]) {
            RV_FAIL(err, RV_EFORMAT, "report '%s': electrodes_file must be a non-empty string",
                    rc->name);
            return fail_at(err, RV_EFORMAT, s->path, kp);
        }
        if (v->s[0] == '/' || !s->dir)
            snprintf(buf, sizeof buf, "%s", v->s);
        else
            snprintf(buf, sizeof buf, "%s/%s", s->dir, v->s);
        path = buf;
    } else if (s->run.electrodes_file) {
        path = s->run.electrodes_file;
        snprintf(kp, sizeof kp, "run.electrodes_file");
    } else {
        RV_FAIL(err, RV_EINVAL,
                "report '%s' of type lfp needs an electrodes file (the report's electrodes_file "
                "or run.electrodes_file)",
                rc->name);
        return fail_at(err, RV_EINVAL, s->path, kp);
    }
    rv_status st = rv__lfp_open(path, out, err);
    if (st) {
        /* keep the file in the message, point at the config key */
        char m[sizeof err->msg];
        snprintf(m, sizeof m, "report '%.80s': %.200s: %.200s", rc->name, path,
                 err ? err->msg : "");
        if (err) memcpy(err->msg, m, sizeof m);
        return fail_at(err, st, s->path, kp);
    }
    return RV_OK;
}

/* neurodamus' BaseCell.SECTION_TYPES lists, in order */
static const char *const lfp_lists[] = {"somatic", "axonal", "basal",     "apical",
                                        "AIS",     "nodal",  "myelinated"};

rv_status rv__lfp_add_cell(rv__lfp *f, rv_drv_report *r, rv_model *m, rv_hoc *h,
                           const char *cellref, const char *population, uint64_t gid,
                           uint64_t node_id, rv_error *err) {
    double *fac = NULL;
    size_t rows = 0, ne = 0;
    rv_status st = rv__lfp_node_factors(f, population, node_id, &fac, &rows, &ne, err);
    if (st) return st;
    /* the cell's segments in neurodamus' order */
    int *segsec = NULL;
    double *segx = NULL;
    size_t nseg_all = 0, cap = 0, capx = 0;
    for (size_t li = 0; li < sizeof lfp_lists / sizeof *lfp_lists && !st; ++li) {
        char expr[200];
        snprintf(expr, sizeof expr, "%s.%s", cellref, lfp_lists[li]);
        int *secs = NULL, n = 0;
        rv_error tmp;
        if (rv_hoc_sections(h, expr, 1, &secs, &n, &tmp) != RV_OK) {
            if (tmp.code == RV_ENOMEM) st = RV_FAIL(err, RV_ENOMEM, "out of memory");
            continue; /* the template has no such list */
        }
        for (int q = 0; q < n && !st; ++q) {
            int nseg = rv_section_nseg(m, secs[q]);
            for (int k = 0; k < nseg && !st; ++k) {
                if (rv_grow((void **)&segsec, &cap, nseg_all + 1, sizeof *segsec) ||
                    rv_grow((void **)&segx, &capx, nseg_all + 1, sizeof *segx)) {
                    st = RV_FAIL(err, RV_ENOMEM, "out of memory");
                    break;
                }
                segsec[nseg_all] = secs[q];
                segx[nseg_all] = (k + 0.5) / nseg;
                nseg_all++;
            }
        }
        rv_free(secs);
    }
    if (!st && nseg_all != rows) {
        char sf[600];
        snprintf(sf, sizeof sf, "/electrodes/%s/scaling_factors", population);
        RV_FAIL(err, RV_EFORMAT,
                "node %llu of population '%s' (gid %llu) has %zu rows in %s; its cell has %zu "
                "compartments (segments of somatic, axonal, basal, apical, AIS, nodal, "
                "myelinated)",
                (unsigned long long)node_id, population, (unsigned long long)gid, rows, sf,
                nseg_all);
        st = fail_at(err, RV_EFORMAT, f->path, sf);
    }
    const double **imem = NULL;
    if (!st && nseg_all) {
        imem = rv_malloc(nseg_all * sizeof *imem);
        if (!imem) st = RV_FAIL(err, RV_ENOMEM, "out of memory");
    }
    for (size_t k = 0; k < nseg_all && !st; ++k)
        st = rv_range_ptr(m, segsec[k], segx[k], "i_membrane_", &imem[k], err);
    if (!st) st = rv__rep_add_cell(r, population, gid, node_id, err);
    for (size_t e = 0; e < ne && !st; ++e) {
        st = rv__rep_add_element(r, (uint32_t)e, err);
        for (size_t k = 0; k < nseg_all && !st; ++k)
            st = rv__rep_add_term(r, imem[k], fac[k * ne + e], err);
    }
    rv_free(imem);
    rv_free(segsec);
    rv_free(segx);
    rv_free(fac);
    return st;
}
