/* SPDX-License-Identifier: MIT
 * ranvier/mech_abi.h -- the mechanism ABI: the only contract between
 * mechanism code (hand-written built-ins now, NMODL-generated C later) and
 * the engine.
 *
 * Data layout (CoreNEURON's): every instance variable lives in structure-of-
 * arrays form, variable `v` of instance `i` at data[v * pad + i], where pad is
 * the instance count rounded up to RV_SOA_PAD.  Integer pdata slots hold
 * offsets into the thread's single data block (rv_thread.block), so ion
 * variables, node areas and other mechanisms' variables are reached as
 * th->block[ml->pdata[slot * pad + i]].  vdata slots hold opaque pointers
 * (random streams, user objects).
 *
 * Kernels never allocate memory and never call MPI.  Every kernel has the
 * same signature:  void k(rv_thread *th, rv_mech_list *ml).
 *
 * When kernels are called (fixed step, NEURON's order):
 *   init        -- finitialize, after v is set, in mechanism order (ions first)
 *   cur         -- each step at t + dt/2: add -i to rhs (electrode: +i), store di/dv
 *   jacob       -- after all cur: add di/dv to d (electrode: subtract)
 *   state       -- after the voltage update, at t + dt
 *   net_receive -- an event reached instance i; th->t is the event time
 *   net_init    -- NET_RECEIVE INITIAL block for one NetCon's weight vector
 */
#ifndef RV_MECH_ABI_H
#define RV_MECH_ABI_H

#include <math.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define RV_MECH_ABI_VERSION 1

typedef enum rv_mech_kind {
    RV_MECH_DENSITY = 0,    /* SUFFIX: one instance per segment where inserted */
    RV_MECH_POINT = 1,      /* POINT_PROCESS: instance at one node */
    RV_MECH_ARTIFICIAL = 2, /* ARTIFICIAL_CELL: no node */
    RV_MECH_ION = 3         /* the ion store for one ion species */
} rv_mech_kind;

typedef enum rv_var_role {
    RV_VAR_PARAM = 0,
    RV_VAR_ASSIGNED = 1,
    RV_VAR_STATE = 2,
    RV_VAR_INTERNAL = 3 /* compiler temporaries: not user visible */
} rv_var_role;

typedef struct rv_mech_var {
    const char *name; /* without suffix: "gnabar" (hoc name "gnabar_hh") */
    rv_var_role role;
    double dflt;
} rv_mech_var;

/* Ion use flags (bit set per USEION) */
#define RV_ION_READ_E    0x01
#define RV_ION_READ_I    0x02 /* conci */
#define RV_ION_READ_O    0x04 /* conco */
#define RV_ION_WRITE_E   0x08
#define RV_ION_WRITE_I   0x10
#define RV_ION_WRITE_O   0x20
#define RV_ION_WRITE_CUR 0x40 /* writes the ionic current (and di/dv) */

/* Ion variable indices in the ion store's SoA (NEURON's order). */
enum {
    RV_ION_EREV = 0,
    RV_ION_CONCI = 1,
    RV_ION_CONCO = 2,
    RV_ION_CUR = 3,
    RV_ION_DCURDV = 4,
    RV_ION_NVAR = 5
};

typedef struct rv_mech_ion {
    const char *ion; /* "na", "k", "ca", any name */
    int flags;       /* RV_ION_* */
    double valence;  /* 0 if not declared */
} rv_mech_ion;

typedef struct rv_thread rv_thread;
typedef struct rv_mech_list rv_mech_list;
typedef struct rv_mech_type rv_mech_type;

typedef void (*rv_kernel)(rv_thread *th, rv_mech_list *ml);

/* A vector of doubles handed to mechanism code by the driver (NEURON's
 * Vector as seen by VERBATIM vector_arg / vector_capacity / vector_vec).
 * The driver owns it and keeps it alive while a mechanism refers to it. */
typedef struct rv_vec {
    double *data;
    int n;
} rv_vec;

/* One argument of a FUNCTION / PROCEDURE called from the driver: a number,
 * or an object (obj non-NULL: an rv_vec *). */
typedef struct rv_mech_arg {
    double num;
    void *obj;
} rv_mech_arg;

/* A FUNCTION / PROCEDURE callable from the driver on instance i (the
 * VERBATIM ifarg/getarg/vector_arg of its body see args). */
typedef double (*rv_mech_fn)(rv_thread *th, rv_mech_list *ml, int i, const rv_mech_arg *args,
                             int nargs);
typedef struct rv_mech_func {
    const char *name; /* "noiseFromRandom123" */
    rv_mech_fn fn;
} rv_mech_func;
typedef void (*rv_receive_fn)(rv_thread *th, rv_mech_list *ml, int i, double *w, double flag);
typedef void (*rv_net_init_fn)(rv_thread *th, rv_mech_list *ml, int i, double *w);

/* Flags of a mechanism type */
#define RV_MECHF_ELECTRODE_CURRENT 0x1 /* current enters the cell (IClamp) */
#define RV_MECHF_WRITES_CONC       0x2

/* pdata slot layout (per instance), fixed by the engine:
 *   for each ion use u (in the order of `ions`): 5 slots, the block offsets
 *   of erev, conci, conco, cur, dcurdv of that ion at the instance's node;
 *   for point processes then one slot: the block offset of the node area;
 *   then n_extra_pdata slots owned by the mechanism (POINTER targets).
 */
#define RV_PDATA_ION(u, var) ((u)*RV_ION_NVAR + (var))

