/* SPDX-License-Identifier: MIT
 * hoc/hoc_import3d.c -- NEURON's Import3d classes, natively, on rv_morph.
 *
 *     r = new Import3d_Neurolucida3()   (or Import3d_SWC_read, Import3d_MorphIO)
 *     r.quiet = 1
 *     r.input(path)
 *     g = new Import3d_GUI(r, 0)
 *     g.instantiate(obj)                (obj: a template instance, or nil)
 *
 * instantiate does what NEURON 8.2's does: for each section array, in type
 * order, `create name[n]` in obj's context, then (when obj is given) append
 * the sections whose names match to the subset list of the type (somatic,
 * axonal, basal, apical, dendritic_<t>, minus_<t>set) and finally every
 * section of obj to `all`; lists the template does not declare are skipped.
 * Then, in Import3d's order, the connections and the 3-D points (the
 * single-precision values NEURON stores, bit for bit).  With nil the first
 * section becomes the accessed one.  pt3dstyle only changes drawing and is
 * not kept.
 */
#include "hoc/hoc_int.h"
#include "ranvier/morph.h"

#include <stdlib.h>
#include <string.h>

#define E(...) hocX_error(h, __VA_ARGS__)

typedef struct reader {
    rv_morph_format fmt;
    rv_morph *morph;
    double quiet;
    char *path;
} reader;

static int rd_ctor(hoc *h, hoc_obj *o, hoc_val *a, int na, rv_morph_format fmt) {
    (void)a;
    if (na) return E(RV_EINVAL, "%s: no arguments expected", o->cls->name);
    reader *r = rv_calloc(1, sizeof *r);
    if (!r) return E(RV_ENOMEM, "out of memory");
    r->fmt = fmt;
    o->data = r;
    return 0;
}

static int swc_ctor(hoc *h, hoc_obj *o, hoc_val *a, int na) {
    return rd_ctor(h, o, a, na, RV_MORPH_SWC);
}
static int asc_ctor(hoc *h, hoc_obj *o, hoc_val *a, int na) {
    return rd_ctor(h, o, a, na, RV_MORPH_ASC);
}
static int h5_ctor(hoc *h, hoc_obj *o, hoc_val *a, int na) {
    return rd_ctor(h, o, a, na, RV_MORPH_AUTO);
}

static void rd_dtor(hoc *h, hoc_obj *o) {
    (void)h;
    reader *r = o->data;
    if (!r) return;
    rv_morph_destroy(r->morph);
    rv_free(r->path);
    rv_free(r);
}

static int rd_method(hoc *h, hoc_obj *o, const char *m, hoc_val *a, int na, hoc_val *ret) {
    reader *r = o->data;
    if (!strcmp(m, "input")) {
        const char *path;
        if (na != 1) return E(RV_EINVAL, "%s.input: one file name expected", o->cls->name);
        if (hocX_arg_str(h, &a[0], &path)) return -1;
        rv_morph *mo = NULL;
        rv_error e;
        rv_error_clear(&e);
        if (rv_morph_load(path, r->fmt, &mo, &e)) {
            char where[300];
            const char *f = e.path[0] ? e.path : path;
            if (e.line > 0)
                snprintf(where, sizeof where, "%s:%d: ", f, e.line);
            else
                snprintf(where, sizeof where, "%s: ", f);
            return E(e.code ? e.code : RV_EIO, "%s.input: %s%s", o->cls->name, where, e.msg);
        }
        rv_morph_destroy(r->morph);
        rv_free(r->path);
        r->morph = mo;
        r->path = rv_strdup(path);
        if (!r->path) return E(RV_ENOMEM, "out of memory");
        if (!r->quiet)
            for (int i = 0; i < mo->nnote; ++i) {
                hocX_write(h, mo->note[i], strlen(mo->note[i]));
                hocX_write(h, "\n", 1);
            }
        ret->t = V_NUM, ret->u.d = 0;
        return 1;
    }
    return 0;
}

