/* SPDX-License-Identifier: MIT
 * morph/asc.c -- Neurolucida ASC files, read as NEURON 8.2's
 * Import3d_Neurolucida3 reads them, and its soma connection step.
 *
 * The lexer makes the tokens of NEURON's: numbers (as strtod reads them),
 * ( ) , | < >, "set" and "RGB" keywords, "strings" (on one line), labels
 * [A-Za-z0-9_]+; ';' starts a comment to the end of the line.  Any
 * whitespace separates tokens (NEURON's line reader rejects a line ending in
 * a tab; ranvier does not).
 *
 * The parser is a recursive descent over the same productions, with one
 * token of current and two of lookahead:
 *   file      = object { [,] object }
 *   object    = contour | marker | property | tree | text | set
 *   contour   = ( "name" properties points )      kept if CellBody/Cell Body/Soma
 *   tree      = ( properties branch )             type from the last property:
 *                                                 Axon 2, Dendrite 3, Apical 4, else 0
 *   branch    = treepoints branchend              one section
 *   treepoints= treepoint { [,] treepoint }       a further treepoint must be "( number"
 *   treepoint = marker | property | point [spines]
 *   branchend = [markers] [ ( branch { | branch } ) | label ]   Normal, Incomplete ...
 *   point     = ( x [,] y [[,] z [[,] d [label] [bezier]]] )
 *   spine     = < properties point >
 * An object "( (" is tried as text first (( properties point "string" )),
 * then read again as a tree, as NEURON does.  Semantic actions: a branch's
 * points make a section; a child whose first point is not its parent's last
 * gets that point (with the child's first diameter) in front; contours with
 * at least three points are somata.  Spines, colours, names, resolutions,
 * text and markers are read and dropped -- except that a marker opening a
 * branch gives its points to the branch, as in NEURON; the objects inside a
 * set count as if outside it.
 *
 * After reading, rv__connect2soma moves the somata first, merges contours
 * whose xy bounding boxes overlap into a stack, and attaches every tree root
 * to the soma whose bounding box (+0.5 um) holds its first point -- or, with a
 * note, to the nearest soma centre -- at x = 0.5, with the soma centre as a
 * logical (wire) first point.
 *
 * Stricter than NEURON: anything after the last object, negative diameters,
 * non-finite or huge numbers and nesting deeper than RV_ASC_MAX_DEPTH are
 * errors.
 */
#include "morph_int.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define RV_ASC_MAX_DEPTH 2000

enum { T_EOF, T_NUM, T_LP, T_RP, T_COMMA, T_BAR, T_SET, T_RGB, T_STR, T_LABEL, T_LSP, T_RSP };

static const char *tok_name[] = {"end of file", "number", "'('",    "')'",   "','", "'|'",
                                 "set",         "RGB",    "string", "label", "'<'", "'>'"};

typedef struct tok {
    int kind, line;
    double x;
    const char *s;
    int slen;
} tok;

typedef struct asc {
    const char *p, *end; /* lexer position */
    int line, last_line;
    tok cur, la, la2;
    i3d *d;
    double *px, *py, *pz, *pd;
    int *pline;
    int npt, cap;
    int parentsec, cursec, sectype, nprop, depth;
    const char *lastprop;
    int lastprop_len;
    rv_error *err;
    const char *path;
} asc;

#define FAIL_AT(line, code, ...)                                                                   \
    (RV_FAIL(a->err, (code), __VA_ARGS__), rv_error_where(a->err, a->path, (line), NULL), (code))

