/* SPDX-License-Identifier: MIT
 * nmodl/codegen.c -- semantic analysis of a parsed .mod file and C code
 * generation against ranvier/mech_abi.h.
 *
 * Variables.  RANGE parameters, ASSIGNED and STATE variables are per
 * instance (SoA: variable k of instance i at data[k * pad + i]); PARAMETERs
 * not declared RANGE and GLOBAL variables live in the type's global storage
 * (ml->global; their hoc names are name_suffix), as do TABLE data.  Ion
 * variables (ena, ica, cai ...) are per-instance copies loaded from the ion
 * store (pdata RV_PDATA_ION) when a kernel starts and written back when it
 * ends, and `v` is a per-instance copy of the node voltage -- NEURON's
 * layout, so that procedures see the same values NEURON's do.
 *
 * Numerics follow nocmodl's generated code operation for operation:
 *   - currents: BREAKPOINT evaluated at v + .001 and at v, di/dv their
 *     difference quotient; ion di/dv likewise; point processes scale by
 *     1e2/area; electrode currents add to rhs (and to fast-imem sums);
 *   - cnexp: an equation x' = f(x) linear in x is decomposed symbolically
 *     into f = A*x + B with nocmodl's rules (derivative DE, coefficient A,
 *     remainder B, with its zero-folding) and becomes
 *       x = x + (1. - exp(dt*(DE)))*(- (B) / (A) - x)
 *     or x = x - dt*(-(B)) when DE is zero;  exp is hoc_Exp (rv_exp);
 *   - euler: derivatives first, then x += dt*Dx (two half steps with
 *     secondorder 2), as NEURON's euler;
 *   - TABLE: NEURON's table of WITH+1 points from FROM to TO built with
 *     `x += dx` accumulation from instance 0, rebuilt when a DEPEND value
 *     changes, linear interpolation, usetable_<suffix> switch;
 *   - integer literals are emitted as doubles (NMODL has no integers).
 *
 *   - derivimplicit (and cnexp whose equations are not linear, as nocmodl
 *     falls back): the block becomes _dfun_ (Dx), solved by Newton on
 *     Dx - (x - x(t))/dt = 0 with the runtime of nmodl_rt.inc; equations in
 *     block order, unknowns in nocmodl's symbol order (symiter_before);
 *   - KINETIC ... METHOD sparse: reactions, << fluxes, CONSERVE, COMPARTMENT
 *     become nocmodl's matrix function (_kfun_, states numbered by
 *     kin_number) driven by the runtime's sparse solver; INITIAL's
 *     SOLVE ... STEADYSTATE sparse runs it with dt = 1e9;  derivimplicit and
 *     sparse halve dt during the state step with secondorder, as NEURON.
 *
 *   - VERBATIM: the text as C between #defines of NEURON's names (variables,
 *     _p_<pointer>, t, dt, net_send ...), with nmodl_compat.inc pasted in;
 *     POINTER: an extra pdata slot (block offset, rv_pointer_set);
 *     BBCOREPOINTER: a vdata slot; FUNCTIONs/PROCEDUREs are exported as
 *     rv_mech_func for the driver (rv_pp_call; ifarg/getarg see the args)
 *     and VERBATIM calls them by name (name(_threadargscomma_ ...));
 *     CONSTRUCTOR/DESTRUCTOR (with VERBATIM): the type's per-instance
 *     constructor/destructor hooks.
 *
 *   - WATCH (NET_RECEIVE): per statement internal variables (active, above,
 *     flag); the type's watch kernel checks them at the start of each step
 *     as NEURON's check_thresh and sends a self event at t when one becomes
 *     true.  SOLVE proc METHOD after_cvode: a plain SOLVE (fixed step).
 *
 *   - `diam` and (density mechanisms) `area`: the node's values from
 *     th->diam / th->area; DEFINE: compile-time constants and array sizes;
 *     GLOBAL and top-level LOCAL arrays: consecutive global slots;
 *     state_discontinuity: an assignment (fixed step).
 *
 *   - LINEAR: nocmodl's coefficient terms and scopmath's simeq (see
 *     emit_linear), the block run and solved where it is SOLVEd (outside
 *     BREAKPOINT's own SOLVEs, as NEURON's VClamp does).
 *
 * Not handled yet (errors naming the construct): NONLINEAR, SOLVE of a LINEAR
 * block in BREAKPOINT, FOR_NETCONS (needs an engine service listing an
 * instance's NetCons), FROM loops over arrays of states,
 * array states in derivimplicit, CONSERVE whose diagonal would be an element
 * of a STATE array, indexed COMPARTMENT,
 * INCLUDE, BEFORE/AFTER blocks, x' read in an expression under cnexp
 * (nocmodl reads a stale Dx there), SOLVE in INITIAL other than sparse of a
 * KINETIC block or derivimplicit of a DERIVATIVE block SOLVEd the same way
 * in BREAKPOINT (nocmodl's default adrunge does not link in NEURON 8.2).
 */
#include "nmodl_int.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#define MAX_WATCH   16
#define MAX_CNCACHE 64
#define MAX_HOIST   8

typedef enum sym_kind {
    SK_RANGE,  /* per-instance data */
    SK_GLOBAL, /* ml->global */
    SK_CONST,  /* compile-time value */
    SK_LOCAL,  /* C local _lname */
    SK_NETARG, /* NET_RECEIVE argument: _w[k] */
    SK_V,
    SK_T,
    SK_DT,
    SK_CELSIUS,
    SK_AREA,
    SK_DIAM,
    SK_FLAG,
    SK_PTR,   /* POINTER: extra pdata slot (block offset) */
    SK_BBPTR, /* BBCOREPOINTER: vdata slot (VERBATIM only) */
    SK_FUNC,  /* FUNCTION or PROCEDURE */
    SK_BLOCK  /* DERIVATIVE, KINETIC ... (SOLVE targets) */
} sym_kind;

/* ion variable kinds of a per-instance copy */
enum { IV_NONE = -1 };

struct nm_sym {
    const char *name;
    sym_kind kind;
    int index; /* var index, global index, netarg index */
    int size;  /* array elements, 0 scalar */
    double value;
    nm_func *fn;
    rv_var_role role;
    int ion_use, ion_var; /* ion copies: use index and RV_ION_* */
    int line, col;
    bool visible;
    nm_sym *next;
};

typedef struct var_t {
    const char *name; /* C enum suffix */
    const char *pub;  /* rv_mech_var name */
    rv_var_role role;
    double dflt;
    bool priv; /* a top-level LOCAL (not in the type's global names) */
} var_t;

typedef struct ionuse {
    const char *ion;
    int flags;
    double valence;
    bool load[RV_ION_NVAR];  /* copied in at kernel start */
    bool store[RV_ION_NVAR]; /* written back (conc, erev) */
    nm_sym *sym[RV_ION_NVAR];
} ionuse;

#define MAX_VARS  4096
#define MAX_IONS  16
#define MAX_SCOPE 256

typedef struct G {
    nm_file *f;
    nm_arena *a;
    nm_diag *d;
    nm_buf *o;
    const char *mech, *id;
    nm_sym *syms;
    nm_sym *scope[MAX_SCOPE];
    int nscope;
    var_t vars[MAX_VARS];
    int nvars;
    var_t globs[MAX_VARS]; /* visible globals first */
    int nglobs, nglobs_vis;
    int gpriv; /* private global doubles after the visible ones */
    ionuse ions[MAX_IONS];
    int nions;
    int slot_area;
    bool has_cur, electrode, writes_conc, uses_v, has_table;
    int v_var, g_var, tsav_var, usetable_glob;
    /* WATCH statements of NET_RECEIVE; per statement k three internal
     * variables: active, above threshold (NEURON's flag_), NET_RECEIVE flag */
    nm_stmt *watch[MAX_WATCH];
    int nwatch;
    nm_func *initial, *breakpoint, *netrecv;
    nm_func *ctor, *dtor; /* CONSTRUCTOR / DESTRUCTOR with a body */
    /* LINEAR block being emitted: its unknowns (column order) */
    struct linsys *lin;
    nm_sym *lin_one; /* the unknown emitted as 1.0 in a coefficient term */
    nm_stmt *netinit;
    nm_stmt *solve[32]; /* SOLVE statements of BREAKPOINT and their targets */
    nm_func *solve_fn[32];
    const char *solve_method[32];
    int nsolve, nsolve_stmts;
    /* emission context */
    nm_func *cur_fn;
    int ctx; /* CTX_* */
    int indent;
    int tmp;
    /* derivimplicit: the diffeq states of the block being emitted */
    nm_sym *dstate[256];
    int ndstate;
    bool in_dimp, cnexp_nonlin, need_rt, halve_dt;
    /* x' read in an expression: the states whose x' = ... came earlier in
     * the DERIVATIVE block being emitted (euler: in _D<x>; derivimplicit:
     * in _D[k]); in_euler while an euler block is emitted */
    const char *primed[256];
    int nprimed;
    bool in_euler;
    struct kin *kin; /* KINETIC block being emitted */
    bool compat;     /* VERBATIM or POINTERs: the compatibility layer is pasted */
    const char *ptrs[64], *bbptrs[64];
    int nptr, nbbptr;
    const char **occ; /* names in order of first occurrence in the source */
    int nocc;
    /* cnexp decay factors cached per instance: the dt key of each */
    int cnc_dtkey[MAX_CNCACHE];
    int ncnc;
    int afac_var; /* POINT_PROCESS: 1e2/area cached at INITIAL (-1: none) */
    /* _nrn_current: scalar RANGE variables and v held in C locals _r_NAME
     * (no call can read the instance data meanwhile: shadow_impure when one
     * could -- a FUNCTION/PROCEDURE call, POINTER, VERBATIM, net_*) */
    bool shadow, shadow_impure;
    bool v_read; /* some code reads v from the instance data */
    /* emit_derivative: the no-advance variant _dn_ (the block called as a
     * procedure when SOLVEd by euler / derivimplicit: NEURON evaluates it,
     * the states stay) */
    bool noadv;
    bool in_fornc; /* emitting a FOR_NETCONS body */
    bool solve_noadv[32];
    bool shadow_used[MAX_VARS], shadow_written[MAX_VARS];
    /* shadow _cur: exp calls whose argument depends on v only (and on
     * constants, dt, celsius, globals the BREAKPOINT does not assign) are
     * evaluated before the instance loop, per chunk of _RV_CHUNK instances,
     * once per run of equal arguments (point processes sharing a node):
     * hoist_txt[k] is the argument's C text (v is _v), read back in the
     * loop as _xe[k][_j] */
    bool hoist_ok;
    int nhoist;
    const char *hoist_txt[MAX_HOIST];
} G;

/* a KINETIC block: its states numbered as nocmodl numbers them */
typedef struct kin {
    nm_sym *st[256];   /* by varnum */
    int el[256];       /* by varnum: the element of an array STATE (else 0) */
    nm_expr *cap[256]; /* COMPARTMENT volume by varnum (NULL: none) */
    int n, ncons, nconsstmt, conseq;
    bool linear;
} kin;

enum { CTX_OTHER, CTX_INIT, CTX_NETRECV, CTX_NETINIT, CTX_TABLE };

/* ---------------------------------------------------------------- utils */
static void out(G *g, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
static void out(G *g, const char *fmt, ...) {
    for (int i = 0; i < g->indent; ++i) nm_buf_put(g->o, "    ");
    va_list ap;
    va_start(ap, fmt);
    nm_buf_vprintf(g->o, fmt, ap);
    va_end(ap);
}

/* temporaries: a failed allocation in one makes the whole output fail */
static void tmp_free(G *g, nm_buf *b) {
    if (b->oom) g->o->oom = true;
    nm_buf_free(b);
}

static nm_sym *sym_new(G *g, const char *name, sym_kind k, int line, int col) {
    nm_sym *s = nm_alloc(g->a, sizeof *s);
    if (!s) return NULL;
    s->name = name;
    s->kind = k;
    s->ion_use = IV_NONE;
    s->ion_var = IV_NONE;
    s->line = line;
    s->col = col;
    return s;
}

static nm_sym *find_global(G *g, const char *name) {
    for (nm_sym *s = g->syms; s; s = s->next)
        if (strcmp(s->name, name) == 0) return s;
    return NULL;
}

static void add_global(G *g, nm_sym *s) {
    if (!s) return;
    s->next = g->syms;
    g->syms = s;
}

static nm_sym *lookup(G *g, const char *name) {
    for (int k = g->nscope - 1; k >= 0; --k)
        for (nm_sym *s = g->scope[k]; s; s = s->next)
            if (strcmp(s->name, name) == 0) return s;
    return find_global(g, name);
}

static bool push_scope(G *g) {
    if (g->nscope >= MAX_SCOPE) {
        nm_error(g->d, 0, 0, "blocks nest too deeply");
        return false;
    }
    g->scope[g->nscope++] = NULL;
    return true;
}

static void pop_scope(G *g) {
    if (g->nscope > 0) g->nscope--;
}

static void scope_add(G *g, nm_sym *s) {
    if (!s || g->nscope == 0) return;
    s->next = g->scope[g->nscope - 1];
    g->scope[g->nscope - 1] = s;
}

static bool name_in(const nm_name *l, const char *name) {
    for (; l; l = l->next)
        if (strcmp(l->name, name) == 0) return true;
    return false;
}

static int add_var(G *g, const char *name, const char *pub, rv_var_role role, double dflt) {
    if (g->nvars >= MAX_VARS) {
        nm_error(g->d, 0, 0, "too many variables (limit %d)", MAX_VARS);
        return 0;
    }
    var_t *v = &g->vars[g->nvars];
    v->name = name;
    v->pub = pub;
    v->role = role;
    v->dflt = dflt;
    return g->nvars++;
}

static int add_glob(G *g, const char *name, double dflt) {
    if (g->nglobs >= MAX_VARS) {
        nm_error(g->d, 0, 0, "too many globals (limit %d)", MAX_VARS);
        return 0;
    }
    var_t *v = &g->globs[g->nglobs];
    v->name = name;
    v->pub = name;
    v->dflt = dflt;
    return g->nglobs++;
}

static const char *cident(G *g, const char *s);

/* a global scalar (size 0) or array of `size` consecutive slots named
 * "name[k]"; returns the first slot */
static int add_glob_arr(G *g, const char *name, int size, double dflt) {
    if (size <= 0) return add_glob(g, name, dflt);
    int first = -1;
    for (int k = 0; k < size; ++k) {
        const char *pub = nm_printf(g->a, "%s[%d]", name, k);
        if (!pub) return 0;
        int idx = add_glob(g, cident(g, pub), dflt);
        g->globs[idx].pub = pub;
        if (k == 0) first = idx;
    }
    return first;
}

static const char *cident(G *g, const char *s) {
    /* array element names "x[3]" -> "x_3_" for enum identifiers */
    char *d = nm_strdup(g->a, s);
    if (!d) return s;
    for (char *p = d; *p; ++p)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '_'))
            *p = '_';
    return d;
}

/* ------------------------------------------------------------ analysis */
static bool is_builtin_var(const char *n) {
    return strcmp(n, "v") == 0 || strcmp(n, "t") == 0 || strcmp(n, "dt") == 0 ||
           strcmp(n, "celsius") == 0 || strcmp(n, "area") == 0 || strcmp(n, "diam") == 0;
}

/* which ion variable is `name` of ion `ion`: RV_ION_* or -1 */
static int ion_var_of(const char *ion, const char *name) {
    size_t li = strlen(ion), ln = strlen(name);
    if (ln == li + 1 && name[0] == 'e' && strcmp(name + 1, ion) == 0) return RV_ION_EREV;
    if (ln == li + 1 && name[0] == 'i' && strcmp(name + 1, ion) == 0) return RV_ION_CUR;
    if (ln == li + 1 && strncmp(name, ion, li) == 0 && name[li] == 'i') return RV_ION_CONCI;
    if (ln == li + 1 && strncmp(name, ion, li) == 0 && name[li] == 'o') return RV_ION_CONCO;
    return -1;
}

static const nm_name *find_decl(const nm_name *l, const char *name) {
    for (; l; l = l->next)
        if (strcmp(l->name, name) == 0) return l;
    return NULL;
}

static void analyze_ions(G *g) {
    nm_file *f = g->f;
    for (nm_useion *u = f->ions; u; u = u->next) {
        if (g->nions >= MAX_IONS) {
            nm_error(g->d, u->line, u->col, "too many USEION statements (limit %d)", MAX_IONS);
            return;
        }
        ionuse *iu = &g->ions[g->nions];
        memset(iu, 0, sizeof *iu);
        iu->ion = u->ion;
        iu->valence = u->has_valence ? u->valence : 0;
        int ui = g->nions++;
        for (int pass = 0; pass < 2; ++pass) {
            for (nm_name *n = pass ? u->write : u->read; n; n = n->next) {
                int iv = ion_var_of(u->ion, n->name);
                if (iv < 0) {
                    nm_error(g->d, n->line, n->col, "'%s' is not a variable of ion %s", n->name,
                             u->ion);
                    continue;
                }
                static const int rf[4] = {RV_ION_READ_E, RV_ION_READ_I, RV_ION_READ_O, 0};
                static const int wf[4] = {RV_ION_WRITE_E, RV_ION_WRITE_I, RV_ION_WRITE_O,
                                          RV_ION_WRITE_CUR};
                iu->flags |= pass ? wf[iv] : rf[iv];
                if (pass == 0) iu->load[iv] = true;
                if (pass == 1 && (iv == RV_ION_CONCI || iv == RV_ION_CONCO)) {
                    iu->load[iv] = true; /* a written concentration starts from the store */
                    iu->store[iv] = true;
                    g->writes_conc = true;
                }
                if (pass == 1 && iv == RV_ION_EREV) iu->store[iv] = true;
                nm_sym *s = find_global(g, n->name);
                if (s) {
                    if (s->ion_use != ui) {
                        nm_error(g->d, n->line, n->col, "'%s' is used by two USEION statements",
                                 n->name);
                        continue;
                    }
                } else {
                    const nm_name *st = find_decl(f->states, n->name);
                    s = sym_new(g, n->name, SK_RANGE, n->line, n->col);
                    if (!s) return;
                    s->role = st ? RV_VAR_STATE : RV_VAR_ASSIGNED;
                    s->ion_use = ui;
                    s->ion_var = iv;
                    s->index = add_var(g, cident(g, n->name), n->name, RV_VAR_INTERNAL, 0);
                    add_global(g, s);
                }
                iu->sym[iv] = s;
            }
        }
    }
}

