/* SPDX-License-Identifier: MIT
 * nmodl/parser.c -- recursive-descent parser of NMODL into the AST.
 *
 * Grammar (the parts NEURON's built-in and common user mechanisms use):
 *   file   := { TITLE | VERBATIM | block }
 *   block  := NEURON {..} | UNITS {..} | PARAMETER {..} | CONSTANT {..}
 *           | ASSIGNED {..} | STATE {..} | INDEPENDENT {..}
 *           | INITIAL body | BREAKPOINT body | CONSTRUCTOR body | DESTRUCTOR body
 *           | DERIVATIVE name body | KINETIC name body | LINEAR name body
 *           | NONLINEAR name body | PROCEDURE name(params) [units] body
 *           | FUNCTION name(params) [units] body | NET_RECEIVE (params) body
 *           | BEFORE|AFTER when body | LOCAL names | FUNCTION_TABLE name(params)
 *   stmt   := LOCAL names | TABLE .. | SOLVE .. | if (e) body [else ..]
 *           | while (e) body | FROM i = e TO e [BY e] body | INITIAL body
 *           | name' = e | name[e] = e | name = e | call | VERBATIM | body
 *           | ~ reaction | CONSERVE e = e | COMPARTMENT .. | WATCH (e) e
 *           | FOR_NETCONS (params) body | MUTEXLOCK | MUTEXUNLOCK | PROTECT stmt
 *   Precedence, loosest first: || ; && ; relations ; + - ; * / ; unary - ! ;
 *   ^ (right associative) -- NEURON's, so `-a^2` is -(a^2) and `-a*b` is
 *   (-a)*b.  A number followed by '(' carries units: `2 (mV)`.
 *
 * Errors: a diagnostic at the offending token, then the rest of the current
 * `{ }` body is skipped and parsing resumes after it.  Every loop consumes
 * a token per iteration or stops, and nesting is limited (NM_MAX_DEPTH), so
 * no input makes the parser loop or exhaust the stack.
 */
#include "nmodl_int.h"

#include <string.h>

#define NM_MAX_DEPTH 200

typedef struct P {
    nm_lexer lx;
    nm_token tok;
    nm_arena *a;
    nm_diag *d;
    nm_file *f;
    int depth;
    int in_netreceive;
    int in_equations; /* LINEAR / NONLINEAR: `~ expr = expr` */
} P;

static void next(P *p) {
    p->tok = nm_lex_next(&p->lx);
}

static bool is_kw(const P *p, const char *kw) {
    return p->tok.kind == NT_NAME && p->tok.text && strcmp(p->tok.text, kw) == 0;
}

static const char *tok_desc(P *p) {
    switch (p->tok.kind) {
    case NT_NAME:
    case NT_NUMBER:
        return nm_printf(p->a, "'%s'", p->tok.text ? p->tok.text : "");
    case NT_PRIME:
        return nm_printf(p->a, "'%s''", p->tok.text ? p->tok.text : "");
    case NT_BAD:
        if (p->tok.ival >= 32 && p->tok.ival < 127)
            return nm_printf(p->a, "invalid character '%c'", p->tok.ival);
        return nm_printf(p->a, "invalid character (code %d)", p->tok.ival);
    default:
        return nm_tok_name(p->tok.kind);
    }
}

static void err_here(P *p, const char *what) {
    const char *d = tok_desc(p);
    nm_error(p->d, p->tok.line, p->tok.col, "expected %s, found %s", what, d ? d : "?");
}

static bool expect(P *p, nm_tok_kind k, const char *what) {
    if (p->tok.kind == k) {
        next(p);
        return true;
    }
    err_here(p, what);
    return false;
}

static bool accept(P *p, nm_tok_kind k) {
    if (p->tok.kind == k) {
        next(p);
        return true;
    }
    return false;
}

/* Skip to the '}' closing the body we are in (consumed), or EOF. */
static void skip_body_rest(P *p) {
    int depth = 0;
    while (p->tok.kind != NT_EOF) {
        if (p->tok.kind == NT_LBRACE) depth++;
        if (p->tok.kind == NT_RBRACE) {
            if (depth == 0) {
                next(p);
                return;
            }
            depth--;
        }
        next(p);
    }
}

/* Skip a balanced { ... } starting at the current '{' (if any). */
static void skip_braced(P *p) {
    if (p->tok.kind != NT_LBRACE) return;
    next(p);
    skip_body_rest(p);
}

/* Units text after an opening parenthesis that is the current token. */
static const char *read_units(P *p) {
    int line = p->tok.line, col = p->tok.col, ok;
    const char *u = nm_lex_raw_until(&p->lx, ')', &ok);
    if (!ok) nm_error(p->d, line, col, "unterminated units '(%s'", u ? u : "");
    next(p);
    return u;
}

static nm_name *new_name(P *p, const nm_token *t) {
    nm_name *n = nm_alloc(p->a, sizeof *n);
    if (!n) return NULL;
    n->name = t->text;
    n->line = t->line;
    n->col = t->col;
    return n;
}

static void append_name(nm_name **list, nm_name *n) {
    if (!n) return;
    while (*list) list = &(*list)->next;
    *list = n;
}

/* ---- expressions ----------------------------------------------------- */
static nm_expr *new_expr(P *p, nm_expr_kind k, int line, int col) {
    nm_expr *e = nm_alloc(p->a, sizeof *e);
    if (!e) return NULL;
    e->kind = k;
    e->line = line;
    e->col = col;
    return e;
}

static nm_expr *parse_expr(P *p);

static bool enter(P *p) {
    if (++p->depth > NM_MAX_DEPTH) {
        nm_error(p->d, p->tok.line, p->tok.col, "nesting too deep (limit %d)", NM_MAX_DEPTH);
        return false;
    }
    return true;
}

static nm_expr *parse_args(P *p, nm_expr *call) {
    /* current token is '(' */
    next(p);
    nm_expr *tmp[64];
    int n = 0;
    if (p->tok.kind != NT_RPAREN) {
        for (;;) {
            nm_expr *e = parse_expr(p);
            if (!e) return NULL;
            if (n == 64) {
                nm_error(p->d, e->line, e->col, "too many arguments (limit 64)");
                return NULL;
            }
            tmp[n++] = e;
            if (!accept(p, NT_COMMA)) break;
        }
    }
    if (!expect(p, NT_RPAREN, "',' or ')'")) return NULL;
    call->nargs = n;
    if (n) {
        call->args = nm_alloc(p->a, sizeof(nm_expr *) * (size_t)n);
        if (!call->args) return NULL;
        memcpy(call->args, tmp, sizeof(nm_expr *) * (size_t)n);
    }
    return call;
}

