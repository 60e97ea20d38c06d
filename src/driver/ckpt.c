/* SPDX-License-Identifier: MIT
 * driver/ckpt.c -- `ranvier run --save DIR [--save-time T]` and
 * `--restore DIR`, with neurodamus's semantics (its --save, --save-time,
 * --restore, see docs/ and ckpt_int.h):
 *   - folders given relative are taken from the simulation config's folder;
 *   - --save alone saves at tstop; with --save-time T the state at T is
 *     saved and the run goes on to tstop; T beyond tstop saves at tstop
 *     (warning); --save-time without --save is ignored (warning);
 *   - --restore continues from the saved time to the config's tstop; the
 *     spike file holds the spikes after the restored time; reports start at
 *     start_time + t_restored and end at min(end_time + t_restored, tstop)
 *     (neurodamus's create_report_parameters with Nd.t = t_restored).
 * One file per rank, DIR/ranvier.r<rank>.ckpt (include/ranvier/checkpoint.h),
 * all of one save marked with one tag; a restore refuses files of another
 * number of ranks, of different saves, or of another model.  Every call here
 * is collective: every rank calls it with its status so far, and all ranks
 * return the same status (the lowest failing rank's message).
 */
#include "ckpt_int.h"

#include "ranvier/checkpoint.h"
#include "ranvier/sonata_output.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static rv_sonata_comm scomm(const rv__drv_ckpt *ck) {
    rv_sonata_comm s;
    memset(&s, 0, sizeof s);
    s.size = 1;
    if (!ck->have_comm) return s;
    s.rank = ck->comm.rank;
    s.size = ck->comm.size;
    s.ud = ck->comm.ud;
    s.allgather_int = ck->comm.allgather_int;
    s.allgatherv_bytes = ck->comm.allgatherv_bytes;
    return s;
}

static rv_status agree(const rv__drv_ckpt *ck, rv_status st, rv_error *err) {
    if (!ck->have_comm) return st;
    rv_sonata_comm s = scomm(ck);
    return rv_sonata_comm_agree(&s, st, err);
}

static void logf_(const rv__drv_ckpt *ck, const char *line) {
    if (ck->rank != 0) return;
    if (ck->o->log) ck->o->log(ck->o->log_ud, line);
    fprintf(stderr, "ranvier run: %s\n", line);
}

/* dir relative to the config's folder (neurodamus: simulation_config_dir) */
static rv_status resolve(const char *cfg, const char *dir, const char *opt, char *out, size_t n,
                         rv_error *err) {
    size_t len = 0;
    if (dir[0] != '/' && cfg) {
        const char *slash = strrchr(cfg, '/');
        if (slash) len = (size_t)(slash - cfg) + 1;
    }
    if (len + strlen(dir) + 32 >= n)
        return RV_FAIL(err, RV_ERANGE, "%s: folder name too long: %s", opt, dir);
    if (len) memcpy(out, cfg, len);
    snprintf(out + len, n - len, "%s", dir);
    return RV_OK;
}

void rv__drv_ckpt_file(const char *dir, int rank, char *out, size_t n) {
    snprintf(out, n, "%s/ranvier.r%d.ckpt", dir, rank);
}

rv_status rv__drv_ckpt_plan(rv__drv_ckpt *ck, const rv_drv_options *o, const rv_comm *comm,
                            int have_comm, double tstop, double dt, rv_status st, rv_error *err) {
    memset(ck, 0, sizeof *ck);
    ck->o = o;
    ck->have_comm = have_comm && comm && comm->size > 1;
    if (ck->have_comm) ck->comm = *comm;
    ck->rank = ck->have_comm ? comm->rank : 0;
    ck->size = ck->have_comm ? comm->size : 1;
    ck->t_save = tstop;
    char line[1400];
    if (!st && o->has_save_time && !o->save_dir) {
        logf_(ck, "warning: --save-time ignored: there is no --save folder");
    } else if (!st && o->save_dir) {
        ck->save = 1;
        st = resolve(o->config, o->save_dir, "--save", ck->save_dir, sizeof ck->save_dir, err);
        if (!st && o->has_save_time) {
            if (!isfinite(o->save_time) || o->save_time < 0) {
                st = RV_FAIL(err, RV_ERANGE, "--save-time %g: must be a time >= 0 (ms)",
                             o->save_time);
            } else if (o->save_time > tstop) {
                snprintf(line, sizeof line,
                         "warning: --save-time %g is beyond tstop %g: the state is saved at "
                         "tstop",
                         o->save_time, tstop);
                logf_(ck, line);
            } else {
                ck->t_save = o->save_time;
            }
        }
    }
    if (!st && o->restore_dir) {
        ck->restore = 1;
        st = resolve(o->config, o->restore_dir, "--restore", ck->restore_dir,
                     sizeof ck->restore_dir, err);
        char path[1100];
        rv_checkpoint_info info;
        if (!st) {
            rv__drv_ckpt_file(ck->restore_dir, ck->rank, path, sizeof path);
            st = rv_checkpoint_info_read(path, &info, err);
        }
        if (!st && info.nranks != (uint32_t)ck->size) {
            st = RV_FAIL(err, RV_EINVAL,
                         "--restore: the state was saved by a run on %u rank%s; this run has %d "
                         "(restore with the same number of ranks)",
                         info.nranks, info.nranks == 1 ? "" : "s", ck->size);
            rv_error_where(err, path, 0, NULL);
        }
        if (!st && info.rank != (uint32_t)ck->rank) {
            st = RV_FAIL(err, RV_EINVAL, "--restore: the file of rank %u has rank %u's name",
                         info.rank, (unsigned)ck->rank);
            rv_error_where(err, path, 0, NULL);
        }
        if (!st && !(info.t <= tstop + 0.5 * dt)) {
            st = RV_FAIL(err, RV_EINVAL,
                         "--restore: the state was saved at t = %g ms, after this run's tstop %g "
                         "(raise run.tstop to continue the simulation)",
                         info.t, tstop);
            rv_error_where(err, path, 0, NULL);
        }
        /* neurodamus's Nd.t after psolve: the stop time asked for, round(t, 2) */
        if (!st) ck->t_restore = round(info.t * 100.0) / 100.0, ck->tag = info.tag;
        if (!st && ck->save && o->has_save_time && o->save_time <= tstop &&
            o->save_time < info.t - 0.5 * dt)
            st = RV_FAIL(err, RV_EINVAL,
                         "--save-time %g is before the restored time %g: nothing to save there",
                         o->save_time, info.t);
    }
    st = agree(ck, st, err);
    if (!st && ck->restore && ck->have_comm) {
        /* the files of one save: the same time and tag on every rank */
        double lo, hi, tlo, thi;
        double tagd = (double)ck->tag;
        if (ck->comm.allreduce_min(ck->comm.ud, tagd, &lo) ||
            ck->comm.allreduce_max(ck->comm.ud, tagd, &hi) ||
            ck->comm.allreduce_min(ck->comm.ud, ck->t_restore, &tlo) ||
            ck->comm.allreduce_max(ck->comm.ud, ck->t_restore, &thi))
            st = RV_FAIL(err, RV_ECOMM, "--restore: allreduce failed");
        else if (lo != hi || tlo != thi) {
            st = RV_FAIL(err, RV_EINVAL,
                         "--restore: the rank files of %s come from different saves (times %g to "
                         "%g ms)",
                         ck->restore_dir, tlo, thi);
        }
        st = agree(ck, st, err);
    }
    return st;
}