static int rd_prop(hoc *h, hoc_obj *o, const char *name, hoc_val *idx, int nidx, hoc_loc *l) {
    (void)h, (void)idx;
    reader *r = o->data;
    if (!strcmp(name, "quiet") && !nidx) {
        l->kind = L_NUM;
        l->d = &r->quiet;
        return 1;
    }
    return 0;
}

/* ---- Import3d_GUI ------------------------------------------------------------ */
typedef struct gui {
    hoc_obj *reader; /* counted */
} gui;

static int is_reader(hoc_obj *o) {
    return o && o->cls->dtor == rd_dtor;
}

static int gui_ctor(hoc *h, hoc_obj *o, hoc_val *a, int na) {
    hoc_obj *r = NULL;
    if (na < 1 || na > 2) return E(RV_EINVAL, "Import3d_GUI(reader, 0): wrong arguments");
    if (hocX_arg_obj(h, &a[0], &r)) return -1;
    if (!is_reader(r)) return E(RV_EINVAL, "Import3d_GUI: the first argument is not a reader");
    if (na == 2) {
        double d;
        if (hocX_arg_num(h, &a[1], &d)) return -1;
        if (d != 0) return E(RV_EUNSUPPORTED, "unsupported: Import3d_GUI with a window");
    }
    gui *g = rv_calloc(1, sizeof *g);
    if (!g) return E(RV_ENOMEM, "out of memory");
    g->reader = r;
    r->rc++;
    o->data = g;
    return 0;
}

static void gui_dtor(hoc *h, hoc_obj *o) {
    gui *g = o->data;
    if (!g) return;
    hocX_obj_decref(h, g->reader);
    rv_free(g);
}

typedef struct build_ctx {
    hoc *h;
    hoc_obj *obj;
} build_ctx;

static hoc_var *sec_var(hoc *h, hoc_obj *obj, const char *base) {
    hoc_var *v = hocX_table_get(obj ? &obj->fields : &h->globals, base);
    return v && v->kind == K_SEC ? v : NULL;
}

static rv_status b_create(void *ud, const rv_morph_section *s, int *handle, rv_error *err) {
    build_ctx *c = ud;
    hoc_var *v = sec_var(c->h, c->obj, s->base);
    if (!v || s->index < 0 || s->index >= v->n || v->sec[s->index] < 0)
        return RV_FAIL(err, RV_EINTERNAL, "Import3d: section %s was not created", s->name);
    *handle = v->sec[s->index];
    return RV_OK;
}

static rv_status b_connect(void *ud, int child, int child_end, int parent, double parent_x,
                           rv_error *err) {
    build_ctx *c = ud;
    hoc *h = c->h;
    rv_status st = rv_section_connect(h->m, child, child_end, parent, parent_x, err);
    if (st) return st;
    hocX_set_parent(h, child, parent, parent_x, child_end);
    return RV_OK;
}

static rv_status b_pt3dadd(void *ud, int sec, double x, double y, double z, double d,
                           rv_error *err) {
    build_ctx *c = ud;
    rv_status st = rv_section_pt3d_add(c->h->m, sec, x, y, z, d, err);
    if (!st) c->h->secs[sec].npt++;
    return st;
}

static const char *subset_name(int type, char *buf, size_t n) {
    switch (type) {
    case 1:
        return "somatic";
    case 2:
        return "axonal";
    case 3:
        return "basal";
    case 4:
        return "apical";
    default:
        if (type < 0)
            snprintf(buf, n, "minus_%dset", -type);
        else
            snprintf(buf, n, "dendritic_%d", type);
        return buf;
    }
}

static int declared_list(hoc_obj *obj, const char *name) {
    hoc_var *v = hocX_table_get(&obj->fields, name);
    return v && v->kind == K_OBJ && v->n == 1;
}

static int run(hoc *h, const char *code, hoc_obj *obj) {
    const char *sf = h->cur_file;
    int sl = h->cur_line, echo = h->echo;
    h->echo = 0;
    int r = hocX_run_source(h, code, sf ? sf : "<import3d>", obj);
    h->echo = echo;
    if (!r) h->cur_file = sf, h->cur_line = sl;
    return r;
}

