/* SPDX-License-Identifier: MIT
 * sonata/config_json.c -- the JSON plumbing of the config reader: problem
 * records with line numbers, manifest expansion, path normalisation and the
 * typed key readers every section parser uses.
 *
 * Line numbers.  jansson reports positions only for syntax errors, so after
 * a successful parse the text is scanned once more (it is valid JSON by
 * then, which keeps the scanner small) and the line and column of every
 * value is stored under its key path ("inputs.stim1.delay", "a.b[3]").  A
 * problem about a key that is absent is reported at the line of the object
 * that should hold it: the look-up strips path components until it finds a
 * recorded value.
 *
 * Manifest.  Variables are resolved depth first with a three-state mark, so
 * a cycle is found at the variable that closes it; a variable is expanded
 * at most once.  The tree is expanded in place (string nodes replaced), so
 * section parsers only ever see final values.
 *
 * This file does not know the SONATA keys: section semantics live in
 * config_circuit.c, config_sim.c and config_inputs.c.
 */
#include "config_int.h"
#include "jsonpos_int.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- line map ------------------------------------------------------------ */

static void lm_add(rv__cfg_ctx *c, rv__cfg_file *f, const char *kp, int line, int col) {
    size_t len = strlen(kp) + 1;
    if (rv_grow((void **)&f->lm, &f->cap_lm, f->n_lm + 1, sizeof *f->lm) ||
        rv_grow((void **)&f->lm_text, &f->cap_lm_text, f->n_lm_text + len, 1)) {
        c->oom = 1;
        return;
    }
    memcpy(f->lm_text + f->n_lm_text, kp, len);
    f->lm[f->n_lm].path_off = f->n_lm_text;
    f->lm[f->n_lm].line = line;
    f->lm[f->n_lm].col = col;
    f->n_lm++;
    f->n_lm_text += len;
}

/* Sink for key strings: a fixed buffer, truncated byte-wise to cap-1. */
typedef struct keybuf {
    char *out;
    size_t cap, n;
} keybuf;

static void kb_put(void *ctx, const char *b, size_t n) {
    keybuf *k = ctx;
    for (size_t i = 0; i < n && k->n + 1 < k->cap; i++) k->out[k->n++] = b[i];
}

static void sc_value(rv__cfg_ctx *c, rv__cfg_file *f, rv__jpos_scan *s, const char *kp) {
    rv__jpos_ws(s);
    if (s->p >= s->end || c->oom) return;
    lm_add(c, f, kp, s->line, rv__jpos_col(s));
    char ch = *s->p;
    if (ch == '{' || ch == '[') {
        int is_obj = ch == '{';
        char close = is_obj ? '}' : ']';
        size_t index = 0;
        s->p++;
        for (;;) {
            rv__jpos_ws(s);
            if (s->p >= s->end) return;
            if (*s->p == close) {
                s->p++;
                return;
            }
            if (*s->p == ',') {
                s->p++;
                continue;
            }
            char child[RV__CFG_PATH_MAX];
            if (is_obj) {
                char key[256];
                keybuf kb = {key, sizeof key, 0};
                if (*s->p != '"') return; /* cannot happen in valid JSON */
                rv__jpos_string(s, kb_put, &kb);
                key[kb.n] = '\0';
                rv__jpos_ws(s);
                if (s->p < s->end && *s->p == ':') s->p++;
                rv__cfg_kp(child, kp, key);
            } else {
                rv__cfg_kpi(child, kp, index++);
            }
            sc_value(c, f, s, child);
            if (c->oom) return;
        }
    } else if (ch == '"') {
        rv__jpos_string(s, NULL, NULL);
    } else {
        rv__jpos_scalar(s);
    }
}

void rv__cfg_linemap(rv__cfg_ctx *c, rv__cfg_file *f, const char *text) {
    rv__jpos_scan s;
    rv__jpos_init(&s, text, strlen(text));
    sc_value(c, f, &s, "");
}

/* Line and column of the value at kp or of its nearest recorded ancestor;
 * 1 when kp itself was found. */
