/* SPDX-License-Identifier: MIT
 * morph/h5.c -- MorphIO h5v1 morphologies.
 *
 * Layout: /points (N x 4: x, y, z, diameter; float or double) and
 * /structure (M x 3 integers: first point, section type, parent section or
 * -1).  Section i owns points structure[i][0] .. structure[i+1][0]-1 (the
 * last one up to N).  A first section of type 1 is the soma; the neurites
 * follow, each child's first point normally a copy of its parent's last.
 * An optional /metadata group carries the version attribute (1.x).
 *
 * Import follows the Neurolucida reader (asc.c), which is what the h5 file
 * was converted from: a soma of three or more points is a contour; a
 * neurite whose first point differs from its parent's last gets that point
 * in front (with its own first diameter); roots are attached to the soma by
 * rv__connect2soma.  A one-point soma is a sphere as in SWC: roots connect at
 * its 0.5 with the soma point (with the root's first diameter) in front,
 * a wire when the root has more than one point.
 *
 * HDF5's own error printing is switched off around the calls; every failure
 * becomes an rv_error naming the dataset in its key.
 */
#include "morph_int.h"

#include <hdf5.h>
#include <math.h>
#include <string.h>

#define FAIL_KEY(code, key, ...)                                                                   \
    (RV_FAIL(err, (code), __VA_ARGS__), rv_error_where(err, path, 0, (key)), (code))