static nm_expr *parse_unary(P *p);

static nm_expr *parse_primary(P *p) {
    nm_token t = p->tok;
    switch (t.kind) {
    case NT_NUMBER: {
        next(p);
        nm_expr *e = new_expr(p, NE_NUM, t.line, t.col);
        if (!e) return NULL;
        e->num = t.num;
        e->text = t.text;
        if (p->tok.kind == NT_LPAREN) read_units(p); /* 2 (mV) */
        return e;
    }
    case NT_STRING: {
        next(p);
        nm_expr *e = new_expr(p, NE_STRING, t.line, t.col);
        if (e) e->text = t.text;
        return e;
    }
    case NT_NAME: {
        next(p);
        if (p->tok.kind == NT_LPAREN) {
            nm_expr *e = new_expr(p, NE_CALL, t.line, t.col);
            if (!e) return NULL;
            e->text = t.text;
            return parse_args(p, e);
        }
        nm_expr *e = new_expr(p, NE_NAME, t.line, t.col);
        if (!e) return NULL;
        e->text = t.text;
        if (p->tok.kind == NT_LBRACKET) {
            next(p);
            e->a = parse_expr(p);
            if (!e->a || !expect(p, NT_RBRACKET, "']'")) return NULL;
        }
        return e;
    }
    case NT_LPAREN: {
        next(p);
        nm_expr *e = new_expr(p, NE_PAREN, t.line, t.col);
        if (!e) return NULL;
        e->a = parse_expr(p);
        if (!e->a || !expect(p, NT_RPAREN, "')'")) return NULL;
        return e;
    }
    case NT_PRIME: { /* x' read in a DERIVATIVE block: checked by codegen */
        next(p);
        nm_expr *e = new_expr(p, NE_PRIME, t.line, t.col);
        if (!e) return NULL;
        e->text = t.text;
        e->num = t.ival;
        return e;
    }
    default:
        err_here(p, "an expression");
        return NULL;
    }
}

/* power := primary ['^' unary]   (right associative, binds tighter than unary -) */
static nm_expr *parse_power(P *p) {
    nm_expr *l = parse_primary(p);
    if (!l) return NULL;
    if (p->tok.kind == NT_CARET) {
        nm_token t = p->tok;
        next(p);
        nm_expr *r = parse_unary(p);
        if (!r) return NULL;
        nm_expr *e = new_expr(p, NE_BINARY, t.line, t.col);
        if (!e) return NULL;
        e->op = NT_CARET;
        e->a = l;
        e->b = r;
        return e;
    }
    return l;
}

static nm_expr *parse_unary(P *p) {
    if (p->tok.kind == NT_MINUS || p->tok.kind == NT_NOT) {
        nm_token t = p->tok;
        next(p);
        if (!enter(p)) return NULL;
        nm_expr *a = parse_unary(p);
        p->depth--;
        if (!a) return NULL;
        nm_expr *e = new_expr(p, NE_UNARY, t.line, t.col);
        if (!e) return NULL;
        e->op = t.kind;
        e->a = a;
        return e;
    }
    return parse_power(p);
}

static int binprec(nm_tok_kind k) {
    switch (k) {
    case NT_OR:
        return 1;
    case NT_AND:
        return 2;
    case NT_LT:
    case NT_GT:
    case NT_LE:
    case NT_GE:
    case NT_EQ:
    case NT_NE:
        return 3;
    case NT_PLUS:
    case NT_MINUS:
        return 4;
    case NT_STAR:
    case NT_SLASH:
        return 5;
    default:
        return 0;
    }
}

/* precedence climbing over the left-associative binary operators */
static nm_expr *parse_binary(P *p, int minprec) {
    nm_expr *l = parse_unary(p);
    if (!l) return NULL;
    for (;;) {
        int pr = binprec(p->tok.kind);
        if (pr == 0 || pr < minprec) return l;
        nm_token t = p->tok;
        next(p);
        nm_expr *r = parse_binary(p, pr + 1);
        if (!r) return NULL;
        nm_expr *e = new_expr(p, NE_BINARY, t.line, t.col);
        if (!e) return NULL;
        e->op = t.kind;
        e->a = l;
        e->b = r;
        l = e;
    }
}

static nm_expr *parse_expr(P *p) {
    if (!enter(p)) return NULL;
    nm_expr *e = parse_binary(p, 1);
    p->depth--;
    return e;
}

/* ---- statements ------------------------------------------------------ */
static nm_block *parse_body(P *p);

static nm_stmt *new_stmt(P *p, nm_stmt_kind k, int line, int col) {
    nm_stmt *s = nm_alloc(p->a, sizeof *s);
    if (!s) return NULL;
    s->kind = k;
    s->line = line;
    s->col = col;
    return s;
}

/* name list separated by commas (optional), each name optionally name[N] */
static nm_name *parse_name_list(P *p, bool allow_size) {
    nm_name *list = NULL;
    while (p->tok.kind == NT_NAME) {
        nm_name *n = new_name(p, &p->tok);
        next(p);
        if (allow_size && p->tok.kind == NT_LBRACKET) {
            next(p);
            if (p->tok.kind == NT_NUMBER) {
                double sz = p->tok.num;
                if (!(sz >= 1 && sz <= 1e6))
                    nm_error(p->d, p->tok.line, p->tok.col, "array size %s: 1..1000000 expected",
                             p->tok.text ? p->tok.text : "?");
                if (n) n->size = sz >= 1 && sz <= 1e6 ? (int)sz : -1;
                next(p);
            } else if (p->tok.kind == NT_NAME) {
                /* a DEFINEd size */
                nm_name *dn = p->f->defines;
                while (dn && strcmp(dn->name, p->tok.text) != 0) dn = dn->next;
                if (!dn)
                    nm_error(p->d, p->tok.line, p->tok.col, "array size '%s' is not a DEFINEd name",
                             p->tok.text);
                if (dn && dn->value < 1)
                    nm_error(p->d, p->tok.line, p->tok.col, "array size %s is %g", dn->name,
                             dn->value);
                if (n) n->size = dn && dn->value >= 1 ? (int)dn->value : -1;
                next(p);
            }
            if (!expect(p, NT_RBRACKET, "']'")) return list;
        }
        append_name(&list, n);
        if (!accept(p, NT_COMMA)) break;
    }
    return list;
}

