/* SPDX-License-Identifier: MIT
 * hoc/hoc_parse.c -- hoc source to an AST, one top-level statement at a time.
 *
 * The parser knows nothing of the model or of run-time values: names are
 * resolved when executed, except the locals of the function being parsed
 * (`local`, `localobj`), which get frame slots.  Precedence follows hoc:
 * || < && < comparisons < + - < * / % < unary - ! < ^ (right associative).
 * A reference followed on the same line by a statement is a section
 * statement (`soma insert hh`, `dend[i] { ... }`).  Nodes live in an arena
 * owned by the interpreter (functions keep pointing into it).
 */
#include "hoc/hoc_int.h"

#include <stdlib.h>
#include <string.h>

/* ---- arena ------------------------------------------------------------- */
struct hoc_arena {
    struct chunk {
        struct chunk *next;
        size_t used, cap;
        max_align_t data[];
    } * head;
};

hoc_arena *hocP_arena_new(void) {
    return rv_calloc(1, sizeof(hoc_arena));
}

void hocP_arena_free(hoc_arena *a) {
    if (!a) return;
    struct chunk *c = a->head;
    while (c) {
        struct chunk *n = c->next;
        rv_free(c);
        c = n;
    }
    rv_free(a);
}

void *hocP_alloc(hoc_arena *a, size_t n) {
    n = (n + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
    if (!a->head || a->head->used + n > a->head->cap) {
        size_t want = a->head ? 16384 : 2048; /* small first chunk: execute() strings */
        size_t cap = n > want ? n : want;
        struct chunk *c = rv_malloc(sizeof *c + cap);
        if (!c) return NULL;
        c->next = a->head;
        c->used = 0;
        c->cap = cap;
        a->head = c;
    }
    char *p = (char *)a->head->data + a->head->used;
    a->head->used += n;
    memset(p, 0, n);
    return p;
}

/* ---- helpers ------------------------------------------------------------ */
#define TOK (&ps->lx.tok)

static int perr(hoc_parser *ps, const char *fmt, ...) {
    if (ps->err[0]) return -1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ps->err, sizeof ps->err, fmt, ap);
    va_end(ap);
    ps->errline = ps->lx.tok.line;
    return -1;
}

static int adv(hoc_parser *ps) {
    if (hocL_next(&ps->lx)) {
        ps->errline = ps->lx.line;
        snprintf(ps->err, sizeof ps->err, "%s", ps->lx.err);
        return -1;
    }
    return 0;
}

static int is_op(hoc_parser *ps, const char *op) {
    return TOK->kind == T_OP && TOK->text[0] == op[0] && strcmp(TOK->text, op) == 0;
}
static int is_kw(hoc_parser *ps, const char *kw) {
    return TOK->kind == T_IDENT && TOK->text[0] == kw[0] && strcmp(TOK->text, kw) == 0;
}

static const char *tokdesc(hoc_parser *ps) {
    static char buf[300];
    switch (TOK->kind) {
    case T_EOF:
        return "end of file";
    case T_NL:
        return "end of line";
    case T_NUM:
        return "a number";
    case T_STR:
        return "a string";
    default:
        snprintf(buf, sizeof buf, "'%s'", TOK->text);
        return buf;
    }
}

static int expect(hoc_parser *ps, const char *op) {
    if (!is_op(ps, op)) return perr(ps, "syntax error: expected '%s' before %s", op, tokdesc(ps));
    return adv(ps);
}

static void skip_nl(hoc_parser *ps) {
    while (TOK->kind == T_NL && !ps->err[0]) adv(ps);
}

static hoc_node *mk(hoc_parser *ps, hoc_nkind k) {
    hoc_node *n = hocP_alloc(ps->arena, sizeof *n);
    if (!n) {
        perr(ps, "out of memory");
        return NULL;
    }
    n->kind = k;
    n->line = TOK->line;
    n->file = ps->file;
    n->slot = -1;
    return n;
}