/* read a 2-D dataset of ncol columns as native type mt into *out (rows) */
static rv_status read2d(hid_t f, const char *name, int ncol, hid_t mt, size_t elt, void **out,
                        hsize_t *nrow, const char *path, rv_error *err) {
    *out = NULL;
    *nrow = 0;
    if (H5Lexists(f, name, H5P_DEFAULT) <= 0)
        return FAIL_KEY(RV_EFORMAT, name, "missing dataset %s: not an h5v1 morphology", name);
    hid_t ds = H5Dopen2(f, name, H5P_DEFAULT);
    if (ds < 0) return FAIL_KEY(RV_EFORMAT, name, "cannot open dataset %s", name);
    hid_t sp = H5Dget_space(ds);
    hsize_t dims[2] = {0, 0};
    int nd = sp >= 0 ? H5Sget_simple_extent_ndims(sp) : -1;
    rv_status st = RV_OK;
    if (nd != 2 || H5Sget_simple_extent_dims(sp, dims, NULL) != 2 || dims[1] != (hsize_t)ncol) {
        st = FAIL_KEY(RV_EFORMAT, name, "dataset %s must have 2 dimensions with %d columns", name,
                      ncol);
    } else if (dims[0] > (hsize_t)1 << 28) {
        st = FAIL_KEY(RV_EUNSUPPORTED, name, "dataset %s has too many rows", name);
    } else {
        void *buf = rv_malloc(elt * (size_t)ncol * (size_t)(dims[0] ? dims[0] : 1));
        if (!buf) {
            st = RV_FAIL(err, RV_ENOMEM, "out of memory");
        } else if (dims[0] > 0 && H5Dread(ds, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0) {
            rv_free(buf);
            st = FAIL_KEY(RV_EFORMAT, name, "cannot read dataset %s as numbers", name);
        } else {
            *out = buf;
            *nrow = dims[0];
        }
    }
    if (sp >= 0) H5Sclose(sp);
    H5Dclose(ds);
    return st;
}

static rv_status check_version(hid_t f, const char *path, rv_error *err) {
    if (H5Lexists(f, "/metadata", H5P_DEFAULT) <= 0) return RV_OK;
    hid_t g = H5Gopen2(f, "/metadata", H5P_DEFAULT);
    if (g < 0) return RV_OK;
    rv_status st = RV_OK;
    if (H5Aexists(g, "version") > 0) {
        hid_t at = H5Aopen(g, "version", H5P_DEFAULT);
        hid_t sp = at >= 0 ? H5Aget_space(at) : -1;
        unsigned v[2] = {0, 0};
        if (at < 0 || sp < 0 || H5Sget_simple_extent_npoints(sp) != 2 ||
            H5Aread(at, H5T_NATIVE_UINT, v) < 0)
            st = FAIL_KEY(RV_EFORMAT, "/metadata/version", "unreadable version attribute");
        else if (v[0] != 1)
            st = FAIL_KEY(RV_EUNSUPPORTED, "/metadata/version",
                          "h5 morphology version %u.%u: only h5v1 is supported", v[0], v[1]);
        if (sp >= 0) H5Sclose(sp);
        if (at >= 0) H5Aclose(at);
    }
    H5Gclose(g);
    return st;
}

static rv_status import(const double *pt, hsize_t npt, const int *sv, hsize_t nst, i3d *d,
                        const char *path, rv_error *err) {
    int ns = (int)nst, n = (int)npt;
    if (ns == 0) return FAIL_KEY(RV_EFORMAT, "/structure", "no sections in /structure");
    for (int i = 0; i < ns; ++i) {
        int start = sv[3 * i], type = sv[3 * i + 1], par = sv[3 * i + 2];
        int stop = i + 1 < ns ? sv[3 * (i + 1)] : n;
        if (start < 0 || start > n || stop < start || stop > n)
            return FAIL_KEY(RV_EFORMAT, "/structure",
                            "section %d: points %d..%d outside /points (%d rows) or out of order",
                            i, start, stop - 1, n);
        if (par < -1 || par >= i)
            return FAIL_KEY(RV_EFORMAT, "/structure",
                            "section %d: parent %d is not an earlier section", i, par);
        if (type == 1 && i > 0)
            return FAIL_KEY(RV_EFORMAT, "/structure",
                            "section %d has soma type 1: only the first section may", i);
        if (type < 1) return FAIL_KEY(RV_EFORMAT, "/structure", "section %d has type %d", i, type);
        for (int j = start; j < stop; ++j) {
            const double *p = pt + 4 * j;
            double mx = fmax(fmax(fabs(p[0]), fabs(p[1])), fmax(fabs(p[2]), fabs(p[3])));
            if (!(mx <= RV_MORPH_MAX_COORD))
                return FAIL_KEY(RV_ERANGE, "/points", "point %d is not finite or beyond %g um", j,
                                RV_MORPH_MAX_COORD);
            if (type != 1 && p[3] < 0)
                return FAIL_KEY(RV_ERANGE, "/points", "point %d has negative diameter %g", j, p[3]);
        }
        if (type != 1 && stop == start)
            return FAIL_KEY(RV_EFORMAT, "/structure", "section %d has no points", i);
    }
    d->npoint_read = n;
    int has_soma = sv[1] == 1;
    int nsoma_pts = has_soma ? (ns > 1 ? sv[3] : n) - sv[0] : 0;
    if (has_soma && nsoma_pts == 2)
        return FAIL_KEY(RV_EUNSUPPORTED, "/structure",
                        "a soma of two points is neither a contour nor a sphere");
    /* list index of each h5 section (-1: the soma section when empty) */
    int *map = rv_malloc(sizeof(int) * (size_t)ns);
    if (!map) return RV_FAIL(err, RV_ENOMEM, "out of memory");
    rv_status st = RV_OK;
    int idx;
    for (int i = 0; i < ns && !st; ++i) {
        int start = sv[3 * i], type = sv[3 * i + 1], par = sv[3 * i + 2];
        int stop = i + 1 < ns ? sv[3 * (i + 1)] : n;
        map[i] = -1;
        if (type == 1) {
            if (nsoma_pts == 0) continue;
            if (rv__i3d_add(d, nsoma_pts, 0, &idx)) goto oom;
            i3d_sec *s = &d->sec[idx];
            for (int j = start; j < stop; ++j)
                rv__i3d_push(s, pt[4 * j], pt[4 * j + 1], pt[4 * j + 2], pt[4 * j + 3]);
            s->type = 1;
            s->iscontour = nsoma_pts >= 3;
            map[i] = idx;
            continue;
        }
        int psec = par >= 0 ? map[par] : -1;
        const i3d_sec *ps = psec >= 0 ? &d->sec[psec] : NULL;
        int extra = 0, sphere = ps && ps->type == 1 && !ps->iscontour;
        if (ps && !ps->iscontour && !sphere) {
            const double *lp = i3d_pt(ps, ps->n - 1), *fp = pt + 4 * start;
            extra = !(hoc_eq(lp[0], fp[0]) && hoc_eq(lp[1], fp[1]) && hoc_eq(lp[2], fp[2]));
        }
        if (rv__i3d_add(d, stop - start + 1, 1, &idx)) goto oom;
        i3d_sec *s = &d->sec[idx];
        ps = psec >= 0 ? &d->sec[psec] : NULL; /* the list may have moved */
        if (sphere) {
            const double *sp0 = i3d_pt(ps, 0);
            rv__i3d_push(s, sp0[0], sp0[1], sp0[2], pt[4 * start + 3]);
            s->parent = psec;
            s->parentx = 0.5;
            s->first = stop - start > 1;
        } else if (extra) {
            const double *lp = i3d_pt(ps, ps->n - 1);
            rv__i3d_push(s, lp[0], lp[1], lp[2], pt[4 * start + 3]);
        }
        for (int j = start; j < stop; ++j)
            rv__i3d_push(s, pt[4 * j], pt[4 * j + 1], pt[4 * j + 2], pt[4 * j + 3]);
        s->type = type;
        if (ps && !sphere && !ps->iscontour) s->parent = psec;
        map[i] = idx;
    }
    rv_free(map);
    /* roots (parent: the contour soma or none) are attached as in ASC */
    return rv__connect2soma(d, err);
oom:
    rv_free(map);
    return RV_FAIL(err, RV_ENOMEM, "out of memory");
}

rv_status rv__h5_read(const char *path, i3d *d, rv_error *err) {
    H5E_auto2_t old_fn;
    void *old_data;
    H5Eget_auto2(H5E_DEFAULT, &old_fn, &old_data);
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    rv_status st = RV_OK;
    double *pt = NULL;
    int *sv = NULL;
    hsize_t npt = 0, nst = 0;
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0) {
        st = RV_FAIL(err, RV_EIO, "cannot open as an HDF5 file");
        rv_error_where(err, path, 0, NULL);
        goto done;
    }
    if (H5Lexists(f, "/neuron1", H5P_DEFAULT) > 0 && H5Lexists(f, "/points", H5P_DEFAULT) <= 0) {
        st = FAIL_KEY(RV_EUNSUPPORTED, "/neuron1", "h5v2 morphologies are not supported");
        goto done;
    }
    if ((st = check_version(f, path, err))) goto done;
    if ((st = read2d(f, "/points", 4, H5T_NATIVE_DOUBLE, sizeof(double), (void **)&pt, &npt, path,
                     err)))
        goto done;
    if ((st = read2d(f, "/structure", 3, H5T_NATIVE_INT, sizeof(int), (void **)&sv, &nst, path,
                     err)))
        goto done;
    st = import(pt, npt, sv, nst, d, path, err);
done:
    if (f >= 0) H5Fclose(f);
    rv_free(pt), rv_free(sv);
    H5Eset_auto2(H5E_DEFAULT, old_fn, old_data);
    return st;
}
