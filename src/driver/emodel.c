/* SPDX-License-Identifier: MIT
 * driver/emodel.c -- one Blue Brain cell's emodel template instantiated
 * as neurodamus instantiates it (see emodel.h; facts §1, §2).
 */
#include "emodel.h"

#include <stdio.h>
#include <string.h>

/* The value of node attribute `name` (numeric or string) of row r, as hoc
 * source text. */
static rv_status attr_text(rv_sonata_pop *pop, const char *pop_name, const char *name, uint64_t r,
                           char *out, size_t n, rv_error *err) {
    long a = rv_sonata_pop_attr_find(pop, name);
    if (a < 0) {
        RV_FAIL(err, RV_ENOENT, "population '%s' has no attribute '%s' (a NeededAttribute)",
                pop_name, name);
        rv_error_where(err, NULL, 0, name);
        return RV_ENOENT;
    }
    rv_sonata_attr_info info;
    rv_status st = rv_sonata_pop_attr_info(pop, (size_t)a, &info, err);
    if (st) return st;
    rv_sonata_range rg = {r, r + 1};
    rv_sonata_sel sel = {&rg, 1};
    if (info.dtype == RV_SONATA_STRING) {
        char **s = NULL;
        if ((st = rv_sonata_pop_read_str(pop, name, &sel, &s, err))) return st;
        snprintf(out, n, "\"%s\"", s[0] ? s[0] : "");
        rv_free(s);
    } else {
        double v;
        if ((st = rv_sonata_pop_read_f64(pop, name, &sel, &v, err))) return st;
        snprintf(out, n, "%.17g", v);
    }
    return RV_OK;
}

/* appends text to buf[cap] at *len; 0 when it does not fit */
static int put(char *buf, size_t cap, size_t *len, const char *text) {
    size_t l = strlen(text);
    if (*len + l >= cap) return 0;
    memcpy(buf + *len, text, l + 1);
    *len += l;
    return 1;
}

rv_status rv__emodel_new(rv_hoc *h, const rv_sonata_cfg_population *cfg, rv_sonata_pop *pop,
                         const char *pop_name, uint64_t raw, const char *tpl, const char *morph,
                         const char *var, rv_sonata_template *tp_out, rv_error *err) {
    rv_sonata_template tp;
    rv_status st = rv_sonata_resolve_template(cfg, tpl, &tp, err);
    if (st) return st;
    if (tp.kind != RV_SONATA_TEMPLATE_HOC) {
        RV_FAIL(err, RV_EUNSUPPORTED,
                "node %llu of population '%s': model_template '%s' is not a hoc: template",
                (unsigned long long)raw, pop_name, tpl ? tpl : "(none)");
        rv_error_where(err, NULL, 0, "model_template");
        return RV_EUNSUPPORTED;
    }
    if (!rv_hoc_has_template(h, tp.name)) {
        if ((st = rv_hoc_load_file(h, tp.path, err))) return st;
        if (!rv_hoc_has_template(h, tp.name)) {
            RV_FAIL(err, RV_ENOENT, "the file defines no template '%s'", tp.name);
            rv_error_where(err, tp.path, 0, "model_template");
            return RV_ENOENT;
        }
    }
    if (tp_out) *tp_out = tp;
    if (!morph)
        return RV_FAIL(err, RV_ENOENT, "node %llu of population '%s' has no morphology",
                       (unsigned long long)raw, pop_name);
    char mpath[1024];
    if ((st = rv_sonata_resolve_morphology(cfg, morph, NULL, mpath, sizeof mpath, err))) return st;
    char *slash = strrchr(mpath, '/');
    const char *mdir = ".", *mfile = mpath;
    if (slash) {
        *slash = '\0';
        mdir = mpath[0] ? mpath : "/";
        mfile = slash + 1;
    }
    char code[4096];
    size_t len = 0;
    int fits = snprintf(code, sizeof code, "%s = new %s(%llu, \"%s\", \"%s\"", var, tp.name,
                        (unsigned long long)raw, mdir, mfile) < (int)sizeof code;
    if (fits) len = strlen(code);
    /* extra arguments: <emodel>_NeededAttributes, else 0 */
    char gname[300];
    snprintf(gname, sizeof gname, "%s_NeededAttributes", tp.name);
    const char *needed = NULL;
    rv_error ignored;
    if (rv_hoc_get_string(h, gname, &needed, &ignored) == RV_OK && needed) {
        char names[1024];
        snprintf(names, sizeof names, "%s", needed);
        char *save = NULL;
        for (char *tok = strtok_r(names, ";", &save); tok && fits;
             tok = strtok_r(NULL, ";", &save)) {
            while (*tok == ' ') tok++;
            if (!*tok) continue;
            char key[300], val[600];
            snprintf(key, sizeof key, "@dynamics:%s", tok);
            if ((st = attr_text(pop, pop_name, key, raw, val, sizeof val, err))) return st;
            fits = put(code, sizeof code, &len, ", ") && put(code, sizeof code, &len, val);
        }
    } else {
        fits = fits && put(code, sizeof code, &len, ", 0");
    }
    fits = fits && put(code, sizeof code, &len, ")\n");
    if (!fits) return RV_FAIL(err, RV_ERANGE, "%s: hoc statement too long", tp.path);
    return rv_hoc_exec(h, code, tp.path, err);
}
