/* SPDX-License-Identifier: MIT
 * engine/engine_int.h -- private structures of the engine.
 *
 * Two phases live in one rv_model:
 *   description  -- sections (rv_secd), point processes (rv_ppd), gids and
 *                   NetCons, editable through the public API;
 *   lowered      -- one 64-byte aligned block of doubles (rv_thread.block):
 *                   node arrays [v|rhs|d|a|b|area|cm|sav_rhs|sav_d], each
 *                   n_pad long, then every mechanism's SoA data.  Node order:
 *                   cell by cell (cells contiguous), each cell's root node
 *                   first, then its sections depth-first, a section's nodes
 *                   in arc order with the 1-end node last.  parent[i] < i for
 *                   every non-root node; parent[root] = -1.
 */
#ifndef RV_ENGINE_INT_H
#define RV_ENGINE_INT_H

#include "ranvier/engine.h"
#include "ranvier/random123.h"

#include <stdbool.h>

#define RV_PI 3.14159265358979323846

/* ---- description ------------------------------------------------------- */
typedef struct rv_secd {
    char *name;
    int nseg;
    double L, Ra;
    double *diam, *cm; /* [nseg] */
    float *pt;         /* 3-D points x,y,z,d; npt of them */
    int npt, cap_pt;
    int parent; /* -1: root */
    double parent_x;
    int orient; /* 1 when connected by its 1-end */
    int nmech, cap_mech;
    int *mech;       /* model mech index of inserted density mechanisms */
    double **mparam; /* per inserted mech: [nvars * nseg], var-major */
    /* lowered */
    int cell;
    int node0;       /* depth-first index of pnode[0]; node j at perm[node0 + j] */
    int parent_node; /* node index of the section's x=0 point */
    int *inst0;      /* per inserted mech: instance index of segment 0 */
    int *children, nchild, cap_child;
    bool deleted; /* rv_section_delete: skipped by lowering */
} rv_secd;

typedef struct rv_ppd {
    int mech; /* model mech index */
    int sec;  /* -1 for artificial cells */
    double x;
    double *param; /* [nvars] before lowering */
    bool has_r123;
    bool is_source; /* rv_gid_from_pp made it a spike source */
    uint32_t r123_ids[3];
    /* POINTER slots set by rv_pointer_set: extra pdata slot -> (sec, x, name) */
    struct rv_ptrset {
        int slot, sec;
        double x;
        char *name;
    } * ptr;
    int nptr;
    /* lowered */
    int node;
    int inst;
} rv_ppd;

typedef struct rv_netcon {
    int64_t src_gid;
    int target; /* pp id */
    double delay;
    double *w; /* [nw] */
    int nw;
    int src_rank_index; /* position among the local NetCons of src_gid */
    bool active;
} rv_netcon;

/* A spike source on this process. */
typedef struct rv_presyn {
    int64_t gid;
    int kind; /* 0: threshold at node, 1: point process net_event */
    int sec;
    double x;
    double threshold;
    int pp;
    /* lowered */
    int node;
    bool flag;
} rv_presyn;

/* Per-gid list of local NetCons (sources local or remote). */
typedef struct rv_gidmap_entry {
    int64_t gid;
    int presyn; /* local presyn index or -1 */
    int *nc;    /* local netcons from this gid */
    int nnc, cap_nc;
} rv_gidmap_entry;

/* ---- events ------------------------------------------------------------ */
enum { RV_EV_NETCON = 0, RV_EV_SELF = 1, RV_EV_PLAY = 2 };
typedef struct rv_event {
    double td;    /* delivery time */
    double ti;    /* insertion time (tie-break: NEURON's FIFO order) */
    uint64_t key; /* tie-break after ti */
    int kind;
    int a; /* netcon id, or mech list index for self events */
    int i; /* instance for self events */
    double flag;
    double *w; /* weight vector for self events */
} rv_event;

typedef struct rv_queue {
    rv_event *h;
    size_t n, cap;
} rv_queue;