static void declare_vars(G *g) {
    nm_file *f = g->f;
    /* built-ins */
    static const struct {
        const char *n;
        sym_kind k;
    } bi[] = {{"v", SK_V},       {"t", SK_T},      {"dt", SK_DT}, {"celsius", SK_CELSIUS},
              {"area", SK_AREA}, {"diam", SK_DIAM}};
    for (size_t k = 0; k < sizeof bi / sizeof *bi; ++k)
        add_global(g, sym_new(g, bi[k].n, bi[k].k, 0, 0));
    /* UNITS named factors and CONSTANTs */
    for (nm_unitdef *u = f->units; u; u = u->next) {
        if (!u->is_factor) continue;
        double val = u->value;
        if (!u->has_value) {
            char msg[256];
            if (nm_units_factor(u->u1 ? u->u1 : "1", u->u2 ? u->u2 : "1", f->units, &val, msg,
                                sizeof msg)) {
                nm_error(g->d, u->line, u->col, "%s: %s", u->name, msg);
                continue;
            }
        }
        nm_sym *s = sym_new(g, u->name, SK_CONST, u->line, u->col);
        if (!s) return;
        s->value = val;
        add_global(g, s);
    }
    /* CONSTANTs, then DEFINEs: named compile-time values */
    nm_name *lists[2] = {f->constants, f->defines};
    for (int k = 0; k < 2; ++k)
        for (nm_name *n = lists[k]; n; n = n->next) {
            if (find_global(g, n->name)) {
                nm_error(g->d, n->line, n->col, "'%s' is declared twice", n->name);
                continue;
            }
            nm_sym *s = sym_new(g, n->name, SK_CONST, n->line, n->col);
            if (!s) return;
            s->value = n->value;
            add_global(g, s);
        }
    if (!find_global(g, "PI")) {
        nm_sym *s = sym_new(g, "PI", SK_CONST, 0, 0);
        if (s) s->value = 3.14159265358979323846;
        add_global(g, s);
    }
    analyze_ions(g);
    /* PARAMETER */
    for (nm_name *n = f->params; n; n = n->next) {
        if (is_builtin_var(n->name)) continue;
        nm_sym *old = find_global(g, n->name);
        if (old && old->ion_use >= 0) continue; /* e.g. PARAMETER { ena } */
        if (name_in(f->pointer, n->name) || name_in(f->bbpointer, n->name))
            continue; /* a POINTER listed among the PARAMETERs (declared below) */
        if (old) {
            nm_error(g->d, n->line, n->col, "'%s' is declared twice", n->name);
            continue;
        }
        bool range = name_in(f->range, n->name);
        nm_sym *s = sym_new(g, n->name, range ? SK_RANGE : SK_GLOBAL, n->line, n->col);
        if (!s) return;
        s->size = n->size;
        s->role = RV_VAR_PARAM;
        s->visible = true;
        if (range) {
            int cnt = n->size > 0 ? n->size : 1;
            for (int k = 0; k < cnt; ++k) {
                const char *pub = n->size > 0 ? nm_printf(g->a, "%s[%d]", n->name, k) : n->name;
                int idx = add_var(g, cident(g, pub), pub, RV_VAR_PARAM, n->value);
                if (k == 0) s->index = idx;
            }
        } else {
            s->index = add_glob_arr(g, n->name, n->size, n->value);
        }
        add_global(g, s);
    }
    /* ASSIGNED, STATE */
    for (int pass = 0; pass < 2; ++pass) {
        for (nm_name *n = pass ? f->states : f->assigned; n; n = n->next) {
            if (is_builtin_var(n->name)) {
                if (pass) nm_error(g->d, n->line, n->col, "'%s' cannot be a STATE", n->name);
                continue;
            }
            nm_sym *old = find_global(g, n->name);
            if (old && old->ion_use >= 0) continue;
            if (old) {
                nm_error(g->d, n->line, n->col, "'%s' is declared twice", n->name);
                continue;
            }
            if (name_in(f->pointer, n->name) || name_in(f->bbpointer, n->name))
                continue; /* declared below */
            bool glob = name_in(f->global, n->name);
            if (glob && pass) {
                nm_error(g->d, n->line, n->col, "STATE '%s' cannot be GLOBAL", n->name);
                glob = false;
            }
            nm_sym *s = sym_new(g, n->name, glob ? SK_GLOBAL : SK_RANGE, n->line, n->col);
            if (!s) return;
            s->size = n->size;
            s->role = pass ? RV_VAR_STATE : RV_VAR_ASSIGNED;
            s->visible = true;
            if (glob) {
                s->index = add_glob_arr(g, n->name, n->size, 0);
            } else {
                int cnt = n->size > 0 ? n->size : 1;
                for (int k = 0; k < cnt; ++k) {
                    const char *pub = n->size > 0 ? nm_printf(g->a, "%s[%d]", n->name, k) : n->name;
                    int idx = add_var(g, cident(g, pub), pub, s->role, 0);
                    if (k == 0) s->index = idx;
                }
            }
            add_global(g, s);
        }
        if (pass) continue;
        /* a RANGE name declared nowhere else is an ASSIGNED range variable
         * (nocmodl leaves it undeclared: accepted while unused, its C fails
         * to compile when used; neurodamus-models lists such names) */
        for (nm_name *n = f->range; n; n = n->next) {
            if (is_builtin_var(n->name) || find_global(g, n->name) || name_in(f->states, n->name) ||
                name_in(f->pointer, n->name) || name_in(f->bbpointer, n->name))
                continue;
            nm_sym *s = sym_new(g, n->name, SK_RANGE, n->line, n->col);
            if (!s) return;
            s->role = RV_VAR_ASSIGNED;
            s->visible = true;
            s->index = add_var(g, cident(g, n->name), n->name, RV_VAR_ASSIGNED, 0);
            add_global(g, s);
        }
    }
    /* nocmodl gives every STATE x a PARAMETER x0 (its initial value): x0
     * may be declared a PARAMETER, nothing else */
    for (nm_name *n = f->states; n; n = n->next) {
        const char *n0 = nm_printf(g->a, "%s0", n->name);
        nm_sym *s0 = n0 ? find_global(g, n0) : NULL;
        if (s0 && s0->role != RV_VAR_PARAM && s0->kind != SK_CONST)
            nm_error(g->d, s0->line, s0->col,
                     "'%s' is declared twice: NEURON makes it the PARAMETER holding the "
                     "initial value of STATE '%s' (declare it a PARAMETER or rename it)",
                     n0, n->name);
    }
    for (int pass = 0; pass < 2; ++pass) {
        for (nm_name *n = pass ? f->bbpointer : f->pointer; n; n = n->next) {
            nm_sym *old = find_global(g, n->name);
            if (old) {
                nm_error(g->d, n->line, n->col, "'%s' is declared twice", n->name);
                continue;
            }
            if ((pass ? g->nbbptr : g->nptr) == 64) {
                nm_error(g->d, n->line, n->col, "too many POINTER variables (limit 64)");
                continue;
            }
            nm_sym *s = sym_new(g, n->name, pass ? SK_BBPTR : SK_PTR, n->line, n->col);
            if (!s) return;
            if (pass) {
                s->index = g->nbbptr;
                g->bbptrs[g->nbbptr++] = n->name;
            } else {
                s->index = g->nptr;
                g->ptrs[g->nptr++] = n->name;
            }
            add_global(g, s);
        }
    }
    for (nm_name *n = f->range; n; n = n->next)
        if (!find_global(g, n->name))
            nm_error(g->d, n->line, n->col, "RANGE variable '%s' is not declared", n->name);
    for (nm_name *n = f->global; n; n = n->next) {
        nm_sym *s = find_global(g, n->name);
        if (!s) nm_error(g->d, n->line, n->col, "GLOBAL variable '%s' is not declared", n->name);
    }
    for (nm_current *c = f->currents; c; c = c->next) {
        nm_sym *s = find_global(g, c->name);
        if (!s || (s->kind != SK_RANGE)) {
            nm_error(g->d, c->line, c->col, "current '%s' must be declared ASSIGNED", c->name);
        }
    }
    /* top-level LOCAL: private globals */
    for (nm_name *n = f->toplocals; n; n = n->next) {
        if (find_global(g, n->name)) {
            nm_error(g->d, n->line, n->col, "'%s' is declared twice", n->name);
            continue;
        }
        nm_sym *s = sym_new(g, n->name, SK_GLOBAL, n->line, n->col);
        if (!s) return;
        s->index = -1; /* assigned after the visible globals */
        s->size = n->size;
        add_global(g, s);
    }
    /* functions and blocks */
    for (nm_func *fn = f->funcs; fn; fn = fn->next) {
        switch (fn->kind) {
        case NF_INITIAL:
            if (g->initial) nm_error(g->d, fn->line, fn->col, "second INITIAL block");
            g->initial = fn;
            break;
        case NF_BREAKPOINT:
            if (g->breakpoint) nm_error(g->d, fn->line, fn->col, "second BREAKPOINT block");
            g->breakpoint = fn;
            break;
        case NF_NET_RECEIVE:
            if (g->netrecv) nm_error(g->d, fn->line, fn->col, "second NET_RECEIVE block");
            g->netrecv = fn;
            break;
        case NF_CONSTRUCTOR:
        case NF_DESTRUCTOR: {
            /* accepted when they hold nothing but VERBATIM (checked at emission) */
            break;
        }
        case NF_BEFORE:
        case NF_AFTER:
            nm_error(g->d, fn->line, fn->col, "%s %s blocks are not supported yet",
                     fn->kind == NF_BEFORE ? "BEFORE" : "AFTER", fn->when ? fn->when : "");
            break;
        default: {
            if (!fn->name) break;
            nm_sym *old = find_global(g, fn->name);
            if (old) {
                nm_error(g->d, fn->line, fn->col, "'%s' is already declared", fn->name);
                break;
            }
            bool callable = fn->kind == NF_PROCEDURE || fn->kind == NF_FUNCTION ||
                            fn->kind == NF_FUNCTION_TABLE;
            nm_sym *s = sym_new(g, fn->name, callable ? SK_FUNC : SK_BLOCK, fn->line, fn->col);
            if (!s) return;
            s->fn = fn;
            add_global(g, s);
            if (fn->kind == NF_FUNCTION_TABLE)
                nm_error(g->d, fn->line, fn->col, "FUNCTION_TABLE is not supported yet");
        }
        }
    }
}

/* ------------------------------------------------------- expressions */
static int prec_of(const nm_expr *e) {
    switch (e->kind) {
    case NE_BINARY:
        switch (e->op) {
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
        case NT_CARET:
            return 7; /* pow() */
        default:
            return 7;
        }
    case NE_UNARY:
        return 6;
    default:
        return 7;
    }
}

static const char *opstr(nm_tok_kind k) {
    switch (k) {
    case NT_OR:
        return " || ";
    case NT_AND:
        return " && ";
    case NT_LT:
        return " < ";
    case NT_GT:
        return " > ";
    case NT_LE:
        return " <= ";
    case NT_GE:
        return " >= ";
    case NT_EQ:
        return " == ";
    case NT_NE:
        return " != ";
    case NT_PLUS:
        return " + ";
    case NT_MINUS:
        return " - ";
    case NT_STAR:
        return " * ";
    case NT_SLASH:
        return " / ";
    default:
        return " ? ";
    }
}

static void emit_num(nm_buf *b, const nm_expr *e) {
    if (e->text) {
        nm_buf_put(b, e->text);
        if (!strpbrk(e->text, ".eE")) nm_buf_put(b, ".0");
    } else {
        char t[64];
        snprintf(t, sizeof t, "%.17g", e->num);
        nm_buf_put(b, t);
        if (!strpbrk(t, ".eEn")) nm_buf_put(b, ".0");
    }
}

static void emit_dbl(nm_buf *b, double x) {
    char t[64];
    if (isnan(x)) {
        nm_buf_put(b, "NAN");
        return;
    }
    if (isinf(x)) {
        nm_buf_put(b, x > 0 ? "INFINITY" : "(-INFINITY)");
        return;
    }
    snprintf(t, sizeof t, "%.17g", x);
    bool neg = t[0] == '-';
    if (neg) nm_buf_put(b, "(");
    nm_buf_put(b, t);
    if (!strpbrk(t, ".eE")) nm_buf_put(b, ".0");
    if (neg) nm_buf_put(b, ")");
}

static void emit_expr(G *g, nm_buf *b, nm_expr *e, int need);

static void emit_index(G *g, nm_buf *b, nm_expr *idx) {
    nm_buf_put(b, "(int)(");
    emit_expr(g, b, idx, 0);
    nm_buf_put(b, ")");
}

static void emit_var(G *g, nm_buf *b, nm_expr *e, bool lvalue) {
    nm_sym *s = e->sym;
    if (!s) s = e->sym = lookup(g, e->text);
    if (s && s == g->lin_one && !lvalue && !e->a) {
        nm_buf_put(b, "1.0");
        return;
    }
    /* KINETIC: the forward / backward flux of the latest reaction */
    if (!s && g->kin && !e->a &&
        (strcmp(e->text, "f_flux") == 0 || strcmp(e->text, "b_flux") == 0)) {
        nm_buf_printf(b, "_%s", e->text);
        return;
    }
    if (!s && g->compat && !e->a) { /* a C variable of VERBATIM code (nocmodl emits the name) */
        if (g->shadow) g->shadow_impure = true;
        nm_buf_put(b, e->text);
        return;
    }
    if (!s) {
        nm_error(g->d, e->line, e->col, "undefined variable '%s'", e->text);
        nm_buf_put(b, "0.0");
        return;
    }
    if (e->a && s->size == 0 && s->kind != SK_LOCAL)
        nm_error(g->d, e->line, e->col, "'%s' is not an array", e->text);
    if (g->shadow && s->kind == SK_RANGE && !e->a && !s->size) {
        g->shadow_used[s->index] = true;
        if (lvalue) g->shadow_written[s->index] = true;
        nm_buf_printf(b, "_r_%s", g->vars[s->index].name);
        return;
    }
    if (g->shadow && s->kind == SK_V) {
        if (lvalue) g->shadow_impure = true;
        nm_buf_put(b, "_v");
        return;
    }
    if (g->shadow && (s->kind == SK_PTR || s->kind == SK_FUNC)) g->shadow_impure = true;
    switch (s->kind) {
    case SK_RANGE:
        if (e->a && s->size > 0) {
            nm_buf_printf(b, "_p[(_v_%s + ", g->vars[s->index].name);
            emit_index(g, b, e->a);
            nm_buf_put(b, ") * _pad]");
        } else {
            nm_buf_printf(b, "_p[_v_%s * _pad]", g->vars[s->index].name);
        }
        break;
    case SK_GLOBAL:
        if (e->a && s->size > 0) {
            nm_buf_printf(b, "_g[_g_%s + ", g->globs[s->index].name);
            emit_index(g, b, e->a);
            nm_buf_put(b, "]");
        } else {
            nm_buf_printf(b, "_g[_g_%s]", g->globs[s->index].name);
        }
        break;
    case SK_CONST:
        if (lvalue) nm_error(g->d, e->line, e->col, "cannot assign to constant '%s'", e->text);
        emit_dbl(b, s->value);
        break;
    case SK_LOCAL:
        nm_buf_printf(b, "_l%s", s->name);
        if (e->a) {
            if (s->size == 0) nm_error(g->d, e->line, e->col, "'%s' is not an array", e->text);
            nm_buf_put(b, "[");
            emit_index(g, b, e->a);
            nm_buf_put(b, "]");
        }
        break;
    case SK_NETARG:
        nm_buf_printf(b, "%s[%d]", s->value == 1.0 ? "_fw" : "_w", s->index);
        break;
    case SK_PTR:
        nm_buf_printf(b, "_th->block[_ml->pdata[(_SLOT_PTR + %d) * _pad + _i]]", s->index);
        break;
    case SK_BBPTR:
        nm_error(g->d, e->line, e->col, "BBCOREPOINTER '%s' can only be used in VERBATIM", e->text);
        nm_buf_put(b, "0.0");
        break;
    case SK_V:
        if (!g->uses_v) {
            nm_error(g->d, e->line, e->col, "'v' is not available in an ARTIFICIAL_CELL");
            nm_buf_put(b, "0.0");
        } else {
            g->v_read = true;
            nm_buf_put(b, "_p[_v_v * _pad]");
        }
        break;
    case SK_T:
        if (lvalue) nm_error(g->d, e->line, e->col, "cannot assign to 't'");
        nm_buf_put(b, "_th->t");
        break;
    case SK_DT:
        if (lvalue) nm_error(g->d, e->line, e->col, "cannot assign to 'dt'");
        nm_buf_put(b, "_th->dt");
        break;
    case SK_CELSIUS:
        if (lvalue) nm_error(g->d, e->line, e->col, "cannot assign to 'celsius'");
        nm_buf_put(b, "_th->celsius");
        break;
    case SK_AREA:
        if (g->f->kind == NK_SUFFIX) { /* the node area */
            if (lvalue) nm_error(g->d, e->line, e->col, "cannot assign to 'area'");
            nm_buf_put(b, "_th->area[_ml->node[_i]]");
        } else if (g->f->kind != NK_POINT) {
            nm_error(g->d, e->line, e->col, "'area' is only available in a POINT_PROCESS");
            nm_buf_put(b, "0.0");
        } else {
            if (lvalue) nm_error(g->d, e->line, e->col, "cannot assign to 'area'");
            nm_buf_put(b, "_th->block[_ml->pdata[_SLOT_AREA * _pad + _i]]");
        }
        break;
    case SK_DIAM:
        if (!g->uses_v) {
            nm_error(g->d, e->line, e->col, "'diam' is not available in an ARTIFICIAL_CELL");
            nm_buf_put(b, "0.0");
        } else {
            if (lvalue) nm_error(g->d, e->line, e->col, "cannot assign to 'diam'");
            nm_buf_put(b, "_th->diam[_ml->node[_i]]");
        }
        break;
    case SK_FLAG:
        if (lvalue) nm_error(g->d, e->line, e->col, "cannot assign to 'flag'");
        nm_buf_put(b, "_lflag");
        break;
    case SK_FUNC:
        if (g->cur_fn && g->cur_fn->kind == NF_FUNCTION && s->fn == g->cur_fn) {
            nm_buf_printf(b, "_l%s", s->name);
        } else {
            nm_error(g->d, e->line, e->col, "'%s' is a function: call it with ()", e->text);
            nm_buf_put(b, "0.0");
        }
        break;
    case SK_BLOCK:
        nm_error(g->d, e->line, e->col, "'%s' is a block, not a variable", e->text);
        nm_buf_put(b, "0.0");
        break;
    }
}

typedef struct builtin_fn {
    const char *name, *c;
    int nargs;
} builtin_fn;

static const builtin_fn builtins[] = {
    {"exp", "rv_exp", 1}, {"log", "log", 1},     {"log10", "log10", 1}, {"sqrt", "sqrt", 1},
    {"fabs", "fabs", 1},  {"abs", "fabs", 1},    {"pow", "pow", 2},     {"sin", "sin", 1},
    {"cos", "cos", 1},    {"tan", "tan", 1},     {"asin", "asin", 1},   {"acos", "acos", 1},
    {"atan", "atan", 1},  {"atan2", "atan2", 2}, {"sinh", "sinh", 1},   {"cosh", "cosh", 1},
    {"tanh", "tanh", 1},  {"floor", "floor", 1}, {"ceil", "ceil", 1},   {"fmod", "fmod", 2},
    {"erf", "erf", 1},    {"erfc", "erfc", 1},   {"fmin", "fmin", 2},   {"fmax", "fmax", 2},
    {NULL, NULL, 0}};

static void emit_args(G *g, nm_buf *b, nm_expr *e) {
    for (int k = 0; k < e->nargs; ++k) {
        if (k) nm_buf_put(b, ", ");
        emit_expr(g, b, e->args[k], 0);
    }
}

static bool is_builtin_fn(const char *name) {
    for (int k = 0; builtins[k].name; ++k)
        if (strcmp(builtins[k].name, name) == 0) return true;
    return false;
}

/* e depends on v only: numbers, v, named constants, dt, celsius and scalar
 * GLOBALs (the caller checked the block assigns none), through arithmetic */
static bool v_pure(G *g, nm_expr *e, bool *has_v) {
    if (!e) return false;
    switch (e->kind) {
    case NE_NUM:
        return true;
    case NE_PAREN:
        return v_pure(g, e->a, has_v);
    case NE_UNARY:
        return v_pure(g, e->a, has_v);
    case NE_BINARY:
        return v_pure(g, e->a, has_v) && v_pure(g, e->b, has_v);
    case NE_NAME: {
        if (e->a) return false;
        nm_sym *s = lookup(g, e->text);
        if (!s) return false;
        if (s->kind == SK_V) *has_v = true;
        return s->kind == SK_V || s->kind == SK_CONST || s->kind == SK_DT ||
               s->kind == SK_CELSIUS || (s->kind == SK_GLOBAL && s->size == 0 && s->index >= 0);
    }
    default:
        return false;
    }
}

/* some statement of the block assigns a GLOBAL (or something unknown) */
static bool block_assigns_global(G *g, const nm_block *b) {
    for (nm_stmt *s = b ? b->first : NULL; s; s = s->next) {
        if (s->kind == NS_ASSIGN || s->kind == NS_DIFFEQ) {
            nm_sym *y = s->lhs ? lookup(g, s->lhs->text) : NULL;
            if (y && y->kind == SK_GLOBAL) return true;
        }
        if (block_assigns_global(g, s->body) || block_assigns_global(g, s->orelse)) return true;
    }
    return false;
}

static void emit_call(G *g, nm_buf *b, nm_expr *e) {
    nm_sym *s = lookup(g, e->text);
    if (g->shadow && !(s == NULL && is_builtin_fn(e->text))) g->shadow_impure = true;
    if (s && s->kind == SK_FUNC) {
        if (e->nargs != s->fn->nparams) {
            nm_error(g->d, e->line, e->col, "%s takes %d argument%s, %d given", e->text,
                     s->fn->nparams, s->fn->nparams == 1 ? "" : "s", e->nargs);
        }
        nm_buf_printf(b, "_fn_%s(_th, _ml, _i", s->name);
        for (int k = 0; k < e->nargs; ++k) {
            nm_buf_put(b, ", ");
            emit_expr(g, b, e->args[k], 0);
        }
        nm_buf_put(b, ")");
        return;
    }
    if (s && s->kind == SK_BLOCK && s->fn && s->fn->kind == NF_DERIVATIVE) {
        /* nocmodl: calling a DERIVATIVE block runs one step of it by the
         * METHOD it is SOLVEd with (cnexp / euler update, derivimplicit's
         * Newton solve), at the current dt */
        bool solved = false, noadv = false;
        for (int k = 0; k < g->nsolve; ++k)
            if (g->solve_fn[k] == s->fn) solved = true, noadv = g->solve_noadv[k];
        if (!solved || e->nargs) {
            nm_error(g->d, e->line, e->col,
                     e->nargs ? "DERIVATIVE %s takes no arguments"
                              : "DERIVATIVE %s is called but not SOLVEd in BREAKPOINT",
                     e->text);
            nm_buf_put(b, "0.0");
            return;
        }
        nm_buf_printf(b, "(_d%c_%s(_th, _ml, _i), 0.0)", noadv ? 'n' : 's', s->fn->name);
        return;
    }
    if (s && s->kind != SK_FUNC) {
        nm_error(g->d, e->line, e->col, "'%s' is not a function", e->text);
        nm_buf_put(b, "0.0");
        return;
    }
    /* NEURON's scop random generator (src/oc/scoprand.cpp, scopmath's
     * normrand): one generator per model, the engine's */
    static const struct {
        const char *name;
        int nargs;
        const char *c;
    } scop[] = {{"scop_random", 0, "_rv_scop_random(_th"},
                {"set_seed", 1, "_rv_set_seed(_th"},
                {"normrand", 2, "_rv_normrand(_th"},
                {"exprand", 1, "_rv_exprand(_th"},
                {"poisrand", 1, "_rv_poisrand(_th"}};
    for (size_t k = 0; k < sizeof scop / sizeof *scop; ++k) {
        if (strcmp(scop[k].name, e->text) != 0) continue;
        if (e->nargs != scop[k].nargs)
            nm_error(g->d, e->line, e->col, "%s takes %d argument%s, %d given", e->text,
                     scop[k].nargs, scop[k].nargs == 1 ? "" : "s", e->nargs);
        nm_buf_put(b, scop[k].c);
        for (int j = 0; j < e->nargs; ++j) {
            nm_buf_put(b, ", ");
            emit_expr(g, b, e->args[j], 0);
        }
        nm_buf_put(b, ")");
        return;
    }
    for (int k = 0; builtins[k].name; ++k) {
        if (strcmp(builtins[k].name, e->text) != 0) continue;
        if (e->nargs != builtins[k].nargs)
            nm_error(g->d, e->line, e->col, "%s takes %d argument%s, %d given", e->text,
                     builtins[k].nargs, builtins[k].nargs == 1 ? "" : "s", e->nargs);
        bool has_v = false;
        if (g->shadow && g->hoist_ok && g->nhoist < MAX_HOIST && strcmp(e->text, "exp") == 0 &&
            e->nargs == 1 && v_pure(g, e->args[0], &has_v) && has_v) {
            nm_buf t = {0};
            emit_expr(g, &t, e->args[0], 0);
            const char *txt = t.s ? nm_printf(g->a, "%s", t.s) : NULL;
            tmp_free(g, &t);
            if (txt) {
                g->hoist_txt[g->nhoist] = txt;
                nm_buf_printf(b, "_xe[%d][_j]", g->nhoist++);
                return;
            }
        }
        nm_buf_printf(b, "%s(", builtins[k].c);
        emit_args(g, b, e);
        nm_buf_put(b, ")");
        return;
    }
    if (strcmp(e->text, "state_discontinuity") == 0 && e->nargs == 2 &&
        e->args[0]->kind == NE_NAME) { /* fixed step: a plain assignment */
        nm_buf_put(b, "(");
        emit_var(g, b, e->args[0], true);
        nm_buf_put(b, " = ");
        emit_expr(g, b, e->args[1], 0);
        nm_buf_put(b, ")");
        return;
    }
    if (strcmp(e->text, "at_time") == 0) { /* fixed step: never a discontinuity */
        nm_buf_put(b, "0.0");
        return;
    }
    if (strcmp(e->text, "net_send") == 0 || strcmp(e->text, "net_event") == 0 ||
        strcmp(e->text, "net_move") == 0) {
        nm_error(g->d, e->line, e->col, "%s can only be called as a statement", e->text);
        nm_buf_put(b, "0.0");
        return;
    }
    if (g->compat) { /* defined in VERBATIM (nocmodl assumes an external C function) */
        nm_buf_printf(b, "%s(", e->text);
        emit_args(g, b, e);
        nm_buf_put(b, ")");
        return;
    }
    nm_error(g->d, e->line, e->col, "unknown function '%s'", e->text);
    nm_buf_put(b, "0.0");
}

/* the variable references an expression accepted by pow_memo_ok reads
 * (PARAMETERs, celsius, dt): C lvalue texts, deduplicated; false when
 * there are more than max */
static bool memo_keys(G *g, nm_expr *e, const char **keys, int *nk, int max) {
    if (!e) return true;
    switch (e->kind) {
    case NE_PAREN:
    case NE_UNARY:
        return memo_keys(g, e->a, keys, nk, max);
    case NE_BINARY:
        return memo_keys(g, e->a, keys, nk, max) && memo_keys(g, e->b, keys, nk, max);
    case NE_NAME: {
        nm_sym *s = lookup(g, e->text);
        const char *k = NULL;
        if (!s) return false;
        if (s->kind == SK_CELSIUS)
            k = "_th->celsius";
        else if (s->kind == SK_DT)
            k = "_th->dt";
        else if (s->kind == SK_GLOBAL)
            k = nm_printf(g->a, "_g[_g_%s]", g->globs[s->index].name);
        else if (s->kind == SK_RANGE)
            k = nm_printf(g->a, "_p[_v_%s * _pad]", g->vars[s->index].name);
        if (!k) return true; /* a constant */
        for (int j = 0; j < *nk; ++j)
            if (strcmp(keys[j], k) == 0) return true;
        if (*nk == max) return false;
        keys[(*nk)++] = k;
        return true;
    }
    default:
        return true;
    }
}

