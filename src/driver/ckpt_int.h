/* SPDX-License-Identifier: MIT
 * driver/ckpt_int.h -- save/restore for `ranvier run` (ckpt.c), private to
 * src/driver.  Use, on every rank, in this order:
 *   st = rv__drv_ckpt_plan(&ck, o, &comm, have_comm, tstop, dt, st, &err);
 *        (before reports are built: a restore moves their window by
 *        ck.t_restore)
 *   rv_model_finitialize(...);
 *   st = rv__drv_ckpt_restore(&ck, m, st, &err);
 *   each step: if (rv__drv_ckpt_save_due(&ck, t, dt)) st = rv__drv_ckpt_save(&ck, m, st, &err);
 *   after the last step the same (a save at tstop);
 *   rv__drv_ckpt_result(&ck, m, res);
 * plan, restore and save are collective (they agree on the status).
 */
#ifndef RV_DRIVER_CKPT_INT_H
#define RV_DRIVER_CKPT_INT_H

#include "driver_int.h"

#include <stdint.h>

typedef struct rv__drv_ckpt {
    const rv_drv_options *o;
    rv_comm comm;
    int have_comm, rank, size;
    int save, restore, saved;
    char save_dir[1024], restore_dir[1024];
    double t_save;    /* when to save (ms) */
    double t_restore; /* the restored time (ms), rounded to 0.01 ms as neurodamus's Nd.t */
    double t_saved;
    uint64_t tag; /* of the restored files */
} rv__drv_ckpt;

rv_status rv__drv_ckpt_plan(rv__drv_ckpt *ck, const rv_drv_options *o, const rv_comm *comm,
                            int have_comm, double tstop, double dt, rv_status st, rv_error *err);
rv_status rv__drv_ckpt_restore(rv__drv_ckpt *ck, rv_model *m, rv_status st, rv_error *err);
rv_status rv__drv_ckpt_save(rv__drv_ckpt *ck, rv_model *m, rv_status st, rv_error *err);
/* 1 when the save is due after the step that ended at t */
int rv__drv_ckpt_save_due(const rv__drv_ckpt *ck, double t, double dt);
/* Step m to tstop, saving when due (rv_model_run without a save). */
rv_status rv__drv_ckpt_run(rv__drv_ckpt *ck, rv_model *m, double tstop, rv_status st,
                           rv_error *err);
void rv__drv_ckpt_result(const rv__drv_ckpt *ck, rv_model *m, rv_drv_result *res);
/* DIR/ranvier.r<rank>.ckpt */
void rv__drv_ckpt_file(const char *dir, int rank, char *out, size_t n);

#endif