static nm_table *parse_table(P *p) {
    nm_table *t = nm_alloc(p->a, sizeof *t);
    if (!t) return NULL;
    t->line = p->tok.line;
    t->col = p->tok.col;
    next(p); /* TABLE */
    if (p->tok.kind == NT_NAME && !is_kw(p, "DEPEND") && !is_kw(p, "FROM"))
        t->vars = parse_name_list(p, false);
    if (is_kw(p, "DEPEND")) {
        next(p);
        t->depend = parse_name_list(p, false);
    }
    if (!is_kw(p, "FROM")) {
        err_here(p, "FROM in TABLE");
        return NULL;
    }
    next(p);
    t->from = parse_expr(p);
    if (!t->from) return NULL;
    if (!is_kw(p, "TO")) {
        err_here(p, "TO in TABLE");
        return NULL;
    }
    next(p);
    t->to = parse_expr(p);
    if (!t->to) return NULL;
    if (!is_kw(p, "WITH")) {
        err_here(p, "WITH in TABLE");
        return NULL;
    }
    next(p);
    if (p->tok.kind != NT_NUMBER) {
        err_here(p, "the number of table intervals");
        return NULL;
    }
    double with = p->tok.num; /* checked before the conversion to int */
    t->with = with >= 1 && with <= 100000 ? (int)with : 0;
    if (t->with < 1 || (double)t->with != with) {
        nm_error(p->d, p->tok.line, p->tok.col, "TABLE WITH %s: an integer in 1..100000 expected",
                 p->tok.text);
        return NULL;
    }
    next(p);
    return t;
}

/* reaction side: [n] name ['[' e ']'] { + [n] name } -- kept as an expression */
static nm_expr *parse_react_side(P *p) {
    nm_expr *acc = NULL;
    for (;;) {
        nm_token t = p->tok;
        nm_expr *coef = NULL;
        if (t.kind == NT_NUMBER) {
            coef = new_expr(p, NE_NUM, t.line, t.col);
            if (!coef) return NULL;
            coef->num = t.num;
            coef->text = t.text;
            next(p);
        }
        if (p->tok.kind != NT_NAME) {
            err_here(p, "a reactant name");
            return NULL;
        }
        nm_expr *nm = new_expr(p, NE_NAME, p->tok.line, p->tok.col);
        if (!nm) return NULL;
        nm->text = p->tok.text;
        next(p);
        if (p->tok.kind == NT_LBRACKET) {
            next(p);
            nm->a = parse_expr(p);
            if (!nm->a || !expect(p, NT_RBRACKET, "']'")) return NULL;
        }
        nm_expr *term = nm;
        if (coef) {
            term = new_expr(p, NE_BINARY, t.line, t.col);
            if (!term) return NULL;
            term->op = NT_STAR;
            term->a = coef;
            term->b = nm;
        }
        if (acc) {
            nm_expr *s = new_expr(p, NE_BINARY, t.line, t.col);
            if (!s) return NULL;
            s->op = NT_PLUS;
            s->a = acc;
            s->b = term;
            acc = s;
        } else {
            acc = term;
        }
        if (!accept(p, NT_PLUS)) return acc;
    }
}

static nm_stmt *parse_stmt(P *p);

static nm_stmt *parse_if(P *p) {
    nm_stmt *s = new_stmt(p, NS_IF, p->tok.line, p->tok.col);
    if (!s) return NULL;
    next(p);
    if (!expect(p, NT_LPAREN, "'(' after if")) return NULL;
    s->cond = parse_expr(p);
    if (!s->cond || !expect(p, NT_RPAREN, "')'")) return NULL;
    s->body = parse_body(p);
    if (!s->body) return NULL;
    if (is_kw(p, "else")) {
        next(p);
        if (is_kw(p, "if")) {
            if (!enter(p)) return NULL;
            nm_stmt *e = parse_if(p);
            p->depth--;
            if (!e) return NULL;
            nm_block *b = nm_alloc(p->a, sizeof *b);
            if (!b) return NULL;
            b->first = b->last = e;
            b->line = e->line;
            b->col = e->col;
            s->orelse = b;
        } else {
            s->orelse = parse_body(p);
            if (!s->orelse) return NULL;
        }
    }
    return s;
}