static char *sdup(hoc_parser *ps, const char *s) {
    size_t n = strlen(s) + 1;
    char *d = hocP_alloc(ps->arena, n);
    if (!d) {
        perr(ps, "out of memory");
        return NULL;
    }
    memcpy(d, s, n);
    return d;
}

/* growable node list in the arena */
typedef struct {
    hoc_node **v;
    int n, cap;
} nlist;

static int push(hoc_parser *ps, nlist *l, hoc_node *x) {
    if (l->n == l->cap) {
        int cap = l->cap ? 2 * l->cap : 4;
        hoc_node **v = hocP_alloc(ps->arena, (size_t)cap * sizeof *v);
        if (!v) return perr(ps, "out of memory");
        if (l->n) memcpy(v, l->v, (size_t)l->n * sizeof *v);
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n++] = x;
    return 0;
}

static int local_slot(hoc_parser *ps, const char *name) {
    if (!ps->in_func) return -1;
    for (int i = 0; i < ps->nlocals; ++i)
        if (strcmp(ps->locals[i], name) == 0) return i;
    return -1;
}

static const char *keywords[] = {"if",     "else",          "while",
                                 "for",    "forsec",        "forall",
                                 "ifsec",  "break",         "continue",
                                 "return", "proc",          "func",
                                 "obfunc", "local",         "localobj",
                                 "objref", "objectvar",     "strdef",
                                 "double", "create",        "connect",
                                 "access", "insert",        "uninsert",
                                 "print",  "begintemplate", "endtemplate",
                                 "public", "external",      "new",
                                 "stop",   "iterator",      "iterator_statement",
                                 NULL};

static void copy_name(char *d, size_t n, const char *s) {
    size_t l = strlen(s);
    if (l >= n) l = n - 1;
    memcpy(d, s, l);
    d[l] = 0;
}

static int is_keyword(const char *s) {
    for (int i = 0; keywords[i]; ++i)
        if (s[0] == keywords[i][0] && strcmp(s, keywords[i]) == 0) return 1;
    return 0;
}

/* ---- expressions ---------------------------------------------------------- */
static hoc_node *expr(hoc_parser *ps);
static hoc_node *statement(hoc_parser *ps);

static int arglist(hoc_parser *ps, hoc_node ***out, int *nout) {
    nlist l = {0};
    if (expect(ps, "(")) return -1;
    if (!is_op(ps, ")")) {
        for (;;) {
            hoc_node *e = expr(ps);
            if (!e || push(ps, &l, e)) return -1;
            if (is_op(ps, ",")) {
                if (adv(ps)) return -1;
                continue;
            }
            break;
        }
    }
    if (expect(ps, ")")) return -1;
    *out = l.v;
    *nout = l.n;
    return 0;
}

/* name[i][j](args) after the identifier has been read into `name` */
static hoc_node *ref_tail(hoc_parser *ps, hoc_node *base, const char *name, int line) {
    hoc_node *n = mk(ps, N_REF);
    if (!n) return NULL;
    n->line = line;
    n->a = base;
    n->name = sdup(ps, name);
    if (!base) n->slot = local_slot(ps, name);
    nlist idx = {0};
    while (is_op(ps, "[")) {
        if (adv(ps)) return NULL;
        hoc_node *e = expr(ps);
        if (!e || push(ps, &idx, e) || expect(ps, "]")) return NULL;
    }
    n->list = idx.v;
    n->nlist = idx.n;
    if (is_op(ps, "(")) {
        n->has_call = 1;
        if (arglist(ps, &n->args, &n->nargs)) return NULL;
    }
    return n;
}

static hoc_node *postfix(hoc_parser *ps, hoc_node *n) {
    while (n && is_op(ps, ".")) {
        if (adv(ps)) return NULL;
        if (TOK->kind != T_IDENT) {
            perr(ps, "syntax error: expected a member name after '.'");
            return NULL;
        }
        char name[256];
        copy_name(name, sizeof name, TOK->text);
        int line = TOK->line;
        if (adv(ps)) return NULL;
        n = ref_tail(ps, n, name, line);
    }
    return n;
}