static int lm_find(const rv__cfg_file *f, const char *kp, int *line, int *col) {
    char buf[RV__CFG_PATH_MAX];
    snprintf(buf, sizeof buf, "%s", kp ? kp : "");
    *line = *col = 0;
    if (!f) return 0;
    for (int exact = 1;; exact = 0) {
        for (size_t i = 0; i < f->n_lm; i++) {
            if (strcmp(f->lm_text + f->lm[i].path_off, buf) == 0) {
                *line = f->lm[i].line;
                *col = f->lm[i].col;
                return exact;
            }
        }
        if (!buf[0]) return 0;
        char *dot = strrchr(buf, '.'), *br = strrchr(buf, '[');
        char *cut = dot > br ? dot : br;
        if (cut)
            *cut = '\0';
        else
            buf[0] = '\0';
    }
}

void rv__cfg_file_free(rv__cfg_file *f) {
    if (!f) return;
    if (f->root) json_decref(f->root);
    rv_free(f->lm);
    rv_free(f->lm_text);
    memset(f, 0, sizeof *f);
}

/* ---- problems ------------------------------------------------------------ */

static rv_error *new_problem(rv__cfg_ctx *c) {
    if (c->oom) return NULL;
    if (rv_grow((void **)&c->problems, &c->cap_problems, c->n_problems + 1, sizeof(rv_error))) {
        c->oom = 1;
        return NULL;
    }
    return &c->problems[c->n_problems++];
}