static nm_stmt *parse_stmt(P *p) {
    nm_token t = p->tok;
    if (t.kind == NT_VERBATIM) {
        nm_stmt *s = new_stmt(p, NS_VERBATIM, t.line, t.col);
        if (s) s->text = t.text;
        next(p);
        return s;
    }
    if (t.kind == NT_LBRACE) {
        nm_stmt *s = new_stmt(p, NS_BLOCK, t.line, t.col);
        if (!s) return NULL;
        s->body = parse_body(p);
        return s->body ? s : NULL;
    }
    if (t.kind == NT_TILDE) {
        nm_stmt *s = new_stmt(p, NS_REACTION, t.line, t.col);
        if (!s) return NULL;
        next(p);
        if (p->in_equations) { /* an equation: both sides are expressions */
            s->lhs = parse_expr(p);
            if (!s->lhs || !expect(p, NT_ASSIGN, "'=' of the equation")) return NULL;
            s->rhs = parse_expr(p);
            if (!s->rhs) return NULL;
            s->ival = 0;
            return s;
        }
        s->lhs = parse_react_side(p);
        if (!s->lhs) return NULL;
        if (p->tok.kind == NT_REACT2) {
            next(p);
            s->rhs = parse_react_side(p);
            if (!s->rhs || !expect(p, NT_LPAREN, "'(' with the rate constants")) return NULL;
            s->lo = parse_expr(p);
            if (!s->lo || !expect(p, NT_COMMA, "','")) return NULL;
            s->hi = parse_expr(p);
            if (!s->hi || !expect(p, NT_RPAREN, "')'")) return NULL;
            s->ival = 2;
        } else if (p->tok.kind == NT_REACT1) {
            next(p);
            if (!expect(p, NT_LPAREN, "'(' with the flux")) return NULL;
            s->lo = parse_expr(p);
            if (!s->lo || !expect(p, NT_RPAREN, "')'")) return NULL;
            s->ival = 1;
        } else if (p->tok.kind == NT_ASSIGN) { /* ~ lhs = rhs (LINEAR/NONLINEAR) */
            next(p);
            s->rhs = parse_expr(p);
            if (!s->rhs) return NULL;
            s->ival = 0;
        } else {
            err_here(p, "'<->', '<<' or '='");
            return NULL;
        }
        return s;
    }
    if (t.kind == NT_PRIME) {
        nm_stmt *s = new_stmt(p, NS_DIFFEQ, t.line, t.col);
        if (!s) return NULL;
        s->text = t.text;
        s->ival = t.ival;
        next(p);
        if (!expect(p, NT_ASSIGN, "'=' after the derivative")) return NULL;
        s->rhs = parse_expr(p);
        return s->rhs ? s : NULL;
    }
    if (t.kind != NT_NAME) {
        err_here(p, "a statement");
        return NULL;
    }
    const char *w = t.text;
    if (strcmp(w, "LOCAL") == 0) {
        nm_stmt *s = new_stmt(p, NS_LOCAL, t.line, t.col);
        if (!s) return NULL;
        next(p);
        if (p->tok.kind != NT_NAME) {
            err_here(p, "a name after LOCAL");
            return NULL;
        }
        s->names = parse_name_list(p, true);
        return s;
    }
    if (strcmp(w, "TABLE") == 0) {
        nm_stmt *s = new_stmt(p, NS_TABLE, t.line, t.col);
        if (!s) return NULL;
        s->table = parse_table(p);
        return s->table ? s : NULL;
    }
    if (strcmp(w, "SOLVE") == 0) {
        nm_stmt *s = new_stmt(p, NS_SOLVE, t.line, t.col);
        if (!s) return NULL;
        next(p);
        if (p->tok.kind != NT_NAME) {
            err_here(p, "the name of the block to SOLVE");
            return NULL;
        }
        s->text = p->tok.text;
        s->ival = p->tok.col;
        next(p);
        if (is_kw(p, "METHOD") || is_kw(p, "STEADYSTATE")) {
            bool ss = is_kw(p, "STEADYSTATE");
            next(p);
            if (p->tok.kind != NT_NAME) {
                err_here(p, "a method name");
                return NULL;
            }
            s->method = ss ? nm_printf(p->a, "steadystate %s", p->tok.text) : p->tok.text;
            next(p);
        }
        if (is_kw(p, "IFERROR")) {
            next(p);
            s->body = parse_body(p);
            if (!s->body) return NULL;
        }
        return s;
    }
    if (strcmp(w, "if") == 0) return parse_if(p);
    if (strcmp(w, "while") == 0) {
        nm_stmt *s = new_stmt(p, NS_WHILE, t.line, t.col);
        if (!s) return NULL;
        next(p);
        if (!expect(p, NT_LPAREN, "'(' after while")) return NULL;
        s->cond = parse_expr(p);
        if (!s->cond || !expect(p, NT_RPAREN, "')'")) return NULL;
        s->body = parse_body(p);
        return s->body ? s : NULL;
    }
    if (strcmp(w, "FROM") == 0) {
        nm_stmt *s = new_stmt(p, NS_FROM, t.line, t.col);
        if (!s) return NULL;
        next(p);
        if (p->tok.kind != NT_NAME) {
            err_here(p, "the loop variable");
            return NULL;
        }
        s->text = p->tok.text;
        next(p);
        if (!expect(p, NT_ASSIGN, "'='")) return NULL;
        s->lo = parse_expr(p);
        if (!s->lo) return NULL;
        if (!is_kw(p, "TO")) {
            err_here(p, "TO");
            return NULL;
        }
        next(p);
        s->hi = parse_expr(p);
        if (!s->hi) return NULL;
        if (is_kw(p, "BY")) {
            next(p);
            s->step = parse_expr(p);
            if (!s->step) return NULL;
        }
        s->body = parse_body(p);
        return s->body ? s : NULL;
    }
    if (strcmp(w, "INITIAL") == 0 && p->in_netreceive) {
        nm_stmt *s = new_stmt(p, NS_INITIAL, t.line, t.col);
        if (!s) return NULL;
        next(p);
        s->body = parse_body(p);
        return s->body ? s : NULL;
    }
    if (strcmp(w, "CONSERVE") == 0) {
        nm_stmt *s = new_stmt(p, NS_CONSERVE, t.line, t.col);
        if (!s) return NULL;
        next(p);
        s->lhs = parse_react_side(p);
        if (!s->lhs || !expect(p, NT_ASSIGN, "'='")) return NULL;
        s->rhs = parse_expr(p);
        return s->rhs ? s : NULL;
    }
    if (strcmp(w, "COMPARTMENT") == 0 || strcmp(w, "LONGITUDINAL_DIFFUSION") == 0) {
        nm_stmt *s = new_stmt(p, NS_COMPARTMENT, t.line, t.col);
        if (!s) return NULL;
        next(p);
        /* [index,] volume { states } */
        if (p->tok.kind == NT_NAME) {
            /* one token of lookahead: `index,` or the start of the volume */
            nm_lexer lx0 = p->lx;
            nm_token save = p->tok;
            next(p);
            if (accept(p, NT_COMMA)) {
                s->text = save.text;
                s->rhs = parse_expr(p);
            } else {
                p->lx = lx0;
                p->tok = save;
                s->rhs = parse_expr(p);
            }
        } else {
            s->rhs = parse_expr(p);
        }
        if (!s->rhs || !expect(p, NT_LBRACE, "'{' with the compartment's states")) return NULL;
        /* the states: separated by blanks or commas */
        while (p->tok.kind == NT_NAME) {
            nm_name *l = parse_name_list(p, false);
            nm_name **tl = &s->names;
            while (*tl) tl = &(*tl)->next;
            *tl = l;
            if (!l) break;
        }
        if (!expect(p, NT_RBRACE, "'}'")) return NULL;
        return s;
    }
    if (strcmp(w, "WATCH") == 0) {
        nm_stmt *s = new_stmt(p, NS_WATCH, t.line, t.col);
        if (!s) return NULL;
        next(p);
        if (!expect(p, NT_LPAREN, "'(' after WATCH")) return NULL;
        s->cond = parse_expr(p);
        if (!s->cond || !expect(p, NT_RPAREN, "')'")) return NULL;
        s->rhs = parse_expr(p);
        return s->rhs ? s : NULL;
    }
    if (strcmp(w, "FOR_NETCONS") == 0) {
        nm_stmt *s = new_stmt(p, NS_FOR_NETCONS, t.line, t.col);
        if (!s) return NULL;
        next(p);
        if (!expect(p, NT_LPAREN, "'(' after FOR_NETCONS")) return NULL;
        while (p->tok.kind == NT_NAME) {
            append_name(&s->names, new_name(p, &p->tok));
            next(p);
            if (p->tok.kind == NT_LPAREN) read_units(p);
            if (!accept(p, NT_COMMA)) break;
        }
        if (!expect(p, NT_RPAREN, "')'")) return NULL;
        s->body = parse_body(p);
        return s->body ? s : NULL;
    }
    if (strcmp(w, "MUTEXLOCK") == 0 || strcmp(w, "MUTEXUNLOCK") == 0 || strcmp(w, "UNITSON") == 0 ||
        strcmp(w, "UNITSOFF") == 0) {
        nm_stmt *s = new_stmt(p, NS_MUTEX, t.line, t.col);
        next(p);
        return s;
    }
    if (strcmp(w, "PROTECT") == 0) {
        next(p);
        return parse_stmt(p);
    }
    if (strcmp(w, "LAG") == 0) {
        nm_stmt *s = new_stmt(p, NS_LAG, t.line, t.col);
        if (!s) return NULL;
        next(p);
        if (p->tok.kind != NT_NAME) {
            err_here(p, "a name after LAG");
            return NULL;
        }
        s->text = p->tok.text;
        next(p);
        if (!is_kw(p, "BY")) {
            err_here(p, "BY");
            return NULL;
        }
        next(p);
        if (p->tok.kind != NT_NAME) {
            err_here(p, "a name after BY");
            return NULL;
        }
        s->method = p->tok.text;
        next(p);
        return s;
    }
    /* assignment or call */
    next(p);
    if (p->tok.kind == NT_LPAREN) {
        nm_stmt *s = new_stmt(p, NS_EXPR, t.line, t.col);
        nm_expr *c = new_expr(p, NE_CALL, t.line, t.col);
        if (!s || !c) return NULL;
        c->text = t.text;
        s->rhs = parse_args(p, c);
        return s->rhs ? s : NULL;
    }
    nm_expr *lhs = new_expr(p, NE_NAME, t.line, t.col);
    if (!lhs) return NULL;
    lhs->text = t.text;
    if (p->tok.kind == NT_LBRACKET) {
        next(p);
        lhs->a = parse_expr(p);
        if (!lhs->a || !expect(p, NT_RBRACKET, "']'")) return NULL;
    }
    if (p->tok.kind != NT_ASSIGN) {
        nm_error(p->d, p->tok.line, p->tok.col, "expected '=' or '(' after '%s', found %s", t.text,
                 tok_desc(p));
        return NULL;
    }
    next(p);
    nm_stmt *s = new_stmt(p, NS_ASSIGN, t.line, t.col);
    if (!s) return NULL;
    s->lhs = lhs;
    s->rhs = parse_expr(p);
    return s->rhs ? s : NULL;
}