static hoc_node *primary(hoc_parser *ps) {
    hoc_node *n;
    switch (TOK->kind) {
    case T_NUM:
        n = mk(ps, N_NUM);
        if (!n) return NULL;
        n->num = TOK->num;
        if (adv(ps)) return NULL;
        return n;
    case T_STR:
        n = mk(ps, N_STR);
        if (!n || !(n->name = sdup(ps, TOK->text)) || adv(ps)) return NULL;
        return n;
    case T_ARG:
        n = mk(ps, N_ARG);
        if (!n) return NULL;
        n->argkind = TOK->text[0];
        n->num = TOK->num;
        if (TOK->text[1]) {
            n->b = mk(ps, N_REF);
            if (!n->b || !(n->b->name = sdup(ps, TOK->text + 1))) return NULL;
            n->b->slot = local_slot(ps, TOK->text + 1);
        }
        if (!ps->in_func) {
            perr(ps, "$%g used outside a procedure or function", TOK->num);
            return NULL;
        }
        if (adv(ps)) return NULL;
        return postfix(ps, n);
    case T_IDENT: {
        if (strcmp(TOK->text, "new") == 0) {
            n = mk(ps, N_NEW);
            if (!n || adv(ps)) return NULL;
            if (TOK->kind != T_IDENT) {
                perr(ps, "syntax error: expected a class name after 'new'");
                return NULL;
            }
            if (!(n->name = sdup(ps, TOK->text)) || adv(ps)) return NULL;
            if (is_op(ps, "(")) {
                if (arglist(ps, &n->args, &n->nargs)) return NULL;
            }
            return postfix(ps, n);
        }
        if (strcmp(TOK->text, "numarg") == 0) {
            n = mk(ps, N_NUMARG);
            if (!n || adv(ps)) return NULL;
            if (!ps->in_func) {
                perr(ps, "numarg() used outside a procedure or function");
                return NULL;
            }
            if (expect(ps, "(") || expect(ps, ")")) return NULL;
            return n;
        }
        if (is_keyword(TOK->text)) {
            perr(ps, "syntax error: unexpected keyword '%s' in an expression", TOK->text);
            return NULL;
        }
        char name[256];
        copy_name(name, sizeof name, TOK->text);
        int line = TOK->line;
        if (adv(ps)) return NULL;
        return postfix(ps, ref_tail(ps, NULL, name, line));
    }
    case T_OP:
        if (is_op(ps, "(")) {
            if (adv(ps)) return NULL;
            n = expr(ps);
            if (!n || expect(ps, ")")) return NULL;
            return n;
        }
        if (is_op(ps, "&")) {
            n = mk(ps, N_ADDR);
            if (!n || adv(ps)) return NULL;
            n->a = primary(ps);
            if (!n->a) return NULL;
            if (n->a->kind != N_REF && n->a->kind != N_ARG) {
                perr(ps, "syntax error: '&' needs a variable");
                return NULL;
            }
            return n;
        }
        break;
    default:
        break;
    }
    perr(ps, "syntax error: unexpected %s", tokdesc(ps));
    return NULL;
}

static hoc_node *unary(hoc_parser *ps);

static hoc_node *power(hoc_parser *ps) {
    hoc_node *l = primary(ps);
    if (l && is_op(ps, "^")) {
        hoc_node *n = mk(ps, N_BIN);
        if (!n || adv(ps)) return NULL;
        n->op = '^';
        n->a = l;
        n->b = unary(ps);
        return n->b ? n : NULL;
    }
    return l;
}