void rv__cfg_problem(rv__cfg_ctx *c, rv_status code, const char *src_file, int src_line,
                     const char *kp, const char *fmt, ...) {
    rv_error *e = new_problem(c);
    if (!e) return;
    char msg[sizeof e->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    rv_error_set(e, code, src_file, src_line, "%s", msg);
    int line, col;
    lm_find(c->file, kp, &line, &col);
    rv_error_where(e, c->file ? c->file->path : NULL, line, kp ? kp : "");
    e->col = col;
}

void rv__cfg_problem_at(rv__cfg_ctx *c, rv_status code, const char *src_file, int src_line,
                        const char *path, int line, int col, const char *msg) {
    rv_error *e = new_problem(c);
    if (!e) return;
    rv_error_set(e, code, src_file, src_line, "%s", msg);
    rv_error_where(e, path, line, NULL);
    e->col = col;
}

void rv__cfg_warn(rv__cfg_ctx *c, const char *kp, const char *fmt, ...) {
    if (c->oom) return;
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    const char *w = rv__cfg_printf(c, "%s: %s: %s", c->file ? c->file->path : "", kp, msg);
    if (!w) return;
    if (rv_grow((void **)&c->warnings, &c->cap_warnings, c->n_warnings + 1, sizeof(char *))) {
        c->oom = 1;
        return;
    }
    c->warnings[c->n_warnings++] = w;
}

/* ---- key paths and file paths ------------------------------------------- */

/* A key path too long for the buffer ends in "..." (messages only). */
static const char *kp_fit(char *buf, int n) {
    if (n >= RV__CFG_PATH_MAX) memcpy(buf + RV__CFG_PATH_MAX - 4, "...", 4);
    return buf;
}

const char *rv__cfg_kp(char *buf, const char *parent, const char *key) {
    int n = parent && parent[0] ? snprintf(buf, RV__CFG_PATH_MAX, "%s.%s", parent, key)
                                : snprintf(buf, RV__CFG_PATH_MAX, "%s", key);
    return kp_fit(buf, n);
}

const char *rv__cfg_kpi(char *buf, const char *parent, size_t i) {
    return kp_fit(buf, snprintf(buf, RV__CFG_PATH_MAX, "%s[%zu]", parent ? parent : "", i));
}

const char *rv__cfg_path_join(rv__cfg_ctx *c, const char *base, const char *rel) {
    size_t nb = base ? strlen(base) : 0, nr = strlen(rel);
    char *buf = rv_malloc(nb + nr + 3);
    const char **parts = rv_malloc((nb + nr + 3) * sizeof *parts);
    if (!buf || !parts) {
        rv_free(buf);
        rv_free(parts);
        c->oom = 1;
        return NULL;
    }
    if (rel[0] == '/' || nb == 0)
        memcpy(buf, rel, nr + 1);
    else
        snprintf(buf, nb + nr + 3, "%s/%s", base, rel);
    int absolute = buf[0] == '/';
    size_t np = 0;
    char *save = NULL;
    for (char *tok = strtok_r(buf, "/", &save); tok; tok = strtok_r(NULL, "/", &save)) {
        if (strcmp(tok, ".") == 0) continue;
        if (strcmp(tok, "..") == 0) {
            if (np > 0 && strcmp(parts[np - 1], "..") != 0) {
                np--;
                continue;
            }
            if (absolute) continue; /* "/.." is "/" */
        }
        parts[np++] = tok;
    }
    size_t len = 2;
    for (size_t i = 0; i < np; i++) len += strlen(parts[i]) + 1;
    char *out = rv_malloc(len);
    const char *res = NULL;
    if (out) {
        size_t k = 0;
        if (absolute) out[k++] = '/';
        for (size_t i = 0; i < np; i++) {
            if (i) out[k++] = '/';
            size_t l = strlen(parts[i]);
            memcpy(out + k, parts[i], l);
            k += l;
        }
        if (k == 0) out[k++] = '.';
        out[k] = '\0';
        res = rv__cfg_strdup(c, out);
    } else {
        c->oom = 1;
    }
    rv_free(out);
    rv_free(buf);
    rv_free(parts);
    return res;
}

/* ---- manifest ------------------------------------------------------------ */

typedef struct mvar {
    const char *name; /* without '$' */
    const char *key;  /* as written in the manifest */
    json_t *raw;      /* borrowed */
    json_t *value;    /* resolved, owned */
    int state;        /* 0 unresolved, 1 resolving, 2 resolved, 3 failed */
    int own_raw;      /* raw is a built-in's string, owned */
} mvar;

typedef struct manifest {
    mvar *v;
    size_t n;
} manifest;

typedef struct sbuf {
    char *s;
    size_t n, cap;
} sbuf;

static int sb_put(rv__cfg_ctx *c, sbuf *b, const char *s, size_t n) {
    if (rv_grow((void **)&b->s, &b->cap, b->n + n + 1, 1)) {
        c->oom = 1;
        return -1;
    }
    memcpy(b->s + b->n, s, n);
    b->n += n;
    b->s[b->n] = '\0';
    return 0;
}

static int is_name_char(char ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch == '_';
}

/* A variable reference starts with a letter or '_' ("$5" is text). */
static int is_name_start(char ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_';
}

static mvar *mf_find(manifest *m, const char *name, size_t len) {
    for (size_t i = 0; i < m->n; i++)
        if (strlen(m->v[i].name) == len && strncmp(m->v[i].name, name, len) == 0) return &m->v[i];
    return NULL;
}

static json_t *mf_resolve(rv__cfg_ctx *c, manifest *m, mvar *v);

/* Expands the variables of string s (key path kp).  Returns a new reference:
 * a string, or (whole string is one variable with a non-string value) that
 * value; NULL on allocation failure.  `strict`: undefined variables are
 * problems, else kept as written.  *failed is set when a problem was
 * recorded. */
static json_t *expand_string(rv__cfg_ctx *c, manifest *m, const char *s, const char *kp, int strict,
                             int *failed) {
    sbuf b = {0};
    const char *p = s;
    if (sb_put(c, &b, "", 0)) return NULL;
    while (*p) {
        const char *dollar = strchr(p, '$');
        if (!dollar) {
            if (sb_put(c, &b, p, strlen(p))) goto oom;
            break;
        }
        if (sb_put(c, &b, p, (size_t)(dollar - p))) goto oom;
        const char *name = dollar + 1, *after;
        size_t len = 0;
        if (*name == '{') {
            name++;
            while (is_name_char(name[len])) len++;
            if (name[len] != '}' || !is_name_start(name[0])) { /* not a variable: keep "${" */
                if (sb_put(c, &b, dollar, 2)) goto oom;
                p = dollar + 2;
                continue;
            }
            after = name + len + 1;
        } else {
            if (is_name_start(name[0]))
                while (is_name_char(name[len])) len++;
            if (len == 0) { /* "$", "$5": not a variable */
                if (sb_put(c, &b, "$", 1)) goto oom;
                p = dollar + 1;
                continue;
            }
            after = name + len;
        }
        mvar *v = mf_find(m, name, len);
        json_t *val = v ? mf_resolve(c, m, v) : NULL;
        if (c->oom) goto oom;
        if (!val) {
            if (!v && strict) {
                RV__CFG_PROBLEM(c, RV_EFORMAT, kp,
                                "undefined manifest variable '$%.*s' in \"%s\" (define it in "
                                "\"manifest\")",
                                (int)len, name, s);
                *failed = 1;
            } else if (v) {
                *failed = 1; /* the variable's own problem is already recorded */
            }
            if (sb_put(c, &b, dollar, (size_t)(after - dollar))) goto oom;
        } else if (json_is_string(val)) {
            if (sb_put(c, &b, json_string_value(val), strlen(json_string_value(val)))) goto oom;
        } else if (dollar == s && *after == '\0') {
            rv_free(b.s);
            return json_incref(val); /* "${N}" alone: the value itself (BMTK) */
        } else {
            char *t = json_dumps(val, JSON_ENCODE_ANY | JSON_COMPACT);
            if (!t) goto oom;
            int r = sb_put(c, &b, t, strlen(t));
            rv__cfg_json_free(t);
            if (r) goto oom;
        }
        p = after;
    }
    json_t *out = json_string(b.s);
    rv_free(b.s);
    if (!out) c->oom = 1;
    return out;
oom:
    rv_free(b.s);
    c->oom = 1;
    return NULL;
}

static json_t *mf_resolve(rv__cfg_ctx *c, manifest *m, mvar *v) {
    if (v->state == 2) return v->value;
    if (v->state == 3) return NULL;
    char kp[RV__CFG_PATH_MAX];
    rv__cfg_kp(kp, "manifest", v->key);
    if (v->state == 1) {
        RV__CFG_PROBLEM(c, RV_EFORMAT, kp,
                        "manifest variable '$%s' is defined in terms of itself (circular "
                        "manifest variables)",
                        v->name);
        v->state = 3;
        return NULL;
    }
    if (!json_is_string(v->raw)) {
        v->value = json_incref(v->raw);
        v->state = 2;
        return v->value;
    }
    v->state = 1;
    int failed = 0;
    json_t *val = expand_string(c, m, json_string_value(v->raw), kp, 1, &failed);
    if (v->state == 3 || failed || !val) { /* a cycle through this variable, or undefined */
        if (val) json_decref(val);
        v->state = 3;
        return NULL;
    }
    v->value = val;
    v->state = 2;
    return val;
}

static void expand_node(rv__cfg_ctx *c, manifest *m, json_t *node, char *kp, int top, int strict) {
    if (c->oom) return;
    char child[RV__CFG_PATH_MAX];
    if (json_is_object(node)) {
        const char *key;
        json_t *v;
        json_object_foreach(node, key, v) {
            if (top && strcmp(key, "manifest") == 0) continue;
            int st = strict &&
                     !(top && (strcmp(key, "metadata") == 0 || strcmp(key, "beta_features") == 0 ||
                               strcmp(key, "node_sets") == 0));
            rv__cfg_kp(child, kp, key);
            if (json_is_string(v) && !strchr(json_string_value(v), '$')) continue;
            if (json_is_string(v)) {
                int failed = 0;
                json_t *nv = expand_string(c, m, json_string_value(v), child, st, &failed);
                if (!nv) return;
                if (json_object_set_new(node, key, nv)) c->oom = 1;
            } else {
                expand_node(c, m, v, child, 0, st);
            }
            if (c->oom) return;
        }
    } else if (json_is_array(node)) {
        for (size_t i = 0; i < json_array_size(node); i++) {
            json_t *v = json_array_get(node, i);
            rv__cfg_kpi(child, kp, i);
            if (json_is_string(v) && !strchr(json_string_value(v), '$')) continue;
            if (json_is_string(v)) {
                int failed = 0;
                json_t *nv = expand_string(c, m, json_string_value(v), child, strict, &failed);
                if (!nv) return;
                if (json_array_set_new(node, i, nv)) c->oom = 1;
            } else {
                expand_node(c, m, v, child, 0, strict);
            }
            if (c->oom) return;
        }
    }
}

void rv__cfg_expand_manifest(rv__cfg_ctx *c, rv__cfg_file *f) {
    json_t *mobj = json_object_get(f->root, "manifest");
    size_t nm = json_is_object(mobj) ? json_object_size(mobj) : 0;
    manifest m = {rv_calloc(nm + 3, sizeof(mvar)), 0};
    if (!m.v) {
        c->oom = 1;
        return;
    }
    if (mobj && !json_is_object(mobj) && !json_is_null(mobj))
        RV__CFG_PROBLEM(c, RV_EFORMAT, "manifest", "\"manifest\" must be an object, not %s",
                        rv__cfg_type_name(mobj));
    const char *key;
    json_t *v;
    if (nm) json_object_foreach(mobj, key, v) {
            char kp[RV__CFG_PATH_MAX];
            rv__cfg_kp(kp, "manifest", key);
            int dollar = key[0] == '$';
            int ok = dollar || c->flavour == RV_SONATA_CFG_FLAVOUR_ALLEN;
            for (const char *q = key + dollar; *q && ok; q++) ok = is_name_char(*q);
            if (!ok || !key[dollar]) {
                RV__CFG_PROBLEM(c, RV_EFORMAT, kp,
                                "invalid manifest variable name '%s' (expected '$' followed by "
                                "letters, digits or '_')",
                                key);
                continue;
            }
            if (!json_is_string(v) && c->flavour != RV_SONATA_CFG_FLAVOUR_ALLEN) {
                RV__CFG_PROBLEM(c, RV_EFORMAT, kp,
                                "manifest variable '%s' must be a string, not %s", key,
                                rv__cfg_type_name(v));
                continue;
            }
            m.v[m.n].name = key + dollar;
            m.v[m.n].key = key;
            m.v[m.n].raw = v;
            m.n++;
        }
    /* BMTK built-ins; a manifest entry of the same name wins (found first). */
    char cwd[4096];
    const char *bi_name[3] = {"configdir", "configfname", "workingdir"};
    const char *bi_val[3] = {f->dir, f->path, getcwd(cwd, sizeof cwd) ? cwd : "."};
    for (int i = 0; i < 3 && !c->oom; i++) {
        json_t *s = json_string(bi_val[i]);
        if (!s) {
            c->oom = 1;
            break;
        }
        m.v[m.n].name = m.v[m.n].key = bi_name[i];
        m.v[m.n].raw = s;
        m.v[m.n].value = json_incref(s);
        m.v[m.n].state = 2;
        m.v[m.n].own_raw = 1;
        m.n++;
    }
    for (size_t i = 0; i < m.n && !c->oom; i++) mf_resolve(c, &m, &m.v[i]);
    char kp[RV__CFG_PATH_MAX] = "";
    if (!c->oom) expand_node(c, &m, f->root, kp, 1, 1);
    for (size_t i = 0; i < m.n; i++) {
        if (m.v[i].value) json_decref(m.v[i].value);
        if (m.v[i].own_raw) json_decref(m.v[i].raw);
    }
    rv_free(m.v);
}

/* ---- typed readers --------------------------------------------------------- */

const char *rv__cfg_type_name(const json_t *v) {
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        return "an array";
    case JSON_STRING:
        return "a string";
    case JSON_INTEGER:
        return "an integer";
    case JSON_REAL:
        return "a number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "a boolean";
    case JSON_NULL:
        return "null";
    }
    return "?";
}