/* '{' stmt* '}' ; on error the rest of the body is skipped */
static nm_block *parse_body(P *p) {
    if (p->tok.kind != NT_LBRACE) {
        err_here(p, "'{'");
        return NULL;
    }
    if (!enter(p)) return NULL;
    nm_block *b = nm_alloc(p->a, sizeof *b);
    if (!b) {
        p->depth--;
        return NULL;
    }
    b->line = p->tok.line;
    b->col = p->tok.col;
    next(p);
    while (p->tok.kind != NT_RBRACE) {
        if (p->tok.kind == NT_EOF) {
            nm_error(p->d, b->line, b->col, "'{' is never closed");
            p->depth--;
            return NULL;
        }
        nm_stmt *s = parse_stmt(p);
        if (!s) {
            skip_body_rest(p);
            p->depth--;
            return NULL;
        }
        if (b->last)
            b->last->next = s;
        else
            b->first = s;
        b->last = s;
    }
    next(p);
    p->depth--;
    return b;
}

/* ---- declarations ---------------------------------------------------- */
/* PARAMETER / ASSIGNED / STATE / CONSTANT items */
static void parse_decls(P *p, nm_name **list, bool values) {
    next(p);
    if (!expect(p, NT_LBRACE, "'{'")) {
        skip_braced(p);
        return;
    }
    while (p->tok.kind != NT_RBRACE && p->tok.kind != NT_EOF) {
        if (is_kw(p, "UNITSON") || is_kw(p, "UNITSOFF")) {
            next(p);
            continue;
        }
        if (p->tok.kind != NT_NAME) {
            err_here(p, "a variable name");
            skip_body_rest(p);
            return;
        }
        nm_name *n = new_name(p, &p->tok);
        next(p);
        if (!n) return;
        if (p->tok.kind == NT_LBRACKET) {
            next(p);
            double size = p->tok.kind == NT_NUMBER ? p->tok.num : 0;
            if (p->tok.kind == NT_NAME) { /* a DEFINEd size */
                for (nm_name *dn = p->f->defines; dn; dn = dn->next)
                    if (strcmp(dn->name, p->tok.text) == 0) size = dn->value;
            }
            if ((p->tok.kind != NT_NUMBER && p->tok.kind != NT_NAME) || !(size >= 1) ||
                size > 1e6) {
                err_here(p, "an array size");
                skip_body_rest(p);
                return;
            }
            n->size = (int)size;
            next(p);
            if (!expect(p, NT_RBRACKET, "']'")) {
                skip_body_rest(p);
                return;
            }
        }
        if (p->tok.kind == NT_ASSIGN) {
            if (!values) {
                nm_error(p->d, p->tok.line, p->tok.col,
                         "a value for '%s' is not allowed here (only in PARAMETER/CONSTANT)",
                         n->name);
                skip_body_rest(p);
                return;
            }
            next(p);
            double sign = 1;
            if (accept(p, NT_MINUS)) sign = -1;
            if (p->tok.kind != NT_NUMBER) {
                err_here(p, "a number");
                skip_body_rest(p);
                return;
            }
            n->value = sign * p->tok.num;
            n->has_value = true;
            next(p);
        }
        if (p->tok.kind == NT_LPAREN) n->units = read_units(p);
        if (is_kw(p, "FROM")) { /* STATE x FROM a TO b: bounds, ignored */
            next(p);
            accept(p, NT_MINUS);
            if (!expect(p, NT_NUMBER, "a number")) {
                skip_body_rest(p);
                return;
            }
            if (!is_kw(p, "TO")) {
                err_here(p, "TO");
                skip_body_rest(p);
                return;
            }
            next(p);
            accept(p, NT_MINUS);
            if (!expect(p, NT_NUMBER, "a number")) {
                skip_body_rest(p);
                return;
            }
        }
        if (is_kw(p, "START")) {
            next(p);
            accept(p, NT_MINUS);
            if (!expect(p, NT_NUMBER, "a number")) {
                skip_body_rest(p);
                return;
            }
        }
        if (p->tok.kind == NT_LT) { /* <lo, hi> limits or <tolerance>: ignored */
            next(p);
            accept(p, NT_MINUS);
            if (!expect(p, NT_NUMBER, "a number in the limits")) {
                skip_body_rest(p);
                return;
            }
            if (accept(p, NT_COMMA)) {
                accept(p, NT_MINUS);
                if (!expect(p, NT_NUMBER, "a number in the limits")) {
                    skip_body_rest(p);
                    return;
                }
            }
            if (!expect(p, NT_GT, "'>' closing the limits")) {
                skip_body_rest(p);
                return;
            }
        }
        append_name(list, n);
    }
    if (p->tok.kind == NT_EOF)
        err_here(p, "'}'");
    else
        next(p);
}

