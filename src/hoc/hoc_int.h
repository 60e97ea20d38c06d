/* SPDX-License-Identifier: MIT
 * hoc/hoc_int.h -- private types of the hoc interpreter.
 *
 * Layers (one prefix per file): hoc_lex.c (hocL_, tokens), hoc_parse.c
 * (hocP_, tokens -> AST; knows nothing of the model), hoc_exec.c (hocX_, the
 * AST walker: scopes, values, sections through engine.h), hoc_lib.c (hocB_,
 * built-in functions and classes).  Errors never jump: every evaluation
 * returns -1 after storing the message in rv_hoc.err, and the public entry
 * points (hoc_api in hoc_exec.c) turn that into an rv_status.
 */
#ifndef RV_HOC_INT_H
#define RV_HOC_INT_H

#include "ranvier/hoc.h"

#include <regex.h>
#include <stdarg.h>
#include <stdio.h>

/* ---- lexer ------------------------------------------------------------ */
enum {
    T_EOF = 0,
    T_NL,
    T_NUM,
    T_STR,
    T_IDENT,
    T_ARG, /* $1 $s1 $o1 $&1: text[0] is the kind ('n','s','o','&') */
    T_OP,  /* punctuation, text holds it ("==", "+=", "{", ...) */
};

typedef struct hoc_tok {
    int kind;
    int line;
    double num;
    char text[256]; /* identifier, string contents or operator */
} hoc_tok;

typedef struct hoc_lex {
    const char *src, *p;
    const char *path;
    int line;
    hoc_tok tok, peek;
    int has_peek;
    char err[300];
} hoc_lex;

void hocL_init(hoc_lex *lx, const char *src, const char *path);
/* Advance; returns -1 on a lexical error (message in lx->err). */
int hocL_next(hoc_lex *lx);
int hocL_peek(hoc_lex *lx, hoc_tok **t);

/* ---- AST ---------------------------------------------------------------- */
typedef enum {
    /* expressions */
    N_NUM,
    N_STR,
    N_REF,   /* [base.]name[idx...](args) */
    N_ARG,   /* $k */
    N_ADDR,  /* &ref */
    N_BIN,   /* op in `op` */
    N_UNARY, /* '-' or '!' */
    N_AND,
    N_OR,
    N_ASSIGN, /* ref op= expr */
    N_NEW,
    N_NUMARG,
    /* statements */
    N_EXPR,
    N_BLOCK,
    N_IF,
    N_WHILE,
    N_FORC,
    N_FORI,
    N_FORSEG,
    N_FORSEC,
    N_FORALL,
    N_IFSEC,
    N_BREAK,
    N_CONTINUE,
    N_RETURN,
    N_PRINT,
    N_DECL, /* objref/strdef/double/create: `op` = declaration kind */
    N_LOCAL,
    N_PUBLIC,
    N_EXTERNAL,
    N_FUNCDEF,
    N_TEMPLATE,
    N_SECSTMT,
    N_ACCESS,
    N_CONNECT,
    N_INSERT,
    N_UNINSERT,
    N_STOP,
} hoc_nkind;

typedef struct hoc_node hoc_node;
typedef struct hoc_func hoc_func;

struct hoc_node {
    hoc_nkind kind;
    int line;
    const char *file; /* interned */
    int op;           /* operator char / code, decl kind */
    double num;
    char *name;              /* identifier, string literal */
    int slot;                /* local slot, -1 if not a local */
    int argkind;             /* N_ARG: 'n','s','o','&' */
    hoc_node *a, *b, *c, *d; /* children (meaning per kind) */
    hoc_node **list;         /* indices / args / statements / declared items */
    int nlist;
    hoc_node **args; /* N_REF call args */
    int nargs;
    int has_call; /* N_REF written with (...) */
    hoc_func *fn; /* N_FUNCDEF */
};

struct hoc_func {
    char *name;
    int kind; /* 'p' proc, 'f' func, 'o' obfunc */
    hoc_node *body;
    int nlocals;
    char *localobj; /* per slot: 1 if localobj */
};