void rv__cfg_json_free(void *p) {
    json_malloc_t m;
    json_free_t f;
    json_get_alloc_funcs(&m, &f);
    f(p);
}

const char *rv__cfg_dump(rv__cfg_ctx *c, const json_t *v) {
    char *t = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
    if (!t) {
        c->oom = 1;
        return NULL;
    }
    const char *r = rv__cfg_strdup(c, t);
    rv__cfg_json_free(t);
    return r;
}

/* Looks key up in obj; reports a missing mandatory key. */
static json_t *fetch(rv__cfg_ctx *c, json_t *obj, const char *kp, const char *key, int required,
                     char *child) {
    rv__cfg_kp(child, kp, key);
    json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;
    if (v && !json_is_null(v)) return v;
    if (required) {
        if (kp && kp[0])
            RV__CFG_PROBLEM(c, RV_EFORMAT, child, "missing mandatory key '%s' in '%s'%s", key, kp,
                            v ? " (it is null)" : "");
        else
            RV__CFG_PROBLEM(c, RV_EFORMAT, child, "missing mandatory key '%s'%s", key,
                            v ? " (it is null)" : "");
    }
    return NULL;
}

static void bad_type(rv__cfg_ctx *c, const char *child, const char *want, const json_t *v) {
    if (json_is_string(v))
        RV__CFG_PROBLEM(c, RV_EFORMAT, child, "'%s' must be %s, not a string (\"%s\")", child, want,
                        json_string_value(v));
    else
        RV__CFG_PROBLEM(c, RV_EFORMAT, child, "'%s' must be %s, not %s", child, want,
                        rv__cfg_type_name(v));
}