/* Whether e depends only on values that are normally the same for every
 * instance and step (numbers, constants, celsius, dt, PARAMETERs, RANGE or
 * GLOBAL): a pow() of such arguments (_rv_powm) and a cnexp decay factor's
 * exp (_rv_expm) are then memoized.  Only a performance heuristic: the memos
 * compare the arguments' bits, so results are exact whatever the values. */
static bool pow_memo_ok(G *g, nm_expr *e) {
    if (!e) return false;
    switch (e->kind) {
    case NE_NUM:
        return true;
    case NE_PAREN:
    case NE_UNARY:
        return pow_memo_ok(g, e->a);
    case NE_BINARY:
        return pow_memo_ok(g, e->a) && pow_memo_ok(g, e->b);
    case NE_NAME: {
        if (e->a) return false;
        nm_sym *s = lookup(g, e->text);
        if (!s || s->size) return false;
        switch (s->kind) {
        case SK_CONST:
        case SK_CELSIUS:
        case SK_DT:
            return true;
        case SK_GLOBAL: /* GLOBAL PARAMETERs; not ASSIGNED ones (hh's minf) */
        case SK_RANGE:
            return s->role == RV_VAR_PARAM && s->ion_use < 0;
        default:
            return false;
        }
    }
    default:
        return false;
    }
}

/* x' in an expression: as nocmodl, the value x' = ... assigned earlier in
 * the block (derivimplicit, euler); nocmodl's cnexp reads a stale Dx */
static void emit_prime(G *g, nm_buf *b, nm_expr *e) {
    bool seen = false;
    for (int k = 0; k < g->nprimed; ++k)
        if (strcmp(g->primed[k], e->text) == 0) seen = true;
    if (e->num != 1 || (!g->in_dimp && !g->in_euler) || !seen) {
        nm_error(g->d, e->line, e->col,
                 e->num != 1 ? "%s' : higher-order derivatives are not supported"
                 : (!g->in_dimp && !g->in_euler)
                     ? "%s' in an expression is not supported here: only in a DERIVATIVE "
                       "block solved by derivimplicit or euler (nocmodl's cnexp reads a "
                       "stale value)"
                     : "%s' is read before %s' = ... in this DERIVATIVE block",
                 e->text, e->text);
        nm_buf_put(b, "0.0");
        return;
    }
    if (g->in_euler) {
        nm_buf_printf(b, "_D%s", e->text);
        return;
    }
    for (int k = 0; k < g->ndstate; ++k)
        if (strcmp(g->dstate[k]->name, e->text) == 0) {
            nm_buf_printf(b, "_D[%d]", k);
            return;
        }
    nm_buf_put(b, "0.0");
}

/* need: the minimum precedence the context requires without parentheses */
static void emit_expr(G *g, nm_buf *b, nm_expr *e, int need) {
    if (!e) {
        nm_buf_put(b, "0.0");
        return;
    }
    int pr = prec_of(e);
    bool par = pr < need;
    if (par) nm_buf_put(b, "(");
    switch (e->kind) {
    case NE_NUM:
        emit_num(b, e);
        break;
    case NE_NAME:
        emit_var(g, b, e, false);
        break;
    case NE_CALL:
        emit_call(g, b, e);
        break;
    case NE_PAREN:
        nm_buf_put(b, "(");
        emit_expr(g, b, e->a, 0);
        nm_buf_put(b, ")");
        break;
    case NE_STRING:
        nm_error(g->d, e->line, e->col, "a string is not a number");
        nm_buf_put(b, "0.0");
        break;
    case NE_PRIME:
        emit_prime(g, b, e);
        break;
    case NE_UNARY:
        nm_buf_put(b, e->op == NT_NOT ? "!" : "-");
        if (e->a && e->a->kind == NE_UNARY) {
            nm_buf_put(b, "(");
            emit_expr(g, b, e->a, 0);
            nm_buf_put(b, ")");
        } else {
            emit_expr(g, b, e->a, 6);
        }
        break;
    case NE_BINARY:
        if (e->op == NT_CARET) {
            if (pow_memo_ok(g, e->a) && pow_memo_ok(g, e->b)) {
                /* instance-invariant in practice (constants, celsius, dt,
                 * PARAMETERs): memoized on the exact bits of both
                 * arguments in private global storage, so the value is
                 * always pow's own */
                nm_buf_printf(b, "_rv_powm(_g + _NG + %d, ", g->gpriv);
                g->gpriv += 4;
                emit_expr(g, b, e->a, 0);
                nm_buf_put(b, ", ");
                emit_expr(g, b, e->b, 0);
                nm_buf_put(b, ")");
                break;
            }
            nm_buf_put(b, "pow(");
            emit_expr(g, b, e->a, 0);
            nm_buf_put(b, ", ");
            emit_expr(g, b, e->b, 0);
            nm_buf_put(b, ")");
            break;
        }
        if (pr == 3) { /* relations: C has two levels, NMODL one: parenthesize */
            emit_expr(g, b, e->a, 4);
            nm_buf_put(b, opstr(e->op));
            emit_expr(g, b, e->b, 4);
        } else {
            emit_expr(g, b, e->a, pr);
            nm_buf_put(b, opstr(e->op));
            emit_expr(g, b, e->b, pr + 1);
        }
        break;
    }
    if (par) nm_buf_put(b, ")");
}

/* ------------------------------------------ cnexp: linear decomposition */
/* expr = de-part ... following nocmodl: for each subexpression the
 * derivative with respect to the state (de), the coefficient of the state
 * (a) and the rest (b); NULL is zero. */
typedef struct lin {
    nm_expr *e, *de, *a, *b;
    bool d_bad, eq_bad;
} lin;

static nm_expr *mk_num(G *g, const char *text) {
    nm_expr *e = nm_alloc(g->a, sizeof *e);
    if (!e) return NULL;
    e->kind = NE_NUM;
    e->text = text;
    e->num = 1.0;
    return e;
}
static nm_expr *mk_un(G *g, nm_expr *a) {
    if (!a) return NULL;
    nm_expr *e = nm_alloc(g->a, sizeof *e);
    if (!e) return NULL;
    e->kind = NE_UNARY;
    e->op = NT_MINUS;
    e->a = a;
    e->line = a->line, e->col = a->col;
    return e;
}
static nm_expr *mk_par(G *g, nm_expr *a) {
    if (!a) return NULL;
    nm_expr *e = nm_alloc(g->a, sizeof *e);
    if (!e) return NULL;
    e->kind = NE_PAREN;
    e->a = a;
    e->line = a->line, e->col = a->col;
    return e;
}
static nm_expr *mk_bin(G *g, nm_tok_kind op, nm_expr *a, nm_expr *b) {
    if (!a || !b) return NULL;
    nm_expr *e = nm_alloc(g->a, sizeof *e);
    if (!e) return NULL;
    e->kind = NE_BINARY;
    e->op = op;
    e->a = a;
    e->b = b;
    e->line = a->line, e->col = a->col;
    return e;
}

static bool is_zero_lit(const nm_expr *e) {
    if (!e || e->kind != NE_NUM || !e->text) return false;
    /* nocmodl prints integers with ".0": "0" and "0.0" read as zero */
    return strcmp(e->text, "0") == 0 || strcmp(e->text, "0.0") == 0;
}

static lin decompose(G *g, nm_expr *e, nm_sym *state) {
    lin r;
    memset(&r, 0, sizeof r);
    r.e = e;
    if (!e) {
        r.d_bad = r.eq_bad = true;
        return r;
    }
    switch (e->kind) {
    case NE_NUM:
        if (!is_zero_lit(e)) r.b = e;
        return r;
    case NE_NAME: {
        nm_sym *s = lookup(g, e->text);
        if (s == state && !e->a) {
            r.de = mk_num(g, "1.0");
            r.a = mk_num(g, "1.0");
        } else {
            if (s == state) r.d_bad = r.eq_bad = true; /* indexed state */
            r.b = e;
        }
        return r;
    }
    case NE_CALL: {
        for (int k = 0; k < e->nargs; ++k) {
            lin x = decompose(g, e->args[k], state);
            if (x.de || x.d_bad) r.d_bad = r.eq_bad = true;
        }
        r.b = e;
        return r;
    }
    case NE_STRING:
        r.d_bad = r.eq_bad = true;
        return r;
    case NE_PRIME: /* a constant to cnexp (nocmodl: Dx); refused by emit_prime */
        r.b = e;
        return r;
    case NE_PAREN: {
        lin x = decompose(g, e->a, state);
        r.d_bad = x.d_bad, r.eq_bad = x.eq_bad;
        r.de = mk_par(g, x.de);
        r.a = mk_par(g, x.a);
        r.b = mk_par(g, x.b);
        return r;
    }
    case NE_UNARY: {
        lin x = decompose(g, e->a, state);
        r.d_bad = x.d_bad, r.eq_bad = x.eq_bad;
        if (e->op != NT_MINUS) {
            r.d_bad = r.eq_bad = true;
            return r;
        }
        r.de = mk_un(g, x.de);
        r.a = mk_un(g, x.a);
        r.b = mk_un(g, x.b);
        return r;
    }
    case NE_BINARY:
        break;
    }
    if (e->op == NT_CARET) { /* pow(a, b): a function call */
        lin x = decompose(g, e->a, state), y = decompose(g, e->b, state);
        if (x.de || x.d_bad || y.de || y.d_bad) r.d_bad = r.eq_bad = true;
        r.b = e;
        return r;
    }
    lin x = decompose(g, e->a, state), y = decompose(g, e->b, state);
    r.d_bad = x.d_bad || y.d_bad;
    r.eq_bad = x.eq_bad || y.eq_bad;
    switch (e->op) {
    case NT_PLUS:
        r.de = x.de && y.de ? mk_bin(g, NT_PLUS, x.de, y.de) : x.de ? x.de : y.de;
        r.a = x.a && y.a ? mk_bin(g, NT_PLUS, x.a, y.a) : x.a ? x.a : y.a;
        r.b = x.b && y.b ? mk_bin(g, NT_PLUS, x.b, y.b) : x.b ? x.b : y.b;
        break;
    case NT_MINUS:
        r.de = x.de && y.de ? mk_bin(g, NT_MINUS, x.de, y.de)
               : x.de       ? x.de
                            : (y.de ? mk_par(g, mk_un(g, y.de)) : NULL);
        r.a = x.a && y.a ? mk_bin(g, NT_MINUS, x.a, y.a)
              : x.a      ? x.a
                         : (y.a ? mk_par(g, mk_un(g, y.a)) : NULL);
        r.b = x.b && y.b ? mk_bin(g, NT_MINUS, x.b, y.b)
              : x.b      ? x.b
                         : (y.b ? mk_par(g, mk_un(g, y.b)) : NULL);
        break;
    case NT_STAR:
        if (x.de && y.de)
            r.de =
                mk_par(g, mk_bin(g, NT_PLUS, mk_bin(g, NT_STAR, mk_par(g, x.de), mk_par(g, e->b)),
                                 mk_bin(g, NT_STAR, mk_par(g, e->a), mk_par(g, y.de))));
        else if (x.de)
            r.de = mk_bin(g, NT_STAR, mk_par(g, x.de), mk_par(g, e->b));
        else if (y.de)
            r.de = mk_bin(g, NT_STAR, mk_par(g, e->a), mk_par(g, y.de));
        if (x.a && y.a)
            r.eq_bad = true;
        else if (x.a) {
            if (y.b) r.a = mk_bin(g, NT_STAR, mk_par(g, x.a), mk_par(g, y.b));
        } else if (y.a) {
            if (x.b) r.a = mk_bin(g, NT_STAR, mk_par(g, x.b), mk_par(g, y.a));
        }
        if (x.b && y.b) r.b = mk_bin(g, NT_STAR, mk_par(g, x.b), mk_par(g, y.b));
        break;
    case NT_SLASH:
        if (y.de)
            r.d_bad = true;
        else if (x.de)
            r.de = mk_bin(g, NT_SLASH, mk_par(g, x.de), e->b);
        if (y.a)
            r.eq_bad = true;
        else if (x.a)
            r.a = mk_bin(g, NT_SLASH, mk_par(g, x.a), e->b);
        if (x.b) r.b = mk_bin(g, NT_SLASH, mk_par(g, x.b), e->b);
        break;
    default: /* relations and logic are not part of a rate expression */
        r.d_bad = r.eq_bad = true;
        break;
    }
    return r;
}

/* -------------------------------------------------------- statements */
static void emit_block(G *g, nm_block *b);
static void emit_stmt(G *g, nm_stmt *s);
static void emit_diffeq_implicit(G *g, nm_stmt *s);
static void emit_kin_stmt(G *g, nm_stmt *s);

static void emit_line_expr(G *g, const char *prefix, nm_expr *e, const char *suffix) {
    nm_buf tmp = {0};
    emit_expr(g, &tmp, e, 0);
    out(g, "%s%s%s\n", prefix, tmp.s ? tmp.s : "", suffix);
    tmp_free(g, &tmp);
}

static void emit_netcall(G *g, nm_expr *e) {
    const char *n = e->text;
    if (g->shadow) g->shadow_impure = true;
    nm_buf tmp = {0};
    bool in_recv = g->ctx == CTX_NETRECV;
    if (strcmp(n, "net_send") == 0) {
        if (e->nargs != 2)
            nm_error(g->d, e->line, e->col, "net_send takes 2 arguments (delay, flag)");
        /* NET_RECEIVE's INITIAL: the self event carries the NetCon's weights */
        if (g->ctx == CTX_NETINIT) in_recv = true;
        if (g->ctx != CTX_NETRECV && g->ctx != CTX_INIT && g->ctx != CTX_NETINIT)
            nm_error(g->d, e->line, e->col, "net_send is only allowed in NET_RECEIVE and INITIAL");
        if (!g->netrecv) nm_error(g->d, e->line, e->col, "net_send needs a NET_RECEIVE block");
        nm_buf_printf(&tmp, "_th->api->net_send(_th, _ml, _i, %s, ", in_recv ? "_w" : "NULL");
        if (e->nargs >= 1) emit_expr(g, &tmp, e->args[0], 0);
        nm_buf_put(&tmp, ", ");
        if (e->nargs >= 2) emit_expr(g, &tmp, e->args[1], 0);
        nm_buf_put(&tmp, ");");
    } else if (strcmp(n, "net_event") == 0) {
        if (e->nargs != 1) nm_error(g->d, e->line, e->col, "net_event takes 1 argument (time)");
        if (g->ctx != CTX_NETRECV)
            nm_error(g->d, e->line, e->col, "net_event is only supported in NET_RECEIVE");
        nm_buf_put(&tmp, "_th->api->net_event(_th, _ml, _i, ");
        if (e->nargs >= 1) emit_expr(g, &tmp, e->args[0], 0);
        nm_buf_put(&tmp, ");");
    } else { /* net_move */
        if (e->nargs != 1) nm_error(g->d, e->line, e->col, "net_move takes 1 argument (time)");
        if (g->ctx != CTX_NETRECV)
            nm_error(g->d, e->line, e->col, "net_move is only allowed in NET_RECEIVE");
        nm_buf_put(&tmp, "_th->api->net_move(_th, _ml, _i, ");
        if (e->nargs >= 1) emit_expr(g, &tmp, e->args[0], 0);
        nm_buf_put(&tmp, ");");
    }
    out(g, "%s\n", tmp.s ? tmp.s : "");
    tmp_free(g, &tmp);
}

/* VERBATIM text between #defines of the names NEURON's generated C gives
 * it: variables by name, _p_<pointer>, t, dt, net_send & co; `inst`: the
 * code runs for instance _i (else: a top-level block, whose functions take
 * _threadargsproto_). */
static const char *const verb_fixed[] = {
    "t", "dt", "artcell_net_send", "net_send", "artcell_net_move", "net_move", "net_event", NULL};

static void emit_verbatim(G *g, nm_stmt *s, bool inst) {
    nm_buf *o = g->o;
    (void)inst;
    nm_buf_printf(o, "/* VERBATIM (line %d) */\n", s->line);
    nm_buf_put(o, "#define t (_rv_t(_th))\n#define dt (_rv_dt(_th))\n");
    nm_buf_put(o, "#define artcell_net_send(_q, _w, _pnt, _td, _flag) "
                  "_rv_send_at(_th, _ml, _i, (_w), (_td), (_flag))\n");
    nm_buf_put(o, "#define net_send(_q, _w, _pnt, _td, _flag) "
                  "_rv_send_at(_th, _ml, _i, (_w), (_td), (_flag))\n");
    nm_buf_put(o, "#define artcell_net_move(_q, _pnt, _td) _rv_move_to(_th, _ml, _i, (_td))\n");
    nm_buf_put(o, "#define net_move(_q, _pnt, _td) _rv_move_to(_th, _ml, _i, (_td))\n");
    nm_buf_put(o, "#define net_event(_pnt, _td) _rv_event_at(_th, _ml, _i, (_td))\n");
    for (nm_sym *y = g->syms; y; y = y->next) {
        if (!y->name || y->name[0] == '_') continue;
        if (strcmp(y->name, "t") == 0 || strcmp(y->name, "dt") == 0) continue;
        switch (y->kind) {
        case SK_RANGE:
            if (y->size) continue;
            nm_buf_printf(o, "#define %s (*_rv_dp(_ml, _v_%s, _i))\n", y->name,
                          g->vars[y->index].name);
            break;
        case SK_GLOBAL:
            if (y->index < 0 || y->size) continue;
            nm_buf_printf(o, "#define %s (*_rv_gp(_ml, _g_%s))\n", y->name,
                          g->globs[y->index].name);
            break;
        case SK_PTR:
            nm_buf_printf(o, "#define _p_%s (_rv_pp(_th, _ml, _SLOT_PTR + %d, _i))\n", y->name,
                          y->index);
            nm_buf_printf(o, "#define %s (*_p_%s)\n", y->name, y->name);
            break;
        case SK_BBPTR:
            nm_buf_printf(o, "#define _p_%s (*_rv_vp(_ml, %d, _i))\n", y->name, y->index);
            break;
        case SK_V:
            if (g->uses_v) nm_buf_put(o, "#define v (*_rv_dp(_ml, _v_v, _i))\n");
            break;
        default:
            break;
        }
    }
    /* FUNCTIONs and PROCEDUREs by their NEURON C names: name(_threadargscomma_ ...) */
    for (nm_func *fn = g->f->funcs; fn; fn = fn->next)
        if (fn->kind == NF_PROCEDURE || fn->kind == NF_FUNCTION)
            nm_buf_printf(o, "#define %s _fn_%s\n", fn->name, fn->name);
    nm_buf_put(o, s->text ? s->text : "");
    nm_buf_put(o, "\n");
    for (nm_func *fn = g->f->funcs; fn; fn = fn->next)
        if (fn->kind == NF_PROCEDURE || fn->kind == NF_FUNCTION)
            nm_buf_printf(o, "#undef %s\n", fn->name);
    for (int k = 0; verb_fixed[k]; ++k) nm_buf_printf(o, "#undef %s\n", verb_fixed[k]);
    for (nm_sym *y = g->syms; y; y = y->next) {
        if (!y->name || y->name[0] == '_') continue;
        if (strcmp(y->name, "t") == 0 || strcmp(y->name, "dt") == 0) continue;
        if ((y->kind == SK_RANGE && !y->size) ||
            (y->kind == SK_GLOBAL && y->index >= 0 && !y->size) || y->kind == SK_PTR ||
            (y->kind == SK_V && g->uses_v))
            nm_buf_printf(o, "#undef %s\n", y->name);
        if (y->kind == SK_PTR || y->kind == SK_BBPTR) nm_buf_printf(o, "#undef _p_%s\n", y->name);
    }
    nm_buf_put(o, "/* ENDVERBATIM */\n");
}

static void emit_lin_eq(G *g, nm_stmt *s);

static void unsupported(G *g, nm_stmt *s, const char *what) {
    nm_error(g->d, s->line, s->col, "%s is not supported yet", what);
}

/* the value of a WATCH condition, > 0 when it holds (NEURON: lhs - rhs
 * for >, >=; rhs - lhs for <, <=) */
static void emit_watch_value(G *g, nm_buf *b, nm_stmt *s) {
    nm_expr *c = s->cond;
    while (c && c->kind == NE_PAREN) c = c->a;
    if (!c || c->kind != NE_BINARY ||
        (c->op != NT_GT && c->op != NT_GE && c->op != NT_LT && c->op != NT_LE)) {
        nm_error(g->d, s->line, s->col, "WATCH needs a comparison (a > b or a < b)");
        return;
    }
    bool gt = c->op == NT_GT || c->op == NT_GE;
    nm_buf_put(b, "(");
    emit_expr(g, b, gt ? c->a : c->b, 0);
    nm_buf_put(b, ") - (");
    emit_expr(g, b, gt ? c->b : c->a, 0);
    nm_buf_put(b, ")");
}