static void parse_units_block(P *p) {
    next(p);
    if (!expect(p, NT_LBRACE, "'{'")) {
        skip_braced(p);
        return;
    }
    nm_unitdef **tail = &p->f->units;
    while (p->tok.kind != NT_RBRACE && p->tok.kind != NT_EOF) {
        nm_unitdef *u = nm_alloc(p->a, sizeof *u);
        if (!u) return;
        u->line = p->tok.line;
        u->col = p->tok.col;
        if (p->tok.kind == NT_LPAREN) { /* (mV) = (millivolt) */
            u->name = read_units(p);
            if (!expect(p, NT_ASSIGN, "'='") || p->tok.kind != NT_LPAREN) {
                if (p->tok.kind != NT_LPAREN) err_here(p, "'(' with units");
                skip_body_rest(p);
                return;
            }
            u->u1 = read_units(p);
        } else if (p->tok.kind == NT_NAME) { /* FARADAY = (faraday) (coulomb) | = 96485 (coul) */
            u->name = p->tok.text;
            u->is_factor = true;
            next(p);
            if (!expect(p, NT_ASSIGN, "'='")) {
                skip_body_rest(p);
                return;
            }
            if (p->tok.kind == NT_NUMBER || p->tok.kind == NT_MINUS) {
                double sign = accept(p, NT_MINUS) ? -1 : 1;
                if (p->tok.kind != NT_NUMBER) {
                    err_here(p, "a number");
                    skip_body_rest(p);
                    return;
                }
                u->value = sign * p->tok.num;
                u->has_value = true;
                next(p);
                if (p->tok.kind == NT_LPAREN) u->u1 = read_units(p);
            } else if (p->tok.kind == NT_LPAREN) {
                u->u1 = read_units(p);
                if (p->tok.kind != NT_LPAREN) {
                    err_here(p, "'(' with the second unit of the factor");
                    skip_body_rest(p);
                    return;
                }
                u->u2 = read_units(p);
            } else {
                err_here(p, "a number or '(' units");
                skip_body_rest(p);
                return;
            }
        } else {
            err_here(p, "'(' or a name in UNITS");
            skip_body_rest(p);
            return;
        }
        *tail = u;
        tail = &u->next;
    }
    if (p->tok.kind == NT_EOF)
        err_here(p, "'}'");
    else
        next(p);
}

static bool is_neuron_kw(const char *w) {
    static const char *const kws[] = {"SUFFIX",
                                      "POINT_PROCESS",
                                      "ARTIFICIAL_CELL",
                                      "USEION",
                                      "READ",
                                      "WRITE",
                                      "VALENCE",
                                      "NONSPECIFIC_CURRENT",
                                      "ELECTRODE_CURRENT",
                                      "RANGE",
                                      "GLOBAL",
                                      "POINTER",
                                      "BBCOREPOINTER",
                                      "EXTERNAL",
                                      "THREADSAFE",
                                      "SECTION",
                                      "REPRESENTS",
                                      "CONDUCTANCE",
                                      "RANDOM",
                                      NULL};
    for (int i = 0; kws[i]; ++i)
        if (strcmp(w, kws[i]) == 0) return true;
    return false;
}

/* list of names in the NEURON block: stops at the next keyword */
static nm_name *neuron_list(P *p) {
    nm_name *list = NULL;
    while (p->tok.kind == NT_NAME && !is_neuron_kw(p->tok.text)) {
        append_name(&list, new_name(p, &p->tok));
        next(p);
        accept(p, NT_COMMA);
    }
    return list;
}

static void add_currents(P *p, nm_name *list, int electrode, const char *ion) {
    for (nm_name *n = list; n; n = n->next) {
        nm_current *c = nm_alloc(p->a, sizeof *c);
        if (!c) return;
        c->name = n->name;
        c->line = n->line;
        c->col = n->col;
        c->electrode = electrode;
        c->ion = ion;
        nm_current **t = &p->f->currents;
        while (*t) t = &(*t)->next;
        *t = c;
    }
}

static void skip_represents(P *p) {
    next(p);
    if (p->tok.kind == NT_NAME) next(p);
    if (p->tok.kind == NT_LBRACKET) {
        while (p->tok.kind != NT_RBRACKET && p->tok.kind != NT_EOF && p->tok.kind != NT_RBRACE)
            next(p);
        accept(p, NT_RBRACKET);
    }
}