/* ---- recording --------------------------------------------------------- */
typedef struct rv_record {
    int sec, pp; /* what is recorded: range var at (sec, x), or pp var */
    double x;
    char name[64];
    long off; /* offset into block (resolved at finitialize), or -1 for t */
    double *val;
    size_t n, cap;
} rv_record;

/* ---- Vector.play (play.c) ------------------------------------------------ */
typedef struct rv_play {
    int sec, pp; /* target: range var at (sec, x), or pp var */
    double x;
    char name[64];
    long off; /* offset into block (resolved at finitialize) */
    double *t, *y;
    size_t n;
    int continuous;
    size_t cur;          /* step: index of the next value */
    size_t ubound, last; /* continuous: NEURON's ubound_index_, last_index_ */
} rv_play;

/* ---- lowered mechanism list ------------------------------------------- */
typedef struct rv_mlist {
    rv_mech_list ml;
    size_t data_off; /* offset of ml.data in block */
} rv_mlist;

/* ion species of the model */
typedef struct rv_ion {
    char name[32];
    double charge;
    double conci0, conco0, erev0;
    rv_mech_type type; /* generated ion mechanism type */
    rv_mech_var vars[RV_ION_NVAR];
    char varnames[RV_ION_NVAR][48];
    int mech; /* model mech index */
} rv_ion;

#define RV_MAX_MECH 256
#define RV_MAX_ION  32

struct rv_model {
    /* mechanism registry */
    const rv_mech_type *mech[RV_MAX_MECH];
    int nmech;
    int ion_of_mech[RV_MAX_MECH]; /* ion index if the mech is an ion store, else -1 */
    rv_ion *ion[RV_MAX_ION];
    int nion;
    /* description */
    rv_secd *sec;
    int nsec, cap_sec;
    rv_ppd *pp;
    int npp, cap_pp;
    rv_netcon *nc;
    int nnc, cap_nc;
    rv_presyn *ps;
    int nps, cap_ps;
    int *thr_ps, n_thr_ps; /* lowered: indices of the threshold (kind 0) sources */
    rv_gidmap_entry *gm;   /* open hash on gid */
    size_t gm_cap, gm_n;
    /* parameters */
    double dt, celsius;
    int secondorder;
    bool fast_imem;
    rv_comm comm;
    bool have_comm;
    /* lowered state */
    bool lowered;
    bool constructed;    /* NMODL CONSTRUCTORs ran on the lowered instances */
    uint32_t scop_value; /* NEURON's scop_random state (set_seed; 1 at creation) */
    bool initialized;
    int ncell, n_node, n_pad;
    int *parent;   /* [n_node] */
    int *perm;     /* depth-first node index -> storage index */
    double *rinv;  /* [n_node] axial conductance to the parent (uS), for ri() */
    int *node_sec; /* section of each node, -1 for cell roots */
    double *block;
    size_t block_size; /* doubles */
    double *v, *rhs, *d, *a, *b, *area, *cm, *sav_rhs, *sav_d;
    double *diam;             /* per node: the segment diameter (um) */
    rv_mlist ml[RV_MAX_MECH]; /* indexed by mech index */
    rv_thread th;
    rv_thread_api api;
    /* objects the engine allocated for vdata slots (Random123 streams),
     * freed with the lowered state */
    void **owned;
    int nowned, cap_owned;
    /* events */
    rv_queue q;
    uint64_t self_seq;
    int event_order;     /* as set (rv_event_order) */
    int event_order_eff; /* in force since finitialize: NEURON or GID */
    double t;
    long step_count;
    /* spike exchange */
    double mindelay;    /* global minimum NetCon delay (for exchange) */
    int exchange_every; /* steps between exchanges, 0: no exchange */
    struct rv_spike {
        double t;
        int64_t gid;
    } * out, *spikes;
    size_t nout, cap_out, nspikes, cap_spikes;
    void *recvbuf;
    size_t recvcap;
    /* records */
    rv_record *rec;
    int nrec, cap_rec;
    /* error raised from inside mechanism code */
    bool mech_error;
    rv_status mech_error_code;
    char mech_error_msg[256];
    size_t n_events;
    /* Vector.play items and the init hook (play.c) */
    rv_play *play;
    int nplay, cap_play;
    void (*init_hook)(void *ud, rv_model *m);
    void *init_hook_ud;
    /* voltage transfer (transfer.c): declarations and plan; state 0: not
     * set up, 1: set up, nothing to move anywhere, 2: active */
    struct rv_xfer *xfer;
    int xfer_state;
};

