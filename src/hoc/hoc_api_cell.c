/* SPDX-License-Identifier: MIT
 * hoc/hoc_api_cell.c -- what a simulation driver asks of the interpreter
 * once hoc code has built a cell: the engine sections a SectionList (or one
 * section) holds, elements of number arrays, strdef values, whether a
 * template or a template function exists, and hoc names for point processes
 * created by the driver (so that hoc snippets can configure them).
 */
#include "hoc_int.h"

#include <stdio.h>
#include <string.h>

#define TMP_LIST "rv__api_sl"

rv_status rv_hoc_sections(rv_hoc *h, const char *expr, int is_list, int **secs, int *n,
                          rv_error *err) {
    if (!h || !expr || !secs || !n)
        return RV_FAIL(err, RV_EINVAL, "rv_hoc_sections: NULL argument");
    *secs = NULL;
    *n = 0;
    size_t len = strlen(expr) + 160;
    char *src = rv_malloc(len);
    if (!src) return RV_FAIL(err, RV_ENOMEM, "out of memory");
    if (is_list)
        snprintf(src, len, "objref %s\n%s = new SectionList()\nforsec %s %s.append()\n", TMP_LIST,
                 TMP_LIST, expr, TMP_LIST);
    else
        snprintf(src, len, "objref %s\n%s = new SectionList()\n%s %s.append()\n", TMP_LIST,
                 TMP_LIST, expr, TMP_LIST);
    rv_status st = rv_hoc_exec(h, src, expr, err);
    rv_free(src);
    if (st) return st;
    hoc_var *v = hocX_table_get(&h->globals, TMP_LIST);
    int *items = NULL, count = 0;
    h->err = err;
    h->failed = 0;
    if (!v || v->kind != K_OBJ || !v->o[0] || hocB_seclist_items(h, v->o[0], &items, &count)) {
        h->failed = 0;
        return RV_FAIL(err, RV_EINVAL, "%s: not a section list", expr);
    }
    *secs = rv_malloc(sizeof **secs * (size_t)(count ? count : 1));
    if (!*secs) return RV_FAIL(err, RV_ENOMEM, "out of memory");
    if (count) memcpy(*secs, items, sizeof **secs * (size_t)count);
    *n = count;
    return rv_hoc_exec(h, TMP_LIST " = new SectionList()\n", "rv_hoc_sections", err);
}

rv_status rv_hoc_get_element(rv_hoc *h, const char *name, int index, double *value, rv_error *err) {
    hoc_var *v = hocX_table_get(&h->globals, name);
    if (!v) v = hocX_table_get(&h->builtins, name);
    if (!v || v->kind != K_NUM) return RV_FAIL(err, RV_ENOENT, "%s: no such number variable", name);
    if (index < 0 || index >= v->n)
        return RV_FAIL(err, RV_ERANGE, "%s[%d]: index out of range (%d elements)", name, index,
                       v->n);
    *value = v->d[index];
    return RV_OK;
}

rv_status rv_hoc_get_string(rv_hoc *h, const char *name, const char **value, rv_error *err) {
    hoc_var *v = hocX_table_get(&h->globals, name);
    *value = NULL;
    if (!v || v->kind != K_STR) return RV_FAIL(err, RV_ENOENT, "%s: no such strdef", name);
    *value = v->s[0] ? v->s[0]->s : "";
    return RV_OK;
}

static hoc_class *template_of(rv_hoc *h, const char *name) {
    hoc_var *v = hocX_table_get(&h->builtins, name);
    if (!v || v->kind != K_CLASS || !v->cls || !v->cls->is_template) return NULL;
    return v->cls;
}

int rv_hoc_has_template(rv_hoc *h, const char *name) {
    return h && name && template_of(h, name) != NULL;
}

int rv_hoc_template_has_func(rv_hoc *h, const char *tmpl, const char *fn) {
    hoc_class *c = h && tmpl && fn ? template_of(h, tmpl) : NULL;
    return c && hocX_table_get(&c->funcs, fn) != NULL;
}

rv_status rv_hoc_bind_pp(rv_hoc *h, const char *name, const char *mech, int pp, rv_error *err) {
    if (!h || !name || !mech) return RV_FAIL(err, RV_EINVAL, "rv_hoc_bind_pp: NULL argument");
    char src[300];
    if ((size_t)snprintf(src, sizeof src, "objref %s\n", name) >= sizeof src)
        return RV_FAIL(err, RV_ERANGE, "rv_hoc_bind_pp: name too long");
    rv_status st = rv_hoc_exec(h, src, "rv_hoc_bind_pp", err);
    if (st) return st;
    h->err = err;
    h->failed = 0;
    hoc_class *c = hocB_class(h, mech);
    hoc_var *v = hocX_table_get(&h->globals, name);
    if (!c || !c->ppname || !v || v->kind != K_OBJ) {
        h->failed = 0;
        return RV_FAIL(err, RV_EINVAL, "rv_hoc_bind_pp: %s is not a point process class", mech);
    }
    hoc_obj *o = hocX_obj_new(h, c);
    if (!o) {
        h->failed = 0;
        return RV_FAIL(err, RV_ENOMEM, "out of memory");
    }
    o->pp = pp;
    if (v->o[0]) hocX_obj_decref(h, v->o[0]);
    v->o[0] = o;
    return RV_OK;
}

int rv_hoc_section_orientation(rv_hoc *h, int sec) {
    if (!h || sec < 0 || sec >= h->nsecs || !h->secs[sec].exists) return -1;
    return h->secs[sec].parent >= 0 && h->secs[sec].child_end ? 1 : 0;
}

void rv_hoc_set_pp_call(rv_hoc *h, rv_hoc_pp_call_fn fn, void *ud) {
    if (!h) return;
    h->pp_call = fn;
    h->pp_call_ud = ud;
}

rv_status rv_hoc_get_pp(rv_hoc *h, const char *name, int *pp, const char **mech, rv_error *err) {
    if (!h || !name || !pp) return RV_FAIL(err, RV_EINVAL, "rv_hoc_get_pp: NULL argument");
    hoc_var *v = hocX_table_get(&h->globals, name);
    hoc_obj *o = v && v->kind == K_OBJ ? v->o[0] : NULL;
    if (!o || !o->cls->ppname || o->pp < 0)
        return RV_FAIL(err, RV_EINVAL, "%s: not a point process", name);
    *pp = o->pp;
    if (mech) *mech = o->cls->ppname;
    return RV_OK;
}

int rv_hoc_template_has_public(rv_hoc *h, const char *tmpl, const char *name) {
    hoc_class *c = h && tmpl && name ? template_of(h, tmpl) : NULL;
    for (int i = 0; c && i < c->npub; ++i)
        if (strcmp(c->pub[i], name) == 0) return 1;
    return 0;
}