static void emit_stmt(G *g, nm_stmt *s) {
    switch (s->kind) {
    case NS_ASSIGN: {
        nm_buf l = {0};
        nm_expr *lhs = s->lhs;
        lhs->sym = lookup(g, lhs->text);
        if (lhs->sym && lhs->sym->kind == SK_FUNC && g->cur_fn && g->cur_fn->kind == NF_FUNCTION &&
            lhs->sym->fn == g->cur_fn) {
            nm_buf_printf(&l, "_l%s", lhs->text);
        } else if (lhs->sym && (lhs->sym->kind == SK_FUNC || lhs->sym->kind == SK_BLOCK)) {
            nm_error(g->d, lhs->line, lhs->col, "cannot assign to '%s'", lhs->text);
        } else {
            emit_var(g, &l, lhs, true);
        }
        nm_buf_put(&l, " = ");
        emit_line_expr(g, l.s ? l.s : "", s->rhs, ";");
        tmp_free(g, &l);
        break;
    }
    case NS_DIFFEQ:
        if (g->in_dimp) {
            emit_diffeq_implicit(g, s);
            break;
        }
        nm_error(g->d, s->line, s->col,
                 "a differential equation is only allowed in a DERIVATIVE "
                 "block");
        break;
    case NS_EXPR: {
        nm_expr *e = s->rhs;
        if (e->kind == NE_CALL &&
            (strcmp(e->text, "net_send") == 0 || strcmp(e->text, "net_event") == 0 ||
             strcmp(e->text, "net_move") == 0) &&
            !lookup(g, e->text)) {
            emit_netcall(g, e);
        } else if (e->kind == NE_CALL && !lookup(g, e->text) &&
                   (strcmp(e->text, "printf") == 0 || strcmp(e->text, "fprintf") == 0 ||
                    strcmp(e->text, "at_time") == 0)) {
            /* diagnostics output of mechanisms: dropped; at_time: nothing in fixed step */
        } else {
            emit_line_expr(g, "", e, ";");
        }
        break;
    }
    case NS_IF: {
        emit_line_expr(g, "if (", s->cond, ") {");
        emit_block(g, s->body);
        if (s->orelse) {
            out(g, "} else {\n");
            emit_block(g, s->orelse);
        }
        out(g, "}\n");
        break;
    }
    case NS_WHILE:
        emit_line_expr(g, "while (", s->cond, ") {");
        emit_block(g, s->body);
        out(g, "}\n");
        break;
    case NS_FROM: {
        out(g, "{\n");
        g->indent++;
        if (!push_scope(g)) return;
        nm_sym *iv = sym_new(g, s->text, SK_LOCAL, s->line, s->col);
        scope_add(g, iv);
        nm_buf lo = {0}, hi = {0}, st = {0};
        emit_expr(g, &lo, s->lo, 0);
        emit_expr(g, &hi, s->hi, 0);
        if (s->step) emit_expr(g, &st, s->step, 0);
        out(g, "double _l%s;\n", s->text);
        out(g, "for (_l%s = %s; _l%s <= %s; _l%s += %s) {\n", s->text, lo.s ? lo.s : "0", s->text,
            hi.s ? hi.s : "0", s->text, s->step && st.s ? st.s : "1.0");
        tmp_free(g, &lo), tmp_free(g, &hi), tmp_free(g, &st);
        emit_block(g, s->body);
        out(g, "}\n");
        pop_scope(g);
        g->indent--;
        out(g, "}\n");
        break;
    }
    case NS_LOCAL:
        for (nm_name *n = s->names; n; n = n->next) {
            nm_sym *ls = sym_new(g, n->name, SK_LOCAL, n->line, n->col);
            if (!ls) return;
            ls->size = n->size > 0 ? n->size : 0;
            if (n->size < 0)
                nm_error(g->d, n->line, n->col, "LOCAL array '%s' needs a numeric size", n->name);
            scope_add(g, ls);
            if (ls->size)
                out(g, "double _l%s[%d] = {0};\n", n->name, ls->size);
            else
                out(g, "double _l%s = 0.0;\n", n->name);
        }
        break;
    case NS_TABLE:
        break; /* handled with its function */
    case NS_SOLVE: {
        nm_sym *t = find_global(g, s->text);
        /* a LINEAR block: its equations are built and solved here */
        if (t && t->kind == SK_BLOCK && t->fn && t->fn->kind == NF_LINEAR) {
            if (s->method)
                nm_error(g->d, s->line, s->col, "SOLVE of LINEAR %s takes no METHOD", s->text);
            out(g, "_lin_%s(_th, _ml, _i);\n", s->text);
            break;
        }
        /* INITIAL { SOLVE kin STEADYSTATE sparse } of a KINETIC block SOLVEd in BREAKPOINT */
        bool ok = false;
        if (g->ctx == CTX_INIT && t && t->kind == SK_BLOCK && t->fn->kind == NF_KINETIC &&
            s->method && strcmp(s->method, "steadystate sparse") == 0)
            for (int k = 0; k < g->nsolve; ++k)
                if (g->solve_fn[k] == t->fn) ok = true;
        if (ok) {
            out(g, "_ks_%s(_th, _ml, _i, 1);\n", s->text);
            break;
        }
        /* INITIAL { SOLVE kin [METHOD sparse] } or { SOLVE d METHOD derivimplicit }
         * of a block SOLVEd so in BREAKPOINT: nocmodl's one step at the full dt,
         * then, with secondorder 2, x += dt*x' (the BREAKPOINT step functions
         * at the unhalved dt) */
        int step = 0;
        if (g->ctx == CTX_INIT && t && t->kind == SK_BLOCK && t->fn)
            for (int k = 0; k < g->nsolve; ++k) {
                if (g->solve_fn[k] != t->fn || !g->solve_method[k]) continue;
                if (t->fn->kind == NF_KINETIC && (!s->method || strcmp(s->method, "sparse") == 0))
                    step = 1;
                if (t->fn->kind == NF_DERIVATIVE && s->method &&
                    strcmp(s->method, "derivimplicit") == 0 &&
                    strcmp(g->solve_method[k], "derivimplicit") == 0)
                    step = 2;
            }
        if (step == 1) {
            out(g, "_ks_%s(_th, _ml, _i, 0);\n", s->text);
            break;
        }
        if (step == 2) {
            out(g, "_ds_%s(_th, _ml, _i);\n", s->text);
            break;
        }
        if (g->ctx == CTX_INIT)
            nm_error(g->d, s->line, s->col,
                     "SOLVE in INITIAL is not supported here: only STEADYSTATE sparse or "
                     "sparse of a KINETIC block, or METHOD derivimplicit of a DERIVATIVE "
                     "block, SOLVEd the same way in BREAKPOINT");
        else
            nm_error(g->d, s->line, s->col, "SOLVE is only allowed in BREAKPOINT");
        break;
    }
    case NS_VERBATIM:
        g->shadow_impure = true;
        emit_verbatim(g, s, true);
        break;
    case NS_BLOCK:
        out(g, "{\n");
        emit_block(g, s->body);
        out(g, "}\n");
        break;
    case NS_INITIAL:
        if (g->ctx != CTX_NETRECV)
            nm_error(g->d, s->line, s->col, "INITIAL here is only allowed in NET_RECEIVE");
        break; /* emitted as net_init */
    case NS_REACTION:
    case NS_CONSERVE:
    case NS_COMPARTMENT:
        if (g->lin && s->kind == NS_REACTION && s->ival == 0) {
            emit_lin_eq(g, s);
            break;
        }
        if (g->kin) {
            emit_kin_stmt(g, s);
            break;
        }
        unsupported(g, s,
                    s->kind == NS_REACTION   ? "a reaction (~) outside KINETIC"
                    : s->kind == NS_CONSERVE ? "CONSERVE outside KINETIC"
                                             : "COMPARTMENT outside KINETIC");
        break;
    case NS_LAG:
        unsupported(g, s, "LAG");
        break;
    case NS_WATCH: {
        /* NEURON's _nrn_watch_activate: the first WATCH executed by this
         * NET_RECEIVE call deactivates the instance's previous set */
        int k = 0;
        while (k < g->nwatch && g->watch[k] != s) ++k;
        if (g->ctx != CTX_NETRECV || k == g->nwatch) {
            nm_error(g->d, s->line, s->col, "WATCH is only allowed in NET_RECEIVE");
            break;
        }
        out(g, "if (_watch_rm++ == 0) {\n");
        for (int j = 0; j < g->nwatch; ++j) out(g, "    _p[_v__won%d * _pad] = 0.0;\n", j);
        out(g, "}\n");
        out(g, "_p[_v__won%d * _pad] = 1.0;\n", k);
        char pre[64];
        snprintf(pre, sizeof pre, "_p[_v__wnr%d * _pad] = ", k);
        emit_line_expr(g, pre, s->rhs, ";");
        nm_buf c = {0};
        emit_watch_value(g, &c, s);
        if (g->uses_v) out(g, "_p[_v_v * _pad] = _th->v[_ml->node[_i]];\n");
        out(g, "_p[_v__wabove%d * _pad] = (%s) >= -1e-11 ? 1.0 : 0.0;\n", k, c.s ? c.s : "0");
        nm_buf_free(&c);
        break;
    }
    case NS_FOR_NETCONS: {
        /* the body once per NetCon targeting this instance (creation order),
         * its arguments naming that NetCon's weights */
        if (g->f->kind == NK_SUFFIX) {
            nm_error(g->d, s->line, s->col, "FOR_NETCONS needs a POINT_PROCESS or ARTIFICIAL_CELL");
            break;
        }
        if (g->in_fornc) {
            nm_error(g->d, s->line, s->col, "nested FOR_NETCONS is not supported");
            break;
        }
        out(g, "for (int _fk = 0;; ++_fk) {\n");
        out(g, "    double *_fw = NULL;\n");
        out(g,
            "    if (!_th->api->for_netcons || !_th->api->for_netcons(_th, _ml, _i, _fk, &_fw))\n");
        out(g, "        break;\n");
        if (!push_scope(g)) break;
        int k = 0;
        for (nm_name *n = s->names; n; n = n->next, ++k) {
            nm_sym *a = sym_new(g, n->name, SK_NETARG, n->line, n->col);
            if (a) a->index = k, a->value = 1.0;
            scope_add(g, a);
        }
        g->in_fornc = true;
        g->indent++;
        emit_block(g, s->body);
        g->indent--;
        g->in_fornc = false;
        pop_scope(g);
        out(g, "}\n");
        break;
    }
    case NS_MUTEX:
        break;
    }
}

static void emit_block(G *g, nm_block *b) {
    if (!b) return;
    g->indent++;
    if (push_scope(g)) {
        for (nm_stmt *s = b->first; s; s = s->next) emit_stmt(g, s);
        pop_scope(g);
    }
    g->indent--;
}

/* ------------------------------------------------------------ prologue */
static void fn_prologue(G *g) {
    if (g->compat) out(g, "_rv_th = _th;\n");
    out(g, "double *_p = _ml->data + _i;\n");
    out(g, "const int _pad = _ml->pad;\n");
    out(g, "double *_g = _ml->global;\n");
    out(g, "(void)_p, (void)_pad, (void)_g, (void)_th;\n");
}

static void emit_params(G *g, nm_func *fn) {
    for (nm_name *n = fn->params; n; n = n->next) nm_buf_printf(g->o, ", double _l%s", n->name);
}

static void push_params(G *g, nm_func *fn) {
    for (nm_name *n = fn->params; n; n = n->next)
        scope_add(g, sym_new(g, n->name, SK_LOCAL, n->line, n->col));
}

/* PROCEDURE / FUNCTION without its table: _ft_ if tabled else _fn_ */
static void emit_function(G *g, nm_func *fn, const char *prefix) {
    bool isf = fn->kind == NF_FUNCTION;
    nm_buf_printf(g->o, "static %s %s%s(rv_thread *_th, rv_mech_list *_ml, int _i",
                  isf ? "double" : "int", prefix, fn->name);
    emit_params(g, fn);
    nm_buf_put(g->o, ") {\n");
    g->indent = 1;
    fn_prologue(g);
    if (isf) out(g, "double _l%s = 0.0;\n", fn->name);
    g->cur_fn = fn;
    if (push_scope(g)) {
        push_params(g, fn);
        g->indent = 0;
        emit_block(g, fn->body);
        pop_scope(g);
    }
    g->indent = 1;
    out(g, "return %s;\n", isf ? nm_printf(g->a, "_l%s", fn->name) : "0");
    nm_buf_put(g->o, "}\n\n");
    g->cur_fn = NULL;
    g->indent = 0;
}

/* table storage in the private globals: made flag, tmin, mfac, saved
 * DEPEND values, then the columns */
typedef struct tinfo {
    int base, nvars, ndep, n;
} tinfo;

static const char *tvar_access(G *g, nm_sym *s) {
    if (s->kind == SK_GLOBAL) return nm_printf(g->a, "_g[_g_%s]", g->globs[s->index].name);
    return nm_printf(g->a, "_p[_v_%s * _pad]", g->vars[s->index].name);
}

static void emit_table(G *g, nm_func *fn) {
    nm_table *t = fn->table;
    bool isf = fn->kind == NF_FUNCTION;
    if (fn->nparams != 1) {
        nm_error(g->d, t->line, t->col, "a TABLE needs a function of exactly one argument");
        return;
    }
    tinfo ti;
    ti.nvars = 0;
    ti.ndep = 0;
    ti.n = t->with + 1;
    nm_sym *vs[64], *ds[64];
    if (isf) {
        if (t->vars) nm_error(g->d, t->line, t->col, "the TABLE of a FUNCTION lists no variables");
        ti.nvars = 1;
    } else {
        if (!t->vars) nm_error(g->d, t->line, t->col, "TABLE of a PROCEDURE needs variables");
        for (nm_name *n = t->vars; n; n = n->next) {
            nm_sym *s = find_global(g, n->name);
            if (!s || (s->kind != SK_GLOBAL && s->kind != SK_RANGE) || s->size) {
                nm_error(g->d, n->line, n->col, "TABLE variable '%s' must be an ASSIGNED scalar",
                         n->name);
                return;
            }
            if (ti.nvars == 64) {
                nm_error(g->d, n->line, n->col, "too many TABLE variables");
                return;
            }
            vs[ti.nvars++] = s;
        }
    }
    for (nm_name *n = t->depend; n; n = n->next) {
        nm_sym *s = find_global(g, n->name);
        if (!s || !(s->kind == SK_GLOBAL || s->kind == SK_RANGE || s->kind == SK_CELSIUS ||
                    s->kind == SK_CONST || s->kind == SK_DT)) {
            nm_error(g->d, n->line, n->col, "DEPEND variable '%s' must be a declared variable",
                     n->name);
            return;
        }
        if (ti.ndep == 64) {
            nm_error(g->d, n->line, n->col, "too many DEPEND variables");
            return;
        }
        ds[ti.ndep++] = s;
    }
    ti.base = g->gpriv;
    g->gpriv += 3 + ti.ndep + ti.nvars * ti.n;
    const char *F = fn->name;
    int n = ti.n, N = t->with;
    nm_buf_printf(g->o, "/* TABLE of %s: %d points */\n", F, n);
    nm_buf_printf(g->o,
                  "enum { _t_%s_made = _NG + %d, _t_%s_tmin, _t_%s_mfac, _t_%s_dep, "
                  "_t_%s_col = _t_%s_dep + %d };\n",
                  F, ti.base, F, F, F, F, F, ti.ndep);
    nm_buf_printf(g->o, "static void _check_%s(rv_thread *_th, rv_mech_list *_ml) {\n", F);
    g->indent = 1;
    out(g, "const int _i = 0;\n");
    fn_prologue(g);
    out(g, "if (_ml->n == 0) return; /* built from instance 0, as NEURON */\n");
    out(g, "if (!_g[_g_usetable]) return;\n");
    nm_buf cond = {0};
    nm_buf_printf(&cond, "!_g[_t_%s_made]", F);
    const char **dacc = nm_alloc(g->a, sizeof(char *) * (size_t)(ti.ndep + 1));
    if (!dacc) return;
    for (int k = 0; k < ti.ndep; ++k) {
        nm_sym *s = ds[k];
        nm_buf a = {0};
        nm_expr tmp;
        memset(&tmp, 0, sizeof tmp);
        tmp.kind = NE_NAME;
        tmp.text = s->name;
        tmp.sym = s;
        emit_var(g, &a, &tmp, false);
        dacc[k] = nm_strdup(g->a, a.s ? a.s : "0");
        tmp_free(g, &a);
        nm_buf_printf(&cond, " || _g[_t_%s_dep + %d] != %s", F, k, dacc[k]);
    }
    out(g, "if (%s) {\n", cond.s ? cond.s : "1");
    tmp_free(g, &cond);
    g->indent = 2;
    out(g, "double _x, _dx, _tmax;\n");
    out(g, "_g[_t_%s_made] = 1.0;\n", F);
    g->cur_fn = NULL;
    g->ctx = CTX_TABLE;
    emit_line_expr(g, nm_printf(g->a, "_g[_t_%s_tmin] = ", F), t->from, ";");
    emit_line_expr(g, "_tmax = ", t->to, ";");
    out(g, "_dx = (_tmax - _g[_t_%s_tmin]) / %d.;\n", F, N);
    out(g, "_g[_t_%s_mfac] = 1. / _dx;\n", F);
    out(g, "int _j;\n");
    out(g, "for (_j = 0, _x = _g[_t_%s_tmin]; _j < %d; _x += _dx, _j++) {\n", F, n);
    g->indent = 3;
    if (isf) {
        out(g, "_g[_t_%s_col + _j] = _ft_%s(_th, _ml, 0, _x);\n", F, F);
    } else {
        out(g, "_ft_%s(_th, _ml, 0, _x);\n", F);
        for (int k = 0; k < ti.nvars; ++k)
            out(g, "_g[_t_%s_col + %d + _j] = %s;\n", F, k * n, tvar_access(g, vs[k]));
    }
    g->indent = 2;
    out(g, "}\n");
    for (int k = 0; k < ti.ndep; ++k) out(g, "_g[_t_%s_dep + %d] = %s;\n", F, k, dacc[k]);
    g->indent = 1;
    out(g, "}\n");
    g->indent = 0;
    nm_buf_put(g->o, "}\n\n");
    g->ctx = CTX_OTHER;

    /* the interpolating entry point */
    nm_buf_printf(g->o, "static %s _fn_%s(rv_thread *_th, rv_mech_list *_ml, int _i",
                  isf ? "double" : "int", F);
    emit_params(g, fn);
    nm_buf_put(g->o, ") {\n");
    g->indent = 1;
    fn_prologue(g);
    const char *arg = nm_printf(g->a, "_l%s", fn->params->name);
    out(g, "if (!_g[_g_usetable]) return _ft_%s(_th, _ml, _i, %s);\n", F, arg);
    out(g, "double _xi = _g[_t_%s_mfac] * (%s - _g[_t_%s_tmin]);\n", F, arg, F);
    if (isf) {
        out(g, "if (isnan(_xi)) return _xi;\n");
        out(g, "if (_xi <= 0.) return _g[_t_%s_col];\n", F);
        out(g, "if (_xi >= %d.) return _g[_t_%s_col + %d];\n", N, F, N);
        out(g, "int _j = (int)_xi;\n");
        out(g,
            "return _g[_t_%s_col + _j] + (_xi - (double)_j) * (_g[_t_%s_col + _j + 1] - "
            "_g[_t_%s_col + _j]);\n",
            F, F, F);
    } else {
        out(g, "if (isnan(_xi)) {\n");
        for (int k = 0; k < ti.nvars; ++k) out(g, "    %s = _xi;\n", tvar_access(g, vs[k]));
        out(g, "    return 0;\n");
        out(g, "}\n");
        out(g, "if (_xi <= 0.) {\n");
        for (int k = 0; k < ti.nvars; ++k)
            out(g, "    %s = _g[_t_%s_col + %d];\n", tvar_access(g, vs[k]), F, k * n);
        out(g, "    return 0;\n");
        out(g, "}\n");
        out(g, "if (_xi >= %d.) {\n", N);
        for (int k = 0; k < ti.nvars; ++k)
            out(g, "    %s = _g[_t_%s_col + %d];\n", tvar_access(g, vs[k]), F, k * n + N);
        out(g, "    return 0;\n");
        out(g, "}\n");
        out(g, "int _j = (int)_xi;\n");
        out(g, "double _theta = _xi - (double)_j;\n");
        for (int k = 0; k < ti.nvars; ++k) {
            const char *c = nm_printf(g->a, "_g[_t_%s_col + %d + _j", F, k * n);
            out(g, "%s = %s] + _theta * (%s + 1] - %s]);\n", tvar_access(g, vs[k]), c, c, c);
        }
        out(g, "return 0;\n");
    }
    g->indent = 0;
    nm_buf_put(g->o, "}\n\n");
}

/* DERIVATIVE block for cnexp or euler: emitted as _ds_<name> */
static void emit_derivative(G *g, nm_func *fn, const char *method) {
    bool euler = strcmp(method, "euler") == 0;
    nm_buf_printf(g->o, "static void _d%c_%s(rv_thread *_th, rv_mech_list *_ml, int _i) {\n",
                  g->noadv ? 'n' : 's', fn->name);
    g->indent = 1;
    fn_prologue(g);
    g->cur_fn = fn;
    nm_sym *states[256];
    int nst = 0;
    if (euler && !g->noadv)
        out(g, "const double _dtf = _th->secondorder ? 0.5 * _th->dt : _th->dt;\n");
    if (euler) {
        for (nm_stmt *s = fn->body ? fn->body->first : NULL; s; s = s->next)
            if (s->kind == NS_DIFFEQ) out(g, "double _D%s = 0.0;\n", s->text);
    }
    if (!push_scope(g)) return;
    g->in_euler = euler;
    g->nprimed = 0;
    for (nm_stmt *s = fn->body ? fn->body->first : NULL; s; s = s->next) {
        if (s->kind != NS_DIFFEQ) {
            emit_stmt(g, s);
            continue;
        }
        nm_sym *st = lookup(g, s->text);
        if (!st || st->kind != SK_RANGE || st->role != RV_VAR_STATE || st->size) {
            nm_error(g->d, s->line, s->col, "'%s' is not a STATE variable", s->text);
            continue;
        }
        if (s->ival != 1) {
            nm_error(g->d, s->line, s->col, "higher-order derivatives are not supported");
            continue;
        }
        nm_expr xv;
        memset(&xv, 0, sizeof xv);
        xv.kind = NE_NAME;
        xv.text = s->text;
        xv.sym = st;
        nm_buf x = {0};
        emit_var(g, &x, &xv, true);
        const char *xs = nm_strdup(g->a, x.s ? x.s : "");
        tmp_free(g, &x);
        if (euler) {
            if (nst < 256) states[nst++] = st;
            emit_line_expr(g, nm_printf(g->a, "_D%s = ", s->text), s->rhs, ";");
            if (g->nprimed < 256) g->primed[g->nprimed++] = s->text;
            continue;
        }
        lin r = decompose(g, s->rhs, st);
        if (r.d_bad || r.eq_bad) {
            /* nocmodl: "Could not translate using cnexp method; using derivimplicit" */
            g->cnexp_nonlin = true;
            continue;
        }
        nm_buf e = {0};
        if (!r.de) {
            nm_buf_put(&e, "-(");
            emit_expr(g, &e, r.b, 0);
            nm_buf_put(&e, ")");
            out(g, "%s = %s - _th->dt * (%s);\n", xs, xs, e.s ? e.s : "");
        } else {
            nm_buf de = {0}, a = {0};
            emit_expr(g, &de, r.de, 0);
            emit_expr(g, &a, r.a, 0);
            emit_expr(g, &e, r.b, 0);
            const char *keys[9];
            int nk = 0;
            bool qok = pow_memo_ok(g, r.a) && (!r.b || pow_memo_ok(g, r.b));
            if (pow_memo_ok(g, r.de) && g->ncnc < MAX_CNCACHE && memo_keys(g, r.de, keys, &nk, 8) &&
                (!qok || (memo_keys(g, r.a, keys, &nk, 8) && memo_keys(g, r.b, keys, &nk, 8)))) {
                /* the decay factor (and, when it too depends only on
                 * PARAMETERs, the steady state -(b)/(a)) cached per
                 * instance, recomputed when one of the values it is
                 * computed from (or dt) changed: the same bits, once */
                int c = g->ncnc++;
                int base = g->nvars;
                for (int j = 0; j <= nk; ++j)
                    add_var(g, nm_printf(g->a, "_ck%d_%d", c, j), nm_printf(g->a, "_ck%d_%d", c, j),
                            RV_VAR_INTERNAL, 0);
                add_var(g, nm_printf(g->a, "_cf%d", c), nm_printf(g->a, "_cf%d", c),
                        RV_VAR_INTERNAL, 0);
                if (qok)
                    add_var(g, nm_printf(g->a, "_cq%d", c), nm_printf(g->a, "_cq%d", c),
                            RV_VAR_INTERNAL, 0);
                g->cnc_dtkey[c] = base + nk; /* the dt key: NaN at INITIAL */
                keys[nk++] = "_th->dt";
                out(g, "if (");
                for (int j = 0; j < nk; ++j)
                    nm_buf_printf(g->o, "%s_p[_v_%s * _pad] != %s", j ? " || " : "",
                                  g->vars[base + j].name, keys[j]);
                nm_buf_put(g->o, ") {\n");
                for (int j = 0; j < nk; ++j)
                    out(g, "    _p[_v_%s * _pad] = %s;\n", g->vars[base + j].name, keys[j]);
                out(g, "    _p[_v_%s * _pad] = (1. - rv_exp(_th->dt * (%s)));\n",
                    g->vars[base + nk].name, de.s ? de.s : "");
                if (qok)
                    out(g, "    _p[_v_%s * _pad] = (-(%s) / (%s));\n", g->vars[base + nk + 1].name,
                        r.b ? e.s : "0.0", a.s ? a.s : "0.0");
                out(g, "}\n");
                if (qok)
                    out(g, "%s = %s + _p[_v_%s * _pad] * (_p[_v_%s * _pad] - %s);\n", xs, xs,
                        g->vars[base + nk].name, g->vars[base + nk + 1].name, xs);
                else
                    out(g, "%s = %s + _p[_v_%s * _pad] * (-(%s) / (%s) - %s);\n", xs, xs,
                        g->vars[base + nk].name, r.b ? e.s : "0.0", a.s ? a.s : "0.0", xs);
            } else if (pow_memo_ok(g, r.de)) {
                /* the decay factor's exp depends only on dt, constants and
                 * PARAMETERs: memoized on the bits of its argument (a
                 * 16-entry direct-mapped cache in private global storage) */
                out(g,
                    "%s = %s + (1. - rv_exp(_th->dt * (%s), _g + _NG + %d)) * (-(%s) / (%s) - "
                    "%s);\n",
                    xs, xs, de.s ? de.s : "", g->gpriv, r.b ? e.s : "0.0", a.s ? a.s : "0.0", xs);
                g->gpriv += 32;
            } else {
                out(g, "%s = %s + (1. - rv_exp(_th->dt * (%s))) * (-(%s) / (%s) - %s);\n", xs, xs,
                    de.s ? de.s : "", r.b ? e.s : "0.0", a.s ? a.s : "0.0", xs);
            }
            tmp_free(g, &de);
            tmp_free(g, &a);
        }
        tmp_free(g, &e);
    }
    if (euler && !g->noadv) {
        for (int k = 0; k < nst; ++k) {
            nm_expr xv;
            memset(&xv, 0, sizeof xv);
            xv.kind = NE_NAME;
            xv.text = states[k]->name;
            xv.sym = states[k];
            nm_buf x = {0};
            emit_var(g, &x, &xv, true);
            out(g, "%s += _dtf * _D%s;\n", x.s ? x.s : "", states[k]->name);
            out(g, "if (_th->secondorder) %s += _dtf * _D%s;\n", x.s ? x.s : "", states[k]->name);
            tmp_free(g, &x);
        }
    }
    pop_scope(g);
    g->in_euler = false;
    g->nprimed = 0;
    g->cur_fn = NULL;
    g->indent = 0;
    nm_buf_put(g->o, "}\n\n");
}