static hoc_node *unary(hoc_parser *ps) {
    if (is_op(ps, "-") || is_op(ps, "!")) {
        hoc_node *n = mk(ps, N_UNARY);
        if (!n) return NULL;
        n->op = TOK->text[0];
        if (adv(ps)) return NULL;
        n->a = unary(ps);
        return n->a ? n : NULL;
    }
    if (is_op(ps, "+")) {
        if (adv(ps)) return NULL;
        return unary(ps);
    }
    return power(ps);
}

static hoc_node *binary(hoc_parser *ps, int level);

static int op_level(hoc_parser *ps, int *op) {
    if (TOK->kind != T_OP) return -1;
    const char *t = TOK->text;
    if (!strcmp(t, "||")) return *op = 'o', 0;
    if (!strcmp(t, "&&")) return *op = 'a', 1;
    if (!strcmp(t, "==")) return *op = 'e', 2;
    if (!strcmp(t, "!=")) return *op = 'n', 2;
    if (!strcmp(t, "<")) return *op = '<', 2;
    if (!strcmp(t, "<=")) return *op = 'l', 2;
    if (!strcmp(t, ">")) return *op = '>', 2;
    if (!strcmp(t, ">=")) return *op = 'g', 2;
    if (!strcmp(t, "+")) return *op = '+', 3;
    if (!strcmp(t, "-")) return *op = '-', 3;
    if (!strcmp(t, "*")) return *op = '*', 4;
    if (!strcmp(t, "/")) return *op = '/', 4;
    if (!strcmp(t, "%")) return *op = '%', 4;
    return -1;
}

static hoc_node *binary(hoc_parser *ps, int level) {
    if (level > 4) return unary(ps);
    hoc_node *l = binary(ps, level + 1);
    for (;;) {
        if (!l) return NULL;
        int op = 0;
        if (op_level(ps, &op) != level) return l;
        hoc_node *n = mk(ps, op == 'o' ? N_OR : op == 'a' ? N_AND : N_BIN);
        if (!n || adv(ps)) return NULL;
        skip_nl(ps);
        n->op = op;
        n->a = l;
        n->b = binary(ps, level + 1);
        if (!n->b) return NULL;
        l = n;
    }
}

static hoc_node *expr(hoc_parser *ps) {
    hoc_node *l = binary(ps, 0);
    if (!l) return NULL;
    if (TOK->kind == T_OP && (is_op(ps, "=") || is_op(ps, "+=") || is_op(ps, "-=") ||
                              is_op(ps, "*=") || is_op(ps, "/="))) {
        if (l->kind != N_REF && l->kind != N_ARG) {
            perr(ps, "syntax error: cannot assign to this expression");
            return NULL;
        }
        hoc_node *n = mk(ps, N_ASSIGN);
        if (!n) return NULL;
        n->op = TOK->text[0];
        n->line = l->line;
        if (adv(ps)) return NULL;
        n->a = l;
        n->b = expr(ps);
        return n->b ? n : NULL;
    }
    return l;
}

/* ---- statements ---------------------------------------------------------- */
static int at_stmt_end(hoc_parser *ps) {
    return TOK->kind == T_NL || TOK->kind == T_EOF || is_op(ps, ";") || is_op(ps, "}");
}

static hoc_node *block(hoc_parser *ps) {
    hoc_node *n = mk(ps, N_BLOCK);
    if (!n || expect(ps, "{")) return NULL;
    nlist l = {0};
    for (;;) {
        while (TOK->kind == T_NL || is_op(ps, ";"))
            if (adv(ps)) return NULL;
        if (is_op(ps, "}")) break;
        if (TOK->kind == T_EOF) {
            perr(ps, "syntax error: missing '}' (block opened on line %d)", n->line);
            return NULL;
        }
        hoc_node *s = statement(ps);
        if (!s || push(ps, &l, s)) return NULL;
    }
    if (adv(ps)) return NULL;
    n->list = l.v;
    n->nlist = l.n;
    return n;
}

