/* SPDX-License-Identifier: MIT
 * morph/morph.c -- the public entry points of the morphology layer: load a
 * file (choosing the reader), look sections up, and build them through a
 * caller's builder.  The readers (swc.c, asc.c, h5.c) fill a section list;
 * import.c turns it into an rv_morph.
 */
#include "ranvier/morph.h"
#include "morph_int.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

const char *rv_morph_format_name(rv_morph_format f) {
    switch (f) {
    case RV_MORPH_SWC:
        return "SWC";
    case RV_MORPH_ASC:
        return "ASC";
    case RV_MORPH_H5:
        return "H5";
    default:
        return "auto";
    }
}

static int ends_with(const char *s, const char *suffix) {
    size_t n = strlen(s), m = strlen(suffix);
    if (m > n) return 0;
    for (size_t i = 0; i < m; ++i) {
        char a = s[n - m + i], b = suffix[i];
        if (a >= 'A' && a <= 'Z') a = (char)(a - 'A' + 'a');
        if (a != b) return 0;
    }
    return 1;
}

static rv_morph_format from_name(const char *path) {
    if (!path) return RV_MORPH_AUTO;
    if (ends_with(path, ".swc")) return RV_MORPH_SWC;
    if (ends_with(path, ".asc")) return RV_MORPH_ASC;
    if (ends_with(path, ".h5") || ends_with(path, ".hdf5")) return RV_MORPH_H5;
    return RV_MORPH_AUTO;
}

/* first significant character: '(' or ';' ASC, a digit or '#' SWC */
static rv_morph_format from_content(const char *buf, size_t n) {
    if (n >= 8 && memcmp(buf, "\211HDF\r\n\032\n", 8) == 0) return RV_MORPH_H5;
    for (size_t i = 0; i < n; ++i) {
        char c = buf[i];
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') continue;
        if (c == '(' || c == ';') return RV_MORPH_ASC;
        return RV_MORPH_SWC;
    }
    return RV_MORPH_SWC;
}

static rv_status load_text(const char *data, size_t size, const char *name, rv_morph_format fmt,
                           rv_morph **out, rv_error *err) {
    char *buf = rv_malloc(size + 1);
    if (!buf) return RV_FAIL(err, RV_ENOMEM, "out of memory (%zu bytes of %s)", size, name);
    memcpy(buf, data, size);
    buf[size] = 0;
    i3d d = {0};
    d.path = name;
    rv_status st =
        fmt == RV_MORPH_SWC ? rv__swc_read(buf, size, &d, err) : rv__asc_read(buf, size, &d, err);
    rv_free(buf);
    if (!st) st = rv__i3d_instantiate(&d, out, err);
    if (!st) (*out)->format = fmt;
    rv__i3d_free(&d);
    return st;
}

rv_status rv_morph_load_mem(const char *data, size_t size, const char *name, rv_morph_format format,
                            rv_morph **out, rv_error *err) {
    if (!out) return RV_FAIL(err, RV_EINVAL, "rv_morph_load_mem: out is NULL");
    *out = NULL;
    if (!data && size) return RV_FAIL(err, RV_EINVAL, "rv_morph_load_mem: data is NULL");
    if (!name) name = "<memory>";
    if (format == RV_MORPH_AUTO) format = from_name(name);
    if (format == RV_MORPH_AUTO) format = from_content(data, size);
    if (format == RV_MORPH_H5) {
        RV_FAIL(err, RV_EUNSUPPORTED, "h5 morphologies are read from files (rv_morph_load)");
        rv_error_where(err, name, 0, NULL);
        return RV_EUNSUPPORTED;
    }
    if (format != RV_MORPH_SWC && format != RV_MORPH_ASC)
        return RV_FAIL(err, RV_EINVAL, "unknown morphology format %d", (int)format);
    return load_text(data, size, name, format, out, err);
}