struct rv_mech_type {
    int abi_version;  /* RV_MECH_ABI_VERSION */
    const char *name; /* "hh", "IClamp" */
    rv_mech_kind kind;
    int flags;
    int n_vars;
    const rv_mech_var *vars;
    int n_ions;
    const rv_mech_ion *ions;
    int n_extra_pdata;
    int n_vdata;
    int n_weights; /* NET_RECEIVE argument count (0: none) */
    rv_kernel init, cur, jacob, state;
    rv_receive_fn net_receive;
    rv_net_init_fn net_init;
    /* called once per instance at creation / destruction (may be NULL) */
    void (*constructor)(rv_thread *th, rv_mech_list *ml, int i);
    void (*destructor)(rv_thread *th, rv_mech_list *ml, int i);
    /* before init and before each step: rebuild tables if inputs changed */
    rv_kernel table_check;
    /* Per-model global storage of global_bytes (zeroed, 64-byte aligned),
     * reached as ml->global.  Its first n_globals doubles are the GLOBAL
     * variables visible by name ("usetable" -> "usetable_hh"), set to
     * global_dflt at creation; the rest is the mechanism's (tables). */
    int n_globals;
    const char *const *global_names;
    const double *global_dflt;
    unsigned long global_bytes;
    /* Functions callable from the driver (rv_pp_call); may be empty. */
    int n_funcs;
    const rv_mech_func *funcs;
    /* Names of the n_extra_pdata slots (NMODL POINTER variables) that the
     * driver points at other variables (rv_pointer_set); NULL: unnamed. */
    const char *const *pdata_names;
    /* NMODL WATCH: called at the start of each step after the threshold
     * sources are checked (NEURON's check_thresh); sends a self event
     * (delay 0, no weights) for each active condition that became true.
     * NULL: no WATCH statements. */
    rv_kernel watch;
};

struct rv_mech_list {
    const rv_mech_type *type;
    int n;          /* instances */
    int pad;        /* n rounded up to RV_SOA_PAD */
    int n_pdata;    /* pdata slots per instance */
    double *data;   /* data[var * pad + i] */
    int *node;      /* node index of instance i (-1 for artificial cells) */
    int *pdata;     /* pdata[slot * pad + i]: offsets into th->block */
    void **vdata;   /* vdata[slot * pad + i] */
    double *global; /* the type's global storage (see global_bytes) */
    int index;      /* engine's mechanism index */
    int *presyn;    /* engine: spike source of instance i, or -1 */
};

/* Services the engine offers to mechanism code. */
typedef struct rv_thread_api {
    /* schedule a self event for instance i at th->t + delay with `flag`;
       w: the weight vector of the event being handled (NULL in INITIAL) */
    void (*net_send)(rv_thread *th, rv_mech_list *ml, int i, double *w, double delay, double flag);
    /* artificial cell / point process i emits a spike at time tt */
    void (*net_event)(rv_thread *th, rv_mech_list *ml, int i, double tt);
    /* move the pending self event of instance i to time tt */
    void (*net_move)(rv_thread *th, rv_mech_list *ml, int i, double tt);
    /* report an error from mechanism code; the step is aborted with it */
    void (*error)(rv_thread *th, const char *mech, const char *msg);
    /* instance i wrote the concentrations of its ion use u: recompute the
     * reversal potential by Nernst if the ion's style says so (NEURON's
     * nrn_wrote_conc, called after INITIAL of a concentration writer) */
    void (*wrote_conc)(rv_thread *th, rv_mech_list *ml, int u, int i);
    /* Random123 streams (ranvier/random123.h, NEURON's nrnran123) for
     * mechanism code.  A stream from ran123_new belongs to the engine: it
     * is freed with the model unless given back with ran123_delete. */
    void *(*ran123_new)(rv_thread *th, uint32_t id1, uint32_t id2, uint32_t id3);
    void (*ran123_delete)(rv_thread *th, void *s);
    void (*ran123_setseq)(void *s, uint32_t seq, uint32_t which);
    void (*ran123_getseq)(const void *s, uint32_t *seq, uint32_t *which);
    void (*ran123_getids)(const void *s, uint32_t *id1, uint32_t *id2, uint32_t *id3);
    uint32_t (*ran123_ipick)(void *s);
    double (*ran123_dblpick)(void *s);
    double (*ran123_negexp)(void *s);
    double (*ran123_normal)(void *s);
    /* Added later (NULL from an older engine; mechanism code checks):
     * NMODL FOR_NETCONS -- the weight vector of the k-th NetCon (creation
     * order) targeting instance i into *w; 0 when there is no k-th */
    int (*for_netcons)(rv_thread *th, rv_mech_list *ml, int i, int k, double **w);
    /* NEURON's scop_random() (uniform in [0, 1], one generator per model,
     * NEURON's linear congruential one, seed 1) and set_seed(seed) */
    double (*scop_random)(rv_thread *th);
    void (*set_seed)(rv_thread *th, double seed);
} rv_thread_api;

struct rv_thread {
    double t, dt;
    double celsius;
    int secondorder; /* 0 or 2 */
    double cj;       /* 1/dt (secondorder 0) or 2/dt (2) */
    int n_node;
    double *block; /* the one data block; pdata offsets index it */
    double *v, *rhs, *d, *area;
    double *sav_rhs, *sav_d; /* fast i_membrane bookkeeping, NULL when off */
    const rv_thread_api *api;
    void *engine; /* opaque */
    double *diam; /* per node segment diameter (um), fixed after setup */
};

static inline void rv_ion_wrote_conc(rv_thread *th, rv_mech_list *ml, int u, int i) {
    th->api->wrote_conc(th, ml, u, i);
}

/* NEURON's hoc_Exp: exp clamped to 0 below -700 (and to exp(700) above 700). */
static inline double rv_exp(double x) {
    if (x < -700.0) return 0.0;
    if (x > 700.0) return exp(700.0);
    return exp(x);
}

#ifdef __cplusplus
}
#endif
#endif
