/* SPDX-License-Identifier: MIT
 * driver/loadbal.h -- private to src/driver: which cells of a population
 * this rank instantiates (`ranvier run --lb-mode`), neurodamus's
 * LoadBalance for NEURON (cell_distributor.py) with NEURON's binfo.hoc
 * assignment (mymetis3: least processing time over the ranks).
 *
 * RoundRobin: sorted(target)[rank::size].
 * WholeCell (the first biophysical population with cells, as neurodamus
 * balances its first non-virtual circuit; the others stay round-robin):
 *   folder  sim_conf/_loadbal_<md5(nodes file)[:10]>.<population>  (cwd)
 *   cx_<T>#.dat      complexity of every target cell ("1", ncells, then
 *                    "gid cx 0" per cell), T = <population>_<node_set>
 *   cx_<T>#.<N>.dat  the assignment to N ranks (binfo.hoc's write_balhost)
 * A cx file holding exactly the target's cells is reused.  When it is
 * missing, a cx file of another target in the folder holding every cell
 * gives it (neurodamus's _reuse_cell_complexity); otherwise (or when it is
 * stale: cells missing, other or repeated) every rank measures its
 * round-robin share in a scratch model (complexity: see loadbal.c) and rank
 * 0 rewrites it, in neurodamus's order (rank 0's cells, rank 1's ...).  A
 * malformed cx file is an error naming file and line.  An assignment file
 * that does not match the cx file is recomputed.  Files are written by rank
 * 0 atomically (tmp + rename); every rank reads its line, as NEURON does.
 */
#ifndef RV_DRIVER_LOADBAL_H
#define RV_DRIVER_LOADBAL_H

#include "driver_int.h"
#include "ranvier/sonata_circuit.h"

struct rv_nmodl_lib;

typedef struct rv__lb_pop {
    const char *name;                    /* node population */
    rv_sonata_pop *pop;                  /* its nodes */
    const rv_sonata_cfg_population *cfg; /* its config (templates, morphologies) */
    const uint64_t *target;              /* the simulation's node set on it, ascending */
    size_t n_target;
    struct rv_nmodl_lib *const *libs; /* mechanisms loaded so far (to measure) */
    int n_libs;
    int first; /* 1: the first biophysical population with
                  cells (the one WholeCell balances) */
} rv__lb_pop;

/* The indices k into p->target of the cells this rank instantiates,
 * ascending (*ks from rv_malloc, freed by the caller with rv_free).
 * Collective for the balanced population (every rank calls it). */
rv_status rv__lb_local_cells(rv__drv_ctx *c, const rv__lb_pop *p, size_t **ks, size_t *n,
                             rv_error *err);

/* ---- pieces, for the unit tests ---- */
typedef struct rv__lb_cx {
    uint64_t *gid; /* raw node ids, file order */
    double *cx;
    size_t n;
} rv__lb_cx;
void rv__lb_cx_free(rv__lb_cx *x);
/* Read a cx_<T>#.dat file (neurodamus's reader: two header lines, then
 * "gid cx npieces" records with their piece lines). */
rv_status rv__lb_cx_read(const char *path, rv__lb_cx *out, rv_error *err);
/* Write one (atomically) as neurodamus does: "1", n, "gid %g 0" lines. */
rv_status rv__lb_cx_write(const char *path, const rv__lb_cx *x, rv_error *err);
/* binfo.hoc's lpt over nhost: host[i] of record i. */
rv_status rv__lb_lpt(const rv__lb_cx *x, int nhost, int *host, rv_error *err);
/* binfo.hoc's write_balhost (cx_<T>#.<nhost>.dat), atomically. */
rv_status rv__lb_assign_write(const char *path, const rv__lb_cx *x, const int *host, int nhost,
                              rv_error *err);
/* Read an assignment file written for x: host[i] of record i; RV_EFORMAT
 * naming the line when malformed or not matching x. */
rv_status rv__lb_assign_read(const char *path, const rv__lb_cx *x, int nhost, int *host,
                             rv_error *err);

#endif
