/* SPDX-License-Identifier: MIT
 * ranvier/checkpoint.h -- save and restore the dynamic state of a model
 * (layer 1, engine).
 *
 * A checkpoint holds everything that evolves during a run of one process's
 * model: t and the step count, the whole data block (v, every mechanism's
 * RANGE/STATE/ASSIGNED data, ion data, i_membrane_), mechanism global
 * storage, Random123 streams owned by the engine (counters and the current
 * block of four words), NEURON's scop_random state, NetCon weights, delays
 * and active flags, spike-source flags, Vector.play cursors, the event queue
 * (NetCon deliveries, self events with their flags and weight vectors, play
 * events) with its insertion counter, and spikes buffered for the next
 * exchange between processes.  Gap-junction values live in the data block.
 * Spikes already recorded (rv_spike_get) and recorded traces are outputs,
 * not state: a restored model starts with no spikes and with each record
 * holding one value, the one at the restored time.
 *
 * Restore into a model built the same way (same description, mechanisms,
 * dt, celsius, secondorder, event order, Random123 global index, process
 * rank and count) and initialized with rv_model_finitialize; then step on.
 * Stepping a restored model gives bit-identical voltages and spikes to the
 * model that was saved.  A checkpoint of another model is refused before
 * anything is changed, naming what differs.
 *
 * File (native byte order, marked): a 64-byte header (magic "RVCKPT\0\n",
 * version, byte-order mark, payload length, FNV-1a 64 of the payload,
 * process rank and count, t, layout hash, tag), then the payload: the layout
 * description, then the state.  Written to a temporary file in the same
 * folder and renamed into place, so a reader sees a whole file or none.
 */
#ifndef RV_CHECKPOINT_H
#define RV_CHECKPOINT_H

#include "ranvier/base.h"
#include "ranvier/engine.h"

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define RV_CHECKPOINT_VERSION 1

typedef struct rv_checkpoint_info {
    uint32_t version;
    uint32_t rank, nranks; /* the process that wrote it, of how many */
    double t;              /* model time saved */
    uint64_t layout_hash;  /* hash of the model layout */
    uint64_t payload_bytes;
    uint64_t tag; /* the caller's tag (rv_checkpoint_save_tagged), 0 otherwise */
} rv_checkpoint_info;

/* Write the state of an initialized model (rv_model_finitialize called) to
 * path, atomically.  Not collective. */
rv_status rv_checkpoint_save(rv_model *m, const char *path, rv_error *err);
/* The same with a tag stored in the header (drivers mark the files of one
 * save of several processes with one tag, to refuse mixed files). */
rv_status rv_checkpoint_save_tagged(rv_model *m, const char *path, uint64_t tag, rv_error *err);

/* Read path into m, an initialized model built as the saved one.  The file
 * is checked whole (length, checksum, version, byte order, process, layout)
 * before the model is changed; on any error the model is unchanged, except
 * for a payload that passes the checksum but not the later checks (a forged
 * file), after which the model must be initialized again.  Not collective. */
rv_status rv_checkpoint_restore(rv_model *m, const char *path, rv_error *err);

/* The header of a checkpoint file, checked (magic, version, byte order). */
rv_status rv_checkpoint_info_read(const char *path, rv_checkpoint_info *info, rv_error *err);

#ifdef __cplusplus
}
#endif
#endif