/* ---- lexer ---------------------------------------------------------------- */
static int is_label_char(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

static rv_status lex(asc *a, tok *t) {
    const char *p = a->p, *end = a->end;
    for (;;) {
        while (p < end &&
               (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n' || *p == '\v' || *p == '\f')) {
            if (*p == '\n') a->line++;
            p++;
        }
        if (p < end && *p == ';') {
            while (p < end && *p != '\n') p++;
            continue;
        }
        break;
    }
    t->s = NULL;
    t->slen = 0;
    if (p >= end) { /* placed on the last line with a token */
        t->kind = T_EOF;
        t->line = a->last_line;
        a->p = p;
        return RV_OK;
    }
    t->line = a->last_line = a->line;
    char c = *p;
    if ((c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'i' || c == 'I' ||
        c == 'n' || c == 'N') {
        const char *e = rv__parse_double(p, &t->x);
        if (e) {
            if (e > end) e = end;
            t->kind = T_NUM;
            a->p = e;
            return RV_OK;
        }
    }
    switch (c) {
    case '(':
        t->kind = T_LP;
        break;
    case ')':
        t->kind = T_RP;
        break;
    case ',':
        t->kind = T_COMMA;
        break;
    case '|':
        t->kind = T_BAR;
        break;
    case '<':
        t->kind = T_LSP;
        break;
    case '>':
        t->kind = T_RSP;
        break;
    default:
        t->kind = -1;
    }
    if (t->kind >= 0) {
        a->p = p + 1;
        return RV_OK;
    }
    if (end - p >= 3 && (!strncmp(p, "set", 3) || !strncmp(p, "Set", 3) || !strncmp(p, "SET", 3) ||
                         !strncmp(p, "RGB", 3))) {
        t->kind = p[0] == 'R' ? T_RGB : T_SET;
        a->p = p + 3;
        return RV_OK;
    }
    if (c == '"') {
        const char *q = p + 1;
        while (q < end && *q != '"' && *q != '\n') q++;
        if (q >= end || *q != '"')
            return FAIL_AT(a->line, RV_EFORMAT, "string without a closing '\"' on its line");
        t->kind = T_STR;
        t->s = p + 1;
        t->slen = (int)(q - p - 1);
        a->p = q + 1;
        return RV_OK;
    }
    if (is_label_char(c)) {
        const char *q = p;
        while (q < end && is_label_char(*q)) q++;
        t->kind = T_LABEL;
        t->s = p;
        t->slen = (int)(q - p);
        a->p = q;
        return RV_OK;
    }
    if ((unsigned char)c >= 32 && (unsigned char)c < 127)
        return FAIL_AT(a->line, RV_EFORMAT, "unexpected character '%c'", c);
    return FAIL_AT(a->line, RV_EFORMAT, "unexpected byte 0x%02x", (unsigned char)c);
}

static rv_status next(asc *a) {
    a->cur = a->la;
    a->la = a->la2;
    if (a->la.kind != T_EOF) return lex(a, &a->la2);
    a->la2.kind = T_EOF;
    a->la2.line = a->la.line;
    return RV_OK;
}

static rv_status expected(asc *a, const char *what) {
    const tok *t = &a->cur;
    if (t->kind == T_NUM)
        return FAIL_AT(t->line, RV_EFORMAT, "expected %s, found the number %g", what, t->x);
    if (t->kind == T_LABEL || t->kind == T_STR)
        return FAIL_AT(t->line, RV_EFORMAT, "expected %s, found %s '%.*s'", what, tok_name[t->kind],
                       t->slen > 60 ? 60 : t->slen, t->s);
    if (t->kind == T_EOF)
        return FAIL_AT(t->line, RV_EFORMAT,
                       "expected %s, found the end of the file (unbalanced parentheses?)", what);
    return FAIL_AT(t->line, RV_EFORMAT, "expected %s, found %s", what, tok_name[t->kind]);
}

#define CHK(k)                                                                                     \
    do {                                                                                           \
        if (a->cur.kind != (k)) return expected(a, tok_name[k]);                                   \
    } while (0)
#define NEXT()                                                                                     \
    do {                                                                                           \
        rv_status st_ = next(a);                                                                   \
        if (st_) return st_;                                                                       \
    } while (0)
#define DEMAND(k)                                                                                  \
    do {                                                                                           \
        NEXT();                                                                                    \
        CHK(k);                                                                                    \
    } while (0)
#define TRY(e)                                                                                     \
    do {                                                                                           \
        rv_status st_ = (e);                                                                       \
        if (st_) return st_;                                                                       \
    } while (0)

/* ---- points and sections ----------------------------------------------------- */
static rv_status add_point(asc *a, double x, double y, double z, double d, int line) {
    if (a->npt == a->cap) {
        int nc = a->cap ? a->cap * 2 : 4096;
        double **v[4] = {&a->px, &a->py, &a->pz, &a->pd};
        for (int k = 0; k < 4; ++k) {
            double *q = rv_realloc(*v[k], sizeof(double) * (size_t)nc);
            if (!q) return RV_FAIL(a->err, RV_ENOMEM, "out of memory");
            *v[k] = q;
        }
        int *l = rv_realloc(a->pline, sizeof(int) * (size_t)nc);
        if (!l) return RV_FAIL(a->err, RV_ENOMEM, "out of memory");
        a->pline = l;
        a->cap = nc;
    }
    int i = a->npt++;
    a->px[i] = x, a->py[i] = y, a->pz[i] = z, a->pd[i] = d, a->pline[i] = line;
    return RV_OK;
}

/* the section of points begin..end-1, below the current parent */
static rv_status newsec(asc *a, int begin, int end, int contour) {
    int n = end - begin;
    if (n <= 0) return FAIL_AT(a->cur.line, RV_EFORMAT, "a branch without points");
    for (int i = begin; i < end; ++i) {
        double m = fmax(fmax(fabs(a->px[i]), fabs(a->py[i])), fmax(fabs(a->pz[i]), fabs(a->pd[i])));
        if (!(m <= RV_MORPH_MAX_COORD))
            return FAIL_AT(a->pline[i], RV_ERANGE,
                           "point (%g, %g, %g, %g) is not finite or beyond %g um", a->px[i],
                           a->py[i], a->pz[i], a->pd[i], RV_MORPH_MAX_COORD);
        if (!contour && a->pd[i] < 0)
            return FAIL_AT(a->pline[i], RV_ERANGE, "negative diameter %g", a->pd[i]);
    }
    int extra = 0;
    if (a->parentsec >= 0) {
        const i3d_sec *ps = &a->d->sec[a->parentsec];
        const double *lp = i3d_pt(ps, ps->n - 1);
        extra = !(hoc_eq(lp[0], a->px[begin]) && hoc_eq(lp[1], a->py[begin]) &&
                  hoc_eq(lp[2], a->pz[begin]));
    }
    int idx;
    if (rv__i3d_add(a->d, n + extra, 1, &idx)) return RV_FAIL(a->err, RV_ENOMEM, "out of memory");
    i3d_sec *s = &a->d->sec[idx];
    if (extra) {
        const i3d_sec *ps = &a->d->sec[a->parentsec];
        const double *lp = i3d_pt(ps, ps->n - 1);
        rv__i3d_push(s, lp[0], lp[1], lp[2], a->pd[begin]);
    }
    for (int i = begin; i < end; ++i) rv__i3d_push(s, a->px[i], a->py[i], a->pz[i], a->pd[i]);
    s->type = a->sectype;
    s->line = a->pline[begin];
    s->iscontour = contour;
    a->cursec = idx;
    return RV_OK;
}

/* ---- productions ------------------------------------------------------------------ */
static rv_status objects(asc *a);
static rv_status branch(asc *a);

static rv_status optionalcomma(asc *a) {
    if (a->cur.kind == T_COMMA) return next(a);
    return RV_OK;
}

static int is_value(int k) {
    return k == T_NUM || k == T_STR || k == T_LABEL || k == T_RGB;
}

static rv_status value(asc *a) {
    int c = a->cur.kind;
    if (c == T_RGB) {
        DEMAND(T_LP);
        DEMAND(T_NUM);
        NEXT();
        TRY(optionalcomma(a));
        CHK(T_NUM);
        NEXT();
        TRY(optionalcomma(a));
        CHK(T_NUM);
        DEMAND(T_RP);
    } else if (c != T_NUM && c != T_STR && c != T_LABEL) {
        return expected(a, "a value");
    }
    return next(a);
}

static rv_status property(asc *a) {
    CHK(T_LP);
    DEMAND(T_LABEL);
    a->nprop++;
    a->lastprop = a->cur.s;
    a->lastprop_len = a->cur.slen;
    NEXT();
    while (is_value(a->cur.kind)) TRY(value(a));
    CHK(T_RP);
    return next(a);
}

static rv_status p_set(asc *a) {
    if (++a->depth > RV_ASC_MAX_DEPTH)
        return FAIL_AT(a->cur.line, RV_EUNSUPPORTED, "sets nested deeper than %d",
                       RV_ASC_MAX_DEPTH);
    CHK(T_LP);
    DEMAND(T_SET);
    DEMAND(T_STR);
    NEXT();
    if (a->cur.kind != T_RP) TRY(objects(a));
    CHK(T_RP);
    a->depth--;
    return next(a);
}

static rv_status properties(asc *a) {
    a->nprop = 0;
    while (a->cur.kind == T_LP && (a->la.kind == T_LABEL || a->la.kind == T_SET)) {
        TRY(a->la.kind == T_LABEL ? property(a) : p_set(a));
        TRY(optionalcomma(a));
    }
    return RV_OK;
}

/* ( x [,] y [[,] z [[,] d [label] [( b b b b )]]] ); keep: append the point */
static rv_status point(asc *a, int keep) {
    CHK(T_LP);
    DEMAND(T_NUM);
    double xv = a->cur.x, yv, zv = 0, dv = 0;
    int line = a->cur.line;
    NEXT();
    TRY(optionalcomma(a));
    CHK(T_NUM);
    yv = a->cur.x;
    NEXT();
    TRY(optionalcomma(a));
    if (a->cur.kind == T_NUM) {
        zv = a->cur.x;
        NEXT();
        TRY(optionalcomma(a));
        if (a->cur.kind == T_NUM) {
            dv = a->cur.x;
            NEXT();
            TRY(optionalcomma(a));
            if (a->cur.kind == T_LABEL) NEXT();
            TRY(optionalcomma(a));
            if (a->cur.kind == T_LP) { /* bezier control values */
                DEMAND(T_NUM);
                for (int k = 0; k < 3; ++k) {
                    NEXT();
                    TRY(optionalcomma(a));
                    CHK(T_NUM);
                }
                DEMAND(T_RP);
                NEXT();
            }
        }
    }
    if (keep) TRY(add_point(a, xv, yv, zv, dv, line));
    CHK(T_RP);
    return next(a);
}

static rv_status points(asc *a) {
    TRY(point(a, 1));
    for (;;) {
        TRY(optionalcomma(a));
        if (a->cur.kind != T_LP) break;
        TRY(point(a, 1));
    }
    return RV_OK;
}

static rv_status marker(asc *a) {
    CHK(T_LP);
    DEMAND(T_LABEL);
    NEXT();
    TRY(properties(a));
    TRY(points(a));
    CHK(T_RP);
    return next(a);
}

static rv_status marker_or_property(asc *a) {
    return a->la2.kind == T_LP ? marker(a) : property(a);
}

/* ( ... ) skipped with everything inside */
static rv_status markerlist(asc *a) {
    CHK(T_LP);
    int line = a->cur.line;
    for (int depth = 1; depth != 0;) {
        NEXT();
        if (a->cur.kind == T_RP)
            depth--;
        else if (a->cur.kind == T_LP)
            depth++;
        else if (a->cur.kind == T_EOF)
            return FAIL_AT(line, RV_EFORMAT,
                           "unbalanced parentheses: the marker list starting here is not closed");
    }
    return next(a);
}

static rv_status spine(asc *a) {
    CHK(T_LSP);
    NEXT();
    TRY(properties(a));
    TRY(point(a, 0));
    CHK(T_RSP);
    return next(a);
}

static rv_status treepoint(asc *a) {
    if (a->la.kind == T_LABEL) return marker_or_property(a);
    TRY(point(a, 1));
    while (a->cur.kind == T_LSP) TRY(spine(a));
    return RV_OK;
}

static rv_status node(asc *a) {
    if (a->cur.kind == T_LP) {
        NEXT();
        TRY(branch(a));
        while (a->cur.kind == T_BAR) {
            NEXT();
            TRY(branch(a));
        }
        CHK(T_RP);
        return next(a);
    }
    if (a->cur.kind == T_LABEL) return next(a);
    return expected(a, "'(' or a label");
}

static rv_status branch(asc *a) {
    if (++a->depth > RV_ASC_MAX_DEPTH)
        return FAIL_AT(a->cur.line, RV_EUNSUPPORTED, "branches nested deeper than %d",
                       RV_ASC_MAX_DEPTH);
    int psav = a->parentsec, begin = a->npt;
    TRY(treepoint(a));
    for (;;) {
        TRY(optionalcomma(a));
        if (a->cur.kind != T_LP || a->la.kind != T_NUM) break;
        TRY(treepoint(a));
    }
    TRY(newsec(a, begin, a->npt, 0));
    a->d->sec[a->cursec].parent = a->parentsec;
    a->parentsec = a->cursec;
    /* branch end: markers, then children or an ending label */
    TRY(optionalcomma(a));
    if (a->cur.kind == T_LP)
        while (a->la.kind == T_LABEL) TRY(markerlist(a));
    TRY(optionalcomma(a));
    if (a->cur.kind == T_LP || a->cur.kind == T_LABEL) TRY(node(a));
    a->parentsec = psav;
    a->depth--;
    return RV_OK;
}

static rv_status tree(asc *a) {
    a->parentsec = -1;
    CHK(T_LP);
    NEXT();
    TRY(properties(a));
    a->sectype = 0;
    if (a->nprop) {
        const char *s = a->lastprop;
        int n = a->lastprop_len;
        if (n == 4 && !strncmp(s, "Axon", 4))
            a->sectype = 2;
        else if (n == 8 && !strncmp(s, "Dendrite", 8))
            a->sectype = 3;
        else if (n == 6 && !strncmp(s, "Apical", 6))
            a->sectype = 4;
    }
    TRY(branch(a));
    CHK(T_RP);
    a->parentsec = -1;
    return next(a);
}

/* ( properties point "text" ): 1 if it is one (consumed), 0 if not */
static rv_status text(asc *a, int *is_text) {
    *is_text = 0;
    CHK(T_LP);
    NEXT();
    TRY(properties(a));
    TRY(point(a, 0));
    if (a->cur.kind != T_STR) return RV_OK;
    NEXT();
    if (a->cur.kind != T_RP) return RV_OK;
    *is_text = 1;
    return next(a);
}

static rv_status contour(asc *a) {
    CHK(T_LP);
    int begin = a->npt;
    DEMAND(T_STR);
    const char *s = a->cur.s;
    int n = a->cur.slen, line = a->cur.line;
    int keep = (n == 8 && !strncmp(s, "CellBody", 8)) || (n == 9 && !strncmp(s, "Cell Body", 9)) ||
               (n == 4 && !strncmp(s, "Soma", 4));
    NEXT();
    TRY(properties(a));
    TRY(points(a));
    if (keep) {
        if (a->npt - begin > 2) {
            a->sectype = 1;
            TRY(newsec(a, begin, a->npt, 1));
        } else if (rv__i3d_note(a->d,
                                "CellBody contour at line %d has fewer than three points: "
                                "ignored",
                                line)) {
            return RV_FAIL(a->err, RV_ENOMEM, "out of memory");
        }
    }
    CHK(T_RP);
    return next(a);
}

static rv_status object(asc *a) {
    if (a->cur.kind != T_LP) return expected(a, "'('");
    switch (a->la.kind) {
    case T_STR:
        return contour(a);
    case T_LABEL:
        return marker_or_property(a);
    case T_SET:
        return p_set(a);
    case T_LP: {
        asc save = *a;
        int is_text;
        TRY(text(a, &is_text));
        if (is_text) return RV_OK;
        /* not text: read it again as a tree */
        a->p = save.p, a->line = save.line, a->last_line = save.last_line;
        a->cur = save.cur, a->la = save.la, a->la2 = save.la2;
        a->npt = save.npt;
        return tree(a);
    }
    default:
        NEXT();
        return expected(a, "a string, a label, '(' or set after '('");
    }
}

static rv_status objects(asc *a) {
    TRY(object(a));
    for (;;) {
        TRY(optionalcomma(a));
        if (a->cur.kind != T_LP) break;
        TRY(object(a));
    }
    return RV_OK;
}

rv_status rv__asc_read(const char *buf, size_t n, i3d *d, rv_error *err) {
    asc a0 = {0}, *a = &a0;
    a->p = buf;
    a->end = buf + n;
    a->line = 1;
    a->d = d;
    a->err = err;
    a->path = d->path;
    a->parentsec = -1;
    rv_status st;
    a->la.kind = a->la2.kind = T_EOF;
    if ((st = lex(a, &a->cur))) goto done;
    if (a->cur.kind != T_EOF) {
        if ((st = lex(a, &a->la))) goto done;
        if (a->la.kind != T_EOF && (st = lex(a, &a->la2))) goto done;
    }
    if (a->cur.kind == T_EOF) {
        st = RV_FAIL(err, RV_EFORMAT, "no objects: the file is empty or only comments");
        rv_error_where(err, a->path, 0, NULL);
        goto done;
    }
    if ((st = objects(a))) goto done;
    if (a->cur.kind != T_EOF) {
        st = expected(a, "'(' starting an object or the end of the file");
        goto done;
    }
    d->npoint_read = a->npt;
    st = rv__connect2soma(d, err);
done:
    rv_free(a->px), rv_free(a->py), rv_free(a->pz), rv_free(a->pd), rv_free(a->pline);
    return st;
}

/* ---- soma connection ---------------------------------------------------------- */
static void bbox(const i3d_sec *s, double bb[6]) {
    for (int k = 0; k < 3; ++k) {
        double lo = i3d_pt(s, 0)[k], hi = lo;
        for (int i = 1; i < s->n; ++i) {
            double v = i3d_pt(s, i)[k];
            if (v < lo) lo = v;
            if (hi < v) hi = v;
        }
        bb[k] = lo, bb[3 + k] = hi;
    }
}

static int xy_intersect(const double *b1, const double *b2) {
    for (int i = 0; i < 2; ++i)
        if (hoc_gt(b1[i], b2[3 + i]) || hoc_gt(b2[i], b1[3 + i])) return 0;
    return 1;
}

/* contourcenter of a section's outline (its raw points are left alone) */
static rv_status outline_center(const i3d_sec *s, double c[3]) {
    int n = s->n, cap = n > 101 ? n : 101;
    double *blk = rv_malloc(sizeof(double) * (size_t)(3 * cap + 2 * n));
    if (!blk) return RV_ENOMEM;
    double *x = blk, *y = x + cap, *z = y + cap;
    for (int i = 0; i < n; ++i) {
        const double *p = i3d_pt(s, i);
        x[i] = p[0], y[i] = p[1], z[i] = p[2];
    }
    rv__contourcenter(x, y, z, n, z + cap, c);
    rv_free(blk);
    return RV_OK;
}

/* the centre of a contour stack: halfway along the line of its centres */
static rv_status stack_center(const i3d *d, const i3d_sec *s, double c[3]) {
    int m = s->nstack + 1;
    double *cen = rv_malloc(sizeof(double) * 4 * (size_t)m);
    if (!cen) return RV_ENOMEM;
    double *lenv = cen + 3 * m;
    rv_status st = outline_center(s, cen);
    lenv[0] = 0;
    double len = 0;
    for (int i = 0; i < s->nstack && !st; ++i) {
        st = outline_center(&d->sec[s->stack[i]], cen + 3 * (i + 1));
        double sq = 0;
        for (int k = 0; k < 3; ++k) {
            double t = cen[3 * (i + 1) + k] - cen[3 * i + k];
            sq += t * t;
        }
        len += sqrt(sq);
        lenv[i + 1] = len;
    }
    if (!st) {
        len = len / 2;
        if (hoc_eq(len, 0)) {
            for (int k = 0; k < 3; ++k) c[k] = cen[k];
        } else {
            int i = 0;
            while (i < m && !(lenv[i] > len + RV_HOC_EPS)) i++;
            if (i == 0 || i == m) i = m - 1; /* not reached: lenv[m-1] = 2 len */
            double th = (len - lenv[i - 1]) / (lenv[i] - lenv[i - 1]);
            for (int k = 0; k < 3; ++k)
                c[k] = th * cen[3 * i + k] + (1 - th) * cen[3 * (i - 1) + k];
        }
    }
    rv_free(cen);
    return st;
}

static rv_status attach(i3d_sec *s, int soma, const double *c) {
    s->parent = soma;
    s->parentx = .5;
    s->first = 1;
    return rv__i3d_insert_front(s, c[0], c[1], c[2], .01);
}

rv_status rv__connect2soma(i3d *d, rv_error *err) {
    int n = d->nsec;
    if (n == 0) return RV_OK;
    int *perm = rv_malloc(sizeof(int) * 3 * (size_t)n);
    double *cen = rv_malloc(sizeof(double) * 3 * (size_t)n);
    if (!perm || !cen) {
        rv_free(perm), rv_free(cen);
        return RV_FAIL(err, RV_ENOMEM, "out of memory");
    }
    int *somas = perm + n, *roots = somas + n;
    rv_status st = RV_OK;
    /* somata first, in file order */
    int k = 0;
    for (int i = 0; i < n; ++i)
        if (d->sec[i].iscontour) perm[k++] = i;
    int nsoma = k;
    for (int i = 0; i < n; ++i)
        if (!d->sec[i].iscontour) perm[k++] = i;
    if ((st = rv__i3d_permute(d, perm))) goto oom;
    for (int i = 0; i < nsoma; ++i) somas[i] = i;
    /* contours with overlapping xy bounding boxes (one after another) form a
     * stack drawn into the first */
    if (nsoma > 0) {
        double bb1[6], bb2[6];
        int first = somas[0], j = 0, count = nsoma;
        bbox(&d->sec[first], bb1);
        for (int i = 1; i < count; ++i) {
            j += 1;
            int nx = somas[j];
            bbox(&d->sec[nx], bb2);
            if (xy_intersect(bb1, bb2)) {
                i3d_sec *f = &d->sec[first];
                int *q = rv_realloc(f->stack, sizeof(int) * (size_t)(f->nstack + 1));
                if (!q) goto oom;
                f->stack = q;
                f->stack[f->nstack++] = nx;
                d->sec[nx].is_subsidiary = 1;
                memmove(somas + j, somas + j + 1, sizeof(int) * (size_t)(nsoma - j - 1));
                nsoma--;
                j -= 1;
            } else {
                first = nx;
            }
            memcpy(bb1, bb2, sizeof bb1);
        }
    }
    int nroot = 0;
    for (int i = 0; i < n; ++i)
        if (!d->sec[i].iscontour && d->sec[i].parent < 0) roots[nroot++] = i;
    if (nsoma == 0) goto done;
    for (int s = 0; s < nsoma; ++s) {
        i3d_sec *so = &d->sec[somas[s]];
        double *c = cen + 3 * s, xmin, xmax, ymin, ymax;
        if (so->nstack > 0) {
            if ((st = stack_center(d, so, c))) goto oom;
            double bbs[6], bbc[6];
            bbox(so, bbs);
            for (int i = 0; i < so->nstack; ++i) {
                bbox(&d->sec[so->stack[i]], bbc);
                for (int q = 0; q < 3; ++q) {
                    if (hoc_gt(bbs[q], bbc[q])) bbs[q] = bbc[q];
                    if (hoc_lt(bbs[q + 3], bbc[q + 3])) bbs[q + 3] = bbc[q + 3];
                }
            }
            xmin = bbs[0], xmax = bbs[3], ymin = bbs[1], ymax = bbs[4];
        } else {
            double bb[6];
            bbox(so, bb);
            xmin = bb[0] - .5, xmax = bb[3] + .5, ymin = bb[1] - .5, ymax = bb[4] + .5;
            if ((st = outline_center(so, c))) goto oom;
        }
        /* GUIMath.inside compares in single precision */
        float fx1 = (float)xmin, fx2 = (float)xmax, fy1 = (float)ymin, fy2 = (float)ymax;
        for (int i = nroot - 1; i >= 0; --i) {
            i3d_sec *r = &d->sec[roots[i]];
            float fx = (float)i3d_pt(r, 0)[0], fy = (float)i3d_pt(r, 0)[1];
            if (fx >= fx1 && fx <= fx2 && fy >= fy1 && fy <= fy2) {
                if (attach(r, somas[s], c)) goto oom;
                memmove(roots + i, roots + i + 1, sizeof(int) * (size_t)(nroot - i - 1));
                nroot--;
            }
        }
    }
    /* roots outside every soma: to the nearest soma centre */
    int imin = 0;
    for (int i = 0; i < nroot; ++i) {
        i3d_sec *r = &d->sec[roots[i]];
        double dmin = 1e9;
        for (int j = 0; j < nsoma; ++j) {
            double sq = 0;
            for (int q = 0; q < 3; ++q) {
                double t = i3d_pt(r, 0)[q] - cen[3 * j + q];
                sq += t * t;
            }
            double dist = sqrt(sq);
            if (hoc_lt(dist, dmin)) imin = j, dmin = dist;
        }
        if (rv__i3d_note(d,
                         "main branch starting at line %d is outside the soma bounding boxes: "
                         "connected to the centre of the nearest soma",
                         r->line))
            goto oom;
        if (attach(r, somas[imin], cen + 3 * imin)) goto oom;
    }
done:
    rv_free(perm), rv_free(cen);
    return RV_OK;
oom:
    rv_free(perm), rv_free(cen);
    return RV_FAIL(err, RV_ENOMEM, "out of memory");
}