static void parse_neuron_block(P *p) {
    nm_file *f = p->f;
    f->has_neuron_block++;
    next(p);
    if (!expect(p, NT_LBRACE, "'{'")) {
        skip_braced(p);
        return;
    }
    while (p->tok.kind != NT_RBRACE && p->tok.kind != NT_EOF) {
        nm_token t = p->tok;
        if (t.kind != NT_NAME) {
            err_here(p, "a NEURON block statement");
            skip_body_rest(p);
            return;
        }
        const char *w = t.text;
        next(p);
        if (strcmp(w, "SUFFIX") == 0 || strcmp(w, "POINT_PROCESS") == 0 ||
            strcmp(w, "ARTIFICIAL_CELL") == 0) {
            if (p->tok.kind != NT_NAME) {
                err_here(p, "a mechanism name");
                skip_body_rest(p);
                return;
            }
            if (f->kind != NK_NONE)
                nm_error(p->d, t.line, t.col, "%s: the mechanism is already named '%s'", w,
                         f->mech_name);
            f->kind = w[0] == 'S' ? NK_SUFFIX : w[0] == 'P' ? NK_POINT : NK_ARTIFICIAL;
            f->mech_name = p->tok.text;
            f->kind_line = t.line;
            f->kind_col = t.col;
            next(p);
        } else if (strcmp(w, "USEION") == 0) {
            if (p->tok.kind != NT_NAME) {
                err_here(p, "an ion name");
                skip_body_rest(p);
                return;
            }
            nm_useion *u = nm_alloc(p->a, sizeof *u);
            if (!u) return;
            u->ion = p->tok.text;
            u->line = p->tok.line;
            u->col = p->tok.col;
            next(p);
            for (;;) {
                if (is_kw(p, "READ")) {
                    next(p);
                    nm_name *l = neuron_list(p);
                    if (!l) {
                        err_here(p, "ion variables after READ");
                        skip_body_rest(p);
                        return;
                    }
                    append_name(&u->read, l);
                } else if (is_kw(p, "WRITE")) {
                    next(p);
                    nm_name *l = neuron_list(p);
                    if (!l) {
                        err_here(p, "ion variables after WRITE");
                        skip_body_rest(p);
                        return;
                    }
                    append_name(&u->write, l);
                    for (nm_name *n = l; n; n = n->next) {
                        if (n->name[0] != 'i' || strcmp(n->name + 1, u->ion) != 0) continue;
                        nm_name *c = nm_alloc(p->a, sizeof *c); /* the current, alone */
                        if (!c) return;
                        *c = *n;
                        c->next = NULL;
                        add_currents(p, c, 0, u->ion);
                    }
                } else if (is_kw(p, "VALENCE")) {
                    next(p);
                    double sign = accept(p, NT_MINUS) ? -1 : 1;
                    if (p->tok.kind != NT_NUMBER) {
                        err_here(p, "the valence");
                        skip_body_rest(p);
                        return;
                    }
                    u->valence = sign * p->tok.num;
                    u->has_valence = true;
                    next(p);
                } else if (is_kw(p, "REPRESENTS")) {
                    skip_represents(p);
                } else {
                    break;
                }
            }
            nm_useion **tl = &f->ions;
            while (*tl) tl = &(*tl)->next;
            *tl = u;
        } else if (strcmp(w, "NONSPECIFIC_CURRENT") == 0 || strcmp(w, "ELECTRODE_CURRENT") == 0) {
            nm_name *l = neuron_list(p);
            if (!l) {
                err_here(p, "a current name");
                skip_body_rest(p);
                return;
            }
            bool el = w[0] == 'E';
            append_name(el ? &f->electrode : &f->nonspecific, l);
            /* copy: the names are also range variables */
            for (nm_name *n = l; n; n = n->next) {
                nm_name *c = nm_alloc(p->a, sizeof *c);
                if (!c) return;
                *c = *n;
                c->next = NULL;
                add_currents(p, c, el, NULL);
            }
        } else if (strcmp(w, "RANGE") == 0) {
            append_name(&f->range, neuron_list(p));
        } else if (strcmp(w, "GLOBAL") == 0) {
            append_name(&f->global, neuron_list(p));
        } else if (strcmp(w, "POINTER") == 0) {
            append_name(&f->pointer, neuron_list(p));
        } else if (strcmp(w, "BBCOREPOINTER") == 0) {
            append_name(&f->bbpointer, neuron_list(p));
        } else if (strcmp(w, "EXTERNAL") == 0) {
            append_name(&f->external, neuron_list(p));
        } else if (strcmp(w, "SECTION") == 0 || strcmp(w, "RANDOM") == 0) {
            neuron_list(p);
        } else if (strcmp(w, "THREADSAFE") == 0) {
            f->threadsafe = true;
            neuron_list(p);
        } else if (strcmp(w, "REPRESENTS") == 0) {
            /* the keyword is consumed already: skip the ontology term */
            if (p->tok.kind == NT_NAME) next(p);
        } else {
            nm_error(p->d, t.line, t.col, "unknown NEURON block statement '%s'", w);
            skip_body_rest(p);
            return;
        }
    }
    if (p->tok.kind == NT_EOF)
        err_here(p, "'}'");
    else
        next(p);
}

/* ( name [(units)] {, name [(units)]} ) */
static bool parse_params(P *p, nm_func *fn) {
    if (!expect(p, NT_LPAREN, "'(' with the parameters")) return false;
    while (p->tok.kind == NT_NAME) {
        nm_name *n = new_name(p, &p->tok);
        next(p);
        if (p->tok.kind == NT_LPAREN && n) n->units = read_units(p);
        append_name(&fn->params, n);
        fn->nparams++;
        if (!accept(p, NT_COMMA)) break;
    }
    return expect(p, NT_RPAREN, "',' or ')' in the parameter list");
}

static void add_func(P *p, nm_func *fn) {
    nm_func **t = &p->f->funcs;
    while (*t) t = &(*t)->next;
    *t = fn;
}

/* find the TABLE statement at the top of a body */
static void note_table(nm_func *fn) {
    if (!fn->body) return;
    for (nm_stmt *s = fn->body->first; s; s = s->next)
        if (s->kind == NS_TABLE) fn->table = s->table;
}

static void parse_func_block(P *p, nm_func_kind kind, bool named, bool params) {
    nm_func *fn = nm_alloc(p->a, sizeof *fn);
    if (!fn) return;
    fn->kind = kind;
    fn->line = p->tok.line;
    fn->col = p->tok.col;
    const char *kw = p->tok.text;
    next(p);
    if (kind == NF_BEFORE || kind == NF_AFTER) {
        if (p->tok.kind != NT_NAME) {
            err_here(p, "BREAKPOINT, SOLVE, INITIAL or STEP");
            skip_braced(p);
            return;
        }
        fn->when = p->tok.text;
        next(p);
    }
    if (named) {
        if (p->tok.kind != NT_NAME) {
            nm_error(p->d, p->tok.line, p->tok.col, "expected a name after %s, found %s", kw,
                     tok_desc(p));
            if (p->tok.kind == NT_LBRACE) skip_braced(p);
            return;
        }
        fn->name = p->tok.text;
        fn->line = p->tok.line;
        fn->col = p->tok.col;
        next(p);
    }
    if (params) {
        if (!parse_params(p, fn)) {
            while (p->tok.kind != NT_LBRACE && p->tok.kind != NT_EOF) next(p);
            skip_braced(p);
            return;
        }
        if (p->tok.kind == NT_LPAREN) read_units(p); /* FUNCTION f(x) (mV) */
    }
    if (kind == NF_FUNCTION_TABLE) {
        add_func(p, fn);
        return;
    }
    p->in_netreceive = kind == NF_NET_RECEIVE;
    fn->body = parse_body(p);
    p->in_netreceive = 0;
    if (!fn->body) return;
    note_table(fn);
    add_func(p, fn);
}

