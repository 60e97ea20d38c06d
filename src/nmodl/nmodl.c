/* SPDX-License-Identifier: MIT
 * nmodl/nmodl.c -- public entry points: translate a .mod file, open a
 * compiled mechanism library with dlopen and register its types.
 *
 * A translation owns one arena (the AST, symbols, generated strings) that
 * is freed before returning; the caller receives the C text and the
 * diagnostics as rv_malloc'ed strings.  The first diagnostic also goes
 * into the rv_error, with its line and column.
 */
#include "nmodl_int.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static char *buf_take(nm_buf *b) {
    if (b->oom) {
        nm_buf_free(b);
        return NULL;
    }
    if (!b->s) return rv_strdup("");
    char *s = b->s;
    b->s = NULL;
    b->len = b->cap = 0;
    return s;
}

/* the first "path:line:col: error: msg" line into err */
static rv_status diag_status(const nm_diag *d, rv_error *err) {
    const char *s = d->text.s ? d->text.s : "";
    const char *e = strstr(s, ": error: ");
    rv_status code = strstr(s, "not supported") ? RV_EUNSUPPORTED : RV_EFORMAT;
    if (!e) return RV_FAIL(err, code, "%s: %d error(s)", d->path, d->nerr);
    const char *eol = strchr(e, '\n');
    int n = eol ? (int)(eol - (e + 9)) : (int)strlen(e + 9);
    rv_status st = RV_FAIL(err, code, "%.*s", n, e + 9);
    int line = 0, col = 0;
    const char *p = s + strlen(d->path);
    if (strncmp(s, d->path, strlen(d->path)) == 0 && sscanf(p, ":%d:%d", &line, &col) == 2 && err) {
        rv_error_where(err, d->path, line, NULL);
        err->col = col;
    }
    return st;
}

rv_status rv__nmodl_translate_buf(const char *path, const char *src, size_t len, nm_buf *c,
                                  nm_buf *exports, nm_buf *names, nm_buf *diag, rv_error *err) {
    nm_arena a = {0};
    nm_diag d;
    memset(&d, 0, sizeof d);
    d.path = path;
    nm_file *f = nm_parse(path, src, len, &a, &d);
    if (f && d.nerr == 0) {
        nm_codegen(f, NULL, &a, &d, c, exports);
        if (names && f->mech_name) nm_buf_printf(names, "%s\n", f->mech_name);
    }
    rv_status st = RV_OK;
    if (a.oom || c->oom || d.text.oom || exports->oom) {
        st = RV_FAIL(err, RV_ENOMEM, "out of memory translating %s", path);
    } else if (d.nerr) {
        st = diag_status(&d, err);
    }
    if (d.text.s) nm_buf_put(diag, d.text.s);
    nm_buf_free(&d.text);
    nm_arena_free(&a);
    return st;
}

rv_status rv_nmodl_translate(const char *path, const char *src, size_t len, char **c_out,
                             char **diag_out, rv_error *err) {
    nm_buf c = {0}, ex = {0}, diag = {0};
    if (c_out) *c_out = NULL;
    if (diag_out) *diag_out = NULL;
    rv_status st =
        rv__nmodl_translate_buf(path ? path : "<input>", src, len, &c, &ex, NULL, &diag, err);
    if (!st) {
        nm_buf_put(&c, "\n#ifndef RV_NMODL_NO_REGISTRY\n"
                       "int rv_mechanisms(const rv_mech_type *const **types);\n"
                       "int rv_mechanisms(const rv_mech_type *const **types) {\n"
                       "    static const rv_mech_type *const list[] = {\n");
        char *sym = ex.s;
        while (sym && *sym) {
            char *nl = strchr(sym, '\n');
            if (!nl) break;
            nm_buf_printf(&c, "        &%.*s,\n", (int)(nl - sym), sym);
            sym = nl + 1;
        }
        nm_buf_put(&c, "    };\n    *types = list;\n"
                       "    return (int)(sizeof list / sizeof *list);\n}\n#endif\n");
        if (c.oom) st = RV_FAIL(err, RV_ENOMEM, "out of memory");
    }
    if (diag_out) {
        *diag_out = buf_take(&diag);
        if (!*diag_out && !st) st = RV_FAIL(err, RV_ENOMEM, "out of memory");
    }
    if (!st && c_out) {
        *c_out = buf_take(&c);
        if (!*c_out) st = RV_FAIL(err, RV_ENOMEM, "out of memory");
    }
    nm_buf_free(&c);
    nm_buf_free(&ex);
    nm_buf_free(&diag);
    return st;
}

rv_status rv__nmodl_read_file(const char *path, char **out, size_t *len, rv_error *err) {
    FILE *fp = fopen(path, "rb");
    if (!fp) return RV_FAIL(err, RV_EIO, "cannot open %s", path);
    nm_buf b = {0};
    char tmp[65536];
    size_t n;
    while ((n = fread(tmp, 1, sizeof tmp, fp)) > 0) {
        nm_buf_putn(&b, tmp, n);
        if (b.len > ((size_t)64 << 20)) {
            fclose(fp);
            nm_buf_free(&b);
            return RV_FAIL(err, RV_ERANGE, "%s is larger than 64 MiB", path);
        }
    }
    bool bad = ferror(fp) != 0;
    fclose(fp);
    if (bad) {
        nm_buf_free(&b);
        return RV_FAIL(err, RV_EIO, "error reading %s", path);
    }
    if (b.oom) {
        nm_buf_free(&b);
        return RV_FAIL(err, RV_ENOMEM, "out of memory reading %s", path);
    }
    *len = b.len;
    *out = buf_take(&b);
    if (!*out) return RV_FAIL(err, RV_ENOMEM, "out of memory reading %s", path);
    return RV_OK;
}