/* Parser: parse one top-level statement (NULL node at EOF). */
typedef struct hoc_parser {
    hoc_lex lx;
    const char *file;
    char err[400];
    int errline;
    /* local scope of the function being parsed */
    char **locals;
    char *localobj;
    int nlocals, caplocals;
    int in_func, in_template;
    struct hoc_arena *arena;
} hoc_parser;

typedef struct hoc_arena hoc_arena;
hoc_arena *hocP_arena_new(void);
void hocP_arena_free(hoc_arena *a);
void *hocP_alloc(hoc_arena *a, size_t n);

void hocP_init(hoc_parser *ps, hoc_arena *a, const char *src, const char *file);
/* Returns 0 and *out (NULL at end of input), or -1 with ps->err set. */
int hocP_statement(hoc_parser *ps, hoc_node **out);

/* ---- values --------------------------------------------------------------- */
typedef struct hoc_str {
    int rc;
    size_t len;
    char s[];
} hoc_str;

typedef struct hoc_obj hoc_obj;
typedef struct hoc_class hoc_class;
typedef struct hoc_var hoc_var;
typedef struct rv_hoc hoc;

/* V_RPTR: &range(x) or &pp.var (NetCon sources, Vector.record) */
enum { V_NONE = 0, V_NUM, V_STR, V_OBJ, V_SEC, V_REF, V_SREF, V_OREF, V_RPTR };

typedef struct hoc_val {
    int t;
    union {
        double d;
        hoc_str *s;
        hoc_obj *o;
        int sec;
        double *p;
        hoc_str **sp;
        hoc_obj **op;
        struct {
            int sec; /* -1: point process variable */
            int pp;
            double x;
            const char *name; /* interned */
        } rp;
    } u;
} hoc_val;

/* symbol table: name -> hoc_var */
typedef struct hoc_table {
    hoc_var **slot;
    size_t cap, n;
} hoc_table;

enum { K_NUM = 1, K_STR, K_OBJ, K_SEC, K_FUNC, K_CLASS };

struct hoc_var {
    char *name;
    size_t hv; /* hash of name */
    int kind;
    int n;    /* element count (1 for scalars) */
    int ndim; /* 0 for scalars */
    int dims[4];
    double *d;   /* K_NUM */
    hoc_str **s; /* K_STR */
    hoc_obj **o; /* K_OBJ */
    int *sec;    /* K_SEC (-1: not created / deleted) */
    hoc_func *fn;
    hoc_class *cls;
};

/* A builtin class: methods and properties resolved by name at run time. */
typedef struct hoc_loc hoc_loc;
struct hoc_class {
    char *name;
    int count; /* instances created: the next index */
    /* template */
    int is_template;
    hoc_node **decls; /* declaration statements run for each instance */
    int ndecls, capdecls;
    hoc_table funcs;
    char **pub;
    int npub;
    char **ext;
    int next;
    /* builtin */
    int (*ctor)(hoc *h, hoc_obj *o, hoc_val *args, int nargs);
    void (*dtor)(hoc *h, hoc_obj *o);
    /* method call: 1 handled, 0 unknown name, -1 error */
    int (*method)(hoc *h, hoc_obj *o, const char *name, hoc_val *args, int nargs, hoc_val *ret);
    /* property location (x[i], s, sec, amp ...): 1 handled, 0 unknown, -1 err */
    int (*prop)(hoc *h, hoc_obj *o, const char *name, hoc_val *idx, int nidx, hoc_loc *loc);
    char *ppname;   /* point process mechanism name */
    hoc_obj **inst; /* live instances (not counted), for Template[i] */
    int ninst, capinst;
    hoc_table secdims; /* template arrays (sections, doubles, objrefs): last dims */
};

struct hoc_obj {
    int rc;
    hoc_class *cls;
    int index;
    hoc_table fields; /* template instances */
    void *data;       /* builtin classes */
    int pp;           /* point process id */
    int secs_owned;
};