rv_status rv__drv_ckpt_restore(rv__drv_ckpt *ck, rv_model *m, rv_status st, rv_error *err) {
    if (!st && ck->restore) {
        char path[1100];
        rv__drv_ckpt_file(ck->restore_dir, ck->rank, path, sizeof path);
        st = rv_checkpoint_restore(m, path, err);
    }
    st = agree(ck, st, err);
    if (!st && ck->restore) {
        char line[1400];
        snprintf(line, sizeof line, "restored the state at t = %.17g ms from %s", rv_model_t(m),
                 ck->restore_dir);
        if (ck->rank == 0 && ck->o->log) ck->o->log(ck->o->log_ud, line);
    }
    return st;
}

rv_status rv__drv_ckpt_save(rv__drv_ckpt *ck, rv_model *m, rv_status st, rv_error *err) {
    if (!ck->save) return st;
    uint64_t tag = 0;
    if (!st) {
        /* one tag for the files of this save: rank 0's clock in microseconds */
        struct timespec ts;
        timespec_get(&ts, TIME_UTC);
        double mine = (double)((uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u);
        mine = fmod(mine, 9007199254740992.0); /* exact as a double */
        double all = mine;
        if (ck->have_comm && ck->comm.allreduce_max(ck->comm.ud, ck->rank == 0 ? mine : 0.0, &all))
            st = RV_FAIL(err, RV_ECOMM, "--save: allreduce failed");
        tag = (uint64_t)all;
    }
    if (!st) st = rv__drv_mkdir_p(ck->save_dir, err);
    if (!st) {
        char path[1100];
        rv__drv_ckpt_file(ck->save_dir, ck->rank, path, sizeof path);
        st = rv_checkpoint_save_tagged(m, path, tag, err);
    }
    st = agree(ck, st, err);
    if (!st) {
        ck->saved = 1;
        ck->t_saved = rv_model_t(m);
        char line[1400];
        snprintf(line, sizeof line, "saved the state at t = %.17g ms to %s (%d file%s)",
                 rv_model_t(m), ck->save_dir, ck->size, ck->size == 1 ? "" : "s");
        if (ck->rank == 0 && ck->o->log) ck->o->log(ck->o->log_ud, line);
    }
    return st;
}

int rv__drv_ckpt_save_due(const rv__drv_ckpt *ck, double t, double dt) {
    return ck->save && !ck->saved && t >= ck->t_save - 0.5 * dt;
}

void rv__drv_ckpt_result(const rv__drv_ckpt *ck, rv_model *m, rv_drv_result *res) {
    (void)m;
    res->restored = ck->restore;
    res->t_restored = ck->t_restore;
    res->saved = ck->saved;
    res->t_saved = ck->t_saved;
    if (ck->saved) snprintf(res->save_dir, sizeof res->save_dir, "%s", ck->save_dir);
}

rv_status rv__drv_ckpt_run(rv__drv_ckpt *ck, rv_model *m, double tstop, rv_status st,
                           rv_error *err) {
    double dt = rv_model_dt(m);
    if (!ck->save) return st ? st : rv_model_run(m, tstop, err);
    while (!st && rv_model_t(m) < tstop - dt / 2) {
        if (rv__drv_ckpt_save_due(ck, rv_model_t(m), dt)) st = rv__drv_ckpt_save(ck, m, st, err);
        if (!st) st = rv_model_step(m, err);
    }
    if (!st && rv__drv_ckpt_save_due(ck, rv_model_t(m), dt)) st = rv__drv_ckpt_save(ck, m, st, err);
    return st;
}