rv_status rv_nmodl_translate_file(const char *path, char **c_out, char **diag_out, rv_error *err) {
    char *src;
    size_t len;
    if (c_out) *c_out = NULL;
    if (diag_out) *diag_out = NULL;
    rv_status st = rv__nmodl_read_file(path, &src, &len, err);
    if (st) return st;
    st = rv_nmodl_translate(path, src, len, c_out, diag_out, err);
    rv_free(src);
    return st;
}

/* ---- loading ---------------------------------------------------------- */
struct rv_nmodl_lib {
    void *handle;
    const rv_mech_type *const *types;
    int n;
};

typedef int (*rv_mechanisms_fn)(const rv_mech_type *const **types);

rv_status rv_nmodl_open(const char *so_path, rv_nmodl_lib **out, rv_error *err) {
    *out = NULL;
    void *h = dlopen(so_path, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        const char *e = dlerror();
        return RV_FAIL(err, RV_EIO, "cannot load %s: %s", so_path, e ? e : "dlopen failed");
    }
    rv_mechanisms_fn fn;
    void *sym = dlsym(h, "rv_mechanisms");
    if (!sym) {
        dlclose(h);
        return RV_FAIL(err, RV_EFORMAT, "%s has no rv_mechanisms entry point", so_path);
    }
    memcpy(&fn, &sym, sizeof fn);
    const rv_mech_type *const *types = NULL;
    int n = fn(&types);
    if (n < 0 || (n > 0 && !types)) {
        dlclose(h);
        return RV_FAIL(err, RV_EFORMAT, "%s: rv_mechanisms returned %d", so_path, n);
    }
    for (int i = 0; i < n; ++i)
        if (!types[i] || types[i]->abi_version != RV_MECH_ABI_VERSION) {
            dlclose(h);
            return RV_FAIL(err, RV_EFORMAT,
                           "%s: mechanism %d was built for ABI %d, this ranvier has %d", so_path, i,
                           types[i] ? types[i]->abi_version : -1, RV_MECH_ABI_VERSION);
        }
    rv_nmodl_lib *lib = rv_calloc(1, sizeof *lib);
    if (!lib) {
        dlclose(h);
        return RV_FAIL(err, RV_ENOMEM, "out of memory");
    }
    lib->handle = h;
    lib->types = types;
    lib->n = n;
    *out = lib;
    return RV_OK;
}

int rv_nmodl_lib_count(const rv_nmodl_lib *lib) {
    return lib ? lib->n : 0;
}

const rv_mech_type *rv_nmodl_lib_type(const rv_nmodl_lib *lib, int i) {
    return lib && i >= 0 && i < lib->n ? lib->types[i] : NULL;
}

void rv_nmodl_close(rv_nmodl_lib *lib) {
    if (!lib) return;
    if (lib->handle) dlclose(lib->handle);
    rv_free(lib);
}

rv_status rv_nmodl_register(const rv_nmodl_lib *lib, rv_model *m, int flags, rv_error *err) {
    for (int i = 0; i < lib->n; ++i) {
        rv_status st = RV_ENOENT;
        if (flags & RV_NMODL_REPLACE) {
            rv_error e2 = {0};
            st = rv_model_replace_mech(m, lib->types[i], &e2);
            if (st && st != RV_ENOENT) {
                if (err) *err = e2;
                return st;
            }
        }
        if (st == RV_ENOENT) {
            st = rv_model_add_mech(m, lib->types[i], err);
            if (st) return st;
        }
    }
    return RV_OK;
}

rv_status rv_nmodl_load(rv_model *m, const char *path, int flags, rv_nmodl_lib **out,
                        rv_error *err) {
    *out = NULL;
    struct stat sb;
    char so[4096];
    rv_status st;
    if (stat(path, &sb) == 0 && S_ISREG(sb.st_mode)) {
        snprintf(so, sizeof so, "%s", path);
    } else {
        /* directories joined by ':' */
        char *copy = rv_strdup(path);
        if (!copy) return RV_FAIL(err, RV_ENOMEM, "out of memory");
        const char *dirs[64];
        int nd = 0;
        for (char *p = copy; p && nd < 64;) {
            char *c = strchr(p, ':');
            if (c) *c = 0;
            if (*p) dirs[nd++] = p;
            p = c ? c + 1 : NULL;
        }
        int hit;
        char *diag = NULL;
        st = rv_nmodl_build(dirs, nd, NULL, so, sizeof so, &hit, &diag, err);
        rv_free(diag);
        rv_free(copy);
        if (st) return st;
    }
    rv_nmodl_lib *lib;
    st = rv_nmodl_open(so, &lib, err);
    if (st) return st;
    st = rv_nmodl_register(lib, m, flags, err);
    if (st) {
        rv_nmodl_close(lib);
        return st;
    }
    *out = lib;
    return RV_OK;
}