/* A resolved place a value can be read from / written to. */
enum { L_NUM = 1, L_STR, L_OBJ, L_SEC, L_RANGE, L_SECPROP, L_PP, L_RVAL };
struct hoc_loc {
    int kind;
    double *d;
    hoc_str **s;
    hoc_obj **o;
    int sec;
    const char *name; /* range / pp variable, section property */
    double x;
    int has_x;
    int pp;
    hoc_val rval; /* L_RVAL: a computed read-only value (owned) */
};

/* hoc-side record of an engine section */
typedef struct hoc_sec {
    char *name;
    hoc_obj *owner; /* not counted */
    int parent;     /* engine id, -1 root */
    double parent_x;
    int child_end;
    double L, Ra;
    int nseg;
    int npt;
    int npp;    /* point processes placed on it */
    long order; /* creation order (forall), renewed when re-created */
    int deleted;
    int exists;
    char **mechs; /* inserted density mechanisms */
    int nmechs;
    int conn_seq; /* order of connect: NEURON lists the newest child first */
    int nchild;   /* sections whose parent this is */
    int Lc_npt;   /* L of the 3-D points cached in Lc for this npt (0: none) */
    double Lc;
    /* values of mechanism range variables written through hoc, so they can
     * be read back before the model is set up (the engine reads lower it) */
    struct hoc_shadow {
        char *name;
        double *v; /* nseg values, NaN: never written */
    } * sh;
    int nsh;
} hoc_sec;

typedef struct hoc_frame {
    hoc_val *args;
    int nargs;
    hoc_val *locals;
    int nlocals;
} hoc_frame;

typedef struct hoc_file {
    char *path;
    struct hoc_file *next;
} hoc_file;

struct rv_hoc {
    rv_model *m;
    rv_error *err; /* error of the current public call */
    int failed;
    rv_hoc_write_fn out;
    void *out_ud;
    int echo;
    hoc_table globals, builtins;
    hoc_obj *self; /* current template instance (NULL: top level) */
    hoc_frame *frame;
    int depth;
    /* sections */
    hoc_sec *secs;
    int nsecs, capsecs;
    int *stack; /* section stack */
    int nstack, capstack;
    int access; /* default section, -1 */
    int dist_sec;
    double dist_x;
    int dist_set;
    /* mechanisms seen (for range-variable names) */
    char **mechs;
    int nmechs, capmechs;
    hoc_file *files; /* loaded, for load_file */
    char **interned;
    int ninterned, capinterned;
    hoc_arena **arenas; /* parse trees (kept: functions refer to them) */
    int narenas, caparenas;
    const char *cur_file;
    int cur_line;
    int conn_count;
    long steps, step_limit;
    long sec_order;
    hoc_node *top; /* the top-level statement being run (echo) */
    hoc_table defaults;
    hoc_table mglobals;
    /* mechanism globals assigned, not yet applied */ /* mechanism parameter defaults (from a
                                                         scratch model) */
    double tstop, v_init;
    int stopped;
    int obj_count[1];
    /* mechanism libraries loaded by nrn_load_dll into this model
     * (rv_nmodl_lib *; they stay loaded until the process exits) */
    void **libs;
    int nlibs;
    /* NetCon spike records, filled after each fadvance */
    struct hoc_ncrec *ncrec;
    int nncrec, capncrec;
    size_t spikes_seen;
    /* hoc-made spike sources: (sec, x) or point process -> synthetic gid */
    struct hoc_src *srcs;
    int nsrcs, capsrcs;
    int finitialized; /* the hoc finitialize() ran once */
    hoc_obj **ncs;    /* live NetCon objects (not counted) */
    int nncs, capncs;
    struct hoc_vrec *vrec; /* Vector.record */
    int nvrec, capvrec;
    double nc_dummy_thr;
    hoc_table rangecache; /* is_range_name answers */
    char *re_pat;         /* section-name pattern compiled in re */
    regex_t re;
    int in_decls; /* running a template's declarations for a new instance */
    /* point-process FUNCTION/PROCEDURE calls from hoc (rv_hoc_set_pp_call);
     * NULL: rv_pp_call at once */
    rv_hoc_pp_call_fn pp_call;
    void *pp_call_ud;
};

typedef struct hoc_ncrec {
    int64_t gid;
    hoc_obj *vec;   /* counted */
    hoc_obj *idvec; /* counted, may be NULL */
    double id;
} hoc_ncrec;