/* statement after `if (...)`, `while (...)` etc.: may start on a new line */
static hoc_node *body(hoc_parser *ps) {
    skip_nl(ps);
    if (TOK->kind == T_EOF) {
        perr(ps, "syntax error: missing statement at end of file");
        return NULL;
    }
    return statement(ps);
}

static hoc_node *cond_paren(hoc_parser *ps) {
    if (expect(ps, "(")) return NULL;
    hoc_node *e = expr(ps);
    if (!e || expect(ps, ")")) return NULL;
    return e;
}

static int names(hoc_parser *ps, hoc_node *n, int with_dims) {
    nlist l = {0};
    for (;;) {
        if (TOK->kind != T_IDENT || is_keyword(TOK->text))
            return perr(ps, "syntax error: expected a name, found %s", tokdesc(ps));
        hoc_node *r = mk(ps, N_REF);
        if (!r || !(r->name = sdup(ps, TOK->text)) || adv(ps)) return -1;
        nlist idx = {0};
        while (with_dims && is_op(ps, "[")) {
            if (adv(ps)) return -1;
            hoc_node *e = expr(ps);
            if (!e || push(ps, &idx, e) || expect(ps, "]")) return -1;
        }
        r->list = idx.v;
        r->nlist = idx.n;
        if (push(ps, &l, r)) return -1;
        if (!is_op(ps, ",")) break;
        if (adv(ps)) return -1;
        skip_nl(ps);
    }
    n->list = l.v;
    n->nlist = l.n;
    return 0;
}

static hoc_node *funcdef(hoc_parser *ps, int kind) {
    hoc_node *n = mk(ps, N_FUNCDEF);
    if (!n || adv(ps)) return NULL;
    if (ps->in_func) {
        perr(ps, "syntax error: nested procedure or function definition");
        return NULL;
    }
    if (TOK->kind != T_IDENT || is_keyword(TOK->text)) {
        perr(ps, "syntax error: expected a name after %s",
             kind == 'p'   ? "proc"
             : kind == 'f' ? "func"
                           : "obfunc");
        return NULL;
    }
    hoc_func *f = hocP_alloc(ps->arena, sizeof *f);
    if (!f || !(f->name = sdup(ps, TOK->text)) || adv(ps)) return NULL;
    f->kind = kind;
    if (expect(ps, "(") || expect(ps, ")")) return NULL;
    skip_nl(ps);
    ps->in_func = 1;
    ps->nlocals = 0;
    f->body = block(ps);
    ps->in_func = 0;
    if (!f->body) return NULL;
    f->nlocals = ps->nlocals;
    f->localobj = hocP_alloc(ps->arena, (size_t)ps->nlocals + 1);
    if (!f->localobj) return NULL;
    if (ps->nlocals) memcpy(f->localobj, ps->localobj, (size_t)ps->nlocals);
    n->fn = f;
    n->name = f->name;
    return n;
}

static int add_local(hoc_parser *ps, const char *name, int obj) {
    if (local_slot(ps, name) >= 0) return 0;
    if (ps->nlocals == ps->caplocals) {
        int cap = ps->caplocals ? 2 * ps->caplocals : 8;
        char **v = hocP_alloc(ps->arena, (size_t)cap * sizeof *v);
        char *o = hocP_alloc(ps->arena, (size_t)cap);
        if (!v || !o) return perr(ps, "out of memory");
        if (ps->nlocals) {
            memcpy(v, ps->locals, (size_t)ps->nlocals * sizeof *v);
            memcpy(o, ps->localobj, (size_t)ps->nlocals);
        }
        ps->locals = v;
        ps->localobj = o;
        ps->caplocals = cap;
    }
    ps->locals[ps->nlocals] = sdup(ps, name);
    ps->localobj[ps->nlocals++] = (char)obj;
    return 0;
}