static int instantiate(hoc *h, gui *g, hoc_obj *obj) {
    reader *rd = g->reader->data;
    const rv_morph *m = rd->morph;
    if (!m) return E(RV_ESTATE, "Import3d_GUI.instantiate: the reader has read no file");
    char code[400], lb[64];
    /* create, array by array, for every type from the smallest to the
     * largest; the subset list of each type takes the sections whose names
     * match, also those the template made itself */
    int tmin = 0, tmax = -1;
    for (int i = 0; i < m->nsec; ++i) {
        if (i == 0 || m->sec[i].type < tmin) tmin = m->sec[i].type;
        if (i == 0 || m->sec[i].type > tmax) tmax = m->sec[i].type;
    }
    for (int t = tmin; t <= tmax; ++t) {
        const char *base = NULL;
        int n = 0;
        for (int i = 0; i < m->nsec; ++i)
            if (m->sec[i].type == t) {
                base = m->sec[i].base;
                if (m->sec[i].index + 1 > n) n = m->sec[i].index + 1;
            }
        char nb[64];
        if (!base) {
            base = t == 1 ? "soma" : t == 2 ? "axon" : t == 3 ? "dend" : t == 4 ? "apic" : nb;
            if (t < 0)
                snprintf(nb, sizeof nb, "minus_%d", -t);
            else
                snprintf(nb, sizeof nb, "dend_%d", t);
        }
        if (n > 0) {
            snprintf(code, sizeof code, "create %s[%d]\n", base, n);
            if (run(h, code, obj)) return -1;
        }
        if (obj) {
            const char *ln = subset_name(t, lb, sizeof lb);
            if (declared_list(obj, ln)) {
                snprintf(code, sizeof code, "forsec \"%s\" %s.append()\n", base, ln);
                if (run(h, code, obj)) return -1;
            }
        }
    }
    if (obj && declared_list(obj, "all") && run(h, "forall all.append()\n", obj)) return -1;
    build_ctx c = {h, obj};
    rv_morph_builder b = {&c, b_create, b_connect, NULL, b_pt3dadd};
    int *handles = rv_malloc(sizeof(int) * ((size_t)m->nsec + 1));
    if (!handles) return E(RV_ENOMEM, "out of memory");
    rv_error e;
    rv_error_clear(&e);
    rv_status st = rv_morph_build(m, &b, handles, &e);
    if (!st && !obj && m->nsec > 0) h->access = handles[m->order[0]];
    rv_free(handles);
    if (st) return hocX_engine(h, st, &e);
    return 0;
}

static int gui_method(hoc *h, hoc_obj *o, const char *m, hoc_val *a, int na, hoc_val *ret) {
    gui *g = o->data;
    if (!strcmp(m, "instantiate")) {
        hoc_obj *obj = NULL;
        if (na < 1 || na > 2) return E(RV_EINVAL, "Import3d_GUI.instantiate(obj): wrong arguments");
        if (hocX_arg_obj(h, &a[0], &obj)) return -1;
        if (obj && !obj->cls->is_template)
            return E(RV_EINVAL, "Import3d_GUI.instantiate: %s is not a template instance",
                     obj->cls->name);
        if (instantiate(h, g, obj)) return -1;
        ret->t = V_NUM, ret->u.d = 0;
        return 1;
    }
    return 0;
}

int hocI_install(hoc *h) {
    static const struct {
        const char *name;
        int (*ctor)(hoc *, hoc_obj *, hoc_val *, int);
    } readers[] = {{"Import3d_SWC_read", swc_ctor},
                   {"Import3d_Neurolucida3", asc_ctor},
                   {"Import3d_MorphIO", h5_ctor}};
    for (size_t i = 0; i < sizeof readers / sizeof *readers; ++i) {
        hoc_class *c = hocB_add_class(h, readers[i].name);
        if (!c) return -1;
        c->ctor = readers[i].ctor;
        c->dtor = rd_dtor;
        c->method = rd_method;
        c->prop = rd_prop;
    }
    hoc_class *c = hocB_add_class(h, "Import3d_GUI");
    if (!c) return -1;
    c->ctor = gui_ctor;
    c->dtor = gui_dtor;
    c->method = gui_method;
    return 0;
}