/* ------------------------------------------- nocmodl's symbol order */
/* nocmodl keeps symbols in lists by first character, newest first, and
 * iterates 'A'..'z': Newton's unknowns and KINETIC states are numbered in
 * that order.  A name is installed when the lexer first meets it. */
static int occ_index(G *g, const char *name) {
    if (!g->occ && g->f->src) {
        nm_arena a = {0};
        nm_diag d = {0};
        nm_lexer lx;
        int cap = 256;
        g->occ = nm_alloc(g->a, (size_t)cap * sizeof *g->occ);
        nm_lex_init(&lx, g->f->src, g->f->srclen, &a, &d);
        for (nm_token t = nm_lex_next(&lx); t.kind != NT_EOF && g->occ; t = nm_lex_next(&lx)) {
            if ((t.kind != NT_NAME && t.kind != NT_PRIME) || !t.text) continue;
            int k = 0;
            while (k < g->nocc && strcmp(g->occ[k], t.text) != 0) ++k;
            if (k < g->nocc) continue;
            if (g->nocc == cap) {
                const char **o = nm_alloc(g->a, (size_t)cap * 2 * sizeof *o);
                if (!o) break;
                memcpy(o, g->occ, (size_t)cap * sizeof *o);
                g->occ = o, cap *= 2;
            }
            g->occ[g->nocc++] = nm_strdup(g->a, t.text);
        }
        nm_arena_free(&a);
        nm_buf_free(&d.text);
    }
    for (int k = 0; k < g->nocc; ++k)
        if (strcmp(g->occ[k], name) == 0) return k;
    return g->nocc;
}

/* true when a comes before b in nocmodl's symbol iteration */
static bool symiter_before(G *g, const char *a, const char *b) {
    unsigned char ca = (unsigned char)a[0], cb = (unsigned char)b[0];
    if (ca != cb) return ca < cb;
    return occ_index(g, a) > occ_index(g, b);
}

static const char *state_ref(G *g, nm_sym *st) {
    nm_expr xv;
    memset(&xv, 0, sizeof xv);
    xv.kind = NE_NAME;
    xv.text = st->name;
    xv.sym = st;
    nm_buf x = {0};
    emit_var(g, &x, &xv, true);
    const char *r = nm_strdup(g->a, x.s ? x.s : "");
    tmp_free(g, &x);
    return r;
}

/* ------------------------------------------------------- derivimplicit */
/* NEURON's derivimplicit: implicit Euler, F_k = Dx_k - (x_k - x_k(t))/dt
 * solved by Newton (nmodl_rt.inc); equations in block order, unknowns in
 * nocmodl's symbol order.  Then Dx at the solution (secondorder 2 adds
 * dt*Dx, dt being halved as NEURON does). */
static void emit_derivimplicit(G *g, nm_func *fn) {
    g->need_rt = true;
    g->ndstate = 0;
    for (nm_stmt *s = fn->body ? fn->body->first : NULL; s; s = s->next) {
        if (s->kind != NS_DIFFEQ) continue;
        nm_sym *st = find_global(g, s->text);
        if (!st || st->kind != SK_RANGE || st->role != RV_VAR_STATE || st->size) {
            nm_error(g->d, s->line, s->col, "'%s' is not a scalar STATE variable", s->text);
            continue;
        }
        if (s->ival != 1) {
            nm_error(g->d, s->line, s->col, "higher-order derivatives are not supported");
            continue;
        }
        if (g->ndstate == 64) {
            nm_error(g->d, s->line, s->col, "derivimplicit: more than 64 states");
            break;
        }
        g->dstate[g->ndstate++] = st;
    }
    int n = g->ndstate;
    if (!n) {
        nm_error(g->d, fn->line, fn->col, "DERIVATIVE %s has no differential equations", fn->name);
        return;
    }
    nm_sym *ord[64];
    for (int k = 0; k < n; ++k) ord[k] = g->dstate[k];
    for (int k = 1; k < n; ++k) /* insertion sort into symbol order */
        for (int j = k; j > 0 && symiter_before(g, ord[j]->name, ord[j - 1]->name); --j) {
            nm_sym *t = ord[j];
            ord[j] = ord[j - 1], ord[j - 1] = t;
        }
    nm_buf_printf(g->o,
                  "static void _dfun_%s(rv_thread *_th, rv_mech_list *_ml, int _i, double *_D) {\n",
                  fn->name);
    g->indent = 1;
    fn_prologue(g);
    g->cur_fn = fn;
    g->in_dimp = true;
    g->nprimed = 0;
    g->indent = 0;
    emit_block(g, fn->body);
    g->in_dimp = false;
    g->nprimed = 0;
    g->cur_fn = NULL;
    nm_buf_put(g->o, "}\n\n");
    nm_buf_printf(g->o,
                  "typedef struct { rv_thread *th; rv_mech_list *ml; int i; double *D, *sav, "
                  "**x; } _dctx_%s;\n"
                  "static void _dnewton_%s(void *_c, double *_F) {\n"
                  "    _dctx_%s *_x = _c;\n"
                  "    _dfun_%s(_x->th, _x->ml, _x->i, _x->D);\n"
                  "    for (int _k = 0; _k < %d; ++_k)\n"
                  "        _F[_k] = _x->D[_k] - (*_x->x[_k] - _x->sav[_k]) / _x->th->dt;\n"
                  "}\n\n",
                  fn->name, fn->name, fn->name, fn->name, n);
    nm_buf_printf(g->o, "static void _ds_%s(rv_thread *_th, rv_mech_list *_ml, int _i) {\n",
                  fn->name);
    g->indent = 1;
    fn_prologue(g);
    out(g, "double _D[%d], _sav[%d], _F[%d];\n", n, n, n);
    out(g, "double *_x1[%d] = {", n);
    for (int k = 0; k < n; ++k)
        nm_buf_printf(g->o, "%s&%s", k ? ", " : "", state_ref(g, g->dstate[k]));
    nm_buf_put(g->o, "};\n");
    out(g, "double *_x2[%d] = {", n);
    for (int k = 0; k < n; ++k) nm_buf_printf(g->o, "%s&%s", k ? ", " : "", state_ref(g, ord[k]));
    nm_buf_put(g->o, "};\n");
    out(g, "for (int _k = 0; _k < %d; ++_k) _sav[_k] = *_x1[_k];\n", n);
    out(g, "_dctx_%s _c = {_th, _ml, _i, _D, _sav, _x1};\n", fn->name);
    out(g, "if (_rv_newton(%d, _x2, _dnewton_%s, &_c, _F))\n", n, fn->name);
    out(g,
        "    _th->api->error(_th, \"%s\", \"derivimplicit: Newton iteration did not converge\");\n",
        g->mech);
    out(g, "_dfun_%s(_th, _ml, _i, _D);\n", fn->name);
    out(g, "if (_th->secondorder)\n");
    out(g, "    for (int _k = 0; _k < %d; ++_k) *_x1[_k] += _th->dt * _D[_k];\n", n);
    nm_buf_put(g->o, "}\n\n");
    g->indent = 0;
    g->halve_dt = true;
}

static void emit_diffeq_implicit(G *g, nm_stmt *s) {
    for (int k = 0; k < g->ndstate; ++k)
        if (strcmp(g->dstate[k]->name, s->text) == 0) {
            emit_line_expr(g, nm_printf(g->a, "_D[%d] = ", k), s->rhs, ";");
            if (g->nprimed < 256) g->primed[g->nprimed++] = s->text;
            return;
        }
    nm_error(g->d, s->line, s->col, "'%s' is not a STATE variable", s->text);
}

/* --------------------------------------------------- KINETIC (sparse) */
typedef struct rterm {
    nm_expr *name; /* NE_NAME */
    int num;
    nm_sym *sym;
} rterm;

/* a reaction side in nocmodl's list order: the last written term first */
static int react_terms(G *g, nm_expr *e, rterm *out_, int max) {
    rterm tmp[64];
    int n = 0;
    nm_expr *stack[64];
    int ns = 0;
    /* the side is ((t1 + t2) + t3): walk down the left spine */
    while (e && e->kind == NE_BINARY && e->op == NT_PLUS && ns < 64) {
        stack[ns++] = e->b;
        e = e->a;
    }
    if (e && ns < 64) stack[ns++] = e;
    for (int k = ns - 1; k >= 0 && n < 64; --k) { /* written order */
        nm_expr *t = stack[k];
        int num = 1;
        if (t->kind == NE_BINARY && t->op == NT_STAR && t->a->kind == NE_NUM) {
            num = (int)t->a->num;
            t = t->b;
        }
        nm_sym *ts = t->kind == NE_NAME ? lookup(g, t->text) : NULL;
        if (t->kind != NE_NAME ||
            (t->a ? !(ts && ts->kind == SK_RANGE && ts->role == RV_VAR_STATE && ts->size)
                  : (ts && ts->size))) {
            nm_error(g->d, t->line, t->col,
                     "reactant arrays are only supported as an indexed STATE array (A[i])");
            return -1;
        }
        tmp[n].name = t;
        tmp[n].num = num;
        tmp[n].sym = lookup(g, t->text);
        t->sym = tmp[n].sym;
        ++n;
    }
    if (n > max) n = max;
    for (int k = 0; k < n; ++k) out_[k] = tmp[n - 1 - k];
    return n;
}

static int kin_varnum(kin *k, nm_sym *s) {
    for (int j = 0; j < k->n; ++j)
        if (k->st[j] == s) return j;
    return -1;
}

static bool kin_isstate(G *g, nm_sym *s) {
    (void)g;
    return s && s->kind == SK_RANGE && s->role == RV_VAR_STATE;
}

/* the 1-based matrix row of a reactant: its varnum, plus the index of an
 * element of a STATE array (nocmodl: the array's elements are consecutive
 * varnums from its first) */
static const char *kin_row(G *g, int vn, const rterm *t) {
    if (!t->sym || !t->sym->size || !t->name->a) return nm_printf(g->a, "%d", vn + 1);
    nm_buf e = {0};
    emit_expr(g, &e, t->name->a, 0);
    const char *r = nm_printf(g->a, "%d + (int)(%s)", vn + 1, e.s ? e.s : "0");
    tmp_free(g, &e);
    return r;
}

static void kin_collect(G *g, nm_block *b, nm_stmt **cons, int *ncons, nm_sym **used, int *nused,
                        nm_stmt **comp, int *ncomp) {
    for (nm_stmt *s = b ? b->first : NULL; s; s = s->next) {
        if (s->kind == NS_REACTION || s->kind == NS_CONSERVE) {
            rterm t[64];
            for (int side = 0; side < 2; ++side) {
                nm_expr *e =
                    side ? (s->kind == NS_REACTION && s->ival == 2 ? s->rhs : NULL) : s->lhs;
                if (!e) continue;
                int n = react_terms(g, e, t, 64);
                for (int j = 0; j < n; ++j) {
                    if (!kin_isstate(g, t[j].sym)) continue;
                    int q = 0;
                    while (q < *nused && used[q] != t[j].sym) ++q;
                    if (q == *nused && *nused < 256) used[(*nused)++] = t[j].sym;
                }
            }
            if (s->kind == NS_CONSERVE && *ncons < 64) cons[(*ncons)++] = s;
        } else if (s->kind == NS_COMPARTMENT) {
            if (*ncomp < 64) comp[(*ncomp)++] = s;
        } else if (s->kind == NS_IF || s->kind == NS_WHILE || s->kind == NS_BLOCK ||
                   s->kind == NS_FROM) {
            kin_collect(g, s->body, cons, ncons, used, nused, comp, ncomp);
            if (s->orelse) kin_collect(g, s->orelse, cons, ncons, used, nused, comp, ncomp);
        }
    }
}

static void emit_kin_stmt(G *g, nm_stmt *s) {
    kin *k = g->kin;
    rterm t[2][64];
    int nt[2] = {0, 0};
    if (s->kind == NS_COMPARTMENT) return; /* applied at the block start */
    if (s->kind == NS_CONSERVE) {
        nt[0] = react_terms(g, s->lhs, t[0], 64);
        int eq = k->conseq--; /* nocmodl numbers the conservation rows last written first */
        if (eq < 0) return;
        nm_buf e = {0};
        emit_expr(g, &e, s->rhs, 0);
        out(g, "_so->rhs[%d] = %s;\n", eq + 1, e.s ? e.s : "0");
        tmp_free(g, &e);
        for (int j = 0; j < nt[0]; ++j) {
            int vn = kin_varnum(k, t[0][j].sym);
            if (vn < 0) {
                nm_error(g->d, s->line, s->col, "CONSERVE: '%s' is not a STATE of the scheme",
                         t[0][j].name->text);
                continue;
            }
            nm_buf c = {0};
            if (k->cap[vn]) {
                nm_buf_put(&c, " * ");
                emit_expr(g, &c, k->cap[vn], 5);
            }
            const char *xr = t[0][j].sym->size ? "" : state_ref(g, t[0][j].sym);
            if (t[0][j].sym->size) {
                nm_buf x = {0};
                emit_var(g, &x, t[0][j].name, false);
                xr = nm_strdup(g->a, x.s ? x.s : "");
                tmp_free(g, &x);
            }
            out(g, "*_rv_sp_get(_so, %d, %s) = %d%s;\n", eq + 1, kin_row(g, vn, &t[0][j]),
                t[0][j].num, c.s ? c.s : "");
            if (t[0][j].num != 1)
                out(g, "_so->rhs[%d] -= %s%s * %d;\n", eq + 1, xr, c.s ? c.s : "", t[0][j].num);
            else
                out(g, "_so->rhs[%d] -= %s%s;\n", eq + 1, xr, c.s ? c.s : "");
            tmp_free(g, &c);
        }
        return;
    }
    /* a reaction */
    if (s->ival == 0) {
        nm_error(g->d, s->line, s->col, "'~ ... =' equations are only allowed in LINEAR/NONLINEAR");
        return;
    }
    nt[0] = react_terms(g, s->lhs, t[0], 64);
    if (s->ival == 1) { /* ~ x << (flux) */
        if (nt[0] != 1 || !kin_isstate(g, t[0][0].sym)) {
            nm_error(g->d, s->line, s->col, "a flux reaction needs one STATE");
            return;
        }
        int vn = kin_varnum(k, t[0][0].sym);
        if (vn < k->ncons) {
            nm_error(g->d, s->line, s->col, "'%s' is conserved and has a flux", t[0][0].name->text);
            return;
        }
        nm_buf e = {0};
        emit_expr(g, &e, s->lo, 0);
        out(g, "_f_flux = _b_flux = 0.;\n");
        out(g, "_so->rhs[%s] += (_b_flux = %s);\n", kin_row(g, vn, &t[0][0]), e.s ? e.s : "0");
        tmp_free(g, &e);
        return;
    }
    nt[1] = react_terms(g, s->rhs, t[1], 64);
    nm_expr *kr[2] = {s->lo, s->hi};
    const char *krs[2];
    for (int j = 0; j < 2; ++j) {
        nm_buf e = {0};
        emit_expr(g, &e, kr[j], 5); /* as written: a*b*x == (a*b)*x */
        krs[j] = nm_strdup(g->a, e.s ? e.s : "0");
        tmp_free(g, &e);
    }
    for (int j = 0; j < 2; ++j) {
        nm_buf f = {0};
        nm_buf_printf(&f, "%s = %s", j ? "_b_flux" : "_f_flux", krs[j]);
        for (int q = 0; q < nt[j]; ++q) {
            nm_buf v = {0};
            emit_var(g, &v, t[j][q].name, false);
            for (int c = 0; c < t[j][q].num; ++c) nm_buf_printf(&f, " * %s", v.s ? v.s : "");
            tmp_free(g, &v);
        }
        out(g, "%s;\n", f.s ? f.s : "");
        tmp_free(g, &f);
    }
    for (int j = 0; j < 2; ++j)
        for (int q = 0; q < nt[j]; ++q) {
            if (!kin_isstate(g, t[j][q].sym)) continue;
            int vn = kin_varnum(k, t[j][q].sym);
            if (vn < k->ncons) continue;
            const char *row = kin_row(g, vn, &t[j][q]);
            if (t[j][q].num > 1)
                out(g, "_so->rhs[%s] %s %d.0 * (_f_flux - _b_flux);\n", row,
                    j ? "+=" : "-=", t[j][q].num);
            else
                out(g, "_so->rhs[%s] %s (_f_flux - _b_flux);\n", row, j ? "+=" : "-=");
        }
    for (int j = 0; j < 2; ++j)
        for (int q = 0; q < nt[j]; ++q) {
            if (!kin_isstate(g, t[j][q].sym)) continue;
            int vn = kin_varnum(k, t[j][q].sym);
            const char *col = kin_row(g, vn, &t[j][q]);
            nm_buf f = {0};
            nm_buf_printf(&f, "_term = %s", krs[j]);
            if (t[j][q].num != 1) nm_buf_printf(&f, " * %d", t[j][q].num);
            for (int r = 0; r < nt[j]; ++r) {
                int cnt = t[j][r].num - (r == q ? 1 : 0);
                if (cnt > 0) k->linear = false;
                nm_buf v = {0};
                emit_var(g, &v, t[j][r].name, false);
                for (int c = 0; c < cnt; ++c) nm_buf_printf(&f, " * %s", v.s ? v.s : "");
                tmp_free(g, &v);
            }
            out(g, "%s;\n", f.s ? f.s : "");
            tmp_free(g, &f);
            for (int j1 = 0; j1 < 2; ++j1)
                for (int q1 = 0; q1 < nt[j1]; ++q1) {
                    if (!kin_isstate(g, t[j1][q1].sym)) continue;
                    int vn1 = kin_varnum(k, t[j1][q1].sym);
                    if (vn1 < k->ncons) continue;
                    const char *row = kin_row(g, vn1, &t[j1][q1]);
                    if (t[j1][q1].num != 1)
                        out(g, "*_rv_sp_get(_so, %s, %s) %s %d * _term;\n", row, col,
                            j == j1 ? "+=" : "-=", t[j1][q1].num);
                    else
                        out(g, "*_rv_sp_get(_so, %s, %s) %s _term;\n", row, col,
                            j == j1 ? "+=" : "-=");
                }
        }
}

/* number the states of a KINETIC block: conservation diagonals first
 * (CONSERVE statements last written first, each its last written state
 * not yet numbered), then the rest in nocmodl's symbol order */
static bool kin_number(G *g, nm_func *fn, kin *k) {
    nm_stmt *cons[64], *comp[64];
    nm_sym *used[256];
    int ncons = 0, nused = 0, ncomp = 0;
    memset(k, 0, sizeof *k);
    kin_collect(g, fn->body, cons, &ncons, used, &nused, comp, &ncomp);
    bool done[256] = {false};
    for (int c = ncons - 1; c >= 0; --c) {
        rterm t[64];
        int n = react_terms(g, cons[c]->lhs, t, 64);
        int j = 0;
        for (; j < n; ++j) {
            if (!kin_isstate(g, t[j].sym)) continue;
            if (t[j].sym->size) { /* the diagonal would be an array element */
                nm_error(g->d, cons[c]->line, cons[c]->col,
                         "CONSERVE: the last written free term is an element of a STATE "
                         "array; this is not supported yet (write a scalar STATE last)");
                return false;
            }
            int q = 0;
            while (q < nused && used[q] != t[j].sym) ++q;
            if (q < nused && !done[q]) {
                done[q] = true;
                k->st[k->n++] = used[q];
                break;
            }
        }
        if (j == n) {
            nm_error(g->d, cons[c]->line, cons[c]->col, "failed to diagonalize the KINETIC matrix");
            return false;
        }
    }
    k->ncons = k->nconsstmt = ncons;
    k->conseq = ncons - 1;
    /* the rest in symbol order; an array's elements consecutive */
    nm_sym *rest[256];
    int nrest = 0;
    for (int q = 0; q < nused; ++q)
        if (!done[q]) {
            int at = nrest++;
            rest[at] = used[q];
            while (at > 0 && symiter_before(g, rest[at]->name, rest[at - 1]->name)) {
                nm_sym *x = rest[at];
                rest[at] = rest[at - 1], rest[at - 1] = x;
                --at;
            }
        }
    for (int q = 0; q < nrest; ++q)
        for (int e = 0; e < (rest[q]->size ? rest[q]->size : 1); ++e) {
            if (k->n == 256) {
                nm_error(g->d, fn->line, fn->col, "KINETIC %s: more than 256 states", fn->name);
                return false;
            }
            k->el[k->n] = e;
            k->st[k->n++] = rest[q];
        }
    for (int c = 0; c < ncomp; ++c) {
        if (comp[c]->text) {
            nm_error(g->d, comp[c]->line, comp[c]->col, "indexed COMPARTMENT is not supported yet");
            return false;
        }
        for (nm_name *nmn = comp[c]->names; nmn; nmn = nmn->next) {
            nm_sym *s = find_global(g, nmn->name);
            for (int vn = 0; vn < k->n; ++vn)
                if (k->st[vn] == s) k->cap[vn] = comp[c]->rhs;
        }
    }
    if (!k->n) {
        nm_error(g->d, fn->line, fn->col, "KINETIC %s contains no reactions", fn->name);
        return false;
    }
    k->linear = true;
    return true;
}