static hoc_node *for_stmt(hoc_parser *ps) {
    int line = TOK->line;
    if (adv(ps)) return NULL;
    if (is_op(ps, "(")) {
        /* for (x) / for (x, 0): segment loops */
        hoc_lex save = ps->lx;
        if (adv(ps)) return NULL;
        if (TOK->kind == T_IDENT && !is_keyword(TOK->text)) {
            char name[256];
            copy_name(name, sizeof name, TOK->text);
            int vline = TOK->line;
            if (adv(ps)) return NULL;
            if (is_op(ps, ")") || is_op(ps, ",")) {
                hoc_node *n = mk(ps, N_FORSEG);
                if (!n) return NULL;
                n->line = line;
                n->a = mk(ps, N_REF);
                if (!n->a || !(n->a->name = sdup(ps, name))) return NULL;
                n->a->line = vline;
                n->a->slot = local_slot(ps, name);
                n->op = 1;
                if (is_op(ps, ",")) {
                    if (adv(ps)) return NULL;
                    n->b = expr(ps); /* 0: interior only */
                    if (!n->b) return NULL;
                    n->op = 0;
                }
                if (expect(ps, ")")) return NULL;
                n->d = body(ps);
                return n->d ? n : NULL;
            }
        }
        ps->lx = save;
        if (adv(ps)) return NULL;
        hoc_node *n = mk(ps, N_FORC);
        if (!n) return NULL;
        n->line = line;
        if (!is_op(ps, ";") && !(n->a = expr(ps))) return NULL;
        if (expect(ps, ";")) return NULL;
        if (!is_op(ps, ";") && !(n->b = expr(ps))) return NULL;
        if (expect(ps, ";")) return NULL;
        if (!is_op(ps, ")") && !(n->c = expr(ps))) return NULL;
        if (expect(ps, ")")) return NULL;
        n->d = body(ps);
        return n->d ? n : NULL;
    }
    /* for i = a, b stmt */
    if (TOK->kind != T_IDENT || is_keyword(TOK->text)) {
        perr(ps, "syntax error: expected '(' or a variable after 'for'");
        return NULL;
    }
    hoc_node *n = mk(ps, N_FORI);
    if (!n) return NULL;
    n->line = line;
    char name[256];
    copy_name(name, sizeof name, TOK->text);
    int vline = TOK->line;
    if (adv(ps)) return NULL;
    n->a = ref_tail(ps, NULL, name, vline);
    if (!n->a || expect(ps, "=")) return NULL;
    if (!(n->b = expr(ps)) || expect(ps, ",") || !(n->c = expr(ps))) return NULL;
    n->d = body(ps);
    return n->d ? n : NULL;
}