typedef struct hoc_src {
    int sec; /* -1: point process source */
    double x;
    int pp; /* -1: section source */
    int64_t gid;
    double thr, thr_made;
    int made;
} hoc_src;

typedef struct hoc_vrec {
    hoc_obj *vec; /* counted */
    int rec;      /* engine record */
    size_t done;  /* values copied */
} hoc_vrec;

/* ---- exec (hoc_exec.c) ---------------------------------------------------- */
int hocX_error(hoc *h, rv_status code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
int hocX_engine(hoc *h, rv_status st, rv_error *e); /* propagate engine error */
void hocX_release(hoc *h, hoc_val *v);
void hocX_retain(hoc_val *v);
hoc_str *hocX_str(const char *s, size_t n);
void hocX_str_decref(hoc_str *s);
void hocX_obj_decref(hoc *h, hoc_obj *o);
hoc_obj *hocX_obj_new(hoc *h, hoc_class *c);
int hocX_cur_sec(hoc *h, int *sec);
int hocX_push_sec(hoc *h, int sec);
void hocX_pop_sec(hoc *h);
void hocX_write(hoc *h, const char *s, size_t n);
int hocX_run_source(hoc *h, const char *src, const char *file, hoc_obj *self);
int hocX_load_file(hoc *h, const char *path);
hoc_var *hocX_table_get(hoc_table *t, const char *name);
hoc_var *hocX_table_add(hoc_table *t, const char *name, int kind, int n);
void hocX_table_free(hoc *h, hoc_table *t);
double hocX_seg_x(int nseg, int i);
int hocX_arg_num(hoc *h, hoc_val *v, double *d);
int hocX_arg_str(hoc *h, hoc_val *v, const char **s);
int hocX_arg_obj(hoc *h, hoc_val *v, hoc_obj **o);
int hocX_section_name_matches(hoc *h, const char *name, const char *pattern);
double hocX_sec_L(hoc *h, int sec);
int hocX_sec_delete(hoc *h, int sec);
/* record child's parent (keeps the parents' child counts) */
void hocX_set_parent(hoc *h, int child, int parent, double parent_x, int child_end);
int hocX_note_mech(hoc *h, const char *mech);
int hocX_apply_globals(hoc *h);
/* A fresh model with the built-in mechanisms and those of nrn_load_dll
 * (for parameter defaults); NULL when out of memory. */
rv_model *hocX_scratch_model(hoc *h);
int hocX_load_mechanisms(hoc *h, const char *path);
const char *hocX_intern(hoc *h, const char *s);
/* after finitialize / fadvance: NetCon spike records, Vector records */
int hocX_after_step(hoc *h, int reset);
/* create the engine side of NetCons made in hoc (before setup) */
int hocX_netcons_materialize(hoc *h);
int hocX_format(hoc *h, const char *fmt, hoc_val *args, int nargs, char **out, size_t *n);
double hocX_distance(hoc *h, int sec0, double x0, int sec1, double x1);

/* ---- builtins (hoc_lib.c) ------------------------------------------------ */
/* Register builtin functions and classes into h->builtins. */
int hocB_install(hoc *h);
/* Call a builtin function by name: 1 handled, 0 unknown, -1 error. */
int hocB_call(hoc *h, const char *name, hoc_node **argn, hoc_val *args, int nargs, hoc_val *ret);
/* Object value printed as NEURON does ("Vector[0]"). */
void hocB_obj_name(hoc_obj *o, char *buf, size_t n);
/* SectionList / SectionRef helpers used by forsec */
int hocB_seclist_items(hoc *h, hoc_obj *o, int **secs, int *n);
hoc_class *hocB_class(hoc *h, const char *name);
hoc_class *hocB_add_class(hoc *h, const char *name);

/* ---- cell-state dump (hoc_dump.c) ----------------------------------------- */
int hocX_dump_cell(hoc *h, hoc_obj *o, double gid, FILE *f);

/* ---- Import3d classes (hoc_import3d.c) ------------------------------------ */
int hocI_install(hoc *h);

#endif