/* the C lvalue of unknown j (an element of a STATE array: indexed) */
static const char *kin_state_ref(G *g, kin *k, int j) {
    if (!k->st[j]->size) return state_ref(g, k->st[j]);
    nm_expr ix, xv;
    memset(&ix, 0, sizeof ix);
    memset(&xv, 0, sizeof xv);
    ix.kind = NE_NUM;
    ix.num = k->el[j];
    ix.text = nm_printf(g->a, "%d", k->el[j]);
    xv.kind = NE_NAME;
    xv.text = k->st[j]->name;
    xv.sym = k->st[j];
    xv.a = &ix;
    nm_buf x = {0};
    emit_var(g, &x, &xv, true);
    const char *r = nm_strdup(g->a, x.s ? x.s : "");
    tmp_free(g, &x);
    return r;
}

/* the scheme's matrix function and its step kernel */
/* whether a reaction, CONSERVE or COMPARTMENT statement sits under an if,
 * while or FROM: the matrix layout could then change from call to call */
static bool kin_nested(const nm_block *b, bool under) {
    for (nm_stmt *s = b ? b->first : NULL; s; s = s->next) {
        if (under &&
            (s->kind == NS_REACTION || s->kind == NS_CONSERVE || s->kind == NS_COMPARTMENT))
            return true;
        bool u = under || s->kind == NS_IF || s->kind == NS_WHILE || s->kind == NS_FROM;
        if (kin_nested(s->body, u) || kin_nested(s->orelse, u)) return true;
    }
    return false;
}

static void emit_kinetic(G *g, nm_func *fn) {
    kin *k = rv_calloc(1, sizeof *k);
    if (!k) {
        g->o->oom = true;
        return;
    }
    if (!kin_number(g, fn, k)) {
        rv_free(k);
        return;
    }
    g->need_rt = true;
    g->halve_dt = true;
    int n = k->n;
    nm_buf_printf(g->o,
                  "typedef struct { rv_thread *th; rv_mech_list *ml; int i; double **x; } "
                  "_kctx_%s;\n",
                  fn->name);
    nm_buf_printf(g->o, "static void _kfun_%s(void *_c, _rv_sparse *_so) {\n", fn->name);
    nm_buf_printf(g->o, "    _kctx_%s *_x = _c;\n", fn->name);
    nm_buf_put(g->o, "    rv_thread *_th = _x->th;\n    rv_mech_list *_ml = _x->ml;\n"
                     "    const int _i = _x->i;\n");
    g->indent = 1;
    fn_prologue(g);
    out(g, "double _f_flux = 0., _b_flux = 0., _term = 0.;\n");
    out(g, "(void)_f_flux, (void)_b_flux, (void)_term;\n");
    out(g, "{\n");
    out(g, "    const double _dt1 = 1.0 / _th->dt;\n");
    out(g, "    for (int _k = %d; _k < %d; ++_k) {\n", k->ncons, n);
    out(g, "        _so->rhs[_k + 1] = -_dt1 * (*_x->x[_k] - _so->save[_k]);\n");
    out(g, "        *_rv_sp_get(_so, _k + 1, _k + 1) = _dt1;\n");
    out(g, "    }\n");
    for (int j = k->ncons; j < n; ++j)
        if (k->cap[j]) {
            nm_buf c = {0};
            emit_expr(g, &c, k->cap[j], 5);
            out(g, "    _so->rhs[%d] *= %s;\n", j + 1, c.s ? c.s : "1");
            out(g, "    *_rv_sp_get(_so, %d, %d) *= %s;\n", j + 1, j + 1, c.s ? c.s : "1");
            tmp_free(g, &c);
        }
    out(g, "}\n");
    g->cur_fn = fn;
    g->kin = k;
    g->indent = 0;
    emit_block(g, fn->body);
    g->kin = NULL;
    g->cur_fn = NULL;
    nm_buf_put(g->o, "}\n\n");
    /* the step: steady state (dt = 1e9) or one dt */
    nm_buf_printf(g->o,
                  "static void _ks_%s(rv_thread *_th, rv_mech_list *_ml, int _i, int _ss) {\n",
                  fn->name);
    g->indent = 1;
    fn_prologue(g);
    bool cached = !kin_nested(fn->body, false);
    if (cached) {
        /* NEURON lays the matrix out once (per thread) at the first call and
         * then fills the listed elements in call order: the layout is the
         * same for every instance and step, so it is built once per thread
         * and reused (no element lookup in the step) */
        out(g, "static _Thread_local struct {\n");
        out(g, "    _rv_sparse so;\n");
        out(g, "    _rv_elm pool[%d];\n", n * n + 1);
        out(g, "    _rv_elm *rowst[%d], *diag[%d];\n", n + 1, n + 1);
        out(g, "    unsigned varord[%d];\n", n + 1);
        out(g, "    double rhs[%d], save[%d];\n", n + 1, n);
        out(g, "    double *coef[%d];\n", 4 * n * n + 64);
        out(g, "    _rv_ord ord[%d];\n", n + 1);
        out(g, "    int ready;\n");
        out(g, "} _kc;\n");
        out(g, "double _Dx[%d];\n", n);
        out(g, "double *_xs[%d] = {", n);
        for (int j = 0; j < n; ++j)
            nm_buf_printf(g->o, "%s&%s", j ? ", " : "", kin_state_ref(g, k, j));
        nm_buf_put(g->o, "};\n");
        out(g, "_kctx_%s _c = {_th, _ml, _i, _xs};\n", fn->name);
        out(g, "for (int _k = 0; _k < %d; ++_k) _kc.save[_k] = *_xs[_k];\n", n);
        out(g, "if (!_kc.ready) {\n");
        out(g, "    memset(&_kc, 0, sizeof _kc);\n");
        out(g, "    _kc.so.n = %d, _kc.so.rowst = _kc.rowst, _kc.so.diag = _kc.diag;\n", n);
        out(g, "    _kc.so.varord = _kc.varord, _kc.so.rhs = _kc.rhs, _kc.so.save = _kc.save;\n");
        out(g, "    _kc.so.pool = _kc.pool, _kc.so.maxpool = %d;\n", n * n + 1);
        out(g, "    _kc.so.coef = _kc.coef, _kc.so.maxcoef = %d, _kc.so.ord = _kc.ord;\n",
            4 * n * n + 64);
        out(g, "    for (int _k = 0; _k < %d; ++_k) _kc.save[_k] = *_xs[_k];\n", n);
        out(g, "    _rv_sp_setup(&_kc.so, _kfun_%s, &_c);\n", fn->name);
        out(g, "    _kc.ready = 1;\n");
        out(g, "}\n");
        out(g, "#define _so (_kc.so)\n");
    } else {
        out(g, "_rv_elm _pool[%d];\n", n * n + 1);
        out(g, "_rv_elm *_rowst[%d], *_diag[%d];\n", n + 1, n + 1);
        out(g, "unsigned _varord[%d];\n", n + 1);
        out(g, "double _rhs[%d], _save[%d], _Dx[%d];\n", n + 1, n, n);
        out(g, "double *_coef[%d];\n", 4 * n * n + 64);
        out(g, "_rv_ord _ord[%d];\n", n + 1);
        out(g, "_rv_sparse _so;\n");
        out(g, "memset(&_so, 0, sizeof _so);\n");
        out(g, "memset(_ord, 0, sizeof _ord);\n");
        out(g, "_so.n = %d, _so.rowst = _rowst, _so.diag = _diag, _so.varord = _varord;\n", n);
        out(g, "_so.rhs = _rhs, _so.save = _save, _so.pool = _pool, _so.maxpool = %d;\n",
            n * n + 1);
        out(g, "_so.coef = _coef, _so.maxcoef = %d, _so.ord = _ord;\n", 4 * n * n + 64);
        out(g, "double *_xs[%d] = {", n);
        for (int j = 0; j < n; ++j)
            nm_buf_printf(g->o, "%s&%s", j ? ", " : "", kin_state_ref(g, k, j));
        nm_buf_put(g->o, "};\n");
        out(g, "_kctx_%s _c = {_th, _ml, _i, _xs};\n", fn->name);
        out(g, "for (int _k = 0; _k < %d; ++_k) _save[_k] = *_xs[_k];\n", n);
        out(g, "_rv_sp_setup(&_so, _kfun_%s, &_c);\n", fn->name);
    }
    out(g, "int _e = 0;\n");
    out(g, "if (!_ss) {\n");
    out(g, "    _e = _rv_sparse_step(&_so, _xs, _Dx, _th->dt, %d, _kfun_%s, &_c);\n",
        k->linear ? 1 : 0, fn->name);
    out(g, "} else {\n");
    out(g, "    const double _dtsav = _th->dt;\n");
    out(g, "    _th->dt = 1e9;\n");
    if (k->linear) {
        out(g, "    _e = _rv_sparse_step(&_so, _xs, _Dx, 1e9, 0, _kfun_%s, &_c);\n", fn->name);
    } else {
        out(g, "    int _it = 0;\n");
        out(g, "    for (; _it < 7; ++_it) {\n");
        out(g, "        _e = _rv_sparse_step(&_so, _xs, _Dx, 1e9, 1, _kfun_%s, &_c);\n", fn->name);
        out(g, "        if (_e) break;\n");
        out(g, "        int _ok = 1;\n");
        out(g, "        for (int _k = 0; _k < %d; ++_k)\n", n);
        out(g, "            if (*_xs[_k] < -1e-6) *_xs[_k] = 0., _ok = 0;\n");
        out(g, "        if (_ok) {\n");
        out(g, "            _e = _rv_sparse_step(&_so, _xs, _Dx, 1e9, 0, _kfun_%s, &_c);\n",
            fn->name);
        out(g, "            break;\n");
        out(g, "        }\n");
        out(g, "    }\n");
        out(g, "    if (_it >= 7) _e = 1;\n");
    }
    out(g, "    _th->dt = _dtsav;\n");
    out(g, "}\n");
    out(g, "if (_e) _th->api->error(_th, \"%s\", \"KINETIC %s: the sparse solver failed\");\n",
        g->mech, fn->name);
    out(g, "if (_th->secondorder)\n");
    out(g, "    for (int _k = 0; _k < %d; ++_k) *_xs[_k] += _th->dt * _Dx[_k];\n", n);
    if (cached) out(g, "#undef _so\n");
    nm_buf_put(g->o, "}\n\n");
    g->indent = 0;
    rv_free(k);
}

/* ------------------------------------------------------------- kernels */
static const char *ion_ref(G *g, int u, int var) {
    return nm_printf(g->a, "_th->block[_ml->pdata[RV_PDATA_ION(%d, %d) * _pad + _i]]", u, var);
}

static const char *ion_store_var(G *g, int u, int var) {
    return nm_printf(g->a, "_p[_v_%s * _pad]", g->vars[g->ions[u].sym[var]->index].name);
}

static void emit_ion_loads(G *g) {
    for (int u = 0; u < g->nions; ++u)
        for (int k = 0; k < RV_ION_NVAR; ++k)
            if (g->ions[u].load[k] && g->ions[u].sym[k])
                out(g, "%s = %s;\n", ion_store_var(g, u, k), ion_ref(g, u, k));
}

static void emit_ion_stores(G *g, bool wrote_conc) {
    for (int u = 0; u < g->nions; ++u) {
        bool conc = false;
        for (int k = 0; k < RV_ION_NVAR; ++k)
            if (g->ions[u].store[k] && g->ions[u].sym[k]) {
                out(g, "%s = %s;\n", ion_ref(g, u, k), ion_store_var(g, u, k));
                if (k == RV_ION_CONCI || k == RV_ION_CONCO) conc = true;
            }
        if (wrote_conc && conc) out(g, "rv_ion_wrote_conc(_th, _ml, %d, _i);\n", u);
    }
}

static void kernel_head(G *g, const char *name) {
    nm_buf_printf(g->o, "static void %s(rv_thread *_th, rv_mech_list *_ml) {\n", name);
    nm_buf_put(g->o, "    const int _pad = _ml->pad;\n");
    nm_buf_put(g->o, "    double *_g = _ml->global;\n");
    nm_buf_put(g->o, "    (void)_g;\n");
    if (g->compat) nm_buf_put(g->o, "    _rv_th = _th;\n");
    nm_buf_put(g->o, "    for (int _i = 0; _i < _ml->n; ++_i) {\n");
    nm_buf_put(g->o, "        double *_p = _ml->data + _i;\n");
    nm_buf_put(g->o, "        (void)_p;\n");
    g->indent = 2;
}

static void kernel_tail(G *g) {
    g->indent = 0;
    nm_buf_put(g->o, "    }\n}\n\n");
}

static nm_func *solve_target(G *g, nm_stmt *s, const char **method) {
    nm_sym *t = find_global(g, s->text);
    *method = s->method;
    if (!t || (t->kind != SK_BLOCK && t->kind != SK_FUNC)) {
        nm_error(g->d, s->line, s->ival, "SOLVE %s: no such block", s->text);
        return NULL;
    }
    nm_func *fn = t->fn;
    if (fn->kind == NF_DERIVATIVE) {
        if (!s->method) {
            nm_error(g->d, s->line, s->col, "SOLVE %s needs a METHOD", s->text);
            return NULL;
        }
        if (strcmp(s->method, "cnexp") != 0 && strcmp(s->method, "euler") != 0 &&
            strcmp(s->method, "derivimplicit") != 0) {
            nm_error(g->d, s->line, s->col, "METHOD %s is not supported yet", s->method);
            return NULL;
        }
        return fn;
    }
    if (fn->kind == NF_KINETIC) {
        if (!s->method || strcmp(s->method, "sparse") != 0) {
            nm_error(g->d, s->line, s->col,
                     "KINETIC %s: METHOD %s is not supported yet (sparse is)", s->text,
                     s->method ? s->method : "(none)");
            return NULL;
        }
        return fn;
    }
    if (fn->kind == NF_PROCEDURE) {
        /* after_cvode (SEClamp): in fixed step the procedure runs in the state
         * kernel after the voltage update, like a plain SOLVE of it */
        if (s->method && strcmp(s->method, "after_cvode") != 0)
            nm_error(g->d, s->line, s->col, "SOLVE of PROCEDURE %s takes no METHOD", s->text);
        return fn;
    }
    const char *what = fn->kind == NF_KINETIC     ? "KINETIC"
                       : fn->kind == NF_LINEAR    ? "LINEAR"
                       : fn->kind == NF_NONLINEAR ? "NONLINEAR"
                                                  : "this kind of";
    nm_error(g->d, s->line, s->col, "SOLVE of a %s block is not supported yet", what);
    return NULL;
}

static void emit_breakpoint_rest(G *g) {
    /* BREAKPOINT statements other than SOLVE */
    if (!g->breakpoint || !g->breakpoint->body) return;
    if (!push_scope(g)) return;
    for (nm_stmt *s = g->breakpoint->body->first; s; s = s->next)
        if (s->kind != NS_SOLVE) emit_stmt(g, s);
    pop_scope(g);
}

static void collect_watch(G *g, nm_block *b) {
    for (nm_stmt *s = b ? b->first : NULL; s; s = s->next) {
        if (s->kind == NS_WATCH) {
            if (g->nwatch == MAX_WATCH)
                nm_error(g->d, s->line, s->col, "more than %d WATCH statements", MAX_WATCH);
            else
                g->watch[g->nwatch++] = s;
        }
        if (s->kind == NS_INITIAL) continue; /* NET_RECEIVE INITIAL: not a WATCH place */
        collect_watch(g, s->body);
        collect_watch(g, s->orelse);
    }
}

/* NEURON's WatchCondition::check at the start of each step: an active
 * condition that becomes true sends a self event at t with its flag */
static void emit_watch_kernel(G *g) {
    kernel_head(g, "_watch");
    if (g->uses_v) out(g, "_p[_v_v * _pad] = _th->v[_ml->node[_i]];\n");
    g->ctx = CTX_NETRECV;
    for (int k = 0; k < g->nwatch; ++k) {
        nm_buf c = {0};
        emit_watch_value(g, &c, g->watch[k]);
        out(g, "if (_p[_v__won%d * _pad] != 0.0) {\n", k);
        out(g, "    if ((%s) > 0.0) {\n", c.s ? c.s : "0");
        out(g, "        if (_p[_v__wabove%d * _pad] == 0.0) {\n", k);
        out(g, "            _p[_v__wabove%d * _pad] = 1.0;\n", k);
        out(g, "            _th->api->net_send(_th, _ml, _i, NULL, 0.0, _p[_v__wnr%d * _pad]);\n",
            k);
        out(g, "        }\n");
        out(g, "    } else {\n");
        out(g, "        _p[_v__wabove%d * _pad] = 0.0;\n", k);
        out(g, "    }\n");
        out(g, "}\n");
        nm_buf_free(&c);
    }
    kernel_tail(g);
}

static bool is_pp(G *g) {
    return g->f->kind == NK_POINT;
}

static void emit_current_sum(G *g) {
    for (nm_current *c = g->f->currents; c; c = c->next) {
        nm_sym *s = find_global(g, c->name);
        if (s && s->kind == SK_RANGE) {
            if (g->shadow) {
                g->shadow_used[s->index] = true;
                out(g, "_current += _r_%s;\n", g->vars[s->index].name);
            } else {
                out(g, "_current += _p[_v_%s * _pad];\n", g->vars[s->index].name);
            }
        }
    }
}

/* The BREAKPOINT statements (but SOLVE) and the sum of the currents into
 * _current, emitted into *body with the scalar RANGE variables held in C
 * locals _r_NAME and v read from the C variable _v.  False (nothing to use)
 * when the statements could let other code read or write the instance data
 * meanwhile (a FUNCTION/PROCEDURE call, POINTER, VERBATIM, net_*, an
 * assignment to v, a C name of VERBATIM code): then the _nrn_current
 * function works on the instance data as NEURON does.  Either way the same
 * operations on the same values. */
static bool shadow_dry(G *g, nm_buf *body) {
    int nerr0 = g->d->nerr, ind = g->indent;
    nm_buf *o = g->o;
    g->shadow = true;
    g->shadow_impure = false;
    g->nhoist = 0;
    g->hoist_ok = is_pp(g) && g->breakpoint && !block_assigns_global(g, g->breakpoint->body);
    memset(g->shadow_used, 0, sizeof g->shadow_used);
    memset(g->shadow_written, 0, sizeof g->shadow_written);
    g->o = body;
    g->indent = 3;
    out(g, "{\n");
    emit_breakpoint_rest(g);
    out(g, "}\n");
    emit_current_sum(g);
    g->o = o;
    g->indent = ind;
    g->shadow = false;
    if (body->oom) o->oom = true;
    return !g->shadow_impure || g->d->nerr > nerr0;
}

