/* SPDX-License-Identifier: MIT
 * driver/driver_int.h -- private to src/driver: the MPI hooks (driver_mpi.c
 * when built with MPI, else driver_nompi.c), and the Blue Brain path
 * (bbp.c) that driver.c hands biophysical circuits to. */
#ifndef RV_DRIVER_INT_H
#define RV_DRIVER_INT_H

#include "ranvier/driver.h"
#include "ranvier/engine.h"
#include "ranvier/sonata_config.h"
#include "ranvier/sonata_nodesets.h"

/* Fill *c for MPI_COMM_WORLD (MPI_Init first when needed). */
rv_status rv__drv_mpi_start(rv_comm *c, rv_error *err);
void rv__drv_mpi_stop(rv_comm *c);
void rv__drv_mpi_finalize(void);
int rv__drv_mpi_available(void);

/* What driver.c has set up before it hands over a Blue Brain circuit. */
typedef struct rv__drv_ctx {
    const rv_drv_options *o;
    rv_sonata_config *cfg;
    rv_sonata_nodesets *ns;
    rv_comm comm;
    int have_comm, rank, size;
} rv__drv_ctx;

/* 1 when the config is a Blue Brain (neurodamus) simulation: not the Allen
 * flavour and some node population is of type biophysical. */
int rv__drv_is_bbp(const rv_sonata_config *cfg);
/* The neurodamus path (bbp.c). */
rv_status rv__drv_bbp_run(rv__drv_ctx *c, rv_drv_result *res, rv_error *err);
/* mkdir -p */
rv_status rv__drv_mkdir_p(const char *dir, rv_error *err);

/* drv_util.c: helpers shared by driver.c and bbp.c */
struct rv_nmodl_lib;
char *rv__drv_join(const char *a, const char *b); /* "a/b", rv_malloc'ed */
int rv__drv_sel_has(const rv_sonata_sel *s, uint64_t id);
int rv__drv_cmp_double(const void *a, const void *b); /* qsort */
/* Build (or reuse from the cache) the .mod inputs into one library, open
 * it as libs[*n_libs] (at most cap) and register it in m with flags. */
/* --record-soma: write "gid step v" lines of n cells (structs of `stride`
 * bytes with an int64_t gid at off_gid and an int record id at off_rec) to
 * prefix.<rank> */
rv_status rv__drv_write_soma(const char *prefix, int rank, const rv_model *m, const void *cells,
                             size_t n, size_t stride, size_t off_gid, size_t off_rec,
                             rv_error *err);
rv_status rv__drv_load_lib(rv_model *m, struct rv_nmodl_lib **libs, int *n_libs, int cap,
                           const char *const *inputs, int n, int flags, rv_error *err);

#endif