int rv__cfg_num(rv__cfg_ctx *c, json_t *obj, const char *kp, const char *key, int required,
                double *out) {
    char child[RV__CFG_PATH_MAX];
    json_t *v = fetch(c, obj, kp, key, required, child);
    if (!v) return 0;
    if (!json_is_number(v)) {
        bad_type(c, child, "a number", v);
        return -1;
    }
    *out = json_number_value(v);
    return 1;
}

int rv__cfg_int(rv__cfg_ctx *c, json_t *obj, const char *kp, const char *key, int required,
                long long *out) {
    char child[RV__CFG_PATH_MAX];
    json_t *v = fetch(c, obj, kp, key, required, child);
    if (!v) return 0;
    if (json_is_integer(v)) {
        *out = (long long)json_integer_value(v);
        return 1;
    }
    if (json_is_real(v)) {
        double d = json_real_value(v);
        if (d == floor(d) && fabs(d) < 9e18) {
            *out = (long long)d;
            return 1;
        }
        RV__CFG_PROBLEM(c, RV_EFORMAT, child, "'%s' must be an integer, not %g", child, d);
        return -1;
    }
    bad_type(c, child, "an integer", v);
    return -1;
}

int rv__cfg_bool(rv__cfg_ctx *c, json_t *obj, const char *kp, const char *key, int required,
                 int *out) {
    char child[RV__CFG_PATH_MAX];
    json_t *v = fetch(c, obj, kp, key, required, child);
    if (!v) return 0;
    if (!json_is_boolean(v)) {
        bad_type(c, child, "true or false", v);
        return -1;
    }
    *out = json_is_true(v);
    return 1;
}