rv_status rv_morph_load(const char *path, rv_morph_format format, rv_morph **out, rv_error *err) {
    if (!out || !path) return RV_FAIL(err, RV_EINVAL, "rv_morph_load: NULL argument");
    *out = NULL;
    if (format == RV_MORPH_AUTO) format = from_name(path);
    if (format == RV_MORPH_H5) {
        i3d d = {0};
        d.path = path;
        rv_status st = rv__h5_read(path, &d, err);
        if (!st) st = rv__i3d_instantiate(&d, out, err);
        if (!st) (*out)->format = RV_MORPH_H5;
        rv__i3d_free(&d);
        return st;
    }
    FILE *f = fopen(path, "rb");
    if (!f) {
        int e = errno;
        RV_FAIL(err, e == ENOENT ? RV_ENOENT : RV_EIO, "cannot open morphology: %s", strerror(e));
        rv_error_where(err, path, 0, NULL);
        return e == ENOENT ? RV_ENOENT : RV_EIO;
    }
    char *buf = NULL;
    size_t n = 0, cap = 0;
    rv_status st = RV_OK;
    for (;;) {
        if (rv_grow((void **)&buf, &cap, n + 65536, 1)) {
            st = RV_FAIL(err, RV_ENOMEM, "out of memory reading %s", path);
            break;
        }
        size_t k = fread(buf + n, 1, cap - n, f);
        n += k;
        if (k == 0) {
            if (ferror(f)) {
                st = RV_FAIL(err, RV_EIO, "read error");
                rv_error_where(err, path, 0, NULL);
            }
            break;
        }
    }
    fclose(f);
    if (!st) {
        if (format == RV_MORPH_AUTO) format = from_content(buf, n);
        if (format == RV_MORPH_H5) {
            rv_free(buf);
            return rv_morph_load(path, RV_MORPH_H5, out, err);
        }
        st = load_text(buf, n, path, format, out, err);
    }
    rv_free(buf);
    return st;
}

int rv_morph_find(const rv_morph *m, const char *name) {
    if (!m || !name) return -1;
    for (int i = 0; i < m->nsec; ++i)
        if (strcmp(m->sec[i].name, name) == 0) return i;
    return -1;
}

double rv_morph_section_L(const rv_morph_section *s) {
    double arc = 0.0;
    for (int i = 1; i < s->npt; ++i) {
        const float *p = s->pt + 4 * (i - 1), *q = s->pt + 4 * i;
        float f1 = q[0] - p[0], f2 = q[1] - p[1], f3 = q[2] - p[2];
        double t1 = f1, t2 = f2, t3 = f3;
        arc = arc + sqrt(t1 * t1 + t2 * t2 + t3 * t3);
    }
    return arc <= 1e-9 ? 1e-9 : arc; /* NEURON's floor on L */
}

rv_status rv_morph_build(const rv_morph *m, const rv_morph_builder *b, int *handles,
                         rv_error *err) {
    if (!m || !b || !b->create || !b->pt3dadd)
        return RV_FAIL(err, RV_EINVAL, "rv_morph_build: NULL morphology or builder callback");
    int *h = handles;
    if (!h && !(h = rv_malloc(sizeof(int) * (size_t)(m->nsec ? m->nsec : 1))))
        return RV_FAIL(err, RV_ENOMEM, "out of memory");
    rv_status st = RV_OK;
    for (int i = 0; i < m->nsec && !st; ++i) st = b->create(b->ud, &m->sec[i], &h[i], err);
    for (int k = 0; k < m->nsec && !st; ++k) {
        const rv_morph_section *s = &m->sec[m->order[k]];
        int me = h[m->order[k]];
        if (s->parent >= 0 && b->connect)
            st = b->connect(b->ud, me, s->child_end, h[s->parent], s->parent_x, err);
        if (!st && s->logical && b->pt3dstyle)
            st = b->pt3dstyle(b->ud, me, s->lx, s->ly, s->lz, err);
        for (int j = 0; j < s->npt && !st; ++j) {
            const float *p = s->pt + 4 * j;
            st = b->pt3dadd(b->ud, me, p[0], p[1], p[2], p[3], err);
        }
    }
    if (h != handles) rv_free(h);
    return st;
}
