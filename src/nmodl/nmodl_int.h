/* SPDX-License-Identifier: MIT
 * nmodl/nmodl_int.h -- private structures of the NMODL compiler.
 *
 * Pipeline: lexer (nm_lex_*) -> recursive-descent parser (nm_parse) into an
 * AST that lives in one arena -> semantic analysis (nm_sema: symbols,
 * variable layout, ion uses, currents) -> C code generator (nm_codegen)
 * writing into a growable string.  Every stage reports problems as
 * diagnostics "file:line:col: error: message" collected in an nm_diag and
 * keeps going where it can; nothing here aborts or exits.  The arena owns
 * every node and string: one nm_arena_free releases a whole translation.
 */
#ifndef RV_NMODL_INT_H
#define RV_NMODL_INT_H

#include "ranvier/nmodl.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

/* ---- arena ------------------------------------------------------------- */
typedef struct nm_chunk nm_chunk;
typedef struct nm_arena {
    nm_chunk *head;
    bool oom; /* an allocation failed (callers report RV_ENOMEM) */
} nm_arena;

void *nm_alloc(nm_arena *a, size_t n); /* zeroed, 16-byte aligned, NULL on failure */
char *nm_strndup(nm_arena *a, const char *s, size_t n);
char *nm_strdup(nm_arena *a, const char *s);
char *nm_printf(nm_arena *a, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
void nm_arena_free(nm_arena *a);

/* ---- growable string --------------------------------------------------- */
typedef struct nm_buf {
    char *s;
    size_t len, cap;
    bool oom;
} nm_buf;
void nm_buf_put(nm_buf *b, const char *s);
void nm_buf_putn(nm_buf *b, const char *s, size_t n);
void nm_buf_printf(nm_buf *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
void nm_buf_vprintf(nm_buf *b, const char *fmt, va_list ap);
void nm_buf_free(nm_buf *b);

/* ---- diagnostics ------------------------------------------------------- */
typedef struct nm_diag {
    const char *path; /* shown in messages */
    nm_buf text;      /* "path:line:col: error: msg\n" lines */
    int nerr;
} nm_diag;
void nm_error(nm_diag *d, int line, int col, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;
void nm_warning(nm_diag *d, int line, int col, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

/* ---- tokens ------------------------------------------------------------ */
typedef enum nm_tok_kind {
    NT_EOF = 0,
    NT_NAME,
    NT_PRIME,    /* name followed by ' (text: the name, ival: order) */
    NT_NUMBER,   /* num: value, text: as written */
    NT_STRING,   /* text without the quotes */
    NT_TITLE,    /* text: rest of the line */
    NT_VERBATIM, /* text: everything up to ENDVERBATIM */
    NT_LBRACE,
    NT_RBRACE,
    NT_LPAREN,
    NT_RPAREN,
    NT_LBRACKET,
    NT_RBRACKET,
    NT_COMMA,
    NT_ASSIGN, /* = */
    NT_EQ,     /* == */
    NT_NE,
    NT_LT,
    NT_GT,
    NT_LE,
    NT_GE,
    NT_AND,
    NT_OR,
    NT_NOT,
    NT_PLUS,
    NT_MINUS,
    NT_STAR,
    NT_SLASH,
    NT_CARET,
    NT_TILDE,
    NT_REACT2, /* <-> */
    NT_REACT1, /* << */
    NT_ARROW,  /* -> */
    NT_AT,
    NT_PERCENT,
    NT_BAD /* a character that starts no token */
} nm_tok_kind;

typedef struct nm_token {
    nm_tok_kind kind;
    int line, col;
    const char *text; /* arena string (names, numbers, strings, raw text) */
    double num;
    int ival;
} nm_token;

typedef struct nm_lexer {
    const char *src;
    size_t len, pos;
    int line, col;
    nm_arena *arena;
    nm_diag *diag;
} nm_lexer;

void nm_lex_init(nm_lexer *lx, const char *src, size_t len, nm_arena *a, nm_diag *d);
nm_token nm_lex_next(nm_lexer *lx);
/* Raw text up to (not including) the next `close` on the same nesting
 * level; consumes the closing character.  Used for units "(mA/cm2)". */
const char *nm_lex_raw_until(nm_lexer *lx, char close, int *ok);
const char *nm_tok_name(nm_tok_kind k);

/* ---- AST --------------------------------------------------------------- */
typedef struct nm_sym nm_sym;

typedef enum nm_expr_kind {
    NE_NUM,
    NE_NAME,  /* text; a: index expression for name[i] */
    NE_CALL,  /* text(args) */
    NE_UNARY, /* op: NT_MINUS or NT_NOT; a */
    NE_BINARY,
    NE_PAREN, /* a */
    NE_STRING,
    NE_PRIME /* text' in an expression (DERIVATIVE blocks); num: order */
} nm_expr_kind;

typedef struct nm_expr {
    nm_expr_kind kind;
    int line, col;
    nm_tok_kind op;
    double num;
    const char *text;
    struct nm_expr *a, *b;
    struct nm_expr **args;
    int nargs;
    nm_sym *sym; /* resolved by sema (names and calls) */
} nm_expr;

typedef enum nm_stmt_kind {
    NS_ASSIGN,   /* lhs = rhs (lhs: NE_NAME) */
    NS_DIFFEQ,   /* name' = rhs; ival: order */
    NS_EXPR,     /* a call */
    NS_IF,       /* cond, body, orelse (a block or NULL) */
    NS_WHILE,    /* cond, body */
    NS_FROM,     /* FROM name = lo TO hi [BY step] body */
    NS_LOCAL,    /* names declared */
    NS_TABLE,    /* table */
    NS_SOLVE,    /* name METHOD method */
    NS_VERBATIM, /* text */
    NS_BLOCK,    /* body */
    NS_INITIAL,  /* INITIAL block inside NET_RECEIVE */
    NS_REACTION, /* ~ lhs <-> rhs (kf, kb) -- parsed, not yet compiled */
    NS_CONSERVE,
    NS_COMPARTMENT,
    NS_LAG,
    NS_WATCH,
    NS_FOR_NETCONS,
    NS_MUTEX /* MUTEXLOCK / MUTEXUNLOCK: no-ops with one thread */
} nm_stmt_kind;

typedef struct nm_name {
    const char *name;
    int line, col;
    int size; /* array size, 0 for scalars */
    const char *units;
    double value, lo, hi;
    bool has_value;
    struct nm_name *next;
} nm_name;

typedef struct nm_table {
    nm_name *vars; /* tabulated variables (empty: FUNCTION value) */
    nm_name *depend;
    struct nm_expr *from, *to;
    int with;
    int line, col;
} nm_table;

typedef struct nm_block nm_block;
typedef struct nm_stmt {
    nm_stmt_kind kind;
    int line, col;
    nm_expr *lhs, *rhs, *cond, *lo, *hi, *step;
    nm_block *body, *orelse;
    nm_name *names; /* LOCAL, CONSERVE ... */
    const char *text, *method;
    int ival;
    nm_table *table;
    struct nm_stmt *next;
} nm_stmt;

struct nm_block {
    nm_stmt *first, *last;
    int line, col;
};

typedef enum nm_func_kind {
    NF_PROCEDURE,
    NF_FUNCTION,
    NF_DERIVATIVE,
    NF_KINETIC,
    NF_LINEAR,
    NF_NONLINEAR,
    NF_DISCRETE,
    NF_PARTIAL,
    NF_FUNCTION_TABLE,
    NF_NET_RECEIVE,
    NF_INITIAL,
    NF_BREAKPOINT,
    NF_CONSTRUCTOR,
    NF_DESTRUCTOR,
    NF_BEFORE,
    NF_AFTER
} nm_func_kind;

typedef struct nm_func {
    nm_func_kind kind;
    const char *name; /* NULL for INITIAL, BREAKPOINT ... */
    int line, col;
    nm_name *params;
    int nparams;
    nm_block *body;
    const char *when; /* BEFORE/AFTER: "BREAKPOINT", "SOLVE", "INITIAL", "STEP" */
    nm_table *table;  /* the TABLE statement of the body, if any */
    struct nm_func *next;
} nm_func;

typedef struct nm_useion {
    const char *ion;
    int line, col;
    nm_name *read, *write;
    double valence;
    bool has_valence;
    struct nm_useion *next;
} nm_useion;

typedef struct nm_unitdef { /* UNITS block entry */
    const char *name;       /* "(mA)" user unit, or a named factor "FARADAY" */
    const char *u1, *u2;
    double value; /* literal value if has_value */
    bool has_value, is_factor;
    int line, col;
    struct nm_unitdef *next;
} nm_unitdef;

typedef enum nm_mech_kind { NK_NONE, NK_SUFFIX, NK_POINT, NK_ARTIFICIAL } nm_mech_kind;

/* current declaration in NEURON-block order */
typedef struct nm_current {
    const char *name;
    int line, col;
    int electrode;   /* ELECTRODE_CURRENT */
    const char *ion; /* ion name for ion currents, else NULL */
    struct nm_current *next;
} nm_current;

typedef struct nm_file {
    const char *path;
    const char *title;
    nm_mech_kind kind;
    const char *mech_name;
    int kind_line, kind_col;
    nm_useion *ions;
    nm_current *currents;
    nm_name *range, *global, *pointer, *bbpointer, *external, *nonspecific, *electrode;
    bool threadsafe;
    nm_unitdef *units;
    nm_name *params, *constants, *assigned, *states, *toplocals;
    nm_name *defines; /* DEFINE name value (a compile-time constant) */
    nm_func *funcs;   /* every block in file order */
    nm_stmt *verbatims;
    int has_neuron_block;
    const char *src; /* the text parsed (codegen re-lexes it for nocmodl's symbol order) */
    size_t srclen;
} nm_file;

/* Parse text into f (allocated in the arena).  Diagnostics go to d; the
 * returned file is usable (partially) even when d->nerr > 0. */
nm_file *nm_parse(const char *path, const char *src, size_t len, nm_arena *a, nm_diag *d);

/* ---- units ------------------------------------------------------------- */
/* Factor converting u1 into u2 (NEURON: `name = (u1) (u2)`); 0 on success,
 * else fills msg. */
int nm_units_factor(const char *u1, const char *u2, const nm_unitdef *user, double *out, char *msg,
                    size_t nmsg);

/* ---- code generation --------------------------------------------------- */
/* Translate a parsed file to C; appends to out.  id: a C identifier unique
 * among the files linked together (used for exported symbol names).
 * Returns the number of errors added to d. */
int nm_codegen(nm_file *f, const char *id, nm_arena *a, nm_diag *d, nm_buf *out, nm_buf *exports);

/* ---- driver helpers (nmodl.c, build.c) ----------------------------------- */
/* Translate without the registry footer; exports gets one exported symbol
 * per line, names one mechanism name per line. */
rv_status rv__nmodl_translate_buf(const char *path, const char *src, size_t len, nm_buf *c,
                                  nm_buf *exports, nm_buf *names, nm_buf *diag, rv_error *err);
rv_status rv__nmodl_read_file(const char *path, char **out, size_t *len, rv_error *err);
/* ranvier/mech_abi.h as compiled into this library (generated by CMake) */
extern const char rv__nmodl_abi_header[];
/* src/nmodl/nmodl_rt.inc: solvers pasted into generated C that needs them */
extern const char rv__nmodl_rt_solvers[];
/* src/nmodl/nmodl_compat.inc: the VERBATIM compatibility layer */
extern const char rv__nmodl_compat[];
/* revision of the generated code: part of the build-cache key with the
 * texts above, so a library built by an older generator is not reused
 * (raise it with every change to codegen.c's output) */
#define RV__NMODL_GEN_REVISION 22

#endif