static hoc_node *statement(hoc_parser *ps) {
    hoc_node *n;
    if (is_op(ps, "{")) return block(ps);
    if (TOK->kind == T_IDENT) {
        const char *k = TOK->text;
        int line = TOK->line;
        if (!strcmp(k, "proc")) return funcdef(ps, 'p');
        if (!strcmp(k, "func")) return funcdef(ps, 'f');
        if (!strcmp(k, "obfunc")) return funcdef(ps, 'o');
        if (!strcmp(k, "iterator") || !strcmp(k, "iterator_statement")) {
            perr(ps, "unsupported: iterator");
            return NULL;
        }
        if (!strcmp(k, "if")) {
            n = mk(ps, N_IF);
            if (!n || adv(ps) || !(n->a = cond_paren(ps)) || !(n->b = body(ps))) return NULL;
            hoc_lex save = ps->lx;
            while (TOK->kind == T_NL || is_op(ps, ";"))
                if (adv(ps)) return NULL;
            if (is_kw(ps, "else")) {
                if (adv(ps) || !(n->c = body(ps))) return NULL;
            } else {
                ps->lx = save;
            }
            return n;
        }
        if (!strcmp(k, "else")) {
            perr(ps, "syntax error: 'else' without 'if'");
            return NULL;
        }
        if (!strcmp(k, "while")) {
            n = mk(ps, N_WHILE);
            if (!n || adv(ps) || !(n->a = cond_paren(ps)) || !(n->d = body(ps))) return NULL;
            return n;
        }
        if (!strcmp(k, "for")) return for_stmt(ps);
        if (!strcmp(k, "forsec") || !strcmp(k, "ifsec")) {
            n = mk(ps, k[0] == 'f' ? N_FORSEC : N_IFSEC);
            if (!n || adv(ps) || !(n->a = expr(ps)) || !(n->d = body(ps))) return NULL;
            return n;
        }
        if (!strcmp(k, "forall")) {
            n = mk(ps, N_FORALL);
            if (!n || adv(ps) || !(n->d = body(ps))) return NULL;
            return n;
        }
        if (!strcmp(k, "break") || !strcmp(k, "continue") || !strcmp(k, "stop")) {
            n = mk(ps, k[0] == 'b' ? N_BREAK : k[0] == 'c' ? N_CONTINUE : N_STOP);
            if (!n || adv(ps)) return NULL;
            return n;
        }
        if (!strcmp(k, "return")) {
            n = mk(ps, N_RETURN);
            if (!n || adv(ps)) return NULL;
            if (!ps->in_func) {
                perr(ps, "'return' outside a procedure or function");
                return NULL;
            }
            if (!at_stmt_end(ps) && !(n->a = expr(ps))) return NULL;
            return n;
        }
        if (!strcmp(k, "print")) {
            n = mk(ps, N_PRINT);
            if (!n || adv(ps)) return NULL;
            nlist l = {0};
            while (!at_stmt_end(ps)) {
                hoc_node *e = expr(ps);
                if (!e || push(ps, &l, e)) return NULL;
                if (!is_op(ps, ",")) break;
                if (adv(ps)) return NULL;
            }
            n->list = l.v;
            n->nlist = l.n;
            return n;
        }
        if (!strcmp(k, "objref") || !strcmp(k, "objectvar") || !strcmp(k, "strdef") ||
            !strcmp(k, "double") || !strcmp(k, "create")) {
            n = mk(ps, N_DECL);
            if (!n) return NULL;
            n->op = k[0] == 'o' ? 'o' : k[0] == 's' ? 's' : k[0] == 'd' ? 'd' : 'c';
            if (adv(ps) || names(ps, n, n->op != 's')) return NULL;
            if (n->op == 'o' || n->op == 's' || n->op == 'd')
                for (int i = 0; i < n->nlist; ++i)
                    if (ps->in_func && local_slot(ps, n->list[i]->name) >= 0) {
                        perr(ps, "%s: a local cannot be redeclared", n->list[i]->name);
                        return NULL;
                    }
            return n;
        }
        if (!strcmp(k, "local") || !strcmp(k, "localobj")) {
            int obj = k[5] == 'o';
            n = mk(ps, N_LOCAL);
            if (!n) return NULL;
            if (!ps->in_func) {
                perr(ps, "'%s' outside a procedure or function", k);
                return NULL;
            }
            if (adv(ps) || names(ps, n, 0)) return NULL;
            for (int i = 0; i < n->nlist; ++i)
                if (add_local(ps, n->list[i]->name, obj)) return NULL;
            return n;
        }
        if (!strcmp(k, "public") || !strcmp(k, "external")) {
            n = mk(ps, k[0] == 'p' ? N_PUBLIC : N_EXTERNAL);
            if (!n) return NULL;
            if (!ps->in_template) {
                perr(ps, "'%s' outside a template", k);
                return NULL;
            }
            if (adv(ps) || names(ps, n, 0)) return NULL;
            return n;
        }
        if (!strcmp(k, "access")) {
            n = mk(ps, N_ACCESS);
            if (!n || adv(ps) || !(n->a = expr(ps))) return NULL;
            return n;
        }
        if (!strcmp(k, "connect")) {
            n = mk(ps, N_CONNECT);
            if (!n || adv(ps) || !(n->a = expr(ps)) || expect(ps, ",")) return NULL;
            if (!(n->b = expr(ps))) return NULL;
            return n;
        }
        if (!strcmp(k, "insert") || !strcmp(k, "uninsert")) {
            n = mk(ps, k[0] == 'i' ? N_INSERT : N_UNINSERT);
            if (!n || adv(ps)) return NULL;
            if (TOK->kind != T_IDENT) {
                perr(ps, "syntax error: expected a mechanism name after '%s'", k);
                return NULL;
            }
            if (!(n->name = sdup(ps, TOK->text)) || adv(ps)) return NULL;
            return n;
        }
        if (!strcmp(k, "begintemplate")) {
            n = mk(ps, N_TEMPLATE);
            if (!n || adv(ps)) return NULL;
            if (ps->in_template || ps->in_func) {
                perr(ps, "begintemplate inside a template or function");
                return NULL;
            }
            if (TOK->kind != T_IDENT) {
                perr(ps, "syntax error: expected a template name");
                return NULL;
            }
            if (!(n->name = sdup(ps, TOK->text)) || adv(ps)) return NULL;
            ps->in_template = 1;
            nlist l = {0};
            for (;;) {
                while (TOK->kind == T_NL || is_op(ps, ";"))
                    if (adv(ps)) return NULL;
                if (TOK->kind == T_EOF) {
                    perr(ps, "syntax error: missing endtemplate %s (begun on line %d)", n->name,
                         line);
                    return NULL;
                }
                if (is_kw(ps, "endtemplate")) {
                    if (adv(ps)) return NULL;
                    if (TOK->kind != T_IDENT || strcmp(TOK->text, n->name)) {
                        perr(ps, "syntax error: endtemplate must name %s", n->name);
                        return NULL;
                    }
                    if (adv(ps)) return NULL;
                    break;
                }
                hoc_node *s = statement(ps);
                if (!s || push(ps, &l, s)) return NULL;
            }
            ps->in_template = 0;
            n->list = l.v;
            n->nlist = l.n;
            return n;
        }
        if (!strcmp(k, "endtemplate")) {
            perr(ps, "syntax error: endtemplate without begintemplate");
            return NULL;
        }
    }
    n = mk(ps, N_EXPR);
    if (!n) return NULL;
    n->a = expr(ps);
    if (!n->a) return NULL;
    n->line = n->a->line;
    if (n->a->kind == N_REF && !n->a->has_call && !at_stmt_end(ps) && TOK->kind != T_OP) {
        /* section statement: `soma insert hh`, `dend[2] nseg = 3` */
        n->kind = N_SECSTMT;
        if (!(n->b = statement(ps))) return NULL;
        return n;
    }
    if (n->a->kind == N_REF && !n->a->has_call && is_op(ps, "{")) {
        n->kind = N_SECSTMT;
        if (!(n->b = block(ps))) return NULL;
        return n;
    }
    return n;
}

void hocP_init(hoc_parser *ps, hoc_arena *a, const char *src, const char *file) {
    memset(ps, 0, sizeof *ps);
    hocL_init(&ps->lx, src, file);
    ps->file = file;
    ps->arena = a;
    if (hocL_next(&ps->lx)) {
        snprintf(ps->err, sizeof ps->err, "%s", ps->lx.err);
        ps->errline = ps->lx.line;
    }
}

int hocP_statement(hoc_parser *ps, hoc_node **out) {
    *out = NULL;
    if (ps->err[0]) return -1;
    while (TOK->kind == T_NL || is_op(ps, ";"))
        if (adv(ps)) return -1;
    if (TOK->kind == T_EOF) return 0;
    if (is_op(ps, "}")) return perr(ps, "syntax error: unexpected '}'");
    hoc_node *n = statement(ps);
    if (!n) {
        if (!ps->err[0]) perr(ps, "syntax error");
        return -1;
    }
    *out = n;
    return 0;
}