int rv__cfg_str(rv__cfg_ctx *c, json_t *obj, const char *kp, const char *key, int required,
                const char **out) {
    char child[RV__CFG_PATH_MAX];
    json_t *v = fetch(c, obj, kp, key, required, child);
    if (!v) return 0;
    if (!json_is_string(v)) {
        bad_type(c, child, "a string", v);
        return -1;
    }
    const char *s = rv__cfg_strdup(c, json_string_value(v));
    if (!s) return -1;
    *out = s;
    return 1;
}

int rv__cfg_path(rv__cfg_ctx *c, json_t *obj, const char *kp, const char *key, int required,
                 const char *base, const char **out) {
    char child[RV__CFG_PATH_MAX];
    json_t *v = fetch(c, obj, kp, key, required, child);
    if (!v) return 0;
    if (!json_is_string(v)) {
        bad_type(c, child, "a path (string)", v);
        return -1;
    }
    const char *s = json_string_value(v);
    if (!s[0]) {
        if (required) RV__CFG_PROBLEM(c, RV_EFORMAT, child, "'%s' must not be empty", child);
        return 0;
    }
    const char *p = rv__cfg_path_join(c, base ? base : c->file->dir, s);
    if (!p) return -1;
    *out = p;
    return 1;
}

int rv__cfg_enumv(rv__cfg_ctx *c, json_t *obj, const char *kp, const char *key, int required,
                  const rv__cfg_enum *tab, int *out) {
    char child[RV__CFG_PATH_MAX];
    json_t *v = fetch(c, obj, kp, key, required, child);
    if (!v) return 0;
    char allowed[400] = "";
    size_t k = 0;
    for (const rv__cfg_enum *e = tab; e->name; e++)
        k += (size_t)snprintf(allowed + k, k < sizeof allowed ? sizeof allowed - k : 0, "%s%s",
                              e == tab ? "" : ", ", e->name);
    if (json_is_string(v)) {
        for (const rv__cfg_enum *e = tab; e->name; e++) {
            if (strcmp(e->name, json_string_value(v)) == 0) {
                *out = e->value;
                return 1;
            }
        }
        RV__CFG_PROBLEM(c, RV_EFORMAT, child, "unknown value \"%s\" for '%s' (expected one of: %s)",
                        json_string_value(v), child, allowed);
        return -1;
    }
    RV__CFG_PROBLEM(c, RV_EFORMAT, child, "'%s' must be a string, one of: %s (not %s)", child,
                    allowed, rv__cfg_type_name(v));
    return -1;
}