static inline int rv__sec_node(const rv_model *m, const rv_secd *s, int j) {
    return m->perm[s->node0 + j];
}

/* model.c */
int rv__mech_find(const rv_model *m, const char *name);
rv_status rv__resolve_range(rv_model *m, int sec, double x, const char *name, long *off,
                            rv_error *err);
int rv__seg_index(const rv_secd *s, double x);
rv_status rv__check_x(rv_model *m, int sec, double x, rv_error *err);
rv_gidmap_entry *rv__gid_get(rv_model *m, int64_t gid, bool create);
rv_status rv__pp_var(rv_model *m, int pp, const char *var, double **where, rv_error *err);
/* a Random123 stream owned by the engine (freed with the lowered state) */
void *rv__ran123_new(rv_model *m, uint32_t id1, uint32_t id2, uint32_t id3);
void rv__ran123_delete(rv_model *m, void *s);
/* lower.c: point the POINTER slots set by rv_pointer_set */
rv_status rv__resolve_pointers(rv_model *m, rv_error *err);

/* solve.c */
rv_status rv__resolve_records(rv_model *m, rv_error *err);

/* geometry.c: NEURON's nrn_area_ri for one section.  Fills area[nseg+1]
 * and rinv[nseg+1] (node nseg is the 1-end) and, with 3-D points, diam[]. */
rv_status rv__geom_section(const rv_secd *s, double *diam, double *area, double *rinv,
                           double *length, rv_error *err);

/* ions.c */
rv_status rv__ion_get(rv_model *m, const char *name, double valence, int *ion, rv_error *err);
double rv__nernst(double ci, double co, double z, double celsius);
void rv__ion_register_defaults(rv_model *m);

/* lower.c */
rv_status rv__lower(rv_model *m, rv_error *err);
void rv__free_lowered(rv_model *m);
/* mech_builtin.c: the services for NMODL code (FOR_NETCONS, scop_random) */
void rv__mech_api_init(rv_model *m);

/* solve.c */
void rv__setup_tree_matrix(rv_model *m);
void rv__solve(rv_model *m);

/* events.c */
rv_status rv__queue_push(rv_queue *q, const rv_event *e);
bool rv__queue_pop_until(rv_queue *q, double til, rv_event *out);
void rv__queue_clear(rv_queue *q);
void rv__deliver_events(rv_model *m, double til);
void rv__check_thresholds(rv_model *m);
void rv__presyn_send(rv_model *m, int ps, double tt);
rv_status rv__spike_exchange(rv_model *m, rv_error *err);
rv_status rv__events_init(rv_model *m, rv_error *err);
void rv__api_init(rv_model *m);

/* play.c */
rv_status rv__play_grow(rv_model *m, rv_error *err);
rv_status rv__play_resolve(rv_model *m, int k, rv_error *err);
rv_status rv__play_init(rv_model *m, rv_error *err);
void rv__play_deliver(rv_model *m, int k, double td);
void rv__play_continuous(rv_model *m);
void rv__play_free(rv_model *m);

/* transfer.c: set up at the first finitialize (collective), move values
 * (collective when active on several processes), free */
rv_status rv__transfer_setup(rv_model *m, rv_error *err);
rv_status rv__transfer_exchange(rv_model *m, rv_error *err);
void rv__transfer_free(rv_model *m);

/* fwdskip.c: NEURON's frecord_init -- every record restarts with the value
 * at the current time (after a forward skip, after a checkpoint restore) */
rv_status rv__records_restart(rv_model *m, rv_error *err);

/* mech_builtin.c */
extern const rv_mech_type rv_mech_pas, rv_mech_hh, rv_mech_IClamp, rv_mech_ExpSyn, rv_mech_Exp2Syn,
    rv_mech_NetStim, rv_mech_IntFire1;

#endif