static void emit_kernels(G *g) {
    nm_file *f = g->f;
    /* ---- init ---- */
    kernel_head(g, "_init");
    g->ctx = CTX_INIT;
    if (g->netrecv) out(g, "_p[_v__tsav * _pad] = -1e20;\n");
    if (g->afac_var >= 0)
        out(g, "_p[_v__afac * _pad] = 1.e2 / (_th->block[_ml->pdata[_SLOT_AREA * _pad + _i]]);\n");
    for (int k = 0; k < g->ncnc; ++k)
        out(g, "_p[_v_%s * _pad] = NAN;\n", g->vars[g->cnc_dtkey[k]].name);
    for (int k = 0; k < g->nwatch; ++k) out(g, "_p[_v__won%d * _pad] = 0.0;\n", k);
    if (g->uses_v) out(g, "_p[_v_v * _pad] = _th->v[_ml->node[_i]];\n");
    emit_ion_loads(g);
    for (nm_sym *s = g->syms; s; s = s->next) {
        if (s->kind != SK_RANGE || s->role != RV_VAR_STATE || s->ion_use >= 0) continue;
        /* states start from name0 (0 unless declared as a PARAMETER) */
        const char *n0 = nm_printf(g->a, "%s0", s->name);
        nm_sym *s0 = n0 ? find_global(g, n0) : NULL;
        int cnt = s->size ? s->size : 1;
        for (int k = 0; k < cnt; ++k) {
            const char *src = "0.0";
            if (s0 && s0->kind == SK_GLOBAL)
                src = nm_printf(g->a, "_g[_g_%s]", g->globs[s0->index].name);
            else if (s0 && s0->kind == SK_RANGE && !s0->size)
                src = nm_printf(g->a, "_p[_v_%s * _pad]", g->vars[s0->index].name);
            out(g, "_p[_v_%s * _pad] = %s;\n", g->vars[s->index + k].name, src);
        }
    }
    if (g->initial && g->initial->body) {
        out(g, "{\n");
        emit_block(g, g->initial->body);
        out(g, "}\n");
    }
    emit_ion_stores(g, true);
    g->ctx = CTX_OTHER;
    kernel_tail(g);

    /* ---- cur ---- */
    nm_buf body = {0};
    if (g->has_cur && shadow_dry(g, &body)) {
        /* the current at v + .001 and at v evaluated in place on C locals,
         * loaded once and stored once: NEURON's nrn_current twice, the same
         * operations, the instance data left as after the second */
        for (nm_current *c = f->currents; c; c = c->next) {
            nm_sym *s = find_global(g, c->name);
            if (c->ion && s && s->kind == SK_RANGE) g->shadow_used[s->index] = true;
        }
        if (g->nhoist > 0) {
            /* per chunk: each hoisted exp argument at v + .001 and at v for
             * every instance; equal neighbours (same bits) share one rv_exp,
             * found without a branch; then the usual loop reads _xe[k][_j] */
            nm_buf *o = g->o;
            nm_buf_put(o, "static void _cur(rv_thread *_th, rv_mech_list *_ml) {\n");
            nm_buf_put(o, "    const int _pad = _ml->pad;\n    double *_g = _ml->global;\n"
                          "    (void)_g;\n");
            if (g->compat) nm_buf_put(o, "    _rv_th = _th;\n");
            nm_buf_put(o, "    for (int _b = 0; _b < _ml->n; _b += 64) {\n"
                          "    const int _m = _ml->n - _b < 64 ? _ml->n - _b : 64;\n");
            nm_buf_printf(o, "    double _xe0[%d][64], _xe1[%d][64];\n", g->nhoist, g->nhoist);
            nm_buf_put(o, "    for (int _e = 0; _e < 2; ++_e) {\n"
                          "        double (*const _xe)[64] = _e ? _xe1 : _xe0;\n");
            for (int k = 0; k < g->nhoist; ++k) {
                nm_buf_put(o, "        {\n"
                              "            double _ua[64], _ur[64];\n"
                              "            int _ix[64], _nu = -1;\n"
                              "            unsigned long long _pb = 0;\n"
                              "            for (int _j = 0; _j < _m; ++_j) {\n"
                              "                const double _vn = _th->v[_ml->node[_b + _j]];\n"
                              "                const double _v = _e ? _vn : _vn + .001;\n");
                nm_buf_printf(o, "                const double _a = %s;\n", g->hoist_txt[k]);
                nm_buf_printf(
                    o,
                    "                union { double d; unsigned long long u; } _c = {_a};\n"
                    "                _nu += (_j == 0) | (_c.u != _pb);\n"
                    "                _ua[_nu] = _a;\n"
                    "                _ix[_j] = _nu;\n"
                    "                _pb = _c.u;\n"
                    "            }\n"
                    "            for (int _u = 0; _u <= _nu; ++_u) _ur[_u] = rv_exp(_ua[_u]);\n"
                    "            for (int _j = 0; _j < _m; ++_j) _xe[%d][_j] = _ur[_ix[_j]];\n"
                    "        }\n",
                    k);
            }
            nm_buf_put(o, "    }\n"
                          "    for (int _i = _b; _i < _b + _m; ++_i) {\n"
                          "        const int _j = _i - _b;\n"
                          "        double *_p = _ml->data + _i;\n"
                          "        (void)_p;\n");
            g->indent = 2;
        } else {
            kernel_head(g, "_cur");
        }
        out(g, "const int _nd = _ml->node[_i];\n");
        out(g, "const double _vn = _th->v[_nd];\n");
        emit_ion_loads(g);
        out(g, "double _gg, _rhs;\n");
        for (nm_current *c = f->currents; c; c = c->next)
            if (c->ion && find_global(g, c->name)) out(g, "double _d%s;\n", c->name);
        out(g, "{\n");
        for (int k = 0; k < g->nvars; ++k)
            if (g->shadow_used[k])
                out(g, "    double _r_%s = _p[_v_%s * _pad];\n", g->vars[k].name, g->vars[k].name);
        out(g, "    {\n        const double _v = _vn + .001;\n        double _current = 0.;\n"
               "        (void)_v;\n");
        if (g->nhoist > 0) out(g, "        double (*const _xe)[64] = _xe0;\n");
        nm_buf_put(g->o, body.s ? body.s : "");
        out(g, "        _gg = _current;\n    }\n");
        for (nm_current *c = f->currents; c; c = c->next) {
            nm_sym *s = find_global(g, c->name);
            if (c->ion && s) out(g, "    _d%s = _r_%s;\n", c->name, g->vars[s->index].name);
        }
        out(g, "    {\n        const double _v = _vn;\n        double _current = 0.;\n"
               "        (void)_v;\n");
        if (g->nhoist > 0) out(g, "        double (*const _xe)[64] = _xe1;\n");
        nm_buf_put(g->o, body.s ? body.s : "");
        out(g, "        _rhs = _current;\n    }\n");
        for (int k = 0; k < g->nvars; ++k)
            if (g->shadow_written[k])
                out(g, "    _p[_v_%s * _pad] = _r_%s;\n", g->vars[k].name, g->vars[k].name);
        out(g, "}\n");
        out(g, "if (_RV_SAVE_V) _p[_v_v * _pad] = _vn;\n");
    } else if (g->has_cur) {
        g->nhoist = 0; /* the dry run's hoists are not used */
        nm_buf_put(g->o, "static double _nrn_current(rv_thread *_th, rv_mech_list *_ml, int _i, "
                         "double _v) {\n");
        g->indent = 1;
        fn_prologue(g);
        out(g, "double _current = 0.;\n");
        out(g, "_p[_v_v * _pad] = _v;\n");
        out(g, "{\n");
        emit_breakpoint_rest(g);
        out(g, "}\n");
        emit_current_sum(g);
        out(g, "return _current;\n");
        g->indent = 0;
        nm_buf_put(g->o, "}\n\n");

        kernel_head(g, "_cur");
        out(g, "const int _nd = _ml->node[_i];\n");
        out(g, "const double _v = _th->v[_nd];\n");
        emit_ion_loads(g);
        out(g, "double _gg = _nrn_current(_th, _ml, _i, _v + .001);\n");
        /* ion currents written: remember them at v + .001 */
        for (nm_current *c = f->currents; c; c = c->next) {
            if (!c->ion) continue;
            nm_sym *s = find_global(g, c->name);
            if (s) out(g, "double _d%s = _p[_v_%s * _pad];\n", c->name, g->vars[s->index].name);
        }
        out(g, "double _rhs = _nrn_current(_th, _ml, _i, _v);\n");
    }
    nm_buf_free(&body);
    if (g->has_cur) {
        for (nm_current *c = f->currents; c; c = c->next) {
            if (!c->ion) continue;
            nm_sym *s = find_global(g, c->name);
            if (!s) continue;
            int u = s->ion_use;
            out(g, "%s += (_d%s - _p[_v_%s * _pad]) / .001%s;\n", ion_ref(g, u, RV_ION_DCURDV),
                c->name, g->vars[s->index].name, is_pp(g) ? " * _p[_v__afac * _pad]" : "");
        }
        out(g, "_gg = (_gg - _rhs) / .001;\n");
        for (nm_current *c = f->currents; c; c = c->next) {
            if (!c->ion) continue;
            nm_sym *s = find_global(g, c->name);
            if (!s) continue;
            out(g, "%s += _p[_v_%s * _pad]%s;\n", ion_ref(g, s->ion_use, RV_ION_CUR),
                g->vars[s->index].name, is_pp(g) ? " * _p[_v__afac * _pad]" : "");
        }
        emit_ion_stores(g, false);
        if (is_pp(g)) {
            out(g, "_gg *= _p[_v__afac * _pad];\n");
            out(g, "_rhs *= _p[_v__afac * _pad];\n");
        }
        out(g, "_p[_v__g * _pad] = _gg;\n");
        if (g->electrode) {
            out(g, "_th->rhs[_nd] += _rhs;\n");
            out(g, "if (_th->sav_rhs) _th->sav_rhs[_nd] += _rhs;\n");
        } else {
            out(g, "_th->rhs[_nd] -= _rhs;\n");
        }
        if (g->nhoist > 0) nm_buf_put(g->o, "    }\n"); /* the chunk loop */
        kernel_tail(g);

        nm_buf_put(g->o, "static void _jacob(rv_thread *_th, rv_mech_list *_ml) {\n");
        nm_buf_put(g->o, "    const double *_gg = _ml->data + _v__g * _ml->pad;\n");
        nm_buf_put(g->o, "    const int *_ni = _ml->node;\n");
        if (g->electrode) {
            nm_buf_put(g->o, "    for (int _i = 0; _i < _ml->n; ++_i) {\n"
                             "        _th->d[_ni[_i]] -= _gg[_i];\n"
                             "        if (_th->sav_d) _th->sav_d[_ni[_i]] -= _gg[_i];\n"
                             "    }\n}\n\n");
        } else {
            nm_buf_put(g->o, "    for (int _i = 0; _i < _ml->n; ++_i) _th->d[_ni[_i]] += _gg[_i];\n"
                             "}\n\n");
        }
    }

    /* ---- state ---- */
    bool any_solve = g->nsolve_stmts > 0;
    bool bp_in_state = g->breakpoint && !g->has_cur;
    if (any_solve || bp_in_state) {
        kernel_head(g, "_state");
        /* derivimplicit / sparse: NEURON halves dt for the step with secondorder */
        if (g->halve_dt)
            out(g, "const double _dtsav = _th->dt;\nif (_th->secondorder) _th->dt *= 0.5;\n");
        /* v kept in the instance only when some code reads it there */
        if (g->uses_v) out(g, "if (_RV_SAVE_V) _p[_v_v * _pad] = _th->v[_ml->node[_i]];\n");
        emit_ion_loads(g);
        for (int k = 0; k < g->nsolve; ++k) {
            nm_func *fn = g->solve_fn[k];
            if (fn->kind == NF_DERIVATIVE)
                out(g, "_ds_%s(_th, _ml, _i);\n", fn->name);
            else if (fn->kind == NF_KINETIC)
                out(g, "_ks_%s(_th, _ml, _i, 0);\n", fn->name);
            else
                out(g, "_fn_%s(_th, _ml, _i);\n", fn->name);
        }
        if (bp_in_state) {
            out(g, "{\n");
            emit_breakpoint_rest(g);
            out(g, "}\n");
        }
        emit_ion_stores(g, false);
        if (g->halve_dt) out(g, "_th->dt = _dtsav;\n");
        kernel_tail(g);
    }

    if (g->nwatch) emit_watch_kernel(g);

    /* ---- NET_RECEIVE ---- */
    if (g->netrecv) {
        nm_func *fn = g->netrecv;
        nm_buf_put(g->o, "static void _net_receive(rv_thread *_th, rv_mech_list *_ml, int _i, "
                         "double *_w, double _lflag) {\n");
        g->indent = 1;
        fn_prologue(g);
        out(g, "(void)_w, (void)_lflag;\n");
        if (g->nwatch) out(g, "int _watch_rm = 0;\n");
        out(g, "if (_p[_v__tsav * _pad] > _th->t) {\n");
        out(g,
            "    _th->api->error(_th, \"%s\", \"Event arrived out of order. The minimum NetCon "
            "delay must not be smaller than the spike exchange interval\");\n",
            g->mech);
        out(g, "    return;\n");
        out(g, "}\n");
        out(g, "_p[_v__tsav * _pad] = _th->t;\n");
        g->ctx = CTX_NETRECV;
        g->cur_fn = fn;
        if (push_scope(g)) {
            int k = 0;
            for (nm_name *n = fn->params; n; n = n->next, ++k) {
                nm_sym *s = sym_new(g, n->name, SK_NETARG, n->line, n->col);
                if (s) s->index = k;
                scope_add(g, s);
            }
            if (!lookup(g, "flag") || lookup(g, "flag")->kind != SK_NETARG)
                scope_add(g, sym_new(g, "flag", SK_FLAG, 0, 0));
            out(g, "{\n");
            emit_block(g, fn->body);
            out(g, "}\n");
            g->indent = 0;
            nm_buf_put(g->o, "}\n\n");
            /* NET_RECEIVE INITIAL */
            nm_stmt *ini = NULL;
            for (nm_stmt *s = fn->body->first; s; s = s->next)
                if (s->kind == NS_INITIAL) ini = s;
            if (ini) {
                g->netinit = ini;
                g->ctx = CTX_NETINIT;
                nm_buf_put(g->o, "static void _net_init(rv_thread *_th, rv_mech_list *_ml, int "
                                 "_i, double *_w) {\n");
                g->indent = 1;
                fn_prologue(g);
                out(g, "const double _lflag = 0.0;\n");
                out(g, "(void)_w, (void)_lflag;\n");
                out(g, "{\n");
                emit_block(g, ini->body);
                out(g, "}\n");
                g->indent = 0;
                nm_buf_put(g->o, "}\n\n");
            }
            pop_scope(g);
        }
        g->ctx = CTX_OTHER;
        g->cur_fn = NULL;
    }

    /* ---- table checks ---- */
    if (g->has_table) {
        nm_buf_put(g->o, "static void _table_check(rv_thread *_th, rv_mech_list *_ml) {\n");
        for (nm_func *fn = f->funcs; fn; fn = fn->next)
            if (fn->table && (fn->kind == NF_PROCEDURE || fn->kind == NF_FUNCTION))
                nm_buf_printf(g->o, "    _check_%s(_th, _ml);\n", fn->name);
        nm_buf_put(g->o, "}\n\n");
    }
}

/* ------------------------------------------------------- LINEAR blocks */
/* nocmodl's simultaneous linear equations: every `~ lhs = rhs` is one row;
 * each side is split into its top-level +/- terms (a leading minus
 * included); a term holding one unknown (a STATE, as a factor of a product
 * and not in a denominator, parentheses or a call) adds itself with the
 * unknown replaced by 1.0 to the unknown's coefficient, others to the
 * right-hand side, in source order:  lhs = rhs  becomes
 * (rhs_x - lhs_x) x = lhs_c - rhs_c.  Unknowns are numbered in order of
 * first appearance; the system is solved by Gaussian elimination with
 * partial pivoting (runtime _rv_lineq, scopmath's simeq) and the unknowns
 * are written back. */
struct linsys {
    nm_sym *x[64];
    int nx, neq;
    bool scan; /* first pass: number the unknowns, count the rows */
};

static bool lin_isstate(G *g, nm_expr *e) {
    if (e->kind != NE_NAME || e->a) return false;
    nm_sym *y = e->sym ? e->sym : lookup(g, e->text);
    return y && y->kind == SK_RANGE && y->role == RV_VAR_STATE && !y->size;
}

/* unknowns in e: their number; *x the last; *ok false when one is not a
 * plain factor */
static int lin_count(G *g, nm_expr *e, bool factor, nm_sym **x, bool *ok) {
    if (!e) return 0;
    switch (e->kind) {
    case NE_NAME:
        if (lin_isstate(g, e)) {
            *x = e->sym ? e->sym : lookup(g, e->text);
            if (!factor) *ok = false;
            return 1;
        }
        return lin_count(g, e->a, false, x, ok);
    case NE_BINARY:
        if (e->op == NT_STAR)
            return lin_count(g, e->a, factor, x, ok) + lin_count(g, e->b, factor, x, ok);
        if (e->op == NT_SLASH)
            return lin_count(g, e->a, factor, x, ok) + lin_count(g, e->b, false, x, ok);
        return lin_count(g, e->a, false, x, ok) + lin_count(g, e->b, false, x, ok);
    case NE_UNARY:
        return lin_count(g, e->a, factor && e->op == NT_MINUS, x, ok);
    case NE_PAREN:
        return lin_count(g, e->a, false, x, ok);
    case NE_CALL: {
        int n = 0;
        for (int k = 0; k < e->nargs; ++k) n += lin_count(g, e->args[k], false, x, ok);
        return n;
    }
    default:
        return 0;
    }
}

static void lin_term(G *g, nm_expr *e, int sign, bool left) {
    struct linsys *L = g->lin;
    nm_sym *x = NULL;
    bool ok = true;
    int n = lin_count(g, e, true, &x, &ok);
    if (n > 1 || !ok) {
        if (!L->scan)
            nm_error(g->d, e->line, e->col,
                     n > 1 ? "more than one STATE in a term of a linear equation"
                           : "a STATE of a linear equation must be a factor of its term (not in "
                             "a denominator, parentheses or a function call)");
        return;
    }
    int col = -1;
    if (n == 1) {
        for (int k = 0; k < L->nx; ++k)
            if (L->x[k] == x) col = k;
        if (col < 0 && L->scan && L->nx < 64) L->x[col = L->nx++] = x;
        if (col < 0 && L->scan) {
            nm_error(g->d, e->line, e->col, "more than 64 STATEs in a LINEAR block");
            return;
        }
    }
    if (L->scan) return;
    /* left side: unknowns subtract, constants add; right side: the reverse */
    bool add = n == 1 ? (left ? sign < 0 : sign > 0) : (left ? sign > 0 : sign < 0);
    char prefix[96];
    snprintf(prefix, sizeof prefix, "_lc[_counte * %d + %d] %s ", L->nx + 1, n == 1 ? col : L->nx,
             add ? "+=" : "-=");
    g->lin_one = x;
    emit_line_expr(g, prefix, e, ";");
    g->lin_one = NULL;
}

static void lin_side(G *g, nm_expr *e, int sign, bool left) {
    if (!e) return;
    if (e->kind == NE_BINARY && (e->op == NT_PLUS || e->op == NT_MINUS)) {
        lin_side(g, e->a, sign, left);
        lin_side(g, e->b, e->op == NT_MINUS ? -sign : sign, left);
    } else if (e->kind == NE_UNARY && e->op == NT_MINUS) {
        lin_side(g, e->a, -sign, left);
    } else {
        lin_term(g, e, sign, left);
    }
}

static void emit_lin_eq(G *g, nm_stmt *s) {
    struct linsys *L = g->lin;
    if (L->scan) {
        L->neq++;
    } else {
        out(g, "++_counte;\n");
    }
    lin_side(g, s->lhs, 1, true);
    lin_side(g, s->rhs, 1, false);
}

/* walk the block for the equations (first pass) */
static void lin_scan(G *g, nm_block *b) {
    for (nm_stmt *s = b ? b->first : NULL; s; s = s->next) {
        if (s->kind == NS_REACTION && s->ival == 0) emit_lin_eq(g, s);
        lin_scan(g, s->body);
        lin_scan(g, s->orelse);
    }
}

static void emit_linear(G *g, nm_func *fn, bool proto) {
    if (proto) {
        nm_buf_printf(g->o, "static void _lin_%s(rv_thread *_th, rv_mech_list *_ml, int _i);\n",
                      fn->name);
        return;
    }
    struct linsys L;
    memset(&L, 0, sizeof L);
    L.scan = true;
    g->lin = &L;
    lin_scan(g, fn->body);
    if (L.neq == 0) nm_error(g->d, fn->line, fn->col, "LINEAR %s has no equations", fn->name);
    if (L.neq != L.nx)
        nm_error(g->d, fn->line, fn->col, "LINEAR %s: %d equations for %d STATEs", fn->name, L.neq,
                 L.nx);
    int n = L.nx > 0 ? L.nx : 1;
    L.scan = false;
    g->need_rt = true;
    nm_buf_printf(g->o, "static void _lin_%s(rv_thread *_th, rv_mech_list *_ml, int _i) {\n",
                  fn->name);
    g->indent = 1;
    fn_prologue(g);
    out(g, "double _lc[%d] = {0}, _lx[%d];\n", n * (n + 1), n);
    out(g, "int _counte = -1;\n");
    g->cur_fn = fn;
    if (push_scope(g)) {
        g->indent = 0;
        emit_block(g, fn->body);
        pop_scope(g);
    }
    g->indent = 1;
    out(g, "(void)_counte;\n");
    out(g, "if (_rv_lineq(%d, _lc, _lx)) {\n", n);
    out(g, "    _th->api->error(_th, \"%s\", \"LINEAR %s: singular equations\");\n", g->mech,
        fn->name);
    out(g, "    return;\n");
    out(g, "}\n");
    for (int k = 0; k < L.nx; ++k) {
        nm_expr e;
        memset(&e, 0, sizeof e);
        e.kind = NE_NAME;
        e.text = L.x[k]->name;
        e.sym = L.x[k];
        nm_buf lv = {0};
        emit_var(g, &lv, &e, true);
        out(g, "%s = _lx[%d];\n", lv.s ? lv.s : "", k);
        tmp_free(g, &lv);
    }
    nm_buf_put(g->o, "}\n\n");
    g->cur_fn = NULL;
    g->lin = NULL;
    g->indent = 0;
}

/* ---------------------------------------------------------- the file */
/* CONSTRUCTOR / DESTRUCTOR blocks with a body: kept for emission as the
 * type's per-instance constructor / destructor */
static void check_ctor(G *g) {
    for (nm_func *fn = g->f->funcs; fn; fn = fn->next) {
        if (fn->kind != NF_CONSTRUCTOR && fn->kind != NF_DESTRUCTOR) continue;
        if (!fn->body || !fn->body->first) continue;
        nm_func **slot = fn->kind == NF_CONSTRUCTOR ? &g->ctor : &g->dtor;
        if (*slot)
            nm_error(g->d, fn->line, fn->col, "second %s block",
                     fn->kind == NF_CONSTRUCTOR ? "CONSTRUCTOR" : "DESTRUCTOR");
        *slot = fn;
    }
}

/* the constructor / destructor: the block as a PROCEDURE, and the ABI's
 * void entry point calling it */
static void emit_ctor(G *g, nm_func *fn, const char *name) {
    if (!fn) return;
    nm_func p = *fn;
    p.kind = NF_PROCEDURE;
    p.name = nm_printf(g->a, "_rv_%s_body", name);
    p.params = NULL;
    p.nparams = 0;
    p.table = NULL;
    emit_function(g, &p, "_fn_");
    nm_buf_printf(g->o,
                  "static void _rv_%s(rv_thread *_th, rv_mech_list *_ml, int _i) {\n"
                  "    (void)_fn__rv_%s_body(_th, _ml, _i);\n}\n\n",
                  name, name);
}

/* the C identifier id occurs in text (strings and comments included) */
static bool text_has_ident(const char *t, const char *id) {
    size_t n = strlen(id);
    for (const char *p = t ? strstr(t, id) : NULL; p; p = strstr(p + 1, id)) {
        bool pre = p > t && (isalnum((unsigned char)p[-1]) || p[-1] == '_');
        bool post = isalnum((unsigned char)p[n]) || p[n] == '_';
        if (!pre && !post) return true;
    }
    return false;
}

/* some VERBATIM text of the block names v (it may read the instance's v) */
static bool verbatim_names_v(const nm_block *b) {
    for (nm_stmt *s = b ? b->first : NULL; s; s = s->next) {
        if (s->kind == NS_VERBATIM && text_has_ident(s->text, "v")) return true;
        if (verbatim_names_v(s->body) || verbatim_names_v(s->orelse)) return true;
    }
    return false;
}

static bool block_has_verbatim(const nm_block *b) {
    for (nm_stmt *s = b ? b->first : NULL; s; s = s->next) {
        if (s->kind == NS_VERBATIM) return true;
        if (block_has_verbatim(s->body) || block_has_verbatim(s->orelse)) return true;
    }
    return false;
}