nm_file *nm_parse(const char *path, const char *src, size_t len, nm_arena *a, nm_diag *d) {
    P p;
    memset(&p, 0, sizeof p);
    p.a = a;
    p.d = d;
    p.f = nm_alloc(a, sizeof *p.f);
    if (!p.f) return NULL;
    p.f->path = path;
    p.f->src = src;
    p.f->srclen = len;
    nm_lex_init(&p.lx, src, len, a, d);
    next(&p);
    while (p.tok.kind != NT_EOF) {
        if (a->oom) return NULL;
        nm_token t = p.tok;
        if (t.kind == NT_TITLE) {
            p.f->title = t.text;
            next(&p);
            continue;
        }
        if (t.kind == NT_VERBATIM) {
            nm_stmt *s = new_stmt(&p, NS_VERBATIM, t.line, t.col);
            if (s) {
                s->text = t.text;
                nm_stmt **tl = &p.f->verbatims;
                while (*tl) tl = &(*tl)->next;
                *tl = s;
            }
            next(&p);
            continue;
        }
        if (t.kind != NT_NAME) {
            nm_error(d, t.line, t.col,
                     "expected a block keyword (NEURON, PARAMETER, ...), found %s", tok_desc(&p));
            next(&p);
            if (t.kind == NT_LBRACE) skip_body_rest(&p);
            continue;
        }
        const char *w = t.text;
        if (strcmp(w, "NEURON") == 0) {
            parse_neuron_block(&p);
        } else if (strcmp(w, "UNITS") == 0) {
            parse_units_block(&p);
        } else if (strcmp(w, "PARAMETER") == 0) {
            parse_decls(&p, &p.f->params, true);
        } else if (strcmp(w, "CONSTANT") == 0) {
            parse_decls(&p, &p.f->constants, true);
        } else if (strcmp(w, "ASSIGNED") == 0) {
            parse_decls(&p, &p.f->assigned, false);
        } else if (strcmp(w, "STATE") == 0) {
            parse_decls(&p, &p.f->states, false);
        } else if (strcmp(w, "INDEPENDENT") == 0 || strcmp(w, "DEPENDENT") == 0) {
            next(&p);
            if (p.tok.kind == NT_LBRACE)
                skip_braced(&p);
            else
                err_here(&p, "'{'");
        } else if (strcmp(w, "INITIAL") == 0) {
            parse_func_block(&p, NF_INITIAL, false, false);
        } else if (strcmp(w, "BREAKPOINT") == 0) {
            parse_func_block(&p, NF_BREAKPOINT, false, false);
        } else if (strcmp(w, "CONSTRUCTOR") == 0) {
            parse_func_block(&p, NF_CONSTRUCTOR, false, false);
        } else if (strcmp(w, "DESTRUCTOR") == 0) {
            parse_func_block(&p, NF_DESTRUCTOR, false, false);
        } else if (strcmp(w, "DERIVATIVE") == 0) {
            parse_func_block(&p, NF_DERIVATIVE, true, false);
        } else if (strcmp(w, "KINETIC") == 0) {
            parse_func_block(&p, NF_KINETIC, true, false);
        } else if (strcmp(w, "LINEAR") == 0 || strcmp(w, "NONLINEAR") == 0) {
            p.in_equations = 1;
            parse_func_block(&p, strcmp(w, "LINEAR") == 0 ? NF_LINEAR : NF_NONLINEAR, true, false);
            p.in_equations = 0;
        } else if (strcmp(w, "DISCRETE") == 0) {
            parse_func_block(&p, NF_DISCRETE, true, false);
        } else if (strcmp(w, "PARTIAL") == 0) {
            parse_func_block(&p, NF_PARTIAL, true, false);
        } else if (strcmp(w, "PROCEDURE") == 0) {
            parse_func_block(&p, NF_PROCEDURE, true, true);
        } else if (strcmp(w, "FUNCTION") == 0) {
            parse_func_block(&p, NF_FUNCTION, true, true);
        } else if (strcmp(w, "FUNCTION_TABLE") == 0) {
            parse_func_block(&p, NF_FUNCTION_TABLE, true, true);
        } else if (strcmp(w, "NET_RECEIVE") == 0) {
            parse_func_block(&p, NF_NET_RECEIVE, false, true);
        } else if (strcmp(w, "BEFORE") == 0) {
            parse_func_block(&p, NF_BEFORE, false, false);
        } else if (strcmp(w, "AFTER") == 0) {
            parse_func_block(&p, NF_AFTER, false, false);
        } else if (strcmp(w, "LOCAL") == 0) {
            next(&p);
            if (p.tok.kind != NT_NAME)
                err_here(&p, "a name after LOCAL");
            else
                append_name(&p.f->toplocals, parse_name_list(&p, true));
        } else if (strcmp(w, "UNITSON") == 0 || strcmp(w, "UNITSOFF") == 0 ||
                   strcmp(w, "ENDVERBATIM") == 0 || strcmp(w, "THREADSAFE") == 0) {
            next(&p);
        } else if (strcmp(w, "DEFINE") == 0) {
            next(&p);
            nm_token nt = p.tok;
            if (nt.kind != NT_NAME) {
                err_here(&p, "a name after DEFINE");
                continue;
            }
            next(&p);
            if (p.tok.kind != NT_NUMBER || !(p.tok.num >= 0 && p.tok.num <= 1e6) ||
                p.tok.num != (double)(int)p.tok.num) {
                err_here(&p, "an integer value in 0..1000000 for DEFINE");
                continue;
            }
            nm_name *n = new_name(&p, &nt);
            if (n) {
                n->value = p.tok.num;
                n->has_value = true;
                append_name(&p.f->defines, n);
            }
            next(&p);
        } else if (strcmp(w, "INCLUDE") == 0) {
            nm_error(d, t.line, t.col, "INCLUDE is not supported yet");
            next(&p);
        } else if (strcmp(w, "ENDCOMMENT") == 0) {
            nm_error(d, t.line, t.col, "ENDCOMMENT without COMMENT");
            next(&p);
        } else {
            nm_error(d, t.line, t.col, "unknown block '%s'", w);
            next(&p);
            if (p.tok.kind == NT_NAME) next(&p);
            if (p.tok.kind == NT_LBRACE) skip_braced(&p);
        }
    }
    if (a->oom) return NULL;
    return p.f;
}