int rv__cfg_nums(rv__cfg_ctx *c, json_t *obj, const char *kp, const char *key, int required,
                 int allow_scalar, const double **out, size_t *n) {
    char child[RV__CFG_PATH_MAX];
    json_t *v = fetch(c, obj, kp, key, required, child);
    if (!v) return 0;
    if (json_is_number(v) && allow_scalar) {
        double *a = rv__cfg_array(c, 1, sizeof(double));
        if (!a) return -1;
        a[0] = json_number_value(v);
        *out = a;
        *n = 1;
        return 1;
    }
    if (!json_is_array(v)) {
        bad_type(c, child, allow_scalar ? "a number or an array of numbers" : "an array of numbers",
                 v);
        return -1;
    }
    size_t cnt = json_array_size(v);
    double *a = rv__cfg_array(c, cnt ? cnt : 1, sizeof(double));
    if (!a) return -1;
    for (size_t i = 0; i < cnt; i++) {
        json_t *e = json_array_get(v, i);
        if (!json_is_number(e)) {
            char el[RV__CFG_PATH_MAX];
            rv__cfg_kpi(el, child, i);
            bad_type(c, el, "a number", e);
            return -1;
        }
        a[i] = json_number_value(e);
    }
    *out = a;
    *n = cnt;
    return 1;
}

int rv__cfg_obj(rv__cfg_ctx *c, json_t *obj, const char *kp, const char *key, int required,
                json_t **out) {
    char child[RV__CFG_PATH_MAX];
    json_t *v = fetch(c, obj, kp, key, required, child);
    if (!v) return 0;
    if (!json_is_object(v)) {
        bad_type(c, child, "an object", v);
        return -1;
    }
    *out = v;
    return 1;
}

int rv__cfg_value(rv__cfg_ctx *c, json_t *v, int strict, rv_sonata_cfg_value *out) {
    memset(out, 0, sizeof *out);
    switch (json_typeof(v)) {
    case JSON_TRUE:
    case JSON_FALSE:
        out->type = RV_SONATA_CFG_VALUE_BOOL;
        out->b = json_is_true(v);
        out->d = out->b;
        return 0;
    case JSON_INTEGER:
        out->type = RV_SONATA_CFG_VALUE_INT;
        out->i = (long long)json_integer_value(v);
        out->d = (double)out->i;
        return 0;
    case JSON_REAL:
        out->type = RV_SONATA_CFG_VALUE_DOUBLE;
        out->d = json_real_value(v);
        return 0;
    case JSON_STRING:
        out->type = RV_SONATA_CFG_VALUE_STRING;
        out->s = rv__cfg_strdup(c, json_string_value(v));
        return 0;
    case JSON_NULL:
        if (strict) return -1;
        out->type = RV_SONATA_CFG_VALUE_NULL;
        return 0;
    default:
        if (strict) return -1;
        out->type = RV_SONATA_CFG_VALUE_JSON;
        out->s = rv__cfg_dump(c, v);
        return 0;
    }
}