int nm_codegen(nm_file *f, const char *id, nm_arena *a, nm_diag *d, nm_buf *o, nm_buf *exports) {
    int nerr0 = d->nerr;
    G *g = rv_calloc(1, sizeof *g);
    if (!g) {
        o->oom = true;
        return 1;
    }
    g->f = f;
    g->a = a;
    g->d = d;
    g->o = o;
    g->id = id;
    if (f->kind == NK_NONE && f->path) {
        /* nocmodl: no SUFFIX names a density mechanism after the file */
        const char *b = strrchr(f->path, '/');
        b = b ? b + 1 : f->path;
        size_t n = strlen(b);
        if (n > 4 && strcmp(b + n - 4, ".mod") == 0) n -= 4;
        bool ident = n > 0 && !(b[0] >= '0' && b[0] <= '9');
        for (size_t k = 0; k < n && ident; ++k)
            ident = b[k] == '_' || (b[k] >= 'a' && b[k] <= 'z') || (b[k] >= 'A' && b[k] <= 'Z') ||
                    (b[k] >= '0' && b[k] <= '9');
        if (ident) {
            f->kind = NK_SUFFIX;
            f->mech_name = nm_strndup(a, b, n);
        }
    }
    if (f->kind == NK_NONE) {
        nm_error(d, 1, 1, "no SUFFIX, POINT_PROCESS or ARTIFICIAL_CELL in a NEURON block");
        rv_free(g);
        return d->nerr - nerr0;
    }
    g->mech = f->mech_name;
    if (!id) id = g->id = f->mech_name;
    declare_vars(g);
    if (f->kind == NK_ARTIFICIAL && f->ions)
        nm_error(d, f->ions->line, f->ions->col, "an ARTIFICIAL_CELL cannot use ions");
    g->has_cur = f->currents != NULL;
    if (g->has_cur && f->kind == NK_ARTIFICIAL)
        nm_error(d, f->currents->line, f->currents->col, "an ARTIFICIAL_CELL has no currents");
    if (g->has_cur && !g->breakpoint)
        nm_error(d, f->currents->line, f->currents->col, "currents need a BREAKPOINT block");
    for (nm_current *c = f->currents; c; c = c->next)
        if (c->electrode) g->electrode = true;
    for (nm_current *c = f->currents; c; c = c->next)
        if (c->electrode != g->electrode)
            nm_error(d, c->line, c->col,
                     "mixing ELECTRODE_CURRENT with other currents is not supported yet");
    g->uses_v = f->kind != NK_ARTIFICIAL;
    g->compat = f->verbatims || g->nptr || g->nbbptr;
    for (nm_func *fn = f->funcs; fn && !g->compat; fn = fn->next)
        if (block_has_verbatim(fn->body)) g->compat = true;
    check_ctor(g);
    if (g->breakpoint && g->breakpoint->body) {
        for (nm_stmt *s = g->breakpoint->body->first; s; s = s->next) {
            if (s->kind != NS_SOLVE) continue;
            g->nsolve_stmts++;
            const char *method;
            nm_func *fn = solve_target(g, s, &method);
            if (!fn) continue;
            if (fn->kind == NF_PROCEDURE && fn->nparams) {
                nm_error(d, s->line, s->col, "SOLVE %s: the PROCEDURE must take no arguments",
                         fn->name);
                continue;
            }
            for (int k = 0; k < g->nsolve; ++k)
                if (g->solve_fn[k] == fn)
                    nm_error(d, s->line, s->col, "%s is SOLVEd twice", fn->name);
            if (g->nsolve == 32) {
                nm_error(d, s->line, s->col, "too many SOLVE statements");
                break;
            }
            g->solve[g->nsolve] = s;
            g->solve_method[g->nsolve] = method;
            g->solve_fn[g->nsolve++] = fn;
        }
    }
    for (nm_func *fn = f->funcs; fn; fn = fn->next)
        if (fn->table) g->has_table = true;
    if (d->nerr > nerr0) {
        rv_free(g);
        return d->nerr - nerr0;
    }

    /* internal variables */
    if (g->uses_v) g->v_var = add_var(g, "v", "v", RV_VAR_INTERNAL, 0);
    if (g->has_cur) g->g_var = add_var(g, "_g", "_g", RV_VAR_INTERNAL, 0);
    if (g->netrecv) g->tsav_var = add_var(g, "_tsav", "_tsav", RV_VAR_INTERNAL, 0);
    g->afac_var = -1;
    if (g->has_cur && is_pp(g)) g->afac_var = add_var(g, "_afac", "_afac", RV_VAR_INTERNAL, 0);
    if (g->netrecv) collect_watch(g, g->netrecv->body);
    for (int k = 0; k < g->nwatch; ++k) {
        char nm[3][32];
        snprintf(nm[0], sizeof nm[0], "_won%d", k);
        snprintf(nm[1], sizeof nm[1], "_wabove%d", k);
        snprintf(nm[2], sizeof nm[2], "_wnr%d", k);
        for (int j = 0; j < 3; ++j) {
            const char *n = nm_strdup(g->a, nm[j]);
            if (n) add_var(g, n, n, RV_VAR_INTERNAL, 0);
        }
    }
    g->nglobs_vis = g->nglobs;
    if (g->has_table) {
        g->usetable_glob = add_glob(g, "usetable", 1.0);
        g->nglobs_vis = g->nglobs;
        nm_sym *s = sym_new(g, "usetable", SK_GLOBAL, 0, 0);
        if (s) s->index = g->usetable_glob;
        if (!find_global(g, "usetable")) add_global(g, s);
    }
    /* top-level LOCALs: private globals */
    for (nm_sym *s = g->syms; s; s = s->next)
        if (s->kind == SK_GLOBAL && s->index < 0) {
            s->index = add_glob_arr(g, s->name, s->size, 0);
            for (int k = s->index; k < g->nglobs; ++k) g->globs[k].priv = true;
        }

    /* ---- header ---- */
    nm_buf_printf(o,
                  "/* Generated by ranvier nmodl %d from %s -- do not edit.\n"
                  " * Mechanism %s (%s)%s%s */\n",
                  RV_NMODL_VERSION, f->path, g->mech,
                  f->kind == NK_SUFFIX  ? "density"
                  : f->kind == NK_POINT ? "point process"
                                        : "artificial cell",
                  f->title ? ": " : "", f->title ? f->title : "");
    nm_buf_put(
        o, "#include \"ranvier/mech_abi.h\"\n\n#include <math.h>\n#include <stddef.h>\n\n"
           "#if defined(__GNUC__)\n#define _RV_UNUSED __attribute__((unused))\n#else\n"
           "#define _RV_UNUSED\n#endif\n\n"
           "/* pow memoized on the exact bits of its arguments; c: 4 doubles of\n"
           " * private global storage (x, y, pow(x, y), valid) */\n"
           "_RV_UNUSED static inline double _rv_powm(double *c, double x, double y) {\n"
           "    union { double d; unsigned long long u; } a = {x}, b = {y}, ca = {c[0]}, cb = "
           "{c[1]};\n"
           "    if (c[3] != 0.0 && a.u == ca.u && b.u == cb.u) return c[2];\n"
           "    double r = pow(x, y);\n"
           "    c[0] = x, c[1] = y, c[2] = r, c[3] = 1.0;\n"
           "    return r;\n}\n\n"
           "/* rv_exp (NEURON's hoc_Exp) calling glibc's exp kernel __exp_finite, the\n"
           " * function glibc's exp calls before its errno check: the same bits\n"
           " * without the wrapper and its second PLT jump */\n"
           "#if defined(__x86_64__) && defined(__GLIBC__) && defined(__GNUC__)\n"
           "extern double _rv_exp_finite(double) __attribute__((const));\n"
           "__asm__(\".symver _rv_exp_finite, __exp_finite@GLIBC_2.15\");\n"
           "#define _RV_EXPK _rv_exp_finite\n"
           "#else\n"
           "#define _RV_EXPK exp\n"
           "#endif\n"
           "_RV_UNUSED static inline double _rv_exp1(double x) {\n"
           "    if (x < -700.0) return 0.0;\n"
           "    if (x > 700.0) return exp(700.0);\n"
           "    return _RV_EXPK(x);\n}\n\n"
           "/* rv_exp memoized on the exact bits of its argument; c: 16 (key, value)\n"
           " * pairs of private global storage, a pair valid when its value is not 0\n"
           " * (rv_exp is never 0 but below -700, which is then just recomputed) */\n"
           "_RV_UNUSED static inline double _rv_expm(double x, double *c) {\n"
           "    union { double d; unsigned long long u; } a = {x}, k;\n"
           "    unsigned h = (unsigned)((a.u ^ (a.u >> 29) ^ (a.u >> 47)) & 15u);\n"
           "    double *e = c + 2 * h;\n"
           "    k.d = e[0];\n"
           "    if (e[1] != 0.0 && k.u == a.u) return e[1];\n"
           "    double r = _rv_exp1(x);\n"
           "    e[0] = x, e[1] = r;\n"
           "    return r;\n}\n"
           "/* rv_exp(x, cache) is _rv_expm(x, cache); rv_exp(x) is _rv_exp1(x) */\n"
           "#define _RV_EXP_SEL(_1, _2, _f, ...) _f\n"
           "#define rv_exp(...) _RV_EXP_SEL(__VA_ARGS__, _rv_expm, _rv_exp1, 0)(__VA_ARGS__)\n\n"
           "/* NEURON's scop_random / set_seed / normrand (the engine's generator) */\n"
           "_RV_UNUSED static double _rv_scop_random(rv_thread *th) {\n"
           "    if (!th->api->scop_random) {\n"
           "        th->api->error(th, \"scop_random\", \"the engine has no scop_random\");\n"
           "        return 0.0;\n    }\n"
           "    return th->api->scop_random(th);\n}\n"
           "_RV_UNUSED static double _rv_set_seed(rv_thread *th, double seed) {\n"
           "    if (th->api->set_seed) th->api->set_seed(th, seed);\n"
           "    return 0.0;\n}\n"
           "/* scopmath's normrand: the polar method on scop_random */\n"
           "_RV_UNUSED static double _rv_normrand(rv_thread *th, double mean, double sd) {\n"
           "    double s = 1.0, v1 = 0.0, v2;\n"
           "    while (s >= 1.0) {\n"
           "        v1 = 2.0 * _rv_scop_random(th) - 1.0;\n"
           "        v2 = 2.0 * _rv_scop_random(th) - 1.0;\n"
           "        s = (v1 * v1) + (v2 * v2);\n"
           "        if (!th->api->scop_random) return 0.0;\n"
           "    }\n"
           "    v2 = v1 * sqrt(-2.0 * log(s) / s);\n"
           "    return (v2 * sd + mean);\n}\n"
           "/* scopmath's exprand and poisrand on scop_random */\n"
           "_RV_UNUSED static double _rv_exprand(rv_thread *th, double mean) {\n"
           "    return -mean * log(_rv_scop_random(th));\n}\n"
           "_RV_UNUSED static double _rv_poisrand(rv_thread *th, double mean) {\n"
           "    double s = exp(-mean), q = 1.0;\n"
           "    int n = 0;\n"
           "    if (!th->api->scop_random) return 0.0;\n"
           "    while (q >= s) {\n"
           "        q *= _rv_scop_random(th);\n"
           "        ++n;\n"
           "    }\n"
           "    return (double)(n - 1);\n}\n\n");
    size_t rt_at = o->len;
    /* the instance variables' table is pasted here at the end: generating
     * the code may add internal variables */
    size_t vars_at = o->len;
    /* globals: visible names, then the private ones */
    nm_buf_put(o,
               "/* global storage (ml->global): GLOBAL variables, then private data */\nenum {\n");
    for (int k = 0; k < g->nglobs; ++k) nm_buf_printf(o, "    _g_%s,\n", g->globs[k].name);
    nm_buf_put(o, "    _NG\n};\n");
    int nvis = 0;
    for (int k = 0; k < g->nglobs; ++k) {
        nm_sym *s = find_global(g, g->globs[k].name);
        bool priv = g->globs[k].priv ||
                    (s && s->kind == SK_GLOBAL && !s->visible && strcmp(s->name, "usetable") != 0);
        if (!priv) nvis = k + 1;
    }
    /* the visible globals come first: top-level LOCALs were added last */
    nm_buf_put(o, "static const char *const _gnames[_NG + 1] = {");
    for (int k = 0; k < nvis; ++k) nm_buf_printf(o, "\"%s\", ", g->globs[k].pub);
    nm_buf_put(o, "NULL};\nstatic const double _gdflt[_NG + 1] = {");
    for (int k = 0; k < g->nglobs; ++k) {
        emit_dbl(o, g->globs[k].dflt);
        nm_buf_put(o, ", ");
    }
    nm_buf_put(o, "0};\n\n");
    if (g->nions) {
        nm_buf_printf(o, "static const rv_mech_ion _ions[%d] = {\n", g->nions);
        for (int u = 0; u < g->nions; ++u) {
            nm_buf_printf(o, "    {\"%s\", 0", g->ions[u].ion);
            static const struct {
                int f;
                const char *n;
            } fl[] = {{RV_ION_READ_E, "RV_ION_READ_E"},      {RV_ION_READ_I, "RV_ION_READ_I"},
                      {RV_ION_READ_O, "RV_ION_READ_O"},      {RV_ION_WRITE_E, "RV_ION_WRITE_E"},
                      {RV_ION_WRITE_I, "RV_ION_WRITE_I"},    {RV_ION_WRITE_O, "RV_ION_WRITE_O"},
                      {RV_ION_WRITE_CUR, "RV_ION_WRITE_CUR"}};
            for (size_t k = 0; k < sizeof fl / sizeof *fl; ++k)
                if (g->ions[u].flags & fl[k].f) nm_buf_printf(o, " | %s", fl[k].n);
            nm_buf_put(o, ", ");
            emit_dbl(o, g->ions[u].valence);
            nm_buf_put(o, "},\n");
        }
        nm_buf_put(o, "};\n");
    }
    if (is_pp(g)) nm_buf_printf(o, "enum { _SLOT_AREA = %d };\n", g->nions * RV_ION_NVAR);
    if (g->nptr) {
        nm_buf_printf(o, "enum { _SLOT_PTR = %d };\n", g->nions * RV_ION_NVAR + (is_pp(g) ? 1 : 0));
        nm_buf_put(o, "static const char *const _ptrnames[] = {");
        for (int k = 0; k < g->nptr; ++k) nm_buf_printf(o, "\"%s\", ", g->ptrs[k]);
        nm_buf_put(o, "NULL};\n");
    }
    nm_buf_put(o, "\n");

    /* ---- functions: prototypes, then bodies ---- */
    for (nm_func *fn = f->funcs; fn; fn = fn->next) {
        if (fn->kind != NF_PROCEDURE && fn->kind != NF_FUNCTION) continue;
        bool isf = fn->kind == NF_FUNCTION;
        nm_buf_printf(o, "_RV_UNUSED static %s _fn_%s(rv_thread *_th, rv_mech_list *_ml, int _i",
                      isf ? "double" : "int", fn->name);
        emit_params(g, fn);
        nm_buf_put(o, ");\n");
        if (fn->table) {
            nm_buf_printf(o, "static %s _ft_%s(rv_thread *_th, rv_mech_list *_ml, int _i",
                          isf ? "double" : "int", fn->name);
            emit_params(g, fn);
            nm_buf_put(o, ");\n");
        }
    }
    for (nm_func *fn = f->funcs; fn; fn = fn->next)
        if (fn->kind == NF_LINEAR) emit_linear(g, fn, true);
    for (int k = 0; k < g->nsolve; ++k)
        if (g->solve_fn[k]->kind == NF_DERIVATIVE)
            nm_buf_printf(
                o,
                "_RV_UNUSED static void _ds_%s(rv_thread *_th, rv_mech_list *_ml, int _i);\n"
                "_RV_UNUSED static void _dn_%s(rv_thread *_th, rv_mech_list *_ml, int _i);\n",
                g->solve_fn[k]->name, g->solve_fn[k]->name);
    nm_buf_put(o, "\n");
    for (nm_stmt *s = f->verbatims; s; s = s->next) emit_verbatim(g, s, false);
    for (nm_func *fn = f->funcs; fn; fn = fn->next) {
        if (fn->kind != NF_PROCEDURE && fn->kind != NF_FUNCTION) continue;
        emit_function(g, fn, fn->table ? "_ft_" : "_fn_");
        if (fn->table) emit_table(g, fn);
    }
    for (nm_func *fn = f->funcs; fn; fn = fn->next)
        if (fn->kind == NF_LINEAR) emit_linear(g, fn, false);
    emit_ctor(g, g->ctor, "constructor");
    emit_ctor(g, g->dtor, "destructor");
    /* DERIVATIVE and KINETIC blocks that are SOLVEd */
    for (int k = 0; k < g->nsolve; ++k) {
        nm_func *fn = g->solve_fn[k];
        const char *m = g->solve_method[k];
        if (fn->kind == NF_KINETIC) {
            emit_kinetic(g, fn);
        } else if (fn->kind == NF_DERIVATIVE && strcmp(m, "derivimplicit") == 0) {
            emit_derivimplicit(g, fn);
            g->solve_noadv[k] = true;
        } else if (fn->kind == NF_DERIVATIVE) {
            size_t len0 = o->len;
            int nvars0 = g->nvars, ncnc0 = g->ncnc;
            g->cnexp_nonlin = false;
            emit_derivative(g, fn, m);
            g->solve_noadv[k] = strcmp(m, "euler") == 0;
            if (g->cnexp_nonlin) { /* whole block by derivimplicit, as nocmodl */
                o->len = len0;
                g->nvars = nvars0, g->ncnc = ncnc0;
                if (o->s) o->s[len0] = '\0';
                emit_derivimplicit(g, fn);
                g->solve_noadv[k] = true;
            }
        }
        if (g->solve_noadv[k]) {
            g->noadv = true;
            emit_derivative(g, fn, "euler");
            g->noadv = false;
        }
    }
    emit_kernels(g);
    /* the private part of the global storage */
    int total_g = g->nglobs + g->gpriv;

    /* ---- FUNCTIONs and PROCEDUREs callable from the driver ---- */
    int nfuncs = 0;
    for (nm_func *fn = f->funcs; fn; fn = fn->next) {
        if (fn->kind != NF_PROCEDURE && fn->kind != NF_FUNCTION) continue;
        nm_buf_printf(o,
                      "static double _call_%s(rv_thread *_th, rv_mech_list *_ml, int _i, "
                      "const rv_mech_arg *_a, int _na) {\n",
                      fn->name);
        if (g->compat)
            nm_buf_put(o, "    const rv_mech_arg *_sa = _rv_args;\n    int _sn = _rv_nargs;\n"
                          "    _rv_th = _th;\n    _rv_set_args(_a, _na);\n");
        else
            nm_buf_put(o, "    (void)_a;\n");
        nm_buf_printf(o, "    double _r = (double)_fn_%s(_th, _ml, _i", fn->name);
        for (int k = 0; k < fn->nparams; ++k)
            nm_buf_printf(o, ", _na > %d ? _a[%d].num : 0.0", k, k);
        nm_buf_put(o, ");\n");
        if (g->compat) nm_buf_put(o, "    _rv_args = _sa, _rv_nargs = _sn;\n");
        nm_buf_put(o, "    (void)_na;\n    return _r;\n}\n");
        nfuncs++;
    }
    if (nfuncs) {
        nm_buf_put(o, "static const rv_mech_func _funcs[] = {\n");
        for (nm_func *fn = f->funcs; fn; fn = fn->next)
            if (fn->kind == NF_PROCEDURE || fn->kind == NF_FUNCTION)
                nm_buf_printf(o, "    {\"%s\", _call_%s},\n", fn->name, fn->name);
        nm_buf_put(o, "};\n\n");
    }

    /* ---- the type ---- */
    nm_buf_printf(o, "const rv_mech_type rv_nmodl_mech_%s = {\n", id);
    nm_buf_put(o, "    .abi_version = RV_MECH_ABI_VERSION,\n");
    nm_buf_printf(o, "    .name = \"%s\",\n", g->mech);
    nm_buf_printf(o, "    .kind = %s,\n",
                  f->kind == NK_SUFFIX  ? "RV_MECH_DENSITY"
                  : f->kind == NK_POINT ? "RV_MECH_POINT"
                                        : "RV_MECH_ARTIFICIAL");
    nm_buf_printf(o, "    .flags = %s%s%s,\n", g->electrode ? "RV_MECHF_ELECTRODE_CURRENT" : "",
                  g->electrode && g->writes_conc ? " | " : "",
                  g->writes_conc ? "RV_MECHF_WRITES_CONC" : (g->electrode ? "" : "0"));
    nm_buf_put(o, "    .n_vars = _NV,\n    .vars = _vars,\n");
    if (g->nions) nm_buf_printf(o, "    .n_ions = %d,\n    .ions = _ions,\n", g->nions);
    if (g->netrecv) {
        int nw = g->netrecv->nparams;
        nm_buf_printf(o, "    .n_weights = %d,\n", nw > 0 ? nw : 1);
        nm_buf_put(o, "    .net_receive = _net_receive,\n");
        if (g->netinit) nm_buf_put(o, "    .net_init = _net_init,\n");
    }
    nm_buf_put(o, "    .init = _init,\n");
    if (g->ctor) nm_buf_put(o, "    .constructor = _rv_constructor,\n");
    if (g->dtor) nm_buf_put(o, "    .destructor = _rv_destructor,\n");
    if (g->has_cur) nm_buf_put(o, "    .cur = _cur,\n    .jacob = _jacob,\n");
    bool any_state = g->nsolve_stmts > 0 || (g->breakpoint && !g->has_cur);
    if (any_state) nm_buf_put(o, "    .state = _state,\n");
    if (g->has_table) nm_buf_put(o, "    .table_check = _table_check,\n");
    if (g->nwatch) nm_buf_put(o, "    .watch = _watch,\n");
    nm_buf_printf(o, "    .n_globals = %d,\n", nvis);
    nm_buf_put(o, "    .global_names = _gnames,\n    .global_dflt = _gdflt,\n");
    if (nfuncs) nm_buf_printf(o, "    .n_funcs = %d,\n    .funcs = _funcs,\n", nfuncs);
    if (g->nptr)
        nm_buf_printf(o, "    .n_extra_pdata = %d,\n    .pdata_names = _ptrnames,\n", g->nptr);
    if (g->nbbptr) nm_buf_printf(o, "    .n_vdata = %d,\n", g->nbbptr);
    nm_buf_printf(o, "    .global_bytes = %d * sizeof(double),\n", total_g > 0 ? total_g : 1);
    nm_buf_put(o, "};\n");
    nm_buf_printf(exports, "rv_nmodl_mech_%s\n", id);
    if (!o->oom && o->s) {
        nm_buf t = {0};
        nm_buf_putn(&t, o->s, vars_at);
        nm_buf_put(
            &t,
            "/* instance variables: variable k of instance i at data[k * pad + i] */\nenum {\n");
        for (int k = 0; k < g->nvars; ++k) nm_buf_printf(&t, "    _v_%s,\n", g->vars[k].name);
        nm_buf_put(&t, "    _NV\n};\n");
        nm_buf_printf(&t, "static const rv_mech_var _vars[_NV + 1] = {\n");
        for (int k = 0; k < g->nvars; ++k) {
            static const char *const roles[] = {"RV_VAR_PARAM", "RV_VAR_ASSIGNED", "RV_VAR_STATE",
                                                "RV_VAR_INTERNAL"};
            nm_buf_printf(&t, "    {\"%s\", %s, ", g->vars[k].pub, roles[g->vars[k].role]);
            emit_dbl(&t, g->vars[k].dflt);
            nm_buf_put(&t, "},\n");
        }
        nm_buf_put(&t, "    {NULL, RV_VAR_INTERNAL, 0}};\n\n");
        /* v kept in the instance data when some code may read it there: NMODL
         * code, VERBATIM code naming v, WATCH conditions */
        bool verb_v = false;
        for (nm_stmt *s = f->verbatims; s && !verb_v; s = s->next)
            verb_v = s->kind == NS_VERBATIM && text_has_ident(s->text, "v");
        for (nm_func *fn = f->funcs; fn && !verb_v; fn = fn->next)
            verb_v = verbatim_names_v(fn->body);
        nm_buf_printf(&t, "#define _RV_SAVE_V %d\n\n", g->v_read || verb_v || g->nwatch ? 1 : 0);
        nm_buf_put(&t, o->s + vars_at);
        if (t.oom) {
            nm_buf_free(&t);
            o->oom = true;
        } else {
            nm_buf_free(o);
            *o = t;
        }
    }
    if ((g->need_rt || g->compat) && !o->oom && o->s) { /* paste after the includes */
        nm_buf t = {0};
        nm_buf_putn(&t, o->s, rt_at);
        if (g->need_rt) {
            nm_buf_put(&t, rv__nmodl_rt_solvers);
            nm_buf_put(&t, "\n");
        }
        if (g->compat) {
            nm_buf_printf(&t, "#define _RV_MECHNAME \"%s\"\n", g->mech);
            nm_buf_put(&t, rv__nmodl_compat);
            nm_buf_put(&t, "\n");
        }
        nm_buf_put(&t, o->s + rt_at);
        if (t.oom) {
            nm_buf_free(&t);
            o->oom = true;
        } else {
            nm_buf_free(o);
            *o = t;
        }
    }
    rv_free(g);
    return d->nerr - nerr0;
}