void rv__cfg_params(rv__cfg_ctx *c, json_t *obj, const char *kp, int strict,
                    rv_sonata_cfg_params *out) {
    memset(out, 0, sizeof *out);
    size_t n = json_object_size(obj);
    if (!json_is_object(obj) || n == 0) return;
    rv_sonata_cfg_param *items = rv__cfg_array(c, n, sizeof *items);
    if (!items) return;
    const char *key;
    json_t *v;
    size_t k = 0;
    json_object_foreach(obj, key, v) {
        char child[RV__CFG_PATH_MAX];
        if (rv__cfg_value(c, v, strict, &items[k].value)) {
            rv__cfg_kp(child, kp, key);
            RV__CFG_PROBLEM(c, RV_EFORMAT, child,
                            "'%s' must be a boolean, a number or a string, not %s", child,
                            rv__cfg_type_name(v));
            continue;
        }
        items[k].name = rv__cfg_strdup(c, key);
        k++;
    }
    out->n = k;
    out->items = items;
}

/* ---- key positions for tools (sonata_config.h) ---------------------------- */

struct rv_sonata_json_positions {
    rv__cfg_file f;
};

rv_status rv_sonata_json_positions_load(const char *path, rv_sonata_json_positions **out,
                                        rv_error *err) {
    *out = NULL;
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        int e = errno;
        RV_FAIL(err, e == ENOENT ? RV_ENOENT : RV_EIO, "cannot open JSON file: %s", strerror(e));
        rv_error_where(err, path, 0, NULL);
        return err ? err->code : RV_EIO;
    }
    char *text = NULL;
    size_t n = 0, cap = 0;
    rv_status st = RV_OK;
    for (;;) {
        if (rv_grow((void **)&text, &cap, n + 4097, 1)) {
            st = RV_FAIL(err, RV_ENOMEM, "out of memory reading a JSON file");
            break;
        }
        size_t got = fread(text + n, 1, cap - n - 1, fp);
        n += got;
        if (got == 0) break;
    }
    if (!st && ferror(fp)) {
        st = RV_FAIL(err, RV_EIO, "cannot read JSON file");
        rv_error_where(err, path, 0, NULL);
    }
    fclose(fp);
    if (!st) {
        text[n] = '\0';
        json_error_t je;
        json_t *root = json_loadb(text, n, 0, &je);
        if (!root) {
            st = RV_FAIL(err, RV_EFORMAT, "invalid JSON: %s", je.text);
            rv_error_where(err, path, je.line, NULL);
        }
        json_decref(root);
    }
    rv_sonata_json_positions *p = NULL;
    if (!st && !(p = rv_calloc(1, sizeof *p)))
        st = RV_FAIL(err, RV_ENOMEM, "out of memory reading a JSON file");
    if (!st) {
        rv__cfg_ctx c;
        memset(&c, 0, sizeof c);
        rv__cfg_linemap(&c, &p->f, text);
        if (c.oom) st = RV_FAIL(err, RV_ENOMEM, "out of memory reading a JSON file");
    }
    rv_free(text);
    if (st) {
        rv_sonata_json_positions_destroy(p);
        return st;
    }
    *out = p;
    return RV_OK;
}

int rv_sonata_json_positions_find(const rv_sonata_json_positions *p, const char *kp, int *line,
                                  int *col) {
    return lm_find(p ? &p->f : NULL, kp, line, col);
}

void rv_sonata_json_positions_destroy(rv_sonata_json_positions *p) {
    if (!p) return;
    rv__cfg_file_free(&p->f);
    rv_free(p);
}
